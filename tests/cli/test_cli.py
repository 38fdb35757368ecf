"""The batch commands, run as a user would (a real process) or through main()."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nicdesk.cli.parser import main
from nicdesk.store.workspace import SCHEMA_VERSION


def nicdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nicdesk", *args], capture_output=True,
                          text=True, timeout=120)


def test_demo_info_tree_show(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.nicdesk"
    result = nicdesk("demo", str(path), "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"schema version {SCHEMA_VERSION}" in out and "observation" in out
    assert main(["tree", str(path)]) == 0
    out = capsys.readouterr().out
    assert "  Sites" in out and "Lincoln High School" in out
    assert main(["show", str(path), "Lincoln High School/PDSA cycles/Ramp: Advisory"]) == 0
    out = capsys.readouterr().out
    assert "Cycle | Scale | Start | Decision" in out and "adopt" in out


def test_demo_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "x.nicdesk"
    path.write_text("precious")
    result = nicdesk("demo", str(path))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert path.read_text() == "precious"


def test_bad_file_gives_message_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "junk.nicdesk"
    path.write_bytes(b"not a workspace at all" * 10)
    result = nicdesk("info", str(path))
    assert result.returncode == 2
    assert "Not a NICdesk workspace" in result.stderr and "Traceback" not in result.stderr


def test_new_creates_a_network(tmp_path: Path, capsys) -> None:
    path = tmp_path / "n.nicdesk"
    assert main(["new", str(path), "--network", "Valley NIC"]) == 0
    assert main(["tree", str(path)]) == 0
    assert "Valley NIC" in capsys.readouterr().out


def test_show_unknown_path(tmp_path: Path, demo_file: Path, capsys) -> None:
    assert main(["show", str(demo_file), "No Such School"]) == 1
    assert "Nothing in the navigator matches" in capsys.readouterr().err


def test_funnel_and_matrix_csv(demo_file: Path, capsys) -> None:
    assert main(["funnel", str(demo_file), "--measure", "9th graders", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = lines[0].split(",")
    assert head[:8] == ["site", "denominator", "proportion", "lower95", "upper95",
                        "lower998", "upper998", "flag"]
    assert head[8:] == ["adj_lower95", "adj_upper95", "adj_lower998", "adj_upper998",
                        "adj_flag"]  # the sample network's schools differ beyond chance
    assert {line.split(",")[0] for line in lines[1:]} >= {"Lincoln High School",
                                                          "Pine Valley High School"}
    assert main(["funnel", str(demo_file), "--measure", "9th graders", "--from",
                 "2025-09-01", "--to", "2025-12-31", "--locale", "rural"]) == 0
    out = capsys.readouterr().out
    assert "Pine Valley High School" in out and "Lincoln" not in out
    assert main(["matrix", str(demo_file), "--network", "Great Lakes", "--csv"]) == 0
    out = capsys.readouterr().out
    assert "Advisory check-ins,Lincoln High School,3,adopt,yes,2025-01-06" in out
    assert main(["funnel", str(demo_file), "--measure", "nonexistent"]) == 2
    assert "No network measure matches" in capsys.readouterr().err


def test_packet_and_meetings(demo_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "p.pdf"
    result = nicdesk("packet", str(demo_file), "--meeting", "Winter", "--out", str(out),
                     "--paper", "a4", "--sections", "agenda", "actions")
    assert result.returncode == 0, result.stderr
    assert "pages written to" in result.stdout and out.read_bytes().startswith(b"%PDF")
    assert "Laying out pages" in result.stderr  # the progress line
    assert main(["packet", str(demo_file), "--out", str(tmp_path / "x.pdf"),
                 "--sections", "agendas"]) == 2
    assert "Unknown section" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    assert main(["packet", str(demo_file), "--meeting", "Nope", "--out",
                 str(tmp_path / "y.pdf")]) == 2
    assert "No meeting matches" in capsys.readouterr().err
    assert main(["packet", str(demo_file), "--meeting", "Winter", "--out",
                 str(tmp_path / "z.pdf"), "--sections", "site_pages", "--sites", "Lincoln",
                 "--measures", "9th"]) == 0
    assert "pages written" in capsys.readouterr().out
    assert main(["meetings", str(demo_file)]) == 0
    assert "Winter convening  (network)  3 open action(s)" in capsys.readouterr().out
