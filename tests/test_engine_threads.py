"""One Engine shared by several threads gives what one thread gives (docs/engine.md,
"Sharing an engine between threads")."""

from __future__ import annotations

import sys
import threading
from datetime import timedelta

from test_engine import CP_MATERIALS, ROOT, WorkCalendar, t

from approval_rules.engine import Engine
from approval_rules.loader import load_catalogue

CATALOGUE = load_catalogue(ROOT / "matters")
APPLICANT = {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
             "is_affordable_housing": False}  # fmt: skip
STEPS = [("accept", "wang_yueqin"), ("pass", "fu_hong"), ("pass", "ai_wei"), ("pass", "yu_ying"),
         ("pass", "zheng_can"), ("pass", "wang_wei"), ("pass", "shen_weidong")]  # fmt: skip


def _run(engine: Engine, worker: int, cases: int) -> list[str]:
    """Cases of one worker: submitted, listed and acted on; their JSON and listings."""
    out = []
    for n in range(cases):
        at = t("2025-09-26 09:00") + timedelta(minutes=n)
        case = engine.submit("construction_permit", APPLICANT, CP_MATERIALS, at=at,
                             actor="acme", case_id=f"w{worker}-{n}")  # fmt: skip
        for hours, (action, actor) in enumerate(STEPS, start=1):
            at += timedelta(days=1, hours=hours)
            listed = engine.available_actions(case, at)
            out.append(repr([a.to_dict() for a in listed]))
            case = engine.act(case, action, at=at, actor=actor)
        out.append(case.to_json())
        out.append(repr(engine.deadlines(case, at).to_dict()))
    return out


def test_threads_sharing_one_engine_get_what_one_thread_gets() -> None:
    """Eight threads on one fresh engine (empty caches) match a single-threaded run."""
    workers, cases = 8, 6
    alone = Engine(CATALOGUE, WorkCalendar.china())
    expected = {w: _run(alone, w, cases) for w in range(workers)}

    shared = Engine(CATALOGUE, WorkCalendar.china())
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(worker: int) -> None:
        try:
            start.wait()
            results[worker] = _run(shared, worker, cases)
        except BaseException as err:  # reported below, with the thread's error
            errors.append(err)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert results == expected
