"""The one transition helper (kemitraan/transitions.py): each model declares its workflow, and every
move is locked, checked on the row as the database has it, saved with its history, or refused with
one TransitionError naming the current status."""
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from evaluations.models import FollowUpAction, ReminderLog
from kemitraan.transitions import TransitionError, Workflow, require_status, transition
from partners.models import Partnership
from partners.services import TransitionError as TransitionErrorFromServices
from tests import factories as f

pytestmark = pytest.mark.usefixtures("english")

# Status fields that are not a record's workflow: the reminder log's delivery state is claimed by
# the reminder job's conditional UPDATEs (evaluations/reminders), and an invitation's state belongs
# to the accounts services (accepted once, revoked, expired by date).
NOT_WORKFLOWS = {ReminderLog, apps.get_model("accounts", "Invitation")}


def _models_with_a_status():
    for model in apps.get_models():
        if model._meta.app_label in {"partners", "evaluations", "accounts"} and not model.__name__.startswith(
            "Historical"
        ):
            names = {field.name for field in model._meta.get_fields()}
            if "status" in names and model not in NOT_WORKFLOWS:
                yield model


def test_the_error_is_a_validation_error_importable_from_its_old_home():
    assert issubclass(TransitionError, ValidationError)
    assert TransitionErrorFromServices is TransitionError


@pytest.mark.parametrize("model", list(_models_with_a_status()), ids=lambda m: m.__name__)
def test_every_model_with_a_status_declares_a_workflow_of_all_its_statuses(model):
    workflow = model.WORKFLOW
    assert isinstance(workflow, Workflow)
    assert set(workflow.transitions) == set(dict(model._meta.get_field("status").choices))


def test_the_models_with_a_workflow_are_the_six_records():
    assert {m.__name__ for m in _models_with_a_status()} == {
        "Partnership", "ContributionReport", "EvaluationCycle", "EvaluationResponse", "FollowUpAction", "Decision",
    }


def test_a_workflow_names_only_statuses_its_model_has_and_all_of_them():
    Status = Partnership.Status
    with pytest.raises(ValueError):
        Workflow(Status, {Status.DRAFT: ("archived",), Status.ACTIVE: (), Status.PAUSED: (), Status.COMPLETED: ()})
    with pytest.raises(ValueError):
        Workflow(Status, {Status.DRAFT: (Status.ACTIVE,)})


def test_next_statuses_follow_the_declared_moves_and_permissions(admin, coordinator):
    workflow = Partnership.WORKFLOW
    Status = Partnership.Status
    assert workflow.next_statuses(Status.ACTIVE, coordinator) == [Status.PAUSED, Status.COMPLETED]
    assert workflow.next_statuses(Status.COMPLETED, coordinator) == []
    assert workflow.next_statuses(Status.COMPLETED, admin) == [Status.ACTIVE]


def test_a_move_outside_the_workflow_is_refused_naming_the_current_status_and_changes_nothing(partnership, admin):
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.DRAFT)
    partnership.refresh_from_db()
    history = partnership.history.count()
    with pytest.raises(TransitionError) as caught:
        transition(partnership, to=Partnership.Status.PAUSED, user=admin, status_reason="x")
    assert caught.value.code == "invalid_transition"
    assert caught.value.messages == ["The status cannot change from Draft to Paused."]
    partnership.refresh_from_db()
    assert (partnership.status, partnership.status_reason) == (Partnership.Status.DRAFT, "")
    assert partnership.history.count() == history


def test_a_move_to_the_same_status_says_there_is_nothing_to_change(partnership):
    action = f.FollowUpActionFactory(partnership=partnership)
    with pytest.raises(TransitionError) as caught:
        transition(action, to=FollowUpAction.Status.OPEN)
    assert (caught.value.code, caught.value.messages) == (
        "unchanged", ["Nothing to change: the status is already Open."])


