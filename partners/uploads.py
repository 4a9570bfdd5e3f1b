"""Checks on an uploaded attachment before it is stored.

A file is accepted only when its CONTENT is one of the allowed types and its name's
extension matches what the content is: a renamed program called ``x.pdf`` is refused,
and so is a real PDF called ``x.png``. The content type stored (and later sent back on
download) is the one detected here, never the one the browser claimed.
"""
import codecs
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The detected kind -> (extensions a file of that kind may carry, content type to store).
KINDS = {
    "pdf": ({"pdf"}, "application/pdf"),
    "png": ({"png"}, "image/png"),
    "jpeg": ({"jpg", "jpeg"}, "image/jpeg"),
    "gif": ({"gif"}, "image/gif"),
    "webp": ({"webp"}, "image/webp"),
    "docx": ({"docx"}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ({"xlsx"}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ({"pptx"}, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "odt": ({"odt"}, "application/vnd.oasis.opendocument.text"),
    "ods": ({"ods"}, "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ({"odp"}, "application/vnd.oasis.opendocument.presentation"),
    "ole": ({"doc", "xls", "ppt"}, "application/octet-stream"),
    "text": ({"csv", "txt"}, "text/plain"),
}
OLE_CONTENT_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}
TEXT_CONTENT_TYPES = {"csv": "text/csv", "txt": "text/plain"}
ALLOWED_EXTENSIONS = sorted(ext for exts, _type in KINDS.values() for ext in exts)

FILETYPE_KINDS = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "gif": "gif", "webp": "webp"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_FOLDERS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
HEADER_BYTES = 8192
MAX_NAME_LENGTH = 200
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def clean_filename(name: str) -> str:
    """Return a safe base name: no folders, no control characters, no leading dots."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name or "lampiran"


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def _read_header(uploaded) -> bytes:
    uploaded.seek(0)
    header = uploaded.read(HEADER_BYTES)
    uploaded.seek(0)
    return header


def _zip_kind(uploaded) -> str | None:
    """Tell which office format a zip holds, from its entries, or None if it is no office file."""
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names:
                for folder, kind in OOXML_FOLDERS.items():
                    if any(n.startswith(folder) for n in names):
                        return kind
                return None
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    return None
                return ODF_MIMETYPES.get(archive.read("mimetype").strip())
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError):
        return None
    finally:
        uploaded.seek(0)
    return None


def _is_utf8_text(uploaded) -> bool:
    """Return True when the whole file decodes as UTF-8 and has no NUL byte (read in chunks)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    uploaded.seek(0)
    try:
        for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else iter(lambda: uploaded.read(65536), b""):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        uploaded.seek(0)
    return True


def detect_kind(uploaded, extension: str) -> str | None:
    """Return the allowed kind the file's content is, or None when it is none of them."""
    header = _read_header(uploaded)
    if header.startswith(b"PK\x03\x04"):
        return _zip_kind(uploaded)
    if header.startswith(OLE_SIGNATURE):
        return "ole"
    guessed = filetype.guess(header)
    if guessed is not None:
        return FILETYPE_KINDS.get(guessed.extension)
    if extension in KINDS["text"][0] and _is_utf8_text(uploaded):
        return "text"
    return None


def check_attachment(uploaded) -> CheckedFile:
    """Validate an uploaded file and return its cleaned name, detected content type and size.

    Raise ``ValidationError`` with a message the person can act on.
    """
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s). The largest file allowed is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    raw_name = str(uploaded.name or "")
    if re.search(r"[/\\]", raw_name) or raw_name.startswith(".") or ".." in raw_name:
        raise ValidationError(
            _("The file name must not contain folders, \"..\" or a leading dot. Rename the file and try again."),
            code="path_like_name",
        )
    name = clean_filename(raw_name)
    extension = extension_of(name)
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("This type of file is not accepted. Allowed: %(allowed)s.") % {"allowed": allowed},
            code="extension",
        )
    kind = detect_kind(uploaded, extension)
    if kind is None:
        raise ValidationError(
            _("The content of this file is not one of the accepted types (%(allowed)s).") % {"allowed": allowed},
            code="content",
        )
    extensions, content_type = KINDS[kind]
    if extension not in extensions:
        raise ValidationError(
            _("The file name ends in .%(extension)s but the content is a %(kind)s file. Rename it or choose another file.")
            % {"extension": extension, "kind": min(extensions).upper()},
            code="mismatch",
        )
    if kind == "ole":
        content_type = OLE_CONTENT_TYPES[extension]
    elif kind == "text":
        content_type = TEXT_CONTENT_TYPES[extension]
    return CheckedFile(name=name, content_type=content_type, size=size)
