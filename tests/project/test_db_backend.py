"""A persistent connection the database server ended (a restart) is replaced before a request uses it.

Production keeps connections open (``CONN_MAX_AGE``) with ``CONN_HEALTH_CHECKS`` on, so Django checks
a kept connection before each request's first query.
"""
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="ends a connection from the PostgreSQL server"),
]


def _backend_pid(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_the_server_ended_is_replaced_at_the_next_request():
    other = connection.copy()
    other.settings_dict = {**other.settings_dict, "CONN_HEALTH_CHECKS": True}
    try:
        pid = _backend_pid(other)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.health_check_done = False  # what a new request does (close_old_connections)
        other.close_if_health_check_failed()
        assert _backend_pid(other) != pid  # the next query opened a new connection and ran
    finally:
        other.close()
