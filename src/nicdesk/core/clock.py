"""Hybrid logical clock (HLC).

Every change to a shared record is stamped with an HLC so that edits made offline on
different laptops can be ordered totally and merged without a server.  A stamp is the
tuple (wall milliseconds, counter, device id); it is encoded as a fixed-width string so
that comparing two encoded stamps as strings gives the same answer as comparing tuples.
That lets the store keep stamps in plain TEXT columns and sort them in SQL.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import NicdeskError

_WALL_DIGITS = 15
_COUNTER_DIGITS = 6
_MAX_COUNTER = 10**_COUNTER_DIGITS - 1
MAX_DRIFT_MS = 24 * 3600 * 1000  # a remote stamp further ahead than this is refused
#: an encoded stamp fits the 64-character columns that store it (15 + 1 + 6 + 1 + 41)
MAX_DEVICE_CHARS = 64 - _WALL_DIGITS - _COUNTER_DIGITS - 2
#: no NICdesk existed before this: an older stamp comes from a computer with a wrong date
EARLIEST_MS = int(dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
_DEVICE = re.compile(rf"[A-Za-z0-9_]{{1,{MAX_DEVICE_CHARS}}}")
_STAMP = re.compile(rf"([0-9]{{{_WALL_DIGITS}}})-([0-9]{{{_COUNTER_DIGITS}}})-"
                    rf"([A-Za-z0-9_]{{1,{MAX_DEVICE_CHARS}}})")


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
        """The stamp `encode` wrote; anything else (other widths, extra '-', a device id
        that is not 1–41 letters, digits or '_') raises ValueError.  The exact widths
        matter: a short stamp such as ``9-0-x`` would sort above every real one."""
        match = _STAMP.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            shown = (repr(text if len(text) <= 60 else text[:57] + "...")
                     if isinstance(text, str) else f"a {type(text).__name__}")
            raise ValueError(f"not a clock stamp: {shown}")
        wall, counter, device = match.groups()
        return cls(int(wall), int(counter), device)

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return self.encode()


def check_stamp(text: object, now_ms: int) -> str | None:
    """Why an encoded stamp from another computer cannot be accepted, or None if it can.

    It must be exactly what `Hlc.encode` writes, and its time must be plausible: not
    before 2020 and not more than `MAX_DRIFT_MS` ahead of `now_ms` (this computer's clock).
    The answer is a phrase starting "a change clock", to be put in a sentence.
    """
    if not isinstance(text, str):
        return "a change clock is not text"
    try:
        stamp = Hlc.decode(text)
    except ValueError:
        shown = repr(text) if len(text) <= 40 else repr(text[:37]) + "..."
        return (f"a change clock ({shown}) is not in NICdesk's format (15 digits, 6 digits "
                "and a device name, joined by '-')")
    if stamp.wall_ms < EARLIEST_MS:
        return (f"a change clock is dated {_day(stamp.wall_ms)}, before 2020 — check the "
                "sending computer's date and time")
    if stamp.wall_ms - now_ms > MAX_DRIFT_MS:
        return (f"a change clock is dated {_day(stamp.wall_ms)}, more than a day ahead of "
                "this computer's clock — check the sending computer's date and time")
    return None


def _day(wall_ms: int) -> str:
    try:
        return dt.datetime.fromtimestamp(wall_ms / 1000, dt.UTC).date().isoformat()
    except (OverflowError, ValueError, OSError):  # beyond year 9999
        return "after the year 9999"


def now_ms() -> int:
    """This computer's clock, in the milliseconds stamps use."""
    return time.time_ns() // 1_000_000


class ClockDriftError(NicdeskError, ValueError):
    """A remote stamp lies implausibly far in the future (a laptop with a wrong date).
    Still a `ValueError`: stamps that cannot be used are caught as one."""

    title = "Record dated in the future"


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
        if not isinstance(device, str) or not _DEVICE.fullmatch(device):
            raise ValueError(f"device id must be 1–{MAX_DEVICE_CHARS} letters, digits or '_'")
        self.device = device
        self._wall = wall or now_ms
        self._last = last or Hlc(0, 0, device)

    @property
    def last(self) -> Hlc:
        return self._last

    def now(self) -> Hlc:
        wall = self._wall()
        if wall > self._last.wall_ms:
            stamp = Hlc(wall, 0, self.device)
        elif self._last.counter < _MAX_COUNTER:
            stamp = Hlc(self._last.wall_ms, self._last.counter + 1, self.device)
        else:  # the counter is full (its width is fixed): logical time moves a millisecond
            stamp = Hlc(self._last.wall_ms + 1, 0, self.device)
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
