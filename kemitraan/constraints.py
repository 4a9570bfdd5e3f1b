"""Check constraints judged in Python, the way the database would judge them.

Django validates a ``CheckConstraint`` in ``full_clean()`` by asking the database
(``SELECT 1 WHERE <condition>`` inside a savepoint), once per constraint: for a contribution
report, a form plus its service made sixteen round trips and 60 % of the time of the submit
POST. Our conditions are simple comparisons of a row's own fields (``quantity__gte=0``,
``period_end__gte=F("period_start")``, ``status="returned"``, ``field__isnull=True``), so
``PythonCheckedModel`` evaluates them in Python with SQL's three-valued logic (a comparison
with NULL is unknown, and an unknown condition passes, as in ``CHECK``). Any condition it
cannot read (another lookup, a join, a function) is left to Django's own database check. The
database constraints stay in place as the last word; ``tests/test_constraints.py`` checks that
both judges agree.

The same model also skips ``ForeignKey.validate``'s ``SELECT 1 ... WHERE id = ...`` when the
related object it checks was itself read from the database (a form's choice field fetched the
member, the request loaded the user): the row was just seen, and the foreign key constraint stays
the last word, as with Django's own check, which a concurrent delete can outrun as well.
"""
from __future__ import annotations

import functools
import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router
from django.db.models import F, Q

