"""Opening a built packet with no PDF viewer says so and where the file is (issue 19,
item 10f: it used to fail without a word)."""

from __future__ import annotations

from pathlib import Path

from nicdesk.ui.meetings import packet_dialog


def test_no_pdf_viewer_says_where_the_file_is(qtbot, monkeypatch, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(packet_dialog.QDesktopServices, "openUrl", lambda _url: False)
    monkeypatch.setattr(packet_dialog.QMessageBox, "information",
                        lambda _parent, title, text, *a: said.append((title, text)))
    path = tmp_path / "Winter packet.pdf"
    assert packet_dialog.open_pdf(parent, path) is False
    assert len(said) == 1 and str(path) in said[0][1] and "PDF" in said[0][0]


def test_a_viewer_opens_it_without_a_message(qtbot, monkeypatch, tmp_path: Path) -> None:
    opened: list[str] = []
    monkeypatch.setattr(packet_dialog.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    monkeypatch.setattr(packet_dialog.QMessageBox, "information",
                        lambda *a: (_ for _ in ()).throw(AssertionError("no message")))
    assert packet_dialog.open_pdf(None, tmp_path / "p.pdf") is True
    assert opened == [str(tmp_path / "p.pdf")]
