"""A digest carries group values as a network view shows them: a small group's value
travels as "suppressed", and so does the value that would give it away by subtraction
from all students and the other groups (complementary suppression, docs/equity.md)."""

from __future__ import annotations

import json
from pathlib import Path

from nicdesk.cli.parser import main
from nicdesk.store.ops import groups as gops
from nicdesk.store.schema import GroupDimension, Measure, Site, StudentGroup
from nicdesk.store.workspace import Workspace

from .test_bundles import make_sites
from .test_digest_privacy import records


def test_a_small_group_and_the_cell_that_would_reveal_it_travel_suppressed(
        tmp_path: Path) -> None:
    coord, _sites = make_sites(tmp_path)
    with Workspace.open(coord) as ws:
        with ws.read() as s:
            network = s.query(Measure).one().network_id
        gops.add_usual_groups(ws, network)
        with ws.read() as s:
            hub = s.query(Site).filter_by(name="Hub").one().id
            measure = s.query(Measure).one().id
            gender = {g.name: g.id for g in s.query(StudentGroup).join(
                GroupDimension, GroupDimension.id == StudentGroup.dimension_id).filter(
                GroupDimension.name == "Gender")}

        def value(numerator: int, denominator: int, group: str | None) -> str:
            return ws.ops.create("observation", measure_id=measure, site_id=hub,
                                 period="2025-09-01", numerator=numerator,
                                 denominator=denominator, value=numerator / denominator,
                                 group_id=gender[group] if group else None).created[0]

        ids = {"all": value(61, 140, None), "Female": value(33, 70, "Female"),
               "Male": value(25, 64, "Male"), "Nonbinary": value(3, 6, "Nonbinary")}
    digest = tmp_path / "digest.nicbundle"
    assert main(["export", str(coord), "--digest", "--out", str(digest)]) == 0
    manifest, lines = records(digest)
    hidden = set(manifest["suppressed"]["observations"])
    # Nonbinary (6 students) is small; Male, the next smallest, goes too — else
    # 61 − 33 − 25 = 3 of 140 − 70 − 64 = 6 would be read off what is shown
    assert hidden == {ids["Nonbinary"], ids["Male"]}
    shown = {k: json.loads(lines[v]) for k, v in ids.items() if v not in hidden}
    assert (shown["all"]["numerator"], shown["Female"]["numerator"]) == (61, 33)
    for key in ("Nonbinary", "Male"):
        record = json.loads(lines[ids[key]])
        assert not {"value", "numerator", "denominator"} & set(record)
    # no shown number recovers a hidden one by subtraction
    assert shown["all"]["denominator"] - shown["Female"]["denominator"] == 70  # M + NB only
