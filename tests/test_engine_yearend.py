"""The engine across the year boundary (issue #10 part 2): one calendar error everywhere,
undated actions in any year, and nothing offered that would then raise.

Each attack of #10 runs on the strict calendar (official data up to 2026) and on the
provisional one, and once more after the 2027 notice arrives as an overlay.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from section_review import sections_reviewed

from approval_rules.engine import Case, Engine
from approval_rules.engine.clocks import HELD_BY
from approval_rules.errors import ActionNotAllowed, CalendarNotPublished, CaseDataError
from approval_rules.loader import load_catalogue
from approval_rules.timelimits import Party
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
CATALOGUE = load_catalogue(ROOT / "matters")
NOTICE_2027 = ROOT / "matters" / "scenarios" / "year_end" / "notice_2027.yaml"
STRICT = Engine(CATALOGUE, WorkCalendar.china())
PROVISIONAL = Engine(CATALOGUE, WorkCalendar.china(provisional=True))
OFFICIAL = Engine(CATALOGUE, WorkCalendar.china(overlays=[NOTICE_2027]))

PLANNING = {
    "application_form": "paper",
    "land_use_documents": "paper",
    "project_approval": [{"name": "备案证明.pdf"}],
    "design_scheme": "paper",
}
JPG = {"name": "p.jpg", "size_kb": 80, "width": 1024, "height": 768}
PERMIT_APPLICANT = {
    "floor_area": 1200, "contract_price": 260, "needs_demolition": False,
    "is_affordable_housing": False,
}  # fmt: skip
PERMIT_MATERIALS = {
    "application_form": both(JPG), "land_approval": both(JPG), "contractor_selected": both(JPG),
    "drawing_review_certificate": both(JPG), "quality_safety_measures": both(JPG),
    "funding_commitment": both(JPG), "construction_drawings": "paper",
}  # fmt: skip


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def offered(engine: Engine, case: Case, at: str) -> set[tuple[str, str | None]]:
    return {(a.action, a.step) for a in engine.available_actions(case, t(at))}


def planning_case(engine: Engine, at: str = "2026-12-04 09:00") -> Case:
    return engine.submit(
        "planning_permit", {"project_kind": "改建"}, PLANNING, at=t(at), actor="dangyang_wenlv"
    )


def not_published(call: Any, *args: Any, **kwargs: Any) -> CalendarNotPublished:
    with pytest.raises(CalendarNotPublished) as info:
        call(*args, **kwargs)
    err = info.value
    assert (err.year, err.code) == (2027, "calendar-not-published")
    assert "overlay" in str(err)
    assert "provisional" in str(err)
    return err


# --------------------------------------------------------------------------- submit


def test_submit_needing_an_unknown_year_raises_the_one_calendar_error() -> None:
    """Submitted on 2026-12-28: the 5-WD notice window ends in 2027 (it used to be an
    ActionNotAllowed with code ``calendar``)."""
    not_published(planning_case, STRICT, "2026-12-28 09:00")
    case = planning_case(PROVISIONAL, "2026-12-28 09:00")
    assert case.clock.notice_due == date(2027, 1, 5)  # 元旦 excluded


# --------------------------------------------------------------------------- frozen from 12-12


def test_attack_planning_permit_submitted_12_04_is_not_frozen_from_12_12_strict() -> None:
    """Deemed acceptance falls due at 00:00 on 12-12 and needs the 2027 statutory due date:
    the case waits for it, and only the undated actions go on."""
    case = planning_case(STRICT)
    at = t("2026-12-12 09:00")
    not_published(STRICT.advance, case, at)
    not_published(STRICT.act, case, "refuse_to_accept", at=at, actor="he_jing", reason="不予受理")
    assert offered(STRICT, case, "2026-12-12 09:00") == {
        ("withdraw", None), ("record_absence", None)
    }  # fmt: skip
    assert STRICT.deadlines(case, at).correction_notice is not None
    away = STRICT.act(
        case, "record_absence", at=at, actor="he_jing", person="he_jing",
        start="2026-12-14", end="2026-12-15", reason="出差",
    )  # fmt: skip
    assert away.version == case.version + 1
    gone = STRICT.act(away, "withdraw", at=at, actor="dangyang_wenlv", reason="不再申请")
    assert gone.status.value == "withdrawn"
    # The notice arrives: the same case goes on, deemed accepted as of receipt.
    later = OFFICIAL.advance(away, t("2026-12-14 09:00"))
    assert [e.action for e in later.events][-1] == "deemed_acceptance"
    assert later.clock.statutory_due == date(2027, 1, 4)


def test_attack_planning_permit_submitted_12_04_on_the_provisional_calendar() -> None:
    case = PROVISIONAL.advance(planning_case(PROVISIONAL), t("2026-12-12 09:00"))
    assert case.status.value == "in_review"
    assert case.clock.statutory_due == date(2027, 1, 4)
    statutory = PROVISIONAL.deadlines(case, t("2026-12-12 09:00")).statutory
    assert statutory is not None
    assert statutory.provisional
    assert ("pass", "review") in offered(PROVISIONAL, case, "2026-12-12 09:00")


# --------------------------------------------------------------------------- head approval on 12-29


def permit_at_head_approval(engine: Engine) -> Case:
    case = engine.submit(
        "construction_permit", PERMIT_APPLICANT, PERMIT_MATERIALS, at=t("2026-12-21 09:00"),
        actor="dangyang_jiangong",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2026-12-21 10:00"), actor="wang_yueqin")
    case = sections_reviewed(engine, case, t("2026-12-22 10:00"))
    return engine.act(case, "pass", at=t("2026-12-23 10:00"), actor="wang_wei")


def test_attack_head_approval_on_12_29_is_not_offered_when_the_certificate_date_is_unknown() -> (
    None
):
    """Approval fixes the certificate's due date (Art. 44: 10 WD), which falls in 2027."""
    case = permit_at_head_approval(STRICT)
    assert case.open_steps == ("head_approval",)
    listed = offered(STRICT, case, "2026-12-29 10:00")
    assert ("pass", "head_approval") not in listed
    assert ("withdraw", None) in listed
    not_published(STRICT.act, case, "pass", at=t("2026-12-29 10:00"), actor="shen_weidong")
    # a refusal fixes no new date: it is offered and goes through
    assert ("refuse", "head_approval") in listed
    refused = STRICT.act(
        case, "refuse", at=t("2026-12-29 10:00"), actor="shen_weidong", reasons=["不符合条件"]
    )
    assert refused.status.value == "refused"


