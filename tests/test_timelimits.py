"""The law's period rules: worked examples, errors and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from approval_rules.errors import CalendarError
from approval_rules.testing import PeriodSpec, clock_stops, dates, period_specs
from approval_rules.timelimits import (
    CHINA_TZ,
    LAW_STOP_KINDS,
    ClockStop,
    OfficeHours,
    TimeUnit,
    acceptance_date,
    calendar_days_due,
    certificate_due,
    check_extension,
    check_stops,
    correction_notice_due,
    decision_due,
    due_date,
    due_datetime,
    explain_deadline,
    extension_days,
    green_channel_days,
    lower_level_review_due,
    progress,
)
from approval_rules.workdays import WorkCalendar

CN = WorkCalendar.china()
D = date
ONE = timedelta(days=1)


def hearing(start: date, end: date) -> ClockStop:
    return ClockStop("hearing", start, end, notice="听证告知书 2025-001")


# --------------------------------------------------------------------------- reference


def ref_due(cal: WorkCalendar, start: date, n: int, stops: tuple[ClockStop, ...] = ()) -> date:
    """Walk day by day: count working days after start that no stop covers."""

    def counted(d: date) -> bool:
        return cal.is_workday(d) and not any(s.start <= d <= s.end for s in stops)

    d = start
    if n == 0:
        while not counted(d):
            d += ONE
        return d
    left = n
    while left:
        d += ONE
        left -= counted(d)
    return d


# --------------------------------------------------------------------------- DOMAIN.md §2


def test_worked_example_deemed_acceptance() -> None:
    """Received Fri 2025-09-26, no notice by the 5th WD: accepted that day, due 10-30/11-13."""
    received = D(2025, 9, 26)
    assert correction_notice_due(CN, received) == D(2025, 10, 10)
    accepted = acceptance_date(CN, received, notice_issued=None, corrected=None)
    assert accepted == received
    assert decision_due(CN, accepted) == D(2025, 10, 30)
    assert decision_due(CN, accepted, extended=True) == D(2025, 11, 13)
    assert decision_due(CN, accepted, joint=True) == D(2025, 12, 4)
    assert decision_due(CN, accepted, joint=True, extended=True) == D(2025, 12, 25)
    assert certificate_due(CN, D(2025, 10, 30)) == D(2025, 11, 13)


def test_worked_example_spring_festival() -> None:
    """Accepted Fri 2026-02-13: 20 WD -> 2026-03-19, a 7-WD statutory limit -> 2026-03-02."""
    assert decision_due(CN, D(2026, 2, 13)) == D(2026, 3, 19)
    assert decision_due(CN, D(2026, 2, 13), statutory_days=7) == D(2026, 3, 2)


def test_worked_example_hearing_stop() -> None:
    """Accepted 2025-03-03 with a hearing 03-10..03-21: due 2025-04-15, not 03-31."""
    stop = hearing(D(2025, 3, 10), D(2025, 3, 21))
    assert decision_due(CN, D(2025, 3, 3)) == D(2025, 3, 31)
    assert decision_due(CN, D(2025, 3, 3), stops=[stop]) == D(2025, 4, 15)
    assert due_date(CN, D(2025, 3, 3), 20, stops=[stop]) == D(2025, 4, 15)


# --------------------------------------------------------------------------- Art. 32


def test_notice_in_time_moves_acceptance_to_the_corrections() -> None:
    """A notice within 5 WD makes acceptance the day corrected materials arrive."""
    received = D(2025, 9, 26)
    assert acceptance_date(
        CN, received, notice_issued=D(2025, 10, 10), corrected=D(2025, 10, 20)
    ) == D(2025, 10, 20)
    # On-the-spot notice.
    assert acceptance_date(CN, received, notice_issued=received, corrected=D(2025, 9, 29)) == D(
        2025, 9, 29
    )


def test_late_notice_does_not_undo_deemed_acceptance() -> None:
    """A notice after the 5th working day counts for nothing: accepted on receipt."""
    received = D(2025, 9, 26)
    late = D(2025, 10, 11)  # make-up Saturday, 6th working day
    assert acceptance_date(CN, received, notice_issued=late, corrected=D(2025, 10, 20)) == received


def test_acceptance_pending_and_impossible_orders_raise() -> None:
    """No corrections yet after a timely notice, or dates out of order, raise CalendarError."""
    received = D(2025, 9, 26)
    with pytest.raises(CalendarError, match="corrected"):
        acceptance_date(CN, received, notice_issued=D(2025, 9, 29), corrected=None)
    with pytest.raises(CalendarError, match="before the materials"):
        acceptance_date(CN, received, notice_issued=D(2025, 9, 25), corrected=None)
    with pytest.raises(CalendarError, match="before the correction notice"):
        acceptance_date(CN, received, notice_issued=D(2025, 9, 29), corrected=D(2025, 9, 28))


@given(received=dates(), notice_after=st.none() | st.integers(0, 15), delay=st.integers(0, 30))
def test_deemed_acceptance_is_never_after_receipt(
    received: date, notice_after: int | None, delay: int
) -> None:
    """Without a timely notice, acceptance is the receipt day, never later."""
    notice = None if notice_after is None else CN.add_workdays(received, notice_after)
    window = correction_notice_due(CN, received)
    if notice is None or notice > window:
        got = acceptance_date(CN, received, notice_issued=notice, corrected=None)
        assert got == received
    else:
        corrected = notice + timedelta(days=delay)
        assert acceptance_date(CN, received, notice_issued=notice, corrected=corrected) == corrected
    assert window == CN.add_workdays(received, 5)


# --------------------------------------------------------------------------- Art. 42-45


def test_extension_lengths() -> None:
    """10 WD, 15 WD for joint handling, or the matter's own."""
    assert extension_days(joint=False) == 10
    assert extension_days(joint=True) == 15
    assert extension_days(joint=False, declared=3) == 3
    assert decision_due(
        CN, D(2026, 3, 2), statutory_days=3, extended=True, declared_extension=3
    ) == (CN.add_workdays(D(2026, 3, 2), 6))


