"""Public Hypothesis strategies for property-testing rules built on approval_rules.

Install the ``testing`` extra (``pip install approval_rules[testing]``).  This is the
only module of the package that imports :mod:`hypothesis`; nothing else imports it.

Example::

    from hypothesis import given
    from approval_rules.testing import calendars, period_specs

    @given(period_specs())
    def test_my_deadline_rule(spec):
        due = spec.due()
        assert spec.calendar.is_workday(due)
"""

from __future__ import annotations

import math
import types
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import strategies as st

from .compiler import compile_matter
from .graph import Process
from .loader import Catalogue
from .model import Department, Matter, Person, Role
from .timelimits import LAW_STOP_KINDS, ClockStop, due_date
from .workdays import CalendarOverlay, OverlayDay, WorkCalendar

__all__ = [
    "PeriodSpec",
    "calendars",
    "clock_stops",
    "dates",
    "matter_catalogue",
    "matters",
    "overlays",
    "period_specs",
    "processes",
]

# --- calendars and periods ---

#: Dates drawn by default: inside the official data, far enough from its end that
#: periods drawn by :func:`period_specs` (≤ 45 + 15 WD plus stops) stay inside it.
DEFAULT_MIN_DATE = date(2024, 1, 1)
DEFAULT_MAX_DATE = date(2026, 4, 30)

#: Kinds drawn for clock stops: the Art. 45 list plus two a matter might declare.
STOP_KINDS = (*sorted(LAW_STOP_KINDS), "public_notice", "site_survey")


def _special_days(calendar: WorkCalendar, lo: date, hi: date) -> list[date]:
    """Holidays, holiday runs, overlay days and make-up workdays between lo and hi."""
    return [info.date for info in calendar.named_days(lo, hi)]


def dates(
    calendar: WorkCalendar | None = None,
    *,
    min_value: date = DEFAULT_MIN_DATE,
    max_value: date = DEFAULT_MAX_DATE,
) -> st.SearchStrategy[date]:
    """Dates between ``min_value`` and ``max_value``, often near the tricky days.

    About half the draws are uniform; the rest fall within three days of a holiday,
    a make-up workday or an overlay day of ``calendar`` (default: the national one),
    where off-by-one counting mistakes show up.
    """
    calendar = calendar or WorkCalendar.china()
    special = _special_days(calendar, min_value, max_value)
    uniform = st.dates(min_value=min_value, max_value=max_value)
    if not special:
        return uniform

    def near(pair: tuple[date, int]) -> date:
        day = pair[0] + timedelta(days=pair[1])
        return min(max(day, min_value), max_value)

    nearby = st.tuples(st.sampled_from(special), st.integers(-3, 3)).map(near)
    return st.one_of(uniform, nearby)


@st.composite
def overlays(
    draw: st.DrawFn,
    *,
    min_value: date = DEFAULT_MIN_DATE,
    max_value: date = date(2026, 12, 31),
    max_days: int = 6,
) -> CalendarOverlay:
    """A valid overlay: a few distinct dates split among days off, workdays, closures."""
    chosen = draw(
        st.lists(
            st.dates(min_value=min_value, max_value=max_value),
            max_size=max_days,
            unique=True,
        )
    )
    buckets: dict[str, list[OverlayDay]] = {"days_off": [], "workdays": [], "closures": []}
    for i, day in enumerate(chosen):
        bucket = draw(st.sampled_from(sorted(buckets)))
        buckets[bucket].append(OverlayDay(day, f"{bucket} {i}"))
    region = draw(st.none() | st.sampled_from(["450000", "350500", "110000"]))
    return CalendarOverlay(
        name=draw(st.sampled_from(["regional", "office", "typhoon", "壮族三月三"])),
        region=region,
        days_off=tuple(buckets["days_off"]),
        workdays=tuple(buckets["workdays"]),
        closures=tuple(buckets["closures"]),
    )


@st.composite
def calendars(
    draw: st.DrawFn,
    *,
    base: WorkCalendar | None = None,
    max_overlays: int = 2,
) -> WorkCalendar:
    """``base`` (default: the national calendar) with up to ``max_overlays`` random overlays."""
    calendar = base or WorkCalendar.china()
    for overlay in draw(st.lists(overlays(), max_size=max_overlays)):
        calendar = calendar.with_overlay(overlay)
    return calendar


