"""Pinned examples for workdays.py: counting outside the official years (#11).

Answers about years without official data come from the "slow path" of
``add_workdays`` (outside the longest run of covered years); the suite's properties
stayed inside 2024-2026, so a mistake there survived.  These pins use a provisional
calendar, which answers such years from the holiday law (2025-2100) and with the
closed-form weekend rule outside the law's table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from approval_rules.errors import CalendarError
from approval_rules.workdays import (
    DayKind,
    Layer,
    OverlayDay,
    WorkCalendar,
    generate,
    parse_overlay,
)
from approval_rules.workdays.statutory import Festival, parse_table

CN = WorkCalendar.china()
PROVISIONAL = WorkCalendar.china(provisional=True)
#: Data for 2025 only (no holidays): years outside the law's table (before 2025, after
#: 2100) are the plain weekend rule.
ONLY_2025 = WorkCalendar.from_days(years=[2025], provisional=True)
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


@given(start=st.dates(min_value=D(2026, 12, 1), max_value=D(2035, 12, 31)), n=st.integers(-15, 15))
@example(start=D(2030, 1, 5), n=1)  # Saturday, one working day
@example(start=D(2030, 1, 6), n=1)  # Sunday
@example(start=D(2030, 1, 5), n=0)
@example(start=D(2030, 1, 5), n=-1)
@example(start=D(2030, 1, 7), n=-1)  # Monday back to Friday
@example(start=D(2027, 1, 1), n=1)  # the first day after the official data
@example(start=D(2027, 1, 1), n=-1)
@example(start=D(2026, 12, 31), n=1)
@example(start=D(2004, 1, 1), n=-1)  # the first day of the data, counting back
@example(start=D(2003, 12, 31), n=1)
def test_beyond_the_data_the_law_is_counted_day_by_day(start: date, n: int) -> None:
    """In the law's years, and across the edges of the official data, the slow path
    agrees with a day-by-day walk of is_workday."""
    got = PROVISIONAL.add_workdays(start, n)
    assert got == walk(start, n, PROVISIONAL.is_workday)
    if n > 0:
        assert PROVISIONAL.workdays_between(start, got) == n


# --------------------------------------------------------------------------- strict coverage


def test_a_strict_calendar_refuses_every_answer_that_needs_a_missing_year() -> None:
    """Only the days an answer depends on must be official (CalendarError otherwise).

    Forward: (d, r]; backward: [r, d); n = 0: [d, r].  So counting back from Fri
    2027-01-01 to Thu 2026-12-31 is fine, but from Sat 2027-01-02 the answer is Fri
    2027-01-01, a day of a year without data.
    """
    assert CN.add_workdays(D(2027, 1, 1), -1) == D(2026, 12, 31)
    for start, n in [
        (D(2027, 1, 2), -1),
        (D(2030, 1, 7), -1),
        (D(2030, 1, 5), 0),
        (D(2026, 12, 31), 1),
        (D(2027, 1, 1), 1),
    ]:
        with pytest.raises(CalendarError, match=r"no official working-day data for (2027|2030)"):
            CN.add_workdays(start, n)


def test_coverage_is_checked_across_a_year_boundary_on_a_weekend() -> None:
    """2022 ends on a Saturday.  With data for 2022 only, "0 WD from Sat 12-31" is Mon
    2023-01-02, a day without data: refused.  With data for 2023 only, counting back
    one working day from Mon 2023-01-02 lands on Fri 2022-12-30: refused too.
    """
    only_2022 = WorkCalendar.from_days(years=[2022])
    assert only_2022.add_workdays(D(2022, 12, 30), 0) == D(2022, 12, 30)
    with pytest.raises(CalendarError, match="no official working-day data for 2023"):
        only_2022.add_workdays(D(2022, 12, 31), 0)
    only_2023 = WorkCalendar.from_days(years=[2023])
    assert only_2023.add_workdays(D(2023, 1, 3), -1) == D(2023, 1, 2)
    with pytest.raises(CalendarError, match="no official working-day data for 2022"):
        only_2023.add_workdays(D(2023, 1, 2), -1)


def test_answers_stop_at_the_last_date_python_supports() -> None:
    """Fri 9999-12-31 is reachable; one working day more is a CalendarError, not a crash."""
    assert ONLY_2025.add_workdays(D(9999, 12, 30), 1) == D(9999, 12, 31)
    with pytest.raises(CalendarError, match="outside the dates Python supports"):
        ONLY_2025.add_workdays(D(9999, 12, 31), 1)


def test_a_calendar_without_any_data_counts_weekends() -> None:
    """No years and no days: every answer is the weekend rule (provisional)."""
    empty = WorkCalendar.from_days(years=[], provisional=True)
    assert empty.workdays_between(D(2025, 1, 3), D(2025, 1, 6)) == 1  # Fri -> Mon
    assert empty.add_workdays(D(2025, 1, 3), 1) == D(2025, 1, 6)


def test_workdays_between_on_a_fresh_calendar() -> None:
    """The first question a new calendar gets may be workdays_between (index built then)."""
    fresh = WorkCalendar.from_days(years=[2025], holidays={D(2025, 1, 1): "元旦"})
    assert fresh.workdays_between(D(2024, 12, 31), D(2025, 1, 3)) == 2  # 1/1 off


# --------------------------------------------------------------------------- years and days


def test_year_reports_take_years_1_to_9999_only() -> None:
    """Year 1 is answered on a provisional calendar; 0 and 10000 are refused, as is text."""
    assert ONLY_2025.year_report(1).workdays == 261
    assert len(ONLY_2025.non_working_days(1, include_weekends=True)) == 104
    for year in (0, 10000):
        with pytest.raises(ValueError, match="between 1 and 9999"):
            ONLY_2025.non_working_days(year)
    with pytest.raises(TypeError, match="year must be an int"):
        CN.non_working_days("2025")  # type: ignore[arg-type]


def test_plain_days_are_described_in_one_word() -> None:
    """An ordinary Tuesday is a "workday", an ordinary Saturday a "weekend"."""
    assert CN.describe(D(2025, 3, 4)).reason == "workday"
    assert CN.describe(D(2025, 3, 8)).reason == "weekend"


# --------------------------------------------------------------------------- overlays


@pytest.mark.parametrize("name", ["  ", 5, None])
def test_an_overlay_day_needs_a_name(name: object) -> None:
    """A blank or non-text name is refused with the same clear message."""
    with pytest.raises(ValueError, match=r"OverlayDay\.name must be a non-empty string"):
        OverlayDay(D(2026, 4, 20), name)  # type: ignore[arg-type]


def test_an_overlay_date_written_as_a_number_is_an_issue() -> None:
    """``date: 5`` is reported at its position with what to write, not a crash."""
    overlay, issues = parse_overlay(
        "kind: calendar_overlay\nname: x\ndays_off: [{date: 5, name: a}]\n"
    )
    assert overlay is None
    assert [(i.code, i.message) for i in issues] == [
        (
            "overlay-bad-date",
            "days_off[0].date must be a date written YYYY-MM-DD (got 5 (a number))",
        )
    ]


def test_a_day_both_off_and_closed_is_named_in_both_lists() -> None:
    """A day in two lists of days off is a conflict naming both lists."""
    text = (
        "kind: calendar_overlay\nname: x\n"
        "days_off: [{date: 2026-04-20, name: a}]\nclosures: [{date: 2026-04-20, name: b}]\n"
    )
    overlay, issues = parse_overlay(text)
    assert overlay is None
    assert [(i.code, i.message) for i in issues] == [
        ("overlay-conflict", "2026-04-20 is in both 'days_off' and 'closures'")
    ]


# --------------------------------------------------------------------------- second run (seed 2025)


def test_counting_forward_checks_the_first_day_after_the_start() -> None:
    """With data for 2023 only, 1 WD from Fri 2022-12-30 depends on Sat 2022-12-31 (was
    it a make-up day?), a day without data: refused, although the answer is in 2023."""
    only_2023 = WorkCalendar.from_days(years=[2023])
    with pytest.raises(CalendarError, match="no official working-day data for 2022"):
        only_2023.add_workdays(D(2022, 12, 30), 1)


def test_a_calendar_without_years_says_it_covers_none() -> None:
    """The refusal names what the calendar covers: no year at all."""
    with pytest.raises(CalendarError, match="covers no year"):
        WorkCalendar.from_days(years=[]).add_workdays(D(2025, 1, 3), 1)


def test_workdays_between_refuses_a_datetime_by_name() -> None:
    """A datetime where a day is meant is the caller's bug, named by argument."""
    with pytest.raises(TypeError, match=r"^a must be a datetime\.date"):
        CN.workdays_between(datetime(2025, 3, 3, 9), D(2025, 3, 10))  # type: ignore[arg-type]


