"""Issue 21, points 1 and 6: an incomplete evaluation answer says what is missing; accepting a report asks first."""
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import SCORE_FIELDS, EvaluationCycle, EvaluationResponse
from partners import services
from partners.models import ContributionReport
from tests import factories as f
from tests.browser.helpers import docs_shot, goto, quarter_of, sign_in, submit, url


@pytest.mark.django_db(transaction=True)
def test_partial_evaluation_answer_shows_a_summary_and_each_missing_score(live_server, page, partner_a, membership_a):
    today = timezone.localdate()
    membership_a.joined_on = membership_a.commitment_start = today - datetime.timedelta(days=400)
    membership_a.save()
    start, end = quarter_of(today)
    cycle = f.EvaluationCycleFactory(
        partnership=membership_a.partnership, period_start=start, period_end=end,
        due_date=end + datetime.timedelta(days=14), status=EvaluationCycle.Status.OPEN, opened_at=timezone.now(),
    )
    sign_in(page, live_server, partner_a.email)
    goto(page, url(live_server, "evaluations:cycle_respond", pk=cycle.pk, membership_pk=membership_a.pk))
    scored = list(SCORE_FIELDS.values())[:2]
    for name in scored:
        page.check(f"input[name={name}][value='4']")
    submit(page, "main form button[name=submit]")

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    missing = [name for name in SCORE_FIELDS.values() if name not in scored]
    links = summary.locator("a")
    expect(links).to_have_count(len(missing))
    for name in missing:
        # Each missing principle: a link in the summary to its first radio, and its own message beside it.
        expect(summary.locator(f"a[href='#id_{name}_0']")).to_be_visible()
        expect(page.locator(f"#id_{name}_error")).to_be_visible()
    for name in scored:
        expect(page.locator(f"#id_{name}_error")).to_have_count(0)
        expect(page.locator(f"input[name={name}][value='4']")).to_be_checked()  # what was given stays

    docs_shot(page, "evaluation-errors", phone_at="#error-summary")
    summary.locator(f"a[href='#id_{missing[0]}_0']").click()
    expect(page.locator(f"#id_{missing[0]}_0")).to_be_in_viewport()
    assert not EvaluationResponse.objects.filter(cycle=cycle, status=EvaluationResponse.Status.SUBMITTED).exists()


@pytest.mark.django_db(transaction=True)
def test_accept_from_the_review_queue_asks_for_confirmation(live_server, page, coordinator, partner_a, membership_a):
    report = f.ContributionReportFactory(membership=membership_a)
    services.report_submit(report=report, user=partner_a)
    sign_in(page, live_server, coordinator.email)
    goto(page, url(live_server, "partners:review_queue"))

    # "Accept" in the queue opens the confirmation page: nothing is accepted by that click alone.
    submit(page, f"main a[href*='/reports/{report.pk}/accept/']", expect_path=rf"/reports/{report.pk}/accept/")
    report.refresh_from_db()
    assert report.status == ContributionReport.Status.SUBMITTED
    expect(page.locator("main")).to_contain_text(membership_a.organisation.name)

    # Confirming accepts it and comes back to the queue, now empty.
    submit(page, "main form[method=post] button[type=submit]", expect_path=r"/reviews/$")
    report.refresh_from_db()
    assert report.status == ContributionReport.Status.ACCEPTED
    expect(page.locator(f"main a[href*='/reports/{report.pk}/accept/']")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_every_accept_link_leads_to_the_confirmation(live_server, page, coordinator, partner_a, membership_a):
    """The report page, the review queue and the partnership page never accept in one click."""
    report = f.ContributionReportFactory(membership=membership_a)
    services.report_submit(report=report, user=partner_a)
    sign_in(page, live_server, coordinator.email)
    accept_path = f"/reports/{report.pk}/accept/"
    for name, kwargs in (("partners:review_queue", {}), ("partners:report_detail", {"pk": report.pk}),
                         ("workspace:partnership_detail", {"pk": membership_a.partnership_id})):
        goto(page, url(live_server, name, **kwargs))
        # No form on these pages posts to the accept address; links to it open the confirmation page.
        expect(page.locator(f"form[action*='{accept_path}']")).to_have_count(0)
