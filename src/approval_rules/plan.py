"""What the engine needs of one compiled matter, laid out as tables once, at compile time.

A :class:`MatterPlan` is built by the compiler (:func:`~.compiler.matter_plan`) from a
sound :class:`~.graph.Process` and its catalogue.  It answers in one look-up what the
engine asks on every action: a step's signers and their AB岗 backups, what passing it
checks (:class:`StepRule`), the steps that may open after it (:class:`Successor`), its
limit; the matter's limits, fees, stop kinds, extension approvers and who may record
absences.  It is immutable and holds nothing of a case, a calendar or a time zone, so
one plan serves every case of the matter in every engine.

This module imports only :mod:`.catalogue`, :mod:`.conditions`, :mod:`.graph`,
:mod:`.model` and :mod:`.timelimits` (the law's clock-stop kinds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, NamedTuple

from .catalogue import Catalogue
from .conditions import Condition
from .graph import Process, result_steps
from .model import (
    MAIN_RESULT,
    ChoiceField,
    FeeItem,
    GreenChannel,
    Material,
    Matter,
    OnDisagree,
    OnTimeout,
    Person,
    StepKind,
    Validity,
)
from .timelimits import CERTIFICATE_DAYS, LAW_STOP_KINDS, green_step_limit

__all__ = ["COMPLETED_BY", "MatterPlan", "ResultRule", "StepRule", "Successor"]

#: Step kinds done with their own action instead of ``pass``.
COMPLETED_BY: Final[Mapping[StepKind, str]] = MappingProxyType(
    {
        StepKind.CERTIFY: "issue_certificate",
        StepKind.DELIVER: "deliver",
        StepKind.CLOSE: "close",
    }
)

#: A limit as the engine counts it: (whole number, unit), e.g. (1, "half_days").
Limit = tuple[int, str]


class Successor(NamedTuple):
    """A step that may open once the step before it is done.

    Attributes:
        step: its id.
        others: its other ``after:`` steps, which must be done (or skipped) too.
        when: its condition on the applicant (``None``: always); when false, the step
            is skipped and the steps after it are looked at in turn.
    """

    step: str
    others: tuple[str, ...]
    when: Condition | None


class StepRule(NamedTuple):
    """Everything the engine asks about one step, in one record.

    Attributes:
        kind: the step's kind.
        rank: its position in the process's topological order.
        signers: who may act on it (named signers, then role holders).
        signer_set: the same, as a set.
        backups: backup id → the signers they stand in for while those are absent.
        limit: its own limit, or ``None``.
        completed_by: ``"pass"``, or the specific action that completes it.
        fee: a fee step: passed by payments (or ``pass`` when nothing is to be paid).
        separate_from: steps whose signers may not sign this one.
        deciding: it decides the case.
        plain: ``pass`` needs no check beyond the signer's (not specific, fee,
            separated or deciding).
        refusable: its signers may refuse the application.
        deemed: deemed agreed (视为同意) when its limit passes.
        send_back_to: steps it may send a case back to.
        successors: the steps that may open after it, in rank order.
        when: its condition on the applicant, or ``None``.
        needed: how many different signers must sign it (``signers_needed``).
        veto: a co-department's disagreement refuses the application
            (``on_disagree: veto``).
        sections: signer → the section they sign (``sections``); empty when the step
            has none.  A step with ``needed`` above 1 or sections is cosigned
            (:mod:`.engine.cosigning`).
    """

    kind: StepKind
    rank: int
    signers: tuple[str, ...]
    signer_set: frozenset[str]
    backups: Mapping[str, tuple[str, ...]]
    limit: Limit | None
    completed_by: str
    fee: bool
    separate_from: tuple[str, ...]
    deciding: bool
    plain: bool
    refusable: bool
    deemed: bool
    send_back_to: tuple[str, ...]
    successors: tuple[Successor, ...]
    when: Condition | None
    needed: int = 1
    sections: Mapping[str, str] = MappingProxyType({})
    veto: bool = False

    @property
    def cosigned(self) -> bool:
        """Several signatures complete it (a quorum or sections)."""
        return self.needed > 1 or bool(self.sections)


class ResultRule(NamedTuple):
    """One result the matter issues: the main ``result`` (id ``main``) or a further one.

    Attributes:
        id, name: as declared (``main`` for the main result).
        department: who issues it (the lead department for the main result).
        validity: its own validity, or ``None``.
        steps: the certify steps where it is issued, at whichever is open, in the
            plan's order (:func:`~.graph.result_steps`: with further results the one
            of its department, else the lead's 统一出件; with one result any);
            ``()``: the matter has no certify step and the acceptance window issues it.
    """

    id: str
    name: str
    department: str
    validity: Validity | None
    steps: tuple[str, ...]


class MatterPlan:
    """The engine's tables for one compiled matter (see the module docstring).

    Attributes read by the engine:
        process, matter, hash: the compiled process, its matter and content hash.
        order: step ids in topological order; ``steps``: id → :class:`StepRule`.
        start, start_is_accept: the first step, and whether it is an acceptance step.
        deciding: the deciding steps in order; ``decision_ancestors``: for each, the
            steps that must be done before it decides.
        deemed: the steps deemed agreed on timeout, in order.
        by_kind: step kind → its steps in order.
        reopened: (sender, target) → the steps a send-back makes to do again.
        fields, materials, material_when: applicant fields and materials by id, and
            each material's condition.
        fees: (fee item, condition) per fee of the matter; ``fee_items``: by id.
        statutory, promised: the matter's limits; ``green``, ``green_when``: the green
            channel and its condition.
        extension: (working days, approving role) or ``None``; ``extenders`` and
            ``extender_backups``: who approves it, and their backups.
        stop_kinds: clock-stop kinds allowed (the law's and the matter's own).
        validity: the certificate's validity, or ``None``.
        results: result id → :class:`ResultRule`, the main result first, then the
            further results in their order.
        recorders: person → who may record their absence; ``staff``: everyone who may
            act on the matter's cases (sorted).
    """

    __slots__ = (
        "by_kind",
        "deciding",
        "decision_ancestors",
        "deemed",
        "extender_backups",
        "extenders",
        "extension",
        "fee_items",
        "fees",
        "fields",
        "green",
        "green_when",
        "hash",
        "material_when",
        "materials",
        "matter",
        "order",
        "process",
        "promised",
        "recorders",
        "reopened",
        "results",
        "staff",
        "start",
        "start_is_accept",
        "statutory",
        "steps",
        "stop_kinds",
        "validity",
    )

    process: Process
    matter: Matter
    hash: str
    order: tuple[str, ...]
    steps: Mapping[str, StepRule]
    start: str
    start_is_accept: bool
    deciding: tuple[str, ...]
    decision_ancestors: Mapping[str, tuple[str, ...]]
    deemed: tuple[str, ...]
    by_kind: Mapping[StepKind, tuple[str, ...]]
    reopened: Mapping[tuple[str, str], tuple[str, ...]]
    fields: Mapping[str, ChoiceField]
    materials: Mapping[str, Material]
    material_when: Mapping[str, Condition | None]
    fees: tuple[tuple[FeeItem, Condition | None], ...]
    fee_items: Mapping[str, FeeItem]
    statutory: Limit
    promised: Limit
    green: GreenChannel | None
    green_when: Condition | None
    extension: tuple[int, str] | None
    extenders: frozenset[str]
    extender_backups: Mapping[str, tuple[str, ...]]
    stop_kinds: tuple[str, ...]
    validity: Validity | None
    recorders: Mapping[str, frozenset[str]]
    staff: tuple[str, ...]
    results: Mapping[str, ResultRule]

    def __init__(self, process: Process, catalogue: Catalogue) -> None:
        matter = process.matter
        set_ = object.__setattr__
        set_(self, "process", process)
        set_(self, "matter", matter)
        set_(self, "hash", process.content_hash)
        set_(self, "order", process.order)
        set_(self, "start", process.start)
        set_(self, "steps", _step_rules(process))
        set_(self, "start_is_accept", self.steps[self.start].kind is StepKind.ACCEPT)
        set_(self, "deciding", process.deciding_steps)
        rank = {sid: i for i, sid in enumerate(process.order)}
        set_(
            self,
            "decision_ancestors",
            MappingProxyType(
                {
                    sid: tuple(sorted(process.ancestors(sid), key=rank.__getitem__))
                    for sid in process.deciding_steps
                }
            ),
        )
        set_(self, "deemed", tuple(sid for sid in self.order if self.steps[sid].deemed))
        by_kind: dict[StepKind, tuple[str, ...]] = {}
        for sid in self.order:
            kind = self.steps[sid].kind
            by_kind[kind] = (*by_kind.get(kind, ()), sid)
        set_(self, "by_kind", MappingProxyType(by_kind))
        set_(
            self,
            "reopened",
            MappingProxyType(
                {
                    (s.id, target): process.reopened_by_send_back(s.id, target)
                    for s in matter.steps
                    for target in s.send_back_to
                }
            ),
        )
        self._intake(process)
        self._limits(process, catalogue)
        self._people(catalogue)
        set_(self, "results", _results(matter, self.order))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a MatterPlan is immutable; cannot set {name!r}")

    @property
    def certificate_days(self) -> int:
        """Working days to issue the certificate after the decision: the matter's own
        ``result.issue_within``, else Art. 44's 10."""
        within = self.matter.result.issue_within
        return CERTIFICATE_DAYS if within is None else within

    def step_limit(self, sid: str, green: bool) -> Limit | None:
        """Step ``sid``'s own limit; for a green-channel case of a matter whose green
        channel shortens the steps too (``green_channel.steps``), shortened by the
        reduction, rounded down to half a working day and never below half a day.
        """
        limit = self.steps[sid].limit
        if not green or limit is None or self.green is None or not self.green.steps:
            return limit
        value, unit = limit
        if unit not in ("working_days", "half_days"):
            return limit
        return green_step_limit(value, unit, self.green.reduction)

    def __repr__(self) -> str:
        return f"MatterPlan({self.matter.id!r}, {self.hash[:12]})"

    def _intake(self, process: Process) -> None:
        matter = process.matter
        set_ = object.__setattr__
        set_(self, "fields", MappingProxyType({f.id: f for f in matter.applicant_fields}))
        set_(self, "materials", MappingProxyType({m.id: m for m in matter.materials}))
        set_(
            self,
            "material_when",
            MappingProxyType(
                {m.id: process.condition(m.when) if m.when else None for m in matter.materials}
            ),
        )

    def _limits(self, process: Process, catalogue: Catalogue) -> None:
        matter = process.matter
        limits = matter.time_limits
        set_ = object.__setattr__
        fees = tuple(
            (catalogue.fee_items[ref.item], process.condition(ref.when) if ref.when else None)
            for ref in matter.fees
        )
        set_(self, "fees", fees)
        set_(self, "fee_items", MappingProxyType({item.id: item for item, _ in fees}))
        value, unit = limits.statutory.hours_or_days
        set_(self, "statutory", (value, unit.value))
        value, unit = limits.promised.hours_or_days
        set_(self, "promised", (value, unit.value))
        green = limits.green_channel
        set_(self, "green", green)
        set_(self, "green_when", process.condition(green.when) if green and green.when else None)
        set_(self, "stop_kinds", tuple(sorted(LAW_STOP_KINDS | set(limits.excluded_activities))))
        set_(self, "validity", matter.result.validity)
        extension = limits.extension
        set_(
            self,
            "extension",
            None if extension is None else (extension.value, extension.approved_by),
        )
        holders: tuple[Person, ...] = ()
        if extension is not None:
            # Art. 42 ¶1: the head of *this* office, so holders of the role in the lead
            # department; a role nobody there holds (the same-level government's head
            # for joint handling, ¶2) is any holder's.
            holders = catalogue.holders(
                extension.approved_by, matter.lead_department
            ) or catalogue.holders(extension.approved_by)
        set_(self, "extenders", frozenset(p.id for p in holders))
        set_(self, "extender_backups", _by_backup((p.id, p.backup) for p in holders))

    def _people(self, catalogue: Catalogue) -> None:
        # Absences: the person, or a colleague of their department other than their own
        # backup (so that nobody can declare someone absent to act in their place).
        people = catalogue.people
        involved: set[str] = set(self.extenders)
        for rule in self.steps.values():
            involved.update(rule.signers)
        recorders: dict[str, frozenset[str]] = {}
        for pid in sorted(involved):
            person = people.get(pid)
            if person is None:
                continue
            colleagues = {q.id for q in people.values() if q.department == person.department}
            colleagues.discard(person.backup or "")
            colleagues.add(pid)
            recorders[pid] = frozenset(colleagues)
        set_ = object.__setattr__
        set_(self, "recorders", MappingProxyType(recorders))
        staff = (
            involved
            | {b for rule in self.steps.values() for b in rule.backups}
            | set(self.extender_backups)
            | {r for rs in recorders.values() for r in rs}
        )
        set_(self, "staff", tuple(sorted(staff)))


