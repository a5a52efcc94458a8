"""The provisional calendar: the law's layers assembled into day entries, per estimate.

For every year of the statutory table (2025–2100) this gives the entries a calendar
uses for a year without official data:

===================  ==========================  =============================  ==========
layer                best                        earliest                       latest
===================  ==========================  =============================  ==========
statutory, 补假       off                         off                            off
projected (``P``)    worked (named, informative) worked                         **off**
candidate (``C``)    off (weekend, informative)  **worked** (make-up workday)   off
===================  ==========================  =============================  ==========

So every estimate names the same dates and differs only in which of them are worked:
``earliest`` ⊇ ``best`` ⊇ ``latest`` as sets of working days, hence
``earliest ≤ best ≤ latest`` for any period rule.  Official data (and an overlay that
declares the year) always replaces these entries: :class:`WorkCalendar` drops every
entry of a year it has data for.

Why ``best`` is the certain layer alone, measured on the official 2025 and 2026
calendars, is in ``docs/calendar.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from types import MappingProxyType

from .days import PROVISIONAL, DayKind, Entry, Estimate, Layer
from .projection import blocks, makeup_candidates, projected_days_off
from .statutory import certain_days, festivals, table_years

__all__ = ["CONSTRUCTION", "construction", "layers"]

#: Identifies the construction rules; part of a provisional calendar's fingerprint.
CONSTRUCTION = "cn-law-2025/1"


@cache
def layers() -> Mapping[date, tuple[Layer, str]]:
    """Every dated day of every layer over the table's years, with its holiday name."""
    years = table_years()
    certain: dict[date, tuple[Layer, str]] = {}
    for year in years:
        certain.update(certain_days(festivals(year)))
    found = [block for year in years for block in blocks(festivals(year))]
    projected = projected_days_off(found, certain)
    candidates = makeup_candidates(found, projected, certain)
    result: dict[date, tuple[Layer, str]] = {}
    for d, name in candidates.items():
        result[d] = (Layer.CANDIDATE, name)
    for d, name in projected.items():
        result[d] = (Layer.PROJECTED, name)
    result.update(certain)
    return MappingProxyType(dict(sorted(result.items())))


_WORKED = {
    Estimate.BEST: frozenset({Layer.PROJECTED}),
    Estimate.EARLIEST: frozenset({Layer.PROJECTED, Layer.CANDIDATE}),
    Estimate.LATEST: frozenset(),
}


def _kind(layer: Layer, working: bool) -> DayKind:
    if layer is Layer.CANDIDATE:
        return DayKind.MAKEUP_WORKDAY if working else DayKind.WEEKEND
    if layer is Layer.PROJECTED and working:
        return DayKind.WORKDAY
    return DayKind.HOLIDAY


@cache
def construction(estimate: Estimate) -> Mapping[date, Entry]:
    """The entries of one estimate over the table's years (see the module docstring)."""
    worked = _WORKED[estimate]
    entries: dict[date, Entry] = {}
    for d, (layer, name) in layers().items():
        working = layer in worked
        entries[d] = Entry(working, _kind(layer, working), name, PROVISIONAL, layer)
    return MappingProxyType(entries)
