"""The shell's first look (`store.first_look`): plain sqlite3, read-only, holding the
file's lock — and showing exactly what the open workspace shows."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from nicdesk.store.errors import AlreadyOpenError, NewerSchemaError
from nicdesk.store.file_check import HEAD_REVISION
from nicdesk.store.first_look import FirstLook, table_name
from nicdesk.store.schema import MODELS, Member, Site
from nicdesk.store.views import records
from nicdesk.store.views.navigator import navigator
from nicdesk.store.workspace import Workspace


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def network_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The split sample network: the coordinator's file and the schools' (rules bind)."""
    from nicdesk.demo.network import build_network_demo

    folder = tmp_path_factory.mktemp("network")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NICDESK_DATA_DIR", str(tmp_path_factory.mktemp("keys")))
        coord = build_network_demo(folder)[0]
    return [coord, *sorted((coord.parent / "sites").glob("*.nicdesk"))]


def test_table_names_are_the_schemas() -> None:
    assert {k: table_name(k) for k in MODELS} == {k: m.__tablename__ for k, m in MODELS.items()}


def _compare(path: Path) -> None:
    """Everything the first screen reads, from the look and from the open workspace."""
    look = FirstLook.take(path)
    assert look is not None
    try:
        seen = {"nav": look.navigator(), "meta": look.meta()}
        ids: dict[str, list[str]] = {}
        con = sqlite3.connect(path)
        for kind in MODELS:
            ids[kind] = [r[0] for r in con.execute(f"SELECT id FROM {table_name(kind)}")]
        con.close()
        seen["records"] = {(k, i): look.record_view(k, i) for k, v in ids.items() for i in v}
        sites = ids["site"]
        nets = ids["network"]
        seen["sites"] = {n: look.sites_in_network(n) for n in nets}
        seen["below"] = {(n, s): look.site_descendants(n, s) for n in nets for s in sites}
        seen["members"] = {s: look.members_of_site(s) for s in sites}
        fields = ("name", "kind", "parent_id", "private_notes")
        owners = [None, *sites]
        seen["blocks"] = {(k, o): look.write_blocks(k, o, fields)
                          for k in ("site", "aim", "network") for o in owners}
        seen["create"] = {(k, o): look.create_block(k, o)
                          for k in ("site", "aim", "measure") for o in owners}
        lock = look.take_lock()
    except BaseException:
        look.close()
        raise
    with Workspace.open(path, lock=lock) as ws:
        assert seen["nav"] == navigator(ws)
        assert seen["meta"] == ws.meta()
        assert seen["records"] == {key: records.record_view(ws, *key) for key in seen["records"]}
        assert seen["sites"] == {n: records.sites_in_network(ws, n) for n in seen["sites"]}
        assert seen["below"] == {key: records.site_descendants(ws, *key) for key in seen["below"]}
        assert seen["members"] == {s: records.members_of_site(ws, s) for s in seen["members"]}
        assert seen["blocks"] == {(k, o): records.write_blocks(ws, k, o, fields)
                                  for k, o in seen["blocks"]}
        assert seen["create"] == {key: records.create_block(ws, *key) for key in seen["create"]}


def test_the_look_reads_what_the_workspace_reads(demo_copy: Path) -> None:
    _compare(demo_copy)


def test_the_look_reads_what_a_schools_workspace_reads(network_files: list[Path],
                                                         tmp_path: Path) -> None:
    """Schools' files: rules bind (a site's kind and parent are the coordinator's, other
    sites' records are theirs), so the blocks say so from the look as from the workspace."""
    for original in network_files:
        path = tmp_path / original.name
        shutil.copy(original, path)
        _compare(path)
        with Workspace.open(path) as ws:  # the sentences really differ between records
            with ws.read() as s:
                sites = [x.id for x in s.query(Site)]
            blocks = {records.write_blocks(ws, "site", x, ["kind"]).fields["kind"]
                      for x in sites}
        if original.parent.name == "sites":
            assert any(b and "coordinator" in b for b in blocks)


def test_deleted_and_unknown_rows(demo_copy: Path) -> None:
    with Workspace.open(demo_copy) as ws:
        site = ws.meta()["local_site_id"]
        member = ws.ops.create("member", site_id=site, name="Zed Gone", role="teacher").id
        ws.ops.delete("member", member)
        assert member not in {m.id for m in records.members_of_site(ws, site)}
        with ws.read() as s:
            assert s.get(Member, member).deleted
    look = FirstLook.take(demo_copy)
    assert look is not None
    try:
        assert member not in {m.id for m in look.members_of_site(site)}
        gone = look.record_view("member", member)
        assert gone is not None and gone.deleted
        assert look.record_view("site", "no-such-id") is None
    finally:
        look.close()


def test_the_look_writes_nothing_and_holds_the_lock(demo_copy: Path) -> None:
    before = _digest(demo_copy)
    look = FirstLook.take(demo_copy)
    assert look is not None
    with pytest.raises(AlreadyOpenError):  # nobody opens it while the first screen shows
        Workspace.open(demo_copy)
    look.navigator()
    lock = look.take_lock()
    assert lock is not None and lock.fd is not None
    assert _digest(demo_copy) == before
    assert not demo_copy.with_name(demo_copy.name + "-wal").exists()
    assert not demo_copy.with_name(demo_copy.name + "-shm").exists()
    with Workspace.open(demo_copy, lock=lock) as ws:  # the same lock, handed on
        assert ws._lock is lock
    assert lock.fd is None  # released with the workspace
    Workspace.open(demo_copy).close()  # and free again


