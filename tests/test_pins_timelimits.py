"""Pinned examples for timelimits.py: the boundaries the properties rarely reach (#11).

Each test here kills a mutant that survived the whole suite before: a flipped
comparison or a shifted day at the due day, at the first day of a clock stop, or in a
0-working-day (immediate) period.  The comment of each says which answer would change.
Dates are on the official calendar (国庆+中秋 2025-10-01..08 off, Sat 10-11 worked).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from approval_rules.errors import CalendarError
from approval_rules.testing import PeriodSpec, dates, period_specs
from approval_rules.timelimits import (
    CHINA_TZ,
    ClockStop,
    Due,
    ExplainedDay,
    OfficeHours,
    TimeUnit,
    acceptance_date,
    calendar_days_due,
    check_extension,
    check_stops,
    due_date,
    due_datetime,
    explain_deadline,
    green_channel_days,
    progress,
)
from approval_rules.workdays import WorkCalendar

CN = WorkCalendar.china()
D = date
ONE = timedelta(days=1)

#: Accepted Mon 2025-03-03, 20 WD, hearing Mon 03-10 .. Fri 03-21 (10 WD): due 04-15.
HEARING = ClockStop("hearing", D(2025, 3, 10), D(2025, 3, 21), notice="听证告知书")


def counted(calendar: WorkCalendar, day: date, stops: tuple[ClockStop, ...]) -> bool:
    """A day counts when it is a working day outside every stop."""
    return calendar.is_workday(day) and not any(s.start <= day <= s.end for s in stops)


# --------------------------------------------------------------------------- immediate periods


def test_zero_day_period_whose_stop_ends_on_the_start_day() -> None:
    """0 WD from Thu 10-09 with an inspection 10-07..10-09: due Fri 10-10, not 10-09.

    An immediate period ends on the first working day on or after the start that no
    stop covers (Art. 45).  The start day is inside the stop, so it cannot be the due
    day; a stop ending the day before the start moves nothing.
    """
    ends_on_start = ClockStop("inspection", D(2025, 10, 7), D(2025, 10, 9))
    assert due_date(CN, D(2025, 10, 9), 0, stops=[ends_on_start]) == D(2025, 10, 10)
    only_start = ClockStop("inspection", D(2025, 10, 9), D(2025, 10, 9))
    assert due_date(CN, D(2025, 10, 9), 0, stops=[only_start]) == D(2025, 10, 10)
    ends_before = ClockStop("inspection", D(2025, 10, 7), D(2025, 10, 8))
    assert due_date(CN, D(2025, 10, 9), 0, stops=[ends_before]) == D(2025, 10, 9)


def test_zero_day_explanation_on_a_working_day_is_the_start_day_alone() -> None:
    """0 WD from Thu 10-09 (a working day): one line, the start day, due that day."""
    days = explain_deadline(CN, D(2025, 10, 9), 0)
    assert [(d.date, d.counted, d.number, d.text) for d in days] == [
        (D(2025, 10, 9), False, None, "start day (not counted)")
    ]


def test_zero_day_explanation_from_a_holiday_ends_on_day_0() -> None:
    """0 WD from Sat 10-04 (国庆): 10-05..10-08 skipped, the due day 10-09 is "day 0"."""
    days = explain_deadline(CN, D(2025, 10, 4), 0)
    assert [d.date for d in days] == [D(2025, 10, 4) + ONE * i for i in range(6)]
    assert [d.counted for d in days] == [False] * 5 + [True]
    assert days[-1].number == 0
    assert days[-1].text == "day 0: workday"
    assert days[1].text == "skipped: holiday 国庆节"


def test_zero_day_fraction_used_turns_to_one_on_the_due_day() -> None:
    """A 0-day period has no days to divide: 0.0 before its due day, 1.0 from it on."""
    start = D(2025, 10, 4)  # due Thu 10-09
    assert progress(CN, start, 0, D(2025, 10, 8)).fraction_used == 0.0
    assert progress(CN, start, 0, D(2025, 10, 9)).fraction_used == 1.0
    assert progress(CN, start, 0, D(2025, 10, 10)).fraction_used == 1.0
    on_time = progress(CN, D(2025, 10, 9), 0, D(2025, 10, 9))
    assert (on_time.fraction_used, on_time.overdue) == (1.0, False)


def test_zero_day_period_from_a_holiday_has_nothing_left_on_its_due_day() -> None:
    """0 WD from Sat 10-04: on the due day Thu 10-09 (its day 0) nothing is used or
    overdue; each working day after it is one day overdue.

    Before the fix the due day itself counted as elapsed: remaining -1 while not
    overdue, so supervision saw a case late on the day it was due.
    """
    on_due = progress(CN, D(2025, 10, 4), 0, D(2025, 10, 9))
    assert (on_due.elapsed, on_due.remaining, on_due.overdue) == (0, 0, False)
    late = progress(CN, D(2025, 10, 4), 0, D(2025, 10, 10))
    assert (late.elapsed, late.remaining, late.overdue) == (1, -1, True)
    # a stop holding the start day: due Sat 10-11 (a make-up workday), late on Mon 10-13
    stop = ClockStop("inspection", D(2025, 10, 9), D(2025, 10, 10))
    assert progress(CN, D(2025, 10, 9), 0, D(2025, 10, 11), stops=[stop]).remaining == 0
    assert progress(CN, D(2025, 10, 9), 0, D(2025, 10, 13), stops=[stop]).remaining == -1


# --------------------------------------------------------------------------- the due day


def test_not_overdue_on_the_due_day_itself() -> None:
    """The period ends at the close of its last day (民法典 Art. 203).

    20 WD from Fri 2025-09-26 are due Thu 10-30: on 10-30 nothing remains and the
    case is on time; on Fri 10-31 it is one working day overdue.
    """
    due = progress(CN, D(2025, 9, 26), 20, D(2025, 10, 30))
    assert (due.due, due.elapsed, due.remaining, due.overdue) == (D(2025, 10, 30), 20, 0, False)
    late = progress(CN, D(2025, 9, 26), 20, D(2025, 10, 31))
    assert (late.remaining, late.overdue) == (-1, True)


# --------------------------------------------------------------------------- clock stops


def test_the_first_day_of_a_clock_stop_is_not_elapsed() -> None:
    """Accepted 03-03, hearing from Mon 03-10: elapsed stays 4 (3/4-3/7) on 03-10 itself.

    The stop's days are not counted (Art. 45) from its first day on, so 03-10 adds
    nothing; the count resumes on Mon 03-24, the first working day after the stop.
    """
    elapsed = {
        day: progress(CN, D(2025, 3, 3), 20, day, stops=[HEARING]).elapsed
        for day in (D(2025, 3, 7), D(2025, 3, 10), D(2025, 3, 11), D(2025, 3, 21), D(2025, 3, 24))
    }
    assert elapsed == {
        D(2025, 3, 7): 4,
        D(2025, 3, 10): 4,
        D(2025, 3, 11): 4,
        D(2025, 3, 21): 4,
        D(2025, 3, 24): 5,
    }


# --------------------------------------------------------------------------- green channel


@pytest.mark.parametrize("reduction", ["0.5", False, True, None, [0.5]])
def test_green_channel_refuses_a_reduction_that_is_not_a_number(reduction: object) -> None:
    """A ratio written as text (or a boolean) is a caller's mistake, not half a period.

    Fraction("0.5") would happily read the text; the type check must refuse it.
    """
    with pytest.raises(TypeError, match="reduction must be a number"):
        green_channel_days(20, reduction)  # type: ignore[arg-type]


def test_green_channel_accepts_every_number_type() -> None:
    """int, float, Fraction and Decimal ratios are read as the value written."""
    assert green_channel_days(20, 0) == 20
    assert green_channel_days(20, 0.5) == 10
    assert green_channel_days(20, Fraction(1, 2)) == 10
    assert green_channel_days(20, Decimal("0.5")) == 10


# --------------------------------------------------------------------------- bad input


NOON = datetime(2025, 10, 9, 12, 0)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ClockStop("hearing", D(2025, 3, 10), NOON), "ClockStop.end"),
        (lambda: calendar_days_due(CN, NOON, 3), "start"),
        (lambda: acceptance_date(CN, NOON, notice_issued=None, corrected=None), "received"),
        (
            lambda: check_extension(
                CN, deadline=NOON, granted_on=D(2025, 10, 9), already_extended=False
            ),
            "deadline",
        ),
        (lambda: progress(CN, D(2025, 10, 9), 5, NOON), "at"),
    ],
)
def test_a_datetime_where_a_day_is_meant_is_refused_by_name(call: object, name: str) -> None:
    """Dropping a datetime's time would hide the caller's bug: TypeError naming the argument.

    Without its own check each call fails later with another message, or (acceptance
    without a notice) returns the datetime as if it were a day.
    """
    with pytest.raises(TypeError, match=rf"^{name} must be a datetime\.date"):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("kind", ["", "  ", None])
def test_a_clock_stop_needs_a_kind(kind: object) -> None:
    """Art. 45: each stop says what the time was needed for."""
    with pytest.raises(ValueError, match="kind must be a non-empty string"):
        ClockStop(kind, D(2025, 3, 10), D(2025, 3, 21))  # type: ignore[arg-type]


def test_stops_must_be_clock_stops() -> None:
    """A tuple that looks like a stop is refused with a TypeError, not an AttributeError."""
    with pytest.raises(TypeError, match="stops must be ClockStop items"):
        check_stops([("hearing", D(2025, 3, 10), D(2025, 3, 21))])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="stops must be ClockStop items"):
        due_date(CN, D(2025, 3, 3), 20, stops=["hearing"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "morning", [(time(9, tzinfo=UTC), time(12)), ("09:00", "12:00"), (time(9), 12)]
)
def test_office_hours_are_naive_times(morning: object) -> None:
    """Times with a zone, texts or numbers are refused: the office's zone is ``tz``."""
    with pytest.raises(TypeError, match=r"naive datetime\.time"):
        OfficeHours(morning=morning)  # type: ignore[arg-type]


