"""Applicant delays (申请人原因延误): late payment, late response, recorded explicitly.

A delay the applicant caused counts as on time for the office (视为按期; DOMAIN.md
§2.10, 限时办结制度).  Supervision already derives two waits from the record (payment
after the decision, tolerated materials made up late); ``record_applicant_delay``
records any other: the applicant answered a request late (``late_response``) or paid
late (``late_payment``), from ``start`` to ``end``, both days included.

The record does not move the statutory due date (Art. 45 lists what the statutory
period leaves out, and an applicant's delay is not among them); it is excluded from
the office's time where supervision judges the promise: :mod:`..supervision.applicant_time`
reads :func:`applicant_delays` as one of its wait sources.

Who records it: the handlers of an open step (or their backups), while the case is in
review, approved or certified; the period lies between the acceptance day and today.
Delays may overlap (a late answer while the fee is also unpaid): supervision counts
each day once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final, NamedTuple

from ..errors import ActionNotAllowed
from .case import Case
from .context import (
    Authority,
    Command,
    Ctx,
    Details,
    Handled,
    acting_for,
    day_detail,
    text_detail,
)
from .permissions import open_step_handler
from .records import APPROVED, CERTIFIED, IN_REVIEW

__all__ = [
    "DELAY_KINDS",
    "ApplicantDelay",
    "applicant_delays",
    "delay_offers",
    "may_record_delay",
    "record_applicant_delay",
]

#: The kinds of applicant delay a case may record.
DELAY_KINDS: Final = ("late_payment", "late_response")
_RUNNING: Final = (IN_REVIEW, APPROVED, CERTIFIED)


class ApplicantDelay(NamedTuple):
    """A period the office waited for the applicant; both days included.

    Attributes:
        kind: ``late_payment`` or ``late_response``.
        start: the first day not counted against the office.
        end: the last day not counted.
        by: who recorded it.
        reason: what the office waited for (told to supervision).
    """

    kind: str
    start: date
    end: date
    by: str
    reason: str


def applicant_delays(case: Case) -> tuple[ApplicantDelay, ...]:
    """Every applicant delay the case's record holds, in the order recorded."""
    return tuple(
        ApplicantDelay(
            e.details["kind"],
            date.fromisoformat(e.details["start"]),
            date.fromisoformat(e.details["end"]),
            e.actor,
            e.details["reason"],
        )
        for e in case.events
        if e.action == "record_applicant_delay"
    )


def may_record_delay(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """Handlers of an open step, while a period runs (in review, approved, certified)."""
    if case.status not in _RUNNING or case.accepted_on is None:
        raise ActionNotAllowed(
            action, f"no period runs while the case is {case.status.value}", code="wrong-status"
        )
    handler = open_step_handler(ctx.plan, case, actor, day, action)
    if handler is not None:
        return handler
    raise ActionNotAllowed(action, f"{actor} handles none of the open steps", code="not-a-signer")


def record_applicant_delay(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """The applicant delayed the case from ``start`` to ``end`` (default today)."""
    d: Mapping[str, Any] = cmd.details
    kind = d.get("kind")
    if kind not in DELAY_KINDS:
        raise ActionNotAllowed(
            cmd.action,
            f"{kind!r} is not a kind of applicant delay ({', '.join(DELAY_KINDS)})",
            code="bad-delay-kind",
        )
    today = cmd.at.date()
    start = day_detail(d.get("start", today), "start", cmd.action)
    end = day_detail(d.get("end", today), "end", cmd.action)
    accepted = case.accepted_on
    assert accepted is not None
    if not accepted <= start <= end <= today:
        raise ActionNotAllowed(
            cmd.action,
            f"the delay {start}..{end} must lie between the acceptance day {accepted} and "
            f"today {today}, and start before it ends",
            code="bad-period",
        )
    reason = text_detail(d.get("reason"), "a reason (what the office waited for)", cmd.action)
    details: Details = {
        "kind": kind,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "reason": reason,
    }
    return acting_for(details, auth, cmd.actor), None


def delay_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``record_applicant_delay`` is offered with its kinds."""
    return ((None, DELAY_KINDS),)
