"""The alert-engine port: which time rules hold on measured periods.

The evaluator (:class:`~.supervisor.Supervisor`) measures each running period on the
day of evaluation (:func:`measure`) and asks an :class:`AlertEngine` which rules hold on
which measures.  :class:`PythonAlertEngine` is the evaluator's own; the optional
``DurableAlertEngine`` (:mod:`.durable`, extra ``durable``) answers the same question
with durable-rules' Rete network, and a parity test holds them equal.

A measure says, on the day:

* ``remaining`` — working days left to the due date (0 on and after it), counted on the
  calendar the office is warned on (the earliest estimate in a provisional year);
* ``used_percent`` — ⌊100 · (limit − remaining) / limit⌋, so that ``used_percent ≥ X``
  exactly when ⌈X · limit / 100⌉ working days are used;
* ``overdue`` — working days of grace used after the due date, up to the day before
  (−1 while not overdue), counted on the latest estimate.

A trigger holds when ``remaining ≤ remaining_wd``, ``used_percent ≥ used_percent`` or
``overdue ≥ overdue_wd`` (any of its keys): exactly from the first day
:func:`.thresholds.first_day` gives (a property test).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final, NamedTuple, Protocol

from ..workdays import WorkCalendar
from .periods import Period
from .rules import Trigger
from .ruleset import RuleSet
from .thresholds import DueBounds

__all__ = ["AlertEngine", "Measure", "PythonAlertEngine", "holds", "measure"]

_ONE_DAY: Final = timedelta(days=1)


class Measure(NamedTuple):
    """A running period measured on a day; ``key`` is the caller's, to match answers."""

    key: int
    matter: str
    basis: str
    remaining: int
    used_percent: int
    overdue: int

    def to_fact(self) -> dict[str, object]:
        """The measure as JSON data (a rule engine's fact)."""
        return self._asdict()


def measure(
    key: int, matter: str, period: Period, due: DueBounds, calendar: WorkCalendar, day: date
) -> Measure:
    """Measure ``period`` (due on ``due``) on ``day``."""
    earliest = calendar.earliest
    remaining = earliest.workdays_between(day, due.earliest) if day < due.earliest else 0
    limit = period.limit
    # a period of 0 working days is all used on its due day
    used = (100 * (limit - remaining)) // limit if limit else 100 * (remaining == 0)
    latest = calendar.latest
    overdue = latest.workdays_between(due.latest, day - _ONE_DAY) if day > due.latest else -1
    return Measure(key, matter, period.basis.value, remaining, used, overdue)


def holds(trigger: Trigger, m: Measure) -> bool:
    """Does the trigger hold on the measure (any of its keys)?"""
    if trigger.overdue_wd is not None:
        return m.overdue >= trigger.overdue_wd
    if trigger.remaining_wd is not None and m.remaining <= trigger.remaining_wd:
        return True
    return trigger.used_percent is not None and m.used_percent >= trigger.used_percent


class AlertEngine(Protocol):
    """Answers which time rules hold on which measures."""

    def reached(self, measures: Sequence[Measure]) -> set[tuple[str, int]]:
        """``(rule id, measure key)`` for every rule in force for the measure's matter,
        on the measure's period, whose trigger holds."""
        ...

    def close(self) -> None:
        """Release what the engine holds."""
        ...


class PythonAlertEngine:
    """The evaluator's own engine: each rule's trigger checked on each measure."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def reached(self, measures: Sequence[Measure]) -> set[tuple[str, int]]:
        found: set[tuple[str, int]] = set()
        for m in measures:
            for rule in self.rules.rules_for(m.matter):
                if rule.basis.value == m.basis and holds(rule.when, m):
                    found.add((rule.id, m.key))
        return found

    def close(self) -> None:
        return None
