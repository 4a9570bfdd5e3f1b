"""``manage.py seed_demo``: the demo partnerships and accounts, idempotence, the DEBUG guard, --scale."""
import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest
from django.test import override_settings
from django.utils import timezone

from evaluations import services as evaluation_services
from evaluations.models import (
    Decision,
    EvaluationCycle,
    EvaluationResponse,
    Finding,
    FollowUpAction,
    Vote,
)
from workspace.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD
from partners.models import (
    ContributionKind,
    ContributionReport,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    Pledge,
)

User = get_user_model()
TITLES = {"Anak Sehat Kampung Kita", "Udara Bersih Kota Bandung", "Pelatihan Kerja Siap Kerja"}
SYNTHETIC = "Kemitraan Sintetis "


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def member_of(user):
    """Return the titles of the partnerships ``user``'s organisations are members of."""
    return set(
        Partnership.objects.filter(memberships__organisation__representatives=user).values_list("title", flat=True)
    )


def model_counts():
    """Count the rows of every model, history and many-to-many tables included."""
    return {model._meta.label: model.objects.count() for model in apps.get_models(include_auto_created=True)}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
SEED_DAYS = {
    "today": None,
    # New Year's night: a new quarter and half-year, the last ones still being answered.
    "quarter-start": datetime.datetime(2027, 1, 1, 0, 30, tzinfo=JAKARTA),
    # The morning after the last quarter's due date: its cycle has just closed.
    "day-after-due": datetime.datetime(2027, 4, 15, 9, 0, tzinfo=JAKARTA),
}


