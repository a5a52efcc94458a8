"""Import layers (STYLE.md B3): each module imports only from the layers above it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "approval_rules"

# module -> package modules it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_yaml": {"errors"},
    "conditions": set(),
    "filetypes": set(),
    "model": {"errors", "conditions", "filetypes"},
    "schema": {"errors", "model", "_yaml"},
    "loader": {"errors", "_yaml", "model", "schema", "conditions", "graph", "compiler"},
    "workdays": {"errors", "_yaml"},
    "timelimits": {"errors", "workdays"},
    "graph": {"errors", "model", "conditions", "loader"},
    "checks_base": {"errors", "model", "graph", "loader"},
    **{
        f"checks_{subject}": {"errors", "model", "graph", "loader", "checks_base", "timelimits"}
        for subject in ("departments", "joint_handling", "people", "result", "steps", "time")
    },
    "compiler": {
        "errors",
        "model",
        "graph",
        "loader",
        "conditions",
        "timelimits",
        "workdays",
        "checks_base",
        "checks_departments",
        "checks_joint_handling",
        "checks_people",
        "checks_result",
        "checks_steps",
        "checks_time",
    },
    "audit": {"errors"},
    "engine": {
        "errors",
        "model",
        "graph",
        "compiler",
        "loader",
        "conditions",
        "timelimits",
        "workdays",
        "audit",
    },
    "scenario": {
        "errors",
        "_yaml",
        "model",
        "loader",
        "engine",
        "timelimits",
        "workdays",
        "audit",
        "compiler",
        "graph",
    },
    "render": {"errors", "model", "graph", "loader", "compiler"},
    # Publication (issue 15) reads the model and the compiled process, never the engine.
    "publication": {"errors", "model", "conditions", "timelimits", "graph", "loader", "compiler"},
    "_cli_guide": {"loader", "publication"},
}

# Subpackage -> module -> modules of the same subpackage it may import.  Every module of
# a subpackage must be listed; imports leaving the subpackage follow its ALLOWED row.
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
}


def _name(path: Path) -> str:
    """Dotted name inside the package: ``engine``, ``workdays.overlays``, ``workdays``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(package modules as dotted names, top-level third-party names) imported by a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = list(path.relative_to(PACKAGE).parts[:-1])  # the file's own (sub)package
    internal: set[str] = set()
    external: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level >= 1:
                base = here[: len(here) - (node.level - 1)]
                if node.module:
                    internal.add(".".join([*base, *node.module.split(".")]))
                else:
                    internal.update(".".join([*base, alias.name]) for alias in node.names)
            elif node.module:
                top = node.module.split(".")[0]
                if top == "approval_rules":
                    internal.add("__init__")
                else:
                    external.add(top)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                external.add(alias.name.split(".")[0])
    return internal, external


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def _check_inside(name: str, internal: set[str]) -> set[str]:
    """Check imports within a subpackage; return the imports that leave it."""
    top, _, sub = name.partition(".")
    own = INSIDE[top]
    assert (sub or "__init__") in own, f"add {name} to INSIDE[{top!r}] in this test"
    inner = {i.partition(".")[2] for i in internal if i.split(".")[0] == top}
    extra = inner - own[sub or "__init__"] - {sub}
    assert not extra, f"{name} may not import {sorted(top + '.' + e for e in extra)}"
    return {i for i in internal if i.split(".")[0] != top}


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_layers(path: Path) -> None:
    """No module imports a layer below it, nor the package's own __init__."""
    internal, external = _imports(path)
    name = _name(path)
    if name == "__init__":
        return
    assert "__init__" not in internal, f"{name} imports approval_rules itself"
    top = name.split(".")[0]
    if top in INSIDE:
        internal = _check_inside(name, internal)
    if top in ALLOWED:
        extra = {i.split(".")[0] for i in internal} - ALLOWED[top] - {top}
        assert not extra, f"{name} may not import {sorted(extra)}"
    for package, owners in OWNERS.items():
        if package in external:
            assert name in owners, f"only {sorted(owners)} may import {package}, not {name}"
    if "click" in external:
        assert name == "cli" or name.startswith("_cli"), f"{name} imports click"


@pytest.mark.parametrize("package", sorted(INSIDE))
def test_subpackage_table_lists_every_module(package: str) -> None:
    """INSIDE names exactly the modules a subpackage has (no stale or missing rows)."""
    files = {p.stem for p in (PACKAGE / package).glob("*.py")}
    assert files == set(INSIDE[package])


def test_import_stays_light() -> None:
    """`import approval_rules` pulls in no click, hypothesis, jinja2, networkx or lunar package."""
    heavy = ("click", "hypothesis", "jinja2", "networkx", "borax", "sxtwl")
    code = f"import sys, approval_rules; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "[]"
