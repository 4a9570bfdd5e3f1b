"""Forms for coordinator pages: partnerships, members and pledges, goals, indicators, review."""
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from partners.access import organisations_known_to
from partners.selectors import organisation_by_exact_name, organisation_name_normalised
from partners.models import (
    Indicator,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)

ORGANISATION_CHOICES_LIMIT = 50


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _end_not_before_start(form, cleaned, start, end, message):
    if cleaned.get(start) and cleaned.get(end) and cleaned[end] < cleaned[start]:
        form.add_error(end, message)


class PartnershipForm(forms.ModelForm):
    """Create or edit a partnership; once it has members, the lead organisation is chosen among them.

    The status is chosen only at creation, among the statuses a partnership starts in; after
    that it follows the workflow, on its own page (``PartnershipStatusForm``).
    """

    class Meta:
        model = Partnership
        fields = [
            "title", "problem_statement", "description", "type", "status", "start_date", "planned_end_date",
            "lead_organisation", "evaluation_frequency",
        ]
        widgets = {
            "start_date": DateInput(),
            "planned_end_date": DateInput(),
            "problem_statement": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["status"]
        else:
            self.fields["status"].choices = [
                (value, label) for value, label in Partnership.Status.choices
                if value in Partnership.WORKFLOW.initial
            ]
        field = self.fields["lead_organisation"]
        if self.instance.pk:
            field.queryset = Organisation.objects.filter(memberships__partnership=self.instance).order_by("name")
            field.help_text = _("Only member organisations can lead the partnership.")
        else:
            field.queryset = organisations_known_to(user)
            field.help_text = _(
                "The lead organisation joins the partnership as its backbone member. The list holds the "
                "organisations of your partnerships; add others as members once the partnership exists."
            )

    def clean(self):
        cleaned = super().clean()
        _end_not_before_start(
            self, cleaned, "start_date", "planned_end_date",
            _("The planned end date cannot be before the start date."),
        )
        return cleaned


class PartnershipStatusForm(forms.Form):
    """Choose a partnership's next status among those its workflow allows the person, with the reason."""

    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to pause, end or reopen the partnership; members and admins see it in its history."),
    )

    def __init__(self, *args, partnership: Partnership, user, **kwargs):
        super().__init__(*args, **kwargs)
        workflow = Partnership.WORKFLOW
        self.fields["status"].choices = [
            (status, workflow.label(status)) for status in workflow.next_statuses(partnership.status, user)
        ]


class OrganisationChoiceForm(forms.Form):
    """Pick an existing organisation, or describe a new one, for a new membership.

    What a coordinator sees (``access.organisations_known_to``): the organisations of the
    partnerships they coordinate, searchable. Any other organisation is reached only by typing
    its exact registered name, so nobody browses every organisation's name and contact details.
    """

    EXISTING = "existing"
    NEW = "new"

    source = forms.ChoiceField(
        label=_("Organisation"),
        choices=[(EXISTING, _("An existing organisation")), (NEW, _("A new organisation"))],
        initial=EXISTING,
        widget=forms.RadioSelect,
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisations of your partnerships"), queryset=Organisation.objects.none(), required=False,
    )
    organisation_name = forms.CharField(
        label=_("Or the exact name of another organisation"), max_length=200, required=False,
        help_text=_("Organisations outside your partnerships are not listed: type the name exactly as the "
                    "organisation gave it to you."),
    )
    new_name = forms.CharField(label=_("Name of the new organisation"), max_length=200, required=False)
    new_sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", "---------"), *Organisation.Sector.choices], required=False
    )
    new_contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    new_email = forms.EmailField(label=_("Email"), required=False)
    new_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    new_city = forms.CharField(label=_("City"), max_length=100, required=False)

    def __init__(self, *args, partnership, user, search="", **kwargs):
        """Offer the organisations ``user`` knows that are not yet members; list at most a page, filtered by ``search``."""
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        addable = organisations_known_to(user).exclude(memberships__partnership=partnership)
        field = self.fields["organisation"]
        field.queryset = addable
        shown = addable.filter(name__icontains=search) if search else addable
        shown = list(shown.values_list("pk", "name")[: ORGANISATION_CHOICES_LIMIT + 1])
        self.choices_truncated = len(shown) > ORGANISATION_CHOICES_LIMIT
        field.choices = [("", "---------"), *shown[:ORGANISATION_CHOICES_LIMIT]]
        if self.choices_truncated:
            field.help_text = _("Only the first %(n)s are listed; search to narrow the list.") % {
                "n": ORGANISATION_CHOICES_LIMIT
            }

    def _organisation_named(self, name):
        """The organisation registered under exactly ``name``, or a field error."""
        found = organisation_by_exact_name(name)
        if found is None:
            self.add_error("organisation_name", _(
                "No organisation is registered under exactly this name. Check the spelling, or add it as a "
                "new organisation."
            ))
        elif found.memberships.filter(partnership=self.partnership).exists():
            self.add_error("organisation_name", _("%(organisation)s is already a member of this partnership.")
                           % {"organisation": found})
        else:
            return found
        return None

    def clean(self):
        cleaned = super().clean()
        typed = organisation_name_normalised(cleaned.get("organisation_name"))
        if (
            cleaned.get("source") == self.EXISTING and not cleaned.get("organisation") and not typed
            and (cleaned.get("new_name") or "").strip()
        ):
            cleaned["source"] = self.NEW  # a new organisation's name filled in without switching the choice
        if cleaned.get("source") == self.NEW:
            name = organisation_name_normalised(cleaned.get("new_name"))
            cleaned["new_name"] = name
            if not name:
                self.add_error("new_name", _("Give the name of the new organisation."))
            elif organisation_by_exact_name(name) is not None:
                self.add_error("new_name", _(
                    "An organisation with this name already exists: choose “An existing organisation” and type "
                    "its exact name."
                ))
            if not cleaned.get("new_sector"):
                self.add_error("new_sector", _("Choose the sector of the new organisation."))
        elif not cleaned.get("organisation") and "organisation" not in self.errors:
            if typed:
                cleaned["organisation"] = self._organisation_named(typed)
            else:
                self.add_error("organisation", _("Choose an organisation."))
        return cleaned

    def service_kwargs(self):
        """Return ``organisation=...`` or ``new_organisation={...}`` for ``membership_create``."""
        data = self.cleaned_data
        if data["source"] == self.NEW:
            return {"new_organisation": {
                "name": data["new_name"], "sector": data["new_sector"],
                "contact_name": data["new_contact_name"], "email": data["new_email"],
                "phone": data["new_phone"], "city": data["new_city"],
            }}
        return {"organisation": data["organisation"]}


