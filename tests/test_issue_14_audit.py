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
from approval_rules.errors import CaseDataError
from approval_rules.loader import load_catalogue
from approval_rules.workdays import WorkCalendar

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
        "application_form": [JPG],
        "land_approval": [JPG],
        "contractor_selected": [JPG],
        "drawing_review_certificate": [JPG],
        "quality_safety_measures": [JPG],
        "funding_commitment": [JPG],
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
        submit_permit(land_approval=[file])
    assert words in str(info.value)
    assert "'land_approval'" in str(info.value)


def test_materials_files_with_their_metadata_or_of_a_refused_type_are_judged() -> None:
    """Measured files are judged as before; a file of a type the rules refuse is named
    for its type in the correction notice, not asked for pixels it does not have."""
    assert submit_permit().intake.problems == ()
    case = submit_permit(land_approval=[{"name": "用地批准.pdf", "size_kb": 300}])
    assert [p.code for p in case.intake.problems] == ["wrong-file-type", "file-too-large"]
