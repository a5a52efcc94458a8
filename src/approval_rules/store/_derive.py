"""What a saved case puts in the store's indexes: its head row, open clocks and work items.

Everything here is a pure function of a case and its matter's compiled process (read
once per matter version into :class:`Staffing`).  The store rewrites a case's rows
from it in the transaction that appends the case's events, so the indexes always
describe the stored record.

Work items follow the engine's authorisation rules as far as they depend on the case
and the process (who signs which open step, AB岗 backups, separation of duties, what
each status allows); what depends on the moment of asking (who is absent) is decided
by the query.  ``tests/test_store_inbox.py`` checks them against
:meth:`Engine.available_actions <approval_rules.engine.Engine.available_actions>` on
random cases of every bundled matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from ..engine import Case, Status, StepState, StepStatus
from ..engine.records import APPROVED_PATH, DONE
from ..engine.records import TERMINAL as _TERMINAL
from ..graph import Process
from ..model import FeeItem, StepKind

__all__ = [
    "NO_DUE",
    "TERMINAL",
    "ClockRow",
    "HeadRow",
    "Staffing",
    "WorkRow",
    "clock_rows",
    "head_row",
    "moment_text",
    "work_rows",
]

#: Statuses after which nothing more happens to a case (the engine's, re-exported).
TERMINAL = _TERMINAL
#: The rank of work without any due date: after every date (ISO dates sort as text).
NO_DUE = "9999-12-31"

_DONE = DONE
_APPROVED_PATH = APPROVED_PATH
_PROMISE_RUNS = frozenset({Status.IN_REVIEW, *_APPROVED_PATH})
_SPECIFIC = {StepKind.CERTIFY: "issue_certificate", StepKind.DELIVER: "deliver",
             StepKind.CLOSE: "close"}  # fmt: skip
# The engine's order of offers (Engine.available_actions), for stable action lists.
_OFFERS = (
    "request_correction", "accept", "refuse_to_accept", "pass", "send_back", "refuse",
    "record_payment", "waive_fee", "issue_certificate", "deliver", "close",
    "accept_on_commitment", "record_check",
)  # fmt: skip
_ORDER = {name: i for i, name in enumerate(_OFFERS)}


class HeadRow(NamedTuple):
    """A case's row in ``cases``."""

    id: str
    matter_id: str
    matter_hash: str
    department: str
    status: str
    version: int
    head: str
    last_at: str


class ClockRow(NamedTuple):
    """One open clock of a case, in ``clocks``."""

    clock: str
    step: str  # "" for clocks of the whole case
    due: str  # ISO date
    runs_out: str  # moment_text(): UTC, sortable as text


class WorkRow(NamedTuple):
    """One person's work on one step (or window task) of a case, in ``work_items``."""

    person: str
    step: str  # "" for the window's post-decision work without a step
    principal: str  # "" when the person acts in their own right
    actions: str  # comma-separated, in the engine's order
    due: str | None
    rank: str  # the earliest of due and the case's promised due; NO_DUE without


