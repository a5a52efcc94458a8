"""The PostgreSQL adapter of the case store, through psycopg 3 (extra ``postgresql``).

``postgresql://user:password@host:5432/dbname`` (any libpq URL; ``postgres://`` too).
The store's tables are created in the connection's current schema: give the store a
database or schema of its own (``?options=-csearch_path%3Dcases`` picks a schema).
psycopg is imported when a PostgreSQL store is opened, never by ``import
approval_rules``.  Writers lock the case's row (``UPDATE … WHERE version = …``) and
wait for another writer's transaction up to ``timeout`` seconds; readers never wait.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..errors import StoreError
from ._backend import Row, Tx, UniqueViolation

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresBackend"]

_T = TypeVar("_T")

_TRIGGERS = (
    "CREATE FUNCTION approval_rules_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the case record is append-only (% on %)', TG_OP, TG_TABLE_NAME; "
    "END $$",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION approval_rules_append_only()"
        for table in ("events", "absences")
    ),
)
# Two connections creating a fresh store take turns on this advisory lock.
_SCHEMA_LOCK = 0x617070726F76  # "approv"


def _redacted(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


class PostgresBackend:
    """One psycopg connection, shared by the threads of a store (calls take turns)."""

    kind = "postgresql"
    words: ClassVar[dict[str, str]] = {
        "text": 'TEXT COLLATE "C"',
        "serial": "BIGINT GENERATED ALWAYS AS IDENTITY",
        "clustered": "",
    }
    triggers = _TRIGGERS
    owns_database = False

    def __init__(self, url: str, *, timeout: float) -> None:
        self.where = _redacted(url)
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "a PostgreSQL store needs psycopg 3: pip install 'approval_rules[postgresql]'"
            ) from None
        self._psycopg = psycopg
        self._sql: dict[str, str] = {}
        self._conn: psycopg.Connection[Any] = self._guard(
            lambda: psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)))
        )
        self._lock = threading.RLock()
        millis = int(timeout * 1000)
        self._guard(lambda: self._conn.execute(f"SET lock_timeout = {millis}"))

    def _guard(self, call: Callable[[], _T]) -> _T:
        """Run a driver call; its errors become the store's."""
        errors = self._psycopg.errors
        try:
            return call()
        except errors.UniqueViolation as err:
            raise UniqueViolation(str(err)) from None
        except (errors.LockNotAvailable, errors.QueryCanceled) as err:
            raise StoreError(
                f"{self.where}: another writer held the case for too long: {_first(err)}"
            ) from None
        except self._psycopg.OperationalError as err:
            raise StoreError(f"{self.where}: {_first(err)}") from None
        except self._psycopg.Error as err:
            raise StoreError(f"{self.where}: {_first(err)}") from None

    def statement(self, sql: str) -> str:
        """``?`` placeholders as psycopg's ``%s`` (the store's SQL holds no ``%``)."""
        found = self._sql.get(sql)
        if found is None:
            found = self._sql[sql] = sql.replace("?", "%s")
        return found

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        with self._lock:
            conn = self._conn
            self._guard(
                lambda: conn.execute(
                    "BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                )
            )
            try:
                with conn.cursor() as cursor:
                    yield _PostgresTx(self, cursor)
                self._guard(lambda: conn.execute("COMMIT"))
            except BaseException:
                if not conn.closed:
                    self._guard(lambda: conn.execute("ROLLBACK"))
                raise

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        sql = self.statement(sql)
        with self._lock:  # autocommit: the statement is its own transaction
            return self._guard(lambda: self._conn.execute(sql, params or None).fetchall())

    def tables(self, tx: Tx) -> set[str]:
        rows = tx.all(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {row[0] for row in rows}

    def lock_schema(self, tx: Tx) -> None:
        tx.one(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")

    def ready_for_writes(self) -> None:
        """Nothing to set: PostgreSQL's defaults are durable."""

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _first(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


class _PostgresTx:
    """Statements of one PostgreSQL transaction."""

    def __init__(self, backend: PostgresBackend, cursor: psycopg.Cursor[Any]) -> None:
        self._backend = backend
        self._guard = backend._guard
        self._cursor = cursor

    # parameters are passed as None when there are none, so that psycopg leaves a "%"
    # in the statement alone (the trigger function's message has some)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        cur = self._cursor
        sql = self._backend.statement(sql)
        found: Row | None = self._guard(lambda: cur.execute(sql, params or None).fetchone())
        return found

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cur = self._cursor
        sql = self._backend.statement(sql)
        return self._guard(lambda: cur.execute(sql, params or None).fetchall())

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        # a server-side cursor: rows arrive in batches, never all at once
        conn = self._cursor.connection
        sql = self._backend.statement(sql)
        with conn.cursor(name="approval_rules_rows") as cur:
            cur.itersize = 500
            self._guard(lambda: cur.execute(sql, params or None))
            while batch := self._guard(lambda: cur.fetchmany(500)):
                yield from batch

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        cur = self._cursor
        sql = self._backend.statement(sql)
        return self._guard(lambda: cur.execute(sql, params or None).rowcount)

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        cur = self._cursor
        sql = self._backend.statement(sql)
        self._guard(lambda: cur.executemany(sql, rows))