def test_a_stop_ending_before_it_starts_is_a_calendar_error() -> None:
    """The dates are checked before they are compared."""
    with pytest.raises(CalendarError, match="ends"):
        ClockStop("hearing", D(2025, 3, 10), D(2025, 3, 9))


def test_counts_must_be_whole_numbers_not_booleans() -> None:
    """``True`` is an int to Python but not a number of days: refused by name."""
    for count in (True, 5.0, "5"):
        with pytest.raises(TypeError, match="working_days must be an int"):
            due_date(CN, D(2025, 3, 3), count)  # type: ignore[arg-type]


def test_a_period_start_must_be_a_day() -> None:
    """due_date names its own argument when given a datetime."""
    with pytest.raises(TypeError, match=r"^start must be a datetime\.date"):
        due_date(CN, datetime(2025, 3, 3, 9), 5)  # type: ignore[arg-type]


def test_a_due_with_bounds_holds_days() -> None:
    """Due's three dates are days, even when all three are datetimes (which compare)."""
    moment = datetime(2025, 3, 3, 9)
    with pytest.raises(TypeError, match=r"Due\.best must be a datetime\.date"):
        Due(moment, moment, moment, False)  # type: ignore[arg-type]


def test_a_day_without_lunch_break_is_office_hours() -> None:
    """Morning may end when the afternoon starts (≤): 9-12 and 12-17 is one 8-hour day."""
    hours = OfficeHours(morning=(time(9), time(12)), afternoon=(time(12), time(17)))
    start = datetime(2025, 9, 29, 11, tzinfo=CHINA_TZ)
    assert due_datetime(CN, start, 2, TimeUnit.HOURS, hours) == start.replace(hour=13)


