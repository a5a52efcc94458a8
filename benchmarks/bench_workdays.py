"""Benchmark: +N working days with WorkCalendar vs `holidays` and `chinesecalendar`.

Run:  python benchmarks/bench_workdays.py [--calls 100000] [--repeat 3]

* 100,000 ``add_workdays(d, 20)`` on random start dates 2024-01-01..2026-11-30 (fixed
  seed), against ``holidays.China().get_nth_working_day(d, 20)`` (instance pre-built)
  and ``chinese_calendar.find_workday`` with the non-workday fix (fewer calls: it is
  slow; per-call time reported).  All three must agree on every shared date.
* ``add_workdays`` with n = 1 versus n = 250 on the same dates (2024-01-01..2025-06-30,
  so +250 WD stays inside the official data): the cost must not grow with n.
* The provisional calendar (issue 10): +20 WD from random starts 2026-06-01..2028-11-30
  on ``WorkCalendar.china(provisional=True)`` (best estimate), interleaved with the
  strict calendar on official dates, and ``due_bounds`` (best, earliest and latest at
  once) against ``due_date``; ``holidays`` extrapolates the same years by the law alone,
  so it must agree with the best estimate.  Cold builds are reported too.

Targets (issue 3): ≥ 50x faster than holidays per call; n = 250 within 1.5x of n = 1.
Timings are the best of ``--repeat`` runs (timeit's convention: the least disturbed).
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

import chinese_calendar
import holidays

from approval_rules.timelimits import due_bounds, due_date
from approval_rules.workdays import CalendarOverlay, WorkCalendar


def random_dates(count: int, first: date, last: date, seed: int) -> list[date]:
    rng = random.Random(seed)
    span = (last - first).days
    return [first + timedelta(days=rng.randint(0, span)) for _ in range(count)]


def best_of(repeat: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cc_add(d: date, n: int) -> date:
    """chinese_calendar.find_workday counts from the first workday on/after d: fix it."""
    return chinese_calendar.find_workday(n if chinese_calendar.is_workday(d) else n - 1, d)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--cc-calls", type=int, default=2_000, help="chinesecalendar calls")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    print(f"Python {platform.python_version()} on {platform.machine()}, {cpu_model()}")
    print(f"holidays {holidays.__version__}, chinesecalendar {chinese_calendar.__version__}")

    t0 = time.perf_counter()
    cold = WorkCalendar.china().with_overlay(CalendarOverlay("bench"))
    cold.add_workdays(date(2025, 1, 1), 1)
    build_ms = (time.perf_counter() - t0) * 1000
    print(f"cold: new calendar + index build for 2004-2026: {build_ms:.1f} ms (once per calendar)")

    cal = WorkCalendar.china()
    cal.add_workdays(date(2025, 1, 1), 1)  # warm the shared index
    cn = holidays.China(years=range(2024, 2028))
    cn.get_nth_working_day(date(2025, 1, 1), 1)

    starts = random_dates(args.calls, date(2024, 1, 1), date(2026, 11, 30), seed=20240101)
    add = cal.add_workdays
    nth = cn.get_nth_working_day

    ours_s = best_of(args.repeat, lambda: [add(d, 20) for d in starts])
    hol_s = best_of(1, lambda: [nth(d, 20) for d in starts])
    cc_starts = starts[: args.cc_calls]
    cc_s = best_of(1, lambda: [cc_add(d, 20) for d in cc_starts])

    ours = [add(d, 20) for d in starts]
    theirs = [nth(d, 20) for d in starts]
    cc = [cc_add(d, 20) for d in cc_starts]
    bad_h = sum(a != b for a, b in zip(ours, theirs, strict=True))
    bad_c = sum(a != b for a, b in zip(ours, cc, strict=False))
    print(
        f"agreement: holidays differs on {bad_h} of {len(starts)}, "
        f"chinesecalendar on {bad_c} of {len(cc_starts)}"
    )

    per = {
        "WorkCalendar.add_workdays": ours_s / len(starts),
        "holidays get_nth_working_day": hol_s / len(starts),
        "chinese_calendar find_workday (+fix)": cc_s / len(cc_starts),
    }
    print(
        f"\n+20 WD, {len(starts):,} random starts 2024-01-01..2026-11-30 "
        f"(chinesecalendar: first {len(cc_starts):,})"
    )
    print(f"{'library':40} {'total':>10} {'per call':>12} {'ours is':>10}")
    for name, secs in per.items():
        calls = len(cc_starts) if name.startswith("chinese") else len(starts)
        ratio = secs / per["WorkCalendar.add_workdays"]
        print(f"{name:40} {secs * calls * 1000:8.1f}ms {secs * 1e6:10.3f}µs {ratio:9.0f}x")

    flat = random_dates(args.calls, date(2024, 1, 1), date(2025, 6, 30), seed=7)
    n1 = best_of(args.repeat, lambda: [add(d, 1) for d in flat]) / len(flat)
    n250 = best_of(args.repeat, lambda: [add(d, 250) for d in flat]) / len(flat)
    print(f"\nn = 1:   {n1 * 1e6:.3f} µs per call")
    print(f"n = 250: {n250 * 1e6:.3f} µs per call  (ratio {n250 / n1:.2f})")

    agree = provisional_section(args, starts, cn)

    speedup = per["holidays get_nth_working_day"] / per["WorkCalendar.add_workdays"]
    ok = agree and bad_h == 0 and bad_c == 0 and speedup >= 50 and n250 / n1 <= 1.5
    print(
        f"\ntargets: >= 50x holidays: {speedup:.0f}x; n=250/n=1 <= 1.5: {n250 / n1:.2f}; "
        f"agreement: {'yes' if bad_h == bad_c == 0 else 'NO'} -> {'met' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


def provisional_section(
    args: argparse.Namespace, official_starts: list[date], cn: holidays.HolidayBase
) -> bool:
    """Years without a notice: cold builds, per-call cost, bounds, agreement with holidays."""
    t0 = time.perf_counter()
    cold = WorkCalendar.china(provisional=True).with_overlay(CalendarOverlay("bench"))
    cold.add_workdays(date(2027, 1, 1), 1)
    best_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    cold.earliest.add_workdays(date(2027, 1, 1), 1)
    cold.latest.add_workdays(date(2027, 1, 1), 1)
    variants_ms = (time.perf_counter() - t0) * 1000
    print(
        f"\ncold: provisional calendar + index 2004-2100: {best_ms:.1f} ms; "
        f"earliest and latest variants: {variants_ms:.1f} ms (once per calendar, on first use)"
    )
    strict = WorkCalendar.china()
    prov = WorkCalendar.china(provisional=True)
    for cal in (prov, prov.earliest, prov.latest):
        cal.add_workdays(date(2027, 1, 1), 1)
    starts = random_dates(args.calls, date(2026, 6, 1), date(2028, 11, 30), seed=2027)
    timings: dict[str, list[float]] = {"strict": [], "provisional": [], "bounds": [], "date": []}
    few = starts[: args.calls // 10]
    for _ in range(args.repeat):  # interleaved, best of each
        timings["strict"].append(
            best_of(1, lambda: [strict.add_workdays(d, 20) for d in official_starts])
        )
        timings["provisional"].append(
            best_of(1, lambda: [prov.add_workdays(d, 20) for d in starts])
        )
        timings["date"].append(best_of(1, lambda: [due_date(prov, d, 20) for d in few]))
        timings["bounds"].append(best_of(1, lambda: [due_bounds(prov, d, 20) for d in few]))
    strict_us = min(timings["strict"]) / len(official_starts) * 1e6
    prov_us = min(timings["provisional"]) / len(starts) * 1e6
    date_us = min(timings["date"]) / len(few) * 1e6
    bounds_us = min(timings["bounds"]) / len(few) * 1e6
    print(
        f"+20 WD, {len(starts):,} random starts 2026-06-01..2028-11-30 (best of {args.repeat}, interleaved)"
    )
    print(f"  add_workdays, strict calendar, official starts:   {strict_us:8.3f} µs per call")
    print(
        f"  add_workdays, provisional calendar (best):        {prov_us:8.3f} µs per call ({prov_us / strict_us:.2f}x)"
    )
    print(f"  timelimits.due_date, provisional:                 {date_us:8.3f} µs per call")
    print(
        f"  timelimits.due_bounds (best, earliest, latest):   {bounds_us:8.3f} µs per call ({bounds_us / date_us:.2f}x due_date)"
    )
    law = holidays.China(years=range(2026, 2030))
    differ = sum(prov.add_workdays(d, 20) != law.get_nth_working_day(d, 20) for d in few)
    dues = [due_bounds(prov, d, 20) for d in starts]
    uncertain = [d for d in dues if not d.exact]
    widths = sorted((d.latest - d.earliest).days for d in uncertain)
    print(
        f"  holidays (law-only extrapolation) differs from the best estimate on {differ} of {len(few):,}; "
        f"uncertain dates: {len(uncertain):,} of {len(dues):,}, width median "
        f"{widths[len(widths) // 2] if widths else 0} / max {widths[-1] if widths else 0} calendar days"
    )
    return differ == 0


if __name__ == "__main__":
    sys.exit(main())
