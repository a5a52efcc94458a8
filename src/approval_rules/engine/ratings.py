"""The applicant's rating of a case (好差评) and the office's follow-up of a bad one.

国办发〔2019〕51号: the applicant rates a service on five levels, the bottom two are bad
reviews (差评); every named (实名) bad review is followed up (回访) and fixed (整改)
within a period the office declares (supervision's ``reporting.bad_review_wd``, which
the indicators apply: a follow-up after it is recorded but does not count as on time).

* ``record_rating``: the applicant alone, once, after the case ended (办结, or not
  accepted, withdrawn, terminated); ``level`` one of :data:`RATING_LEVELS`, ``named``
  (whether the applicant gave their name), ``comment`` (required for a bad review:
  what went wrong).
* ``follow_up_rating``: a person working on the matter, after a named bad review;
  ``note`` (required: what was said and done), ``rectified`` (the problem is fixed).
  It may be recorded more than once (a visit, then the fix).

Neither changes the case's status or clocks (``lifecycle.KEEPING``); supervision reads
them from the record (:mod:`approval_rules.supervision.facts`).
"""

from __future__ import annotations

from datetime import date
from typing import Final, NamedTuple

from ..errors import ActionNotAllowed, CaseDataError
from .bounds import shown
from .case import Case
from .context import Authority, Command, Ctx, Handled, text_detail

__all__ = [
    "BAD_RATINGS",
    "RATING_LEVELS",
    "Rated",
    "follow_up_rating",
    "may_follow_up",
    "may_rate",
    "rating_of",
    "record_rating",
]

#: The five levels of a rating, best first (非常满意, 满意, 基本满意, 不满意, 非常不满意).
RATING_LEVELS: Final = (
    "very_satisfied",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "very_dissatisfied",
)
#: The levels that are bad reviews (差评): the bottom two.
BAD_RATINGS: Final = frozenset(RATING_LEVELS[3:])


class Rated(NamedTuple):
    """The rating recorded on a case: its level and whether it was given by name."""

    level: str
    named: bool


def rating_of(case: Case) -> Rated | None:
    """The applicant's rating of ``case``, if recorded."""
    for event in case.events:
        if event.action == "record_rating":
            return Rated(str(event.details["level"]), bool(event.details["named"]))
    return None


def may_rate(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """The applicant, once, after the case ended."""
    if not case.is_terminal:
        raise ActionNotAllowed(
            action, f"a case is rated once it has ended (it is {case.status.value})",
            code="case-not-ended",
        )  # fmt: skip
    if actor != case.intake.applicant_id:
        raise ActionNotAllowed(
            action, f"only the applicant ({case.intake.applicant_id}) rates the case",
            code="not-authorised",
        )  # fmt: skip
    if rating_of(case) is not None:
        raise ActionNotAllowed(action, "the case is rated already", code="already-rated")
    return Authority(None, actor)


def _flag(value: object, what: str, action: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise CaseDataError(f"{action}: {what} must be true or false, not {shown(value)}")
    return value


def record_rating(ctx: Ctx, case: Case, command: Command, auth: Authority) -> Handled:
    d, action = command.details, command.action
    level = d.get("level")
    if not isinstance(level, str) or level not in RATING_LEVELS:
        raise CaseDataError(
            f"{action}: level must be one of {', '.join(RATING_LEVELS)}, not {shown(level)}"
        )
    named = _flag(d.get("named"), "named", action)
    comment = text_detail(d.get("comment"), "comment", action, required=level in BAD_RATINGS)
    return {"level": level, "named": named, "comment": comment}, None


def may_follow_up(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """A person working on the matter, after a named bad review."""
    rated = rating_of(case)
    if rated is None or rated.level not in BAD_RATINGS:
        raise ActionNotAllowed(action, "the case has no bad review", code="no-bad-review")
    if not rated.named:
        raise ActionNotAllowed(
            action, "the bad review is anonymous: nobody to visit", code="anonymous-review"
        )
    if actor not in ctx.plan.staff:
        raise ActionNotAllowed(
            action, f"{actor} does not work on this matter", code="not-authorised"
        )
    return Authority(None, actor)


def follow_up_rating(ctx: Ctx, case: Case, command: Command, auth: Authority) -> Handled:
    d, action = command.details, command.action
    note = text_detail(d.get("note"), "note", action)
    return {"note": note, "rectified": _flag(d.get("rectified"), "rectified", action)}, None
