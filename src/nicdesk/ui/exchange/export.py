"""Export for the network, with a preview of exactly what leaves this computer (counts per
kind, every record on request, what never leaves) — the flow of `services.exchange`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.model import KIND_LABELS, PRIVATE_FIELDS
from ...core.states import BundleKind
from ..common.widgets import quiet
from .common import ExchangeWindow, ask_passphrase, open_workspace_of

#: every record an export would write, by kind (asked for only when a person wants them)
RecordsByKind = Callable[[], dict[str, list[dict[str, Any]]]]
#: a site's export counted again: everything (True) or a delta -> (counts, why in words)
Recount = Callable[[bool], tuple[dict[str, int], str]]


class ExportPreview(QDialog):
    """Counts per kind of record that will leave this computer, and what never does."""

    def __init__(self, parent: QWidget | None, counts: dict[str, int], site: str,
                 records: RecordsByKind | None = None, *, digest: bool = False,
                 sites: list[tuple[str, str]] | None = None, scope: str = "",
                 recount: Recount | None = None, delta: bool = False) -> None:
        super().__init__(parent)
        self.records = records  # {kind: [record dicts]}, on request
        self.recipient: QComboBox | None = None
        self.site = site
        self.recount = recount  # a site's bundle: everything or only what changed
        self.everything_box: QCheckBox | None = None
        self.setWindowTitle("Send the network digest" if digest else "Export for the network")
        self.resize(520, 520)
        layout = QVBoxLayout(self)
        total = sum(counts.values())
        if digest:
            intro = QLabel(f"<b>{total} records of the whole network</b> will be written to a "
                           "signed digest for every site: each site's own work, other sites' "
                           "work as network views show it (small counts suppressed), and the "
                           "network's records. Nothing private leaves this computer.")
            if sites:
                # a site with two computers gets its own small counts back in a digest
                # written for it alone (no other site can import that one)
                choice = QHBoxLayout()
                choice.addWidget(QLabel("For:"))
                self.recipient = QComboBox()
                self.recipient.setObjectName("digestFor")
                self.recipient.addItem("Every site (small counts suppressed)", None)
                for name, site_id in sites:
                    self.recipient.addItem(f"{name} only (keeps its own small counts)",
                                           site_id)
                choice.addWidget(self.recipient, 1)
        else:
            intro = QLabel(self._site_intro(total))
        self.intro = intro
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if self.recipient is not None:
            layout.addLayout(choice)
        self.scope_label = QLabel(scope)
        self.scope_label.setObjectName("exportScope")
        self.scope_label.setWordWrap(True)
        self.scope_label.setVisible(bool(scope))
        layout.addWidget(self.scope_label)
        if recount is not None and not digest:
            # a delta by default; "Export everything" for a coordinator who lacks the base
            box = QCheckBox("Export everything (not only what changed)")
            box.setToolTip("Every record of this site, as a full bundle: for a coordinator "
                           "who did not get an earlier bundle and asks for a full one.")
            box.setObjectName("exportEverything")
            box.setChecked(not delta)
            box.setEnabled(delta)  # with no base to build on, everything goes anyway
            box.toggled.connect(self._everything_toggled)
            self.everything_box = box
            layout.addWidget(box)
        table = QTableWidget(0, 2)
        table.setObjectName("exportCounts")
        table.setHorizontalHeaderLabels(["What", "Records"])
        table.verticalHeader().hide()
        table.horizontalHeader().setStretchLastSection(True)
        self.table = table
        self._fill_counts(counts)
        layout.addWidget(table, 1)
        private = "; ".join(f"{KIND_LABELS[k]}: {f.replace('_', ' ')}"
                            for k, fields in PRIVATE_FIELDS.items() for f in sorted(fields))
        note = QLabel(f"Never included: {private}.")
        note.setWordWrap(True)
        quiet(note)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        every = buttons.addButton("Show every record…", QDialogButtonBox.ButtonRole.HelpRole)
        every.clicked.connect(self.show_records)
        buttons.addButton("Save bundle…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def for_site(self) -> str | None:
        """The one site a digest is written for (None: every site)."""
        return self.recipient.currentData() if self.recipient is not None else None

    def everything(self) -> bool:
        """Whether a site's bundle is to carry every record ("Export everything")."""
        return self.everything_box is not None and self.everything_box.isChecked()

    def _site_intro(self, total: int) -> str:
        from html import escape

        return (f"<b>{total} {'record' if total == 1 else 'records'} of "
                f"{escape(self.site)}</b> will be written to a signed bundle file for the "
                "network coordinator. Nothing else leaves this computer.")

    def _fill_counts(self, counts: dict[str, int]) -> None:
        self.table.setRowCount(len(counts))
        for row, (kind, n) in enumerate(counts.items()):
            self.table.setItem(row, 0, QTableWidgetItem(KIND_LABELS.get(kind, kind)))
            self.table.setItem(row, 1, QTableWidgetItem(str(n)))
        self.table.resizeColumnToContents(0)

    def _everything_toggled(self, full: bool) -> None:
        """Count again: the preview always shows exactly what the bundle will carry."""
        if self.recount is None:
            return
        counts, why = self.recount(full)
        self.intro.setText(self._site_intro(sum(counts.values())))
        self.scope_label.setText(why)
        self.scope_label.setVisible(bool(why))
        self._fill_counts(counts)

    def show_records(self) -> None:
        """Every record that would leave, as a readable list (kind, then each record's
        name and what it says); exactly as written in the bundle (ids, clocks) behind
        "Technical details"."""
        from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QTreeWidget, QTreeWidgetItem

        from ...bundle.format import dumps_line

        if self.records is None:
            return
        records = self.records()
        dialog = QDialog(self)
        dialog.setWindowTitle("Every record in the bundle")
        dialog.resize(900, 600)
        layout = QVBoxLayout(dialog)
        tree = QTreeWidget()
        tree.setObjectName("everyRecordTable")
        tree.setHeaderLabels(["Record", "What it says"])
        tree.setColumnWidth(0, 300)
        tree.setWordWrap(True)
        for kind, rows in records.items():
            group = QTreeWidgetItem([f"{KIND_LABELS.get(kind, kind)} ({len(rows)})", ""])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            tree.addTopLevelItem(group)
            for row in rows:
                title, facts = readable_record(kind, row)
                item = QTreeWidgetItem([title, facts])
                item.setToolTip(0, title)
                item.setToolTip(1, facts)
                group.addChild(item)
        layout.addWidget(tree, 1)
        text = QPlainTextEdit()
        text.setObjectName("everyRecord")
        text.setReadOnly(True)
        text.setPlainText("\n".join(f"# {KIND_LABELS.get(kind, kind)}\n" + "\n".join(
            dumps_line(r) for r in rows) for kind, rows in records.items()))
        text.hide()
        technical = QPushButton("Technical details (as written in the bundle) ▸")
        technical.setObjectName("technicalDetails")
        technical.setCheckable(True)
        technical.setFlat(True)

        def toggle(on: bool) -> None:
            text.setVisible(on)
            technical.setText("Technical details (as written in the bundle) "
                              + ("▾" if on else "▸"))

        technical.toggled.connect(toggle)
        layout.addWidget(technical, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(text, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(dialog.reject)
        layout.addWidget(close)
        self.records_dialog = dialog
        dialog.exec()


#: what a person does not read in a record: ids, owners, clocks, the tombstone
_TECHNICAL = {"id", "owner_site_id", "hlc", "field_clocks", "deleted", "position"}
_TITLE_FIELDS = ("name", "title", "statement", "text", "period")


def readable_record(kind: str, row: dict[str, Any]) -> tuple[str, str]:
    """A record as a person reads it: its name (or title, text…) and its other filled-in
    fields as "label: value" — no ids, clocks or references."""
    from ...core import entities

    described = entities.ENTITIES.get(kind)
    fields = described.fields if described is not None else {}
    title = next((str(row[k]) for k in _TITLE_FIELDS if row.get(k) not in (None, "")),
                 KIND_LABELS.get(kind, kind))
    facts: list[str] = []
    for key, value in row.items():
        field = fields.get(key)
        if (key in _TECHNICAL or key in _TITLE_FIELDS or key.endswith("_id")
                or (field is not None and field.type == "ref")
                or value in (None, "", [], {})):
            continue
        label = field.label if field is not None else key.replace("_", " ")
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, list):  # plain items only: nested structures are technical
            shown = ", ".join(str(v) for v in value if isinstance(v, str | int | float))
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items()
                              if isinstance(v, str | int | float))
        else:
            shown = " ".join(str(value).split())
        if not shown:
            continue
        if len(shown) > 140:
            shown = shown[:139] + "…"
        facts.append(f"{label[:1].upper()}{label[1:]}: {shown}")
    return " ".join(title.split()), " · ".join(facts)


