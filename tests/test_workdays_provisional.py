"""The provisional calendar: the holiday law's days, the projected swaps and the bounds."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from approval_rules.errors import DefinitionError, Severity
from approval_rules.workdays import (
    CalendarOverlay,
    DayKind,
    Estimate,
    Layer,
    OverlayDay,
    WorkCalendar,
    load_overlay,
    parse_overlay,
)
from approval_rules.workdays.statutory import festivals, table_years

CN = WorkCalendar.china()
PROVISIONAL = WorkCalendar.china(provisional=True)
#: The law-derived construction for every year (no official data at all).
LAW = WorkCalendar.from_days(years=(), provisional=True, name="law")
D = date
ONE = timedelta(days=1)


def _days(year: int) -> list[date]:
    first = D(year, 1, 1)
    return [first + k * ONE for k in range((D(year, 12, 31) - first).days + 1)]


# --------------------------------------------------------------------------- the law, 2027


@pytest.mark.parametrize(
    ("day", "name", "layer"),
    [
        (D(2027, 1, 1), "元旦", Layer.STATUTORY),
        (D(2027, 2, 5), "春节", Layer.STATUTORY),  # 除夕 = 腊月廿九 (the 12th month is short)
        (D(2027, 2, 8), "春节", Layer.STATUTORY),  # 初三
        (D(2027, 2, 9), "春节", Layer.IN_LIEU),  # 补假 for Sat 02-06
        (D(2027, 2, 10), "春节", Layer.IN_LIEU),  # 补假 for Sun 02-07
        (D(2027, 4, 5), "清明", Layer.STATUTORY),
        (D(2027, 5, 3), "劳动节", Layer.IN_LIEU),  # 1-2 May are Sat-Sun
        (D(2027, 5, 4), "劳动节", Layer.IN_LIEU),
        (D(2027, 6, 9), "端午", Layer.STATUTORY),
        (D(2027, 9, 15), "中秋", Layer.STATUTORY),
        (D(2027, 10, 1), "国庆节", Layer.STATUTORY),
        (D(2027, 10, 4), "国庆节", Layer.IN_LIEU),  # 2-3 Oct are Sat-Sun
        (D(2027, 10, 5), "国庆节", Layer.IN_LIEU),
    ],
)
def test_2027_days_off_from_the_law(day: date, name: str, layer: Layer) -> None:
    """2027's statutory days and 补假 are off on every estimate, certain, flagged provisional."""
    info = PROVISIONAL.describe(day)
    assert not info.is_workday
    assert (info.kind, info.name, info.layer) == (DayKind.HOLIDAY, name, layer)
    assert info.provisional
    assert info.certain
    assert not PROVISIONAL.earliest.is_workday(day)
    assert not PROVISIONAL.latest.is_workday(day)
    assert not CN.is_provisional(day)  # a strict calendar raises instead of guessing


@pytest.mark.parametrize("day", [D(2027, 2, 11), D(2027, 2, 12), D(2027, 5, 5), D(2027, 10, 6),
                                 D(2027, 10, 7)])  # fmt: skip
def test_2027_projected_days_off(day: date) -> None:
    """The swap principles' probable extra days off: worked in best, off in the latest bound."""
    info = PROVISIONAL.describe(day)
    assert info.is_workday
    assert info.layer is Layer.PROJECTED
    assert not info.certain
    assert "probably off" in info.reason
    assert not PROVISIONAL.latest.is_workday(day)
    assert PROVISIONAL.earliest.is_workday(day)


def test_2027_year_report() -> None:
    """248 working days (261 weekdays − 13); 5 projected days off; 24 make-up candidates."""
    report = PROVISIONAL.year_report(2027)
    assert report.provisional
    assert report.workdays == 248
    assert [i.date for i in report.projected] == [
        D(2027, 2, 11), D(2027, 2, 12), D(2027, 5, 5), D(2027, 10, 6), D(2027, 10, 7)
    ]  # fmt: skip
    assert len(report.candidates) == 24
    assert all(i.date.weekday() >= 5 and not i.is_workday for i in report.candidates)
    assert report.makeup_workdays == ()  # unknowable until the notice
    # 13 statutory days (6 of them on weekends) and 6 补假
    assert len(report.days_off) == 19
    assert sum(i.layer is Layer.IN_LIEU for i in report.days_off) == 6
    assert PROVISIONAL.latest.year_report(2027).workdays == 248 - 5
    assert PROVISIONAL.earliest.year_report(2027).workdays == 248 + 24


