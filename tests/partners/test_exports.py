"""Report exports: the same filtered rows as the list, only what the user may see, streamed."""
import csv
import datetime
import io
import sys
import unicodedata
from decimal import Decimal

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from partners.models import ContributionReport
from tests import factories as f

pytestmark = pytest.mark.django_db

S = ContributionReport.Status


@pytest.fixture
def reports(membership_a, membership_b, membership_c):
    """Reports of three organisations in every status."""
    made = {}
    for label, membership in (("a", membership_a), ("b", membership_b), ("c", membership_c)):
        for status in (S.DRAFT, S.SUBMITTED, S.ACCEPTED):
            made[(label, status)] = f.ContributionReportFactory(
                membership=membership, status=status, description=f"{label}-{status}",
                value=Decimal("1250000.50"),
                submitted_at=None if status == S.DRAFT else datetime.datetime(2026, 4, 2, 3, 0, tzinfo=datetime.UTC),
            )
    return made


def _csv(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def _xlsx(response):
    assert isinstance(response, FileResponse)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()], workbook.active


def _export(client, fmt, **params):
    return client.get(reverse("partners:report_export"), {"format": fmt, **params})


def _descriptions(rows):
    return sorted(row[-1] for row in rows[1:])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("partner_a", ["a-accepted", "a-draft", "a-submitted"]),
        ("partner_b", ["b-accepted", "b-draft", "b-submitted"]),
        ("partner_c", ["c-accepted", "c-draft", "c-submitted"]),
        ("coordinator", ["a-accepted", "a-submitted", "b-accepted", "b-submitted"]),
        ("other_coordinator", ["c-accepted", "c-submitted"]),
        ("outsider", []),
        ("admin", sorted(f"{o}-{s}" for o in "abc" for s in ("draft", "submitted", "accepted"))),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_contains_exactly_the_rows_the_user_may_see(client, request, reports, who, expected, fmt):
    client.force_login(request.getfixturevalue(who))
    response = _export(client, fmt)
    assert response.status_code == 200
    rows = _csv(response) if fmt == "csv" else _xlsx(response)[0]
    assert _descriptions(rows) == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_applies_the_list_filters(client, coordinator, reports, org_b, fmt):
    client.force_login(coordinator)
    response = _export(client, fmt, organisation=org_b.pk, status="accepted")
    rows = _csv(response) if fmt == "csv" else _xlsx(response)[0]
    assert _descriptions(rows) == ["b-accepted"]


def test_export_rows_match_the_list_rows(client, coordinator, reports, partnership):
    client.force_login(coordinator)
    params = {"partnership": partnership.pk, "q": "submitted", "sort": "-organisation"}
    listed = [r.description for r in client.get(reverse("partners:report_list"), params).context["reports"]]
    exported = [row[-1] for row in _csv(_export(client, "csv", **params))[1:]]
    assert exported == listed == ["b-submitted", "a-submitted"]


def test_filter_values_of_another_partnership_do_not_widen_the_export(client, partner_a, reports, other_partnership):
    client.force_login(partner_a)
    rows = _csv(_export(client, "csv", partnership=other_partnership.pk))
    assert all(row[-1].startswith("a-") for row in rows[1:])


def test_csv_has_translated_headers_labels_and_plain_numbers(client, partner_a, reports):
    client.force_login(partner_a)
    rows = _csv(_export(client, "csv", status="submitted", HTTP_ACCEPT_LANGUAGE="id"))
    header, row = rows
    assert header[0] == "ID laporan" or header[0] == "Report ID"
    client.get(reverse("workspace:home"))
    partner_a.preferred_language = "en"
    partner_a.save()
    client.force_login(partner_a)
    header, row = _csv(_export(client, "csv", status="submitted"))
    assert header[:3] == ["Report ID", "Partnership", "Organisation"]
    assert "Value (Rp)" in header
    assert row[header.index("Value (Rp)")] == "1250000.50"
    assert row[header.index("Status")] == "Submitted"
    assert row[header.index("Kind")] == "Funds (rupiah)"
    assert row[header.index("Period start")] == "2026-01-01"
    assert row[header.index("Submitted at")] == "2026-04-02 10:00"  # Asia/Jakarta