def test_lower_level_review() -> None:
    """Art. 43: 20 WD from the lower office's acceptance, or its own law's period."""
    assert lower_level_review_due(CN, D(2026, 2, 13)) == D(2026, 3, 19)
    assert lower_level_review_due(CN, D(2026, 2, 13), days=7) == D(2026, 3, 2)


def test_only_one_extension_granted_in_time() -> None:
    """A second extension, or one granted after the deadline, is refused."""
    check_extension(
        CN, deadline=D(2025, 10, 30), granted_on=D(2025, 10, 30), already_extended=False
    )
    with pytest.raises(CalendarError, match="one extension"):
        check_extension(
            CN, deadline=D(2025, 10, 30), granted_on=D(2025, 10, 20), already_extended=True
        )
    with pytest.raises(CalendarError, match="after the deadline"):
        check_extension(
            CN, deadline=D(2025, 10, 30), granted_on=D(2025, 10, 31), already_extended=False
        )


def test_stops_out_of_order_or_overlapping_are_refused() -> None:
    """Overlapping or unsorted stops raise instead of being merged."""
    a = hearing(D(2025, 3, 10), D(2025, 3, 21))
    b = ClockStop("testing", D(2025, 3, 20), D(2025, 3, 25))
    c = ClockStop("testing", D(2025, 3, 1), D(2025, 3, 5))
    with pytest.raises(CalendarError, match="overlaps"):
        due_date(CN, D(2025, 3, 3), 20, stops=[a, b])
    with pytest.raises(CalendarError, match="comes before"):
        due_date(CN, D(2025, 3, 3), 20, stops=[a, c])
    with pytest.raises(CalendarError, match="ends"):
        ClockStop("hearing", D(2025, 3, 10), D(2025, 3, 9))
    check_stops([c, a])  # adjacent or apart and in order is fine


def test_stops_before_the_start_or_after_the_end_change_nothing() -> None:
    """Stop days on or before the start, or after the due date, are ignored."""
    start = D(2025, 3, 3)
    before = ClockStop("hearing", D(2025, 2, 20), D(2025, 3, 3))
    after = ClockStop("testing", D(2025, 4, 1), D(2025, 4, 30))
    assert due_date(CN, start, 20, stops=[before, after]) == D(2025, 3, 31)
    straddling = ClockStop("hearing", D(2025, 2, 24), D(2025, 3, 4))  # only 3/4 counts
    assert due_date(CN, start, 20, stops=[straddling]) == D(2025, 4, 1)


def test_law_stop_kinds() -> None:
    """Art. 45 lists eight activities."""
    assert {
        "hearing",
        "tendering",
        "auction",
        "inspection",
        "testing",
        "quarantine",
        "appraisal",
        "expert_review",
    } == LAW_STOP_KINDS