def test_twenty_working_days_from_2026_12_04() -> None:
    """The issue's case: +20 WD from 2026-12-04 is Mon 2027-01-04 (元旦 excluded)."""
    assert PROVISIONAL.add_workdays(D(2026, 12, 4), 20) == D(2027, 1, 4)
    assert PROVISIONAL.earliest.add_workdays(D(2026, 12, 4), 20) == D(2027, 1, 4)
    assert PROVISIONAL.latest.add_workdays(D(2026, 12, 4), 20) == D(2027, 1, 4)
    assert PROVISIONAL.is_provisional(D(2026, 12, 4), D(2027, 1, 4))


def test_next_workday_from_a_weekend_beyond_the_official_years() -> None:
    """Mutation pin (issue #11): the slow path from a weekend must take the next weekday.

    Sat 2030-01-05 → Mon 2030-01-07 (元旦 2030 is Tue 01-01; nothing else nearby).  The
    earliest bound counts Sun 01-06 as a possible make-up day (元旦 on a Tuesday
    probably takes Mon 2029-12-31 off, repaid on a weekend nearby).  Beyond the
    statutory table (2101) the weekend rule alone applies: Sat 2101-01-01 → Mon 01-03.
    """
    for cal in (PROVISIONAL, PROVISIONAL.latest):
        assert cal.next_workday(D(2030, 1, 5)) == D(2030, 1, 7)
        assert cal.next_workday(D(2030, 1, 6)) == D(2030, 1, 7)
    assert PROVISIONAL.earliest.next_workday(D(2030, 1, 5)) == D(2030, 1, 6)
    assert D(2101, 1, 1).weekday() == 5
    assert PROVISIONAL.next_workday(D(2101, 1, 1)) == D(2101, 1, 3)
    assert PROVISIONAL.add_workdays(D(2101, 1, 1), 0) == D(2101, 1, 3)
    assert PROVISIONAL.previous_workday(D(2101, 1, 3)) == D(2100, 12, 31)


def test_2028_mid_autumn_on_national_day() -> None:
    """中秋 2028 is 03 Oct, a 国庆 day: one day off, no 补假 for it; 国庆 projects 8 days."""
    days = {d for f in festivals(2028) for d in f.days}
    assert len(days) == 12
    assert not PROVISIONAL.is_workday(D(2028, 10, 3))
    projected = [i.date for i in PROVISIONAL.year_report(2028).projected]
    assert D(2028, 10, 6) in projected
    assert D(2028, 10, 9) not in projected  # 1-8 Oct, not beyond
    assert not PROVISIONAL.latest.is_workday(D(2028, 10, 6))


def test_the_table_has_the_laws_shape_every_year() -> None:
    """2025–2100: 13 days a year in the law's order and places (Art. 2)."""
    assert table_years() == range(2025, 2101)
    for year in table_years():
        items = festivals(year)
        assert [f.name for f in items] == [
            "元旦",
            "春节",
            "清明",
            "劳动节",
            "端午",
            "中秋",
            "国庆节",
        ]
        assert sum(len(f.days) for f in items) == 13
        spring = items[1].days
        assert [(d - spring[0]).days for d in spring] == [0, 1, 2, 3]
        assert D(year, 1, 20) <= spring[0] <= D(year, 2, 20)
        assert D(year, 4, 4) <= items[2].days[0] <= D(year, 4, 6)
        assert items[6].days == (D(year, 10, 1), D(year, 10, 2), D(year, 10, 3))
    assert festivals(2024) == ()  # the old law (11 days) is not in the table


# --------------------------------------------------------------------------- against 2025/26


@pytest.mark.parametrize("year", [2025, 2026])
def test_law_agrees_with_the_official_years(year: int) -> None:
    """Where a notice exists, the construction is checked day by day against it.

    * every statutory day and every 补假 is an official day off (the certain layer);
    * every projected day is an official day off, and every official weekday off is
      certain or projected (the swap principles matched both notices exactly);
    * every official make-up workday is a candidate (so the bounds held).
    """
    statutory = 0
    for day in _days(year):
        info = LAW.describe(day)
        official = CN.is_workday(day)
        if info.layer is Layer.STATUTORY:
            statutory += 1
        if info.layer in (Layer.STATUTORY, Layer.IN_LIEU, Layer.PROJECTED):
            assert not official, day
        elif day.weekday() < 5:
            assert official, day
        if official and day.weekday() >= 5:
            assert info.layer is Layer.CANDIDATE, day
    assert statutory == 13


