"""Pinned examples for workdays.py: counting outside the official years (#11).

Answers about years without official data come from the "slow path" of
``add_workdays`` (outside the longest run of covered years); the suite's properties
stayed inside 2024-2026, so a mistake there survived.  These pins use a provisional
calendar, which answers such years from the holiday law (2025-2100) and with the
closed-form weekend rule outside the law's table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from approval_rules.workdays import WorkCalendar

PROVISIONAL = WorkCalendar.china(provisional=True)
D = date
ONE = timedelta(days=1)


def weekday(day: date) -> bool:
    return day.weekday() < 5


def walk(start: date, n: int, working: Callable[[date], bool] = weekday) -> date:
    """Count day by day (民法典 Art. 201: the start day is not counted); weekend rule by
    default."""
    day = start
    if n == 0:
        while not working(day):
            day += ONE
        return day
    step = ONE if n > 0 else -ONE
    left = abs(n)
    while left:
        day += step
        left -= working(day)
    return day


def test_next_workday_from_a_weekend_after_the_data() -> None:
    """Sat 2030-01-05 (no official data): the next working day is Mon 01-07, not Tue."""
    assert PROVISIONAL.next_workday(D(2030, 1, 5)) == D(2030, 1, 7)
    assert PROVISIONAL.next_workday(D(2030, 1, 6)) == D(2030, 1, 7)
    assert PROVISIONAL.next_workday(D(2030, 1, 4)) == D(2030, 1, 7)  # Fri -> Mon
    assert PROVISIONAL.add_workdays(D(2030, 1, 5), 0) == D(2030, 1, 7)
    assert PROVISIONAL.previous_workday(D(2030, 1, 5)) == D(2030, 1, 4)
    assert PROVISIONAL.is_provisional(D(2030, 1, 5))


def test_next_workday_from_a_weekend_before_the_data() -> None:
    """Sat 1999-01-02 (before 2004): Mon 01-04, by the weekend rule."""
    assert PROVISIONAL.next_workday(D(1999, 1, 2)) == D(1999, 1, 4)
    assert PROVISIONAL.add_workdays(D(1999, 1, 2), 5) == D(1999, 1, 8)


@given(
    start=st.dates(min_value=D(2101, 1, 1), max_value=D(2110, 12, 31))
    | st.dates(min_value=D(1995, 1, 1), max_value=D(2003, 12, 1)),
    n=st.integers(-15, 15),
)
@example(start=D(2101, 1, 1), n=1)  # Saturday, one working day
@example(start=D(2101, 1, 2), n=1)  # Sunday
@example(start=D(2101, 1, 1), n=0)
@example(start=D(2101, 1, 1), n=-1)
@example(start=D(2101, 1, 3), n=-1)  # Monday back to Friday (2100-12-31)
@example(start=D(1999, 1, 2), n=1)
def test_outside_the_data_a_provisional_calendar_counts_weekends(start: date, n: int) -> None:
    """Outside the official years and the law's table, add_workdays is the weekend rule,
    counted day by day."""
    got = PROVISIONAL.add_workdays(start, n)
    assert got == walk(start, n)
    if n > 0:
        assert PROVISIONAL.workdays_between(start, got) == n


@given(start=st.dates(min_value=D(2028, 1, 1), max_value=D(2035, 12, 31)), n=st.integers(-15, 15))
@example(start=D(2030, 1, 5), n=1)  # Saturday, one working day
@example(start=D(2030, 1, 6), n=1)  # Sunday
@example(start=D(2030, 1, 5), n=0)
@example(start=D(2030, 1, 5), n=-1)
@example(start=D(2030, 1, 7), n=-1)  # Monday back to Friday
def test_beyond_the_data_the_law_is_counted_day_by_day(start: date, n: int) -> None:
    """In the law's years the slow path agrees with a day-by-day walk of is_workday."""
    got = PROVISIONAL.add_workdays(start, n)
    assert got == walk(start, n, PROVISIONAL.is_workday)
    if n > 0:
        assert PROVISIONAL.workdays_between(start, got) == n
