"""After the decision: the certificate (制证), delivery (送达) and closing (办结).

Each is done at the matter's open step of that kind (certify, deliver, close), which it
passes; a matter without such a step has the window do it.  The certificate follows a
positive decision once no fee is outstanding, and carries its validity; a refusal is
delivered too.  Without a close step the window closes a case once its decision (and
certificate) was delivered; no step may still be open and no clock stop running.
"""

from __future__ import annotations

from datetime import date

from ..errors import ActionNotAllowed
from ..model import StepKind
from .case import Case
from .context import Authority, Command, Ctx, Details, Handled, text_detail
from .permissions import kind_actor
from .records import APPROVED, APPROVED_PATH, CERTIFIED, OPEN, REFUSED
from .steps import specific_done

__all__ = [
    "close",
    "deliver",
    "issue_certificate",
    "may_close",
    "may_deliver",
    "may_issue_certificate",
]


def may_issue_certificate(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """An approved case with nothing outstanding, at the certify step (or the window)."""
    if case.status is not APPROVED:
        raise ActionNotAllowed(
            action, "a certificate follows a positive decision "
            f"(the case is {case.status.value})", code="wrong-status",
        )  # fmt: skip
    if case.settlement.outstanding > 0:
        raise ActionNotAllowed(
            action, f"fees of {case.settlement.outstanding} yuan are not paid",
            code="fees-outstanding",
        )  # fmt: skip
    return kind_actor(ctx.plan, case, StepKind.CERTIFY, actor, day, action)


def may_deliver(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """A certificate issued, or a refusal not yet delivered, at the deliver step."""
    status = case.status
    if status is not CERTIFIED and not (status is REFUSED and case.settlement.delivered is None):
        why = "issue the certificate first" if status is APPROVED else f"the case is {status.value}"
        raise ActionNotAllowed(action, f"nothing to deliver: {why}", code="wrong-status")
    return kind_actor(ctx.plan, case, StepKind.DELIVER, actor, day, action)


def may_close(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """A decided case, delivered unless a close step orders the work; nothing else open."""
    status = case.status
    approved = status in APPROVED_PATH
    if not approved and status is not REFUSED:
        raise ActionNotAllowed(
            action, f"a case is closed after its decision (it is {status.value})",
            code="wrong-status",
        )  # fmt: skip
    # Without a close step the window closes the case once the decision (and the
    # certificate) has been delivered; with one, the process orders what comes first.
    if case.settlement.delivered is None and (
        not approved or StepKind.CLOSE not in ctx.plan.by_kind
    ):
        raise ActionNotAllowed(
            action, "deliver the decision before closing the case", code="not-delivered"
        )
    if case.clock.active_stop is not None:
        raise ActionNotAllowed(action, "a clock stop is running", code="clock-stopped")
    auth = kind_actor(ctx.plan, case, StepKind.CLOSE, actor, day, action)
    if approved:
        others = [s for s, st in case.steps.items() if st.status is OPEN and s != auth.step]
        if others:
            raise ActionNotAllowed(
                action, "steps are still open: " + ", ".join(others), code="steps-open"
            )
    return auth


def issue_certificate(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """The certificate ``number``, valid as the matter's ``result.validity`` says."""
    number = text_detail(cmd.details.get("number"), "the certificate number", cmd.action)
    valid_until = ctx.clocks.valid_until(ctx.plan.validity, cmd.at.date())
    details: Details = {
        "number": number,
        "valid_until": valid_until.isoformat() if valid_until else None,
    }
    return specific_done(ctx, case, cmd, auth, details)


def deliver(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """Delivered (签收), ``signed_by`` whoever received it."""
    details: Details = {}
    signed = text_detail(cmd.details.get("signed_by"), "signed_by", cmd.action, required=False)
    if signed:
        details["signed_by"] = signed
    return specific_done(ctx, case, cmd, auth, details)


def close(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """办结."""
    return specific_done(ctx, case, cmd, auth, {})
