"""CSV import of a measure's data at one site: preview first, then all or nothing.

`preview_csv` reads and checks the file (encoding, size, columns, every row) and marks the
periods that already have a value; nothing is written.  `import_csv` writes the rows in one
operation (one transaction, one undo step) — or raises `CsvImportError` with the report and
leaves the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ...core.csvdata import CsvRow, ParsedCsv, alignment_note, parse_csv
from ...core.entities import observation_problems, problems
from ...core.groups import describe_counts, group_counts, match_group
from ...core.states import ValueType
from ..errors import WorkspaceError
from ..schema import Measure, Observation, Site
from ..views.groups import network_groups, other_groups
from ..views.series import normalise_period
from ..workspace import Workspace
from .workbook import is_workbook, parse_workbook

MAX_BYTES = 5 * 1024 * 1024
DUPLICATE_MODES = ("skip", "replace")


class CsvImportError(WorkspaceError):
    title = "Data not imported"  # from a CSV file or an .xlsx workbook


@dataclass
class CsvPreview:
    path: Path
    encoding: str
    parsed: ParsedCsv
    #: (period, group id or None for all students) -> the observation stored there
    existing: dict[tuple[dt.date, str | None], str] = field(default_factory=dict)
    moved: int = 0  # dates moved to the start of their period
    sheets: tuple[str, ...] = ()  # a workbook's worksheets (`workbook.read_sheet`)
    sheet: str | None = None  # the worksheet read; None for a CSV file

    @property
    def rows(self) -> list[CsvRow]:
        return self.parsed.rows

    def stored(self, row: CsvRow) -> str | None:
        """The observation already stored for the row's period and group, if any."""
        return self.existing.get((row.period, row.group_id))  # type: ignore[arg-type]

    def duplicates(self) -> list[CsvRow]:
        return [r for r in self.parsed.good if self.stored(r)]

    def group_counts(self) -> dict[str, int]:
        """Good rows per group ("All students" for rows without one), in file order."""
        return group_counts(r.group_label for r in self.parsed.good)

    def report(self) -> str:
        lines = list(self.parsed.file_problems)
        for row in self.parsed.bad[:20]:
            lines.append(f"{'row' if self.sheet else 'line'} {row.line}: "
                         + "; ".join(row.problems))
        if len(self.parsed.bad) > 20:
            lines.append(f"… and {len(self.parsed.bad) - 20} more rows with problems")
        return "\n".join(lines)


def _decode(data: bytes) -> tuple[str | None, str, str | None]:
    """(text, encoding, problem)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16", None
        except UnicodeDecodeError:
            return None, "", "The file says it is UTF-16 text but is damaged."
    if b"\x00" in data[:65536]:
        return None, "", "This is not a text (CSV) file: it contains binary data."
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("cp1252", errors="replace"), "Windows-1252"
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > max(5, len(text[:65536]) // 100):
        return None, encoding, "This is not a text (CSV) file: it is full of control characters."
    return text, encoding, None


def preview_csv(ws: Workspace, measure_id: str, site_id: str, path: str | Path,
                *, today: dt.date | None = None, sheet: str | None = None) -> CsvPreview:
    """What importing the file would do (nothing written): a CSV file, or one sheet of an
    Excel workbook (`sheet`; default the first one with data)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CsvImportError(f"Cannot read {path.name}: {exc.strerror}.") from exc
    with ws.read() as s:
        measure = s.get(Measure, measure_id)
        site = s.get(Site, site_id)
        if measure is None or site is None or measure.deleted or site.deleted:
            raise CsvImportError("The measure or site no longer exists.")
        value_type = measure.value_type
        proportion = value_type == ValueType.PROPORTION
        frequency = measure.frequency
        existing = {(o.period, o.group_id): o.id for o in s.scalars(select(Observation).where(
            Observation.measure_id == measure_id, Observation.site_id == site_id,
            Observation.deleted.is_(False)))}
        groups = network_groups(s, measure.network_id)
        elsewhere = other_groups(s, measure.network_id)
    if size > MAX_BYTES:
        parsed = ParsedCsv(file_problems=[
            f"{path.name} is {size / 1e6:.1f} MB; a measure's data file is normally well under "
            "1 MB (one row per week or month). Is this the right file?"])
        return CsvPreview(path, "", parsed, existing)
    data = path.read_bytes()
    sheets: tuple[str, ...] = ()
    if is_workbook(path.name, data):  # an .xlsx file: one sheet's cells, checked alike
        parsed, cells = parse_workbook(data, path.name, sheet, proportion=proportion,
                                       today=today or dt.date.today())
        encoding, sheets, sheet = "Excel workbook", cells.sheets, cells.sheet
    else:
        text, encoding, problem = _decode(data)
        if problem:
            return CsvPreview(path, encoding, ParsedCsv(file_problems=[problem]), existing)
        parsed = parse_csv(text or "", proportion=proportion, today=today or dt.date.today())
        if encoding == "Windows-1252":
            parsed.notes.append("Read as Windows-1252 text (not UTF-8); check accented "
                                "letters.")
    _match_groups(parsed, groups, elsewhere)
    moves: list[tuple[dt.date, dt.date]] = []
    for row in parsed.rows:
        if row.period is not None:
            start = normalise_period(row.period, frequency)
            if start != row.period:
                moves.append((row.period, start))
                row.period = start
    moved = len(moves)
    if moved:
        parsed.notes.append(alignment_note(moves, frequency))
        seen: dict[tuple[dt.date, str | None], int] = {}
        for row in parsed.rows:
            if row.period is None:
                continue
            point = (row.period, row.group_id)
            if point in seen and row.ok:
                row.problems.append(f"same {frequency} period as line {seen[point]}"
                                    + (f" for {row.group_label}" if row.group_label else ""))
            seen.setdefault(point, row.line)
    _check_rows(parsed, value_type)
    preview = CsvPreview(path, encoding, parsed, existing, moved, sheets, sheet)
    if any(r.group for r in parsed.rows):
        parsed.notes.append("Rows per student group: " + describe_counts(preview.group_counts())
                            + ".")
    return preview


