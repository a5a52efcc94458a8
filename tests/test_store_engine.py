"""The store and the engine together (issue #12, second step): the store's absence
calendar in the engine's AB岗 checks, timers in the due index, and writers whose
independent actions merge; on both backends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from section_review import sections_reviewed

from approval_rules.audit import LogTampered
from approval_rules.cli import main
from approval_rules.engine import Case, Engine
from approval_rules.errors import ActionNotAllowed, StaleCase
from approval_rules.loader import load_catalogue
from approval_rules.store import CaseStore, open_store
from approval_rules.store._derive import moment_text
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())

JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
APPLICANT = {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
             "is_affordable_housing": False}  # fmt: skip
MATERIALS: dict[str, Any] = {
    "application_form": both(JPG), "land_approval": both(JPG), "contractor_selected": both(JPG),
    "drawing_review_certificate": both(JPG), "quality_safety_measures": both(JPG),
    "funding_commitment": both(JPG), "construction_drawings": "paper",
}  # fmt: skip


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def reviewed(case_id: str) -> Case:
    """A construction-permit case waiting for the deputy's review (wang_wei)."""
    case = ENGINE.submit("construction_permit", APPLICANT, MATERIALS, at=t("2025-09-26 09:00"),
                         actor="acme", case_id=case_id)  # fmt: skip
    case = ENGINE.act(case, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")
    return sections_reviewed(ENGINE, case, t("2025-09-28 10:00"))


@pytest.fixture
def store(url: str) -> Any:
    with open_store(url, engine=ENGINE) as opened:
        yield opened


# --------------------------------------------------------------------------- absences


def test_a_backup_acts_on_every_case_while_the_absence_is_in_the_store(store: CaseStore) -> None:
    """wang_wei's leave is recorded once, in the store: his backup zhou_min passes the
    deputy review of every case on those days, for him; not the day after."""
    for case_id in ("c-1", "c-2"):
        store.save(reviewed(case_id), expected_version=0)
    store.record_absence("wang_wei", date(2025, 9, 29), date(2025, 9, 30), reason="培训",
                         by="wang_wei")  # fmt: skip
    engine = store.engine
    assert engine is not None
    at = t("2025-09-29 10:00")
    for case_id in ("c-1", "c-2"):
        case = store.load(case_id)
        with pytest.raises(ActionNotAllowed) as info:  # the engine without the calendar
            ENGINE.act(case, "pass", at=at, actor="zhou_min")
        assert info.value.code == "principal-not-absent"
        offered = {a.action: a.actors for a in engine.available_actions(case, at)}
        assert "zhou_min" in offered["pass"]
        done = engine.act(case, "pass", at=at, actor="zhou_min")
        assert done.steps["deputy_review"].on_behalf_of == "wang_wei"
        assert done.events[-1].details["for"] == "wang_wei"
        store.save(done, expected_version=case.version)
        assert store.load(case_id) == done
    # replay re-checks who acted: with the store's calendar, the backup was allowed
    assert store.check(authorised=True).broken == ()
    with pytest.raises(LogTampered, match="is recorded absent on 2025-09-29"):
        ENGINE.replay(store.load("c-1").events)
    later = store.load("c-1")
    back = reviewed("c-3")
    store.save(back, expected_version=0)
    with pytest.raises(ActionNotAllowed) as info:
        engine.act(back, "pass", at=t("2025-10-08 10:00"), actor="zhou_min")
    assert info.value.code == "principal-not-absent"
    assert later.steps["deputy_review"].by == "zhou_min"


def test_an_engine_reads_any_calendar_it_is_handed() -> None:
    class Leave:
        def absent(self, person: str, day: date) -> bool:
            return person == "wang_wei" and day == date(2025, 9, 29)

    case = reviewed("c-1")
    engine = ENGINE.with_absences(Leave())
    assert engine.absences is not None
    assert ENGINE.absences is None
    done = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="zhou_min")
    assert done.steps["deputy_review"].on_behalf_of == "wang_wei"
    with pytest.raises(TypeError, match="absent"):
        ENGINE.with_absences(object())  # type: ignore[arg-type]
    assert (ENGINE.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei").version
            == done.version)  # fmt: skip


# --------------------------------------------------------------------------- timers


def received(case_id: str, at: str = "2025-09-26 09:00") -> Case:
    """A case just received: deemed accepted if no notice comes within 5 working days."""
    return ENGINE.submit("construction_permit", APPLICANT, MATERIALS, at=t(at), actor="acme",
                         case_id=case_id)  # fmt: skip


