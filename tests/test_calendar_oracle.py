"""Oracle: every date 2004-2026 against chinesecalendar and the holidays package (CN)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import holidays
import pytest

from approval_rules.workdays import DayKind, WorkCalendar

CN = WorkCalendar.china()
FIRST, LAST = date(2004, 1, 1), date(2026, 12, 31)

#: Dates where the two oracles disagree, and the answer we give (see docs/calendar.md).
#: 2005-12-31 (Sat): 国办发明电〔2005〕35号 says "12月31日（星期六）上班" (make-up day for
#: the 2006 New Year); holidays has it, chinesecalendar 1.11 does not.
DISAGREEMENTS = {date(2005, 12, 31): True}


def _all_days() -> list[date]:
    return [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]


def test_agrees_with_both_oracles_where_they_agree() -> None:
    """Every date of 2004-2026: same answer as chinesecalendar and holidays when they agree."""
    cn_holidays = holidays.China(years=range(FIRST.year, LAST.year + 1))
    mismatches = []
    disagreements = {}
    for day in _all_days():
        ours = CN.is_workday(day)
        a = chinese_calendar.is_workday(day)
        b = cn_holidays.is_working_day(day)
        if a == b:
            if ours != a:
                mismatches.append(day)
        else:
            disagreements[day] = ours
    assert mismatches == []
    assert disagreements == DISAGREEMENTS


def test_we_follow_the_notice_on_2005_12_31() -> None:
    """On the one disputed date we follow the State Council notice (a make-up workday)."""
    day = date(2005, 12, 31)
    assert not chinese_calendar.is_workday(day)
    assert holidays.China(years=2005).is_working_day(day)
    info = CN.describe(day)
    assert info.is_workday
    assert info.kind is DayKind.MAKEUP_WORKDAY


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_arithmetic_agrees_with_holidays(year: int) -> None:
    """add_workdays(d, 20) equals holidays' get_nth_working_day for every day of the year."""
    cn_holidays = holidays.China(years=range(year, year + 2))
    day = date(year, 1, 1)
    end = date(year, 11, 30)
    while day <= end:
        assert CN.add_workdays(day, 20) == cn_holidays.get_nth_working_day(day, 20), day
        day += timedelta(days=1)


def test_holiday_names_are_chinese() -> None:
    """Names come from chinesecalendar's Chinese labels."""
    names = {info.name for info in CN.year_report(2025).days_off}
    assert names == {"元旦", "春节", "清明", "劳动节", "端午", "国庆节", "中秋"}
