"""The pure evaluator: alerts in force on cases, hand-checked on the official calendar.

Calendar facts used below (2025, State Council notice): 10-01..10-08 are days off
(国庆节、中秋节); Sun 09-28 and Sat 10-11 are make-up workdays.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from supervision_cases import (
    CONSTRUCTION_APPLICANT,
    ROOT,
    SUPERVISION,
    construction,
    forged,
    planning,
    t,
)

from approval_rules.audit import Event
from approval_rules.engine import Case, Engine
from approval_rules.loader import Catalogue, load_catalogue
from approval_rules.supervision import Alert, Supervisor, load_supervision, supervise
from approval_rules.supervision.records import Intent
from approval_rules.supervision.rules import Level
from approval_rules.supervision.ruleset import RuleSet
from approval_rules.workdays import WorkCalendar


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "matters")


@pytest.fixture(scope="module")
def rules(catalogue: Catalogue) -> RuleSet:
    return load_supervision(SUPERVISION, catalogue=catalogue)


@pytest.fixture(scope="module")
def engine(catalogue: Catalogue) -> Engine:
    return Engine(catalogue, WorkCalendar.china())


@pytest.fixture(scope="module")
def watch(rules: RuleSet, catalogue: Catalogue) -> Supervisor:
    return Supervisor(rules, catalogue, WorkCalendar.china())


Brief = tuple[str, str | None, str, str, int | None, str, int]


def brief(alerts: list[Alert]) -> list[Brief]:
    """(rule, step, level, due, remaining, fired_on, seq) of each alert, in order."""
    return [
        (a.rule, a.step, a.level.value, a.due.isoformat() if a.due else "", a.remaining,
         a.fired_on.isoformat(), a.seq)
        for a in alerts
    ]  # fmt: skip


# --- a planning permit accepted Fri 2025-09-26 and left alone -------------------------------
#
# promised 8 WD: 9/28(1) 9/29(2) 9/30(3) 10/9(4) 10/10(5) 10/11(6) 10/13(7) 10/14(8) → due 10-14
# statutory 20 WD → due 10-30
# review 3 WD from 9/26: 9/28 9/29 9/30 → due 9/30; site_survey 2 WD → due 9/29


def test_step_prompts_the_working_day_before_and_on_the_due_day(
    watch: Supervisor, engine: Engine
) -> None:
    """Prompt at 1 WD left, repeated once the next working day; the signers are told."""
    case = planning(engine, "2025-09-26 10:00")
    alerts = watch.alerts(case, t("2025-09-29 09:00"))
    assert brief(alerts) == [
        # site_survey due 9/29: first prompt Sun 9/28 (a make-up workday), repeat 9/29
        ("step_prompt", "site_survey", "prompt", "2025-09-29", 0, "2025-09-29", 1),
        # review due 9/30: 1 WD before is Mon 9/29; 1 WD left
        ("step_prompt", "review", "prompt", "2025-09-30", 1, "2025-09-29", 0),
    ]
    assert [r.id for r in alerts[1].recipients] == ["zhao_gang", "qian_yong"]


def test_an_overdue_step_is_red_and_supersedes_its_prompt(
    watch: Supervisor, engine: Engine
) -> None:
    """site_survey was due 9/29: at 00:00 on 9/30 it is overdue; its prompt is gone."""
    case = planning(engine, "2025-09-26 10:00")
    alerts = watch.alerts(case, t("2025-09-30 09:00"))
    assert brief(alerts) == [
        ("step_overdue", "site_survey", "red", "2025-09-29", -1, "2025-09-30", 0),
        ("step_prompt", "review", "prompt", "2025-09-30", 0, "2025-09-30", 1),
    ]
    red = alerts[0]
    # red goes to the department head (office_head of 当阳市自然资源和规划局) and the office
    assert [r.role.value for r in red.recipients] == ["department_head", "supervision_office"]
    assert red.recipients[-1].name == "政务服务中心电子监察室"
    assert red.notice.value == "order"


def case_alerts(
    alerts: list[Alert],
) -> list[tuple[str, str | None, str, str, int | None, str, int]]:
    return [b for b in brief(alerts) if b[1] is None]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Mon 10/13: 1 WD left (10/14) → the prompt
        ("2025-10-13 09:00", [("case_prompt", None, "prompt", "2025-10-14", 1, "2025-10-13", 0)]),
        # Tue 10/14, the due day: 90 % used (⌈7.2⌉ = 8 of 8) or the due date → yellow,
        # which supersedes the prompt's repeat of the same day
        ("2025-10-14 09:00", [("case_yellow", None, "yellow", "2025-10-14", 0, "2025-10-14", 0)]),
        # the yellow card repeats 2 WD later (10/15, 10/16) …
        ("2025-10-16 09:00", [("case_yellow", None, "yellow", "2025-10-14", -2, "2025-10-16", 1)]),
        # … the grace of 3 WD (10/15, 10/16, 10/17) runs out at 00:00 on Sat 10/18: red
        ("2025-10-18 09:00", [("case_red", None, "red", "2025-10-14", -3, "2025-10-18", 0)]),
        # the statutory due date 10/30 passed at 00:00 on 10/31: red on the statutory
        # period too, and 只录不批 (nothing recorded for 5 WD after 9/26, past 10/30)
        (
            "2025-10-31 09:00",
            [
                ("case_red", None, "red", "2025-10-14", -13, "2025-10-18", 0),
                ("statutory_breach", None, "red", "2025-10-30", -1, "2025-10-31", 0),
                ("undecided_past_statutory", None, "red", "", None, "2025-10-31", 0),
            ],
        ),
    ],
)
def test_the_case_ladder(
    watch: Supervisor, engine: Engine, at: str, expected: list[tuple[object, ...]]
) -> None:
    """prompt → yellow (90 % or the due date) → red after a grace of 3 WD; statutory red."""
    case = planning(engine, "2025-09-26 10:00")
    assert case_alerts(watch.alerts(case, t(at))) == expected


def test_yellow_escalates_to_an_order_after_two_urges(watch: Supervisor, engine: Engine) -> None:
    """催办 on 10/14 and 10/16, then 督办 to the department head 2 WD later (10/20)
    — unless red superseded it (here it has: 10/18); on a matter without the red rule
    the order is what stands."""
    case = planning(engine, "2025-09-26 10:00")
    rules = watch.rules
    yellow = next(a for a in watch.alerts(case, t("2025-10-16 09:00")) if a.rule == "case_yellow")
    assert yellow.notice.value == "urge"
    # the signers of the open steps (赵刚, 钱勇; each is the other's AB岗 backup, so the
    # backups add nobody) and the head of 当阳市自然资源和规划局
    assert [(r.role.value, r.id) for r in yellow.recipients] == [
        ("signer", "zhao_gang"), ("signer", "qian_yong"), ("department_head", "tan_zhiqiang"),
    ]  # fmt: skip
    from approval_rules.supervision.periods import running_periods
    from approval_rules.supervision.thresholds import due_bounds, ladder

    process = watch.process("planning_permit")
    (period,) = [
        p for p in running_periods(case, date(2025, 10, 20), process=process,
                                   calendar=watch.calendar, tz=watch.tz)
        if p.basis.value == "promised"
    ]  # fmt: skip
    spec = rules.document.levels.yellow
    rule = next(r for r in rules.document.rules if r.id == "case_yellow")
    steps = ladder(rule.when, period, spec, watch.calendar, due_bounds(period, watch.calendar))
    assert [(f.seq, f.day.isoformat(), f.notice.value) for f in steps] == [
        (0, "2025-10-14", "urge"),
        (1, "2025-10-16", "urge"),
        (2, "2025-10-20", "order"),  # 10/17, 10/20
    ]
    assert steps[-1].targets == spec.repeat.escalate_to  # type: ignore[union-attr]


def test_supervise_is_deterministic_and_pure(
    rules: RuleSet, catalogue: Catalogue, engine: Engine
) -> None:
    """The same cases in another order give the same alerts in the same order."""
    cases = [planning(engine, "2025-09-26 10:00", f"GH-{n}") for n in (3, 1, 2)]
    at = t("2025-10-18 09:00")
    cal = WorkCalendar.china()
    first = supervise(cases, at, rules, catalogue=catalogue, calendar=cal)
    again = supervise(list(reversed(cases)), at, rules, catalogue=catalogue, calendar=cal)
    assert first == again
    assert [a.case_id for a in first if a.rule == "case_red"] == ["GH-1", "GH-2", "GH-3"]
    assert [a.level for a in first] == sorted(
        (a.level for a in first), key=lambda lv: lv != Level.RED
    )


def test_a_case_is_judged_as_it_stood_at_the_moment(watch: Supervisor, engine: Engine) -> None:
    """Events after `at` are left out: a report for the past is not changed by later work.

    deputy_review (half a working day: due the day it opened, 9/26) was passed only on
    10/13; on 9/28 it was overdue (since 00:00 on 9/27).
    """
    case = construction(
        engine,
        {"section_review": "2025-09-26 10:00", "deputy_review": "2025-10-13 10:00"},
    )
    assert case.steps["deputy_review"].status.value == "passed"
    alerts = watch.alerts(case, t("2025-09-28 09:00"))
    assert brief(alerts) == [
        ("step_overdue", "deputy_review", "red", "2025-09-26", -1, "2025-09-27", 0),
    ]


def test_alert_identity_and_json(watch: Supervisor, engine: Engine) -> None:
    """An alert is identified by case, rule, step, due date and threshold step; the JSON
    carries case_id, step (null for the case), level and due."""
    case = planning(engine, "2025-09-26 10:00")
    (red,) = [a for a in watch.alerts(case, t("2025-10-18 09:00")) if a.rule == "case_red"]
    assert red.key == "GH-1|case_red||2025-10-14|0"
    data = red.to_dict()
    assert {k: data[k] for k in ("case_id", "step", "level", "due")} == {
        "case_id": "GH-1", "step": None, "level": "red", "due": "2025-10-14",
    }  # fmt: skip
    intents = Intent.of(red)
    assert [(i.recipient.id, i.template) for i in intents] == [
        ("tan_zhiqiang", "supervision/red/order"),
        ("supervision_office", "supervision/red/order"),
    ]


# --- applicant time (视为按期) ---------------------------------------------------------------
#
# construction permit accepted Fri 9/26, promised 5 WD: 9/28 9/29 9/30 10/9 10/10 → due 10-10.
# Decided Mon 9/29 with a fee of 60,000 元; the office then waits for the applicant.


def test_no_promised_alert_while_the_applicant_has_not_paid(
    watch: Supervisor, engine: Engine
) -> None:
    """Past the promised due date, but waiting for payment: no alert on the promise."""
    case = construction(
        engine,
        {"section_review": "2025-09-26 10:00", "deputy_review": "2025-09-28 10:00",
         "head_approval": "2025-09-29 10:00"},
    )  # fmt: skip
    alerts = watch.alerts(case, t("2025-10-13 09:00"))
    assert [a for a in alerts if a.basis == "promised"] == []


def test_waiting_for_payment_moves_the_promised_due_date(watch: Supervisor, engine: Engine) -> None:
    """Paid Mon 10/13: the wait 9/30..10/13 holds 5 WD (9/30 10/9 10/10 10/11 10/13), so the
    promise is due 5 WD after 10/10: 10/11 10/13 10/14 10/15 10/16 → 10-16."""
    case = construction(
        engine,
        {"section_review": "2025-09-26 10:00", "deputy_review": "2025-09-28 10:00",
         "head_approval": "2025-09-29 10:00", "pay": "2025-10-13 10:00"},
    )  # fmt: skip
    (prompt,) = [a for a in watch.alerts(case, t("2025-10-15 09:00")) if a.basis == "promised"]
    assert (prompt.rule, prompt.due, prompt.remaining, prompt.applicant_days) == (
        "case_prompt", date(2025, 10, 16), 1, 5,
    )  # fmt: skip


# --- provisional dates ----------------------------------------------------------------------


def test_provisional_overdue_waits_for_the_latest_date(
    rules: RuleSet, catalogue: Catalogue
) -> None:
    """20 WD from Fri 2027-01-22 is 02-25 by the law's days off, 02-17 at the earliest and
    03-01 at the latest (docs/calendar.md): the statutory red comes at 00:00 on 03-02, not
    on 02-26, and is marked provisional."""
    cal = WorkCalendar.china(provisional=True)
    engine = Engine(catalogue, cal)
    case = planning(engine, "2027-01-22 10:00")
    assert case.clock.statutory_due == date(2027, 2, 25)
    watch = Supervisor(rules, catalogue, cal)
    early = [a.rule for a in watch.alerts(case, t("2027-02-27 09:00"))]
    assert "statutory_breach" not in early
    (red,) = [a for a in watch.alerts(case, t("2027-03-02 09:00")) if a.rule == "statutory_breach"]
    assert (red.fired_on, red.provisional, red.due) == (date(2027, 3, 2), True, date(2027, 2, 25))


def test_provisional_warnings_fire_on_the_earliest_date(
    rules: RuleSet, catalogue: Catalogue
) -> None:
    """A warning before the due date fires on the earliest date the notice could give."""
    cal = WorkCalendar.china(provisional=True)
    engine = Engine(catalogue, cal)
    case = planning(engine, "2027-01-22 10:00")
    due = case.clock.promised_due
    assert due is not None
    earliest_due = cal.earliest.add_workdays(date(2027, 1, 22), 8)
    assert earliest_due < due  # the bounds differ here
    watch = Supervisor(rules, catalogue, cal)
    day_before = cal.earliest.add_workdays(earliest_due, -1)
    (prompt,) = [a for a in watch.alerts(case, t(f"{day_before} 09:00")) if a.rule == "case_prompt"]
    assert prompt.fired_on == day_before
    assert prompt.provisional


# --- anomalies ------------------------------------------------------------------------------


def test_decision_before_record(watch: Supervisor, engine: Engine) -> None:
    """Review records and the decision within 10 minutes, on steps of 1.5 WD in all."""
    case = construction(
        engine,
        {"section_review": "2025-09-26 10:00", "deputy_review": "2025-09-26 10:05",
         "head_approval": "2025-09-26 10:10"},
    )  # fmt: skip
    (found,) = [a for a in watch.alerts(case, t("2025-09-26 11:00")) if a.kind == "anomaly"]
    assert (found.rule, found.step, found.level, found.fired_on) == (
        "decision_before_record", "head_approval", Level.RED, date(2025, 9, 26),
    )  # fmt: skip
    # four section signatures and the deputy's; section_review 1 WD + deputy_review 0.5 WD
    assert found.detail == "5 条审查记录与决定在 10 分钟内录入（审查环节时限合计 1.5 个工作日）"


def test_a_decision_taken_over_days_is_no_anomaly(watch: Supervisor, engine: Engine) -> None:
    case = construction(
        engine,
        {"section_review": "2025-09-26 10:00", "deputy_review": "2025-09-28 10:05",
         "head_approval": "2025-09-29 10:10"},
    )  # fmt: skip
    assert [a for a in watch.alerts(case, t("2025-09-29 11:00")) if a.kind == "anomaly"] == []


def _happy(engine: Engine) -> Case:
    return construction(
        engine,
        {"section_review": "2025-09-26 10:00", "deputy_review": "2025-09-28 10:00",
         "head_approval": "2025-09-29 10:00", "pay": "2025-09-30 10:00",
         "certificate": "2025-09-30 11:00", "deliver": "2025-09-30 15:00",
         "close": "2025-09-30 16:00"},
    )  # fmt: skip


def test_a_clean_case_has_no_anomaly(watch: Supervisor, engine: Engine) -> None:
    assert watch.alerts(_happy(engine), t("2025-10-31 09:00")) == []


def test_unauthorised_actor(watch: Supervisor, engine: Engine) -> None:
    """付红 passes the deputy head's step in a record from elsewhere: not its signer."""

    def swap(e: Event) -> Event:
        if e.action == "pass" and e.details.get("step") == "deputy_review":
            return e._replace(actor="fu_hong")
        return e

    case = forged(_happy(engine), swap)
    (found,) = watch.alerts(case, t("2025-10-31 09:00"))
    assert (found.rule, found.step, found.fired_on) == (
        "unauthorised_actor", "deputy_review", date(2025, 9, 28),
    )  # fmt: skip
    assert found.detail.startswith("付红（fu_hong）于 2025-09-28 办理环节“分管领导审核”")


