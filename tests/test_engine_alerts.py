"""The ``record_alert`` event (issue #13): a supervision alert noted once on a case."""

from __future__ import annotations

from datetime import date

import pytest
from supervision_cases import ROOT, forged, planning, t

from approval_rules.audit import Event, LogTampered
from approval_rules.engine import SYSTEM, Case, Engine, Status
from approval_rules.errors import ActionNotAllowed, CaseDataError
from approval_rules.loader import load_catalogue
from approval_rules.supervision.alarms import recorded_keys
from approval_rules.workdays import WorkCalendar

ENGINE = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
KEY = "GH-1|case_yellow||2025-10-14|0"


def _yellow(case: Case, at: str = "2025-10-14 08:00") -> Case:
    return ENGINE.record_alert(
        case, at=t(at), key=KEY, rule="case_yellow", level="yellow", due=date(2025, 10, 14)
    )


def test_an_alert_is_an_event_of_the_system_and_changes_nothing_else() -> None:
    case = planning(ENGINE, "2025-09-26 10:00")
    after = _yellow(case)
    event = after.events[-1]
    assert (event.action, event.actor, after.version) == ("record_alert", SYSTEM, case.version + 1)
    assert event.details == {"key": KEY, "rule": "case_yellow", "level": "yellow",
                             "step": None, "due": "2025-10-14"}  # fmt: skip
    assert (after.status, after.steps, after.clock) == (case.status, case.steps, case.clock)
    assert recorded_keys(after) == {KEY}
    # the record folds and reads back as the same case
    assert ENGINE.replay(after.events) == after
    assert Case.from_json(after.to_json()) == after


def test_recording_an_alert_again_records_nothing() -> None:
    """A sweep retried after a crash: the same key, later, is a no-op."""
    once = _yellow(planning(ENGINE, "2025-09-26 10:00"))
    assert _yellow(once, "2025-10-15 09:00") is once


def test_a_step_alert_names_the_step() -> None:
    case = planning(ENGINE, "2025-09-26 10:00")
    after = ENGINE.record_alert(case, at=t("2025-09-28 08:00"),
                                key="GH-1|step_prompt|site_survey|2025-09-29|0",
                                rule="step_prompt", level="prompt", step="site_survey",
                                due=date(2025, 9, 29))  # fmt: skip
    assert after.events[-1].details["step"] == "site_survey"


def test_an_alert_may_be_recorded_after_the_case_ended() -> None:
    case = ENGINE.act(planning(ENGINE, "2025-09-26 10:00"), "withdraw",
                      at=t("2025-09-29 10:00"), actor="acme", reason="撤回")  # fmt: skip
    after = _yellow(case)
    assert after.status is Status.WITHDRAWN
    assert after.version == case.version + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key": "OTHER|case_yellow||2025-10-14|0"}, "not about case GH-1"),
        ({"step": "no_such_step"}, "not a step"),
        ({"due": "2025-10-14"}, "due must be a date"),
        ({"level": ""}, "level must be text"),
    ],
)
def test_malformed_alerts_are_refused(change: dict[str, object], message: str) -> None:
    case = planning(ENGINE, "2025-09-26 10:00")
    given: dict[str, object] = {"key": KEY, "rule": "case_yellow", "level": "yellow",
                                "due": date(2025, 10, 14), **change}  # fmt: skip
    with pytest.raises(CaseDataError, match=message):
        ENGINE.record_alert(case, at=t("2025-10-14 08:00"), **given)  # type: ignore[arg-type]


def test_nobody_records_an_alert_through_act() -> None:
    case = planning(ENGINE, "2025-09-26 10:00")
    with pytest.raises(ActionNotAllowed) as err:
        ENGINE.act(case, "record_alert", at=t("2025-10-14 08:00"), actor="li_juan")
    assert err.value.code == "unknown-action"


def test_an_alert_is_not_recorded_before_the_last_event() -> None:
    case = planning(ENGINE, "2025-09-26 10:00")
    with pytest.raises(ActionNotAllowed) as err:
        _yellow(case, "2025-09-25 10:00")
    assert err.value.code == "time-goes-back"


def test_replay_accepts_an_alert_and_refuses_one_about_another_case() -> None:
    case = _yellow(planning(ENGINE, "2025-09-26 10:00"))
    assert ENGINE.replay(case.events) == case

    def elsewhere(e: Event) -> Event:
        if e.action == "record_alert":
            return e._replace(details={**e.details, "key": "OTHER|case_yellow||2025-10-14|0"})
        return e

    with pytest.raises(LogTampered) as err:
        ENGINE.replay(forged(case, elsewhere).events)
    assert err.value.code == "unauthorised"
