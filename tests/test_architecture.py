"""The package's shape: no import circles, not even through a function-local import
(`tools/check-cycles`, run by `make lint`), and the check itself can fail."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("grimp")

CHECKER = Path(__file__).resolve().parents[1] / "tools" / "check-cycles"


def run_checker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECKER), *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_nicdesk_has_no_import_circles() -> None:
    result = run_checker()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No import circles in nicdesk" in result.stdout


def test_a_function_local_circle_is_reported(tmp_path: Path) -> None:
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "alpha.py").write_text("from . import beta\n\n\nVALUE = 1\n")
    (package / "beta.py").write_text(textwrap.dedent("""\
        def late():
            from .alpha import VALUE  # the import a circle hides behind

            return VALUE
        """))
    (package / "gamma.py").write_text("from . import alpha\n")  # outside the circle
    result = run_checker("circled", "--path", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Import circle of 2 modules: circled.alpha, circled.beta" in result.stdout
    assert "circled.beta imports circled.alpha (line 2)" in result.stdout
    assert "gamma" not in result.stdout


def test_a_package_without_circles_passes(tmp_path: Path) -> None:
    package = tmp_path / "straight"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "alpha.py").write_text("from . import beta\n")
    (package / "beta.py").write_text("def late():\n    from . import gamma\n    return gamma\n")
    (package / "gamma.py").write_text("VALUE = 1\n")
    result = run_checker("straight", "--path", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
