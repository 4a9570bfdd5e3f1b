"""Load the demo for ``manage.py seed_demo``: the data of ``data.py`` and ``partnerships.py``, created
through the services the app uses.

``build_demo`` loads the seed's three partnerships (a children's health service, clean air for
Bandung, job training) with members from every sector, goals, indicators and values, contribution
reports in every status, evaluation cycles with findings and follow-up actions, decisions with votes,
and one demo account for every role.

Everything is dated relative to the day it runs: the past is written *as of* the moment it would
have happened (``as_of``), through the same services the app uses, so the timestamps and the change
history read like a partnership that has been running for a while. The synthetic bulk data set
behind ``seed_demo --scale N`` is ``workspace/demo/synthetic.py``.
"""
import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from evaluations import access as evaluation_access
from evaluations import services as evaluation_services
from evaluations.models import SCORE_FIELDS, FollowUpAction, Vote
from partners import services as partner_services
from partners.deadlines import Deadlines, Period, first_of_month
from partners.models import (
    Frequency,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)

from .data import DEMO_ACCOUNTS, DEMO_PASSWORD, ORGANISATIONS, WHAT_TO_CHANGE, WHAT_WORKS
from .partnerships import PARTNERSHIPS


# --- dates and "as of" ------------------------------------------------------------------


def quarter_of(day: datetime.date) -> Period:
    """The calendar quarter containing ``day`` (the demo's partnerships run on quarters)."""
    return Period.containing(Frequency.QUARTERLY, day)