def test_bad_arguments() -> None:
    """Negative counts and datetimes are refused as misuse."""
    with pytest.raises(ValueError, match="working_days"):
        due_date(CN, D(2025, 3, 3), -1)
    with pytest.raises(TypeError):
        due_date(CN, datetime(2025, 3, 3, 9), 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        due_date(CN, D(2025, 3, 3), 5.0)  # type: ignore[arg-type]


def test_immediate_period() -> None:
    """0 WD: the day itself if working, else the next working day; stops push it past them."""
    assert due_date(CN, D(2025, 10, 9), 0) == D(2025, 10, 9)
    assert due_date(CN, D(2025, 10, 4), 0) == D(2025, 10, 9)
    stop = ClockStop("inspection", D(2025, 10, 9), D(2025, 10, 10))
    assert due_date(CN, D(2025, 10, 4), 0, stops=[stop]) == D(2025, 10, 11)


# --------------------------------------------------------------------------- green channel


@pytest.mark.parametrize(
    ("promised", "reduction", "expected"),
    [(20, 0.5, 10), (7, 0.5, 3), (1, 0.5, 1), (0, 0.5, 0), (10, 0.7, 3), (10, 0.9, 1), (3, 0, 3)],
)
def test_green_channel_days(promised: int, reduction: float, expected: int) -> None:
    """Reduced, rounded down (the applicant's favour), never below one day."""
    assert green_channel_days(promised, reduction) == expected


def test_green_channel_refuses_bad_ratios() -> None:
    """The reduction must be in [0, 1)."""
    for bad in (1, 1.5, -0.1):
        with pytest.raises(ValueError, match="reduction"):
            green_channel_days(10, bad)
    assert green_channel_days(10, Fraction(1, 3)) == 6
    assert green_channel_days(10, Decimal("0.7")) == 3
    with pytest.raises(ValueError, match="reduction"):
        green_channel_days(10, float("nan"))


@given(
    start=dates(),
    statutory=st.integers(1, 45),
    promised_cut=st.integers(0, 44),
    ratio=st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.9, 0.95]),
)
def test_green_not_after_normal_not_after_statutory(
    start: date, statutory: int, promised_cut: int, ratio: float
) -> None:
    """green-channel deadline ≤ promised deadline ≤ statutory deadline."""
    promised = max(1, statutory - promised_cut)
    green = green_channel_days(promised, ratio)
    assert 1 <= green <= promised
    dues = [due_date(CN, start, days) for days in (green, promised, statutory)]
    assert dues == sorted(dues)
    assert dues == [ref_due(CN, start, days) for days in (green, promised, statutory)]


# --------------------------------------------------------------------------- properties


@given(spec=period_specs())
def test_due_date_matches_the_reference(spec: PeriodSpec) -> None:
    """due_date equals the day-by-day walk, with stops and extension."""
    total = spec.working_days + spec.extension
    expected = ref_due(spec.calendar, spec.start, total, tuple(spec.stops))
    if total == 0:
        assume(not spec.stops)  # the walk's "n = 0" does not skip stops the same way
    assert spec.due() == expected


@given(start=dates(), n=st.integers(1, 40), data=st.data())
def test_a_stop_of_k_working_days_moves_the_deadline_by_k(
    start: date, n: int, data: st.DataObject
) -> None:
    """A stop starting by the due date, holding k working days, moves it by exactly k."""
    plain = due_date(CN, start, n)
    first = data.draw(st.dates(min_value=start + ONE, max_value=plain))
    last = first + timedelta(days=data.draw(st.integers(0, 30)))
    k = CN.workdays_between(first - ONE, last)
    stopped = due_date(CN, start, n, stops=[ClockStop("testing", first, last)])
    assert stopped == CN.add_workdays(plain, k)
    assert CN.workdays_between(plain, stopped) == k
    assert stopped == ref_due(CN, start, n, (ClockStop("testing", first, last),))


