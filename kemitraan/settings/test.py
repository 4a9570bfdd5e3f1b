"""Settings for the test suite: fast hashing, in-memory mail, tasks run eagerly when asked."""
from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# pytest replaces the backend with locmem in its own process; the Celery worker
# subprocesses of tests/integration get a file backend through these two variables.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / ".test-mail"))
MEDIA_ROOT = BASE_DIR / ".test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Reminder job knobs for the Celery integration tests (see evaluations/reminders/).
REMINDER_SEND_DELAY = env.float("REMINDER_SEND_DELAY", default=0.0)
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=500)
REMINDER_FLUSH_SECONDS = env.float("REMINDER_FLUSH_SECONDS", default=1.0)

# Cached fragments on, in this process's memory (tests/conftest.py empties it before each test).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kemitraan-test"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments-test"},
}
