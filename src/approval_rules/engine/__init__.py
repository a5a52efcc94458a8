"""The case engine: run cases through a compiled matter under the law's clocks.

An :class:`Engine` holds a catalogue and a :class:`~.workdays.WorkCalendar`; it has
no other state, never reads the wall clock and starts no threads.  A :class:`Case` is
an immutable value: :meth:`Engine.submit` opens one, :meth:`Engine.act` returns the
next one or raises :class:`~.errors.ActionNotAllowed` (the case you hold is
unchanged, and nothing was recorded).

Event sourcing: every accepted action appends one :class:`~.audit.Event` (hash
chained, see :mod:`.audit`) whose ``details`` hold the action's input *and* what the
engine computed from it (steps opened with their due dates, steps skipped, the
decision, fees).  The case is a pure fold of its events, without the matter or the
calendar, so ``engine.replay(case.events) == case`` holds by construction, and a
calendar overlay added later never moves a deadline the office already announced.
The serial form (:meth:`Case.to_json`) stores a snapshot of that fold next to the log,
so that reading a case back does not parse or fold its events.

Time: every ``at`` must be timezone-aware (a naive datetime raises ``TypeError``); it
is read in the engine's time zone (Asia/Shanghai by default).  Deadlines are dates
and end at the close of that day.  Events clocks cause (deemed acceptance, deemed
agreement of a co-department, termination of a tolerated gap) are dated at the
moment the limit ran out, 00:00 of the next day, whenever the case is next touched
(:meth:`Engine.advance`, which :meth:`Engine.act` calls first).

The package's modules, each with one reason to change (docs/architecture.md):
:mod:`.records` and :mod:`.case` (the value and its serial form), :mod:`.evolve` (the
fold), :mod:`.clocks` (every due date), :mod:`.permissions` (signers and AB岗),
:mod:`.intake` (input checks), :mod:`.steps` (passing and opening steps), the actions
by subject (:mod:`.window`, :mod:`.review`, :mod:`.clock_actions`, :mod:`.fees`,
:mod:`.closing`, :mod:`.delays`, :mod:`.commitment`), their one registry
(:mod:`.actions`), :mod:`.reports` and the :class:`Engine` facade (:mod:`.facade`).
Import the names below from ``approval_rules.engine``; the modules are the package's
own.

See ``docs/engine.md`` for the lifecycle, statuses, actions and the event format.
"""

from __future__ import annotations

from .actions import ACTIONS
from .case import CASE_FORMAT, Case
from .clocks import HELD_BY, Timer
from .delays import ApplicantDelay, applicant_delays
from .evolve import apply_event, fold
from .facade import Engine
from .ratings import BAD_RATINGS, RATING_LEVELS
from .records import (
    SYSTEM,
    Absence,
    ActiveStop,
    CaseClock,
    CaseCommitment,
    Certificate,
    Cosignature,
    Decision,
    Ending,
    ExtensionGrant,
    FileInfo,
    Intake,
    Notice,
    Payment,
    Problem,
    Settlement,
    Status,
    StepState,
    StepStatus,
)
from .redate import Redated
from .reports import AvailableAction, Deadline, Deadlines

__all__ = [
    "ACTIONS",
    "BAD_RATINGS",
    "CASE_FORMAT",
    "HELD_BY",
    "RATING_LEVELS",
    "SYSTEM",
    "Absence",
    "ActiveStop",
    "ApplicantDelay",
    "AvailableAction",
    "Case",
    "CaseClock",
    "CaseCommitment",
    "Certificate",
    "Cosignature",
    "Deadline",
    "Deadlines",
    "Decision",
    "Ending",
    "Engine",
    "ExtensionGrant",
    "FileInfo",
    "Intake",
    "Notice",
    "Payment",
    "Problem",
    "Redated",
    "Settlement",
    "Status",
    "StepState",
    "StepStatus",
    "Timer",
    "applicant_delays",
    "apply_event",
    "fold",
]