def test_year_9999_is_the_last_year_and_every_day_of_a_year_is_reported() -> None:
    """9999 is a year like any other; a year's days run to 31 December."""
    assert ONLY_2025.year_report(9999).workdays == 261  # 9999-01-01 is a Friday
    days = ONLY_2025.non_working_days(2022, include_weekends=True)
    assert (days[0].date, days[-1].date) == (D(2022, 1, 1), D(2022, 12, 31))  # Sat .. Sat


def test_a_calendar_is_only_equal_to_a_calendar() -> None:
    """Comparing with something else is not an error, just unequal."""
    assert CN != "cn"
    assert (CN == 5) is False
    assert WorkCalendar.china() == CN


# --------------------------------------------------------------------------- the provisional bounds


def test_a_thursday_holiday_takes_the_friday_and_keeps_its_saturday() -> None:
    """元旦 2032 falls on a Thursday: the swap principles give Thu-Sat off, Friday 01-02
    being the extra (projected) day.  In the earliest estimate that Friday is worked (a
    plain workday, not a holiday), but Saturday 01-03 belongs to the block and is never
    a make-up candidate; the candidates start on Sunday 01-04."""
    earliest = PROVISIONAL.earliest
    friday = earliest.describe(D(2032, 1, 2))
    assert (friday.is_workday, friday.kind, friday.layer) == (
        True,
        DayKind.WORKDAY,
        Layer.PROJECTED,
    )
    saturday = earliest.describe(D(2032, 1, 3))
    assert (saturday.is_workday, saturday.kind, saturday.layer) == (False, DayKind.WEEKEND, None)
    assert PROVISIONAL.latest.describe(D(2032, 1, 2)).is_workday is False


