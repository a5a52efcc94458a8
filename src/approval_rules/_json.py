"""JSON written and read fast (orjson), to the standard library's rules.

The record's canonical bodies (:mod:`.audit`) and the case's serial form
(:mod:`.engine.case`) are defined by what :func:`json.dumps` writes (UTF-8 kept, no
spaces).  orjson writes the same text, many times faster, for every value they hold:
JSON data whose numbers are integers or finite fractions at least 0.0001 in size
(the engine refuses others where input enters).  What orjson cannot write (integers
beyond 64 bits, text with lone surrogates, keys that are not text, other types)
raises :class:`TypeError`; the callers then write it with the standard library.

This is the only module that imports orjson; its errors leave it as ``TypeError``
and ``ValueError``, which the standard library raises too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import orjson

__all__ = ["dumps", "dumps_sorted", "loads"]

# Dates, times and dataclasses are not JSON data for the reference encoder: they go to
# ``default`` (which raises, or converts them as the caller wants).
_OPTIONS: Final = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_SORTED: Final = _OPTIONS | orjson.OPT_SORT_KEYS
_DATES: Final = orjson.OPT_PASSTHROUGH_DATACLASS


def _refuse(value: object) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON data")


def dumps_sorted(value: Any) -> bytes:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
    as UTF-8.

    Raises:
        TypeError: orjson cannot write ``value`` as the reference would (see above).
    """
    return orjson.dumps(value, default=_refuse, option=_SORTED)


def dumps(value: Any, default: Callable[[Any], Any] = _refuse, *, dates: bool = False) -> bytes:
    """The same, keys in their order; ``default`` converts what is not JSON data.

    With ``dates``, a ``date`` is written as its ISO text (as ``date.isoformat()``);
    the caller converts datetimes itself (orjson writes an offset with seconds
    differently).

    Raises:
        TypeError: orjson cannot write ``value`` as the reference would.
    """
    return orjson.dumps(value, default=default, option=_DATES if dates else _OPTIONS)


def loads(text: str | bytes) -> Any:
    """The JSON value ``text`` holds.

    Raises:
        ValueError: not JSON.
    """
    return orjson.loads(text)
