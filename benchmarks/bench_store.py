"""The case store: actions per second, inbox and due-clock latency, bytes per case.

For each backend (a SQLite file; PostgreSQL on a throwaway cluster this script starts
with the server's default, durable settings, or ``--postgres URL``) one store per size
is filled (1,000, 10,000 and 100,000 cases, ``--sizes``), and the stores are then
measured side by side in interleaved rounds (``--rounds``), so that the machine's and
the disk's drift falls on every size alike.  In each round, for each size:

* the disk's fsync time (a small write to the same disk): the floor of a durable commit,
  which changes from minute to minute on a shared machine and not with the size;
* **actions**: ``--batch`` times, a reviewer loads a case waiting at its first review
  step, passes it and saves it (``load`` → ``engine.act`` → ``save``), each on another
  case, every save a durable commit; then as many again with commits not waiting for
  the disk (``*``): what is left is the store's own work, which must not grow with the
  number of cases;
* **inbox**: a reviewer's first page (20 items); **due**: the first 100 clocks run out.

Then, per size, the second step's calls (:func:`second_step`): the first 100 timers,
``advance_due`` over the 200 first due cases, ``store.act`` plain and merged over a
newer version (``--second-step-only`` measures just these).

Then, per size: the reviewer's whole inbox, every clock run out by a moment early in the
year, and **bytes per case** (SQLite's file after a checkpoint; PostgreSQL's tables with
indexes and TOAST, over the cases); at the smallest size a load taken apart, and side by
side the inbox as a host computes it without the store's index (load every open case,
ask ``available_actions``), the way issue #12 measured it; at the largest size the
query plans of the inbox and due queries (``EXPLAIN QUERY PLAN`` / ``EXPLAIN ANALYZE``).

Cases come from the bundled catalogue: three matters, submitted over 2025 (so their
clocks spread over the year), three in four accepted; they are generated once and
imported in bulk (``import_records``), each store settling afterwards as the database
would on its own.

Run::

    python benchmarks/bench_store.py [--sizes 1000 10000 100000] [--rounds 6] [--batch 20]
        [--backends sqlite postgresql] [--postgres URL]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from approval_rules.engine import Case, Engine
from approval_rules.loader import load_catalogue
from approval_rules.model import Material
from approval_rules.store import CaseStore, open_store
from approval_rules.store._queries import CASE_AND_EVENTS, DUE_SQL, INBOX_SQL, TIMERS_SQL
from approval_rules.store._store import _rebuilt
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
MATTERS = ("construction_permit", "planning_permit", "company_registration")
REVIEWER = "fu_hong"  # signs their section of the construction permit's section_review
FIELD = {"number": 100, "boolean": False, "text": "甲", "date": "2024-01-01"}


def good_file(material: Material) -> dict[str, Any]:
    rules = material.electronic
    kind = rules.file_types[0] if rules and rules.file_types else "pdf"
    width, height = 1024, 768
    if rules and rules.max_pixels:
        width, height = min(width, rules.max_pixels.width), min(height, rules.max_pixels.height)
    size = min(50, rules.max_size_kb) if rules and rules.max_size_kb else 50
    return {"name": f"scan.{kind}", "size_kb": size, "width": width, "height": height}


class Cases:
    """Cases n = 0, 1, 2 …: matter n % 3, submitted on a day of 2025 spread by n, three
    in four accepted; the accepted construction permits wait at section_review."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inputs = {}
        for matter in MATTERS:
            process = engine.process(matter)
            applicant = {f.id: f.choices[0] if f.choices else FIELD[f.type.value]
                         for f in process.matter.applicant_fields}  # fmt: skip
            materials = {m.id: [good_file(m)] for m in process.matter.materials}
            self.inputs[matter] = (applicant, materials, process.signers(process.start)[0])

    def case(self, n: int) -> Case:
        matter = MATTERS[n % len(MATTERS)]
        applicant, materials, window = self.inputs[matter]
        day = date(2025, 1, 2) + timedelta(days=(n * 7919) % 280)
        at = datetime(day.year, day.month, day.day, 9, tzinfo=TZ)
        case = self.engine.submit(matter, applicant, materials, at=at, actor="applicant",
                                  case_id=f"b{n:07d}")  # fmt: skip
        if n % 4:
            case = self.engine.act(case, "accept", at=at + timedelta(minutes=20), actor=window)
        return case

    @staticmethod
    def reviewable(n: int) -> bool:
        """Case n is an accepted construction permit at section_review."""
        return n % len(MATTERS) == 0 and n % 4 != 0

    def export(self, start: int, stop: int) -> list[str]:
        """Cases start … stop-1 as an export (saved in a staging store in memory)."""
        with open_store("sqlite:///:memory:", engine=self.engine) as staging:
            for n in range(start, stop):
                staging.save(self.case(n), expected_version=0)
            out = io.StringIO()
            staging.export(out)
        return out.getvalue().splitlines()


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL cluster on a temporary folder with the server's default settings."""
    found = shutil.which("initdb")
    bin_dir = Path(found).resolve().parent if found else None
    if bin_dir is None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not versions:
            raise SystemExit("PostgreSQL is not installed: apt-get install -y postgresql")
        bin_dir = versions[-1].parent
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="bench-store-pg-"))
    if user is not None:
        shutil.chown(folder, user)
    data, port = folder / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=user, cwd=folder)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
        "--encoding=UTF8", "--no-locale")  # fmt: skip
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder}"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
        str(folder / "server.log"), "-w", "start")  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def fresh_postgres(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.execute(f"CREATE SCHEMA {name}")
    return f"{server}?options=-csearch_path%3D{name}"


# --------------------------------------------------------------------------- measures


def timed(call: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Samples:
    """What one store size measured, over the interleaved rounds."""

    def __init__(self) -> None:
        self.parts: dict[str, list[float]] = {"load": [], "act": [], "save": [], "save*": []}
        self.busy = {"": 0.0, "*": 0.0}  # seconds spent in the action loops
        self.done = {"": 0, "*": 0}
        self.fsync: list[float] = []
        self.inbox20: list[float] = []
        self.due100: list[float] = []

    def act(self, store: CaseStore, engine: Engine, pool: Iterator[int], count: int,
            mark: str) -> None:  # fmt: skip
        """load → pass → save on ``count`` fresh cases (``mark`` ``*``: not durable)."""
        begin = time.perf_counter()
        for _ in range(count):
            cid = f"b{next(pool):07d}"
            t0 = time.perf_counter()
            case = store.load(cid)
            t1 = time.perf_counter()
            new = engine.act(case, "pass", at=case.last_at + timedelta(hours=1),
                             actor=REVIEWER, step="section_review")  # fmt: skip
            t2 = time.perf_counter()
            store.save(new, expected_version=case.version)
            t3 = time.perf_counter()
            if not mark:
                self.parts["load"].append(t1 - t0)
                self.parts["act"].append(t2 - t1)
            self.parts["save" + mark].append(t3 - t2)
        self.busy[mark] += time.perf_counter() - begin
        self.done[mark] += count

    def median_us(self, part: str) -> float:
        return statistics.median(self.parts[part]) * 1e6

    def per_second(self, mark: str) -> float:
        return self.done[mark] / self.busy[mark]


def durable(store: CaseStore, on: bool) -> None:
    """Commits wait for the disk (the store's setting) or not (measuring only).

    Without the wait, what remains of a save is the store's own work, which is what
    must not grow with the number of cases; the disk's fsync time is the same at any
    size but changes from minute to minute on a shared machine.
    """
    conn = store._backend._conn  # type: ignore[attr-defined]  # the adapter's connection
    if store.url.startswith("sqlite:"):
        conn.execute(f"PRAGMA synchronous = {'FULL' if on else 'OFF'}")
    else:
        conn.execute(f"SET synchronous_commit = {'on' if on else 'off'}")


def settle(url: str) -> None:
    """After a bulk import, what the database does on its own soon after, done before
    measuring: SQLite folds its write-ahead log into the file (its automatic
    checkpoint); PostgreSQL vacuums the new rows (autovacuum after inserts) and
    writes a checkpoint, so neither competes with the measured commits."""
    if url.startswith("sqlite:"):
        with sqlite3.connect(url[len("sqlite:///") :]) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def size_of(url: str, store: CaseStore) -> int:
    """Bytes the store takes on disk."""
    if url.startswith("sqlite:"):
        path = url[len("sqlite:///") :]
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return Path(path).stat().st_size
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        ).fetchone()
    return int(row[0]) if row else 0


def plans(url: str, moment: str, day: str) -> list[str]:
    """The query plans of the inbox and the due-clock query."""
    inbox_params = (REVIEWER, day, day, day, day)
    if url.startswith("sqlite:"):
        with sqlite3.connect(url[len("sqlite:///") :]) as conn:
            out = []
            for name, sql, params in (("inbox", INBOX_SQL, inbox_params),
                                      ("due_before", DUE_SQL, (moment,))):  # fmt: skip
                rows = conn.execute("EXPLAIN QUERY PLAN " + sql + " LIMIT 20", params)
                out += [f"  {name}: {row[3]}" for row in rows]
            return out
    import psycopg

    with psycopg.connect(url) as conn:
        out = []
        for name, sql, params in (("inbox", INBOX_SQL, inbox_params),
                                  ("due_before", DUE_SQL, (moment,))):  # fmt: skip
            rows = conn.execute("EXPLAIN ANALYZE " + sql.replace("?", "%s") + " LIMIT 20", params)
            out += [f"  {name}: {row[0]}" for row in rows]
        return out


def load_parts(store: CaseStore, case_id: str) -> str:
    """What a load costs: the SQL read, then parsing, verifying and folding the events;
    beside it, reading a stored snapshot instead (``Case.from_json``), which would not
    make a load cheaper: it is trusted only once it equals the fold of the events."""
    sql = CASE_AND_EVENTS + " WHERE c.id = ? ORDER BY e.seq"
    read = store._backend.read  # the adapter, as load() calls it
    rows = read(sql, (case_id,))
    text = _rebuilt(rows).to_json()
    fetch = timed(lambda: read(sql, (case_id,)), 201)
    rebuild = timed(lambda: _rebuilt(rows), 201)
    snapshot = timed(lambda: Case.from_json(text), 201)
    return (f"load of a {len(rows)}-event case: SQL {fetch * 1e6:.0f} µs + parse, verify and "
            f"fold {rebuild * 1e6:.0f} µs; a snapshot read would be {snapshot * 1e6:.0f} µs, "
            "plus the same fold to prove it")  # fmt: skip


def host_scan(store: CaseStore, engine: Engine, at: datetime) -> int:
    """The inbox without the store's index: every open case loaded and asked."""
    found = 0
    for summary in store.open_cases():
        case = store.load(summary.id)
        for offer in engine.available_actions(case, at):
            if offer.action == "pass" and REVIEWER in offer.actors:
                found += 1
    return found


def fsync_ms(folder: Path) -> float:
    """What one durable write costs on this disk: the floor of a durable commit."""
    path = folder / "fsync.probe"
    with path.open("wb") as out:

        def once() -> None:
            out.write(b"x" * 512)
            out.flush()
            os.fsync(out.fileno())

        return timed(once, 50) * 1e3


def second_step(store: CaseStore, engine: Engine, pool: Iterator[int], batch: int) -> str:
    """Timers and merging writers (issue #12, second step), on one store.

    * the first 100 timers run out (the due index's ``timer`` rows);
    * ``advance_due`` at the moment the 200th timer runs out: every case due then is
      loaded, advanced (deemed acceptance) and saved; once per store, as it changes them;
    * ``store.act`` (load → act → save in one call) on ``batch`` fresh cases, and on as
      many a *merged* act: the reviewer decided on version N, a colleague recorded an
      absence meanwhile (N+1), the pass is re-applied on N+1.
    """
    moment_rows = store._backend.read(TIMERS_SQL + " LIMIT 200", ("9999",))
    moment = datetime.fromisoformat(moment_rows[-1][0].replace("Z", "+00:00"))
    param = (moment_rows[-1][0],)
    first100 = timed(lambda: store._backend.read(TIMERS_SQL + " LIMIT 100", param), 5)
    start = time.perf_counter()
    advanced = store.advance_due(moment)
    sweep = time.perf_counter() - start
    plain: list[float] = []
    merged: list[float] = []
    for _ in range(batch):
        cid = f"b{next(pool):07d}"
        last = store.load(cid).last_at
        t0 = time.perf_counter()
        store.act(cid, "pass", at=last + timedelta(hours=1), actor=REVIEWER, step="section_review")
        plain.append(time.perf_counter() - t0)
    for _ in range(batch):
        cid = f"b{next(pool):07d}"
        seen = store.load(cid)
        at = seen.last_at + timedelta(hours=1)
        store.act(cid, "record_absence", at=at, actor=REVIEWER, person=REVIEWER,
                  start="2025-01-01", end="2025-01-01")  # fmt: skip
        t0 = time.perf_counter()
        done = store.act(cid, "pass", at=at, actor=REVIEWER, step="section_review",
                         expected_version=seen.version)  # fmt: skip
        merged.append(time.perf_counter() - t0)
        assert done.version == seen.version + 2
    return (
        f"timers: first 100 {first100 * 1e3:.2f} ms; advance_due of {len(advanced)} due "
        f"case(s) {sweep * 1e3:,.0f} ms ({sweep / max(len(advanced), 1) * 1e6:,.0f} µs per "
        f"case); store.act {statistics.median(plain) * 1e6:,.0f} µs, merged over a newer "
        f"version {statistics.median(merged) * 1e6:,.0f} µs (medians of {batch})"
    )


def prefix(lines: list[str], size: int) -> list[str]:
    """The export of the first ``size`` cases, cut from the export of more (cases come
    last, by id)."""
    cases = [line for line in lines if line.startswith('{"case":')]
    return [line for line in lines if not line.startswith('{"case":')] + cases[:size]


def run_backend(
    name: str,
    url_for: Callable[[int], str],
    cases: Cases,
    lines: list[str],
    args: argparse.Namespace,
    folder: Path,
) -> None:
    """Fill one store per size, then measure them in interleaved rounds."""
    engine, sizes = cases.engine, args.sizes
    at, early = datetime(2025, 12, 31, 17, tzinfo=TZ), datetime(2025, 2, 1, tzinfo=TZ)
    print(f"\n== {name}")
    stores: dict[int, tuple[str, CaseStore]] = {}
    try:
        for size in sizes:
            url = url_for(size)
            stores[size] = (url, open_store(url, engine=engine))
            stores[size][1].import_records(prefix(lines, size))
            settle(url)
        samples = {size: Samples() for size in sizes}
        pools = {size: (n for n in range(size) if cases.reviewable(n)) for size in sizes}
        if args.second_step_only:
            for size in sizes:
                print(f"{size:>8,} cases: " + second_step(stores[size][1], engine, pools[size],
                                                          args.batch))  # fmt: skip
            return
        for _ in range(args.rounds):
            for size in sizes:
                store, got = stores[size][1], samples[size]
                got.fsync.append(fsync_ms(folder))  # the disk now: it changes by the minute
                got.act(store, engine, pools[size], args.batch, "")
                durable(store, False)
                got.act(store, engine, pools[size], args.batch, "*")
                durable(store, True)
                got.inbox20.append(timed(lambda s=store: s.inbox(REVIEWER, at=at, limit=20), 5))
                got.due100.append(timed(lambda s=store: s.due_before(at, limit=100), 5))
        print("cases    | fsync ms | load µs | act µs | save µs | actions/s | save µs* | "
              "actions/s* | inbox 20 ms | due 100 ms | inbox all ms (n) | due early ms (n) | "
              "bytes/case   (* commits not waiting for the disk)")  # fmt: skip
        for size in sizes:
            url, store = stores[size]
            got = samples[size]
            whole = len(store.inbox(REVIEWER, at=at))
            inbox_all = timed(lambda s=store: s.inbox(REVIEWER, at=at), 5)
            due_n = len(store.due_before(early))
            due_early = timed(lambda s=store: s.due_before(early), 5)
            print(f"{size:>8,} | {statistics.median(got.fsync):8.2f} | "
                  f"{got.median_us('load'):7.0f} | {got.median_us('act'):6.0f} | "
                  f"{got.median_us('save'):7.0f} | {got.per_second(''):9.0f} | "
                  f"{got.median_us('save*'):8.0f} | {got.per_second('*'):10.0f} | "
                  f"{statistics.median(got.inbox20) * 1e3:11.2f} | "
                  f"{statistics.median(got.due100) * 1e3:10.2f} | "
                  f"{inbox_all * 1e3:8.1f} ({whole:,}) | {due_early * 1e3:7.2f} ({due_n:,}) | "
                  f"{size_of(url, store) / size:10,.0f}")  # fmt: skip
        small, large = samples[sizes[0]], samples[sizes[-1]]
        growth = {
            "load": large.median_us("load") / small.median_us("load"),
            "save*": large.median_us("save*") / small.median_us("save*"),
            "actions/s*": large.per_second("*") / small.per_second("*"),
            "inbox 20": statistics.median(large.inbox20) / statistics.median(small.inbox20),
            "due 100": statistics.median(large.due100) / statistics.median(small.due100),
        }
        print(f"growth {sizes[-1]:,} / {sizes[0]:,} cases (medians, interleaved): "
              + ", ".join(f"{k} {v:.2f}x" for k, v in growth.items()))  # fmt: skip
        store = stores[sizes[0]][1]
        print(f"at {sizes[0]:,} cases: {load_parts(store, 'b0000003')}")  # a reviewed permit
        scan = timed(lambda: host_scan(store, engine, at), 1)
        inbox_all = timed(lambda: store.inbox(REVIEWER, at=at), 5)
        print(f"at {sizes[0]:,} cases, side by side: the host's scan (load + "
              f"available_actions per open case) {scan * 1e3:,.0f} ms, the store's whole inbox "
              f"{inbox_all * 1e3:.2f} ms: {scan / inbox_all:,.0f}x")  # fmt: skip
        for size in sizes:
            print(f"{size:>8,} cases: " + second_step(stores[size][1], engine, pools[size],
                                                      args.batch))  # fmt: skip
        print(f"query plans at {sizes[-1]:,} cases:")
        moment = early.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
        for line in plans(stores[sizes[-1]][0], moment, at.date().isoformat()):
            print(line)
    finally:
        for _, store in stores.values():
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=6, help="interleaved rounds")
    parser.add_argument("--batch", type=int, default=20, help="actions per loop and round")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: start one)")
    parser.add_argument("--second-step-only", action="store_true",
                        help="measure only the timers and merging writers")  # fmt: skip
    args = parser.parse_args()
    # a terminated run still stops its PostgreSQL server and removes its files
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    print(f"Python {platform.python_version()}, {platform.machine()}, "
          f"SQLite {sqlite3.sqlite_version}")  # fmt: skip
    engine = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
    cases = Cases(engine)
    folder = Path(tempfile.mkdtemp(prefix="bench-store-"))
    print(f"one fsync of a small write in {folder.parent}: {fsync_ms(folder):.2f} ms (median)")
    lines = cases.export(0, max(args.sizes))  # the smaller stores take its first cases
    try:
        if "sqlite" in args.backends:
            run_backend("SQLite (WAL, synchronous=FULL)",
                        lambda size: f"sqlite:///{folder}/cases-{size}.db", cases, lines, args,
                        folder)  # fmt: skip
        if "postgresql" in args.backends:
            with contextlib.ExitStack() as stack:
                server = args.postgres or stack.enter_context(throwaway_postgres())
                import psycopg

                with psycopg.connect(server) as conn:
                    version = conn.execute("SHOW server_version").fetchone()
                run_backend(f"PostgreSQL {version[0] if version else '?'} (default settings)",
                            lambda size: fresh_postgres(server, f"bench_{size}"), cases, lines,
                            args, folder)  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
