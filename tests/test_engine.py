"""The case engine: lifecycle, authorisation, the law's clocks and the record.

Dates in the legal examples are computed with the official calendar (DOMAIN.md §2);
the bundled matters are used where they fit, a small in-memory catalogue elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from section_review import SECTION_REVIEWERS, sections_reviewed

from approval_rules.audit import EventLog, LogTampered, verify
from approval_rules.engine import (
    SYSTEM,
    Case,
    Engine,
    Status,
    StepStatus,
)
from approval_rules.errors import ActionNotAllowed, CaseDataError, CaseError, StaleCase
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent


def t(text: str) -> datetime:
    """A Beijing-time moment, e.g. t("2025-09-26 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "matters")


@pytest.fixture(scope="module")
def engine(catalogue: Catalogue) -> Engine:
    return Engine(catalogue, WorkCalendar.china())


JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
CP_APPLICANT = {
    "floor_area": 1200,
    "contract_price": 260,
    "needs_demolition": False,
    "is_affordable_housing": False,
}
CP_MATERIALS: dict[str, Any] = {
    "application_form": both(JPG),
    "land_approval": both(JPG),
    "contractor_selected": both(JPG),
    "drawing_review_certificate": both(JPG),
    "quality_safety_measures": both(JPG),
    "funding_commitment": both(JPG),
    "construction_drawings": "paper",
}
PP_MATERIALS: dict[str, Any] = {
    "application_form": "paper",
    "land_use_documents": "paper",
    "project_approval": ["approval.pdf"],
    "design_scheme": "paper",
}


def permit(engine: Engine, at: str = "2025-09-26 09:00", **changes: Any) -> Case:
    """A construction-permit case with complete materials."""
    applicant = {**CP_APPLICANT, **changes.pop("applicant", {})}
    materials = {**CP_MATERIALS, **changes.pop("materials", {})}
    return engine.submit(
        "construction_permit", applicant, materials, at=t(at), actor="acme", **changes
    )


def planning(engine: Engine, at: str = "2025-09-26 09:00", kind: str = "新建") -> Case:
    return engine.submit(
        "planning_permit", {"project_kind": kind}, PP_MATERIALS, at=t(at), actor="acme"
    )


def accepted(engine: Engine, at: str = "2025-09-26 09:00") -> Case:
    case = permit(engine, at)
    return engine.act(case, "accept", at=t(at) + timedelta(minutes=30), actor="wang_yueqin")


def approved(engine: Engine) -> Case:
    case = accepted(engine)
    case = sections_reviewed(engine, case, t("2025-09-28 10:00"))
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    return engine.act(case, "pass", at=t("2025-09-29 15:00"), actor="shen_weidong")


def refused(action: str, code: str) -> Any:
    """pytest.raises for an ActionNotAllowed with this code."""

    class _Check:
        def __enter__(self) -> None:
            self.ctx = pytest.raises(ActionNotAllowed)
            self.info = self.ctx.__enter__()

        def __exit__(self, *exc: Any) -> bool:
            handled = self.ctx.__exit__(*exc)
            err = self.info.value
            assert err.code == code, f"refused with {err.code!r} ({err.reason}), not {code!r}"
            assert err.action == action
            return bool(handled)

    return _Check()


# --------------------------------------------------------------------------- the API


def test_engine_takes_a_catalogue_and_a_calendar(catalogue: Catalogue) -> None:
    """Wrong argument types are programming errors (TypeError)."""
    with pytest.raises(TypeError):
        Engine("matters/", WorkCalendar.china())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Engine(catalogue, None)  # type: ignore[arg-type]


def test_naive_times_are_refused(engine: Engine) -> None:
    """Every ``at`` must carry its time zone."""
    with pytest.raises(TypeError, match="timezone-aware"):
        engine.submit("construction_permit", CP_APPLICANT, CP_MATERIALS,
                      at=datetime(2025, 9, 26, 9), actor="acme")  # fmt: skip
    case = permit(engine)
    with pytest.raises(TypeError):
        engine.act(case, "accept", at=datetime(2025, 9, 26, 10), actor="wang_yueqin")
    with pytest.raises(TypeError):
        engine.deadlines(case, date(2025, 9, 26))  # type: ignore[arg-type]


def test_other_time_zones_are_read_in_the_office_zone(engine: Engine) -> None:
    """An ``at`` in UTC is recorded in Beijing time; the instant is kept."""
    case = engine.submit(
        "construction_permit", CP_APPLICANT, CP_MATERIALS,
        at=datetime(2025, 9, 26, 1, 0, tzinfo=UTC), actor="acme",
    )  # fmt: skip
    assert case.events[0].at == "2025-09-26T09:00:00+08:00"
    assert case.intake.received == t("2025-09-26 09:00")


def test_unknown_matter_field_or_material_is_case_data_error(engine: Engine) -> None:
    """Input that does not fit the matter is a CaseDataError naming the culprit."""
    with pytest.raises(CaseDataError, match="did you mean 'construction_permit'"):
        engine.submit("construction_permt", {}, {}, at=t("2025-09-26 09:00"), actor="a")
    with pytest.raises(CaseDataError, match="floor_aera"):
        permit(engine, applicant={"floor_aera": 3})
    with pytest.raises(CaseDataError, match="must be a number"):
        permit(engine, applicant={"floor_area": "big"})
    with pytest.raises(CaseDataError, match="no material 'plans'"):
        permit(engine, materials={"plans": "paper"})
    with pytest.raises(CaseDataError, match="size_kb"):
        permit(
            engine,
            materials={"application_form": both({"name": "a.jpg", "size_kb": -1})},
        )


def test_numbers_the_record_cannot_write_exactly_are_refused(engine: Engine) -> None:
    """NaN, infinity and fractions under 0.0001 never reach the hash-chained record."""
    for bad in (float("nan"), float("inf"), 1e-5, -3e-7):
        with pytest.raises(CaseDataError, match="floor_area"):
            permit(engine, applicant={"floor_area": bad})
    with pytest.raises(CaseDataError, match=r"at least 0\.0001"):
        permit(engine, applicant={"floor_area": 1e-5})
    with pytest.raises(CaseDataError, match=r"at least 0\.0001"):
        permit(
            engine,
            materials={"application_form": both({"name": "a.jpg", "size_kb": 1e-6})},
        )
    with pytest.raises(CaseDataError, match="contract_price"):  # bounded (#14)
        permit(engine, applicant={"contract_price": 2**70})
    case = permit(engine, applicant={"floor_area": 1e-4, "contract_price": 10**12})
    assert case.intake.applicant["contract_price"] == 10**12
    assert Case.from_json(case.to_json()) == case == engine.replay(case.events)


def test_a_fee_field_is_needed_when_the_fee_applies(engine: Engine) -> None:
    """The fee's per-unit field must be given at submission, not discovered later."""
    applicant = {k: v for k, v in CP_APPLICANT.items() if k != "floor_area"}
    with pytest.raises(CaseDataError, match="floor_area"):
        engine.submit("construction_permit", applicant, CP_MATERIALS,
                      at=t("2025-09-26 09:00"), actor="acme")  # fmt: skip
    affordable = {**applicant, "is_affordable_housing": True}
    engine.submit("construction_permit", affordable, CP_MATERIALS,
                  at=t("2025-09-26 09:00"), actor="acme")  # fmt: skip


def test_case_is_immutable(engine: Engine) -> None:
    """A Case cannot be changed in place."""
    case = permit(engine)
    with pytest.raises(AttributeError):
        case.status = Status.CLOSED  # type: ignore[misc]
    with pytest.raises(TypeError):
        case.steps["accept"] = None  # type: ignore[index]


def test_case_ids_are_derived_or_given(engine: Engine) -> None:
    """Without a case id one is derived from the submission; a given one is kept."""
    first = permit(engine)
    assert first.id.startswith("c-")
    assert first.id == permit(engine).id
    assert permit(engine, case_id="DY-0001").id == "DY-0001"
    with pytest.raises(CaseDataError):
        permit(engine, case_id="bad#id")


# --------------------------------------------------------------------------- materials


def test_complete_materials_open_the_window_step(engine: Engine) -> None:
    """A complete submission has no problems; the acceptance step is open."""
    case = permit(engine)
    assert case.status is Status.RECEIVED
    assert case.intake.problems == ()
    assert case.open_steps == ("accept",)
    assert case.clock.notice_due == date(2025, 10, 10)  # 5 WD (Art. 32)


def test_every_material_problem_is_found_at_once(engine: Engine) -> None:
    """Missing, conditional, wrong type, too large, too few and too many pixels."""
    case = permit(
        engine,
        applicant={"needs_demolition": True, "contract_price": 400},
        materials={
            "application_form": both({"name": "form.pdf", "size_kb": 300}),
            "quality_safety_measures": {
                "paper": True,
                "files": [{"name": "m.jpg", "size_kb": 80, "width": 600, "height": 400}],
            },
            "land_approval": {
                "paper": True,
                "files": [{"name": "l.jpg", "size_kb": 80, "width": 2000, "height": 1500}],
            },
            "drawing_review_certificate": None,
        },
    )
    found = {(p.material, p.code) for p in case.intake.problems}
    assert found == {
        ("application_form", "wrong-file-type"),
        ("application_form", "file-too-large"),
        ("quality_safety_measures", "too-few-pixels"),
        ("land_approval", "too-many-pixels"),
        ("drawing_review_certificate", "missing"),
        ("demolition_progress", "missing"),  # needs_demolition
        ("wage_deposit", "missing"),  # contract_price > 300
    }


def test_pixel_limits_hold_in_either_orientation(engine: Engine) -> None:
    """A portrait A4 scan of 1200×1600 meets 640×480 … 1600×1200."""
    portrait = [{"name": "p.jpg", "size_kb": 80, "width": 1200, "height": 1600}]
    given = {"application_form": {"paper": True, "files": portrait}}
    assert permit(engine, materials=given).intake.problems == ()


def test_electronic_only_material_needs_a_file(engine: Engine) -> None:
    """A material required in electronic form cannot come on paper only."""
    case = engine.submit(
        "planning_permit", {"project_kind": "新建"}, {**PP_MATERIALS, "project_approval": True},
        at=t("2025-09-26 09:00"), actor="acme",
    )  # fmt: skip
    assert [(p.material, p.code) for p in case.intake.problems] == [
        ("project_approval", "no-electronic-copy")
    ]


def test_government_results_are_not_asked_for_again(engine: Engine) -> None:
    """A material satisfied by a prerequisite matter's result is never missing."""
    case = permit(engine)
    assert "planning_permit_certificate" not in case.intake.materials
    assert all(p.material != "planning_permit_certificate" for p in case.intake.problems)


def test_missing_tolerated_materials_are_gaps_not_problems(engine: Engine) -> None:
    """容缺: a tolerated material missing is a gap; acceptance is still possible."""
    case = permit(engine, materials={"funding_commitment": None})
    assert case.intake.problems == ()
    assert case.intake.gaps == ("funding_commitment",)


# --------------------------------------------------------------------------- acceptance


def test_correction_notice_lists_everything_once(engine: Engine) -> None:
    """One notice with every problem, the tolerated gaps and the officer's own items."""
    case = permit(
        engine,
        materials={"drawing_review_certificate": None, "funding_commitment": None},
    )
    with refused("accept", "materials-incomplete"):
        engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="wang_yueqin")
    case = engine.act(
        case, "request_correction", at=t("2025-09-29 10:00"), actor="chen_qian",
        problems=["申请表未盖章"],
    )  # fmt: skip
    assert case.status is Status.CORRECTION_REQUESTED
    notice = case.intake.notice
    assert notice is not None
    assert notice.issued == date(2025, 9, 29)
    assert [(p.material, p.code) for p in notice.items] == [
        ("drawing_review_certificate", "missing"),
        ("funding_commitment", "tolerated-missing"),
        (None, "officer"),
    ]
    with refused("request_correction", "notice-already-issued"):
        engine.act(case, "request_correction", at=t("2025-09-29 11:00"), actor="chen_qian")


