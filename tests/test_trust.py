"""Trust in what is read back (issue #12): a stored snapshot is believed only as far as
its events prove it, replay re-checks who acted, a reused event id is a conflict, and a
case read at a moment before its last event answers without failing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_engine import ROOT, accepted, approved, refused, t

from approval_rules.audit import LogTampered, next_event, verify
from approval_rules.engine import Case, Engine, StepStatus
from approval_rules.loader import load_catalogue
from approval_rules.workdays import WorkCalendar


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())


def test_an_edited_step_in_the_snapshot_passes_nothing(engine: Engine) -> None:
    """Marking a step passed in the stored state is caught when the case is read."""
    case = accepted(engine)
    step = case.open_steps[0]
    text = case.to_json()
    assert f'"{step}":["open"' in text
    edited = text.replace(f'"{step}":["open"', f'"{step}":["passed"')
    assert Case.from_json(edited, trusted=True).steps[step].status is StepStatus.PASSED
    with pytest.raises(LogTampered, match="'steps'"):
        Case.from_json(edited)


def test_an_event_id_sent_again_with_other_details_is_a_conflict(engine: Engine) -> None:
    """The same id, action and actor with another opinion is refused, not a silent retry."""
    case = accepted(engine)
    once = engine.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong",
                      opinion="同意", event_id="req-7")  # fmt: skip
    again = engine.act(once, "pass", at=t("2025-09-28 10:05"), actor="fu_hong",
                       opinion="同意", event_id="req-7")  # fmt: skip
    assert again is once
    with refused("pass", "event-id-reused"):
        engine.act(once, "pass", at=t("2025-09-28 10:05"), actor="fu_hong",
                   opinion="不同意", event_id="req-7")  # fmt: skip


def _forged(case: Case, seq: int, **changes: Any) -> list[Any]:
    """The case's events with event ``seq`` changed and the chain recomputed after it:
    what someone who can write the record but holds no key can do."""
    events = list(case.events)
    out = events[: seq - 1]
    for event in events[seq - 1 :]:
        fields = {"id": event.id, "at": event.at, "actor": event.actor,
                  "action": event.action, "details": event.details}  # fmt: skip
        if event.seq == seq:
            fields.update(changes)
        out.append(next_event(out, **fields))
    return out


def test_replay_refuses_an_actor_who_was_not_authorised(engine: Engine) -> None:
    """A recomputed chain still verifies, but replay re-checks who acted: refused."""
    case = approved(engine)
    assert case.events[2].action == "pass"
    forged = _forged(case, 3, actor="wang_yueqin")  # the window clerk, not a signer
    verify(forged)  # a keyless chain can be recomputed
    with pytest.raises(LogTampered) as caught:
        engine.replay(forged)
    assert (caught.value.code, caught.value.seq) == ("unauthorised", 3)
    assert "wang_yueqin" in str(caught.value)


def test_replay_refuses_a_system_event_that_was_not_due(engine: Engine) -> None:
    """A clock event the clocks did not cause (deemed agreement, now) is refused."""
    case = accepted(engine)
    step = case.open_steps[0]
    fake = next_event(case.events, id=f"{case.id}#3", at=case.events[-1].at,
                      actor="system", action="deemed_agreement",
                      details={"step": step})  # fmt: skip
    with pytest.raises(LogTampered) as caught:
        engine.replay([*case.events, fake])
    assert caught.value.code == "unauthorised"


def test_reading_a_case_before_its_last_event_answers_without_failing(engine: Engine) -> None:
    """advance returns the case as it is, available_actions []: a listing never breaks."""
    case = accepted(engine)
    earlier = case.last_at - timedelta(seconds=1)
    assert engine.advance(case, earlier) is case
    assert engine.available_actions(case, earlier) == []
    assert engine.available_actions(case, case.last_at) != []


def test_replay_accepts_a_redate_of_an_open_case_and_refuses_one_of_an_ended_case(
    engine: Engine,
) -> None:
    """A system `redate` needs a newer calendar to re-derive; on an ended case it is forged."""
    case = accepted(engine)
    details = {"calendar": "x", "due": {}, "notice_due": case.clock.notice_due.isoformat(),
               "steps": {}, "was": {}}  # fmt: skip
    redated = next_event(case.events, id=f"{case.id}#3", at=case.events[-1].at,
                         actor="system", action="redate", details=details)  # fmt: skip
    assert engine.replay([*case.events, redated]).version == 3
    ended = engine.act(case, "withdraw", at=t("2025-09-27 09:00"), actor="acme",
                       reason="不再申请")  # fmt: skip
    forged = next_event(ended.events, id=f"{case.id}#4", at=ended.events[-1].at,
                        actor="system", action="redate", details=details)  # fmt: skip
    with pytest.raises(LogTampered) as caught:
        engine.replay([*ended.events, forged])
    assert caught.value.code == "unauthorised"
