"""Supervision at scale: indicators over many decided cases, and the alert evaluator.

**Indicators** (``--cases``, default 100,000 and 1,000,000): the pipeline a report runs,
case by case — read the case from its stored JSON (``Case.from_json``), take its facts
(``case_facts``: working days used, outcome, steps, applicant time), count them into the
mergeable tallies by department and overall (``tally_each``).  The cases are a pool of
``--pool`` distinct construction and planning permits run by the engine (random review
times, some overdue, some refused or withdrawn, fees paid late), each read again from
its text on every use, so nothing is cached between uses; the measured loop holds one
case at a time.  Reported: time, µs per case, and the peak memory above the pool
(``ru_maxrss``), at each size, so that growth can be read (100k → 1M should be 10×
time and flat memory).

Side by side, on the smallest size: the same counts kept the naive way, every case's
working days in a list per group and percentiles from the sorted lists, which is what
the exact histogram replaces (its memory grows with the cases, the sketch's does not).

**Evaluator**: ``Supervisor.alerts`` per case on the open cases of the pool.

Run (long: nice it)::

    nice -n 10 python benchmarks/bench_supervision.py [--cases 100000 1000000] [--pool 2000]
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import resource
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from approval_rules.engine import Case, Engine
from approval_rules.errors import ActionNotAllowed
from approval_rules.loader import load_catalogue
from approval_rules.supervision import Supervisor, load_supervision
from approval_rules.supervision.facts import case_facts
from approval_rules.supervision.indicators import report, tally_each
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1200, "height": 1600}
CONSTRUCTION = (
    "construction_permit",
    {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
     "is_affordable_housing": False},
    {"application_form": [JPG, {**JPG, "name": "p2.jpg"}], "land_approval": [JPG],
     "contractor_selected": [JPG], "drawing_review_certificate": [JPG],
     "quality_safety_measures": [JPG], "funding_commitment": [JPG],
     "construction_drawings": "paper"},
    "dangyang_jiangong",
    [*(("pass", who, {"step": "section_review"})  # each signs their own section
       for who in ("fu_hong", "ai_wei", "yu_ying", "zheng_can")),
     ("pass", "wang_wei", {"step": "deputy_review"}),
     ("pass", "shen_weidong", {"step": "head_approval"}),
     ("record_payment", "chen_qian", {"amount": "60000.00", "receipt": "R"}),
     ("issue_certificate", "chen_qian", {"number": "C"}),
     ("deliver", "chen_qian", {"signed_by": "申请人"}),
     ("close", "wang_yueqin", {})],
    "wang_yueqin",
)  # fmt: skip
PLANNING = (
    "planning_permit",
    {"project_kind": "新建"},
    {"application_form": "paper", "land_use_documents": "paper",
     "project_approval": ["approval.pdf"], "design_scheme": "paper"},
    "acme",
    [("pass", "zhao_gang", {"step": "review"}),
     ("pass", "qian_yong", {"step": "site_survey"}),
     ("pass", "wu_bin", {"step": "decision"}),
     ("issue_certificate", "li_juan", {"number": "C"}),
     ("deliver", "li_juan", {"signed_by": "申请人"}),
     ("close", "li_juan", {})],
    "li_juan",
)  # fmt: skip


def one_case(engine: Engine, rnd: random.Random, n: int) -> Case:
    """A case accepted on a day of 2025, taken through its flow with random gaps (0–3
    days, so some run over); one in ten stops half-way (open), one in twenty is
    withdrawn."""
    matter, applicant, materials, who, flow, window = rnd.choice((CONSTRUCTION, PLANNING))
    at = datetime(2025, 1, 6, 9, tzinfo=TZ) + timedelta(days=rnd.randrange(330))
    case = engine.submit(matter, applicant, materials, at=at, actor=who, case_id=f"B-{n}")
    case = engine.act(case, "accept", at=at, actor=window)
    stop = len(flow) if rnd.random() > 0.1 else rnd.randrange(len(flow))
    if rnd.random() < 0.05:
        return engine.act(case, "withdraw", at=at + timedelta(days=1), actor=who, reason="撤回")
    for action, actor, details in flow[:stop]:
        at += timedelta(days=rnd.choice((0, 0, 1, 1, 2, 3)), hours=1)
        try:
            case = engine.act(case, action, at=at, actor=actor, **details)
        except ActionNotAllowed:
            break
    return case


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def texts(pool: list[str], count: int) -> Iterator[str]:
    for n in range(count):
        yield pool[n % len(pool)]


def indicators(pool: list[str], count: int, watch: Supervisor) -> tuple[tuple[float, float], Any]:
    reporting = watch.rules.document.reporting
    start = datetime(2025, 1, 1).date()
    end = datetime(2025, 12, 31).date()

    def facts() -> Iterator[Any]:
        for text in texts(pool, count):
            case = Case.from_json(text, trusted=True)
            yield case_facts(case, process=watch.process(case.matter_id),
                             calendar=watch.calendar, reporting=reporting, tz=watch.tz)  # fmt: skip

    began, cpu = time.perf_counter(), time.process_time()
    found = tally_each(facts(), start=start, end=end, by=("department", "all"),
                       reporting=reporting)  # fmt: skip
    groups = report(found["department"], reporting)
    took = time.perf_counter() - began, time.process_time() - cpu
    return took, (groups, report(found["all"], reporting))


def naive(pool: list[str], count: int, watch: Supervisor) -> float:
    """Only the working days, kept as lists per group, percentiles from sorted lists: the
    floor of reading and taking facts, and what the histogram replaces (CPU seconds)."""
    reporting = watch.rules.document.reporting
    used: dict[str, list[int]] = defaultdict(list)
    began = time.process_time()
    for text in texts(pool, count):
        case = Case.from_json(text, trusted=True)
        f = case_facts(case, process=watch.process(case.matter_id), calendar=watch.calendar,
                       reporting=reporting, tz=watch.tz)  # fmt: skip
        if f.used is not None:
            used[f.department].append(f.used)
    for values in used.values():
        values.sort()
        statistics.quantiles(values, n=10)
    return time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--pool", type=int, default=2000)
    args = parser.parse_args()
    catalogue = load_catalogue(ROOT / "matters")
    calendar = WorkCalendar.china()
    engine = Engine(catalogue, calendar)
    rules = load_supervision(ROOT / "matters" / "supervision.yaml", catalogue=catalogue)
    watch = Supervisor(rules, catalogue, calendar)
    rnd = random.Random(13)
    began = time.perf_counter()
    cases = [one_case(engine, rnd, n) for n in range(args.pool)]
    pool = [c.to_json() for c in cases]
    print(f"python {platform.python_version()}, {platform.machine()}; pool of {len(pool)} "
          f"cases made in {time.perf_counter() - began:.1f} s; "
          f"{sum(c.status.value == 'closed' for c in cases)} closed")  # fmt: skip

    gc.collect()
    base = rss_mb()
    print("\nindicators (from_json → case_facts → tally by department and overall):")
    print(f"{'cases':>10} {'wall s':>8} {'CPU s':>8} {'CPU µs/case':>12} "
          f"{'peak MB above pool':>19}")  # fmt: skip
    for count in args.cases:
        (wall, cpu), (groups, overall) = indicators(pool, count, watch)
        print(f"{count:>10,} {wall:>8.1f} {cpu:>8.1f} {cpu / count * 1e6:>12.1f} "
              f"{rss_mb() - base:>19.1f}")  # fmt: skip
    on_time = overall[0].rates["on_time"]
    print(f"  overall: {overall[0].counts['completed']:,} concluded, on time "
          f"{on_time.numerator:,}/{on_time.denominator:,}; {len(groups)} departments")  # fmt: skip

    small = min(args.cases)
    (_, sketch), _ = indicators(pool, small, watch)
    before = rss_mb()
    listed = naive(pool, small, watch)
    print(
        f"\nside by side at {small:,} (CPU): the indicators with histogram sketches "
        f"{sketch:.1f} s; only the working days, kept as lists per department, "
        f"{listed:.1f} s ({listed / sketch:.2f}×); peak +{rss_mb() - before:.1f} MB"
    )

    at = datetime(2025, 12, 31, 23, 59, tzinfo=TZ)
    open_cases = [c for c in cases if not c.is_terminal]
    began = time.perf_counter()
    rounds = 0
    while time.perf_counter() - began < 5:
        for case in open_cases:
            watch.alerts(case, at)
        rounds += 1
    took = (time.perf_counter() - began) / (rounds * len(open_cases))
    print(
        f"\nevaluator: Supervisor.alerts {took * 1e6:.0f} µs per open case "
        f"({len(open_cases)} open cases, {rounds} rounds)"
    )


if __name__ == "__main__":
    sys.exit(main())
