"""Read-only pages: summaries of stored content (fishbones, driver diagrams, measures,
PDSA cycles, meetings) until their editors land, and teaching empty states for groups."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ...store.views.nav_tree import NavNode
from ...store.views.queries import Summary
from ..common.empty_states import EMPTY_STATES, EmptyState

if TYPE_CHECKING:
    from ..shell.context import ContextAction

#: a group's heading and what it is for (the sentence is the empty state's, said once in
#: `common.empty_states`)
GROUP_HELP = {
    key: (title, EMPTY_STATES[key].purpose) for key, title in (
        ("aims", "Aims"), ("fishbones", "Fishbones"), ("driver_diagrams", "Driver diagrams"),
        ("measures", "Measures"), ("pdsa", "PDSA cycles"), ("meetings", "Meetings"))
}

#: the quiet text colour in the style below, replaced by one read on the palette shown
QUIET = "#555555"

_CSS = """
h1 { font-size: 150%; margin-bottom: 2px; }
p.sub { color: #555555; margin-top: 0; }
h3 { margin-bottom: 2px; margin-top: 14px; }
td.k { color: #555555; padding-right: 12px; vertical-align: top; white-space: nowrap; }
table.grid th { text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid #999999; }
table.grid td { padding: 2px 10px 2px 0; }
"""


def summary_html(summary: Summary) -> str:
    e = html.escape
    parts = [f"<style>{_CSS}</style><h1>{e(summary.title)}</h1>"]
    if summary.subtitle:
        parts.append(f"<p class='sub'>{e(summary.subtitle)}</p>")
    if summary.facts:
        parts.append("<table>")
        parts += [f"<tr><td class='k'>{e(k)}</td><td>{e(v or '—')}</td></tr>"
                  for k, v in summary.facts]
        parts.append("</table>")
    for heading, lines in summary.sections:
        parts.append(f"<h3>{e(heading)}</h3>")
        for line in lines:
            indent = (len(line) - len(line.lstrip(" "))) * 4
            parts.append(f"<div style='margin-left:{indent}px'>{e(line.strip())}</div>")
    if summary.table:
        header, rows = summary.table
        parts.append("<h3>Recent values</h3>" if "Period" in header else "<br>")
        parts.append("<table class='grid' cellspacing='0'><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
        parts.append("</table>")
    parts.append("<p class='sub'><br>Read-only summary of the stored content.</p>")
    return "".join(parts)


def group_html(node: NavNode) -> str:
    title, text = GROUP_HELP.get(node.group, (node.label, ""))
    items = "".join(f"<li>{html.escape(c.label)}</li>" for c in node.children)
    body = f"<ul>{items}</ul>" if items else "<p><i>None yet: the button below adds the first.</i></p>"
    return f"<style>{_CSS}</style><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{body}"


class SummaryPage(QWidget):
    """A text page plus the actions that fit it (e.g. "Add aim" on an Aims group)."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.browser = QTextBrowser()
        self.browser.setObjectName("summary")
        self.browser.setOpenExternalLinks(False)
        self.browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        layout.addWidget(self.browser, 1)
        self.empty: EmptyState | None = None  # an empty group's teaching state
        self.buttons = QHBoxLayout()
        layout.addLayout(self.buttons)

    def show_html(self, text: str, actions: Sequence[ContextAction] = (),
                  empty: str | None = None) -> None:
        """The text and its actions as buttons; `empty` (an `EMPTY_STATES` key): the
        group is empty, so its empty state shows instead, its button doing the action of
        the same label (else the first)."""
        from ..common.widgets import hint_colour  # the quiet grey, read on this palette

        if self.empty is not None:
            self.empty.hide()
            self.empty.deleteLater()
            self.empty = None
        if empty in EMPTY_STATES:
            label = EMPTY_STATES[empty].action
            first = next((cb for text_, cb in actions if text_ == label),
                         actions[0][1] if actions else None)
            self.empty = EmptyState(empty, first, self)
            layout = self.layout()
            if isinstance(layout, QVBoxLayout):
                layout.insertWidget(0, self.empty, 1)
            self.browser.hide()
            actions = [a for a in actions if a[1] is not first]
        else:
            self.browser.show()
        self.browser.setHtml(text.replace(QUIET, hint_colour(self.browser.palette(),
                                                            on_base=True).name()))
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget:
                widget.deleteLater()
        for label, callback in actions:
            button = QPushButton(label)
            button.clicked.connect(callback)
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
