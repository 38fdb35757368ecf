"""A site's first bundle of a kind is not looked up record by record (issue #20, the
300-site first import): its records are taken as new — they carry fresh ids — and the
insert proves it, leaving out any id already here.  When one is stored after all (a
forged bundle reusing another school's record id, signed with the school's genuinely
enrolled key), or anything is refused, the bundle starts again without the assumption:
what is kept, and every refusal's words, are those of the per-record reference path."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from nicdesk.bundle import keys
from nicdesk.bundle import merging as merging_module
from nicdesk.bundle.importer import BundleError, import_bundle
from nicdesk.store.workspace import Workspace

from .exchange_helpers import resign
from .test_bulk_copy import dump, weekly_values
from .test_bundles import export, make_sites


def _private(path: Path) -> Any:
    with Workspace.open(path) as ws:
        return keys.load(ws.meta()["signing_key"]).private


def _both_ways(start: Path, bundle: Path, tmp: Path) -> tuple[Any, Any, Path, Path]:
    """The import's outcome (its summary or its refusal) by the fast path and by the
    per-record path, each on its own copy of `start`."""
    out = []
    for method in ("fast", "per-record"):
        copy = tmp / f"{method}.nicdesk"
        shutil.copyfile(start, copy)
        with Workspace.open(copy) as ws:
            try:
                out.append(import_bundle(ws, bundle, method=method))  # type: ignore[arg-type]
            except BundleError as exc:
                out.append(str(exc))
    return out[0], out[1], tmp / "fast.nicdesk", tmp / "per-record.nicdesk"


def _b_reusing_a_value_of_a(tmp_path: Path, *, twin: bool = False) -> tuple[Path, Path]:
    """The coordinator with school A's values imported, and school B's first bundle
    re-signed with B's own enrolled key, one of its values under the id of a value of
    A's (and, with `twin`, two of its values for one point)."""
    coord, sites = make_sites(tmp_path)
    weekly_values(sites["A"], 10)
    weekly_values(sites["B"], 10)
    a1 = export(sites["A"], tmp_path / "a1.nicbundle")
    with Workspace.open(coord) as ws:
        import_bundle(ws, a1)
    taken = [line["id"] for line in _observations(a1)]

    def reuse(_manifest: dict[str, Any], records: dict[str, list[Any]]) -> None:
        values = records["observation"]
        values[4]["id"] = taken[7]
        if twin:
            values[6]["period"] = values[5]["period"]

    forged = resign(export(sites["B"], tmp_path / "b1.nicbundle"),
                    tmp_path / "forged.nicbundle", _private(sites["B"]), change=reuse)
    return coord, forged


