"""factory_boy factories for every model; tests build state with these and the services."""
import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from evaluations.models import (
    Decision,
    EvaluationCycle,
    EvaluationResponse,
    Finding,
    FollowUpAction,
    Vote,
)
from partners.models import (
    ContributionKind,
    ContributionReport,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)

PASSWORD = "kata-sandi-uji-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="id_ID")
    preferred_language = "id"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisasi {n}")
    sector = Organisation.Sector.NONPROFIT
    email = factory.Sequence(lambda n: f"org{n}@example.org")
    city = "Bandung"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    title = factory.Sequence(lambda n: f"Kemitraan {n}")
    problem_statement = "Masalah sosial yang diatasi bersama."
    type = Partnership.Type.SERVICE
    status = Partnership.Status.ACTIVE
    start_date = datetime.date(2026, 1, 1)
    planned_end_date = datetime.date(2028, 12, 31)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    partnership = factory.SubFactory(PartnershipFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER
    joined_on = datetime.date(2026, 1, 1)
    commitment_statement = "Berkomitmen mendukung program selama tiga tahun."
    commitment_start = datetime.date(2026, 1, 1)
    commitment_end = datetime.date(2028, 12, 31)
    expected_benefits = "Jangkauan program yang lebih luas."


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    membership = factory.SubFactory(MembershipFactory)
    kind = ContributionKind.FUNDS
    value = Decimal("10000000")


class SharedGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharedGoal

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Tujuan {n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    goal = factory.SubFactory(SharedGoalFactory)
    name = factory.Sequence(lambda n: f"Indikator {n}")
    unit = "anak"
    baseline = Decimal("0")
    target = Decimal("100")
    target_date = datetime.date(2027, 12, 31)


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    membership = factory.SubFactory(MembershipFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 3, 31)
    value = Decimal("25")


class ContributionReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContributionReport

    membership = factory.SubFactory(MembershipFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 3, 31)
    kind = ContributionKind.FUNDS
    quantity = Decimal("1")
    unit = "paket"
    value = Decimal("5000000")
    description = "Dana operasional posyandu."
    status = ContributionReport.Status.DRAFT


class EvaluationCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationCycle

    partnership = factory.SubFactory(PartnershipFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 3, 31)
    due_date = datetime.date(2026, 4, 15)
    status = EvaluationCycle.Status.SCHEDULED


class EvaluationResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationResponse

    cycle = factory.SubFactory(EvaluationCycleFactory)
    membership = factory.SubFactory(MembershipFactory)
    score_shared_goals = 4
    score_mutual_benefit = 4
    score_long_term_commitment = 4
    score_shared_leadership = 3
    score_accountability = 4
    score_continuous_evaluation = 3


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    cycle = factory.SubFactory(EvaluationCycleFactory)
    title = factory.Sequence(lambda n: f"Temuan {n}")


class FollowUpActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Tindak lanjut {n}")
    owner_organisation = factory.SubFactory(OrganisationFactory)
    due_date = datetime.date(2026, 6, 30)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Keputusan {n}")
    description = "Usulan bersama."
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    decision = factory.SubFactory(DecisionFactory)
    membership = factory.SubFactory(MembershipFactory)
    choice = Vote.Choice.AGREE
