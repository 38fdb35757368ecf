"""Packet benchmark (issue: meetings and packets).  Not a test: run with `make bench`.

Builds a network of PACKET_SITES schools (default 78; BENCH_PACKET_SITES) with a year of
weekly data, a meeting with agenda and actions, and times a full ~100-page packet (one
page per site plus small multiples, funnel, PDSA summaries...) against a reportlab
baseline drawing the same number of pages with one line of text each.  Each build runs
in a child process so its peak memory (max RSS) is its own.  Targets: under 10 s and
under 500 MB.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

SITES = int(os.environ.get("BENCH_PACKET_SITES", "78"))


def _packet(path: str, meeting: str, out: str, queue: mp.Queue) -> None:
    from nicdesk.report.packet import build_packet
    from nicdesk.store.workspace import Workspace

    with Workspace.open(path) as ws:
        start = time.perf_counter()
        result = build_packet(ws, meeting, out)
        seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, result.pages, rss))


def _baseline(pages: int, out: str, queue: mp.Queue) -> None:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen.canvas import Canvas

    start = time.perf_counter()
    c = Canvas(out, pagesize=LETTER)
    for n in range(pages):
        c.drawString(72, 720, f"Page {n + 1}")
        c.showPage()
    c.save()
    seconds = time.perf_counter() - start
    queue.put((seconds, pages, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _child(target, *args):
    ctx = mp.get_context("spawn")  # a fresh process: its peak memory is its own
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    from network import build

    from nicdesk.store.workspace import Workspace

    tmp = Path(tempfile.mkdtemp(prefix="nicdesk-bench-packet-"))
    path = tmp / "coord.nicdesk"
    net, _measure = build(path, SITES, 52)
    with Workspace.open(path) as ws, ws.ops.batch("meeting") as t:
        meeting = t.create("meeting", network_id=net, title="Spring convening",
                           date=dt.date(2026, 3, 1), start_time="09:00",
                           attendees=[f"Person {i}" for i in range(30)])
        for i in range(8):
            t.create("agenda_item", meeting_id=meeting, position=i, title=f"Item {i}",
                     minutes=10, owner=f"Person {i}")
        for i in range(40):
            t.create("action_item", meeting_id=meeting, text=f"Action {i}", owner="Person 1")
    seconds, pages, rss = _child(_packet, str(path), meeting, str(tmp / "packet.pdf"))
    base, _pages, base_rss = _child(_baseline, pages, str(tmp / "baseline.pdf"))
    print(f"packet: {pages} pages for {SITES} sites in {seconds:.2f} s "
          f"({'ok' if seconds < 10 else 'OVER'} the 10 s target), peak memory "
          f"{rss:.0f} MB ({'ok' if rss < 500 else 'OVER'} the 500 MB target)")
    print(f"  baseline reportlab, {pages} pages of one line: {base:.3f} s, {base_rss:.0f} MB;"
          f" ratio packet/baseline {seconds / base:.0f}×")


if __name__ == "__main__":
    main()
