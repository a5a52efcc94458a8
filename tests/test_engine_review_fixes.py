"""Three engine defects the review of issue #14 found, fixed.

* A case on commitment (告知承诺制) migrated, before acceptance, to a version whose
  commitment replaces fewer materials (or that requires one more) shows the material
  missing, and is not accepted without it; replay gives the same case.
* ``deadlines()`` counts a period that is not in working days (a statutory limit in
  calendar days, the later check in months) in its own unit: remaining −n when n days
  late, clock stops not counted, the fraction used progressing; supervision's overdue
  day is the same.
* A required text made only of invisible characters (zero-width spaces, word joiners,
  byte-order marks, whitespace) is blank: refused like an empty one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from section_review import sections_reviewed
from supervision_cases import PLANNING_MATERIALS, forged, refused_unchanged, t

from approval_rules.audit import Event, LogTampered
from approval_rules.engine import Case, Engine, Status
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.supervision import Supervisor, load_supervision
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
MATTERS = Path(__file__).resolve().parent.parent / "matters"
CALENDAR = WorkCalendar.china()
CATALOGUE = load_catalogue(MATTERS)
ENGINE = Engine(CATALOGUE, CALENDAR)

IBR = "individual_business_registration"
IBR_APPLICANT = {"is_family_run": False, "is_agent": False}
#: Everything but the premises document, which the bundled commitment replaces.
IBR_MATERIALS: dict[str, Any] = {"application_form": "paper", "operator_identity": ["id.jpg"]}
DECIDER = "hu_xiaoyan"


def variant(matter: str, old: str, new: str) -> Catalogue:
    """The bundled catalogue with ``old`` replaced by ``new`` once in one matter."""
    files = {p.name: p.read_text(encoding="utf-8") for p in MATTERS.glob("*.yaml")}
    text = files[f"{matter}.yaml"]
    assert text.count(old) == 1, old
    files[f"{matter}.yaml"] = text.replace(old, new)
    return load_catalogue_text(files)


# --------------------------------------------------------------------------- migrate


def _moved_engine(old: str, new: str) -> tuple[Engine, str]:
    """An engine on a new version of 个体工商户登记 (``old`` → ``new``) that also holds
    the bundled version, and the new version's hash."""
    engine = Engine(variant(IBR, old, new), CALENDAR)
    engine.add_version(ENGINE.current(IBR))
    return engine, engine.current(IBR).hash


def test_migrate_commitment_replacing_fewer_materials_shows_the_material_missing() -> None:
    """The new version's commitment no longer replaces the premises document: after the
    move the case names it missing and accept_on_commitment is refused
    (materials-incomplete); once supplied, the case is decided on the spot."""
    engine, to = _moved_engine("replaces: [premises_documents]", "replaces: [application_form]")
    case = ENGINE.submit(IBR, IBR_APPLICANT, IBR_MATERIALS, at=t("2025-12-01 09:05"),
                         actor="li_si", commitment=True)  # fmt: skip
    assert case.intake.problems == ()
    moved = engine.migrate(case, to, at=t("2025-12-01 09:10"), actor=DECIDER, reason="新版本")
    assert moved.commitment is not None
    assert moved.commitment.replaced == ("application_form",)
    assert [p.material for p in moved.intake.problems] == ["premises_documents"]
    assert moved.events[-1].details["commitment"] == ["application_form"]
    refused_unchanged(engine, moved, "accept_on_commitment", "materials-incomplete",
            at=t("2025-12-01 09:20"), actor=DECIDER, opinion="当场核准")  # fmt: skip
    supplied = engine.act(moved, "supplement", at=t("2025-12-01 09:15"), actor="li_si",
                          materials={"premises_documents": "paper"})  # fmt: skip
    assert supplied.intake.problems == ()
    done = engine.act(supplied, "accept_on_commitment", at=t("2025-12-01 09:20"),
                      actor=DECIDER, opinion="当场核准")  # fmt: skip
    assert done.status is Status.APPROVED


def test_migrate_replay_gives_the_same_case_and_reads_back() -> None:
    """Replay of the moved case's log and its serial form give the same case."""
    engine, to = _moved_engine("replaces: [premises_documents]", "replaces: [application_form]")
    case = ENGINE.submit(IBR, IBR_APPLICANT, IBR_MATERIALS, at=t("2025-12-01 09:05"),
                         actor="li_si", commitment=True)  # fmt: skip
    moved = engine.migrate(case, to, at=t("2025-12-01 09:10"), actor=DECIDER)
    assert engine.replay(moved.events, head=moved.head) == moved
    assert Case.from_json(moved.to_json()) == moved


