"""Import layers (STYLE.md B3): each module imports only from the layers below its own.

The package's modules (a subpackage counts as one, by its name) are declared in
:data:`LAYERS`, lowest first; the engine's own modules in :data:`ENGINE_LAYERS`.  Every
import of every file is checked against that order, including imports inside a
subpackage, so a circle can never come back: a new module must be placed in a layer
before it is allowed to import anything.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "approval_rules"

#: The package's modules and subpackages, lowest layer first.
LAYERS: list[set[str]] = [
    {"errors"},
    {"_wording", "_yaml", "model"},
    {"conditions", "schema", "catalogue", "audit", "workdays"},
    {"loader", "timelimits", "graph"},
    {"plan"},  # the engine's tables of one matter, built at compile time
    {"compiler"},
    {"engine"},
    {"scenario", "render", "testing"},
    {"_cli_calendar", "_cli_graph", "_cli_run"},
    {"cli"},
    {"__main__", "__init__"},
]

#: The engine's modules, lowest layer first (``__init__`` re-exports, on top).
ENGINE_LAYERS: list[set[str]] = [
    {"records"},  # what a case holds
    {"case"},  # the case and its serial form
    {"evolve"},  # the fold: no plan, no calendar
    {"clocks"},  # every due date
    {"context"},  # what checks and handlers receive
    {"permissions", "intake", "steps"},
    {"fees", "clock_actions", "closing"},
    {"review", "window"},
    {"actions"},  # the one registry
    {"reports"},
    {"facade"},
    {"__init__"},
]

#: What the case's value and its fold may import from the rest of the package: the
#: record, the errors and the clock stops' type; never the plan, the compiler or the
#: calendar, so that a stored log folds without them.
FOLD_MAY_IMPORT = {"errors", "audit", "timelimits"}
FOLD_MODULES = {"records", "case", "evolve"}

# Third-party packages each may be imported by one module only (B1.6).
OWNERS = {
    "yaml": {"_yaml"},
    "jsonschema": {"schema"},
    "networkx": {"graph"},
    "chinese_calendar": {"workdays"},
    "hypothesis": {"testing"},
    "orjson": {"audit"},
}

#: Files over the size limit that another change splits (issue #11: workdays/).
TOO_LONG_FOR_NOW = {"workdays.py"}
MAX_LINES = 1000


def _layer(name: str, layers: list[set[str]]) -> int:
    for index, layer in enumerate(layers):
        if name in layer:
            return index
    raise AssertionError(f"module {name!r} is in no layer: add it to the table")


def _modules() -> Iterator[tuple[str, ...]]:
    """Every source file's dotted name inside the package, e.g. ("engine", "case")."""
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).with_suffix("").parts


def _path(parts: tuple[str, ...]) -> Path:
    return PACKAGE.joinpath(*parts).with_suffix(".py")


def _imports(parts: tuple[str, ...]) -> tuple[set[tuple[str, ...]], set[str]]:
    """(package modules as dotted parts, top-level third-party names) a file imports."""
    tree = ast.parse(_path(parts).read_text(encoding="utf-8"))
    here = parts[:-1]  # the (sub)package the file is in
    internal: set[tuple[str, ...]] = set()
    external: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level >= 1:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                if node.module:
                    internal.add((*base, *node.module.split(".")))
                else:
                    internal.update((*base, alias.name) for alias in node.names)
            elif node.module:
                top = node.module.split(".")
                if top[0] == "approval_rules":
                    internal.add(tuple(top[1:]) or ("__init__",))
                else:
                    external.add(top[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                external.add(alias.name.split(".")[0])
    return internal, external


MODULES = list(_modules())


@pytest.mark.parametrize("parts", MODULES, ids=".".join)
def test_layers(parts: tuple[str, ...]) -> None:
    """No module imports its own layer or one above it, nor the package itself."""
    internal, external = _imports(parts)
    top = parts[0]
    if top == "__init__":
        return
    mine = _layer(top, LAYERS)
    for target in internal:
        assert target != ("__init__",), f"{'.'.join(parts)} imports approval_rules itself"
        if target[0] == top:
            continue  # inside a subpackage: below
        assert _layer(target[0], LAYERS) < mine, (
            f"{'.'.join(parts)} may not import {target[0]} (same or higher layer)"
        )
    for package, owners in OWNERS.items():
        if package in external:
            assert top in owners, f"only {sorted(owners)} may import {package}, not {top}"
    if "click" in external:
        assert top == "cli" or top.startswith("_cli"), f"{top} imports click"


ENGINE_MODULES = [parts for parts in MODULES if parts[0] == "engine"]


@pytest.mark.parametrize("parts", ENGINE_MODULES, ids=".".join)
def test_engine_layers(parts: tuple[str, ...]) -> None:
    """Inside the engine: each module imports only the engine's lower layers, and the
    case's value and its fold import nothing of the plan, the compiler or the calendar.
    """
    name = parts[-1]
    mine = _layer(name, ENGINE_LAYERS)
    internal, _ = _imports(parts)
    for target in internal:
        if target[0] == "engine":
            assert len(target) == 2, f"engine.{name} imports {'.'.join(target)}"
            assert _layer(target[1], ENGINE_LAYERS) < mine, (
                f"engine.{name} may not import engine.{target[1]} (same or higher layer)"
            )
        elif name in FOLD_MODULES:
            assert target[0] in FOLD_MAY_IMPORT, f"engine.{name} may not import {target[0]}"


def test_every_engine_module_is_declared() -> None:
    """A new engine module fails until it is placed in a layer."""
    declared = set().union(*ENGINE_LAYERS)
    assert {parts[-1] for parts in ENGINE_MODULES} == declared


@pytest.mark.parametrize("parts", MODULES, ids=".".join)
def test_no_file_is_too_long(parts: tuple[str, ...]) -> None:
    """No file over about 1,000 lines: a newcomer reads a module whole."""
    path = _path(parts)
    if path.name in TOO_LONG_FOR_NOW and len(parts) == 1:
        pytest.skip(f"{path.name} is split by another change")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{'/'.join(parts)}.py has {lines} lines"


def test_import_stays_light() -> None:
    """`import approval_rules` pulls in neither click, hypothesis nor networkx."""
    code = (
        "import sys, approval_rules;"
        "print(sorted(m for m in ('click', 'hypothesis', 'networkx') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "[]"
