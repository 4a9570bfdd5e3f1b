"""Every main page of every demo role: axe-core WCAG 2.2 AA at 1280 px, and nothing off-screen at 360 px.

The demo data (``workspace.demo.loader.build_demo``, what ``make run`` shows) are loaded once per test;
each role signs in through the real form and visits its pages. At desktop width axe-core must
find no critical and no serious violation; at phone width the page must not scroll sideways and
no visible button or link may sit past the screen's edge. Every problem of every page is
collected, so one run lists them all; the counts per page are printed as a table (``-s``).
"""
import os
import re

import pytest
from django.urls import reverse

from accounts.models import User
from evaluations.models import Decision, EvaluationCycle, FollowUpAction
from workspace.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD
from workspace.demo.loader import build_demo
from partners.models import ContributionReport, Indicator, Membership, Partnership
from tests.browser.axe import IMPACTS, axe_violations, count_by_impact, describe, offscreen_controls
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.browser.helpers import goto, sign_in


def _coordinator_pages(user):
    partnership = Partnership.objects.filter(coordinators=user).order_by("pk").first()
    member = Membership.objects.filter(partnership=partnership).order_by("pk").first()
    indicator = Indicator.objects.filter(goal__partnership=partnership).order_by("pk").first()
    report = ContributionReport.objects.filter(membership__partnership=partnership).exclude(
        status=ContributionReport.Status.DRAFT).order_by("-pk").first()
    closed = EvaluationCycle.objects.filter(partnership=partnership, status=EvaluationCycle.Status.CLOSED).order_by(
        "-period_start").first()
    action = FollowUpAction.objects.filter(partnership=partnership).order_by("pk").first()
    decision = Decision.objects.filter(partnership=partnership).order_by("-pk").first()
    pages = [
        ("dashboard", reverse("workspace:home")),
        ("partnership list", reverse("partners:partnership_list")),
        ("partnership detail", reverse("workspace:partnership_detail", args=[partnership.pk])),
        ("pledge summary", reverse("partners:pledge_summary", args=[partnership.pk])),
        ("partnership status", reverse("partners:partnership_status", args=[partnership.pk])),
        ("member add", reverse("partners:membership_add", args=[partnership.pk])),
        ("member edit", reverse("partners:membership_edit", args=[member.pk])),
        ("goal form", reverse("partners:goal_create", args=[partnership.pk])),
        ("indicator detail", reverse("partners:indicator_detail", args=[indicator.pk])),
        ("indicator form", reverse("partners:indicator_edit", args=[indicator.pk])),
        ("review queue", reverse("partners:review_queue")),
        ("report list", reverse("partners:report_list")),
        ("report detail", reverse("partners:report_detail", args=[report.pk])),
        ("cycle list", reverse("evaluations:cycle_list")),
        ("partnership cycles", reverse("evaluations:partnership_cycles", args=[partnership.pk])),
        ("cycle detail", reverse("evaluations:cycle_detail", args=[closed.pk])),
        ("actions", reverse("evaluations:partnership_actions", args=[partnership.pk])),
        ("my actions", reverse("evaluations:my_actions")),
        ("action detail", reverse("evaluations:action_detail", args=[action.pk])),
        ("decisions", reverse("evaluations:partnership_decisions", args=[partnership.pk])),
        ("decision list", reverse("evaluations:decision_list")),
        ("decision detail", reverse("evaluations:decision_detail", args=[decision.pk])),
        ("invitations", reverse("accounts:invitation_list")),
        ("invitation form", reverse("accounts:invitation_create")),
        ("profile", reverse("accounts:profile")),
    ]
    accept = ContributionReport.objects.filter(
        membership__partnership=partnership, status=ContributionReport.Status.SUBMITTED).order_by("pk").first()
    if accept is not None:
        pages.append(("accept confirmation", reverse("partners:report_accept", args=[accept.pk])))
    return pages


def _partner_pages(user):
    member = Membership.objects.filter(organisation__representatives=user).order_by("pk").first()
    partnership = member.partnership
    report = ContributionReport.objects.filter(membership=member).order_by("-pk").first()
    draft = ContributionReport.objects.filter(membership=member, status=ContributionReport.Status.DRAFT).first()
    cycle = EvaluationCycle.objects.filter(partnership=partnership).exclude(
        status=EvaluationCycle.Status.SCHEDULED).order_by("-period_start").first()
    decision = Decision.objects.filter(partnership=partnership).order_by("-pk").first()
    action = FollowUpAction.objects.filter(partnership=partnership, owner_organisation=member.organisation).first()
    pages = [
        ("partner home", reverse("workspace:partner_home")),
        ("report list", reverse("partners:report_list")),
        ("report form", reverse("partners:report_create")),
        ("report detail", reverse("partners:report_detail", args=[report.pk])),
        ("indicator values", reverse("partners:indicatorvalue_entry", args=[member.pk])),
        ("cycle list", reverse("evaluations:cycle_list")),
        ("cycle detail", reverse("evaluations:cycle_detail", args=[cycle.pk])),
        ("response form", reverse("evaluations:cycle_respond", args=[cycle.pk, member.pk])),
        ("my actions", reverse("evaluations:my_actions")),
        ("decision list", reverse("evaluations:decision_list")),
        ("decision detail", reverse("evaluations:decision_detail", args=[decision.pk])),
        ("invitations", reverse("accounts:invitation_list")),
        ("profile", reverse("accounts:profile")),
    ]
    if draft is not None:
        pages.append(("report edit", reverse("partners:report_edit", args=[draft.pk])))
    if action is not None:
        pages.append(("action detail", reverse("evaluations:action_detail", args=[action.pk])))
    return pages


