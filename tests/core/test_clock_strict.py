"""Strict clock stamps: `Hlc.decode` takes exactly what `Hlc.encode` writes, and
`check_stamp` also refuses times no real computer could have written."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.clock import (
    EARLIEST_MS,
    MAX_DEVICE_CHARS,
    MAX_DRIFT_MS,
    Hlc,
    HybridClock,
    check_stamp,
)

NOW = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp() * 1000)
DAY = 24 * 3600 * 1000


def test_decode_takes_what_encode_writes_including_the_initial_clock() -> None:
    for stamp in (Hlc(0, 0, "a"), Hlc(NOW, 17, "laptop_A1"), Hlc(10**15 - 1, 999_999,
                                                                   "x" * MAX_DEVICE_CHARS)):
        assert Hlc.decode(stamp.encode()) == stamp
    assert len(Hlc(10**15 - 1, 999_999, "x" * MAX_DEVICE_CHARS).encode()) == 64


@pytest.mark.parametrize("text", [
    "9-0-x",  # decodes as 1970 yet sorts above every real stamp
    "1793000000000-000000-dev",  # 13 digits
    "001793000000000-0-dev",
    "001793000000000-0000000-dev",  # 7-digit counter
    "001793000000000-000000-",  # no device
    "001793000000000-000000-dev-extra",  # an extra '-'
    "001793000000000-000000-dév",  # not [A-Za-z0-9_]
    "001793000000000-000000-" + "x" * (MAX_DEVICE_CHARS + 1),
    "٠٠١٧٩٣٠٠٠٠٠٠٠٠٠-000000-dev",  # Arabic-Indic digits: int() would take them
    " 001793000000000-000000-dev",
    "001793000000000-000000-dev\n",
    "",
])
def test_decode_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="not a clock stamp"):
        Hlc.decode(text)
    assert "NICdesk's format" in (check_stamp(text, NOW) or "")


@pytest.mark.parametrize("value", [None, 5, ["001793000000000-000000-dev"], b"x"])
def test_non_text_is_refused(value: object) -> None:
    with pytest.raises(ValueError):
        Hlc.decode(value)  # type: ignore[arg-type]
    assert check_stamp(value, NOW) == "a change clock is not text"


@given(st.text(alphabet="0123456789-_abcXYZ", max_size=40))
def test_whatever_decodes_encodes_back_to_the_same_text(text: str) -> None:
    """So an accepted stamp always has the fixed widths that make text order = time order."""
    try:
        stamp = Hlc.decode(text)
    except ValueError:
        return
    assert stamp.encode() == text


def test_check_stamp_times() -> None:
    assert check_stamp(Hlc(NOW, 0, "a").encode(), NOW) is None
    assert check_stamp(Hlc(EARLIEST_MS, 0, "a").encode(), NOW) is None
    assert check_stamp(Hlc(NOW + MAX_DRIFT_MS, 5, "a").encode(), NOW) is None
    old = check_stamp(Hlc(0, 0, "a").encode(), NOW)
    assert old and "1970-01-01, before 2020" in old and "date and time" in old
    ahead = check_stamp(Hlc(NOW + 2 * DAY, 0, "a").encode(), NOW)
    assert ahead == ("a change clock is dated 2026-11-03, more than a day ahead of this "
                     "computer's clock — check the sending computer's date and time")
    far = check_stamp(Hlc(10**15 - 1, 0, "a").encode(), NOW)
    assert far and "after the year 9999" in far


def test_clock_keeps_to_the_format_when_its_counter_is_full() -> None:
    clock = HybridClock("dev1", last=Hlc(5000, 999_998, "dev1"), wall=lambda: 1000)
    a, b, c = clock.now(), clock.now(), clock.now()
    assert (a, b, c) == (Hlc(5000, 999_999, "dev1"), Hlc(5001, 0, "dev1"),
                         Hlc(5001, 1, "dev1"))
    assert all(Hlc.decode(s.encode()) == s for s in (a, b, c))
    assert a.encode() < b.encode() < c.encode()


@pytest.mark.parametrize("device", ["", "a-b", "dév", "x" * (MAX_DEVICE_CHARS + 1)])
def test_clock_refuses_device_ids_its_stamps_could_not_carry(device: str) -> None:
    with pytest.raises(ValueError, match="device id"):
        HybridClock(device)
