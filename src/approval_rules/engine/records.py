"""What a case holds: its statuses and the records it is made of.

Every record is a named tuple: an immutable value that a case builds on every action,
several times cheaper to build than a frozen dataclass.  Each compares equal only to
its own type's values through the fields; read them by name, never by position.

This module imports only the standard library, :mod:`.timelimits` (``ClockStop``) and
nothing else of the engine.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, NamedTuple, TypeVar

from ..timelimits import ClockStop

__all__ = [
    "APPROVED",
    "APPROVED_PATH",
    "BEFORE_ACCEPTANCE",
    "CANCELLED",
    "CERTIFIED",
    "CLOSED",
    "CORRECTION_REQUESTED",
    "DEEMED",
    "DELIVERED",
    "DONE",
    "EMPTY",
    "IN_REVIEW",
    "NOT_ACCEPTED",
    "NO_SETTLEMENT",
    "OPEN",
    "PASSED",
    "RECEIVED",
    "REFUSED",
    "REVOKED",
    "SKIPPED",
    "SYSTEM",
    "TERMINAL",
    "TERMINATED",
    "UNDECIDED",
    "WITHDRAWN",
    "Absence",
    "ActiveStop",
    "CaseClock",
    "CaseCommitment",
    "Certificate",
    "Cosignature",
    "Decision",
    "Ending",
    "ExtensionGrant",
    "FileInfo",
    "Intake",
    "Notice",
    "Payment",
    "Problem",
    "Settlement",
    "Status",
    "StepState",
    "StepStatus",
    "optional_day",
    "problems_from",
    "with_fields",
]

#: The actor of events the law's clocks cause.  No person or applicant may use it.
SYSTEM: Final = "system"


class Status(enum.StrEnum):
    """Where a case is.  Terminal: closed, not_accepted, withdrawn, terminated, revoked."""

    RECEIVED = "received"  # 收件: materials in, acceptance not decided yet
    CORRECTION_REQUESTED = "correction_requested"  # 一次性告知 issued, waiting for 补正
    IN_REVIEW = "in_review"  # 受理: steps running
    APPROVED = "approved"  # 准予许可
    REFUSED = "refused"  # 不予许可 (with reasons)
    CERTIFIED = "certified"  # 制证: certificate issued
    DELIVERED = "delivered"  # 送达 / 签收
    CLOSED = "closed"  # 办结
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    WITHDRAWN = "withdrawn"  # 撤回申请
    TERMINATED = "terminated"  # 终止: tolerated-gap make-up date missed
    REVOKED = "revoked"  # 撤销: approved on a commitment the later check found untrue


class StepStatus(enum.StrEnum):
    """State of one step in a case; a step not listed in :attr:`Case.steps` is pending."""

    OPEN = "open"
    PASSED = "passed"
    DEEMED = "deemed"  # 视为同意: a co-department let its limit pass
    SKIPPED = "skipped"  # its ``when`` condition is false for this applicant
    CANCELLED = "cancelled"  # open when the case was refused, withdrawn or terminated


# The members as module constants, which the code of every action reads: on Python 3.11
# a member read from its enum (``Status.IN_REVIEW``) costs ~0.13 µs, because the enum
# metaclass defeats the attribute cache; a module constant costs a twentieth of that.
RECEIVED: Final = Status.RECEIVED
CORRECTION_REQUESTED: Final = Status.CORRECTION_REQUESTED
IN_REVIEW: Final = Status.IN_REVIEW
APPROVED: Final = Status.APPROVED
REFUSED: Final = Status.REFUSED
CERTIFIED: Final = Status.CERTIFIED
DELIVERED: Final = Status.DELIVERED
CLOSED: Final = Status.CLOSED
NOT_ACCEPTED: Final = Status.NOT_ACCEPTED
WITHDRAWN: Final = Status.WITHDRAWN
TERMINATED: Final = Status.TERMINATED
REVOKED: Final = Status.REVOKED
OPEN: Final = StepStatus.OPEN
PASSED: Final = StepStatus.PASSED
DEEMED: Final = StepStatus.DEEMED
SKIPPED: Final = StepStatus.SKIPPED
CANCELLED: Final = StepStatus.CANCELLED

BEFORE_ACCEPTANCE: Final = frozenset({Status.RECEIVED, Status.CORRECTION_REQUESTED})
UNDECIDED: Final = frozenset({Status.RECEIVED, Status.CORRECTION_REQUESTED, Status.IN_REVIEW})
APPROVED_PATH: Final = frozenset({Status.APPROVED, Status.CERTIFIED, Status.DELIVERED})
TERMINAL: Final = frozenset(
    {Status.CLOSED, Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.TERMINATED, Status.REVOKED}
)
#: Step statuses that count as done for the steps waiting on them.
DONE: Final = frozenset({StepStatus.PASSED, StepStatus.DEEMED, StepStatus.SKIPPED})


class FileInfo(NamedTuple):
    """Metadata of one electronic file of a material, as the host application read it.

    Only what is given is checked: a file without ``width`` is not checked for pixels.
    ``type`` defaults to the name's extension in lower case.
    """

    name: str
    type: str
    size_kb: int | float | None = None
    width: int | None = None
    height: int | None = None
    pages: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The file as JSON data (keys with no value left out)."""
        return {k: v for k, v in zip(self._fields, self, strict=True) if v is not None}