def moment_text(moment: datetime) -> str:
    """An aware moment as UTC text that sorts as time does: ``2025-10-31T16:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Staffing:
    """Who works on each step of one compiled matter, read once per matter version.

    Args:
        process: the compiled matter.
        fee_items: the catalogue's fee items (for which fees may be waived).
        matter_hash: the version's hash as the cases pin it (default: the process's).
    """

    def __init__(
        self, process: Process, fee_items: Mapping[str, FeeItem], *, matter_hash: str | None = None
    ) -> None:
        matter = process.matter
        self.matter = matter
        self.matter_id = matter.id
        self.matter_hash = matter_hash or process.content_hash
        self.department = matter.lead_department
        self.start = process.start
        steps = {sid: process.step(sid) for sid in process.order}
        self.kind = {sid: step.kind for sid, step in steps.items()}
        self.send_back_to = {sid: step.send_back_to for sid, step in steps.items()}
        self.separate_from = {sid: step.separate_from for sid, step in steps.items()}
        self.refusable = frozenset(sid for sid, s in steps.items() if s.can_refuse or s.decides)
        # steps several people sign: True with sections (a backup may sign a second
        # section for an absent person), False on a quorum (a person signs once)
        self.cosigned = {
            sid: bool(s.sections) for sid, s in steps.items() if s.sections or s.signers_needed > 1
        }
        self.decision_ancestors = {sid: process.ancestors(sid) for sid in process.deciding_steps}
        # 告知承诺制: the step that decides on the spot and checks later (Matter.commitment_step)
        spot = matter.commitment_step
        self.commitment_step = None if spot is None else spot.id
        self.by_kind: dict[StepKind, tuple[str, ...]] = {}
        for sid in process.order:
            self.by_kind[self.kind[sid]] = (*self.by_kind.get(self.kind[sid], ()), sid)
        # (person, principal) pairs per step: the signers in their own right, then each
        # signer's backup (AB岗) for them, unless the backup signs the step anyway
        self.people: dict[str, tuple[tuple[str, str], ...]] = {}
        for sid in process.order:
            signers = process.signers(sid)
            pairs = [(pid, "") for pid in signers]
            pairs += [
                (backup, principal)
                for principal, backup in process.backups(sid).items()
                if backup is not None and backup != principal and backup not in signers
            ]
            self.people[sid] = tuple(pairs)
        self.waivable = frozenset(
            ref.item
            for ref in matter.fees
            if ref.item in fee_items and fee_items[ref.item].waivable
        )


def head_row(case: Case, staffing: Staffing) -> HeadRow:
    """The case's row in ``cases``."""
    return HeadRow(
        case.id,
        case.matter_id,
        case.matter_hash,
        staffing.department,
        case.status.value,
        case.version,
        case.head,
        case.events[-1].at,
    )


def clock_rows(case: Case, tz: tzinfo) -> list[ClockRow]:
    """The case's open clocks: the periods still running and the step limits.

    While a clock stop runs, the periods (and open steps) are left out: their due dates
    are recomputed when it ends (Art. 45), so until then they are not due.
    """
    status = case.status
    if status in TERMINAL:
        return []
    clock, intake = case.clock, case.intake
    found: list[tuple[str, str, date | None]] = []
    if status is Status.RECEIVED and intake.notice is None:
        found.append(("notice", "", clock.notice_due))
    if intake.gaps and status is Status.IN_REVIEW:
        found.append(("makeup", "", intake.makeup_by))
    if clock.active_stop is None:
        if status is Status.IN_REVIEW:
            found.append(("statutory", "", clock.statutory_due))
        if status in _PROMISE_RUNS:
            found.append(("promised", "", clock.promised_due))
        if status is Status.APPROVED:
            found.append(("certificate", "", clock.certificate_due))
        found += [("step", sid, st.due) for sid, st in case.steps.items()
                  if st.status is StepStatus.OPEN]  # fmt: skip
    return [
        ClockRow(name, step, due.isoformat(), _runs_out(due, tz))
        for name, step, due in found
        if due is not None
    ]


def _runs_out(due: date, tz: tzinfo) -> str:
    return moment_text(datetime.combine(due + timedelta(days=1), time(0), tzinfo=tz))


# --------------------------------------------------------------------------- work items


class _Work:
    """Work rows of one case, merged per (person, step, principal)."""

    def __init__(self, case: Case, staffing: Staffing) -> None:
        self.case = case
        self.staffing = staffing
        self.found: dict[tuple[str, str, str], tuple[list[str], date | None]] = {}

    def add(
        self,
        pairs: Iterable[tuple[str, str]],
        step: str,
        actions: Iterable[tuple[str, bool]],
        due: date | None,
        blocked: frozenset[str] = frozenset(),
    ) -> None:
        """Give each (person, principal) the actions that hold; ``blocked`` people may
        not take the ``pass`` and ``refuse`` actions (separation of duties)."""
        allowed = [name for name, ok in actions if ok]
        for person, principal in pairs:
            mine = allowed
            if blocked and (person in blocked or principal in blocked):
                mine = [a for a in allowed if a not in ("pass", "refuse")]
            if not mine:
                continue
            key = (person, step, principal)
            known = self.found.get(key)
            if known is None:
                self.found[key] = (list(mine), due)
            else:
                known[0].extend(a for a in mine if a not in known[0])

    def rows(self) -> list[WorkRow]:
        promised = self.case.clock.promised_due
        out = []
        for (person, step, principal), (actions, due) in self.found.items():
            # the later check alone is ranked by its own due date: the case's promise
            # was kept or broken long before
            case_due = None if actions == ["record_check"] else promised
            dues = [d for d in (due, case_due) if d is not None]
            out.append(
                WorkRow(
                    person,
                    step,
                    principal,
                    ",".join(sorted(actions, key=_ORDER.__getitem__)),
                    due.isoformat() if due is not None else None,
                    min(dues).isoformat() if dues else NO_DUE,
                )
            )
        return out


