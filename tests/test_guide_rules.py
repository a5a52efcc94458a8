"""Issue #14, "The guide shows…": the 办事指南 states the language's new rules in Chinese.

Each test reads the rendered guide page (its HTML as text) of a bundled matter or of a
small matter built here: the counting basis of each limit (with 未核实 where the reading
is not verified), the extension's scope, steps several people sign, the co-department's
veto, Art. 45's stop limits, applicant delays, the certificate period, the green
channel's step limits, the joint-handling bound, fees, 告知承诺制 and several results.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from approval_rules import compile_matter, load_catalogue
from approval_rules.engine import Engine
from approval_rules.loader import Catalogue, load_catalogue_text
from approval_rules.publication import build_guide
from approval_rules.publication._templates import Templates
from approval_rules.timelimits import JOINT_DECISION_DAYS, JOINT_EXTENSION_DAYS
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = load_catalogue(ROOT / "matters")

DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 某市住房和城乡建设局}
  - {id: xfj, name: 某市消防救援支队}
roles:
  - {id: clerk, name: 窗口工作人员}
  - {id: office_head, name: 局长}
people:
  - {id: wang, name: 王月琴, title: 窗口受理员, department: zjj, roles: [clerk], backup: chen}
  - {id: chen, name: 陈倩, title: 窗口受理员, department: zjj, roles: [clerk], backup: wang}
  - {id: li, name: 李明, title: 审查员, department: zjj, backup: zhao}
  - {id: zhao, name: 赵刚, title: 审查员, department: zjj, backup: li}
  - {id: qian, name: 钱芳, title: 防火监督员, department: xfj, backup: sun}
  - {id: sun, name: 孙强, title: 防火监督员, department: xfj, backup: qian}
  - {id: shen, name: 沈卫东, title: 局长, department: zjj, roles: [office_head], backup: liu}
  - {id: liu, name: 刘建华, title: 副局长, department: zjj, backup: shen}
fee_items:
  - id: occupation_fee
    name: 占道费
    rate: 2
    per_field: area
    times: [days]
    unit: 平方米·天
    minimum: 100
    legal_basis: {law: 示例收费标准}
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
  statutory:
    value: 20
    unit: calendar_days
    counting:
      basis: calendar_days
      reading: 本法只写“二十日”，按民法典第二百零三条读作自然日。
      unverified: true
  promised: {value: 10}
  extension: {value: 10, approved_by: office_head, scope: statutory}
  green_channel: {reduction: 0.5, when: is_key_project, steps: true}
  stop_limits: [{kind: expert_review, max_days: 30, legal_basis: 某规定第十条}]
applicant_fields:
  - {id: is_key_project, name: 是否重点项目, type: boolean}
  - {id: area, name: 占用面积, type: number, unit: 平方米}
  - {id: days, name: 占用天数, type: number, unit: 天}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [wang, chen], time_limit: {value: 1}}
  - {id: review, name: 现场核查, kind: review, signers: [li, zhao], signers_needed: 2,
     after: [accept], time_limit: {value: 3}}
  - {id: fire, name: 消防审查, kind: co_review, department: xfj, signers: [qian, sun],
     after: [accept], on_disagree: veto, time_limit: {value: 3}}
  - {id: decide, name: 审批, kind: decide, decides: true, can_refuse: true, signers: [shen],
     after: [review, fire], time_limit: {value: 2}}
  - {id: certify, name: 制证, kind: certify, signers: [wang], after: [decide]}
  - {id: deliver, name: 发证, kind: deliver, signers: [wang], after: [certify]}
fees: [{item: occupation_fee}]
result: {name: 某许可证, issue_within: 5}
"""


