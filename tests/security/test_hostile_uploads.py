"""Hostile uploads: files disguised by their names, over the size limit, empty, with path-like names,
too many fields or too large a body; each refused with a message, nothing stored outside the media
folder (the checks of ``test_hostile_input.py``)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from partners.models import Attachment
from tests.security.hostile import (
    baseline,
    check_answer,
    send,
    sign_in,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- uploads -------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="1"/></svg>'
SHELL = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
ZIP_BOMBISH = b"PK\x03\x04" + b"\x00" * 200


def _attachment_url(hostile_world):
    return reverse("partners:attachment_add", kwargs={"pk": hostile_world["objects"]["draft"].pk})


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _upload_refused(client, hostile_world, settings, data, *, expect_words=()):
    """POST an upload as org A's partner; it must be refused with a message, nothing stored."""
    sign_in(client, hostile_world["users"]["partner_a"])
    count, files = Attachment.objects.count(), _stored_files(settings)
    before = baseline(hostile_world)
    with transaction.atomic():
        response = check_answer(client, "partners:attachment_add", "POST", _attachment_url(hostile_world), data,
                                hostile_world, before, has_form=True)
        transaction.set_rollback(True)
    assert response.status_code == 200, response.status_code
    errors = response.context["form"].errors.get("file")
    assert errors, "no message next to the file field"
    text = " ".join(errors).lower()
    for word in expect_words:
        assert word in text, text
    assert Attachment.objects.count() == count
    assert _stored_files(settings) == files, "a refused upload left a file behind"
    return text


@pytest.mark.parametrize(("name", "data"), [
    ("report.pdf", ELF),
    ("report.pdf", EXE),
    ("report.pdf", HTML),
    ("report.pdf", SVG),
    ("report.pdf", SHELL),
    ("report.pdf", ZIP_BOMBISH),
    ("report.PDF", EXE),
    ("report.png", PDF),
    ("report.docx", PDF),
    ("report.html", HTML),
    ("report.svg", SVG),
    ("report.exe", EXE),
    ("report.pdf.exe", PDF),
    ("report.sh", SHELL),
    ("report", PDF),
    ("report.pdf\x00.exe", PDF),
    (".htaccess", b"Options +ExecCGI\n"),
    ("report.txt", EXE),
    ("report.csv", b"a,b\n\x00\x01\x02"),
])
def test_upload_disguised_by_its_name_is_refused_with_a_message(client, hostile_world, settings, name, data):
    _upload_refused(client, hostile_world, settings, {"file": SimpleUploadedFile(name, data)})


