"""Service guides are read from the declarations the engine runs, never restated."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from approval_rules import Engine, WorkCalendar, compile_matter, load_catalogue
from approval_rules.conditions import parse_condition
from approval_rules.loader import Catalogue, load_catalogue_text
from approval_rules.model import ChoiceField
from approval_rules.publication import build_guide
from approval_rules.publication.labels import condition_text, limit_text, stop_names
from approval_rules.timelimits import DEFAULT_OFFICE_HOURS

MATTERS = Path(__file__).resolve().parent.parent / "matters"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(MATTERS)


def _guide(catalogue: Catalogue, matter_id: str):  # type: ignore[no-untyped-def]
    return build_guide(compile_matter(catalogue.matters[matter_id], catalogue), catalogue)


@pytest.mark.parametrize("matter_id", sorted(load_catalogue(MATTERS).matters))
def test_guide_lists_what_the_matter_declares(catalogue: Catalogue, matter_id: str) -> None:
    """Materials in declared order, steps in the engine's order, the matter's own limits."""
    matter = catalogue.matters[matter_id]
    process = compile_matter(matter, catalogue)
    guide = build_guide(process, catalogue)
    assert [m.name for m in guide.materials] == [m.name for m in matter.materials]
    assert [s.id for s in guide.steps] == list(process.order)
    assert guide.content_hash == process.content_hash
    promised = matter.time_limits.promised
    assert guide.limits.promised.text.startswith(f"{promised.value:g}") or (
        promised.value == 1 and guide.limits.promised.text == "半个工作日"
    )
    assert guide.limits.critical_path == f"{process.critical_length:g}个工作日"


def test_green_channel_promise_is_the_limit_the_engine_enforces(catalogue: Catalogue) -> None:
    """The guide's green-channel promise equals the promised limit of a green-channel case."""
    guide = _guide(catalogue, "construction_stage_joint_review")
    engine = Engine(catalogue, WorkCalendar.china())
    case = engine.submit(
        "construction_stage_joint_review",
        {"is_key_project": True, "builds_civil_defense_basement": False},
        {
            "stage_application_form": "paper",
            "contractor_selected": "paper",
            "drawing_review_certificate": ["审查合格书.pdf"],
            "waste_disposal_plan": "paper",
            "funding_commitment": "paper",
        },
        at=datetime(2025, 11, 17, 9, 0, tzinfo=TZ),
        actor="applicant",
        green_channel=True,
    )
    days, unit = case.clock.promised_limit
    assert unit == "working_days"
    assert guide.limits.green_channel is not None
    assert f"承诺时限缩短为{days}个工作日" in guide.limits.green_channel
    assert "「是否列入市级重点项目」为“是”" in guide.limits.green_channel


def test_extension_follows_the_matter_and_names_the_approving_role(catalogue: Catalogue) -> None:
    """Company registration: 3 working days approved by the office head (条例第十九条)."""
    guide = _guide(catalogue, "company_registration")
    assert guide.limits.extension is not None
    assert "延长3个工作日" in guide.limits.extension
    assert "主管领导（局长）" in guide.limits.extension
    assert _guide(catalogue, "construction_permit").limits.extension is None


def test_clock_stops_are_the_laws_list_and_the_matters_own(catalogue: Catalogue) -> None:
    """Art. 45's eight activities always stop the clock; a matter may add its own."""
    law = ("听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审")
    assert _guide(catalogue, "construction_permit").limits.clock_stops == law
    assert _guide(catalogue, "planning_permit").limits.clock_stops == (*law, "公示")
    assert stop_names(("river_survey",)) == (*law, "river_survey")