@pytest.mark.parametrize("engine", [PROVISIONAL, OFFICIAL], ids=["provisional", "overlay"])
def test_head_approval_on_12_29_with_a_calendar_for_2027(engine: Engine) -> None:
    case = permit_at_head_approval(engine)
    assert ("pass", "head_approval") in offered(engine, case, "2026-12-29 10:00")
    done = engine.act(case, "pass", at=t("2026-12-29 10:00"), actor="shen_weidong")
    assert done.clock.certificate_due is not None
    assert done.clock.certificate_due.year == 2027


# --------------------------------------------------------------------------- a stop from 12-08


def stopped_case(engine: Engine) -> Case:
    case = planning_case(engine, "2026-11-25 09:00")
    case = engine.act(case, "accept", at=t("2026-11-25 10:00"), actor="he_jing")
    assert case.clock.statutory_due == date(2026, 12, 23)
    return engine.act(
        case, "start_clock_stop", at=t("2026-12-08 10:00"), actor="zhao_gang", kind="hearing",
        notice="听证通知", needed_days=10,
    )  # fmt: skip


def test_attack_a_clock_stop_from_12_08_can_be_ended() -> None:
    """Ending the stop on 12-21 moves the due dates into 2027: the strict calendar does
    not offer it and says why; with a calendar for 2027 the same case ends its stop."""
    case = stopped_case(STRICT)
    at = t("2026-12-21 10:00")
    assert ("end_clock_stop", None) not in offered(STRICT, case, "2026-12-21 10:00")
    not_published(STRICT.act, case, "end_clock_stop", at=at, actor="zhao_gang", notice="听证结束")
    for engine in (PROVISIONAL, OFFICIAL):
        assert ("end_clock_stop", None) in offered(engine, case, "2026-12-21 10:00")
        ended = engine.act(case, "end_clock_stop", at=at, actor="zhao_gang", notice="听证结束")
        assert ended.clock.active_stop is None
        assert ended.clock.statutory_due is not None
        assert ended.clock.statutory_due.year == 2027


