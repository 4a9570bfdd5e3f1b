"""The reminder job: find what is due, claim each reminder once, mail it, log it.

Plain functions, called by the Celery task ``evaluations.send_reminders`` and by
``python manage.py send_reminders``; neither adds logic of its own.

What is due, and when
=====================
``N`` below is the ``days`` of the kind's :class:`~evaluations.models.ReminderRule`
(editable in admin; a kind without a rule row uses ``DEFAULT_RULE_DAYS``; an inactive
rule switches the kind off). Only partnerships with status *active* get reminders, and
only active users receive them.

``report_due`` / ``report_overdue``
    Every membership reports once per reporting period. Periods are calendar-aligned
    blocks of ``Frequency.months(membership.reporting_frequency)`` months: monthly = each
    month, quarterly = Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec, half-yearly = Jan–Jun and
    Jul–Dec, yearly = the calendar year. The report for a period is due
    ``REPORT_DUE_AFTER_DAYS`` (14) days after the period ends. A membership owes it
    when it had joined on or before the period's first day and had not left before its
    last day (as ``partners.selectors.memberships_overdue``), and the partnership had
    started by the period end. It is done once a report of that membership
    whose period overlaps the reporting period is *submitted* or *accepted* (a draft
    or a returned report is not done). Recipients: the representatives of the member
    organisation. Object: the membership. Period: ``2026-03`` (monthly), ``2026-Q1``,
    ``2026-H1``, ``2026`` (yearly).
``evaluation_due`` / ``evaluation_overdue``
    An *open* cycle is due at ``cycle.due_date`` for every member asked to answer it
    (a member on the period's last day, as ``evaluations.selectors.cycle_members``)
    without a *submitted* response. Recipients: representatives. Object: the cycle. Period: the due date.
``action_due`` / ``action_overdue``
    A follow-up action is due at ``action.due_date`` while *open* or *in progress*.
    Recipients: representatives of the owner organisation. Object: the action.
    Period: the due date.
``commitment_ending``
    A membership's commitment ends at ``membership.commitment_end`` (membership not
    left). Recipients: representatives. Object: the membership. Period: the end date.
``review_digest``
    For every coordinator of a partnership that has reports *submitted* at least N days
    before the day of the run and still waiting (not accepted nor returned). Object:
    the partnership. Period: the ISO week of the run (``2026-W16``): at most one
    digest a week per coordinator and partnership while reports wait.

Using the due date as the period of cycles, actions and commitments means a moved
deadline earns a fresh reminder.

The firing rule, chosen for robustness after downtime: a reminder fires on the FIRST
run whose day falls in its window, and never again for the same key:

- due soon (``*_due``, ``commitment_ending``): any day in ``[due - N, due]``;
- overdue (``*_overdue``): any day in ``[due + M, due + M + CATCH_UP)`` with
  ``M = max(N, 1)``, while still not done;
- digest: any day with a report waiting at least N days (once per ISO week).

Run daily, each reminder goes out on the first day of its window (``due - N``,
``due + M``); a run missed for a few days is caught up by the next one, while
``REMINDER_CATCH_UP_DAYS`` (default 14) keeps a server that was down for months, or a
first deployment over old data, from mailing about things long past.

Settings (read when the job runs, all optional): ``SITE_URL``, ``REMINDER_BATCH_SIZE``
(500), ``REMINDER_FLUSH_SECONDS`` (1.0), ``REMINDER_CATCH_UP_DAYS`` (14),
``REMINDER_MAX_ATTEMPTS`` (5), ``REMINDER_SEND_DELAY`` (0; seconds slept before each
mail, used by the killed-worker test to make a run slow).
"""
from __future__ import annotations

import calendar
import datetime
import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from accounts.models import User
from partners.models import (
    ContributionReport,
    Frequency,
    Membership,
    Organisation,
    Partnership,
)

from .models import (
    EvaluationCycle,
    EvaluationResponse,
    FollowUpAction,
    ReminderKind,
    ReminderLog,
    ReminderRule,
)

logger = logging.getLogger(__name__)

REPORT_DUE_AFTER_DAYS = 14

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

DUE_KINDS = {ReminderKind.REPORT_DUE, ReminderKind.EVALUATION_DUE, ReminderKind.ACTION_DUE}
OVERDUE_KINDS = {ReminderKind.REPORT_OVERDUE, ReminderKind.EVALUATION_OVERDUE, ReminderKind.ACTION_OVERDUE}