def work_rows(case: Case, staffing: Staffing) -> list[WorkRow]:
    """Who may do what on the case's open steps (backups listed with their principal).

    Nothing while the applicant's corrections are awaited, and nothing for actions
    that are not a step's work (extension, clock stops, absences, withdrawal).  The
    later check of a decision on commitment (告知承诺制) is listed until it is recorded,
    also on a closed case.
    """
    status = case.status
    work = _Work(case, staffing)
    if status in TERMINAL or status is Status.CORRECTION_REQUESTED:
        _check_work(work)
        return work.rows()
    if status is Status.RECEIVED:
        intake = case.intake
        actions = (
            ("request_correction", intake.notice is None),
            ("accept", not intake.problems),
            ("refuse_to_accept", True),
        )
        due = case.clock.notice_due if intake.notice is None else None
        work.add(staffing.people[staffing.start], staffing.start, actions, due)
        deciding = staffing.commitment_step
        if case.commitment is not None and deciding is not None:  # 告知承诺制: on the spot
            complete = not intake.missing
            work.add(staffing.people[deciding], staffing.start,
                     (("accept_on_commitment", complete),), due)  # fmt: skip
        return work.rows()
    for sid, st in case.steps.items():
        if st.status is StepStatus.OPEN:
            _step_work(work, sid, st)
    _settlement_work(work)
    _check_work(work)
    return work.rows()


def _check_work(work: _Work) -> None:
    """record_check for the deciding step's people (engine/commitment.py), due on the
    check's due date, while a decision on commitment waits for its check."""
    case = work.case
    commitment = case.commitment
    if (
        commitment is None
        or commitment.check_due is None
        or commitment.finding is not None
        or case.status is Status.REVOKED
    ):
        return
    deciding = work.staffing.commitment_step
    if deciding is not None:
        people = work.staffing.people[deciding]
        work.add(people, "", (("record_check", True),), commitment.check_due)


def _step_work(work: _Work, sid: str, state: StepState) -> None:
    """pass, send_back and refuse on an open step (Engine._may_step's rules)."""
    due = state.due
    case, staffing = work.case, work.staffing
    kind = staffing.kind[sid]
    settlement = case.settlement
    passable = kind not in _SPECIFIC and not (
        kind is StepKind.FEE and settlement.fees and settlement.outstanding > 0
    )
    if passable and sid in staffing.decision_ancestors:
        passable = not case.intake.gaps and all(
            (st := case.steps.get(a)) is not None and st.status in _DONE
            for a in staffing.decision_ancestors[sid]
        )
    targets = staffing.send_back_to[sid]
    if case.decision is not None and targets:
        decided = case.decision.step
        before = staffing.decision_ancestors.get(decided, frozenset())
        targets = tuple(t for t in targets if t != decided and t not in before)
    blocked = frozenset(
        who
        for other in staffing.separate_from[sid]
        if (st := case.steps.get(other)) is not None
        for who in (st.by, st.on_behalf_of, *(p for sig in st.signatures for p in sig[:2]))
        if who is not None
    )
    actions = (
        ("pass", passable),
        ("send_back", bool(targets)),
        ("refuse", sid in staffing.refusable and case.status is Status.IN_REVIEW),
    )
    pairs = staffing.people[sid]
    sections = staffing.cosigned.get(sid)
    if sections is not None and state.signatures:  # who signed may not sign again
        signed = {p for sig in state.signatures for p in sig[:2] if p is not None}
        done = [
            (person, principal)
            for person, principal in pairs
            if (principal or person) in signed or (not sections and person in signed)
        ]
        work.add(done, sid, [(a, ok) for a, ok in actions if a != "pass"], due, blocked)
        pairs = tuple(pair for pair in pairs if pair not in done)
    work.add(pairs, sid, actions, due, blocked)