def export_for_network(window: ExchangeWindow) -> Path | None:
    """Export for the network: a site's own records, or the coordinator's digest (for
    every site, or one site alone), after a preview of exactly what leaves."""
    from ...bundle.keys import KeyError_
    from ...services.exchange import (
        export,
        export_kind,
        export_parties,
        export_scope,
        preview_export,
        preview_export_records,
    )
    from ...services.membership import key_on_this_computer, pending_request
    from ...store.errors import WorkspaceError
    from ..shell.runner import show_error
    from .join import request_to_join, show_pending_request

    ws = open_workspace_of(window)
    meta = ws.meta()
    if not key_on_this_computer(meta.get("signing_key") or ""):
        request_to_join(window)  # no key here yet: make one and ask to join
        return None
    if pending_request(meta) is not None:
        show_pending_request(window)
        return None
    if not meta.get("local_site_id"):
        show_error(window.window(), "Nothing to export", "This workspace does not say which "
                   "site it speaks for, so it has nothing to send. Open your school's "
                   "workspace, or join the network with the invitation file from your "
                   "coordinator (File → Join a Network…).")
        return None
    # the coordinator sends the network digest back; a site sends its own records
    kind = export_kind(ws)
    try:
        counts = preview_export(ws, kind)  # a site's: only what changed, when it can be
        scope = export_scope(ws, kind)
    except WorkspaceError as exc:
        show_error(window.window(), exc.title, exc.message)
        return None
    parties = export_parties(ws)
    site, others = parties.site_name, parties.others
    def records() -> dict[str, list[dict[str, Any]]]:
        return preview_export_records(ws, kind, dialog.for_site(), full=dialog.everything())

    def recount(full: bool) -> tuple[dict[str, int], str]:
        return preview_export(ws, kind, full=full), export_scope(ws, kind, full=full).why

    site_bundle = kind == BundleKind.SITE
    dialog = ExportPreview(window.window(), counts, site, records, digest=kind == BundleKind.DIGEST,
                           sites=others, scope=scope.why if site_bundle else "",
                           recount=recount if site_bundle else None, delta=not scope.full)
    window.last_dialog = dialog
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    for_site = dialog.for_site()
    only = next((n for n, i in others if i == for_site), "")
    default = (f"Network digest {dt.date.today():%Y-%m-%d}.nicbundle" if kind == BundleKind.DIGEST
               and not for_site else f"Digest for {only} {dt.date.today():%Y-%m-%d}.nicbundle"
               if kind == BundleKind.DIGEST else f"{site} {dt.date.today():%Y-%m-%d}.nicbundle")
    name, _ = QFileDialog.getSaveFileName(window.window(), "Save bundle", default,
                                          "NICdesk bundles (*.nicbundle)")
    if not name:
        return None
    passphrase = ask_passphrase(window, "The bundle is signed with this computer's key.")
    if passphrase is None:
        return None
    try:
        result = export(ws, name if name.endswith(".nicbundle") else name + ".nicbundle",
                        kind=kind, passphrase=passphrase or None, for_site=for_site,
                        full=dialog.everything())
    except KeyError_ as exc:
        show_error(window.window(), "Bundle not written", f"{exc} Nothing was written.")
        return None
    except WorkspaceError as exc:
        show_error(window.window(), exc.title, exc.message)
        return None
    window.notify_external_change(f"Bundle {result.sequence} exported")
    since = f" (changes since bundle {result.base})" if result.base is not None else ""
    window.statusBar().showMessage(f"Bundle {result.sequence}{since} written to {result.path}",
                                   15000)
    return result.path
