"""Forms for evaluation cycles, answers, findings, follow-up actions and decisions.

Forms only validate input; the services in ``evaluations.services`` apply the rules
(open cycle, draft answer, member organisation, future closing time) and the views copy
a service's ValidationError back onto the form.
"""
from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation

from .models import (
    PRINCIPLE_GUIDANCE,
    SCORE_FIELDS,
    Decision,
    EvaluationCycle,
    Finding,
    FollowUpAction,
    Principle,
    Vote,
)

SCORE_CHOICES = [
    (1, _("1 — very weak")),
    (2, _("2 — weak")),
    (3, _("3 — fair")),
    (4, _("4 — good")),
    (5, _("5 — very good")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


class CycleForm(forms.ModelForm):
    """A cycle created by hand for a chosen period."""

    open_now = forms.BooleanField(
        label=_("Open for answers now"), required=False,
        help_text=_("Otherwise the cycle opens by itself on the first day of its period."),
    )

    class Meta:
        model = EvaluationCycle
        fields = ["title", "period_start", "period_end", "due_date"]
        widgets = {"period_start": DateInput(), "period_end": DateInput(), "due_date": DateInput()}
        help_texts = {
            "title": _("Optional; by default the period is named, e.g. “Q2 2026”."),
            "due_date": _("Members can answer until the end of this day."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ResponseForm(forms.Form):
    """A member's answer: a 1-5 score on each principle, with its guidance, and three texts."""

    benefit_received = forms.CharField(
        label=_("Benefit received"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What did your organisation actually gain from the partnership in this period?"),
    )
    what_works = forms.CharField(
        label=_("What works"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )
    what_to_change = forms.CharField(
        label=_("What should change"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        score_fields = {}
        for principle, name in SCORE_FIELDS.items():
            score_fields[name] = forms.TypedChoiceField(
                label=principle.label,
                help_text=PRINCIPLE_GUIDANCE[principle],
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        # Scores first, in the order of the six principles, then the texts.
        self.fields = {**score_fields, **self.fields}
        self.helper = _helper(
            Fieldset(_("Scores"), *[InlineRadios(name) for name in SCORE_FIELDS.values()]),
            Fieldset(_("In your own words"), "benefit_received", "what_works", "what_to_change"),
        )

    @classmethod
    def initial_from(cls, response) -> dict:
        if response is None:
            return {}
        return {name: getattr(response, name) for name in [*SCORE_FIELDS.values(), *cls.base_fields]}


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["title", "principle", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["principle"].choices = [("", _("— any / general —")), *Principle.choices]
        self.helper = _helper()


class ActionForm(forms.ModelForm):
    """A follow-up action; the owner is chosen among the partnership's current members."""

    class Meta:
        model = FollowUpAction
        fields = ["title", "description", "owner_organisation", "due_date", "finding"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations
        self.fields["finding"].queryset = findings
        self.fields["finding"].required = False
        self.helper = _helper()


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpAction.Status.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class DecisionForm(forms.ModelForm):
    """A proposal put to the vote; the proposing organisation is one the person represents."""

    organisation = forms.ModelChoiceField(
        label=_("Proposed on behalf of"), queryset=Organisation.objects.none(), required=False,
    )

    class Meta:
        model = Decision
        fields = ["title", "description", "closes_at"]
        widgets = {"closes_at": DateTimeInput(), "description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"closes_at": _("Voting closes at this date and time; the outcome is computed then.")}

    def __init__(self, *args, organisations, organisation_required, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        field = self.fields["organisation"]
        field.queryset = organisations
        field.required = organisation_required
        if not organisations.exists():
            del self.fields["organisation"]
        self.helper = _helper()


class VoteForm(forms.ModelForm):
    class Meta:
        model = Vote
        fields = ["choice", "comment"]
        widgets = {"choice": forms.RadioSelect, "comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = Vote.Choice.choices
        self.fields["comment"].required = False
        self.helper = _helper(InlineRadios("choice"), "comment")
