"""The values supervision produces: alerts, their recipients and notification intents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .rules import LEVEL_RANK, Level, Notice, Target

__all__ = ["Alert", "Intent", "Recipient"]


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a notice goes to: a person of the catalogue, or an office.

    Attributes:
        role: why they receive it (signer, backup, department_head, supervision_office).
        id: the person's or office's id.
        name: their name.
    """

    role: Target
    id: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role.value, "id": self.id, "name": self.name}


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert in force: a rule that fired on a case.

    Attributes:
        case_id: the case.
        matter_id: its matter.
        department: the department responsible (the step's; for the case, the lead one).
        rule: the id of the rule that fired.
        rule_name: what it says (Chinese), e.g. 超过承诺时限.
        kind: ``time`` (a threshold) or ``anomaly``.
        basis: the period (promised, statutory, step_limit) or the anomaly check.
        level: prompt, yellow or red.
        step: the step it is about (``None`` for the case clock and most anomalies).
        due: the due date that applies (``None`` for anomalies).
        remaining: working days left on the day of evaluation, negative when overdue
            (``None`` for anomalies).
        fired_on: the day the threshold was reached (or the anomaly appeared).
        seq: the threshold step in the level's ladder: 0 the first notice, 1 the first
            repeat …; with ``then``, the escalation is the last.
        notice: urge (催办), order (督办) or recommendation (监察建议).
        recipients: who is notified.
        response_wd: working days to answer (回告), if the level sets it.
        applicant_days: working days the applicant caused, not counted (视为按期).
        provisional: the dates depend on a year without official calendar data; a
            warning fires on the earliest date the notice could give, an overdue alert
            only once overdue on the latest.
        detail: what the anomaly check found (Chinese), empty for time rules.
    """

    case_id: str
    matter_id: str
    department: str
    rule: str
    rule_name: str
    kind: str
    basis: str
    level: Level
    step: str | None
    due: date | None
    remaining: int | None
    fired_on: date
    seq: int
    notice: Notice
    recipients: tuple[Recipient, ...]
    response_wd: int | None = None
    applicant_days: int = 0
    provisional: bool = False
    detail: str = ""

    @property
    def key(self) -> str:
        """The alert's identity: case, rule, what it is about and the threshold step.

        A due date is part of the threshold: the same rule on a new due date (after an
        extension, a clock stop, a step opened again) is a new alert.
        """
        about = self.step or ""
        due = self.due.isoformat() if self.due is not None else ""
        return f"{self.case_id}|{self.rule}|{about}|{due}|{self.seq}"

    def sort_key(self) -> tuple[int, str, str, str, str, int]:
        """Deterministic order: most severe first, then earliest due, case, step, rule."""
        due = self.due.isoformat() if self.due is not None else "9999-12-31"
        return (-LEVEL_RANK[self.level], due, self.case_id, self.step or "", self.rule, self.seq)

    def to_dict(self) -> dict[str, Any]:
        """JSON data: the keys ``case_id``, ``step`` (null for the case), ``level``,
        ``due`` and the rest."""
        return {
            "case_id": self.case_id,
            "matter_id": self.matter_id,
            "department": self.department,
            "step": self.step,
            "level": self.level.value,
            "due": self.due.isoformat() if self.due is not None else None,
            "remaining_wd": self.remaining,
            "rule": self.rule,
            "rule_name": self.rule_name,
            "kind": self.kind,
            "basis": self.basis,
            "fired_on": self.fired_on.isoformat(),
            "seq": self.seq,
            "notice": self.notice.value,
            "recipients": [r.to_dict() for r in self.recipients],
            "response_wd": self.response_wd,
            "applicant_days": self.applicant_days,
            "provisional": self.provisional,
            "detail": self.detail,
            "key": self.key,
        }


@dataclass(frozen=True, slots=True)
class Intent:
    """A notification to send: a data record for the outbox that sends notices.

    Attributes:
        case_id: the case.
        alert: the alert's :attr:`Alert.key`.
        recipient: who.
        template: which notice, ``supervision/<level>/<notice>``, e.g.
            ``supervision/yellow/urge``.
    """

    case_id: str
    alert: str
    recipient: Recipient
    template: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "alert": self.alert,
            "recipient": self.recipient.to_dict(),
            "template": self.template,
        }

    @classmethod
    def of(cls, alert: Alert) -> tuple[Intent, ...]:
        """One intent per recipient of an alert."""
        template = f"supervision/{alert.level.value}/{alert.notice.value}"
        return tuple(cls(alert.case_id, alert.key, r, template) for r in alert.recipients)
