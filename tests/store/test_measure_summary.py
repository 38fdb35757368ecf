"""A measure's read-only summary (`nicdesk show`, the summary page): its latest value is
the latest counted one, and a table cut to the last periods says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nicdesk.store.views.navigator import summary
from nicdesk.store.workspace import Workspace


def test_summary_says_what_its_table_leaves_out(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w.nicdesk") as ws:
        net = ws.ops.create("network", name="NIC").id
        site = ws.ops.create("site", network_id=net, name="Lincoln", kind="school").id
        m = ws.ops.create("measure", network_id=net, name="Referrals", value_type="count",
                          frequency="weekly").id
        start = dt.date(2026, 1, 5)
        for week in range(20):
            ws.ops.create("observation", measure_id=m, site_id=site,
                          period=start + dt.timedelta(weeks=week), value=float(week))
        last = ws.ops.create("observation", measure_id=m, site_id=site,
                             period=start + dt.timedelta(weeks=20), value=99.0).id
        ws.ops.update("observation", last, excluded=True, exclusion_reason="data error")
        facts = dict(summary(ws, "measure", m, site).facts)
        table = summary(ws, "measure", m, site).table
    assert facts["Observations"] == "21"
    assert facts["Median"] == "9.5"  # the 20 counted values, not the excluded 99
    assert facts["Latest"] == "19 (2026-05-18)"  # the latest counted value and its period
    assert facts["Periods listed"].startswith("the last 12 of 21")
    assert table is not None and len(table[1]) == 12
    assert table[1][-1][0] == "2026-05-25" and table[1][-1][3] == "excluded: data error"
