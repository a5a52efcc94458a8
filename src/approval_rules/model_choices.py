"""The closed choices of the matter language (enumerations), re-exported by ``model``."""

from __future__ import annotations

import enum

__all__ = [
    "CaseType",
    "CountingBasis",
    "ExtensionScope",
    "FieldType",
    "MaterialForm",
    "MaterialKind",
    "MatterType",
    "Necessity",
    "OnDisagree",
    "OnTimeout",
    "Source",
    "StepKind",
    "Unit",
]


class MatterType(enum.StrEnum):
    """事项类型 (GB/T 39046-2020, code set A.1)."""

    ADMINISTRATIVE_LICENSE = "administrative_license"  # 行政许可
    ADMINISTRATIVE_PENALTY = "administrative_penalty"  # 行政处罚
    ADMINISTRATIVE_COERCION = "administrative_coercion"  # 行政强制
    ADMINISTRATIVE_LEVY = "administrative_levy"  # 行政征收
    ADMINISTRATIVE_PAYMENT = "administrative_payment"  # 行政给付
    ADMINISTRATIVE_INSPECTION = "administrative_inspection"  # 行政检查
    ADMINISTRATIVE_CONFIRMATION = "administrative_confirmation"  # 行政确认
    ADMINISTRATIVE_AWARD = "administrative_award"  # 行政奖励
    ADMINISTRATIVE_ADJUDICATION = "administrative_adjudication"  # 行政裁决
    OTHER_ADMINISTRATIVE_POWER = "other_administrative_power"  # 其他行政权力
    PUBLIC_SERVICE = "public_service"  # 公共服务


class CaseType(enum.StrEnum):
    """办件类型: decided on the spot (即办件) or within a promised period (承诺件)."""

    IMMEDIATE = "immediate"
    PROMISED = "promised"


class Unit(enum.StrEnum):
    """Unit of a time limit. Half days and hours are for immediate matters only."""

    WORKING_DAYS = "working_days"
    HALF_DAYS = "half_days"
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"


class MaterialKind(enum.StrEnum):
    CERTIFICATE = "certificate"  # 证件证书证明
    FORM = "form"  # 申请表格文书
    OTHER = "other"


class MaterialForm(enum.StrEnum):
    """材料形式: what the applicant hands in (docs/matter-format.md, 4.4)."""

    PAPER = "paper"  # 纸质 only
    ELECTRONIC = "electronic"  # 电子 only
    BOTH = "both"  # 纸质和电子各一份: both are required
    EITHER = "either"  # 纸质或电子: either one is enough


class Necessity(enum.StrEnum):
    REQUIRED = "required"  # 必要
    OPTIONAL = "optional"  # 非必要
    TOLERATED = "tolerated"  # 容缺后补: may be supplied after acceptance


class Source(enum.StrEnum):
    APPLICANT = "applicant"  # 申请人自备
    GOVERNMENT = "government"  # 政府部门核发


class StepKind(enum.StrEnum):
    ACCEPT = "accept"  # 受理
    REVIEW = "review"  # 审查 / 审核
    CO_REVIEW = "co_review"  # 协办部门并联审查
    SITE_SURVEY = "site_survey"  # 现场勘察
    DECIDE = "decide"  # 决定 / 审批
    NOTIFY = "notify"  # 通知申请人
    FEE = "fee"  # 收费
    CERTIFY = "certify"  # 制证
    DELIVER = "deliver"  # 送达 / 发证 / 签收
    CLOSE = "close"  # 办结


class OnDisagree(enum.StrEnum):
    """What a co-department's disagreement (不同意) does to the parallel review."""

    OPINION = "opinion"  # an opinion the lead weighs in its decision
    VETO = "veto"  # 一票否决: ends the review; the application is refused with its reasons


class OnTimeout(enum.StrEnum):
    """What happens when a co-department does not answer within its step limit."""

    NOTHING = "nothing"  # stays open and becomes overdue
    DEEM_AGREED = "deem_agreed"  # 视为同意


class FieldType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    DATE = "date"


class CountingBasis(enum.StrEnum):
    """How the days of a limit are counted (docs/matter-format.md, "Counting basis")."""

    WORKING_DAYS = "working_days"  # 行政许可法 Art. 82: 以工作日计算，不含法定节假日
    CALENDAR_DAYS = "calendar_days"  # 民法典 Arts. 201, 203: an end on a holiday moves on


class ExtensionScope(enum.StrEnum):
    """Which due dates an approved extension (延期) moves."""

    STATUTORY = "statutory"  # 法定办结时限 only; the promise stays as published
    BOTH = "both"  # 法定 and 承诺 both
