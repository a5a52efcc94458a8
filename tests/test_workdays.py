"""WorkCalendar: the counting rule, official data, coverage, overlays."""

from __future__ import annotations

import pickle
from datetime import date, datetime
from pathlib import Path

import pytest

from approval_rules.errors import CalendarError, CalendarNotPublished, DefinitionError, Severity
from approval_rules.workdays import (
    CalendarOverlay,
    DayKind,
    OverlayDay,
    WorkCalendar,
    load_overlay,
    parse_overlay,
)

CN = WorkCalendar.china()
D = date


# --------------------------------------------------------------------------- counting rule


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # DOMAIN.md §2 worked examples.
        (D(2025, 9, 26), 5, D(2025, 10, 10)),
        (D(2025, 9, 26), 20, D(2025, 10, 30)),
        (D(2025, 9, 26), 30, D(2025, 11, 13)),
        (D(2025, 9, 26), 45, D(2025, 12, 4)),
        (D(2025, 9, 26), 60, D(2025, 12, 25)),
        (D(2025, 10, 30), 10, D(2025, 11, 13)),
        (D(2026, 2, 13), 20, D(2026, 3, 19)),
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        (D(2025, 3, 3), 20, D(2025, 3, 31)),
        # The start day is not counted, whatever it is.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Fri -> the make-up Sunday
        (D(2025, 9, 27), 1, D(2025, 9, 28)),  # Sat -> make-up Sunday
        (D(2025, 9, 28), 1, D(2025, 9, 29)),  # make-up Sunday itself not counted
        (D(2025, 10, 4), 1, D(2025, 10, 9)),  # inside 国庆 -> first day after it
        (D(2025, 10, 1), 1, D(2025, 10, 9)),
        # research §5.3: find_workday(20, Sun 2024-07-28) gives 2024-08-26, wrongly.
        (D(2024, 7, 28), 20, D(2024, 8, 23)),
    ],
)
def test_add_workdays_examples(start: date, n: int, expected: date) -> None:
    """add_workdays gives the n-th working day strictly after the start."""
    assert CN.add_workdays(start, n) == expected
    assert CN.workdays_between(start, expected) == n


def test_zero_is_the_day_itself_or_the_next_working_day() -> None:
    """n = 0 keeps a working day and rolls a day off forward."""
    assert CN.add_workdays(D(2025, 9, 29), 0) == D(2025, 9, 29)
    assert CN.add_workdays(D(2025, 9, 28), 0) == D(2025, 9, 28)  # make-up Sunday
    assert CN.add_workdays(D(2025, 10, 4), 0) == D(2025, 10, 9)
    assert CN.add_workdays(D(2025, 9, 27), 0) == D(2025, 9, 28)


def test_negative_counts_back() -> None:
    """Negative n is the |n|-th working day strictly before the start."""
    assert CN.add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert CN.add_workdays(D(2025, 10, 4), -1) == D(2025, 9, 30)
    assert CN.add_workdays(D(2025, 10, 9), -3) == D(2025, 9, 28)
    assert CN.add_workdays(D(2025, 10, 9), -4) == D(2025, 9, 26)
    assert CN.previous_workday(D(2026, 3, 2)) == D(2026, 2, 28)


def test_next_workday_is_strictly_after() -> None:
    """next_workday never returns its argument."""
    assert CN.next_workday(D(2026, 2, 13)) == D(2026, 2, 14)
    assert CN.next_workday(D(2026, 2, 14)) == D(2026, 2, 24)


def test_workdays_between_counts_the_half_open_interval() -> None:
    """(a, b] is counted; reversed arguments give the negative count."""
    assert CN.workdays_between(D(2025, 9, 26), D(2025, 9, 26)) == 0
    assert CN.workdays_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert CN.workdays_between(D(2025, 9, 26), D(2025, 10, 10)) == 5
    assert CN.workdays_between(D(2025, 10, 10), D(2025, 9, 26)) == -5
    assert CN.workdays_between(D(2004, 1, 1), D(2026, 12, 31)) > 5000