def test_a_refused_open_releases_the_handed_lock(demo_copy: Path) -> None:
    look = FirstLook.take(demo_copy)
    assert look is not None
    lock = look.take_lock()
    con = sqlite3.connect(demo_copy)  # meanwhile a newer NICdesk wrote it (say)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(NewerSchemaError):
        Workspace.open(demo_copy, lock=lock)
    assert lock is not None and lock.fd is None
    con = sqlite3.connect(demo_copy)
    con.execute("UPDATE alembic_version SET version_num = ?", (HEAD_REVISION,))
    con.commit()
    con.close()
    Workspace.open(demo_copy).close()  # the lock is free


@pytest.mark.parametrize("case", ["older", "wal", "journal", "foreign", "open", "text"])
def test_files_the_look_leaves_to_the_ordinary_open(demo_copy: Path, case: str) -> None:
    """Anything that is not a file opening as it lies: no look, no lock kept, no change."""
    held = None
    if case == "older":
        con = sqlite3.connect(demo_copy)
        con.execute("PRAGMA user_version = 6")
        con.close()
    elif case in ("wal", "journal"):
        demo_copy.with_name(demo_copy.name + f"-{case}").write_bytes(b"x" * 10)
    elif case == "foreign":
        con = sqlite3.connect(demo_copy)
        con.execute("PRAGMA application_id = 1")
        con.close()
    elif case == "open":
        held = Workspace.open(demo_copy)
    else:
        demo_copy.write_text("not a workspace")
    before = _digest(demo_copy)
    try:
        assert FirstLook.take(demo_copy) is None
        assert _digest(demo_copy) == before
    finally:
        if held is not None:
            held.close()
    if case in ("wal", "journal"):
        demo_copy.with_name(demo_copy.name + f"-{case}").unlink()
    if case in ("older", "wal", "journal"):  # the lock was let go: the file opens
        Workspace.open(demo_copy).close()


def test_the_first_look_loads_no_sqlalchemy(demo_copy: Path) -> None:
    """What the shell imports to fill the first screen stays below SQLAlchemy."""
    import subprocess
    import sys

    code = ("import sys\nfrom pathlib import Path\n"
            "from nicdesk.store.first_look import FirstLook\n"
            f"look = FirstLook.take(Path({str(demo_copy)!r}))\n"
            "look.navigator(); look.meta(); look.close()\n"
            "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_file_replaced_after_the_look_is_locked_anew(demo_copy: Path, tmp_path: Path) -> None:
    """A sync tool swaps the file (rename) between the look and the open: the open locks
    the file that is there now, so a second process cannot open it too."""
    look = FirstLook.take(demo_copy)
    assert look is not None
    lock = look.take_lock()
    fresh = tmp_path / "fresh.nicdesk"
    shutil.copy(demo_copy, fresh)
    fresh.replace(demo_copy)
    assert lock is not None and not lock.holds(demo_copy)
    with Workspace.open(demo_copy, lock=lock) as ws:
        assert ws._lock is not lock and lock.fd is None
        with pytest.raises(AlreadyOpenError):
            Workspace.open(demo_copy)


def test_names_and_links_the_look_cannot_take(demo_copy: Path, tmp_path: Path) -> None:
    """A name that is not UTF-8, a file gone since its header was read, and a link whose
    -wal lies beside the real file: no look, no lock left, no file made."""
    odd = tmp_path / "caf\udce9.nicdesk"  # bytes b"caf\xe9" on a POSIX file system
    try:
        shutil.copy(demo_copy, odd)
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system takes UTF-8 names only")
    assert FirstLook.take(odd) is None
    fcntl = pytest.importorskip("fcntl")
    with open(odd, "rb") as fh:  # not left locked
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fh, fcntl.LOCK_UN)
    gone = tmp_path / "gone.nicdesk"
    assert FirstLook.take(gone) is None and not gone.exists()
    link = tmp_path / "link.nicdesk"
    link.symlink_to(demo_copy)
    demo_copy.with_name(demo_copy.name + "-wal").write_bytes(b"")  # beside the real file
    assert FirstLook.take(link) is None


def test_the_looks_copy_of_the_schema_is_the_models() -> None:
    """`head_objects` (what the look allows, read without SQLAlchemy) equals what the open
    allows; after a migration, paste the printed literal into store/head_objects.py."""
    from nicdesk.store.file_check import HEAD_REVISION as HEAD
    from nicdesk.store.file_check import expected_objects
    from nicdesk.store.head_objects import HEAD_OBJECTS, HEAD_OBJECTS_REVISION

    expected = expected_objects()
    assert (HEAD_OBJECTS_REVISION, HEAD_OBJECTS) == (HEAD, expected), (
        f"HEAD_OBJECTS_REVISION = {HEAD!r}\nHEAD_OBJECTS = frozenset({{\n"
        + "".join(f"    {o!r},\n" for o in sorted(expected)) + "})")


def test_foreign_objects_get_no_look(demo_copy: Path) -> None:
    for sql in ("CREATE VIEW v AS SELECT 1", "CREATE INDEX ix_extra ON sites(name)",
                "CREATE TABLE extra (x)"):
        con = sqlite3.connect(demo_copy)
        con.execute(sql)
        con.commit()
        con.close()
        assert FirstLook.take(demo_copy) is None, sql
        con = sqlite3.connect(demo_copy)
        con.execute(f"DROP {sql.split()[1]} {sql.split()[2]}")
        con.commit()
        con.close()
    look = FirstLook.take(demo_copy)
    assert look is not None
    look.close()
