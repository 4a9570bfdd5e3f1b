"""kemitraan.forms.copy_field makes the copy of a form field that copy.deepcopy makes, more cheaply."""
import copy
from unittest import mock

import pytest
from django import forms
from django.utils.choices import BlankChoiceIterator
from django.utils.functional import lazystr

from kemitraan.forms import _QuicklyCopiedFields, copy_field
from partners.forms.reports import ReportForm
from partners.models import ContributionKind, Organisation
from tests import factories as f


class OwnCopyField(forms.CharField):
    copied = 0

    def __deepcopy__(self, memo):
        OwnCopyField.copied += 1
        return super().__deepcopy__(memo)


def _generic_fields():
    return {
        "char": forms.CharField(max_length=10, label=lazystr("Name"), help_text="help"),
        "decimal": forms.DecimalField(max_digits=8, decimal_places=2,
                                      widget=forms.NumberInput(attrs={"step": "0.01"})),
        "choice": forms.ChoiceField(choices=[("a", "A"), ("b", lazystr("B"))]),
        "typed": forms.TypedChoiceField(choices=BlankChoiceIterator(ContributionKind.choices, [("", "---")])),
        "grouped": forms.ChoiceField(choices=[("Group", [("x", "X"), ("y", "Y")]), ("z", "Z")]),
        "callable": forms.ChoiceField(choices=lambda: [("c", "C")]),
        "multiple": forms.MultipleChoiceField(choices=[(1, "one"), (2, "two")], widget=forms.CheckboxSelectMultiple),
        "model": forms.ModelChoiceField(queryset=Organisation.objects.order_by("name")),
        "split": forms.SplitDateTimeField(),
        "own": OwnCopyField(),
    }


def _same_copy(made, expected, original):
    assert type(made) is type(expected)
    assert made is not original
    assert set(vars(made)) == set(vars(expected))
    for name, value in vars(expected).items():
        if name in ("widget", "_queryset", "queryset", "_choices"):
            continue
        if name == "fields":  # a multi-value field's own fields: copied, so compared by kind
            assert [type(sub) for sub in made.fields] == [type(sub) for sub in value]
            continue
        assert getattr(made, name) == value, name
    assert type(made.widget) is type(expected.widget)
    assert made.widget is not original.widget
    assert set(vars(made.widget)) == set(vars(expected.widget))
    assert made.widget.attrs == expected.widget.attrs
    assert made.widget.attrs is not original.widget.attrs
    assert made.validators == expected.validators and made.validators is not original.validators
    assert made.error_messages == expected.error_messages and made.error_messages is not original.error_messages
    if hasattr(expected, "_choices") and not isinstance(expected, forms.ModelChoiceField):
        assert list(made._choices) == list(expected._choices)
        assert made._choices is not original._choices
    if isinstance(expected, forms.ModelChoiceField) and expected.queryset is not None:
        assert str(made.queryset.query) == str(expected.queryset.query)
        assert made.queryset is not original.queryset


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(_generic_fields()))
def test_a_copy_is_what_deepcopy_makes(name):
    field = _generic_fields()[name]
    _same_copy(copy_field(field), copy.deepcopy(field), field)


@pytest.mark.parametrize("name", list(ReportForm.base_fields))
def test_each_report_form_field_is_copied_as_deepcopy_copies_it(name):
    field = ReportForm.base_fields[name]
    _same_copy(copy_field(field), copy.deepcopy(field), field)


def test_a_field_with_its_own_deepcopy_is_deep_copied():
    field = OwnCopyField()
    before = OwnCopyField.copied
    copy_field(field)
    assert OwnCopyField.copied == before + 1


def test_a_multi_widget_field_is_deep_copied():
    field = forms.SplitDateTimeField()
    made = copy_field(field)
    assert made.widget.widgets[0] is not field.widget.widgets[0]
    assert made.fields[0] is not field.fields[0]


@pytest.mark.django_db
def test_a_new_report_form_copies_its_fields_without_deepcopy():
    assert isinstance(ReportForm.base_fields, _QuicklyCopiedFields)
    user = f.UserFactory()
    with mock.patch("copy.deepcopy", wraps=copy.deepcopy) as deepcopy:
        form = ReportForm(user=user)
    copied = [call.args[0] for call in deepcopy.call_args_list]
    assert copied == [ReportForm.base_fields]  # BaseForm.__init__'s one call; no field went through it
    assert set(form.fields) == set(ReportForm.base_fields)
    assert all(form.fields[name] is not ReportForm.base_fields[name] for name in form.fields)


@pytest.mark.django_db
def test_one_form_changing_its_fields_leaves_the_next_form_and_the_class_alone():
    user = f.UserFactory()
    first = ReportForm(user=user)
    first.fields["membership"].disabled = True
    first.fields["unit"].widget.attrs["class"] = "form-control is-invalid"  # what rendering adds
    first.fields["quantity"].validators.append(lambda value: None)
    first.fields["kind"].error_messages["required"] = "changed"
    second = ReportForm(user=user)
    for form_fields in (second.fields, ReportForm.base_fields):
        assert not form_fields["membership"].disabled
        assert "class" not in form_fields["unit"].widget.attrs
        assert len(form_fields["quantity"].validators) == len(ReportForm.base_fields["quantity"].validators)
        assert form_fields["kind"].error_messages["required"] != "changed"
    assert len(second.fields["quantity"].validators) < len(first.fields["quantity"].validators)
