"""Pinned examples for audit.py: what the hash chain and the event log promise (#11).

Each test kills a mutant that survived the whole suite before: a ``verify`` without
its link check, a ``make_event`` that drops the caller's id, an ``EventLog`` whose
``!=`` answers like ``==``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import pytest

from approval_rules.audit import (
    GENESIS,
    Event,
    EventLog,
    LogTampered,
    canonical_json,
    event_body,
    events_from_json,
    make_event,
    verify,
)
from approval_rules.errors import CaseDataError


def _log(n: int) -> list[Event]:
    events: list[Event] = []
    prev: Event | None = None
    for i in range(n):
        prev = make_event(
            prev, f"c-1#{i + 1}", f"2025-09-26T{9 + i:02d}:00:00+08:00", "wang_yueqin",
            "submit" if i == 0 else "pass", {"step": f"s{i}"},
        )  # fmt: skip
        events.append(prev)
    return events


def _stored(events: list[Event]) -> EventLog:
    """The log as Case.from_json holds it: stored text, decoded on first use."""
    return EventLog(",".join(e.stored_json() for e in events), len(events), events[-1].hash)


# --------------------------------------------------------------------------- verify


def test_verify_checks_each_events_link_to_the_one_before() -> None:
    """An event whose prev_hash names another event is refused with code ``chain``.

    Its own hash is still right (the hash is recomputed from the previous event's
    hash, not from the field), so only the link check can see that the record says
    the event follows something it does not follow.
    """
    events = _log(3)
    relinked = events[1]._replace(prev_hash="0" * 64)
    with pytest.raises(LogTampered) as err:
        verify([events[0], relinked, events[2]])
    assert (err.value.seq, err.value.code) == (2, "chain")


def test_verify_checks_the_first_event_starts_the_chain() -> None:
    """The first event must link to nothing (``prev_hash`` is the empty GENESIS)."""
    events = _log(2)
    assert events[0].prev_hash == GENESIS
    with pytest.raises(LogTampered) as err:
        verify([events[0]._replace(prev_hash=events[1].hash), events[1]])
    assert (err.value.seq, err.value.code) == (1, "chain")


# --------------------------------------------------------------------------- make_event


def test_make_event_keeps_the_callers_event_id() -> None:
    """The id given (an idempotency key) is the event's id and is covered by its hash."""
    first = make_event(None, "intake-2025-0042", "2025-09-26T09:00:00+08:00", "acme", "submit", {})
    assert first.id == "intake-2025-0042"
    assert json.loads(first.body)["id"] == "intake-2025-0042"
    verify([first])
    second = make_event(first, "retry-key-7", "2025-09-26T10:00:00+08:00", "wang", "pass", {})
    assert (second.seq, second.id, second.prev_hash) == (2, "retry-key-7", first.hash)
    verify([first, second])


def test_make_event_without_an_id_numbers_it() -> None:
    """Without an id the event is called ``#<seq>``."""
    first = make_event(None, None, "2025-09-26T09:00:00+08:00", "acme", "submit", {})
    second = make_event(first, None, "2025-09-26T10:00:00+08:00", "wang", "pass", {})
    assert (first.id, second.id) == ("#1", "#2")


# --------------------------------------------------------------------------- EventLog


def test_event_log_not_equal_is_the_opposite_of_equal() -> None:
    """``!=`` on a stored log answers the opposite of ``==``, against tuples and logs."""
    events = _log(3)
    log = _stored(events)
    assert log == tuple(events)
    assert (log != tuple(events)) is False
    other = tuple(_log(2))
    assert log != other
    assert (log == other) is False
    assert (log != _stored(events)) is False
    assert log != _stored(events[:2])
    longer = log.append(make_event(events[-1], None, "2025-09-26T12:00:00+08:00", "w", "pass", {}))
    assert longer != log
    assert log != "not a log"  # no answer from the log: Python falls back to identity
    assert (log == "not a log") is False
    assert (log == list(events)) is False  # a list is not the log's kind of sequence
    assert re.fullmatch(r"EventLog\(3 events, head=[0-9a-f]{12}…\)", repr(log))


def test_a_log_needs_a_positive_whole_count() -> None:
    """The header's count of stored events must be an int of at least 1."""
    events = _log(1)
    raw = events[0].stored_json()
    for count in (0, -1, True, "1", 1.0):
        with pytest.raises(CaseDataError, match="at least one event"):
            EventLog(raw, count, events[0].hash)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- encoding


def test_canonical_json_refuses_keys_it_cannot_write() -> None:
    """A key that is not text or a number is an error, never silently dropped."""
    with pytest.raises(TypeError):
        canonical_json({("a", 1): 1})


