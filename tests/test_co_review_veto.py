"""Co-department veto (issue #14): one department's refusal ends the parallel review.

``on_disagree: veto`` on a co-review step, beside deemed agreement: the department's
``agree: false`` (with its reasons) refuses the application at once, the other open
steps are cancelled, and the case is refused with the department's reasons.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from approval_rules.audit import verify
from approval_rules.engine import Case, Engine, Status, StepStatus
from approval_rules.errors import DefinitionError
from approval_rules.loader import Catalogue, load_catalogue_text
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")

DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 当阳市住房和城乡建设局}
  - {id: xfj, name: 当阳市消防救援大队}
  - {id: rfb, name: 当阳市人防办}
people:
  - {id: wang, name: 王月琴, department: zjj, backup: chen}
  - {id: chen, name: 陈倩, department: zjj, backup: wang}
  - {id: li, name: 李强, department: xfj, backup: zhao}
  - {id: zhao, name: 赵磊, department: xfj, backup: li}
  - {id: qian, name: 钱进, department: rfb, backup: sun}
  - {id: sun, name: 孙立, department: rfb, backup: qian}
  - {id: shen, name: 沈卫东, department: zjj, backup: liu}
  - {id: liu, name: 刘建华, department: zjj, backup: shen}
"""

MATTER = """\
kind: matter
id: m
name: 联合审查
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: zjj
co_departments: [xfj, rfb]
legal_basis: [{law: 中华人民共和国行政许可法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
steps:
  - {id: accept, name: 窗口受理, kind: accept, signers: [wang, chen]}
  - {id: fire, name: 消防审查, kind: co_review, department: xfj, signers: [li, zhao],
     after: [accept], on_disagree: veto, on_timeout: deem_agreed, time_limit: {value: 3}}
  - {id: civil, name: 人防审查, kind: co_review, department: rfb, signers: [qian, sun],
     after: [accept]}
  - {id: decide, name: 审批, kind: decide, decides: true, signers: [shen], after: [fire, civil]}
  - {id: certify, name: 制证, kind: certify, signers: [wang, chen], after: [decide]}
  - {id: deliver, name: 发证, kind: deliver, signers: [wang, chen], after: [certify]}
result: {name: 许可证}
"""


def _load(matter: str = MATTER) -> Catalogue:
    return load_catalogue_text({"d.yaml": DEFS, "m.yaml": matter})


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


ENGINE = Engine(_load(), WorkCalendar.china())


def _accepted() -> Case:
    case = ENGINE.submit("m", {}, {}, at=t("2025-11-03 09:00"), actor="acme")
    return ENGINE.act(case, "accept", at=t("2025-11-03 09:30"), actor="wang")


def test_co_department_veto_refuses_the_application() -> None:
    """消防 disagrees: the case is refused with its reasons; 人防's review is cancelled."""
    case = ENGINE.act(_accepted(), "pass", at=t("2025-11-04 10:00"), actor="li", step="fire",
                      agree=False, opinion="消防车道宽度不足 4 米")  # fmt: skip
    assert case.status is Status.REFUSED
    assert case.decision is not None
    assert (case.decision.outcome, case.decision.step, case.decision.by) == (
        "refused",
        "fire",
        "li",
    )
    assert case.decision.reasons == ("消防车道宽度不足 4 米",)
    assert case.steps["fire"].status is StepStatus.PASSED
    assert case.steps["fire"].agreed is False
    assert case.steps["civil"].status is StepStatus.CANCELLED
    assert "decide" not in case.steps
    assert Case.from_json(case.to_json()) == case
    verify(case.events, head=case.head)
    assert ENGINE.replay(case.events, head=case.head) == case
    # the refusal is delivered to the applicant, then the case is closed
    case = ENGINE.act(case, "deliver", at=t("2025-11-04 15:00"), actor="wang", signed_by="申请人")
    case = ENGINE.act(case, "close", at=t("2025-11-04 16:00"), actor="wang")
    assert case.status is Status.CLOSED


def test_co_department_veto_agreement_and_opinions_go_on() -> None:
    """An agreeing veto department, and a disagreeing one without veto, do not end it."""
    case = ENGINE.act(_accepted(), "pass", at=t("2025-11-04 10:00"), actor="qian", step="civil",
                      agree=False, opinion="建议增设防护单元")  # fmt: skip
    assert case.status is Status.IN_REVIEW
    case = ENGINE.act(case, "pass", at=t("2025-11-04 11:00"), actor="li", step="fire")
    assert case.open_steps == ("decide",)


def test_co_department_veto_beside_deemed_agreement() -> None:
    """Silence past the limit is still deemed agreement on a step that may veto."""
    case = ENGINE.act(_accepted(), "pass", at=t("2025-11-04 10:00"), actor="qian", step="civil")
    case = ENGINE.advance(case, t("2025-11-10 09:00"))
    assert case.steps["fire"].status is StepStatus.DEEMED
    assert case.open_steps == ("decide",)


def test_co_department_veto_only_on_co_review_steps() -> None:
    matter = MATTER.replace(
        "signers: [shen], after: [fire, civil]}",
        "signers: [shen], after: [fire, civil], on_disagree: veto}",
    )
    with pytest.raises(DefinitionError) as caught:
        _load(matter)
    assert "only for steps of kind co_review" in str(caught.value)
