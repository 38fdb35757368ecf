"""A re-import reads a site's stored rows once and takes each bundle line that is,
byte for byte, one of them as unchanged without parsing it (`bundle.unchanged`,
issue #20).  These tests hold it to its promise: the lines it writes are the lines
`export` writes; a line is only ever matched to the record it is; authority still
covers every record (a stored record the site may not send is checked and refused, even
unchanged); a repeated record and a bad changed line are refused with the file's own
line numbers; and the result is always the per-record merge's.

The network is `test_import_fast_path`'s (a coordinator, schools A and B, 40 weekly
values of A already imported), built once for this module.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nicdesk.bundle import importer, unchanged
from nicdesk.bundle.format import TABLE_KIND, dumps_line, to_json
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.store.schema import MODELS, Observation
from nicdesk.store.workspace import Workspace

from .exchange_helpers import (
    both_dumps,
    export,
    ids,
    keys_folder,
    one_line_refusal,
    read_members,
    resign,
)
from .test_import_fast_path import World, both_ways, obs_ids


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("unchanged")
    with keys_folder(root / "data"):  # the laptops' keys
        yield World(root)


@pytest.fixture(autouse=True)
def keys_dir(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NICDESK_DATA_DIR", str(world.root / "data"))


def record_lines(bundle: Path) -> dict[str, list[str]]:
    """kind -> the lines of its record file in `bundle`."""
    return {TABLE_KIND[name.removeprefix("records/").removesuffix(".jsonl")]:
            data.decode().split("\n")
            for name, data in read_members(bundle).items() if name.startswith("records/")}


@pytest.fixture
def matched(monkeypatch: pytest.MonkeyPatch) -> list[dict[int, str] | None]:
    """What `unchanged_lines` found for each record file of each import (the real
    function, watched): index -> id of the lines taken as unchanged (None: not tried)."""
    seen: list[dict[int, str] | None] = []
    real = importer.unchanged_lines

    def watch(*args: Any) -> tuple[list[str], dict[int, str]] | None:
        got = real(*args)
        seen.append(None if got is None else got[1])
        return got
    monkeypatch.setattr(importer, "unchanged_lines", watch)
    return seen


# ------------------------------------------------------------------ the lines written
def test_every_stored_record_is_written_as_export_writes_its_line(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line of A's first bundle, of every kind not always checked in full, is
    found among the coordinator's stored rows (which that bundle brought): the writer
    writes exactly `export`'s lines, whatever the kind's columns."""
    monkeypatch.setattr(unchanged, "UNCHANGED_MIN", 1)  # the small kinds too
    site = world.fresh(tmp_path, "A")
    net = ids(site)["network"]
    with Workspace.open(site) as ws, ws.ops.batch("more kinds") as t:  # wholes, dates, JSON
        t.create("aim", network_id=net, site_id=world.a, statement='By June, "80 %"\tmore')
        bone = t.create("fishbone", network_id=net, site_id=world.a, problem="Late work")
        part = t.create("fishbone_category", fishbone_id=bone, name="People")
        t.create("cause", fishbone_id=bone, category_id=part, text="Buses — late\u2028often")
        t.create("pdsa_cycle", site_id=world.a, title="Check-ins")
        t.create("annotation", measure_id=world.measure, site_id=world.a,
                 date=dt.date(2025, 10, 3), text="Storm")
    sent = export(site, tmp_path / "more.nicbundle")
    coord = world.fresh(tmp_path, "coord")
    with Workspace.open(coord) as ws:
        import_bundle(ws, sent)
    files = {TABLE_KIND[name.removeprefix("records/").removesuffix(".jsonl")]: data
             for name, data in read_members(sent).items() if name.startswith("records/")}
    assert len(files) >= 7  # the site, its values and the kinds above
    with Workspace.open(coord) as ws, ws.sessions.begin() as s:
        for kind, data in files.items():
            got = unchanged.unchanged_lines(s, kind, world.a, data)
            if kind in unchanged._ALWAYS_CHECKED:
                assert got is None, kind
                continue
            assert got is not None, kind
            file_lines, found = got
            wanted = {i for i, line in enumerate(file_lines) if line}
            assert set(found) == wanted, kind
            # each line found is the line of the very record found for it
            assert all(dumps_line(to_json(kind, s.get(MODELS[kind], found[i])))
                       == file_lines[i] for i in wanted), kind


