"""The main pages filled with the demo data: styled, charts drawn, no console error, no sideways scroll.

The journeys photograph the pages as they are being built up; this test photographs them
full, as a partnership looks after a year of use (``workspace.demo.loader.build_demo``, the same
data ``make run`` shows), for the coordinator and for a partner representative.

With ``KEMITRAAN_DOCS_SCREENSHOTS=1`` it also rewrites the README's images under
docs/screenshots/ (``helpers.docs_shot``: the desktop viewport and the 360 px phone viewport, not
the full page, so each stays small), as does the evaluation-answer test in test_forms_and_review.py:

    KEMITRAAN_DOCS_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screenshots.py tests/browser/test_forms_and_review.py
"""

import pytest
from django.db.models import Case, Count, When
from playwright.sync_api import expect

from evaluations.models import Decision, EvaluationCycle
from workspace.demo.data import DEMO_PASSWORD, KOORDINATOR
from workspace.demo.loader import build_demo
from partners.models import ContributionReport, Indicator, Partnership
from tests.browser.helpers import Pages, charts_drawn, docs_shot, goto, sign_in, url

PARTNER = "mitra.rs@kemitraan.local"


@pytest.mark.django_db(transaction=True)
def test_main_pages_with_a_year_of_demo_data(live_server, page, snap, console_errors):
    build_demo()
    pages = Pages(page, snap, console_errors)
    main = Partnership.objects.get(title="Anak Sehat Kampung Kita")
    indicator = (
        Indicator.objects.filter(goal__partnership=main).annotate(n=Count("values")).order_by("-n", "pk").first()
    )
    # A returned report shows the reviewer's reason and the history of the round trip.
    report = (
        ContributionReport.objects.filter(membership__partnership=main)
        .exclude(status=ContributionReport.Status.DRAFT)
        .order_by(Case(When(status=ContributionReport.Status.RETURNED, then=0), default=1), "-pk").first()
    )
    cycle = EvaluationCycle.objects.filter(partnership=main, status=EvaluationCycle.Status.CLOSED).order_by(
        "-period_start").first()
    decision = Decision.objects.filter(partnership=main).order_by("status", "-pk").first()

    # --- the coordinator ---
    sign_in(page, live_server, KOORDINATOR, DEMO_PASSWORD)
    expect(page.locator("#dashboard-partnerships article")).to_have_count(Partnership.objects.count())
    docs_shot(page, "dashboard")
    pages.take("demo-dashboard")

    goto(page, url(live_server, "workspace:partnership_detail", pk=main.pk))
    docs_shot(page, "partnership-detail", phone_at="#members")
    pages.take("demo-partnership-detail")
    goto(page, url(live_server, "partners:indicator_detail", pk=indicator.pk))
    assert charts_drawn(page) == {"indicator-chart": True}
    pages.take("demo-indicator-detail")
    goto(page, url(live_server, "partners:review_queue"))
    docs_shot(page, "review-queue", phone_at="main table")
    pages.take("demo-review-queue")
    goto(page, url(live_server, "partners:report_list"))
    expect(page.locator("main table tbody tr").first).to_be_visible()
    pages.take("demo-report-list")
    goto(page, url(live_server, "partners:report_detail", pk=report.pk))
    docs_shot(page, "report")
    pages.take("demo-report-detail")

    goto(page, url(live_server, "evaluations:partnership_cycles", partnership_pk=main.pk))
    drawn = charts_drawn(page)
    assert drawn and all(drawn.values()), drawn
    docs_shot(page, "evaluation-results", phone_at="#trend-title")
    pages.take("demo-evaluation-trend")
    goto(page, url(live_server, "evaluations:cycle_detail", pk=cycle.pk))
    expect(page.locator("[data-testid=health-index]")).not_to_be_empty()
    docs_shot(page, "cycle-answers", phone_at="#answers-title")
    pages.take("demo-cycle-results")
    goto(page, url(live_server, "evaluations:partnership_actions", partnership_pk=main.pk))
    docs_shot(page, "actions", phone_at="main table")
    pages.take("demo-action-list")
    goto(page, url(live_server, "evaluations:decision_detail", pk=decision.pk))
    docs_shot(page, "decision", phone_at="main h1")
    pages.take("demo-decision-detail")
    goto(page, url(live_server, "accounts:invitation_list"))
    pages.take("demo-invitation-list")

    # --- a partner representative ---
    sign_in(page, live_server, PARTNER, DEMO_PASSWORD)
    assert page.url.endswith("/mitra/")
    pages.take("demo-partner-home")
    goto(page, url(live_server, "evaluations:cycle_list"))
    pages.take("demo-cycle-list")
    goto(page, url(live_server, "evaluations:my_actions"))
    pages.take("demo-my-actions")
    goto(page, url(live_server, "evaluations:decision_list"))
    pages.take("demo-decision-list")
    pages.check()
