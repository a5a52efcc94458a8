"""Per-action costs as a case's history grows: 9, 99 and 999 events.

A case of a 4-step matter (accept → review → approve → close, where approve may send
the case back to review) runs a send-back loop until its record holds N events; then
each operation below is timed on that case, many times, and the median is printed:

* ``act``: one more action (send-back) on the case as ``act`` returned it (each
  sample on a case whose log is its own, so that the append is the plain one);
* ``act event_id``: the same action with a caller's ``event_id``, on the case read back
  from its JSON (a host that keeps cases as JSON and retries with ids);
* ``deadlines``: ``Engine.deadlines`` on the case read back from its JSON;
* ``to_json``: writing the case after one more action, for a host that saves the case
  after every action;
* ``from_json``: reading the case back (``trusted=True``: the snapshot alone, as measured
  before issue #12 made the proof by the events the default, see bench_restore.py);
* ``replay``: rebuilding the case from its record (linear by nature).

None of the first five should grow with the history (``replay`` does).  Run::

    python benchmarks/bench_history.py [--sizes 9 99 999] [--repeat 300]
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from approval_rules.audit import EventLog
from approval_rules.engine import Case, Engine
from approval_rules.loader import load_catalogue_text
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")

DEFINITIONS = """
kind: definitions
departments:
  - {id: office, name: 审批局}
people:
  - {id: clerk, name: 窗口受理员, department: office, backup: clerk_b}
  - {id: clerk_b, name: 窗口受理员乙, department: office, backup: clerk}
  - {id: reviewer, name: 审查员, department: office, backup: clerk_b}
  - {id: chief, name: 局长, department: office, backup: clerk_b}
"""

MATTER = """
kind: matter
id: loop_permit
name: 循环许可
catalogue_code: "LOOP001"
implementation_code: "LOOP001-01"
matter_type: administrative_license
lead_department: office
legal_basis: [{law: 中华人民共和国行政许可法, article: 第四十二条}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
materials:
  - {id: application_form, name: 申请表}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [clerk], time_limit: {value: 1}}
  - {id: review, name: 审查, kind: review, signers: [reviewer], after: [accept],
     time_limit: {value: 3}}
  - {id: approve, name: 决定, kind: decide, signers: [chief], after: [review],
     decides: true, send_back_to: [review], time_limit: {value: 2}}
  - {id: close, name: 办结, kind: close, signers: [clerk], after: [approve],
     time_limit: {value: 1}}
result: {name: 许可证}
"""

START = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
STEP = timedelta(seconds=1)


def make_engine() -> Engine:
    catalogue = load_catalogue_text({"definitions.yaml": DEFINITIONS, "loop.yaml": MATTER})
    engine = Engine(catalogue, WorkCalendar.china())
    engine.process("loop_permit")
    return engine


def grow(engine: Engine, events: int) -> tuple[Case, datetime]:
    """A case whose record holds ``events`` events (odd, at least 3): approve is open.

    Saved as JSON after every action, as a host that keeps cases as JSON would.
    """
    at = START
    case = engine.submit(
        "loop_permit", {}, {"application_form": "paper"}, at=at, actor="applicant",
        case_id="loop-1",
    )  # fmt: skip
    case.to_json()
    at += STEP
    case = engine.act(case, "accept", at=at, actor="clerk")
    case.to_json()
    while case.version < events:
        at += STEP
        if "approve" in case.open_steps:
            case = engine.act(case, "send_back", at=at, actor="chief", reason="补充说明")
        else:
            case = engine.act(case, "pass", at=at, actor="reviewer")
        case.to_json()
    assert case.version == events, case.version
    assert case.open_steps == ("approve",)
    return case, at


def _own_log(case: Case) -> Case:
    """The case with a log of its own (as if it had been built alone), so that the
    next append is the plain one rather than a branch off a log shared with others.
    """
    if hasattr(EventLog, "of"):
        return case._replace(events=EventLog.of(tuple(case.events)))
    return case  # an engine whose logs are tuples: nothing is shared


def timings(engine: Engine, case: Case, at: datetime) -> dict[str, Callable[[int], float]]:
    """Each operation as a function of an iteration number that returns seconds spent."""
    text = case.to_json()
    later = at + STEP

    def act(i: int) -> float:
        mine = _own_log(case)
        began = time.perf_counter()
        engine.act(mine, "send_back", at=later, actor="chief", reason="补充说明")
        return time.perf_counter() - began

    def act_event_id(i: int) -> float:
        restored = Case.from_json(text, trusted=True)
        began = time.perf_counter()
        engine.act(restored, "send_back", at=later, actor="chief", reason="补充说明",
                   event_id=f"retry-{i}")  # fmt: skip
        return time.perf_counter() - began

    def deadlines(i: int) -> float:
        restored = Case.from_json(text, trusted=True)
        began = time.perf_counter()
        engine.deadlines(restored, later)
        return time.perf_counter() - began

    def to_json(i: int) -> float:
        mine = _own_log(case)
        mine.to_json()  # saved after the action before
        after = engine.act(mine, "send_back", at=later, actor="chief", reason="补充说明")
        began = time.perf_counter()
        after.to_json()
        return time.perf_counter() - began

    def from_json(i: int) -> float:
        began = time.perf_counter()
        Case.from_json(text, trusted=True)
        return time.perf_counter() - began

    def replay(i: int) -> float:
        events = Case.from_json(text, trusted=True).events
        tuple(events)  # decoded outside the timing: replay verifies and folds
        began = time.perf_counter()
        engine.replay(events)
        return time.perf_counter() - began

    return {
        "act": act,
        "act event_id (restored)": act_event_id,
        "deadlines (restored)": deadlines,
        "to_json (saved after each action)": to_json,
        "from_json": from_json,
        "replay": replay,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[9, 99, 999])
    parser.add_argument("--repeat", type=int, default=300, help="timed calls per cell")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args(argv)
    engine = make_engine()
    cells: dict[int, dict[str, Callable[[int], float]]] = {}
    for size in args.sizes:
        case, at = grow(engine, size)
        cells[size] = timings(engine, case, at)
    samples: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for size, ops in cells.items():
            for name, op in ops.items():
                repeat = args.repeat if name != "replay" else max(3, args.repeat // 10)
                op(0)  # warm
                gc.collect()
                got = samples.setdefault((name, size), [])
                got.extend(op(i) for i in range(repeat))
    print(
        f"python {platform.python_version()} on {platform.machine()}, median µs of "
        f"{args.rounds} × {args.repeat} calls (replay: a tenth)"
    )
    names = list(next(iter(cells.values())))
    print(f"{'events':34}" + "".join(f"{size:>10}" for size in args.sizes) + f"{'last/first':>12}")
    for name in names:
        row = [statistics.median(samples[name, size]) * 1e6 for size in args.sizes]
        cols = "".join(f"{v:10.1f}" for v in row)
        print(f"{name:34}{cols}{row[-1] / row[0]:11.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
