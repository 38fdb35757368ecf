"""One NICdesk per person: opening a file while NICdesk runs hands the file to the
running window (QLocalServer / QLocalSocket) instead of starting a second copy, which
would find the workspace locked anyway.

The server name is per user and per data folder, so tests (and portable copies with
their own NICDESK_DATA_DIR) never talk to someone else's NICdesk.  A message is one
JSON line: {"open": [paths]}; the answer is "ok".
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ...paths import data_dir

log = logging.getLogger("nicdesk.instance")


def server_name() -> str:
    where = hashlib.sha256(str(data_dir().resolve()).encode()).hexdigest()[:12]
    user = "".join(ch for ch in getpass.getuser() if ch.isalnum())[:20] or "user"
    return f"nicdesk-{user}-{where}"


def send_to_running(paths: list[str], timeout_ms: int = 1500) -> bool:
    """True if a running NICdesk took the paths (it opens them and comes to the front)."""
    if os.name == "posix" and not (Path(tempfile.gettempdir()) / server_name()).exists():
        return False  # no server socket: nobody to ask (and QtNetwork stays unloaded)
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    import json  # only when another NICdesk is there to hear it

    socket.write((json.dumps({"open": paths}) + "\n").encode())
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    ok = socket.waitForReadyRead(timeout_ms) and bytes(socket.readAll().data()).strip() == b"ok"
    socket.disconnectFromServer()
    return ok


class InstanceServer(QObject):
    """Listens for later launches; emits `open_requested(paths)`."""

    open_requested = Signal(list)

    def __init__(self, on_open: Callable[[list[str]], None] | None = None) -> None:
        from PySide6.QtNetwork import QLocalServer

        super().__init__()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        name = server_name()
        if not self.server.listen(name):
            QLocalServer.removeServer(name)  # left over from a crashed run
            if not self.server.listen(name):
                log.warning("single-instance server unavailable: %s",
                            self.server.errorString())
        self.server.newConnection.connect(self._connection)
        if on_open is not None:
            self.open_requested.connect(on_open)

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def _connection(self) -> None:
        socket = self.server.nextPendingConnection()
        if socket is None:
            return
        buffer = bytearray()

        def read() -> None:
            buffer.extend(socket.readAll().data())
            if b"\n" not in buffer:
                return
            try:
                import json

                paths = [str(p) for p in json.loads(buffer.split(b"\n")[0]).get("open", [])]
            except (ValueError, AttributeError):
                paths = None
            socket.write(b"ok\n" if paths is not None else b"bad\n")
            socket.flush()
            socket.disconnectFromServer()
            if paths is not None:
                log.info("hand-off from a second launch: %s", paths)
                self.open_requested.emit(paths)

        socket.readyRead.connect(read)
        if socket.bytesAvailable():
            read()

    def close(self) -> None:
        self.server.close()
