"""The case as a value, and its serial form (``approval-rules/case@2``).

A :class:`Case` is an immutable named tuple of the records in :mod:`.records`: what
the fold of its events gives (:mod:`.evolve`).  :meth:`Case.to_json` writes it as a
header for stores, a snapshot of the state and the hash-chained events;
:meth:`Case.from_json` reads it back without folding the events (docs/engine.md, "Serial
form").

This module imports only the standard library, :mod:`.records`, :mod:`..audit` and
:mod:`..errors`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring
from types import MappingProxyType
from typing import Any, Final, NamedTuple, Protocol

from .._json import dumps, loads
from ..audit import CallerEvent, Event, EventLog, decode_events, verify
from ..errors import CaseDataError
from ..timelimits import ClockStop
from .records import (
    EMPTY,
    NO_SETTLEMENT,
    OPEN,
    TERMINAL,
    Absence,
    ActiveStop,
    CaseClock,
    CaseCommitment,
    Certificate,
    Cosignature,
    Decision,
    Ending,
    ExtensionGrant,
    FileInfo,
    Intake,
    Notice,
    Payment,
    Settlement,
    Status,
    StepState,
    StepStatus,
    optional_day,
    problems_from,
)
from .view import case_view

__all__ = ["CASE_FORMAT", "CASE_FORMAT_2", "Case"]

#: ``format`` tag of :meth:`Case.to_json` output: the state keeps the index of the
#: caller-given event ids, so that an idempotent retry reads no history.
CASE_FORMAT: Final = "approval-rules/case@3"
#: The form before it (no index in the state: it is built from the events when
#: needed).  A case opened in that form keeps it, so it reads back and writes the
#: same text; a case opened since records ``format`` in its submission.
CASE_FORMAT_2: Final = "approval-rules/case@2"
_INDEXED: Final = {CASE_FORMAT_2: False, CASE_FORMAT: True}

_NEW: Final = tuple.__new__


class SignatureKeys(Protocol):
    """What :meth:`Case.verify` needs of the people's keys (:class:`~..signing.Keys`)."""

    def problems(self, events: Sequence[Event]) -> list[Any]: ...


