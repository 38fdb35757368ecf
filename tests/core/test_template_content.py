"""The starter templates' content (issue #22 item 7), read as a reviewer reads it: each
file is the template its name says, its measures are records NICdesk accepts, its driver
diagram names only measures it defines, and every source it leans on is cited in full and
named where it is used — so a principal can trace each definition to the literature.

The files are read with `json` alone (not through the loader) so that a fault in the
content is reported here, in its own words, and not as a loader refusal."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any

import pytest

from nicdesk.core import entities
from nicdesk.core.measures import CONTROL_CHART_FOR

TEMPLATES_DIR = files("nicdesk") / "templates"
EXPECTED = {"ninth_grade_on_track", "chronic_absenteeism", "early_literacy"}
TOP_KEYS = {"format", "id", "name", "summary", "common_aim", "description", "charter",
            "measures", "fishbone", "driver_diagram", "sources"}
MEASURE_KEYS = {"key", "name", "kind", "definition", "unit", "data_source", "frequency",
                "direction", "value_type", "chart_kind"}
LANEY = {"p": "pp", "u": "up"}  # Laney's prime charts, for over-dispersed proportions/rates
SHORT, LONG, BOX = 400, 600, 80
YEAR = re.compile(r"\b(?:19|20)\d\d\b")  # a publication year in running text


def _load() -> dict[str, dict[str, Any]]:
    out = {}
    for entry in TEMPLATES_DIR.iterdir():
        if entry.name.endswith(".json"):
            out[entry.name.removesuffix(".json")] = json.loads(entry.read_text("utf-8"))
    return out


TEMPLATES = _load()


def _texts(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in a template with its path ("measures[0].definition")."""
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _texts(v, f"{path}.{k}".lstrip("."))]
    if isinstance(node, list):
        return [t for i, v in enumerate(node) for t in _texts(v, f"{path}[{i}]")]
    return [(path, node)] if isinstance(node, str) else []


def _body(template: dict[str, Any]) -> str:
    """The template's own words: everything but its reference list."""
    return "\n".join(text for path, text in _texts(template)
                     if not path.startswith("sources"))


def _lead(citation: str) -> str:
    """The name a citation is known by in the text: "Allensworth", "National Reading
    Panel", "Attendance Works"."""
    return re.split(r"[,.(]", citation, maxsplit=1)[0].strip()


