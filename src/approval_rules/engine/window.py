"""The acceptance window (受理): correction, supplements, acceptance, refusal, withdrawal.

Within 5 working days of receipt the window (the start step's signers, or their
backups) issues the one-time correction notice, accepts, or refuses to accept
(Art. 32); without a notice in time the case is accepted by law (deemed acceptance,
dated from receipt).  Acceptance with tolerated gaps (容缺受理) fixes a make-up date no
later than the promised deadline; when it passes with a gap still open, the case is
terminated.  The applicant supplements materials and may withdraw until the decision.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .._wording import suggestion
from ..errors import ActionNotAllowed, CaseDataError
from ..model import MaterialForm
from ..plan import MatterPlan
from .bounds import blank
from .case import Case
from .clocks import Timer
from .context import (
    Authority,
    Command,
    Ctx,
    Details,
    Handled,
    acting_for,
    day_detail,
    ending_stops,
    text_detail,
)
from .evolve import step_map
from .fees import assess
from .intake import check_files, check_materials, outstanding_items
from .permissions import window
from .records import (
    BEFORE_ACCEPTANCE,
    CORRECTION_REQUESTED,
    IN_REVIEW,
    PASSED,
    RECEIVED,
    SYSTEM,
    UNDECIDED,
    Intake,
    Problem,
    paper_after,
)
from .steps import complete_step

__all__ = [
    "accept",
    "acceptance",
    "corrected_acceptance",
    "deemed_acceptance",
    "may_accept",
    "may_supplement",
    "may_withdraw",
    "outstanding_items",
    "refuse_to_accept",
    "request_correction",
    "supplement",
    "terminate",
    "withdraw",
]


def may_accept(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """The window's actions on a received case: ``request_correction`` (once, within the
    notice window), ``accept`` (complete materials; with tolerated gaps, while a
    make-up date is still possible) and ``refuse_to_accept`` (also after a notice).
    """
    plan = ctx.plan
    status = case.status
    if action == "request_correction" and case.intake.notice is not None:
        raise ActionNotAllowed(
            action, "the one-time correction notice was already issued",
            code="notice-already-issued",
        )  # fmt: skip
    if action == "request_correction" and case.deemed_acceptance:
        raise ActionNotAllowed(
            action, f"the correction window closed on {case.clock.notice_due}: without a "
            f"notice within 5 working days the case was accepted by law on "
            f"{case.accepted_on} (Art. 32); a notice now is too late",
            code="notice-too-late",
        )  # fmt: skip
    if status is not RECEIVED and not (
        action == "refuse_to_accept" and status is CORRECTION_REQUESTED
    ):
        raise ActionNotAllowed(
            action, f"the case is {status.value}, not awaiting acceptance", code="wrong-status"
        )
    principal = window(plan, case, actor, day, action)
    if action == "request_correction":
        if day > case.clock.notice_due:  # pragma: no cover - deemed acceptance came first
            raise ActionNotAllowed(
                action, f"the 5-working-day notice window ended {case.clock.notice_due}",
                code="notice-too-late",
            )  # fmt: skip
    elif action == "accept":
        if case.intake.problems:
            items = "; ".join(p.message for p in case.intake.problems)
            raise ActionNotAllowed(
                action, f"the materials are not complete: {items}", code="materials-incomplete"
            )
        if case.intake.gaps:
            # 容缺: the make-up date may not be later than the promised deadline, so
            # once that has passed no tolerated acceptance is possible.
            promised = ctx.clocks.acceptance_dues(case, ctx.clocks.start_of(day))[2]
            if promised < day:
                raise ActionNotAllowed(
                    action, f"tolerated materials are missing and the promised deadline "
                    f"{promised} has passed: no make-up date is possible",
                    code="makeup-date-too-late",
                )  # fmt: skip
    return Authority(plan.start, principal)


def may_supplement(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """The applicant or the window, before acceptance or for a tolerated gap after it."""
    status = case.status
    if status not in BEFORE_ACCEPTANCE and not (status is IN_REVIEW and case.intake.gaps):
        raise ActionNotAllowed(
            action, f"nothing to supplement while the case is {status.value}",
            code="wrong-status",
        )  # fmt: skip
    if actor == case.intake.applicant_id:
        return Authority(None, actor)
    return Authority(None, window(ctx.plan, case, actor, day, action))


def may_withdraw(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """The applicant alone, before the decision."""
    if actor != case.intake.applicant_id:
        raise ActionNotAllowed(
            action, f"only the applicant ({case.intake.applicant_id}) may withdraw",
            code="not-the-applicant",
        )  # fmt: skip
    if case.status not in UNDECIDED:
        raise ActionNotAllowed(
            action, "the case is decided; it can no longer be withdrawn", code="wrong-status"
        )
    return Authority(None, actor)


# --------------------------------------------------------------------------- handlers


def request_correction(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """一次性告知: every problem found, every tolerated gap and the officer's ``problems``."""
    extra: Any = cmd.details.get("problems") or []
    if isinstance(extra, str):
        extra = [extra]
    if not isinstance(extra, list | tuple) or not all(
        isinstance(x, str) and not blank(x) for x in extra
    ):
        raise CaseDataError("request_correction: problems must be a list of texts")
    materials = ctx.plan.materials
    items: list[list[Any]] = [[p.material, p.code, p.message] for p in case.intake.problems]
    items += [
        [m, "tolerated-missing", f"{materials[m].name} ({m}) is missing; it may be "
         "supplied after acceptance (容缺)"]
        for m in case.intake.gaps
    ]  # fmt: skip
    items += [[None, "officer", x.strip()] for x in extra]
    if not items:
        raise ActionNotAllowed(
            cmd.action,
            "the checks found nothing to correct; list the problems to notify",
            code="nothing-to-correct",
        )
    return acting_for({"items": items}, auth, cmd.actor), None


