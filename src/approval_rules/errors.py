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
    ├── StoreError                      the case store cannot be opened or used (a bad URL, a
    │                                   missing folder, another schema version, a lost server)
    ├── NaiveDatetime    (TypeError,    a moment without a time zone where one is needed
    │                     ValueError)
    └── CaseError                       an operation on a case cannot be done
        ├── ActionNotAllowed            the action is refused now (wrong person, wrong step,
        │                               too late …); the case is left exactly as it was
        ├── StaleCase                   optimistic concurrency: the case changed meanwhile
        ├── EventConflict               a stored event id sent again with other content
        ├── CaseNotFound (LookupError)  the store holds no case with that id
        ├── LogTampered                 an event log fails verification (defined in audit.py)
        └── CaseDataError (ValueError)  case input is missing or of the wrong shape

Every refusal has a :class:`Category` (forbidden, invalid input, wrong state, conflict,
calendar) that a host maps to a status (403, 422, 409 …): :func:`category_of` of any
exception of the tree, and :data:`REFUSALS`, the category of every
:attr:`ActionNotAllowed.code`.

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
    "REFUSALS",
    "ActionNotAllowed",
    "ApprovalRulesError",
    "CalendarError",
    "CalendarNotPublished",
    "CaseDataError",
    "CaseError",
    "CaseNotFound",
    "Category",
    "DefinitionError",
    "EventConflict",
    "Issue",
    "NaiveDatetime",
    "Path",
    "Severity",
    "SourceSpan",
    "StaleCase",
    "StoreError",
    "category_of",
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


class Category(enum.StrEnum):
    """What kind of refusal an error is, for a host to answer with (e.g. an HTTP status).

    * ``forbidden``: this person may not do this (403);
    * ``invalid_input``: the request is malformed or names what does not exist (422);
    * ``wrong_state``: not now, in the case's current state (409, or 422);
    * ``conflict``: another request got there first, or an id is reused (409);
    * ``calendar``: the calendar has no official data for a day the answer needs (503
      until the year's notice is published or an overlay is loaded).
    """

    FORBIDDEN = "forbidden"
    INVALID_INPUT = "invalid_input"
    WRONG_STATE = "wrong_state"
    CONFLICT = "conflict"
    CALENDAR = "calendar"


_F, _I, _W, _C = Category.FORBIDDEN, Category.INVALID_INPUT, Category.WRONG_STATE, Category.CONFLICT

#: The category of every :attr:`ActionNotAllowed.code` (docs/engine.md, "Refusals").
#: A test checks that every code the library raises is listed.
REFUSALS: dict[str, Category] = {
    # who: this person may not do it
    "not-allowed": _F,
    "not-authorised": _F,
    "not-a-signer": _F,
    "not-the-applicant": _F,
    "reserved-actor": _F,
    "separation-of-duties": _F,
    "conflict-of-interest": _F,
    "principal-not-absent": _F,
    "already-signed": _F,
    "no-section": _F,
    # what: the request is malformed or names what does not exist
    "detail-required": _I,
    "unknown-action": _I,
    "unknown-step": _I,
    "unknown-person": _I,
    "use-specific-action": _I,
    "bad-period": _I,
    "bad-target": _I,
    "bad-stop-kind": _I,
    "bad-delay-kind": _I,
    "stop-too-long": _I,
    "bad-amount": _I,
    "not-a-notice-item": _I,
    "not-a-gap": _I,
    "not-waivable": _I,
    "makeup-date-required": _I,
    "makeup-date-too-late": _I,
    "makeup-date-past": _I,
    "no-green-channel": _I,
    "cannot-disagree": _I,
    "bad-signature": _I,
    "unknown-result": _I,
    "no-commitment": _I,  # 告知承诺制: the matter (this version) declares none
    "bad-finding": _I,
    # when: not in the case's current state
    "wrong-status": _W,
    "case-ended": _W,
    "step-not-open": _W,
    "steps-open": _W,
    "steps-pending": _W,
    "notice-too-late": _W,
    "notice-already-issued": _W,
    "nothing-to-correct": _W,
    "materials-incomplete": _W,
    "materials-outstanding": _W,
    "not-accepted-yet": _W,
    "no-gaps": _W,
    "no-send-back": _W,
    "cannot-refuse": _W,
    "clock-stopped": _W,
    "no-clock-stop": _W,
    "stop-overlaps": _W,
    "no-extension": _W,
    "already-extended": _W,
    "extension-too-late": _W,
    "fees-outstanding": _W,
    "nothing-to-pay": _W,
    "not-delivered": _W,
    "nothing-to-sign": _W,
    "case-not-ended": _W,  # a rating (好差评) follows the end
    "already-rated": _W,
    "no-bad-review": _W,  # a follow-up follows a bad review
    "anonymous-review": _W,
    "result-issued": _W,  # each result of a joint handling is issued once
    "not-on-commitment": _W,  # the applicant did not choose 告知承诺制
    "not-decided-on-commitment": _W,
    "not-approved": _W,  # a refused application on commitment has no later check
    "already-checked": _W,
    # migrate (engine/migration.py): the version named cannot take the case
    "other-matter": _I,
    "same-version": _W,
    "step-not-in-version": _W,
    "result-not-in-version": _W,
    "commitment-not-in-version": _W,  # a case on commitment needs a version declaring one
    # another request got there first
    "event-id-reused": _C,
    "time-goes-back": _C,
}