def test_due_datetime_takes_units_by_name_and_moments_only() -> None:
    """A unit may be given by its value ("half_days"); an unknown one and a date (not a
    moment) are refused."""
    start = datetime(2025, 9, 29, 10, tzinfo=CHINA_TZ)  # Monday
    assert due_datetime(CN, start, 1, "half_days") == start.replace(hour=17, minute=30)  # type: ignore[arg-type]
    assert due_datetime(CN, start, 1, "working_days") == datetime(
        2025, 9, 30, 17, 30, tzinfo=CHINA_TZ
    )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a valid TimeUnit"):
        due_datetime(CN, start, 1, "days")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="start must be a datetime"):
        due_datetime(CN, D(2025, 9, 29), 1, TimeUnit.HOURS)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- explanations


def test_explained_days_are_official_unless_said_otherwise() -> None:
    """An ExplainedDay is not provisional by default; a day of a year without official
    data says so in its text, whatever the provisional calendar makes of it."""
    assert ExplainedDay(D(2025, 10, 9), True, 1, "workday").text == "day 1: workday"
    days = explain_deadline(WorkCalendar.china(provisional=True), D(2026, 12, 28), 8)
    assert {d.date.year for d in days} == {2026, 2027}
    for day in days:
        assert day.provisional == (day.date.year == 2027)
        assert day.text.endswith(" [provisional]") == (day.date.year == 2027)


