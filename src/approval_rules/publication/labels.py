"""Chinese words for published texts: labels of the language's values, limits, money, conditions.

Everything an applicant reads is Chinese; the matter language's values are English
identifiers.  This module is the one place that turns them into words, so a guide, a
notice and an SMS say the same thing.  Templates receive the words and the raw values
both, and a county may word a sentence differently without touching the rule behind it.

The law's fixed periods are read from :mod:`approval_rules.timelimits`, never restated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final, overload

from ..conditions import And, Comparison, Condition, FieldTest, Membership, Not, Or
from ..model import (
    CaseType,
    CheckPeriod,
    ChoiceField,
    Counting,
    CountingBasis,
    ElectronicRules,
    MaterialForm,
    MaterialKind,
    MatterType,
    Necessity,
    Source,
    StepKind,
    TimeLimit,
    Unit,
    Validity,
)
from ..timelimits import (
    CERTIFICATE_DAYS,
    CORRECTION_NOTICE_DAYS,
    JOINT_DECISION_DAYS,
    JOINT_EXTENSION_DAYS,
    LAW_STOP_KINDS,
)

__all__ = [
    "APPLICANT_DELAY_RULE",
    "CASE_TYPES",
    "CHANNELS",
    "COUNTING_RULE",
    "MATERIAL_FORMS",
    "MATERIAL_KINDS",
    "MATTER_TYPES",
    "NECESSITIES",
    "SOURCES",
    "STEP_KINDS",
    "TOLERATED_RULE",
    "certificate_rule",
    "check_period_text",
    "condition_text",
    "correction_notice_rule",
    "counting_basis_text",
    "days_text",
    "electronic_rules",
    "joint_handling_rule",
    "limit_text",
    "money_text",
    "office_hours_text",
    "percent_text",
    "prose",
    "stop_name",
    "stop_names",
    "validity_text",
]

MATTER_TYPES: Final[Mapping[MatterType, str]] = {
    MatterType.ADMINISTRATIVE_LICENSE: "行政许可",
    MatterType.ADMINISTRATIVE_PENALTY: "行政处罚",
    MatterType.ADMINISTRATIVE_COERCION: "行政强制",
    MatterType.ADMINISTRATIVE_LEVY: "行政征收",
    MatterType.ADMINISTRATIVE_PAYMENT: "行政给付",
    MatterType.ADMINISTRATIVE_INSPECTION: "行政检查",
    MatterType.ADMINISTRATIVE_CONFIRMATION: "行政确认",
    MatterType.ADMINISTRATIVE_AWARD: "行政奖励",
    MatterType.ADMINISTRATIVE_ADJUDICATION: "行政裁决",
    MatterType.OTHER_ADMINISTRATIVE_POWER: "其他行政权力",
    MatterType.PUBLIC_SERVICE: "公共服务",
}

CASE_TYPES: Final[Mapping[CaseType, str]] = {
    CaseType.IMMEDIATE: "即办件",
    CaseType.PROMISED: "承诺件",
}

MATERIAL_KINDS: Final[Mapping[MaterialKind, str]] = {
    MaterialKind.CERTIFICATE: "证件证书证明",
    MaterialKind.FORM: "申请表格文书",
    MaterialKind.OTHER: "其他",
}

MATERIAL_FORMS: Final[Mapping[MaterialForm, str]] = {
    MaterialForm.PAPER: "纸质",
    MaterialForm.ELECTRONIC: "电子",
    MaterialForm.BOTH: "纸质和电子各一份（两者都须提交）",
    MaterialForm.EITHER: "纸质或电子",
}

NECESSITIES: Final[Mapping[Necessity, str]] = {
    Necessity.REQUIRED: "必要",
    Necessity.OPTIONAL: "非必要",
    Necessity.TOLERATED: "容缺后补",
}

SOURCES: Final[Mapping[Source, str]] = {
    Source.APPLICANT: "申请人自备",
    Source.GOVERNMENT: "政府部门核发",
}

STEP_KINDS: Final[Mapping[StepKind, str]] = {
    StepKind.ACCEPT: "受理",
    StepKind.REVIEW: "审查",
    StepKind.CO_REVIEW: "协办部门审查",
    StepKind.SITE_SURVEY: "现场勘察",
    StepKind.DECIDE: "决定",
    StepKind.NOTIFY: "通知",
    StepKind.FEE: "收费",
    StepKind.CERTIFY: "制证",
    StepKind.DELIVER: "送达",
    StepKind.CLOSE: "办结",
}

CHANNELS: Final[Mapping[str, str]] = {
    "window": "窗口办理",
    "online": "网上办理",
    "mail": "快递（邮寄）",
}

#: Activities not counted in a period (行政许可法第四十五条), in the article's order, and
#: the further activities matters declare in ``excluded_activities``.
_STOPS: Final[Mapping[str, str]] = {
    "hearing": "听证",
    "tendering": "招标",
    "auction": "拍卖",
    "inspection": "检验",
    "testing": "检测",
    "quarantine": "检疫",
    "appraisal": "鉴定",
    "expert_review": "专家评审",
    "public_notice": "公示",
    "site_survey": "现场勘察",
    "consultation": "征求意见",
    "technical_review": "技术审查",
}

_VALIDITY_UNITS: Final[Mapping[str, str]] = {"days": "日", "months": "个月", "years": "年"}

#: The counting rule of every period binding the office, in plain words.  It is the
#: rule :mod:`approval_rules.workdays` and :mod:`approval_rules.timelimits` apply.
COUNTING_RULE: Final = (
    "期限按工作日计算，不含法定节假日和休息日；国务院调休安排的上班日计入。"
    "受理（收到申请）当日不计入，自次日起算；期限最后一日办公时间结束时届满。"
    "（行政许可法第八十二条，民法典第二百零一条、第二百零三条）"
)

#: The tolerated gap (容缺受理) as the engine runs it: accepted without the material, a
#: make-up date no later than the promised deadline, termination when it is missed.
TOLERATED_RULE: Final = (
    "标注“容缺后补”的材料可以先行受理、后补材料：申请人书面承诺补齐日期，"
    "补齐日期不得晚于承诺办结期限届满之日；逾期未补齐的，终止办理。"
)


# A space YAML folding put between two Chinese characters (or full-width punctuation).
_FOLDED = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


@overload
def prose(text: str) -> str: ...
@overload
def prose(text: None) -> None: ...
def prose(text: str | None) -> str | None:
    """Text written over several YAML lines, as one paragraph.

    Runs of white space become one space, and none is left between two Chinese
    characters, where a folded line break (``>-``) would otherwise leave a gap:
    ``"建设行政\n主管部门"`` → ``"建设行政主管部门"``; ``"30 万元"`` keeps its space.
    """
    if text is None:
        return None
    return _FOLDED.sub("", " ".join(text.split()))


def _number(value: float | Decimal) -> str:
    """A number without a useless fraction: 7.0 → '7', 0.5 → '0.5'."""
    text = f"{value:f}" if isinstance(value, Decimal) else repr(float(value))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def days_text(days: float) -> str:
    """A number of working days: ``5`` → ``5个工作日``."""
    return f"{_number(days)}个工作日"


def limit_text(limit: TimeLimit) -> str:
    """A limit in the unit it was declared in: ``7个工作日``, ``半个工作日``, ``2个工作小时``."""
    value = float(limit.value)
    if limit.unit is Unit.WORKING_DAYS:
        return days_text(value)
    if limit.unit is Unit.HALF_DAYS:
        return "半个工作日" if value == 1 else f"{_number(value)}个工作半日"
    if limit.unit is Unit.HOURS:
        return f"{_number(value)}个工作小时"
    return f"{_number(value)}日（自然日）"


def office_hours_text(points: Sequence[str], note: str | None = None) -> str:
    """Office hours from the four times of the two sessions, ``HH:MM`` each.

    Example: ``("09:00", "12:00", "13:30", "17:30")`` →
    ``工作日上午09:00—12:00，下午13:30—17:30``.
    """
    opens, lunch, reopens, closes = points
    text = f"工作日上午{opens}—{lunch}，下午{reopens}—{closes}"
    return f"{text}（{note}）" if note else text


def percent_text(ratio: float) -> str:
    """A ratio as a percentage: ``0.5`` → ``50%``."""
    return f"{_number(round(ratio * 100, 6))}%"


def money_text(amount: Decimal) -> str:
    """Yuan with two decimals: ``Decimal('50')`` → ``50.00元``."""
    return f"{amount:.2f}元"


def validity_text(validity: Validity | None) -> str:
    """A validity period: ``3个月``; no period → ``长期有效``."""
    if validity is None:
        return "长期有效"
    return f"{validity.value}{_VALIDITY_UNITS[validity.unit]}"


def stop_name(kind: str) -> str:
    """The Chinese name of one activity whose time is not counted (``hearing`` → 听证)."""
    return _STOPS.get(kind, kind)


def stop_names(excluded: tuple[str, ...]) -> tuple[str, ...]:
    """Names of every activity whose time is not counted: the law's, then the matter's own."""
    kinds = [k for k in _STOPS if k in LAW_STOP_KINDS]
    kinds += [k for k in excluded if k not in kinds]
    return tuple(_STOPS.get(k, k) for k in kinds)


def electronic_rules(rules: ElectronicRules | None) -> tuple[str, ...]:
    """The rules for a material's electronic copy, one phrase each (the 当阳 seed's scans)."""
    if rules is None:
        return ()
    out = []
    if rules.file_types:
        out.append("文件格式：" + "、".join(f"*.{t}" for t in rules.file_types))
    if rules.max_size_kb is not None:
        out.append(f"单个文件不超过{rules.max_size_kb}KB")
    low, high = rules.min_pixels, rules.max_pixels
    if low is not None and high is not None:
        out.append(f"像素不低于{low.width}×{low.height}、不高于{high.width}×{high.height}")
    elif low is not None:
        out.append(f"像素不低于{low.width}×{low.height}")
    elif high is not None:
        out.append(f"像素不高于{high.width}×{high.height}")
    if rules.max_pages is not None:
        out.append(f"不超过{rules.max_pages}页")
    if rules.page_order:
        out.append("按纸质材料顺序排列，以页码为准")
    return tuple(out)


def correction_notice_rule() -> str:
    """The one-time correction notice (行政许可法第三十二条), with the law's period."""
    return (
        f"申请材料不齐全或者不符合法定形式的，当场或者在{CORRECTION_NOTICE_DAYS}个工作日内"
        "一次告知需要补正的全部内容；逾期不告知的，自收到申请材料之日起即为受理。"
    )


