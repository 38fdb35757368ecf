"""A measure's data from an Excel workbook (.xlsx): one sheet read into the cells the CSV
reader checks (`core.csvdata.parse_cells`), so a workbook gets the CSV import's preview,
checks and all-or-nothing rule, and every column the CSV import knows.

Cells become the text a CSV export of the sheet would hold, without its losses: a date
cell is its ISO date (a date-and-time cell its date), a number its exact value (never the
rounded display), text stays as typed and is parsed like a CSV file's (so "Sep 2025" and
"31.01.2026" work as there).  A formula gives its saved result (openpyxl's `data_only`);
a formula saved without a result — a file written by a program that does not calculate —
and a cell showing a spreadsheet error (#DIV/0!) are named on the rows they spoil.
Row numbers are the sheet's, so "row 7" is the row a person sees in Excel.

Nothing here touches the database; `csv_import.preview_csv` decides what the rows mean.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...core.csvdata import MAX_ROWS, ParsedCsv, parse_cells

#: the first bytes of an OLE compound file: an encrypted (password) workbook, or .xls
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
#: a workbook's parts unpacked: far above any measure's data, far below a zip bomb
MAX_UNPACKED = 64 * 1024 * 1024
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_AGAIN = ("Open it in Excel or LibreOffice Calc and save it again as .xlsx (or save the "
          "sheet as CSV), then import it again.")


def is_workbook(name: str, data: bytes) -> bool:
    """Is this file a workbook by its name or its first bytes (a zip package, or an OLE
    file as Excel's password-protected and old .xls files are)?  A workbook renamed .csv
    is still read as a workbook."""
    return (name.lower().endswith((*WORKBOOK_SUFFIXES, ".xls"))
            or data.startswith((_ZIP, _OLE)))


@dataclass
class SheetCells:
    """One sheet as cells of text, and what the import should say about it."""

    sheets: tuple[str, ...] = ()  # the workbook's worksheets, in order
    sheet: str | None = None  # the one read
    lines: list[tuple[int, list[str]]] = field(default_factory=list)  # (row, cells)
    problem: str = ""  # the sheet cannot be used at all
    #: row -> what is wrong in its cells (a formula with no result, an error value)
    cell_notes: dict[int, list[str]] = field(default_factory=dict)
    uncached: list[str] = field(default_factory=list)  # formula cells without a result


def read_sheet(data: bytes, name: str, sheet: str | None = None) -> SheetCells:
    """The cells of `sheet` (default: the first worksheet holding anything, visible ones
    first); a file that is no readable workbook, or a sheet it lacks or that is empty, is
    a `problem` in words, never an exception."""
    problem = _container_problem(data, name)
    if problem:
        return SheetCells(problem=problem)
    book = _load(data, name, data_only=True)
    if isinstance(book, str):
        return SheetCells(problem=book)
    sheets = {ws.title: ws for ws in book.worksheets}
    out = SheetCells(sheets=tuple(sheets))
    if not sheets:
        out.problem = f"{name} has no worksheets (only charts). {_AGAIN}"
        return out
    filled = [title for title, ws in sheets.items() if _has_cells(ws)]
    if sheet is None:
        visible = [t for t in filled if sheets[t].sheet_state == "visible"]
        if not filled:
            out.problem = (f"Every sheet of {name} is empty ({_names(sheets)}). Is this the "
                           "right file?")
            return out
        sheet = (visible or filled)[0]
    if sheet not in sheets:
        out.problem = (f"{name} has no sheet called “{sheet}”; its sheets are "
                       f"{_names(sheets)}. Choose one of those.")
        return out
    out.sheet = sheet
    if sheet not in filled:
        others = [t for t in filled if t != sheet]
        out.problem = f"The sheet “{sheet}” of {name} is empty." + (
            f" Sheets with data: {_names(others)}." if others else "")
        return out
    formulas = _formula_cells(data, name, sheet) if _has_formulas(data) else {}
    for cells in sheets[sheet].iter_rows():
        texts: list[str] = []
        row = cells[0].row if cells else 0
        for cell in cells:
            value = cell.value
            coordinate = cell.coordinate
            if value is None and coordinate in formulas:
                out.uncached.append(coordinate)
                out.cell_notes.setdefault(row, []).append(
                    f"cell {coordinate} is a formula ({formulas[coordinate][:40]}) with no "
                    "saved result")
            elif cell.data_type == "e":
                out.cell_notes.setdefault(row, []).append(
                    f"cell {coordinate} shows the spreadsheet error {value}")
            texts.append(cell_text(value))
        while texts and not texts[-1].strip():  # as wide as its own cells, like a CSV line
            texts.pop()
        if texts:
            out.lines.append((row, texts))
            if len(out.lines) > MAX_ROWS:
                out.problem = (f"The sheet “{sheet}” has more than {MAX_ROWS:,} rows; a "
                               "measure's data has one row per week or month. Is this the "
                               "right sheet?")
                return out
    _drop_empty_leading_columns(out.lines)
    return out


def parse_workbook(data: bytes, name: str, sheet: str | None, *, proportion: bool,
                   today: dt.date) -> tuple[ParsedCsv, SheetCells]:
    """A sheet checked as a CSV file is (`parse_cells`), with the cells that spoil a row
    named on it and a note on formulas saved without their results."""
    cells = read_sheet(data, name, sheet)
    if cells.problem:
        return ParsedCsv(file_problems=[cells.problem]), cells
    parsed = parse_cells(cells.lines, proportion=proportion, today=today)
    for row in parsed.bad:
        row.problems[:0] = cells.cell_notes.get(row.line, [])
    if cells.uncached:
        shown = ", ".join(cells.uncached[:5]) + (" …" if len(cells.uncached) > 5 else "")
        parsed.notes.append(
            f"{len(cells.uncached)} formula cell{'s' * (len(cells.uncached) != 1)} ({shown}) "
            "had no saved result and were read as empty: the workbook was last saved by a "
            f"program that does not calculate formulas. {_AGAIN}")
    parsed.notes.insert(0, f"Read the sheet “{cells.sheet}”" + (
        f" (the workbook has {len(cells.sheets)} sheets: {_names(cells.sheets)})."
        if len(cells.sheets) > 1 else "."))
    return parsed, cells


def cell_text(value: Any) -> str:
    """A cell's value as the CSV reader reads it: dates ISO, numbers exact."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


# ----------------------------------------------------------------------------- helpers
def _container_problem(data: bytes, name: str) -> str:
    """What keeps the file from being opened as a workbook at all, in words."""
    if data.startswith(_OLE):
        if "EncryptionInfo".encode("utf-16-le") in data:
            return (f"{name} is protected with a password, so NICdesk cannot read it. Open "
                    "it in Excel, save a copy without the password (File → Info → Protect "
                    "Workbook → Encrypt with Password, cleared), and import the copy.")
        return (f"{name} is in the old Excel 97–2003 format (.xls). Open it in Excel or "
                "LibreOffice Calc, save it as .xlsx (Excel Workbook) or CSV, and import that.")
    if not data.startswith(_ZIP):
        return (f"{name} is not an Excel workbook: an .xlsx file is a zip package and this "
                "is not one. If it is a CSV file, give it the ending .csv; if it came from a "
                f"spreadsheet, it may be damaged. {_AGAIN}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return f"{name} is damaged: its zip package cannot be read. {_AGAIN}"
    if unpacked > MAX_UNPACKED:
        return (f"{name} unpacks to {unpacked / 1e6:.0f} MB, far more than a measure's data; "
                "is this the right file?")
    if "xl/workbook.xml" not in names:
        return (f"{name} is a zip package but not an Excel workbook (it has no workbook "
                f"part; a Word or .xlsb file, perhaps). {_AGAIN}")
    return ""


def _load(data: bytes, name: str, *, data_only: bool) -> Any:
    """The workbook (openpyxl), or a sentence saying why it cannot be read."""
    from openpyxl import load_workbook  # only when a workbook is imported

    try:
        with warnings.catch_warnings():  # "no default style", unsupported extensions …
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=data_only)
    except Exception as exc:  # noqa: BLE001 — a damaged package fails in many ways
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        return (f"{name} is damaged and cannot be read as an Excel workbook"
                + (f" ({detail})" if detail else "") + f". {_AGAIN}")


def _has_formulas(data: bytes) -> bool:
    """Does any worksheet part hold a formula?  Saves a second read of most files."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return any(b"<f" in package.read(n) for n in package.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def _formula_cells(data: bytes, name: str, sheet: str) -> dict[str, str]:
    """coordinate -> formula text of the sheet's formula cells."""
    book = _load(data, name, data_only=False)
    if isinstance(book, str) or sheet not in book.sheetnames:
        return {}
    out: dict[str, str] = {}
    for cells in book[sheet].iter_rows():
        for cell in cells:
            if cell.data_type == "f":
                value = cell.value
                out[cell.coordinate] = value if isinstance(value, str) else str(
                    getattr(value, "text", "") or "array formula")
    return out


def _has_cells(ws: Any) -> bool:
    return any(cell_text(v).strip() for row in ws.iter_rows(values_only=True) for v in row)


def _drop_empty_leading_columns(lines: list[tuple[int, list[str]]]) -> None:
    """A table that starts in column B reads as one that starts in column A."""
    while lines and all(cells and not cells[0].strip() for _row, cells in lines):
        for _row, cells in lines:
            del cells[0]


def _names(titles: Iterable[str]) -> str:
    return ", ".join(f"“{t}”" for t in titles)