class Problem(NamedTuple):
    """Something wrong with the materials: one item of a correction notice.

    ``material`` is ``None`` for an item the officer added by hand.
    """

    material: str | None
    code: str
    message: str


class Notice(NamedTuple):
    """The one-time correction notice (一次性告知): everything to correct, at once."""

    issued: date
    by: str
    items: tuple[Problem, ...]


class Intake(NamedTuple):
    """What the applicant handed in, and what the checks found.

    Attributes:
        applicant: the applicant's fields (read-only mapping).
        applicant_id: who applied; only they may withdraw.
        received: when the materials arrived.
        green_channel: the 绿色通道 shorter promised limit applies.
        materials: material id → its files (empty: supplied on paper only).
        problems: what is wrong now (missing required materials, file rules broken).
        gaps: tolerated materials (容缺) still missing.
        notice: the correction notice, once issued.
        corrected: the day the corrections made the materials complete.
        makeup_by: the applicant's make-up date for the gaps.
        paper: the materials handed in on paper *beside* their files (``form: both``);
            a material whose files are empty was handed in on paper alone.
    """

    applicant: Mapping[str, Any]
    applicant_id: str
    received: datetime
    green_channel: bool
    materials: Mapping[str, tuple[FileInfo, ...]]
    problems: tuple[Problem, ...]
    gaps: tuple[str, ...]
    notice: Notice | None = None
    corrected: date | None = None
    makeup_by: date | None = None
    paper: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[str, ...]:
        """What keeps the materials from being complete, as text: each problem's message,
        then each tolerated gap (容缺) still missing; ``()`` when complete."""
        return (*(p.message for p in self.problems), *(f"{g} (容缺)" for g in self.gaps))


def paper_after(
    before: Collection[str], given: Collection[str], given_paper: Collection[str]
) -> tuple[str, ...]:
    """The materials on paper beside their files once a delivery of the materials
    ``given`` (those of them on paper beside files: ``given_paper``) replaced theirs."""
    return tuple(sorted({m for m in before if m not in given} | set(given_paper)))


class Cosignature(NamedTuple):
    """One signature on a step several people sign (a quorum, or sections).

    Attributes:
        by: who signed.
        on_behalf_of: the absent principal when a backup (AB岗) signed for them.
        section: the section signed, or ``None`` on a quorum.
        opinion: the signer's written opinion, if any.

    When each signed is in the case's events.
    """

    by: str
    on_behalf_of: str | None
    section: str | None
    opinion: str | None


class StepState(NamedTuple):
    """One step of a case: open, or done (passed, deemed, skipped) or cancelled.

    Attributes:
        status: see :class:`StepStatus`.
        opened: when it (last) opened, ISO 8601; its own limit runs from that day.
        due: its own deadline (``None`` when the step has no limit).
        by: who passed it (``system`` for deemed agreement).
        on_behalf_of: the absent principal when a backup (AB岗) acted.
        opinion: the signer's written opinion, if any.
        agreed: ``False`` when a co-department answered "disagree" (with an opinion).
        signatures: on a step several people sign, every signature in order (the last
            one passed it); empty on other steps.
    """

    status: StepStatus
    opened: str | None = None
    due: date | None = None
    by: str | None = None
    on_behalf_of: str | None = None
    opinion: str | None = None
    agreed: bool = True
    signatures: tuple[Cosignature, ...] = ()


class Decision(NamedTuple):
    """The decision on the merits: ``approved`` (准予) or ``refused`` (不予), with reasons."""

    outcome: str
    step: str
    by: str
    on: date
    reasons: tuple[str, ...] = ()


class Ending(NamedTuple):
    """How a case ended without a decision (not accepted, withdrawn or terminated), or
    after one: revoked (撤销) when the later check found the applicant's commitment untrue."""

    status: Status
    on: date
    by: str
    reason: str


