"""The law's clocks: every due date the engine records, and when a case changes by itself.

:class:`Clocks` is the one owner of the engine's date rules.  Handlers never count
days themselves: they ask for the notice window's end (Art. 32), a step's due date,
the statutory and promised due dates from acceptance (Art. 42, with stops and the
extension, Art. 45), the certificate's (Art. 44), a certificate's validity (Civil Code
Arts. 201-202) and the re-dated dues after a stop ends or the case is extended.  The
arithmetic itself is :mod:`..timelimits`' (working days, calendar days, office
hours); this module decides which rule applies and keeps the answers it computed on
working days without stops, which repeat from case to case (a pure function of the
calendar).

:meth:`Clocks.next_timer` says when a case next changes by itself: deemed acceptance,
deemed agreement of a co-department, termination when a tolerated gap was not made
up.

Provisional years (issue #10): every date a case records comes through this class.
Until the State Council's notice for a year is out, a due date in it has bounds (the
earliest and the latest date the notice can still produce).  A case records the best
estimate (the law's certain days); :data:`HELD_BY` says which bound each obligation is
held to: the office plans its own obligations against the **earliest** (so the engine
deems an application accepted, and a co-department's silence agreement, once the
earliest end of the period has passed: in doubt, for the applicant), and an
applicant's window is enforced at the **latest**.
On official years the bounds coincide and nothing changes.  :meth:`Clocks.flagged`
marks the event details whose dates depend on such a year (``"provisional": true``);
:meth:`Clocks.bounds` gives a period's best, earliest and latest dates for
:func:`~.reports.deadlines`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from ..errors import NaiveDatetime
from ..model import CheckPeriod, Validity
from ..plan import Limit, MatterPlan
from ..timelimits import (
    CERTIFICATE_DAYS,
    CORRECTION_NOTICE_DAYS,
    ClockStop,
    Due,
    Party,
    Progress,
    TimeUnit,
    add_months,
    calendar_days_due,
    certificate_due,
    check_due,
    due_date,
    due_datetime,
    green_channel_days,
    stop_union,
)
from ..workdays import Estimate, WorkCalendar
from .case import Case
from .evolve import ACCEPTING
from .records import IN_REVIEW, OPEN, RECEIVED

__all__ = ["HELD_BY", "Clocks", "Timer", "progress_to_due"]

_ONE_DAY: Final = timedelta(days=1)
_MEMO_LIMIT: Final = 200_000
#: Units whose periods run in calendar days (民法典 Arts. 201-203): a period in months
#: ends on a calendar day too, so its days are counted alike.
_CALENDAR_UNITS: Final = frozenset({TimeUnit.CALENDAR_DAYS.value, "months"})

#: Whose obligation each period the engine computes is, which decides the bound of a
#: provisional due date it is held to (:class:`~..timelimits.Party`): the office plans
#: its own obligations against the earliest date the notice could produce, so it is
#: never late whatever the notice says; an applicant's window is enforced at the
#: latest, so the applicant is never cut off by a guess (docs/calendar.md).
HELD_BY: Final[Mapping[str, Party]] = MappingProxyType(
    {
        "correction_notice": Party.AGENCY,  # Art. 32: 5 WD for the one-time notice
        "statutory": Party.AGENCY,  # Art. 42: the decision
        "promised": Party.AGENCY,  # the office's promise (承诺时限)
        "certificate": Party.AGENCY,  # Art. 44: 10 WD to deliver the certificate
        "step": Party.AGENCY,  # each step's own limit
        "makeup_by": Party.APPLICANT,  # a tolerated gap's make-up date (容缺)
        "check": Party.AGENCY,  # the later check of a commitment (告知承诺制, 事后核查)
    }
)

#: The event details that hold dates the engine computed (what :meth:`Clocks.flagged`
#: reads).
_DATED: Final = ("notice_due", "due", "open", "decision", "steps", "decided", "check_due")


class Timer(NamedTuple):
    """When a case next changes by itself.

    Attributes:
        at: the moment (00:00 of the day after a limit's last day).
        action: ``deemed_acceptance``, ``corrected_acceptance``, ``deemed_agreement``
            or ``terminate``.
        step: the co-department step deemed agreed, else ``None``.
    """

    at: datetime
    action: str
    step: str | None = None


class Clocks:
    """Due dates on one calendar, in one time zone (see the module docstring)."""

    __slots__ = ("_memo", "_provisional", "calendar", "tz")

    def __init__(self, calendar: WorkCalendar, tz: tzinfo) -> None:
        self.calendar = calendar
        self.tz = tz
        self._memo: dict[tuple[date, int], tuple[date, str]] = {}
        self._provisional = calendar.provisional  # (read on every action: a slot, not a property)

    # ----------------------------------------------------------------- moments

    def local(self, at: object) -> datetime:
        """``at`` in the engine's time zone.

        Raises:
            TypeError: not a datetime, or a naive one.
        """
        if not isinstance(at, datetime):
            raise TypeError(f"at must be a datetime (got {type(at).__name__})")
        if at.tzinfo is self.tz:
            return at
        if at.tzinfo is None or at.utcoffset() is None:
            raise NaiveDatetime("at", at)
        return at.astimezone(self.tz)

    def start_of(self, day: date) -> datetime:
        """00:00 of ``day`` in the engine's time zone."""
        return datetime.combine(day, time(0), tzinfo=self.tz)

    def midnight_after(self, day: date) -> datetime:
        """00:00 of the day after ``day``: when a limit ending on ``day`` has run out."""
        return datetime.combine(day + _ONE_DAY, time(0), tzinfo=self.tz)

    def day_of(self, stamp: str) -> date:
        """The local day of an ISO time an event or a step recorded."""
        return self.local(datetime.fromisoformat(stamp)).date()

    # ----------------------------------------------------------------- due dates

    def _after(self, start: date, days: int) -> tuple[date, str]:
        """:func:`~..timelimits.due_date` without stops, and its text (kept)."""
        key = (start, days)
        found = self._memo.get(key)
        if found is None:
            due = due_date(self.calendar, start, days)
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = (due, due.isoformat())
        return found

    def notice_due(self, received: date) -> str:
        """The last day for the one-time correction notice (Art. 32: 5 working days)."""
        return self._after(received, CORRECTION_NOTICE_DAYS)[1]

    def period_due(
        self,
        limit: Limit,
        start: date,
        moment: datetime,
        stops: Sequence[ClockStop] = (),
        extension: int = 0,
    ) -> date:
        """The last day of a period of ``limit`` from ``start`` (``moment`` for hours).

        Working days skip the stops and add the extension; calendar days skip the
        stops' days, end on a working day (Civil Code Art. 203) and the extension's
        working days follow; half days and hours run in office hours from ``moment``
        and the period ends on the day they run out.
        """
        value, unit = limit
        if unit == "working_days":
            if not stops:
                return self._after(start, value + extension)[0]
            return due_date(self.calendar, start, value, stops=stops, extension=extension)
        if unit == "calendar_days":
            end = calendar_days_due(self.calendar, start, value, stops=stops)
            return self.calendar.add_workdays(end, extension) if extension else end
        return due_datetime(self.calendar, moment, value, TimeUnit(unit)).date()

    def step_due(
        self, limit: Limit | None, moment: datetime, stops: Sequence[ClockStop] = ()
    ) -> tuple[date | None, str | None]:
        """A step's due date when it opens at ``moment`` (and its text), or no limit."""
        if limit is None:
            return None, None
        if limit[1] == "working_days" and not stops:
            return self._after(moment.date(), limit[0])
        due = self.period_due(limit, moment.date(), moment, stops)
        return due, due.isoformat()

    def certificate_due(
        self,
        decided: date,
        stops: Sequence[ClockStop] = (),
        bound: date | None = None,
        days: int = CERTIFICATE_DAYS,
    ) -> str:
        """The certificate's due date after a positive decision (Art. 44: 10 WD, or the
        matter's own ``days``: ``MatterPlan.certificate_days``), no later than ``bound``:
        the statutory due date of a joint handling, whose 45 days bound the whole
        handling, the certificate included (Art. 42 ¶2)."""
        if not stops:
            due = self._after(decided, days)[0]
        else:
            due = certificate_due(self.calendar, decided, stops=stops, days=days)
        if bound is not None and bound < due:
            due = max(bound, decided)
        return due.isoformat()

    def promised_limit(self, plan: MatterPlan, green: bool) -> Limit:
        """The matter's promised limit, shortened for the green channel (绿色通道)."""
        value, unit = plan.promised
        if green and plan.green is not None and unit == "working_days":
            return green_channel_days(value, plan.green.reduction), unit
        return value, unit

    # ----------------------------------------------------------------- acceptance

    def record_before_acceptance(self, case: Case) -> tuple[datetime | None, datetime | None]:
        """When the corrections came in (the last ``corrected`` supplement) and when the
        case was accepted (the accepting event), as recorded: ``None`` for what did not
        happen.  Reads the record from the start up to the acceptance only.
        """
        corrected: datetime | None = None
        for event in case.events:
            if event.action in ACCEPTING:
                return corrected, self.local(datetime.fromisoformat(event.at))
            if event.action == "supplement" and event.details.get("corrected"):
                corrected = self.local(datetime.fromisoformat(event.at))
        return corrected, None

    def acceptance_start(self, case: Case, moment: datetime) -> datetime:
        """The moment the case counts as accepted from (``moment`` if not known yet).

        Art. 32: without a notice in time the application counts as accepted from the
        moment of receipt; after a notice, from when the corrections arrived.  Limits
        in hours or half days run from that moment too.
        """
        if case.intake.notice is None:
            return self.local(case.intake.received)
        corrected = self.record_before_acceptance(case)[0]
        return corrected if corrected is not None else moment

    def acceptance_dues(self, case: Case, moment: datetime) -> tuple[date, date, date]:
        """The acceptance day and the statutory and promised due dates if accepted now."""
        start = self.acceptance_start(case, moment)
        accepted = start.date()
        clock = case.clock
        statutory = self.period_due(clock.statutory_limit, accepted, start)
        return accepted, statutory, self.period_due(clock.promised_limit, accepted, start)

    # ----------------------------------------------------------------- re-dating

    def stops(self, case: Case, day: date | None = None) -> tuple[ClockStop, ...]:
        """The case's stops; running ones count up to ``day`` (when given), each day
        once when several run at the same time."""
        clock = case.clock
        active = clock.active_stop
        if active is None or day is None:
            return clock.stops
        closed = clock.stops
        if not clock.parallel_stops and (not closed or closed[-1].end < active.start):
            end = max(day, active.start)
            return (*closed, ClockStop(active.kind, active.start, end, active.notice))
        running = (
            ClockStop(s.kind, s.start, max(day, s.start), s.notice) for s in clock.running_stops
        )
        return stop_union((*closed, *running))

    def case_dues(
        self,
        case: Case,
        moment: datetime,
        extension: int,
        promised_extension: int | None = None,
        *,
        joint: bool = False,
        running: bool = True,
        certificate_days: int = CERTIFICATE_DAYS,
    ) -> dict[str, str]:
        """The case's due dates again: every stop (a running one up to ``moment``'s day,
        unless ``running`` is False: then only the ended ones) and ``extension`` working
        days counted (``promised_extension`` for the promise when the matter's extension
        does not move it as far: ``scope: statutory``).  ``joint``: a joint handling,
        whose statutory due date bounds the certificate's.

        After a decision the statutory period is over (judged at the decision day) but
        its due date stays consistent; the certificate's moves with the stops.
        """
        stops = self.stops(case, moment.date() if running else None)
        clock = case.clock
        due: dict[str, str] = {}
        if case.accepted_on is not None:
            start = self.acceptance_start(case, moment)
            promised = extension if promised_extension is None else promised_extension
            for name, limit, days in (
                ("statutory", clock.statutory_limit, extension),
                ("promised", clock.promised_limit, promised),
            ):
                due[name] = self.period_due(limit, case.accepted_on, start, stops, days).isoformat()
        if case.decision is not None and clock.certificate_due is not None:
            bound = due.get("statutory") if joint else None
            due["certificate"] = self.certificate_due(
                case.decision.on,
                stops,
                None if bound is None else date.fromisoformat(bound),
                certificate_days,
            )
        return due

    def step_dues(
        self, plan: MatterPlan, case: Case, moment: datetime, *, running: bool = True
    ) -> dict[str, str | None]:
        """The open steps' due dates again, with every stop (a running one up to today,
        unless ``running`` is False)."""
        stops = self.stops(case, moment.date() if running else None)
        dues: dict[str, str | None] = {}
        for sid, st in case.steps.items():
            if st.status is OPEN and st.due is not None and st.opened is not None:
                opened = self.local(datetime.fromisoformat(st.opened))
                limit = plan.step_limit(sid, case.intake.green_channel)
                dues[sid] = self.step_due(limit, opened, stops)[1]
        return dues

    # ----------------------------------------------------------------- provisional

    def flagged(self, details: dict[str, Any]) -> dict[str, Any]:
        """``details`` with ``"provisional": true`` when a date the engine computed in
        them depends on a year without official data (on this calendar, overlays
        included); unchanged otherwise (always, on a strict calendar)."""
        if not self._provisional:
            return details
        years = self.calendar.years
        stack: list[object] = [details.get(key) for key in _DATED]
        while stack:
            value = stack.pop()
            if isinstance(value, str):
                dated = len(value) == 10 and value[4] == value[7] == "-" and value[:4].isdigit()
                if dated and int(value[:4]) not in years:
                    return {**details, "provisional": True}
            elif isinstance(value, (list, tuple)):
                stack.extend(value)
            elif isinstance(value, dict):
                stack.extend(value.values())
        return details

    def bounds(
        self,
        limit: Limit,
        start: date,
        stops: Sequence[ClockStop] = (),
        extension: int = 0,
    ) -> Due | None:
        """A working-day period's best, earliest and latest due dates when it depends on a
        year without official data; ``None`` when it does not (or is not counted in
        working days)."""
        value, unit = limit
        given = self.calendar
        if unit != "working_days" or not given.provisional:
            return None

        def on(estimate: Estimate) -> date:
            cal = given.variant(estimate)
            return due_date(cal, start, value, stops=stops, extension=extension)

        best, earliest, latest = on(Estimate.BEST), on(Estimate.EARLIEST), on(Estimate.LATEST)
        if not given.is_provisional(start, latest):
            return None
        return Due(best, min(earliest, best), max(latest, best), True)

    def held(self, obligation: str, start: date, days: int, recorded: date) -> date:
        """The day a working-day period of ``obligation`` is held to (:data:`HELD_BY`):
        ``recorded`` (the best estimate) on official years, else the bound its party is
        held to."""
        calendar = self.calendar
        if not self._provisional or not calendar.is_provisional(start, recorded):
            return recorded
        return due_date(HELD_BY[obligation].calendar(calendar), start, days)

    # ----------------------------------------------------------------- other dates

    @staticmethod
    def valid_until(validity: Validity | None, issued: date) -> date | None:
        """The last day a certificate issued on ``issued`` is valid (``None``: no limit).

        Civil Code Arts. 201-202: the issue day is not counted; a period in months or
        years ends on the corresponding day, or the month's last day when it has none.
        """
        if validity is None:
            return None
        if validity.unit == "days":
            return issued + timedelta(days=validity.value)
        return add_months(
            issued, validity.value if validity.unit == "months" else 12 * validity.value
        )

    def check_due(self, decided: date, period: CheckPeriod) -> date:
        """The last day of a commitment's later check (事后核查) decided on ``decided``.

        Working days as every period of the office (the decision day not counted);
        calendar days end on a working day (Civil Code Art. 203); months end on the
        corresponding day, or the month's last day (Arts. 201-202), moved to the next
        working day when it falls on a day off.  Example: decided Friday 2025-09-26, 3
        months → 2025-12-26 (a Friday).
        """
        if period.unit == "working_days":
            return self._after(decided, period.value)[0]
        return check_due(self.calendar, decided, period.value, period.unit)

    # ----------------------------------------------------------------- timers

    def next_timer(self, plan: MatterPlan, case: Case) -> Timer | None:
        """When ``case`` next changes by itself, or ``None`` (see :class:`Timer`).

        A received case without a notice is deemed accepted at 00:00 after the notice
        window; after a notice, once the corrections are complete, it is accepted by
        rule (``corrected_acceptance``, Art. 32) at 00:00 after the day they came in
        unless the window accepted it that day; in review, a tolerated gap not made up
        terminates the case at 00:00 after the make-up date, and an open co-department
        step deemed agreed on timeout is passed at 00:00 after its due date (a stop
        that began on or before that day pauses it until the stop ends).
        """
        status = case.status
        if status is RECEIVED:
            intake = case.intake
            if intake.notice is None:
                received = self.local(intake.received).date()
                due = self.held(
                    "correction_notice", received, CORRECTION_NOTICE_DAYS, case.clock.notice_due
                )
                return Timer(self.midnight_after(due), "deemed_acceptance")
            if intake.corrected is not None:
                return Timer(self.midnight_after(intake.corrected), "corrected_acceptance")
            return None
        if status is not IN_REVIEW:
            return None
        best: Timer | None = None
        intake = case.intake
        if intake.gaps and intake.makeup_by is not None:
            best = Timer(self.midnight_after(intake.makeup_by), "terminate")
        active = case.clock.active_stop
        for sid in plan.deemed:
            st = case.steps.get(sid)
            if st is None or st.status is not OPEN or st.due is None:
                continue
            if active is not None and active.start <= st.due:
                continue  # paused by the running stop; re-dated when it ends
            due = st.due
            limit = plan.steps[sid].limit
            if limit is not None and limit[1] == "working_days" and not case.clock.stops:
                # the co-department's own limit: held to its earliest end (HELD_BY)
                assert st.opened is not None
                due = self.held("step", self.day_of(st.opened), limit[0], due)
            moment = self.midnight_after(due)
            if best is None or moment < best.at:
                best = Timer(moment, "deemed_agreement", sid)
        return best


def progress_to_due(
    calendar: WorkCalendar,
    unit: str,
    start: date,
    due: date,
    at: date,
    *,
    stops: Sequence[ClockStop] = (),
    absorbed: Sequence[ClockStop] = (),
) -> Progress:
    """Where a period that is not counted in working days stands on ``at``, against its
    recorded ``due`` date: the counterpart of :func:`~..timelimits.progress`.

    Days are counted in the period's own unit: calendar days for ``calendar_days``
    and ``months`` (民法典 Arts. 201-203; a period in months has no fixed number of
    days, so its days are those up to its due date), working days for limits within
    office hours (``hours``, ``half_days``).  The days of ``stops`` (Art. 45) in
    ``(start, at]`` are not counted; those not ``absorbed`` in ``due`` yet (a stop
    still running) lengthen the period, as they will move its due date.

    ``elapsed`` counts ``(start, at]``; ``remaining`` the days to ``due``, ``-n`` when
    ``at`` is ``n`` days after it; ``elapsed + remaining`` is the period's length, and
    ``fraction_used`` is ``elapsed`` over it (for a period of no days, 1.0 from its due
    day on).  ``overdue``: ``at`` is after ``due``.
    """
    in_days = unit in _CALENDAR_UNITS

    def count(after: date, until: date) -> int:  # the days in (after, until]
        if until <= after:
            return 0
        return (until - after).days if in_days else calendar.workdays_between(after, until)

    def stopped(given: Sequence[ClockStop], until: date) -> int:
        days = 0
        for stop in given:
            first, last = max(stop.start, start + _ONE_DAY), min(stop.end, until)
            days += count(first - _ONE_DAY, last)
        return days

    elapsed = count(start, at) - stopped(stops, at)
    pending = max(stopped(stops, at) - stopped(absorbed, at), 0)
    remaining = (count(at, due) if at <= due else -count(due, at)) + pending
    total = elapsed + remaining
    fraction = elapsed / total if total > 0 else float(at >= due)
    return Progress(
        start=start,
        due=due,
        elapsed=elapsed,
        remaining=remaining,
        fraction_used=fraction,
        overdue=at > due,
        provisional=calendar.is_provisional(min(start, at), max(due, at)),
    )
