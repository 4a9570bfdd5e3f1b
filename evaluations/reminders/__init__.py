"""The reminder job: find what is due, claim each reminder once, mail it, log it.

Plain functions, called by the Celery task ``evaluations.send_reminders`` and by
``python manage.py send_reminders``; neither adds logic of its own. Three modules, one
step each:

- ``due``: what is due on a day (the rules below), as reminder keys, in chunks;
- ``mail``: the mail of a reminder, rendered from ``templates/emails/reminders/`` in the
  recipient's language, with a link to where they act;
- ``sending``: each reminder claimed once as a ``ReminderLog`` row, then mailed and
  marked, exactly once however many runs and workers (how: see that module).

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
    (a member on the period's last day, ``evaluations.access.asked_to_answer``)
    without a *submitted* response. Recipients: representatives. Object: the cycle. Period: the due date.
``action_due`` / ``action_overdue``
    A follow-up action is due at ``action.due_date`` while *open* or *in progress* and its
    owner is a current member (``evaluations.access.actions_awaiting_their_owners``). Recipients:
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

Speed: a day may bring 100,000 reminders (``bench/jobs.py reminders``). Queries grow with
chunks of what is due and batches of mails, never with the number of reminders, and memory
holds one chunk or batch at a time, never the day's mails.
"""
from .due import DEFAULT_RULE_DAYS, Due, active_rules, due_reminders
from .mail import ReminderLine, Undeliverable, absolute_url, build_message
from .sending import ReminderRun, send_due_reminders

__all__ = [
    "DEFAULT_RULE_DAYS", "Due", "ReminderLine", "ReminderRun", "Undeliverable", "absolute_url", "active_rules",
    "build_message", "due_reminders", "send_due_reminders",
]
