"""Compiled process graphs: the immutable :class:`Process` that cases run on.

A matter's steps and their ``after:`` lists become a directed graph with an edge
``after → step`` for every dependency.  :class:`StepGraph` holds that structure for
any matter, even a broken (cyclic) one, so the compiler can report problems;
:class:`Process` is built only for a sound matter and answers the engine's questions
(start, ends, successors, send-back targets, signers, parallel branches, critical
path and slack).

This is the only module that imports :mod:`networkx`; networkx exceptions never
leave it.

Time limits are compared in *working days* (:func:`limit_in_working_days`): a half
day counts 0.5, an hour 1/8 (an 8-hour office day), and a calendar day counts as a
whole working day.  For a step limit that is conservative (a step of 10 calendar
days is treated as if it could take 10 working days); a matter limit given in
calendar days is treated the same way, which is the most it can contain.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import threading
import types
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .conditions import Condition, ConditionSyntaxError, parse_condition

if TYPE_CHECKING:
    import networkx as nx
from .model import MAIN_RESULT, Matter, Person, Step, StepKind, TimeLimit, Unit

__all__ = [
    "END_KINDS",
    "JSON_FORMAT_VERSION",
    "Process",
    "StepGraph",
    "Timing",
    "analyse_timing",
    "content_hash",
    "dependency_cycles",
    "limit_in_working_days",
    "matter_conditions",
    "result_steps",
]

#: Step kinds at which a case ends (办结 / 送达).  When a matter has none of them, its
#: last step (the single sink of the graph) is where the case ends.
END_KINDS: Final = frozenset({StepKind.CLOSE, StepKind.DELIVER})

#: Version of the JSON export (:meth:`Process.to_json_data`, ``docs/graph-json.md``).
JSON_FORMAT_VERSION: Final = 1

# Floating-point sums of limits such as 0.5 + 0.125 are exact, but guard anyway.
_EPSILON: Final = 1e-9

# Enum members looked up once: attribute access on an enum class is slow in hot loops.
_HALF_DAYS: Final = Unit.HALF_DAYS
_HOURS: Final = Unit.HOURS
_ACCEPT: Final = StepKind.ACCEPT
_CERTIFY: Final = StepKind.CERTIFY


def limit_in_working_days(limit: TimeLimit | None) -> float:
    """A time limit in working days: 0 when there is none.

    Half days count 0.5, hours 1/8 (an 8-hour office day) and calendar days count
    one working day each, which over-estimates a step's length (conservative for
    feasibility checks).  Example: ``TimeLimit(value=4, unit="hours")`` → ``0.5``.
    """
    if limit is None:
        return 0.0
    value = float(limit.value)
    unit = limit.unit
    if unit is _HALF_DAYS:
        return value / 2
    if unit is _HOURS:
        return value / 8
    return value


def content_hash(matter: Matter) -> str:
    """SHA-256 (hex) of the matter's JSON: what a case pins.

    The JSON is pydantic's ``matter.model_dump_json()``: every field, defaults
    included, in the model's declaration order (deterministic for one version of
    the model), encoded as UTF-8.  It is 2.5× cheaper than re-serialising a dumped
    dict with sorted keys, which was half of the compile time.
    """
    return hashlib.sha256(matter.model_dump_json().encode("utf-8")).hexdigest()


def result_steps(matter: Matter) -> dict[str, tuple[str, ...]]:
    """Result id (``main`` first, then the further results) → the certify steps where it
    may be issued, in declaration order: at whichever of them is open.

    With further results each is bound to one step: the first certify step of its
    department; else the first of a department that issues no further result of its
    own (the lead's 统一出件), else the first.  A matter with its one result binds it
    to none: it is issued at any certify step (whichever the case opened), as before
    several results existed.  ``()``: the matter has no certify step (the acceptance
    window issues it).
    """
    lead = matter.lead_department
    certify = [(s.id, s.department or lead) for s in matter.steps if s.kind is _CERTIFY]
    if not matter.further_results:
        return {MAIN_RESULT: tuple(sid for sid, _ in certify)}
    own = {r.department for r in matter.further_results} - {lead}
    unified = next((sid for sid, d in certify if d not in own), certify[0][0] if certify else None)
    issuers = {MAIN_RESULT: lead, **{r.id: r.department for r in matter.further_results}}
    bound = {
        rid: next((sid for sid, d in certify if d == department), unified)
        for rid, department in issuers.items()
    }
    return {rid: () if sid is None else (sid,) for rid, sid in bound.items()}


def dependency_cycles(dependencies: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """One readable cycle per group of items that depend on each other in a circle.

    ``dependencies`` maps each item to the items that must come before it (unknown
    names and self-references are ignored).  Each cycle is returned as a path that
    starts and ends at the group's first item in mapping order and follows the
    "comes before" direction, e.g. ``("review", "approve", "review")``: review comes
    before approve, which comes before review.  Groups appear in mapping order.
    """
    import networkx as nx  # imported on use: `import approval_rules` stays light

    order = {name: i for i, name in enumerate(dependencies)}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(dependencies)
    graph.add_edges_from(
        (before, name)
        for name, befores in dependencies.items()
        for before in befores
        if before in order and before != name
    )
    if nx.is_directed_acyclic_graph(graph):
        return []
    cycles: list[tuple[str, ...]] = []
    groups = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    for group in sorted(groups, key=lambda c: min(order[n] for n in c)):
        first = min(group, key=order.__getitem__)
        cycles.append(_cycle_through(graph, first, group, order))
    return cycles


def _cycle_through(
    graph: nx.DiGraph[str], first: str, group: set[str], order: Mapping[str, int]
) -> tuple[str, ...]:
    """The shortest cycle through ``first`` inside ``group`` (breadth-first, declaration order)."""
    parent: dict[str, str] = {}
    queue = deque([first])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph.successors(node), key=order.__getitem__):
            if nxt == first:
                path = [node]
                while path[-1] != first:
                    path.append(parent[path[-1]])
                return (first, *reversed(path[:-1]), first)
            if nxt in group and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    raise AssertionError("a strongly connected group always has a cycle")  # pragma: no cover


def _bits(mask: int) -> Iterator[int]:
    """Indices of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class StepGraph:
    """The dependency structure of a matter's steps, possibly broken.

    Nodes are step ids in declaration order; there is an edge ``a → b`` when ``b``
    lists ``a`` in ``after:``.  Unknown ids and self-references are ignored (the
    loader reports them).  Everything here is computed eagerly and never changed.

    Attributes:
        ids: step ids in declaration order.
        index: step id → declaration index.
        preds / succs: per declaration index, the indices of the steps before / after it.
        order: topological order (ties in declaration order), or ``None`` when cyclic.
        limits: per declaration index, the step's limit in working days (0 if none).
        sources / sinks: steps with no ``after:`` / that no step waits for.
        ancestors / descendants: per declaration index, a bit set of indices.
    """

    __slots__ = (
        "ancestors",
        "descendants",
        "ids",
        "index",
        "limits",
        "order",
        "preds",
        "sinks",
        "sources",
        "succs",
    )

    def __init__(self, steps: Sequence[Step]) -> None:
        ids = tuple(s.id for s in steps)
        index: dict[str, int] = {}
        for i, sid in enumerate(ids):
            index.setdefault(sid, i)
        preds: list[tuple[int, ...]] = []
        succs: list[list[int]] = [[] for _ in ids]
        for i, step in enumerate(steps):
            seen: dict[int, None] = {}
            for before in step.after:
                j = index.get(before)
                if j is not None and j != i and j not in seen:
                    seen[j] = None
                    succs[j].append(i)  # i grows, so each list stays in declaration order
            preds.append(tuple(seen))
        self.ids = ids
        self.limits = tuple(limit_in_working_days(s.time_limit) for s in steps)
        self.index: Mapping[str, int] = index
        self.preds: tuple[tuple[int, ...], ...] = tuple(preds)
        self.succs: tuple[tuple[int, ...], ...] = tuple(tuple(s) for s in succs)
        self.sources = tuple(i for i, p in enumerate(self.preds) if not p)
        self.sinks = tuple(i for i, s in enumerate(self.succs) if not s)
        self.order: tuple[int, ...] | None = self._topological_order()
        self.ancestors, self.descendants = self._reachability()

    def _topological_order(self) -> tuple[int, ...] | None:
        """Kahn's algorithm, always taking the earliest-declared ready step.

        The same order as ``networkx.lexicographical_topological_sort`` keyed by
        declaration index (tested), without building a networkx graph for it.
        """
        waiting = [len(p) for p in self.preds]
        ready = list(self.sources)  # already sorted, so already a heap
        order: list[int] = []
        while ready:
            node = heapq.heappop(ready)
            order.append(node)
            for nxt in self.succs[node]:
                waiting[nxt] -= 1
                if not waiting[nxt]:
                    heapq.heappush(ready, nxt)
        return tuple(order) if len(order) == len(self.ids) else None

    @property
    def acyclic(self) -> bool:
        return self.order is not None

    def _reachability(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        n = len(self.ids)
        anc = [0] * n
        desc = [0] * n
        if self.order is not None:
            for i in self.order:
                acc = 0
                for p in self.preds[i]:
                    acc |= anc[p] | (1 << p)
                anc[i] = acc
            for i in reversed(self.order):
                acc = 0
                for s in self.succs[i]:
                    acc |= desc[s] | (1 << s)
                desc[i] = acc
        else:
            for i in range(n):
                desc[i] = self._reach(i, self.succs)
                anc[i] = self._reach(i, self.preds)
        return tuple(anc), tuple(desc)

    @staticmethod
    def _reach(start: int, edges: Sequence[Sequence[int]]) -> int:
        seen = 0
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if not seen >> node & 1:
                seen |= 1 << node
                stack.extend(edges[node])
        return seen

    def reachable_from(self, starts: Iterable[int], *, avoiding: int = 0) -> int:
        """Bit set of the steps reachable from ``starts`` (included), avoiding ``avoiding``."""
        seen = 0
        stack = [s for s in starts if not avoiding >> s & 1]
        while stack:
            node = stack.pop()
            if not seen >> node & 1:
                seen |= 1 << node
                stack.extend(s for s in self.succs[node] if not avoiding >> s & 1)
        return seen

    def names(self, mask: int) -> tuple[str, ...]:
        """Step ids of a bit set, in declaration order."""
        return tuple(self.ids[i] for i in _bits(mask))

    def cycles(self) -> list[tuple[str, ...]]:
        """One cycle per group of steps that wait for each other (see :func:`dependency_cycles`)."""
        if self.order is not None:
            return []
        return dependency_cycles(
            {sid: [self.ids[p] for p in self.preds[i]] for i, sid in enumerate(self.ids)}
        )

    def post_dominators(self) -> tuple[int | None, ...]:
        """Per step, the nearest step that every path from it to an end passes through.

        ``None`` when paths from the step reach different ends (or it is an end).
        Only for acyclic graphs.
        """
        order = self.order
        if order is None:
            raise ValueError("post-dominators need an acyclic graph")
        # Bit k stands for the k-th step in topological order: every post-dominator of
        # a step lies on all its paths to the end, so the nearest one is the lowest bit.
        position = [0] * len(order)
        for k, node in enumerate(order):
            position[node] = k
        full = (1 << len(order)) - 1
        pdom = [0] * len(order)
        result: list[int | None] = [None] * len(order)
        for i in reversed(order):
            own = 1 << position[i]
            if not self.succs[i]:
                pdom[i] = own
                continue
            acc = full
            for nxt in self.succs[i]:
                acc &= pdom[nxt]
            pdom[i] = acc | own
            if acc:
                result[i] = order[(acc & -acc).bit_length() - 1]
        return tuple(result)


@dataclass(frozen=True, slots=True)
class Timing:
    """The critical-path analysis of an acyclic step graph, in working days.

    ``earliest_start`` is when a step can start at the soonest if every step before
    it takes its full limit; ``latest_start`` is the latest it may start without
    delaying the whole case beyond ``critical_length``; ``slack`` is the difference
    (0 on the critical path).  ``tail`` is the longest chain of limits from a step
    (included) to an end.
    """

    critical_path: tuple[str, ...]
    critical_length: float
    earliest_start: Mapping[str, float]
    latest_start: Mapping[str, float]
    slack: Mapping[str, float]
    tail: Mapping[str, float]


def analyse_timing(shape: StepGraph, limits: Sequence[float] | None = None) -> Timing:
    """CPM forward and backward pass over ``shape`` (limits in working days).

    ``limits`` default to the steps' own (:attr:`StepGraph.limits`); steps without a
    limit weigh 0.  The critical path is the chain from a start to an end with the
    largest sum of limits; where several chains tie, earlier-declared steps win, so
    the result is deterministic.
    """
    order = shape.order
    if order is None:
        raise ValueError("the critical path needs an acyclic graph")
    limits = shape.limits if limits is None else limits
    preds, succs, ids = shape.preds, shape.succs, shape.ids
    n = len(ids)
    es = [0.0] * n
    ef = [0.0] * n
    for i in order:
        start = 0.0
        for p in preds[i]:
            if ef[p] > start:
                start = ef[p]
        es[i] = start
        ef[i] = start + limits[i]
    length = max(ef, default=0.0)
    tail = [0.0] * n
    for i in reversed(order):
        longest = 0.0
        for s in succs[i]:
            if tail[s] > longest:
                longest = tail[s]
        tail[i] = limits[i] + longest
    path: list[int] = []
    if n:
        node = min(i for i in shape.sinks if ef[i] >= length - _EPSILON)
        path.append(node)
        while preds[node]:
            node = min(p for p in preds[node] if ef[p] >= es[node] - _EPSILON)
            path.append(node)
        path.reverse()
    earliest: dict[str, float] = {}
    latest: dict[str, float] = {}
    slack: dict[str, float] = {}
    tails: dict[str, float] = {}
    for i in order:
        sid = ids[i]
        ls = length - tail[i]
        earliest[sid] = es[i]
        latest[sid] = ls
        # Clamp rounding noise: slack is never negative and exactly 0 on the critical path.
        slack[sid] = ls - es[i] if ls - es[i] > _EPSILON else 0.0
        tails[sid] = tail[i]
    return Timing(
        critical_path=tuple(ids[i] for i in path),
        critical_length=length,
        earliest_start=types.MappingProxyType(earliest),
        latest_start=types.MappingProxyType(latest),
        slack=types.MappingProxyType(slack),
        tail=types.MappingProxyType(tails),
    )


@functools.lru_cache(maxsize=4096)
def _parse_condition(text: str) -> Condition:
    # Conditions are immutable values and matters repeat the same few texts
    # ("is_key_project", 'applicant_kind == "company"'), so parse each text once.
    return parse_condition(text)


def matter_conditions(matter: Matter, *, skip_invalid: bool = False) -> dict[str, Condition]:
    """Every condition written in a matter, parsed: ``when:`` text → condition.

    Covers ``when:`` of steps, materials, fees and the green channel.  Raises
    :class:`~.conditions.ConditionSyntaxError` on malformed text unless
    ``skip_invalid`` (the loader reports those).
    """
    texts: list[str] = [s.when for s in matter.steps if s.when is not None]
    texts += [m.when for m in matter.materials if m.when is not None]
    texts += [f.when for f in matter.fees if f.when is not None]
    green = matter.time_limits.green_channel
    if green is not None and green.when is not None:
        texts.append(green.when)
    parsed: dict[str, Condition] = {}
    for text in dict.fromkeys(texts):
        try:
            parsed[text] = _parse_condition(text)
        except ConditionSyntaxError:
            if not skip_invalid:
                raise
    return parsed


def _rebuild(
    matter: Matter,
    signers: Mapping[str, tuple[str, ...]],
    people: Mapping[str, Person],
    departments: Mapping[str, str],
) -> Process:
    return Process(matter, signers=signers, people=people, departments=departments)


class Process:
    """A compiled matter: an immutable, hashable process graph with typed queries.

    Build it with :func:`approval_rules.compiler.compile_matter`, which proves the
    definition sound first; the constructor only refuses a cyclic one.  Two
    processes are equal (and hash equal) when their matters have the same
    :attr:`content_hash`.  Every query is answered from data computed when the
    process is built, so a process can be shared between threads freely.

    Unknown step ids raise :class:`KeyError`.

    Args:
        matter: the matter definition.
        signers: step id → ids of the people who may act on it (named signers, then
            holders of the step's roles, without repeats).  Steps not listed fall
            back to their named ``signers``.
        people: every person named in ``signers`` and their backups, by id.
        departments: department id → name, for renderings (optional).
        shape: the matter's :class:`StepGraph`, when the caller already built it.
        digest: the matter's :func:`content_hash`, when the caller already computed it.
        timing: :func:`analyse_timing` of ``shape``, when the caller already computed it.
        conditions: :func:`matter_conditions` of the matter, when already parsed.
    """

    __slots__ = (
        "_conditions",
        "_deciding",
        "_departments",
        "_ends",
        "_graph",
        "_graph_lock",
        "_hash",
        "_ipdom",
        "_matter",
        "_order",
        "_people",
        "_send_back_sources",
        "_shape",
        "_signers",
        "_start",
        "_steps",
        "_timing",
    )

    _graph: nx.DiGraph[str] | None
    _graph_lock: threading.Lock
    _conditions: Mapping[str, Condition]
    _deciding: tuple[str, ...]
    _departments: Mapping[str, str]
    _ends: tuple[str, ...]
    _hash: str
    _ipdom: tuple[str | None, ...]
    _matter: Matter
    _order: tuple[str, ...]
    _people: Mapping[str, Person]
    _send_back_sources: Mapping[str, tuple[str, ...]]
    _shape: StepGraph
    _signers: Mapping[str, tuple[str, ...]]
    _start: str
    _steps: Mapping[str, Step]
    _timing: Timing

    def __init__(
        self,
        matter: Matter,
        *,
        signers: Mapping[str, tuple[str, ...]] | None = None,
        people: Mapping[str, Person] | None = None,
        departments: Mapping[str, str] | None = None,
        shape: StepGraph | None = None,
        digest: str | None = None,
        timing: Timing | None = None,
        conditions: Mapping[str, Condition] | None = None,
    ) -> None:
        shape = shape if shape is not None else StepGraph(matter.steps)
        if shape.order is None:
            cycle = " -> ".join(shape.cycles()[0])
            raise ValueError(f"matter {matter.id!r} has a dependency cycle: {cycle}")
        set_ = object.__setattr__
        people = dict(people or {})
        steps = {s.id: s for s in matter.steps}
        resolved = {
            sid: tuple((signers or {}).get(sid, step.signers)) for sid, step in steps.items()
        }
        if timing is None:
            timing = analyse_timing(shape)
        ipdom = shape.post_dominators()
        order = tuple(shape.ids[i] for i in shape.order)
        accept = [shape.ids[i] for i in shape.sources if steps[shape.ids[i]].kind is _ACCEPT]
        start = accept[0] if accept else shape.ids[shape.sources[0]]
        sources: dict[str, list[str]] = {}
        for step in matter.steps:
            for target in step.send_back_to:
                sources.setdefault(target, []).append(step.id)
        set_(self, "_matter", matter)
        set_(self, "_hash", digest or content_hash(matter))
        set_(self, "_shape", shape)
        set_(self, "_steps", types.MappingProxyType(steps))
        set_(self, "_signers", types.MappingProxyType(resolved))
        set_(self, "_people", types.MappingProxyType(people))
        set_(self, "_departments", types.MappingProxyType(dict(departments or {})))
        set_(self, "_timing", timing)
        set_(self, "_order", order)
        set_(self, "_start", start)
        set_(self, "_ends", tuple(sid for sid in order if not shape.succs[shape.index[sid]]))
        set_(self, "_deciding", tuple(sid for sid in order if steps[sid].decides))
        set_(self, "_ipdom", tuple(None if d is None else shape.ids[d] for d in ipdom))
        if conditions is None:
            conditions = matter_conditions(matter)
        set_(self, "_conditions", types.MappingProxyType(dict(conditions)))
        set_(
            self,
            "_send_back_sources",
            types.MappingProxyType({k: tuple(v) for k, v in sources.items()}),
        )
        set_(self, "_graph", None)
        set_(self, "_graph_lock", threading.Lock())

    # --- identity -----------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Process is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Process is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Process):
            return NotImplemented
        return self._hash == other._hash

    def __hash__(self) -> int:
        return hash(self._hash)

    def __repr__(self) -> str:
        return f"<Process {self._matter.id} {self._hash[:12]} ({len(self._order)} steps)>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (self._matter, dict(self._signers), dict(self._people), dict(self._departments)),
        )

    @property
    def matter(self) -> Matter:
        """The matter definition this process was compiled from."""
        return self._matter

    @property
    def content_hash(self) -> str:
        """SHA-256 of the matter's canonical JSON (see :func:`content_hash`)."""
        return self._hash

    @property
    def graph(self) -> nx.DiGraph[str]:
        """The process as a read-only (frozen) networkx graph, for host applications.

        Edges run ``after → step``.  Node attributes: ``kind``, ``name``, ``limit``
        (working days, 0 if none), ``signers`` (person ids), ``department``,
        ``decides``, ``index`` (declaration order), ``when`` (the condition, or
        ``None``), ``on_timeout``, ``separate_from`` (step ids), ``signers_needed``,
        ``sections`` (section id → signer) and ``on_disagree``; graph attributes
        ``matter``, ``name`` and ``content_hash``.  Built on first use (under a lock, once), as
        the engine's own queries never need it.
        """
        graph = self._graph
        if graph is None:
            with self._graph_lock:
                graph = self._graph
                if graph is None:
                    graph = self._build_graph()
                    object.__setattr__(self, "_graph", graph)
        return graph

    def _build_graph(self) -> nx.DiGraph[str]:
        import networkx as nx  # imported on use: the engine's own queries never need it

        matter, shape = self._matter, self._shape
        graph: nx.DiGraph[str] = nx.DiGraph(
            matter=matter.id, name=matter.name, content_hash=self._hash
        )
        graph.add_nodes_from(
            (
                step.id,
                {
                    "kind": step.kind.value,
                    "name": step.name,
                    "limit": shape.limits[i],
                    "signers": self._signers[step.id],
                    "department": step.department or matter.lead_department,
                    "decides": step.decides,
                    "index": i,
                    "when": step.when,
                    "on_timeout": step.on_timeout.value,
                    "separate_from": step.separate_from,
                    "signers_needed": step.signers_needed,
                    "sections": {s.id: s.signer for s in step.sections},
                    "on_disagree": step.on_disagree.value,
                },
            )
            for i, step in enumerate(matter.steps)
        )
        ids = shape.ids
        graph.add_edges_from((ids[p], ids[i]) for i, preds in enumerate(shape.preds) for p in preds)
        frozen: nx.DiGraph[str] = nx.freeze(graph)
        return frozen

    # --- structure ----------------------------------------------------------------

    @property
    def start(self) -> str:
        """The acceptance step every case starts at."""
        return self._start

    @property
    def ends(self) -> tuple[str, ...]:
        """Steps no other step waits for (a sound process has exactly one)."""
        return self._ends

    @property
    def order(self) -> tuple[str, ...]:
        """Step ids in topological order; ties in declaration order."""
        return self._order

    @property
    def deciding_steps(self) -> tuple[str, ...]:
        """Steps with ``decides: true``, in topological order."""
        return self._deciding

    @property
    def people(self) -> Mapping[str, Person]:
        """Every signer of every step and their backups, by id."""
        return self._people

    def _i(self, step_id: str) -> int:
        try:
            return self._shape.index[step_id]
        except KeyError:
            raise KeyError(f"matter {self._matter.id!r} has no step {step_id!r}") from None

    def step(self, step_id: str) -> Step:
        """The step definition with id ``step_id``."""
        self._i(step_id)
        return self._steps[step_id]

    def predecessors(self, step_id: str) -> tuple[str, ...]:
        """The steps that must finish before ``step_id`` (its ``after:`` list)."""
        return self.step(step_id).after

    def successors(self, step_id: str) -> tuple[str, ...]:
        """The steps that wait for ``step_id``, in declaration order."""
        return tuple(self._shape.ids[s] for s in self._shape.succs[self._i(step_id)])

    def send_back_targets(self, step_id: str) -> tuple[str, ...]:
        """Earlier steps ``step_id`` may return a case to (its ``send_back_to:`` list)."""
        return self.step(step_id).send_back_to

    def send_back_sources(self, step_id: str) -> tuple[str, ...]:
        """Steps that may return a case to ``step_id``, in declaration order."""
        self._i(step_id)
        return self._send_back_sources.get(step_id, ())

    def ancestors(self, step_id: str) -> frozenset[str]:
        """Every step that must finish before ``step_id`` (directly or not)."""
        return frozenset(self._shape.names(self._shape.ancestors[self._i(step_id)]))

    def descendants(self, step_id: str) -> frozenset[str]:
        """Every step that waits for ``step_id`` (directly or not)."""
        return frozenset(self._shape.names(self._shape.descendants[self._i(step_id)]))

    def reopened_by_send_back(self, source: str, target: str) -> tuple[str, ...]:
        """The steps to do again when ``source`` sends a case back to ``target``.

        That is ``target``, every step that comes after ``target`` and before
        ``source``, and ``source`` itself, in topological order.  Parallel branches
        that do not lead to ``source`` keep their results.

        Raises:
            ValueError: ``target`` is not upstream of ``source``.
        """
        shape = self._shape
        s, t = self._i(source), self._i(target)
        if not shape.ancestors[s] >> t & 1:
            raise ValueError(f"step {target!r} is not upstream of step {source!r}")
        mask = (shape.descendants[t] & shape.ancestors[s]) | (1 << s) | (1 << t)
        return tuple(sid for sid in self._order if mask >> shape.index[sid] & 1)

    def splits(self) -> dict[str, tuple[str, ...]]:
        """Steps that open parallel branches → the first step of each branch."""
        shape = self._shape
        return {
            sid: tuple(shape.ids[s] for s in shape.succs[shape.index[sid]])
            for sid in self._order
            if len(shape.succs[shape.index[sid]]) >= 2
        }

    def join_of(self, split: str) -> str | None:
        """Where the branches opened by ``split`` meet again (its immediate post-dominator).

        ``None`` when ``split`` opens no parallel branches, or when its branches end
        the case separately (never in a sound process).
        """
        i = self._i(split)
        if len(self._shape.succs[i]) < 2:
            return None
        return self._ipdom[i]

    def joins(self) -> tuple[str, ...]:
        """Steps that wait for two or more steps, in topological order."""
        return tuple(
            sid for sid in self._order if len(self._shape.preds[self._shape.index[sid]]) >= 2
        )

    # --- people -------------------------------------------------------------------

    def signers(self, step_id: str) -> tuple[str, ...]:
        """Ids of the people who may act on a step: named signers, then role holders."""
        self._i(step_id)
        return self._signers[step_id]

    def backups(self, step_id: str) -> dict[str, str | None]:
        """Signer id → id of that person's AB岗 backup (``None`` when they have none)."""
        self._i(step_id)
        people = self._people
        return {
            pid: (people[pid].backup if pid in people else None) for pid in self._signers[step_id]
        }

    def person(self, person_id: str) -> Person:
        """A signer or backup of this process, by id."""
        return self._people[person_id]

    def department(self, step_id: str) -> str:
        """Id of the department handling a step (the lead department unless the step says)."""
        return self.step(step_id).department or self._matter.lead_department

    def department_name(self, department_id: str) -> str:
        """A department's name when known, else its id."""
        return self._departments.get(department_id, department_id)

    # --- time ---------------------------------------------------------------------

    def limit(self, step_id: str) -> float:
        """A step's limit in working days (0 when it has none)."""
        return self._shape.limits[self._i(step_id)]

    @property
    def critical_path(self) -> tuple[str, ...]:
        """The chain of steps from start to end whose limits add up the most."""
        return self._timing.critical_path

    @property
    def critical_length(self) -> float:
        """Sum of step limits along :attr:`critical_path`, in working days."""
        return self._timing.critical_length

    @property
    def slack(self) -> Mapping[str, float]:
        """Per step, working days it may be late without delaying the critical path."""
        return self._timing.slack

    @property
    def earliest_start(self) -> Mapping[str, float]:
        """Per step, working days after acceptance at which it can start at the soonest."""
        return self._timing.earliest_start

    @property
    def latest_start(self) -> Mapping[str, float]:
        """Per step, the latest start (working days) that keeps :attr:`critical_length`."""
        return self._timing.latest_start

    @property
    def promised_days(self) -> float:
        """The promised limit (承诺时限) in working days (see :func:`limit_in_working_days`)."""
        return limit_in_working_days(self._matter.time_limits.promised)

    @property
    def statutory_days(self) -> float:
        """The statutory limit (法定时限) in working days."""
        return limit_in_working_days(self._matter.time_limits.statutory)

    # --- conditions and export ----------------------------------------------------

    def condition(self, text: str) -> Condition:
        """The parsed form of a condition written in this matter (``when:`` text).

        Conditions are parsed when the process is built; other text is parsed on
        demand (:class:`~.conditions.ConditionSyntaxError` if it is malformed).
        """
        found = self._conditions.get(text)
        return found if found is not None else parse_condition(text)

    def to_json_data(self) -> dict[str, Any]:
        """The documented JSON export (``docs/graph-json.md``), format version 1."""
        import networkx as nx

        graph = nx.node_link_data(self.graph, edges="edges")
        for node in graph["nodes"]:
            node["signers"] = list(node["signers"])
            node["separate_from"] = list(node["separate_from"])
        send_back = [
            {"source": step.id, "target": target}
            for step in self._matter.steps
            for target in step.send_back_to
        ]
        people = {
            pid: {"name": p.name, "department": p.department, "backup": p.backup}
            for pid, p in self._people.items()
        }
        commitment = self._matter.commitment  # 告知承诺制: a route to the decision on the spot
        green = self._matter.time_limits.green_channel
        return {
            "format_version": JSON_FORMAT_VERSION,
            "matter": {
                "id": self._matter.id,
                "name": self._matter.name,
                "case_type": self._matter.case_type.value,
                "lead_department": self._matter.lead_department,
            },
            "content_hash": self._hash,
            "start": self._start,
            "ends": list(self._ends),
            "order": list(self._order),
            "deciding_steps": list(self._deciding),
            "graph": graph,
            "send_back": send_back,
            "splits": {k: list(v) for k, v in self.splits().items()},
            "joins": {k: self.join_of(k) for k in self.splits()},
            "people": people,
            "timing": {
                "unit": "working_days",
                "promised": self.promised_days,
                "statutory": self.statutory_days,
                "critical_path": list(self.critical_path),
                "critical_length": self.critical_length,
                "earliest_start": dict(self.earliest_start),
                "latest_start": dict(self.latest_start),
                "slack": dict(self.slack),
            },
            "commitment": None
            if commitment is None
            else {
                "replaces": list(commitment.replaces),
                "check_within": {
                    "value": commitment.check_within.value,
                    "unit": commitment.check_within.unit,
                },
            },
            # 绿色通道 as declared; render.to_json adds the limits it shortens to
            "green_channel": None
            if green is None
            else {"reduction": green.reduction, "when": green.when, "steps": green.steps},
        }
