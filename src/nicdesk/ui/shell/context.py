"""What a page may ask of the shell around it: `ShellContext`.

Pages (record forms, the measure page, diagram editors, PDSA and meeting pages, the
network view) used to receive the whole main window and reach into whatever they liked.
They now get this small, typed surface instead, so a reader sees at a glance everything a
page can do to the rest of the application, and a test can hand a page a stand-in.

The list is taken from what the pages actually use: the workspace to read, the runner to
change it, a few ways to move the navigator, a status line, a redraw after a change made
outside the runner, and the handful of shell commands pages offer as buttons.  It is a
Protocol, so the main window's implementation (`main_window.WindowContext`) and any test
double are checked structurally; this module imports nothing at run time beyond `typing`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:
    from ...store.operations import OpChanges
    from ...store.views.nav_tree import NavNode
    from ...store.workspace import Workspace
    from .runner import OpRunner

#: a navigator item's stable key: (kind, id, site_id, group, network_id), see `node_key`
NodeKey: TypeAlias = tuple[Any, ...]
#: a navigator context-menu entry (also a summary page's button): label, what it does
ContextAction: TypeAlias = tuple[str, Callable[[], object]]


class ShellContext(Protocol):
    """The shell as a page sees it (one instance per main window, alive as long as it)."""

    @property
    def workspace(self) -> Workspace | None:
        """The open workspace (None only while no workspace is open: no page shows then)."""
        ...

    @property
    def runner(self) -> OpRunner:
        """The one runner every change goes through, so every screen redraws from it."""
        ...

    def show_status(self, message: str, timeout_ms: int = 0) -> None:
        """A short note in the status bar (0: until the next one)."""
        ...

    def notify_external_change(self, label: str, changes: OpChanges | None = None) -> None:
        """Redraw after a change made outside the runner (a CSV import, say)."""
        ...

    def refresh_navigator(self) -> None:
        """Rebuild the navigator now (before selecting something just created)."""
        ...

    def select_key(self, key: NodeKey) -> bool:
        """Select a navigator item by its key; False when it is not in the tree."""
        ...

    def select_record(self, kind: str, record_id: str, site_id: str | None = None) -> bool:
        """Select a record's navigator item (with `site_id`: the one seen at that site)."""
        ...

    def show_node(self, node: NavNode) -> None:
        """Show the page for an item even when the navigator does not list it."""
        ...

    def open_cycle(self, cycle_id: str) -> None:
        """Show a PDSA cycle (from a ramp, a list, a chart marker or the network view)."""
        ...

    def add_site(self, network_id: str | None, parent_id: str | None) -> str | None:
        """Ask for a site's name and add it; returns its id, or None if cancelled."""
        ...

    def add_aim(self, network_id: str, site_id: str | None) -> None:
        """Add an aim (network-wide when `site_id` is None) and select it."""
        ...

    def build_packet(self, meeting_id: str) -> None:
        """Open the meeting-packet dialog for a meeting."""
        ...

    def new_cycle(self, site_id: str | None, network_id: str | None, *,
                  change_idea_id: str | None = None, node_id: str | None = None) -> str | None:
        """Start a PDSA cycle (at `site_id`, else a site the shell finds or asks for),
        testing a change idea or a driver diagram's change-idea node, and open it; its id,
        or None when cancelled or refused."""
        ...
