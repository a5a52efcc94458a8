"""Matter → :class:`~.graph.Process`: prove a definition sound, then compile it.

The compiler runs on a loaded catalogue (the loader has already checked every
reference, duplicate id, condition and the promised ≤ statutory rule).  It checks
what only the whole process graph shows, and collects every problem at once as
:class:`~.errors.Issue` records with a stable code and the YAML position of the
offending step or key.  The structure, decisions, back references, signing and
fields are checked here; the checks of one subject each (time, people, departments,
joint handling, steps and result) live in ``checks_*.py`` and are run from
:data:`_CHECKS`.  :data:`CODES` lists every code with its severity; each one is
documented, with a bad and a good example, in ``docs/issue-codes.md``.

Definitions used by the checks (also in ``docs/issue-codes.md``):

* a case **starts** at the one step without ``after:``, which must be of kind
  ``accept``;
* a case **ends** at a step of kind ``close`` or ``deliver``; a matter with neither
  ends at its last step (the one step that no other step waits for);
* time limits are compared in working days (:func:`~.graph.limit_in_working_days`);
  the **room** of a step is the promised limit minus the longest chains of step
  limits before and after it (:mod:`.checks_time`).
"""

from __future__ import annotations

import threading
import types
import weakref
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Final

from . import (
    checks_commitment,
    checks_departments,
    checks_fees,
    checks_joint_handling,
    checks_people,
    checks_periods,
    checks_result,
    checks_signing,
    checks_steps,
    checks_time,
)
from .catalogue import Catalogue
from .checks_base import MatterView
from .errors import DefinitionError, Issue, Path, Severity
from .graph import (
    END_KINDS,
    Process,
    StepGraph,
    Timing,
    analyse_timing,
    content_hash,
    dependency_cycles,
    matter_conditions,
)
from .model import CaseType, Matter, Necessity, Person, StepKind
from .plan import MatterPlan

__all__ = [
    "CODES",
    "ROOT_CAUSES",
    "check_catalogue",
    "check_matter",
    "compile_catalogue",
    "compile_matter",
    "compiled_plans",
    "matter_plan",
    "root_causes_first",
]

_E, _W = Severity.ERROR, Severity.WARNING

#: The checks of one subject each, in their own modules (``checks_*.py``): each yields
#: findings about one matter (:mod:`.checks_base`); the checker runs them in this order.
_CHECKS: Final = (
    checks_steps,
    checks_result,
    checks_time,
    checks_joint_handling,
    checks_departments,
    checks_people,
    checks_periods,
    checks_signing,
    checks_fees,
    checks_commitment,
)

_OWN_CODES: Final[Mapping[str, tuple[Severity, str]]] = types.MappingProxyType(
    {
        "dependency-cycle": (_E, "steps wait for each other in a circle"),
        "multiple-starts": (_E, "more than one step has no after:, so a case would start twice"),
        "start-not-accept": (_E, "the first step of the case is not an acceptance step"),
        "unreachable-step": (_E, "a step can never be reached from the acceptance step"),
        "no-path-to-end": (_E, "after a step, no step that ends the case can be reached"),
        "parallel-ends": (_E, "two parallel branches each end the case"),
        "join-without-split": (_E, "a step joins branches that do not come from a common split"),
        "send-back-not-upstream": (_E, "send_back_to names a step that does not come before"),
        "no-deciding-step": (_E, "no step decides the case"),
        "decision-bypasses-acceptance": (_E, "a decision can be reached without acceptance"),
        "co-review-after-decision": (_E, "the lead decides without waiting for a co-review"),
        "prerequisite-cycle": (_E, "matters are each other's prerequisites"),
        "separation-unsatisfiable": (_E, "separate_from cannot be met: one person signs both"),
        "separate-from-not-upstream": (_W, "separate_from names a step that does not come before"),
        "no-backup": (_W, "no signer of a step has an AB岗 backup"),
        "sole-signer-consecutive": (_W, "one person alone signs two consecutive steps"),
        "unused-material": (_W, "a material no step will ever look at"),
        "unused-field": (_W, "an applicant field no condition or fee uses"),
    }
)

#: Every issue code the compiler emits → (severity, one-line meaning).
CODES: Final[Mapping[str, tuple[Severity, str]]] = types.MappingProxyType(
    {**_OWN_CODES, **{code: v for module in _CHECKS for code, v in module.CODES.items()}}
)