class MembershipForm(forms.ModelForm):
    """A member's role, commitment, expected benefits and reporting frequency."""

    class Meta:
        model = Membership
        fields = [
            "role", "joined_on", "left_on", "commitment_statement", "commitment_start", "commitment_end",
            "expected_benefits", "reporting_frequency",
        ]
        widgets = {
            "joined_on": DateInput(),
            "left_on": DateInput(),
            "commitment_start": DateInput(),
            "commitment_end": DateInput(),
            "commitment_statement": forms.Textarea(attrs={"rows": 3}),
            "expected_benefits": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, adding=False, **kwargs):
        super().__init__(*args, **kwargs)
        if adding:
            del self.fields["left_on"]

    def clean(self):
        cleaned = super().clean()
        _end_not_before_start(
            self, cleaned, "commitment_start", "commitment_end", _("The commitment cannot end before it starts.")
        )
        _end_not_before_start(
            self, cleaned, "joined_on", "left_on", _("The leaving date cannot be before the joining date.")
        )
        return cleaned


class PledgeForm(forms.ModelForm):
    class Meta:
        model = Pledge
        fields = ["kind", "description", "quantity", "unit", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("quantity", "value"):
            self.fields[name].validators.append(
                MinValueValidator(Decimal("0"), message=_("The amount cannot be negative."))
            )
            self.fields[name].widget.attrs["min"] = "0"


PledgeFormSet = inlineformset_factory(
    Membership, Pledge, form=PledgeForm, extra=1, can_delete=True, max_num=100, validate_max=True,
    absolute_max=101,  # a forged TOTAL_FORMS builds at most this many forms, not max_num + 1000
)


class SharedGoalForm(forms.ModelForm):
    class Meta:
        model = SharedGoal
        fields = ["title", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class IndicatorForm(forms.ModelForm):
    """Define an indicator; its target must differ from the baseline in the chosen direction."""

    class Meta:
        model = Indicator
        fields = ["name", "unit", "baseline", "target", "target_date", "direction"]
        widgets = {"target_date": DateInput()}

    def clean(self):
        cleaned = super().clean()
        baseline, target, direction = cleaned.get("baseline"), cleaned.get("target"), cleaned.get("direction")
        if baseline is None or target is None:
            return cleaned
        if target == baseline:
            self.add_error("target", _("The target must differ from the baseline."))
        elif direction == Indicator.Direction.INCREASE and target < baseline:
            self.add_error("target", _("With 'higher is better' the target must be above the baseline."))
        elif direction == Indicator.Direction.DECREASE and target > baseline:
            self.add_error("target", _("With 'lower is better' the target must be below the baseline."))
        return cleaned


class ReportReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Tell the partner what to fix; they will see this text."),
        error_messages={"required": _("Give a reason so the partner knows what to fix.")},
    )