_COMPARE = {"exact": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


class Undecided(Exception):
    """The condition uses something this module does not evaluate; let the database judge."""


def _attname(model, name: str) -> str:
    """The attribute of ``model``'s concrete field ``name``; Undecided for a lookup across relations or anything else."""
    if "__" in name:
        raise Undecided(name)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise Undecided(name) from error
    if not field.concrete:
        raise Undecided(name)
    return field.attname


def _field_value(instance, name):
    return getattr(instance, _attname(type(instance), name))


def _leaf(instance, lookup: str, expected):
    name, _sep, operation = lookup.partition("__")
    operation = operation or "exact"
    value = _field_value(instance, name)
    if operation == "isnull":
        return (value is None) == bool(expected)
    if operation not in _COMPARE:
        raise Undecided(lookup)
    if isinstance(expected, F):
        expected = _field_value(instance, expected.name)
    elif hasattr(expected, "resolve_expression"):
        raise Undecided(lookup)
    if value is None or expected is None:
        return None  # SQL: a comparison with NULL is unknown
    return _COMPARE[operation](value, expected)


def evaluate(condition: Q, instance) -> bool | None:
    """Return True, False or None (unknown) for ``condition`` on ``instance``, as SQL would."""
    results = [evaluate(child, instance) if isinstance(child, Q) else _leaf(instance, *child)
               for child in condition.children]
    if condition.connector == Q.AND:
        result = False if any(r is False for r in results) else None if any(r is None for r in results) else True
    else:
        result = True if any(r is True for r in results) else None if any(r is None for r in results) else False
    if condition.negated and result is not None:
        result = not result
    return result


def referenced_fields(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= referenced_fields(child)
        else:
            lookup, expected = child
            names.add(lookup.partition("__")[0])
            if isinstance(expected, F):
                names.add(expected.name)
    return names


def _sql_compare(compare, value, expected):
    return None if value is None or expected is None else compare(value, expected)


def _compile_leaf(model, lookup: str, expected):
    name, _sep, operation = lookup.partition("__")
    operation = operation or "exact"
    attname = _attname(model, name)
    if operation == "isnull":
        wanted = bool(expected)
        return lambda instance: (getattr(instance, attname) is None) == wanted
    if operation not in _COMPARE:
        raise Undecided(lookup)
    compare = _COMPARE[operation]
    if isinstance(expected, F):
        other = _attname(model, expected.name)
        return lambda instance: _sql_compare(compare, getattr(instance, attname), getattr(instance, other))
    if hasattr(expected, "resolve_expression"):
        raise Undecided(lookup)
    return lambda instance: _sql_compare(compare, getattr(instance, attname), expected)


def compile_condition(model, condition: Q):
    """``evaluate(condition, instance)`` for instances of ``model``, as a function read once.

    The condition's tree is walked and its fields looked up here, once, not on every
    ``full_clean()``. Raises ``Undecided`` for a condition ``evaluate`` cannot judge.
    """
    parts = tuple(compile_condition(model, child) if isinstance(child, Q) else _compile_leaf(model, *child)
                  for child in condition.children)
    is_and, negated = condition.connector == Q.AND, condition.negated

    def judge(instance):
        results = [part(instance) for part in parts]
        if is_and:
            result = False if False in results else None if None in results else True
        else:
            result = True if True in results else None if None in results else False
        return result if result is None or not negated else not result

    return judge


# (model, id of the constraint) -> (the constraint, kept so that its id is not reused; its field
# names; its judge, or None if undecided)
_COMPILED: dict[tuple, tuple] = {}


def _compiled(model, constraint: models.CheckConstraint) -> tuple:
    key = (model, id(constraint))
    if key not in _COMPILED:
        condition = Q(constraint.condition)
        try:
            judge = compile_condition(model, condition)
        except Undecided:
            judge = None
        _COMPILED[key] = (constraint, frozenset(referenced_fields(condition)), judge)
    return _COMPILED[key]


def check_in_python(constraint: models.CheckConstraint, instance, exclude) -> bool:
    """Judge ``constraint`` in Python: return True when judged (raising ValidationError if violated), else False."""
    _constraint, names, judge = _compiled(type(instance), constraint)
    if judge is None:
        return False
    if exclude and not names.isdisjoint(exclude):
        return True  # as Django does: a constraint on an excluded field is not checked
    if judge(instance) is False:
        raise ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
    return True


@functools.cache
def _only_generated_id_is_unique(model) -> bool:
    """True when ``Model.validate_unique`` has nothing but ``model``'s generated id to check (see ``_get_unique_checks``)."""
    meta = model._meta
    if meta.parents or meta.unique_together or meta.total_unique_constraints:
        return False
    return all(
        (not field.unique or field is meta.auto_field)
        and not (field.unique_for_date or field.unique_for_month or field.unique_for_year)
        for field in meta.local_fields
    )


class PythonCheckedModel(models.Model):
    """A model whose simple check constraints are validated without a database round trip."""

    class Meta:
        abstract = True

    def _loaded_relations(self, exclude) -> list:
        """The foreign keys (not excluded) whose related object is at hand, read from the database."""
        loaded = []
        for field in self._meta.concrete_fields:
            if not field.many_to_one or field.name in exclude or field.remote_field.parent_link:
                continue
            if field.get_limit_choices_to() or not field.is_cached(self):
                continue  # Django's query also applies limit_choices_to: keep it
            related = field.get_cached_value(self)
            if (related is not None and not related._state.adding and related._state.db is not None
                    and getattr(related, field.target_field.attname) == getattr(self, field.attname)):
                loaded.append(field)
        return loaded

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        loaded = self._loaded_relations(exclude)
        errors = {}
        try:
            super().clean_fields(exclude=exclude | {field.name for field in loaded})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in loaded:
            # ForeignKey.validate without its existence query: the plain field checks and validators.
            value = getattr(self, field.attname)
            try:
                models.Field.validate(field, value, self)
                field.run_validators(value)
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)

    def validate_unique(self, exclude=None):
        # Django's check lists the model's unique columns before looking at any value (~1 % of the
        # report submit POST); a model whose only unique column is its generated id has nothing to
        # check for a new row without an id, nor for a saved row (Django skips a saved row's id).
        if _only_generated_id_is_unique(type(self)) and (self.pk is None or not self._state.adding):
            return
        super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, model_constraints in self.get_constraints():
            for constraint in model_constraints:
                try:
                    if not (isinstance(constraint, models.CheckConstraint)
                            and check_in_python(constraint, self, exclude)):
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    fields = getattr(constraint, "fields", ())
                    if getattr(error, "code", None) == "unique" and len(fields) == 1:
                        errors.setdefault(fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
