"""`services.reports`: a PDSA cycle's one-page PDF, named by id (the caller never holds
ORM rows), from the sample network."""

from __future__ import annotations

from pathlib import Path

import pytest

from nicdesk.services.reports import pdsa_summary
from nicdesk.store.errors import NotFoundError
from nicdesk.store.ops.pdsa import cycle_rows
from nicdesk.store.workspace import Workspace


def test_pdsa_summary_writes_one_pdf(demo_copy: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_copy) as ws:
        with ws.read() as s:
            cycle = cycle_rows(s)[0]
        out = pdsa_summary(ws, cycle.id, tmp_path / "cycle.pdf")
        assert out == tmp_path / "cycle.pdf"
        assert out.read_bytes().startswith(b"%PDF")
        with pytest.raises(NotFoundError, match="No PDSA cycle"):
            pdsa_summary(ws, "no-such-id", tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()
