"""Keep cached pages true: whatever shows a person or a record, touch its partnerships.

Every cached page (kemitraan/fragments.py) is keyed by the ``cache_token`` of the partnerships its
reader may see; ``touch()`` gives partnerships new ones, so the pages that showed them are never
read again. One rule, for every model whose rows partnership pages show (``SHOWN``: people, the
coordinator and representative link rows, the records of this app and of evaluations):

    when a person or a record is saved or deleted, touch the partnerships whose pages show it:
    its own, and those of every record that names it (``partnerships_showing``).

Its own partnerships are at the end of the paths ``SHOWN`` gives; the records naming it are those
whose foreign keys ``SHOWN`` lists in ``names`` point at it. Those keys are SET_NULL: deleting a
person (or a finding) empties them in one UPDATE that sends no signal, and a person's new name
shows on them too. Rows that CASCADE with a deletion send their own signals.

A save touches after its row is written. A deletion finds the partnerships in ``pre_delete``,
while every row it removes or empties is still there (a cascade may remove the parent that leads
to the partnership), and touches them in ``post_delete``: in the deletion's transaction (Django
deletes in one), after the rows, as a save does, so writers lock rows in one order.

Organisations show everywhere (their names on every page of their partnerships and people): any
change of one touches every partnership. A partnership's own change touches it.
"""
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from .models import (
    Attachment,
    ContributionReport,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)


def touch(partnership_ids) -> None:
    """Give these partnerships new cache tokens, in the caller's transaction.

    Called after the change it follows (post_save, post_delete, or by a service after its
    write), on the same connection: inside the change's transaction when there is one, so a
    reader sees either the old rows and the old token or the new rows and the new token; never
    before the change. The ids are sorted, so the IN list, and the index scan that locks the rows,
    go in one order in every transaction.
    """
    ids = sorted({int(pk) for pk in partnership_ids if pk})
    if ids:
        Partnership.objects.filter(pk__in=ids).touch()


def touch_all() -> None:
    Partnership.objects.all().touch()


@dataclass(frozen=True)
class Shown:
    """Where a model's rows show: ``partnerships`` are the paths from a row to the partnerships whose
    pages show it; ``names`` its SET_NULL foreign keys to the people or records it names."""

    partnerships: tuple[str, ...]
    names: tuple[str, ...] = ()


SHOWN: dict[type[models.Model], Shown] = {}
# model -> [(a model naming it, how that one is shown, its fields that do)], from ``SHOWN``
NAMED_BY: dict[type[models.Model], list[tuple[type[models.Model], Shown, tuple[str, ...]]]] = {}


def _ids_along(obj, path: str):
    """Return the ids at the end of ``path`` from ``obj``: through its loaded parents while it has them, then one query."""
    head, _, rest = path.partition("__")
    field = obj._meta.get_field(head)
    if not field.many_to_one:  # a reverse or many-to-many relation: the rows at the end, in one query
        return type(obj).objects.filter(pk=obj.pk).order_by().values_list(path, flat=True)
    if not rest:
        return [getattr(obj, field.attname)]
    if field.is_cached(obj) and field.get_cached_value(obj) is not None:
        return _ids_along(field.get_cached_value(obj), rest)
    return field.related_model.objects.filter(pk=getattr(obj, field.attname)).order_by().values_list(rest, flat=True)


def partnerships_showing(obj) -> set[int]:
    """Return the ids of the partnerships whose pages show ``obj``: its own, and those of every record naming it."""
    ids = set()
    for path in SHOWN[type(obj)].partnerships:
        ids.update(_ids_along(obj, path))
    for model, shown, fields in NAMED_BY.get(type(obj), ()):
        naming = Q()
        for name in fields:
            naming |= Q(**{name: obj.pk})
        for path in shown.partnerships:
            ids.update(model.objects.filter(naming).order_by().values_list(path, flat=True))
    ids.discard(None)
    return ids


# The partnerships a row being deleted shows on: found in pre_delete, touched in post_delete.
_SHOWED_ON = "_fragments_showed_on"


def saved(sender, instance, raw=False, **kwargs):
    if not raw:  # loaddata: run `manage.py fragments_clear` after it
        touch(partnerships_showing(instance))


def deleting(sender, instance, **kwargs):
    setattr(instance, _SHOWED_ON, partnerships_showing(instance))


def deleted(sender, instance, **kwargs):
    touch(getattr(instance, _SHOWED_ON, ()))


