"""The sign-in page renders with its own styles and scripts, no CSP violation, on desktop and phone."""
import pytest
from django.urls import reverse


@pytest.mark.django_db(transaction=True)
def test_login_page_renders_styled_in_indonesian_without_console_errors(live_server, page, snap, console_errors):
    page.goto(live_server.url + reverse("accounts:login"))
    assert page.locator("html").get_attribute("lang") == "id"
    # Bootstrap loaded from our own static files: the primary button is coloured, not default grey.
    colour = page.locator("main button[type=submit].btn-primary").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)")
    snap(page, "login")
    assert console_errors == []
