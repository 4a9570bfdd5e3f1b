"""What is due: every reminder whose window contains a day, as keys, in chunks (rules: the package docstring)."""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from partners.deadlines import Deadlines, owing
from partners.models import ContributionReport, Frequency, Membership, Organisation, Partnership

from ..models import EvaluationCycle, EvaluationResponse, FollowUpAction, ReminderKind, ReminderRule
from ..access import actions_awaiting_their_owners

DEFAULT_RULE_DAYS = {
    ReminderKind.REPORT_DUE: 7,
    ReminderKind.REPORT_OVERDUE: 3,
    ReminderKind.EVALUATION_DUE: 7,
    ReminderKind.EVALUATION_OVERDUE: 3,
    ReminderKind.ACTION_DUE: 3,
    ReminderKind.ACTION_OVERDUE: 1,
    ReminderKind.COMMITMENT_ENDING: 30,
    ReminderKind.REVIEW_DIGEST: 3,
}

OVERDUE_KINDS = {ReminderKind.REPORT_OVERDUE, ReminderKind.EVALUATION_OVERDUE, ReminderKind.ACTION_OVERDUE}

CHUNK = 2000  # rows read per query while finding what is due


class Due(NamedTuple):
    """One reminder: its unique key (recipient, kind, object, period)."""

    recipient_id: int
    kind: str
    model: type
    object_id: int
    period: str


def setting(name: str, default):
    """A ``REMINDER_*`` setting, read when the job runs, of the type of its default."""
    return type(default)(getattr(settings, name, default))


def active_rules() -> dict[str, int]:
    """Return {kind: days} for the kinds switched on (rule rows override the defaults)."""
    rules = {kind.value: days for kind, days in DEFAULT_RULE_DAYS.items()}
    for kind, days, is_active in ReminderRule.objects.values_list("kind", "days", "is_active"):
        if is_active:
            rules[kind] = days
        else:
            rules.pop(kind, None)
    return rules


