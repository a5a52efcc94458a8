"""Import layers (STYLE.md B3): each module imports only from the layers below its own.

The package's modules (a subpackage counts as one, by its name) are declared in
:data:`LAYERS`, lowest first; the modules inside a subpackage in :data:`INSIDE` (what
each may import of its own subpackage) or, for the engine, in :data:`ENGINE_LAYERS`.
Every import of every file is checked against that order, so a circle can never come
back: a new module must be placed before it may import anything.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "approval_rules"

#: The compiler's checks of one subject each (``checks_<subject>.py``).
CHECK_SUBJECTS = (
    "commitment",
    "departments",
    "fees",
    "joint_handling",
    "people",
    "periods",
    "result",
    "signing",
    "steps",
    "time",
)

#: The package's modules and subpackages, lowest layer first.
LAYERS: list[set[str]] = [
    {"errors"},
    {"_json", "_wording", "_yaml_depth", "filetypes"},
    {"_yaml"},
    {"conditions", "model_base", "model_choices", "model_money"},
    {"model", "model_limits"},  # model_limits: what to write instead of 4.5 working days
    {"catalogue", "audit", "workdays", "validation"},  # validation: pydantic errors as Issues
    {"loader", "timelimits", "graph"},
    {"checks_base"},  # what every subject's checks of a matter read
    {f"checks_{subject}" for subject in CHECK_SUBJECTS},
    {"plan", "signing"},  # the engine's tables of one matter; signed events and keys
    {"compiler"},
    {"versions"},  # a matter and the definitions it uses, pinned by one hash
    {"engine"},
    {"scenario", "render", "testing", "publication", "store", "supervision"},
    {"documents", "notify"},  # official documents; notifications and their outbox
    {"schema"},  # the published JSON Schemas, of matters and of supervision rules
    {"_cli_options", "_cli_documents"},  # options the commands share
    {
        "_cli_calendar",
        "_cli_graph",
        "_cli_guide",
        "_cli_redate",
        "_cli_run",
        "_cli_store",
        "_cli_supervise",
    },
    {"cli"},
    {"__main__", "__init__"},
]

#: Imports the layers would allow but a module's purpose forbids.
MAY_NOT: dict[str, set[str]] = {
    # Publication (issue 15) reads the model and the compiled process, never the engine.
    "publication": {"engine", "scenario"},
}

#: The engine's modules, lowest layer first (``__init__`` re-exports, on top).
ENGINE_LAYERS: list[set[str]] = [
    {"records", "view"},  # what a case holds; its JSON view by field names
    {"case", "lifecycle"},  # the case and its serial form; the tables of statuses
    {"evolve"},  # the fold: no plan, no calendar
    {"clocks"},  # every due date
    {"bounds"},  # the bounds of what callers hand in
    {"context"},  # what checks and handlers receive
    {"permissions", "intake", "steps", "alerts", "ratings"},
    {"fees", "clock_actions", "closing", "cosigning", "delays", "signatures"},
    {"migration"},  # moving an open case to another version: its results still to issue
    {"review", "window"},
    {"commitment"},  # 告知承诺制: accepted and decided on the spot, checked later
    {"actions"},  # the one registry
    {"reports", "redate"},
    {"facade"},
    {"__init__"},
]

#: What the case's value and its fold may import from the rest of the package: the
#: record, the errors and the clock stops' type; never the plan, the compiler or the
#: calendar, so that a stored log folds without them.
FOLD_MAY_IMPORT = {"_json", "errors", "audit", "timelimits"}
FOLD_MODULES = {"records", "case", "evolve"}

# Subpackage -> module -> modules of the same subpackage it may import.  Every module of
# a subpackage must be listed; imports leaving the subpackage follow LAYERS.
INSIDE: dict[str, dict[str, set[str]]] = {
    "workdays": {
        "days": set(),
        "index": {"days"},
        "statutory": {"days"},
        "generate": {"statutory"},
        "projection": {"statutory"},
        "provisional": {"days", "statutory", "projection"},
        "official": {"days"},
        "overlays": {"days", "statutory"},
        "workcalendar": {"days", "index", "official", "overlays", "provisional"},
        "__init__": {"days", "overlays", "workcalendar"},
    },
    "publication": {
        "errors": set(),
        "labels": set(),
        "guide": {"labels"},
        "flowchart": {"errors", "guide"},
        "_templates": {"errors"},
        "site": {"_templates", "errors", "flowchart", "guide"},
        "__init__": {"errors", "guide", "site"},
    },
    "documents": {
        "wording": set(),
        "build": {"wording"},
        "write": {"build"},
        "__init__": {"build", "write"},
    },
    "notify": {
        "rules": set(),
        "check": {"rules"},
        "intents": {"check", "rules"},
        "gateway": set(),
        "__init__": {"check", "gateway", "intents", "rules"},
    },
    "store": {
        "_records": set(),
        "_schema": set(),
        "_backend": set(),
        "_derive": set(),
        "_rows": set(),
        "_commands": set(),
        "_transfer": {"_records", "_rows", "_schema"},
        "_outbox": {"_backend", "_schema"},
        "_queries": {"_derive", "_rows"},
        "_absences": {"_backend", "_records"},
        "_store": {
            "_absences",
            "_backend",
            "_commands",
            "_derive",
            "_outbox",
            "_queries",
            "_records",
            "_rows",
            "_schema",
            "_transfer",
        },
        "sqlite": {"_backend"},
        "postgresql": {"_backend"},
        "__init__": {
            "_outbox",
            "_records",
            "_schema",
            "_store",
            "_transfer",
            "sqlite",
            "postgresql",
        },
    },
    "supervision": {
        "rules": set(),
        "ruleset": {"rules"},
        "records": {"rules"},
        "applicant_time": set(),
        "periods": {"applicant_time", "rules"},
        "thresholds": {"periods", "rules"},
        "targets": {"records", "rules"},
        "anomalies": {"periods", "rules", "thresholds"},
        "supervisor": {
            "anomalies",
            "periods",
            "port",
            "records",
            "rules",
            "ruleset",
            "targets",
            "thresholds",
        },
        "port": {"periods", "rules", "ruleset", "thresholds"},
        "durable": {"port", "rules", "ruleset"},
        "facts": {"applicant_time", "rules"},
        "indicators": {"facts", "rules"},
        "render": {"indicators", "records", "rules"},
        "html": {"indicators", "records", "render", "rules"},
        "publish": {"facts", "indicators", "records", "render", "supervisor"},
        "sources": set(),
        "alarms": {"anomalies", "periods", "rules", "supervisor", "thresholds"},
        "sweep": {"alarms", "records", "supervisor"},
        "__init__": {"records", "rules", "ruleset", "supervisor", "sweep"},
    },
}

# Third-party packages each may be imported by one module only (B1.6).
OWNERS = {
    "yaml": {"_yaml"},
    "jsonschema": {"schema"},
    "networkx": {"graph"},
    "chinese_calendar": {"workdays.official"},
    "borax": {"workdays.generate"},  # development only: writes statutory_days.txt
    "sxtwl": set(),  # test oracle only
    "hypothesis": {"testing"},
    "jinja2": {"publication._templates"},
    "orjson": {"_json"},
    "psycopg": {"store.postgresql"},
    "sqlite3": {"store.sqlite"},  # the standard library's, but one adapter all the same
    "durable": {"supervision.durable"},  # optional extra, imported when an engine is made
}

MAX_LINES = 1000
#: Files over the limit, with why they still are (remove each with its split).
TOO_LONG_FOR_NOW: dict[str, str] = {}


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


def _name(parts: tuple[str, ...]) -> str:
    """``engine.case``, ``workdays.overlays``, and a package's ``__init__`` by its name."""
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


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
    top, name = parts[0], _name(parts)
    if name == "__init__":
        return
    mine = _layer(top, LAYERS)
    for target in internal:
        assert target != ("__init__",), f"{name} imports approval_rules itself"
        if target[0] == top:
            if top in INSIDE:
                sub, inner = parts[1] if len(parts) > 1 else "__init__", target[1]
                assert sub in INSIDE[top], f"add {name} to INSIDE[{top!r}] in this test"
                assert inner == sub or inner in INSIDE[top][sub], (
                    f"{name} may not import {top}.{inner}"
                )
            continue  # the engine's own: test_engine_layers
        assert _layer(target[0], LAYERS) < mine, (
            f"{name} may not import {target[0]} (same or higher layer)"
        )
        assert target[0] not in MAY_NOT.get(top, set()), f"{name} may not import {target[0]}"
    for package, owners in OWNERS.items():
        if package in external:
            assert name in owners, f"only {sorted(owners)} may import {package}, not {name}"
    if "click" in external:
        assert top == "cli" or top.startswith("_cli"), f"{name} imports click"


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


