"""``WorkCalendar``: working-day arithmetic over official data, overlays and the law.

Counting rule (民法典 Art. 201, 行政许可法 Art. 82), used by every method here:

* the start day is **never** counted: ``add_workdays(d, n)`` for n ≥ 1 is the n-th
  working day strictly after ``d``, whatever ``d`` is (weekday, weekend, holiday or
  make-up workday);
* ``add_workdays(d, 0)`` is ``d`` itself if it is a working day, else the next one;
* a negative n counts back: ``add_workdays(d, -1)`` is the working day before ``d``;
* ``workdays_between(a, b)`` counts the working days in ``(a, b]``, so
  ``workdays_between(a, add_workdays(a, n)) == n`` for every ``a`` and n ≥ 1.

Worked example on the official 2025 calendar (国庆+中秋 2025-10-01..08 off, Sun 09-28
and Sat 10-11 worked)::

    >>> cal = WorkCalendar.china()
    >>> cal.add_workdays(date(2025, 9, 26), 5)     # Fri; 9/28 (Sun) counts, 10/1-10/8 do not
    datetime.date(2025, 10, 10)
    >>> cal.add_workdays(date(2025, 10, 4), 1)     # start inside the holiday: next working day
    datetime.date(2025, 10, 9)
    >>> cal.add_workdays(date(2025, 10, 4), 0)
    datetime.date(2025, 10, 9)

On the provisional calendar, 2027 (no notice yet) follows the law: 元旦 is off, so 20
working days from Fri 2026-12-04 end on Mon 2027-01-04, flagged provisional::

    >>> cal = WorkCalendar.china(provisional=True)
    >>> cal.add_workdays(date(2026, 12, 4), 20)
    datetime.date(2027, 1, 4)
    >>> cal.is_provisional(date(2026, 12, 4), date(2027, 1, 4))
    True

Queries are answered from an ordinal index built lazily once per calendar:
``add_workdays`` and ``workdays_between`` cost O(1) whatever ``n`` is.
"""

from __future__ import annotations

import hashlib
import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any, NamedTuple

from ..errors import CalendarError, CalendarNotPublished
from .days import (
    OFFICIAL,
    DayInfo,
    DayKind,
    Entry,
    Estimate,
    Layer,
    YearReport,
    check_date,
    check_int,
)
from .index import MAX_ORDINAL, MIN_ORDINAL, Index, build_index
from .official import official_data
from .overlays import CalendarOverlay, load_overlay
from .provisional import CONSTRUCTION, construction

__all__ = ["WorkCalendar"]


class _Base(NamedTuple):
    """The data a calendar starts from: official (or explicit) days and their years."""

    entries: Mapping[date, Entry]
    years: frozenset[int]