@pytest.fixture(scope="class", params=list(SEED_DAYS), ids=list(SEED_DAYS))
def demo(request, django_db_setup, django_db_blocker):
    """Seed once per class and day, inside a transaction rolled back after it (like setUpTestData).

    Each test still runs in its own savepoint (``django_db``), so a test that changes
    the data leaves the next one the freshly seeded demo. The demo is dated relative to
    the day it runs, so the class runs on days where the calendar has edges as well.
    """
    day = SEED_DAYS[request.param]
    traveller = time_machine.travel(day, tick=True) if day else None
    if traveller:
        traveller.start()
        request.addfinalizer(traveller.stop)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(DEBUG=True):
                output = seed()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield output
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.mark.django_db
class TestDemo:
    def test_demo_loads_the_seeds_three_partnerships(self, demo):
        partnerships = {p.title: p for p in Partnership.objects.all()}
        assert set(partnerships) == TITLES
        assert partnerships["Anak Sehat Kampung Kita"].type == Partnership.Type.SERVICE
        assert partnerships["Udara Bersih Kota Bandung"].type == Partnership.Type.ADVOCACY
        assert partnerships["Pelatihan Kerja Siap Kerja"].type == Partnership.Type.CAPACITY_BUILDING
        for partnership in partnerships.values():
            assert partnership.status == Partnership.Status.ACTIVE
            lead = partnership.memberships.get(organisation=partnership.lead_organisation)
            assert lead.role == Membership.Role.BACKBONE
            assert partnership.goals.count() == 2

    def test_demo_members_cover_every_sector_with_commitments_pledges_and_benefits(self, demo):
        assert set(Organisation.objects.values_list("sector", flat=True)) == set(Organisation.Sector.values)
        for membership in Membership.objects.all():
            assert membership.commitment_statement and membership.expected_benefits
            assert membership.commitment_start <= membership.commitment_end
        assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)
        assert Pledge.objects.count() >= Membership.objects.count() - 1
        assert all(isinstance(value, Decimal) for value in Pledge.objects.values_list("value", flat=True))

    def test_demo_has_a_commitment_ending_within_30_days(self, demo):
        today = timezone.localdate()
        ending = Membership.objects.filter(
            commitment_end__gte=today, commitment_end__lte=today + datetime.timedelta(days=30)
        )
        assert ending.filter(organisation__name="RSUD Kartini Sejahtera").exists()

    def test_demo_indicators_have_values_over_several_periods(self, demo):
        assert Indicator.objects.count() == 12
        for indicator in Indicator.objects.all():
            assert indicator.unit and indicator.target_date
            assert indicator.values.values("period_start").distinct().count() >= 4
        directions = set(Indicator.objects.values_list("direction", flat=True))
        assert directions == set(Indicator.Direction.values)
        for value in IndicatorValue.objects.select_related("indicator__goal", "membership"):
            assert value.membership.partnership_id == value.indicator.goal.partnership_id
            assert value.period_start >= value.membership.joined_on

    def test_demo_reports_come_in_every_status_and_kind(self, demo):
        reports = ContributionReport.objects.all()
        assert set(reports.values_list("status", flat=True)) == set(ContributionReport.Status.values)
        assert set(reports.values_list("kind", flat=True)) == set(ContributionKind.values)
        for report in reports.filter(status=ContributionReport.Status.RETURNED):
            assert report.return_reason and report.reviewed_by and report.reviewed_at
        for report in reports.filter(status=ContributionReport.Status.ACCEPTED):
            assert report.submitted_at < report.reviewed_at < timezone.now()
        for status in ContributionReport.Status.values:  # every status for each partnership, where a partner sees it
            assert reports.filter(status=status, membership__organisation__representatives__isnull=False).exists()

    def test_demo_report_history_reads_like_the_real_review(self, demo):
        report = ContributionReport.objects.get(description__startswith="Vaksin campak-rubela")
        history = list(report.history.order_by("history_date"))
        assert [h.status for h in history] == ["draft", "submitted", "returned", "submitted", "accepted"]
        assert [h.history_user.email for h in history] == [
            "mitra.rs@kemitraan.local", "mitra.rs@kemitraan.local", "koordinator@kemitraan.local",
            "mitra.rs@kemitraan.local", "koordinator@kemitraan.local",
        ]
        assert history[0].history_date == report.created_at
        assert history[-1].history_date == report.reviewed_at < timezone.now() - datetime.timedelta(days=30)

    def test_demo_has_two_closed_cycles_and_a_partly_answered_open_one_per_partnership(self, demo):
        for partnership in Partnership.objects.all():
            cycles = list(partnership.evaluation_cycles.order_by("period_start"))
            # Two open ones only in a period's first two weeks, while the last period is still answered.
            assert [c.status for c in cycles][:2] == ["closed", "closed"]
            assert {c.status for c in cycles[2:]} == {"open"} and len(cycles) in (3, 4)
            for closed in cycles[:2]:
                assert closed.opened_at < closed.closed_at < timezone.now()
                assert closed.responses.filter(status=EvaluationResponse.Status.SUBMITTED).count() >= 4
                assert closed.findings.exists()
            current = cycles[-1]
            assert current.period_start <= timezone.localdate() <= current.due_date
            assert 0 < current.responses.count() < partnership.memberships.count()
        assert EvaluationResponse.objects.filter(status=EvaluationResponse.Status.DRAFT).exists()

    def test_demo_is_already_where_the_daily_jobs_would_put_it(self, demo):
        # The seeded calendar matches the periodic jobs: nothing to create, open or close.
        assert evaluation_services.cycles_advance().as_dict() == {"created": [], "opened": [], "closed": []}
        assert evaluation_services.decisions_close_due() == []

    def test_demo_follow_up_actions_have_every_status_and_some_are_overdue(self, demo):
        today = timezone.localdate()
        actions = FollowUpAction.objects.all()
        assert set(actions.values_list("status", flat=True)) == set(FollowUpAction.Status.values)
        assert actions.filter(status__in=["open", "in_progress"], due_date__lt=today).count() >= 2
        soon = today + datetime.timedelta(days=7)
        assert actions.filter(status="open", due_date__gte=today, due_date__lte=soon).exists()
        assert all(a.completed_at for a in actions.filter(status="done"))
        assert Finding.objects.filter(actions__isnull=False).exists()

    def test_demo_has_a_closed_decision_with_its_outcome_and_an_open_one(self, demo):
        closed = Decision.objects.get(title="Menambah pemeriksaan gigi ke program sekolah")
        assert closed.status == Decision.Status.CLOSED and closed.outcome == Decision.Outcome.APPROVED
        agree = closed.votes.filter(choice=Vote.Choice.AGREE).count()
        assert agree > closed.votes.filter(choice=Vote.Choice.DISAGREE).count()
        rejected = Decision.objects.get(title="Membuka kelas akhir pekan di balai latihan kerja")
        assert rejected.outcome == Decision.Outcome.REJECTED
        still_open = Decision.objects.get(title="Memperpanjang kemitraan tiga tahun berikutnya")
        assert still_open.status == Decision.Status.OPEN and still_open.outcome == Decision.Outcome.PENDING
        assert still_open.closes_at > timezone.now() and still_open.votes.exists()
        # The two school/hospital representatives still have a vote to cast.
        hospital_votes = still_open.votes.filter(
            membership__organisation__representatives__email="mitra.rs@kemitraan.local"
        )
        assert not hospital_votes.exists()

    def test_demo_accounts_exist_for_every_role(self, demo):
        accounts = {a["email"]: User.objects.get(email=a["email"]) for a in DEMO_ACCOUNTS}
        admin = accounts["admin@kemitraan.local"]
        assert admin.is_superuser and admin.is_staff
        coordinator = accounts["koordinator@kemitraan.local"]
        assert set(coordinator.coordinated_partnerships.values_list("title", flat=True)) == TITLES
        assert not coordinator.organisations.exists()
        hospital, school = accounts["mitra.rs@kemitraan.local"], accounts["mitra.sekolah@kemitraan.local"]
        assert hospital.organisations.get() != school.organisations.get()
        for partner in (hospital, school):
            assert member_of(partner) == {"Anak Sehat Kampung Kita"}
        air = accounts["mitra.udara@kemitraan.local"]
        assert member_of(air) == {"Udara Bersih Kota Bandung"}
        assert {u.preferred_language for u in accounts.values()} == {"id", "en"}
        for user in accounts.values():
            validate_password(DEMO_PASSWORD, user)  # the printed password passes the project's validators

    def test_demo_accounts_sign_in_with_the_printed_password(self, demo, client):
        assert f"password for all: {DEMO_PASSWORD}" in demo
        for account in DEMO_ACCOUNTS:
            assert account["email"] in demo and account["password"] == DEMO_PASSWORD
            # django-axes needs a request to authenticate against.
            assert client.login(request=HttpRequest(), email=account["email"], password=account["password"])
            client.logout()

    def test_running_twice_changes_nothing(self, demo, debug):
        before = model_counts()
        output = seed()
        assert model_counts() == before
        assert output.count("already present, left as it is") == 3
        assert "0 accounts and 0 organisations created" in output

    def test_running_again_on_a_later_day_adds_no_second_history(self, demo, debug):
        before = model_counts()
        with time_machine.travel(timezone.now() + datetime.timedelta(days=100)):
            seed()
        assert model_counts() == before

    def test_an_existing_demo_account_keeps_its_changed_password(self, demo, debug):
        user = User.objects.get(email="koordinator@kemitraan.local")
        user.set_password("another-long-password-77")
        user.save()
        seed()
        user.refresh_from_db()
        assert user.check_password("another-long-password-77")