def test_a_notice_needs_something_to_correct(engine: Engine) -> None:
    """With nothing found and nothing listed there is no notice to give."""
    with refused("request_correction", "nothing-to-correct"):
        engine.act(permit(engine), "request_correction", at=t("2025-09-26 10:00"),
                   actor="wang_yueqin")  # fmt: skip


def test_only_the_window_handles_acceptance(engine: Engine) -> None:
    """Acceptance, notices and refusals to accept belong to the window's signers."""
    case = permit(engine)
    for action in ("accept", "request_correction", "refuse_to_accept"):
        with refused(action, "not-a-signer"):
            engine.act(case, action, at=t("2025-09-26 10:00"), actor="fu_hong")


def test_supplement_rechecks_and_acceptance_dates_from_the_correction(engine: Engine) -> None:
    """After a notice, acceptance is the day the complete corrections arrived."""
    case = permit(engine, materials={"drawing_review_certificate": None})
    case = engine.act(case, "request_correction", at=t("2025-09-29 10:00"), actor="chen_qian")
    with refused("accept", "wrong-status"):
        engine.act(case, "accept", at=t("2025-09-30 10:00"), actor="chen_qian")
    case = engine.act(case, "supplement", at=t("2025-10-09 09:00"), actor="acme",
                      materials={"drawing_review_certificate": both(JPG)})  # fmt: skip
    assert case.status is Status.RECEIVED
    assert case.intake.corrected == date(2025, 10, 9)
    case = engine.act(case, "accept", at=t("2025-10-09 17:00"), actor="chen_qian")
    assert case.accepted_on == date(2025, 10, 9)
    assert not case.deemed_acceptance
    # 7 WD from 10-09: 10/10, 10/11 (Saturday worked), 10/13 … 10/17
    assert case.clock.statutory_due == date(2025, 10, 17)


def test_a_partial_supplement_keeps_the_case_waiting(engine: Engine) -> None:
    """Corrections that leave problems keep the case at correction_requested."""
    case = permit(engine, materials={"drawing_review_certificate": None,
                                     "quality_safety_measures": None})  # fmt: skip
    case = engine.act(case, "request_correction", at=t("2025-09-29 10:00"), actor="chen_qian")
    case = engine.act(case, "supplement", at=t("2025-10-09 09:00"), actor="acme",
                      materials={"drawing_review_certificate": both(JPG)})  # fmt: skip
    assert case.status is Status.CORRECTION_REQUESTED
    assert [p.material for p in case.intake.problems] == ["quality_safety_measures"]


def test_acceptance_without_notice_dates_from_receipt(engine: Engine) -> None:
    """Accepting a complete application later still counts from the day of receipt."""
    case = permit(engine, at="2025-09-26 16:00")
    case = engine.act(case, "accept", at=t("2025-09-29 09:00"), actor="wang_yueqin")
    assert case.accepted_on == date(2025, 9, 26)


def test_deemed_acceptance_domain_example(engine: Engine) -> None:
    """Received Fri 2025-09-26, no notice by 2025-10-10: accepted 2025-09-26, due 10-30."""
    case = planning(engine, "2025-09-26 16:00")
    still = engine.advance(case, t("2025-10-10 23:59"))
    assert still.status is Status.RECEIVED
    assert still is case
    later = engine.advance(case, t("2025-10-20 15:00"))
    assert later.status is Status.IN_REVIEW
    assert later.deemed_acceptance
    assert later.accepted_on == date(2025, 9, 26)
    assert later.clock.statutory_due == date(2025, 10, 30)
    deemed = later.events[1]
    assert (deemed.action, deemed.actor, deemed.at) == (
        "deemed_acceptance",
        SYSTEM,
        "2025-10-11T00:00:00+08:00",
    )
    # the same event whenever someone looks
    assert engine.advance(case, t("2025-10-11 00:00")).events == later.events
    extended = engine.act(later, "extend", at=t("2025-10-29 10:00"), actor="tan_zhiqiang",
                          reason="需要补充论证")  # fmt: skip
    assert extended.clock.statutory_due == date(2025, 11, 13)


def test_no_correction_notice_after_the_window(engine: Engine) -> None:
    """After 5 working days without a notice the case is accepted; no notice is possible."""
    case = permit(engine, materials={"drawing_review_certificate": None})
    with refused("request_correction", "notice-too-late"):  # not wrong-status (#14)
        engine.act(case, "request_correction", at=t("2025-10-11 09:00"), actor="chen_qian")
    later = engine.advance(case, t("2025-10-11 09:00"))
    assert later.deemed_acceptance
    assert later.intake.problems  # the problems stay on record


def test_refusal_to_accept_needs_a_reason_and_ends_the_case(engine: Engine) -> None:
    """不予受理 must say why; afterwards nothing more can be done."""
    case = permit(engine)
    with refused("refuse_to_accept", "detail-required"):
        engine.act(case, "refuse_to_accept", at=t("2025-09-26 10:00"), actor="chen_qian")
    case = engine.act(case, "refuse_to_accept", at=t("2025-09-26 10:00"), actor="chen_qian",
                      reason="不属于本机关职权范围")  # fmt: skip
    assert case.status is Status.NOT_ACCEPTED
    assert case.ending is not None
    assert case.ending.reason == "不属于本机关职权范围"
    # only the applicant's rating (好差评) is left
    offered = engine.available_actions(case, t("2025-09-26 11:00"))
    assert [(a.action, a.actors) for a in offered] == [("record_rating", ("acme",))]
    with refused("accept", "case-ended"):
        engine.act(case, "accept", at=t("2025-09-26 11:00"), actor="chen_qian")


# --------------------------------------------------------------------------- tolerated gaps


def test_tolerated_gap_needs_a_makeup_date_within_the_promise(engine: Engine) -> None:
    """容缺受理: a make-up date between today and the promised deadline is required."""
    case = permit(engine, materials={"funding_commitment": None})
    at = t("2025-09-26 10:00")
    with refused("accept", "makeup-date-required"):
        engine.act(case, "accept", at=at, actor="wang_yueqin")
    with refused("accept", "makeup-date-too-late"):
        engine.act(case, "accept", at=at, actor="wang_yueqin", makeup_by="2025-10-13")
    with refused("accept", "makeup-date-past"):
        engine.act(case, "accept", at=at, actor="wang_yueqin", makeup_by="2025-09-25")
    case = engine.act(case, "accept", at=at, actor="wang_yueqin", makeup_by=date(2025, 10, 10))
    assert case.intake.makeup_by == date(2025, 10, 10)
    assert case.clock.promised_due == date(2025, 10, 10)


