"""Workspace hygiene: files that were tampered with, a -wal that is not the file's own,
and drives or files that refuse writes.  Each case gets one plain line that says what is
wrong and what to do, and the workspace's content is the same afterwards.

Some cases need root (a small tmpfs to fill, a drive to remount read-only, `chattr +i`,
a user who is not root); they are skipped, saying why, where that is not possible.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event

from nicdesk.cli.parser import main as cli
from nicdesk.store import migrate, workspace
from nicdesk.store.errors import (
    DamagedWorkspaceError,
    DiskFullError,
    ForeignSchemaError,
    ImmutableFileError,
    ReadOnlyDriveError,
    ReadOnlyError,
    StorageError,
    WorkspaceError,
    WorkspaceMovedError,
)
from nicdesk.store.workspace import (
    APPLICATION_ID,
    HEAD_REVISION,
    Workspace,
    expected_objects,
    inspect_file,
    storage_error,
)

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534


# ---------------------------------------------------------------------- helpers
def _make(path: Path, *networks: str) -> None:
    with Workspace.create(path) as ws:
        for name in networks:
            net = ws.ops.create("network", name=name).id
        ws.ops.create("site", network_id=net, name="A", private_notes="only for us")


def _sql(path: Path) -> list[str]:
    """Everything in the file (the file alone, read without touching it)."""
    con = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _dump(path: Path) -> str:
    """`nicdesk dump`: every shared record, as canonical JSON."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(["dump", str(path)]) == 0
    return out.getvalue()


def _names(path: Path) -> list[str]:
    with Workspace.open(path) as ws, ws.engine.connect() as con:
        return [r[0] for r in con.exec_driver_sql("SELECT name FROM networks ORDER BY name")]


def _plain(message: str) -> None:
    """One line, no traceback, and it says what to do."""
    assert "\n" not in message and "Traceback" not in message, message
    assert any(w in message for w in ("Copy", "Free", "Open", "Close", "Ask", "Move",
                                      "Check", "Stop")), message


def _cli_refuses(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert cli(["dump", str(path)]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.err, out.err
    return lines[0]


def _crash_image(ws: Workspace, target: Path) -> None:
    """The file and its -wal as a crash would leave them (copied while open)."""
    shutil.copyfile(ws.path, target)
    shutil.copyfile(ws.path.with_name(ws.path.name + "-wal"), target.with_name(target.name + "-wal"))


def _old_file(path: Path, rows: int = 20) -> None:
    """A schema-1 workspace with some data, as NICdesk 0.1 wrote it."""
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA application_id={APPLICATION_ID}")
    con.close()
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO networks (id, name, common_aim, description, "
                "suppression_threshold, rule_set, coordinator_public_key, hlc, field_clocks, "
                "deleted) VALUES ('n1', 'Old NIC', '', ?, 10, 'Anhøj', '', '1', '{}', 0)",
                ("x" * rows * 100,))
    con.commit()
    con.close()


# ---------------------------------------------------------------------- foreign objects
TAMPERING = [
    ("trigger", "CREATE TRIGGER leak AFTER UPDATE ON sites BEGIN UPDATE sites SET "
                "description = NEW.private_notes WHERE id = NEW.id; END", "a trigger 'leak'"),
    ("view", "CREATE VIEW notes AS SELECT private_notes FROM sites", "a view 'notes'"),
    ("table", "CREATE TABLE stash (x TEXT)", "a table 'stash'"),
    ("index", "CREATE INDEX ix_sites_notes ON sites (private_notes)",
     "an index 'ix_sites_notes'"),
    ("computed", "ALTER TABLE sites ADD COLUMN shared_copy TEXT "
                 "GENERATED ALWAYS AS (private_notes) VIRTUAL",
     "a computed column 'sites.shared_copy'"),
]


@pytest.mark.parametrize(("ddl", "named"), [(d, n) for _, d, n in TAMPERING],
                         ids=[k for k, _, _ in TAMPERING])
def test_objects_nicdesk_did_not_create_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], ddl: str, named: str) -> None:
    path = tmp_path / "shared.nicdesk"
    _make(path, "N")
    con = sqlite3.connect(path)
    con.execute(ddl)
    con.commit()
    con.close()
    before, files = path.read_bytes(), sorted(os.listdir(tmp_path))
    with pytest.raises(ForeignSchemaError) as err:
        Workspace.open(path)
    message = err.value.message
    assert f"shared.nicdesk holds {named} that NICdesk did not create" in message
    assert "it may have been tampered with. Nothing was opened or changed." in message
    _plain(message)
    line = _cli_refuses(path, capsys)
    assert line == f"{ForeignSchemaError.title}: {message}"
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == files  # no backup, no -wal, nothing new


