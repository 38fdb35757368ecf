"""Parsing a measure's CSV data (pure: text in, rows with problems out).

Columns: ``date,value`` or ``date,numerator,denominator``, optionally ``,note``; a header
row is recognised by its names (synonyms such as period/month, count/n accepted), and a
file without one is read by position.  Dates may be ISO (2025-01-31), 2025/01/31, 31.01.2025,
slashed (day/month or month/day: decided for the whole file from values above 12; US order
when nothing decides it, and the preview says so), month names (Jan 2025, January 2025) or
year-month (2025-01).  Numbers may use a decimal comma, thousands separators or a % sign.
Nothing here touches a file or a database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

EARLIEST = dt.date(1990, 1, 1)
MAX_ROWS = 100_000

_SYNONYMS = {
    "date": ("date", "period", "week", "month", "day", "week of", "month of", "date of"),
    "value": ("value", "values", "result", "measure", "rate", "percent", "%", "score"),
    "numerator": ("numerator", "num", "count", "counts", "yes", "met"),
    "denominator": ("denominator", "den", "denom", "n", "total", "students", "size",
                    "exposure"),
    "note": ("note", "notes", "comment", "comments", "remark"),
}
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


@dataclass
class CsvRow:
    line: int  # 1-based line in the file
    raw: list[str]
    period: dt.date | None = None
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ParsedCsv:
    columns: list[str] = field(default_factory=list)
    rows: list[CsvRow] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def good(self) -> list[CsvRow]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[CsvRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.bad and bool(self.rows)


def _column_of(name: str) -> str | None:
    key = name.strip().lower().strip('"').strip()
    for column, words in _SYNONYMS.items():
        if key in words:
            return column
    return None


def parse_number(text: str) -> tuple[float | None, bool]:
    """(number, had a % sign); raises ValueError with a plain message."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if not t:
        return None, False
    percent = t.endswith("%")
    t = t.rstrip("%")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    elif re.fullmatch(r"-?\d+,\d+", t):
        t = t.replace(",", ".")
    try:
        number = float(t)
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"“{text.strip()}” is not a number")
    return number, percent


def _slashed_order(cells: list[str]) -> str:
    first_big = second_big = False
    for c in cells:
        m = re.fullmatch(r"\s*(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})\s*", c)
        if m:
            first_big |= int(m.group(1)) > 12
            second_big |= int(m.group(2)) > 12
    if first_big and not second_big:
        return "dmy"
    return "mdy"


def parse_date(text: str, order: str = "mdy") -> dt.date:
    t = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", t):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
            return dt.date(int(m[1]), int(m[2]), 1)
        if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", t):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})", t):
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            y = y + 2000 if y < 100 else y
            return dt.date(y, b, a) if order == "dmy" else dt.date(y, a, b)
        if m := re.fullmatch(r"(\d{1,2})?\s*([A-Za-z]{3,9})\.?,?\s+(\d{1,2},?\s+)?(\d{4})", t):
            month = _MONTHS.get(m[2][:3].lower())
            if month:
                day = int(m[1] or (m[3] or "1").strip(", ") or 1)
                return dt.date(int(m[4]), month, day)
    except ValueError:
        raise ValueError(f"“{t}” is not a real date") from None
    raise ValueError(f"“{t}” is not a date (write it like 2025-09-01)")


def parse_csv(text: str, *, proportion: bool, today: dt.date) -> ParsedCsv:
    out = ParsedCsv()
    if not text.strip():
        out.file_problems.append("The file is empty.")
        return out
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                lines.append((number, cells))
            if len(lines) > MAX_ROWS:
                out.file_problems.append(
                    f"The file has more than {MAX_ROWS:,} rows; a measure's data has one row "
                    "per week or month. Is this the right file?")
                return out
    except csv.Error as exc:
        out.file_problems.append(f"The file cannot be read as CSV (line {reader.line_num}: "
                                 f"{exc}). Save it again as CSV from the spreadsheet.")
        return out
    if not lines:
        out.file_problems.append("The file has no rows of data.")
        return out
    header = [_column_of(c) for c in lines[0][1]]
    columns: list[str | None]
    if header and header[0] == "date" or "date" in header:
        columns = header
        lines = lines[1:]
        if None in columns:
            out.notes.append("Columns NICdesk does not use were ignored.")
    else:
        width = len(lines[0][1])
        names = {1: ["date"], 2: ["date", "value"], 3: ["date", "numerator", "denominator"]}.get(
            width, ["date", "numerator", "denominator", "note"])
        columns = list(names)
        out.notes.append("No header row: columns read as " + ", ".join(names) + ".")
    out.columns = [c for c in columns if c]
    has_value = "value" in columns
    has_ratio = "numerator" in columns and "denominator" in columns
    if "date" not in columns or not (has_value or has_ratio):
        out.file_problems.append(
            "The file needs a date column and either a value column or numerator and "
            "denominator columns (found: " + (", ".join(out.columns) or "none") + ").")
        return out
    pos = {name: columns.index(name) for name in set(columns) if name}
    order = _slashed_order([cells[pos["date"]] for _n, cells in lines if len(cells) > pos["date"]])
    if any(re.fullmatch(r"\s*\d{1,2}/\d{1,2}/\d{2,4}\s*", cells[pos["date"]])
           for _n, cells in lines if len(cells) > pos["date"]):
        out.notes.append("Slashed dates read as " + ("day/month/year." if order == "dmy"
                                                     else "month/day/year (US)."))
    seen: dict[dt.date, int] = {}
    latest = today + dt.timedelta(days=366)
    for number, cells in lines:
        row = CsvRow(number, cells)
        out.rows.append(row)

        def cell(name: str, cells: list[str] = cells) -> str:
            i = pos.get(name)
            return cells[i] if i is not None and i < len(cells) else ""

        try:
            row.period = parse_date(cell("date"), order)
            if not EARLIEST <= row.period <= latest:
                row.problems.append(f"{row.period.isoformat()} is out of range "
                                    f"({EARLIEST.year} to {latest.year})")
            elif row.period in seen:
                row.problems.append(f"{row.period.isoformat()} appears twice in the file "
                                    f"(also line {seen[row.period]})")
            else:
                seen[row.period] = number
        except ValueError as exc:
            row.problems.append(str(exc))
        row.note = cell("note").strip()
        try:
            if has_ratio and (cell("numerator").strip() or not has_value):
                row.numerator, _ = parse_number(cell("numerator"))
                row.denominator, _ = parse_number(cell("denominator"))
                if row.numerator is None or row.denominator is None:
                    row.problems.append("numerator and denominator are both needed")
                elif row.denominator <= 0:
                    row.problems.append(f"denominator is {row.denominator:g}; it must be "
                                        "above zero")
                elif row.numerator < 0 or (proportion and row.numerator > row.denominator):
                    row.problems.append(f"{row.numerator:g} out of {row.denominator:g} is not "
                                        "a possible count")
                else:
                    row.value = round(row.numerator / row.denominator, 6)
            else:
                row.value, percent = parse_number(cell("value"))
                if row.value is None:
                    row.problems.append("the value is empty")
                elif percent or (proportion and row.value > 1):
                    row.value = row.value / 100
                if proportion and row.value is not None and not 0 <= row.value <= 1:
                    row.problems.append(f"{cell('value').strip()} is not a proportion "
                                        "between 0 and 100 %")
        except ValueError as exc:
            row.problems.append(str(exc))
    return out
