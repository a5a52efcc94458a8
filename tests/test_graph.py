"""The compiled Process: structure, people, timing, identity (graph.py)."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import threading
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from approval_rules.compiler import compile_matter
from approval_rules.conditions import FieldTest
from approval_rules.graph import (
    Process,
    StepGraph,
    content_hash,
    dependency_cycles,
    limit_in_working_days,
)
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.model import VISIBLE_PATTERN, Matter, TimeLimit
from approval_rules.testing import matter_catalogue, matters

DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 市住房和城乡建设局}
  - {id: xfj, name: 市消防救援支队}
roles:
  - {id: window, name: 窗口受理人员}
people:
  - {id: wang, name: 王月琴, department: zjj, roles: [window], backup: chen}
  - {id: chen, name: 陈倩, department: zjj, roles: [window]}
  - {id: fu, name: 付红, department: zjj, roles: [window], backup: ai}
  - {id: ai, name: 艾伟, department: zjj, backup: fu}
  - {id: shen, name: 沈卫东, department: zjj, backup: liu}
  - {id: liu, name: 刘建华, department: zjj}
  - {id: li, name: 李强, department: xfj, backup: zhao}
  - {id: zhao, name: 赵磊, department: xfj}
"""

# accept ─┬─ review ─┬─ legal ──┐
#         │          └─ survey ─┼─ decide ── certify ── close
#         └─ fire ──────────────┘
MATTER = """\
kind: matter
id: permit
name: 建筑工程施工许可
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: zjj
co_departments: [xfj]
legal_basis: [{law: 中华人民共和国建筑法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 12}
  green_channel: {reduction: 0.15, when: is_key_project}
applicant_fields:
  - {id: is_key_project, name: 重点项目, type: boolean}
  - {id: floor_area, name: 建筑面积, type: number}
materials:
  - {id: drawings, name: 施工图, when: floor_area > 300}
steps:
  - {id: accept, name: 窗口受理, kind: accept, signers: [fu], signer_roles: [window],
     time_limit: {value: 1}}
  - {id: review, name: 科室审查, kind: review, signers: [fu, ai], after: [accept],
     time_limit: {value: 2}}
  - {id: fire, name: 消防协审, kind: co_review, department: xfj, signers: [li],
     after: [accept], time_limit: {value: 7}, on_timeout: deem_agreed}
  - {id: legal, name: 法规审查, kind: review, signers: [ai, fu], after: [review],
     time_limit: {value: 4, unit: hours}}
  - {id: survey, name: 现场勘察, kind: site_survey, signers: [ai, fu], after: [review],
     time_limit: {value: 3}, when: is_key_project}
  - {id: decide, name: 局长审批, kind: decide, decides: true, signers: [shen],
     after: [legal, survey, fire], send_back_to: [review, accept], time_limit: {value: 1}}
  - {id: certify, name: 制证, kind: certify, signer_roles: [window], after: [decide],
     time_limit: {value: 1, unit: half_days}}
  - {id: close, name: 办结, kind: close, signer_roles: [window], after: [certify]}
result: {name: 建筑工程施工许可证}
"""


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue_text({"defs.yaml": DEFS, "permit.yaml": MATTER})


@pytest.fixture(scope="module")
def process(catalogue: Catalogue) -> Process:
    return compile_matter(catalogue.matters["permit"], catalogue)


# --- units and hashing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "days"),
    [
        (None, 0.0),
        (TimeLimit(value=7), 7.0),
        (TimeLimit(value=0.5), 0.5),
        (TimeLimit(value=3, unit="half_days"), 1.5),
        (TimeLimit(value=4, unit="hours"), 0.5),
        (TimeLimit(value=10, unit="calendar_days"), 10.0),
    ],
)
def test_limits_are_counted_in_working_days(limit: TimeLimit | None, days: float) -> None:
    """Half days count 0.5, hours 1/8, calendar days 1 (conservative), no limit 0."""
    assert limit_in_working_days(limit) == days


def test_content_hash_is_the_documented_recipe(process: Process) -> None:
    """The hash is SHA-256 of pydantic's model_dump_json() of the matter."""
    text = process.matter.model_dump_json()
    assert process.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert process.content_hash == content_hash(process.matter)


# A name holds a visible character and at most 200 in all (the language's bounds).
_NAMES = st.text(min_size=1, max_size=100).filter(lambda t: re.search(VISIBLE_PATTERN, t))