def test_migrate_forged_judgement_of_the_materials_is_log_tampered() -> None:
    """A log whose migrate event records no problems where the new version finds one is
    refused on replay (unauthorised), though its chain is sound."""
    engine, to = _moved_engine("replaces: [premises_documents]", "replaces: [application_form]")
    case = ENGINE.submit(IBR, IBR_APPLICANT, IBR_MATERIALS, at=t("2025-12-01 09:05"),
                         actor="li_si", commitment=True)  # fmt: skip
    moved = engine.migrate(case, to, at=t("2025-12-01 09:10"), actor=DECIDER)

    def clear(event: Event) -> Event:
        if event.action != "migrate":
            return event
        return event._replace(details={**event.details, "problems": []})

    forgery = forged(moved, clear)
    assert forgery.intake.problems == ()
    with pytest.raises(LogTampered) as err:
        engine.replay(forgery.events)
    assert err.value.code == "unauthorised"


def test_migrate_normal_case_to_a_version_requiring_one_more_material_is_not_accepted() -> None:
    """Not on commitment: a version that requires the premises document for everyone
    (no commitment replaces it for this applicant) — the window cannot accept without it."""
    engine, to = _moved_engine("    when: is_agent\n", "")  # power of attorney: always
    case = ENGINE.submit(IBR, IBR_APPLICANT, {**IBR_MATERIALS, "premises_documents": "paper"},
                         at=t("2025-12-01 09:05"), actor="li_si")  # fmt: skip
    moved = engine.migrate(case, to, at=t("2025-12-01 09:10"), actor=DECIDER)
    assert [p.material for p in moved.intake.problems] == ["power_of_attorney"]
    refused_unchanged(engine, moved, "accept", "materials-incomplete", at=t("2025-12-01 09:20"),
            actor="tian_tian")  # fmt: skip


def test_migrate_accepted_case_keeps_what_its_acceptance_judged() -> None:
    """After acceptance the materials were judged: the move records no new judgement."""
    engine, to = _moved_engine("    when: is_agent\n", "")
    case = ENGINE.submit(IBR, IBR_APPLICANT, {**IBR_MATERIALS, "premises_documents": "paper"},
                         at=t("2025-12-01 09:05"), actor="li_si")  # fmt: skip
    case = ENGINE.act(case, "accept", at=t("2025-12-01 09:10"), actor="tian_tian")
    moved = engine.migrate(case, to, at=t("2025-12-01 09:20"), actor=DECIDER)
    assert moved.intake == case.intake
    assert "problems" not in moved.events[-1].details


def test_migrate_during_a_correction_keeps_the_officers_open_items() -> None:
    """Awaiting its correction, the case moved keeps the notice's open item beside the
    material the new version requires; replay agrees."""
    engine, to = _moved_engine("    when: is_agent\n", "")
    case = ENGINE.submit(IBR, IBR_APPLICANT, {**IBR_MATERIALS, "premises_documents": "paper"},
                         at=t("2025-12-01 09:05"), actor="li_si")  # fmt: skip
    case = ENGINE.act(case, "request_correction", at=t("2025-12-01 09:10"), actor="tian_tian",
                      problems=["申请书未签名"])  # fmt: skip
    moved = engine.migrate(case, to, at=t("2025-12-01 09:20"), actor=DECIDER)
    assert moved.status is Status.CORRECTION_REQUESTED
    assert [(p.material, p.code) for p in moved.intake.problems] == [
        ("power_of_attorney", "missing"), (None, "officer"),
    ]  # fmt: skip
    assert engine.replay(moved.events) == moved


# --------------------------------------------------------------------------- deadlines

#: 建设工程规划许可 with its statutory limit read as 20 calendar days (民法典 Art. 203).
CD_CATALOGUE = variant(
    "planning_permit",
    "  statutory:\n    value: 20\n",
    "  statutory:\n    value: 20\n    unit: calendar_days\n"
    "    counting: {basis: calendar_days, reading: 二十日按自然日计算}\n",
)
CD_ENGINE = Engine(CD_CATALOGUE, CALENDAR)


def _cd_accepted(at: str = "2025-11-03 09:00", kind: str = "新建") -> Case:
    case = CD_ENGINE.submit("planning_permit", {"project_kind": kind}, PLANNING_MATERIALS,
                            at=t(at), actor="acme")  # fmt: skip
    return CD_ENGINE.act(case, "accept", at=t(at) + timedelta(hours=1), actor="li_juan")


