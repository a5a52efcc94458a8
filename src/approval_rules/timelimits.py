"""The law's time-limit rules as pure functions over a :class:`WorkCalendar`.

Sources: 行政许可法 (Administrative Licensing Law) Arts. 32, 42, 43, 44, 45 and 82;
民法典 (Civil Code) Arts. 201 and 203.  Every period binding the office is counted in
working days (Art. 82) under one rule (民法典 Art. 201): the start day is not counted,
so "D + N working days" is the N-th working day strictly after D, whatever D is; the
period ends at the close of that day (民法典 Art. 203).

Worked examples (official calendars; see ``docs/calendar.md``)::

    received Fri 2025-09-26, no correction notice by 2025-10-10 (5 WD):
        accepted 2025-09-26 (deemed, Art. 32); decision due 2025-10-30 (20 WD,
        Art. 42); with the extension 2025-11-13 (+10 WD)
    accepted Fri 2026-02-13 (春节 2/15–2/23 off; Sat 2/14 and Sat 2/28 worked):
        20 WD -> 2026-03-19; 7 WD -> 2026-03-02
    accepted 2025-03-03, hearing 2025-03-10..2025-03-21 not counted (Art. 45):
        20 WD -> 2025-04-15 (2025-03-31 without the stop)

Years without a State Council notice (provisional calendars): :func:`bounds` and
:func:`due_bounds` compute a period on a calendar's three estimates at once and
return a :class:`Due` (best, earliest, latest, provisional).  The functions named
after an obligation of the office (:func:`correction_notice_due`,
:func:`acceptance_date`, :func:`decision_due`, :func:`lower_level_review_due`,
:func:`certificate_due`) answer on :attr:`Party.AGENCY`'s estimate, the **earliest**
date, so the office never finishes late; an applicant's window is held to the
**latest** (:attr:`Party.APPLICANT`).  On official years all three dates coincide.

No function here reads the clock: the dates (and the moment ``at``) are arguments.
"""

from __future__ import annotations

import enum
import math
from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import CalendarError, NaiveDatetime
from .workdays import DayKind, Estimate, WorkCalendar, check_date

__all__ = [
    "CHINA_TZ",
    "DEFAULT_OFFICE_HOURS",
    "LAW_STOP_KINDS",
    "ClockStop",
    "Due",
    "ExplainedDay",
    "OfficeHours",
    "Party",
    "Progress",
    "TimeUnit",
    "acceptance_date",
    "add_months",
    "bounds",
    "calendar_days_due",
    "certificate_due",
    "check_due",
    "check_extension",
    "check_stops",
    "correction_notice_due",
    "decision_due",
    "due_bounds",
    "due_date",
    "due_datetime",
    "explain_deadline",
    "extension_days",
    "green_channel_days",
    "lower_level_review_due",
    "progress",
    "stop_union",
]

#: Art. 32: the one-time correction notice is due within 5 working days of receipt.
CORRECTION_NOTICE_DAYS = 5
#: Art. 42 ¶1: decision within 20 WD of acceptance; one extension of 10 WD.
DECISION_DAYS = 20
DECISION_EXTENSION_DAYS = 10
#: Art. 42 ¶2: unified, joint or centralised handling: 45 WD; one extension of 15 WD.
JOINT_DECISION_DAYS = 45
JOINT_EXTENSION_DAYS = 15
#: Art. 43: lower-level review within 20 WD of the lower office's acceptance.
LOWER_LEVEL_REVIEW_DAYS = 20
#: Art. 44: certificate issued and delivered within 10 WD of the decision.
CERTIFICATE_DAYS = 10

#: Art. 45: activities whose time is not counted in the Art. 42–44 periods (听证、招标、
#: 拍卖、检验、检测、检疫、鉴定和专家评审).  Matters may declare further kinds.
LAW_STOP_KINDS: frozenset[str] = frozenset(
    {
        "hearing",
        "tendering",
        "auction",
        "inspection",
        "testing",
        "quarantine",
        "appraisal",
        "expert_review",
    }
)


class TimeUnit(enum.StrEnum):
    """Units a time limit may be declared in."""

    WORKING_DAYS = "working_days"
    HALF_DAYS = "half_days"
    """One office session (morning or afternoon) of a working day: "0.5 个工作日"."""
    HOURS = "hours"
    """Office hours: only time inside sessions of working days runs."""
    CALENDAR_DAYS = "calendar_days"


