"""Keep cached page fragments true: a change to a record touches the partnerships that show it.

``Partnership.touch()`` replaces their ``cache_token`` in the same transaction as the change, so
every cached fragment that showed the old state is never read again (kemitraan/fragments.py).
A record whose partnership cannot be found any more (a cascade) touches every partnership,
which is always safe; so do the rare changes shown everywhere (an organisation's or a person's
name).
"""
import uuid

from django.conf import settings
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

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
from .selectors import partnership_tokens_of


def touch_sql(count: int, ids: str | None = None) -> str:
    """The UPDATE that gives ``count`` partnerships one new cache token: parameters the token
    (``new_cache_token()``), then the ids; or the partnerships of the SQL query ``ids``."""
    meta = Partnership._meta
    quote = connection.ops.quote_name
    return (f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field('cache_token').column)} = %s "
            f"WHERE {quote(meta.pk.column)} IN ({ids or ', '.join(['%s'] * count)})")


def new_cache_token():
    """A new cache token, as the database takes it."""
    return Partnership._meta.get_field("cache_token").get_db_prep_save(uuid.uuid4(), connection=connection)


def touch(partnership_ids) -> None:
    """Give these partnerships new cache tokens (sorted, so concurrent touches lock rows in one order).

    What ``Partnership.objects.filter(pk__in=ids).touch()`` does, through a plain UPDATE: it runs
    after every write, and building the queryset's UPDATE cost ~400 Python calls each time.
    """
    ids = sorted({int(pk) for pk in partnership_ids if pk})
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(touch_sql(len(ids)), [new_cache_token(), *ids])


def touch_all() -> None:
    Partnership.objects.all().touch()


def via(obj, fk_name: str, model):
    """Return [the partnership id] of ``obj``'s parent ``fk_name``: from the loaded parent when there is one."""
    field = obj._meta.get_field(fk_name)
    if field.is_cached(obj) and field.get_cached_value(obj) is not None:
        return [field.get_cached_value(obj).partnership_id]
    return model.objects.filter(pk=getattr(obj, field.attname)).order_by().values_list("partnership_id", flat=True)


def _membership_partnership(obj):
    return via(obj, "membership", Membership)


def _goal_partnership(obj):
    return via(obj, "goal", SharedGoal)


def user_partnerships(user_id) -> set[int]:
    """Return the partnerships a person coordinates or represents a member of."""
    return {pk for pk, _token in partnership_tokens_of(user_id)}


# model -> function(instance) returning the ids of the partnerships whose pages show it
PARTNERSHIPS_OF = {
    Membership: lambda obj: [obj.partnership_id],
    Pledge: _membership_partnership,
    SharedGoal: lambda obj: [obj.partnership_id],
    Indicator: _goal_partnership,
    IndicatorValue: _membership_partnership,
    ContributionReport: _membership_partnership,
    Attachment: lambda obj: ContributionReport.objects.filter(pk=obj.report_id).order_by()
    .values_list("membership__partnership_id", flat=True),
}


def touch_for(instance, ids_of) -> None:
    ids = [pk for pk in ids_of(instance) if pk]
    if ids:
        touch(ids)
    else:  # the parent is gone already (a cascade): we cannot tell which partnership it was
        touch_all()


def connect(mapping, uid_prefix: str) -> None:
    """Connect post_save and post_delete of every model in ``mapping`` to a touch of its partnerships."""
    for model, ids_of in mapping.items():
        def changed(sender, instance, raw=False, ids_of=ids_of, **kwargs):
            if not raw:  # loaddata: run `manage.py fragments_clear` after it
                touch_for(instance, ids_of)

        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid_prefix}_save_{model.__name__}")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid_prefix}_delete_{model.__name__}")


def partnership_saved(sender, instance, created, raw=False, **kwargs):
    """A partnership's own fields changed (a new one has a fresh token already)."""
    if not created and not raw:
        touch([instance.pk])


def coordinators_changed(sender, instance, action, pk_set, **kwargs):
    """Coordinators added or removed: the partnership's pages list them."""
    if not action.startswith("post_"):
        return
    if isinstance(instance, Partnership):
        touch([instance.pk])
    else:  # from the user's side: user.coordinated_partnerships.add(...)
        touch(pk_set if pk_set else user_partnerships(instance.pk))


def representatives_changed(sender, instance, action, pk_set, **kwargs):
    """Representatives added or removed: pages of the organisation's partnerships name them, and the
    person's own pages (partner home) list their organisations."""
    if not action.startswith("post_"):
        return
    if isinstance(instance, Organisation):
        user_ids = pk_set if pk_set else instance.representatives.values_list("pk", flat=True)
        organisation_ids = [instance.pk]
    else:
        user_ids = [instance.pk]
        organisation_ids = pk_set if pk_set else instance.organisations.values_list("pk", flat=True)
    ids = set(Membership.objects.filter(organisation_id__in=organisation_ids).values_list("partnership_id", flat=True))
    for user_id in user_ids:
        ids |= user_partnerships(user_id)
    touch(ids)


def report_goals_changed(sender, instance, action, **kwargs):
    """A report's goals changed, from the report's side or the goal's: both belong to one partnership."""
    if action.startswith("post_"):
        touch_for(instance, PARTNERSHIPS_OF[type(instance)])


def organisation_changed(sender, instance, raw=False, **kwargs):
    """An organisation's name and details show on its partnerships' and its people's pages: rare, so all."""
    if not raw:
        touch_all()


USER_FIELDS_NOT_SHOWN = {"last_login", "password", "preferred_language"}


def user_changed(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """A person's name or e-mail shows on the pages of the partnerships they coordinate or represent a
    member of (coordinators, reviewers, answers, votes); an administrator's anywhere."""
    if raw or created:
        return  # a new person is on no page until added to a partnership or an organisation (m2m above)
    if update_fields is not None and set(update_fields) <= USER_FIELDS_NOT_SHOWN:
        return
    if instance.is_superuser or instance.is_staff:
        touch_all()
    else:
        touch(user_partnerships(instance.pk))


def connect_all() -> None:
    connect(PARTNERSHIPS_OF, "partners_fragments")
    post_save.connect(partnership_saved, sender=Partnership, weak=False, dispatch_uid="partners_fragments_partnership")
    m2m_changed.connect(coordinators_changed, sender=Partnership.coordinators.through, weak=False,
                        dispatch_uid="partners_fragments_coordinators")
    m2m_changed.connect(representatives_changed, sender=Organisation.representatives.through, weak=False,
                        dispatch_uid="partners_fragments_representatives")
    m2m_changed.connect(report_goals_changed, sender=ContributionReport.goals.through, weak=False,
                        dispatch_uid="partners_fragments_report_goals")
    for signal in (post_save, post_delete):
        signal.connect(organisation_changed, sender=Organisation, weak=False,
                       dispatch_uid=f"partners_fragments_organisation_{signal is post_save}")
    post_save.connect(user_changed, sender=settings.AUTH_USER_MODEL, weak=False,
                      dispatch_uid="partners_fragments_user")
