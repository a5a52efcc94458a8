"""The matter language: frozen pydantic models, the single source of truth.

A catalogue is a folder of YAML files.  Each file says what it holds with ``kind``:

* ``kind: definitions``: shared departments, roles, people (with their AB岗 backup)
  and fee items (:class:`Definitions`);
* ``kind: matter``: one approval matter (:class:`Matter`).

The JSON Schemas in ``schemas/`` are generated from these classes
(``approval-rules schema``), so every ``description`` here is the hover help policy
staff see in their editor.  Keys are ``snake_case`` English; values may be Chinese.
Cross-references (a step's department, a signer) are checked by :mod:`.loader`,
because a single file cannot know the rest of the catalogue.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .conditions import MAX_CONDITION_LENGTH
from .filetypes import normalise_file_type
from .model_base import EXAMPLE_HELP as _EXAMPLE_HELP
from .model_base import FILE_TYPE_PATTERN as FILE_TYPE_PATTERN
from .model_base import ID_PATTERN as ID_PATTERN
from .model_base import MAX_CHECK as MAX_CHECK
from .model_base import MAX_COUNT as MAX_COUNT
from .model_base import MAX_DEFINITIONS as MAX_DEFINITIONS
from .model_base import MAX_EXTENSION as MAX_EXTENSION
from .model_base import MAX_ID as MAX_ID
from .model_base import MAX_LIMIT as MAX_LIMIT
from .model_base import MAX_LIST as MAX_LIST
from .model_base import MAX_MONEY as MAX_MONEY
from .model_base import MAX_NAME as MAX_NAME
from .model_base import MAX_PAGES as MAX_PAGES
from .model_base import MAX_PIXELS as MAX_PIXELS
from .model_base import MAX_SIZE_KB as MAX_SIZE_KB
from .model_base import MAX_TEXT as MAX_TEXT
from .model_base import MAX_VALIDITY as MAX_VALIDITY
from .model_base import MAX_VISITS as MAX_VISITS
from .model_base import MAX_WORKING_DAYS as MAX_WORKING_DAYS
from .model_base import PHONE_PATTERN as PHONE_PATTERN
from .model_base import SESSION_PATTERN as SESSION_PATTERN
from .model_base import URL_PATTERN as URL_PATTERN
from .model_base import VISIBLE_PATTERN as VISIBLE_PATTERN
from .model_base import BaseMarked as _Marked
from .model_base import BaseModelFrozen as _Model
from .model_base import Count as Count
from .model_base import Example as Example
from .model_base import Id as Id
from .model_base import LongText as LongText
from .model_base import Phone as Phone
from .model_base import Pixels as Pixels
from .model_base import Session as Session
from .model_base import ShortText as ShortText
from .model_base import Text as Text
from .model_base import Url as Url
from .model_choices import (
    CaseType,
    CountingBasis,
    ExtensionScope,
    FieldType,
    MaterialForm,
    MaterialKind,
    MatterType,
    Necessity,
    OnDisagree,
    OnTimeout,
    Source,
    StepKind,
    Unit,
)
from .model_money import money_schema, to_decimal

__all__ = [
    "CaseType",
    "CheckPeriod",
    "ChoiceField",
    "Commitment",
    "Counting",
    "CountingBasis",
    "Definitions",
    "Department",
    "ElectronicRules",
    "Extension",
    "ExtensionScope",
    "FeeItem",
    "FeeRef",
    "FieldType",
    "FurtherResult",
    "GreenChannel",
    "LegalBasis",
    "Material",
    "MaterialForm",
    "MaterialKind",
    "Matter",
    "MatterType",
    "Necessity",
    "OnDisagree",
    "OnTimeout",
    "OpeningHours",
    "Person",
    "PixelSize",
    "ResultSpec",
    "Role",
    "Section",
    "Service",
    "Source",
    "Step",
    "StepKind",
    "StopLimit",
    "TimeLimit",
    "TimeLimits",
    "Unit",
    "Validity",
]

ConditionText = Annotated[StrictStr, Field(max_length=MAX_CONDITION_LENGTH)]

#: An amount of money in yuan, exact (``Decimal``), 0 to MAX_MONEY, two decimal places.
Money = Annotated[
    Decimal,
    # The bounds before the validator: pydantic 2.9 cannot put them on a wrapped schema.
    Field(ge=0, le=MAX_MONEY, decimal_places=2),
    BeforeValidator(to_decimal),
    WithJsonSchema(money_schema(MAX_MONEY)),
]


class OpeningHours(_Model):
    """办公时间: the two office sessions of every working day, local time (Asia/Shanghai).

    Working days follow the official calendar: statutory holidays closed, make-up
    workdays (调休) open.
    """

    morning: Session = Field(description="Morning session, e.g. '09:00-12:00'.")
    afternoon: Session = Field(description="Afternoon session, e.g. '13:30-17:30'.")
    note: LongText | None = Field(
        default=None, description="Anything else, e.g. 周六上午延时服务（仅受理）."
    )

    @model_validator(mode="after")
    def _in_order(self) -> OpeningHours:
        points = [*self.morning.split("-"), *self.afternoon.split("-")]
        if not points[0] < points[1] <= points[2] < points[3]:
            raise ValueError(
                f"the sessions must run in order, morning before afternoon (got "
                f"{self.morning} and {self.afternoon})"
            )
        return self


class Service(_Marked):
    """办理地点与咨询投诉: where the applicant goes and whom they ask, for the service guide.

    Address and office hours are the ``hall`` department's; phone numbers not given here
    are the lead department's, then the hall's.
    """

    hall: Id | None = Field(
        default=None,
        description="Department whose address and office hours apply, e.g. the 政务服务中心 "
        "that hosts the window; the lead department if absent.",
    )
    window: Text | None = Field(
        default=None, description="办理窗口, e.g. 住建局窗口 or 企业开办综合窗口."
    )
    online_url: Url | None = Field(default=None, description="网上办理地址 of this matter.")
    consultation_phone: Phone | None = Field(
        default=None, description="咨询电话 for this matter, if not the department's."
    )
    complaint_phone: Phone | None = Field(
        default=None, description="监督投诉电话 for this matter, if not the department's."
    )
    example: Example[
        Literal["hall", "window", "online_url", "consultation_phone", "complaint_phone"]
    ] = Field(default=False, description=_EXAMPLE_HELP)


# --- shared definitions ----------------------------------------------------------------


class Department(_Marked):
    """A department (部门/单位) that leads, co-handles or hosts steps."""

    id: Id
    name: Text = Field(description="Full name, e.g. 当阳市住房和城乡建设局.")
    short_name: Text | None = Field(default=None, description="Short name, e.g. 市住建局.")
    level: Literal["national", "province", "city", "county", "township"] | None = Field(
        default=None, description="Administrative level (行使层级)."
    )
    region: ShortText | None = Field(
        default=None, description="Administrative-division code, e.g. '420582'."
    )
    credit_code: ShortText | None = Field(
        default=None, description="统一社会信用代码 of the department (opaque text)."
    )
    address: Text | None = Field(
        default=None, description="办公地址: where applicants go, e.g. 当阳市××路××号."
    )
    office_hours: OpeningHours | None = Field(default=None, description="办公时间.")
    consultation_phone: Phone | None = Field(default=None, description="咨询电话.")
    complaint_phone: Phone | None = Field(default=None, description="监督投诉电话.")
    website: Url | None = Field(default=None, description="门户网站 or 网上办事大厅.")
    example: Example[
        Literal[
            "name",
            "short_name",
            "level",
            "region",
            "credit_code",
            "address",
            "office_hours",
            "consultation_phone",
            "complaint_phone",
            "website",
        ]
    ] = Field(default=False, description=_EXAMPLE_HELP)


class Role(_Model):
    """A role (岗位) that people hold; steps may name roles as signers."""

    id: Id
    name: Text
    description: LongText | None = None


class Person(_Marked):
    """A person who may sign steps (本级权限人)."""

    id: Id
    name: Text = Field(description="The person's name, e.g. 王月琴.")
    department: Id = Field(description="Id of the department the person works in.")
    roles: tuple[Id, ...] = Field(
        default=(), max_length=MAX_LIST, description="Ids of the roles the person holds."
    )
    backup: Id | None = Field(
        default=None,
        description="AB岗: id of the person who acts for this one while they are absent.",
    )
    acts_for: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Departments besides their own this person may sign for or back up "
        "(受托/进驻), e.g. a service-centre clerk accepting for a bureau.",
    )
    title: ShortText | None = Field(default=None, description="Job title, e.g. 分管副局长.")
    example: Example[Literal["name", "title"]] = Field(default=False, description=_EXAMPLE_HELP)


class LegalBasis(_Model):
    """设定依据: a law or regulation and the article."""

    law: Text = Field(description="Name of the law or regulation, e.g. 中华人民共和国建筑法.")
    article: ShortText | None = Field(default=None, description="Article, e.g. 第八条.")
    text: LongText | None = Field(default=None, description="The wording, if useful.")


class FeeItem(_Marked):
    """A fee standard (收费项目). Give either ``amount`` or ``rate`` with ``per_field``."""

    id: Id
    name: Text
    amount: Money | None = Field(default=None, description="Fixed amount in yuan.")
    rate: Money | None = Field(
        default=None, description="Yuan per unit of the applicant field named in per_field."
    )
    per_field: Id | None = Field(
        default=None, description="Applicant field the rate multiplies, e.g. floor_area."
    )
    times: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Further applicant fields the amount is multiplied by, e.g. [days] for "
        "rate × floor_area × days (a rate per m² per day).",
    )
    unit: ShortText | None = Field(
        default=None, description="Unit of the rate's fields, e.g. m² or m²·天."
    )
    minimum: Money | None = Field(default=None, description="Lowest amount charged.")
    maximum: Money | None = Field(default=None, description="Highest amount charged.")
    legal_basis: LegalBasis
    waivable: StrictBool = Field(default=False, description="May the fee be waived (减免)?")
    example: Example[
        Literal["name", "amount", "rate", "unit", "minimum", "maximum", "legal_basis", "waivable"]
    ] = Field(default=False, description=_EXAMPLE_HELP)

    @property
    def fields(self) -> tuple[str, ...]:
        """The applicant fields the rate is multiplied by (``per_field``, then ``times``)."""
        return () if self.per_field is None else (self.per_field, *self.times)

    @model_validator(mode="after")
    def _amount_or_rate(self) -> FeeItem:
        if (self.amount is None) == (self.rate is None):
            raise ValueError("give either 'amount' (a fixed fee) or 'rate' with 'per_field'")
        if self.rate is not None and self.per_field is None:
            raise ValueError("a 'rate' needs 'per_field': the applicant field it multiplies")
        if self.amount is not None and self.per_field is not None:
            raise ValueError("'per_field' goes with 'rate', not with a fixed 'amount'")
        if self.times and self.per_field is None:
            raise ValueError("'times' multiplies a 'rate' and its 'per_field'; give them first")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(
                f"'minimum' ({self.minimum}) is more than 'maximum' ({self.maximum}); swap them"
            )
        return self


class Definitions(_Model):
    """A file of shared definitions (``kind: definitions``)."""

    kind: Literal["definitions"] = Field(description="Always 'definitions' for this file.")
    departments: tuple[Department, ...] = Field(default=(), max_length=MAX_DEFINITIONS)
    roles: tuple[Role, ...] = Field(default=(), max_length=MAX_DEFINITIONS)
    people: tuple[Person, ...] = Field(default=(), max_length=MAX_DEFINITIONS)
    fee_items: tuple[FeeItem, ...] = Field(default=(), max_length=MAX_DEFINITIONS)


# --- a matter ----------------------------------------------------------------------------


class Counting(_Model):
    """计算方式: which reading of the law's "日" a limit follows, and whether it is verified."""

    basis: CountingBasis = Field(
        description="working_days (行政许可法 Art. 82) or calendar_days (民法典 Art. 203: "
        "an end falling on a day off moves to the next working day)."
    )
    reading: LongText | None = Field(
        default=None, description="Why this reading: the law's words and the source followed."
    )
    unverified: StrictBool = Field(
        default=False, description="true while the reading is not confirmed by the office."
    )


