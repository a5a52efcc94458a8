"""One pass over cases for a published report: indicators by group and overall, and the
alerts in force at the period's end.

Memory stays the size of the groups, not of the cases: each case is read once, turned
into its facts and counted, and only its alerts are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

from ..engine import Case
from .facts import CaseFacts, case_facts
from .indicators import report, tally_each
from .records import Alert
from .render import ReportView
from .supervisor import Supervisor, as_of

__all__ = ["build_report", "end_of_day"]


def end_of_day(day: date, supervisor: Supervisor) -> datetime:
    """The last moment of ``day`` in the supervisor's time zone (23:59:59)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=supervisor.tz)


def build_report(
    cases: Iterable[Case], *, supervisor: Supervisor, start: date, end: date, by: str
) -> ReportView:
    """The indicators over ``start``..``end`` grouped ``by`` (and overall), with the alerts
    in force at the end of ``end``.  Cases are taken as they stood at that moment."""
    at = end_of_day(end, supervisor)
    reporting = supervisor.rules.document.reporting
    alerts: list[Alert] = []

    def facts() -> Iterator[CaseFacts]:
        for case in cases:
            then = as_of(case, at)
            if then is None:
                continue  # submitted after the period
            alerts.extend(supervisor.alerts(then, at))
            yield case_facts(
                then,
                process=supervisor.process(then.matter_id),
                calendar=supervisor.calendar,
                reporting=reporting,
                tz=supervisor.tz,
            )

    groupings = (by,) if by == "all" else (by, "all")
    found = tally_each(facts(), start=start, end=end, by=groupings, reporting=reporting)
    groups = report(found[by], reporting)
    overall = report(found["all"], reporting)
    return ReportView(
        start,
        end,
        by,
        groups,
        overall[0] if overall else None,
        sorted(alerts, key=Alert.sort_key),
        at,
    )