def test_refuses_to_run_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not User.objects.exists() and not Partnership.objects.exists()


def test_force_runs_even_when_debug_is_off(db, settings):
    settings.DEBUG = False
    seed("--force")
    assert set(Partnership.objects.values_list("title", flat=True)) == TITLES


# --- --scale --------------------------------------------------------------------------------


def synthetic_counts():
    in_synthetic = {"membership__partnership__title__startswith": SYNTHETIC}
    return {
        "partnerships": Partnership.objects.filter(title__startswith=SYNTHETIC).count(),
        "organisations": Organisation.objects.filter(name__startswith="Organisasi Sintetis ").count(),
        "memberships": Membership.objects.filter(partnership__title__startswith=SYNTHETIC).count(),
        "reports": ContributionReport.objects.filter(**in_synthetic).count(),
        "indicator values": IndicatorValue.objects.filter(**in_synthetic).count(),
        "cycles": EvaluationCycle.objects.filter(partnership__title__startswith=SYNTHETIC).count(),
        "open cycles": EvaluationCycle.objects.filter(partnership__title__startswith=SYNTHETIC, status="open").count(),
        "responses": EvaluationResponse.objects.filter(**in_synthetic).count(),
        "users": User.objects.filter(email__contains=".sintetis.").count(),
        "decisions": Decision.objects.filter(partnership__title__startswith=SYNTHETIC).count(),
        "votes": Vote.objects.filter(**in_synthetic).count(),
        "actions": FollowUpAction.objects.filter(partnership__title__startswith=SYNTHETIC).count(),
    }