def test_several_foreign_objects_name_the_trigger_first(tmp_path: Path) -> None:
    path = tmp_path / "w.nicdesk"
    _make(path, "N")
    con = sqlite3.connect(path)
    for _, ddl, _ in TAMPERING[:3]:
        con.execute(ddl)
    con.commit()
    con.close()
    with pytest.raises(ForeignSchemaError) as err:
        Workspace.open(path)
    assert "holds a trigger 'leak' and 2 other objects that NICdesk" in err.value.message
    assert "view 'notes'" in err.value.details and "table 'stash'" in err.value.details


def test_an_old_file_with_a_trigger_is_refused_before_its_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.nicdesk"
    _old_file(path)
    con = sqlite3.connect(path)
    con.execute("CREATE TRIGGER leak AFTER INSERT ON networks BEGIN SELECT 1; END")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ForeignSchemaError, match="a trigger 'leak'"):
        Workspace.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.nicdesk"]


def test_an_old_file_holds_what_its_revision_made(tmp_path: Path) -> None:
    """Older files legitimately lack what later revisions add; they open and migrate."""
    path = tmp_path / "old.nicdesk"
    _old_file(path)
    assert inspect_file(path).revision == "0001"
    assert _names(path) == ["Old NIC"]
    assert inspect_file(path).revision == HEAD_REVISION


