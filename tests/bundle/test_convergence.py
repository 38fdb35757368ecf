"""Convergence through the real store and real bundles, no mocks.

A coordinator (Hub) and three schools S1, S2, S3; S1 works on two computers (a copy of
its workspace with its own device id and its own key, enrolled for S1).  On a seeded
schedule every device edits records its site owns (observations and their notes, notes
on the run chart — annotations —, the fields of a PDSA cycle) and the coordinator edits
network-level records (charter norms and roles, the network measure's definition and
unit).  Site bundles and digests are exported and delivered with some lost, some
duplicated and some delayed (hence reordered).  The network's small-count threshold is
set to 1 before the first digest, so no cell is suppressed and every workspace can hold
every value.

At the end one clean round: every device exports, the coordinator imports them all,
exports a digest, and every device imports it (some twice).  Then:

- every workspace holds the same shared records (`nicdesk dump --json` byte-identical);
- no edit is lost: every value a device wrote is the final value of its field, or is
  kept as a conflict (a `record_versions` row) somewhere, or was overwritten by an edit
  made after seeing it (causality tracked by the simulation with version vectors that
  travel with the bundles).

Two devices of one site never create an observation for the same period here (each
draws periods from its own pool): that case is `test_two_devices_same_period`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from nicdesk.bundle.export import export_bundle
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.store.schema import (
    Annotation,
    Charter,
    Measure,
    Network,
    Observation,
    PdsaCycle,
    RecordVersion,
)
from nicdesk.store.workspace import Workspace

from .exchange_helpers import add_device, export, ids, json_dump, make_network, sql_dump

SEEDS = list(range(1, 13))
ROUNDS = 10
DEVICES = ("S1", "S1b", "S2", "S3")
COORD = "Hub"
SITE_OF = {"S1": "S1", "S1b": "S1", "S2": "S2", "S3": "S3"}
CYCLE_FIELDS = ("objective", "study_learned", "do_observations", "act_next", "scale",
                "decision")
DECISIONS = ("", "adopt", "adapt", "abandon", "expand", "spread")


# ------------------------------------------------------------------ the template network
@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Coordinator + S1 (two devices), S2, S3, with a first complete exchange done."""
    root = tmp_path_factory.mktemp("convergence")
    data = root / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NICDESK_DATA_DIR", str(data))
        coord, sites = make_network(root, ("S1", "S2", "S3"))
        known = ids(coord)
        with Workspace.open(coord) as ws:
            # before the first digest: no cell is small, every value travels
            ws.ops.update("network", known["network"], suppression_threshold=1)
            ws.ops.create("charter", network_id=known["network"], norms="Share data",
                          roles="Hub convenes")
        for name, path in sites.items():
            me = ids(path)["local"]
            with Workspace.open(path) as ws:
                ws.ops.create("pdsa_cycle", site_id=me, title=f"{name} advisory",
                              cycle_number=1)
                ws.ops.create("observation", measure_id=known["measures"]["On track"],
                              site_id=me, period="2025-01-01", value=0.5, numerator=10,
                              denominator=20)
        paths = {**sites, "S1b": add_device(coord, sites["S1"], "S1", "laptopS1b",
                                            root / "S1b.nicdesk")}
        bundles = [export(paths[d], root / f"first-{d}.nicbundle") for d in DEVICES]
        with Workspace.open(coord) as ws:
            for b in bundles:
                import_bundle(ws, b)
        digest = export(coord, root / "first-digest.nicbundle", "digest")
        for d in DEVICES:
            with Workspace.open(paths[d]) as ws:
                import_bundle(ws, digest)
    return {"root": root, "data": data, "coord": coord, "paths": paths, "known": known}


# ------------------------------------------------------------------ the simulation
@dataclass
class Write:
    writer: str
    n: int  # the writer's n-th write
    kind: str
    record: str
    field: str
    value: Any
    saw: dict[str, int]  # what the writer had seen when it wrote (its version vector)


