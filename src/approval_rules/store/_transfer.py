"""The store's JSON-lines export format: one line per definition, absence and case.

::

    {"format":"approval-rules/store@1","schema":2}
    {"definition":"<hash>","matter":"<matter id>","text":"<the matter as JSON>"}
    {"absence":{"by":…,"end":"2025-10-09","person":…,"reason":…,"start":"2025-10-08"}}
    {"case":"<id>","head":…,"matter":…,"matter_hash":…,"status":…,"version":6,"events":[…]}
    {"outbox":{"key":…,"case_id":…,"seq":2,"state":"sent",…}}

Definitions by hash, absences in the order they were recorded, cases by id, then the
outbox's messages by key (schema 2 on); each
event as a serialised case stores it (its canonical body with ``"hash"`` appended).
Every line is written the same way by every store, so exporting a store that was
imported from an export gives the same text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, NamedTuple

from ..audit import GENESIS, canonical_json
from ..errors import CaseDataError, StoreError
from ._records import PersonAbsence
from ._rows import EVENT_COLUMNS
from ._schema import OUTBOX_COLUMNS, SCHEMA_VERSION

__all__ = [
    "EXPORT_FORMAT",
    "Item",
    "absence_line",
    "absence_of",
    "case_line",
    "case_rows_of",
    "definition_line",
    "definition_of",
    "outbox_line",
    "outbox_row_of",
    "read_lines",
    "store_header",
]

#: ``format`` of an export's first line.
EXPORT_FORMAT = "approval-rules/store@1"
_KINDS = ("definition", "absence", "case", "outbox")
_OUTBOX_INTS = frozenset({"seq", "attempts"})
_OUTBOX_OPTIONAL = frozenset({"last_error", "sent_at", "reference"})
_BODY, _HASH = EVENT_COLUMNS.index("body"), EVENT_COLUMNS.index("hash")


class Item(NamedTuple):
    """One line of an export after the header: its number, kind and data."""

    line: int
    kind: str
    data: dict[str, Any]


def store_header() -> str:
    """The first line of an export."""
    return canonical_json({"format": EXPORT_FORMAT, "schema": SCHEMA_VERSION})


def definition_line(digest: str, matter_id: str, text: str) -> str:
    """A stored matter definition as a line."""
    return canonical_json({"definition": digest, "matter": matter_id, "text": text})


def absence_line(absence: PersonAbsence) -> str:
    """An absence of the calendar as a line."""
    return canonical_json(
        {
            "absence": {
                "person": absence.person,
                "start": absence.start.isoformat(),
                "end": absence.end.isoformat(),
                "reason": absence.reason,
                "by": absence.by,
            }
        }
    )


def case_line(case_id: str, head: Sequence[Any], events: Sequence[Sequence[Any]]) -> str:
    """A case as a line, from its row's :data:`~._rows.HEAD_COLUMNS` and its rows of
    :data:`~._rows.EVENT_COLUMNS`, each event as a serialised case stores it (its body
    with ``"hash"`` appended, as ``Event.stored_json`` writes it)."""
    matter_id, matter_hash, status, version, head_hash = head
    stored = [f'{row[_BODY][:-1]},"hash":"{row[_HASH]}"}}' for row in events]
    header = canonical_json(
        {"case": case_id, "head": head_hash, "matter": matter_id, "matter_hash": matter_hash,
         "status": status, "version": version}
    )  # fmt: skip
    return f'{header[:-1]},"events":[{",".join(stored)}]}}'


def read_lines(lines: Iterable[str]) -> Iterator[Item]:
    """The items of an export, after checking its first line.

    Raises:
        StoreError: not an export of this format, or a line that is not one of its items.
    """
    numbered = enumerate(lines, start=1)
    first = next(((n, line) for n, line in numbered if line.strip()), None)
    try:
        header = json.loads(first[1]) if first is not None else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
        raise StoreError(f"line 1: not an approval_rules store export ({EXPORT_FORMAT})")
    for n, line in numbered:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as err:
            raise StoreError(f"line {n}: not JSON: {err}") from None
        kind = next((k for k in _KINDS if isinstance(data, dict) and k in data), None)
        if kind is None:
            raise StoreError(f"line {n}: expected a definition, an absence, a case or a message")
        yield Item(n, kind, data)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if type(value) is not str:
        raise CaseDataError(f"{key!r} must be text, not {value!r}")
    return value


def definition_of(data: dict[str, Any]) -> tuple[str, str, str]:
    """(hash, matter id, text) of a definition line, its hash checked."""
    digest, matter_id, text = _text(data, "definition"), _text(data, "matter"), _text(data, "text")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
        raise CaseDataError(f"the definition's text does not have its hash {digest[:12]}")
    return digest, matter_id, text


def absence_of(data: dict[str, Any]) -> PersonAbsence:
    """The absence of an absence line."""
    raw = data.get("absence")
    if not isinstance(raw, dict):
        raise CaseDataError("an absence is a JSON object")
    reason = raw.get("reason")
    if reason is not None and type(reason) is not str:
        raise CaseDataError(f"'reason' must be text, not {reason!r}")
    try:
        start, end = date.fromisoformat(_text(raw, "start")), date.fromisoformat(_text(raw, "end"))
    except ValueError as err:
        raise CaseDataError(f"an absence's days must be ISO dates: {err}") from None
    return PersonAbsence(_text(raw, "person"), start, end, reason, _text(raw, "by"))


def case_rows_of(data: dict[str, Any]) -> tuple[str, tuple[Any, ...], list[tuple[Any, ...]]]:
    """A case line as the store reads a case: its id, its row's checked columns and
    its event rows (each event's canonical body rebuilt from its data)."""
    case_id = _text(data, "case")
    version = data.get("version")
    events = data.get("events")
    if type(version) is not int or not isinstance(events, list):
        raise CaseDataError(f"case {case_id}: a case needs a version and a list of events")
    head = (_text(data, "matter"), _text(data, "matter_hash"), _text(data, "status"), version,
            _text(data, "head"))  # fmt: skip
    rows: list[tuple[Any, ...]] = []
    prev = GENESIS
    for event in events:
        if not isinstance(event, dict):
            raise CaseDataError(f"case {case_id}: an event is a JSON object")
        body = {k: v for k, v in event.items() if k != "hash"}
        digest = event.get("hash")
        rows.append((event.get("seq"), event.get("id"), event.get("at"), event.get("actor"),
                     event.get("action"), prev, digest, canonical_json(body)))  # fmt: skip
        prev = digest if type(digest) is str else ""
    return case_id, head, rows


def outbox_line(row: Sequence[Any]) -> str:
    """A message of the outbox as a line, from its row of :data:`OUTBOX_COLUMNS`."""
    return canonical_json({"outbox": dict(zip(OUTBOX_COLUMNS, row, strict=True))})


def outbox_row_of(data: dict[str, Any]) -> tuple[Any, ...]:
    """The row of an outbox line, each column's type checked."""
    raw = data.get("outbox")
    if not isinstance(raw, dict) or raw.keys() != set(OUTBOX_COLUMNS):
        raise CaseDataError("a message is a JSON object with the outbox's columns")
    for name in OUTBOX_COLUMNS:
        value = raw[name]
        if name in _OUTBOX_INTS:
            ok = type(value) is int and value >= 0
        elif name in _OUTBOX_OPTIONAL:
            ok = value is None or type(value) is str
        else:
            ok = type(value) is str
        if not ok:
            raise CaseDataError(f"message {raw.get('key')!r}: {name!r} has the wrong type")
    if raw["state"] not in ("pending", "sent", "failed"):
        raise CaseDataError(f"message {raw['key']!r}: no state {raw['state']!r}")
    return tuple(raw[name] for name in OUTBOX_COLUMNS)
