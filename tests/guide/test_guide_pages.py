"""The guide's pages: every registered slug has its page, every page is registered, every
link lands on a page, search finds what a person types, and the tables printed in the
pages are the ones the rules use.  Pure Python (runs headless)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from nicdesk import guide
from nicdesk.core.errors import NicdeskError
from nicdesk.core.runchart import IHI_RUNS_TABLE, crossings_limit, longest_run_limit
from nicdesk.core.states import SignalKind

ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = ROOT / "src" / "nicdesk" / "guide" / "pages"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_slug_has_its_page_and_every_page_its_slug() -> None:
    files = {p.stem for p in PAGES_DIR.glob("*.md")}
    assert files == set(guide.PAGES)
    for slug, info in guide.PAGES.items():
        page = guide.page(slug)
        assert page.markdown.startswith(f"# {info.title}\n"), slug
        assert info.section in guide.SECTIONS
        assert len(page.markdown.split()) > 80, f"{slug} says almost nothing"


def test_slugs_are_stable_names() -> None:
    for slug in guide.PAGES:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug
        assert guide.slug_of_link(guide.link(slug)) == slug
        assert guide.slug_of_link(f"guide:{slug}") == slug
    # the slugs other screens link to (empty states, the walkthrough, F1) stay
    for slug in ("start", "model-for-improvement", "nic", "aims", "fishbone",
                 "driver-diagrams", "change-ideas", "pdsa", "meetings", "measures",
                 "run-charts", "control-charts", "funnel-plots", "small-cells", "bundles",
                 "network-view", "glossary"):
        assert slug in guide.PAGES


def test_every_link_between_pages_lands_on_a_page() -> None:
    for slug in guide.PAGES:
        for href in LINK.findall(guide.page(slug).markdown):
            assert guide.slug_of_link(href) is not None, f"{slug} links to {href}"


def test_every_page_but_the_reference_names_its_sources() -> None:
    for slug in guide.PAGES:
        if slug in ("start", "glossary", "sources"):
            continue
        assert "*Sources:*" in guide.page(slug).markdown, slug
    sources = guide.page("sources").markdown
    for name in ("Learning to Improve", "The Improvement Guide", "The run chart",
                 "Health Care Data Guide", "Making Data Count", "Spiegelhalter", "Laney",
                 "Anhøj"):
        assert name in sources


def test_the_pages_speak_to_readers_not_to_developers() -> None:
    """The guide is for a principal: its sources are books, papers and packages a reader
    can find, NICdesk's own choices are described as such, and notes on the state of the
    code (what is checked, what still awaits a check) stay in the code."""
    for slug in guide.PAGES:
        text = guide.page(slug).markdown
        for note in ("docs/", "source code", "README", ".py", "transcription",
                     "await a check", "test values", "printed paper"):
            assert note not in text, (slug, note)


def test_an_unknown_slug_is_refused_in_plain_words() -> None:
    with pytest.raises(guide.UnknownGuidePage) as caught:
        guide.page("no-such-page")
    assert isinstance(caught.value, NicdeskError)
    assert "no page" in caught.value.message
    assert guide.slug_of_link("https://example.org/run-charts.md") is None
    assert guide.slug_of_link("no-such-page.md") is None


def test_every_rule_an_analysis_can_report_has_a_page() -> None:
    assert set(guide.RULE_PAGES) == set(SignalKind)
    for kind in SignalKind:
        slug = guide.rule_page(kind)
        assert slug in guide.PAGES
        assert guide.PAGES[slug].section == "Chart rules"


@pytest.mark.parametrize(("query", "first"), [
    ("anhoj", "rules-anhoj"),  # accents ignored
    ("Too few runs", "rule-runs"),
    ("over-dispersion", "funnel-plots"),
    ("5 whys", "fishbone"),
    ("private notes", "bundles"),
    ("PDSA ramp", "pdsa"),
])
def test_search_finds_the_page_a_person_means(query: str, first: str) -> None:
    hits = guide.search(query)
    assert hits and hits[0].slug == first, [h.slug for h in hits]
    assert all(h.snippet for h in hits)


@pytest.mark.parametrize(("query", "page", "words"), [
    ("how many points", "run-charts", {"point", "points"}),  # "Ten points or more"
    ("how many data points do I need", "run-charts", {"data", "point", "points"}),
    ("privacy", "bundles", {"private"}),  # "What never leaves: fields marked private"
])
def test_search_answers_a_principals_questions(query: str, page: str, words: set[str]) -> None:
    """The new-user test's questions: the question's own words are not searched for,
    other forms of a word are ("points" finds "point", "privacy" finds "private"), and a
    page need not hold every word."""
    hits = guide.search(query)
    assert page in [h.slug for h in hits[:3]], [h.slug for h in hits]
    assert hits[0].slug == page, [h.slug for h in hits]
    hit = hits[0]
    assert {t.casefold() for t in hit.terms} <= words, hit.terms
    assert not {"how", "many", "do", "i", "need"} & {t.casefold() for t in hit.terms}
    assert any(w in hit.snippet.casefold() for w in words), hit.snippet


def test_privacy_finds_both_pages_about_what_stays_private() -> None:
    assert {"bundles", "small-cells"} <= {h.slug for h in guide.search("privacy")}


def test_a_word_finds_its_plural_and_its_singular() -> None:
    for one, other in (("point", "points"), ("run", "runs"), ("signal", "signals"),
                       ("study", "studies"), ("process", "processes")):
        assert [h.slug for h in guide.search(one)] == [h.slug for h in guide.search(other)]
    # a word of four letters or more also finds the words it begins ("charting")
    charts, chart = guide.search("charts"), guide.search("chart")
    assert {h.slug for h in charts} <= {h.slug for h in chart}
    assert charts[0].slug == chart[0].slug


def test_pages_holding_more_of_the_words_come_first() -> None:
    hits = guide.search("funnel median")
    both = {h.slug for h in guide.search("funnel")} & {h.slug for h in guide.search("median")}
    assert both and {h.slug for h in hits[:len(both)]} == both
    assert {h.slug for h in hits} == ({h.slug for h in guide.search("funnel")}
                                      | {h.slug for h in guide.search("median")})


def test_search_says_nothing_for_nonsense_or_nothing() -> None:
    assert guide.search("") == []
    assert guide.search("  ?! ") == []
    assert guide.search("zzyzx") == []
    assert guide.search("how many zzyzx do I need") == []  # not every page with "how"
    assert guide.search("how do I")  # only question words: they are what is searched
    hit = guide.search("winsorised")[0]
    assert "winsorised" in hit.snippet.lower()


def _table(slug: str) -> dict[int, tuple[int, int]]:
    rows = re.findall(r"^\| (\d+) \| (\d+) \| (\d+) \|$", guide.page(slug).markdown, re.M)
    return {int(n): (int(a), int(b)) for n, a, b in rows}


def test_the_ihi_runs_table_printed_is_the_table_the_rule_uses() -> None:
    assert _table("rules-ihi") == IHI_RUNS_TABLE


def test_the_anhoj_limits_printed_are_the_limits_the_rule_uses() -> None:
    table = _table("rules-anhoj")
    assert len(table) >= 10
    for n, (run, crossings) in table.items():
        assert (run, crossings) == (longest_run_limit(n), crossings_limit(n))


@pytest.mark.parametrize(("package", "files", "in_spec", "smoke_uses"), [
    ("nicdesk.guide", "pages/*.md", "guide/pages/*.md", " guide "),  # the guide's pages
    ("nicdesk.templates", "*.json", "templates/*.json", " new-initiative "),  # templates
])
def test_data_files_are_in_the_wheel_and_the_packaged_app(package: str, files: str,
                                                          in_spec: str, smoke_uses: str
                                                          ) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert files in project["tool"]["setuptools"]["package-data"][package]
    spec = (ROOT / "packaging" / "nicdesk.spec").read_text(encoding="utf-8")
    assert f'"{in_spec}"' in spec
    smoke = (ROOT / "tools" / "package-smoke").read_text(encoding="utf-8")
    assert smoke_uses in smoke


def test_the_slugs_other_screens_name_exist() -> None:
    """The guided first cycle links each step to a page by slug."""
    walkthrough = pytest.importorskip("nicdesk.core.walkthrough")
    for step in walkthrough.STEPS:
        assert step[-1] in guide.PAGES, step


def test_the_worked_examples_in_the_rule_pages_use_the_rules_numbers() -> None:
    lower, upper = IHI_RUNS_TABLE[20]
    runs = guide.page("rule-runs").markdown
    assert f"**20** useful points the table expects **{lower} to {upper}** runs" in runs
    assert f"{lower - 1} runs or\nfewer is too few, {upper + 1} or more too many" in runs
    long_run = guide.page("rule-long-run").markdown
    assert f"For 20 points the limit is {longest_run_limit(20)}" in long_run
    assert f"a run of {longest_run_limit(20) + 1} or more signals" in long_run
    assert f"for 100 points, a run of {longest_run_limit(100) + 1} or more" in long_run
    crossings = guide.page("rule-crossings").markdown
    assert f"For 20 points, fewer than {crossings_limit(20)} crossings" in crossings
    assert f"for 30\npoints, fewer than {crossings_limit(30)}" in crossings
