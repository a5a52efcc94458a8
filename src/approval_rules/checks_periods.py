"""Periods: how the days of each limit are counted, and what an extension moves.

行政许可法 Art. 82 counts the periods *it* sets in working days (以工作日计算，不含法定
节假日); a period another law sets in "日" (建筑法 Art. 8: 自收到申请之日起七日内) may
be read that way or as calendar days under 民法典 Arts. 201 and 203 (the start day is
not counted; an end falling on a holiday moves to the next working day).  A matter
states the reading it follows with ``counting:`` on the limit.

* ``calendar-days-without-counting`` (warning): a limit in calendar days that does not
  say which reading it follows; the counting basis is ambiguous.
* ``counting-basis-mismatch`` (error): the declared basis disagrees with the unit (a
  ``working_days`` basis on a limit in calendar days, or the reverse): the engine counts
  by the unit, so the declaration would be false.
* ``extension-scope-undeclared`` (warning): the matter may be extended but does not say
  whether the extension moves the promised due date too (``scope: statutory|both``).
* ``stop-limit-unknown-kind`` (error): ``stop_limits`` bounds a kind of clock stop
  that is neither one of Art. 45's nor in the matter's ``excluded_activities``, so no
  stop of that kind could ever start.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Final

from ._wording import suggestion
from .checks_base import Codes, Finding, MatterView
from .errors import Path, Severity
from .model import CountingBasis, TimeLimit, Unit
from .timelimits import LAW_STOP_KINDS

__all__ = ["CODES", "check"]

_E, _W = Severity.ERROR, Severity.WARNING

CODES: Final[Codes] = types.MappingProxyType(
    {
        "calendar-days-without-counting": (_W, "a calendar-day limit without its counting basis"),
        "counting-basis-mismatch": (_E, "a limit's counting basis disagrees with its unit"),
        "extension-scope-undeclared": (_W, "an extension that does not say what it moves"),
        "stop-limit-unknown-kind": (_E, "a stop limit for a kind of stop the matter has not"),
    }
)


def check(view: MatterView) -> Iterator[Finding]:
    """The counting basis of every limit, and the extension's scope."""
    matter = view.matter
    limits = matter.time_limits
    yield from _counting(limits.statutory, ("time_limits", "statutory"))
    yield from _counting(limits.promised, ("time_limits", "promised"))
    for i, step in enumerate(matter.steps):
        if step.time_limit is not None:
            yield from _counting(step.time_limit, ("steps", i, "time_limit"))
    extension = limits.extension
    if extension is not None and extension.scope is None:
        yield Finding(
            "extension-scope-undeclared",
            "the extension does not say whether it moves only the statutory due date or the "
            "promised one too; the engine moves both",
            ("time_limits", "extension"),
            hint="add scope: statutory (the promise stays as published) or scope: both",
            key=True,
        )
    yield from _stop_limits(view)


def _stop_limits(view: MatterView) -> Iterator[Finding]:
    limits = view.matter.time_limits
    kinds = sorted(LAW_STOP_KINDS | set(limits.excluded_activities))
    for i, limit in enumerate(limits.stop_limits):
        if limit.kind not in kinds:
            yield Finding(
                "stop-limit-unknown-kind",
                f"stop_limits bounds {limit.kind!r}, which is neither a stop Art. 45 names "
                "nor one of the matter's excluded_activities" + suggestion(limit.kind, kinds),
                ("time_limits", "stop_limits", i, "kind"),
                hint=f"use one of {', '.join(kinds)}, or add {limit.kind} to "
                "time_limits.excluded_activities",
            )


def _counting(limit: TimeLimit, where: Path) -> Iterator[Finding]:
    counting = limit.counting
    calendar = limit.unit is Unit.CALENDAR_DAYS
    if counting is None:
        if calendar:
            yield Finding(
                "calendar-days-without-counting",
                f"the limit of {int(limit.value)} calendar days does not say which reading of "
                "the law's days it follows",
                (*where, "unit"),
                hint="add counting: {basis: calendar_days, reading: <the law's words>} "
                "(民法典 Art. 203), or write unit: working_days with counting: {basis: "
                "working_days} (行政许可法 Art. 82)",
            )
        return
    declared_calendar = counting.basis is CountingBasis.CALENDAR_DAYS
    if declared_calendar != calendar:
        yield Finding(
            "counting-basis-mismatch",
            f"counting.basis is {counting.basis.value} but the limit is in "
            f"{limit.unit.value.replace('_', ' ')}; the engine counts by the unit",
            (*where, "counting", "basis"),
            hint=f"write unit: {counting.basis.value}, or basis: "
            f"{'working_days' if declared_calendar else 'calendar_days'}",
        )