class Case(NamedTuple):
    """One application (办件) as an immutable value; a fold of :attr:`events`.

    A named tuple for speed (see :mod:`.records`); compare cases with ``==`` (equal
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
        events: the hash-chained record (:class:`~..audit.EventLog`; for a case read
            from JSON, the stored events are decoded on first use).
        last_at: when the last event happened.
        commitment: 告知承诺制, when the applicant chose it (``None`` otherwise): the
            materials it replaced, the later check's due date and its finding.
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
    events: EventLog
    last_at: datetime
    commitment: CaseCommitment | None = None

    def __eq__(self, other: object) -> bool:
        return type(other) is Case and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((self.id, self.version, self.head))

    @property
    def head(self) -> str:
        """The last event's hash: keep it elsewhere to detect a truncated log."""
        return self.events.head

    @property
    def open_steps(self) -> tuple[str, ...]:
        """Ids of the open steps, in the order they opened (then step order)."""
        return tuple(sid for sid, st in self.steps.items() if st.status is OPEN)

    @property
    def is_terminal(self) -> bool:
        """Closed, not accepted, withdrawn, terminated or revoked: nothing more can happen
        (but what is done after the end: a rating, the later check of a commitment)."""
        return self.status in TERMINAL

    def statutory_end(self, *, joint_handling: bool) -> date | None:
        """The day the statutory period (行政许可法 Art. 42) stopped running; ``None``
        while it runs.  The one rule for the engine's deadlines and supervision's
        statutory breach.

        It stops at the decision.  In a joint handling (``joint_handling``: Art. 42 ¶2,
        办理的时间不得超过四十五日, the whole handling) an approval stops it only when
        the last result is issued: while one is outstanding it runs; a case that ended
        with some never issued (closed without them, revoked) stops it at the last one
        issued, else on the day it closed or ended.  A case that ended undecided stops
        it on the day it ended.
        """
        decision, ending = self.decision, self.ending
        ended = ending.on if ending is not None else None
        if decision is None:
            return ended
        if not joint_handling or decision.outcome != "approved":
            return decision.on
        if self.status is Status.APPROVED:  # results outstanding: the handling goes on
            return None
        settlement = self.settlement
        return settlement.last_issued or settlement.closed or ended

    def verify(self, keys: SignatureKeys) -> list[Any]:
        """Check the record and its signatures; the problems found, ``[]`` when none.

        The hash chain is verified up to :attr:`head` (a broken one raises
        :class:`~..audit.LogTampered`); then every ``sign`` event is checked against
        ``keys`` (:class:`~..signing.Keys`, the people's public keys) and every event
        recorded with ``"signed": true`` (an action on a step declared ``signed``) must
        have a valid signature by its actor.

        Returns:
            :class:`~..signing.SignatureProblem` records (``seq``, ``actor``, ``code``:
            ``missing``, ``bad-signature`` or ``no-key``, ``message``), by ``seq``.
        """
        verify(self.events, head=self.head)
        return keys.problems(self.events)

    def to_dict(self, *, events: bool = False) -> dict[str, Any]:
        """The case as JSON data for APIs, every record an object with named fields.

        ``id``, ``matter``, ``matter_hash``, ``status``, ``version``, ``head``,
        ``last_at``, ``open_steps``, ``is_terminal``, then ``intake``,
        ``accepted_on``, ``deemed_acceptance``, ``steps`` (step id → ``status``,
        ``opened``, ``due``, ``by``, ``on_behalf_of``, ``opinion``, ``agreed``,
        ``signatures``: each ``by``, ``on_behalf_of``, ``section``, ``opinion``),
        ``clock`` (limits as ``{"value", "unit"}``), ``decision``, ``settlement``
        (with ``assessed``, ``paid``, ``outstanding``), ``absences``, ``ending``,
        ``commitment`` (告知承诺制: ``replaced``, ``check_due``, ``checked_on``,
        ``checked_by``, ``finding``, ``opinion``; ``None`` for other cases); with
        ``events=True`` also ``events`` (each :meth:`~..audit.Event.to_dict`).  Dates
        and times are ISO 8601 text, amounts decimal text (docs/engine.md, "JSON
        views").  It is a view: :meth:`to_json` is the form to store and read back.
        """
        return case_view(self, events=events)

    def to_json(self) -> str:
        """Compact JSON: a header, a snapshot of the state and the events (docs/engine.md).

        The header (``id``, ``matter``, ``matter_hash``, ``status``, ``version``,
        ``head``) is for stores that index it; ``state`` holds the rest of the case, so
        that reading it back does not parse or fold the events; ``events`` is
        the hash-chained record the state is a fold of (:meth:`Engine.replay` rebuilds
        and checks it).
        """
        events = self.events
        items = events.json_items()
        state = _state_json(self)
        tag = CASE_FORMAT if events.indexed else CASE_FORMAT_2
        return (
            f'{{"format":"{tag}","id":{encode_basestring(self.id)},'
            f'"matter":{encode_basestring(self.matter_id)},"matter_hash":'
            f'{encode_basestring(self.matter_hash)},"status":"{_STATUS_TEXT[self.status]}",'
            f'"version":{self.version},"head":"{events.head}","state":{state},'
            f'"events":[{items}]}}'
        )

    @classmethod
    def from_json(cls, text: str | bytes, *, trusted: bool = False) -> Case:
        """Read :meth:`to_json` output back: an equal case, proved by its events.

        The snapshot of the state is believed only as far as the events prove it: the
        hash chain is verified up to the header's ``head`` and the events are folded,
        and the fold must equal the snapshot (state and index of caller-given ids).
        Editing ``state`` in the text (marking a step passed, say) is caught here.

        ``trusted=True`` skips the proof: the state is read from its snapshot and the
        events are kept as stored, to be decoded when first used
        (:class:`~.audit.EventLog`), so restoring costs what the state holds, not what
        the history does.  Use it only for text this program wrote and kept where
        nobody else writes.  A keyless chain proves nothing against someone who can
        rewrite the whole text (they can recompute every hash): signed events
        (:mod:`approval_rules.signing`) are the answer to that.

        Raises:
            CaseDataError: not a serialised case, or a malformed header or state (or,
                when they are first used, malformed events).
            LogTampered: (unless ``trusted``) the chain is broken, or the snapshot
                differs from what the events prove (``code`` ``state``).
        """
        if isinstance(text, bytes | bytearray):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as err:
                raise CaseDataError(f"a serialised case must be UTF-8 JSON: {err}") from None
        if not isinstance(text, str):
            raise TypeError(f"from_json reads text or bytes, not {type(text).__name__}")
        header, state, events = _split_case_json(text)
        indexed = _INDEXED.get(header.get("format"))  # type: ignore[arg-type]
        if indexed is None:
            raise CaseDataError(
                f"not a serialised case (format {CASE_FORMAT!r} or {CASE_FORMAT_2!r} expected)"
            )
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
            ids = _ids_from(state, indexed)
            items = (*_state_from(state), _aware(state[9]))
            commitment = _commitment_from(state, indexed)
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            IndexError,
            InvalidOperation,
        ) as err:
            raise CaseDataError(f"the serialised case's state is malformed: {err!r}") from None
        if isinstance(events, tuple):
            start, stop = events
            # each event is stored as its body (which ends with "seq") plus its hash
            if not text.endswith(f'"seq":{version},"hash":"{head}"}}', start, stop):
                raise CaseDataError(
                    "the serialised case's header (version, head) disagrees with its events"
                )
            log = EventLog.stored(text, start, stop, version, head, ids)
        else:
            log = EventLog.of(decode_events(events, version, head), indexed=indexed)
        case = _NEW(
            Case,
            (cid, matter, matter_hash, status, *items[:9], version, log, items[9], commitment),
        )
        if not trusted:
            _PROOF[0](case)
        return case


