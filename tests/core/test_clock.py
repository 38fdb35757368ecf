from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.clock import ClockDriftError, Hlc, HybridClock, fixed_wall

stamps = st.builds(Hlc, st.integers(0, 10**14), st.integers(0, 99_999),
                   st.text("abcdef0123456789", min_size=1, max_size=12))


@given(stamps, stamps)
def test_encoded_order_is_tuple_order(a: Hlc, b: Hlc) -> None:
    assert (a < b) == (a.encode() < b.encode()) or a.device != b.device and (
        (a.wall_ms, a.counter) != (b.wall_ms, b.counter))
    assert Hlc.decode(a.encode()) == a


def test_now_is_monotonic_even_if_wall_goes_back() -> None:
    times = iter([1000, 1000, 900, 2000])
    clock = HybridClock("dev1", wall=lambda: next(times))
    stamps = [clock.now() for _ in range(4)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 4
    assert stamps[2] == Hlc(1000, 2, "dev1")


def test_observe_moves_past_remote_and_refuses_far_future() -> None:
    clock = HybridClock("a", wall=fixed_wall(1000, 0))
    clock.observe(Hlc(5000, 3, "b"))
    assert clock.now() > Hlc(5000, 3, "b")
    try:
        clock.observe(Hlc(1000 + 3 * 24 * 3600 * 1000, 0, "b"))
    except ClockDriftError as exc:
        assert "date and time" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("far-future stamp accepted")
