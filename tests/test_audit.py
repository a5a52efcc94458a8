"""The tamper-evident record: canonical JSON, the sha256 chain and verify()."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from approval_rules.audit import (
    GENESIS,
    Event,
    EventLog,
    LogTampered,
    canonical_json,
    chain_hash,
    event_body,
    events_from_json,
    events_to_json,
    make_event,
    next_event,
    record_body,
    verify,
)
from approval_rules.engine.intake import record_number
from approval_rules.errors import CaseDataError, CaseError


def _log(n: int = 4) -> list[Event]:
    events: list[Event] = []
    prev = None
    for i in range(n):
        event = make_event(
            prev,
            f"case-1#{i + 1}",
            f"2025-09-26T{9 + i:02d}:00:00+08:00",
            "wang_yueqin" if i else "申请人",
            "submit" if i == 0 else "pass",
            {"step": f"s{i}", "note": "材料齐全", "n": i},
        )
        events.append(event)
        prev = event
    return events


def test_canonical_json_sorts_keys_and_keeps_chinese() -> None:
    """Keys are sorted, there is no whitespace and Chinese text is written as is."""
    assert canonical_json({"b": 1, "a": ["受理", None, True]}) == '{"a":["受理",null,true],"b":1}'


def test_canonical_json_refuses_what_json_cannot_hold_exactly() -> None:
    """NaN, infinity and non-JSON objects are refused rather than written ambiguously."""
    with pytest.raises(ValueError, match="not JSON compliant"):
        canonical_json({"x": float("nan")})
    with pytest.raises(TypeError):
        canonical_json({"x": {1, 2}})


def test_body_equals_canonical_json_of_the_fields() -> None:
    """The hand-written body is exactly the canonical JSON of the event's fields."""
    details = {"z": '引号"和\\反斜杠\n', "a": [1, 2]}
    body = event_body(3, "c#3", "2025-01-02T09:00:00+08:00", "王", "pass", details)
    expected = canonical_json(
        {
            "action": "pass",
            "actor": "王",
            "at": "2025-01-02T09:00:00+08:00",
            "details": details,
            "id": "c#3",
            "seq": 3,
        }
    )
    assert body == expected
    assert json.loads(body)["details"] == details


# --------------------------------------------------------------------------- the fast body
#
# record_body writes the body with orjson; it must be the reference text
# (json.dumps, sorted keys, compact, UTF-8 kept) for every value a record may hold.

# Text of every kind: control characters, quotes and backslashes, the line and paragraph
# separators, astral characters (sorted as code points) and lone surrogates (which
# orjson refuses: the reference encoder then writes them).
_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None))
# Integers of any size (beyond 64 bits orjson refuses: the reference writes them);
# floats as the record holds them: finite, 0 or at least 0.0001 in size.
_RECORD_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0 or abs(x) >= 1e-4
)
_SCALARS = st.none() | st.booleans() | st.integers() | _RECORD_FLOATS | _TEXT
_RECORD_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=500)
@given(
    details=st.dictionaries(_TEXT, _RECORD_DATA, max_size=5),
    seq=st.integers(1, 10**6),
    text=_TEXT,
)
@example(details={"x": 1e16, "y": -0.0, "z": 1e-4, "big": 2**64, "s": "\ud800"}, seq=1, text="")
@example(details={"x": 1.7976931348623157e308, "y": 123456789.125}, seq=2, text="\x1f\u2028")
def test_the_fast_body_is_the_reference_body(details: dict[str, Any], seq: int, text: str) -> None:
    """orjson writes the canonical body byte for byte, for every value a record holds."""
    args = (seq, f"c-1#{seq}", "2025-01-02T09:00:00+08:00", text, "pass", details)
    assert record_body(*args) == event_body(*args)


def test_numbers_outside_the_record_are_refused_where_they_enter() -> None:
    """Where orjson and the reference differ (1e-05, NaN) the value never reaches a record."""
    assert record_body(1, "i", "t", "a", "x", {"n": 1e-5}) != event_body(
        1, "i", "t", "a", "x", {"n": 1e-5}
    )
    assert not record_number(1e-5)
    assert not record_number(float("nan"))
    assert not record_number(True)
    assert record_number(0.0)
    assert record_number(1e-4)
    assert record_number(2**70)


def test_next_event_follows_the_log_it_extends() -> None:
    """next_event numbers, links and hashes the event after a log, tuple or stored."""
    events = _log(2)
    stored = EventLog(",".join(e.stored_json() for e in events), 2, events[-1].hash)
    details = {"amount": "1.00"}
    for log in (tuple(events), stored):
        event = next_event(log, id="案-1#3", at="2025-01-02T09:00:00.500000+08:00",
                           actor='王"五', action="record_payment", details=details)  # fmt: skip
        assert event == make_event(events[-1], "案-1#3", event.at, '王"五', event.action, details)
        assert event.body == event.canonical_body()
    first = next_event((), id="c#1", at="2025-01-02T09:00:00+08:00", actor="a", action="submit",
                       details={})  # fmt: skip
    assert (first.seq, first.prev_hash) == (1, GENESIS)


