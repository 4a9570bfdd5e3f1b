import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kemitraan.transitions import Workflow

MONEY = {"max_digits": 18, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 2}
MEASURE = {"max_digits": 16, "decimal_places": 4}


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")

    @classmethod
    def months(cls, value):
        return {cls.MONTHLY: 1, cls.QUARTERLY: 3, cls.HALF_YEARLY: 6, cls.YEARLY: 12}[value]


class ContributionKind(models.TextChoices):
    FUNDS = "funds", _("Funds (rupiah)")
    IN_KIND = "in_kind", _("In-kind goods")
    VOLUNTEER_HOURS = "volunteer_hours", _("Volunteer hours")
    EXPERTISE = "expertise", _("Expertise")
    FACILITIES = "facilities", _("Facilities")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStampedModel):
    """A nonprofit, business, government body or other group that can join partnerships."""

    class Sector(models.TextChoices):
        NONPROFIT = "nonprofit", _("Nonprofit")
        BUSINESS = "business", _("Business")
        GOVERNMENT = "government", _("Government")
        EDUCATION = "education", _("Education")
        HEALTH = "health", _("Health")
        ACADEMIC = "academic", _("Academic")
        COMMUNITY = "community", _("Community group")

    name = models.CharField(_("name"), max_length=200, unique=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, db_index=True)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="organisations",
        blank=True,
        verbose_name=_("representatives"),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnershipQuerySet(models.QuerySet):
    def touch(self) -> int:
        """Give these partnerships a new ``cache_token``: their cached page fragments are not served again."""
        return self.update(cache_token=uuid.uuid4())


