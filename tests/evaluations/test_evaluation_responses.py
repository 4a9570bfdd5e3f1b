"""Answering an evaluation: drafts, submission, read-only answers, and who sees what."""
import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import SCORE_FIELDS, EvaluationCycle, EvaluationResponse
from evaluations.selectors import cycle_results, cycles_for_user
from evaluations.services import response_save_draft, response_submit
from partners.services import TransitionError
from tests import factories as f

SCORES = dict(zip(SCORE_FIELDS.values(), [4, 5, 3, 2, 4, 5]))

pytestmark = pytest.mark.usefixtures("english")  # assertions read the English source strings


@pytest.fixture
def open_cycle(partnership):
    return f.EvaluationCycleFactory(
        partnership=partnership, status=EvaluationCycle.Status.OPEN,
        period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 12, 31),
        due_date=datetime.date(2027, 1, 14),
    )


def respond_url(cycle, membership):
    return reverse("evaluations:cycle_respond", kwargs={"pk": cycle.pk, "membership_pk": membership.pk})


def post_data(scores=None, **texts):
    data = {name: str(value) for name, value in (scores or {}).items()}
    data.update({"benefit_received": "", "what_works": "", "what_to_change": ""})
    data.update(texts)
    return data


def test_partner_saves_a_partial_draft_and_finds_it_again(client, partner_a, membership_a, open_cycle):
    client.force_login(partner_a)
    url = respond_url(open_cycle, membership_a)
    page = client.get(url)
    assert page.status_code == 200
    # The guidance text of each principle is on the form.
    assert "All partners understand the problem being addressed" in page.content.decode()

    response = client.post(url, post_data({"score_shared_goals": 4}, what_works="Rapat rutin", save="1"))
    assert response.status_code == 302
    answer = EvaluationResponse.objects.get(cycle=open_cycle, membership=membership_a)
    assert (answer.status, answer.score_shared_goals, answer.score_mutual_benefit) == ("draft", 4, None)
    again = client.get(url)
    assert again.context["form"].initial["score_shared_goals"] == 4
    assert again.context["form"].initial["what_works"] == "Rapat rutin"


def test_submit_needs_all_six_scores(client, partner_a, membership_a, open_cycle):
    client.force_login(partner_a)
    partial = {k: v for k, v in SCORES.items() if k != "score_accountability"}
    response = client.post(respond_url(open_cycle, membership_a), post_data(partial, submit="1"))
    assert response.status_code == 200
    assert response.context["form"].errors["score_accountability"]
    assert not EvaluationResponse.objects.filter(status="submitted").exists()


def test_submitted_answer_is_read_only(client, partner_a, membership_a, open_cycle):
    client.force_login(partner_a)
    url = respond_url(open_cycle, membership_a)
    response = client.post(url, post_data(SCORES, benefit_received="Data kesehatan anak", submit="1"))
    assert response.status_code == 302
    answer = EvaluationResponse.objects.get()
    assert answer.status == "submitted" and answer.submitted_by == partner_a and answer.submitted_at

    # The page no longer shows a form; a forged POST changes nothing.
    page = client.get(url)
    assert page.context["editable"] is False
    assert b'name="submit"' not in page.content
    client.post(url, post_data({**SCORES, "score_shared_goals": 1}, submit="1"))
    answer.refresh_from_db()
    assert answer.score_shared_goals == 4
    with pytest.raises(TransitionError):
        response_save_draft(cycle=open_cycle, membership=membership_a, user=partner_a, score_shared_goals=1)


@pytest.mark.parametrize("status", [EvaluationCycle.Status.SCHEDULED, EvaluationCycle.Status.CLOSED])
def test_answers_are_refused_unless_the_cycle_is_open(partner_a, membership_a, open_cycle, status):
    EvaluationCycle.objects.filter(pk=open_cycle.pk).update(status=status)
    open_cycle.refresh_from_db()
    with pytest.raises(TransitionError):
        response_submit(cycle=open_cycle, membership=membership_a, user=partner_a, **SCORES)
    assert not EvaluationResponse.objects.exists()


def test_member_who_joined_after_the_cycle_is_not_asked(partnership, open_cycle):
    late = f.MembershipFactory(partnership=partnership, joined_on=datetime.date(2027, 2, 1))
    with pytest.raises(ValidationError):
        response_submit(cycle=open_cycle, membership=late, user=None, **SCORES)


def test_member_of_another_partnership_cannot_answer(membership_c, open_cycle):
    with pytest.raises(ValidationError):
        response_save_draft(cycle=open_cycle, membership=membership_c, user=None)


@pytest.mark.parametrize("who", ["partner_b", "coordinator", "partner_c", "outsider", "other_coordinator"])
def test_nobody_else_opens_or_posts_an_organisations_answer(request, client, membership_a, open_cycle, who):
    f.EvaluationResponseFactory(cycle=open_cycle, membership=membership_a, what_works="RAHASIA-A")
    client.force_login(request.getfixturevalue(who))
    url = respond_url(open_cycle, membership_a)
    assert client.get(url).status_code == 404
    assert client.post(url, post_data(SCORES, submit="1")).status_code == 404
    assert EvaluationResponse.objects.get().status == "draft"


def _answer(cycle, membership, scores, text=""):
    return f.EvaluationResponseFactory(
        cycle=cycle, membership=membership, status="submitted", what_to_change=text,
        **dict(zip(SCORE_FIELDS.values(), scores)),
    )


