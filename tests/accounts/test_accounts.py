"""Sign-in by email, sign-out, passwords, profile and the interface language, lockout."""
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.services import user_profile_update
from tests import factories as f

PASSWORD = f.PASSWORD
LOGIN = "accounts:login"


def _login(client, email, password=PASSWORD, **extra):
    return client.post(reverse(LOGIN), {"username": email, "password": password, **extra})


def _html_lang(response):
    match = re.search(r'<html lang="([a-z-]+)"', response.content.decode())
    return match.group(1) if match else None


# --- sign-in and sign-out ---------------------------------------------------------------

def test_login_page_asks_for_email(client, db):
    response = client.get(reverse(LOGIN))
    assert response.status_code == 200
    form = response.context["form"]
    with translation.override("en"):
        assert str(form.fields["username"].label) == "Email"
    assert 'type="email"' in response.content.decode()


def test_sign_in_with_email_and_password(client, coordinator):
    response = _login(client, "koordinator@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")
    assert client.session[SESSION_KEY] == str(coordinator.pk)


def test_sign_in_ignores_case_of_email(client, coordinator):
    response = _login(client, "  Koordinator@Example.ORG ")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(coordinator.pk)


def test_wrong_password_shows_error_and_does_not_sign_in(client, coordinator):
    response = _login(client, "koordinator@example.org", "salah-sekali-123")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert SESSION_KEY not in client.session


def test_inactive_user_cannot_sign_in(client, coordinator):
    coordinator.is_active = False
    coordinator.save()
    response = _login(client, "koordinator@example.org")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_sign_in_follows_safe_next(client, coordinator):
    response = _login(client, "koordinator@example.org", next=reverse("accounts:profile"))
    assert response["Location"] == reverse("accounts:profile")
    response = client.post(reverse("accounts:logout"))
    response = _login(client, "koordinator@example.org", next="https://evil.example.com/")
    assert response["Location"] == reverse("workspace:home")


def test_signed_in_user_opening_login_goes_home(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse(LOGIN))
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")


def test_sign_out_needs_post_and_ends_session(client, coordinator):
    _login(client, "koordinator@example.org")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse(LOGIN)
    assert SESSION_KEY not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_pages_need_sign_in(client, db):
    for name in ("accounts:profile", "accounts:password_change", "accounts:invitation_list",
                 "accounts:invitation_create"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse(LOGIN)), name


# --- lockout (django-axes) ------------------------------------------------------------------

def test_lockout_after_failure_limit_shows_message_and_refuses_right_password(client, coordinator):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = _login(client, "koordinator@example.org", "salah-sekali-123")
        assert response.status_code == 200
    response = _login(client, "koordinator@example.org", "salah-sekali-123")
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert 'id="locked-out"' in response.content.decode()
    # Even the right password is refused while the lock lasts.
    response = _login(client, "koordinator@example.org", PASSWORD)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_lockout_message_is_translated(client, coordinator):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, "koordinator@example.org", "salah-sekali-123")
    assert response.status_code == 429
    assert _html_lang(response) == "en"
    assert "Too many failed sign-ins" in response.content.decode()
    assert "Try again in" in response.content.decode()


