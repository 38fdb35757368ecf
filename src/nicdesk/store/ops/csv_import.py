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
from ...core.states import ValueType
from ..errors import WorkspaceError
from ..schema import Measure, Observation, Site
from ..views.series import normalise_period
from ..workspace import Workspace

MAX_BYTES = 5 * 1024 * 1024
DUPLICATE_MODES = ("skip", "replace")


class CsvImportError(WorkspaceError):
    title = "CSV not imported"


@dataclass
class CsvPreview:
    path: Path
    encoding: str
    parsed: ParsedCsv
    existing: dict[dt.date, str] = field(default_factory=dict)  # period -> observation id
    moved: int = 0  # dates moved to the start of their period

    @property
    def rows(self) -> list[CsvRow]:
        return self.parsed.rows

    def duplicates(self) -> list[CsvRow]:
        return [r for r in self.parsed.good if r.period in self.existing]

    def report(self) -> str:
        lines = list(self.parsed.file_problems)
        for row in self.parsed.bad[:20]:
            lines.append(f"line {row.line}: " + "; ".join(row.problems))
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
                *, today: dt.date | None = None) -> CsvPreview:
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
        existing = {o.period: o.id for o in s.scalars(select(Observation).where(
            Observation.measure_id == measure_id, Observation.site_id == site_id,
            Observation.deleted.is_(False)))}
    if size > MAX_BYTES:
        parsed = ParsedCsv(file_problems=[
            f"{path.name} is {size / 1e6:.1f} MB; a measure's data file is normally well under "
            "1 MB (one row per week or month). Is this the right file?"])
        return CsvPreview(path, "", parsed, existing)
    text, encoding, problem = _decode(path.read_bytes())
    if problem:
        return CsvPreview(path, encoding, ParsedCsv(file_problems=[problem]), existing)
    parsed = parse_csv(text or "", proportion=proportion, today=today or dt.date.today())
    if encoding == "Windows-1252":
        parsed.notes.append("Read as Windows-1252 text (not UTF-8); check accented letters.")
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
        seen: dict[dt.date, int] = {}
        for row in parsed.rows:
            if row.period is None:
                continue
            if row.period in seen and row.ok:
                row.problems.append(f"same {frequency} period as line {seen[row.period]}")
            seen.setdefault(row.period, row.line)
    _check_rows(parsed, value_type)
    return CsvPreview(path, encoding, parsed, existing, moved)


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
               today: dt.date | None = None) -> ImportResult:
    if duplicates not in DUPLICATE_MODES:
        raise CsvImportError(f"duplicates must be one of {', '.join(DUPLICATE_MODES)}")
    preview = preview_csv(ws, measure_id, site_id, path, today=today)
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
            existing = preview.existing.get(row.period)  # type: ignore[arg-type]  # a good row has its period
            if existing is not None:
                if duplicates == "replace":
                    t.update("observation", existing, **values)
                    replaced += 1
                else:
                    skipped += 1
                continue
            t.create("observation", measure_id=measure_id, site_id=site_id, period=row.period,
                     **values)
            added += 1
    return ImportResult(added, replaced, skipped, len(parsed.bad))
