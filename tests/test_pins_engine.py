"""Pinned examples for the engine: closing rules, send-back and certificates (#11).

Each test kills a mutant that survived the whole suite before.  They go through the
public API only (``Engine.submit/act/deadlines/replay`` and the fields of ``Case``), so
they hold while the engine's inside moves.

The first matter has no certify, deliver or close step (the window does those), a
survey that runs beside the decision and a publicity step after it, and a licence
valid for a number of days.  The second has a step for each of fee, certificate,
delivery and closing, each with its own signer, backups (AB岗) and a tolerated material.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

import pytest

from approval_rules.engine import Case, Engine, Status, StepState, StepStatus
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
     time_limit: {value: 5}, separate_from: [publicity]}
  - {id: decide, name: 决定, kind: decide, decides: true, signers: [boss], after: [review],
     send_back_to: [review]}
  - {id: publicity, name: 结果公示, kind: review, signers: [clerk], after: [decide, survey]}
result: {name: 许可证, validity: {value: 30, unit: days}}
"""


def t(text: str) -> datetime:
    """A Beijing-time moment, e.g. t("2025-06-03 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


class Refusal:
    """What refused() saw: the refusal's reason, once the block has run."""

    reason = ""


@contextmanager
def refused(action: str, code: str) -> Iterator[Refusal]:
    """The block must raise ActionNotAllowed for ``action`` with ``code``."""
    seen = Refusal()
    with pytest.raises(ActionNotAllowed) as info:
        yield seen
    assert (info.value.action, info.value.code) == (action, code), info.value.reason
    seen.reason = info.value.reason


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
    with refused("close", "steps-open") as info:
        engine.act(case, "close", at=t("2025-06-05 13:00"), actor="clerk")
    assert info.reason == "steps are still open: survey"
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


def test_the_window_closes_a_refused_case_in_its_own_name(engine: Engine) -> None:
    """Without deliver and close steps the window (the acceptance signer) delivers and
    closes a refused case; a window signer acts for nobody, so no ``for`` is recorded."""
    case = engine.act(reviewed(engine), "refuse", at=t("2025-06-05 10:00"), actor="boss",
                      step="decide", reasons=["勘察不合格"])  # fmt: skip
    assert case.status is Status.REFUSED
    case = engine.act(case, "deliver", at=t("2025-06-05 11:00"), actor="clerk")
    assert case.events[-1].details == {}
    case = engine.act(case, "close", at=t("2025-06-05 12:00"), actor="clerk")
    assert case.events[-1].details == {}
    assert case.status is Status.CLOSED


def test_a_separation_from_a_step_not_reached_yet_does_not_block(engine: Engine) -> None:
    """survey is separated from publicity, which has not opened when the survey passes
    (a warned declaration: separate-from-not-upstream): nothing to compare, it passes."""
    case = engine.act(reviewed(engine), "pass", at=t("2025-06-05 09:00"), actor="surveyor",
                      step="survey")  # fmt: skip
    assert case.steps["survey"].status is StepStatus.PASSED
    assert "publicity" not in case.steps


# =========================================================================== the full matter

FULL_DEFS = """
kind: definitions
departments:
  - {id: office, name: 审批局}
roles:
  - {id: head, name: 局长}
people:
  - {id: clerk, name: 窗口, department: office, backup: clerk2}
  - {id: clerk2, name: 窗口二, department: office}
  - {id: rev, name: 审查员, department: office}
  - {id: deputy, name: 副局长, department: office}
  - {id: boss, name: 局长, department: office, roles: [head], backup: deputy}
  - {id: cashier, name: 收费员, department: office}
  - {id: maker, name: 制证员, department: office, backup: maker2}
  - {id: maker2, name: 制证员二, department: office}
  - {id: courier, name: 送达员, department: office}
  - {id: archivist, name: 归档员, department: office}
fee_items:
  - id: area_fee
    name: 面积费
    rate: 2.5
    per_field: area
    legal_basis: {law: 某收费标准}
"""

