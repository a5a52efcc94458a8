"""The tamper-evident case record (全程留痕): events, their canonical JSON and a hash chain.

Every accepted action on a case becomes one :class:`Event`.  An event's *body* is the
canonical JSON of ``{"action", "actor", "at", "details", "id", "seq"}``: keys sorted,
no whitespace, UTF-8 text kept as is (``ensure_ascii=False``), no NaN or infinity.
Its hash chains it to the event before::

    hash(1) = sha256(body(1))                 the first event (prev_hash = "")
    hash(n) = sha256(hash(n - 1) + body(n))   every later one (hex digests, UTF-8)

so changing, deleting, inserting or reordering any event breaks the chain from that
point on, and :func:`verify` says where.  Removing events *from the end* leaves a
shorter chain that is still valid: keep the last hash (``head``) somewhere else (the
case store's row, a supervisor's copy) and pass it to :func:`verify` to catch that too.

This module imports only the standard library and :mod:`.errors`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any, NamedTuple, overload

from .errors import CaseDataError, CaseError

__all__ = [
    "GENESIS",
    "Event",
    "EventLog",
    "LogTampered",
    "canonical_json",
    "chain_hash",
    "event_body",
    "events_from_json",
    "events_to_json",
    "make_event",
    "verify",
]

#: ``prev_hash`` of a case's first event.
GENESIS = ""


def _no_default(value: object) -> Any:
    raise TypeError(f"{type(value).__name__} is not allowed in an event (use str, int, list, dict)")


# The C encoder, built once: sorted keys, compact separators, UTF-8 kept, NaN refused.
# ``json.dumps`` builds a new encoder on every call, which costs more than the encoding.
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
if _c_make_encoder is not None:
    _ENCODE: Any = _c_make_encoder(
        None, _no_default, encode_basestring, None, ":", ",", True, False, False
    )

    def canonical_json(value: Any) -> str:
        """The canonical JSON text of ``value`` (sorted keys, no spaces, UTF-8, no NaN)."""
        return "".join(_ENCODE(value, 0))

else:  # pragma: no cover - CPython always has the C encoder

    def canonical_json(value: Any) -> str:
        """The canonical JSON text of ``value`` (sorted keys, no spaces, UTF-8, no NaN)."""
        return json.dumps(
            value,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
            default=_no_default,
        )


def event_body(seq: int, id: str, at: str, actor: str, action: str, details: Any) -> str:
    """The canonical JSON body of an event: what its hash covers (with the previous hash).

    Equal to ``canonical_json({"action": …, "actor": …, "at": …, "details": …, "id": …,
    "seq": …})``, written out directly because it is on every action's path.
    """
    if type(seq) is not int:
        raise TypeError(f"seq must be an int (got {type(seq).__name__})")
    return (
        f'{{"action":{encode_basestring(action)},"actor":{encode_basestring(actor)},'
        f'"at":{encode_basestring(at)},"details":{canonical_json(details)},'
        f'"id":{encode_basestring(id)},"seq":{seq}}}'
    )


def _plain_body(seq: int, id: str, at: str, actor: str, action: str, details: Any) -> str:
    """:func:`event_body` for an ``action`` and ``at`` known to need no JSON escaping.

    The engine's action names are identifiers and its times are ISO 8601 text, so
    quoting them as they are gives the same text as escaping them.
    """
    return (
        f'{{"action":"{action}","actor":{encode_basestring(actor)},"at":"{at}",'
        f'"details":{canonical_json(details)},"id":{encode_basestring(id)},"seq":{seq}}}'
    )


def chain_hash(prev_hash: str, body: str) -> str:
    """``sha256(prev_hash + body)`` as 64 lower-case hex digits."""
    return hashlib.sha256((prev_hash + body).encode("utf-8", "surrogatepass")).hexdigest()


class Event(NamedTuple):
    """One accepted action (or system event) in a case's record.

    An immutable record (a named tuple, because a case creates one per action and a
    tuple is several times cheaper to build than a frozen dataclass).  Two events are
    equal when every field but :attr:`body` is equal.

    Attributes:
        seq: 1, 2, 3 … in the case; :attr:`~.engine.Case.version` is the last one.
        id: unique in the case: the caller's ``event_id``, else ``"<case id>#<seq>"``.
        at: when it happened, ISO 8601 with the UTC offset, in the engine's time zone.
        actor: the person id, the applicant's id, or ``"system"`` for events the law's
            clocks cause (deemed acceptance, deemed agreement, termination).
        action: what was done, e.g. ``"pass"``.
        details: the action's input and the consequences the engine computed (steps
            opened with their due dates, the decision, fees …), JSON data.  Read-only:
            changing it breaks :attr:`hash`, which :func:`verify` detects.
        prev_hash: :attr:`hash` of the event before (``""`` for the first).
        hash: :func:`chain_hash` of ``prev_hash`` and the canonical body.
        body: the body text the hash was computed over, kept so that serialising
            does not encode it again (``""`` when not known; :func:`verify` never
            trusts it and recomputes the canonical body from the fields).
    """

    seq: int
    id: str
    at: str
    actor: str
    action: str
    details: Mapping[str, Any]
    prev_hash: str
    hash: str
    body: str = ""

    def __eq__(self, other: object) -> bool:
        return type(other) is Event and self[:8] == other[:8]

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.hash)

    @property
    def moment(self) -> datetime:
        """:attr:`at` as an aware :class:`~datetime.datetime`."""
        return datetime.fromisoformat(self.at)

    def canonical_body(self) -> str:
        """The body recomputed from the fields (what :func:`verify` checks)."""
        return event_body(self.seq, self.id, self.at, self.actor, self.action, self.details)

    def to_dict(self, *, with_prev: bool = True) -> dict[str, Any]:
        """JSON data: the body's fields plus ``hash`` (and ``prev_hash`` unless told not)."""
        data: dict[str, Any] = {
            "action": self.action,
            "actor": self.actor,
            "at": self.at,
            "details": self.details,
            "hash": self.hash,
            "id": self.id,
            "seq": self.seq,
        }
        if with_prev:
            data["prev_hash"] = self.prev_hash
        return data

    def stored_json(self) -> str:
        """The event as a serialised case stores it: its body with ``"hash"`` appended."""
        return f'{(self.body or self.canonical_body())[:-1]},"hash":"{self.hash}"}}'

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], prev_hash: str | None = None) -> Event:
        """Read :meth:`to_dict` data back; ``prev_hash`` is taken from the data when not given.

        Raises:
            CaseDataError: a key is missing, unknown or of the wrong type.
        """
        if type(data) is not dict and not isinstance(data, Mapping):
            raise CaseDataError(f"an event must be a JSON object, not {type(data).__name__}")
        if not data.keys() <= _EVENT_KEYS:
            extra = ", ".join(sorted(map(str, data.keys() - _EVENT_KEYS)))
            raise CaseDataError(f"unknown event key(s): {extra}")
        try:
            seq, eid, at = data["seq"], data["id"], data["at"]
            actor, action, details = data["actor"], data["action"], data["details"]
            digest = data["hash"]
            prev = data["prev_hash"] if prev_hash is None else prev_hash
        except KeyError as err:
            raise CaseDataError(f"an event lacks the key {err.args[0]!r}") from None
        if (
            type(seq) is not int
            or seq < 1
            or type(eid) is not str
            or type(at) is not str
            or type(actor) is not str
            or type(action) is not str
            or type(digest) is not str
            or type(prev) is not str
            or type(details) is not dict
        ):
            for name, value in (
                ("id", eid), ("at", at), ("actor", actor), ("action", action),
                ("hash", digest), ("prev_hash", prev),
            ):  # fmt: skip
                if type(value) is not str:
                    raise CaseDataError(f"event {seq!r}: {name} must be text, not {value!r}")
            if type(details) is not dict:
                raise CaseDataError(f"event {seq!r}: details must be a JSON object")
            raise CaseDataError(f"event seq must be a positive integer, not {seq!r}")
        # tuple.__new__ directly: what the generated __new__ does, without its call
        return tuple.__new__(cls, (seq, eid, at, actor, action, details, prev, digest, ""))


