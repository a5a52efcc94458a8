"""Green-channel step limits (issue #14): the halving can apply to step limits too,
when the matter declares it (``green_channel.steps: true``).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from approval_rules.compiler import check_catalogue, matter_plan
from approval_rules.engine import Case, Engine
from approval_rules.loader import Catalogue, load_catalogue_text
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")

DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 泉州市住房和城乡建设局}
people:
  - {id: wang, name: 王月琴, department: zjj, backup: chen}
  - {id: chen, name: 陈倩, department: zjj, backup: wang}
  - {id: shen, name: 沈卫东, department: zjj, backup: liu}
  - {id: liu, name: 刘建华, department: zjj, backup: shen}
"""

MATTER = """\
kind: matter
id: m
name: 施工许可
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: zjj
legal_basis: [{law: 中华人民共和国建筑法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 14}
  green_channel: {reduction: 0.5, when: is_key_project, steps: true}
applicant_fields:
  - {id: is_key_project, name: 是否重点项目, type: boolean}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [wang, chen], time_limit: {value: 1}}
  - {id: review, name: 审查, kind: review, signers: [chen], after: [accept], time_limit: {value: 3}}
  - {id: decide, name: 审批, kind: decide, decides: true, signers: [shen], after: [review],
     time_limit: {value: 2}}
  - {id: certify, name: 制证, kind: certify, signers: [wang], after: [decide],
     time_limit: {value: 0.5}}
  - {id: deliver, name: 发证, kind: deliver, signers: [wang], after: [certify]}
no_fee: true
result: {name: 施工许可证}
"""


def _load(matter: str = MATTER) -> Catalogue:
    return load_catalogue_text({"d.yaml": DEFS, "m.yaml": matter})


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _in_review(matter: str, green: bool) -> tuple[Engine, Case]:
    engine = Engine(_load(matter), WorkCalendar.china())
    case = engine.submit("m", {"is_key_project": green}, {}, at=t("2025-11-03 09:00"),
                         actor="acme", green_channel=green)  # fmt: skip
    return engine, engine.act(case, "accept", at=t("2025-11-03 09:30"), actor="wang")


@pytest.mark.parametrize(
    ("sid", "green", "expected"),
    [
        ("accept", False, (1, "working_days")),
        ("accept", True, (1, "half_days")),
        ("review", True, (3, "half_days")),  # 3 WD × 0.5 = 1.5 WD
        ("decide", True, (1, "working_days")),
        ("certify", True, (1, "half_days")),  # never below half a day
        ("deliver", True, None),
    ],
)
def test_green_channel_step_limits_are_shortened_when_declared(
    sid: str, green: bool, expected: tuple[int, str] | None
) -> None:
    plan = matter_plan(_load(), "m")
    assert plan.step_limit(sid, green) == expected


def test_green_channel_step_limits_shorten_the_steps_due_dates() -> None:
    """Accepted Monday 3 November: the review is due after 1.5 working days, not 3."""
    _, normal = _in_review(MATTER, green=False)
    _, green = _in_review(MATTER, green=True)
    assert normal.steps["review"].due == date(2025, 11, 6)
    assert green.steps["review"].due is not None
    assert green.steps["review"].due < normal.steps["review"].due


def test_green_channel_step_limits_only_when_declared() -> None:
    """Without steps: true the green channel shortens the promised limit only."""
    plain = MATTER.replace(", steps: true}", "}")
    _, normal = _in_review(plain, green=False)
    _, green = _in_review(plain, green=True)
    assert green.steps["review"].due == normal.steps["review"].due
    assert green.clock.promised_due is not None
    assert normal.clock.promised_due is not None
    assert green.clock.promised_due < normal.clock.promised_due


def test_green_channel_step_limits_count_in_the_feasibility_check() -> None:
    """A green promise of 3 WD: infeasible with the full step limits (6.5 WD on the
    chain), feasible once the steps are shortened too (0.5 + 1 + 0.5 + 0.5 = 2.5 WD)."""
    tight = MATTER.replace("promised: {value: 14}", "promised: {value: 8}").replace(
        "reduction: 0.5", "reduction: 0.6"
    )
    plain = tight.replace(", steps: true}", "}")
    assert "green-channel-infeasible" in [i.code for i in check_catalogue(_load(plain))]
    assert [i.code for i in check_catalogue(_load(tight))] == []
