"""Form helpers shared by the apps.

Every new Django form deep-copies its class's fields (``BaseForm.__init__``), so that one form can
change its own fields (disable one, set a queryset, add a CSS class when rendered) without
changing the next form's. ``copy.deepcopy`` does it generically: for the report form, nine fields
with their widgets, ~250 Python calls of every submit. ``copy_field`` makes the same copies
directly, for the field and widget classes whose ``__deepcopy__`` is Django's own: a new field
object with its own widget, widget attributes, error messages, validators and choices, as
``Field.__deepcopy__`` and the widgets' make them. Any other field (one with a ``__deepcopy__`` of
its own, a multi-widget) is deep-copied as before. ``tests/test_forms_copy.py`` compares both
copies for every field of the forms that use it.
"""
import copy
import functools

from django import forms
from django.forms import widgets
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import Promise

# The __deepcopy__ methods copy_field does the work of; a class with another one is deep-copied.
_FIELD_COPIES = frozenset({forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__,
                           forms.ModelChoiceField.__deepcopy__})
_WIDGET_COPIES = frozenset({widgets.Widget.__deepcopy__, widgets.ChoiceWidget.__deepcopy__})


def _shallow(obj):
    """What ``copy.copy`` makes of a plain object: a new one of its class with the same attributes."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


@functools.cache
def _quickly_copyable(cls, known) -> bool:
    return (cls.__deepcopy__ in known and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__getstate__ is object.__getstate__ and not hasattr(cls, "__copy__")
            and not hasattr(cls, "__slots__"))


def _copy_choices(choices):
    """``copy.deepcopy(choices)`` for a list of (value, label) pairs of strings and numbers: a new list
    of the same pairs, which deepcopy keeps as they are. Django's lazy choices (a model field's
    choices with the blank one, a callable) are read-only iterators: a copy of the iterator object
    will do. Anything else (groups, other objects) is deep-copied."""
    if isinstance(choices, BaseChoiceIterator) and type(choices).__reduce_ex__ is object.__reduce_ex__:
        return _shallow(choices)
    plain = (str, int, Promise)
    if type(choices) is list and all(
        type(choice) is tuple and len(choice) == 2 and isinstance(choice[0], plain) and isinstance(choice[1], plain)
        for choice in choices
    ):
        return list(choices)
    return copy.deepcopy(choices)


def copy_field(field, memo=None):
    """The copy ``copy.deepcopy(field)`` makes, made without going through ``copy``."""
    if not (_quickly_copyable(type(field), _FIELD_COPIES) and _quickly_copyable(type(field.widget), _WIDGET_COPIES)):
        return copy.deepcopy(field, memo)
    new = _shallow(field)
    widget = new.widget = _shallow(field.widget)
    widget.attrs = field.widget.attrs.copy()
    if isinstance(field.widget, widgets.ChoiceWidget):
        widget.choices = copy.copy(field.widget.choices)
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    if isinstance(field, forms.ModelChoiceField):
        if field.queryset is not None:
            new.queryset = field.queryset.all()
    elif isinstance(field, forms.ChoiceField):
        new._choices = _copy_choices(field._choices)
    return new


class _QuicklyCopiedFields(dict):
    """A form class's ``base_fields`` whose deep copy (each new form's ``fields``) uses ``copy_field``."""

    def __deepcopy__(self, memo):
        return {name: copy_field(field, memo) for name, field in self.items()}


def quick_field_copies(form_class):
    """Class decorator: each form of ``form_class`` copies the class's fields with ``copy_field``."""
    form_class.base_fields = _QuicklyCopiedFields(form_class.base_fields)
    return form_class


class DirectFieldCleaningMixin:
    """A form that cleans its fields without making a BoundField for each one first.

    Django's ``BaseForm._clean_fields`` makes every field's BoundField (its HTML name, id, label and
    help text) to read the submitted value through it; a form that is valid and not shown again
    never uses them: for the report form's nine fields, ~250,000 instructions of every submit
    (callgrind), more than its database round trips cost in Python. This reads each value as the
    BoundField does (``_widget_data_value`` with the prefixed name) and cleans it the same way. A
    disabled field (its initial value, which the BoundField keeps for the page) and a field that
    cleans with more than its value (``FileField``: the initial file too) go through their
    BoundField as in Django. ``tests/test_forms_copy.py`` compares the result with Django's for
    every kind of field.
    """

    def _clean_fields(self):
        for name, field in self.fields.items():
            try:
                if field.disabled or type(field)._clean_bound_field is not forms.Field._clean_bound_field:
                    self.cleaned_data[name] = field._clean_bound_field(self[name])
                else:
                    self.cleaned_data[name] = field.clean(self._widget_data_value(field.widget, self.add_prefix(name)))
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except forms.ValidationError as error:
                self.add_error(name, error)
