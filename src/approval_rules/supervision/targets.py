"""Who a level notifies: the step's signers, their AB岗 backups, the department head, the
supervision office, resolved against the compiled process and the catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..engine import Case
from ..graph import Process
from ..loader import Catalogue
from .records import Recipient
from .rules import Offices, Target

__all__ = ["department_of", "recipients"]


def department_of(process: Process, step: str | None) -> str:
    """The department responsible: the step's, or the matter's lead department."""
    return process.department(step) if step is not None else process.matter.lead_department


def _handling_steps(case: Case, process: Process, step: str | None) -> Sequence[str]:
    if step is not None:
        return (step,)
    return case.open_steps or (process.start,)


def recipients(
    targets: Iterable[Target],
    *,
    case: Case,
    step: str | None,
    process: Process,
    catalogue: Catalogue,
    offices: Offices,
) -> tuple[Recipient, ...]:
    """The people and offices behind ``targets``, each once, in the order asked.

    ``signer`` is who may sign the step (for the whole case: every open step, or the
    window when none is open); ``backup`` their AB岗 backups; ``department_head`` the
    holders of ``offices.department_head_role`` in the step's department (the lead
    department for the case).
    """
    found: dict[str, Recipient] = {}
    people = catalogue.people

    def person(role: Target, pid: str) -> None:
        if pid not in found:
            who = people.get(pid)
            found[pid] = Recipient(role, pid, who.name if who is not None else pid)

    steps = _handling_steps(case, process, step)
    for target in targets:
        if target is Target.SIGNER:
            for sid in steps:
                for pid in process.signers(sid):
                    person(target, pid)
        elif target is Target.BACKUP:
            for sid in steps:
                for backup in process.backups(sid).values():
                    if backup is not None:
                        person(target, backup)
        elif target is Target.DEPARTMENT_HEAD:
            department = department_of(process, step)
            for holder in catalogue.holders(offices.department_head_role, department):
                person(target, holder.id)
        else:
            office = offices.supervision_office
            found.setdefault(office.id, Recipient(target, office.id, office.name))
    return tuple(found.values())
