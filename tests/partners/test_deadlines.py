"""The deadline rules of ``partners.deadlines``, each date rule at its boundary days.

Every rule is checked on the day before its boundary, the boundary itself and the day after:
the period's last day, the due day and the day after it (the first overdue day), the joining
and leaving days, the partnership's start, the edges of an overlapping report.
"""
import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from evaluations.models import EvaluationCycle
from evaluations.services import cycles_advance
from partners import services
from partners.deadlines import (
    Deadlines,
    Period,
    counted_reports,
    first_of_month,
    is_overdue,
    member_owes,
    member_reported,
    memberships_overdue,
    owing,
    period_label,
    period_owed_next,
    periods_ending_between,
    reports_owed,
)
from partners.models import DeadlineSettings, Frequency, Membership, Partnership
from tests import factories as f

D = datetime.date.fromisoformat
RULES = Deadlines(report_grace_days=14, evaluation_grace_days=14, evaluation_late_days=7)
Q1 = Period(D("2026-01-01"), D("2026-03-31"), Frequency.QUARTERLY)


def before_on_after(day: str):
    """The three boundary days around ``day``."""
    day = D(day)
    return [day - datetime.timedelta(days=1), day, day + datetime.timedelta(days=1)]


def boundary(day: str, expected: list) -> list[tuple]:
    """Pair the day before ``day``, ``day`` and the day after with what each should give."""
    return list(zip(before_on_after(day), expected, strict=True))


# --- periods ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "day", "start", "end", "key"),
    [
        (Frequency.MONTHLY, "2026-02-10", "2026-02-01", "2026-02-28", "2026-02"),
        (Frequency.MONTHLY, "2028-02-29", "2028-02-01", "2028-02-29", "2028-02"),
        (Frequency.QUARTERLY, "2026-05-31", "2026-04-01", "2026-06-30", "2026-Q2"),
        (Frequency.QUARTERLY, "2026-11-28", "2026-10-01", "2026-12-31", "2026-Q4"),
        (Frequency.HALF_YEARLY, "2026-07-01", "2026-07-01", "2026-12-31", "2026-H2"),
        (Frequency.YEARLY, "2026-03-03", "2026-01-01", "2026-12-31", "2026"),
    ],
)
def test_periods_are_calendar_aligned_and_keys_round_trip(frequency, day, start, end, key):
    period = Period.containing(frequency, D(day))
    assert (period.start, period.end, period.key) == (D(start), D(end), key)
    assert Period.from_key(key) == period


@pytest.mark.parametrize("frequency", Frequency.values)
def test_a_period_ends_on_its_last_day_and_the_next_begins_the_day_after(frequency):
    period = Period.containing(frequency, D("2026-05-10"))
    before, last, after = before_on_after(period.end.isoformat())
    assert Period.containing(frequency, before) == period
    assert Period.containing(frequency, last) == period
    assert Period.containing(frequency, after) == period.next() != period
    assert period.next().previous() == period
    assert Period.containing(frequency, period.start - datetime.timedelta(days=1)) == period.previous()


def test_periods_cross_the_year():
    december = Period.containing(Frequency.MONTHLY, D("2026-12-31"))
    assert december.next() == Period(D("2027-01-01"), D("2027-01-31"), Frequency.MONTHLY)
    assert Period.containing(Frequency.HALF_YEARLY, D("2027-01-01")).previous().key == "2026-H2"
    assert first_of_month(D("2026-11-15"), 3) == D("2027-02-01")
    assert first_of_month(D("2026-01-31"), -1) == D("2025-12-01")


@pytest.mark.parametrize(("start", "end", "english", "indonesian"), [
    ("2026-03-01", "2026-03-31", "March 2026", "Maret 2026"),
    ("2026-04-01", "2026-06-30", "Q2 2026", None),
    ("2026-07-01", "2026-12-31", "H2 2026", None),
    ("2026-01-01", "2026-12-31", "2026", "2026"),
    ("2026-02-01", "2026-04-30", "1 Feb 2026 – 30 Apr 2026", None),  # no frequency has it: the dates
])
def test_period_labels_in_the_active_language(start, end, english, indonesian):
    with translation.override("en"):
        assert period_label(D(start), D(end)) == english
    if indonesian:
        with translation.override("id"):
            assert period_label(D(start), D(end)) == indonesian


