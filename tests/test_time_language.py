"""Issue #14, "things the format cannot yet express": the time language.

One group per bullet: the counting basis of a limit, the extension's scope.  Each
test checks what a policy officer or a case officer notices: the finding at its
place, or the due date a case records.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_checks import DEFS, MATTER, _codes, _edit, _load

from approval_rules.compiler import CODES
from approval_rules.engine import ApplicantDelay, Case, Engine, Status, applicant_delays
from approval_rules.errors import ActionNotAllowed, CaseDataError
from approval_rules.loader import load_catalogue
from approval_rules.model import CountingBasis
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


# --- 1. counting basis per limit ---------------------------------------------------------


def test_counting_basis_calendar_days_without_counting_is_reported() -> None:
    """A statutory limit in calendar days that does not say its reading is ambiguous."""
    text = _edit(MATTER, "statutory: {value: 20}", "statutory: {value: 20, unit: calendar_days}")
    assert _codes(text) == [
        ("calendar-days-without-counting", ("time_limits", "statutory", "unit"))
    ]
    declared = _edit(
        MATTER,
        "statutory: {value: 20}",
        "statutory: {value: 20, unit: calendar_days, counting: {basis: calendar_days, "
        "reading: 民法典第二百零三条, unverified: true}}",
    )
    assert _codes(declared) == []


def test_counting_basis_that_contradicts_the_unit_is_an_error() -> None:
    """counting: calendar_days on a limit counted in working days would be a false claim."""
    text = _edit(
        MATTER, "statutory: {value: 20}", "statutory: {value: 20, counting: {basis: calendar_days}}"
    )
    assert _codes(text) == [
        ("counting-basis-mismatch", ("time_limits", "statutory", "counting", "basis"))
    ]
    assert CODES["counting-basis-mismatch"][0].value == "error"


def test_counting_basis_of_the_construction_permit_is_stated_and_unverified() -> None:
    """建筑法 Art. 8's 七日: the bundled matter says which reading it follows, unverified."""
    catalogue = load_catalogue(ROOT / "matters")
    statutory = catalogue.matters["construction_permit"].time_limits.statutory
    assert statutory.value == 7
    assert statutory.counting is not None
    assert statutory.counting.basis is CountingBasis.WORKING_DAYS
    assert statutory.counting.unverified
    assert statutory.counting.reading is not None
    assert "第二百零三条" in statutory.counting.reading


def test_counting_basis_calendar_days_end_moves_past_a_holiday() -> None:
    """A 7-calendar-day statutory limit accepted Fri 2026-02-13 ends Tue 2026-02-24
    (2026-02-20 falls in 春节; 民法典 Art. 203 moves the end to the next working day)."""
    text = _edit(
        MATTER,
        "statutory: {value: 20}\n  promised: {value: 10}",
        "statutory: {value: 7, unit: calendar_days, counting: {basis: calendar_days}}\n"
        "  promised: {value: 5}",
    )
    engine = Engine(_load(text, DEFS), WorkCalendar.china())
    case = engine.submit("m", {}, {}, at=_at("2026-02-13"), actor="acme")
    case = engine.act(case, "accept", at=_at("2026-02-13", 11), actor="wang")
    assert case.clock.statutory_due == date(2026, 2, 24)


# --- 2. extension scope ------------------------------------------------------------------


_EXTENDABLE = _edit(
    MATTER,
    "promised: {value: 10}\n",
    "promised: {value: 10}\n  extension: {value: 10, approved_by: office_head, scope: SCOPE}\n",
)


def test_extension_scope_undeclared_is_reported() -> None:
    """A matter that may be extended must say whether the promise moves too."""
    text = _edit(_EXTENDABLE, ", scope: SCOPE", "")
    assert _codes(text) == [("extension-scope-undeclared", ("time_limits", "extension"))]
    assert _codes(_EXTENDABLE.replace("SCOPE", "both")) == []


def _extended(scope: str) -> tuple[date, date, date, date]:
    engine = Engine(_load(_EXTENDABLE.replace("SCOPE", scope), DEFS), WorkCalendar.china())
    case = engine.submit("m", {}, {}, at=_at("2026-03-02"), actor="acme")
    case = engine.act(case, "accept", at=_at("2026-03-02", 11), actor="wang")
    before = case.clock.statutory_due, case.clock.promised_due
    case = engine.act(case, "extend", at=_at("2026-03-10"), actor="shen", reason="需要现场核查")
    after = case.clock.statutory_due, case.clock.promised_due
    assert None not in before
    assert None not in after
    return before[0], before[1], after[0], after[1]  # type: ignore[return-value]