#: What proves a snapshot: the fold, which lives a layer above this module
#: (:func:`.evolve.prove`, registered when :mod:`.evolve` is imported, which importing
#: the engine package always does first).
_PROOF: list[Callable[[Case], None]] = []


_CASE_KEYS: Final = frozenset(
    {"format", "id", "matter", "matter_hash", "status", "version", "head", "state", "events"}
)
_HEADER_KEYS: Final = _CASE_KEYS - {"state", "events"}

_STATE_KEY: Final = ',"state":'
_EVENTS_KEY: Final = ',"events":[{'


def _split_case_json(text: str) -> tuple[dict[str, Any], Any, tuple[int, int] | list[Any]]:
    """The header, the state and the events of a serialised case.

    Text as :meth:`Case.to_json` writes it is read up to the events, which are
    returned as where their stored text starts and stops in ``text`` (the header's
    values are text and numbers, so the first ``,"state":`` is the key).  Any other
    layout of valid JSON is parsed whole, and the events come back parsed.
    """
    at = text.find(_STATE_KEY)
    if at > 0 and text.startswith('{"format":') and text.endswith("]}"):
        # the state holds no list of objects, so the events start where the first
        # ',"events":[{' is (a text value writes every '"' as '\\"')
        events_at = text.find(_EVENTS_KEY, at)
        if events_at > 0:
            try:
                header = loads(text[:at] + "}")
                state = loads(text[at + len(_STATE_KEY) : events_at])
            except ValueError:
                pass
            else:
                if isinstance(header, dict):
                    return header, state, (events_at + len(_EVENTS_KEY) - 1, len(text) - 2)
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


