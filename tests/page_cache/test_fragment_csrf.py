"""Cached pages get each response's own CSRF token without touching what people typed (issue 19, F6):
text that looks like the old placeholder, or even like the marker itself, comes back as typed."""
import html as html_lib
import re

import pytest
from django.test import Client
from django.urls import reverse

from partners import services
from tests import factories as f

pytestmark = pytest.mark.django_db

OLD_PLACEHOLDER = "csrf-token-set-per-request"


def _browser(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def _cached(browser, url):
    browser.get(url)  # sets the CSRF cookie, and caches the page
    response = browser.get(url)
    assert response.status_code == 200 and not response.templates, "expected the page from the cache"
    return response.content.decode()


def _language_form_token(html):
    form = html[html.index('id="language-form"'):]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


def test_typed_placeholder_text_comes_back_unchanged_and_the_forms_still_work(coordinator, partnership):
    services.partnership_update(partnership=partnership, description=f"Catatan: {OLD_PLACEHOLDER} di sini")
    browser = _browser(coordinator)
    page = _cached(browser, reverse("workspace:partnership_detail", args=[partnership.pk]))
    assert f"Catatan: {OLD_PLACEHOLDER} di sini" in page
    token = _language_form_token(page)
    assert token != OLD_PLACEHOLDER
    response = browser.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_placeholder_text_in_the_search_box_comes_back_unchanged(partner_a, report_a):
    browser = _browser(partner_a)
    page = _cached(browser, reverse("partners:report_list") + f"?q={OLD_PLACEHOLDER}")
    assert f'value="{OLD_PLACEHOLDER}"' in page  # the search box shows what was typed
    assert _language_form_token(page) != OLD_PLACEHOLDER


def test_text_holding_the_marker_itself_is_shown_as_text(coordinator, partnership, membership_a, partner_a):
    """Even someone who knew the marker could not have a token put into their text: escaping changes it."""
    from kemitraan import fragments

    marker = fragments.markers().csrf
    services.partnership_update(partnership=partnership, description=f"x {marker} y")
    report = f.ContributionReportFactory(membership=membership_a)
    services.report_submit(report=report, user=partner_a)
    browser = _browser(coordinator)
    page = _cached(browser, reverse("workspace:partnership_detail", args=[partnership.pk]))
    assert f"x {html_lib.escape(marker)} y" in page
    assert marker not in page  # every real marker was filled in
    queue = _cached(browser, reverse("partners:review_queue") + f"?junk={marker}")
    accept = reverse("partners:report_accept", args=[report.pk])
    token = _language_form_token(queue)  # the queue's "Accept" opens a confirmation page; its token is the page's
    assert browser.post(accept, {"csrfmiddlewaretoken": token}).status_code == 302


def test_every_process_makes_the_same_markers_and_a_new_secret_key_new_ones(settings):
    from kemitraan import fragments

    first = fragments.markers()
    assert fragments.markers() == first
    assert "<" in first.csrf and settings.SECRET_KEY not in first.csrf
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert fragments.markers().csrf != first.csrf
