"""Pinned examples for audit.py: what the hash chain and the event log promise (#11).

Each test kills a mutant that survived the whole suite before: a ``verify`` without
its link check, a ``make_event`` that drops the caller's id, an ``EventLog`` whose
``!=`` answers like ``==``.
"""

from __future__ import annotations

import json

import pytest

from approval_rules.audit import GENESIS, Event, EventLog, LogTampered, make_event, verify


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
