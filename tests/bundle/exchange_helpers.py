"""Helpers shared by the exchange tests (authority attacks, convergence): building a
network of real workspaces with genuinely enrolled keys, dumping a workspace two ways,
and re-signing a changed copy of a genuine bundle with a genuine key.

Nothing here is a mock: every workspace is a real file, every bundle a real zip signed
with a real Ed25519 key, every import the real `import_bundle`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from nicdesk.bundle import minisign
from nicdesk.bundle.export import export_bundle
from nicdesk.bundle.format import TABLE_KIND, table_file
from nicdesk.cli.parser import main
from nicdesk.core.clock import Hlc, now_ms
from nicdesk.store.schema import Measure, Network, Site
from nicdesk.store.workspace import Workspace

DAY_MS = 24 * 3600 * 1000


def quiet_main(argv: list[str]) -> str:
    """Run the command line, returning what it printed (no pytest capsys needed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    assert code == 0, (argv, out.getvalue())
    return out.getvalue()


def make_network(root: Path, names: Iterable[str], *, coordinator: str = "Hub"
                 ) -> tuple[Path, dict[str, Path]]:
    """A coordinator workspace (site `coordinator`, a state agency) with one school per
    name and a network measure "On track" (a proportion); one workspace per school, each
    a copy that knows which site it is and signs with its own key, enrolled with the
    coordinator.  Keys go to the current NICDESK_DATA_DIR."""
    names = list(names)
    coord = root / "coordinator.nicdesk"
    with Workspace.create(coord) as ws:
        net = ws.ops.create("network", name="NIC").id
        hub = ws.ops.create("site", network_id=net, name=coordinator,
                            kind="state agency").id
        for name in names:
            ws.ops.create("site", network_id=net, name=name, kind="school", parent_id=hub)
        ws.ops.create("measure", network_id=net, name="On track", value_type="proportion")
    quiet_main(["keys", "init", str(coord), "--site", coordinator, "--coordinator"])
    sites = {}
    for name in names:
        path = root / f"{name}.nicdesk"
        shutil.copyfile(coord, path)
        with Workspace.open(path) as ws:
            # a copy of the coordinator's file must stop being the coordinator
            ws.set_meta(device_id=f"laptop{name}", bundle_sequence="0", signing_key="",
                        role="site")
        enrol(coord, path, name, root / f"{name}.pub")
        sites[name] = path
    return coord, sites


def enrol(coord: Path, path: Path, site: str, pub: Path) -> None:
    quiet_main(["keys", "init", str(path), "--site", site])
    quiet_main(["keys", "export-public", str(path), "--out", str(pub)])
    quiet_main(["network", "enroll", str(coord), str(pub), "--site", site])


def add_device(coord: Path, site_path: Path, site: str, device_id: str, out: Path) -> Path:
    """A second computer of the same site: a copy of its workspace with its own device
    id and its own key, enrolled for the same site (test_concurrent_edits_keep_both…)."""
    shutil.copyfile(site_path, out)
    with Workspace.open(out) as ws:
        ws.set_meta(device_id=device_id, signing_key="", bundle_sequence="0",
                    acknowledged_sequence="0")
    enrol(coord, out, site, out.with_suffix(".pub"))
    return out


def export(path: Path, out: Path, kind: str = "site") -> Path:
    with Workspace.open(path) as ws:
        export_bundle(ws, out, kind=kind)
    return out


def json_dump(path: Path) -> str:
    """`nicdesk dump --json`: every shared record as canonical JSON."""
    return quiet_main(["dump", str(path), "--json"])


def sql_dump(path: Path) -> str:
    """The sqlite3 `.dump` of the whole file: every table, workspace_meta included."""
    con = sqlite3.connect(path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def both_dumps(path: Path) -> tuple[str, str]:
    return json_dump(path), sql_dump(path)


def ids(path: Path) -> dict[str, Any]:
    """network id, site name -> id, measure name -> id, this workspace's site id."""
    with Workspace.open(path) as ws, ws.read() as s:
        return {"network": s.query(Network).one().id,
                "sites": {x.name: x.id for x in s.query(Site)},
                "measures": {m.name: m.id for m in s.query(Measure)},
                "local": ws.meta().get("local_site_id")}


def stamp(device: str, ahead_ms: int = 0) -> str:
    """A well-formed clock stamp of `device`, now (plus `ahead_ms`)."""
    return Hlc(now_ms() + ahead_ms, 0, device).encode()


# ------------------------------------------------------------------ bundles, taken apart
def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def read_records(path: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(manifest, kind -> records) of a bundle."""
    members = read_members(path)
    manifest = json.loads(members["manifest.json"])
    records: dict[str, list[dict[str, Any]]] = {}
    for name, data in members.items():
        if name.startswith("records/"):
            kind = TABLE_KIND[name.removeprefix("records/").removesuffix(".jsonl")]
            records[kind] = [json.loads(line) for line in data.decode().splitlines()
                             if line.strip()]
    return manifest, records


def encode_records(records: dict[str, list[dict[str, Any]]]) -> dict[str, bytes]:
    """kind -> records as the record files of a bundle.  Python's json writes NaN and
    Infinity as the bare tokens `NaN` / `Infinity`, as a hostile sender would."""
    files = {}
    for kind, rows in records.items():
        if rows:
            lines = [json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                     for r in rows]
            files[table_file(kind)] = ("\n".join(lines) + "\n").encode()
    return files


def write_signed(dst: Path, manifest: dict[str, Any], files: dict[str, bytes],
                 private: Any) -> Path:
    """A bundle with these record files: the manifest's file list recomputed (hashes,
    sizes, counts) and signed with `private` — exactly as `export_bundle` signs."""
    m = dict(manifest)
    m["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d),
                      "records": d.count(b"\n")} for n, d in files.items()}
    body = (json.dumps(m, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    signature = minisign.sign(private, body, f"network={m.get('network_id')} "
                              f"site={m.get('site_id')} sequence={m.get('sequence')}",
                              "NICdesk bundle manifest signature")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", body)
        zf.writestr("manifest.json.minisig", signature)
        for name, data in files.items():
            zf.writestr(name, data)
    return dst


def resign(src: Path, dst: Path, private: Any, *,
           change: Callable[[dict[str, Any], dict[str, list[dict[str, Any]]]], None]
           | None = None) -> Path:
    """A changed copy of a genuine bundle, re-signed with `private`."""
    manifest, records = read_records(src)
    if change is not None:
        change(manifest, records)
    return write_signed(dst, manifest, encode_records(records), private)


def one_line_refusal(message: str) -> bool:
    return "\n" not in message and "\r" not in message and \
        message.endswith("Nothing was changed.")


class AttackRuns:
    """Numbered places for one attack each: a fresh copy of the coordinator's file and a
    path for the forged bundle (`root` and `coord` are set by the world using it)."""

    root: Path
    coord: Path
    n: int = 0

    def coordinator_copy(self) -> Path:
        self.n += 1
        path = self.root / "runs" / f"coord-{self.n}.nicdesk"
        path.parent.mkdir(exist_ok=True)
        shutil.copyfile(self.coord, path)
        return path

    def bundle_path(self) -> Path:
        self.n += 1
        (self.root / "runs").mkdir(exist_ok=True)
        return self.root / "runs" / f"attack-{self.n}.nicbundle"


@contextlib.contextmanager
def keys_folder(path: Path) -> Iterator[None]:
    """NICDESK_DATA_DIR (where the laptops' keys live) set to `path` for a module-wide
    fixture (monkeypatch is per test), put back after."""
    old = os.environ.get("NICDESK_DATA_DIR")
    os.environ["NICDESK_DATA_DIR"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("NICDESK_DATA_DIR", None)
        else:
            os.environ["NICDESK_DATA_DIR"] = old