def _by_backup(pairs: Iterable[tuple[str, str | None]]) -> Mapping[str, tuple[str, ...]]:
    """backup → the principals they stand in for, from (principal, backup) pairs."""
    found: dict[str, list[str]] = {}
    for principal, backup in pairs:
        if backup is not None and backup != principal:
            found.setdefault(backup, []).append(principal)
    return MappingProxyType({b: tuple(p) for b, p in found.items()})


def _results(matter: Matter, order: Sequence[str]) -> Mapping[str, ResultRule]:
    """Each result and the certify steps that issue it (see :class:`ResultRule`)."""
    rank = {sid: i for i, sid in enumerate(order)}
    steps = {rid: tuple(sorted(s, key=rank.__getitem__)) for rid, s in result_steps(matter).items()}
    main = matter.result
    rules = [ResultRule(MAIN_RESULT, main.name, matter.lead_department, main.validity, ())]
    rules += [
        ResultRule(r.id, r.name, r.department, r.validity, ()) for r in matter.further_results
    ]
    return MappingProxyType({r.id: r._replace(steps=steps[r.id]) for r in rules})


def _step_rules(process: Process) -> Mapping[str, StepRule]:
    matter = process.matter
    order = process.order
    rank = {sid: i for i, sid in enumerate(order)}
    deciding = frozenset(process.deciding_steps)
    when = {s.id: process.condition(s.when) if s.when else None for s in matter.steps}
    rules: dict[str, StepRule] = {}
    for sid in order:
        step = process.step(sid)
        signers = process.signers(sid)
        limit = None
        if step.time_limit is not None:
            value, unit = step.time_limit.hours_or_days
            limit = (value, unit.value)
        completed_by = COMPLETED_BY.get(step.kind, "pass")
        fee = step.kind is StepKind.FEE
        successors = tuple(
            Successor(succ, tuple(p for p in process.predecessors(succ) if p != sid), when[succ])
            for succ in sorted(process.successors(sid), key=rank.__getitem__)
        )
        rules[sid] = StepRule(
            kind=step.kind,
            rank=rank[sid],
            signers=signers,
            signer_set=frozenset(signers),
            backups=_by_backup(process.backups(sid).items()),
            limit=limit,
            completed_by=completed_by,
            fee=fee,
            separate_from=step.separate_from,
            deciding=sid in deciding,
            plain=completed_by == "pass"
            and not fee
            and not step.separate_from
            and sid not in deciding
            and step.signers_needed == 1
            and not step.sections,
            refusable=step.can_refuse or step.decides,
            deemed=step.kind is StepKind.CO_REVIEW and step.on_timeout is OnTimeout.DEEM_AGREED,
            send_back_to=step.send_back_to,
            successors=successors,
            when=when[sid],
            needed=step.signers_needed,
            sections=MappingProxyType({s.signer: s.id for s in step.sections}),
            veto=step.on_disagree is OnDisagree.VETO,
        )
    return MappingProxyType(rules)
