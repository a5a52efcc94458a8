"""Case engine benchmark: approval_rules vs SpiffWorkflow 3.2 vs transitions.

The same process in every engine: accept → two parallel reviews → join → approve →
close, run for N cases (default 10,000), each engine in memory and with the case
serialised to JSON and restored after every action.

* approval_rules: a 5-step matter (accept, review_a ∥ review_b, approve, close) with
  working-day deadlines computed on the official calendar, signer authorisation on
  every action and the sha256 hash-chained event log, i.e. everything on.  A case is
  submitted, then 5 actions by 4 different people.
* SpiffWorkflow 3.2: a BPMN process with a parallel gateway (written below), parsed
  once; each case builds a ``BpmnWorkflow``, runs engine steps and completes the five
  user tasks; "persist" round-trips ``BpmnWorkflowSerializer`` JSON after each task.
* transitions 0.9: a flat state machine with product states for the parallel part
  (review_ab → review_a / review_b → approve); both one shared ``Machine`` with
  ``add_model`` (the documented way for many models) and a new ``Machine`` per case.
  "persist" stores ``{"id", "state"}`` as JSON and re-attaches a model after each
  action.

A reference row, "the record alone", writes only the 6 events' record (ISO time,
canonical JSON body, sha256 link) with the same bodies the engine writes: the part of
approval_rules' time that the hash-chained log needs whatever the engine does.

Rounds of each variant are interleaved, so a busy machine slows all engines alike;
the reported figure is the CPU time of the process / cases (on a machine whose cores
other jobs share, wall time mostly measures the waiting).  Run::

    python benchmarks/bench_engine.py            # 10,000 cases
    python benchmarks/bench_engine.py --cases 1000 --rounds 5

Peers are benchmark-only dependencies (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from approval_rules.audit import Event, EventLog
from approval_rules.engine import Case, Engine, Status
from approval_rules.loader import load_catalogue_text
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")

# --------------------------------------------------------------------------- approval_rules

DEFINITIONS = """
kind: definitions
departments:
  - {id: office, name: 审批局}
roles:
  - {id: head, name: 局长}
people:
  - {id: clerk, name: 窗口受理员, department: office, backup: clerk_b}
  - {id: clerk_b, name: 窗口受理员乙, department: office, backup: clerk}
  - {id: reviewer_a, name: 审查员甲, department: office, backup: reviewer_b}
  - {id: reviewer_b, name: 审查员乙, department: office, backup: reviewer_a}
  - {id: chief, name: 局长, department: office, roles: [head], backup: clerk_b}
