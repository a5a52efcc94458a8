"""Restoring a case from JSON as its history grows: snapshot (case@2) against a fold.

``Case.from_json`` reads the header and the state snapshot and keeps the events as
text; the first serial form (case@1) parsed every event and folded it.  This script
measures both on the benchmark process of ``bench_engine.py``, after 6 events and
after 30 (the same case with 12 one-day clock stops, e.g. hearings, during the review), in one process run:

* ``trusted``: the snapshot alone (``Case.from_json(text, trusted=True)``), for text
  the host wrote and kept where nobody else writes;
* ``from_json``: the default read, which proves the snapshot by verifying the chain
  and folding the stored events (issue #12, trust in what is read back);
* ``parse + fold``: the case@1 way, reproduced with today's functions (each event
  parsed with ``json.loads`` and ``Event.from_dict``, then ``engine.fold``).

Run::

    python benchmarks/bench_restore.py [--repeat 2000]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import timeit
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import ACTIONS, HOUR, START, make_engine

from approval_rules.audit import GENESIS, Event
from approval_rules.engine import Case, Engine, fold

DAY = timedelta(days=1)


def build(engine: Engine, stops: int) -> Case:
    """The benchmark case, with ``stops`` clock stops started and ended after acceptance."""
    at = START
    case = engine.submit(
        "bench_permit", {}, {"application_form": "paper"}, at=at, actor="applicant",
        case_id="restore-1",
    )  # fmt: skip
    for index, (action, actor, details) in enumerate(ACTIONS):
        at += HOUR
        case = engine.act(case, action, at=at, actor=actor, **details)
        if index == 0:
            for n in range(stops):  # one a day: a stop starts after the last one's day
                at += DAY
                case = engine.act(
                    case, "start_clock_stop", at=at, actor="reviewer_a", kind="hearing",
                    notice=f"听证通知 {n}",
                )  # fmt: skip
                at += HOUR
                case = engine.act(case, "end_clock_stop", at=at, actor="reviewer_a")
    return case


def parse_and_fold(text: str) -> Case:
    events = []
    prev = GENESIS
    for item in json.loads(text)["events"]:
        event = Event.from_dict(item, prev)
        events.append(event)
        prev = event.hash
    return fold(events)


def best(read: Callable[[str], Case], text: str, repeat: int) -> float:
    """µs per read, best of 5 runs of ``repeat`` reads."""
    timer = timeit.Timer(lambda: read(text))
    return min(timer.repeat(5, repeat)) / repeat * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000, help="reads per measurement")
    args = parser.parse_args(argv)
    engine = make_engine()
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"best of 5 × {args.repeat} reads")  # fmt: skip
    print(f"{'events':>6} {'case JSON':>10} {'trusted µs':>11} {'from_json µs':>13} "
          f"{'parse + fold µs':>16}")  # fmt: skip
    for stops in (0, 12):
        case = build(engine, stops)
        text = case.to_json()
        assert Case.from_json(text) == case == parse_and_fold(text)

        snapshot = best(lambda t: Case.from_json(t, trusted=True), text, args.repeat)
        proved = best(Case.from_json, text, args.repeat)
        folded = best(parse_and_fold, text, args.repeat)
        print(f"{case.version:6} {len(text.encode()):9} B {snapshot:11.1f} {proved:13.1f} "
              f"{folded:16.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