def test_posts_are_shown_never_names(catalogue: Catalogue) -> None:
    """A step shows its signers' posts; no person's name appears in any guide."""
    guide = _guide(catalogue, "construction_permit")
    review = next(s for s in guide.steps if s.id == "section_review")
    assert [p.text for p in review.posts] == [
        "建筑管理科科长（施工）",
        "建筑安全监督站站长（安全）",
        "建设工程质量监督站站长（监督）",
        "墙体材料革新与散装水泥办公室主任（散墙）",
    ]
    assert all(p.example for p in review.posts)  # titles inferred from the seed's flow
    window = next(s for s in guide.steps if s.id == "accept")
    assert [p.text for p in window.posts] == ["住建局窗口工作人员"]  # two clerks, one post
    names = {p.name for p in catalogue.people.values()}
    for matter_id in catalogue.matters:
        shown = repr(_guide(catalogue, matter_id).steps)
        assert not [n for n in names if n in shown], matter_id


def test_fees_read_from_the_fee_items(catalogue: Catalogue) -> None:
    """A per-unit fee shows rate, unit, bounds, basis, waiver and when it is charged."""
    (fee,) = _guide(catalogue, "temporary_road_occupation").fees
    assert fee.standard.text == "1.50元/平方米·日"
    assert fee.bounds is not None
    assert fee.bounds.text == "最低10.00元"
    assert fee.standard.example
    assert fee.bounds.example
    assert fee.basis.text == "城市道路管理条例第三十七条"
    assert not fee.basis.example
    assert fee.waivable
    assert fee.when == "「是否为市政公用设施等公益性工程」不为“是”"
    assert _guide(catalogue, "company_registration").fees == ()


def test_material_rules_in_words(catalogue: Catalogue) -> None:
    """The seed's scan rules, tolerated gaps, shared results and conditions appear in words."""
    guide = _guide(catalogue, "construction_permit")
    by_id = {m.id: m for m in guide.materials}
    form = by_id["application_form"]
    assert form.electronic == (
        "文件格式：*.jpg",
        "单个文件不超过90KB",
        "像素不低于640×480、不高于1600×1200",
        "按纸质材料顺序排列，以页码为准",
    )
    assert by_id["funding_commitment"].tolerated
    assert by_id["funding_commitment"].necessity == "容缺后补"
    assert by_id["planning_permit_certificate"].shared_from == "建设工程规划许可证核发"
    assert by_id["wage_deposit"].when == "「施工合同价格」大于300万元"
    assert guide.limits.tolerated is not None


def test_examples_are_listed_and_flagged(catalogue: Catalogue) -> None:
    """Each value a block marks as an example is flagged and named in Guide.examples."""
    guide = _guide(catalogue, "construction_permit")
    assert guide.catalogue_code.example
    assert guide.implementation_code.example
    assert not guide.name.example
    assert guide.limits.promised.example
    assert not guide.limits.statutory.example
    assert guide.service.address is not None
    assert guide.service.address.example
    assert guide.service.complaint_phone is not None
    assert guide.service.complaint_phone.text == "12345"
    assert not guide.service.complaint_phone.example
    assert guide.service.consultation_phone is not None
    assert guide.service.consultation_phone.text == "0717-3236505"  # the lead department's
    assert guide.service.consultation_phone.example
    assert {"基本编码", "承诺办结时限", "办公地址", "咨询电话"} <= set(guide.examples)
    assert "事项名称" not in guide.examples


_DEFS = """
kind: definitions
departments:
  - {id: zjj, name: 某市住房和城乡建设局}
roles:
  - {id: clerk, name: 窗口工作人员}
people:
  - {id: p, name: 张三, department: zjj, roles: [clerk], backup: q}
  - {id: q, name: 李四, department: zjj, roles: [clerk], backup: p}
"""

_MATTER = """
kind: matter
id: m
name: 某项许可
catalogue_code: "1"
implementation_code: "1"
matter_type: administrative_license
lead_department: zjj
legal_basis: [{law: 某法}]
case_type: promised
time_limits: {statutory: {value: 20}, promised: {value: 9}}
steps:
  - {id: a, name: 受理, kind: accept, signers: [p, q], decides: true}
result: {name: 某证}
"""