#: Problems that others follow from: a broken start, a circle, a second decision.  They
#: are listed first (:func:`root_causes_first`), so the first line is the one to fix.
ROOT_CAUSES: Final = frozenset(
    {
        "dependency-cycle",
        "multiple-starts",
        "start-not-accept",
        "accept-not-first",
        "no-deciding-step",
        "multiple-deciding-steps",
        "prerequisite-cycle",
    }
)

#: Step kinds where somebody judges the application; one person alone signing two
#: of them in a row approves their own work.  Clerical steps (notify, fee, certify,
#: deliver, close) are often done by one window clerk and are not flagged.
_JUDGEMENT_KINDS: Final = frozenset(
    {StepKind.ACCEPT, StepKind.REVIEW, StepKind.CO_REVIEW, StepKind.SITE_SURVEY, StepKind.DECIDE}
)

# Enum members looked up once: attribute access on an enum class is slow in hot loops.
_ACCEPT: Final = StepKind.ACCEPT
_CO_REVIEW: Final = StepKind.CO_REVIEW


# --- public entry points ------------------------------------------------------------


def root_causes_first(issues: Iterable[Issue]) -> list[Issue]:
    """Issues in the order to fix them: the loader's, then :data:`ROOT_CAUSES`, then the rest.

    Within each group issues are sorted by file, line and column.  Loading problems
    come first because the compiler only sees what loaded; a root cause comes before
    the problems that follow from it (a step after a second start is unreachable).
    """

    def key(issue: Issue) -> tuple[int, tuple[str, int, int, str, str]]:
        rank = 0 if issue.code not in CODES else 1 if issue.code in ROOT_CAUSES else 2
        return rank, issue.sort_key()

    return sorted(issues, key=key)


def check_matter(matter: Matter, catalogue: Catalogue) -> list[Issue]:
    """Every static-check issue of one matter (errors and warnings), root causes first."""
    return root_causes_first(_Checker(matter, catalogue).issues)


def compile_matter(matter: Matter, catalogue: Catalogue) -> Process:
    """Prove ``matter`` sound and compile it into a :class:`~.graph.Process`.

    Warnings do not stop compilation; get them with :func:`check_matter`.  Nothing is
    cached: :func:`compile_catalogue` keeps what it compiled.

    Raises:
        DefinitionError: with every error found in this matter.
    """
    checker = _Checker(matter, catalogue)
    errors = [i for i in checker.issues if i.is_error]
    if errors:
        raise DefinitionError(errors)
    return checker.process()


def check_catalogue(catalogue: Catalogue) -> list[Issue]:
    """Every static-check issue of every matter, plus prerequisite cycles, root causes first."""
    issues: list[Issue] = []
    for matter in catalogue.matters.values():
        issues.extend(_Checker(matter, catalogue).issues)
    issues.extend(_prerequisite_cycles(catalogue))
    return root_causes_first(issues)


def compile_catalogue(
    catalogue: Catalogue, *, cache: dict[str, Process] | None = None
) -> Mapping[str, Process]:
    """Compile every matter: matter id → :class:`~.graph.Process`, in catalogue order.

    Compiling the same catalogue again returns the same processes: the compiler keeps
    what it compiled for each catalogue while the catalogue is in use.

    Args:
        catalogue: a loaded catalogue.
        cache: content hash → process, reused and filled instead of the catalogue's
            own (to share compiled matters between catalogues, e.g. after a reload); a
            cached process is used only when its signers and their backups are still
            the same people.

    Raises:
        DefinitionError: with every compiler error of every matter, and every
            prerequisite cycle.
    """
    own = cache is None
    if cache is None:
        cache = _compiled(catalogue).processes
    processes: dict[str, Process] = {}
    errors: list[Issue] = []
    for matter_id, matter in catalogue.matters.items():
        key = content_hash(matter)
        cached = cache.get(key)
        # the catalogue's own cache holds only what was compiled from it
        if cached is not None and (own or _still_valid(catalogue, cached)):
            processes[matter_id] = cached
            continue
        checker = _Checker(matter, catalogue, digest=key)
        found = [i for i in checker.issues if i.is_error]
        if found:
            errors.extend(found)
            continue
        process = cache[key] = checker.process()
        processes[matter_id] = process
    errors.extend(i for i in _prerequisite_cycles(catalogue) if i.is_error)
    if errors:
        raise DefinitionError(errors)
    return types.MappingProxyType(processes)


# --- the compiler's cache -------------------------------------------------------------