def test_a_backup_of_an_absent_signer_is_authorised(watch: Supervisor, engine: Engine) -> None:
    """The AB岗 backup acting for a signer recorded absent that day is no anomaly."""
    case = construction(engine, {"section_review": "2025-09-26 10:00"})
    case = engine.act(case, "record_absence", at=t("2025-09-28 09:00"), actor="wang_wei",
                      person="wang_wei", start="2025-09-28", end="2025-09-28")  # fmt: skip
    backup = engine.process("construction_permit").backups("deputy_review")["wang_wei"]
    assert backup is not None
    case = engine.act(case, "pass", at=t("2025-09-28 10:00"), actor=backup, step="deputy_review")
    assert [a for a in watch.alerts(case, t("2025-09-28 11:00")) if a.kind == "anomaly"] == []


def test_fee_mismatch(watch: Supervisor, engine: Engine) -> None:
    """60,100 collected where 60,000 was assessed."""

    def overcharge(e: Event) -> Event:
        if e.action == "record_payment":
            return e._replace(details={**e.details, "amount": "60100.00"})
        return e

    case = forged(_happy(engine), overcharge)
    (found,) = watch.alerts(case, t("2025-10-31 09:00"))
    assert (found.rule, found.detail) == ("fee_mismatch", "收取 60,100.00 元，应收 60,000.00 元")


