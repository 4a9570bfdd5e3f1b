"""The pieces every signed-in request goes through: the user's load and the Redis cache client."""
import os

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.backends import ModelBackend
from kemitraan.cache import RedisCache
from tests import factories as f


@pytest.mark.django_db
def test_backend_loads_the_user_as_django_does():
    user = f.UserFactory(full_name="Sri Rahayu", preferred_language="en", is_staff=True)
    user.last_login = timezone.now()
    user.save()
    ours = ModelBackend().get_user(user.pk)
    django_s = django_backends.ModelBackend().get_user(user.pk)
    fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    assert model_to_dict(ours, fields) == model_to_dict(django_s, fields)
    assert type(ours.last_login) is type(django_s.last_login) and ours.is_staff is True  # values converted
    assert ours._state.adding is False and ours._state.db == "default"


@pytest.mark.django_db
def test_backend_refuses_inactive_and_unknown_users():
    inactive = f.UserFactory(is_active=False)
    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(inactive.pk + 1000) is None


@pytest.mark.django_db
def test_signed_in_requests_use_the_backend_and_a_deactivated_user_is_signed_out(client):
    user = f.UserFactory()
    client.force_login(user)
    assert client.session["_auth_user_backend"] == "accounts.backends.ModelBackend"
    assert client.get(reverse("accounts:profile")).status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("accounts:profile")).status_code == 302  # to the sign-in page


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