FULL_MATTER = """
kind: matter
id: full
name: 全流程事项
catalogue_code: "F1"
implementation_code: "F1-1"
matter_type: administrative_license
lead_department: office
legal_basis: [{law: 行政许可法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 3}
  extension: {value: 10, approved_by: head}
applicant_fields:
  - {id: area, name: 面积, type: number}
materials:
  - {id: form, name: 申请书, form: paper}
  - {id: plan, name: 平面图, form: paper, necessity: tolerated}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [clerk]}
  - {id: review, name: 审查, kind: review, signers: [rev, deputy], after: [accept]}
  - {id: decide, name: 决定, kind: decide, decides: true, signers: [boss], after: [review],
     separate_from: [review]}
  - {id: fee, name: 收费, kind: fee, signers: [cashier], after: [decide]}
  - {id: certify, name: 制证, kind: certify, signers: [maker], after: [fee]}
  - {id: deliver, name: 送达, kind: deliver, signers: [courier], after: [certify],
     time_limit: {value: 2}}
  - {id: close, name: 办结, kind: close, signers: [archivist], after: [deliver]}
fees:
  - item: area_fee
result: {name: 许可证, validity: {value: 1, unit: months}}
"""


def full_engine(validity: str = "{value: 1, unit: months}") -> Engine:
    matter = FULL_MATTER.replace("{value: 1, unit: months}", validity)
    return Engine(
        load_catalogue_text({"d.yaml": FULL_DEFS, "m.yaml": matter}), WorkCalendar.china()
    )


@pytest.fixture(scope="module")
def full() -> Engine:
    return full_engine()


def received(
    full: Engine, at: str = "2025-06-09 09:00", area: float = 100.2, **materials: str
) -> Case:
    """Received Mon 2025-06-09 (promised 3 WD: due Thu 06-12 if accepted that day)."""
    given = {"form": "paper", "plan": "paper", **materials}
    given = {k: v for k, v in given.items() if v}
    return full.submit("full", {"area": area}, given, at=t(at), actor="app")


def full_accepted(full: Engine, day: str = "2025-06-09", area: float = 100.2) -> Case:
    case = received(full, f"{day} 09:00", area)
    return full.act(case, "accept", at=t(f"{day} 10:00"), actor="clerk")


def full_approved(full: Engine, day: str = "2025-06-09", area: float = 100.2) -> Case:
    """Reviewed and decided the same day; fees assessed (2.5 yuan per m²)."""
    case = full_accepted(full, day, area)
    case = full.act(case, "pass", at=t(f"{day} 11:00"), actor="rev", step="review")
    case = full.act(case, "pass", at=t(f"{day} 12:00"), actor="boss", step="decide")
    assert case.status is Status.APPROVED
    return case


def full_certified(full: Engine, day: str = "2025-06-09") -> Case:
    case = full_approved(full, day)
    case = full.act(case, "record_payment", at=t(f"{day} 13:00"), actor="cashier",
                    amount="250.50")  # fmt: skip
    return full.act(case, "issue_certificate", at=t(f"{day} 14:00"), actor="maker", number="F-1")


def offered(full: Engine, case: Case, at: str) -> set[str]:
    return {a.action for a in full.available_actions(case, t(at))}


# --------------------------------------------------------------------------- 容缺受理


def test_tolerated_acceptance_is_possible_up_to_the_promised_deadline(full: Engine) -> None:
    """With a tolerated gap the make-up date may not pass the promised deadline, counted
    from receipt (Art. 32 without a notice): received Mon 06-09, 3 WD, due Thu 06-12.
    On the due day the window may still accept (make-up that day); from Fri 06-13 no
    make-up date is possible, so acceptance is not even offered."""
    case = received(full, plan="")
    assert case.intake.gaps == ("plan",)
    assert "accept" in offered(full, case, "2025-06-12 09:00")
    on_due = full.act(case, "accept", at=t("2025-06-12 09:00"), actor="clerk",
                      makeup_by="2025-06-12")  # fmt: skip
    assert on_due.intake.makeup_by == date(2025, 6, 12)
    assert "accept" not in offered(full, case, "2025-06-13 09:00")
    with refused("accept", "makeup-date-too-late") as info:
        full.act(case, "accept", at=t("2025-06-13 09:00"), actor="clerk", makeup_by="2025-06-13")
    assert "2025-06-12 has passed" in info.reason


