"""The supervision language (电子监察规则): a ``kind: supervision`` document as frozen models.

A supervision document declares what the supervisors watch (docs/supervision.md):

* **levels**: the warning ladder 提示 → 黄牌 → 红牌, each with whom it notifies, the
  notice it sends (催办, 督办, 监察建议) and how it repeats;
* **rules**: time thresholds on a case's promised or statutory period or on a step's
  own limit: a number of working days remaining, a share of the limit used, or working
  days overdue;
* **anomalies**: signs of work outside the system (体外循环) and breaches computed from
  the case record;
* **offices**: who "the department head" and "the supervision office" are;
* **reporting**: the reporting calendar and the conventions of the indicators;
* **overrides**: per-matter changes of the rules.

The JSON Schema ``schemas/supervision.schema.json`` is generated from these classes, so
every ``description`` is the hover help a supervisor sees in the editor.  What a single
file cannot know (matters, roles, whether a threshold fits a matter's limits) is
checked by :mod:`.ruleset`.
"""

from __future__ import annotations

import enum
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

from ..model import ID_PATTERN, MAX_ID, MAX_LIST, MAX_NAME, MAX_WORKING_DAYS, VISIBLE_PATTERN

__all__ = [
    "LEVEL_RANK",
    "AnomalyCheck",
    "AnomalyRule",
    "Basis",
    "Level",
    "LevelSpec",
    "Levels",
    "Notice",
    "Office",
    "Offices",
    "Override",
    "Period",
    "Repeat",
    "Reporting",
    "RuleChange",
    "Scope",
    "Supervision",
    "Target",
    "TimeRule",
    "Trigger",
]

Id = Annotated[StrictStr, Field(pattern=ID_PATTERN, max_length=MAX_ID)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=MAX_NAME, pattern=VISIBLE_PATTERN)]
WorkingDays = Annotated[StrictInt, Field(ge=0, le=MAX_WORKING_DAYS)]
MAX_RULES = 200  # rules or anomaly rules in one document
MAX_REPEATS = 20  # notices of one level for one threshold


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Level(enum.StrEnum):
    """The warning ladder, in order (supervision.md §2)."""

    PROMPT = "prompt"  # 提示: to the handler only
    YELLOW = "yellow"  # 黄牌: to the department, a response is required
    RED = "red"  # 红牌: to the supervisor, a record for accountability


#: Rank of each level: a higher level is more severe.
LEVEL_RANK: Final = {Level.PROMPT: 0, Level.YELLOW: 1, Level.RED: 2}


class Scope(enum.StrEnum):
    """What a time rule watches: the whole case or each open step."""

    CASE = "case"
    STEP = "step"


class Basis(enum.StrEnum):
    """The period a time rule measures (supervision.md §6.2)."""

    PROMISED = "promised"  # 承诺时限: acceptance to closing (to the decision for a refusal)
    STATUTORY = "statutory"  # 法定时限 (+ an approved extension): acceptance to decision
    STEP_LIMIT = "step_limit"  # a step's own limit, from the moment it opened


class Target(enum.StrEnum):
    """Who a level notifies."""

    SIGNER = "signer"  # the people who may sign the step (for the case: every open step)
    BACKUP = "backup"  # their AB岗 backups
    DEPARTMENT_HEAD = "department_head"  # holders of offices.department_head_role there
    SUPERVISION_OFFICE = "supervision_office"  # offices.supervision_office


class Notice(enum.StrEnum):
    """The notice an alert sends (supervision.md §2, "催办 vs 督办")."""

    URGE = "urge"  # 催办: a reminder to the handler, counted
    ORDER = "order"  # 督办: a formal order with a response deadline
    RECOMMENDATION = "recommendation"  # 监察建议书: for accountability


class AnomalyCheck(enum.StrEnum):
    """Anomalies computed from the case record (supervision.md §3)."""

    DECISION_BEFORE_RECORD = "decision_before_record"  # 先批后录
    UNDECIDED_PAST_STATUTORY = "undecided_past_statutory"  # 只录不批 / 超时
    FEE_MISMATCH = "fee_mismatch"  # 违规收费
    CLOSED_WITHOUT_CERTIFICATE = "closed_without_certificate"  # 办结未发证
    UNAUTHORISED_ACTOR = "unauthorised_actor"  # 越权办理
    COMMITMENT_CHECK_OVERDUE = "commitment_check_overdue"  # 告知承诺事后核查逾期


