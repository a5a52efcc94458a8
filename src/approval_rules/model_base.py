"""The building blocks of the matter language: patterns, bounds, value types, the base
models and the example marker; re-exported by :mod:`.model`, which declares the blocks.

Every number, id, text and list of the language has a bound here (docs/matter-format.md,
"Bounds").
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, Final, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
)

__all__ = [
    "EXAMPLE_HELP",
    "FILE_TYPE_PATTERN",
    "ID_PATTERN",
    "MAX_CHECK",
    "MAX_COUNT",
    "MAX_DEFINITIONS",
    "MAX_EXTENSION",
    "MAX_ID",
    "MAX_LIMIT",
    "MAX_LIST",
    "MAX_MONEY",
    "MAX_NAME",
    "MAX_PAGES",
    "MAX_PIXELS",
    "MAX_SIZE_KB",
    "MAX_TEXT",
    "MAX_VALIDITY",
    "MAX_VISITS",
    "MAX_WORKING_DAYS",
    "PHONE_PATTERN",
    "SESSION_PATTERN",
    "URL_PATTERN",
    "VISIBLE_PATTERN",
    "BaseMarked",
    "BaseModelFrozen",
    "Count",
    "Example",
    "Id",
    "LongText",
    "Phone",
    "Pixels",
    "Session",
    "ShortText",
    "Text",
    "Url",
]

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
FILE_TYPE_PATTERN = r"^[a-z0-9]+$"
#: A name must hold at least one visible character: not only spaces (also the
#: ideographic space) or invisible ones such as zero-width spaces and joiners.
VISIBLE_PATTERN = r"[^\s\u00ad\u180e\u200b-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]"

# --- bounds: every number, id, text and list has one (docs/matter-format.md, "Bounds") ---
#
# The bounds are far above anything a real matter needs and far below what breaks a
# computation: a limit the calendar can count, a date a certificate can carry.

MAX_ID = 64  # characters of an id
MAX_NAME = 200  # characters of a name, a code or a short text
MAX_TEXT = 4000  # characters of an explanation, note or legal text
MAX_LIST = 100  # items of a list inside a matter (steps, materials, signers …)
MAX_DEFINITIONS = 10_000  # departments, roles, people or fee items in one file
MAX_WORKING_DAYS = 250  # about one year of working days
#: Largest limit in each unit: the same year of work (250 working days = 500 half days
#: = 2000 office hours), or a year of calendar days.
MAX_LIMIT: Final[Mapping[str, int]] = MappingProxyType(
    {"working_days": MAX_WORKING_DAYS, "half_days": 500, "hours": 2000, "calendar_days": 366}
)
MAX_EXTENSION = 60  # working days; the law's are 10 (Art. 42 ¶1) and 15 (¶2)
#: Longest validity of a result in each unit: a hundred years.
MAX_VALIDITY: Final[Mapping[str, int]] = MappingProxyType(
    {"days": 36_600, "months": 1_200, "years": 100}
)
MAX_COUNT = 100  # originals or copies of one material
MAX_VISITS = 20
MAX_SIZE_KB = 1_048_576  # 1 GB
MAX_PAGES = 10_000
MAX_PIXELS = 65_535  # the largest width or height a JPEG can have
MAX_MONEY = Decimal("100000000")  # 1亿元
#: Longest period of a commitment's later check (事后核查) in each unit: a year.
MAX_CHECK: Final = {"working_days": MAX_WORKING_DAYS, "calendar_days": 366, "months": 12}

Id = Annotated[
    StrictStr,
    Field(
        pattern=ID_PATTERN,
        max_length=MAX_ID,
        description="An identifier: lower-case letters, digits and _ , starting with a letter.",
    ),
]
Text = Annotated[StrictStr, Field(min_length=1, max_length=MAX_NAME, pattern=VISIBLE_PATTERN)]
ShortText = Annotated[StrictStr, Field(max_length=MAX_NAME)]
LongText = Annotated[StrictStr, Field(max_length=MAX_TEXT)]
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
Pixels = Annotated[StrictInt, Field(ge=1, le=MAX_PIXELS)]


class BaseModelFrozen(BaseModel):
    """Every block of the language: frozen, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


# --- service information and example markers (办事指南) ----------------------------------
#
# What a published service guide needs beyond the rules: where to go, when, whom to
# call, and which values are examples rather than verified.  Contact details belong to
# departments (shared by every matter they handle); a matter's ``service`` block says
# which hall and window, and may override a phone number or give the online address.

#: A phone number as dialled: digits grouped by hyphens, e.g. 0717-3236505, 12345, +86-10-12345.
PHONE_PATTERN = r"^(\+[0-9]{1,3}-)?[0-9]{3,}(-[0-9]+)*$"
#: An address on the web a person can open: http or https, no spaces.
URL_PATTERN = r"^https?://[^\s/]+\S*$"
#: An office session in 24-hour clock time, e.g. 09:00-12:00.
SESSION_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$"

Phone = Annotated[
    StrictStr,
    Field(
        pattern=PHONE_PATTERN,
        max_length=40,
        description="A phone number as dialled, e.g. '0717-3236505' or '12345' (quote it).",
    ),
]
Url = Annotated[
    StrictStr,
    Field(
        pattern=URL_PATTERN,
        max_length=MAX_TEXT,
        description="A web address starting with https:// or http://.",
    ),
]
Session = Annotated[
    StrictStr,
    Field(pattern=SESSION_PATTERN, description="Opening and closing time, e.g. '09:00-12:00'."),
]

_Key = TypeVar("_Key", bound=str)


def _example_branch(value: Any) -> str:
    # A boolean marks the whole block; anything else is read as a list of keys, so that a
    # mistake is reported once, against the list ("'adress' is not one of ...").
    return "all" if isinstance(value, bool) else "keys"


#: ``example:`` of a block: ``true`` when every value in the block is an example, or the
#: list of the block's keys whose values are examples.  Each block lists its own keys.
Example = Annotated[
    Annotated[StrictBool, Tag("all")] | Annotated[tuple[_Key, ...], Tag("keys")],
    Discriminator(_example_branch),
]

EXAMPLE_HELP = (
    "Values that are examples, not verified (示例，未核实): true for the whole block, or a "
    "list of its keys, e.g. [address, consultation_phone]. Service guides mark them."
)


class BaseMarked(BaseModelFrozen):
    """A block whose values may be marked as examples (``example:``)."""

    def is_example(self, key: str) -> bool:
        """Is the value of ``key`` in this block an example rather than verified?"""
        marked = getattr(self, "example", False)
        if isinstance(marked, bool):
            return marked
        return key in marked
