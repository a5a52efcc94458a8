"""The official national calendar: the State Council's notices, via ``chinesecalendar``.

This is the one module importing the data package.  When a newer ``chinesecalendar``
with next year's notice is installed, that year becomes official here and every
calendar built from it changes its fingerprint (``docs/calendar.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from types import MappingProxyType

from .days import OFFICIAL, DayKind, Entry

__all__ = ["ERRATA", "official_data"]

#: Corrections to the data package, each with the notice that proves it.
ERRATA: Mapping[date, Entry] = MappingProxyType(
    {
        # 国办发明电〔2005〕35号 (2006 holidays): "12月31日（星期六）上班".  chinesecalendar
        # 1.11 treats the day as an ordinary Saturday; the `holidays` package has it right.
        date(2005, 12, 31): Entry(True, DayKind.MAKEUP_WORKDAY, "元旦", OFFICIAL),
    }
)


@cache
def official_data() -> tuple[Mapping[date, Entry], frozenset[int]]:
    """Every official holiday and make-up workday, and the years they cover."""
    import chinese_calendar

    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    entries: dict[date, Entry] = {}
    for d, label in chinese_calendar.holidays.items():
        entries[d] = Entry(False, DayKind.HOLIDAY, names.get(label, label), OFFICIAL)
    for d, label in chinese_calendar.workdays.items():
        entries[d] = Entry(True, DayKind.MAKEUP_WORKDAY, names.get(label, label), OFFICIAL)
    entries.update(ERRATA)
    years = {d.year for d in chinese_calendar.holidays}
    return MappingProxyType(entries), frozenset(range(min(years), max(years) + 1))
