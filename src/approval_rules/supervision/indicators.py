"""Performance indicators (绩效统计) as mergeable aggregates (docs/supervision.md §Indicators).

Over the cases concluded in a period, grouped by matter, department, person or month:
completed (办结), early (提前), on time (按时: early and on the day, and extended when
the rule set counts it), extended (延期), overdue (超期), open and overdue at the
period's end (超期未办结), each as a count and a rate with its numerator and denominator;
the average and 90th percentile of the working days used against the promised; the
bottleneck step; the applicants' ratings.  Withdrawn, not accepted and terminated cases
are counted apart and never in a denominator.

A :class:`Tally` holds only counts and exact histograms, which combine by addition:
working days are whole days, so a histogram of them is an exact, mergeable sketch
(percentiles from it are exact).  Open-stock counts are kept per as-of day, so that
merging counties adds their stocks while merging the days of a month keeps the stock at
the month's end.  :func:`merge` is the one function that combines tallies; computing
on parts and merging gives what computing on the whole gives (a property test).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Final, Literal

from .facts import RATINGS, CaseFacts
from .rules import Reporting

__all__ = [
    "GROUPINGS",
    "GroupReport",
    "Indicators",
    "Rate",
    "Tally",
    "group_keys",
    "merge",
    "report",
    "tally",
    "tally_each",
]

Grouping = Literal["matter", "department", "person", "month", "all"]
#: The ways cases can be grouped.
GROUPINGS: Final = ("matter", "department", "person", "month", "all")
_SEPARATE: Final = ("withdrawn", "not_accepted", "terminated")
_NOBODY: Final = "-"


@dataclass
class Tally:
    """Counts and exact histograms of one group; ``+`` combines two.

    Attributes:
        counts: completed, each outcome class, statutory_breach, instant (E = 0),
            applicant_time (cases with applicant time), provisional, withdrawn,
            not_accepted, terminated, and the ratings (rated, good, bad, named_bad,
            followed_up, rectified).
        used: how many concluded cases used each number of working days (E).
        promised: how many had each promised limit (Lp), to sum and average it.
        open: open cases at the end of each as-of day (ISO date → count).
        open_overdue: of those, the ones past their due date.
        step_days / step_count / step_overdue: per step (``matter.step``), working
            days open, times done and times overrun.
    """

    counts: Counter[str] = field(default_factory=Counter)
    used: Counter[int] = field(default_factory=Counter)
    promised: Counter[int] = field(default_factory=Counter)
    open: Counter[str] = field(default_factory=Counter)
    open_overdue: Counter[str] = field(default_factory=Counter)
    step_days: Counter[str] = field(default_factory=Counter)
    step_count: Counter[str] = field(default_factory=Counter)
    step_overdue: Counter[str] = field(default_factory=Counter)

    _PARTS: ClassVar[tuple[str, ...]] = (
        "counts", "used", "promised", "open", "open_overdue", "step_days", "step_count",
        "step_overdue",
    )  # fmt: skip

    def __iadd__(self, other: Tally) -> Tally:
        for name in self._PARTS:
            getattr(self, name).update(getattr(other, name))
        return self

    def __add__(self, other: Tally) -> Tally:
        out = Tally()
        out += self
        out += other
        return out

    def __eq__(self, other: object) -> bool:
        # Counter equality ignores zero counts, which addition never leaves behind
        return isinstance(other, Tally) and all(
            +getattr(self, n) == +getattr(other, n) for n in self._PARTS
        )

    def to_dict(self) -> dict[str, dict[str, int]]:
        """JSON data: every part as an object of counts."""
        return {n: {str(k): v for k, v in sorted(getattr(self, n).items())} for n in self._PARTS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, int]]) -> Tally:
        """A tally back from :meth:`to_dict`."""
        out = cls()
        for name in cls._PARTS:
            numeric = name in ("used", "promised")
            part: Counter[Any] = getattr(out, name)
            for key, value in data.get(name, {}).items():
                part[int(key) if numeric else key] = value
        return out


@dataclass
class Indicators:
    """Tallies by group over a period (both days included)."""

    by: str
    start: date
    end: date
    groups: dict[str, Tally] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON data, to store a part and merge it later."""
        return {
            "by": self.by,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "groups": {k: t.to_dict() for k, t in sorted(self.groups.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Indicators:
        """Indicators back from :meth:`to_dict`."""
        return cls(
            data["by"],
            date.fromisoformat(data["start"]),
            date.fromisoformat(data["end"]),
            {k: Tally.from_dict(v) for k, v in data["groups"].items()},
        )


def group_keys(facts: CaseFacts, by: str, on: date | None) -> tuple[str, ...]:
    """The groups a case counts in: its matter, department, each person who signed one
    of its steps, the month of ``on``, or ``all``."""
    if by == "matter":
        return (facts.matter_id,)
    if by == "department":
        return (facts.department,)
    if by == "person":
        return facts.persons or (_NOBODY,)
    if by == "month":
        return ((on or facts.ended_on or date.min).strftime("%Y-%m"),)
    if by == "all":
        return ("all",)
    raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")


def _concluded(one: Tally, facts: CaseFacts, reporting: Reporting) -> None:
    """Count a concluded case into a group's tally."""
    counts = one.counts
    counts["completed"] += 1
    if facts.outcome is not None:
        counts[facts.outcome.value] += 1
    counts["statutory_breach"] += facts.statutory_breach
    counts["applicant_time"] += facts.applicant_days > 0
    counts["provisional"] += facts.provisional
    if facts.used is not None:
        counts["instant"] += facts.used == 0
        one.used[facts.used] += 1
    if facts.promised is not None:
        one.promised[facts.promised] += 1
    for step in facts.steps:
        # steps of different matters may share an id: keyed by matter and step
        key = f"{facts.matter_id}.{step.step}"
        one.step_days[key] += step.days
        one.step_count[key] += 1
        one.step_overdue[key] += step.overdue
    rating = facts.rating
    if rating is not None and rating.level in RATINGS:
        rank = RATINGS.index(rating.level)
        good = 2 if not reporting.basically_satisfied_is_good else 3
        bad = rank >= 3
        counts["rated"] += 1
        counts["good"] += rank < good
        counts["bad"] += bad
        if bad and rating.named:
            counts["named_bad"] += 1
            counts["followed_up"] += rating.followed_up
            counts["rectified"] += rating.rectified


def tally(
    facts: Iterable[CaseFacts],
    *,
    start: date,
    end: date,
    by: str,
    reporting: Reporting,
) -> Indicators:
    """Indicators over ``start``..``end`` (both included), grouped ``by``.

    Concluded cases count in the period of their conclusion; withdrawn, not accepted and
    terminated cases in the period they ended (apart); open cases at the end of ``end``
    (accepted by then, not concluded or ended by then), and among them those whose due
    date has passed.
    """
    return tally_each(facts, start=start, end=end, by=(by,), reporting=reporting)[by]


def tally_each(
    facts: Iterable[CaseFacts],
    *,
    start: date,
    end: date,
    by: Sequence[str],
    reporting: Reporting,
) -> dict[str, Indicators]:
    """:func:`tally` for several groupings in one pass over the facts."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    out = {grouping: Indicators(grouping, start, end) for grouping in by}
    for item in facts:
        for grouping, indicators in out.items():
            _count(indicators.groups, item, grouping, start, end, reporting)
    return out


def _count(
    groups: dict[str, Tally],
    item: CaseFacts,
    by: str,
    start: date,
    end: date,
    reporting: Reporting,
) -> None:
    ended = item.ended_on
    if ended is not None and start <= ended <= end:
        if item.state == "concluded":
            for key in group_keys(item, by, ended):
                _concluded(groups.setdefault(key, Tally()), item, reporting)
        elif item.state in _SEPARATE:
            for key in group_keys(item, by, ended):
                groups.setdefault(key, Tally()).counts[item.state] += 1
    accepted = item.accepted_on
    if accepted is not None and accepted <= end and (ended is None or ended > end):
        overdue = item.due is not None and item.due < end
        as_of = end.isoformat()
        for key in group_keys(item, by, end):
            group = groups.setdefault(key, Tally())
            group.open[as_of] += 1
            group.open_overdue[as_of] += overdue


def merge(*parts: Indicators) -> Indicators:
    """Combine indicators of parts (counties, days) into the whole: counts add up, open
    stocks add up per as-of day.  The parts must be grouped the same way."""
    if not parts:
        raise ValueError("merge needs at least one part")
    kinds = {p.by for p in parts}
    if len(kinds) > 1:
        raise ValueError(f"cannot merge indicators grouped differently: {sorted(kinds)}")
    out = Indicators(parts[0].by, min(p.start for p in parts), max(p.end for p in parts))
    for part in parts:
        for key, group in part.groups.items():
            out.groups.setdefault(key, Tally()).__iadd__(group)
    return out


# --- the report -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate shown with what it is made of."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": None if value is None else round(value, 4),
        }


def _percentile(histogram: Counter[int], share: float) -> int | None:
    """Nearest rank: the smallest value with at least ``share`` of the cases at or below."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = math.ceil(share * total)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


@dataclass(frozen=True)
class GroupReport:
    """The indicators of one group, as published."""

    group: str
    counts: Mapping[str, int]
    rates: Mapping[str, Rate]
    used_average: float | None
    used_p90: int | None
    promised_average: float | None
    histogram: Mapping[int, int]
    bottleneck: str | None
    bottleneck_share: float | None
    steps: Mapping[str, Mapping[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON data: the counts under their keys (completed, early, on_time, extended,
        overdue, open_overdue …), the rates with numerator and denominator."""
        return {
            "group": self.group,
            **self.counts,
            "rates": {k: r.to_dict() for k, r in self.rates.items()},
            "used_wd": {
                "average": None if self.used_average is None else round(self.used_average, 2),
                "p90": self.used_p90,
                "promised_average": None
                if self.promised_average is None
                else round(self.promised_average, 2),
                "histogram": {str(k): v for k, v in sorted(self.histogram.items())},
            },
            "bottleneck": None
            if self.bottleneck is None
            else {"step": self.bottleneck, "share": round(self.bottleneck_share or 0, 4)},
            "steps": {k: dict(v) for k, v in self.steps.items()},
        }


def _group_report(key: str, t: Tally, end: date, reporting: Reporting) -> GroupReport:
    c = t.counts
    done = c["completed"]
    on_time = c["early"] + c["on_day"] + (c["extended"] if reporting.extension_counts_as_on_time
                                          else 0)  # fmt: skip
    as_of = end.isoformat()
    open_now, overdue_now = t.open[as_of], t.open_overdue[as_of]
    counts = {
        "completed": done,
        "early": c["early"],
        "on_time": on_time,
        "on_day": c["on_day"],
        "extended": c["extended"],
        "overdue": c["overdue"],
        "open_overdue": overdue_now,
        "open": open_now,
        "statutory_breach": c["statutory_breach"],
        "instant": c["instant"],
        "applicant_time": c["applicant_time"],
        "provisional": c["provisional"],
        "withdrawn": c["withdrawn"],
        "not_accepted": c["not_accepted"],
        "terminated": c["terminated"],
        "rated": c["rated"],
        "good": c["good"],
        "bad": c["bad"],
        "named_bad": c["named_bad"],
        "followed_up": c["followed_up"],
        "rectified": c["rectified"],
    }
    rates = {
        "early": Rate(c["early"], done),
        "on_time": Rate(on_time, done),
        "extended": Rate(c["extended"], done),
        "overdue": Rate(c["overdue"], done),
        "statutory_breach": Rate(c["statutory_breach"], done),
        "instant": Rate(c["instant"], done),
        "open_overdue": Rate(overdue_now, open_now),
        "evaluated": Rate(c["rated"], done),
        "good": Rate(c["good"], c["rated"]),
        "bad": Rate(c["bad"], c["rated"]),
        "followed_up": Rate(c["followed_up"], c["named_bad"]),
        "rectified": Rate(c["rectified"], c["named_bad"]),
    }
    used_total = sum(k * v for k, v in t.used.items())
    cases = sum(t.used.values())
    promised_total = sum(k * v for k, v in t.promised.items())
    promised_cases = sum(t.promised.values())
    all_days = sum(t.step_days.values())
    steps = {
        sid: {
            "days": t.step_days[sid],
            "done": t.step_count[sid],
            "overdue": t.step_overdue[sid],
            "share": round(t.step_days[sid] / all_days, 4) if all_days else 0.0,
        }
        for sid in sorted(t.step_count)
    }
    bottleneck = max(sorted(t.step_days), key=t.step_days.__getitem__) if all_days else None
    return GroupReport(
        key,
        counts,
        rates,
        used_total / cases if cases else None,
        _percentile(t.used, 0.9),
        promised_total / promised_cases if promised_cases else None,
        dict(sorted(t.used.items())),
        bottleneck,
        t.step_days[bottleneck] / all_days if bottleneck is not None else None,
        steps,
    )


def report(indicators: Indicators, reporting: Reporting) -> list[GroupReport]:
    """The published indicators of every group with something in the period, by group
    key (a group whose only count is an open stock at an earlier day, left by merging
    consecutive periods, has nothing to show at the end)."""
    end = indicators.end.isoformat()
    return [
        _group_report(key, t, indicators.end, reporting)
        for key, t in sorted(indicators.groups.items())
        if +t.counts or t.open[end]
    ]