def test_missed_makeup_date_terminates_at_midnight(engine: Engine) -> None:
    """The case ends at 00:00 after the make-up date, as a system event."""
    case = permit(engine, materials={"funding_commitment": None})
    case = engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="wang_yueqin",
                      makeup_by="2025-09-30")  # fmt: skip
    assert engine.advance(case, t("2025-09-30 23:59")).status is Status.IN_REVIEW
    ended = engine.advance(case, t("2025-10-09 09:00"))
    assert ended.status is Status.TERMINATED
    last = ended.events[-1]
    assert (last.action, last.actor, last.at) == ("terminate", SYSTEM, "2025-10-01T00:00:00+08:00")
    assert ended.steps["section_review"].status is StepStatus.CANCELLED
    with refused("pass", "case-ended"):
        engine.act(case, "pass", at=t("2025-10-09 09:00"), actor="fu_hong")


def test_supplied_gap_lets_the_decision_through(engine: Engine) -> None:
    """No decision while a tolerated material is missing; supplied in time, it goes on."""
    case = permit(engine, materials={"funding_commitment": None})
    case = engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="wang_yueqin",
                      makeup_by="2025-10-09")  # fmt: skip
    case = sections_reviewed(engine, case, t("2025-09-28 10:00"))
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    with refused("pass", "materials-outstanding"):
        engine.act(case, "pass", at=t("2025-09-29 15:00"), actor="shen_weidong")
    with refused("supplement", "not-a-gap"):
        engine.act(case, "supplement", at=t("2025-09-29 16:00"), actor="acme",
                   materials={"application_form": both(JPG)})  # fmt: skip
    case = engine.act(case, "supplement", at=t("2025-09-29 16:00"), actor="acme",
                      materials={"funding_commitment": both(JPG)})  # fmt: skip
    assert case.intake.gaps == ()
    case = engine.act(case, "pass", at=t("2025-09-30 09:00"), actor="shen_weidong")
    assert case.status is Status.APPROVED
    assert engine.advance(case, t("2025-10-20 09:00")).status is Status.APPROVED


# --------------------------------------------------------------------------- steps


def test_parallel_steps_open_together_and_the_join_waits(engine: Engine) -> None:
    """Both branches open at acceptance; the decision opens when both are done."""
    case = planning(engine)
    case = engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="li_juan")
    assert case.open_steps == ("review", "site_survey")
    case = engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="zhao_gang", step="review")
    assert case.open_steps == ("site_survey",)
    with refused("pass", "step-not-open"):
        engine.act(case, "pass", at=t("2025-09-28 11:00"), actor="wu_bin", step="decision")
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="qian_yong",
                      step="site_survey")  # fmt: skip
    assert case.open_steps == ("decision",)


def test_a_step_whose_condition_fails_is_skipped(engine: Engine) -> None:
    """改建 projects skip the site survey, and the decision does not wait for it."""
    case = engine.act(planning(engine, kind="改建"), "accept", at=t("2025-09-26 10:00"),
                      actor="li_juan")  # fmt: skip
    assert case.steps["site_survey"].status is StepStatus.SKIPPED
    case = engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="zhao_gang")
    assert case.open_steps == ("decision",)


def test_send_back_reopens_the_steps_in_between(engine: Engine) -> None:
    """The head sends back to section review: section and deputy review are redone."""
    case = accepted(engine)
    case = sections_reviewed(engine, case, t("2025-09-28 10:00"))
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    with refused("send_back", "bad-target"):
        engine.act(case, "send_back", at=t("2025-09-29 11:00"), actor="shen_weidong",
                   to="accept", reason="x")  # fmt: skip
    with refused("send_back", "detail-required"):
        engine.act(case, "send_back", at=t("2025-09-29 11:00"), actor="shen_weidong",
                   to="section_review")  # fmt: skip
    case = engine.act(case, "send_back", at=t("2025-09-29 11:00"), actor="shen_weidong",
                      to="section_review", reason="安全措施不具体")  # fmt: skip
    assert case.open_steps == ("section_review",)
    assert "deputy_review" not in case.steps
    assert "head_approval" not in case.steps
    assert case.steps["section_review"].due == date(2025, 9, 30)  # 1 WD from 9/29
    case = sections_reviewed(engine, case, t("2025-09-30 10:00"))
    assert case.open_steps == ("deputy_review",)


def test_steps_without_send_back_targets_cannot_send_back(engine: Engine) -> None:
    """Only declared targets: the accept step declares none."""
    case = planning(engine)
    case = engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="li_juan")
    with refused("send_back", "no-send-back"):
        engine.act(case, "send_back", at=t("2025-09-28 10:00"), actor="zhao_gang",
                   step="site_survey", to="accept", reason="x")  # fmt: skip


def test_refusal_decides_negatively_with_reasons(engine: Engine) -> None:
    """不予许可: reasons are required; open steps are cancelled; fees are not assessed."""
    case = accepted(engine)
    with refused("refuse", "cannot-refuse"):
        engine.act(case, "refuse", at=t("2025-09-28 10:00"), actor="fu_hong", reasons=["x"])
    case = sections_reviewed(engine, case, t("2025-09-28 10:00"))
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    with refused("refuse", "detail-required"):
        engine.act(case, "refuse", at=t("2025-09-29 15:00"), actor="shen_weidong", reasons=[])
    case = engine.act(case, "refuse", at=t("2025-09-29 15:00"), actor="shen_weidong",
                      reasons="施工图审查未通过")  # fmt: skip
    assert case.status is Status.REFUSED
    assert case.decision is not None
    assert (case.decision.outcome, case.decision.reasons) == ("refused", ("施工图审查未通过",))
    assert case.steps["head_approval"].status is StepStatus.CANCELLED
    assert case.settlement.fees == {}
    with refused("close", "not-delivered"):
        engine.act(case, "close", at=t("2025-09-30 09:00"), actor="chen_qian")
    case = engine.act(case, "deliver", at=t("2025-09-30 09:00"), actor="chen_qian")
    case = engine.act(case, "close", at=t("2025-09-30 10:00"), actor="chen_qian")
    assert case.status is Status.CLOSED


def test_certificate_delivery_and_closing_use_their_own_actions(engine: Engine) -> None:
    """Steps of kind certify/deliver/close are done with issue_certificate/deliver/close."""
    case = approved(engine)
    case = engine.act(case, "record_payment", at=t("2025-09-30 09:00"), actor="chen_qian",
                      amount="60000")  # fmt: skip
    with refused("pass", "use-specific-action"):
        engine.act(case, "pass", at=t("2025-09-30 10:00"), actor="chen_qian")


def test_co_department_silence_is_deemed_agreement(engine: Engine) -> None:
    """A co-review past its limit is deemed agreed at 00:00 the day after, by the system."""
    case = engine.submit(
        "outdoor_advertising",
        {"sign_area": 20, "height": 5, "is_rooftop": False, "on_public_land": False,
         "near_road": False},
        {"application_form": "paper", "applicant_identity": "paper",
         "design_drawings": "paper", "owner_consent": "paper"},
        at=t("2025-11-03 09:00"), actor="acme",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-11-03 10:00"), actor="lin_yaqin")
    assert case.steps["traffic_opinion"].status is StepStatus.SKIPPED  # near_road false
    assert case.steps["planning_opinion"].due == date(2025, 11, 12)
    early = engine.advance(case, t("2025-11-12 23:59"))
    assert early is case
    late = engine.advance(case, t("2025-11-20 10:00"))
    deemed = [e for e in late.events if e.action == "deemed_agreement"]
    assert [(e.details["step"], e.at, e.actor) for e in deemed] == [
        ("planning_opinion", "2025-11-13T00:00:00+08:00", SYSTEM),
        ("advertising_opinion", "2025-11-13T00:00:00+08:00", SYSTEM),
    ]
    assert late.steps["planning_opinion"].status is StepStatus.DEEMED
    assert engine.advance(case, t("2025-11-13 00:00")).events == late.events
    with refused("pass", "step-not-open"):
        engine.act(late, "pass", at=t("2025-11-20 10:00"), actor="huang_zhiming",
                   step="planning_opinion")  # fmt: skip


def test_co_review_without_deemed_agreement_just_stays_open(engine: Engine) -> None:
    """The traffic police's answer is a legal condition: no deemed agreement."""
    case = engine.submit(
        "temporary_road_occupation",
        {"purpose": "堆放物料", "occupied_area": 4, "occupation_days": 1, "area_days": 4,
         "is_public_works": True},
        {"application_form": "paper", "applicant_identity": "paper", "site_plan": "paper",
         "restoration_commitment": "paper"},
        at=t("2025-12-01 09:00"), actor="acme",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-12-01 10:00"), actor="peng_li")
    later = engine.advance(case, t("2025-12-31 10:00"))
    assert later.steps["traffic_police_review"].status is StepStatus.OPEN
    assert engine.deadlines(later, t("2025-12-31 10:00")).steps["traffic_police_review"].overdue


def test_co_department_disagreement_needs_reasons(engine: Engine) -> None:
    """A co-department answering 'disagree' gives its opinion; others cannot disagree."""
    case = engine.submit(
        "outdoor_advertising",
        {"sign_area": 20, "height": 5, "is_rooftop": False, "on_public_land": True,
         "near_road": True},
        {"application_form": "paper", "applicant_identity": "paper", "design_drawings": "paper"},
        at=t("2025-11-03 09:00"), actor="acme",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-11-03 10:00"), actor="lin_yaqin")
    with refused("pass", "detail-required"):
        engine.act(case, "pass", at=t("2025-11-04 10:00"), actor="xu_wenbin",
                   step="traffic_opinion", agree=False)  # fmt: skip
    with refused("pass", "cannot-disagree"):
        engine.act(case, "pass", at=t("2025-11-04 10:00"), actor="chen_jianhua",
                   step="lead_review", agree=False, opinion="不同意")  # fmt: skip
    case = engine.act(case, "pass", at=t("2025-11-04 10:00"), actor="xu_wenbin",
                      step="traffic_opinion", agree=False, opinion="遮挡视距")  # fmt: skip
    state = case.steps["traffic_opinion"]
    assert (state.status, state.agreed, state.opinion) == (StepStatus.PASSED, False, "遮挡视距")


def test_several_open_steps_need_the_step_named(engine: Engine) -> None:
    """With parallel steps open, the actor must say which one."""
    case = engine.act(planning(engine), "accept", at=t("2025-09-26 10:00"), actor="li_juan")
    with refused("pass", "detail-required"):
        engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="zhao_gang")
    with refused("pass", "unknown-step"):
        engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="zhao_gang", step="reveiw")


# --------------------------------------------------------------------------- authority


def test_only_signers_may_act_on_a_step(engine: Engine) -> None:
    """A person who is not a signer of the step is refused, with the signers listed."""
    case = accepted(engine)
    with pytest.raises(ActionNotAllowed) as err:
        engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="wang_wei")
    assert err.value.code == "not-a-signer"
    assert "fu_hong" in err.value.reason


