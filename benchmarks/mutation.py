"""Mutation testing: how many small wrong changes to the code do the tests notice? (#11)

Run from the project root, in the development environment (``pip install -e ".[dev]"``):

    python benchmarks/mutation.py src/approval_rules/timelimits.py src/approval_rules/audit.py
    python benchmarks/mutation.py src/approval_rules/workdays/            # every file of a package
    python benchmarks/mutation.py src/approval_rules/engine.py --only '_may_*,_authority' --all
    python benchmarks/mutation.py src/approval_rules/audit.py --list      # the mutants, no tests

A *mutant* is one small change to one module: a comparison flipped (``<``↔``<=``,
``>``↔``>=``, ``==``↔``!=``), ``and``↔``or``, ``+``↔``-``, an integer constant ±1,
``True``↔``False``, ``return x`` → ``return None``, or a statement inside a function
replaced by ``pass``.  Left alone: docstrings, annotations, decorators, ``assert``
statements (type narrowing, not behaviour), string concatenation (``+`` on text only
raises), and code marked ``# pragma: no cover`` (known unreachable).

Per path given (a module, or a whole package) a deterministic sample (``--sample``,
seeded with ``--seed`` and the path, so adding a path does not change another's
sample) is drawn from all its mutants.
Each is applied to a temporary copy of the project (the working tree is never
touched), and the tests mapped to the module (``TESTS`` below; ``--tests`` to choose)
run against it with ``pytest -x``, Hypothesis on a fixed seed and a fresh example
database.  A mutant is *killed* when a test fails, when the run exceeds the timeout
(3× the unmutated run, at least 10 s longer), or when the mutated code cannot even be
imported (counted separately); otherwise it *survived*: no test noticed.

Before the mutants, the mapped tests run once on the unmutated copy: tests that fail
there are left out (and listed), and the run's time sets the timeout.

Output: a table (module, mutants, killed, survived, score), rows per function group
(``--group``; by default the engine's permission and closing rules) and every survivor
with file, line, function and change, so that a developer can pin it.  ``--json FILE``
writes every result.  The script lowers its own priority (``nice``) unless told not to.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "src/approval_rules"

#: Test files per module (or package) of src/approval_rules, besides the ones named
#: after it (tests/test_<module>*.py and tests/test_pins_<module>*.py): the files whose
#: tests exercise the module's behaviour.  A module not listed runs the whole suite.
TESTS: dict[str, tuple[str, ...]] = {
    "workdays": (
        "test_calendar_oracle.py",
        "test_timelimits.py",
        "test_pins_timelimits.py",
        "test_cli_calendar.py",
    ),
    "timelimits": ("test_engine.py", "test_pins_engine.py", "test_cli_calendar.py"),
    "audit": ("test_engine.py", "test_pins_engine.py", "test_engine_stateful.py"),
    "compiler": (
        "test_checks.py",
        "test_checks_time.py",
        "test_definitions.py",
        "test_graph.py",
        "test_cli.py",
    ),
    "conditions": ("test_loader.py", "test_compiler.py", "test_engine.py"),
    "engine": ("test_scenarios.py",),
}

#: Function groups reported on their own rows (name=glob,glob; the first match wins).
DEFAULT_GROUPS = (
    "closing=_may_close,_do_close,_specific_done,_may_certificate,_do_issue_certificate,"
    "_add_months,_may_deliver,_do_deliver",
    "permissions=_may,_may_*,_authority,_on_step,_kind_actor,_separation,_window,_absent",
)

COPY_IGNORE = shutil.ignore_patterns(
    ".git", "__pycache__", ".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache",
    "*.egg-info", ".venv", "build", "dist",
)  # fmt: skip


# --------------------------------------------------------------------------- mutants

_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_ARITH: dict[type[ast.operator], type[ast.operator]] = {ast.Add: ast.Sub, ast.Sub: ast.Add}
_BOOL: dict[type[ast.boolop], type[ast.boolop]] = {ast.And: ast.Or, ast.Or: ast.And}
_DELETABLE = (
    ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.If, ast.For, ast.While,
    ast.With, ast.Try, ast.Raise, ast.Delete, ast.Break, ast.Continue,
)  # fmt: skip
_SKIPPED_FIELDS = {"annotation", "returns", "decorator_list", "type_comment"}


@dataclass
class Site:
    """One mutation of a parsed module; ``apply`` changes the tree in place."""

    kind: str
    line: int
    function: str
    before: str
    after: str
    context: str  # the source line, for constants
    apply: Callable[[], None] = field(repr=False)


def _short(node: ast.AST, limit: int = 70) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_only(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _is_none(node: ast.AST | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def excluded_lines(source: str) -> set[int]:
    """Lines marked ``# pragma: no cover``, with the whole block a marked header opens."""
    lines = source.splitlines()
    out: set[int] = set()
    for i, line in enumerate(lines):
        if "pragma: no cover" not in line:
            continue
        out.add(i + 1)
        code = line.split("#", 1)[0].rstrip()
        if not code.endswith(":"):
            continue
        indent = len(line) - len(line.lstrip())
        for j in range(i + 1, len(lines)):
            text = lines[j]
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                break
            out.add(j + 1)
    return out