def test_mid_autumn_inside_the_national_day_week_is_one_block() -> None:
    """中秋 2028 is Tue 10-03, inside 国庆: one 8-day block 10-01..10-08.  Its weekend
    days (Sat 10-07, Sun 10-08) are off in every estimate, never make-up candidates."""
    for calendar in (PROVISIONAL.earliest, PROVISIONAL, PROVISIONAL.latest):
        for day in (D(2028, 10, 7), D(2028, 10, 8)):
            assert calendar.describe(day).layer is None
            assert not calendar.is_workday(day)


def test_the_table_file_is_read_strictly() -> None:
    """statutory_days.txt: comments and blank lines skipped; a festival without a name
    or without days, or a year listed twice, is refused with its line number."""
    text = "# 节日表\n\n2030 元旦=01-01 中秋=09-12,09-13\n"
    assert parse_table(text) == {
        2030: (
            Festival("元旦", (D(2030, 1, 1),)),
            Festival("中秋", (D(2030, 9, 12), D(2030, 9, 13))),
        )
    }
    for bad, where in [
        ("2030 =01-01\n", ":1: cannot read"),
        ("# c\n2030 中秋=\n", ":2: cannot read"),
        ("2030 元旦=01-01\n2030 中秋=09-12\n", ":2: year 2030 listed twice"),
    ]:
        with pytest.raises(ValueError, match=where):
            parse_table(bad)


def test_the_shipped_table_is_what_the_generator_makes(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m approval_rules.workdays.generate --check`` passes: the table is fresh."""
    assert generate.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


# --------------------------------------------------------------------------- overlay messages


def test_an_overlay_that_is_a_list_is_a_wrong_type() -> None:
    """A YAML list where a mapping is expected is reported, not a crash."""
    overlay, issues = parse_overlay("- a\n- b\n")
    assert overlay is None
    assert [(i.code, i.message, i.hint) for i in issues] == [
        ("wrong-type", "a calendar overlay must be a mapping of keys (got a list)", None)
    ]


def test_overlay_messages_name_the_place() -> None:
    """A key at the top is "in the overlay"; a date twice in one list says which list."""
    _, issues = parse_overlay("kind: calendar_overlay\nname: x\nbogus: 1\n")
    assert issues[0].message == "unknown key 'bogus' in the overlay"
    _, issues = parse_overlay(
        "kind: calendar_overlay\nname: x\ndays_off: [2026-04-20, 2026-04-20]\n"
    )
    assert issues[0].message == "2026-04-20 is listed twice in 'days_off'"


def test_an_overlay_with_a_yaml_error_gives_no_overlay() -> None:
    """A duplicate key is an error of the text itself: no overlay comes back."""
    overlay, issues = parse_overlay(
        "kind: calendar_overlay\nname: x\nname: y\ndays_off: [2026-04-20]\n"
    )
    assert overlay is None
    assert [i.code for i in issues] == ["duplicate-key"]
