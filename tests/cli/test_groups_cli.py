"""`nicdesk groups` and `nicdesk enrolment`, and `import-csv` with a group column, run
through main() as a user types them; refusals leave the workspace as it was."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from nicdesk.cli.parser import main
from nicdesk.store.schema import GroupDimension, Observation, SiteEnrolment, StudentGroup
from nicdesk.store.workspace import Workspace


def _counts(path: Path) -> tuple[int, int, int, int]:
    with Workspace.open(path) as ws, ws.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m).where(m.deleted.is_(False)))
                     for m in (GroupDimension, StudentGroup, SiteEnrolment, Observation))


def test_groups_from_none_to_the_usual_ones_and_own(tmp_path: Path, capsys) -> None:
    path = tmp_path / "g.nicdesk"
    assert main(["new", str(path), "--network", "Valley NIC"]) == 0
    capsys.readouterr()
    assert main(["groups", str(path)]) == 0
    assert "has no student groups yet" in capsys.readouterr().out
    assert main(["groups", str(path), "add-usual"]) == 0
    out = capsys.readouterr().out
    assert "Added the usual student groups to Valley NIC." in out
    assert "  English learners: English learners" in out
    assert "  Gender: Female, Male, Nonbinary" in out
    assert main(["groups", str(path), "add-usual"]) == 0
    assert "nothing added" in capsys.readouterr().out
    assert main(["groups", str(path), "add-dimension", "Grade", "--description", "grade"]) == 0
    assert main(["groups", str(path), "add", "Grade 9", "--dimension", "grade"]) == 0
    assert main(["groups", str(path), "rename", "Grade 9", "Ninth", "--dimension", "Grade"]) == 0
    assert "  Grade: Ninth" in capsys.readouterr().out
    before = _counts(path)
    assert main(["groups", str(path), "add", "ninth", "--dimension", "Grade"]) == 2
    assert "already has a group called “Ninth”" in capsys.readouterr().err
    assert main(["groups", str(path), "add", "Tenth", "--dimension", "Nope"]) == 2
    assert "No dimension matches 'Nope'" in capsys.readouterr().err
    assert _counts(path) == before


def test_enrolment_set_list_and_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "e.nicdesk"
    assert main(["new", str(path), "--network", "Valley NIC"]) == 0
    assert main(["groups", str(path), "add-usual"]) == 0
    with Workspace.open(path) as ws:
        from nicdesk.services.workspaces import named_records
        ws.ops.create("site", network_id=named_records(ws, "network")[0].id, name="Lincoln")
    capsys.readouterr()
    assert main(["enrolment", str(path), "--site", "Lincoln"]) == 0
    assert "No enrolment recorded for Lincoln yet." in capsys.readouterr().out
    assert main(["enrolment", str(path), "--site", "Lincoln", "--year", "2025-26",
                 "--students", "412"]) == 0
    assert main(["enrolment", str(path), "--site", "Lincoln", "--year", "2025-26",
                 "--students", "61", "--group", "english learners"]) == 0
    out = capsys.readouterr().out
    assert "  2025-26\tAll students\t412\n  2025-26\tEnglish learners\t61" in out
    before = _counts(path)
    assert main(["enrolment", str(path), "--site", "Lincoln", "--year", "2025/26",
                 "--students", "400"]) == 2
    assert "write it as 2025-26" in capsys.readouterr().err
    assert main(["enrolment", str(path), "--site", "Lincoln", "--year", "2025-26",
                 "--students", "5", "--group", "Martians"]) == 2
    assert "“Martians” is not one of the network's student groups" in capsys.readouterr().err
    assert main(["enrolment", str(path), "--site", "Lincoln", "--year", "2025-26",
                 "--students", "-5"]) == 2
    assert "cannot be negative" in capsys.readouterr().err
    assert _counts(path) == before


def test_import_csv_with_a_group_column(tmp_path: Path, capsys) -> None:
    path = tmp_path / "i.nicdesk"
    assert main(["new", str(path), "--network", "Valley NIC"]) == 0
    assert main(["groups", str(path), "add-usual"]) == 0
    with Workspace.open(path) as ws:
        from nicdesk.services.workspaces import named_records
        net = named_records(ws, "network")[0].id
        ws.ops.create("site", network_id=net, name="Lincoln")
        ws.ops.create("measure", network_id=net, name="On track", value_type="proportion",
                      frequency="monthly")
    data = tmp_path / "on_track.csv"
    data.write_text("month,student group,numerator,denominator\n2025-09-01,,180,240\n"
                    "2025-09-01,English learners,21,38\n2025-10-01,,185,240\n")
    capsys.readouterr()
    assert main(["import-csv", str(path), str(data), "--measure", "On track", "--site",
                 "Lincoln", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Rows per student group: All students 2 rows, English learners 1 row." in out
    assert main(["import-csv", str(path), str(data), "--measure", "On track", "--site",
                 "Lincoln"]) == 0
    assert _counts(path)[3] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("month,group,numerator,denominator\n2025-11-01,Martians,1,2\n")
    assert main(["import-csv", str(path), str(bad), "--measure", "On track", "--site",
                 "Lincoln"]) == 2
    assert "“Martians” is not one of the network's student groups" in capsys.readouterr().err
    assert _counts(path)[3] == 3