def test_backup_acts_only_while_the_principal_is_absent(engine: Engine) -> None:
    """AB岗: 黄丽 may pass for 付红 only during 付红's recorded absence."""
    case = accepted(engine)
    with refused("pass", "principal-not-absent"):
        engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="huang_li")
    with refused("record_absence", "not-authorised"):
        engine.act(case, "record_absence", at=t("2025-09-28 10:00"), actor="huang_li",
                   person="fu_hong")  # fmt: skip
    case = engine.act(case, "record_absence", at=t("2025-09-28 10:00"), actor="fu_hong",
                      person="fu_hong", start="2025-09-29", end="2025-09-30")  # fmt: skip
    with refused("pass", "principal-not-absent"):
        engine.act(case, "pass", at=t("2025-09-28 11:00"), actor="huang_li")
    case = engine.act(case, "pass", at=t("2025-09-29 09:00"), actor="huang_li")
    signature = case.steps["section_review"].signatures[0]
    assert (signature.by, signature.on_behalf_of, signature.section) == (
        "huang_li", "fu_hong", "construction",
    )  # fmt: skip


def test_absences_are_recorded_by_the_person_or_a_colleague(engine: Engine) -> None:
    """Anyone of the department but the backup; only for people of this matter."""
    case = accepted(engine)
    with refused("record_absence", "unknown-person"):
        engine.act(case, "record_absence", at=t("2025-09-28 10:00"), actor="ai_wei",
                   person="li_juan")  # fmt: skip
    with refused("record_absence", "bad-period"):
        engine.act(case, "record_absence", at=t("2025-09-28 10:00"), actor="ai_wei",
                   person="fu_hong", start="2025-09-30", end="2025-09-29")  # fmt: skip
    with refused("record_absence", "not-authorised"):
        engine.act(case, "record_absence", at=t("2025-09-28 10:00"), actor="li_juan",
                   person="fu_hong")  # fmt: skip
    case = engine.act(case, "record_absence", at=t("2025-09-28 10:00"), actor="ai_wei",
                      person="fu_hong", reason="出差")  # fmt: skip
    assert case.absences[0].start == case.absences[0].end == date(2025, 9, 28)


def test_extension_by_the_head_of_this_office_once_before_the_deadline(engine: Engine) -> None:
    """Art. 42: the lead department's head, with a reason, on or before the deadline, once."""
    case = engine.act(planning(engine), "accept", at=t("2025-09-26 10:00"), actor="li_juan")
    at = t("2025-10-20 10:00")
    with refused("extend", "not-authorised"):
        engine.act(case, "extend", at=at, actor="shen_weidong", reason="x")  # other office
    with refused("extend", "detail-required"):
        engine.act(case, "extend", at=at, actor="tan_zhiqiang")
    with refused("extend", "extension-too-late"):
        engine.act(case, "extend", at=t("2025-10-31 09:00"), actor="tan_zhiqiang", reason="x")
    extended = engine.act(case, "extend", at=at, actor="tan_zhiqiang", reason="补充论证")
    assert extended.clock.statutory_due == date(2025, 11, 13)
    assert extended.clock.promised_due > case.clock.promised_due
    with refused("extend", "already-extended"):
        engine.act(extended, "extend", at=at, actor="tan_zhiqiang", reason="again")


def test_matters_without_extension_refuse_it(engine: Engine) -> None:
    """The construction permit's 7 days come from its own law: no Art. 42 extension."""
    with refused("extend", "no-extension"):
        engine.act(accepted(engine), "extend", at=t("2025-09-28 10:00"),
                   actor="shen_weidong", reason="x")  # fmt: skip


def test_the_system_actor_is_reserved(engine: Engine) -> None:
    """Nobody may act as 'system'."""
    with refused("accept", "reserved-actor"):
        engine.act(permit(engine), "accept", at=t("2025-09-26 10:00"), actor=SYSTEM)


def test_withdrawal_by_the_applicant_before_the_decision(engine: Engine) -> None:
    """Only the applicant withdraws, and only before the decision."""
    case = accepted(engine)
    with refused("withdraw", "not-the-applicant"):
        engine.act(case, "withdraw", at=t("2025-09-28 10:00"), actor="fu_hong")
    gone = engine.act(case, "withdraw", at=t("2025-09-28 10:00"), actor="acme", reason="项目调整")
    assert gone.status is Status.WITHDRAWN
    assert gone.steps["section_review"].status is StepStatus.CANCELLED
    with refused("withdraw", "wrong-status"):
        engine.act(approved(engine), "withdraw", at=t("2025-09-30 10:00"), actor="acme")


def test_unknown_actions_and_details(engine: Engine) -> None:
    """An unknown action is refused with a suggestion; an unknown detail is bad input."""
    case = permit(engine)
    with pytest.raises(ActionNotAllowed, match="did you mean 'accept'"):
        engine.act(case, "acept", at=t("2025-09-26 10:00"), actor="wang_yueqin")
    with pytest.raises(CaseDataError, match="makeup"):
        engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="wang_yueqin", makeup="x")


# --------------------------------------------------------------------------- clocks


def test_spring_festival_domain_example(engine: Engine) -> None:
    """Accepted Fri 2026-02-13: 7 WD → 2026-03-02; 20 WD → 2026-03-19."""
    case = permit(engine, at="2026-02-13 09:00")
    case = engine.act(case, "accept", at=t("2026-02-13 10:00"), actor="wang_yueqin")
    assert case.clock.statutory_due == date(2026, 3, 2)
    other = engine.act(planning(engine, "2026-02-13 09:00"), "accept",
                       at=t("2026-02-13 10:00"), actor="li_juan")  # fmt: skip
    assert other.clock.statutory_due == date(2026, 3, 19)


def test_hearing_domain_example(engine: Engine) -> None:
    """Accepted 2025-03-03, hearing 2025-03-10..21 not counted: due 2025-04-15 (not 03-31)."""
    case = planning(engine, "2025-03-03 09:00", kind="改建")
    case = engine.act(case, "accept", at=t("2025-03-03 10:00"), actor="li_juan")
    assert case.clock.statutory_due == date(2025, 3, 31)
    case = engine.act(case, "start_clock_stop", at=t("2025-03-10 09:00"), actor="zhao_gang",
                      kind="hearing", notice="听证通知 3 号", needed_days=5)  # fmt: skip
    during = engine.deadlines(case, t("2025-03-14 10:00"))
    assert during.stopped
    assert during.statutory is not None
    assert during.statutory.stopped
    assert during.statutory.elapsed == 4  # 3/4 … 3/7 counted; 3/10 on is stopped
    case = engine.act(case, "end_clock_stop", at=t("2025-03-21 17:00"), actor="zhao_gang")
    assert case.clock.statutory_due == date(2025, 4, 15)
    assert case.clock.stops[0].start == date(2025, 3, 10)
    assert case.clock.stops[0].end == date(2025, 3, 21)
    # the review's own 3 WD ran out on 03-06, before the hearing began: unchanged
    assert case.steps["review"].due == date(2025, 3, 6)


