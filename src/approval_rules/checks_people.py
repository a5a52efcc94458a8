"""AB岗 and separation of duties: can every step still be signed when someone is away?

How the engine lets people sign (``docs/engine.md``): a signer signs a step; their
AB岗 backup signs it *for them* while they are recorded absent.  ``separate_from``
excludes both the person who signed the other step and the one they signed for.

* ``backup-breaks-separation`` (error): step S must be signed by someone other than
  the signer of T (``separate_from: [T]``).  If a signer A of T is absent, A's backup B
  signs T for A, and A and B are both excluded from S.  When S has no other signer,
  nobody may sign S and the case stalls.  (The construction permit's head and deputy
  head are chosen so that this cannot happen.)
* ``signer-without-backup`` (warning): some signers of a step have no backup, though
  others do (``no-backup`` is the case where none has one).  While such a signer is
  away their share of the work waits; give every signer a backup.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Final

from .checks_base import Codes, Finding, MatterView
from .errors import Severity

__all__ = ["CODES", "check"]

CODES: Final[Codes] = types.MappingProxyType(
    {
        "backup-breaks-separation": (
            Severity.ERROR,
            "a backup signing one step leaves nobody to sign a separated step",
        ),
        "signer-without-backup": (Severity.WARNING, "a signer of a step has no AB岗 backup"),
    }
)


def check(view: MatterView) -> Iterator[Finding]:
    """Backups that collide with separate_from; signers without a backup."""
    yield from _separation(view)
    yield from _backups(view)


def _separation(view: MatterView) -> Iterator[Finding]:
    people = view.catalogue.people
    for i, step in enumerate(view.matter.steps):
        mine = set(view.signers[step.id])
        if not mine:
            continue
        for j, other in enumerate(step.separate_from):
            theirs = view.signers.get(other, ())
            if len(mine) == 1 and set(theirs) == mine:
                continue  # one person for both: separation-unsatisfiable says so
            for absent in theirs:
                person = people.get(absent)
                backup = person.backup if person is not None else None
                if backup is None or backup == absent or not mine <= {absent, backup}:
                    continue
                yield Finding(
                    "backup-breaks-separation",
                    f"while {view.person(absent)} is away, their backup {view.person(backup)} "
                    f"signs {other!r} for them; then neither may sign {step.id!r} "
                    f"(separate_from: [{other}]), and nobody else may, so the case stalls",
                    ("steps", i, "separate_from", j),
                    hint=f"add another signer to {step.id!r}, or give {absent} a backup "
                    f"who does not sign {step.id!r}",
                )
                break


def _backups(view: MatterView) -> Iterator[Finding]:
    people = view.catalogue.people
    for i, step in enumerate(view.matter.steps):
        ids = [p for p in view.signers[step.id] if p in people]
        without = [p for p in ids if people[p].backup is None]
        if not without or len(without) == len(ids):
            continue  # everyone covered, or nobody: no-backup reports that
        yield Finding(
            "signer-without-backup",
            f"{', '.join(view.person(p) for p in without)} may sign step {step.id!r} but "
            "has no backup (AB岗): while away, nobody acts for them",
            ("steps", i, "signers" if step.signers else "signer_roles"),
            hint="name a backup for each of them in the definitions (backup: PERSON_ID)",
        )