class Period(enum.StrEnum):
    """Reporting periods."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Repeat(_Model):
    """How a level's notice repeats while its threshold still holds (催办 every k WD)."""

    every_wd: Annotated[StrictInt, Field(ge=1, le=MAX_WORKING_DAYS)] = Field(
        description="Working days between two notices, e.g. 1 (every working day)."
    )
    times: Annotated[StrictInt, Field(ge=1, le=MAX_REPEATS)] = Field(
        description="Notices in all, the first included, e.g. 3."
    )
    then: Notice | None = Field(
        default=None,
        description="After the last notice, one more of this kind every_wd later, e.g. "
        "order (催办 then 督办), to escalate_to.",
    )
    escalate_to: tuple[Target, ...] = Field(
        default=(Target.DEPARTMENT_HEAD,),
        max_length=4,
        description="Who receives the 'then' notice (default: the department head).",
    )


class LevelSpec(_Model):
    """What one level of the ladder does."""

    name: Text = Field(description="The level's name as supervisors say it, e.g. 黄牌.")
    notify: tuple[Target, ...] = Field(
        min_length=1,
        max_length=4,
        description="signer, backup, department_head, supervision_office.",
    )
    notice: Notice = Field(description="urge (催办), order (督办) or recommendation (监察建议).")
    response_wd: WorkingDays | None = Field(
        default=None, description="Working days the recipient has to answer (回告)."
    )
    repeat: Repeat | None = Field(default=None, description="How the notice repeats.")


class Levels(_Model):
    """The three levels, in order: 提示, 黄牌, 红牌."""

    prompt: LevelSpec
    yellow: LevelSpec
    red: LevelSpec

    def of(self, level: Level) -> LevelSpec:
        """The spec of ``level``."""
        spec: LevelSpec = getattr(self, level.value)
        return spec


class Trigger(_Model):
    """When a time rule fires; with several keys, at the earliest of them.

    Working days are counted on the calendar (weekends, holidays and stopped days do not
    count): ``remaining_wd: 1`` fires on the last working day but one, ``remaining_wd:
    0`` on the due date itself, ``used_percent: 90`` on the day 90 % of the limit is
    used, ``overdue_wd: 0`` at 00:00 after the due date and ``overdue_wd: 3`` at 00:00
    after the third working day past it (a grace of 3 working days).
    """

    remaining_wd: WorkingDays | None = Field(
        default=None, description="Fire when this many working days or fewer remain."
    )
    used_percent: Annotated[StrictInt, Field(ge=1, le=100)] | None = Field(
        default=None, description="Fire when this share of the limit is used (1 to 100)."
    )
    overdue_wd: WorkingDays | None = Field(
        default=None,
        description="Fire once the due date passed and this many working days of grace "
        "ran out (0: at once).",
    )

    @model_validator(mode="after")
    def _one_reading(self) -> Trigger:
        before = self.remaining_wd is not None or self.used_percent is not None
        if not before and self.overdue_wd is None:
            raise ValueError("give remaining_wd, used_percent or overdue_wd")
        if before and self.overdue_wd is not None:
            raise ValueError(
                "overdue_wd cannot be combined with remaining_wd or used_percent: a "
                "warning before the due date and a breach after it are two rules"
            )
        return self

    @property
    def overdue(self) -> bool:
        """Does the rule fire after the due date (a breach) rather than before it?"""
        return self.overdue_wd is not None


class TimeRule(_Model):
    """A time threshold on a case's period or on each open step."""

    id: Id = Field(description="The rule's id (监察规则编号), e.g. case_yellow.")
    name: Text = Field(description="What the alert says, e.g. 办件即将超期.")
    scope: Scope = Field(description="case (the whole case) or step (each open step).")
    basis: Basis = Field(description="promised, statutory (scope case) or step_limit (scope step).")
    when: Trigger
    level: Level = Field(description="prompt (提示), yellow (黄牌) or red (红牌).")

    @model_validator(mode="after")
    def _scope_fits_basis(self) -> TimeRule:
        if (self.scope is Scope.STEP) != (self.basis is Basis.STEP_LIMIT):
            raise ValueError(
                "scope step goes with basis step_limit, scope case with basis promised or "
                f"statutory (got scope {self.scope.value} and basis {self.basis.value})"
            )
        return self


