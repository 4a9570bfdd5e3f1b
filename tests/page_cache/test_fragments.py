"""Cached pages (kemitraan/fragments.py): served again without the queries and templates behind them,
never stale after a change, never shared between people, languages or days, with each response's
own CSRF token."""
import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import services as evaluation_services
from evaluations.models import EvaluationCycle
from partners import services
from partners.models import ContributionReport, Partnership
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.timezone.utc)
TODAY = NOW.date()
BIG_TABLES = ("partners_contributionreport", "evaluations_evaluationresponse", "partners_indicatorvalue")


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(NOW, tick=False):
        yield


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<main id="main"'):html.index("</main>")]


def get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def world(partnership, membership_a, membership_b, partner_a, partner_b, coordinator, report_a):
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.CLOSED,
                                     period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 3, 31))
    return {"cycle": cycle}


PAGES = {
    "dashboard": ("coordinator", lambda w, p: reverse("workspace:home")),
    "partnership detail": ("coordinator", lambda w, p: reverse("workspace:partnership_detail", args=[p.pk])),
    "report list": ("coordinator", lambda w, p: reverse("partners:report_list") + "?status=draft&sort=-period"),
    "review queue": ("coordinator", lambda w, p: reverse("partners:review_queue")),
    "partner home": ("partner_a", lambda w, p: reverse("workspace:partner_home")),
    "evaluation results": ("coordinator", lambda w, p: reverse("evaluations:cycle_detail", args=[w["cycle"].pk])),
}


@pytest.mark.parametrize("page", PAGES)
def test_second_visit_comes_from_the_cache_without_the_page_queries(client, request, world, partnership, page):
    who, url_of = PAGES[page]
    client.force_login(request.getfixturevalue(who))
    url = url_of(world, partnership)
    client.get(url)
    caches["fragments"].clear()
    first, first_sql = get(client, url)
    second, second_sql = get(client, url)
    assert main_of(second) == main_of(first)
    assert first.templates and not second.templates  # the whole page came from the cache
    # Left: session, user, the user's partnerships with their tokens (the key, and the access
    # check), and for an evaluation the partnership of the cycle; nothing on the big tables.
    assert len(second_sql) <= 4 and len(second_sql) < len(first_sql), "\n".join(second_sql)
    assert not [sql for sql in second_sql if any(table in sql for table in BIG_TABLES)]


def _submit_b(w, p, users):
    report = f.ContributionReportFactory(membership=users["membership_b"], value=Decimal("777000"))
    services.report_submit(report=report, user=users["partner_b"])


def _accept_a(w, p, users):
    services.report_submit(report=users["report_a"], user=users["partner_a"])


def _rename_partnership(w, p, users):
    services.partnership_update(partnership=p, title="Kemitraan Bernama Baru")


def _new_member(w, p, users):
    f.MembershipFactory(partnership=p, organisation=f.OrganisationFactory(name="Yayasan Anggota Baru"))


def _rename_organisation(w, p, users):
    org = users["membership_a"].organisation
    org.name = "RS Berganti Nama"
    org.save()


def _rename_coordinator(w, p, users):
    coordinator = users["coordinator"]
    coordinator.full_name = "Koordinator Berganti Nama"
    coordinator.save()


def _second_coordinator(w, p, users):
    p.coordinators.add(f.UserFactory(full_name="Koordinator Tambahan"))


def _action_due(w, p, users):
    f.FollowUpActionFactory(partnership=p, owner_organisation=users["membership_a"].organisation,
                            title="Tindakan Segera", due_date=TODAY + datetime.timedelta(days=3))


def _indicator_value(w, p, users):
    indicator = f.IndicatorFactory(goal=f.SharedGoalFactory(partnership=p, title="Tujuan Terukur"),
                                   baseline=Decimal("0"), target=Decimal("100"))
    services.indicator_value_save(indicator=indicator, membership=users["membership_a"],
                                  period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 3, 31),
                                  value=Decimal("40"), user=users["partner_a"])