def test_hash_chains_each_event_to_the_one_before() -> None:
    """hash(n) = sha256(hash(n-1) + body(n)); the first event starts from ''."""
    events = _log(3)
    assert events[0].prev_hash == GENESIS
    for before, event in itertools.pairwise(events):
        assert event.prev_hash == before.hash
        expected = hashlib.sha256((before.hash + event.canonical_body()).encode()).hexdigest()
        assert event.hash == expected == chain_hash(before.hash, event.canonical_body())


def test_verify_accepts_an_intact_log() -> None:
    """An untouched log verifies, also against its own head."""
    events = _log()
    verify(events)
    verify(events, head=events[-1].hash)


def test_verify_rejects_a_changed_event() -> None:
    """Changing any field of an event breaks its hash."""
    events = _log()
    changed = events[2]._replace(details={**events[2].details, "n": 99})
    with pytest.raises(LogTampered) as err:
        verify([*events[:2], changed, *events[3:]])
    assert err.value.seq == 3
    assert err.value.code == "hash"
    assert isinstance(err.value, CaseError)


def test_verify_rejects_deletion_insertion_and_reordering() -> None:
    """Removing, repeating or swapping events breaks the sequence or the chain."""
    events = _log(5)
    with pytest.raises(LogTampered) as err:
        verify([*events[:2], *events[3:]])
    assert (err.value.seq, err.value.code) == (3, "sequence")
    with pytest.raises(LogTampered):
        verify([*events[:3], events[2], *events[3:]])
    with pytest.raises(LogTampered):
        verify([events[0], events[2], events[1], *events[3:]])


def test_verify_rejects_a_relinked_forgery() -> None:
    """Renumbering and relinking a forged event still fails: its hash was not recomputed."""
    events = _log(3)
    forged = events[1]._replace(actor="someone_else")
    with pytest.raises(LogTampered) as err:
        verify([events[0], forged, events[2]])
    assert err.value.code == "hash"


def test_verify_rejects_time_going_back() -> None:
    """Events must not go back in time, even with a valid chain."""
    first = make_event(None, "c#1", "2025-09-26T10:00:00+08:00", "a", "submit", {})
    second = make_event(first, "c#2", "2025-09-26T09:59:59+08:00", "b", "pass", {})
    with pytest.raises(LogTampered) as err:
        verify([first, second])
    assert err.value.code == "time"


def test_times_are_compared_as_instants() -> None:
    """09:00 in Beijing is after 00:30 UTC of the same day."""
    first = make_event(None, "c#1", "2025-09-26T00:30:00+00:00", "a", "submit", {})
    second = make_event(first, "c#2", "2025-09-26T09:00:00+08:00", "b", "pass", {})
    verify([first, second])


def test_head_detects_events_cut_off_the_end() -> None:
    """A truncated log is a valid chain; the head kept elsewhere catches it."""
    events = _log(4)
    verify(events[:3])
    with pytest.raises(LogTampered) as err:
        verify(events[:3], head=events[-1].hash)
    assert err.value.code == "head"


def test_events_round_trip_through_json() -> None:
    """events_to_json / events_from_json give back equal events that verify."""
    events = _log()
    again = events_from_json(events_to_json(events))
    assert list(again) == events
    verify(again)


def test_events_from_json_refuses_malformed_input() -> None:
    """Bad JSON, a non-list or an event with missing keys is a CaseDataError."""
    with pytest.raises(CaseDataError):
        events_from_json("{")
    with pytest.raises(CaseDataError):
        events_from_json("{}")
    with pytest.raises(CaseDataError, match="lacks the key"):
        events_from_json('[{"seq": 1}]')
    with pytest.raises(CaseDataError, match="unknown event key"):
        events_from_json('[{"seq": 1, "extra": 2}]')


def test_event_equality_ignores_the_cached_body() -> None:
    """An event read back without its body text equals the original."""
    event = _log(1)[0]
    assert event == event._replace(body="")
    assert event != event._replace(actor="x")
    assert event != tuple(event)


@settings()
@given(position=st.data())
def test_any_single_byte_change_is_detected(position: st.DataObject) -> None:
    """Changing one byte of a stored log is either unreadable or fails verification."""
    events = _log(4)
    raw = bytearray(events_to_json(events).encode())
    index = position.draw(st.integers(0, len(raw) - 1), label="index")
    value = position.draw(st.integers(0, 255).filter(lambda b: b != raw[index]), label="byte")
    raw[index] = value
    try:
        again = events_from_json(bytes(raw))
    except CaseDataError:
        return
    if [e.to_dict() for e in again] == [e.to_dict() for e in events]:
        return  # the change did not alter the data (e.g. an escape written differently)
    with pytest.raises(LogTampered):
        verify(again)