class AnomalyRule(_Model):
    """An anomaly check on the case record and the level of its alert."""

    id: Id
    name: Text = Field(description="What the alert says, e.g. 先批后录.")
    check: AnomalyCheck = Field(
        description="decision_before_record, undecided_past_statutory, fee_mismatch, "
        "closed_without_certificate, unauthorised_actor or commitment_check_overdue."
    )
    level: Level
    minutes: Annotated[StrictInt, Field(ge=1, le=24 * 60)] | None = Field(
        default=None,
        description="decision_before_record: the review records and the decision came "
        "within this many minutes (default 30).",
    )
    idle_wd: WorkingDays | None = Field(
        default=None,
        description="undecided_past_statutory: and nothing was recorded for this many "
        "working days (default 0).",
    )

    @model_validator(mode="after")
    def _parameters_fit(self) -> AnomalyRule:
        if self.minutes is not None and self.check is not AnomalyCheck.DECISION_BEFORE_RECORD:
            raise ValueError("minutes belongs to check decision_before_record")
        if self.idle_wd is not None and self.check is not AnomalyCheck.UNDECIDED_PAST_STATUTORY:
            raise ValueError("idle_wd belongs to check undecided_past_statutory")
        return self


class Office(_Model):
    """An office that receives notices (the supervision office)."""

    id: Id = Field(description="Its id in notification records, e.g. supervision_office.")
    name: Text = Field(description="Its name, e.g. 市政务服务中心电子监察室.")


class Offices(_Model):
    """Who the department head and the supervision office are."""

    department_head_role: Id = Field(
        default="office_head",
        description="The role whose holders in a department are its head (a role of the "
        "catalogue), e.g. office_head.",
    )
    supervision_office: Office


class Reporting(_Model):
    """The reporting calendar and the indicators' conventions (docs/supervision.md)."""

    periods: tuple[Period, ...] = Field(
        default=(Period.MONTH, Period.QUARTER, Period.YEAR),
        min_length=1,
        max_length=4,
        description="Periods reported: day, month, quarter, year.",
    )
    publish_wd: Annotated[StrictInt, Field(ge=1, le=60)] = Field(
        default=5, description="Working days after a period ends by which it is published."
    )
    early_margin_wd: Annotated[StrictInt, Field(ge=1, le=60)] = Field(
        default=1,
        description="提前: finished at least this many working days before the promised limit.",
    )
    extension_counts_as_on_time: StrictBool = Field(
        default=False, description="Count 延期 (within an approved extension) as 按时."
    )
    basically_satisfied_is_good: StrictBool = Field(
        default=False, description="Count 基本满意 as a good review (好评)."
    )
    bad_review_wd: Annotated[StrictInt, Field(ge=1, le=60)] = Field(
        default=15,
        description="Working days to follow up and fix a named bad review (差评): 5 in "
        "德州, 15 in 四川.",
    )


class RuleChange(_Model):
    """A rule changed for some matters: its trigger, its level, or both."""

    id: Id = Field(description="The id of a rule of this document.")
    when: Trigger | None = None
    level: Level | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> RuleChange:
        if self.when is None and self.level is None:
            raise ValueError("say what changes: when, level or both")
        return self


class Override(_Model):
    """Per-matter changes: rules changed or switched off for the matters named."""

    matters: tuple[Id, ...] = Field(min_length=1, max_length=MAX_LIST)
    rules: tuple[RuleChange, ...] = Field(default=(), max_length=MAX_RULES)
    disable: tuple[Id, ...] = Field(
        default=(), max_length=MAX_RULES, description="Ids of rules that do not apply."
    )


class Supervision(_Model):
    """电子监察规则: a supervision document (``kind: supervision``)."""

    kind: Literal["supervision"] = Field(description="Always 'supervision' for this file.")
    id: Id
    name: Text = Field(description="e.g. 当阳市政务服务电子监察规则.")
    version: Text = Field(description="The rule set's version, e.g. '2027-1'.")
    levels: Levels
    rules: tuple[TimeRule, ...] = Field(min_length=1, max_length=MAX_RULES)
    anomalies: tuple[AnomalyRule, ...] = Field(default=(), max_length=MAX_RULES)
    offices: Offices
    reporting: Reporting = Reporting()
    overrides: tuple[Override, ...] = Field(default=(), max_length=MAX_LIST)