@pytest.mark.parametrize("package", sorted(INSIDE))
def test_subpackage_table_lists_every_module(package: str) -> None:
    """INSIDE names exactly the modules a subpackage has (no stale or missing rows)."""
    files = {p.stem for p in (PACKAGE / package).glob("*.py")}
    assert files == set(INSIDE[package])


@pytest.mark.parametrize("parts", MODULES, ids=".".join)
def test_no_file_is_too_long(parts: tuple[str, ...]) -> None:
    """No file over about 1,000 lines: a newcomer reads a module whole."""
    path = _path(parts)
    if len(parts) == 1 and path.name in TOO_LONG_FOR_NOW:
        pytest.skip(TOO_LONG_FOR_NOW[path.name])
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{'/'.join(parts)}.py has {lines} lines"


def test_import_stays_light() -> None:
    """`import approval_rules` pulls in no click, hypothesis, jinja2, networkx, lunar
    package or database driver."""
    heavy = (
        "click",
        "hypothesis",
        "jinja2",
        "networkx",
        "borax",
        "sxtwl",
        "psycopg",
        "sqlite3",
        "durable",
    )
    code = f"import sys, approval_rules; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "[]"


def _drawing(layers: list[set[str]], prefix: str) -> str:
    """The Mermaid drawing of a layer table, highest layer first."""
    lines = ["```mermaid", "flowchart TB"]
    for index in range(len(layers) - 1, -1, -1):
        names = " · ".join(sorted(layers[index]))
        arrow = f" --> {prefix}{index - 1}" if index else ""
        lines.append(f'    {prefix}{index}["{names}"]{arrow}')
    lines.append("```")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("marker", "layers", "prefix"),
    [("layers", LAYERS, "L"), ("engine-layers", ENGINE_LAYERS, "E")],
)
def test_the_architecture_page_draws_these_tables(
    marker: str, layers: list[set[str]], prefix: str
) -> None:
    """docs/architecture.md draws exactly the layers this test enforces."""
    page = (PACKAGE.parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    start = page.index(f"<!-- {marker}: generated")
    block = page[page.index("\n", start) + 1 : page.index(f"<!-- /{marker} -->")].strip()
    assert block == _drawing(layers, prefix), "replace the block with:\n" + _drawing(layers, prefix)