@pytest.mark.parametrize("seq", ["1", 1.0, True, None])
def test_an_event_body_needs_an_int_sequence_number(seq: object) -> None:
    """True would be written as ``True`` (not JSON) and "1" as a quoted string."""
    with pytest.raises(TypeError, match="seq must be an int"):
        event_body(seq, "c#1", "2025-09-26T09:00:00+08:00", "a", "submit", {})  # type: ignore[arg-type]


def test_an_events_moment_is_its_aware_time() -> None:
    """``moment`` reads ``at`` back as an aware datetime, offset kept."""
    event = _log(1)[0]
    assert event.moment == datetime(2025, 9, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert event.moment.utcoffset() == timedelta(hours=8)


# --------------------------------------------------------------------------- reading events


def _data(**changes: Any) -> dict[str, Any]:
    data = _log(1)[0].to_dict()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ([1, 2], "an event must be a JSON object, not list"),
        ("event", "an event must be a JSON object, not str"),
        (_data(seq=0), "event seq must be a positive integer, not 0"),
        (_data(seq="1"), "event seq must be a positive integer, not '1'"),
        (_data(seq=1.0), "event seq must be a positive integer, not 1.0"),
        (_data(details=[]), "event 1: details must be a JSON object"),
        (_data(details="x"), "event 1: details must be a JSON object"),
        (_data(actor=7), "event 1: actor must be text, not 7"),
    ],
)
def test_stored_events_of_the_wrong_shape_are_case_data_errors(item: object, message: str) -> None:
    """What is not an event is refused with CaseDataError saying what is wrong."""
    with pytest.raises(CaseDataError) as err:
        events_from_json(json.dumps([item]))
    assert str(err.value) == message


def test_an_event_is_read_from_any_mapping() -> None:
    """Not only a dict: a read-only mapping of the same data gives the same event."""
    event = _log(1)[0]
    assert Event.from_dict(MappingProxyType(event.to_dict())) == event


# --------------------------------------------------------------------------- verify, malformed


def test_verify_names_the_event_in_its_message() -> None:
    """str(LogTampered) says which event and what is wrong."""
    events = _log(2)
    with pytest.raises(LogTampered) as err:
        verify([events[0], events[1]._replace(prev_hash="0" * 64)])
    assert str(err.value) == "event 2: does not link to the hash of the event before"


def test_verify_refuses_what_is_not_an_event() -> None:
    """A plain tuple in the log is ``malformed``, not an AttributeError."""
    events = _log(2)
    with pytest.raises(LogTampered) as err:
        verify([events[0], tuple(events[1])])  # type: ignore[list-item]
    assert (err.value.seq, err.value.code) == (2, "malformed")


@pytest.mark.parametrize(
    ("at", "words"),
    [("yesterday", "is not ISO 8601"), ("2025-09-26T09:00:00", "has no UTC offset")],
)
def test_verify_refuses_times_without_a_moment(at: str, words: str) -> None:
    """A time that is not ISO 8601, or has no offset, is ``malformed`` (hash and all
    else being right): it cannot be ordered against the others."""
    first = make_event(None, "c#1", at, "a", "submit", {})
    with pytest.raises(LogTampered, match=words) as err:
        verify([first])
    assert (err.value.seq, err.value.code) == (1, "malformed")


def test_stored_logs_with_the_same_count_compare_by_their_events() -> None:
    """Two stored logs of two events each, with different events, are not equal."""
    one = _log(2)
    other = [make_event(None, "x#1", "2025-09-26T09:00:00+08:00", "b", "submit", {})]
    other.append(make_event(other[0], "x#2", "2025-09-26T10:00:00+08:00", "b", "pass", {}))
    assert _stored(one) != _stored(other)
    assert _stored(one) == _stored(one)


@pytest.mark.parametrize("header", ["count", "head"])
def test_a_header_that_does_not_fit_its_events_is_refused(header: str) -> None:
    """The stored text must hold the announced number of events *and* end in the head."""
    events = _log(2)
    raw = ",".join(e.stored_json() for e in events)
    log = (
        EventLog(raw, 3, events[-1].hash) if header == "count" else EventLog(raw, 2, events[0].hash)
    )
    with pytest.raises(CaseDataError, match="header"):
        list(log)


def test_verify_refuses_details_it_cannot_encode() -> None:
    """Details that are not JSON (a set) are ``malformed``, not a TypeError."""
    event = _log(1)[0]._replace(details={"x": {1, 2}})
    with pytest.raises(LogTampered, match="cannot be encoded") as err:
        verify([event])
    assert err.value.code == "malformed"