def test_whole_range_counts() -> None:
    """Arithmetic works from the first to the last official day."""
    first, last = D(2004, 1, 1), D(2026, 12, 31)
    total = CN.workdays_between(first, last)
    assert CN.add_workdays(first, total) == CN.add_workdays(last, 0) or not CN.is_workday(last)
    assert CN.add_workdays(CN.add_workdays(first, 1), total - 1) <= last


# --------------------------------------------------------------------------- official data


@pytest.mark.parametrize(("year", "workdays"), [(2024, 251), (2025, 248), (2026, 248)])
def test_working_days_per_year(year: int, workdays: int) -> None:
    """Yearly working-day totals match the State Council notices."""
    assert CN.year_report(year).workdays == workdays


@pytest.mark.parametrize(
    ("year", "makeup"),
    [
        (2024, ["02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"]),
        (2025, ["01-26", "02-08", "04-27", "09-28", "10-11"]),
        (2026, ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"]),
    ],
)
def test_makeup_workdays(year: int, makeup: list[str]) -> None:
    """The year report lists exactly the notice's make-up workdays."""
    report = CN.year_report(year)
    assert [i.date.isoformat()[5:] for i in report.makeup_workdays] == makeup
    assert all(i.is_workday and i.name for i in report.makeup_workdays)


def test_describe_names_the_reason() -> None:
    """describe tells weekend, holiday (with name), make-up workday and plain workday apart."""
    sunday_in_spring_festival = CN.describe(D(2026, 2, 15))
    assert not sunday_in_spring_festival.is_workday
    assert sunday_in_spring_festival.kind is DayKind.HOLIDAY
    assert sunday_in_spring_festival.name == "春节"
    assert sunday_in_spring_festival.reason == "holiday 春节"
    makeup = CN.describe(D(2026, 2, 14))
    assert makeup.is_workday
    assert makeup.kind is DayKind.MAKEUP_WORKDAY
    assert makeup.reason == "make-up workday (春节)"
    assert CN.describe(D(2026, 3, 7)).kind is DayKind.WEEKEND
    plain = CN.describe(D(2026, 3, 9))
    assert plain.is_workday
    assert plain.kind is DayKind.WORKDAY
    assert plain.name is None
    assert CN.describe(D(2025, 10, 1)).name == "国庆节"


def test_2005_12_31_is_the_2006_new_year_makeup_workday() -> None:
    """The erratum from 国办发明电〔2005〕35号 is applied over the data package."""
    info = CN.describe(D(2005, 12, 31))
    assert info.is_workday
    assert info.kind is DayKind.MAKEUP_WORKDAY


def test_non_working_days_leave_out_plain_weekends_by_default() -> None:
    """Holiday runs are listed, ordinary weekends only on request."""
    days = CN.non_working_days(2026)
    assert D(2026, 2, 15) in [i.date for i in days]
    assert D(2026, 3, 7) not in [i.date for i in days]
    assert len(CN.non_working_days(2026, include_weekends=True)) == 365 - 248


# --------------------------------------------------------------------------- coverage


def test_coverage_years() -> None:
    """The national calendar covers 2004-2026 (chinesecalendar 1.11)."""
    assert (CN.first_year, CN.last_year) == (2004, 2026)
    assert CN.covers(D(2026, 12, 31))
    assert not CN.covers(D(2027, 1, 1))
    assert not CN.provisional


@pytest.mark.parametrize(
    "call",
    [
        lambda: CN.is_workday(D(2027, 1, 4)),
        lambda: CN.add_workdays(D(2026, 12, 20), 20),
        lambda: CN.add_workdays(D(2027, 3, 1), 1),
        lambda: CN.add_workdays(D(2004, 1, 5), -5),
        lambda: CN.workdays_between(D(2026, 12, 1), D(2027, 1, 10)),
        lambda: CN.describe(D(2003, 6, 1)),
        lambda: CN.year_report(2027),
    ],
)
def test_beyond_official_data_is_refused(call: object) -> None:
    """Nothing is guessed beyond the official data on a strict calendar: one error class."""
    with pytest.raises(CalendarNotPublished, match=r"no official working-day data for") as info:
        call()  # type: ignore[operator]
    assert info.value.year in (2027, 2003)
    assert f"no official working-day data for {info.value.year}" in str(info.value)
    assert info.value.code == "calendar-not-published"
    assert isinstance(info.value, CalendarError)


def test_refusal_says_how_to_add_the_year() -> None:
    """The error names the year and the overlay that would fix it."""
    with pytest.raises(CalendarError) as info:
        CN.add_workdays(D(2026, 12, 20), 20)
    message = str(info.value)
    assert "2027" in message
    assert "years: [2027]" in message
    assert "overlay" in message
    assert "provisional" in message


def test_provisional_calendar_follows_the_law_and_says_so() -> None:
    """A provisional calendar counts the law's days off beyond the data and flags it."""
    cal = WorkCalendar.china(provisional=True)
    due = cal.add_workdays(D(2026, 12, 20), 20)
    assert due == D(2027, 1, 18)  # weekends only would give 01-15; 元旦 (Fri) is off
    assert cal.is_provisional(D(2026, 12, 20), due)
    assert not cal.is_provisional(D(2026, 12, 20))
    assert cal.describe(D(2027, 1, 1)).provisional
    assert not cal.describe(D(2027, 1, 1)).is_workday
    assert cal.year_report(2027).provisional
    assert cal.fingerprint != CN.fingerprint
    # Inside the data nothing changes.
    assert cal.add_workdays(D(2026, 2, 13), 20) == D(2026, 3, 19)
    assert not CN.is_provisional(D(2030, 1, 1))


def test_provisional_before_the_data() -> None:
    """Counting back before 2004 is weekends only on a provisional calendar."""
    cal = WorkCalendar.china(provisional=True)
    assert cal.add_workdays(D(2004, 1, 2), -2) == D(2003, 12, 30)
    assert cal.workdays_between(D(2003, 12, 26), D(2004, 1, 2)) == 4


def test_an_overlay_can_declare_a_new_year() -> None:
    """years: [2027] makes 2027 official: weekends plus the listed days."""
    overlay = load_overlay(
        """
kind: calendar_overlay
name: 2027 notice
years: [2027]
days_off:
  - {date: 2027-01-01, name: 元旦}
workdays:
  - {date: 2027-01-09, name: 元旦调休}
"""
    )
    cal = CN.with_overlay(overlay)
    assert cal.last_year == 2027
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.describe(D(2027, 1, 1)).kind is DayKind.HOLIDAY
    assert cal.is_workday(D(2027, 1, 9))
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert not cal.is_provisional(D(2027, 6, 1))


# --------------------------------------------------------------------------- types


@pytest.mark.parametrize("bad", [datetime(2026, 2, 13, 9, 0), "2026-02-13", 20260213, None])
def test_only_dates_are_accepted(bad: object) -> None:
    """A datetime (a date subclass) or a string where a date is expected is a TypeError."""
    with pytest.raises(TypeError, match=r"datetime\.date"):
        CN.add_workdays(bad, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CN.is_workday(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CN.workdays_between(D(2026, 1, 5), bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CN.describe(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [1.0, True, "3"])
def test_n_must_be_an_int(bad: object) -> None:
    """n must be an int (not a bool, float or string)."""
    with pytest.raises(TypeError):
        CN.add_workdays(D(2026, 1, 5), bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- calendar values


def test_calendar_is_immutable() -> None:
    """Attributes cannot be set; with_overlay returns a new calendar."""
    with pytest.raises(AttributeError):
        CN._provisional = True  # type: ignore[misc]
    overlay = CalendarOverlay("closure", closures=(OverlayDay(D(2026, 3, 9), "台风"),))
    closed = CN.with_overlay(overlay)
    assert closed is not CN
    assert CN.is_workday(D(2026, 3, 9))
    assert not closed.is_workday(D(2026, 3, 9))


def test_fingerprint_tracks_answers_not_names() -> None:
    """Same answers, same fingerprint; any changed day changes it."""
    assert CN.fingerprint == WorkCalendar.china().fingerprint
    assert CN.fingerprint.startswith("sha256:")
    assert len(CN.fingerprint) == 7 + 16
    closed = CN.with_overlay(CalendarOverlay("a", closures=(OverlayDay(D(2026, 3, 9), "x"),)))
    renamed = CN.with_overlay(CalendarOverlay("b", days_off=(OverlayDay(D(2026, 3, 9), "y"),)))
    assert closed.fingerprint != CN.fingerprint
    assert closed.fingerprint == renamed.fingerprint
    assert closed == renamed
    assert hash(closed) == hash(renamed)
    no_op = CN.with_overlay(CalendarOverlay("c", days_off=(OverlayDay(D(2026, 3, 7), "Sat"),)))
    assert no_op == CN


def test_pickle_round_trip() -> None:
    """A calendar survives pickling with the same answers."""
    cal = CN.with_overlay(CalendarOverlay("a", closures=(OverlayDay(D(2026, 3, 9), "x"),)))
    copy = pickle.loads(pickle.dumps(cal))
    assert copy == cal
    assert copy.add_workdays(D(2026, 3, 6), 1) == D(2026, 3, 10)
    assert copy.overlays == cal.overlays


def test_later_overlay_wins() -> None:
    """Overlays apply in order; the last one decides a date."""
    off = CalendarOverlay("off", closures=(OverlayDay(D(2026, 3, 9), "typhoon"),))
    on = CalendarOverlay("on", workdays=(OverlayDay(D(2026, 3, 9), "reopened"),))
    assert CN.with_overlay(off).with_overlay(on).is_workday(D(2026, 3, 9))
    assert not CN.with_overlay(on).with_overlay(off).is_workday(D(2026, 3, 9))
    info = CN.with_overlay(off).describe(D(2026, 3, 9))
    assert info.kind is DayKind.CLOSURE
    assert info.source == "off"
    assert info.reason == "office closure typhoon [overlay off]"


def test_from_days() -> None:
    """An explicit calendar: weekends, plus holidays, minus make-up workdays."""
    cal = WorkCalendar.from_days(
        years=[2030],
        holidays={D(2030, 1, 1): "New Year"},
        makeup_workdays=[D(2030, 1, 5)],
    )
    assert not cal.is_workday(D(2030, 1, 1))
    assert cal.is_workday(D(2030, 1, 5))
    assert cal.describe(D(2030, 1, 1)).name == "New Year"
    # The start day is not counted, so only (d, result] needs data.
    assert cal.add_workdays(D(2029, 12, 31), 1) == D(2030, 1, 2)
    with pytest.raises(CalendarError, match="2031"):
        cal.add_workdays(D(2030, 12, 31), 1)
    with pytest.raises(CalendarError, match="2029"):
        cal.add_workdays(D(2029, 12, 31), 0)


def test_from_days_refuses_contradictions() -> None:
    """A day both off and worked, or outside the years, is a ValueError."""
    with pytest.raises(ValueError, match="both"):
        WorkCalendar.from_days(
            years=[2030], holidays=[D(2030, 1, 1)], makeup_workdays=[D(2030, 1, 1)]
        )
    with pytest.raises(ValueError, match="outside"):
        WorkCalendar.from_days(years=[2030], holidays=[D(2031, 1, 1)])
    with pytest.raises(TypeError):
        WorkCalendar.from_days(years=[2030], holidays=[datetime(2030, 1, 1)])


# --------------------------------------------------------------------------- overlay files

GUANGXI = """\
# yaml-language-server: $schema=../schemas/calendar-overlay.schema.json
kind: calendar_overlay
name: 广西壮族三月三
region: "450000"
days_off:   [{date: 2026-04-20, name: 壮族三月三}, {date: 2026-04-21, name: 壮族三月三}]
workdays:   [{date: 2026-04-26, name: 调休上班}]
closures:   [{date: 2026-09-15, name: 台风停止办公}]
"""


def test_load_overlay_from_text_and_file(tmp_path: Path) -> None:
    """An overlay loads from text or from a file, and changes the calendar."""
    overlay = load_overlay(GUANGXI)
    assert overlay.name == "广西壮族三月三"
    assert overlay.region == "450000"
    assert [d.date for d in overlay.days_off] == [D(2026, 4, 20), D(2026, 4, 21)]
    path = tmp_path / "guangxi.yaml"
    path.write_text(GUANGXI, encoding="utf-8")
    from_file = load_overlay(path)
    assert from_file == overlay
    assert from_file.file == str(path)
    cal = WorkCalendar.china(overlays=[path])
    assert not cal.is_workday(D(2026, 4, 20))
    assert cal.is_workday(D(2026, 4, 26))  # a Sunday worked
    assert not cal.is_workday(D(2026, 9, 15))
    assert cal.describe(D(2026, 4, 20)).reason == "day off 壮族三月三 [overlay 广西壮族三月三]"
    assert cal.name == "cn+广西壮族三月三"
    # Fri 4/17 + 1: Mon 4/20 and Tue 4/21 off.
    assert cal.add_workdays(D(2026, 4, 17), 1) == D(2026, 4, 22)


def _codes(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(DefinitionError) as info:
        load_overlay(text, file="o.yaml")
    return [(i.code, i.span.line, i.span.column) for i in info.value.issues if i.span]


def test_bad_date_is_reported_with_its_position() -> None:
    """2026-02-30 is not silently accepted: overlay-bad-date at its line and column."""
    text = "kind: calendar_overlay\nname: x\ndays_off:\n  - {date: 2026-02-30, name: x}\n"
    assert _codes(text) == [("overlay-bad-date", 4, 12)]
    with pytest.raises(DefinitionError, match=r"o\.yaml:4:12: error\[overlay-bad-date\]"):
        load_overlay(text, file="o.yaml")


def test_every_problem_is_reported_at_once() -> None:
    """unknown-key (with did-you-mean), missing-key, wrong-type and conflicts together."""
    text = (
        "kind: calendar_overlay\n"  # 1
        "days_of:\n"  # 2
        "  - {date: 2026-04-20}\n"  # 3
        "workdays:\n"  # 4
        "  - {date: 2026-04-26, name: a}\n"  # 5
        "closures:\n"  # 6
        "  - {date: 2026-04-26, name: b}\n"  # 7
        "  - {name: no date}\n"  # 8
        "  - date: 2026/09/15\n"  # 9
        "years: 2027\n"  # 10
        "region: 45\n"  # 11
    )
    with pytest.raises(DefinitionError) as info:
        load_overlay(text, file="o.yaml")
    issues = info.value.issues
    found = {(i.code, i.span.line) for i in issues if i.span}
    assert ("unknown-key", 2) in found
    assert ("overlay-conflict", 7) in found
    assert ("missing-key", 8) in found
    assert ("overlay-bad-date", 9) in found
    assert ("wrong-type", 10) in found
    assert ("overlay-bad-region", 11) in found
    assert any(i.code == "missing-key" and "'name'" in i.message for i in issues)
    unknown = next(i for i in issues if i.code == "unknown-key")
    assert unknown.hint == "did you mean 'days_off'?"
    conflict = next(i for i in issues if i.code == "overlay-conflict")
    assert "both worked and off" in conflict.message


def test_wrong_kind_and_shape() -> None:
    """A document that is not an overlay mapping is refused clearly."""
    assert _codes("kind: matter\nname: x\n")[0][0] == "bad-choice"
    assert _codes("kind: calendar_overlay\nname:\n")[0][0] == "empty-value"
    assert _codes("kind: calendar_overlay\nname: 3\n")[0][0] == "wrong-type"
    assert _codes("kind: calendar_overlay\nname: x\nyears: [27]\n")[0][0] == "out-of-range"
    with pytest.raises(DefinitionError) as info:
        load_overlay("overlays/guangxi.yaml")
    assert info.value.issues[0].code == "wrong-type"
    assert "pathlib.Path" in (info.value.issues[0].hint or "")
    assert _codes("kind: calendar_overlay\nname: x\ndays_off: 2026-04-20\n")[0][0] == "wrong-type"


def test_yaml_errors_pass_through(tmp_path: Path) -> None:
    """Syntax errors and unreadable files are DefinitionErrors, not crashes."""
    with pytest.raises(DefinitionError):
        load_overlay("kind: [unclosed\n")
    with pytest.raises(DefinitionError) as info:
        load_overlay(tmp_path / "missing.yaml")
    assert info.value.issues[0].code == "file-unreadable"


def test_empty_overlay_is_a_warning() -> None:
    """An overlay that changes nothing loads, with a warning."""
    overlay, issues = parse_overlay("kind: calendar_overlay\nname: nothing\n")
    assert overlay is not None
    assert overlay.name == "nothing"
    assert [(i.code, i.severity) for i in issues] == [("overlay-empty", Severity.WARNING)]


def test_bare_date_entries_take_the_overlay_name() -> None:
    """A day may be written as a bare date; it is named after the overlay."""
    overlay = load_overlay("kind: calendar_overlay\nname: 台风\nclosures: [2026-09-15]\n")
    assert overlay.closures == (OverlayDay(D(2026, 9, 15), "台风"),)


def test_overlay_objects_validate_themselves() -> None:
    """Building an overlay in code with a date listed twice is a ValueError."""
    with pytest.raises(ValueError, match="twice"):
        CalendarOverlay(
            "x",
            days_off=(OverlayDay(D(2026, 1, 5), "a"),),
            workdays=(OverlayDay(D(2026, 1, 5), "b"),),
        )
    with pytest.raises(TypeError):
        OverlayDay(datetime(2026, 1, 5), "a")  # type: ignore[arg-type]


def test_overlay_days_outside_the_data_keep_the_rest_official() -> None:
    """A closure in an unknown year neither breaks nor guesses answers elsewhere."""
    cal = CN.with_overlay(CalendarOverlay("t", closures=(OverlayDay(D(2027, 3, 1), "x"),)))
    assert cal.add_workdays(D(2026, 2, 13), 20) == D(2026, 3, 19)
    with pytest.raises(CalendarError, match="2027"):
        cal.add_workdays(D(2026, 12, 20), 20)
    provisional = WorkCalendar.china(provisional=True).with_overlay(cal.overlays[0])
    assert provisional.add_workdays(D(2027, 2, 26), 1) == D(2027, 3, 2)


def test_a_gap_year_is_refused_but_its_neighbours_work() -> None:
    """An overlay declaring 2028 (not 2027) leaves 2027 uncovered."""
    notice = CalendarOverlay("2028", years=(2028,), days_off=(OverlayDay(D(2028, 1, 1), "元旦"),))
    cal = CN.with_overlay(notice)
    assert sorted(cal.years)[-2:] == [2026, 2028]
    assert cal.add_workdays(D(2028, 3, 1), 5) == D(2028, 3, 8)
    with pytest.raises(CalendarError, match=r"2027 .*except 2027"):
        cal.add_workdays(D(2026, 12, 1), 40)


@pytest.mark.parametrize("module", ["workdays", "workdays.workcalendar", "timelimits"])
def test_docstring_examples(module: str) -> None:
    """The examples in the module and class docstrings are right."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"approval_rules.{module}"))
    assert result.attempted > 0
    assert result.failed == 0