def test_extension_scope_statutory_moves_only_the_statutory_due_date() -> None:
    """scope: statutory: the statutory due date moves 10 working days, the promise stays."""
    statutory, promised, new_statutory, new_promised = _extended("statutory")
    assert new_statutory > statutory
    assert new_promised == promised
    both = _extended("both")
    assert both[2] == new_statutory
    assert both[3] > promised


# --- 3. acceptance after complete corrections ----------------------------------------------


def _corrected_permit() -> tuple[Engine, Case]:
    from test_engine import JPG, permit, t

    engine = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
    case = permit(engine, materials={"drawing_review_certificate": None})
    case = engine.act(case, "request_correction", at=t("2025-09-29 10:00"), actor="chen_qian",
                      problems=["申请表未加盖建设单位公章"])  # fmt: skip
    case = engine.act(case, "supplement", at=t("2025-10-09 09:00"), actor="acme",
                      materials={"drawing_review_certificate": both(JPG)})  # fmt: skip
    return engine, case


def test_corrected_acceptance_waits_for_the_officers_items() -> None:
    """The last material alone does not make the case due: the officer's item is open."""
    engine, case = _corrected_permit()
    assert case.status is Status.CORRECTION_REQUESTED
    assert engine.next_timer(case) is None
    later = engine.advance(case, _at("2025-10-20"))
    assert later.status is Status.CORRECTION_REQUESTED


def test_corrected_acceptance_by_rule_starts_the_statutory_clock() -> None:
    """Complete corrections on 10-09: due for acceptance; untouched by the window that day,
    the case is accepted by rule at 00:00 on 10-10, dated 10-09, due 10-17 (7 WD)."""
    engine, case = _corrected_permit()
    case = engine.act(case, "supplement", at=_at("2025-10-09", 14), actor="wang_yueqin",
                      resolved=["申请表未加盖建设单位公章"])  # fmt: skip
    assert case.status is Status.RECEIVED
    timer = engine.next_timer(case)
    assert timer is not None
    assert timer.action == "corrected_acceptance"
    assert timer.at == datetime(2025, 10, 10, tzinfo=TZ)
    case = engine.advance(case, _at("2025-10-13", 9))
    last = case.events[-1]
    assert (last.action, last.actor) == ("corrected_acceptance", "system")
    assert case.status is Status.IN_REVIEW
    assert case.accepted_on == date(2025, 10, 9)
    assert not case.deemed_acceptance
    assert case.clock.statutory_due == date(2025, 10, 17)
    # the window could have accepted by hand that day, with the same dates
    _, again = _corrected_permit()
    again = engine.act(again, "supplement", at=_at("2025-10-09", 14), actor="wang_yueqin",
                       resolved=["申请表未加盖建设单位公章"])  # fmt: skip
    again = engine.act(again, "accept", at=_at("2025-10-09", 16), actor="chen_qian")
    assert again.accepted_on == case.accepted_on
    assert again.clock.statutory_due == case.clock.statutory_due


def test_corrected_acceptance_replays_from_the_record() -> None:
    """The event folds back into the same case (store, replay)."""
    engine, case = _corrected_permit()
    case = engine.act(case, "supplement", at=_at("2025-10-09", 14), actor="wang_yueqin",
                      resolved=["申请表未加盖建设单位公章"])  # fmt: skip
    case = engine.advance(case, _at("2025-10-13", 9))
    assert Case.from_json(case.to_json()) == case


# --- 4. Art. 45 stops: the time needed, a maximum per kind -------------------------------


_STOPPABLE = _edit(
    MATTER,
    "promised: {value: 10}\n",
    "promised: {value: 10}\n  stop_limits: [{kind: expert_review, max_days: 30}]\n",
)


def _reviewing() -> tuple[Engine, Case]:
    engine = Engine(_load(_STOPPABLE, DEFS), WorkCalendar.china())
    case = engine.submit("m", {}, {}, at=_at("2026-03-02"), actor="acme")
    return engine, engine.act(case, "accept", at=_at("2026-03-02", 11), actor="wang")


