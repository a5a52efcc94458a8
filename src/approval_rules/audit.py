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

This module imports only the standard library, :mod:`._json` (the canonical form written
fast, :func:`record_body`) and :mod:`.errors`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from json.encoder import encode_basestring
from types import MappingProxyType
from typing import Any, Final, NamedTuple, overload

from ._json import dumps_sorted
from .errors import CaseDataError, CaseError, Category

__all__ = [
    "GENESIS",
    "CallerEvent",
    "Event",
    "EventLog",
    "LogTampered",
    "canonical_json",
    "chain_hash",
    "decode_events",
    "event_body",
    "events_from_json",
    "events_to_json",
    "is_caller_id",
    "log_head",
    "make_event",
    "next_event",
    "record_body",
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


def chain_hash(prev_hash: str, body: str) -> str:
    """``sha256(prev_hash + body)`` as 64 lower-case hex digits."""
    return hashlib.sha256((prev_hash + body).encode("utf-8", "surrogatepass")).hexdigest()


def record_body(seq: int, id: str, at: str, actor: str, action: str, details: Any) -> str:
    """:func:`event_body`, written by orjson: the same text for every value a record holds.

    A record holds JSON data: objects with text keys, arrays, text, integers, ``true``,
    ``false``, ``null`` and finite numbers that are 0 or at least 0.0001 in size (orjson
    writes smaller ones as ``0.00001`` where the reference writes ``1e-05``, and NaN as
    ``null``; the engine refuses such numbers where input enters, see
    :mod:`.engine.intake`).  What orjson cannot write (integers beyond 64 bits, text
    with lone surrogates, keys that are not text) is written by the reference encoder;
    a test checks the two agree on every value of the record's domain, and
    :func:`verify` recomputes every body with the reference encoder.
    """
    try:
        return _record_bytes(seq, id, at, actor, action, details).decode()
    except TypeError:  # not writable by _json: the reference encoder decides
        return event_body(seq, id, at, actor, action, details)


def _record_bytes(seq: int, id: str, at: str, actor: str, action: str, details: Any) -> bytes:
    return dumps_sorted(
        {"action": action, "actor": actor, "at": at, "details": details, "id": id, "seq": seq}
    )


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


def next_event(
    events: Sequence[Event],
    *,
    id: str,
    at: str,
    actor: str,
    action: str,
    details: Mapping[str, Any],
) -> Event:
    """The event that follows ``events``, hashed (see :meth:`EventLog.next_event`).

    Its ``seq`` is one more than the log's length and its ``prev_hash`` the log's last
    hash (:data:`GENESIS` for an empty log).  The log itself is not changed.
    ``details`` must be record data (see :func:`record_body`).
    """
    return _new_event(len(events) + 1, log_head(events), id, at, actor, action, details)


def make_event(
    prev: Event | None, id: str | None, at: str, actor: str, action: str, details: Any
) -> Event:
    """The event that follows ``prev`` (``None`` for a case's first event), hashed.

    ``id`` defaults to ``"#<seq>"`` appended to nothing; the engine passes its own.
    """
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    eid = id if id is not None else f"#{seq}"
    return _new_event(seq, prev_hash, eid, at, actor, action, details)


def _new_event(
    seq: int, prev_hash: str, id: str, at: str, actor: str, action: str, details: Any
) -> Event:
    """The one place an event is built: its body (:func:`record_body`) and its hash."""
    try:
        raw = _record_bytes(seq, id, at, actor, action, details)
    except TypeError:  # not writable by _json: the reference encoder decides
        body = event_body(seq, id, at, actor, action, details)
        digest = chain_hash(prev_hash, body)
    else:
        body = raw.decode()
        digest = hashlib.sha256(prev_hash.encode() + raw).hexdigest()
    return tuple.__new__(Event, (seq, id, at, actor, action, details, prev_hash, digest, body))


def log_head(events: Sequence[Event]) -> str:
    """The last hash of a log (:data:`GENESIS` when empty), without decoding a stored one."""
    if type(events) is EventLog:
        return events.head
    return events[-1].hash if events else GENESIS


#: What a log keeps of a caller-given event id: the event's seq, action and actor.
CallerEvent = tuple[int, str, str]


def is_caller_id(event_id: str) -> bool:
    """Whether an event id was given by a caller (the engine's own contain ``#``)."""
    return "#" not in event_id


class EventLog(Sequence[Event]):
    """A case's events: an immutable sequence of :class:`Event` that grows in O(1).

    Two parts, either of which may be empty:

    * the events as they were *stored* (:meth:`~.engine.Case.from_json` keeps their
      JSON text instead of decoding it: restoring a case then costs what its state
      holds, not what its history does, and :meth:`~.engine.Case.to_json` writes the
      text back unchanged).  They are decoded when first read, one by one from the
      start, so looking for an early event (the acceptance) decodes only up to it;
    * the events *appended* since, held decoded.  :meth:`append` returns a new log
      that shares the appended events with this one (an append-only buffer read up to
      each log's own length), so appending does not copy the history.

    The log keeps an index of the events whose id a caller gave
    (:func:`is_caller_id`): :meth:`caller_event` finds one without reading the
    history.  An *indexed* log was stored with that index (``ids``); a log stored
    without one (the ``case@2`` form) builds it from its events the first time it is
    asked.

    A log compares equal to a tuple (or another log) of the same events.  Stored text
    that does not hold the events its header announced raises
    :class:`~.errors.CaseDataError` when it is first read.
    """

    __slots__ = ("_n", "_stored", "_tail")

    _stored: _Stored
    _tail: _Appended
    _n: int  # how many of the appended events this log holds

    def __init__(
        self,
        raw: str,
        count: int,
        head: str,
        tail: Sequence[Event] = (),
        *,
        ids: Mapping[str, CallerEvent] | None = None,
    ) -> None:
        """``raw``: ``count`` events as comma-separated JSON objects (each with its
        ``hash``; ``prev_hash`` left out), the last of which has the hash ``head``;
        ``tail``: events appended after them; ``ids``: the index of the stored events'
        caller-given ids, when it was stored with them.
        """
        if type(count) is not int or count < 1:
            raise CaseDataError(f"an event log needs at least one event (got {count!r})")
        self._stored = _Stored(raw, count, head, ids)
        self._tail = _Appended(tail)
        self._n = len(self._tail.events)

    @classmethod
    def stored(
        cls,
        text: str,
        start: int,
        stop: int,
        count: int,
        head: str,
        ids: Mapping[str, CallerEvent] | None = None,
    ) -> EventLog:
        """The log whose events are stored in ``text[start:stop]`` (read without copying)."""
        if type(count) is not int or count < 1:
            raise CaseDataError(f"an event log needs at least one event (got {count!r})")
        log: EventLog = object.__new__(cls)
        log._stored = _Stored(text, count, head, ids, start, stop)
        log._tail = _Appended()
        log._n = 0
        return log

    @classmethod
    def of(cls, events: Iterable[Event], *, indexed: bool = True) -> EventLog:
        """A log of decoded events (nothing stored), indexed unless told not to be."""
        log: EventLog = object.__new__(cls)
        log._stored = _INDEXED_NOTHING if indexed else _NOTHING
        log._tail = _Appended(events)
        log._n = len(log._tail.events)
        return log

    @property
    def head(self) -> str:
        """The last event's hash, without decoding anything (:data:`GENESIS` if empty)."""
        return self._tail.events[self._n - 1].hash if self._n else self._stored.head

    @property
    def last_appended(self) -> Event | None:
        """The last event appended to the stored ones (``None``: none was)."""
        return self._tail.events[self._n - 1] if self._n else None

    @property
    def indexed(self) -> bool:
        """Whether the log is stored with the index of its caller-given ids."""
        return self._stored.ids is not None

    def caller_event(self, event_id: str) -> CallerEvent | None:
        """(seq, action, actor) of the event whose caller-given id is ``event_id``.

        O(1) for an indexed log; a log stored without its index reads its stored
        events once to build it.
        """
        tail = self._tail
        at = tail.ids.get(event_id)
        if at is not None and at < self._n:
            event = tail.events[at]
            return event.seq, event.action, event.actor
        return self._stored.caller_ids().get(event_id)

    def caller_ids(self) -> dict[str, CallerEvent]:
        """Every caller-given id of the log with its event's seq, action and actor."""
        found = dict(self._stored.caller_ids())
        events = self._tail.events
        for event_id, at in self._tail.ids.items():
            if at < self._n:
                event = events[at]
                found[event_id] = (event.seq, event.action, event.actor)
        return found

    def next_event(
        self, id: str, at: str, actor: str, action: str, details: Mapping[str, Any]
    ) -> Event:
        """The event that would follow this log, hashed (the log is not changed).

        Its ``seq`` is the log's length plus one and its ``prev_hash`` the log's head;
        ``details`` must be record data (see :func:`record_body`).
        """
        n = self._n
        prev = self._tail.events[n - 1].hash if n else self._stored.head
        return _new_event(self._stored.count + n + 1, prev, id, at, actor, action, details)

    def append(self, event: Event) -> EventLog:
        """A new log with ``event`` at the end (this one is unchanged).  O(1)."""
        tail, n = self._tail, self._n
        events = tail.events
        if len(events) == n:
            events.append(event)  # (list.append is atomic: check nobody came first)
        if events[n] is event:
            if "#" not in event.id:  # a caller-given id (is_caller_id)
                tail.ids[event.id] = n
        else:  # another log grown from this one appended first: copy what we share
            tail = tail.branch(n, event)
        log: EventLog = object.__new__(EventLog)
        log._stored = self._stored
        log._tail = tail
        log._n = n + 1
        return log

    def json_items(self) -> str:
        """The events as comma-separated JSON objects, as the serial form stores them.

        The stored text as it was read, then the appended events' stored form; the
        text of the appended events is kept with them, so a host that saves a case
        after every action writes each event once (and copies the rest).
        """
        raw = self._stored.raw
        if not self._n:
            return raw
        appended = self._tail.joined(self._n)
        return f"{raw},{appended}" if raw else appended

    def _all(self) -> tuple[Event, ...]:
        return (*self._stored.events(), *self._tail.events[: self._n])

    def __len__(self) -> int:
        return self._stored.count + self._n

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Event, ...]: ...

    def __getitem__(self, index: int | slice) -> Event | tuple[Event, ...]:
        if type(index) is int and self._n:
            count = self._stored.count
            at = index + count + self._n if index < 0 else index
            if count <= at < count + self._n:
                return self._tail.events[at - count]  # an appended event: no decoding
        return self._all()[index]

    def __iter__(self) -> Iterator[Event]:
        yield from self._stored.iterate()
        yield from self._tail.events[: self._n]

    def __reversed__(self) -> Iterator[Event]:
        return iter(self._all()[::-1])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventLog):
            if len(other) != len(self):
                return False
            mine, theirs = self._stored, other._stored
            if theirs.count == mine.count and (theirs is mine or theirs.raw == mine.raw):
                return other._tail.events[: other._n] == self._tail.events[: self._n]
            return self._all() == other._all()
        if isinstance(other, tuple):
            return len(other) == len(self) and self._all() == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"EventLog({len(self)} events, head={self.head[:12]}…)"