class ApprovalRulesError(Exception):
    """Base class of every exception approval_rules raises on purpose.

    ``category``: what kind of refusal it is (:class:`Category`), ``None`` when it is
    not a refusal of a request about a case (a definition, a store, a guide).
    """

    category: Category | None = None


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

    category: Category | None = Category.CALENDAR


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


class StoreError(ApprovalRulesError):
    """The case store cannot be opened or used: nothing was written.

    An unknown URL scheme, a folder that does not exist, a database of another schema
    version or of another program, a server that cannot be reached or a lock that
    was not released in time.
    """


class CaseError(ApprovalRulesError):
    """An operation on a case cannot be done."""

    category: Category | None = Category.WRONG_STATE


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

    @property
    def category(self) -> Category:  # type: ignore[override]  # by code, not by class
        """The refusal's :class:`Category` (:data:`REFUSALS`)."""
        return REFUSALS.get(self.code, Category.FORBIDDEN)


class StaleCase(CaseError):
    """The case is not at the version the caller expected (another writer got there first)."""

    category: Category | None = Category.CONFLICT

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"case is at version {actual}, not {expected}: reload it and try again")


class CaseDataError(CaseError, ValueError):
    """Case input (applicant fields, materials, a serialised case) is missing or malformed."""

    category: Category | None = Category.INVALID_INPUT


class EventConflict(CaseError):
    """An event id the store already holds for a case was sent again with other content.

    A re-sent event (same id, same content) is idempotent; the same id for something
    else is refused, and nothing was written.

    Attributes:
        case_id: the case.
        event_id: the id sent twice.
        seq: the stored event's sequence number.
    """

    category: Category | None = Category.CONFLICT

    def __init__(self, case_id: str, event_id: str, seq: int) -> None:
        self.case_id = case_id
        self.event_id = event_id
        self.seq = seq
        super().__init__(
            f"case {case_id}: event id {event_id!r} is already stored as event {seq} with "
            "other content; use a new id for a new action"
        )


class CaseNotFound(CaseError, LookupError):
    """The case store holds no case with this id."""

    category: Category | None = Category.INVALID_INPUT

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"the store holds no case {case_id!r}")


class NaiveDatetime(ApprovalRulesError, TypeError, ValueError):
    """A moment without a time zone (a naive :class:`~datetime.datetime`) where the
    library needs one: every ``at``, ``moment`` and ``start``.  A :class:`TypeError` and
    a :class:`ValueError` too, as the calls raised before it had a class of its own.

    Attributes:
        name: the argument, e.g. ``at``.
        code: always ``naive-datetime``.
    """

    category: Category | None = Category.INVALID_INPUT

    code = "naive-datetime"

    def __init__(self, name: str, value: object) -> None:
        self.name = name
        super().__init__(
            f"{name} must be a timezone-aware datetime (got {value!r}); e.g. "
            "datetime(2025, 9, 26, 9, tzinfo=ZoneInfo('Asia/Shanghai'))"
        )


def category_of(error: BaseException) -> Category | None:
    """The :class:`Category` of an exception of this library (its ``category``);
    ``None`` for anything else, and for a :class:`DefinitionError`, a
    :class:`StoreError` or a :class:`PublicationError`, which do not refuse a request
    about a case.

    ``ActionNotAllowed`` by its code (:data:`REFUSALS`; an unknown code counts as
    forbidden); ``StaleCase``, ``EventConflict``: conflict; ``CaseDataError``,
    ``CaseNotFound``, ``NaiveDatetime`` and a broken record (``LogTampered``): invalid
    input; ``CalendarError``: calendar; any other ``CaseError`` (a case of another
    matter version): wrong state.
    """
    return error.category if isinstance(error, ApprovalRulesError) else None