@st.composite
def clock_stops(
    draw: st.DrawFn,
    calendar: WorkCalendar,
    start: date,
    *,
    max_stops: int = 3,
    max_gap: int = 20,
    max_length: int = 15,
) -> list[ClockStop]:
    """Sorted, non-overlapping clock stops beginning after ``start`` (valid input).

    Gaps and lengths are in calendar days; stops may fall on weekends and holidays.
    ``calendar`` is accepted for symmetry with the other strategies.
    """
    del calendar  # stops are plain date ranges; the calendar decides what they stop
    stops: list[ClockStop] = []
    cursor = start
    for _ in range(draw(st.integers(0, max_stops))):
        begin = cursor + timedelta(days=draw(st.integers(1, max_gap)))
        end = begin + timedelta(days=draw(st.integers(0, max_length)))
        stops.append(ClockStop(kind=draw(st.sampled_from(STOP_KINDS)), start=begin, end=end))
        cursor = end
    return stops


@dataclass(frozen=True)
class PeriodSpec:
    """A period to compute: ``working_days`` (+ ``extension``) from ``start`` with stops."""

    calendar: WorkCalendar
    start: date
    working_days: int
    stops: Sequence[ClockStop]
    extension: int

    def due(self) -> date:
        """The due date under :func:`approval_rules.timelimits.due_date`."""
        return due_date(
            self.calendar,
            self.start,
            self.working_days,
            stops=self.stops,
            extension=self.extension,
        )


@st.composite
def period_specs(
    draw: st.DrawFn,
    calendar: WorkCalendar | None = None,
    *,
    max_working_days: int = 45,
    max_extension: int = 15,
) -> PeriodSpec:
    """A period spec whose due date stays inside the official data by default."""
    calendar = calendar or draw(calendars())
    start = draw(dates(calendar))
    return PeriodSpec(
        calendar=calendar,
        start=start,
        working_days=draw(st.integers(0, max_working_days)),
        stops=draw(clock_stops(calendar, start)),
        extension=draw(st.integers(0, max_extension)),
    )


# --- matters ---

_BUREAU = Department(id="test_bureau", name="测试市住房和城乡建设局")
_FIRE = Department(id="test_fire", name="测试市消防救援支队")
_WINDOW = Role(id="window", name="窗口受理人员")
_PEOPLE = (
    Person(id="p0", name="王月琴", department="test_bureau", roles=("window",), backup="p1"),
    Person(id="p1", name="陈倩", department="test_bureau", roles=("window",), backup="p0"),
    Person(id="p2", name="付红", department="test_bureau", backup="p3"),
    Person(id="p3", name="艾伟", department="test_bureau"),
    Person(id="p4", name="沈卫东", department="test_bureau"),
    Person(id="p5", name="李强", department="test_fire", backup="p6"),
    Person(id="p6", name="赵磊", department="test_fire"),
)
_BUREAU_STAFF = ("p2", "p3", "p4")
_FIRE_STAFF = ("p5", "p6")


def matter_catalogue(*matters: Matter) -> Catalogue:
    """A catalogue holding ``matters`` and the departments and people :func:`matters` uses."""
    return Catalogue(
        departments=types.MappingProxyType({d.id: d for d in (_BUREAU, _FIRE)}),
        roles=types.MappingProxyType({_WINDOW.id: _WINDOW}),
        people=types.MappingProxyType({p.id: p for p in _PEOPLE}),
        fee_items=types.MappingProxyType({}),
        matters=types.MappingProxyType({m.id: m for m in matters}),
    )


@st.composite
def _time_limits(draw: st.DrawFn) -> dict[str, object] | None:
    unit = draw(st.sampled_from(["none", "working_days", "half_days", "hours", "calendar_days"]))
    if unit == "none":
        return None
    if unit == "working_days":
        return {"value": draw(st.sampled_from([0.5, 1, 2, 3, 5, 7, 10]))}
    top = {"half_days": 4, "hours": 16, "calendar_days": 10}[unit]
    return {"value": draw(st.integers(1, top)), "unit": unit}


def _limit_days(limit: dict[str, object] | None) -> float:
    if limit is None:
        return 0.0
    value = float(limit["value"])  # type: ignore[arg-type]
    return {"half_days": value / 2, "hours": value / 8}.get(str(limit.get("unit")), value)