def _resolutions(case: Case, cmd: Command) -> tuple[Details, list[Problem]]:
    """The notice items this supplement resolves (``resolved``/``waived``, with a
    ``reason`` for waiving) as the event records them, and the items still open.

    Raises:
        ActionNotAllowed: the applicant resolves (``not-authorised``), or an item is
            not an open item of the notice (``not-a-notice-item``).
        CaseDataError: not a list of texts.
    """
    d = cmd.details
    open_items = outstanding_items(case) if case.status is CORRECTION_REQUESTED else []
    out: Details = {}
    for key in ("resolved", "waived"):
        raw: Any = d.get(key)
        if raw is None:
            continue
        texts = [raw] if isinstance(raw, str) else raw
        if not isinstance(texts, list | tuple) or not all(isinstance(x, str) for x in texts):
            raise CaseDataError(f"{cmd.action}: {key} must be a list of the notice's items")
        if texts and cmd.actor == case.intake.applicant_id:
            raise ActionNotAllowed(
                cmd.action, f"the window confirms the notice's items, not the applicant "
                f"({key})", code="not-authorised",
            )  # fmt: skip
        known = [p.message for p in open_items]
        for text in texts:
            if text.strip() not in known:
                raise ActionNotAllowed(
                    cmd.action, f"{text.strip()!r} is not an open item of the correction "
                    "notice" + suggestion(text.strip(), known), code="not-a-notice-item",
                )  # fmt: skip
        if texts:
            out[key] = sorted({x.strip() for x in texts})
    if "waived" in out:
        out["reason"] = text_detail(d.get("reason"), "a reason for waiving", cmd.action)
    elif d.get("reason") is not None:
        raise CaseDataError(f"{cmd.action}: a reason is given only for waived items")
    done = {*out.get("resolved", ()), *out.get("waived", ())}
    return out, [p for p in open_items if p.message not in done]


