"""What every packet section receives: the meeting's content as plain view models
(`store.views.packet.PacketData`), the frame's size, a counter for bookmark keys, and the
progress callback that can cancel the build.  Sections never read the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...store.views.packet import PacketData
from ..layout import PacketCancelled, Progress


@dataclass
class Context:
    data: PacketData
    width: float
    height: float
    progress: Progress | None = None
    wide_width: float = 0.0  # the frame of a landscape page (diagrams); 0: as `height`
    wide_height: float = 0.0
    _keys: int = 0

    def key(self) -> str:
        """A fresh bookmark key for a heading."""
        self._keys += 1
        return f"k{self._keys}"

    def tick(self, i: int, n: int, what: str) -> None:
        """Report progress; raise PacketCancelled when the person cancelled."""
        if self.progress is not None and not self.progress(i, n, what):
            raise PacketCancelled()


Section = Callable[[Context], list[Any]]  # a section: its flowables, heading excluded
