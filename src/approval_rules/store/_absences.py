"""People's absences as the store keeps them: the calendar the engine reads for AB岗
decisions (one indexed look-up per question) and the rows of ``absences``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ._backend import Backend, Tx
from ._records import PersonAbsence

__all__ = ["StoreAbsences", "absence_from_row", "insert_absence"]


class StoreAbsences:
    """The store's absence calendar as the engine reads it (AB岗): one indexed look-up
    of ``absences`` per question, so every process sees every recorded absence."""

    __slots__ = ("_backend",)

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def absent(self, person: str, day: date) -> bool:
        text = day.isoformat()
        return bool(
            self._backend.read(
                "SELECT 1 FROM absences WHERE person = ? AND first_day <= ? AND last_day >= ? "
                "LIMIT 1",
                (person, text, text),
            )
        )


def absence_from_row(row: Sequence[Any]) -> PersonAbsence:
    person, first, last, reason, by = row
    return PersonAbsence(person, date.fromisoformat(first), date.fromisoformat(last), reason, by)


def insert_absence(tx: Tx, absence: PersonAbsence) -> None:
    tx.run(
        "INSERT INTO absences (person, first_day, last_day, reason, recorded_by) "
        "VALUES (?, ?, ?, ?, ?)",
        (absence.person, absence.start.isoformat(), absence.end.isoformat(), absence.reason,
         absence.by),
    )  # fmt: skip
