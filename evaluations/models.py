from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kemitraan.transitions import Workflow
from partners.deadlines import period_label
from partners.models import Membership, Organisation, Partnership, TimeStampedModel


class Principle(models.TextChoices):
    """The seed's six principles of a community partnership, scored in every evaluation."""

    SHARED_GOALS = "shared_goals", _("Shared goals")
    MUTUAL_BENEFIT = "mutual_benefit", _("Mutual benefit")
    LONG_TERM_COMMITMENT = "long_term_commitment", _("Long-term commitment")
    SHARED_LEADERSHIP = "shared_leadership", _("Shared leadership")
    ACCOUNTABILITY = "accountability", _("Accountability")
    CONTINUOUS_EVALUATION = "continuous_evaluation", _("Continuous evaluation")


PRINCIPLE_GUIDANCE = {
    Principle.SHARED_GOALS: _(
        "All partners understand the problem being addressed and the goals to be reached."
    ),
    Principle.MUTUAL_BENEFIT: _("Every partner gains from the partnership, directly or indirectly."),
    Principle.LONG_TERM_COMMITMENT: _(
        "Partners keep their commitments over time, so the results last."
    ),
    Principle.SHARED_LEADERSHIP: _("Every partner has a voice in decisions and in running the partnership."),
    Principle.ACCOUNTABILITY: _("Partners are answerable for their contributions and results."),
    Principle.CONTINUOUS_EVALUATION: _(
        "The partnership is reviewed regularly and adjusts to reach its goals."
    ),
}

SCORE_FIELDS = {principle: f"score_{principle.value}" for principle in Principle}


def _score_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class EvaluationCycle(TimeStampedModel):
    """One periodic review of a partnership, answered once by every member organisation."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    # scheduled → open (not once its due date has passed: ``is_past_due``) → closed (final)
    WORKFLOW = Workflow(
        Status,
        {Status.SCHEDULED: (Status.OPEN,), Status.OPEN: (Status.CLOSED,), Status.CLOSED: ()},
        initial=(Status.SCHEDULED, Status.OPEN),
    )

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="evaluation_cycles", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")
        ordering = ["partnership", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period_start"],
                name="cycle_one_per_partnership_period",
                violation_error_message=_("This partnership already has a cycle for this period."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="cycle_period_end_not_before_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("period_start")),
                name="cycle_due_not_before_start",
                violation_error_message=_("The due date cannot be before the period starts."),
            ),
        ]

    def __str__(self):
        return f"{self.partnership} · {self.period_label}"

    def get_absolute_url(self):
        return reverse("evaluations:cycle_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    def is_past_due(self, day) -> bool:
        """Tell whether the due date is before ``day``: such a cycle is not opened any more (by hand or by the daily job)."""
        return self.due_date < day

    @property
    def period_label(self):
        """Name the period in the active language: "Q2 2026", "H1 2026", "2026", or the two dates (``partners.deadlines``)."""
        return self.title or period_label(self.period_start, self.period_end)


class EvaluationResponse(TimeStampedModel):
    """A member organisation's answer to one evaluation cycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    # draft → submitted; only someone who may change answers in the admin sends one back to draft
    WORKFLOW = Workflow(
        Status,
        {Status.DRAFT: (Status.SUBMITTED,), Status.SUBMITTED: (Status.DRAFT,)},
        permissions={(Status.SUBMITTED, Status.DRAFT): "evaluations.change_evaluationresponse"},
        initial=(Status.DRAFT,),
    )

    cycle = models.ForeignKey(
        EvaluationCycle, on_delete=models.CASCADE, related_name="responses", verbose_name=_("cycle")
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="evaluation_responses", verbose_name=_("member")
    )
    score_shared_goals = _score_field(_("shared goals"))
    score_mutual_benefit = _score_field(_("mutual benefit"))
    score_long_term_commitment = _score_field(_("long-term commitment"))
    score_shared_leadership = _score_field(_("shared leadership"))
    score_accountability = _score_field(_("accountability"))
    score_continuous_evaluation = _score_field(_("continuous evaluation"))
    benefit_received = models.TextField(_("benefit received"), blank=True)
    what_works = models.TextField(_("what works"), blank=True)
    what_to_change = models.TextField(_("what should change"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")
        ordering = ["cycle", "membership"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "membership"],
                name="response_one_per_member_cycle",
                violation_error_message=_("This member has already answered this cycle."),
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"response_{field}_1_to_5",
                    violation_error_message=_("Scores run from 1 to 5."),
                )
                for field in SCORE_FIELDS.values()
            ],
            models.CheckConstraint(
                condition=~Q(status="submitted")
                | Q(**{f"{field}__isnull": False for field in SCORE_FIELDS.values()}),
                name="response_submitted_has_all_scores",
                violation_error_message=_("A submitted answer needs a score for every principle."),
            ),
        ]

    def __str__(self):
        return f"{self.membership.organisation} · {self.cycle}"

    def get_absolute_url(self):
        return reverse("evaluations:cycle_respond", args=[self.cycle_id, self.membership_id])

    @property
    def is_editable(self):
        """A draft can still change; a submitted answer is read-only."""
        return self.status == self.Status.DRAFT

    def scores(self):
        """Return {principle: score} for the principles answered so far."""
        return {p: getattr(self, f) for p, f in SCORE_FIELDS.items() if getattr(self, f) is not None}


