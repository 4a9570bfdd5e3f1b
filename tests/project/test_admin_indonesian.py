"""Issue 21: the admin speaks Indonesian everywhere, django-celery-beat's pages and the history view included,
and a record's history reads as the pages do (labels, local dates), not as raw stored values."""
import datetime
import html
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from partners import services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    admin.preferred_language = "id"
    admin.save()
    client.force_login(admin)
    return client


def _text(response) -> str:
    """The page's visible text, tags dropped and spaces collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ").split())


def test_report_history_shows_labels_and_local_dates_in_indonesian(admin_client, admin, partner_a, membership_a):
    with time_machine.travel(datetime.datetime(2026, 12, 6, 21, 4, 26, tzinfo=datetime.timezone.utc), tick=False):
        report = f.ContributionReportFactory(membership=membership_a, value=20_000_000)
        services.report_submit(report=report, user=partner_a)
    response = admin_client.get(reverse("admin:partners_contributionreport_history", args=[report.pk]))
    assert response.status_code == 200
    text = _text(response)

    assert "Perubahan" in text  # the column simple-history calls "Changes"
    assert "Draf → Diajukan" in text  # status labels, not "draft → submitted"
    # The submission time in Jakarta (UTC+7) and the site's date format, not a raw UTC timestamp.
    assert "— → 7 Des 2026 04.04" in text
    assert "+00:00" not in text and "None" not in text and "submitted" not in text


@pytest.mark.parametrize(("url_name", "expected"), [
    ("admin:index", ["Tugas Berkala", "Tugas berkala", "Waktu tertentu", "Crontab"]),
    ("admin:django_celery_beat_periodictask_changelist", ["Jalankan tugas terpilih", "Aktifkan tugas terpilih",
                                                           "Nonaktifkan tugas terpilih"]),
    ("admin:django_celery_beat_periodictask_add", ["Keterangan singkat untuk tugas ini", "Jadwal interval",
                                                    "Argumen posisi", "Tugas sekali jalan", "Aktif"]),
    ("admin:django_celery_beat_clockedschedule_changelist", ["Waktu tertentu"]),
])
def test_periodic_task_pages_are_in_indonesian(admin_client, url_name, expected):
    call_command("setup_schedules", stdout=io.StringIO())  # periodic tasks to list (the actions need rows)
    response = admin_client.get(reverse(url_name))
    assert response.status_code == 200
    text = _text(response)
    for phrase in expected:
        assert phrase in text, phrase
    for english in ("Periodic tasks", "Periodic Tasks", "Run selected tasks", "Short Description For This Task",
                    "Clocked", "Crontabs", "One-off Task"):
        assert english not in text, english


def test_every_django_celery_beat_string_has_indonesian():
    """Every string of django-celery-beat's admin and models reads differently in Indonesian (our catalogue)."""
    from kemitraan.third_party_strings import DJANGO_CELERY_BEAT, DJANGO_SIMPLE_HISTORY

    same_in_both = {"interval", "intervals", "crontab", "crontabs", "Exchange"}
    with translation.override("id"):
        untranslated = [
            str(msgid) for msgid in (*DJANGO_CELERY_BEAT, *DJANGO_SIMPLE_HISTORY)
            if isinstance(msgid, str) and translation.gettext(msgid) == msgid and msgid not in same_in_both
        ]
    assert untranslated == []


def test_report_status_history_in_english_follows_the_language(client, admin, partner_a, membership_a):
    admin.preferred_language = "en"
    admin.save()
    client.force_login(admin)
    report = f.ContributionReportFactory(membership=membership_a)
    services.report_submit(report=report, user=partner_a)
    text = _text(client.get(reverse("admin:partners_contributionreport_history", args=[report.pk])))
    assert "Draft → Submitted" in text
    assert "draft → submitted" not in text