class _Collector:
    """Walks a module in a fixed order and lists its mutation sites."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines()
        self.excluded = excluded_lines(source)
        self.sites: list[Site] = []

    def add(self, kind: str, node: ast.AST, function: str, change: Callable[[], None]) -> None:
        line = getattr(node, "lineno", 0)
        before = _short(node)
        change()
        after = "pass" if kind == "delete" else _short(node)
        change()  # every change here is its own inverse
        context = " ".join(self.lines[line - 1].split()) if line else ""
        self.sites.append(Site(kind, line, function, before, after, context, change))

    def visit(self, node: ast.AST, function: str, in_function: bool) -> None:
        if getattr(node, "lineno", None) in self.excluded or isinstance(node, ast.Assert):
            return
        if isinstance(node, ast.JoinedStr):
            return  # f-string parts: text, not logic
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            function = node.name if function == "<module>" else f"{function}.{node.name}"
            in_function = in_function or not isinstance(node, ast.ClassDef)
        self.expression(node, function)
        for name, value in ast.iter_fields(node):
            if name in _SKIPPED_FIELDS:
                continue
            if isinstance(value, list):
                if in_function and value and isinstance(value[0], ast.stmt):
                    self.statements(value, function)
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item, function, in_function)
            elif isinstance(value, ast.AST):
                self.visit(value, function, in_function)

    def expression(self, node: ast.AST, function: str) -> None:
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _COMPARE:
                    self.add("compare", node, function, _swap_item(node.ops, i, _COMPARE))
        elif isinstance(node, ast.BoolOp):
            self.add("boolean", node, function, _swap_attr(node, "op", _BOOL))
        elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _ARITH:
            left, right = (
                (node.left, node.right)
                if isinstance(node, ast.BinOp)
                else (node.target, node.value)
            )
            if not (_text_only(left) or _text_only(right)):
                self.add("arithmetic", node, function, _swap_attr(node, "op", _ARITH))
        elif isinstance(node, ast.Constant):
            self.constant(node, function)
        elif isinstance(node, ast.Return) and not _is_none(node.value):
            self.add("return", node, function, _swap_value(node, ast.Constant(None)))

    def constant(self, node: ast.Constant, function: str) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add("constant", node, function, _swap_value(node, not value))
        elif isinstance(value, int):
            for delta in (1, -1):
                self.add("constant", node, function, _swap_value(node, value + delta))

    def statements(self, body: list[ast.stmt], function: str) -> None:
        for i, stmt in enumerate(body):
            if not isinstance(stmt, _DELETABLE) or stmt.lineno in self.excluded:
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # a docstring
            self.add("delete", stmt, function, _swap_item(body, i, None))


def _swap_item(
    items: list[ast.cmpop] | list[ast.stmt], i: int, table: dict[type, type] | None
) -> Callable[[], None]:
    """Flip ``items[i]`` through ``table`` (or with ``pass``), and back on the next call."""
    original = items[i]
    replacement: ast.AST = table[type(original)]() if table else ast.Pass()
    if not table:
        ast.copy_location(replacement, original)

    def change() -> None:
        items[i] = replacement if items[i] is original else original  # type: ignore[assignment]

    return change


def _swap_attr(node: ast.AST, name: str, table: dict[type, type]) -> Callable[[], None]:
    original = getattr(node, name)
    replacement = table[type(original)]()

    def change() -> None:
        setattr(node, name, replacement if getattr(node, name) is original else original)

    return change


def _swap_value(node: ast.Constant | ast.Return, new: object) -> Callable[[], None]:
    original = node.value

    def change() -> None:
        node.value = new if node.value is original else original  # type: ignore[assignment]

    return change


def collect(source: str) -> tuple[ast.Module, list[Site]]:
    """The parsed module and every mutation site of it, in a fixed order."""
    tree = ast.parse(source)
    collector = _Collector(source)
    collector.visit(tree, "<module>", False)
    return tree, collector.sites


@dataclass
class Mutant:
    """One mutant of one file, and what the tests made of it."""

    file: str
    index: int
    kind: str
    line: int
    function: str
    before: str
    after: str
    context: str
    outcome: str = ""  # killed, timeout, import, survived
    seconds: float = 0.0
    test: str = ""  # the first failing test

    @property
    def killed(self) -> bool:
        return self.outcome in ("killed", "timeout", "import")

    def where(self) -> str:
        return f"{self.file}:{self.line} {self.function}"

    def change(self) -> str:
        text = f"[{self.kind}] {self.before}  →  {self.after}"
        return f"{text}  in: {self.context[:80]}" if self.kind == "constant" else text


def mutated_source(source: str, index: int) -> str:
    """The module's text with mutation ``index`` applied (comments are not kept)."""
    tree, sites = collect(source)
    sites[index].apply()
    return ast.unparse(tree) + "\n"