class Partnership(TimeStampedModel):
    """A long-term collaboration of organisations around one social problem."""

    class Type(models.TextChoices):
        SERVICE = "service", _("Service")
        ADVOCACY = "advocacy", _("Advocacy")
        RESEARCH = "research", _("Research")
        CAPACITY_BUILDING = "capacity_building", _("Capacity building")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")

    class EvaluationFrequency(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Half-yearly")
        YEARLY = "yearly", _("Yearly")

    # A partnership starts as a draft (or at once active), runs, may pause and resume, and ends.
    # Ending is final for its coordinators; an admin (the ``reopen_partnership`` permission,
    # which superusers have) may reopen one ended by mistake. Pausing, ending and reopening
    # need a reason (``needs_status_reason``), kept in ``status_reason`` and its history.
    WORKFLOW = Workflow(
        Status,
        {
            Status.DRAFT: (Status.ACTIVE,),
            Status.ACTIVE: (Status.PAUSED, Status.COMPLETED),
            Status.PAUSED: (Status.ACTIVE, Status.COMPLETED),
            Status.COMPLETED: (Status.ACTIVE,),
        },
        permissions={(Status.COMPLETED, Status.ACTIVE): "partners.reopen_partnership"},
        initial=(Status.DRAFT, Status.ACTIVE),
    )

    title = models.CharField(_("title"), max_length=200)
    problem_statement = models.TextField(_("problem addressed"))
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.TextField(
        _("reason for the status"), blank=True,
        help_text=_("Why the partnership was paused, ended or reopened (kept with the change in its history)."),
    )
    start_date = models.DateField(_("start date"))
    planned_end_date = models.DateField(_("planned end date"), null=True, blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="coordinated_partnerships",
        blank=True,
        verbose_name=_("coordinators"),
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_partnerships",
        null=True,
        blank=True,
        verbose_name=_("lead (backbone) organisation"),
    )
    evaluation_frequency = models.CharField(
        _("evaluation frequency"),
        max_length=20,
        choices=EvaluationFrequency.choices,
        default=EvaluationFrequency.QUARTERLY,
    )
    # Replaced, in the same transaction, by every change to a record shown on this partnership's
    # pages (partners/signals.py); part of the key of the cached page fragments
    # (kemitraan/fragments.py). Only ``touch()`` writes it: save() leaves it out, so an instance
    # loaded before a change cannot put the old token back.
    cache_token = models.UUIDField(_("cache token"), default=uuid.uuid4, editable=False)
    history = HistoricalRecords(excluded_fields=["cache_token"])

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["title"]
        permissions = [("reopen_partnership", _("Can reopen a completed partnership"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True) | Q(planned_end_date__gte=F("start_date")),
                name="partnership_end_not_before_start",
                violation_error_message=_("The planned end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding and not kwargs.get("force_insert") and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "cache_token"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("workspace:partnership_detail", args=[self.pk])

    def needs_status_reason(self, to: str) -> bool:
        """Tell whether moving to ``to`` needs a reason: pausing, ending, and reopening an ended partnership."""
        return to in (self.Status.PAUSED, self.Status.COMPLETED) or self.status == self.Status.COMPLETED


class Membership(TimeStampedModel):
    """An organisation's place in a partnership, with its commitment and expectations."""

    class Role(models.TextChoices):
        BACKBONE = "backbone", _("Backbone (lead)")
        MEMBER = "member", _("Member")
        FUNDER = "funder", _("Funder")
        ADVISOR = "advisor", _("Advisor")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("partnership")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    commitment_statement = models.TextField(_("commitment statement"), blank=True)
    commitment_start = models.DateField(_("commitment start"), null=True, blank=True)
    commitment_end = models.DateField(_("commitment end"), null=True, blank=True, db_index=True)
    expected_benefits = models.TextField(_("expected benefits"), blank=True)
    reporting_frequency = models.CharField(
        _("reporting frequency"), max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["partnership", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"],
                name="membership_one_per_organisation",
                violation_error_message=_("This organisation is already a member of this partnership."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_not_before_joined",
                violation_error_message=_("The leaving date cannot be before the joining date."),
            ),
            models.CheckConstraint(
                condition=Q(commitment_end__isnull=True)
                | Q(commitment_start__isnull=True)
                | Q(commitment_end__gte=F("commitment_start")),
                name="membership_commitment_end_not_before_start",
                violation_error_message=_("The commitment cannot end before it starts."),
            ),
        ]
        indexes = [
            # The member ids of a set of partnerships (a coordinator's), read from the index alone:
            # the report counts of the dashboard, the review queue and the report list join the
            # reports through them; without it PostgreSQL read the whole membership table instead.
            models.Index(fields=["partnership", "id"], name="membership_partnership_ids"),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.partnership}"

    def is_current_on(self, day) -> bool:
        """Tell whether the organisation is a member on ``day``: joined on or before it, and a member up to
        and including its leaving day (the same rule as ``partners.access.current_on``)."""
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)

    @property
    def is_active(self):
        return self.is_current_on(timezone.localdate())


class Pledge(models.Model):
    """A contribution a member promises as part of its commitment."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("membership")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), default=Decimal("0"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    value = models.DecimalField(_("value (Rp)"), default=Decimal("0"), **MONEY)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="pledge_quantity_not_negative",
                                   violation_error_message=_("The quantity cannot be negative.")),
            models.CheckConstraint(condition=Q(value__gte=0), name="pledge_value_not_negative",
                                   violation_error_message=_("The value cannot be negative.")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class SharedGoal(TimeStampedModel):
    """A goal that all members of a partnership work towards."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="goals", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("shared goal")
        verbose_name_plural = _("shared goals")
        ordering = ["partnership", "order", "id"]

    def __str__(self):
        return self.title


class Indicator(TimeStampedModel):
    """A measurable sign of progress towards a shared goal."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")

    goal = models.ForeignKey(SharedGoal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal"))
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    baseline = models.DecimalField(_("baseline"), **MEASURE)
    target = models.DecimalField(_("target"), **MEASURE)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["goal", "id"]

    def __str__(self):
        return f"{self.name} ({self.unit})"

    def progress(self, value):
        """Return the share of the way from baseline to target reached by ``value`` (0-1, clamped)."""
        if value is None or self.target == self.baseline:
            return None
        share = (Decimal(value) - self.baseline) / (self.target - self.baseline)
        return max(Decimal("0"), min(Decimal("1"), share))


class IndicatorValue(TimeStampedModel):
    """A value of an indicator reported by a member for one period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator"))
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="indicator_values", verbose_name=_("reported by member")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), **MEASURE)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reported by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "membership", "period_start"],
                name="indicator_value_one_per_member_period",
                violation_error_message=_("A value for this indicator and period was already reported."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="indicator_value_period_end_not_before_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period_start"], name="indval_indicator_period"),
            # the latest value of each indicator (dashboard, goal progress)
            models.Index(fields=["indicator", "-period_end", "-id"], name="indval_indicator_latest"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.period_start})"


