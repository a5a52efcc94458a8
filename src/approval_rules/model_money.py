"""Amounts of money in the matter language: exact decimals with a stable JSON Schema.

``model.Money`` is built from these: YAML numbers become exact ``Decimal`` values, and
the schema published for editors says the same thing in every pydantic release.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = ["MONEY_TEXT_PATTERN", "money_schema", "to_decimal"]

#: An amount written as text, as the published schema accepts it: a plain decimal with
#: at most two places, from 0 to ``model.MAX_MONEY`` (below 1亿 an amount has at most 8
#: digits).
MONEY_TEXT_PATTERN = r"^\+?0*([0-9]{1,8}(\.[0-9]{0,2})?|100000000(\.0{0,2})?|\.[0-9]{1,2})$"


def to_decimal(value: Any) -> Any:
    """A YAML int or float as an exact ``Decimal`` (``str()`` keeps 0.1 from becoming
    0.1000…01); anything else unchanged, for validation to judge (a bool is refused)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def money_schema(top: Decimal) -> dict[str, Any]:
    """The JSON Schema of an amount from 0 to ``top``, written out.

    Pydantic's own output for a constrained Decimal changes between releases (2.7
    writes ``minimum``, 2.13 a string ``pattern`` and the bounds as keys no JSON Schema
    knows, 2.14 drops the pattern), and the published schemas must not.  Two decimal
    places cannot be said of a JSON number reliably (``multipleOf: 0.01`` refuses 0.29
    in float arithmetic), so for numbers the loader alone checks them, and for text it
    alone checks the bounds.
    """
    return {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": int(top)},
            {"type": "string", "pattern": MONEY_TEXT_PATTERN},
        ]
    }
