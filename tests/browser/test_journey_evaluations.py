"""Issue 4, point 9: evaluation, follow-up and a shared decision, in the browser.

A member answers the open evaluation (six scores, the benefit received); the coordinator
reads the results and the trend charts, records a finding and creates a follow-up action
that the owner organisation then updates; a member proposes a decision, two members vote
and the coordinator closes it, after which the outcome and who voted how are shown.
"""
import datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from evaluations.models import (
    SCORE_FIELDS,
    Decision,
    EvaluationCycle,
    EvaluationResponse,
    FollowUpAction,
    Vote,
)
from tests import factories as f
from tests.browser.helpers import (
    SAVE,
    Pages,
    accept_dialogs,
    charts_drawn,
    goto,
    path_id,
    previous_quarter,
    quarter_of,
    sign_in,
    submit,
    url,
)

# The member's answer: shared leadership scored far below the others' (an imbalance).
ANSWER = {
    "score_shared_goals": 4,
    "score_mutual_benefit": 4,
    "score_long_term_commitment": 5,
    "score_shared_leadership": 1,
    "score_accountability": 4,
    "score_continuous_evaluation": 3,
}
BENEFIT = "Rujukan pasien anak dari sekolah naik dua kali lipat."


def _submitted(cycle, membership, **scores):
    return f.EvaluationResponseFactory(
        cycle=cycle, membership=membership, status=EvaluationResponse.Status.SUBMITTED,
        submitted_at=timezone.now(), benefit_received="Jejaring rujukan yang lebih kuat.", **scores,
    )


@pytest.fixture
def evaluation_setting(partnership, membership_a, membership_b, partner_a, partner_b, org_a):
    """Three members since two years ago, two closed cycles with answers and the current one open."""
    today = timezone.localdate()
    joined = today - datetime.timedelta(days=730)
    third = f.MembershipFactory(
        partnership=partnership, organisation=f.OrganisationFactory(name="Dinas Kesehatan Kota", sector="government"),
    )
    for membership in (membership_a, membership_b, third):
        membership.joined_on = membership.commitment_start = joined
        membership.save()
    current_start, current_end = quarter_of(today)
    previous = previous_quarter(current_start)
    earliest = previous_quarter(previous[0])
    for (start, end), base in ((earliest, 3), (previous, 4)):
        closed = f.EvaluationCycleFactory(
            partnership=partnership, period_start=start, period_end=end,
            due_date=end + datetime.timedelta(days=14), status=EvaluationCycle.Status.CLOSED,
        )
        for membership, shift in ((membership_a, 0), (membership_b, 1), (third, -1)):
            _submitted(closed, membership, **{name: max(1, min(5, base + shift)) for name in SCORE_FIELDS.values()})
    cycle = f.EvaluationCycleFactory(
        partnership=partnership, period_start=current_start, period_end=current_end,
        due_date=current_end + datetime.timedelta(days=14), status=EvaluationCycle.Status.OPEN,
        opened_at=timezone.now(),
    )
    _submitted(cycle, membership_b, score_shared_leadership=4)
    return cycle