def test_periods_ending_between_includes_both_bounds():
    ends = [p.end for p in periods_ending_between(Frequency.MONTHLY, D("2026-01-31"), D("2026-03-31"))]
    assert ends == [D("2026-01-31"), D("2026-02-28"), D("2026-03-31")]
    assert list(periods_ending_between(Frequency.MONTHLY, D("2026-02-01"), D("2026-03-30"))) == [
        Period.containing(Frequency.MONTHLY, D("2026-02-01"))
    ]
    assert list(periods_ending_between(Frequency.QUARTERLY, D("2026-04-01"), D("2026-06-29"))) == []


# --- due and overdue -------------------------------------------------------------------------------


def test_a_report_is_due_on_the_period_end_plus_the_grace():
    assert RULES.report_due(Q1) == D("2026-04-14")
    assert Deadlines(report_grace_days=0, evaluation_grace_days=14, evaluation_late_days=7).report_due(Q1) == Q1.end


@pytest.mark.parametrize(("today", "overdue"), boundary("2026-04-14", [False, False, True]))
def test_overdue_only_after_the_due_date(today, overdue):
    assert is_overdue(D("2026-04-14"), today) is overdue


@pytest.mark.parametrize(("today", "last_due"), boundary("2026-04-14", ["2025-Q4", "2025-Q4", "2026-Q1"]))
def test_the_last_due_period_changes_the_day_after_the_due_date(today, last_due):
    assert RULES.last_due_period(Frequency.QUARTERLY, today).key == last_due


def test_periods_due_between_follow_the_grace():
    assert [p.key for p in RULES.periods_due_between(Frequency.QUARTERLY, D("2026-04-14"), D("2026-04-14"))] == [
        "2026-Q1"]
    assert list(RULES.periods_due_between(Frequency.QUARTERLY, D("2026-04-15"), D("2026-07-13"))) == []


def test_the_admin_sets_the_grace(db):
    assert Deadlines.load() == RULES  # the defaults, from the row the migration made
    DeadlineSettings.objects.update(report_grace_days=30)
    assert Deadlines.load().report_due(Q1) == D("2026-04-30")
    DeadlineSettings.objects.all().delete()
    assert Deadlines.load() == RULES  # no row: the model's defaults


def test_saving_the_settings_refreshes_every_partnerships_cached_pages(db):
    partnership = f.PartnershipFactory()
    token = partnership.cache_token
    settings_row = DeadlineSettings.objects.get()
    settings_row.report_grace_days = 21
    services.deadline_settings_save(settings=settings_row)
    partnership.refresh_from_db()
    assert partnership.cache_token != token
    assert Deadlines.load().report_grace_days == 21


def test_the_settings_are_one_row(db):
    with pytest.raises(ValidationError) as error:
        DeadlineSettings(report_grace_days=20).full_clean()  # its primary key is always 1: taken
    assert "id" in error.value.error_dict
    row = DeadlineSettings.objects.get()
    row.report_grace_days = 400
    with pytest.raises(ValidationError):
        row.full_clean()  # at most a year


# --- who owes, reported, overdue (the queries) ------------------------------------------------------


def _owing_q1(membership) -> bool:
    """Whether ``membership`` owes Q1's report and has not reported it, by the query and by its Python twin.

    The page of one person's members decides in Python, the counts and the reminders in SQL:
    each boundary case below checks that both give the same answer.
    """
    by_query = Membership.objects.filter(owing(Q1), pk=membership.pk).exists()
    loaded = Membership.objects.select_related("partnership").get(pk=membership.pk)
    reports = counted_reports([loaded.pk], today=D("2026-05-10"), deadlines=RULES)[loaded.pk]
    in_python = member_owes(loaded, Q1) and not member_reported(reports, Q1)
    assert by_query is in_python
    return by_query


@pytest.fixture
def member(db):
    return f.MembershipFactory(joined_on=D("2025-06-01"), reporting_frequency=Frequency.QUARTERLY)


