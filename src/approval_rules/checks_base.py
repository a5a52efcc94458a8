"""What a static check sees of one matter, and what it reports.

The compiler (:mod:`.compiler`) works out a matter's step graph, its signers and its
timing once, and hands them to every check as a :class:`MatterView`.  A check is a
function ``check(view)`` that yields :class:`Finding` records; the compiler turns each
into an :class:`~.errors.Issue` with the YAML position and the severity its module's
``CODES`` gives.  Each ``checks_*.py`` module holds the checks of one subject (time,
people, departments …), so a rule is found by its file name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from .errors import Path, Severity
from .graph import StepGraph, Timing
from .loader import Catalogue
from .model import Matter, Step, TimeLimit, Unit

__all__ = [
    "EPSILON",
    "Check",
    "Codes",
    "Finding",
    "MatterView",
    "cover_limit",
    "days",
    "fit_limit",
    "limit_unit",
    "num",
]

#: A module's codes: code → (severity, one-line meaning).
Codes = Mapping[str, tuple[Severity, str]]

# Floating-point sums of limits such as 0.5 + 0.125 are exact, but guard anyway.
EPSILON: Final = 1e-9


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a check found: its code, plain words, where, and what to write instead.

    ``path`` is the place inside the matter's file (``("steps", 2, "signers", 0)``);
    ``key`` points at the key itself rather than its value.
    """

    code: str
    message: str
    path: Path
    hint: str | None = None
    key: bool = False


@dataclass(frozen=True, slots=True)
class MatterView:
    """A matter with what the compiler worked out about it.

    Attributes:
        matter: the matter definition.
        catalogue: the catalogue it was loaded in (people, departments, roles).
        shape: its step graph (possibly cyclic).
        signers: step id → ids of everyone who may sign it (named, then role holders).
        timing: the critical-path analysis; ``None`` when steps wait in a circle.
    """

    matter: Matter
    catalogue: Catalogue
    shape: StepGraph
    signers: Mapping[str, tuple[str, ...]]
    timing: Timing | None

    def person(self, pid: str) -> str:
        """``王卫 (wang_wei)``, or the id of someone the catalogue does not know."""
        person = self.catalogue.people.get(pid)
        return f"{person.name} ({pid})" if person is not None else pid

    def department_of(self, step: Step) -> str:
        """Id of the department handling ``step`` (the lead department unless it says)."""
        return step.department or self.matter.lead_department

    def department_name(self, department: str) -> str:
        """``当阳市住房和城乡建设局 (dy_zjj)``, or the id when it is not declared."""
        found = self.catalogue.departments.get(department)
        return f"{found.name} ({department})" if found is not None else department


#: A static check: yields what it finds in one matter.
Check = Callable[[MatterView], Iterable[Finding]]


def num(value: float) -> str:
    """A number of working days as people write it: 7, 0.5, 1.125."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def days(value: float) -> str:
    """``7 working days``, ``1 working day``, ``0.5 working days``."""
    text = num(value)
    return f"{text} working day" + ("" if text == "1" else "s")


_PER_DAY: Final = {
    Unit.WORKING_DAYS: 1,
    Unit.HALF_DAYS: 2,
    Unit.HOURS: 8,
    Unit.CALENDAR_DAYS: 1,
}


def _words(count: int, unit: Unit) -> str:
    word = unit.value.replace("_", " ")
    return f"{count} {word.removesuffix('s') if count == 1 else word}"


def fit_limit(working_days: float, unit: Unit) -> str | None:
    """The longest limit a matter file may write in ``unit`` that lasts ≤ ``working_days``.

    Limits are whole numbers of their unit, or 0.5 working days; a calendar day counts
    as a working day (:func:`~.graph.limit_in_working_days`).  ``None`` when not even the
    shortest limit fits.  Example: ``fit_limit(7.5, Unit.WORKING_DAYS)`` → ``"7 working
    days"``; ``fit_limit(0.75, Unit.HOURS)`` → ``"6 hours"``.
    """
    count = int(working_days * _PER_DAY[unit] + EPSILON)
    if count >= 1:
        return _words(count, unit)
    if unit is Unit.WORKING_DAYS and working_days >= 0.5 - EPSILON:
        return "0.5 working days"
    return None


def cover_limit(working_days: float, unit: Unit) -> tuple[float, str]:
    """The shortest limit a matter file may write in ``unit`` that lasts ≥ ``working_days``.

    Returned with its length in working days.  Example: ``cover_limit(6.5,
    Unit.WORKING_DAYS)`` → ``(7.0, "7 working days")``; ``cover_limit(0.4,
    Unit.WORKING_DAYS)`` → ``(0.5, "0.5 working days")``.
    """
    if unit is Unit.WORKING_DAYS and working_days <= 0.5 + EPSILON:
        return 0.5, "0.5 working days"
    per_day = _PER_DAY[unit]
    count = max(1, math.ceil(working_days * per_day - EPSILON))
    return count / per_day, _words(count, unit)


def limit_unit(limit: TimeLimit | None) -> Unit:
    """The unit a step's limit is written in (working days when it has none)."""
    return limit.unit if limit is not None else Unit.WORKING_DAYS
