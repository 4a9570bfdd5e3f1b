"""Attachments: content-checked types, size limit, server-made names, access-checked downloads."""
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners import services
from partners.models import Attachment, ContributionReport
from partners.uploads import check_attachment, clean_filename

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00" + b"\x00" * 14
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
CSV = b"nama,jumlah\nBudi Santoso,3\nSiti Aminah,5\n"


def _zip(entries, first=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(first[0], first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes():
    return _zip({"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>", "word/document.xml": "<w/>"})


def xlsx_bytes():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Nama", "Jumlah"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt_bytes():
    return _zip({"content.xml": "<office/>"}, first=("mimetype", "application/vnd.oasis.opendocument.text"))


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- content checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("kuitansi.pdf", PDF, "application/pdf"),
        ("foto.png", PNG, "image/png"),
        ("foto.jpg", JPEG, "image/jpeg"),
        ("foto.jpeg", JPEG, "image/jpeg"),
        ("animasi.gif", GIF, "image/gif"),
        ("foto.webp", WEBP, "image/webp"),
        ("laporan.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("anggaran.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("catatan.odt", None, "application/vnd.oasis.opendocument.text"),
        ("lama.doc", OLE, "application/msword"),
        ("lama.xls", OLE, "application/vnd.ms-excel"),
        ("daftar-hadir.csv", CSV, "text/csv"),
    ],
)
def test_allowed_types_are_accepted_by_their_content(name, data, content_type):
    if data is None:
        data = {"laporan.docx": docx_bytes, "anggaran.xlsx": xlsx_bytes, "catatan.odt": odt_bytes}[name]()
    checked = check_attachment(upload(name, data, content_type="text/html"))
    assert checked.content_type == content_type
    assert checked.name == name


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("program.pdf", EXE, "content"),             # a renamed program
        ("kuitansi.png", PDF, "mismatch"),           # a real PDF with an image's name
        ("laporan.pdf", docx_bytes(), "mismatch"),   # a Word file named .pdf
        ("arsip.docx", _zip({"a.txt": "x"}), "content"),  # a zip that is no office file
        ("halaman.pdf", b"<html><script>alert(1)</script></html>", "content"),
        ("data.csv", b"nama\x00jumlah\n", "content"),  # NUL bytes: binary, not text
        ("data.csv", "nama;jumlah\nJos\xe9;1\n".encode("latin-1"), "content"),  # not UTF-8
        ("gambar.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "extension"),
        ("program.exe", EXE, "extension"),
        ("arsip.zip", _zip({"a.txt": "x"}), "extension"),
        ("tanpa-ekstensi", PDF, "extension"),
    ],
)
def test_files_whose_content_does_not_match_are_refused(name, data, code):
    with pytest.raises(ValidationError) as caught:
        check_attachment(upload(name, data, content_type="application/pdf"))
    assert caught.value.code == code


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as caught:
        check_attachment(upload("kosong.pdf", b""))
    assert caught.value.code == "empty"


def test_size_limit_comes_from_settings_with_a_clear_message(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    check_attachment(upload("kecil.pdf", PDF))
    with pytest.raises(ValidationError) as caught:
        check_attachment(upload("besar.pdf", PDF + b"0" * 2000))
    assert caught.value.code == "too_large"
    assert "1,0\xa0KB" in caught.value.messages[0] or "1.0\xa0KB" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("given", "clean"),
    [
        ("../../etc/kuitansi.pdf", "kuitansi.pdf"),
        ("C:\\Users\\budi\\kuitansi.pdf", "kuitansi.pdf"),
        ("..\\..\\kuitansi.pdf", "kuitansi.pdf"),
        ('kui"tan<si>.pdf', "kui_tan_si_.pdf"),
        ("\x00\x1fkuitansi.pdf", "__kuitansi.pdf"),
        (".htaccess", "htaccess"),
        ("../..", "lampiran"),
    ],
)
def test_path_like_names_become_a_clean_base_name(given, clean):
    assert clean_filename(given) == clean


def test_very_long_names_are_shortened_keeping_the_extension():
    name = clean_filename("a" * 400 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


# --- upload through the page --------------------------------------------------------------------


def test_partner_attaches_file_stored_under_server_made_name(client, partner_a, report_a, settings):
    client.force_login(partner_a)
    response = client.post(
        reverse("partners:attachment_add", kwargs={"pk": report_a.pk}),
        {"file": upload("../../rahasia/kuitansi maret.pdf", PDF, content_type="image/png")},
    )
    assert response.status_code == 302
    assert response["Location"] == report_a.get_absolute_url() + "#attachments"
    attachment = Attachment.objects.get()
    assert attachment.original_name == "kuitansi maret.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.uploaded_by == partner_a
    assert attachment.file.name.startswith("attachments/")
    assert "kuitansi" not in attachment.file.name and ".." not in attachment.file.name
    stored = Path(settings.MEDIA_ROOT) / attachment.file.name
    assert stored.read_bytes() == PDF


def test_refused_upload_shows_error_next_to_the_field_and_saves_nothing(client, partner_a, report_a, settings):
    client.force_login(partner_a)
    response = client.post(
        reverse("partners:attachment_add", kwargs={"pk": report_a.pk}), {"file": upload("program.pdf", EXE)}
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))


