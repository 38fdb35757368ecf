"""What the command line prints or writes carries names, never what they would do: CSV
cells a spreadsheet would run as formulas are quoted, and names with terminal escape
sequences or bidi overrides print as visible escapes.

The hostile names are written with SQL, as an imported or legacy file could hold them
(the editing operations may refuse some of them)."""

from __future__ import annotations

import csv
import io
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from nicdesk.cli.parser import main
from nicdesk.core.safe_text import BIDI_CONTROLS

FORMULA_SITE = '=HYPERLINK("http://x","y")'  # was Lincoln High School
EVIL_SITE = "\x1b[31mred\u202e"  # was Pine Valley High School
EVIL_IDEA = "@SUM(1+1)\u202e"  # was Advisory check-ins
EVIL_MEASURE = "\x1b]0;pwned\x07Referrals\u2066"  # was Office discipline referrals
EVIL_MEETING = "Winter\x1b[2J convening\u200f"
FISHBONE = "Why do 9th graders fall off track?"


@pytest.fixture
def hostile(demo_copy: Path) -> Path:
    with sqlite3.connect(demo_copy) as con:
        for table, column, old, new in (
                ("sites", "name", "Lincoln High School", FORMULA_SITE),
                ("sites", "name", "Pine Valley High School", EVIL_SITE),
                ("change_ideas", "title", "Advisory check-ins", EVIL_IDEA),
                ("driver_nodes", "text", "Advisory check-ins", EVIL_IDEA),  # matrix rows
                ("measures", "name", "Office discipline referrals (9th grade)", EVIL_MEASURE),
                ("meetings", "title", "Winter convening", EVIL_MEETING),
                ("fishbones", "title", FISHBONE, "\x1b[2Jwhy\u202e")):
            assert con.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?",
                               (new, old)).rowcount >= 1, old
    con.close()
    return demo_copy


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_clean(out: str) -> None:
    """No character that steers a terminal: controls other than newline and tab, bidi
    embeddings, overrides, isolates or marks."""
    bad = [ch for ch in out if (unicodedata.category(ch) == "Cc" and ch not in "\n\t")
           or ch in BIDI_CONTROLS or ch in "\u2028\u2029"]
    assert not bad, f"raw {bad[:5]!r} in {out[:300]!r}"


# ------------------------------------------------------------------ CSV
def test_funnel_csv_quotes_formula_names_and_keeps_numbers(hostile: Path, capsys) -> None:
    assert main(["funnel", str(hostile), "--measure", "9th graders", "--csv"]) == 0
    rows = _rows(capsys.readouterr().out)
    head, body = rows[0], rows[1:]
    assert head[0] == "site"
    names = [r[0] for r in body]
    assert "'" + FORMULA_SITE in names
    assert FORMULA_SITE not in names
    assert not any(n.startswith(("=", "+", "-", "@", "\t", "\r")) for n in names)
    # the CSV is data: piped or redirected, the names are as stored (only quoted)
    assert EVIL_SITE in names
    numeric = [i for i, h in enumerate(head) if h not in ("site", "flag", "adj_flag")]
    for r in body:
        for i in numeric:
            if r[i] and not r[i].startswith("suppressed"):
                float(r[i])  # numbers NICdesk computed stay numbers, unquoted


def test_matrix_csv_quotes_formula_names(hostile: Path, capsys) -> None:
    assert main(["matrix", str(hostile), "--network", "Great Lakes", "--csv"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows[0][:3] == ["change idea", "site", "cycles"]
    sites = {r[1] for r in rows[1:]}
    ideas = {r[0] for r in rows[1:]}
    assert "'" + FORMULA_SITE in sites and FORMULA_SITE not in sites
    assert "'" + EVIL_IDEA in ideas
    for r in rows[1:]:
        assert not r[0].startswith(("=", "+", "-", "@")) and int(r[2]) >= 0
    lincoln = [r for r in rows if r[1] == "'" + FORMULA_SITE and r[0] == "'" + EVIL_IDEA]
    assert lincoln and lincoln[0][2:] == ["3", "adopt", "yes", "2025-01-06"]


# ------------------------------------------------------------------ terminal
def test_tree_shows_escapes_not_escape_sequences(hostile: Path, capsys) -> None:
    assert main(["tree", str(hostile)]) == 0
    out = capsys.readouterr().out
    assert_clean(out)
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[31mred\\u202e" in out
    assert "Eastside High School" in out  # other names as they are


@pytest.mark.parametrize("argv", [
    ["show", "{ws}", EVIL_SITE],
    ["show", "{ws}", "Eastside High School"],
    ["show", "{ws}", "Meetings"],
    ["info", "{ws}"],
    ["chart", "{ws}", "--measure", EVIL_MEASURE, "--site", EVIL_SITE],
    ["funnel", "{ws}", "--measure", "9th graders"],
    ["matrix", "{ws}", "--network", "Great Lakes"],
    ["diagram", "{ws}", "--list"],
    ["pdsa", "{ws}"],
    ["meetings", "{ws}"],
], ids=lambda a: a[0] + (f"-{a[2][:8]}" if len(a) > 2 else ""))
def test_commands_print_hostile_names_harmlessly(hostile: Path, capsys, argv: list[str]) -> None:
    assert main([a.replace("{ws}", str(hostile)) for a in argv]) == 0
    captured = capsys.readouterr()
    assert_clean(captured.out)
    assert_clean(captured.err)
    assert captured.out.strip()


def test_hostile_names_are_visible_where_printed(hostile: Path, capsys) -> None:
    assert main(["chart", str(hostile), "--measure", EVIL_MEASURE, "--site", EVIL_SITE]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\x1b]0;pwned\\x07Referrals\\u2066 at \\x1b[31mred\\u202e:")
    assert main(["matrix", str(hostile), "--network", "Great Lakes"]) == 0
    out = capsys.readouterr().out
    assert "@SUM(1+1)\\u202e" in out and FORMULA_SITE in out  # the terminal runs no formulas
    assert main(["meetings", str(hostile)]) == 0
    assert "Winter\\x1b[2J convening\\u200f" in capsys.readouterr().out
    assert main(["pdsa", str(hostile), "--site", "\x1b[31m"]) == 0
    assert "\\x1b[31mred\\u202e\t" in capsys.readouterr().out


def test_funnel_csv_on_a_terminal_is_escaped(hostile: Path, capsys, monkeypatch) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert main(["funnel", str(hostile), "--measure", "9th graders", "--csv"]) == 0
    out = capsys.readouterr().out
    assert_clean(out)
    assert "\\x1b[31mred\\u202e" in out and "'" + FORMULA_SITE.replace('"', '""') in out


def test_import_csv_messages_quote_the_file_harmlessly(hostile: Path, tmp_path: Path,
                                                      capsys) -> None:
    data = tmp_path / "evil\x1b[2J.csv"
    data.write_text("date,numerator,denominator\n2025-01-06,5,10\n"
                    "\x1b[2J\u202e,oops,10\n2025-01-13,\x1b]0;pwned\x07,10\n", encoding="utf-8")
    assert main(["import-csv", str(hostile), str(data), "--measure", "9th graders",
                 "--site", "Eastside", "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert_clean(out)
    assert "evil\\x1b[2J.csv" in out and "\\x1b[2J\\u202e" in out and "pwned\\x07" in out
