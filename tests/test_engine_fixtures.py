"""Stored cases stay readable, byte for byte, and the live path records what it did.

``tests/data/cases/case@2/*.json`` were written by ``Case.to_json()`` of the engine as it
was before issue #11, by the builders below.  Each is read back, replayed from its
record and written again: the text must be the same, byte for byte (a case opened in
that form keeps it).  ``case@3/`` holds what today's engine writes for the same
actions (the form that keeps the index of caller-given event ids in the state); the
builders run again must write exactly that, so the live path (what the engine
computes and records) is pinned as well as the fold and the codec.  Run this file as
a script to write ``case@3/`` again after a deliberate change of the form.

The cases between them use every action and clock event: corrections, tolerated gaps,
absences and backups, clock stops, the extension, send-back, skipped steps, deemed
acceptance and agreement, termination, fees paid and waived, certificates with a
validity, limits in hours, caller-given event ids, and a case read back between
actions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from section_review import sections_reviewed

from approval_rules.audit import verify
from approval_rules.engine import Case, Engine, apply_event, fold
from approval_rules.loader import load_catalogue
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "data" / "cases"
FORMS = ("case@2", "case@3")

JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
BAD_JPG = {"name": "p1.jpg", "size_kb": 800, "width": 1024, "height": 768}


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _permit_long(engine: Engine) -> Case:
    """Correction, tolerated gap, absence and backup, stop, send-back, fees, certificate."""
    case = engine.submit(
        "construction_permit",
        {"floor_area": 1200.5, "contract_price": 260, "needs_demolition": False,
         "is_affordable_housing": False},
        {"application_form": both(BAD_JPG), "land_approval": both(JPG),
         "contractor_selected": both(JPG),
         "drawing_review_certificate": both(JPG, {**JPG, "name": "p2.JPG", "pages": 3}),
         "quality_safety_measures": both(JPG), "construction_drawings": "paper"},
        at=t("2025-09-26 09:00"), actor="acme", case_id="DY-2025-0001",
    )  # fmt: skip
    act = engine.act
    case = act(case, "request_correction", at=t("2025-09-26 11:00"), actor="wang_yueqin",
               problems=["申请表缺少法定代表人签章"])  # fmt: skip
    case = act(case, "supplement", at=t("2025-09-29 09:00"), actor="wang_yueqin",
               materials={"application_form": both(JPG)},
               resolved=["申请表缺少法定代表人签章"])  # fmt: skip
    case = act(case, "accept", at=t("2025-09-29 10:00"), actor="chen_qian",
               makeup_by="2025-10-09", event_id="window-accept-1")  # fmt: skip
    case = act(case, "record_absence", at=t("2025-09-29 11:00"), actor="ai_wei",
               person="fu_hong", start="2025-09-29", end="2025-10-01", reason="出差")  # fmt: skip
    case = act(case, "pass", at=t("2025-09-30 09:00"), actor="huang_li",
               opinion="材料齐全", event_id="sr-1")  # fmt: skip
    for reviewer in ("ai_wei", "yu_ying", "zheng_can"):  # each signs their own section
        case = act(case, "pass", at=t("2025-09-30 09:30"), actor=reviewer)
    case = act(case, "supplement", at=t("2025-09-30 10:00"), actor="acme",
               materials={"funding_commitment": both(JPG)})  # fmt: skip
    case = act(case, "pass", at=t("2025-09-30 14:00"), actor="wang_wei")
    case = act(case, "start_clock_stop", at=t("2025-10-09 09:00"), actor="shen_weidong",
               kind="expert_review", notice="专家评审通知 7 号", needed_days=5)  # fmt: skip
    case = act(case, "end_clock_stop", at=t("2025-10-13 16:00"), actor="shen_weidong",
               notice="评审结束")  # fmt: skip
    case = act(case, "send_back", at=t("2025-10-14 09:00"), actor="shen_weidong",
               to="section_review", reason="安全措施不具体")  # fmt: skip
    case = sections_reviewed(engine, case, t("2025-10-14 15:00"))
    case = act(case, "pass", at=t("2025-10-15 09:00"), actor="wang_wei")
    case = act(case, "pass", at=t("2025-10-15 15:00"), actor="shen_weidong")
    case = act(case, "record_payment", at=t("2025-10-16 09:00"), actor="chen_qian",
               amount="20000.5")  # fmt: skip
    case = act(case, "record_payment", at=t("2025-10-16 09:30"), actor="wang_yueqin",
               amount="40024.50", receipt="票据 12")  # fmt: skip
    case = act(case, "issue_certificate", at=t("2025-11-30 10:00"), actor="chen_qian",
               number="420582-0001")  # fmt: skip
    case = act(case, "deliver", at=t("2025-11-30 11:00"), actor="chen_qian", signed_by="张三")
    return act(case, "close", at=t("2025-11-30 12:00"), actor="chen_qian", event_id="close-1")


def _planning_extended(engine: Engine) -> Case:
    """A skipped step, a hearing, the extension, a certificate without validity."""
    case = engine.submit(
        "planning_permit", {"project_kind": "改建"},
        {"application_form": "paper", "land_use_documents": "paper",
         "project_approval": ["approval.pdf"], "design_scheme": True},
        at=t("2025-03-03 09:00"), actor="acme",
    )  # fmt: skip
    act = engine.act
    case = act(case, "accept", at=t("2025-03-03 10:00"), actor="li_juan")
    case = act(case, "start_clock_stop", at=t("2025-03-10 09:00"), actor="zhao_gang",
               kind="hearing", notice="听证通知 3 号", needed_days=5)  # fmt: skip
    case = act(case, "end_clock_stop", at=t("2025-03-21 17:00"), actor="zhao_gang")
    case = act(case, "extend", at=t("2025-04-14 10:00"), actor="tan_zhiqiang",
               reason="补充论证")  # fmt: skip
    case = act(case, "pass", at=t("2025-04-15 10:00"), actor="qian_yong")
    case = act(case, "pass", at=t("2025-04-16 10:00"), actor="wu_bin", opinion="同意")
    case = act(case, "issue_certificate", at=t("2025-04-16 11:00"), actor="li_juan",
               number="建字 1 号")  # fmt: skip
    case = act(case, "deliver", at=t("2025-04-16 12:00"), actor="he_jing")
    return act(case, "close", at=t("2025-04-16 13:00"), actor="he_jing")


def _advertising_deemed(engine: Engine) -> Case:
    """Deemed acceptance, deemed agreement, a co-department's disagreement, a refusal."""
    case = engine.submit(
        "outdoor_advertising",
        {"sign_area": 20, "height": 5, "is_rooftop": False, "on_public_land": False,
         "near_road": True},
        {"application_form": "paper", "applicant_identity": "paper",
         "design_drawings": "paper", "owner_consent": "paper",
         "ad_content_sample": [{"name": "sample.PNG", "size_kb": 12.25}]},
        at=t("2025-11-03 16:00"), actor="acme",
    )  # fmt: skip
    case = engine.advance(case, t("2025-11-11 09:00"))
    case = engine.act(case, "pass", at=t("2025-11-12 10:00"), actor="zhang_guodong",
                      step="traffic_opinion", agree=False, opinion="影响视距")  # fmt: skip
    case = engine.act(case, "pass", at=t("2025-11-13 10:00"), actor="chen_jianhua",
                      step="lead_review")  # fmt: skip
    case = engine.advance(case, t("2025-11-24 10:00"))
    case = engine.act(case, "record_absence", at=t("2025-11-24 10:30"), actor="wu_zhiqiang",
                      person="wu_zhiqiang", end="2025-11-25", reason="休假")  # fmt: skip
    case = engine.act(case, "refuse", at=t("2025-11-24 11:00"), actor="hong_wei",
                      reasons=["交通部门不同意", "位置不符合规划"])  # fmt: skip
    case = engine.act(case, "deliver", at=t("2025-11-25 09:00"), actor="lin_yaqin")
    return engine.act(case, "close", at=t("2025-11-25 10:00"), actor="cai_xiaoyan")


