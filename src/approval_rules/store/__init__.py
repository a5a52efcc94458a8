"""A persistent case store for several writers: SQLite embedded, PostgreSQL for a platform.

::

    store = open_store("sqlite:///cases.db", engine=engine)
    store.save(case, expected_version=0)            # a new case: every event appended
    case = store.load(case.id)                      # rebuilt from its verified events
    new = engine.act(case, "pass", at=..., actor="fu_hong")
    store.save(new, expected_version=case.version)  # the version it was loaded at
    store.inbox("wang_wei", at=...)                 # what wang_wei may do now
    store.due_before(moment)                        # open clocks run out by then

Each case is kept as its hash-chained events (append-only rows), a row naming its head,
and index rows (clocks, work items) rewritten with every save in the same transaction.
See docs/store.md.
"""

from __future__ import annotations

from ..engine import Engine
from ..errors import StoreError
from ._outbox import OUTBOX_STATES, Outbox, OutboxRow
from ._records import (
    BrokenCase,
    CaseSummary,
    CheckReport,
    DueAlarm,
    DueClock,
    MatterVersion,
    PersonAbsence,
    WorkItem,
)
from ._schema import SCHEMA_VERSION
from ._store import AlarmRows, CaseStore
from ._transfer import EXPORT_FORMAT

__all__ = [
    "EXPORT_FORMAT",
    "OUTBOX_STATES",
    "SCHEMA_VERSION",
    "AlarmRows",
    "BrokenCase",
    "CaseStore",
    "CaseSummary",
    "CheckReport",
    "DueAlarm",
    "DueClock",
    "MatterVersion",
    "Outbox",
    "OutboxRow",
    "PersonAbsence",
    "WorkItem",
    "open_store",
]


def open_store(
    url: str,
    *,
    engine: Engine | None = None,
    alarms: AlarmRows | None = None,
    timeout: float = 30.0,
) -> CaseStore:
    """Open (and on first use create) a case store.

    Args:
        url: ``sqlite:///path/cases.db`` (relative; ``sqlite:////srv/cases.db``
            absolute) or ``postgresql://user:password@host/dbname`` (needs the
            ``postgresql`` extra: psycopg 3).
        engine: the engine the cases run on; saving cases, importing them and
            recording absences need it (for the signers of each step and the matter
            definitions), reading and checking do not.
        alarms: the supervision alarms of a case
            (:func:`approval_rules.supervision.sweep.alarm_rows`): every save then keeps
            the case's rows of the alarm index a sweep reads.
        timeout: seconds a writer waits for another writer's lock before giving up.

    Raises:
        StoreError: an unknown scheme, a folder that does not exist, a database of
            another schema version or another program, a server that cannot be
            reached; nothing was written.
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be text, not {type(url).__name__}")
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "sqlite":
        from .sqlite import SqliteBackend

        return CaseStore(SqliteBackend(url, timeout=timeout), engine=engine, alarms=alarms)
    if scheme in ("postgresql", "postgres"):
        from .postgresql import PostgresBackend

        return CaseStore(PostgresBackend(url, timeout=timeout), engine=engine, alarms=alarms)
    raise StoreError(
        f"unknown store URL {url!r}: use sqlite:///path/cases.db or postgresql://user@host/dbname"
    )