# --------------------------------------------------------------------------- the snapshot
#
# ``state`` in the serial form is an array of the case's fields from ``intake`` to
# ``ending``, then ``last_at`` (and, in case@3, the index of caller-given event ids):
# records as arrays in their fields' order, mappings as objects in their order, dates
# and times as ISO text, amounts as decimal text.  It is the case's own structure,
# written in one call: orjson writes records, mappings, amounts and clock stops
# through ``_plain`` and dates itself; what it cannot write (text with lone
# surrogates, integers beyond 64 bits) the standard library's encoder writes.


def _plain(value: Any) -> Any:
    """A value of the state as JSON data (records, mappings, amounts, clock stops)."""
    if isinstance(value, tuple):
        return tuple(value)
    if type(value) is MappingProxyType:  # the case's mappings (no ABC check for them)
        try:
            copied = value.copy()  # (the proxy copies the mapping it shows: a dict here)
        except AttributeError:  # a proxy of a mapping without copy()
            return dict(value)
        return copied if type(copied) is dict else dict(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Decimal):
        return str(value)
    if type(value) is ClockStop:
        return (value.kind, value.start, value.end, value.notice)
    raise TypeError(f"{type(value).__name__} is not part of a case")


def _plain_or_day(value: Any) -> Any:
    return value.isoformat() if type(value) is date else _plain(value)


_ENCODE: Final[Callable[[Any, int], Iterable[str]]] = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, _plain_or_day, encode_basestring, None, ":", ",", False, False, False
)


def _clock_data(clock: CaseClock) -> tuple[Any, ...]:
    """The clock as the snapshot writes it: nine items; several running stops take the
    place of the one (a list of them), so a case with at most one keeps its form."""
    data = tuple(clock)[:9]
    if clock.parallel_stops:
        data = (*data[:7], clock.running_stops, data[8])
    return data


def _state_json(case: Case) -> str:
    """The ``state`` item of ``case`` (see above)."""
    it = case.intake
    data: tuple[Any, ...] = (
        (
            it.applicant, it.applicant_id, it.received.isoformat(), it.green_channel,
            it.materials, it.problems, it.gaps, it.notice, it.corrected, it.makeup_by,
            # materials on paper beside their files: only then, so other cases keep their form
            *((it.paper,) if it.paper else ()),
        ),
        case.accepted_on, case.deemed_acceptance, _steps_json(case.steps), _clock_data(case.clock),
        case.decision, _settlement_data(case.settlement), case.absences, case.ending,
        case.last_at.isoformat(),
    )  # fmt: skip
    if case.events.indexed:
        data = (*data, case.events.caller_ids())
    if case.commitment is not None:  # only then: other cases keep their form
        data = (*data, case.commitment)
    try:
        return dumps(data, _plain, dates=True).decode()
    except TypeError:  # not writable by _json: the standard library's encoder writes it
        return "".join(_ENCODE(data, 0))


def _settlement_data(settlement: Settlement) -> tuple[Any, ...]:
    """The settlement as written: without further results it has seven items, as
    before several results existed, so older snapshots read back byte-identically."""
    return settlement if settlement.further_results else settlement[:7]


def _steps_json(steps: Mapping[str, StepState]) -> Mapping[str, Any]:
    """The steps as written: a step nobody cosigned has no signatures item (seven
    items, as before cosigning), so that older snapshots read back byte-identically.
    """
    return {sid: st if st.signatures else st[:7] for sid, st in steps.items()}


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return moment


_STATUS: Final = {status.value: status for status in Status}
#: A status's text, by member (``Status.value`` is a Python-level property).
_STATUS_TEXT: Final = {status: status.value for status in Status}
_STEP_STATUS: Final = {status.value: status for status in StepStatus}


_iso_day: Final = date.fromisoformat


