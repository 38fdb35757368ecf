"""Parsing a measure's CSV data (pure: text in, rows with problems out).

Columns: ``date,value`` or ``date,numerator,denominator``, optionally ``,note``; a header
row is recognised by its names (synonyms such as period/month, count/n accepted), and a
file without one is read by position.  Dates may be ISO (2025-01-31), 2025/01/31, 31.01.2025,
slashed (day/month or month/day: decided for the whole file from values above 12; US order
when nothing decides it, and the preview says so), month names (Jan 2025, January 2025) or
year-month (2025-01).  Numbers may use a decimal comma, thousands separators or a % sign.
Nothing here touches a file or a database.

A block pasted from a spreadsheet (`split_paste`) is tab-separated; its first line is a
header when every cell in it is a column's name (the words above, or the measure's own
labels such as its name and unit) — a line with a number or a date in it is always data.
Dates that are not the first day of their period (a week-ending Friday) are stored on the
period's first day; `alignment_note` says so in one sentence, for the CSV import and paste.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

EARLIEST = dt.date(1990, 1, 1)
MAX_ROWS = 100_000

_SYNONYMS = {
    "date": ("date", "period", "week", "month", "day", "week of", "month of", "date of",
             "week ending", "week end", "week ended", "w/e", "week beginning",
             "week starting", "week start", "period ending", "month ending", "date ending"),
    "value": ("value", "values", "result", "measure", "rate", "percent", "%", "score"),
    "numerator": ("numerator", "num", "count", "counts", "yes", "met"),
    "denominator": ("denominator", "den", "denom", "n", "total", "students", "size",
                    "exposure"),
    "note": ("note", "notes", "comment", "comments", "remark"),
    # the student group a value is for (issue #21); blank: all students
    "group": ("group", "student group", "subgroup", "student subgroup", "group name"),
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
    group: str = ""  # the group cell as written ("" : all students)
    group_id: str | None = None  # the group it names, once the store has matched it
    group_label: str | None = None  # that group's "Dimension: group" (None: all students)

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


def parse_csv(text: str, *, proportion: bool, today: dt.date,
              delimiter: str | None = None, names: Sequence[str] | None = None,
              quoted: bool = True) -> ParsedCsv:
    """Read `text`: its delimiter guessed unless given (a paste is tab-separated), its
    columns named by its header row, by position, or by `names` (the text then has no
    header row); `quoted` False reads a quote mark as a character like any other."""
    out = ParsedCsv()
    if not text.strip():
        out.file_problems.append("The file is empty.")
        return out
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
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
    return parse_cells(lines, proportion=proportion, today=today, names=names, out=out)


def parse_cells(lines: Sequence[tuple[int, list[str]]], *, proportion: bool, today: dt.date,
                names: Sequence[str] | None = None, out: ParsedCsv | None = None) -> ParsedCsv:
    """Check lines already split into cells — (line number, cells), blank lines left out —
    as a CSV file's are: header or position, every row's date and numbers.  A CSV file's
    text and a workbook's sheet (`store.ops.workbook`) both end here, so any column the
    CSV import learns, a sheet has too."""
    out = out if out is not None else ParsedCsv()
    if not lines:
        out.file_problems.append("The file has no rows of data.")
        return out
    header = [_column_of(c) for c in (names if names is not None else lines[0][1])]
    columns: list[str | None]
    if names is not None:
        columns = header
    elif header and header[0] == "date" or "date" in header:
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
    seen: dict[tuple[dt.date, str], int] = {}
    latest = today + dt.timedelta(days=366)
    for number, cells in lines:
        row = CsvRow(number, cells)
        out.rows.append(row)

        def cell(name: str, cells: list[str] = cells) -> str:
            i = pos.get(name)
            return cells[i] if i is not None and i < len(cells) else ""

        row.group = cell("group").strip()
        try:
            row.period = parse_date(cell("date"), order)
            point = (row.period, " ".join(row.group.casefold().split()))
            if not EARLIEST <= row.period <= latest:
                row.problems.append(f"{row.period.isoformat()} is out of range "
                                    f"({EARLIEST.year} to {latest.year})")
            elif point in seen:
                row.problems.append(f"{row.period.isoformat()} appears twice in the file"
                                    + (f" for {row.group}" if row.group else "")
                                    + f" (also line {seen[point]})")
            else:
                seen[point] = number
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


# ---------------------------------------------------------------------- pasted blocks
DATA_COLUMNS = ("date", "value", "numerator", "denominator")


@dataclass(frozen=True)
class PastedBlock:
    """A tab-separated block from a spreadsheet: its header (the column each header cell
    names, None for a cell naming nothing NICdesk uses) and its data lines, in order."""

    header: tuple[str | None, ...] | None
    rows: tuple[tuple[str, ...], ...]
    header_words: bool = True  # False: a header line of unknown words, read by position

    @property
    def dated(self) -> bool:
        """Dates in a column: the rows are periods (new ones are added)."""
        if self.header is not None and self.header_words:
            return "date" in self.header
        return bool(self.rows) and _is_date(self.rows[0][0] if self.rows[0] else "")


def _is_date(text: str) -> bool:
    try:
        parse_date(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        return parse_number(text)[0] is not None
    except ValueError:
        return False


def _words(text: str) -> str:
    return " ".join(text.strip().strip('"').lower().split())


def header_columns(cells: Sequence[str],
                   labels: Mapping[str, Sequence[str]] | None = None) -> tuple[str | None, ...] | None:
    """The column each cell names when `cells` is a header line, else None.

    A header line has only words: every non-empty cell names a column (a word such as
    Week, Date, Numerator, Value, or one of `labels` — column → the measure's own words,
    e.g. its name and unit), and at least one names a data column.  A cell that reads as a
    number or a date makes the line data, so a data line is never taken for a header."""
    own = {column: [_words(w) for w in words if _words(w)]
           for column, words in (labels or {}).items()}
    out: list[str | None] = []
    for cell in cells:
        text = _words(cell)
        if not text:
            out.append(None)
            continue
        if _is_number(cell) or _is_date(cell):
            return None
        column = _column_of(text)
        if column is None:
            column = next((c for c, words in own.items() for w in words
                           if text == w or (len(text) >= 3 and len(w) >= 3
                                            and (text in w or w in text))), None)
        if column is None:
            return None
        out.append(column)
    if not any(c in DATA_COLUMNS for c in out):
        return None
    return tuple(out)


def split_paste(text: str,
                labels: Mapping[str, Sequence[str]] | None = None) -> PastedBlock:
    """A pasted block's header (if its first line is one) and its data lines.

    The first line is a header when `header_columns` says so; or, when it has only text
    while the next line starts with a date, a header of unknown words (read by position).
    Blank lines at the ends are dropped; every other line is kept as data."""
    lines = [tuple(line.split("\t")) for line in
             text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")]
    lines = [line for line in lines if any(c.strip() for c in line)] if lines else []
    if not lines:
        return PastedBlock(None, ())
    first, rest = lines[0], tuple(lines[1:])
    header = header_columns(first, labels)
    if header is not None:
        return PastedBlock(header, rest)
    only_text = all(not c.strip() or not (_is_number(c) or _is_date(c)) for c in first)
    if only_text and rest and _is_date(rest[0][0]):
        return PastedBlock(tuple(None for _c in first), rest, header_words=False)
    return PastedBlock(None, tuple(lines))


def pasted_columns(block: PastedBlock, *, proportion: bool) -> list[str]:
    """The column names a dated block is read with: its header's, or by position."""
    if block.header is not None and block.header_words:
        named = list(block.header)
        if proportion and "denominator" in named and "numerator" not in named \
                and "value" in named:  # "On track" beside "Enrolled": the count met
            named[named.index("value")] = "numerator"
        return [c or f"unused{k}" for k, c in enumerate(named)]
    width = max((len(r) for r in block.rows), default=1)
    names = ["date", "numerator", "denominator", "note"] if proportion and width >= 3 \
        else ["date", "value", "note"]
    return names[:max(width, 2)] + [f"unused{k}" for k in range(len(names), width)]


