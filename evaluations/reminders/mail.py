"""The mail of a reminder: text and HTML from ``templates/emails/reminders/``, in the recipient's language.

A batch of reminders loads what its mails show in a fixed number of queries (``MailBatch``);
each mail is then rendered by Django's templates, its link built by ``reverse()``.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext, ngettext

from accounts.models import User
from partners.deadlines import Deadlines, Period
from partners.models import ContributionReport, Membership, Partnership

from ..models import EvaluationCycle, FollowUpAction, ReminderKind
from .due import Due, waiting_since

REPORT_KINDS = {ReminderKind.REPORT_DUE, ReminderKind.REPORT_OVERDUE}
EVALUATION_KINDS = {ReminderKind.EVALUATION_DUE, ReminderKind.EVALUATION_OVERDUE}
ACTION_KINDS = {ReminderKind.ACTION_DUE, ReminderKind.ACTION_OVERDUE}
DIGEST_LINES = 50  # waiting reports listed in a digest; the rest are counted

# What a mail shows of its object, joined when the batch loads it.
SELECT_RELATED = {
    Membership: ("organisation", "partnership"),
    EvaluationCycle: ("partnership",),
    FollowUpAction: ("partnership", "owner_organisation"),
    Partnership: (),
}


class Undeliverable(Exception):
    """This reminder can never be sent (object gone, recipient inactive); it is marked failed."""


class ReminderLine(NamedTuple):
    """One reminder as the command prints it."""

    recipient: str
    kind: str
    object: str
    period: str


def absolute_url(viewname: str, *, kwargs=None, query: str = "") -> str:
    """Return SITE_URL + the path of ``viewname`` (+ ``query``), or SITE_URL + "/" when it does not reverse."""
    try:
        path = reverse(viewname, kwargs=kwargs) + query
    except NoReverseMatch:
        path = "/"
    return settings.SITE_URL.rstrip("/") + path


def _link(kind: str, obj) -> str:
    """Where the recipient acts on the reminder."""
    if kind in REPORT_KINDS:  # the "new report" form, with the member chosen and the period it owes filled in
        return absolute_url("partners:report_create", query=f"?membership={obj.pk}")
    if kind in EVALUATION_KINDS:  # the cycle page lists the user's organisations with a button to answer each
        return absolute_url("evaluations:cycle_detail", kwargs={"pk": obj.pk})
    if kind in ACTION_KINDS:  # the action page, where its owner updates the status
        return absolute_url("evaluations:action_detail", kwargs={"pk": obj.pk})
    if kind == ReminderKind.COMMITMENT_ENDING:  # the partner's home: its partnerships and what is due
        return absolute_url("workspace:partner_home")
    return absolute_url("partners:review_queue", query=f"?partnership={obj.pk}")  # the review queue, filtered


class MailBatch:
    """What the mails of a batch of reminders show, loaded in a fixed number of queries whatever their number."""

    def __init__(self, items: list[Due], *, today: datetime.date, rules: dict, deadlines: Deadlines):
        self.today, self.rules, self.deadlines = today, rules, deadlines
        self.users = User.objects.in_bulk({item.recipient_id for item in items})
        ids = defaultdict(set)
        for item in items:
            ids[item.model].add(item.object_id)
        self.objects = {
            model: model.objects.select_related(*SELECT_RELATED[model]).in_bulk(object_ids)
            for model, object_ids in ids.items()
        }
        self.waiting = defaultdict(list)  # {partnership id: [reports waiting for review]}, for the digests
        digests = {item.object_id for item in items if item.kind == ReminderKind.REVIEW_DIGEST}
        if digests:
            reports = (
                ContributionReport.objects.filter(
                    membership__partnership_id__in=digests,
                    status=ContributionReport.Status.SUBMITTED,
                    submitted_at__lt=waiting_since(today, rules.get(ReminderKind.REVIEW_DIGEST, 0)),
                )
                .select_related("membership__organisation")
                .order_by("submitted_at", "pk")
            )
            for report in reports:
                self.waiting[report.membership.partnership_id].append(report)

    def target(self, item: Due):
        """The object of ``item``, or None when it is gone."""
        return self.objects.get(item.model, {}).get(item.object_id)


def _date(value: datetime.date) -> str:
    """``value`` as the templates' ``|date:"j F Y"`` shows it, in the active language."""
    return formats.date_format(value, "j F Y")


