"""The port between the case store and a SQL database: transactions and statements.

An adapter (``sqlite.py``, ``postgresql.py``) owns its driver: it opens the
connection, runs the statements the store writes (with ``?`` placeholders), and turns
its driver's errors into :class:`~approval_rules.errors.StoreError` or
:class:`UniqueViolation`, so no driver exception reaches the store or its callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol

__all__ = ["Backend", "Tx", "UniqueViolation"]

Row = tuple[Any, ...]


class UniqueViolation(Exception):
    """A unique constraint refused a row; the transaction is rolled back.

    Internal: the store turns it into :class:`~approval_rules.errors.EventConflict` or
    :class:`~approval_rules.errors.StaleCase` after looking at what is stored.
    """


class Tx(Protocol):
    """Statements inside one transaction."""

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row, or ``None``."""
        ...

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row."""
        ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
        """The rows one by one, without holding them all."""
        ...

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per row of parameters."""
        ...


class Backend(Protocol):
    """One database connection and what is particular to its dialect."""

    #: ``sqlite`` or ``postgresql``.
    kind: str
    #: The URL without a password, for messages.
    where: str
    #: The dialect's words for the schema template (see ``_schema.py``).
    words: ClassVar[dict[str, str]]
    #: The append-only triggers of the record (events and absences).
    triggers: tuple[str, ...]
    #: The database holds nothing but the store (SQLite: a file of its own).
    owns_database: bool

    def transaction(self, *, write: bool) -> AbstractContextManager[Tx]:
        """A transaction, committed when the block ends, rolled back on an exception.

        ``write=True`` serialises with other writers from its first statement; a
        read transaction sees one consistent snapshot.
        """
        ...

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """The rows of one statement, which sees one consistent snapshot by itself."""
        ...

    def tables(self, tx: Tx) -> set[str]:
        """Names of the tables the store's connection sees."""
        ...

    def lock_schema(self, tx: Tx) -> None:
        """Keep other connections from creating the schema at the same time."""
        ...

    def ready_for_writes(self) -> None:
        """Settings that change the database, applied once the schema is known good."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...