class TimeLimit(_Marked):
    """A time limit: a number and a unit (working days unless said otherwise)."""

    value: Annotated[StrictFloat, Field(gt=0, le=max(MAX_LIMIT.values()))] = Field(
        description="How many units, e.g. 7. Half-day limits may be written as 0.5 working "
        "days. At most 250 working days, 500 half days, 2000 hours or 366 calendar days."
    )
    unit: Unit = Field(default=Unit.WORKING_DAYS, description="working_days (default), …")
    explanation: LongText | None = Field(
        default=None, description="时限说明: the wording published in the service guide."
    )
    counting: Counting | None = Field(
        default=None,
        description="Which reading of the law's days this limit follows; required for "
        "calendar_days (calendar-days-without-counting).",
    )
    example: Example[Literal["value", "explanation"]] = Field(
        default=False, description=_EXAMPLE_HELP
    )

    @model_validator(mode="after")
    def _whole_units(self) -> TimeLimit:
        if not self.value.is_integer():
            if self.unit is Unit.WORKING_DAYS and self.value == 0.5:
                return self
            # validation.py words the hint: what to write depends on where the limit is.
            raise PydanticCustomError(
                "fractional_limit",
                "{value} {unit} is not a whole number",
                {"value": self.value, "unit": self.unit.value},
            )
        top = MAX_LIMIT[self.unit.value]
        if self.value > top:
            unit = self.unit.value.replace("_", " ")
            raise ValueError(
                f"{int(self.value)} {unit} is longer than a limit can be: at most {top} {unit} "
                "(about a year)"
            )
        return self

    @property
    def hours_or_days(self) -> tuple[int, Unit]:
        """The limit as a whole number of units (0.5 working days → 1 half day)."""
        if self.unit is Unit.WORKING_DAYS and self.value == 0.5:
            return 1, Unit.HALF_DAYS
        return int(self.value), self.unit