def _ids_from(state: Any, indexed: bool) -> Mapping[str, CallerEvent] | None:
    """The index of caller-given event ids a case@3 state has after ``last_at`` (case@2:
    ``None``); a case on commitment has one item more, its :class:`CaseCommitment`."""
    items = 11 if indexed else 10
    if type(state) is not list or len(state) not in (items, items + 1):
        raise ValueError(f"the state is an array of {items} items (or {items + 1})")
    if not indexed:
        return None
    raw = state[10]
    if type(raw) is not dict:
        raise TypeError("the event ids are an object")
    ids: dict[str, CallerEvent] = {}
    for event_id, (seq, action, actor) in raw.items():
        if type(seq) is not int or type(action) is not str or type(actor) is not str:
            raise TypeError(f"event id {event_id!r}: [seq, action, actor] expected")
        ids[event_id] = (seq, action, actor)
    return MappingProxyType(ids)


def _commitment_from(state: Sequence[Any], indexed: bool) -> CaseCommitment | None:
    """The commitment a state ends with, when the case is on commitment."""
    at = 11 if indexed else 10
    if len(state) == at:
        return None
    replaced, check_due, checked_on, by, finding, opinion = state[at]
    if type(replaced) is not list or not all(type(m) is str for m in replaced):
        raise TypeError("the commitment's replaced materials are a list of ids")
    return _NEW(
        CaseCommitment,
        (tuple(replaced), optional_day(check_due), optional_day(checked_on), by, finding,
         opinion),
    )  # fmt: skip


def _step_from(sid: str, row: Sequence[Any]) -> StepState:
    """One step's state from its snapshot row; case@3 snapshots written before cosigning
    have no signatures (7 items)."""
    if len(row) == 7:  # nobody cosigned it: no signatures item
        status, opened, due, by, for_, opinion, agreed = row
        signatures: tuple[Cosignature, ...] = ()
    elif len(row) == 8:
        status, opened, due, by, for_, opinion, agreed, raw = row
        signatures = tuple(_NEW(Cosignature, tuple(sig)) for sig in raw)
        if any(len(sig) != 4 for sig in signatures):
            raise ValueError(f"step {sid}: a signature is [by, for, section, opinion]")
    else:
        raise ValueError(f"step {sid}: a step's state has 7 items (8 with signatures)")
    if type(agreed) is not bool:
        raise TypeError(f"step {sid}: agreed is true or false, then the signatures")
    return _NEW(
        StepState,
        (_STEP_STATUS[status], opened, None if due is None else _iso_day(due), by, for_,
         opinion, agreed, signatures),
    )  # fmt: skip


def _intake_from(intake: Sequence[Any]) -> Intake:
    """The intake from a snapshot: ten items, and the materials on paper beside their
    files as an eleventh when there are any."""
    (applicant, applicant_id, received, green, materials, problems, gaps, notice, corrected,
     makeup_by, *paper) = intake  # fmt: skip
    if len(paper) > 1 or (paper and type(paper[0]) is not list):
        raise TypeError("the intake ends with the list of materials on paper beside files")
    if type(applicant) is not dict or type(materials) is not dict:
        raise TypeError("applicant and materials are objects")
    if type(applicant_id) is not str or type(green) is not bool:
        raise TypeError("applicant_id is text; green_channel true or false")
    if notice is not None:
        issued, by, items = notice
        notice = _NEW(Notice, (_iso_day(issued), by, problems_from(items)))
    return _NEW(
        Intake,
        (
            MappingProxyType(applicant), applicant_id, _aware(received), green,
            MappingProxyType(_files_state(materials)), problems_from(problems) if problems else (),
            tuple(gaps), notice, optional_day(corrected), optional_day(makeup_by),
            tuple(paper[0]) if paper else (),
        ),
    )  # fmt: skip


