"""XLSX import: a workbook's sheet goes through the CSV import's preview, checks and
all-or-nothing rule; date cells are dates, numbers numbers, formulas their saved results;
every bad workbook is refused in words and leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from nicdesk.core.csvdata import parse_csv
from nicdesk.store.ops.csv_import import CsvImportError, import_csv, preview_csv
from nicdesk.store.ops.workbook import cell_text, parse_workbook, read_sheet
from nicdesk.store.schema import Observation

from .test_csv_import import snapshot  # the CSV tests' own

TODAY = dt.date(2026, 6, 30)




def book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with these sheets (name -> rows of cell values), saved at `path`."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def with_cached_result(path: Path, cell: str, value: str) -> Path:
    """Give a formula cell the result Excel would have saved with it (openpyxl writes
    formulas without results, as any program that does not calculate does)."""
    data = io.BytesIO(path.read_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?'.encode(),
                                 rb"\1<v>" + value.encode() + b"</v>", content)
            dst.writestr(item, content)
    path.write_bytes(out.getvalue())
    return path


def test_good_workbook_dates_numbers_and_notes(setup, tmp_path: Path) -> None:
    ws, site, prop, _ = setup
    path = book(tmp_path / "ontrack.xlsx", {"On track": [
        ["Month", "Numerator", "Denominator", "Note"],
        [dt.datetime(2025, 9, 15, 0, 0), 200, 300, "start of year"],  # a date-time cell
        [dt.date(2025, 10, 1), 210, 300.0, None],
        ["Nov 2025", 220, 300],  # a date typed as text, parsed as a CSV's is
    ]})
    preview = preview_csv(ws, prop, site, path, today=TODAY)
    assert preview.parsed.ok, preview.report()
    assert (preview.sheets, preview.sheet) == (("On track",), "On track")
    assert [r.line for r in preview.rows] == [2, 3, 4]  # the sheet's own row numbers
    result = import_csv(ws, prop, site, path, today=TODAY)
    assert (result.added, result.replaced) == (3, 0)
    with ws.read() as s:
        rows = list(s.scalars(select(Observation).order_by(Observation.period)))
    assert [(r.period, r.numerator, r.denominator) for r in rows] == [
        (dt.date(2025, 9, 1), 200, 300), (dt.date(2025, 10, 1), 210, 300),
        (dt.date(2025, 11, 1), 220, 300)]
    assert rows[0].note == "start of year" and rows[1].note == ""
    ws.ops.undo()  # one import, one undo step
    assert all(r[6] for r in snapshot(ws))


def test_percent_cells_no_header_and_a_table_starting_in_column_b(setup, tmp_path) -> None:
    ws, site, prop, _ = setup
    path = book(tmp_path / "plain.xlsx", {"Data": [
        [None, dt.date(2025, 9, 1), 0.42],
        [None, dt.date(2025, 10, 1), 0.5],
    ]})
    preview = preview_csv(ws, prop, site, path, today=TODAY)
    assert preview.parsed.ok, preview.report()
    assert any("No header row" in n for n in preview.parsed.notes)
    assert [r.value for r in preview.rows] == [0.42, 0.5]


def test_first_sheet_with_data_is_the_default_and_sheet_picks_another(setup, tmp_path) -> None:
    ws, site, _prop, count = setup
    path = book(tmp_path / "two.xlsx", {
        "Cover": [],
        "Eastside": [["date", "value"], [dt.date(2025, 1, 6), 9]],
        "Lincoln": [["date", "value"], [dt.date(2025, 1, 6), 3], [dt.date(2025, 1, 13), 4]],
    })
    preview = preview_csv(ws, count, site, path, today=TODAY)
    assert preview.sheet == "Eastside" and preview.sheets == ("Cover", "Eastside", "Lincoln")
    assert any("3 sheets" in n for n in preview.parsed.notes)
    result = import_csv(ws, count, site, path, sheet="Lincoln", today=TODAY)
    assert result.added == 2
    with ws.read() as s:
        assert sorted(o.value for o in s.scalars(select(Observation))) == [3, 4]


def test_formula_results_are_read_and_missing_ones_named(setup, tmp_path: Path) -> None:
    ws, site, _prop, count = setup
    path = book(tmp_path / "formulas.xlsx", {"Weekly": [
        ["date", "value"],
        [dt.date(2025, 1, 6), "=2+3"],
        [dt.date(2025, 1, 13), "=B2*2"],
    ]})
    preview = preview_csv(ws, count, site, path, today=TODAY)
    assert [r.line for r in preview.parsed.bad] == [2, 3]
    assert "cell B2 is a formula (=2+3) with no saved result" in preview.report()
    assert any("2 formula cells (B2, B3) had no saved result" in n
               for n in preview.parsed.notes)
    before = snapshot(ws)
    with pytest.raises(CsvImportError, match="row 3: cell B3 is a formula"):
        import_csv(ws, count, site, path, today=TODAY)
    assert snapshot(ws) == before
    with_cached_result(path, "B2", "5")
    with_cached_result(path, "B3", "10")
    assert [r.value for r in preview_csv(ws, count, site, path, today=TODAY).rows] == [5, 10]


def _encrypted_like(path: Path) -> Path:
    """The start of what Excel writes for a password-protected workbook: an OLE compound
    file whose directory names the EncryptionInfo stream."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    path.write_bytes(header + "EncryptionInfo".encode("utf-16-le") + bytes(1024))
    return path


