"""Who may act: signers, AB岗 backups while their principal is absent, separation of duties.

Every check of every action asks here whether a person may act on a step (or as the
acceptance window, or on the step of a kind that does the post-decision work), and for
whom: themself, or an absent signer they back up.  Absences are recorded per case by
``record_absence``, whose check and handler live here too: the person themself or a
colleague of their department, never their own backup (nobody declares someone
absent to act in their place).

People's absences are also data about people, for every case: an
:class:`AbsenceCalendar` (a store's calendar) handed to the checks for the length of
one call through a context variable (:func:`absences_from`;
:meth:`~.facade.Engine.with_absences` binds one to an engine).  A principal is absent
on a day when the case's record or the calendar says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any, Protocol

from ..errors import ActionNotAllowed
from ..model import StepKind
from ..plan import MatterPlan
from .case import Case
from .context import Authority, Command, Ctx, Details, Handled, day_detail, text_detail
from .records import OPEN, REFUSED

__all__ = [
    "AbsenceCalendar",
    "absence_offers",
    "absences_from",
    "authority",
    "impartial",
    "kind_actor",
    "may_record_absence",
    "on_step",
    "open_step_handler",
    "record_absence",
    "separation",
    "window",
]


class AbsenceCalendar(Protocol):
    """People's absences, for every case (a store's calendar is one)."""

    def absent(self, person: str, day: date) -> bool:
        """Whether ``person`` is absent on ``day``."""
        ...


_CALENDAR: ContextVar[AbsenceCalendar | None] = ContextVar("absence_calendar", default=None)


@contextmanager
def absences_from(calendar: AbsenceCalendar | None) -> Iterator[None]:
    """Within the block, the permission checks also read ``calendar``."""
    token = _CALENDAR.set(calendar)
    try:
        yield
    finally:
        _CALENDAR.reset(token)


def _absent(case: Case, person: str, day: date) -> bool:
    if any(a.person == person and a.start <= day <= a.end for a in case.absences):
        return True
    calendar = _CALENDAR.get()
    return calendar is not None and calendar.absent(person, day)


def authority(
    case: Case,
    allowed: frozenset[str],
    backups: Mapping[str, tuple[str, ...]],
    actor: str,
    day: date,
) -> str | None:
    """Whom ``actor`` acts for: themself, or an absent principal they back up; else None."""
    if actor in allowed:
        return actor
    for principal in backups.get(actor, ()):
        if _absent(case, principal, day):
            return principal
    return None


def impartial(case: Case, actor: str, action: str) -> None:
    """Refuse the applicant handling their own application (a conflict of interest):
    a member of staff who applied may not accept, review, decide or settle it.  Where
    they are the only signer of a step, their absence (回避) is recorded by a colleague
    and their AB岗 backup acts.

    Raises:
        ActionNotAllowed: ``conflict-of-interest``.
    """
    if actor == case.intake.applicant_id:
        raise ActionNotAllowed(
            action,
            f"{actor} is the applicant of case {case.id} and may not handle it "
            "(conflict of interest); another signer or their backup acts",
            code="conflict-of-interest",
        )


def open_step_handler(
    plan: MatterPlan, case: Case, actor: str, day: date, action: str
) -> Authority | None:
    """``actor`` as a handler of one of the case's open steps on ``day`` (a signer, or a
    backup standing in for an absent one), checked for impartiality; ``None`` if they
    handle none of them.  For actions on the case as a whole (a clock stop, an
    applicant's delay) that any handler of the running review may take."""
    for sid in case.open_steps:
        rule = plan.steps[sid]
        handler = authority(case, rule.signer_set, rule.backups, actor, day)
        if handler is not None:
            impartial(case, actor, action)
            return Authority(None, handler)
    return None


def on_step(plan: MatterPlan, case: Case, sid: str, actor: str, day: date, action: str) -> str:
    """Whom ``actor`` acts for on step ``sid``.

    Raises:
        ActionNotAllowed: the applicant (``conflict-of-interest``), not a signer
            (``not-a-signer``), or a backup whose principals are not recorded absent
            that day (``principal-not-absent``).
    """
    rule = plan.steps[sid]
    principal = authority(case, rule.signer_set, rule.backups, actor, day)
    if principal is not None:
        impartial(case, actor, action)
        return principal
    if actor in rule.backups:
        raise ActionNotAllowed(
            action,
            f"{actor} is a backup on step {sid!r} but none of the people they stand in "
            f"for ({', '.join(rule.backups[actor])}) is recorded absent on {day}",
            code="principal-not-absent",
        )
    raise ActionNotAllowed(
        action,
        f"{actor} is not an authorised signer of step {sid!r} (signers: {', '.join(rule.signers)})",
        code="not-a-signer",
    )


def window(plan: MatterPlan, case: Case, actor: str, day: date, action: str) -> str:
    """Whom ``actor`` acts for at the acceptance window (the start step's people)."""
    return on_step(plan, case, plan.start, actor, day, action)


def kind_actor(
    plan: MatterPlan, case: Case, kind: StepKind, actor: str, day: date, action: str
) -> Authority:
    """Who may do a post-decision action: the open step of that kind, else the window.

    The step acted on is ``None`` when the matter has no step of that kind or the
    case was refused (then the people of that kind's step, or the window, act).

    Raises:
        ActionNotAllowed: the step of that kind is not open (``step-not-open``), or the
            actor may not act there.
    """
    sids = plan.by_kind.get(kind, ())
    if sids and case.status is not REFUSED:
        for sid in sids:
            st = case.steps.get(sid)
            if st is not None and st.status is OPEN:
                return Authority(sid, on_step(plan, case, sid, actor, day, action))
        opened = f" (open: {', '.join(case.open_steps)})" if case.open_steps else ""
        raise ActionNotAllowed(
            action, f"step {sids[0]!r}, where this is done, is not open{opened}",
            code="step-not-open",
        )  # fmt: skip
    for sid in sids:  # a refused case: the people of that step, or the window
        rule = plan.steps[sid]
        principal = authority(case, rule.signer_set, rule.backups, actor, day)
        if principal is not None:
            impartial(case, actor, action)
            return Authority(None, principal)
    return Authority(None, window(plan, case, actor, day, action))


def separation(
    plan: MatterPlan, case: Case, sid: str, actor: str, principal: str, action: str
) -> None:
    """Refuse a signer of a step ``sid`` must be separate from (``separate_from``).

    Raises:
        ActionNotAllowed: ``separation-of-duties``.
    """
    for other in plan.steps[sid].separate_from:
        st = case.steps.get(other)
        if st is None or (st.by is None and not st.signatures):
            continue
        signed = {st.by, st.on_behalf_of}  # and everyone who cosigned it
        signed.update(p for sig in st.signatures for p in (sig.by, sig.on_behalf_of))
        if actor in signed or principal in signed:
            raise ActionNotAllowed(
                action,
                f"{actor} signed step {other!r}, so may not also sign step {sid!r}",
                code="separation-of-duties",
            )


# --------------------------------------------------------------------------- absences


def may_record_absence(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """Anyone who may record somebody's absence in this matter (not the applicant)."""
    if not any(actor in rs for rs in ctx.plan.recorders.values()):
        raise ActionNotAllowed(
            action, f"{actor} may not record absences in this case", code="not-authorised"
        )
    impartial(case, actor, action)
    return Authority(None, actor)


def record_absence(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """The absence of ``person`` from ``start`` to ``end`` (default: today)."""
    d: Mapping[str, Any] = cmd.details
    recorders = ctx.plan.recorders
    person = d.get("person")
    if not isinstance(person, str) or person not in recorders:
        raise ActionNotAllowed(
            cmd.action, f"{person!r} signs no step of this matter", code="unknown-person"
        )
    if cmd.actor not in recorders[person]:
        raise ActionNotAllowed(
            cmd.action,
            f"{cmd.actor} may not record {person}'s absence (the person themself or a "
            "colleague of their department other than their backup may)",
            code="not-authorised",
        )
    start = day_detail(d.get("start", cmd.at.date()), "start", cmd.action)
    end = day_detail(d.get("end", start), "end", cmd.action)
    if end < start:
        raise ActionNotAllowed(
            cmd.action, f"the absence ends ({end}) before it starts ({start})",
            code="bad-period",
        )  # fmt: skip
    details: Details = {"person": person, "start": start.isoformat(), "end": end.isoformat()}
    reason = text_detail(d.get("reason"), "reason", cmd.action, required=False)
    if reason:
        details["reason"] = reason
    return details, None


def absence_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``record_absence`` is offered with the people whose absence may be recorded."""
    return ((None, tuple(ctx.plan.recorders)),)