def test_each_case_keeps_its_next_timer_in_the_due_index(store: CaseStore) -> None:
    case = received("c-1")
    store.save(case, expected_version=0)
    timer = ENGINE.next_timer(case)
    assert timer is not None
    assert timer.action == "deemed_acceptance"
    rows = store._backend.read(  # the row, as the index holds it
        "SELECT clock, step, due, runs_out FROM clocks WHERE case_id = ? AND clock = 'timer'",
        ("c-1",),
    )
    assert [tuple(r) for r in rows] == [
        ("timer", "", case.clock.notice_due.isoformat(), moment_text(timer.at))
    ]
    # the supervisors' sweep lists periods, not timers
    assert {c.clock for c in store.due_before(timer.at + timedelta(days=400))} >= {"notice"}
    assert "timer" not in {c.clock for c in store.due_before(timer.at + timedelta(days=400))}


def test_advance_due_records_what_fell_due_once(store: CaseStore) -> None:
    """Cases received on two days: a sweep at the first one's deemed acceptance advances
    it alone; sweeping again changes nothing; a later sweep takes the second."""
    first, second = received("c-1"), received("c-2", at="2025-10-09 09:00")
    for case in (first, second):
        store.save(case, expected_version=0)
    moment = ENGINE.next_timer(first)
    assert moment is not None
    assert store.advance_due(moment.at - timedelta(seconds=1)) == []
    assert store.advance_due(moment.at) == ["c-1"]
    advanced = store.load("c-1")
    assert advanced.events[-1].action == "deemed_acceptance"
    assert advanced.status.value == "in_review"
    assert store.advance_due(moment.at) == []
    assert store.advance_due(moment.at + timedelta(days=30)) == ["c-2"]
    assert store.load("c-1") == advanced
    assert store.check().broken == ()


def test_advance_due_from_several_writers_at_once(url: str) -> None:
    """Three schedulers sweep the same 12 due cases at the same time: each case gets its
    deemed acceptance exactly once."""
    with open_store(url, engine=ENGINE) as store:
        for i in range(12):
            store.save(received(f"c-{i:02}"), expected_version=0)
    at = t("2025-11-30 00:00")
    stores = [open_store(url, engine=ENGINE) for _ in range(3)]
    try:
        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda s: s.advance_due(at), stores))
    finally:
        for opened in stores:
            opened.close()
    assert sorted(cid for found in results for cid in found) == [f"c-{i:02}" for i in range(12)]
    with open_store(url, engine=ENGINE) as store:
        for i in range(12):
            actions = [e.action for e in store.load(f"c-{i:02}").events]
            assert actions.count("deemed_acceptance") == 1
        assert store.check().broken == ()


