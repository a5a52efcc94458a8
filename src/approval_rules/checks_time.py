"""Time feasibility: do the step limits fit in the promised limit (承诺时限)?

Every comparison is in working days (:func:`~.graph.limit_in_working_days`) and uses
the critical-path analysis the compiler made (:class:`~.graph.Timing`).  The **room**
of a step is the most its limit may be for every chain through it to fit the promise:

    room(step) = promised − (earliest start of step + longest chain after it)

Every hint that names a number gives one that makes its check pass, worked out from
the same analysis (``tests/test_checks_time.py`` applies each hint and checks again).

* ``step-limit-exceeds-promised``: one step's limit alone is longer than the promise.
* ``critical-path-exceeds-promised``: the longest chain of limits exceeds the promise.
* ``co-review-overruns-decision``: a co-department review ends too late for the
  decision and the steps after it to fit.
* ``green-channel-infeasible``: the longest chain does not fit in the green channel's
  shorter promise (绿色通道), which the engine computes with
  :func:`~.timelimits.green_channel_days`.
* ``green-channel-no-effect``: the green channel would not shorten the promise at all.
"""

from __future__ import annotations

import math
import types
from collections.abc import Iterator
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Final

from .checks_base import (
    EPSILON,
    Codes,
    Finding,
    MatterView,
    cover_limit,
    days,
    fit_limit,
    limit_unit,
    num,
)
from .errors import Path, Severity
from .graph import Timing, analyse_timing, limit_in_working_days
from .model import StepKind, Unit
from .timelimits import green_channel_days

__all__ = ["CODES", "check"]

_E, _W = Severity.ERROR, Severity.WARNING

CODES: Final[Codes] = types.MappingProxyType(
    {
        "step-limit-exceeds-promised": (_E, "one step's limit is longer than the promised limit"),
        "critical-path-exceeds-promised": (_E, "the step limits on a chain exceed the promise"),
        "co-review-overruns-decision": (_E, "a co-review ends after the decision must start"),
        "green-channel-infeasible": (_E, "the step limits on a chain exceed the green promise"),
        "green-channel-no-effect": (_W, "the green channel does not shorten the promise"),
    }
)


def check(view: MatterView) -> Iterator[Finding]:
    """Every time-feasibility problem of the matter (none when its steps form a circle)."""
    timing = view.timing
    if timing is None:
        return
    budget = limit_in_working_days(view.matter.time_limits.promised)
    yield from _step_limits(view, timing, budget)
    yield from _critical_path(view, timing, budget)
    yield from _co_reviews(view, timing, budget)
    yield from _green_channel(view, timing)


def _room(view: MatterView, timing: Timing, i: int, budget: float) -> float:
    """The longest limit step ``i`` may have for every chain through it to fit ``budget``."""
    sid = view.shape.ids[i]
    after = timing.tail[sid] - view.shape.limits[i]
    return budget - timing.earliest_start[sid] - after


def _give_at_most(view: MatterView, timing: Timing, i: int, budget: float) -> str:
    step = view.matter.steps[i]
    room = _room(view, timing, i, budget)
    fits = fit_limit(room, limit_unit(step.time_limit))
    if fits is not None:
        return f"give {step.id!r} at most {fits}, so that every chain through it fits"
    return (
        f"the steps before and after {step.id!r} already take {days(budget - room)} of the "
        "promise: shorten them, or promise more (up to the statutory limit)"
    )


def _step_limits(view: MatterView, timing: Timing, budget: float) -> Iterator[Finding]:
    limits = view.shape.limits
    for i, step in enumerate(view.matter.steps):
        if limits[i] > budget + EPSILON:
            yield Finding(
                "step-limit-exceeds-promised",
                f"step {step.id!r} alone may take {days(limits[i])}, longer than the promised "
                f"limit of {days(budget)} for the whole case",
                ("steps", i, "time_limit", "value"),
                hint=_give_at_most(view, timing, i, budget),
            )


def _critical_path(view: MatterView, timing: Timing, budget: float) -> Iterator[Finding]:
    length = timing.critical_length
    if length <= budget + EPSILON:
        return
    limits = view.matter.time_limits
    statutory = limit_in_working_days(limits.statutory)
    smallest = cover_limit(length, limits.promised.unit)
    shorten = f"shorten the step limits on this chain by at least {days(length - budget)}"
    if smallest[0] <= statutory + EPSILON:
        hint = (
            f"promise at least {smallest[1]} (the statutory limit allows "
            f"{days(statutory)}), or {shorten}"
        )
    else:
        hint = (
            f"{shorten}: the statutory limit of {days(statutory)} leaves no room for a longer "
            "promise"
        )
    yield Finding(
        "critical-path-exceeds-promised",
        f"the step limits along {' -> '.join(timing.critical_path)} add up to {days(length)}, "
        f"more than the promised limit of {days(budget)}",
        ("time_limits", "promised", "value"),
        hint=hint,
    )