# --------------------------------------------------------------------------- choosing


def module_files(raw: str) -> list[str]:
    """Project-relative .py files of a path given (a package: each of its files)."""
    path = (ROOT / raw).resolve() if not Path(raw).is_absolute() else Path(raw)
    if not path.exists():
        raise SystemExit(f"mutation.py: {raw} does not exist")
    found = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [str(p.relative_to(ROOT)) for p in found]


def module_key(rel: str) -> str:
    """``engine`` for src/approval_rules/engine.py and for src/approval_rules/engine/x.py."""
    inside = Path(rel).relative_to(PACKAGE)
    return inside.parts[0].removesuffix(".py")


def tests_for(rel: str, chosen: Sequence[str] | None, exclude: Sequence[str]) -> list[str]:
    if chosen:
        names = list(chosen)
    else:
        key = module_key(rel)
        if key not in TESTS:
            names = ["tests"]
        else:
            own = sorted(p.name for p in (ROOT / "tests").glob(f"test_{key}*.py"))
            pins = sorted(p.name for p in (ROOT / "tests").glob(f"test_pins_{key}*.py"))
            names = [f"tests/{n}" for n in dict.fromkeys([*own, *pins, *TESTS[key]])]
    kept = [n for n in names if (ROOT / n).exists()]
    return [n for n in kept if not any(fnmatch.fnmatch(n, pattern) for pattern in exclude)]


def sample(
    path: str, mutants: list[Mutant], size: int | None, seed: int, only: list[str]
) -> list[Mutant]:
    """The mutants of one path given (a module, or every file of a package) to run."""
    if only:
        mutants = [m for m in mutants if _matches(m.function, only)]
    if size is not None and size < len(mutants):
        rng = random.Random(f"{seed}:{Path(path).as_posix().rstrip('/')}")
        chosen = set(map(id, rng.sample(mutants, size)))
        mutants = [m for m in mutants if id(m) in chosen]
    return mutants


def _matches(function: str, patterns: Sequence[str]) -> bool:
    name = function.rsplit(".", 1)[-1]
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(function, p) for p in patterns)


def parse_groups(specs: Sequence[str]) -> list[tuple[str, list[str]]]:
    groups = []
    for spec in specs:
        name, _, patterns = spec.partition("=")
        groups.append((name.strip(), [p.strip() for p in patterns.split(",") if p.strip()]))
    return groups


