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
    A membership's report for a reporting period, due on the period's last day plus the
    admin's grace: the periods, who owes them, when a period counts as reported and the
    due date are ``partners.deadlines``' rules, read by the pages too. Recipients: the
    representatives of the member organisation. Object: the membership. Period: the
    period's key, ``2026-03`` (monthly), ``2026-Q1``, ``2026-H1``, ``2026`` (yearly).
``evaluation_due`` / ``evaluation_overdue``
    An *open* cycle is due at ``cycle.due_date`` for every member asked to answer it
    (a member on the period's last day, as ``evaluations.selectors.cycle_members``)
    without a *submitted* response. Recipients: representatives. Object: the cycle. Period: the due date.
``action_due`` / ``action_overdue``
    A follow-up action is due at ``action.due_date`` while *open* or *in progress* and its
    owner is a current member (``evaluations.selectors.actions_owned_by``). Recipients:
    representatives of the owner organisation. Object: the action.
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

Speed: a day may bring 100,000 reminders (``bench/jobs.py reminders``: about 20 s for all
of them on two cores). Queries grow with chunks and batches, never with reminders; a
claim is one INSERT per chunk; a mail costs no query, no template rendering (the
templates are rendered once per kind, language and dates, see ``_Renderer``), no
``reverse()`` (``_Links``) and no model instance (plain values, ``_mail_objects``); and
memory holds one chunk or batch at a time, never the day's mails.
"""
from __future__ import annotations

import datetime
import functools
import logging
import re
import secrets
import smtplib
import time
from bisect import bisect_right
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html import escape as html_escape
from itertools import islice
from types import SimpleNamespace
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.models import User
from partners.deadlines import Deadlines, Period, owing
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
from .selectors import actions_owned_by

logger = logging.getLogger(__name__)

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
PAGE_BATCHES = 50  # pending ids read per query while sending: this many batches

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


def _with_pks(queryset, ids):
    """Filter ``queryset`` on a few hundred primary keys.

    On PostgreSQL the ids travel as one array (``id IN (SELECT unnest(%s))``): a list of 500
    literals costs more to build and to plan than the rest of such a query.
    """
    if db_connection.vendor == "postgresql":
        return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (list(ids),)))
    return queryset.filter(pk__in=ids)


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


class _RunMemo:
    """Values read once per key in a run, at most ``limit`` kept (then forgotten and read again).

    The chunks and batches of one run name the same organisations and partnerships again and
    again; reading only the keys not seen yet turns a query per chunk into a query per chunk
    with new keys, and the limit keeps memory bounded on any data set.
    """

    def __init__(self, fetch: Callable[[set], dict], limit: int, default=None):
        self.fetch, self.limit, self.default = fetch, limit, default
        self.known: dict = {}

    def of(self, keys) -> dict:
        """Return a mapping that holds (at least) every key of ``keys``."""
        missing = {key for key in keys if key not in self.known}
        if missing:
            if len(self.known) + len(missing) > self.limit:
                self.known.clear()
                missing = set(keys)
            found = self.fetch(missing)
            for key in missing:
                self.known[key] = found.get(key, self.default)
        return self.known


class _Representatives(_RunMemo):
    """{organisation id: [active representative user ids]}, read once per organisation in a run."""

    def __init__(self):
        super().__init__(_representatives, limit=50_000, default=[])


def _not_left(day_field_value) -> Q:
    return Q(left_on__isnull=True) | Q(left_on__gte=day_field_value)


def _due_reports(today, rules, reps: _Representatives, deadlines: Deadlines) -> Iterator[list[Due]]:
    for kind in (ReminderKind.REPORT_DUE, ReminderKind.REPORT_OVERDUE):
        if kind not in rules:
            continue
        first_due, last_due = _window(kind, rules[kind], today)
        for frequency in Frequency.values:
            for period in deadlines.periods_due_between(frequency, first_due, last_due):
                # the members that owe the period's report and have not reported it (partners.deadlines)
                members = Membership.objects.filter(owing(period)).order_by("pk").values_list("pk", "organisation_id")
                for chunk in _chunks(members.iterator(chunk_size=CHUNK), CHUNK):
                    by_org = reps.of({org for _pk, org in chunk})
                    yield [
                        Due(user, kind, Membership, pk, period.key) for pk, org in chunk for user in by_org.get(org, ())
                    ]


def _due_evaluations(today, rules, reps: _Representatives) -> Iterator[list[Due]]:
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
            by_org = reps.of({m[1] for ms in members.values() for m in ms})
            items = {}
            for cycle_id, partnership_id, due_date, period_end in chunk:
                for membership_id, organisation_id, joined_on, left_on in members[partnership_id]:
                    # asked: a member on the period's last day (as evaluations.selectors.cycle_members)
                    if joined_on > period_end or (left_on is not None and left_on < period_end):
                        continue
                    if (cycle_id, membership_id) in answered:
                        continue
                    for user in by_org.get(organisation_id, ()):
                        item = Due(user, kind, EvaluationCycle, cycle_id, due_date.isoformat())
                        items[item] = None
            yield list(items)


def _due_actions(today, rules, reps: _Representatives) -> Iterator[list[Due]]:
    for kind in (ReminderKind.ACTION_DUE, ReminderKind.ACTION_OVERDUE):
        if kind not in rules:
            continue
        # The owner's representatives, while the owner is a current member (evaluations.selectors).
        actions = (
            actions_owned_by(None, today=today)
            .filter(partnership__status=Partnership.Status.ACTIVE, due_date__range=_window(kind, rules[kind], today))
            .select_related(None)
            .order_by("pk")
            .values_list("pk", "owner_organisation_id", "due_date")
        )
        for chunk in _chunks(actions.iterator(chunk_size=CHUNK), CHUNK):
            by_org = reps.of({org for _pk, org, _due in chunk})
            yield [
                Due(user, kind, FollowUpAction, pk, due.isoformat())
                for pk, org, due in chunk
                for user in by_org.get(org, ())
            ]


def _due_commitments(today, rules, reps: _Representatives) -> Iterator[list[Due]]:
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
        by_org = reps.of({org for _pk, org, _end in chunk})
        yield [
            Due(user, kind, Membership, pk, end.isoformat()) for pk, org, end in chunk for user in by_org.get(org, ())
        ]


def _waiting_since(today, days) -> datetime.datetime:
    """Reports submitted before this moment (local midnight) have waited at least ``days`` days."""
    day = today - datetime.timedelta(days=days - 1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _due_digests(today, rules, reps: _Representatives) -> Iterator[list[Due]]:
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


def due_reminders(*, today: datetime.date, rules=None, deadlines: Deadlines | None = None) -> Iterator[list[Due]]:
    """Yield, in chunks, every reminder whose window contains ``today`` (logged or not)."""
    rules = active_rules() if rules is None else rules
    deadlines = Deadlines.load() if deadlines is None else deadlines
    reps = _Representatives()
    for chunk in _due_reports(today, rules, reps, deadlines):
        if chunk:
            yield chunk
    for finder in (_due_evaluations, _due_actions, _due_commitments, _due_digests):
        for chunk in finder(today, rules, reps):
            if chunk:
                yield chunk


# --- building the mail -------------------------------------------------------------


class Undeliverable(Exception):
    """This reminder can never be sent (object gone, recipient inactive); it is marked failed."""


# What a mail shows of its object: {attribute: field} of the object itself, and
# {attribute: (foreign key, related model, field)} of the rows it points to (see _mail_objects).
MAIL_FIELDS = {
    Membership: {"commitment_end": "commitment_end"},
    EvaluationCycle: {"due_date": "due_date", "period_start": "period_start", "period_end": "period_end"},
    FollowUpAction: {"title": "title", "due_date": "due_date"},
    Partnership: {"title": "title"},
}
MAIL_NAMES = {
    Membership: {"organisation": ("organisation_id", Organisation, "name"),
                 "partnership": ("partnership_id", Partnership, "title")},
    EvaluationCycle: {"partnership": ("partnership_id", Partnership, "title")},
    FollowUpAction: {"organisation": ("owner_organisation_id", Organisation, "name"),
                     "partnership": ("partnership_id", Partnership, "title")},
    Partnership: {},
}
_MAIL_ROWS = {
    model: namedtuple(f"{model.__name__}Mail", ["pk", *MAIL_FIELDS[model], *MAIL_NAMES[model]])
    for model in MAIL_FIELDS
}

# The model instances behind the lines the command prints (str(obj)).
SELECT_RELATED = {
    Membership: ("organisation", "partnership"),
    EvaluationCycle: ("partnership",),
    FollowUpAction: ("partnership", "owner_organisation"),
    Partnership: (),
}


class _Waiting(NamedTuple):
    """A report in a review digest (the fields are ContributionReport lookups)."""

    membership__organisation__name: str
    kind: str
    period_start: datetime.date
    period_end: datetime.date
    submitted_at: datetime.datetime


class _Recipient(NamedTuple):
    """What a mail needs of its recipient."""

    pk: int
    email: str
    full_name: str
    is_active: bool
    preferred_language: str

    def get_full_name(self) -> str:
        return User.get_full_name(self)


class _Names:
    """The names and titles of the organisations and partnerships the mails of a run show.

    Read once per row in a run (the objects of a day's reminders share a few thousand
    organisations and partnerships), rather than joined into every batch's query.
    """

    LIMIT = 100_000

    def __init__(self):
        self.memos: dict[tuple, _RunMemo] = {}  # {(model, field): memo of {pk: value}}

    def of(self, model, field: str, ids: set) -> dict:
        """Return {pk: value of ``field``} for the rows of ``ids`` (those that exist)."""
        memo = self.memos.get((model, field))
        if memo is None:
            def fetch(missing):
                return dict(_with_pks(model.objects.all(), missing).order_by().values_list("pk", field))

            memo = self.memos[(model, field)] = _RunMemo(fetch, self.LIMIT)
        known = memo.of(ids)
        return {pk: known[pk] for pk in ids if known.get(pk) is not None}


def _mail_objects(model, object_ids, names: _Names) -> dict:
    """Return {pk: row} of ``model``'s objects, rows with the MAIL_FIELDS and MAIL_NAMES as attributes.

    Plain values: a model instance with its related rows costs some 60 µs to build, more
    than all the rest of a mail.
    """
    fields, related = MAIL_FIELDS[model], MAIL_NAMES[model].values()
    rows = list(
        _with_pks(model.objects.all(), object_ids)
        .order_by()
        .values_list("pk", *fields.values(), *(key for key, _model, _field in related))
    )
    width = 1 + len(fields)
    values = [
        names.of(other, field, {row[index] for row in rows})
        for index, (_key, other, field) in enumerate(related, start=width)
    ]
    make = _MAIL_ROWS[model]._make
    return {row[0]: make((*row[:width], *map(dict.get, values, row[width:]))) for row in rows}


class _Batch:
    """Everything the mails of a batch need, loaded in a fixed number of queries."""

    def __init__(self, items, *, today, rules, deadlines: Deadlines, renderer: _Renderer | None = None,
                 names: _Names | None = None):
        self.today = today
        self.rules = rules
        self.deadlines = deadlines
        self.items = items
        self.renderer = renderer if renderer is not None else _Renderer()
        names = names if names is not None else _Names()
        self.users = {
            row[0]: _Recipient(*row)
            for row in _with_pks(User.objects.all(), {item.recipient_id for item in items}).values_list(
                "pk", "email", "full_name", "is_active", "preferred_language"
            )
        }
        self.objects = {model: _mail_objects(model, object_ids, names) for model, object_ids in self._ids().items()}
        self._instances = None
        self.waiting = defaultdict(list)
        digests = {item.object_id for item in items if item.kind == ReminderKind.REVIEW_DIGEST}
        if digests:
            reports = (
                ContributionReport.objects.filter(
                    membership__partnership_id__in=digests,
                    status=ContributionReport.Status.SUBMITTED,
                    submitted_at__lt=_waiting_since(today, rules.get(ReminderKind.REVIEW_DIGEST, 0)),
                )
                .order_by("submitted_at", "pk")
                .values_list("membership__partnership_id", *_Waiting._fields)
            )
            for partnership_id, *report in reports:
                self.waiting[partnership_id].append(_Waiting(*report))

        # Digests of this batch rendered by content (kind, language, object, period): every
        # coordinator of a partnership shares one rendering; only the name differs.
        self.rendered = {}

    def _ids(self) -> dict:
        ids = defaultdict(set)
        for item in self.items:
            ids[item.model].add(item.object_id)
        return ids

    def target(self, item):
        """The object of ``item`` as the mail shows it (see MAIL_FIELDS), or None when it is gone."""
        return self.objects.get(item.model, {}).get(item.object_id)

    def instance(self, item):
        """The model instance of ``item``'s object, loaded for the whole batch on first use."""
        if self._instances is None:
            self._instances = {
                model: model.objects.select_related(*SELECT_RELATED[model]).in_bulk(object_ids)
                for model, object_ids in self._ids().items()
            }
        return self._instances.get(item.model, {}).get(item.object_id)


def _date(value: datetime.date) -> str:
    """``value`` as the templates' ``|date:"j F Y"`` shows it in the active language."""
    return _date_in(value, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _date_in(value: datetime.date, language: str) -> str:
    return formats.date_format(value, "j F Y")


REPORT_KINDS = {ReminderKind.REPORT_DUE, ReminderKind.REPORT_OVERDUE}
EVALUATION_KINDS = {ReminderKind.EVALUATION_DUE, ReminderKind.EVALUATION_OVERDUE}
ACTION_KINDS = {ReminderKind.ACTION_DUE, ReminderKind.ACTION_OVERDUE}


def _fields(kind: str, obj, links: _Links) -> dict[str, str]:
    """Return the text of a reminder that differs from object to object: names, titles, its link.

    ``obj`` is a row of :func:`_mail_objects`. The mail is rendered once per layout (see
    :func:`_layout_key`) with a placeholder for each of these, and the placeholders are
    replaced by each reminder's own text.
    """
    if kind in REPORT_KINDS:
        return {"organisation": obj.organisation, "partnership": obj.partnership, "url": links.url("report", obj)}
    if kind in EVALUATION_KINDS:
        return {"partnership": obj.partnership, "url": links.url("evaluation", obj)}
    if kind in ACTION_KINDS:
        return {"title": obj.title, "organisation": obj.organisation, "partnership": obj.partnership,
                "url": links.url("action", obj)}
    if kind == ReminderKind.COMMITMENT_ENDING:
        return {"organisation": obj.organisation, "partnership": obj.partnership, "url": links.url("commitment", obj)}
    return {"url": links.url("digest", obj)}


def _layout_key(item: Due, obj):
    """Return what, besides kind and language, the mail of ``item`` shares with others: its dates.

    None for the review digest, whose list of waiting reports is the partnership's own.
    """
    kind = item.kind
    if kind in REPORT_KINDS:
        return item.period  # the period label and the due date follow from it
    if kind in EVALUATION_KINDS:
        return obj.due_date, obj.period_start, obj.period_end
    if kind in ACTION_KINDS:
        return obj.due_date
    if kind == ReminderKind.COMMITMENT_ENDING:
        return obj.commitment_end
    return None


def _context(item: Due, obj, fields: dict[str, str], batch: _Batch) -> tuple[str, dict]:
    """Return (subject, template context) for one reminder, in the active language.

    The names, titles and link come from ``fields`` (see :func:`_fields`), the real text
    or placeholders; everything else the templates show (dates, period) is in the context.
    """
    kind = item.kind
    partnership = {"title": fields.get("partnership")}
    if kind in REPORT_KINDS:
        period = Period.from_key(item.period)
        start, end, due, label = period.start, period.end, batch.deadlines.report_due(period), period.label
        params = {"period": label, "due": _date(due), "partnership": fields["partnership"]}
        if kind == ReminderKind.REPORT_DUE:
            subject = gettext("Reminder: contribution report for %(period)s is due on %(due)s") % params
        else:
            subject = gettext("Overdue: contribution report for %(period)s (due %(due)s)") % params
        context = {
            "organisation": {"name": fields["organisation"]}, "partnership": partnership,
            "period_label": label, "period_start": start, "period_end": end, "due": due, "url": fields["url"],
        }
    elif kind in EVALUATION_KINDS:
        params = {"partnership": fields["partnership"], "due": _date(obj.due_date)}
        if kind == ReminderKind.EVALUATION_DUE:
            subject = gettext("Reminder: the evaluation of %(partnership)s is due on %(due)s") % params
        else:
            subject = gettext("Overdue: the evaluation of %(partnership)s (due %(due)s)") % params
        context = {
            "cycle": {"period_start": obj.period_start, "period_end": obj.period_end, "due_date": obj.due_date},
            "partnership": partnership, "due": obj.due_date, "url": fields["url"],
        }
    elif kind in ACTION_KINDS:
        params = {"title": fields["title"], "due": _date(obj.due_date)}
        if kind == ReminderKind.ACTION_DUE:
            subject = gettext("Reminder: follow-up action “%(title)s” is due on %(due)s") % params
        else:
            subject = gettext("Overdue: follow-up action “%(title)s” (due %(due)s)") % params
        context = {
            "action": {"title": fields["title"], "due_date": obj.due_date},
            "organisation": {"name": fields["organisation"]}, "partnership": partnership,
            "due": obj.due_date, "url": fields["url"],
        }
    elif kind == ReminderKind.COMMITMENT_ENDING:
        end = obj.commitment_end
        subject = gettext("The commitment of %(organisation)s to %(partnership)s ends on %(due)s") % {
            "organisation": fields["organisation"], "partnership": fields["partnership"], "due": _date(end),
        }
        context = {
            "organisation": {"name": fields["organisation"]}, "partnership": partnership,
            "due": end, "url": fields["url"],
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
        # The lines of the list as text: a date filter in the template's loop costs more
        # than the rest of a digest.
        lines = [
            {
                "organisation": report.membership__organisation__name, "kind": _kind_label(report.kind),
                "period_start": _date(report.period_start), "period_end": _date(report.period_end),
                "submitted": _date(timezone.template_localtime(report.submitted_at).date()),
            }
            for report in reports[:50]
        ]
        context = {
            "partnership": obj, "reports": lines, "more": max(count - 50, 0), "count": count,
            "days": batch.rules.get(ReminderKind.REVIEW_DIGEST, 0), "url": fields["url"],
        }
    else:  # pragma: no cover - a kind added to the model without a mail
        raise Undeliverable(f"no mail for kind {kind}")
    return subject, context


@functools.cache
def _kind_labels() -> dict:
    return dict(ContributionReport._meta.get_field("kind").flatchoices)


def _kind_label(kind: str) -> str:
    """``report.get_kind_display()`` in the active language, without building the choices anew each time."""
    return str(_kind_labels().get(kind, kind))


class _Layout(NamedTuple):
    """A mail rendered with placeholders, each part split into text and field names taking turns.

    ``("Dear ", "name", ", ...")``: the fields are at the odd positions. The subject has its
    whitespace collapsed.
    """

    subject: tuple[str, ...]
    text: tuple[str, ...]
    html: tuple[str, ...]


class _Links:
    """The links of :data:`LINKS`, reversed once per run and completed with each object's pk.

    ``reverse()`` costs about 0.1 ms, as much as all the rest of a mail. The link of a target
    is reversed for two made-up pks; when the second is the first with the pk's digits
    replaced, the link of any object is that text with the object's pk in their place.
    Otherwise (a link that depends on more than the pk) every link is reversed in full.
    """

    PROBES = (7_391_046_285, 8_502_157_396)

    def __init__(self):
        self.patterns: dict[str, list[str] | None] = {}

    def url(self, target: str, obj) -> str:
        try:
            parts = self.patterns[target]
        except KeyError:
            parts = self.patterns[target] = self._pattern(target)
        if parts is None:
            return _link(target, obj)
        return str(obj.pk).join(parts)

    @classmethod
    def _pattern(cls, target: str) -> list[str] | None:
        try:
            first, second = (_link(target, SimpleNamespace(pk=pk)) for pk in cls.PROBES)
        except Exception:  # noqa: BLE001 - a link built from more than the pk: reverse each in full
            return None
        parts = first.split(str(cls.PROBES[0]))
        return parts if str(cls.PROBES[1]).join(parts) == second else None


class _Renderer:
    """Renders the reminder mails of a run: the templates once per layout, then text replacement per mail.

    Rendering the two templates costs about 1 ms a mail, the whole budget of a 100,000-mail
    day; but the mails of one kind, language and dates differ only in a few names, a title
    and a link. Those are rendered as placeholders (``_fields``) once per layout
    (``_layout_key``), and each mail replaces them by its own text, escaped for the HTML
    part, in one pass, so a name or title that looks like a placeholder stays as it is.
    The placeholders carry a random mark drawn per run, so no stored text can forge one.

    A template that altered a placeholder (a filter such as ``|upper`` or ``|truncatechars``)
    is detected when its layout is rendered; the mails of that layout are then rendered in
    full, one by one, as correct as before and only slower.
    """

    LIMIT = 2_000  # layouts kept; a run has a few per kind and language

    def __init__(self):
        self.mark = f"{secrets.randbelow(10**8):08d}"
        self.pattern = re.compile(rf"RMD-{self.mark}-([a-z]+)-")
        self.links = _Links()
        self.layouts: dict = {}
        self.site_url = settings.SITE_URL

    def placeholder(self, name: str) -> str:
        return f"RMD-{self.mark}-{name}-"

    def render(self, item: Due, obj, batch: _Batch, language: str, name: str) -> tuple[str, str, str]:
        """Return (subject, text, html) of the mail of ``item`` to a recipient called ``name``."""
        fields = _fields(item.kind, obj, self.links)
        shared = _layout_key(item, obj)
        if shared is None:  # a digest: its own rendering, shared by the recipients in this batch
            cache, layout_fields = batch.rendered, fields
            key = (item.kind, language, item.model, item.object_id, item.period)
        else:
            cache, key = self.layouts, (item.kind, language, shared)
            layout_fields = {field: self.placeholder(field) for field in fields}
        layout = cache.get(key)
        if layout is None:
            layout = self._layout(item, obj, batch, language, layout_fields, check=shared is not None)
            if len(cache) >= self.LIMIT:
                cache.clear()
            cache[key] = layout
        if layout is False:
            layout = self._layout(item, obj, batch, language, fields)
        values = {**fields, "name": name}
        subject = " ".join(_fill(layout.subject, values).split())
        values["subject"] = subject
        text = _fill(layout.text, values)
        html = _fill(layout.html, {field: html_escape(value) for field, value in values.items()})
        return subject, text, html

    def _layout(self, item: Due, obj, batch: _Batch, language: str, fields: dict[str, str], *, check=False):
        """Render the mail of ``item`` with ``fields`` (placeholders or the real text) into a layout.

        With ``check``, return False instead when a template altered a placeholder of ``fields``.
        """
        with translation.override(language):
            subject, context = _context(item, obj, fields, batch)
            context.update({
                "recipient_name": self.placeholder("name"), "subject": self.placeholder("subject"),
                "kind": item.kind, "site_url": self.site_url,
            })
            parts = (
                " ".join(subject.split()),
                render_to_string(f"emails/reminders/{item.kind}.txt", context),
                render_to_string(f"emails/reminders/{item.kind}.html", context),
            )
        if check and not self._intact(parts, fields):
            logger.warning("reminder template %s alters its fields; each mail is rendered in full", item.kind)
            return False
        return _Layout(*(tuple(self.pattern.split(part)) for part in parts))

    def _intact(self, parts: tuple[str, ...], fields: dict[str, str]) -> bool:
        """Whether every placeholder of ``fields`` came out of the templates unaltered."""
        whole = "\n".join(parts)
        if self.mark in self.pattern.sub("", whole):
            return False
        return all(placeholder in whole for placeholder in fields.values())


def _fill(parts: tuple[str, ...], values: dict[str, str]) -> str:
    """Join ``parts`` (see _Layout) with the value of each field in its place."""
    joined = list(parts)
    joined[1::2] = [values[name] for name in parts[1::2]]
    return "".join(joined)


def build_message(item: Due, batch: _Batch, *, log_id=None, connection=None) -> mail.EmailMultiAlternatives:
    """Build the text and HTML mail of one reminder in the recipient's preferred language."""
    user = batch.users.get(item.recipient_id)
    if user is None or not user.is_active or not user.email:
        raise Undeliverable("the recipient is inactive or has no email address")
    obj = batch.target(item)
    if obj is None:
        raise Undeliverable("the object of this reminder no longer exists")
    language = user.preferred_language or settings.LANGUAGE_CODE
    subject, text, html = batch.renderer.render(item, obj, batch, language, user.get_full_name())
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
    obj = batch.instance(item)
    label = f"{item.model._meta.model_name} #{item.object_id}" + (f" {obj}" if obj is not None else "")
    return ReminderLine(user.email if user else f"user #{item.recipient_id}", item.kind, label, item.period)


# --- claiming and sending ----------------------------------------------------------


def _content_types() -> dict:
    models = (Membership, EvaluationCycle, FollowUpAction, Partnership)
    by_model = ContentType.objects.get_for_models(*models)
    return by_model


class _Locked(NamedTuple):
    """A pending row locked for sending (the fields are ReminderLog's)."""

    pk: int
    recipient_id: int
    kind: str
    content_type_id: int
    object_id: int
    period: str
    status: str
    attempts: int


def _log_to_due(log: ReminderLog | _Locked, models_by_ct: dict) -> Due:
    return Due(log.recipient_id, log.kind, models_by_ct[log.content_type_id], log.object_id, log.period)


def _claim(chunk: list[Due], content_types: dict) -> int:
    """Insert a pending log row for every reminder of ``chunk`` not logged yet; return how many were new.

    On PostgreSQL one INSERT … ON CONFLICT DO NOTHING does it all: a key already logged
    (most reminders found on a day were logged on an earlier day of their window) costs
    one probe of the unique index and writes nothing, a race with another worker inserting
    the same key at the same moment is settled by the same constraint, and the row count
    of the statement is the number of rows this run claimed. Elsewhere (SQLite) one SELECT
    filters out the logged keys first, and bulk_create(ignore_conflicts=True) inserts the rest.
    """
    if db_connection.vendor == "postgresql":
        return _insert_pending_postgresql(chunk, content_types)
    new = _unlogged(chunk, content_types)
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


def _key_arrays(items: list[Due], content_types: dict) -> list[list]:
    """The unique keys of ``items`` as five parallel arrays, for unnest() on PostgreSQL."""
    return [
        [item.recipient_id for item in items], [str(item.kind) for item in items],
        [content_types[item.model].pk for item in items], [item.object_id for item in items],
        [item.period for item in items],
    ]


_UNNEST_KEYS = "unnest(%s::bigint[], %s::varchar[], %s::integer[], %s::bigint[], %s::varchar[])"


def _insert_pending_postgresql(items: list[Due], content_types: dict) -> int:
    """INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING: one statement, little Python per row.

    Return the number of rows inserted (keys already logged are skipped by the database).
    """
    meta, quote = ReminderLog._meta, db_connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("recipient", "kind", "content_type", "object_id", "period", "status", "attempts",
                     "last_error", "created_at")
    )
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"SELECT r, k, c, o, p, %s, 0, '', %s FROM {_UNNEST_KEYS} AS t(r, k, c, o, p) "
            "ON CONFLICT DO NOTHING",
            [ReminderLog.Status.PENDING.value, timezone.now(), *_key_arrays(items, content_types)],
        )
        return cursor.rowcount


def _unlogged(chunk: list[Due], content_types: dict) -> list[Due]:
    """Return the reminders of ``chunk`` that have no log row yet (dry run; the claim on SQLite)."""
    if db_connection.vendor == "postgresql":
        return _unlogged_postgresql(chunk, content_types)
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


def _unlogged_postgresql(chunk: list[Due], content_types: dict) -> list[Due]:
    """The same in one query that looks every whole key up in the unique index."""
    meta, quote = ReminderLog._meta, db_connection.ops.quote_name
    match = " AND ".join(
        f"l.{quote(meta.get_field(name).column)} = t.{alias}"
        for name, alias in (("recipient", "r"), ("kind", "k"), ("content_type", "c"), ("object_id", "o"),
                            ("period", "p"))
    )
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.i FROM {_UNNEST_KEYS} WITH ORDINALITY AS t(r, k, c, o, p, i) "
            f"WHERE NOT EXISTS (SELECT 1 FROM {quote(meta.db_table)} AS l WHERE {match}) ORDER BY t.i",
            _key_arrays(chunk, content_types),
        )
        return [chunk[i - 1] for (i,) in cursor.fetchall()]


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
#    (PostgreSQL re-checks the WHERE on the newest row version). The ids come from pages
#    of pending ids read without a lock (``_PendingIds``, 50 batches a page), and each
#    batch locks its ids by primary key: "the next 500 pending rows after id X" asked
#    directly is answered from the status index by sorting every pending row, a cost
#    that grows with the backlog on every batch (100 ms a batch at 100,000 pending rows).
# 3. Mark sent in the same transaction, which commits right after the mails of the batch
#    were handed to the mail server. A batch ends at REMINDER_BATCH_SIZE rows or as soon as
#    REMINDER_FLUSH_SECONDS (1 s) have passed since it began, whichever comes first.
#    The one window left: a process killed after the SMTP server accepted a mail and
#    before the commit leaves that row pending, and it is sent again once. That window
#    is bounded in time to one flush interval (in practice one or two mails with a real
#    SMTP server, where each mail takes tens of milliseconds or more). We accept this
#    at-least-once window rather than committing after every single mail, which would
#    cost a transaction per mail and break the "queries grow with batches" budget of a
#    100,000-reminder day. Each mail is still handed over on its own
#    (``send_messages([message])``) on one mail connection opened for the run, so a mail
#    error is that mail's alone: the ones before it count as sent, the ones after it are
#    tried on a fresh connection.
# 4. Mail errors (SMTP refusals, connection errors) leave the row pending with
#    attempts + 1 and last_error; the Celery task retries with exponential backoff and
#    the next daily run tries again, until REMINDER_MAX_ATTEMPTS, when the row becomes
#    "failed". A row that can never be sent (object deleted, recipient inactive) is
#    marked failed at once.
# On SQLite (development, the test suite) SELECT … FOR UPDATE is a no-op and the
# database serialises writers; several workers at once need PostgreSQL.


