"""Period rules on a provisional calendar: Due bounds, the party policy, one calendar error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from approval_rules.errors import CalendarError, CalendarNotPublished
from approval_rules.timelimits import (
    CHINA_TZ,
    ClockStop,
    Due,
    Party,
    TimeUnit,
    acceptance_date,
    bounds,
    calendar_days_due,
    certificate_due,
    check_extension,
    correction_notice_due,
    decision_due,
    due_bounds,
    due_date,
    due_datetime,
    explain_deadline,
    lower_level_review_due,
    progress,
)
from approval_rules.workdays import Estimate, WorkCalendar

CN = WorkCalendar.china()
PROVISIONAL = WorkCalendar.china(provisional=True)
D = date
ONE = timedelta(days=1)


# --------------------------------------------------------------------------- Due


def test_due_holds_ordered_dates_and_picks_by_party() -> None:
    """A Due is earliest ≤ best ≤ latest; the agency reads the earliest, the applicant the
    latest."""
    due = Due(D(2027, 2, 25), D(2027, 2, 17), D(2027, 3, 1), True)
    assert due.for_party(Party.AGENCY) == D(2027, 2, 17)
    assert due.for_party(Party.APPLICANT) == D(2027, 3, 1)
    assert due.get(Estimate.BEST) == D(2027, 2, 25)
    assert not due.exact
    assert due.to_dict() == {
        "due": "2027-02-25",
        "earliest": "2027-02-17",
        "latest": "2027-03-01",
        "provisional": True,
    }
    assert Due(D(2026, 3, 19), D(2026, 3, 19), D(2026, 3, 19), False).exact
    with pytest.raises(ValueError, match="earliest <= best <= latest"):
        Due(D(2027, 2, 25), D(2027, 2, 26), D(2027, 3, 1), True)
    with pytest.raises(TypeError):
        Due(datetime(2027, 2, 25), D(2027, 2, 17), D(2027, 3, 1), True)  # type: ignore[arg-type]
    assert Party.AGENCY.estimate is Estimate.EARLIEST
    assert Party.APPLICANT.calendar(PROVISIONAL) is PROVISIONAL.latest


def test_twenty_working_days_from_2026_12_04() -> None:
    """The issue's case: 2027-01-04 on every estimate (元旦 is certain), flagged."""
    due = due_bounds(PROVISIONAL, D(2026, 12, 4), 20)
    assert due == Due(D(2027, 1, 4), D(2027, 1, 4), D(2027, 1, 4), True)
    with pytest.raises(CalendarNotPublished):
        due_bounds(CN, D(2026, 12, 4), 20)


def test_a_period_across_spring_festival_2027_has_a_range() -> None:
    """20 WD from Fri 2027-01-22: law 02-25; 8 candidate weekend days → 02-17; 02-11 and
    02-12 off → 03-01."""
    due = due_bounds(PROVISIONAL, D(2027, 1, 22), 20)
    assert (due.best, due.earliest, due.latest, due.provisional) == (
        D(2027, 2, 25), D(2027, 2, 17), D(2027, 3, 1), True
    )  # fmt: skip
    assert due.best == due_date(PROVISIONAL, D(2027, 1, 22), 20)


def test_on_a_strict_calendar_the_rule_runs_once_and_bounds_collapse() -> None:
    """Official years need one computation; the three dates coincide, not provisional."""
    calls: list[WorkCalendar] = []

    def rule(cal: WorkCalendar) -> date:
        calls.append(cal)
        return due_date(cal, D(2026, 2, 13), 20)

    assert bounds(CN, D(2026, 2, 13), rule) == Due(
        D(2026, 3, 19), D(2026, 3, 19), D(2026, 3, 19), False
    )
    assert calls == [CN]
    calls.clear()
    assert not bounds(PROVISIONAL, D(2026, 2, 13), rule).provisional
    assert calls == [PROVISIONAL.best, PROVISIONAL.earliest, PROVISIONAL.latest]


# --------------------------------------------------------------------------- the policy


