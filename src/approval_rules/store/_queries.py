"""The SQL the case store reads its indexes with: one place for the statements the store
and the benchmarks (``EXPLAIN``) share."""

from __future__ import annotations

from ..engine import Status
from ._derive import TERMINAL
from ._rows import EVENT_COLUMNS, HEAD_COLUMNS

__all__ = [
    "ALARMS_SQL",
    "CASE_AND_EVENTS",
    "CHECKS_SQL",
    "DUE_SQL",
    "INBOX_SQL",
    "INSERT_EVENT",
    "OPEN_MARKS",
    "OPEN_STATUSES",
    "TIMERS_SQL",
]

OPEN_STATUSES = tuple(sorted(s.value for s in Status if s not in TERMINAL))
OPEN_MARKS = ", ".join("?" * len(OPEN_STATUSES))
# a case row and its events, in seq order (one statement: one consistent snapshot)
CASE_AND_EVENTS = (
    "SELECT c.id, "
    + ", ".join(f"c.{name}" for name in HEAD_COLUMNS)
    + ", "
    + ", ".join(f"e.{name}" for name in EVENT_COLUMNS)
    + " FROM cases c LEFT JOIN events e ON e.case_id = c.id"
)
#: :meth:`CaseStore.due_before`: a range of the index on ``runs_out`` (parameter: the moment).
DUE_SQL = (
    "SELECT case_id, matter_id, clock, step, due, runs_out FROM clocks "
    "WHERE runs_out <= ? AND clock <> 'timer' ORDER BY runs_out, case_id, clock, step"
)
#: :meth:`CaseStore.advance_due`: the cases whose timer (``clock = 'timer'``, the engine's
#: ``next_timer``) runs out by a moment, from the same index (parameter: the moment).
TIMERS_SQL = (
    "SELECT runs_out, case_id FROM clocks WHERE runs_out <= ? AND clock = 'timer' "
    "ORDER BY runs_out, case_id"
)
#: :meth:`CaseStore.alarms_due`: a range of the alarm index on ``fire_at``.
ALARMS_SQL = (
    "SELECT case_id, fire_at, key FROM alarms WHERE fire_at <= ? ORDER BY fire_at, case_id, key"
)
#: :meth:`CaseStore.inbox`: the person's rows of the index on (person, urgency), each
#: backup row kept while its principal is absent (parameters: person, then the day 4×).
INBOX_SQL = (
    "SELECT w.case_id, w.matter_id, w.step, w.actions, w.due, w.case_due, w.principal "
    "FROM work_items w WHERE w.person = ? AND (w.principal = '' "
    "OR EXISTS (SELECT 1 FROM absences a WHERE a.person = w.principal "
    "AND a.first_day <= ? AND a.last_day >= ?) "
    "OR EXISTS (SELECT 1 FROM case_absences x WHERE x.case_id = w.case_id "
    "AND x.person = w.principal AND x.first_day <= ? AND x.last_day >= ?)) "
    "ORDER BY w.urgency, w.case_id, w.step, w.principal"
)
#: :meth:`CaseStore.checks_waiting`: cases with a ``record_check`` work item (告知承诺制),
#: ended ones included (parameter: ``%record_check%``).
CHECKS_SQL = (
    "SELECT id, matter_id, matter_hash, department, status, version, last_at FROM cases c "
    "WHERE EXISTS (SELECT 1 FROM work_items w WHERE w.case_id = c.id "
    "AND w.actions LIKE ?) ORDER BY id"
)
INSERT_EVENT = (
    f"INSERT INTO events (case_id, {', '.join(EVENT_COLUMNS)}) "
    f"VALUES (?, {', '.join('?' * len(EVENT_COLUMNS))})"
)