def _coordinator_represents(w, p, users):
    users["membership_b"].organisation.representatives.add(users["coordinator"])


def _delete_report(w, p, users):
    ContributionReport.objects.filter(pk=users["report_a"].pk).delete()


# (change, page that shows it, text that appears or disappears)
CHANGES = [
    ("report submitted", _submit_b, "review queue", "777.000"),
    ("report submitted (partner home)", _accept_a, "partner home", "Diajukan"),
    ("partnership renamed", _rename_partnership, "dashboard", "Kemitraan Bernama Baru"),
    ("member added", _new_member, "partnership detail", "Yayasan Anggota Baru"),
    ("organisation renamed", _rename_organisation, "partnership detail", "RS Berganti Nama"),
    ("coordinator renamed", _rename_coordinator, "partnership detail", "Koordinator Berganti Nama"),
    ("coordinator added", _second_coordinator, "partnership detail", "Koordinator Tambahan"),
    ("follow-up action", _action_due, "partner home", "Tindakan Segera"),
    ("indicator value", _indicator_value, "partnership detail", "Tujuan Terukur"),
    ("coordinator now represents a member", _coordinator_represents, "dashboard", 'href="/mitra/"'),
    ("report deleted", _delete_report, "partner home", "-report deleted-"),
]


@pytest.mark.parametrize("name,change,page,text", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_change_shows_on_the_next_visit(client, request, world, partnership, name, change, page, text):
    users = {key: request.getfixturevalue(key) for key in (
        "coordinator", "partner_a", "partner_b", "membership_a", "membership_b", "report_a")}
    who, url_of = PAGES[page]
    client.force_login(users[who])
    url = url_of(world, partnership)
    client.get(url)  # sets the browser's CSRF cookie
    before = main_of(get(client, url)[0])
    assert main_of(get(client, url)[0]) == before  # cached
    change(world, partnership, users)
    after = main_of(get(client, url)[0])
    if text == "-report deleted-":
        assert f'href="{users["report_a"].get_absolute_url()}"' in before
        assert f'href="{users["report_a"].get_absolute_url()}"' not in after
    else:
        assert text not in before
        assert text in after


def test_cycle_opened_by_the_daily_job_shows_on_the_dashboard(client, coordinator, partnership, membership_a):
    f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.SCHEDULED,
                             period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 6, 30),
                             due_date=datetime.date(2026, 7, 14))
    client.force_login(coordinator)
    before = main_of(get(client, reverse("workspace:home"))[0])
    assert 'data-figure="evaluation">' in before and "0 dari 1" not in before
    report = evaluation_services.cycles_advance(today=TODAY)  # a conditional UPDATE: no signal
    assert report.opened
    after = main_of(get(client, reverse("workspace:home"))[0])
    assert "0 dari 1" in after


def test_fragments_are_not_shared_between_people(client, world, partnership, partner_a, partner_b, org_a, org_b):
    url = reverse("workspace:partner_home")
    client.force_login(partner_a)
    seen_by_a = main_of(get(client, url)[0])
    client.force_login(partner_b)
    seen_by_b = main_of(get(client, url)[0])
    assert org_a.name in seen_by_a and org_a.name not in seen_by_b
    assert org_b.name in seen_by_b and org_b.name not in seen_by_a


def test_fragments_follow_the_language(client, world, coordinator):
    client.force_login(coordinator)
    indonesian = main_of(get(client, reverse("workspace:home"))[0])
    client.cookies["django_language"] = "en"
    english = main_of(get(client, reverse("workspace:home"))[0])
    assert "Laporan menunggu peninjauan" in indonesian
    assert "Reports waiting for review" in english


