"""The review of an accepted case: passing steps, sending back, refusing, the decision.

A step's signers (or their backups while they are absent) pass it, send the case back
to a step it declares, or refuse the application where the step may.  Passing the last
deciding step makes the positive decision: it assesses the fees and sets the
certificate's due date.  A co-department step deemed agreed on timeout is passed the
same way by the system (:func:`deem`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from ..errors import ActionNotAllowed, CaseDataError
from ..model import StepKind
from ..plan import MatterPlan
from .bounds import blank
from .case import Case
from .clocks import Timer
from .context import Authority, Command, Ctx, Details, Handled, acting_for, text_detail
from .cosigning import cosign, may_cosign
from .evolve import signed_state, step_map, vetoed_steps
from .fees import assess
from .permissions import on_step, separation
from .records import (
    BEFORE_ACCEPTANCE,
    DEEMED,
    DONE,
    IN_REVIEW,
    OPEN,
    PASSED,
    SYSTEM,
    StepState,
    StepStatus,
)
from .steps import complete_step, send_back

__all__ = [
    "decide_on_step",
    "deem",
    "may_pass",
    "may_refuse",
    "may_send_back",
    "pass_step",
    "refuse",
    "send_back_offers",
    "send_back_step",
    "send_back_targets",
    "step_offers",
]


def _done(steps: Mapping[str, StepState], sid: str) -> bool:
    st = steps.get(sid)
    return st is not None and st.status in DONE


def _on_open_step(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> str:
    """Whom ``actor`` acts for on the open step ``step`` of an accepted case."""
    if case.status in BEFORE_ACCEPTANCE:
        raise ActionNotAllowed(
            action, "the case is not accepted yet: accept it, request a correction or "
            "refuse to accept it", code="not-accepted-yet",
        )  # fmt: skip
    assert step is not None
    st = case.steps.get(step)
    if st is None or st.status is not OPEN:
        state = "pending" if st is None else st.status.value
        raise ActionNotAllowed(
            action, f"step {step!r} is not open (it is {state})", code="step-not-open"
        )
    return on_step(ctx.plan, case, step, actor, day, action)


def _may_decide(plan: MatterPlan, case: Case, step: str, action: str) -> None:
    if case.intake.gaps:
        raise ActionNotAllowed(
            action,
            "tolerated materials are still missing: " + ", ".join(case.intake.gaps),
            code="materials-outstanding",
        )
    steps = case.steps
    pending = [a for a in plan.decision_ancestors[step] if not _done(steps, a)]
    if pending:
        raise ActionNotAllowed(
            action, "earlier steps are not done: " + ", ".join(pending), code="steps-pending"
        )


def may_pass(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """The step's signers pass an open step, once what it waits for allows it.

    Steps of kind certify, deliver and close have their own action; a fee step needs
    the fees settled; a step separate from another needs another signer; a deciding
    step needs every earlier step done and every tolerated gap supplied.
    """
    principal = _on_open_step(ctx, case, action, step, actor, day)
    assert step is not None
    rule = ctx.plan.steps[step]
    if rule.plain:  # none of the checks below applies
        return Authority(step, principal)
    if rule.completed_by != "pass":
        raise ActionNotAllowed(
            action, f"step {step!r} is completed with {rule.completed_by!r}",
            code="use-specific-action",
        )  # fmt: skip
    if rule.cosigned:
        principal = may_cosign(rule, case, step, actor, principal, day, action)
    settlement = case.settlement
    if rule.fee and settlement.fees and settlement.outstanding > 0:
        raise ActionNotAllowed(
            action, f"fees of {settlement.outstanding} yuan are not paid",
            code="fees-outstanding",
        )  # fmt: skip
    if rule.separate_from:
        separation(ctx.plan, case, step, actor, principal, action)
    if rule.deciding:
        _may_decide(ctx.plan, case, step, action)
    return Authority(step, principal)


def send_back_targets(plan: MatterPlan, case: Case, step: str) -> list[str]:
    """Where ``step`` may send the case back now (not before a decision made already)."""
    targets = list(plan.steps[step].send_back_to)
    if case.decision is not None:
        decided = case.decision.step
        before = plan.decision_ancestors.get(decided, ())
        targets = [t for t in targets if t != decided and t not in before]
    return targets


def may_send_back(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """The step's signers send the case back to a step it declares."""
    principal = _on_open_step(ctx, case, action, step, actor, day)
    assert step is not None
    if not send_back_targets(ctx.plan, case, step):
        raise ActionNotAllowed(
            action, f"step {step!r} may not send the case back"
            + (" before its decision" if ctx.plan.steps[step].send_back_to else ""),
            code="no-send-back",
        )  # fmt: skip
    return Authority(step, principal)