def test_art_45_stops_stop_limit_unknown_kind_is_an_error() -> None:
    """A maximum for a kind of stop the matter cannot have is refused at check time."""
    assert _codes(_STOPPABLE) == []
    text = _STOPPABLE.replace("kind: expert_review", "kind: expert_reveiw")
    assert _codes(text) == [("stop-limit-unknown-kind", ("time_limits", "stop_limits", 0, "kind"))]


def test_art_45_stops_notice_states_the_time_needed() -> None:
    """needed_days is required, a whole number of working days, and recorded."""
    engine, case = _reviewing()
    at = _at("2026-03-03")
    with pytest.raises(ActionNotAllowed) as refused:
        engine.act(case, "start_clock_stop", at=at, actor="zhou", kind="expert_review",
                   notice="专家评审告知书")  # fmt: skip
    assert refused.value.code == "detail-required"
    for bad in (0, 251, 2.5, True, "5"):
        with pytest.raises(CaseDataError):
            engine.act(case, "start_clock_stop", at=at, actor="zhou", kind="expert_review",
                       notice="专家评审告知书", needed_days=bad)  # fmt: skip
    stopped = engine.act(case, "start_clock_stop", at=at, actor="zhou", kind="expert_review",
                         notice="专家评审告知书", needed_days=10)  # fmt: skip
    assert stopped.events[-1].details["needed_days"] == 10


def test_art_45_stops_longer_than_the_declared_maximum_are_refused() -> None:
    """stop_limits: expert_review at most 30 working days; 31 is refused, nothing changes."""
    engine, case = _reviewing()
    at = _at("2026-03-03")
    with pytest.raises(ActionNotAllowed) as refused:
        engine.act(case, "start_clock_stop", at=at, actor="zhou", kind="expert_review",
                   notice="专家评审告知书", needed_days=31)  # fmt: skip
    assert refused.value.code == "stop-too-long"
    assert case.clock.active_stop is None
    # a kind without a declared maximum is bounded only by the engine's 250
    engine.act(case, "start_clock_stop", at=at, actor="zhou", kind="hearing",
               notice="听证告知书", needed_days=31)  # fmt: skip


def test_art_45_stops_overrun_is_shown_in_deadlines() -> None:
    """A stop that needs 3 working days from Tue 2026-03-03 is due Thu 03-05; on Mon 03-09
    it has run 5 working days, 2 more than its notice said."""
    engine, case = _reviewing()
    case = engine.act(case, "start_clock_stop", at=_at("2026-03-03"), actor="zhou",
                      kind="expert_review", notice="专家评审告知书", needed_days=3)  # fmt: skip
    within = engine.deadlines(case, _at("2026-03-04")).stop
    assert within is not None
    assert (within.name, within.due, within.elapsed, within.overdue) == (
        "stop:expert_review",
        date(2026, 3, 5),
        2,
        False,
    )
    late = engine.deadlines(case, _at("2026-03-09")).stop
    assert late is not None
    assert (late.elapsed, late.remaining, late.overdue) == (5, -2, True)
    ended = engine.act(case, "end_clock_stop", at=_at("2026-03-09", 16), actor="zhou")
    assert engine.deadlines(ended, _at("2026-03-10")).stop is None


# --- 5. applicant delays ------------------------------------------------------------------


def _planning_closed_late(delay: bool) -> tuple[Engine, Case]:
    """Planning permit accepted Fri 2025-09-26 (8 WD promised → 10-14), closed 10-16."""
    from supervision_cases import planning, t

    engine = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
    case = planning(engine, "2025-09-26 10:00", "GH-9")
    if delay:
        case = engine.act(case, "record_applicant_delay", at=t("2025-10-13 09:00"),
                          actor="zhao_gang", kind="late_response", start="2025-10-09",
                          end="2025-10-10", reason="申请人逾期提交补充说明")  # fmt: skip
    case = engine.act(case, "pass", at=t("2025-10-13 10:00"), actor="zhao_gang", step="review")
    case = engine.act(case, "pass", at=t("2025-10-13 11:00"), actor="qian_yong",
                      step="site_survey")  # fmt: skip
    case = engine.act(case, "pass", at=t("2025-10-15 10:00"), actor="wu_bin", step="decision")
    case = engine.act(case, "issue_certificate", at=t("2025-10-16 09:00"), actor="li_juan",
                      number="GH9")  # fmt: skip
    case = engine.act(case, "deliver", at=t("2025-10-16 10:00"), actor="li_juan",
                      signed_by="申请人")  # fmt: skip
    return engine, engine.act(case, "close", at=t("2025-10-16 11:00"), actor="li_juan")


