"""Every URL pattern x every role x GET and POST, against the expected answer.

The test walks the URL configuration itself: a page added without a row in ``EXPECTED``
fails ``test_every_url_pattern_is_in_the_matrix``. Answers:
  ok     the role may use the page (200, a redirect that is not the sign-in page, or a
         200 re-rendering a form with errors after an empty POST)
  404    the object or page does not exist for this role (never a leak, never a 500)
  login  a redirect to the sign-in page (anonymous visitors)
  405    the method is not allowed on this URL
  410    a used or expired invitation
An empty POST is used on purpose: it must never cause a 500, and a denied role must get
the same 404 as for GET.
"""
import datetime
import os

import pytest
from django.db import transaction
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Invitation
from accounts.selectors import token_hash
from evaluations.models import EvaluationCycle
from partners.models import Attachment, ContributionReport
from tests import factories as f

ROLES = ["admin", "coordinator", "other_coordinator", "partner_a", "partner_b", "partner_c", "outsider", "anonymous"]
ALL = dict.fromkeys(ROLES, "ok")


def only(*allowed, default="404", anonymous="login", **overrides):
    """Return an answer per role: ``ok`` for ``allowed``, ``default`` for the other signed-in roles."""
    answers = {role: ("ok" if role in allowed else default) for role in ROLES}
    answers["anonymous"] = anonymous
    answers.update(overrides)
    return answers


SIGNED_IN = only("admin", "coordinator", "other_coordinator", "partner_a", "partner_b", "partner_c", "outsider")
PUBLIC = dict.fromkeys(ROLES, "ok")
COORDINATOR = only("admin", "coordinator")  # the coordinator of the partnership the object is in
ANY_COORDINATOR = only("admin", "coordinator", "other_coordinator")
INVITERS = only("admin", "coordinator", "other_coordinator", "partner_a", "partner_b", "partner_c")  # not outsiders
MEMBERS = only("admin", "coordinator", "partner_a", "partner_b")  # everyone in the partnership
OWNER_A = only("admin", "partner_a")  # org A's own object
OWNER_A_ONLY = only("partner_a")  # acting as org A (a vote, an answer): not even an admin
A_AND_COORDINATOR = only("admin", "coordinator", "partner_a")
A_AND_COORDINATOR_DRAFT = OWNER_A  # the attachment is on org A's draft, which coordinators do not see



def get_only(answers):
    """The POST answers of a GET-only page: 405 where GET is allowed, the same denial elsewhere."""
    return {role: ("405" if answer == "ok" else answer) for role, answer in answers.items()}


