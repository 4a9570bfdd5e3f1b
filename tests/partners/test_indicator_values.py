"""Indicator values: a member's representative enters one value per indicator for a period."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from partners.models import IndicatorValue
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators(partnership, other_partnership):
    goal = f.SharedGoalFactory(partnership=partnership, title="Anak sehat")
    return [
        f.IndicatorFactory(goal=goal, name="Anak diimunisasi", unit="anak"),
        f.IndicatorFactory(goal=goal, name="Posyandu aktif", unit="posyandu"),
    ]


def _values_url(membership, **params):
    url = reverse("partners:indicatorvalue_entry", kwargs={"pk": membership.pk})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _values_post(indicators, values, notes=None, start="2026-04-01", end="2026-06-30"):
    data = {"period_start": start, "period_end": end}
    for indicator, value in zip(indicators, values, strict=True):
        data[f"i{indicator.pk}-value"] = value
        data[f"i{indicator.pk}-note"] = (notes or {}).get(indicator.pk, "")
    return data


def test_indicator_page_shows_one_form_per_indicator_of_the_partnership(client, partner_a, membership_a, indicators,
                                                                        other_partnership):
    foreign = f.IndicatorFactory(goal=f.SharedGoalFactory(partnership=other_partnership), name="Kualitas udara")
    client.force_login(partner_a)
    response = client.get(_values_url(membership_a))
    assert [row[0] for row in response.context["rows"]] == indicators
    assert foreign.name not in response.content.decode()


def test_partner_enters_values_for_a_period(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    response = client.post(_values_url(membership_a), _values_post(indicators, ["120", ""]))
    assert response.status_code == 302
    assert "period_start=2026-04-01" in response["Location"]
    [value] = IndicatorValue.objects.all()
    assert value.indicator == indicators[0]
    assert value.membership == membership_a
    assert value.value == Decimal(120)
    assert (value.period_start, value.period_end) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert value.reported_by == partner_a


def test_entering_the_same_period_again_updates_instead_of_duplicating(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    client.post(_values_url(membership_a), _values_post(indicators, ["120", "4"]))
    page = client.get(_values_url(membership_a, period_start="2026-04-01", period_end="2026-06-30"))
    assert page.context["rows"][0][1].initial["value"] == Decimal(120)
    client.post(_values_url(membership_a), _values_post(indicators, ["135", "5"], notes={indicators[0].pk: "naik"}))
    assert IndicatorValue.objects.count() == 2
    first = IndicatorValue.objects.get(indicator=indicators[0])
    assert first.value == Decimal(135) and first.note == "naik"


def test_another_period_is_a_new_value(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    client.post(_values_url(membership_a), _values_post(indicators, ["120", ""]))
    client.post(_values_url(membership_a), _values_post(indicators, ["150", ""], start="2026-07-01", end="2026-09-30"))
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [Decimal(120), Decimal(150)]


def test_one_invalid_value_saves_nothing(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    response = client.post(_values_url(membership_a), _values_post(indicators, ["120", "banyak"]))
    assert response.status_code == 200
    assert response.context["rows"][1][1].errors
    assert not IndicatorValue.objects.exists()


def test_period_ending_before_it_starts_saves_nothing(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    response = client.post(_values_url(membership_a), _values_post(indicators, ["1", "2"], end="2026-03-01"))
    assert response.status_code == 200
    assert response.context["period_form"].errors
    assert not IndicatorValue.objects.exists()


def test_note_without_value_is_refused(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    client.post(_values_url(membership_a), _values_post(indicators, ["", ""], notes={indicators[0].pk: "catatan"}))
    assert not IndicatorValue.objects.exists()


def test_partner_cannot_enter_values_as_another_organisation(client, partner_a, membership_b, indicators):
    client.force_login(partner_a)
    assert client.get(_values_url(membership_b)).status_code == 404
    assert client.post(_values_url(membership_b), _values_post(indicators, ["1", "2"])).status_code == 404
    assert not IndicatorValue.objects.exists()


def test_coordinator_cannot_enter_values_as_a_member(client, coordinator, membership_a, indicators):
    client.force_login(coordinator)
    assert client.post(_values_url(membership_a), _values_post(indicators, ["1", "2"])).status_code == 404