def _subject_and_context(item: Due, obj, batch: MailBatch) -> tuple[str, dict]:
    """Return the subject and the template context of one reminder, in the active language."""
    kind = item.kind
    if kind in REPORT_KINDS:
        period = Period.from_key(item.period)
        due = batch.deadlines.report_due(period)
        params = {"period": period.label, "due": _date(due), "partnership": obj.partnership.title}
        if kind == ReminderKind.REPORT_DUE:
            subject = gettext("Reminder: contribution report for %(period)s is due on %(due)s") % params
        else:
            subject = gettext("Overdue: contribution report for %(period)s (due %(due)s)") % params
        return subject, {
            "organisation": obj.organisation, "partnership": obj.partnership, "period_label": period.label,
            "period_start": period.start, "period_end": period.end, "due": due,
        }
    if kind in EVALUATION_KINDS:
        params = {"partnership": obj.partnership.title, "due": _date(obj.due_date)}
        if kind == ReminderKind.EVALUATION_DUE:
            subject = gettext("Reminder: the evaluation of %(partnership)s is due on %(due)s") % params
        else:
            subject = gettext("Overdue: the evaluation of %(partnership)s (due %(due)s)") % params
        return subject, {"cycle": obj, "partnership": obj.partnership, "due": obj.due_date}
    if kind in ACTION_KINDS:
        params = {"title": obj.title, "due": _date(obj.due_date)}
        if kind == ReminderKind.ACTION_DUE:
            subject = gettext("Reminder: follow-up action “%(title)s” is due on %(due)s") % params
        else:
            subject = gettext("Overdue: follow-up action “%(title)s” (due %(due)s)") % params
        return subject, {
            "action": obj, "organisation": obj.owner_organisation, "partnership": obj.partnership, "due": obj.due_date,
        }
    if kind == ReminderKind.COMMITMENT_ENDING:
        subject = gettext("The commitment of %(organisation)s to %(partnership)s ends on %(due)s") % {
            "organisation": obj.organisation.name, "partnership": obj.partnership.title,
            "due": _date(obj.commitment_end),
        }
        return subject, {"organisation": obj.organisation, "partnership": obj.partnership, "due": obj.commitment_end}
    if kind == ReminderKind.REVIEW_DIGEST:
        reports = batch.waiting.get(obj.pk, [])
        if not reports:
            raise Undeliverable("no report is waiting for review any more")
        count = len(reports)
        subject = ngettext(
            "%(count)s contribution report waiting for review in %(partnership)s",
            "%(count)s contribution reports waiting for review in %(partnership)s",
            count,
        ) % {"count": count, "partnership": obj.title}
        return subject, {
            "partnership": obj, "reports": reports[:DIGEST_LINES], "more": max(count - DIGEST_LINES, 0),
            "count": count, "days": batch.rules.get(ReminderKind.REVIEW_DIGEST, 0),
        }
    raise Undeliverable(f"no mail for kind {kind}")  # pragma: no cover - a kind added to the model without a mail


def build_message(item: Due, batch: MailBatch, *, log_id=None, connection=None) -> mail.EmailMultiAlternatives:
    """Build the text and HTML mail of one reminder in the recipient's preferred language."""
    user = batch.users.get(item.recipient_id)
    if user is None or not user.is_active or not user.email:
        raise Undeliverable("the recipient is inactive or has no email address")
    obj = batch.target(item)
    if obj is None:
        raise Undeliverable("the object of this reminder no longer exists")
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, context = _subject_and_context(item, obj, batch)
        subject = " ".join(subject.split())  # a header: one line, whatever a title holds
        context.update({
            "recipient_name": user.get_full_name(), "subject": subject, "kind": item.kind,
            "url": _link(item.kind, obj), "site_url": settings.SITE_URL,
        })
        text = render_to_string(f"emails/reminders/{item.kind}.txt", context)
        html = render_to_string(f"emails/reminders/{item.kind}.html", context)
    headers = {"Content-Language": language, "Auto-Submitted": "auto-generated"}
    if log_id is not None:
        headers["X-Kemitraan-Reminder"] = str(log_id)
    message = mail.EmailMultiAlternatives(subject=subject, body=text, to=[user.email], headers=headers,
                                          connection=connection)
    message.attach_alternative(html, "text/html")
    return message


def describe(item: Due, batch: MailBatch) -> ReminderLine:
    """The line the command prints for ``item``."""
    user = batch.users.get(item.recipient_id)
    obj = batch.target(item)
    label = f"{item.model.__name__.lower()} #{item.object_id}" + (f" {obj}" if obj is not None else "")
    return ReminderLine(user.email if user else f"user #{item.recipient_id}", item.kind, label, item.period)
