"""A case's next alarms: when each of its thresholds will next need a sweep.

The store-backed sweep reads an index of ``(fire_at, case, key)`` rows, one per case and
threshold that has not been recorded yet: only each threshold's *next* notice, so the
index holds about one row per open period and rule, and a sweep reads only what is due
(supervision.md §5, the due-index design).  The rows are derived from the case alone —
its running periods, the rules, and the alerts already recorded on it — whenever it is
saved, so recording an alert (an event on the case) moves its threshold's row to the
next notice, and a second sweep at the same moment finds nothing.

Derivation follows the evaluator exactly:

* for each period and time rule, the notices of its ladder after the last one recorded
  (a sweep that ran late records the latest notice reached; the earlier ones are done);
* a notice on or after the first notice of a higher level on the same period is never
  sent (the evaluator's supersession), so it is no alarm; once a higher level has been
  recorded, the lower ones have no alarm at all (a sweep that ran late sent the higher
  one instead);
* an anomaly not recorded yet fires from the day it appears (for a stalled case, the
  day after the statutory due date and the idle days).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Final, NamedTuple

from ..engine import Case
from .anomalies import CHECKS, Inputs
from .periods import running_periods
from .rules import LEVEL_RANK, Scope
from .supervisor import Supervisor
from .thresholds import due_bounds, first_day, ladder

__all__ = ["RECORD_ACTION", "Alarm", "alarms", "recorded_keys"]

#: The engine action that records an alert on a case (its ``details["key"]`` is the
#: alert's identity, :attr:`~.records.Alert.key`).
RECORD_ACTION: Final = "record_alert"
_FAR: Final = date(9999, 12, 31)


class Alarm(NamedTuple):
    """When a case next needs a sweep for one threshold (or anomaly)."""

    fire_at: datetime
    key: str


def recorded_keys(case: Case) -> frozenset[str]:
    """The identities of the alerts recorded on a case."""
    return frozenset(str(e.details.get("key")) for e in case.events if e.action == RECORD_ACTION)


def _done_through(recorded: frozenset[str], prefix: str) -> int:
    """The highest threshold step recorded for an identity prefix (−1: none)."""
    seqs = [int(k.rsplit("|", 1)[1]) for k in recorded if k.rsplit("|", 1)[0] == prefix]
    return max(seqs, default=-1)


def alarms(
    case: Case, supervisor: Supervisor, recorded: frozenset[str] | None = None
) -> tuple[Alarm, ...]:
    """The case's next alarm for every threshold and anomaly not recorded yet, earliest
    first (for a case that has ended, only its anomalies not recorded yet).

    Args:
        recorded: the alerts recorded on the case (default: read from its record).
    """
    tz = supervisor.tz
    day = datetime.fromisoformat(case.events[-1].at).astimezone(tz).date()
    process = supervisor.process(case.matter_id)
    if recorded is None:
        recorded = recorded_keys(case)
    found: list[tuple[date, str]] = []
    rules = supervisor.rules.rules_for(case.matter_id)
    calendar = supervisor.calendar
    levels = supervisor.rules.document.levels
    # an ended case has no running period, but its anomalies (a decision typed in
    # with its reviews, closed without the certificate …) are still found and recorded
    periods = () if case.is_terminal else running_periods(
        case, day, process=process, calendar=calendar, tz=tz
    )  # fmt: skip
    for period in periods:
        due = due_bounds(period, calendar)
        watching = [r for r in rules if r.basis is period.basis]
        firsts = {r.id: first_day(r.when, period, calendar, due)[0] for r in watching}
        step = period.step or ""
        prefixes = {
            r.id: f"{case.id}|{r.id}|{step if r.scope is Scope.STEP else ''}|{due.best}"
            for r in watching
        }
        done = {rid: _done_through(recorded, prefix) for rid, prefix in prefixes.items()}
        for rule in watching:
            above = [o for o in watching if LEVEL_RANK[o.level] > LEVEL_RANK[rule.level]]
            if any(done[o.id] >= 0 for o in above):
                continue  # a higher level was sent: the evaluator never sends this one again
            until = min((firsts[o.id] for o in above), default=None)
            nxt = next(
                (
                    f
                    for f in ladder(rule.when, period, levels.of(rule.level), calendar, due)
                    if f.seq > done[rule.id] and (until is None or f.day < until)
                ),
                None,
            )
            if nxt is not None:
                found.append((nxt.day, f"{prefixes[rule.id]}|{nxt.seq}"))
    given = Inputs(_FAR, process, calendar, tz, supervisor.fees_due)
    for anomaly in supervisor.rules.anomalies_for(case.matter_id):
        finding = CHECKS[anomaly.check](case, anomaly, given)
        if finding is None:
            continue
        key = f"{case.id}|{anomaly.id}|{finding.step or ''}||0"
        if key not in recorded:
            found.append((finding.since, key))
    return tuple(
        Alarm(datetime.combine(day, time(0), tzinfo=tz), key) for day, key in sorted(found)
    )
