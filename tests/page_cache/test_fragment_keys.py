"""The page cache is keyed by what a page reads (kemitraan/fragments.py): parameters a page does not
read, other spellings of the same filter, page numbers past the last page and invalid values add no
entry, so no one can fill the cache by varying a query string (issue 19, F3)."""
import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import caches
from django.urls import reverse

from evaluations.models import EvaluationCycle
from partners.models import ContributionReport
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def stored_keys(monkeypatch):
    """The keys written to the fragment cache from now on (a counting wrapper around its ``set``)."""
    cache = caches["fragments"]
    keys = []
    original_set = cache.set

    def counting_set(key, *args, **kwargs):
        keys.append(key)
        return original_set(key, *args, **kwargs)

    monkeypatch.setattr(cache, "set", counting_set)
    return keys


@pytest.fixture
def world(partnership, membership_a, membership_b, partner_a, partner_b, coordinator, report_a):
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.CLOSED,
                                     period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 3, 31))
    return {"cycle": cycle}


# Every cached page, and a page that is not cached (its navigation bar is).
PAGES = {
    "dashboard": ("coordinator", lambda w, p: reverse("workspace:home")),
    "partnership detail": ("coordinator", lambda w, p: reverse("workspace:partnership_detail", args=[p.pk])),
    "report list": ("partner_a", lambda w, p: reverse("partners:report_list")),
    "report list, filtered": ("coordinator", lambda w, p: reverse("partners:report_list") + "?status=draft&sort=-period"),
    "review queue": ("coordinator", lambda w, p: reverse("partners:review_queue")),
    "partner home": ("partner_a", lambda w, p: reverse("workspace:partner_home")),
    "evaluation results": ("coordinator", lambda w, p: reverse("evaluations:cycle_detail", args=[w["cycle"].pk])),
    "partnership list (not cached)": ("coordinator", lambda w, p: reverse("partners:partnership_list")),
}


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<main id="main"'):html.index("</main>")]


def _with(url, extra):
    return f"{url}{'&' if '?' in url else '?'}{extra}"


@pytest.mark.parametrize("page", PAGES)
def test_unknown_parameters_add_no_cache_entries(client, request, world, partnership, stored_keys, page):
    who, url_of = PAGES[page]
    client.force_login(request.getfixturevalue(who))
    url = url_of(world, partnership)
    assert client.get(url).status_code == 200
    first_visit = len(set(stored_keys))
    assert first_visit >= 1
    for n in range(20):
        response = client.get(_with(url, f"junk={n}&utm_source=x{n}"))
        assert response.status_code == 200
    assert len(set(stored_keys)) == first_visit, "a parameter the page does not read stored a new entry"


@pytest.mark.parametrize("page", ["dashboard", "report list", "review queue"])
def test_page_numbers_past_the_last_page_add_no_cache_entries(client, request, world, partnership, stored_keys, page):
    who, url_of = PAGES[page]
    client.force_login(request.getfixturevalue(who))
    url = url_of(world, partnership)
    client.get(url)
    before = len(set(stored_keys))
    for number in ["2", "3", "999", "0", "-1", "abc", "1.5", "9" * 30]:
        assert client.get(_with(url, f"page={number}")).status_code == 200
    assert len(set(stored_keys)) == before


def test_invalid_filter_values_add_no_cache_entries_and_still_say_what_is_wrong(client, world, coordinator,
                                                                                stored_keys):
    client.force_login(coordinator)
    url = reverse("partners:report_list")
    client.get(url)
    before = len(set(stored_keys))
    for n in range(10):
        response = client.get(f"{url}?status=junk{n}&sort=nonsense{n}&period_from=2026-99-{n}")
        assert response.status_code == 200
        assert f"junk{n}" in response.content.decode()  # the form says which value it did not take
    assert len(set(stored_keys)) == before


def test_values_spelt_otherwise_or_not_the_readers_add_no_cache_entries(client, world, coordinator, partnership,
                                                                        other_partnership, stored_keys):
    client.force_login(coordinator)
    url = reverse("partners:report_list")
    client.get(f"{url}?partnership={partnership.pk}&period_from=2026-01-01")
    before = len(set(stored_keys))
    for n in range(1, 6):
        zeros = "0" * n
        assert client.get(f"{url}?partnership={zeros}{partnership.pk}&period_from=2026-01-01").status_code == 200
        assert client.get(f"{url}?partnership={partnership.pk}&period_from=2026-1-{zeros}1").status_code == 200
    response = client.get(f"{url}?partnership={other_partnership.pk}")  # not one the coordinator may filter on
    assert response.status_code == 200
    assert len(set(stored_keys)) == before


def test_two_spellings_of_one_filter_share_an_entry(client, world, coordinator, stored_keys):
    client.force_login(coordinator)
    url = reverse("partners:report_list")
    first = client.get(f"{url}?status=draft&sort=-period")
    spellings = [
        f"{url}?sort=-period&status=draft",
        f"{url}?status=draft&sort=-period&page=1",
        f"{url}?partnership=&organisation=&q=+&status=draft&kind=&period_from=&period_to=&sort=-period",
        f"{url}?status=draft&sort=-period&junk=1",
    ]
    for spelling in spellings:
        response = client.get(spelling)
        assert not response.templates, spelling  # served from the entry of the first spelling
        assert main_of(response) == main_of(first), spelling
    assert len(set(stored_keys)) == 1


def test_different_filters_get_their_own_entries(client, world, coordinator, membership_a, stored_keys):
    f.ContributionReportFactory(membership=membership_a, status=ContributionReport.Status.SUBMITTED,
                                value=Decimal("4321000"))
    client.force_login(coordinator)
    url = reverse("partners:report_list")
    drafts = client.get(f"{url}?status=draft").content.decode()
    submitted = client.get(f"{url}?status=submitted").content.decode()
    by_value = client.get(f"{url}?status=draft&sort=value").content.decode()
    assert len(set(stored_keys)) == 3
    assert "4.321.000" in submitted and "4.321.000" not in drafts
    assert drafts != by_value


def test_a_cached_page_links_only_to_what_it_reads(client, world, coordinator):
    """The page stored for a filter is rendered from its normalised parameters: whichever spelling
    came first, its links carry no parameter the page did not read."""
    client.force_login(coordinator)
    url = reverse("partners:report_list")
    html = main_of(client.get(f"{url}?status=draft&kind=&junk=%3Cb%3Ehello&page=1"))
    assert "junk" not in html and "hello" not in html
    assert "status=draft" in html  # the sort and export links keep the filter
    assert main_of(client.get(f"{url}?status=draft")) == html


def test_the_navigation_bar_is_stored_per_page_name_not_per_address(client, world, coordinator, partnership,
                                                                         stored_keys):
    client.force_login(coordinator)
    edit = reverse("partners:partnership_edit", args=[partnership.pk])
    pledges = reverse("partners:pledge_summary", args=[partnership.pk])
    for url in (edit, pledges, f"{edit}?a=1", f"{edit}?a=2", f"{pledges}?b=3"):
        response = client.get(url)
        html = response.content.decode()
        # the language switch still returns to the address asked, escaped
        assert f'name="next" type="hidden" value="{url.replace("&", "&amp;")}"' in html
    assert len(set(stored_keys)) == 2  # one navigation bar per page name (it marks the active menu item)