class _Appended:
    """Events appended to a log: a buffer that logs grown from each other share.

    It is only ever appended to, so a log that holds its first ``n`` events sees the
    same events forever: their positions by caller-given id (``ids``) and the JSON
    text of a prefix, once written, are kept with them.
    """

    __slots__ = ("_text", "_written", "events", "ids")

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self.events: list[Event] = list(events)
        self.ids: dict[str, int] = (
            {e.id: at for at, e in enumerate(self.events) if is_caller_id(e.id)}
            if self.events
            else {}  # (a log read back: nothing appended yet)
        )
        self._written = 0  # how many events _text holds
        self._text = ""

    def branch(self, n: int, event: Event) -> _Appended:
        """A new buffer of the first ``n`` events and ``event`` (their text kept)."""
        other = _Appended((*self.events[:n], event))
        if self._written <= n:
            other._text, other._written = self._text, self._written
        return other

    def joined(self, n: int) -> str:
        """The stored form of the first ``n`` events, comma-separated."""
        written, text = self._written, self._text
        if written > n:  # an older, shorter log: write its events afresh
            return ",".join([e.stored_json() for e in self.events[:n]])
        if written < n:
            more = ",".join([e.stored_json() for e in self.events[written:n]])
            text = f"{text},{more}" if text else more
            if self._written == written:  # (another thread may have written further)
                self._text, self._written = text, n
        return text


