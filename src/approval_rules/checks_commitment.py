"""告知承诺制: what a matter's ``commitment:`` block needs to be usable.

On commitment (国办发〔2020〕42号; 国务院 2021 涉企经营许可事项告知承诺制) the office
decides on the spot (当场作出决定): the engine's ``accept_on_commitment`` accepts the
case and passes its deciding step in one event.  That is possible only when the
deciding step follows the acceptance directly, opens for every applicant and one
person signs it.

* ``commitment-unknown-material`` (error): ``replaces`` names a material the matter
  does not declare, so nothing would be replaced.
* ``commitment-not-on-the-spot`` (error): the deciding step does not follow the
  acceptance step directly (review steps, co-reviews in between), has a ``when``, needs
  several signatures, is kept ``separate_from`` the acceptance step, or another step
  decides too: no decision on the spot is possible.  The deciding step is
  :attr:`~.model.Matter.commitment_step`, as the engine reads it.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Final

from ._wording import did_you_mean
from .checks_base import Codes, Finding, MatterView
from .errors import Severity
from .model import StepKind

__all__ = ["CODES", "check"]

CODES: Final[Codes] = types.MappingProxyType(
    {
        "commitment-unknown-material": (
            Severity.ERROR, "a commitment replaces a material the matter does not declare"
        ),
        "commitment-not-on-the-spot": (
            Severity.ERROR, "a commitment on a matter whose steps cannot decide on the spot"
        ),
    }
)  # fmt: skip


def check(view: MatterView) -> Iterator[Finding]:
    """The replaced materials exist; the deciding step can decide on the spot."""
    matter = view.matter
    commitment = matter.commitment
    if commitment is None:
        return
    declared = [m.id for m in matter.materials]
    for i, mid in enumerate(commitment.replaces):
        if mid not in declared:
            close = did_you_mean(mid, declared)
            yield Finding(
                "commitment-unknown-material",
                f"the commitment replaces {mid!r}, which is not a material of matter "
                f"{matter.id!r} (declare it under materials: in this file)",
                ("commitment", "replaces", i),
                hint=close or "list the id of one of the matter's materials",
            )
    yield from _on_the_spot(view)


def _on_the_spot(view: MatterView) -> Iterator[Finding]:
    matter = view.matter
    steps = matter.steps
    starts = [steps[i] for i in view.shape.sources if steps[i].kind is StepKind.ACCEPT]
    step = matter.commitment_step
    if len(starts) != 1 or step is None:
        return  # start-not-accept / multiple-starts / no-deciding-step say why
    start = starts[0].id
    others = [s.id for s in steps if s.decides and s is not step]
    why: str | None = None
    if others:
        why = f"the decision also waits for {', '.join(map(repr, others))}, which decide too"
    elif step.after != (start,):
        waits = ", ".join(repr(a) for a in step.after)
        why = f"it waits for {waits}, not for the acceptance step {start!r} alone"
    elif step.when is not None:
        why = "it has a when: condition, so it may be skipped"
    elif step.signers_needed > 1 or step.sections:
        why = "several people sign it"
    elif start in step.separate_from:
        why = f"it is kept separate_from {start!r}, whose decision on the spot one person makes"
    if why is None:
        return
    yield Finding(
        "commitment-not-on-the-spot",
        f"the matter declares a commitment (告知承诺制: decided on the spot), but its deciding "
        f"step {step.id!r} cannot decide on the spot: {why}",
        ("commitment",),
        hint=f"let {step.id!r} follow {start!r} directly (after: [{start}]), with one signer "
        "and no when:, or remove the commitment block",
        key=True,
    )