# --------------------------------------------------------------------------- properties


@st.composite
def stops_around(draw: st.DrawFn, start: date) -> tuple[ClockStop, ...]:
    """Sorted, disjoint stops that may begin before, on or after ``start``."""
    stops: list[ClockStop] = []
    cursor = start - timedelta(days=draw(st.integers(0, 12)))
    for _ in range(draw(st.integers(0, 3))):
        begin = cursor + timedelta(days=draw(st.integers(1, 6)))
        end = begin + timedelta(days=draw(st.integers(0, 8)))
        stops.append(ClockStop("inspection", begin, end))
        cursor = end
    return tuple(stops)


@given(start=dates(), data=st.data())
@example(start=D(2025, 10, 9), data=None).via("a stop ending on the start day")
@example(start=D(2025, 10, 4), data=None).via("a start inside a holiday run")
def test_immediate_period_is_the_first_counted_day(start: date, data: st.DataObject | None) -> None:
    """0 WD: the first day on or after the start that is a working day outside every stop."""
    if data is None:  # the explicit examples: a stop from two days before to the start
        stops: tuple[ClockStop, ...] = (ClockStop("inspection", start - 2 * ONE, start),)
    else:
        stops = data.draw(stops_around(start))
    expected = start
    while not counted(CN, expected, stops):
        expected += ONE
    assert due_date(CN, start, 0, stops=stops) == expected
    explained = explain_deadline(CN, start, 0, stops=stops)
    assert explained[-1].date == expected
    assert explained[-1].counted == (expected != start)


def boundary_days(spec: PeriodSpec) -> list[date]:
    """The days where off-by-one mistakes show: around the due day and every stop's ends."""
    due = spec.due()
    days = [spec.start, spec.start + ONE, due - ONE, due, due + ONE]
    for stop in spec.stops:
        days += [stop.start - ONE, stop.start, stop.end, stop.end + ONE]
    return days


@given(spec=period_specs(), data=st.data())
@example(spec=PeriodSpec(CN, D(2025, 3, 3), 20, (HEARING,), 0), data=D(2025, 3, 10)).via(
    "the first day of the hearing"
)
@example(spec=PeriodSpec(CN, D(2025, 3, 3), 20, (HEARING,), 0), data=D(2025, 4, 15)).via(
    "the due day after the hearing"
)
@example(spec=PeriodSpec(CN, D(2025, 9, 26), 20, (), 0), data=D(2025, 10, 30)).via("due day")
@example(spec=PeriodSpec(CN, D(2025, 9, 26), 20, (), 0), data=D(2025, 10, 31)).via("day after")
@example(
    spec=PeriodSpec(
        CN, D(2025, 9, 26), 5, (ClockStop("testing", D(2025, 9, 29), D(2025, 9, 29)),), 0
    ),
    data=D(2025, 9, 29),
).via("a one-day stop on its only day")
def test_progress_at_the_boundaries(spec: PeriodSpec, data: st.DataObject | date) -> None:
    """At the due day, the day after it and the first and last days of stops,
    ``elapsed`` is the day-by-day count and ``overdue`` starts the day after the due day.
    """
    at = data if isinstance(data, date) else data.draw(st.sampled_from(boundary_days(spec)))
    total = spec.working_days + spec.extension
    p = progress(
        spec.calendar, spec.start, spec.working_days, at, stops=spec.stops, extension=spec.extension
    )
    assert p.due == spec.due()
    assert p.overdue == (at > p.due)
    if total == 0:  # the due day is day 0: only working days after it are used
        assert p.remaining == -p.elapsed == -spec.calendar.workdays_between(p.due, max(at, p.due))
        return
    applied = tuple(s for s in spec.stops if s.start <= p.due)
    walked = 0
    day = spec.start + ONE
    while day <= at:
        walked += counted(spec.calendar, day, applied)
        day += ONE
    assert p.elapsed == walked
    assert p.remaining == total - walked
    if at == p.due:
        assert (p.remaining, p.fraction_used) == (0, 1.0)