# --------------------------------------------------------------------------- AB岗 and separation


def test_a_backup_who_reviewed_may_not_decide_for_the_absent_head(full: Engine) -> None:
    """deputy backs up boss but signed the review: separation of duties holds for the
    one who acts, whoever they act for."""
    case = full_accepted(full)
    case = full.act(case, "pass", at=t("2025-06-09 11:00"), actor="deputy", step="review")
    case = full.act(case, "record_absence", at=t("2025-06-09 11:30"), actor="boss",
                    person="boss", end="2025-06-13")  # fmt: skip
    with refused("pass", "separation-of-duties"):
        full.act(case, "pass", at=t("2025-06-10 09:00"), actor="deputy", step="decide")
    with refused("refuse", "separation-of-duties"):
        full.act(case, "refuse", at=t("2025-06-10 09:00"), actor="deputy", step="decide",
                 reasons=["x"])  # fmt: skip


def test_a_backup_issues_the_certificate_for_the_absent_maker(full: Engine) -> None:
    """maker2 stands in for maker (recorded absent): the event and the step say so."""
    case = full_approved(full)
    case = full.act(case, "record_payment", at=t("2025-06-09 13:00"), actor="cashier",
                    amount="250.50")  # fmt: skip
    opened = case.steps["certify"].opened
    case = full.act(case, "record_absence", at=t("2025-06-09 13:30"), actor="clerk",
                    person="maker")  # fmt: skip
    case = full.act(case, "issue_certificate", at=t("2025-06-09 14:00"), actor="maker2",
                    number="F-1")  # fmt: skip
    assert case.events[-1].details == {
        "number": "F-1", "valid_until": "2025-07-09", "for": "maker", "step": "certify",
        "open": [["deliver", "2025-06-11"]],
    }  # fmt: skip
    assert case.steps["certify"] == StepState(
        StepStatus.PASSED, opened, None, "maker2", "maker", None, True
    )
    assert full.replay(case.events, head=case.head) == case
    assert Case.from_json(case.to_json()) == case


def test_a_signer_issues_the_certificate_in_their_own_name(full: Engine) -> None:
    """No ``for`` when the step's own signer acts; the step is named in the event."""
    case = full_certified(full)
    assert case.events[-1].details == {
        "number": "F-1", "valid_until": "2025-07-09", "step": "certify",
        "open": [["deliver", "2025-06-11"]],
    }  # fmt: skip
    assert case.steps["certify"].by == "maker"
    assert case.steps["certify"].on_behalf_of is None


# --------------------------------------------------------------------------- fees


def test_a_fee_step_with_cents_outstanding_stays_open(full: Engine) -> None:
    """250.50 yuan assessed (100.2 m² × 2.5), 250.00 paid: 0.50 is still owed, so the
    fee step is not passed, cannot be passed by hand and no certificate is issued;
    paying the 0.50 passes it."""
    case = full_approved(full)
    assert case.settlement.outstanding == Decimal("250.50")
    case = full.act(case, "record_payment", at=t("2025-06-09 13:00"), actor="cashier",
                    amount="250.00")  # fmt: skip
    assert "step" not in case.events[-1].details
    assert case.steps["fee"].status is StepStatus.OPEN
    with refused("pass", "fees-outstanding"):
        full.act(case, "pass", at=t("2025-06-09 13:10"), actor="cashier", step="fee")
    with refused("issue_certificate", "fees-outstanding"):
        full.act(case, "issue_certificate", at=t("2025-06-09 13:10"), actor="maker", number="F")
    case = full.act(case, "record_payment", at=t("2025-06-09 13:20"), actor="cashier",
                    amount="0.50")  # fmt: skip
    assert case.events[-1].details["step"] == "fee"
    assert case.steps["fee"].status is StepStatus.PASSED
    assert case.open_steps == ("certify",)