_EVENT_KEYS = frozenset({"action", "actor", "at", "details", "hash", "id", "seq", "prev_hash"})


def make_event(
    prev: Event | None, id: str | None, at: str, actor: str, action: str, details: Any
) -> Event:
    """The event that follows ``prev`` (``None`` for a case's first event), hashed.

    ``id`` defaults to ``"#<seq>"`` appended to nothing; the engine passes its own.
    """
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    eid = id if id is not None else f"#{seq}"
    body = event_body(seq, eid, at, actor, action, details)
    return Event(seq, eid, at, actor, action, details, prev_hash, chain_hash(prev_hash, body), body)


class EventLog(Sequence[Event]):
    """A case's events as read from its serial form, decoded on first use.

    :meth:`~.engine.Case.from_json` keeps the events' JSON text as it was stored
    instead of decoding it: restoring a case then costs what its state holds, not
    what its history does, and :meth:`~.engine.Case.to_json` writes the text back unchanged.
    Events appended since (by :meth:`~.engine.Engine.act`) are held decoded.

    It is an immutable sequence of :class:`Event` and compares equal to a tuple (or
    another log) of the same events.  Indexing, iterating or comparing decodes the
    stored text once; text that does not hold the events its header announced raises
    :class:`~.errors.CaseDataError` then.
    """

    __slots__ = ("_all", "_count", "_decoded", "_head", "_raw", "_tail")

    _raw: str
    _count: int
    _head: str
    _tail: tuple[Event, ...]
    _decoded: tuple[Event, ...] | None  # the stored events, once decoded
    _all: tuple[Event, ...] | None  # and the appended ones after them

    def __init__(self, raw: str, count: int, head: str, tail: Sequence[Event] = ()) -> None:
        """``raw``: ``count`` events as comma-separated JSON objects (each with its
        ``hash``; ``prev_hash`` left out), the last of which has the hash ``head``.
        """
        if type(count) is not int or count < 1:
            raise CaseDataError(f"an event log needs at least one event (got {count!r})")
        self._raw = raw
        self._count = count
        self._head = head
        self._tail = tuple(tail)
        self._decoded = self._all = None

    @property
    def head(self) -> str:
        """The last event's hash, without decoding anything."""
        return self._tail[-1].hash if self._tail else self._head

    @property
    def last_appended(self) -> Event | None:
        """The last event appended since the log was read (``None``: none was)."""
        return self._tail[-1] if self._tail else None

    def append(self, event: Event) -> EventLog:
        """A new log with ``event`` at the end (this one is unchanged)."""
        log: EventLog = object.__new__(EventLog)
        log._raw = self._raw
        log._count = self._count
        log._head = self._head
        log._tail = (*self._tail, event)
        log._decoded = self._decoded
        log._all = None
        return log

    def json_items(self) -> str:
        """The events as comma-separated JSON objects, as the serial form stores them."""
        if not self._tail:
            return self._raw
        return ",".join((self._raw, *(e.stored_json() for e in self._tail)))

    def _events(self) -> tuple[Event, ...]:
        found = self._all
        if found is None:
            decoded = self._decoded
            if decoded is None:
                decoded = self._decoded = _decode_stored(self._raw, self._count, self._head)
            found = self._all = (*decoded, *self._tail)
        return found

    def __len__(self) -> int:
        return self._count + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Event, ...]: ...

    def __getitem__(self, index: int | slice) -> Event | tuple[Event, ...]:
        return self._events()[index]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events())

    def __reversed__(self) -> Iterator[Event]:
        return iter(self._events()[::-1])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventLog):
            if other._raw is self._raw or (other._count == self._count and other._raw == self._raw):
                return other._tail == self._tail
            return self._events() == other._events()
        if isinstance(other, tuple):
            return self._events() == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._events())

    def __repr__(self) -> str:
        return f"EventLog({len(self)} events, head={self.head[:12]}…)"