def _admin_pages(user):
    partnership = Partnership.objects.order_by("pk").first()
    return [
        ("dashboard", reverse("workspace:home")),
        ("partnership list", reverse("partners:partnership_list")),
        ("partnership detail", reverse("workspace:partnership_detail", args=[partnership.pk])),
        ("review queue", reverse("partners:review_queue")),
        ("report list", reverse("partners:report_list")),
        ("cycle list", reverse("evaluations:cycle_list")),
        ("decision list", reverse("evaluations:decision_list")),
        ("invitations", reverse("accounts:invitation_list")),
        ("profile", reverse("accounts:profile")),
    ]


def _pages_of(email):
    user = User.objects.get(email=email)
    if user.is_superuser:
        return _admin_pages(user)
    if Partnership.objects.filter(coordinators=user).exists():
        return _coordinator_pages(user)
    return _partner_pages(user)


ANONYMOUS_PAGES = [("sign-in", "accounts:login"), ("password reset", "accounts:password_reset")]


def _print_table(rows):
    print("\naxe-core (WCAG 2.2 AA) failing elements per page at 1280 px;"
          " 360 px: sideways scroll (px), controls off-screen")
    print(f"{'role':<14} {'page':<22} " + " ".join(f"{i[:4]:>4}" for i in IMPACTS) + "  scroll offscreen")
    for role, name, counts, overflow, offscreen in rows:
        print(f"{role:<14} {name:<22} " + " ".join(f"{counts.get(i, 0):>4}" for i in IMPACTS)
              + f"  {max(overflow, 0):>6} {offscreen:>9}")


def _check(page, role, name, address, rows, problems):
    goto(page, address)
    page.set_viewport_size(DESKTOP)
    violations = axe_violations(page)
    for line in describe(violations):
        problems.append(f"{role} {name} ({address}): {line}")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(50)
    phone = offscreen_controls(page)
    if os.environ.get("KEMITRAAN_A11Y_SHOTS") == "1":  # every page at 360 px, to look at
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"\W+", "-", f"{role}-{name}")
        page.screenshot(path=str(ARTIFACTS / f"a11y-{slug}-phone.png"), full_page=True)
    if phone["overflow"] > 0:
        problems.append(f"{role} {name} ({address}): the page scrolls sideways by {phone['overflow']}px at 360px")
    for control in phone["offscreen"]:
        problems.append(f"{role} {name} ({address}): off-screen at 360px: {control}")
    for control in phone["small_targets"]:
        problems.append(f"{role} {name} ({address}): touch target under 44px at 360px: {control}")
    page.set_viewport_size(DESKTOP)
    rows.append((role, name, count_by_impact(violations), phone["overflow"], len(phone["offscreen"])))


@pytest.fixture
def axe_page(browser, browser_context_args):
    """A page in a context that lets Playwright add axe-core's script tag despite the app's CSP."""
    context = browser.new_context(**browser_context_args, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_every_main_page_of_every_role_is_accessible_and_fits_a_phone(live_server, axe_page):
    build_demo()
    page = axe_page
    rows, problems = [], []
    for name, url_name in ANONYMOUS_PAGES:
        _check(page, "anonymous", name, live_server.url + reverse(url_name), rows, problems)
    for account in DEMO_ACCOUNTS:
        email = account["email"]
        role = email.split("@")[0]
        sign_in(page, live_server, email, DEMO_PASSWORD)
        for name, path in _pages_of(email):
            _check(page, role, name, live_server.url + path, rows, problems)
    _print_table(rows)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


ADMIN_PAGES = [
    ("admin index", "admin:index"),
    ("report changelist", "admin:partners_contributionreport_changelist"),
    ("partnership changelist", "admin:partners_partnership_changelist"),
    ("decision add", "admin:evaluations_decision_add"),
    ("vote add", "admin:evaluations_vote_add"),
    ("periodic tasks", "admin:django_celery_beat_periodictask_changelist"),
]


@pytest.mark.django_db(transaction=True)
def test_admin_pages_have_no_critical_violations(live_server, axe_page):
    """The Django admin: no critical violation; no serious one the project's own admin causes."""
    build_demo()
    page = axe_page
    sign_in(page, live_server, "admin@kemitraan.local", DEMO_PASSWORD)
    rows, problems = [], []
    decision = Decision.objects.order_by("pk").first()
    pages = [(name, reverse(url_name)) for name, url_name in ADMIN_PAGES]
    pages.append(("decision history", reverse("admin:evaluations_decision_history", args=[decision.pk])))
    for name, path in pages:
        goto(page, live_server.url + path)
        page.set_viewport_size(DESKTOP)
        # Django's autocomplete fields start in jQuery ready handlers, which may run after "load".
        page.wait_for_function("() => !window.django || window.django.jQuery.isReady")
        page.wait_for_timeout(100)
        violations = axe_violations(page)
        counts = count_by_impact(violations)
        rows.append(("admin", name, counts, 0, 0))
        problems += [f"{name} ({path}): {line}" for line in describe(violations, impacts=("critical", "serious"))]
    _print_table(rows)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
