"""Benchmark: publishing the service guides (``approval-rules guide``), side by side with Graphviz.

Run:  python benchmarks/bench_guide.py [--matters 70 700] [--repeat 3] [--seed 0]

* ``cli``: the command a user runs, ``approval-rules guide matters/ --out DIR``, as a
  new process (interpreter start, imports, loading, compiling, drawing, rendering,
  writing), on the bundled catalogue.  Target (issue 15): under 5 s.
* For the bundled catalogue and generated ones of ``--matters`` matters (about 20 steps
  each, ``benchmarks/_catalogue_gen.py``; 70 and 700 are 10x and 100x the bundled
  seven), timed in this process, best of ``--repeat``, wall clock and CPU (this process
  plus its child processes, so Graphviz's own time counts):

  - ``site``: ``write_site``: compile every matter, build its guide, draw every flow
    chart, render the pages and write them;
  - ``graphviz``: the same flow charts drawn by one ``dot`` run alone, the floor no
    guide generator that draws with Graphviz can go under (the peer);
  - ``dot per matter``: one ``dot -Tsvg`` run per matter, as
    ``approval-rules graph ID --format dot | dot -Tsvg`` does: what batching saves.

Prints the ratio site / graphviz: how much of the time is ours rather than Graphviz's.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _catalogue_gen import generate_catalogue  # benchmarks/ is on sys.path when run as a script

from approval_rules.compiler import compile_matter
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.publication import build_guide, write_site
from approval_rules.publication.flowchart import flowchart_dot, render_svg

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best (wall seconds, CPU seconds incl. child processes) of ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        w0, c0 = time.perf_counter(), _cpu()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(_cpu() - c0)
    return min(wall), min(cpu)


def _dot_per_matter(sources: list[str], dot: str) -> None:
    for source in sources:
        subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True, check=True)


def measure(name: str, catalogue: Catalogue, repeat: int) -> dict[str, Any]:
    """Timings for one catalogue."""
    dot = shutil.which("dot")
    if dot is None:
        raise SystemExit("Graphviz (dot) is not installed")
    processes = [compile_matter(m, catalogue) for m in catalogue.matters.values()]
    sources = [flowchart_dot(p, build_guide(p, catalogue)) for p in processes]
    row: dict[str, Any] = {"catalogue": name, "matters": len(processes)}
    with tempfile.TemporaryDirectory() as out:
        write_site(catalogue, out)  # warm: imports, template compilation
        row["site"] = _best(lambda: write_site(catalogue, out), repeat)
    row["graphviz"] = _best(lambda: render_svg(sources), repeat)
    row["dot per matter"] = _best(lambda: _dot_per_matter(sources, dot), repeat)
    return row


def measure_cli(repeat: int) -> tuple[float, float]:
    """``approval-rules guide matters/ --out DIR`` as a new process, best of ``repeat``."""
    command = [sys.executable, "-m", "approval_rules", "guide", str(ROOT / "matters")]
    with tempfile.TemporaryDirectory() as out:
        return _best(
            lambda: subprocess.run([*command, "--out", out], check=True, capture_output=True),
            repeat,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matters", type=int, nargs="*", default=[70, 700])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    dot_version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    print(dot_version)
    wall, cpu = measure_cli(args.repeat)
    verdict = "met" if wall < 5 else "NOT met"
    print(f"cli: approval-rules guide matters/ --out DIR: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"target < 5 s for the bundled catalogue: {verdict}")
    rows = [measure("bundled", load_catalogue(ROOT / "matters"), args.repeat)]
    for n in args.matters:
        generated = load_catalogue_text(generate_catalogue(n, args.seed))
        rows.append(measure(f"generated {n}", generated, args.repeat))
    print()
    print("| catalogue | matters | stage | wall | CPU | per matter wall | site / stage |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for row in rows:
        n = row["matters"]
        for stage in ("site", "graphviz", "dot per matter"):
            wall, cpu = row[stage]
            ratio = row["site"][0] / wall
            print(
                f"| {row['catalogue']} | {n} | {stage} | {wall * 1000:.0f} ms | "
                f"{cpu * 1000:.0f} ms | {wall / n * 1000:.1f} ms | {ratio:.2f} |"
            )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (last["site"][0] / last["matters"]) / (first["site"][0] / first["matters"])
        print(
            f"growth of site time per matter, {last['matters']} vs {first['matters']} "
            f"matters: {growth:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