@dataclass(frozen=True, slots=True)
class ClockStop:
    """A period not counted (Art. 45, 特别程序): ``start`` to ``end``, both inclusive.

    Working days in ``[start, end]`` are not counted in the period it interrupts.

    Attributes:
        kind: what the time was needed for, e.g. ``"hearing"`` (see
            :data:`LAW_STOP_KINDS`; matters may declare further kinds).
        notice: reference of the written notice to the applicant (Art. 45 requires one).
    """

    kind: str
    start: date
    end: date
    notice: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind.strip():
            raise ValueError("ClockStop.kind must be a non-empty string")
        check_date(self.start, "ClockStop.start")
        check_date(self.end, "ClockStop.end")
        if self.end < self.start:
            raise CalendarError(
                f"clock stop '{self.kind}' ends ({self.end}) before it starts ({self.start})"
            )


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a running period stands at a given day (for supervision alerts).

    Attributes:
        start: the day the period runs from (not counted).
        due: the last day of the period (stops and extension included).
        elapsed: working days counted in ``(start, at]``, stopped days excluded; it
            keeps growing after ``due``.  A 0-day period counts only the days after
            its due day (which is its day 0).
        remaining: ``total - elapsed``; negative = working days overdue.
        fraction_used: ``elapsed / total`` (may exceed 1.0 when overdue); for a
            0-day period 1.0 from its due day on, else 0.0.
        overdue: ``at`` is after ``due`` (the period ends at the close of ``due``).
        provisional: the answer depends on a year without official data.
    """

    start: date
    due: date
    elapsed: int
    remaining: int
    fraction_used: float
    overdue: bool
    provisional: bool


def check_stops(stops: Sequence[ClockStop]) -> None:
    """Refuse clock stops that are out of order or overlap (no silent merge).

    Each stop must start after the previous one ended (adjacent stops are fine).

    Raises:
        CalendarError: naming the two stops.
    """
    previous: ClockStop | None = None
    for stop in stops:
        if not isinstance(stop, ClockStop):
            raise TypeError(f"stops must be ClockStop items (got {type(stop).__name__})")
        if previous is not None and stop.start <= previous.end:
            problem = "overlaps" if stop.start >= previous.start else "comes before"
            raise CalendarError(
                f"clock stop '{stop.kind}' {stop.start}..{stop.end} {problem} "
                f"clock stop '{previous.kind}' {previous.start}..{previous.end}; "
                "list stops in date order without overlap"
            )
        previous = stop


def _check_count(value: object, name: str) -> int:
    if type(value) is not int:
        raise TypeError(f"{name} must be an int (got {type(value).__name__} {value!r})")
    if value < 0:
        raise ValueError(f"{name} must be ≥ 0 (got {value})")
    return value


def _run(
    calendar: WorkCalendar, start: date, total: int, stops: Sequence[ClockStop]
) -> tuple[date, list[tuple[date, date, ClockStop]]]:
    """The due date, and the parts of stops that were applied, clipped to after ``start``."""
    check_date(start, "start")
    check_stops(stops)
    one = timedelta(days=1)
    due = calendar.add_workdays(start, total)
    applied: list[tuple[date, date, ClockStop]] = []
    for stop in stops:
        if stop.start > due:
            break  # the period was over before this stop began
        if total == 0:
            # Immediate period: the first working day on or after start outside any stop.
            if stop.end >= due:
                due = calendar.add_workdays(stop.end, 1)
                applied.append((max(stop.start, start), stop.end, stop))
            continue
        if stop.end <= start:
            continue  # wholly on or before the start day, which is not counted anyway
        first = max(stop.start, start + one)
        stopped = calendar.workdays_between(first - one, stop.end)
        # stop.start <= due, so the `stopped` working days after due skip exactly the
        # stop's working days that lie after due (stops are sorted and disjoint).
        due = calendar.add_workdays(due, stopped)
        applied.append((first, stop.end, stop))
    return due, applied


def due_date(
    calendar: WorkCalendar,
    start: date,
    working_days: int,
    *,
    stops: Sequence[ClockStop] = (),
    extension: int = 0,
) -> date:
    """Last day of a period of ``working_days`` (+ ``extension``) from ``start``.

    行政许可法 Art. 82 (working days), 民法典 Art. 201 (the start day is not counted),
    Art. 45 (clock stops are not counted).  Rules:

    * the result is the N-th counted working day strictly after ``start``, with
      N = ``working_days + extension``; N = 0 gives ``start`` if it is a working day,
      else the next one (immediate matters);
    * a working day inside a stop ``[stop.start, stop.end]`` is not counted, so a
      stop of k working days moves the due date by exactly k working days, and a
      stop lying wholly on non-working days moves nothing;
    * stops must be in date order and must not overlap (:class:`CalendarError`);
    * the parts of stops on or before ``start`` are ignored (those days are not
      counted anyway), and so are stops beginning after the due date (the period
      was already over).

    Example: accepted 2025-03-03, 20 WD, hearing 2025-03-10..2025-03-21 (10 WD)
    → 2025-04-15 instead of 2025-03-31.
    """
    total = _check_count(working_days, "working_days") + _check_count(extension, "extension")
    return _run(calendar, start, total, stops)[0]


class Party(enum.StrEnum):
    """Whose obligation a period is, which decides the estimate it is held to.

    Until the State Council's notice for a year appears, a due date in it has bounds
    (:class:`Due`).  The policy (``docs/calendar.md``) gives each side the benefit of
    the doubt it needs.
    """

    AGENCY = "agency"
    """The office: correction notice, (deemed) acceptance, decision, review, certificate.
    Planned against the **earliest** date, so the office never finishes late."""
    APPLICANT = "applicant"
    """The applicant: corrections, tolerated-gap make-up dates.  Enforced at the
    **latest** date, so the applicant is never cut off by a guess."""

    @property
    def estimate(self) -> Estimate:
        """``EARLIEST`` for the agency, ``LATEST`` for the applicant."""
        return Estimate.EARLIEST if self is Party.AGENCY else Estimate.LATEST

    def calendar(self, calendar: WorkCalendar) -> WorkCalendar:
        """The variant of ``calendar`` this party's obligations are computed on."""
        return calendar.variant(self.estimate)