def page_text(catalogue: Catalogue, matter_id: str) -> str:
    """The rendered guide page as a reader sees it: its text, tags removed."""
    process = compile_matter(catalogue.matters[matter_id], catalogue)
    guide = build_guide(process, catalogue)
    html = Templates(None).render(
        "guide.html", guide=guide, flowchart="", site={"title": "办事指南", "matters": 1}
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def small(matter: str = MATTER) -> str:
    return page_text(load_catalogue_text({"d.yaml": DEFS, "m.yaml": matter}), "m")


def row(text: str, heading: str) -> str:
    """The text of the table row that starts with ``heading`` (up to the next one)."""
    start = text.index(heading)
    return text[start : start + 400]


# --- counting basis -----------------------------------------------------------------------


def test_counting_basis_calendar_days_with_the_unverified_badge() -> None:
    text = small()
    statutory = row(text, "法定办结时限")
    assert "20日（自然日）" in statutory
    assert "计算方式：按自然日计算" in statutory
    assert "民法典第二百零三条" in statutory
    assert "未核实" in statutory
    assert "按民法典第二百零三条读作自然日" in statutory  # the reading, as declared


def test_counting_basis_verified_working_days_carry_no_badge() -> None:
    text = small(MATTER.replace("      unverified: true\n", ""))
    assert "未核实" not in row(text, "法定办结时限")
    promised = row(text, "承诺办结时限")
    assert "计算方式：按工作日计算" in promised
    assert "未核实" not in promised


def test_counting_basis_of_the_construction_permit_is_marked_unverified() -> None:
    """建筑法 Art. 8's “七日” read as working days, not yet confirmed by the office."""
    statutory = row(page_text(BUNDLED, "construction_permit"), "法定办结时限")
    assert "7个工作日" in statutory
    assert "按工作日计算" in statutory
    assert "未核实" in statutory


# --- extension scope ---------------------------------------------------------------------


def test_extension_scope_statutory_keeps_the_promise() -> None:
    extension = row(small(), "延期")
    assert "经局长批准，可以延长10个工作日" in extension
    assert "延长的是法定办结时限，承诺办结时限不随之延长" in extension


def test_extension_scope_both_moves_the_promise_too() -> None:
    text = small(MATTER.replace("scope: statutory", "scope: both"))
    assert "法定办结时限和承诺办结时限同时顺延" in row(text, "延期")


# --- several signers, sections, veto -----------------------------------------------------


def test_several_signers_quorum_is_stated_on_the_step() -> None:
    review = row(small(), "现场核查")
    assert "须由2名不同的人员分别签署" in review
    assert "李明" not in review  # posts, never names
    assert "赵刚" not in review


def test_several_signers_sections_of_the_construction_permit() -> None:
    text = row(page_text(BUNDLED, "construction_permit"), "科室审核")
    assert "分4部分审核" in text
    for section in ("施工（建筑管理科）", "安全（建筑安全监督站）", "散墙"):
        assert section in text
    assert "各部分均签署后本环节方可通过" in text
    assert "施工（建筑管理科）由建筑管理科科长（施工）示例签署" in text  # its post, badged
    assert "付红" not in text  # the section's post, not the person


def test_co_department_veto_is_stated() -> None:
    fire = row(small(), "消防审查")
    assert "一票否决" in fire
    plain = small(MATTER.replace(" on_disagree: veto,", ""))
    assert "一票否决" not in plain


# --- Art. 45 stop limits, applicant delays ------------------------------------------------


def test_art_45_stop_limits_give_the_maximum_per_kind() -> None:
    stops = row(small(), "不计入时限")
    assert "所需时间最长为：专家评审：最长30个工作日（某规定第十条）" in stops


def test_art_45_without_stop_limits_says_no_maximum() -> None:
    assert "所需时间最长为" not in page_text(BUNDLED, "planning_permit")


@pytest.mark.parametrize("matter_id", sorted(BUNDLED.matters))
def test_applicant_delays_are_not_counted(matter_id: str) -> None:
    delays = row(page_text(BUNDLED, matter_id), "申请人原因延误")
    assert "不计入本机关的承诺办理时间" in delays
    assert "视为按期办结" in delays


# --- certificate period, green channel, joint handling ------------------------------------


def test_certificate_period_of_the_matter() -> None:
    assert "自决定之日起5个工作日内颁发、送达证件" in small()
    without = small(MATTER.replace(", issue_within: 5", ""))
    assert "自决定之日起10个工作日内颁发、送达证件" in without


def test_green_channel_halves_the_promise_and_the_step_limits() -> None:
    text = small()
    assert (
        "绿色通道符合条件（「是否重点项目」为“是”）的，承诺时限缩短为5个工作日（提速50%）" in text
    )
    assert "各环节时限同样缩短50%" in text
    review = row(text, "现场核查")
    assert "3个工作日" in review
    assert "绿色通道：3个工作半日" in review  # 1.5 days, as the engine counts them
    assert "绿色通道：半个工作日" in row(text, "受理（")


def test_green_channel_step_limits_are_the_engines() -> None:
    """The guide's green step limit is the one the engine opens a green case with."""
    catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": MATTER})
    plan = Engine(catalogue, WorkCalendar.china())._plan("m")
    assert plan.step_limit("review", True) == (3, "half_days")
    assert plan.step_limit("decide", True) == (1, "working_days")
    assert "绿色通道：1个工作日" in row(small(), "审批（")


def test_green_channel_without_steps_leaves_the_step_limits() -> None:
    plain = MATTER.replace(", steps: true}", "}").replace(
        "signers_needed: 2,\n     after: [accept], time_limit: {value: 3}",
        "signers_needed: 2,\n     after: [accept], time_limit: {value: 2}",
    )
    text = small(
        plain.replace(
            "after: [review, fire], time_limit: {value: 2}",
            "after: [review, fire], time_limit: {value: 1}",
        )
    )
    assert "绿色通道：" not in text.split("办理环节、岗位与时限", 1)[1].split("六、办理时限")[0]
    assert "各环节时限同样缩短" not in text


def test_joint_handling_bound_45_and_15() -> None:
    joint = row(page_text(BUNDLED, "construction_stage_joint_review"), "联合办理本事项")
    assert f"办理时间不超过{JOINT_DECISION_DAYS}个工作日" in joint
    assert f"可以延长{JOINT_EXTENSION_DAYS}个工作日" in joint
    assert "本级人民政府负责人" in joint
    assert "联合办理本事项" not in small()


# --- fees, commitment, several results -----------------------------------------------------


def test_fees_multiplied_items_with_their_minimum() -> None:
    fees = row(small(), "七、收费")
    assert "2.00元/平方米·天（按占用面积×占用天数计）" in fees
    assert "最低100.00元" in fees


def test_fees_no_fee_is_stated() -> None:
    assert "本事项不收费" in page_text(BUNDLED, "company_registration")
    # marked as an example where the catalogue has not verified it
    joint = row(page_text(BUNDLED, "construction_stage_joint_review"), "七、收费")
    assert "不收费示例" in joint


def test_commitment_procedure_if_declared() -> None:
    text = page_text(BUNDLED, "individual_business_registration")
    section = row(text, "告知承诺制")
    assert "可以承诺替代的材料" in section
    assert "经营场所" in section
    assert "作出准予许可决定之日起3个月内" in section
    assert "国办发〔2020〕42号" in text
    assert "告知承诺制" not in small()


def test_several_results_each_with_its_department() -> None:
    text = page_text(BUNDLED, "construction_stage_joint_review")
    matter = BUNDLED.matters["construction_stage_joint_review"]
    assert matter.further_results
    for result in matter.further_results:
        assert result.name in text
    assert "出具）" in text


def test_form_both_is_shown_as_paper_and_electronic_each() -> None:
    text = page_text(BUNDLED, "construction_permit")
    assert "纸质和电子各一份（两者都须提交）" in text
