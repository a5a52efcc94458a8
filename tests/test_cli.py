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


# --- issue #14: check's behaviour on hostile and careless input ------------------------------


def test_hostile_input_check_folder_of_scenarios_says_nothing_was_checked(tmp_path: Path) -> None:
    """A folder with only scenario files is not '0 matters, 0 errors': exit 1, said plainly."""
    (tmp_path / "s.yaml").write_text("kind: scenario\nname: x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "error[empty-catalogue]" in result.stdout
    assert "nothing was checked" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "read nothing usable; 1 error(s), 0 warning(s)"


def test_hostile_input_check_reads_upper_case_yaml(catalogue: Path) -> None:
    """X.YAML is a catalogue file like x.yaml, not skipped silently."""
    (catalogue / "m.yaml").rename(catalogue / "M.YAML")
    result = CliRunner().invoke(main, ["check", str(catalogue)])
    assert result.exit_code == 0, result.output
    assert "1 matters, 2 steps" in result.stdout


def test_hostile_input_check_dir_dir_reads_each_file_once(catalogue: Path) -> None:
    """check DIR DIR (or DIR and a file in it) counts nothing twice."""
    once = CliRunner().invoke(main, ["check", str(catalogue)])
    twice = CliRunner().invoke(
        main, ["check", str(catalogue), str(catalogue), str(catalogue / "m.yaml")]
    )
    assert twice.exit_code == 0
    assert twice.stdout == once.stdout


def test_hostile_input_check_duplicate_ids_across_paths_are_reported(
    catalogue: Path, tmp_path: Path
) -> None:
    """Several paths are one catalogue: the same matter id in two places is duplicate-id."""
    other = tmp_path / "copy"
    other.mkdir()
    (other / "m2.yaml").write_text(MATTER, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(catalogue), str(other)])
    assert result.exit_code == 1
    assert "error[duplicate-id]: matter id 'permit' is declared twice" in result.stdout


def test_check_several_paths_make_one_catalogue(catalogue: Path) -> None:
    """A matter file checked with its definitions file, given side by side."""
    alone = CliRunner().invoke(main, ["check", str(catalogue / "m.yaml")])
    assert alone.exit_code == 1
    assert "unknown-department" in alone.stdout
    together = CliRunner().invoke(
        main, ["check", str(catalogue / "defs.yaml"), str(catalogue / "m.yaml")]
    )
    assert together.exit_code == 0, together.output


def test_hostile_input_check_deep_condition_is_an_issue_not_a_recursion_error(
    catalogue: Path,
) -> None:
    """250 nested brackets or 1000 nots in a when: are an issue at the when:, exit 1."""
    cases = [
        ("(" * 250 + "x" + ")" * 250, "21:11: error[too-long]: steps[1].when has 501 characters"),
        ("not " * 1000 + "x", "21:11: error[too-long]: steps[1].when has 4001 characters"),
        # the 21st bracket, after the opening quote
        ("(" * 30 + "x" + ")" * 30, "21:32: error[invalid-condition]: steps[1].when: brackets"),
    ]
    for when, expected in cases:
        text = MATTER.replace("decides: true\n", f"decides: true\n    when: '{when}'\n")
        (catalogue / "m.yaml").write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["check", str(catalogue)])
        assert result.exit_code == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert f"m.yaml:{expected}" in result.stdout


def test_hostile_input_check_root_causes_come_first(catalogue: Path) -> None:
    """A problem that follows from another is printed after its root cause."""
    text = (
        MATTER.replace("    after: [accept]\n", "    after: [accept, late]\n")
        + "  - {id: late, name: 补充, kind: review, signers: [wang, chen]}\n"
    )
    text = text.replace("result: {name: 施工许可证}\n", "") + "result: {name: 施工许可证}\n"
    (catalogue / "m.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(catalogue)])
    lines = [line for line in result.stdout.splitlines() if "error[" in line]
    assert "error[multiple-starts]" in lines[0]
    assert any("error[decision-bypasses-acceptance]" in line for line in lines[1:])


def test_hostile_input_one_convention_check_problems_on_standard_output(catalogue: Path) -> None:
    """check's problems are its result: all on standard output, nothing on standard error."""
    (catalogue / "m.yaml").write_text(MATTER.replace("after: [accept]", "after: [acept]"))
    result = CliRunner().invoke(main, ["check", str(catalogue)])
    assert "error[unknown-step]" in result.stdout
    assert result.stderr == ""
    as_json = CliRunner().invoke(main, ["check", "--format", "json", str(catalogue)])
    assert [i["code"] for i in json.loads(as_json.stdout)] == ["unknown-step"]


def test_messages_a_path_that_is_not_yaml_is_said_to_be_no_catalogue_file(tmp_path: Path) -> None:
    """../../etc/passwd-like paths: not a catalogue file, or no such file, never 'a file type'."""
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(passwd)])
    assert result.exit_code == 1
    assert f"error[not-a-catalogue-file]: {passwd}: not a catalogue file" in result.stdout
    missing = CliRunner().invoke(main, ["check", str(tmp_path / ".." / "nowhere" / "passwd")])
    assert missing.exit_code == 1
    assert "error[file-not-found]" in missing.stdout
    assert "file type" not in result.stdout + missing.stdout


def test_messages_deadline_with_negative_days_is_a_usage_error() -> None:
    """deadline D -5 says the number is negative, not 'No such option'."""
    result = CliRunner().invoke(main, ["deadline", "2026-02-13", "-5"])
    assert result.exit_code == 2
    assert "-5 is negative; N counts working days from START, 0 or more" in result.stderr
    assert "No such option" not in result.stderr
    assert CliRunner().invoke(main, ["deadline", "2026-02-13", "5", "--bogus"]).exit_code == 2
    assert CliRunner().invoke(main, ["deadline", "2026-02-13", "7"]).stdout == "2026-03-02\n"
