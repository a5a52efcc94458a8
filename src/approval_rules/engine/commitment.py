"""告知承诺制: approval on the applicant's written commitment, and its later check.

An applicant may choose the commitment procedure when the matter declares one
(``commitment:``; :meth:`~.facade.Engine.submit` with ``commitment=True``): the
materials the commitment replaces are not required.  A signer of the deciding step
then accepts and decides on the spot (当场作出决定) in one event,
``accept_on_commitment``: the acceptance step passes, the deciding step opens and
passes with the approval, and the later check (事后核查) is due the matter's
``check_within`` after the decision.  ``record_check`` records the check's finding:
``consistent`` (承诺属实) keeps the approval; ``untrue`` (承诺不实) revokes it (撤销):
the case becomes ``revoked`` and keeps its record (the decision stays, the ending
says who revoked it, when and why).  An applicant who does not choose it follows the
normal procedure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from ..errors import ActionNotAllowed
from .bounds import shown
from .case import Case
from .context import (
    Authority,
    Command,
    Ctx,
    Details,
    Handled,
    acting_for,
    ending_stops,
    text_detail,
)
from .permissions import on_step
from .records import IN_REVIEW, OPEN, RECEIVED, REVOKED, with_fields
from .review import decide_on_step
from .window import acceptance

__all__ = [
    "FINDINGS",
    "accept_on_commitment",
    "check_offers",
    "may_accept_on_commitment",
    "may_record_check",
    "record_check",
    "spot_offers",
]

#: The findings of a later check: the commitment was true, or it was not (撤销).
#: ``untrue``, not ``false``: a finding is a word, not a JSON boolean.
FINDINGS: Final = ("consistent", "untrue")


def _not_on_commitment(case: Case, action: str) -> None:
    if case.commitment is None:
        raise ActionNotAllowed(
            action, "the applicant did not choose the commitment procedure (告知承诺制)",
            code="not-on-commitment",
        )  # fmt: skip


def _deciding(ctx: Ctx, action: str) -> str:
    """The step that decides on the spot (:attr:`~...model.Matter.commitment_step`)."""
    step = ctx.plan.matter.commitment_step
    if step is None:  # a version without one
        raise ActionNotAllowed(
            action, "this version of the matter does not offer the commitment procedure "
            "(告知承诺制)",
            code="no-commitment",
        )  # fmt: skip
    return step.id


def may_accept_on_commitment(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """A signer of the deciding step, on a received case on commitment whose materials
    (apart from those the commitment replaces) are complete."""
    _not_on_commitment(case, action)
    if case.status is not RECEIVED:
        raise ActionNotAllowed(
            action, f"the case is {case.status.value}, not awaiting acceptance", code="wrong-status"
        )
    sid = _deciding(ctx, action)
    principal = on_step(ctx.plan, case, sid, actor, day, action)
    missing = case.intake.missing
    if missing:
        raise ActionNotAllowed(
            action, "the materials are not complete: " + "; ".join(missing),
            code="materials-incomplete",
        )  # fmt: skip
    return Authority(sid, principal)


def accept_on_commitment(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """受理并当场作出准予许可决定, with an optional ``opinion``; the check falls due.

    The event records the acceptance as ``accept`` does (``accepted_on``, ``due``,
    ``passed``, ``open``), then under ``decided`` the deciding step's pass as ``pass``
    does (``step``, ``opinion``, ``open``, ``skip``, ``decision``, ``check_due``).
    """
    sid = auth.step
    assert sid is not None
    details, steps = acceptance(ctx, case, cmd.at, cmd.stamp, cmd.actor, None, auth)
    opened = None if steps is None else steps.get(sid)
    if steps is None or opened is None or opened.status is not OPEN:  # pragma: no cover
        raise ActionNotAllowed(
            cmd.action,
            f"step {sid!r} does not open on acceptance: this version of the matter "
            "cannot decide on the spot under the commitment procedure (告知承诺制)",
            code="no-commitment",
        )
    statutory, promised = (date.fromisoformat(d) for d in details["due"])
    accepted = case._replace(
        status=IN_REVIEW,
        accepted_on=date.fromisoformat(details["accepted_on"]),
        steps=MappingProxyType(steps),
        clock=with_fields(case.clock, statutory_due=statutory, promised_due=promised),
    )
    decided: Details = {"step": sid}
    acting_for(decided, auth, cmd.actor)
    opinion = text_detail(cmd.details.get("opinion"), "opinion", cmd.action, required=False)
    if opinion:
        decided["opinion"] = opinion
    fees = details.get("fees")
    if fees is not None:  # assessed at acceptance: the decision reads them from the case
        settled = {k: Decimal(v) for k, v in sorted(fees.items())}
        accepted = accepted._replace(
            settlement=with_fields(case.settlement, fees=MappingProxyType(settled))
        )
    _, steps = decide_on_step(ctx, accepted, sid, cmd.at, cmd.stamp, cmd.actor, decided)
    details["decided"] = decided
    return details, steps


def may_record_check(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """A signer of the deciding step, once, after an approval on commitment (also after
    the case closed: the check comes later).  A refused application has no later check:
    nothing was granted on the commitment (``not-approved``)."""
    _not_on_commitment(case, action)
    commitment = case.commitment
    assert commitment is not None
    decision = case.decision
    if decision is not None and decision.outcome != "approved":
        raise ActionNotAllowed(
            action, "the application was refused: only an approval on the commitment "
            "procedure (告知承诺制) is checked later", code="not-approved",
        )  # fmt: skip
    if commitment.check_due is None:
        raise ActionNotAllowed(
            action, "the case is not decided yet under the commitment procedure (告知承诺制): "
            "there is nothing to check",
            code="not-decided-on-commitment",
        )  # fmt: skip
    if commitment.finding is not None or case.status is REVOKED:
        raise ActionNotAllowed(
            action, f"the check was recorded on {commitment.checked_on}", code="already-checked"
        )
    principal = on_step(ctx.plan, case, _deciding(ctx, action), actor, day, action)
    return Authority(None, principal)


def record_check(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """事后核查: the ``finding`` (``consistent`` or ``untrue``) and an ``opinion`` (required when
    the commitment was untrue: the reasons of the revocation)."""
    finding = cmd.details.get("finding")
    if finding not in FINDINGS:
        raise ActionNotAllowed(
            cmd.action, f"the finding is one of {', '.join(FINDINGS)}, not {shown(finding)}",
            code="bad-finding",
        )  # fmt: skip
    opinion = text_detail(
        cmd.details.get("opinion"), "an opinion (the reasons of the revocation)", cmd.action,
        required=finding == "untrue",
    )  # fmt: skip
    details: Details = {"finding": finding}
    if opinion:
        details["opinion"] = opinion
    if finding == "untrue":  # 撤销: a clock stop still running ends with the case
        ending_stops(details, case)
    return acting_for(details, auth, cmd.actor), None


def spot_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``accept_on_commitment`` is offered at the window, on a case on commitment only
    (so that other cases cost nothing more to list)."""
    return () if case.commitment is None else ((ctx.plan.start, ()),)


def check_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``record_check`` is offered with its findings once a decision on commitment made
    it due."""
    commitment = case.commitment
    if commitment is None or commitment.check_due is None:
        return ()
    return ((None, FINDINGS),)
