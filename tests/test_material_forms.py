"""Issue #14, "`form: both` enforced": a paper copy AND electronic files.

The 当阳 notice asks for 纸质、电子各一份: a `form: both` material is complete only when
the applicant hands in both, written ``{paper: true, files: [...]}``.  Files alone are
``no-paper-copy``, paper alone ``no-electronic-copy``, each an item of the correction
notice in Chinese.  ``paper``, ``either`` and ``electronic`` keep their meaning.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from approval_rules.documents import case_documents, render_documents
from approval_rules.engine import Case, Engine, Status
from approval_rules.errors import CaseDataError
from approval_rules.loader import load_catalogue
from approval_rules.model import MaterialForm
from approval_rules.store import open_store
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())
WINDOW = "wang_yueqin"
JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
APPLICANT = {
    "floor_area": 1200,
    "contract_price": 260,
    "needs_demolition": False,
    "is_affordable_housing": False,
}
BOTH_MATERIALS = (
    "application_form",
    "land_approval",
    "contractor_selected",
    "drawing_review_certificate",
    "quality_safety_measures",
    "funding_commitment",
)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def both(*files: object) -> dict[str, object]:
    return {"paper": True, "files": list(files)}


def permit(**materials: Any) -> Case:
    """A construction permit (every material `form: both`, drawings on paper)."""
    given: dict[str, Any] = {m: both(JPG) for m in BOTH_MATERIALS}
    given["construction_drawings"] = "paper"
    given.update(materials)
    return ENGINE.submit(
        "construction_permit", APPLICANT, given, at=t("2025-09-26 09:00"), actor="acme"
    )


def codes(case: Case) -> list[tuple[str | None, str]]:
    return [(p.material, p.code) for p in case.intake.problems]


def notice_text(case: Case) -> str:
    """The correction notice the window issues for ``case``, as the applicant reads it."""
    issued = ENGINE.act(case, "request_correction", at=t("2025-09-26 10:00"), actor=WINDOW)
    documents = [d for d in case_documents(issued, CATALOGUE) if d.kind == "correction_notice"]
    page = render_documents(documents)[f"{documents[0].name}.html"]
    return re.sub(r"<[^>]+>", "", page)


def test_form_both_paper_and_files_together_is_complete() -> None:
    case = permit()
    assert case.intake.problems == ()
    assert case.intake.paper == tuple(sorted(BOTH_MATERIALS))
    accepted = ENGINE.act(case, "accept", at=t("2025-09-26 10:00"), actor=WINDOW)
    assert accepted.status is Status.IN_REVIEW


def test_form_both_files_alone_is_no_paper_copy_in_the_correction_notice() -> None:
    case = permit(application_form=[JPG], land_approval={"files": [JPG]})
    assert codes(case) == [
        ("application_form", "no-paper-copy"),
        ("land_approval", "no-paper-copy"),
    ]
    text = notice_text(case)
    assert "《建筑工程施工许可证申请表》须同时提交纸质材料" in text
    assert "须同时提交纸质材料" in text.split("建设工程用地批准手续")[1]
    assert "paper copy" not in text


def test_form_both_paper_alone_is_no_electronic_copy_in_the_correction_notice() -> None:
    for paper in ("paper", True, {"paper": True}, {"paper": True, "files": []}):
        case = permit(application_form=paper)
        assert codes(case) == [("application_form", "no-electronic-copy")], paper
        assert case.intake.materials["application_form"] == ()
    assert "《建筑工程施工许可证申请表》须提交电子件" in notice_text(
        permit(application_form="paper")
    )


def test_form_both_paper_false_delivers_the_files_only() -> None:
    case = permit(application_form={"paper": False, "files": [JPG]})
    assert codes(case) == [("application_form", "no-paper-copy")]
    nothing = permit(application_form={"paper": False})
    assert codes(nothing) == [("application_form", "missing")]


def test_form_both_file_rules_still_judge_the_files_beside_the_paper() -> None:
    big = {**JPG, "size_kb": 300}
    assert codes(permit(application_form=both(big))) == [("application_form", "file-too-large")]


@pytest.mark.parametrize(
    "value",
    [
        {"paper": "yes", "files": [JPG]},
        {"paper": True, "files": "p1.jpg"},
        {"paper": True, "files": [JPG], "copies": 2},
        {},
    ],
)
def test_form_both_malformed_combined_value_is_refused(value: object) -> None:
    with pytest.raises(CaseDataError, match="application_form"):
        permit(application_form=value)


def test_form_both_supplemented_files_join_the_paper_copy_at_the_window() -> None:
    """Paper handed in first, files supplied later: the paper copy is still there."""
    case = permit(application_form="paper")
    case = ENGINE.act(case, "request_correction", at=t("2025-09-26 10:00"), actor=WINDOW)
    case = ENGINE.act(
        case, "supplement", at=t("2025-09-29 09:00"), actor="acme",
        materials={"application_form": [JPG]},
    )  # fmt: skip
    assert case.intake.problems == ()
    assert "application_form" in case.intake.paper
    assert case.events[-1].details["paper"] == ["application_form"]
    assert ENGINE.replay(case.events) == case


def test_form_both_supplemented_paper_keeps_the_files_handed_in_before() -> None:
    case = permit(application_form=[JPG])
    case = ENGINE.act(case, "request_correction", at=t("2025-09-26 10:00"), actor=WINDOW)
    case = ENGINE.act(
        case, "supplement", at=t("2025-09-29 09:00"), actor="acme",
        materials={"application_form": "paper"},
    )  # fmt: skip
    assert case.intake.problems == ()
    assert [f.name for f in case.intake.materials["application_form"]] == ["p1.jpg"]
    assert case.status is Status.RECEIVED


def test_form_both_new_files_for_a_material_given_only_as_files_still_need_paper() -> None:
    case = permit(application_form=[{**JPG, "size_kb": 300}])
    case = ENGINE.act(case, "request_correction", at=t("2025-09-26 10:00"), actor=WINDOW)
    case = ENGINE.act(
        case, "supplement", at=t("2025-09-29 09:00"), actor="acme",
        materials={"application_form": [JPG]},
    )  # fmt: skip
    assert codes(case) == [("application_form", "no-paper-copy")]


def test_form_both_record_round_trips_through_json_and_the_store() -> None:
    case = ENGINE.act(permit(), "accept", at=t("2025-09-26 10:00"), actor=WINDOW)
    text = case.to_json()
    again = Case.from_json(text)
    assert again == case
    assert again.intake.paper == case.intake.paper
    store = open_store("sqlite:///:memory:", engine=ENGINE)
    store.save(case, expected_version=0)
    assert store.load(case.id).intake.paper == case.intake.paper


def test_form_both_a_case_without_paper_beside_files_keeps_its_form() -> None:
    """A case with no material on paper beside files writes no ``paper`` at all."""
    case = ENGINE.submit(
        "planning_permit",
        {"project_kind": "新建", "is_agent": False},
        {"application_form": "paper", "land_use_documents": "paper",
         "project_approval": ["approval.pdf"], "design_scheme": "paper"},
        at=t("2025-09-26 09:00"), actor="acme",
    )  # fmt: skip
    assert case.intake.problems == ()
    assert case.intake.paper == ()
    assert '"paper"' not in case.to_json()


def test_form_paper_either_electronic_keep_their_meaning() -> None:
    # paper: the drawings on paper are complete
    assert ("construction_drawings", "missing") not in codes(permit())
    # either (the planning permit): paper alone, or files alone, is enough
    for form in ("paper", [JPG]):
        case = ENGINE.submit(
            "planning_permit",
            {"project_kind": "新建", "is_agent": False},
            {"application_form": form, "land_use_documents": form,
             "project_approval": ["approval.pdf"], "design_scheme": form},
            at=t("2025-09-26 09:00"), actor="acme",
        )  # fmt: skip
        assert case.intake.problems == (), form
    # electronic: paper alone is not enough
    case = ENGINE.submit(
        "planning_permit",
        {"project_kind": "新建", "is_agent": False},
        {"application_form": "paper", "land_use_documents": "paper",
         "project_approval": "paper", "design_scheme": "paper"},
        at=t("2025-09-26 09:00"), actor="acme",
    )  # fmt: skip
    assert codes(case) == [("project_approval", "no-electronic-copy")]


def test_form_both_only_where_the_seed_asks_for_both() -> None:
    """The 当阳 construction permit asks for 纸质、电子各一份; no other bundled matter does."""
    with_both = {
        matter.id
        for matter in CATALOGUE.matters.values()
        if any(m.form is MaterialForm.BOTH for m in matter.materials)
    }
    assert with_both == {"construction_permit"}


def test_form_both_bundled_scenarios_hand_in_paper_and_files() -> None:
    """Every bundled scenario delivers a `both` material in both forms (or on paper
    alone, where the correction notice then asks for the files)."""
    forms = {
        (matter.id, m.id): m.form for matter in CATALOGUE.matters.values() for m in matter.materials
    }
    for path in sorted((ROOT / "matters" / "scenarios").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("kind") != "scenario":
            continue
        for mid, value in data["submit"].get("materials", {}).items():
            files_only = isinstance(value, list) or (
                isinstance(value, dict) and value.get("files") and not value.get("paper")
            )
            if forms.get((data["matter"], mid)) is MaterialForm.BOTH and files_only:
                pytest.fail(f"{path.name}: {mid} is form: both but handed in as files only")