def expected_counts(n, users):
    return {
        "partnerships": n, "organisations": 10 * n, "memberships": 10 * n, "reports": 500 * n,
        "indicator values": 1000 * n, "cycles": 7 * n, "open cycles": n, "responses": 50 * n, "users": users,
        "decisions": 2 * n, "votes": 14 * n, "actions": 3 * n,
    }


MID_QUARTER = datetime.datetime(2026, 11, 16, 10, tzinfo=datetime.UTC)


@time_machine.travel(MID_QUARTER, tick=True)
def test_scale_adds_proportional_synthetic_data_with_progress(db, debug):
    output = seed("--scale", "2")
    assert synthetic_counts() == expected_counts(2, users=1 + 2)
    for stage in ("users", "organisations", "memberships", "contribution reports", "indicator values",
                  "evaluation cycles", "evaluation responses", "decisions", "votes"):
        stage_lines = [line for line in output.splitlines() if line.lstrip().startswith(stage)]
        assert stage_lines and stage_lines[-1].rstrip().endswith(")"), stage
    synthetic = ContributionReport.objects.filter(membership__partnership__title__startswith=SYNTHETIC)
    statuses = {s: synthetic.filter(status=s).count() for s in ContributionReport.Status.values}
    assert all(statuses.values()) and statuses["accepted"] > sum(statuses.values()) / 2
    assert not synthetic.filter(status="returned", return_reason="").exists()
    assert synthetic.dates("period_start", "year").count() >= 3
    # Each representative serves organisations in more than one partnership.
    rep = User.objects.get(email="mitra.sintetis.000001@kemitraan.local")
    assert Partnership.objects.filter(memberships__organisation__representatives=rep).distinct().count() == 2
    assert rep.check_password(DEMO_PASSWORD)
    closed = Decision.objects.filter(partnership__title__startswith=SYNTHETIC, status="closed")
    assert closed.count() == 2 and not closed.filter(outcome="pending").exists()
    # Synthetic cycles and decisions sit on the daily jobs' calendar too.
    assert evaluation_services.cycles_advance().as_dict() == {"created": [], "opened": [], "closed": []}
    assert evaluation_services.decisions_close_due() == []


@time_machine.travel(MID_QUARTER, tick=True)
def test_scale_again_adds_nothing_and_a_larger_scale_adds_only_the_difference(db, debug):
    seed("--scale", "2")
    before = model_counts()
    output = seed("--scale", "2")
    assert "nothing added" in output
    assert model_counts() == before
    output = seed("--scale", "3", "--batch-size", "7")
    assert "adding 1 partnerships (Kemitraan Sintetis 000003 to 000003)" in output
    assert synthetic_counts() == expected_counts(3, users=1 + 3)
    # The new partnership shares an organisation with the one before it.
    third = Partnership.objects.get(title="Kemitraan Sintetis 000003")
    assert third.memberships.filter(organisation__name="Organisasi Sintetis 0000020").exists()


def test_scale_respects_the_debug_guard(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        seed("--scale", "1")
    assert not Partnership.objects.exists()
