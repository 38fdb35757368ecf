"""Pull the plug: a process is killed with SIGKILL at random moments while it imports a
large bundle, autosaves a PDSA form, or migrates an old workspace.  After every kill the
workspace opens, passes PRAGMA integrity_check, and holds all or nothing of the work
that was under way."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nicdesk.store.workspace import HEAD_REVISION, Workspace, inspect_file

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
KILLS = 20


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))


def _kill_after(proc: subprocess.Popen[str], delay: float) -> bool:
    """SIGKILL after `delay` seconds; False if it had already finished."""
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return True


def _timed(*args: str) -> float:
    start = time.monotonic()
    proc = _start(*args)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return time.monotonic() - start


def test_killed_imports_leave_all_or_nothing(large_pair, tmp_path: Path) -> None:
    rng = random.Random(20261126)
    probe = tmp_path / "probe.nicdesk"
    shutil.copyfile(large_pair.coordinator, probe)
    full = _timed("-m", "nicdesk", "import", str(probe), str(large_pair.bundle))
    outcomes = {"none": 0, "all": 0}
    for k in range(KILLS):
        work = tmp_path / f"kill{k}.nicdesk"
        shutil.copyfile(large_pair.coordinator, work)
        proc = _start("-m", "nicdesk", "import", str(work), str(large_pair.bundle))
        _kill_after(proc, rng.uniform(0.05, full * 1.05))
        with Workspace.open(work) as ws:
            assert ws.integrity_ok()
            with ws.engine.connect() as con:
                n = con.exec_driver_sql(
                    "SELECT count(*) FROM observations WHERE site_id = ?",
                    (large_pair.site_id,)).scalar()
                imports = con.exec_driver_sql("SELECT count(*) FROM bundle_imports").scalar()
        assert (n, imports) in ((0, 0), (large_pair.rows, 1)), (k, n, imports)
        outcomes["all" if n else "none"] += 1
    assert outcomes["none"] >= 3  # the kills really landed mid-import


AUTOSAVE = r"""
import sys
from nicdesk.store.workspace import Workspace
ws = Workspace.open(sys.argv[1])
cycle = sys.argv[2]
text = ""
for i in range(100000):
    text += f"word{i} "
    ws.ops.update("pdsa_cycle", cycle, study_learned=text)  # what the form's autosave does
    print(i, flush=True)
"""


def test_killed_autosave_keeps_every_acknowledged_edit(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "pdsa.nicdesk"
    with Workspace.create(path) as ws:
        net = ws.ops.create("network", name="NIC").id
        site = ws.ops.create("site", network_id=net, name="A").id
        cycle = ws.ops.create("pdsa_cycle", site_id=site, title="Check-ins").id
    script = tmp_path / "autosave.py"
    script.write_text(AUTOSAVE)
    for k in range(KILLS):
        proc = _start(str(script), str(path), cycle)
        _kill_after(proc, rng.uniform(0.4, 2.0))
        acknowledged = [int(line) for line in (proc.stdout.read() or "").split()
                        if line.isdigit()]
        with Workspace.open(path) as ws:
            assert ws.integrity_ok()
            from nicdesk.store.schema import PdsaCycle

            with ws.read() as s:
                stored = s.get(PdsaCycle, cycle).study_learned
        words = stored.split()
        # a whole saved value: word0 … wordN in order, and at least what was acknowledged
        assert words == [f"word{i}" for i in range(len(words))], k
        if acknowledged:
            assert len(words) >= acknowledged[-1] + 1, (k, len(words), acknowledged[-1])


def _old_file(path: Path, rows: int) -> None:
    """A schema-1 workspace with data (as NICdesk 0.1 first wrote them)."""
    from sqlalchemy import create_engine

    from nicdesk.store import migrate
    from nicdesk.store.workspace import APPLICATION_ID

    con = sqlite3.connect(path)
    con.execute(f"PRAGMA application_id={APPLICATION_ID}")
    con.close()
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO networks (id, name, common_aim, description, "
                "suppression_threshold, rule_set, coordinator_public_key, hlc, field_clocks, "
                "deleted) VALUES ('n1', 'Old NIC', '', '', 10, 'Anhøj', '', '1', '{}', 0)")
    con.execute("INSERT INTO sites (id, network_id, name, kind, public_keys, context_tags, "
                "private_notes, hlc, field_clocks, deleted) VALUES "
                "('s1', 'n1', 'A', 'school', '[]', '{}', '', '1', '{}', 0)")
    con.execute("INSERT INTO measures (id, network_id, name, kind, definition, unit, "
                "data_source, frequency, direction, value_type, chart_kind, hlc, "
                "field_clocks, deleted) VALUES ('m1', 'n1', 'M', 'outcome', '', '', '', "
                "'weekly', 'up', 'continuous', 'run', '1', '{}', 0)")
    con.executemany("INSERT INTO observations (id, measure_id, site_id, period, value, note, "
                    "excluded, exclusion_reason, hlc, field_clocks, deleted) VALUES "
                    "(?, 'm1', 's1', ?, 1.0, '', 0, '', '1', '{}', 0)",
                    [(f"o{i}", f"{1900 + i // 336:04d}-{i // 28 % 12 + 1:02d}-"
                      f"{i % 28 + 1:02d}") for i in range(rows)])
    con.commit()
    con.close()


def test_killed_migration_leaves_backup_intact_and_next_open_completes(tmp_path: Path) -> None:
    rng = random.Random(11)
    template = tmp_path / "old.nicdesk"
    _old_file(template, 60_000)
    probe = tmp_path / "probe.nicdesk"
    shutil.copyfile(template, probe)
    full = _timed("-m", "nicdesk", "info", str(probe))
    killed = 0
    for k in range(KILLS):
        work = tmp_path / f"m{k}.nicdesk"
        for leftover in tmp_path.glob(f"m{k}.nicdesk*"):
            leftover.unlink()
        shutil.copyfile(template, work)
        proc = _start("-m", "nicdesk", "info", str(work))
        killed += _kill_after(proc, rng.uniform(0.05, full))
        for backup in tmp_path.glob(f"m{k}.nicdesk.bak-*"):
            if backup.name.endswith((".part", "-journal")):
                continue  # a copy cut short, under its temporary name: not a backup
            state = inspect_file(backup)  # a backup, where there is one, is whole
            assert state.revision == "0001" and state.is_nicdesk, backup
            con = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == 60_000
            con.close()
        with Workspace.open(work) as ws:  # the next open migrates (again) or finds it done
            assert ws.integrity_ok()
            with ws.engine.connect() as con:
                assert con.exec_driver_sql("SELECT count(*) FROM observations").scalar() \
                    == 60_000
        assert inspect_file(work).revision == HEAD_REVISION
        # the reopen backed up again if it had to migrate: never a half-copied backup
        assert [p.name for p in tmp_path.glob(f"m{k}.nicdesk.bak-*")] == [
            f"m{k}.nicdesk.bak-0001"]
    assert killed >= 5