def test_applicant_delays_are_recorded_and_shown() -> None:
    """The delay is in the record and in the public view; the statutory due stays."""
    _, plain = _planning_closed_late(delay=False)
    _, delayed = _planning_closed_late(delay=True)
    assert applicant_delays(plain) == ()
    assert applicant_delays(delayed) == (
        ApplicantDelay("late_response", date(2025, 10, 9), date(2025, 10, 10), "zhao_gang",
                       "申请人逾期提交补充说明"),
    )  # fmt: skip
    assert delayed.clock.statutory_due == plain.clock.statutory_due
    assert applicant_delays(Case.from_json(delayed.to_json())) == applicant_delays(delayed)


def test_applicant_delays_count_as_on_time_in_supervision() -> None:
    """Closed 2 WD after the promise: overdue, unless the applicant caused those 2 WD
    (视为按期)."""
    from supervision_cases import SUPERVISION

    from approval_rules.supervision import load_supervision
    from approval_rules.supervision.facts import Outcome, case_facts

    outcomes = {}
    for delay in (False, True):
        engine, case = _planning_closed_late(delay)
        rules = load_supervision(SUPERVISION, catalogue=engine.catalogue)
        facts = case_facts(case, process=engine.process(case.matter_id), calendar=engine.calendar,
                           reporting=rules.document.reporting, tz=engine.tz)  # fmt: skip
        outcomes[delay] = (facts.outcome, facts.applicant_days)
    assert outcomes == {False: (Outcome.OVERDUE, 0), True: (Outcome.ON_DAY, 2)}


def test_applicant_delays_refused_outside_the_case_period() -> None:
    """Before acceptance, after today, an unknown kind, or without a reason: refused."""
    from supervision_cases import planning, t

    engine = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
    case = planning(engine, "2025-09-26 10:00", "GH-8")
    at = t("2025-10-13 09:00")
    for details, code in (
        ({"kind": "late_response", "start": "2025-09-25", "reason": "x"}, "bad-period"),
        ({"kind": "late_response", "end": "2025-10-14", "reason": "x"}, "bad-period"),
        ({"kind": "holiday", "reason": "x"}, "bad-delay-kind"),
        ({"kind": "late_payment"}, "detail-required"),
    ):
        with pytest.raises(ActionNotAllowed) as refused:
            engine.act(case, "record_applicant_delay", at=at, actor="zhao_gang", **details)
        assert refused.value.code == code
    with pytest.raises(ActionNotAllowed) as refused:
        engine.act(case, "record_applicant_delay", at=at, actor="acme", kind="late_payment",
                   reason="x")  # fmt: skip
    assert refused.value.code == "not-a-signer"


# --- 6. the end of a joint-handling period (Art. 42 ¶2) ----------------------------------


def _decided_late(joint: bool) -> tuple[Engine, Case]:
    """Accepted Mon 2026-03-02 (20 WD), decided 2 working days before the statutory end."""
    text = (
        MATTER
        if not joint
        else _edit(MATTER, "time_limits:\n", "time_limits:\n  joint_handling: true\n")
    )
    engine = Engine(_load(text, DEFS), WorkCalendar.china())
    case = engine.submit("m", {}, {}, at=_at("2026-03-02"), actor="acme")
    case = engine.act(case, "accept", at=_at("2026-03-02", 11), actor="wang")
    case = engine.act(case, "pass", at=_at("2026-03-03"), actor="li", step="fire")
    case = engine.act(case, "pass", at=_at("2026-03-03", 11), actor="zhou", step="deputy")
    assert case.clock.statutory_due is not None
    late = engine.calendar.add_workdays(case.clock.statutory_due, -2)
    case = engine.act(case, "pass", at=_at(late.isoformat()), actor="shen", step="decide")
    return engine, case


def test_joint_handling_period_bounds_the_certificate() -> None:
    """Joint handling: the certificate is due by the statutory end, not 10 WD after the
    decision (Art. 44), because the 45 days bound the whole handling."""
    _, single = _decided_late(joint=False)
    _, joint = _decided_late(joint=True)
    assert single.clock.statutory_due == joint.clock.statutory_due
    assert single.clock.certificate_due is not None
    assert single.clock.certificate_due > single.clock.statutory_due  # type: ignore[operator]
    assert joint.clock.certificate_due == joint.clock.statutory_due


