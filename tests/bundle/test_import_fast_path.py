"""The import fast path (issue #20): records whose clocks and values equal the stored
ones are left alone, new ones go in with one executemany, only changed ones are merged
as objects — and the result is always that of the per-record merge
(`import_bundle(..., method="per-record")`, the reference path).

The network (built once per module): a coordinator (Hub) with schools A and B, A on two
laptops (A and A2, each with its own enrolled key).  A has 40 weekly values of the
network's proportion measure, B has 5; both sent bundle 1, and the coordinator imported
them (`base`).  Every test copies these files first.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from nicdesk.bundle import keys
from nicdesk.bundle.importer import BundleError, import_bundle, import_together
from nicdesk.services.exchange import import_many
from nicdesk.store.schema import Observation
from nicdesk.store.workspace import Workspace

from .exchange_helpers import (
    add_device,
    both_dumps,
    export,
    ids,
    json_dump,
    keys_folder,
    make_network,
    one_line_refusal,
    resign,
)

WEEKS = 40


def add_weeks(path: Path, measure: str, site: str, weeks: int) -> None:
    start = dt.date(2025, 9, 1)
    with Workspace.open(path) as ws, ws.ops.batch("values") as t:
        for w in range(weeks):
            t.create("observation", measure_id=measure, site_id=site,
                     period=start + dt.timedelta(weeks=w), numerator=10 + w % 7,
                     denominator=30, note=f"week {w}")


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.coord, self.sites = make_network(root, ["A", "B"])
        got = ids(self.coord)
        self.measure = got["measures"]["On track"]
        self.a, self.b = got["sites"]["A"], got["sites"]["B"]
        add_weeks(self.sites["A"], self.measure, self.a, WEEKS)
        add_weeks(self.sites["B"], self.measure, self.b, 5)
        self.laptop2 = add_device(self.coord, self.sites["A"], "A", "laptopA2",
                                  root / "A2.nicdesk")
        self.a1 = export(self.sites["A"], root / "a1.nicbundle")
        self.b1 = export(self.sites["B"], root / "b1.nicbundle")
        with Workspace.open(self.coord) as ws:
            import_bundle(ws, self.a1)
            import_bundle(ws, self.b1)
        self.base = root / "base.nicdesk"
        shutil.copyfile(self.coord, self.base)
        self.templates = {name: root / f"{name}.template" for name in ("A", "A2")}
        shutil.copyfile(self.sites["A"], self.templates["A"])
        shutil.copyfile(self.laptop2, self.templates["A2"])

    def key_of(self, path: Path) -> Any:
        with Workspace.open(path) as ws:
            return keys.load(ws.meta()["signing_key"]).private

    def fresh(self, tmp: Path, name: str) -> Path:
        """A copy of the coordinator (or a laptop) as the module built it."""
        src = {"coord": self.base, "A": self.templates["A"], "A2": self.templates["A2"]}[name]
        dst = tmp / f"{name}.nicdesk"
        shutil.copyfile(src, dst)
        return dst


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("fastpath")
    with keys_folder(root / "data"):  # the laptops' keys
        yield World(root)


@pytest.fixture(autouse=True)
def keys_dir(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NICDESK_DATA_DIR", str(world.root / "data"))


def versions(path: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT kind, record_id, field, value, hlc, kept_hlc, resolved "
                           "FROM record_versions ORDER BY id").fetchall()
    finally:
        con.close()


def counts(summary: Any) -> tuple[int, int, int, int, dict[str, int], bool]:
    return (summary.new, summary.updated, summary.unchanged, summary.conflicts,
            summary.per_kind, summary.already)


def obs_ids(path: Path) -> list[str]:
    local = ids(path)["local"]
    with Workspace.open(path) as ws, ws.read() as s:
        return sorted(o.id for o in s.query(Observation).filter_by(site_id=local))


def both_ways(tmp: Path, world: World, bundles: list[Path]) -> tuple[Path, list[Any]]:
    """Import `bundles` in turn into two fresh copies of the coordinator, by the fast and
    by the per-record path; assert the same summaries, dumps and record versions."""
    fast, slow = tmp / "fast.nicdesk", tmp / "slow.nicdesk"
    shutil.copyfile(world.base, fast)
    shutil.copyfile(world.base, slow)
    got: list[Any] = []
    for method, path in (("fast", fast), ("per-record", slow)):
        with Workspace.open(path) as ws:
            summaries = []
            for b in bundles:
                try:
                    summaries.append(counts(import_bundle(ws, b, method=method)))
                except BundleError as exc:
                    summaries.append(exc.message)
        got.append(summaries)
    assert got[0] == got[1]
    assert json_dump(fast) == json_dump(slow)
    assert versions(fast) == versions(slow)
    return fast, got[0]


# ------------------------------------------------------------------ unchanged snapshots
def test_reimport_of_an_unchanged_snapshot_changes_nothing(world: World, tmp_path: Path
                                                           ) -> None:
    site = world.fresh(tmp_path, "A")
    again = export(site, tmp_path / "a2.nicbundle")  # A's full snapshot, nothing changed
    coord = world.fresh(tmp_path, "coord")
    before = json_dump(coord)
    with Workspace.open(coord) as ws:
        summary = import_bundle(ws, again)
    assert (summary.new, summary.updated, summary.conflicts) == (0, 0, 0)
    assert summary.unchanged == sum(summary.per_kind.values()) > WEEKS
    assert summary.changes.ids == frozenset()
    assert json_dump(coord) == before
    assert versions(coord) == []


# ------------------------------------------------------------------ 1 % changed
def test_changed_records_and_a_concurrent_conflict_merge_exactly(world: World,
                                                                 tmp_path: Path) -> None:
    a, a2 = world.fresh(tmp_path, "A"), world.fresh(tmp_path, "A2")
    rows = obs_ids(a)
    x, y = rows[3], rows[17]
    with Workspace.open(a2) as ws:  # laptop 2 edits x's note first
        ws.ops.update("observation", x, note="from laptop 2")
    from_2 = export(a2, tmp_path / "from2.nicbundle")
    with Workspace.open(a) as ws:  # laptop 1, not having seen it: x's note and y
        ws.ops.update("observation", x, note="from laptop 1")
        ws.ops.update("observation", y, numerator=29)
    from_1 = export(a, tmp_path / "from1.nicbundle")
    fast, summaries = both_ways(tmp_path, world, [from_2, from_1])
    assert summaries[0][:4] == (0, 1, summaries[0][2], 0)
    new, updated, unchanged, conflicts, per_kind, _ = summaries[1]
    assert (new, updated, conflicts) == (0, 2, 1)
    assert unchanged == sum(per_kind.values()) - 2
    kept = versions(fast)
    assert [(k, r, f, json.loads(v)) for k, r, f, v, *_ in kept] == [
        ("observation", x, "note", "from laptop 2")]
    with Workspace.open(fast) as ws, ws.read() as s:
        assert s.get(Observation, x).note == "from laptop 1"
        assert s.get(Observation, y).numerator == 29


def test_an_equal_clock_with_another_value_is_not_skipped(world: World, tmp_path: Path
                                                          ) -> None:
    """Clocks alone never decide the skip: a value sent twice with one stamp but two
    contents (a sender that told two receivers different things) is settled and kept as
    a conflict, exactly as the per-record merge does."""
    site = world.fresh(tmp_path, "A")
    target = obs_ids(site)[5]

    def retell(_m: dict[str, Any], records: dict[str, list[dict[str, Any]]]) -> None:
        _m["sequence"] = 7
        for r in records["observation"]:
            if r["id"] == target:
                r["note"] = "told differently"  # its clock unchanged

    told = resign(world.a1, tmp_path / "told.nicbundle", world.key_of(site), change=retell)
    fast, summaries = both_ways(tmp_path, world, [told])
    assert summaries[0][3] == 1  # one conflict kept
    assert [f for _k, r, f, *_ in versions(fast) if r == target] == ["note"]


# ------------------------------------------------------------------ refusals
def _tamper(world: World, how: str) -> Any:
    """A change to A's unchanged snapshot that must be refused."""

    def change(_m: dict[str, Any], records: dict[str, list[dict[str, Any]]]) -> None:
        _m["sequence"] = 9
        obs = records["observation"]
        if how == "site of another school":
            obs[0]["site_id"] = world.b  # clocks as stored: would be skipped if unchecked
        elif how == "another school's record":
            with Workspace.open(world.base) as ws, ws.read() as s:
                theirs = s.query(Observation).filter_by(site_id=world.b).first()
                from nicdesk.bundle.format import to_json

                stolen = to_json("observation", theirs)
            stolen["owner_site_id"] = world.a  # as stored otherwise: same clocks
            obs.append(stolen)
        elif how == "impossible proportion":
            obs[1]["numerator"] = 31.0  # of 30, clocks unchanged
        else:
            raise AssertionError(how)
    return change


