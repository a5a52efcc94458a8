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

**The store-backed sweep** (``--sweep``; ``--open`` default 10,000 and 1,000,000,
``--due`` default 10,000): one SQLite store per size holding ``--open`` open cases, of
which ``--due`` have an alarm due at the sweep's moment (planning permits accepted Fri
2025-09-26, swept Sun 9/28 09:00: each has its first step prompt due).  The due cases
are real: run by the engine and saved through ``CaseStore.save`` with the alarm index
(the time per save with and without the index is printed).  The others are written in
bulk as what the sweep could touch of them — a case row and nine alarm rows each,
firing 1 to 90 days after the sweep, as many rows as a real open case has — and no
events (the sweep never reads a case that is not due: that is what is measured).
Reported: the sweep's wall and CPU time, the alerts recorded, and the ratio of the
largest store to the smallest (within 2× is the target: the cost follows the alerts).

Run (long: nice it)::

    nice -n 10 python benchmarks/bench_supervision.py [--cases 100000 1000000] [--pool 2000]
    nice -n 10 python benchmarks/bench_supervision.py --sweep [--open 10000 1000000] [--due 10000]
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
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


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1200, "height": 1600}
CONSTRUCTION = (
    "construction_permit",
    {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
     "is_affordable_housing": False},
    {"application_form": both(JPG, {**JPG, "name": "p2.jpg"}), "land_approval": both(JPG),
     "contractor_selected": both(JPG), "drawing_review_certificate": both(JPG),
     "quality_safety_measures": both(JPG), "funding_commitment": both(JPG),
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


PLANNING_MATERIALS = {"application_form": "paper", "land_use_documents": "paper",
            "project_approval": ["approval.pdf"], "design_scheme": "paper"}  # fmt: skip
SWEEP_AT = datetime(2025, 9, 28, 9, 0, tzinfo=TZ)


def due_cases(engine: Engine, count: int) -> list[Case]:
    """Planning permits accepted on Fri 9/26 between 09:00 and 16:59 (ids D-…)."""
    out = []
    for n in range(count):
        at = datetime(2025, 9, 26, 9, tzinfo=TZ) + timedelta(seconds=n % 28_800)
        case = engine.submit("planning_permit", {"project_kind": "新建"}, PLANNING_MATERIALS, at=at,
                             actor="acme", case_id=f"D-{n:07d}")  # fmt: skip
        out.append(engine.act(case, "accept", at=at, actor="li_juan"))
    return out


def filler(store: Any, template: Case, count: int, rnd: random.Random) -> float:
    """``count`` open cases as their case row and nine alarm rows each, not due."""
    began = time.perf_counter()
    head = store._backend.read(
        "SELECT matter_id, matter_hash, department, status, version, head, last_at "
        "FROM cases WHERE id = ?", (template.id,))[0]  # fmt: skip
    rules = [key.split("|", 1)[1] for _, key in store.alarms(template)]
    chunk = 50_000
    for start in range(0, count, chunk):
        ids = [f"F-{n:07d}" for n in range(start, min(count, start + chunk))]
        alarms = sorted(
            ((SWEEP_AT + timedelta(days=rnd.randint(1, 90))).astimezone(UTC)
             .strftime("%Y-%m-%dT%H:%M:%SZ"), cid, f"{cid}|{rule}")
            for cid in ids for rule in rules
        )  # fmt: skip
        with store._backend.transaction(write=True) as tx:
            tx.many("INSERT INTO cases (id, matter_id, matter_hash, department, status, version, "
                    "head, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(cid, *head) for cid in ids])  # fmt: skip
            tx.many("INSERT INTO alarms (fire_at, case_id, key) VALUES (?, ?, ?)", alarms)
    return time.perf_counter() - began


def sweeps(engine: Engine, watch: Supervisor, sizes: list[int], due: int) -> None:
    from approval_rules.store import open_store
    from approval_rules.supervision import alarm_rows, sweep

    began = time.perf_counter()
    cases = due_cases(engine, due)
    print(f"{due:,} due cases made in {time.perf_counter() - began:.1f} s")
    folder = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    results: dict[int, float] = {}
    print(f"{'open cases':>11} {'due':>7} {'fill s':>7} {'sweep wall s':>13} {'CPU s':>7} "
          f"{'alerts':>7} {'ms/alert':>9} {'index rows':>11}")  # fmt: skip
    for size in sizes:
        url = f"sqlite:///{folder}/sweep-{size}.db"
        with open_store(url, engine=engine, alarms=alarm_rows(watch)) as store:
            store._backend._conn.execute("PRAGMA synchronous = OFF")  # filling: no fsync
            began = time.process_time()
            for case in cases:
                store.save(case, expected_version=0)
            saving = time.process_time() - began
            fill = filler(store, cases[0], size - due, random.Random(size))
            with store._backend.transaction(write=True) as tx:
                tx.run("ANALYZE")
            rows = store._backend.read("SELECT COUNT(*) FROM alarms")[0][0]
            store._backend.read("PRAGMA wal_checkpoint(TRUNCATE)")
            # commits do not wait for the disk (still OFF): what is left is the sweep's own
            # work (the fsync per saved case is the same at any size and varies on a shared
            # machine)
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            swept = sweep(store, SWEEP_AT, watch)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            again = sweep(store, SWEEP_AT, watch)
            assert again.alerts == (), "a second sweep recorded something"
            assert again.cases == 0, "a second sweep read a case"
            results[size] = cpu
            print(f"{size:>11,} {swept.cases:>7,} {fill:>7.1f} {wall:>13.1f} {cpu:>7.1f} "
                  f"{len(swept.alerts):>7,} {wall / max(1, len(swept.alerts)) * 1e3:>9.2f} "
                  f"{rows:>11,}   (saving the due cases: {saving / due * 1e3:.2f} ms CPU each)")  # fmt: skip
        for path in folder.glob(f"sweep-{size}.db*"):
            path.unlink()
    small, large = min(results), max(results)
    print(f"\n{large:,} vs {small:,} open cases, equal alerts: "
          f"{results[large] / results[small]:.2f}× the CPU time")  # fmt: skip
    some = cases[:2000]
    for name, alarms in (("without", None), ("with", alarm_rows(watch))):
        with open_store(f"sqlite:///{folder}/{name}.db", engine=engine, alarms=alarms) as one:
            one._backend._conn.execute("PRAGMA synchronous = OFF")
            began = time.process_time()
            for case in some:
                one.save(case, expected_version=0)
            took = (time.process_time() - began) / len(some) * 1e3
        print(f"saving a new case {name} the alarm index: {took:.2f} ms of CPU "
              f"({len(some):,} cases)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--pool", type=int, default=2000)
    parser.add_argument("--sweep", action="store_true", help="the store-backed sweep only")
    parser.add_argument("--open", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()
    catalogue = load_catalogue(ROOT / "matters")
    calendar = WorkCalendar.china()
    engine = Engine(catalogue, calendar)
    rules = load_supervision(ROOT / "matters" / "supervision.yaml", catalogue=catalogue)
    watch = Supervisor(rules, catalogue, calendar)
    if args.sweep:
        sweeps(engine, watch, sorted(args.open), args.due)
        return
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
