"""The SQLite adapter of the case store (standard library ``sqlite3``, WAL mode).

``sqlite:///cases.db`` is a file relative to the working folder, ``sqlite:////srv/
cases.db`` an absolute one (as SQLAlchemy writes them); ``sqlite:///:memory:`` a
database that lives as long as the store.  The folder must exist: nothing is created
but the file.  Writers take the database's write lock when their transaction begins
(``BEGIN IMMEDIATE``) and wait for it up to ``timeout`` seconds; readers never wait
(write-ahead log).  ``synchronous=FULL``: a committed save survives a power cut.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import unquote

from ..errors import StoreError
from ._backend import Row, Tx, UniqueViolation

__all__ = ["SqliteBackend"]

_T = TypeVar("_T")

_TRIGGERS = tuple(
    f"CREATE TRIGGER {table}_append_only_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
    for table in ("events", "absences")
    for op in ("UPDATE", "DELETE")
)


def _path(url: str) -> str:
    rest = url[len("sqlite:") :]
    if not rest.startswith("///") or len(rest) == 3:
        raise StoreError(
            f"a SQLite store URL is sqlite:///relative/path.db or sqlite:////absolute/path.db, "
            f"not {url!r}"
        )
    return unquote(rest[3:].split("?", 1)[0])


class SqliteBackend:
    """One connection to a SQLite database file, shared by the threads of a store."""

    kind = "sqlite"
    words: ClassVar[dict[str, str]] = {
        "text": "TEXT",
        "serial": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "clustered": " WITHOUT ROWID",
    }
    triggers = _TRIGGERS
    owns_database = True

    def __init__(self, url: str, *, timeout: float) -> None:
        path = _path(url)
        self.where = url
        if path != ":memory:":
            file = Path(path)
            if not file.parent.is_dir():
                raise StoreError(
                    f"the folder {str(file.parent)!r} of the store {url} does not exist; "
                    "create it first (the store creates only its file)"
                )
            if file.is_dir():
                raise StoreError(f"{path!r} is a folder; name the store's file, e.g. cases.db")
        self._conn = self._guard(
            lambda: sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        )
        self._lock = threading.RLock()
        self._guard(lambda: self._conn.execute("PRAGMA foreign_keys = ON"))

    def _guard(self, call: Callable[[], _T]) -> _T:
        """Run a driver call; its errors become the store's."""
        try:
            return call()
        except sqlite3.IntegrityError as err:
            if "UNIQUE" in str(err) or "PRIMARY KEY" in str(err):
                raise UniqueViolation(str(err)) from None
            raise StoreError(f"{self.where}: {err}") from None
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise StoreError(
                    f"{self.where}: the database stayed locked by another writer: {err}"
                ) from None
            raise StoreError(f"{self.where}: {err}") from None
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.where}: not a usable SQLite database: {err}") from None

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        with self._lock:
            conn = self._conn
            self._guard(lambda: conn.execute("BEGIN IMMEDIATE" if write else "BEGIN"))
            try:
                yield _SqliteTx(self, conn.cursor())
                self._guard(lambda: conn.execute("COMMIT"))
            except BaseException:
                if conn.in_transaction:
                    self._guard(lambda: conn.execute("ROLLBACK"))
                raise

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock:  # autocommit: the statement is its own transaction
            return self._guard(lambda: self._conn.execute(sql, params).fetchall())

    def tables(self, tx: Tx) -> set[str]:
        return {row[0] for row in tx.all("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def lock_schema(self, tx: Tx) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already excludes other writers."""

    def ready_for_writes(self) -> None:
        self._guard(lambda: self._conn.execute("PRAGMA journal_mode = WAL"))
        self._guard(lambda: self._conn.execute("PRAGMA synchronous = FULL"))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _SqliteTx:
    """Statements of one SQLite transaction."""

    def __init__(self, backend: SqliteBackend, cursor: sqlite3.Cursor) -> None:
        self._guard = backend._guard
        self._cursor = cursor

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        found: Row | None = self._guard(lambda: self._cursor.execute(sql, params).fetchone())
        return found

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._guard(lambda: self._cursor.execute(sql, params).fetchall())

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        cursor = self._guard(lambda: self._cursor.connection.execute(sql, params))
        while batch := self._guard(lambda: cursor.fetchmany(500)):
            yield from batch

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._guard(lambda: self._cursor.execute(sql, params).rowcount)

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._guard(lambda: self._cursor.executemany(sql, rows))
