"""Import bundles (File → Import Bundles…, or files dropped on the window): each verified
and merged all or nothing by `services.exchange.import_one`, one summary at the end."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from .common import ExchangeWindow, open_workspace_of


def import_bundles(window: ExchangeWindow, paths: list[str] | None = None) -> list[str]:
    """Import each bundle; one summary at the end (refusals say why, nothing changed)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from ...services.exchange import import_one
    from ...store.operations import OpChanges

    if paths is None:
        paths, _ = QFileDialog.getOpenFileNames(window.window(), "Import bundles", "",
                                                "NICdesk bundles (*.nicbundle)")
    lines = []
    dialog = QProgressDialog("Importing bundles…", "Cancel", 0, 100, window.window())
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    window.progress_dialog = dialog

    def progress(done: int, total: int) -> bool:
        dialog.setValue(int(100 * done / max(total, 1)))
        QApplication.processEvents()
        return not dialog.wasCanceled()  # cancelling rolls the bundle back

    kinds: set[str] = set()
    ids: set[str] = set()
    applied = 0
    for i, path in enumerate(paths, start=1):
        dialog.setLabelText(f"Verifying and merging {Path(path).name} ({i} of {len(paths)})")
        outcome = import_one(open_workspace_of(window), path, progress)
        lines.append(outcome.message)
        if outcome.summary is not None:
            kinds |= outcome.summary.changes.kinds
            ids |= outcome.summary.changes.ids
            applied += not outcome.summary.already
        if dialog.wasCanceled():
            break
    dialog.close()
    if lines:
        # the imports are operations too: screens redraw from what they changed
        if applied:  # refused or repeated bundles changed nothing: nothing to redraw
            label = f"Imported {applied} of {len(paths)} bundle(s)"
            window.notify_external_change(label, OpChanges(label, frozenset(kinds),
                                                           frozenset(ids)))
        box = QMessageBox(QMessageBox.Icon.Information, "Bundles", "\n\n".join(lines),
                          QMessageBox.StandardButton.Ok, window.window())
        window.last_dialog = box
        box.exec()
    return lines
