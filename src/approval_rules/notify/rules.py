"""The notification language (短信通知规则): a ``kind: notifications`` document as models.

A notifications document declares, for every matter or for some (``matters:``), which
recorded events send a text message (``on:``; with ``status:``, only those that leave
the case in one of these statuses), to whom (``to:``: the applicant at the
phone field the document names, the signers of the steps open after the event, their
AB岗 backups, the lead department's head) and with which Chinese template.  Templates
use ``{placeholder}`` names from :data:`PLACEHOLDERS`; each placeholder has a maximum
length (the library's default, or the document's ``max_lengths``), so a template's
longest message is known before any is sent (:mod:`.check`).

The JSON Schema ``schemas/notifications.schema.json`` is generated from these classes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from ..engine import Status
from ..model import ID_PATTERN, MAX_ID, MAX_LIST, MAX_NAME, VISIBLE_PATTERN

__all__ = [
    "DEFAULT_MAX_LENGTHS",
    "MAX_TEMPLATE",
    "PLACEHOLDERS",
    "Notifications",
    "Recipient",
    "Rule",
]

Id = Annotated[StrictStr, Field(pattern=ID_PATTERN, max_length=MAX_ID)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=MAX_NAME, pattern=VISIBLE_PATTERN)]
#: Longest template (characters); a message of several segments is allowed, and reported.
MAX_TEMPLATE: Final = 500
MAX_RULES: Final = 200


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Recipient(enum.StrEnum):
    """Who a rule texts."""

    APPLICANT = "applicant"  # the applicant, at the phone field the document names
    SIGNER = "signer"  # who may sign the steps open after the event
    BACKUP = "backup"  # their AB岗 backups
    DEPARTMENT_HEAD = "department_head"  # holders of department_head_role in the lead department


#: Every placeholder a template may use, and what it holds.
PLACEHOLDERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "case_id": "办件编号",
        "matter": "事项名称",
        "department": "牵头部门简称（无简称时用全称）",
        "applicant": "申请人（申请人字段 applicant_name 或 name，否则申请人编号）",
        "day": "事件发生日，如 2025年10月9日",
        "accepted_on": "受理日",
        "promised_due": "承诺办结日",
        "statutory_due": "法定办结日",
        "certificate_due": "颁发证件期限",
        "items": "一次性告知的补正项数",
        "step": "事件后待办环节名称（多个时取第一个）",
        "phone": "咨询电话",
    }
)

_DAY = len("2025年10月10日")
#: The longest text each placeholder stands for unless the document says otherwise.
#: Dates and counts have a fixed longest form; names are capped by the document.
DEFAULT_MAX_LENGTHS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "case_id": 24,
        "matter": 20,
        "department": 12,
        "applicant": 20,
        "day": _DAY,
        "accepted_on": _DAY,
        "promised_due": _DAY,
        "statutory_due": _DAY,
        "certificate_due": _DAY,
        "items": 3,
        "step": 12,
        "phone": 13,
    }
)


class Rule(_Model):
    """One notification: on which events, to whom, what text."""

    id: Id
    on: tuple[Id, ...] = Field(
        min_length=1,
        max_length=MAX_LIST,
        description="Recorded event actions that send it, e.g. [accept, deemed_acceptance].",
    )
    to: tuple[Recipient, ...] = Field(
        min_length=1, max_length=4, description="applicant, signer, backup, department_head."
    )
    matters: tuple[Id, ...] = Field(
        default=(),
        max_length=MAX_LIST,
        description="Matters it applies to; every matter when absent (a shared rule).",
    )
    status: tuple[Status, ...] = Field(
        default=(),
        max_length=len(Status),
        description="Only when the event leaves the case in one of these statuses, e.g. "
        "[revoked] for a record_check that found the commitment untrue; any when absent.",
    )
    template: Annotated[StrictStr, Field(min_length=1, max_length=MAX_TEMPLATE)] = Field(
        description="The Chinese text with {placeholders}, e.g. "
        "'【当阳政务】您的{matter}申请已受理，承诺{promised_due}前办结。'"
    )


class Notifications(_Model):
    """短信通知规则: a notifications document (``kind: notifications``)."""

    kind: Literal["notifications"] = Field(description="Always 'notifications' for this file.")
    id: Id
    name: Text = Field(description="e.g. 当阳市政务服务短信通知规则.")
    applicant_phone_field: Id = Field(
        default="phone",
        description="The applicant field holding the mobile number the applicant is texted at.",
    )
    department_head_role: Id | None = Field(
        default=None,
        description="Role whose holders in the lead department receive department_head "
        "messages; required when a rule sends to department_head.",
    )
    max_lengths: dict[Id, Annotated[StrictInt, Field(ge=1, le=MAX_TEMPLATE)]] = Field(
        default_factory=dict,
        description="Longest text of a placeholder, replacing the library's default, "
        "e.g. {matter: 16}; a longer value is cut to it with …",
    )
    rules: tuple[Rule, ...] = Field(min_length=1, max_length=MAX_RULES)