@given(
    d=st.dates(min_value=D(2024, 12, 1), max_value=D(2026, 10, 31)),
    n=st.integers(min_value=0, max_value=30),
)
@example(d=D(2025, 1, 24), n=5)  # into 春节 2025 and its Sun 01-26 make-up day
@example(d=D(2026, 9, 18), n=10)  # 中秋 + 国庆 2026, make-up Sun 09-20
def test_the_bounds_held_on_the_official_years(d: date, n: int) -> None:
    """earliest ≤ official ≤ latest, computed from the law alone, for 2025 and 2026."""
    official = CN.add_workdays(d, n)
    assert LAW.earliest.add_workdays(d, n) <= official <= LAW.latest.add_workdays(d, n)


# --------------------------------------------------------------------------- properties


def _weekends_only(d: date, n: int) -> date:
    """The old provisional answer: official data, weekends only beyond it (n ≥ 0)."""

    def working(day: date) -> bool:
        return CN.is_workday(day) if day.year <= 2026 else day.weekday() < 5

    if n == 0:
        while not working(d):
            d += ONE
        return d
    while n:
        d += ONE
        n -= working(d)
    return d


provisional_dates = st.dates(min_value=D(2026, 6, 1), max_value=D(2030, 12, 31))


@given(d=provisional_dates, n=st.integers(0, 80))
@example(d=D(2026, 12, 31), n=1)  # Thu -> 元旦 2027 skipped: Mon 01-04
@example(d=D(2027, 1, 29), n=1)  # a candidate make-up Sunday follows
def test_provisional_answers_never_come_before_weekends_only(d: date, n: int) -> None:
    """The law only removes working days, so best and latest never beat weekends-only."""
    floor = _weekends_only(d, n)
    assert PROVISIONAL.add_workdays(d, n) >= floor
    assert PROVISIONAL.latest.add_workdays(d, n) >= floor


@given(d=provisional_dates, n=st.integers(-80, 80))
@example(d=D(2027, 1, 22), n=20)
@example(d=D(2027, 9, 24), n=5)
@example(d=D(2027, 2, 1), n=-1)
def test_earliest_best_latest_are_ordered(d: date, n: int) -> None:
    """earliest ≤ best ≤ latest counting forward (more working days end sooner);
    counting back the order turns round."""
    ends = [
        cal.add_workdays(d, n) for cal in (PROVISIONAL.earliest, PROVISIONAL, PROVISIONAL.latest)
    ]
    assert ends == sorted(ends, reverse=n < 0)


@given(d=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 10, 31)), n=st.integers(0, 40))
def test_bounds_collapse_on_official_years(d: date, n: int) -> None:
    """Where the notice is known the three estimates are one date."""
    best = PROVISIONAL.add_workdays(d, n)
    if best.year <= 2026:
        assert (
            PROVISIONAL.earliest.add_workdays(d, n) == best == PROVISIONAL.latest.add_workdays(d, n)
        )
        assert best == CN.add_workdays(d, n)
        assert not PROVISIONAL.is_provisional(d, best)


# --------------------------------------------------------------------------- variants


def test_variants_are_pinned_and_strict_calendars_have_none() -> None:
    """A variant's own variants are itself; a strict calendar is its own variants."""
    for variant in (PROVISIONAL.best, PROVISIONAL.earliest, PROVISIONAL.latest):
        assert variant.best is variant.earliest is variant.latest is variant
        assert variant.provisional
        assert variant.years == PROVISIONAL.years
    assert PROVISIONAL.estimate is None
    assert PROVISIONAL.earliest.estimate is Estimate.EARLIEST
    assert PROVISIONAL.earliest is PROVISIONAL.earliest  # built once
    assert PROVISIONAL.variant(Estimate.LATEST) is PROVISIONAL.latest
    assert PROVISIONAL.variant("earliest") is PROVISIONAL.earliest  # type: ignore[arg-type]
    assert CN.best is CN.earliest is CN.latest is CN
    assert len({PROVISIONAL.fingerprint, PROVISIONAL.best.fingerprint,
                PROVISIONAL.earliest.fingerprint, PROVISIONAL.latest.fingerprint}) == 4  # fmt: skip
    assert "(earliest)" in repr(PROVISIONAL.earliest)


def test_a_variant_survives_pickling_and_overlays() -> None:
    """Pickling keeps the estimate; an overlay on a variant gives the same variant."""
    copy = pickle.loads(pickle.dumps(PROVISIONAL.latest))
    assert copy == PROVISIONAL.latest
    assert copy.estimate is Estimate.LATEST
    closure = CalendarOverlay("台风", closures=(OverlayDay(D(2027, 3, 3), "台风"),))
    derived = PROVISIONAL.latest.with_overlay(closure)
    assert derived.estimate is Estimate.LATEST
    assert derived == PROVISIONAL.with_overlay(closure).latest


