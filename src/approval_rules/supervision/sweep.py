"""The store-backed sweep: record each new alert once, reading only the cases that are due.

A case store opened with ``alarms=alarm_rows(supervisor)`` keeps, for every saved case,
its next alarms (:func:`.alarms.alarms`) in a table indexed on the moment they fire,
rewritten in the transaction that saves the case.  :func:`sweep` reads the rows due
by a moment, loads each of their cases, records the clock events that fell due by then
(as :meth:`~approval_rules.engine.Engine.advance` does: deemed acceptance …), asks the
evaluator for the alerts in force and records each one the case does not hold yet as a
``record_alert`` event of the system
(:meth:`~approval_rules.engine.Engine.record_alert`), then saves the case — which moves
its rows to their next notices.  So the cost is the alerts due, not the cases open, and
a second sweep at the same moment finds nothing and records nothing.

A case whose rows are due but that has nothing new (rows written under other rules, or
by a store without the alarm function) gets its rows rewritten, so it is not read again
until its next alarm.  A case another writer saved meanwhile is read again (a few times:
the sweep never overwrites anyone's work); a case the engine cannot record on (its
matter is another version than the engine's) is left as it is and reported.

The store is any object with the few methods :class:`SweepStore` names (the case store
of :mod:`approval_rules.store`), so supervision does not depend on the store package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from ..engine import Case, Engine
from ..errors import ApprovalRulesError, StaleCase, StoreError
from .alarms import alarms, recorded_keys
from .records import Alert, Intent
from .supervisor import Supervisor, _aware

__all__ = ["SweepStore", "Swept", "alarm_rows", "sweep"]

_ATTEMPTS: Final = 3


class _Due(Protocol):
    @property
    def case_id(self) -> str: ...


class SweepStore(Protocol):
    """What :func:`sweep` needs of a case store (:class:`~approval_rules.store.CaseStore`)."""

    @property
    def engine(self) -> Engine | None: ...

    @property
    def alarms(self) -> Callable[[Case], Iterable[tuple[datetime, str]]] | None: ...

    def alarms_due(self, moment: datetime, *, limit: int | None = None) -> Sequence[_Due]: ...

    def load(self, case_id: str) -> Case: ...

    def save(self, case: Case, *, expected_version: int) -> int: ...

    def reindex_alarms(self, case: Case) -> bool: ...


@dataclass(frozen=True, slots=True)
class Swept:
    """What a sweep did.

    Attributes:
        alerts: the alerts it recorded (each once: none a case held already), in the
            evaluator's order.
        intents: the notifications to send for them, one per recipient (for the outbox).
        cases: how many cases it read (those with a row due).
        skipped: cases it could not record on, with why.
    """

    alerts: tuple[Alert, ...]
    intents: tuple[Intent, ...]
    cases: int
    skipped: tuple[tuple[str, str], ...] = ()


def alarm_rows(supervisor: Supervisor) -> _AlarmRows:
    """The alarm function a store keeps its index with: ``open_store(url, engine=...,
    alarms=alarm_rows(supervisor))``."""
    return _AlarmRows(supervisor)


class _AlarmRows:
    """A case's next alarms under a supervisor, as ``(fire_at, key)`` pairs."""

    __slots__ = ("supervisor",)

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor

    def __call__(self, case: Case) -> Iterable[tuple[datetime, str]]:
        return alarms(case, self.supervisor)


def _record(engine: Engine, case: Case, new: Sequence[Alert], at: datetime) -> Case:
    """The case with each new alert recorded on it (at ``at``, or its last event)."""
    moment = max(at, case.last_at)
    for alert in new:
        case = engine.record_alert(
            case, at=moment, key=alert.key, rule=alert.rule, level=alert.level.value,
            step=alert.step, due=alert.due,
        )  # fmt: skip
    return case


def sweep(store: SweepStore, at: datetime, supervisor: Supervisor) -> Swept:
    """Record on each case the alerts new at ``at``, reading the alarm index's due rows.

    Idempotent: a second sweep at the same moment records nothing (every alert recorded
    is a ``record_alert`` event with the alert's key, which the evaluator's alerts are
    compared with).

    Args:
        store: a case store opened with the engine and ``alarms=alarm_rows(supervisor)``.
        at: the moment (timezone-aware); alerts are recorded at it (or at the case's
            last event, if that is later).
        supervisor: the rules, catalogue and calendar the alerts are evaluated with.

    Raises:
        TypeError: ``at`` is naive.
        StoreError: the store has no engine or no alarm function, or the database failed.
    """
    at = _aware(at)
    engine = store.engine
    if engine is None or store.alarms is None:
        raise StoreError(
            "a sweep reads the alarm index and records alerts: open the store with its "
            "engine and alarms, open_store(url, engine=engine, alarms=alarm_rows(supervisor))"
        )
    ids = list(dict.fromkeys(row.case_id for row in store.alarms_due(at)))
    recorded: list[Alert] = []
    skipped: list[tuple[str, str]] = []
    for case_id in ids:
        for attempt in range(_ATTEMPTS):
            case = store.load(case_id)
            try:
                # the clock events due by then first (deemed acceptance …): the alerts
                # are those in force on the case as the law has it at that moment
                current = engine.advance(case, max(at, case.last_at))
                held = recorded_keys(current)
                new = [a for a in supervisor.alerts(current, at) if a.key not in held]
                if not new and current is case:
                    store.reindex_alarms(case)
                    break
                after = _record(engine, current, new, at)
                store.save(after, expected_version=case.version)
            except StaleCase:
                if attempt + 1 < _ATTEMPTS:
                    continue
                skipped.append((case_id, "另一处理人同时保存了该办件，请再次巡检"))
                break
            except ApprovalRulesError as err:
                skipped.append((case_id, str(err)))
                break
            recorded.extend(new)
            break
    alerts = tuple(sorted(recorded, key=Alert.sort_key))
    intents = tuple(i for a in alerts for i in Intent.of(a))
    return Swept(alerts, intents, len(ids), tuple(skipped))