def _permit_terminated(engine: Engine) -> Case:
    """容缺受理 whose make-up date passed: terminated at midnight by the system."""
    case = engine.submit(
        "construction_permit",
        {"floor_area": 800, "contract_price": 90, "needs_demolition": True,
         "is_affordable_housing": False},
        {"application_form": both(JPG), "land_approval": both(JPG),
         "contractor_selected": both(JPG),
         "drawing_review_certificate": both(JPG), "quality_safety_measures": both(JPG),
         "construction_drawings": "paper", "demolition_progress": both(JPG)},
        at=t("2025-09-26 09:00"), actor="acme",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="wang_yueqin",
                      makeup_by="2025-09-30")  # fmt: skip
    case = sections_reviewed(engine, case, t("2025-09-28 10:00"))
    return engine.advance(case, t("2025-10-09 09:00"))


def _withdrawn(engine: Engine) -> Case:
    """The applicant withdraws while the review runs."""
    case = engine.submit(
        "planning_permit", {"project_kind": "新建", "is_agent": False},
        {"application_form": "paper", "land_use_documents": "paper",
         "project_approval": ["approval.pdf"], "design_scheme": "paper"},
        at=t("2025-09-26 09:00"), actor="acme",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="li_juan")
    case = engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="zhao_gang", step="review")
    return engine.act(case, "withdraw", at=t("2025-09-29 10:00"), actor="acme",
                      reason="项目调整")  # fmt: skip


