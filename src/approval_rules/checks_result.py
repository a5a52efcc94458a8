"""The steps and the result agree: the result is issued by a step, after the decision.

A matter's ``result`` (证照, 决定书) is issued by a step of kind ``certify`` (制证,
``issue_certificate``) and handed over by a step of kind ``deliver`` (送达).

* ``deliver-without-certify``: a ``deliver`` step that no ``certify`` step comes
  before: it would hand over a result no step of the process issues.
* ``certify-before-decision``: a ``certify`` step that no deciding step comes before:
  a result is issued only after a positive decision (行政许可法 Art. 44), so the step
  could never be done.

A matter without a ``deliver`` step may still leave issuing to the window (the engine
lets the acceptance window do it); one that delivers must show who issues.

* ``result-id``: a further result named ``main`` (the main result's name in
  ``issue_certificate``) or by the id of another one: each result is named once.
* ``certify-without-result``: with further results, a certify step at which no result
  is issued (a second certify step, of a department that issues no further result): it
  could never pass, and the steps after it would wait for ever.
* ``certify-when``: with further results, a certify step that issues a result but runs
  only under a ``when:`` condition: on a case where the condition is false the step is
  skipped, and nobody may issue its results any more (the engine gives them to that
  step only), so a positive decision would never reach its certificate (行政许可法
  Art. 44).

A matter with its one result binds it to no certify step (:func:`~.graph.result_steps`):
it is issued at whichever certify step the case opened, as before several results
existed, so neither applies (two certify steps under opposite conditions, paper or
electronic, are a valid design).
* ``result-department``: a further result (``further_results``) issued by a department
  that is neither the lead department nor one of the matter's ``co_departments``: a
  joint handling's documents come from the departments that handle it (行政许可法
  Art. 26).
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterator
from typing import Final

from .checks_base import Codes, Finding, MatterView
from .errors import Severity
from .graph import result_steps
from .model import MAIN_RESULT, StepKind

__all__ = ["CODES", "check"]

CODES: Final[Codes] = types.MappingProxyType(
    {
        "deliver-without-certify": (Severity.ERROR, "a result is delivered but no step issues it"),
        "certify-before-decision": (Severity.ERROR, "a result is issued before any decision"),
        "result-id": (Severity.ERROR, "a further result's id names another result"),
        "certify-without-result": (Severity.ERROR, "a certify step that issues no result"),
        "certify-when": (
            Severity.ERROR,
            "a certify step that issues a result is skipped when its condition is false",
        ),
        "result-department": (
            Severity.ERROR,
            "a further result issued by a department that does not handle the matter",
        ),
    }
)


def check(view: MatterView) -> Iterator[Finding]:
    """Delivery after issuing, issuing after the decision, results by its departments."""
    yield from _ids(view)
    yield from _departments(view)
    yield from _idle_certify(view)
    yield from _conditional_certify(view)
    shape, steps = view.shape, view.matter.steps
    result = view.matter.result.name
    certify = [i for i, s in enumerate(steps) if s.kind is StepKind.CERTIFY]
    deciding = [i for i, s in enumerate(steps) if s.decides]
    for i, step in enumerate(steps):
        if step.kind is StepKind.DELIVER and not any(shape.ancestors[i] >> c & 1 for c in certify):
            if certify:
                first = steps[certify[0]].id
                why = f"the certify step {first!r} does not come before it"
                hint = (
                    f"reorder the steps so that {first!r} comes first: after: [{first}] on "
                    f"{step.id!r}"
                )
            else:
                why = "the matter has no step of kind certify (制证)"
                hint = (
                    f"add a step of kind certify that issues {result} after the decision "
                    f"(e.g. id: make_certificate, name: 制证), and put it in the after: of "
                    f"{step.id!r}"
                )
            yield Finding(
                "deliver-without-certify",
                f"step {step.id!r} delivers the result ({result}), but no step issues it: {why}",
                ("steps", i, "kind"),
                hint=hint,
            )
    if not deciding:
        return  # no-deciding-step says so
    for i in certify:
        if not any(shape.ancestors[i] >> d & 1 for d in deciding):
            yield Finding(
                "certify-before-decision",
                f"step {steps[i].id!r} issues the result ({result}) but comes before no "
                f"decision ({', '.join(repr(steps[d].id) for d in deciding)}): a result is "
                "issued only after a positive decision",
                ("steps", i, "kind"),
                hint=f"put {steps[i].id!r} after the deciding step (after: "
                f"[{steps[deciding[0]].id}] or a later step)",
            )


def _ids(view: MatterView) -> Iterator[Finding]:
    seen = {MAIN_RESULT: "the main result"}
    for i, result in enumerate(view.matter.further_results):
        other = seen.setdefault(result.id, f"further result {i + 1} ({result.name})")
        if other.startswith(f"further result {i + 1} "):
            continue
        yield Finding(
            "result-id",
            f"further result {result.id!r} ({result.name}) has the id of {other}: "
            "issue_certificate names each result by its id (result: <id>)",
            ("further_results", i, "id"),
            hint=f"give it an id of its own, e.g. {result.id}_{i + 1}"
            if result.id != MAIN_RESULT
            else "give it an id of its own ('main' names the main result)",
        )


def _departments(view: MatterView) -> Iterator[Finding]:
    matter = view.matter
    handling = (matter.lead_department, *matter.co_departments)
    for i, result in enumerate(matter.further_results):
        if result.department in handling:
            continue
        close = difflib.get_close_matches(result.department, handling, n=1)
        hint = (
            f"write department: {close[0]}"
            if close
            else "write department: with one of " + ", ".join(handling)
        )
        yield Finding(
            "result-department",
            f"further result {result.id!r} ({result.name}) is issued by "
            f"{view.department_name(result.department)}, which neither leads the matter "
            f"({matter.lead_department}) nor is among its co_departments "
            f"({', '.join(matter.co_departments) or 'none are declared'})",
            ("further_results", i, "department"),
            hint=hint + f", or add {result.department} to co_departments",
        )


def _idle_certify(view: MatterView) -> Iterator[Finding]:
    matter = view.matter
    issuing = [sid for steps in result_steps(matter).values() for sid in steps]
    for i, step in enumerate(matter.steps):
        if step.kind is not StepKind.CERTIFY or step.id in issuing:
            continue
        department = view.department_of(step)
        yield Finding(
            "certify-without-result",
            f"certify step {step.id!r} of {view.department_name(department)} issues no "
            "result: the results are issued at "
            + ", ".join(repr(s) for s in dict.fromkeys(issuing))
            + ", so it could never be done",
            ("steps", i, "kind"),
            hint=f"declare the document {department} issues under further_results "
            f"(department: {department}), or make {step.id!r} a step of another kind",
        )


def _conditional_certify(view: MatterView) -> Iterator[Finding]:
    matter = view.matter
    if not matter.further_results:  # its one result is issued at whichever step is open
        return
    issued: dict[str, list[str]] = {}
    names = {MAIN_RESULT: matter.result.name, **{r.id: r.name for r in matter.further_results}}
    for rid, steps in result_steps(matter).items():
        for sid in steps:
            issued.setdefault(sid, []).append(names[rid])
    for i, step in enumerate(matter.steps):
        results = issued.get(step.id)
        if step.kind is not StepKind.CERTIFY or step.when is None or not results:
            continue
        yield Finding(
            "certify-when",
            f"certify step {step.id!r} issues {', '.join(results)} but runs only when "
            f"{step.when!r}: on a case where that is false the step is skipped and the "
            "result can never be issued after a positive decision",
            ("steps", i, "when"),
            hint=f"remove when: from {step.id!r} (a positive decision is always followed "
            "by its result); if only some cases need more work, put the condition on a "
            "step before the decision",
        )