def may_refuse(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """Signers of a step that may refuse (``can_refuse`` or ``decides``), in review."""
    principal = _on_open_step(ctx, case, action, step, actor, day)
    assert step is not None
    if not ctx.plan.steps[step].refusable or case.status is not IN_REVIEW:
        raise ActionNotAllowed(
            action, f"step {step!r} may not refuse the application", code="cannot-refuse"
        )
    separation(ctx.plan, case, step, actor, principal, action)
    return Authority(step, principal)


# --------------------------------------------------------------------------- handlers


def _decide(
    ctx: Ctx, case: Case, steps: dict[str, StepState], sid: str, moment: datetime, d: Details
) -> None:
    """The approval in ``d`` once passing the deciding step ``sid`` left every deciding
    step done.
    """
    plan = ctx.plan
    if case.decision is not None:
        return
    if not all(_done(steps, other) for other in plan.deciding):
        return
    if plan.matter.fees_assessed == "acceptance":  # assessed when the case was accepted
        fees = dict(case.settlement.fees)
    else:
        fees = assess(plan, case.intake.applicant) if plan.fees else {}
    d["decision"] = {
        "step": sid,
        "fees": {k: str(v) for k, v in fees.items()},
        # Art. 44: the certificate is due 10 working days after the decision (or the
        # matter's own period); in a joint handling, within the 45 days too (Art. 42 ¶2
        # bounds the whole handling)
        "certificate_due": ctx.clocks.certificate_due(
            moment.date(),
            case.clock.stops,
            case.clock.statutory_due if plan.matter.time_limits.joint_handling else None,
            plan.certificate_days,
        ),
    }
    commitment = plan.matter.commitment
    if case.commitment is not None and commitment is not None:  # 告知承诺制: 事后核查
        d["check_due"] = ctx.clocks.check_due(moment.date(), commitment.check_within).isoformat()


def _passed(
    ctx: Ctx, case: Case, sid: str, status: StepStatus, moment: datetime, stamp: str,
    actor: str, details: Details,
) -> Handled:  # fmt: skip
    steps = complete_step(ctx, case, sid, status, moment, stamp, actor, details)
    if ctx.plan.steps[sid].deciding:
        _decide(ctx, case, steps, sid, moment, details)
    return details, steps


def decide_on_step(
    ctx: Ctx, case: Case, sid: str, moment: datetime, stamp: str, actor: str, details: Details
) -> Handled:
    """The deciding step ``sid`` passed by ``actor`` with the approval (on commitment:
    :mod:`.commitment`, the one way a decision is computed)."""
    return _passed(ctx, case, sid, PASSED, moment, stamp, actor, details)


def pass_step(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """Pass the step, with an ``opinion``; a co-department may answer ``agree: false``."""
    sid = auth.step
    assert sid is not None
    d = cmd.details
    details: Details = {"step": sid}
    acting_for(details, auth, cmd.actor)
    opinion = d.get("opinion")
    if opinion is not None:
        opinion = text_detail(opinion, "opinion", cmd.action, required=False)
    agree = d.get("agree", True)
    if not isinstance(agree, bool):
        raise CaseDataError(f"pass: agree must be true or false, not {agree!r}")
    rule = ctx.plan.steps[sid]
    if not agree:
        if rule.kind is not StepKind.CO_REVIEW or rule.cosigned:
            raise ActionNotAllowed(
                cmd.action, "only a co-department review answers 'disagree'; refuse or "
                "send back instead", code="cannot-disagree",
            )  # fmt: skip
        if opinion is None:
            raise ActionNotAllowed(
                cmd.action, "a co-department that disagrees must give its reasons "
                "(opinion)", code="detail-required",
            )  # fmt: skip
        details["agree"] = False
    if opinion:
        details["opinion"] = opinion
    if not agree and rule.veto:  # 一票否决: the review ends, the application is refused
        details["veto"] = True
        return details, vetoed_steps(step_map(case), sid, cmd.actor, details)
    if rule.cosigned and not cosign(rule, case, sid, auth.principal, details):
        steps = step_map(case)  # signatures still missing: the step stays open
        steps[sid] = signed_state(steps[sid], cmd.actor, details)
        return details, steps
    return _passed(ctx, case, sid, PASSED, cmd.at, cmd.stamp, cmd.actor, details)


def deem(ctx: Ctx, case: Case, timer: Timer) -> Handled:
    """视为同意: the system passes a co-department step whose limit ran out."""
    assert timer.step is not None
    stamp = timer.at.isoformat()
    details: Details = {"step": timer.step}
    return _passed(ctx, case, timer.step, DEEMED, timer.at, stamp, SYSTEM, details)


def refuse(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """不予许可, with the ``reasons`` (required)."""
    raw = cmd.details.get("reasons")
    reasons = [raw] if isinstance(raw, str) else list(raw or [])
    if not all(isinstance(r, str) for r in reasons):
        raise CaseDataError("refuse: reasons must be texts")
    reasons = [r.strip() for r in reasons if not blank(r)]
    if not reasons:
        raise ActionNotAllowed(
            cmd.action, "a refusal must state its reasons", code="detail-required"
        )
    details: Details = {"step": auth.step, "reasons": reasons}
    acting_for(details, auth, cmd.actor)
    return details, None


def send_back_step(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """Send the case back ``to`` a declared step, with a ``reason``."""
    sid = auth.step
    assert sid is not None
    targets = send_back_targets(ctx.plan, case, sid)
    target = cmd.details.get("to")
    if target is None and len(targets) == 1:
        target = targets[0]
    if target not in targets:
        raise ActionNotAllowed(
            cmd.action,
            f"step {sid!r} may send the case back to {', '.join(targets)}, not {target!r}",
            code="bad-target",
        )
    assert isinstance(target, str)
    reason = text_detail(cmd.details.get("reason"), "a reason", cmd.action)
    steps, redo = send_back(ctx, case, sid, target, cmd.at, cmd.stamp)
    details: Details = {"step": sid, "to": target, "reason": reason, **redo}
    acting_for(details, auth, cmd.actor)
    return details, steps


def step_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """A step action is offered on each open step."""
    return ((sid, ()) for sid in case.open_steps)


def send_back_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``send_back`` is offered on each open step with the steps it may send back to."""
    return ((sid, send_back_targets(ctx.plan, case, sid)) for sid in case.open_steps)
