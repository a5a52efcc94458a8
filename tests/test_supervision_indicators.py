"""Indicators: hand-checked examples of every count and rate, and the merge property.

Official calendar, 2025: 10-01..10-08 off; Sun 09-28 and Sat 10-11 are make-up workdays.
Every case below is accepted on Fri 2025-09-26.  The construction permit (当阳市住建局,
dy_zjj) promises 5 WD: 9/28 9/29 9/30 10/9 10/10 → due 10-10 (statutory 7 WD → 10-13).
The planning permit (当阳市自然资源和规划局, dy_zrzy) promises 8 WD → 10-14.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from supervision_cases import ROOT, SUPERVISION, construction, planning, t

from approval_rules.engine import Case, Engine, apply_event
from approval_rules.loader import Catalogue, load_catalogue
from approval_rules.supervision import load_supervision
from approval_rules.supervision.facts import CaseFacts, Outcome, Rating, StepTime, case_facts
from approval_rules.supervision.indicators import Indicators, merge, report, tally
from approval_rules.supervision.rules import Reporting
from approval_rules.supervision.ruleset import RuleSet
from approval_rules.workdays import WorkCalendar

CAL = WorkCalendar.china()
PERIOD = {"start": date(2025, 9, 1), "end": date(2025, 10, 31)}
AT_26 = "2025-09-26 10:00"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "matters")


@pytest.fixture(scope="module")
def rules(catalogue: Catalogue) -> RuleSet:
    return load_supervision(SUPERVISION, catalogue=catalogue)


@pytest.fixture(scope="module")
def engine(catalogue: Catalogue) -> Engine:
    return Engine(catalogue, CAL)


def fee_and_close(day: str) -> dict[str, str]:
    return {"certificate": f"{day} 10:00", "deliver": f"{day} 11:00", "close": f"{day} 12:00"}


REVIEWED = {"section_review": AT_26, "deputy_review": "2025-09-28 10:00"}


@pytest.fixture(scope="module")
def cases(engine: Engine) -> dict[str, Case]:
    out = {
        # A: decided 9/29, paid 9/30 (the applicant's wait: 9/30, 1 WD), closed 9/30:
        #    E = |{9/28 9/29 9/30}| − 1 = 2 ≤ 5 − 1 → early
        "A": construction(engine, {**REVIEWED, "head_approval": "2025-09-29 10:00",
                                   "pay": "2025-09-30 10:00", **fee_and_close("2025-09-30")},
                          "A"),
        # B: paid on the decision day (no wait), closed 10/10: E = 5 → on the day (按期)
        "B": construction(engine, {**REVIEWED, "head_approval": "2025-09-29 10:00",
                                   "pay": "2025-09-29 11:00", **fee_and_close("2025-10-10")},
                          "B"),
        # C: closed 10/14: E = 9/28 9/29 9/30 10/9 10/10 10/11 10/13 10/14 = 8 > 5 → overdue
        "C": construction(engine, {**REVIEWED, "head_approval": "2025-09-29 10:00",
                                   "pay": "2025-09-29 11:00", **fee_and_close("2025-10-14")},
                          "C"),
        # E: withdrawn on 9/29 (counted apart)
        "E": engine.act(construction(engine, {"section_review": AT_26}, "E"), "withdraw",
                        at=t("2025-09-29 10:00"), actor="dangyang_jiangong", reason="撤回"),
        # F: still open on 10/31, due 10/10 → open and overdue at the period's end
        "F": construction(engine, {"section_review": AT_26}, "F"),
    }  # fmt: skip
    # D: refused at the head's step on 10/9: concluded on the decision, E = 4 → early
    d = construction(engine, REVIEWED, "D")
    out["D"] = engine.act(d, "refuse", at=t("2025-10-09 10:00"), actor="shen_weidong",
                          step="head_approval", reasons=["不符合条件"])  # fmt: skip
    # G: planning permit, extended by 10 WD on 10/13 (before the promised due date 10/14),
    #    closed 10/21: E = 13 (9/28 … 10/21), Lp = 8 < 13 ≤ L* = min(8+10, 20+10) = 18
    g = planning(engine, AT_26, "G")
    g = engine.act(g, "extend", at=t("2025-10-13 09:00"), actor="tan_zhiqiang", reason="需现场复核")
    g = engine.act(g, "pass", at=t("2025-10-13 10:00"), actor="zhao_gang", step="review")
    g = engine.act(g, "pass", at=t("2025-10-13 11:00"), actor="qian_yong", step="site_survey")
    g = engine.act(g, "pass", at=t("2025-10-20 10:00"), actor="wu_bin", step="decision")
    g = engine.act(g, "issue_certificate", at=t("2025-10-21 09:00"), actor="li_juan", number="G1")
    g = engine.act(g, "deliver", at=t("2025-10-21 10:00"), actor="li_juan", signed_by="申请人")
    out["G"] = engine.act(g, "close", at=t("2025-10-21 11:00"), actor="li_juan")
    return out


@pytest.fixture(scope="module")
def facts(cases: dict[str, Case], engine: Engine, rules: RuleSet) -> dict[str, CaseFacts]:
    reporting = rules.document.reporting
    return {
        k: case_facts(c, process=engine.process(c.matter_id), calendar=CAL,
                      reporting=reporting, tz=engine.tz)
        for k, c in cases.items()
    }  # fmt: skip


def test_case_facts(facts: dict[str, CaseFacts]) -> None:
    """State, conclusion day, working days used and outcome of each case."""
    got = {k: (f.state, f.ended_on, f.used, f.promised, f.outcome, f.applicant_days)
           for k, f in facts.items()}  # fmt: skip
    assert got == {
        "A": ("concluded", date(2025, 9, 30), 2, 5, Outcome.EARLY, 1),
        "B": ("concluded", date(2025, 10, 10), 5, 5, Outcome.ON_DAY, 0),
        "C": ("concluded", date(2025, 10, 14), 8, 5, Outcome.OVERDUE, 0),
        "D": ("concluded", date(2025, 10, 9), 4, 5, Outcome.EARLY, 0),
        "E": ("withdrawn", date(2025, 9, 29), None, None, None, 0),
        "F": ("open", None, None, 5, None, 0),
        "G": ("concluded", date(2025, 10, 21), 13, 8, Outcome.EXTENDED, 0),
    }
    assert facts["F"].due == date(2025, 10, 10)
    # A's due moves by its 1 WD of waiting: 10/11
    assert facts["A"].due == date(2025, 10, 11)
    assert not any(f.statutory_breach for f in facts.values())


def test_step_times(facts: dict[str, CaseFacts]) -> None:
    """C: deputy 9/26→9/28 (1 WD), head 9/28→9/29 (1), fee 9/29→9/29 (0), certificate
    9/29→10/14 (9/30 10/9 10/10 10/11 10/13 10/14: 6)."""
    days = {s.step: (s.days, s.overdue) for s in facts["C"].steps}
    assert days == {
        "accept": (0, False),
        "section_review": (0, False),
        "deputy_review": (1, True),  # half a day: due the day it opened
        "head_approval": (1, True),
        "notify_and_fee": (0, False),
        "make_certificate": (6, True),
        "issue_certificate": (0, False),
        "close": (0, False),
    }


def by(facts: dict[str, CaseFacts], grouping: str, reporting: Reporting) -> dict[str, dict]:
    ind = tally(facts.values(), by=grouping, reporting=reporting, **PERIOD)
    return {g.group: g.to_dict() for g in report(ind, reporting)}


def test_indicators_by_department(facts: dict[str, CaseFacts], rules: RuleSet) -> None:
    reporting = rules.document.reporting
    groups = by(facts, "department", reporting)
    zjj = groups["dy_zjj"]
    # concluded in September–October: A, B, C, D; E withdrawn apart; F open
    assert {k: zjj[k] for k in ("completed", "early", "on_time", "on_day", "extended",
                                "overdue", "open_overdue", "open", "withdrawn")} == {
        "completed": 4, "early": 2, "on_time": 3, "on_day": 1, "extended": 0, "overdue": 1,
        "open_overdue": 1, "open": 1, "withdrawn": 1,
    }  # fmt: skip
    assert zjj["rates"]["on_time"] == {"numerator": 3, "denominator": 4, "rate": 0.75}
    assert zjj["rates"]["overdue"] == {"numerator": 1, "denominator": 4, "rate": 0.25}
    assert zjj["rates"]["open_overdue"] == {"numerator": 1, "denominator": 1, "rate": 1.0}
    # E used: 2, 5, 8, 4 → mean 19/4; P90 = the ⌈0.9·4⌉ = 4th of 2 4 5 8 → 8
    assert zjj["used_wd"] == {
        "average": 4.75, "p90": 8, "promised_average": 5.0,
        "histogram": {"2": 1, "4": 1, "5": 1, "8": 1},
    }  # fmt: skip
    assert zjj["applicant_time"] == 1  # A
    # step days of A B C D: deputy 1+1+1+1, head 1+1+1+3 (D refused on 10/9: 9/29 9/30
    # 10/9), fee 1+0+0, certificate 0+3+6 → 20 in all; the bottleneck holds 9 of them
    assert zjj["bottleneck"] == {"step": "construction_permit.make_certificate", "share": 0.45}
    assert zjj["steps"]["construction_permit.head_approval"]["days"] == 6
    zrzy = groups["dy_zrzy"]
    assert (zrzy["completed"], zrzy["extended"], zrzy["on_time"]) == (1, 1, 0)


def test_indicators_all_and_conventions(facts: dict[str, CaseFacts], rules: RuleSet) -> None:
    """Extension counted as on time when the rule set says so; denominators unchanged."""
    reporting = rules.document.reporting
    everything = by(facts, "all", reporting)["all"]
    assert everything["rates"]["early"] == {"numerator": 2, "denominator": 5, "rate": 0.4}
    assert everything["rates"]["extended"] == {"numerator": 1, "denominator": 5, "rate": 0.2}
    assert everything["rates"]["on_time"]["numerator"] == 3
    lenient = reporting.model_copy(update={"extension_counts_as_on_time": True})
    assert by(facts, "all", lenient)["all"]["rates"]["on_time"] == {
        "numerator": 4, "denominator": 5, "rate": 0.8,
    }  # fmt: skip


def test_indicators_by_month_and_person(facts: dict[str, CaseFacts], rules: RuleSet) -> None:
    reporting = rules.document.reporting
    months = by(facts, "month", reporting)
    assert (months["2025-09"]["completed"], months["2025-10"]["completed"]) == (1, 4)
    assert months["2025-10"]["open_overdue"] == 1  # the stock belongs to the period's end
    people = by(facts, "person", reporting)
    # 沈卫东 decided A B C and refused D
    assert people["shen_weidong"]["completed"] == 4
    assert people["wu_bin"]["extended"] == 1


def test_a_period_that_ends_before_the_conclusions(
    facts: dict[str, CaseFacts], rules: RuleSet
) -> None:
    """At the end of 10/9, B C G and F are open; B and C not yet overdue (due 10/10)."""
    reporting = rules.document.reporting
    ind = tally(facts.values(), start=date(2025, 10, 1), end=date(2025, 10, 9), by="all",
                reporting=reporting)  # fmt: skip
    (group,) = report(ind, reporting)
    assert (group.counts["completed"], group.counts["open"], group.counts["open_overdue"]) == (
        1, 4, 0,
    )  # fmt: skip


# --- ratings (好差评) ---------------------------------------------------------------------------


def rated(level: str, named: bool, followed: bool = False, fixed: bool = False) -> CaseFacts:
    return CaseFacts(
        "R", "m", "d", ("p",), "concluded", date(2025, 9, 1), date(2025, 9, 2),
        date(2025, 9, 10), 1, 5, Outcome.EARLY, False, 0, (),
        Rating(level, named, date(2025, 9, 3), followed, fixed), False,
    )  # fmt: skip


def test_rating_rates() -> None:
    """Five levels; the bottom two are bad reviews; named bad reviews are followed up."""
    facts = [
        rated("very_satisfied", False),
        rated("satisfied", True),
        rated("basically_satisfied", True),
        rated("dissatisfied", True, followed=True, fixed=True),
        rated("very_dissatisfied", True, followed=True),
        rated("very_dissatisfied", False),
    ]
    reporting = Reporting()
    ind = tally(facts, start=date(2025, 9, 1), end=date(2025, 9, 30), by="all",
                reporting=reporting)  # fmt: skip
    (group,) = report(ind, reporting)
    rates = {k: (r.numerator, r.denominator) for k, r in group.rates.items()}
    assert rates["evaluated"] == (6, 6)
    assert rates["good"] == (2, 6)  # 非常满意 + 满意
    assert rates["bad"] == (3, 6)
    assert rates["followed_up"] == (2, 2)  # of the named bad reviews
    assert rates["rectified"] == (1, 2)
    kind = Reporting(basically_satisfied_is_good=True)
    ind = tally(facts, start=date(2025, 9, 1), end=date(2025, 9, 30), by="all", reporting=kind)
    assert report(ind, kind)[0].rates["good"].numerator == 3


# --- mergeable aggregates -------------------------------------------------------------------

START = date(2025, 9, 1)


@st.composite
def some_facts(draw: st.DrawFn) -> CaseFacts:
    accepted = START + timedelta(days=draw(st.integers(0, 40)))
    state = draw(st.sampled_from(["concluded", "open", "withdrawn", "terminated"]))
    ended = None if state == "open" else accepted + timedelta(days=draw(st.integers(0, 30)))
    used = draw(st.integers(0, 25)) if state == "concluded" else None
    steps = tuple(
        StepTime(s, draw(st.integers(0, 6)), draw(st.booleans()))
        for s in draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True))
    ) if state == "concluded" else ()  # fmt: skip
    return CaseFacts(
        f"c{draw(st.integers(0, 10**6))}",
        draw(st.sampled_from(["m1", "m2"])),
        draw(st.sampled_from(["d1", "d2", "d3"])),
        tuple(draw(st.lists(st.sampled_from(["p1", "p2", "p3"]), unique=True))),
        state,
        accepted,
        ended,
        accepted + timedelta(days=draw(st.integers(0, 20))),
        used,
        draw(st.integers(1, 20)),
        draw(st.sampled_from(list(Outcome))) if state == "concluded" else None,
        draw(st.booleans()),
        draw(st.integers(0, 3)),
        steps,
        None
        if not draw(st.booleans())
        else Rating(draw(st.sampled_from(["satisfied", "dissatisfied"])), draw(st.booleans()),
                    accepted, draw(st.booleans()), draw(st.booleans())),
        False,
    )  # fmt: skip


GROUPINGS = st.sampled_from(["matter", "department", "person", "month", "all"])


@given(st.lists(some_facts(), max_size=40), st.integers(0, 5), GROUPINGS)
def test_counties_merge_into_the_province(items: list[CaseFacts], cut: int, grouping: str) -> None:
    """Computing on disjoint parts of the cases and merging equals computing on all."""
    reporting = Reporting()
    end = START + timedelta(days=60)
    parts = [items[i :: cut + 1] for i in range(cut + 1)]
    whole = tally(items, start=START, end=end, by=grouping, reporting=reporting)
    pieces = [tally(p, start=START, end=end, by=grouping, reporting=reporting) for p in parts]
    assert merge(*pieces).groups == whole.groups
    assert report(merge(*pieces), reporting) == report(whole, reporting)


@given(st.lists(some_facts(), max_size=40), st.integers(1, 60), GROUPINGS)
def test_days_merge_into_the_month(items: list[CaseFacts], split: int, grouping: str) -> None:
    """A period is the merge of consecutive shorter periods: the report is the same."""
    reporting = Reporting()
    end = START + timedelta(days=60)
    middle = START + timedelta(days=split - 1)
    first = tally(items, start=START, end=middle, by=grouping, reporting=reporting)
    second = tally(items, start=middle + timedelta(days=1), end=end, by=grouping,
                   reporting=reporting)  # fmt: skip
    whole = tally(items, start=START, end=end, by=grouping, reporting=reporting)
    merged = merge(first, second)
    assert (merged.start, merged.end) == (START, end)
    assert report(merged, reporting) == report(whole, reporting)


def test_parts_survive_json(facts: dict[str, CaseFacts], rules: RuleSet) -> None:
    """Facts and tallies go to JSON and back unchanged (for a distributed run)."""
    reporting = rules.document.reporting
    for item in facts.values():
        assert CaseFacts.from_dict(item.to_dict()) == item
    ind = tally(facts.values(), by="department", reporting=reporting, **PERIOD)
    assert Indicators.from_dict(ind.to_dict()).groups == ind.groups


def test_merge_refuses_different_groupings(facts: dict[str, CaseFacts], rules: RuleSet) -> None:
    reporting = rules.document.reporting
    a = tally(facts.values(), by="department", reporting=reporting, **PERIOD)
    b = tally(facts.values(), by="matter", reporting=reporting, **PERIOD)
    with pytest.raises(ValueError, match="grouped differently"):
        merge(a, b)


# --- step times agree with the engine's fold ---------------------------------------------


def test_step_times_follow_the_fold(cases: dict[str, Case], facts: dict[str, CaseFacts]) -> None:
    """Folding the record event by event, each step's open days add up to the facts."""
    for key, case in cases.items():
        if facts[key].state != "concluded":
            continue
        folded: Case | None = None
        opened: dict[str, date] = {}
        days: dict[str, int] = {}
        for event in case.events:
            before = {} if folded is None else dict(folded.steps)
            folded = apply_event(folded, event)
            on = date.fromisoformat(event.at[:10])
            for sid, state in folded.steps.items():
                was = before.get(sid)
                now_open = state.status.value == "open"
                was_open = was is not None and was.status.value == "open"
                if was_open and (not now_open or state.opened != was.opened):
                    days[sid] = days.get(sid, 0) + CAL.workdays_between(opened[sid], on)
                if now_open and (not was_open or state.opened != was.opened):
                    opened[sid] = on
        assert {s.step: s.days for s in facts[key].steps} == days, key
