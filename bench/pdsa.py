"""PDSA list benchmark (issue: PDSA).  Not a test: run with `make bench`.

5,000 cycles (2 questions each) in a network: building the list rows (stage, overdue,
what is missing) against reading the same rows with raw sqlite3 as the baseline.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from timing import timed

from nicdesk.store.ops.pdsa import cycle_rows
from nicdesk.store.workspace import Workspace


def main() -> None:
    path = Path(tempfile.mkdtemp(prefix="nicdesk-bench-")) / "pdsa.nicdesk"
    ws = Workspace.create(path)
    net = ws.ops.create("network", name="Big NIC").id
    with ws.ops.batch("sites") as t:
        sites = [t.create("site", network_id=net, name=f"School {i}") for i in range(50)]
        idea = t.create("change_idea", network_id=net, title="Check-ins")
    with ws.ops.batch("cycles", undoable=False) as t:
        for i in range(5000):
            c = t.create("pdsa_cycle", site_id=sites[i % 50], change_idea_id=idea,
                         title=f"Check-ins, cycle {i}", start_date="2025-09-01",
                         end_date="2025-09-14", decision="adapt" if i % 3 else "")
            t.create("pdsa_question", cycle_id=c, question="Feasible?", prediction="Yes")
            t.create("pdsa_question", cycle_id=c, question="Liked?")
    con = sqlite3.connect(path)
    base = timed(lambda: con.execute("SELECT * FROM pdsa_cycles WHERE deleted = 0").fetchall())
    with ws.read() as s:
        ours = timed(lambda: cycle_rows(s, network_id=net), repeats=5)
        rows = cycle_rows(s, network_id=net)
    print(f"raw sqlite3, 5,000 cycles:        {base * 1000:7.1f} ms (baseline)")
    print(f"PDSA list rows, 5,000 cycles:     {ours * 1000:7.1f} ms  ratio {ours / base:.1f}x "
          f"({sum(r.overdue for r in rows)} overdue)")
    con.close()
    ws.close()


if __name__ == "__main__":
    main()
