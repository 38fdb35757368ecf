"""`nicdesk guide`: the contents, one page's Markdown, a search — what the packaged
build's smoke test opens (tools/package-smoke)."""

from __future__ import annotations

import pytest

from nicdesk import guide
from nicdesk.cli.parser import main


def test_contents_list_every_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guide"]) == 0
    out = capsys.readouterr().out
    for info in guide.PAGES.values():
        assert f"{info.slug}" in out and info.title in out
    assert out.index("Start here") < out.index("Reference")


def test_one_page_prints_its_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guide", "run-charts"]) == 0
    assert capsys.readouterr().out == guide.page("run-charts").markdown


def test_search_names_the_pages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guide", "--search", "too", "few", "runs"]) == 0
    assert capsys.readouterr().out.startswith("rule-runs")
    assert main(["guide", "--search", "zzyzx"]) == 0
    assert "No page mentions" in capsys.readouterr().out


def test_an_unknown_page_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guide", "no-such-page"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("No such guide page:") and "nicdesk guide" in err
    assert "Traceback" not in err