def test_a_fee_of_nothing_is_passed_by_hand(full: Engine) -> None:
    """0 m² gives a fee of 0.00: nothing to pay, so the cashier passes the fee step."""
    case = full_approved(full, area=0)
    assert case.settlement.fees == {"area_fee": Decimal("0.00")}
    with refused("record_payment", "nothing-to-pay"):
        full.act(case, "record_payment", at=t("2025-06-09 13:00"), actor="cashier", amount="1")
    case = full.act(case, "pass", at=t("2025-06-09 13:00"), actor="cashier", step="fee")
    assert case.open_steps == ("certify",)


def test_a_fee_that_may_not_be_waived_is_not_offered(full: Engine) -> None:
    """The fee item is not waivable: waive_fee is neither listed nor accepted."""
    case = full_approved(full)
    assert "waive_fee" not in offered(full, case, "2025-06-09 13:00")
    assert "record_payment" in offered(full, case, "2025-06-09 13:00")
    with refused("waive_fee", "not-waivable"):
        full.act(case, "waive_fee", at=t("2025-06-09 13:00"), actor="cashier",
                 item="area_fee", reason="减免")  # fmt: skip


def test_post_decision_actions_wait_for_the_decision(full: Engine) -> None:
    """Before the decision: no payment, no certificate, no closing (``wrong-status``)."""
    case = full_accepted(full)
    at = t("2025-06-09 11:00")
    with refused("record_payment", "wrong-status"):
        full.act(case, "record_payment", at=at, actor="cashier", amount="1")
    with refused("issue_certificate", "wrong-status"):
        full.act(case, "issue_certificate", at=at, actor="maker", number="F-1")
    with refused("close", "wrong-status"):
        full.act(case, "close", at=at, actor="archivist")


# --------------------------------------------------------------------------- closing


def test_an_approved_case_is_closed_at_its_close_step_only(full: Engine) -> None:
    """Right after the decision the close step is not open yet: ``step-not-open``."""
    case = full_approved(full)
    with refused("close", "step-not-open") as info:
        full.act(case, "close", at=t("2025-06-09 13:00"), actor="archivist")
    assert info.reason == "step 'close', where this is done, is not open (open: fee)"


def test_delivery_and_closing_of_a_refused_case(full: Engine) -> None:
    """A refused case: the people of the deliver and close steps act, or the window;
    anyone else is refused."""
    case = full_accepted(full)
    case = full.act(case, "pass", at=t("2025-06-09 11:00"), actor="rev", step="review")
    case = full.act(case, "refuse", at=t("2025-06-09 12:00"), actor="boss", step="decide",
                    reasons=["不符合条件"])  # fmt: skip
    with refused("deliver", "not-a-signer"):
        full.act(case, "deliver", at=t("2025-06-09 13:00"), actor="cashier")
    assert full.act(case, "deliver", at=t("2025-06-09 13:00"), actor="clerk").status is (
        Status.REFUSED
    )
    case = full.act(case, "deliver", at=t("2025-06-09 13:00"), actor="courier",
                    signed_by="申请人张三")  # fmt: skip
    assert case.settlement.signed_by == "申请人张三"
    assert case.events[-1].details == {"signed_by": "申请人张三"}
    with refused("close", "not-a-signer"):
        full.act(case, "close", at=t("2025-06-09 14:00"), actor="cashier")
    case = full.act(case, "close", at=t("2025-06-09 14:00"), actor="archivist")
    assert case.status is Status.CLOSED