def test_too_large_upload_says_so_in_the_users_language(client, partner_a, report_a, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    partner_a.preferred_language = "en"
    partner_a.save()
    client.force_login(partner_a)
    response = client.post(
        reverse("partners:attachment_add", kwargs={"pk": report_a.pk}),
        {"file": upload("besar.pdf", PDF)}, HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The file is too large" in response.content.decode()
    assert not Attachment.objects.exists()


def test_detail_page_offers_the_upload_form_only_while_editable(client, partner_a, report_a):
    client.force_login(partner_a)
    add_url = reverse("partners:attachment_add", kwargs={"pk": report_a.pk})
    assert add_url in client.get(report_a.get_absolute_url()).content.decode()
    services.report_submit(report=report_a, user=partner_a)
    assert add_url not in client.get(report_a.get_absolute_url()).content.decode()


def test_submitted_report_takes_no_new_attachment_nor_deletion(client, partner_a, report_a):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("a.pdf", PDF))
    services.report_submit(report=report_a, user=partner_a)
    client.force_login(partner_a)
    response = client.post(
        reverse("partners:attachment_add", kwargs={"pk": report_a.pk}), {"file": upload("b.pdf", PDF)}
    )
    assert response.status_code == 302
    assert response["Location"] == report_a.get_absolute_url()
    client.post(reverse("partners:attachment_delete", kwargs={"pk": attachment.pk}))
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["a.pdf"]


def test_service_refuses_attachment_on_accepted_report(partner_a, coordinator, report_a):
    services.report_submit(report=report_a, user=partner_a)
    services.report_accept(report=report_a, user=coordinator)
    with pytest.raises(services.TransitionError):
        services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("a.pdf", PDF))


def test_returned_report_takes_new_attachments(client, partner_a, coordinator, report_a):
    services.report_submit(report=report_a, user=partner_a)
    services.report_return(report=report_a, user=coordinator, reason="Lampirkan kuitansi.")
    client.force_login(partner_a)
    client.post(reverse("partners:attachment_add", kwargs={"pk": report_a.pk}), {"file": upload("k.pdf", PDF)})
    assert Attachment.objects.filter(report=report_a).count() == 1


def test_service_rechecks_content_even_without_the_form(partner_a, report_a):
    with pytest.raises(ValidationError):
        services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("x.pdf", EXE))
    assert not Attachment.objects.exists()


# --- download -----------------------------------------------------------------------------------


def test_download_is_an_attachment_with_the_clean_original_name_and_nosniff(client, partner_a, report_a):
    attachment = services.attachment_add(
        report=report_a, user=partner_a, uploaded_file=upload("../Kuitansi Maret.pdf", PDF)
    )
    client.force_login(partner_a)
    response = client.get(reverse("partners:attachment_download", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Kuitansi Maret.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_download_is_private_and_not_stored(client, partner_a, report_a):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("kuitansi.pdf", PDF))
    client.force_login(partner_a)
    response = client.get(reverse("partners:attachment_download", kwargs={"pk": attachment.pk}))
    assert {part.strip() for part in response["Cache-Control"].split(",")} == {"private", "no-store"}


def test_download_of_a_text_file_is_never_shown_inline(client, partner_a, report_a):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("hadir.csv", CSV))
    client.force_login(partner_a)
    response = client.get(reverse("partners:attachment_download", kwargs={"pk": attachment.pk}))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "text/csv"


def test_coordinator_downloads_only_once_the_report_is_submitted(client, partner_a, coordinator, report_a):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("a.pdf", PDF))
    url = reverse("partners:attachment_download", kwargs={"pk": attachment.pk})
    client.force_login(coordinator)
    assert client.get(url).status_code == 404
    services.report_submit(report=report_a, user=partner_a)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["partner_b", "partner_c", "other_coordinator", "outsider"])
def test_other_users_cannot_download(client, request, who, partner_a, report_a):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("a.pdf", PDF))
    services.report_submit(report=report_a, user=partner_a)
    client.force_login(request.getfixturevalue(who))
    url = reverse("partners:attachment_download", kwargs={"pk": attachment.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_anonymous_download_redirects_to_login(client, partner_a, report_a):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("a.pdf", PDF))
    response = client.get(reverse("partners:attachment_download", kwargs={"pk": attachment.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_missing_stored_file_answers_404_not_500(client, partner_a, report_a):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("a.pdf", PDF))
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(partner_a)
    assert client.get(reverse("partners:attachment_download", kwargs={"pk": attachment.pk})).status_code == 404


def test_files_are_stored_outside_the_static_files():
    from kemitraan.settings import base

    media = Path(base.MEDIA_ROOT).resolve()
    for static in [Path(base.STATIC_ROOT), *map(Path, base.STATICFILES_DIRS)]:
        assert not media.is_relative_to(static.resolve())
    assert not base.MEDIA_URL.startswith(base.STATIC_URL)


# --- delete -------------------------------------------------------------------------------------


def test_partner_removes_attachment_after_confirmation(client, partner_a, report_a, django_capture_on_commit_callbacks):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("a.pdf", PDF))
    storage, name = attachment.file.storage, attachment.file.name
    client.force_login(partner_a)
    url = reverse("partners:attachment_delete", kwargs={"pk": attachment.pk})
    page = client.get(url)
    assert page.status_code == 200 and "data-confirm" in page.content.decode()
    assert Attachment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == report_a.get_absolute_url() + "#attachments"
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


def test_partner_b_cannot_remove_partner_a_attachment(client, partner_a, partner_b, report_a):
    attachment = services.attachment_add(report=report_a, user=partner_a, uploaded_file=upload("a.pdf", PDF))
    client.force_login(partner_b)
    assert client.post(reverse("partners:attachment_delete", kwargs={"pk": attachment.pk})).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert ContributionReport.objects.filter(pk=report_a.pk).exists()
