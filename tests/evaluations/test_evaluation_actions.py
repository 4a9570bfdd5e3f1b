"""Findings and follow-up actions: the coordinator records them, the owner organisation updates them."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import EvaluationCycle, Finding, FollowUpAction
from evaluations.services import action_create, action_set_status
from partners.services import TransitionError
from tests import factories as f

FAR = datetime.date(2099, 6, 30)


@pytest.fixture
def cycle(partnership):
    return f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.CLOSED)


@pytest.fixture
def action_a(partnership, cycle, org_a, membership_a):
    finding = f.FindingFactory(cycle=cycle, title="Rapat jarang")
    return f.FollowUpActionFactory(partnership=partnership, finding=finding, owner_organisation=org_a, due_date=FAR)


def test_coordinator_records_a_finding_on_a_cycle(client, coordinator, cycle):
    client.force_login(coordinator)
    url = reverse("evaluations:finding_create", args=[cycle.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Kepemimpinan belum merata", "principle": "shared_leadership",
                                 "description": "Dua mitra jarang diajak memutuskan."})
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.cycle, finding.created_by, finding.principle) == (cycle, coordinator, "shared_leadership")


@pytest.mark.parametrize("who", ["partner_a", "other_coordinator", "outsider"])
def test_only_the_coordinator_records_findings(request, client, cycle, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluations:finding_create", args=[cycle.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x"}).status_code == 404
    assert not Finding.objects.exists()


def test_coordinator_creates_an_action_from_a_finding(client, coordinator, partnership, cycle, org_a, membership_a):
    finding = f.FindingFactory(cycle=cycle)
    client.force_login(coordinator)
    url = reverse("evaluations:action_create", kwargs={"partnership_pk": partnership.pk})
    page = client.get(url, {"finding": finding.pk})
    assert page.context["form"].initial["finding"] == finding.pk
    response = client.post(url, {"title": "Jadwalkan rapat bulanan", "description": "",
                                 "owner_organisation": org_a.pk, "due_date": "2099-01-31", "finding": finding.pk})
    action = FollowUpAction.objects.get()
    assert response.status_code == 302 and response.url == action.get_absolute_url()
    assert (action.partnership, action.finding, action.owner_organisation, action.status) == (
        partnership, finding, org_a, "open")


def test_action_owner_must_be_a_member_of_the_partnership(partnership, org_c, membership_c):
    with pytest.raises(ValidationError) as error:
        action_create(partnership=partnership, user=None, title="x", owner_organisation=org_c, due_date=FAR)
    assert "owner_organisation" in error.value.error_dict


def test_action_owner_choice_lists_current_members_only(client, coordinator, partnership, org_a, org_b, org_c,
                                                        membership_a, membership_b, membership_c):
    membership_b.left_on = datetime.date(2026, 2, 1)
    membership_b.save()
    client.force_login(coordinator)
    form = client.get(reverse("evaluations:action_create", kwargs={"partnership_pk": partnership.pk})).context["form"]
    assert list(form.fields["owner_organisation"].queryset) == [org_a]


def test_action_due_date_cannot_be_in_the_past(partnership, org_a, membership_a):
    with pytest.raises(ValidationError):
        action_create(partnership=partnership, user=None, title="x", owner_organisation=org_a,
                      due_date=datetime.date(2026, 1, 1), today=datetime.date(2026, 5, 1))


def test_finding_of_another_partnership_is_refused(partnership, other_partnership, org_a, membership_a):
    stranger = f.FindingFactory(cycle=f.EvaluationCycleFactory(partnership=other_partnership))
    with pytest.raises(ValidationError):
        action_create(partnership=partnership, user=None, title="x", owner_organisation=org_a, due_date=FAR,
                      finding=stranger)


def test_owner_representative_moves_the_action_through_its_statuses(client, partner_a, action_a):
    client.force_login(partner_a)
    url = reverse("evaluations:action_status", args=[action_a.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"status": "in_progress"})
    action_a.refresh_from_db()
    assert action_a.status == "in_progress" and action_a.completed_at is None
    client.post(url, {"status": "done"})
    action_a.refresh_from_db()
    assert action_a.status == "done" and action_a.completed_at is not None
    client.post(url, {"status": "open"})  # reopened: the completion time is cleared
    action_a.refresh_from_db()
    assert action_a.status == "open" and action_a.completed_at is None
    assert action_a.history.count() == 4


def test_setting_the_same_status_again_is_refused(action_a):
    with pytest.raises(TransitionError):
        action_set_status(action=action_a, user=None, status="open")


@pytest.mark.parametrize("who", ["partner_b", "partner_c", "other_coordinator", "outsider"])
def test_only_the_owner_or_coordinator_updates_an_action(request, client, action_a, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluations:action_status", args=[action_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "done"}).status_code == 404
    action_a.refresh_from_db()
    assert action_a.status == "open"


def test_coordinator_may_update_and_edit_an_action(client, coordinator, action_a, org_b, membership_b):
    client.force_login(coordinator)
    client.post(reverse("evaluations:action_status", args=[action_a.pk]), {"status": "cancelled"})
    action_a.refresh_from_db()
    assert action_a.status == "cancelled"
    response = client.post(reverse("evaluations:action_update", args=[action_a.pk]), {
        "title": "Judul baru", "description": "", "owner_organisation": org_b.pk, "due_date": "2099-02-01",
        "finding": action_a.finding_id})
    assert response.status_code == 302
    action_a.refresh_from_db()
    assert (action_a.title, action_a.owner_organisation) == ("Judul baru", org_b)


@pytest.mark.parametrize("who", ["partner_a", "other_coordinator"])
def test_only_the_coordinator_edits_an_action(request, client, action_a, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluations:action_update", args=[action_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x"}).status_code == 404


def test_partner_of_the_partnership_sees_actions_but_other_partners_do_not(client, partner_b, partner_c, action_a):
    client.force_login(partner_b)
    assert client.get(reverse("evaluations:action_detail", args=[action_a.pk])).status_code == 200
    listing = client.get(reverse("evaluations:partnership_actions", kwargs={"partnership_pk": action_a.partnership_id}))
    assert list(listing.context["page"].object_list) == [action_a]
    client.force_login(partner_c)
    assert client.get(reverse("evaluations:action_detail", args=[action_a.pk])).status_code == 404
    assert client.get(reverse("evaluations:partnership_actions",
                              kwargs={"partnership_pk": action_a.partnership_id})).status_code == 404


def test_my_actions_lists_the_actions_my_organisations_own(client, partner_a, partner_b, action_a, partnership, org_b):
    other = f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=FAR)
    client.force_login(partner_a)
    assert list(client.get(reverse("evaluations:my_actions")).context["page"].object_list) == [action_a]
    client.force_login(partner_b)
    assert list(client.get(reverse("evaluations:my_actions")).context["page"].object_list) == [other]


def test_action_lists_filter_by_status(client, partner_a, action_a, partnership, org_a):
    done = f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_a, due_date=FAR, status="done")
    client.force_login(partner_a)
    url = reverse("evaluations:my_actions")
    assert list(client.get(url, {"status": "open"}).context["page"].object_list) == [action_a]
    assert list(client.get(url, {"status": "done"}).context["page"].object_list) == [done]
    assert len(client.get(url).context["page"].object_list) == 2


def test_partners_see_findings_of_a_closed_cycle_only(client, partner_a, partnership, action_a):
    open_cycle = f.EvaluationCycleFactory(partnership=partnership, period_start=datetime.date(2026, 4, 1),
                                          period_end=datetime.date(2026, 6, 30), due_date=datetime.date(2026, 7, 14),
                                          status=EvaluationCycle.Status.OPEN)
    f.FindingFactory(cycle=open_cycle, title="BELUM-FINAL")
    client.force_login(partner_a)
    closed_page = client.get(reverse("evaluations:cycle_detail", args=[action_a.finding.cycle_id]))
    assert "Rapat jarang" in closed_page.content.decode()
    open_page = client.get(reverse("evaluations:cycle_detail", args=[open_cycle.pk]))
    assert "BELUM-FINAL" not in open_page.content.decode()


# --- who must act on an action: the owner's representatives while it is a current member ----------

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
RUN_DAY = datetime.date(2026, 6, 10)


def _acting_on(client, user, day=RUN_DAY):
    """What ``user`` is told to act on on ``day``: (home page titles, "my actions" titles, reminder mails)."""
    import time_machine
    from django.core import mail

    from evaluations.reminders import send_due_reminders

    with time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=JAKARTA), tick=False):
        client.force_login(user)
        home = client.get(reverse("workspace:partner_home"))
        mine = client.get(reverse("evaluations:my_actions"))
        send_due_reminders(today=day)
    deadlines = home.context["overdue"] + home.context["upcoming"]
    return (
        [d.title for d in deadlines if d.kind == "action"],
        [a.title for a in mine.context["page"].object_list],
        [m for m in mail.outbox if user.email in m.to and "Perbaikan" in m.subject],
    )


@pytest.fixture
def action_due_soon(partnership, org_a):
    # due two days after the run day: on the home page ("due soon") and in the action_due window (3 days)
    return f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_a, title="Perbaikan jadwal",
                                   due_date=RUN_DAY + datetime.timedelta(days=2))


def test_current_member_sees_its_action_and_is_reminded(client, partner_a, action_due_soon):
    home, mine, mails = _acting_on(client, partner_a)
    assert home == ["Perbaikan jadwal"] and mine == ["Perbaikan jadwal"]
    assert len(mails) == 1


def test_removed_member_no_longer_sees_its_action_nor_is_reminded(client, partner_a, membership_a, action_due_soon):
    membership_a.delete()  # the coordinator removed the organisation from the partnership
    home, mine, mails = _acting_on(client, partner_a)
    assert (home, mine, mails) == ([], [], [])


@pytest.mark.parametrize(("left", "acts"), [
    (+1, True),  # leaves tomorrow: still a member today
    (0, True),  # leaves today: a member to the end of its leaving day (as Membership.is_active)
    (-1, False),  # left yesterday: no longer a member
])
def test_member_acts_on_its_action_up_to_its_leaving_day(client, partner_a, membership_a, action_due_soon, left, acts):
    membership_a.left_on = RUN_DAY + datetime.timedelta(days=left)
    membership_a.save()
    home, mine, mails = _acting_on(client, partner_a)
    expected = ["Perbaikan jadwal"] if acts else []
    assert (home, mine, len(mails)) == (expected, expected, len(expected))


def test_left_member_keeps_no_finished_actions_on_my_actions_either(client, partner_a, membership_a, partnership, org_a):
    f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_a, title="Selesai", status="done",
                            due_date=RUN_DAY)
    membership_a.left_on = RUN_DAY - datetime.timedelta(days=1)
    membership_a.save()
    _home, mine, _mails = _acting_on(client, partner_a)
    assert mine == []


def test_action_rule_is_one_selector_for_people_and_for_the_reminder_job(partner_a, partner_b, membership_b,
                                                                           action_due_soon, partnership, org_b):
    from evaluations.access import actions_awaiting_their_owners, actions_to_act_on

    theirs = f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=RUN_DAY)
    membership_b.left_on = RUN_DAY - datetime.timedelta(days=1)
    membership_b.save()
    assert list(actions_to_act_on(partner_a, today=RUN_DAY)) == [action_due_soon]
    assert list(actions_to_act_on(partner_b, today=RUN_DAY)) == []
    # without a person: every action someone must act on (the reminder job mails the owner's representatives)
    assert list(actions_awaiting_their_owners(RUN_DAY)) == [action_due_soon]
    assert theirs not in actions_awaiting_their_owners(RUN_DAY)
