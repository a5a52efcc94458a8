"""The exception tree and the Issue record."""

from __future__ import annotations

import pytest

from approval_rules.errors import (
    ActionNotAllowed,
    ApprovalRulesError,
    CalendarError,
    CaseDataError,
    CaseError,
    DefinitionError,
    Issue,
    Severity,
    SourceSpan,
    StaleCase,
    format_issue,
)


def test_tree() -> None:
    """Every error is an ApprovalRulesError, and value problems are also ValueErrors."""
    for cls in (DefinitionError, CalendarError, CaseError, ActionNotAllowed, StaleCase):
        assert issubclass(cls, ApprovalRulesError)
    for cls in (DefinitionError, CalendarError, CaseDataError):
        assert issubclass(cls, ValueError)
    assert issubclass(ActionNotAllowed, CaseError)


def test_format_issue() -> None:
    """Issues print as file:line:col: severity[code]: message; hint."""
    issue = Issue(
        "unknown-step",
        "steps[1].after[0]: step 'acept' is not declared",
        span=SourceSpan("m.yaml", 31, 13),
        hint="did you mean 'accept'?",
    )
    assert format_issue(issue) == (
        "m.yaml:31:13: error[unknown-step]: steps[1].after[0]: step 'acept' is not declared; "
        "did you mean 'accept'?"
    )
    assert str(issue) == format_issue(issue)
    assert issue.to_dict()["line"] == 31


def test_definition_error_sorts_and_summarises() -> None:
    """DefinitionError sorts issues by position and its text names the first and the count."""
    late = Issue("b", "late", span=SourceSpan("a.yaml", 9, 1))
    early = Issue("a", "early", span=SourceSpan("a.yaml", 2, 5), severity=Severity.WARNING)
    err = DefinitionError([late, early])
    assert err.issues == (early, late)
    assert err.errors == (late,)
    assert str(err) == "a.yaml:2:5: warning[a]: early (and 1 more)"


def test_definition_error_needs_issues() -> None:
    """An empty DefinitionError is a programming error."""
    with pytest.raises(ValueError, match="at least one"):
        DefinitionError([])


def test_action_not_allowed_carries_reason() -> None:
    """ActionNotAllowed keeps the action, the reason and a code for programs."""
    err = ActionNotAllowed("pass", "付红 is not a signer of step 'decide'", code="not-a-signer")
    assert (err.action, err.code) == ("pass", "not-a-signer")
    assert "付红" in str(err)
    stale = StaleCase(3, 4)
    assert (stale.expected, stale.actual) == (3, 4)
