"""Export for the Network: a delta by default once the coordinator confirmed a bundle, the
preview counting exactly what goes; "Export everything" writes a full bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QDialog, QFileDialog, QLabel

from nicdesk.ui.exchange import export as export_dialogs
from nicdesk.ui.shell.main_window import MainWindow
from tests.bundle.exchange_helpers import read_records
from tests.bundle.test_delta import add_value, net  # noqa: F401


def counts(dialog: QDialog) -> dict[str, str]:
    table = dialog.findChild(export_dialogs.QTableWidget, "exportCounts")
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


@pytest.mark.parametrize("everything", [False, True])
def test_export_everything_choice(net, qtbot, monkeypatch, everything: bool) -> None:  # noqa: F811
    _coord, sites, tmp, _before, _doomed = net
    add_value(sites["A"], "2025-11-01", 0.7)
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    assert w.open_workspace(sites["A"])
    seen: dict[str, object] = {}

    def fake_exec(dialog: export_dialogs.ExportPreview) -> int:
        box = dialog.findChild(QCheckBox, "exportEverything")
        scope = dialog.findChild(QLabel, "exportScope")
        seen["delta"] = (box.isEnabled(), box.isChecked(), scope.text(), counts(dialog))
        box.setChecked(True)  # counted again: everything this site has
        seen["full"] = (scope.text(), counts(dialog))
        box.setChecked(everything)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(export_dialogs.ExportPreview, "exec", fake_exec)
    out = tmp / "A2.nicbundle"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(out), "")))
    w.act_export.trigger()
    enabled, checked, why, delta_counts = seen["delta"]
    assert enabled and not checked and "since bundle 1" in why
    assert delta_counts == {"Observation": "1"}  # only the new value
    full_why, full_counts = seen["full"]
    assert "Export everything" in full_why and full_counts["Observation"] == "3"
    manifest, records = read_records(out)
    if everything:
        assert "base_sequence" not in manifest and len(records["observation"]) == 3
    else:
        assert manifest["base_sequence"] == 1 and len(records["observation"]) == 1
    assert "Bundle 2" in w.statusBar().currentMessage()
    w.close_workspace()


def test_no_choice_before_the_coordinator_confirmed_a_bundle(tmp_path: Path, qtbot,
                                                             monkeypatch) -> None:
    from tests.bundle.test_digest_privacy import build_network

    _coord, sites = build_network(tmp_path)
    add_value(sites["B"], "2025-09-01")
    w = MainWindow()
    w.persist_settings = False
    qtbot.addWidget(w)
    w.show()
    assert w.open_workspace(sites["B"])
    seen: dict[str, object] = {}

    def fake_exec(dialog: export_dialogs.ExportPreview) -> int:
        box = dialog.findChild(QCheckBox, "exportEverything")
        seen["box"] = (box.isEnabled(), box.isChecked(),
                       dialog.findChild(QLabel, "exportScope").text())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(export_dialogs.ExportPreview, "exec", fake_exec)
    w.act_export.trigger()
    enabled, checked, why = seen["box"]
    assert not enabled and checked and "first bundle" in why
    w.close_workspace()