def matter_plan(catalogue: Catalogue, matter_id: str) -> MatterPlan:
    """The engine's tables for one matter (:class:`~.plan.MatterPlan`), built once.

    The matter is compiled (proved sound) the first time, through the same cache as
    :func:`compile_catalogue`; later calls return the same plan while the catalogue
    is in use.

    Raises:
        KeyError: the catalogue has no such matter.
        DefinitionError: the matter does not compile.
    """
    compiled = _compiled(catalogue)
    plan = compiled.plans.get(matter_id)
    if plan is None:
        matter = catalogue.matters[matter_id]
        key = content_hash(matter)
        process = compiled.processes.get(key)
        if process is None:
            checker = _Checker(matter, catalogue, digest=key)
            errors = [i for i in checker.issues if i.is_error]
            if errors:
                raise DefinitionError(errors)
            process = compiled.processes[key] = checker.process()
        plan = compiled.plans[matter_id] = MatterPlan(process, catalogue)
    return plan


def compiled_plans(catalogue: Catalogue) -> Mapping[str, MatterPlan]:
    """The plans built so far for ``catalogue``, by matter id (a live read-only view).

    For a host's hot path: look a plan up here, and call :func:`matter_plan` when it
    is not there yet.
    """
    return _compiled(catalogue).view


class _Compiled:
    """What the compiler built for one catalogue: processes by content hash, plans by id."""

    __slots__ = ("plans", "processes", "view")

    def __init__(self) -> None:
        self.processes: dict[str, Process] = {}
        self.plans: dict[str, MatterPlan] = {}
        self.view: Mapping[str, MatterPlan] = types.MappingProxyType(self.plans)


# One entry per catalogue in use, dropped with the catalogue.  A catalogue is frozen,
# so what was compiled from it stays right for as long as it lives.
_COMPILED: weakref.WeakKeyDictionary[Catalogue, _Compiled] = weakref.WeakKeyDictionary()
_COMPILED_LOCK = threading.Lock()


def _compiled(catalogue: Catalogue) -> _Compiled:
    found = _COMPILED.get(catalogue)
    if found is None:
        with _COMPILED_LOCK:
            found = _COMPILED.setdefault(catalogue, _Compiled())
    return found


# --- catalogue-wide -------------------------------------------------------------------


def _prerequisite_cycles(catalogue: Catalogue) -> list[Issue]:
    deps = {mid: list(m.prerequisites) for mid, m in catalogue.matters.items()}
    issues: list[Issue] = []
    for cycle in dependency_cycles(deps):
        first = catalogue.matters[cycle[0]]
        path: Path = ("prerequisites", first.prerequisites.index(cycle[-2]))
        issues.append(
            Issue(
                "prerequisite-cycle",
                "matters need each other's results in a circle: "
                f"{' -> '.join(cycle)} (an arrow points to the matter that needs the result); "
                "parallel matters may not be each other's preconditions (国发〔2015〕6号)",
                CODES["prerequisite-cycle"][0],
                catalogue.locate(first.id, path),
                path,
                hint=f"remove {cycle[-2]!r} from the prerequisites of {first.id!r}, or "
                "drop the other link in the circle",
            )
        )
    return issues


# --- helpers --------------------------------------------------------------------------


def _involved(catalogue: Catalogue, signers: Mapping[str, tuple[str, ...]]) -> dict[str, Person]:
    """Every signer and every signer's backup that the catalogue knows, by id."""
    people = catalogue.people
    found: dict[str, Person] = {}
    for ids in signers.values():
        for pid in ids:
            person = people.get(pid)
            if person is None:
                continue
            found[pid] = person
            if person.backup is not None and person.backup in people:
                found[person.backup] = people[person.backup]
    return found


def _still_valid(catalogue: Catalogue, process: Process) -> bool:
    """Would compiling the process's matter again resolve the same people?"""
    matter, people = process.matter, catalogue.people
    for step in matter.steps:
        if catalogue.step_signers(matter, step) != process.signers(step.id):
            return False
    return all(people.get(pid) == person for pid, person in process.people.items())


def _quoted(ids: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in ids)


