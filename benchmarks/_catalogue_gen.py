"""A generated catalogue for benchmarks: N realistic matters over 42 departments.

:func:`generate_catalogue` returns ``{file name: YAML text}``, ready for
``approval_rules.loader.load_catalogue_text`` (or to be written into a folder).
The same ``(n_matters, seed)`` always gives the same texts.

Shape of each matter (about 20 steps):

* acceptance at the lead department's window, a pre-review;
* a first parallel section: 2-5 co-department reviews (``co_review``, other
  departments) beside 1-2 reviews of the lead department, joined by a lead review;
* an optional site survey, then a second parallel section of 2-4 reviews;
* legal review, deputy review, the head's decision (``decides: true``, may send back), then the
  window's notify → fee → certify → deliver → close chain;
* 10 materials (some conditional, some tolerated, some replaced by a prerequisite's
  result), 2 applicant fields, a fee charged per m²;
* promised limit = critical path + 0-5 working days; statutory ≥ promised;
* prerequisites only on matters generated earlier, so there is never a cycle.

Every generated matter compiles without errors (possibly with AB岗 warnings).
"""

from __future__ import annotations

import random

__all__ = ["N_DEPARTMENTS", "PEOPLE_PER_DEPARTMENT", "generate_catalogue"]

N_DEPARTMENTS = 42
PEOPLE_PER_DEPARTMENT = 8

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
_BUREAUS = [
    "住房和城乡建设局",
    "自然资源和规划局",
    "市场监督管理局",
    "生态环境局",
    "消防救援支队",
    "城市管理局",
    "交通运输局",
    "水利局",
    "人民防空办公室",
    "文化和旅游局",
    "卫生健康委员会",
    "公安局",
    "应急管理局",
    "发展和改革局",
    "商务局",
    "农业农村局",
    "林业局",
    "教育局",
    "民政局",
    "人力资源和社会保障局",
    "财政局",
    "税务局",
    "气象局",
    "地震局",
    "档案馆",
    "行政审批服务局",
    "工业和信息化局",
    "科学技术局",
    "司法局",
    "退役军人事务局",
    "体育局",
    "医疗保障局",
    "统计局",
    "审计局",
    "国有资产监督管理委员会",
    "信访局",
    "粮食和物资储备局",
    "住房公积金管理中心",
    "公共资源交易中心",
    "供电公司",
    "供水公司",
    "燃气公司",
]


def _person_id(dept: int, k: int) -> str:
    return f"p{dept:02d}_{k}"


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


def _definitions(rng: random.Random) -> str:
    lines = ["kind: definitions", "departments:"]
    for d in range(N_DEPARTMENTS):
        lines.append(f"  - id: d{d:02d}")
        lines.append(f"    name: 示例市{_BUREAUS[d % len(_BUREAUS)]}")
        lines.append("    level: city")
    lines.append("roles:")
    for d in range(N_DEPARTMENTS):
        lines.append(f"  - {{id: d{d:02d}_window, name: 窗口受理人员}}")
    lines.append("  - {id: office_head, name: 局长}")
    lines.append("people:")
    for d in range(N_DEPARTMENTS):
        for k in range(PEOPLE_PER_DEPARTMENT):
            roles = [f"d{d:02d}_window"] if k < 2 else []
            if k == PEOPLE_PER_DEPARTMENT - 1:
                roles.append("office_head")
            lines.append(f"  - id: {_person_id(d, k)}")
            lines.append(f"    name: {_name(rng)}")
            lines.append(f"    department: d{d:02d}")
            if roles:
                lines.append(f"    roles: [{', '.join(roles)}]")
            # Pairs back each other up (AB岗); the head has no backup.
            if k < PEOPLE_PER_DEPARTMENT - 1:
                partner = k + 1 if k % 2 == 0 else k - 1
                if partner < PEOPLE_PER_DEPARTMENT - 1:
                    lines.append(f"    backup: {_person_id(d, partner)}")
    lines += [
        "fee_items:",
        "  - id: permit_fee",
        "    name: 工本费",
        "    amount: 10",
        "    legal_basis: {law: 示例收费标准}",
        "  - id: area_fee",
        "    name: 按面积收费",
        "    rate: 0.5",
        "    per_field: floor_area",
        "    unit: m²",
        "    legal_basis: {law: 示例收费标准}",
    ]
    return "\n".join(lines) + "\n"