def register(mapping: dict[type[models.Model], Shown], uid_prefix: str, *, on_save=saved) -> None:
    """Add ``mapping`` to ``SHOWN`` and connect its models' saves and deletions to the rule above."""
    for model, shown in mapping.items():
        if SHOWN.get(model) == shown:
            continue  # registered already
        SHOWN[model] = shown
        by_target = {}
        for name in shown.names:
            by_target.setdefault(model._meta.get_field(name).related_model, []).append(name)
        for target, names in by_target.items():
            NAMED_BY.setdefault(target, []).append((model, shown, tuple(names)))
        uid = f"{uid_prefix}_{model._meta.label_lower}"
        post_save.connect(on_save, sender=model, weak=False, dispatch_uid=f"{uid}_save")
        pre_delete.connect(deleting, sender=model, weak=False, dispatch_uid=f"{uid}_deleting")
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"{uid}_deleted")


USER_FIELDS_NOT_SHOWN = {"last_login", "password", "preferred_language"}


def user_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """A person's name or e-mail changed (a sign-in only stamps ``last_login``): a new person is on no page yet."""
    if raw or created:
        return
    if update_fields is not None and set(update_fields) <= USER_FIELDS_NOT_SHOWN:
        return
    touch(partnerships_showing(instance))


# link table -> (its key to the model declaring the many-to-many field, its key to the other model)
LINKS = {
    Partnership.coordinators.through: ("partnership", "user"),
    Organisation.representatives.through: ("organisation", "user"),
}


def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Link rows added or removed by ``.add()``, ``.remove()``, ``.set()`` or ``.clear()``, from either side.

    Django sends no save or delete signal for the rows of an auto-created link table, only this
    one: what removed rows show is found before they go (``pre_``) and touched after.
    """
    if action not in ("pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"):
        return
    forward, backward = LINKS[sender]
    own, other = (backward, forward) if reverse else (forward, backward)
    rows = sender.objects.filter(**{own: instance.pk})
    if pk_set is not None:
        rows = rows.filter(**{f"{other}__in": pk_set})
    if action == "post_add":
        touch(set().union(*map(partnerships_showing, rows)))
    elif action.startswith("pre_"):
        setattr(instance, _SHOWED_ON, set().union(*map(partnerships_showing, rows)))
    else:
        touch(getattr(instance, _SHOWED_ON, ()))


def partnership_saved(sender, instance, created, raw=False, **kwargs):
    """A partnership's own fields changed (a new one has a fresh token already)."""
    if not created and not raw:
        touch([instance.pk])


def report_goals_changed(sender, instance, action, **kwargs):
    """A report's goals changed, from the report's side or the goal's: both belong to one partnership."""
    if action.startswith("post_"):
        touch(partnerships_showing(instance))


def organisation_changed(sender, instance, raw=False, **kwargs):
    """An organisation's name and details show on its partnerships' and its people's pages: rare, so
    all (a deletion's SET_NULLs, such as the organisation that proposed a decision, with them)."""
    if not raw:
        touch_all()


def connect_all() -> None:
    register({
        Membership: Shown(("partnership",)),
        Pledge: Shown(("membership__partnership",)),
        SharedGoal: Shown(("partnership",)),
        Indicator: Shown(("goal__partnership",)),
        IndicatorValue: Shown(("membership__partnership",), names=("reported_by",)),
        ContributionReport: Shown(("membership__partnership",), names=("created_by", "reviewed_by")),
        Attachment: Shown(("report__membership__partnership",), names=("uploaded_by",)),
    }, "partners_fragments")
    # The link rows: a coordinator shows on the partnership's pages; a representative on the pages
    # of their organisation's partnerships and on their own (a coordinator's dashboard links to
    # those). They send no signal of their own (``links_changed``).
    SHOWN[Partnership.coordinators.through] = Shown(("partnership",))
    SHOWN[Organisation.representatives.through] = Shown(
        ("organisation__memberships__partnership", "user__coordinated_partnerships"))
    # a person: on the pages of the partnerships they coordinate or represent a member of, and of
    # every record naming them (the ``names`` above and in evaluations)
    register({get_user_model(): Shown(("coordinated_partnerships", "organisations__memberships__partnership"))},
             "partners_fragments", on_save=user_saved)
    post_save.connect(partnership_saved, sender=Partnership, weak=False, dispatch_uid="partners_fragments_partnership")
    for through in LINKS:
        m2m_changed.connect(links_changed, sender=through, weak=False,
                            dispatch_uid=f"partners_fragments_links_{through._meta.label_lower}")
    m2m_changed.connect(report_goals_changed, sender=ContributionReport.goals.through, weak=False,
                        dispatch_uid="partners_fragments_report_goals")
    for signal in (post_save, post_delete):
        signal.connect(organisation_changed, sender=Organisation, weak=False,
                       dispatch_uid=f"partners_fragments_organisation_{signal is post_save}")
