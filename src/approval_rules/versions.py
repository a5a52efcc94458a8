"""Versions of a matter: the matter *and the definitions it uses*, pinned by one hash.

A case runs on the rules it was opened on.  Those are more than the matter's YAML: the
fee rates its fees charge, the people who sign its steps (and their AB岗 backups, their
colleagues who may record their absence), the departments involved.  A
:class:`MatterDefinition` gathers exactly that from a catalogue
(:meth:`MatterDefinition.of`) and names it with the SHA-256 of its canonical JSON
(:attr:`MatterDefinition.hash`), the hash a case pins (``Case.matter_hash``).  So

* editing a fee rate, a person's backup or a department makes a *new* version: open
  cases keep the fee and the signers they were opened with;
* a definition compiles on its own (:meth:`MatterDefinition.catalogue`), so an engine
  can hold several versions of one matter (:meth:`~.engine.Engine.add_version`) and a
  store keeps every old version it saw.

This module imports only :mod:`.audit` (the canonical JSON), :mod:`.catalogue`,
:mod:`.errors` and :mod:`.model`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from .audit import canonical_json
from .catalogue import Catalogue
from .errors import CaseDataError
from .model import Department, FeeItem, Matter, Person, Role

__all__ = ["DEFINITION_FORMAT", "MatterDefinition"]

#: The format tag of a definition's JSON.
DEFINITION_FORMAT: Final = "approval-rules/definition@1"

_T = TypeVar("_T", Department, Role, Person, FeeItem)


@dataclass(frozen=True, eq=False)
class MatterDefinition:
    """One version of a matter: the matter and the departments, roles, people and fee
    items it uses, each sorted by id.

    Two definitions are equal when their hashes are.  Build one with :meth:`of` (from a
    catalogue) or :meth:`from_json` (from its stored text).

    Attributes:
        matter: the matter.
        departments, roles, people, fee_items: what the matter uses (see :meth:`of`).
        hash: SHA-256 (hex) of :meth:`to_json`: the version a case pins.
    """

    matter: Matter
    departments: tuple[Department, ...]
    roles: tuple[Role, ...]
    people: tuple[Person, ...]
    fee_items: tuple[FeeItem, ...]
    hash: str = field(init=False)
    _text: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        data = {
            "format": DEFINITION_FORMAT,
            # Keys added to the language after cases were pinned are left out while a
            # matter does not use them (Matter's serializer), so its hash stays.
            "matter": self.matter.model_dump(mode="json"),
            "departments": [d.model_dump(mode="json") for d in _by_id(self.departments)],
            "roles": [r.model_dump(mode="json") for r in _by_id(self.roles)],
            "people": [p.model_dump(mode="json") for p in _by_id(self.people)],
            "fee_items": [f.model_dump(mode="json") for f in _by_id(self.fee_items)],
        }
        text = canonical_json(data)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "hash", hashlib.sha256(text.encode("utf-8")).hexdigest())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MatterDefinition) and other.hash == self.hash

    def __hash__(self) -> int:
        return hash(self.hash)

    def __repr__(self) -> str:
        return f"MatterDefinition({self.matter.id!r}, {self.hash[:12]})"

    @property
    def matter_id(self) -> str:
        """The matter's id."""
        return self.matter.id

    @classmethod
    def of(
        cls, catalogue: Catalogue, matter_id: str, *, staff: Iterable[str] = ()
    ) -> MatterDefinition:
        """The version of ``matter_id`` that ``catalogue`` defines.

        It holds the fee items the matter's fees name, the people ``staff`` names (the
        engine passes everyone its compiled plan lets act: signers, their backups,
        extension approvers, and the colleagues who may record a signer's absence),
        the roles those people hold and the departments the matter, its steps and
        those people belong to or act for.

        Raises:
            CaseDataError: the catalogue has no such matter.
        """
        matter = catalogue.matters.get(matter_id)
        if matter is None:
            raise CaseDataError(f"the catalogue has no matter {matter_id!r}")
        people = catalogue.people
        chosen = {pid: people[pid] for pid in staff if pid in people}
        departments = {matter.lead_department, *matter.co_departments}
        departments.update(s.department for s in matter.steps if s.department)
        roles: set[str] = {r for s in matter.steps for r in s.signer_roles}
        if matter.time_limits.extension is not None:
            roles.add(matter.time_limits.extension.approved_by)
        for person in chosen.values():
            departments.add(person.department)
            departments.update(person.acts_for)
            roles.update(person.roles)
        return cls(
            matter,
            tuple(
                catalogue.departments[d] for d in sorted(departments) if d in catalogue.departments
            ),
            tuple(catalogue.roles[r] for r in sorted(roles) if r in catalogue.roles),
            tuple(chosen.values()),
            tuple(
                catalogue.fee_items[i]
                for i in sorted({ref.item for ref in matter.fees})
                if i in catalogue.fee_items
            ),
        )

    def catalogue(self) -> Catalogue:
        """A catalogue of this version alone: what the compiler builds its plan from."""
        return Catalogue(
            departments={d.id: d for d in _by_id(self.departments)},
            roles={r.id: r for r in _by_id(self.roles)},
            people={p.id: p for p in _by_id(self.people)},
            fee_items={f.id: f for f in _by_id(self.fee_items)},
            matters={self.matter.id: self.matter},
        )

    def to_json(self) -> str:
        """The canonical JSON text whose SHA-256 is :attr:`hash`."""
        return self._text

    @classmethod
    def from_json(cls, text: str, *, expected_hash: str | None = None) -> MatterDefinition:
        """A definition read back from :meth:`to_json`.

        Raises:
            CaseDataError: the text is not a definition of this release, or it does not
                have ``expected_hash``.
        """
        try:
            data: Any = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != DEFINITION_FORMAT:
                raise ValueError(f"not a {DEFINITION_FORMAT} text")
            found = cls(
                Matter.model_validate(data["matter"]),
                tuple(Department.model_validate(d) for d in data["departments"]),
                tuple(Role.model_validate(r) for r in data["roles"]),
                tuple(Person.model_validate(p) for p in data["people"]),
                tuple(FeeItem.model_validate(f) for f in data["fee_items"]),
            )
        except (ValueError, KeyError, TypeError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise CaseDataError(f"not a matter definition this release reads: {first}") from None
        if expected_hash is not None and found.hash != expected_hash:
            raise CaseDataError(
                f"the definition read has version {found.hash[:12]}, not {expected_hash[:12]}"
            )
        return found


def _by_id(items: Iterable[_T]) -> list[_T]:
    return sorted(items, key=lambda item: item.id)
