"""A case's record as rows of ``events``, and back: the verified case a store reads.

Writing: each new event is rebuilt with :func:`~approval_rules.audit.make_event` from
its fields and the event before, and must come out equal (same sequence number, link
and hash), so a row's ``body`` is always the canonical text its ``hash`` covers.

Reading: the stored bodies are parsed, checked against their columns, verified as a
chain ending in the case row's head (:func:`~approval_rules.audit.verify`) and folded
(:func:`~approval_rules.engine.apply_event`); the case row must say what the fold
says.  Nothing read is trusted beyond what the events prove.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..audit import Event, LogTampered, chain_hash, make_event, verify
from ..engine import Case, apply_event
from ..errors import CaseDataError

__all__ = [
    "EVENT_COLUMNS",
    "HEAD_COLUMNS",
    "new_event_rows",
    "rebuild",
    "rebuild_joined",
    "split_joined",
]

#: The columns :func:`rebuild` reads, in its order.
EVENT_COLUMNS = ("seq", "id", "at", "actor", "action", "prev_hash", "hash", "body")
#: The case-row columns :func:`rebuild` checks, in its order.
HEAD_COLUMNS = ("matter_id", "matter_hash", "status", "version", "head")


def new_event_rows(case: Case, since: int) -> list[tuple[Any, ...]]:
    """Rows of ``events`` for the case's events after version ``since``.

    Raises:
        LogTampered: an event does not follow from the one before (its hash, sequence
            number, link or time); nothing may be written.
    """
    events = case.events
    prev: Event | None = events[since - 1] if since else None
    rows = []
    for event in events[since:]:
        again = make_event(prev, event.id, event.at, event.actor, event.action, event.details)
        if again != event:
            raise LogTampered(
                event.seq, "hash", f"case {case.id}: the event does not follow from the one "
                "before (changed, or out of order); it was not saved",
            )  # fmt: skip
        if prev is not None and event.moment < prev.moment:
            raise LogTampered(event.seq, "time", f"case {case.id}: dated before the event before")
        rows.append((case.id, *again[:5], again.prev_hash, again.hash, again.body))
        prev = again
    return rows


def _event(position: int, row: Sequence[Any]) -> Event:
    """The event a row's stored body holds (its columns are checked later)."""
    body, prev_hash, digest = row[7], row[5], row[6]
    try:
        data = json.loads(body)
        if type(data) is not dict:
            raise CaseDataError("an event is a JSON object")
        return Event.from_dict({**data, "hash": digest}, prev_hash)
    except (ValueError, TypeError) as err:
        # CaseDataError is a ValueError, and so is json's decoding error
        raise LogTampered(
            position, "malformed", f"its stored body is not an event: {err}"
        ) from None


def _check_row(event: Event, row: Sequence[Any]) -> None:
    """A verified event's row says what the event says, and holds its canonical text."""
    if tuple(event[:5]) != tuple(row[:5]):
        raise LogTampered(
            event.seq, "row", "its columns (seq, id, at, actor, action) disagree with its body"
        )
    # verify() checked the hash against the canonical body of the fields; the same hash
    # over the stored text proves the text is that canonical body
    if chain_hash(event.prev_hash, row[7]) != event.hash:
        raise LogTampered(
            event.seq, "row", "its stored body is not the canonical text its hash covers"
        )


def rebuild(case_id: str, head: Sequence[Any], rows: Sequence[Sequence[Any]]) -> Case:
    """The case a case row (:data:`HEAD_COLUMNS`) and its event rows
    (:data:`EVENT_COLUMNS`, in ``seq`` order) prove.

    Raises:
        LogTampered: at the first event (or the case row) that fails, with a ``code``:
            audit's codes, or ``row`` (a row's columns or text disagree with its body).
    """
    matter_id, matter_hash, status, version, head_hash = head
    events = [_event(position, row) for position, row in enumerate(rows, start=1)]
    verify(events, head=head_hash)
    for event, row in zip(events, rows, strict=True):
        _check_row(event, row)
    if len(events) != version:
        raise LogTampered(
            len(events),
            "head",
            f"the case row says {version} events; the record holds {len(events)}",
        )
    case: Case | None = None
    for event in events:
        try:
            case = apply_event(case, event)
        except CaseDataError as err:
            raise LogTampered(event.seq, "malformed", str(err)) from None
    assert case is not None  # verify() refused an empty record against the head
    said = (case_id, matter_id, matter_hash, status)
    proved = (case.id, case.matter_id, case.matter_hash, case.status.value)
    if said != proved:
        raise LogTampered(
            case.version, "head", f"the case row says {said}; its events say {proved}"
        )
    return case


def split_joined(
    rows: Sequence[Sequence[Any]],
) -> tuple[str, Sequence[Any], list[Sequence[Any]]]:
    """A case row joined with its event rows (``CASE_AND_EVENTS``) as the case id, its
    :data:`HEAD_COLUMNS` and its :data:`EVENT_COLUMNS` rows (none for a case without)."""
    first, width = rows[0], 1 + len(HEAD_COLUMNS)
    events = [row[width:] for row in rows if row[width] is not None]
    return first[0], first[1:width], events


def rebuild_joined(rows: Sequence[Sequence[Any]]) -> Case:
    """The case of a case row joined with its event rows (``CASE_AND_EVENTS``)."""
    return rebuild(*split_joined(rows))
