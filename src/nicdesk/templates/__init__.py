"""Starter templates: a new network's structure drawn from the education improvement
literature (9th-grade on track, chronic absenteeism, early literacy; issue #22).

Each template is a JSON file beside this module (format 1: aim, charter, measures,
fishbone categories, driver diagram, sources — see docs in the guide page "Starter
templates").  They ship as data, not code, so a reviewer can read every definition and
the source it comes from, and so `core.initiative.plan_from_template` turns any of them
into records through one path.  A template that does not hold together (a driver naming
a measure it lacks, a field the record refuses) is refused when loaded, in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..core.errors import NicdeskError
from ..core.initiative import plan_from_template, plan_problems

FORMAT = 1
_TOP = {"format", "id", "name", "summary", "common_aim", "description", "charter",
        "measures", "fishbone", "driver_diagram", "sources"}


class TemplateError(NicdeskError):
    """A template that is missing, unreadable or does not hold together."""

    title = "Starter template not usable"


@dataclass(frozen=True)
class StarterTemplate:
    """A template as the chooser lists it, with its whole content."""

    id: str
    name: str
    summary: str
    sources: tuple[str, ...]
    content: dict[str, Any]


def _read(name: str) -> dict[str, Any]:
    try:
        data = json.loads(resources.files(__name__).joinpath(name).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise TemplateError(f"The starter template {name} cannot be read ({exc}); "
                            "reinstall NICdesk.") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"The starter template {name} is not a template.")
    return data


def check(data: dict[str, Any], name: str = "the template") -> None:
    """Refuse a template that does not hold together, naming the first problem."""
    if data.get("format") != FORMAT:
        raise TemplateError(f"{name} is in format {data.get('format')!r}; this NICdesk "
                            f"reads format {FORMAT}. Update NICdesk.")
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise TemplateError(f"{name} has unknown parts: {', '.join(unknown)}.")
    for key in ("id", "name", "summary"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise TemplateError(f"{name} has no {key}.")
    keys = [m.get("key") for m in data.get("measures", ()) if isinstance(m, dict)]
    if len(keys) != len(set(keys)) or len(keys) != len(data.get("measures", ())):
        raise TemplateError(f"{name}: each measure needs its own key.")
    if not all(isinstance(s, dict) and s.get("citation") for s in data.get("sources", ())):
        raise TemplateError(f"{name}: each source needs its citation.")
    problems = plan_problems(plan_from_template(data["name"], data))
    if problems:
        raise TemplateError(f"{name} does not hold together: {problems[0]}")


@cache
def starter_templates() -> tuple[StarterTemplate, ...]:
    """Every shipped template, by name; each checked once."""
    out = []
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        data = _read(entry.name)
        check(data, f"The starter template {entry.name}")
        out.append(StarterTemplate(
            id=data["id"], name=data["name"], summary=data["summary"],
            sources=tuple(s["citation"] for s in data.get("sources", ())), content=data))
    return tuple(sorted(out, key=lambda t: t.name.casefold()))


def starter_template(template_id: str) -> StarterTemplate:
    """The template with this id (or name, any case); a clear refusal otherwise."""
    wanted = template_id.strip().casefold()
    for t in starter_templates():
        if wanted in (t.id.casefold(), t.name.casefold()):
            return t
    known = ", ".join(t.id for t in starter_templates())
    raise TemplateError(f"There is no starter template “{template_id}”. "
                        f"The templates are: {known}.")
