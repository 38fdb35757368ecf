"""Desktop integration for Linux (freedesktop.org): the menu entry, the icon in every
hicolor size, and the MIME types for `.nicdesk` workspaces and `.nicbundle` bundles, so
a double-click in the file manager opens NICdesk (and a running NICdesk takes the file).

Installed per user under $XDG_DATA_HOME (default ~/.local/share), no admin rights:
`nicdesk install-desktop` or `make install-desktop`.  The desktop and MIME files live in
`packaging/` in the source tree and inside the package (`nicdesk/resources/desktop`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"
DESKTOP_FILE = "nicdesk.desktop"
MIME_FILE = "nicdesk-mime.xml"
MIME_TYPES = ("application/x-nicdesk-workspace", "application/x-nicdesk-bundle")


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launcher() -> str:
    """The command the menu entry runs: the packaged binary, or this environment's
    `nicdesk` script (absolute, so it works without the venv on PATH)."""
    if getattr(sys, "frozen", False):
        return sys.executable
    found = Path(sys.executable).with_name("nicdesk")
    return str(found) if found.exists() else (shutil.which("nicdesk") or "nicdesk")


def install(target: Path | None = None, command: str | None = None) -> list[Path]:
    """Copy the files into place (returns them) and refresh the desktop's caches."""
    root = target or data_home()
    command = command or launcher()
    written: list[Path] = []
    text = (RESOURCES / "desktop" / DESKTOP_FILE).read_text(encoding="utf-8")
    quoted = f'"{command}"' if " " in command else command
    text = text.replace("Exec=nicdesk open %f", f"Exec={quoted} open %f").replace(
        "TryExec=nicdesk", f"TryExec={command}")
    apps = root / "applications"
    apps.mkdir(parents=True, exist_ok=True)
    (apps / DESKTOP_FILE).write_text(text, encoding="utf-8")
    written.append(apps / DESKTOP_FILE)
    mime = root / "mime" / "packages"
    mime.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(RESOURCES / "desktop" / MIME_FILE, mime / "nicdesk.xml")
    written.append(mime / "nicdesk.xml")
    for png in sorted((RESOURCES / "hicolor").glob("*/apps/nicdesk.png")):
        size = png.parent.parent.name
        for kind, name in (("apps", "nicdesk.png"),
                           ("mimetypes", "application-x-nicdesk-workspace.png"),
                           ("mimetypes", "application-x-nicdesk-bundle.png")):
            out = root / "icons" / "hicolor" / size / kind / name
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(png, out)
            written.append(out)
    scalable = root / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(RESOURCES / "nicdesk.svg", scalable / "nicdesk.svg")
    written.append(scalable / "nicdesk.svg")
    _refresh(root)
    return written


def _refresh(root: Path) -> None:
    """Update the MIME and desktop databases and make NICdesk the default handler; each
    tool is optional (a minimal system may not have it)."""
    steps = [["update-mime-database", str(root / "mime")],
             ["update-desktop-database", str(root / "applications")],
             ["gtk-update-icon-cache", "-f", "-t", str(root / "icons" / "hicolor")]]
    if root == data_home():
        steps += [["xdg-mime", "default", DESKTOP_FILE, *MIME_TYPES]]
    for step in steps:
        if shutil.which(step[0]):
            subprocess.run(step, capture_output=True, timeout=60, check=False)