def _not_accepted(engine: Engine) -> Case:
    """Refused at the window."""
    case = engine.submit(
        "company_registration",
        {"has_corporate_shareholder": False, "is_agent": False, "needs_prior_approval": False},
        {"application_form": "paper", "articles_of_association": "paper",
         "shareholder_identity": ["id.jpg"], "address_documents": "paper"},
        at=t("2025-12-01 09:00"), actor="acme-co",
    )  # fmt: skip
    return engine.act(case, "refuse_to_accept", at=t("2025-12-01 09:30"), actor="deng_lin",
                      reason="不属于本机关职权范围")  # fmt: skip


def _immediate(engine: Engine) -> Case:
    """即办件: limits in hours, run in office hours."""
    case = engine.submit(
        "individual_business_registration", {"is_family_run": False},
        {"application_form": "paper", "operator_identity": ["id.jpg"],
         "premises_documents": "paper"},
        at=t("2025-12-01 09:05"), actor="acme",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-12-01 09:15"), actor="tian_tian")
    case = engine.act(case, "pass", at=t("2025-12-01 10:15"), actor="luo_jie")
    case = engine.act(case, "issue_certificate", at=t("2025-12-01 10:45"), actor="tian_tian",
                      number="个体 0001")  # fmt: skip
    case = engine.act(case, "deliver", at=t("2025-12-01 11:00"), actor="deng_lin")
    return engine.act(case, "close", at=t("2025-12-01 11:05"), actor="deng_lin")


def _joint_review_restored(engine: Engine) -> Case:
    """Green channel, parallel co-reviews, a fee-less decision, three results issued;
    read back between actions."""
    case = engine.submit(
        "construction_stage_joint_review",
        {"is_key_project": True, "builds_civil_defense_basement": False},
        {"stage_application_form": "paper", "contractor_selected": "paper",
         "drawing_review_certificate": ["d.pdf"], "funding_commitment": "paper"},
        at=t("2025-06-02 09:00"), actor="acme", green_channel=True,
    )  # fmt: skip
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("accept", "hong_xiaoyan", {"makeup_by": "2025-06-06"}),
        ("pass", "guo_jun", {"step": "civil_defense_opinion"}),
        ("supplement", "acme", {"materials": {"waste_disposal_plan": "paper"}}),
        ("pass", "cai_zhijian", {"step": "construction_waste_opinion", "opinion": "同意"}),
        ("pass", "cai_ming", {"step": "lead_review"}),
        ("pass", "zhuang_jianguo", {}),
        ("issue_certificate", "huang_lijuan", {"number": "联审 0007", "result": "main"}),
        # several results (issue #14): the co-departments' documents, each its own number
        (
            "issue_certificate",
            "hong_xiaoyan",
            {"number": "人防 0003", "result": "civil_defense_approval"},
        ),
        (
            "issue_certificate",
            "huang_lijuan",
            {"number": "垃圾 0011", "result": "waste_disposal_approval"},
        ),
        ("deliver", "huang_lijuan", {"signed_by": "李四"}),
        ("close", "hong_xiaoyan", {}),
    ]
    at = t("2025-06-02 10:00")
    for action, actor, details in steps:
        case = Case.from_json(case.to_json())
        case = engine.act(case, action, at=at, actor=actor, **details)
        at = at.replace(day=at.day + 1)
    return case


