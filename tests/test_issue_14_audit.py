"""Gaps the audit of issue #14 found (docs/issue-14.md), each test named after its bullet.

The other bullets' tests live with their modules; docs/issue-14.md maps every bullet of
the issue to its code and tests.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from approval_rules.engine import Engine
from approval_rules.errors import CaseDataError, DefinitionError
from approval_rules.loader import load_catalogue, load_catalogue_text
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
ENGINE = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())

#: A scan the 当阳 rules accept: jpg, ≤ 90 KB, 640×480 … 1600×1200.
JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
APPLICANT = {
    "floor_area": 1200,
    "contract_price": 260,
    "needs_demolition": False,
    "is_affordable_housing": False,
}


def submit_permit(**materials: Any) -> Any:
    given: dict[str, Any] = {
        "application_form": both(JPG),
        "land_approval": both(JPG),
        "contractor_selected": both(JPG),
        "drawing_review_certificate": both(JPG),
        "quality_safety_measures": both(JPG),
        "funding_commitment": both(JPG),
        "construction_drawings": "paper",
        **materials,
    }
    at = datetime(2025, 9, 26, 9, tzinfo=TZ)
    return ENGINE.submit("construction_permit", APPLICANT, given, at=at, actor="acme")


# --- Static checks: materials -----------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ({"name": "a.jpg"}, "size_kb (the matter allows at most 90 KB) and its width and height"),
        ({"name": "a.jpg", "size_kb": 80}, "width and height (the matter sets pixel limits)"),
        ({"name": "a.jpg", "width": 1024, "height": 768}, "size_kb"),
    ],
)
def test_materials_files_without_required_metadata_are_refused(
    file: dict[str, Any], words: str
) -> None:
    """A file without the size or pixels the matter's rules judge no longer passes them:
    the submission is refused and says what to measure (the 当阳 permit: ≤ 90 KB,
    640×480 … 1600×1200).
    """
    with pytest.raises(CaseDataError) as info:
        submit_permit(land_approval=both(file))
    assert words in str(info.value)
    assert "'land_approval'" in str(info.value)


def test_materials_files_with_their_metadata_or_of_a_refused_type_are_judged() -> None:
    """Measured files are judged as before; a file of a type the rules refuse is named
    for its type in the correction notice, not asked for pixels it does not have."""
    assert submit_permit().intake.problems == ()
    pdf = {"name": "用地批准.pdf", "size_kb": 300}
    case = submit_permit(land_approval=both(pdf))
    assert [p.code for p in case.intake.problems] == ["wrong-file-type", "file-too-large"]


# --- Messages for staff: "not declared" names the file and the closest name ---------------

FEE_DEFS = """\
kind: definitions
departments:
  - {id: cg, name: 当阳市城市管理执法局}
people:
  - {id: wang, name: 王月琴, department: cg, backup: chen}
  - {id: chen, name: 陈倩, department: cg, backup: wang}
fee_items:
  - {id: occupation_fee, name: 占道费, rate: 2, per_field: area, times: [days],
     unit: 平方米·天, legal_basis: {law: 示例收费标准}}
"""

FEE_MATTER = """\
kind: matter
id: m
name: 临时占用道路
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: cg
legal_basis: [{law: 中华人民共和国道路交通安全法}]
case_type: promised
time_limits: {statutory: {value: 20}, promised: {value: 10}}
applicant_fields:
  - {id: area, name: 占用面积, type: number}
  - {id: FIELD, name: 占用天数, type: number}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [wang, chen]}
  - {id: decide, name: 审批, kind: decide, decides: true, signers: [chen], after: [accept]}
  - {id: certify, name: 制证, kind: certify, signers: [wang], after: [decide]}
  - {id: deliver, name: 送达, kind: deliver, signers: [wang], after: [certify]}
