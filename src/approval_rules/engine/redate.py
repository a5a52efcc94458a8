"""Re-dating: when the official calendar data for a year arrive, open cases' provisional
due dates are computed again (issue #10).

A case run on a provisional calendar records the best estimate of every due date in a
year the State Council has not published yet (and flags those events
``"provisional": true``).  When the notice arrives (a newer calendar package, or an
overlay transcribing it), :func:`redate` computes the open case's due dates again on the
new calendar (the correction-notice window, the statutory, promised and certificate
periods with their stops and extension, every open step, and the later check of a
commitment, 告知承诺制: also on a case that closed, until the check is recorded) and
appends one ``redate``
event with the old and the new dates and the calendar's fingerprint, when a date moved
or the case's dates stop being provisional.  Running it again changes nothing
(idempotent); a case that ended, or whose dates neither move nor change status, is
returned as it was.  :func:`redate_all` does a batch and sums up the shifts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from ..plan import MatterPlan
from ..workdays import WorkCalendar
from .case import Case
from .clocks import Clocks
from .evolve import Patch, evolve
from .records import RECEIVED, SYSTEM

__all__ = ["REDATE", "Redated", "redate", "redate_all"]

#: The action name of the event :func:`redate` appends.
REDATE: Final = "redate"


@dataclass(frozen=True, slots=True)
class Redated:
    """What :func:`redate_all` did.

    Attributes:
        cases: every case handed in, re-dated where needed, in the same order.
        changed: how many got a ``redate`` event.
        earliest_shift: the largest move earlier, in calendar days (negative), over
            every date that moved; ``0`` when none did.
        latest_shift: the largest move later, in calendar days; ``0`` when none did.
        calendar: the fingerprint of the calendar the dates were computed on.
    """

    cases: tuple[Case, ...]
    changed: int
    earliest_shift: int
    latest_shift: int
    calendar: str

    def to_dict(self) -> dict[str, Any]:
        """JSON data (without the cases)."""
        return {
            "cases": len(self.cases),
            "changed": self.changed,
            "earliest_shift": self.earliest_shift,
            "latest_shift": self.latest_shift,
            "calendar": self.calendar,
        }


def _was_provisional(case: Case) -> bool:
    """Whether the dates the case holds were computed with a provisional year: an event
    since the last re-dating (or that one) says so."""
    for event in reversed(case.events):
        if event.details.get("provisional"):
            return True
        if event.action == REDATE:
            return False
    return False


def _dates(case: Case) -> dict[str, str | None]:
    """The due dates a case holds, by name (steps as ``step:<id>``)."""
    clock = case.clock
    out: dict[str, str | None] = {"notice_due": clock.notice_due.isoformat()}
    for name, day in (
        ("statutory", clock.statutory_due),
        ("promised", clock.promised_due),
        ("certificate", clock.certificate_due),
    ):
        if day is not None:
            out[name] = day.isoformat()
    for sid, st in case.steps.items():
        if sid in case.open_steps and st.due is not None:
            out[f"step:{sid}"] = st.due.isoformat()
    commitment = case.commitment  # the later check, while it waits
    if commitment is not None and commitment.check_due is not None and commitment.finding is None:
        out["check"] = commitment.check_due.isoformat()
    return out


def _check_due(case: Case, clocks: Clocks, plan: MatterPlan) -> str | None:
    """The later check's due date again, while it is not recorded (``None``: no check
    waits)."""
    commitment, declared, decision = case.commitment, plan.matter.commitment, case.decision
    if commitment is None or commitment.check_due is None or commitment.finding is not None:
        return None
    if declared is None or decision is None:
        return None
    return clocks.check_due(decision.on, declared.check_within).isoformat()


def redate(case: Case, clocks: Clocks, plan: MatterPlan, at: datetime) -> tuple[Case, list[int]]:
    """The case with its due dates computed again on ``clocks``' calendar, and the shifts
    (new minus old, in days) of the dates that moved.

    ``plan`` is the case's matter; ``at`` is when, in the engine's zone (the event is
    dated at the case's last event if that came later).
    """
    check = _check_due(case, clocks, plan)
    if case.is_terminal:
        if check is None:
            return case, []
        return _redated(case, clocks, at, {**_dates(case), "check": check})
    received = clocks.local(case.intake.received).date()
    ext = case.clock.extension.days if case.clock.extension else 0
    # as recorded: the ended stops only (a running one moves the dates when it ends)
    limits = plan.matter.time_limits
    due = clocks.case_dues(
        case,
        at,
        ext,
        limits.promised_extension(ext),
        joint=limits.joint_handling,
        running=False,
        certificate_days=plan.certificate_days,
    )
    if check is not None:
        due["check"] = check
    steps = clocks.step_dues(plan, case, at, running=False)
    new: dict[str, str | None] = {"notice_due": clocks.notice_due(received), **due}
    new.update((f"step:{sid}", d) for sid, d in steps.items())
    if case.status is not RECEIVED or case.intake.notice is not None:
        new["notice_due"] = _dates(case)["notice_due"]  # the window is over: its end stays
    return _redated(case, clocks, at, new, due, steps)


def _redated(
    case: Case,
    clocks: Clocks,
    at: datetime,
    new: dict[str, str | None],
    due: dict[str, str] | None = None,
    steps: dict[str, str | None] | None = None,
) -> tuple[Case, list[int]]:
    """The case with a ``redate`` event when a date of ``new`` moved or stopped being
    provisional.  A case that ended keeps every date but the check's (``due`` and
    ``steps`` left out: what it holds)."""
    old = _dates(case)
    if due is None:
        due = {k: v for k, v in new.items() if v is not None and k != "notice_due"}
    details: dict[str, Any] = {
        "calendar": clocks.calendar.fingerprint,
        "due": due,
        "notice_due": new["notice_due"],
        "steps": steps or {},
    }
    flagged = clocks.flagged(details)
    moved = {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}
    if not moved and (flagged is not details or not _was_provisional(case)):
        return case, []
    details = {**flagged, "was": {k: o for k, (o, _) in sorted(moved.items())}}
    shifts = [
        (date.fromisoformat(n) - date.fromisoformat(o)).days
        for o, n in moved.values()
        if o is not None and n is not None
    ]
    moment = max(at, case.last_at)
    stamp = moment.isoformat()
    event = case.events.next_event(f"{case.id}#{case.version + 1}", stamp, SYSTEM, REDATE, details)
    return evolve(case, event, Patch(moment, None)), shifts


def redate_all(
    cases: Iterable[Case],
    calendar: WorkCalendar,
    one: Callable[[Case], tuple[Case, list[int]]],
) -> Redated:
    """Re-date every case with ``one(case) -> (case, shifts)`` (:func:`redate` bound to
    the engine); the summary."""
    out: list[Case] = []
    changed = 0
    low = high = 0
    for case in cases:
        after, shifts = one(case)
        if after is not case:
            changed += 1
        for s in shifts:
            low, high = min(low, s), max(high, s)
        out.append(after)
    return Redated(tuple(out), changed, low, high, calendar.fingerprint)
