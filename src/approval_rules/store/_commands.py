"""Commands that load a case, act on it and save it, merging independent writers.

Two reviewers of different departments pass the parallel steps of one case at the same
moment: both loaded version N, the first saves N+1, the second's save is stale.  Their
actions do not depend on each other, so :func:`act` re-applies the second on the newer
case (the engine checks it again there) instead of refusing it.  It refuses, with
:class:`~approval_rules.errors.StaleCase`, what is a real conflict: the newer events
touched the step the action is on (another signer passed it, sent it back), decided
the case, or did anything but pass other steps and record absences.

This module imports only the record, the engine and the errors; the store calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from ..audit import Event
from ..engine import Case, Engine
from ..errors import ActionNotAllowed, CalendarError, StaleCase

__all__ = ["MERGEABLE", "act_merging", "advance_one", "independent", "retrying"]

#: Actions that touch one step (or none) and whose order does not matter to another
#: step's: the newer events may be these, and the action re-applied may be one.
MERGEABLE: Final = frozenset({"pass", "deemed_agreement", "record_absence"})

#: How often a command loads the case again after losing the race to save it.
TRIES: Final = 5


def _touched(event: Event) -> set[str]:
    """The steps an event acted on, opened or skipped."""
    details: Mapping[str, Any] = event.details
    found = {details["step"]} if isinstance(details.get("step"), str) else set()
    for row in details.get("open", ()) or ():
        if isinstance(row, list) and row and isinstance(row[0], str):
            found.add(row[0])
    found.update(s for s in details.get("skip", ()) or () if isinstance(s, str))
    return found


def _mergeable(event: Event) -> bool:
    return event.action in MERGEABLE and "decision" not in event.details


def independent(newer: Iterable[Event], mine: Event) -> bool:
    """Whether ``mine`` (the action re-applied) is independent of the ``newer`` events
    another writer saved since the version it was decided on: every event is a
    mergeable action, none decided the case, and none touched a step ``mine`` touches."""
    if not _mergeable(mine):
        return False
    steps = _touched(mine)
    return all(_mergeable(event) and not steps & _touched(event) for event in newer)


def act_merging(
    load: Callable[[], Case],
    save: Callable[[Case, int], object],
    engine: Engine,
    action: str,
    *,
    at: datetime,
    actor: str,
    expected_version: int | None,
    event_id: str | None,
    details: Mapping[str, Any],
) -> Case:
    """Load, act, save; on a newer case, re-apply the action when it is independent of
    what changed since ``expected_version`` (or since the first load).

    The action re-applied on a newer case is dated no earlier than that case's last
    event (the moment it is recorded).

    Raises:
        StaleCase: the newer events conflict with the action, or the engine refuses it
            on the newer case (the refusal is its ``__cause__``), or the race was lost
            :data:`TRIES` times.
        ActionNotAllowed, CaseDataError, …: the engine refused the action.
    """
    base = expected_version
    for _ in range(TRIES):
        case = load()
        if base is None:
            base = case.version
        if case.version < base:
            raise StaleCase(base, case.version)
        if case.version == base:
            new = engine.act(case, action, at=at, actor=actor, event_id=event_id, **details)
        else:
            newer = case.events[base:]
            if action not in MERGEABLE or not all(_mergeable(e) for e in newer):
                raise StaleCase(base, case.version)
            moment = max(at, case.last_at)
            try:
                new = engine.act(case, action, at=moment, actor=actor, event_id=event_id,
                                 **details)  # fmt: skip
            except ActionNotAllowed as refused:  # e.g. the step was passed meanwhile
                raise StaleCase(base, case.version) from refused
            # the action's event (after any clock events it recorded)
            if new is not case and not independent(newer, new.events[-1]):
                raise StaleCase(base, case.version)
        if new is case:
            return case  # the caller's event id is in the case already: done
        try:
            save(new, case.version)
        except StaleCase:
            continue
        return new
    raise StaleCase(base if base is not None else 0, load().version)


def retrying(
    load: Callable[[], Case], save: Callable[[Case, int], object], change: Callable[[Case], Case]
) -> Case:
    """Load, change, save; again on the newer case while another writer came first (up
    to :data:`TRIES` times, then the :class:`StaleCase`)."""
    for attempt in range(TRIES):
        case = load()
        new = change(case)
        try:
            save(new, case.version)
        except StaleCase:
            if attempt == TRIES - 1:
                raise
            continue
        return new
    raise AssertionError("unreachable")  # pragma: no cover


def advance_one(
    load: Callable[[], Case], save: Callable[[Case, int], object], engine: Engine, at: datetime
) -> bool:
    """Advance one due case to ``at`` and save it; whether this call wrote its events.

    Left alone: a case acted on after ``at`` (its clock events were recorded then), one
    whose clock event needs a year the calendar lacks, one another sweep saved the very
    same events for first (``save`` wrote nothing), and one that lost the race to save
    :data:`TRIES` times (a later sweep takes it).
    """
    for _ in range(TRIES):
        case = load()
        if case.last_at > at:
            return False
        try:
            new = engine.advance(case, at)
        except CalendarError:
            return False
        if new.version == case.version:
            return False
        try:
            return bool(save(new, case.version))
        except StaleCase:
            continue  # another writer came first: load it again
    return False
