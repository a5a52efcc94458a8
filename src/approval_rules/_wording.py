"""Wording shared by every message the library writes: numbers of days, limits, paths
and "did you mean" suggestions, written once so that every module says them alike.

This module imports only the standard library and :mod:`.errors`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Final

from .errors import Path

__all__ = [
    "close_match",
    "days",
    "declare_hint",
    "did_you_mean",
    "limit_text",
    "num",
    "suggestion",
    "where",
]


def close_match(value: object, known: Iterable[str]) -> str | None:
    """The known name closest to ``value`` (``difflib``'s cut-off), or ``None``."""
    found = difflib.get_close_matches(str(value), list(known), n=1)
    return found[0] if found else None


def did_you_mean(value: object, known: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for a close known name, else ``None`` (an issue's hint)."""
    close = close_match(value, known)
    return f"did you mean {close!r}?" if close is not None else None


def declare_hint(
    value: str, known: Iterable[str], what: str, place: Callable[[str], str], default: str
) -> str:
    """A "not declared" hint: the closest declared name and where it is declared, or where
    ``value`` would be declared and the closest name there is.

    ``place(name)`` says where a declared name is (``in matters/permit.yaml``);
    ``default`` where a new one goes.  Example: ``did you mean 'construction_permit'
    (declared in matters/construction_permit.yaml)?``, or ``declare matter 'x' in a
    file of its own (kind: matter); the closest declared matter is 'y'``.
    """
    names = list(known)
    close = close_match(value, names)
    if close is not None:
        return f"did you mean {close!r} (declared {place(close)})?"
    nearest = difflib.get_close_matches(value, names, n=1, cutoff=0.0)
    found = f"; the closest declared {what} is {nearest[0]!r}" if nearest else ""
    return f"declare {what} {value!r} {default}{found}"


def suggestion(value: object, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` to append to a message, or ``""``."""
    hint = did_you_mean(value, known)
    return f"; {hint}" if hint is not None else ""


def num(value: float) -> str:
    """A number of days as people write it: 7, 0.5, 1.125."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def days(value: float) -> str:
    """``7 working days``, ``1 working day``, ``0.5 working days``."""
    text = num(value)
    return f"{text} working day" + ("" if text == "1" else "s")


_UNIT_WORDS: Final = {
    "working_days": "working day",
    "half_days": "half day",
    "hours": "hour",
    "calendar_days": "calendar day",
}


def limit_text(value: float, unit: str) -> str:
    """A limit in the unit it was written in: ``7 working days``, ``1 hour``."""
    text = num(float(value))
    word = _UNIT_WORDS.get(unit, unit.replace("_", " "))
    return f"{text} {word}" + ("" if text == "1" else "s")


def where(path: Path, *, whole: str) -> str:
    """A path inside a document as people read it: ``steps[2].after``; ``whole`` if empty."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or whole
