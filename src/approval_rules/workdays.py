"""Working-day calendar: official Chinese holidays, make-up workdays and local overlays.

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

The official data comes from the ``chinesecalendar`` package (this module is its only
importer).  Queries are answered from an ordinal index built lazily once per calendar:
``add_workdays`` and ``workdays_between`` cost O(1) whatever ``n`` is.

Coverage: a date in a year without official data raises :class:`CalendarError` —
unless the calendar was created with ``provisional=True``, in which case such years
count weekends only (plus any overlay days) and :meth:`WorkCalendar.is_provisional`
tells the caller that an answer depends on them.
"""

from __future__ import annotations

import difflib
import enum
import hashlib
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from itertools import accumulate, compress
from types import MappingProxyType
from typing import Any, NamedTuple

from ._yaml import YamlDocument, parse_yaml, read_yaml_file
from .errors import CalendarError, DefinitionError, Issue, Path, Severity

__all__ = [
    "CalendarOverlay",
    "DayInfo",
    "DayKind",
    "OverlayDay",
    "WorkCalendar",
    "YearReport",
    "check_date",
    "load_overlay",
    "parse_overlay",
]

#: Date of the first Monday representable (0001-01-01 is a Monday, ordinal 1).
_MONDAY_ORDINAL = 1
_MIN_ORDINAL = date.min.toordinal()
_MAX_ORDINAL = date.max.toordinal()


def check_date(value: object, name: str = "date") -> date:
    """Return ``value`` if it is a :class:`datetime.date` and not a ``datetime``.

    ``datetime`` is a subclass of ``date``; silently dropping its time would hide a
    bug in the caller, so it is refused.

    Raises:
        TypeError: ``value`` is not a date, or is a datetime.
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (got {type(value).__name__} {value!r})")
    return value


def _check_int(value: object, name: str) -> int:
    if type(value) is not int:
        raise TypeError(f"{name} must be an int (got {type(value).__name__} {value!r})")
    return value


class DayKind(enum.StrEnum):
    """Why a day is or is not a working day."""

    WORKDAY = "workday"
    """An ordinary Monday to Friday."""
    WEEKEND = "weekend"
    """An ordinary Saturday or Sunday."""
    HOLIDAY = "holiday"
    """An official day off: a statutory holiday or a day swapped into a holiday run."""
    MAKEUP_WORKDAY = "makeup_workday"
    """调休: a weekend day (or an overlay day) declared a working day."""
    DAY_OFF = "day_off"
    """A regional or office day off from an overlay (e.g. 壮族三月三)."""
    CLOSURE = "closure"
    """An emergency office closure from an overlay (e.g. a typhoon)."""


_KIND_WORDS = {
    DayKind.WORKDAY: "workday",
    DayKind.WEEKEND: "weekend",
    DayKind.HOLIDAY: "holiday",
    DayKind.MAKEUP_WORKDAY: "make-up workday",
    DayKind.DAY_OFF: "day off",
    DayKind.CLOSURE: "office closure",
}

#: ``DayInfo.source`` of days that come from the official national data.
OFFICIAL = "official"


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What a calendar says about one day.

    Attributes:
        date: the day.
        is_workday: whether it counts as a working day.
        kind: why (see :class:`DayKind`).
        name: the holiday, make-up or overlay entry name (``春节``, ``台风停止办公``).
        source: ``"official"`` for national data, the overlay's name for overlay days,
            ``None`` for ordinary weekdays and weekends.
        provisional: the year has no official data; the answer is the weekend rule.
    """

    date: date
    is_workday: bool
    kind: DayKind
    name: str | None = None
    source: str | None = None
    provisional: bool = False

    @property
    def reason(self) -> str:
        """Plain words: ``weekend``, ``holiday 春节``, ``make-up workday (春节)`` …"""
        word = _KIND_WORDS[self.kind]
        if self.kind is DayKind.MAKEUP_WORKDAY and self.name:
            text = f"{word} ({self.name})"
        elif self.name:
            text = f"{word} {self.name}"
        else:
            text = word
        if self.source and self.source != OFFICIAL:
            text += f" [overlay {self.source}]"
        if self.provisional:
            text += " [provisional]"
        return text


