"""kemitraan.postgresql: the health check of a persistent connection asks the socket, not the server."""
import time

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "kemitraan.postgresql",
        reason="the backend is for PostgreSQL",
    ),
]


@pytest.fixture
def other():
    """A second connection to the test database, health-checked as in production."""
    wrapper = connection.copy()
    wrapper.settings_dict = {**wrapper.settings_dict, "CONN_HEALTH_CHECKS": True}
    wrapper.connect()
    yield wrapper
    wrapper.close()


def _backend_pid(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _last_query_of(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def test_the_postgresql_settings_use_this_backend():
    assert connection.vendor == "postgresql"
    assert type(connections["default"]).__module__ == "kemitraan.postgresql.base"


def test_a_healthy_connection_is_usable_and_the_check_sends_no_query(other):
    pid = _backend_pid(other)
    with other.cursor() as cursor:
        cursor.execute("SELECT 'the last query before the check'")
    assert other.is_usable()
    other.health_check_done = False
    other.close_if_health_check_failed()
    assert other.connection is not None  # kept: the check passed
    # Django's own check would have sent SELECT 1; the server saw nothing after the marker.
    assert _last_query_of(pid) == "SELECT 'the last query before the check'"


def test_a_connection_the_server_ended_is_replaced_at_the_next_request(other):
    pid = _backend_pid(other)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while other.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)  # the server's goodbye arrives a moment later
    assert not other.is_usable()
    other.health_check_done = False  # what a new request does (close_old_connections)
    other.close_if_health_check_failed()
    assert other.connection is None
    assert _backend_pid(other) != pid  # the next query opened a new connection and ran


def test_a_connection_in_a_failed_transaction_is_not_usable(other):
    other.set_autocommit(False)
    with pytest.raises(DatabaseError):
        with other.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
    assert not other.is_usable()
    other.rollback()
    other.set_autocommit(True)
    assert other.is_usable()


def test_a_closed_connection_is_not_usable(other):
    other.close()
    assert not other.is_usable()
