"""Small helpers shared by the browser journeys (sign-in, form submits, screenshots, checks).

Selectors use name attributes, ids and URLs rather than visible text, so the journeys
hold while the Indonesian catalogue is being written.
"""
import datetime
import os
import re
from pathlib import Path

from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD

# A minimal but real PDF: the upload check looks at the content, not the name.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# The README's images (docs/screenshots/), rewritten when KEMITRAAN_DOCS_SCREENSHOTS=1.
DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
WRITE_DOCS = os.environ.get("KEMITRAAN_DOCS_SCREENSHOTS") == "1"

# The page's own submit button: a POST form in <main>, not a button that submits another form.
SAVE = "main form[method=post] button[type=submit]:not([form])"
FORM_ERRORS = ".invalid-feedback, .errorlist, .alert-danger, .alert-warning"


def url(live_server, name, **kwargs):
    return live_server.url + reverse(name, kwargs=kwargs or None)


def form_errors(page) -> list[str]:
    """Return the visible error texts of the current page (to explain a failed submit)."""
    return [text.strip() for text in page.locator(FORM_ERRORS).all_inner_texts() if text.strip()]


def submit(page, selector, *, expect_path=None):
    """Click ``selector`` (a submit button), wait for the next page and check it answered well.

    ``expect_path`` is a regular expression the new URL's path must match; when it does
    not, the failure shows the errors the page displays.
    """
    with page.expect_navigation(wait_until="load") as navigation:
        page.locator(selector).first.click()
    response = navigation.value
    assert response is None or response.status < 400, f"{selector} -> HTTP {response.status} at {page.url}"
    if expect_path is not None:
        path = re.sub(r"^https?://[^/]+", "", page.url).split("#")[0]
        assert re.search(expect_path, path), (
            f"after {selector} expected a path matching {expect_path!r}, got {path!r}; "
            f"page errors: {form_errors(page)}"
        )
    return response


def goto(page, address):
    """Open ``address`` and check that it answered 200."""
    response = page.goto(address)
    assert response is not None and response.status == 200, f"{address} -> {response and response.status}"
    return response


def sign_in(page, live_server, email, password=PASSWORD):
    """Sign in through the real form as ``email`` (after dropping whoever was signed in)."""
    page.context.clear_cookies()
    goto(page, url(live_server, "accounts:login"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    submit(page, SAVE)
    assert "/accounts/login/" not in page.url, f"sign-in failed for {email}: {form_errors(page)}"


def accept_dialogs(page):
    """Answer yes to every confirm() (the data-confirm forms ask before they post)."""
    page.on("dialog", lambda dialog: dialog.accept())


def path_id(page, pattern) -> int:
    """Return the number captured by ``pattern`` in the current URL."""
    match = re.search(pattern, page.url)
    assert match, f"{pattern!r} not in {page.url}"
    return int(match.group(1))


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end_month = start.month + 2
    next_first = datetime.date(start.year + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_first - datetime.timedelta(days=1)


def previous_quarter(start: datetime.date) -> tuple[datetime.date, datetime.date]:
    return quarter_of(start - datetime.timedelta(days=1))


def docs_shot(page, name, phone_at=None):
    """Save the desktop viewport (not the full page) and the 360 px phone viewport as README images, when asked to.

    ``phone_at`` is a CSS selector the phone image starts at (the list of cards rather than the
    filter above it); the top of the page without it.
    """
    if not WRITE_DOCS:
        return
    DOCS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.evaluate("window.scrollTo(0, 0)")
    settle_charts(page)
    page.screenshot(path=str(DOCS / f"{name}.png"))
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(150)
    page.evaluate("window.scrollTo(0, 0)")
    if phone_at:
        page.locator(phone_at).first.evaluate(
            "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 12)")
    settle_charts(page)
    page.screenshot(path=str(DOCS / f"{name}-phone.png"))
    page.set_viewport_size(DESKTOP)
    page.evaluate("window.scrollTo(0, 0)")


def settle_charts(page):
    """Finish every Chart.js animation at once, so a screenshot shows the final values."""
    page.evaluate(
        """() => {
          if (!window.Chart) return;
          Object.values(window.Chart.instances || {}).forEach(chart => {
            chart.stop(); chart.options.animation = false; chart.resize(); chart.update('none');
          });
        }"""
    )


def charts_drawn(page) -> dict:
    """Return {canvas id: True when Chart.js drew a chart on it with a non-empty size}."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('canvas')].map(c => [
          c.id, c.width > 0 && c.height > 0 && !!(window.Chart && window.Chart.getChart(c))
        ]))"""
    )


class Pages:
    """Screenshots and checks of the main pages, collected so one journey reports every problem.

    ``take(name)`` saves the desktop and 360 px screenshots (through the ``snap`` fixture,
    which also checks there is no sideways scroll) and records the console errors
    (CSP violations among them) that appeared since the previous page. ``check()``
    fails the test listing every page with a problem.
    """

    def __init__(self, page, snap, console_errors):
        self.page, self.snap, self.console_errors = page, snap, console_errors
        self.problems: list[str] = []
        self.seen = 0
        self.names: list[str] = []

    def take(self, name):
        self.page.wait_for_load_state("load")
        settle_charts(self.page)
        self.names.append(name)
        try:
            self.snap(self.page, name)
        except AssertionError as error:
            self.problems.append(f"{name}: {error}; sticking out: {self.sticking_out()}")
        self.collect(name)

    def collect(self, name):
        new = self.console_errors[self.seen:]
        self.seen = len(self.console_errors)
        for message in new:
            self.problems.append(f"{name} ({self.page.url}): console error: {message}")

    def sticking_out(self) -> list[str]:
        """Name the outermost elements that reach past the right edge at phone width (a hint for the fix)."""
        self.page.set_viewport_size(PHONE)
        try:
            return self.page.evaluate(
                """() => {
                  const width = document.documentElement.clientWidth, found = [];
                  for (const el of document.body.querySelectorAll('*')) {
                    if (el.getBoundingClientRect().right <= width + 1) continue;
                    // An absolutely placed element escapes a scroll box that is not positioned.
                    let clipped = false;
                    let p = getComputedStyle(el).position === 'absolute' ? null : el.parentElement;
                    for (; p && p !== document.body; p = p.parentElement) {
                      const style = getComputedStyle(p);
                      if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) { clipped = true; break; }
                    }
                    if (!clipped && !found.some(f => f.contains(el))) found.push(el);
                  }
                  return found.slice(0, 5).map(el => el.tagName.toLowerCase()
                    + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '')
                    + ' "' + (el.textContent || '').trim().slice(0, 30) + '"');
                }"""
            )
        finally:
            self.page.set_viewport_size(DESKTOP)

    def forget_console(self):
        """Skip the console messages so far (e.g. the browser logs a deliberate 404)."""
        self.seen = len(self.console_errors)

    def check(self):
        assert not self.problems, "problems on the main pages:\n" + "\n".join(self.problems)
