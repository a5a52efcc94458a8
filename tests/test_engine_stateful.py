"""A Hypothesis state machine drives random cases of every bundled matter.

Each example submits a case of a randomly chosen bundled matter (random applicant
fields, random materials, some broken), then takes random actions by random people at
random, ever later times: mostly what :meth:`Engine.available_actions` offers, with
details that fit, sometimes anything at all.  After every step it checks:

* a refused action changes nothing;
* what ``available_actions`` lists is what ``act`` accepts: listed pairs succeed,
  sampled unlisted ones are refused;
* no case reaches a positive decision without every step before the decision done;
* the statutory due date is never before the promised one, and no action (a clock
  stop, an extension …) ever brings a due date forward;
* the live path and the fold build the same case event by event (``apply_event``
  from the case before, with the patch rebuilt from the details, gives the case
  ``act`` returned), ``replay(case.events) == case`` and
  ``Case.from_json(case.to_json()) == case``, all with the same JSON text;
* ``verify`` accepts the log, and rejects it after any single-byte change.

A matter that declares 告知承诺制 is sometimes applied for on commitment, so the
on-the-spot decision and the later check (and a revocation) are among the actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from lifecycle_moves import unlisted_moves

from approval_rules.audit import LogTampered, verify
from approval_rules.engine import (
    ACTIONS,
    AvailableAction,
    Case,
    Engine,
    StepStatus,
    apply_event,
)
from approval_rules.engine.window import outstanding_items
from approval_rules.errors import ActionNotAllowed, CaseDataError
from approval_rules.graph import Process
from approval_rules.loader import load_catalogue
from approval_rules.model import FieldType, Material
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())
MATTERS = sorted(CATALOGUE.matters)
DONE = {StepStatus.PASSED, StepStatus.DEEMED, StepStatus.SKIPPED}
STEP_ACTIONS = {"pass", "send_back", "refuse"}
RATING_LEVELS = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                 "very_dissatisfied")  # fmt: skip


def good_file(material: Material) -> dict[str, Any]:
    """A file that meets the material's electronic rules."""
    rules = material.electronic
    kind = rules.file_types[0] if rules and rules.file_types else "pdf"
    width, height = 1024, 768
    if rules and rules.min_pixels:
        width, height = max(width, rules.min_pixels.width), max(height, rules.min_pixels.height)
    if rules and rules.max_pixels:
        width, height = min(width, rules.max_pixels.width), min(height, rules.max_pixels.height)
    size = min(50, rules.max_size_kb) if rules and rules.max_size_kb else 50
    return {"name": f"scan.{kind}", "size_kb": size, "width": width, "height": height, "pages": 1}


def field_value(kind: FieldType, choices: tuple[str, ...]) -> st.SearchStrategy[Any]:
    if kind is FieldType.NUMBER:
        # the numbers a record holds: fractions under 0.0001 are refused (intake.record_number)
        fractions = st.floats(0, 500, allow_nan=False).filter(lambda x: x == 0 or x >= 1e-4)
        return st.one_of(st.integers(0, 2000), fractions)
    if kind is FieldType.BOOLEAN:
        return st.booleans()
    if kind is FieldType.CHOICE:
        return st.sampled_from(choices)
    if kind is FieldType.DATE:
        return st.dates(date(2020, 1, 1), date(2025, 1, 1)).map(date.isoformat)
    return st.text("甲乙丙abc ", min_size=1, max_size=8)


def moments() -> st.SearchStrategy[timedelta]:
    """How long until the next thing happens: mostly hours, sometimes weeks."""
    return st.one_of(
        st.integers(0, 600).map(lambda m: timedelta(minutes=m)),
        st.integers(1, 6).map(lambda d: timedelta(days=d, hours=1)),
        st.integers(7, 25).map(lambda d: timedelta(days=d)),
    )


def key_step(action: str, step: str | None) -> str | None:
    """The step as far as it identifies an offer (only step actions name one)."""
    return step if action in STEP_ACTIONS else None


def snapshot(case: Case) -> tuple[Any, ...]:
    return (case.to_json(), case.version, case.status)


