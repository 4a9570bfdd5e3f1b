"""Errors are logged with the request and the user, never with the password; S3 media when configured."""
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path

from kemitraan.logging import RequestContextFilter

ROOT = Path(__file__).resolve().parents[2]


def _boom(request):
    raise RuntimeError("something broke")


urlpatterns = [path("boom/", _boom)]


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.urls("tests.project.test_logging_and_storage")
def test_server_error_is_logged_with_request_and_user_but_not_the_password(db, log_stream, partner_a):
    client = Client(raise_request_exception=False)
    client.force_login(partner_a)
    response = client.post("/boom/", {"password": "rahasia-sekali-123", "note": "x"})
    assert response.status_code == 500
    logged = log_stream.getvalue()
    assert f"[POST /boom/ user={partner_a.pk}]" in logged
    assert "RuntimeError: something broke" in logged
    assert "rahasia-sekali-123" not in logged


def test_log_records_without_request_still_format():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    assert RequestContextFilter().filter(record)
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    assert "[- user=-] hello" in formatter.format(record)


def test_production_uses_s3_storage_only_when_a_bucket_is_configured():
    base = {
        "DJANGO_SETTINGS_MODULE": "kemitraan.settings.production",
        "DJANGO_SECRET_KEY": "k3m1traan-pr0duction-s3cret-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1",
        "DJANGO_ALLOWED_HOSTS": "kemitraan.example.org",
        "DATABASE_URL": "postgres://kemitraan:secret@127.0.0.1:5432/kemitraan",
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"

    def backend(extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(base, **extra)
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()[-1]

    assert backend({}) == "django.core.files.storage.FileSystemStorage"
    assert backend({"AWS_STORAGE_BUCKET_NAME": "kemitraan-media",
                    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}) == "storages.backends.s3.S3Storage"