def test_clock_stop_kinds_and_notice(engine: Engine) -> None:
    """Only the law's kinds or the matter's own; a written notice reference is required."""
    case = engine.act(planning(engine), "accept", at=t("2025-09-26 10:00"), actor="li_juan")
    at = t("2025-09-28 10:00")
    with refused("start_clock_stop", "bad-stop-kind"):
        engine.act(
            case,
            "start_clock_stop",
            at=at,
            actor="zhao_gang",
            kind="lunch",
            notice="n",
            needed_days=5,
        )
    with refused("start_clock_stop", "detail-required"):
        engine.act(case, "start_clock_stop", at=at, actor="zhao_gang", kind="hearing")
    with refused("start_clock_stop", "not-a-signer"):
        engine.act(
            case,
            "start_clock_stop",
            at=at,
            actor="fu_hong",
            kind="hearing",
            notice="n",
            needed_days=5,
        )
    with refused("end_clock_stop", "no-clock-stop"):
        engine.act(case, "end_clock_stop", at=at, actor="zhao_gang")
    stopped = engine.act(case, "start_clock_stop", at=at, actor="zhao_gang",
                         kind="public_notice", notice="批前公示", needed_days=5)  # fmt: skip
    assert stopped.clock.active_stop is not None


def test_a_stop_on_days_off_moves_nothing(engine: Engine) -> None:
    """A stop lying wholly on non-working days leaves the deadline where it was."""
    case = engine.act(planning(engine), "accept", at=t("2025-09-26 10:00"), actor="li_juan")
    before = case.clock.statutory_due
    case = engine.act(case, "start_clock_stop", at=t("2025-10-04 10:00"), actor="zhao_gang",
                      kind="expert_review", notice="专家评审通知", needed_days=5)  # fmt: skip
    case = engine.act(case, "end_clock_stop", at=t("2025-10-05 10:00"), actor="zhao_gang")
    assert case.clock.statutory_due == before


def test_green_channel_halves_the_promise(engine: Engine) -> None:
    """绿色通道: 10 WD promised becomes 5 for a key project; others may not ask."""
    materials = {"stage_application_form": "paper", "contractor_selected": "paper",
                 "drawing_review_certificate": ["x.pdf"], "waste_disposal_plan": "paper",
                 "funding_commitment": "paper"}  # fmt: skip
    key = engine.submit("construction_stage_joint_review", {"is_key_project": True}, materials,
                        at=t("2025-11-17 09:00"), actor="acme", green_channel=True)  # fmt: skip
    assert key.clock.promised_limit == (5, "working_days")
    assert key.clock.statutory_limit == (45, "working_days")
    with refused("submit", "no-green-channel"):
        engine.submit("construction_stage_joint_review", {"is_key_project": False}, materials,
                      at=t("2025-11-17 09:00"), actor="acme", green_channel=True)  # fmt: skip
    with refused("submit", "no-green-channel"):
        permit(engine, green_channel=True)


def test_deadlines_report_elapsed_remaining_and_fraction(engine: Engine) -> None:
    """Statutory, promised and step periods on a day, from the recorded due dates."""
    case = accepted(engine)  # accepted 2025-09-26, statutory 10-13, promised 10-10
    report = engine.deadlines(case, t("2025-09-30 10:00"))
    assert report.statutory is not None
    assert report.promised is not None
    assert (report.statutory.due, report.statutory.elapsed, report.statutory.remaining) == (
        date(2025, 10, 13),
        3,
        4,
    )
    assert report.promised.fraction_used == pytest.approx(0.6)
    assert report.steps["section_review"].due == date(2025, 9, 28)
    assert report.steps["section_review"].overdue
    assert report.correction_notice is not None
    assert report.correction_notice.ended == date(2025, 9, 26)
    late = engine.deadlines(case, t("2025-10-14 10:00"))
    assert late.statutory is not None
    assert late.statutory.overdue
    assert late.statutory.remaining < 0


def test_notice_window_of_a_deemed_acceptance_ran_to_its_end(engine: Engine) -> None:
    """Deemed acceptance: the notice window used all 5 days, though acceptance is retroactive."""
    case = engine.advance(planning(engine, "2025-09-26 16:00"), t("2025-10-20 09:00"))
    window = engine.deadlines(case, t("2025-10-20 09:00")).correction_notice
    assert window is not None
    assert (window.ended, window.elapsed, window.overdue) == (date(2025, 10, 10), 5, False)


def test_statutory_period_stops_running_at_the_decision(engine: Engine) -> None:
    """After the decision the statutory period is over; the certificate's runs 10 WD."""
    case = approved(engine)  # decided 2025-09-29
    report = engine.deadlines(case, t("2025-11-30 10:00"))
    assert report.statutory is not None
    assert report.statutory.ended == date(2025, 9, 29)
    assert not report.statutory.overdue
    assert case.clock.certificate_due == date(2025, 10, 20)
    assert report.certificate is not None
    assert report.certificate.overdue


def test_immediate_matter_limits_in_office_hours(engine: Engine) -> None:
    """即办件: half a working day from 09:15 ends at noon the same day."""
    case = engine.submit(
        "individual_business_registration", {"is_family_run": False},
        {"application_form": "paper", "operator_identity": ["id.jpg"],
         "premises_documents": "paper"},
        at=t("2025-12-01 09:05"), actor="acme",
    )  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-12-01 09:15"), actor="tian_tian")
    assert case.clock.promised_due == date(2025, 12, 1)
    assert case.clock.statutory_due == date(2025, 12, 4)


# --------------------------------------------------------------------------- after the decision


def test_fees_payment_certificate_delivery_closing(engine: Engine) -> None:
    """Fees from the rate and the applicant's area, paid in parts; then the certificate."""
    case = approved(engine)
    assert case.settlement.fees == {"dy_infrastructure_fee": Decimal("60000.00")}
    with refused("issue_certificate", "fees-outstanding"):
        engine.act(case, "issue_certificate", at=t("2025-09-30 09:00"), actor="chen_qian",
                   number="1")  # fmt: skip
    with refused("record_payment", "bad-amount"):
        engine.act(case, "record_payment", at=t("2025-09-30 09:00"), actor="chen_qian",
                   amount="60000.01")  # fmt: skip
    with pytest.raises(CaseDataError):
        engine.act(case, "record_payment", at=t("2025-09-30 09:00"), actor="chen_qian",
                   amount="1.001")  # fmt: skip
    case = engine.act(case, "record_payment", at=t("2025-09-30 09:00"), actor="chen_qian",
                      amount=20000)  # fmt: skip
    assert case.open_steps == ("notify_and_fee",)
    assert case.settlement.outstanding == Decimal("40000.00")
    case = engine.act(case, "record_payment", at=t("2025-09-30 09:30"), actor="chen_qian",
                      amount=Decimal("40000.00"), receipt="票据 12")  # fmt: skip
    assert case.open_steps == ("make_certificate",)
    with refused("deliver", "wrong-status"):
        engine.act(case, "deliver", at=t("2025-09-30 10:00"), actor="chen_qian")
    case = engine.act(case, "issue_certificate", at=t("2025-11-30 10:00"), actor="chen_qian",
                      number="420582-0001")  # fmt: skip
    assert case.status is Status.CERTIFIED
    assert case.settlement.certificate is not None
    assert case.settlement.certificate.valid_until == date(2026, 2, 28)  # 3 months, clamped
    case = engine.act(case, "deliver", at=t("2025-11-30 11:00"), actor="chen_qian",
                      signed_by="张三")  # fmt: skip
    assert case.status is Status.DELIVERED
    case = engine.act(case, "close", at=t("2025-11-30 12:00"), actor="chen_qian")
    assert case.status is Status.CLOSED
    assert case.settlement.closed == date(2025, 11, 30)


def test_affordable_housing_pays_nothing(engine: Engine) -> None:
    """The fee's condition does not hold: no fee, and the fee step just passes."""
    case = permit(engine, applicant={"is_affordable_housing": True})
    case = engine.act(case, "accept", at=t("2025-09-26 10:00"), actor="wang_yueqin")
    case = sections_reviewed(engine, case, t("2025-09-28 10:00"))
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    case = engine.act(case, "pass", at=t("2025-09-29 15:00"), actor="shen_weidong")
    assert case.settlement.fees == {}
    with refused("record_payment", "nothing-to-pay"):
        engine.act(case, "record_payment", at=t("2025-09-30 09:00"), actor="chen_qian",
                   amount=1)  # fmt: skip
    case = engine.act(case, "pass", at=t("2025-09-30 09:00"), actor="chen_qian")
    assert case.open_steps == ("make_certificate",)


def test_waivable_fees_may_be_waived_with_a_reason(engine: Engine) -> None:
    """减免: a waivable fee is waived with a reason and the fee step passes."""
    case = approved(engine)
    with refused("waive_fee", "not-waivable"):
        engine.act(case, "waive_fee", at=t("2025-09-30 09:00"), actor="chen_qian",
                   item="other", reason="x")  # fmt: skip
    with refused("pass", "fees-outstanding"):
        engine.act(case, "pass", at=t("2025-09-30 09:00"), actor="chen_qian")
    case = engine.act(case, "waive_fee", at=t("2025-09-30 09:00"), actor="chen_qian",
                      item="dy_infrastructure_fee", reason="市政府专题会议纪要 12 号")  # fmt: skip
    assert case.settlement.outstanding == 0
    assert case.open_steps == ("make_certificate",)