def parse_paste(block: PastedBlock, *, proportion: bool, today: dt.date) -> ParsedCsv:
    """A dated block read like a CSV file (the same checks); row `line` numbers count
    the block's data lines from 1 (the header not counted)."""
    return parse_csv("\n".join("\t".join(r) for r in block.rows), proportion=proportion,
                     today=today, delimiter="\t", quoted=False,
                     names=pasted_columns(block, proportion=proportion))


_UNITS = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}


def _day(d: dt.date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def alignment_note(moves: Sequence[tuple[dt.date, dt.date]], frequency: str) -> str:
    """One sentence on dates stored on their period's first day: (typed, stored) pairs of
    the dates that moved.  Empty when none did."""
    if not moves:
        return ""
    typed, stored = moves[0]
    example = f"{_day(typed)} → {_day(stored)}"
    if frequency == "weekly":
        if len(moves) == 1:
            return (f"{_day(typed)} is stored as the week starting Monday "
                    f"{stored.day} {stored:%b %Y} (weekly values sit on the Monday).")
        if len({t.weekday() for t, _s in moves}) == 1:
            ending = "week-ending " if typed.weekday() >= 3 else ""
            return (f"The dates were {ending}{typed:%A}s; each is stored as the week "
                    f"starting the Monday before ({example}).")
        return (f"{len(moves)} dates were not Mondays; each is stored as the week starting "
                f"the Monday before ({example}).")
    unit = _UNITS.get(frequency, "period")
    if len(moves) == 1:  # one: said as the value it is ("stored as 1 Sep 2026")
        return f"{_day(typed)} is stored as the start of its {unit}, {_day(stored)}."
    return f"{len(moves)} dates were moved to the start of their {unit} ({example})."
