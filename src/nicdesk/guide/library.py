"""The guide's pages: the slug registry, loading, links and full-text search."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
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
    #: the page's words that matched, as the page writes them ("points", "Anhøj"): what
    #: the window highlights.  Never a question word left out of the search ("how").
    terms: tuple[str, ...] = ()


class UnknownGuidePage(NicdeskError, KeyError):
    """A slug no page has (a typo in a link, or a page from a newer NICdesk)."""

    title = "No such guide page"

    def __str__(self) -> str:  # KeyError's own would quote the message
        return self.message


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
    _info("starter-templates", "Starter templates", "The method"),
    _info("measures", "Measures: outcome, process, balancing", "Measures and charts"),
    _info("run-charts", "Run charts", "Measures and charts"),
    _info("rules-ihi", "Rule set: IHI run-chart rules", "Measures and charts"),
    _info("rules-anhoj", "Rule set: Anhøj", "Measures and charts"),
    _info("rules-mdc", "Rule set: Making Data Count", "Measures and charts"),
    _info("control-charts", "Control charts", "Measures and charts"),
    _info("gaps", "Gaps between student groups", "Measures and charts"),
    _info("student-groups", "Student groups and enrolment", "Measures and charts"),
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
    _info("discussion", "Discussion, the Inbox and coaching", "Across the network"),
    _info("progress-and-review", "Progress scores, timeline and year in review",
          "Across the network"),
    _info("spread", "Spread of change ideas", "Across the network"),
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
_BULLETS = re.compile(r"^[ \t]*(?:[-*+]|\d+\.)[ \t]+", re.M)  # list marks: "- ", "1. "
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_WORD = re.compile(r"\w+")


def plain(markdown: str) -> str:
    """Markdown without its marks: link texts kept, addresses, emphasis, list marks and
    headings dropped, whitespace made single."""
    text = _BLOCKS.sub(" ", _EMPHASIS.sub("", _LINKS.sub(r"\1", _BULLETS.sub("", markdown))))
    return " ".join(text.split())


#: the words a question is built from ("how many points do I need?"): a page is not found
#: for holding them, so long as the query has a word of another kind.  They still count
#: in a heading that holds one of the query's other words, so a heading asking the
#: question ("How many points do you need?") ranks its page first.
STOP_WORDS = frozenset("""
    a about after am an and any are as at be been before being but by can could did do
    does doing find for from get got had has have he her here his how i if in into is it
    its know let me might mine many much must my need needed needs no not of on or our
    ours over please see shall she should show so some tell than that the their them then
    there these they this those to us use using want was we were what when where which
    who whom whose why will with would you your yours
""".split())

#: word forms search takes for one word, beyond the plurals `_stem` makes singular: a
#: short hand-written list of folded words, each mapped to the form the pages use.  A
#: query word of four letters or more also finds the longer words it begins ("suppress"
#: finds "suppressed", "chart" finds "charting").
SAME_WORD = {
    "privacy": "private", "privately": "private", "confidential": "private",
    "suppression": "suppress", "suppressed": "suppress", "suppressing": "suppress",
    "anonymous": "suppress", "anonymity": "suppress",
    "datum": "data", "datapoint": "point",
    "children": "student", "child": "student", "pupil": "student",
    "improving": "improvement", "improve": "improvement", "improved": "improvement",
    "average": "mean",
}


@cache
def _stem(word: str) -> str:
    """A folded word's search form: a plural made singular ("points" → "point",
    "studies" → "study", "processes" → "process"), then the `SAME_WORD` list."""
    if word in SAME_WORD:
        return SAME_WORD[word]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return SAME_WORD.get(word, word)


def _words(text: str) -> list[tuple[int, int, str]]:
    """Each word of `text` folded (accents and case), with where it stands in `text`."""
    out = []
    for m in _WORD.finditer(text):
        for part in _WORD.findall(_fold(m.group())):  # "½" folds to "1⁄2": two words
            out.append((m.start(), m.end(), part))
    return out


@dataclass(frozen=True)
class _Index:
    """One page as search reads it."""

    body: str  # the page's plain text, without its title
    tokens: tuple[tuple[int, int, str], ...]  # the body's words (`_words`)
    counts: dict[str, int]  # folded word → how often the body has it
    title: tuple[tuple[str, str], ...]  # the title's words: (folded, as written)
    headings: tuple[frozenset[str], ...]  # each "##" heading's and bold phrase's words
    vocabulary: frozenset[str]  # every word of the page, title and headings included


@cache
def _index(slug: str) -> _Index:
    _heading, _, rest = page(slug).markdown.partition("\n")
    body = plain(rest)
    tokens = tuple(_words(body))
    counts: dict[str, int] = {}
    for _a, _b, w in tokens:
        counts[w] = counts.get(w, 0) + 1
    heads = [line for line in rest.splitlines() if line.startswith("#")]
    heads += _BOLD.findall(rest)
    title = PAGES[slug].title
    title_words = tuple((w, title[a:b]) for a, b, w in _words(title))
    headings = tuple(frozenset(w for _a, _b, w in _words(plain(h))) for h in heads)
    vocabulary = frozenset(counts).union(*headings, (w for w, _t in title_words))
    return _Index(body, tokens, counts, title_words, headings, vocabulary)


def _matches(query_word: str, word: str) -> bool:
    """Whether a page's word is the query's: the same `_stem`, or (a query word of four
    letters or more) the start of the page's word."""
    return _stem(word) == _stem(query_word) or (
        len(query_word) >= 4 and word.startswith(query_word))


