"""kemitraan.forms.DirectFieldCleaningMixin cleans a form as Django does, without a BoundField per field."""
import datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from kemitraan.forms import DirectFieldCleaningMixin
from partners.forms.reports import ReportForm
from partners.models import ContributionReport, Organisation
from tests import factories as f


class Everything(forms.Form):
    char = forms.CharField(max_length=10)
    optional = forms.CharField(required=False)
    number = forms.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    day = forms.DateField()
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    multiple = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two")], widget=forms.CheckboxSelectMultiple,
                                         required=False)
    flag = forms.BooleanField(required=False)
    model = forms.ModelChoiceField(queryset=Organisation.objects.all(), required=False)
    split = forms.SplitDateTimeField(required=False)
    upload = forms.FileField(required=False)
    fixed = forms.CharField(disabled=True, required=False)
    checked = forms.CharField(required=False)

    def clean_checked(self):
        value = self.cleaned_data["checked"]
        if value == "no":
            raise forms.ValidationError("not that", code="refused")
        return value.upper()


class DirectEverything(DirectFieldCleaningMixin, Everything):
    pass


def _data(**changes):
    data = {
        "p-char": "abc", "p-number": "12.50", "p-day": "2026-03-01", "p-choice": "a", "p-flag": "on",
        "p-split_0": "2026-03-01", "p-split_1": "10:30", "p-fixed": "sent, but the field is disabled",
        "p-checked": "yes",
    }
    data.update(changes)
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        elif value is not None:
            query[key] = value
    return query


CASES = {
    "valid": {},
    "valid, two ticked": {"p-multiple": ["1", "2"]},
    "too long, negative, bad date": {"p-char": "x" * 11, "p-number": "-1", "p-day": "2026-02-30"},
    "missing required": {"p-char": None, "p-number": None, "p-day": None, "p-choice": None},
    "unknown choice": {"p-choice": "z", "p-multiple": ["9"]},
    "flag off": {"p-flag": None},
    "refused by clean_checked": {"p-checked": "no"},
    "bad model choice": {"p-model": "999999999"},
    "null character": {"p-char": "a\x00b"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_cleaned_data_and_errors_are_djangos(case):
    organisation = f.OrganisationFactory()
    data = _data(**CASES[case])
    if case.startswith("valid"):
        data["p-model"] = str(organisation.pk)
    files = {"p-upload": SimpleUploadedFile("a.txt", b"hello")}
    initial = {"fixed": "kept", "upload": "earlier.txt"}
    django_form = Everything(data, files, prefix="p", initial=initial)
    direct_form = DirectEverything(data, files, prefix="p", initial=initial)
    assert direct_form.is_valid() == django_form.is_valid()
    assert direct_form.errors.get_json_data() == django_form.errors.get_json_data()
    assert direct_form.cleaned_data.keys() == django_form.cleaned_data.keys()
    for name, value in django_form.cleaned_data.items():
        assert direct_form.cleaned_data[name] == value, name
    if case.startswith("valid"):
        assert direct_form.cleaned_data["fixed"] == "kept"
        assert direct_form.cleaned_data["checked"] == "YES"
        assert direct_form.cleaned_data["upload"].name == "a.txt"


@pytest.mark.django_db
def test_only_disabled_and_file_fields_get_a_bound_field_while_cleaning():
    form = DirectEverything(_data(), {}, prefix="p", initial={"fixed": "kept"})
    form.is_valid()
    assert set(form._bound_fields_cache) == {"fixed", "upload"}
    django_form = Everything(_data(), {}, prefix="p", initial={"fixed": "kept"})
    django_form.is_valid()
    assert set(django_form._bound_fields_cache) == set(Everything.base_fields)  # Django's: one for every field


@pytest.mark.django_db
def test_the_report_form_cleans_directly_and_shows_its_errors():
    membership = f.MembershipFactory()
    user = f.UserFactory()
    membership.organisation.representatives.add(user)
    data = {
        "membership": membership.pk, "period_start": "2026-01-01", "period_end": "2026-01-31",
        "kind": ContributionReport._meta.get_field("kind").choices[0][0], "quantity": "3", "unit": "hour",
        "value": "150000", "description": "Kelas",
    }
    form = ReportForm(data, user=user)
    assert form.is_valid(), form.errors
    assert form._bound_fields_cache == {}
    assert form.cleaned_data["membership"] == membership.pk  # a new report's member: the write checks it
    assert form.cleaned_data["quantity"] == Decimal("3")
    assert form.cleaned_data["period_start"] == datetime.date(2026, 1, 1)

    refused = ReportForm({**data, "value": "-5", "period_end": "2025-12-31"}, user=user)
    assert not refused.is_valid()
    assert set(refused.errors) == {"value", "period_end"}
    assert 'aria-invalid="true"' in str(refused["value"])  # shown as Django shows an invalid field
