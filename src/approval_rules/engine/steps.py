"""Steps: which step an action names, passing a step, opening the next ones, sending back.

:func:`complete_step` is the one way a step is passed (by ``pass``, deemed agreement,
acceptance, payments, the certificate, delivery and closing); it opens what follows
through :func:`open_successors`, which walks the plan's successor table (a step whose
``when`` is false for the applicant is skipped, and the walk goes on after it).
:func:`send_back` computes what a send-back makes to do again.  Each records in the
event's details what it did (``open`` rows with due dates, ``skip``, ``reopen``,
``reset``), so that replay rebuilds the same step map (:func:`~.evolve.patch_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .._wording import suggestion
from ..errors import ActionNotAllowed
from ..plan import MatterPlan
from .case import Case
from .context import Authority, Command, Ctx, Details, Handled, acting_for
from .evolve import opened_state, passed_state, skipped_state, step_map
from .records import DONE, OPEN, PASSED, StepState, StepStatus

__all__ = [
    "complete_step",
    "named_step",
    "open_successors",
    "send_back",
    "specific_done",
]


def named_step(plan: MatterPlan, case: Case, details: Mapping[str, Any], action: str) -> str:
    """The step an action names (``step``), or the only open one when it names none.

    Raises:
        ActionNotAllowed: several steps are open and none is named
            (``detail-required``), or no such step (``unknown-step``).
    """
    sid = details.get("step")
    if sid is None:
        open_steps = case.open_steps
        if len(open_steps) == 1:
            return open_steps[0]
        raise ActionNotAllowed(
            action,
            "say which step (open: " + (", ".join(open_steps) or "none") + ")",
            code="detail-required",
        )
    if type(sid) is not str or sid not in plan.steps:
        raise ActionNotAllowed(
            action, f"no step {sid!r} in this matter" + suggestion(sid, plan.steps),
            code="unknown-step",
        )  # fmt: skip
    return sid


def complete_step(
    ctx: Ctx,
    case: Case,
    sid: str,
    status: StepStatus,
    moment: datetime,
    stamp: str,
    actor: str,
    details: Details,
) -> dict[str, StepState]:
    """The step map after ``actor`` completes step ``sid``.

    The step gets ``status`` (passed, or deemed agreed) with what ``details`` say
    (``for`` the absent principal, ``opinion``, ``agree``); then the steps that may
    follow open or are skipped (:func:`open_successors`), which ``details`` records.
    """
    steps = step_map(case)
    steps[sid] = passed_state(steps[sid], status, actor, details)
    open_successors(ctx, case, steps, sid, moment, stamp, details)
    return steps


def specific_done(
    ctx: Ctx, case: Case, cmd: Command, auth: Authority, details: Details, *, passes: bool = True
) -> Handled:
    """A post-decision action recorded (fees, certificate, delivery, closing).

    ``details`` gets ``for`` when a backup acted; the step of that kind, when the matter
    has one open (``auth.step``), passes unless ``passes`` is false (a fee still due).
    """
    acting_for(details, auth, cmd.actor)
    if auth.step is None or not passes:
        return details, None
    details["step"] = auth.step
    steps = complete_step(ctx, case, auth.step, PASSED, cmd.at, cmd.stamp, cmd.actor, details)
    return details, steps


def open_successors(
    ctx: Ctx,
    case: Case,
    steps: dict[str, StepState],
    done: str,
    moment: datetime,
    stamp: str,
    details: Details,
) -> None:
    """Open (or skip) every step whose ``after`` steps are all done now that ``done`` is.

    ``steps`` is updated in place with new entries in the order a replay adds them:
    opened steps by rank, then skipped ones by rank.  ``details`` gets ``open``
    (step, due) rows and ``skip`` ids when there are any.  Opened steps are due by
    their own limit from ``moment``, counting the case's clock stops.
    """
    plan, clocks = ctx.plan, ctx.clocks
    rules = plan.steps
    opened: list[str] = []
    skipped: list[str] = []
    rows: list[list[Any]] = []
    stops = case.clock.stops
    applicant = case.intake.applicant
    frontier: tuple[str, ...] = (done,)
    while frontier:
        following: list[str] = []
        for sid in frontier:
            for succ in rules[sid].successors:
                name = succ.step
                if name in steps:
                    continue
                waiting = False
                for other in succ.others:  # its other after: steps must be done too
                    st = steps.get(other)
                    if st is None or st.status not in DONE:
                        waiting = True
                        break
                if waiting:
                    continue
                if succ.when is not None and not succ.when.evaluate(applicant):
                    steps[name] = skipped_state()
                    skipped.append(name)
                    following.append(name)
                    continue
                limit = plan.step_limit(name, case.intake.green_channel)
                due, text = clocks.step_due(limit, moment, stops)
                steps[name] = opened_state(stamp, due)
                opened.append(name)
                rows.append([name, text])
        frontier = tuple(following)
    if skipped:  # a walk through skipped steps: put the new entries in rank order
        rank = {sid: rules[sid].rank for sid in (*opened, *skipped)}.__getitem__
        opened.sort(key=rank)
        skipped.sort(key=rank)
        rows.sort(key=lambda row: rank(row[0]))
        for sid in (*opened, *skipped):
            steps[sid] = steps.pop(sid)
        details["skip"] = skipped
    if rows:
        details["open"] = rows


def send_back(
    ctx: Ctx, case: Case, sid: str, target: str, moment: datetime, stamp: str
) -> tuple[dict[str, StepState], Details]:
    """The step map after step ``sid`` sends the case back to ``target``, and what the
    event records of it (``reopen``, ``reset``, ``open``).

    The target reopens, due from now; every step between it and the sender is to be
    done again (``reopen``); open steps whose inputs are being redone wait for them
    again (``reset``); parallel branches that do not lead to the sender keep their
    results.
    """
    plan = ctx.plan
    rules = plan.steps
    reopen = plan.reopened[sid, target]
    steps = {s: st for s, st in case.steps.items() if s not in reopen}
    reset: list[str] = []
    changed = True
    while changed:
        changed = False
        for s, st in list(steps.items()):
            if st.status is OPEN and not all(
                p in steps and steps[p].status in DONE for p in plan.process.predecessors(s)
            ):
                del steps[s]
                reset.append(s)
                changed = True
    limit = plan.step_limit(target, case.intake.green_channel)
    due, text = ctx.clocks.step_due(limit, moment, case.clock.stops)
    steps[target] = opened_state(stamp, due)
    details: Details = {
        "reopen": list(reopen),
        "reset": sorted(reset, key=lambda s: rules[s].rank),
        "open": [[target, text]],
    }
    return steps, details