# ---------------------------------------------------------------------- the promise of the list


@pytest.mark.parametrize("day", ["2026-12-04 10:00", "2026-12-11 16:00", "2026-12-12 09:00"])
def test_every_listed_action_goes_through_on_the_strict_calendar(day: str) -> None:
    """Whatever is listed does not raise the calendar error (with suitable details)."""
    case = planning_case(STRICT)
    simple = {"accept": {}, "withdraw": {"reason": "x"}, "refuse_to_accept": {"reason": "x"}}
    for action in STRICT.available_actions(case, t(day)):
        if action.action in simple:
            STRICT.act(case, action.action, at=t(day), actor=action.actors[0],
                       **simple[action.action])  # fmt: skip


# ------------------------------------------------------------------ provisional flags and bounds


def test_events_and_deadlines_carry_the_provisional_flag_from_the_calendar_in_use() -> None:
    """The 20-WD planning permit received 2026-12-04: its statutory due date 2027-01-04
    (元旦 excluded, certain) is flagged on the provisional calendar, not with the notice."""
    at = t("2026-12-12 09:00")
    case = PROVISIONAL.advance(planning_case(PROVISIONAL), at)
    flags = {e.action: e.details.get("provisional") for e in case.events}
    assert flags == {"submit": None, "deemed_acceptance": True}  # 12-11 is a 2026 date
    statutory = PROVISIONAL.deadlines(case, at).statutory
    assert statutory is not None
    assert statutory.provisional
    assert statutory.due == date(2027, 1, 4)
    assert statutory.bounds is not None
    assert statutory.to_dict()["bounds"] == {
        "due": "2027-01-04", "earliest": "2027-01-04", "latest": "2027-01-04",
        "provisional": True,
    }  # fmt: skip
    official = OFFICIAL.advance(planning_case(OFFICIAL), at)
    assert all("provisional" not in e.details for e in official.events)
    statutory = OFFICIAL.deadlines(official, at).statutory
    assert statutory is not None
    assert (statutory.due, statutory.provisional, statutory.bounds) == (
        date(2027, 1, 4), False, None
    )  # fmt: skip


def test_the_office_is_held_to_the_earliest_date_across_spring_festival() -> None:
    """Accepted Fri 2027-01-22: by the law 02-25, but eight weekend days around 春节 may be
    worked (earliest 02-17) and 02-11, 02-12 are probably off (latest 03-01).  The case
    records the law's date; deadlines() shows the bounds the office plans against."""
    case = planning_case(PROVISIONAL, "2027-01-22 09:00")
    case = PROVISIONAL.act(case, "accept", at=t("2027-01-22 10:00"), actor="he_jing")
    assert case.clock.statutory_due == date(2027, 2, 25)
    assert case.events[-1].details["provisional"] is True
    statutory = PROVISIONAL.deadlines(case, t("2027-01-25 10:00")).statutory
    assert statutory is not None
    assert statutory.bounds is not None
    bounds = statutory.bounds
    assert (bounds.best, bounds.earliest, bounds.latest) == (
        date(2027, 2, 25), date(2027, 2, 17), date(2027, 3, 1)
    )  # fmt: skip