def certificate_rule(days: int | None = None) -> str:
    """The certificate period after a positive decision: 行政许可法第四十四条's 10 working
    days, or the matter's own shorter ``days`` (``result.issue_within``)."""
    if days is None or days == CERTIFICATE_DAYS:
        return f"作出准予许可决定的，自决定之日起{CERTIFICATE_DAYS}个工作日内颁发、送达证件。"
    return (
        f"作出准予许可决定的，自决定之日起{days}个工作日内颁发、送达证件"
        f"（本事项的规定，短于行政许可法第四十四条的{CERTIFICATE_DAYS}个工作日）。"
    )


def joint_handling_rule() -> str:
    """The bound of a unified, joint or centralised handling (行政许可法第四十二条第二款)."""
    return (
        "本事项实行统一办理或者联合办理、集中办理，办理时间不超过"
        f"{JOINT_DECISION_DAYS}个工作日；{JOINT_DECISION_DAYS}个工作日内不能办结的，"
        f"经本级人民政府负责人批准，可以延长{JOINT_EXTENSION_DAYS}个工作日，"
        "并将延长期限的理由告知申请人（行政许可法第四十二条第二款）。"
    )


#: Applicant delays (申请人原因延误, engine/delays.py): recorded, and not counted against
#: the office's promise (视为按期).
APPLICANT_DELAY_RULE: Final = (
    "因申请人原因延误的时间（如逾期答复补正或者说明要求、逾期缴纳费用），"
    "经记录后不计入本机关的承诺办理时间，视为按期办结；法定办结时限不因此延长。"
)

