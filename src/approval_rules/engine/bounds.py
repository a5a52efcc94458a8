"""The bounds of what a caller hands the engine: ids, texts, numbers and nesting.

Everything a host passes in (the applicant's fields, materials, an action's details,
``actor``, ``case_id``, ``event_id``) is checked here before any check or handler
reads it, with the loader's bounds (:mod:`..model`: ``MAX_ID``, ``MAX_NAME``,
``MAX_TEXT``).  Input outside them is a :class:`~..errors.CaseDataError` that names
the value without echoing it whole, so nothing half-applied follows and every text
the record takes can be written and stored (no lone surrogate, no control
character, no megabyte opinion).

This module imports only the standard library, the errors and the model's bounds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Final

from ..errors import CaseDataError
from ..model import MAX_DEFINITIONS, MAX_ID, MAX_NAME, MAX_TEXT

__all__ = [
    "MAX_DEPTH",
    "MAX_INTEGER",
    "MAX_NUMBER",
    "blank",
    "caller_id",
    "check_input",
    "file_name",
    "shown",
]

#: How deep lists and mappings may nest in a caller's input (a material's file entry
#: is at depth 3: materials → files → file → key).
MAX_DEPTH: Final = 5
#: Items of one list or mapping in a caller's input (the loader's bound on definitions).
MAX_ITEMS: Final = MAX_DEFINITIONS
#: The largest size of an applicant's number (an area, a price, a height): far above
#: any real one, and small enough that a fee counted from it stays exact.
MAX_NUMBER: Final = 10**12
#: The largest integer anywhere in a caller's input: what JSON readers keep exactly.
MAX_INTEGER: Final = 2**53

#: Details that name something of the matter (a step, a person, a fee item, a stop
#: kind): ids.  Details that are short texts (a certificate number, a receipt, who
#: signed for a delivery): names.  Every other text detail may be a long text.
_ID_DETAILS: Final = frozenset({"step", "to", "person", "item", "kind", "result"})
_NAME_DETAILS: Final = frozenset({"number", "receipt", "signed_by"})

# C0 controls other than tab, line feed and carriage return; DEL.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What an id may not hold: white space, controls, invisible characters, path
# separators and '#' (the engine's event ids are ``<case id>#<seq>``).
_NOT_IN_ID: Final = re.compile(
    r"[\s\x00-\x1f\x7f/\\#\u00ad\u180e\u200b-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]"
)
# Path separators and controls, in a file name.
_NOT_IN_FILE_NAME: Final = re.compile(r"[/\\\x00-\x1f\x7f]")


#: Characters that show nothing although Unicode files them as letters or symbols (the
#: Hangul fillers, the blank braille pattern); with whitespace and the format characters
#: (category ``Cf``: U+200B zero-width space, U+2060 word joiner, U+FEFF …) they are
#: invisible.
_INVISIBLE_LETTERS: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES: Final = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})


def blank(text: str) -> bool:
    """Whether ``text`` shows nothing: empty, or only whitespace and invisible
    characters (zero-width spaces and joiners, byte-order marks, other Unicode format
    characters).  The one rule by which a required text detail (a reason, a notice,
    an opinion) counts as not given (issue #14)."""
    return all(
        c.isspace() or c in _INVISIBLE_LETTERS or unicodedata.category(c) in _INVISIBLE_CATEGORIES
        for c in text
    )


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)``, cut short: what an error message may echo of a caller's input."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        return f"an integer of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= 2 * limit else text[: 2 * limit] + "…"


def _text(value: str, what: str, limit: int) -> None:
    if len(value) <= limit and value.isprintable():
        return  # the common case, at C speed: no control, surrogate or line break
    if len(value) > limit:
        raise CaseDataError(f"{what} is {len(value)} characters long; at most {limit}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CaseDataError(
            f"{what} holds a character that is not text (a lone surrogate): {shown(value)}"
        ) from None
    if _CONTROL.search(value):
        raise CaseDataError(f"{what} holds a control character: {shown(value)}")