def test_deemed_acceptance_comes_after_the_earliest_notice_deadline() -> None:
    """Received Fri 2027-01-29: the 5-WD notice window ends 02-11 by the law, 02-03 if Sat
    01-30 and Sun 01-31 are make-up days.  The office is held to the earliest (HELD_BY):
    from 00:00 on 02-04 the application counts as accepted (Art. 32, for the applicant)."""
    assert HELD_BY["correction_notice"] is Party.AGENCY
    assert HELD_BY["makeup_by"] is Party.APPLICANT
    case = planning_case(PROVISIONAL, "2027-01-29 09:00")
    assert case.clock.notice_due == date(2027, 2, 11)
    timer = PROVISIONAL.next_timer(case)
    assert timer is not None
    assert (timer.action, timer.at) == ("deemed_acceptance", t("2027-02-04 00:00"))
    assert PROVISIONAL.advance(case, t("2027-02-03 23:00")) is case
    accepted = PROVISIONAL.advance(case, t("2027-02-04 09:00"))
    assert accepted.accepted_on == date(2027, 1, 29)
    # With the notice, the window is exact again: 02-03 by the notice's make-up Sunday
    official = planning_case(OFFICIAL, "2027-01-29 09:00")
    assert official.clock.notice_due == OFFICIAL.calendar.add_workdays(date(2027, 1, 29), 5)
    timer = OFFICIAL.next_timer(official)
    assert timer is not None
    assert timer.at == midnight_after(official.clock.notice_due)


def midnight_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=TZ)


# ---------------------------------------------------------------------------------- re-dating


def test_redating_clears_the_flags_and_records_the_change() -> None:
    """The Done-when case: 20 WD from 2026-12-04, 2027-01-04 on every estimate; with the
    notice as an overlay the date stays, the flag goes, and the record says so."""
    at = t("2026-12-12 09:00")
    case = PROVISIONAL.advance(planning_case(PROVISIONAL), at)
    notice = WorkCalendar.china(provisional=True, overlays=[NOTICE_2027])
    redated = PROVISIONAL.redate(case, notice, at=t("2026-12-20 09:00"))
    event = redated.events[-1]
    assert (event.action, event.actor) == ("redate", "system")
    assert event.details["calendar"] == notice.fingerprint
    assert event.details["was"] == {}
    assert "provisional" not in event.details
    assert redated.clock.statutory_due == date(2027, 1, 4)
    statutory = Engine(CATALOGUE, notice).deadlines(redated, t("2026-12-20 09:00")).statutory
    assert statutory is not None
    assert (statutory.provisional, statutory.bounds) == (False, None)
    # idempotent; and the replayed record is the same case
    assert PROVISIONAL.redate(redated, notice, at=t("2026-12-21 09:00")) is redated
    assert PROVISIONAL.replay(redated.events, head=redated.head) == redated
    assert Case.from_json(redated.to_json()) == redated


def test_redating_moves_dates_and_sums_up_the_shifts() -> None:
    """Accepted 2027-01-22 on the provisional calendar: the law's 02-25.  The notice works
    Sun 01-31 and Sat 02-20 and gives 02-11, 02-12 off: the dates move, and the summary
    gives the shifts; a case on official years and an ended case stay as they were."""
    moving = planning_case(PROVISIONAL, "2027-01-22 09:00")
    moving = PROVISIONAL.act(moving, "accept", at=t("2027-01-22 10:00"), actor="he_jing")
    steady = PROVISIONAL.act(
        planning_case(PROVISIONAL, "2026-03-02 09:00"), "accept", at=t("2026-03-02 10:00"),
        actor="he_jing",
    )  # fmt: skip
    ended = PROVISIONAL.act(
        planning_case(PROVISIONAL, "2027-01-22 09:00"), "withdraw", at=t("2027-01-22 11:00"),
        actor="dangyang_wenlv", reason="不再申请",
    )  # fmt: skip
    notice = WorkCalendar.china(overlays=[NOTICE_2027])
    summary = PROVISIONAL.redate_all([moving, steady, ended], notice, at=t("2027-01-25 09:00"))
    after, same, gone = summary.cases
    assert (same, gone) == (steady, ended)
    assert summary.changed == 1
    # statutory: -02-11, -02-12, +01-31, +02-20 cancel out; promised (8 WD) gains Sun 01-31
    assert after.clock.statutory_due == date(2027, 2, 25)
    assert moving.clock.promised_due == date(2027, 2, 3)
    assert after.clock.promised_due == notice.add_workdays(date(2027, 1, 22), 8) == date(2027, 2, 2)
    was = after.events[-1].details["was"]
    assert was["promised"] == "2027-02-03"
    assert "statutory" not in was
    assert after.events[-1].details["due"]["promised"] == "2027-02-02"
    assert summary.earliest_shift <= -1
    assert summary.latest_shift >= 0
    assert summary.to_dict()["calendar"] == notice.fingerprint
    again = PROVISIONAL.redate_all(summary.cases, notice, at=t("2027-01-26 09:00"))
    assert again.changed == 0
    assert again.cases == summary.cases