_BASES: Final[Mapping[CountingBasis, str]] = {
    CountingBasis.WORKING_DAYS: "按工作日计算（不含法定节假日和休息日，行政许可法第八十二条）",
    CountingBasis.CALENDAR_DAYS: (
        "按自然日计算；期限最后一日是法定节假日或者休息日的，以其结束的次日为期限的最后一日"
        "（民法典第二百零三条）"
    ),
}


def counting_basis_text(limit: TimeLimit) -> str:
    """How a limit's days are counted: its declared ``counting``, else its unit's reading."""
    counting: Counting | None = limit.counting
    if counting is not None:
        return _BASES[counting.basis]
    if limit.unit is Unit.CALENDAR_DAYS:
        return _BASES[CountingBasis.CALENDAR_DAYS]
    if limit.unit is Unit.HOURS:
        return "按工作小时计算（办公时间内）"
    return _BASES[CountingBasis.WORKING_DAYS]


_PERIOD_UNITS: Final[Mapping[str, str]] = {
    "working_days": "个工作日",
    "calendar_days": "日",
    "months": "个月",
}


def check_period_text(period: CheckPeriod) -> str:
    """The later check's period as the applicant reads it: ``作出准予许可决定之日起3个月内``."""
    return f"作出准予许可决定之日起{period.value}{_PERIOD_UNITS[period.unit]}内"