def test_the_migrated_schema_is_checked_before_the_migration_commits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If a migration ever left an object NICdesk does not expect, nothing is kept."""
    path = tmp_path / "old.nicdesk"
    _old_file(path)
    before = _sql(path)
    real = expected_objects()
    assert ("table", "bundle_imports", "bundle_imports") not in migrate.schema_objects("0001")
    monkeypatch.setattr(workspace, "expected_objects", lambda: frozenset(
        o for o in real if o[2] != "bundle_imports"))
    with pytest.raises(ForeignSchemaError, match="a table 'bundle_imports'"):
        Workspace.open(path)
    assert inspect_file(path).revision == "0001"
    assert _sql(path) == before  # the whole migration was rolled back
    assert not path.with_name(path.name + "-wal").exists()


def test_expected_objects_are_what_a_new_workspace_holds(tmp_path: Path) -> None:
    path = tmp_path / "new.nicdesk"
    Workspace.create(path).close()
    con = sqlite3.connect(path)
    made = {(t, n, tb) for t, n, tb in con.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    con.close()
    assert made == set(expected_objects())
    assert {o for o in migrate.schema_objects(HEAD_REVISION)
            if not o[1].startswith("sqlite_")} == made
    state = inspect_file(path)
    assert workspace.foreign_objects(state.objects, state.computed_columns,
                                     expected_objects()) == []


def test_sqlite_statistics_tables_are_not_foreign(tmp_path: Path) -> None:
    path = tmp_path / "analysed.nicdesk"
    _make(path, "N")
    con = sqlite3.connect(path)
    con.execute("ANALYZE")
    con.commit()
    con.close()
    assert _names(path) == ["N"]


def test_the_sample_workspace_opens_without_warnings(demo_copy: Path) -> None:
    with Workspace.open(demo_copy) as ws:
        assert ws.warnings == []


# ---------------------------------------------------------------------- a foreign -wal
def test_a_crash_log_is_applied(tmp_path: Path) -> None:
    src, path = tmp_path / "live.nicdesk", tmp_path / "crashed.nicdesk"
    _make(src, "N")
    with Workspace.open(src) as ws:
        ws.ops.create("network", name="Late")
        _crash_image(ws, path)
    assert path.with_name("crashed.nicdesk-wal").stat().st_size > 0
    with Workspace.open(path) as ws:
        assert ws.warnings == []
        assert ws.integrity_ok()
    assert _names(path) == ["Late", "N"]
    assert not list(tmp_path.glob("*set-aside*"))


def test_a_log_of_a_checkpoint_cut_short_is_applied(tmp_path: Path) -> None:
    """A crash part-way through a checkpoint: SQLite copies the log's pages into the file
    in page order, so the file holds the new state up to some page and the old after it.
    The file alone may then read wrongly; its log must be applied all the same."""
    src = tmp_path / "live.nicdesk"
    _make(src, "N")
    with Workspace.open(src) as ws:
        net = ws.ops.create("network", name="Late").id
        for i in range(25):
            ws.ops.create("site", network_id=net, name=f"S{i}", private_notes="p" * 500)
        _crash_image(ws, tmp_path / "image.nicdesk")
    old = (tmp_path / "image.nicdesk").read_bytes()
    wal = (tmp_path / "image.nicdesk-wal").read_bytes()
    done = tmp_path / "done" / "image.nicdesk"
    done.parent.mkdir()
    shutil.copyfile(tmp_path / "image.nicdesk", done)
    done.with_name("image.nicdesk-wal").write_bytes(wal)
    con = sqlite3.connect(done)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    new = done.read_bytes()
    changed = [i for i in range(0, len(new), 4096) if new[i:i + 4096] != old[i:i + 4096]]
    assert len(changed) > 3, changed
    for k, cut in enumerate(changed[1::max(1, len(changed) // 6)]):
        path = tmp_path / f"cut{k}.nicdesk"
        path.write_bytes(new[:cut] + old[cut:])
        path.with_name(path.name + "-wal").write_bytes(wal)
        with Workspace.open(path) as ws:
            assert ws.warnings == [], (cut, ws.warnings)
            assert ws.integrity_ok()
        assert _names(path) == ["Late", "N"]
    assert not list(tmp_path.glob("*set-aside*"))


def _foreign_wal_case(tmp_path: Path, wal: bytes, reason: str) -> None:
    path = tmp_path / "mine.nicdesk"
    _make(path, "Mine")
    before = _dump(path)
    log = path.with_name("mine.nicdesk-wal")
    log.write_bytes(wal)
    with Workspace.open(path) as ws:
        assert ws.integrity_ok()
        assert len(ws.warnings) == 1
        warning = ws.warnings[0]
    assert "\n" not in warning
    assert f"mine.nicdesk-wal beside mine.nicdesk was not its own ({reason}" in warning
    assert "set it aside as mine.nicdesk-wal.set-aside-" in warning
    assert "opened the workspace without it. Nothing was deleted" in warning
    aside = list(tmp_path.glob("mine.nicdesk-wal.set-aside-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == wal and aside[0].name in warning
    assert _dump(path) == before
    with Workspace.open(path) as ws:  # and it stays fine: nothing more to set aside
        assert ws.warnings == []


def test_a_log_from_another_workspace_is_set_aside(tmp_path: Path) -> None:
    other = tmp_path / "other.nicdesk"
    _make(other, "Theirs")
    with Workspace.open(other) as ws:
        for i in range(3):
            ws.ops.create("network", name=f"Theirs {i}")
        _crash_image(ws, tmp_path / "image.nicdesk")
    wal = (tmp_path / "image.nicdesk-wal").read_bytes()
    # what SQLite alone would do with it: no error, the other workspace's records
    probe = tmp_path / "probe" / "mine.nicdesk"
    probe.parent.mkdir()
    _make(probe, "Mine")
    probe.with_name("mine.nicdesk-wal").write_bytes(wal)
    con = sqlite3.connect(f"file:{probe}?mode=ro", uri=True)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert "Mine" not in [r[0] for r in con.execute("SELECT name FROM networks")]
    con.close()
    _foreign_wal_case(tmp_path, wal, "it was written by another workspace")


def test_a_log_of_an_older_copy_is_set_aside(tmp_path: Path) -> None:
    """A copy of the same workspace (same device id) whose log is older than the file:
    say a stale -wal left when a newer copy was put in the file's place."""
    path = tmp_path / "mine.nicdesk"
    _make(path, "Mine")
    copy = tmp_path / "copy.nicdesk"
    shutil.copyfile(path, copy)
    with Workspace.open(copy) as ws:
        ws.ops.create("network", name="Stale")
        _crash_image(ws, tmp_path / "image.nicdesk")
    with Workspace.open(path) as ws:
        ws.ops.create("network", name="Newer")
    wal = (tmp_path / "image.nicdesk-wal").read_bytes()
    before = _dump(path)
    path.with_name("mine.nicdesk-wal").write_bytes(wal)
    with Workspace.open(path) as ws:
        assert len(ws.warnings) == 1
        assert "older state of the workspace than the file itself" in ws.warnings[0]
    assert _names(path) == ["Mine", "Newer"]
    assert _dump(path) == before