def test_from_days_can_be_provisional() -> None:
    """An explicit calendar made provisional follows the law outside its years."""
    cal = WorkCalendar.from_days(years=[2026], holidays=[D(2026, 1, 1)], provisional=True)
    assert not cal.is_workday(D(2027, 10, 1))
    assert cal.is_workday(D(2026, 10, 1))  # 2026 is this calendar's data: weekends + 元旦
    assert not cal.is_provisional(D(2026, 10, 1))


# --------------------------------------------------------------------------- the notice arrives

NOTICE_2027 = """\
kind: calendar_overlay
name: 2027年部分节假日安排
source: 国办发明电〔2026〕X号 (a made-up transcription for the test)
years: [2027]
days_off: [2027-01-01, 2027-01-02, 2027-01-03,
           2027-02-05, 2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10,
           2027-02-11, 2027-02-12, 2027-02-13, 2027-02-14,
           2027-04-03, 2027-04-04, 2027-04-05,
           2027-05-01, 2027-05-02, 2027-05-03, 2027-05-04, 2027-05-05,
           2027-06-09, 2027-09-15,
           2027-10-01, 2027-10-02, 2027-10-03, 2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07]
workdays: [2027-01-31, 2027-02-20, 2027-04-25, 2027-09-26, 2027-10-09]
"""


def test_an_overlay_transcribing_the_notice_makes_the_year_official() -> None:
    """years: [2027] replaces the construction: no flag, no bounds, a new fingerprint."""
    notice = load_overlay(NOTICE_2027)
    cal = PROVISIONAL.with_overlay(notice)
    assert 2027 in cal.years
    assert not cal.is_provisional(D(2026, 12, 4), D(2027, 12, 31))
    assert cal.fingerprint != PROVISIONAL.fingerprint
    assert cal.is_workday(D(2027, 1, 31))  # a make-up Sunday of the notice
    assert not cal.is_workday(D(2027, 2, 11))
    info = cal.describe(D(2027, 2, 9))
    assert (info.kind, info.source, info.layer, info.provisional) == (
        DayKind.HOLIDAY, "2027年部分节假日安排", None, False
    )  # fmt: skip
    for d in _days(2027):
        assert cal.earliest.is_workday(d) == cal.is_workday(d) == cal.latest.is_workday(d)
    # The strict calendar with the same overlay answers the same.
    strict = CN.with_overlay(notice)
    assert strict.add_workdays(D(2026, 12, 4), 60) == cal.add_workdays(D(2026, 12, 4), 60)
    # 2028 stays provisional.
    assert cal.is_provisional(D(2028, 1, 1))


def test_a_regional_overlay_keeps_a_provisional_year_provisional() -> None:
    """Regional days off apply on every estimate and leave the year provisional."""
    regional = load_overlay(
        'kind: calendar_overlay\nname: 广西壮族三月三\nregion: "450000"\ndays_off: [2027-04-09]\n'
    )
    cal = PROVISIONAL.with_overlay(regional)
    assert cal.is_provisional(D(2027, 4, 9))
    for variant in (cal, cal.earliest, cal.latest):
        assert not variant.is_workday(D(2027, 4, 9))
    assert cal.describe(D(2027, 4, 9)).source == "广西壮族三月三"
    assert not cal.is_workday(D(2027, 2, 5))  # the law still applies around it


def test_a_declared_year_without_days_off_is_refused() -> None:
    """years: [2027] with no day off would make 元旦 and 春节 working days: an error."""
    text = "kind: calendar_overlay\nname: x\nyears: [2026, 2027]\nclosures: [2027-03-01]\n"
    with pytest.raises(DefinitionError) as info:
        load_overlay(text, file="o.yaml")
    issues = info.value.issues
    assert [(i.code, i.span.line, i.span.column) for i in issues if i.span] == [
        ("overlay-year-without-days-off", 3, 9),
        ("overlay-year-without-days-off", 3, 15),
    ]
    assert "元旦 and 春节 2027 would count as working days" in issues[1].message
    assert "days_off" in (issues[1].hint or "")
    with pytest.raises(ValueError, match="lists no day off in 2027"):
        CalendarOverlay("x", years=(2027,))


def test_a_declared_year_missing_a_statutory_day_is_warned_about() -> None:
    """A transcription that forgets 国庆 day 3 loads, with a warning naming the day."""
    text = NOTICE_2027.replace("2027-10-03, ", "")
    overlay, issues = parse_overlay(text)
    assert overlay is not None
    assert [(i.code, i.severity) for i in issues] == [
        ("overlay-missing-statutory-day", Severity.WARNING)
    ]
    assert "2027-10-03 国庆节" in issues[0].message
    _, clean = parse_overlay(NOTICE_2027)
    assert clean == []