def window(kind: str, days: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the range of due dates for which ``kind`` fires on ``today``."""
    if kind in OVERDUE_KINDS:
        after = max(days, 1)
        catch_up = max(setting("REMINDER_CATCH_UP_DAYS", 14), 1)
        return today - datetime.timedelta(days=after + catch_up - 1), today - datetime.timedelta(days=after)
    return today, today + datetime.timedelta(days=days)


def waiting_since(today: datetime.date, days: int) -> datetime.datetime:
    """Reports submitted before this moment (local midnight) have waited at least ``days`` days."""
    day = today - datetime.timedelta(days=days - 1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _representatives(organisation_ids) -> dict[int, list[int]]:
    """Return {organisation id: [active representative user ids]} in one query."""
    reps = defaultdict(list)
    rows = Organisation.representatives.through.objects.filter(
        organisation_id__in=organisation_ids, user__is_active=True
    ).values_list("organisation_id", "user_id")
    for organisation_id, user_id in rows.order_by("organisation_id", "user_id"):
        reps[organisation_id].append(user_id)
    return reps


def _to_representatives(kind: str, model, rows) -> list[Due]:
    """One reminder per active representative of each row's organisation; ``rows``: (object id, organisation id, period)."""
    reps = _representatives({organisation for _pk, organisation, _period in rows})
    return [Due(user, kind, model, pk, period) for pk, organisation, period in rows for user in reps[organisation]]


def _due_reports(today, rules, deadlines: Deadlines) -> Iterator[list[Due]]:
    for kind in (ReminderKind.REPORT_DUE, ReminderKind.REPORT_OVERDUE):
        if kind not in rules:
            continue
        first_due, last_due = window(kind, rules[kind], today)
        for frequency in Frequency.values:
            for period in deadlines.periods_due_between(frequency, first_due, last_due):
                # the members that owe the period's report and have not reported it (partners.deadlines)
                members = Membership.objects.filter(owing(period)).order_by("pk").values_list("pk", "organisation_id")
                for chunk in chunks(members.iterator(chunk_size=CHUNK), CHUNK):
                    yield _to_representatives(kind, Membership, [(pk, org, period.key) for pk, org in chunk])


def _due_evaluations(today, rules) -> Iterator[list[Due]]:
    for kind in (ReminderKind.EVALUATION_DUE, ReminderKind.EVALUATION_OVERDUE):
        if kind not in rules:
            continue
        cycles = (
            EvaluationCycle.objects.filter(
                status=EvaluationCycle.Status.OPEN,
                partnership__status=Partnership.Status.ACTIVE,
                due_date__range=window(kind, rules[kind], today),
            )
            .order_by("pk")
            .values_list("pk", "partnership_id", "due_date", "period_end")
        )
        for chunk in chunks(cycles.iterator(chunk_size=CHUNK), max(CHUNK // 4, 1)):
            members = defaultdict(list)
            rows = Membership.objects.filter(partnership_id__in={c[1] for c in chunk}).only(
                "pk", "partnership_id", "organisation_id", "joined_on", "left_on"
            )
            for membership in rows.order_by("pk"):
                members[membership.partnership_id].append(membership)
            answered = set(
                EvaluationResponse.objects.filter(
                    cycle_id__in=[c[0] for c in chunk], status=EvaluationResponse.Status.SUBMITTED
                ).values_list("cycle_id", "membership_id")
            )
            asked = {}
            for cycle_id, partnership_id, due_date, period_end in chunk:
                for membership in members[partnership_id]:
                    # asked: a member on the period's last day (evaluations.access.asked_to_answer)
                    if membership.is_current_on(period_end) and (cycle_id, membership.pk) not in answered:
                        asked[(cycle_id, membership.organisation_id, due_date.isoformat())] = None
            yield list(dict.fromkeys(_to_representatives(kind, EvaluationCycle, list(asked))))


def _due_actions(today, rules) -> Iterator[list[Due]]:
    for kind in (ReminderKind.ACTION_DUE, ReminderKind.ACTION_OVERDUE):
        if kind not in rules:
            continue
        # The owner's representatives, while the owner is a current member (evaluations.access).
        actions = (
            actions_awaiting_their_owners(today)
            .filter(partnership__status=Partnership.Status.ACTIVE, due_date__range=window(kind, rules[kind], today))
            .select_related(None)
            .order_by("pk")
            .values_list("pk", "owner_organisation_id", "due_date")
        )
        for chunk in chunks(actions.iterator(chunk_size=CHUNK), CHUNK):
            yield _to_representatives(kind, FollowUpAction, [(pk, org, due.isoformat()) for pk, org, due in chunk])


def _due_commitments(today, rules) -> Iterator[list[Due]]:
    kind = ReminderKind.COMMITMENT_ENDING
    if kind not in rules:
        return
    members = (
        Membership.objects.filter(
            partnership__status=Partnership.Status.ACTIVE,
            commitment_end__range=window(kind, rules[kind], today),
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .order_by("pk")
        .values_list("pk", "organisation_id", "commitment_end")
    )
    for chunk in chunks(members.iterator(chunk_size=CHUNK), CHUNK):
        yield _to_representatives(kind, Membership, [(pk, org, end.isoformat()) for pk, org, end in chunk])


def _due_digests(today, rules) -> Iterator[list[Due]]:
    kind = ReminderKind.REVIEW_DIGEST
    if kind not in rules:
        return
    waiting = ContributionReport.objects.filter(
        membership__partnership=OuterRef("pk"),
        status=ContributionReport.Status.SUBMITTED,
        submitted_at__lt=waiting_since(today, rules[kind]),
    )
    partnerships = (
        Partnership.objects.filter(status=Partnership.Status.ACTIVE).filter(Exists(waiting)).order_by("pk")
    ).values_list("pk", flat=True)
    year, week, _day = today.isocalendar()
    key = f"{year}-W{week:02d}"
    for chunk in chunks(partnerships.iterator(chunk_size=CHUNK), CHUNK):
        rows = Partnership.coordinators.through.objects.filter(partnership_id__in=chunk, user__is_active=True)
        yield [
            Due(user, kind, Partnership, pk, key)
            for pk, user in rows.values_list("partnership_id", "user_id").order_by("partnership_id", "user_id")
        ]


def due_reminders(*, today: datetime.date, rules=None, deadlines: Deadlines | None = None) -> Iterator[list[Due]]:
    """Yield, in chunks, every reminder whose window contains ``today`` (logged or not)."""
    rules = active_rules() if rules is None else rules
    deadlines = Deadlines.load() if deadlines is None else deadlines
    found = (
        _due_reports(today, rules, deadlines), _due_evaluations(today, rules), _due_actions(today, rules),
        _due_commitments(today, rules), _due_digests(today, rules),
    )
    for finder in found:
        for chunk in finder:
            if chunk:
                yield chunk