@dataclass(frozen=True, slots=True)
class YearReport:
    """A year's working days, days off and make-up workdays (``approval-rules calendar``).

    Attributes:
        days_off: every non-working day that is not a plain weekend (holidays, holiday
            runs falling on weekends, overlay days off and closures), in date order.
        makeup_workdays: weekend days (or overlay days) that are worked, in date order.
    """

    year: int
    workdays: int
    non_working_days: int
    days_off: tuple[DayInfo, ...]
    makeup_workdays: tuple[DayInfo, ...]
    provisional: bool
    fingerprint: str


# --------------------------------------------------------------------------- overlays


@dataclass(frozen=True, slots=True)
class OverlayDay:
    """One dated entry of an overlay."""

    date: date
    name: str

    def __post_init__(self) -> None:
        check_date(self.date, "OverlayDay.date")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("OverlayDay.name must be a non-empty string")


@dataclass(frozen=True, slots=True)
class CalendarOverlay:
    """Days a region or an office adds to or removes from a calendar.

    Attributes:
        name: what the overlay is (``广西壮族三月三``); shown as the source of its days.
        region: optional administrative-division code (six digits, e.g. ``"450000"``).
        years: years this overlay makes official: for them the calendar counts weekends
            plus the listed days, exactly like a year of national data (use it for a
            State Council notice that the data package does not have yet).
        days_off: extra days off (regional holidays).
        workdays: days that are worked (make-up workdays, a cancelled day off).
        closures: emergency office closures (days off).
        file: where the overlay was read from, when it was.
    """

    name: str
    region: str | None = None
    years: tuple[int, ...] = ()
    days_off: tuple[OverlayDay, ...] = ()
    workdays: tuple[OverlayDay, ...] = ()
    closures: tuple[OverlayDay, ...] = ()
    file: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("CalendarOverlay.name must be a non-empty string")
        for year in self.years:
            _check_int(year, "CalendarOverlay.years item")
        seen: dict[date, str] = {}
        for attr in ("days_off", "workdays", "closures"):
            for day in getattr(self, attr):
                if not isinstance(day, OverlayDay):
                    raise TypeError(f"CalendarOverlay.{attr} must hold OverlayDay items")
                if day.date in seen:
                    raise ValueError(
                        f"overlay {self.name!r} lists {day.date} twice "
                        f"({seen[day.date]} and {attr})"
                    )
                seen[day.date] = attr

    def entries(self) -> Iterable[tuple[OverlayDay, bool, DayKind]]:
        """Each listed day with whether it is worked and its kind."""
        for day in self.days_off:
            kind = DayKind.HOLIDAY if day.date.year in self.years else DayKind.DAY_OFF
            yield day, False, kind
        for day in self.closures:
            yield day, False, DayKind.CLOSURE
        for day in self.workdays:
            yield day, True, DayKind.MAKEUP_WORKDAY


_OVERLAY_KEYS = (
    "kind",
    "name",
    "region",
    "years",
    "source",
    "description",
    "days_off",
    "workdays",
    "closures",
)
_ENTRY_KEYS = ("date", "name", "note")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_REGION_RE = re.compile(r"^\d{6}$")