class Extension(_Model):
    """延期: how much longer the decision may take, once, and who approves it."""

    value: Annotated[StrictInt, Field(ge=1, le=MAX_EXTENSION)] = Field(
        description="Working days added, e.g. 10 (行政许可法 Art. 42); at most 60."
    )
    approved_by: Id = Field(description="Role that approves the extension, e.g. office_head.")
    scope: ExtensionScope | None = Field(
        default=None,
        description="What an approved extension moves: statutory (the 法定 due date only) or "
        "both (the promised one too). Undeclared, the engine moves both "
        "(extension-scope-undeclared).",
    )


class GreenChannel(_Model):
    """绿色通道: key projects get a shorter promised limit."""

    reduction: Annotated[StrictFloat, Field(gt=0, lt=1)] = Field(
        description="Share of the promised limit cut, e.g. 0.5 for 50%."
    )
    when: ConditionText | None = Field(
        default=None, description="Condition on the applicant, e.g. is_key_project."
    )
    steps: StrictBool = Field(
        default=False,
        description="The reduction applies to the steps' own limits too (in working days, "
        "rounded down to half a working day, at least half a day).",
    )


class StopLimit(_Model):
    """The longest a clock stop of one kind may need (Art. 45: 所需时间)."""

    kind: Id = Field(description="The stop's kind, e.g. expert_review or public_notice.")
    max_days: Annotated[StrictInt, Field(ge=1, le=MAX_WORKING_DAYS)] = Field(
        description="Working days, at most 250."
    )
    legal_basis: LongText | None = Field(
        default=None, description="Where the maximum comes from, e.g. a rule's article."
    )