def _match_groups(parsed: ParsedCsv, groups: list[Any], elsewhere: list[Any]) -> None:
    """Each row's group cell matched to one of the network's groups (`core.groups`), or
    a problem on the row naming what to write instead."""
    seen: dict[tuple[dt.date, str | None], int] = {}
    for row in parsed.rows:
        if row.group:
            group, problem = match_group(row.group, groups, elsewhere)
            if problem:
                row.problems.append(problem)
            elif group is not None:
                row.group_id, row.group_label = group.id, group.label
        if row.period is None or not row.ok:
            continue
        point = (row.period, row.group_id)  # "Female" and "Gender: Female" are one group
        if point in seen:
            row.problems.append(f"{row.period.isoformat()} appears twice in the file for "
                                f"{row.group_label or 'all students'} (also line {seen[point]})")
        seen.setdefault(point, row.line)


def _check_rows(parsed: ParsedCsv, value_type: str) -> None:
    """Every row the reader accepted is also held to the observation's description (the
    same checks as an edit: ranges, finite numbers, plausible dates, lengths), so the file
    is refused with the row named rather than halfway through the import."""
    for row in parsed.good:
        values = {"period": row.period, "value": row.value, "numerator": row.numerator,
                  "denominator": row.denominator, "note": row.note}
        for p in [*problems("observation", values, partial=True),
                  *observation_problems(values, value_type)]:
            message = p.message.rstrip(".")
            row.problems.append(message[:1].lower() + message[1:])


@dataclass(frozen=True)
class ImportResult:
    added: int
    replaced: int
    skipped_duplicates: int
    skipped_bad: int


def import_csv(ws: Workspace, measure_id: str, site_id: str, path: str | Path, *,
               duplicates: str = "skip", skip_bad_rows: bool = False,
               today: dt.date | None = None, sheet: str | None = None) -> ImportResult:
    if duplicates not in DUPLICATE_MODES:
        raise CsvImportError(f"duplicates must be one of {', '.join(DUPLICATE_MODES)}")
    preview = preview_csv(ws, measure_id, site_id, path, today=today, sheet=sheet)
    parsed = preview.parsed
    if parsed.file_problems or not parsed.rows:
        raise CsvImportError(f"Nothing in {Path(path).name} was imported; nothing was "
                             "changed.\n" + (preview.report() or "The file has no rows of data."))
    if parsed.bad and not skip_bad_rows:
        raise CsvImportError(
            f"{len(parsed.bad)} of the {len(parsed.rows)} rows of {Path(path).name} have "
            "problems, so nothing was imported: nothing was changed. Correct the file, or "
            "choose to skip those rows.\n" + preview.report())
    added = replaced = skipped = 0
    good = parsed.good
    with ws.ops.batch(f"Import {len(good)} values from {Path(path).name}") as t:
        for row in good:
            values: dict[str, Any] = {"value": row.value, "numerator": row.numerator,
                      "denominator": row.denominator, "note": row.note}
            existing = preview.stored(row)
            if existing is not None:
                if duplicates == "replace":
                    t.update("observation", existing, **values)
                    replaced += 1
                else:
                    skipped += 1
                continue
            t.create("observation", measure_id=measure_id, site_id=site_id, period=row.period,
                     group_id=row.group_id, **values)
            added += 1
    return ImportResult(added, replaced, skipped, len(parsed.bad))
