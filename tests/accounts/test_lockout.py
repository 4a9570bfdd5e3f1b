"""Sign-in lockout (django-axes): counted per account, and per address across accounts.

The attacks of issue 19 F2: a correct sign-in to one account must not wipe the failures
recorded against another from the same address; five failures against one account must not
lock every account of the address (behind a proxy every user may share it); one address
guessing many accounts is stopped too; and the address is taken from X-Forwarded-For only
when a trusted proxy is configured.
"""
import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = f.PASSWORD
WRONG = "salah-sekali-123"
LOGIN = "accounts:login"


def _login(client, email, password=PASSWORD, **extra):
    return client.post(reverse(LOGIN), {"username": email, "password": password}, **extra)


def _fresh(address="127.0.0.1"):
    """A new browser (no cookies) at ``address``."""
    return Client(REMOTE_ADDR=address)


def test_sign_in_to_another_account_from_the_address_keeps_the_failures_against_an_account(coordinator, partner_a):
    # The attack: 4 guesses at A, a correct sign-in as B (the attacker's own account), repeat.
    limit = settings.AXES_FAILURE_LIMIT
    guesses = 0
    for _round in range(3):
        for _ in range(limit - 1):
            response = _login(_fresh(), coordinator.email, WRONG)
            guesses += 1
            if response.status_code == 429:
                break
        if response.status_code == 429:
            break
        assert _login(_fresh(), partner_a.email).status_code == 302
    assert response.status_code == 429, "the account was never locked"
    assert guesses == limit, f"locked only after {guesses} wrong passwords"
    # Locked: even the right password is refused, from this address and from any other.
    for address in ("127.0.0.1", "198.51.100.20"):
        client = _fresh(address)
        assert _login(client, coordinator.email).status_code == 429
        assert SESSION_KEY not in client.session


def test_failures_against_one_account_do_not_lock_the_other_accounts_of_the_address(coordinator, partner_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(_fresh(), coordinator.email, WRONG)
    assert response.status_code == 429
    client = _fresh()
    assert _login(client, partner_a.email).status_code == 302
    assert client.session[SESSION_KEY] == str(partner_a.pk)


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=8)
def test_one_address_guessing_many_accounts_is_locked_at_the_address_limit(coordinator, partner_a):
    victims = [f.UserFactory() for _ in range(3)]
    emails = [user.email for user in victims] + [f"nobody{i}@example.org" for i in range(2)]
    # Each account stays under its own limit; the address reaches its higher one.
    failures = 0
    for email in emails:
        for _ in range(2):
            if failures == settings.AXES_ADDRESS_FAILURE_LIMIT - 1:
                break
            assert _login(_fresh(), email, WRONG).status_code == 200
            failures += 1
    assert failures == 7
    # One short of the address limit: a right password still works here.
    assert _login(_fresh(), partner_a.email).status_code == 302
    response = _login(_fresh(), victims[0].email, WRONG)
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    # The address is locked for every account, the right password included ...
    client = _fresh()
    assert _login(client, coordinator.email).status_code == 429
    assert SESSION_KEY not in client.session
    # ... and no other address is.
    client = _fresh("198.51.100.20")
    assert _login(client, coordinator.email).status_code == 302
    assert client.session[SESSION_KEY] == str(coordinator.pk)


def test_address_limit_is_higher_than_the_account_limit():
    assert settings.AXES_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT


def test_password_reset_does_not_lift_the_lock_of_the_address(coordinator):
    """Proving one mailbox clears that account's failures, not the address's across accounts."""
    with override_settings(AXES_ADDRESS_FAILURE_LIMIT=6):
        for i in range(6):
            _login(_fresh(), f"nobody{i}@example.org", WRONG)
        reset(username=coordinator.email)
        assert _login(_fresh(), coordinator.email).status_code == 429


# --- the client address ----------------------------------------------------------------------

def _recorded_addresses():
    return set(AccessAttempt.objects.values_list("ip_address", flat=True))


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(coordinator):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for i in range(3):
        _login(_fresh("203.0.113.5"), coordinator.email, WRONG, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert _recorded_addresses() == {"203.0.113.5"}


@override_settings(TRUSTED_PROXY_COUNT=0, AXES_ADDRESS_FAILURE_LIMIT=6)
def test_rotating_forwarded_for_does_not_escape_the_address_limit(coordinator):
    for i in range(6):
        _login(_fresh("203.0.113.5"), f"nobody{i}@example.org", WRONG, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert _login(_fresh("203.0.113.5"), coordinator.email, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_address_it_appended_is_used(coordinator):
    proxy = "10.0.0.2"
    # A client that sends its own X-Forwarded-For: the proxy appends the real address after it.
    _login(_fresh(proxy), coordinator.email, WRONG, HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.7")
    _login(_fresh(proxy), coordinator.email, WRONG, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert _recorded_addresses() == {"198.51.100.7", "198.51.100.8"}


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_trusted_proxies_the_second_address_from_the_right_is_used(coordinator):
    _login(_fresh("10.0.0.2"), coordinator.email, WRONG,
           HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.7, 10.0.0.1")
    assert _recorded_addresses() == {"198.51.100.7"}


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "192.0.2.66, "])
def test_without_a_usable_forwarded_for_the_connecting_address_is_used(coordinator, forwarded):
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    _login(_fresh("10.0.0.2"), coordinator.email, WRONG, **extra)
    assert _recorded_addresses() == {"10.0.0.2"}


@override_settings(TRUSTED_PROXY_COUNT=1, AXES_ADDRESS_FAILURE_LIMIT=6)
def test_behind_a_trusted_proxy_users_are_not_locked_by_another_clients_failures(coordinator, partner_a):
    """Everyone shares the proxy's REMOTE_ADDR; the lock of one client's address is its own."""
    proxy = "10.0.0.2"
    for i in range(6):
        _login(_fresh(proxy), f"nobody{i}@example.org", WRONG, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _login(_fresh(proxy), coordinator.email, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    client = _fresh(proxy)
    assert _login(client, partner_a.email, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
    assert client.session[SESSION_KEY] == str(partner_a.pk)