def _co_reviews(view: MatterView, timing: Timing, budget: float) -> Iterator[Finding]:
    shape, steps = view.shape, view.matter.steps
    deciding = [i for i, s in enumerate(steps) if s.decides]
    for c, step in enumerate(steps):
        if step.kind is not StepKind.CO_REVIEW or step.decides:
            continue
        before = [d for d in deciding if shape.ancestors[d] >> c & 1]
        room = _room(view, timing, c, budget)
        if not before or shape.limits[c] <= room + EPSILON:
            continue
        start = timing.earliest_start[step.id]
        finish = start + shape.limits[c]
        # the deciding step whose chain to the end is longest leaves the least time
        decider = max((shape.ids[d] for d in before), key=timing.tail.__getitem__)
        path: Path = ("steps", c, "time_limit", "value") if step.time_limit else ("steps", c, "id")
        yield Finding(
            "co-review-overruns-decision",
            f"co-department review {step.id!r} ({days(shape.limits[c])}) may run until working "
            f"day {num(finish)}, but must end by working day {num(max(start + room, 0))} for "
            f"deciding step {decider!r} and the steps after it to finish within the promised "
            f"limit of {days(budget)}",
            path,
            hint=_give_at_most(view, timing, c, budget),
        )


def _largest_reduction(promised: int, length: float) -> Decimal | None:
    """The largest reduction, in hundredths, whose green promise still lasts ≥ ``length``."""
    need = math.ceil(length - EPSILON)
    if need >= promised:
        return None
    exact = Fraction(promised - need, promised)
    cut = Decimal(exact.numerator) / Decimal(exact.denominator)
    best = cut.quantize(Decimal("0.01"), rounding=ROUND_FLOOR).normalize()
    return best if best > 0 else None


def _green_step_limits(view: MatterView, reduction: float) -> list[float]:
    """The step limits of a green-channel case when the channel shortens them too, as
    :meth:`~.plan.MatterPlan.step_limit` does: in half working days, rounded down, at
    least half a day; limits in hours stay as they are.
    """
    keep = 1 - Fraction(str(reduction))
    steps = {step.id: step for step in view.matter.steps}
    out = list(view.shape.limits)
    for i, sid in enumerate(view.shape.ids):
        limit = steps[sid].time_limit if sid in steps else None
        if limit is None or limit.unit not in (Unit.WORKING_DAYS, Unit.HALF_DAYS):
            continue
        value, unit = limit.hours_or_days
        halves = max(math.floor(value * (2 if unit is Unit.WORKING_DAYS else 1) * keep), 1)
        out[i] = halves / 2
    return out


def _green_channel(view: MatterView, timing: Timing) -> Iterator[Finding]:
    limits = view.matter.time_limits
    green = limits.green_channel
    if green is None:
        return
    value, unit = limits.promised.hours_or_days
    path: Path = ("time_limits", "green_channel", "reduction")
    shorter = green_channel_days(value, green.reduction) if unit is Unit.WORKING_DAYS else value
    if shorter >= value:
        why = (
            f"{days(value)} cut by {green.reduction} and rounded down is still {value}"
            if unit is Unit.WORKING_DAYS
            else f"the promise is in {unit.value.replace('_', ' ')}, and only a promise in "
            "working days is shortened"
        )
        yield Finding(
            "green-channel-no-effect",
            f"the green channel (绿色通道) does not shorten the promised limit: {why}",
            path,
            hint="remove the green channel, or promise in whole working days",
        )
        return
    if green.steps:  # the step limits are shortened too (绿色通道 for every step)
        timing = analyse_timing(view.shape, _green_step_limits(view, green.reduction))
    length = timing.critical_length
    if length <= shorter + EPSILON:
        return
    best = _largest_reduction(value, length)
    fix = (
        f"cut the promise by at most {best} (a green promise of {green_channel_days(value, best)} "
        f"working days), or shorten the step limits on this chain by at least "
        f"{days(length - shorter)}"
        if best is not None
        else "the steps leave no room for a shorter promise: remove the green channel, or "
        f"shorten the step limits on this chain by at least {days(length - shorter)}"
    )
    yield Finding(
        "green-channel-infeasible",
        f"the green channel (绿色通道) promises {days(shorter)} ({value} cut by "
        f"{green.reduction}, rounded down), but the step limits along "
        f"{' -> '.join(timing.critical_path)} add up to {days(length)}",
        path,
        hint=fix,
    )
