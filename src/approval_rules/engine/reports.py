"""What callers read about a case: the actions open to whom, and where its periods stand.

:func:`available_actions` tries every action's check from the one registry on
everyone the case involves, for each offer the action makes: every listed
``(action, actor)`` succeeds with suitable details, and everything else is refused.
:func:`deadlines` reports each period on a day (elapsed, remaining, overdue) from the
due dates the case recorded, counted on the engine's calendar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from ..errors import ActionNotAllowed, CalendarError, CaseDataError
from ..plan import Limit
from ..timelimits import CORRECTION_NOTICE_DAYS, ClockStop, Due, progress
from ..workdays import WorkCalendar
from .actions import REGISTRY, UNDATED
from .case import Case
from .clocks import progress_to_due
from .context import ActionSpec, Command, Ctx, Details
from .records import OPEN, REFUSED, SYSTEM

__all__ = ["AvailableAction", "Deadline", "Deadlines", "available_actions", "deadlines"]


@dataclass(frozen=True, slots=True)
class AvailableAction:
    """An action someone may take now.

    Attributes:
        action: the action name for :meth:`Engine.act`.
        step: the step it acts on (``None`` for case-level actions).
        actors: ids of everyone who may do it now (backups only while the principal
            is recorded absent; the applicant's id for applicant actions).
        choices: the allowed values of the action's main detail: send-back targets,
            clock-stop kinds, people whose absence the actors may record, fee items
            that may be waived, events waiting for a signature (``sign``).
        stands_in_for: ``(backup, principal)`` for each actor who may act only as a
            backup (AB岗): the absent principal they stand in for, recorded as ``for``
            in the event (``dict(a.stands_in_for)`` maps backup → principal).  Actors
            not listed here act in their own name.
    """

    action: str
    step: str | None
    actors: tuple[str, ...]
    choices: tuple[str, ...] = ()
    stands_in_for: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON data: ``{"action", "step", "actors", "choices", "stands_in_for"}``, the
        last an object backup → principal (docs/engine.md, "JSON views")."""
        return {
            "action": self.action,
            "step": self.step,
            "actors": list(self.actors),
            "choices": list(self.choices),
            "stands_in_for": dict(self.stands_in_for),
        }


@dataclass(frozen=True, slots=True)
class Deadline:
    """Where one period stands on a day.

    Attributes:
        name: ``correction_notice``, ``statutory``, ``promised``, ``certificate`` or
            a step id.
        start: the day the period runs from (not counted).
        due: the last day (as recorded in the case).
        limit: working days in the period (extension included), ``None`` for limits
            not in working days (calendar days, months, hours, half days).
        elapsed: days counted so far (stopped days excluded), in the period's own
            unit: working days, or calendar days for a period in calendar days or
            months (:func:`~.clocks.progress_to_due`).
        remaining: days left, alike; ``-n`` when ``n`` days overdue.
        fraction_used: ``elapsed / limit`` (``elapsed / (elapsed + remaining)`` without
            a limit in working days).
        overdue: the day is after ``due`` and the period had not ended by then.
        ended: the day the period stopped running (decision, delivery, closing …).
        stopped: a clock stop is running.
        provisional: the answer depends on a year without official calendar data
            (on the calendar in use, overlays included).
        bounds: for a provisional working-day period, its best estimate and the
            earliest and latest dates the State Council's notice could still produce
            (:class:`~..timelimits.Due`); ``due`` is the bound the obligation is held
            to (:data:`~.clocks.HELD_BY`: the earliest for the office's periods).
            ``None`` when the date cannot move.
    """

    name: str
    start: date
    due: date
    limit: int | None
    elapsed: int
    remaining: int
    fraction_used: float
    overdue: bool
    ended: date | None = None
    stopped: bool = False
    provisional: bool = False
    bounds: Due | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON data."""
        return {
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "limit": self.limit,
            "elapsed": self.elapsed,
            "remaining": self.remaining,
            "fraction_used": round(self.fraction_used, 4),
            "overdue": self.overdue,
            "ended": self.ended.isoformat() if self.ended else None,
            "stopped": self.stopped,
            "provisional": self.provisional,
            "bounds": None if self.bounds is None else self.bounds.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Every running or finished period of a case on one day (:meth:`Engine.deadlines`)."""

    on: date
    correction_notice: Deadline | None
    statutory: Deadline | None
    promised: Deadline | None
    certificate: Deadline | None
    steps: Mapping[str, Deadline]
    makeup_by: date | None
    stopped: bool
    #: The running clock stop against the time its notice said it needs (``needed_days``,
    #: counted from its first day): ``overdue`` when it runs longer (an overrun).
    stop: Deadline | None = None
    #: The later check of a case approved on commitment (告知承诺制, 事后核查), from the
    #: decision to its ``check_within``; it ends when the check is recorded.
    check: Deadline | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON data."""

        def one(d: Deadline | None) -> dict[str, Any] | None:
            return None if d is None else d.to_dict()

        return {
            "on": self.on.isoformat(),
            "correction_notice": one(self.correction_notice),
            "statutory": one(self.statutory),
            "promised": one(self.promised),
            "certificate": one(self.certificate),
            "steps": {k: v.to_dict() for k, v in self.steps.items()},
            "makeup_by": self.makeup_by.isoformat() if self.makeup_by else None,
            "stopped": self.stopped,
            "stop": one(self.stop),
            "check": one(self.check),
        }


#: How far ahead of an action a date it records can lie, at most (see :func:`_all_known`).
_HORIZON: Final = timedelta(days=550)


def _probe_details(spec: ActionSpec, step: str | None, choices: Sequence[str]) -> Details:
    """Details that let a dated action's handler compute the dates it would record."""
    details: dict[str, Any] = {"step": step} if spec.per_step else {}
    for key in spec.details:
        if key in ("to", "kind", "item") and choices:
            details[key] = choices[0]
        elif key in ("reason", "notice", "number", "signed_by"):
            details[key] = "probe"
        elif key == "reasons":
            details[key] = ["probe"]
    return details


def _needs_unknown_year(
    ctx: Ctx, case: Case, spec: ActionSpec, step: str | None, choices: Sequence[str],
    actor: str, at: datetime,
) -> bool:  # fmt: skip
    """Whether doing the offer now would need a year the calendar has no data for.

    The handler runs on probe details (handlers are pure: nothing is recorded); a
    refusal of the probe details themselves says nothing about the calendar.
    """
    if spec.name in UNDATED:
        return False
    auth = spec.check(ctx, case, spec.name, step, actor, at.date())
    details = _probe_details(spec, step, choices)
    if spec.name == "record_payment":
        details["amount"] = str(case.settlement.outstanding)
    elif spec.name == "accept" and case.intake.gaps:
        details["makeup_by"] = at.date().isoformat()  # the dues come before its check
    command = Command(spec.name, at, at.isoformat(), actor, details)
    try:
        spec.handle(ctx, case, command, auth)
    except CalendarError:
        return True
    except (ActionNotAllowed, CaseDataError):
        return False
    return False


def _all_known(ctx: Ctx, at: datetime) -> bool:
    """Whether every date an action at ``at`` can need is known: the calendar answers
    for any year (provisional), or covers every year up to :data:`_HORIZON` after
    ``at``.  No period reaches further: a due date lies at most its limit after ``at``
    (stops only push the start), and limits are bounded (``model.MAX_LIMIT``: 250
    working days or the equivalent, an extension ``MAX_EXTENSION`` = 60, the
    certificate's 10: 320 working days, about 470 calendar days at 250 a year).
    """
    calendar = ctx.clocks.calendar
    if calendar.provisional:
        return True
    years = calendar.years
    last = (at + _HORIZON).year
    return all(year in years for year in range(at.year, last + 1))


def available_actions(
    ctx: Ctx, case: Case, at: datetime, *, held: bool = False
) -> list[AvailableAction]:
    """What each person may do on ``case`` at ``at`` (clock events already recorded).

    Every action of the registry, in its order, with each offer it makes and everyone
    its check lets through; the step actions together for each open step, in the
    order the steps opened.  Backups appear only while their principal is recorded
    absent.  An offer whose dates fall in a year the calendar has no data for is left
    out (its handler is probed); with ``held`` (a clock event waits for such a year)
    only the :data:`~.actions.UNDATED` actions are offered.
    """
    ended = case.is_terminal  # only what is done after the end (a rating)
    day = at.date()
    probe = not _all_known(ctx, at)
    people = [p for p in dict.fromkeys((*ctx.plan.staff, case.intake.applicant_id)) if p != SYSTEM]
    out: list[AvailableAction] = []

    def offer(spec: ActionSpec, step: str | None, choices: Sequence[str]) -> None:
        actors: list[str] = []
        backups: list[tuple[str, str]] = []
        for person in people:
            try:
                auth = spec.check(ctx, case, spec.name, step, person, day)
            except (ActionNotAllowed, CalendarError):  # a check may count days too
                continue
            actors.append(person)
            if auth.principal != person:
                backups.append((person, auth.principal))
        if not actors or (held and spec.name not in UNDATED):
            return
        if probe and _needs_unknown_year(ctx, case, spec, step, choices, actors[0], at):
            return
        out.append(AvailableAction(spec.name, step, tuple(actors), tuple(choices), tuple(backups)))

    step_specs = [spec for spec in REGISTRY.values() if spec.per_step]
    for spec in REGISTRY.values():
        if ended and not spec.after_end:
            continue
        if not spec.per_step:
            for step, choices in spec.offers(ctx, case):
                offer(spec, step, choices)
        elif spec is step_specs[0]:
            offers = [(s, dict(s.offers(ctx, case))) for s in step_specs]
            for sid in case.open_steps:
                for step_spec, by_step in offers:
                    if sid in by_step:
                        offer(step_spec, sid, by_step[sid])
    return out


def deadlines(ctx: Ctx, case: Case, day: date) -> Deadlines:
    """The case's periods on ``day`` (see :class:`Deadlines`)."""
    clocks, calendar = ctx.clocks, ctx.clocks.calendar
    stops = clocks.stops(case, day)
    clock = case.clock
    stopped = clock.active_stop is not None
    ext = clock.extension.days if clock.extension else 0
    decided = case.decision.on if case.decision else None
    ended = case.ending.on if case.ending else None

    def period(
        name: str,
        start: date,
        limit: Limit,
        due: date,
        until: date | None,
        extension: int = 0,
        counted: Sequence[ClockStop] = stops,
    ) -> Deadline:
        on = min(day, until) if until is not None else day
        value, unit = limit
        running = stopped and until is None and bool(counted)
        if unit == "working_days":
            p = progress(calendar, start, value, max(on, start), stops=counted, extension=extension)
            total = value + extension
            found = clocks.bounds(limit, start, counted, extension)
            return Deadline(
                name, start, due, total, p.elapsed, total - p.elapsed, p.fraction_used,
                on > due, until, running, p.provisional or found is not None, found,
            )  # fmt: skip
        q = progress_to_due(calendar, unit, start, due, on, stops=counted, absorbed=clock.stops)
        return Deadline(
            name, start, due, None, q.elapsed, q.remaining, q.fraction_used, on > due, until,
            running, q.provisional,
        )  # fmt: skip

    received = clocks.local(case.intake.received).date()
    # the notice window closes with the notice, or when the case was accepted (the
    # day of that event, not the retroactive acceptance day), or when it ended
    window_closed = case.intake.notice.issued if case.intake.notice else None
    if window_closed is None and case.accepted_on is not None:
        accepted_at = clocks.record_before_acceptance(case)[1]
        assert accepted_at is not None
        window_closed = min(accepted_at.date(), clock.notice_due)
    notice = period(
        "correction_notice", received, (CORRECTION_NOTICE_DAYS, "working_days"),
        clock.notice_due, window_closed or ended, counted=(),
    )  # fmt: skip
    statutory = promised = certificate = None
    if case.accepted_on is not None:
        assert clock.statutory_due is not None
        assert clock.promised_due is not None
        statutory = period(
            "statutory", case.accepted_on, clock.statutory_limit, clock.statutory_due,
            case.statutory_end(joint_handling=ctx.plan.matter.time_limits.joint_handling), ext,
        )  # fmt: skip
        refused = decided if case.status is REFUSED else None
        promised = period(
            "promised", case.accepted_on, clock.promised_limit, clock.promised_due,
            case.settlement.closed or refused or ended,
            ctx.plan.matter.time_limits.promised_extension(ext),
        )  # fmt: skip
    if clock.certificate_due is not None and decided is not None:
        certificate = period(
            "certificate", decided,
            (ctx.plan.certificate_days, "working_days"),
            clock.certificate_due,
            case.settlement.delivered,
        )  # fmt: skip
    steps: dict[str, Deadline] = {}
    for sid, st in case.steps.items():
        limit = ctx.plan.step_limit(sid, case.intake.green_channel)
        if st.status is not OPEN or st.due is None or limit is None:
            continue
        assert st.opened is not None
        steps[sid] = period(sid, clocks.day_of(st.opened), limit, st.due, None)
    makeup = case.intake.makeup_by if case.intake.gaps else None
    check = None
    committed, declared = case.commitment, ctx.plan.matter.commitment
    if committed is not None and committed.check_due is not None and declared is not None:
        assert decided is not None
        within = declared.check_within
        check = period(
            "check", decided, (within.value, within.unit), committed.check_due,
            committed.checked_on, counted=(),
        )  # fmt: skip
    return Deadlines(
        day, notice, statutory, promised, certificate, MappingProxyType(steps), makeup, stopped,
        _running_stop(case, calendar, day), check,
    )  # fmt: skip


def _running_stop(case: Case, calendar: WorkCalendar, day: date) -> Deadline | None:
    """The (earliest) running stop's period: from its first day, as long as its notice
    said."""
    active = case.clock.active_stop
    if active is None:
        return None
    needed: int | None = None
    for event in reversed(case.events):
        if event.action == "start_clock_stop" and event.details.get("kind") == active.kind:
            needed = event.details.get("needed_days")
            break
    if needed is None:
        return None  # recorded before needed_days existed
    before = active.start - timedelta(days=1)
    due = calendar.add_workdays(before, needed)
    elapsed = calendar.workdays_between(before, day) if day > before else 0
    return Deadline(
        f"stop:{active.kind}", active.start, due, needed, elapsed, needed - elapsed,
        elapsed / needed, day > due, None, True,
    )  # fmt: skip
