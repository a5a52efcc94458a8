"""Fees: when the fees are assessed.

``no_fee: true`` (不收费) and ``fees`` together are refused by the model; a matter
with neither is accepted (the bundled matters all declare one or the other, a test
checks it).

* ``fees-assessed-without-fees`` (warning): ``fees_assessed: acceptance`` on a matter
  without fees says nothing; remove it.
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
        "fees-assessed-without-fees": (
            Severity.WARNING,
            "fees_assessed is set on a matter that charges no fee",
        ),
    }
)


def check(view: MatterView) -> Iterator[Finding]:
    """An assessment time with nothing to assess."""
    matter = view.matter
    if not matter.fees and matter.fees_assessed != "decision":
        yield Finding(
            "fees-assessed-without-fees",
            f"matter {matter.id!r} says when its fees are assessed but charges none",
            ("fees_assessed",),
            key=True,
            hint="remove fees_assessed, or list the fees",
        )
