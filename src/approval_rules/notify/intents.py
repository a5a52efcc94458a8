"""Notification intents: what the rules say to send after an action.  Nothing is sent here.

:func:`notification_intents` compares a case before and after an action (or an
:meth:`~approval_rules.engine.Engine.advance`), folds each new event with the engine's
own :func:`~approval_rules.engine.apply_event`, and returns one :class:`Intent` per
rule, event and recipient.  It is pure: the same cases give the same intents, with the
same idempotency keys, so a host that saves them into the store's outbox twice (a retry
after a crash) keeps one of each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from ..catalogue import Catalogue
from ..engine import Case, apply_event
from ..errors import CaseDataError
from ..model import Matter
from .check import NotificationRules, segments
from .rules import Recipient, Rule

__all__ = ["Intent", "notification_intents", "placeholder_values"]

_CUT: Final = "…"


@dataclass(frozen=True, slots=True)
class Intent:
    """One text message to send.

    Attributes:
        key: the idempotency key: ``case:seq:rule:recipient`` (the outbox keeps one row
            per key; a gateway may use it to drop a repeat).
        case_id, seq: the case and the event that caused it.
        at: the event's moment (the earliest the message may go).
        rule: the rule's id.
        role: why this recipient (``applicant``, ``signer``, ``backup``,
            ``department_head``).
        recipient: the person's id, or ``applicant``.
        name: the recipient's name (the applicant's as the case holds it).
        address: the applicant's mobile number; a member of staff's person id (the
            gateway looks up their number).
        text: the message.
        segments: SMS segments it takes (1 up to 70 characters).
    """

    key: str
    case_id: str
    seq: int
    at: datetime
    rule: str
    role: str
    recipient: str
    name: str
    address: str
    text: str
    segments: int


def _day(value: date | None) -> str:
    return "" if value is None else f"{value.year}年{value.month}月{value.day}日"


def placeholder_values(case: Case, matter: Matter, catalogue: Catalogue) -> dict[str, str]:
    """Each placeholder's text for ``case`` (untrimmed)."""
    department = catalogue.departments.get(matter.lead_department)
    applicant = case.intake.applicant
    notice = case.intake.notice
    steps = {s.id: s.name for s in matter.steps}
    open_steps = case.open_steps
    phone = (matter.service.consultation_phone if matter.service else None) or (
        department.consultation_phone if department else None
    )
    return {
        "case_id": case.id,
        "matter": matter.name,
        "department": (department.short_name or department.name)
        if department
        else matter.lead_department,
        "applicant": str(
            applicant.get("applicant_name") or applicant.get("name") or case.intake.applicant_id
        ),
        "day": _day(case.last_at.date()),
        "accepted_on": _day(case.accepted_on),
        "promised_due": _day(case.clock.promised_due),
        "statutory_due": _day(case.clock.statutory_due),
        "certificate_due": _day(case.clock.certificate_due),
        "items": str(len(notice.items)) if notice is not None else "0",
        "step": steps.get(open_steps[0], open_steps[0]) if open_steps else "",
        "phone": phone or "",
    }


def _trimmed(values: Mapping[str, str], lengths: Mapping[str, int]) -> dict[str, str]:
    out = {}
    for name, value in values.items():
        top = lengths.get(name)
        out[name] = value if top is None or len(value) <= top else value[: top - 1] + _CUT
    return out


def _people(
    rule: Rule, case: Case, matter: Matter, catalogue: Catalogue, head_role: str | None
) -> list[tuple[str, str]]:
    """(role, person id) of the staff a rule texts, each person once."""
    found: dict[str, str] = {}
    steps = {s.id: s for s in matter.steps}
    signers = [
        pid
        for sid in case.open_steps
        if sid in steps
        for pid in catalogue.step_signers(matter, steps[sid])
    ]
    for target in rule.to:
        if target is Recipient.SIGNER:
            for pid in signers:
                found.setdefault(pid, target.value)
        elif target is Recipient.BACKUP:
            for pid in signers:
                person = catalogue.people.get(pid)
                if person is not None and person.backup is not None:
                    found.setdefault(person.backup, target.value)
        elif target is Recipient.DEPARTMENT_HEAD and head_role is not None:
            for holder in catalogue.holders(head_role, matter.lead_department):
                found.setdefault(holder.id, target.value)
    return [(role, pid) for pid, role in found.items()]


def notification_intents(
    rules: NotificationRules, before: Case | None, after: Case, catalogue: Catalogue
) -> tuple[Intent, ...]:
    """The messages the rules send for the events ``after`` has and ``before`` had not.

    Args:
        rules: a loaded notifications document (:func:`~.check.load_notifications`).
        before: the case before the action (``None`` for a submission).
        after: the case the engine returned.
        catalogue: the catalogue the case's matter is in.

    Raises:
        CaseDataError: ``after`` is not a later version of ``before``, or its matter is
            not in the catalogue.
    """
    matter = catalogue.matters.get(after.matter_id)
    if matter is None:
        raise CaseDataError(f"case {after.id}: matter {after.matter_id!r} is not in the catalogue")
    start = 0 if before is None else before.version
    if before is not None and (
        before.id != after.id
        or before.version > after.version
        or after.events[start - 1] != before.events[-1]
    ):
        raise CaseDataError(f"case {after.id}: 'after' does not continue 'before'")
    document = rules.document
    lengths = rules.max_lengths
    phone_field = document.applicant_phone_field
    wanted = [r for r in document.rules if not r.matters or matter.id in r.matters]
    intents: list[Intent] = []
    state = before
    for event in after.events[start:]:
        state = apply_event(state, event)
        firing = [
            r for r in wanted if event.action in r.on and (not r.status or state.status in r.status)
        ]
        if not firing:
            continue
        values = _trimmed(placeholder_values(state, matter, catalogue), lengths)
        for rule in firing:
            text = rule.template.format(**values)
            targets: list[tuple[str, str, str, str]] = []  # role, id, name, address
            if Recipient.APPLICANT in rule.to:
                phone = state.intake.applicant.get(phone_field)
                if isinstance(phone, str) and phone.strip():
                    targets.append(("applicant", "applicant", values["applicant"], phone.strip()))
            for role, pid in _people(rule, state, matter, catalogue, document.department_head_role):
                person = catalogue.people.get(pid)
                targets.append((role, pid, person.name if person else pid, pid))
            for role, rid, name, address in targets:
                intents.append(
                    Intent(
                        key=f"{after.id}:{event.seq}:{rule.id}:{rid}",
                        case_id=after.id,
                        seq=event.seq,
                        at=event.moment,
                        rule=rule.id,
                        role=role,
                        recipient=rid,
                        name=name,
                        address=address,
                        text=text,
                        segments=segments(len(text)),
                    )
                )
    return tuple(intents)
