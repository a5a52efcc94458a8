"""Steps several people sign: can the quorum be reached, is every section signable?

How the engine counts signatures (``docs/engine.md``, "Steps several people sign"):
a step with ``signers_needed: N`` passes once N different signers signed it; a step
with ``sections`` passes once every section is signed by its named signer (or that
person's AB岗 backup while they are away).

* ``quorum-unreachable`` (error): ``signers_needed`` is more than the number of
  people who may sign the step (named signers and holders of its roles), so no case
  could ever pass it.
* ``section-signer-not-a-signer`` (error): a section names someone who is not among
  the step's ``signers``.
* ``signer-without-section`` (error): a signer of a step with sections signs none of
  them, so could never act on it; give them a section or remove them.
* ``section-signer-twice`` (error): one person signs two sections; a person signs a
  step once, so the second section could never be signed.
* ``sections-with-roles`` (error): sections name people; a step with sections may not
  also be signed by role holders (``signer_roles``).
* ``duplicate-section`` (error): two sections of a step have the same id.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Final

from .checks_base import Codes, Finding, MatterView
from .errors import Severity
from .model import Step

__all__ = ["CODES", "check"]

_E = Severity.ERROR

CODES: Final[Codes] = types.MappingProxyType(
    {
        "quorum-unreachable": (_E, "signers_needed is more than the people who may sign"),
        "section-signer-not-a-signer": (_E, "a section's signer is not a signer of the step"),
        "signer-without-section": (_E, "a signer of a step with sections signs none of them"),
        "section-signer-twice": (_E, "one person signs two sections of a step"),
        "sections-with-roles": (_E, "a step with sections also names signer roles"),
        "duplicate-section": (_E, "two sections of a step have the same id"),
    }
)


def check(view: MatterView) -> Iterator[Finding]:
    """Quorums that cannot be reached; sections nobody, or nobody else, can sign."""
    for i, step in enumerate(view.matter.steps):
        if step.signers_needed > 1:
            yield from _quorum(view, i, step)
        if step.sections:
            yield from _sections(view, i, step)


def _quorum(view: MatterView, i: int, step: Step) -> Iterator[Finding]:
    people = view.signers.get(step.id, ())
    if step.signers_needed <= len(set(people)):
        return
    listed = ", ".join(view.person(p) for p in people) or "nobody"
    yield Finding(
        "quorum-unreachable",
        f"step {step.id!r} needs {step.signers_needed} different signers, but only "
        f"{len(set(people))} may sign it ({listed})",
        ("steps", i, "signers_needed"),
        hint=f"write signers_needed: {max(len(set(people)), 1)} or fewer, or add signers "
        f"to {step.id!r}",
    )


def _sections(view: MatterView, i: int, step: Step) -> Iterator[Finding]:
    if step.signer_roles:
        yield Finding(
            "sections-with-roles",
            f"step {step.id!r} has sections, each signed by a named person, and also "
            "signer_roles, whose holders would sign no section",
            ("steps", i, "signer_roles"),
            key=True,
            hint="name the people in signers and give each a section; remove signer_roles",
        )
    seen_ids: set[str] = set()
    seen_signers: dict[str, str] = {}
    for j, section in enumerate(step.sections):
        if section.id in seen_ids:
            yield Finding(
                "duplicate-section",
                f"step {step.id!r} has two sections {section.id!r}",
                ("steps", i, "sections", j, "id"),
                hint="give each section its own id",
            )
        seen_ids.add(section.id)
        if section.signer not in step.signers:
            yield Finding(
                "section-signer-not-a-signer",
                f"section {section.id!r} of step {step.id!r} is signed by "
                f"{view.person(section.signer)}, who is not among its signers "
                f"({', '.join(step.signers) or 'none'})",
                ("steps", i, "sections", j, "signer"),
                hint=f"add {section.signer} to the step's signers, or name one of them",
            )
        elif section.signer in seen_signers:
            yield Finding(
                "section-signer-twice",
                f"{view.person(section.signer)} signs both section "
                f"{seen_signers[section.signer]!r} and {section.id!r} of step "
                f"{step.id!r}; a person signs a step once, so one section would stay "
                "unsigned",
                ("steps", i, "sections", j, "signer"),
                hint="merge the two sections, or give one to another signer",
            )
        seen_signers.setdefault(section.signer, section.id)
    for k, signer in enumerate(step.signers):
        if signer not in seen_signers:
            yield Finding(
                "signer-without-section",
                f"{view.person(signer)} signs step {step.id!r}, whose signers each sign "
                "their own section, but has no section, so could never sign it",
                ("steps", i, "signers", k),
                hint=f"add a section signed by {signer}, or remove them from signers",
            )
