"""Student groups as data: the network's dimensions and groups, group-level values from
CSV (with the per-group preview and its bad cases, each leaving the database as it was),
and site enrolments by school year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from nicdesk.core.groups import USUAL_GROUPS
from nicdesk.store.errors import InvalidChangeError
from nicdesk.store.ops import groups as gops
from nicdesk.store.ops.csv_import import CsvImportError, import_csv, preview_csv
from nicdesk.store.schema import GroupDimension, Observation, SiteEnrolment, StudentGroup
from nicdesk.store.views.groups import (
    network_enrolments,
    network_groups,
    read_dimensions,
    read_site_enrolments,
)

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def setup(workspace, network):
    ops = workspace.ops
    site = ops.create("site", network_id=network, name="Lincoln").id
    measure = ops.create("measure", network_id=network, name="On track",
                         value_type="proportion", frequency="monthly").id
    gops.add_usual_groups(workspace, network)
    return workspace, network, site, measure


def snapshot(ws) -> list[tuple]:
    with ws.read() as s:
        return [(o.id, o.period, o.group_id, o.value, o.denominator, o.deleted, o.hlc)
                for o in s.scalars(select(Observation).order_by(Observation.id))]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "groups.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_usual_groups_are_added_once_in_order_and_undo_in_one_step(workspace, network) -> None:
    assert gops.add_usual_groups(workspace, network) is not None
    dims = read_dimensions(workspace, network)
    assert [d.name for d in dims] == [d[0] for d in USUAL_GROUPS]
    assert [g.name for g in dims[0].groups] == list(USUAL_GROUPS[0][2])
    assert gops.add_usual_groups(workspace, network) is None  # nothing missing: nothing done
    workspace.ops.undo()
    assert read_dimensions(workspace, network) == []


def test_a_coordinators_own_dimension_is_kept_and_not_doubled(workspace, network) -> None:
    gops.add_dimension(workspace, network, "gender ", "as recorded")
    gops.add_usual_groups(workspace, network)
    names = [d.name for d in read_dimensions(workspace, network)]
    assert names[0] == "gender" and names.count("Gender") == 0 and len(names) == 5


def test_names_stay_distinct_and_moving_renumbers(workspace, network) -> None:
    dim = gops.add_dimension(workspace, network, "Grade").id
    nine = gops.add_group(workspace, dim, "Grade 9").id
    ten = gops.add_group(workspace, dim, "Grade 10").id
    with pytest.raises(InvalidChangeError, match="already has a group called “Grade 9”"):
        gops.add_group(workspace, dim, " grade  9")
    with pytest.raises(InvalidChangeError, match="already has a dimension"):
        gops.add_dimension(workspace, network, "GRADE")
    gops.move(workspace, "student_group", ten, -1)
    assert [g.id for g in read_dimensions(workspace, network)[0].groups] == [ten, nine]
    assert gops.move(workspace, "student_group", ten, -1) is None  # already first
    gops.rename(workspace, "student_group", nine, "Ninth grade")
    assert read_dimensions(workspace, network)[0].groups[1].name == "Ninth grade"


def test_a_group_with_values_is_not_deleted(setup) -> None:
    ws, network, site, measure = setup
    el = next(g for g in network_groups_of(ws, network) if g.name == "English learners")
    ws.ops.create("observation", measure_id=measure, site_id=site,
                  period=dt.date(2025, 9, 1), value=0.5, numerator=5, denominator=10,
                  group_id=el.id)
    before = snapshot(ws)
    with pytest.raises(InvalidChangeError, match="1 value is recorded for this group"):
        gops.delete_group(ws, "student_group", el.id)
    assert snapshot(ws) == before
    with ws.read() as s:
        assert not s.get(StudentGroup, el.id).deleted


def network_groups_of(ws, network):
    with ws.read() as s:
        return network_groups(s, network)


def test_csv_with_a_group_column_previews_per_group_and_imports(setup, tmp_path) -> None:
    ws, _network, site, measure = setup
    path = write(tmp_path, "Month,Group,Numerator,Denominator\n"
                 "2025-09-01,,200,300\n2025-09-01,english learners,20,40\n"
                 "2025-10-01,,210,300\n2025-10-01,English Learners,22,40\n"
                 "2025-10-01,Gender: Female,100,150\n")
    preview = preview_csv(ws, measure, site, path, today=TODAY)
    assert preview.parsed.ok
    assert preview.group_counts() == {"All students": 2, "English learners": 2,
                                      "Gender: Female": 1}
    assert ("Rows per student group: All students 2 rows, English learners 2 rows, "
            "Gender: Female 1 row.") in preview.parsed.notes
    result = import_csv(ws, measure, site, path, today=TODAY)
    assert result.added == 5
    with ws.read() as s:
        names = {g.id: g.name for g in s.scalars(select(StudentGroup))}
        stored = sorted((o.period, names.get(o.group_id, "all"), o.numerator)
                        for o in s.scalars(select(Observation)))
    assert stored == [(dt.date(2025, 9, 1), "English learners", 20),
                      (dt.date(2025, 9, 1), "all", 200),
                      (dt.date(2025, 10, 1), "English learners", 22),
                      (dt.date(2025, 10, 1), "Female", 100),
                      (dt.date(2025, 10, 1), "all", 210)]
    # the same file again: every row is already stored, for its own group
    assert len(preview_csv(ws, measure, site, path, today=TODAY).duplicates()) == 5


@pytest.mark.parametrize(("text", "message"), [
    ("date,group,value\n2025-09-01,Martians,50%\n",
     "“Martians” is not one of the network's student groups"),
    ("date,group,value\n2025-09-01,English learners,50%\n2025-09-01,english  LEARNERS,60%\n",
     "2025-09-01 appears twice in the file for english  LEARNERS (also line 2)"),
    ("date,group,value\n2025-09-01,Female,50%\n2025-09-01,Gender: Female,60%\n",
     "appears twice in the file for Gender: Female (also line 2)"),
])
def test_bad_group_rows_are_named_and_nothing_changes(setup, tmp_path, text, message) -> None:
    ws, _network, site, measure = setup
    before = snapshot(ws)
    path = write(tmp_path, text)
    preview = preview_csv(ws, measure, site, path, today=TODAY)
    assert any(message in p for r in preview.parsed.bad for p in r.problems), preview.report()
    with pytest.raises(CsvImportError, match="nothing was changed"):
        import_csv(ws, measure, site, path, today=TODAY)
    assert snapshot(ws) == before


def test_a_group_of_another_network_is_refused(setup, tmp_path) -> None:
    ws, _network, site, measure = setup
    other = ws.ops.create("network", name="Other NIC").id
    dim = gops.add_dimension(ws, other, "Programme").id
    gops.add_group(ws, dim, "Robotics club")
    before = snapshot(ws)
    path = write(tmp_path, "date,group,value\n2025-09-01,Robotics club,50%\n")
    with pytest.raises(CsvImportError, match="is a group of another network"):
        import_csv(ws, measure, site, path, today=TODAY)
    assert snapshot(ws) == before


def test_a_name_in_two_dimensions_asks_for_the_dimension(setup, tmp_path) -> None:
    ws, network, site, measure = setup
    dim = gops.add_dimension(ws, network, "Programme").id
    gops.add_group(ws, dim, "Female")
    path = write(tmp_path, "date,group,value\n2025-09-01,Female,50%\n")
    preview = preview_csv(ws, measure, site, path, today=TODAY)
    assert "write it as “Gender: Female”" in preview.report()
    path = write(tmp_path, "date,group,value\n2025-09-01,programme: female,50%\n")
    assert preview_csv(ws, measure, site, path, today=TODAY).parsed.ok


def test_enrolment_by_school_year_total_and_groups(setup) -> None:
    ws, network, site, _measure = setup
    el = next(g for g in network_groups_of(ws, network) if g.name == "English learners")
    gops.set_enrolment(ws, site, "2025-26", None, 400)
    gops.set_enrolment(ws, site, "2025-26", el.id, 60)
    gops.set_enrolment(ws, site, "2024-25", None, 380)
    assert gops.set_enrolment(ws, site, "2025-26", el.id, 60) is None  # no change
    gops.set_enrolment(ws, site, "2025-26", el.id, 64)
    rows = read_site_enrolments(ws, site)
    assert [(r.school_year, r.group_label, r.students) for r in rows] == [
        ("2025-26", "All students", 400), ("2025-26", "English learners", 64),
        ("2024-25", "All students", 380)]
    with ws.read() as s:
        from nicdesk.core.groups import group_shares
        shares = group_shares(network_enrolments(s, network), "2025-26")
    assert shares == {site: {el.id: pytest.approx(0.16)}}
    gops.set_enrolment(ws, site, "2024-25", None, None)  # removed
    assert len(read_site_enrolments(ws, site)) == 2


def test_enrolment_refuses_bad_years_and_foreign_groups(setup) -> None:
    ws, _network, site, _measure = setup
    other = ws.ops.create("network", name="Other NIC").id
    foreign = gops.add_group(ws, gops.add_dimension(ws, other, "Programme").id, "Robotics").id
    with ws.read() as s:
        before = list(s.scalars(select(SiteEnrolment.id)))
    with pytest.raises(InvalidChangeError, match="not one of this site's network's"):
        gops.set_enrolment(ws, site, "2025-26", foreign, 10)
    with pytest.raises(InvalidChangeError, match="write it as 2025-26"):
        gops.set_enrolment(ws, site, "2025/26", None, 10)
    with ws.read() as s:
        assert list(s.scalars(select(SiteEnrolment.id))) == before
        assert s.scalar(select(GroupDimension.id).where(GroupDimension.network_id == other))


def test_a_workbook_group_column_is_read_like_a_csv_one(setup, tmp_path) -> None:
    import openpyxl

    ws, _network, site, measure = setup
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Month", "Student group", "Numerator", "Denominator"])
    sheet.append([dt.date(2025, 9, 1), None, 200, 300])
    sheet.append([dt.date(2025, 9, 1), "Students with disabilities", 20, 45])
    sheet.append([dt.date(2025, 9, 1), "Martians", 1, 2])
    path = tmp_path / "groups.xlsx"
    book.save(path)
    before = snapshot(ws)
    preview = preview_csv(ws, measure, site, path, today=TODAY)
    assert preview.group_counts() == {"All students": 1, "Students with disabilities": 1}
    assert "row 4: “Martians” is not one of the network's student groups" in preview.report()
    with pytest.raises(CsvImportError):
        import_csv(ws, measure, site, path, today=TODAY)
    assert snapshot(ws) == before
    assert import_csv(ws, measure, site, path, today=TODAY, skip_bad_rows=True).added == 2