def test_no_closing_while_a_clock_stop_runs(full: Engine) -> None:
    """A stop started after the decision (at the fee step) still runs when the close
    step opens: the case is not closed until it ends."""
    case = full_approved(full)
    case = full.act(case, "start_clock_stop", at=t("2025-06-09 12:30"), actor="cashier",
                    kind="expert_review", notice="专家评审告知书", needed_days=5)  # fmt: skip
    case = full.act(case, "record_payment", at=t("2025-06-09 13:00"), actor="cashier",
                    amount="250.50")  # fmt: skip
    case = full.act(case, "issue_certificate", at=t("2025-06-09 14:00"), actor="maker",
                    number="F-1")  # fmt: skip
    case = full.act(case, "deliver", at=t("2025-06-09 15:00"), actor="courier")
    assert case.open_steps == ("close",)
    with refused("close", "clock-stopped"):
        full.act(case, "close", at=t("2025-06-10 09:00"), actor="archivist")
    case = full.act(case, "end_clock_stop", at=t("2025-06-10 09:00"), actor="cashier")
    assert full.act(case, "close", at=t("2025-06-10 10:00"), actor="archivist").status is (
        Status.CLOSED
    )


# --------------------------------------------------------------------------- clock stops


def test_clock_stops_run_only_on_an_accepted_case(full: Engine) -> None:
    """Before acceptance no period runs, so there is nothing to stop."""
    with refused("start_clock_stop", "wrong-status"):
        full.act(received(full), "start_clock_stop", at=t("2025-06-09 10:00"), actor="clerk",
                 kind="hearing", notice="听证告知书", needed_days=5)  # fmt: skip


def test_who_ends_a_clock_stop_and_when_the_next_may_start(full: Engine) -> None:
    """The one who started a stop may end it even after their step moved on; someone
    handling no open step may not.  Stops count whole days: the next one starts the day
    after the last one ended at the earliest, checked against the latest stop."""
    case = full_accepted(full)
    case = full.act(case, "start_clock_stop", at=t("2025-06-10 09:00"), actor="rev",
                    kind="hearing", notice="听证告知书", needed_days=5)  # fmt: skip
    case = full.act(case, "pass", at=t("2025-06-10 10:00"), actor="rev", step="review")
    assert case.open_steps == ("decide",)
    with refused("end_clock_stop", "not-a-signer"):
        full.act(case, "end_clock_stop", at=t("2025-06-11 09:00"), actor="courier")
    case = full.act(case, "end_clock_stop", at=t("2025-06-11 09:00"), actor="rev")
    with refused("start_clock_stop", "stop-overlaps"):
        full.act(case, "start_clock_stop", at=t("2025-06-11 10:00"), actor="boss",
                 kind="testing", notice="检测告知书", needed_days=5)  # fmt: skip
    case = full.act(case, "start_clock_stop", at=t("2025-06-12 09:00"), actor="boss",
                    kind="testing", notice="检测告知书", needed_days=5)  # fmt: skip
    case = full.act(case, "end_clock_stop", at=t("2025-06-12 17:00"), actor="boss")
    assert [(s.start, s.end) for s in case.clock.stops] == [
        (date(2025, 6, 10), date(2025, 6, 11)),
        (date(2025, 6, 12), date(2025, 6, 12)),
    ]
    with refused("start_clock_stop", "stop-overlaps"):
        full.act(case, "start_clock_stop", at=t("2025-06-12 17:30"), actor="boss",
                 kind="appraisal", notice="鉴定告知书", needed_days=5)  # fmt: skip


# --------------------------------------------------------------------------- extension


def test_the_extension_may_be_granted_on_the_statutory_due_day(full: Engine) -> None:
    """Accepted Mon 06-09: 20 WD due Mon 07-07; the period ends at the close of that day
    (民法典 Art. 203), so the head may still extend it then, by 10 WD to 07-21."""
    case = full.act(full_accepted(full), "pass", at=t("2025-06-09 11:00"), actor="rev",
                    step="review")  # fmt: skip
    assert case.clock.statutory_due == date(2025, 7, 7)
    case = full.act(case, "extend", at=t("2025-07-07 16:00"), actor="boss", reason="需专家论证")
    assert case.clock.statutory_due == date(2025, 7, 21)


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize(
    ("validity", "day", "valid_until"),
    [
        # December + 1 month is January of the next year (the month wraps)
        ("{value: 1, unit: months}", "2025-12-31", date(2026, 1, 31)),
        # no 31 February: the month's last day (民法典 Art. 202)
        ("{value: 1, unit: months}", "2024-01-31", date(2024, 2, 29)),
        ("{value: 1, unit: years}", "2024-02-29", date(2025, 2, 28)),
        ("{value: 12, unit: months}", "2024-12-02", date(2025, 12, 2)),
    ],
)
def test_certificate_validity_in_months_and_years(
    validity: str, day: str, valid_until: date
) -> None:
    """Months and years end on the corresponding day, else on the month's last day."""
    engine = full_engine(validity)
    case = full_certified(engine, day)
    assert case.settlement.certificate is not None
    assert case.settlement.certificate.valid_until == valid_until


