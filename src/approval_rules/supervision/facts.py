"""What the indicators need of one case: a small JSON-ready record (docs/supervision.md).

:func:`case_facts` reads a case once and keeps only what the indicators count: how it
ended and when, the working days it used against its promised limit, its outcome class,
each step's working days, its rating.  Facts are plain data, so the same aggregation
runs in one process or on a distributed engine (a Dask bag over exported cases): map
cases to facts, then fold facts into mergeable tallies (:mod:`.indicators`).

Definitions (supervision.md §7; the worked examples are tests):

* **concluded** (办结): a refusal on its decision day (不予许可), an approval on the day
  it was closed (revoked after a later check of its commitment, 撤销: on the day it
  closed, or was revoked if it never closed).  Withdrawn (撤回), not accepted (不予受理)
  and terminated (终止) cases are counted apart, on the day they ended, and never in a
  denominator.
* **E, working days used**: from the acceptance day (not counted) to the conclusion day,
  less the working days inside clock stops (Art. 45) and the applicant's waits
  (视为按期, :mod:`.applicant_time`).
* **Lp, the promised limit** in working days (the green channel applied); for a limit in
  hours or half days, the working days from acceptance to the recorded due date.
  **X**, the extension, counts when approved on or before the promised due date; the
  limit that applies is ``L* = min(Lp + X, Ls + X)``.
* **outcome**: early (提前) ``E ≤ Lp − k`` (k = ``early_margin_wd``, 1 by default); on the
  day (按期) ``Lp − k < E ≤ Lp``, and a case approved on the applicant's commitment
  (告知承诺制: decided on the spot because the commitment replaced the review) that
  would be early; extended (延期) an extension counted and
  ``Lp < E ≤ L*``; overdue (超期) otherwise.
* **statutory breach** (法定超期): decided after the recorded statutory due date; for a
  joint handling (Art. 42 ¶2), whose 45 days bound the whole handling, an approval
  whose certificate was issued (or, without one, the case closed) after it.
* **due**: the last day the case may conclude on time, ``L*`` working days after
  acceptance with stops and waits skipped; an open case is overdue at a period's end
  when that day is after it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final, NamedTuple

from ..engine import RATING_LEVELS, SYSTEM, Case, Status
from ..graph import Process
from ..timelimits import ClockStop, due_date
from ..workdays import WorkCalendar
from .applicant_time import applicant_waits, merged_stops, stopped_workdays
from .rules import Reporting

__all__ = [
    "RATINGS",
    "CaseFacts",
    "Outcome",
    "Rating",
    "StepTime",
    "case_facts",
]

_ONE_DAY: Final = timedelta(days=1)
_ENDED: Final = {
    Status.WITHDRAWN: "withdrawn",
    Status.NOT_ACCEPTED: "not_accepted",
    Status.TERMINATED: "terminated",
}
_CLOSES_ALL: Final = frozenset({"refuse", "withdraw", "terminate", "refuse_to_accept"})

#: The five levels of 好差评 (国办发〔2019〕51号), best first; the last two are bad reviews:
#: the engine's (``record_rating``), 非常满意, 满意, 基本满意, 不满意, 非常不满意.
RATINGS: Final = RATING_LEVELS


class Outcome(enum.StrEnum):
    """Mutually exclusive outcome classes of a concluded case."""

    EARLY = "early"  # 提前
    ON_DAY = "on_day"  # 按期 (on time, not early)
    EXTENDED = "extended"  # 延期, within an approved extension
    OVERDUE = "overdue"  # 超期


class StepTime(NamedTuple):
    """Working days a step was open (all its openings), and whether it overran."""

    step: str
    days: int
    overdue: bool


class Rating(NamedTuple):
    """An applicant's rating (好差评) and its follow-up."""

    level: str
    named: bool
    on: date
    followed_up: bool  # revisited (回访) within the declared period
    rectified: bool  # fixed (整改) within the declared period


