"""Fees the format can express (issue #14): several fields multiplied, with a minimum;
an explicit "no fee" (不收费); fees assessed when the matter says (at acceptance).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from section_review import sections_reviewed

from approval_rules.compiler import check_catalogue
from approval_rules.engine import Case, Engine, Status
from approval_rules.errors import ActionNotAllowed, CaseDataError, DefinitionError
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent

DEFS = """\
kind: definitions
departments:
  - {id: cg, name: 当阳市城市管理执法局}
people:
  - {id: wang, name: 王月琴, department: cg, backup: chen}
  - {id: chen, name: 陈倩, department: cg, backup: wang}
fee_items:
  - id: occupation_fee
    name: 占道费
    rate: 2
    per_field: area
    times: [days]
    unit: 平方米·天
    minimum: 100
    legal_basis: {law: 示例收费标准}
"""

MATTER = """\
kind: matter
id: m
name: 临时占用道路
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: cg
legal_basis: [{law: 中华人民共和国道路交通安全法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
applicant_fields:
  - {id: area, name: 占用面积, type: number, unit: 平方米}
  - {id: days, name: 占用天数, type: number, unit: 天}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [wang, chen]}
  - {id: decide, name: 审批, kind: decide, decides: true, signers: [chen], after: [accept]}
  - {id: certify, name: 制证, kind: certify, signers: [wang], after: [decide]}
  - {id: deliver, name: 送达, kind: deliver, signers: [wang], after: [certify]}
fees: [{item: occupation_fee}]
result: {name: 占道许可}
"""


def _load(matter: str = MATTER, defs: str = DEFS) -> Catalogue:
    return load_catalogue_text({"d.yaml": defs, "m.yaml": matter})


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


ENGINE = Engine(_load(), WorkCalendar.china())


def _decided(applicant: dict[str, Any]) -> Case:
    case = ENGINE.submit("m", applicant, {}, at=t("2025-11-03 09:00"), actor="acme")
    case = ENGINE.act(case, "accept", at=t("2025-11-03 09:30"), actor="wang")
    return ENGINE.act(case, "pass", at=t("2025-11-03 10:00"), actor="chen")


@pytest.mark.parametrize(
    ("area", "days", "fee"),
    [(100, 3, "600.00"), (10, 3, "100.00"), (12.5, 2, "100.00"), (30.25, 4, "242.00")],
)
def test_fees_area_times_days_times_rate_with_minimum(area: float, days: int, fee: str) -> None:
    """2 yuan per m² per day: area × days × rate, never below the minimum of 100."""
    case = _decided({"area": area, "days": days})
    assert case.settlement.fees == {"occupation_fee": Decimal(fee)}


def test_fees_every_multiplied_field_is_needed_and_not_negative() -> None:
    with pytest.raises(CaseDataError, match="'days' is needed"):
        ENGINE.submit("m", {"area": 10}, {}, at=t("2025-11-03 09:00"), actor="acme")
    with pytest.raises(CaseDataError, match="'days' may not be negative"):
        ENGINE.submit("m", {"area": 10, "days": -3}, {}, at=t("2025-11-03 09:00"), actor="acme")


def test_fees_a_multiplied_field_the_matter_does_not_declare_is_reported() -> None:
    matter = MATTER.replace("  - {id: days, name: 占用天数, type: number, unit: 天}\n", "")
    with pytest.raises(DefinitionError) as caught:
        _load(matter)
    assert [i.code for i in caught.value.issues] == ["unknown-field"]
    assert "'days'" in caught.value.issues[0].message


def test_fees_times_needs_a_rate() -> None:
    defs = DEFS.replace("    rate: 2\n    per_field: area\n", "    amount: 2\n")
    with pytest.raises(DefinitionError) as caught:
        _load(defs=defs)
    assert "'times' multiplies a 'rate'" in str(caught.value)


def test_fees_no_fee_is_declared_explicitly() -> None:
    """no_fee: true (不收费) is clean; with fees, refused; fees_assessed without fees, warned."""
    free = MATTER.replace("fees: [{item: occupation_fee}]\n", "")
    declared = free.replace("result:", "no_fee: true\nresult:")

    def fee_codes(matter: str) -> list[tuple[str, tuple[str | int, ...]]]:
        return [(i.code, i.path) for i in check_catalogue(_load(matter)) if "fee" in i.code]

    assert fee_codes(declared) == []
    assert fee_codes(declared.replace("result:", "fees_assessed: decision\nresult:")) == []
    odd = free.replace("result:", "fees_assessed: acceptance\nresult:")
    assert fee_codes(odd) == [("fees-assessed-without-fees", ("fees_assessed",))]
    with pytest.raises(DefinitionError) as caught:
        _load(MATTER.replace("result:", "no_fee: true\nresult:"))
    assert "contradict" in str(caught.value)


def test_fees_bundled_matters_say_whether_they_charge() -> None:
    catalogue = load_catalogue(ROOT / "matters")
    for matter in catalogue.matters.values():
        assert bool(matter.fees) != matter.no_fee, matter.id
    assert catalogue.matters["company_registration"].no_fee
    assert catalogue.matters["planning_permit"].is_example("no_fee")


# --- assessed at acceptance: the 当阳 construction permit ------------------------------------

PERMIT = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
PERMIT_MATERIALS: dict[str, Any] = {
    "application_form": both(JPG), "land_approval": both(JPG), "contractor_selected": both(JPG),
    "drawing_review_certificate": both(JPG), "quality_safety_measures": both(JPG),
    "funding_commitment": both(JPG), "construction_drawings": "paper",
}  # fmt: skip
APPLICANT = {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
             "is_affordable_housing": False}  # fmt: skip


def _permit_accepted() -> Case:
    case = PERMIT.submit("construction_permit", APPLICANT, PERMIT_MATERIALS,
                         at=t("2025-09-26 09:00"), actor="acme")  # fmt: skip
    return PERMIT.act(case, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")


def test_fees_assessed_at_acceptance_as_the_seed_says() -> None:
    """受理时计算报建费用: the fee is known at acceptance and paid after the decision."""
    case = _permit_accepted()
    assert case.status is Status.IN_REVIEW
    assert case.settlement.fees == {"dy_infrastructure_fee": Decimal("60000.00")}
    assert case.events[-1].details["fees"] == {"dy_infrastructure_fee": "60000.00"}
    with pytest.raises(ActionNotAllowed):
        PERMIT.act(case, "record_payment", at=t("2025-09-26 10:00"), actor="chen_qian",
                   amount="60000.00")  # fmt: skip
    case = sections_reviewed(PERMIT, case, t("2025-09-28 10:00"))
    case = PERMIT.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    case = PERMIT.act(case, "pass", at=t("2025-09-29 15:00"), actor="shen_weidong")
    assert case.status is Status.APPROVED
    assert case.settlement.fees == {"dy_infrastructure_fee": Decimal("60000.00")}
    assert case.settlement.outstanding == Decimal("60000.00")
    assert PERMIT.replay(case.events, head=case.head) == case


def test_fees_assessed_at_acceptance_are_not_charged_after_a_refusal() -> None:
    case = sections_reviewed(PERMIT, _permit_accepted(), t("2025-09-28 10:00"))
    case = PERMIT.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    case = PERMIT.act(case, "refuse", at=t("2025-09-29 15:00"), actor="shen_weidong",
                      reasons=["施工图审查未通过"])  # fmt: skip
    assert case.status is Status.REFUSED
    assert case.settlement.fees == {}
    assert PERMIT.replay(case.events, head=case.head) == case