def group_of(mutant: Mutant, groups: list[tuple[str, list[str]]]) -> str | None:
    for name, patterns in groups:
        if _matches(mutant.function, patterns):
            return name
    return None


# --------------------------------------------------------------------------- running


#: Test runs in progress, killed (with their process groups) when the script is stopped.
_RUNNING: set[subprocess.Popen[str]] = set()


class Workspace:
    """A private copy of the project where mutated files are written and tests run."""

    def __init__(self, base: Path, args: argparse.Namespace) -> None:
        self.dir = base / "project"
        shutil.copytree(ROOT, self.dir, ignore=COPY_IGNORE)
        self.args = args
        self.env = {
            **os.environ,
            "PYTHONPATH": str(self.dir / "src"),
            "PYTHONDONTWRITEBYTECODE": "1",  # a stale .pyc of another mutant must not load
            "HYPOTHESIS_PROFILE": args.profile,
        }
        probe = subprocess.run(
            [sys.executable, "-c", "import approval_rules; print(approval_rules.__file__)"],
            cwd=self.dir, env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        if not probe.stdout.strip().startswith(str(self.dir)):
            raise SystemExit(
                "mutation.py: the tests would import approval_rules from "
                f"{probe.stdout.strip()}, not from the mutated copy; install the project "
                "with pip install -e (a path entry), not as a copy"
            )

    def write(self, rel: str, text: str) -> None:
        (self.dir / rel).write_text(text, encoding="utf-8")

    def pytest(
        self, tests: Sequence[str], timeout: float, *, stop: bool = True
    ) -> tuple[str, float, str]:
        """Run ``tests``: ("passed" | "failed" | "timeout" | "import", seconds, output)."""
        with tempfile.TemporaryDirectory(prefix="hypothesis-") as db:
            env = {**self.env, "HYPOTHESIS_STORAGE_DIRECTORY": db}
            cmd = [
                sys.executable, "-m", "pytest", "-q", "--no-header", "-p", "no:cacheprovider",
                f"--hypothesis-seed={self.args.seed}", "-rf", *(["-x"] if stop else []),
                *self.args.pytest_arg, *tests,
            ]  # fmt: skip
            start = time.perf_counter()
            proc = subprocess.Popen(
                cmd, cwd=self.dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, start_new_session=True,
            )  # fmt: skip
            _RUNNING.add(proc)
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                return "timeout", time.perf_counter() - start, ""
            finally:
                _RUNNING.discard(proc)
            seconds = time.perf_counter() - start
        if proc.returncode == 0:
            return "passed", seconds, out
        if proc.returncode == 1:
            return "failed", seconds, out
        if "during collection" in out:  # the mutated code cannot be imported
            return "import", seconds, out
        raise RuntimeError(f"pytest exited with {proc.returncode}:\n{out[-3000:]}")


def failing_tests(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if line.startswith("FAILED ")]


@dataclass
class Target:
    """One file to mutate: its tests, the timeout, and the chosen mutants."""

    rel: str
    original: str  # the file's text: mutants are numbered on it
    source: str  # the file as the tests see it unmutated (unparsed: no comments)
    tests: list[str]
    mutants: list[Mutant]
    deselected: list[str] = field(default_factory=list)
    timeout: float = 0.0


def prepare(ws: Workspace, targets: list[Target]) -> None:
    """Run each set of tests once on the unmutated copy (every target file written as the
    mutants will see it): set the timeouts, and leave out tests that fail already."""
    for target in targets:
        ws.write(target.rel, target.source)
    by_tests: dict[tuple[str, ...], list[Target]] = {}
    for target in targets:
        by_tests.setdefault(tuple(target.tests), []).append(target)
    for tests, group in by_tests.items():
        outcome, seconds, out = ws.pytest(tests, timeout=1800, stop=False)
        deselected = failing_tests(out) if outcome == "failed" else []
        if deselected:
            print(
                f"  {len(deselected)} test(s) fail without any mutant and are left out: "
                + ", ".join(deselected), file=sys.stderr,
            )  # fmt: skip
            args = [arg for test in deselected for arg in ("--deselect", test)]
            outcome, seconds, out = ws.pytest([*tests, *args], timeout=1800)
        if outcome != "passed":
            raise SystemExit(f"mutation.py: {' '.join(tests)} fail unmutated:\n{out[-3000:]}")
        for target in group:
            target.deselected = deselected
            target.timeout = max(3 * seconds, seconds + 10)


def _deselect(target: Target) -> list[str]:
    return [arg for test in target.deselected for arg in ("--deselect", test)]


def run_mutant(ws: Workspace, target: Target, mutant: Mutant) -> None:
    ws.write(target.rel, mutated_source(target.original, mutant.index))
    try:
        outcome, seconds, out = ws.pytest([*target.tests, *_deselect(target)], target.timeout)
    finally:
        ws.write(target.rel, target.source)
    mutant.outcome = "killed" if outcome == "failed" else outcome
    mutant.outcome = "survived" if outcome == "passed" else mutant.outcome
    mutant.seconds = round(seconds, 2)
    failed = failing_tests(out)
    mutant.test = failed[0] if failed else ""


def run_all(targets: list[Target], args: argparse.Namespace) -> None:
    total = sum(len(t.mutants) for t in targets)
    queue: Iterator[tuple[Target, Mutant]] = iter([(t, m) for t in targets for m in t.mutants])
    lock = threading.Lock()
    done = [0]

    stop = threading.Event()

    def worker(ws: Workspace) -> None:
        while not stop.is_set():
            with lock:
                item = next(queue, None)
            if item is None:
                return
            target, mutant = item
            run_mutant(ws, target, mutant)
            with lock:
                done[0] += 1
                print(
                    f"  [{done[0]}/{total}] {mutant.where()}: {mutant.outcome} "
                    f"({mutant.seconds:.1f} s) {mutant.change()}", file=sys.stderr, flush=True,
                )  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="mutation-") as base:
        spaces = [Workspace(Path(base) / str(i), args) for i in range(args.jobs)]
        prepare(spaces[0], targets)
        for ws in spaces[1:]:
            for target in targets:
                ws.write(target.rel, target.source)
        threads = [threading.Thread(target=worker, args=(ws,), daemon=True) for ws in spaces]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.5)
        except BaseException:  # Ctrl-C or SIGTERM: no test run may outlive the script
            stop.set()
            for proc in list(_RUNNING):
                os.killpg(proc.pid, signal.SIGKILL)
            raise