@given(start=dates(), n=st.integers(1, 40), which=st.integers(0, 20))
def test_a_stop_on_non_working_days_moves_nothing(start: date, n: int, which: int) -> None:
    """A stop lying wholly on weekends or holidays does not change the deadline."""
    plain = due_date(CN, start, n)
    off = [d for d in (start + ONE * i for i in range(1, 60)) if not CN.is_workday(d)]
    day = off[which % len(off)]
    last = day
    while not CN.is_workday(last + ONE):
        last += ONE
    stop = ClockStop("hearing", day, last)
    assert due_date(CN, start, n, stops=[stop]) == plain
    assert ref_due(CN, start, n, (stop,)) == plain


@given(spec=period_specs(), e=st.integers(0, 15))
def test_an_extension_of_e_moves_the_deadline_by_e(spec: PeriodSpec, e: int) -> None:
    """Adding an extension of e working days moves the due date by exactly e counted days."""
    assume(spec.working_days > 0)
    base = due_date(spec.calendar, spec.start, spec.working_days, stops=spec.stops)
    longer = due_date(spec.calendar, spec.start, spec.working_days, stops=spec.stops, extension=e)
    assert longer == ref_due(spec.calendar, spec.start, spec.working_days + e, tuple(spec.stops))
    assert longer >= base
    if not spec.stops:
        assert spec.calendar.workdays_between(base, longer) == e


@given(spec=period_specs(), offset=st.integers(-5, 120))
def test_progress_is_consistent(spec: PeriodSpec, offset: int) -> None:
    """elapsed + remaining = total; on the due day nothing remains; after it, overdue."""
    total = spec.working_days + spec.extension
    at = spec.start + timedelta(days=offset)
    p = progress(
        spec.calendar, spec.start, spec.working_days, at, stops=spec.stops, extension=spec.extension
    )
    assert p.due == spec.due()
    assert p.elapsed + p.remaining == total
    assert p.overdue == (at > p.due)
    assert not p.provisional
    if total and at == p.due:
        assert p.remaining == 0
        assert p.fraction_used == 1.0
    if at < p.due:
        assert p.remaining > 0 or total == 0
    counted = sum(
        1
        for i in range(1, max(offset, 0) + 1)
        if spec.calendar.is_workday(d := spec.start + ONE * i)
        and not any(s.start <= d <= s.end for s in spec.stops if s.start <= p.due)
    )
    if total:
        assert p.elapsed == counted


def test_progress_example() -> None:
    """20 WD from 2025-09-26 on 2025-10-09: 4 used, 16 left."""
    p = progress(CN, D(2025, 9, 26), 20, D(2025, 10, 9))
    assert (p.elapsed, p.remaining, p.fraction_used, p.overdue) == (4, 16, 0.2, False)
    late = progress(CN, D(2025, 9, 26), 20, D(2025, 10, 31))
    assert (late.remaining, late.overdue) == (-1, True)
    stopped = progress(
        CN, D(2025, 3, 3), 20, D(2025, 3, 21), stops=[hearing(D(2025, 3, 10), D(2025, 3, 21))]
    )
    assert stopped.elapsed == 4
    assert stopped.due == D(2025, 4, 15)


def test_progress_is_marked_provisional_beyond_the_data() -> None:
    """A period reaching 2027 on a provisional calendar is marked provisional."""
    cal = WorkCalendar.china(provisional=True)
    p = progress(cal, D(2026, 12, 1), 45, D(2026, 12, 10))
    assert p.provisional
    with pytest.raises(CalendarError):
        progress(CN, D(2026, 12, 1), 45, D(2026, 12, 10))


# --------------------------------------------------------------------------- explain


@given(spec=period_specs())
def test_explanation_agrees_with_due_date(spec: PeriodSpec) -> None:
    """The explanation ends on the due date and numbers exactly N counted days."""
    total = spec.working_days + spec.extension
    days = explain_deadline(
        spec.calendar, spec.start, spec.working_days, stops=spec.stops, extension=spec.extension
    )
    assert days[0].date == spec.start
    assert days[0].reason == "start"
    assert days[-1].date == spec.due()
    numbers = [d.number for d in days if d.counted]
    if total:
        assert numbers == list(range(1, total + 1))
    assert all(d.reason != "clock_stop" or not d.counted for d in days)


