"""Benchmark: official documents and notifications (issue 15).

Run:  python benchmarks/bench_notify.py [--messages 1000] [--repeat 3] [--pdf 3]

* ``documents``: for every bundled scenario's case, :func:`case_documents` (the log folded
  again, event by event) and :func:`render_documents` (the Jinja2 pages), per case and
  per document; best of ``--repeat``.
* ``pdf``: ``--pdf`` documents printed with the library's path, one headless Chromium
  process per document (``chromium --print-to-pdf``), side by side with printing the
  same pages from one running Chromium through Playwright (the test harness): what the
  process start costs.  Skipped when Chromium or Playwright is missing.
* ``intents``: :func:`notification_intents` over every bundled case's whole log (per
  event), with the bundled rules.
* ``outbox``: ``--messages`` intents added to a fresh SQLite store's outbox (one
  transaction), then sent by :func:`dispatch` through the file gateway (a claim, a
  write to the file and a settling transaction per message): messages per second.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from approval_rules import load_catalogue, open_store
from approval_rules.catalogue import Catalogue
from approval_rules.documents import (
    Document,
    case_documents,
    print_pdf,
    render_documents,
    write_documents,
)
from approval_rules.engine import Case, Engine
from approval_rules.notify import FileGateway, dispatch, load_notifications, notification_intents
from approval_rules.scenario import load_scenario, run_scenario
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")


def _best(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf", type=int, default=3)
    args = parser.parse_args()

    catalogue = load_catalogue(ROOT / "matters")
    engine = Engine(catalogue, WorkCalendar.china())
    cases: list[Case] = []
    for path in sorted((ROOT / "matters" / "scenarios").glob("*.yaml")):
        case = run_scenario(load_scenario(path), engine).case
        assert case is not None
        cases.append(case)
    events = sum(c.version for c in cases)

    built = _best(lambda: [case_documents(c, catalogue) for c in cases], args.repeat)
    documents = [d for c in cases for d in case_documents(c, catalogue)]
    rendered = _best(lambda: render_documents(documents), args.repeat)
    print(f"documents: {len(cases)} cases, {events} events, {len(documents)} documents")
    print(f"  case_documents   {built * 1e3:8.2f} ms  {built / len(cases) * 1e3:6.3f} ms/case")
    print(f"  render_documents {rendered * 1e3:8.2f} ms  "
          f"{rendered / len(documents) * 1e3:6.3f} ms/document")  # fmt: skip

    if args.pdf and shutil.which("chromium"):
        _pdf(documents[: args.pdf])
    _notify(cases, catalogue, events, args.repeat, args.messages)


def _pdf(chosen: list[Document]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_documents(chosen, out)
        start = time.perf_counter()
        for d in chosen:
            print_pdf(out / f"{d.name}.html", out / f"{d.name}.pdf")
        one_each = (time.perf_counter() - start) / len(chosen)
        print(f"pdf: chromium --print-to-pdf, one process each: {one_each * 1e3:8.0f} ms/doc")
        try:
            import sys

            sys.path.insert(0, str(ROOT / "tests"))
            from browser import Browser  # the test harness (Playwright)
        except ImportError:
            print("pdf: Playwright not installed; the shared-browser peer is skipped")
        else:
            with Browser() as browser:
                start = time.perf_counter()
                for d in chosen:
                    browser.print_pdf(out / f"{d.name}.html", out / f"{d.name}-pw.pdf")
                shared = (time.perf_counter() - start) / len(chosen)
            print(f"pdf: one running Chromium (Playwright):   {shared * 1e3:8.0f} ms/doc")


def _notify(
    cases: list[Case], catalogue: Catalogue, events: int, repeat: int, messages: int
) -> None:
    rules = load_notifications(ROOT / "matters" / "notifications.yaml", catalogue=catalogue)
    intents = _best(
        lambda: [notification_intents(rules, None, c, catalogue) for c in cases], repeat
    )
    made = [i for c in cases for i in notification_intents(rules, None, c, catalogue)]
    print(f"intents: {len(made)} from {events} events: {intents * 1e3:.2f} ms, "
          f"{intents / events * 1e6:.1f} µs/event")  # fmt: skip

    template = made[0]
    many = [replace(template, key=f"k{n:06d}", case_id=f"c{n:06d}") for n in range(messages)]
    with (
        tempfile.TemporaryDirectory() as folder,
        open_store(f"sqlite:///{folder}/cases.db") as store,
    ):
        start = time.perf_counter()
        store.outbox.add(many)
        added = time.perf_counter() - start
        at = datetime(2026, 1, 1, 9, tzinfo=TZ) + timedelta(days=1)
        gateway = FileGateway(Path(folder) / "sms.jsonl")
        start = time.perf_counter()
        sent = 0
        while True:
            report = dispatch(store, gateway, at, limit=500)
            if not report.sent:
                break
            sent += len(report.sent)
        sending = time.perf_counter() - start
    print(f"outbox: add {messages}: {added * 1e3:.1f} ms "
          f"({messages / added:,.0f}/s); dispatch {sent}: {sending * 1e3:.0f} ms "
          f"({sent / sending:,.0f} messages/s)")  # fmt: skip


if __name__ == "__main__":
    main()