def _damaged(path: Path) -> Path:
    good = book(path, {"Data": [["date", "value"], [dt.date(2025, 1, 6), 1]]})
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _not_a_workbook(path: Path) -> Path:
    path.write_text("date,value\n2025-01-06,3\n")  # a CSV file called .xlsx
    return path


def _zip_without_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return path


def _broken_workbook_part(path: Path) -> Path:
    good = book(tmp := path.with_suffix(".ok.xlsx"), {"Data": [["date", "value"]]})
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            dst.writestr(item, b"<workbook" if item.filename == "xl/workbook.xml" else content)
    tmp.unlink()
    return path


def _empty(path: Path) -> Path:
    return book(path, {"Sheet1": [], "Sheet2": []})


def _junk_cells(path: Path) -> Path:
    return book(path, {"Data": [["date", "value"], [dt.date(2025, 1, 6), "#DIV/0!"],
                                [dt.time(8, 30), 4], [True, 5]]})


BAD_BOOKS = {
    "password": (_encrypted_like, "protected with a password"),
    "old_xls": (lambda p: (p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(2048)), p)[1],
                "old Excel 97–2003 format"),
    "damaged": (_damaged, "damaged"),
    "not_a_zip": (_not_a_workbook, "is not an Excel workbook"),
    "zip_not_workbook": (_zip_without_workbook, "not an Excel workbook (it has no workbook"),
    "broken_part": (_broken_workbook_part, "cannot be read as an Excel workbook"),
    "empty": (_empty, "Every sheet of empty.xlsx is empty"),
    "junk_cells": (_junk_cells, "cell B2 shows the spreadsheet error #DIV/0!"),
}


@pytest.mark.parametrize("name", sorted(BAD_BOOKS))
def test_bad_workbooks_change_nothing(setup, tmp_path: Path, name: str) -> None:
    ws, site, _prop, count = setup
    import_csv(ws, count, site, book(tmp_path / "seed.xlsx", {"S": [
        ["date", "value"], [dt.date(2024, 12, 2), 5]]}), today=TODAY)
    before = snapshot(ws)
    make, phrase = BAD_BOOKS[name]
    path = make(tmp_path / f"{name if name != 'empty' else 'empty'}.xlsx")
    with pytest.raises(CsvImportError) as err:
        import_csv(ws, count, site, path, today=TODAY)
    assert phrase in err.value.message
    assert "nothing was changed" in err.value.message.lower()
    assert snapshot(ws) == before