def test_a_delivered_step_keeps_its_opening_and_due_date(full: Engine) -> None:
    """Delivery opens Mon 06-09 14:00 with 2 WD (due Wed 06-11); passing it by
    ``deliver`` keeps both and records who delivered."""
    case = full_certified(full)
    opened = case.steps["deliver"]
    assert opened.due == date(2025, 6, 11)
    case = full.act(case, "deliver", at=t("2025-06-10 09:00"), actor="courier")
    assert case.steps["deliver"] == StepState(
        StepStatus.PASSED, opened.opened, date(2025, 6, 11), "courier", None, None, True
    )
    assert full.replay(case.events, head=case.head) == case


# =========================================================================== a decision waiting

WAITING_MATTER = """
kind: matter
id: waiting
name: 决定等待事项
catalogue_code: "W1"
implementation_code: "W1-1"
matter_type: administrative_license
lead_department: office
legal_basis: [{law: 行政许可法}]
case_type: promised
result: {name: 许可证}
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [clerk]}
  - {id: review, name: 审查, kind: review, signers: [rev], after: [accept]}
  - {id: survey, name: 现场勘察, kind: review, signers: [surveyor], after: [review]}
  - {id: decide, name: 决定, kind: decide, decides: true, signers: [boss], after: [survey]}
  - {id: check, name: 材料核查, kind: review, signers: [clerk], after: [review],
     send_back_to: [review]}
  - {id: publicity, name: 结果公示, kind: review, signers: [clerk], after: [decide, check]}
"""


def test_an_open_decision_waits_for_a_review_sent_back_beside_it() -> None:
    """The check, beside the decision, sends the case back to review.  The decision
    step stays open (its own input, the survey, is done) but may not decide before the
    review it rests on is done again (行政许可法 Art. 34: decided on reviewed materials)."""
    engine = Engine(
        load_catalogue_text({"d.yaml": DEFS, "m.yaml": WAITING_MATTER}), WorkCalendar.china()
    )
    case = engine.submit("waiting", {}, {}, at=t("2025-06-09 09:00"), actor="app")
    case = engine.act(case, "accept", at=t("2025-06-09 10:00"), actor="clerk")
    case = engine.act(case, "pass", at=t("2025-06-09 11:00"), actor="rev", step="review")
    case = engine.act(case, "pass", at=t("2025-06-09 12:00"), actor="surveyor", step="survey")
    assert case.open_steps == ("check", "decide")
    case = engine.act(case, "send_back", at=t("2025-06-09 13:00"), actor="clerk", step="check",
                      reason="材料不一致")  # fmt: skip
    assert set(case.open_steps) == {"review", "decide"}
    with refused("pass", "steps-pending") as info:
        engine.act(case, "pass", at=t("2025-06-09 14:00"), actor="boss", step="decide")
    assert info.reason == "earlier steps are not done: review"
    assert "decide" not in {
        a.step for a in engine.available_actions(case, t("2025-06-09 14:00")) if a.action == "pass"
    }
    case = engine.act(case, "pass", at=t("2025-06-09 15:00"), actor="rev", step="review")
    case = engine.act(case, "pass", at=t("2025-06-09 16:00"), actor="boss", step="decide")
    assert case.status is Status.APPROVED


# --------------------------------------------------------------------------- AB岗 at the window