def test_xlsx_keeps_amounts_and_dates_as_numbers(client, partner_a, reports):
    partner_a.preferred_language = "en"
    partner_a.save()
    client.force_login(partner_a)
    response = _export(client, "xlsx", status="accepted")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows, _sheet = _xlsx(response)
    header, row = rows
    assert header[0] == "Report ID"
    value = row[header.index("Value (Rp)")]
    assert isinstance(value, (int, float)) and value == pytest.approx(1250000.5)
    assert row[header.index("Period start")] == datetime.datetime(2026, 1, 1)
    assert row[header.index("Status")] == "Accepted"


def test_cells_that_look_like_formulas_are_neutralised(client, partner_a, membership_a):
    for text in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"):
        f.ContributionReportFactory(membership=membership_a, description=text, unit="=cmd|' /C calc'!A0")
    client.force_login(partner_a)
    rows = _csv(_export(client, "csv"))
    assert sorted(row[-1] for row in rows[1:]) == ["'+1+1", "'-2+3", "'=HYPERLINK(\"http://x\")", "'@SUM(A1)"]
    assert {row[7] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}
    xrows, sheet = _xlsx(_export(client, "xlsx"))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            assert cell.data_type != "f"
    assert "=HYPERLINK(\"http://x\")" in [r[-1] for r in xrows]


def test_csv_is_streamed_with_a_constant_number_of_queries(client, partner_a, membership_a):
    def count(n):
        ContributionReport.objects.all().delete()
        for _ in range(n):
            f.ContributionReportFactory(membership=membership_a)
        with CaptureQueriesContext(connection) as ctx:
            response = _export(client, "csv")
            rows = _csv(response)
        assert len(rows) == n + 1
        return len(ctx.captured_queries)

    client.force_login(partner_a)
    assert count(3) == count(50)


def test_csv_reads_rows_with_an_iterator_not_model_instances(client, partner_a, membership_a, monkeypatch):
    from django.db.models.query import QuerySet

    calls = []
    original = QuerySet.iterator

    def spy(self, *args, **kwargs):
        calls.append((self._iterable_class.__name__, kwargs.get("chunk_size")))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    f.ContributionReportFactory(membership=membership_a)
    client.force_login(partner_a)
    _csv(_export(client, "csv"))
    assert calls == [("ValuesListIterable", 2000)]


def test_unknown_export_format_is_refused_without_error(client, partner_a, reports):
    client.force_login(partner_a)
    assert _export(client, "pdf").status_code == 400


def test_export_is_csv_by_default_and_named_for_download(client, partner_a, reports):
    client.force_login(partner_a)
    response = client.get(reverse("partners:report_export"))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="laporan-kontribusi-')


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_private_and_not_stored(client, partner_a, reports, fmt):
    client.force_login(partner_a)
    response = _export(client, fmt)
    assert {part.strip() for part in response["Cache-Control"].split(",")} == {"private", "no-store"}


# --- formulas after any split a spreadsheet may make (issue 19 F8) ------------------------------

SPREADSHEET_SEPARATORS = (";", ",", "\t", "|", "\n", "\r")

HOSTILE_CELLS = [
    "x;=3+3", "x,=3+3", "x, =3+3", "x;+1", "a|=1", "a\t=1", "x\n=1+1", "x\r\n@A1",
    "\uff1d1+1", "\uff0b1+1", "\uff0d1+1", "\uff20SUM(A1)", "x;\uff1d1", "\ufe661+1", "\u207c1",
    "\u200b=1+1", "\ufeff=1+1", "\u00a0=1+1", "\u2060+1", "\u200e-1", "\u3000=1", " =1", "x; \u200b=1",
    "\t=1", "\r=1", "\tx", '"=1+1"', 'x;"=1', "x;\"\u200b=1",
    '=HYPERLINK("http://x")', "@SUM(A1)",
]
BENIGN_CELLS = ["anak-anak sehat", "a; b, c", "e-mail: x@y.id", "1+1=2", "Rp 2.000.000; 3 hari"]


