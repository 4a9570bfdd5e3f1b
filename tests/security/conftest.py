"""Fixtures of the hostile input tests: the access matrix's world plus the other partnership's objects."""
import datetime

import pytest
from django.utils import timezone

from evaluations.models import EvaluationCycle
from partners.models import ContributionReport
from tests import factories as f
from tests.security.hostile import HostileWorld
from tests.security.test_access_matrix import world  # noqa: F401  (a fixture, used by hostile_world)


@pytest.fixture
def hostile_world(world, other_partnership,  # noqa: F811
                   membership_c, org_c, partner_c, other_coordinator):
    """The access matrix's world plus objects of the OTHER partnership, whose ids are posted as hostile values."""
    objects, users = world
    # An organisation of the coordinator's second partnership, without representatives: the one the
    # coordinator may add as a member of P and invite people for (accounts.selectors).
    second = f.PartnershipFactory(title="Kemitraan Kedua")
    second.coordinators.add(users["coordinator"])
    f.MembershipFactory(partnership=second, organisation=f.OrganisationFactory(name="Yayasan Kedua"))
    goal = f.SharedGoalFactory(partnership=other_partnership)
    other = {
        "partnership": other_partnership,
        "membership": membership_c,
        "pledge": f.PledgeFactory(membership=membership_c),
        "goal": goal,
        "indicator": f.IndicatorFactory(goal=goal),
        "report": f.ContributionReportFactory(membership=membership_c, status=ContributionReport.Status.SUBMITTED,
                                              submitted_at=timezone.now()),
        "draft": f.ContributionReportFactory(membership=membership_c),
        "cycle": f.EvaluationCycleFactory(partnership=other_partnership, status=EvaluationCycle.Status.OPEN,
                                          due_date=datetime.date(2099, 1, 1)),
        "action": f.FollowUpActionFactory(partnership=other_partnership, owner_organisation=org_c),
        "decision": f.DecisionFactory(partnership=other_partnership),
    }
    other["finding"] = f.FindingFactory(cycle=other["cycle"])
    foreign = {}
    for obj in other.values():
        foreign.setdefault(obj._meta.label, set()).add(obj.pk)
    own_ids = [obj.pk for obj in objects.values()]
    ids = sorted({*own_ids, *(obj.pk for obj in other.values()), org_c.pk, partner_c.pk, other_coordinator.pk})
    return HostileWorld(objects=objects, users=users, other=other, foreign=foreign, ids=ids)