fees: [{item: occupation_fee}]
result: {name: 占道许可}
"""


@pytest.mark.parametrize(
    ("field", "hint"),
    [
        ("dayz", "did you mean 'dayz' (declared under applicant_fields: in road.yaml)?"),
        (
            "zz",
            "declare an applicant field 'days' of type number under applicant_fields: in "
            "road.yaml; the closest declared field is",
        ),
    ],
)
def test_messages_not_declared_fee_field_names_the_file_and_the_closest_name(
    field: str, hint: str
) -> None:
    """A fee item counted per a field the matter lacks says where to declare it (the
    matter's file, under applicant_fields) and the closest field it has."""
    texts = {"defs.yaml": FEE_DEFS, "road.yaml": FEE_MATTER.replace("FIELD", field)}
    with pytest.raises(DefinitionError) as caught:
        load_catalogue_text(texts)
    (issue,) = caught.value.issues
    assert (issue.code, issue.path) == ("unknown-field", ("fees", 0, "item"))
    assert "'days'" in issue.message
    assert (issue.hint or "").startswith(hint), issue.hint


# --- Engine behaviour: notices for the applicant are Chinese ------------------------------

#: The notices the issue names, and the other documents a case sends the applicant.
APPLICANT_NOTICES = ("correction_notice", "refusal_decision", "extension_notice")


def _scenario_documents() -> list[tuple[Any, Any, str]]:
    """(case, document, page) for every document of every bundled scenario."""
    from approval_rules.documents import case_documents, render_documents
    from approval_rules.scenario import load_scenario, run_scenario

    out = []
    for path in sorted((ROOT / "matters" / "scenarios").glob("*.yaml")):
        case = run_scenario(load_scenario(path), ENGINE).case
        assert case is not None, path
        documents = case_documents(case, ENGINE.catalogue)
        pages = render_documents(documents)
        out.extend((case, d, pages[f"{d.name}.html"]) for d in documents)
    return out


def test_notices_for_the_applicant_are_chinese_from_the_templates() -> None:
    """Every notice a bundled case sends (the correction notice, refusal reasons and
    extension notice among them) reads in Chinese: the only Latin words are the case and
    document numbers (a revoked licence's too), the applicant's id and the file rules'
    units and types; the engine's English messages for staff never reach the page."""
    import html
    import re

    seen: set[str] = set()
    for case, document, page in _scenario_documents():
        seen.add(document.kind)
        body = re.sub(r"<(style|script|head)\b.*?</\1>", "", page, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", body))
        allowed = {document.case_id, document.number, case.events[0].actor, "KB", "jpg"}
        licence = document.case.settlement.certificate  # its number, e.g. a credit code
        if licence is not None:
            allowed |= set(re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*", licence.number))
        latin = set(re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*", text)) - allowed
        assert not latin, (document.kind, latin)
        for problem in case.intake.problems:
            assert problem.message not in text
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) >= 50, document.kind
    assert set(APPLICANT_NOTICES) <= seen


# --- Done when: each bullet has tests named after it ---------------------------------------


def _defined_tests(path: Path) -> set[str]:
    import re

    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^(?:    )?def (test_\w+)\(", text, flags=re.M))


def test_done_when_every_test_the_bullet_table_names_exists() -> None:
    """docs/issue-14.md names, for each bullet, the tests that prove it: every test it
    names on this branch exists (``name_*`` stands for a group of at least two), so the
    table cannot point at a renamed or deleted test."""
    import re

    table = (ROOT / "docs" / "issue-14.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) >= 55  # every bullet of the issue is a row
    current = ""
    named = 0
    for row in rows:
        tests_cell = row.split(" | ")[2]
        if tests_cell.startswith("branch "):
            continue  # built on another branch: its tests are not here yet
        for file, test in re.findall(r"`(test_\w+\.py)?(?:::)?(test_\w+\*?)`", tests_cell):
            current = file or current
            defined = _defined_tests(ROOT / "tests" / current)
            if test.endswith("*"):
                assert len({t for t in defined if t.startswith(test[:-1])}) >= 2, test
            else:
                assert test in defined, f"{current}::{test}"
            named += 1
    assert named >= 100


def test_messages_not_declared_matter_or_role_names_the_file_and_the_closest_name() -> None:
    """Notification rules (and supervision rules, tests/test_supervision_rules.py) naming a
    matter or role the catalogue lacks say where it is, or would be, declared and the
    closest name, as the catalogue's own "not declared" errors do."""
    from approval_rules.notify import parse_notifications

    catalogue = ENGINE.catalogue
    text = (
        "kind: notifications\nid: t\nname: 测试\ndepartment_head_role: xyz\nrules:\n"
        "  - {id: a, on: [extend], to: [department_head], matters: [construction_permt],\n"
        "     template: '{case_id}已延期'}\n"
        "  - {id: b, on: [extend], to: [signer], matters: [qqqq], template: '{case_id}已延期'}\n"
    )
    issues = parse_notifications(text, file="n.yaml", catalogue=catalogue)[1]
    hints = {i.path: i.hint or "" for i in issues}
    span = catalogue.locate("construction_permit")
    assert span is not None
    assert (
        hints["rules", 0, "matters", 0]
        == f"did you mean 'construction_permit' (declared in {span.file})?"
    )
    assert hints["rules", 1, "matters", 0].startswith(
        "declare matter 'qqqq' in a file of its own (kind: matter) in the catalogue; "
        "the closest declared matter is '"
    )
    assert hints[("department_head_role",)].startswith(
        "declare role 'xyz' under roles: in a file of kind definitions; the closest "
        "declared role is '"
    )
