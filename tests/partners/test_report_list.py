"""The report list: who sees what, filters, sorting, paging, and the organisation filter with its search."""
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import ContributionReport
from tests import factories as f

pytestmark = pytest.mark.django_db


# --- report list: who sees what, filters, sorting, paging -------------------------------------------------


@pytest.fixture
def many_reports(membership_a, membership_b, membership_c):
    S = ContributionReport.Status
    rows = [
        (membership_a, S.DRAFT, "in_kind", "2026-01-01", "2026-03-31", 300, "Obat cacing"),
        (membership_a, S.SUBMITTED, "funds", "2026-04-01", "2026-06-30", 900, "Dana posyandu"),
        (membership_b, S.ACCEPTED, "volunteer_hours", "2026-04-01", "2026-06-30", 100, "Guru relawan"),
        (membership_b, S.DRAFT, "funds", "2026-07-01", "2026-09-30", 500, "Draf sekolah"),
        (membership_c, S.SUBMITTED, "funds", "2026-04-01", "2026-06-30", 700, "Filter udara"),
    ]
    return [
        f.ContributionReportFactory(
            membership=m, status=status, kind=kind, period_start=start, period_end=end,
            value=Decimal(value), description=text,
        )
        for m, status, kind, start, end, value, text in rows
    ]


def _listed(client, **params):
    response = client.get(reverse("partners:report_list"), params)
    assert response.status_code == 200
    return [r.description for r in response.context["reports"]]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("partner_a", {"Obat cacing", "Dana posyandu"}),
        ("partner_b", {"Guru relawan", "Draf sekolah"}),
        ("partner_c", {"Filter udara"}),
        ("coordinator", {"Dana posyandu", "Guru relawan"}),
        ("other_coordinator", {"Filter udara"}),
        ("outsider", set()),
        ("admin", {"Obat cacing", "Dana posyandu", "Guru relawan", "Draf sekolah", "Filter udara"}),
    ],
)
def test_report_list_shows_only_what_the_user_may_see(client, request, many_reports, who, expected):
    client.force_login(request.getfixturevalue(who))
    assert set(_listed(client)) == expected


def test_report_list_filters(client, admin, many_reports, org_b, other_partnership):
    client.force_login(admin)
    assert set(_listed(client, organisation=org_b.pk)) == {"Guru relawan", "Draf sekolah"}
    assert _listed(client, partnership=other_partnership.pk) == ["Filter udara"]
    assert set(_listed(client, status="draft")) == {"Obat cacing", "Draf sekolah"}
    assert _listed(client, kind="in_kind") == ["Obat cacing"]
    assert set(_listed(client, period_from="2026-07-01")) == {"Draf sekolah"}
    assert _listed(client, period_to="2026-03-31") == ["Obat cacing"]
    assert _listed(client, q="posyandu") == ["Dana posyandu"]
    assert _listed(client, q="Udara Bersih") == ["Filter udara"]  # partnership title


DRAFT_RULE = """"status" = 'draft' AND NOT ("""  # drafts of one's own organisations only, in SQL


@pytest.mark.parametrize("who", ["partner_a", "partner_b", "coordinator", "other_coordinator", "outsider", "admin"])
@pytest.mark.parametrize("status", ["", "draft", "submitted", "accepted", "returned", "deleted"])
def test_report_list_count_matches_the_rows_for_every_status(client, request, many_reports, who, status):
    """The page count comes from a query of its own (one planned for counting): for a status other than
    draft it leaves drafts out without the own-organisation rule, and counts the same rows."""
    client.force_login(request.getfixturevalue(who))
    caches["fragments"].clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("partners:report_list"), {"status": status})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.paginator.count == len(response.context["reports"])  # one page of rows here
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT")]
    if who != "admin" and who != "outsider" and status in ("submitted", "accepted", "returned"):
        assert len(counts) == 1 and DRAFT_RULE not in counts[0], counts
    elif who in ("partner_a", "partner_b", "coordinator", "other_coordinator") and status in ("", "draft"):
        assert len(counts) == 1 and DRAFT_RULE in counts[0], counts  # drafts only of one's own organisations


def test_report_list_sorts_by_whitelisted_keys_only(client, admin, many_reports):
    client.force_login(admin)

    def listed(attribute, sort):
        caches["fragments"].clear()  # the same page again would come from the cache, without a context
        reports = client.get(reverse("partners:report_list"), {"sort": sort}).context["reports"]
        return [attribute(r) for r in reports]

    by_value = listed(lambda r: r.value, "value")
    assert by_value == sorted(by_value) and len(by_value) == 5
    assert listed(lambda r: r.value, "-value") == sorted(by_value, reverse=True)
    organisations = listed(lambda r: r.membership.organisation.name, "-organisation")
    assert organisations == sorted(organisations, reverse=True)
    assert listed(lambda r: r.period_start, "period") == sorted(listed(lambda r: r.period_start, "period"))
    assert listed(lambda r: r.status, "status") == sorted(listed(lambda r: r.status, "status"))
    # Unknown or dangerous keys fall back to the default order instead of failing.
    default = _listed(client)
    assert _listed(client, sort="membership__organisation__representatives__password") == default
    assert _listed(client, sort="-created_by__password") == default