class _Seen(dict):  # type: ignore[type-arg]
    """A `wanted` map that matches nothing and keeps every line it was asked about."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.asked.append(key)
        return default


texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)
floats = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False),
                   st.integers(-10**6, 10**6).map(float))


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=texts, numerator=floats, denominator=floats, excluded=st.booleans())
def test_a_written_line_is_the_record_or_nothing(world: World, tmp_path_factory: Any,
                                                 note: str, numerator: float | None,
                                                 denominator: float | None,
                                                 excluded: bool) -> None:
    """Any stored values (quotes, control characters, any float): the line written for
    the row is `export`'s line of it, or none at all — never another text that a
    bundle line could equal while meaning something else."""
    coord = world.fresh(tmp_path_factory.mktemp("any"), "coord")
    con = sqlite3.connect(coord)
    target = con.execute("SELECT id FROM observations WHERE owner_site_id = ? ORDER BY id "
                         "LIMIT 1", (world.a,)).fetchone()[0]
    con.execute("UPDATE observations SET note = ?, numerator = ?, denominator = ?, "
                "excluded = ? WHERE id = ?", (note, numerator, denominator, excluded, target))
    con.commit()
    con.close()
    with Workspace.open(coord) as ws, ws.sessions.begin() as s:
        expected = dumps_line(to_json("observation", s.get(Observation, target)))
        seen = _Seen()
        unchanged._writer("observation").matches(s, world.a, seen)
    mine = [line for line in seen.asked if f'"id":"{target}"' in line]
    assert mine in ([], [expected])


class _Any(dict):  # type: ignore[type-arg]
    """A `wanted` map that matches every line asked about (each at its own index)."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self[key] = len(self)
        return self[key]


@pytest.mark.parametrize("column, damage", [("excluded", 7), ("numerator", "many"),
                                            ("period", "2025-9-1"),
                                            ("field_clocks", '{"note": 1')])
def test_a_damaged_stored_value_is_never_matched(world: World, tmp_path: Path,
                                                 column: str, damage: Any) -> None:
    """A stored value `export` would not write as it is stored (not a flag, text in a
    number, a date that is not ISO, clocks that are not JSON) leaves its row out: no
    bundle line — not even the text written in its place — stands for it."""
    coord = world.fresh(tmp_path, "coord")
    con = sqlite3.connect(coord)
    target = con.execute("SELECT id FROM observations WHERE owner_site_id = ? ORDER BY id "
                         "LIMIT 1", (world.a,)).fetchone()[0]
    con.execute(f"UPDATE observations SET {column} = ? WHERE id = ?", (damage, target))
    con.commit()
    con.close()
    with Workspace.open(coord) as ws, ws.sessions.begin() as s:
        found = unchanged._writer("observation").matches(s, world.a, _Any())
    assert target not in found.values()
    assert len(found) == len(obs_ids(world.templates["A"])) - 1  # the others all are


# ------------------------------------------------------------------ the import
def test_a_snapshot_lands_as_the_per_record_merge_and_skips_its_unchanged_lines(
        world: World, tmp_path: Path, matched: list[dict[int, str] | None]) -> None:
    a = world.fresh(tmp_path, "A")
    rows = obs_ids(a)
    with Workspace.open(a) as ws:
        ws.ops.update("observation", rows[4], note="rained")
        ws.ops.update("observation", rows[9], numerator=3)
    snapshot = export(a, tmp_path / "week.nicbundle")
    _fast, summaries = both_ways(tmp_path, world, [snapshot])
    assert summaries[0][:4] == (0, 2, summaries[0][2], 0)
    found = [m for m in matched if m]
    assert len(found) == 1  # the observations, read once
    assert len(found[0]) == len(rows) - 2  # all but the two edited


