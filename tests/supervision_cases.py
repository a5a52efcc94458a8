"""Test helper: cases of the bundled matters for the supervision tests.

Cases are run by the real engine on the official calendar; :func:`forged` rebuilds a
record with edited events (what a record imported from another platform may hold),
re-hashed, so that the anomaly checks can be shown what the engine itself refuses to
record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from approval_rules.audit import Event, make_event
from approval_rules.engine import Case, Engine, fold
from approval_rules.errors import ActionNotAllowed


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
SUPERVISION = ROOT / "matters" / "supervision.yaml"

JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1200, "height": 1600}
CONSTRUCTION_APPLICANT = {
    "floor_area": 1200,  # 城市基础设施配套费 50 元/m²: 60,000.00 元
    "contract_price": 260,
    "needs_demolition": False,
    "is_affordable_housing": False,
}
CONSTRUCTION_MATERIALS: dict[str, Any] = {
    "application_form": both(JPG, {**JPG, "name": "p2.jpg"}),
    "land_approval": both(JPG),
    "contractor_selected": both(JPG),
    "drawing_review_certificate": both(JPG),
    "quality_safety_measures": both(JPG),
    "funding_commitment": both(JPG),
    "construction_drawings": "paper",
}
PLANNING_MATERIALS: dict[str, Any] = {
    "application_form": "paper",
    "land_use_documents": "paper",
    "project_approval": ["approval.pdf"],
    "design_scheme": "paper",
}


def t(text: str) -> datetime:
    """A Beijing-time moment, e.g. t("2025-09-26 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def planning(engine: Engine, at: str, case_id: str = "GH-1") -> Case:
    """A planning permit received and accepted at ``at`` (8 WD promised, 20 statutory)."""
    case = engine.submit(
        "planning_permit", {"project_kind": "新建"}, PLANNING_MATERIALS,
        at=t(at), actor="acme", case_id=case_id,
    )  # fmt: skip
    return engine.act(case, "accept", at=t(at), actor="li_juan")


def construction(
    engine: Engine, steps: Mapping[str, str], case_id: str = "SG-1", accepted: str = ""
) -> Case:
    """A construction permit accepted at ``accepted`` (default: the first step's moment)
    and taken through the actions in ``steps`` (name → moment), in this order:
    section_review, deputy_review, head_approval (the decision), pay, certificate,
    deliver, close."""
    first = accepted or next(iter(steps.values()))
    case = engine.submit(
        "construction_permit", CONSTRUCTION_APPLICANT, CONSTRUCTION_MATERIALS,
        at=t(first), actor="dangyang_jiangong", case_id=case_id,
    )  # fmt: skip
    case = engine.act(case, "accept", at=t(first), actor="wang_yueqin")
    plan: list[tuple[str, str, str, dict[str, Any]]] = [
        *(
            ("section_review", "pass", who, {"step": "section_review"})
            for who in ("fu_hong", "ai_wei", "yu_ying", "zheng_can")
        ),  # each their section
        ("deputy_review", "pass", "wang_wei", {"step": "deputy_review"}),
        ("head_approval", "pass", "shen_weidong", {"step": "head_approval"}),
        ("pay", "record_payment", "chen_qian", {"amount": "60000.00", "receipt": "R-1"}),
        ("certificate", "issue_certificate", "chen_qian", {"number": "420582202500001"}),
        ("deliver", "deliver", "chen_qian", {"signed_by": "张建国"}),
        ("close", "close", "wang_yueqin", {}),
    ]
    for name, action, actor, details in plan:
        if name in steps:
            case = engine.act(case, action, at=t(steps[name]), actor=actor, **details)
    return case


def refused_unchanged(engine: Engine, case: Case, action: str, code: str, **kw: Any) -> None:
    """The action is refused with ``code``, and the case one holds is what it was."""
    before = case.to_json()
    with pytest.raises(ActionNotAllowed) as err:
        engine.act(case, action, **kw)
    assert err.value.code == code
    assert case.to_json() == before


def forged(case: Case, edit: Callable[[Event], Event | None]) -> Case:
    """The case folded from its events after ``edit`` (an event, a changed one, or None
    to drop it), renumbered and hashed again."""
    out: list[Event] = []
    for event in case.events:
        changed = edit(event)
        if changed is None:
            continue
        prev = out[-1] if out else None
        seq = 1 if prev is None else prev.seq + 1
        out.append(
            make_event(prev, f"{case.id}#{seq}", changed.at, changed.actor, changed.action,
                       dict(changed.details))
        )  # fmt: skip
    return fold(out)


# --- random cases ---------------------------------------------------------------------------


#: Details for each action the walk may take, given what the engine offers.
def _details(action: str, step: str | None, choices: tuple[str, ...], case: Case) -> dict[str, Any]:
    if action in ("pass", "refuse", "send_back") and step is not None:
        out: dict[str, Any] = {"step": step}
        if action == "refuse":
            out["reasons"] = ["不符合条件"]
        if action == "send_back":
            out.update(to=choices[0], reason="补充审查")
        return out
    return {
        "refuse_to_accept": {"reason": "不符合受理条件"},
        "start_clock_stop": {
            "kind": choices[0] if choices else "hearing",
            "notice": "N-1",
            "needed_days": 5,
        },
        "end_clock_stop": {"notice": "N-2"},
        "extend": {"reason": "情况复杂"},
        "record_payment": {"amount": str(case.settlement.outstanding), "receipt": "R"},
        "waive_fee": {"item": choices[0] if choices else "", "reason": "减免"},
        "issue_certificate": {"number": "C-1", **({"result": choices[0]} if choices else {})},
        "deliver": {"signed_by": "申请人"},
        "withdraw": {"reason": "撤回"},
        "record_rating": {"level": "dissatisfied", "named": True, "comment": "多跑了一次"},
        "follow_up_rating": {"note": "已回访", "rectified": True},
    }.get(action, {})


_SKIPPED = frozenset({"supplement", "request_correction", "record_absence"})
_ENDINGS = frozenset({"refuse_to_accept", "withdraw", "refuse"})


def walk(engine: Engine, scenario: Any, choose: Callable[[int], int], moves: int) -> Case:
    """A case of a scenario's matter, submitted as the scenario does, then taken through
    ``moves`` actions the engine offers, picked by ``choose(n) -> 0..n-1``, each 0–4 days
    and a few hours after the one before."""
    from datetime import timedelta

    from approval_rules.errors import ActionNotAllowed

    at = datetime.fromisoformat(scenario.submit_at).replace(tzinfo=TZ)
    case = engine.submit(
        scenario.matter, scenario.applicant, scenario.materials, at=at,
        actor=scenario.submit_by, case_id=f"W-{choose(10**6)}",
    )  # fmt: skip
    for _ in range(moves):
        at += timedelta(days=choose(5), hours=choose(8))
        offers = [
            (o, actor)
            for o in engine.available_actions(case, at)
            if o.action not in _SKIPPED
            for actor in o.actors
        ]
        # ending a case is one move in eight, so that most cases get somewhere
        going = [(o, a) for o, a in offers if o.action not in _ENDINGS]
        if going and choose(8):
            offers = going
        if not offers:
            break
        offer, actor = offers[choose(len(offers))]
        details = _details(offer.action, offer.step, offer.choices, case)
        try:
            case = engine.act(case, offer.action, at=at, actor=actor, **details)
        except ActionNotAllowed:
            continue
    return case
