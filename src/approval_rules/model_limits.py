"""What to write instead of a time limit with a fraction in it.

A limit is a whole number of its unit; the one fraction allowed is ``0.5`` working
days (matter-format.md §6.2).  ``4.5`` working days is therefore written as ``9``
half days, which only step limits and the limits of an immediate matter may use; a
promised matter's own limits are whole working days.  The hint is the mapping that,
pasted over the limit, makes the check pass:

* exact whenever it can be: ``4.5`` working days → ``{value: 9, unit: half_days}``,
  ``4.25`` working days → ``{value: 34, unit: hours}``;
* otherwise rounded **down** (to half days, whole days, hours) and said so, so that a
  limit is never made longer than written and every "at most" the checker compares
  (promised ≤ statutory, the steps within the promise) still holds after the change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from .model_choices import Unit

__all__ = ["Rewrite", "fractional_limit_hint", "rewrite_limit"]

#: Office hours in one unit (a working day is 8 hours, a half day one 4-hour session).
_HOURS: Final = {Unit.WORKING_DAYS: 8, Unit.HALF_DAYS: 4, Unit.HOURS: 1}
_EPSILON: Final = 1e-9
_WORDS: Final = {
    Unit.WORKING_DAYS: "working day",
    Unit.HALF_DAYS: "half day",
    Unit.HOURS: "hour",
    Unit.CALENDAR_DAYS: "calendar day",
}


@dataclass(frozen=True)
class Rewrite:
    """The limit to write instead: ``value`` ``unit``; ``exact`` when nothing is lost."""

    value: float
    unit: Unit
    exact: bool

    def mapping(self) -> str:
        """The YAML flow mapping to paste, e.g. ``{value: 9, unit: half_days}``."""
        if self.unit is Unit.WORKING_DAYS:
            return f"{{value: {_number(self.value)}}}"
        return f"{{value: {_number(self.value)}, unit: {self.unit.value}}}"


def rewrite_limit(value: float, unit: Unit, *, sub_day_units: bool) -> Rewrite | None:
    """The limit to write for ``value`` ``unit``; ``None`` when it may stay as it is.

    ``sub_day_units`` says whether half days and hours are allowed where the limit
    stands (a step, an immediate matter) or not (a promised matter's own limits).
    Examples: ``(4.5, WORKING_DAYS, True)`` → 9 half days, exact; ``(4.3, WORKING_DAYS,
    True)`` → 4 working days, rounded down; ``(4.5, WORKING_DAYS, False)`` → 4 working
    days, rounded down.
    """
    if _whole(value) or (unit is Unit.WORKING_DAYS and value == 0.5):
        return None
    if unit is Unit.CALENDAR_DAYS:
        return Rewrite(max(math.floor(value), 1), unit, exact=False)
    hours = value * _HOURS[unit]
    if not sub_day_units:
        days = math.floor(hours / 8 + _EPSILON)
        return Rewrite(days if days >= 1 else 0.5, Unit.WORKING_DAYS, exact=False)
    keep = unit is Unit.HALF_DAYS
    if _whole(hours / 4):
        return _in_half_days(round(hours / 4), exact=True, keep=keep)
    if _whole(hours):
        return Rewrite(round(hours), Unit.HOURS, exact=True)
    if unit is Unit.HOURS or hours < 4:
        return Rewrite(max(math.floor(hours), 1), Unit.HOURS, exact=False)
    return _in_half_days(math.floor(hours / 4), exact=False, keep=keep)


def fractional_limit_hint(
    value: float, unit: Unit, *, sub_day_units: bool, other_keys: tuple[str, ...] = ()
) -> str | None:
    """The hint for a limit with a fraction: what to write, and why that number.

    ``other_keys`` are the limit's other keys (``explanation``, ``counting``), which
    the pasted mapping must keep.  Example: ``fractional_limit_hint(4.5,
    Unit.WORKING_DAYS, sub_day_units=True)`` → ``"write {value: 9, unit: half_days}
    (4.5 working days are 9 half days)"``.
    """
    new = rewrite_limit(value, unit, sub_day_units=sub_day_units)
    if new is None:
        return None
    written = _amount(value, unit)
    if new.exact:
        why = f"{written} are {_amount(new.value, new.unit)}"
    elif not sub_day_units and unit is not Unit.CALENDAR_DAYS:
        why = (
            f"a promised matter's own limits are whole working days or 0.5; {written} "
            + _rounded(new, value, unit)
        )
        exact = rewrite_limit(value, unit, sub_day_units=True)
        if exact is not None and exact.exact:
            why += f", or make the matter case_type: immediate and write {exact.mapping()}"
    else:
        why = f"{written} is not a whole number of {_grain(new.unit)}; " + _rounded(
            new, value, unit
        )
    keep = f", keeping {', '.join(other_keys)}" if other_keys else ""
    return f"write {new.mapping()}{keep} ({why})"


def _in_half_days(halves: int, *, exact: bool, keep: bool) -> Rewrite:
    """``halves`` half days, in whole working days where they are (unless ``keep``)."""
    if keep:
        return Rewrite(halves, Unit.HALF_DAYS, exact=exact)
    if halves % 2 == 0:
        return Rewrite(halves // 2, Unit.WORKING_DAYS, exact=exact)
    if halves == 1:
        return Rewrite(0.5, Unit.WORKING_DAYS, exact=exact)
    return Rewrite(halves, Unit.HALF_DAYS, exact=exact)


def _rounded(new: Rewrite, value: float, unit: Unit) -> str:
    """ "rounded down to …", or "rounded up to …" when even the shortest limit is longer."""
    if unit is Unit.CALENDAR_DAYS:
        longer = new.value > value
    else:
        longer = new.value * _HOURS[new.unit] > value * _HOURS[unit] + _EPSILON
    if longer:
        return f"rounded up to {_amount(new.value, new.unit)}, the shortest limit there is"
    return f"rounded down to {_amount(new.value, new.unit)}"


def _grain(unit: Unit) -> str:
    return {Unit.HOURS: "hours", Unit.CALENDAR_DAYS: "days"}.get(unit, "half days")


def _amount(value: float, unit: Unit) -> str:
    word = _WORDS[unit]
    return f"{_number(value)} {word}" if value == 1 else f"{_number(value)} {word}s"


def _whole(value: float) -> bool:
    return abs(value - round(value)) < _EPSILON


def _number(value: float) -> str:
    return str(round(value)) if _whole(value) else f"{value:g}"
