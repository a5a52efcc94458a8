"""What the engine's edge costs: ``submit`` and ``act`` with and without the bounds.

The bounds (``engine/bounds.py``: ids, texts, numbers, nesting of what a caller hands
in, issue #14) run before any rule on every ``submit`` and ``act``.  This times both
calls on the bundled construction permit (7 materials, 6 files with 4 fields each; a
``pass`` with an opinion) as the engine runs them, and with the facade's two bounds
functions replaced by no-ops, interleaved in one process, and prints the medians and
their ratio for each round.  Run::

    python benchmarks/bench_bounds.py [--rounds 7] [--number 500]
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import approval_rules.engine.facade as facade
from approval_rules.engine import Case, Engine
from approval_rules.loader import load_catalogue
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
APPLICANT = {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
             "is_affordable_housing": False}  # fmt: skip
MATERIALS: dict[str, Any] = {
    **{m: both(JPG) for m in ("application_form", "land_approval", "contractor_selected",
                          "drawing_review_certificate", "quality_safety_measures",
                          "funding_commitment")},
    "construction_drawings": "paper",
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=500)
    args = parser.parse_args()
    engine = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
    at = datetime(2025, 9, 26, 9, 0, tzinfo=TZ)

    def submit() -> Case:
        return engine.submit("construction_permit", APPLICANT, MATERIALS, at=at, actor="acme")

    case = engine.act(submit(), "accept", at=at, actor="wang_yueqin")

    def act() -> Case:
        return engine.act(case, "pass", at=at, actor="fu_hong", opinion="同意，材料齐全")

    real = (facade.check_input, facade.caller_id)

    def bounds(on: bool) -> None:
        if on:
            facade.check_input, facade.caller_id = real
        else:
            facade.check_input = lambda *a, **k: None  # type: ignore[assignment]
            facade.caller_id = lambda value, what: value  # type: ignore[assignment]

    calls: dict[str, Callable[[], Case]] = {"submit": submit, "act": act}
    for name, call in calls.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.rounds):
            for on in (True, False):
                bounds(on)
                best = min(timeit.repeat(call, number=args.number, repeat=3))
                times[on].append(best / args.number * 1e6)
        bounds(True)
        with_, without = statistics.median(times[True]), statistics.median(times[False])
        ratios = [a / b for a, b in zip(times[True], times[False], strict=True)]
        print(
            f"{name:6}: with bounds {with_:7.1f} µs, without {without:7.1f} µs (medians); "
            f"ratio per round {min(ratios):.2f}–{max(ratios):.2f}, of medians "
            f"{with_ / without:.2f}"
        )


if __name__ == "__main__":
    main()