def test_a_first_bundle_goes_in_unlooked_up_and_equals_the_reference(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    coord, sites = make_sites(tmp_path)
    weekly_values(sites["A"], 40)
    bundle = export(sites["A"], tmp_path / "a1.nicbundle")
    looked_up: list[str] = []
    real = merging_module.stored_rows

    def spy(s: Any, table: Any, ids: Any, owner: Any = None) -> Any:
        looked_up.append(table.name)
        return real(s, table, ids, owner)
    monkeypatch.setattr(merging_module, "stored_rows", spy)
    fast, reference, on_fast, on_reference = _both_ways(coord, bundle, tmp_path)
    assert "observations" not in looked_up  # taken as new: no id looked up
    assert "sites" in looked_up  # the school's own site record is stored: looked up
    assert (fast.new, fast.updated, fast.unchanged) == \
        (reference.new, reference.updated, reference.unchanged)
    assert fast.per_kind["observation"] == 40
    assert dump(on_fast) == dump(on_reference)


def test_a_reused_record_id_in_a_first_bundle_is_refused_as_ever(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """School B's first bundle, re-signed with B's own enrolled key, carries one value
    whose id is a value of school A already stored at the coordinator (B owns nothing
    here yet: the assumption is made, the insert finds the id, and the bundle is
    decided again by lookup)."""
    coord, forged = _b_reusing_a_value_of_a(tmp_path)
    before = dump(coord)
    collided: list[str] = []
    real_insert = merging_module.insert_rows

    def insert(s: Any, table: Any, rows: Any, column: Any = None, **kw: Any) -> int:
        went_in = real_insert(s, table, rows, column, **kw)
        if went_in != len(rows):
            collided.append(table.name)
        return went_in
    monkeypatch.setattr(merging_module, "insert_rows", insert)
    fast, reference, on_fast, _ = _both_ways(coord, forged, tmp_path)
    assert collided == ["observations"]  # the id was found by the insert, not a lookup
    assert isinstance(fast, str) and fast == reference
    assert "may change only its own records" in fast and "Nothing was changed." in fast
    assert dump(on_fast) == before


def test_an_untouched_school_bundle_after_a_refusal_still_goes_in(tmp_path: Path) -> None:
    """The savepoint of a refused attempt leaves nothing behind: after the forged bundle
    is refused, B's genuine first bundle goes in whole."""
    coord, sites = make_sites(tmp_path)
    weekly_values(sites["B"], 12)
    genuine = export(sites["B"], tmp_path / "b1.nicbundle")

    def foreign(_manifest: dict[str, Any], records: dict[str, list[Any]]) -> None:
        records["observation"][0]["note"] = None  # refused by the database at insert

    forged = resign(genuine, tmp_path / "forged.nicbundle", _private(sites["B"]),
                    change=foreign)
    with Workspace.open(coord) as ws:
        with pytest.raises(BundleError):
            import_bundle(ws, forged)
        summary = import_bundle(ws, genuine)
    assert summary.new >= 12 and summary.per_kind["observation"] == 12


def _observations(bundle: Path) -> list[dict[str, Any]]:
    from .exchange_helpers import read_records

    return read_records(bundle)[1]["observation"]


def test_postgresql_first_bundles_and_a_reused_id_decide_as_on_a_file(
        tmp_path: Path, pg_url: str, capsys: Any) -> None:
    """On a server coordinator the insert of records taken as new is a COPY, which
    refuses a stored id outright: the bundle is decided again by lookup, with the same
    words as on a file, and the server keeps nothing of it; a genuine first bundle goes
    in as on a file."""
    from nicdesk.cli.parser import main

    coord, forged = _b_reusing_a_value_of_a(tmp_path)
    b1 = tmp_path / "b1.nicbundle"  # B's genuine first bundle, the forged one's source
    assert main(["copy", str(coord), pg_url]) == 0
    capsys.readouterr()
    before = dump(pg_url)
    messages = []
    for target in (pg_url, coord):
        with Workspace.open(target) as ws, pytest.raises(BundleError) as refused:
            import_bundle(ws, forged)
        messages.append(str(refused.value))
    assert messages[0] == messages[1] and "may change only its own records" in messages[0]
    assert dump(pg_url) == before
    for target in (pg_url, coord):
        with Workspace.open(target) as ws:
            assert import_bundle(ws, b1).per_kind["observation"] == 10
    assert dump(pg_url) == dump(coord)


def test_a_reused_id_beside_a_natural_key_twin_is_refused_for_the_reused_id(
        tmp_path: Path) -> None:
    """Found by the attack helper: the insert of records taken as new leaves the reused
    id out, then fails on the one-value-per-point index because of the twin — that
    failure too must send the bundle back to the lookup path, whose refusal names the
    reused id's owner (not "a second value", which would give the wrong advice)."""
    coord, forged = _b_reusing_a_value_of_a(tmp_path, twin=True)
    before = dump(coord)
    fast, reference, on_fast, _ = _both_ways(coord, forged, tmp_path)
    assert isinstance(fast, str) and fast == reference
    assert "which A owns" in fast
    assert dump(on_fast) == before
