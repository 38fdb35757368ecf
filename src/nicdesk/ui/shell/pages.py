"""Which page shows for a navigator item, built on first use (pyqtgraph and the diagram
scene are imported only then), plus the details pane.  A mixin of `MainWindow`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .navigator import node_key

if TYPE_CHECKING:
    from ...store.views.queries import NavNode


class WindowPages:
    """Mixed into MainWindow: expects `workspace`, `navigator`, `stack`, `_forms`."""

    def refresh_navigator(self) -> None:
        if self.workspace is None:
            return
        from ...store.views.queries import navigator_tree

        with self.workspace.read() as s:
            roots = navigator_tree(s)
        self.navigator.populate(roots)

    def select_path(self, path: str) -> bool:
        from ...store.views.queries import find_path, navigator_tree

        if self.workspace is None or not path:
            return False
        with self.workspace.read() as s:
            node = find_path(navigator_tree(s), path)
        return node is not None and self.navigator.select_key(node_key(node))

    def show_node(self, node: NavNode | None) -> None:
        if node is None or self.workspace is None:
            return
        from ..records.forms import FORMS

        if node.kind == "measure" and node.id:
            page = self._page("measure")
            page.bind(node.id, node.site_id)
            self.stack.setCurrentWidget(page)
        elif node.kind in ("driver_diagram", "fishbone", "pdsa_cycle", "pdsa_ramp",
                           "meeting") and node.id:
            editor = self._page(node.kind)
            self.stack.setCurrentWidget(editor)
            editor.bind(node.id)
        elif node.kind == "network_view" and node.network_id:
            page = self._page("network_view")
            self.stack.setCurrentWidget(page)
            page.bind(node.network_id)
        elif node.kind == "group" and node.group == "pdsa":
            page = self._page("pdsa_list")
            page.bind(node.site_id, node.network_id)
            self.stack.setCurrentWidget(page)
        elif node.kind in FORMS and node.id:
            form = self._forms.get(node.kind)
            if form is None:
                form = self._forms[node.kind] = FORMS[node.kind](self)
                self.stack.addWidget(form)
            form.bind(node.id, node.site_id)
            self.stack.setCurrentWidget(form)
        else:
            self._show_summary(node)
        self._show_details(node)

    def _page(self, kind: str) -> Any:
        """The page for measures and diagrams, built on first use (pyqtgraph and the
        diagram scene are imported only then)."""
        page = self._forms.get(kind)
        if page is None:
            if kind == "measure":
                from ..measures.page import MeasurePage as Page
            elif kind == "driver_diagram":
                from ..diagram.driver import DriverEditor as Page  # type: ignore[assignment]
            elif kind == "fishbone":
                from ..diagram.fishbone import FishboneEditor as Page  # type: ignore[assignment]
            elif kind == "pdsa_cycle":
                from ..pdsa.page import PdsaPage as Page  # type: ignore[assignment]
            elif kind == "meeting":
                from ..meetings.page import MeetingPage as Page  # type: ignore[assignment]
            elif kind == "network_view":
                from ..network.view import NetworkViewPage as Page  # type: ignore[assignment]
            elif kind == "pdsa_ramp":
                from ..pdsa.lists import RampPage as Page  # type: ignore[assignment]
            else:
                from ..pdsa.lists import CycleListPage as Page  # type: ignore[assignment]
            page = self._forms[kind] = Page(self)
            self.stack.addWidget(page)
        return page

    def _summary_page(self) -> Any:
        if self._summary is None:
            from ..records.summary_view import SummaryPage

            self._summary = SummaryPage()
            self.stack.addWidget(self._summary)
        return self._summary

    def _show_summary(self, node: NavNode) -> None:
        from ...store.views.queries import has_summary, summarize
        from ..records.summary_view import group_html, summary_html

        page = self._summary_page()
        if node.id and has_summary(node.kind):
            with self.workspace.read() as s:
                text = summary_html(summarize(s, node.kind, node.id, node.site_id))
        else:
            text = group_html(node) if node.kind == "group" else (
                f"<h1>{node.label}</h1><p>{len(node.children)} sites. Select one to edit it, "
                "or use Network → Add Site.</p>")
        page.show_html(text, [a for a in self._context_actions(node) if a[0] != "Delete"])
        self.stack.setCurrentWidget(page)

    def _show_details(self, node: NavNode) -> None:
        from ...core.clock import Hlc
        from ...core.model import KIND_LABELS
        from ...store.schema import MODELS, RecordVersion, Site

        if not node.id or node.kind not in MODELS:
            self.details.setHtml(f"<b>{node.label}</b>")
            return
        with self.workspace.read() as s:
            rec = s.get(MODELS[node.kind], node.id)
            owner = s.get(Site, rec.owner_site_id) if rec and rec.owner_site_id else None
            conflicts = s.query(RecordVersion).filter_by(record_id=node.id, resolved=False).count()
        if rec is None:
            return
        stamp = Hlc.decode(rec.hlc) if rec.hlc else None
        when = (dt.datetime.fromtimestamp(stamp.wall_ms / 1000).strftime("%Y-%m-%d %H:%M")
                if stamp else "—")
        self.details.setHtml(
            f"<h3>{KIND_LABELS.get(node.kind, node.kind)}</h3>"
            f"<p><b>Owned by:</b> {owner.name if owner else 'this workspace'}<br>"
            f"<b>Last changed:</b> {when}<br>"
            f"<b>Changed on device:</b> {stamp.device if stamp else '—'}<br>"
            f"<b>Unresolved conflicts:</b> {conflicts}</p>"
            f"<p style='color:gray'>Record id<br>{rec.id}</p>"
        )

