"""Ratings (好差评, issue #13): the applicant rates an ended case once; a named bad review
is followed up; supervision counts them as the engine records them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from supervision_cases import ROOT, SUPERVISION, construction, planning, t

from approval_rules.engine import BAD_RATINGS, RATING_LEVELS, Case, Engine, Status
from approval_rules.errors import ActionNotAllowed, CaseDataError
from approval_rules.loader import load_catalogue
from approval_rules.supervision import Supervisor, load_supervision
from approval_rules.supervision.facts import RATINGS
from approval_rules.supervision.publish import build_report
from approval_rules.workdays import WorkCalendar

CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())
WATCH = Supervisor(load_supervision(SUPERVISION, catalogue=CATALOGUE), CATALOGUE, ENGINE.calendar)
APPLICANT = "dangyang_jiangong"
DONE = {"section_review": "2025-09-26 10:00", "deputy_review": "2025-09-28 10:00",
        "head_approval": "2025-09-29 10:00", "pay": "2025-09-29 11:00",
        "certificate": "2025-09-30 10:00", "deliver": "2025-09-30 11:00",
        "close": "2025-09-30 12:00"}  # fmt: skip


def closed(case_id: str = "SG-1") -> Case:
    case = construction(ENGINE, DONE, case_id)
    assert case.status is Status.CLOSED
    return case


def rate(case: Case, at: str, level: str, **more: Any) -> Case:
    return ENGINE.act(case, "record_rating", at=t(at), actor=APPLICANT, level=level, **more)


def follow(case: Case, at: str, **more: Any) -> Case:
    return ENGINE.act(case, "follow_up_rating", at=t(at), actor="wang_yueqin", note="已回访",
                      **more)  # fmt: skip


def refused(code: str) -> Any:
    class _Check:
        def __enter__(self) -> None:
            return None

        def __exit__(self, kind: Any, err: Any, tb: Any) -> bool:
            assert isinstance(err, ActionNotAllowed), err
            assert err.code == code, err.code
            return True

    return _Check()


def test_five_levels_the_bottom_two_bad_the_same_in_supervision() -> None:
    assert RATINGS == RATING_LEVELS
    assert BAD_RATINGS == set(RATING_LEVELS[3:]) == {"dissatisfied", "very_dissatisfied"}


def test_the_applicant_rates_an_ended_case_once() -> None:
    case = closed()
    rated = rate(case, "2025-10-08 10:00", "satisfied")
    event = rated.events[-1]
    assert (event.action, event.actor) == ("record_rating", APPLICANT)
    assert event.details == {"level": "satisfied", "named": False, "comment": None}
    assert (rated.status, rated.settlement) == (case.status, case.settlement)
    with refused("already-rated"):
        rate(rated, "2025-10-09 10:00", "very_satisfied")
    # offered to the applicant only, and only before a rating
    offered = ENGINE.available_actions(case, t("2025-10-08 10:00"))
    assert [(a.action, a.actors) for a in offered] == [("record_rating", (APPLICANT,))]
    assert ENGINE.available_actions(rated, t("2025-10-09 10:00")) == []
    assert ENGINE.replay(rated.events) == rated


def test_a_rating_waits_for_the_end_and_the_applicant() -> None:
    running = construction(ENGINE, {"section_review": "2025-09-26 10:00"})
    with refused("case-not-ended"):
        rate(running, "2025-09-27 10:00", "satisfied")
    with refused("not-authorised"):
        ENGINE.act(closed(), "record_rating", at=t("2025-10-08 10:00"), actor="wang_yueqin",
                   level="satisfied")  # fmt: skip
    # other actions stay refused after the end
    with refused("case-ended"):
        ENGINE.act(closed(), "close", at=t("2025-10-08 10:00"), actor="wang_yueqin")


@pytest.mark.parametrize(
    ("details", "error"),
    [
        ({"level": "great"}, CaseDataError),
        ({"level": "dissatisfied"}, ActionNotAllowed),  # a bad review says what went wrong
        ({"level": "satisfied", "named": "yes"}, CaseDataError),
    ],
)
def test_malformed_ratings_are_refused(details: dict[str, Any], error: type[Exception]) -> None:
    case = closed()
    with pytest.raises(error):
        ENGINE.act(case, "record_rating", at=t("2025-10-08 10:00"), actor=APPLICANT, **details)


def test_a_named_bad_review_is_followed_up() -> None:
    bad = rate(closed(), "2025-10-08 10:00", "dissatisfied", named=True, comment="窗口态度差")
    offered = ENGINE.available_actions(bad, t("2025-10-09 10:00"))
    assert [a.action for a in offered] == ["follow_up_rating"]
    assert "wang_yueqin" in offered[0].actors
    assert APPLICANT not in offered[0].actors
    done = follow(bad, "2025-10-10 10:00", rectified=True)
    assert done.events[-1].details == {"note": "已回访", "rectified": True}
    with refused("not-authorised"):
        ENGINE.act(bad, "follow_up_rating", at=t("2025-10-10 10:00"), actor=APPLICANT,
                   note="x")  # fmt: skip


def test_only_a_named_bad_review_is_followed_up() -> None:
    good = rate(closed(), "2025-10-08 10:00", "satisfied", named=True)
    with refused("no-bad-review"):
        follow(good, "2025-10-09 10:00")
    anonymous = rate(closed(), "2025-10-08 10:00", "very_dissatisfied", comment="太慢")
    with refused("anonymous-review"):
        follow(anonymous, "2025-10-09 10:00")
    with refused("no-bad-review"):
        follow(closed(), "2025-10-09 10:00")


def test_the_report_counts_ratings_as_recorded() -> None:
    """Three closed construction permits rated in October: satisfied; dissatisfied by
    name, followed up and fixed on 10/10 (within 15 working days of 10/8); very
    dissatisfied by name, followed up on 11/20, after 10/28, the 15th working day after
    10/8 (a holiday): 10/9, 10/10, Sat 10/11 (made up), 10/13–17, 10/20–24, 10/27, 10/28:
    not in time.
    good 1/3, bad 2/3, followed up 1/2, rectified 1/2."""
    one = rate(closed("SG-1"), "2025-10-08 10:00", "satisfied")
    two = follow(rate(closed("SG-2"), "2025-10-08 10:00", "dissatisfied", named=True,
                      comment="多跑了一次"), "2025-10-10 10:00", rectified=True)  # fmt: skip
    three = follow(rate(closed("SG-3"), "2025-10-08 10:00", "very_dissatisfied", named=True,
                        comment="态度差"), "2025-11-20 10:00", rectified=True)  # fmt: skip
    assert ENGINE.calendar.add_workdays(date(2025, 10, 8), 15) == date(2025, 10, 28)
    view = build_report([one, two, three], supervisor=WATCH, start=date(2025, 9, 1),
                        end=date(2025, 11, 30), by="all")  # fmt: skip
    rates = view.overall.rates if view.overall is not None else {}
    assert (rates["good"].numerator, rates["good"].denominator) == (1, 3)
    assert (rates["bad"].numerator, rates["bad"].denominator) == (2, 3)
    assert (rates["followed_up"].numerator, rates["followed_up"].denominator) == (1, 2)
    assert (rates["rectified"].numerator, rates["rectified"].denominator) == (1, 2)


def test_a_withdrawn_case_may_be_rated() -> None:
    case = ENGINE.act(planning(ENGINE, "2025-09-26 10:00"), "withdraw",
                      at=t("2025-09-29 10:00"), actor="acme", reason="撤回")  # fmt: skip
    rated = ENGINE.act(case, "record_rating", at=t("2025-09-30 10:00"), actor="acme",
                       level="basically_satisfied")  # fmt: skip
    assert rated.status is Status.WITHDRAWN


def test_replay_accepts_ratings_after_the_end() -> None:
    bad = rate(closed(), "2025-10-08 10:00", "dissatisfied", named=True, comment="慢")
    done = follow(bad, "2025-10-10 10:00", rectified=True)
    assert ENGINE.replay(done.events) == done
