"""The pieces every signed-in request goes through: the Redis cache client."""
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