def supplement(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """New ``materials``: everything is checked again (after acceptance: the gaps only).

    The window may also confirm items of the notice ``resolved``, or ``waived`` (with a
    ``reason``); the case counts as corrected once nothing is wrong and no item is open.
    """
    plan = ctx.plan
    files, paper = check_files(plan, cmd.details.get("materials") or {}, cmd.action)
    resolutions, open_items = _resolutions(case, cmd)
    if not files and not resolutions:
        raise ActionNotAllowed(cmd.action, "no materials given", code="detail-required")
    intake = case.intake
    in_review = case.status is IN_REVIEW
    if in_review:
        wrong = [m for m in files if m not in intake.gaps]
        if wrong:
            raise ActionNotAllowed(
                cmd.action,
                "after acceptance only the tolerated gaps are supplied, not " + ", ".join(wrong),
                code="not-a-gap",
            )
    paper = _both_kept(plan, intake, files, paper)
    merged = {mid: [f.to_dict() for f in fs] for mid, fs in intake.materials.items()}
    merged.update(files)
    merged_paper = paper_after(intake.paper, files, paper)
    replaced = case.commitment.replaced if case.commitment is not None else ()
    problems, gaps = check_materials(plan, intake.applicant, merged, replaced, merged_paper)
    problems += open_items
    if in_review:
        bad = {p.material for p in problems}
        gaps = [g for g in intake.gaps if g not in files or g in bad]
    details: Details = {
        "materials": files,
        **({"paper": paper} if paper else {}),
        "problems": [[p.material, p.code, p.message] for p in problems],
        "gaps": gaps,
        **resolutions,
    }
    if case.status is CORRECTION_REQUESTED and not problems:
        details["corrected"] = True
    return acting_for(details, auth, cmd.actor), None


def _both_kept(
    plan: MatterPlan, intake: Intake, files: dict[str, list[dict[str, Any]]], paper: list[str]
) -> list[str]:
    """What stays at the window for a ``form: both`` material: a paper copy handed in
    before joins the files given now, and files handed in before stay beside a paper
    copy given now (``files`` is completed with them).  The materials on paper beside
    their files, as the supplement records them."""
    out = set(paper)
    for mid, given in files.items():
        if plan.materials[mid].form is not MaterialForm.BOTH or mid not in intake.materials:
            continue
        before = intake.materials[mid]
        had_paper = not before or mid in intake.paper
        if given and had_paper:
            out.add(mid)
        elif not given and before:
            files[mid] = [f.to_dict() for f in before]
            out.add(mid)
    return sorted(out)


def acceptance(
    ctx: Ctx,
    case: Case,
    moment: datetime,
    stamp: str,
    actor: str,
    makeup: date | None,
    auth: Authority | None = None,
) -> Handled:
    """受理: the acceptance day and due dates; the window's step passes and the next open.

    Art. 32: dated from receipt without a notice, from the corrections after one.
    With tolerated gaps the make-up date is ``makeup``, or the promised deadline.
    """
    plan = ctx.plan
    accepted, statutory, promised = ctx.clocks.acceptance_dues(case, moment)
    details: Details = {
        "accepted_on": accepted.isoformat(),
        "due": [statutory.isoformat(), promised.isoformat()],
    }
    if case.intake.gaps:
        details["makeup_by"] = (makeup or promised).isoformat()
    if plan.fees and plan.matter.fees_assessed == "acceptance":  # 受理时计算费用
        details["fees"] = {k: str(v) for k, v in assess(plan, case.intake.applicant).items()}
    if auth is not None:
        acting_for(details, auth, actor)
    if plan.start_is_accept and plan.start in case.steps:
        details["passed"] = [plan.start]
        steps = complete_step(ctx, case, plan.start, PASSED, moment, stamp, actor, details)
    else:
        details["passed"] = []
        steps = step_map(case)
    return details, steps


def accept(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """Accept; with tolerated gaps, by the applicant's make-up date ``makeup_by``."""
    makeup: date | None = None
    raw = cmd.details.get("makeup_by")
    if case.intake.gaps:
        if raw is None:
            raise ActionNotAllowed(
                cmd.action,
                "tolerated materials are missing (" + ", ".join(case.intake.gaps)
                + "): give the applicant's make-up date (makeup_by)",
                code="makeup-date-required",
            )  # fmt: skip
        makeup = day_detail(raw, "makeup_by", cmd.action)
    elif raw is not None:
        raise ActionNotAllowed(
            cmd.action, "no tolerated material is missing; makeup_by is not needed",
            code="no-gaps",
        )  # fmt: skip
    handled = acceptance(ctx, case, cmd.at, cmd.stamp, cmd.actor, makeup, auth)
    if makeup is not None:
        promised = date.fromisoformat(handled[0]["due"][1])
        if not cmd.at.date() <= makeup <= promised:
            raise ActionNotAllowed(
                cmd.action,
                f"the make-up date {makeup} must lie between today and the promised "
                f"deadline {promised}",
                code="makeup-date-too-late" if makeup > promised else "makeup-date-past",
            )
    return handled


def deemed_acceptance(ctx: Ctx, case: Case, timer: Timer) -> Handled:
    """Art. 32: no notice within 5 working days; accepted by law, from receipt."""
    return acceptance(ctx, case, timer.at, timer.at.isoformat(), SYSTEM, None)


def corrected_acceptance(ctx: Ctx, case: Case, timer: Timer) -> Handled:
    """Art. 32: the corrections are complete (every missing material delivered, every
    item of the notice resolved or waived) and the window did not act that day; the
    case is accepted by rule, from the corrections."""
    return acceptance(ctx, case, timer.at, timer.at.isoformat(), SYSTEM, None)


def refuse_to_accept(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """不予受理, with a ``reason`` (required)."""
    details: Details = {"reason": text_detail(cmd.details.get("reason"), "a reason", cmd.action)}
    return acting_for(details, auth, cmd.actor), None


def withdraw(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """撤回: the applicant withdraws (a ``reason`` is optional)."""
    reason = text_detail(cmd.details.get("reason"), "reason", cmd.action, required=False)
    return ending_stops({"reason": reason} if reason else {}, case), None


def terminate(ctx: Ctx, case: Case, timer: Timer) -> Handled:
    """终止: the make-up date of tolerated materials passed with some still missing."""
    gaps = ", ".join(case.intake.gaps)
    reason = f"the make-up date for tolerated materials passed: {gaps}"
    return ending_stops({"reason": reason, "missing": list(case.intake.gaps)}, case), None