"""

MATTER = """
kind: matter
id: bench_permit
name: 基准许可
catalogue_code: "BENCH001"
implementation_code: "BENCH001-01"
matter_type: administrative_license
lead_department: office
legal_basis: [{law: 中华人民共和国行政许可法, article: 第四十二条}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
  extension: {value: 10, approved_by: head}
materials:
  - {id: application_form, name: 申请表}
steps:
  - {id: accept, name: 受理, kind: accept, signers: [clerk], time_limit: {value: 1}}
  - {id: review_a, name: 审查甲, kind: review, signers: [reviewer_a], after: [accept],
     time_limit: {value: 3}}
  - {id: review_b, name: 审查乙, kind: review, signers: [reviewer_b], after: [accept],
     time_limit: {value: 3}}
  - {id: approve, name: 决定, kind: decide, signers: [chief], after: [review_a, review_b],
     decides: true, can_refuse: true, time_limit: {value: 2}}
  - {id: close, name: 办结, kind: close, signers: [clerk], after: [approve],
     time_limit: {value: 1}}
result: {name: 许可证}
"""

ACTIONS: list[tuple[str, str, dict[str, str]]] = [
    ("accept", "clerk", {}),
    ("pass", "reviewer_a", {"step": "review_a"}),
    ("pass", "reviewer_b", {"step": "review_b"}),
    ("pass", "chief", {"step": "approve"}),
    ("close", "clerk", {}),
]

START = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
HOUR = timedelta(hours=1)


def make_engine() -> Engine:
    catalogue = load_catalogue_text({"definitions.yaml": DEFINITIONS, "bench.yaml": MATTER})
    engine = Engine(catalogue, WorkCalendar.china())
    engine.process("bench_permit")  # compile outside the timed loop
    return engine


def ours(engine: Engine, persist: bool) -> Callable[[int], int]:
    def run(i: int) -> int:
        # spread cases over ~3 months of working days and hours
        at = START + timedelta(days=i % 90, minutes=i % 480)
        case = engine.submit(
            "bench_permit", {}, {"application_form": "paper"}, at=at, actor="applicant",
            case_id=f"case-{i}",
        )  # fmt: skip
        size = 0
        if persist:
            text = case.to_json()
            case = Case.from_json(text, trusted=True)
        for action, actor, details in ACTIONS:
            at += HOUR
            case = engine.act(case, action, at=at, actor=actor, **details)
            if persist:
                text = case.to_json()
                size = len(text.encode())
                case = Case.from_json(text, trusted=True)
        assert case.status is Status.CLOSED
        assert case.version == 6
        return size

    return run


def record_only(engine: Engine) -> Callable[[int], int]:
    """A reference, not an engine: only the record of the same 6 events.

    The events of one case run through the engine serve as templates; each case then
    writes them again with its own times and ids, with the engine's own builder
    (``EventLog.next_event``, ``EventLog.append``): the ISO time, the canonical JSON body,
    the sha256 link and the growing log, and nothing else (no checks, no deadlines,
    no state).  What is left of a time budget after this is what the
    engine's logic may spend.
    """
    case = engine.submit(
        "bench_permit", {}, {"application_form": "paper"}, at=START, actor="applicant",
        case_id="template",
    )  # fmt: skip
    at = START
    for action, actor, details in ACTIONS:
        at += HOUR
        case = engine.act(case, action, at=at, actor=actor, **details)
    template = [(e.actor, e.action, e.details) for e in case.events]

    def run(i: int) -> int:
        at = START + timedelta(days=i % 90, minutes=i % 480)
        events = EventLog.of(())
        for seq, (actor, action, details) in enumerate(template, start=1):
            event: Event = events.next_event(
                f"case-{i}#{seq}", at.isoformat(), actor, action, details
            )
            events = events.append(event)
            at += HOUR
        assert len(events) == 6
        return 0

    return run


# --------------------------------------------------------------------------- SpiffWorkflow

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="bench_definitions" targetNamespace="https://example.org/approval-rules-bench">
  <bpmn:process id="bench_permit" isExecutable="true">
    <bpmn:startEvent id="submitted"><bpmn:outgoing>to_accept</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="accept" name="受理">
      <bpmn:incoming>to_accept</bpmn:incoming><bpmn:outgoing>to_split</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="split">
      <bpmn:incoming>to_split</bpmn:incoming>
      <bpmn:outgoing>to_review_a</bpmn:outgoing><bpmn:outgoing>to_review_b</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="review_a" name="审查甲">
      <bpmn:incoming>to_review_a</bpmn:incoming><bpmn:outgoing>a_to_join</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="review_b" name="审查乙">
      <bpmn:incoming>to_review_b</bpmn:incoming><bpmn:outgoing>b_to_join</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="join">
      <bpmn:incoming>a_to_join</bpmn:incoming><bpmn:incoming>b_to_join</bpmn:incoming>
      <bpmn:outgoing>to_approve</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="approve" name="决定">
      <bpmn:incoming>to_approve</bpmn:incoming><bpmn:outgoing>to_close</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="close" name="办结">
      <bpmn:incoming>to_close</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="closed"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_accept" sourceRef="submitted" targetRef="accept"/>
    <bpmn:sequenceFlow id="to_split" sourceRef="accept" targetRef="split"/>
    <bpmn:sequenceFlow id="to_review_a" sourceRef="split" targetRef="review_a"/>
    <bpmn:sequenceFlow id="to_review_b" sourceRef="split" targetRef="review_b"/>
    <bpmn:sequenceFlow id="a_to_join" sourceRef="review_a" targetRef="join"/>
    <bpmn:sequenceFlow id="b_to_join" sourceRef="review_b" targetRef="join"/>
    <bpmn:sequenceFlow id="to_approve" sourceRef="join" targetRef="approve"/>
    <bpmn:sequenceFlow id="to_close" sourceRef="approve" targetRef="close"/>
    <bpmn:sequenceFlow id="to_end" sourceRef="close" targetRef="closed"/>
  </bpmn:process>
</bpmn:definitions>
"""

TASK_ORDER = ("accept", "review_a", "review_b", "approve", "close")


def spiff(persist: bool) -> Callable[[int], int]:
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_str(BPMN.encode())
    spec = parser.get_spec("bench_permit")
    serializer = BpmnWorkflowSerializer()

    def run(i: int) -> int:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        size = 0
        for name in TASK_ORDER:
            ready = workflow.get_tasks(state=TaskState.READY)
            task = next(t for t in ready if t.task_spec.name == name)
            task.run()
            workflow.do_engine_steps()
            if persist:
                text = serializer.serialize_json(workflow)
                size = len(text.encode())
                workflow = serializer.deserialize_json(text)
        assert workflow.is_completed()
        return size

    return run


# --------------------------------------------------------------------------- transitions

STATES = ["received", "review_ab", "review_a", "review_b", "approve", "close", "closed"]
TRANSITIONS = [
    {"trigger": "accept", "source": "received", "dest": "review_ab"},
    {"trigger": "pass_review_a", "source": "review_ab", "dest": "review_b"},
    {"trigger": "pass_review_b", "source": "review_ab", "dest": "review_a"},
    {"trigger": "pass_review_a", "source": "review_a", "dest": "approve"},
    {"trigger": "pass_review_b", "source": "review_b", "dest": "approve"},
    {"trigger": "pass_approve", "source": "approve", "dest": "close"},
    {"trigger": "close", "source": "close", "dest": "closed"},
]
TRIGGERS = ("accept", "pass_review_a", "pass_review_b", "pass_approve", "close")


class _Model:
    state: str

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id


def transitions_shared(persist: bool) -> Callable[[int], int]:
    from transitions import Machine

    machine = Machine(
        model=None, states=STATES, transitions=TRANSITIONS, initial="received",
        auto_transitions=False,
    )  # fmt: skip

    def run(i: int) -> int:
        model = _Model(f"case-{i}")
        machine.add_model(model)
        size = 0
        for trigger in TRIGGERS:
            getattr(model, trigger)()
            if persist:
                text = json.dumps({"id": model.case_id, "state": model.state})
                size = len(text.encode())
                machine.remove_model(model)
                data = json.loads(text)
                model = _Model(data["id"])
                machine.add_model(model, initial=data["state"])
        assert model.state == "closed"
        machine.remove_model(model)
        return size

    return run


def transitions_per_case(persist: bool) -> Callable[[int], int]:
    from transitions import Machine

    def build(model: _Model, initial: str) -> None:
        Machine(
            model=model, states=STATES, transitions=TRANSITIONS, initial=initial,
            auto_transitions=False,
        )  # fmt: skip

    def run(i: int) -> int:
        model = _Model(f"case-{i}")
        build(model, "received")
        size = 0
        for trigger in TRIGGERS:
            getattr(model, trigger)()
            if persist:
                text = json.dumps({"id": model.case_id, "state": model.state})
                size = len(text.encode())
                data = json.loads(text)
                model = _Model(data["id"])
                build(model, data["state"])
        assert model.state == "closed"
        return size

    return run


# --------------------------------------------------------------------------- driver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases per variant")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--skip-spiff", action="store_true", help="leave SpiffWorkflow out")
    args = parser.parse_args(argv)

    engine = make_engine()
    variants: dict[str, Callable[[int], int]] = {
        "approval_rules in memory": ours(engine, persist=False),
        "approval_rules persist": ours(engine, persist=True),
        "the record alone (reference)": record_only(engine),
        "transitions shared machine in memory": transitions_shared(persist=False),
        "transitions shared machine persist": transitions_shared(persist=True),
        "transitions machine per case in memory": transitions_per_case(persist=False),
        "transitions machine per case persist": transitions_per_case(persist=True),
    }
    if not args.skip_spiff:
        variants["SpiffWorkflow in memory"] = spiff(persist=False)
        variants["SpiffWorkflow persist"] = spiff(persist=True)

    per_round = max(1, args.cases // args.rounds)
    totals = dict.fromkeys(variants, 0.0)
    rounds: dict[str, list[float]] = {name: [] for name in variants}
    sizes = dict.fromkeys(variants, 0)
    for run in variants.values():  # warm up (imports, caches)
        run(0)
    next_id = 1
    for _ in range(args.rounds):
        for name, run in variants.items():
            gc.collect()
            first = next_id
            began = time.process_time()
            for i in range(first, first + per_round):
                sizes[name] = run(i)
            spent = time.process_time() - began
            totals[name] += spent
            rounds[name].append(spent / per_round * 1e6)
        next_id += per_round
    cases = per_round * args.rounds

    us = {name: totals[name] / cases * 1e6 for name in variants}
    print(
        f"python {platform.python_version()} on {platform.machine()}, {cases} cases per variant,"
        f" {args.rounds} interleaved rounds"
    )
    print(f"{'variant':42} {'µs/case':>10} {'median':>10} {'case JSON':>10}")
    for name in variants:
        size = f"{sizes[name]} B" if sizes[name] else ""
        print(f"{name:42} {us[name]:10.1f} {statistics.median(rounds[name]):10.1f} {size:>10}")

    mem, per = us["approval_rules in memory"], us["approval_rules persist"]
    print()
    print("ratios (how many times faster approval_rules is; > 1 is faster):")
    shared = us["transitions shared machine in memory"]
    own = us["transitions machine per case in memory"]
    print(f"  vs transitions shared machine, in memory: {shared / mem:6.2f}x  (target >= 1)")
    print(f"  vs transitions machine per case, in memory: {own / mem:6.2f}x")
    record = us["the record alone (reference)"]
    print(f"  engine / floor (the record alone), in memory: {mem / record:5.2f}  (aim <= 2)")
    ok = shared / mem >= 1.0
    if not args.skip_spiff:
        spiff_mem, spiff_per = us["SpiffWorkflow in memory"], us["SpiffWorkflow persist"]
        print(f"  vs SpiffWorkflow, in memory: {spiff_mem / mem:6.1f}x  (target >= 30, aim 50)")
        print(
            f"    (50x SpiffWorkflow leaves {spiff_mem / 50:.1f} µs per case; writing the"
            f" record alone takes {record:.1f} µs, {spiff_mem / record:.1f}x SpiffWorkflow)"
        )
        print(f"  vs SpiffWorkflow, persist:   {spiff_per / per:6.1f}x  (target >= 30)")
        print(
            f"  case JSON: approval_rules {sizes['approval_rules persist']} B (target < 4096),"
            f" SpiffWorkflow {sizes['SpiffWorkflow persist']} B"
        )
        ok = ok and spiff_mem / mem >= 30 and spiff_per / per >= 30
    ok = ok and sizes["approval_rules persist"] < 4096
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
