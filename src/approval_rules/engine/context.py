"""What every action's check and handler receive and return, and how details are read.

An action is an :class:`ActionSpec` in the one registry (:mod:`.actions`): a *check*
(may this person do it now? it raises :class:`~..errors.ActionNotAllowed` or returns
the :class:`Authority` they act with), a *handler* (given the check's answer, the
event's details and the step map it changes), and the *offers* that
:meth:`~.facade.Engine.available_actions` tries the check on.  ``act`` runs the same
check as ``available_actions``, so what is offered is what succeeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from ..errors import ActionNotAllowed, CaseDataError
from ..plan import MatterPlan
from ..signing import Keys
from .bounds import blank
from .case import Case
from .clocks import Clocks
from .records import StepState

__all__ = [
    "ActionSpec",
    "Aim",
    "Authority",
    "Check",
    "Command",
    "Ctx",
    "Details",
    "Handle",
    "Handled",
    "Offers",
    "day_detail",
    "ending_stops",
    "offered_once",
    "text_detail",
]

#: An event's details as a handler builds them (JSON data).
Details = dict[str, Any]
#: What a handler returns: the event's details, and the new step map when it made one
#: (``None``: the fold derives the steps, or they do not change).
Handled = tuple[Details, "dict[str, StepState] | None"]


class Ctx(NamedTuple):
    """The matter's plan and the engine's clocks: what every action may consult (and
    the people's public keys, when the engine was given them, for ``sign``)."""

    plan: MatterPlan
    clocks: Clocks
    keys: Keys | None = None


class Command(NamedTuple):
    """One action as the caller asked for it.

    Attributes:
        action: its name.
        at: when, in the engine's time zone; ``stamp``: the same as ISO text.
        actor: who.
        details: the caller's details (checked by the handler).
    """

    action: str
    at: datetime
    stamp: str
    actor: str
    details: Mapping[str, Any]


class Authority(NamedTuple):
    """What a check found: the step acted on (``None``: the case) and for whom.

    ``principal`` is the actor, or the absent signer a backup (AB岗) stands in for.
    """

    step: str | None
    principal: str


def ending_stops(details: Details, case: Case) -> Details:
    """``details`` with ``stops_ended``: the kinds of the clock stops still running
    (Art. 45), which an event ending the case ends on its day (withdrawal, termination,
    revocation), so that an ended case holds no running stop.  Unchanged when none runs
    (an event recorded before the detail existed folds as it did)."""
    running = case.clock.running_stops
    if running:
        details["stops_ended"] = [s.kind for s in running]
    return details


def acting_for(details: Details, auth: Authority, actor: str) -> Details:
    """``details`` with ``for``: the absent principal, when a backup (AB岗) acted."""
    if auth.principal != actor:
        details["for"] = auth.principal
    return details


#: ``check(ctx, case, action, step, actor, day)``: raises ActionNotAllowed or says how.
Check = Callable[[Ctx, Case, str, "str | None", str, date], Authority]
#: ``handle(ctx, case, command, authority)``: the event's details and step map.
Handle = Callable[[Ctx, Case, Command, Authority], Handled]
#: ``offers(ctx, case)``: the (step, choices) an action may be offered with.
Offers = Callable[[Ctx, Case], Iterable[tuple["str | None", Sequence[str]]]]
#: ``aim(ctx, case, details, action)``: the step the details make the action's check
#: judge (``issue_certificate``: where the result it names is issued); raises
#: ActionNotAllowed for details that name nothing the case may have done.
Aim = Callable[[Ctx, Case, Mapping[str, Any], str], "str | None"]


class ActionSpec(NamedTuple):
    """One action of the registry.

    Attributes:
        name: the action, as :meth:`~.facade.Engine.act` takes it.
        details: the details it takes.
        check: who may do it now (see :data:`Check`).
        handle: what it records (see :data:`Handle`).
        offers: with which step and choices it is offered (see :data:`Offers`).
        per_step: it acts on a step the caller names (``step``), or on the only open
            one; it is offered for each open step.
        after_end: it is done after the case ended (a rating); the others are refused
            then (``case-ended``).
        aim: the step its details aim at, judged by ``check`` (see :data:`Aim`), by
            ``act`` and ``replay`` alike; ``None``: the step named (``per_step``), else
            none.
    """

    name: str
    details: tuple[str, ...]
    check: Check
    handle: Handle
    offers: Offers
    per_step: bool = False
    after_end: bool = False
    aim: Aim | None = None


def offered_once(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """Offers of a case-level action with no choices."""
    return ((None, ()),)


def text_detail(value: object, what: str, action: str, *, required: bool = True) -> str | None:
    """A text detail, stripped; ``None`` when blank and not required.

    Blank is :func:`~.bounds.blank`: nothing visible (whitespace, zero-width and other
    invisible characters only), the one rule for every text detail.

    Raises:
        ActionNotAllowed: it is required and blank (``detail-required``).
        CaseDataError: not text.
    """
    if value is None or (isinstance(value, str) and blank(value)):
        if required:
            raise ActionNotAllowed(action, f"{what} is required", code="detail-required")
        return None
    if not isinstance(value, str):
        raise CaseDataError(f"{action}: {what} must be text, not {value!r}")
    return value.strip()


def day_detail(value: object, what: str, action: str) -> date:
    """A date detail: a :class:`~datetime.date` or ISO text.

    Raises:
        CaseDataError: anything else (a datetime too).
    """
    if isinstance(value, datetime):
        raise CaseDataError(f"{action}: {what} must be a date, not a datetime")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CaseDataError(f"{action}: {what} must be a date (YYYY-MM-DD), not {value!r}")
