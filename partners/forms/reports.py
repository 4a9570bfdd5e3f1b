"""Forms for partner representative pages: contribution reports, attachments, indicator values."""
import datetime
import functools
import re

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.forms.models import ModelChoiceIterator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kemitraan.forms import DirectFieldCleaningMixin, quick_field_copies
from partners.models import ContributionReport, SharedGoal
from partners.selectors import membership_of_user, membership_pk, memberships_for_user
from partners.services import NOT_YOUR_MEMBER
from partners.uploads import ALLOWED_EXTENSIONS, check_attachment

REPORT_FIELDS = ["period_start", "period_end", "kind", "quantity", "unit", "value", "description"]


# Reporting periods live in this range; a period ending in year 9999 would break the
# "next period" arithmetic of every deadline page.
REPORT_YEARS = (1900, 2200)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IsoDateField(forms.DateField):
    """A date field that reads ``YYYY-MM-DD`` (what a date input sends) before the language's formats.

    Django tries the language's input formats first and ISO last: for Indonesian that was nine
    failing ``strptime`` calls per date (0.2 ms per report form). Anything else goes the usual way.
    """

    def to_python(self, value):
        text = value.strip() if isinstance(value, str) else None
        if text and ISO_DATE.fullmatch(text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass  # 2026-02-30: Django's own parsing gives the message
        return super().to_python(value)


class _PartnershipTaggedMixin:
    """Add ``data-partnership`` to every option so reports.js can show only the matching goals."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-partnership"] = instance.partnership_id
        return option


class MembershipSelect(_PartnershipTaggedMixin, forms.Select):
    pass


class GoalCheckboxes(_PartnershipTaggedMixin, forms.CheckboxSelectMultiple):
    pass


class _ChoicesOfField(ModelChoiceIterator):
    """A field's choices that read its queryset when they are shown, not when they are made."""

    def __init__(self, field):
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset


class _QuerysetOnFirstUseMixin:
    """A model choice field whose queryset is made from a function when first needed.

    The choices are needed to show the form or to check ticked values; a submit that ticks none,
    or whose field checks its value another way, never makes the queryset (building the report
    form's two querysets with their subqueries cost ~1,500 Python calls of every submit).
    """

    iterator = _ChoicesOfField
    queryset_from = None

    def make_queryset_with(self, function) -> None:
        self.queryset_from = function
        self._queryset = None
        self.widget.choices = self.choices

    def _get_queryset(self):
        if self._queryset is None and self.queryset_from is not None:
            self._queryset = self.queryset_from()
        return self._queryset

    queryset = property(_get_queryset, forms.ModelChoiceField._set_queryset)


class MembershipChoiceField(_QuerysetOnFirstUseMixin, forms.ModelChoiceField):
    """The member a report is for: one of the user's own memberships.

    The choices shown come from the queryset; a submitted choice is checked with ``lookup(value)``
    (``selectors.membership_of_user``: one ready-made SELECT of the row, the same rule). With
    ``checked_by_write`` (a new report) the field gives the id alone and the write checks it
    (``services.report_create_for_representative``), unless ``ReportForm.clean`` needs the member's
    partnership for ticked goals.
    """

    default_error_messages = {"invalid_choice": NOT_YOUR_MEMBER}
    lookup = None
    checked_by_write = False

    def label_from_instance(self, obj):
        return f"{obj.organisation.name} — {obj.partnership.title}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        found = membership_pk(value) if self.checked_by_write else self.lookup(value)
        if found is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class GoalChoiceField(_QuerysetOnFirstUseMixin, forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.title

    def clean(self, value):
        # None ticked: an empty list, not ``queryset.none()``, which compiles its SQL each time it is tested.
        if not self.required and value in self.empty_values:
            return []
        return super().clean(value)

    def _check_values(self, value):
        # An id beyond a 64-bit integer is no goal; SQLite would raise OverflowError on the lookup.
        for pk in value:
            text = str(pk).strip()
            if text.lstrip("-").isdecimal() and abs(int(text)) > 2**63 - 1:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def _report_field(name, **kwargs):
    """The form field Django makes for the report's model field ``name`` (label, help text, limits)."""
    return ContributionReport._meta.get_field(name).formfield(**kwargs)


def _amount_field(name, **kwargs):
    return _report_field(
        name, widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        validators=[MinValueValidator(0, message=_("The amount cannot be negative."))], **kwargs,
    )


@quick_field_copies
class ReportForm(DirectFieldCleaningMixin, forms.Form):
    """Create or change a contribution report of one of the user's own memberships.

    A plain form with the model's own fields (``_report_field``), not a ModelForm: the report
    services write the report, so the form needs no instance of its own (a ModelForm builds one,
    reads it into its initial values and validates it again, ~150 Python calls of every submit).
    For a change, ``instance`` gives the initial values and keeps the membership.
    """

    membership = MembershipChoiceField(
        queryset=None, label=_("Member (organisation — partnership)"), widget=MembershipSelect,
    )
    period_start = _report_field("period_start", form_class=IsoDateField, widget=DateInput)
    period_end = _report_field("period_end", form_class=IsoDateField, widget=DateInput)
    kind = _report_field("kind")
    quantity = _amount_field("quantity")
    unit = _report_field("unit", help_text=_("For example: package, hour, person, room."))
    value = _amount_field(
        "value", help_text=_("Value in rupiah, without dots or commas for thousands (e.g. 1250000)."),
    )
    description = _report_field("description", widget=forms.Textarea(attrs={"rows": 4}))
    goals = GoalChoiceField(
        queryset=None, required=False, label=_("Goals supported"), widget=GoalCheckboxes,
        help_text=_("Only the goals of the chosen partnership can be ticked."),
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None:
            kwargs["initial"] = {
                "membership": instance.membership_id, "goals": list(instance.goals.all()),
                **{name: getattr(instance, name) for name in REPORT_FIELDS}, **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        membership = self.fields["membership"]
        kept = instance.membership_id if instance is not None else None
        if kept:
            membership.disabled = True  # a report stays with the member that wrote it

        def memberships():
            shown = memberships_for_user(user).order_by("partnership__title", "organisation__name")
            return shown.filter(pk=kept) if kept else shown

        membership.make_queryset_with(memberships)
        membership.lookup = functools.partial(membership_of_user, user)
        membership.checked_by_write = instance is None
        self.fields["goals"].make_queryset_with(lambda: SharedGoal.objects.filter(
            partnership__in=membership.queryset.order_by().values("partnership_id")
        ).order_by("partnership__title", "order", "id"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        for name in ("period_start", "period_end"):
            day = cleaned.get(name)
            if day and not (REPORT_YEARS[0] <= day.year <= REPORT_YEARS[1]):
                self.add_error(name, _("Choose a date between %(first)s and %(last)s.")
                               % {"first": REPORT_YEARS[0], "last": REPORT_YEARS[1]})
        membership = cleaned.get("membership")
        goals = cleaned.get("goals") or []
        if goals and isinstance(membership, int):  # a new report's member id: the goals need its partnership
            membership = cleaned["membership"] = self.fields["membership"].lookup(membership)
            if membership is None:
                self.add_error("membership", forms.ValidationError(NOT_YOUR_MEMBER, code="invalid_choice"))
        if membership is not None and goals:
            foreign = [g for g in goals if g.partnership_id != membership.partnership_id]
            if foreign:
                self.add_error("goals", _("Choose only goals of the partnership this report is for."))
        return cleaned

    def report_fields(self):
        """Return the cleaned values the report services take as keyword arguments."""
        return {name: self.cleaned_data[name] for name in REPORT_FIELDS}


class AttachmentForm(forms.Form):
    """Upload one supporting file; its content is checked, not only its name."""

    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
        self.fields["file"].help_text = _("Allowed: %(types)s. Up to %(limit)s.") % {
            "types": ", ".join(ALLOWED_EXTENSIONS),
            "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
        }

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = check_attachment(uploaded)
        return uploaded


class IndicatorPeriodForm(forms.Form):
    """The period the indicator values are for."""

    period_start = IsoDateField(label=_("Period start"), widget=DateInput)
    period_end = IsoDateField(label=_("Period end"), widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return cleaned


class IndicatorValueForm(forms.Form):
    """One indicator's value for the chosen period; left empty, nothing is recorded."""

    value = forms.DecimalField(
        label=_("Value"), required=False, max_digits=16, decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)
        self.fields["value"].label = _("Value (%(unit)s)") % {"unit": indicator.unit}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("value") is None and cleaned.get("note"):
            self.add_error("value", _("Enter a value, or leave the note empty."))
        return cleaned
