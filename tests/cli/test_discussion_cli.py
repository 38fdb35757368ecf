"""`nicdesk comments` and `nicdesk comment`: read, write, reply, resolve; refusals are one
line on stderr (exit 2) and change nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nicdesk.cli.parser import main


def _count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM comments").fetchone()[0]
    finally:
        con.close()


def test_comment_reply_resolve_and_list(demo_copy: Path, capsys) -> None:
    assert main(["comments", str(demo_copy), "--unresolved"]) == 0
    out = capsys.readouterr().out
    assert "PDSA cycle: Advisory check-ins, cycle 1 [open]" in out
    assert "[resolved]" not in out
    assert main(["comment", str(demo_copy), "--on", "cycle", "Advisory check-ins, cycle 2",
                 "--site", "Harbor", "--text", "Thanks @Priya Raman!", "--as",
                 "Elena Sokolova"]) == 0
    new = capsys.readouterr().out.split()[1]
    assert main(["comment", str(demo_copy), "--reply-to", new, "--text", "Anytime.",
                 "--as", "Priya"]) == 0
    capsys.readouterr()
    assert main(["comment", str(demo_copy), "--resolve", new, "--as", "Elena"]) == 0
    assert capsys.readouterr().out.strip() == "Thread resolved."
    assert main(["comments", str(demo_copy)]) == 0
    out = capsys.readouterr().out
    block = out[out.index("PDSA cycle: Advisory check-ins, cycle 2 [resolved]"):]
    lines = block.splitlines()[:3]
    assert "Elena Sokolova (Harbor Early College)" in lines[1]
    assert "Thanks @Priya Raman!" in lines[1]
    assert lines[2].startswith("    ↳ ") and "Priya Raman (Lakeshore ISD)" in lines[2]


def test_refusals_say_why_and_change_nothing(demo_copy: Path, capsys) -> None:
    before = _count(demo_copy)
    cases = [
        (["--on", "cycle", "Advisory check-ins", "--text", "x"], "More than one pdsa cycle"),
        (["--on", "thing", "x", "--text", "x"], "not something to comment on"),
        (["--on", "site", "Lincoln", "--text", "  "], "the comment is empty"),
        (["--on", "site", "Lincoln", "--text", "x", "--point", "2025-01-01"],
         "--point is for a measure"),
        (["--reply-to", "zzzz", "--text", "x"], "No comment has an id starting 'zzzz'"),
        (["--on", "site", "Lincoln"], "--text"),
        (["--text", "x"], "Say what to do"),
    ]
    for extra, words in cases:
        assert main(["comment", str(demo_copy), *extra]) == 2, extra
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1, (extra, err)
    assert _count(demo_copy) == before