def _state_from(state: Sequence[Any]) -> tuple[Any, ...]:
    """The case's fields ``intake`` … ``ending`` from a snapshot (``_state_json``).

    Raises whatever malformed data causes (the caller reports it): ``ValueError`` for
    a wrong number of items, ``TypeError`` for a wrong kind of value, ``KeyError`` for
    an unknown status, and so on.  Like the fold, it checks the structure and the
    dates, not every text's type: a snapshot is trusted data (see ``from_json``).
    """
    intake, accepted_on, deemed, steps, clock, decision, settlement, absences, ending = state[:9]
    if type(deemed) is not bool:
        raise TypeError("deemed_acceptance is true or false")
    new_intake = _intake_from(intake)
    new_steps: dict[str, StepState] = {}
    if type(steps) is not dict:
        raise TypeError("steps is an object")
    for sid, row in steps.items():
        new_steps[sid] = _step_from(sid, row)
    (statutory, promised, notice_due, statutory_due, promised_due, certificate_due, stops,
     active, extension) = clock  # fmt: skip
    parallel: tuple[ActiveStop, ...] = ()
    if active is not None:
        # one running stop is [kind, start, notice, by]; several, a list of those
        running = active if active and type(active[0]) is list else [active]
        found = []
        for kind, start, text, by in running:
            found.append(_NEW(ActiveStop, (kind, _iso_day(start), text, by)))
        active, parallel = found[0], tuple(found[1:])
    if extension is not None:
        days, by, on, reason = extension
        if type(days) is not int:
            raise TypeError("extension days is a whole number")
        extension = _NEW(ExtensionGrant, (days, by, _iso_day(on), reason))
    new_clock = _NEW(
        CaseClock,
        (
            _limit(statutory), _limit(promised), _iso_day(notice_due), optional_day(statutory_due),
            optional_day(promised_due), optional_day(certificate_due),
            tuple(ClockStop(k, _iso_day(a), _iso_day(b), n) for k, a, b, n in stops)
            if stops else (),
            active, extension, parallel,
        ),
    )  # fmt: skip
    if decision is not None:
        outcome, step, by, on, reasons = decision
        decision = _NEW(Decision, (outcome, step, by, _iso_day(on), tuple(reasons)))
    fees, waived, payments, certificate, delivered, signed_by, closed, *further = settlement
    if certificate is not None:
        certificate = _certificate_from(certificate)
    if len(further) > 1 or (further and type(further[0]) is not dict):
        raise TypeError("the settlement ends with an object of further results")
    if settlement == _UNDECIDED_READ:
        new_settlement = NO_SETTLEMENT
    else:
        new_settlement = _NEW(
            Settlement,
            (
                MappingProxyType({k: Decimal(v) for k, v in fees.items()}),
                MappingProxyType(dict(waived)),
                tuple(_NEW(Payment, (Decimal(a), _iso_day(on), by, receipt))
                      for a, on, by, receipt in payments),
                certificate, optional_day(delivered), signed_by, optional_day(closed),
                MappingProxyType({k: _certificate_from(c) for k, c in further[0].items()})
                if further else EMPTY,
            ),
        )  # fmt: skip
    if ending is not None:
        status, on, by, reason = ending
        ending = _NEW(Ending, (_STATUS[status], _iso_day(on), by, reason))
    return (
        new_intake, optional_day(accepted_on), deemed, MappingProxyType(new_steps), new_clock,
        decision, new_settlement,
        tuple(_NEW(Absence, (p, _iso_day(a), _iso_day(b), by, r)) for p, a, b, by, r in absences)
        if absences else (),
        ending,
    )  # fmt: skip


#: ``Settlement()`` as JSON reads it back.
_UNDECIDED_READ: Final[list[Any]] = [{}, {}, [], None, None, None, None]


def _certificate_from(raw: Sequence[Any]) -> Certificate:
    number, issued, valid_until = raw
    return _NEW(Certificate, (number, _iso_day(issued), optional_day(valid_until)))


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