class TimeLimits(_Model):
    """法定办结时限 and 承诺办结时限, with extension, green channel and clock stops."""

    statutory: TimeLimit = Field(description="法定办结时限.")
    promised: TimeLimit = Field(description="承诺办结时限; never longer than statutory.")
    extension: Extension | None = Field(default=None, description="延期 allowance, if any.")
    green_channel: GreenChannel | None = None
    joint_handling: StrictBool = Field(
        default=False,
        description="统一/联合/集中办理 (Art. 42 ¶2): 45 working days + 15 by the government head.",
    )
    excluded_activities: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description=(
            "Activities whose time is not counted, beyond the law's list (hearing, tendering, "
            "auction, inspection, testing, quarantine, appraisal, expert_review), "
            "e.g. public_notice, site_survey."
        ),
    )
    stop_limits: tuple[StopLimit, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="The longest a clock stop (Art. 45) of each kind may need, e.g. "
        "[{kind: expert_review, max_days: 30}]; kinds are the law's or excluded_activities "
        "(stop-limit-unknown-kind).",
    )

    @model_validator(mode="after")
    def _one_limit_per_kind(self) -> TimeLimits:
        kinds = [s.kind for s in self.stop_limits]
        twice = sorted({k for k in kinds if kinds.count(k) > 1})
        if twice:
            raise ValueError(f"stop_limits names {', '.join(twice)} more than once")
        return self

    def stop_limit(self, kind: str) -> int | None:
        """The longest a stop of ``kind`` may need (working days), or ``None``: no bound."""
        for limit in self.stop_limits:
            if limit.kind == kind:
                return limit.max_days
        return None

    def promised_extension(self, days: int) -> int:
        """The working days an approved extension of ``days`` adds to the promised limit.

        ``days`` unless the extension's ``scope`` is ``statutory`` (then 0: the promise
        stays as published).  Undeclared, both move (``extension-scope-undeclared``).
        """
        extension = self.extension
        if extension is not None and extension.scope is ExtensionScope.STATUTORY:
            return 0
        return days