def _nodes(template: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for primary in template["driver_diagram"]["primary"]:
        out.append(primary)
        for secondary in primary["secondary"]:
            out.append(secondary)
            out.extend(secondary["change_ideas"])
    return out


def test_the_three_templates_ship_under_their_own_names() -> None:
    assert set(TEMPLATES) == EXPECTED
    ids = [t["id"] for t in TEMPLATES.values()]
    assert len(ids) == len(set(ids))
    names = [t["name"].casefold() for t in TEMPLATES.values()]
    assert len(names) == len(set(names))
    for stem, template in TEMPLATES.items():
        assert template["id"] == stem.replace("_", "-")
        assert template["format"] == 1
        assert set(template) == TOP_KEYS, stem
        assert set(template["charter"]) == {"roles", "norms", "cadence"}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_every_text_is_plain_and_fits_where_it_is_shown(stem: str) -> None:
    for path, text in _texts(TEMPLATES[stem]):
        assert text.strip() == text and text, (stem, path)
        is_key = path.endswith(".key") or re.search(r"\.measures\[\d+\]$", path)
        if not is_key:  # keys are snake_case; what a person reads carries no markup
            assert not re.search(r"[*_`#<>]|\]\(", text), (stem, path, "markup")
        limit = LONG if path in ("summary", "description") else SHORT
        assert len(text) <= limit, (stem, path, len(text))
    for node in _nodes(TEMPLATES[stem]):
        assert len(node["text"]) <= BOX, (stem, node["text"])


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_the_aim_leaves_baseline_target_and_date_to_the_team(stem: str) -> None:
    aim = TEMPLATES[stem]["common_aim"]
    for blank in ("[baseline]", "[target]", "[year]"):
        assert blank in aim, (stem, blank)
    assert "[target]" in TEMPLATES[stem]["driver_diagram"]["aim"]


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_the_family_of_measures_is_complete_and_each_is_a_valid_record(stem: str) -> None:
    measures = TEMPLATES[stem]["measures"]
    assert 4 <= len(measures) <= 6
    kinds = [m["kind"] for m in measures]
    assert kinds.count("outcome") >= 1 and kinds.count("process") >= 2
    assert kinds.count("balancing") >= 1
    keys = [m["key"] for m in measures]
    assert len(keys) == len(set(keys)) and all(re.fullmatch(r"[a-z][a-z0-9_]*", k)
                                               for k in keys)
    assert len({m["name"].casefold() for m in measures}) == len(measures)
    for m in measures:
        assert set(m) == MEASURE_KEYS, (stem, m["key"])
        assert m["kind"] in entities.MEASURE_KINDS
        assert m["frequency"] in entities.FREQUENCIES
        assert m["direction"] in entities.DIRECTIONS
        assert m["value_type"] in entities.VALUE_TYPES
        assert m["chart_kind"] in entities.CHART_KINDS
        control = CONTROL_CHART_FOR.get(m["value_type"], "i")
        fits = {"run", control} | ({LANEY[control]} if control in LANEY else set())
        assert m["chart_kind"] in fits, (stem, m["key"], m["chart_kind"], m["value_type"])
        values = {k: v for k, v in m.items() if k != "key"} | {"network_id": "x"}
        assert entities.problems("measure", values) == [], (stem, m["key"])
        if m["value_type"] == "proportion":
            assert "Numerator" in m["definition"] and "Denominator" in m["definition"]


def test_the_definitions_are_the_ones_the_literature_uses() -> None:
    on_track = TEMPLATES["ninth_grade_on_track"]["measures"][0]["definition"]
    assert "at least five full-year course credits" in on_track
    assert "no more than one semester F in a core course" in on_track
    chronic = TEMPLATES["chronic_absenteeism"]["measures"][0]["definition"]
    assert "10 % or more" in chronic and "for any reason" in chronic
    assert "excused, unexcused or suspension" in chronic


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_the_fishbone_offers_categories_not_causes(stem: str) -> None:
    fishbone = TEMPLATES[stem]["fishbone"]
    assert set(fishbone) == {"title", "problem", "categories"}
    categories = fishbone["categories"]
    assert 4 <= len(categories) <= 6
    assert len({c.casefold() for c in categories}) == len(categories)
    assert all(0 < len(c) <= 40 for c in categories)
    assert entities.problems("fishbone", {"network_id": "x", "title": fishbone["title"],
                                          "problem": fishbone["problem"]}) == []


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_the_driver_diagram_has_its_shape_and_names_only_its_own_measures(stem: str
                                                                          ) -> None:
    template = TEMPLATES[stem]
    keys = {m["key"] for m in template["measures"]}
    primaries = template["driver_diagram"]["primary"]
    assert 3 <= len(primaries) <= 4
    for primary in primaries:
        assert 1 <= len(primary["secondary"]) <= 3, primary["text"]
        for secondary in primary["secondary"]:
            assert 1 <= len(secondary["change_ideas"]) <= 3, secondary["text"]
    for node in _nodes(template):
        assert set(node["measures"] if "measures" in node else ()) <= keys, node["text"]
        assert node["text"] and node["description"], node
    texts = [n["text"].casefold() for n in _nodes(template)]
    assert len(texts) == len(set(texts)), "two boxes say the same"


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_every_source_is_cited_in_full_and_used(stem: str) -> None:
    template = TEMPLATES[stem]
    body = _body(template)
    citations = [s["citation"] for s in template["sources"]]
    assert len(citations) == len(set(citations))
    for source in template["sources"]:
        assert set(source) == {"citation", "informs"}
        citation = source["citation"]
        assert source["informs"], citation
        year = re.search(r"\((\d{4})\)", citation)
        lead = _lead(citation)
        # in full: authors, a year unless the source is a standing web page, and where
        assert len(citation) > 60 and ("http" in citation or year), citation
        where = rf"{re.escape(lead)}\b[^()]{{0,40}}?{year.group(1)}" if year else \
            re.escape(lead)
        assert re.search(where, body), f"{stem}: {lead} {year and year.group(1)} is " \
                                       "listed but never named where it is used"


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_every_citation_in_the_text_is_in_the_reference_list(stem: str) -> None:
    """"(Roderick et al. 2014)" in a description needs Roderick (2014) in `sources`."""
    template = TEMPLATES[stem]
    sources = [(_lead(s["citation"]), s["citation"]) for s in template["sources"]]
    cited = 0
    for group in re.findall(r"\(([^()]*)\)", _body(template)):
        for part in group.split(";"):
            year = YEAR.search(part)
            if not year:
                continue
            cited += 1
            assert any(lead in part and f"({year.group(0)})" in citation
                       for lead, citation in sources), f"{stem}: “{part.strip()}” is " \
                                                       "not in the reference list"
    assert cited >= len(template["driver_diagram"]["primary"])


def _title(citation: str) -> str:
    """A citation's title up to its first colon or full stop ("Learning to improve")."""
    parts = re.split(r"\(\d{4}\)\.\s*", citation, maxsplit=1)
    rest = parts[1] if len(parts) == 2 else citation.split(". ", 1)[1]
    return re.split(r"[:;.]", rest, maxsplit=1)[0].strip()


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_the_guide_page_describes_what_the_template_holds(stem: str) -> None:
    """The page "Starter templates" is read before a template is chosen: it must name
    what the file holds, and every work the file cites, as the file has them."""
    from nicdesk import guide
    from nicdesk.guide.library import plain

    page = guide.page("starter-templates")
    assert guide.PAGES["starter-templates"].section == "The method"
    text = plain(page.markdown).casefold()
    template = TEMPLATES[stem]
    named = [template["name"], *(m["name"] for m in template["measures"]),
             *template["fishbone"]["categories"]]
    for primary in template["driver_diagram"]["primary"]:
        named.append(primary["text"])
        named.extend(s["text"] for s in primary["secondary"])
    for name in named:
        assert name.casefold() in text, f"the guide page does not mention “{name}”"
    for source in template["sources"]:
        title = _title(source["citation"])
        assert title.casefold() in text, f"the guide page does not list “{title}”"


def test_a_person_searching_the_guide_for_templates_finds_the_page() -> None:
    from nicdesk import guide

    for query in ("starter template", "chronic absence", "early literacy"):
        hits = guide.search(query)
        assert hits and hits[0].slug == "starter-templates", (query, [h.slug for h in hits])