def test_agency_obligations_default_to_the_earliest_date() -> None:
    """decision, review, certificate, correction notice: the office plans on the earliest."""
    start = D(2027, 1, 22)
    full = due_bounds(PROVISIONAL, start, 20)
    assert decision_due(PROVISIONAL, start) == full.earliest
    assert lower_level_review_due(PROVISIONAL, start) == full.earliest
    assert certificate_due(PROVISIONAL, start) == due_bounds(PROVISIONAL, start, 10).earliest
    assert correction_notice_due(PROVISIONAL, start) == due_bounds(PROVISIONAL, start, 5).earliest
    # On a pinned variant the function answers as given, so bounds() gives the whole Due.
    assert bounds(PROVISIONAL, start, lambda c: decision_due(c, start)) == full
    # On official years nothing changes.
    assert decision_due(CN, D(2025, 9, 26)) == D(2025, 10, 30)
    assert certificate_due(CN, D(2025, 10, 30)) == D(2025, 11, 13)


def test_an_applicants_window_is_held_to_the_latest_date() -> None:
    """A correction period of 10 WD from 2027-01-29 ends for the applicant on the latest."""
    due = due_bounds(PROVISIONAL, D(2027, 1, 29), 10)
    # 02-01..04, then 02-11 and 02-12 probably off: 02-15..19 and Mon 02-22
    assert due.for_party(Party.APPLICANT) == due.latest == D(2027, 2, 22)
    assert due.earliest < due.best < due.latest


def test_deemed_acceptance_is_judged_against_the_earliest_notice_deadline() -> None:
    """Received Fri 2027-01-29: the 5-WD notice window ends 02-03 at the earliest (Sat 01-30
    and Sun 01-31 may be make-up days), 02-11 by the law.  A notice on 02-04 may be late,
    so the application counts as accepted on receipt (Art. 32: in doubt, for the applicant)."""
    received = D(2027, 1, 29)
    window = due_bounds(PROVISIONAL, received, 5)
    assert (window.earliest, window.best, window.latest) == (
        D(2027, 2, 3), D(2027, 2, 11), D(2027, 2, 15)
    )  # fmt: skip
    in_time = acceptance_date(
        PROVISIONAL, received, notice_issued=D(2027, 2, 3), corrected=D(2027, 2, 20)
    )
    assert in_time == D(2027, 2, 20)
    maybe_late = acceptance_date(
        PROVISIONAL, received, notice_issued=D(2027, 2, 4), corrected=D(2027, 2, 20)
    )
    assert maybe_late == received


# --------------------------------------------------------------------------- properties


@given(
    start=st.dates(min_value=D(2026, 9, 1), max_value=D(2028, 12, 31)),
    n=st.integers(0, 60),
    stop_at=st.integers(0, 40),
    stop_len=st.integers(0, 20),
    extension=st.sampled_from([0, 10, 15]),
)
@example(start=D(2027, 1, 22), n=20, stop_at=5, stop_len=3, extension=0)
@example(start=D(2027, 9, 24), n=7, stop_at=0, stop_len=0, extension=10)
def test_due_bounds_are_ordered_with_stops_and_extensions(
    start: date, n: int, stop_at: int, stop_len: int, extension: int
) -> None:
    """earliest ≤ best ≤ latest for any period, with a clock stop and an extension."""
    stop = ClockStop("hearing", start + stop_at * ONE, start + (stop_at + stop_len) * ONE)
    due = due_bounds(PROVISIONAL, start, n, stops=[stop], extension=extension)
    assert due.earliest <= due.best <= due.latest
    assert due.best == due_date(PROVISIONAL, start, n, stops=[stop], extension=extension)
    assert due.provisional == PROVISIONAL.is_provisional(start, due.latest)


@given(start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 10, 31)), n=st.integers(0, 40))
def test_due_bounds_collapse_on_official_years(start: date, n: int) -> None:
    """Where the notice is known the bounds are the official date, not provisional."""
    due = due_bounds(PROVISIONAL, start, n)
    if due.latest.year <= 2026:
        assert due.exact
        assert not due.provisional
        assert due.best == due_date(CN, start, n)


# --------------------------------------------------------------------------- one error

