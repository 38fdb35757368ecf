"""The main window's commands that create, delete and share things: each asks what it
needs, runs one operation through the runner and selects the result.  A mixin of
`MainWindow` (kept apart so the window module holds the shell only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QInputDialog, QMessageBox

if TYPE_CHECKING:
    from ...store.views.queries import NavNode


class WindowActions:
    """Mixed into MainWindow: expects `workspace`, `runner`, `navigator`, `_page`."""

    def add_site(self, network_id: str | None, parent_id: str | None) -> str | None:
        if self.workspace is None:
            return None
        if network_id is None:
            node = self.navigator.current_node()
            network_id = node.network_id if node else None
        if network_id is None:
            return None
        name, ok = QInputDialog.getText(self, "Add site", "Name of the school, district or "
                                        "agency:")
        if not ok or not name.strip():
            return None
        return self.create_site(network_id, name.strip(), parent_id)

    def create_site(self, network_id: str, name: str, parent_id: str | None) -> str | None:
        result = self.runner.run(self.workspace.ops.create, "site", network_id=network_id,
                                 name=name, parent_id=parent_id, label=f"Add site {name}")
        if result is not None:
            self.navigator.select_key(("site", result.id, result.id, "", network_id))
            return result.id
        return None

    def add_aim(self, network_id: str, site_id: str | None) -> None:
        result = self.runner.run(self.workspace.ops.create, "aim", network_id=network_id,
                                 site_id=site_id, statement="By June 2027, …")
        if result is not None:
            self.navigator.select_key(("aim", result.id, site_id, "", network_id))

    def _network_diagrams(self, network_id: str) -> list[tuple[str, str]]:
        from sqlalchemy import select

        from ...store.schema import DriverDiagram

        with self.workspace.read() as s:
            return [(d.id, d.name) for d in s.scalars(select(DriverDiagram).where(
                DriverDiagram.network_id == network_id, DriverDiagram.site_id.is_(None),
                DriverDiagram.deleted.is_(False)))]

    def new_driver_diagram(self, network_id: str, site_id: str | None) -> None:
        from ...store.ops.diagrams import new_diagram

        aim, ok = QInputDialog.getText(self, "New driver diagram", "The aim this theory serves:",
                                       text="By June 2027, 85 % of 9th graders on track")
        if not ok:
            return
        result = self.runner.run(new_diagram, self.workspace, network_id, site_id,
                                 "Driver diagram", aim)
        if result is not None:
            self.navigator.select_key(("driver_diagram", result.created[0], site_id, "",
                                       network_id))

    def new_cycle(self, site_id: str) -> None:
        result = self.runner.run(self.workspace.ops.create, "pdsa_cycle", site_id=site_id,
                                 title="New PDSA cycle", label="New PDSA cycle")
        if result is not None:
            self.open_cycle(result.id)

    def open_cycle(self, cycle_id: str) -> None:
        """Show a PDSA cycle (from a ramp, the list or a chart marker)."""
        self.refresh_navigator()
        if not self.navigator.select_record("pdsa_cycle", cycle_id):
            page = self._page("pdsa_cycle")
            page.bind(cycle_id)
            self.stack.setCurrentWidget(page)

    def new_fishbone(self, network_id: str, site_id: str | None) -> None:
        from ...store.ops.fishbones import new_fishbone

        problem, ok = QInputDialog.getText(
            self, "New fishbone", "The problem (the effect at the head of the fish):",
            text="Too many 9th graders fail a course in the first semester")
        if not ok:
            return
        result = self.runner.run(new_fishbone, self.workspace, network_id, site_id, problem)
        if result is not None:
            self.navigator.select_key(("fishbone", result.created[0], site_id, "", network_id))

    def adopt_diagram(self, diagram_id: str, site_id: str) -> None:
        from ...store.ops.diagrams import adopt

        result = self.runner.run(adopt, self.workspace, diagram_id, site_id)
        if result is not None:
            node = self.navigator.current_node()
            self.navigator.select_key(("driver_diagram", result.created[0], site_id, "",
                                       node.network_id if node else None))

    def add_measure(self, network_id: str, site_id: str | None) -> None:
        result = self.runner.run(self.workspace.ops.create, "measure", network_id=network_id,
                                 site_id=site_id, name="New measure", label="Add measure")
        if result is not None:
            self.navigator.select_key(("measure", result.id, site_id, "", network_id))

    def delete_node(self, node: NavNode) -> None:
        from ...core.model import KIND_LABELS

        if self.workspace is None or not node.id or node.kind in ("network", "charter"):
            return
        label = KIND_LABELS.get(node.kind, node.kind).lower()
        if node.children and node.kind == "site":
            answer = QMessageBox.question(
                self, "Delete site", f"Delete {node.label} and everything in it? "
                "You can undo this with Edit → Undo.")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.runner.run(self.workspace.ops.delete, node.kind, node.id,
                        label=f"Delete {label} {node.label}")

    def delete_selected(self) -> None:
        node = self.navigator.current_node()
        if node is not None:
            self.delete_node(node)

    def _context_actions(self, node: NavNode) -> list[tuple[str, Any]]:
        if self.workspace is None:
            return []
        net = node.network_id
        actions: list[tuple[str, Any]] = []
        if node.kind in ("network", "sites"):
            actions.append(("Add site…", lambda: self.add_site(net, None)))
        if node.kind == "site":
            actions.append(("Add site inside…", lambda: self.add_site(net, node.id)))
            actions.append(("Add aim", lambda: self.add_aim(net, node.id)))
        if node.kind == "group" and node.group == "aims":
            actions.append(("Add aim", lambda: self.add_aim(net, node.site_id)))
        if node.kind == "group" and node.group == "driver_diagrams":
            actions.append(("New driver diagram…",
                            lambda: self.new_driver_diagram(net, node.site_id)))
            if node.site_id:
                for diagram_id, name in self._network_diagrams(net):
                    actions.append((f"Start from the network diagram “{name}”",
                                    lambda d=diagram_id: self.adopt_diagram(d, node.site_id)))
        if node.kind == "group" and node.group == "pdsa" and node.site_id:
            actions.append(("New PDSA cycle", lambda: self.new_cycle(node.site_id)))
        if node.kind == "group" and node.group == "fishbones":
            actions.append(("New fishbone…", lambda: self.new_fishbone(net, node.site_id)))
        if node.kind == "group" and node.group == "measures":
            actions.append(("Add measure", lambda: self.add_measure(net, node.site_id)))
        if node.kind == "group" and node.group == "meetings":
            actions.append(("New meeting…", lambda: self.new_meeting(net, node.site_id)))
        if node.kind == "meeting" and node.id:
            actions.append(("Build packet…", lambda: self.build_packet(node.id)))
        if node.id and node.kind not in ("network", "charter"):
            actions.append(("Delete", lambda: self.delete_node(node)))
        return actions

    def new_meeting(self, network_id: str, site_id: str | None) -> None:
        from ...store.ops.meetings import new_meeting

        title, ok = QInputDialog.getText(self, "New meeting", "Title:",
                                         text="Team meeting")
        if not ok or not title.strip():
            return
        result = self.runner.run(new_meeting, self.workspace, network_id, site_id,
                                 title.strip())
        if result is not None:
            self.refresh_navigator()
            self.navigator.select_record("meeting", result.id)  # the first record made

    def build_packet(self, meeting_id: str) -> None:
        from ..meetings.packet_dialog import PacketDialog

        PacketDialog(self, meeting_id).exec()

    def export_bundle(self) -> None:
        from ..exchange.dialogs import export_for_network

        export_for_network(self)

    def invite_site(self) -> None:
        from ..exchange.dialogs import invite_site

        if self.workspace is not None:
            invite_site(self)

    def enrol_site_key(self) -> None:
        from ..exchange.dialogs import enrol_site_key

        if self.workspace is not None:
            enrol_site_key(self)

    def request_to_join(self) -> None:
        from ..exchange.dialogs import request_to_join

        request_to_join(self)

    def enrol_from_request(self) -> None:
        from ..exchange.dialogs import enrol_from_request

        if self.workspace is not None:
            enrol_from_request(self)

    def install_membership_actions(self) -> None:
        """Network → Request to join… and Enrol a school from a join request…, placed
        around the coordinator's Invite and Enrol items (once; safe to call again)."""
        if getattr(self, "act_request_join", None) is not None:
            return
        from PySide6.QtGui import QAction

        menu = next((a.menu() for a in self.menuBar().actions()
                     if a.menu() is not None and a.text().replace("&", "") == "Network"),
                    None)
        if menu is None:
            return

        def action(text: str, slot: Any, tip: str) -> QAction:
            act = QAction(text, self)
            act.setToolTip(tip)
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            return act

        self.act_request_join = action(
            "&Request to join…", self.request_to_join,
            "School: make this computer's key and a join request file for the coordinator")
        self.act_enrol_request = action(
            "Enrol a school from a &join request…", self.enrol_from_request,
            "Coordinator: compare a school's code, enrol its key, then invite it")
        items = menu.actions()
        invite = next((a for a in items if a.text().replace("&", "").startswith("Invite")),
                      None)
        enrol = next((a for a in items if a.text().replace("&", "").startswith("Enrol a Site")),
                     None)
        if invite is not None:
            menu.insertAction(invite, self.act_request_join)
            menu.insertSeparator(invite)
        else:
            menu.addAction(self.act_request_join)
        after = items[items.index(enrol) + 1] if enrol is not None and \
            items.index(enrol) + 1 < len(items) else None
        if after is not None:
            menu.insertAction(after, self.act_enrol_request)
        else:
            menu.addAction(self.act_enrol_request)

    def open_paths(self, paths: list[str]) -> None:
        """Files handed over by a drop, a double-click in the file manager or a second
        launch: a workspace opens; bundles are imported (an invitation, with no workspace
        open, starts the join); a school's join request opens the coordinator's
        enrolment."""
        self.showNormal() if self.isMinimized() else self.show()
        self.raise_()
        self.activateWindow()
        bundles = [p for p in paths if p.lower().endswith(".nicbundle")]
        workspaces = [p for p in paths if p.lower().endswith(".nicdesk")]
        if workspaces:
            self.open_workspace(workspaces[0])
        if bundles and self.workspace is not None:
            self.import_bundles(bundles)
        elif bundles:
            from ..exchange.dialogs import join_network

            join_network(self, bundles[0])
        requests = [p for p in paths if p.lower().endswith(".nicjoin")]
        if requests and self.workspace is not None:
            from ..exchange.dialogs import enrol_from_request

            enrol_from_request(self, requests[0])

    def join_network(self) -> None:
        from ..exchange.dialogs import join_network

        join_network(self)

    def import_bundles(self, paths: list[str] | None = None) -> None:
        from ..exchange.dialogs import import_bundles

        # a menu or toolbar click passes QAction's "checked" flag here: that is no list
        import_bundles(self, paths if isinstance(paths, list) else None)

    def show_conflicts(self) -> None:
        from ..exchange.conflicts import ConflictsDialog

        if self.workspace is not None:
            self.last_dialog = ConflictsDialog(self)
            self.last_dialog.exec()

    def show_history(self) -> None:
        from ..exchange.conflicts import HistoryDialog

        if self.workspace is not None:
            self.last_dialog = HistoryDialog(self)
            self.last_dialog.exec()