class _OverlayChecker:
    """Validates the plain data of one overlay document, collecting every issue."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.issues: list[Issue] = []

    def add(
        self,
        code: str,
        message: str,
        path: Path,
        *,
        at_key: bool = False,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        span = self.doc.key_span(path) if at_key else self.doc.span(path)
        self.issues.append(Issue(code, message, severity, span, path, hint))

    def unknown_keys(self, data: Mapping[Any, Any], allowed: Sequence[str], path: Path) -> None:
        for key in data:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
            self.add(
                "unknown-key",
                f"unknown key '{key}' in {_where(path)}",
                (*path, key),
                at_key=True,
                hint=hint,
            )

    def string(self, data: Mapping[Any, Any], key: str, path: Path) -> str | None:
        """The text at ``key`` (None when absent); an empty or non-text value is an issue."""
        if key not in data:
            return None
        value = data[key]
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add("empty-value", f"{_where((*path, key))} is empty", (*path, key))
            return None
        if not isinstance(value, str):
            self.add(
                "wrong-type",
                f"{_where((*path, key))} must be a text (got {_show(value)})",
                (*path, key),
            )
            return None
        return value.strip()

    def date_value(self, value: object, path: Path) -> date | None:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if not isinstance(value, str):
            self.add(
                "overlay-bad-date",
                f"{_where(path)} must be a date written YYYY-MM-DD (got {_show(value)})",
                path,
            )
            return None
        match = _DATE_RE.match(value.strip())
        if not match:
            self.add(
                "overlay-bad-date",
                f"{_where(path)}: '{value}' is not a date written YYYY-MM-DD",
                path,
                hint="write e.g. 2026-04-20",
            )
            return None
        year, month, day = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError as err:
            self.add(
                "overlay-bad-date",
                f"{_where(path)}: '{value}' is not a calendar date ({err})",
                path,
            )
            return None

    def day_list(
        self, data: Mapping[Any, Any], key: str, default_name: str
    ) -> list[tuple[OverlayDay, int]]:
        """The entries of one day list that parse, each with its index in the list."""
        path: Path = (key,)
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(
                "wrong-type",
                f"'{key}' must be a list of {{date, name}} entries (got {_show(value)})",
                path,
            )
            return []
        days: list[tuple[OverlayDay, int]] = []
        for i, item in enumerate(value):
            item_path: Path = (key, i)
            if isinstance(item, str):
                # Shorthand: a bare date, named after the overlay.
                when = self.date_value(item, item_path)
                if when is not None:
                    days.append((OverlayDay(when, default_name), i))
                continue
            if not isinstance(item, dict):
                self.add(
                    "wrong-type",
                    f"{_where(item_path)} must be a mapping with 'date' and 'name' "
                    f"(got {_show(item)})",
                    item_path,
                )
                continue
            self.unknown_keys(item, _ENTRY_KEYS, item_path)
            if "date" not in item:
                self.add("missing-key", f"{_where(item_path)} has no 'date'", item_path)
                continue
            when = self.date_value(item["date"], (*item_path, "date"))
            name = self.string(item, "name", item_path) or default_name
            self.string(item, "note", item_path)
            if when is not None:
                days.append((OverlayDay(when, name), i))
        return days

    def years(self, data: Mapping[Any, Any]) -> tuple[int, ...]:
        value = data.get("years")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.add(
                "wrong-type",
                f"'years' must be a list of years such as [2027] (got {_show(value)})",
                ("years",),
            )
            return ()
        years: list[int] = []
        for i, item in enumerate(value):
            if type(item) is not int:
                self.add(
                    "wrong-type",
                    f"years[{i}] must be a four-digit year (got {_show(item)})",
                    ("years", i),
                )
            elif not 1900 <= item <= 9999:
                self.add(
                    "out-of-range",
                    f"years[{i}] must be a year between 1900 and 9999 (got {item})",
                    ("years", i),
                )
            elif item in years:
                self.add("overlay-conflict", f"year {item} is listed twice", ("years", i))
            else:
                years.append(item)
        return tuple(years)

    def region(self, data: Mapping[Any, Any]) -> str | None:
        value = data.get("region")
        if value is None:
            return None
        text = str(value) if type(value) is int else value
        if not isinstance(text, str) or not _REGION_RE.match(text):
            self.add(
                "overlay-bad-region",
                f"'region' must be a six-digit administrative-division code (got {_show(value)})",
                ("region",),
                hint='e.g. region: "450000" for 广西壮族自治区',
            )
            return None
        return text

    def check(self) -> CalendarOverlay | None:
        data = self.doc.data
        if not isinstance(data, dict):
            hint = None
            if isinstance(data, str) and data.strip().endswith((".yaml", ".yml")):
                hint = "pass a pathlib.Path to read a file; a str is read as YAML text"
            self.add(
                "wrong-type",
                f"a calendar overlay must be a mapping of keys (got {_show(data)})",
                (),
                hint=hint,
            )
            return None
        self.unknown_keys(data, _OVERLAY_KEYS, ())
        for key in ("kind", "name"):
            if key not in data:
                self.add("missing-key", f"the overlay has no '{key}'", ())
        kind = data.get("kind")
        if "kind" in data and kind != "calendar_overlay":
            self.add(
                "bad-choice",
                f"'kind' of a calendar overlay must be 'calendar_overlay' (got {_show(kind)})",
                ("kind",),
                hint="write kind: calendar_overlay",
            )
        name = self.string(data, "name", ())
        self.string(data, "source", ())
        self.string(data, "description", ())
        region = self.region(data)
        years = self.years(data)
        label = name or "overlay"
        lists = {
            key: self.day_list(data, key, label) for key in ("days_off", "workdays", "closures")
        }
        self.conflicts(lists)
        listed = ("days_off", "workdays", "closures", "years")
        clean = not any(issue.is_error for issue in self.issues)
        if clean and name is not None and all(data.get(key) in (None, []) for key in listed):
            self.add(
                "overlay-empty",
                "the overlay lists no days and no years; it changes nothing",
                (),
                severity=Severity.WARNING,
            )
        if any(issue.is_error for issue in self.issues) or name is None:
            return None
        return CalendarOverlay(
            name=name,
            region=region,
            years=years,
            days_off=tuple(day for day, _ in lists["days_off"]),
            workdays=tuple(day for day, _ in lists["workdays"]),
            closures=tuple(day for day, _ in lists["closures"]),
            file=self.doc.file,
        )

    def conflicts(self, lists: Mapping[str, list[tuple[OverlayDay, int]]]) -> None:
        first: dict[date, str] = {}
        for key, days in lists.items():
            for day, index in days:
                if day.date not in first:
                    first[day.date] = key
                    continue
                other = first[day.date]
                if other == key:
                    message = f"{day.date} is listed twice in '{key}'"
                elif "workdays" in (other, key):
                    message = (
                        f"{day.date} is in both '{other}' and '{key}': "
                        "a day cannot be both worked and off"
                    )
                else:
                    message = f"{day.date} is in both '{other}' and '{key}'"
                self.add("overlay-conflict", message, (key, index), hint="keep it in one list only")


def _where(path: Path) -> str:
    if not path:
        return "the overlay"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"{value} (a number)"
    return repr(value)


def parse_overlay(
    source: str | bytes, file: str = "<overlay>"
) -> tuple[CalendarOverlay | None, list[Issue]]:
    """Parse overlay YAML text; return the overlay (``None`` on errors) and every issue.

    Warnings (e.g. ``overlay-empty``) come back with a usable overlay.
    """
    return _check_document(*parse_yaml(source, file))


def _check_document(
    doc: YamlDocument | None, issues: list[Issue]
) -> tuple[CalendarOverlay | None, list[Issue]]:
    if doc is None:
        return None, list(issues)
    checker = _OverlayChecker(doc)
    overlay = checker.check()
    all_issues = sorted([*issues, *checker.issues], key=Issue.sort_key)
    if any(issue.is_error for issue in all_issues):
        return None, all_issues
    return overlay, all_issues


def load_overlay(
    source: str | bytes | os.PathLike[str], *, file: str | None = None
) -> CalendarOverlay:
    """Load a calendar overlay from a file (a path-like object) or from YAML text (str/bytes).

    A ``str`` is always read as YAML text; pass a :class:`pathlib.Path` for a file.
    ``file`` is the name used in positions (default: the path, or ``<overlay>``).
    The format (all keys but ``kind`` and ``name`` optional; see ``docs/calendar.md``)::

        kind: calendar_overlay
        name: 广西壮族三月三
        region: "450000"        # administrative-division code
        years: [2027]           # years this overlay makes official
        days_off:  [{date: 2026-04-20, name: 壮族三月三}]
        workdays:  [{date: 2026-04-26, name: 调休上班}]
        closures:  [{date: 2026-09-15, name: 台风停止办公}]

    Raises:
        DefinitionError: every problem found, with positions (``overlay-bad-date``,
            ``unknown-key``, ``missing-key``, ``overlay-conflict``, ``wrong-type`` …).
    """
    if isinstance(source, os.PathLike):
        overlay, issues = _check_document(*read_yaml_file(source, file))
    else:
        overlay, issues = parse_overlay(source, file or "<overlay>")
    if overlay is None:
        raise DefinitionError(issues)
    return overlay


# --------------------------------------------------------------------------- calendar


class _Entry(NamedTuple):
    working: bool
    kind: DayKind
    name: str
    source: str


def _weekday_rank(ordinal: int) -> int:
    """Number of Mondays to Fridays in ``[0001-01-01, ordinal)``."""
    weeks, rest = divmod(ordinal - _MONDAY_ORDINAL, 7)
    return 5 * weeks + min(rest, 5)


def _weekday_select(rank: int) -> int:
    """Ordinal of the Monday-to-Friday day whose :func:`_weekday_rank` is ``rank``."""
    weeks, rest = divmod(rank, 5)
    return _MONDAY_ORDINAL + 7 * weeks + rest


class _Index:
    """Prefix counts of working days over a table of whole years.

    ``rank(x)`` is the number of working days in ``[lo, x)`` (negative before ``lo``);
    outside the table the weekend rule applies, in closed form.  ``select(k)`` is the
    working day whose rank is ``k``.  Both are O(1).
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
        self.dates: list[date] = list(map(date.fromordinal, self.ords))
        self.total = len(self.ords)
        self.f_lo = _weekday_rank(lo)
        self.f_hi = _weekday_rank(hi1)
        # The longest run of covered years, as offsets [clo, chi) from lo, and the ranks
        # of its working days [kmin, kmax): answers inside it need no coverage check.
        self.clo, self.chi = covered
        self.kmin, self.kmax = self.cum[self.clo], self.cum[self.chi]

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

    Coverage: a strict calendar (the default) raises :class:`CalendarError` for any
    answer that depends on a year without official data.  A provisional calendar
    answers with the weekend rule for such years; :meth:`is_provisional` tells which
    answers are guesses, and :class:`DayInfo` carries a ``provisional`` flag.

    Calendars compare equal when they give the same answers (same :attr:`fingerprint`).
    """

    __slots__ = (
        "_entries",
        "_fingerprint",
        "_index",
        "_keys",
        "_name",
        "_overlays",
        "_provisional",
        "_years",
    )

    _entries: Mapping[date, _Entry]
    _keys: tuple[date, ...]
    _years: frozenset[int]
    _provisional: bool
    _name: str
    _overlays: tuple[CalendarOverlay, ...]
    _index: _Index | None
    _fingerprint: str | None

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

        ``entries`` maps dates to ``(is_workday, kind, name, source)``.
        """
        table = {check_date(d, "entry date"): _Entry(*e) for d, e in entries.items()}
        self._setup(
            table,
            frozenset(_check_int(y, "year") for y in years),
            bool(provisional),
            str(name),
            tuple(overlays),
        )

    def _setup(
        self,
        entries: dict[date, _Entry],
        years: frozenset[int],
        provisional: bool,
        name: str,
        overlays: tuple[CalendarOverlay, ...],
    ) -> None:
        set_ = object.__setattr__
        set_(self, "_entries", MappingProxyType(dict(sorted(entries.items()))))
        set_(self, "_keys", tuple(self._entries))
        set_(self, "_years", years)
        set_(self, "_provisional", provisional)
        set_(self, "_name", name)
        set_(self, "_overlays", overlays)
        set_(self, "_index", None)
        set_(self, "_fingerprint", None)

    @classmethod
    def _trusted(
        cls,
        entries: dict[date, _Entry],
        years: frozenset[int],
        provisional: bool,
        name: str,
        overlays: tuple[CalendarOverlay, ...],
    ) -> WorkCalendar:
        """Build from already-checked data (no per-entry validation)."""
        calendar = cls.__new__(cls)
        calendar._setup(entries, years, provisional, name, overlays)
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
            provisional: answer for years without official data with the weekend rule
                (results flagged provisional) instead of raising :class:`CalendarError`.
            overlays: overlays (or paths of overlay files) applied in order; a later
                overlay wins over an earlier one for the same date.
        """
        calendar = _china(provisional)
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
        dates to names.

        Raises:
            TypeError: a date is not a ``datetime.date`` (or is a datetime).
            ValueError: a day is both a holiday and a make-up workday, or lies outside
                ``years``.
        """
        year_set = frozenset(_check_int(y, "year") for y in years)
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

        The overlay's days replace whatever this calendar said about those dates; its
        ``years`` become covered years (weekends plus the overlay's days, plus any
        official data already known for them).
        """
        if not isinstance(overlay, CalendarOverlay):
            raise TypeError(f"overlay must be a CalendarOverlay (got {type(overlay).__name__})")
        entries = dict(self._entries)
        for day, working, kind in overlay.entries():
            entries[day.date] = _Entry(working, kind, day.name, overlay.name)
        return WorkCalendar._trusted(
            entries,
            self._years | frozenset(overlay.years),
            self._provisional,
            f"{self._name}+{overlay.name}",
            (*self._overlays, overlay),
        )

    def _replace(self, *, provisional: bool) -> WorkCalendar:
        return WorkCalendar._trusted(
            dict(self._entries), self._years, provisional, self._name, self._overlays
        )

    # -- immutability -------------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"WorkCalendar is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"WorkCalendar is immutable (cannot delete {name!r})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (
                dict(self._entries),
                tuple(sorted(self._years)),
                self._provisional,
                self._name,
                self._overlays,
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
        return f"<WorkCalendar {self._name!r} {span}{flag} {self.fingerprint}>"

    # -- properties -------------------------------------------------------------------

    @property
    def name(self) -> str:
        """``"cn"`` for the national calendar, ``"cn+<overlay>"`` once overlays apply."""
        return self._name

    @property
    def provisional(self) -> bool:
        """Whether years without official data are answered with the weekend rule."""
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

        It covers the covered years, the provisional flag and every date whose
        working status differs from the weekend rule; names do not change it.  Record
        it next to a computed deadline to know which calendar version produced it.
        """
        if self._fingerprint is None:
            lines = [
                "workcalendar/1",
                "years " + " ".join(str(y) for y in sorted(self._years)),
                f"provisional {int(self._provisional)}",
            ]
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
        """Raise CalendarError unless every year in the ordinal span [lo, hi] is covered."""
        if self._provisional:
            return
        y0 = date.fromordinal(max(lo, _MIN_ORDINAL)).year
        y1 = date.fromordinal(min(hi, _MAX_ORDINAL)).year
        year = self._first_uncovered(y0, y1)
        if year is not None:
            raise self._uncovered(year)

    def _uncovered(self, year: int) -> CalendarError:
        if self._years:
            have = f"{self.first_year}–{self.last_year}"
            gaps = [y for y in range(self.first_year, self.last_year + 1) if y not in self._years]
            if gaps:
                have += " except " + ", ".join(str(y) for y in gaps)
        else:
            have = "no year"
        return CalendarError(
            f"no official working-day data for {year} (calendar {self._name!r} covers {have}); "
            f"add an overlay file declaring the year (kind: calendar_overlay, years: [{year}], "
            "with its days_off and workdays from the State Council notice), "
            "or use a provisional calendar (weekends only, results marked provisional)"
        )

    # -- single days ------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (make-up workdays are; holidays are not).

        Raises:
            CalendarError: ``d``'s year has no official data (strict calendar).
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
            return DayInfo(d, working, entry.kind, entry.name, entry.source, provisional)
        kind = DayKind.WORKDAY if working else DayKind.WEEKEND
        return DayInfo(d, working, kind, None, None, provisional)

    # -- arithmetic -------------------------------------------------------------------

    def _build_index(self) -> _Index:
        table_years = set(self._years) | {d.year for d in self._entries}
        if table_years:
            lo = date(min(table_years), 1, 1).toordinal()
            hi1 = date(max(table_years), 12, 31).toordinal() + 1
        else:
            lo = hi1 = date(2000, 1, 1).toordinal()
        size = hi1 - lo
        shift = (lo - _MONDAY_ORDINAL) % 7
        week = b"\x01\x01\x01\x01\x01\x00\x00"
        working = bytearray((week * (size // 7 + 2))[shift : shift + size])
        for d, entry in self._entries.items():
            working[d.toordinal() - lo] = entry.working
        index = _Index(lo, hi1, working, self._longest_covered_run(lo))
        object.__setattr__(self, "_index", index)
        return index

    def _longest_covered_run(self, lo: int) -> tuple[int, int]:
        best = (0, 0)
        for year in sorted(self._years):
            if year - 1 in self._years:
                continue
            end = year
            while end + 1 in self._years:
                end += 1
            run = (date(year, 1, 1).toordinal() - lo, date(end, 12, 31).toordinal() + 1 - lo)
            if run[1] - run[0] > best[1] - best[0]:
                best = run
        return best

    def add_workdays(self, d: date, n: int) -> date:
        """The date ``n`` working days from ``d``; the start day is never counted.

        * n ≥ 1: the n-th working day strictly after ``d`` (whatever ``d`` is);
        * n = 0: ``d`` if it is a working day, else the next working day;
        * n < 0: the |n|-th working day strictly before ``d``.

        Example: Fri 2025-09-26 + 5 → 2025-10-10 (Sun 9/28 is a make-up workday,
        10/1–10/8 are off); Sat 2025-10-04 + 1 → Thu 2025-10-09.

        Raises:
            CalendarError: the answer depends on a year without official data
                (strict calendar).
        """
        if d.__class__ is not date:
            check_date(d)
        if n.__class__ is not int:
            _check_int(n, "n")
        ix = self._index or self._build_index()
        o = d.toordinal()
        x = o - ix.lo
        # Fast path: start and answer inside the longest run of covered years.
        if ix.clo <= x < ix.chi:
            k = ix.cum[x + 1] + n - 1 if n > 0 else ix.cum[x] + n
            if ix.kmin <= k < ix.kmax:
                return ix.dates[k]
        k = ix.rank(o + 1) + n - 1 if n > 0 else ix.rank(o) + n
        r = ix.select(k)
        if not _MIN_ORDINAL <= r <= _MAX_ORDINAL:
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
        """Every day in ``[first, last]`` the data names: holidays, make-up workdays and
        overlay days (whether or not they change the weekend rule), in date order."""
        check_date(first, "first")
        check_date(last, "last")
        self._require(first.toordinal(), last.toordinal())
        keys = self._keys
        lo, hi = bisect_left(keys, first), bisect_right(keys, last)
        return tuple(self.describe(d) for d in keys[lo:hi])

    def _check_year(self, year: int) -> None:
        _check_int(year, "year")
        if not 1 <= year <= 9999:
            raise ValueError(f"year must be between 1 and 9999 (got {year})")
        if year not in self._years and not self._provisional:
            raise self._uncovered(year)

    def _year_days(self, year: int) -> list[DayInfo]:
        self._check_year(year)
        start = date(year, 1, 1).toordinal()
        end = date(year, 12, 31).toordinal()
        return [self.describe(date.fromordinal(o)) for o in range(start, end + 1)]

    def non_working_days(self, year: int, *, include_weekends: bool = False) -> tuple[DayInfo, ...]:
        """The year's non-working days, in order.

        By default plain weekends are left out; holiday-run days falling on a weekend
        (e.g. Sun 2026-02-15, 春节) are included, as are overlay days off and closures.
        """
        return tuple(
            info
            for info in self._year_days(year)
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
            days_off=tuple(i for i in named if not i.is_workday),
            makeup_workdays=tuple(
                i for i in named if i.is_workday and i.kind is DayKind.MAKEUP_WORKDAY
            ),
            provisional=year not in self._years,
            fingerprint=self.fingerprint,
        )


def _rebuild(
    entries: Mapping[date, tuple[bool, DayKind, str, str]],
    years: tuple[int, ...],
    provisional: bool,
    name: str,
    overlays: tuple[CalendarOverlay, ...],
) -> WorkCalendar:
    return WorkCalendar(
        entries=entries, years=years, provisional=provisional, name=name, overlays=overlays
    )


#: Corrections to the data package, each with the notice that proves it.
_ERRATA: dict[date, tuple[bool, DayKind, str, str]] = {
    # 国办发明电〔2005〕35号 (2006 holidays): "12月31日（星期六）上班".  chinesecalendar
    # 1.11 treats the day as an ordinary Saturday; the `holidays` package has it right.
    date(2005, 12, 31): (True, DayKind.MAKEUP_WORKDAY, "元旦", OFFICIAL),
}


@cache
def _china(provisional: bool) -> WorkCalendar:
    # Immutable and cached: every WorkCalendar.china() without overlays shares one
    # lazily built index.
    if provisional:
        return _china(False)._replace(provisional=True)
    return _china_official()


def _china_official() -> WorkCalendar:
    # The one place the data package is imported.
    import chinese_calendar

    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    entries: dict[date, tuple[bool, DayKind, str, str]] = {}
    for d, label in chinese_calendar.holidays.items():
        entries[d] = (False, DayKind.HOLIDAY, names.get(label, label), OFFICIAL)
    for d, label in chinese_calendar.workdays.items():
        entries[d] = (True, DayKind.MAKEUP_WORKDAY, names.get(label, label), OFFICIAL)
    entries.update(_ERRATA)
    years = {d.year for d in chinese_calendar.holidays}
    return WorkCalendar(
        entries=entries, years=range(min(years), max(years) + 1), provisional=False, name="cn"
    )