@dataclass(frozen=True, slots=True)
class Due:
    """A due date with the bounds the State Council's notice could still move it to.

    Attributes:
        best: the date on the calendar as given (on a provisional calendar: the law's
            certain days only, the most accurate single estimate).
        earliest: the earliest date the notice could produce (every candidate make-up
            weekend day worked).
        latest: the latest date the notice could produce (every probable extra day
            off taken, no make-up day).
        provisional: the answer depends on a year without official data.  On
            official years ``earliest == best == latest`` and this is False.
    """

    best: date
    earliest: date
    latest: date
    provisional: bool

    def __post_init__(self) -> None:
        for name in ("best", "earliest", "latest"):
            check_date(getattr(self, name), f"Due.{name}")
        if not self.earliest <= self.best <= self.latest:
            raise ValueError(
                f"Due needs earliest <= best <= latest (got {self.earliest}, {self.best}, "
                f"{self.latest})"
            )

    @property
    def exact(self) -> bool:
        """The notice cannot move the date (``earliest == latest``)."""
        return self.earliest == self.latest

    def get(self, estimate: Estimate) -> date:
        """The date of one estimate."""
        value: date = getattr(self, Estimate(estimate).value)
        return value

    def for_party(self, party: Party) -> date:
        """The date ``party`` is held to: the earliest for the agency, the latest for the
        applicant."""
        return self.get(Party(party).estimate)

    def to_dict(self) -> dict[str, object]:
        """JSON data: ``due`` (the best date), ``earliest``, ``latest``, ``provisional``."""
        return {
            "due": self.best.isoformat(),
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "provisional": self.provisional,
        }


def bounds(calendar: WorkCalendar, start: date, rule: Callable[[WorkCalendar], date]) -> Due:
    """Compute any period rule on a calendar's three estimates at once.

    ``rule`` is called with :attr:`WorkCalendar.best`, :attr:`~WorkCalendar.earliest`
    and :attr:`~WorkCalendar.latest` (once only, on a strict calendar, where they are
    the calendar itself); these variants are pinned, so an obligation function inside
    ``rule`` answers on the variant as given.  ``start`` is the day the period runs
    from: the answer is provisional when ``[start, latest]`` touches a year without
    official data.  Example: a decision (20 WD) from Fri 2027-01-22, across 春节 2027
    (statutory 02-05..08 and 补假 02-09..10 off; 02-11 and 02-12 probably off; up to
    8 weekend days around the block may be worked)::

        >>> cal = WorkCalendar.china(provisional=True)
        >>> due = bounds(cal, date(2027, 1, 22), lambda c: decision_due(c, date(2027, 1, 22)))
        >>> due.best, due.earliest, due.latest
        (datetime.date(2027, 2, 25), datetime.date(2027, 2, 17), datetime.date(2027, 3, 1))

    Raises:
        CalendarNotPublished: the rule needs a year the (strict) calendar lacks.
    """
    check_date(start, "start")
    best = rule(calendar.best)
    if not calendar.provisional:
        return Due(best, best, best, False)
    earliest = rule(calendar.earliest)
    latest = rule(calendar.latest)
    provisional = calendar.is_provisional(min(start, earliest), max(start, latest))
    return Due(best, earliest, latest, provisional)


