"""The packet reads plain view models: `nicdesk.report` never imports SQLAlchemy or the
ORM, and what `store.views.packet.read_packet` returns holds no ORM row (so nothing is
loaded lazily, or lost, once the read session is closed)."""

from __future__ import annotations

import ast
from importlib.util import resolve_name
from pathlib import Path

import nicdesk.report
from nicdesk.report.layout import SECTIONS
from nicdesk.store.ops.meetings import find_meeting
from nicdesk.store.views.packet import read_choices, read_packet
from nicdesk.store.workspace import Workspace
from tests.view_models import assert_plain

REPORT = Path(nicdesk.report.__file__).parent
# the workspace handle is passed through to `read_packet`; rows and queries never are
FORBIDDEN = ("sqlalchemy", "nicdesk.store.schema", "nicdesk.store.ops")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved."""
    package = ".".join(("nicdesk", *path.relative_to(REPORT.parent).parent.parts))
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(resolve_name("." * node.level + (node.module or ""), package)
                      if node.level else node.module or "")
    return names


def test_report_never_imports_the_orm() -> None:
    seen = set()
    for path in REPORT.rglob("*.py"):
        for name in _imports(path):
            seen.add(name)
            assert not name.startswith(FORBIDDEN), (path, name)
    assert "nicdesk.store.views.packet" in seen  # the resolution works


def test_read_packet_returns_plain_data(demo_file: Path) -> None:
    with Workspace.open(demo_file) as ws:
        with ws.read() as s:
            mid = find_meeting(s, "Winter").id
        data = read_packet(ws, mid, [k for k, _ in SECTIONS])
        measures, sites = read_choices(ws, mid)
    assert_plain(data)
    assert [m.measure.id for m in data.measures] == [i for i, _ in measures]
    assert {p.site_id for p in data.site_pages} == {i for i, _ in sites} <= data.scope
    assert data.agenda and data.actions and data.cycles and data.driver_diagrams