@pytest.mark.parametrize(("joined_on", "owes"), boundary("2026-01-01", [True, True, False]))
def test_a_member_owes_a_period_when_it_joined_by_its_first_day(member, joined_on, owes):
    Membership.objects.filter(pk=member.pk).update(joined_on=joined_on)
    assert _owing_q1(member) is owes


@pytest.mark.parametrize(("left_on", "owes"), boundary("2026-03-31", [False, True, True]))
def test_a_member_owes_a_period_when_it_had_not_left_before_its_last_day(member, left_on, owes):
    Membership.objects.filter(pk=member.pk).update(left_on=left_on)
    assert _owing_q1(member) is owes


@pytest.mark.parametrize(("started", "owes"), boundary("2026-03-31", [True, True, False]))
def test_a_member_owes_a_period_when_the_partnership_had_started_by_its_last_day(member, started, owes):
    Partnership.objects.filter(pk=member.partnership_id).update(start_date=started)
    assert _owing_q1(member) is owes


@pytest.mark.parametrize("status", ["draft", "paused", "completed"])
def test_only_members_of_active_partnerships_owe_reports(member, status):
    Partnership.objects.filter(pk=member.partnership_id).update(status=status)
    assert not _owing_q1(member)


def test_a_member_owes_only_the_periods_of_its_own_frequency(member):
    Membership.objects.filter(pk=member.pk).update(reporting_frequency=Frequency.MONTHLY)
    assert not _owing_q1(member)


@pytest.mark.parametrize(("status", "reported"), [
    ("draft", False), ("returned", False), ("submitted", True), ("accepted", True)])
def test_submitted_or_accepted_reports_count(member, status, reported):
    f.ContributionReportFactory(membership=member, status=status, return_reason="x" if status == "returned" else "")
    assert _owing_q1(member) is not reported


@pytest.mark.parametrize(("start", "end", "reported"), [
    ("2025-10-01", "2025-12-31", False),  # ends the day before the period
    ("2025-10-01", "2026-01-01", True),  # ends on its first day: overlaps
    ("2026-02-01", "2026-02-28", True),  # inside
    ("2026-03-31", "2026-04-30", True),  # starts on its last day: overlaps
    ("2026-04-01", "2026-04-30", False),  # starts the day after
])
def test_a_report_counts_for_the_periods_it_overlaps(member, start, end, reported):
    f.ContributionReportFactory(membership=member, status="submitted", period_start=D(start), period_end=D(end))
    assert _owing_q1(member) is not reported


@pytest.mark.parametrize(("today", "overdue"), boundary("2026-04-14", [False, False, True]))
def test_a_member_is_overdue_from_the_day_after_the_due_date(member, today, overdue):
    assert (member in memberships_overdue(today, RULES)) is overdue


def test_a_member_is_overdue_for_the_last_due_period_only(member):
    # Q1 was missed; once Q2 is due (14 July) and reported, the member is no longer overdue.
    f.ContributionReportFactory(membership=member, status="submitted", period_start=D("2026-04-01"),
                                period_end=D("2026-06-30"))
    assert member in memberships_overdue(D("2026-07-14"), RULES)
    assert member not in memberships_overdue(D("2026-07-15"), RULES)


# --- what a member owes on a day (the partner home, the new report form) ----------------------------


def _owed(member, today):
    member = Membership.objects.select_related("partnership").get(pk=member.pk)
    reports = counted_reports([member.pk], today=today, deadlines=RULES)[member.pk]
    return [(o.period.key, o.due, o.overdue) for o in reports_owed(member, reports, today=today, deadlines=RULES)]


@pytest.mark.parametrize(("today", "owed"), boundary("2026-04-14", [
    [("2026-Q1", D("2026-04-14"), False)],
    [("2026-Q1", D("2026-04-14"), False)],
    [("2026-Q1", D("2026-04-14"), True), ("2026-Q2", D("2026-07-14"), False)],
]))
def test_the_report_owed_next_turns_overdue_the_day_after_its_due_date(member, today, owed):
    assert _owed(member, today) == owed