def test_joint_handling_period_runs_until_the_certificate_is_issued() -> None:
    """The statutory period of a single office ends at the decision; of a joint handling,
    at the certificate's issue."""
    engine, single = _decided_late(joint=False)
    assert single.decision is not None
    day = _at(single.decision.on.isoformat(), 17)
    single_statutory = engine.deadlines(single, day).statutory
    assert single_statutory is not None
    assert single_statutory.ended == single.decision.on
    engine, joint = _decided_late(joint=True)
    joint_statutory = engine.deadlines(joint, day).statutory
    assert joint_statutory is not None
    assert joint_statutory.ended is None
    due = joint.clock.statutory_due
    assert due is not None
    issued = engine.act(joint, "issue_certificate", at=_at(due.isoformat(), 9), actor="wang",
                        number="JH-1")  # fmt: skip
    after = engine.deadlines(issued, _at(due.isoformat(), 17)).statutory
    assert after is not None
    assert (after.ended, after.overdue) == (due, False)


def test_counting_basis_calendar_days_skip_the_days_of_a_stop() -> None:
    """A 20-calendar-day statutory limit from Mon 2026-03-02 ends Sun 03-22 → Mon 03-23;
    an Art. 45 stop 03-05..03-06 moves the end by those 2 days: Tue 03-24."""
    text = _edit(
        MATTER,
        "statutory: {value: 20}",
        "statutory: {value: 20, unit: calendar_days, counting: {basis: calendar_days}}",
    )
    engine = Engine(_load(text, DEFS), WorkCalendar.china())
    case = engine.submit("m", {}, {}, at=_at("2026-03-02"), actor="acme")
    case = engine.act(case, "accept", at=_at("2026-03-02", 11), actor="wang")
    assert case.clock.statutory_due == date(2026, 3, 23)
    case = engine.act(case, "start_clock_stop", at=_at("2026-03-05"), actor="zhou",
                      kind="expert_review", notice="专家评审告知书", needed_days=2)  # fmt: skip
    case = engine.act(case, "end_clock_stop", at=_at("2026-03-06", 17), actor="zhou")
    assert case.clock.statutory_due == date(2026, 3, 24)


def test_art_45_stops_several_run_at_once_each_day_counted_once() -> None:
    """An inspection (03-05..03-06) during an expert review (03-03..03-10): both run,
    the days are not counted twice, and the due date is that of the review alone."""
    engine, case = _reviewing()
    alone = engine.act(case, "start_clock_stop", at=_at("2026-03-03"), actor="zhou",
                       kind="expert_review", notice="专家评审告知书", needed_days=10)  # fmt: skip
    both = engine.act(alone, "start_clock_stop", at=_at("2026-03-05"), actor="li",
                      kind="inspection", notice="现场检验告知书", needed_days=2)  # fmt: skip
    assert [s.kind for s in both.clock.running_stops] == ["expert_review", "inspection"]
    assert Case.from_json(both.to_json()) == both
    with pytest.raises(ActionNotAllowed) as refused:
        engine.act(both, "start_clock_stop", at=_at("2026-03-05", 12), actor="zhou",
                   kind="expert_review", notice="又一份", needed_days=1)  # fmt: skip
    assert refused.value.code == "clock-stopped"
    with pytest.raises(ActionNotAllowed) as refused:
        engine.act(both, "end_clock_stop", at=_at("2026-03-06", 17), actor="li")
    assert refused.value.code == "detail-required"
    both = engine.act(both, "end_clock_stop", at=_at("2026-03-06", 17), actor="li",
                      kind="inspection")  # fmt: skip
    assert [s.kind for s in both.clock.running_stops] == ["expert_review"]
    both = engine.act(both, "end_clock_stop", at=_at("2026-03-10", 17), actor="zhou")
    alone = engine.act(alone, "end_clock_stop", at=_at("2026-03-10", 17), actor="zhou")
    assert [(s.start, s.end) for s in both.clock.stops] == [(date(2026, 3, 3), date(2026, 3, 10))]
    assert both.clock.statutory_due == alone.clock.statutory_due
    assert both.clock.promised_due == alone.clock.promised_due
