"""The :class:`Engine`: the entry points a host calls, and the route every action takes.

``act`` checks the request (the case's version and pin, the time, the actor, the
action and its details), records the clock events that fell due, runs the action's
check and handler from the registry (:mod:`.actions`), builds the event
(:func:`~..audit.next_event`) and folds it into the next case (:func:`~.evolve.evolve`,
with the step map the handler computed).  Everything else is in the modules it calls.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from zoneinfo import ZoneInfo

from .._wording import suggestion
from ..audit import Event, LogTampered, canonical_json, next_event, verify
from ..catalogue import Catalogue
from ..compiler import compiled_plans, matter_plan
from ..errors import ActionNotAllowed, CalendarNotPublished, CaseDataError, CaseError, StaleCase
from ..graph import Process
from ..plan import MatterPlan
from ..signing import Keys
from ..versions import MatterDefinition
from ..workdays import WorkCalendar
from .actions import CLOCK_EVENTS, REGISTRY, UNDATED
from .alerts import ALERT_ACTION, alert_details, recorded_alerts
from .bounds import caller_id, check_input, shown
from .case import CASE_FORMAT, Case
from .clocks import Clocks, Timer
from .context import Command, Ctx, Details, Handled
from .evolve import Patch, apply_event, evolve, opened_state
from .fees import assess, require_fee_fields
from .intake import check_applicant, check_files, check_materials
from .migration import migration
from .permissions import AbsenceCalendar, absences_from
from .records import SYSTEM, TERMINAL
from .redate import REDATE, Redated, redate, redate_all
from .reports import AvailableAction, Deadlines, available_actions, deadlines
from .signatures import must_sign, signed_steps
from .steps import named_step

__all__ = ["Engine"]

_NEW: Final = tuple.__new__


def _same(given: Any, recorded: Any) -> bool:
    """Whether a detail as given equals the value the event recorded for it (amounts
    and days are recorded as text: ``100`` and ``"100.00"`` are the same amount)."""
    if given == recorded:
        return True
    if isinstance(given, Mapping) and isinstance(recorded, Mapping):
        return given.keys() == recorded.keys() and all(
            _same(v, recorded[k]) for k, v in given.items()
        )
    if isinstance(given, list | tuple) and isinstance(recorded, list | tuple):
        return len(given) == len(recorded) and all(map(_same, given, recorded))
    if isinstance(given, bool) or isinstance(recorded, bool):
        return False
    if isinstance(given, int | float | Decimal | str) and isinstance(recorded, int | float | str):
        try:
            return Decimal(str(given)) == Decimal(str(recorded))
        except InvalidOperation:
            return str(given) == str(recorded)
    return str(given) == str(recorded)


def _differing_detail(recorded: Mapping[str, Any], given: Mapping[str, Any]) -> str | None:
    """The first detail of a retried action that the event with its id recorded with
    another value (details the event does not record are not compared)."""
    for key, value in given.items():
        if key in recorded and not _same(value, recorded[key]):
            return key
    return None


class Engine:
    """Runs cases of a catalogue's matters on a working-day calendar.

    Args:
        catalogue: the loaded catalogue; matters are compiled on first use (the
            compiler keeps them for as long as the catalogue lives).
        calendar: the working-day calendar deadlines are counted on.
        tz: the office's time zone (default Asia/Shanghai); ``at`` values are read in
            it and events are dated in it.
        keys: the people's public keys (:func:`~..signing.load_keys`): a ``sign``
            whose signature does not verify is then refused at once (``bad-signature``);
            without them it is recorded and reported by :meth:`Case.verify`.

    Engines share nothing that changes: two engines with different catalogues or
    calendars can run side by side in one process (an engine made by
    :meth:`with_absences` shares the versions its engine holds).  An engine holds its
    catalogue's version of each matter and any other added with :meth:`add_version`;
    each case runs on the version it is pinned to (:mod:`~approval_rules.versions`).  An
    engine keeps the due dates it computed on working days without stops (a pure
    function of its calendar).
    """

    def __init__(
        self,
        catalogue: Catalogue,
        calendar: WorkCalendar,
        *,
        tz: tzinfo | None = None,
        keys: Keys | None = None,
    ) -> None:
        if not isinstance(catalogue, Catalogue):
            raise TypeError(f"catalogue must be a Catalogue (got {type(catalogue).__name__})")
        if not isinstance(calendar, WorkCalendar):
            raise TypeError(f"calendar must be a WorkCalendar (got {type(calendar).__name__})")
        if keys is not None and not isinstance(keys, Keys):
            raise TypeError(f"keys must be signing.Keys (got {type(keys).__name__})")
        self.catalogue = catalogue
        self.calendar = calendar
        self.keys = keys
        self.tz: tzinfo = tz if tz is not None else ZoneInfo("Asia/Shanghai")
        if datetime(2025, 1, 1, tzinfo=self.tz).utcoffset() is None:
            raise TypeError("tz must give a UTC offset (a ZoneInfo or a datetime.timezone)")
        self._fingerprint = calendar.fingerprint
        self._clocks = Clocks(calendar, self.tz)
        self._plans: Mapping[str, MatterPlan] = compiled_plans(catalogue)
        # each version's plan bound to this engine's clocks, by definition hash
        self._versions: dict[str, Ctx] = {}
        self._definitions: dict[str, MatterDefinition] = {}  # by hash: every version held
        self._current: dict[str, MatterDefinition] = {}  # by matter id: the catalogue's
        self._absences: AbsenceCalendar | None = None
        self._signed_steps: dict[str, frozenset[str]] = {}

    # ----------------------------------------------------------------- plans

    def process(self, matter_id: str) -> Process:
        """The compiled process of a matter.

        Raises:
            CaseDataError: the catalogue has no such matter.
            DefinitionError: the matter does not compile.
        """
        return self._plan(matter_id).process

    def _plan(self, matter_id: str) -> MatterPlan:
        plan = self._plans.get(matter_id) if isinstance(matter_id, str) else None
        if plan is None:
            if not isinstance(matter_id, str) or matter_id not in self.catalogue.matters:
                raise CaseDataError(
                    f"the catalogue has no matter {shown(matter_id)}"
                    + suggestion(str(matter_id)[:64], self.catalogue.matters)
                )
            plan = matter_plan(self.catalogue, matter_id)
        return plan

    def _ctx(self, case: Case) -> Ctx:
        """The plan of the version the case is pinned to (:attr:`Case.matter_hash`)."""
        if type(case) is not Case:
            raise TypeError(f"case must be a Case (got {type(case).__name__})")
        ctx = self._versions.get(case.matter_hash)
        if ctx is None:
            ctx = self._version_ctx(case.matter_id, case.matter_hash)
            if ctx is None:
                held = self._current.get(case.matter_id)
                now = f"; its catalogue's version is {held.hash[:12]}" if held else ""
                raise CaseError(
                    f"case {case.id} runs under matter {case.matter_id!r} version "
                    f"{case.matter_hash[:12]}, which this engine does not hold{now}: hand "
                    "it that version with add_version (a store does), or migrate the case"
                )
        return ctx

    def _version_ctx(self, matter_id: str, matter_hash: str) -> Ctx | None:
        """The catalogue's version of the matter when it has that hash, bound once."""
        if matter_id not in self.catalogue.matters:
            return None
        current = self.current(matter_id)
        if current.hash != matter_hash:
            return None
        return self._versions[matter_hash]

    def with_absences(self, calendar: AbsenceCalendar | None) -> Engine:
        """This engine reading people's absences from ``calendar`` too (AB岗): a backup
        may act for a principal the calendar says is absent that day, on every case,
        besides the absences recorded in the case itself.  ``None``: the cases' own.

        The engine returned shares this one's catalogue, calendar, plans and versions
        (a version added to either is held by both).  A store's :attr:`engine` is bound
        to the store's calendar this way.
        """
        if calendar is not None and not callable(getattr(calendar, "absent", None)):
            raise TypeError(
                f"calendar must have absent(person, day) (got {type(calendar).__name__})"
            )
        bound = copy.copy(self)
        bound._absences = calendar
        return bound

    @property
    def absences(self) -> AbsenceCalendar | None:
        """The calendar of people's absences the engine reads (:meth:`with_absences`)."""
        return self._absences

    # ----------------------------------------------------------------- versions

    def current(self, matter_id: str) -> MatterDefinition:
        """The version of a matter the engine's catalogue defines (new cases run on it):
        the matter and the people, fee items, roles and departments it uses.

        Raises:
            CaseDataError: the catalogue has no such matter.
            DefinitionError: the matter does not compile.
        """
        found = self._current.get(matter_id) if isinstance(matter_id, str) else None
        if found is None:
            plan = self._plan(matter_id)
            found = MatterDefinition.of(self.catalogue, matter_id, staff=_staff(plan))
            self._definitions.setdefault(found.hash, found)
            self._versions.setdefault(found.hash, Ctx(plan, self._clocks, self.keys))
            self._current[matter_id] = found
        return found

    def add_version(self, definition: MatterDefinition) -> None:
        """Hold another version of a matter: cases pinned to it run on it (a store hands
        its engine every version its cases were opened on).  Adding a version held
        already does nothing.

        Raises:
            DefinitionError: the definition does not compile on its own.
        """
        if not isinstance(definition, MatterDefinition):
            raise TypeError(
                f"definition must be a MatterDefinition (got {type(definition).__name__})"
            )
        if definition.hash in self._versions:
            return
        plan = matter_plan(definition.catalogue(), definition.matter_id)
        self._definitions.setdefault(definition.hash, definition)
        self._versions.setdefault(definition.hash, Ctx(plan, self._clocks, self.keys))

    def definition(self, matter_hash: str) -> MatterDefinition:
        """The version a hash names, among those the engine holds.

        Raises:
            CaseDataError: the engine holds no version with that hash.
        """
        found = self._definitions.get(matter_hash)
        if found is None:
            raise CaseDataError(f"this engine holds no matter version {shown(matter_hash)}")
        return found

    def versions(self, matter_id: str) -> list[MatterDefinition]:
        """Every version of a matter the engine holds (the catalogue's included, when it
        has the matter), in the order they were first held."""
        if matter_id in self.catalogue.matters:
            self.current(matter_id)
        return [d for d in self._definitions.values() if d.matter_id == matter_id]

    def process_of(self, matter_hash: str) -> Process:
        """The compiled process of a version the engine holds.

        Raises:
            CaseDataError: the engine holds no version with that hash.
        """
        self.definition(matter_hash)
        return self._versions[matter_hash].plan.process

    def _after_last(self, case: Case, at: object, action: str) -> datetime:
        """``at`` in the engine's zone, refused when before the case's last event."""
        local = self._clocks.local(at)
        if local < case.last_at:
            raise ActionNotAllowed(
                action,
                f"{local.isoformat()} is before the case's last event ({case.last_at.isoformat()})",
                code="time-goes-back",
            )
        return local

    # ----------------------------------------------------------------- the record

    def _record(
        self,
        case: Case,
        moment: datetime,
        stamp: str,
        actor: str,
        action: str,
        handled: Handled,
        event_id: str | None,
    ) -> Case:
        """The case after the event ``handled`` describes: built, hashed and folded."""
        details, steps = handled
        details = self._clocks.flagged(details)
        eid = event_id if event_id is not None else f"{case.id}#{case.version + 1}"
        event = case.events.next_event(eid, stamp, actor, action, details)
        return evolve(case, event, _NEW(Patch, (moment, steps)))

    def _advance(self, ctx: Ctx, case: Case, until: datetime, *, hold: bool = False) -> Case:
        """Record the clock events due up to ``until``.

        A clock event that needs a year the calendar does not know raises
        :class:`~..errors.CalendarNotPublished`, or with ``hold`` stays unrecorded (the
        case as it was before it; only :data:`~.actions.UNDATED` actions go on).
        """
        while True:
            timer = ctx.clocks.next_timer(ctx.plan, case)
            if timer is None or timer.at > until:
                return case
            # dated when the limit ran out, or with the last event if that came later
            moment = max(timer.at, case.last_at)
            timer = timer._replace(at=moment)
            try:
                handled = CLOCK_EVENTS[timer.action](ctx, case, timer)
            except CalendarNotPublished:
                if hold:
                    return case
                raise
            case = self._record(
                case, moment, moment.isoformat(), SYSTEM, timer.action, handled, None
            )

    # ----------------------------------------------------------------- public API

    def submit(
        self,
        matter_id: str,
        applicant: Mapping[str, Any],
        materials: Mapping[str, Any],
        *,
        at: datetime,
        actor: str,
        case_id: str | None = None,
        green_channel: bool = False,
        commitment: bool = False,
    ) -> Case:
        """Open a case: the materials are received and checked (收件).

        Every problem the checks find (missing required materials, electronic files
        breaking the matter's rules) is listed in ``case.intake.problems``; tolerated
        materials that are missing in ``case.intake.gaps``.  The start step (window
        acceptance) opens, and the 5-working-day correction-notice window starts.

        Args:
            matter_id: the matter applied for.
            applicant: the applicant's fields, checked against ``applicant_fields``.
            materials: material id → ``"paper"`` / ``True`` (paper only), a list of
                files (a name, or ``{name, type, size_kb, width, height, pages}``), or
                ``{"files": [...]}``.
            at: when the materials arrived (timezone-aware).
            actor: the applicant's id (only the applicant may withdraw).
            case_id: the case id (办件编号); by default one derived from the submission.
            green_channel: ask for the green channel (the matter must offer it and
                its condition must hold).
            commitment: the applicant chose 告知承诺制 (the matter must declare it):
                the materials the commitment replaces are not required, and a signer
                of the deciding step may accept and decide on the spot
                (``accept_on_commitment``).

        Raises:
            TypeError: ``at`` is naive.
            CaseDataError: unknown matter, fields, materials, malformed input or input
                outside the bounds (:mod:`.bounds`: ids, texts, numbers, nesting).
            ActionNotAllowed: green channel asked for but not available; commitment
                asked for on a matter without one (``no-commitment``).
            CalendarNotPublished: the correction-notice window or the first step's due
                date falls in a year the calendar has no data for.
        """
        plan = self._plan(matter_id)
        clocks = self._clocks
        local = clocks.local(at)
        caller_id(actor, "actor")
        if case_id is not None:
            caller_id(case_id, "case_id")
        check_input(applicant, "applicant")
        check_input(materials, "materials")
        if actor == SYSTEM:
            raise ActionNotAllowed("submit", f"{SYSTEM!r} is reserved", code="reserved-actor")
        fields = check_applicant(plan, applicant)
        files, paper = check_files(plan, materials, "submit")
        replaced = self._replaced(plan, commitment)
        problems, gaps = check_materials(plan, fields, files, replaced, paper)
        if plan.fees:
            require_fee_fields(plan, fields)
        if green_channel:
            green = plan.green
            if green is None:
                raise ActionNotAllowed(
                    "submit", f"matter {matter_id!r} has no green channel", code="no-green-channel"
                )
            if plan.green_when is not None and not plan.green_when.evaluate(fields):
                raise ActionNotAllowed(
                    "submit",
                    f"the green channel needs {green.when} for this applicant",
                    code="no-green-channel",
                )
        stamp = local.isoformat()
        notice_due = clocks.notice_due(local.date())
        due, due_text = clocks.step_due(plan.step_limit(plan.start, green_channel), local)
        if case_id is None:
            payload = [matter_id, fields, files, stamp, actor]
            case_id = "c-" + hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:12]
        details: Details = {
            "format": CASE_FORMAT,
            "case": case_id,
            "matter": matter_id,
            "matter_hash": self.current(matter_id).hash,
            "calendar": self._fingerprint,
            "applicant": fields,
            "materials": files,
            **({"paper": paper} if paper else {}),  # only then: other cases keep their form
            "problems": [[p.material, p.code, p.message] for p in problems],
            "gaps": gaps,
            "green_channel": bool(green_channel),
            **({"commitment": list(replaced)} if commitment else {}),
            "limits": [list(plan.statutory), list(clocks.promised_limit(plan, green_channel))],
            "notice_due": notice_due,
            "open": [[plan.start, due_text]],
        }
        details = clocks.flagged(details)
        event = next_event(
            (), id=f"{case_id}#1", at=stamp, actor=actor, action="submit", details=details
        )
        return evolve(None, event, Patch(local, {plan.start: opened_state(stamp, due)}))

    @staticmethod
    def _replaced(plan: MatterPlan, commitment: object) -> tuple[str, ...]:
        """The materials the applicant's commitment replaces (none when not chosen)."""
        if type(commitment) is not bool:
            raise CaseDataError(f"submit: commitment must be true or false, not {commitment!r}")
        if not commitment:
            return ()
        declared = plan.matter.commitment
        if declared is None:
            raise ActionNotAllowed(
                "submit",
                f"matter {plan.matter.id!r} does not offer the commitment procedure (告知承诺制)",
                code="no-commitment",
            )  # fmt: skip
        return declared.replaces

    def act(
        self,
        case: Case,
        action: str,
        *,
        at: datetime,
        actor: str,
        event_id: str | None = None,
        expected_version: int | None = None,
        **details: Any,
    ) -> Case:
        """Do ``action`` on ``case`` and return the next case.

        Clock events that fell due before ``at`` are recorded first (:meth:`advance`).

        Args:
            case: the case as the caller holds it.
            action: one of :data:`~.actions.ACTIONS`.
            at: when (timezone-aware; not before the case's last event).
            actor: the person (or the applicant) acting.
            event_id: the caller's id for this action; retrying with an id already in
                the case returns the case unchanged (idempotent retries).
            expected_version: the version the caller last saw; another raises
                :class:`~..errors.StaleCase` (optimistic concurrency).
            details: the action's details (see :data:`~.actions.ACTIONS` and
                docs/engine.md).

        Raises:
            TypeError: ``at`` is naive, or ``expected_version`` is not a whole number.
            ActionNotAllowed: refused, with ``reason`` and ``code``; nothing changed.
            StaleCase: ``expected_version`` is not the case's version.
            CaseDataError: malformed details, or input outside the bounds
                (:mod:`.bounds`: ids, texts, numbers, nesting).
            CalendarNotPublished: the action (or a clock event due before it) needs a
                year the calendar has no data for (it never guesses; add an overlay or
                use a provisional calendar).  Undated actions (withdraw, record_absence)
                never raise it: they are recorded while such a clock event waits.
            CaseError: the engine's matter is another version than the case's.
        """
        ctx = self._ctx(case)
        if expected_version is not None and (
            type(expected_version) is not int or expected_version < 0
        ):
            raise TypeError(
                "expected_version must be the case's version as a whole number, not "
                f"{shown(expected_version)} ({type(expected_version).__name__})"
            )
        if event_id is not None:
            caller_id(event_id, "event_id")
            used = case.events.caller_event(event_id)
            if used is not None:
                if used[1:] != (action, actor):
                    raise ActionNotAllowed(
                        action,
                        f"event id {event_id!r} was already used for {used[1]!r} by {used[2]}",
                        code="event-id-reused",
                    )
                differs = _differing_detail(case.events[used[0] - 1].details, details)
                if differs is not None:
                    raise ActionNotAllowed(
                        action,
                        f"event id {event_id!r} was already used for {action!r} with another "
                        f"{differs!r}; use a new id for a new action",
                        code="event-id-reused",
                    )
                return case
        if expected_version is not None and expected_version != case.version:
            raise StaleCase(expected_version, case.version)
        local = self._after_last(case, at, action)
        caller_id(actor, "actor")
        spec = REGISTRY.get(action) if isinstance(action, str) else None
        if spec is None:
            name = action if isinstance(action, str) and len(action) <= 64 else shown(action)
            raise ActionNotAllowed(
                name, "unknown action" + suggestion(name, REGISTRY), code="unknown-action"
            )
        if actor == SYSTEM:
            raise ActionNotAllowed(action, f"{SYSTEM!r} is reserved", code="reserved-actor")
        for key in details:
            if key not in spec.details:
                raise CaseDataError(
                    f"{action}: unknown detail {shown(key)} "
                    f"(it takes: {', '.join(spec.details) or 'none'})"
                )
        check_input(details, action, details=True)
        # an undated action goes on while a clock event waits for its year's calendar
        case = self._advance(ctx, case, local, hold=action in UNDATED)
        if case.status in TERMINAL and not spec.after_end:
            raise ActionNotAllowed(action, f"the case is {case.status.value}", code="case-ended")
        step = named_step(ctx.plan, case, details, action) if spec.per_step else None
        aim = step if spec.aim is None else spec.aim(ctx, case, details, action)
        stamp = local.isoformat()
        command = _NEW(Command, (action, local, stamp, actor, details))
        if self._absences is None:
            auth = spec.check(ctx, case, action, aim, actor, local.date())
            handled = spec.handle(ctx, case, command, auth)
        else:
            with absences_from(self._absences):
                auth = spec.check(ctx, case, action, aim, actor, local.date())
                handled = spec.handle(ctx, case, command, auth)
        if must_sign(ctx, action, auth, self._signed(ctx)):
            handled = ({**handled[0], "signed": True}, handled[1])
        return self._record(case, local, stamp, actor, action, handled, event_id)

    def _signed(self, ctx: Ctx) -> frozenset[str]:
        """The matter's steps whose actions must be signed (kept per matter version)."""
        found = self._signed_steps.get(ctx.plan.hash)
        if found is None:
            found = self._signed_steps[ctx.plan.hash] = signed_steps(ctx)
        return found

    def assess_fees(self, matter_id: str, applicant: Mapping[str, Any]) -> dict[str, Decimal]:
        """The fees the matter's rules give for an applicant: fee item → yuan.

        The same assessment the deciding step records on a case (``pass``), for a
        supervisor to check a record against (违规收费).

        Raises:
            CaseDataError: no such matter, or a field a fee is counted from is missing
                or negative.
        """
        plan = self._plan(matter_id)
        require_fee_fields(plan, applicant)
        return assess(plan, applicant)

    def record_alert(
        self,
        case: Case,
        *,
        at: datetime,
        key: str,
        rule: str,
        level: str,
        step: str | None = None,
        due: date | None = None,
    ) -> Case:
        """Record a supervision alert on the case: a ``record_alert`` event of the system.

        The clock events that fell due before ``at`` are recorded first, as for
        :meth:`act`.  The event changes no status; it may be recorded after the case
        ended.  An alert whose ``key`` the case holds already returns the case
        unchanged (a retried sweep records nothing twice).

        Args:
            at: when the alert is recorded (timezone-aware; not before the last event).
            key: the alert's identity (``Alert.key``: it starts with the case's id).
            rule: the supervision rule that fired; ``level``: its level.
            step: the step it is about (``None``: the case).
            due: the due date that applies (``None`` for an anomaly).

        Raises:
            TypeError: ``at`` is naive.
            ActionNotAllowed: ``at`` is before the case's last event.
            CaseDataError: a detail of the wrong type, about another case or step.
        """
        ctx = self._ctx(case)
        handled = alert_details(
            case, frozenset(ctx.plan.steps), key=key, rule=rule, level=level, step=step, due=due
        )
        if handled[0]["key"] in recorded_alerts(case):
            return case
        local = self._after_last(case, at, ALERT_ACTION)
        # an alert is recorded even while a clock event waits for its year's calendar
        case = self._advance(ctx, case, local, hold=True)
        stamp = local.isoformat()
        return self._record(case, local, stamp, SYSTEM, ALERT_ACTION, handled, None)

    def advance(self, case: Case, at: datetime) -> Case:
        """Record the clock events that fell due up to ``at``; the same case if none did.

        Each is dated when its limit ran out (00:00 of the day after the last day):
        deemed acceptance when no correction notice came within 5 working days
        (Art. 32); deemed agreement of a co-department step whose matter says
        ``on_timeout: deem_agreed``; termination when a tolerated gap's make-up
        date passed.

        ``at`` before the case's last event returns the case unchanged: no clock event
        is dated before the last event, and advancing to a later moment records what
        fell due (a host reading many cases with a clock a little behind another
        server's never fails on one of them).

        Raises:
            NaiveDatetime: ``at`` is naive (a ``TypeError``).
            CalendarNotPublished: a clock event needs a year the calendar has no data for.
        """
        ctx = self._ctx(case)
        local = self._clocks.local(at)
        if local < case.last_at:
            return case
        return self._advance(ctx, case, local)

    def next_timer(self, case: Case) -> Timer | None:
        """When ``case`` next changes by itself, if nobody acts: a :class:`~.clocks.Timer`
        (moment, clock event, step), or ``None``.

        A host schedules :meth:`advance` at that moment; :meth:`advance` and
        :meth:`act` record what fell due in any case, so a late call loses nothing.
        """
        ctx = self._ctx(case)
        return ctx.clocks.next_timer(ctx.plan, case)

    def migrate(
        self,
        case: Case,
        to: str,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Move an open case to another version of its matter (one the engine holds:
        its catalogue's, or one added with :meth:`add_version`), with a ``migrate``
        event; the new version's rules apply from then on (engine/migration.py).

        Clock events that fell due before ``at`` are recorded first, on the old version.

        Raises:
            ActionNotAllowed: ``same-version``, ``other-matter``, ``case-ended``,
                ``step-not-in-version``, ``result-not-in-version``,
                ``commitment-not-in-version``, ``not-authorised``,
                ``conflict-of-interest``, ``time-goes-back``; nothing changed.
            CaseDataError: the engine holds no version ``to``.
            StaleCase: ``expected_version`` is not the case's version.
        """
        source = self._ctx(case)
        self.definition(to)
        if expected_version is not None and expected_version != case.version:
            raise StaleCase(expected_version, case.version)
        local = self._after_last(case, at, "migrate")
        caller_id(actor, "actor")
        check_input({"reason": reason}, "migrate", details=True)
        case = self._advance(source, case, local)
        handled = migration(source, self._versions[to], to, case, actor, reason)
        stamp = local.isoformat()
        return self._record(case, local, stamp, actor, "migrate", handled, None)

    def replay(self, events: Sequence[Event], *, head: str | None = None) -> Case:
        """Rebuild a case from its log after verifying the hash chain and who acted.

        Beyond the chain, every event is checked against the case as the events before
        it left it: a person's action must pass the same check :meth:`act` runs (the
        actor was a signer, a backup whose principal was absent, the applicant …, on
        the day of the event), and a ``system`` event must be a clock event that had
        fallen due, a ``redate`` of an open case, or a supervision alert on the case
        (``record_alert``).  A chain anyone could recompute (no
        keys) is thus also a record of allowed actions only.

        Args:
            events: the log.
            head: the last hash kept elsewhere (detects a truncated log).

        Raises:
            LogTampered: the chain is broken, an event's actor was not authorised
                at that moment (``code`` ``unauthorised``), or an event does not fit
                the case the events before it built (``malformed``: e.g. a ``redate``
                of a later check on a case not on commitment); a
                :class:`~..errors.CaseError`.
            CaseDataError: the log is empty.
            CaseError: the case ran under another version of the matter.
        """
        verify(events, head=head)
        case: Case | None = None
        ctx: Ctx | None = None
        for event in events:
            if case is None:
                if event.actor == SYSTEM:
                    raise LogTampered(event.seq, "unauthorised", f"{SYSTEM!r} cannot submit")
            else:
                if ctx is None:
                    ctx = self._ctx(case)  # the version the case runs on (until a migrate)
                with absences_from(self._absences):
                    self._authorised(ctx, case, event)
            try:
                case = apply_event(case, event)
            except CaseDataError as err:  # a forged event that does not fit the case
                raise LogTampered(event.seq, "malformed", str(err)) from None
            if event.action == "migrate":
                ctx = None
        if case is None:
            raise CaseDataError("an empty event log describes no case")
        self._ctx(case)
        return case

    def _authorised(self, ctx: Ctx, case: Case, event: Event) -> None:
        """Whether ``event`` was allowed on ``case`` (the case before it), as ``act`` or
        the clocks would have allowed it; else :class:`LogTampered` ``unauthorised``."""
        action, actor = event.action, event.actor
        moment = datetime.fromisoformat(event.at).astimezone(self.tz)
        if actor == SYSTEM:
            waits = case.commitment is not None and case.commitment.finding is None
            if action == REDATE and (case.status not in TERMINAL or waits):
                # dates computed again on a newer calendar: replay cannot re-derive them
                # without that calendar, and they give nobody a right to act (an ended
                # case: the later check of a commitment, 告知承诺制, while it waits)
                return
            if action == ALERT_ACTION and str(event.details.get("key", "")).startswith(
                f"{case.id}|"
            ):
                # a supervision alert on this case, in any status: it gives nobody a
                # right to act
                return
            timer = ctx.clocks.next_timer(ctx.plan, case)
            if timer is None or timer.action != action or timer.at > moment:
                raise LogTampered(
                    event.seq,
                    "unauthorised",
                    f"{action!r} by {SYSTEM!r} is not a clock event that had fallen due",
                )
            return
        spec = REGISTRY.get(action)
        try:
            if action == "migrate":
                to = event.details.get("to")
                target = (
                    (self._versions.get(to) or self._version_ctx(case.matter_id, to))
                    if isinstance(to, str)
                    else None
                )
                if target is None:
                    raise CaseError(
                        f"event {event.seq} moved case {case.id} to matter version "
                        f"{str(to)[:12]}, which this engine does not hold: hand it that "
                        "version with add_version (a store does)"
                    )
                judged = migration(ctx, target, str(to), case, actor, event.details.get("reason"))
                for key in ("problems", "gaps", "commitment"):  # absent: logged before #14
                    if key in event.details and event.details[key] != judged[0].get(key):
                        raise ActionNotAllowed(
                            action, f"the event's {key} are not what version {str(to)[:12]} "
                            "finds on the case's materials"
                        )  # fmt: skip
                return
            if spec is None:
                raise ActionNotAllowed(action, "not an action a person may take")
            if case.status in TERMINAL and not spec.after_end:
                raise ActionNotAllowed(action, f"the case was {case.status.value}")
            step = named_step(ctx.plan, case, event.details, action) if spec.per_step else None
            aim = step if spec.aim is None else spec.aim(ctx, case, event.details, action)
            auth = spec.check(ctx, case, action, aim, actor, moment.date())
            if must_sign(ctx, action, auth, self._signed(ctx)) != (
                event.details.get("signed") is True
            ):
                raise ActionNotAllowed(
                    action, "the event does not say whether it must be signed as the step does"
                )
        except ActionNotAllowed as err:
            raise LogTampered(
                event.seq,
                "unauthorised",
                f"{actor} was not allowed to {action} at {event.at}: {err.reason}",
            ) from None

    def available_actions(self, case: Case, at: datetime) -> list[AvailableAction]:
        """What each person may do on the case at ``at`` (clock events applied first).

        Every listed ``(action, actor)`` succeeds with suitable details; anything not
        listed is refused.  Backups appear only while their principal is absent; each
        lists whom it stands in for (:attr:`AvailableAction.stands_in_for`).  An action
        that would need a year the calendar has no data for is not listed; while a clock
        event waits for such a year only the undated actions are.

        ``at`` before the case's last event gives ``[]``: nothing can be done at that
        moment (:meth:`act` would refuse it with ``time-goes-back``), and a listing of
        many cases read at one moment never fails on a case acted on a little later.

        Raises:
            NaiveDatetime: ``at`` is naive (a ``TypeError``).
        """
        ctx = self._ctx(case)
        local = self._clocks.local(at)
        if local < case.last_at:
            return []
        case = self._advance(ctx, case, local, hold=True)
        timer = ctx.clocks.next_timer(ctx.plan, case)
        with absences_from(self._absences):
            return available_actions(ctx, case, local, held=timer is not None and timer.at <= local)

    def deadlines(self, case: Case, at: datetime) -> Deadlines:
        """The case's periods on the day of ``at``: due dates, elapsed, remaining, used.

        ``statutory`` runs from acceptance to the decision (Art. 42), ``promised``
        from acceptance to closing (办结; to the decision for a refusal),
        ``certificate`` from a positive decision to delivery (Art. 44), each open
        step from the day it opened.  Due dates are the ones recorded in the case; a
        running clock stop counts up to ``at``.

        Raises:
            TypeError: ``at`` is naive.
            CalendarError: a date the calendar has no data for.
        """
        ctx = self._ctx(case)
        return deadlines(ctx, case, self._clocks.local(at).date())

    def redate(self, case: Case, calendar: WorkCalendar, *, at: datetime) -> Case:
        """``case`` with its due dates computed again on ``calendar`` (the official data
        for a year arrived): one ``redate`` event with the old and new dates when a date
        moved or stopped being provisional; the same case otherwise (idempotent).  See
        :mod:`.redate`; :meth:`redate_all` does a batch.

        Raises:
            TypeError: ``at`` is naive, or ``calendar`` is not a WorkCalendar.
            CalendarNotPublished: ``calendar`` lacks a year the case's dates need.
            CaseError: the engine's matter is another version than the case's.
        """
        return self.redate_all((case,), calendar, at=at).cases[0]

    def redate_all(self, cases: Iterable[Case], calendar: WorkCalendar, *, at: datetime) -> Redated:
        """Re-date every open case in ``cases`` on ``calendar`` (see :meth:`redate`): the
        cases, how many changed and the earliest and latest shift in days."""
        if not isinstance(calendar, WorkCalendar):
            raise TypeError(f"calendar must be a WorkCalendar (got {type(calendar).__name__})")
        clocks = Clocks(calendar, self.tz)
        local = clocks.local(at)
        return redate_all(
            cases, calendar, lambda case: redate(case, clocks, self._ctx(case).plan, local)
        )


def _staff(plan: MatterPlan) -> set[str]:
    """Everyone the plan lets act, or names: what a version pins of the people."""
    staff = set(plan.staff) | set(plan.extenders) | set(plan.process.people)
    for rule in plan.steps.values():
        staff.update(rule.signers)
    return staff
