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
    "model": {"errors"},
    "schema": {"errors", "model", "_yaml"},
    "loader": {"errors", "_yaml", "model", "schema", "conditions", "graph", "compiler"},
    "workdays": {"errors", "_yaml"},
    "timelimits": {"errors", "workdays"},
    "graph": {"errors", "model", "conditions", "loader"},
    "compiler": {"errors", "model", "graph", "loader", "conditions", "timelimits", "workdays"},
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
    # a subpackage is one layer: its modules import each other freely
    "store": {"errors", "audit", "model", "graph", "compiler", "engine"},
}

# Third-party packages each may be imported by one module only (B1.6).
OWNERS = {
    "yaml": {"_yaml"},
    "jsonschema": {"schema"},
    "networkx": {"graph"},
    "chinese_calendar": {"workdays"},
    "hypothesis": {"testing"},
    "psycopg": {"store.postgresql"},
    "sqlite3": {"store.sqlite"},  # the standard library's, but one adapter all the same
}


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(package modules, top-level third-party names) imported by a file.

    Inside a subpackage, relative imports of its own modules are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 1 inside a subpackage
    internal: set[str] = set()
    external: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if 1 <= node.level <= depth:
                continue
            if node.level >= 1:
                if node.module:
                    internal.add(node.module.split(".")[0])
                else:
                    internal.update(alias.name for alias in node.names)
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


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent.name != "__pycache__")


def _dotted(path: Path) -> str:
    """``engine``, ``store.postgresql``, ``store`` (a subpackage's ``__init__``)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if len(parts) > 1 and parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=_dotted)
def test_layers(path: Path) -> None:
    """No module imports a layer below it, nor the package's own __init__."""
    internal, external = _imports(path)
    dotted = _dotted(path)
    name = dotted.split(".")[0]
    if dotted == "__init__":
        return
    assert "__init__" not in internal, f"{name} imports approval_rules itself"
    if name in ALLOWED:
        extra = internal - ALLOWED[name] - {name}
        assert not extra, f"{name} may not import {sorted(extra)}"
    for package, owners in OWNERS.items():
        if package in external:
            assert dotted in owners, f"only {sorted(owners)} may import {package}, not {dotted}"
    if "click" in external:
        assert name == "cli" or name.startswith("_cli"), f"{name} imports click"


def test_import_stays_light() -> None:
    """`import approval_rules` pulls in neither click, hypothesis, networkx nor a database
    driver."""
    code = (
        "import sys, approval_rules;"
        "print(sorted(m for m in ('click', 'hypothesis', 'networkx', 'psycopg', 'sqlite3')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "[]"
