"""Production settings and security headers, read from real responses and real processes."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from accounts.models import Invitation
from accounts.selectors import token_hash
from accounts.services import invitation_create
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "kemitraan.settings.production",
    "DJANGO_SECRET_KEY": "k3m1traan-pr0duction-s3cret-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1",
    "DJANGO_ALLOWED_HOSTS": "kemitraan.example.org",
    "DATABASE_URL": "postgres://kemitraan:secret@127.0.0.1:5432/kemitraan",
}


def _manage(*args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items()
           if k not in drop and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(env_overrides)
    for name in drop:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_required_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env_overrides=env, drop=(missing,))
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.django_db
def test_every_page_sends_csp_nosniff_referrer_and_frame_headers(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_have_no_inline_script(client):
    html = client.get(reverse("accounts:login")).content.decode()
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: <script{tag}>"
    assert " onclick=" not in html and ' style="' not in html


@pytest.mark.django_db
@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_hsts_and_secure_cookies_on_https(client):
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_production_module_sets_secure_cookie_flags():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "Lax", "True", "False"], result.stderr


@pytest.mark.django_db
def test_periodic_task_admin_page_has_no_inline_script(admin_client):
    html = admin_client.get(reverse("admin:django_celery_beat_periodictask_add")).content.decode()
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: <script{tag}>"


# --- the language cookie (issue 19 F8) ------------------------------------------------------------

def _settings_of(module, *names):
    """The values of ``names`` in settings ``module``, read in a fresh process (as the server would)."""
    code = f"import django; django.setup(); from django.conf import settings as s; print(repr([getattr(s, n) for n in {names!r}]))"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE=module)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(zip(names, ast.literal_eval(result.stdout.strip().splitlines()[-1]), strict=True))


LANGUAGE_COOKIE_FLAGS = ("LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SAMESITE")


@pytest.fixture(scope="module")
def production_language_cookie():
    return _settings_of("kemitraan.settings.production", *LANGUAGE_COOKIE_FLAGS)


def test_production_language_cookie_is_secure_httponly_and_samesite(production_language_cookie):
    assert production_language_cookie == {
        "LANGUAGE_COOKIE_SECURE": True, "LANGUAGE_COOKIE_HTTPONLY": True, "LANGUAGE_COOKIE_SAMESITE": "Lax",
    }


def _language_cookie_responses(client, user):
    """Every way the app sets the language cookie: sign-in, the switch, the profile, a new account."""
    yield "sign-in", client.post(reverse("accounts:login"), {"username": user.email, "password": f.PASSWORD})
    yield "switch", client.post(reverse("set_language"), {"language": "en", "next": "/"})
    yield "profile", client.post(reverse("accounts:profile"), {"full_name": "Siti", "preferred_language": "en"})
    client.post(reverse("accounts:logout"))
    organisation = f.OrganisationFactory()
    membership = f.MembershipFactory(organisation=organisation)
    membership.partnership.coordinators.add(user)
    invitation_create(invited_by=user, email="baru@example.org", organisation=organisation)
    invitation = Invitation.objects.get(email="baru@example.org")
    token = "token-for-the-test"
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash(token))
    yield "invitation", client.post(
        reverse("accounts:invitation_accept", kwargs={"token": token}),
        {"full_name": "Baru", "password1": "Lembayung-senja-2026", "password2": "Lembayung-senja-2026"},
    )


@pytest.mark.django_db
def test_every_language_cookie_carries_the_production_flags(client, coordinator, production_language_cookie):
    with override_settings(**production_language_cookie):
        for how, response in _language_cookie_responses(client, coordinator):
            assert response.status_code == 302, how
            cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
            assert cookie["secure"] is True, how
            assert cookie["httponly"] is True, how
            assert cookie["samesite"] == "Lax", how
            assert "; Secure" in cookie.output() and "; HttpOnly" in cookie.output(), how


@pytest.mark.django_db
def test_language_cookie_is_httponly_and_samesite_outside_production(client, coordinator):
    for how, response in _language_cookie_responses(client, coordinator):
        cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
        assert cookie["httponly"] is True, how
        assert cookie["samesite"] == "Lax", how


# --- Cache-Control of signed-in pages (issue 19 F8) ------------------------------------------------

def _cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "name"), [
    ("coordinator", "workspace:home"),
    ("coordinator", "partners:report_list"),
    ("coordinator", "partners:review_queue"),
    ("partner_a", "workspace:partner_home"),
    ("partner_a", "partners:report_list"),
    ("partner_a", "accounts:profile"),
])
def test_signed_in_pages_are_private_and_not_stored(client, request, membership_a, who, name):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert {"private", "no-store"} <= _cache_control(response)
    assert "public" not in _cache_control(response)


@pytest.mark.django_db
def test_signed_in_page_served_from_the_page_cache_is_private_too(client, coordinator, membership_a):
    client.force_login(coordinator)
    client.get(reverse("workspace:home"))
    response = client.get(reverse("workspace:home"))
    assert {"private", "no-store"} <= _cache_control(response)


@pytest.mark.django_db
def test_signed_in_redirect_after_a_form_is_private(client, partner_a):
    client.force_login(partner_a)
    response = client.post(reverse("accounts:profile"), {"full_name": "Siti", "preferred_language": "id"})
    assert response.status_code == 302
    assert {"private", "no-store"} <= _cache_control(response)


@pytest.mark.django_db
def test_a_view_that_chose_its_own_cache_control_keeps_it(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("health_live"))
    assert _cache_control(response) == {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}


@pytest.mark.django_db
def test_anonymous_pages_keep_their_own_cache_control(client):
    # The sign-in page: Django's never_cache, as before.
    response = client.get(reverse("accounts:login"))
    assert _cache_control(response) == {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}
    # A page that never set one gets none.
    response = client.get(reverse("accounts:password_reset"))
    assert response.status_code == 200
    assert "Cache-Control" not in response