def test_a_tolerated_acceptance_is_not_offered_when_its_dues_are_unknown() -> None:
    """容缺 acceptance needs a make-up date; the probe gives one, so an acceptance whose
    statutory due date falls in 2027 is not listed on the strict calendar."""
    materials = {k: v for k, v in PERMIT_MATERIALS.items() if k != "funding_commitment"}
    case = STRICT.submit(
        "construction_permit", PERMIT_APPLICANT, materials, at=t("2026-12-24 09:00"),
        actor="dangyang_jiangong",
    )  # fmt: skip
    assert case.intake.gaps
    assert ("accept", "accept") not in offered(STRICT, case, "2026-12-24 10:00")
    not_published(
        STRICT.act, case, "accept", at=t("2026-12-24 10:00"), actor="wang_yueqin",
        makeup_by="2026-12-28",
    )  # fmt: skip
    assert ("accept", "accept") in offered(PROVISIONAL, case, "2026-12-24 10:00")


def _details(action: str, step: str | None, choices: tuple[str, ...], case: Case) -> dict[str, Any]:
    """Details a clerk would give for a listed action (what the sweep below acts with)."""
    given: dict[str, Any] = {
        "pass": {"step": step},
        "refuse": {"step": step, "reasons": ["不符合条件"]},
        "send_back": {"step": step, "to": choices[0] if choices else None, "reason": "补正"},
        "start_clock_stop": {
            "kind": choices[0] if choices else None,
            "notice": "通知",
            "needed_days": 5,
        },
        "end_clock_stop": {"notice": "结束", **({"kind": choices[0]} if choices else {})},
        "extend": {"reason": "复杂"},
        "withdraw": {"reason": "撤回"},
        "refuse_to_accept": {"reason": "不予受理"},
        "accept": {"makeup_by": "2026-12-31"} if case.intake.gaps else {},
    }.get(action, {})
    return {k: v for k, v in given.items() if v is not None}


@pytest.mark.parametrize("day", [1, 8, 15, 18, 22, 24, 28, 29, 31])
def test_nothing_listed_raises_the_calendar_error_in_december(day: int) -> None:
    """A sweep over December 2026 on the strict calendar: planning and construction
    permits at each stage; whatever available_actions lists, act does not answer with
    CalendarNotPublished (a refusal for other reasons is fine)."""
    start = t(f"2026-12-{day:02d} 09:00")
    cases: list[Case] = []
    for submitted_days_before in (0, 3, 10, 20):
        when = start.replace(day=max(1, day - submitted_days_before))
        try:
            case = planning_case(STRICT, when.strftime("%Y-%m-%d %H:%M"))
        except CalendarNotPublished:
            continue
        cases.append(case)
        with contextlib.suppress(CalendarNotPublished):
            cases.append(STRICT.act(case, "accept", at=when.replace(hour=10), actor="he_jing"))
    at = start.replace(hour=16)
    for case in cases:
        for offer in STRICT.available_actions(case, at):
            details = _details(offer.action, offer.step, offer.choices, case)
            try:
                STRICT.act(case, offer.action, at=at, actor=offer.actors[0], **details)
            except CalendarNotPublished as err:  # pragma: no cover - the failure shown
                pytest.fail(f"{offer} listed on {at:%m-%d} but: {err}")
            except (ActionNotAllowed, CaseDataError):
                pass


