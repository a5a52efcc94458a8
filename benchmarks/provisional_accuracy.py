"""How right is the provisional calendar?  Replay 2025 and 2026 as if no notice existed.

Run:  python benchmarks/provisional_accuracy.py

The law-derived construction (``WorkCalendar.from_days(years=(), provisional=True)``:
no official data at all) computes +N working days from every start date of 2025-2026
whose official answer lies in 2025-2026, on each estimate, and compares with the
official calendar (chinesecalendar).  Weekends-only (the old provisional calendar) is
the baseline.  For each N and estimate it prints how many answers are exact, the mean
and the largest error in calendar days, and checks that the official answer always lies
within [earliest, latest].  ``docs/calendar.md`` quotes the table; it chose the best
estimate.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, timedelta

from approval_rules.workdays import WorkCalendar

ONE = timedelta(days=1)


def weekends_only(d: date, n: int) -> date:
    while n:
        d += ONE
        n -= d.weekday() < 5
    return d


def main() -> int:
    official = WorkCalendar.china(provisional=True)  # the loop stops at the first 2027 answer
    law = WorkCalendar.from_days(years=(), provisional=True, name="law")
    estimates: dict[str, Callable[[date, int], date]] = {
        "best (statutory + 补假)": law.add_workdays,
        "latest (+ projected days off)": law.latest.add_workdays,
        "earliest (+ candidate make-ups)": law.earliest.add_workdays,
        "weekends only": weekends_only,
    }
    print(f"{'N':>3} {'starts':>6}  {'estimate':32} {'exact':>12} {'mean err':>9} {'max':>4}")
    outside = 0
    for n in (5, 20, 45, 60):
        starts = []
        d = date(2025, 1, 1)
        while (due := official.add_workdays(d, n)) <= date(2026, 12, 31):
            starts.append((d, due))
            d += ONE
        for name, add in estimates.items():
            errors = [abs((add(d, n) - due).days) for d, due in starts]
            exact = sum(e == 0 for e in errors)
            print(
                f"{n:>3} {len(starts):>6}  {name:32} {exact:>5} ({exact / len(starts):4.0%})"
                f" {sum(errors) / len(errors):8.2f}d {max(errors):>3}d"
            )
        outside += sum(
            not law.earliest.add_workdays(d, n) <= due <= law.latest.add_workdays(d, n)
            for d, due in starts
        )
    print(f"official answers outside [earliest, latest]: {outside}")
    return 0 if outside == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
