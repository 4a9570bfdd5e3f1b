"""Shared decisions: proposals, one vote per member organisation, outcomes, and the record."""
import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Decision, Vote
from evaluations.services import (
    decision_close,
    decision_propose,
    decisions_close_due,
    vote_cast,
)
from partners.services import TransitionError
from tests import factories as f

NOW = datetime.datetime(2026, 11, 2, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def decision(partnership, membership_a, membership_b):
    return f.DecisionFactory(partnership=partnership, closes_at=timezone.now() + datetime.timedelta(days=7))


def vote_url(decision, membership):
    return reverse("evaluations:decision_vote", kwargs={"pk": decision.pk, "membership_pk": membership.pk})


def future(days=3):
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_coordinator_proposes_a_decision(client, coordinator, partnership):
    client.force_login(coordinator)
    url = reverse("evaluations:decision_create", kwargs={"partnership_pk": partnership.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Tambah posyandu", "description": "Buka dua posyandu baru.",
                                 "closes_at": future()})
    decision = Decision.objects.get()
    assert response.status_code == 302 and response.url == decision.get_absolute_url()
    assert (decision.proposed_by, decision.proposed_by_organisation, decision.status, decision.outcome) == (
        coordinator, None, "open", "pending")


def test_member_representative_proposes_on_behalf_of_its_organisation(client, partner_a, org_a, partnership):
    client.force_login(partner_a)
    url = reverse("evaluations:decision_create", kwargs={"partnership_pk": partnership.pk})
    missing = client.post(url, {"title": "Usulan", "description": "Isi", "closes_at": future()})
    assert missing.context["form"].errors["organisation"]  # a partner always proposes for an organisation
    client.post(url, {"title": "Usulan", "description": "Isi", "closes_at": future(), "organisation": org_a.pk})
    assert Decision.objects.get().proposed_by_organisation == org_a


def test_closing_time_must_be_in_the_future(client, coordinator, partnership):
    client.force_login(coordinator)
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("evaluations:decision_create", kwargs={"partnership_pk": partnership.pk}),
                           {"title": "x", "description": "y", "closes_at": past})
    assert response.context["form"].errors["closes_at"]
    assert not Decision.objects.exists()


def test_proposing_organisation_must_be_a_member(partnership, org_c, membership_c):
    with pytest.raises(ValidationError):
        decision_propose(partnership=partnership, user=None, title="x", description="y",
                         closes_at=timezone.now() + datetime.timedelta(days=1), organisation=org_c)


@pytest.mark.parametrize("who", ["partner_c", "other_coordinator", "outsider"])
def test_outsiders_cannot_propose(request, client, partnership, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluations:decision_create", kwargs={"partnership_pk": partnership.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x", "description": "y", "closes_at": future()}).status_code == 404
    assert not Decision.objects.exists()


def test_representative_casts_and_changes_its_organisations_single_vote(client, partner_a, membership_a, decision):
    client.force_login(partner_a)
    prefix = f"m{membership_a.pk}"
    client.post(vote_url(decision, membership_a), {f"{prefix}-choice": "agree", f"{prefix}-comment": "Setuju"})
    client.post(vote_url(decision, membership_a), {f"{prefix}-choice": "disagree", f"{prefix}-comment": "Berubah"})
    vote = Vote.objects.get()  # still one row per member organisation
    assert (vote.membership, vote.choice, vote.comment, vote.cast_by) == (membership_a, "disagree", "Berubah", partner_a)
    assert [h.choice for h in vote.history.order_by("history_date")] == ["agree", "disagree"]


@pytest.mark.parametrize("who", ["partner_b", "coordinator", "partner_c", "outsider"])
def test_nobody_votes_for_another_organisation(request, client, membership_a, decision, who):
    client.force_login(request.getfixturevalue(who))
    url = vote_url(decision, membership_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {f"m{membership_a.pk}-choice": "agree"}).status_code == 404
    assert not Vote.objects.exists()


def test_votes_are_refused_after_the_closing_time_even_before_the_job_runs(partner_a, membership_a, decision):
    with pytest.raises(TransitionError):
        vote_cast(decision=decision, membership=membership_a, user=partner_a, choice="agree",
                  now=decision.closes_at + datetime.timedelta(seconds=1))


def test_votes_are_refused_on_a_closed_decision(client, partner_a, membership_a, decision):
    decision_close(decision=decision)
    client.force_login(partner_a)
    response = client.post(vote_url(decision, membership_a), {f"m{membership_a.pk}-choice": "agree"})
    assert response.status_code == 302  # back to the decision, with the reason as a message
    assert not Vote.objects.exists()


def _votes(decision, choices):
    for choice in choices:
        f.VoteFactory(decision=decision, membership=f.MembershipFactory(partnership=decision.partnership), choice=choice)


