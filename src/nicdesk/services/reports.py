"""Documents made from one record, as the command line and the GUI print them: a PDSA
cycle's one-page summary.  The cycle, its questions, its change idea and its site are
read here, so a caller names the cycle by id and never handles ORM rows."""

from __future__ import annotations

from pathlib import Path

from ..report.sections.pdsa import write_pdsa_summary
from ..store.errors import NotFoundError
from ..store.schema import PdsaCycle
from ..store.views.packet import read_pdsa_summary
from ..store.workspace import Workspace

__all__ = ["pdsa_summary"]


def pdsa_summary(ws: Workspace, cycle_id: str, out: str | Path) -> Path:
    """Write the one-page PDF of a PDSA cycle (its plan, questions and predictions, what
    happened, the decision) to `out`; returns the path written."""
    with ws.read() as s:
        cycle = s.get(PdsaCycle, cycle_id)
        if cycle is None:
            raise NotFoundError(f"No PDSA cycle has the id {cycle_id!r}.")
        summary = read_pdsa_summary(s, cycle_id)
    return write_pdsa_summary(out, summary)
