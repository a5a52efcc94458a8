"""Pinned examples for the engine: closing rules, send-back and certificates (#11).

Each test kills a mutant that survived the whole suite before.  They go through the
public API only (``Engine.submit/act/deadlines/replay`` and the fields of ``Case``), so
they hold while the engine's inside moves.

The matter below has no certify, deliver or close step (the window does those), a
survey that runs beside the decision and a publicity step after it, and a licence
valid for a number of days.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import pytest

from approval_rules.engine import Case, Engine, Status, StepStatus
from approval_rules.errors import ActionNotAllowed
from approval_rules.loader import load_catalogue_text
from approval_rules.timelimits import CHINA_TZ
from approval_rules.workdays import WorkCalendar

DEFS = """
kind: definitions
departments:
  - {id: office, name: 审批局}
people:
  - {id: clerk, name: 窗口, department: office}
  - {id: rev, name: 审查员, department: office}
  - {id: surveyor, name: 勘察员, department: office}
  - {id: boss, name: 局长, department: office}
"""

MATTER = """
kind: matter
id: pin
name: 钉住事项
catalogue_code: "P1"
implementation_code: "P1-1"
matter_type: administrative_license
lead_department: office
legal_basis: [{law: 行政许可法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [clerk]}
  - {id: review, name: 审查, kind: review, signers: [rev], after: [accept],
     time_limit: {value: 3}}
  - {id: survey, name: 现场勘察, kind: review, signers: [surveyor], after: [review],
     time_limit: {value: 5}}
  - {id: decide, name: 决定, kind: decide, decides: true, signers: [boss], after: [review],
     send_back_to: [review]}
  - {id: publicity, name: 结果公示, kind: review, signers: [clerk], after: [decide, survey]}
result: {name: 许可证, validity: {value: 30, unit: days}}
"""


def t(text: str) -> datetime:
    """A Beijing-time moment, e.g. t("2025-06-03 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


@contextmanager
def refused(action: str, code: str) -> Iterator[None]:
    """The block must raise ActionNotAllowed for ``action`` with ``code``."""
    with pytest.raises(ActionNotAllowed) as info:
        yield
    assert (info.value.action, info.value.code) == (action, code), info.value.reason


@pytest.fixture(scope="module")
def engine() -> Engine:
    catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": MATTER})
    return Engine(catalogue, WorkCalendar.china())


def reviewed(engine: Engine) -> Case:
    """Submitted and accepted Tue 2025-06-03, review passed Wed 06-04: survey and decide open."""
    case = engine.submit("pin", {}, {}, at=t("2025-06-03 09:00"), actor="app")
    case = engine.act(case, "accept", at=t("2025-06-03 10:00"), actor="clerk")
    case = engine.act(case, "pass", at=t("2025-06-04 10:00"), actor="rev", step="review")
    assert case.open_steps == ("survey", "decide")
    return case


def decided(engine: Engine) -> Case:
    case = engine.act(reviewed(engine), "pass", at=t("2025-06-05 10:00"), actor="boss",
                      step="decide")  # fmt: skip
    assert case.status is Status.APPROVED
    return case


# --------------------------------------------------------------------------- send-back


def test_send_back_makes_open_steps_wait_again_for_the_redone_step(engine: Engine) -> None:
    """The decision sends the case back to review: the survey, opened by the review
    that is being redone, closes and waits for the new review instead of running on
    the old one.  When the review passes again it opens afresh, with a new due date.
    """
    case = reviewed(engine)
    first_survey = case.steps["survey"]
    assert first_survey.due == date(2025, 6, 11)  # 5 WD from Wed 06-04
    case = engine.act(case, "send_back", at=t("2025-06-05 10:00"), actor="boss",
                      step="decide", reason="补充审查")  # fmt: skip
    assert case.open_steps == ("review",)
    assert "survey" not in case.steps
    assert "decide" not in case.steps
    details = case.events[-1].details
    assert (details["reopen"], details["reset"]) == (["review", "decide"], ["survey"])
    case = engine.act(case, "pass", at=t("2025-06-06 10:00"), actor="rev", step="review")
    assert case.open_steps == ("survey", "decide")
    assert case.steps["survey"].due == date(2025, 6, 13)  # 5 WD from Fri 06-06
    assert case.steps["survey"].opened != first_survey.opened
    assert engine.replay(case.events, head=case.head) == case


# --------------------------------------------------------------------------- closing


def test_an_approved_case_is_not_closed_while_steps_are_open(engine: Engine) -> None:
    """办结 comes last: with the survey (then the publicity) still open, close is refused
    with ``steps-open``, even once the licence was issued and delivered."""
    case = decided(engine)
    case = engine.act(case, "issue_certificate", at=t("2025-06-05 11:00"), actor="clerk",
                      number="P-1")  # fmt: skip
    case = engine.act(case, "deliver", at=t("2025-06-05 12:00"), actor="clerk")
    assert case.open_steps == ("survey",)
    with refused("close", "steps-open"):
        engine.act(case, "close", at=t("2025-06-05 13:00"), actor="clerk")
    case = engine.act(case, "pass", at=t("2025-06-06 09:00"), actor="surveyor", step="survey")
    assert case.open_steps == ("publicity",)
    with refused("close", "steps-open"):
        engine.act(case, "close", at=t("2025-06-06 10:00"), actor="clerk")
    actions = {a.action for a in engine.available_actions(case, t("2025-06-06 10:00"))}
    assert "close" not in actions
    case = engine.act(case, "pass", at=t("2025-06-06 11:00"), actor="clerk", step="publicity")
    case = engine.act(case, "close", at=t("2025-06-06 12:00"), actor="clerk")
    assert case.status is Status.CLOSED
    assert case.steps["publicity"].status is StepStatus.PASSED


# --------------------------------------------------------------------------- certificate


def test_certificate_validity_in_days_runs_forward_from_the_issue_day(engine: Engine) -> None:
    """Valid 30 days from Thu 2025-06-05: the issue day is not counted (民法典 Art. 201),
    so the licence runs to Sat 2025-07-05 (days, not working days)."""
    case = engine.act(decided(engine), "issue_certificate", at=t("2025-06-05 11:00"),
                      actor="clerk", number="P-2")  # fmt: skip
    certificate = case.settlement.certificate
    assert certificate is not None
    assert (certificate.issued, certificate.valid_until) == (date(2025, 6, 5), date(2025, 7, 5))
    assert Case.from_json(case.to_json()).settlement.certificate == certificate


# --------------------------------------------------------------------------- deadlines


def test_a_step_is_not_overdue_on_its_due_day(engine: Engine) -> None:
    """The survey is due Wed 06-11: on time that day, one working day late on 06-12."""
    case = reviewed(engine)
    on_due = engine.deadlines(case, t("2025-06-11 17:00")).steps["survey"]
    assert (on_due.due, on_due.remaining, on_due.overdue) == (date(2025, 6, 11), 0, False)
    late = engine.deadlines(case, t("2025-06-12 09:00")).steps["survey"]
    assert (late.remaining, late.overdue) == (-1, True)
