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


def _meta(path: Path) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT key, value FROM workspace_meta").fetchall())
    finally:
        con.close()


def test_a_refused_comment_does_not_change_who_posts(demo_copy: Path, capsys) -> None:
    """`--as` is remembered only when the change is saved: a refusal leaves the
    workspace exactly as it was, the chosen "Posting as" included."""
    before = (_count(demo_copy), _meta(demo_copy))
    for extra in (["--on", "thing", "x", "--text", "x"],
                  ["--on", "site", "Lincoln", "--text", "  "],
                  ["--resolve", "zzzz"],
                  ["--reopen", "--text", "x"],
                  ["--resolve", "zzzz", "--text", "x"]):
        assert main(["comment", str(demo_copy), *extra, "--as", "Elena Sokolova"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, (extra, err)
    assert (_count(demo_copy), _meta(demo_copy)) == before
    assert main(["comment", str(demo_copy), "--reopen"]) == 2
    assert "--reopen goes with --resolve" in capsys.readouterr().err


def test_a_mention_of_nobody_is_pointed_out(demo_copy: Path, capsys) -> None:
    """"@Pryia" (a typo) mentions nobody: the comment is saved and the writer is told
    that nobody was told; a real name and an e-mail address draw no note."""
    assert main(["comment", str(demo_copy), "--on", "site", "Lincoln", "--text",
                 "Ask @Pryia Raman, or write to ops@example.org.", "--as", "Elena"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Comment ") and out[0].endswith(" saved.")
    assert out[1:] == ["Note: @Pryia names no member of this network, so nobody was told; "
                       "write the member's full name after @ (reply to correct it)."]
    assert main(["comment", str(demo_copy), "--on", "site", "Lincoln", "--text",
                 "Ask @Priya Raman.", "--as", "Elena"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
