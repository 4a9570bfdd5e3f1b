"""`make run`'s script, tried for real on the embedded defaults.

scripts/run-dev runs in a subprocess against its own SQLite file and filesystem-broker
folder (whatever DATABASE_URL / CELERY_BROKER_URL the suite itself uses), so this is the
set-up a new developer gets: migrate, web + Celery worker + beat, a task that really
travels through the filesystem broker, and Ctrl-C stopping every process it started.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DevRun:
    """scripts/run-dev in a subprocess, its output collected line by line."""

    def __init__(self, env, *args):
        self.lines = []
        self.popen = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "run-dev"), *args],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self):
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self):
        return "\n".join(self.lines)

    def wait_for(self, pattern, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.output):
                return
            if self.popen.poll() is not None:
                time.sleep(0.5)  # let the reader catch up with the last lines
                if re.search(pattern, self.output):
                    return
                break
            time.sleep(0.2)
        pytest.fail(f"no {pattern!r} in run-dev's output:\n{self.output[-6000:]}")

    def interrupt(self, timeout=40):
        """Press Ctrl-C; return run-dev's exit code."""
        self.popen.send_signal(signal.SIGINT)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            pytest.fail(f"run-dev did not stop within {timeout}s:\n{self.output[-4000:]}")

    def kill(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()


def _processes_with(marker):
    """Pids of the processes whose environment contains ``marker``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            pass
    return pids


@pytest.fixture
def dev_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="kemitraan.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        CELERY_BROKER_URL="filesystem://localhost/",  # the settings' default (the suite's own may differ)
        CELERY_BROKER_DIR=str(tmp_path / "broker"),
        PORT=str(_free_port()),
        KEMITRAAN_TEST_RUN=str(tmp_path),  # finds every process this run started
    )
    return env


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc to find leftover processes")
def test_run_dev_starts_web_worker_and_beat_passes_a_task_and_ctrl_c_stops_all(dev_env, tmp_path):
    run = DevRun(dev_env, "--no-seed")
    try:
        url = f"http://127.0.0.1:{dev_env['PORT']}/"
        run.wait_for(re.escape(f"Kemitraan is running: {url}"))
        with urllib.request.urlopen(url + "accounts/login/", timeout=10) as response:
            assert response.status == 200
        for folder in ("out", "processed"):
            assert (tmp_path / "broker" / folder).is_dir()
        run.wait_for(r"beat \| .*scheduler -> django_celery_beat\.schedulers\.DatabaseScheduler")
        run.wait_for(r"worker \| .*worker@\S+ ready\.")

        sent = subprocess.run(
            [sys.executable, "-m", "celery", "-A", "kemitraan", "call", "celery.accumulate", "--args", "[1, 2]"],
            cwd=ROOT, env=dev_env, capture_output=True, text=True, timeout=60, check=True,
        )
        task_id = sent.stdout.strip().splitlines()[-1]
        run.wait_for(rf"Task celery\.accumulate\[{re.escape(task_id)}\] succeeded", timeout=60)

        # One line says what each process is; the warnings that are harmless here are not shown.
        for name, what in (("web", "development server"), ("worker", "Celery worker"), ("beat", "Celery beat")):
            assert re.search(rf"^\s*{name} \| .*{what}", run.output, re.M), name
        assert "No hostname was supplied" not in run.output
        assert "superuser privileges" not in run.output

        assert run.interrupt() == 0
        assert "stopped" in run.lines[-1]
        time.sleep(0.5)
        assert _processes_with(f"KEMITRAAN_TEST_RUN={tmp_path}\0") == []
    finally:
        run.kill()


def test_run_dev_refuses_a_port_in_use(dev_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", int(dev_env["PORT"])))
        busy.listen()
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "run-dev")],
            cwd=ROOT, env=dev_env, capture_output=True, text=True, timeout=60, check=False,
        )
    assert result.returncode == 1
    assert f"port {dev_env['PORT']}" in result.stdout


@pytest.mark.django_db
def test_migrations_are_in_step_with_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
