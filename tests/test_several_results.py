"""Several results from one joint handling (issue #14): 消防, 人防 and 防雷 each issue
their own document, each with its own number and validity.

A matter declares them beside its main ``result`` as ``further_results`` (each with
the department that issues it); ``issue_certificate`` names the result it issues
(``result``); the case is certified (deliverable) once every result is issued.
Cases of matters with one result stay as they were, byte for byte.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from supervision_cases import SUPERVISION, forged

from approval_rules import checks_result
from approval_rules.audit import Event, LogTampered, verify
from approval_rules.compiler import check_catalogue, compile_catalogue, matter_plan
from approval_rules.documents import case_documents
from approval_rules.documents.write import render_documents
from approval_rules.engine import Case, Engine, Status, fold
from approval_rules.engine import records as engine_records
from approval_rules.errors import ActionNotAllowed, DefinitionError, format_issue
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.model import MAIN_RESULT
from approval_rules.publication import build_guide
from approval_rules.publication._templates import Templates
from approval_rules.scenario import load_scenario, run_scenario
from approval_rules.store import open_store
from approval_rules.supervision import Supervisor, load_supervision
from approval_rules.supervision.facts import case_facts
from approval_rules.supervision.rules import Reporting
from approval_rules.versions import MatterDefinition
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
MATTERS = ROOT / "matters"
TZ = ZoneInfo("Asia/Shanghai")
JOINT = "construction_stage_joint_review"
FILES = {p.name: p.read_text(encoding="utf-8") for p in MATTERS.glob("*.yaml")}
CALENDAR = WorkCalendar.china()
ENGINE = Engine(load_catalogue(MATTERS), CALENDAR)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _with_joint(old: str, new: str) -> dict[str, str]:
    text = FILES[f"{JOINT}.yaml"]
    assert old in text
    return {**FILES, f"{JOINT}.yaml": text.replace(old, new, 1)}


#: The bundled joint review where 人防办 issues its own document at its own certify step.
OWN_STEP = _with_joint(
    "  - id: issue\n    name: 送达\n    kind: deliver\n    signers: [huang_lijuan, hong_xiaoyan]\n"
    "    after: [make_permit]\n",
    "  - id: civil_defense_document\n    name: 人防办出具审批意见书\n    kind: certify\n"
    "    department: qz_rfb\n    signers: [wu_xiuying, guo_jun]\n    after: [decision]\n\n"
    "  - id: issue\n    name: 送达\n    kind: deliver\n    signers: [huang_lijuan, hong_xiaoyan]\n"
    "    after: [make_permit, civil_defense_document]\n",
)


def decided(engine: Engine = ENGINE) -> Case:
    """A joint review case approved on 2025-06-04, nothing issued yet."""
    case = engine.submit(
        JOINT,
        {"is_key_project": False, "builds_civil_defense_basement": False},
        {"stage_application_form": "paper", "contractor_selected": "paper",
         "drawing_review_certificate": ["d.pdf"], "funding_commitment": "paper",
         "waste_disposal_plan": "paper"},
        at=t("2025-06-02 09:00"), actor="acme",
    )  # fmt: skip
    for action, actor, details in [
        ("accept", "hong_xiaoyan", {}),
        ("pass", "guo_jun", {"step": "civil_defense_opinion"}),
        ("pass", "cai_zhijian", {"step": "construction_waste_opinion"}),
        ("pass", "cai_ming", {"step": "lead_review"}),
        ("pass", "zhuang_jianguo", {"step": "decision"}),
    ]:
        case = engine.act(case, action, at=t("2025-06-04 10:00"), actor=actor, **details)
    assert case.status is Status.APPROVED
    return case


def issue(case: Case, result: str, number: str, actor: str = "huang_lijuan", **kw: Any) -> Case:
    engine = kw.pop("engine", ENGINE)
    at = kw.pop("at", t("2025-06-05 10:00"))
    return engine.act(case, "issue_certificate", at=at, actor=actor, number=number, result=result)


# --------------------------------------------------------------------------- language


def test_several_results_are_declared_beside_the_main_one() -> None:
    """The bundled joint review issues three results; the main one is named ``main``."""
    plan = matter_plan(ENGINE.catalogue, JOINT)
    assert list(plan.results) == [MAIN_RESULT, "civil_defense_approval", "waste_disposal_approval"]
    assert [r.department for r in plan.results.values()] == ["qz_zjj", "qz_rfb", "qz_cgj"]
    # no co-department has its own certify step: the lead's 统一出件 issues them all
    assert {r.steps for r in plan.results.values()} == {("make_permit",)}
    assert MAIN_RESULT == engine_records.MAIN_RESULT  # the fold's copy of the name


def test_a_co_departments_result_goes_to_its_own_certify_step() -> None:
    """A result is issued at the certify step of its department when the matter has one."""
    catalogue = load_catalogue_text(OWN_STEP)
    plan = matter_plan(catalogue, JOINT)
    assert {r.id: r.steps for r in plan.results.values()} == {
        MAIN_RESULT: ("make_permit",),
        "civil_defense_approval": ("civil_defense_document",),
        "waste_disposal_approval": ("make_permit",),
    }


def test_a_result_from_a_department_outside_the_joint_handling_is_refused() -> None:
    """``result-department``: positioned at the department, with the closest one as hint."""
    files = _with_joint("    department: qz_cgj\n    electronic: true\n    validity",
                        "    department: qz_cjg\n    electronic: true\n    validity")  # fmt: skip
    issues = [i for i in check_catalogue(load_catalogue_text(files)) if i.is_error]
    assert [i.code for i in issues] == ["result-department"]
    text = format_issue(issues[0])
    line = files[f"{JOINT}.yaml"].splitlines().index("    department: qz_cjg") + 1
    assert text.startswith(f"{JOINT}.yaml:{line}:17: error[result-department]: ")
    assert "'waste_disposal_approval'" in text
    assert "write department: qz_cgj" in text
    assert "result-department" in checks_result.CODES
    with pytest.raises(DefinitionError):
        compile_catalogue(load_catalogue_text(files))


def test_a_co_departments_certify_step_under_a_condition_is_refused() -> None:
    """``certify-when``: 人防办's own certify step runs only for a basement; on other
    cases it is skipped and its document could never be issued: refused at the
    condition, naming the document, with a fix hint."""
    files = {
        **OWN_STEP,
        f"{JOINT}.yaml": OWN_STEP[f"{JOINT}.yaml"].replace(
            "    department: qz_rfb\n    signers: [wu_xiuying, guo_jun]\n    after: [decision]\n",
            "    department: qz_rfb\n    signers: [wu_xiuying, guo_jun]\n    after: [decision]\n"
            "    when: builds_civil_defense_basement\n",
            1,
        ),
    }
    assert files != OWN_STEP
    issues = [i for i in check_catalogue(load_catalogue_text(files)) if i.is_error]
    assert [i.code for i in issues] == ["certify-when"]
    text = format_issue(issues[0])
    lines = files[f"{JOINT}.yaml"].splitlines()
    line = lines.index("    when: builds_civil_defense_basement", 100) + 1
    assert text.startswith(f"{JOINT}.yaml:{line}:11: error[certify-when]: ")
    assert "'civil_defense_document' issues 人民防空工程建设审批意见书" in text
    assert "remove when: from 'civil_defense_document'" in text
    with pytest.raises(DefinitionError):
        compile_catalogue(load_catalogue_text(files))


@pytest.mark.parametrize(
    ("new_id", "said"),
    [("main", "the main result"), ("civil_defense_approval", "further result 1 (")],
)
def test_result_ids_are_unique_and_not_main(new_id: str, said: str) -> None:
    """``result-id``: each result is named once; ``main`` is the main result's name."""
    files = _with_joint("id: waste_disposal_approval", f"id: {new_id}")
    issues = [i for i in check_catalogue(load_catalogue_text(files)) if i.is_error]
    assert [i.code for i in issues] == ["result-id"]
    lines = files[f"{JOINT}.yaml"].splitlines()
    line = lines.index(f"  - id: {new_id}", lines.index("  - id: civil_defense_approval") + 1) + 1
    assert format_issue(issues[0]).startswith(f"{JOINT}.yaml:{line}:9: error[result-id]: ")
    assert said in issues[0].message