def test_junk_cells_are_named_by_row(setup, tmp_path: Path) -> None:
    ws, site, _prop, count = setup
    preview = preview_csv(ws, count, site, _junk_cells(tmp_path / "junk.xlsx"), today=TODAY)
    report = preview.report()
    assert "row 2: cell B2 shows the spreadsheet error #DIV/0!" in report
    assert "row 3: “08:30:00” is not a date" in report
    assert "row 4: “TRUE” is not a date" in report


def test_unknown_and_empty_sheet_names(setup, tmp_path: Path) -> None:
    ws, site, _prop, count = setup
    path = book(tmp_path / "named.xlsx", {"Data": [["date", "value"],
                                                   [dt.date(2025, 1, 6), 1]], "Blank": []})
    before = snapshot(ws)
    with pytest.raises(CsvImportError, match="has no sheet called “Lincoln”; its sheets are "
                                             "“Data”, “Blank”"):
        import_csv(ws, count, site, path, sheet="Lincoln", today=TODAY)
    with pytest.raises(CsvImportError, match="The sheet “Blank” of named.xlsx is empty. "
                                             "Sheets with data: “Data”"):
        import_csv(ws, count, site, path, sheet="Blank", today=TODAY)
    assert snapshot(ws) == before


def test_cli_import_csv_reads_a_workbook_sheet(setup, tmp_path: Path, capsys) -> None:
    from nicdesk.cli.parser import main

    ws, site, prop, _ = setup
    target = ws.target
    ws.close()
    path = book(tmp_path / "cli.xlsx", {"Notes": [["see the next sheet"]], "Data": [
        ["date", "value"], [dt.date(2025, 9, 1), 0.4], [dt.date(2025, 10, 1), 0.45]]})
    args = ["import-csv", str(target), str(path), "--measure", "On track", "--site", "Lincoln"]
    assert main([*args, "--sheet", "Data", "--dry-run"]) == 0
    assert "cli.xlsx (sheet Data): 2 rows, 2 good" in capsys.readouterr().out
    assert main([*args, "--sheet", "Nope"]) == 2
    assert "no sheet called “Nope”" in capsys.readouterr().err
    assert main([*args, "--sheet", "Data"]) == 0
    assert "Imported 2 new values" in capsys.readouterr().out


# ------------------------------------------------------------------ the reader alone
_cells = st.one_of(
    st.none(), st.booleans(), st.integers(-10**9, 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(_cells, max_size=5), max_size=8))
def test_any_sheet_reads_as_the_csv_of_its_cells(tmp_path_factory, rows) -> None:
    """Whatever the cells, the sheet is checked exactly as the CSV file of the same cells
    would be (never an exception); numbers keep every digit."""
    import csv

    path = tmp_path_factory.mktemp("x") / "any.xlsx"
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append([c if not isinstance(c, str) or not c.startswith("=") else "x" + c
                          for c in row])
    wb.save(path)
    parsed, cells = parse_workbook(path.read_bytes(), "any.xlsx", None, proportion=False,
                                   today=TODAY)
    if cells.problem:
        assert "empty" in cells.problem
        return
    text = io.StringIO()
    writer = csv.writer(text)
    width = {n: len(c) for n, c in cells.lines}
    for n in range(1, max(width) + 1):
        writer.writerow([*(dict(cells.lines).get(n, []))])
    expected = parse_csv(text.getvalue(), proportion=False, today=TODAY, delimiter=",")
    assert [(r.line, r.period, r.value, r.problems) for r in parsed.rows] == [
        (r.line, r.period, r.value, r.problems) for r in expected.rows]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_cells_keep_every_digit(value: float) -> None:
    assert float(cell_text(value)) == value


def test_read_sheet_reports_a_zip_bomb_without_unpacking(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (80 * 1024 * 1024))
    cells = read_sheet(out.getvalue(), "bomb.xlsx")
    assert "unpacks to 84 MB" in cells.problem
