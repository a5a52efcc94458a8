"""The loaded catalogue: departments, roles, people, fee items and matters, by id.

:class:`Catalogue` is what :func:`~.loader.load_catalogue` returns and what the
compiler and the engine read.  It is a frozen value: it holds no compiled processes
(the compiler owns that cache, :mod:`.compiler`) and no state that changes.  It also
answers who may sign a step, from one index of role holders built with it: named
signers first, then the holders of the step's roles *in the step's department*.

This module imports only the standard library, :mod:`.errors`, :mod:`._wording` (the
"not declared" hints of :func:`matter_hint` and :func:`role_hint`), :mod:`._yaml` (the
positions of every matter's keys) and :mod:`.model`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ._wording import declare_hint
from ._yaml import YamlDocument
from .errors import Issue, Path, SourceSpan
from .model import Department, FeeItem, Matter, Person, Role, Step

__all__ = ["Catalogue", "matter_hint", "role_hint"]


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Everything read from a catalogue, checked and cross-referenced.

    Mappings are keyed by id.  ``issues`` holds the warnings found while loading
    (errors raise instead).  Positions of every matter's keys stay available through
    :meth:`locate`, so later stages (the compiler) can point at the YAML.  Two
    catalogues are equal only when they are the same object.
    """

    departments: Mapping[str, Department]
    roles: Mapping[str, Role]
    people: Mapping[str, Person]
    fee_items: Mapping[str, FeeItem]
    matters: Mapping[str, Matter]
    issues: tuple[Issue, ...] = ()
    files: tuple[str, ...] = ()
    _documents: Mapping[str, YamlDocument] = field(default_factory=dict, repr=False)
    # (role, department) -> ids of the people holding the role there, in people order
    _holders: Mapping[tuple[str, str], tuple[str, ...]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[str]] = {}
        for person in self.people.values():
            for role in person.roles:
                index.setdefault((role, person.department), []).append(person.id)
        # set once, here: the dataclass is frozen for everybody else
        frozen = MappingProxyType({key: tuple(ids) for key, ids in index.items()})
        object.__setattr__(self, "_holders", frozen)

    def locate(self, matter_id: str, path: Path = (), *, key: bool = False) -> SourceSpan | None:
        """Where ``path`` inside matter ``matter_id`` was written, if it came from a file."""
        doc = self._documents.get(matter_id)
        if doc is None:
            return None
        return doc.key_span(path) if key else doc.span(path)

    def holders(self, role_id: str, department: str | None = None) -> tuple[Person, ...]:
        """People who hold role ``role_id`` (in ``department`` when given), in order."""
        if department is not None:
            return tuple(self.people[pid] for pid in self._holders.get((role_id, department), ()))
        return tuple(p for p in self.people.values() if role_id in p.roles)

    def step_signers(self, matter: Matter, step: Step) -> tuple[str, ...]:
        """Ids of everyone authorised to act on ``step``: named signers, then role holders.

        A role named in ``signer_roles`` is held *in the step's department* (the lead
        department when the step names none): a 局长 of another city does not sign here.
        """
        found = dict.fromkeys(step.signers)
        department = step.department or matter.lead_department
        for role in step.signer_roles:
            found.update(dict.fromkeys(self._holders.get((role, department), ())))
        return tuple(found)

    def signers_of(self, matter_id: str, step_id: str) -> tuple[Person, ...]:
        """Everyone authorised to act on a step (:meth:`step_signers`), as people.

        Raises:
            KeyError: no such matter or step.
        """
        matter = self.matters[matter_id]
        step = next((s for s in matter.steps if s.id == step_id), None)
        if step is None:
            raise KeyError(f"matter {matter_id!r} has no step {step_id!r}")
        return tuple(self.people[pid] for pid in self.step_signers(matter, step))

    def summary(self) -> dict[str, int]:
        """Counts for ``approval-rules check``."""
        return {
            "departments": len(self.departments),
            "people": len(self.people),
            "matters": len(self.matters),
            "steps": sum(len(m.steps) for m in self.matters.values()),
            "materials": sum(len(m.materials) for m in self.matters.values()),
        }


def matter_hint(matter: str, catalogue: Catalogue) -> str:
    """The closest matter of ``catalogue`` and its file, or where a matter is declared."""

    def place(mid: str) -> str:
        span = catalogue.locate(mid)
        return f"in {span.file}" if span is not None else "in the catalogue"

    return declare_hint(
        matter, sorted(catalogue.matters), "matter", place,
        "in a file of its own (kind: matter) in the catalogue",
    )  # fmt: skip


def role_hint(role: str, catalogue: Catalogue) -> str:
    """The closest role of ``catalogue``, or where a role is declared."""
    where = "under roles: in a file of kind definitions"
    return declare_hint(role, sorted(catalogue.roles), "role", lambda _: where, where)