def test_a_backup_at_the_window_acts_for_the_absent_clerk(full: Engine) -> None:
    """clerk2 backs up clerk, recorded absent: acceptance, a correction notice, a
    refusal to accept, a supplement for the applicant all record ``for: clerk`` (the
    record shows who stood in for whom, as for every other backup action)."""
    case = received(full, plan="")
    case = full.act(case, "record_absence", at=t("2025-06-09 09:30"), actor="clerk",
                    person="clerk", end="2025-06-13")  # fmt: skip
    at = t("2025-06-09 10:00")
    accepted = full.act(case, "accept", at=at, actor="clerk2", makeup_by="2025-06-12")
    assert accepted.events[-1].details["for"] == "clerk"
    assert accepted.steps["accept"].by == "clerk2"
    assert accepted.steps["accept"].on_behalf_of == "clerk"
    assert full.replay(accepted.events, head=accepted.head) == accepted
    supplied = full.act(accepted, "supplement", at=t("2025-06-10 10:00"), actor="clerk2",
                        materials={"plan": "paper"})  # fmt: skip
    assert supplied.events[-1].details["for"] == "clerk"
    noticed = full.act(case, "request_correction", at=at, actor="clerk2", problems=["签名缺失"])
    assert noticed.events[-1].details["for"] == "clerk"
    not_accepted = full.act(case, "refuse_to_accept", at=at, actor="clerk2", reason="不属于本机关")
    assert not_accepted.events[-1].details == {"reason": "不属于本机关", "for": "clerk"}
    by_clerk = full.act(received(full), "accept", at=at, actor="clerk")
    assert "for" not in by_clerk.events[-1].details
    assert by_clerk.steps["accept"].on_behalf_of is None
    by_applicant = full.act(
        received(full, plan=""), "supplement", at=at, actor="app", materials={"plan": "paper"}
    )
    assert "for" not in by_applicant.events[-1].details


def test_a_backup_stops_the_clock_for_the_absent_head(full: Engine) -> None:
    """deputy backs up boss at the decision: starting and ending a hearing for him is
    recorded as done for boss."""
    case = full.act(full_accepted(full), "pass", at=t("2025-06-09 11:00"), actor="rev",
                    step="review")  # fmt: skip
    case = full.act(case, "record_absence", at=t("2025-06-09 11:30"), actor="boss",
                    person="boss", end="2025-06-13")  # fmt: skip
    case = full.act(case, "start_clock_stop", at=t("2025-06-10 09:00"), actor="deputy",
                    kind="hearing", notice="听证告知书", needed_days=5)  # fmt: skip
    assert case.events[-1].details == {
        "kind": "hearing",
        "notice": "听证告知书",
        "needed_days": 5,
        "for": "boss",
    }
    case = full.act(case, "end_clock_stop", at=t("2025-06-11 09:00"), actor="deputy")
    assert case.events[-1].details["for"] == "boss"
    assert full.replay(case.events, head=case.head) == case


# --------------------------------------------------------------------------- what is offered


def test_no_extension_is_offered_after_the_statutory_due_day(full: Engine) -> None:
    """Due Mon 07-07: on Tue 07-08 the head is no longer offered the extension, and
    asking is refused (Art. 42: extended before the period runs out)."""
    case = full.act(full_accepted(full), "pass", at=t("2025-06-09 11:00"), actor="rev",
                    step="review")  # fmt: skip
    assert "extend" in offered(full, case, "2025-07-07 16:00")
    assert "extend" not in offered(full, case, "2025-07-08 09:00")
    with refused("extend", "extension-too-late"):
        full.act(case, "extend", at=t("2025-07-08 09:00"), actor="boss", reason="需专家论证")


def test_only_staff_of_the_matter_are_offered_to_record_absences(full: Engine) -> None:
    """The applicant records nobody's absence: not offered, and refused."""
    case = full_accepted(full)
    absence = next(
        a
        for a in full.available_actions(case, t("2025-06-09 11:00"))
        if a.action == "record_absence"
    )
    assert "app" not in absence.actors
    assert "clerk" in absence.actors
    with refused("record_absence", "not-authorised"):
        full.act(case, "record_absence", at=t("2025-06-09 11:00"), actor="app", person="rev")
