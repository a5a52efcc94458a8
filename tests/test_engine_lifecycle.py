"""Statuses (issue #14): every case and step status and every move between them is in
the engine's tables (``engine/lifecycle.py``), and docs/engine.md draws those tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_moves import CASE_MOVES, STEP_MOVES, unlisted_moves

from approval_rules.engine import Case, Status, StepStatus
from approval_rules.engine.evolve import RECORDED_ACTIONS
from approval_rules.engine.lifecycle import (
    CASE_STATUSES,
    KEEP_STATUS,
    KEEPING,
    PENDING,
    STEP_STATUSES,
    case_diagram,
    keeping_table,
    status_table,
    step_diagram,
)

ROOT = Path(__file__).resolve().parent.parent
STORED = sorted((ROOT / "tests" / "data" / "cases").glob("case@*/*.json"))


def test_statuses_every_status_is_in_the_tables() -> None:
    """``deemed`` and ``skipped`` included; no status without a meaning or a move."""
    assert list(CASE_STATUSES) == [s.value for s in Status]
    assert list(STEP_STATUSES) == [PENDING, *(s.value for s in StepStatus)]
    reached = {target for _, _, target in CASE_MOVES}
    assert reached == set(CASE_STATUSES)
    assert {target for _, target in STEP_MOVES} == set(STEP_STATUSES)
    assert {action for _, action, _ in CASE_MOVES} <= RECORDED_ACTIONS
    assert set(KEEPING) <= RECORDED_ACTIONS
    assert not set(KEEPING) & {action for _, action, _ in CASE_MOVES}


def test_statuses_every_recorded_action_moves_the_case_or_keeps_its_status() -> None:
    """Each action a record may hold is in the table of moves or in KEEP_STATUS, not both."""
    moving = {action for _, action, _ in CASE_MOVES}
    assert not moving & KEEP_STATUS
    assert moving | KEEP_STATUS == RECORDED_ACTIONS


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_statuses_stored_cases_move_only_as_the_tables_say(path: Path) -> None:
    case = Case.from_json(path.read_text(encoding="utf-8"))
    assert unlisted_moves(case.events) == []


def test_statuses_a_move_outside_the_tables_is_found() -> None:
    """The check can fail: a record whose close came straight after acceptance."""
    text = (ROOT / "tests" / "data" / "cases" / "case@3" / "not_accepted.json").read_text(
        encoding="utf-8"
    )
    events = list(Case.from_json(text).events)
    wrong = events[-1]._replace(action="close")
    assert unlisted_moves([*events[:-1], wrong]) == [f"#{wrong.seq} close: case received -> closed"]


@pytest.mark.parametrize(
    ("marker", "drawing"),
    [
        ("case-statuses", lambda: status_table(CASE_STATUSES) + "\n\n" + case_diagram()),
        ("step-statuses", lambda: status_table(STEP_STATUSES) + "\n\n" + step_diagram()),
        ("keeping", lambda: keeping_table()),
    ],
)
def test_statuses_docs_draw_the_tables(marker: str, drawing: object) -> None:
    """docs/engine.md shows exactly the engine's tables (generated, like the layers)."""
    assert callable(drawing)
    page = (ROOT / "docs" / "engine.md").read_text(encoding="utf-8")
    start = page.index(f"<!-- {marker}: generated")
    block = page[page.index("\n", start) + 1 : page.index(f"<!-- /{marker} -->")].strip()
    assert block == drawing(), "replace the block with:\n" + drawing()
