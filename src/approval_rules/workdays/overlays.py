"""Calendar overlays: days a region, an office or a new State Council notice changes.

An overlay either **transcribes a State Council notice** for years the data package
does not have yet (it lists them under ``years:``; such a year becomes official, no
longer provisional) or adds **regional or office days** (a regional holiday, an
emergency closure) on top of whatever the calendar says, without changing whether a
year is official or provisional.  ``docs/calendar.md`` has the format.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .._yaml import YamlDocument, parse_yaml, read_yaml_file
from ..errors import DefinitionError, Issue, Path, Severity
from .days import DayKind, check_date, check_int
from .statutory import festivals

__all__ = ["CalendarOverlay", "OverlayDay", "load_overlay", "parse_overlay"]


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
        years: years whose State Council notice this overlay transcribes: they become
            official (no longer provisional), and the calendar counts weekends plus the
            listed days, exactly like a year of national data.  Each must have at least
            one day off listed.  Leave it empty for regional or office days, which apply
            on top of the calendar and leave a provisional year provisional.
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
            check_int(year, "CalendarOverlay.years item")
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
        for year in self.years:
            if not any(day.date.year == year for day in self.days_off):
                raise ValueError(
                    f"overlay {self.name!r} declares {year} but lists no day off in {year}: "
                    "a State Council notice always has some"
                )

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
        self.declared_years(data, years, lists)
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

    def declared_years(
        self,
        data: Mapping[Any, Any],
        years: Sequence[int],
        lists: Mapping[str, list[tuple[OverlayDay, int]]],
    ) -> None:
        """A declared year needs the notice's days off, and should list every statutory day."""
        off = {day.date for day, _ in lists["days_off"]}
        closed = off | {day.date for day, _ in lists["closures"]}
        for year in years:
            path: Path = ("years", data["years"].index(year))
            if not any(d.year == year for d in off):
                self.add(
                    "overlay-year-without-days-off",
                    f"the overlay declares {year} official but lists no day off in {year}; "
                    f"元旦 and 春节 {year} would count as working days",
                    path,
                    hint=f"list the days off of the State Council notice for {year} under "
                    f"days_off, or remove {year} from 'years' (regional days need no years)",
                )
                continue
            missing = [
                f"{d.isoformat()} {f.name}"
                for f in festivals(year)
                for d in f.days
                if d not in closed
            ]
            if missing:
                self.add(
                    "overlay-missing-statutory-day",
                    f"{year} is declared official but these days off of the holiday law "
                    f"(全国年节及纪念日放假办法 Art. 2) are not listed: {', '.join(missing)}",
                    path,
                    hint="a notice lists every statutory day, weekends included: add them "
                    "to days_off",
                    severity=Severity.WARNING,
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
    source: str | bytes | os.PathLike[str], file: str | None = None
) -> tuple[CalendarOverlay | None, list[Issue]]:
    """Parse an overlay (YAML text, or a file given as a path-like object); return the
    overlay (``None`` on errors) and every issue.

    Warnings (e.g. ``overlay-empty``, ``overlay-missing-statutory-day``) come back with
    a usable overlay.
    """
    if isinstance(source, os.PathLike):
        return _check_document(*read_yaml_file(source, file))
    return _check_document(*parse_yaml(source, file or "<overlay>"))


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
        years: [2027]           # years whose State Council notice it transcribes
        days_off:  [{date: 2026-04-20, name: 壮族三月三}]
        workdays:  [{date: 2026-04-26, name: 调休上班}]
        closures:  [{date: 2026-09-15, name: 台风停止办公}]

    Raises:
        DefinitionError: every problem found, with positions (``overlay-bad-date``,
            ``unknown-key``, ``missing-key``, ``overlay-conflict``,
            ``overlay-year-without-days-off``, ``wrong-type`` …).
    """
    overlay, issues = parse_overlay(source, file)
    if overlay is None:
        raise DefinitionError(issues)
    return overlay