@given(matters(), _NAMES, st.text(max_size=100))
def test_content_hash_survives_a_round_trip(matter: Matter, name: str, note: str) -> None:
    """A matter rebuilt from its own data (as when the YAML is loaded again) keeps its hash."""
    data = matter.model_dump(mode="json")
    data["name"] = name
    data["steps"][0]["name"] = name + note
    data["note"] = note
    changed = Matter.model_validate(data)
    again = Matter.model_validate(json.loads(changed.model_dump_json()))
    assert content_hash(again) == content_hash(changed)
    if (name, note) != (matter.name, matter.note or ""):
        assert content_hash(changed) != content_hash(matter)


def test_content_hash_of_bundled_matters_is_stable_across_loads() -> None:
    """Loading the bundled catalogue twice gives every matter the same hash."""
    folder = Path(__file__).resolve().parent.parent / "matters"
    first = {m.id: content_hash(m) for m in load_catalogue(folder).matters.values()}
    second = {m.id: content_hash(m) for m in load_catalogue(folder).matters.values()}
    assert first == second
    assert len(set(first.values())) == len(first)


def test_content_hash_changes_with_the_definition(process: Process) -> None:
    """Changing any value of the matter changes the hash a case pins."""
    data = process.matter.model_dump(mode="json")
    data["steps"][1]["time_limit"]["value"] = 3
    assert content_hash(Matter.model_validate(data)) != process.content_hash


# --- structure ------------------------------------------------------------------------


def test_start_ends_and_order(process: Process) -> None:
    """One start (acceptance), one end, topological order with ties in declaration order."""
    assert process.start == "accept"
    assert process.ends == ("close",)
    assert process.order == (
        "accept", "review", "fire", "legal", "survey", "decide", "certify", "close",
    )  # fmt: skip
    assert process.deciding_steps == ("decide",)


def test_neighbours(process: Process) -> None:
    """Predecessors are the after: list; successors are the steps waiting, in order."""
    assert process.predecessors("decide") == ("legal", "survey", "fire")
    assert process.successors("accept") == ("review", "fire")
    assert process.successors("close") == ()
    assert process.ancestors("legal") == {"accept", "review"}
    assert process.descendants("review") == {"legal", "survey", "decide", "certify", "close"}


def test_splits_and_joins(process: Process) -> None:
    """Splits open parallel branches; join_of names the step where they meet."""
    assert process.splits() == {"accept": ("review", "fire"), "review": ("legal", "survey")}
    assert process.join_of("accept") == "decide"
    assert process.join_of("review") == "decide"
    assert process.join_of("legal") is None  # not a split
    assert process.joins() == ("decide",)


def test_join_of_is_the_immediate_post_dominator(process: Process) -> None:
    """join_of agrees with networkx's dominators on the reversed graph."""
    reverse = process.graph.reverse(copy=True)
    ipdom = nx.immediate_dominators(reverse, process.ends[0])
    for split in process.splits():
        assert process.join_of(split) == ipdom[split]


def test_send_back(process: Process) -> None:
    """Send-back targets and what a send-back reopens; parallel branches keep results."""
    assert process.send_back_targets("decide") == ("review", "accept")
    assert process.send_back_sources("review") == ("decide",)
    assert process.reopened_by_send_back("decide", "review") == (
        "review", "legal", "survey", "decide",
    )  # fmt: skip
    reopened = process.reopened_by_send_back("decide", "accept")
    assert reopened == ("accept", "review", "fire", "legal", "survey", "decide")
    with pytest.raises(ValueError, match="not upstream"):
        process.reopened_by_send_back("review", "decide")


def test_unknown_step_raises_key_error(process: Process) -> None:
    """Asking about a step the matter does not have is a KeyError naming it."""
    with pytest.raises(KeyError, match="reveiw"):
        process.successors("reveiw")


# --- people ---------------------------------------------------------------------------


def test_signers_named_first_then_role_holders(process: Process) -> None:
    """Named signers come first, then holders of the step's roles, without repeats."""
    assert process.signers("accept") == ("fu", "wang", "chen")
    assert process.signers("fire") == ("li",)


def test_backups(process: Process) -> None:
    """Each signer maps to their AB岗 backup, or None."""
    assert process.backups("accept") == {"fu": "ai", "wang": "chen", "chen": None}
    assert process.person("ai").name == "艾伟"
    assert process.department("fire") == "xfj"
    assert process.department_name("xfj") == "市消防救援支队"


# --- timing ---------------------------------------------------------------------------


