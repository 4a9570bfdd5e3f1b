"""New rows written through one ready-made ``INSERT`` per model, for the writes that run on every submit.

``Model.save()`` of a new instance builds and compiles its ``INSERT`` anew each time (~560 Python
calls, a tenth of the report submit POST, twice with its history row). ``insert()`` does what
``save()`` does for a new row of a plain model -- each field's ``pre_save`` (``auto_now``),
``get_db_prep_save``, the generated id read back, the instance marked as saved -- with the
statement's text made once per model and database. What it does not do is send
``pre_save``/``post_save``: a caller that uses it does the work of the model's receivers itself
(``partners.services.report_create``: the history row and the partnership's new cache token), and
a test keeps the list of those receivers (``tests/test_rows.py``).
"""
from __future__ import annotations

import functools

from django.db import DEFAULT_DB_ALIAS, connections


@functools.cache
def _insert_statement(model, alias: str) -> tuple[str, tuple, tuple]:
    meta = model._meta
    if meta.parents:
        raise TypeError(f"{meta.label}: insert() writes one table; a model with parents is saved by save().")
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = tuple(f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field)
    returning = tuple(meta.db_returning_fields) if connection.features.can_return_columns_from_insert else ()
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if returning:
        sql += f" RETURNING {', '.join(quote(f.column) for f in returning)}"
    return sql, fields, returning


def insert(instance, using: str = DEFAULT_DB_ALIAS):
    """Write the new ``instance`` as one row, as ``instance.save()`` would, but without its signals."""
    if not instance._state.adding or (instance._meta.auto_field and instance.pk is not None):
        raise ValueError(f"insert() writes new rows only; {instance!r} is saved already.")
    connection = connections[using]
    sql, fields, returning = _insert_statement(type(instance), using)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection=connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            for field, value in zip(returning, cursor.fetchone()):
                setattr(instance, field.attname, value)
        elif instance._meta.auto_field:
            setattr(instance, instance._meta.auto_field.attname,
                    connection.ops.last_insert_id(cursor, instance._meta.db_table, instance._meta.pk.column))
    instance._state.adding = False
    instance._state.db = using
    return instance
