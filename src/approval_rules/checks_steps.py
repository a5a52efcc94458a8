"""One acceptance and one decision: the steps a case passes exactly once.

* ``accept-not-first``: a step of kind ``accept`` that waits for another step.  A case
  is accepted (受理) once, at its first step; the engine acts on no second acceptance,
  so a case would stall there.
* ``multiple-deciding-steps``: more than one step has ``decides: true``.  A case gets
  one decision (准予 / 不予许可); the engine would take the first and ignore the others.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Final

from .checks_base import Codes, Finding, MatterView
from .errors import Severity
from .model import StepKind

__all__ = ["CODES", "check"]

CODES: Final[Codes] = types.MappingProxyType(
    {
        "accept-not-first": (Severity.ERROR, "an acceptance step waits for another step"),
        "multiple-deciding-steps": (Severity.ERROR, "more than one step decides the case"),
    }
)


def check(view: MatterView) -> Iterator[Finding]:
    """A second acceptance mid-flow and a second deciding step."""
    steps = view.matter.steps
    # Without an acceptance at the start, start-not-accept reports the misplaced one.
    starts_accepted = any(steps[i].kind is StepKind.ACCEPT for i in view.shape.sources)
    for i, step in enumerate(steps):
        if step.kind is StepKind.ACCEPT and step.after and starts_accepted:
            yield Finding(
                "accept-not-first",
                f"step {step.id!r} is an acceptance (kind accept) but comes after "
                f"{', '.join(repr(a) for a in step.after)}: a case is accepted (受理) once, at "
                "its first step, and no second acceptance is ever acted on",
                ("steps", i, "kind"),
                hint="give it the kind of what it does (review, site_survey …), or make it "
                "the first step (no after:)",
            )
    deciding = [i for i, s in enumerate(steps) if s.decides]
    first = steps[deciding[0]].id if deciding else ""
    for i in deciding[1:]:
        yield Finding(
            "multiple-deciding-steps",
            f"step {steps[i].id!r} decides the case, and so does {first!r}: a case gets one "
            "decision (准予 / 不予许可), so only the first would count",
            ("steps", i, "decides"),
            hint=f"keep decides: true on one step only; let {steps[i].id!r} review "
            "(kind review) before it, or merge the two",
        )