def test_upload_over_the_size_limit_is_refused_with_a_message(client, hostile_world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = PDF + b"%" + b"0" * 2048
    _upload_refused(client, hostile_world, settings, {"file": SimpleUploadedFile("besar.pdf", big)})


def test_upload_larger_than_the_memory_buffer_is_refused_from_its_temporary_file(client, hostile_world, settings):
    """A file over FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file: the checks read that one too."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.ATTACHMENT_MAX_BYTES = 4096
    _upload_refused(client, hostile_world, settings, {"file": SimpleUploadedFile("x.pdf", EXE + b"\x00" * 3000)})
    _upload_refused(client, hostile_world, settings, {"file": SimpleUploadedFile("x.pdf", PDF + b"0" * 5000)})


@pytest.mark.parametrize("data", [
    {"file": SimpleUploadedFile("kosong.pdf", b"")},
    {},
    {"file": "not a file"},
    {"file": ["a", "b"]},
], ids=["empty", "missing", "text", "two-texts"])
def test_empty_or_missing_upload_is_refused_with_a_message(client, hostile_world, settings, data):
    _upload_refused(client, hostile_world, settings, {"csrfmiddlewaretoken": "token", **data})


def _raw_multipart(filename, content, content_type="application/pdf"):
    """A multipart body as a browser sends it: the form's token, then the file under its name as written."""
    boundary = "----kemitraan-hostile-boundary"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\ntoken\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("filename", [
    "../../etc/passwd.pdf", "..\\..\\x.pdf", "/etc/passwd.pdf", "C:\\Windows\\win.ini.pdf",
    "....//....//x.pdf", "%2e%2e%2fx.pdf", "..", "../", "laporan/../../../x.pdf",
])
@pytest.mark.parametrize("content", [PDF, SHELL], ids=["pdf", "shell"])
def test_path_like_upload_names_never_leave_the_media_folder(client, hostile_world, settings, filename, content):
    """The browser's file name is sent as written (the test client would strip the folders itself).

    Django's multipart parser keeps only the last part of the name before the app sees it, so a
    real PDF called ``../../etc/passwd.pdf`` arrives as ``passwd.pdf``: it may be accepted, but it is
    stored under a server-made name inside MEDIA_ROOT and shown with a clean name. Content that is no
    allowed type, or a name that is only dots, is refused with a message and leaves nothing behind."""
    sign_in(client, hostile_world["users"]["partner_a"])
    body, content_type = _raw_multipart(filename, content)
    root = settings.MEDIA_ROOT.resolve()
    count, files = Attachment.objects.count(), _stored_files(settings)
    with transaction.atomic():
        try:
            response = client.post(_attachment_url(hostile_world), data=body, content_type=content_type)
            created = list(Attachment.objects.order_by("-pk")[: Attachment.objects.count() - count])
            if response.status_code == 302:
                assert content == PDF and len(created) == 1, "only a real PDF may be accepted"
                attachment = created[0]
                stored = (root / attachment.file.name).resolve()
                assert stored.is_relative_to(root) and stored.is_file()
                for bad in ("/", "\\", ".."):
                    assert bad not in attachment.original_name, attachment.original_name
                assert not attachment.file.name.endswith(filename), "the stored name must be the server's"
            else:
                assert response.status_code == 200 and response.context["form"].errors.get("file")
                assert not created and _stored_files(settings) == files
        finally:
            transaction.set_rollback(True)
    assert not any(not str(p).startswith(str(root)) for p in map(str, _stored_files(settings)))


def test_too_many_files_or_fields_or_too_large_a_body_is_a_400(client, hostile_world):
    """Request limits (DATA_UPLOAD_MAX_NUMBER_FIELDS/FILES, DATA_UPLOAD_MAX_MEMORY_SIZE): a 400, not a 500."""
    sign_in(client, hostile_world["users"]["partner_a"])
    url = reverse("partners:report_edit", kwargs={"pk": hostile_world["objects"]["draft"].pk})
    cases = [
        {f"f{i}": "x" for i in range(1100)},
        {"description": "A" * 3_000_000},
    ]
    for data in cases:
        with transaction.atomic():
            response, _ = send(client, "POST", url, data)
            transaction.set_rollback(True)
        assert response.status_code == 400, response.status_code
    files = {f"file{i}": SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(110)}
    with transaction.atomic():
        response, _ = send(client, "POST", _attachment_url(hostile_world), files)
        transaction.set_rollback(True)
    assert response.status_code == 400, response.status_code


def test_path_like_names_are_refused_when_the_app_sees_them(hostile_world):
    """Issue 5.4 asks for path-like names to be refused with a message. Over HTTP Django strips the
    folders before the app sees the name (see the test above); a file built in code (admin, imports)
    reaches ``check_attachment`` with its backslash path, and is refused there."""
    from django.core.exceptions import ValidationError

    from partners.uploads import check_attachment

    with pytest.raises(ValidationError):
        check_attachment(SimpleUploadedFile("..\\..\\x.pdf", PDF))


# Used to build 1,100 pledge forms (absolute_max defaulted to max_num + 1000): ~10 s of CPU per request.
def test_forged_total_forms_builds_no_more_pledge_forms_than_allowed(hostile_world):
    from partners.forms.coordinator import PledgeFormSet

    data = {"pledges-TOTAL_FORMS": "99999", "pledges-INITIAL_FORMS": "0", "pledges-MIN_NUM_FORMS": "0",
            "pledges-MAX_NUM_FORMS": "100"}
    formset = PledgeFormSet(data, instance=hostile_world["objects"]["membership"], prefix="pledges")
    assert not formset.is_valid()
    assert len(formset.forms) <= PledgeFormSet.max_num + 1, len(formset.forms)
