"""Versions: a case runs on the matter *and the definitions it uses* as they were when it
was opened (issue #12); an engine and a store hold several versions; migrating is
explicit, with an event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from section_review import sections_reviewed

from approval_rules.audit import verify
from approval_rules.compiler import matter_plan
from approval_rules.engine import Case, Engine, Status
from approval_rules.errors import ActionNotAllowed, CaseDataError, CaseError
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.store import open_store
from approval_rules.versions import MatterDefinition
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
CALENDAR = WorkCalendar.china()
ENGINE = Engine(CATALOGUE, CALENDAR)

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


def _files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "matters").glob("*.yaml")}


def edited(file: str, old: str, new: str, count: int = 1) -> Catalogue:
    """The bundled catalogue with a text of one file replaced (``count`` times; -1: all)."""
    files = _files()
    assert old in files[file], old
    files[file] = files[file].replace(old, new, count)
    return load_catalogue_text(files)


FEE_RATE_TENFOLD: Callable[[], Catalogue] = lambda: edited(  # noqa: E731
    "definitions_dangyang.yaml", "rate: 50.00", "rate: 500.00"
)
NOTE_EDITED: Callable[[], Catalogue] = lambda: edited(  # noqa: E731
    "construction_permit.yaml", "note: >-\n", "note: >-\n  （说明文字改了）\n"
)


def accepted(engine: Engine = ENGINE, case_id: str = "c-1") -> Case:
    case = engine.submit("construction_permit", APPLICANT, MATERIALS, at=t("2025-09-26 09:00"),
                         actor="acme", case_id=case_id)  # fmt: skip
    return engine.act(case, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")


def decide(engine: Engine, case: Case) -> Case:
    case = sections_reviewed(engine, case, t("2025-09-28 10:00"))
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    return engine.act(case, "pass", at=t("2025-09-29 15:00"), actor="shen_weidong")


# --------------------------------------------------------------------------- definitions


@pytest.mark.parametrize("matter_id", sorted(CATALOGUE.matters))
def test_a_definition_compiles_alone_to_the_same_rules(matter_id: str) -> None:
    """What a version pins is enough: its own catalogue gives the same signers, backups,
    absence recorders, extension approvers and fees as the whole catalogue."""
    definition = ENGINE.current(matter_id)
    full = matter_plan(CATALOGUE, matter_id)
    alone = matter_plan(definition.catalogue(), matter_id)
    for name in ("steps", "recorders", "staff", "extenders", "extender_backups", "fees"):
        assert getattr(alone, name) == getattr(full, name), name
    again = MatterDefinition.from_json(definition.to_json(), expected_hash=definition.hash)
    assert again == definition
    assert again.to_json() == definition.to_json()
    assert len(definition.people) < len(CATALOGUE.people)  # only the people it uses


def test_what_a_version_pins() -> None:
    """A fee rate or a note makes a new version; a person of another city does not."""
    base = ENGINE.current("construction_permit").hash
    assert Engine(FEE_RATE_TENFOLD(), CALENDAR).current("construction_permit").hash != base
    assert Engine(NOTE_EDITED(), CALENDAR).current("construction_permit").hash != base
    clerk = "people:\n  - id: new_clerk\n    name: 新来的\n    department: "
    other_city = edited("definitions_quanzhou.yaml", "people:", clerk + _a_quanzhou_department())
    assert Engine(other_city, CALENDAR).current("construction_permit").hash == base


def _a_quanzhou_department() -> str:
    used = {d.id for d in ENGINE.current("construction_permit").departments}
    return next(d for d in CATALOGUE.departments if d not in used)


def test_a_definition_that_is_not_one_is_refused() -> None:
    with pytest.raises(CaseDataError, match="not a matter definition"):
        MatterDefinition.from_json('{"format":"something else"}')
    text = ENGINE.current("planning_permit").to_json()
    with pytest.raises(CaseDataError, match="not 000000000000"):
        MatterDefinition.from_json(text, expected_hash="0" * 64)


# --------------------------------------------------------------------------- open cases


def test_an_edited_fee_rate_does_not_change_an_open_cases_fee() -> None:
    """The rate went from 50 to 500 yuan/m² in the definitions: a case opened before
    still owes 1200 m² × 50."""
    case = accepted()
    engine = Engine(FEE_RATE_TENFOLD(), CALENDAR)
    engine.add_version(ENGINE.current("construction_permit"))
    decided = decide(engine, case)
    assert decided.settlement.fees == {"dy_infrastructure_fee": Decimal("60000.00")}
    fresh = decide(engine, accepted(engine, case_id="c-2"))
    assert fresh.settlement.fees == {"dy_infrastructure_fee": Decimal("600000.00")}


def test_an_edited_note_blocks_no_open_case() -> None:
    """Even the applicant's withdrawal goes through on the old version."""
    case = accepted()
    engine = Engine(NOTE_EDITED(), CALENDAR)
    with pytest.raises(CaseError, match="add_version"):
        engine.act(case, "withdraw", at=t("2025-09-27 09:00"), actor="acme")
    engine.add_version(ENGINE.current("construction_permit"))
    withdrawn = engine.act(case, "withdraw", at=t("2025-09-27 09:00"), actor="acme")
    assert withdrawn.status is Status.WITHDRAWN
    assert [d.hash for d in engine.versions("construction_permit")] == [
        engine.current("construction_permit").hash,
        case.matter_hash,
    ]


