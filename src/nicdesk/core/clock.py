"""Hybrid logical clock (HLC).

Every change to a shared record is stamped with an HLC so that edits made offline on
different laptops can be ordered totally and merged without a server.  A stamp is the
tuple (wall milliseconds, counter, device id); it is encoded as a fixed-width string so
that comparing two encoded stamps as strings gives the same answer as comparing tuples.
That lets the store keep stamps in plain TEXT columns and sort them in SQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

_WALL_DIGITS = 15
_COUNTER_DIGITS = 6
MAX_DRIFT_MS = 24 * 3600 * 1000  # a remote stamp further ahead than this is refused


@dataclass(frozen=True, order=True)
class Hlc:
    """One stamp.  Ordering is by wall time, then counter, then device id."""

    wall_ms: int
    counter: int
    device: str

    def encode(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}-{self.counter:0{_COUNTER_DIGITS}d}-{self.device}"

    @classmethod
    def decode(cls, text: str) -> Hlc:
        try:
            wall, counter, device = text.split("-", 2)
            return cls(int(wall), int(counter), device)
        except (ValueError, AttributeError) as exc:
            raise ValueError(f"not a clock stamp: {text!r}") from exc

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return self.encode()


class ClockDriftError(ValueError):
    """A remote stamp lies implausibly far in the future (a laptop with a wrong date)."""


class HybridClock:
    """Issues monotonically increasing stamps for one device.

    `now()` never returns a stamp lower than any stamp issued or observed before, even if
    the wall clock jumps backwards (a laptop whose battery died and lost its time).
    """

    def __init__(
        self,
        device: str,
        *,
        last: Hlc | None = None,
        wall: Callable[[], int] | None = None,
    ) -> None:
        if "-" in device or not device:
            raise ValueError("device id must be non-empty and contain no '-'")
        self.device = device
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        self._last = last or Hlc(0, 0, device)

    @property
    def last(self) -> Hlc:
        return self._last

    def now(self) -> Hlc:
        wall = self._wall()
        if wall > self._last.wall_ms:
            stamp = Hlc(wall, 0, self.device)
        else:
            stamp = Hlc(self._last.wall_ms, self._last.counter + 1, self.device)
        self._last = stamp
        return stamp

    def now_str(self) -> str:
        return self.now().encode()

    def observe(self, remote: Hlc | str) -> None:
        """Move past a stamp seen in imported data so later local edits win over it."""
        if isinstance(remote, str):
            remote = Hlc.decode(remote)
        if remote.wall_ms - self._wall() > MAX_DRIFT_MS:
            raise ClockDriftError(
                "a record is dated more than a day in the future; check the sending "
                "computer's date and time"
            )
        if (remote.wall_ms, remote.counter) > (self._last.wall_ms, self._last.counter):
            self._last = Hlc(remote.wall_ms, remote.counter, self.device)


def fixed_wall(start_ms: int, step_ms: int = 1) -> Callable[[], int]:
    """A deterministic wall clock (demo data and tests): start, start+step, ..."""
    state = {"t": start_ms - step_ms}

    def tick() -> int:
        state["t"] += step_ms
        return state["t"]

    return tick