# name: (kwargs key, GET answers, POST answers)
EXPECTED = {
    "workspace:home": (None, SIGNED_IN, SIGNED_IN),
    "health": (None, PUBLIC, get_only(PUBLIC)),
    "health_live": (None, PUBLIC, get_only(PUBLIC)),
    "set_language": (None, PUBLIC, PUBLIC),
    "accounts:login": (None, PUBLIC, PUBLIC),
    "accounts:logout": (None, dict.fromkeys(ROLES, "405"), dict.fromkeys(ROLES, "login")),
    "accounts:password_change": (None, SIGNED_IN, SIGNED_IN),
    "accounts:password_change_done": (None, SIGNED_IN, get_only(SIGNED_IN)),
    "accounts:password_reset": (None, PUBLIC, PUBLIC),
    "accounts:password_reset_done": (None, PUBLIC, get_only(PUBLIC)),
    "accounts:password_reset_confirm": ("reset", PUBLIC, PUBLIC),
    "accounts:password_reset_complete": (None, PUBLIC, get_only(PUBLIC)),
    "accounts:profile": (None, SIGNED_IN, SIGNED_IN),
    "accounts:invitation_list": (None, INVITERS, get_only(SIGNED_IN)),
    "accounts:invitation_create": (None, INVITERS, INVITERS),
    "accounts:invitation_resend": ("invitation", COORDINATOR, COORDINATOR),
    "accounts:invitation_revoke": ("invitation", COORDINATOR, COORDINATOR),
    "accounts:invitation_accept": ("token", PUBLIC, PUBLIC),
    "partners:partnership_list": (None, ANY_COORDINATOR, ANY_COORDINATOR),
    "partners:partnership_create": (None, ANY_COORDINATOR, ANY_COORDINATOR),
    "workspace:partnership_detail": ("partnership", COORDINATOR, COORDINATOR),
    "partners:partnership_edit": ("partnership", COORDINATOR, COORDINATOR),
    "partners:partnership_status": ("partnership", COORDINATOR, COORDINATOR),
    "partners:pledge_summary": ("partnership", COORDINATOR, COORDINATOR),
    "partners:membership_add": ("partnership", COORDINATOR, COORDINATOR),
    "partners:organisation_options": ("partnership", COORDINATOR, COORDINATOR),
    "partners:membership_edit": ("membership", COORDINATOR, COORDINATOR),
    "partners:membership_remove": ("membership", COORDINATOR, COORDINATOR),
    "partners:goal_create": ("partnership", COORDINATOR, COORDINATOR),
    "partners:goal_edit": ("goal", COORDINATOR, COORDINATOR),
    "partners:goal_delete": ("goal", COORDINATOR, COORDINATOR),
    "partners:indicator_create": ("goal", COORDINATOR, COORDINATOR),
    "partners:indicator_detail": ("indicator", COORDINATOR, COORDINATOR),
    "partners:indicator_edit": ("indicator", COORDINATOR, COORDINATOR),
    "partners:indicator_delete": ("indicator", COORDINATOR, COORDINATOR),
    "partners:review_queue": (None, ANY_COORDINATOR, ANY_COORDINATOR),
    "partners:report_accept": ("submitted", COORDINATOR, COORDINATOR),
    "partners:report_return": ("submitted", COORDINATOR, COORDINATOR),
    "workspace:partner_home": (None, SIGNED_IN, get_only(SIGNED_IN)),
    "partners:indicatorvalue_entry": ("membership", OWNER_A_ONLY, OWNER_A_ONLY),
    "partners:report_list": (None, SIGNED_IN, get_only(SIGNED_IN)),
    "partners:report_export": (None, SIGNED_IN, get_only(SIGNED_IN)),
    "partners:report_organisation_options": (None, SIGNED_IN, get_only(SIGNED_IN)),
    "partners:report_create": (None, only("partner_a", "partner_b", "partner_c"), only("partner_a", "partner_b", "partner_c")),
    "partners:report_detail": ("submitted", A_AND_COORDINATOR, get_only(A_AND_COORDINATOR)),
    "partners:report_edit": ("draft", OWNER_A_ONLY, OWNER_A_ONLY),
    "partners:report_submit": ("draft", OWNER_A_ONLY, OWNER_A_ONLY),
    "partners:report_resubmit": ("returned", OWNER_A_ONLY, OWNER_A_ONLY),
    "partners:report_delete": ("draft", OWNER_A_ONLY, OWNER_A_ONLY),
    "partners:attachment_add": ("draft", OWNER_A_ONLY, OWNER_A_ONLY),
    "partners:attachment_download": ("attachment", A_AND_COORDINATOR_DRAFT, get_only(A_AND_COORDINATOR_DRAFT)),
    "partners:attachment_delete": ("attachment", OWNER_A_ONLY, OWNER_A_ONLY),
    "evaluations:cycle_list": (None, SIGNED_IN, SIGNED_IN),
    "evaluations:partnership_cycles": ("partnership_pk", MEMBERS, MEMBERS),
    "evaluations:cycle_create": ("partnership_pk", COORDINATOR, COORDINATOR),
    "evaluations:cycle_detail": ("open_cycle", MEMBERS, MEMBERS),
    "evaluations:cycle_open": ("scheduled_cycle", COORDINATOR, COORDINATOR),
    "evaluations:cycle_close": ("open_cycle", COORDINATOR, COORDINATOR),
    "evaluations:cycle_respond": ("cycle_member", OWNER_A_ONLY, OWNER_A_ONLY),
    "evaluations:finding_create": ("open_cycle", COORDINATOR, COORDINATOR),
    "evaluations:my_actions": (None, SIGNED_IN, SIGNED_IN),
    "evaluations:partnership_actions": ("partnership_pk", MEMBERS, MEMBERS),
    "evaluations:action_create": ("partnership_pk", COORDINATOR, COORDINATOR),
    "evaluations:action_detail": ("action", MEMBERS, MEMBERS),
    "evaluations:action_status": ("action", A_AND_COORDINATOR, A_AND_COORDINATOR),
    "evaluations:action_update": ("action", COORDINATOR, COORDINATOR),
    "evaluations:decision_list": (None, SIGNED_IN, SIGNED_IN),
    "evaluations:partnership_decisions": ("partnership_pk", MEMBERS, MEMBERS),
    "evaluations:decision_create": ("partnership_pk", MEMBERS, MEMBERS),
    "evaluations:decision_detail": ("decision", MEMBERS, MEMBERS),
    "evaluations:decision_vote": ("decision_member", OWNER_A_ONLY, OWNER_A_ONLY),
    "evaluations:decision_close": ("decision", COORDINATOR, COORDINATOR),
}

