"""A damaged or crafted workspace file never gives a command a traceback."""

from __future__ import annotations

from pathlib import Path

from nicdesk.store.workspace import Workspace


def test_a_damaged_date_in_a_workspace_is_one_line(tmp_path: Path, capsys) -> None:
    """A file whose date column holds text (damaged or crafted): the command says so in
    one line and exits 2 — never a traceback (found by the red team's workspace battery)."""
    import sqlite3

    from nicdesk.cli.parser import main as cli

    path = tmp_path / "w.nicdesk"
    with Workspace.create(path) as ws:
        net = ws.ops.create("network", name="N").id
        site = ws.ops.create("site", network_id=net, name="S").id
        measure = ws.ops.create("measure", network_id=net, name="M").id
        ws.ops.create("observation", measure_id=measure, site_id=site, period="2025-09-01",
                      value=1.0)
    con = sqlite3.connect(path)
    con.execute("UPDATE observations SET period = 'not-a-date'")
    con.commit()
    con.close()
    capsys.readouterr()
    assert cli(["dump", str(path), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "Something went wrong" in err and "not-a-date" in err