def _opens_formula(piece):
    """Whether a spreadsheet could read ``piece`` as a formula: spaces, invisible characters and
    quotes before the sign are dropped, full-width and small signs read as their ASCII twins;
    a leading tab or carriage return counts too."""
    for ch in piece:
        if ch in "\t\r":
            return True
        if ch == '"' or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs"):
            continue
        return unicodedata.normalize("NFKC", ch)[:1] in "=+-@"
    return False


def _pieces(text):
    """Every piece of ``text`` after one split on any separator a spreadsheet may use."""
    yield text
    for separator in SPREADSHEET_SEPARATORS:
        yield from text.split(separator)


def _raw_csv(response):
    return b"".join(response.streaming_content).decode("utf-8")


def test_no_piece_of_any_csv_cell_or_line_opens_a_formula_after_any_split(client, partner_a, membership_a):
    for text in HOSTILE_CELLS:
        f.ContributionReportFactory(membership=membership_a, description=text, unit=text)
    client.force_login(partner_a)
    response = _export(client, "csv")
    raw = _raw_csv(response)
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"), newline="")))
    cells = [row[-1] for row in rows[1:]] + [row[7] for row in rows[1:]]
    assert len(cells) == 2 * len(HOSTILE_CELLS)
    for cell in cells:
        for piece in _pieces(cell):
            assert not _opens_formula(piece), (cell, piece)
    # A spreadsheet that splits the raw file, quotes and all, on another separator.
    for piece in _pieces(raw):
        assert not _opens_formula(piece), piece
    # Nothing else changed: only apostrophes were added.
    assert sorted(cell.replace("'", "") for cell in cells) == sorted(2 * HOSTILE_CELLS)


def test_csv_leaves_text_without_a_formula_as_it_is(client, partner_a, membership_a):
    for text in BENIGN_CELLS:
        f.ContributionReportFactory(membership=membership_a, description=text)
    client.force_login(partner_a)
    rows = _csv(_export(client, "csv"))
    assert sorted(row[-1] for row in rows[1:]) == sorted(BENIGN_CELLS)


def test_csv_quotes_every_text_cell_and_leaves_numbers_bare(client, partner_a, membership_a):
    report = f.ContributionReportFactory(membership=membership_a, description="Bantuan", value=Decimal("1250000.50"),
                                         quantity=Decimal("3"))
    client.force_login(partner_a)
    header, line = _raw_csv(_export(client, "csv")).lstrip("\ufeff").splitlines()
    assert header.startswith('"')
    assert line.startswith(f'{report.pk},"')
    assert ',1250000.50,' in line and '"Bantuan"' in line
    row = next(csv.reader([line], quoting=csv.QUOTE_NONNUMERIC))
    assert row[0] == report.pk and row[8] == 1250000.5


def test_xlsx_writes_every_text_as_a_string_cell(client, partner_a, membership_a):
    for text in [*HOSTILE_CELLS, "#N/A", "#DIV/0!"]:
        f.ContributionReportFactory(membership=membership_a, description=text)
    client.force_login(partner_a)
    rows, sheet = _xlsx(_export(client, "xlsx"))
    # (XML reads a carriage return back as a line feed.)
    expected = [text.replace("\r\n", "\n").replace("\r", "\n") for text in [*HOSTILE_CELLS, "#N/A", "#DIV/0!"]]
    assert sorted(row[-1] for row in rows[1:]) == sorted(expected)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=14, max_col=14):
        assert cell.data_type == "s", cell.value


def test_xlsx_export_of_text_with_control_characters_does_not_fail(client, partner_a, membership_a):
    f.ContributionReportFactory(membership=membership_a, description="baris\x0bbaru\x01")
    client.force_login(partner_a)
    response = _export(client, "xlsx")
    assert response.status_code == 200
    rows, _sheet = _xlsx(response)
    assert rows[1][-1] == "barisbaru"


def test_formula_signs_include_every_character_that_normalises_to_one():
    from partners.exports import FORMULA_STARTS

    twins = {chr(code) for code in range(sys.maxunicode + 1)
             if unicodedata.normalize("NFKC", chr(code))[:1] in ("=", "+", "-", "@")}
    assert twins | {"\t", "\r"} == set(FORMULA_STARTS)