def _settlement_work(work: _Work) -> None:
    """Fees, certificate, delivery and closing after the decision (Engine._may_fee,
    _may_certificate, _may_deliver, _may_close)."""
    case = work.case
    status, settlement = case.status, case.settlement
    if status is Status.APPROVED:
        if settlement.outstanding > 0:
            waivable = any(
                k not in settlement.waived
                and k in work.staffing.waivable
                and settlement.paid <= settlement.assessed - v
                for k, v in settlement.fees.items()
            )
            _kind_work(work, StepKind.FEE, (("record_payment", True), ("waive_fee", waivable)))
        else:
            _certify_work(work)
    if status is Status.CERTIFIED or (status is Status.REFUSED and settlement.delivered is None):
        _kind_work(work, StepKind.DELIVER, (("deliver", True),))
    approved = status in _APPROVED_PATH
    if not approved and status is not Status.REFUSED:
        return
    # without a close step a case is closed once delivered; with one, the process orders it
    if settlement.delivered is None and (
        not approved or StepKind.CLOSE not in work.staffing.by_kind
    ):
        return
    if case.clock.active_stop is not None:
        return
    where = _kind_step(case, work.staffing, StepKind.CLOSE)
    if where == _NOT_OPEN:
        return
    if approved and any(
        st.status is StepStatus.OPEN and sid != where for sid, st in case.steps.items()
    ):
        return  # other steps are still open
    _kind_work(work, StepKind.CLOSE, (("close", True),))


def _certify_work(work: _Work) -> None:
    """Issuing the results: at every open certify step (several results may have one
    per department, engine/closing.py), else as other work of a kind."""
    case, staffing = work.case, work.staffing
    due = case.clock.certificate_due
    opened = [
        sid
        for sid in staffing.by_kind.get(StepKind.CERTIFY, ())
        if (st := case.steps.get(sid)) is not None and st.status is StepStatus.OPEN
    ]
    if len(opened) < 2:
        _kind_work(work, StepKind.CERTIFY, (("issue_certificate", True),), due)
        return
    for sid in opened:
        work.add(
            staffing.people[sid], sid, (("issue_certificate", True),), case.steps[sid].due or due
        )


_NOT_OPEN = "\x00not open"


def _kind_step(case: Case, staffing: Staffing, kind: StepKind) -> str | None:
    """Where work of ``kind`` is done (Engine._kind_actor): the open step of that kind;
    ``None`` for the window (no such step, or a refused case); ``_NOT_OPEN`` when the
    matter's step for it is not open, so nobody may do it now."""
    sids = staffing.by_kind.get(kind, ())
    if not sids or case.status is Status.REFUSED:
        return None
    for sid in sids:
        st = case.steps.get(sid)
        if st is not None and st.status is StepStatus.OPEN:
            return sid
    return _NOT_OPEN


def _kind_work(
    work: _Work, kind: StepKind, actions: tuple[tuple[str, bool], ...], due: date | None = None
) -> None:
    """Work done with a step of ``kind``: by the people of its open step; else by the
    window, or for a refused case by the people of any step of that kind or the window."""
    case, staffing = work.case, work.staffing
    where = _kind_step(case, staffing, kind)
    if where == _NOT_OPEN:
        return
    if where is not None:
        work.add(staffing.people[where], where, actions, case.steps[where].due or due)
        return
    pairs = [pair for sid in staffing.by_kind.get(kind, ()) for pair in staffing.people[sid]]
    work.add([*pairs, *staffing.people[staffing.start]], "", actions, due)
