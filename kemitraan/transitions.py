"""How a record's status may change: the one home of that rule for every model with a status.

Each such model declares its ``WORKFLOW`` next to its fields (which status may become which,
and the permission a move may need); every service that changes a status calls
:func:`transition`, which locks the row, checks the move against the workflow on the row as it
is in the database (not the caller's copy, which may be stale), applies the changes,
validates, saves through ``Model.save()`` (so the signals and simple-history see it, with
the person who did it) and refuses a move the workflow does not allow with one
:class:`TransitionError` naming the current status. Changes that are not moves but depend on
a status (deleting a draft, editing an answer still a draft) lock and check through
:func:`require_status`.

Why a helper of our own rather than a library: django-fsm is deprecated (its author moved it
into viewflow), and ``viewflow.fsm`` brings a whole workflow framework (flow classes,
decorated transition methods, its own admin) for what is here a mapping and one function of
a few lines that uses Django as it ships: ``refresh_from_db(from_queryset=...)`` with
``select_for_update``, ``full_clean()`` and ``save()``.
"""
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _


class TransitionError(ValidationError):
    """A status change (or a change that needs a status) refused from the record's current status."""


@dataclass(frozen=True)
class Workflow:
    """The statuses of a model and the moves between them.

    ``transitions`` maps each status to the statuses it may become (a status with none is final);
    ``permissions`` names the Django permission a move needs besides (checked with
    ``user.has_perm``, so superusers always have it); ``initial`` lists the statuses a new
    record may start in; ``field`` is the model's status field.
    """

    statuses: type[models.TextChoices]
    transitions: Mapping[str, Collection[str]]
    permissions: Mapping[tuple[str, str], str] = field(default_factory=dict)
    initial: Collection[str] = ()
    field: str = "status"

    def __post_init__(self):
        for source, targets in self.transitions.items():
            for status in (source, *targets):
                self.statuses(status)  # a ValueError for a status the model does not have
        missing = set(self.statuses.values) - set(self.transitions)
        if missing:
            raise ValueError(f"statuses without their transitions: {sorted(missing)}")

    def allows(self, current: str, to: str, user=None) -> bool:
        """Tell whether a record in ``current`` may become ``to``, when ``user`` asks."""
        if to not in self.transitions.get(current, ()):
            return False
        permission = self.permissions.get((current, to))
        return permission is None or (user is not None and user.has_perm(permission))

    def next_statuses(self, current: str, user=None) -> list[str]:
        """The statuses a record in ``current`` may become when ``user`` asks, in the order of the choices."""
        return [status for status in self.statuses.values if self.allows(current, status, user)]

    def label(self, status: str) -> str:
        """The status's name in the active language (the raw value for one the model does not have)."""
        try:
            return str(self.statuses(status).label)
        except ValueError:
            return str(status)


def _locked(obj: models.Model, queryset) -> models.Model:
    """Read ``obj`` again from its row, locked until the transaction ends; the caller's instance is updated."""
    queryset = type(obj)._default_manager.all() if queryset is None else queryset
    obj.refresh_from_db(from_queryset=queryset.select_for_update(of=("self",)))
    return obj


def _set_history_user(obj: models.Model, user) -> None:
    """Record who made the change in the history (simple-history) even when no request is around."""
    if getattr(user, "pk", None) is not None:
        obj._history_user = user


def require_status(obj: models.Model, statuses: Collection[str], *, message: str, code: str = "invalid_transition",
                   queryset=None) -> models.Model:
    """Lock ``obj``'s row and refuse unless its status is one of ``statuses``; return ``obj``, fresh.

    For changes that are not moves but are allowed only in some statuses (deleting a draft,
    changing an answer that is still a draft). ``message`` may name the current status as
    ``%(status)s``. Called inside the caller's transaction (Django refuses ``select_for_update``
    outside one), whose change the lock then guards until it ends.
    """
    workflow = type(obj).WORKFLOW
    _locked(obj, queryset)
    current = getattr(obj, workflow.field)
    if current not in statuses:
        raise TransitionError(message % {"status": workflow.label(current)}, code=code)
    return obj


@transaction.atomic
def transition(obj: models.Model, *, to: str, user=None, source: Collection[str] | None = None,
               message: str | None = None, on_locked=None, queryset=None, **changes) -> models.Model:
    """Move ``obj`` to status ``to`` and apply ``changes``, if its model's ``WORKFLOW`` allows it; return ``obj``.

    The row is locked first (``select_for_update``, until the caller's transaction ends), so
    two people moving the same record at once leave one consistent state: the second sees the
    first one's status and is refused. Then, on the fresh row:

    1. the workflow's check, and, when a service makes only some of the moves to ``to``, that
       the row is in one of its ``source`` statuses (a report is *submitted* from draft,
       *resubmitted* from returned); refused with ``message``, which may name the current
       status as ``%(status)s`` and the asked one as ``%(to)s``;
    2. the permission the move may need (``Workflow.permissions``);
    3. ``on_locked(obj)`` if given: the service's own guards, raising their errors, and
       whatever must be read under the lock (the votes a closing decision counts);
    4. the changes, ``full_clean()`` and ``save()``, recorded in the history as ``user``'s. A
       change given as a callable (``submitted_at=timezone.now``) is called only now, so a
       time is taken once the row is ours, not before a wait for another's lock.

    ``queryset`` reads the row (e.g. with ``select_related``; only the record's own row is locked).
    The move is atomic by itself: a service that does nothing else needs no transaction of its
    own (nesting one would cost a savepoint on every move).
    """
    workflow = type(obj).WORKFLOW
    _locked(obj, queryset)
    current = getattr(obj, workflow.field)
    params = {"status": workflow.label(current), "to": workflow.label(to)}
    if to not in workflow.transitions.get(current, ()) or (source is not None and current not in source):
        if message is None and to == current:
            raise TransitionError(_("Nothing to change: the status is already %(status)s.") % params, code="unchanged")
        message = message or _("The status cannot change from %(status)s to %(to)s.")
        raise TransitionError(message % params, code="invalid_transition")
    if not workflow.allows(current, to, user):
        raise TransitionError(
            _("Only an admin can change the status from %(status)s to %(to)s.") % params, code="not_permitted"
        )
    if on_locked is not None:
        on_locked(obj)
    setattr(obj, workflow.field, to)
    for name, value in changes.items():
        setattr(obj, name, value() if callable(value) else value)
    obj.full_clean()
    _set_history_user(obj, user)
    obj.save()
    return obj
