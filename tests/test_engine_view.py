"""The JSON view of a case and of an available action (issue #12, API shapes)."""

from __future__ import annotations

import json

from test_engine import ROOT, WorkCalendar, accepted, approved, t

from approval_rules.engine import Engine
from approval_rules.loader import load_catalogue

ENGINE = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())


def test_a_case_as_json_data_has_named_fields() -> None:
    """Every record is an object; dates ISO text; amounts decimal text; limits labelled."""
    case = approved(ENGINE)
    view = case.to_dict()
    assert json.loads(json.dumps(view, ensure_ascii=False)) == view  # plain JSON data
    assert list(view)[:9] == ["id", "matter", "matter_hash", "status", "version", "head",
                              "last_at", "open_steps", "is_terminal"]  # fmt: skip
    assert view["status"] == "approved"
    assert view["version"] == case.version
    assert "events" not in view
    step = view["steps"]["section_review"]
    assert step == {"status": "passed", "opened": case.steps["section_review"].opened,
                    "due": case.steps["section_review"].due.isoformat(), "by": "zheng_can",
                    "on_behalf_of": None, "opinion": None, "agreed": True,
                    "signatures": [
                        {"by": who, "on_behalf_of": None, "section": section, "opinion": None}
                        for who, section in (("fu_hong", "construction"), ("ai_wei", "safety"),
                                             ("yu_ying", "supervision"), ("zheng_can", "wall"))
                    ]}  # fmt: skip
    assert view["steps"]["deputy_review"]["signatures"] == []
    assert view["clock"]["statutory_limit"] == {"value": 7, "unit": "working_days"}
    assert view["decision"]["outcome"] == "approved"
    money = view["settlement"]
    assert money["assessed"] == money["outstanding"] == "60000.00"
    assert money["paid"] == "0.00"
    assert view["intake"]["applicant_id"] == "acme"
    assert view["intake"]["materials"]["application_form"][0]["name"] == "p1.jpg"


def test_the_view_can_carry_the_events() -> None:
    """events=True adds the record, each event with its hashes."""
    case = accepted(ENGINE)
    events = case.to_dict(events=True)["events"]
    assert [e["seq"] for e in events] == [1, 2]
    assert events[-1]["hash"] == case.head


def test_a_clock_stop_and_an_absence_are_objects_too() -> None:
    """Clock stops, a running stop and absences are labelled."""
    case = accepted(ENGINE)
    case = ENGINE.act(case, "start_clock_stop", at=t("2025-09-28 10:00"), actor="fu_hong",
                      kind="hearing", notice="听证通知 1", needed_days=3)  # fmt: skip
    running = case.to_dict()["clock"]["active_stop"]
    assert running == {"kind": "hearing", "start": "2025-09-28", "notice": "听证通知 1",
                       "by": "fu_hong"}  # fmt: skip
    case = ENGINE.act(case, "end_clock_stop", at=t("2025-09-29 10:00"), actor="fu_hong")
    case = ENGINE.act(case, "record_absence", at=t("2025-09-29 11:00"), actor="fu_hong",
                      person="fu_hong")  # fmt: skip
    view = case.to_dict()
    assert view["clock"]["stops"][0]["kind"] == "hearing"
    assert view["clock"]["stops"][0]["start"] == "2025-09-28"
    assert view["absences"][0]["person"] == "fu_hong"


def test_an_available_action_as_json_data() -> None:
    """action, step, actors, choices and whom each backup stands in for."""
    case = accepted(ENGINE)
    items = [a.to_dict() for a in ENGINE.available_actions(case, t("2025-09-28 10:00"))]
    assert json.loads(json.dumps(items)) == items
    passing = next(i for i in items if i["action"] == "pass")
    assert passing["step"] == "section_review"
    assert "fu_hong" in passing["actors"]
    assert passing["stands_in_for"] == {}
