"""The sections of a meeting packet, one module per kind, each a function from the
packet's view models (`base.Context`) to flowables.  `MAKERS` maps a section key of
`layout.SECTIONS` to its function, so the build loops over a registry instead of an
if-chain; `FULL_PAGE` are the sections that start on a new page, `LANDSCAPE` those set on
landscape pages of their own (diagrams)."""

from __future__ import annotations

from .actions import actions
from .agenda import agenda
from .aim import aim
from .base import Context, Section
from .cover import cover
from .diagrams import driver_diagrams, fishbones
from .equity import equity
from .funnels import funnels
from .measures import measures_summary
from .notes import notes
from .pdsa import pdsa
from .progress import progress
from .run_charts import run_charts
from .site_pages import site_pages
from .spread import spread
from .timeline import timeline

__all__ = ["FULL_PAGE", "LANDSCAPE", "MAKERS", "Context", "Section", "cover"]

MAKERS: dict[str, Section] = {
    "agenda": agenda, "aim": aim, "measures": measures_summary,
    "driver_diagram": driver_diagrams, "fishbone": fishbones, "run_charts": run_charts,
    "funnel": funnels, "pdsa": pdsa, "actions": actions, "notes": notes,
    "site_pages": site_pages, "equity": equity, "progress": progress, "timeline": timeline,
    "spread": spread,
}
FULL_PAGE = frozenset({"driver_diagram", "fishbone", "run_charts", "funnel", "pdsa",
                       "site_pages", "measures", "progress", "equity", "spread"})
LANDSCAPE = frozenset({"driver_diagram", "fishbone"})