PRINT = os.environ.get("MATRIX_PRINT") == "1"


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join(filter(None, [namespace, pattern.name]))


def url_names():
    return sorted(set(_walk(get_resolver().url_patterns)))


def test_every_url_pattern_is_in_the_matrix():
    missing = [name for name in url_names() if name not in EXPECTED]
    stale = [name for name in EXPECTED if name not in url_names()]
    assert not missing, f"add these URL names to the access matrix: {missing}"
    assert not stale, f"these matrix rows name no URL: {stale}"


@pytest.fixture
def world(admin, coordinator, other_coordinator, partner_a, partner_b, partner_c, outsider,
          partnership, other_partnership, membership_a, membership_b, membership_c, org_a):
    """Objects of partnership P (org A and org B, run by ``coordinator``) that each URL points at."""
    submitted = f.ContributionReportFactory(membership=membership_a, status=ContributionReport.Status.SUBMITTED,
                                            submitted_at=timezone.now())
    draft = f.ContributionReportFactory(membership=membership_a)
    returned = f.ContributionReportFactory(membership=membership_a, status=ContributionReport.Status.RETURNED,
                                           return_reason="Kurang bukti.")
    attachment = Attachment(report=draft, original_name="a.pdf", content_type="application/pdf", size=8)
    attachment.file.save("ignored", ContentFile(b"%PDF-1.4"), save=True)
    goal = f.SharedGoalFactory(partnership=partnership)
    indicator = f.IndicatorFactory(goal=goal)
    open_cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN,
                                          due_date=datetime.date(2099, 1, 1))
    scheduled_cycle = f.EvaluationCycleFactory(partnership=partnership, period_start=datetime.date(2026, 4, 1),
                                               period_end=datetime.date(2026, 6, 30),
                                               due_date=datetime.date(2026, 7, 14))
    action = f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_a)
    decision = f.DecisionFactory(partnership=partnership)
    invitation = Invitation.objects.create(
        email="baru@example.org", organisation=org_a, token_hash=token_hash("matrix-token"),
        invited_by=coordinator, expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    objects = {
        "partnership": partnership, "membership": membership_a, "submitted": submitted, "draft": draft,
        "returned": returned, "attachment": attachment, "goal": goal, "indicator": indicator,
        "open_cycle": open_cycle, "scheduled_cycle": scheduled_cycle, "action": action, "decision": decision,
        "invitation": invitation,
    }
    users = {
        "admin": admin, "coordinator": coordinator, "other_coordinator": other_coordinator,
        "partner_a": partner_a, "partner_b": partner_b, "partner_c": partner_c, "outsider": outsider,
        "anonymous": None,
    }
    return objects, users


def kwargs_for(key, objects):
    if key is None:
        return {}
    if key == "reset":
        return {"uidb64": "MQ", "token": "set-password"}
    if key == "token":
        return {"token": "matrix-token"}
    if key == "cycle_member":
        return {"pk": objects["open_cycle"].pk, "membership_pk": objects["membership"].pk}
    if key == "decision_member":
        return {"pk": objects["decision"].pk, "membership_pk": objects["membership"].pk}
    if key == "partnership_pk":
        return {"partnership_pk": objects["partnership"].pk}
    return {"pk": objects[key].pk}


def classify(response, login_url):
    code = response.status_code
    if code in (301, 302):
        return "login" if response["Location"].split("?")[0].endswith(login_url) else "ok"
    if code in (200, 201, 204):
        return "ok"
    return str(code)


def answers_for(client, name, key, objects, users, method):
    url = reverse(name, kwargs=kwargs_for(key, objects))
    login_url = reverse("accounts:login")
    got = {}
    for role in ROLES:
        client.logout()
        client.cookies.clear()
        if users[role] is not None:
            client.force_login(users[role])
        # Each request runs in a savepoint that is rolled back, so a POST by one role
        # (a deletion, a submission) does not change the world the next role sees.
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, {})
            transaction.set_rollback(True)
        got[role] = classify(response, login_url)
    return got


