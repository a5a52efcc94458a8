"""After the decision: the certificate (制证), delivery (送达) and closing (办结).

Each is done at the matter's open step of that kind (certify, deliver, close), which it
passes; a matter without such a step has the window do it.  The certificate follows a
positive decision once no fee is outstanding, and carries its validity; a refusal is
delivered too.  Without a close step the window closes a case once its decision (and
certificate) was delivered; no step may still be open and no clock stop running.

A joint handling may issue several results (``further_results``): each is issued once,
with its own number and validity, by the signers of the certify step of its department,
else at the lead's certify step (统一出件), else at the window
(:class:`~..plan.ResultRule`).  The event names the result (``result``), its department
when it is not the lead, and the results still ``outstanding``; a certify step passes
when the last result it issues is issued, and the case is certified (deliverable) when
every result is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from .._wording import suggestion
from ..errors import ActionNotAllowed
from ..model import StepKind
from ..plan import ResultRule
from .case import Case
from .context import Authority, Command, Ctx, Details, Handled, text_detail
from .permissions import kind_actor, on_step, window
from .records import APPROVED, APPROVED_PATH, CERTIFIED, MAIN_RESULT, OPEN, REFUSED
from .steps import specific_done

__all__ = [
    "close",
    "deliver",
    "issue_certificate",
    "may_close",
    "may_deliver",
    "may_issue_certificate",
    "outstanding_results",
    "result_offers",
    "result_step",
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
    refused: ActionNotAllowed | None = None
    for steps in dict.fromkeys(r.steps for r in outstanding_results(ctx, case)):
        if step is not None and step not in steps:  # the results of one step
            continue
        try:
            return _issuer(ctx, case, steps if step is None else (step,), actor, day, action)
        except ActionNotAllowed as err:
            refused = refused or err
    if refused is None:  # (an offer for a step that issues nothing still outstanding)
        raise ActionNotAllowed(action, "every result is issued", code="result-issued")
    raise refused


def outstanding_results(ctx: Ctx, case: Case) -> list[ResultRule]:
    """The matter's results not issued on ``case`` yet, in the matter's order."""
    settlement = case.settlement
    issued = settlement.further_results
    return [
        r
        for r in ctx.plan.results.values()
        if (settlement.certificate is None if r.id == MAIN_RESULT else r.id not in issued)
    ]


def result_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``issue_certificate`` is offered once; with several results, once per certify step
    that issues some still outstanding (the window: step ``None``), with their ids."""
    if len(ctx.plan.results) == 1:
        return ((None, ()),)
    by_step: dict[str | None, list[str]] = {}
    for r in outstanding_results(ctx, case):  # (each bound to one step, or the window)
        by_step.setdefault(r.steps[0] if r.steps else None, []).append(r.id)
    return [(sid, tuple(ids)) for sid, ids in by_step.items()]


def _issuer(
    ctx: Ctx, case: Case, steps: tuple[str, ...], actor: str, day: date, action: str
) -> Authority:
    """Who may issue a result at the first open one of certify ``steps``, or at the
    window (``()``)."""
    plan = ctx.plan
    if not steps:
        return Authority(None, window(plan, case, actor, day, action))
    for sid in steps:
        st = case.steps.get(sid)
        if st is not None and st.status is OPEN:
            return Authority(sid, on_step(plan, case, sid, actor, day, action))
    opened = f" (open: {', '.join(case.open_steps)})" if case.open_steps else ""
    raise ActionNotAllowed(
        action, f"step {steps[0]!r}, where this is done, is not open{opened}",
        code="step-not-open",
    )  # fmt: skip


def may_deliver(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """A certificate issued, or a refusal not yet delivered, at the deliver step."""
    status = case.status
    if status is not CERTIFIED and not (status is REFUSED and case.settlement.delivered is None):
        why = f"the case is {status.value}"
        if status is APPROVED:
            left = [r.id for r in outstanding_results(ctx, case)]
            why = "issue the certificate first" + (
                f" (still to issue: {', '.join(left)})" if len(ctx.plan.results) > 1 else ""
            )
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
    """The certificate ``number`` of the ``result`` named (the main one when the matter
    has only one), valid as that result's ``validity`` says.

    Raises:
        ActionNotAllowed: ``result`` missing while the matter has several
            (``detail-required``), not declared (``unknown-result``) or issued already
            (``result-issued``); the actor may not issue that result (the codes of
            :func:`may_issue_certificate`).
    """
    results = ctx.plan.results
    rule = _chosen(ctx, case, cmd.details, cmd.action)
    number = text_detail(cmd.details.get("number"), "the certificate number", cmd.action)
    valid_until = ctx.clocks.valid_until(rule.validity, cmd.at.date())
    details: Details = {
        "number": number,
        "valid_until": valid_until.isoformat() if valid_until else None,
    }
    if len(results) == 1:
        return specific_done(ctx, case, cmd, auth, details)
    # ``auth`` is the authority at the step issuing ``rule`` (:func:`result_step`)
    details["result"] = rule.id
    if rule.department != ctx.plan.matter.lead_department:
        details["department"] = rule.department
    left = [r for r in outstanding_results(ctx, case) if r.id != rule.id]
    if left:
        details["outstanding"] = [r.id for r in left]
    # the step passes with the last result it issues
    passes = not any(auth.step in r.steps for r in left)
    return specific_done(ctx, case, cmd, auth, details, passes=passes)


def result_step(ctx: Ctx, case: Case, details: Mapping[str, Any], action: str) -> str | None:
    """Where the result ``details`` name is issued: the step whose authority
    :func:`may_issue_certificate` judges, for ``act`` and ``replay`` alike (``None``:
    one result issued at whichever certify step is open, or the window).

    Raises:
        ActionNotAllowed: the refusals of :func:`issue_certificate` about ``result``.
    """
    steps = _chosen(ctx, case, details, action).steps
    return steps[0] if len(steps) == 1 else None


def _chosen(ctx: Ctx, case: Case, details: Mapping[str, Any], action: str) -> ResultRule:
    """The result an action issues (its ``result`` detail), not issued yet."""
    results = ctx.plan.results
    raw = details.get("result")
    if raw is None and len(results) == 1:
        return results[MAIN_RESULT]
    outstanding = [r.id for r in outstanding_results(ctx, case)]
    rid = text_detail(raw, "which result (result: " + " or ".join(outstanding) + ")", action)
    rule = results.get(rid or "")
    if rule is None:
        raise ActionNotAllowed(
            action,
            f"the matter issues no result {rid!r} (it issues: {', '.join(results)})"
            + suggestion(rid or "", results),
            code="unknown-result",
        )
    if rid not in outstanding:
        raise ActionNotAllowed(
            action, f"result {rid!r} ({rule.name}) was issued already",
            code="result-issued",
        )  # fmt: skip
    return rule


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
