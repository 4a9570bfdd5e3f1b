"""Session engine: Django's database sessions, with the signed-in user in a column of its own.

The session row carries the id of the user it is signed in as (``accounts.models.Session.user``),
so a user's sessions are found (and ended, ``accounts.services.user_sessions_end``) by that
column instead of by decoding every row, and the admin lists who is signed in. This is the
extension Django documents for the database backend ("Extending database-backed session
engines"): a ``SessionStore`` that names its model and fills the extra column. Reading a
session and its user stays Django's own (``django.contrib.auth`` checks the user id in the
session's data, the active flag and the password hash).

Use it with ``SESSION_ENGINE = "accounts.sessions"``.
"""
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data.get(SESSION_KEY))
        except (ValueError, TypeError):
            session.user_id = None  # not signed in
        return session
