"""Recording a supervision alert on a case: the ``record_alert`` event (电子监察).

Supervision (:mod:`approval_rules.supervision`) finds the alerts in force on a case; a
sweep records each new one on the case as an event of the system, so that the case's
record shows every notice sent (催办, 督办, 红牌) and the alert is sent once.  The event
carries the alert's identity (``key``: case, rule, what it is about, due date and
threshold step), its ``rule``, ``level``, ``step`` (``None`` for the case clock) and
``due``.  Recording an alert whose key the case holds already changes nothing, so a
sweep retried after a crash is a no-op.

The event changes no status and no clock: it may be recorded in any status, after
the case ended too (an anomaly found on a closed case).  Only the system records it;
:meth:`~.facade.Engine.act` refuses it (it is no action a person takes).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from ..errors import CaseDataError
from .bounds import blank, shown
from .case import Case
from .context import Details, Handled

__all__ = ["ALERT_ACTION", "alert_details", "recorded_alerts"]

#: The action of the event that records an alert.
ALERT_ACTION: Final = "record_alert"
_MAX_KEY: Final = 512


def recorded_alerts(case: Case) -> frozenset[str]:
    """The keys of the alerts recorded on ``case``."""
    return frozenset(str(e.details.get("key")) for e in case.events if e.action == ALERT_ACTION)


def _text(value: object, what: str, *, limit: int = 64) -> str:
    if not isinstance(value, str) or blank(value) or len(value) > limit:
        raise CaseDataError(
            f"record_alert: {what} must be text of 1 to {limit} characters, not {shown(value)}"
        )
    return value


def alert_details(
    case: Case,
    steps: frozenset[str],
    *,
    key: object,
    rule: object,
    level: object,
    step: object,
    due: object,
) -> Handled:
    """The details of a ``record_alert`` event, after checking them.

    Args:
        case: the case the alert is about (the key must start with its id and ``|``).
        steps: the steps of the case's matter (``step`` must be one, or ``None``).

    Raises:
        CaseDataError: a detail of the wrong type, too long, or about another case or
            an unknown step.
    """
    text = _text(key, "key", limit=_MAX_KEY)
    if not text.startswith(f"{case.id}|"):
        raise CaseDataError(f"record_alert: the key {shown(text)} is not about case {case.id}")
    if step is not None and (not isinstance(step, str) or step not in steps):
        raise CaseDataError(f"record_alert: {shown(step)} is not a step of the case's matter")
    if due is not None and (not isinstance(due, date) or hasattr(due, "hour")):
        raise CaseDataError(f"record_alert: due must be a date or None, not {shown(due)}")
    details: Details = {
        "key": text,
        "rule": _text(rule, "rule"),
        "level": _text(level, "level"),
        "step": step,
        "due": None if due is None else due.isoformat(),
    }
    return details, None
