"""The official documents (文书) of a case: one for each legal step its events record.

:func:`case_documents` walks the case's log with the engine's own fold
(:func:`~approval_rules.engine.apply_event`) and, after each event that is a legal step,
takes what the case holds at that moment: the correction notice's items, the acceptance
day and due dates, the extension and the new due dates, the clock stop, the decision.
A document therefore shows the dates the engine computed when the step was taken (an
extension notice keeps the due date it announced even if a later clock stop moves it);
nothing here or in a template computes a date.

Every value a template receives is text (or a list of texts) already in Chinese, plus
the raw records for a county's template that wants more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from ..catalogue import Catalogue
from ..engine import Case, apply_event
from ..errors import CaseDataError
from ..model import Material, Matter, TimeLimit, Unit
from ..publication.labels import limit_text, stop_name
from .wording import (
    REMEDIES,
    REVOCATION_BASIS,
    check_period_text,
    day_text,
    item_text,
    person_text,
)

__all__ = ["KINDS", "Document", "case_documents"]

#: Every kind of document, in the order of a case's life, with its title.
KINDS: Final[Mapping[str, str]] = {
    "commitment_notice": "告知承诺书",
    "correction_notice": "申请材料补正一次性告知书",
    "acceptance_notice": "受理通知书",
    "non_acceptance_decision": "不予受理决定书",
    "extension_notice": "延长审批期限通知书",
    "special_procedure_notice": "特别程序告知书",
    "special_procedure_end_notice": "特别程序结束告知书",
    "termination_notice": "终止办理告知书",
    "approval_decision": "准予行政许可决定书",
    "refusal_decision": "不予行政许可决定书",
    "revocation_decision": "撤销行政许可决定书",
}


@dataclass(frozen=True, slots=True)
class Document:
    """One official document of a case.

    Attributes:
        kind: one of :data:`KINDS`.
        title: its Chinese title.
        case_id: the case it belongs to.
        seq: the event it records (its ``seq`` in the case's log).
        number: its reference (文号): case id and event, e.g. ``DY-ZJ-2025-0926-002-03``.
        issued: the day of the legal step: the day of its event in the case's log.
        facts: what the template shows, as Chinese text: dates already written out.
        case: the case right after the event (for templates that want more).
    """

    kind: str
    title: str
    case_id: str
    seq: int
    number: str
    issued: date
    facts: Mapping[str, Any]
    case: Case

    @property
    def name(self) -> str:
        """File name without extension: ``03-correction_notice``."""
        return f"{self.seq:02d}-{self.kind}"


def _limit(value_unit: tuple[int | float, str]) -> str:
    value, unit = value_unit
    return limit_text(TimeLimit(value=float(value), unit=Unit(unit)))


def _common(matter: Matter, case: Case, catalogue: Catalogue) -> dict[str, Any]:
    department = catalogue.departments.get(matter.lead_department)
    applicant = case.intake.applicant
    name = applicant.get("applicant_name") or applicant.get("name") or case.intake.applicant_id
    return {
        "case_id": case.id,
        "matter": matter.name,
        "matter_code": matter.implementation_code,
        "department": department.name if department else matter.lead_department,
        "applicant": str(name),
        "received": day_text(case.intake.received.date()),
        "statutory_limit": _limit(case.clock.statutory_limit),
        "promised_limit": _limit(case.clock.promised_limit),
    }


def _due(case: Case) -> dict[str, str]:
    return {
        "statutory_due": day_text(case.clock.statutory_due),
        "promised_due": day_text(case.clock.promised_due),
    }


def _gaps(case: Case, materials: Mapping[str, Material]) -> list[str]:
    return [f"《{materials[g].name}》" if g in materials else g for g in case.intake.gaps]


def _facts(
    before: Case | None, after: Case, action: str, matter: Matter, catalogue: Catalogue
) -> tuple[str, dict[str, Any]] | None:
    """(kind, facts) of the document this event is, or ``None``."""
    materials = {m.id: m for m in matter.materials}
    if action == "submit" and after.commitment is not None:
        return "commitment_notice", _commitment_facts(after, matter, materials)
    if action == "record_check" and after.ending is not None:
        return "revocation_decision", _revocation_facts(after, matter, catalogue)
    if action == "request_correction" and after.intake.notice is not None:
        notice = after.intake.notice
        items = [item_text(p, materials) for p in notice.items]
        return "correction_notice", {
            "items": items,
            "signer": person_text(notice.by, catalogue),
        }  # fmt: skip
    if action in ("accept", "deemed_acceptance") and after.accepted_on is not None:
        gaps = _gaps(after, materials)
        return "acceptance_notice", {
            **_due(after),
            "accepted_on": day_text(after.accepted_on),
            "deemed": after.deemed_acceptance,
            "gaps": gaps,
            "makeup_by": day_text(after.intake.makeup_by) if after.intake.makeup_by else None,
            "signer": person_text(after.events[-1].actor, catalogue),
        }  # fmt: skip
    if action == "refuse_to_accept" and after.ending is not None:
        return "non_acceptance_decision", {
            "reason": after.ending.reason,
            "signer": person_text(after.ending.by, catalogue),
            "remedies": REMEDIES,
        }  # fmt: skip
    if action == "terminate" and after.ending is not None:
        return "termination_notice", {
            "reason": after.ending.reason,
            "makeup_by": day_text(after.intake.makeup_by),
            "gaps": _gaps(after, materials),
            "signer": person_text(after.ending.by, catalogue),
        }  # fmt: skip
    if action == "extend" and after.clock.extension is not None:
        grant = after.clock.extension
        return "extension_notice", {
            **_due(after),
            "days": f"{grant.days}个工作日",
            "reason": grant.reason,
            "approved_by": person_text(grant.by, catalogue),
            "previous_due": day_text(before.clock.statutory_due if before else None),
            "signer": person_text(grant.by, catalogue),
        }  # fmt: skip
    if action == "start_clock_stop" and after.clock.active_stop is not None:
        stop = after.clock.active_stop
        return "special_procedure_notice", {
            "procedure": stop_name(stop.kind),
            "start": day_text(stop.start),
            "reference": stop.notice,
            "signer": person_text(stop.by, catalogue),
        }  # fmt: skip
    if action == "end_clock_stop" and after.clock.stops:
        ended = after.clock.stops[-1]
        return "special_procedure_end_notice", {
            **_due(after),
            "procedure": stop_name(ended.kind),
            "start": day_text(ended.start),
            "end": day_text(ended.end),
            "reference": ended.notice,
            "signer": person_text(after.events[-1].actor, catalogue),
        }  # fmt: skip
    decided = after.decision
    if decided is not None and (before is None or before.decision is None):
        common = {
            "reasons": list(decided.reasons),
            "decided_on": day_text(decided.on),
            "signer": person_text(decided.by, catalogue),
        }
        if decided.outcome == "approved":
            return "approval_decision", {
                **common,
                "result": matter.result.name,
                # several results of a joint handling: each document and who issues it
                "further_results": [
                    {"name": r.name, "department": _department_name(r.department, catalogue)}
                    for r in matter.further_results
                ],
                "certificate_due": day_text(after.clock.certificate_due),
            }  # fmt: skip
        return "refusal_decision", {**common, "remedies": REMEDIES}
    return None


def _commitment_facts(
    case: Case, matter: Matter, materials: Mapping[str, Material]
) -> dict[str, Any]:
    """告知承诺书: what the office tells the applicant who chose the commitment procedure."""
    declared = matter.commitment
    assert case.commitment is not None
    return {
        "conditions": list(matter.application_conditions),
        "replaced": [
            f"《{materials[m].name}》" if m in materials else m for m in case.commitment.replaced
        ],
        "text": declared.text if declared is not None else None,
        "check_period": check_period_text(declared.check_within) if declared else "—",
        "legal_basis": declared.legal_basis if declared is not None else None,
        "result": matter.result.name,
        "signer": None,
    }


def _revocation_facts(case: Case, matter: Matter, catalogue: Catalogue) -> dict[str, Any]:
    """撤销行政许可决定书: the later check found the commitment untrue."""
    ending, decision = case.ending, case.decision
    assert ending is not None
    declared = matter.commitment
    certificate = case.settlement.certificate
    return {
        "reason": ending.reason,
        "revoked_on": day_text(ending.on),
        "decided_on": day_text(decision.on if decision is not None else None),
        "result": matter.result.name,
        "certificate_number": certificate.number if certificate is not None else None,
        "basis": REVOCATION_BASIS,
        "commitment_basis": declared.legal_basis if declared is not None else None,
        "signer": person_text(ending.by, catalogue),
        "remedies": REMEDIES,
    }


def _department_name(department: str, catalogue: Catalogue) -> str:
    found = catalogue.departments.get(department)
    return found.name if found else department


def _states(case: Case) -> Iterator[tuple[Case | None, Case]]:
    before: Case | None = None
    for event in case.events:
        after = apply_event(before, event)
        yield before, after
        before = after


def case_documents(case: Case, catalogue: Catalogue) -> tuple[Document, ...]:
    """The documents of every legal step ``case`` went through, in the order of its log.

    Args:
        case: a case (its log is folded again here, step by step).
        catalogue: the catalogue with the case's matter, departments and people.

    Raises:
        CaseDataError: the case's matter is not in ``catalogue``, or its log does not fold.
    """
    matter = catalogue.matters.get(case.matter_id)
    if matter is None:
        raise CaseDataError(f"case {case.id}: matter {case.matter_id!r} is not in the catalogue")
    documents: list[Document] = []
    for before, after in _states(case):
        event = after.events[-1]
        found = _facts(before, after, event.action, matter, catalogue)
        if found is None:
            continue
        kind, facts = found
        day = event.moment.date()
        documents.append(
            Document(
                kind=kind,
                title=KINDS[kind],
                case_id=case.id,
                seq=event.seq,
                number=f"{case.id}-{event.seq:02d}",
                issued=day,
                facts={**_common(matter, after, catalogue), **facts, "issued": day_text(day)},
                case=after,
            )
        )
    return tuple(documents)