class WorkCalendar:
    """An immutable working-day calendar.

    Create one with :meth:`china` (official national data) or :meth:`from_days`
    (explicit days, for tests and host applications); derive local calendars with
    :meth:`with_overlay`.  Counting rule (民法典 Art. 201: the start day is not counted)::

        add_workdays(d, n)   n ≥ 1: the n-th working day strictly after d, whatever d is
                             n = 0: d if it is a working day, else the next working day
                             n < 0: the |n|-th working day strictly before d
        workdays_between(a, b)   working days in (a, b]; negative when b < a

    Example (official 2026 calendar; 春节 2/15–2/23 off, Sat 2/14 and Sat 2/28 worked)::

        >>> cal = WorkCalendar.china()
        >>> cal.add_workdays(date(2026, 2, 13), 1)   # Fri -> the make-up Saturday
        datetime.date(2026, 2, 14)
        >>> cal.add_workdays(date(2026, 2, 13), 7)
        datetime.date(2026, 3, 2)
        >>> cal.workdays_between(date(2026, 2, 13), date(2026, 3, 2))
        7

    Coverage: a **strict** calendar (the default) raises
    :class:`~approval_rules.errors.CalendarNotPublished` for any answer that depends on
    a year without official data.  A **provisional** calendar answers for such years
    from the law (statutory days and 补假, 2025–2100; weekends only outside those
    years); :meth:`is_provisional` tells which answers are guesses, and
    :class:`DayInfo` carries a ``provisional`` flag.  Its :attr:`earliest` and
    :attr:`latest` variants give the bounds the State Council's notice can still move
    an answer to; ``docs/calendar.md`` explains the construction.

    Calendars compare equal when they give the same answers (same :attr:`fingerprint`).
    """

    __slots__ = (
        "_base",
        "_entries",
        "_estimate",
        "_fingerprint",
        "_index",
        "_keys",
        "_name",
        "_overlays",
        "_provisional",
        "_variants",
        "_years",
    )

    _base: _Base
    _entries: Mapping[date, Entry]
    _keys: tuple[date, ...]
    _years: frozenset[int]
    _provisional: bool
    _estimate: Estimate | None
    _name: str
    _overlays: tuple[CalendarOverlay, ...]
    _index: Index | None
    _fingerprint: str | None
    _variants: dict[Estimate, WorkCalendar]

    def __init__(
        self,
        *,
        entries: Mapping[date, tuple[bool, DayKind, str, str]],
        years: Iterable[int],
        provisional: bool = False,
        name: str = "custom",
        overlays: Sequence[CalendarOverlay] = (),
    ) -> None:
        """Low-level constructor; prefer :meth:`china` and :meth:`from_days`.

        ``entries`` maps dates to ``(is_workday, kind, name, source)`` for the
        ``years`` they cover; ``overlays`` are applied on top, in order.
        """
        table = {check_date(d, "entry date"): Entry(*e) for d, e in entries.items()}
        base = _Base(MappingProxyType(table), frozenset(check_int(y, "year") for y in years))
        self._setup(base, tuple(overlays), bool(provisional), None, str(name))

    def _setup(
        self,
        base: _Base,
        overlays: tuple[CalendarOverlay, ...],
        provisional: bool,
        estimate: Estimate | None,
        name: str,
    ) -> None:
        years = base.years.union(*(o.years for o in overlays))
        entries: dict[date, Entry] = {}
        if provisional:
            made = construction(estimate or Estimate.BEST)
            entries.update((d, e) for d, e in made.items() if d.year not in years)
        entries.update(base.entries)
        for overlay in overlays:
            for day, working, kind in overlay.entries():
                entries[day.date] = Entry(working, kind, day.name, overlay.name)
        set_ = object.__setattr__
        set_(self, "_base", base)
        set_(self, "_entries", MappingProxyType(dict(sorted(entries.items()))))
        set_(self, "_keys", tuple(self._entries))
        set_(self, "_years", years)
        set_(self, "_provisional", provisional)
        set_(self, "_estimate", estimate)
        set_(self, "_name", name)
        set_(self, "_overlays", overlays)
        set_(self, "_index", None)
        set_(self, "_fingerprint", None)
        set_(self, "_variants", {})

    @classmethod
    def _make(
        cls,
        base: _Base,
        overlays: tuple[CalendarOverlay, ...],
        provisional: bool,
        estimate: Estimate | None,
        name: str,
    ) -> WorkCalendar:
        """Build from already-checked data (no per-entry validation)."""
        calendar = cls.__new__(cls)
        calendar._setup(base, overlays, provisional, estimate, name)
        return calendar

    # -- construction ---------------------------------------------------------------

    @classmethod
    def china(
        cls,
        *,
        provisional: bool = False,
        overlays: Iterable[CalendarOverlay | os.PathLike[str]] = (),
    ) -> WorkCalendar:
        """The official national calendar (State Council notices, via ``chinesecalendar``).

        Covers 2004–2026 with chinesecalendar 1.11.  One erratum is applied:
        Sat 2005-12-31 was a make-up workday (国办发明电〔2005〕35号: "12月31日（星期六）上班"),
        which the package misses.

        Args:
            provisional: answer for years without official data from the holiday law
                (results flagged provisional, with :attr:`earliest` and :attr:`latest`
                bounds) instead of raising
                :class:`~approval_rules.errors.CalendarNotPublished`.
            overlays: overlays (or paths of overlay files) applied in order; a later
                overlay wins over an earlier one for the same date.
        """
        calendar = _china(bool(provisional))
        for overlay in overlays:
            if not isinstance(overlay, CalendarOverlay):
                overlay = load_overlay(overlay)
            calendar = calendar.with_overlay(overlay)
        return calendar

    @classmethod
    def from_days(
        cls,
        *,
        years: Iterable[int],
        holidays: Mapping[date, str] | Iterable[date] = (),
        makeup_workdays: Mapping[date, str] | Iterable[date] = (),
        provisional: bool = False,
        name: str = "custom",
    ) -> WorkCalendar:
        """A calendar from explicit days: weekends plus ``holidays`` minus ``makeup_workdays``.

        ``years`` are the years the data is complete for (the calendar's coverage).
        Holidays and make-up workdays may be given as sets of dates or as mappings of
        dates to names.  With ``provisional=True`` other years follow the law's
        construction, as for :meth:`china`.

        Raises:
            TypeError: a date is not a ``datetime.date`` (or is a datetime).
            ValueError: a day is both a holiday and a make-up workday, or lies outside
                ``years``.
        """
        year_set = frozenset(check_int(y, "year") for y in years)
        entries: dict[date, tuple[bool, DayKind, str, str]] = {}
        for working, kind, days, default in (
            (False, DayKind.HOLIDAY, holidays, "holiday"),
            (True, DayKind.MAKEUP_WORKDAY, makeup_workdays, "make-up workday"),
        ):
            named = days if isinstance(days, Mapping) else dict.fromkeys(days, default)
            for d, label in named.items():
                check_date(d, "holiday" if not working else "make-up workday")
                if d.year not in year_set:
                    raise ValueError(f"{d} lies outside the calendar's years")
                if d in entries:
                    raise ValueError(f"{d} is both a holiday and a make-up workday")
                entries[d] = (working, kind, str(label), OFFICIAL)
        return cls(entries=entries, years=year_set, provisional=provisional, name=name)

    def with_overlay(self, overlay: CalendarOverlay) -> WorkCalendar:
        """A new calendar with ``overlay``'s days applied on top of this one's.

        The overlay's days replace whatever this calendar said about those dates.  Its
        ``years`` become official: the provisional construction no longer applies to
        them (weekends plus the overlay's days, plus any official data already known).
        A variant (:attr:`earliest`, :attr:`latest`) stays the same variant.
        """
        if not isinstance(overlay, CalendarOverlay):
            raise TypeError(f"overlay must be a CalendarOverlay (got {type(overlay).__name__})")
        return WorkCalendar._make(
            self._base,
            (*self._overlays, overlay),
            self._provisional,
            self._estimate,
            f"{self._name}+{overlay.name}",
        )

    # -- estimates ------------------------------------------------------------------

    def variant(self, estimate: Estimate) -> WorkCalendar:
        """The calendar pinned to one estimate (:attr:`best`, :attr:`earliest` or
        :attr:`latest`); ``self`` for a strict calendar or a variant."""
        estimate = Estimate(estimate)
        if not self._provisional or self._estimate is not None:
            return self
        found = self._variants.get(estimate)
        if found is None:
            found = WorkCalendar._make(self._base, self._overlays, True, estimate, self._name)
            self._variants[estimate] = found
        return found

    @property
    def estimate(self) -> Estimate | None:
        """Which estimate a variant is pinned to; ``None`` for a calendar as created."""
        return self._estimate

    @property
    def best(self) -> WorkCalendar:
        """This calendar's answers, pinned (see :attr:`earliest`); ``self`` when strict."""
        return self.variant(Estimate.BEST)

    @property
    def earliest(self) -> WorkCalendar:
        """The calendar giving the earliest date the State Council's notice could produce.

        For years without official data it counts, besides the law's working days,
        every candidate make-up weekend day (near a holiday block that probably gains
        extra days off) as worked.  It equals this calendar for official years, and is
        ``self`` for a strict calendar.  A variant is *pinned*: its own
        :attr:`best`, :attr:`earliest` and :attr:`latest` are itself, so a function
        that picks an estimate (``timelimits.decision_due``) answers on it as given.
        """
        return self.variant(Estimate.EARLIEST)

    @property
    def latest(self) -> WorkCalendar:
        """The calendar giving the latest date the notice could produce (see :attr:`earliest`).

        For years without official data it counts the weekdays the swap principles
        will probably give off as days off, and no weekend day as worked.
        """
        return self.variant(Estimate.LATEST)

    # -- immutability -------------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"WorkCalendar is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"WorkCalendar is immutable (cannot delete {name!r})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (
                dict(self._base.entries),
                tuple(sorted(self._base.years)),
                self._provisional,
                self._name,
                self._overlays,
                self._estimate,
            ),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return self.fingerprint == other.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        span = f"{self.first_year}-{self.last_year}" if self._years else "no years"
        flag = ", provisional" if self._provisional else ""
        if self._estimate is not None:
            flag += f" ({self._estimate.value})"
        return f"<WorkCalendar {self._name!r} {span}{flag} {self.fingerprint}>"

    # -- properties -------------------------------------------------------------------

    @property
    def name(self) -> str:
        """``"cn"`` for the national calendar, ``"cn+<overlay>"`` once overlays apply."""
        return self._name

    @property
    def provisional(self) -> bool:
        """Whether years without official data are answered from the law (not refused)."""
        return self._provisional

    @property
    def overlays(self) -> tuple[CalendarOverlay, ...]:
        """The overlays applied, in order."""
        return self._overlays

    @property
    def years(self) -> frozenset[int]:
        """The years with official (or overlay-declared) data."""
        return self._years

    @property
    def first_year(self) -> int:
        """The first year with official data."""
        if not self._years:
            raise CalendarError(f"calendar {self._name!r} has no year with official data")
        return min(self._years)

    @property
    def last_year(self) -> int:
        """The last year with official data."""
        if not self._years:
            raise CalendarError(f"calendar {self._name!r} has no year with official data")
        return max(self._years)

    @property
    def fingerprint(self) -> str:
        """A stable hash of what the calendar answers (``sha256:`` + 16 hex digits).

        It covers the official years, the provisional flag (with the construction's
        version and, for a variant, its estimate) and every date whose working status
        differs from the weekend rule; names do not change it.  It changes when the
        official data for a year arrives (a newer data package, or an overlay
        declaring the year).  Record it next to a computed deadline to know which
        calendar version produced it.
        """
        if self._fingerprint is None:
            lines = [
                "workcalendar/1",
                "years " + " ".join(str(y) for y in sorted(self._years)),
                f"provisional {int(self._provisional)}",
            ]
            if self._provisional:
                lines.append(f"construction {CONSTRUCTION}")
            if self._estimate is not None:
                lines.append(f"estimate {self._estimate.value}")
            for d, entry in self._entries.items():
                if entry.working != (d.weekday() < 5):
                    lines.append(f"{d.isoformat()} {int(entry.working)}")
            digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
            object.__setattr__(self, "_fingerprint", f"sha256:{digest[:16]}")
        assert self._fingerprint is not None
        return self._fingerprint

    # -- coverage ---------------------------------------------------------------------

    def covers(self, d: date) -> bool:
        """Whether ``d`` lies in a year with official (or overlay-declared) data."""
        return check_date(d).year in self._years

    def is_provisional(self, d: date, end: date | None = None) -> bool:
        """Whether an answer about ``d`` (or about any day from ``d`` to ``end``) is a guess.

        True only on a provisional calendar, for spans touching a year without
        official data.  A strict calendar never guesses (it raises instead), so this
        is always False there.
        """
        check_date(d)
        lo, hi = (d, d) if end is None else sorted((d, check_date(end, "end")))
        if not self._provisional:
            return False
        return self._first_uncovered(lo.year, hi.year) is not None

    def _first_uncovered(self, y0: int, y1: int) -> int | None:
        years = self._years
        for year in range(y0, y1 + 1):
            if year not in years:
                return year
        return None

    def _require(self, lo: int, hi: int) -> None:
        """Raise unless every year in the ordinal span [lo, hi] is covered (strict only)."""
        if self._provisional:
            return
        y0 = date.fromordinal(max(lo, MIN_ORDINAL)).year
        y1 = date.fromordinal(min(hi, MAX_ORDINAL)).year
        year = self._first_uncovered(y0, y1)
        if year is not None:
            raise self._uncovered(year)

    def _uncovered(self, year: int) -> CalendarNotPublished:
        if self._years:
            have = f"{self.first_year}–{self.last_year}"
            gaps = [y for y in range(self.first_year, self.last_year + 1) if y not in self._years]
            if gaps:
                have += " except " + ", ".join(str(y) for y in gaps)
        else:
            have = "no year"
        return CalendarNotPublished(
            year,
            f"no official working-day data for {year} (calendar {self._name!r} covers {have}); "
            f"add an overlay file declaring the year (kind: calendar_overlay, years: [{year}], "
            "with its days_off and workdays from the State Council notice), "
            "or use a provisional calendar (the holiday law's days off, results marked "
            "provisional)",
        )

    # -- single days ------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (make-up workdays are; holidays are not).

        Raises:
            CalendarNotPublished: ``d``'s year has no official data (strict calendar).
        """
        check_date(d)
        if d.year not in self._years and not self._provisional:
            raise self._uncovered(d.year)
        entry = self._entries.get(d)
        if entry is not None:
            return entry.working
        return d.weekday() < 5

    def describe(self, d: date) -> DayInfo:
        """What kind of day ``d`` is, and why: see :class:`DayInfo`."""
        working = self.is_workday(d)  # checks the type and the coverage
        provisional = d.year not in self._years
        entry = self._entries.get(d)
        if entry is not None:
            return DayInfo(
                d, working, entry.kind, entry.name, entry.source, provisional, entry.layer
            )
        kind = DayKind.WORKDAY if working else DayKind.WEEKEND
        return DayInfo(d, working, kind, None, None, provisional)

    # -- arithmetic -------------------------------------------------------------------

    def _build_index(self) -> Index:
        index = build_index(self._entries, self._years)
        object.__setattr__(self, "_index", index)
        return index

    def add_workdays(self, d: date, n: int) -> date:
        """The date ``n`` working days from ``d``; the start day is never counted.

        * n ≥ 1: the n-th working day strictly after ``d`` (whatever ``d`` is);
        * n = 0: ``d`` if it is a working day, else the next working day;
        * n < 0: the |n|-th working day strictly before ``d``.

        Example: Fri 2025-09-26 + 5 → 2025-10-10 (Sun 9/28 is a make-up workday,
        10/1–10/8 are off); Sat 2025-10-04 + 1 → Thu 2025-10-09.

        Raises:
            CalendarNotPublished: the answer depends on a year without official data
                (strict calendar).
        """
        if d.__class__ is not date:
            check_date(d)
        if n.__class__ is not int:
            check_int(n, "n")
        ix = self._index or self._build_index()
        o = d.toordinal()
        x = o - ix.lo
        # Fast path: start and answer inside the longest run of covered years.
        if ix.clo <= x < ix.chi:
            k = ix.cum[x + 1] + n - 1 if n > 0 else ix.cum[x] + n
            if ix.kmin <= k < ix.kmax:
                return ix.dates[k - ix.kmin]
        k = ix.rank(o + 1) + n - 1 if n > 0 else ix.rank(o) + n
        r = ix.select(k)
        if not MIN_ORDINAL <= r <= MAX_ORDINAL:
            raise CalendarError(f"{d} + {n} working days lies outside the dates Python supports")
        # Only the days the answer depends on must be official: (d, r] forward,
        # [r, d) backward, [d, r] for n = 0.
        if n > 0:
            self._require(o + 1, r)
        elif n < 0:
            self._require(r, o - 1)
        else:
            self._require(o, r)
        return date.fromordinal(r)

    def workdays_between(self, a: date, b: date) -> int:
        """Number of working days in ``(a, b]``; negative (−count of ``(b, a]``) when b < a.

        ``a`` itself is never counted, so ``workdays_between(a, add_workdays(a, n)) == n``
        for every ``a`` and n ≥ 1.  Example: 2026-02-13 (Fri) to 2026-03-02 is 7
        (2/14 and 2/24–2/27 and 3/2 count; 春节 2/15–2/23 does not).

        Raises:
            CalendarNotPublished: the span touches a year without official data
                (strict calendar).
        """
        check_date(a, "a")
        check_date(b, "b")
        ix = self._index or self._build_index()
        oa, ob = a.toordinal(), b.toordinal()
        if oa != ob:
            self._require(min(oa, ob) + 1, max(oa, ob))
        return ix.rank(ob + 1) - ix.rank(oa + 1)

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d`` (``add_workdays(d, 1)``).

        For "``d`` if it is a working day, else the next one" use ``add_workdays(d, 0)``.
        """
        return self.add_workdays(d, 1)

    def previous_workday(self, d: date) -> date:
        """The last working day strictly before ``d`` (``add_workdays(d, -1)``)."""
        return self.add_workdays(d, -1)

    # -- years ------------------------------------------------------------------------

    def named_days(self, first: date, last: date) -> tuple[DayInfo, ...]:
        """Every day in ``[first, last]`` the data names, in date order.

        Holidays, make-up workdays and overlay days (whether or not they change the
        weekend rule), and on a provisional calendar every day of the construction's
        layers (:class:`~approval_rules.workdays.Layer`), including the projected days
        off and the candidate make-up days an estimate does not count.
        """
        check_date(first, "first")
        check_date(last, "last")
        self._require(first.toordinal(), last.toordinal())
        keys = self._keys
        lo, hi = bisect_left(keys, first), bisect_right(keys, last)
        return tuple(self.describe(d) for d in keys[lo:hi])

    def _check_year(self, year: int) -> None:
        check_int(year, "year")
        if not 1 <= year <= 9999:
            raise ValueError(f"year must be between 1 and 9999 (got {year})")
        if year not in self._years and not self._provisional:
            raise self._uncovered(year)

    def non_working_days(self, year: int, *, include_weekends: bool = False) -> tuple[DayInfo, ...]:
        """The year's non-working days, in order.

        By default plain weekends are left out; holiday-run days falling on a weekend
        (e.g. Sun 2026-02-15, 春节) are included, as are overlay days off and closures.
        """
        self._check_year(year)
        start = date(year, 1, 1).toordinal()
        end = date(year, 12, 31).toordinal()
        days = (self.describe(date.fromordinal(o)) for o in range(start, end + 1))
        return tuple(
            info
            for info in days
            if not info.is_workday and (include_weekends or info.kind is not DayKind.WEEKEND)
        )

    def year_report(self, year: int) -> YearReport:
        """Counts, days off and make-up workdays of ``year`` (for ``approval-rules calendar``)."""
        self._check_year(year)
        first, last = date(year, 1, 1), date(year, 12, 31)
        named = self.named_days(first, last)
        ix = self._index or self._build_index()
        workdays = ix.rank(last.toordinal() + 1) - ix.rank(first.toordinal())
        return YearReport(
            year=year,
            workdays=workdays,
            non_working_days=(last - first).days + 1 - workdays,
            days_off=tuple(i for i in named if not i.is_workday and i.kind is not DayKind.WEEKEND),
            makeup_workdays=tuple(
                i for i in named if i.is_workday and i.kind is DayKind.MAKEUP_WORKDAY
            ),
            provisional=year not in self._years,
            fingerprint=self.fingerprint,
            projected=tuple(i for i in named if i.layer is Layer.PROJECTED),
            candidates=tuple(i for i in named if i.layer is Layer.CANDIDATE),
        )


def _rebuild(
    entries: Mapping[date, tuple[bool, DayKind, str, str]],
    years: tuple[int, ...],
    provisional: bool,
    name: str,
    overlays: tuple[CalendarOverlay, ...],
    estimate: Estimate | None,
) -> WorkCalendar:
    calendar = WorkCalendar(
        entries=entries, years=years, provisional=provisional, name=name, overlays=overlays
    )
    return calendar if estimate is None else calendar.variant(estimate)


@cache
def _china(provisional: bool) -> WorkCalendar:
    # Immutable and cached: every WorkCalendar.china() without overlays shares one
    # lazily built index (and, when provisional, its lazily built variants).
    entries, years = official_data()
    return WorkCalendar._make(_Base(entries, years), (), provisional, None, "cn")