class CaseFacts(NamedTuple):
    """One case as the indicators count it (see the module's definitions).

    ``state`` is ``concluded``, ``open``, ``withdrawn``, ``not_accepted`` or
    ``terminated``; ``ended_on`` the day it concluded or ended (``None`` while open).
    """

    case_id: str
    matter_id: str
    department: str
    persons: tuple[str, ...]
    state: str
    accepted_on: date | None
    ended_on: date | None
    due: date | None
    used: int | None
    promised: int | None
    outcome: Outcome | None
    statutory_breach: bool
    applicant_days: int
    steps: tuple[StepTime, ...]
    rating: Rating | None
    provisional: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON data (for files handed to a distributed engine)."""

        def day(value: date | None) -> str | None:
            return None if value is None else value.isoformat()

        rating = self.rating
        return {
            "case_id": self.case_id,
            "matter_id": self.matter_id,
            "department": self.department,
            "persons": list(self.persons),
            "state": self.state,
            "accepted_on": day(self.accepted_on),
            "ended_on": day(self.ended_on),
            "due": day(self.due),
            "used": self.used,
            "promised": self.promised,
            "outcome": None if self.outcome is None else self.outcome.value,
            "statutory_breach": self.statutory_breach,
            "applicant_days": self.applicant_days,
            "steps": [list(s) for s in self.steps],
            "rating": None
            if rating is None
            else [
                rating.level,
                rating.named,
                rating.on.isoformat(),
                rating.followed_up,
                rating.rectified,
            ],
            "provisional": self.provisional,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseFacts:
        """The facts back from :meth:`to_dict`."""

        def day(value: str | None) -> date | None:
            return None if value is None else date.fromisoformat(value)

        raw = data["rating"]
        return cls(
            data["case_id"],
            data["matter_id"],
            data["department"],
            tuple(data["persons"]),
            data["state"],
            day(data["accepted_on"]),
            day(data["ended_on"]),
            day(data["due"]),
            data["used"],
            data["promised"],
            None if data["outcome"] is None else Outcome(data["outcome"]),
            data["statutory_breach"],
            data["applicant_days"],
            tuple(StepTime(s, d, o) for s, d, o in data["steps"]),
            None
            if raw is None
            else Rating(raw[0], raw[1], date.fromisoformat(raw[2]), raw[3], raw[4]),
            data["provisional"],
        )


def _day(moment: str, tz: tzinfo) -> date:
    return datetime.fromisoformat(moment).astimezone(tz).date()


def _persons(case: Case) -> tuple[str, ...]:
    """Everyone who signed a step of the case (in their own right or as AB岗), and who
    decided it (a refusal leaves its step unsigned), in order."""
    seen: dict[str, None] = {}
    for state in case.steps.values():
        if state.by is not None and state.by != SYSTEM:
            seen.setdefault(state.by)
    if case.decision is not None and case.decision.by != SYSTEM:
        seen.setdefault(case.decision.by)
    return tuple(seen)


def _concluded_on(case: Case) -> date | None:
    decision = case.decision
    if decision is not None and decision.outcome == "refused":
        return decision.on
    if case.status is Status.CLOSED:
        return case.settlement.closed
    if case.status is Status.REVOKED:  # 撤销 after a later check: concluded when it closed
        ending = case.ending
        return case.settlement.closed or (ending.on if ending is not None else None)
    return None


def _step_times(
    case: Case, process: Process, calendar: WorkCalendar, tz: tzinfo, stops: Sequence[ClockStop]
) -> tuple[StepTime, ...]:
    """Each step's working days open, over all its openings, from the record's details.

    A step opens with an event whose ``open`` lists it and is done with the first later
    event naming it as its ``step`` (passed, refused, sent back, completed), or listing
    it as ``passed``; a send-back puts the steps it reopens back to wait; a refusal,
    withdrawal or termination ends every open step.
    """
    opened: dict[str, tuple[date, date | None]] = {}
    days: dict[str, int] = {}
    late: dict[str, bool] = {}

    def done(sid: str, on: date) -> None:
        start, due = opened.pop(sid)
        used = calendar.workdays_between(start, on) if on > start else 0
        days[sid] = days.get(sid, 0) + used - stopped_workdays(calendar, stops, start, on)
        late[sid] = late.get(sid, False) or (due is not None and on > due)

    for event in case.events:
        details = event.details
        on = _day(event.at, tz)
        step = details.get("step")
        finished = [s for s in details.get("passed", ()) if s in opened]
        if isinstance(step, str) and step in opened:
            finished.append(step)
        if event.action == "send_back" and isinstance(step, str):
            target = details.get("to")
            if isinstance(target, str):
                redo = process.reopened_by_send_back(step, target)
                finished += [s for s in redo if s in opened and s not in finished]
        if event.action in _CLOSES_ALL:
            finished = list(opened)
        for sid in dict.fromkeys(finished):
            done(sid, on)
        for sid, due in details.get("open", ()):
            if sid not in opened:
                opened[sid] = (on, None if due is None else date.fromisoformat(due))
        decided = details.get("decided")  # 告知承诺制: the deciding step passed at once
        if isinstance(decided, dict):
            sid = decided.get("step")
            if isinstance(sid, str) and sid in opened:
                done(sid, on)
            for sid, due in decided.get("open", ()):
                if sid not in opened:
                    opened[sid] = (on, None if due is None else date.fromisoformat(due))
    return tuple(StepTime(s, days[s], late[s]) for s in days)


def _promised_days(case: Case, calendar: WorkCalendar, accepted: date) -> int:
    value, unit = case.clock.promised_limit
    if unit == "working_days":
        return int(value)
    due = case.clock.promised_due
    return calendar.workdays_between(accepted, due) if due is not None and due > accepted else 0


def _rating(case: Case, reporting: Reporting, calendar: WorkCalendar, tz: tzinfo) -> Rating | None:
    rating: Rating | None = None
    for event in case.events:
        if event.action == "record_rating" and rating is None:  # the engine takes one
            level = str(event.details.get("level"))
            named = bool(event.details.get("named", False))
            rating = Rating(level, named, _day(event.at, tz), False, False)
        elif event.action == "follow_up_rating" and rating is not None:
            on = _day(event.at, tz)
            deadline = calendar.add_workdays(rating.on, reporting.bad_review_wd)
            if on <= deadline:
                rectified = rating.rectified or bool(event.details.get("rectified", False))
                rating = rating._replace(followed_up=True, rectified=rectified)
    return rating


def _joint(process: Process) -> bool:
    return process.matter.time_limits.joint_handling


def case_facts(
    case: Case,
    *,
    process: Process,
    calendar: WorkCalendar,
    reporting: Reporting,
    tz: tzinfo,
) -> CaseFacts:
    """The facts of one case, as it stands (see the module's definitions)."""
    accepted = case.accepted_on
    department = process.matter.lead_department
    base = (case.id, case.matter_id, department, _persons(case))
    rating = _rating(case, reporting, calendar, tz)
    if case.status in _ENDED:
        ending = case.ending
        return CaseFacts(*base, _ENDED[case.status], accepted,
                         ending.on if ending is not None else None, None, None, None, None,
                         False, 0, (), rating, False)  # fmt: skip
    if accepted is None:
        return CaseFacts(*base, "open", None, None, None, None, None, None, False, 0, (), rating,
                         False)  # fmt: skip
    concluded = _concluded_on(case)
    clock = case.clock
    waits = applicant_waits(case, process.deciding_steps, tz)
    until = concluded or max((w.start for w in waits), default=accepted)
    stops = merged_stops(clock.stops, waits, until)
    promised = _promised_days(case, calendar, accepted)
    statutory = int(clock.statutory_limit[0]) if clock.statutory_limit[1] == "working_days" else 0
    extension = clock.extension
    in_time = (
        extension is not None
        and clock.promised_due is not None
        and extension.on <= calendar.add_workdays(clock.promised_due, -extension.days)
    )
    allowed = promised + extension.days if in_time and extension is not None else promised
    if in_time and statutory and extension is not None:
        allowed = min(allowed, statutory + extension.days)
    due = _due(calendar, accepted, allowed, stops)
    steps = _step_times(case, process, calendar, tz, clock.stops)
    applicant = stopped_workdays(calendar, stops, accepted, until) - stopped_workdays(
        calendar, clock.stops, accepted, until
    )
    provisional = calendar.is_provisional(accepted, max(due, until))
    if concluded is None:
        return CaseFacts(*base, "open", accepted, None, due, None, promised, None, False,
                         applicant, steps, rating, provisional)  # fmt: skip
    used = calendar.workdays_between(accepted, concluded) if concluded > accepted else 0
    used -= stopped_workdays(calendar, stops, accepted, concluded)
    outcome = _outcome(used, promised, allowed, in_time, reporting.early_margin_wd)
    if outcome is Outcome.EARLY and _on_commitment(case):
        outcome = Outcome.ON_DAY  # the commitment, not the office's work, made it early
    # Art. 42 ¶2: the 45 days bound the whole joint handling, the certificates too
    ended = case.statutory_end(joint_handling=_joint(process))
    breach = ended is not None and clock.statutory_due is not None and ended > clock.statutory_due
    return CaseFacts(*base, "concluded", accepted, concluded, due, used, promised, outcome,
                     breach, applicant, steps, rating, provisional)  # fmt: skip


def _on_commitment(case: Case) -> bool:
    """Approved on the applicant's commitment (告知承诺制): decided on the spot."""
    commitment = case.commitment
    return commitment is not None and commitment.check_due is not None


def _due(calendar: WorkCalendar, accepted: date, days: int, stops: Sequence[ClockStop]) -> date:
    """The ``days``-th working day after acceptance outside the stops."""
    return due_date(calendar, accepted, days, stops=stops)


def _outcome(used: int, promised: int, allowed: int, in_time: bool, margin: int) -> Outcome:
    if used <= promised - margin:
        return Outcome.EARLY
    if used <= promised:
        return Outcome.ON_DAY
    if in_time and used <= allowed:
        return Outcome.EXTENDED
    return Outcome.OVERDUE