def test_critical_path_and_slack(process: Process) -> None:
    """The longest chain of limits, and how late every other step may be."""
    assert process.critical_path == ("accept", "fire", "decide", "certify", "close")
    assert process.critical_length == 9.5
    assert process.slack["review"] == 2.0  # 1 + 2 + 3 (survey) = 6 vs fire ends at 8
    assert process.slack["legal"] == 4.5
    assert process.slack["survey"] == 2.0
    assert all(process.slack[s] == 0 for s in process.critical_path)
    assert process.earliest_start["decide"] == 8.0
    assert process.latest_start["review"] == 3.0
    assert process.limit("legal") == 0.5
    assert (process.promised_days, process.statutory_days) == (12.0, 20.0)


def test_critical_length_matches_networkx_with_the_edge_weight_trick(process: Process) -> None:
    """Moving each step's limit onto its out-edges gives networkx the same longest path."""
    g: nx.DiGraph[str] = nx.DiGraph()
    for u, v in process.graph.edges:
        g.add_edge(u, v, days=process.limit(u))
    g.add_edge(process.ends[0], "END", days=process.limit(process.ends[0]))
    assert nx.dag_longest_path_length(g, weight="days") == process.critical_length


# --- conditions and identity ----------------------------------------------------------


def test_conditions_are_parsed_at_compile_time(process: Process) -> None:
    """Every when: of the matter is available parsed; other text is parsed on demand."""
    assert process.condition("is_key_project") == FieldTest("is_key_project", 0)
    assert process.condition("floor_area > 300").evaluate({"floor_area": 400})


def test_graph_is_read_only_with_documented_attributes(process: Process) -> None:
    """The networkx graph is frozen; nodes carry kind, name, limit and signers."""
    node = process.graph.nodes["legal"]
    assert (node["kind"], node["name"], node["limit"]) == ("review", "法规审查", 0.5)
    assert node["signers"] == ("ai", "fu")
    assert set(process.graph.edges) >= {("accept", "review"), ("fire", "decide")}
    with pytest.raises(nx.NetworkXError):
        process.graph.add_edge("close", "accept")


def test_process_is_immutable_hashable_and_picklable(process: Process) -> None:
    """No attribute can be set; equality and hash follow the content hash; pickling works."""
    with pytest.raises(AttributeError):
        process.start = "review"  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(process))
    assert copy == process
    assert hash(copy) == hash(process)
    assert copy.signers("accept") == process.signers("accept")
    assert {process: 1}[copy] == 1
    assert repr(process).startswith("<Process permit ")


def test_process_can_be_shared_between_threads(process: Process) -> None:
    """Concurrent readers all see the same answers (nothing is computed lazily)."""
    results: list[tuple[object, ...]] = []

    def read() -> None:
        for _ in range(200):
            results.append(
                (process.critical_path, process.join_of("accept"), process.signers("accept"))
            )

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1


def test_a_cyclic_matter_cannot_become_a_process(catalogue: Catalogue) -> None:
    """The constructor refuses a cycle (compile_matter reports it properly)."""
    data = catalogue.matters["permit"].model_dump(mode="json")
    data["steps"][0]["after"] = ["close"]
    with pytest.raises(ValueError, match="dependency cycle"):
        Process(Matter.model_validate(data))


# --- StepGraph and cycles -------------------------------------------------------------


@given(matters(max_steps=14))
def test_topological_order_equals_networkx_lexicographical_sort(matter: Matter) -> None:
    """Our Kahn order is networkx's lexicographical order keyed by declaration index."""
    shape = StepGraph(matter.steps)
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(s.id for s in matter.steps)
    g.add_edges_from((a, s.id) for s in matter.steps for a in s.after)
    index = {s.id: i for i, s in enumerate(matter.steps)}
    expected = list(nx.lexicographical_topological_sort(g, key=index.__getitem__))
    assert shape.order is not None
    assert [shape.ids[i] for i in shape.order] == expected
    process = Process(matter, people=matter_catalogue(matter).people)
    ipdom = nx.immediate_dominators(g.reverse(copy=True), process.ends[0])
    for split in process.splits():
        assert process.join_of(split) == ipdom[split]


def test_dependency_cycles_one_readable_cycle_per_group() -> None:
    """Each circular group is reported once, from its first item, in 'before' order."""
    deps = {
        "a": [],
        "review": ["a", "approve"],
        "approve": ["review"],
        "x": ["z"],
        "y": ["x"],
        "z": ["y"],
        "w": ["z"],
    }
    assert dependency_cycles(deps) == [
        ("review", "approve", "review"),
        ("x", "y", "z", "x"),
    ]
    assert dependency_cycles({"a": [], "b": ["a"], "c": ["a", "b", "unknown"]}) == []