@pytest.mark.django_db(transaction=True)
def test_member_answers_coordinator_follows_up_and_members_decide(
    live_server, page, snap, console_errors, evaluation_setting, coordinator, partnership,
    partner_a, partner_b, membership_a, membership_b, org_a,
):
    cycle = evaluation_setting
    pages = Pages(page, snap, console_errors)
    accept_dialogs(page)
    today = timezone.localdate()

    # --- a member answers the open evaluation ---
    sign_in(page, live_server, partner_a.email)
    goto(page, url(live_server, "evaluations:cycle_list"))
    pages.take("cycle-list")
    goto(page, url(live_server, "evaluations:cycle_detail", pk=cycle.pk))
    respond = f"main a[href$='/evaluasi/{cycle.pk}/jawab/{membership_a.pk}/']"
    expect(page.locator(respond)).to_be_visible()
    submit(page, respond, expect_path=rf"^/evaluasi/{cycle.pk}/jawab/{membership_a.pk}/$")
    for name, score in ANSWER.items():
        page.check(f"input[name={name}][value='{score}']")
    page.fill("textarea[name=benefit_received]", BENEFIT)
    page.fill("textarea[name=what_works]", "Pertemuan bulanan yang teratur.")
    page.fill("textarea[name=what_to_change]", "Keputusan anggaran perlu melibatkan semua mitra.")
    pages.take("response-form")
    submit(page, "main form button[name=submit]", expect_path=rf"^/evaluasi/{cycle.pk}/$")
    answer = EvaluationResponse.objects.get(cycle=cycle, membership=membership_a)
    assert answer.status == EvaluationResponse.Status.SUBMITTED
    assert {name: getattr(answer, name) for name in ANSWER} == ANSWER
    assert answer.benefit_received == BENEFIT
    goto(page, url(live_server, "evaluations:cycle_respond", pk=cycle.pk, membership_pk=membership_a.pk))
    expect(page.locator("main textarea[name=benefit_received]")).to_have_count(0)  # read-only once submitted
    expect(page.locator("main")).to_contain_text(BENEFIT)
    pages.take("response-submitted")

    # --- the coordinator reads the results and the trend charts ---
    sign_in(page, live_server, coordinator.email)
    goto(page, url(live_server, "evaluations:cycle_detail", pk=cycle.pk))
    expect(page.locator("[data-testid=response-rate]")).to_have_text("67%")  # 2 of 3 members
    expect(page.locator("[data-testid=health-index]")).not_to_be_empty()
    expect(page.locator("main tr.table-warning")).to_have_count(1)  # shared leadership: 1 against 4
    expect(page.locator("main")).to_contain_text(BENEFIT)
    pages.take("cycle-results")
    goto(page, url(live_server, "evaluations:partnership_cycles", partnership_pk=partnership.pk))
    expect(page.locator("canvas#trend-principles")).to_be_visible()
    assert charts_drawn(page) == {"trend-health": True, "trend-principles": True}
    pages.take("evaluation-trend")

    # --- records a finding and turns it into a follow-up action ---
    goto(page, url(live_server, "evaluations:finding_create", pk=cycle.pk))
    page.fill("input[name=title]", "Kepemimpinan belum dirasakan bersama")
    page.select_option("select[name=principle]", "shared_leadership")
    page.fill("textarea[name=description]", "Satu mitra menilai kepemimpinan bersama jauh di bawah yang lain.")
    pages.take("finding-form")
    submit(page, SAVE, expect_path=rf"^/evaluasi/{cycle.pk}/$")
    submit(page, "main a[href*='/tindak-lanjut/kemitraan/'][href*='finding=']",
           expect_path=rf"^/tindak-lanjut/kemitraan/{partnership.pk}/baru/")
    page.fill("input[name=title]", "Rapat anggaran bersama setiap kuartal")
    page.fill("textarea[name=description]", "Semua mitra diundang menyusun anggaran kuartal berikutnya.")
    page.select_option("select[name=owner_organisation]", label=org_a.name)
    page.fill("input[name=due_date]", (today + datetime.timedelta(days=30)).strftime("%Y-%m-%d"))
    pages.take("action-form")
    submit(page, SAVE, expect_path=r"^/tindak-lanjut/\d+/$")
    action = FollowUpAction.objects.get(pk=path_id(page, r"/tindak-lanjut/(\d+)/"))
    assert action.owner_organisation == org_a and action.finding is not None
    pages.take("action-detail")
    goto(page, url(live_server, "evaluations:partnership_actions", partnership_pk=partnership.pk))
    expect(page.locator(f"main a[href$='/tindak-lanjut/{action.pk}/']").first).to_be_visible()
    pages.take("action-list")

    # --- the owner organisation moves the action along ---
    sign_in(page, live_server, partner_a.email)
    goto(page, url(live_server, "evaluations:my_actions"))
    expect(page.locator(f"main a[href$='/tindak-lanjut/{action.pk}/']").first).to_be_visible()
    pages.take("my-actions")
    goto(page, url(live_server, "evaluations:action_detail", pk=action.pk))
    page.select_option("select[name=status]", "in_progress")
    submit(page, f"form[action$='/tindak-lanjut/{action.pk}/status/'] button[type=submit]",
           expect_path=rf"^/tindak-lanjut/{action.pk}/$")
    action.refresh_from_db()
    assert action.status == FollowUpAction.Status.IN_PROGRESS

    # --- a member proposes a decision and votes ---
    goto(page, url(live_server, "evaluations:decision_create", partnership_pk=partnership.pk))
    page.fill("input[name=title]", "Menambah posyandu keliling di dua kelurahan")
    page.fill("textarea[name=description]", "Dana cadangan dipakai untuk satu mobil posyandu keliling selama setahun.")
    closes = timezone.localtime() + datetime.timedelta(days=7)
    page.fill("input[name=closes_at]", closes.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=organisation]", label=org_a.name)
    pages.take("decision-form")
    submit(page, SAVE, expect_path=r"^/keputusan/\d+/$")
    decision = Decision.objects.get(pk=path_id(page, r"/keputusan/(\d+)/"))
    vote_form = f"form[action$='/keputusan/{decision.pk}/suara/{membership_a.pk}/']"
    page.check(f"{vote_form} input[name='m{membership_a.pk}-choice'][value=agree]")
    page.fill(f"{vote_form} textarea[name='m{membership_a.pk}-comment']", "Sangat dibutuhkan warga.")
    submit(page, f"{vote_form} button[type=submit]", expect_path=rf"^/keputusan/{decision.pk}/$")

    sign_in(page, live_server, partner_b.email)
    goto(page, url(live_server, "evaluations:decision_detail", pk=decision.pk))
    vote_form = f"form[action$='/keputusan/{decision.pk}/suara/{membership_b.pk}/']"
    page.check(f"{vote_form} input[name='m{membership_b.pk}-choice'][value=agree]")
    pages.take("decision-vote")
    submit(page, f"{vote_form} button[type=submit]", expect_path=rf"^/keputusan/{decision.pk}/$")
    assert set(Vote.objects.filter(decision=decision).values_list("membership_id", "choice")) == {
        (membership_a.pk, "agree"), (membership_b.pk, "agree"),
    }

    # --- the coordinator closes the vote; the outcome and the record show ---
    sign_in(page, live_server, coordinator.email)
    goto(page, url(live_server, "evaluations:decision_detail", pk=decision.pk))
    expect(page.locator("[data-testid=outcome]")).to_have_count(0)
    submit(page, f"form[action$='/keputusan/{decision.pk}/tutup/'] button[type=submit]",
           expect_path=rf"^/keputusan/{decision.pk}/$")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.CLOSED and decision.outcome == Decision.Outcome.APPROVED
    with translation.override("id"):  # the page speaks the coordinator's language
        expect(page.locator("[data-testid=outcome]")).to_have_text(decision.get_outcome_display())
    expect(page.locator("main table tbody tr")).to_have_count(2)
    pages.take("decision-detail")
    goto(page, url(live_server, "evaluations:partnership_decisions", partnership_pk=partnership.pk))
    pages.take("decision-list")

    # A member sees the closed record too: who voted how.
    sign_in(page, live_server, partner_b.email)
    goto(page, url(live_server, "evaluations:decision_detail", pk=decision.pk))
    with translation.override("id"):
        agreed = Vote.objects.get(decision=decision, membership=membership_a).get_choice_display()
    expect(page.locator("main table tbody tr", has_text=org_a.name)).to_contain_text(agreed)
    pages.check()
