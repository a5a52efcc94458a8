"""The law's days off for a year without a State Council notice: the certain layer.

全国年节及纪念日放假办法 as revised by the State Council on 2024-11-10 (in force
2025-01-01):

* **Art. 2** — 13 days off for all citizens: 元旦 1 day (1 Jan); 春节 4 days (农历除夕 to
  正月初三); 清明 1 day (the day of the 清明 solar term); 劳动节 2 days (1–2 May); 端午 1
  day (lunar 5/5); 中秋 1 day (lunar 8/15); 国庆 3 days (1–3 Oct).  These dates are read
  from ``statutory_days.txt``, a table generated once from a lunar-calendar package
  (:mod:`approval_rules.workdays.generate`), so the runtime needs no lunar dependency.
* **Art. 6** — a day off for all citizens that falls on a Saturday or Sunday is made up
  (补假) on a working day.  The law does not say which day; every notice since the
  revision put it on the next weekdays after the holiday, in the same block (2025 端午
  Sat → Mon 2 Jun; 2026 清明 Sun → Mon 6 Apr; 2026 劳动节 Sat 2 May → Mon 4 May; 2026
  国庆 Sat 3 Oct → Mon 5 Oct), and :func:`certain_days` does the same.

Both layers are certain in the sense that the law fixes them; the State Council's
notice adds swaps on top (:mod:`approval_rules.workdays.projection`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

from .days import Layer

__all__ = [
    "TABLE_FILE",
    "Festival",
    "certain_days",
    "festivals",
    "format_line",
    "parse_table",
    "statutory_table",
    "table_years",
]

#: The generated table of Art. 2 days, shipped as package data.
TABLE_FILE = "statutory_days.txt"

_ONE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Festival:
    """One holiday of Art. 2 in one year: its name and its days off, in date order."""

    name: str
    days: tuple[date, ...]


def format_line(year: int, items: Iterable[Festival]) -> str:
    """One table line: ``2027 元旦=01-01 春节=02-05,02-06,02-07,02-08 …``."""
    parts = [str(year)]
    for festival in items:
        if any(d.year != year for d in festival.days):
            raise ValueError(f"{festival.name} {year} has a day outside {year}")
        days = ",".join(d.strftime("%m-%d") for d in festival.days)
        parts.append(f"{festival.name}={days}")
    return " ".join(parts)


def parse_table(text: str) -> dict[int, tuple[Festival, ...]]:
    """Read the table's text (``#`` lines are comments).

    Raises:
        ValueError: a line that is not ``YEAR NAME=MM-DD[,MM-DD…] …``, or a year twice.
    """
    table: dict[int, tuple[Festival, ...]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, *fields = line.split()
        try:
            year = int(head)
            items = []
            for field in fields:
                name, _, days = field.partition("=")
                parsed = tuple(date(year, int(md[:2]), int(md[3:])) for md in days.split(",") if md)
                if not name or not parsed:
                    raise ValueError(field)
                items.append(Festival(name, parsed))
        except ValueError as err:
            raise ValueError(f"{TABLE_FILE}:{number}: cannot read {line!r} ({err})") from None
        if year in table:
            raise ValueError(f"{TABLE_FILE}:{number}: year {year} listed twice")
        table[year] = tuple(items)
    return table


@cache
def statutory_table() -> Mapping[int, tuple[Festival, ...]]:
    """The shipped table: year -> the Art. 2 festivals of that year, in the law's order."""
    text = resources.files(__package__).joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return parse_table(text)


def table_years() -> range:
    """The years the table covers (2025–2100)."""
    years = sorted(statutory_table())
    return range(years[0], years[-1] + 1)


def festivals(year: int) -> tuple[Festival, ...]:
    """The Art. 2 festivals of ``year``; empty outside :func:`table_years`."""
    return statutory_table().get(year, ())


def certain_days(items: Iterable[Festival]) -> dict[date, tuple[Layer, str]]:
    """The certain layer of one year: every Art. 2 day and every Art. 6 补假, with its name.

    A festival with k of its days on a Saturday or Sunday gets k 补假 days: the first
    k weekdays after its last day that are not already off.  Art. 6 speaks of each
    holiday, so when two share a weekend day (中秋 on Sun 2039-10-02, a 国庆 day) each is
    made up; two sharing a weekday (中秋 on Tue 2028-10-03) are one day off, and the
    swap principles' 8-day 国庆 block (:mod:`~approval_rules.workdays.projection`)
    is where the State Council has given the day back.
    """
    items = tuple(items)
    layer: dict[date, tuple[Layer, str]] = {}
    for festival in items:
        for d in festival.days:
            layer.setdefault(d, (Layer.STATUTORY, festival.name))
    for festival in items:
        weekend = [d for d in festival.days if d.weekday() >= 5]
        day = festival.days[-1]
        for _ in weekend:
            day += _ONE
            while day.weekday() >= 5 or day in layer:
                day += _ONE
            layer[day] = (Layer.IN_LIEU, festival.name)
    return layer
