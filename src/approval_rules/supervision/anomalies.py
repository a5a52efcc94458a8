"""Anomalies (异常) read from a case's record: signs of work outside the system and breaches.

Each check is a pure function of the case, the day of evaluation and the matter's
compiled process; it returns a :class:`Finding` or ``None``.  They are *signals* for a
supervisor to look at (supervision.md §3), not proof:

* ``decision_before_record`` (先批后录) — the review steps' records and the decision were
  all entered within ``minutes`` (30 by default) of each other on a matter whose review
  steps have a limit of at least one working day: the review was most likely done on
  paper and typed in after the decision;
* ``undecided_past_statutory`` (只录不批 / 超时) — accepted, still undecided after the
  statutory due date (on a provisional date: after the latest date the notice could
  give), and nothing recorded for ``idle_wd`` working days;
* ``fee_mismatch`` (违规收费) — more was collected than the fees due, fees were
  assessed on a matter that declares none, for an item the matter does not declare, or
  at another amount than the matter's fee rules give for the applicant's fields (the
  engine's own assessment, :meth:`~approval_rules.engine.Engine.assess_fees`);
* ``closed_without_certificate`` (办结未发证) — approved and closed without a
  certificate on a matter whose result is one, or without one of its further results;
* ``unauthorised_actor`` (越权办理) — a step's work (accepting, passing, sending back,
  refusing, fees, certificate, delivery, closing on a step) recorded by someone who is
  not the step's signer, nor the AB岗 backup of a signer recorded absent that day;
* ``commitment_check_overdue`` (告知承诺事后核查逾期) — approved on the applicant's
  commitment (告知承诺制), and the later check is not recorded by its due date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Final, NamedTuple

from ..audit import Event
from ..engine import SYSTEM, Case, Status
from ..graph import Process
from ..timelimits import check_due
from ..workdays import WorkCalendar
from .periods import running_periods
from .rules import AnomalyCheck, AnomalyRule, Basis
from .thresholds import due_bounds

__all__ = ["CHECKS", "Finding", "Inputs"]

_ONE_DAY: Final = timedelta(days=1)
_STEP_WORK: Final = frozenset(
    {"pass", "send_back", "refuse", "record_payment", "waive_fee", "issue_certificate",
     "deliver", "close"}
)  # fmt: skip
_WINDOW_WORK: Final = frozenset({"accept", "request_correction", "refuse_to_accept"})
_DEFAULT_MINUTES: Final = 30


class Finding(NamedTuple):
    """What a check found: since when, about which step, in words (Chinese)."""

    since: date
    step: str | None
    detail: str
    provisional: bool = False


class Inputs(NamedTuple):
    """What every check reads besides the case."""

    day: date
    process: Process
    calendar: WorkCalendar
    tz: tzinfo
    #: the fees the matter's rules give the case's applicant, by the engine's own
    #: assessment (``None``: not known; the record's assessment is checked alone)
    assess: Callable[[Case], Mapping[str, Decimal] | None] | None = None


def _local(event: Event, tz: tzinfo) -> datetime:
    return datetime.fromisoformat(event.at).astimezone(tz)


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


def decision_before_record(case: Case, rule: AnomalyRule, given: Inputs) -> Finding | None:
    decision = case.decision
    if decision is None:
        return None
    process, tz = given.process, given.tz
    reviews = process.ancestors(decision.step) - {process.start}
    if not reviews or sum(process.limit(s) for s in reviews) < 1:
        return None
    records = [e for e in case.events if e.action == "pass" and e.details.get("step") in reviews]
    decided = next(
        (e for e in case.events if e.action in ("pass", "refuse")
         and e.details.get("step") == decision.step),
        None,
    )  # fmt: skip
    if not records or decided is None:
        return None
    first = min(_local(e, tz) for e in records)
    span = _local(decided, tz) - first
    minutes = rule.minutes or _DEFAULT_MINUTES
    if span > timedelta(minutes=minutes):
        return None
    return Finding(
        decision.on,
        decision.step,
        f"{len(records)} 条审查记录与决定在 {int(span.total_seconds() // 60)} 分钟内录入"
        f"（审查环节时限合计 {sum(process.limit(s) for s in reviews):g} 个工作日）",
    )


def undecided_past_statutory(case: Case, rule: AnomalyRule, given: Inputs) -> Finding | None:
    periods = running_periods(
        case, given.day, process=given.process, calendar=given.calendar, tz=given.tz, waits=()
    )
    statutory = next((p for p in periods if p.basis is Basis.STATUTORY), None)
    if statutory is None:
        return None
    due = due_bounds(statutory, given.calendar)
    since = due.latest + _ONE_DAY
    idle = rule.idle_wd or 0
    if idle:
        last = _local(case.events[-1], given.tz).date()
        since = max(since, given.calendar.latest.add_workdays(last, idle) + _ONE_DAY)
    if since > given.day:
        return None
    return Finding(
        since,
        None,
        f"法定办结期限 {due.best.isoformat()} 已过，仍未作出决定",
        due.provisional,
    )


def fee_mismatch(case: Case, rule: AnomalyRule, given: Inputs) -> Finding | None:
    settlement = case.settlement
    if not settlement.fees and not settlement.payments:
        return None
    matter = given.process.matter
    declared = {ref.item for ref in matter.fees}
    last_paid = max((p.on for p in settlement.payments), default=None)
    since = last_paid or (case.decision.on if case.decision else given.day)
    unknown = sorted(set(settlement.fees) - declared)
    if not declared and settlement.paid > 0:
        return Finding(since, None, f"事项不收费，却收取 {_yuan(settlement.paid)}")
    if unknown:
        return Finding(since, None, f"收取了事项未规定的收费项目：{'、'.join(unknown)}")
    due = settlement.assessed
    rules = given.assess(case) if given.assess is not None and settlement.fees else None
    if rules is not None:
        # the engine's own assessment of the applicant's fields (the one code path)
        for item in sorted({*rules, *settlement.fees}):
            expected, recorded = rules.get(item, Decimal(0)), settlement.fees.get(item)
            if recorded is not None and recorded != expected:
                return Finding(
                    since, None,
                    f"收费项目 {item} 记录 {_yuan(recorded)}，按收费规定应收 {_yuan(expected)}",
                )  # fmt: skip
        due = sum((v for k, v in rules.items() if k not in settlement.waived), Decimal(0))
    if settlement.paid > due:
        return Finding(since, None, f"收取 {_yuan(settlement.paid)}，应收 {_yuan(due)}")
    return None


def closed_without_certificate(case: Case, rule: AnomalyRule, given: Inputs) -> Finding | None:
    settlement = case.settlement
    if case.status is not Status.CLOSED or case.decision is None:
        return None
    if case.decision.outcome != "approved":
        return None
    matter = given.process.matter
    missing = [matter.result.name] if settlement.certificate is None else []
    issued = settlement.further_results  # several results: each is issued
    missing += [r.name for r in matter.further_results if r.id not in issued]
    if not missing:
        return None
    closed = settlement.closed or given.day
    return Finding(
        closed, None, f"准予许可并已办结，未核发{'、'.join(f'《{n}》' for n in missing)}"
    )


def _acted_step(event: Event, process: Process) -> str | None:
    """The step whose work an event records (None: not a step's work)."""
    if event.action in _WINDOW_WORK:
        return process.start
    if event.action in _STEP_WORK:
        step = event.details.get("step")
        return step if isinstance(step, str) else None
    if event.action == "accept_on_commitment":  # 告知承诺制: the deciding step's people
        decided = event.details.get("decided")
        step = decided.get("step") if isinstance(decided, dict) else None
        return step if isinstance(step, str) else None
    if event.action == "record_check":  # the step on the spot (Matter.commitment_step)
        spot = process.matter.commitment_step
        return None if spot is None else spot.id
    return None


def _absent(case: Case, person: str, day: date) -> bool:
    return any(a.person == person and a.start <= day <= a.end for a in case.absences)


def unauthorised_actor(case: Case, rule: AnomalyRule, given: Inputs) -> Finding | None:
    process = given.process
    people = process.people
    for event in case.events:
        if event.actor == SYSTEM:
            continue
        step = _acted_step(event, process)
        if step is None or step not in process.order:
            continue
        signers = process.signers(step)
        if event.actor in signers:
            continue
        day = _local(event, given.tz).date()
        principal = event.details.get("for")
        backups = process.backups(step)
        if (
            isinstance(principal, str)
            and backups.get(principal) == event.actor
            and _absent(case, principal, day)
        ):
            continue
        who = people[event.actor].name if event.actor in people else event.actor
        return Finding(
            day,
            step,
            f"{who}（{event.actor}）于 {day.isoformat()} 办理环节“{process.step(step).name}”"
            f"（{event.action}），不是该环节的权限人或在岗人员缺席时的 AB 岗",
        )
    return None


def commitment_check_overdue(case: Case, rule: AnomalyRule, given: Inputs) -> Finding | None:
    commitment, decision = case.commitment, case.decision
    if commitment is None or commitment.check_due is None or commitment.finding is not None:
        return None
    due = latest = commitment.check_due
    declared = given.process.matter.commitment
    calendar = given.calendar
    provisional = decision is not None and calendar.is_provisional(decision.on, due)
    if provisional and declared is not None and decision is not None:
        # on a provisional date, overdue only once the latest date the notice can give
        # has passed (as for the statutory period)
        period = declared.check_within
        latest = max(due, check_due(calendar.latest, decision.on, period.value, period.unit))
    since = latest + _ONE_DAY
    if since > given.day:
        return None
    return Finding(
        since, None, f"告知承诺事后核查期限 {due.isoformat()} 已过，尚未记录核查结果", provisional
    )


#: The function of each anomaly check.
CHECKS: Final[Mapping[AnomalyCheck, Callable[[Case, AnomalyRule, Inputs], Finding | None]]] = {
    AnomalyCheck.DECISION_BEFORE_RECORD: decision_before_record,
    AnomalyCheck.UNDECIDED_PAST_STATUTORY: undecided_past_statutory,
    AnomalyCheck.FEE_MISMATCH: fee_mismatch,
    AnomalyCheck.CLOSED_WITHOUT_CERTIFICATE: closed_without_certificate,
    AnomalyCheck.UNAUTHORISED_ACTOR: unauthorised_actor,
    AnomalyCheck.COMMITMENT_CHECK_OVERDUE: commitment_check_overdue,
}