# --------------------------------------------------------------------------- report


def score_row(name: str, mutants: Sequence[Mutant]) -> str:
    killed = sum(m.killed for m in mutants)
    timeouts = sum(m.outcome == "timeout" for m in mutants)
    imports = sum(m.outcome == "import" for m in mutants)
    score = f"{100 * killed / len(mutants):.0f} %" if mutants else "–"
    return (
        f"| {name} | {len(mutants)} | {killed} | {len(mutants) - killed} | {score} "
        f"| {timeouts} | {imports} |"
    )


def report(targets: list[Target], groups: list[tuple[str, list[str]]]) -> str:
    lines = [
        "| module | mutants | killed | survived | score | of which timeout | of which import |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows: dict[str, list[Mutant]] = {}
    packages: dict[str, list[Mutant]] = {}
    for target in targets:
        inside = Path(target.rel).relative_to(PACKAGE)
        rows[str(inside)] = list(target.mutants)
        if len(inside.parts) > 1:  # a package: its total too
            packages.setdefault(f"{inside.parts[0]}/ (all)", []).extend(target.mutants)
    for key, mutants in {**rows, **packages}.items():
        lines.append(score_row(key, mutants))
        for name, _ in groups:
            members = [m for m in mutants if group_of(m, groups) == name]
            if members:
                lines.append(score_row(f"{key} [{name}]", members))
    survivors = [m for t in targets for m in t.mutants if m.outcome == "survived"]
    lines += ["", f"Surviving mutants ({len(survivors)}):", ""]
    lines += [f"- {m.where()}: {m.change()}" for m in survivors]
    left_out = [(t.rel, d) for t in targets for d in t.deselected]
    if left_out:
        lines += ["", "Tests left out (they fail without any mutant):", ""]
        lines += [f"- {test} (for {rel})" for rel, test in left_out]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="modules or packages under src/approval_rules")
    parser.add_argument("--sample", type=int, default=60, help="mutants per path (default 60)")
    parser.add_argument("--all", action="store_true", help="every mutant, no sample")
    parser.add_argument("--seed", type=int, default=11, help="sample and Hypothesis seed")
    parser.add_argument("--only", default="", help="functions to mutate (globs, comma-separated)")
    parser.add_argument("--tests", nargs="+", help="test files to run instead of the mapped ones")
    parser.add_argument(
        "--exclude-tests", action="append", default=[], metavar="GLOB",
        help="leave these test files out (e.g. 'tests/test_pins_*')",
    )  # fmt: skip
    parser.add_argument(
        "--group", action="append", metavar="NAME=GLOB,GLOB",
        help="report the mutants of these functions on their own row (repeatable)",
    )  # fmt: skip
    parser.add_argument("--profile", default="dev", help="Hypothesis profile (default dev)")
    parser.add_argument("--pytest-arg", action="append", default=[], help="passed to pytest")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run in parallel")
    parser.add_argument(
        "--survivors-of", type=Path, metavar="JSON",
        help="run only the mutants that survived in this earlier --json output (after pinning)",
    )  # fmt: skip
    parser.add_argument("--list", action="store_true", help="list the chosen mutants and stop")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    parser.add_argument("--no-nice", action="store_true", help="keep the normal priority")
    return parser.parse_args(argv)


