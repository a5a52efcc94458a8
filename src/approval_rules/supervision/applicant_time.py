"""Time the applicant caused (视为按期): derived from the case record, never counted.

A delay caused by the applicant counts as on time (DOMAIN.md §2.10; 限时办结制度).
While the office waits for the applicant, the promised period does not run against it:
alerts on the promised period are suspended during a wait and its due date moves by the
working days waited, and the indicators leave those days out of the working days used.

Each wait is derived from what the record already says:

* **payment** — after a positive decision with fees, the office waits for the applicant
  to pay: from the day after the decision to the day the fees were settled (the last
  payment, or the waiver that left nothing to pay), both counted as waiting;
* **makeup** — a case accepted with tolerated materials missing (容缺) cannot be decided
  before they arrive: once the deciding step is open, from the day after it opened to
  the day the last missing material was supplied.

The day the applicant acted is not counted against the office (worked example: decided
Mon 2025-09-29, paid Wed 2025-10-01 → the wait covers 09-30 and 10-01; only 09-30 is a
working day, so 1 working day is not counted).

* **late_payment**, **late_response** — what the office recorded explicitly with
  ``record_applicant_delay`` (:func:`~approval_rules.engine.applicant_delays`), from
  its start to its end day.

Another source is a function ``(case, deciding_steps, tz) -> Iterable[Wait]`` added to
:data:`WAIT_SOURCES`.  Nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Final, NamedTuple

from ..engine import Case, StepStatus, applicant_delays
from ..timelimits import ClockStop
from ..workdays import WorkCalendar

__all__ = [
    "WAIT_SOURCES",
    "Wait",
    "applicant_waits",
    "merged_stops",
    "stopped_workdays",
]

_ONE_DAY: Final = timedelta(days=1)


class Wait(NamedTuple):
    """An interval the office waited for the applicant; both days included.

    Attributes:
        kind: ``payment``, ``makeup`` (or the kind of an explicit event).
        start: the first day not counted against the office.
        end: the last day not counted; ``None`` while the office still waits.
    """

    kind: str
    start: date
    end: date | None

    @property
    def open(self) -> bool:
        return self.end is None


def _day(moment: str | datetime, tz: tzinfo) -> date:
    at = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    return at.astimezone(tz).date()


def payment_wait(case: Case, deciding_steps: Sequence[str], tz: tzinfo) -> Iterable[Wait]:
    """From the day after a positive decision with fees to the day they were settled."""
    decision, settlement = case.decision, case.settlement
    if decision is None or decision.outcome != "approved" or not settlement.fees:
        return ()
    if settlement.assessed <= 0:
        return ()
    start = decision.on + _ONE_DAY
    if settlement.outstanding > 0:
        return (Wait("payment", start, None),)
    days = [p.on for p in settlement.payments]
    if settlement.waived:
        days += [_day(e.at, tz) for e in case.events if e.action == "waive_fee"]
    settled = max(days, default=decision.on)
    return (Wait("payment", start, settled),) if settled >= start else ()


def makeup_wait(case: Case, deciding_steps: Sequence[str], tz: tzinfo) -> Iterable[Wait]:
    """From the day after the deciding step opened to the day the last tolerated
    material arrived, when it arrived after that."""
    if case.intake.makeup_by is None or case.accepted_on is None:
        return ()
    opened = [
        _day(st.opened, tz)
        for sid in deciding_steps
        if (st := case.steps.get(sid)) is not None and st.opened is not None
    ]
    if not opened:
        return ()
    start = min(opened) + _ONE_DAY
    if case.intake.gaps:
        still = any(
            (st := case.steps.get(sid)) is not None and st.status is StepStatus.OPEN
            for sid in deciding_steps
        )
        return (Wait("makeup", start, None),) if still else ()
    supplied = [_day(e.at, tz) for e in case.events if e.action == "supplement"]
    last = max(supplied, default=None)
    if last is None or last < start:
        return ()
    return (Wait("makeup", start, last),)


def recorded_delays(case: Case, deciding_steps: Sequence[str], tz: tzinfo) -> Iterable[Wait]:
    """The applicant delays the office recorded (``record_applicant_delay``)."""
    return tuple(Wait(d.kind, d.start, d.end) for d in applicant_delays(case))


#: Where waits come from: derived from the record, or recorded explicitly.
WAIT_SOURCES: Final[tuple[Callable[[Case, Sequence[str], tzinfo], Iterable[Wait]], ...]] = (
    payment_wait,
    makeup_wait,
    recorded_delays,
)


def applicant_waits(case: Case, deciding_steps: Sequence[str], tz: tzinfo) -> tuple[Wait, ...]:
    """Every wait for the applicant the case's record shows, by start day."""
    found = [w for source in WAIT_SOURCES for w in source(case, deciding_steps, tz)]
    return tuple(sorted(found, key=lambda w: (w.start, w.kind)))


def merged_stops(
    stops: Sequence[ClockStop], waits: Sequence[Wait], until: date
) -> tuple[ClockStop, ...]:
    """The case's clock stops and the closed waits (an open one up to ``until``) as one
    sorted list of disjoint stops: days in either are not counted."""
    spans = [(s.start, s.end, s.kind) for s in stops]
    spans += [(w.start, w.end or until, f"applicant_{w.kind}") for w in waits]
    merged: list[tuple[date, date, str]] = []
    for start, end, kind in sorted(s for s in spans if s[0] <= s[1]):
        if merged and start <= merged[-1][1] + _ONE_DAY:
            first, last, name = merged[-1]
            merged[-1] = (first, max(last, end), name)
        else:
            merged.append((start, end, kind))
    return tuple(ClockStop(kind, start, end) for start, end, kind in merged)


def stopped_workdays(
    calendar: WorkCalendar, stops: Sequence[ClockStop], after: date, until: date
) -> int:
    """Working days in ``(after, until]`` inside the stops."""
    total = 0
    for stop in stops:
        first = max(stop.start, after + _ONE_DAY)
        last = min(stop.end, until)
        if first <= last:
            total += calendar.workdays_between(first - _ONE_DAY, last)
    return total
