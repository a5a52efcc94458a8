"""What a calendar says about a day: the value types every other workdays module shares."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

__all__ = [
    "OFFICIAL",
    "PROVISIONAL",
    "DayInfo",
    "DayKind",
    "Entry",
    "Estimate",
    "Layer",
    "YearReport",
    "check_date",
    "check_int",
]

#: ``DayInfo.source`` of days that come from the official national data.
OFFICIAL = "official"
#: ``DayInfo.source`` of days the provisional construction gives (see :class:`Layer`).
PROVISIONAL = "provisional"


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


def check_int(value: object, name: str) -> int:
    """Return ``value`` if it is an ``int`` (not a bool); else raise TypeError."""
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


class Layer(enum.StrEnum):
    """Where a day of a year without a State Council notice comes from.

    The first two layers are the law (全国年节及纪念日放假办法, revised with effect from
    2025) and are *certain*; the last two are the State Council's swap principles and
    are a guess until the notice appears (``docs/calendar.md``).
    """

    STATUTORY = "statutory"
    """Art. 2: a day off for all citizens (元旦, 春节 除夕–初三, 清明, 劳动节, 端午, 中秋, 国庆)."""
    IN_LIEU = "in_lieu"
    """Art. 6: 补假, a working day off for a statutory day that falls on a weekend."""
    PROJECTED = "projected"
    """A weekday the swap principles will probably give off (counted off in the latest bound)."""
    CANDIDATE = "candidate"
    """A weekend day that may become a make-up workday (counted worked in the earliest bound)."""

    @property
    def certain(self) -> bool:
        """Whether the law itself fixes the day (statutory days and 补假)."""
        return self in (Layer.STATUTORY, Layer.IN_LIEU)


class Estimate(enum.StrEnum):
    """Which of a provisional calendar's three answers (see ``WorkCalendar.earliest``)."""

    BEST = "best"
    """The certain layer only: statutory days and 补假 (the most accurate single guess)."""
    EARLIEST = "earliest"
    """Every candidate make-up weekend day counted as worked: the earliest possible date."""
    LATEST = "latest"
    """Every probable extra day off counted as off, no make-up day: the latest possible date."""


class Entry(NamedTuple):
    """How a calendar's data states one day (the package's internal record)."""

    working: bool
    kind: DayKind
    name: str
    source: str
    layer: Layer | None = None


_KIND_WORDS = {
    DayKind.WORKDAY: "workday",
    DayKind.WEEKEND: "weekend",
    DayKind.HOLIDAY: "holiday",
    DayKind.MAKEUP_WORKDAY: "make-up workday",
    DayKind.DAY_OFF: "day off",
    DayKind.CLOSURE: "office closure",
}

_LAYER_WORDS = {
    Layer.STATUTORY: "statutory day",
    Layer.IN_LIEU: "补假",
    Layer.PROJECTED: "probably off",
    Layer.CANDIDATE: "possible make-up workday",
}


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What a calendar says about one day.

    Attributes:
        date: the day.
        is_workday: whether it counts as a working day.
        kind: why (see :class:`DayKind`).
        name: the holiday, make-up or overlay entry name (``春节``, ``台风停止办公``).
        source: ``"official"`` for national data, ``"provisional"`` for the provisional
            construction, the overlay's name for overlay days, ``None`` for ordinary
            weekdays and weekends.
        provisional: the year has no official data; the answer is the law-derived
            construction (or the weekend rule outside its years).
        layer: for a day of the provisional construction, which layer it comes from.
    """

    date: date
    is_workday: bool
    kind: DayKind
    name: str | None = None
    source: str | None = None
    provisional: bool = False
    layer: Layer | None = None

    @property
    def certain(self) -> bool:
        """Official data, or a day the law itself fixes (statutory day, 补假)."""
        return not self.provisional or (self.layer is not None and self.layer.certain)

    @property
    def reason(self) -> str:
        """Plain words: ``weekend``, ``holiday 春节``, ``make-up workday (春节)`` …"""
        word = _KIND_WORDS[self.kind]
        if self.kind is DayKind.MAKEUP_WORKDAY and self.name:
            text = f"{word} ({self.name})"
        elif self.name and self.kind is not DayKind.WORKDAY:
            text = f"{word} {self.name}"
        else:
            text = word
        if self.layer is not None:
            text += f" [{_LAYER_WORDS[self.layer]}"
            text += f": {self.name}]" if self.kind is DayKind.WORKDAY and self.name else "]"
        elif self.source and self.source != OFFICIAL:
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
        provisional: the year has no official data.
        projected: for a provisional year, the weekdays the swap principles will
            probably give off (working days in the best estimate), in date order.
        candidates: for a provisional year, the weekend days the notice may declare
            make-up workdays (off in the best estimate), in date order.
    """

    year: int
    workdays: int
    non_working_days: int
    days_off: tuple[DayInfo, ...]
    makeup_workdays: tuple[DayInfo, ...]
    provisional: bool
    fingerprint: str
    projected: tuple[DayInfo, ...] = ()
    candidates: tuple[DayInfo, ...] = ()