CHUNK = 2000  # rows read per query while finding what is due

# Where the recipient acts: (URL name, kwargs, query string) tried in order; the first
# that reverses wins, and SITE_URL + "/" is the last resort should a page be renamed.
LINKS = {
    # the partner's "new report" form, with the member chosen and its next period filled in
    "report": [("partners:report_create", lambda o: {}, lambda o: f"?membership={o.pk}")],
    # the cycle page lists the user's organisations with a button to answer each
    "evaluation": [("evaluations:cycle_detail", lambda o: {"pk": o.pk}, None)],
    # the action page, where its owner updates the status
    "action": [("evaluations:action_detail", lambda o: {"pk": o.pk}, None)],
    # the partner's home: its organisations' partnerships and what is due
    "commitment": [("partners:partner_home", lambda o: {}, None)],
    # the coordinator's review queue, filtered on the partnership
    "digest": [("partners:review_queue", lambda o: {}, lambda o: f"?partnership={o.pk}")],
}


def absolute_url(viewname: str, *, args=(), kwargs=None) -> str:
    """Return SITE_URL + the path of ``viewname``, or SITE_URL + "/" when it does not reverse."""
    try:
        path = reverse(viewname, args=args, kwargs=kwargs)
    except NoReverseMatch:
        path = "/"
    return settings.SITE_URL.rstrip("/") + path


def _link(target: str, obj) -> str:
    for name, make_kwargs, make_query in LINKS[target]:
        try:
            path = reverse(name, kwargs=make_kwargs(obj))
        except NoReverseMatch:
            continue
        return settings.SITE_URL.rstrip("/") + path + (make_query(obj) if make_query else "")
    return settings.SITE_URL.rstrip("/") + "/"


# --- reporting periods -----------------------------------------------------------


def reporting_period(day: datetime.date, frequency: str) -> tuple[datetime.date, datetime.date]:
    """Return the calendar-aligned reporting period (start, end) that contains ``day``."""
    months = Frequency.months(frequency)
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return (
        datetime.date(day.year, first_month, 1),
        datetime.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
    )


def period_key(start: datetime.date, frequency: str) -> str:
    """Return the stable key of the reporting period starting at ``start``: 2026-03, 2026-Q1, 2026-H1, 2026."""
    months = Frequency.months(frequency)
    if months == 1:
        return f"{start:%Y-%m}"
    if months == 3:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if months == 6:
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    return f"{start.year}"


def parse_period_key(key: str) -> tuple[datetime.date, datetime.date, str]:
    """Return (start, end, frequency) of a key made by :func:`period_key`."""
    year = int(key[:4])
    if len(key) == 4:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), Frequency.YEARLY
    if key[5] == "Q":
        frequency, month = Frequency.QUARTERLY, (int(key[6:]) - 1) * 3 + 1
    elif key[5] == "H":
        frequency, month = Frequency.HALF_YEARLY, (int(key[6:]) - 1) * 6 + 1
    else:
        frequency, month = Frequency.MONTHLY, int(key[5:7])
    start, end = reporting_period(datetime.date(year, month, 1), frequency)
    return start, end, frequency


def period_label(key: str) -> str:
    """Return the period of ``key`` in words, in the active language."""
    start, _end, frequency = parse_period_key(key)
    if frequency == Frequency.MONTHLY:
        return formats.date_format(start, "F Y")
    if frequency == Frequency.QUARTERLY:
        return gettext("Q%(quarter)s %(year)s") % {"quarter": key[6:], "year": start.year}
    if frequency == Frequency.HALF_YEARLY:
        return gettext("H%(half)s %(year)s") % {"half": key[6:], "year": start.year}
    return str(start.year)


def _periods_ending_between(lo: datetime.date, hi: datetime.date, frequency: str):
    """Yield the reporting periods (start, end) of ``frequency`` whose end falls in [lo, hi]."""
    if hi < lo:
        return
    day = datetime.date(lo.year, lo.month, 1)
    while day <= hi:
        start, end = reporting_period(day, frequency)
        if lo <= end <= hi and end.month == day.month:
            yield start, end
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


# --- what is due -------------------------------------------------------------------


class Due(NamedTuple):
    """One reminder to claim: its unique key."""

    recipient_id: int
    kind: str
    model: type
    object_id: int
    period: str


class ReminderLine(NamedTuple):
    """One reminder as the command prints it."""

    recipient: str
    kind: str
    object: str
    period: str