AT = datetime(2026, 12, 31, 16, 0, tzinfo=CHINA_TZ)
LATE = D(2026, 12, 20)
CALLS: dict[str, Callable[[], object]] = {
    "is_workday": lambda: CN.is_workday(D(2027, 1, 4)),
    "describe": lambda: CN.describe(D(2027, 1, 4)),
    "add_workdays": lambda: CN.add_workdays(LATE, 20),
    "next_workday": lambda: CN.next_workday(D(2026, 12, 31)),
    "previous_workday": lambda: CN.previous_workday(D(2027, 1, 4)),
    "workdays_between": lambda: CN.workdays_between(LATE, D(2027, 1, 4)),
    "named_days": lambda: CN.named_days(LATE, D(2027, 1, 4)),
    "non_working_days": lambda: CN.non_working_days(2027),
    "year_report": lambda: CN.year_report(2027),
    "due_date": lambda: due_date(CN, LATE, 20),
    "due_bounds": lambda: due_bounds(CN, LATE, 20),
    "bounds": lambda: bounds(CN, LATE, lambda c: c.add_workdays(LATE, 20)),
    "calendar_days_due": lambda: calendar_days_due(CN, LATE, 15),
    "correction_notice_due": lambda: correction_notice_due(CN, D(2026, 12, 28)),
    "acceptance_date": lambda: acceptance_date(
        CN, D(2026, 12, 28), notice_issued=D(2026, 12, 29), corrected=None
    ),
    "decision_due": lambda: decision_due(CN, LATE),
    "lower_level_review_due": lambda: lower_level_review_due(CN, LATE),
    "certificate_due": lambda: certificate_due(CN, LATE),
    "check_extension": lambda: check_extension(
        CN, deadline=D(2027, 1, 8), granted_on=LATE, already_extended=False
    ),
    "progress": lambda: progress(CN, LATE, 20, D(2026, 12, 24)),
    "explain_deadline": lambda: explain_deadline(CN, LATE, 20),
    "due_datetime working days": lambda: due_datetime(CN, AT, 1, TimeUnit.WORKING_DAYS),
    "due_datetime half days": lambda: due_datetime(CN, AT, 1, TimeUnit.HALF_DAYS),
    "due_datetime hours": lambda: due_datetime(CN, AT, 2, TimeUnit.HOURS),
    "due_datetime calendar days": lambda: due_datetime(CN, AT, 1, TimeUnit.CALENDAR_DAYS),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_public_call_raises_the_one_calendar_error(name: str) -> None:
    """A day of 2027 on the strict calendar: CalendarNotPublished, year 2027, one code, and a
    message naming both ways out."""
    with pytest.raises(CalendarNotPublished) as info:
        CALLS[name]()
    err = info.value
    assert isinstance(err, CalendarError)
    assert (err.year, err.code) == (2027, "calendar-not-published")
    assert "overlay" in str(err)
    assert "provisional calendar" in str(err)


def test_the_same_calls_answer_on_the_provisional_calendar() -> None:
    """Office hours across 元旦 2027: Thu 16:00 + 2 h → Mon 2027-01-04 09:30."""
    moment = due_datetime(PROVISIONAL, AT, 2, TimeUnit.HOURS)
    assert moment == datetime(2027, 1, 4, 9, 30, tzinfo=CHINA_TZ)
    assert due_datetime(PROVISIONAL, AT, 1, TimeUnit.WORKING_DAYS).date() == D(2027, 1, 4)
    assert progress(PROVISIONAL, LATE, 20, D(2026, 12, 24)).provisional
    days = explain_deadline(PROVISIONAL, D(2026, 12, 30), 2)
    assert [(d.date, d.reason, d.provisional) for d in days if d.date.year == 2027] == [
        (D(2027, 1, 1), "holiday", True),
        (D(2027, 1, 2), "weekend", True),
        (D(2027, 1, 3), "weekend", True),
        (D(2027, 1, 4), "workday", True),
    ]
    # Across 春节: 补假 is skipped as a holiday; the projected Thu 02-11 counts (best).
    spring = {d.date: d for d in explain_deadline(PROVISIONAL, D(2027, 2, 4), 3)}
    assert spring[D(2027, 2, 9)].text == "skipped: holiday 春节 [provisional]"
    assert spring[D(2027, 2, 11)].text == "day 1: workday [provisional]"
    assert spring[D(2027, 2, 13)].text == "skipped: weekend [provisional]"
