"""The Indonesian catalogue is complete, compiled, in step with the code, and used.

Bahasa Indonesia is the default interface language and English the second; the source
strings are English, so an untranslated or stale entry shows English to Indonesian
users. These tests keep locale/id/LC_MESSAGES/django.po complete, its committed .mo in
step with it (a fresh machine may have no gettext to compile it), and the catalogue
in step with the strings marked in the code.
"""
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LC_MESSAGES = ROOT / "locale" / "id" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# The folders the makemessages command in the README / notes leaves out, plus what the
# copy for the freshness check does not need. makemessages itself skips dot-folders.
MAKEMESSAGES_IGNORE = ("staticfiles", "test-artifacts", "node_modules")
COPY_IGNORE = shutil.ignore_patterns(
    ".*", "__pycache__", "*.pyc", "*.sqlite3", "media", *MAKEMESSAGES_IGNORE
)

NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]")
HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^>]*>")


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def _key(entry):
    return (entry.msgctxt, entry.msgid)


def _label(entry):
    return f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r}"


def _translations(entry):
    """Every msgstr of an entry: the single one, or each plural form."""
    if entry.msgid_plural:
        return [entry.msgstr_plural.get(i, "") for i in sorted(entry.msgstr_plural) or [0]]
    return [entry.msgstr]


def test_catalogue_header_is_indonesian_with_one_plural_form(po):
    assert po.metadata["Language"] == "id"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy


def test_catalogue_has_no_untranslated_or_fuzzy_entry(po):
    entries = [e for e in po if not e.obsolete]
    assert len(entries) > 500, "the catalogue looks truncated"
    untranslated = [_label(e) for e in entries if not all(t.strip() for t in _translations(e))]
    fuzzy = [_label(e) for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_exactly_the_one_indonesian_form(po):
    wrong = [_label(e) for e in po if e.msgid_plural and sorted(e.msgstr_plural) != [0]]
    assert wrong == []


def test_translations_keep_placeholders_tags_and_edge_newlines(po):
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        # A plural msgstr[0] stands for every count, so it follows the plural msgid,
        # which names every placeholder (the singular may leave the count out).
        source = entry.msgid_plural or entry.msgid
        for text in _translations(entry):
            if set(NAMED_PLACEHOLDER.findall(source)) != set(NAMED_PLACEHOLDER.findall(text)):
                problems.append(("placeholders", _label(entry), text))
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(text)):
                problems.append(("tags", _label(entry), text))
            if "python-format" in entry.flags and text.count("%%") != source.count("%%"):
                problems.append(("%%", _label(entry), text))
            for edge in (str.startswith, str.endswith):
                if edge(entry.msgid, "\n") != edge(text, "\n"):
                    problems.append(("newline", _label(entry), text))
    assert problems == []


def test_compiled_catalogue_matches_the_po_file(po):
    assert MO_PATH.exists(), "compile with: manage.py compilemessages -l id"
    with MO_PATH.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    expected = {}
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(msgid, int(index))] = text
        elif entry.msgstr:
            expected[msgid] = entry.msgstr
    actual = {key: value for key, value in mo._catalog.items() if key != ""}
    missing_or_different = {k: v for k, v in expected.items() if actual.get(k) != v}
    stale = sorted(str(k) for k in set(actual) - set(expected))
    assert missing_or_different == {}, "the .mo is older than the .po: run compilemessages -l id"
    assert stale == [], "the .mo has entries the .po no longer has: run compilemessages -l id"
    assert mo.ngettext("%(n)s partnership", "%(n)s partnerships", 1) == "%(n)s kemitraan"
    assert mo.ngettext("%(n)s partnership", "%(n)s partnerships", 7) == "%(n)s kemitraan"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_every_marked_string_in_the_code_is_in_the_catalogue(tmp_path, po):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
    command = [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete"]
    command += [f"--ignore={name}" for name in MAKEMESSAGES_IGNORE]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(command, check=False, cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    committed = {_key(e) for e in po if not e.obsolete}
    missing = sorted(
        _label(e) for e in fresh if not e.obsolete and _key(e) not in committed
    )
    assert missing == [], (
        "strings marked in the code are missing from locale/id: run makemessages -l id, "
        "translate them and compilemessages"
    )


@pytest.mark.django_db
def test_sign_in_page_is_indonesian_by_default(client):
    response = client.get(reverse("accounts:login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id"' in content
    assert ">Masuk</h1>" in content
    assert "Lupa kata sandi?" in content
    assert "Forgot your password?" not in content


@pytest.mark.django_db
def test_sign_in_page_is_english_with_the_language_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    content = response.content.decode()
    assert '<html lang="en"' in content
    assert ">Sign in</h1>" in content
    assert "Forgot your password?" in content
    assert "Lupa kata sandi?" not in content


@pytest.mark.django_db
def test_password_reset_page_follows_the_language(client, settings):
    url = reverse("accounts:password_reset")
    assert "Kirim tautan atur ulang" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Send reset link" in client.get(url).content.decode()


@pytest.mark.django_db
def test_coordinator_dashboard_follows_profile_language_then_cookie(client, settings, coordinator, membership_a):
    client.force_login(coordinator)
    content = client.get(reverse("workspace:home")).content.decode()
    assert "Dasbor" in content
    assert "Keluar" in content  # sign out, in the shared navigation
    coordinator.preferred_language = "en"
    coordinator.save(update_fields=["preferred_language"])
    content = client.get(reverse("workspace:home")).content.decode()
    assert "Dashboard" in content
    assert "Sign out" in content
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert "Dasbor" in client.get(reverse("workspace:home")).content.decode()


@pytest.mark.django_db
def test_model_choice_labels_and_form_errors_are_translated(client):
    from django.utils import translation

    from partners.models import Organisation

    with translation.override("id"):
        labels = {str(label) for _, label in Organisation._meta.get_field("sector").choices}
        assert "Kelompok masyarakat" in labels
    response = client.post(reverse("accounts:login"), {"username": "nobody@example.org", "password": "x"})
    assert "Masukkan alamat email dan kata sandi yang benar." in response.content.decode()
