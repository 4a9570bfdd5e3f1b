"""django-simple-history's ``HistoricalRecords`` with the ``history`` manager class made once.

``instance.history`` (``HistoryDescriptor.__get__``) builds a new manager class through
``HistoryManager.from_queryset`` (with ``inspect.getmembers``) on every access, and
simple-history reads it each time it writes a history row: ~0.4 ms of every save, 4% of the
report submit POST. The class depends only on the manager and queryset classes, so it is
made once per pair; everything else is simple-history's own.
"""
from django.utils import timezone
from simple_history import manager as history_manager
from simple_history.models import HistoricalRecords as BaseHistoricalRecords

_CLASSES: dict[tuple, type] = {}


class HistoryManager(history_manager.HistoryManager):
    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        key = (cls, queryset_class, class_name)
        if key not in _CLASSES:
            _CLASSES[key] = super().from_queryset(queryset_class, class_name)
        return _CLASSES[key]


class HistoricalRecords(BaseHistoricalRecords):
    def __init__(self, *args, history_manager=HistoryManager, **kwargs):
        super().__init__(*args, history_manager=history_manager, **kwargs)


def history_model_of(model):
    """The model of ``model``'s history rows (``HistoricalContributionReport`` for ``ContributionReport``)."""
    return getattr(model, model._meta.simple_history_manager_attribute).model


def history_values(instance, history_type: str, user=None) -> dict:
    """The history row's own values, as simple-history's ``create_historical_record`` gives them."""
    return {
        "history_date": getattr(instance, "_history_date", None) or timezone.now(),
        "history_change_reason": getattr(instance, "_change_reason", None),
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
    }


def history_row(instance, history_type: str, user=None):
    """The history row simple-history writes for ``instance`` after a save, made but not saved.

    For a caller that writes ``instance`` without ``save()`` (``kemitraan.rows.insert``): the same
    values as simple-history's ``create_historical_record`` (the tracked fields, the time, the
    type ``+``/``~``/``-``, the user, a change reason set on the instance); ``tests/test_rows.py``
    compares the two. Save it with ``kemitraan.rows.insert`` too.
    """
    model = history_model_of(type(instance))
    values = {field.attname: getattr(instance, field.attname) for field in model.tracked_fields}
    return model(**history_values(instance, history_type, user), **values)
