"""Every refusal carries a category a host can map to a status; naive datetimes are a
library error (issue #12, API shapes)."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest

import approval_rules
from approval_rules.audit import LogTampered
from approval_rules.errors import (
    REFUSALS,
    ActionNotAllowed,
    ApprovalRulesError,
    CalendarNotPublished,
    CaseDataError,
    CaseError,
    CaseNotFound,
    Category,
    DefinitionError,
    EventConflict,
    Issue,
    NaiveDatetime,
    StaleCase,
    StoreError,
    category_of,
)

SRC = Path(__file__).resolve().parent.parent / "src" / "approval_rules"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "engine.md"


def _raised_codes() -> set[str]:
    """Every ``code=`` given to ``ActionNotAllowed(...)`` anywhere in the library."""
    codes = {"not-allowed"}  # the default
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name != "ActionNotAllowed":
                continue
            for keyword in node.keywords:
                if keyword.arg == "code":  # a text, or a choice of texts (``a if x else b``)
                    nodes = ast.walk(keyword.value)
                    found = [n.value for n in nodes if isinstance(n, ast.Constant)]
                    assert found, f"{path}: a code computed at run time"
                    codes.update(found)
    return codes


def test_every_refusal_code_raised_has_a_category() -> None:
    """A new ActionNotAllowed code must be placed in REFUSALS (and nothing stale stays)."""
    raised = _raised_codes()
    assert len(raised) > 40
    assert raised - REFUSALS.keys() == set()
    assert REFUSALS.keys() - raised == set()


def test_every_refusal_code_is_documented() -> None:
    """docs/engine.md lists every code with its category."""
    text = DOCS.read_text(encoding="utf-8")
    for code, category in REFUSALS.items():
        assert f"`{code}`" in text, code
        assert f"`{category.value}`" in text
    assert "`calendar`" in text  # CalendarError's category


def test_the_category_table_has_one_row_per_category_with_its_codes() -> None:
    """docs/engine.md's table of categories: each once, in the row of its category
    exactly the codes REFUSALS gives it (a merge once left two rows, each short of the
    other's codes)."""
    text = DOCS.read_text(encoding="utf-8")
    rows = [
        line.split(" | ")
        for line in text.splitlines()
        if line.startswith("| `") and line.count(" | ") == 3
        and line.split(" | ")[0][3:-1] in {c.value for c in Category}
    ]  # fmt: skip
    names = [cells[0][3:-1] for cells in rows]
    assert sorted(names) == sorted({c.value for c in Category})  # each once
    for cells in rows:
        category = Category(cells[0][3:-1])
        listed = set(re.findall(r"`([a-z-]+)`", cells[3]))
        assert listed == {code for code, c in REFUSALS.items() if c is category}, category


def test_category_of_every_kind_of_error() -> None:
    """Refusals by their code; the other errors of a case by their class; others None."""
    assert category_of(ActionNotAllowed("pass", "x", code="not-a-signer")) is Category.FORBIDDEN
    assert category_of(ActionNotAllowed("pass", "x", code="step-not-open")) is Category.WRONG_STATE
    assert ActionNotAllowed("pass", "x", code="event-id-reused").category is Category.CONFLICT
    assert category_of(StaleCase(1, 2)) is Category.CONFLICT
    assert category_of(EventConflict("c", "e", 3)) is Category.CONFLICT
    assert category_of(CaseDataError("bad")) is Category.INVALID_INPUT
    assert category_of(CaseNotFound("c")) is Category.INVALID_INPUT
    assert category_of(LogTampered(2, "hash", "changed")) is Category.INVALID_INPUT
    assert category_of(NaiveDatetime("at", datetime(2025, 1, 1))) is Category.INVALID_INPUT
    assert category_of(CalendarNotPublished(2099, "no data")) is Category.CALENDAR
    assert category_of(CaseError("another version")) is Category.WRONG_STATE
    assert category_of(DefinitionError([Issue("x-y", "m")])) is None
    assert category_of(StoreError("down")) is None
    assert category_of(ValueError("not ours")) is None


def test_naive_datetime_is_a_library_error_and_a_type_error() -> None:
    """Callers catching TypeError (or ValueError) keep working; the tree catches it too."""
    error = NaiveDatetime("at", datetime(2025, 1, 1))
    assert isinstance(error, ApprovalRulesError)
    assert isinstance(error, TypeError)
    assert isinstance(error, ValueError)
    assert "at must be a timezone-aware datetime" in str(error)
    assert approval_rules.NaiveDatetime is NaiveDatetime


def test_the_engine_and_the_store_raise_naive_datetime(tmp_path: Path) -> None:
    """submit, act, advance, available_actions and the store's queries all say NaiveDatetime."""
    from approval_rules import Engine, WorkCalendar, load_catalogue, open_store

    root = Path(__file__).resolve().parent.parent
    engine = Engine(load_catalogue(root / "matters"), WorkCalendar.china())
    naive = datetime(2025, 9, 26, 9)
    with pytest.raises(NaiveDatetime):
        engine.submit("planning_permit", {"project_kind": "新建"}, {}, at=naive, actor="acme")
    with open_store(f"sqlite:///{tmp_path}/cases.db", engine=engine) as store:
        with pytest.raises(NaiveDatetime):
            store.inbox("wang_wei", at=naive)
        with pytest.raises(NaiveDatetime):
            store.due_before(naive)
