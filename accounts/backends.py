"""Authentication backend: Django's ``ModelBackend``, with a cheaper load of the signed-in user."""
from django.contrib.auth import backends, get_user_model
from django.db import connection

from kemitraan.rows import Statement, fetch_one, select_sql

from .sessions import user_read_with_session


def _user_sql() -> str:
    return select_sql(get_user_model(), f"{connection.ops.quote_name(get_user_model()._meta.pk.column)} = %s")


USER_STATEMENT = Statement(_user_sql, name="kemitraan_signed_in_user")


class ModelBackend(backends.ModelBackend):
    """Django's ``ModelBackend``; ``get_user`` reads the user through one ready-made SELECT.

    ``get_user`` runs on every signed-in request. Through ``_default_manager.get(pk=...)`` it
    spent ~0.25 ms building and compiling the query, a fifth of a cached page; a ready-made
    statement (``kemitraan.rows``, prepared once per connection on PostgreSQL, the values converted
    as ``get`` converts them) costs a fraction of that. Everything else (authenticate, permissions,
    inactive users refused) is Django's. With ``accounts.sessions`` the row was read with the
    session, in the same statement, and is not read again.
    """

    def get_user(self, user_id):
        user = user_read_with_session(user_id)
        if user is None:
            user = fetch_one(get_user_model(), USER_STATEMENT, [user_id])
        return user if user is not None and self.user_can_authenticate(user) else None