def search(query: str, limit: int = 30) -> list[SearchHit]:
    """The pages about `query`, best first: a word or a question, case and accents ignored.

    Question words (`STOP_WORDS`: how, many, what, do, I, need, the…) are left out while
    another word remains.  A word finds its other forms: plurals and singulars by a rule
    (`_stem`: points/point, studies/study), a short hand-written list of synonyms and word
    forms (`SAME_WORD`: privacy/private, suppression/suppress, children/student…), and
    the longer words a query word of four letters or more begins.  A page need not hold
    every word:
    pages holding more of the query's words come first; among those, the query's words
    in the title count most, then in a heading or a bold phrase (with the question's own
    words: "How many points do you need?"), then how often the page uses them.  The
    reference pages (glossary, sources) name everything once, so they come after the pages
    that explain it."""
    words = list(dict.fromkeys(w for _a, _b, w in _words(query)))
    # the words searched for; the question's own words only count in headings
    terms = [w for w in words if w not in STOP_WORDS] or words
    hits = []
    for slug, info in PAGES.items():
        index = _index(slug)
        # each word of the page → the query's words it is a form of
        which = {v: frozenset(w for w in words if _matches(w, v)) for v in index.vocabulary}
        title_words = {w: [t for f, t in index.title if w in which[f]] for w in terms}
        body_words = {w: [v for v in index.counts if w in which[v]] for w in terms}
        held = [w for w in terms if body_words[w] or title_words[w]]
        if not held:
            continue
        score = sum(10 + 2 * min(8, sum(index.counts[v] for v in body_words[w]))
                    for w in held)
        lines = [_line_hits(held, len(words), line, which) for line in index.headings]
        score += 30 * _line_hits(held, len(words), {f for f, _t in index.title}, which)
        score += 12 * max(lines, default=0)
        if info.section == "Reference":
            score //= 3
        found = {v for w in held for v in body_words[w]}
        shown = {index.body[a:b].casefold(): index.body[a:b]
                 for a, b, v in index.tokens if v in found}
        shown.update((t.casefold(), t) for w in held for t in title_words[w])
        hits.append((len(held), SearchHit(
            slug, info.title, _snippet(index, held, which), score,
            tuple(sorted(shown.values(), key=str.casefold)))))
    order = list(PAGES)
    hits.sort(key=lambda h: (-h[0], -h[1].score, order.index(h[1].slug)))
    return [hit for _n, hit in hits[:limit]]


def _line_hits(held: list[str], every: int, line: Set[str],
               which: dict[str, frozenset[str]]) -> int:
    """How many of the query's words a title or heading holds: none unless it holds one
    of the words searched for (`held`); then the question's own words count too, and a
    line holding all `every` words of the query (it asks the very question) three more."""
    there = set().union(*(which[v] for v in line))
    if not there & set(held):
        return 0
    return len(there) + 3 if len(there) == every > 1 else len(there)


def _snippet(index: _Index, held: list[str], which: dict[str, frozenset[str]],
             before: int = 50, after: int = 110) -> str:
    """The words around the place that holds most of the query (the words searched for
    counting double, the question's own words once), cut at spaces ("…" where text was
    left out)."""
    body, tokens = index.body, index.tokens
    searched = set(held)
    at, best = 0, 0
    for i, (a, _b, v) in enumerate(tokens):
        if not which[v] & searched:
            continue
        near: set[str] = set().union(*(which[u] for c, _e, u in tokens[max(0, i - 20):i + 40]
                                       if -before <= c - a <= after))
        score = len(near) + len(near & searched)
        if score > best:
            at, best = a, score
    start = max(0, at - before)
    if start:
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < at else start
        # from the start of the sentence (or heading) holding the match, when it is near
        sentence = max(body.rfind(mark, start, at) for mark in (". ", "? ", "! "))
        start = sentence + 2 if sentence >= 0 else start
    end = min(len(body), at + after)
    if end < len(body):
        space = body.rfind(" ", at, end)
        end = space if space > at else end
    return ("…" if start else "") + body[start:end].strip() + ("…" if end < len(body) else "")
