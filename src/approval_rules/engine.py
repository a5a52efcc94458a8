"""The case engine: run cases through a compiled matter under the law's clocks.

An :class:`Engine` holds a catalogue and a :class:`~.workdays.WorkCalendar`; it has
no other state, never reads the wall clock and starts no threads.  A :class:`Case` is
an immutable value: :meth:`Engine.submit` opens one, :meth:`Engine.act` returns the
next one or raises :class:`~.errors.ActionNotAllowed` (the case you hold is
unchanged, and nothing was recorded).

Event sourcing: every accepted action appends one :class:`~.audit.Event` (hash
chained, see :mod:`.audit`) whose ``details`` hold the action's input *and* what the
engine computed from it (steps opened with their due dates, steps skipped, the
decision, fees).  The case is a pure fold of its events, without the matter or the
calendar, so ``engine.replay(case.events) == case`` holds by construction, and a
calendar overlay added later never moves a deadline the office already announced.
The serial form (:meth:`Case.to_json`) stores a snapshot of that fold next to the log,
so that reading a case back does not parse or fold its events.

Time: every ``at`` must be timezone-aware (a naive datetime raises ``TypeError``); it
is read in the engine's time zone (Asia/Shanghai by default).  Deadlines are dates
and end at the close of that day.  Events clocks cause (deemed acceptance, deemed
agreement of a co-department, termination of a tolerated gap) are dated at the
moment the limit ran out, 00:00 of the next day, whenever the case is next touched
(:meth:`Engine.advance`, which :meth:`Engine.act` calls first).

See ``docs/engine.md`` for the lifecycle, statuses, actions and the event format.
"""

from __future__ import annotations

import difflib
import enum
import hashlib
import json
import math
from calendar import monthrange
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from json.encoder import encode_basestring
from types import MappingProxyType
from typing import Any, Final, NamedTuple, cast
from zoneinfo import ZoneInfo

from .audit import (
    GENESIS,
    Event,
    EventLog,
    _chained,
    _plain_body,
    canonical_json,
    chain_hash,
    verify,
)
from .compiler import compile_matter
from .conditions import Condition
from .errors import ActionNotAllowed, CalendarError, CaseDataError, CaseError, StaleCase
from .graph import Process
from .loader import Catalogue
from .model import FeeItem, FieldType, Material, MaterialForm, Necessity, OnTimeout, StepKind
from .timelimits import (
    LAW_STOP_KINDS,
    ClockStop,
    TimeUnit,
    calendar_days_due,
    certificate_due,
    check_extension,
    due_date,
    due_datetime,
    green_channel_days,
    progress,
)
from .workdays import WorkCalendar

__all__ = [
    "ACTIONS",
    "CASE_FORMAT",
    "SYSTEM",
    "Absence",
    "ActiveStop",
    "AvailableAction",
    "Case",
    "CaseClock",
    "Certificate",
    "Deadline",
    "Deadlines",
    "Decision",
    "Ending",
    "Engine",
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
]

#: The actor of events the law's clocks cause.  No person or applicant may use it.
SYSTEM: Final = "system"
#: ``format`` tag of :meth:`Case.to_json` output.
CASE_FORMAT: Final = "approval-rules/case@2"

_ONE_DAY: Final = timedelta(days=1)
_CENT: Final = Decimal("0.01")


class Status(enum.StrEnum):
    """Where a case is.  Terminal: closed, not_accepted, withdrawn, terminated."""

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


class StepStatus(enum.StrEnum):
    """State of one step in a case; a step not listed in :attr:`Case.steps` is pending."""

    OPEN = "open"
    PASSED = "passed"
    DEEMED = "deemed"  # 视为同意: a co-department let its limit pass
    SKIPPED = "skipped"  # its ``when`` condition is false for this applicant
    CANCELLED = "cancelled"  # open when the case was refused, withdrawn or terminated


# Enum members as module constants for the _apply_* functions (see _Plan's note on
# why ``Status.X`` is slow on Python 3.11).
_RECEIVED: Final = Status.RECEIVED
_IN_REVIEW: Final = Status.IN_REVIEW
_APPROVED: Final = Status.APPROVED
_CLOSED: Final = Status.CLOSED

_BEFORE_ACCEPTANCE: Final = frozenset({Status.RECEIVED, Status.CORRECTION_REQUESTED})
_UNDECIDED: Final = frozenset({Status.RECEIVED, Status.CORRECTION_REQUESTED, Status.IN_REVIEW})
_APPROVED_PATH: Final = frozenset({Status.APPROVED, Status.CERTIFIED, Status.DELIVERED})
_TERMINAL: Final = frozenset(
    {Status.CLOSED, Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.TERMINATED}
)
_DONE: Final = frozenset({StepStatus.PASSED, StepStatus.DEEMED, StepStatus.SKIPPED})
_SPECIFIC: Final = {
    StepKind.CERTIFY: "issue_certificate",
    StepKind.DELIVER: "deliver",
    StepKind.CLOSE: "close",
}

#: Every action :meth:`Engine.act` knows, with the details it takes (see docs/engine.md).
ACTIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "request_correction": ("problems",),
        "supplement": ("materials",),
        "accept": ("makeup_by",),
        "refuse_to_accept": ("reason",),
        "pass": ("step", "opinion", "agree"),
        "send_back": ("step", "to", "reason"),
        "refuse": ("step", "reasons"),
        "start_clock_stop": ("kind", "notice"),
        "end_clock_stop": ("notice",),
        "extend": ("reason",),
        "record_absence": ("person", "start", "end", "reason"),
        "record_payment": ("amount", "receipt"),
        "waive_fee": ("item", "reason"),
        "issue_certificate": ("number",),
        "deliver": ("signed_by",),
        "close": (),
        "withdraw": ("reason",),
    }
)
_ACCEPTING: Final = frozenset({"accept", "deemed_acceptance"})


