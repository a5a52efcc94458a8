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
    # Publication (issue 15): reads the model and the compiled process, never the engine.
    "publication": {"publication.errors", "publication.guide", "publication.site"},
    "publication.errors": {"errors"},
    "publication.labels": {"model", "conditions", "timelimits"},
    "publication.guide": {"model", "timelimits", "graph", "loader", "publication.labels"},
    "publication.flowchart": {"model", "graph", "publication.errors", "publication.guide"},
    "publication._templates": {"publication.errors"},
    "publication.site": {
        "compiler",
        "loader",
        "publication._templates",
        "publication.errors",
        "publication.flowchart",
        "publication.guide",
    },
    "_cli_guide": {"loader", "publication"},
}

# Third-party packages each may be imported by one module only (B1.6).
OWNERS = {
    "yaml": {"_yaml"},
    "jsonschema": {"schema"},
    "networkx": {"graph"},
    "chinese_calendar": {"workdays"},
    "hypothesis": {"testing"},
    "jinja2": {"publication._templates"},
}


def _name(path: Path) -> str:
    """A module's dotted name inside the package: 'engine', 'publication.guide'."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def _package_of(path: Path) -> tuple[str, ...]:
    """The sub-package a file is in, as parts ('publication',); () at the top level."""
    return path.relative_to(PACKAGE).parent.parts


def _module(base: tuple[str, ...], dotted: str) -> str:
    """The package module named by ``dotted`` relative to sub-package ``base``.

    A top-level module is named by its first component ('compiler' of '.compiler.x'); a
    module of a sub-package keeps the sub-package ('publication.guide').
    """
    parts = (*base, *dotted.split("."))
    if len(parts) >= 2 and (PACKAGE / parts[0]).is_dir():
        return f"{parts[0]}.{parts[1]}"
    return parts[0]


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(package modules, top-level third-party names) imported by a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _package_of(path)
    internal: set[str] = set()
    external: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level >= 1:
                base = package[: len(package) - (node.level - 1)]
                if node.module:
                    internal.add(_module(base, node.module))
                else:
                    internal.update(_module(base, alias.name) for alias in node.names)
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


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_layers(path: Path) -> None:
    """No module imports a layer below it, nor the package's own __init__."""
    internal, external = _imports(path)
    name = _name(path)
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
    """`import approval_rules` pulls in neither click, hypothesis, jinja2 nor networkx."""
    code = (
        "import sys, approval_rules;"
        "print(sorted(m for m in ('click', 'hypothesis', 'jinja2', 'networkx')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "[]"