class CaseMachine(RuleBasedStateMachine):
    """Random cases of the bundled matters, checked after every step."""

    case: Case
    process: Process
    now: datetime

    @initialize(data=st.data(), matter=st.sampled_from(MATTERS))
    def submit(self, data: st.DataObject, matter: str) -> None:
        self.process = ENGINE.process(matter)
        spec = self.process.matter
        applicant = {
            f.id: data.draw(field_value(f.type, f.choices), label=f.id)
            for f in spec.applicant_fields
            if data.draw(st.integers(0, 9), label=f"has {f.id}") > 0
        }
        materials: dict[str, Any] = {}
        for m in spec.materials:
            how = data.draw(st.sampled_from(["good"] * 6 + ["paper", "none", "bad"]), label=m.id)
            if how == "good":
                materials[m.id] = [good_file(m)]
            elif how == "paper":
                materials[m.id] = "paper"
            elif how == "bad":
                materials[m.id] = [{"name": "scan.exe", "size_kb": 99_999, "pages": 40}]
        # early enough that a dozen steps and their deadlines stay inside the official
        # calendar data (2004–2026): beyond it the engine refuses to guess
        start = data.draw(st.dates(date(2024, 1, 1), date(2025, 10, 31)), label="day")
        self.now = datetime(start.year, start.month, start.day, 9, tzinfo=TZ) + data.draw(
            st.integers(0, 600).map(lambda m: timedelta(minutes=m)), label="time"
        )
        green = spec.time_limits.green_channel is not None and data.draw(st.booleans())
        # 告知承诺制 where the matter declares it: the replaced materials may be left out
        committed = spec.commitment is not None and data.draw(st.booleans(), label="commit")
        try:
            self.case = ENGINE.submit(
                matter, applicant, materials, at=self.now, actor="applicant_x",
                green_channel=green, commitment=committed,
            )  # fmt: skip
        except CaseDataError:
            # a fee needs a field the draw left out: submit again with every field
            full = {
                f.id: data.draw(field_value(f.type, f.choices), label=f"full {f.id}")
                for f in spec.applicant_fields
            }
            self.case = ENGINE.submit(matter, full, materials, at=self.now, actor="applicant_x")
            return
        except ActionNotAllowed as err:
            refusal = err.code
        else:
            return
        assert refusal == "no-green-channel"  # the only refusal a submission can meet
        self.case = ENGINE.submit(matter, applicant, materials, at=self.now, actor="applicant_x")

    # ------------------------------------------------------------------ helpers

    def details(self, item: AvailableAction, actor: str, data: st.DataObject) -> dict[str, Any]:
        """Details that fit a listed action."""
        case = self.case
        action = item.action
        out: dict[str, Any] = {}
        if item.step is not None and action in STEP_ACTIONS:
            out["step"] = item.step
        if action == "request_correction":
            out["problems"] = ["请补充签章"]
        elif action == "supplement":
            wanted = list(case.intake.gaps) or [p.material for p in case.intake.problems
                                                 if p.material] or [
                m.id for m in self.process.matter.materials
            ]  # fmt: skip
            chosen = data.draw(st.sampled_from(wanted), label="supplied")
            material = next(m for m in self.process.matter.materials if m.id == chosen)
            out["materials"] = {chosen: [good_file(material)]}
            items = [p.message for p in outstanding_items(case)]
            if items and actor != case.intake.applicant_id and data.draw(st.booleans()):
                out["resolved"] = items  # the window confirms the notice's own items
        elif action == "accept" and case.intake.gaps:
            out["makeup_by"] = self.now.date().isoformat()
        elif action == "refuse_to_accept":
            out["reason"] = "不属于本机关职权范围"
        elif action == "pass":
            step = self.process.step(item.step or "")
            if step.kind.value == "co_review" and data.draw(st.booleans(), label="agree?"):
                out.update(agree=False, opinion="不同意，理由见附件")
        elif action == "send_back":
            out.update(to=data.draw(st.sampled_from(item.choices), label="to"), reason="退回重审")
        elif action == "refuse":
            out["reasons"] = ["不符合法定条件"]
        elif action == "start_clock_stop":
            out.update(
                kind=data.draw(st.sampled_from(item.choices), label="kind"),
                notice="通知",
                needed_days=data.draw(st.integers(1, 30), label="needed_days"),
            )
        elif action == "end_clock_stop" and item.choices:  # several run: say which ends
            out["kind"] = data.draw(st.sampled_from(item.choices), label="ends")
        elif action == "extend":
            out["reason"] = "情况复杂"
        elif action == "record_applicant_delay":
            out.update(kind=data.draw(st.sampled_from(item.choices), label="delay"), reason="逾期")
        elif action == "record_absence":
            out["end"] = (
                self.now.date() + timedelta(days=data.draw(st.integers(0, 10)))
            ).isoformat()
        elif action == "record_payment":
            out["amount"] = str(case.settlement.outstanding)
        elif action == "waive_fee":
            out.update(item=item.choices[0], reason="减免批复")
        elif action == "issue_certificate":
            out["number"] = f"No.{case.version}"
            if item.choices:  # several results: one of those offered
                out["result"] = data.draw(st.sampled_from(item.choices), label="result")
        elif action == "record_rating":
            level = data.draw(st.sampled_from(RATING_LEVELS), label="rating")
            out.update(level=level, named=data.draw(st.booleans(), label="named"), comment="慢")
        elif action == "follow_up_rating":
            out.update(note="已回访", rectified=data.draw(st.booleans(), label="rectified"))
        elif action == "record_check":
            out["finding"] = data.draw(st.sampled_from(item.choices), label="finding")
            if out["finding"] == "untrue":
                out["opinion"] = "承诺不实"
        return out

    def do(self, action: str, actor: str, details: Mapping[str, Any]) -> Case:
        if action == "record_absence":
            # the actor may record some of the people offered: find one
            refusal: ActionNotAllowed | None = None
            for person in sorted(ENGINE._plan(self.case.matter_id).recorders):
                try:
                    return ENGINE.act(self.case, action, at=self.now, actor=actor,
                                      person=person, **details)  # fmt: skip
                except ActionNotAllowed as err:
                    if err.code != "not-authorised":
                        raise
                    refusal = err
            assert refusal is not None
            raise refusal
        return ENGINE.act(self.case, action, at=self.now, actor=actor, **details)

    def attempt(self, action: str, actor: str, details: Mapping[str, Any]) -> str:
        """``refused`` or ``done`` (the result is thrown away), or a CaseDataError's text."""
        try:
            self.do(action, actor, details)
        except ActionNotAllowed:
            return "refused"
        except CaseDataError as err:
            return f"bad input: {err}"
        return "done"

    def move(self, new: Case) -> None:
        """Adopt the next case after checking the dues only move later."""
        old = self.case
        for name in ("statutory_due", "promised_due", "certificate_due"):
            before, after = getattr(old.clock, name), getattr(new.clock, name)
            if before is not None and after is not None:
                assert after >= before, f"{name} moved from {before} to {after}"
        for sid, state in old.steps.items():
            later = new.steps.get(sid)
            if (
                later is not None and later.opened == state.opened
                and state.due is not None and later.due is not None
            ):  # fmt: skip
                assert later.due >= state.due, f"step {sid} due moved back"
        # the fold, given each new event, builds what the live path built
        folded = old
        for event in new.events[old.version :]:
            folded = apply_event(folded, event)
        assert folded == new
        assert folded.to_json() == new.to_json()
        self.case = new

    # ------------------------------------------------------------------ rules

    @rule(data=st.data(), wait=moments())
    def act_as_offered(self, data: st.DataObject, wait: timedelta) -> None:
        """Take an offered action; check a few other offers succeed and non-offers fail."""
        self.now += wait
        offered = ENGINE.available_actions(self.case, self.now)
        assume(offered)
        pairs = [(item, actor) for item in offered for actor in item.actors]
        before = snapshot(self.case)
        # a few other listed pairs succeed too (their result is thrown away)
        for item, actor in data.draw(
            st.lists(st.sampled_from(pairs), max_size=2, unique=True), label="also offered"
        ):
            self.do(item.action, actor, self.details(item, actor, data))
        # sampled unlisted pairs are refused
        listed = {(item.action, key_step(item.action, item.step), actor) for item, actor in pairs}
        people = [*ENGINE._plan(self.case.matter_id).staff, "applicant_x", "stranger"]
        open_steps = list(self.case.open_steps) or list(self.process.order)
        for _ in range(2):
            action = data.draw(st.sampled_from(sorted(ACTIONS)), label="other action")
            actor = data.draw(st.sampled_from(people), label="other actor")
            step = data.draw(st.sampled_from(open_steps), label="other step") if (
                action in STEP_ACTIONS) else None  # fmt: skip
            if (action, step, actor) in listed:
                continue
            fake = AvailableAction(action, step, (actor,), ("hearing", "review", "accept"))
            details = self.details(fake, actor, data) if action != "supplement" else {}
            if action == "supplement":
                details = {"materials": {self.process.matter.materials[0].id: "paper"}} if (
                    self.process.matter.materials) else {}  # fmt: skip
            assert self.attempt(action, actor, details) == "refused", (action, step, actor)
        assert snapshot(self.case) == before  # refused or thrown-away actions changed nothing
        item, actor = data.draw(st.sampled_from(pairs), label="taken")
        self.move(self.do(item.action, actor, self.details(item, actor, data)))

    @rule(data=st.data(), wait=moments())
    def act_at_random(self, data: st.DataObject, wait: timedelta) -> None:
        """Anything by anyone: either it is refused and nothing changed, or it was offered."""
        self.now += wait
        action = data.draw(st.sampled_from(sorted(ACTIONS)), label="action")
        people = [*ENGINE._plan(self.case.matter_id).staff, "applicant_x"]
        actor = data.draw(st.sampled_from(people), label="actor")
        step = (
            data.draw(st.sampled_from(self.process.order), label="step")
            if action in STEP_ACTIONS
            else None
        )
        offered = {
            (a.action, key_step(a.action, a.step), who)
            for a in ENGINE.available_actions(self.case, self.now)
            for who in a.actors
        }
        fake = AvailableAction(action, step, (actor,), ("hearing", "review", "accept"))
        try:
            details = self.details(fake, actor, data)
        except (StopIteration, IndexError, KeyError):
            return
        before = snapshot(self.case)
        try:
            new = self.do(action, actor, details)
        except (ActionNotAllowed, CaseDataError):
            assert snapshot(self.case) == before
            return
        assert (action, step, actor) in offered, f"{action} by {actor} succeeded unoffered"
        self.move(new)

    @rule(wait=moments())
    def time_passes(self, wait: timedelta) -> None:
        """Nobody acts; clock events are recorded when someone looks."""
        self.now += wait
        self.move(ENGINE.advance(self.case, self.now))

    # ------------------------------------------------------------------ invariants

    @invariant()
    def decisions_follow_every_earlier_step(self) -> None:
        case = self.case
        if case.decision is None or case.decision.outcome != "approved":
            return
        for deciding in self.process.deciding_steps:
            assert case.steps[deciding].status in DONE
            for earlier in self.process.ancestors(deciding):
                assert case.steps[earlier].status in DONE, f"{earlier} not done"

    @invariant()
    def statutory_is_never_before_promised(self) -> None:
        clock = self.case.clock
        if clock.statutory_due is not None and clock.promised_due is not None:
            assert clock.statutory_due >= clock.promised_due

    @rule()
    def stored_and_read_back(self) -> None:
        """A host keeps the case as JSON between requests: go on with what it reads."""
        self.case = Case.from_json(self.case.to_json())

    @invariant()
    def statuses_move_only_as_the_tables_say(self) -> None:
        """Every move of the case's and its steps' statuses is in engine/lifecycle.py."""
        assert unlisted_moves(self.case.events) == []

    @invariant()
    def the_case_is_its_record(self) -> None:
        case = self.case
        text = case.to_json()
        rebuilt = ENGINE.replay(case.events, head=case.head)
        assert rebuilt == case
        # the same text whether the case was built in memory, read back, or read back
        # and acted on (which writes the stored events back as they were read)
        assert rebuilt.to_json() == text
        again = Case.from_json(text)
        assert again == case
        assert again.to_json() == text
        verify(case.events)

    @invariant()
    def a_changed_byte_is_caught(self) -> None:
        raw = bytearray(self.case.to_json().encode())
        # a deterministic spread of positions: the seed of the case decides which
        index = (self.case.version * 7919 + len(raw)) % len(raw)
        raw[index] = (raw[index] + 1 + self.case.version % 200) % 256
        # refused when read, when its events are first decoded, or when the events are
        # verified; else the edit is in the state, which a rebuild from the events shows
        try:
            again = Case.from_json(bytes(raw))
            if again == self.case:  # pragma: no cover - only an escape written differently
                return
            verify(again.events, head=self.case.head)
        except (CaseDataError, LogTampered):
            return
        assert ENGINE.replay(again.events, head=self.case.head) != again


CaseMachine.TestCase.settings = settings(
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_random_cases = CaseMachine.TestCase
