"""What the case store's queries return: plain immutable records."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

__all__ = [
    "BrokenCase",
    "CaseSummary",
    "CheckReport",
    "DueAlarm",
    "DueClock",
    "MatterVersion",
    "PersonAbsence",
    "WorkItem",
]


class CaseSummary(NamedTuple):
    """A stored case as :meth:`~.CaseStore.open_cases` lists it (its head row).

    Attributes:
        id: the case id.
        matter_id: its matter.
        matter_hash: the content hash of the matter version it runs on (its pin).
        department: the matter's lead department (实施主体).
        status: the case's status (a :class:`~approval_rules.engine.Status` value).
        version: the number of events stored.
        last_at: when the last event happened.
    """

    id: str
    matter_id: str
    matter_hash: str
    department: str
    status: str
    version: int
    last_at: datetime


class DueClock(NamedTuple):
    """An open period of a case and when it runs out (:meth:`~.CaseStore.due_before`).

    Attributes:
        case_id: the case.
        matter_id: its matter.
        clock: ``statutory``, ``promised``, ``certificate`` (the periods of the law),
            ``notice`` (the 5-working-day correction window: deemed acceptance when it
            runs out), ``makeup`` (the make-up date of tolerated materials) or ``step``.
        step: the step, for ``step`` clocks; else ``None``.
        due: the last day of the period.
        runs_out: 00:00 of the day after ``due`` in the engine's time zone, when the
            period is over (and a clock event, if any, falls due).
    """

    case_id: str
    matter_id: str
    clock: str
    step: str | None
    due: date
    runs_out: datetime


class WorkItem(NamedTuple):
    """Something a person may do on a case now (:meth:`~.CaseStore.inbox`).

    Attributes:
        case_id: the case.
        matter_id: its matter.
        step: the open step to act on; ``None`` for the window's work after a decision
            in a matter without a step of that kind (issuing the certificate,
            delivering, closing, taking fees), and for the later check of a decision on
            commitment (``record_check``, listed until recorded, also on a closed case).
        actions: the actions the person may take on it, in the engine's order (e.g.
            ``("pass", "send_back", "refuse")``, ``("accept", "refuse_to_accept")``).
        due: the step's due date, or the period the work belongs to (the notice
            window before acceptance, the certificate period, the later check's due
            date); ``None`` when it has none.
        case_due: the case's promised due date (``None`` before acceptance).
        on_behalf_of: the absent principal when the person acts as AB岗 backup.
    """

    case_id: str
    matter_id: str
    step: str | None
    actions: tuple[str, ...]
    due: date | None
    case_due: date | None
    on_behalf_of: str | None


class PersonAbsence(NamedTuple):
    """A person's absence in the store's calendar: their AB岗 backup stands in.

    Attributes:
        person: who is away.
        start: first day away.
        end: last day away (inclusive).
        reason: why (leave, training …), if given.
        by: who recorded it.
    """

    person: str
    start: date
    end: date
    reason: str | None
    by: str


class MatterVersion(NamedTuple):
    """One version of a matter the stored cases run on (:meth:`~.CaseStore.versions`).

    Attributes:
        matter_id: the matter.
        matter_hash: the version's content hash.
        cases: stored cases on it.
        open_cases: those not ended yet.
        current: whether it is the engine's catalogue's version of the matter
            (``None`` when the store was opened without an engine, or the catalogue
            no longer has the matter).
    """

    matter_id: str
    matter_hash: str
    cases: int
    open_cases: int
    current: bool | None


class BrokenCase(NamedTuple):
    """A stored case whose record fails a check (:meth:`~.CaseStore.check`).

    Attributes:
        case_id: the case.
        seq: the first bad event (for a missing or changed head row, the last event).
        code: :attr:`~approval_rules.audit.LogTampered.code` (``sequence``, ``chain``,
            ``hash``, ``time``, ``head``, ``malformed``), or ``definition`` (the matter
            definition the case pins is missing or changed), ``orphan`` (events without
            a case row); with keys, ``missing``, ``bad-signature`` or ``no-key`` (a
            signature, :class:`~approval_rules.signing.SignatureProblem`); with the
            engine's re-check of who acted, ``unauthorised``.
        message: plain words.
    """

    case_id: str
    seq: int
    code: str
    message: str


class CheckReport(NamedTuple):
    """The result of :meth:`~.CaseStore.check`: how many cases, and the broken ones."""

    cases: int
    broken: tuple[BrokenCase, ...]

    @property
    def ok(self) -> bool:
        """Every stored record verified."""
        return not self.broken


class DueAlarm(NamedTuple):
    """A row of the alarm index that is due (:meth:`~.CaseStore.alarms_due`).

    Attributes:
        case_id: the case.
        fire_at: when the threshold (or anomaly) is reached.
        key: what for: the identity of the alert it announces.
    """

    case_id: str
    fire_at: datetime
    key: str