@pytest.mark.parametrize(
    ("choices", "outcome"),
    [
        (["agree", "agree", "disagree"], "approved"),
        (["agree", "disagree", "disagree", "abstain", "abstain"], "rejected"),
        (["agree", "disagree", "abstain"], "tied"),
        (["abstain", "abstain"], "no_votes"),
        ([], "no_votes"),
        (["agree", "abstain", "abstain", "abstain"], "approved"),  # abstentions don't count
    ],
)
def test_outcome_is_computed_when_the_decision_closes(partnership, choices, outcome):
    decision = f.DecisionFactory(partnership=partnership)
    _votes(decision, choices)
    decision_close(decision=decision)
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == ("closed", outcome)
    assert decision.closed_at is not None


def test_closing_twice_is_refused(decision):
    decision_close(decision=decision)
    with pytest.raises(TransitionError):
        decision_close(decision=decision)


def test_close_due_closes_only_decisions_past_their_closing_time(partnership):
    due = f.DecisionFactory(partnership=partnership, closes_at=NOW - datetime.timedelta(minutes=1))
    not_yet = f.DecisionFactory(partnership=partnership, closes_at=NOW + datetime.timedelta(minutes=1))
    _votes(due, ["agree"])
    assert decisions_close_due(now=NOW) == [due.pk]
    assert decisions_close_due(now=NOW) == []  # safe to run twice
    due.refresh_from_db()
    not_yet.refresh_from_db()
    assert (due.status, due.outcome, due.closed_at) == ("closed", "approved", NOW)
    assert not_yet.status == "open"


def test_close_due_uses_the_current_time_when_not_given(partnership):
    decision = f.DecisionFactory(partnership=partnership, closes_at=NOW)
    with time_machine.travel(NOW + datetime.timedelta(seconds=1)):
        assert decisions_close_due() == [decision.pk]


def test_coordinator_closes_a_decision_by_hand(client, coordinator, decision):
    client.force_login(coordinator)
    url = reverse("evaluations:decision_close", args=[decision.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == ("closed", "no_votes")


@pytest.mark.parametrize("who", ["partner_a", "other_coordinator", "outsider"])
def test_only_the_coordinator_closes_a_decision(request, client, decision, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluations:decision_close", args=[decision.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    decision.refresh_from_db()
    assert decision.status == "open"


def test_while_open_partners_see_who_voted_but_not_how(client, partner_a, partner_b, membership_a, membership_b,
                                                       decision):
    vote_cast(decision=decision, membership=membership_a, user=partner_a, choice="disagree", comment="ALASAN-A")
    client.force_login(partner_b)
    page = client.get(reverse("evaluations:decision_detail", args=[decision.pk]))
    html = page.content.decode()
    assert membership_a.organisation.name in html
    assert "ALASAN-A" not in html
    assert [row["show_choice"] for row in page.context["rows"]] == [False]
    assert page.context["not_voted"] == [membership_b]
    # The voter sees its own choice.
    client.force_login(partner_a)
    assert "ALASAN-A" in client.get(reverse("evaluations:decision_detail", args=[decision.pk])).content.decode()


def test_closed_decision_shows_who_voted_how_and_when(client, partner_b, partner_a, membership_a, decision):
    vote_cast(decision=decision, membership=membership_a, user=partner_a, choice="disagree", comment="ALASAN-A")
    decision_close(decision=decision)
    client.force_login(partner_b)
    page = client.get(reverse("evaluations:decision_detail", args=[decision.pk]))
    html = page.content.decode()
    assert "ALASAN-A" in html
    assert str(partner_a) in html
    assert page.context["rows"][0]["vote"].cast_at is not None
    assert page.context["vote_forms"] == []


def test_coordinator_sees_every_choice_while_open(client, coordinator, partner_a, membership_a, decision):
    vote_cast(decision=decision, membership=membership_a, user=partner_a, choice="agree", comment="ALASAN-A")
    client.force_login(coordinator)
    assert "ALASAN-A" in client.get(reverse("evaluations:decision_detail", args=[decision.pk])).content.decode()


@pytest.mark.parametrize("who", ["partner_c", "other_coordinator", "outsider"])
def test_decisions_of_another_partnership_answer_404(request, client, decision, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("evaluations:decision_detail", args=[decision.pk])).status_code == 404
    assert client.get(reverse("evaluations:partnership_decisions",
                              kwargs={"partnership_pk": decision.partnership_id})).status_code == 404
    assert list(client.get(reverse("evaluations:decision_list")).context["page"].object_list) == []


def test_decision_list_shows_counts_and_outcomes(client, partner_a, membership_a, membership_b, decision, partner_b):
    vote_cast(decision=decision, membership=membership_a, user=partner_a, choice="agree")
    vote_cast(decision=decision, membership=membership_b, user=partner_b, choice="abstain")
    client.force_login(partner_a)
    row = client.get(reverse("evaluations:decision_list")).context["page"].object_list[0]
    assert (row.votes_cast, row.votes_agree, row.votes_abstain) == (2, 1, 1)
    listing = client.get(reverse("evaluations:partnership_decisions", kwargs={"partnership_pk": decision.partnership_id}))
    assert listing.context["may_propose"] is True
