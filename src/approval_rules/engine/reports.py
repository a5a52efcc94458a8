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
from datetime import date
from types import MappingProxyType
from typing import Any

from ..errors import ActionNotAllowed
from ..plan import Limit
from ..timelimits import CERTIFICATE_DAYS, CORRECTION_NOTICE_DAYS, ClockStop, progress
from .actions import REGISTRY
from .case import Case
from .context import ActionSpec, Ctx
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
            that may be waived.
    """

    action: str
    step: str | None
    actors: tuple[str, ...]
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Deadline:
    """Where one period stands on a day.

    Attributes:
        name: ``correction_notice``, ``statutory``, ``promised``, ``certificate`` or
            a step id.
        start: the day the period runs from (not counted).
        due: the last day (as recorded in the case).
        limit: working days in the period (extension included), ``None`` for limits
            in hours or half days.
        elapsed: working days counted so far (stopped days excluded).
        remaining: working days left; negative when overdue.
        fraction_used: ``elapsed / limit``.
        overdue: the day is after ``due`` and the period had not ended by then.
        ended: the day the period stopped running (decision, delivery, closing …).
        stopped: a clock stop is running.
        provisional: the answer depends on a year without official calendar data.
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
        }


def available_actions(ctx: Ctx, case: Case, day: date) -> list[AvailableAction]:
    """What each person may do on ``case`` on ``day`` (clock events already recorded).

    Every action of the registry, in its order, with each offer it makes and everyone
    its check lets through; the step actions together for each open step, in the
    order the steps opened.  Backups appear only while their principal is recorded
    absent.
    """
    if case.is_terminal:
        return []
    people = [p for p in dict.fromkeys((*ctx.plan.staff, case.intake.applicant_id)) if p != SYSTEM]
    out: list[AvailableAction] = []

    def offer(spec: ActionSpec, step: str | None, choices: Sequence[str]) -> None:
        actors: list[str] = []
        for person in people:
            try:
                spec.check(ctx, case, spec.name, step, person, day)
            except ActionNotAllowed:
                continue
            actors.append(person)
        if actors:
            out.append(AvailableAction(spec.name, step, tuple(actors), tuple(choices)))

    step_specs = [spec for spec in REGISTRY.values() if spec.per_step]
    for spec in REGISTRY.values():
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
            return Deadline(
                name, start, due, total, p.elapsed, total - p.elapsed, p.fraction_used,
                on > due, until, running, p.provisional,
            )  # fmt: skip
        elapsed = calendar.workdays_between(start, on) if on > start else 0
        left = calendar.workdays_between(on, due) if due > on else 0
        return Deadline(
            name, start, due, None, elapsed, left if on <= due else -elapsed,
            1.0 if on >= due else 0.0, on > due, until, running,
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
            decided or ended, ext,
        )  # fmt: skip
        refused = decided if case.status is REFUSED else None
        promised = period(
            "promised", case.accepted_on, clock.promised_limit, clock.promised_due,
            case.settlement.closed or refused or ended, ext,
        )  # fmt: skip
    if clock.certificate_due is not None and decided is not None:
        certificate = period(
            "certificate", decided,
            (ctx.plan.matter.result.issue_within or CERTIFICATE_DAYS, "working_days"),
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
    return Deadlines(
        day, notice, statutory, promised, certificate, MappingProxyType(steps), makeup, stopped
    )
