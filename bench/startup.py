"""Start-up benchmark (issue: foundation).  Not a test: run with `make bench`.

Measures, in fresh processes, from just before the process starts:
  baseline  — a bare PySide6 QMainWindow script to its first paint;
  (a)       — NICdesk's main window to its first paint (target ≤ 1.5× baseline);
  (b)       — NICdesk until the sample workspace's navigator and first form are filled
              (target ≤ 4× baseline).
Prints medians of several repeats and their ratios.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))

BARE = r"""
import time
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
class W(QMainWindow):
    done = False
    def paintEvent(self, e):
        super().paintEvent(e)
        if not self.done:
            self.done = True
            print(f"first-paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
app = QApplication([])
w = W(); w.resize(1400, 860); w.show()
app.exec()
"""


def run(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    start = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120).stdout
    marks = {}
    for line in out.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("first-paint", "ready"):
            marks[name] = float(stamp) - start
    return marks


def main() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    data = Path(tempfile.mkdtemp(prefix="nicdesk-bench-"))
    env["NICDESK_DATA_DIR"] = str(data)
    sample = data / "bench.nicdesk"
    subprocess.run([sys.executable, "-m", "nicdesk", "demo", str(sample)], check=True,
                   env=env, capture_output=True)
    nic_env = dict(env, NICDESK_TIMING="1")
    bare, paint, ready = [], [], []
    for _ in range(REPEATS):
        bare.append(run([sys.executable, "-c", BARE], env)["first-paint"])
        marks = run([sys.executable, "-m", "nicdesk", "open", str(sample)], nic_env)
        paint.append(marks["first-paint"])
        ready.append(marks["ready"])
    b, p, r = (statistics.median(x) for x in (bare, paint, ready))
    print(f"baseline bare QMainWindow first paint: {b:.3f} s (median of {REPEATS})")
    print(f"(a) NICdesk first paint:               {p:.3f} s  ratio {p / b:.2f}x  target <= 1.5x")
    print(f"(b) NICdesk workspace filled:          {r:.3f} s  ratio {r / b:.2f}x  target <= 4x")


if __name__ == "__main__":
    main()
