"""The moves a case's record makes, checked against the engine's tables of statuses."""

from __future__ import annotations

from collections.abc import Sequence

from approval_rules.audit import Event
from approval_rules.engine import Case, apply_event, fold
from approval_rules.engine.lifecycle import PENDING, case_moves, step_moves

CASE_MOVES = case_moves()
STEP_MOVES = step_moves()


def unlisted_moves(events: Sequence[Event]) -> list[str]:
    """Every change of a case's or a step's status in ``events`` that the tables of
    :mod:`approval_rules.engine.lifecycle` do not list (``[]``: all are listed).
    """
    found: list[str] = []
    case: Case | None = None
    for event in events:
        after = fold((event,)) if case is None else apply_event(case, event)
        source = None if case is None else case.status.value
        if source != after.status.value and (source, event.action, after.status.value) not in (
            CASE_MOVES
        ):
            found.append(f"#{event.seq} {event.action}: case {source} -> {after.status.value}")
        before_steps = {} if case is None else case.steps
        for sid in sorted({*before_steps, *after.steps}):
            old = before_steps[sid].status.value if sid in before_steps else PENDING
            new = after.steps[sid].status.value if sid in after.steps else PENDING
            if old != new and (old, new) not in STEP_MOVES:
                found.append(f"#{event.seq} {event.action}: step {sid} {old} -> {new}")
        case = after
    return found
