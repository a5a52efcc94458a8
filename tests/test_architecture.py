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
    "_wording": {"errors"},
    "_yaml": {"errors"},
    "conditions": {"_wording"},
    "model": {"errors"},
    "schema": {"errors", "model", "_yaml"},
    "catalogue": {"errors", "_yaml", "model"},
    "loader": {"_wording", "errors", "_yaml", "model", "schema", "conditions", "catalogue"},
    "workdays": {"errors", "_yaml"},
    "timelimits": {"errors", "workdays"},
    "graph": {"errors", "model", "conditions"},
    "compiler": {
        "_wording",
        "errors",
        "model",
        "graph",
        "catalogue",
        "conditions",
        "timelimits",
        "workdays",
    },
    "audit": {"errors"},
    "engine": {
        "catalogue",
        "_wording",
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
        "_wording",
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
    "render": {"_wording", "errors", "model", "graph", "loader", "compiler"},
}

# Third-party packages each may be imported by one module only (B1.6).
OWNERS = {
    "yaml": {"_yaml"},
    "jsonschema": {"schema"},
    "networkx": {"graph"},
    "chinese_calendar": {"workdays"},
    "hypothesis": {"testing"},
}


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(package modules, top-level third-party names) imported by a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    internal: set[str] = set()
    external: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
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


MODULES = sorted(p for p in PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_layers(path: Path) -> None:
    """No module imports a layer below it, nor the package's own __init__."""
    internal, external = _imports(path)
    name = path.stem
    if name == "__init__":
        return
    assert "__init__" not in internal, f"{name} imports approval_rules itself"
    if name in ALLOWED:
        extra = internal - ALLOWED[name] - {name}
        assert not extra, f"{name} may not import {sorted(extra)}"
    for package, owners in OWNERS.items():
        if package in external:
            assert name in owners, f"only {sorted(owners)} may import {package}, not {name}"
    if "click" in external:
        assert name == "cli" or name.startswith("_cli"), f"{name} imports click"


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
