"""`nicdesk` and `nicdesk open FILE` start the GUI without building the batch commands'
parser (start-up time); everything else still goes through it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nicdesk.main import _plain_gui_start


@pytest.mark.parametrize(("argv", "start"), [
    ([], ""),
    (["open", "work.nicdesk"], Path("work.nicdesk")),
    (["open", "postgresql+psycopg://hub/nic"], "postgresql+psycopg://hub/nic"),
    (["open", "--help"], None),
    (["open", "a.nicdesk", "b.nicdesk"], None),
    (["open"], None),
    (["--database", "postgresql://hub/nic", "open"], None),
    (["info", "work.nicdesk"], None),
    (["screenshot", "work.nicdesk", "--out", "x.png"], None),
])
def test_which_starts_skip_the_parser(argv: list[str], start: Path | str | None) -> None:
    assert _plain_gui_start(argv) == start


def test_the_plain_start_imports_no_parser_and_no_store(tmp_path: Path) -> None:
    """What `nicdesk open FILE` has loaded when its window first paints (argparse itself
    comes with PySide6's signature support, so the parser module is what is checked)."""
    code = (
        "import sys\n"
        "import nicdesk.ui.shell.app as app\n"
        "def run_app(path):\n"
        "    print(type(path).__name__, sorted(m for m in sys.modules if m.startswith(\n"
        "        ('sqlalchemy', 'nicdesk.cli', 'nicdesk.store.workspace'))))\n"
        "    return 0\n"
        "app.run_app = run_app\n"
        "from nicdesk.main import main\n"
        f"sys.exit(main(['open', {str(tmp_path / 'w.nicdesk')!r}]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"QT_QPA_PLATFORM": "offscreen",
                                          "NICDESK_DATA_DIR": str(tmp_path),
                                          "PATH": "/usr/bin:/bin"}).stdout
    assert out.split() == ["PosixPath", "[]"]


def test_the_first_screen_is_drawn_without_the_store(demo_copy: Path, tmp_path: Path) -> None:
    """The first look fills the navigator and a school's site form (with its enrolment
    and discussion sections) before SQLAlchemy is imported: that is what makes the first
    screen appear in about twice a bare window's time (bench/startup.py)."""
    import sqlite3

    con = sqlite3.connect(demo_copy)
    school = con.execute("SELECT id FROM sites WHERE kind = 'school' ORDER BY name").fetchone()
    con.execute("INSERT OR REPLACE INTO workspace_meta (key, value) VALUES "
                "('local_site_id', ?)", school)
    con.commit()
    con.close()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from nicdesk.ui.shell.main_window import MainWindow\n"
        "w = MainWindow()\n"
        f"lock = w.show_first_look(Path({str(demo_copy)!r}))\n"
        "page = w.pages.current_page() if hasattr(w.pages, 'current_page') else None\n"
        "print(lock is not None, sorted({m.split('.')[0] for m in sys.modules\n"
        "      if m.startswith(('sqlalchemy', 'alembic'))}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"QT_QPA_PLATFORM": "offscreen",
                              "NICDESK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "[]"], out.stdout + out.stderr[-2000:]
