"""The periods of a case that time rules watch, as they stand on a day.

A case has up to three kinds of running period (docs/supervision.md, "Periods"):

* **statutory** — from acceptance to the decision, due on the recorded statutory due
  date (clock stops and an approved extension included);
* **promised** — from acceptance to closing (to the decision for a refusal), due on the
  recorded promised due date moved by the working days the applicant caused
  (:mod:`.applicant_time`); suspended while the office waits for the applicant;
* **step_limit** — each open step with a limit, from the day it (last) opened.

No period runs while a clock stop runs (Art. 45): its due dates are recomputed when it
ends.  A case that is not accepted yet, or has ended, has no running period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Final, NamedTuple

from ..engine import Case, Status, StepStatus
from ..engine.records import APPROVED_PATH
from ..graph import Process
from ..model import Unit
from ..timelimits import ClockStop, due_date
from ..workdays import WorkCalendar
from .applicant_time import Wait, applicant_waits, merged_stops, stopped_workdays
from .rules import Basis

__all__ = ["Period", "running_periods"]

_PROMISE_RUNS: Final = frozenset({Status.IN_REVIEW, *APPROVED_PATH})
_WD: Final = Unit.WORKING_DAYS.value


class Period(NamedTuple):
    """One running period of a case.

    Attributes:
        basis: promised, statutory or step_limit.
        step: the step (``None`` for the case's periods).
        start: the day it runs from (not counted).
        due: the due date that applies: as recorded, moved by applicant time.
        limit: its length in working days, extension included; 0 for a limit in
            other units (hours, half days, calendar days).
        extension: working days of an approved extension in ``limit``.
        stops: days not counted: clock stops and the applicant's waits, merged.
        applicant_days: working days the applicant caused, not counted (视为按期).
    """

    basis: Basis
    step: str | None
    start: date
    due: date
    limit: int
    extension: int
    stops: tuple[ClockStop, ...]
    applicant_days: int


def _working_days(limit: tuple[float, str]) -> int:
    value, unit = limit
    return int(value) if unit == _WD else 0


def running_periods(
    case: Case,
    day: date,
    *,
    process: Process,
    calendar: WorkCalendar,
    tz: tzinfo,
    waits: Sequence[Wait] | None = None,
) -> tuple[Period, ...]:
    """The periods of ``case`` running on ``day``: statutory, promised, then open steps.

    Args:
        waits: the applicant's waits, when the caller has them (else derived).
    """
    clock = case.clock
    if case.status not in _PROMISE_RUNS or case.accepted_on is None:
        return ()
    if clock.active_stop is not None:
        return ()
    accepted = case.accepted_on
    extension = clock.extension.days if clock.extension is not None else 0
    found: list[Period] = []
    if case.status is Status.IN_REVIEW and clock.statutory_due is not None:
        limit = _working_days(clock.statutory_limit)
        found.append(
            Period(Basis.STATUTORY, None, accepted, clock.statutory_due,
                   limit + extension if limit else 0, extension, clock.stops, 0)
        )  # fmt: skip
    if waits is None:
        waits = applicant_waits(case, process.deciding_steps, tz)
    promised = _promised(
        case, day, calendar, waits, process.matter.time_limits.promised_extension(extension)
    )
    if promised is not None:
        found.append(promised)
    for sid, st in case.steps.items():
        if st.status is not StepStatus.OPEN or st.due is None or st.opened is None:
            continue
        step = process.step(sid)
        step_limit = step.time_limit
        days = (
            int(step_limit.value)
            if step_limit is not None and step_limit.unit is Unit.WORKING_DAYS
            else 0
        )
        opened = _local_day(st.opened, tz)
        stops = tuple(s for s in clock.stops if s.end > opened)
        found.append(Period(Basis.STEP_LIMIT, sid, opened, st.due, days, 0, stops, 0))
    return tuple(found)


def _local_day(moment: str, tz: tzinfo) -> date:
    return datetime.fromisoformat(moment).astimezone(tz).date()


def _promised(
    case: Case, day: date, calendar: WorkCalendar, waits: Sequence[Wait], extension: int
) -> Period | None:
    clock = case.clock
    accepted = case.accepted_on
    if accepted is None or clock.promised_due is None or case.status is Status.REFUSED:
        return None
    if any(w.open for w in waits):
        return None  # the applicant's turn: the promise does not run
    value = _working_days(clock.promised_limit)
    recorded = clock.promised_due
    if not waits or not value:
        return Period(Basis.PROMISED, None, accepted, recorded, value + extension if value else 0,
                      extension, clock.stops, 0)  # fmt: skip
    stops = merged_stops(clock.stops, waits, day)
    without = due_date(calendar, accepted, value, stops=clock.stops, extension=extension)
    moved = due_date(calendar, accepted, value, stops=stops, extension=extension)
    shift = calendar.workdays_between(without, moved)
    due = calendar.add_workdays(recorded, shift) if shift > 0 else recorded
    applicant = stopped_workdays(calendar, stops, accepted, due) - stopped_workdays(
        calendar, clock.stops, accepted, due
    )
    return Period(Basis.PROMISED, None, accepted, due, value + extension, extension, stops,
                  applicant)  # fmt: skip
