"""Oracles: every official date 2004-2026 against chinesecalendar and holidays (CN), and
the law's table 2025-2100 against a second lunar package (sxtwl) and holidays' rules."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import holidays
import pytest
import sxtwl

from approval_rules.workdays import DayKind, Layer, WorkCalendar
from approval_rules.workdays.generate import BoraxSource, shipped_text, table_text

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


# --------------------------------------------------------------------------- the law's table


class SxtwlSource:
    """Lunar dates and the 清明 term from sxtwl (寿星天文历, computed astronomically)."""

    QINGMING = 7  # sxtwl numbers the terms from 冬至 (0)

    def solar(self, year: int, month: int, day: int) -> date:
        found = sxtwl.fromLunar(year, month, day, False)
        return date(found.getSolarYear(), found.getSolarMonth(), found.getSolarDay())

    def qingming(self, year: int) -> date:
        for day in range(3, 8):
            info = sxtwl.fromSolar(year, 4, day)
            if info.hasJieQi() and info.getJieQi() == self.QINGMING:
                return date(year, 4, day)
        raise AssertionError(f"no 清明 in early April {year}")  # pragma: no cover


#: The Hong Kong Observatory's conversion table warns that the new moon of 2089-09-04 is
#: within minutes of midnight, so the 8th lunar month of 2089 (and 中秋) may start a day
#: apart: borax says 中秋 is 09-19, sxtwl and holidays 09-18.  The State Council's notice
#: for 2089 will say; docs/calendar.md records it.
DISPUTED_2089 = ("2089 元旦=01-01", "中秋=09-19", "中秋=09-18")


def test_the_shipped_table_is_what_the_generator_writes() -> None:
    """statutory_days.txt is fresh: regenerating it from borax gives the same bytes."""
    assert table_text(BoraxSource()) == shipped_text()


def test_a_second_lunar_package_gives_the_same_table() -> None:
    """sxtwl gives every date of 2025-2100 alike, except the one disputed new moon."""
    ours = shipped_text().splitlines()
    theirs = table_text(SxtwlSource()).splitlines()
    assert len(ours) == len(theirs)
    differ = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
    assert len(differ) == 1
    line, other = differ[0]
    prefix, borax_says, sxtwl_says = DISPUTED_2089
    assert line.startswith(prefix)
    assert line.replace(borax_says, sxtwl_says) == other


def test_the_certain_layer_matches_holidays_law_rules() -> None:
    """holidays (CN) extrapolates years without data by the 2024 law and Art. 6 补假 alone;
    its days off match our certain layer for 2027-2100 but on two dates."""
    law = WorkCalendar.from_days(years=(), provisional=True)
    differ = {}
    for year in range(2027, 2101):
        named = law.named_days(date(year, 1, 1), date(year, 12, 31))
        ours = {i.date for i in named if i.layer in (Layer.STATUTORY, Layer.IN_LIEU)}
        theirs = set(holidays.China(years=year))
        if ours != theirs:
            differ[year] = (sorted(ours - theirs), sorted(theirs - ours))
    assert differ == {
        # The disputed new moon: holidays puts 中秋 on Sun 09-18 and its 补假 on Mon
        # 09-19, our 中秋 (borax).
        2089: ([], [date(2089, 9, 18)]),
        # 清明: holidays says Sun 04-04 (补假 Mon 04-05); borax and sxtwl say Mon 04-05.
        2100: ([], [date(2100, 4, 4)]),
    }
