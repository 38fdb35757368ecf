"""`nicdesk diagram WS NAME --out FILE.png` for both kinds of diagram (issue 19, item 11:
a fishbone ended in a traceback because the PNG path read it as a driver diagram)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("name", ["Why do 9th graders fall off track?", "Theory"])
def test_png_of_a_fishbone_and_a_driver_diagram(demo_file: Path, tmp_path: Path,
                                                 name: str) -> None:
    out = tmp_path / "diagram.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "nicdesk", "diagram", str(demo_file), name,
                             "--out", str(out)], capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(out) as image:
        assert image.width > 1000 and image.height > 300