def due_bounds(
    calendar: WorkCalendar,
    start: date,
    working_days: int,
    *,
    stops: Sequence[ClockStop] = (),
    extension: int = 0,
) -> Due:
    """:func:`due_date` on the three estimates: a :class:`Due` (see :func:`bounds`)."""
    return bounds(
        calendar,
        start,
        lambda c: due_date(c, start, working_days, stops=stops, extension=extension),
    )


def stop_union(stops: Iterable[ClockStop]) -> tuple[ClockStop, ...]:
    """The days of ``stops`` as sorted stops that do not overlap, each day once.

    Stops that overlap (an inspection during an expert review, Art. 45) become one,
    with the kind and notice of the earlier; stops that only touch stay apart.  Stops
    already in order without overlap come back as they are.
    """
    merged: list[ClockStop] = []
    for stop in sorted(stops, key=lambda s: (s.start, s.end)):
        if merged and stop.start <= merged[-1].end:
            last = merged[-1]
            if stop.end > last.end:
                merged[-1] = ClockStop(last.kind, last.start, stop.end, last.notice)
        else:
            merged.append(stop)
    return tuple(merged)


def calendar_days_due(
    calendar: WorkCalendar, start: date, days: int, *, stops: Sequence[ClockStop] = ()
) -> date:
    """Last day of a period of ``days`` calendar days (民法典 Arts. 201 and 203).

    The start day is not counted (Art. 201), so the last day is ``start + days``; if
    that day is a day off, the period ends on the next working day instead (Art. 203
    ¶1: "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日"; weekends and
    overlay closures count as days off here).  Example: Fri 2026-02-13 + 7 calendar
    days = Fri 2026-02-20, inside 春节, so the period ends Tue 2026-02-24.

    Every calendar day of a clock stop (Art. 45) that falls after ``start`` and before
    the period would end is not counted: the end moves by those days, then Art. 203
    applies.  Example: Mon 2026-03-02 + 10 days with a stop 03-05..03-06 → 03-14
    (a Saturday) → Mon 03-16.
    """
    check_date(start, "start")
    end = start + timedelta(days=_check_count(days, "days"))
    for stop in sorted(stops, key=lambda s: s.start):
        first = max(stop.start, start + timedelta(days=1))
        if first > end:
            break
        if stop.end >= first:
            end += timedelta(days=(stop.end - first).days + 1)
    return calendar.add_workdays(end, 0)


def add_months(start: date, months: int) -> date:
    """The day ``months`` months after ``start`` (民法典 Arts. 201-202): the start day is
    not counted, and a period in months ends on the corresponding day, or on the
    month's last day when it has none.  Example: 2026-01-31 + 1 month = 2026-02-28.
    """
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def check_due(calendar: WorkCalendar, decided: date, value: int, unit: str) -> date:
    """The last day of a commitment's later check (告知承诺制, 事后核查) decided on
    ``decided``: ``value`` working days (the decision day not counted), calendar days
    (ending on a working day, Art. 203) or months (the corresponding day,
    :func:`add_months`, moved to the next working day when it is a day off).
    Example: decided Mon 2025-12-01, 3 months → Sun 2026-03-01 → Mon 2026-03-02.
    """
    if unit == "working_days":
        return due_date(calendar, decided, value)
    if unit == "calendar_days":
        return calendar_days_due(calendar, decided, value)
    if unit == "months":
        return calendar.add_workdays(add_months(decided, value), 0)
    raise ValueError(
        f"a check period is counted in working_days, calendar_days or months, not {unit!r}"
    )


def correction_notice_due(calendar: WorkCalendar, received: date) -> date:
    """Last day for the one-time correction notice: receipt + 5 WD (行政许可法 Art. 32).

    Art. 45 stops do not apply to this window.  Example: received Fri 2025-09-26 →
    2025-10-10 (Sun 9/28 worked, 10/1–10/8 off, Sat 10/11 is after the window).
    An agency obligation: on a provisional calendar, the earliest possible date.
    """
    agency = Party.AGENCY.calendar(calendar)
    return agency.add_workdays(check_date(received, "received"), CORRECTION_NOTICE_DAYS)


def acceptance_date(
    calendar: WorkCalendar,
    received: date,
    *,
    notice_issued: date | None,
    corrected: date | None,
) -> date:
    """The day an application counts as accepted (行政许可法 Art. 32).

    * no correction notice, or a notice issued after the 5-WD window
      (:func:`correction_notice_due`): accepted **from the day of receipt** (deemed
      acceptance, retroactive; "逾期不告知的，自收到申请材料之日起即为受理");
    * a notice issued in time: accepted on the day the corrected materials arrive.

    Whether the notice was in time is judged against the earliest possible end of the
    window on a provisional calendar (an agency obligation): in doubt, the
    application counts as accepted on receipt.

    Raises:
        CalendarError: a notice in time but no ``corrected`` date yet (acceptance is
            still pending), a notice before receipt, or corrections before the notice.
    """
    check_date(received, "received")
    if notice_issued is None:
        return received
    check_date(notice_issued, "notice_issued")
    if notice_issued < received:
        raise CalendarError(
            f"correction notice issued {notice_issued}, before the materials were received "
            f"({received})"
        )
    if notice_issued > correction_notice_due(calendar, received):
        return received
    if corrected is None:
        raise CalendarError(
            f"a correction notice was issued in time ({notice_issued}); the application is "
            "accepted only when the corrected materials arrive: pass corrected="
        )
    check_date(corrected, "corrected")
    if corrected < notice_issued:
        raise CalendarError(
            f"corrected materials dated {corrected}, before the correction notice ({notice_issued})"
        )
    return corrected


def extension_days(*, joint: bool, declared: int | None = None) -> int:
    """Length of the one allowed extension (行政许可法 Art. 42).

    10 WD (¶1, approved by the head of the office), 15 WD for unified, joint or
    centralised handling (¶2, approved by the head of the same-level government),
    unless the matter's own law declares another length (``declared``).
    """
    if declared is not None:
        return _check_count(declared, "declared")
    return JOINT_EXTENSION_DAYS if joint else DECISION_EXTENSION_DAYS


def decision_due(
    calendar: WorkCalendar,
    accepted: date,
    *,
    statutory_days: int | None = None,
    joint: bool = False,
    stops: Sequence[ClockStop] = (),
    extended: bool = False,
    declared_extension: int | None = None,
) -> date:
    """Decision deadline (行政许可法 Art. 42, with Art. 45 stops).

    20 WD from acceptance (¶1), or 45 WD for joint handling (¶2), unless a law or
    regulation sets the matter's own period (``statutory_days``, e.g. 7 for a
    construction permit).  ``extended`` adds the one extension: 10 WD (¶1) or 15 WD
    (¶2), or ``declared_extension`` when the matter declares its own.

    Example: accepted 2025-09-26 → 2025-10-30; extended → 2025-11-13.  An agency
    obligation: on a provisional calendar, the earliest possible date.
    """
    if statutory_days is not None:
        days = _check_count(statutory_days, "statutory_days")
    else:
        days = JOINT_DECISION_DAYS if joint else DECISION_DAYS
    extra = extension_days(joint=joint, declared=declared_extension) if extended else 0
    agency = Party.AGENCY.calendar(calendar)
    return due_date(agency, accepted, days, stops=stops, extension=extra)


def lower_level_review_due(
    calendar: WorkCalendar,
    accepted_lower: date,
    *,
    days: int = LOWER_LEVEL_REVIEW_DAYS,
    stops: Sequence[ClockStop] = (),
) -> date:
    """Deadline of a lower office's preliminary review (行政许可法 Art. 43, Art. 45 stops).

    20 WD from the lower office's acceptance unless a law or regulation says
    otherwise (``days``); the upper office then has its own Art. 42 period.  An
    agency obligation: on a provisional calendar, the earliest possible date.
    """
    return due_date(Party.AGENCY.calendar(calendar), accepted_lower, days, stops=stops)


def certificate_due(
    calendar: WorkCalendar,
    decided: date,
    *,
    stops: Sequence[ClockStop] = (),
    days: int = CERTIFICATE_DAYS,
) -> date:
    """Certificate issued and delivered within 10 WD of a positive decision (Art. 44), or
    the matter's own shorter ``days`` (``result.issue_within``).

    Example: decided 2025-10-30 → 2025-11-13.  An agency obligation: on a provisional
    calendar, the earliest possible date.
    """
    return due_date(Party.AGENCY.calendar(calendar), decided, days, stops=stops)


def check_extension(
    calendar: WorkCalendar, *, deadline: date, granted_on: date, already_extended: bool
) -> None:
    """Refuse an extension the law does not allow (行政许可法 Art. 42).

    Only one extension per period, granted on or before the deadline it extends
    (the period ends at the close of its last day, 民法典 Art. 203).  ``calendar``
    checks that both dates have official data.

    Raises:
        CalendarError: a second extension, or one granted after the deadline.
    """
    check_date(deadline, "deadline")
    check_date(granted_on, "granted_on")
    calendar.workdays_between(min(deadline, granted_on), max(deadline, granted_on))
    if already_extended:
        raise CalendarError("the period was already extended; the law allows one extension only")
    if granted_on > deadline:
        raise CalendarError(
            f"an extension granted on {granted_on} comes after the deadline it would extend "
            f"({deadline}); it must be granted on or before that day"
        )


def green_channel_days(promised_days: int, reduction: float | Fraction | Decimal) -> int:
    """Promised limit of a green-channel (绿色通道) case: ``promised × (1 − reduction)``.

    Rounded in the applicant's favour (down: a shorter limit), and never below one
    working day for a promised limit of at least one day.  ``reduction`` is the
    matter's declared ratio in ``[0, 1)`` (the seed, 泉州, uses 0.5); it is read as the
    decimal written, so ``0.7`` means exactly 7/10.

    Examples: (20, 0.5) → 10; (7, 0.5) → 3; (1, 0.5) → 1; (0, 0.5) → 0.
    """
    promised = _check_count(promised_days, "promised_days")
    if isinstance(reduction, bool) or not isinstance(reduction, int | float | Fraction | Decimal):
        raise TypeError(f"reduction must be a number (got {type(reduction).__name__})")
    if isinstance(reduction, float) and not math.isfinite(reduction):
        raise ValueError(f"reduction must be in [0, 1) (got {reduction})")
    # Read a float as the decimal it prints as: 0.7 is 7/10, not 0.69999…
    ratio = Fraction(str(reduction)) if isinstance(reduction, float) else Fraction(reduction)
    if not 0 <= ratio < 1:
        raise ValueError(f"reduction must be in [0, 1) (got {reduction})")
    if promised == 0:
        return 0
    return max(1, math.floor(promised * (1 - ratio)))


def green_step_limit(
    value: float, unit: str, reduction: float | Fraction | Decimal
) -> tuple[int, str]:
    """A step's own limit in a green-channel case (``green_channel.steps``):
    ``value × (1 − reduction)``, rounded down to half a working day and never below half
    a day; a limit in another unit than working or half days stays as declared.

    The one rule of the halving: the engine's plan (:mod:`.plan`) and the service guide
    both read it.  Examples: 3 working days halved are 1.5, ``(3, "half_days")``;
    ``(4, "working_days", 0.5)`` → ``(2, "working_days")``; half a day stays half a day.
    """
    if unit not in ("working_days", "half_days"):
        return int(value), unit
    ratio = Fraction(str(reduction)) if isinstance(reduction, float) else Fraction(reduction)
    halves = max(math.floor(Fraction(str(value)) * (2 if unit == "working_days" else 1)
                            * (1 - ratio)), 1)  # fmt: skip
    return (halves // 2, "working_days") if halves % 2 == 0 else (halves, "half_days")


def progress(
    calendar: WorkCalendar,
    start: date,
    working_days: int,
    at: date,
    *,
    stops: Sequence[ClockStop] = (),
    extension: int = 0,
) -> Progress:
    """Elapsed and remaining working days of a running period on day ``at``.

    ``elapsed`` counts the working days in ``(start, at]`` outside the stops that
    :func:`due_date` applies, so on the due day ``elapsed == working_days +
    extension`` and ``remaining == 0``.  ``at`` on or before ``start`` gives 0 elapsed.

    Example: 20 WD from Fri 2025-09-26, at 2025-10-09 → elapsed 4 (Sun 9/28 make-up,
    9/29, 9/30, 10/9; 10/1–10/8 are off), remaining 16, fraction_used 0.2, due 2025-10-30.
    """
    check_date(at, "at")
    total = _check_count(working_days, "working_days") + _check_count(extension, "extension")
    due, applied = _run(calendar, start, total, stops)
    if total == 0:
        # An immediate period's due day is its day 0 (see explain_deadline), not a day
        # used: only working days after it count, as days overdue.
        elapsed = calendar.workdays_between(due, at) if at > due else 0
    elif at <= start:
        elapsed = 0
    else:
        elapsed = calendar.workdays_between(start, at)
        for first, last, _ in applied:
            if first > at:
                break
            elapsed -= calendar.workdays_between(first - timedelta(days=1), min(last, at))
    fraction = elapsed / total if total else float(at >= due)
    return Progress(
        start=start,
        due=due,
        elapsed=elapsed,
        remaining=total - elapsed,
        fraction_used=fraction,
        overdue=at > due,
        provisional=calendar.is_provisional(min(start, at), max(due, at)),
    )


# --------------------------------------------------------------------------- explain


@dataclass(frozen=True, slots=True)
class ExplainedDay:
    """One day of a period as :func:`explain_deadline` walks it.

    Attributes:
        counted: whether the day counts toward the period.
        number: the running count (1 … N) on counted days, else ``None``.
        reason: ``start`` (the start day, never counted), ``workday``,
            ``makeup_workday`` (counted), or why it was skipped: ``weekend``,
            ``holiday``, ``day_off``, ``closure``, ``clock_stop``.
        name: holiday / overlay entry name, or the stop's kind for ``clock_stop``.
        provisional: the year has no official data (weekend rule).
    """

    date: date
    counted: bool
    number: int | None
    reason: str
    name: str | None = None
    provisional: bool = False

    @property
    def text(self) -> str:
        """Plain words, e.g. ``day 3``, ``skipped: holiday 国庆节``."""
        words = {
            "start": "start day (not counted)",
            "workday": "workday",
            "makeup_workday": "make-up workday",
            "weekend": "weekend",
            "holiday": "holiday",
            "day_off": "day off",
            "closure": "office closure",
            "clock_stop": "clock stop",
        }
        what = words.get(self.reason, self.reason)
        if self.name:
            what += f" ({self.name})" if self.reason == "makeup_workday" else f" {self.name}"
        if self.provisional:
            what += " [provisional]"
        if self.counted:
            return f"day {self.number}: {what}"
        return what if self.reason == "start" else f"skipped: {what}"


def explain_deadline(
    calendar: WorkCalendar,
    start: date,
    working_days: int,
    *,
    stops: Sequence[ClockStop] = (),
    extension: int = 0,
) -> list[ExplainedDay]:
    """Every day from ``start`` to the due date with whether and why it counts.

    The last item is the due day (counted, number N) unless N = 0.  Same rules as
    :func:`due_date`, which this agrees with.
    """
    total = _check_count(working_days, "working_days") + _check_count(extension, "extension")
    due, applied = _run(calendar, start, total, stops)
    stop_kind: dict[date, str] = {}
    for first, last, stop in applied:
        day = first
        while day <= last:
            stop_kind[day] = stop.kind
            day += timedelta(days=1)
    days = [ExplainedDay(start, False, None, "start", None, calendar.is_provisional(start))]
    count = 0
    day = start + timedelta(days=1)
    while day <= due:
        info = calendar.describe(day)
        if info.kind in (DayKind.WORKDAY, DayKind.WEEKEND):
            info = replace(info, name=None)  # projected and candidate days: names only

        if not info.is_workday:
            days.append(
                ExplainedDay(day, False, None, info.kind.value, info.name, info.provisional)
            )
        elif day in stop_kind:
            days.append(
                ExplainedDay(day, False, None, "clock_stop", stop_kind[day], info.provisional)
            )
        else:
            count += 1
            reason = "makeup_workday" if info.kind is DayKind.MAKEUP_WORKDAY else "workday"
            days.append(ExplainedDay(day, True, count, reason, info.name, info.provisional))
        day += timedelta(days=1)
    if total == 0 and due != start:
        # An immediate period starting on a day off (or in a stop) runs to that day.
        final = days[-1]
        days[-1] = ExplainedDay(due, True, 0, final.reason, final.name, final.provisional)
    return days


# --------------------------------------------------------------------------- office hours


def _china_tz() -> tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # pragma: no cover - systems without tz data
        # China has kept UTC+8 without daylight saving since 1991.
        from datetime import timezone

        return timezone(timedelta(hours=8), "Asia/Shanghai")


#: Asia/Shanghai (UTC+8, no daylight saving since 1991).
CHINA_TZ: tzinfo = _china_tz()


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """The two daily office sessions of working days, in local wall-clock time.

    A half day (``TimeUnit.HALF_DAYS``) is one session; hours run only inside sessions.
    """

    morning: tuple[time, time] = (time(9, 0), time(12, 0))
    afternoon: tuple[time, time] = (time(13, 30), time(17, 30))
    tz: tzinfo = CHINA_TZ

    def __post_init__(self) -> None:
        points = [*self.morning, *self.afternoon]
        if any(not isinstance(p, time) or p.tzinfo is not None for p in points):
            raise TypeError("office hours must be naive datetime.time values")
        if not points[0] < points[1] <= points[2] < points[3]:
            raise ValueError(
                "office hours must be morning start < morning end ≤ afternoon start < "
                f"afternoon end (got {self.morning} and {self.afternoon})"
            )

    def sessions(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's two sessions as aware datetimes (whether or not it is a working day)."""
        return tuple(
            (
                datetime.combine(day, opens, tzinfo=self.tz),
                datetime.combine(day, closes, tzinfo=self.tz),
            )
            for opens, closes in (self.morning, self.afternoon)
        )

    def closing(self, day: date) -> datetime:
        """Close of business on ``day`` (end of the afternoon session)."""
        return datetime.combine(day, self.afternoon[1], tzinfo=self.tz)


#: 9:00–12:00 and 13:30–17:30, Asia/Shanghai.
DEFAULT_OFFICE_HOURS = OfficeHours()


def _sessions_from(
    calendar: WorkCalendar, hours: OfficeHours, day: date
) -> Iterator[tuple[datetime, datetime]]:
    """Sessions of working days from ``day`` on, in order (an endless generator)."""
    while True:
        if calendar.is_workday(day):
            yield from hours.sessions(day)
        day += timedelta(days=1)


def due_datetime(
    calendar: WorkCalendar,
    start: datetime,
    value: int,
    unit: TimeUnit,
    office_hours: OfficeHours = DEFAULT_OFFICE_HOURS,
) -> datetime:
    """The moment a limit of ``value`` ``unit`` from ``start`` runs out.

    ``start`` must be timezone-aware; it is read in the office's time zone and the
    result is in that zone.  Rules (民法典 Arts. 201 and 203: the starting unit is not
    counted; a period ends when business stops on its last day):

    * ``WORKING_DAYS``: close of business on ``add_workdays(start.date(), value)``;
      for 0, close of business that day if it is a working day not yet closed, else
      of the next working day.
    * ``HALF_DAYS``: a half day is one office session.  Sessions that open at or after
      ``start`` are counted; the session in progress at ``start`` is not.  The limit
      ends at the close of the ``value``-th counted session; for 0, at the close of
      the session in progress (or the next one).  Example: received Mon 10:00, 1 half
      day → Mon 17:30; received Mon 8:30 → Mon 12:00.
    * ``HOURS``: only time inside sessions of working days runs, from ``start`` (or
      the next opening).  Example: Mon 16:00 + 2 h → Tue 9:30 (16:00–17:30 + 9:00–9:30).
    * ``CALENDAR_DAYS``: close of business on :func:`calendar_days_due`.
    """
    if not isinstance(start, datetime):
        raise TypeError(f"start must be a datetime (got {type(start).__name__})")
    if start.tzinfo is None or start.utcoffset() is None:
        raise NaiveDatetime("start", start)
    count = _check_count(value, "value")
    unit = TimeUnit(unit)
    local = start.astimezone(office_hours.tz)
    if unit is TimeUnit.WORKING_DAYS:
        return _working_days_moment(calendar, local, count, office_hours)
    if unit is TimeUnit.CALENDAR_DAYS:
        return office_hours.closing(calendar_days_due(calendar, local.date(), count))
    sessions = _sessions_from(calendar, office_hours, local.date())
    if unit is TimeUnit.HALF_DAYS:
        return _half_days_moment(sessions, local, count)
    return _hours_moment(sessions, local, count)


def _working_days_moment(
    calendar: WorkCalendar, local: datetime, count: int, hours: OfficeHours
) -> datetime:
    """Close of business on the count-th working day (for 0: today's, if still open)."""
    day = local.date()
    if count:
        return hours.closing(calendar.add_workdays(day, count))
    due_day = calendar.add_workdays(day, 0)
    if due_day == day and local >= hours.closing(day):
        due_day = calendar.add_workdays(day, 1)
    return hours.closing(due_day)


def _half_days_moment(
    sessions: Iterator[tuple[datetime, datetime]], local: datetime, count: int
) -> datetime:
    """Close of the count-th session opening at or after ``local`` (0: the current one)."""
    for opens, closes in sessions:
        if closes <= local:
            continue
        if count == 0:
            return closes
        if opens >= local:
            count -= 1
            if count == 0:
                return closes
    raise AssertionError("unreachable: sessions never end")  # pragma: no cover


def _hours_moment(
    sessions: Iterator[tuple[datetime, datetime]], local: datetime, count: int
) -> datetime:
    """The moment ``count`` office hours after ``local`` run out."""
    remaining = timedelta(hours=count)
    for opens, closes in sessions:
        if closes <= local:
            continue
        begin = max(opens, local)
        if remaining <= closes - begin:
            return begin + remaining
        remaining -= closes - begin
    raise AssertionError("unreachable: sessions never end")  # pragma: no cover