class ChoiceField(_Model):
    """A fact about the applicant that conditions and fees may use."""

    id: Id
    name: Text = Field(description="What the applicant is asked, e.g. 建筑面积.")
    type: FieldType = Field(description="text, number, boolean, choice or date.")
    choices: tuple[Text, ...] = Field(
        default=(), max_length=MAX_LIST, description="The allowed values of a choice."
    )
    unit: ShortText | None = Field(default=None, description="Unit of a number, e.g. m².")

    @model_validator(mode="after")
    def _choices(self) -> ChoiceField:
        if self.type is FieldType.CHOICE and not self.choices:
            raise ValueError("a field of type 'choice' needs a list of 'choices'")
        if self.type is not FieldType.CHOICE and self.choices:
            raise ValueError("'choices' only goes with type: choice")
        return self


class PixelSize(_Model):
    """A picture size in pixels; both sides are needed (either orientation is accepted)."""

    width: Pixels = Field(description="Width in pixels, 1 to 65535; give the height too.")
    height: Pixels = Field(description="Height in pixels, 1 to 65535; give the width too.")


class ElectronicRules(_Model):
    """Rules for the electronic copy of a material (the seed: *.jpg, ≤ 90 KB, 640×480–1600×1200)."""

    file_types: tuple[
        Annotated[StrictStr, Field(pattern=FILE_TYPE_PATTERN, max_length=16)], ...
    ] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Allowed file extensions in lower case, e.g. [jpg]; jpeg means jpg, "
        "tif means tiff.",
    )
    max_size_kb: Annotated[StrictInt, Field(ge=1, le=MAX_SIZE_KB)] | None = Field(
        default=None, description="Largest file in KB (1 to 1048576)."
    )
    min_pixels: PixelSize | None = None
    max_pixels: PixelSize | None = None
    max_pages: Annotated[StrictInt, Field(ge=1, le=MAX_PAGES)] | None = None
    page_order: StrictBool = Field(
        default=False,
        description="Pages must be in the paper order: files numbered 1, 2, 3 … in their "
        "names, or one multi-page file.",
    )

    @field_validator("file_types", mode="after")
    @classmethod
    def _one_spelling(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # jpeg and jpg are one type: keep one spelling, once (filetypes.py).
        return tuple(dict.fromkeys(normalise_file_type(t) for t in value))

    @model_validator(mode="after")
    def _consistent(self) -> ElectronicRules:
        low, high = self.min_pixels, self.max_pixels
        if (
            low is not None
            and high is not None
            and (
                max(low.width, low.height) > max(high.width, high.height)
                or min(low.width, low.height) > min(high.width, high.height)
            )
        ):
            raise ValueError(
                f"min_pixels ({low.width} x {low.height}) do not fit inside max_pixels "
                f"({high.width} x {high.height}), so no picture could pass"
            )
        if self.page_order and self.max_pages == 1:
            raise ValueError("page_order needs more than one page; remove it or raise max_pages")
        return self


class Material(_Model):
    """申请材料."""

    id: Id
    name: Text
    kind: MaterialKind = Field(default=MaterialKind.OTHER, description="certificate, form, other.")
    form: MaterialForm = Field(
        default=MaterialForm.EITHER,
        description="paper (纸质), electronic (电子), both (纸质和电子各一份: a case hands "
        "it in as {paper: true, files: [...]}; files alone are no-paper-copy, paper alone "
        "no-electronic-copy) or either (纸质或电子).",
    )
    originals: Count = Field(default=1, description="原件份数 (paper).")
    copies: Count = Field(default=0, description="复印件份数 (paper).")
    necessity: Necessity = Field(
        default=Necessity.REQUIRED, description="required, optional or tolerated (容缺后补)."
    )
    source: Source = Field(default=Source.APPLICANT, description="applicant or government.")
    satisfied_by: Id | None = Field(
        default=None,
        description="Id of the prerequisite matter whose result replaces this material.",
    )
    when: ConditionText | None = Field(
        default=None, description="Only required when this condition on the applicant holds."
    )
    electronic: ElectronicRules | None = None
    note: LongText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Material:
        if self.satisfied_by is not None and self.source is not Source.GOVERNMENT:
            raise ValueError("'satisfied_by' needs 'source: government'")
        if self.form is MaterialForm.PAPER and self.electronic is not None:
            raise ValueError(
                "'electronic' rules on a paper-only material (form: paper) never apply; "
                "remove them, or write form: both (paper and electronic) or form: either"
            )
        return self


class Section(_Marked):
    """One part of a step that one named reviewer signs (e.g. 施工、安全、监督、散墙)."""

    id: Id
    name: Text = Field(description="The section's name, e.g. 施工科.")
    signer: Id = Field(description="The person who signs this section (one of the step's signers).")
    example: Example[Literal["signer"]] = Field(default=False, description=_EXAMPLE_HELP)


#: Step kinds completed by ``pass``: the only ones several people may sign.
COSIGNABLE: Final = frozenset({"review", "co_review", "site_survey", "decide", "notify"})


class Step(_Model):
    """办理流程的一个环节."""

    id: Id
    name: Text
    kind: StepKind
    department: Id | None = Field(
        default=None, description="Department handling the step; the lead department if absent."
    )
    signers: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="本级权限人: ids of people, any one of whom may act.",
    )
    signer_roles: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Roles whose holders may act (any one of them).",
    )
    signers_needed: Annotated[StrictInt, Field(ge=1, le=MAX_LIST)] = Field(
        default=1,
        description="How many different signers must sign before the step passes (a "
        "quorum, e.g. two inspectors); 1: any one of them.",
    )
    sections: tuple[Section, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Each named signer signs their own section; the step passes when "
        "every section is signed.",
    )
    time_limit: TimeLimit | None = Field(default=None, description="The step's own limit.")
    after: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Steps that must finish first. Two steps after the same one run in "
        "parallel; a step after both waits for both.",
    )
    send_back_to: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Earlier steps this step may return a case to (退回).",
    )
    decides: StrictBool = Field(
        default=False, description="This step makes the decision (准予 / 不予许可)."
    )
    can_refuse: StrictBool = Field(
        default=False, description="This step may refuse the application, with reasons."
    )
    on_timeout: OnTimeout = Field(
        default=OnTimeout.NOTHING,
        description="For co_review: deem_agreed = 视为同意 when the limit passes unanswered.",
    )
    on_disagree: OnDisagree = Field(
        default=OnDisagree.OPINION,
        description="For co_review: veto = the department's disagreement ends the parallel "
        "review and the application is refused (一票否决); opinion = the lead weighs it.",
    )
    separate_from: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="The person who signs this step must not be the one who signed these.",
    )
    when: ConditionText | None = Field(
        default=None, description="The step only runs when this condition holds."
    )
    note: LongText | None = None
    # left out of the matter's JSON (and so of its hash) when false, so that adding the
    # field moved no existing matter's hash
    signed: StrictBool = Field(
        default=False,
        exclude_if=lambda value: not value,
        description="Every action on this step must be signed by its actor (CA 认证): "
        "the record is complete only with the signature (approval_rules.signing).",
    )

    @model_validator(mode="after")
    def _shape(self) -> Step:
        if not self.signers and not self.signer_roles:
            raise ValueError("a step needs 'signers' or 'signer_roles': who may act on it")
        if self.on_timeout is OnTimeout.DEEM_AGREED and self.kind is not StepKind.CO_REVIEW:
            raise ValueError("'on_timeout: deem_agreed' is only for steps of kind co_review")
        if self.on_disagree is OnDisagree.VETO and self.kind is not StepKind.CO_REVIEW:
            raise ValueError("'on_disagree: veto' is only for steps of kind co_review")
        if self.on_timeout is OnTimeout.DEEM_AGREED and self.time_limit is None:
            raise ValueError("'on_timeout: deem_agreed' needs a 'time_limit'")
        if (self.sections or self.signers_needed > 1) and self.kind.value not in COSIGNABLE:
            raise ValueError(
                f"a step of kind {self.kind.value} is completed by one action; "
                "'signers_needed' and 'sections' are for steps of kind "
                + ", ".join(sorted(COSIGNABLE))
            )
        if self.sections and self.signers_needed > 1:
            raise ValueError(
                "'sections' already say who must sign (every section); remove 'signers_needed'"
            )
        return self


