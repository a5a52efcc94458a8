"""The inbox is exact: it lists what the engine would let each person do, nothing else.

A Hypothesis state machine runs random cases of every bundled matter: mostly actions
:meth:`Engine.available_actions` offers (absences recorded in the case included),
time passing, and absences put in the store's calendar.  After every step the case is
advanced to the moment (what a sweep does) and saved, and for every person of the
matter the store's inbox must equal the engine's offers of step work: the accept
window's actions, pass, send_back, refuse and the post-decision actions, each on the
step it is done on.  The engine is given the calendar's absences as if they were
recorded in the case: how it will read them once it consults the store.

Two differences are by design: while a correction notice awaits the applicant the
window's ``refuse_to_accept`` is not listed (it is the applicant's turn), and actions
that are not a step's work (extend, clock stops, absences, withdraw, supplement) are
never listed.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from approval_rules.engine import Absence, AvailableAction, Case, Engine, Status, StepStatus
from approval_rules.errors import ActionNotAllowed, CaseDataError
from approval_rules.graph import Process
from approval_rules.loader import load_catalogue, load_catalogue_text
from approval_rules.model import FieldType, Material, MaterialForm, StepKind
from approval_rules.store import CaseStore, open_store
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())
MATTERS = sorted(CATALOGUE.matters)
STEP_ACTIONS = {"pass", "send_back", "refuse"}
WINDOW = {"request_correction", "accept", "refuse_to_accept", "accept_on_commitment",
          "record_check"}  # fmt: skip
KIND_OF = {"record_payment": StepKind.FEE, "waive_fee": StepKind.FEE,
           "issue_certificate": StepKind.CERTIFY, "deliver": StepKind.DELIVER,
           "close": StepKind.CLOSE}  # fmt: skip
WORK = STEP_ACTIONS | WINDOW | set(KIND_OF)
# actions that move a case on are drawn more often, so that walks reach fees and delivery
WEIGHT = {"accept": 6, "accept_on_commitment": 6, "pass": 6, "supplement": 6,
          "record_payment": 6, "issue_certificate": 6, "deliver": 6, "close": 6,
          "refuse": 2}  # fmt: skip

Offer = tuple[str, str | None, frozenset[str]]


def delivered(material: Material) -> object:
    """A good delivery of the material: a paper copy beside the file where the matter asks
    for both (纸质、电子各一份)."""
    if material.form is MaterialForm.BOTH:
        return {"paper": True, "files": [good_file(material)]}
    return [good_file(material)]


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
        return st.integers(0, 2000)
    if kind is FieldType.BOOLEAN:
        return st.booleans()
    if kind is FieldType.CHOICE:
        return st.sampled_from(choices)
    if kind is FieldType.DATE:
        return st.dates(date(2020, 1, 1), date(2025, 1, 1)).map(date.isoformat)
    return st.text("甲乙abc", min_size=1, max_size=4)


def kind_step(case: Case, process: Process, kind: StepKind) -> str | None:
    """The step a post-decision action is done on (the engine's AvailableAction says None)."""
    if case.status is Status.REFUSED:
        return None
    for sid in process.order:
        state = case.steps.get(sid)
        if process.step(sid).kind is kind and state is not None and state.status is StepStatus.OPEN:
            return sid
    return None


def engine_offers(
    case: Case, process: Process, at: datetime, calendar: list[Absence], engine: Engine = ENGINE
) -> set[Offer]:
    """Step work the engine offers, per (person, step), the calendar read into the case."""
    if case.status is Status.CORRECTION_REQUESTED:
        return set()
    seen = case._replace(absences=(*case.absences, *calendar))
    found: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for offer in engine.available_actions(seen, at):
        if offer.action not in WORK:
            continue
        kind = KIND_OF.get(offer.action)
        step = kind_step(case, process, kind) if kind is not None else offer.step
        for actor in offer.actors:
            found[(actor, step)].add(offer.action)
    return {(person, step, frozenset(actions)) for (person, step), actions in found.items()}


def store_offers(store: CaseStore, people: list[str], at: datetime) -> set[Offer]:
    return {
        (person, item.step, frozenset(item.actions))
        for person in people
        for item in store.inbox(person, at=at)
    }


class InboxMachine(RuleBasedStateMachine):
    """Random cases, saved after every step; the inbox always equals the engine's offers."""

    case: Case
    process: Process
    now: datetime
    store: CaseStore

    @initialize(data=st.data(), matter=st.sampled_from(MATTERS))
    def submit(self, data: st.DataObject, matter: str) -> None:
        self.process = ENGINE.process(matter)
        spec = self.process.matter
        applicant = {f.id: data.draw(field_value(f.type, f.choices), label=f.id)
                     for f in spec.applicant_fields}  # fmt: skip
        materials: dict[str, Any] = {}
        for m in spec.materials:
            how = data.draw(st.sampled_from(["good"] * 8 + ["none", "bad"]), label=m.id)
            if how == "good":
                materials[m.id] = delivered(m)
            elif how == "bad":
                materials[m.id] = [{"name": "scan.exe", "size_kb": 99_999, "pages": 40}]
        day = data.draw(st.dates(date(2024, 1, 1), date(2025, 9, 30)), label="day")
        self.now = datetime(day.year, day.month, day.day, 9, tzinfo=TZ)
        committed = spec.commitment is not None and data.draw(st.booleans(), label="commit")
        self.case = ENGINE.submit(matter, applicant, materials, at=self.now, actor="applicant_x",
                                  commitment=committed)  # fmt: skip
        self.people = sorted(self.process.people)
        self.calendar: list[Absence] = []
        self.store = open_store("sqlite:///:memory:", engine=ENGINE)
        self.saved = 0
        self.settle()

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()

    def settle(self) -> None:
        """Advance to now (a sweep), save, and compare every person's inbox."""
        self.case = ENGINE.advance(self.case, self.now)
        self.store.save(self.case, expected_version=self.saved)
        self.saved = self.case.version
        expected = engine_offers(self.case, self.process, self.now, self.calendar)
        assert store_offers(self.store, self.people, self.now) == expected

    def details(self, item: AvailableAction, data: st.DataObject) -> dict[str, Any]:
        """Details that fit an offered action."""
        action, case = item.action, self.case
        if action in STEP_ACTIONS:
            out: dict[str, Any] = {"step": item.step}
            if action == "send_back":
                out.update(to=data.draw(st.sampled_from(item.choices), label="to"), reason="退回")
            elif action == "refuse":
                out["reasons"] = ["不符合法定条件"]
            return out
        simple: dict[str, dict[str, Any]] = {
            "request_correction": {"problems": ["请补充签章"]},
            "refuse_to_accept": {"reason": "不属于本机关职权范围"},
            "extend": {"reason": "情况复杂"},
            "record_payment": {"amount": str(case.settlement.outstanding)},
            "issue_certificate": {"number": f"No.{case.version}"}
            | ({"result": item.choices[0]} if item.choices else {}),
            "start_clock_stop": {
                "kind": item.choices[0] if item.choices else "",
                "notice": "通知",
                "needed_days": 5,
            },
            "waive_fee": {"item": item.choices[0] if item.choices else "", "reason": "减免"},
        }
        if action == "accept" and case.intake.gaps:
            return {"makeup_by": self.now.date().isoformat()}
        if action == "supplement":
            wanted = [*case.intake.gaps, *(p.material for p in case.intake.problems if p.material)]
            chosen = data.draw(
                st.sampled_from(wanted or [m.id for m in self.process.matter.materials])
            )
            material = next(m for m in self.process.matter.materials if m.id == chosen)
            return {"materials": {chosen: [good_file(material)]}}
        return simple.get(action, {})

    @rule(data=st.data(), wait=st.integers(0, 3 * 24 * 60).map(lambda m: timedelta(minutes=m)))
    def act_as_offered(self, data: st.DataObject, wait: timedelta) -> None:
        """Someone takes an action the engine offers (as recorded, with absences)."""
        self.now += wait
        offered = [(item, actor) for item in ENGINE.available_actions(self.case, self.now)
                   for actor in item.actors]  # fmt: skip
        if not offered:
            self.settle()
            return
        weighted = [pair for pair in offered for _ in range(WEIGHT.get(pair[0].action, 1))]
        item, actor = data.draw(st.sampled_from(weighted), label="taken")
        details = self.details(item, data)
        if item.action == "record_absence":
            end = (self.now.date() + timedelta(days=data.draw(st.integers(0, 6)))).isoformat()
            for person in (actor, *item.choices):
                try:
                    self.case = ENGINE.act(self.case, "record_absence", at=self.now,
                                           actor=actor, person=person, end=end)  # fmt: skip
                    break
                except ActionNotAllowed:
                    continue
        else:
            # details the test could not fit (a made-up make-up date …) are refused
            with contextlib.suppress(ActionNotAllowed, CaseDataError):
                self.case = ENGINE.act(self.case, item.action, at=self.now, actor=actor, **details)
        self.settle()

    @rule(wait=st.integers(1, 20).map(lambda d: timedelta(days=d)))
    def time_passes(self, wait: timedelta) -> None:
        """Nobody acts; clock events fall due."""
        self.now += wait
        self.settle()

    @rule(data=st.data())
    def away_in_the_calendar(self, data: st.DataObject) -> None:
        """Someone is away for a few days from today, in the store's calendar: mostly a
        signer of an open step, so that backups come in."""
        signers = sorted({p for sid in self.case.open_steps for p in self.process.signers(sid)})
        person = data.draw(st.sampled_from(signers or self.people), label="away")
        start = self.now.date() - timedelta(days=data.draw(st.integers(0, 2)))
        end = self.now.date() + timedelta(days=data.draw(st.integers(0, 5)))
        recorded = self.store.record_absence(person, start, end, reason="年休假", by=person)
        self.calendar.append(Absence(person, start, end, person, recorded.reason))
        self.settle()


InboxMachine.TestCase.settings = settings(
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_inbox_equals_the_engines_offers = InboxMachine.TestCase


def _applicant(process: Process) -> dict[str, Any]:
    """Applicant fields that make every fee apply."""
    value = {"number": 100, "boolean": False, "text": "甲", "date": "2024-01-01"}
    return {f.id: f.choices[0] if f.choices else value[f.type.value]
            for f in process.matter.applicant_fields}  # fmt: skip


@pytest.mark.parametrize("path", ["approve", "refuse"])
@pytest.mark.parametrize("matter", MATTERS)
def test_every_matter_from_submission_to_closing(matter: str, path: str) -> None:
    """Each bundled matter walked to the end (approved with fees and certificate, or
    refused and delivered): after every action the inbox equals the engine's offers."""
    process = ENGINE.process(matter)
    materials = {m.id: delivered(m) for m in process.matter.materials}
    now = datetime(2025, 3, 3, 9, tzinfo=TZ)
    case = ENGINE.submit(matter, _applicant(process), materials, at=now, actor="applicant_x")
    wanted = ["refuse"] if path == "refuse" else []
    wanted += ["accept", "pass", "record_payment", "issue_certificate", "deliver", "close"]
    people = sorted(process.people)
    with open_store("sqlite:///:memory:", engine=ENGINE) as store:
        saved = 0
        while True:
            store.save(case, expected_version=saved)
            saved = case.version
            assert store_offers(store, people, now) == engine_offers(case, process, now, [])
            now += timedelta(hours=2)
            offers = ENGINE.available_actions(case, now)
            taken = next(((o, o.actors[0]) for want in wanted for o in offers if o.action == want),
                         None)  # fmt: skip
            if taken is None:
                break
            offer, actor = taken
            details: dict[str, Any] = {"step": offer.step} if offer.action in STEP_ACTIONS else {}
            more = {"refuse": {"reasons": ["不符合法定条件"]},
                    "record_payment": {"amount": str(case.settlement.outstanding)},
                    "issue_certificate": {"number": "No.1"}}  # fmt: skip
            details.update(more.get(offer.action, {}))
            if offer.action == "issue_certificate" and offer.choices:  # several results
                details["result"] = offer.choices[0]
            case = ENGINE.act(case, offer.action, at=now, actor=actor, **details)
    assert case.status is Status.CLOSED


def test_separation_of_duties_holds_in_the_inbox() -> None:
    """Who signed a step the next must be separate from sees that step only to send it back."""
    files = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "matters").glob("*.yaml")}
    files["construction_permit.yaml"] = files["construction_permit.yaml"].replace(
        "    signers: [shen_weidong]\n", "    signers: [shen_weidong, wang_wei]\n", 1
    )
    engine = Engine(load_catalogue_text(files), WorkCalendar.china())
    process = engine.process("construction_permit")
    materials = {m.id: delivered(m) for m in process.matter.materials}
    now = datetime(2025, 3, 3, 9, tzinfo=TZ)
    case = engine.submit("construction_permit", _applicant(process), materials, at=now,
                         actor="applicant_x")  # fmt: skip
    for actor in ("wang_yueqin", "fu_hong", "ai_wei", "yu_ying", "zheng_can", "wang_wei"):
        now += timedelta(hours=1)
        action = "accept" if actor == "wang_yueqin" else "pass"
        case = engine.act(case, action, at=now, actor=actor)
    with open_store("sqlite:///:memory:", engine=engine) as store:
        store.save(case, expected_version=0)
        mine = store.inbox("wang_wei", at=now)
        assert [(i.step, i.actions) for i in mine] == [("head_approval", ("send_back",))]
        head = store.inbox("shen_weidong", at=now)
        assert [(i.step, i.actions) for i in head] == [
            ("head_approval", ("pass", "send_back", "refuse"))
        ]
        people = sorted(process.people)
        assert store_offers(store, people, now) == engine_offers(case, process, now, [], engine)
