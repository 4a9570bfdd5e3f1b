"""Ready-made SQL for the reads and writes that run on every request.

Building a queryset and compiling its SQL costs more Python than sending it (a ``get()`` by primary
key ~500 calls, a new row's ``save()`` ~560), and PostgreSQL parses and plans every statement it
is sent as text (0.3 ms of planning for the report form's member check). A ``Statement`` is SQL
text made once (from the models' meta) and, on PostgreSQL, prepared once per database connection:
later runs send only ``EXECUTE name(values)``. ``fetch_one`` reads a model instance through one,
converting the values as the ORM does; ``insert`` writes a new row through one.

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
import itertools
import re

from django.db import DEFAULT_DB_ALIAS, connections

_names = itertools.count(1)


class Statement:
    """SQL with ``%s`` placeholders, made by ``make_sql()`` when first run, prepared once per PostgreSQL connection.

    Other databases are sent the SQL itself. PostgreSQL keeps a prepared statement for the session
    (a rollback does not drop it); a new connection (``connection.connection`` is another object)
    prepares it again. The SQL must hold no other ``%`` than its placeholders.
    """

    by_name: dict[str, "Statement"] = {}

    def __init__(self, make_sql, name: str | None = None):
        self._make_sql = make_sql
        self.name = name or f"kemitraan_{next(_names)}"
        if self.name in Statement.by_name:
            # A connection keeps one statement per name: a second one would run the first one's SQL.
            raise ValueError(f"A statement named {self.name!r} exists already.")
        Statement.by_name[self.name] = self

    @classmethod
    def source(cls, sql: str) -> str:
        """The SQL an ``EXECUTE name(...)`` runs (for tests and query logs); any other SQL as it is."""
        words = sql.split(None, 1)
        if len(words) == 2 and words[0] == "EXECUTE":
            name = words[1].split("(", 1)[0].strip()
            if name in cls.by_name:
                return cls.by_name[name].sql
        return sql

    @functools.cached_property
    def sql(self) -> str:
        return self._make_sql()

    def execute(self, cursor, params) -> None:
        connection = cursor.db
        if connection.vendor != "postgresql":
            cursor.execute(self.sql, params)
            return
        driver, prepared = getattr(connection, "_kemitraan_prepared", (None, None))
        if driver is not connection.connection:
            driver, prepared = connection.connection, set()
            connection._kemitraan_prepared = (driver, prepared)
        if self.name not in prepared:
            parts = self.sql.split("%s")
            numbered = parts[0] + "".join(f"${number}{part}" for number, part in enumerate(parts[1:], start=1))
            # Set-up of the connection, like Django's own SET TIME ZONE: not one of the request's queries.
            with driver.cursor() as setup:
                setup.execute(f"PREPARE {self.name} AS {numbered}")
            prepared.add(self.name)
        cursor.execute(f"EXECUTE {self.name}({', '.join(['%s'] * len(params))})" if params
                       else f"EXECUTE {self.name}", params)


def select_sql(model, where: str) -> str:
    """``SELECT`` of every concrete field of ``model``, in the order ``fetch_one`` reads them, ``WHERE where``."""
    meta = model._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where}"


@functools.cache
def _converters(model, alias: str) -> tuple[tuple[str, ...], tuple]:
    """The field names of ``model``'s rows, and (position, column, converters) of each value the ORM converts."""
    connection = connections[alias]
    names, converting = [], []
    for position, field in enumerate(model._meta.concrete_fields):
        names.append(field.attname)
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converting.append((position, column, tuple(functions)))
    return tuple(names), tuple(converting)


def fetch_one(model, statement: Statement, params, using: str = DEFAULT_DB_ALIAS):
    """The ``model`` instance of the first row ``statement`` reads (a ``select_sql`` of it), or None.

    Values are converted as a queryset converts them (aware datetimes, decimals on SQLite).
    """
    with connections[using].cursor() as cursor:
        statement.execute(cursor, params)
        row = cursor.fetchone()
    return None if row is None else instance_from_row(model, row, using)


def instance_from_row(model, row, using: str = DEFAULT_DB_ALIAS):
    """The ``model`` instance of ``row``: the values of its concrete fields in order, as a ``select_sql`` reads them."""
    connection = connections[using]
    names, converting = _converters(model, using)
    if converting:
        row = list(row)
        for position, column, functions in converting:
            for function in functions:
                row[position] = function(row[position], column, connection)
    return model.from_db(using, names, row)


@functools.cache
def insert_fields(model) -> tuple:
    """The fields ``save()`` writes when it inserts a new row of ``model`` (all but a generated id)."""
    meta = model._meta
    if meta.parents:
        raise TypeError(f"{meta.label}: insert() writes one table; a model with parents is saved by save().")
    return tuple(f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field)


def insert_params(instance, connection) -> list:
    """The values of ``insert_fields``, as ``save()`` sends them (``pre_save`` sets ``auto_now`` times on ``instance``).

    ``connection`` is a connection (``connections[alias]``), not the ``django.db.connection`` proxy,
    which would look the connection up again for each field (~60 Python calls of a report).
    """
    if not instance._state.adding or (instance._meta.auto_field and instance.pk is not None):
        raise ValueError(f"insert() writes new rows only; {instance!r} is saved already.")
    return [field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
            for field in insert_fields(type(instance))]


def mark_saved(instance, using: str):
    instance._state.adding = False
    instance._state.db = using
    return instance


def insert_sql(model, connection) -> str:
    """``INSERT INTO`` ``model``'s table of its ``insert_fields``, a placeholder each, in that order."""
    quote = connection.ops.quote_name
    fields = insert_fields(model)
    return (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})")


@functools.cache
def _insert_statement(model, alias: str) -> tuple[Statement, tuple]:
    connection = connections[alias]
    meta = model._meta
    quote = connection.ops.quote_name
    returning = tuple(meta.db_returning_fields) if connection.features.can_return_columns_from_insert else ()
    sql = insert_sql(model, connection)
    if returning:
        sql += f" RETURNING {', '.join(quote(f.column) for f in returning)}"
    name = f"kemitraan_insert_{meta.db_table}" + ("" if alias == DEFAULT_DB_ALIAS else f"_{alias}")
    return Statement(lambda: sql, name=re.sub(r"\W", "_", name)), returning


def insert(instance, using: str = DEFAULT_DB_ALIAS):
    """Write the new ``instance`` as one row, as ``instance.save()`` would, but without its signals."""
    connection = connections[using]
    params = insert_params(instance, connection)
    statement, returning = _insert_statement(type(instance), using)
    with connection.cursor() as cursor:
        statement.execute(cursor, params)
        if returning:
            for field, value in zip(returning, cursor.fetchone()):
                setattr(instance, field.attname, value)
        elif instance._meta.auto_field:
            setattr(instance, instance._meta.auto_field.attname,
                    connection.ops.last_insert_id(cursor, instance._meta.db_table, instance._meta.pk.column))
    return mark_saved(instance, using)