def test_a_store_keeps_every_version_and_its_engine_acts_on_old_cases(url: str) -> None:
    case = accepted()
    with open_store(url, engine=ENGINE) as store:
        store.save(case, expected_version=0)
    engine = Engine(FEE_RATE_TENFOLD(), CALENDAR)
    with open_store(url, engine=engine) as store:
        loaded = store.load("c-1")
        decided = decide(engine, loaded)
        store.save(decided, expected_version=loaded.version)
        assert store.load("c-1").settlement.fees == {"dy_infrastructure_fee": Decimal("60000.00")}
        pinned = store.definition(case.matter_hash)
        assert {f.rate for f in pinned.fee_items} == {Decimal("50.00")}
        assert pinned == ENGINE.current("construction_permit")


# --------------------------------------------------------------------------- migrating


def test_migrating_moves_an_open_case_with_an_event(url: str) -> None:
    """The open cases of the old version are listed and moved one by one; a moved case
    keeps what was recorded on the old version (the fee assessed at acceptance)."""
    with open_store(url, engine=ENGINE) as store:
        store.save(accepted(case_id="c-1"), expected_version=0)
        store.save(accepted(case_id="c-2"), expected_version=0)
    engine = Engine(FEE_RATE_TENFOLD(), CALENDAR)
    new = engine.current("construction_permit").hash
    with open_store(url, engine=engine) as store:
        old = next(v for v in store.versions() if not v.current)
        assert old.open_cases == 2
        cases = store.open_cases(matter="construction_permit", matter_hash=old.matter_hash)
        for summary in cases[:1]:
            moved = store.migrate(summary.id, new, at=t("2025-09-27 09:00"), actor="wang_wei",
                                  reason="收费标准调整")  # fmt: skip
            assert moved.matter_hash == new
            event = moved.events[-1]
            assert (event.action, event.actor) == ("migrate", "wang_wei")
            assert event.details == {"from": old.matter_hash, "to": new, "reason": "收费标准调整"}
        assert [c.id for c in store.open_cases(matter_hash=new)] == ["c-1"]
        assert [c.id for c in store.open_cases(matter_hash=old.matter_hash)] == ["c-2"]
        reloaded = store.load("c-1")
        verify(reloaded.events)
        decided = decide(engine, reloaded)
        # the permit's fees are assessed at acceptance (#14): the amount assessed on the
        # old version stays; the moved case runs on the new version from here on
        assert decided.settlement.fees == {"dy_infrastructure_fee": Decimal("60000.00")}
        assert decided.matter_hash == new
        assert store.check().broken == ()
        # who acted is re-checked on each version in turn, the migration included
        assert store.check(authorised=True).broken == ()
        assert engine.replay(decided.events) == decided


def test_migrating_refuses_what_the_new_version_cannot_carry() -> None:
    case = accepted()
    engine = Engine(FEE_RATE_TENFOLD(), CALENDAR)
    engine.add_version(ENGINE.current("construction_permit"))
    new = engine.current("construction_permit").hash
    at = t("2025-09-27 09:00")

    def refused(code: str, **kw: Any) -> None:
        args: dict[str, Any] = {"case": case, "to": new, "at": at, "actor": "wang_wei", **kw}
        with pytest.raises(ActionNotAllowed) as info:
            engine.migrate(args.pop("case"), args.pop("to"), **args)
        assert info.value.code == code

    refused("same-version", to=case.matter_hash)
    refused("not-authorised", actor="acme")
    refused("other-matter", to=engine.current("planning_permit").hash)
    withdrawn = engine.act(case, "withdraw", at=at, actor="acme")
    refused("case-ended", case=withdrawn, at=at + timedelta(hours=1))
    renamed = edited("construction_permit.yaml", "section_review", "section_check", -1)
    other = Engine(renamed, CALENDAR)
    other.add_version(ENGINE.current("construction_permit"))
    moved = decide(ENGINE, case)
    with pytest.raises(ActionNotAllowed) as info:
        other.migrate(moved, other.current("construction_permit").hash, at=at + timedelta(days=3),
                      actor="wang_wei")  # fmt: skip
    assert info.value.code == "step-not-in-version"
    with pytest.raises(CaseDataError, match="holds no matter version"):
        engine.migrate(case, "f" * 64, at=at, actor="wang_wei")