def test_a_matter_without_further_results_keeps_its_version() -> None:
    """The new key does not move the pin of a matter that does not use it."""
    permit = MatterDefinition.of(ENGINE.catalogue, "construction_permit")
    assert "further_results" not in permit.to_json()
    joint = MatterDefinition.of(ENGINE.catalogue, JOINT)
    assert "further_results" in joint.to_json()
    stored = json.loads((ROOT / "tests/data/cases/case@3/permit_long.json").read_text("utf-8"))
    assert ENGINE.current("construction_permit").hash == stored["matter_hash"]


# --------------------------------------------------------------------------- engine


def test_each_result_is_issued_once_with_its_own_number_and_validity() -> None:
    """Issued in any order; the case stays approved until the last, then is certified."""
    case = decided()
    case = issue(case, "civil_defense_approval", "泉人防审〔2025〕91号")
    assert case.status is Status.APPROVED
    assert case.open_steps == ("make_permit",)
    assert case.settlement.certificate is None
    case = issue(case, MAIN_RESULT, "350503202506050001")
    assert case.status is Status.APPROVED
    case = issue(case, "waste_disposal_approval", "泉城管垃圾核〔2025〕233号", actor="hong_xiaoyan")
    assert case.status is Status.CERTIFIED
    assert case.open_steps == ("issue",)
    assert case.steps["make_permit"].by == "hong_xiaoyan"  # passed with the last result
    settlement = case.settlement
    assert settlement.certificate == ("350503202506050001", date(2025, 6, 5), date(2025, 9, 5))
    assert dict(settlement.further_results) == {
        "civil_defense_approval": ("泉人防审〔2025〕91号", date(2025, 6, 5), None),
        "waste_disposal_approval": (
            "泉城管垃圾核〔2025〕233号",
            date(2025, 6, 5),
            date(2025, 12, 5),
        ),
    }
    events = [e.details for e in case.events if e.action == "issue_certificate"]
    assert [d["result"] for d in events] == [
        "civil_defense_approval", MAIN_RESULT, "waste_disposal_approval",
    ]  # fmt: skip
    assert [d.get("department") for d in events] == ["qz_rfb", None, "qz_cgj"]
    assert [d.get("outstanding") for d in events] == [
        [MAIN_RESULT, "waste_disposal_approval"], ["waste_disposal_approval"], None,
    ]  # fmt: skip