class _Steps:
    """Collects steps and computes the critical path while they are added."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.finish: dict[str, float] = {}

    def add(
        self,
        sid: str,
        name: str,
        kind: str,
        signers: list[str] | None,
        after: list[str],
        limit: float,
        *,
        role: str | None = None,
        department: str | None = None,
        extra: tuple[str, ...] = (),
    ) -> str:
        self.lines.append(f"  - id: {sid}")
        self.lines.append(f"    name: {name}")
        self.lines.append(f"    kind: {kind}")
        if department:
            self.lines.append(f"    department: {department}")
        if signers:
            self.lines.append(f"    signers: [{', '.join(signers)}]")
        if role:
            self.lines.append(f"    signer_roles: [{role}]")
        if after:
            self.lines.append(f"    after: [{', '.join(after)}]")
        value = int(limit) if float(limit).is_integer() else limit
        self.lines.append(f"    time_limit: {{value: {value}}}")
        self.lines.extend(f"    {e}" for e in extra)
        start = max((self.finish[a] for a in after), default=0.0)
        self.finish[sid] = start + limit
        return sid


def _matter(index: int, rng: random.Random) -> str:
    lead = rng.randrange(N_DEPARTMENTS)
    lead_id = f"d{lead:02d}"
    others = [d for d in range(N_DEPARTMENTS) if d != lead]
    co = rng.sample(others, rng.randint(2, 5))

    def staff(dept: int, n: int) -> list[str]:
        return [_person_id(dept, k) for k in rng.sample(range(2, PEOPLE_PER_DEPARTMENT - 1), n)]

    s = _Steps()
    window = f"{lead_id}_window"
    s.add("accept", "窗口受理", "accept", None, [], 0.5, role=window)
    s.add("pre_review", "材料预审", "review", staff(lead, 2), ["accept"], 1)
    first: list[str] = []
    for j, dept in enumerate(co):
        first.append(
            s.add(
                f"co_review_{j}",
                f"{_BUREAUS[dept % len(_BUREAUS)]}协审",
                "co_review",
                staff(dept, 2),
                ["pre_review"],
                rng.choice([3, 5, 7]),
                department=f"d{dept:02d}",
                extra=("on_timeout: deem_agreed",) if rng.random() < 0.5 else (),
            )
        )
    for j in range(rng.randint(1, 2)):
        first.append(
            s.add(
                f"lead_check_{j}",
                "业务科室审查",
                "review",
                staff(lead, 2),
                ["pre_review"],
                rng.choice([1, 2, 3]),
            )
        )
    last = s.add(
        "lead_review",
        "牵头科室汇总审查",
        "review",
        staff(lead, 3),
        first,
        2,
        extra=("send_back_to: [pre_review]",),
    )
    if rng.random() < 0.6:
        last = s.add(
            "site_survey",
            "现场勘察",
            "site_survey",
            staff(lead, 2),
            [last],
            2,
            extra=("when: floor_area > 1000",),
        )
    second = [
        s.add(
            f"special_{j}", f"专项审查{j + 1}", "review", staff(lead, 2), [last], rng.choice([1, 2])
        )
        for j in range(rng.randint(2, 4))
    ]
    s.add("legal_review", "法制审核", "review", staff(lead, 2), second, 1)
    deputy = _person_id(lead, 1 + 2 * rng.randint(1, 2))
    s.add("deputy_review", "分管领导审核", "review", [deputy], ["legal_review"], 1)
    s.add(
        "decision",
        "局长审批",
        "decide",
        [_person_id(lead, PEOPLE_PER_DEPARTMENT - 1)],
        ["deputy_review"],
        1,
        extra=(
            "decides: true",
            "can_refuse: true",
            "send_back_to: [lead_review, deputy_review]",
            "separate_from: [deputy_review]",
        ),
    )
    s.add("notify", "通知申请人", "notify", None, ["decision"], 0.5, role=window)
    s.add("fee", "窗口收费", "fee", None, ["notify"], 1, role=window)
    s.add("certify", "制证", "certify", None, ["fee"], 1, role=window)
    s.add("deliver", "发证送达", "deliver", None, ["certify"], 1, role=window)
    s.add("close", "办结归档", "close", None, ["deliver"], 0.5, role=window)

    critical = max(s.finish.values())
    promised = int(critical + 0.999) + rng.randint(0, 5)
    statutory = promised + rng.choice([0, 5, 10, 20])
    prerequisites = sorted(rng.sample(range(index), min(index, rng.choice([0, 0, 1, 2]))))
    pre_ids = [f"matter_{p:04d}" for p in prerequisites]

    lines = [
        "kind: matter",
        f"id: matter_{index:04d}",
        f"name: 示例审批事项{index:04d}",
        f'catalogue_code: "{100000 + index}"',
        f'implementation_code: "{100000 + index}-{lead_id}"',
        "matter_type: administrative_license",
        f"lead_department: {lead_id}",
        f"co_departments: [{', '.join(f'd{d:02d}' for d in co)}]",
        "legal_basis:",
        "  - {law: 中华人民共和国行政许可法, article: 第四十二条}",
        "case_type: promised",
        "time_limits:",
        f"  statutory: {{value: {statutory}}}",
        f"  promised: {{value: {promised}}}",
        "  extension: {value: 10, approved_by: office_head}",
    ]
    if pre_ids:
        lines.append(f"prerequisites: [{', '.join(pre_ids)}]")
    lines += [
        "applicant_fields:",
        "  - {id: floor_area, name: 建筑面积, type: number, unit: m²}",
        "  - {id: applicant_kind, name: 申请人类型, type: choice, choices: [company, person]}",
        "materials:",
    ]
    for k in range(10):
        lines.append(f"  - id: material_{k}")
        lines.append(f'    name: "申请材料{k + 1}（示例）"')
        if k == 0:
            lines.append("    kind: form")
        if k in (3, 4):
            lines.append("    necessity: tolerated")
        if k == 5:
            lines.append('    when: applicant_kind == "company"')
        if k == 6 and pre_ids:
            lines.append("    source: government")
            lines.append(f"    satisfied_by: {pre_ids[0]}")
        if k == 7:
            lines.append("    electronic: {file_types: [jpg, pdf], max_size_kb: 90}")
    lines.append("steps:")
    lines.extend(s.lines)
    lines += [
        "fees:",
        "  - {item: permit_fee}",
        "  - {item: area_fee, when: floor_area > 0}",
        "result: {name: 示例许可证, electronic: true}",
    ]
    return "\n".join(lines) + "\n"


def generate_catalogue(n_matters: int, seed: int = 0) -> dict[str, str]:
    """``{file name: YAML text}`` for a catalogue of ``n_matters`` matters.

    One ``definitions.yaml`` (42 departments, 8 people each with AB岗 backups, window
    and head roles, two fee items) and one ``matters/matter_NNNN.yaml`` per matter.
    """
    rng = random.Random(seed)
    files = {"definitions.yaml": _definitions(rng)}
    for i in range(n_matters):
        files[f"matters/matter_{i:04d}.yaml"] = _matter(i, rng)
    return files
