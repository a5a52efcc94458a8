"""The actions that move due dates: clock stops (Art. 45) and the one extension (Art. 42).

A clock stop (听证、招标、检验、专家评审 … or a kind the matter declares) starts on the
day of ``start_clock_stop``, with the notice to the applicant and the working days it
needs (``needed_days``, bounded by the matter's ``stop_limits``), and ends on the day
of ``end_clock_stop``, both counted as stopped; stops of different kinds may run at
once (each day counted once).
Ending it re-dates every due date of the case and of its open steps.  The extension
is granted once, on or before the statutory due date, by the role the matter names;
the statutory due date moves, the promised one too unless the extension's ``scope``
is ``statutory``.  The dates themselves come from :class:`~.clocks.Clocks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from ..errors import ActionNotAllowed, CaseDataError
from ..model import MAX_WORKING_DAYS
from .case import Case
from .context import Authority, Command, Ctx, Details, Handled, acting_for, text_detail
from .permissions import authority, impartial, open_step_handler
from .records import APPROVED, IN_REVIEW

__all__ = [
    "end_clock_stop",
    "end_stop_offers",
    "extend",
    "may_extend",
    "may_stop_clock",
    "start_clock_stop",
    "stop_offers",
]


def may_stop_clock(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """Handlers of an open step start a stop (in review or approved; while none runs,
    the day after the last one ended; beside running ones of other kinds) and end it;
    who started a running stop may end it too.
    """
    active = case.clock.active_stop
    if action == "start_clock_stop":
        if case.status not in (IN_REVIEW, APPROVED):
            raise ActionNotAllowed(
                action, f"no period runs while the case is {case.status.value}",
                code="wrong-status",
            )  # fmt: skip
        stops = case.clock.stops
        if active is None and stops and day <= stops[-1].end:
            # stops count whole days and may not overlap (Art. 45 periods)
            raise ActionNotAllowed(
                action, f"the last clock stop ended on {stops[-1].end}; a new one can "
                "start the next day", code="stop-overlaps",
            )  # fmt: skip
    elif active is None:
        raise ActionNotAllowed(action, "no clock stop is running", code="no-clock-stop")
    handler = open_step_handler(ctx.plan, case, actor, day, action)
    if handler is not None:
        return handler
    if any(actor == s.by for s in case.clock.running_stops):
        return Authority(None, actor)
    raise ActionNotAllowed(action, f"{actor} handles none of the open steps", code="not-a-signer")


def may_extend(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """The approver of extensions, once, in review, on or before the statutory due date."""
    plan = ctx.plan
    if plan.extension is None:
        raise ActionNotAllowed(
            action, f"matter {plan.matter.id!r} allows no extension", code="no-extension"
        )
    if case.status is not IN_REVIEW:
        raise ActionNotAllowed(
            action, "only an accepted case not yet decided can be extended "
            f"(it is {case.status.value})", code="wrong-status",
        )  # fmt: skip
    if case.clock.extension is not None:
        raise ActionNotAllowed(
            action, "the case was already extended; the law allows one extension",
            code="already-extended",
        )  # fmt: skip
    due = case.clock.statutory_due
    assert due is not None
    if day > due:
        raise ActionNotAllowed(
            action, f"the statutory deadline {due} has passed; extend on or before it",
            code="extension-too-late",
        )  # fmt: skip
    approver = authority(case, plan.extenders, plan.extender_backups, actor, day)
    if approver is None:
        raise ActionNotAllowed(
            action, f"{actor} does not hold the role {plan.extension[1]!r} that approves "
            "extensions", code="not-authorised",
        )  # fmt: skip
    impartial(case, actor, action)
    return Authority(None, approver)


def start_clock_stop(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """A stop of ``kind`` starts today, with the written ``notice`` to the applicant and
    the time it needs (``needed_days``, working days: Art. 45 所需时间), at most the
    matter's ``stop_limits`` for the kind (``stop-too-long``)."""
    kinds = ctx.plan.stop_kinds
    kind = cmd.details.get("kind")
    if kind not in kinds:
        raise ActionNotAllowed(
            cmd.action,
            f"{kind!r} is not a period the law or this matter excludes ({', '.join(kinds)})",
            code="bad-stop-kind",
        )
    if any(s.kind == kind for s in case.clock.running_stops):
        raise ActionNotAllowed(
            cmd.action, f"a {kind} stop is already running; end it first", code="clock-stopped"
        )
    notice = text_detail(
        cmd.details.get("notice"), "the written notice to the applicant (Art. 45)", cmd.action
    )
    needed = _needed_days(cmd)
    most = ctx.plan.matter.time_limits.stop_limit(kind)
    if most is not None and needed > most:
        raise ActionNotAllowed(
            cmd.action,
            f"a {kind} stop may need at most {most} working days (stop_limits); "
            f"{needed} were asked",
            code="stop-too-long",
        )
    details: Details = {"kind": kind, "notice": notice, "needed_days": needed}
    return acting_for(details, auth, cmd.actor), None


