"""Issue #14, "Mermaid, DOT and JSON exports…": the drawings show who must sign (a quorum,
sections), the co-department's veto and the green channel; the text listing marks
example step limits as examples.  DOT must still be accepted by Graphviz and Mermaid by
its parser (both skip where the tool is absent, as in test_render.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from test_render import _PARSE_SCRIPT, mermaid_problems

from approval_rules.compiler import compile_matter
from approval_rules.engine import Engine
from approval_rules.graph import Process
from approval_rules.loader import load_catalogue_text
from approval_rules.render import to_dot, to_json, to_mermaid, to_text
from approval_rules.workdays import WorkCalendar

DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 某市住房和城乡建设局}
  - {id: xfj, name: 某市消防救援支队}
people:
  - {id: wang, name: 王月琴, department: zjj, backup: chen}
  - {id: chen, name: 陈倩, department: zjj, backup: wang}
  - {id: li, name: 李明, department: zjj, backup: zhao}
  - {id: zhao, name: 赵刚, department: zjj, backup: li}
  - {id: fu, name: 付红, department: zjj, backup: ai}
  - {id: ai, name: 艾伟, department: zjj, backup: fu}
  - {id: qian, name: 钱芳, department: xfj, backup: sun}
  - {id: sun, name: 孙强, department: xfj, backup: qian}
  - {id: shen, name: 沈卫东, department: zjj, backup: liu}
  - {id: liu, name: 刘建华, department: zjj, backup: shen}
"""

MATTER = """\
kind: matter
id: m
name: 某项许可
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: zjj
co_departments: [xfj]
legal_basis: [{law: 中华人民共和国行政许可法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
  green_channel: {reduction: 0.5, when: is_key_project, steps: true}
applicant_fields:
  - {id: is_key_project, name: 是否重点项目, type: boolean}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [wang, chen], time_limit: {value: 1}}
  - {id: survey, name: 现场核查, kind: review, signers: [li, zhao], signers_needed: 2,
     after: [accept], time_limit: {value: 3, example: true}}
  - id: sections
    name: 科室审核
    kind: review
    signers: [fu, ai]
    sections:
      - {id: build, name: 施工部分, signer: fu}
      - {id: safety, name: 安全部分, signer: ai}
    after: [accept]
    time_limit: {value: 2}
  - {id: fire, name: 消防审查, kind: co_review, department: xfj, signers: [qian, sun],
     after: [accept], on_disagree: veto, time_limit: {value: 3}}
  - {id: decide, name: 审批, kind: decide, decides: true, can_refuse: true, signers: [shen],
     after: [survey, sections, fire], time_limit: {value: 2}}
  - {id: certify, name: 制证, kind: certify, signers: [wang], after: [decide]}
  - {id: deliver, name: 发证, kind: deliver, signers: [wang], after: [certify]}
no_fee: true
result: {name: 某许可证}
"""


@pytest.fixture(scope="module")
def process() -> Process:
    catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": MATTER})
    return compile_matter(catalogue.matters["m"], catalogue)


def _node_line(text: str, marker: str) -> str:
    return next(line for line in text.splitlines() if marker in line)


def test_exports_mermaid_shows_quorum_sections_veto_and_green_channel(process: Process) -> None:
    text = to_mermaid(process)
    assert mermaid_problems(text) == []
    assert "须2人签署" in _node_line(text, "s_survey[")
    assert "分部分签署：施工部分、安全部分" in _node_line(text, "s_sections[")
    assert "一票否决" in _node_line(text, "s_fire[")
    assert "绿色通道 3 half days" in _node_line(text, "s_survey[")
    assert "%% green channel when is_key_project: promised 5 working days" in text
    assert "一票否决" not in _node_line(text, "s_survey[")


def test_exports_dot_shows_quorum_sections_veto_and_green_channel(process: Process) -> None:
    text = to_dot(process)
    assert "须2人签署" in _node_line(text, '"survey" [')
    assert "分部分签署：施工部分、安全部分" in _node_line(text, '"sections" [')
    assert "一票否决" in _node_line(text, '"fire" [')
    assert "绿色通道 1 working day" in _node_line(text, '"decide" [')
    assert "green channel when is_key_project: promised 5 working days" in text


@pytest.mark.requires("graphviz")
def test_exports_dot_with_quorum_sections_veto_and_green_is_accepted_by_graphviz(
    process: Process,
) -> None:
    dot = shutil.which("dot")
    assert dot is not None
    result = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(process), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "一票否决" in result.stdout
    assert "须2人签署" in result.stdout


@pytest.mark.requires("mermaid")
def test_exports_mermaid_with_the_new_rules_passes_the_official_parser(
    process: Process, mermaid_dir: Path
) -> None:
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, "--input-type=module", "-e", _PARSE_SCRIPT],
        input=json.dumps([to_mermaid(process)]),
        capture_output=True,
        text=True,
        cwd=mermaid_dir,
        timeout=120,
        check=True,
    )
    assert json.loads(result.stdout) == [None]


def test_exports_json_carries_quorum_sections_veto_and_green_channel(process: Process) -> None:
    data = json.loads(to_json(process))
    nodes = {node["id"]: node for node in data["graph"]["nodes"]}
    assert nodes["survey"]["signers_needed"] == 2
    assert nodes["sections"]["sections"] == {"build": "fu", "safety": "ai"}
    assert nodes["fire"]["on_disagree"] == "veto"
    green = data["green_channel"]
    assert green["reduction"] == 0.5
    assert green["when"] == "is_key_project"
    assert green["steps"] is True
    assert green["promised"] == 5
    assert green["step_limits"] == {
        "accept": 0.5, "survey": 1.5, "sections": 1.0, "fire": 1.5, "decide": 1.0,
    }  # fmt: skip
    assert process.to_json_data()["green_channel"] == {
        "reduction": 0.5,
        "when": "is_key_project",
        "steps": True,
    }


def test_exports_json_green_step_limits_are_the_engines(process: Process) -> None:
    catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": MATTER})
    plan = Engine(catalogue, WorkCalendar.china())._plan("m")
    limits = json.loads(to_json(process))["green_channel"]["step_limits"]
    for sid, days in limits.items():
        value, unit = plan.step_limit(sid, True) or (0, "working_days")
        assert days == (value / 2 if unit == "half_days" else value), sid


def test_exports_json_without_a_green_channel_says_null() -> None:
    catalogue = load_catalogue_text(
        {"d.yaml": DEFS, "m.yaml": MATTER.replace(
            "  green_channel: {reduction: 0.5, when: is_key_project, steps: true}\n", ""
        )}
    )  # fmt: skip
    process = compile_matter(catalogue.matters["m"], catalogue)
    assert json.loads(to_json(process))["green_channel"] is None
    assert "绿色通道" not in to_mermaid(process)


def test_exports_text_marks_example_limits_and_shows_veto_and_green(process: Process) -> None:
    text = to_text(process)
    assert "现场核查 (survey): review, 3 working days (example)," in text
    assert "科室审核 (sections): review, 2 working days," in text  # not an example
    assert "on disagreement: veto" in text
    assert "green channel (绿色通道): 3 half days" in text
    assert "green channel when is_key_project: promised 5 working days" in text
    assert "signed by 2 of its 2 signers" in text