def _key(mutant: Mutant) -> tuple[str, int, str, str]:
    """A mutant's identity across runs on the same source (index, and what it changes)."""
    return (mutant.file, mutant.index, mutant.before, mutant.after)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM ends the run like Ctrl-C: running tests are killed, the copies removed
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if not args.no_nice:
        os.nice(10)
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    earlier: set[tuple[str, int, str, str]] = set()
    if args.survivors_of:
        found = json.loads(args.survivors_of.read_text(encoding="utf-8"))
        earlier = {_key(Mutant(**m)) for m in found if m["outcome"] == "survived"}
    groups = parse_groups(args.group if args.group is not None else DEFAULT_GROUPS)
    targets = []
    for path in args.paths:
        pool: list[Mutant] = []
        found: list[Target] = []
        for rel in module_files(path):
            source = (ROOT / rel).read_text(encoding="utf-8")
            tree, sites = collect(source)
            pool += [
                Mutant(rel, i, s.kind, s.line, s.function, s.before, s.after, s.context)
                for i, s in enumerate(sites)
            ]
            tests = tests_for(rel, args.tests, args.exclude_tests)
            found.append(Target(rel, source, ast.unparse(tree) + "\n", tests, []))
        chosen = sample(path, pool, None if args.all else args.sample, args.seed, only)
        if args.survivors_of:
            chosen = [m for m in chosen if _key(m) in earlier]
        for target in found:
            target.mutants = [m for m in chosen if m.file == target.rel]
        targets += [t for t in found if t.mutants]
        print(f"{path}: {len(chosen)} of {len(pool)} mutants; tests: "
              f"{' '.join(found[0].tests) if found else '-'}", file=sys.stderr)  # fmt: skip
    if args.list:
        for target in targets:
            for m in target.mutants:
                print(f"{m.where()} #{m.index}: {m.change()}")
        return 0
    started = time.perf_counter()
    try:
        run_all(targets, args)
    except KeyboardInterrupt:
        print("mutation.py: interrupted; the running tests were stopped", file=sys.stderr)
        return 130
    print(report(targets, groups))
    print(f"\n{sum(len(t.mutants) for t in targets)} mutants in "
          f"{time.perf_counter() - started:.0f} s, seed {args.seed}", file=sys.stderr)  # fmt: skip
    if args.json:
        results = [asdict(m) for t in targets for m in t.mutants]
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
