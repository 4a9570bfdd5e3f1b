"""Celery application: configured from Django settings under the CELERY_ namespace."""
import os
from pathlib import Path

from celery import Celery
from celery.signals import import_modules

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kemitraan.settings.local")

app = Celery("kemitraan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders():
    """Create the folders of the embedded filesystem broker (the default, which needs no server)."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@import_modules.connect
def _prepare_broker(sender=None, **kwargs):
    if str(app.conf.broker_url or "").startswith("filesystem"):
        ensure_filesystem_broker_folders()
