"""Every evaluation, action and decision page renders for the role that may use it, CSP-clean."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import SCORE_FIELDS, EvaluationCycle
from tests import factories as f

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)

pytestmark = pytest.mark.usefixtures("english")  # assertions read the English source strings


@pytest.fixture
def world(partnership, membership_a, membership_b, org_a, partner_a, partner_b, coordinator):
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN,
                                     period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 12, 31),
                                     due_date=datetime.date(2027, 1, 14))
    closed = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.CLOSED)
    for m, scores in [(membership_a, [5, 4, 4, 1, 4, 4]), (membership_b, [4, 4, 4, 5, 4, 4])]:
        f.EvaluationResponseFactory(cycle=closed, membership=m, status="submitted",
                                    **dict(zip(SCORE_FIELDS.values(), scores)))
    f.EvaluationResponseFactory(cycle=closed, membership=f.MembershipFactory(partnership=partnership),
                                status="submitted")
    finding = f.FindingFactory(cycle=closed)
    action = f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_a, finding=finding,
                                     due_date=datetime.date(2099, 1, 1))
    decision = f.DecisionFactory(partnership=partnership, closes_at=timezone.now() + datetime.timedelta(days=2))
    return {"cycle": cycle, "closed": closed, "action": action, "decision": decision, "membership": membership_a}


def pages(w):
    p = w["cycle"].partnership_id
    return [
        ("evaluations:cycle_list", {}, "partner_a"),
        ("evaluations:partnership_cycles", {"partnership_pk": p}, "coordinator"),
        ("evaluations:partnership_cycles", {"partnership_pk": p}, "partner_a"),
        ("evaluations:cycle_create", {"partnership_pk": p}, "coordinator"),
        ("evaluations:cycle_detail", {"pk": w["cycle"].pk}, "coordinator"),
        ("evaluations:cycle_detail", {"pk": w["closed"].pk}, "coordinator"),
        ("evaluations:cycle_detail", {"pk": w["closed"].pk}, "partner_a"),
        ("evaluations:cycle_open", {"pk": w["cycle"].pk}, "coordinator"),
        ("evaluations:cycle_close", {"pk": w["cycle"].pk}, "coordinator"),
        ("evaluations:cycle_respond", {"pk": w["cycle"].pk, "membership_pk": w["membership"].pk}, "partner_a"),
        ("evaluations:cycle_respond", {"pk": w["closed"].pk, "membership_pk": w["membership"].pk}, "partner_a"),
        ("evaluations:finding_create", {"pk": w["closed"].pk}, "coordinator"),
        ("evaluations:my_actions", {}, "partner_a"),
        ("evaluations:partnership_actions", {"partnership_pk": p}, "coordinator"),
        ("evaluations:action_create", {"partnership_pk": p}, "coordinator"),
        ("evaluations:action_detail", {"pk": w["action"].pk}, "partner_a"),
        ("evaluations:action_status", {"pk": w["action"].pk}, "partner_a"),
        ("evaluations:action_update", {"pk": w["action"].pk}, "coordinator"),
        ("evaluations:decision_list", {}, "partner_b"),
        ("evaluations:partnership_decisions", {"partnership_pk": p}, "partner_b"),
        ("evaluations:decision_create", {"partnership_pk": p}, "partner_a"),
        ("evaluations:decision_detail", {"pk": w["decision"].pk}, "partner_a"),
        ("evaluations:decision_vote", {"pk": w["decision"].pk, "membership_pk": w["membership"].pk}, "partner_a"),
        ("evaluations:decision_close", {"pk": w["decision"].pk}, "coordinator"),
    ]


def test_every_page_renders_without_inline_script_or_style(request, client, world):
    for name, kwargs, who in pages(world):
        client.force_login(request.getfixturevalue(who))
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, (name, who, response.status_code)
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), name
        assert "style=" not in html, name
        assert not INLINE_HANDLER.search(html), name
        assert '<div class="table-responsive">' in html or "<table" not in html, name


def test_every_page_answers_404_to_an_outsider_for_get_and_post(client, outsider, world):
    client.force_login(outsider)
    for name, kwargs, _who in pages(world):
        if name in {"evaluations:cycle_list", "evaluations:my_actions", "evaluations:decision_list"}:
            continue  # personal lists: empty for an outsider
        url = reverse(name, kwargs=kwargs)
        assert client.get(url).status_code == 404, name
        assert client.post(url, {}).status_code == 404, name


def test_evaluation_form_shows_guidance_and_five_radio_buttons_per_principle(client, partner_a, world):
    client.force_login(partner_a)
    html = client.get(reverse("evaluations:cycle_respond", kwargs={
        "pk": world["cycle"].pk, "membership_pk": world["membership"].pk})).content.decode()
    for field in SCORE_FIELDS.values():
        assert len(re.findall(rf'type="radio"[^>]*name="{field}"', html)) == 5, field
    assert "Every partner has a voice in decisions" in html