class _PendingIds:
    """The ids of pending rows in primary-key order, read a page at a time and not locked."""

    def __init__(self, size: int):
        self.size = size
        self.page: list[int] = []
        self.complete = False  # the page holds every pending id after its first one

    def after(self, last_id: int, count: int) -> list[int]:
        """Return up to ``count`` pending ids greater than ``last_id``; none when there are no more."""
        start = bisect_right(self.page, last_id)
        left = len(self.page) - start
        if left == 0 or (left < count and not self.complete):
            # The end of the page: read on. A short last page is read again once it is used
            # up, for rows claimed meanwhile (by another worker) with higher ids.
            self.page = list(
                ReminderLog.objects.filter(status=ReminderLog.Status.PENDING, pk__gt=last_id)
                .order_by("pk")
                .values_list("pk", flat=True)[: self.size]
            )
            self.complete = len(self.page) < self.size
            start = 0
        return self.page[start:start + count]


def _deliver(run: ReminderRun, *, rules, deadlines: Deadlines, on_item) -> None:
    batch_size = max(_setting("REMINDER_BATCH_SIZE", 500), 1)
    flush_seconds = _setting("REMINDER_FLUSH_SECONDS", 1.0)
    delay = _setting("REMINDER_SEND_DELAY", 0.0)
    max_attempts = max(_setting("REMINDER_MAX_ATTEMPTS", 5), 1)
    content_types = _content_types()
    models_by_ct = {ct.pk: model for model, ct in content_types.items()}
    renderer, names = _Renderer(), _Names()
    pending = _PendingIds(batch_size * PAGE_BATCHES)
    mailer = mail.get_connection()
    connected = False
    last_id, limit = 0, batch_size
    try:
        while ids := pending.after(last_id, limit):
            done_lines = []
            with transaction.atomic():
                # Lock the rows by primary key alone and keep those still pending: the lock
                # returns each row as it is now, so one a peer marked "sent" since the page was
                # read shows as sent. (With the status in the WHERE clause, the planner may
                # AND the status index in, reading an index entry per pending row per batch.)
                logs = [
                    log for log in map(_Locked._make, (
                        _with_pks(ReminderLog.objects.select_for_update(skip_locked=True), ids)
                        .order_by("pk")
                        .values_list(*_Locked._fields)
                    ))
                    if log.status == ReminderLog.Status.PENDING
                ]
                if not logs:  # all sent or held by another worker since the page was read
                    last_id = ids[-1]
                    continue
                items = {log.pk: _log_to_due(log, models_by_ct) for log in logs}
                batch = _Batch(list(items.values()), today=run.today, rules=rules, deadlines=deadlines,
                               renderer=renderer, names=names)
                started = time.monotonic()
                sent, errors, dead = [], [], []
                for done, log in enumerate(logs, start=1):  # noqa: B007 - done is read after the loop
                    last_id = log.pk
                    item = items[log.pk]
                    try:
                        message = build_message(item, batch, log_id=log.pk, connection=mailer)
                        if delay:
                            time.sleep(delay)
                        if not connected:
                            # One connection for the run: send_messages() on a closed backend
                            # would open and close one for every mail.
                            mailer.open()
                            connected = True
                        if mailer.send_messages([message]) != 1:
                            raise smtplib.SMTPException("the mail backend did not accept the message")
                    except Undeliverable as exc:
                        dead.append((log, str(exc)))
                    except (smtplib.SMTPException, OSError) as exc:
                        logger.warning("reminder %s to user %s not sent: %r", log.pk, log.recipient_id, exc)
                        errors.append((log, f"{type(exc).__name__}: {exc}"[:1000]))
                        mailer.close()  # start afresh for the next mail
                        connected = False
                    else:
                        sent.append(log.pk)
                        if on_item:
                            done_lines.append((_line(item, batch), "sent"))
                    if time.monotonic() - started >= flush_seconds:
                        break
                # A slow mail server ends batches early: lock only about what one interval
                # sends, so the other workers find the rest unlocked.
                if done == len(logs):
                    limit = batch_size
                    last_id = max(last_id, ids[-1])  # the ids after the last row were sent or held by a peer
                else:
                    limit = min(batch_size, done * 2)
                _record(sent, errors, dead, max_attempts, run)
            for line, status in done_lines:
                on_item(line, status)
    finally:
        mailer.close()