def test_a_log_with_other_pages_is_set_aside(tmp_path: Path) -> None:
    small = tmp_path / "small.db"
    con = sqlite3.connect(small)
    con.execute("PRAGMA page_size=1024")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    wal = small.with_name("small.db-wal").read_bytes()
    con.close()
    _foreign_wal_case(tmp_path, wal, "its pages are 1024 bytes, the workspace's 4096")


def test_a_file_that_is_no_log_is_set_aside(tmp_path: Path) -> None:
    _foreign_wal_case(tmp_path, b"not a log at all " * 100, "it is not an SQLite write-ahead log")


def test_a_log_that_breaks_the_file_is_set_aside(tmp_path: Path) -> None:
    """A log from a workspace with other tables on its pages: applied, the file would
    fail its integrity check (and exports would fail)."""
    other = tmp_path / "other.nicdesk"
    _make(other, "Theirs")
    with Workspace.open(other) as ws:
        net = ws.ops.create("network", name="Big").id
        for i in range(40):
            ws.ops.create("measure", network_id=net, name=f"M{i}", definition="d" * 400)
        _crash_image(ws, tmp_path / "image.nicdesk")
    wal = (tmp_path / "image.nicdesk-wal").read_bytes()
    path = tmp_path / "mine.nicdesk"
    with Workspace.create(path) as ws:  # other records on the pages the log rewrites
        net = ws.ops.create("network", name="Mine").id
        for i in range(30):
            ws.ops.create("site", network_id=net, name=f"S{i}", private_notes="s" * 300)
    before = _dump(path)
    path.with_name("mine.nicdesk-wal").write_bytes(wal)
    with Workspace.open(path) as ws:
        assert len(ws.warnings) == 1, ws.warnings
        assert "with it the workspace fails SQLite's check: " in ws.warnings[0]
        assert ws.integrity_ok()
    assert _dump(path) == before


def test_a_short_log_without_header_is_left_to_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "mine.nicdesk"
    _make(path, "Mine")
    path.with_name("mine.nicdesk-wal").write_bytes(b"\x37\x7f")
    with Workspace.open(path) as ws:
        assert ws.warnings == []
    assert _names(path) == ["Mine"]


def test_a_live_log_of_another_program_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "mine.nicdesk"
    _make(path, "Mine")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         f"c = sqlite3.connect({str(path)!r})\n"
         "c.execute(\"INSERT INTO workspace_meta (key, value) VALUES ('probe', 'x')\")\n"
         "c.commit()\n"
         "print('ready', flush=True)\n"
         "sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert path.with_name("mine.nicdesk-wal").stat().st_size > 0
        lock = workspace._FileLock(path)
        lock.acquire()
        try:
            assert workspace._others_have_it_open(lock.fd)
            assert workspace._set_aside_foreign_wal(path, lock) is None
        finally:
            lock.release()
    finally:
        holder.communicate("", timeout=30)
    lock = workspace._FileLock(path)
    lock.acquire()
    try:
        assert not workspace._others_have_it_open(lock.fd)
    finally:
        lock.release()
    assert not list(tmp_path.glob("*set-aside*"))


# ---------------------------------------------------------------------- storage errors
@contextlib.contextmanager
def _limit_growth(ws: Workspace) -> Iterator[None]:
    """SQLite answers SQLITE_FULL ("database or disk is full") once the file would grow."""
    with ws.engine.connect() as con:
        pages = con.exec_driver_sql("PRAGMA page_count").scalar()

    def limit(dbapi_con, _record):  # type: ignore[no-untyped-def]
        dbapi_con.execute(f"PRAGMA max_page_count={pages}")

    ws.engine.dispose()
    event.listen(ws.engine, "connect", limit)
    yield
    ws.engine.dispose()
    event.remove(ws.engine, "connect", limit)


def test_a_full_database_is_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "w.nicdesk"
    _make(path, "N")
    before = _dump(path)
    with Workspace.open(path) as ws:
        with _limit_growth(ws), pytest.raises(DiskFullError) as err:
            ws.ops.create("network", name="Huge", description="x" * 90_000)
        assert ws.ops.undo_status() == (None, None)  # nothing half-recorded
    assert err.value.title == "Disk full"
    assert err.value.message == (
        "The disk is full: NICdesk could not save your last change to w.nicdesk. Free some "
        "space on that drive and try again; nothing already saved was lost.")
    assert "database or disk is full" in err.value.details
    assert _dump(path) == before
    assert _names(path) == ["N"]