class CaseCommitment(NamedTuple):
    """告知承诺制 on a case: the materials the applicant's commitment replaced, the later
    check's due date (set by the decision on the spot) and, once recorded, the check.

    ``finding`` is ``consistent`` (承诺属实) or ``untrue`` (承诺不实: the approval is
    revoked); ``checked_on``, ``checked_by`` and ``opinion`` say when, by whom and why.
    """

    replaced: tuple[str, ...]
    check_due: date | None = None
    checked_on: date | None = None
    checked_by: str | None = None
    finding: str | None = None
    opinion: str | None = None


class ActiveStop(NamedTuple):
    """A clock stop that has started and not ended yet."""

    kind: str
    start: date
    notice: str
    by: str


class ExtensionGrant(NamedTuple):
    """The one extension (延期): working days added, who approved it and why."""

    days: int
    by: str
    on: date
    reason: str


class CaseClock(NamedTuple):
    """The case's limits and due dates as announced (a fold of the events).

    ``statutory_limit`` / ``promised_limit`` are ``(value, unit)`` with the green
    channel already applied; due dates include clock stops and the extension.
    """

    statutory_limit: tuple[int, str]
    promised_limit: tuple[int, str]
    notice_due: date
    statutory_due: date | None = None
    promised_due: date | None = None
    certificate_due: date | None = None
    stops: tuple[ClockStop, ...] = ()
    active_stop: ActiveStop | None = None
    extension: ExtensionGrant | None = None
    #: Stops running beside ``active_stop`` (the earliest), e.g. an inspection during an
    #: expert review (Art. 45); ``clock.stops`` keeps the days of every ended one once.
    parallel_stops: tuple[ActiveStop, ...] = ()

    @property
    def running_stops(self) -> tuple[ActiveStop, ...]:
        """Every running stop, earliest first."""
        active = self.active_stop
        return () if active is None else (active, *self.parallel_stops)


class Absence(NamedTuple):
    """A recorded absence: ``person``'s backup may act for them from ``start`` to ``end``."""

    person: str
    start: date
    end: date
    by: str
    reason: str | None = None


class Payment(NamedTuple):
    """A fee payment recorded at the window."""

    amount: Decimal
    on: date
    by: str
    receipt: str | None = None


#: The id of a matter's main result (``issue_certificate``'s ``result`` detail): the
#: same as ``model.MAIN_RESULT``, written here because the fold never imports the model.
MAIN_RESULT: Final = "main"


class Certificate(NamedTuple):
    """The licence issued: number, issue day, last day of validity (``None``: unlimited)."""

    number: str
    issued: date
    valid_until: date | None


#: The empty mapping records share (nothing can change it).
EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


class Settlement(NamedTuple):
    """After a positive decision: fees, payments, certificate, delivery, closing.

    ``certificate`` is the main result's; ``further_results`` holds the others a joint
    handling issues (``further_results`` of the matter), each with its own number and
    validity.
    """

    fees: Mapping[str, Decimal] = EMPTY
    waived: Mapping[str, str] = EMPTY
    payments: tuple[Payment, ...] = ()
    certificate: Certificate | None = None
    delivered: date | None = None
    signed_by: str | None = None
    closed: date | None = None
    #: The further results issued (several results of a joint handling), by id.
    further_results: Mapping[str, Certificate] = EMPTY

    @property
    def assessed(self) -> Decimal:
        """Total of the fees not waived."""
        return sum((v for k, v in self.fees.items() if k not in self.waived), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        """Total paid so far."""
        return sum((p.amount for p in self.payments), Decimal("0.00"))

    @property
    def last_issued(self) -> date | None:
        """The day the last result was issued (the main one or a further one)."""
        days = [c.issued for c in (self.certificate, *self.further_results.values()) if c]
        return max(days) if days else None

    @property
    def outstanding(self) -> Decimal:
        """What is still to pay."""
        return self.assessed - self.paid


#: The settlement of a case not decided (shared: it never changes).
NO_SETTLEMENT: Final = Settlement()


def optional_day(text: str | None) -> date | None:
    """An ISO day from JSON data, or ``None``."""
    return None if text is None else date.fromisoformat(text)


def problems_from(raw: Iterable[Sequence[Any]]) -> tuple[Problem, ...]:
    """Problems from JSON data: ``[material, code, message]`` rows."""
    return tuple(Problem(m, c, t) for m, c, t in raw)


_FIELDS: dict[type, dict[str, int]] = {}
_R = TypeVar("_R", bound=tuple[Any, ...])


def with_fields(record: _R, **changes: Any) -> _R:
    """``record`` with some fields changed: what ``_replace`` does, at a third of its
    cost (the fold changes a record or two on every event).
    """
    kind = type(record)
    index = _FIELDS.get(kind)
    if index is None:
        index = _FIELDS[kind] = {name: i for i, name in enumerate(kind._fields)}  # type: ignore[attr-defined]
    values = list(record)
    for name, value in changes.items():
        values[index[name]] = value
    return tuple.__new__(kind, values)