def test_an_unchanged_record_the_site_may_not_send_is_still_refused(
        world: World, tmp_path: Path) -> None:
    """Authority covers the lines taken as unchanged: a stored record A owns but which
    names school B (written here some other way) is sent by A exactly as stored — the
    line equals the stored row, and is refused all the same."""
    coord = world.fresh(tmp_path, "coord")
    con = sqlite3.connect(coord)
    # one of A's values for a measure and period B has none of (one value per measure,
    # site, period and group: a period B has would collide with B's own value)
    mine = set(obs_ids(world.templates["A"]))
    free = [i for (i,) in con.execute(
        "SELECT o.id FROM observations o WHERE NOT EXISTS (SELECT 1 FROM observations b "
        "WHERE b.site_id = ? AND b.measure_id = o.measure_id AND b.period = o.period "
        "AND coalesce(b.group_id, '') = coalesce(o.group_id, '')) ORDER BY o.id",
        (world.b,)) if i in mine]
    assert free, "the world gives A a period B has no value for"
    target = free[0]
    con.execute("UPDATE observations SET site_id = ? WHERE id = ?", (world.b, target))
    con.commit()
    con.close()
    site = world.fresh(tmp_path, "A")

    def as_stored(m: dict[str, Any], records: dict[str, list[dict[str, Any]]]) -> None:
        m["sequence"] = 5
        for r in records["observation"]:
            if r["id"] == target:
                r["site_id"] = world.b

    sent = resign(world.a1, tmp_path / "sent.nicbundle", world.key_of(site), change=as_stored)
    with Workspace.open(coord) as ws, ws.sessions.begin() as s:  # the line is the row's
        lines = record_lines(sent)["observation"]
        assert dumps_line(to_json("observation", s.get(Observation, target))) in lines
    before = both_dumps(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as refused:
        import_bundle(ws, sent)
    assert "for B;" in refused.value.message  # the authority check's own words
    assert "may change only its own records" in refused.value.message
    assert one_line_refusal(refused.value.message)
    assert both_dumps(coord) == before


@pytest.mark.parametrize("second", ["the same line", "another value"])
def test_a_record_sent_twice_is_refused_even_when_unchanged(world: World, tmp_path: Path,
                                                            second: str) -> None:
    """A record twice in one file — as two equal lines, or as its stored line and a
    changed one — is refused, and the refusal names the line as the whole file's
    checks number it."""
    site = world.fresh(tmp_path, "A")

    def twice(m: dict[str, Any], records: dict[str, list[dict[str, Any]]]) -> None:
        m["sequence"] = 6
        again = dict(records["observation"][3])
        if second == "another value":
            again["note"] = "told twice"
        records["observation"].append(again)

    sent = resign(world.a1, tmp_path / "twice.nicbundle", world.key_of(site), change=twice)
    coord = world.fresh(tmp_path, "coord")
    before = both_dumps(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as refused:
        import_bundle(ws, sent)
    count = len(record_lines(sent)["observation"]) - 1  # the file ends with "\n"
    assert f"line {count} repeats record" in refused.value.message
    assert both_dumps(coord) == before


def test_a_bad_changed_line_among_unchanged_ones_is_named_by_its_own_number(
        world: World, tmp_path: Path, matched: list[dict[int, str] | None]) -> None:
    site = world.fresh(tmp_path, "A")
    at = 30

    def bad_date(m: dict[str, Any], records: dict[str, list[dict[str, Any]]]) -> None:
        m["sequence"] = 8
        records["observation"][at]["period"] = "2025-02-30"

    sent = resign(world.a1, tmp_path / "bad.nicbundle", world.key_of(site), change=bad_date)
    coord = world.fresh(tmp_path, "coord")
    before = both_dumps(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as refused:
        import_bundle(ws, sent)
    assert f"observations.jsonl line {at + 1} has a value that is not allowed" in \
        refused.value.message
    assert any(matched)  # the other lines were taken as unchanged first
    assert both_dumps(coord) == before


def test_a_delta_sized_file_is_parsed_not_matched(world: World, tmp_path: Path,
                                                  matched: list[dict[int, str] | None]
                                                  ) -> None:
    """A file far smaller than what the site has stored (a delta's) is not worth
    reading every stored row for: its lines are parsed and looked up by id."""
    site = world.fresh(tmp_path, "A")

    def few(m: dict[str, Any], records: dict[str, list[dict[str, Any]]]) -> None:
        m["sequence"] = 9
        records["observation"] = records["observation"][:unchanged.UNCHANGED_MIN]

    coord = world.fresh(tmp_path, "coord")
    con = sqlite3.connect(coord)  # A has many more values here than the file carries
    rows = con.execute("SELECT * FROM observations WHERE owner_site_id = ?",
                       (world.a,)).fetchall()
    columns = [c[1] for c in con.execute("PRAGMA table_info(observations)")]
    at = columns.index("id")
    period = columns.index("period")
    for k in range(3):
        for n, row in enumerate(rows):
            copy = list(row)
            copy[at] = f"{row[at][:-6]}{k:02d}{n:04d}"
            copy[period] = f"{1990 + k}-{1 + n % 12:02d}-{1 + n // 12:02d}"
            con.execute(f"INSERT INTO observations VALUES ({','.join('?' * len(copy))})",
                        copy)
    con.commit()
    con.close()
    sent = resign(world.a1, tmp_path / "few.nicbundle", world.key_of(site), change=few)
    with Workspace.open(coord) as ws:
        summary = import_bundle(ws, sent)
    assert summary.per_kind["observation"] == unchanged.UNCHANGED_MIN
    assert (summary.new, summary.updated) == (0, 0)
    assert not any(matched)