class _Outside(Exception):
    """A value outside the bounds, deep in an input: its path is added on the way out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []


def caller_id(value: object, what: str) -> str:
    """An id a caller gives (``actor``, ``case_id``, ``event_id``): one word of visible
    characters, at most ``MAX_ID`` long, no ``/``, ``\\`` or ``#``, not starting with
    ``.``; a case id is safe as a file or key name.

    Raises:
        CaseDataError: anything else.
    """
    if (  # the common case, at C speed; the checks below say what is wrong otherwise
        type(value) is str
        and 0 < len(value) <= MAX_ID
        and value.isprintable()
        and _NOT_IN_ID.search(value) is None
        and value[0] != "."
    ):
        return value
    if not isinstance(value, str):
        raise CaseDataError(f"{what} must be text, not {shown(value)}")
    _text(value, what, MAX_ID)
    if not value or _NOT_IN_ID.search(value) or value.startswith("."):
        raise CaseDataError(
            f"{what} must be one word of visible characters without '/', '\\', '#' or a "
            f"leading '.', not {shown(value)}"
        )
    return value


def file_name(value: str, what: str) -> None:
    """A file's name: a name, not a path (no ``/`` or ``\\``, not ``.`` or ``..``),
    at most ``MAX_NAME`` long.

    Raises:
        CaseDataError: anything else.
    """
    _text(value, what, MAX_NAME)
    if _NOT_IN_FILE_NAME.search(value) or value.strip() in (".", ".."):
        raise CaseDataError(
            f"{what}: {shown(value)} is not a file name (a name without '/' or '\\', not a path)"
        )


def check_input(value: object, what: str, *, details: bool = False) -> None:
    """A caller's input (details, fields, materials) within the bounds.

    Texts are at most ``MAX_TEXT`` long (keys ``MAX_NAME``; with ``details``, the
    details that are ids ``MAX_ID``, names ``MAX_NAME``), with no lone surrogate or
    control character other than tab and line breaks; integers at most
    ``MAX_INTEGER`` in size; floats finite; lists and mappings at most ``MAX_ITEMS``
    long and ``MAX_DEPTH`` deep.

    Raises:
        CaseDataError: the first value outside the bounds, with where it is.
    """
    try:
        if details and (type(value) is dict or isinstance(value, Mapping)):
            for key, sub in value.items():
                limit = _LIMITS.get(key, MAX_TEXT)
                if type(sub) is str and len(sub) <= limit and sub.isprintable():
                    continue  # the common case: a short text (what _walk checks first)
                try:
                    _walk(sub, limit, 1)
                except _Outside as bad:
                    bad.path.append(f".{key}")  # an action's detail: a name it takes
                    raise
        else:
            _walk(value, MAX_TEXT, 0)
    except _Outside as bad:
        raise CaseDataError(f"{what}{''.join(reversed(bad.path))} {bad.reason}") from None


#: Types of values that hold no text or number to check.
_PLAIN: Final = frozenset({bool, type(None)})


def _walk(item: object, limit: int, depth: int) -> None:
    """Raise :class:`_Outside` for the first value outside the bounds in ``item``."""
    kind = type(item)
    if kind is not str and isinstance(item, dict | list | tuple | Mapping):
        _walk_container(item, depth)
    elif isinstance(item, str):
        try:
            _text(str(item), "", limit)
        except CaseDataError as err:
            raise _Outside(str(err).lstrip()) from None
    elif kind in _PLAIN:
        return
    elif isinstance(item, int):
        if not -MAX_INTEGER <= item <= MAX_INTEGER:
            raise _Outside(f"is too large a number: {shown(item)}")
    elif isinstance(item, float) and not math.isfinite(item):
        raise _Outside(f"must be a finite number, not {item!r}")


def _walk_container(item: Mapping[object, object] | list[object] | tuple[object, ...],
                    depth: int) -> None:  # fmt: skip
    if depth >= MAX_DEPTH:
        raise _Outside("nests lists or mappings too deep")
    if len(item) > MAX_ITEMS:
        raise _Outside(f"has {len(item)} items; at most {MAX_ITEMS}")
    pairs: Iterable[tuple[object, object]]
    if isinstance(item, list | tuple):
        mapping, pairs = False, enumerate(item)
    else:
        mapping, pairs = True, item.items()
    for key, sub in pairs:
        key_ok = not mapping or (type(key) is str and len(key) <= MAX_NAME and key.isprintable())
        if key_ok and (  # the common cases inline: a short text, a small number, a flag
            (type(sub) is str and len(sub) <= MAX_TEXT and sub.isprintable())
            or (type(sub) is int and -MAX_INTEGER <= sub <= MAX_INTEGER)
            or type(sub) in _PLAIN
        ):
            continue
        try:
            if not key_ok and isinstance(key, str):
                _walk(key, MAX_NAME, depth + 1)
            _walk(sub, MAX_TEXT, depth + 1)
        except _Outside as bad:
            name = key if isinstance(key, str) and len(key) <= MAX_ID else shown(key)
            bad.path.append(f".{name}" if mapping else f"[{key}]")
            raise


#: The length limit of each detail that is not a long text.
_LIMITS: Final[dict[object, int]] = {
    **dict.fromkeys(_ID_DETAILS, MAX_ID),
    **dict.fromkeys(_NAME_DETAILS, MAX_NAME),
}