def moment(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """Return ``day`` at ``hour`` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@contextmanager
def as_of(when: datetime.datetime, user=None):
    """Run writes as if ``user`` made them at ``when``.

    ``timezone.now`` answers ``when`` (so auto timestamps, the services' ``submitted_at``
    and ``reviewed_at``, and history dates agree), and simple-history records ``user``
    as the author, as the history middleware would during a request. Meant for seeding
    the past only; never use it in request code.
    """
    request = SimpleNamespace(user=user) if user is not None else None
    previous = getattr(HistoricalRecords.context, "request", None)
    with mock.patch("django.utils.timezone.now", return_value=when):
        HistoricalRecords.context.request = request
        try:
            yield
        finally:
            if previous is None:
                if hasattr(HistoricalRecords.context, "request"):
                    del HistoricalRecords.context.request
            else:
                HistoricalRecords.context.request = previous


class Clock:
    """Hand out past moments: ``wanted`` unless it is too recent, and always later than ``after``.

    Moments are kept an hour before the real now, so that a short chain of steps pushed
    past that limit (a report submitted and reviewed early on the first day of a quarter)
    still gets increasing moments, a minute apart, all in the past.
    """

    def __init__(self, now: datetime.datetime):
        self.latest = now - datetime.timedelta(hours=1)

    def at(self, wanted: datetime.datetime, *, after: datetime.datetime | None = None) -> datetime.datetime:
        value = min(wanted, self.latest)
        if after is not None and value <= after:
            value = after + datetime.timedelta(minutes=1)
        return value


def _saved(obj):
    """Validate the fields (choices, lengths) and save; the database checks keys and constraints.

    A full ``full_clean`` would ask the database about every foreign key and check
    constraint first, for rows this module has just made: four thousand queries that
    the constraints on the tables make redundant.
    """
    obj.clean_fields(exclude={f.name for f in obj._meta.concrete_fields if f.is_relation})
    obj.clean()
    obj.save()
    return obj


# --- accounts ---------------------------------------------------------------------------


def ensure_demo_accounts() -> tuple[dict, int]:
    """Create the missing demo accounts; never touch an existing one. Return (users by email, created)."""
    User = get_user_model()
    users, created = {}, 0
    for spec in DEMO_ACCOUNTS:
        user = User.objects.filter(email=spec["email"]).first()
        if user is None:
            user = User(
                email=spec["email"],
                full_name=spec["full_name"],
                preferred_language=spec["language"],
                is_staff=spec["is_superuser"],
                is_superuser=spec["is_superuser"],
            )
            validate_password(DEMO_PASSWORD, user)
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            created += 1
        users[spec["email"]] = user
    return users, created


# --- the demo ---------------------------------------------------------------------------


@dataclass
class DemoResult:
    accounts_created: int = 0
    organisations_created: int = 0
    partnerships_created: list[str] = field(default_factory=list)
    partnerships_present: list[str] = field(default_factory=list)


@transaction.atomic
def build_demo() -> DemoResult:
    """Load the demo partnerships and accounts; what is already there is left as it is.

    Accounts, organisations, partnerships and memberships are found by their natural
    keys (email, name, title, partnership + organisation). A partnership's dated history
    (reports, values, cycles, decisions) is built only when the partnership itself is
    new, so running again on a later day adds no second history. One transaction: a
    failed run leaves nothing half-made.
    """
    result = DemoResult()
    real_now = timezone.now()
    today = timezone.localdate(real_now)
    users, result.accounts_created = ensure_demo_accounts()
    admin = users["admin@kemitraan.local"]

    # Organisations were registered a little before the oldest partnership began.
    oldest_start = first_of_month(quarter_of(today).start, -3 * max(p["start_quarters_ago"] for p in PARTNERSHIPS))
    registered = Clock(real_now).at(moment(oldest_start - datetime.timedelta(days=30)))
    organisations = {}
    for key, spec in ORGANISATIONS.items():
        defaults = {
            **spec,
            "email": f"kontak@{key.replace('_', '-')}.example",
            "phone": f"+62 21 555 0{len(organisations):03d}",
        }
        defaults.pop("name")
        org = Organisation.objects.filter(name=spec["name"]).first()
        if org is None:
            with as_of(registered, admin):
                org = _saved(Organisation(name=spec["name"], **defaults))
            result.organisations_created += 1
        organisations[key] = org
    for spec in DEMO_ACCOUNTS:
        if spec["organisation"]:
            org = next(o for o in organisations.values() if o.name == spec["organisation"])
            org.representatives.add(users[spec["email"]])

    for spec in PARTNERSHIPS:
        builder = _PartnershipBuilder(spec, organisations, users, real_now, today)
        if builder.ensure():
            result.partnerships_created.append(spec["title"])
        else:
            result.partnerships_present.append(spec["title"])
    return result


class _PartnershipBuilder:
    """Build one demo partnership and its dated history from its entry in ``PARTNERSHIPS``."""

    def __init__(self, spec, organisations, users, real_now, today):
        self.spec = spec
        self.orgs = organisations
        self.users = users
        self.now = real_now
        self.today = today
        self.clock = Clock(real_now)
        self.rng = random.Random(spec["title"])
        self.this_quarter = quarter_of(today).start
        self.coordinator = users[spec["coordinators"][0]]
        self.representative = {
            a["organisation"]: users[a["email"]] for a in DEMO_ACCOUNTS if a["organisation"]
        }

    def quarter(self, offset):
        quarter = quarter_of(first_of_month(self.this_quarter, 3 * offset))
        return quarter.start, quarter.end

    def rep(self, org_key):
        return self.representative.get(self.orgs[org_key].name)

    def ensure(self) -> bool:
        """Create the partnership if missing and always ensure its coordinators and members; tell if it was new."""
        spec = self.spec
        start = first_of_month(self.this_quarter, -3 * spec["start_quarters_ago"])
        self.partnership = Partnership.objects.filter(title=spec["title"]).first()
        created = self.partnership is None
        if created:
            with as_of(self.clock.at(moment(start - datetime.timedelta(days=14))), self.coordinator):
                self.partnership = _saved(Partnership(
                    title=spec["title"],
                    problem_statement=spec["problem_statement"],
                    description=spec["description"],
                    type=spec["type"],
                    status=Partnership.Status.ACTIVE,
                    start_date=start,
                    planned_end_date=first_of_month(start, 12 * spec["years"]) - datetime.timedelta(days=1),
                    lead_organisation=self.orgs[spec["lead"]],
                    evaluation_frequency=spec["evaluation_frequency"],
                ))
        self.partnership.coordinators.add(*(self.users[email] for email in spec["coordinators"]))
        self.memberships = {m["org"]: self._ensure_membership(m, start) for m in spec["members"]}
        if created:
            self._build_history()
        return created

    def _ensure_membership(self, m, start):
        org = self.orgs[m["org"]]
        membership = Membership.objects.filter(partnership=self.partnership, organisation=org).first()
        if membership is not None:
            return membership
        joined = first_of_month(start, 3 * m.get("joined_quarters_later", 0))
        end = first_of_month(joined, 12 * self.spec["years"]) - datetime.timedelta(days=1)
        if "commitment_ends_in_days" in m:
            end = self.today + datetime.timedelta(days=m["commitment_ends_in_days"])
        with as_of(self.clock.at(moment(joined - datetime.timedelta(days=7))), self.coordinator):
            membership = _saved(Membership(
                partnership=self.partnership,
                organisation=org,
                role=m["role"],
                joined_on=joined,
                commitment_statement=m["commitment"],
                commitment_start=joined,
                commitment_end=end,
                expected_benefits=m["benefits"],
                reporting_frequency=m.get("reporting_frequency", Frequency.QUARTERLY),
            ))
            for kind, description, quantity, unit, value in m["pledges"]:
                _saved(Pledge(membership=membership, kind=kind, description=description,
                              quantity=Decimal(quantity), unit=unit, value=Decimal(value)))
        return membership

    # --- dated history, built once -------------------------------------------------

    def _build_history(self):
        goals = self._build_goals()
        self._build_reports(goals)
        self._build_cycles()
        self._build_decisions()

    def _build_goals(self):
        goals = []
        target_date = self.partnership.planned_end_date
        for order, g in enumerate(self.spec["goals"], start=1):
            with as_of(self.clock.at(moment(self.partnership.start_date)), self.coordinator):
                goal = _saved(SharedGoal(partnership=self.partnership, title=g["title"],
                                         description=g["description"], order=order))
            goals.append(goal)
            for i in g["indicators"]:
                with as_of(self.clock.at(moment(self.partnership.start_date)), self.coordinator):
                    indicator = _saved(Indicator(
                        goal=goal, name=i["name"], unit=i["unit"], baseline=Decimal(i["baseline"]),
                        target=Decimal(i["target"]), target_date=target_date, direction=i["direction"],
                    ))
                for org_key, values in i["values"].items():
                    membership = self.memberships[org_key]
                    reporter = self.rep(org_key) or self.coordinator
                    for offset, value in zip(range(-len(values), 0), values):
                        if value is None:
                            continue
                        period_start, period_end = self.quarter(offset)
                        when = self.clock.at(moment(period_end + datetime.timedelta(days=6)))
                        with as_of(when, reporter):
                            _saved(IndicatorValue(
                                indicator=indicator, membership=membership, period_start=period_start,
                                period_end=period_end, value=Decimal(str(value)), reported_by=reporter,
                                note="Data dari pencatatan mitra.",
                            ))
        return goals

    def _build_reports(self, goals):
        for entry in self.spec["reports"]:
            org_key, offset, kind, quantity, unit, value, description, path, goal_indexes = entry[:9]
            reason = entry[9] if len(entry) > 9 else ""
            membership = self.memberships[org_key]
            author = self.rep(org_key) or self.coordinator
            period_start, period_end = self.quarter(offset)
            # A report is written after its period ends; the current quarter's are still drafts.
            base = period_end + datetime.timedelta(days=3) if offset < 0 else self.today - datetime.timedelta(days=4)
            created = self.clock.at(moment(base, 9))
            with as_of(created, author):
                report = partner_services.report_create(
                    membership=membership, user=author, goals=[goals[i] for i in goal_indexes],
                    period_start=period_start, period_end=period_end, kind=kind,
                    quantity=Decimal(quantity), unit=unit, value=Decimal(value), description=description,
                )
            steps = {
                "draft": [],
                "submitted": ["submit"],
                "accepted": ["submit", "accept"],
                "returned": ["submit", "return"],
                "resubmitted": ["submit", "return", "resubmit"],
                "corrected": ["submit", "return", "resubmit", "accept"],
            }[path]
            when = created
            for step in steps:
                when = self.clock.at(when + datetime.timedelta(days=self.rng.randint(2, 6), hours=3), after=when)
                actor = author if step in ("submit", "resubmit") else self.coordinator
                with as_of(when, actor):
                    if step == "submit":
                        partner_services.report_submit(report=report, user=actor)
                    elif step == "resubmit":
                        partner_services.report_resubmit(report=report, user=actor)
                    elif step == "accept":
                        partner_services.report_accept(report=report, user=actor)
                    else:
                        partner_services.report_return(report=report, user=actor, reason=reason)

    def _build_cycles(self):
        """Build the cycles on the calendar the daily ``cycles_advance`` job keeps.

        The current period's cycle is open (members answer during the period and until
        its due date); earlier ones were closed the day after their due date. Going back
        from today until the spec's closed cycles are placed gives two closed and one
        open cycle, or two open ones in the first two weeks of a period, when the
        previous period is still being answered.
        """
        frequency = self.partnership.evaluation_frequency
        closed_specs = list(self.spec["cycles"]["closed"])
        periods, closed = [], 0
        deadlines = Deadlines.load()
        period = deadlines.cycle_period(frequency, self.today)
        while closed < len(closed_specs):
            due = deadlines.cycle_due_date(period.end)
            is_open = due >= self.today
            periods.append((period.start, period.end, due, is_open))
            closed += not is_open
            period = period.previous()
        specs = iter(closed_specs)
        for index, (start, end, due, is_open) in enumerate(reversed(periods)):
            self._build_cycle(start, end, due, index=index, closed_spec=None if is_open else next(specs))

    def _build_cycle(self, period_start, period_end, due, *, index, closed_spec):
        opened = self.clock.at(moment(period_start, 7))
        with as_of(opened, self.coordinator):
            cycle = evaluation_services.cycle_create(
                partnership=self.partnership, user=self.coordinator, period_start=period_start,
                period_end=period_end, due_date=due, open_now=True,
            )
        if closed_spec is None:
            # Open: a few members have answered so far, one of them only in part.
            answering = [(key, status == "submitted") for key, status in self.spec["cycles"]["open_answered"].items()]
            until = self.now
        else:
            # Closed: every member asked but one answered before the due date.
            asked = [key for key, m in self.memberships.items() if evaluation_access.is_asked(m, cycle)]
            skipped = self.rng.choice(asked) if len(asked) > 3 else None
            answering = [(key, True) for key in asked if key != skipped]
            until = moment(due, 16)
        step = (min(until, self.now) - opened) / (len(answering) + 1)
        for n, (org_key, submitted) in enumerate(answering, start=1):
            self._response(cycle, org_key, self.clock.at(opened + step * n, after=opened),
                           submitted=submitted, index=index)
        if closed_spec is None:
            return
        closed_at = self.clock.at(moment(due + datetime.timedelta(days=1), 1), after=opened)
        with as_of(closed_at, self.coordinator):
            evaluation_services.cycle_close(cycle=cycle)
        # Findings are noted after closing, or while answers come in when the cycle closed only lately,
        # so that their actions can be overdue already.
        noted = self.clock.at(
            min(closed_at + datetime.timedelta(days=2, hours=8), self.now - datetime.timedelta(days=21)), after=opened
        )
        for title, principle, description, actions in closed_spec["findings"]:
            with as_of(noted, self.coordinator):
                finding = evaluation_services.finding_create(
                    cycle=cycle, user=self.coordinator, title=title, description=description, principle=principle,
                )
            for action_title, owner_key, status, due_in_days in actions:
                self._action(finding, action_title, owner_key, status, due_in_days, noted)

    def _response(self, cycle, org_key, when, *, submitted, index):
        spec = next(m for m in self.spec["members"] if m["org"] == org_key)
        author = self.rep(org_key)
        # Later cycles score a little higher: the partnership is learning.
        fields = {name: min(5, self.rng.choice([2, 3, 3, 4, 4, 5]) + (index >= 1)) for name in SCORE_FIELDS.values()}
        fields.update(benefit_received=spec["benefit_received"], what_works=self.rng.choice(WHAT_WORKS))
        with as_of(when, author or self.coordinator):
            if submitted:
                evaluation_services.response_submit(
                    cycle=cycle, membership=self.memberships[org_key], user=author,
                    what_to_change=self.rng.choice(WHAT_TO_CHANGE), **fields,
                )
            else:  # a draft, half filled in
                for name in list(SCORE_FIELDS.values())[3:]:
                    fields.pop(name)
                evaluation_services.response_save_draft(
                    cycle=cycle, membership=self.memberships[org_key], user=author, **fields
                )

    def _action(self, finding, title, owner_key, status, due_in_days, created):
        # Due dates are relative to today (some overdue, some due soon) but never before the action existed.
        due = max(self.today + datetime.timedelta(days=due_in_days), timezone.localdate(created))
        with as_of(created, self.coordinator):
            action = evaluation_services.action_create(
                partnership=self.partnership, user=self.coordinator, title=title,
                owner_organisation=self.orgs[owner_key], due_date=due, finding=finding,
                description=f"Tindak lanjut dari temuan: {finding.title}.", today=timezone.localdate(created),
            )
        if status == FollowUpAction.Status.OPEN:
            return
        changed = self.clock.at(
            min(moment(due - datetime.timedelta(days=3)), created + datetime.timedelta(days=20)), after=created
        )
        owner = self.rep(owner_key) or self.coordinator
        with as_of(changed, owner):
            evaluation_services.action_set_status(action=action, user=owner, status=status)

    def _build_decisions(self):
        for d in self.spec["decisions"]:
            closes = moment(self.today + datetime.timedelta(days=d["closes_in_days"]), 17)
            proposed = self.clock.at(closes - datetime.timedelta(days=21))
            proposer = self.rep(d["proposer"]) or self.coordinator
            with as_of(proposed, proposer):
                decision = evaluation_services.decision_propose(
                    partnership=self.partnership, user=proposer, title=d["title"], description=d["description"],
                    closes_at=closes, organisation=self.orgs[d["proposer"]], now=proposed,
                )
            when = proposed
            for org_key, choice in d["votes"].items():
                when = self.clock.at(when + datetime.timedelta(days=2, hours=1), after=when)
                voter = self.rep(org_key)
                with as_of(when, voter or self.coordinator):
                    evaluation_services.vote_cast(
                        decision=decision, membership=self.memberships[org_key], user=voter, choice=choice,
                        comment="" if choice == Vote.Choice.AGREE else "Perlu kajian biaya lebih dulu.", now=when,
                    )
            if closes < self.now:  # closed when its time came, as decisions_close_due does
                with as_of(closes, self.coordinator):
                    evaluation_services.decision_close(decision=decision, user=self.coordinator, now=closes)
