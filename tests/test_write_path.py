"""The pieces of the report submit POST: the history manager made once, dates read as ISO first."""
import datetime

import pytest
from django.utils import translation

from partners import services
from partners.forms.reports import IsoDateField
from partners.models import ContributionReport
from tests import factories as f


@pytest.mark.django_db
def test_history_manager_class_is_made_once_and_history_still_written(partner_a, membership_a):
    first = services.report_create(membership=membership_a, user=partner_a, period_start=datetime.date(2026, 1, 1),
                                   period_end=datetime.date(2026, 1, 31), kind="funds", description="Satu")
    second = f.ContributionReportFactory(membership=membership_a)
    assert type(first.history) is type(second.history) is type(ContributionReport.history)  # noqa: E721
    assert type(first.history) is type(membership_a.history)  # the same manager and queryset classes
    row = first.history.get()
    assert row.history_type == "+" and row.history_user == partner_a and row.description == "Satu"
    assert list(first.history.all()) == [row] and second.history.count() == 1  # each instance's own rows


def test_iso_date_field_reads_iso_without_trying_the_language_formats(monkeypatch):
    field = IsoDateField()
    tried = []
    original = IsoDateField.strptime
    monkeypatch.setattr(IsoDateField, "strptime", lambda self, value, fmt: tried.append(fmt) or original(self, value, fmt))
    with translation.override("id"):
        assert field.clean(" 2026-01-31 ") == datetime.date(2026, 1, 31)
        assert tried == []
        assert field.clean("31/01/2026") == datetime.date(2026, 1, 31)  # Indonesian input still read
        assert tried  # through Django's formats


@pytest.mark.parametrize("value", ["2026-02-30", "20260131", "2026-1-5x", "0000-01-01"])
def test_iso_date_field_refuses_what_django_refuses(value):
    field = IsoDateField()
    with translation.override("id"):
        with pytest.raises(Exception) as ours:
            field.clean(value)
        with pytest.raises(Exception) as django_s:
            datetime_field = IsoDateField.__mro__[1]()
            datetime_field.clean(value)
    assert type(ours.value) is type(django_s.value) and ours.value.messages == django_s.value.messages
