"""The bundle reader's quick yes for a file's change clocks (`records._Stamps.all_fine`,
one regular-expression match over every distinct stamp at once, issue #20) says yes
exactly when `core.clock.check_stamp` accepts every one of them: a faster check, never a
weaker one."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from nicdesk.bundle.records import _Stamps
from nicdesk.core.clock import EARLIEST_MS, MAX_DRIFT_MS, check_stamp

NOW = 1_790_000_000_000  # a fixed "now" (2026-09): dates either side of it are drawn
_WALLS = st.integers(EARLIEST_MS - 10**9, NOW + MAX_DRIFT_MS + 10**9) | \
    st.integers(0, 10**15 - 1)
_DEVICE = st.text("abcXYZ019_-é ", min_size=0, max_size=44)


@st.composite
def _stamp(draw: st.DrawFn) -> str:
    """Mostly well-formed stamps (some out of range), and some damaged: a digit short or
    over, a non-ASCII digit, a bad device name, a line break, a group left out."""
    wall = f"{draw(_WALLS):015d}"
    counter = f"{draw(st.integers(0, 999_999)):06d}"
    device = draw(_DEVICE) if draw(st.booleans()) else draw(
        st.text("abcdef0123_", min_size=1, max_size=41))
    text = f"{wall}-{counter}-{device}"
    damage = draw(st.integers(0, 9))
    if damage == 0:
        text = text[1:]
    elif damage == 1:
        text = "1" + text
    elif damage == 2:
        text = text.replace("0", "٠", 1)  # an Arabic-Indic zero: a digit, not [0-9]
    elif damage == 3:
        text = text + "\n"
    elif damage == 4:
        text = f"{wall}-{device}"
    return text


@settings(max_examples=400, deadline=None)
@given(st.sets(_stamp(), min_size=1, max_size=5))
@example({"001790000000000-000000-dev", "001790000000000-000000-dev\n"
          "001790000000001-000000-dev"})  # two stamps hidden in one text
@example({"001790000000000-000000-a" + "b" * 40})  # a device name one too long
def test_all_fine_is_check_stamp_of_every_stamp(stamps: set[str]) -> None:
    assert _Stamps(NOW).all_fine(set(stamps)) == all(
        check_stamp(s, NOW) is None for s in stamps)


def test_all_fine_refuses_what_is_not_text() -> None:
    assert not _Stamps(NOW).all_fine({"001790000000000-000000-dev", 17})
    assert _Stamps(NOW).all_fine(set())
