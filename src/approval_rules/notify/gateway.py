"""The SMS gateway port, a file gateway built in, and the dispatcher that sends the outbox.

A real SMS service (a carrier's or a government platform's) is a class with one method,
:meth:`Gateway.send`: it sends one message and returns the service's reference, or
raises :class:`GatewayError` (``permanent=True`` when retrying cannot help, e.g. a
malformed number).  :class:`FileGateway` writes each message as a JSON line to a file:
for a county without a gateway yet, for tests, and as the log of what would be sent.

:func:`dispatch` sends what the store's outbox holds that is due at ``at``, one message
at a time: it claims the row (so a second dispatcher skips it), calls the gateway and
records the outcome.  A failure is retried after a growing pause (:data:`BACKOFF`)
until ``max_attempts``; then the message is ``failed`` with the gateway's last words.
Time is explicit: ``at`` is the caller's, never the wall clock.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from ..errors import ApprovalRulesError

if TYPE_CHECKING:
    from ..store import CaseStore, OutboxRow

__all__ = [
    "BACKOFF",
    "DispatchReport",
    "FileGateway",
    "Gateway",
    "GatewayError",
    "dispatch",
]

#: Pauses before the 2nd, 3rd … attempt; the last repeats.
BACKOFF: Final = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
#: How long a claimed message is held for the dispatcher that claimed it.
LEASE: Final = timedelta(minutes=5)


class GatewayError(ApprovalRulesError):
    """A gateway could not send a message.

    Attributes:
        permanent: retrying cannot help (the message is marked ``failed`` at once).
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Gateway(Protocol):
    """Sends one text message; the port a real SMS service implements."""

    def send(self, message: OutboxRow) -> str:
        """Send ``message`` (its ``key`` identifies it: a repeat may be dropped); return
        the service's reference.

        Raises:
            GatewayError: not sent.
        """
        ...


class FileGateway:
    """Writes each message as one JSON line (UTF-8) to ``path``; a key already there is
    not written again (the first line's reference is returned).

    Args:
        path: the file (created when missing; its folder must exist).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._keys: dict[str, int] = {}  # key -> line, as of the file's size below
        self._size = -1

    def _written(self) -> dict[str, int]:
        """Key → line of every message in the file (read again only when it changed)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return {}
        except OSError as err:
            raise GatewayError(f"cannot read {self.path}: {err}") from err
        if size != self._size:
            try:
                lines = self.path.read_text(encoding="utf-8").splitlines()
            except OSError as err:
                raise GatewayError(f"cannot read {self.path}: {err}") from err
            self._keys = {
                json.loads(line)["key"]: n for n, line in enumerate(lines, 1) if line.strip()
            }
            self._size = size
        return self._keys

    def send(self, message: OutboxRow) -> str:
        written = self._written()
        line = written.get(message.key)
        if line is None:
            record = {
                "key": message.key,
                "to": message.address,
                "name": message.name,
                "role": message.role,
                "case": message.case_id,
                "text": message.text,
            }
            text = json.dumps(record, ensure_ascii=False) + "\n"
            try:
                with self.path.open("a", encoding="utf-8", newline="\n") as out:
                    out.write(text)
            except OSError as err:
                raise GatewayError(f"cannot write {self.path}: {err}") from err
            line = len(written) + 1
            written[message.key] = line
            self._keys = written
            self._size = self.path.stat().st_size
        return f"{self.path.name}:{line}"


@dataclass
class DispatchReport:
    """What one :func:`dispatch` run did: keys sent, to be retried, given up."""

    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _pause(attempt: int, backoff: Sequence[timedelta]) -> timedelta:
    return backoff[min(attempt, len(backoff)) - 1]


def dispatch(
    store: CaseStore,
    gateway: Gateway,
    at: datetime,
    *,
    max_attempts: int = 5,
    backoff: Sequence[timedelta] = BACKOFF,
    limit: int = 100,
) -> DispatchReport:
    """Send the outbox's messages due at ``at`` (at most ``limit``), one at a time.

    Raises:
        TypeError: ``at`` is not timezone-aware.
        ValueError: ``max_attempts`` below 1 or no ``backoff``.
        StoreError: the store cannot be used (messages already settled stay settled).
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise TypeError("at must be timezone-aware, e.g. tzinfo=ZoneInfo('Asia/Shanghai')")
    if max_attempts < 1 or not backoff:
        raise ValueError("max_attempts must be at least 1 and backoff not empty")
    outbox = store.outbox
    report = DispatchReport()
    for row in outbox.due(at, limit=limit):
        if not outbox.claim(row, until=at + LEASE):
            continue  # another dispatcher took it
        attempt = row.attempts + 1
        try:
            reference = gateway.send(row)
        except GatewayError as err:
            if err.permanent or attempt >= max_attempts:
                outbox.retry(row.key, error=str(err), at=None)
                report.failed.append(row.key)
            else:
                outbox.retry(row.key, error=str(err), at=at + _pause(attempt, backoff))
                report.retried.append(row.key)
            continue
        outbox.sent(row.key, at=at, reference=reference)
        report.sent.append(row.key)
    return report