def test_close_without_a_close_step_needs_delivery(engine: Engine) -> None:
    """Where the matter has no close step the window closes after delivery."""
    case = engine.act(planning(engine, kind="改建"), "accept", at=t("2025-09-26 10:00"),
                      actor="li_juan")  # fmt: skip
    case = engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="zhao_gang")
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wu_bin")
    with refused("close", "not-delivered"):
        engine.act(case, "close", at=t("2025-09-29 11:00"), actor="li_juan")
    case = engine.act(case, "issue_certificate", at=t("2025-09-29 11:00"), actor="li_juan",
                      number="建字 1 号")  # fmt: skip
    assert case.settlement.certificate is not None
    assert case.settlement.certificate.valid_until is None
    case = engine.act(case, "deliver", at=t("2025-09-29 12:00"), actor="he_jing")
    case = engine.act(case, "close", at=t("2025-09-29 13:00"), actor="he_jing")
    assert case.status is Status.CLOSED


# --------------------------------------------------------------------------- the record


def test_every_action_is_a_hash_chained_event(engine: Engine) -> None:
    """Each accepted action adds one event; the log verifies end to end."""
    case = approved(engine)
    assert [e.action for e in case.events] == ["submit", "accept", *["pass"] * 4, "pass", "pass"]
    assert case.version == 8 == case.events[-1].seq
    verify(case.events, head=case.head)
    assert case.events[2].details["step"] == "section_review"
    assert case.events[7].details["decision"]["fees"] == {"dy_infrastructure_fee": "60000.00"}


def test_replay_and_json_rebuild_the_same_case(engine: Engine) -> None:
    """The case is a fold of its events: replay and a JSON round trip give it back."""
    case = approved(engine)
    assert engine.replay(case.events) == case
    text = case.to_json()
    again = Case.from_json(text)
    assert again == case
    assert again.to_json() == text
    assert Case.from_json(text.encode()) == case


def test_serialised_case_is_compact(engine: Engine) -> None:
    """No definition is embedded: the header, the state and the events only."""
    text = approved(engine).to_json()
    # 8 events: four section reviewers sign; the submission lists the six materials
    # handed in on paper beside their files (form: both)
    assert len(text.encode()) < 5632
    assert "section_review" in text
    assert "科室审核" not in text


def test_from_json_refuses_what_is_not_a_case(engine: Engine) -> None:
    """Malformed text or a header that disagrees with the events is CaseDataError."""
    text = accepted(engine).to_json()
    for bad in ("{", "[]", '{"format": "other"}', text.replace('"version":2', '"version":3'),
                text.replace('"status":"in_review"', '"status":"shelved"')):  # fmt: skip
        with pytest.raises(CaseDataError):
            Case.from_json(bad)


def test_from_json_refuses_an_edited_snapshot(engine: Engine) -> None:
    """from_json believes the stored state only as far as the events prove it."""
    case = accepted(engine)
    text = case.to_json().replace('"status":"in_review"', '"status":"closed"')
    with pytest.raises(LogTampered) as caught:
        Case.from_json(text)
    assert caught.value.code == "state"
    edited = Case.from_json(text, trusted=True)
    assert edited.status is Status.CLOSED
    rebuilt = engine.replay(edited.events, head=edited.head)
    assert rebuilt == case != edited


def test_replay_refuses_a_tampered_log(engine: Engine) -> None:
    """A changed event fails the chain check before anything is rebuilt."""
    case = approved(engine)
    forged = case.events[3]._replace(actor="zhou_min")
    with pytest.raises(LogTampered):
        engine.replay((*case.events[:3], forged, *case.events[4:]))
    with pytest.raises(LogTampered):
        engine.replay(case.events[:4], head=case.head)


def test_refused_actions_record_nothing(engine: Engine) -> None:
    """A refused action leaves the case exactly as it was."""
    case = accepted(engine)
    before = case.to_json()
    with pytest.raises(ActionNotAllowed):
        engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="wang_wei")
    assert case.to_json() == before
    assert case.version == 2


def test_time_never_goes_back(engine: Engine) -> None:
    """An action dated before the last event is refused."""
    case = accepted(engine)
    with refused("pass", "time-goes-back"):
        engine.act(case, "pass", at=t("2025-09-26 09:00"), actor="fu_hong")
    assert engine.advance(case, t("2025-09-26 09:00")) is case


def test_retries_with_the_same_event_id_are_idempotent(engine: Engine) -> None:
    """The same event id again returns the case unchanged; reused for another action, refused."""
    case = accepted(engine)
    once = engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong",
                      event_id="req-42")  # fmt: skip
    assert once.events[-1].id == "req-42"
    again = engine.act(once, "pass", at=t("2025-09-28 10:05"), actor="fu_hong",
                       event_id="req-42")  # fmt: skip
    assert again is once
    with refused("accept", "event-id-reused"):
        engine.act(once, "accept", at=t("2025-09-28 10:05"), actor="wang_yueqin",
                   event_id="req-42")  # fmt: skip


def test_expected_version_rejects_stale_writers(engine: Engine) -> None:
    """Optimistic concurrency: acting on an old version raises StaleCase."""
    case = accepted(engine)
    engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong", expected_version=2)
    with pytest.raises(StaleCase) as err:
        engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong", expected_version=1)
    assert (err.value.expected, err.value.actual) == (1, 2)


def test_cases_are_pinned_to_their_matter_version(engine: Engine, catalogue: Catalogue) -> None:
    """An engine whose matter changed refuses to act on (or replay) older cases."""
    case = accepted(engine)
    texts = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "matters").glob("*.yaml")}
    texts["construction_permit.yaml"] = texts["construction_permit.yaml"].replace(
        "name: 建筑工程施工许可证核发", "name: 建筑工程施工许可证核发（2026 年修订）", 1
    )
    changed = Engine(load_catalogue_text(texts), WorkCalendar.china())
    with pytest.raises(CaseError, match="version"):
        changed.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong")
    with pytest.raises(CaseError, match="version"):
        changed.replay(case.events)
    # the original engine still works: engines share nothing
    assert engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong").version == 3


# --------------------------------------------------------------------------- what may happen


def _who(actions: list[Any], action: str, step: str | None = None) -> tuple[str, ...]:
    for a in actions:
        if a.action == action and (step is None or a.step == step):
            return tuple(a.actors)
    return ()


def test_available_actions_at_the_window(engine: Engine) -> None:
    """On receipt: the window accepts or notifies; the applicant may withdraw."""
    actions = engine.available_actions(permit(engine), t("2025-09-26 10:00"))
    assert _who(actions, "accept") == ("chen_qian", "wang_yueqin")
    assert _who(actions, "withdraw") == ("acme",)
    assert _who(actions, "pass") == ()


def test_available_actions_show_backups_only_during_absence(engine: Engine) -> None:
    """黄丽 is listed for section review only while 付红 is recorded absent."""
    case = accepted(engine)
    assert "huang_li" not in _who(engine.available_actions(case, t("2025-09-28 10:00")),
                                  "pass", "section_review")  # fmt: skip
    case = engine.act(case, "record_absence", at=t("2025-09-28 10:00"), actor="fu_hong",
                      person="fu_hong")  # fmt: skip
    actions = engine.available_actions(case, t("2025-09-28 11:00"))
    assert "huang_li" in _who(actions, "pass", "section_review")
    item = next(a for a in actions if (a.action, a.step) == ("pass", "section_review"))
    assert dict(item.stands_in_for) == {"huang_li": "fu_hong"}  # whom the backup covers
    assert item.to_dict()["stands_in_for"] == {"huang_li": "fu_hong"}
    passed = engine.act(case, "pass", at=t("2025-09-28 11:00"), actor="huang_li")
    assert passed.events[-1].details["for"] == "fu_hong"
    assert "huang_li" not in _who(engine.available_actions(case, t("2025-09-29 09:00")),
                                  "pass", "section_review")  # fmt: skip


def test_available_actions_match_what_act_accepts(engine: Engine) -> None:
    """Every listed (action, actor) on an open step succeeds; another signer is refused."""
    case = engine.act(planning(engine), "accept", at=t("2025-09-26 10:00"), actor="li_juan")
    at = t("2025-09-28 10:00")
    for item in engine.available_actions(case, at):
        if item.action != "pass":
            continue
        for actor in item.actors:
            engine.act(case, "pass", at=at, actor=actor, step=item.step)
    with refused("pass", "not-a-signer"):
        engine.act(case, "pass", at=at, actor="wu_bin", step="review")


# --------------------------------------------------------------------------- a small catalogue

