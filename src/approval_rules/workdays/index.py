"""The ordinal index that makes working-day arithmetic O(1) whatever the distance."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from itertools import accumulate, compress

from .days import Entry

__all__ = ["MAX_ORDINAL", "MIN_ORDINAL", "Index", "build_index"]

#: 0001-01-01 is a Monday, ordinal 1.
_MONDAY_ORDINAL = 1
MIN_ORDINAL = date.min.toordinal()
MAX_ORDINAL = date.max.toordinal()
_WEEK = b"\x01\x01\x01\x01\x01\x00\x00"


def _weekday_rank(ordinal: int) -> int:
    """Number of Mondays to Fridays in ``[0001-01-01, ordinal)``."""
    weeks, rest = divmod(ordinal - _MONDAY_ORDINAL, 7)
    return 5 * weeks + min(rest, 5)


def _weekday_select(rank: int) -> int:
    """Ordinal of the Monday-to-Friday day whose :func:`_weekday_rank` is ``rank``."""
    weeks, rest = divmod(rank, 5)
    return _MONDAY_ORDINAL + 7 * weeks + rest


class Index:
    """Prefix counts of working days over a table of whole years.

    ``rank(x)`` is the number of working days in ``[lo, x)`` (negative before ``lo``);
    outside the table the weekend rule applies, in closed form.  ``select(k)`` is the
    working day whose rank is ``k``.  Both are O(1).

    ``[clo, chi)`` (offsets from ``lo``) is the longest run of covered years and
    ``[kmin, kmax)`` the ranks of its working days: an answer inside it needs no
    coverage check, and ``dates[k - kmin]`` is the working day of rank ``k`` ready made.
    """

    __slots__ = (
        "chi",
        "clo",
        "cum",
        "dates",
        "f_hi",
        "f_lo",
        "hi1",
        "kmax",
        "kmin",
        "lo",
        "ords",
        "total",
    )

    def __init__(self, lo: int, hi1: int, working: bytearray, covered: tuple[int, int]) -> None:
        self.lo = lo
        self.hi1 = hi1
        self.cum: list[int] = [0, *accumulate(working)]
        self.ords: list[int] = list(compress(range(lo, hi1), working))
        self.total = len(self.ords)
        self.f_lo = _weekday_rank(lo)
        self.f_hi = _weekday_rank(hi1)
        self.clo, self.chi = covered
        self.kmin, self.kmax = self.cum[self.clo], self.cum[self.chi]
        self.dates: list[date] = list(map(date.fromordinal, self.ords[self.kmin : self.kmax]))

    def rank(self, x: int) -> int:
        if x < self.lo:
            return _weekday_rank(x) - self.f_lo
        if x <= self.hi1:
            return self.cum[x - self.lo]
        return self.total + _weekday_rank(x) - self.f_hi

    def select(self, k: int) -> int:
        if k < 0:
            return _weekday_select(self.f_lo + k)
        if k < self.total:
            return self.ords[k]
        return _weekday_select(self.f_hi + k - self.total)


def _longest_run(years: Collection[int], lo: int) -> tuple[int, int]:
    """The longest run of consecutive ``years`` as ordinal offsets ``[start, end)`` from lo."""
    best = (0, 0)
    for year in sorted(years):
        if year - 1 in years:
            continue
        end = year
        while end + 1 in years:
            end += 1
        run = (date(year, 1, 1).toordinal() - lo, date(end, 12, 31).toordinal() + 1 - lo)
        if run[1] - run[0] > best[1] - best[0]:
            best = run
    return best


def build_index(entries: Mapping[date, Entry], years: Collection[int]) -> Index:
    """The index of a calendar: weekends, changed by ``entries``, over whole years.

    The table spans every year that is covered or has an entry; outside it the
    weekend rule holds.
    """
    table_years = set(years) | {d.year for d in entries}
    if table_years:
        lo = date(min(table_years), 1, 1).toordinal()
        hi1 = date(max(table_years), 12, 31).toordinal() + 1
    else:
        lo = hi1 = date(2000, 1, 1).toordinal()
    size = hi1 - lo
    shift = (lo - _MONDAY_ORDINAL) % 7
    working = bytearray((_WEEK * (size // 7 + 2))[shift : shift + size])
    for d, entry in entries.items():
        working[d.toordinal() - lo] = entry.working
    return Index(lo, hi1, working, _longest_run(frozenset(years), lo))
