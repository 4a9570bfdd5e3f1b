"""Project-level views: the health check."""
import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        logger.exception("health: database unreachable")
        return False


def _broker_ok() -> bool:
    from kemitraan.celery import app, ensure_filesystem_broker_folders

    try:
        if str(app.conf.broker_url).startswith("filesystem"):
            ensure_filesystem_broker_folders()
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        logger.exception("health: broker unreachable")
        return False


@never_cache
@require_GET
def health(request):
    """Answer 200 when the database and the broker are reachable, 503 otherwise."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    status = 200 if all(checks.values()) else 503
    body = {name: ("ok" if ok else "unreachable") for name, ok in checks.items()}
    body["status"] = "ok" if status == 200 else "degraded"
    if settings.DEBUG:
        body["broker_url_scheme"] = settings.CELERY_BROKER_URL.split(":", 1)[0]
    return JsonResponse(body, status=status)


@never_cache
@require_GET
def live(request):
    """Answer "ok" without touching the database: liveness, and the benchmark's ceiling."""
    return HttpResponse("ok", content_type="text/plain")