MINI_DEFS = """
kind: definitions
departments:
  - {id: office, name: 审批局}
  - {id: partner, name: 协办局}
roles:
  - {id: reviewer, name: 审查员}
  - {id: head, name: 局长}
people:
  - {id: clerk, name: 窗口, department: office, backup: clerk2}
  - {id: clerk2, name: 窗口二, department: office}
  - {id: rev1, name: 审查一, department: office, roles: [reviewer]}
  - {id: rev2, name: 审查二, department: office, roles: [reviewer]}
  - {id: dual, name: 两岗, department: office, roles: [reviewer]}
  - {id: boss, name: 局长, department: office, roles: [head], backup: dual}
  - {id: coop, name: 协办, department: partner}
fee_items:
  - id: area_fee
    name: 面积费
    rate: 2.5
    per_field: area
    minimum: 50
    maximum: 1000
    legal_basis: {law: 某规定}
"""

MINI_MATTER = """
kind: matter
id: mini
name: 小事项
catalogue_code: "M1"
implementation_code: "M1-1"
matter_type: administrative_license
lead_department: office
co_departments: [partner]
legal_basis: [{law: 行政许可法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
  extension: {value: 10, approved_by: head}
applicant_fields:
  - {id: area, name: 面积, type: number}
materials:
  - id: form
    name: 申请书
    form: electronic
    electronic: {file_types: [pdf], max_pages: 3}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [clerk], time_limit: {value: 1}}
  - {id: review, name: 审查, kind: review, signer_roles: [reviewer], after: [accept],
     time_limit: {value: 3}}
  - {id: opinion, name: 协办, kind: co_review, department: partner, signers: [coop],
     after: [accept], time_limit: {value: 2}, on_timeout: deem_agreed}
  - {id: decide, name: 决定, kind: decide, signers: [boss, dual], after: [review, opinion],
     separate_from: [review], decides: true, can_refuse: true, send_back_to: [review],
     time_limit: {value: 2}}
  - {id: fee, name: 收费, kind: fee, signers: [clerk], after: [decide]}
  - {id: certify, name: 制证, kind: certify, signers: [clerk], after: [fee]}
  - {id: deliver, name: 送达, kind: deliver, signers: [clerk], after: [certify]}
  - {id: close, name: 办结, kind: close, signers: [clerk], after: [deliver]}
fees:
  - item: area_fee
result: {name: 许可证, validity: {value: 1, unit: months}}
"""


@pytest.fixture(scope="module")
def mini() -> Engine:
    return Engine(load_catalogue_text({"d.yaml": MINI_DEFS, "m.yaml": MINI_MATTER}),
                  WorkCalendar.china())  # fmt: skip


def mini_case(mini: Engine, area: float = 10, pages: int = 2) -> Case:
    case = mini.submit("mini", {"area": area},
                       {"form": [{"name": "f.pdf", "pages": pages}]},
                       at=t("2025-06-03 09:00"), actor="app")  # fmt: skip
    return mini.act(case, "accept", at=t("2025-06-03 10:00"), actor="clerk")


def test_page_limits_are_checked(mini: Engine) -> None:
    """More pages than the matter allows is a problem to correct."""
    case = mini.submit("mini", {"area": 1}, {"form": [{"name": "f.pdf", "pages": 4}]},
                       at=t("2025-06-03 09:00"), actor="app")  # fmt: skip
    assert [p.code for p in case.intake.problems] == ["too-many-pages"]


def test_pages_required_under_max_pages(mini: Engine) -> None:
    """A material with max_pages needs each file's pages: a file without them would
    count as one page and slip past the limit, so it is refused saying what to count."""
    with pytest.raises(CaseDataError) as err:
        mini.submit("mini", {"area": 1}, {"form": [{"name": "f.pdf"}]},
                    at=t("2025-06-03 09:00"), actor="app")  # fmt: skip
    message = str(err.value)
    assert "'f.pdf' of 'form' needs its pages" in message
    assert "count the pages of the file" in message
    assert "at most 3 pages" in message
    case = mini.submit("mini", {"area": 1}, {"form": [{"name": "f.pdf", "pages": 3}]},
                       at=t("2025-06-03 09:00"), actor="app")  # fmt: skip
    assert case.intake.problems == ()


def test_role_holders_sign_and_separation_of_duties(mini: Engine) -> None:
    """Holders of a signer role may act; the reviewer may not also decide."""
    case = mini_case(mini)
    case = mini.act(case, "pass", at=t("2025-06-04 10:00"), actor="dual", step="review")
    case = mini.act(case, "pass", at=t("2025-06-04 11:00"), actor="coop", step="opinion")
    with refused("pass", "separation-of-duties"):
        mini.act(case, "pass", at=t("2025-06-05 10:00"), actor="dual", step="decide")
    with refused("refuse", "separation-of-duties"):
        mini.act(case, "refuse", at=t("2025-06-05 10:00"), actor="dual", step="decide",
                 reasons=["x"])  # fmt: skip
    case = mini.act(case, "pass", at=t("2025-06-05 10:00"), actor="boss", step="decide")
    assert case.status is Status.APPROVED


def test_a_backup_cannot_cover_a_separated_step(mini: Engine) -> None:
    """dual backs up the head but reviewed the case: still not allowed to decide for him."""
    case = mini_case(mini)
    case = mini.act(case, "pass", at=t("2025-06-04 10:00"), actor="dual", step="review")
    case = mini.act(case, "pass", at=t("2025-06-04 11:00"), actor="coop", step="opinion")
    case = mini.act(case, "record_absence", at=t("2025-06-05 09:00"), actor="boss",
                    person="boss", end="2025-06-06")  # fmt: skip
    with refused("pass", "separation-of-duties"):
        mini.act(case, "pass", at=t("2025-06-05 10:00"), actor="dual", step="decide")


def test_fees_are_clamped_to_minimum_and_maximum(mini: Engine) -> None:
    """2.5 yuan per m², at least 50 and at most 1000, exact to the cent."""

    def fee(area: float) -> Decimal:
        case = mini_case(mini, area=area)
        case = mini.act(case, "pass", at=t("2025-06-04 10:00"), actor="rev1", step="review")
        case = mini.act(case, "pass", at=t("2025-06-04 11:00"), actor="coop", step="opinion")
        case = mini.act(case, "pass", at=t("2025-06-05 10:00"), actor="boss", step="decide")
        return case.settlement.fees["area_fee"]

    assert fee(3) == Decimal("50.00")
    assert fee(100.1) == Decimal("250.25")
    assert fee(1000) == Decimal("1000.00")


def test_send_back_resets_open_steps_downstream(mini: Engine) -> None:
    """Deciding sent back to review: review reopens, the decision waits again."""
    case = mini_case(mini)
    case = mini.act(case, "pass", at=t("2025-06-04 10:00"), actor="rev1", step="review")
    case = mini.act(case, "pass", at=t("2025-06-04 11:00"), actor="coop", step="opinion")
    case = mini.act(case, "send_back", at=t("2025-06-05 10:00"), actor="boss", step="decide",
                    reason="重新审查")  # fmt: skip
    assert case.open_steps == ("review",)
    assert case.steps["opinion"].status is StepStatus.PASSED  # parallel branch kept
    case = mini.act(case, "pass", at=t("2025-06-05 11:00"), actor="rev2", step="review")
    assert case.open_steps == ("decide",)


def test_deemed_agreement_waits_for_a_running_stop(mini: Engine) -> None:
    """A stop that started before the co-review's limit ran out re-dates it."""
    case = mini_case(mini)  # opinion due 2025-06-05 (2 WD)
    assert case.steps["opinion"].due == date(2025, 6, 5)
    case = mini.act(case, "start_clock_stop", at=t("2025-06-05 09:00"), actor="rev1",
                    kind="expert_review", notice="专家评审", needed_days=5)  # fmt: skip
    assert mini.advance(case, t("2025-06-20 09:00")).steps["opinion"].status is StepStatus.OPEN
    case = mini.act(case, "end_clock_stop", at=t("2025-06-09 17:00"), actor="rev1")
    # stop 6/5..6/9 holds 3 working days: due 6/5 + 3 WD = 6/10
    assert case.steps["opinion"].due == date(2025, 6, 10)
    later = mini.advance(case, t("2025-06-12 09:00"))
    assert later.steps["opinion"].status is StepStatus.DEEMED
    assert later.events[-1].at == "2025-06-11T00:00:00+08:00"


def test_full_mini_lifecycle_with_waiver_and_validity(mini: Engine) -> None:
    """Approve, settle, certify (1 month), deliver, close through the process's own steps."""
    case = mini_case(mini, area=100)
    case = mini.act(case, "pass", at=t("2025-06-04 10:00"), actor="rev1", step="review")
    case = mini.act(case, "pass", at=t("2025-06-04 11:00"), actor="coop", step="opinion")
    case = mini.act(case, "pass", at=t("2025-06-05 10:00"), actor="boss", step="decide")
    with refused("waive_fee", "not-waivable"):
        mini.act(case, "waive_fee", at=t("2025-06-05 11:00"), actor="clerk",
                 item="area_fee", reason="x")  # fmt: skip
    case = mini.act(case, "record_payment", at=t("2025-06-05 11:00"), actor="clerk",
                    amount="250.00")  # fmt: skip
    case = mini.act(case, "issue_certificate", at=t("2025-01-31 11:00") + timedelta(days=125),
                    actor="clerk", number="M-1")  # fmt: skip
    assert case.settlement.certificate is not None
    issued = case.settlement.certificate.issued
    assert issued == date(2025, 6, 5)
    assert case.settlement.certificate.valid_until == date(2025, 7, 5)
    case = mini.act(case, "deliver", at=t("2025-06-06 09:00"), actor="clerk")
    case = mini.act(case, "close", at=t("2025-06-06 10:00"), actor="clerk")
    assert case.status is Status.CLOSED
    assert Case.from_json(case.to_json()) == case


