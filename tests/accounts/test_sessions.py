"""Sessions: new id at sign-in, idle and absolute expiry, sign-out and deactivation end them."""
import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Session
from accounts.services import user_deactivate, user_sessions_end
from tests import factories as f

PROFILE = "accounts:profile"


def _login(client, email, password=f.PASSWORD):
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    assert response.status_code == 302, response.content
    return client.session.session_key


def _signed_in(client):
    return client.get(reverse(PROFILE)).status_code == 200


def test_session_id_changes_at_sign_in(client, coordinator):
    session = client.session
    session["before_sign_in"] = "x"
    session.save()
    old_key = session.session_key
    assert Session.objects.filter(session_key=old_key).exists()
    new_key = _login(client, coordinator.email)
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert client.session[SESSION_KEY] == str(coordinator.pk)


def test_sign_out_deletes_the_session_on_the_server(client, coordinator):
    key = _login(client, coordinator.email)
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    # A copy of the old cookie is worthless.
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not _signed_in(thief)


def test_idle_session_is_signed_out(client, coordinator, settings):
    settings.SESSION_IDLE_TIMEOUT = 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        _login(client, coordinator.email)
        assert _signed_in(client)
        traveller.shift(datetime.timedelta(minutes=61))
        response = client.get(reverse(PROFILE))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert SESSION_KEY not in client.session
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(reverse("accounts:login"))
        assert "signed out after a period of inactivity" in response.content.decode()


def test_activity_keeps_session_alive(client, coordinator, settings):
    settings.SESSION_IDLE_TIMEOUT = 60 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _login(client, coordinator.email)
        for _ in range(4):  # 4 x 45 minutes: longer than the idle limit in total, never idle
            traveller.shift(datetime.timedelta(minutes=45))
            assert _signed_in(client)


def test_session_ends_at_absolute_limit_despite_activity(client, coordinator, settings):
    settings.SESSION_IDLE_TIMEOUT = 60 * 60
    settings.SESSION_COOKIE_AGE = 3 * 60 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _login(client, coordinator.email)
        for _ in range(5):  # 5 x 30 min = 2.5 h, active all along
            traveller.shift(datetime.timedelta(minutes=30))
            assert _signed_in(client)
        traveller.shift(datetime.timedelta(minutes=31))  # 3 h 1 min after sign-in
        assert not _signed_in(client)
        assert SESSION_KEY not in client.session


def test_deactivating_user_ends_all_their_sessions_only(coordinator, partner_a):
    first, second, other = Client(), Client(), Client()
    _login(first, partner_a.email)
    _login(second, partner_a.email)
    _login(other, coordinator.email)
    user_deactivate(user=partner_a)
    partner_a.refresh_from_db()
    assert partner_a.is_active is False
    assert not _signed_in(first)
    assert not _signed_in(second)
    assert _signed_in(other)
    assert not any(s.get_decoded().get(SESSION_KEY) == str(partner_a.pk) for s in Session.objects.all())


def test_deactivating_in_admin_style_save_ends_sessions(client, partner_a):
    key = _login(client, partner_a.email)
    partner_a.is_active = False
    partner_a.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert not _signed_in(client)


def test_saving_active_user_keeps_sessions(client, partner_a):
    key = _login(client, partner_a.email)
    partner_a.full_name = "Nama Baru"
    partner_a.save()
    assert Session.objects.filter(session_key=key).exists()
    assert _signed_in(client)


def test_user_sessions_end_counts_and_skips_others(coordinator, partner_a):
    a, b = Client(), Client()
    _login(a, partner_a.email)
    _login(b, coordinator.email)
    assert user_sessions_end(user=partner_a) == 1
    assert _signed_in(b)


def test_password_change_signs_out_other_devices(coordinator):
    here, elsewhere = Client(), Client()
    _login(here, coordinator.email)
    _login(elsewhere, coordinator.email)
    new_password = "Lembayung-senja-2026"
    here.post(reverse("accounts:password_change"), {
        "old_password": f.PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def test_session_row_names_its_user_and_follows_sign_in_and_out(client, coordinator, partner_a):
    key = _login(client, coordinator.email)
    assert Session.objects.get(session_key=key).user == coordinator
    client.post(reverse("accounts:logout"))
    key = _login(client, partner_a.email)
    assert Session.objects.get(session_key=key).user == partner_a
    assert list(partner_a.sessions.values_list("session_key", flat=True)) == [key]
    anonymous = Client()
    anonymous.get(reverse(PROFILE))
    session = anonymous.session
    session["x"] = 1
    session.save()
    assert Session.objects.get(session_key=session.session_key).user is None


def test_the_session_s_user_column_does_not_decide_who_is_signed_in(client, coordinator, partner_a):
    """The column is a copy; the user id in the session's data decides who is signed in."""
    key = _login(client, coordinator.email)
    Session.objects.filter(session_key=key).update(user=partner_a)
    response = client.get(reverse(PROFILE))
    assert response.status_code == 200
    assert response.context["user"] == coordinator


def test_a_user_deactivated_in_the_database_alone_is_signed_out(client, coordinator):
    _login(client, coordinator.email)
    type(coordinator).objects.filter(pk=coordinator.pk).update(is_active=False)  # the row alone, no signal
    assert not _signed_in(client)


def test_a_changed_password_signs_the_session_out(client, coordinator):
    key = _login(client, coordinator.email)
    type(coordinator).objects.filter(pk=coordinator.pk).update(password="pbkdf2_sha256$1$salt$changed")
    assert not _signed_in(client)
    assert not Session.objects.filter(session_key=key).exists()  # Django's get_user flushed it


def test_expired_session_reads_as_signed_out(client, coordinator):
    key = _login(client, coordinator.email)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert not _signed_in(client)


def test_ending_sessions_finds_them_by_their_user(coordinator, partner_a):
    partner, other = Client(), Client()
    key = _login(partner, partner_a.email)
    _login(other, coordinator.email)
    assert user_sessions_end(user=partner_a) == 1
    assert not Session.objects.filter(session_key=key).exists()
    assert not _signed_in(partner)
    assert _signed_in(other)


@pytest.mark.parametrize("key", ["a" * 100, "a" * 5000, "x'; DROP TABLE accounts_session; --", "é" * 20, "abc\x01defghij"])
def test_hostile_session_cookie_reads_as_signed_out(client, db, key):
    """A session key of any length or content finds no session and raises no error."""
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = client.get(reverse(PROFILE))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert Session.objects.count() == 0


def test_expired_sessions_are_cleared_by_the_daily_task(coordinator, partner_a):
    from accounts.tasks import clear_expired_sessions

    live, over = Client(), Client()
    _login(live, coordinator.email)
    key = _login(over, partner_a.email)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(minutes=1))
    assert clear_expired_sessions() == {"deleted": 1}
    assert not Session.objects.filter(session_key=key).exists()
    assert _signed_in(live)
    assert clear_expired_sessions() == {"deleted": 0}
