"""CSV and XLSX exports of contribution reports, streamed so memory stays flat however many rows.

Both formats read the rows with ``values_list(...).iterator(chunk_size=...)``: no model
instances, no full result set in memory. CSV is produced row by row into a
``StreamingHttpResponse``; XLSX goes through openpyxl's write-only workbook into a
temporary file that is then streamed with ``FileResponse`` (deleted once sent).

Text cells that a spreadsheet could take for a formula are neutralised: in CSV they
are prefixed with an apostrophe, in XLSX they are written as plain strings.
"""
import csv
import datetime
import tempfile
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import ContributionKind, ContributionReport

CHUNK_SIZE = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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


def neutralise(value):
    """Prefix text a spreadsheet would run as a formula with an apostrophe (CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
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
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff" + writer.writerow(headers)
        for row in rows:
            yield writer.writerow([_csv_value(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would otherwise store it as a formula
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
