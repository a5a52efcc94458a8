"""Properties of the critical-path analysis over random sound matters (Hypothesis)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from approval_rules.compiler import check_matter, compile_matter
from approval_rules.graph import Process
from approval_rules.model import Matter
from approval_rules.testing import matter_catalogue, matters

EPSILON = 1e-9


def _compile(matter: Matter) -> Process:
    return compile_matter(matter, matter_catalogue(matter))


def _paths(process: Process, node: str) -> Iterator[tuple[str, ...]]:
    """Every chain of steps from ``node`` to an end (brute force)."""
    successors = process.successors(node)
    if not successors:
        yield (node,)
        return
    for nxt in successors:
        for rest in _paths(process, nxt):
            yield (node, *rest)


def _length(process: Process, path: tuple[str, ...]) -> float:
    return sum(process.limit(step) for step in path)


@given(matters(max_steps=10))
def test_generated_matters_are_sound(matter: Matter) -> None:
    """The strategy's matters compile with no errors (so the properties below apply)."""
    assert [i for i in check_matter(matter, matter_catalogue(matter)) if i.is_error] == []


@given(matters(max_steps=10))
def test_critical_length_is_the_longest_start_to_end_path(matter: Matter) -> None:
    """critical_length equals the brute-force maximum over all start→end paths."""
    process = _compile(matter)
    longest = max(_length(process, p) for p in _paths(process, process.start))
    assert abs(process.critical_length - longest) <= EPSILON
    path = process.critical_path
    assert path[0] == process.start
    assert path[-1] in process.ends
    assert all(b in process.successors(a) for a, b in itertools.pairwise(path))
    assert abs(_length(process, path) - process.critical_length) <= EPSILON


@given(matters(max_steps=12))
def test_slack_is_never_negative_and_zero_on_the_critical_path(matter: Matter) -> None:
    """Every slack ≥ 0; 0 on the critical path; a step's slack fits inside the total."""
    process = _compile(matter)
    assert set(process.slack) == set(process.order)
    assert all(s >= 0 for s in process.slack.values())
    assert all(process.slack[s] == 0 for s in process.critical_path)
    for step in process.order:
        finish = process.earliest_start[step] + process.slack[step] + process.limit(step)
        assert finish <= process.critical_length + EPSILON
        for nxt in process.successors(step):
            assert (
                process.earliest_start[nxt]
                >= process.earliest_start[step] + process.limit(step) - EPSILON
            )


@given(matters(max_steps=10), st.data())
def test_adding_a_step_to_the_critical_path_never_shortens_it(
    matter: Matter, data: st.DataObject
) -> None:
    """Inserting a step between two critical steps gives a critical path at least as long."""
    before = _compile(matter)
    path = before.critical_path
    k = data.draw(st.integers(0, len(path) - 2), label="edge")
    u, v = path[k], path[k + 1]
    value = data.draw(st.sampled_from([0.5, 1, 2, 5]), label="limit")
    dump = matter.model_dump(mode="json")
    steps = dump["steps"]
    for step in steps:
        if step["id"] == v:
            step["after"] = ["inserted" if a == u else a for a in step["after"]]
    at = next(i for i, s in enumerate(steps) if s["id"] == v)
    steps.insert(
        at,
        {
            "id": "inserted",
            "name": "插入的审查",
            "kind": "review",
            "signers": ["p2", "p3"],
            "after": [u],
            "time_limit": {"value": value},
        },
    )
    # Keep the promise out of the way: this property is about the path, not feasibility.
    dump["time_limits"]["promised"]["value"] = dump["time_limits"]["statutory"]["value"] = 250
    after = _compile(Matter.model_validate(dump))
    assert after.critical_length >= before.critical_length - EPSILON
    # In fact it grows by at least the new step's limit: the old path now passes it.
    assert after.critical_length >= before.critical_length + value - EPSILON
    assert after.critical_length >= _length(after, (*path[: k + 1], "inserted", *path[k + 1 :]))