def _decode_stored(raw: str, count: int, head: str) -> tuple[Event, ...]:
    try:
        items = json.loads(f"[{raw}]")
    except ValueError as err:
        raise CaseDataError(f"the serialised case's events are not valid JSON: {err}") from None
    return _chained(items, count, head)


def _chained(items: Sequence[Any], count: int, head: str) -> tuple[Event, ...]:
    """Stored event data (each ``prev_hash`` left out) as events; ``count`` of them
    ending in hash ``head``, as the serialised case's header says.
    """
    events: list[Event] = []
    prev = GENESIS
    for item in items:
        event = Event.from_dict(item, prev)
        events.append(event)
        prev = event.hash
    if len(events) != count or prev != head:
        raise CaseDataError(
            f"the serialised case's header (version, head) announces {count} events ending "
            f"in hash {head[:12]}…, but it holds {len(events)} ending in {prev[:12] or '-'}…"
        )
    return tuple(events)


class LogTampered(CaseError):
    """An event log fails verification.

    Attributes:
        seq: position (1-based) of the first event that fails.
        code: ``sequence`` (an event is missing, repeated or out of order), ``chain``
            (``prev_hash`` is not the previous event's hash), ``hash`` (the event was
            changed), ``time`` (an event is earlier than the one before), ``head``
            (the last hash is not the expected one: events were cut off the end), or
            ``malformed`` (not an event at all).
    """

    def __init__(self, seq: int, code: str, message: str) -> None:
        self.seq = seq
        self.code = code
        super().__init__(f"event {seq}: {message}")