@contextlib.contextmanager
def _small_drive(size_kb: int) -> Iterator[Path]:
    if not ROOT:
        pytest.skip("mounting a small tmpfs needs root")
    where = Path(tempfile.mkdtemp(prefix="nicdesk-fs-"))
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs",
                           str(where)], capture_output=True, text=True)
    if made.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(where)], capture_output=True)
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)
        with contextlib.suppress(OSError):
            where.rmdir()


def _fill(drive: Path) -> Path:
    filler = drive / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for chunk in (65536, 4096, 512):  # to the last block
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * chunk)
    return filler


def test_a_full_disk_is_a_plain_message_and_loses_nothing(tmp_path: Path) -> None:
    with _small_drive(4096) as drive:
        path = drive / "w.nicdesk"
        _make(path, "N")
        before = _dump(path)
        ws = Workspace.open(path)
        filler = _fill(drive)
        with pytest.raises(DiskFullError) as err:
            for i in range(40):  # until the log needs a block the drive no longer has
                ws.ops.create("network", name=f"Huge {i}", description="x" * 90_000)
        _plain(err.value.message)
        assert err.value.message.startswith("The disk is full: NICdesk could not save")
        filler.unlink()
        ws.close()
        assert _dump(path) == before
        with Workspace.open(path) as ws:  # room again: it goes on working
            ws.ops.create("network", name="After")
            assert ws.integrity_ok()
        assert _names(path) == ["After", "N"]


def test_a_full_disk_while_upgrading_changes_nothing(tmp_path: Path) -> None:
    # room, once freed, for the file, its backup and the upgrade's journal
    with _small_drive(3072) as drive:
        path = drive / "old.nicdesk"
        _old_file(path, rows=4000)  # ~0.5 MB
        filler = _fill(drive)
        filler.write_bytes(b"\0" * (filler.stat().st_size - 128 * 1024))  # 128 kB left
        before, files = path.read_bytes(), sorted(os.listdir(drive))
        with pytest.raises(DiskFullError) as err:
            Workspace.open(path)
        _plain(err.value.message)
        assert "before upgrading old.nicdesk" in err.value.message
        assert "Nothing was changed." in err.value.message
        assert path.read_bytes() == before
        assert sorted(os.listdir(drive)) == files  # no half backup left behind
        filler.unlink()
        assert _names(path) == ["Old NIC"]