class _Checker:
    """Runs every check on one matter; ``issues`` holds the result."""

    def __init__(
        self,
        matter: Matter,
        catalogue: Catalogue,
        *,
        digest: str | None = None,
    ) -> None:
        self.matter = matter
        self.catalogue = catalogue
        self.digest = digest
        self.steps = matter.steps
        self.shape = StepGraph(matter.steps)
        self.signers = {s.id: catalogue.step_signers(matter, s) for s in matter.steps}
        self.conditions = matter_conditions(matter, skip_invalid=True)
        self.timing: Timing | None = analyse_timing(self.shape) if self.shape.acyclic else None
        self.issues: list[Issue] = []
        self.start: int | None = None
        self._structure()
        self._decisions()
        self._back_references()
        self._signing()
        self._materials_and_fields()
        view = MatterView(matter, catalogue, self.shape, self.signers, self.timing)
        for module in _CHECKS:
            for found in module.check(view):
                self.add(found.code, found.message, found.path, hint=found.hint, key=found.key)

    def add(
        self, code: str, message: str, path: Path, *, hint: str | None = None, key: bool = False
    ) -> None:
        span = self.catalogue.locate(self.matter.id, path, key=key)
        self.issues.append(Issue(code, message, CODES[code][0], span, path, hint))

    def process(self) -> Process:
        return Process(
            self.matter,
            signers=self.signers,
            people=_involved(self.catalogue, self.signers),
            departments={d.id: d.name for d in self.catalogue.departments.values()},
            shape=self.shape,
            digest=self.digest,
            timing=self.timing,
            conditions=self.conditions,
        )

    def _name(self, i: int) -> str:
        return self.shape.ids[i]

    def _person(self, pid: str) -> str:
        person = self.catalogue.people.get(pid)
        return f"{person.name} ({pid})" if person is not None else pid

    # --- structure ----------------------------------------------------------------

    def _structure(self) -> None:
        shape, steps = self.shape, self.steps
        for cycle in shape.cycles():
            first = shape.index[cycle[0]]
            j = steps[first].after.index(cycle[-2])
            self.add(
                "dependency-cycle",
                f"steps wait for each other in a circle, so none of them can ever start: "
                f"{' -> '.join(cycle)} (an arrow points to the step that waits)",
                ("steps", first, "after", j),
                hint=f"remove {cycle[-2]!r} from the after: of {cycle[0]!r}, or break the "
                "circle elsewhere",
            )
        sources = shape.sources
        if not sources:
            return  # every step waits for another: the cycles above say why
        accepts = [i for i in sources if steps[i].kind is _ACCEPT]
        start = accepts[0] if accepts else sources[0]
        self.start = start
        start_id = self._name(start)
        for i in sources:
            if i != start:
                self.add(
                    "multiple-starts",
                    f"step {self._name(i)!r} has no after:, so a case would start there as "
                    f"well as at {start_id!r}; a case starts at one step, the acceptance (受理)",
                    ("steps", i, "id"),
                    hint=f"add after: [{start_id}] (or the step it really follows)",
                )
        if steps[start].kind is not StepKind.ACCEPT:
            others = [s.id for s in steps if s.kind is StepKind.ACCEPT]
            if others:
                message = (
                    f"the case starts at step {start_id!r} (kind {steps[start].kind.value}), "
                    f"before the acceptance step {others[0]!r}; a case starts with acceptance"
                )
                hint = f"give {others[0]!r} no after: and put after: [{others[0]}] on {start_id!r}"
            else:
                message = (
                    f"the case starts at step {start_id!r} (kind {steps[start].kind.value}), "
                    "and the matter has no acceptance step (kind accept, 受理)"
                )
                hint = "add a first step of kind accept: the window that accepts the application"
            self.add("start-not-accept", message, ("steps", start, "kind"), hint=hint)

        reach = shape.reachable_from([start])
        extra_sources = sum(1 << i for i in sources if i != start)
        for i in range(len(steps)):
            if reach >> i & 1 or extra_sources >> i & 1 or shape.descendants[i] >> i & 1:
                continue  # reachable, or reported as a start or as part of a cycle
            because = shape.ancestors[i] & extra_sources
            why = (
                f"it only follows {_quoted(shape.names(because))}, which has no after:"
                if because
                else "it waits for steps in a dependency cycle"
            )
            self.add(
                "unreachable-step",
                f"step {self._name(i)!r} can never be reached from {start_id!r}: {why}",
                ("steps", i, "id"),
            )
        self._ends(reach)
        self._joins(reach)

    def _ends(self, reach: int) -> None:
        shape, steps = self.shape, self.steps
        by_kind = [i for i, s in enumerate(steps) if s.kind in END_KINDS]
        ends = sum(1 << i for i in (by_kind or shape.sinks))
        good = 0
        for i in range(len(steps)):
            if (shape.descendants[i] | 1 << i) & ends:
                good |= 1 << i
        for i in range(len(steps)):
            if not reach >> i & 1 or good >> i & 1:
                continue
            preds = shape.preds[i]
            if preds and not any(good >> p & 1 for p in preds):
                continue  # reported at the step where the dead branch begins
            branch = (shape.descendants[i] | 1 << i) & ~good
            last = [j for j in shape.sinks if branch >> j & 1]
            if by_kind:
                why = "no step of kind close or deliver comes after it"
            else:
                why = "every step after it waits in a dependency cycle"
            self.add(
                "no-path-to-end",
                f"the case cannot end after step {self._name(i)!r}: {why} "
                f"(dead branch: {', '.join(shape.names(branch))})",
                ("steps", i, "id"),
                hint=(
                    f"make a later step wait for it (after: [..., {self._name(last[0])}])"
                    if last
                    else None
                ),
            )
        if not shape.acyclic:
            return
        closing = [i for i in shape.sinks if reach >> i & 1 and ends >> i & 1]
        for i in closing[1:]:
            first = self._name(closing[0])
            self.add(
                "parallel-ends",
                f"step {self._name(i)!r} ends the case on a branch parallel to {first!r}: "
                "the case could be closed at one while the other is still running",
                ("steps", i, "id"),
                hint=f"let one wait for the other, e.g. after: [{first}] on "
                f"{self._name(i)!r}, or join them in a final step",
            )

    def _joins(self, reach: int) -> None:
        shape = self.shape
        for i, preds in enumerate(shape.preds):
            if len(preds) < 2 or not reach >> i & 1:
                continue
            common = -1
            for p in preds:
                common &= shape.ancestors[p] | 1 << p
            if common == 0:
                origins = [
                    self._name(s)
                    for s in shape.sources
                    if any((shape.ancestors[p] | 1 << p) >> s & 1 for p in preds)
                ]
                self.add(
                    "join-without-split",
                    f"step {self._name(i)!r} joins {_quoted(shape.ids[p] for p in preds)}, "
                    "which do not come from a common split: their branches begin at "
                    f"different steps ({_quoted(origins)})",
                    ("steps", i, "after"),
                    hint="every branch must start from the same step (usually acceptance)",
                )

    # --- decisions ----------------------------------------------------------------

    def _decisions(self) -> None:
        shape, steps = self.shape, self.steps
        deciding = [i for i, s in enumerate(steps) if s.decides]
        if not deciding:
            decide_kind = [s.id for s in steps if s.kind is StepKind.DECIDE]
            self.add(
                "no-deciding-step",
                "no step decides the case (准予 / 不予许可): no step has decides: true",
                ("steps",),
                key=True,
                hint=(
                    f"set decides: true on step {decide_kind[0]!r}"
                    if decide_kind
                    else "set decides: true on the step that makes the decision"
                ),
            )
            return
        accepts = sum(1 << i for i, s in enumerate(steps) if s.kind is _ACCEPT)
        entry = [i for i in shape.sources if not accepts >> i & 1]
        bypass = shape.reachable_from(entry, avoiding=accepts)
        for d in deciding:
            if bypass >> d & 1:
                path = self._path(entry, d, avoiding=accepts)
                self.add(
                    "decision-bypasses-acceptance",
                    f"deciding step {self._name(d)!r} can be reached without passing an "
                    f"acceptance step: {' -> '.join(path)}",
                    ("steps", d, "decides"),
                    hint="every chain of after: leading to a decision must pass acceptance",
                )
        before_decision = 0
        for d in deciding:
            before_decision |= shape.ancestors[d]
        for i, step in enumerate(steps):
            if step.kind is _CO_REVIEW and not step.decides and not before_decision >> i & 1:
                self.add(
                    "co-review-after-decision",
                    f"co-department review {step.id!r} does not come before any deciding "
                    f"step ({_quoted(shape.ids[d] for d in deciding)}), so the lead "
                    "department would decide without its opinion",
                    ("steps", i, "id"),
                    hint=f"add {step.id!r} to the after: of {self._name(deciding[0])!r}",
                )

    def _path(self, starts: list[int], target: int, *, avoiding: int) -> list[str]:
        """A shortest chain of steps from one of ``starts`` to ``target``."""
        parent: dict[int, int | None] = dict.fromkeys(starts)
        queue = deque(starts)
        while queue:
            node = queue.popleft()
            if node == target:
                break
            for nxt in self.shape.succs[node]:
                if nxt not in parent and not avoiding >> nxt & 1:
                    parent[nxt] = node
                    queue.append(nxt)
        chain: list[str] = []
        at: int | None = target
        while at is not None:
            chain.append(self._name(at))
            at = parent.get(at)
        return chain[::-1]

    def _back_references(self) -> None:
        shape = self.shape
        for i, step in enumerate(self.steps):
            for key, code in (
                ("send_back_to", "send-back-not-upstream"),
                ("separate_from", "separate-from-not-upstream"),
            ):
                for j, target in enumerate(getattr(step, key)):
                    t = shape.index.get(target)
                    if t is None or t == i or shape.ancestors[i] >> t & 1:
                        continue
                    where = "after" if shape.descendants[i] >> t & 1 else "on a parallel branch to"
                    if key == "send_back_to":
                        message = (
                            f"step {step.id!r} may send a case back to {target!r}, which does "
                            f"not come before it (it comes {where} {step.id!r})"
                        )
                        hint = "send a case back only to a step this one waits for"
                    else:
                        message = (
                            f"step {step.id!r} must be signed by someone other than the "
                            f"signer of {target!r}, which comes {where} it, so that signer "
                            "may not be known yet"
                        )
                        hint = f"put separate_from: [{step.id}] on {target!r} instead"
                    self.add(code, message, ("steps", i, key, j), hint=hint)

    # --- people -------------------------------------------------------------------

    def _signing(self) -> None:
        shape, steps = self.shape, self.steps
        people = self.catalogue.people
        for i, step in enumerate(steps):
            ids = self.signers[step.id]
            where: Path = ("steps", i, "signers" if step.signers else "signer_roles")
            if ids and all(pid in people and people[pid].backup is None for pid in ids):
                self.add(
                    "no-backup",
                    f"no signer of step {step.id!r} has a backup (AB岗): "
                    f"{', '.join(self._person(p) for p in ids)}",
                    where,
                    hint="name a backup for at least one of them in the definitions "
                    "(backup: PERSON_ID)",
                )
        for i, step in enumerate(steps):
            ids = self.signers[step.id]
            for j, other in enumerate(step.separate_from):
                if other in self.signers and len(ids) == 1 and self.signers[other] == ids:
                    self.add(
                        "separation-unsatisfiable",
                        f"step {step.id!r} must be signed by someone other than the signer "
                        f"of {other!r}, but {self._person(ids[0])} is the only person who "
                        "may sign either",
                        ("steps", i, "separate_from", j),
                        hint=f"add another signer to {step.id!r} or {other!r}",
                    )
            if step.kind not in _JUDGEMENT_KINDS or len(ids) != 1:
                continue
            for p in shape.preds[i]:
                before = steps[p]
                if (
                    before.kind in _JUDGEMENT_KINDS
                    and self.signers[before.id] == ids
                    and before.id not in step.separate_from
                ):
                    self.add(
                        "sole-signer-consecutive",
                        f"{self._person(ids[0])} is the only person who may sign both "
                        f"{before.id!r} and {step.id!r}, which follow each other: one person "
                        "would approve their own work",
                        ("steps", i, "signers" if step.signers else "signer_roles"),
                        hint=f"add another signer to {step.id!r} or {before.id!r}",
                    )

    # --- materials and fields -----------------------------------------------------

    def _materials_and_fields(self) -> None:
        matter = self.matter
        if matter.case_type is CaseType.IMMEDIATE:
            for i, material in enumerate(matter.materials):
                if material.necessity is Necessity.TOLERATED:
                    self.add(
                        "unused-material",
                        f"material {material.id!r} is tolerated (容缺后补: handed in after "
                        "acceptance), but an immediate matter (即办件) is decided on the "
                        "spot, so no step would ever look at the late copy",
                        ("materials", i, "necessity"),
                        hint="make it required or optional, or make the matter case_type: promised",
                    )
        if not matter.applicant_fields:
            return
        used: set[str] = set()
        for condition in self.conditions.values():
            used.update(name for name, _ in condition.fields())
        for fee in matter.fees:
            item = self.catalogue.fee_items.get(fee.item)
            if item is not None:
                used.update(item.fields)
        for i, f in enumerate(matter.applicant_fields):
            if f.id not in used:
                self.add(
                    "unused-field",
                    f"applicant field {f.id!r} is not used by any condition (when:) or fee",
                    ("applicant_fields", i, "id"),
                    hint="remove it, or use it in a when: condition or as a fee's per_field",
                )