class Finding(TimeStampedModel):
    """Something the coordinator learnt from an evaluation cycle."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="findings", verbose_name=_("cycle"))
    principle = models.CharField(_("principle"), max_length=30, choices=Principle.choices, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["cycle", "id"]

    def __str__(self):
        return self.title


class FollowUpAction(TimeStampedModel):
    """A task that comes from a finding, owned by one member organisation."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    # Any status may become any other: an action is reopened when its work turns out unfinished.
    WORKFLOW = Workflow(
        Status,
        {
            Status.OPEN: (Status.IN_PROGRESS, Status.DONE, Status.CANCELLED),
            Status.IN_PROGRESS: (Status.OPEN, Status.DONE, Status.CANCELLED),
            Status.DONE: (Status.OPEN, Status.IN_PROGRESS, Status.CANCELLED),
            Status.CANCELLED: (Status.OPEN, Status.IN_PROGRESS, Status.DONE),
        },
        initial=(Status.OPEN,),
    )

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="follow_up_actions", verbose_name=_("partnership")
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions", verbose_name=_("finding")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="follow_up_actions", verbose_name=_("owner organisation")
    )
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_date", "id"]
        # open actions of a partnership (dashboard counts)
        indexes = [models.Index(fields=["partnership", "status", "due_date"], name="action_partnership_status")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evaluations:action_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class Decision(TimeStampedModel):
    """A proposal that every member organisation of a partnership votes on."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for votes")
        CLOSED = "closed", _("Closed")

    WORKFLOW = Workflow(Status, {Status.OPEN: (Status.CLOSED,), Status.CLOSED: ()}, initial=(Status.OPEN,))

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        TIED = "tied", _("Tied")
        NO_VOTES = "no_votes", _("No votes")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("proposal"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("proposing organisation"),
    )
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-closes_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", outcome="pending") | (Q(status="closed") & ~Q(outcome="pending")),
                name="decision_outcome_set_when_closed",
                violation_error_message=_("An open decision has no outcome yet; a closed one has one."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evaluations:decision_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class Vote(TimeStampedModel):
    """One member organisation's vote on a decision, cast by its representative."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        ABSTAIN = "abstain", _("Abstain")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes", verbose_name=_("decision"))
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="votes", verbose_name=_("member"))
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)
    comment = models.TextField(_("comment"), blank=True)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("cast by"),
    )
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["decision", "membership"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "membership"],
                name="vote_one_per_member_decision",
                violation_error_message=_("This member has already voted on this decision."),
            ),
        ]

    def __str__(self):
        return f"{self.membership.organisation}: {self.get_choice_display()}"


class ReminderKind(models.TextChoices):
    REPORT_DUE = "report_due", _("Contribution report due")
    REPORT_OVERDUE = "report_overdue", _("Contribution report overdue")
    EVALUATION_DUE = "evaluation_due", _("Evaluation due")
    EVALUATION_OVERDUE = "evaluation_overdue", _("Evaluation overdue")
    ACTION_DUE = "action_due", _("Follow-up action due")
    ACTION_OVERDUE = "action_overdue", _("Follow-up action overdue")
    COMMITMENT_ENDING = "commitment_ending", _("Commitment ending")
    REVIEW_DIGEST = "review_digest", _("Reports waiting for review")


class ReminderRule(models.Model):
    """When a kind of reminder is sent, in days relative to its due date (editable in admin)."""

    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices, unique=True)
    days = models.SmallIntegerField(
        _("days"),
        help_text=_("Days before the due date (for 'due' reminders) or after it (for 'overdue' reminders)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=0), name="reminder_rule_days_not_negative",
                                   violation_error_message=_("Days cannot be negative.")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.days})"


class ReminderLog(models.Model):
    """Every reminder claimed for sending; its unique key makes each go out exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("object type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    period = models.CharField(_("period"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder log")
        verbose_name_plural = _("reminder logs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "content_type", "object_id", "period"],
                name="reminder_once_per_recipient_kind_object_period",
                violation_error_message=_("This reminder has already been logged."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.period})"