@contextlib.contextmanager
def _shared_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder another user may enter (tmp_path's parents are private to root)."""
    if not ROOT:
        yield tmp_path
        return
    where = Path(tempfile.mkdtemp(prefix="nicdesk-perm-"))
    where.chmod(0o777)
    try:
        yield where
    finally:
        for p in where.rglob("*"):
            with contextlib.suppress(OSError):
                p.chmod(0o777)
        shutil.rmtree(where, ignore_errors=True)


@contextlib.contextmanager
def _not_root() -> Iterator[None]:
    """Root ignores permission bits: act as `nobody` for a moment (back as root after)."""
    if not ROOT:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_a_read_only_file_is_refused_plainly(tmp_path: Path) -> None:
    with _shared_folder(tmp_path) as folder:
        path = folder / "w.nicdesk"
        _make(path, "N")
        path.chmod(0o444)
        before = path.read_bytes()
        with _not_root(), pytest.raises(ReadOnlyError) as err:
            Workspace.open(path)
        assert type(err.value) is ReadOnlyError
        assert err.value.message == (
            "NICdesk cannot write to w.nicdesk: the file is read-only. Copy it somewhere you "
            "can write and open the copy, or ask its owner to give you write access. "
            "Nothing was changed.")
        assert path.read_bytes() == before
        assert sorted(os.listdir(folder)) == ["w.nicdesk"]


def test_a_read_only_folder_is_refused_plainly(tmp_path: Path) -> None:
    with _shared_folder(tmp_path) as folder:
        inner = folder / "shared"
        inner.mkdir()
        path = inner / "w.nicdesk"
        _make(path, "N")
        path.chmod(0o666)
        inner.chmod(0o555)
        try:
            with _not_root(), pytest.raises(ReadOnlyError) as err:
                Workspace.open(path)
        finally:
            inner.chmod(0o755)
        _plain(err.value.message)
        assert f"cannot write in the folder {inner}, where w.nicdesk is: the folder is " \
               "read-only" in err.value.message
        assert _names(path) == ["N"]


def test_an_immutable_file_is_refused_plainly(tmp_path: Path) -> None:
    path = tmp_path / "w.nicdesk"
    _make(path, "N")
    if shutil.which("chattr") is None:
        pytest.skip("no chattr on this system")
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mark a file immutable here: {made.stderr.strip()}")
    try:
        before = path.read_bytes()
        with pytest.raises(ImmutableFileError) as err:
            Workspace.open(path)
        assert err.value.title == "Workspace is locked against changes"
        assert err.value.message.startswith(
            "NICdesk cannot write to w.nicdesk: the file is locked against all changes")
        _plain(err.value.message)
        assert path.read_bytes() == before
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    assert _names(path) == ["N"]


def test_a_read_only_drive_is_not_called_damaged(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with _small_drive(4096) as drive:
        path = drive / "w.nicdesk"
        _make(path, "N")
        before = _sql(path)
        subprocess.run(["mount", "-o", "remount,ro", str(drive)], check=True)
        with pytest.raises(ReadOnlyDriveError) as err:
            Workspace.open(path)
        assert err.value.message == (
            "w.nicdesk is on a read-only drive, so NICdesk cannot save changes to it. Copy it "
            "to a folder on a writable drive (your Documents, say) and open the copy. Nothing "
            "was changed.")
        line = _cli_refuses(path, capsys)
        assert line.startswith("Read-only drive: w.nicdesk is on a read-only drive")
        assert "damaged" not in line
        subprocess.run(["mount", "-o", "remount,rw", str(drive)], check=True)
        assert _sql(path) == before
        assert _names(path) == ["N"]


def test_a_read_only_drive_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same without root: the file system says it is mounted read-only."""
    path = tmp_path / "w.nicdesk"
    _make(path, "N")
    real = os.statvfs

    class ReadOnly:
        def __init__(self, fs: os.statvfs_result) -> None:
            self.f_flag = fs.f_flag | os.ST_RDONLY

    monkeypatch.setattr(os, "statvfs", lambda p: ReadOnly(real(p)))
    before = path.read_bytes()
    with pytest.raises(ReadOnlyDriveError, match="is on a read-only drive"):
        Workspace.open(path)
    assert path.read_bytes() == before


def test_a_write_refused_by_sqlite_is_a_plain_message(tmp_path: Path) -> None:
    """A connection SQLite keeps read-only (as if opened with ?mode=ro): the write fails
    plainly, and closing still lets go of the file."""
    path = tmp_path / "w.nicdesk"
    _make(path, "N")
    before = _dump(path)
    ws = Workspace.open(path)
    ws.engine.dispose()
    event.listen(ws.engine, "connect", lambda c, _r: c.execute("PRAGMA query_only=ON"))
    with pytest.raises(ReadOnlyError) as err:
        ws.ops.create("network", name="M")
    assert err.value.message.startswith("NICdesk cannot write to w.nicdesk (attempt to write "
                                        "a readonly database)")
    assert err.value.message.endswith("Your last change was not saved; nothing already "
                                      "saved was lost.")
    with pytest.raises(ReadOnlyError):
        ws.close()  # its clock could not be saved either…
    assert _dump(path) == before  # …but the file was let go: it opens again


@pytest.mark.parametrize(("code", "cls", "phrase"), [
    (13, DiskFullError, "The disk is full"),
    (1032, WorkspaceMovedError, "was moved, renamed or deleted while NICdesk had it open"),
    (8, ReadOnlyError, "cannot write to w.nicdesk"),
    (778, StorageError, "the drive reported an error"),
    (14, StorageError, "it may have been moved, or its drive disconnected"),
    (11, DamagedWorkspaceError, "found damage in w.nicdesk"),
    (26, DamagedWorkspaceError, "found damage in w.nicdesk"),
])
def test_sqlite_result_codes_map_to_plain_errors(tmp_path: Path, code: int,
                                                 cls: type[WorkspaceError], phrase: str) -> None:
    path = tmp_path / "w.nicdesk"
    path.write_bytes(b"")
    exc = sqlite3.OperationalError("what sqlite said")
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    error = storage_error(exc, path)
    assert type(error) is cls and phrase in error.message, error
    _plain(error.message)
    assert storage_error(sqlite3.IntegrityError("UNIQUE constraint failed"), path) is None
    unique = sqlite3.IntegrityError("UNIQUE constraint failed")
    unique.sqlite_errorcode = 2067  # type: ignore[attr-defined]
    assert storage_error(unique, path) is None
    assert isinstance(storage_error(OSError(28, "No space left on device"), path),
                      DiskFullError)