def test_report_list_ignores_garbage_parameters(client, partner_a, many_reports, other_partnership):
    client.force_login(partner_a)
    for params in ({"page": "abc"}, {"page": "999"}, {"partnership": "x"}, {"period_from": "31-31-2026"},
                   {"status": "deleted"}, {"partnership": other_partnership.pk}):
        response = client.get(reverse("partners:report_list"), params)
        assert response.status_code == 200
        assert {r.membership.organisation_id for r in response.context["reports"]} <= {partner_a.organisations.get().pk}


def test_report_list_is_paginated(client, partner_a, membership_a):
    for _ in range(30):
        f.ContributionReportFactory(membership=membership_a)
    client.force_login(partner_a)
    first = client.get(reverse("partners:report_list"))
    second = client.get(reverse("partners:report_list"), {"page": 2})
    assert len(first.context["reports"]) == 25
    assert len(second.context["reports"]) == 5
    assert not {r.pk for r in first.context["reports"]} & {r.pk for r in second.context["reports"]}


# --- the organisation filter: a page of organisations and a search (views/report_list.organisation_options) ---


def _offered(response):
    """The organisations the filter's select offers, by name ("" for the empty choice)."""
    import re

    select = re.search(r'<select[^>]* name="organisation".*?</select>', response.content.decode(), re.S).group(0)
    return [re.sub(r"<.*?>", "", option) for option in re.findall(r"<option.*?</option>", select)]


def _many_members(partnership, names):
    return [f.MembershipFactory(partnership=partnership, organisation=f.OrganisationFactory(name=name)).organisation
            for name in names]


def test_organisation_filter_lists_every_organisation_when_they_are_few(client, coordinator, many_reports):
    client.force_login(coordinator)
    response = client.get(reverse("partners:report_list"))
    offered = _offered(response)
    assert offered[0] == "Semua" and sorted(offered[1:]) == sorted(
        many_reports[0].membership.partnership.memberships.values_list("organisation__name", flat=True))
    assert 'name="organisation_q"' not in response.content.decode()


def test_organisation_filter_offers_a_page_and_a_search_when_they_are_many(
        client, coordinator, partnership, other_partnership, monkeypatch):
    from partners.views import report_list as report_views

    monkeypatch.setattr(report_views, "ORGANISATION_OPTIONS", 3)
    mine = _many_members(partnership, ["Yayasan Anggrek", "Yayasan Bakung", "Yayasan Cempaka", "Koperasi Dahlia",
                                       "Koperasi Edelweis"])
    _many_members(other_partnership, ["Koperasi Rahasia"])  # another coordinator's: never offered
    f.ContributionReportFactory(membership=mine[4].memberships.get(), description="Laporan Edelweis",
                                status=ContributionReport.Status.SUBMITTED)
    client.force_login(coordinator)
    url = reverse("partners:report_list")

    page = client.get(url)
    assert 'name="organisation_q"' in page.content.decode()
    assert len(_offered(page)) == 4  # the empty choice and the first three by name

    found = client.get(url, {"organisation_q": "kopERASI"})
    assert _offered(found) == ["Semua", "Koperasi Dahlia", "Koperasi Edelweis"]
    assert 'value="kopERASI"' in found.content.decode()

    # An organisation past the first page filters the rows, and stays offered (selected) under any search.
    chosen = client.get(url, {"organisation": mine[4].pk, "organisation_q": "Yayasan"})
    assert [r.description for r in chosen.context["reports"]] == ["Laporan Edelweis"]
    assert _offered(chosen)[:2] == ["Semua", "Koperasi Edelweis"]
    assert f'<option value="{mine[4].pk}" selected>' in chosen.content.decode()
    assert len(_offered(chosen)) == 5


def test_organisation_options_answer_the_typed_search_with_allowed_organisations_only(
        client, coordinator, partner_a, partnership, other_partnership, org_a):
    _many_members(partnership, ["Koperasi Dahlia"])
    _many_members(other_partnership, ["Koperasi Rahasia"])
    url = reverse("partners:report_organisation_options")
    client.force_login(coordinator)
    response = client.get(url, {"organisation_q": "koperasi", "organisation": org_a.pk})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Koperasi Dahlia" in text and "Rahasia" not in text
    assert f'<option value="{org_a.pk}" selected>' in text  # the chosen one is kept
    for hostile in ("a\x00b", "x" * 5000, "%", "_", "' OR 1=1 --", str(2**80), "-1", "²"):
        assert client.get(url, {"organisation_q": hostile, "organisation": hostile}).status_code == 200
    client.force_login(partner_a)  # a partner is offered only the organisation they represent
    text = client.get(url, {"organisation_q": ""}).content.decode()
    assert org_a.name in text and "Koperasi" not in text
    client.logout()
    assert client.get(url).status_code == 302


def test_report_list_formats_rupiah_in_the_users_language(client, partner_a, membership_a):
    f.ContributionReportFactory(membership=membership_a, value=Decimal(1250000))
    client.force_login(partner_a)
    assert "Rp 1.250.000" in client.get(reverse("partners:report_list")).content.decode()
    partner_a.preferred_language = "en"
    partner_a.save()
    client.force_login(partner_a)
    assert "Rp 1,250,000" in client.get(reverse("partners:report_list")).content.decode()
