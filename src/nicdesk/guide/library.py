"""The guide's pages: the slug registry, loading, links and full-text search."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from ..core.errors import NicdeskError
from ..core.states import SignalKind

SECTIONS = ("Start here", "The method", "Measures and charts", "Chart rules",
            "Across the network", "Reference")


@dataclass(frozen=True)
class PageInfo:
    """A page as the contents list names it."""

    slug: str
    title: str
    section: str


@dataclass(frozen=True)
class GuidePage:
    """A page with its Markdown text (the first line is ``# <title>``)."""

    slug: str
    title: str
    section: str
    markdown: str


@dataclass(frozen=True)
class SearchHit:
    slug: str
    title: str
    snippet: str  # the words around the first match, Markdown marks removed
    score: int


class UnknownGuidePage(NicdeskError, KeyError):
    """A slug no page has (a typo in a link, or a page from a newer NICdesk)."""

    title = "No such guide page"


def _info(slug: str, title: str, section: str) -> tuple[str, PageInfo]:
    return slug, PageInfo(slug, title, section)


#: every page, in the order of the contents list.  Slugs are stable: screens, the shell's
#: page registry and other pages link to them.
PAGES: dict[str, PageInfo] = dict([
    _info("start", "Using this guide", "Start here"),
    _info("model-for-improvement", "The Model for Improvement", "The method"),
    _info("nic", "Networked improvement communities", "The method"),
    _info("aims", "Aims", "The method"),
    _info("fishbone", "Fishbones and the 5 whys", "The method"),
    _info("driver-diagrams", "Driver diagrams", "The method"),
    _info("change-ideas", "Change ideas", "The method"),
    _info("pdsa", "PDSA cycles and ramps", "The method"),
    _info("meetings", "Meetings and packets", "The method"),
    _info("measures", "Measures: outcome, process, balancing", "Measures and charts"),
    _info("run-charts", "Run charts", "Measures and charts"),
    _info("rules-ihi", "Rule set: IHI run-chart rules", "Measures and charts"),
    _info("rules-anhoj", "Rule set: Anhøj", "Measures and charts"),
    _info("rules-mdc", "Rule set: Making Data Count", "Measures and charts"),
    _info("control-charts", "Control charts", "Measures and charts"),
    _info("rule-shift", "Shift", "Chart rules"),
    _info("rule-trend", "Trend", "Chart rules"),
    _info("rule-runs", "Too few or too many runs", "Chart rules"),
    _info("rule-long-run", "Unusually long run", "Chart rules"),
    _info("rule-crossings", "Too few crossings", "Chart rules"),
    _info("rule-outside-limits", "A point outside the control limits", "Chart rules"),
    _info("rule-two-of-three", "Two of three points near a limit", "Chart rules"),
    _info("rule-astronomical", "Astronomical point", "Chart rules"),
    _info("network-view", "The network view", "Across the network"),
    _info("funnel-plots", "Funnel plots and over-dispersion", "Across the network"),
    _info("small-cells", "Small-cell suppression", "Across the network"),
    _info("bundles", "Bundles: what leaves this computer", "Across the network"),
    _info("glossary", "Glossary", "Reference"),
    _info("sources", "Sources", "Reference"),
])

#: the page explaining each rule a chart analysis can report (`core.states.SignalKind`)
RULE_PAGES: dict[str, str] = {
    SignalKind.SHIFT: "rule-shift",
    SignalKind.TREND: "rule-trend",
    SignalKind.LONG_RUN: "rule-long-run",
    SignalKind.FEW_CROSSINGS: "rule-crossings",
    SignalKind.FEW_RUNS: "rule-runs",
    SignalKind.MANY_RUNS: "rule-runs",
    SignalKind.OUTSIDE_LIMITS: "rule-outside-limits",
    SignalKind.TWO_OF_THREE: "rule-two-of-three",
    SignalKind.ASTRONOMICAL: "rule-astronomical",
}


def rule_page(kind: str) -> str:
    """The slug of the page explaining a chart rule (a `SignalKind`); "run-charts" for a
    kind without a page of its own."""
    return RULE_PAGES.get(kind, "run-charts")


def _pages_dir() -> Traversable:
    return resources.files(__package__ or "nicdesk.guide") / "pages"


def page_path(slug: str) -> Traversable:
    """Where a page's Markdown is shipped (inside the package, or the packaged app)."""
    if slug not in PAGES:
        raise UnknownGuidePage(f"The guide has no page “{slug}”. Its contents list every "
                               "page (Help → Guide, or `nicdesk guide`).")
    return _pages_dir() / f"{slug}.md"


@cache
def page(slug: str) -> GuidePage:
    """The page for `slug` (its Markdown read once and kept)."""
    info = PAGES.get(slug)
    text = page_path(slug).read_text(encoding="utf-8")
    assert info is not None  # page_path refused an unknown slug
    return GuidePage(info.slug, info.title, info.section, text)


def link(slug: str) -> str:
    """The href a page or a screen uses to link to another page ("run-charts.md")."""
    return f"{slug}.md"


_LINK = re.compile(r"^(?:guide:)?(?:\./)?([a-z0-9-]+)(?:\.md)?(?:#.*)?$")


def slug_of_link(href: str) -> str | None:
    """The slug an href points to ("run-charts.md", "guide:run-charts"), None when it is
    no page of the guide (a web address, an unknown name)."""
    m = _LINK.match(href.strip())
    return m.group(1) if m and m.group(1) in PAGES else None


# ------------------------------------------------------------------ search
def _fold(text: str) -> str:
    """Case and accents folded, so "anhoj" finds "Anhøj" and "pdsa" finds "PDSA"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ø", "o"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LINKS = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(?<!\w)[*_`]+|[*_`]+(?!\w)")
_BLOCKS = re.compile(r"[#>|]")


def plain(markdown: str) -> str:
    """Markdown without its marks: link texts kept, addresses, emphasis and headings
    dropped, whitespace made single."""
    text = _BLOCKS.sub(" ", _EMPHASIS.sub("", _LINKS.sub(r"\1", markdown)))
    return " ".join(text.split())


def search(query: str, limit: int = 30) -> list[SearchHit]:
    """Pages holding every word of `query` (case and accents ignored), best first: a word
    in the title counts most, then how often the words occur."""
    words = [w for w in re.split(r"\W+", _fold(query)) if w]
    if not words:
        return []
    hits = []
    for slug, info in PAGES.items():
        _heading, _, rest = page(slug).markdown.partition("\n")
        body = plain(rest)
        folded, title = _fold(body), _fold(info.title)
        if not all(w in folded or w in title for w in words):
            continue
        score = sum(10 * title.count(w) + folded.count(w) for w in words)
        if info.section == "Reference":  # the glossary names everything once: after the
            score //= 3  # pages that explain it
        hits.append(SearchHit(slug, info.title, _snippet(body, folded, words), score))
    hits.sort(key=lambda h: (-h.score, list(PAGES).index(h.slug)))
    return hits[:limit]


def _snippet(body: str, folded: str, words: list[str], before: int = 50,
             after: int = 110) -> str:
    """The words around the first match, cut at spaces ("…" where text was left out)."""
    at = min((i for w in words if (i := folded.find(w)) >= 0), default=0)
    start = max(0, at - before)
    if start:
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = min(len(body), at + after)
    if end < len(body):
        space = body.rfind(" ", at, end)
        end = space if space > at else end
    return ("…" if start else "") + body[start:end].strip() + ("…" if end < len(body) else "")