def verify(events: Sequence[Event], *, head: str | None = None) -> None:
    """Check a case's event log end to end; return ``None`` when it is intact.

    Recomputes every hash from the event's fields (not from a stored body), checks the
    sequence numbers 1…n, the links between hashes, and that time never goes back.

    Args:
        events: the log, first event first.
        head: the hash the last event must have (kept elsewhere), to detect events
            removed from the end.

    Raises:
        LogTampered: at the first event that fails, with a ``code``.
    """
    prev_hash = GENESIS
    last: datetime | None = None
    for index, event in enumerate(events, start=1):
        if not isinstance(event, Event):
            raise LogTampered(index, "malformed", f"not an Event ({type(event).__name__})")
        if event.seq != index:
            raise LogTampered(
                index,
                "sequence",
                f"has sequence number {event.seq}; events are missing, repeated or out of order",
            )
        if event.prev_hash != prev_hash:
            raise LogTampered(index, "chain", "does not link to the hash of the event before")
        try:
            body = event.canonical_body()
        except (TypeError, ValueError) as err:
            raise LogTampered(index, "malformed", f"cannot be encoded: {err}") from None
        if chain_hash(prev_hash, body) != event.hash:
            raise LogTampered(index, "hash", "its content does not match its hash (changed)")
        try:
            moment = datetime.fromisoformat(event.at)
        except ValueError:
            raise LogTampered(index, "malformed", f"time {event.at!r} is not ISO 8601") from None
        if moment.tzinfo is None:
            raise LogTampered(index, "malformed", f"time {event.at!r} has no UTC offset")
        if last is not None and moment < last:
            raise LogTampered(index, "time", f"is dated {event.at}, before the event before")
        last = moment
        prev_hash = event.hash
    if head is not None and prev_hash != head:
        raise LogTampered(
            len(events),
            "head",
            "the last hash is not the expected head: events were "
            "removed from the end, or the log belongs to another case",
        )


def events_to_json(events: Sequence[Event]) -> str:
    """A log as a JSON array of :meth:`Event.to_dict` objects (with ``prev_hash``)."""
    return "[" + ",".join(canonical_json(e.to_dict()) for e in events) + "]"


def events_from_json(text: str | bytes) -> tuple[Event, ...]:
    """Read :func:`events_to_json` output; verify it separately with :func:`verify`.

    Raises:
        CaseDataError: the text is not JSON or not a list of events.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as err:
        raise CaseDataError(f"the event log is not valid JSON: {err}") from None
    if not isinstance(data, list):
        raise CaseDataError("an event log must be a JSON array of events")
    return tuple(Event.from_dict(item) for item in data)
