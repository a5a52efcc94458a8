"""Properties of WorkCalendar arithmetic, each also checked against a day-by-day reference."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from approval_rules.testing import calendars, dates, overlays
from approval_rules.workdays import CalendarOverlay, WorkCalendar, load_overlay

CN = WorkCalendar.china()
PROVISIONAL = WorkCalendar.china(provisional=True)
ONE = timedelta(days=1)

small_n = st.integers(min_value=1, max_value=60)


# --------------------------------------------------------------------------- reference


def ref_add(cal: WorkCalendar, d: date, n: int) -> date:
    """Walk day by day, asking only is_workday (no index)."""
    if n == 0:
        while not cal.is_workday(d):
            d += ONE
        return d
    step = ONE if n > 0 else -ONE
    left = abs(n)
    while left:
        d += step
        if cal.is_workday(d):
            left -= 1
    return d


def ref_between(cal: WorkCalendar, a: date, b: date) -> int:
    """Working days in (a, b], negated when b < a, by walking."""
    lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
    count, d = 0, lo
    while d < hi:
        d += ONE
        count += cal.is_workday(d)
    return sign * count


# --------------------------------------------------------------------------- properties


@given(cal=calendars(), data=st.data(), n=st.integers(-60, 60))
def test_add_matches_reference(cal: WorkCalendar, data: st.DataObject, n: int) -> None:
    """add_workdays equals the day-by-day walk on calendars with random overlays."""
    d = data.draw(dates(cal))
    assert cal.add_workdays(d, n) == ref_add(cal, d, n)


@given(d=dates(), n=st.integers(0, 60))
@example(d=date(2025, 10, 4), n=0)
@example(d=date(2026, 2, 14), n=1)
def test_result_is_a_working_day(d: date, n: int) -> None:
    """The result of add_workdays is always a working day."""
    assert CN.is_workday(CN.add_workdays(d, n))


@given(d=dates(), n=small_n)
def test_result_is_strictly_after_and_monotonic(d: date, n: int) -> None:
    """For n ≥ 1 the result is after d, and n + 1 gives a later day than n."""
    due = CN.add_workdays(d, n)
    assert due > d
    assert CN.add_workdays(d, n + 1) > due
    assert CN.add_workdays(d, n - 1) < due or n == 1


@given(d=dates(), n=small_n)
def test_round_trip(d: date, n: int) -> None:
    """workdays_between(d, add_workdays(d, n)) == n, whatever d is."""
    due = CN.add_workdays(d, n)
    assert CN.workdays_between(d, due) == n
    assert ref_between(CN, d, due) == n


@given(d=dates(), m=st.integers(0, 40), n=st.integers(0, 40))
def test_add_composes_from_a_working_day(d: date, m: int, n: int) -> None:
    """From a working day, adding m then n equals adding m + n."""
    start = CN.add_workdays(d, 0)
    assert CN.add_workdays(CN.add_workdays(start, m), n) == CN.add_workdays(start, m + n)


@given(d=dates(), n=small_n)
def test_counting_back_undoes_counting_forward(d: date, n: int) -> None:
    """From a working day, going forward n then back n returns to it."""
    start = CN.add_workdays(d, 0)
    assert CN.add_workdays(CN.add_workdays(start, n), -n) == start
    assert CN.workdays_between(start, CN.add_workdays(start, -n)) == -n


@given(a=dates(), b=dates())
def test_between_matches_reference_and_is_antisymmetric(a: date, b: date) -> None:
    """workdays_between equals the walk and changes sign with its arguments."""
    assert CN.workdays_between(a, b) == ref_between(CN, a, b)
    assert CN.workdays_between(b, a) == -CN.workdays_between(a, b)


@given(d=dates(), n=st.integers(0, 5))
def test_zero_rule(d: date, n: int) -> None:
    """n = 0 returns d on a working day and the next working day otherwise."""
    zero = CN.add_workdays(d, 0)
    assert zero == (d if CN.is_workday(d) else CN.next_workday(d))
    del n


@given(
    d=st.dates(min_value=date(2026, 6, 1), max_value=date(2027, 12, 31)),
    n=st.integers(-300, 300),
)
def test_provisional_matches_reference_across_the_data_end(d: date, n: int) -> None:
    """Beyond 2026 a provisional calendar counts weekends only, exactly like the walk."""
    due = PROVISIONAL.add_workdays(d, n)
    assert due == ref_add(PROVISIONAL, d, n)
    span = (min(d, due), max(d, due))
    assert PROVISIONAL.is_provisional(*span) == (span[1].year >= 2027)


@given(
    d=st.dates(min_value=date(2003, 6, 1), max_value=date(2004, 6, 30)),
    n=st.integers(-100, 100),
)
def test_provisional_matches_reference_before_the_data(d: date, n: int) -> None:
    """Before 2004 a provisional calendar also follows the weekend rule exactly."""
    assert PROVISIONAL.add_workdays(d, n) == ref_add(PROVISIONAL, d, n)


@given(
    cal=calendars(base=PROVISIONAL, max_overlays=3).flatmap(
        lambda c: overlays(min_value=date(2026, 10, 1), max_value=date(2028, 3, 31)).map(
            c.with_overlay
        )
    ),
    d=st.dates(min_value=date(2026, 9, 1), max_value=date(2028, 3, 31)),
    n=st.integers(-80, 80),
)
def test_overlays_beyond_the_data_match_reference(cal: WorkCalendar, d: date, n: int) -> None:
    """Overlay days in years without data count too, on a provisional calendar."""
    assert cal.add_workdays(d, n) == ref_add(cal, d, n)
    due = cal.add_workdays(d, n)
    assert cal.workdays_between(d, due) == ref_between(cal, d, due)


def _to_yaml(overlay: CalendarOverlay) -> str:
    lines = ["kind: calendar_overlay", f"name: {overlay.name}"]
    if overlay.region:
        lines.append(f'region: "{overlay.region}"')
    for key in ("days_off", "workdays", "closures"):
        days = getattr(overlay, key)
        if days:
            lines.append(f"{key}:")
            lines += [f"  - {{date: {d.date.isoformat()}, name: {d.name}}}" for d in days]
    return "\n".join(lines) + "\n"


@given(overlay=overlays())
def test_overlay_yaml_round_trip(overlay: CalendarOverlay) -> None:
    """An overlay written as YAML loads back to the same overlay."""
    assert load_overlay(_to_yaml(overlay)) == overlay
