"""The public API is exactly what __all__ says (httpx's exported-members test)."""

from __future__ import annotations

import approval_rules

EXPECTED = [
    "ActionNotAllowed",
    "ApprovalRulesError",
    "AvailableAction",
    "CalendarError",
    "CalendarNotPublished",
    "Case",
    "CaseDataError",
    "CaseError",
    "CaseNotFound",
    "CaseStore",
    "Catalogue",
    "Category",
    "ClockStop",
    "DefinitionError",
    "Engine",
    "Event",
    "EventConflict",
    "Issue",
    "Keys",
    "LogTampered",
    "Matter",
    "NaiveDatetime",
    "Process",
    "Severity",
    "SourceSpan",
    "StaleCase",
    "StoreError",
    "Supervisor",
    "WorkCalendar",
    "category_of",
    "check_catalogue",
    "compile_matter",
    "load_catalogue",
    "load_keys",
    "load_overlay",
    "load_supervision",
    "open_store",
    "supervise",
    "verify",
]


def test_all_is_pinned_and_sorted() -> None:
    """__all__ is sorted and changes only on purpose."""
    assert approval_rules.__all__ == sorted(approval_rules.__all__)
    assert approval_rules.__all__ == EXPECTED


def test_every_public_name_exists() -> None:
    """Every name in __all__ can be imported from the package."""
    for name in approval_rules.__all__:
        assert getattr(approval_rules, name) is not None


def test_exceptions_share_one_base() -> None:
    """Every exported exception derives from ApprovalRulesError."""
    for name in approval_rules.__all__:
        obj = getattr(approval_rules, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, approval_rules.ApprovalRulesError), name