def test_issuing_needs_a_result_the_matter_has_and_has_not_issued() -> None:
    """Naming none, an unknown one or one issued already is refused; nothing changes."""
    case = decided()
    with pytest.raises(ActionNotAllowed) as caught:
        ENGINE.act(case, "issue_certificate", at=t("2025-06-05 10:00"), actor="huang_lijuan",
                   number="1")  # fmt: skip
    assert caught.value.code == "detail-required"
    assert "main or civil_defense_approval or waste_disposal_approval" in str(caught.value)
    with pytest.raises(ActionNotAllowed) as caught:
        issue(case, "civil_defence_approval", "1")
    assert caught.value.code == "unknown-result"
    assert "civil_defense_approval" in str(caught.value)  # did you mean
    once = issue(case, "civil_defense_approval", "1")
    with pytest.raises(ActionNotAllowed) as caught:
        issue(once, "civil_defense_approval", "2", actor="hong_xiaoyan")
    assert caught.value.code == "result-issued"
    assert once.version == case.version + 1


def test_delivery_waits_for_the_last_result() -> None:
    """Deliver is neither offered nor allowed while a result is outstanding."""
    case = issue(issue(decided(), MAIN_RESULT, "P-1"), "civil_defense_approval", "A-1")
    at = t("2025-06-05 11:00")
    assert "deliver" not in {a.action for a in ENGINE.available_actions(case, at)}
    with pytest.raises(ActionNotAllowed) as caught:
        ENGINE.act(case, "deliver", at=at, actor="huang_lijuan")
    assert caught.value.code == "wrong-status"
    assert "still to issue: waste_disposal_approval" in str(caught.value)
    case = issue(case, "waste_disposal_approval", "W-1")
    case = ENGINE.act(case, "deliver", at=at, actor="huang_lijuan", signed_by="李四")
    assert case.status is Status.DELIVERED


