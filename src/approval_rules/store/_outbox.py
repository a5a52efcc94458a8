"""The outbox: text messages waiting to be sent, with their delivery state and retries.

A host computes what to send after an action (``approval_rules.notify``'s intents, each
with an idempotency key) and adds it here, best in the same run as the save; the key is
the row's primary key, so adding the same intents twice keeps one row each.  A
dispatcher (``approval_rules.notify.dispatch``) takes the rows that are due, claims one
at a time (the claim moves its next attempt past a lease, so two dispatchers never send
the same row at once), hands it to a gateway and records the outcome: ``sent`` with the
gateway's reference, or another attempt later, or ``failed`` after the last one.

States: ``pending`` (waiting, ``next_at`` is its next attempt), ``sent``, ``failed``.
Times are UTC text that sorts as time does (as everywhere in the store).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from ._backend import Backend
from ._schema import OUTBOX_COLUMNS

__all__ = ["OUTBOX_STATES", "Outbox", "OutboxMessage", "OutboxRow"]

#: Every state of a message.
OUTBOX_STATES: Final = ("pending", "sent", "failed")

_COLUMNS: Final = ", ".join(OUTBOX_COLUMNS)


_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


def _moment(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TypeError("outbox times must be timezone-aware")
    return moment.astimezone(UTC).strftime(_FORMAT)


def _read_moment(text: str | None) -> datetime | None:
    return (
        None if text is None else datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    )


class OutboxMessage(Protocol):
    """What the outbox keeps of a message to send (``notify.Intent`` has it)."""

    @property
    def key(self) -> str: ...
    @property
    def case_id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def rule(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message in the outbox, as stored.

    Attributes:
        key: the idempotency key (also handed to the gateway).
        case_id, seq, rule, role, recipient, name, address, text: the message.
        created: the moment of the event that caused it.
        state: ``pending``, ``sent`` or ``failed``.
        attempts: sending attempts so far.
        next_at: when a pending message is next tried.
        last_error: what the gateway said on the last failure.
        sent_at: when it was sent; reference: the gateway's reference for it.
    """

    key: str
    case_id: str
    seq: int
    rule: str
    role: str
    recipient: str
    name: str
    address: str
    text: str
    created: datetime
    state: str
    attempts: int
    next_at: datetime
    last_error: str | None
    sent_at: datetime | None
    reference: str | None

    @classmethod
    def of(cls, row: Sequence[Any]) -> OutboxRow:
        (key, case_id, seq, rule, role, recipient, name, address, body, created, state,
         attempts, next_at, last_error, sent_at, reference) = row  # fmt: skip
        made = datetime.strptime(created, _FORMAT).replace(tzinfo=UTC)
        due = datetime.strptime(next_at, _FORMAT).replace(tzinfo=UTC)
        return cls(
            key, case_id, int(seq), rule, role, recipient, name, address, body, made,
            state, int(attempts), due, last_error, _read_moment(sent_at), reference,
        )  # fmt: skip


class Outbox:
    """The store's outbox (``store.outbox``): add, list, claim and settle messages."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def add(self, messages: Iterable[OutboxMessage]) -> int:
        """Keep each message once (by key), due at its event's moment; the number new.

        One transaction: all are kept, or none.
        """
        added = 0
        with self._backend.transaction(write=True) as tx:
            for m in messages:
                created = _moment(m.at)
                added += tx.run(
                    f"INSERT INTO outbox ({_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, NULL) "
                    "ON CONFLICT (key) DO NOTHING",
                    (m.key, m.case_id, m.seq, m.rule, m.role, m.recipient, m.name,
                     m.address, m.text, created, created),
                )  # fmt: skip
        return added

    def due(self, at: datetime, *, limit: int = 100) -> list[OutboxRow]:
        """Pending messages whose next attempt is at or before ``at``, oldest first."""
        return [
            OutboxRow.of(row)
            for row in self._backend.read(
                f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending' AND next_at <= ? "
                "ORDER BY next_at, key LIMIT ?",
                (_moment(at), limit),
            )
        ]

    def messages(self, *, case_id: str | None = None, state: str | None = None) -> list[OutboxRow]:
        """Every message, or a case's, or those in one state; by key."""
        where, params = [], []
        if case_id is not None:
            where.append("case_id = ?")
            params.append(case_id)
        if state is not None:
            where.append("state = ?")
            params.append(state)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._backend.read(f"SELECT {_COLUMNS} FROM outbox{clause} ORDER BY key", params)
        return [OutboxRow.of(row) for row in rows]

    def claim(self, row: OutboxRow, *, until: datetime) -> bool:
        """Take a due message for one attempt: count it and hold it until ``until``.

        ``False`` when another dispatcher claimed or settled it first.
        """
        with self._backend.transaction(write=True) as tx:
            return (
                tx.run(
                    "UPDATE outbox SET attempts = attempts + 1, next_at = ? "
                    "WHERE key = ? AND state = 'pending' AND attempts = ?",
                    (_moment(until), row.key, row.attempts),
                )
                == 1
            )

    def sent(self, key: str, *, at: datetime, reference: str) -> None:
        """Record that the gateway took the message."""
        with self._backend.transaction(write=True) as tx:
            tx.run(
                "UPDATE outbox SET state = 'sent', sent_at = ?, reference = ?, last_error = NULL "
                "WHERE key = ?",
                (_moment(at), reference, key),
            )

    def retry(self, key: str, *, error: str, at: datetime | None) -> None:
        """Record a failed attempt: try again at ``at``, or give up (``None``: ``failed``)."""
        with self._backend.transaction(write=True) as tx:
            if at is None:
                tx.run(
                    "UPDATE outbox SET state = 'failed', last_error = ? WHERE key = ?",
                    (error, key),
                )
            else:
                tx.run(
                    "UPDATE outbox SET next_at = ?, last_error = ? WHERE key = ?",
                    (_moment(at), error, key),
                )

    def counts(self) -> dict[str, int]:
        """Messages per state (every state listed)."""
        found = dict.fromkeys(OUTBOX_STATES, 0)
        for state, n in self._backend.read("SELECT state, COUNT(*) FROM outbox GROUP BY state"):
            found[state] = int(n)
        return found