def _road_waived(engine: Engine) -> Case:
    """A rate fee with a minimum, waived with a reason; the fee step passes by itself."""
    case = engine.submit(
        "temporary_road_occupation",
        {"purpose": "施工作业", "occupied_area": 12.5, "occupation_days": 3, "area_days": 37.5,
         "is_public_works": False},
        {"application_form": "paper", "applicant_identity": "paper", "site_plan": "paper",
         "traffic_plan": "paper", "restoration_commitment": "paper", "works_approval": "paper"},
        at=t("2025-07-01 09:00"), actor="acme",
    )  # fmt: skip
    act = engine.act
    case = act(case, "accept", at=t("2025-07-01 09:30"), actor="peng_li")
    case = act(case, "pass", at=t("2025-07-02 09:00"), actor="qin_feng",
               step="traffic_police_review")  # fmt: skip
    case = act(case, "pass", at=t("2025-07-02 10:00"), actor="cao_hong", step="review")
    case = act(case, "pass", at=t("2025-07-02 16:00"), actor="xu_guohua")
    case = act(case, "waive_fee", at=t("2025-07-03 09:00"), actor="jiang_yong",
               item="dy_road_occupation_fee", reason="抢险工程减免")  # fmt: skip
    case = act(case, "issue_certificate", at=t("2025-07-03 09:30"), actor="jiang_yong",
               number="占道 0031")  # fmt: skip
    case = act(case, "deliver", at=t("2025-07-03 10:00"), actor="jiang_yong")
    return act(case, "close", at=t("2025-07-03 11:00"), actor="peng_li")


BUILDERS: dict[str, Callable[[Engine], Case]] = {
    "road_waived": _road_waived,
    "permit_long": _permit_long,
    "planning_extended": _planning_extended,
    "advertising_deemed": _advertising_deemed,
    "permit_terminated": _permit_terminated,
    "withdrawn": _withdrawn,
    "not_accepted": _not_accepted,
    "immediate": _immediate,
    "joint_review_restored": _joint_review_restored,
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_a_stored_case_reads_back_and_replays_byte_identically(name: str, form: str) -> None:
    """Read, verify and fold a stored case: each writes the stored text again.

    (The engine's ``replay`` also checks the case's pin against its own matter, whose
    content hash moves with the model; the record itself folds without it.)
    """
    text = (FOLDER / form / f"{name}.json").read_text(encoding="utf-8")
    assert text.startswith(f'{{"format":"approval-rules/{form}"')
    case = Case.from_json(text)
    assert case.to_json() == text
    verify(case.events, head=case.head)
    rebuilt = fold(case.events)
    assert rebuilt == case
    assert rebuilt.to_json() == text


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_todays_cases_replay_through_the_engine(engine: Engine, name: str) -> None:
    """The engine replays a case of today's form (its pin is today's matter)."""
    text = (FOLDER / "case@3" / f"{name}.json").read_text(encoding="utf-8")
    case = Case.from_json(text)
    assert engine.replay(case.events, head=case.head).to_json() == text


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_the_same_actions_record_the_same_case(engine: Engine, name: str) -> None:
    """Today's engine, given the stored case's actions, writes the stored text."""
    text = (FOLDER / "case@3" / f"{name}.json").read_text(encoding="utf-8")
    assert BUILDERS[name](engine).to_json() == text


def test_a_case_stored_without_the_index_builds_it_from_its_events() -> None:
    """A case@2 case finds its caller-given event ids in its events, once asked."""
    text = (FOLDER / "case@2" / "permit_long.json").read_text(encoding="utf-8")
    case = Case.from_json(text)
    assert not case.events.indexed
    assert case.events.caller_event("close-1") == (19, "close", "chen_qian")
    assert case.events.caller_event("sr-1") == (6, "pass", "huang_li")
    assert case.events.caller_event("DY-2025-0001#3") is None  # the engine's own ids
    assert case.events.caller_event("nothing") is None
    assert case.to_json() == text  # looking the ids up changed nothing


def test_a_case_opened_in_the_old_form_keeps_it_as_it_goes_on() -> None:
    """Folded on, a case@2 case is written as case@2 again, and reads back equal."""
    text = (FOLDER / "case@2" / "permit_long.json").read_text(encoding="utf-8")
    events = Case.from_json(text).events
    early = fold(events[:10])
    assert early.to_json().startswith('{"format":"approval-rules/case@2"')
    later = apply_event(early, events[10])
    assert later.to_json().startswith('{"format":"approval-rules/case@2"')
    again = Case.from_json(later.to_json())
    assert again == later
    assert again.events.caller_event("window-accept-1") == (4, "accept", "chen_qian")


if __name__ == "__main__":  # write case@3/ (case@2/ was written by the engine before #11)
    (FOLDER / "case@3").mkdir(parents=True, exist_ok=True)
    live = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
    for key, build in BUILDERS.items():
        built = build(live)
        (FOLDER / "case@3" / f"{key}.json").write_text(built.to_json(), encoding="utf-8")
        print(key, built.status.value, built.version, file=sys.stderr)
