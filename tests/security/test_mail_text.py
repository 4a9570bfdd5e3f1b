"""Mail subjects and text parts are plain text; only the HTML part is HTML-escaped (issue 19 F7).

An organisation named ``Puskesmas & <b>Sukamaju</b>`` gave the invitation subject
``Undangan untuk mewakili Puskesmas &amp; &lt;b&gt;…``: the subject template was rendered with
HTML autoescaping, though a subject is never HTML.
"""
import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from accounts.services import invitation_create
from evaluations.reminders import send_due_reminders
from partners.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NAME = "Puskesmas & <b>Sukamaju</b>"
TITLE = 'Imunisasi "lengkap" & <i>tepat</i> waktu'
PERSON = "Siti <Rahma> & O'Neil"


def _html(message):
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def _assert_plain_text_and_escaped_html(message, *values):
    html = _html(message)
    for value in values:
        assert value in message.body
        assert escape(value) not in message.body
        assert escape(value) in html
        assert value not in html
    for encoded in ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;"):
        assert encoded not in message.subject
        assert encoded not in message.body


@pytest.mark.parametrize("language", ["id", "en"])
def test_invitation_subject_and_text_show_the_organisation_name_as_typed(
    coordinator, membership_a, django_capture_on_commit_callbacks, language
):
    organisation = membership_a.organisation
    organisation.name = NAME
    organisation.save()
    coordinator.full_name = PERSON
    coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(invited_by=coordinator, email="baru@example.org", organisation=organisation,
                          full_name=PERSON, language=language)
    message = mail.outbox[-1]
    expected = {
        "id": f"Undangan untuk mewakili {NAME} di Kemitraan",
        "en": f"Invitation to represent {NAME} in Kemitraan",
    }[language]
    assert message.subject == expected
    _assert_plain_text_and_escaped_html(message, NAME, PERSON)


def test_password_reset_text_shows_the_name_as_typed(client, coordinator):
    coordinator.full_name = PERSON
    coordinator.save()
    client.post(reverse("accounts:password_reset"), {"email": coordinator.email})
    message = mail.outbox[-1]
    assert "&" not in message.subject
    _assert_plain_text_and_escaped_html(message, PERSON)


@pytest.fixture
def hostile_names(partnership, membership_a, membership_b):
    partnership.title = TITLE
    partnership.save()
    for membership in (membership_a, membership_b):
        membership.organisation.name = NAME if membership is membership_a else NAME + " 2"
        membership.organisation.save()


@pytest.mark.usefixtures("hostile_names")
def test_commitment_ending_reminder_subject_and_text_are_plain(partner_a, membership_a):
    partner_a.full_name = PERSON
    partner_a.save()
    Membership.objects.filter(pk=membership_a.pk).update(commitment_end=datetime.date(2026, 9, 30))
    send_due_reminders(today=datetime.date(2026, 8, 31))
    (message,) = mail.outbox
    assert NAME in message.subject and TITLE in message.subject
    _assert_plain_text_and_escaped_html(message, NAME, TITLE, PERSON)


@pytest.mark.usefixtures("hostile_names")
def test_action_reminder_subject_and_text_are_plain(partnership, org_b, partner_b):
    f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=datetime.date(2026, 6, 30),
                            title=TITLE)
    send_due_reminders(today=datetime.date(2026, 6, 27))
    (message,) = mail.outbox
    assert TITLE in message.subject
    _assert_plain_text_and_escaped_html(message, TITLE, NAME + " 2")


def _templates(pattern):
    return sorted((ROOT / "templates" / "emails").rglob(pattern))


@pytest.mark.parametrize("path", _templates("*.txt"), ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_plain_text_mail_template_turns_autoescaping_off(path):
    """Subjects and text parts: a template that extends another inherits its autoescape block."""
    source = path.read_text()
    if re.match(r"\{%\s*extends\s", source):
        parent = re.match(r'\{%\s*extends\s+"([^"]+)"', source).group(1)
        source = (ROOT / "templates" / parent).read_text()
    assert re.search(r"\{%\s*autoescape off\s*%\}", source), path