def test_the_cli_advances_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cases.db"
    with open_store(url, engine=ENGINE) as store:
        store.save(received("c-1"), expected_version=0)
    runner = CliRunner()
    args = ["store", "advance", url, "--catalogue", str(ROOT / "matters")]
    result = runner.invoke(main, [*args, "--at", "2025-10-01T09:00"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    result = runner.invoke(main, [*args, "--at", "2025-11-30"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "c-1\n"
    assert "advanced 1 case(s)" in result.stderr
    bad = runner.invoke(main, [*args, "--at", "tomorrow"])
    assert bad.exit_code == 2
    assert "not a date or a moment" in bad.output


# --------------------------------------------------------------------------- merging


def joint(case_id: str = "c-j") -> Case:
    """A joint review, accepted: the lead review and two co-department opinions open in
    parallel (qz_zjj, qz_rfb, qz_cgj)."""
    case = ENGINE.submit(
        "construction_stage_joint_review",
        {"is_key_project": True, "builds_civil_defense_basement": False},
        {"stage_application_form": "paper", "contractor_selected": "paper",
         "drawing_review_certificate": ["d.pdf"], "funding_commitment": "paper",
         "waste_disposal_plan": "paper"},
        at=t("2025-06-02 09:00"), actor="acme", case_id=case_id,
    )  # fmt: skip
    return ENGINE.act(case, "accept", at=t("2025-06-02 10:00"), actor="hong_xiaoyan")


def test_two_reviewers_of_different_departments_pass_parallel_steps_at_once(
    store: CaseStore,
) -> None:
    """Both saw version 2; the second is merged onto the first's pass, not refused."""
    store.save(joint(), expected_version=0)
    seen = store.load("c-j").version
    at = t("2025-06-03 10:00")
    first = store.act("c-j", "pass", at=at, actor="wu_xiuying", step="civil_defense_opinion",
                      expected_version=seen)  # fmt: skip
    second = store.act("c-j", "pass", at=at, actor="cai_zhijian",
                       step="construction_waste_opinion", expected_version=seen)  # fmt: skip
    assert (first.version, second.version) == (seen + 1, seen + 2)
    stored = store.load("c-j")
    assert stored == second
    assert stored.steps["civil_defense_opinion"].by == "wu_xiuying"
    assert stored.steps["construction_waste_opinion"].by == "cai_zhijian"
    # the lead's review, decided on version 2 too, merges over both; it opens the decision
    third = store.act("c-j", "pass", at=at, actor="cai_ming", step="lead_review",
                      expected_version=seen)  # fmt: skip
    assert third.steps["decision"].status.value == "open"
    assert store.check().broken == ()


def test_a_real_conflict_is_refused(store: CaseStore) -> None:
    """Two signers of one step, both on version 2: the second is told, nothing written."""
    store.save(joint(), expected_version=0)
    seen = store.load("c-j").version
    at = t("2025-06-03 10:00")
    store.act("c-j", "pass", at=at, actor="wu_xiuying", step="civil_defense_opinion",
              expected_version=seen)  # fmt: skip
    with pytest.raises(StaleCase):
        store.act("c-j", "pass", at=at, actor="guo_jun", step="civil_defense_opinion",
                  expected_version=seen)  # fmt: skip
    # a send-back is never merged: it changes steps the others acted on
    with pytest.raises(StaleCase):
        store.act("c-j", "send_back", at=at, actor="cai_ming", step="lead_review",
                  to="accept", reason="材料不清", expected_version=seen)  # fmt: skip
    assert store.load("c-j").version == seen + 1


def test_concurrent_writers_of_parallel_steps_all_succeed(url: str) -> None:
    """Three reviewers act on each of 6 cases at the same time, each through its own
    store: every pass is stored once and every record verifies."""
    with open_store(url, engine=ENGINE) as store:
        for i in range(6):
            store.save(joint(f"c-{i}"), expected_version=0)
    passes = [
        ("wu_xiuying", "civil_defense_opinion"),
        ("cai_zhijian", "construction_waste_opinion"),
        ("cai_ming", "lead_review"),
    ]

    def reviewer(who: tuple[str, str]) -> int:
        with open_store(url, engine=ENGINE) as own:
            for i in range(6):
                own.act(f"c-{i}", "pass", at=t("2025-06-03 10:00"), actor=who[0], step=who[1])
        return 6

    with ThreadPoolExecutor(3) as pool:
        assert sum(pool.map(reviewer, passes)) == 18
    with open_store(url, engine=ENGINE) as store:
        for i in range(6):
            case = store.load(f"c-{i}")
            assert [e.action for e in case.events].count("pass") == 3
            assert case.steps["decision"].status.value == "open"
        assert store.check().broken == ()


def test_act_with_an_event_id_is_idempotent(store: CaseStore) -> None:
    """A host retrying after a lost reply gets the case as it is, nothing twice."""
    store.save(joint(), expected_version=0)
    at = t("2025-06-03 10:00")
    first = store.act("c-j", "pass", at=at, actor="wu_xiuying", step="civil_defense_opinion",
                      event_id="req-1")  # fmt: skip
    again = store.act("c-j", "pass", at=at, actor="wu_xiuying", step="civil_defense_opinion",
                      event_id="req-1")  # fmt: skip
    assert again == first
    assert store.load("c-j").version == first.version


def test_a_sweep_skips_a_case_waiting_for_next_years_calendar(url: str) -> None:
    """A planning permit received 2026-12-04 is deemed accepted at 00:00 on 12-12, which
    needs its 2027 statutory due date: a sweep on the strict calendar leaves it (and
    advances the others); a sweep with the State Council's notice for 2027 records it."""
    planning = ENGINE.submit(
        "planning_permit", {"project_kind": "改建"},
        {"application_form": "paper", "land_use_documents": "paper",
         "project_approval": [{"name": "备案证明.pdf"}], "design_scheme": "paper"},
        at=t("2026-12-04 09:00"), actor="dangyang_wenlv", case_id="c-2026",
    )  # fmt: skip
    with open_store(url, engine=ENGINE) as store:
        store.save(planning, expected_version=0)
        store.save(received("c-1", at="2026-11-02 09:00"), expected_version=0)
        assert store.advance_due(t("2026-12-12 09:00")) == ["c-1"]
        assert store.load("c-2026").version == 1
    notice = ROOT / "matters" / "scenarios" / "year_end" / "notice_2027.yaml"
    official = Engine(CATALOGUE, WorkCalendar.china(overlays=[notice]))
    with open_store(url, engine=official) as later:
        assert later.advance_due(t("2026-12-12 09:00")) == ["c-2026"]
        assert later.load("c-2026").events[-1].action == "deemed_acceptance"
