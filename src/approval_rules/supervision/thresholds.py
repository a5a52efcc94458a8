"""When a time rule fires on a period, and its ladder of repeats (催办 … then 督办).

Working days are counted on the calendar (docs/calendar.md): the start day is never
counted, weekends and holidays are not working days, make-up workdays are.  For a
period due on D:

* ``remaining_wd: N`` fires on the N-th working day before D (D itself for N = 0, or
  the last working day before D when D is not one); ``used_percent: X`` is the same
  with N = limit − ⌈X·limit/100⌉; never before the period's start;
* ``overdue_wd: N`` fires at 00:00 after the N-th working day past D (after D itself
  for N = 0), the moment the grace ran out.

Worked example (official calendar): the promised 5 working days from Fri 2025-09-26
end on Fri 2025-10-10 (Sun 9/28, Mon 9/29, Tue 9/30, Thu 10/9, Fri 10/10; 10/1–10/8 are
off).  ``remaining_wd: 1`` fires on Thu 10/9; ``used_percent: 90`` (⌈4.5⌉ = 5 used, 0
left) on Fri 10/10; ``overdue_wd: 3`` (10/11 Sat is a make-up workday, then 10/13 and
10/14) at 00:00 on Wed 10/15.

A repeat fires every ``every_wd`` working days after the first notice, ``times``
notices in all, then the ``then`` notice ``every_wd`` later.

Provisional dates (a year without a State Council notice): a warning before the due
date fires on the earliest date the notice could give (the office is never warned
late); an overdue threshold only once the period is overdue on the latest date it could
give, so that 超期 is never declared on a provisional date alone.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Final, NamedTuple

from ..timelimits import bounds, due_date
from ..workdays import WorkCalendar
from .periods import Period
from .rules import LevelSpec, Notice, Target, Trigger

__all__ = ["DueBounds", "Firing", "due_bounds", "first_day", "ladder", "lead_days"]

_ONE_DAY: Final = timedelta(days=1)


class Firing(NamedTuple):
    """One notice of a threshold's ladder."""

    seq: int
    day: date
    notice: Notice
    targets: tuple[Target, ...]


class DueBounds(NamedTuple):
    """A period's due date and the earliest and latest dates the calendar could give."""

    best: date
    earliest: date
    latest: date
    provisional: bool


def due_bounds(period: Period, calendar: WorkCalendar) -> DueBounds:
    """The due date that applies, with its bounds when it lies in a provisional year."""
    due = period.due
    if not calendar.provisional or not calendar.is_provisional(period.start, due):
        return DueBounds(due, due, due, False)
    if not period.limit:
        return DueBounds(due, due, due, True)
    base = period.limit - period.extension
    found = bounds(
        calendar,
        period.start,
        lambda c: due_date(c, period.start, base, stops=period.stops, extension=period.extension),
    )
    return DueBounds(due, min(due, found.earliest), max(due, found.latest), True)


def lead_days(trigger: Trigger, limit: int) -> int:
    """Working days before the due date a warning fires (the earlier of its keys)."""
    leads = []
    if trigger.remaining_wd is not None:
        leads.append(trigger.remaining_wd)
    if trigger.used_percent is not None:
        leads.append(limit - math.ceil(trigger.used_percent * limit / 100))
    return max(leads)


def first_day(
    trigger: Trigger, period: Period, calendar: WorkCalendar, due: DueBounds
) -> tuple[date, WorkCalendar]:
    """The day the threshold is reached, and the calendar variant its repeats count on."""
    if trigger.overdue_wd is not None:
        latest = calendar.latest
        n = trigger.overdue_wd
        end = latest.add_workdays(due.latest, n) if n else due.latest
        return end + _ONE_DAY, latest
    earliest = calendar.earliest
    last = (
        due.earliest
        if earliest.is_workday(due.earliest)
        else earliest.previous_workday(due.earliest)
    )
    n = lead_days(trigger, period.limit)
    day = earliest.add_workdays(last, -n) if n else last
    return max(day, period.start), earliest


def ladder(
    trigger: Trigger, period: Period, spec: LevelSpec, calendar: WorkCalendar, due: DueBounds
) -> tuple[Firing, ...]:
    """Every notice of a threshold on a period: the first, its repeats, the escalation."""
    day, counted = first_day(trigger, period, calendar, due)
    repeat = spec.repeat
    firings = [Firing(0, day, spec.notice, spec.notify)]
    if repeat is None:
        return tuple(firings)
    for seq in range(1, repeat.times):
        firings.append(
            Firing(seq, counted.add_workdays(day, seq * repeat.every_wd), spec.notice, spec.notify)
        )
    if repeat.then is not None:
        later = counted.add_workdays(day, repeat.times * repeat.every_wd)
        firings.append(Firing(repeat.times, later, repeat.then, repeat.escalate_to))
    return tuple(firings)
