"""CSV import: preview, all-or-nothing, and every kind of bad file leaves the database as
it was (compared table by table)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from nicdesk.core.csvdata import parse_csv
from nicdesk.store.ops.csv_import import CsvImportError, import_csv, preview_csv
from nicdesk.store.schema import Observation

TODAY = dt.date(2026, 6, 30)


def snapshot(ws) -> list[tuple]:
    with ws.read() as s:
        return [(o.id, o.period, o.value, o.numerator, o.denominator, o.note, o.deleted, o.hlc)
                for o in s.scalars(select(Observation).order_by(Observation.id))]


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def test_good_file_with_header_numerators_and_notes(setup, tmp_path: Path) -> None:
    ws, site, prop, _ = setup
    path = write(tmp_path, "ok.csv", "Month,Numerator,Denominator,Note\n"
                 "2025-09-15,200,300,start of year\n2025-10-01,210,300,\n11/01/2025,220,300,\n")
    preview = preview_csv(ws, prop, site, path, today=TODAY)
    assert preview.parsed.ok and len(preview.rows) == 3
    assert "Mon 15 Sep 2025 is stored as the start of its month, Mon 1 Sep 2025." in (
        preview.parsed.notes)
    result = import_csv(ws, prop, site, path, today=TODAY)
    assert (result.added, result.replaced) == (3, 0)
    with ws.read() as s:
        rows = list(s.scalars(select(Observation).order_by(Observation.period)))
    assert [r.period for r in rows] == [dt.date(2025, 9, 1), dt.date(2025, 10, 1),
                                        dt.date(2025, 11, 1)]
    assert rows[0].value == pytest.approx(2 / 3, abs=1e-6) and rows[0].note == "start of year"
    # one undo step removes the whole import
    ws.ops.undo()
    assert all(r[6] for r in snapshot(ws))


def test_duplicates_skip_or_replace(setup, tmp_path: Path) -> None:
    ws, site, prop, _ = setup
    first = write(tmp_path, "a.csv", "date,value\n2025-09-01,50%\n2025-10-01,60%\n")
    import_csv(ws, prop, site, first, today=TODAY)
    second = write(tmp_path, "b.csv", "date,value\n2025-10-01,65%\n2025-11-01,70%\n")
    assert len(preview_csv(ws, prop, site, second, today=TODAY).duplicates()) == 1
    skipped = import_csv(ws, prop, site, second, today=TODAY)
    assert (skipped.added, skipped.skipped_duplicates) == (1, 1)
    third = write(tmp_path, "c.csv", "date,value\n2025-10-01,66%\n")
    replaced = import_csv(ws, prop, site, third, duplicates="replace", today=TODAY)
    assert replaced.replaced == 1
    with ws.read() as s:
        oct_value = s.scalars(select(Observation).where(
            Observation.period == dt.date(2025, 10, 1))).one().value
    assert oct_value == pytest.approx(0.66)


BAD_FILES = {
    "utf16_binaryish.csv": (b"\x00\x01\x02junk\x00" * 50, "binary data"),
    "missing_columns.csv": ("week,teacher\n2025-01-06,Smith\n", "needs a date column"),
    "text_in_numbers.csv": ("date,value\n2025-01-06,12\n2025-01-13,twelve\n",
                            "“twelve” is not a number"),
    "dates_out_of_range.csv": ("date,value\n1899-01-02,3\n2025-01-13,4\n", "out of range"),
    "zero_denominator.csv": ("date,numerator,denominator\n2025-01-06,3,0\n",
                             "must be above zero"),
    "stray_total_row.csv": ("date,value\n2025-01-06,3\n2025-01-13,4\nTotal,7\n",
                            "“Total” is not a date"),
    "empty.csv": ("", "empty"),
    "duplicate_dates.csv": ("date,value\n2025-01-06,3\n2025-01-07,4\n", "same weekly period"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_change_nothing(setup, tmp_path: Path, name: str) -> None:
    ws, site, _prop, count = setup
    import_csv(ws, count, site, write(tmp_path, "seed.csv", "date,value\n2024-12-02,5\n"),
               today=TODAY)
    before = snapshot(ws)
    data, phrase = BAD_FILES[name]
    path = write(tmp_path, name, data)
    with pytest.raises(CsvImportError) as err:
        import_csv(ws, count, site, path, today=TODAY)
    assert phrase in err.value.message
    assert "nothing was changed" in err.value.message.lower()
    assert snapshot(ws) == before


def test_fifty_megabytes_of_junk_is_refused_quickly(setup, tmp_path: Path) -> None:
    ws, site, _prop, count = setup
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:
        fh.seek(50 * 1024 * 1024 - 1)
        fh.write(b"x")
    before = snapshot(ws)
    with pytest.raises(CsvImportError, match="MB"):
        import_csv(ws, count, site, path, today=TODAY)
    assert snapshot(ws) == before


def test_spreadsheet_in_another_encoding_with_total_row(setup, tmp_path: Path) -> None:
    ws, site, _prop, count = setup
    text = "Date;Value;Note\n06.01.2025;3;Montag – Schüler\n13.01.2025;4;\nTotal;7;\n"
    path = write(tmp_path, "excel.csv", text, encoding="cp1252")
    preview = preview_csv(ws, count, site, path, today=TODAY)
    assert any("Windows-1252" in n for n in preview.parsed.notes)
    assert [r.line for r in preview.parsed.bad] == [4]
    result = import_csv(ws, count, site, path, skip_bad_rows=True, today=TODAY)
    assert (result.added, result.skipped_bad) == (2, 1)
    with ws.read() as s:
        notes = [o.note for o in s.scalars(select(Observation).order_by(Observation.period))]
    assert notes[0] == "Montag – Schüler"


def test_slashed_dates_decide_their_order_per_file() -> None:
    dmy = parse_csv("date,value\n13/01/2025,1\n02/03/2025,2\n", proportion=False, today=TODAY)
    assert [r.period for r in dmy.rows] == [dt.date(2025, 1, 13), dt.date(2025, 3, 2)]
    mdy = parse_csv("date,value\n01/13/2025,1\n03/02/2025,2\n", proportion=False, today=TODAY)
    assert [r.period for r in mdy.rows] == [dt.date(2025, 1, 13), dt.date(2025, 3, 2)]
    assert any("US" in n for n in mdy.notes)


@settings(max_examples=60)
@given(st.lists(st.tuples(st.dates(dt.date(2000, 1, 1), dt.date(2026, 1, 1)),
                          st.integers(0, 500), st.integers(1, 500)),
                min_size=1, max_size=30, unique_by=lambda r: r[0]),
       st.sampled_from([",", ";", "\t"]))
def test_parser_round_trips_generated_files(rows, sep) -> None:
    rows = [(d, min(n, den), den) for d, n, den in rows]
    text = sep.join(["date", "numerator", "denominator"]) + "\n" + "\n".join(
        sep.join([d.isoformat(), str(n), str(den)]) for d, n, den in rows)
    parsed = parse_csv(text, proportion=True, today=TODAY)
    assert parsed.ok
    assert [(r.period, r.numerator, r.denominator) for r in parsed.rows] == [
        (d, float(n), float(den)) for d, n, den in rows]


@settings(max_examples=60)
@given(st.text(max_size=300))
def test_parser_never_crashes_on_junk(text) -> None:
    parsed = parse_csv(text, proportion=False, today=TODAY)
    assert parsed.ok or parsed.file_problems or parsed.bad


def test_cli_import_csv(setup, tmp_path: Path, capsys) -> None:
    from nicdesk.cli.parser import main

    ws, site, prop, _ = setup
    path = ws.target
    ws.close()
    csv_path = write(tmp_path, "cli.csv", "date,value\n2025-09-01,40%\n2025-10-01,45%\n")
    assert main(["import-csv", str(path), str(csv_path), "--measure", "On track",
                 "--site", "Lincoln"]) == 0
    assert "Imported 2 new values" in capsys.readouterr().out
    bad = write(tmp_path, "bad.csv", "date,value\n2025-11-01,lots\n")
    assert main(["import-csv", str(path), str(bad), "--measure", "On track",
                 "--site", "Lincoln"]) == 2
    assert "not a number" in capsys.readouterr().err
