"""Shared fixtures: a fixed cast of named users around two partnerships.

- ``admin``: a superuser.
- ``coordinator``: coordinates ``partnership`` (org A and org B are members).
- ``other_coordinator``: coordinates ``other_partnership`` only.
- ``partner_a`` / ``partner_b``: represent org A / org B, both in ``partnership``.
- ``partner_c``: represents org C, a member of ``other_partnership`` only.
- ``outsider``: signed in, belongs to nothing.
"""
from pathlib import Path

import pytest

from tests import factories as f

BROWSER_DIR = Path(__file__).resolve().parent / "browser"


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    Playwright keeps an event loop running in the main thread from its first test to the
    end of the session, and Django refuses ORM calls beside a running loop; every other
    test therefore runs before the first browser test starts it.
    """
    items.sort(key=lambda item: BROWSER_DIR in Path(str(item.fspath)).resolve().parents)


@pytest.fixture(autouse=True)
def _empty_fragment_cache():
    """Each test starts with no cached pages."""
    from django.core.cache import caches

    caches["fragments"].clear()
    yield


@pytest.fixture
def admin(db):
    return f.UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def coordinator(db):
    return f.UserFactory(email="koordinator@example.org")


@pytest.fixture
def other_coordinator(db):
    return f.UserFactory(email="koordinator2@example.org")


@pytest.fixture
def org_a(db):
    return f.OrganisationFactory(name="RS Sehat Sentosa", sector="health")


@pytest.fixture
def org_b(db):
    return f.OrganisationFactory(name="SD Negeri 1 Harapan", sector="education")


@pytest.fixture
def org_c(db):
    return f.OrganisationFactory(name="PT Udara Bersih", sector="business")


@pytest.fixture
def partnership(db, coordinator):
    p = f.PartnershipFactory(title="Kesehatan Anak Sehat")
    p.coordinators.add(coordinator)
    return p


@pytest.fixture
def other_partnership(db, other_coordinator):
    p = f.PartnershipFactory(title="Udara Bersih Kota", type="advocacy")
    p.coordinators.add(other_coordinator)
    return p


@pytest.fixture
def membership_a(partnership, org_a):
    return f.MembershipFactory(partnership=partnership, organisation=org_a)


@pytest.fixture
def membership_b(partnership, org_b):
    return f.MembershipFactory(partnership=partnership, organisation=org_b)


@pytest.fixture
def membership_c(other_partnership, org_c):
    return f.MembershipFactory(partnership=other_partnership, organisation=org_c)


@pytest.fixture
def partner_a(db, org_a, membership_a):
    user = f.UserFactory(email="mitra.a@example.org")
    org_a.representatives.add(user)
    return user


@pytest.fixture
def partner_b(db, org_b, membership_b):
    user = f.UserFactory(email="mitra.b@example.org")
    org_b.representatives.add(user)
    return user


@pytest.fixture
def partner_c(db, org_c, membership_c):
    user = f.UserFactory(email="mitra.c@example.org")
    org_c.representatives.add(user)
    return user


@pytest.fixture
def outsider(db):
    return f.UserFactory(email="orang.luar@example.org")


@pytest.fixture
def report_a(membership_a, partner_a):
    return f.ContributionReportFactory(membership=membership_a, created_by=partner_a)


@pytest.fixture
def english(client, settings):
    """Read pages and messages in English (the source language) instead of the Indonesian default.

    The language cookie wins over the profile language, so signed-in users see English too.
    """
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
