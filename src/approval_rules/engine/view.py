"""The JSON view of a case for APIs: every record as an object with named fields.

:meth:`~.case.Case.to_json` is the storage form (arrays in the records' field order,
read back fast); :meth:`~.case.Case.to_dict` is the view a host hands to its clients:
objects with the records' field names, dates and times as ISO 8601 text, amounts as
decimal text, statuses as their names, a limit as ``{"value", "unit"}``
(docs/engine.md, "JSON views").

This module imports only the standard library and :mod:`..timelimits` (``ClockStop``):
it works on any record of :mod:`.records` by its fields.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["case_view", "labelled"]

#: The case's fields the view shows, in order (``events`` only when asked for).
_CASE_FIELDS = (
    "intake", "accepted_on", "deemed_acceptance", "steps", "clock", "decision",
    "settlement", "absences", "ending", "commitment",
)  # fmt: skip
_LIMITS = ("statutory_limit", "promised_limit")


def labelled(value: Any) -> Any:
    """``value`` as JSON data with named fields (records, mappings, dates, amounts …)."""
    if value is None or (
        isinstance(value, bool | int | float | str) and not isinstance(value, enum.Enum)
    ):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): labelled(v) for k, v in value.items()}
    fields = getattr(type(value), "_fields", None)
    if isinstance(value, tuple) and fields is not None:
        return {name: labelled(v) for name, v in zip(fields, value, strict=True)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: labelled(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [labelled(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not part of a case's view")


def case_view(case: Any, *, events: bool = False) -> dict[str, Any]:
    """The JSON view of ``case`` (see :meth:`~.case.Case.to_dict`)."""
    view: dict[str, Any] = {
        "id": case.id,
        "matter": case.matter_id,
        "matter_hash": case.matter_hash,
        "status": case.status.value,
        "version": case.version,
        "head": case.head,
        "last_at": case.last_at.isoformat(),
        "open_steps": list(case.open_steps),
        "is_terminal": case.is_terminal,
    }
    for name in _CASE_FIELDS:
        view[name] = labelled(getattr(case, name))
    clock = view["clock"]
    for name in _LIMITS:
        amount, unit = getattr(case.clock, name)
        clock[name] = {"value": amount, "unit": unit}
    settlement = case.settlement
    view["settlement"].update(
        assessed=str(settlement.assessed),
        paid=str(settlement.paid),
        outstanding=str(settlement.outstanding),
    )
    if events:
        view["events"] = [event.to_dict() for event in case.events]
    return view