def test_the_certificate_period_applies_to_every_result() -> None:
    """Art. 44's due date runs until the last result is issued, for each the same."""
    case = issue(decided(), MAIN_RESULT, "P-1")
    assert case.clock.certificate_due == date(2025, 6, 18)
    late = ENGINE.deadlines(case, t("2025-06-20 09:00"))
    assert late.certificate is not None
    assert late.certificate.overdue
    assert case.status is Status.APPROVED  # the other two are late too


def test_a_joint_handling_ends_with_its_last_result() -> None:
    """Art. 42 ¶2 bounds the whole joint handling: the statutory period runs until the
    last result is issued, not the first."""
    case = issue(decided(), MAIN_RESULT, "P-1", at=t("2025-06-05 10:00"))
    case = issue(case, "civil_defense_approval", "A-1", at=t("2025-06-06 10:00"))
    running = ENGINE.deadlines(case, t("2025-06-09 09:00")).statutory
    assert running is not None
    assert running.ended is None
    case = issue(case, "waste_disposal_approval", "W-1", at=t("2025-06-09 10:00"))
    ended = ENGINE.deadlines(case, t("2025-06-10 09:00")).statutory
    assert ended is not None
    assert ended.ended == date(2025, 6, 9)
    assert case.settlement.last_issued == date(2025, 6, 9)


def test_deadlines_and_supervision_end_a_joint_handling_on_the_same_day() -> None:
    """Art. 42 ¶2 has one rule (``Case.statutory_end``): ``deadlines`` ends the statutory
    period, and supervision counts a statutory breach, at the last result issued."""
    process = ENGINE.process(JOINT)

    def breach(case: Case) -> bool:
        facts = case_facts(case, process=process, calendar=CALENDAR, reporting=Reporting(), tz=TZ)
        assert facts.state == "concluded"
        return facts.statutory_breach

    case = issue(issue(decided(), MAIN_RESULT, "P-1"), "civil_defense_approval", "A-1")
    assert case.statutory_end(joint_handling=True) is None  # one outstanding: it runs
    assert case.clock.statutory_due == date(2025, 8, 4)
    late = t("2025-08-05 10:00")
    case = issue(case, "waste_disposal_approval", "W-1", at=late)
    case = ENGINE.act(case, "deliver", at=late, actor="huang_lijuan", signed_by="李四")
    case = ENGINE.act(case, "close", at=late, actor="huang_lijuan")
    statutory = ENGINE.deadlines(case, t("2025-08-20 09:00")).statutory
    assert statutory is not None
    assert statutory.ended == case.statutory_end(joint_handling=True) == date(2025, 8, 5)
    assert statutory.overdue
    assert breach(case)
    assert case.statutory_end(joint_handling=False) == date(2025, 6, 4)  # the decision


def test_a_single_result_matter_is_unchanged() -> None:
    """One result: ``result`` may be left out (or say ``main``), the offer has no
    choices, the event and the stored settlement look as before."""
    engine = Engine(load_catalogue_text(_single_result_files()), CALENDAR)
    case = decided(engine)
    offers = [a for a in engine.available_actions(case, t("2025-06-05 09:00"))
              if a.action == "issue_certificate"]  # fmt: skip
    assert [(a.step, a.choices) for a in offers] == [(None, ())]
    with pytest.raises(ActionNotAllowed) as caught:
        issue(case, "civil_defense_approval", "1", engine=engine)
    assert caught.value.code == "unknown-result"
    named = issue(case, MAIN_RESULT, "P-1", engine=engine)
    plain = engine.act(case, "issue_certificate", at=t("2025-06-05 10:00"), actor="huang_lijuan",
                       number="P-1")  # fmt: skip
    assert named == plain
    assert plain.status is Status.CERTIFIED
    assert dict(plain.events[-1].details) == {
        "number": "P-1", "valid_until": "2025-09-05", "step": "make_permit",
        "open": [["issue", "2025-06-05"]],
    }  # fmt: skip
    assert len(json.loads(plain.to_json())["state"][6]) == 7  # no further results item