def test_coordinator_sees_per_member_scores_but_not_drafts(client, coordinator, partner_a, partner_b,
                                                         membership_a, membership_b, open_cycle):
    _answer(open_cycle, membership_a, [1, 1, 1, 1, 1, 1], text="KOMENTAR-A")
    f.EvaluationResponseFactory(cycle=open_cycle, membership=membership_b, what_works="DRAF-B")
    client.force_login(coordinator)
    page = client.get(reverse("evaluations:cycle_detail", args=[open_cycle.pk]))
    html = page.content.decode()
    assert "KOMENTAR-A" in html
    assert "DRAF-B" not in html
    assert [row["response"].membership for row in page.context["responses"]] == [membership_a]
    assert page.context["not_answered"] == [membership_b]
    assert page.context["result"].submitted == 1


def test_partner_sees_no_results_while_the_cycle_is_open(client, partner_a, membership_a, membership_b, open_cycle):
    _answer(open_cycle, membership_b, [2, 2, 2, 2, 2, 2], text="KOMENTAR-B")
    client.force_login(partner_a)
    page = client.get(reverse("evaluations:cycle_detail", args=[open_cycle.pk]))
    assert page.context["result"] is None
    assert "responses" not in page.context
    assert "KOMENTAR-B" not in page.content.decode()


def test_partner_sees_only_aggregates_after_close_with_three_answers(client, partner_a, partnership,
                                                                    membership_a, membership_b, open_cycle):
    third = f.MembershipFactory(partnership=partnership)
    _answer(open_cycle, membership_a, [5, 5, 5, 5, 5, 5])
    _answer(open_cycle, membership_b, [4, 4, 4, 4, 4, 4], text="KOMENTAR-B")
    _answer(open_cycle, third, [1, 4, 4, 4, 4, 4])
    EvaluationCycle.objects.filter(pk=open_cycle.pk).update(status=EvaluationCycle.Status.CLOSED)
    client.force_login(partner_a)
    page = client.get(reverse("evaluations:cycle_detail", args=[open_cycle.pk]))
    html = page.content.decode()
    result = page.context["result"]
    assert result.principles[0].average == Decimal("3.33")  # (5 + 4 + 1) / 3
    assert result.principles[0].is_imbalanced  # 1 against the others' 4.5
    # No member's scores, comments, name in an imbalance, lowest or highest score.
    assert "responses" not in page.context
    assert "KOMENTAR-B" not in html
    assert third.organisation.name not in html
    assert 'data-testid="lowest"' not in html


def test_partner_sees_no_aggregates_with_fewer_than_three_answers(client, partner_a, membership_a, membership_b,
                                                                 open_cycle):
    _answer(open_cycle, membership_a, [5, 5, 5, 5, 5, 5])
    _answer(open_cycle, membership_b, [1, 1, 1, 1, 1, 1])
    EvaluationCycle.objects.filter(pk=open_cycle.pk).update(status=EvaluationCycle.Status.CLOSED)
    client.force_login(partner_a)
    page = client.get(reverse("evaluations:cycle_detail", args=[open_cycle.pk]))
    assert page.context["result"] is None  # with two answers, the average would give B's scores away
    cycles = client.get(reverse("evaluations:partnership_cycles", kwargs={"partnership_pk": open_cycle.partnership_id}))
    assert cycles.context["rows"][0]["result"] is None
    assert cycles.context["has_trend"] is False


def test_partnership_page_draws_trend_from_json_without_inline_script(client, coordinator, partnership,
                                                                      membership_a, open_cycle):
    _answer(open_cycle, membership_a, [3, 3, 3, 3, 3, 3])
    client.force_login(coordinator)
    page = client.get(reverse("evaluations:partnership_cycles", kwargs={"partnership_pk": partnership.pk}))
    html = page.content.decode()
    assert page.context["trend"]["health"] == [50]
    assert 'id="evaluation-trend" type="application/json"' in html
    assert "js/evaluations.js" in html and "chart.umd.min.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert "style=" not in html
    assert "Health index = 100 × (M − 1) ÷ 4" in html  # the formula is written on the page


def test_partner_sees_own_answer_status_in_lists(client, partner_a, membership_a, open_cycle):
    f.EvaluationResponseFactory(cycle=open_cycle, membership=membership_a)
    client.force_login(partner_a)
    rows = client.get(reverse("evaluations:cycle_list")).context["rows"]
    assert [r.status for r in rows[0][1]] == ["draft"]
    detail = client.get(reverse("evaluations:cycle_detail", args=[open_cycle.pk]))
    assert detail.context["my_members"][0]["response"].status == "draft"


def test_response_rate_counts_members_on_the_last_day_of_the_period(partnership, membership_a, membership_b,
                                                                   open_cycle):
    f.MembershipFactory(partnership=partnership, joined_on=datetime.date(2027, 1, 2))  # joined after the period
    f.MembershipFactory(partnership=partnership, left_on=datetime.date(2026, 11, 1))  # left during it
    left_after_answering = f.MembershipFactory(partnership=partnership, left_on=datetime.date(2026, 12, 1))
    _answer(open_cycle, left_after_answering, [3, 3, 3, 3, 3, 3])
    _answer(open_cycle, membership_a, [3, 3, 3, 3, 3, 3])

    cycle = cycles_for_user(f.UserFactory(is_superuser=True)).get(pk=open_cycle.pk)
    assert (cycle.asked_count, cycle.submitted_count) == (3, 2)  # A, B, and the one that answered before leaving
    assert cycle_results([cycle])[cycle.pk].response_percent == 67