def _needed_days(cmd: Command) -> int:
    """The ``needed_days`` detail: a whole number of working days, 1 to 250."""
    value = cmd.details.get("needed_days")
    if value is None:
        raise ActionNotAllowed(
            cmd.action,
            "the time the stop needs (needed_days, working days) is required: the notice "
            "tells the applicant (Art. 45 所需时间)",
            code="detail-required",
        )
    if type(value) is not int or not 1 <= value <= MAX_WORKING_DAYS:
        raise CaseDataError(
            f"{cmd.action}: needed_days must be a whole number of working days from 1 to "
            f"{MAX_WORKING_DAYS}, not {value!r}"
        )
    return value


def end_clock_stop(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """The stop ends today (``kind``: which one, when several run); every due date of
    the case and its open steps moves."""
    clocks = ctx.clocks
    clock = case.clock
    running = clock.running_stops
    kind = cmd.details.get("kind")
    if kind is None and len(running) > 1:
        raise ActionNotAllowed(
            cmd.action,
            "several stops run (" + ", ".join(s.kind for s in running) + "): say which ends (kind)",
            code="detail-required",
        )
    if kind is not None and not any(s.kind == kind for s in running):
        raise ActionNotAllowed(
            cmd.action, f"no {kind!r} stop is running", code="no-clock-stop"
        )  # fmt: skip
    extension = clock.extension.days if clock.extension else 0
    promised = ctx.plan.matter.time_limits.promised_extension(extension)
    details: Details = {
        "due": clocks.case_dues(
            case,
            cmd.at,
            extension,
            promised,
            joint=ctx.plan.matter.time_limits.joint_handling,
            certificate_days=ctx.plan.certificate_days,
        ),
        "steps": clocks.step_dues(ctx.plan, case, cmd.at),
    }
    notice = text_detail(cmd.details.get("notice"), "notice", cmd.action, required=False)
    if notice:
        details["notice"] = notice
    if kind is not None:
        details["kind"] = kind
    return acting_for(details, auth, cmd.actor), None


def extend(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """延期: the statutory due date moves by the matter's extension, the promised one too
    unless the extension's ``scope`` is ``statutory``."""
    reason = text_detail(cmd.details.get("reason"), "a reason (told to the applicant)", cmd.action)
    extension = ctx.plan.extension
    assert extension is not None
    days = extension[0]
    details: Details = {
        "days": days,
        "reason": reason,
        "due": ctx.clocks.case_dues(
            case,
            cmd.at,
            days,
            ctx.plan.matter.time_limits.promised_extension(days),
            joint=ctx.plan.matter.time_limits.joint_handling,
            certificate_days=ctx.plan.certificate_days,
        ),
    }
    acting_for(details, auth, cmd.actor)
    return details, None


def end_stop_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``end_clock_stop`` is offered with the running stops' kinds when several run."""
    running = case.clock.running_stops
    return ((None, tuple(s.kind for s in running) if len(running) > 1 else ()),)


def stop_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``start_clock_stop`` is offered with the kinds of stop allowed and not running."""
    running = {s.kind for s in case.clock.running_stops}
    return ((None, tuple(k for k in ctx.plan.stop_kinds if k not in running)),)