@dataclass
class Sim:
    seed: int
    root: Path
    paths: dict[str, Path]  # device or COORD -> workspace file
    known: dict[str, Any]
    rng: random.Random = field(init=False)
    ws: dict[str, Workspace] = field(default_factory=dict)
    seen: dict[str, dict[str, int]] = field(default_factory=dict)
    writes: list[Write] = field(default_factory=list)
    pools: dict[str, list[str]] = field(default_factory=dict)
    to_coord: list[tuple[Path, dict[str, int]]] = field(default_factory=list)
    to_device: dict[str, list[tuple[Path, dict[str, int]]]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    n_files: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        for who in self.paths:
            self.seen[who] = defaultdict(int)
        for i, d in enumerate(DEVICES):  # disjoint periods: no two devices make one cell
            self.pools[d] = [dt.date(2026 + i, m, 1).isoformat() for m in range(1, 13)]
        self.to_device = {d: [] for d in DEVICES}

    # -------------------------------------------------------------- bookkeeping
    def wrote(self, who: str, kind: str, record: str, values: dict[str, Any]) -> None:
        for name, value in values.items():
            self.seen[who][who] += 1
            self.writes.append(Write(who, self.seen[who][who], kind, record, name, value,
                                     dict(self.seen[who])))

    def learn(self, who: str, vector: dict[str, int]) -> None:
        for k, v in vector.items():
            self.seen[who][k] = max(self.seen[who][k], v)

    def path(self, stem: str) -> Path:
        self.n_files += 1
        return self.root / f"{self.n_files:04d}-{stem}.nicbundle"

    # -------------------------------------------------------------- edits
    def edit_device(self, d: str) -> None:
        ws = self.ws[d]
        me = ws.meta()["local_site_id"]
        on_track = self.known["measures"]["On track"]
        with ws.read() as s:
            obs = {o.id: o for o in s.scalars(select(Observation).where(
                Observation.site_id == me))}
            notes = {a.id: a for a in s.scalars(select(Annotation).where(
                Annotation.site_id == me, Annotation.deleted.is_(False)))}
            cycles = list(s.scalars(select(PdsaCycle).where(PdsaCycle.site_id == me)))
        live = sorted(i for i, o in obs.items() if not o.deleted)
        used = {o.period.isoformat() for o in obs.values() if not o.deleted}
        free = [p for p in self.pools[d] if p not in used]
        r = self.rng
        actions = ["create obs", "update obs", "update obs", "delete obs", "create note",
                   "update note", "delete note", "cycle", "cycle"]
        if SITE_OF[d] == "S1":  # two computers of one site: more edits of the same fields
            actions += ["cycle", "cycle", "cycle", "update obs"]
        action = r.choice(actions)
        if action == "create obs" and free:
            den = r.randint(10, 40)
            num = r.randint(0, den)
            values = {"numerator": float(num), "denominator": float(den),
                      "value": round(num / den, 4), "note": f"{d} new {r.randint(0, 999)}"}
            period = r.choice(free)
            made = ws.ops.create("observation", measure_id=on_track, site_id=me,
                                 period=period, **values)
            self.wrote(d, "observation", made.created[0], {**values, "deleted": False})
        elif action == "update obs" and live:
            rid = r.choice(live)
            if r.random() < 0.5:
                values = {"note": f"{d} note {r.randint(0, 10**6)}"}
            else:
                den = r.randint(10, 40)
                num = r.randint(0, den)
                values = {"numerator": float(num), "denominator": float(den),
                          "value": round(num / den, 4)}
            self.update(d, "observation", rid, obs[rid], values)
        elif action == "delete obs" and live:
            rid = r.choice(live)
            ws.ops.delete("observation", rid)
            self.wrote(d, "observation", rid, {"deleted": True})
        elif action == "create note":
            text = f"{d} annotation {r.randint(0, 10**6)}"
            made = ws.ops.create("annotation", measure_id=on_track, site_id=me,
                                 date=r.choice(self.pools[d]), text=text)
            self.wrote(d, "annotation", made.created[0], {"text": text, "deleted": False})
        elif action == "update note" and notes:
            rid = r.choice(sorted(notes))
            self.update(d, "annotation", rid, notes[rid],
                        {"text": f"{d} edit {r.randint(0, 10**6)}"})
        elif action == "delete note" and notes:
            rid = r.choice(sorted(notes))
            ws.ops.delete("annotation", rid)
            self.wrote(d, "annotation", rid, {"deleted": True})
        elif action == "cycle" and cycles:
            cycle = r.choice(cycles)
            name = r.choice(CYCLE_FIELDS[:2] if SITE_OF[d] == "S1" and r.random() < 0.5
                            else CYCLE_FIELDS)
            value = r.choice(DECISIONS) if name == "decision" else \
                f"{d} {name} {r.randint(0, 10**6)}"
            self.update(d, "pdsa_cycle", cycle.id, cycle, {name: value})

    def edit_coordinator(self) -> None:
        ws = self.ws[COORD]
        r = self.rng
        with ws.read() as s:
            charter = s.scalars(select(Charter)).one()
            measure = s.get(Measure, self.known["measures"]["On track"])
        if r.random() < 0.5:
            name = r.choice(["norms", "roles"])
            self.update(COORD, "charter", charter.id, charter,
                        {name: f"Hub {name} {r.randint(0, 10**6)}"})
        else:
            name = r.choice(["definition", "unit"])
            self.update(COORD, "measure", measure.id, measure,
                        {name: f"Hub {name} {r.randint(0, 10**6)}"})

    def update(self, who: str, kind: str, rid: str, row: Any, values: dict[str, Any]) -> None:
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if changed:
            self.ws[who].ops.update(kind, rid, **changed)
            self.wrote(who, kind, rid, changed)

    # -------------------------------------------------------------- delivery
    def import_(self, who: str, bundle: Path, vector: dict[str, int]) -> None:
        try:
            summary = import_bundle(self.ws[who], bundle)
        except BundleError as exc:  # never expected: say exactly what happened
            raise AssertionError(f"seed {self.seed}: {who} refused {bundle.name}: "
                                 f"{exc.message}\n" + "\n".join(self.log[-30:])) from exc
        self.learn(who, vector)
        self.counts["already" if summary.already else "imported"] += 1
        self.counts["conflicts"] += summary.conflicts
        self.log.append(f"{who} <- {bundle.name}: {summary.text()}")

    def deliver(self, pending: list[tuple[Path, dict[str, int]]], who: str) -> None:
        """Each bundle in transit is lost, held back (arrives later, out of order),
        delivered, or delivered and kept to arrive once more (a duplicate)."""
        keep = []
        self.rng.shuffle(pending)
        for item in pending:
            roll = self.rng.random()
            if roll < 0.15:
                self.counts["lost"] += 1
                self.log.append(f"lost {item[0].name} to {who}")
            elif roll < 0.40:
                self.counts["delayed"] += 1
                keep.append(item)
            else:
                self.import_(who, *item)
                if self.rng.random() < 0.2:
                    self.counts["duplicated"] += 1
                    keep.append(item)
        pending[:] = keep

    def round(self, number: int) -> None:
        r = self.rng
        writers = [*DEVICES, COORD]
        r.shuffle(writers)
        for who in writers:
            for _ in range(r.randint(0, 4)):
                if who == COORD:
                    self.edit_coordinator()
                else:
                    self.edit_device(who)
        for d in DEVICES:
            if r.random() < 0.7:
                b = self.path(f"r{number}-{d}")
                export_bundle(self.ws[d], b)
                self.to_coord.append((b, dict(self.seen[d])))
        self.deliver(self.to_coord, COORD)
        if r.random() < 0.8:
            b = self.path(f"r{number}-digest")
            export_bundle(self.ws[COORD], b, kind="digest")
            for d in DEVICES:
                self.to_device[d].append((b, dict(self.seen[COORD])))
        for d in DEVICES:
            self.deliver(self.to_device[d], d)

    def clean_round(self) -> None:
        """Everything once more, nothing lost: then every workspace must agree."""
        finals = []
        for d in DEVICES:
            b = self.path(f"final-{d}")
            export_bundle(self.ws[d], b)
            finals.append((b, dict(self.seen[d])))
        self.rng.shuffle(finals)
        for item in finals:
            self.import_(COORD, *item)
        b = self.path("final-digest")
        export_bundle(self.ws[COORD], b, kind="digest")
        for d in DEVICES:
            self.import_(d, b, dict(self.seen[COORD]))
            if self.rng.random() < 0.5:
                self.import_(d, b, dict(self.seen[COORD]))


@dataclass
class Outcome:
    sim: Sim
    dumps: dict[str, str]
    final: dict[tuple[str, str, str], Any]
    kept: set[tuple[str, str, str, str]]  # (kind, id, field, repr(value)) in record_versions


_RESULTS: dict[int, Outcome] = {}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def run_simulation(template: dict[str, Any], seed: int, tmp: Path) -> Outcome:
    if seed in _RESULTS:
        return _RESULTS[seed]
    root = tmp / f"seed{seed}"
    root.mkdir()
    paths = {}
    for who, src in [*template["paths"].items(), (COORD, template["coord"])]:
        paths[who] = root / src.name
        shutil.copyfile(src, paths[who])
    sim = Sim(seed, root, paths, template["known"])
    with contextlib.ExitStack() as stack:
        for who, p in paths.items():
            sim.ws[who] = stack.enter_context(Workspace.open(p))
        for number in range(ROUNDS):
            sim.round(number)
        sim.clean_round()
        final: dict[tuple[str, str, str], Any] = {}
        kept: set[tuple[str, str, str, str]] = set()
        from nicdesk.store.schema import MODELS

        with sim.ws[COORD].read() as s:
            for w in sim.writes:
                row = s.get(MODELS[w.kind], w.record)
                final[(w.kind, w.record, w.field)] = _plain(getattr(row, w.field))
        for ws in sim.ws.values():
            with ws.read() as s:
                for v in s.scalars(select(RecordVersion)):
                    kept.add((v.kind, v.record_id, v.field, repr(_plain(v.value))))
    dumps = {who: json_dump(p) for who, p in paths.items()}
    _RESULTS[seed] = Outcome(sim, dumps, final, kept)
    return _RESULTS[seed]


@pytest.fixture
def keys_of_template(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NICDESK_DATA_DIR", str(template["data"]))


# ------------------------------------------------------------------ the properties
@pytest.mark.parametrize("seed", SEEDS)
def test_every_workspace_ends_with_the_same_records(template, keys_of_template,
                                                    tmp_path_factory, seed: int) -> None:
    out = run_simulation(template, seed, tmp_path_factory.mktemp("sim"))
    sim = out.sim
    print(f"\n[convergence seed {seed}] {len(sim.writes)} field writes, "
          + ", ".join(f"{k} {v}" for k, v in sorted(sim.counts.items())))
    assert sim.counts["lost"] and sim.counts["delayed"], "the schedule should be hostile"
    reference = out.dumps[COORD]
    for who, text in out.dumps.items():
        assert text == reference, f"seed {seed}: {who} differs from the coordinator"
    with Workspace.open(sim.paths[COORD]) as ws, ws.read() as s:
        assert s.scalars(select(Network)).one().suppression_threshold == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_no_edit_is_lost(template, keys_of_template, tmp_path_factory,
                         seed: int) -> None:
    out = run_simulation(template, seed, tmp_path_factory.mktemp("sim"))
    lost = []
    how: dict[str, int] = defaultdict(int)
    by_field: dict[tuple[str, str, str], list[Write]] = defaultdict(list)
    for w in out.sim.writes:
        by_field[(w.kind, w.record, w.field)].append(w)
    for key, writes in by_field.items():
        for w in writes:
            value = _plain(w.value)
            if out.final[key] == value:
                how["final"] += 1
                continue
            if (*key, repr(value)) in out.kept:
                how["kept as a conflict"] += 1
                continue
            if any(o.saw.get(w.writer, 0) >= w.n for o in writes if o is not w):
                how["overwritten after being seen"] += 1
                continue
            winner = next((o for o in writes if _plain(o.value) == out.final[key]), None)
            lost.append(f"{w.writer} wrote {key[0]}.{key[2]}={value!r} (its write {w.n}); "
                        f"final {out.final[key]!r} by "
                        f"{winner.writer + ' write ' + str(winner.n) if winner else '?'}, "
                        f"which had seen {w.writer} up to "
                        f"{winner.saw.get(w.writer, 0) if winner else '?'}; "
                        f"the winner's writes to this field: "
                        f"{[o.n for o in writes if winner and o.writer == winner.writer]}"
                        " (more than one: see test_concurrent_edit_survives_the_other_"
                        "device_editing_twice)")
    print(f"\n[convergence seed {seed}] writes: " + ", ".join(
        f"{k} {v}" for k, v in sorted(how.items())) + f", lost {len(lost)}")
    assert not lost, f"seed {seed}: {len(lost)} edits lost without a trace:\n" + \
        "\n".join(lost[:10])


# ------------------------------------------------------------------ two devices, one cell
def _two_devices(template: dict[str, Any], tmp: Path) -> dict[str, Path]:
    paths = {}
    for who, src in [("S1", template["paths"]["S1"]), ("S1b", template["paths"]["S1b"]),
                     (COORD, template["coord"])]:
        paths[who] = tmp / src.name
        shutil.copyfile(src, paths[who])
    return paths


def test_two_devices_same_period(template, keys_of_template, tmp_path) -> None:
    """Both computers of S1 enter a value for the same month while offline.  Each edit is
    a legitimate write by S1; both must reach the coordinator and the other computer, one
    value kept and the other kept as a conflict — not a bundle refused forever."""
    paths = _two_devices(template, tmp_path)
    on_track = template["known"]["measures"]["On track"]
    for who, num in (("S1", 7.0), ("S1b", 9.0)):
        with Workspace.open(paths[who]) as ws:
            ws.ops.create("observation", measure_id=on_track, site_id=ws.meta()[
                "local_site_id"], period="2025-06-01", value=num / 20, numerator=num,
                denominator=20.0)
    b1 = export(paths["S1"], tmp_path / "s1.nicbundle")
    b2 = export(paths["S1b"], tmp_path / "s1b.nicbundle")
    with Workspace.open(paths[COORD]) as ws:
        import_bundle(ws, b1)
        import_bundle(ws, b2)  # today: refused, and so is every later bundle of S1b
    digest = export(paths[COORD], tmp_path / "d.nicbundle", "digest")
    for who in ("S1", "S1b"):
        with Workspace.open(paths[who]) as ws:
            import_bundle(ws, digest)
    values = set()
    for p in paths.values():
        with Workspace.open(p) as ws, ws.read() as s:
            values |= {o.numerator for o in s.scalars(select(Observation).where(
                Observation.period == dt.date(2025, 6, 1)))}
            values |= {v.value for v in s.scalars(select(RecordVersion).where(
                RecordVersion.field == "numerator"))}
    assert {7.0, 9.0} <= values


# ------------------------------------------------------------------ a field written twice
@pytest.mark.parametrize("order", ["S1 first", "S1b first"])
def test_concurrent_edit_survives_the_other_device_editing_twice(
        template, keys_of_template, tmp_path, order: str) -> None:
    """S1 edits a cycle's objective once; S1b, offline and later, edits the same field
    twice.  S1's edit was never seen by S1b, so it must be kept as a conflict — not
    dropped because S1b's second edit names S1b's own first edit as what it replaced."""
    paths = _two_devices(template, tmp_path)
    with Workspace.open(paths["S1"]) as ws, ws.read() as s:
        cycle = s.scalars(select(PdsaCycle).where(
            PdsaCycle.site_id == ws.meta()["local_site_id"])).one().id
    with Workspace.open(paths["S1"]) as ws:
        ws.ops.update("pdsa_cycle", cycle, objective="S1: check in daily")
    with Workspace.open(paths["S1b"]) as ws:
        ws.ops.update("pdsa_cycle", cycle, objective="S1b: check in weekly")
        ws.ops.update("pdsa_cycle", cycle, objective="S1b: check in weekly, Mondays")
    bundles = [export(paths["S1"], tmp_path / "s1.nicbundle"),
               export(paths["S1b"], tmp_path / "s1b.nicbundle")]
    if order == "S1b first":
        bundles.reverse()
    with Workspace.open(paths[COORD]) as ws:
        for b in bundles:
            import_bundle(ws, b)
        with ws.read() as s:
            final = s.get(PdsaCycle, cycle).objective
            kept = [v.value for v in s.scalars(select(RecordVersion).where(
                RecordVersion.record_id == cycle, RecordVersion.field == "objective"))]
    assert final == "S1b: check in weekly, Mondays"
    assert "S1: check in daily" in kept, f"S1's edit vanished (kept: {kept})"


# ------------------------------------------------------------------ small cells, one site
def test_second_device_sees_its_own_sites_small_cells(template, keys_of_template,
                                                      tmp_path) -> None:
    """The network digest strips a small cell's numbers for every site; a digest written
    for S1 alone keeps S1's own cells, so S1's second computer learns them — and no other
    site can import that digest."""
    paths = _two_devices(template, tmp_path)
    known = template["known"]
    with Workspace.open(paths[COORD]) as ws:
        ws.ops.update("network", known["network"], suppression_threshold=10)
    with Workspace.open(paths["S1"]) as ws:
        s1 = ws.meta()["local_site_id"]
        made = ws.ops.create("observation", measure_id=known["measures"]["On track"],
                             site_id=s1, period="2025-07-01",
                             value=0.6, numerator=3.0, denominator=5.0)
    with Workspace.open(paths[COORD]) as ws:
        import_bundle(ws, export(paths["S1"], tmp_path / "s1.nicbundle"))
    network_digest = export(paths[COORD], tmp_path / "d.nicbundle", "digest")
    with Workspace.open(paths["S1b"]) as ws:
        import_bundle(ws, network_digest)
        with ws.read() as s:
            row = s.get(Observation, made.created[0])
            assert row is not None and row.numerator is None  # suppressed for everyone
    with Workspace.open(paths[COORD]) as ws:
        export_bundle(ws, tmp_path / "d-s1.nicbundle", kind="digest", for_site=s1)
    with Workspace.open(paths["S1b"]) as ws:
        import_bundle(ws, tmp_path / "d-s1.nicbundle")
        with ws.read() as s:
            row = s.get(Observation, made.created[0])
            assert (row.numerator, row.denominator) == (3.0, 5.0)
    s2 = tmp_path / template["paths"]["S2"].name
    shutil.copyfile(template["paths"]["S2"], s2)
    before = sql_dump(s2)
    with Workspace.open(s2) as ws, pytest.raises(BundleError, match="written for"):
        import_bundle(ws, tmp_path / "d-s1.nicbundle")
    assert sql_dump(s2) == before