class FeeRef(_Model):
    """A fee this matter charges: a shared fee item, optionally only when a condition holds."""

    item: Id = Field(description="Id of a fee item declared in the definitions.")
    when: ConditionText | None = None


class Validity(_Model):
    """有效期: how long the result is valid, at most a hundred years."""

    value: Annotated[StrictInt, Field(ge=1, le=max(MAX_VALIDITY.values()))] = Field(
        description="How many days, months or years; at most 100 years."
    )
    unit: Literal["days", "months", "years"]

    @model_validator(mode="after")
    def _at_most_a_century(self) -> Validity:
        top = MAX_VALIDITY[self.unit]
        if self.value > top:
            raise ValueError(
                f"{self.value} {self.unit} is longer than a validity can be: at most {top} "
                f"{self.unit}"
            )
        return self


class ResultSpec(_Marked):
    """办理结果."""

    name: Text = Field(description="Certificate or licence name, e.g. 建筑工程施工许可证.")
    electronic: StrictBool = Field(default=False, description="Issued as an electronic licence.")
    validity: Validity | None = Field(default=None, description="None: valid without limit.")
    issue_within: Annotated[StrictInt, Field(ge=1, le=10)] | None = Field(
        default=None,
        description="发证期限: working days from the positive decision to issue and deliver "
        "the certificate, where the matter's own rules set one shorter than Art. 44's 10 "
        "(e.g. 5 for the food business licence). None: Art. 44's 10 working days.",
    )
    example: Example[Literal["name", "validity", "issue_within"]] = Field(
        default=False, description=_EXAMPLE_HELP
    )


