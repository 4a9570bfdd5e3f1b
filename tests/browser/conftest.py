"""Playwright in Debian's chromium against Django's live server.

Browser tests are marked ``browser``. They run wherever /usr/bin/chromium exists and are
required in CI (CI=true): there a missing browser is a failure, not a skip.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session", autouse=True)
def _database_before_playwright(django_db_setup):
    """Create the test database before Playwright starts its event loop.

    Autouse fixtures of a scope come first, so this runs before the session's ``playwright``
    fixture: run alone (``make test ARGS="tests/browser"``), the database set-up would otherwise
    meet Playwright's running loop and Django would refuse it (SynchronousOnlyOperation).
    """


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_beside_playwright():
    """Let the tests' own ORM calls run beside Playwright's event loop (browser modules only).

    Set for each browser test module and removed after it, not at import, so the variable
    never leaks into other tests' subprocesses (``manage.py check --deploy`` would fail).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    missing = not Path(CHROMIUM).exists()
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if missing and os.environ.get("CI", "").lower() != "true":
                item.add_marker(pytest.mark.skip(reason=f"no browser at {CHROMIUM} (install Debian's chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--lang=id",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "id-ID"}


@pytest.fixture
def snap():
    """Save a screenshot of the current page at desktop and phone width; check the phone layout.

    At 360 px the page body must not scroll sideways (tables scroll inside their own box).
    """

    def take(page, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)
        page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.set_viewport_size(DESKTOP)
        assert overflow <= 0, f"{name}: the page body scrolls sideways by {overflow}px at 360px"

    return take


@pytest.fixture
def console_errors(page):
    """Collect console errors (CSP violations show up here) for the test to assert on."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors
