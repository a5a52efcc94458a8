"""Working-day calendars: official Chinese holidays, the holiday law, and local overlays.

One module per reason to change:

================  ==========================================================================
``days``          the value types: :class:`DayInfo`, :class:`DayKind`, :class:`Layer`, …
``workcalendar``  :class:`WorkCalendar`: coverage, the counting rule, estimates, reports
``index``         the ordinal index that makes ``add_workdays`` O(1)
``official``      the State Council's notices (the only importer of ``chinesecalendar``)
``overlays``      :class:`CalendarOverlay`: regional days, closures, a notice not yet packaged
``statutory``     the law's certain days: Art. 2 (from ``statutory_days.txt``) and Art. 6 补假
``projection``    the State Council's swap principles: probable days off, make-up candidates
``provisional``   the layers assembled into a calendar's entries, per :class:`Estimate`
``generate``      builds ``statutory_days.txt`` from a lunar package (development only)
================  ==========================================================================

Example (official 2026 calendar; 春节 2/15–2/23 off, Sat 2/14 and Sat 2/28 worked)::

    >>> from datetime import date
    >>> cal = WorkCalendar.china()
    >>> cal.add_workdays(date(2026, 2, 13), 7)
    datetime.date(2026, 3, 2)
    >>> WorkCalendar.china(provisional=True).describe(date(2027, 2, 5)).reason
    'holiday 春节 [statutory day] [provisional]'

``docs/calendar.md`` explains the counting rule, the provisional construction and its
bounds, and the overlay format.
"""

from __future__ import annotations

from .days import DayInfo, DayKind, Estimate, Layer, YearReport, check_date
from .overlays import CalendarOverlay, OverlayDay, load_overlay, parse_overlay
from .workcalendar import WorkCalendar

__all__ = [
    "CalendarOverlay",
    "DayInfo",
    "DayKind",
    "Estimate",
    "Layer",
    "OverlayDay",
    "WorkCalendar",
    "YearReport",
    "check_date",
    "load_overlay",
    "parse_overlay",
]
