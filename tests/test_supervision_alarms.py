"""The alarm index a store-backed sweep reads: exactly the cases with something new."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from supervision_cases import ROOT, SUPERVISION, construction, planning, t, walk

from approval_rules.engine import Engine
from approval_rules.loader import load_catalogue
from approval_rules.scenario import load_scenario
from approval_rules.supervision import Supervisor, load_supervision
from approval_rules.supervision.alarms import alarms
from approval_rules.workdays import WorkCalendar

CATALOGUE = load_catalogue(ROOT / "matters")
RULES = load_supervision(SUPERVISION, catalogue=CATALOGUE)
CAL = WorkCalendar.china()
ENGINE = Engine(CATALOGUE, CAL)
WATCH = Supervisor(RULES, CATALOGUE, CAL)
SCENARIOS = [load_scenario(p) for p in sorted((ROOT / "matters" / "scenarios").glob("*.yaml"))]


def test_the_next_alarms_of_a_planning_permit() -> None:
    """Accepted Fri 9/26: the steps' prompts (site_survey 9/28, review 9/29), then the
    case's prompt on 10/13 and the statutory breach at 00:00 on 10/31 are each their
    rule's next notice."""
    case = planning(ENGINE, "2025-09-26 10:00")
    found = {a.key: a.fire_at.date().isoformat() for a in alarms(case, WATCH)}
    assert found["GH-1|step_prompt|site_survey|2025-09-29|0"] == "2025-09-28"
    assert found["GH-1|step_prompt|review|2025-09-30|0"] == "2025-09-29"
    assert found["GH-1|case_prompt||2025-10-14|0"] == "2025-10-13"
    assert found["GH-1|statutory_breach||2025-10-30|0"] == "2025-10-31"
    # yellow (10/14) supersedes the prompt's repeat of 10/14: recorded the first prompt,
    # the prompt has no next notice, the yellow's is next
    after = alarms(case, WATCH, frozenset({"GH-1|case_prompt||2025-10-14|0"}))
    keys = {a.key for a in after}
    assert not any(k.startswith("GH-1|case_prompt|") for k in keys)
    assert "GH-1|case_yellow||2025-10-14|0" in keys


@settings(max_examples=25)
@given(st.data())
def test_sweeps_find_exactly_what_is_new(data: st.DataObject) -> None:
    """Sweeping at random moments and recording what is new: an alarm is due exactly
    when the evaluator has a new alert, and after recording nothing is due any more (a
    second sweep at the same moment adds nothing)."""
    scenario = SCENARIOS[data.draw(st.integers(0, len(SCENARIOS) - 1))]
    case = walk(ENGINE, scenario, lambda n: data.draw(st.integers(0, n - 1)),
                data.draw(st.integers(0, 10)))  # fmt: skip
    recorded: frozenset[str] = frozenset()
    at = case.last_at
    for _ in range(data.draw(st.integers(1, 8))):
        at += timedelta(days=data.draw(st.integers(0, 9)), hours=data.draw(st.integers(0, 23)))
        due = [a for a in alarms(case, WATCH, recorded) if a.fire_at <= at]
        new = [a for a in WATCH.alerts(case, at) if a.key not in recorded]
        assert bool(due) == bool(new), (at, due, new)
        recorded |= {a.key for a in new}
        assert [a for a in alarms(case, WATCH, recorded) if a.fire_at <= at] == []


def test_an_ended_case_has_no_alarm() -> None:
    case = ENGINE.act(planning(ENGINE, "2025-09-26 10:00"), "withdraw",
                      at=t("2025-09-29 10:00"), actor="acme", reason="撤回")  # fmt: skip
    assert alarms(case, WATCH) == ()


def test_an_ended_case_keeps_an_alarm_for_its_anomalies() -> None:
    """The flake once seen in ``test_sweeps_find_exactly_what_is_new``: a walk whose
    reviews and decision fell on the same moment, then closed.  The evaluator finds
    先批后录 on the closed case; its alarm is due from the decision day, and once
    recorded, nothing is due."""
    same = "2025-09-26 10:00"
    steps = {"section_review": same, "deputy_review": same, "head_approval": same,
             "pay": "2025-09-29 11:00", "certificate": "2025-09-30 10:00",
             "deliver": "2025-09-30 11:00", "close": "2025-09-30 12:00"}  # fmt: skip
    case = construction(ENGINE, steps)
    assert case.is_terminal
    at = t("2025-10-09 09:00")
    new = [a.key for a in WATCH.alerts(case, at)]
    assert "SG-1|decision_before_record|head_approval||0" in new
    due = [a for a in alarms(case, WATCH) if a.fire_at <= at]
    assert sorted(a.key for a in due) == sorted(new)
    assert due[0].fire_at == t("2025-09-26 00:00")  # from the decision's day
    assert alarms(case, WATCH, frozenset(new)) == ()
