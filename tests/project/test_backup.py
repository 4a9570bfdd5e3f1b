"""The documented backup and restore path (ops/backup.sh, ops/restore.sh) round-trips every record."""
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from partners.models import Attachment
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="backup path is for PostgreSQL"
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def _url(name):
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _counts(cursor):
    counts = {}
    for model in apps.get_models():
        cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')
        counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_every_record(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = f.ContributionReportFactory(status="submitted")
    f.IndicatorValueFactory(membership=report.membership)
    f.EvaluationResponseFactory(membership=report.membership, cycle__partnership=report.membership.partnership)
    f.VoteFactory(membership=report.membership, decision__partnership=report.membership.partnership)
    attachment = Attachment(report=report, original_name="kwitansi.pdf", content_type="application/pdf", size=8)
    attachment.file.save("ignored", ContentFile(b"%PDF-1.4"), save=True)

    with connection.cursor() as cursor:
        before = _counts(cursor)
    source = connection.settings_dict["NAME"]
    target = f"kem_restore_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _url(source), "MEDIA_ROOT": str(tmp_path / "media")}
    out = subprocess.run([ROOT / "ops/backup.sh", tmp_path / "backup"], env=env, capture_output=True, text=True,
                         check=True, timeout=300).stdout.split()
    dump, media_archive = out[0], out[1]

    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        env = {**os.environ, "DATABASE_URL": _url(target), "MEDIA_ROOT": str(restored_media)}
        subprocess.run([ROOT / "ops/restore.sh", dump, media_archive], env=env, capture_output=True, text=True,
                       check=True, timeout=300)
        with psycopg2.connect(_url(target)) as restored:
            after = _counts(restored.cursor())
        restored.close()
        assert after == before
        assert before["partners_contributionreport"] == 1
        assert (restored_media / attachment.file.name).read_bytes() == b"%PDF-1.4"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()
