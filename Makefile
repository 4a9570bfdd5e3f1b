# Kemitraan: the two commands of the README, and a few helpers.
#   make run    set up .venv, migrate, load the demo data once, start web + Celery worker + beat
#   make test   set up .venv, run the whole test suite (pytest)
# Everything runs inside .venv; the set-up step is redone only when a requirements file
# is newer than the stamp it leaves, so a second run starts at once.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The interpreter that creates .venv: python3.11 when it is on PATH, else python3.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)

# Arguments for pytest, e.g. `make test ARGS="-k reports -x"`.
ARGS ?=
# Port of the development web server, e.g. `make run PORT=8001`.
PORT ?= 8000
# Browser tests use Debian's chromium (never a downloaded browser build).
export PLAYWRIGHT_CHROMIUM_PATH ?= /usr/bin/chromium
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run test check clean

help:
	@echo "make run     start the app on http://127.0.0.1:$(PORT)/ (web, Celery worker and beat; Ctrl-C stops all)"
	@echo "make test    run the whole test suite (ARGS=\"...\" passes options to pytest)"
	@echo "make check   Django system checks and the migrations-in-step check"
	@echo "make install create .venv and install the requirements (done by run and test)"
	@echo "make clean   remove .venv, the local broker folders and caches (keeps db.sqlite3)"
	@echo "make bench   benchmarks on PostgreSQL; make load: the load test (see the README)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kemitraan needs Python 3.11 or newer; found " + sys.version.split()[0] + " (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(PY) scripts/run-dev

test: $(STAMP)
	@mkdir -p test-artifacts
	@rc=0; $(PY) -m pytest -rfEs $(ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests; that is a failure here, not a pass." >&2; fi; \
	exit $$rc

check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .broker .run .pytest_cache .test-media
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# Benchmarks on PostgreSQL (see README "Performance" and "Load test"); DATABASE_URL defaults to
# postgres://postgres@127.0.0.1:5432/kem_bench and SQLite is refused.
.PHONY: bench load
bench: $(STAMP)
	$(PY) bench/bench.py

load: $(STAMP)
	$(PY) bench/load.py