@pytest.mark.parametrize("name", url_names())
def test_access_matrix(client, world, name):
    objects, users = world
    key, expected_get, expected_post = EXPECTED[name]
    for method, expected in (("GET", expected_get), ("POST", expected_post)):
        got = answers_for(client, name, key, objects, users, method)
        if PRINT:
            print(f"\nMATRIX {name} {method} {got}")
        assert got == expected, f"{method} {name}"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_admin_site_is_for_staff_only(client, world, role):
    """Every admin page (the index and each model's list) sends non-staff roles to the admin sign-in."""
    from django.contrib import admin

    _, users = world
    if users[role] is not None:
        client.force_login(users[role])
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"], url


def test_admin_site_opens_for_the_admin(client, world):
    from django.contrib import admin

    _, users = world
    client.force_login(users["admin"])
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_a_coordinator_who_added_a_foreign_organisation_opens_nothing_of_its_partnership(client, world):
    """Issue 19 F1 in the matrix: ``other_coordinator`` adds org A (a member of P only) to their own
    partnership by its exact name and tries to become its representative: refused when inviting,
    refused again when an invitation link is used; afterwards every page of P answers them
    exactly as before."""
    objects, users = world
    attacker = users["other_coordinator"]
    org_a = objects["membership"].organisation
    other_partnership = attacker.coordinated_partnerships.get()
    client.force_login(attacker)
    from tests.partners.test_coordinator_pages import _member_data

    added = client.post(reverse("partners:membership_add", args=[other_partnership.pk]),
                        _member_data(organisation_name=org_a.name))
    assert added.status_code == 302
    invited = client.post(reverse("accounts:invitation_create"),
                          {"email": attacker.email, "organisation": org_a.pk, "language": "id"})
    assert invited.status_code == 200 and invited.context["form"].errors["organisation"]
    Invitation.objects.create(  # as if a link had been made before org A joined their partnership
        email=attacker.email, organisation=org_a, token_hash=token_hash("attacker-token"), invited_by=attacker,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    accepted = client.post(reverse("accounts:invitation_accept", args=["attacker-token"]), {})
    assert accepted.status_code == 410
    assert not org_a.representatives.filter(pk=attacker.pk).exists()
    for name in url_names():
        key, expected_get, expected_post = EXPECTED[name]
        if key in (None, "reset", "token", "invitation"):
            continue
        url = reverse(name, kwargs=kwargs_for(key, objects))
        with transaction.atomic():
            got = {"GET": classify(client.get(url), reverse("accounts:login"))}
            transaction.set_rollback(True)
        assert got["GET"] == expected_get["other_coordinator"], name