def _branched_certify_steps() -> dict[str, str]:
    """个体工商户登记 (one result) printing its licence at one of two certify steps,
    each under a condition (an agent's case, or not)."""
    name = "individual_business_registration.yaml"
    step = (
        "  - id: make_licence\n    name: 生成营业执照\n    kind: certify\n"
        "    department: dy_zwfw\n    signers: [tian_tian, deng_lin]\n    after: [approve]\n"
    )
    paper = step.replace("make_licence", "make_licence_paper").replace("生成", "打印纸质")
    text = FILES[name]
    assert step in text
    text = text.replace(step, step + "    when: is_agent\n" + paper + "    when: not is_agent\n")
    return {
        **FILES,
        name: text.replace("after: [make_licence]", "after: [make_licence, make_licence_paper]"),
    }


def test_a_single_result_matter_issues_at_whichever_certify_step_is_open() -> None:
    """Without further results nothing binds the result to one certify step, as before
    several results existed: two certify steps under conditions are a valid matter, and
    the case issues its licence at the one its condition opened."""
    catalogue = load_catalogue_text(_branched_certify_steps())
    assert [i.code for i in check_catalogue(catalogue) if i.is_error] == []
    engine = Engine(catalogue, CALENDAR)
    case = engine.submit(
        "individual_business_registration", {"is_family_run": False, "is_agent": False},
        {"application_form": "paper", "operator_identity": ["id.jpg"],
         "premises_documents": "paper"},
        at=t("2025-12-01 09:05"), actor="li_si",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-12-01 09:10"), actor="tian_tian")
    case = engine.act(case, "pass", at=t("2025-12-01 09:20"), actor="hu_xiaoyan", step="approve")
    assert case.open_steps == ("make_licence_paper",)
    case = engine.act(case, "issue_certificate", at=t("2025-12-01 09:30"), actor="tian_tian",
                      number="N-1")  # fmt: skip
    assert case.status is Status.CERTIFIED
    assert case.events[-1].details["step"] == "make_licence_paper"
    assert engine.replay(case.events) == case


def test_several_results_are_offered_with_their_ids() -> None:
    """The offer to issue lists the results still to issue, at the step issuing them."""
    case = decided()
    offers = [a for a in ENGINE.available_actions(case, t("2025-06-05 09:00"))
              if a.action == "issue_certificate"]  # fmt: skip
    assert [(a.step, a.choices) for a in offers] == [
        ("make_permit", (MAIN_RESULT, "civil_defense_approval", "waste_disposal_approval"))
    ]
    case = issue(case, "civil_defense_approval", "A-1")
    offers = [a for a in ENGINE.available_actions(case, t("2025-06-05 11:00"))
              if a.action == "issue_certificate"]  # fmt: skip
    assert [a.choices for a in offers] == [(MAIN_RESULT, "waste_disposal_approval")]


def test_a_co_departments_result_is_issued_by_its_own_signers() -> None:
    """At its own certify step only that department's signers issue it; the lead's
    window issues the rest; delivery opens when both certify steps are done."""
    engine = Engine(load_catalogue_text(OWN_STEP), CALENDAR)
    case = decided(engine)
    assert set(case.open_steps) == {"make_permit", "civil_defense_document"}
    offers = {a.step: a for a in engine.available_actions(case, t("2025-06-05 09:00"))
              if a.action == "issue_certificate"}  # fmt: skip
    assert offers["civil_defense_document"].choices == ("civil_defense_approval",)
    assert set(offers["civil_defense_document"].actors) == {"wu_xiuying", "guo_jun"}
    assert offers["make_permit"].choices == (MAIN_RESULT, "waste_disposal_approval")
    with pytest.raises(ActionNotAllowed) as caught:
        issue(case, "civil_defense_approval", "A-1", engine=engine)  # the lead's window
    assert caught.value.code == "not-a-signer"
    with pytest.raises(ActionNotAllowed) as caught:
        issue(case, MAIN_RESULT, "P-1", actor="guo_jun", engine=engine)
    assert caught.value.code == "not-a-signer"
    case = issue(case, "civil_defense_approval", "A-1", actor="guo_jun", engine=engine)
    assert case.steps["civil_defense_document"].by == "guo_jun"
    assert case.open_steps == ("make_permit",)
    case = issue(case, MAIN_RESULT, "P-1", engine=engine)
    assert case.open_steps == ("make_permit",)  # its other result is outstanding
    case = issue(case, "waste_disposal_approval", "W-1", engine=engine)
    assert case.status is Status.CERTIFIED
    assert case.open_steps == ("issue",)


def test_replay_refuses_a_result_issued_by_another_department() -> None:
    """A log where the lead's window issued 人防办's own document (or a result twice) is
    refused by replay exactly as ``act`` refused it live: the authority for the named
    result is checked in one place."""
    engine = Engine(load_catalogue_text(OWN_STEP), CALENDAR)
    case = issue(decided(engine), "civil_defense_approval", "A-1", actor="guo_jun", engine=engine)
    assert engine.replay(case.events) == case

    def by_the_window(e: Event) -> Event:
        return e._replace(actor="huang_lijuan") if e.action == "issue_certificate" else e

    with pytest.raises(LogTampered) as caught:
        engine.replay(forged(case, by_the_window).events)
    assert caught.value.code == "unauthorised"
    assert caught.value.seq == len(case.events)
    assert "huang_lijuan was not allowed to issue_certificate" in str(caught.value)

    def twice(e: Event) -> Event:
        if e.action == "issue_certificate":
            return e._replace(details={**e.details, "result": MAIN_RESULT})
        return e

    main = issue(decided(engine), MAIN_RESULT, "P-1", engine=engine)
    again = issue(main, "waste_disposal_approval", "W-1", engine=engine)
    with pytest.raises(LogTampered) as caught:  # main issued twice
        engine.replay(forged(again, twice).events)
    assert "was issued already" in str(caught.value)


@pytest.mark.parametrize("files", [FILES, OWN_STEP], ids=["unified", "own_step"])
def test_every_offer_to_issue_succeeds_with_each_choice(files: dict[str, str]) -> None:
    """``available_actions`` never lists an (actor, result) that ``act`` refuses."""
    engine = Engine(load_catalogue_text(files), CALENDAR)
    case = decided(engine)
    at = t("2025-06-05 09:00")
    while case.status is Status.APPROVED:
        offers = [a for a in engine.available_actions(case, at) if a.action == "issue_certificate"]
        assert offers
        for offer in offers:
            for actor in offer.actors:
                for result in offer.choices:
                    issue(case, result, "N", actor=actor, engine=engine, at=at)
        first = offers[0]
        case = issue(case, first.choices[0], "N", actor=first.actors[0], engine=engine, at=at)
    offered = {a.action for a in engine.available_actions(case, at)}
    assert "issue_certificate" not in offered
    assert "deliver" in offered


def _single_result_files() -> dict[str, str]:
    text = FILES[f"{JOINT}.yaml"]
    block = text[text.index("further_results:") : text.index("visits:")]
    return {**FILES, f"{JOINT}.yaml": text.replace(block, "")}


def test_a_case_moves_only_to_a_version_with_its_results() -> None:
    """``migrate`` keeps "certified iff every result issued": a result issued must be
    the new version's, and a certified case gets none new to issue."""
    old_engine = Engine(load_catalogue_text(_single_result_files()), CALENDAR)
    new_version = MatterDefinition.of(
        ENGINE.catalogue, JOINT, staff=matter_plan(ENGINE.catalogue, JOINT).staff
    )
    old_engine.add_version(new_version)
    at = t("2025-06-05 10:00")
    approved = decided(old_engine)
    moved = old_engine.migrate(approved, new_version.hash, at=at, actor="huang_lijuan")
    assert moved.matter_hash == new_version.hash
    moved = issue(moved, "civil_defense_approval", "A-1", engine=old_engine, at=at)
    assert moved.status is Status.APPROVED  # the new version's results apply
    certified = issue(decided(old_engine), MAIN_RESULT, "P-1", engine=old_engine, at=at)
    with pytest.raises(ActionNotAllowed) as caught:
        old_engine.migrate(certified, new_version.hash, at=at, actor="huang_lijuan")
    assert caught.value.code == "result-not-in-version"
    assert "civil_defense_approval, waste_disposal_approval" in str(caught.value)
    back = MatterDefinition.of(old_engine.catalogue, JOINT,
                               staff=matter_plan(old_engine.catalogue, JOINT).staff)  # fmt: skip
    with pytest.raises(ActionNotAllowed) as caught:
        old_engine.migrate(moved, back.hash, at=at, actor="huang_lijuan")
    assert caught.value.code == "result-not-in-version"


def test_migrate_refuses_to_strand_an_approved_case_with_nothing_left_to_issue() -> None:
    """An approved joint review whose main result is issued cannot move to the version
    with that one result only: nothing would be left to issue, its certify step would
    stay open for ever and the case never be certified.  Nothing changes."""
    single = MatterDefinition.of(
        load_catalogue_text(_single_result_files()), JOINT,
        staff=matter_plan(load_catalogue_text(_single_result_files()), JOINT).staff,
    )  # fmt: skip
    engine = Engine(load_catalogue(MATTERS), CALENDAR)
    engine.add_version(single)
    at = t("2025-06-05 10:00")
    case = issue(decided(engine), MAIN_RESULT, "P-1", engine=engine)
    with pytest.raises(ActionNotAllowed) as caught:
        engine.migrate(case, single.hash, at=at, actor="huang_lijuan")
    assert caught.value.code == "result-not-in-version"
    assert "nothing would be left to issue" in str(caught.value)
    # with nothing issued yet it moves, and issues the one result
    moved = engine.migrate(decided(engine), single.hash, at=at, actor="huang_lijuan")
    moved = engine.act(moved, "issue_certificate", at=at, actor="huang_lijuan", number="P-1")
    assert moved.status is Status.CERTIFIED


# --------------------------------------------------------------------------- the record


def issued_all() -> Case:
    case = issue(decided(), "civil_defense_approval", "A-1")
    case = issue(case, MAIN_RESULT, "P-1")
    return issue(case, "waste_disposal_approval", "W-1")


def test_replay_builds_the_same_case() -> None:
    """The fold of the log equals the live case after every issue (one ``evolve``)."""
    case = decided()
    for result in ("waste_disposal_approval", MAIN_RESULT, "civil_defense_approval"):
        case = issue(case, result, f"No.{result}")
        assert fold(case.events) == case
        assert ENGINE.replay(case.events, head=case.head) == case


def test_the_json_round_trip_keeps_every_result() -> None:
    """``to_json`` stores the further results, ``from_json`` proves and reads them back;
    ``to_dict`` shows each by id."""
    case = issued_all()
    text = case.to_json()
    back = Case.from_json(text)
    assert back == case
    assert back.to_json() == text
    verify(back.events, head=back.head)
    view = case.to_dict()["settlement"]
    assert view["certificate"] == {"number": "P-1", "issued": "2025-06-05",
                                   "valid_until": "2025-09-05"}  # fmt: skip
    assert view["further_results"] == {
        "civil_defense_approval": {"number": "A-1", "issued": "2025-06-05", "valid_until": None},
        "waste_disposal_approval": {
            "number": "W-1", "issued": "2025-06-05", "valid_until": "2025-12-05",
        },
    }  # fmt: skip
    partial = issue(decided(), "civil_defense_approval", "A-1")
    assert Case.from_json(partial.to_json()) == partial


def test_an_old_case_of_the_joint_review_reads_back_byte_identically() -> None:
    """A case stored before the matter had several results still reads and replays."""
    for form in ("case@2", "case@3"):
        text = (ROOT / "tests/data/cases" / form / "joint_review_restored.json").read_text("utf-8")
        case = Case.from_json(text)
        assert case.to_json() == text
        assert fold(case.events).to_json() == text
    old = Case.from_json((ROOT / "tests/data/cases/case@2/joint_review_restored.json").read_text())
    assert old.settlement.further_results == {}


def test_the_store_keeps_every_result(tmp_path: Path) -> None:
    """A SQLite store round-trips the case; each open certify step is in its people's inbox."""
    engine = Engine(load_catalogue_text(OWN_STEP), CALENDAR)
    case = decided(engine)
    with open_store(f"sqlite:///{tmp_path / 'cases.db'}", engine=engine) as store:
        store.save(case, expected_version=0)
        at = t("2025-06-05 09:00")
        for person, step in (
            ("guo_jun", "civil_defense_document"),
            ("hong_xiaoyan", "make_permit"),
        ):
            items = [i for i in store.inbox(person, at=at) if i.case_id == case.id]
            assert [(i.step, i.actions) for i in items] == [(step, ("issue_certificate",))]
        saved = case.version
        case = issue(case, "civil_defense_approval", "A-1", actor="guo_jun", engine=engine)
        store.save(case, expected_version=saved)
        assert [i for i in store.inbox("guo_jun", at=at) if i.case_id == case.id] == []
        loaded = store.load(case.id)
    assert loaded == case
    assert loaded.settlement.further_results["civil_defense_approval"].number == "A-1"


# --------------------------------------------------------------------------- downstream


def test_the_scenario_issues_every_result() -> None:
    """The bundled scenario issues the three results and closes the case."""
    path = MATTERS / "scenarios" / f"{JOINT}_several_results.yaml"
    result = run_scenario(load_scenario(path), ENGINE)
    assert result.failures == []
    case = result.case
    assert case is not None
    assert case.status is Status.CLOSED
    assert set(case.settlement.further_results) == {
        "civil_defense_approval", "waste_disposal_approval",
    }  # fmt: skip


def test_the_approval_decision_lists_every_result() -> None:
    """准予行政许可决定书 names each document and the department issuing it."""
    documents = case_documents(issued_all(), ENGINE.catalogue)
    decision = next(d for d in documents if d.kind == "approval_decision")
    assert decision.facts["result"] == "建筑工程施工许可证"
    assert decision.facts["further_results"] == [
        {"name": "人民防空工程建设审批意见书", "department": "泉州市人民防空办公室"},
        {"name": "城市建筑垃圾处置核准文件", "department": "泉州市城市管理局"},
    ]
    page = next(p for n, p in render_documents([decision]).items() if "approval" in n)
    assert "人民防空工程建设审批意见书（泉州市人民防空办公室出具）" in page


def test_the_service_guide_lists_every_result() -> None:
    """办事指南: each further result with its department, validity and example marks."""
    catalogue: Catalogue = ENGINE.catalogue
    guide = build_guide(compile_catalogue(catalogue)[JOINT], catalogue)
    assert [(r.name.text, r.department.text if r.department else None, r.validity.text)
            for r in guide.further_results] == [
        ("人民防空工程建设审批意见书", "泉州市人民防空办公室", "长期有效"),
        ("城市建筑垃圾处置核准文件", "泉州市城市管理局", "6个月"),
    ]  # fmt: skip
    assert all(r.name.example for r in guide.further_results)
    page = Templates(None).render("guide/identity.html", guide=guide)
    assert "办理结果（泉州市城市管理局出具）" in page
    assert "城市建筑垃圾处置核准文件" in page


def test_a_case_closed_without_one_of_its_results_is_an_anomaly() -> None:
    """办结未发证 names the result a closed joint handling never issued."""
    case = issued_all()
    at = t("2025-06-05 11:00")
    case = ENGINE.act(case, "deliver", at=at, actor="huang_lijuan", signed_by="李四")
    case = ENGINE.act(case, "close", at=at, actor="huang_lijuan")
    watch = Supervisor(
        load_supervision(SUPERVISION, catalogue=ENGINE.catalogue), ENGINE.catalogue, CALENDAR
    )
    rule = "closed_without_certificate"
    assert [a for a in watch.alerts(case, t("2025-06-30 09:00")) if a.rule == rule] == []

    def without_civil_defense(e: Event) -> Event | None:
        return None if e.details.get("result") == "civil_defense_approval" else e

    forged_case = forged(case, without_civil_defense)
    assert forged_case.status is Status.CLOSED
    (found,) = [a for a in watch.alerts(forged_case, t("2025-06-30 09:00")) if a.rule == rule]
    assert found.detail == "准予许可并已办结，未核发《人民防空工程建设审批意见书》"
