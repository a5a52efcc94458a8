"""Exceptions and problem records shared by every stage of approval_rules.

Everything this library raises on purpose belongs to one tree::

    ApprovalRulesError                  base for everything raised on purpose
    ├── DefinitionError  (ValueError)   a catalogue, matter, overlay or scenario file is wrong;
    │                                   ``.issues`` holds every problem found, with positions
    ├── CalendarError    (ValueError)   a date the calendar has no official data for, or a
    │   │                               period rule that cannot be applied (overlapping stops …)
    │   └── CalendarNotPublished        the answer needs a year the calendar has no data for
    │                                   (``.year``; ``.code`` is ``calendar-not-published``)
    ├── PublicationError                a guide cannot be published: Graphviz missing, a
    │                                   template broken (defined in publication/errors.py)
    └── CaseError                       an operation on a case cannot be done
        ├── ActionNotAllowed            the action is refused now (wrong person, wrong step,
        │                               too late …); the case is left exactly as it was
        ├── StaleCase                   optimistic concurrency: the case changed meanwhile
        ├── LogTampered                 an event log fails verification (defined in audit.py)
        └── CaseDataError (ValueError)  case input is missing or of the wrong shape

What went wrong in a definition is told by :attr:`Issue.code` (a stable kebab-case
identifier documented in ``docs/issue-codes.md``), not by an exception class.  The
class tells a caller how to react.  Misusing the Python API (passing a ``str`` where
a ``date`` is required) raises plain :class:`TypeError`/:class:`ValueError`.

This module imports only the standard library.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ActionNotAllowed",
    "ApprovalRulesError",
    "CalendarError",
    "CalendarNotPublished",
    "CaseDataError",
    "CaseError",
    "DefinitionError",
    "Issue",
    "Path",
    "Severity",
    "SourceSpan",
    "StaleCase",
    "format_issue",
]

#: A location inside a YAML document: mapping keys and sequence indices.
Path = tuple[str | int, ...]


class Severity(enum.StrEnum):
    """How bad an :class:`Issue` is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class SourceSpan:
    """Where something is in a source file; ``line`` and ``column`` are 1-based."""

    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a definition.

    Attributes:
        code: stable kebab-case identifier, e.g. ``unknown-key`` or ``dependency-cycle``.
        message: plain words for policy staff: what is wrong, what was found.
        severity: :attr:`Severity.ERROR` stops loading; warnings do not.
        span: where in which file, when known.
        path: keys and indices inside the document, e.g. ``("steps", 2, "after")``.
        hint: what to write instead, when the library can tell.
    """

    code: str
    message: str
    severity: Severity = Severity.ERROR
    span: SourceSpan | None = None
    path: Path = ()
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        if self.span is None:
            return ("", 0, 0, self.code, self.message)
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form with the same fields as the text form."""
        return {
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "path": list(self.path),
        }

    def __str__(self) -> str:
        return format_issue(self)


def format_issue(issue: Issue) -> str:
    """``file:line:col: severity[code]: message`` (plus ``; hint`` when there is one)."""
    where = f"{issue.span}: " if issue.span else ""
    text = f"{where}{issue.severity.value}[{issue.code}]: {issue.message}"
    if issue.hint:
        text += f"; {issue.hint}"
    return text


class ApprovalRulesError(Exception):
    """Base class of every exception approval_rules raises on purpose."""


class DefinitionError(ApprovalRulesError, ValueError):
    """A definition file is wrong; :attr:`issues` lists every problem, sorted by position."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues: tuple[Issue, ...] = tuple(sorted(issues, key=Issue.sort_key))
        if not self.issues:
            raise ValueError("DefinitionError needs at least one issue")
        super().__init__(self.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    def __str__(self) -> str:
        first = format_issue(self.issues[0])
        rest = len(self.issues) - 1
        return f"{first} (and {rest} more)" if rest else first


class CalendarError(ApprovalRulesError, ValueError):
    """A date outside the calendar's official data, or a period that cannot be computed."""


class CalendarNotPublished(CalendarError):
    """An answer needs a day of a year the calendar has no data for (strict calendar).

    Every public call of :mod:`approval_rules.workdays` and :mod:`approval_rules.timelimits`
    that needs such a day raises this one class.  The message names the year and the two
    ways out: a provisional calendar (``WorkCalendar.china(provisional=True)``), or an
    overlay transcribing the State Council notice for that year.

    Attributes:
        year: the first year the answer needs and the calendar does not have.
        code: always ``calendar-not-published`` (documented in ``docs/issue-codes.md``).
    """

    code = "calendar-not-published"

    def __init__(self, year: int, message: str) -> None:
        self.year = year
        super().__init__(message)


class CaseError(ApprovalRulesError):
    """An operation on a case cannot be done."""


class ActionNotAllowed(CaseError):
    """The action is refused; the case is unchanged.

    Attributes:
        action: the action that was refused.
        reason: plain words, e.g. "付红 is not an authorised signer of step 'review'".
        code: stable kebab-case identifier of the reason, e.g. ``not-a-signer``.
    """

    def __init__(self, action: str, reason: str, *, code: str = "not-allowed") -> None:
        self.action = action
        self.reason = reason
        self.code = code
        super().__init__(f"{action}: {reason}")


class StaleCase(CaseError):
    """The case is not at the version the caller expected (another writer got there first)."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"case is at version {actual}, not {expected}: reload it and try again")


class CaseDataError(CaseError, ValueError):
    """Case input (applicant fields, materials, a serialised case) is missing or malformed."""