def test_fragments_are_rendered_again_on_a_new_day(client, world, coordinator):
    client.force_login(coordinator)
    get(client, reverse("workspace:home"))
    _response, cached_sql = get(client, reverse("workspace:home"))
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        client.force_login(coordinator)  # yesterday's session has expired
        _response, next_day_sql = get(client, reverse("workspace:home"))
    assert len(next_day_sql) > len(cached_sql)


def test_cached_forms_carry_a_token_that_works_in_each_browser(coordinator, partnership, membership_a):
    cycle = f.EvaluationCycleFactory(  # scheduled, in the current period: its page offers "Open cycle"
        partnership=partnership, period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 6, 30),
        due_date=datetime.date(2026, 7, 14),
    )
    page_url = reverse("evaluations:cycle_detail", args=[cycle.pk])
    browsers = [Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)]
    pages = []
    for browser in browsers:
        browser.force_login(coordinator)
        browser.get(page_url)  # sets the CSRF cookie of this browser
        response = browser.get(page_url)
        pages.append(response.content.decode())
    assert not response.templates  # the second browser got the page the first one's visit cached
    open_url = reverse("evaluations:cycle_open", args=[cycle.pk])
    token = re.search(rf'action="{open_url}"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
                      pages[1]).group(1)
    response = browsers[1].post(open_url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.OPEN


def test_without_a_shared_cache_every_page_renders_afresh(client, settings, world, coordinator, partnership):
    settings.CACHES = {**settings.CACHES, "fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(coordinator)
    _first, first_sql = get(client, reverse("workspace:home"))
    _second, second_sql = get(client, reverse("workspace:home"))
    assert len(second_sql) == len(first_sql)


def test_a_partnership_loaded_before_a_change_cannot_put_the_old_token_back(partnership, membership_a, partner_a):
    stale_copy = Partnership.objects.get(pk=partnership.pk)
    original = stale_copy.cache_token
    f.ContributionReportFactory(membership=membership_a)  # touches the partnership
    touched = Partnership.objects.values_list("cache_token", flat=True).get(pk=partnership.pk)
    assert touched != original
    stale_copy.description = "Diubah dari salinan lama"
    stale_copy.save()
    assert Partnership.objects.values_list("cache_token", flat=True).get(pk=partnership.pk) not in (original, touched)
    assert Partnership.objects.get(pk=partnership.pk).description == "Diubah dari salinan lama"


def test_a_change_is_seen_only_with_its_token_in_one_transaction(client, world, coordinator, partnership, org_b):
    """The token is written by the same transaction as the change: a rolled-back change leaves it as it was."""
    before = Partnership.objects.values_list("cache_token", flat=True).get(pk=partnership.pk)
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        f.MembershipFactory(partnership=partnership, organisation=f.OrganisationFactory())
        raise RuntimeError
    assert Partnership.objects.values_list("cache_token", flat=True).get(pk=partnership.pk) == before


def _language_form_token(html):
    form = html[html.index('id="language-form"'):]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


def test_cached_navigation_bar_carries_each_requests_own_token(coordinator, world):
    browsers = [Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)]
    tokens = []
    for browser in browsers:
        browser.force_login(coordinator)
        browser.get(reverse("workspace:home"))
        tokens += [_language_form_token(browser.get(reverse("workspace:home")).content.decode()) for _ in range(2)]
    assert len(set(tokens)) == 4  # masked afresh on every response, though the bar came from the cache
    response = browsers[1].post(reverse("set_language"), {"language": "en", "next": "/",
                                                          "csrfmiddlewaretoken": tokens[3]})
    assert response.status_code == 302


def test_cached_navigation_bar_follows_the_name_and_the_address(client, coordinator, world):
    client.force_login(coordinator)
    assert coordinator.get_short_name() in get(client, reverse("workspace:home"))[0].content.decode()
    coordinator.full_name = "Wulandari Prasetyo"
    coordinator.save()
    html = get(client, reverse("partners:report_list"))[0].content.decode()
    assert "Wulandari" in html[:html.index("<main")]
    assert 'value="/laporan/"' in html[:html.index("<main")]  # the language switch returns here


def test_a_page_with_messages_is_rendered_afresh_and_not_kept(coordinator, partnership, membership_a, partner_a):
    report = f.ContributionReportFactory(membership=membership_a)
    services.report_submit(report=report, user=partner_a)
    browser = Client()
    browser.force_login(coordinator)
    queue = reverse("partners:review_queue")
    accept = reverse("partners:report_accept", args=[report.pk])
    response = browser.post(accept, {"next": queue}, follow=True)
    assert f"Laporan {membership_a.organisation} telah diterima." in response.content.decode()
    browser.get(queue)
    assert not browser.get(queue).templates  # cached
    # Accepting it again changes nothing (so the key stays) and says why: that page is rendered
    # with the message, and the next visit gets the cached page, without the message.
    response = browser.post(accept, {"next": queue}, follow=True)
    assert response.templates and "Hanya laporan yang diajukan yang dapat diterima" in response.content.decode()
    again = browser.get(queue)
    assert not again.templates and "Hanya laporan yang diajukan yang dapat diterima" not in again.content.decode()


@pytest.mark.parametrize("who", ["partner_a", "other_coordinator"])
def test_cached_pages_keep_their_access_checks(client, request, world, partnership, coordinator, who):
    """A person who may not see a page gets 404, even when the coordinator's visit has cached it."""
    client.force_login(coordinator)
    detail = reverse("workspace:partnership_detail", args=[partnership.pk])
    assert client.get(detail).status_code == 200
    user = request.getfixturevalue(who) if who == "partner_a" else f.UserFactory()
    client.force_login(user)
    assert client.get(detail).status_code == 404  # a member's representative does not coordinate it
    cycle = reverse("evaluations:cycle_detail", args=[world["cycle"].pk])
    assert client.get(cycle).status_code == (200 if who == "partner_a" else 404)
    assert client.get(reverse("evaluations:cycle_detail", args=[world["cycle"].pk + 1000])).status_code == 404
    assert client.get(reverse("evaluations:cycle_detail", args=[10**30])).status_code == 404  # no error either
    assert client.get(reverse("workspace:partnership_detail", args=[10**30])).status_code == 404


FIXED_PARENTS = [
    ("partners", "membership", "partnership", lambda w: f.MembershipFactory()),
    ("partners", "pledge", "membership", lambda w: f.PledgeFactory()),
    ("partners", "sharedgoal", "partnership", lambda w: f.SharedGoalFactory()),
    ("partners", "indicator", "goal", lambda w: f.IndicatorFactory()),
    ("partners", "indicatorvalue", "membership", lambda w: f.IndicatorValueFactory()),
    ("partners", "contributionreport", "membership", lambda w: f.ContributionReportFactory()),
    ("evaluations", "evaluationcycle", "partnership", lambda w: w["cycle"]),
    ("evaluations", "evaluationresponse", "cycle", lambda w: f.EvaluationResponseFactory()),
    ("evaluations", "finding", "cycle", lambda w: f.FindingFactory()),
    ("evaluations", "followupaction", "partnership", lambda w: f.FollowUpActionFactory()),
    ("evaluations", "decision", "partnership", lambda w: f.DecisionFactory()),
    ("evaluations", "vote", "decision", lambda w: f.VoteFactory()),
]


@pytest.mark.parametrize("app,model,parent,make", FIXED_PARENTS, ids=[m for _a, m, _p, _f in FIXED_PARENTS])
def test_the_admin_keeps_a_record_with_its_parent(admin_client, world, app, model, parent, make):
    """Moving a record to another partnership would leave the old partnership's cached pages
    showing it (a save touches the partnership of now): the parent is chosen once, when adding."""
    obj = make(world)
    change = admin_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert f'name="{parent}"' not in change.content.decode()
    assert f'name="{parent}"' in admin_client.get(reverse(f"admin:{app}_{model}_add")).content.decode()