class ContributionReport(TimeStampedModel):
    """A member's report of what it contributed during one period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    # draft → submitted → accepted (final) or returned (with the reviewer's reason) → submitted again
    WORKFLOW = Workflow(
        Status,
        {
            Status.DRAFT: (Status.SUBMITTED,),
            Status.SUBMITTED: (Status.ACCEPTED, Status.RETURNED),
            Status.ACCEPTED: (),
            Status.RETURNED: (Status.SUBMITTED,),
        },
        initial=(Status.DRAFT,),
    )
    # A partner may change (and add files to) a report only in these; only a draft may be deleted.
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="reports", verbose_name=_("member")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind.choices)
    quantity = models.DecimalField(_("quantity"), default=Decimal("0"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    value = models.DecimalField(_("value (Rp)"), default=Decimal("0"), **MONEY)
    description = models.TextField(_("description"))
    goals = models.ManyToManyField(SharedGoal, related_name="reports", blank=True, verbose_name=_("goals supported"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("contribution report")
        verbose_name_plural = _("contribution reports")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="report_quantity_not_negative",
                                   violation_error_message=_("The quantity cannot be negative.")),
            models.CheckConstraint(condition=Q(value__gte=0), name="report_value_not_negative",
                                   violation_error_message=_("The value cannot be negative.")),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_period_end_not_before_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="report_returned_has_reason",
                violation_error_message=_("A returned report needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["membership", "status"], name="report_membership_status"),
            models.Index(fields=["status", "submitted_at"], name="report_status_submitted"),
            models.Index(fields=["membership", "-period_start"], name="report_membership_period"),
            # the report list: filtered on status, sorted by period (newest first), paginated
            models.Index(fields=["status", "-period_start", "-period_end", "-id"], name="report_status_period"),
            models.Index(fields=["-period_start", "-period_end", "-id"], name="report_period"),
        ]

    def __str__(self):
        return f"{self.membership.organisation} · {self.get_kind_display()} · {self.period_start:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("partners:report_detail", args=[self.pk])

    @property
    def is_editable(self):
        """A partner may change a draft or a returned report, never one under review or accepted."""
        return self.status in self.EDITABLE_STATUSES


def attachment_upload_to(instance, filename):
    """Store under a server-made name; the person's file name is kept only in the database."""
    today = timezone.now()
    return f"attachments/{today:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file that supports a contribution report (receipt, photo, attendance list)."""

    report = models.ForeignKey(
        ContributionReport, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class DeadlineSettings(models.Model):
    """The deadlines an admin sets, in one row (the rules that read them: ``partners.deadlines``).

    Read once per request or job through ``partners.deadlines.Deadlines.load``; without a row
    the field defaults apply. The primary key is always 1, so a save writes the one row.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    report_grace_days = models.PositiveSmallIntegerField(
        _("report grace (days)"),
        default=14,
        validators=[MaxValueValidator(366)],
        help_text=_("A contribution report is due this many days after its reporting period ends, "
                    "and overdue from the day after."),
    )
    evaluation_grace_days = models.PositiveSmallIntegerField(
        _("evaluation answer time (days)"),
        default=14,
        validators=[MaxValueValidator(366)],
        help_text=_("A new evaluation cycle is due this many days after its period ends."),
    )
    evaluation_late_days = models.PositiveSmallIntegerField(
        _("late evaluation answers (days)"),
        default=7,
        validators=[MaxValueValidator(366)],
        help_text=_("An open evaluation cycle still takes answers this many days after its due date, then closes. "
                    "Keep it above the days of the 'evaluation overdue' reminder, or that reminder finds no open cycle."),
    )

    class Meta:
        verbose_name = _("deadline settings")
        verbose_name_plural = _("deadline settings")

    def __str__(self):
        return str(_("Deadline settings"))