def test_password_reset_lifts_account_lockout(client, coordinator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "koordinator@example.org", "salah-sekali-123")
    assert AccessAttempt.objects.filter(username="koordinator@example.org").exists()
    client.post(reverse("accounts:password_reset"), {"email": "koordinator@example.org"})
    path = _reset_path(mail.outbox[-1])
    response = client.get(path, follow=True)
    new_password = "Lembayung-senja-2026"
    response = client.post(response.redirect_chain[-1][0],
                           {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="koordinator@example.org").exists()


# --- password change ------------------------------------------------------------------------------

def test_password_change_keeps_this_session(client, coordinator):
    client.force_login(coordinator)
    new_password = "Lembayung-senja-2026"
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    coordinator.refresh_from_db()
    assert coordinator.check_password(new_password)
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_password_change_rejects_common_password_with_error_next_to_field(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert 'class="invalid-feedback' in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(PASSWORD)


# --- password reset ---------------------------------------------------------------------------------

def _reset_path(message):
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_mails_text_and_html_link_in_users_language(client, coordinator):
    coordinator.preferred_language = "en"
    coordinator.save()
    response = client.post(reverse("accounts:password_reset"), {"email": "KOORDINATOR@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["koordinator@example.org"]
    assert message.subject == "Reset your Kemitraan password"
    assert message.body.count(settings.SITE_URL) == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert _reset_path(message) in html
    assert '<html lang="en">' in html


def test_password_reset_for_unknown_email_sends_nothing_but_answers_the_same(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_link_sets_new_password_once(client, coordinator):
    client.post(reverse("accounts:password_reset"), {"email": "koordinator@example.org"})
    path = _reset_path(mail.outbox[0])
    response = client.get(path, follow=True)
    set_url = response.redirect_chain[-1][0]
    assert response.context["validlink"] is True
    new_password = "Lembayung-senja-2026"
    response = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    coordinator.refresh_from_db()
    assert coordinator.check_password(new_password)
    # The same link cannot be used again.
    response = client.get(path, follow=True)
    assert response.context["validlink"] is False
    assert client.get(reverse("accounts:password_reset_complete")).status_code == 200


# --- profile and language ---------------------------------------------------------------------------

def test_profile_shows_form_and_organisations(client, partner_a, org_a):
    client.force_login(partner_a)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    body = response.content.decode()
    assert org_a.name in body
    assert 'name="full_name"' in body and 'name="preferred_language"' in body


def test_profile_save_changes_name_and_language_and_sets_language_cookie(client, partner_a):
    client.force_login(partner_a)
    response = client.post(reverse("accounts:profile"), {"full_name": "Siti Aminah", "preferred_language": "en"})
    assert response.status_code == 302
    partner_a.refresh_from_db()
    assert partner_a.full_name == "Siti Aminah"
    assert partner_a.preferred_language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(reverse("accounts:profile"))
    assert _html_lang(response) == "en"


def test_profile_rejects_unknown_language_and_saves_nothing(client, partner_a):
    client.force_login(partner_a)
    old_name = partner_a.full_name
    response = client.post(reverse("accounts:profile"), {"full_name": "X", "preferred_language": "fr"})
    assert response.status_code == 200
    assert response.context["form"].errors["preferred_language"]
    partner_a.refresh_from_db()
    assert partner_a.full_name == old_name
    assert partner_a.preferred_language == "id"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_sign_in_as_english_user_shows_english_then_switch_changes_page(client, coordinator):
    coordinator.preferred_language = "en"
    coordinator.save()
    response = _login(client, "koordinator@example.org")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(reverse("accounts:profile"))
    assert _html_lang(response) == "en"
    assert response["Content-Language"] == "en"
    # The language switch wins for this browser.
    response = client.post(reverse("set_language"), {"language": "id", "next": reverse("accounts:profile")})
    assert response.status_code == 302
    response = client.get(reverse("accounts:profile"))
    assert _html_lang(response) == "id"
    # The next sign-in goes back to the profile's language.
    client.post(reverse("accounts:logout"))
    _login(client, "koordinator@example.org")
    assert _html_lang(client.get(reverse("accounts:profile"))) == "en"


def test_sign_in_as_indonesian_user_replaces_english_cookie(client, coordinator):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse(LOGIN))
    assert _html_lang(response) == "en"
    assert "Password" in response.content.decode()
    _login(client, "koordinator@example.org")
    response = client.get(reverse("accounts:profile"))
    assert _html_lang(response) == "id"
    assert "Kata sandi" in client.get(reverse("accounts:password_change")).content.decode()


def test_preferred_language_applies_without_cookie(client, coordinator):
    user_profile_update(user=coordinator, full_name="Budi", preferred_language="en")
    client.force_login(coordinator)
    assert _html_lang(client.get(reverse("accounts:profile"))) == "en"


def test_anonymous_page_follows_language_switch(client, db):
    assert _html_lang(client.get(reverse(LOGIN))) == "id"
    client.post(reverse("set_language"), {"language": "en", "next": reverse(LOGIN)})
    response = client.get(reverse(LOGIN))
    assert _html_lang(response) == "en"


@pytest.mark.parametrize("name", ["accounts:login", "accounts:password_reset", "accounts:password_reset_done",
                                  "accounts:password_reset_complete"])
def test_public_account_pages_render(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_profile_query_count_is_constant(client, partner_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(partner_a)
    counts = []
    for total in (3, 50):
        for org in list(partner_a.organisations.all()):
            org.representatives.remove(partner_a)
        for _ in range(total):
            f.OrganisationFactory().representatives.add(partner_a)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("accounts:profile"))
        assert response.status_code == 200
        assert response.content.decode().count('<li class="py-1">') == total
        counts.append(len(ctx.captured_queries))
    # the session, the user, the navigation's roles, the organisations
    assert counts[0] == counts[1] == 4, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(("full_name", "short"), [
    ("dr. Andi Pratama", "Andi"),
    ("dr Andi Pratama", "Andi"),
    ("Dr. Andi Pratama, Sp.A.", "Andi"),
    ("Prof. Dr. Ir. Budi Santoso", "Budi"),
    ("drg. Rina Wulandari", "Rina"),
    ("H. Ahmad Fauzi", "Ahmad"),
    ("Hj. Siti Aminah", "Siti"),
    ("Ir Bambang Wicaksono", "Bambang"),
    ("Bapak Rudi Hartono", "Rudi"),
    ("Siti Rahmawati", "Siti"),
    ("Budi", "Budi"),
    ("  Dewi   Lestari ", "Dewi"),
    ("dr.", "dr."),  # nothing but a title: shown as written
])
def test_short_name_is_the_first_name_without_titles(full_name, short):
    assert User(email="orang@example.org", full_name=full_name).get_short_name() == short


def test_short_name_without_a_full_name_is_the_email_before_the_at():
    assert User(email="siti.r@example.org", full_name="").get_short_name() == "siti.r"


def test_user_menu_shows_the_first_name_not_the_title(client, partner_a):
    partner_a.full_name = "dr. Andi Pratama"
    partner_a.save()
    client.force_login(partner_a)
    html = client.get(reverse("accounts:profile")).content.decode()
    menu = html[html.index('data-bs-toggle="dropdown"'):]
    assert menu[:menu.index("</button>")].split(">", 1)[1].strip() == "Andi"