#: The id the main ``result`` is named by (``issue_certificate``'s ``result`` detail).
MAIN_RESULT: Final = "main"


class FurtherResult(_Marked):
    """A further result of a joint handling (联合办理): a document a department issues
    besides the main ``result``, with its own number and validity."""

    id: Id = Field(description="Named in issue_certificate (result: <id>); 'main' is the main one.")
    name: Text = Field(description="Document name, e.g. 人民防空工程建设审批意见书.")
    department: Id = Field(description="Who issues it: the lead or one of the co_departments.")
    electronic: StrictBool = Field(default=False, description="Issued as an electronic licence.")
    validity: Validity | None = Field(default=None, description="None: valid without limit.")
    example: Example[Literal["name", "validity"]] = Field(default=False, description=_EXAMPLE_HELP)


class CheckPeriod(_Model):
    """事后核查期限: the later check of a commitment is due within this after the decision."""

    # no upper bound here: it depends on the unit, and a bound of 366 would read as
    # days for a period in months (the validator below says it in the period's unit)
    value: Annotated[StrictInt, Field(ge=1)] = Field(
        description="At least 1; at most a year: 250 working days, 366 calendar days or 12 months."
    )
    unit: Literal["working_days", "calendar_days", "months"] = "working_days"

    @model_validator(mode="after")
    def _at_most_a_year(self) -> CheckPeriod:
        bound = MAX_CHECK[self.unit]
        if self.value > bound:
            unit = self.unit.replace("_", " ")
            raise ValueError(
                f"a check period is at most a year: {bound} {unit}, not {self.value} {unit}"
            )
        return self


