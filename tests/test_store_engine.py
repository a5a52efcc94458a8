"""The store and the engine together (issue #12, second step): the store's absence
calendar in the engine's AB岗 checks, timers in the due index, and writers whose
independent actions merge; on both backends."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from approval_rules.engine import Case, Engine
from approval_rules.errors import ActionNotAllowed
from approval_rules.loader import load_catalogue
from approval_rules.store import CaseStore, open_store
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())

JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
APPLICANT = {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
             "is_affordable_housing": False}  # fmt: skip
MATERIALS: dict[str, Any] = {
    "application_form": [JPG], "land_approval": [JPG], "contractor_selected": [JPG],
    "drawing_review_certificate": [JPG], "quality_safety_measures": [JPG],
    "funding_commitment": [JPG], "construction_drawings": "paper",
}  # fmt: skip


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def reviewed(case_id: str) -> Case:
    """A construction-permit case waiting for the deputy's review (wang_wei)."""
    case = ENGINE.submit("construction_permit", APPLICANT, MATERIALS, at=t("2025-09-26 09:00"),
                         actor="acme", case_id=case_id)  # fmt: skip
    case = ENGINE.act(case, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")
    return ENGINE.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong")


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
