"""A matter's own certificate period (issue #14): the food business licence is issued
within 5 working days of the decision, not Art. 44's 10 (``result.issue_within``).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from approval_rules.engine import Case, Engine
from approval_rules.errors import DefinitionError
from approval_rules.loader import Catalogue, load_catalogue_text
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")

DEFS = """\
kind: definitions
departments:
  - {id: scjg, name: 当阳市市场监督管理局}
people:
  - {id: wang, name: 王月琴, department: scjg, backup: chen}
  - {id: chen, name: 陈倩, department: scjg, backup: wang}
"""

MATTER = """\
kind: matter
id: food
name: 食品经营许可
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: scjg
legal_basis: [{law: 食品经营许可和备案管理办法, article: 第二十四条}]
case_type: promised
time_limits:
  statutory: {value: 10}
  promised: {value: 10}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [wang, chen]}
  - {id: decide, name: 审批, kind: decide, decides: true, signers: [chen], after: [accept]}
  - {id: certify, name: 制证, kind: certify, signers: [wang], after: [decide]}
  - {id: deliver, name: 发证, kind: deliver, signers: [wang], after: [certify]}
no_fee: true
result: {name: 食品经营许可证, issue_within: 5}
"""


def _load(matter: str = MATTER) -> Catalogue:
    return load_catalogue_text({"d.yaml": DEFS, "m.yaml": matter})


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _decided(matter: str = MATTER) -> tuple[Engine, Case]:
    engine = Engine(_load(matter), WorkCalendar.china())
    case = engine.submit("food", {}, {}, at=t("2025-11-03 09:00"), actor="acme")
    case = engine.act(case, "accept", at=t("2025-11-03 09:30"), actor="wang")
    return engine, engine.act(case, "pass", at=t("2025-11-04 10:00"), actor="chen")


def test_certificate_period_of_the_matter_replaces_art_44() -> None:
    """Decided on Tuesday 4 November 2025: due 5 working days later, Tuesday the 11th."""
    engine, case = _decided()
    assert case.clock.certificate_due == date(2025, 11, 11)
    report = engine.deadlines(case, t("2025-11-05 09:00"))
    assert report.certificate is not None
    assert report.certificate.due == date(2025, 11, 11)
    assert engine.replay(case.events, head=case.head) == case


def test_certificate_period_is_art_44_without_one() -> None:
    _, case = _decided(MATTER.replace(", issue_within: 5", ""))
    assert case.clock.certificate_due == date(2025, 11, 18)  # 10 working days


@pytest.mark.parametrize("value", ["11", "0", "2.5"])
def test_certificate_period_longer_than_art_44_is_refused(value: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        _load(MATTER.replace("issue_within: 5", f"issue_within: {value}"))
    assert "issue_within" in str(caught.value)