class Commitment(_Marked):
    """告知承诺制: a written commitment replaces materials; decided on the spot, checked later."""

    replaces: tuple[Id, ...] = Field(
        min_length=1, max_length=MAX_LIST,
        description="Ids of the materials the commitment replaces (not required on commitment).",
    )  # fmt: skip
    check_within: CheckPeriod = Field(description="事后核查: due this long after the decision.")
    text: LongText | None = Field(
        default=None, description="告知承诺书: what the applicant commits to."
    )
    legal_basis: LongText | None = Field(default=None, description="依据, e.g. 国办发〔2020〕42号.")
    example: Example[Literal["check_within", "text"]] = Field(
        default=False, description=_EXAMPLE_HELP
    )


class Matter(_Marked):
    """审批事项: one file with ``kind: matter``."""

    kind: Literal["matter"] = Field(description="Always 'matter' for this file.")
    id: Id
    name: Text = Field(description="事项名称.")
    catalogue_code: Text = Field(description="基本编码 (opaque text; quote it).")
    implementation_code: Text = Field(description="实施编码 (opaque text; quote it).")
    matter_type: MatterType = Field(description="事项类型.")
    lead_department: Id = Field(description="实施主体 / 牵头部门.")
    co_departments: tuple[Id, ...] = Field(
        default=(), max_length=MAX_LIST, description="共同实施部门 / 协办部门."
    )
    legal_basis: tuple[LegalBasis, ...] = Field(
        min_length=1, max_length=MAX_LIST, description="设定依据."
    )
    application_conditions: tuple[Text, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="申请条件 / 受理条件, one per item, as the service guide lists them.",
    )
    case_type: CaseType = Field(description="immediate (即办件) or promised (承诺件).")
    time_limits: TimeLimits
    prerequisites: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="前置审批: ids of matters whose result this one needs.",
    )
    applicant_fields: tuple[ChoiceField, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Facts about the applicant used in conditions and fees.",
    )
    materials: tuple[Material, ...] = Field(default=(), max_length=MAX_LIST)
    steps: tuple[Step, ...] = Field(min_length=1, max_length=MAX_LIST)
    fees: tuple[FeeRef, ...] = Field(default=(), max_length=MAX_LIST)
    fees_assessed: Literal["acceptance", "decision"] = Field(
        default="decision",
        description="When the fees are assessed (计算): at acceptance (受理时计算, paid after "
        "a positive decision) or at the positive decision.",
    )
    no_fee: StrictBool = Field(
        default=False, description="不收费: the matter charges nothing (declared, not assumed)."
    )
    result: ResultSpec
    further_results: tuple[FurtherResult, ...] = Field(
        default=(), max_length=MAX_LIST, description="Several results: docs/matter-format.md."
    )
    commitment: Commitment | None = Field(
        default=None, description="告知承诺制: approval on the applicant's written commitment."
    )
    visits: Annotated[StrictInt, Field(ge=0, le=MAX_VISITS)] | None = Field(
        default=None, description="到办事现场次数 (0 = fully online)."
    )
    channels: tuple[Literal["window", "online", "mail"], ...] = Field(
        default=(), max_length=3, description="办理形式."
    )
    service: Service | None = Field(
        default=None, description="办理地点、咨询和投诉: where to go and whom to ask."
    )
    note: LongText | None = None
    example: Example[
        Literal[
            "name",
            "catalogue_code",
            "implementation_code",
            "legal_basis",
            "application_conditions",
            "visits",
            "channels",
            "no_fee",
        ]
    ] = Field(default=False, description=_EXAMPLE_HELP)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        # Left out when undeclared: a matter without them keeps its hash.
        if self.commitment is None:
            del data["commitment"]
        if not self.further_results:
            del data["further_results"]
        return data

    @property
    def commitment_step(self) -> Step | None:
        """告知承诺制: the deciding step that decides on the spot (``accept_on_commitment``
        passes it with the acceptance), the first step that ``decides``; ``None`` when
        the matter declares no commitment (or no deciding step).  The one answer the
        checks (``checks_commitment.py``) and the engine (``engine/commitment.py``) read.
        """
        if self.commitment is None:
            return None
        return next((step for step in self.steps if step.decides), None)

    @model_validator(mode="after")
    def _fees_or_none(self) -> Matter:
        if self.no_fee and self.fees:
            raise ValueError("'no_fee: true' (不收费) and 'fees' contradict each other; keep one")
        if self.no_fee and self.fees_assessed != "decision":
            raise ValueError("'fees_assessed' says when fees are assessed; with no_fee remove it")
        return self