def test_explanation_names_holidays_and_stops() -> None:
    """Each skipped day carries its reason in plain words."""
    days = explain_deadline(CN, D(2025, 9, 26), 5)
    texts = {d.date: d.text for d in days}
    assert texts[D(2025, 9, 26)] == "start day (not counted)"
    assert texts[D(2025, 9, 27)] == "skipped: weekend"
    assert texts[D(2025, 9, 28)] == "day 1: make-up workday (国庆节)"
    assert texts[D(2025, 10, 6)] == "skipped: holiday 中秋"
    assert texts[D(2025, 10, 10)] == "day 5: workday"
    stopped = explain_deadline(
        CN, D(2025, 3, 3), 20, stops=[hearing(D(2025, 3, 10), D(2025, 3, 21))]
    )
    assert {d.text for d in stopped if d.reason == "clock_stop"} == {"skipped: clock stop hearing"}


# --------------------------------------------------------------------------- calendar days, hours


def test_calendar_days_end_on_the_next_working_day_after_a_holiday() -> None:
    """民法典 Art. 203: a last day falling on a day off moves to the next working day."""
    assert calendar_days_due(CN, D(2026, 2, 13), 7) == D(2026, 2, 24)
    assert calendar_days_due(CN, D(2026, 3, 2), 3) == D(2026, 3, 5)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=CHINA_TZ)


MON = D(2025, 9, 29)
TUE = D(2025, 9, 30)


@pytest.mark.parametrize(
    ("start", "value", "unit", "expected"),
    [
        (at(MON, 16), 2, TimeUnit.HOURS, at(TUE, 9, 30)),
        (at(MON, 10), 2, TimeUnit.HOURS, at(MON, 12)),
        (at(MON, 10), 3, TimeUnit.HOURS, at(MON, 14, 30)),
        (at(MON, 20), 1, TimeUnit.HOURS, at(TUE, 10)),
        (at(MON, 12, 30), 0, TimeUnit.HOURS, at(MON, 13, 30)),
        (at(MON, 10), 1, TimeUnit.HALF_DAYS, at(MON, 17, 30)),
        (at(MON, 8, 30), 1, TimeUnit.HALF_DAYS, at(MON, 12)),
        (at(MON, 9), 1, TimeUnit.HALF_DAYS, at(MON, 12)),
        (at(MON, 16), 1, TimeUnit.HALF_DAYS, at(TUE, 12)),
        (at(MON, 10), 0, TimeUnit.HALF_DAYS, at(MON, 12)),
        (at(MON, 10), 0, TimeUnit.WORKING_DAYS, at(MON, 17, 30)),
        (at(MON, 18), 0, TimeUnit.WORKING_DAYS, at(TUE, 17, 30)),
        (at(MON, 10), 1, TimeUnit.WORKING_DAYS, at(TUE, 17, 30)),
        # Tue 9/30 afternoon + 2 half days: 国庆 10/1-10/8 off -> Thu 10/9 afternoon.
        (at(TUE, 14), 2, TimeUnit.HALF_DAYS, at(D(2025, 10, 9), 17, 30)),
        (at(D(2026, 2, 13), 9), 7, TimeUnit.CALENDAR_DAYS, at(D(2026, 2, 24), 17, 30)),
    ],
)
def test_due_datetime(start: datetime, value: int, unit: TimeUnit, expected: datetime) -> None:
    """Half days are office sessions, hours run in office time, days end at closing."""
    assert due_datetime(CN, start, value, unit) == expected


def test_due_datetime_reads_other_zones_and_refuses_naive() -> None:
    """A UTC start is read in Beijing time; a naive datetime is refused."""
    utc_start = datetime(2025, 9, 29, 8, 0, tzinfo=UTC)  # 16:00 in Beijing
    assert due_datetime(CN, utc_start, 2, "hours") == at(TUE, 9, 30)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone-aware"):
        due_datetime(CN, datetime(2025, 9, 29, 16), 2, TimeUnit.HOURS)
    with pytest.raises(ValueError, match="office hours"):
        OfficeHours(morning=(time(12), time(9)))


def test_custom_office_hours() -> None:
    """Offices with other hours count against their own sessions."""
    hours = OfficeHours(morning=(time(8, 30), time(12)), afternoon=(time(14), time(18)))
    assert due_datetime(CN, at(MON, 11), 2, TimeUnit.HOURS, hours) == at(MON, 15)


@given(spec=period_specs(), data=st.data())
def test_clock_stops_strategy_is_valid(spec: PeriodSpec, data: st.DataObject) -> None:
    """The public clock_stops strategy yields sorted, non-overlapping stops after start."""
    stops = data.draw(clock_stops(spec.calendar, spec.start))
    check_stops(stops)
    assert all(s.start > spec.start for s in stops)