@st.composite
def matters(
    draw: st.DrawFn, *, min_steps: int = 3, max_steps: int = 12, matter_id: str = "generated"
) -> Matter:
    """Sound, DAG-shaped matters: they compile without errors (warnings are possible).

    Step 0 accepts (the only step without ``after:``), the last step closes (the only
    step no other step waits for), and the steps between are reviews, site surveys
    and co-department reviews in series and in parallel, each after 1-3 earlier
    steps; one of them decides.  Step limits mix working days, half days, hours and
    calendar days (or none); some steps may send a case back upstream or be only
    ``when: is_key_project``.  The promised limit covers the critical path.  Compile
    one with ``compile_matter(m, matter_catalogue(m))``.
    """
    n = draw(st.integers(max(min_steps, 3), max(max_steps, 3)))
    middle = range(1, n - 1)
    after: dict[int, list[int]] = {0: []}
    for i in middle:
        after[i] = sorted(draw(st.sets(st.integers(0, i - 1), min_size=1, max_size=3)))
    waited_for = {a for befores in after.values() for a in befores}
    after[n - 1] = [i for i in range(n - 1) if i not in waited_for]
    decider = draw(st.sampled_from(list(middle)))
    before_decider: set[int] = set()
    stack = [decider]
    while stack:
        for a in after[stack.pop()]:
            if a not in before_decider:
                before_decider.add(a)
                stack.append(a)
    ids = ["accept", *(f"step_{i}" for i in middle), "close"]
    limits = [draw(_time_limits()) for _ in range(n)]
    steps: list[dict[str, object]] = []
    for i in range(n):
        step: dict[str, object] = {
            "id": ids[i],
            "name": f"环节{i}",
            "after": [ids[a] for a in after[i]],
        }
        if i in (0, n - 1):
            step.update(kind="accept" if i == 0 else "close", signer_roles=["window"])
        elif i == decider:
            step.update(
                kind="decide",
                decides=True,
                signers=draw(
                    st.lists(st.sampled_from(_BUREAU_STAFF), min_size=1, max_size=2, unique=True)
                ),
            )
        else:
            kind = draw(
                st.sampled_from(
                    ["review", "site_survey", *(["co_review"] if i in before_decider else [])]
                )
            )
            staff = _FIRE_STAFF if kind == "co_review" else _BUREAU_STAFF
            step.update(
                kind=kind,
                signers=draw(
                    st.lists(st.sampled_from(staff), min_size=2, max_size=len(staff), unique=True)
                ),
            )
            if kind == "co_review":
                step["department"] = "test_fire"
            if draw(st.booleans()) and draw(st.booleans()):
                step["when"] = "is_key_project"
        if limits[i] is not None:
            step["time_limit"] = limits[i]
        upstream = sorted(a for a in before_decider if a < i) if i == decider else []
        send_back: bool = draw(st.booleans())
        if upstream and send_back:
            step["send_back_to"] = [ids[draw(st.sampled_from(upstream))]]
        steps.append(step)
    finish = [0.0] * n
    for i in range(n):
        start = max((finish[a] for a in after[i]), default=0.0)
        finish[i] = start + _limit_days(limits[i])
    promised = math.ceil(max(finish)) + draw(st.integers(0, 5)) or 1
    statutory = promised + draw(st.integers(0, 20))
    return Matter.model_validate(
        {
            "kind": "matter",
            "id": matter_id,
            "name": "生成的审批事项",
            "catalogue_code": "000000000000",
            "implementation_code": "000000000000-1",
            "matter_type": "administrative_license",
            "lead_department": "test_bureau",
            "co_departments": ["test_fire"] if any(s["kind"] == "co_review" for s in steps) else [],
            "legal_basis": [{"law": "中华人民共和国行政许可法"}],
            "case_type": "promised",
            "time_limits": {"statutory": {"value": statutory}, "promised": {"value": promised}},
            "applicant_fields": [{"id": "is_key_project", "name": "重点项目", "type": "boolean"}],
            "steps": steps,
            "result": {"name": "生成的许可证"},
        }
    )


def processes(*, min_steps: int = 3, max_steps: int = 12) -> st.SearchStrategy[Process]:
    """Compiled processes of :func:`matters`."""
    return matters(min_steps=min_steps, max_steps=max_steps).map(
        lambda m: compile_matter(m, matter_catalogue(m))
    )