def test_fee_mismatch_against_the_engines_assessment(watch: Supervisor, engine: Engine) -> None:
    """A record whose decision assessed 30,000 元 (and 30,000 paid): paid = assessed in the
    record, but the matter's rule gives 50 元/m² × 1,200 m² = 60,000.00 元 for this
    applicant (the engine's assessment): 违规收费."""
    fee = "dy_infrastructure_fee"
    assert engine.assess_fees("construction_permit", CONSTRUCTION_APPLICANT) == {
        fee: Decimal("60000.00")
    }

    def halved(e: Event) -> Event:
        decision = e.details.get("decision")
        if e.action == "pass" and decision is not None:
            return e._replace(
                details={**e.details, "decision": {**decision, "fees": {fee: "30000.00"}}}
            )
        if e.action == "record_payment":
            return e._replace(details={**e.details, "amount": "30000.00"})
        return e  # fmt: skip

    case = forged(_happy(engine), halved)
    assert case.settlement.paid == case.settlement.assessed == Decimal("30000.00")
    (found,) = watch.alerts(case, t("2025-10-31 09:00"))
    assert (found.rule, found.detail) == (
        "fee_mismatch",
        f"收费项目 {fee} 记录 30,000.00 元，按收费规定应收 60,000.00 元",
    )


def test_closed_without_certificate(watch: Supervisor, engine: Engine) -> None:
    """A record without the certificate: delivered and closed by the window."""

    def no_certificate(e: Event) -> Event | None:
        if e.action == "issue_certificate":
            return None
        if e.action in ("deliver", "close"):  # done by the window, not the steps
            return e._replace(details={"signed_by": "张建国"} if e.action == "deliver" else {})
        return e

    case = forged(_happy(engine), no_certificate)
    (found,) = watch.alerts(case, t("2025-10-31 09:00"))
    assert (found.rule, found.level, found.fired_on) == (
        "closed_without_certificate", Level.YELLOW, date(2025, 9, 30),
    )  # fmt: skip
    assert found.detail == "准予许可并已办结，未核发《建筑工程施工许可证》"


def test_naive_moment_is_refused(watch: Supervisor, engine: Engine) -> None:
    from datetime import datetime

    with pytest.raises(TypeError):
        watch.alerts(planning(engine, "2025-09-26 10:00"), datetime(2025, 10, 1))