def test_a_matter_without_service_information_gets_an_honest_guide() -> None:
    """No examples, no invented contact: absent values stay absent, hours are the engine's."""
    catalogue = load_catalogue_text({"d.yaml": _DEFS, "m.yaml": _MATTER})
    guide = _guide(catalogue, "m")
    assert guide.examples == ()
    assert guide.service.address is None
    assert guide.service.consultation_phone is None
    assert guide.service.online_url is None
    morning = f"{DEFAULT_OFFICE_HOURS.morning[0]:%H:%M}—{DEFAULT_OFFICE_HOURS.morning[1]:%H:%M}"
    assert morning in guide.service.office_hours.text
    assert [p.text for p in guide.steps[0].posts] == ["窗口工作人员"]  # no title: the role


def test_a_changed_declaration_changes_the_guide() -> None:
    """Editing the YAML is the only way to change what the guide promises."""
    catalogue = load_catalogue_text(
        {"d.yaml": _DEFS, "m.yaml": _MATTER.replace("value: 9", "value: 4")}
    )
    assert _guide(catalogue, "m").limits.promised.text == "4个工作日"


_FIELDS = {
    "area": ChoiceField(id="area", name="建筑面积", type="number", unit="平方米"),
    "kind": ChoiceField(
        id="kind", name="建设性质", type="choice", choices=("新建", "扩建", "改建")
    ),
    "key": ChoiceField(id="key", name="是否重点项目", type="boolean"),
    "note": ChoiceField(id="note", name="备注", type="text"),
}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("key", "「是否重点项目」为“是”"),
        ("not key", "「是否重点项目」不为“是”"),
        ("key == false", "「是否重点项目」为“否”"),
        ("area >= 300.5", "「建筑面积」不小于300.5平方米"),
        ('kind in ["新建", "扩建"]', "「建设性质」是“新建”、“扩建”之一"),
        ('kind not in ["改建"]', "「建设性质」不是“改建”之一"),
        ('note != "无"', "「备注」不为“无”"),
        (
            "area > 30 and not (key or area < 5)",
            "「建筑面积」大于30平方米，且并非（「是否重点项目」为“是”，或「建筑面积」小于5平方米）",
        ),
        (
            "(area > 30 and key) or area < 5",
            "（「建筑面积」大于30平方米，且「是否重点项目」为“是”），或「建筑面积」小于5平方米",
        ),
    ],
)
def test_conditions_in_words(text: str, words: str) -> None:
    """Every form of a `when:` condition reads as a Chinese sentence over the field names."""
    assert condition_text(parse_condition(text), _FIELDS) == words


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (7, "working_days", "7个工作日"),
        (0.5, "working_days", "0.5个工作日"),
        (1, "half_days", "半个工作日"),
        (3, "half_days", "3个工作半日"),
        (2, "hours", "2个工作小时"),
        (30, "calendar_days", "30日（自然日）"),
    ],
)
def test_limits_in_words(value: float, unit: str, words: str) -> None:
    """A limit is published in the unit it was declared in."""
    from approval_rules.model import TimeLimit

    assert limit_text(TimeLimit(value=value, unit=unit)) == words


def test_folded_yaml_text_reads_as_one_chinese_paragraph(catalogue: Catalogue) -> None:
    """A line break folded into a space between Chinese characters leaves no gap."""
    (basis, _) = _guide(catalogue, "construction_permit").legal_basis
    assert basis.text is not None
    assert "建设行政主管部门申请领取施工许可证" in basis.text
    assert "对符合条件的申请" in basis.text
    note = _guide(catalogue, "construction_permit").note
    assert note is not None
    assert "工程投资额 30 万元以下" in note  # spaces around numbers are the author's


def test_readme_shows_a_guide_page() -> None:
    """The README shows the screenshot of a guide page, kept in docs/ at a reasonable size."""
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "](docs/guide-construction-permit.png)" in readme
    picture = root / "docs" / "guide-construction-permit.png"
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert 20_000 < picture.stat().st_size < 500_000
