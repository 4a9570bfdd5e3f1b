"""Session engine: Django's database sessions, read together with the signed-in user.

Every signed-in request reads its session and then its user: with sessions in Redis
(``cached_db``) that was a Redis round trip and a PostgreSQL one, and under load each round trip
costs the web process a context switch and the client library's Python (redis-py ~100 calls per
GET). Here the session row carries its user's id (``accounts.models.Session.user``, written from
the session's data on every save), and one ready-made statement reads the session and its user's
row together. ``AuthenticationMiddleware`` below hands that row to the authentication backend, and
Django's own ``get_user`` checks it (the user id from the session's data, the active flag, the
session's password hash) exactly as it checks a user it read itself.

Use it with ``SESSION_ENGINE = "accounts.sessions"`` and ``accounts.sessions.AuthenticationMiddleware``
in place of Django's.
"""
from __future__ import annotations

import contextvars
import logging

from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth import middleware as auth_middleware
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from kemitraan.rows import Statement, instance_from_row

# The user row read with the session, while Django's get_user runs for that request (see below).
READ_WITH_SESSION = contextvars.ContextVar("kemitraan_user_read_with_session", default=None)


def _session_with_user_sql() -> str:
    from .models import Session

    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    user_meta, session_meta = get_user_model()._meta, Session._meta
    user_columns = ", ".join(f"u.{quote(field.column)}" for field in user_meta.concrete_fields)
    return (
        f"SELECT s.{quote(session_meta.get_field('session_data').column)}, {user_columns} "
        f"FROM {quote(session_meta.db_table)} s "
        f"LEFT JOIN {quote(user_meta.db_table)} u ON u.{quote(user_meta.pk.column)} = s.{quote(session_meta.get_field('user').column)} "
        f"WHERE s.{quote(session_meta.pk.column)} = %s AND s.{quote(session_meta.get_field('expire_date').column)} > %s"
    )


SESSION_WITH_USER_STATEMENT = Statement(_session_with_user_sql, name="kemitraan_session_with_user")


class SessionStore(db.SessionStore):
    """Django's database session store; ``load()`` also reads the session's user (``user_read``)."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self.user_read = None  # the user row read with the session; None when it has none

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_pk(data.get(SESSION_KEY))
        return session

    def load(self):
        # Django's own read, as one ready-made statement with the user's row beside the session's.
        with connections[self.get_model_class().objects.db].cursor() as cursor:
            SESSION_WITH_USER_STATEMENT.execute(cursor, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        if row[1] is not None:
            self.user_read = instance_from_row(get_user_model(), row[1:])
        return self.decode(row[0])


def _user_pk(value):
    """The user id a session's data holds, as the column stores it; None for none or a malformed one."""
    if value is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:  # a session whose id is not a user id is signed in as nobody
        logging.getLogger(__name__).warning("session with a malformed user id")
        return None


def get_user(request):
    """``django.contrib.auth.get_user`` for ``request``, given the user row its session was read with."""
    if not hasattr(request, "_cached_user"):
        session = request.session
        SESSION_KEY in session  # noqa: B015 - reads the session (and its user) now, as Django's get_user would
        token = READ_WITH_SESSION.set(getattr(session, "user_read", None))
        try:
            request._cached_user = auth.get_user(request)
        finally:
            READ_WITH_SESSION.reset(token)
    return request._cached_user


def user_read_with_session(user_id):
    """The user row the current request's session was read with, if it is the user ``user_id``."""
    user = READ_WITH_SESSION.get()
    return user if user is not None and user.pk == user_id else None


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's middleware; ``request.user`` comes from the row read with the session when there is one."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
