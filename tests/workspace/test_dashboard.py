"""The home page of each person, the coordinator dashboard and the partnership page (``workspace.views``)."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import ContributionReport
from tests import factories as f

pytestmark = pytest.mark.django_db


def _submitted(membership, **kwargs):
    kwargs.setdefault("submitted_at", timezone.now())
    return f.ContributionReportFactory(membership=membership, status=ContributionReport.Status.SUBMITTED, **kwargs)


@pytest.fixture
def indicator(partnership):
    goal = f.SharedGoalFactory(partnership=partnership, title="Anak sehat dan terimunisasi")
    return f.IndicatorFactory(goal=goal, name="Anak terimunisasi", unit="anak", baseline=Decimal("0"),
                              target=Decimal("200"))


# --- home and dashboard ----------------------------------------------------------------------


def test_anonymous_home_goes_to_sign_in(client):
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_coordinator_home_is_the_dashboard_of_their_partnerships(client, coordinator, partnership, other_partnership):
    client.force_login(coordinator)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["rows"]] == [partnership.pk]
    assert partnership.title in response.content.decode()
    assert other_partnership.title not in response.content.decode()


def test_admin_home_dashboard_covers_every_partnership(client, admin, partnership, other_partnership):
    client.force_login(admin)
    response = client.get(reverse("workspace:home"))
    assert {p.pk for p in response.context["rows"]} == {partnership.pk, other_partnership.pk}


def test_partner_representative_home_redirects_to_partner_home(client, partner_a):
    client.force_login(partner_a)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:partner_home")


def test_outsider_home_says_there_are_no_partnerships_yet(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    assert "partners/dashboard_empty.html" in [t.name for t in response.templates]
    assert reverse("partners:partnership_create") not in response.content.decode()


def test_dashboard_shows_the_figures_of_a_partnership(client, coordinator, partnership, membership_a, membership_b):
    _submitted(membership_a)
    client.force_login(coordinator)
    html = client.get(reverse("workspace:home")).content.decode()
    card = html[html.index(f'data-partnership="{partnership.pk}"'):]
    assert re.search(r'data-figure="members">2<', card)
    assert re.search(r'data-figure="waiting">1<', card)


# --- partnership page ------------------------------------------------------------------------


def test_partnership_detail_shows_members_goals_and_pledged_vs_delivered(
    client, coordinator, partnership, membership_a, membership_b, indicator
):
    f.PledgeFactory(membership=membership_a, value=Decimal("10000000"))
    f.ContributionReportFactory(membership=membership_a, status="accepted", value=Decimal("2500000"))
    f.IndicatorValueFactory(indicator=indicator, membership=membership_a, value=Decimal("50"))
    client.force_login(coordinator)
    response = client.get(partnership.get_absolute_url())
    html = response.content.decode()
    assert membership_a.organisation.name in html and membership_b.organisation.name in html
    assert indicator.name in html
    row = next(m for m in response.context["members"] if m["membership"] == membership_a)
    assert (row["pledged"], row["delivered"], row["share"]) == (Decimal("10000000"), Decimal("2500000"), Decimal("0.25"))
    assert response.context["goals"][0].indicators.all()[0].share == Decimal("0.25")
    assert 'data-progress="25"' in html