# --- conditions ---------------------------------------------------------------------------

_OPERATORS: Final[Mapping[str, str]] = {
    "==": "为",
    "!=": "不为",
    "<": "小于",
    "<=": "不大于",
    ">": "大于",
    ">=": "不小于",
}


def _literal(value: bool | int | float | str, field: ChoiceField | None) -> str:
    if isinstance(value, bool):
        return "“是”" if value else "“否”"
    if isinstance(value, int | float):
        unit = field.unit if field is not None and field.unit else ""
        return f"{_number(value)}{unit}"
    return f"“{value}”"


def condition_text(condition: Condition, fields: Mapping[str, ChoiceField]) -> str:
    """A ``when:`` condition in words, over the fields' names as the applicant sees them.

    The words follow the engine's reading: a question left unanswered is never "是", so
    ``not is_affordable_housing`` reads 「是否为保障性住房」不为“是” (true when unanswered).
    Example: ``contract_price > 300`` → 「施工合同价格」大于300万元.
    """

    def name(field_id: str) -> str:
        field = fields.get(field_id)
        return f"「{field.name if field is not None else field_id}」"

    def words(node: Condition, nested: bool) -> str:
        if isinstance(node, FieldTest):
            return f"{name(node.field)}为“是”"
        if isinstance(node, Comparison):
            field = fields.get(node.field)
            return f"{name(node.field)}{_OPERATORS[node.op]}{_literal(node.value, field)}"
        if isinstance(node, Membership):
            field = fields.get(node.field)
            values = "、".join(_literal(v, field) for v in node.values)
            return f"{name(node.field)}{'不是' if node.negated else '是'}{values}之一"
        if isinstance(node, Not):
            if isinstance(node.operand, FieldTest):
                return f"{name(node.operand.field)}不为“是”"
            return f"并非（{words(node.operand, False)}）"
        joiner = "且" if isinstance(node, And) else "或"
        assert isinstance(node, And | Or)
        text = f"，{joiner}".join(words(o, True) for o in node.operands)
        return f"（{text}）" if nested else text

    return words(condition, False)
