"""The pure evaluator: the alerts in force on cases at a moment.

:func:`supervise` (and :class:`Supervisor`, which keeps the compiled matters between
calls) reads nothing but its arguments: no clock, no files, no database.  For each case
it takes the case as it stood at ``at`` (events after ``at`` are left out), the periods
running that day (:mod:`.periods`), and for each time rule in force for the matter the
last notice of its ladder reached by then (:mod:`.thresholds`); on one period only the
highest level reached is in force (a red card supersedes the prompt).  Then each
anomaly check (:mod:`.anomalies`).  The alerts come in a deterministic order: most
severe first, then by due date, case, step and rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from ..compiler import compile_matter
from ..engine import Case, fold
from ..errors import CaseDataError, NaiveDatetime
from ..graph import Process
from ..loader import Catalogue
from ..workdays import WorkCalendar
from .anomalies import CHECKS, Inputs
from .periods import Period, running_periods
from .port import AlertEngine, PythonAlertEngine, measure
from .records import Alert
from .rules import LEVEL_RANK, Scope, TimeRule
from .ruleset import RuleSet
from .targets import department_of, recipients
from .thresholds import DueBounds, due_bounds, ladder

__all__ = ["Supervisor", "as_of", "supervise"]

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


def _aware(at: object) -> datetime:
    if not isinstance(at, datetime):
        raise TypeError(f"at must be a datetime (got {type(at).__name__})")
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDatetime("at", at)
    return at


def as_of(case: Case, at: datetime) -> Case | None:
    """The case as it stood at ``at``: its events up to ``at`` folded again (the same
    case when none is later; ``None`` when it was submitted after ``at``)."""
    if case.last_at <= at:
        return case
    earlier = [e for e in case.events if datetime.fromisoformat(e.at) <= at]
    return fold(earlier) if earlier else None


class Supervisor:
    """Evaluates supervision rules on cases; keeps each matter's compiled process.

    Args:
        rules: the rule set (:func:`~.ruleset.load_supervision`).
        catalogue: the matters the cases run on, and the people.
        calendar: the working-day calendar (a provisional one for years without a
            State Council notice).
        tz: the time zone dates are read in.
        engine: which rules hold on a period (:mod:`.port`); the evaluator's own by
            default.
    """

    def __init__(
        self,
        rules: RuleSet,
        catalogue: Catalogue,
        calendar: WorkCalendar,
        *,
        tz: tzinfo = SHANGHAI,
        engine: AlertEngine | None = None,
    ) -> None:
        self.rules = rules
        self.engine = engine if engine is not None else PythonAlertEngine(rules)
        self.catalogue = catalogue
        self.calendar = calendar
        self.tz = tz
        self._processes: dict[str, Process] = {}

    def process(self, matter_id: str) -> Process:
        """The compiled process of a matter of the catalogue."""
        found = self._processes.get(matter_id)
        if found is None:
            matter = self.catalogue.matters.get(matter_id)
            if matter is None:
                raise CaseDataError(f"matter {matter_id!r} is not in the catalogue")
            found = self._processes[matter_id] = compile_matter(matter, self.catalogue)
        return found

    def alerts(self, case: Case, at: datetime) -> list[Alert]:
        """The alerts in force on one case at ``at``, in the deterministic order."""
        at = _aware(at)
        then = as_of(case, at)
        if then is None:
            return []  # not submitted yet
        case = then
        day = at.astimezone(self.tz).date()
        process = self.process(case.matter_id)
        found = self._time_alerts(case, day, process)
        found += self._anomalies(case, day, process)
        return sorted(found, key=Alert.sort_key)

    def supervise(self, cases: Iterable[Case], at: datetime) -> list[Alert]:
        """The alerts in force on every case at ``at``, in the deterministic order."""
        return sorted(self.each(cases, at), key=Alert.sort_key)

    def each(self, cases: Iterable[Case], at: datetime) -> Iterator[Alert]:
        """The alerts case by case, as they are found (for streaming and progress)."""
        for case in cases:
            yield from self.alerts(case, at)

    # ----------------------------------------------------------------- time rules

    def _time_alerts(self, case: Case, day: date, process: Process) -> list[Alert]:
        rules = {rule.id: rule for rule in self.rules.rules_for(case.matter_id)}
        if not rules:
            return []
        calendar = self.calendar
        periods = running_periods(case, day, process=process, calendar=calendar, tz=self.tz)
        dues = [due_bounds(period, calendar) for period in periods]
        measures = [
            measure(i, case.matter_id, period, due, calendar, day)
            for i, (period, due) in enumerate(zip(periods, dues, strict=True))
        ]
        reached = sorted(self.engine.reached(measures))
        found = []
        for i, (period, due) in enumerate(zip(periods, dues, strict=True)):
            alerts = [
                self._threshold(case, day, process, period, due, rules[rid])
                for rid, key in reached
                if key == i
            ]
            # a higher level supersedes the lower ones on the same period: a red card
            # is not sent with a prompt that one working day is left
            top = max((LEVEL_RANK[a.level] for a in alerts), default=0)
            found += [a for a in alerts if LEVEL_RANK[a.level] == top]
        return found

    def _threshold(
        self,
        case: Case,
        day: date,
        process: Process,
        period: Period,
        due: DueBounds,
        rule: TimeRule,
    ) -> Alert:
        """The alert of a rule the engine found reached: its ladder's last notice by then."""
        calendar = self.calendar
        spec = self.rules.document.levels.of(rule.level)
        steps = ladder(rule.when, period, spec, calendar, due)
        firing = max((f for f in steps if f.day <= day), default=steps[0])
        step = period.step if rule.scope is Scope.STEP else None
        remaining = (
            calendar.workdays_between(day, due.best)
            if day <= due.best
            else -calendar.workdays_between(due.best, day)
        )
        return Alert(
            case_id=case.id,
            matter_id=case.matter_id,
            department=department_of(process, step),
            rule=rule.id,
            rule_name=rule.name,
            kind="time",
            basis=period.basis.value,
            level=rule.level,
            step=step,
            due=due.best,
            remaining=remaining,
            fired_on=firing.day,
            seq=firing.seq,
            notice=firing.notice,
            recipients=recipients(
                firing.targets,
                case=case,
                step=step,
                process=process,
                catalogue=self.catalogue,
                offices=self.rules.document.offices,
            ),
            response_wd=spec.response_wd,
            applicant_days=period.applicant_days,
            provisional=due.provisional,
        )

    # ----------------------------------------------------------------- anomalies

    def _anomalies(self, case: Case, day: date, process: Process) -> list[Alert]:
        given = Inputs(day, process, self.calendar, self.tz)
        found = []
        for rule in self.rules.anomalies_for(case.matter_id):
            finding = CHECKS[rule.check](case, rule, given)
            if finding is None:
                continue
            spec = self.rules.document.levels.of(rule.level)
            found.append(
                Alert(
                    case_id=case.id,
                    matter_id=case.matter_id,
                    department=department_of(process, finding.step),
                    rule=rule.id,
                    rule_name=rule.name,
                    kind="anomaly",
                    basis=rule.check.value,
                    level=rule.level,
                    step=finding.step,
                    due=None,
                    remaining=None,
                    fired_on=finding.since,
                    seq=0,
                    notice=spec.notice,
                    recipients=recipients(
                        spec.notify,
                        case=case,
                        step=finding.step,
                        process=process,
                        catalogue=self.catalogue,
                        offices=self.rules.document.offices,
                    ),
                    response_wd=spec.response_wd,
                    provisional=finding.provisional,
                    detail=finding.detail,
                )
            )
        return found


def supervise(
    cases: Iterable[Case],
    at: datetime,
    rules: RuleSet,
    *,
    catalogue: Catalogue,
    calendar: WorkCalendar,
    tz: tzinfo = SHANGHAI,
) -> list[Alert]:
    """The alerts in force on ``cases`` at ``at``: pure, no I/O, deterministic order.

    Each alert names the case, the step (``None`` for the case's own periods), the
    level, the due date, the working days remaining, the recipients and the rule that
    fired (:class:`~.records.Alert`).

    Example::

        rules = load_supervision(Path("matters/supervision.yaml"), catalogue=catalogue)
        alerts = supervise(cases, at, rules, catalogue=catalogue, calendar=calendar)

    Raises:
        TypeError: ``at`` is naive.
        CalendarError: a date the calendar has no data for (use a provisional calendar
            for years without a State Council notice).
    """
    return Supervisor(rules, catalogue, calendar, tz=tz).supervise(cases, at)
