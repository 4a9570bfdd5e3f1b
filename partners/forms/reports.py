"""Forms for partner representative pages: contribution reports, attachments, indicator values."""
from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from partners.models import ContributionReport, SharedGoal
from partners.access import memberships_represented_by
from partners.uploads import ALLOWED_EXTENSIONS, check_attachment

# Reporting periods live in this range; a period ending in year 9999 would break the
# "next period" arithmetic of every deadline page.
REPORT_YEARS = (1900, 2200)
NOT_YOUR_MEMBER = _("Choose a member of your own organisation.")
# The report's own fields a representative writes (the member and the goals are chosen apart).
REPORT_FIELDS = ["period_start", "period_end", "kind", "quantity", "unit", "value", "description"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organisation.name} — {obj.partnership.title}"


class GoalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.title

    def clean(self, value):
        # An id beyond a 64-bit integer is no goal; SQLite would raise OverflowError on the lookup.
        for pk in value if isinstance(value, (list, tuple)) else ():
            text = str(pk).strip()
            if text.lstrip("-").isdecimal() and abs(int(text)) > 2**63 - 1:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)


def _amount_widget():
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


class ReportForm(forms.ModelForm):
    """Create or change a contribution report of one of the user's own memberships.

    The member is one of the user's own memberships (the field's queryset: another organisation's
    member is an invalid choice) and stays with the report once written; the goals are those of
    the member's partnership.
    """

    class Meta:
        model = ContributionReport
        fields = ["membership", *REPORT_FIELDS, "goals"]
        field_classes = {"membership": MembershipChoiceField, "goals": GoalChoiceField}
        labels = {"membership": _("Member (organisation — partnership)"), "goals": _("Goals supported")}
        help_texts = {
            "unit": _("For example: package, hour, person, room."),
            "value": _("Value in rupiah, without dots or commas for thousands (e.g. 1250000)."),
            "goals": _("Only the goals of the chosen partnership can be ticked."),
        }
        error_messages = {"membership": {"invalid_choice": NOT_YOUR_MEMBER}}
        widgets = {
            "membership": MembershipSelect,
            "period_start": DateInput,
            "period_end": DateInput,
            "quantity": _amount_widget(),
            "value": _amount_widget(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "goals": GoalCheckboxes,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        memberships = memberships_represented_by(user).order_by("partnership__title", "organisation__name")
        membership = self.fields["membership"]
        if self.instance.pk:
            membership.disabled = True  # a report stays with the member that wrote it
            memberships = memberships.filter(pk=self.instance.membership_id)
        membership.queryset = memberships
        self.fields["goals"].queryset = SharedGoal.objects.filter(
            partnership__in=memberships.order_by().values("partnership_id")
        ).order_by("partnership__title", "order", "id")
        for name in ("quantity", "value"):
            self.fields[name].validators.insert(0, MinValueValidator(0, message=_("The amount cannot be negative.")))

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
        membership, goals = cleaned.get("membership"), cleaned.get("goals")
        if membership is not None and goals:
            if any(goal.partnership_id != membership.partnership_id for goal in goals):
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

    period_start = forms.DateField(label=_("Period start"), widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), widget=DateInput)

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