class _Stored:
    """The stored part of a log: its JSON text, decoded once, from the start, on demand.

    The text is ``text[start:stop]``: a log read from a serialised case points into
    the case's text instead of copying its events out of it.
    """

    __slots__ = (
        "_decoded",
        "_derived",
        "_lock",
        "_next",
        "count",
        "head",
        "ids",
        "start",
        "stop",
        "text",
    )

    def __init__(
        self,
        text: str,
        count: int,
        head: str,
        ids: Mapping[str, CallerEvent] | None = None,
        start: int = 0,
        stop: int | None = None,
    ) -> None:
        self.text = text
        self.start = start
        self.stop = len(text) if stop is None else stop
        self.count = count
        self.head = head
        self.ids = ids
        self._derived: Mapping[str, CallerEvent] | None = None
        self._decoded: list[Event] = []
        self._next = start  # where the next event to decode starts in text
        self._lock = threading.Lock()

    @property
    def raw(self) -> str:
        """The stored events' text (comma-separated objects)."""
        if self.start == 0 and self.stop == len(self.text):
            return self.text
        return self.text[self.start : self.stop]

    def caller_ids(self) -> Mapping[str, CallerEvent]:
        """The index of the stored events' caller-given ids (built once if not stored)."""
        if self.ids is not None:
            return self.ids
        derived = self._derived
        if derived is None:
            derived = self._derived = {
                e.id: (e.seq, e.action, e.actor) for e in self.events() if is_caller_id(e.id)
            }
        return derived

    def events(self) -> list[Event]:
        """Every stored event, decoded (and the whole text checked against the header)."""
        if len(self._decoded) < self.count:
            with self._lock:
                if len(self._decoded) < self.count:
                    self._decoded = list(_decode_stored(self.raw, self.count, self.head))
        return self._decoded

    def iterate(self) -> Iterator[Event]:
        """The stored events in order, each decoded when it is reached."""
        index = 0
        while index < self.count:
            decoded = self._decoded
            if index >= len(decoded):
                with self._lock:
                    if index >= len(self._decoded):
                        self._decode_one()
                decoded = self._decoded
            yield decoded[index]
            index += 1

    def _decode_one(self) -> None:
        decoded, text, at, stop = self._decoded, self.text, self._next, self.stop
        prev = decoded[-1].hash if decoded else GENESIS
        try:
            item, end = _SCAN(text, at)
        except (StopIteration, ValueError) as err:
            raise CaseDataError(
                f"the serialised case's events are not valid JSON (at {at}): {err!r}"
            ) from None
        event = Event.from_dict(item, prev)
        last = len(decoded) + 1 == self.count
        if (
            end > stop
            or (end == stop) != last
            or (not last and text[end] != ",")
            or (last and event.hash != self.head)
        ):
            # not the text the header announced: decoding it whole says what is wrong
            self._decoded = list(_decode_stored(self.raw, self.count, self.head))
            return
        decoded.append(event)
        self._next = end + 1


_SCAN: Final[Callable[[str, int], tuple[Any, int]]] = json.decoder.JSONDecoder().scan_once  # type: ignore[attr-defined]
_NOTHING: Final = _Stored("", 0, GENESIS)  # a log built in memory, stored without ids
_INDEXED_NOTHING: Final = _Stored("", 0, GENESIS, MappingProxyType({}))


def _decode_stored(raw: str, count: int, head: str) -> tuple[Event, ...]:
    try:
        items = json.loads(f"[{raw}]")
    except ValueError as err:
        raise CaseDataError(f"the serialised case's events are not valid JSON: {err}") from None
    return decode_events(items, count, head)


def decode_events(items: Sequence[Any], count: int, head: str) -> tuple[Event, ...]:
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
            ``malformed`` (not an event at all); from the engine, ``state`` (a stored
            snapshot that is not what the events prove, ``Case.from_json``) and
            ``unauthorised`` (an actor who was not allowed to act then,
            ``Engine.replay``).
    """

    category: Category | None = Category.INVALID_INPUT

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
