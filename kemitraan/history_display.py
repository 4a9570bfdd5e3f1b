"""How a recorded change reads, in the admin's history as on the pages.

simple-history's admin lists each change of a record as ``field: old → new`` with the raw
stored values (``draft → submitted``, ``None → 2026-12-06 21:04:26.305239+00:00``). Here a value
reads as people see it elsewhere: the label of a choice in the active language, a date or time in
the site's time zone and date format, numbers with the language's grouping, "—" for nothing.
``HistoryAdmin`` is simple-history's ``SimpleHistoryAdmin`` with that display, through the hook
simple-history provides for it (``get_historical_record_context_helper``).
"""
import datetime
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "—"


def history_value(field, value) -> str:
    """Return ``value`` of model field ``field`` as a person reads it (see the module docstring)."""
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, (Decimal, int, float)) and not isinstance(field, models.ForeignKey):
        places = 0 if Decimal(value) == Decimal(value).to_integral_value() else 2
        return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    if isinstance(value, str):
        return Truncator(value).chars(120)
    return str(value)


class ReadableHistoryContextHelper(HistoricalRecordContextHelper):
    """simple-history's formatting of a change, with each value read through ``history_value``."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if isinstance(field, models.ManyToManyField):
            names = super().prepare_delta_change_value(change, value)
            return ", ".join(str(name) for name in names) or EMPTY
        return history_value(field, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """``SimpleHistoryAdmin`` whose history page shows labels and local dates instead of raw values."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryContextHelper(self.model, historical_record)