def test_deadlines_calendar_days_counted_in_calendar_days_and_late_by_calendar_days() -> None:
    """Accepted Mon 2025-11-03, 20 calendar days: due Sun 11-23 → Mon 11-24 (Art. 203).
    Elapsed and remaining are calendar days; one day late is −1, three days −3; the
    fraction used grows day by day; overdue only after the due date."""
    case = _cd_accepted()
    assert case.clock.statutory_due == date(2025, 11, 24)
    rows = {}
    for day in (4, 13, 23, 24, 25, 27):
        d = CD_ENGINE.deadlines(case, t(f"2025-11-{day:02d} 09:00")).statutory
        assert d is not None
        rows[day] = (d.elapsed, d.remaining, d.overdue)
        assert d.elapsed + d.remaining == 21  # 11-04 … 11-24
    assert rows == {
        4: (1, 20, False), 13: (10, 11, False), 23: (20, 1, False), 24: (21, 0, False),
        25: (22, -1, True), 27: (24, -3, True),
    }  # fmt: skip
    mid = CD_ENGINE.deadlines(case, t("2025-11-13 09:00")).statutory
    assert mid is not None
    assert mid.fraction_used == pytest.approx(10 / 21)
    assert mid.to_dict()["remaining"] == 11


def test_deadlines_calendar_days_clock_stop_is_not_counted() -> None:
    """A hearing 11-10 … 11-14 (5 calendar days): elapsed and remaining stand still while
    it runs, and after it the due date moved by its days, counted alike."""
    case = _cd_accepted(kind="改建")
    before = CD_ENGINE.deadlines(case, t("2025-11-09 09:00")).statutory
    assert before is not None
    assert (before.elapsed, before.remaining) == (6, 15)
    case = CD_ENGINE.act(case, "start_clock_stop", at=t("2025-11-10 09:00"), actor="zhao_gang",
                         kind="hearing", notice="听证通知 9 号", needed_days=5)  # fmt: skip
    for day in ("2025-11-10", "2025-11-12", "2025-11-14"):
        during = CD_ENGINE.deadlines(case, t(f"{day} 12:00")).statutory
        assert during is not None
        assert during.stopped
        assert (during.elapsed, during.remaining) == (6, 15)
    case = CD_ENGINE.act(case, "end_clock_stop", at=t("2025-11-14 17:00"), actor="zhao_gang")
    assert case.clock.statutory_due == date(2025, 11, 28)  # 11-23 + 5 days
    after = CD_ENGINE.deadlines(case, t("2025-11-17 09:00")).statutory
    assert after is not None
    assert (after.elapsed, after.remaining) == (9, 11)
    late = CD_ENGINE.deadlines(case, t("2025-11-29 09:00")).statutory
    assert late is not None
    assert (late.remaining, late.overdue) == (-1, True)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=40))
def test_deadlines_calendar_days_remaining_falls_by_one_a_calendar_day(offset: int) -> None:
    """From one day to the next, remaining falls by one and elapsed grows by one: 0 on the
    due day, −1 the day after; overdue exactly after the due date."""
    case = _CD_CASE
    day = date(2025, 11, 3) + timedelta(days=offset)

    def at(d: date) -> Any:
        out = CD_ENGINE.deadlines(case, datetime(d.year, d.month, d.day, 9, tzinfo=TZ)).statutory
        assert out is not None
        return out

    today, tomorrow = at(day), at(day + timedelta(days=1))
    assert tomorrow.remaining == today.remaining - 1
    assert tomorrow.elapsed == today.elapsed + 1
    due = case.clock.statutory_due
    assert due is not None
    assert today.remaining == (due - day).days
    assert today.overdue == (day > due)


_CD_CASE = _cd_accepted()


def test_deadlines_check_in_months_counted_in_calendar_days() -> None:
    """The later check, 3 months from Mon 2025-12-01, is due Mon 2026-03-02: elapsed and
    remaining are calendar days up to it, −1 the day after."""
    case = ENGINE.submit(IBR, IBR_APPLICANT, IBR_MATERIALS, at=t("2025-12-01 09:05"),
                         actor="li_si", commitment=True)  # fmt: skip
    case = ENGINE.act(case, "accept_on_commitment", at=t("2025-12-01 09:20"), actor=DECIDER,
                      opinion="当场核准")  # fmt: skip
    rows = []
    for day in ("2026-02-27", "2026-03-02", "2026-03-03"):
        d = ENGINE.deadlines(case, t(f"{day} 09:00")).check
        assert d is not None
        rows.append((d.elapsed, d.remaining, d.overdue))
    assert rows == [(88, 3, False), (91, 0, False), (92, -1, True)]
    first = ENGINE.deadlines(case, t("2026-01-15 09:00")).check
    assert first is not None
    assert 0 < first.fraction_used < 1