def test_a_move_needing_a_permission_is_refused_without_it(partnership, coordinator):
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.COMPLETED)
    with pytest.raises(TransitionError) as caught:
        transition(partnership, to=Partnership.Status.ACTIVE, user=coordinator)
    assert caught.value.code == "not_permitted"
    assert caught.value.messages == ["Only an admin can change the status from Completed to Active."]
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.COMPLETED


def test_the_check_reads_the_row_not_the_callers_stale_copy(partnership, admin):
    stale = Partnership.objects.get(pk=partnership.pk)
    transition(partnership, to=Partnership.Status.COMPLETED, user=admin, status_reason="Selesai.")
    with pytest.raises(TransitionError):
        transition(stale, to=Partnership.Status.PAUSED, user=admin, status_reason="Jeda.")  # still "active" in memory
    assert stale.status == Partnership.Status.COMPLETED  # and the caller now sees the row as it is
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.COMPLETED


def test_a_move_is_saved_with_its_changes_and_its_author_in_the_history(partnership, coordinator):
    returned = transition(partnership, to=Partnership.Status.PAUSED, user=coordinator, status_reason="Dana habis.")
    assert returned is partnership
    row = partnership.history.latest("history_id")
    assert (row.status, row.status_reason, row.history_user) == ("paused", "Dana habis.", coordinator)


def test_the_changes_are_validated_before_anything_is_saved(partnership, admin):
    with pytest.raises(ValidationError) as caught:
        transition(partnership, to=Partnership.Status.PAUSED, user=admin, title="")
    assert "title" in caught.value.message_dict
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.ACTIVE


def test_the_services_guard_runs_on_the_locked_row_before_the_changes(partnership, admin):
    seen = []

    def guard(locked):
        seen.append(locked.status)
        raise ValidationError("no")

    with pytest.raises(ValidationError):
        transition(partnership, to=Partnership.Status.PAUSED, user=admin, on_locked=guard, status_reason="x")
    assert seen == [Partnership.Status.ACTIVE]
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.ACTIVE


def test_a_service_making_only_some_moves_to_a_status_names_its_sources(membership_a):
    from partners.models import ContributionReport

    report = f.ContributionReportFactory(membership=membership_a)
    with pytest.raises(TransitionError) as caught:
        transition(report, to=ContributionReport.Status.SUBMITTED, source=(ContributionReport.Status.RETURNED,),
                   message="Only a returned report: this one is %(status)s.")
    assert caught.value.messages == ["Only a returned report: this one is Draft."]


def test_require_status_refuses_other_statuses_with_the_message(partnership):
    action = f.FollowUpActionFactory(partnership=partnership, status=FollowUpAction.Status.DONE)
    with pytest.raises(TransitionError) as caught:
        require_status(action, (FollowUpAction.Status.OPEN,), message="Not while %(status)s.", code="busy")
    assert (caught.value.code, caught.value.messages) == ("busy", ["Not while Done."])
    assert require_status(action, (FollowUpAction.Status.DONE,), message="x") is action


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite takes no row locks")
def test_the_row_is_read_for_update(partnership, admin):
    with CaptureQueriesContext(connection) as queries:
        transition(partnership, to=Partnership.Status.PAUSED, user=admin, status_reason="Jeda.")
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert "FOR UPDATE" in reads[0] and "partners_partnership" in reads[0]


def test_workflow_is_data_next_to_each_model():
    for model in _models_with_a_status():
        assert isinstance(model.__dict__.get("WORKFLOW"), Workflow), model
        assert issubclass(model.WORKFLOW.statuses, models.TextChoices)


def test_a_change_given_as_a_callable_is_taken_once_the_row_is_locked(partnership, admin):
    order = []

    def reason():
        order.append("change")
        return "Dihitung setelah kunci."

    transition(partnership, to=Partnership.Status.PAUSED, user=admin, on_locked=lambda locked: order.append("locked"),
               status_reason=reason)
    assert order == ["locked", "change"]
    assert Partnership.objects.get(pk=partnership.pk).status_reason == "Dihitung setelah kunci."
