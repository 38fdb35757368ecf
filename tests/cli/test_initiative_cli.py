"""`nicdesk new-initiative` and `nicdesk templates` run through main() as typed: the new
file holds the copied structure, the old file is only read, refusals write nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from nicdesk.cli.parser import main
from nicdesk.store.schema import Measure, Network, Observation, Site
from nicdesk.store.workspace import Workspace
from nicdesk.templates import starter_templates


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_from_a_network_of_a_workspace_holding_two(demo_copy: Path, tmp_path: Path,
                                                   capsys) -> None:
    new = tmp_path / "next"
    before = _digest(demo_copy)
    # two networks and none named: told which there are, nothing written
    assert main(["new-initiative", str(new), "--from", str(demo_copy),
                 "--name", "Attendance NIC"]) == 2
    err = capsys.readouterr().err
    assert "several networks" in err and "North Star Regional Centers NIC" in err
    assert not new.with_suffix(".nicdesk").exists()
    assert main(["new-initiative", str(new), "--from", str(demo_copy), "--network",
                 "north star"]) == 2
    assert "--name" in capsys.readouterr().err
    assert main(["new-initiative", str(new), "--from", str(demo_copy), "--network",
                 "north star", "--name", "Attendance NIC", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Attendance NIC from North Star Regional Centers NIC:" in out
    assert "Left behind, and what to check:" in out and "No keys" in out and "Nothing was written" in out
    assert not new.with_suffix(".nicdesk").exists()
    assert main(["new-initiative", str(new), "--from", str(demo_copy), "--network",
                 "north star", "--name", "Attendance NIC"]) == 0
    assert "Started Attendance NIC in" in capsys.readouterr().out
    assert _digest(demo_copy) == before
    with Workspace.open(new.with_suffix(".nicdesk")) as ws, ws.read() as s:
        assert [n.name for n in s.scalars(select(Network))] == ["Attendance NIC"]
        assert s.scalar(select(func.count()).select_from(Site)) == 7  # hub + 6 centres
        assert s.scalar(select(func.count()).select_from(Observation)) == 0
        assert s.scalar(select(func.count()).select_from(Measure)) > 0
    # the same file again: refused before anything is read, the file kept
    made = _digest(new.with_suffix(".nicdesk"))
    assert main(["new-initiative", str(new.with_suffix(".nicdesk")), "--from",
                 str(demo_copy), "--network", "north", "--name", "Again"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert _digest(new.with_suffix(".nicdesk")) == made


def test_a_folder_as_the_target_is_refused_and_nothing_written(
        demo_copy: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "initiatives"
    folder.mkdir()
    before = sorted(tmp_path.iterdir())
    assert main(["new-initiative", str(folder), "--from", str(demo_copy),
                 "--network", "north", "--name", "Year two"]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "next-initiative.nicdesk" in err
    assert sorted(tmp_path.iterdir()) == before
    assert list(folder.iterdir()) == []


def test_from_a_template_and_the_list(tmp_path: Path, capsys) -> None:
    assert main(["templates"]) == 0
    listing = capsys.readouterr().out
    templates = starter_templates()
    assert len(templates) == 3
    for t in templates:
        assert f"{t.id}: {t.name}" in listing
        assert t.sources and t.sources[0][:40] in listing.replace("\n    ", " ")
    target = tmp_path / "absence.nicdesk"
    assert main(["new-initiative", str(target), "--template", "chronic-absenteeism"]) == 0
    out = capsys.readouterr().out
    assert "Sources:" in out and "Started" in out
    with Workspace.open(target) as ws, ws.read() as s:
        assert s.scalar(select(func.count()).select_from(Observation)) == 0
        assert s.scalar(select(func.count()).select_from(Measure)) >= 4
    assert main(["new-initiative", str(tmp_path / "x.nicdesk"), "--template", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no starter template “nope”" in err and "early-literacy" in err
    assert not (tmp_path / "x.nicdesk").exists()
    assert main(["new-initiative", str(tmp_path / "y.nicdesk"), "--template",
                 "early-literacy", "--network", "x"]) == 2
    assert "--network goes with --from" in capsys.readouterr().err