def test_deadlines_calendar_days_overdue_on_the_day_supervision_reports_the_breach() -> None:
    """Supervision's statutory breach fires the first day deadlines() says overdue."""
    watch = Supervisor(load_supervision(MATTERS / "supervision.yaml", catalogue=CD_CATALOGUE),
                       CD_CATALOGUE, CALENDAR)  # fmt: skip
    case = _CD_CASE

    def breach(day: str) -> bool:
        return any(a.rule == "statutory_breach" for a in watch.alerts(case, t(f"{day} 09:00")))

    for day in ("2025-11-24", "2025-11-25"):
        d = CD_ENGINE.deadlines(case, t(f"{day} 09:00")).statutory
        assert d is not None
        assert breach(day) == d.overdue == (day == "2025-11-25")


# --------------------------------------------------------------------------- blank texts

INVISIBLE = ["\u200b\u2060\ufeff", " \u200b\u3000\n", "\u00ad\u200d", "\u3164"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_zero_width_refuse_to_accept_reason_is_required(text: str) -> None:
    case = ENGINE.submit("planning_permit", {"project_kind": "新建"}, PLANNING_MATERIALS,
                         at=t("2025-09-26 09:00"), actor="acme")  # fmt: skip
    refused_unchanged(ENGINE, case, "refuse_to_accept", "detail-required", at=t("2025-09-26 10:00"),
            actor="li_juan", reason=text)  # fmt: skip


def _pp_accepted(kind: str = "改建") -> Case:
    case = ENGINE.submit("planning_permit", {"project_kind": kind}, PLANNING_MATERIALS,
                         at=t("2025-09-26 09:00"), actor="acme")  # fmt: skip
    return ENGINE.act(case, "accept", at=t("2025-09-26 10:00"), actor="li_juan")


@pytest.mark.parametrize("text", INVISIBLE)
def test_zero_width_extend_reason_is_required(text: str) -> None:
    refused_unchanged(ENGINE, _pp_accepted(), "extend", "detail-required", at=t("2025-10-20 10:00"),
            actor="tan_zhiqiang", reason=text)  # fmt: skip


@pytest.mark.parametrize("text", INVISIBLE)
def test_zero_width_start_clock_stop_notice_is_required(text: str) -> None:
    refused_unchanged(ENGINE, _pp_accepted(), "start_clock_stop", "detail-required",
            at=t("2025-09-28 10:00"), actor="zhao_gang", kind="hearing", notice=text,
            needed_days=5)  # fmt: skip


@pytest.mark.parametrize("text", INVISIBLE)
def test_zero_width_refuse_reasons_are_required(text: str) -> None:
    case = ENGINE.submit("construction_permit", {
        "floor_area": 1200, "contract_price": 260, "needs_demolition": False,
        "is_affordable_housing": False,
    }, _CP_MATERIALS, at=t("2025-09-26 09:00"), actor="acme")  # fmt: skip
    case = ENGINE.act(case, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")
    case = sections_reviewed(ENGINE, case, t("2025-09-28 10:00"))
    case = ENGINE.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    for reasons in (text, [text], [text, " "]):
        refused_unchanged(ENGINE, case, "refuse", "detail-required", at=t("2025-09-29 15:00"),
                actor="shen_weidong", reasons=reasons)  # fmt: skip


_JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
_CP_MATERIALS: dict[str, Any] = {
    **{m: {"paper": True, "files": [_JPG]} for m in (
        "application_form", "land_approval", "contractor_selected",
        "drawing_review_certificate", "quality_safety_measures", "funding_commitment",
    )},
    "construction_drawings": "paper",
}  # fmt: skip


@pytest.mark.parametrize("text", INVISIBLE)
def test_zero_width_record_check_untrue_opinion_is_required(text: str) -> None:
    case = ENGINE.submit(IBR, IBR_APPLICANT, IBR_MATERIALS, at=t("2025-12-01 09:05"),
                         actor="li_si", commitment=True)  # fmt: skip
    case = ENGINE.act(case, "accept_on_commitment", at=t("2025-12-01 09:20"), actor=DECIDER,
                      opinion="当场核准")  # fmt: skip
    refused_unchanged(ENGINE, case, "record_check", "detail-required", at=t("2026-01-20 10:00"),
            actor=DECIDER, finding="untrue", opinion=text)  # fmt: skip


def test_zero_width_inside_a_visible_text_is_kept() -> None:
    """Invisible characters beside visible ones do not make a text blank."""
    case = _pp_accepted()
    done = ENGINE.act(case, "extend", at=t("2025-10-20 10:00"), actor="tan_zhiqiang",
                      reason="需要\u200b补充论证")  # fmt: skip
    assert done.events[-1].details["reason"] == "需要\u200b补充论证"
