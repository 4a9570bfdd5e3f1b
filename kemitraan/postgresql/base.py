"""Django's PostgreSQL backend, with a health check that needs no round trip to the server.

With ``CONN_HEALTH_CHECKS`` (production), Django checks a persistent connection before the first
query of each request by sending ``SELECT 1``: one more round trip on every page that reads the
database (of five on the report submit POST). This backend asks the socket instead. A connection
the server has ended (a restart, ``pg_terminate_backend``, ``idle_session_timeout``) has something
to read: the server's last error message or the end of the stream. A healthy idle connection has
nothing, because this project never LISTENs and psycopg reads every result in full. The same test
is what Go's MySQL driver makes before reusing a connection. ``tests/test_db_backend.py`` ends a
connection from the server side and checks that the next request reconnects.
"""
import select

from django.db.backends.postgresql import base

# libpq's transaction states (the same numbers in psycopg2 and psycopg 3) in which a connection can
# take a query: idle, or inside a transaction block. Active (a query running), in error (a failed
# transaction: SELECT 1 fails there too) and unknown (a broken connection) cannot.
_USABLE_STATES = frozenset({0, 2})


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if not hasattr(select, "poll"):  # not on Linux or macOS: Django's SELECT 1
            return super().is_usable()
        if connection.info.transaction_status not in _USABLE_STATES:
            return False
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            pending = poller.poll(0)
        except (OSError, ValueError):  # the socket is gone
            return False
        return not pending
