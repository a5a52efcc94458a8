"""The approval-rules command: check, schema, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from approval_rules.cli import main

DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 当阳市住房和城乡建设局}
roles:
  - {id: window_clerk, name: 窗口工作人员}
people:
  - {id: wang, name: 王月琴, department: zjj, roles: [window_clerk], backup: chen}
  - {id: chen, name: 陈倩, department: zjj, roles: [window_clerk], backup: wang}
"""

MATTER = """\
kind: matter
id: permit
name: 施工许可
catalogue_code: "000131127004"
implementation_code: "x-1"
matter_type: administrative_license
lead_department: zjj
legal_basis: [{law: 中华人民共和国建筑法, article: 第八条}]
case_type: promised
time_limits:
  statutory: {value: 7}
  promised: {value: 5}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [wang, chen], time_limit: {value: 1}}
  - id: decide
    name: 决定
    kind: decide
    signers: [wang, chen]
    after: [accept]
    decides: true
    time_limit: {value: 2}
result: {name: 施工许可证}
"""


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    (tmp_path / "m.yaml").write_text(MATTER, encoding="utf-8")
    return tmp_path


def test_check_clean(catalogue: Path) -> None:
    """A clean catalogue exits 0 and prints what was read."""
    result = CliRunner().invoke(main, ["check", str(catalogue)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("read 1 departments, 2 people, 1 matters, 2 steps, 0 materials;")
    assert last.endswith("0 error(s), 0 warning(s)")


def test_check_errors_exit_1(catalogue: Path) -> None:
    """Errors are printed as file:line:col lines and exit 1, without a traceback."""
    (catalogue / "m.yaml").write_text(MATTER.replace("after: [accept]", "after: [acept]"))
    result = CliRunner().invoke(main, ["check", str(catalogue)])
    assert result.exit_code == 1
    assert "m.yaml:19:13: error[unknown-step]" in result.output
    assert "error[unknown-step]" in result.output
    assert "did you mean 'accept' (declared under steps: in " in result.output
    assert "Traceback" not in result.output


def test_check_json(catalogue: Path) -> None:
    """--format json prints the issues as a JSON array with positions."""
    broken = MATTER.replace("promised: {value: 5}", "promised: {value: 9}")
    (catalogue / "m.yaml").write_text(broken)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(catalogue)])
    assert result.exit_code == 1
    issues = json.loads(result.output)
    assert [i["code"] for i in issues] == ["promised-exceeds-statutory"]
    assert issues[0]["line"] == 12


def test_check_missing_path_is_bad_input(tmp_path: Path) -> None:
    """A path that does not exist is reported as an input error."""
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "file-not-found" in result.output


def test_bad_usage_exit_2() -> None:
    """Unknown options and missing arguments are usage errors (exit 2)."""
    runner = CliRunner()
    assert runner.invoke(main, ["check"]).exit_code == 2
    assert runner.invoke(main, ["check", "--bogus", "x"]).exit_code == 2
    assert runner.invoke(main, ["nonsense"]).exit_code == 2


def test_schema_command(tmp_path: Path) -> None:
    """`schema NAME` prints a schema; `schema --write DIR` writes them all."""
    runner = CliRunner()
    printed = runner.invoke(main, ["schema", "matter.schema.json"])
    assert printed.exit_code == 0
    assert json.loads(printed.output)["$schema"].startswith("http://json-schema.org/draft-07")
    written = runner.invoke(main, ["schema", "--write", str(tmp_path)])
    assert written.exit_code == 0
    assert (tmp_path / "catalogue.schema.json").exists()
    assert runner.invoke(main, ["schema"]).exit_code == 2