def test_available_actions_list_send_back_targets_and_stop_kinds(mini: Engine) -> None:
    """Choices come with the actions: where to send back, which stops exist."""
    case = mini_case(mini)
    case = mini.act(case, "pass", at=t("2025-06-04 10:00"), actor="dual", step="review")
    case = mini.act(case, "pass", at=t("2025-06-04 11:00"), actor="coop", step="opinion")
    actions = {(a.action, a.step): a for a in mini.available_actions(case, t("2025-06-05 09:00"))}
    assert actions[("send_back", "decide")].choices == ("review",)
    assert actions[("send_back", "decide")].actors == ("boss", "dual")
    assert "hearing" in actions[("start_clock_stop", None)].choices
    assert actions[("extend", None)].actors == ("boss",)
    # dual may send back (no separation rule on sending back) but not decide
    assert actions[("pass", "decide")].actors == ("boss",)


def test_two_engines_with_different_catalogues_coexist(mini: Engine, engine: Engine) -> None:
    """No global state: each engine knows its own matters."""
    with pytest.raises(CaseDataError):
        mini.submit("construction_permit", {}, {}, at=t("2025-06-03 09:00"), actor="a")
    assert mini_case(mini).matter_id == "mini"
    assert accepted(engine).matter_id == "construction_permit"


def _details(case: Case) -> list[Mapping[str, Any]]:
    return [e.details for e in case.events]


def test_events_carry_what_the_engine_computed(mini: Engine) -> None:
    """Opened steps with due dates, the decision and fees are in the record itself."""
    case = mini_case(mini)
    accept = _details(case)[1]
    assert accept["accepted_on"] == "2025-06-03"
    assert accept["open"] == [["review", "2025-06-06"], ["opinion", "2025-06-05"]]


# --------------------------------------------------------------------------- serial form (case@2)


def read_back(case: Case) -> Case:
    return Case.from_json(case.to_json())


def test_reading_keeps_the_events_as_text_until_they_are_used(engine: Engine) -> None:
    case = approved(engine)
    again = read_back(case)
    assert isinstance(again.events, EventLog)
    assert len(again.events) == case.version
    assert again.head == case.head
    assert again.events == case.events  # compares equal to the tuple
    assert case.events == again.events
    assert again.events[-1] == case.events[-1]
    assert again.events[1:3] == case.events[1:3]
    assert list(again.events) == list(case.events)
    assert list(reversed(again.events)) == list(reversed(case.events))
    assert case.events[2] in again.events
    assert hash(again.events) == hash(case.events)


def test_a_log_grows_without_changing(engine: Engine) -> None:
    case = read_back(accepted(engine))
    log = case.events
    after = engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong")
    assert isinstance(after.events, EventLog)
    assert len(log) == 2
    assert len(after.events) == 3
    assert after.events[:2] == tuple(log)
    assert after.head == after.events[-1].hash != case.head
    verify(after.events, head=after.head)


def test_acting_on_a_case_read_back_writes_the_same_text(engine: Engine) -> None:
    """Events written back as they were read, and the state, equal a fresh encoding."""
    memory = accepted(engine)
    stored = read_back(memory)
    moves = [
        *[("pass", who, t("2025-09-28 10:00")) for who in SECTION_REVIEWERS],
        ("pass", "wang_wei", t("2025-09-29 10:00")),
        ("pass", "shen_weidong", t("2025-09-29 15:00")),
    ]
    for action, actor, at in moves:
        memory = engine.act(memory, action, at=at, actor=actor)
        stored = read_back(engine.act(stored, action, at=at, actor=actor))
        assert stored.to_json() == memory.to_json()
        assert stored == memory
    assert stored.status is Status.APPROVED


def test_other_layouts_of_the_same_json_are_read(engine: Engine) -> None:
    """Pretty-printed or reordered JSON is parsed whole; the case is the same."""
    case = approved(engine)
    text = case.to_json()
    data = json.loads(text)
    pretty = json.dumps(dict(reversed(list(data.items()))), indent=2, ensure_ascii=False)
    again = Case.from_json(pretty)
    assert again == case
    assert again.to_json() == text


def test_broken_stored_events_are_reported_when_first_read(engine: Engine) -> None:
    text = approved(engine).to_json()
    broken = text.replace('"actor":"fu_hong"', '"actor":17', 1)
    assert broken != text
    case = Case.from_json(broken, trusted=True)  # the header and the state are fine
    with pytest.raises(CaseDataError, match="actor must be text"):
        list(case.events)
    with pytest.raises(CaseDataError, match="actor must be text"):
        Case.from_json(broken)  # proving the state reads every event
    not_json = text.replace('"seq":2,', '"seq":2,,', 1)
    with pytest.raises(CaseDataError, match="not valid JSON"):
        Case.from_json(not_json, trusted=True).events[0]


def test_a_header_that_does_not_fit_the_events_is_refused(engine: Engine) -> None:
    text = approved(engine).to_json()
    head = json.loads(text)["head"]
    for bad in (
        text.replace('"version":8', '"version":7', 1),
        text.replace(f'"head":"{head}"', f'"head":"{"0" * 64}"', 1),
        text.replace(f'"head":"{head}"', '"head":"short"', 1),
    ):
        with pytest.raises(CaseDataError, match="header"):
            Case.from_json(bad)


def test_a_malformed_state_is_refused(engine: Engine) -> None:
    text = accepted(engine).to_json()
    data = json.loads(text)
    data["state"][0] = "not an intake"
    for bad in (
        text.replace('"state":[', '"state":[1,', 1),  # one item too many
        json.dumps(data),
        text.replace('["passed",', '["finished",', 1),  # unknown step status
        text.replace('"2025-09-26T09:30:00+08:00",{}]', '"yesterday",{}]', 1),  # last_at
        text.replace('"2025-09-26T09:30:00+08:00",{}]', '"2025-09-26T09:30:00+08:00"]', 1),
        text.replace(',{}],"events"', ',{"retry-1":[2,"accept"]}],"events"', 1),  # event ids
    ):
        assert bad != text
        with pytest.raises(CaseDataError, match="state"):
            Case.from_json(bad)


def test_a_malformed_step_row_is_refused(engine: Engine) -> None:
    """A step's row in the state is 7 items, or 8 with its signatures of 4 items each."""
    text = accepted(engine).to_json()
    data = json.loads(text)
    sid, row = next(iter(data["state"][3].items()))
    assert len(row) == 7
    for bad_row, message in (
        (row[:6], "7 items"),
        ([*row, [], "more"], "7 items"),
        ([*row[:6], "yes"], "agreed is true or false"),
        ([*row, [["a", None, None]]], "a signature is"),
    ):
        data["state"][3][sid] = bad_row
        with pytest.raises(CaseDataError, match=message):
            Case.from_json(json.dumps(data), trusted=True)
    data["state"][3][sid] = [*row, [["a", None, None, None]]]
    signed = Case.from_json(json.dumps(data), trusted=True)
    assert signed.steps[sid].signatures[0].by == "a"


def test_the_first_format_is_not_read(engine: Engine) -> None:
    text = accepted(engine).to_json().replace("case@3", "case@1", 1)
    with pytest.raises(CaseDataError, match="case@3"):
        Case.from_json(text)


def test_an_edited_snapshot_shows_in_a_rebuild(engine: Engine) -> None:
    case = approved(engine)
    text = case.to_json()
    changed = text.replace('"2025-09-29","shen_weidong"', '"2025-09-30","x"', 1)
    with pytest.raises(LogTampered, match="'steps'"):
        Case.from_json(changed)
    edited = Case.from_json(changed, trusted=True)
    assert edited != case
    assert engine.replay(edited.events, head=edited.head) == case


def test_mappings_are_kept_in_key_order(engine: Engine) -> None:
    """Applicant fields and materials in any input order give the same case text."""
    case = accepted(engine)
    fields = dict(reversed(list(case.intake.applicant.items())))
    materials = {
        mid: {"paper": mid in case.intake.paper, "files": [f.to_dict() for f in files]}
        if files
        else "paper"  # [] delivers nothing (#14)
        for mid, files in case.intake.materials.items()
    }
    again = engine.submit(
        case.matter_id, fields, dict(reversed(list(materials.items()))),
        at=t("2025-09-26 09:00"), actor=case.intake.applicant_id, case_id=case.id,
    )  # fmt: skip
    again = engine.act(again, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")
    assert list(again.intake.applicant) == sorted(again.intake.applicant)
    assert again.to_json() == case.to_json()


def test_times_in_the_state_keep_their_offset(engine: Engine) -> None:
    case = read_back(accepted(engine))
    assert case.last_at == datetime.fromisoformat("2025-09-26T09:30:00+08:00")
    assert case.last_at.utcoffset() == timedelta(hours=8)
    assert case.intake.received == t("2025-09-26 09:00")
