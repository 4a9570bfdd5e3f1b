"""django-simple-history's ``HistoricalRecords`` with the ``history`` manager class made once.

``instance.history`` (``HistoryDescriptor.__get__``) builds a new manager class through
``HistoryManager.from_queryset`` (with ``inspect.getmembers``) on every access, and
simple-history reads it each time it writes a history row: ~0.4 ms of every save, 4% of the
report submit POST. The class depends only on the manager and queryset classes, so it is
made once per pair; everything else is simple-history's own.
"""
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