def test_a_co_departments_silence_is_deemed_agreement_after_the_earliest_end() -> None:
    """A 7-WD co-department opinion (on_timeout: deem_agreed) opened Mon 2027-02-01, across
    春节: the timer comes at 00:00 after the earliest end the notice could give."""
    case = PROVISIONAL.submit(
        "outdoor_advertising",
        {"sign_area": 24, "height": 8, "is_rooftop": False, "on_public_land": True,
         "near_road": True},
        {"application_form": "paper", "applicant_identity": "paper",
         "design_drawings": [{"name": "效果图.pdf"}]},
        at=t("2027-02-01 09:00"), actor="quanzhou_guanggao",
    )  # fmt: skip
    case = PROVISIONAL.act(case, "accept", at=t("2027-02-01 10:00"), actor="lin_yaqin")
    opinion = case.steps["planning_opinion"]
    cal = PROVISIONAL.calendar
    earliest = cal.earliest.add_workdays(date(2027, 2, 1), 7)
    assert opinion.due == cal.add_workdays(date(2027, 2, 1), 7)
    assert earliest < opinion.due  # the bounds differ here
    timer = PROVISIONAL.next_timer(case)
    assert timer is not None
    assert (timer.action, timer.at) == ("deemed_agreement", midnight_after(earliest))


def test_redating_during_a_clock_stop_leaves_the_running_stop_to_its_end() -> None:
    """A running stop moves the dates when it ends, not when the calendar arrives: a case
    stopped since 12-08 re-dates to the same dates whatever the day, once."""
    case = stopped_case(PROVISIONAL)
    notice = WorkCalendar.china(provisional=True, overlays=[NOTICE_2027])
    first = PROVISIONAL.redate(case, notice, at=t("2026-12-20 09:00"))
    assert first.clock.statutory_due == case.clock.statutory_due
    assert PROVISIONAL.redate(first, notice, at=t("2027-01-20 09:00")) is first
    assert PROVISIONAL.redate(case, PROVISIONAL.calendar, at=t("2027-01-20 09:00")) is case


# ---------------------------------------------------------------------------------- properties


def _weekends_only(d: date, n: int) -> date:
    """What a weekends-only calendar beyond the official data would answer (n ≥ 1)."""
    strict = STRICT.calendar
    while n:
        d += timedelta(days=1)
        n -= strict.is_workday(d) if d.year <= 2026 else d.weekday() < 5
    return d


@given(received=st.dates(min_value=date(2026, 10, 1), max_value=date(2028, 6, 30)))
@example(received=date(2026, 12, 4))
@example(received=date(2027, 1, 22))
def test_engine_dates_on_the_provisional_calendar(received: date) -> None:
    """Whatever the day: the recorded statutory due date is the law's best estimate, never
    earlier than weekends-only, inside its bounds, and flagged exactly when it depends
    on a year without official data."""
    at = datetime.combine(received, datetime.min.time(), tzinfo=TZ).replace(hour=9)
    case = PROVISIONAL.submit(
        "planning_permit", {"project_kind": "改建"}, PLANNING, at=at, actor="dangyang_wenlv"
    )
    case = PROVISIONAL.act(case, "accept", at=at.replace(hour=10), actor="he_jing")
    due = case.clock.statutory_due
    assert due is not None
    start = case.accepted_on
    assert start is not None
    calendar = PROVISIONAL.calendar
    assert due == calendar.add_workdays(start, 20) >= _weekends_only(start, 20)
    assert (
        calendar.earliest.add_workdays(start, 20) <= due <= calendar.latest.add_workdays(start, 20)
    )
    flagged = bool(case.events[-1].details.get("provisional"))
    assert flagged == calendar.is_provisional(start, due)
    statutory = PROVISIONAL.deadlines(case, at.replace(hour=11)).statutory
    assert statutory is not None
    assert statutory.bounds is None or statutory.bounds.earliest <= due <= statutory.bounds.latest