# --------------------------------------------------------------------------- the value
#
# The records of a case are named tuples: immutable values that a case creates on
# every action, several times cheaper to build than frozen dataclasses (the engine's
# benchmark targets depend on it).  Each compares equal only to its own type.


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
    """

    status: StepStatus
    opened: str | None = None
    due: date | None = None
    by: str | None = None
    on_behalf_of: str | None = None
    opinion: str | None = None
    agreed: bool = True


class Decision(NamedTuple):
    """The decision on the merits: ``approved`` (准予) or ``refused`` (不予), with reasons."""

    outcome: str
    step: str
    by: str
    on: date
    reasons: tuple[str, ...] = ()


class Ending(NamedTuple):
    """How a case ended without a decision: not accepted, withdrawn or terminated."""

    status: Status
    on: date
    by: str
    reason: str


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


class Certificate(NamedTuple):
    """The licence issued: number, issue day, last day of validity (``None``: unlimited)."""

    number: str
    issued: date
    valid_until: date | None


_NO_FEES: Final[Mapping[str, Any]] = MappingProxyType({})


class Settlement(NamedTuple):
    """After a positive decision: fees, payments, certificate, delivery, closing."""

    fees: Mapping[str, Decimal] = _NO_FEES
    waived: Mapping[str, str] = _NO_FEES
    payments: tuple[Payment, ...] = ()
    certificate: Certificate | None = None
    delivered: date | None = None
    signed_by: str | None = None
    closed: date | None = None

    @property
    def assessed(self) -> Decimal:
        """Total of the fees not waived."""
        return sum((v for k, v in self.fees.items() if k not in self.waived), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        """Total paid so far."""
        return sum((p.amount for p in self.payments), Decimal("0.00"))

    @property
    def outstanding(self) -> Decimal:
        """What is still to pay."""
        return self.assessed - self.paid


_NO_SETTLEMENT: Final = Settlement()


class Case(NamedTuple):
    """One application (办件) as an immutable value; a fold of :attr:`events`.

    A named tuple for speed (see the note above); compare cases with ``==`` (equal
    only to another :class:`Case` with the same content) and use the attributes, not
    positions.

    Attributes:
        id: the case id.
        matter_id: the matter it runs under.
        matter_hash: the matter's content hash when the case was opened (the pin: an
            engine whose matter differs refuses to act on it).
        status: see :class:`Status`.
        intake: applicant fields, materials, problems, notice, gaps.
        accepted_on: the day the case counts as accepted (``None`` before).
        deemed_acceptance: accepted by law because no notice came in time (Art. 32).
        steps: step id → :class:`StepState` (pending steps are absent).
        clock: limits, due dates, clock stops, extension.
        decision: the decision on the merits, once made.
        settlement: fees, payments, certificate, delivery, closing.
        absences: absences recorded in this case (AB岗).
        ending: set when the case was not accepted, withdrawn or terminated.
        version: the number of events (the last event's ``seq``).
        events: the hash-chained record: a tuple, or for a case read from JSON an
            :class:`~.audit.EventLog` that decodes the stored events on first use.
        last_at: when the last event happened.
    """

    id: str
    matter_id: str
    matter_hash: str
    status: Status
    intake: Intake
    accepted_on: date | None
    deemed_acceptance: bool
    steps: Mapping[str, StepState]
    clock: CaseClock
    decision: Decision | None
    settlement: Settlement
    absences: tuple[Absence, ...]
    ending: Ending | None
    version: int
    events: Sequence[Event]
    last_at: datetime

    def __eq__(self, other: object) -> bool:
        return type(other) is Case and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.head))

    @property
    def head(self) -> str:
        """The last event's hash: keep it elsewhere to detect a truncated log."""
        events = self.events
        # type(), not isinstance(): EventLog is a Sequence, and ABC checks are slow
        return events[-1].hash if type(events) is tuple else cast(EventLog, events).head

    @property
    def open_steps(self) -> tuple[str, ...]:
        """Ids of the open steps, in the order they opened (then step order)."""
        return tuple(sid for sid, st in self.steps.items() if st.status is StepStatus.OPEN)

    @property
    def is_terminal(self) -> bool:
        """Closed, not accepted, withdrawn or terminated: nothing more can happen."""
        return self.status in _TERMINAL

    def to_json(self) -> str:
        """Compact JSON: a header, a snapshot of the state and the events (docs/engine.md).

        The header (``id``, ``matter``, ``matter_hash``, ``status``, ``version``,
        ``head``) is for stores that index it; ``state`` holds the rest of the case, so
        that reading it back does not parse or fold the events; ``events`` is
        the hash-chained record the state is a fold of (:meth:`Engine.replay` rebuilds
        and checks it).
        """
        events = self.events
        if type(events) is EventLog:
            items = events.json_items()
        else:
            items = ",".join([e.stored_json() for e in events])
        state = "".join(_ENCODE(_state_data(self), 0))
        return (
            f'{{"format":"{CASE_FORMAT}","id":{encode_basestring(self.id)},'
            f'"matter":{encode_basestring(self.matter_id)},"matter_hash":'
            f'{encode_basestring(self.matter_hash)},"status":"{self.status.value}",'
            f'"version":{self.version},"head":"{self.head}","state":{state},'
            f'"events":[{items}]}}'
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Case:
        """Read :meth:`to_json` output back: an equal case.

        The state is read from its snapshot and the events are kept as stored, to be
        decoded when first used (:class:`~.audit.EventLog`): restoring costs what the
        state holds, not what the history does.  Nothing is verified against the hash
        chain here: for data from outside, rebuild the case with
        :meth:`Engine.replay` (``engine.replay(case.events, head=case.head) == case``).

        Raises:
            CaseDataError: not a serialised case, or a malformed header or state (or,
                when they are first used, malformed events).
        """
        if isinstance(text, bytes | bytearray):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as err:
                raise CaseDataError(f"a serialised case must be UTF-8 JSON: {err}") from None
        if not isinstance(text, str):
            raise TypeError(f"from_json reads text or bytes, not {type(text).__name__}")
        header, state, events = _split_case_json(text)
        if header.get("format") != CASE_FORMAT:
            raise CaseDataError(f"not a serialised case (format {CASE_FORMAT!r} expected)")
        if header.keys() != _HEADER_KEYS:
            raise CaseDataError(
                "a serialised case has exactly the keys " + ", ".join(sorted(_CASE_KEYS))
            )
        cid, matter, matter_hash = header["id"], header["matter"], header["matter_hash"]
        version, head = header["version"], header["head"]
        if (
            type(cid) is not str
            or type(matter) is not str
            or type(matter_hash) is not str
            or type(version) is not int
            or version < 1
            or type(head) is not str
            or len(head) != 64
        ):
            raise CaseDataError(
                "a serialised case's header needs text id, matter, matter_hash and head "
                "(64 hex digits) and a positive version"
            )
        try:
            status = _STATUS[header["status"]]
            items = (*_state_from(state), _dt(state[-1]))
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            IndexError,
            InvalidOperation,
        ) as err:
            raise CaseDataError(f"the serialised case's state is malformed: {err!r}") from None
        if isinstance(events, str):
            # each event is stored as its body (which ends with "seq") plus its hash
            if not events.endswith(f'"seq":{version},"hash":"{head}"}}'):
                raise CaseDataError(
                    "the serialised case's header (version, head) disagrees with its events"
                )
            log: Sequence[Event] = EventLog(events, version, head)
        else:
            log = _chained(events, version, head)
        return _NEW(Case, (cid, matter, matter_hash, status, *items[:9], version, log, items[9]))


_CASE_KEYS: Final = frozenset(
    {"format", "id", "matter", "matter_hash", "status", "version", "head", "state", "events"}
)
_HEADER_KEYS: Final = _CASE_KEYS - {"state", "events"}

_SCAN: Final[Callable[[str, int], tuple[Any, int]]] = json.decoder.JSONDecoder().scan_once  # type: ignore[attr-defined]
_STATE_KEY: Final = ',"state":'
_EVENTS_KEY: Final = ',"events":['


def _split_case_json(text: str) -> tuple[dict[str, Any], Any, str | list[Any]]:
    """The header, the state and the events of a serialised case.

    Text as :meth:`Case.to_json` writes it is scanned up to the events, which are
    returned as their stored text (the C scanner finds where the state ends; the
    header's values are text and numbers, so the first ``,"state":`` is the key).
    Any other layout of valid JSON is parsed whole, and the events come back parsed.
    """
    at = text.find(_STATE_KEY)
    if at > 0 and text.startswith('{"format":') and text.endswith("]}"):
        try:
            head_text = text[:at] + "}"
            header, end = _SCAN(head_text, 0)
            if end != len(head_text) or not isinstance(header, dict):
                raise ValueError("not the compact layout")
            state, end = _SCAN(text, at + len(_STATE_KEY))
            if not text.startswith(_EVENTS_KEY, end):
                raise ValueError("not the compact layout")
            return header, state, text[end + len(_EVENTS_KEY) : -2]
        except (ValueError, StopIteration, IndexError):
            pass
    try:
        data = json.loads(text)
    except ValueError as err:
        raise CaseDataError(f"a serialised case must be JSON: {err}") from None
    if not isinstance(data, dict):
        raise CaseDataError("a serialised case is a JSON object")
    state = data.pop("state", None)
    events = data.pop("events", None)
    if not isinstance(events, list) or not events:
        raise CaseDataError("a serialised case has a list of events")
    return data, state, events


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class AvailableAction:
    """An action someone may take now.

    Attributes:
        action: the action name for :meth:`Engine.act`.
        step: the step it acts on (``None`` for case-level actions).
        actors: ids of everyone who may do it now (backups only while the principal
            is recorded absent; the applicant's id for applicant actions).
        choices: the allowed values of the action's main detail: send-back targets,
            clock-stop kinds, people whose absence the actors may record, fee items
            that may be waived.
    """

    action: str
    step: str | None
    actors: tuple[str, ...]
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Deadline:
    """Where one period stands on a day.

    Attributes:
        name: ``correction_notice``, ``statutory``, ``promised``, ``certificate`` or
            a step id.
        start: the day the period runs from (not counted).
        due: the last day (as recorded in the case).
        limit: working days in the period (extension included), ``None`` for limits
            in hours or half days.
        elapsed: working days counted so far (stopped days excluded).
        remaining: working days left; negative when overdue.
        fraction_used: ``elapsed / limit``.
        overdue: the day is after ``due`` and the period had not ended by then.
        ended: the day the period stopped running (decision, delivery, closing …).
        stopped: a clock stop is running.
        provisional: the answer depends on a year without official calendar data.
    """

    name: str
    start: date
    due: date
    limit: int | None
    elapsed: int
    remaining: int
    fraction_used: float
    overdue: bool
    ended: date | None = None
    stopped: bool = False
    provisional: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON data."""
        return {
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "limit": self.limit,
            "elapsed": self.elapsed,
            "remaining": self.remaining,
            "fraction_used": round(self.fraction_used, 4),
            "overdue": self.overdue,
            "ended": self.ended.isoformat() if self.ended else None,
            "stopped": self.stopped,
            "provisional": self.provisional,
        }


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Every running or finished period of a case on one day (:meth:`Engine.deadlines`)."""

    on: date
    correction_notice: Deadline | None
    statutory: Deadline | None
    promised: Deadline | None
    certificate: Deadline | None
    steps: Mapping[str, Deadline]
    makeup_by: date | None
    stopped: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON data."""

        def one(d: Deadline | None) -> dict[str, Any] | None:
            return None if d is None else d.to_dict()

        return {
            "on": self.on.isoformat(),
            "correction_notice": one(self.correction_notice),
            "statutory": one(self.statutory),
            "promised": one(self.promised),
            "certificate": one(self.certificate),
            "steps": {k: v.to_dict() for k, v in self.steps.items()},
            "makeup_by": self.makeup_by.isoformat() if self.makeup_by else None,
            "stopped": self.stopped,
        }


# --------------------------------------------------------------------------- the fold
#
# ``_apply_<action>(case, event, at, steps)`` folds one event.  ``steps`` is the new
# step map when the engine has just computed it (act's fast path: the same map a
# replay builds from the event's details, which the tests check); replay passes None.

_NEW: Final = tuple.__new__
_CASE_INDEX: Final = {name: i for i, name in enumerate(Case._fields)}


def _d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _dd(text: str) -> date:
    return date.fromisoformat(text)


def _files(raw: Mapping[str, Any]) -> dict[str, tuple[FileInfo, ...]]:
    """Material id → files, in id order (the order a replay reads them in)."""
    return {
        mid: tuple(
            FileInfo(
                f["name"], f["type"], f.get("size_kb"), f.get("width"), f.get("height"),
                f.get("pages"),
            )
            for f in files
        )
        if files  # (paper only: no generator to run)
        else ()
        for mid, files in sorted(raw.items())
    }  # fmt: skip


def _problems(raw: Iterable[Sequence[Any]]) -> tuple[Problem, ...]:
    return tuple(Problem(m, c, t) for m, c, t in raw)


# --------------------------------------------------------------------------- the snapshot
#
# ``state`` in the serial form is an array of the case's fields from ``intake`` to
# ``ending``, then ``last_at``: records as arrays in their fields' order, mappings as
# objects in their order, dates and times as ISO text, amounts as decimal text.  It is
# converted to JSON-native values first and encoded in one call of the C encoder (a
# ``default`` callback per date costs more than the whole conversion).

_ENCODE: Final[Callable[[Any, int], Iterable[str]]] = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, None, encode_basestring, None, ":", ",", False, False, False
)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _state_data(case: Case) -> tuple[Any, ...]:
    """The ``state`` item of ``case`` as JSON-native values (see above)."""
    it = case.intake
    notice = it.notice
    clock = case.clock
    active, extension = clock.active_stop, clock.extension
    decision = case.decision
    st = case.settlement
    cert = st.certificate
    ending = case.ending
    # the times as the events wrote them, where the engine wrote both from one moment
    events = case.events
    if type(events) is tuple:
        received, last_at = events[0].at, events[-1].at
    else:
        received = it.received.isoformat()
        last = cast(EventLog, events).last_appended
        last_at = case.last_at.isoformat() if last is None else last.at
    return (
        (
            dict(it.applicant), it.applicant_id, received, it.green_channel,
            dict(it.materials), it.problems, it.gaps,
            None if notice is None else (notice.issued.isoformat(), notice.by, notice.items),
            _iso(it.corrected), _iso(it.makeup_by),
        ),
        _iso(case.accepted_on),
        case.deemed_acceptance,
        {
            sid: (s[0], s[1], None if s[2] is None else s[2].isoformat(), *s[3:])
            for sid, s in case.steps.items()
        },
        (
            clock.statutory_limit, clock.promised_limit, clock.notice_due.isoformat(),
            _iso(clock.statutory_due), _iso(clock.promised_due), _iso(clock.certificate_due),
            [(s.kind, s.start.isoformat(), s.end.isoformat(), s.notice) for s in clock.stops]
            if clock.stops else (),
            None if active is None
            else (active.kind, active.start.isoformat(), active.notice, active.by),
            None if extension is None
            else (extension.days, extension.by, extension.on.isoformat(), extension.reason),
        ),
        None if decision is None else (*decision[:3], decision.on.isoformat(), decision.reasons),
        _NO_SETTLEMENT_DATA if st is _NO_SETTLEMENT else (
            {k: str(v) for k, v in st.fees.items()}, dict(st.waived),
            [(str(p.amount), p.on.isoformat(), p.by, p.receipt) for p in st.payments],
            None if cert is None
            else (cert.number, cert.issued.isoformat(), _iso(cert.valid_until)),
            _iso(st.delivered), st.signed_by, _iso(st.closed),
        ),
        [(a.person, a.start.isoformat(), a.end.isoformat(), a.by, a.reason)
         for a in case.absences] if case.absences else (),
        None if ending is None
        else (ending.status, ending.on.isoformat(), ending.by, ending.reason),
        last_at,
    )  # fmt: skip


_NO_SETTLEMENT_DATA: Final[tuple[Any, ...]] = ({}, {}, (), None, None, None, None)


def _dt(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return moment


_STATUS: Final = {status.value: status for status in Status}
_STEP_STATUS: Final = {status.value: status for status in StepStatus}
_DAY: Final = date.fromisoformat


def _state_from(state: Sequence[Any]) -> tuple[Any, ...]:
    """The case's fields ``intake`` … ``ending`` from a snapshot (``_state_data``).

    Raises whatever malformed data causes (the caller reports it): ``ValueError`` for
    a wrong number of items, ``TypeError`` for a wrong kind of value, ``KeyError`` for
    an unknown status, and so on.  Like the fold, it checks the structure and the
    dates, not every text's type: a snapshot is trusted data (see ``from_json``).
    """
    if type(state) is not list or len(state) != 10:
        raise ValueError("the state is an array of 10 items")
    intake, accepted_on, deemed, steps, clock, decision, settlement, absences, ending, _ = state
    (applicant, applicant_id, received, green, materials, problems, gaps, notice, corrected,
     makeup_by) = intake  # fmt: skip
    if type(applicant) is not dict or type(materials) is not dict:
        raise TypeError("applicant and materials are objects")
    if type(applicant_id) is not str or type(green) is not bool or type(deemed) is not bool:
        raise TypeError("applicant_id is text; green_channel, deemed_acceptance true/false")
    if notice is not None:
        issued, by, items = notice
        notice = _NEW(Notice, (_dd(issued), by, _problems(items)))
    new_intake = _NEW(
        Intake,
        (
            MappingProxyType(applicant), applicant_id, _dt(received), green,
            MappingProxyType(_files_state(materials)), _problems(problems) if problems else (),
            tuple(gaps), notice, _d(corrected), _d(makeup_by),
        ),
    )  # fmt: skip
    new_steps: dict[str, StepState] = {}
    if type(steps) is not dict:
        raise TypeError("steps is an object")
    for sid, (status, opened, due, by, for_, opinion, agreed) in steps.items():
        if type(agreed) is not bool:
            raise TypeError(f"step {sid}: agreed is true or false")
        new_steps[sid] = _NEW(
            StepState,
            (_STEP_STATUS[status], opened, None if due is None else _DAY(due), by, for_,
             opinion, agreed),
        )  # fmt: skip
    (statutory, promised, notice_due, statutory_due, promised_due, certificate_due, stops,
     active, extension) = clock  # fmt: skip
    if active is not None:
        kind, start, text, by = active
        active = _NEW(ActiveStop, (kind, _dd(start), text, by))
    if extension is not None:
        days, by, on, reason = extension
        if type(days) is not int:
            raise TypeError("extension days is a whole number")
        extension = _NEW(ExtensionGrant, (days, by, _dd(on), reason))
    new_clock = _NEW(
        CaseClock,
        (
            _limit(statutory), _limit(promised), _dd(notice_due), _d(statutory_due),
            _d(promised_due), _d(certificate_due),
            tuple(ClockStop(k, _dd(a), _dd(b), n) for k, a, b, n in stops) if stops else (),
            active, extension,
        ),
    )  # fmt: skip
    if decision is not None:
        outcome, step, by, on, reasons = decision
        decision = _NEW(Decision, (outcome, step, by, _dd(on), tuple(reasons)))
    fees, waived, payments, certificate, delivered, signed_by, closed = settlement
    if certificate is not None:
        number, issued, valid_until = certificate
        certificate = _NEW(Certificate, (number, _dd(issued), _d(valid_until)))
    if settlement == _NO_SETTLEMENT_READ:
        new_settlement = _NO_SETTLEMENT
    else:
        new_settlement = _NEW(
            Settlement,
            (
                MappingProxyType({k: Decimal(v) for k, v in fees.items()}),
                MappingProxyType(dict(waived)),
                tuple(_NEW(Payment, (Decimal(a), _dd(on), by, receipt))
                      for a, on, by, receipt in payments),
                certificate, _d(delivered), signed_by, _d(closed),
            ),
        )  # fmt: skip
    if ending is not None:
        status, on, by, reason = ending
        ending = _NEW(Ending, (_STATUS[status], _dd(on), by, reason))
    return (
        new_intake, _d(accepted_on), deemed, MappingProxyType(new_steps), new_clock, decision,
        new_settlement,
        tuple(_NEW(Absence, (p, _dd(a), _dd(b), by, r)) for p, a, b, by, r in absences)
        if absences else (),
        ending,
    )  # fmt: skip


#: ``Settlement()`` as JSON reads it back.
_NO_SETTLEMENT_READ: Final[list[Any]] = [{}, {}, [], None, None, None, None]


def _limit(raw: Sequence[Any]) -> tuple[int, str]:
    value, unit = raw
    if type(value) not in (int, float) or type(unit) is not str:
        raise TypeError(f"a limit is [number, unit], not {raw!r}")
    return (value, unit)


def _files_state(raw: Mapping[str, Any]) -> dict[str, tuple[FileInfo, ...]]:
    return {
        mid: tuple(_NEW(FileInfo, (name, kind, size, width, height, pages))
                   for name, kind, size, width, height, pages in files)
        for mid, files in raw.items()
    }  # fmt: skip


def _next(case: Case, event: Event, at: datetime, **changes: Any) -> Case:
    """The case after ``event``: ``changes`` plus the new version, log and time."""
    values = list(case)
    for key, value in changes.items():
        values[_CASE_INDEX[key]] = value
    values[13] = event.seq
    values[14] = _push(case.events, event)
    values[15] = at
    return _NEW(Case, values)


def _push(events: Sequence[Event], event: Event) -> Sequence[Event]:
    """``events`` with ``event`` appended (a tuple, or an :class:`~.audit.EventLog`)."""
    if type(events) is tuple:
        return (*events, event)
    return cast(EventLog, events).append(event)


def _open_steps(steps: dict[str, StepState], d: Mapping[str, Any], at: str) -> None:
    for sid, due in d.get("open", ()):
        steps[sid] = _NEW(StepState, (StepStatus.OPEN, at, _d(due), None, None, None, True))
    for sid in d.get("skip", ()):
        steps[sid] = _SKIPPED


def _apply_submit(e: Event, at: datetime) -> Case:
    d = e.details
    steps: dict[str, StepState] = {}
    _open_steps(steps, d, e.at)
    materials = d["materials"]
    problems = d["problems"]
    applicant = d["applicant"]
    intake = _NEW(
        Intake,
        (
            # mappings in key order, as a replay reads them from the canonical JSON (an
            # empty one is the shared empty proxy: nothing can change it)
            MappingProxyType(dict(sorted(applicant.items()))) if applicant else _NO_FEES,
            e.actor,
            at,
            d["green_channel"],
            MappingProxyType(_files(materials) if materials else {}),
            _problems(problems) if problems else (),
            tuple(d["gaps"]),
            None,
            None,
            None,
        ),
    )
    statutory, promised = d["limits"]
    clock = _NEW(
        CaseClock,
        ((statutory[0], statutory[1]), (promised[0], promised[1]), _dd(d["notice_due"]),
         None, None, None, (), None, None),
    )  # fmt: skip
    return _NEW(Case, (
        d["case"], d["matter"], d["matter_hash"], _RECEIVED, intake, None, False,
        MappingProxyType(steps), clock, None, _NO_SETTLEMENT, (), None, e.seq, (e,), at,
    ))  # fmt: skip


def _apply_request_correction(
    case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None
) -> Case:
    notice = Notice(at.date(), e.actor, _problems(e.details["items"]))
    intake = case.intake._replace(notice=notice)
    return _next(case, e, at, status=Status.CORRECTION_REQUESTED, intake=intake)


def _apply_supplement(
    case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None
) -> Case:
    d = e.details
    materials = dict(sorted({**case.intake.materials, **_files(d["materials"])}.items()))
    corrected = case.intake.corrected
    status = case.status
    if d.get("corrected"):
        corrected = at.date()
        status = Status.RECEIVED
    intake = case.intake._replace(
        materials=MappingProxyType(materials),
        problems=_problems(d["problems"]),
        gaps=tuple(d["gaps"]),
        corrected=corrected,
    )
    return _next(case, e, at, status=status, intake=intake)


def _apply_accept(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    d = e.details
    if steps is None:
        steps = dict(case.steps)
        for sid in d["passed"]:
            old = steps[sid]
            steps[sid] = _NEW(
                StepState, (StepStatus.PASSED, old[1], old[2], e.actor, d.get("for"), None, True)
            )
        _open_steps(steps, d, e.at)
    due = d["due"]
    before = case.clock
    clock = _NEW(CaseClock, (*before[:3], _dd(due[0]), _dd(due[1]), *before[5:]))
    intake = case.intake
    if "makeup_by" in d:
        intake = intake._replace(makeup_by=_dd(d["makeup_by"]))
    # built directly (as _next would: status, intake, accepted_on, deemed_acceptance,
    # steps, clock changed; then the new version, log and time)
    (cid, matter, pin, _status, _intake, _accepted_on, _deemed, _steps, _clock, decided,
     settlement, absences, ending, _version, events, _last_at) = case  # fmt: skip
    return _NEW(Case, (
        cid, matter, pin, _IN_REVIEW, intake, _dd(d["accepted_on"]),
        e.action == "deemed_acceptance", MappingProxyType(steps), clock, decided, settlement,
        absences, ending, e.seq, _push(events, e), at,
    ))  # fmt: skip


def _cancel_open(case: Case) -> Mapping[str, StepState]:
    return MappingProxyType(
        {
            sid: StepState(StepStatus.CANCELLED, st.opened, st.due)
            if st.status is StepStatus.OPEN
            else st
            for sid, st in case.steps.items()
        }
    )


_ENDINGS: Final = {
    "refuse_to_accept": Status.NOT_ACCEPTED,
    "withdraw": Status.WITHDRAWN,
    "terminate": Status.TERMINATED,
}


def _apply_ending(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    status = _ENDINGS[e.action]
    ending = Ending(status, at.date(), e.actor, e.details.get("reason") or "")
    return _next(case, e, at, status=status, ending=ending, steps=_cancel_open(case))


def _passed(case: Case, e: Event, status: StepStatus) -> dict[str, StepState]:
    """The step map after ``e`` passed its step (replay path)."""
    d = e.details
    sid = d["step"]
    steps = dict(case.steps)
    old = steps[sid]
    steps[sid] = _NEW(
        StepState,
        (status, old[1], old[2], e.actor, d.get("for"), d.get("opinion"), d.get("agree", True)),
    )
    _open_steps(steps, d, e.at)
    return steps


def _apply_pass(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    if steps is None:
        passed = StepStatus.DEEMED if e.action == "deemed_agreement" else StepStatus.PASSED
        steps = _passed(case, e, passed)
    decision = e.details.get("decision")
    # built directly (see _next), from the case's fields unpacked (cheaper than slices)
    (cid, matter, pin, status, intake, accepted_on, deemed, _steps, clock, decided, settlement,
     absences, ending, _version, events, _last_at) = case  # fmt: skip
    if decision is None:  # the common case: steps changed
        return _NEW(Case, (
            cid, matter, pin, status, intake, accepted_on, deemed, MappingProxyType(steps), clock,
            decided, settlement, absences, ending, e.seq, _push(events, e), at,
        ))  # fmt: skip
    raw = decision["fees"]
    fees = MappingProxyType({k: Decimal(v) for k, v in sorted(raw.items())}) if raw else _NO_FEES
    # status, steps, clock, decision, settlement changed
    return _NEW(Case, (
        cid, matter, pin, _APPROVED, intake, accepted_on, deemed, MappingProxyType(steps),
        _NEW(CaseClock, (*clock[:5], _dd(decision["certificate_due"]), *clock[6:])),
        _NEW(Decision, ("approved", decision["step"], e.actor, at.date(), ())),
        _NEW(Settlement, (fees, *_NO_SETTLEMENT[1:])),
        absences, ending, e.seq, _push(events, e), at,
    ))  # fmt: skip


def _apply_refuse(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    d = e.details
    decision = Decision("refused", d["step"], e.actor, at.date(), tuple(d["reasons"]))
    return _next(
        case, e, at, status=Status.REFUSED, decision=decision, steps=_cancel_open(case)
    )  # fmt: skip


def _apply_send_back(
    case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None
) -> Case:
    d = e.details
    if steps is None:
        gone = {*d["reopen"], *d["reset"]}
        steps = {sid: st for sid, st in case.steps.items() if sid not in gone}
        _open_steps(steps, d, e.at)
    return _next(case, e, at, steps=MappingProxyType(steps))


def _apply_start_stop(
    case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None
) -> Case:
    d = e.details
    stop = ActiveStop(d["kind"], at.date(), d["notice"], e.actor)
    return _next(case, e, at, clock=case.clock._replace(active_stop=stop))


def _with_dues(clock: CaseClock, due: Mapping[str, Any], **more: Any) -> CaseClock:
    return clock._replace(
        statutory_due=_d(due.get("statutory")),
        promised_due=_d(due.get("promised")),
        certificate_due=_d(due.get("certificate")),
        **more,
    )


def _apply_end_stop(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    d = e.details
    active = case.clock.active_stop
    if active is None:
        raise CaseDataError(f"event {e.seq}: no clock stop is running")
    stop = ClockStop(active.kind, active.start, at.date(), active.notice)
    clock = _with_dues(case.clock, d["due"], stops=(*case.clock.stops, stop), active_stop=None)
    new_steps = dict(case.steps)
    for sid, due in d["steps"].items():
        new_steps[sid] = new_steps[sid]._replace(due=_d(due))
    return _next(case, e, at, clock=clock, steps=MappingProxyType(new_steps))


def _apply_extend(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    d = e.details
    grant = ExtensionGrant(d["days"], e.actor, at.date(), d["reason"])
    return _next(case, e, at, clock=_with_dues(case.clock, d["due"], extension=grant))


def _apply_absence(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    d = e.details
    absence = Absence(d["person"], _dd(d["start"]), _dd(d["end"]), e.actor, d.get("reason"))
    return _next(case, e, at, absences=(*case.absences, absence))


def _specific(case: Case, e: Event, steps: dict[str, StepState] | None) -> Mapping[str, StepState]:
    """The step map after a fee, certificate, delivery or closing action."""
    if steps is None:
        if "step" not in e.details:
            return case.steps
        steps = _passed(case, e, StepStatus.PASSED)
    return MappingProxyType(steps)


def _apply_payment(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    d = e.details
    payment = Payment(Decimal(d["amount"]), at.date(), e.actor, d.get("receipt"))
    settlement = case.settlement._replace(payments=(*case.settlement.payments, payment))
    return _next(case, e, at, settlement=settlement, steps=_specific(case, e, steps))


def _apply_waiver(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    d = e.details
    waived = MappingProxyType({**case.settlement.waived, d["item"]: d["reason"]})
    settlement = case.settlement._replace(waived=waived)
    return _next(case, e, at, settlement=settlement, steps=_specific(case, e, steps))


def _apply_certificate(
    case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None
) -> Case:
    d = e.details
    cert = Certificate(d["number"], at.date(), _d(d["valid_until"]))
    return _next(
        case, e, at,
        status=Status.CERTIFIED,
        settlement=case.settlement._replace(certificate=cert),
        steps=_specific(case, e, steps),
    )  # fmt: skip


def _apply_deliver(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    settlement = case.settlement._replace(delivered=at.date(), signed_by=e.details.get("signed_by"))
    status = Status.DELIVERED if case.status is Status.CERTIFIED else case.status
    return _next(
        case, e, at, status=status, settlement=settlement, steps=_specific(case, e, steps)
    )  # fmt: skip


def _apply_close(case: Case, e: Event, at: datetime, steps: dict[str, StepState] | None) -> Case:
    # built directly (as _next would: status, steps, settlement)
    (cid, matter, pin, _status, intake, accepted_on, deemed, _steps, clock, decided,
     settlement, absences, ending, _version, events, _last_at) = case  # fmt: skip
    return _NEW(Case, (
        cid, matter, pin, _CLOSED, intake, accepted_on, deemed,
        _specific(case, e, steps) if steps is None else MappingProxyType(steps), clock, decided,
        _NEW(Settlement, (*settlement[:6], at.date())), absences, ending, e.seq,
        _push(events, e), at,
    ))  # fmt: skip


_Apply = Callable[[Case, Event, datetime, "dict[str, StepState] | None"], Case]

_APPLY: Final[dict[str, _Apply]] = {
    "request_correction": _apply_request_correction,
    "supplement": _apply_supplement,
    "accept": _apply_accept,
    "deemed_acceptance": _apply_accept,
    "refuse_to_accept": _apply_ending,
    "withdraw": _apply_ending,
    "terminate": _apply_ending,
    "pass": _apply_pass,
    "deemed_agreement": _apply_pass,
    "refuse": _apply_refuse,
    "send_back": _apply_send_back,
    "start_clock_stop": _apply_start_stop,
    "end_clock_stop": _apply_end_stop,
    "extend": _apply_extend,
    "record_absence": _apply_absence,
    "record_payment": _apply_payment,
    "waive_fee": _apply_waiver,
    "issue_certificate": _apply_certificate,
    "deliver": _apply_deliver,
    "close": _apply_close,
}


def apply_event(case: Case | None, event: Event) -> Case:
    """One step of the fold: the case after ``event`` (``None`` before the first).

    Raises:
        CaseDataError: the event does not fit the case (unknown action, missing or
            malformed details).
    """
    try:
        at = datetime.fromisoformat(event.at)
        if case is None:
            if event.action != "submit" or event.seq != 1:
                raise CaseDataError(f"event 1 must be 'submit', not {event.action!r}")
            return _apply_submit(event, at)
        apply = _APPLY.get(event.action)
        if apply is None:
            raise CaseDataError(f"event {event.seq}: unknown action {event.action!r}")
        return apply(case, event, at, None)
    except CaseDataError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidOperation) as err:
        raise CaseDataError(
            f"event {event.seq} ({event.action}) does not fit the case: {err!r}"
        ) from None


def fold(events: Iterable[Event]) -> Case:
    """The case a log describes: :func:`apply_event` over every event.

    Raises:
        CaseDataError: the log is empty or an event does not fit.
    """
    case: Case | None = None
    for event in events:
        case = apply_event(case, event)
    if case is None:
        raise CaseDataError("an empty event log describes no case")
    return case


# --------------------------------------------------------------------------- the plan


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


#: a successor of a step: its id and its other predecessors
_Follow = tuple[str, tuple[str, ...]]


class _Plan:
    """What the engine needs of one compiled matter, in dicts for the hot path."""

    # Enum members for the engine's hot paths.  On Python 3.11 ``Status.IN_REVIEW`` is
    # slow (~0.15 µs: EnumType defines ``__getattr__``, which disables the fast
    # attribute lookup on every enum class); ``_Plan.IN_REVIEW`` is a plain class
    # attribute, about four times cheaper.
    RECEIVED: Final = Status.RECEIVED
    IN_REVIEW: Final = Status.IN_REVIEW
    APPROVED: Final = Status.APPROVED
    REFUSED: Final = Status.REFUSED
    OPEN: Final = StepStatus.OPEN
    PASSED: Final = StepStatus.PASSED
    FEE: Final = StepKind.FEE
    ELECTRONIC: Final = MaterialForm.ELECTRONIC
    CLOSE: Final = StepKind.CLOSE

    def __init__(self, process: Process, catalogue: Catalogue) -> None:
        matter = process.matter
        self.process = process
        self.matter = matter
        self.hash = process.content_hash
        self.order = process.order
        self.rank = {sid: i for i, sid in enumerate(self.order)}
        self.steps = {s.id: s for s in matter.steps}
        self.kind = {s.id: s.kind for s in matter.steps}
        self.preds = {sid: process.predecessors(sid) for sid in self.order}
        self.succs = {sid: process.successors(sid) for sid in self.order}
        self.signers = {sid: process.signers(sid) for sid in self.order}
        self.signer_set = {sid: frozenset(v) for sid, v in self.signers.items()}
        self.backups: dict[str, dict[str, tuple[str, ...]]] = {}
        for sid in self.order:
            by_backup: dict[str, list[str]] = {}
            for principal, backup in process.backups(sid).items():
                if backup is not None and backup != principal:
                    by_backup.setdefault(backup, []).append(principal)
            self.backups[sid] = {b: tuple(p) for b, p in by_backup.items()}
        self.when: dict[str, Condition | None] = {
            s.id: process.condition(s.when) if s.when else None for s in matter.steps
        }
        self.start = process.start
        self.start_is_accept = self.kind[self.start] is StepKind.ACCEPT
        self.deciding = frozenset(process.deciding_steps)
        self.decision_ancestors = {sid: process.ancestors(sid) for sid in self.deciding}
        self.refusable = frozenset(s.id for s in matter.steps if s.can_refuse or s.decides)
        self.deem = frozenset(
            s.id
            for s in matter.steps
            if s.kind is StepKind.CO_REVIEW and s.on_timeout is OnTimeout.DEEM_AGREED
        )
        self.by_kind: dict[StepKind, tuple[str, ...]] = {}
        for sid in self.order:
            self.by_kind.setdefault(self.kind[sid], ())
            self.by_kind[self.kind[sid]] += (sid,)
        self.descendants = {sid: process.descendants(sid) for sid in self.order}
        self.fields = {f.id: f for f in matter.applicant_fields}
        self.materials = {m.id: m for m in matter.materials}
        self.material_when: dict[str, Condition | None] = {
            m.id: process.condition(m.when) if m.when else None for m in matter.materials
        }
        self.fees: list[tuple[FeeItem, Condition | None]] = [
            (catalogue.fee_items[ref.item], process.condition(ref.when) if ref.when else None)
            for ref in matter.fees
        ]
        self.limit: dict[str, tuple[int, str] | None] = {}
        for s in matter.steps:
            if s.time_limit is None:
                self.limit[s.id] = None
            else:
                value, unit = s.time_limit.hours_or_days
                self.limit[s.id] = (value, unit.value)
        self.has_close = StepKind.CLOSE in self.by_kind
        # _open_after's table: for each step, its successors in rank order with their
        # other predecessors; None when a successor has a condition
        # (a skipped step cascades further: _cascade handles that)
        self.after: dict[str, tuple[_Follow, ...] | None] = {}
        for sid in self.order:
            succs = sorted(self.succs[sid], key=self.rank.__getitem__)
            self.after[sid] = (
                None
                if any(self.when[succ] is not None for succ in succs)
                else tuple((succ, tuple(p for p in self.preds[succ] if p != sid)) for succ in succs)
            )
        # steps _do_pass may complete directly (its first path): not done with a
        # specific action, not a fee step, no separation of duties; deciding ones still
        # go through _may_decide.  The plain ones (not deciding) need no further check
        # in _may_step.
        self.direct_pass = frozenset(
            s.id
            for s in matter.steps
            if s.kind not in _SPECIFIC and s.kind is not StepKind.FEE and not s.separate_from
        )
        self.plain_pass = self.direct_pass - self.deciding
        limits = matter.time_limits
        value, unit = limits.statutory.hours_or_days
        self.statutory: tuple[int, str] = (value, unit.value)
        value, unit = limits.promised.hours_or_days
        self.promised: tuple[int, str] = (value, unit.value)
        self.green = limits.green_channel
        self.green_when = (
            process.condition(self.green.when) if self.green and self.green.when else None
        )
        self.extension: tuple[int, str] | None = None
        self.extenders: frozenset[str] = frozenset()
        self.extender_backups: dict[str, tuple[str, ...]] = {}
        if limits.extension is not None:
            self.extension = (limits.extension.value, limits.extension.approved_by)
            # Art. 42 ¶1: the head of *this* office, so holders of the role in the lead
            # department; a role nobody there holds (the same-level government's head
            # for joint handling, ¶2) is any holder's.
            holders = catalogue.holders(limits.extension.approved_by)
            holders = tuple(p for p in holders if p.department == matter.lead_department) or holders
            self.extenders = frozenset(p.id for p in holders)
            by_holder_backup: dict[str, list[str]] = {}
            for p in holders:
                if p.backup is not None and p.backup != p.id:
                    by_holder_backup.setdefault(p.backup, []).append(p.id)
            self.extender_backups = {b: tuple(v) for b, v in by_holder_backup.items()}
        self.stop_kinds = tuple(sorted(LAW_STOP_KINDS | set(limits.excluded_activities)))
        self.validity = matter.result.validity
        # Absences: the person, or a colleague of their department other than their own
        # backup (so that nobody can declare someone absent to act in their place).
        people = catalogue.people
        involved: set[str] = set()
        for sid in self.order:
            involved.update(self.signers[sid])
        involved.update(self.extenders)
        self.recorders: dict[str, frozenset[str]] = {}
        for pid in sorted(involved):
            person = people.get(pid)
            if person is None:
                continue
            colleagues = {q.id for q in people.values() if q.department == person.department}
            colleagues.discard(person.backup or "")
            colleagues.add(pid)
            self.recorders[pid] = frozenset(colleagues)
        self.staff: tuple[str, ...] = tuple(
            sorted(
                involved
                | {b for m in self.backups.values() for b in m}
                | set(self.extender_backups)
                | {r for rs in self.recorders.values() for r in rs}
            )
        )


# --------------------------------------------------------------------------- the engine


def _text(value: object, what: str, action: str, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ActionNotAllowed(action, f"{what} is required", code="detail-required")
        return None
    if not isinstance(value, str):
        raise CaseDataError(f"{action}: {what} must be text, not {value!r}")
    return value.strip()


def _day(value: object, what: str, action: str) -> date:
    if isinstance(value, datetime):
        raise CaseDataError(f"{action}: {what} must be a date, not a datetime")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CaseDataError(f"{action}: {what} must be a date (YYYY-MM-DD), not {value!r}")


def _money(value: object, action: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise CaseDataError(f"{action}: amount must be a number, not {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise CaseDataError(f"{action}: amount {value!r} is not a number") from None
    if not amount.is_finite() or amount.quantize(_CENT) != amount:
        raise CaseDataError(f"{action}: amount {value!r} must be yuan with at most 2 decimals")
    return amount.quantize(_CENT)


def _add_months(day: date, months: int) -> date:
    """Civil Code Art. 202: the corresponding day of the month, else the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _suggest(value: object, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(value), list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


_Details = dict[str, Any]
_Handled = tuple[_Details, "dict[str, StepState] | None"]


class Engine:
    """Runs cases of a catalogue's matters on a working-day calendar.

    Args:
        catalogue: the loaded catalogue; matters are compiled on first use.
        calendar: the working-day calendar deadlines are counted on.
        tz: the office's time zone (default Asia/Shanghai); ``at`` values are read in
            it and events are dated in it.

    Engines share nothing: two engines with different catalogues or calendars can
    run side by side in one process.  An engine caches compiled matters and due
    dates it computed; it is otherwise stateless.
    """

    def __init__(
        self, catalogue: Catalogue, calendar: WorkCalendar, *, tz: tzinfo | None = None
    ) -> None:
        if not isinstance(catalogue, Catalogue):
            raise TypeError(f"catalogue must be a Catalogue (got {type(catalogue).__name__})")
        if not isinstance(calendar, WorkCalendar):
            raise TypeError(f"calendar must be a WorkCalendar (got {type(calendar).__name__})")
        self.catalogue = catalogue
        self.calendar = calendar
        self.tz: tzinfo = tz if tz is not None else ZoneInfo("Asia/Shanghai")
        if datetime(2025, 1, 1, tzinfo=self.tz).utcoffset() is None:
            raise TypeError("tz must give a UTC offset (a ZoneInfo or a datetime.timezone)")
        self._fingerprint = calendar.fingerprint
        self._plans: dict[str, _Plan] = {}
        self._dues: dict[tuple[date, int], tuple[date, str]] = {}
        self._handlers: dict[str, Callable[..., _Handled]] = {
            name: getattr(self, f"_do_{name}") for name in ACTIONS
        }
        self._checks: dict[str, Callable[..., tuple[str | None, str]]] = {
            "request_correction": self._may_acceptance,
            "accept": self._may_acceptance,
            "refuse_to_accept": self._may_acceptance,
            "supplement": self._may_supplement,
            "withdraw": self._may_withdraw,
            "pass": self._may_step,
            "send_back": self._may_step,
            "refuse": self._may_step,
            "start_clock_stop": self._may_stop,
            "end_clock_stop": self._may_stop,
            "extend": self._may_extend,
            "record_absence": self._may_absence,
            "record_payment": self._may_fee,
            "waive_fee": self._may_fee,
            "issue_certificate": self._may_certificate,
            "deliver": self._may_deliver,
            "close": self._may_close,
        }

    # ----------------------------------------------------------------- plumbing

    def process(self, matter_id: str) -> Process:
        """The compiled process of a matter.

        Raises:
            CaseDataError: the catalogue has no such matter.
            DefinitionError: the matter does not compile.
        """
        return self._plan(matter_id).process

    def _plan(self, matter_id: str) -> _Plan:
        plan = self._plans.get(matter_id)
        if plan is None:
            matter = self.catalogue.matters.get(matter_id)
            if matter is None:
                raise CaseDataError(
                    f"the catalogue has no matter {matter_id!r}"
                    + _suggest(matter_id, self.catalogue.matters)
                )
            plan = _Plan(compile_matter(matter, self.catalogue), self.catalogue)
            self._plans[matter_id] = plan
        return plan

    def _plan_for(self, case: Case) -> _Plan:
        if type(case) is not Case:
            raise TypeError(f"case must be a Case (got {type(case).__name__})")
        plan = self._plans.get(case.matter_id) or self._plan(case.matter_id)
        if plan.hash != case.matter_hash:
            raise CaseError(
                f"case {case.id} runs under matter {case.matter_id!r} version "
                f"{case.matter_hash[:12]}, but this engine's matter is version "
                f"{plan.hash[:12]}; act on it with an engine loaded with that version"
            )
        return plan

    def _local(self, at: object) -> datetime:
        if not isinstance(at, datetime):
            raise TypeError(f"at must be a datetime (got {type(at).__name__})")
        if at.tzinfo is None or at.utcoffset() is None:
            raise TypeError("at must be timezone-aware, e.g. tzinfo=ZoneInfo('Asia/Shanghai')")
        return at if at.tzinfo is self.tz else at.astimezone(self.tz)

    def _wd(self, start: date, days: int) -> tuple[date, str]:
        """``add_workdays`` with its ISO text, cached (a pure function of the calendar)."""
        key = (start, days)
        found = self._dues.get(key)
        if found is None:
            due = self.calendar.add_workdays(start, days)
            if len(self._dues) > 200_000:
                self._dues.clear()
            found = self._dues[key] = (due, due.isoformat())
        return found

    def _period_due(
        self,
        limit: tuple[int, str],
        start: date,
        moment: datetime,
        stops: Sequence[ClockStop],
        extension: int = 0,
    ) -> date:
        value, unit = limit
        if unit == "working_days":
            if not stops and value + extension:
                return self._wd(start, value + extension)[0]
            return due_date(self.calendar, start, value, stops=stops, extension=extension)
        if unit == "calendar_days":
            return calendar_days_due(self.calendar, start, value)
        # half days and hours run in office hours (timelimits.due_datetime); the step or
        # period ends on the day they run out
        return due_datetime(self.calendar, moment, value, TimeUnit(unit)).date()

    def _step_due(
        self, plan: _Plan, sid: str, moment: datetime, stops: Sequence[ClockStop]
    ) -> tuple[date | None, str | None]:
        limit = plan.limit[sid]
        if limit is None:
            return None, None
        if limit[1] == "working_days" and not stops:
            return self._wd(moment.date(), limit[0])
        due = self._period_due(limit, moment.date(), moment, stops)
        return due, due.isoformat()

    @staticmethod
    def _stops(case: Case, day: date | None = None) -> tuple[ClockStop, ...]:
        """The case's stops; a running one counts up to ``day`` (when given)."""
        active = case.clock.active_stop
        if active is None or day is None:
            return case.clock.stops
        end = max(day, active.start)
        return (*case.clock.stops, ClockStop(active.kind, active.start, end, active.notice))

    @staticmethod
    def _append(
        case: Case,
        at: datetime,
        stamp: str,
        actor: str,
        action: str,
        handled: _Handled,
        event_id: str | None,
    ) -> Case:
        details, steps = handled
        seq = case.version + 1
        prev = case.head
        eid = event_id if event_id is not None else f"{case.id}#{seq}"
        body = _plain_body(seq, eid, stamp, actor, action, details)
        digest = chain_hash(prev, body)
        event = _NEW(Event, (seq, eid, stamp, actor, action, details, prev, digest, body))
        return _APPLY[action](case, event, at, steps)

    # ----------------------------------------------------------------- authority

    @staticmethod
    def _absent(case: Case, person: str, day: date) -> bool:
        return any(a.person == person and a.start <= day <= a.end for a in case.absences)

    def _authority(
        self,
        case: Case,
        allowed: frozenset[str],
        backups: Mapping[str, tuple[str, ...]],
        actor: str,
        day: date,
    ) -> str | None:
        """The principal ``actor`` acts for: itself, or an absent principal it backs up."""
        if actor in allowed:
            return actor
        for principal in backups.get(actor, ()):
            if self._absent(case, principal, day):
                return principal
        return None

    def _on_step(
        self, plan: _Plan, case: Case, sid: str, actor: str, day: date, action: str
    ) -> str:
        if actor in plan.signer_set[sid]:
            return actor
        principal = self._authority(case, plan.signer_set[sid], plan.backups[sid], actor, day)
        if principal is not None:
            return principal
        if actor in plan.backups[sid]:
            raise ActionNotAllowed(
                action,
                f"{actor} is a backup on step {sid!r} but none of the people they stand in "
                f"for ({', '.join(plan.backups[sid][actor])}) is recorded absent on {day}",
                code="principal-not-absent",
            )
        raise ActionNotAllowed(
            action,
            f"{actor} is not an authorised signer of step {sid!r} "
            f"(signers: {', '.join(plan.signers[sid])})",
            code="not-a-signer",
        )

    def _window(self, plan: _Plan, case: Case, actor: str, day: date, action: str) -> str:
        """Authority of the acceptance window (the start step's signers and backups)."""
        return self._on_step(plan, case, plan.start, actor, day, action)

    def _kind_actor(
        self, plan: _Plan, case: Case, kind: StepKind, actor: str, day: date, action: str
    ) -> tuple[str | None, str]:
        """Who may do a post-decision action: the open step of that kind, else the window.

        Returns the step acted on (``None`` when the matter has no such step or the
        case was refused) and the principal.
        """
        sids = plan.by_kind.get(kind, ())
        if sids and case.status is not _Plan.REFUSED:
            for sid in sids:
                st = case.steps.get(sid)
                if st is not None and st[0] is _Plan.OPEN:
                    if actor in plan.signer_set[sid]:  # _on_step's first check, inlined
                        return sid, actor
                    return sid, self._on_step(plan, case, sid, actor, day, action)
            opened = f" (open: {', '.join(case.open_steps)})" if case.open_steps else ""
            raise ActionNotAllowed(
                action, f"step {sids[0]!r}, where this is done, is not open{opened}",
                code="step-not-open",
            )  # fmt: skip
        for sid in sids:  # a refused case: the people of that step, or the window
            principal = self._authority(case, plan.signer_set[sid], plan.backups[sid], actor, day)
            if principal is not None:
                return None, principal
        return None, self._window(plan, case, actor, day, action)

    # ----------------------------------------------------------------- public API

    def submit(
        self,
        matter_id: str,
        applicant: Mapping[str, Any],
        materials: Mapping[str, Any],
        *,
        at: datetime,
        actor: str,
        case_id: str | None = None,
        green_channel: bool = False,
    ) -> Case:
        """Open a case: the materials are received and checked (收件).

        Every problem the checks find (missing required materials, electronic files
        breaking the matter's rules) is listed in ``case.intake.problems``; tolerated
        materials that are missing in ``case.intake.gaps``.  The start step (window
        acceptance) opens, and the 5-working-day correction-notice window starts.

        Args:
            matter_id: the matter applied for.
            applicant: the applicant's fields, checked against ``applicant_fields``.
            materials: material id → ``"paper"`` / ``True`` (paper only), a list of
                files (a name, or ``{name, type, size_kb, width, height, pages}``), or
                ``{"files": [...]}``.
            at: when the materials arrived (timezone-aware).
            actor: the applicant's id (only the applicant may withdraw).
            case_id: the case id (办件编号); by default one derived from the submission.
            green_channel: ask for the green channel (the matter must offer it and
                its condition must hold).

        Raises:
            TypeError: ``at`` is naive.
            CaseDataError: unknown matter, fields, materials or malformed input.
            ActionNotAllowed: green channel asked for but not available, or a date the
                calendar has no data for.
        """
        plan = self._plan(matter_id)
        local = self._local(at)
        if not isinstance(actor, str) or not actor.strip():
            raise CaseDataError(f"actor must be non-empty text, not {actor!r}")
        if actor == SYSTEM:
            raise ActionNotAllowed("submit", f"{SYSTEM!r} is reserved", code="reserved-actor")
        fields = self._check_applicant(plan, applicant)
        files = self._check_materials_input(plan, materials, "submit")
        problems, gaps = self._check_materials(plan, fields, files)
        if plan.fees:
            self._fee_fields(plan, fields)
        promised = plan.promised
        if green_channel:
            green = plan.green
            if green is None:
                raise ActionNotAllowed(
                    "submit", f"matter {matter_id!r} has no green channel", code="no-green-channel"
                )
            if plan.green_when is not None and not plan.green_when.evaluate(fields):
                raise ActionNotAllowed(
                    "submit",
                    f"the green channel needs {green.when} for this applicant",
                    code="no-green-channel",
                )
            if promised[1] == "working_days":
                promised = (green_channel_days(promised[0], green.reduction), promised[1])
        stamp = local.isoformat()
        received = local.date()
        try:
            # Art. 32: the one-time notice is due within 5 working days of receipt
            # (timelimits.correction_notice_due), cached here like every due date.
            notice_due = self._wd(received, 5)[1]
            due = self._step_due(plan, plan.start, local, ())[1]
        except CalendarError as err:
            raise ActionNotAllowed("submit", str(err), code="calendar") from None
        if case_id is None:
            payload = [matter_id, fields, files, stamp, actor]
            case_id = "c-" + hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:12]
        elif not isinstance(case_id, str) or not case_id or "#" in case_id:
            raise CaseDataError(f"case_id must be non-empty text without '#', not {case_id!r}")
        details = {
            "case": case_id,
            "matter": matter_id,
            "matter_hash": plan.hash,
            "calendar": self._fingerprint,
            "applicant": fields,
            "materials": files,
            "problems": [[p.material, p.code, p.message] for p in problems] if problems else [],
            "gaps": gaps,
            "green_channel": bool(green_channel),
            "limits": [list(plan.statutory), list(promised)],
            "notice_due": notice_due,
            "open": [[plan.start, due]],
        }
        eid = f"{case_id}#1"
        body = _plain_body(1, eid, stamp, actor, "submit", details)
        digest = chain_hash(GENESIS, body)
        event = _NEW(Event, (1, eid, stamp, actor, "submit", details, GENESIS, digest, body))
        return _apply_submit(event, local)

    def act(
        self,
        case: Case,
        action: str,
        *,
        at: datetime,
        actor: str,
        event_id: str | None = None,
        expected_version: int | None = None,
        **details: Any,
    ) -> Case:
        """Do ``action`` on ``case`` and return the next case.

        Clock events that fell due before ``at`` are recorded first (:meth:`advance`).

        Args:
            case: the case as the caller holds it.
            action: one of :data:`ACTIONS`.
            at: when (timezone-aware; not before the case's last event).
            actor: the person (or the applicant) acting.
            event_id: the caller's id for this action; retrying with an id already in
                the case returns the case unchanged (idempotent retries).
            expected_version: the version the caller last saw; another raises
                :class:`~.errors.StaleCase` (optimistic concurrency).
            details: the action's details (see :data:`ACTIONS` and docs/engine.md).

        Raises:
            TypeError: ``at`` is naive.
            ActionNotAllowed: refused, with ``reason`` and ``code``; nothing changed.
            StaleCase: ``expected_version`` is not the case's version.
            CaseDataError: malformed details.
            CalendarError: a date the calendar has no official data for (it never
                guesses; add an overlay or use a provisional calendar).
            CaseError: the engine's matter is another version than the case's.
        """
        plan = self._plans.get(case.matter_id) if type(case) is Case else None
        if plan is None or plan.hash != case.matter_hash:
            plan = self._plan_for(case)  # raises the right error
        if event_id is not None:
            if not isinstance(event_id, str) or not event_id or "#" in event_id:
                raise CaseDataError(
                    f"event_id must be non-empty text without '#', not {event_id!r}"
                )
            for event in case.events:
                if event.id == event_id:
                    if event.action != action or event.actor != actor:
                        raise ActionNotAllowed(
                            action,
                            f"event id {event_id!r} was already used for {event.action!r} "
                            f"by {event.actor}",
                            code="event-id-reused",
                        )
                    return case
        if expected_version is not None and expected_version != case.version:
            raise StaleCase(expected_version, case.version)
        # an aware datetime in the engine's zone is the common case: skip the checks
        local = at if getattr(at, "tzinfo", None) is self.tz else self._local(at)
        if local < case.last_at:
            raise ActionNotAllowed(
                action,
                f"{local.isoformat()} is before the case's last event ({case.events[-1].at})",
                code="time-goes-back",
            )
        if not isinstance(actor, str) or not actor:
            raise CaseDataError(f"actor must be non-empty text, not {actor!r}")
        handler = self._handlers.get(action)
        if handler is None:
            raise ActionNotAllowed(
                str(action), "unknown action" + _suggest(action, ACTIONS), code="unknown-action"
            )
        if actor == SYSTEM:
            raise ActionNotAllowed(action, f"{SYSTEM!r} is reserved", code="reserved-actor")
        if details:
            allowed = ACTIONS[action]
            for key in details:
                if key not in allowed:
                    raise CaseDataError(
                        f"{action}: unknown detail {key!r} "
                        f"(it takes: {', '.join(allowed) or 'none'})"
                    )
        status = case.status
        # a RECEIVED case without a notice is deemed accepted at 00:00 after notice_due
        # (_next_timer); ``local`` is in the engine's zone, so before then nothing is due
        if (status is _Plan.IN_REVIEW and (plan.deem or case.intake.gaps)) or (
            status is _Plan.RECEIVED
            and case.intake.notice is None
            and local.date() > case.clock.notice_due
        ):
            case = self._advance(plan, case, local)
            status = case.status
        if status in _TERMINAL:
            raise ActionNotAllowed(action, f"the case is {status.value}", code="case-ended")
        stamp = local.isoformat()
        new, steps = handler(plan, case, local, stamp, actor, details)
        # append the event (as _append does, inline: this is every action's path)
        seq = case.version + 1
        events = case.events
        # Case.head inlined: the last event's hash (a tuple) or the stored log's head
        prev = events[-1].hash if type(events) is tuple else cast(EventLog, events).head
        eid = event_id if event_id is not None else f"{case.id}#{seq}"
        body = _plain_body(seq, eid, stamp, actor, action, new)
        digest = chain_hash(prev, body)
        event = _NEW(Event, (seq, eid, stamp, actor, action, new, prev, digest, body))
        return _APPLY[action](case, event, local, steps)

    def advance(self, case: Case, at: datetime) -> Case:
        """Record the clock events that fell due up to ``at``; the same case if none did.

        Each is dated when its limit ran out (00:00 of the day after the last day):
        deemed acceptance when no correction notice came within 5 working days
        (Art. 32); deemed agreement of a co-department step whose matter says
        ``on_timeout: deem_agreed``; termination when a tolerated gap's make-up
        date passed.

        Raises:
            TypeError: ``at`` is naive.
            ActionNotAllowed: ``at`` is before the case's last event.
            CalendarError: a date the calendar has no official data for.
        """
        plan = self._plan_for(case)
        local = self._local(at)
        if local < case.last_at:
            raise ActionNotAllowed(
                "advance",
                f"{local.isoformat()} is before the case's last event ({case.events[-1].at})",
                code="time-goes-back",
            )
        return self._advance(plan, case, local)

    def replay(self, events: Sequence[Event], *, head: str | None = None) -> Case:
        """Rebuild a case from its log after verifying the hash chain.

        Args:
            events: the log.
            head: the last hash kept elsewhere (detects a truncated log).

        Raises:
            LogTampered: the chain is broken (a :class:`~.errors.CaseError`).
            CaseDataError: an event does not fit.
            CaseError: the case ran under another version of the matter.
        """
        verify(events, head=head)
        case = fold(events)
        self._plan_for(case)
        return case

    # ----------------------------------------------------------------- input checks

    def _check_applicant(self, plan: _Plan, applicant: object) -> dict[str, Any]:
        if type(applicant) is not dict and not isinstance(applicant, Mapping):
            raise CaseDataError(f"applicant must be a mapping of fields, not {applicant!r}")
        out: dict[str, Any] = {}
        for key, value in applicant.items():
            spec = plan.fields.get(key) if isinstance(key, str) else None
            if spec is None:
                raise CaseDataError(
                    f"matter {plan.matter.id!r} has no applicant field {key!r}"
                    + _suggest(key, plan.fields)
                )
            if value is None:
                continue
            kind = spec.type
            if kind is FieldType.NUMBER:
                ok = (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and math.isfinite(value)
                )
            elif kind is FieldType.BOOLEAN:
                ok = isinstance(value, bool)
            elif kind is FieldType.CHOICE:
                ok = isinstance(value, str) and value in spec.choices
            elif kind is FieldType.TEXT:
                ok = isinstance(value, str)
            else:
                ok = isinstance(value, str | date) and not isinstance(value, datetime)
            if not ok:
                expected = {
                    FieldType.NUMBER: "a number",
                    FieldType.BOOLEAN: "true or false",
                    FieldType.CHOICE: "one of " + ", ".join(spec.choices),
                    FieldType.TEXT: "text",
                    FieldType.DATE: "a date",
                }[kind]
                raise CaseDataError(f"applicant field {key!r} must be {expected}, not {value!r}")
            if kind is FieldType.DATE:
                value = _day(value, f"applicant field {key!r}", "submit").isoformat()
            out[key] = value
        return out

    def _fee_fields(self, plan: _Plan, fields: Mapping[str, Any]) -> None:
        for item, cond in plan.fees:
            applies = cond is None or cond.evaluate(fields)
            if item.per_field is not None and applies and item.per_field not in fields:
                raise CaseDataError(
                    f"applicant field {item.per_field!r} is needed to assess the fee "
                    f"{item.name} ({item.id})"
                )

    def _check_materials_input(
        self, plan: _Plan, materials: object, action: str
    ) -> dict[str, list[dict[str, Any]]]:
        if type(materials) is not dict and not isinstance(materials, Mapping):
            raise CaseDataError(f"{action}: materials must be a mapping, not {materials!r}")
        out: dict[str, list[dict[str, Any]]] = {}
        for mid, value in materials.items():
            if not isinstance(mid, str) or mid not in plan.materials:
                raise CaseDataError(
                    f"{action}: matter {plan.matter.id!r} has no material {mid!r}"
                    + _suggest(mid, plan.materials)
                )
            if value is None or value is False:
                continue
            if value is True or value == "paper":
                out[mid] = []
                continue
            if type(value) is not list and isinstance(value, Mapping):
                if set(value) != {"files"}:
                    raise CaseDataError(f"{action}: material {mid!r}: use {{files: [...]}}")
                value = value["files"]
            if not isinstance(value, list | tuple):
                raise CaseDataError(
                    f"{action}: material {mid!r} must be 'paper', true, or a list of files"
                )
            out[mid] = [_file(mid, f, action) for f in value]
        return out

    def _check_materials(
        self,
        plan: _Plan,
        fields: Mapping[str, Any],
        files: Mapping[str, list[dict[str, Any]]],
    ) -> tuple[list[Problem], list[str]]:
        """Every problem of the materials, and the tolerated materials missing."""
        problems: list[Problem] = []
        gaps: list[str] = []
        for m in plan.matter.materials:
            if m.satisfied_by is not None:
                continue  # fetched from the shared result store, never asked for again
            cond = plan.material_when[m.id]
            given = files.get(m.id)
            if given is None:
                if m.necessity is Necessity.OPTIONAL or (
                    cond is not None and not cond.evaluate(fields)
                ):
                    continue
                if m.necessity is Necessity.TOLERATED:
                    gaps.append(m.id)
                else:
                    problems.append(Problem(m.id, "missing", f"{m.name} ({m.id}) is missing"))
                continue
            if given or m.form is _Plan.ELECTRONIC:  # else _file_problems finds nothing
                problems.extend(_file_problems(m, given))
        return problems, gaps

    # ----------------------------------------------------------------- clocks

    def _next_timer(self, plan: _Plan, case: Case) -> tuple[datetime, str, str | None] | None:
        status = case.status
        if status is Status.RECEIVED and case.intake.notice is None:
            moment = _midnight(case.clock.notice_due + _ONE_DAY, self.tz)
            return moment, "deemed_acceptance", None
        if status is not Status.IN_REVIEW:
            return None
        best: tuple[datetime, str, str | None] | None = None
        if case.intake.gaps and case.intake.makeup_by is not None:
            best = (_midnight(case.intake.makeup_by + _ONE_DAY, self.tz), "terminate", None)
        if plan.deem:
            active = case.clock.active_stop
            for sid in plan.order:
                if sid not in plan.deem:
                    continue
                st = case.steps.get(sid)
                if st is None or st.status is not StepStatus.OPEN or st.due is None:
                    continue
                if active is not None and active.start <= st.due:
                    continue  # paused by the running stop; re-dated when it ends
                moment = _midnight(st.due + _ONE_DAY, self.tz)
                if best is None or moment < best[0]:
                    best = (moment, "deemed_agreement", sid)
        return best

    def _advance(self, plan: _Plan, case: Case, until: datetime) -> Case:
        while True:
            timer = self._next_timer(plan, case)
            if timer is None or timer[0] > until:
                return case
            moment, action, sid = timer
            moment = max(moment, case.last_at)
            stamp = moment.isoformat()
            handled: _Handled
            if action == "deemed_acceptance":
                handled = self._acceptance(plan, case, moment, stamp, SYSTEM, None)
            elif action == "terminate":
                gaps = ", ".join(case.intake.gaps)
                reason = f"the make-up date for tolerated materials passed: {gaps}"
                handled = ({"reason": reason, "missing": list(case.intake.gaps)}, None)
            else:
                assert sid is not None
                handled = self._after_pass(
                    plan, case, sid, moment, stamp, SYSTEM, {"step": sid}, StepStatus.DEEMED
                )
            case = self._append(case, moment, stamp, SYSTEM, action, handled, None)

    def deadlines(self, case: Case, at: datetime) -> Deadlines:
        """The case's periods on the day of ``at``: due dates, elapsed, remaining, used.

        ``statutory`` runs from acceptance to the decision (Art. 42), ``promised``
        from acceptance to closing (办结; to the decision for a refusal),
        ``certificate`` from a positive decision to delivery (Art. 44), each open
        step from the day it opened.  Due dates are the ones recorded in the case; a
        running clock stop counts up to ``at``.

        Raises:
            TypeError: ``at`` is naive.
            CalendarError: a date the calendar has no data for.
        """
        plan = self._plan_for(case)
        day = self._local(at).date()
        stops = self._stops(case, day)
        clock = case.clock
        stopped = clock.active_stop is not None
        ext = clock.extension.days if clock.extension else 0
        decided = case.decision.on if case.decision else None
        ended = case.ending.on if case.ending else None

        def period(
            name: str,
            start: date,
            limit: tuple[int, str],
            due: date,
            until: date | None,
            extension: int = 0,
            counted: Sequence[ClockStop] = stops,
        ) -> Deadline:
            on = min(day, until) if until is not None else day
            value, unit = limit
            running = stopped and until is None and bool(counted)
            if unit == "working_days":
                p = progress(
                    self.calendar, start, value, max(on, start), stops=counted,
                    extension=extension,
                )  # fmt: skip
                total = value + extension
                return Deadline(
                    name, start, due, total, p.elapsed, total - p.elapsed, p.fraction_used,
                    on > due, until, running, p.provisional,
                )  # fmt: skip
            elapsed = self.calendar.workdays_between(start, on) if on > start else 0
            left = self.calendar.workdays_between(on, due) if due > on else 0
            return Deadline(
                name, start, due, None, elapsed, left if on <= due else -elapsed,
                1.0 if on >= due else 0.0, on > due, until, running,
            )  # fmt: skip

        received = case.intake.received.astimezone(self.tz).date()
        # the notice window closes with the notice, or when the case was accepted (the
        # day of that event, not the retroactive acceptance day), or when it ended
        window_closed = case.intake.notice.issued if case.intake.notice else None
        if window_closed is None and case.accepted_on is not None:
            accepting = next(e for e in case.events if e.action in _ACCEPTING)
            window_closed = min(
                datetime.fromisoformat(accepting.at).astimezone(self.tz).date(),
                clock.notice_due,
            )
        notice = period(
            "correction_notice", received, (5, "working_days"), clock.notice_due,
            window_closed or ended, counted=(),
        )  # fmt: skip
        statutory = promised = certificate = None
        if case.accepted_on is not None:
            assert clock.statutory_due is not None
            assert clock.promised_due is not None
            statutory = period(
                "statutory", case.accepted_on, clock.statutory_limit, clock.statutory_due,
                decided or ended, ext,
            )  # fmt: skip
            refused = decided if case.status is Status.REFUSED else None
            promised = period(
                "promised", case.accepted_on, clock.promised_limit, clock.promised_due,
                case.settlement.closed or refused or ended, ext,
            )  # fmt: skip
        if clock.certificate_due is not None and decided is not None:
            certificate = period(
                "certificate", decided, (10, "working_days"), clock.certificate_due,
                case.settlement.delivered,
            )  # fmt: skip
        steps: dict[str, Deadline] = {}
        for sid, st in case.steps.items():
            limit = plan.limit.get(sid)
            if st.status is not StepStatus.OPEN or st.due is None or limit is None:
                continue
            assert st.opened is not None
            opened = datetime.fromisoformat(st.opened).astimezone(self.tz).date()
            steps[sid] = period(sid, opened, limit, st.due, None)
        makeup = case.intake.makeup_by if case.intake.gaps else None
        return Deadlines(
            day, notice, statutory, promised, certificate, MappingProxyType(steps), makeup,
            stopped,
        )  # fmt: skip

    # ----------------------------------------------------------------- steps

    @staticmethod
    def _step_map(case: Case) -> dict[str, StepState]:
        """A new dict of the case's steps, to change and fold into the next case.

        The engine keeps every step map as a MappingProxyType of a dict: ``copy()``
        copies that dict at C speed, where ``dict(proxy)`` reads it key by key (~6x
        slower); any other mapping is copied with ``dict()``.
        """
        steps = case.steps
        if type(steps) is MappingProxyType:
            try:
                copied = steps.copy()
            except AttributeError:  # a proxy of a mapping without copy()
                pass
            else:
                if type(copied) is dict:
                    return copied
        return dict(steps)

    def _cascade(
        self,
        plan: _Plan,
        case: Case,
        steps: dict[str, StepState],
        done: Iterable[str],
        moment: datetime,
        stamp: str,
        stops: Sequence[ClockStop],
        details: _Details,
    ) -> None:
        """Open (or skip) every step whose ``after`` steps are now all done.

        ``steps`` is updated in place, with new entries in the order a replay of the
        event adds them (opened steps by rank, then skipped ones); the event's
        ``details`` get ``open`` (step, due) rows and ``skip`` ids when there are any.
        """
        opened: list[str] = []
        skipped: list[str] = []
        rows: list[list[Any]] = []
        succs, preds, when = plan.succs, plan.preds, plan.when
        frontier = tuple(done)
        while frontier:
            following: list[str] = []
            for sid in frontier:
                for succ in succs[sid]:
                    if succ in steps:
                        continue
                    for pred in preds[succ]:
                        st = steps.get(pred)
                        if st is None or st[0] not in _DONE:
                            break
                    else:
                        cond = when[succ]
                        if cond is not None and not cond.evaluate(case.intake.applicant):
                            steps[succ] = _SKIPPED
                            skipped.append(succ)
                            following.append(succ)
                            continue
                        due, text = self._step_due(plan, succ, moment, stops)
                        steps[succ] = _NEW(
                            StepState, (_Plan.OPEN, stamp, due, None, None, None, True)
                        )
                        opened.append(succ)
                        rows.append([succ, text])
            frontier = tuple(following)
        if len(opened) + len(skipped) > 1 and (
            skipped or len(opened) > 2 or (plan.rank[opened[0]] > plan.rank[opened[1]])
        ):
            rank = plan.rank.__getitem__
            rows.sort(key=lambda row: rank(row[0]))
            opened.sort(key=rank)
            skipped.sort(key=rank)
            for sid in (*opened, *skipped):
                steps[sid] = steps.pop(sid)
        if rows:
            details["open"] = rows
        if skipped:
            details["skip"] = skipped

    def _open_after(
        self,
        plan: _Plan,
        case: Case,
        steps: dict[str, StepState],
        sid: str,
        moment: datetime,
        stamp: str,
        stops: Sequence[ClockStop],
        details: _Details,
    ) -> None:
        """:meth:`_cascade` after the one step ``sid`` is done (every action's path).

        With ``plan.after``: the successors are in rank order, so the opened steps come
        out in the order _cascade sorts them into; a successor with a condition may be
        skipped and cascade further, so those go to _cascade.
        """
        table = plan.after[sid]
        if table is None:
            self._cascade(plan, case, steps, (sid,), moment, stamp, stops, details)
            return
        rows: list[list[Any]] = []
        for succ, others in table:
            if succ in steps:
                continue
            for pred in others:
                st = steps.get(pred)
                if st is None or st[0] not in _DONE:
                    break
            else:
                due, text = self._step_due(plan, succ, moment, stops)
                steps[succ] = _NEW(StepState, (_Plan.OPEN, stamp, due, None, None, None, True))
                rows.append([succ, text])
        if rows:
            details["open"] = rows

    def _after_pass(
        self,
        plan: _Plan,
        case: Case,
        sid: str,
        moment: datetime,
        stamp: str,
        actor: str,
        details: _Details,
        status: StepStatus = StepStatus.PASSED,
    ) -> _Handled:
        """``details`` plus what passing ``sid`` causes: steps opened, skipped, a decision."""
        steps = self._step_map(case)
        old = steps[sid]
        if len(details) == 1:  # just {"step": sid}: the common case
            state = (status, old[1], old[2], actor, None, None, True)
        else:
            state = (status, old[1], old[2], actor, details.get("for"), details.get("opinion"),
                     details.get("agree", True))  # fmt: skip
        steps[sid] = _NEW(StepState, state)
        stops = case.clock.stops
        if plan.succs[sid]:  # (a step without successors opens nothing)
            self._open_after(plan, case, steps, sid, moment, stamp, stops, details)
        if sid in plan.deciding and case.decision is None:
            self._decide(plan, case, steps, sid, moment, stops, details)
        return details, steps

    def _decide(
        self,
        plan: _Plan,
        case: Case,
        steps: dict[str, StepState],
        sid: str,
        moment: datetime,
        stops: Sequence[ClockStop],
        details: _Details,
    ) -> None:
        """The approval in ``details`` once the deciding steps are all done."""
        for other in plan.deciding:
            if steps.get(other, _PENDING)[0] not in _DONE:
                return
        details["decision"] = {
            "step": sid,
            "fees": {k: str(v) for k, v in self._fees(plan, case).items()} if plan.fees else {},
            # Art. 44: 10 WD from the decision (timelimits.certificate_due)
            "certificate_due": self._wd(moment.date(), 10)[1]
            if not stops
            else certificate_due(self.calendar, moment.date(), stops=stops).isoformat(),
        }

    def _fees(self, plan: _Plan, case: Case) -> dict[str, Decimal]:
        fields = case.intake.applicant
        fees: dict[str, Decimal] = {}
        for item, cond in plan.fees:
            if cond is not None and not cond.evaluate(fields):
                continue
            if item.amount is not None:
                amount = item.amount
            else:
                assert item.rate is not None
                assert item.per_field is not None
                amount = item.rate * Decimal(str(fields.get(item.per_field, 0)))
                if item.minimum is not None:
                    amount = max(amount, item.minimum)
                if item.maximum is not None:
                    amount = min(amount, item.maximum)
            fees[item.id] = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
        return fees

    def _open_step(self, plan: _Plan, case: Case, details: Mapping[str, Any], action: str) -> str:
        """The open step an action names, or the only open one when it names none."""
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
        if type(sid) is not str or sid not in plan.kind:
            raise ActionNotAllowed(
                action, f"no step {sid!r} in this matter" + _suggest(sid, plan.kind),
                code="unknown-step",
            )  # fmt: skip
        return sid

    @staticmethod
    def _separation(
        plan: _Plan, case: Case, sid: str, actor: str, principal: str, action: str
    ) -> None:
        for other in plan.steps[sid].separate_from:
            st = case.steps.get(other)
            if st is None or st.by is None:
                continue
            if actor in (st.by, st.on_behalf_of) or principal in (st.by, st.on_behalf_of):
                raise ActionNotAllowed(
                    action,
                    f"{actor} signed step {other!r}, so may not also sign step {sid!r}",
                    code="separation-of-duties",
                )

    # ----------------------------------------------------------------- who may do what
    #
    # Each check raises ActionNotAllowed or returns (step acted on, principal).  act()
    # and available_actions() use the same checks, so what is listed is what succeeds.

    def _may(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        if case.status in _TERMINAL:
            raise ActionNotAllowed(action, f"the case is {case.status.value}", code="case-ended")
        return self._checks[action](plan, case, action, step, actor, day)

    def _may_acceptance(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        status = case.status
        if action == "request_correction" and case.intake.notice is not None:
            raise ActionNotAllowed(
                action, "the one-time correction notice was already issued",
                code="notice-already-issued",
            )  # fmt: skip
        if status is not _Plan.RECEIVED and not (
            action == "refuse_to_accept" and status is Status.CORRECTION_REQUESTED
        ):
            raise ActionNotAllowed(
                action, f"the case is {status.value}, not awaiting acceptance",
                code="wrong-status",
            )  # fmt: skip
        if actor in plan.signer_set[plan.start]:  # _window's first check, inlined
            principal = actor
        else:
            principal = self._window(plan, case, actor, day, action)
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
                    action, f"the materials are not complete: {items}",
                    code="materials-incomplete",
                )  # fmt: skip
            if case.intake.gaps:
                # 容缺: the make-up date may not be later than the promised deadline, so
                # once that has passed no tolerated acceptance is possible.
                promised = self._acceptance_dues(case, _midnight(day, self.tz))[2]
                if promised < day:
                    raise ActionNotAllowed(
                        action, f"tolerated materials are missing and the promised deadline "
                        f"{promised} has passed: no make-up date is possible",
                        code="makeup-date-too-late",
                    )  # fmt: skip
        return plan.start, principal

    def _may_supplement(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        status = case.status
        if status not in _BEFORE_ACCEPTANCE and not (
            status is Status.IN_REVIEW and case.intake.gaps
        ):
            raise ActionNotAllowed(
                action, f"nothing to supplement while the case is {status.value}",
                code="wrong-status",
            )  # fmt: skip
        if actor == case.intake.applicant_id:
            return None, actor
        return None, self._window(plan, case, actor, day, action)

    def _may_withdraw(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        if actor != case.intake.applicant_id:
            raise ActionNotAllowed(
                action, f"only the applicant ({case.intake.applicant_id}) may withdraw",
                code="not-the-applicant",
            )  # fmt: skip
        if case.status not in _UNDECIDED:
            raise ActionNotAllowed(
                action, "the case is decided; it can no longer be withdrawn", code="wrong-status"
            )
        return None, actor

    def _may_step(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        if case.status in _BEFORE_ACCEPTANCE:
            raise ActionNotAllowed(
                action, "the case is not accepted yet: accept it, request a correction or "
                "refuse to accept it", code="not-accepted-yet",
            )  # fmt: skip
        assert step is not None
        st = case.steps.get(step)
        if st is None or st[0] is not _Plan.OPEN:
            state = "pending" if st is None else st.status.value
            raise ActionNotAllowed(
                action, f"step {step!r} is not open (it is {state})", code="step-not-open"
            )
        if actor in plan.signer_set[step]:  # _on_step's first check, inlined
            principal = actor
        else:
            principal = self._on_step(plan, case, step, actor, day, action)
        if action == "pass":
            if step in plan.plain_pass:  # none of the checks below applies
                return step, principal
            kind = plan.kind[step]
            specific = _SPECIFIC.get(kind)
            if specific is not None:
                raise ActionNotAllowed(
                    action, f"step {step!r} is completed with {specific!r}",
                    code="use-specific-action",
                )  # fmt: skip
            if kind is _Plan.FEE and case.settlement.fees and case.settlement.outstanding > 0:
                raise ActionNotAllowed(
                    action, f"fees of {case.settlement.outstanding} yuan are not paid",
                    code="fees-outstanding",
                )  # fmt: skip
            if plan.steps[step].separate_from:
                self._separation(plan, case, step, actor, principal, action)
            if step in plan.deciding:
                self._may_decide(plan, case, step, action)
        elif action == "send_back":
            if not self._send_back_targets(plan, case, step):
                raise ActionNotAllowed(
                    action, f"step {step!r} may not send the case back"
                    + (" before its decision" if plan.steps[step].send_back_to else ""),
                    code="no-send-back",
                )  # fmt: skip
        else:
            if step not in plan.refusable or case.status is not Status.IN_REVIEW:
                raise ActionNotAllowed(
                    action, f"step {step!r} may not refuse the application", code="cannot-refuse"
                )
            self._separation(plan, case, step, actor, principal, action)
        return step, principal

    def _may_decide(self, plan: _Plan, case: Case, step: str, action: str) -> None:
        if case.intake.gaps:
            raise ActionNotAllowed(
                action,
                "tolerated materials are still missing: " + ", ".join(case.intake.gaps),
                code="materials-outstanding",
            )
        for other in plan.decision_ancestors[step]:
            if case.steps.get(other, _PENDING)[0] not in _DONE:
                pending = sorted(
                    (a for a in plan.decision_ancestors[step]
                     if case.steps.get(a, _PENDING)[0] not in _DONE),
                    key=plan.rank.__getitem__,
                )  # fmt: skip
                raise ActionNotAllowed(
                    action, "earlier steps are not done: " + ", ".join(pending),
                    code="steps-pending",
                )  # fmt: skip

    def _may_stop(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        active = case.clock.active_stop
        if action == "start_clock_stop":
            if case.status not in (Status.IN_REVIEW, Status.APPROVED):
                raise ActionNotAllowed(
                    action, f"no period runs while the case is {case.status.value}",
                    code="wrong-status",
                )  # fmt: skip
            if active is not None:
                raise ActionNotAllowed(
                    action, f"a clock stop ({active.kind}) is already running",
                    code="clock-stopped",
                )  # fmt: skip
            stops = case.clock.stops
            if stops and day <= stops[-1].end:
                # stops count whole days and may not overlap (Art. 45 periods)
                raise ActionNotAllowed(
                    action, f"the last clock stop ended on {stops[-1].end}; a new one can "
                    "start the next day", code="stop-overlaps",
                )  # fmt: skip
        elif active is None:
            raise ActionNotAllowed(action, "no clock stop is running", code="no-clock-stop")
        for sid in case.open_steps:
            handler = self._authority(case, plan.signer_set[sid], plan.backups[sid], actor, day)
            if handler is not None:
                return None, handler
        if active is not None and actor == active.by:
            return None, actor
        raise ActionNotAllowed(
            action, f"{actor} handles none of the open steps", code="not-a-signer"
        )

    def _may_extend(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        if plan.extension is None:
            raise ActionNotAllowed(
                action, f"matter {plan.matter.id!r} allows no extension", code="no-extension"
            )
        if case.status is not Status.IN_REVIEW:
            raise ActionNotAllowed(
                action, "only an accepted case not yet decided can be extended "
                f"(it is {case.status.value})", code="wrong-status",
            )  # fmt: skip
        if case.clock.extension is not None:
            raise ActionNotAllowed(
                action, "the case was already extended; the law allows one extension",
                code="already-extended",
            )  # fmt: skip
        due = case.clock.statutory_due
        assert due is not None
        if day > due:
            raise ActionNotAllowed(
                action, f"the statutory deadline {due} has passed; extend on or before it",
                code="extension-too-late",
            )  # fmt: skip
        approver = self._authority(case, plan.extenders, plan.extender_backups, actor, day)
        if approver is None:
            raise ActionNotAllowed(
                action, f"{actor} does not hold the role {plan.extension[1]!r} that approves "
                "extensions", code="not-authorised",
            )  # fmt: skip
        return None, approver

    def _may_absence(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        if not any(actor in rs for rs in plan.recorders.values()):
            raise ActionNotAllowed(
                action, f"{actor} may not record absences in this case", code="not-authorised"
            )
        return None, actor

    def _may_fee(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        if case.status is not Status.APPROVED:
            raise ActionNotAllowed(
                action, "fees are settled after approval and before the certificate (the case "
                f"is {case.status.value})", code="wrong-status",
            )  # fmt: skip
        if case.settlement.outstanding <= 0:
            raise ActionNotAllowed(action, "no fee is outstanding", code="nothing-to-pay")
        if action == "waive_fee" and not self._waivable(plan, case):
            raise ActionNotAllowed(action, "no outstanding fee may be waived", code="not-waivable")
        return self._kind_actor(plan, case, StepKind.FEE, actor, day, action)

    def _may_certificate(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        if case.status is not Status.APPROVED:
            raise ActionNotAllowed(
                action, "a certificate follows a positive decision "
                f"(the case is {case.status.value})", code="wrong-status",
            )  # fmt: skip
        if case.settlement.outstanding > 0:
            raise ActionNotAllowed(
                action, f"fees of {case.settlement.outstanding} yuan are not paid",
                code="fees-outstanding",
            )  # fmt: skip
        return self._kind_actor(plan, case, StepKind.CERTIFY, actor, day, action)

    def _may_deliver(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        status = case.status
        if status is not Status.CERTIFIED and not (
            status is Status.REFUSED and case.settlement.delivered is None
        ):
            why = (
                "issue the certificate first"
                if status is Status.APPROVED
                else f"the case is {status.value}"
            )
            raise ActionNotAllowed(action, f"nothing to deliver: {why}", code="wrong-status")
        return self._kind_actor(plan, case, StepKind.DELIVER, actor, day, action)

    def _may_close(
        self, plan: _Plan, case: Case, action: str, step: str | None, actor: str, day: date
    ) -> tuple[str | None, str]:
        status = case.status
        approved = status in _APPROVED_PATH
        if not approved and status is not _Plan.REFUSED:
            raise ActionNotAllowed(
                action, f"a case is closed after its decision (it is {status.value})",
                code="wrong-status",
            )  # fmt: skip
        # Without a close step the window closes the case once the decision (and the
        # certificate) has been delivered; with one, the process orders what comes first.
        if case.settlement.delivered is None and (not approved or not plan.has_close):
            raise ActionNotAllowed(
                action, "deliver the decision before closing the case", code="not-delivered"
            )
        if case.clock.active_stop is not None:
            raise ActionNotAllowed(action, "a clock stop is running", code="clock-stopped")
        closing, closer = self._kind_actor(plan, case, _Plan.CLOSE, actor, day, action)
        if approved:
            for s, st in case.steps.items():
                if st[0] is _Plan.OPEN and s != closing:
                    break
            else:
                return closing, closer
            others = [s for s, st in case.steps.items() if st[0] is _Plan.OPEN and s != closing]
            if others:
                raise ActionNotAllowed(
                    action, "steps are still open: " + ", ".join(others), code="steps-open"
                )
        return closing, closer

    def _waivable(self, plan: _Plan, case: Case) -> list[str]:
        items = {item.id: item for item, _ in plan.fees}
        s = case.settlement
        paid = s.paid
        assessed = s.assessed
        return [
            k for k, v in s.fees.items()
            if k not in s.waived and items[k].waivable and paid <= assessed - v
        ]  # fmt: skip

    @staticmethod
    def _send_back_targets(plan: _Plan, case: Case, step: str) -> list[str]:
        targets = list(plan.steps[step].send_back_to)
        if case.decision is not None:
            decided = case.decision.step
            before = plan.decision_ancestors.get(decided, frozenset())
            targets = [t for t in targets if t != decided and t not in before]
        return targets

    # ----------------------------------------------------------------- handlers
    #
    # ``_do_<action>(plan, case, at, stamp, actor, details)`` checks the action and
    # returns the event's details and, when it changes steps, the new step map.

    def _acceptance_start(self, case: Case, moment: datetime) -> datetime:
        """The moment the case counts as accepted from (``moment`` if not known yet).

        Art. 32: without a notice in time the application counts as accepted from the
        moment of receipt; after a notice, from when the corrections arrived.  Limits
        in hours or half days run from that moment too.
        """
        start = case.intake.received
        if case.intake.notice is not None:
            start = moment
            for event in reversed(case.events):
                if event.action == "supplement" and event.details.get("corrected"):
                    start = datetime.fromisoformat(event.at)
                    break
        return start if start.tzinfo is self.tz else start.astimezone(self.tz)

    def _acceptance_dues(self, case: Case, moment: datetime) -> tuple[date, date, date]:
        """The acceptance day and the statutory and promised due dates if accepted now."""
        start = self._acceptance_start(case, moment)
        accepted = start.date()
        statutory_due = self._period_due(case.clock.statutory_limit, accepted, start, ())
        promised_due = self._period_due(case.clock.promised_limit, accepted, start, ())
        return accepted, statutory_due, promised_due

    def _acceptance(
        self,
        plan: _Plan,
        case: Case,
        moment: datetime,
        stamp: str,
        actor: str,
        makeup: date | None,
        principal: str | None = None,
    ) -> _Handled:
        # _acceptance_dues, with the due dates' texts from the workday cache when it has them
        start = self._acceptance_start(case, moment)
        accepted = start.date()
        dues: list[tuple[date, str]] = []
        for limit in (case.clock.statutory_limit, case.clock.promised_limit):
            if limit[1] == "working_days" and limit[0]:  # _period_due's fast path
                dues.append(self._wd(accepted, limit[0]))
            else:
                due = self._period_due(limit, accepted, start, ())
                dues.append((due, due.isoformat()))
        promised_due = dues[1][0]
        details: _Details = {"accepted_on": accepted.isoformat(), "due": [dues[0][1], dues[1][1]]}
        if case.intake.gaps:
            details["makeup_by"] = (makeup or promised_due).isoformat()
        on_behalf = principal if principal is not None and principal != actor else None
        if on_behalf is not None:
            details["for"] = on_behalf
        steps = self._step_map(case)
        passed: list[str] = []
        if plan.start_is_accept and plan.start in steps:
            old = steps[plan.start]
            steps[plan.start] = _NEW(
                StepState, (_Plan.PASSED, old[1], old[2], actor, on_behalf, None, True)
            )
            passed.append(plan.start)
        details["passed"] = passed
        if passed:
            self._open_after(plan, case, steps, plan.start, moment, stamp, (), details)
        return details, steps

    def _do_request_correction(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        principal = self._may(plan, case, "request_correction", None, actor, at.date())[1]
        extra = d.get("problems") or []
        if isinstance(extra, str):
            extra = [extra]
        if not isinstance(extra, list | tuple) or not all(
            isinstance(x, str) and x.strip() for x in extra
        ):
            raise CaseDataError("request_correction: problems must be a list of texts")
        items: list[list[Any]] = [[p.material, p.code, p.message] for p in case.intake.problems]
        items += [
            [m, "tolerated-missing", f"{plan.materials[m].name} ({m}) is missing; it may be "
             "supplied after acceptance (容缺)"]
            for m in case.intake.gaps
        ]  # fmt: skip
        items += [[None, "officer", x.strip()] for x in extra]
        if not items:
            raise ActionNotAllowed(
                "request_correction",
                "the checks found nothing to correct; list the problems to notify",
                code="nothing-to-correct",
            )
        details: _Details = {"items": items}
        if principal != actor:
            details["for"] = principal
        return details, None

    def _do_supplement(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        principal = self._may(plan, case, "supplement", None, actor, at.date())[1]
        files = self._check_materials_input(plan, d.get("materials") or {}, "supplement")
        if not files:
            raise ActionNotAllowed("supplement", "no materials given", code="detail-required")
        in_review = case.status is Status.IN_REVIEW
        if in_review:
            wrong = [m for m in files if m not in case.intake.gaps]
            if wrong:
                raise ActionNotAllowed(
                    "supplement",
                    "after acceptance only the tolerated gaps are supplied, not "
                    + ", ".join(wrong),
                    code="not-a-gap",
                )
        merged = {mid: [f.to_dict() for f in fs] for mid, fs in case.intake.materials.items()}
        merged.update(files)
        problems, gaps = self._check_materials(plan, case.intake.applicant, merged)
        if in_review:
            bad = {p.material for p in problems}
            gaps = [g for g in case.intake.gaps if g not in files or g in bad]
        details: _Details = {
            "materials": files,
            "problems": [[p.material, p.code, p.message] for p in problems],
            "gaps": gaps,
        }
        if case.status is Status.CORRECTION_REQUESTED and not problems:
            details["corrected"] = True
        if principal != actor:
            details["for"] = principal
        return details, None

    def _do_accept(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        # act() has refused an ended case already (so _may's first check is not repeated)
        principal = self._may_acceptance(plan, case, "accept", None, actor, at.date())[1]
        makeup: date | None = None
        raw = d.get("makeup_by")
        if case.intake.gaps:
            if raw is None:
                raise ActionNotAllowed(
                    "accept",
                    "tolerated materials are missing (" + ", ".join(case.intake.gaps)
                    + "): give the applicant's make-up date (makeup_by)",
                    code="makeup-date-required",
                )  # fmt: skip
            makeup = _day(raw, "makeup_by", "accept")
        elif raw is not None:
            raise ActionNotAllowed(
                "accept", "no tolerated material is missing; makeup_by is not needed",
                code="no-gaps",
            )  # fmt: skip
        handled = self._acceptance(plan, case, at, stamp, actor, makeup, principal)
        if makeup is not None:
            promised_due = _dd(handled[0]["due"][1])
            if not at.date() <= makeup <= promised_due:
                raise ActionNotAllowed(
                    "accept",
                    f"the make-up date {makeup} must lie between today and the promised "
                    f"deadline {promised_due}",
                    code="makeup-date-too-late" if makeup > promised_due else "makeup-date-past",
                )
        return handled

    def _do_refuse_to_accept(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        principal = self._may(plan, case, "refuse_to_accept", None, actor, at.date())[1]
        details: _Details = {"reason": _text(d.get("reason"), "a reason", "refuse_to_accept")}
        if principal != actor:
            details["for"] = principal
        return details, None

    def _do_withdraw(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        self._may(plan, case, "withdraw", None, actor, at.date())
        reason = _text(d.get("reason"), "reason", "withdraw", required=False)
        return ({"reason": reason} if reason else {}), None

    def _do_pass(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        sid = d.get("step")
        if (
            len(d) == 1
            and type(sid) is str
            and sid in plan.direct_pass
            and actor in plan.signer_set[sid]
            and case.status not in _BEFORE_ACCEPTANCE
        ):
            # A signer passes an open step with no other detail: once the step is open,
            # _may_step has only _may_decide left to check (direct_pass steps are not
            # specific, fee or separated ones), and _after_pass's work is done here.
            # Anything else takes the path below.
            st = case.steps.get(sid)
            if st is not None and st[0] is _Plan.OPEN:
                deciding = sid in plan.deciding
                if deciding:
                    self._may_decide(plan, case, sid, "pass")
                steps = self._step_map(case)
                steps[sid] = _NEW(StepState, (_Plan.PASSED, st[1], st[2], actor, None, None, True))
                details: _Details = {"step": sid}
                stops = case.clock.stops
                if plan.succs[sid]:  # (a step without successors opens nothing)
                    self._open_after(plan, case, steps, sid, at, stamp, stops, details)
                if deciding and case.decision is None:
                    self._decide(plan, case, steps, sid, at, stops, details)
                return details, steps
        if type(sid) is not str or sid not in plan.kind:  # else _open_step returns sid
            sid = self._open_step(plan, case, d, "pass")
        principal = self._may_step(plan, case, "pass", sid, actor, at.date())[1]
        details = {"step": sid}
        if principal != actor:
            details["for"] = principal
        if len(d) > 1 or "step" not in d:
            opinion = _text(d.get("opinion"), "opinion", "pass", required=False)
            agree = d.get("agree", True)
            if not isinstance(agree, bool):
                raise CaseDataError(f"pass: agree must be true or false, not {agree!r}")
            if not agree:
                if plan.kind[sid] is not StepKind.CO_REVIEW:
                    raise ActionNotAllowed(
                        "pass", "only a co-department review answers 'disagree'; refuse or "
                        "send back instead", code="cannot-disagree",
                    )  # fmt: skip
                if opinion is None:
                    raise ActionNotAllowed(
                        "pass", "a co-department that disagrees must give its reasons "
                        "(opinion)", code="detail-required",
                    )  # fmt: skip
                details["agree"] = False
            if opinion:
                details["opinion"] = opinion
        return self._after_pass(plan, case, sid, at, stamp, actor, details)

    def _do_refuse(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        sid = self._open_step(plan, case, d, "refuse")
        principal = self._may_step(plan, case, "refuse", sid, actor, at.date())[1]
        raw = d.get("reasons")
        reasons = [raw] if isinstance(raw, str) else list(raw or [])
        if not all(isinstance(r, str) for r in reasons):
            raise CaseDataError("refuse: reasons must be texts")
        reasons = [r.strip() for r in reasons if r.strip()]
        if not reasons:
            raise ActionNotAllowed(
                "refuse", "a refusal must state its reasons", code="detail-required"
            )
        details: _Details = {"step": sid, "reasons": reasons}
        if principal != actor:
            details["for"] = principal
        return details, None

    def _do_send_back(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        sid = self._open_step(plan, case, d, "send_back")
        principal = self._may_step(plan, case, "send_back", sid, actor, at.date())[1]
        targets = self._send_back_targets(plan, case, sid)
        target = d.get("to")
        if target is None and len(targets) == 1:
            target = targets[0]
        if target not in targets:
            raise ActionNotAllowed(
                "send_back",
                f"step {sid!r} may send the case back to {', '.join(targets)}, not {target!r}",
                code="bad-target",
            )
        assert isinstance(target, str)
        reason = _text(d.get("reason"), "a reason", "send_back")
        reopen = plan.process.reopened_by_send_back(sid, target)
        steps = {s: st for s, st in case.steps.items() if s not in reopen}
        # Open steps whose inputs are being redone wait for them again.
        reset: list[str] = []
        changed = True
        while changed:
            changed = False
            for s, st in list(steps.items()):
                if st.status is StepStatus.OPEN and not all(
                    p in steps and steps[p].status in _DONE for p in plan.preds[s]
                ):
                    del steps[s]
                    reset.append(s)
                    changed = True
        due, text = self._step_due(plan, target, at, case.clock.stops)
        steps[target] = StepState(StepStatus.OPEN, stamp, due)
        details: _Details = {
            "step": sid,
            "to": target,
            "reason": reason,
            "reopen": list(reopen),
            "reset": sorted(reset, key=plan.rank.__getitem__),
            "open": [[target, text]],
        }
        if principal != actor:
            details["for"] = principal
        return details, steps

    def _do_start_clock_stop(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        principal = self._may(plan, case, "start_clock_stop", None, actor, at.date())[1]
        kind = d.get("kind")
        if kind not in plan.stop_kinds:
            raise ActionNotAllowed(
                "start_clock_stop",
                f"{kind!r} is not a period the law or this matter excludes "
                f"({', '.join(plan.stop_kinds)})",
                code="bad-stop-kind",
            )
        notice = _text(
            d.get("notice"), "the written notice to the applicant (Art. 45)", "start_clock_stop"
        )
        details: _Details = {"kind": kind, "notice": notice}
        if principal != actor:
            details["for"] = principal
        return details, None

    def _do_end_clock_stop(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        principal = self._may(plan, case, "end_clock_stop", None, actor, at.date())[1]
        stops = self._stops(case, at.date())
        clock = case.clock
        ext = clock.extension.days if clock.extension else 0
        due: _Details = {}
        if case.accepted_on is not None:
            start = self._acceptance_start(case, at)
            # every due date includes every stop (after a decision the statutory
            # period is over, judged at the decision day, but stays consistent)
            due["statutory"] = self._period_due(
                clock.statutory_limit, case.accepted_on, start, stops, ext
            ).isoformat()
            due["promised"] = self._period_due(
                clock.promised_limit, case.accepted_on, start, stops, ext
            ).isoformat()
        if case.decision is not None and clock.certificate_due is not None:
            due["certificate"] = certificate_due(
                self.calendar, case.decision.on, stops=stops
            ).isoformat()
        step_dues: dict[str, str | None] = {}
        for sid, st in case.steps.items():
            if st.status is StepStatus.OPEN and st.due is not None and st.opened is not None:
                opened = datetime.fromisoformat(st.opened).astimezone(self.tz)
                step_dues[sid] = self._step_due(plan, sid, opened, stops)[1]
        details: _Details = {"due": due, "steps": step_dues}
        notice = _text(d.get("notice"), "notice", "end_clock_stop", required=False)
        if notice:
            details["notice"] = notice
        if principal != actor:
            details["for"] = principal
        return details, None

    def _do_extend(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        principal = self._may(plan, case, "extend", None, actor, at.date())[1]
        reason = _text(d.get("reason"), "a reason (told to the applicant)", "extend")
        extension = plan.extension
        accepted = case.accepted_on
        deadline = case.clock.statutory_due
        assert extension is not None
        assert accepted is not None
        assert deadline is not None
        try:
            check_extension(
                self.calendar, deadline=deadline, granted_on=at.date(), already_extended=False
            )
        except CalendarError as err:  # pragma: no cover - _may_extend checks the same
            raise ActionNotAllowed("extend", str(err), code="extension-too-late") from None
        days = extension[0]
        stops = self._stops(case, at.date())
        clock = case.clock
        start = self._acceptance_start(case, at)
        due = {
            "statutory": self._period_due(
                clock.statutory_limit, accepted, start, stops, days
            ).isoformat(),
            "promised": self._period_due(
                clock.promised_limit, accepted, start, stops, days
            ).isoformat(),
        }
        if clock.certificate_due is not None:  # pragma: no cover - extension precedes decision
            due["certificate"] = clock.certificate_due.isoformat()
        details: _Details = {"days": days, "reason": reason, "due": due}
        if principal != actor:
            details["for"] = principal
        return details, None

    def _do_record_absence(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        self._may(plan, case, "record_absence", None, actor, at.date())
        person = d.get("person")
        if not isinstance(person, str) or person not in plan.recorders:
            raise ActionNotAllowed(
                "record_absence", f"{person!r} signs no step of this matter",
                code="unknown-person",
            )  # fmt: skip
        if actor not in plan.recorders[person]:
            raise ActionNotAllowed(
                "record_absence",
                f"{actor} may not record {person}'s absence (the person themself or a "
                "colleague of their department other than their backup may)",
                code="not-authorised",
            )
        start = _day(d.get("start", at.date()), "start", "record_absence")
        end = _day(d.get("end", start), "end", "record_absence")
        if end < start:
            raise ActionNotAllowed(
                "record_absence", f"the absence ends ({end}) before it starts ({start})",
                code="bad-period",
            )  # fmt: skip
        details: _Details = {"person": person, "start": start.isoformat(), "end": end.isoformat()}
        reason = _text(d.get("reason"), "reason", "record_absence", required=False)
        if reason:
            details["reason"] = reason
        return details, None

    def _specific_done(
        self,
        plan: _Plan,
        case: Case,
        sid: str | None,
        principal: str,
        actor: str,
        at: datetime,
        stamp: str,
        details: _Details,
        settled: Settlement | None = None,
    ) -> _Handled:
        if principal != actor:
            details["for"] = principal
        if sid is None:
            return details, None
        if settled is not None and settled.outstanding > 0:
            return details, None  # the fee step passes only once everything is settled
        details["step"] = sid
        steps = self._step_map(case)
        old = steps[sid]
        steps[sid] = _NEW(
            StepState,
            (_Plan.PASSED, old[1], old[2], actor, details.get("for"), None, True),
        )
        if plan.succs[sid]:  # (a step without successors opens nothing)
            self._open_after(plan, case, steps, sid, at, stamp, case.clock.stops, details)
        return details, steps

    def _do_record_payment(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        sid, principal = self._may(plan, case, "record_payment", None, actor, at.date())
        if d.get("amount") is None:
            raise ActionNotAllowed(
                "record_payment", "the amount is required", code="detail-required"
            )
        amount = _money(d["amount"], "record_payment")
        outstanding = case.settlement.outstanding
        if amount <= 0 or amount > outstanding:
            raise ActionNotAllowed(
                "record_payment",
                f"the amount must be between 0.01 and the {outstanding} yuan outstanding",
                code="bad-amount",
            )
        details: _Details = {"amount": str(amount)}
        receipt = _text(d.get("receipt"), "receipt", "record_payment", required=False)
        if receipt:
            details["receipt"] = receipt
        payments = (*case.settlement.payments, Payment(amount, at.date(), actor))
        settled = case.settlement._replace(payments=payments)
        return self._specific_done(plan, case, sid, principal, actor, at, stamp, details, settled)

    def _do_waive_fee(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        sid, principal = self._may(plan, case, "waive_fee", None, actor, at.date())
        item = d.get("item")
        waivable = self._waivable(plan, case)
        if not isinstance(item, str) or item not in waivable:
            raise ActionNotAllowed(
                "waive_fee",
                f"fee {item!r} is not an outstanding fee that may be waived "
                f"({', '.join(waivable)})",
                code="not-waivable",
            )
        reason = _text(d.get("reason"), "a reason", "waive_fee")
        details: _Details = {"item": item, "reason": reason}
        waived = MappingProxyType({**case.settlement.waived, item: cast(str, reason)})
        settled = case.settlement._replace(waived=waived)
        return self._specific_done(plan, case, sid, principal, actor, at, stamp, details, settled)

    def _do_issue_certificate(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        sid, principal = self._may(plan, case, "issue_certificate", None, actor, at.date())
        number = _text(d.get("number"), "the certificate number", "issue_certificate")
        day = at.date()
        valid_until: date | None = None
        validity = plan.validity
        if validity is not None:
            # Civil Code Arts. 201-202: the issue day is not counted; a period in months
            # or years ends on the corresponding day.
            if validity.unit == "days":
                valid_until = day + timedelta(days=validity.value)
            elif validity.unit == "months":
                valid_until = _add_months(day, validity.value)
            else:
                valid_until = _add_months(day, 12 * validity.value)
        details: _Details = {
            "number": number,
            "valid_until": valid_until.isoformat() if valid_until else None,
        }
        return self._specific_done(plan, case, sid, principal, actor, at, stamp, details)

    def _do_deliver(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        sid, principal = self._may(plan, case, "deliver", None, actor, at.date())
        details: _Details = {}
        signed = _text(d.get("signed_by"), "signed_by", "deliver", required=False)
        if signed:
            details["signed_by"] = signed
        return self._specific_done(plan, case, sid, principal, actor, at, stamp, details)

    def _do_close(
        self, plan: _Plan, case: Case, at: datetime, stamp: str, actor: str, d: _Details
    ) -> _Handled:
        sid, principal = self._may_close(plan, case, "close", None, actor, at.date())
        return self._specific_done(plan, case, sid, principal, actor, at, stamp, {})

    # ----------------------------------------------------------------- what may happen

    def available_actions(self, case: Case, at: datetime) -> list[AvailableAction]:
        """What each person may do on the case at ``at`` (clock events applied first).

        Every listed ``(action, actor)`` succeeds with suitable details; anything not
        listed is refused.  Backups appear only while their principal is absent.

        Raises:
            TypeError: ``at`` is naive.
            ActionNotAllowed: ``at`` is before the case's last event.
            CalendarError: a date the calendar has no official data for.
        """
        plan = self._plan_for(case)
        local = self._local(at)
        case = self.advance(case, local)
        if case.status in _TERMINAL:
            return []
        day = local.date()
        people = tuple(dict.fromkeys((*plan.staff, case.intake.applicant_id)))
        out: list[AvailableAction] = []

        def offer(action: str, step: str | None, choices: Sequence[str] = ()) -> None:
            actors: list[str] = []
            for person in people:
                if person == SYSTEM:
                    continue
                try:
                    self._may(plan, case, action, step, person, day)
                except ActionNotAllowed:
                    continue
                actors.append(person)
            if actors:
                out.append(AvailableAction(action, step, tuple(actors), tuple(choices)))

        for action in ("request_correction", "accept", "refuse_to_accept"):
            offer(action, plan.start)
        offer("supplement", None)
        for sid in case.open_steps:
            offer("pass", sid)
            offer("send_back", sid, self._send_back_targets(plan, case, sid))
            offer("refuse", sid)
        offer("start_clock_stop", None, plan.stop_kinds)
        offer("end_clock_stop", None)
        offer("extend", None)
        offer("record_payment", None)
        offer("waive_fee", None, self._waivable(plan, case) if case.settlement.fees else ())
        for action in ("issue_certificate", "deliver", "close", "withdraw"):
            offer(action, None)
        offer("record_absence", None, tuple(plan.recorders))
        return out


_SKIPPED: Final = StepState(StepStatus.SKIPPED)
_PENDING: Final = StepState(StepStatus.OPEN, None, None, "\x00pending")


def _file(mid: str, raw: object, action: str) -> dict[str, Any]:
    """A file's metadata checked and normalised to JSON data."""
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, Mapping):
        raise CaseDataError(f"{action}: a file of {mid!r} must be a name or a mapping")
    allowed = ("name", "type", "size_kb", "width", "height", "pages")
    extra = [str(k) for k in raw if k not in allowed]
    if extra:
        raise CaseDataError(
            f"{action}: a file of {mid!r} has unknown key(s) {', '.join(extra)} "
            f"(allowed: {', '.join(allowed)})"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CaseDataError(f"{action}: every file of {mid!r} needs a name")
    kind = raw.get("type")
    if kind is None:
        kind = name.rsplit(".", 1)[-1] if "." in name else ""
    if not isinstance(kind, str):
        raise CaseDataError(f"{action}: file {name!r}: type must be text")
    out: dict[str, Any] = {"name": name, "type": kind.lower().lstrip(".")}
    for key in ("size_kb", "width", "height", "pages"):
        value = raw.get(key)
        if value is None:
            continue
        if key == "size_kb":
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value >= 0
            )
        else:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        if not ok:
            raise CaseDataError(f"{action}: file {name!r}: {key} must be a positive number")
        out[key] = value
    return out


def _file_problems(m: Material, files: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """What breaks the matter's electronic rules for one supplied material."""
    problems: list[Problem] = []
    if m.form is MaterialForm.ELECTRONIC and not files:
        problems.append(
            Problem(
                m.id, "no-electronic-copy", f"{m.name} ({m.id}) must be supplied electronically"
            )
        )
    rules = m.electronic
    if rules is None or not files:
        return problems
    pages = 0
    for f in files:
        name = f["name"]
        pages += f.get("pages") or 1
        if rules.file_types and f["type"] not in rules.file_types:
            problems.append(Problem(
                m.id, "wrong-file-type",
                f"{m.name}: {name} is {f['type'] or 'of unknown type'}; allowed: "
                + ", ".join(rules.file_types),
            ))  # fmt: skip
        size = f.get("size_kb")
        if rules.max_size_kb is not None and size is not None and size > rules.max_size_kb:
            problems.append(Problem(
                m.id, "file-too-large",
                f"{m.name}: {name} is {size} KB; at most {rules.max_size_kb} KB",
            ))  # fmt: skip
        width, height = f.get("width"), f.get("height")
        if width is not None and height is not None:
            # Pixel limits apply whatever the orientation (a portrait A4 scan is fine).
            long_side, short_side = max(width, height), min(width, height)
            low, high = rules.min_pixels, rules.max_pixels
            if low is not None and (
                long_side < max(low.width, low.height) or short_side < min(low.width, low.height)
            ):
                problems.append(Problem(
                    m.id, "too-few-pixels",
                    f"{m.name}: {name} is {width}×{height} pixels; at least "
                    f"{low.width}×{low.height}",
                ))  # fmt: skip
            if high is not None and (
                long_side > max(high.width, high.height)
                or short_side > min(high.width, high.height)
            ):
                problems.append(Problem(
                    m.id, "too-many-pixels",
                    f"{m.name}: {name} is {width}×{height} pixels; at most "
                    f"{high.width}×{high.height}",
                ))  # fmt: skip
    if rules.max_pages is not None and pages > rules.max_pages:
        problems.append(Problem(
            m.id, "too-many-pages", f"{m.name}: {pages} pages; at most {rules.max_pages}"
        ))  # fmt: skip
    return problems
