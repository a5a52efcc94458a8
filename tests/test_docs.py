"""Documentation stays honest: issue codes, CLI commands and the README commands."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from approval_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "approval_rules"
CODES_DOC = (ROOT / "docs" / "issue-codes.md").read_text(encoding="utf-8")

# Modules whose kebab-case string literals are Issue codes.
CODE_MODULES = [
    "_yaml.py",
    "loader.py",
    "conditions.py",
    "workdays/overlays.py",
    "compiler.py",
    "supervision/ruleset.py",
    "notify/check.py",
    *sorted(p.name for p in SRC.glob("checks_*.py")),
]
KEBAB = re.compile(r"""["']([a-z]+(?:-[a-z]+)+)["']""")


def _codes() -> list[tuple[str, str]]:
    found = []
    for name in CODE_MODULES:
        path = SRC / name
        if path.exists():
            text = path.read_text(encoding="utf-8")
            found += [(name, code) for code in sorted(set(KEBAB.findall(text)))]
    return found


@pytest.mark.parametrize(("module", "code"), _codes())
def test_issue_code_documented(module: str, code: str) -> None:
    """Every issue code the library can emit has an entry in docs/issue-codes.md."""
    assert f"`{code}`" in CODES_DOC, f"{code} (from {module}) is not in docs/issue-codes.md"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        out.append((prefix + name, command))
        if isinstance(command, click.Group):
            out += _commands(command, prefix + name + " ")
    return out


@pytest.mark.parametrize(("name", "command"), _commands(main), ids=lambda x: str(x))
def test_every_command_has_help(name: str, command: click.Command) -> None:
    """Every command and option explains itself in --help."""
    assert command.help, f"command {name} has no help"
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in {"help", "version"}:
            assert param.help, f"option {param.opts} of {name} has no help"


def test_readme_has_two_setup_commands() -> None:
    """The README's set-up section holds exactly two commands: run the job, run the tests."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, flags=re.S)
    assert commands == [
        "python -m pip install -e . && approval-rules check matters/",
        'python -m pip install -e ".[dev]" && python -m pytest',
    ]


def test_ci_runs_the_readme_setup_commands() -> None:
    """.ci/run runs the README's two set-up commands as .ci/readme_setup.py reads them."""
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    printed = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "readme_setup.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert printed == re.findall(r"```sh\n(.*?)\n```", setup, flags=re.S)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".ci/readme_setup.py" in ci
    assert 'in_readme_venv "${SETUP[0]}"' in ci
    assert 'run_suite readme-tests in_readme_venv "${SETUP[1]}"' in ci


def test_readme_python_examples_run() -> None:
    """Every Python example in the README runs as written, from the project folder."""
    import os
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        result = subprocess.run(
            [sys.executable, "-c", block],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONWARNINGS": "error"},
        )
        assert result.returncode == 0, result.stderr
