"""What the State Council's notice will probably add to the law: the projected layer.

When it revised the holiday law (国务院令第795号, announced 2024-11-12), the State Council
stated the principles its yearly notices follow "barring special cases" (除个别特殊情形外):

* 春节: 8 days off starting on 除夕;
* 劳动节: 5 days (1–5 May);
* 国庆节: 7 days (1–7 Oct); 8 days (1–8 Oct) when 中秋 falls within them;
* 元旦, 清明, 端午, 中秋: 3 days with the weekend; a Wednesday holiday stays one day.
  So a Tuesday holiday takes the Monday before off (Sun–Tue) and a Thursday holiday the
  Friday after (Thu–Sat); Monday and Friday holidays join the weekend by themselves.

Each extra weekday off is repaid by working a weekend day (调休), so the year keeps
"weekdays − 13" working days.  Which weekend days are worked cannot be known before the
notice: every one of them lay within two weeks of its block in 2024–2026 (the farthest,
Sun 2026-09-20, 11 days before 国庆, because the nearer Sunday belonged to 中秋).

This module gives, for one year, the **probable extra weekdays off** (``P``: they
matched the official 2025 and 2026 notices exactly) and the **candidate make-up
weekend days** (``C``: every weekend day within :data:`CANDIDATE_WINDOW` days of a
block that has an extra weekday off, and not itself off).  The bounds of a provisional
answer are computed on "certain + ``C`` worked" (earliest) and "certain + ``P`` off"
(latest); ``docs/calendar.md`` explains why the best estimate uses neither.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .statutory import Festival

__all__ = ["CANDIDATE_WINDOW", "Block", "blocks", "makeup_candidates", "projected_days_off"]

#: Days before and after a block in which a make-up workday may fall.
CANDIDATE_WINDOW = 14

_ONE = timedelta(days=1)
_TUESDAY, _THURSDAY = 1, 3


@dataclass(frozen=True, slots=True)
class Block:
    """A run of days the swap principles give off for one holiday, first to last."""

    name: str
    first: date
    last: date

    def days(self) -> Iterable[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += _ONE


def _span(name: str, first: date, length: int) -> Block:
    return Block(name, first, first + (length - 1) * _ONE)


def _short_block(name: str, day: date) -> Block | None:
    """元旦, 清明, 端午, 中秋: 3 days with the weekend (a Wednesday stays one day)."""
    if day.weekday() == _TUESDAY:
        return Block(name, day - 2 * _ONE, day)  # Sun–Tue: Monday off
    if day.weekday() == _THURSDAY:
        return Block(name, day, day + 2 * _ONE)  # Thu–Sat: Friday off
    return None  # Mon/Fri join the weekend; Wed stays alone; Sat/Sun get 补假 (Art. 6)


def blocks(items: Iterable[Festival]) -> list[Block]:
    """The blocks the swap principles give for one year's festivals."""
    by_name = {f.name: f for f in items}
    found: list[Block] = []
    mid_autumn = by_name["中秋"].days[0] if "中秋" in by_name else None
    for name, festival in by_name.items():
        first = festival.days[0]
        if name == "春节":
            found.append(_span(name, first, 8))  # 8 days from 除夕
        elif name == "劳动节":
            found.append(_span(name, first, 5))
        elif name == "国庆节":
            merged = mid_autumn is not None and first <= mid_autumn <= first + 6 * _ONE
            found.append(_span(name, first, 8 if merged else 7))
        elif name == "中秋" and first.month == 10 and first.day <= 7:
            continue  # within 国庆: merged into its 8-day block
        else:
            block = _short_block(name, first)
            if block is not None:
                found.append(block)
    return found


def projected_days_off(found: Iterable[Block], off: Collection[date]) -> dict[date, str]:
    """``P``: the weekdays of the blocks that the law does not already give off."""
    return {
        d: block.name for block in found for d in block.days() if d.weekday() < 5 and d not in off
    }


def makeup_candidates(
    found: Iterable[Block], projected: Collection[date], off: Collection[date]
) -> dict[date, str]:
    """``C``: weekend days near a block with extra days off, where a make-up may fall."""
    candidates: dict[date, str] = {}
    window = CANDIDATE_WINDOW * _ONE
    for block in found:
        if not any(d in projected for d in block.days()):
            continue  # nothing to repay
        for start, end in ((block.first - window, block.first - _ONE),
                           (block.last + _ONE, block.last + window)):  # fmt: skip
            day = start
            while day <= end:
                if day.weekday() >= 5 and day not in off:
                    candidates.setdefault(day, block.name)
                day += _ONE
    return candidates
