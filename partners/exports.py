"""CSV and XLSX exports of contribution reports, streamed so memory stays flat however many rows.

Both formats read the rows with ``values_list(...).iterator(chunk_size=...)``: no model
instances, no full result set in memory. CSV is produced row by row into a
``StreamingHttpResponse``; XLSX goes through openpyxl's write-only workbook into a
temporary file that is then streamed with ``FileResponse`` (deleted once sent).

Text that a spreadsheet could take for a formula is neutralised. In XLSX every text is a
string cell, never a formula. In CSV every text cell is quoted and numbers are left bare; and
since a spreadsheet may split a cell again (Excel in a locale whose list separator is ``;``
opening a comma-separated file, a "text to columns", a naive import), an apostrophe goes before
every place where a new cell or row could start with a formula (:func:`neutralise`).
"""
import csv
import datetime
import re
import tempfile
import unicodedata
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .models import ContributionKind, ContributionReport

CHUNK_SIZE = 2000
# Characters that start a formula: = + - @, tab and carriage return (OWASP's list), and the
# full-width, small, superscript and subscript signs that NFKC turns into = + - @ (a spreadsheet
# may read them as their ASCII twins; tests/partners/test_exports.py checks the list against Unicode).
FORMULA_STARTS = frozenset(
    "=+-@\t\r"
    "\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20"
)
# Where a spreadsheet may start a new cell or row: the list separators of every locale, tab,
# the pipe, line breaks.
SEPARATORS = ",;\t|\r\n"
_FORMULA_START = re.compile("[" + re.escape("".join(sorted(FORMULA_STARTS))) + "]")
_SEPARATOR = re.compile("[" + re.escape(SEPARATORS) + "]")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns():
    """Return (translated header, values_list path) for every exported column, in order."""
    return [
        (_("Report ID"), "pk"),
        (_("Partnership"), "membership__partnership__title"),
        (_("Organisation"), "membership__organisation__name"),
        (_("Period start"), "period_start"),
        (_("Period end"), "period_end"),
        (_("Kind"), "kind"),
        (_("Quantity"), "quantity"),
        (_("Unit"), "unit"),
        (_("Value (Rp)"), "value"),
        (_("Status"), "status"),
        (_("Submitted at"), "submitted_at"),
        (_("Reviewed at"), "reviewed_at"),
        (_("Reason for return"), "return_reason"),
        (_("Description"), "description"),
    ]


def _labels():
    # Resolved now, in the request's language: the rows are written after the view returned.
    return {
        "kind": {value: str(label) for value, label in ContributionKind.choices},
        "status": {value: str(label) for value, label in ContributionReport.Status.choices},
    }


def export_rows(queryset):
    """Return an iterator of one list per report, choices translated and datetimes in local time.

    Labels and time zone are fixed here, before iterating, because a streamed response is
    consumed after the view has returned.
    """
    paths = [path for _header, path in columns()]
    labels = _labels()
    kind_i, status_i = paths.index("kind"), paths.index("status")
    tz = timezone.get_current_timezone()

    def rows():
        for row in queryset.values_list(*paths).iterator(chunk_size=CHUNK_SIZE):
            row = list(row)
            row[kind_i] = labels["kind"].get(row[kind_i], row[kind_i])
            row[status_i] = labels["status"].get(row[status_i], row[status_i])
            for i, value in enumerate(row):
                if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                    row[i] = timezone.localtime(value, tz).replace(tzinfo=None)
            yield row

    return rows()


def _skipped(char: str) -> bool:
    """Whether a spreadsheet may drop ``char`` before a formula: a space, an invisible character
    (zero-width space, byte order mark, direction marks, ...) or a CSV quote."""
    return char == '"' or char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def _opens_formula(text: str, start: int) -> bool:
    """Whether a cell that begins at ``text[start]`` would begin with a formula."""
    for index in range(start, len(text)):
        char = text[index]
        if char in FORMULA_STARTS:
            return True
        if not _skipped(char):
            return False
    return False


def neutralise(value):
    """Put an apostrophe wherever a cell cut from ``value`` at any separator would open a formula (CSV).

    The apostrophe goes at the start of the piece, before any spaces or invisible characters,
    so ``x;=3+3`` becomes ``x;'=3+3`` and ``\u200b=1`` becomes ``'\u200b=1``; a spreadsheet shows
    such a piece as text. Text without a formula sign is returned unchanged.
    """
    if not isinstance(value, str) or not _FORMULA_START.search(value):
        return value
    starts = [0, *(match.end() for match in _SEPARATOR.finditer(value))]
    pieces, done = [], 0
    for start in starts:
        if _opens_formula(value, start):
            pieces += [value[done:start], "'"]
            done = start
    pieces.append(value[done:])
    return "".join(pieces)


def _csv_value(value):
    """Numbers as they are (written bare), everything else as neutralised text (quoted)."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return Decimal(format(value, "f"))  # fixed-point, never 1E+6
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


class _Echo:
    """A file-like object whose write() hands back what it was given, for csv.writer."""

    def write(self, value):
        return value


def csv_response(queryset, filename: str) -> StreamingHttpResponse:
    """Stream the reports as UTF-8 CSV (with a BOM so spreadsheet programs read the accents)."""
    headers = [str(header) for header, _path in columns()]
    rows = export_rows(queryset)
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC)

    def stream():
        yield "\ufeff" + writer.writerow(headers)
        for row in rows:
            yield writer.writerow([_csv_value(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        # Control characters cannot be stored in the XML of a sheet (openpyxl refuses them).
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula and "#N/A" as an error
    elif isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        cell.number_format = "#,##0.00"
    return cell


def xlsx_response(queryset, filename: str) -> FileResponse:
    """Write the reports to a write-only XLSX workbook in a temporary file and stream that file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Reports")[:31])
    header_font = Font(bold=True)
    header_cells = []
    for header, _path in columns():
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = header_font
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in export_rows(queryset):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes (and so deletes) it
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response