def test_the_next_report_owed_skips_reported_periods_and_those_before_joining(member):
    Membership.objects.filter(pk=member.pk).update(joined_on=D("2026-02-10"))  # joined mid-Q1: owes Q2 first
    assert _owed(member, D("2026-05-10")) == [("2026-Q2", D("2026-07-14"), False)]
    f.ContributionReportFactory(membership=member, status="submitted", period_start=D("2026-04-01"),
                                period_end=D("2026-06-30"))
    assert _owed(member, D("2026-05-10")) == [("2026-Q3", D("2026-10-14"), False)]


def test_the_period_owed_next_is_the_overdue_one_first(member):
    def owed_next():
        loaded = Membership.objects.select_related("partnership").get(pk=member.pk)
        return period_owed_next(loaded, [], today=D("2026-05-10"), deadlines=RULES).key

    assert owed_next() == "2026-Q1"
    Partnership.objects.filter(pk=member.partnership_id).update(status="paused")  # owes nothing: today's period
    assert owed_next() == "2026-Q2"


# --- evaluation cycles ----------------------------------------------------------------------------


@pytest.mark.parametrize(("frequency", "day", "start", "end"), [
    (Partnership.EvaluationFrequency.QUARTERLY, "2026-03-31", "2026-01-01", "2026-03-31"),
    (Partnership.EvaluationFrequency.QUARTERLY, "2026-04-01", "2026-04-01", "2026-06-30"),
    (Partnership.EvaluationFrequency.HALF_YEARLY, "2026-06-30", "2026-01-01", "2026-06-30"),
    (Partnership.EvaluationFrequency.YEARLY, "2028-02-29", "2028-01-01", "2028-12-31"),
])
def test_evaluation_periods_are_the_same_periods(frequency, day, start, end):
    period = RULES.cycle_period(frequency, D(day))
    assert (period.start, period.end) == (D(start), D(end))
    assert RULES.cycle_due_date(period.end) == D(end) + datetime.timedelta(days=14)


@pytest.mark.parametrize(("today", "closed"), boundary("2026-04-21", [False, False, True]))
def test_an_open_cycle_closes_after_its_late_days(db, today, closed):
    # due 14 April, late answers for 7 days: open up to the 21st, closed from the 22nd
    assert RULES.cycles_closing_before(D("2026-04-21")) == D("2026-04-14")
    cycle = f.EvaluationCycleFactory(status=EvaluationCycle.Status.OPEN, due_date=D("2026-04-14"))
    cycles_advance(today=today)
    cycle.refresh_from_db()
    assert (cycle.status == EvaluationCycle.Status.CLOSED) is closed


def test_new_cycles_take_the_admins_evaluation_grace(db):
    DeadlineSettings.objects.update(evaluation_grace_days=10)
    partnership = f.PartnershipFactory(evaluation_frequency=Partnership.EvaluationFrequency.QUARTERLY)
    cycles_advance(today=D("2026-05-10"))
    assert EvaluationCycle.objects.get(partnership=partnership).due_date == D("2026-07-10")


def test_an_admin_edits_the_grace_in_the_admin_and_the_cached_pages_follow(client, admin, partner_a, membership_a):
    def report_deadlines():
        client.force_login(partner_a)
        home = client.get(reverse("workspace:partner_home")).context
        return [(d.due, d.overdue) for d in home["upcoming"] + home["overdue"] if d.kind == "report"]

    url = reverse("admin:partners_deadlinesettings_change", args=[1])
    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        # Q1 was due on 14 April, Q2 is due on 14 July; the page is now cached
        assert report_deadlines() == [(D("2026-07-14"), False), (D("2026-04-14"), True)]
        client.force_login(admin)
        assert client.get(url).status_code == 200
        assert client.get(reverse("admin:partners_deadlinesettings_add")).status_code == 403  # one row only
        bad = client.post(url, {"report_grace_days": "-1", "evaluation_grace_days": "14", "evaluation_late_days": "7"})
        assert bad.status_code == 200 and Deadlines.load().report_grace_days == 14  # refused, nothing changed
        response = client.post(url, {"report_grace_days": "30", "evaluation_grace_days": "14",
                                     "evaluation_late_days": "7"})
        assert response.status_code == 302 and Deadlines.load().report_grace_days == 30
        # the same day, the partner's home is built afresh (a cached page has no context): Q1 is due on
        # 30 April now, so it comes first and is not overdue
        assert report_deadlines() == [(D("2026-04-30"), False)]