@dataclass
class ReminderRun:
    """What one run of the job did."""

    today: datetime.date
    dry_run: bool
    found: int = 0  # reminders due today, new or already logged
    claimed: int = 0  # new log rows inserted by this run
    would_send: int = 0  # dry run: reminders a real run would send now
    sent: int = 0
    retry: int = 0  # mail errors: rows left pending with attempts + 1, retried later
    failed: int = 0  # given up: too many attempts, object gone, recipient inactive, expired

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(), "dry_run": self.dry_run, "found": self.found, "claimed": self.claimed,
            "would_send": self.would_send, "sent": self.sent, "retry": self.retry, "failed": self.failed,
        }


def active_rules() -> dict[str, int]:
    """Return {kind: days} for the kinds switched on (rule rows override the defaults)."""
    rules = {kind.value: days for kind, days in DEFAULT_RULE_DAYS.items()}
    for kind, days, is_active in ReminderRule.objects.values_list("kind", "days", "is_active"):
        if is_active:
            rules[kind] = days
        else:
            rules.pop(kind, None)
    return rules


def _setting(name, default):
    return type(default)(getattr(settings, name, default))


def _window(kind: str, days: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the range of due dates for which ``kind`` fires on ``today``."""
    if kind in OVERDUE_KINDS:
        after = max(days, 1)
        catch_up = max(_setting("REMINDER_CATCH_UP_DAYS", 14), 1)
        return today - datetime.timedelta(days=after + catch_up - 1), today - datetime.timedelta(days=after)
    return today, today + datetime.timedelta(days=days)


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _representatives(organisation_ids) -> dict[int, list[int]]:
    """Return {organisation id: [active representative user ids]} in one query."""
    through = Organisation.representatives.through
    reps = defaultdict(list)
    rows = through.objects.filter(organisation_id__in=organisation_ids, user__is_active=True).values_list(
        "organisation_id", "user_id"
    )
    for organisation_id, user_id in rows.order_by("organisation_id", "user_id"):
        reps[organisation_id].append(user_id)
    return reps


def _not_left(day_field_value) -> Q:
    return Q(left_on__isnull=True) | Q(left_on__gte=day_field_value)


def _due_reports(today, rules) -> Iterator[list[Due]]:
    done = ContributionReport.objects.filter(
        membership=OuterRef("pk"),
        status__in=[ContributionReport.Status.SUBMITTED, ContributionReport.Status.ACCEPTED],
    )
    for kind in (ReminderKind.REPORT_DUE, ReminderKind.REPORT_OVERDUE):
        if kind not in rules:
            continue
        first_due, last_due = _window(kind, rules[kind], today)
        lag = datetime.timedelta(days=REPORT_DUE_AFTER_DAYS)
        for frequency in Frequency:
            for start, end in _periods_ending_between(first_due - lag, last_due - lag, frequency):
                members = (
                    Membership.objects.filter(
                        reporting_frequency=frequency,
                        partnership__status=Partnership.Status.ACTIVE,
                        partnership__start_date__lte=end,
                        joined_on__lte=start,
                    )
                    .filter(_not_left(end))
                    .exclude(Exists(done.filter(period_start__lte=end, period_end__gte=start)))
                    .order_by("pk")
                    .values_list("pk", "organisation_id")
                )
                key = period_key(start, frequency)
                for chunk in _chunks(members.iterator(chunk_size=CHUNK), CHUNK):
                    reps = _representatives({org for _pk, org in chunk})
                    yield [Due(user, kind, Membership, pk, key) for pk, org in chunk for user in reps.get(org, ())]


def _due_evaluations(today, rules) -> Iterator[list[Due]]:
    for kind in (ReminderKind.EVALUATION_DUE, ReminderKind.EVALUATION_OVERDUE):
        if kind not in rules:
            continue
        cycles = (
            EvaluationCycle.objects.filter(
                status=EvaluationCycle.Status.OPEN,
                partnership__status=Partnership.Status.ACTIVE,
                due_date__range=_window(kind, rules[kind], today),
            )
            .order_by("pk")
            .values_list("pk", "partnership_id", "due_date", "period_end")
        )
        for chunk in _chunks(cycles.iterator(chunk_size=CHUNK), CHUNK // 4):
            members = defaultdict(list)
            rows = Membership.objects.filter(partnership_id__in={c[1] for c in chunk})
            for pk, partnership_id, organisation_id, joined_on, left_on in rows.values_list(
                "pk", "partnership_id", "organisation_id", "joined_on", "left_on"
            ).order_by("pk"):
                members[partnership_id].append((pk, organisation_id, joined_on, left_on))
            answered = set(
                EvaluationResponse.objects.filter(
                    cycle_id__in=[c[0] for c in chunk], status=EvaluationResponse.Status.SUBMITTED
                ).values_list("cycle_id", "membership_id")
            )
            reps = _representatives({m[1] for ms in members.values() for m in ms})
            items = {}
            for cycle_id, partnership_id, due_date, period_end in chunk:
                for membership_id, organisation_id, joined_on, left_on in members[partnership_id]:
                    # asked: a member on the period's last day (as evaluations.selectors.cycle_members)
                    if joined_on > period_end or (left_on is not None and left_on < period_end):
                        continue
                    if (cycle_id, membership_id) in answered:
                        continue
                    for user in reps.get(organisation_id, ()):
                        item = Due(user, kind, EvaluationCycle, cycle_id, due_date.isoformat())
                        items[item] = None
            yield list(items)


def _due_actions(today, rules) -> Iterator[list[Due]]:
    for kind in (ReminderKind.ACTION_DUE, ReminderKind.ACTION_OVERDUE):
        if kind not in rules:
            continue
        actions = (
            FollowUpAction.objects.filter(
                status__in=[FollowUpAction.Status.OPEN, FollowUpAction.Status.IN_PROGRESS],
                partnership__status=Partnership.Status.ACTIVE,
                due_date__range=_window(kind, rules[kind], today),
            )
            .order_by("pk")
            .values_list("pk", "owner_organisation_id", "due_date")
        )
        for chunk in _chunks(actions.iterator(chunk_size=CHUNK), CHUNK):
            reps = _representatives({org for _pk, org, _due in chunk})
            yield [
                Due(user, kind, FollowUpAction, pk, due.isoformat())
                for pk, org, due in chunk
                for user in reps.get(org, ())
            ]


def _due_commitments(today, rules) -> Iterator[list[Due]]:
    kind = ReminderKind.COMMITMENT_ENDING
    if kind not in rules:
        return
    members = (
        Membership.objects.filter(
            partnership__status=Partnership.Status.ACTIVE,
            commitment_end__range=_window(kind, rules[kind], today),
        )
        .filter(_not_left(today))
        .order_by("pk")
        .values_list("pk", "organisation_id", "commitment_end")
    )
    for chunk in _chunks(members.iterator(chunk_size=CHUNK), CHUNK):
        reps = _representatives({org for _pk, org, _end in chunk})
        yield [Due(user, kind, Membership, pk, end.isoformat()) for pk, org, end in chunk for user in reps.get(org, ())]


def _waiting_since(today, days) -> datetime.datetime:
    """Reports submitted before this moment (local midnight) have waited at least ``days`` days."""
    day = today - datetime.timedelta(days=days - 1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _due_digests(today, rules) -> Iterator[list[Due]]:
    kind = ReminderKind.REVIEW_DIGEST
    if kind not in rules:
        return
    waiting = ContributionReport.objects.filter(
        membership__partnership=OuterRef("pk"),
        status=ContributionReport.Status.SUBMITTED,
        submitted_at__lt=_waiting_since(today, rules[kind]),
    )
    partnerships = (
        Partnership.objects.filter(status=Partnership.Status.ACTIVE).filter(Exists(waiting)).order_by("pk")
    ).values_list("pk", flat=True)
    year, week, _day = today.isocalendar()
    key = f"{year}-W{week:02d}"
    through = Partnership.coordinators.through
    for chunk in _chunks(partnerships.iterator(chunk_size=CHUNK), CHUNK):
        rows = through.objects.filter(partnership_id__in=chunk, user__is_active=True).values_list(
            "partnership_id", "user_id"
        )
        yield [Due(user, kind, Partnership, pk, key) for pk, user in rows.order_by("partnership_id", "user_id")]


def due_reminders(*, today: datetime.date, rules=None) -> Iterator[list[Due]]:
    """Yield, in chunks, every reminder whose window contains ``today`` (logged or not)."""
    rules = active_rules() if rules is None else rules
    for finder in (_due_reports, _due_evaluations, _due_actions, _due_commitments, _due_digests):
        for chunk in finder(today, rules):
            if chunk:
                yield chunk


# --- building the mail -------------------------------------------------------------


class Undeliverable(Exception):
    """This reminder can never be sent (object gone, recipient inactive); it is marked failed."""


SELECT_RELATED = {
    Membership: ("organisation", "partnership"),
    EvaluationCycle: ("partnership",),
    FollowUpAction: ("partnership", "owner_organisation"),
    Partnership: (),
}


class _Batch:
    """Everything the mails of a batch need, loaded in a fixed number of queries."""

    def __init__(self, items, *, today, rules):
        self.today = today
        self.rules = rules
        self.users = User.objects.in_bulk({item.recipient_id for item in items})
        ids = defaultdict(set)
        for item in items:
            ids[item.model].add(item.object_id)
        self.objects = {
            model: model.objects.select_related(*SELECT_RELATED[model]).in_bulk(object_ids)
            for model, object_ids in ids.items()
        }
        self.waiting = defaultdict(list)
        digests = {item.object_id for item in items if item.kind == ReminderKind.REVIEW_DIGEST}
        if digests:
            reports = (
                ContributionReport.objects.filter(
                    membership__partnership_id__in=digests,
                    status=ContributionReport.Status.SUBMITTED,
                    submitted_at__lt=_waiting_since(today, rules.get(ReminderKind.REVIEW_DIGEST, 0)),
                )
                .select_related("membership__organisation")
                .order_by("submitted_at", "pk")
            )
            for report in reports:
                self.waiting[report.membership.partnership_id].append(report)

        # Rendered mails by content: every recipient of the same reminder content (kind,
        # language, object, period) shares one rendering; only the name differs.
        self.rendered = {}

    def target(self, item):
        return self.objects.get(item.model, {}).get(item.object_id)


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "j F Y")


def _context(item: Due, obj, batch: _Batch) -> tuple[str, dict]:
    """Return (subject, template context) for one reminder, in the active language."""
    kind = item.kind
    if kind in (ReminderKind.REPORT_DUE, ReminderKind.REPORT_OVERDUE):
        start, end, _frequency = parse_period_key(item.period)
        due = end + datetime.timedelta(days=REPORT_DUE_AFTER_DAYS)
        label = period_label(item.period)
        params = {"period": label, "due": _date(due), "partnership": obj.partnership.title}
        if kind == ReminderKind.REPORT_DUE:
            subject = gettext("Reminder: contribution report for %(period)s is due on %(due)s") % params
        else:
            subject = gettext("Overdue: contribution report for %(period)s (due %(due)s)") % params
        context = {
            "membership": obj, "organisation": obj.organisation, "partnership": obj.partnership,
            "period_label": label, "period_start": start, "period_end": end, "due": due,
            "url": _link("report", obj),
        }
    elif kind in (ReminderKind.EVALUATION_DUE, ReminderKind.EVALUATION_OVERDUE):
        params = {"partnership": obj.partnership.title, "due": _date(obj.due_date)}
        if kind == ReminderKind.EVALUATION_DUE:
            subject = gettext("Reminder: the evaluation of %(partnership)s is due on %(due)s") % params
        else:
            subject = gettext("Overdue: the evaluation of %(partnership)s (due %(due)s)") % params
        context = {"cycle": obj, "partnership": obj.partnership, "due": obj.due_date, "url": _link("evaluation", obj)}
    elif kind in (ReminderKind.ACTION_DUE, ReminderKind.ACTION_OVERDUE):
        params = {"title": obj.title, "due": _date(obj.due_date)}
        if kind == ReminderKind.ACTION_DUE:
            subject = gettext("Reminder: follow-up action “%(title)s” is due on %(due)s") % params
        else:
            subject = gettext("Overdue: follow-up action “%(title)s” (due %(due)s)") % params
        context = {
            "action": obj, "organisation": obj.owner_organisation, "partnership": obj.partnership,
            "due": obj.due_date, "url": _link("action", obj),
        }
    elif kind == ReminderKind.COMMITMENT_ENDING:
        end = obj.commitment_end
        subject = gettext("The commitment of %(organisation)s to %(partnership)s ends on %(due)s") % {
            "organisation": obj.organisation.name, "partnership": obj.partnership.title, "due": _date(end),
        }
        context = {
            "membership": obj, "organisation": obj.organisation, "partnership": obj.partnership,
            "due": end, "url": _link("commitment", obj),
        }
    elif kind == ReminderKind.REVIEW_DIGEST:
        reports = batch.waiting.get(obj.pk, [])
        if not reports:
            raise Undeliverable("no report is waiting for review any more")
        count = len(reports)
        subject = ngettext(
            "%(count)s contribution report waiting for review in %(partnership)s",
            "%(count)s contribution reports waiting for review in %(partnership)s",
            count,
        ) % {"count": count, "partnership": obj.title}
        context = {
            "partnership": obj, "reports": reports[:50], "more": max(count - 50, 0), "count": count,
            "days": batch.rules.get(ReminderKind.REVIEW_DIGEST, 0), "url": _link("digest", obj),
        }
    else:  # pragma: no cover - a kind added to the model without a mail
        raise Undeliverable(f"no mail for kind {kind}")
    return subject, context


NAME_PLACEHOLDER = "RECIPIENT-NAME-9c1f4e"  # survives escaping and translation unchanged


def build_message(item: Due, batch: _Batch, *, log_id=None, connection=None) -> mail.EmailMultiAlternatives:
    """Render the text and HTML mail of one reminder in the recipient's preferred language."""
    user = batch.users.get(item.recipient_id)
    if user is None or not user.is_active or not user.email:
        raise Undeliverable("the recipient is inactive or has no email address")
    obj = batch.target(item)
    if obj is None:
        raise Undeliverable("the object of this reminder no longer exists")
    language = user.preferred_language or settings.LANGUAGE_CODE
    key = (item.kind, language, item.model, item.object_id, item.period)
    if key not in batch.rendered:
        with translation.override(language):
            subject, context = _context(item, obj, batch)
            subject = " ".join(subject.split())
            context.update({
                "recipient_name": NAME_PLACEHOLDER, "subject": subject, "kind": item.kind,
                "site_url": settings.SITE_URL,
            })
            batch.rendered[key] = (
                subject,
                render_to_string(f"emails/reminders/{item.kind}.txt", context),
                render_to_string(f"emails/reminders/{item.kind}.html", context),
            )
    subject, text, html = batch.rendered[key]
    name = user.get_full_name()
    text, html = text.replace(NAME_PLACEHOLDER, name), html.replace(NAME_PLACEHOLDER, escape(name))
    headers = {"Content-Language": language, "Auto-Submitted": "auto-generated"}
    if log_id is not None:
        headers["X-Kemitraan-Reminder"] = str(log_id)
    message = mail.EmailMultiAlternatives(
        subject=subject, body=text, to=[user.email], headers=headers, connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message


def _line(item: Due, batch: _Batch) -> ReminderLine:
    user = batch.users.get(item.recipient_id)
    obj = batch.target(item)
    label = f"{item.model._meta.model_name} #{item.object_id}" + (f" {obj}" if obj is not None else "")
    return ReminderLine(user.email if user else f"user #{item.recipient_id}", item.kind, label, item.period)


# --- claiming and sending ----------------------------------------------------------


def _content_types() -> dict:
    models = (Membership, EvaluationCycle, FollowUpAction, Partnership)
    by_model = ContentType.objects.get_for_models(*models)
    return by_model


def _log_to_due(log: ReminderLog, models_by_ct: dict) -> Due:
    return Due(log.recipient_id, log.kind, models_by_ct[log.content_type_id], log.object_id, log.period)


def _claim(chunk: list[Due], content_types: dict) -> int:
    """Insert a pending log row for every reminder of ``chunk`` not logged yet; return how many were new.

    Most reminders found on a day were already logged on an earlier day of their window,
    so one SELECT filters them out before the INSERT; ON CONFLICT DO NOTHING still settles
    a race with another worker inserting the same key at the same moment.
    """
    new = _unlogged(chunk, content_types)
    if new and db_connection.vendor == "postgresql":
        _insert_pending_postgresql(new, content_types)
        return len(new)
    ReminderLog.objects.bulk_create(
        [
            ReminderLog(
                recipient_id=item.recipient_id, kind=item.kind, content_type=content_types[item.model],
                object_id=item.object_id, period=item.period, status=ReminderLog.Status.PENDING,
            )
            for item in new
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(new)


def _insert_pending_postgresql(items: list[Due], content_types: dict) -> None:
    """INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING: one statement, little Python per row."""
    meta, quote = ReminderLog._meta, db_connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("recipient", "kind", "content_type", "object_id", "period", "status", "attempts",
                     "last_error", "created_at")
    )
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            "SELECT r, k, c, o, p, %s, 0, '', %s "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::integer[], %s::bigint[], %s::varchar[]) AS t(r, k, c, o, p) "
            "ON CONFLICT DO NOTHING",
            [
                ReminderLog.Status.PENDING.value, timezone.now(),
                [item.recipient_id for item in items], [str(item.kind) for item in items],
                [content_types[item.model].pk for item in items], [item.object_id for item in items],
                [item.period for item in items],
            ],
        )


def _unlogged(chunk: list[Due], content_types: dict) -> list[Due]:
    """Return the reminders of ``chunk`` that have no log row yet (dry run)."""
    by_kind = defaultdict(set)
    for item in chunk:
        by_kind[(item.kind, item.model)].add(item.object_id)
    logged = set()
    for (kind, model), object_ids in by_kind.items():
        rows = ReminderLog.objects.filter(
            kind=kind, content_type=content_types[model], object_id__in=object_ids
        ).values_list("recipient_id", "object_id", "period")
        logged.update((kind, model, *row) for row in rows)
    return [item for item in chunk if (item.kind, item.model, item.recipient_id, item.object_id, item.period) not in logged]


def _expire_stale() -> int:
    """Give up on pending rows older than the catch-up window: their moment has passed."""
    limit = timezone.now() - datetime.timedelta(days=max(_setting("REMINDER_CATCH_UP_DAYS", 14), 1))
    return ReminderLog.objects.filter(status=ReminderLog.Status.PENDING, created_at__lt=limit).update(
        status=ReminderLog.Status.FAILED, last_error="expired: not delivered within the catch-up window"
    )


# Exactly once: how a reminder is claimed, and why this way
# ---------------------------------------------------------
# 1. Claim before sending. Every due reminder is first INSERTed as a ReminderLog row in
#    status "pending" with ON CONFLICT DO NOTHING (bulk_create ignore_conflicts) on the
#    unique constraint (recipient, kind, object, period). The database, not the code,
#    decides that a key exists once, whichever worker or run inserts it first.
# 2. Lock the pending rows to send. A batch of pending rows is selected with
#    SELECT … FOR UPDATE SKIP LOCKED inside a transaction; a row another worker holds is
#    skipped, so two workers running at the same moment share the rows and never send
#    the same one. The lock is the lease: it lives exactly as long as the holder's
#    database connection, so a worker killed with SIGKILL (or a lost server) releases
#    its rows at once, without a claimed_at timeout to tune, and the next run finds them
#    still pending and sends them: nothing is lost. Rows are read in primary-key order
#    with a moving "id > last" cursor, so a row that failed in this run is not retried in
#    a loop, and rows a peer marked "sent" meanwhile are excluded when the lock is taken
#    (PostgreSQL re-checks the WHERE on the newest row version).
# 3. Mark sent in the same transaction, which commits right after the mails of the batch
#    were handed to the mail server. A batch ends at REMINDER_BATCH_SIZE rows or as soon as
#    REMINDER_FLUSH_SECONDS (1 s) have passed since it began, whichever comes first.
#    The one window left: a process killed after the SMTP server accepted a mail and
#    before the commit leaves that row pending, and it is sent again once. That window
#    is bounded in time to one flush interval (in practice one or two mails with a real
#    SMTP server, where each mail takes tens of milliseconds or more). We accept this
#    at-least-once window rather than committing after every single mail, which would
#    cost a transaction per mail and break the "queries grow with batches" budget of a
#    100,000-reminder day.
# 4. Mail errors (SMTP refusals, connection errors) leave the row pending with
#    attempts + 1 and last_error; the Celery task retries with exponential backoff and
#    the next daily run tries again, until REMINDER_MAX_ATTEMPTS, when the row becomes
#    "failed". A row that can never be sent (object deleted, recipient inactive) is
#    marked failed at once.
# On SQLite (development, the test suite) SELECT … FOR UPDATE is a no-op and the
# database serialises writers; several workers at once need PostgreSQL.


def _deliver(run: ReminderRun, *, rules, on_item) -> None:
    batch_size = max(_setting("REMINDER_BATCH_SIZE", 500), 1)
    flush_seconds = _setting("REMINDER_FLUSH_SECONDS", 1.0)
    delay = _setting("REMINDER_SEND_DELAY", 0.0)
    max_attempts = max(_setting("REMINDER_MAX_ATTEMPTS", 5), 1)
    content_types = _content_types()
    models_by_ct = {ct.pk: model for model, ct in content_types.items()}
    mailer = mail.get_connection()
    last_id, limit = 0, batch_size
    try:
        while True:
            done_lines = []
            with transaction.atomic():
                logs = list(
                    ReminderLog.objects.select_for_update(skip_locked=True)
                    .filter(status=ReminderLog.Status.PENDING, pk__gt=last_id)
                    .order_by("pk")[:limit]
                )
                if not logs:
                    break
                items = {log.pk: _log_to_due(log, models_by_ct) for log in logs}
                batch = _Batch(list(items.values()), today=run.today, rules=rules)
                started = time.monotonic()
                sent, errors, dead = [], [], []
                for done, log in enumerate(logs, start=1):  # noqa: B007 - done is read after the loop
                    last_id = log.pk
                    item = items[log.pk]
                    try:
                        message = build_message(item, batch, log_id=log.pk, connection=mailer)
                        if delay:
                            time.sleep(delay)
                        if mailer.send_messages([message]) != 1:
                            raise smtplib.SMTPException("the mail backend did not accept the message")
                    except Undeliverable as exc:
                        dead.append((log, str(exc)))
                    except (smtplib.SMTPException, OSError) as exc:
                        logger.warning("reminder %s to user %s not sent: %r", log.pk, log.recipient_id, exc)
                        errors.append((log, f"{type(exc).__name__}: {exc}"[:1000]))
                        mailer.close()  # start afresh for the next mail
                    else:
                        sent.append(log.pk)
                        done_lines.append((_line(item, batch), "sent"))
                    if time.monotonic() - started >= flush_seconds:
                        break
                # A slow mail server ends batches early: lock only about what one interval
                # sends, so the other workers find the rest unlocked.
                limit = batch_size if done == len(logs) else min(batch_size, done * 2)
                _record(sent, errors, dead, max_attempts, run)
            if on_item:
                for line, status in done_lines:
                    on_item(line, status)
    finally:
        mailer.close()


def _record(sent, errors, dead, max_attempts, run: ReminderRun) -> None:
    if sent:
        ReminderLog.objects.filter(pk__in=sent).update(
            status=ReminderLog.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
        run.sent += len(sent)
    changed = []
    for log, error in errors:
        log.attempts += 1
        log.last_error = error
        if log.attempts >= max_attempts:
            log.status = ReminderLog.Status.FAILED
            run.failed += 1
        else:
            run.retry += 1
        changed.append(log)
    for log, error in dead:
        log.status, log.last_error = ReminderLog.Status.FAILED, error
        run.failed += 1
        changed.append(log)
    if changed:
        ReminderLog.objects.bulk_update(changed, ["status", "attempts", "last_error"])


def send_due_reminders(
    *,
    today: datetime.date,
    dry_run: bool = False,
    on_item: Callable[[ReminderLine, str], None] | None = None,
) -> ReminderRun:
    """Claim every reminder due on ``today`` once, then mail every pending one and log it.

    With ``dry_run`` nothing is written and nothing is mailed: ``on_item`` is called
    for every reminder a real run would send now (new ones and pending ones left by
    an earlier run). Safe to run any number of times, by any number of workers.
    """
    run = ReminderRun(today=today, dry_run=dry_run)
    rules = active_rules()
    content_types = _content_types()
    for chunk in due_reminders(today=today, rules=rules):
        run.found += len(chunk)
        if dry_run:
            new = _unlogged(chunk, content_types)
            run.would_send += len(new)
            if on_item and new:
                batch = _Batch(new, today=today, rules=rules)
                for item in new:
                    on_item(_line(item, batch), "would send")
        else:
            run.claimed += _claim(chunk, content_types)
    if dry_run:
        _list_pending(run, rules=rules, on_item=on_item, content_types=content_types)
        return run
    run.failed += _expire_stale()
    _deliver(run, rules=rules, on_item=on_item)
    logger.info("reminders for %s: %s", today, run.as_dict())
    return run


def _list_pending(run: ReminderRun, *, rules, on_item, content_types) -> None:
    models_by_ct = {ct.pk: model for model, ct in content_types.items()}
    pending = ReminderLog.objects.filter(status=ReminderLog.Status.PENDING).order_by("pk")
    for logs in _chunks(pending.iterator(chunk_size=CHUNK), CHUNK):
        items = [_log_to_due(log, models_by_ct) for log in logs]
        run.would_send += len(items)
        if on_item:
            batch = _Batch(items, today=run.today, rules=rules)
            for item in items:
                on_item(_line(item, batch), "would send (pending)")