def _record(sent, errors, dead, max_attempts, run: ReminderRun) -> None:
    if sent:
        _with_pks(ReminderLog.objects.all(), sent).update(
            status=ReminderLog.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
        run.sent += len(sent)
    changed = []
    for log, error in errors:
        attempts = log.attempts + 1
        if attempts >= max_attempts:
            status = ReminderLog.Status.FAILED
            run.failed += 1
        else:
            status = ReminderLog.Status.PENDING
            run.retry += 1
        changed.append(ReminderLog(pk=log.pk, status=status, attempts=attempts, last_error=error))
    for log, error in dead:
        run.failed += 1
        changed.append(
            ReminderLog(pk=log.pk, status=ReminderLog.Status.FAILED, attempts=log.attempts, last_error=error)
        )
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
    deadlines = Deadlines.load()
    content_types = _content_types()
    for chunk in due_reminders(today=today, rules=rules, deadlines=deadlines):
        run.found += len(chunk)
        if dry_run:
            new = _unlogged(chunk, content_types)
            run.would_send += len(new)
            if on_item and new:
                batch = _Batch(new, today=today, rules=rules, deadlines=deadlines)
                for item in new:
                    on_item(_line(item, batch), "would send")
        else:
            run.claimed += _claim(chunk, content_types)
    if dry_run:
        _list_pending(run, rules=rules, deadlines=deadlines, on_item=on_item, content_types=content_types)
        return run
    run.failed += _expire_stale()
    _deliver(run, rules=rules, deadlines=deadlines, on_item=on_item)
    logger.info("reminders for %s: %s", today, run.as_dict())
    return run


def _list_pending(run: ReminderRun, *, rules, deadlines: Deadlines, on_item, content_types) -> None:
    models_by_ct = {ct.pk: model for model, ct in content_types.items()}
    pending = ReminderLog.objects.filter(status=ReminderLog.Status.PENDING).order_by("pk")
    for logs in _chunks(pending.iterator(chunk_size=CHUNK), CHUNK):
        items = [_log_to_due(log, models_by_ct) for log in logs]
        run.would_send += len(items)
        if on_item:
            batch = _Batch(items, today=run.today, rules=rules, deadlines=deadlines)
            for item in items:
                on_item(_line(item, batch), "would send (pending)")