@pytest.mark.parametrize("how", ["site of another school", "another school's record",
                                 "impossible proportion"])
def test_a_tampered_record_in_an_unchanged_bundle_is_refused(world: World, tmp_path: Path,
                                                             how: str) -> None:
    site = world.fresh(tmp_path, "A")
    bad = resign(world.a1, tmp_path / "bad.nicbundle", world.key_of(site),
                 change=_tamper(world, how))
    coord = world.fresh(tmp_path, "coord")
    before = both_dumps(coord)
    with Workspace.open(coord) as ws, pytest.raises(BundleError) as refused:
        import_bundle(ws, bad)
    assert one_line_refusal(refused.value.message)
    assert both_dumps(coord) == before


# ------------------------------------------------------------------ several together
def test_bundles_imported_together_equal_one_after_the_other(world: World, tmp_path: Path
                                                             ) -> None:
    a, a2 = world.fresh(tmp_path, "A"), world.fresh(tmp_path, "A2")
    rows = obs_ids(a)
    with Workspace.open(a) as ws:
        ws.ops.update("observation", rows[0], note="one")
    with Workspace.open(a2) as ws:
        ws.ops.update("observation", rows[0], note="two")
        ws.ops.update("observation", rows[1], numerator=1)
    bundles = [export(a, tmp_path / "x.nicbundle"), export(a2, tmp_path / "y.nicbundle")]
    together, apart = world.fresh(tmp_path, "coord"), tmp_path / "apart.nicdesk"
    shutil.copyfile(together, apart)
    with Workspace.open(together) as ws:
        joint = [counts(x) for x in import_together(ws, bundles)]
    with Workspace.open(apart) as ws:
        single = [counts(import_bundle(ws, b)) for b in bundles]
    assert joint == single
    assert json_dump(together) == json_dump(apart)
    assert versions(together) == versions(apart)
    with Workspace.open(together) as ws:  # both recorded: a replay changes nothing
        assert all(x.already for x in import_together(ws, bundles))


