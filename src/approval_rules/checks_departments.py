"""Departments: each step is signed inside the department that handles it.

* ``co-review-not-co-department``: a co-department review (``kind: co_review``) that
  names no department, the lead department, or a department missing from the matter's
  ``co_departments``: the parallel review (并联审批) would go to a department the matter
  does not declare as co-handling it.
* ``signer-other-department``: a named signer who works in another department than the
  step's (the lead department unless the step says ``department:``).

The legitimate cases have a declaration each (``docs/matter-format.md``): a step done
at another department's window says so with ``department:`` (the county service
centre's window accepting for a bureau writes ``department: dy_zwfw`` on its
acceptance step); a person authorised to sign for another department lists it in
``acts_for:``.  A role in ``signer_roles`` is only ever held in the step's department,
so it needs no check here.  AB岗 backups in another department are checked when the
definitions load (``backup-other-department``).
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
        "co-review-not-co-department": (
            Severity.ERROR,
            "a co-department review by a department not in co_departments",
        ),
        "signer-other-department": (
            Severity.ERROR,
            "a named signer works in another department than the step's",
        ),
    }
)


def check(view: MatterView) -> Iterator[Finding]:
    """Co-reviews by declared co-departments; signers of the step's department."""
    yield from _co_reviews(view)
    yield from _signers(view)


def _co_reviews(view: MatterView) -> Iterator[Finding]:
    matter = view.matter
    declared = ", ".join(matter.co_departments) or "none are declared"
    for i, step in enumerate(matter.steps):
        if step.kind is not StepKind.CO_REVIEW:
            continue
        department = view.department_of(step)
        if department in matter.co_departments:
            continue
        if step.department is None or department == matter.lead_department:
            yield Finding(
                "co-review-not-co-department",
                f"co-department review {step.id!r} is handled by the lead department "
                f"{view.department_name(department)}: a co-review (并联审批) is done by one "
                f"of the co_departments ({declared})",
                ("steps", i, "department" if step.department else "kind"),
                hint="write department: with one of the co_departments, or kind: review for "
                "the lead department's own review",
            )
        else:
            yield Finding(
                "co-review-not-co-department",
                f"co-department review {step.id!r} is handled by "
                f"{view.department_name(department)}, which is not among the matter's "
                f"co_departments ({declared})",
                ("steps", i, "department"),
                hint=f"add {department} to co_departments, or name one of them",
            )


def _signers(view: MatterView) -> Iterator[Finding]:
    people = view.catalogue.people
    for i, step in enumerate(view.matter.steps):
        department = view.department_of(step)
        for j, pid in enumerate(step.signers):
            person = people.get(pid)
            if person is None or person.department == department:
                continue
            if department in person.acts_for:
                continue
            yield Finding(
                "signer-other-department",
                f"{view.person(pid)} works in {view.department_name(person.department)}, "
                f"but step {step.id!r} is handled by {view.department_name(department)}, "
                "so they may not sign it",
                ("steps", i, "signers", j),
                hint=f"name a signer of {department}; if the step is done at "
                f"{person.department}'s window, write department: {person.department} on "
                f"the step; if {pid} is authorised to sign for {department}, give them "
                f"acts_for: [{department}] in the definitions",
            )
