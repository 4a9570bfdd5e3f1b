"""The pieces every signed-in request goes through: the Redis cache client and the scope statement."""
import os

import pytest
from kemitraan.cache import RedisCache


def _redis_url():
    redis = pytest.importorskip("redis")
    url = os.environ.get("CACHE_TEST_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    return url


def test_redis_cache_keeps_one_client_and_works():
    cache = RedisCache(_redis_url(), {"KEY_PREFIX": "kemitraan-test"})
    assert cache._cache.get_client() is cache._cache.get_client(write=True)  # Django's builds one per call
    cache.set("page", "<p>halo</p>", 30)
    assert cache.get("page") == "<p>halo</p>"
    cache.delete("page")
    assert cache.get("page") is None


@pytest.mark.django_db
def test_scope_statement_is_prepared_once_per_connection(coordinator, partnership, partner_a, membership_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.selectors import partnership_scope

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite runs the statement as it is")
    with CaptureQueriesContext(connection) as ctx:
        coordinators = [partnership_scope(coordinator) for _ in range(3)]
        partner = partnership_scope(partner_a)
    statements = [query["sql"].split()[0] for query in ctx.captured_queries]
    assert statements.count("PREPARE") <= 1 and statements.count("EXECUTE") == 4
    assert coordinators[0] == coordinators[2] and coordinators[0].coordinated == {partnership.pk}
    assert partner.coordinated == frozenset() and partner.sees(partnership.pk)