def test_a_refusal_among_several_keeps_the_others(world: World, tmp_path: Path) -> None:
    a = world.fresh(tmp_path, "A")
    target = obs_ids(a)[2]
    with Workspace.open(a) as ws:
        ws.ops.update("observation", target, note="good")
    good = export(a, tmp_path / "good.nicbundle")
    bad = resign(world.a1, tmp_path / "bad.nicbundle", world.key_of(a),
                 change=_tamper(world, "site of another school"))
    coord, alone = world.fresh(tmp_path, "coord"), tmp_path / "alone.nicdesk"
    shutil.copyfile(coord, alone)
    with Workspace.open(coord) as ws:
        outcomes = import_many(ws, [bad, good])
        with pytest.raises(BundleError):
            import_together(ws, [good, bad])  # all or nothing
    assert [o.refused for o in outcomes] == [True, False]
    assert one_line_refusal(outcomes[0].message)
    with Workspace.open(alone) as ws:
        import_bundle(ws, good)
    assert json_dump(coord) == json_dump(alone)


# ------------------------------------------------------------------ property
edit = st.tuples(st.integers(0, WEEKS - 1),
                 st.sampled_from(["note", "numerator", "excluded", "delete"]),
                 st.integers(0, 30))


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=st.lists(edit, max_size=6), second=st.lists(edit, max_size=6),
       order=st.lists(st.sampled_from([0, 1, 2]), min_size=1, max_size=4))
def test_fast_path_equals_per_record_merge(world: World, tmp_path_factory: Any,
                                           first: list[Any], second: list[Any],
                                           order: list[int]) -> None:
    """Any edits on A's two laptops, their snapshots delivered in any order (repeats
    included): the fast path's database equals the per-record merge's."""
    tmp = tmp_path_factory.mktemp("prop")
    a, a2 = world.fresh(tmp, "A"), world.fresh(tmp, "A2")
    rows = obs_ids(a)
    for path, edits in ((a, first), (a2, second)):
        with Workspace.open(path) as ws:
            for i, what, value in edits:
                with ws.read() as s:
                    if s.get(Observation, rows[i]).deleted:
                        continue
                if what == "delete":
                    ws.ops.delete("observation", rows[i])
                elif what == "note":
                    ws.ops.update("observation", rows[i], note=f"note {value}")
                elif what == "numerator":
                    ws.ops.update("observation", rows[i], numerator=value)
                else:
                    ws.ops.update("observation", rows[i], excluded=bool(value % 2),
                                  exclusion_reason="why" if value % 2 else "")
    bundles = [world.a1, export(a, tmp / "p1.nicbundle"), export(a2, tmp / "p2.nicbundle")]
    both_ways(tmp, world, [bundles[k] for k in order])


def test_a_digest_imports_the_same_both_ways(world: World, tmp_path: Path) -> None:
    """At a site, the coordinator's digest (every site's records, some already there,
    small counts suppressed) gives the same database by either path."""
    coord = world.fresh(tmp_path, "coord")
    digest = export(coord, tmp_path / "digest.nicbundle", kind="digest")
    results = []
    for method in ("fast", "per-record"):
        site = tmp_path / f"site-{method}.nicdesk"
        shutil.copyfile(world.templates["A"], site)
        with Workspace.open(site) as ws:
            summary = import_bundle(ws, digest, method=method)  # type: ignore[arg-type]
        results.append((counts(summary), json_dump(site), versions(site)))
    assert results[0] == results[1]
    assert results[0][0][0] > 0  # B's records were new here
