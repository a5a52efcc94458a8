"""The case store: cases kept as hash-chained events, read back only as the events prove.

:class:`CaseStore` holds every SQL statement of the store; the adapters
(``sqlite.py``, ``postgresql.py``) only run them.  See docs/store.md for the tables,
the guarantees and how concurrent writers are kept apart.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta, tzinfo
from types import TracebackType
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from ..audit import LogTampered
from ..engine import Case, Engine
from ..errors import (
    ActionNotAllowed,
    ApprovalRulesError,
    CalendarError,
    CaseDataError,
    CaseError,
    CaseNotFound,
    DefinitionError,
    EventConflict,
    NaiveDatetime,
    StaleCase,
    StoreError,
)
from ..signing import Keys
from ..versions import MatterDefinition
from ._absences import StoreAbsences, absence_from_row, insert_absence
from ._backend import Backend, Tx, UniqueViolation
from ._commands import act_merging, advance_one, retrying
from ._derive import (
    NO_DUE,
    TERMINAL,
    ClockRow,
    Staffing,
    clock_rows,
    head_row,
    moment_text,
    work_rows,
)
from ._outbox import Outbox
from ._queries import (
    ALARMS_SQL,
    CASE_AND_EVENTS,
    CHECKS_SQL,
    DUE_SQL,
    INBOX_SQL,
    INSERT_EVENT,
    OPEN_MARKS,
    OPEN_STATUSES,
    TIMERS_SQL,
)
from ._records import (
    BrokenCase,
    CaseSummary,
    CheckReport,
    DueAlarm,
    DueClock,
    MatterVersion,
    PersonAbsence,
    WorkItem,
)
from ._rows import new_event_rows, rebuild, rebuild_joined, split_joined
from ._schema import OUTBOX_COLUMNS, SCHEMA_VERSION, TABLES, statements
from ._transfer import (
    absence_line,
    absence_of,
    case_line,
    case_rows_of,
    definition_line,
    definition_of,
    outbox_line,
    outbox_row_of,
    read_lines,
    store_header,
)

__all__ = ["ALARMS_SQL", "DUE_SQL", "INBOX_SQL", "TIMERS_SQL", "AlarmRows", "CaseStore"]

#: What the store keeps in its alarm index for a saved case: ``(fire_at, key)`` pairs,
#: the moment a supervision sweep must look at the case again and what for
#: (``supervision.alarms.alarms`` bound to a supervisor: :func:`~..supervision.sweep.
#: alarm_rows`).
AlarmRows = Callable[[Case], Iterable[tuple[datetime, str]]]


def _aware(moment: object, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime (got {type(moment).__name__})")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(name, moment)
    return moment


def _day(value: object, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a date (got {type(value).__name__})")
    return value


class CaseStore:
    """Cases, their records and the indexes that answer who does what by when.

    Open one with :func:`~approval_rules.store.open_store`.  A store holds one database
    connection; its methods may be called from several threads (they take turns).
    Processes and machines each open their own store on the same database: every
    write is one transaction, and concurrent writers of one case are told apart by
    the version they loaded (:meth:`save`).

    Args:
        backend: the database adapter.
        engine: the engine whose catalogue the cases run on: saving needs it to know
            who signs each step (the inbox) and to store each matter definition once.
            Reading, checking and exporting do not.
        alarms: the supervision alarms of a case (:data:`AlarmRows`): given, every save
            rewrites the case's rows of the alarm index, which a sweep reads
            (:func:`~approval_rules.supervision.sweep.sweep`); without it, saves leave
            the index as it is.
    """

    def __init__(
        self, backend: Backend, *, engine: Engine | None = None, alarms: AlarmRows | None = None
    ) -> None:
        if engine is not None and not isinstance(engine, Engine):
            raise TypeError(f"engine must be an Engine (got {type(engine).__name__})")
        if alarms is not None and not callable(alarms):
            raise TypeError(f"alarms must be a function of a case (got {type(alarms).__name__})")
        self._backend = backend
        #: the engine the store was opened with, reading the store's absence calendar
        self.engine = None if engine is None else engine.with_absences(StoreAbsences(backend))
        self.alarms = alarms
        self.tz: tzinfo = engine.tz if engine is not None else ZoneInfo("Asia/Shanghai")
        self._staffing: dict[str, Staffing] = {}
        self._defined: set[str] = set()  # definitions known to be stored
        try:
            self._prepare()
        except BaseException:
            backend.close()
            raise

    # ----------------------------------------------------------------- plumbing

    @property
    def outbox(self) -> Outbox:
        """The text messages waiting to be sent, and their delivery state (``_outbox.py``)."""
        return Outbox(self._backend)

    @property
    def url(self) -> str:
        """Where the store is (a PostgreSQL password is left out)."""
        return self._backend.where

    def __repr__(self) -> str:
        return f"<CaseStore {self.url}>"

    def close(self) -> None:
        """Close the database connection."""
        self._backend.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _prepare(self) -> None:
        """Check the schema (nothing is written to a database that is not a store of
        this version); create it in a new database."""
        backend = self._backend
        with backend.transaction(write=False) as tx:
            fresh = self._schema_missing(tx)
        backend.ready_for_writes()
        if not fresh:
            return
        with backend.transaction(write=True) as tx:
            backend.lock_schema(tx)
            if not self._schema_missing(tx):
                return  # another connection created it meanwhile
            for statement in (*statements(backend.words), *backend.triggers):
                tx.run(statement)
            tx.run("INSERT INTO store_schema (version) VALUES (?)", (SCHEMA_VERSION,))

    def _schema_missing(self, tx: Tx) -> bool:
        backend = self._backend
        tables = backend.tables(tx)
        if "store_schema" not in tables:
            foreign = sorted(tables if backend.owns_database else tables & set(TABLES))
            if foreign:
                raise StoreError(
                    f"{self.url} is not an approval_rules case store (it holds the tables "
                    f"{', '.join(foreign)}); give the store a database of its own"
                )
            return True
        versions = [row[0] for row in tx.all("SELECT version FROM store_schema")]
        if versions != [SCHEMA_VERSION]:
            found = versions[0] if len(versions) == 1 else versions
            raise StoreError(
                f"{self.url} is a case store of schema version {found}; this release of "
                f"approval_rules reads version {SCHEMA_VERSION}. Open it with the release "
                "that wrote it (its `approval-rules store export` can be imported here)"
            )
        return False

    def _need_engine(self, what: str) -> Engine:
        if self.engine is None:
            raise StoreError(
                f"{what} needs the engine the cases run on: open_store(url, engine=engine)"
            )
        return self.engine

    # ----------------------------------------------------------------- definitions

    def _staffing_for(self, matter_id: str, matter_hash: str, tx: Tx | None = None) -> Staffing:
        """Who works on which step of the matter version a case runs on (the engine is
        handed the version first: :meth:`_hold`)."""
        found = self._staffing.get(matter_hash)
        if found is not None:
            return found
        engine = self._need_engine("saving a case")
        definition = self._hold(engine, matter_id, matter_hash, tx)
        staffing = Staffing(
            engine.process_of(matter_hash),
            {f.id: f for f in definition.fee_items},
            matter_hash=matter_hash,
        )
        self._staffing[matter_hash] = staffing
        return staffing

    def _hold(
        self, engine: Engine, matter_id: str, matter_hash: str, tx: Tx | None = None
    ) -> MatterDefinition:
        """The version a case runs on, held by ``engine``: its catalogue's, or the one
        stored with earlier cases (handed to it with ``add_version``)."""
        try:
            return engine.definition(matter_hash)
        except CaseDataError:
            pass
        try:
            current: MatterDefinition | None = engine.current(matter_id)
        except CaseDataError:
            current = None  # the catalogue has no such matter (any more)
        if current is not None and current.hash == matter_hash:
            return current
        text = self._definition_text(matter_hash, tx)
        if text is None:
            now = f" (it has version {current.hash[:12]})" if current else ""
            raise CaseDataError(
                f"the case runs on matter {matter_id!r} version {matter_hash[:12]}, which "
                f"neither the engine's catalogue{now} nor the store holds; open the store "
                "with an engine whose catalogue defines it"
            )
        definition = _read_definition(text, matter_hash)
        engine.add_version(definition)
        return definition

    def _definition_text(self, matter_hash: str, tx: Tx | None) -> str | None:
        sql = "SELECT definition FROM definitions WHERE hash = ?"
        rows = (
            [tx.one(sql, (matter_hash,))]
            if tx is not None
            else self._backend.read(sql, (matter_hash,))
        )
        return None if not rows or rows[0] is None else str(rows[0][0])

    def _define(self, tx: Tx, staffing: Staffing) -> str | None:
        """Store the definition of a case's matter version once; its hash, to remember
        as stored once the transaction commits (``None``: known already)."""
        if staffing.matter_hash in self._defined:
            return None
        definition = self._need_engine("saving a case").definition(staffing.matter_hash)
        tx.run(
            "INSERT INTO definitions (hash, matter_id, definition) VALUES (?, ?, ?) "
            "ON CONFLICT (hash) DO NOTHING",
            (definition.hash, definition.matter_id, definition.to_json()),
        )
        return staffing.matter_hash

    def definition(self, matter_hash: str) -> MatterDefinition:
        """The matter version a hash names, as stored with its first case: the matter
        and the people, fee items, roles and departments it uses.

        An old case's rules stay readable after the catalogue's YAML changed.

        Raises:
            CaseDataError: the store holds no definition with that hash.
            StoreError: the stored text is not the definition its hash names.
        """
        text = self._definition_text(matter_hash, None)
        if text is None:
            raise CaseDataError(f"the store holds no matter definition {matter_hash!r}")
        return _read_definition(text, matter_hash)

    def versions(self) -> list[MatterVersion]:
        """Each matter version stored cases run on, with counts, and whether it is the
        engine's catalogue's current version: cases on any other version are listed by
        ``open_cases(matter=..., matter_hash=...)``."""
        rows = self._backend.read(
            "SELECT matter_id, matter_hash, COUNT(*), "
            f"SUM(CASE WHEN status IN ({OPEN_MARKS}) THEN 1 ELSE 0 END) "
            "FROM cases GROUP BY matter_id, matter_hash ORDER BY matter_id, matter_hash",
            OPEN_STATUSES,
        )
        current: dict[str, str | None] = {}
        for matter_id, *_ in rows:
            if self.engine is not None and matter_id not in current:
                try:
                    current[matter_id] = self.engine.current(matter_id).hash
                except (CaseDataError, DefinitionError):
                    current[matter_id] = None
        return [
            MatterVersion(
                matter_id,
                matter_hash,
                int(count),
                int(open_count or 0),
                None if current.get(matter_id) is None else current[matter_id] == matter_hash,
            )
            for matter_id, matter_hash, count, open_count in rows
        ]

    # ----------------------------------------------------------------- saving

    def save(self, case: Case, *, expected_version: int) -> int:
        """Append the case's new events, in one transaction; the number appended.

        Args:
            case: the case after the writer's actions.
            expected_version: the ``version`` of the case as the writer loaded it (0
                for a new case); the events after it are the new ones.

        Returns:
            how many events were written: 0 when the store already holds exactly this
            case (a save sent again is idempotent, no event is stored twice).

        Raises:
            StaleCase: another writer saved the case since version ``expected_version``;
                nothing was written: load it again and redo the action.
            EventConflict: an event id the caller chose is stored with other content.
            LogTampered: the case's new events do not follow from its record.
            CaseDataError: the case's matter version is neither the engine's nor stored.
            StoreError: the database failed or stayed locked.
        """
        if type(case) is not Case:
            raise TypeError(f"case must be a Case (got {type(case).__name__})")
        if type(expected_version) is not int or not 0 <= expected_version <= case.version:
            raise ValueError(
                f"expected_version must be the version the case was loaded at (0 for a new "
                f"case), between 0 and {case.version}, not {expected_version!r}"
            )
        staffing = self._staffing_for(case.matter_id, case.matter_hash)
        if expected_version == case.version:  # nothing new: is it stored as it is?
            with self._backend.transaction(write=False) as tx:
                return self._resend(tx, case, expected_version)
        rows = new_event_rows(case, expected_version)
        try:
            with self._backend.transaction(write=True) as tx:
                defined = self._define(tx, staffing)
                written = self._write(tx, case, expected_version, rows, staffing)
        except UniqueViolation:
            raise self._conflict(case, expected_version) from None
        if defined is not None:
            self._defined.add(defined)
        return written

    def _write(
        self,
        tx: Tx,
        case: Case,
        expected: int,
        rows: Sequence[Sequence[Any]],
        staffing: Staffing,
    ) -> int:
        head = head_row(case, staffing)
        if expected == 0:
            won = tx.run(
                "INSERT INTO cases (id, matter_id, matter_hash, department, status, version, "
                "head, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                head,
            )
        else:
            # compare and set: the row changes only if nobody wrote since `expected`
            won = tx.run(
                "UPDATE cases SET matter_hash = ?, status = ?, version = ?, head = ?, "
                "last_at = ? WHERE id = ? AND version = ? AND head = ?",
                (head.matter_hash, head.status, head.version, head.head, head.last_at,
                 case.id, expected, case.events[expected - 1].hash),
            )  # fmt: skip
        if not won:
            return self._resend(tx, case, expected)
        tx.many(INSERT_EVENT, rows)
        self._index(tx, case, staffing, fresh=expected == 0)
        return len(rows)

    def _index(self, tx: Tx, case: Case, staffing: Staffing, *, fresh: bool) -> None:
        """Rewrite the case's rows in the derived tables."""
        cid, matter_id = case.id, case.matter_id
        if not fresh:
            for table in ("clocks", "work_items", "case_absences"):
                tx.run(f"DELETE FROM {table} WHERE case_id = ?", (cid,))
        clocks = [(cid, c.clock, c.step, matter_id, c.due, c.runs_out)
                  for c in clock_rows(case, self.tz)]  # fmt: skip
        timer = self._timer(case)
        if timer is not None:
            clocks.append((cid, timer.clock, timer.step, matter_id, timer.due, timer.runs_out))
        if clocks:
            tx.many(
                "INSERT INTO clocks (case_id, clock, step, matter_id, due, runs_out) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                clocks,
            )
        promised = case.clock.promised_due
        case_due = None if promised is None else promised.isoformat()
        work = [(cid, w.person, w.step, w.principal, matter_id, w.actions, w.due, case_due,
                 w.rank) for w in work_rows(case, staffing)]  # fmt: skip
        if work:
            tx.many(
                "INSERT INTO work_items (case_id, person, step, principal, matter_id, actions, "
                "due, case_due, urgency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                work,
            )
        if case.absences:
            tx.many(
                "INSERT INTO case_absences (case_id, person, first_day, last_day) "
                "VALUES (?, ?, ?, ?)",
                [(cid, a.person, a.start.isoformat(), a.end.isoformat()) for a in case.absences],
            )
        if self.alarms is not None:
            self._alarm_rows(tx, case, fresh=fresh)

    def _alarm_rows(self, tx: Tx, case: Case, *, fresh: bool) -> None:
        """Rewrite the case's rows of the alarm index (the store has an alarm function)."""
        assert self.alarms is not None
        if not fresh:
            tx.run("DELETE FROM alarms WHERE case_id = ?", (case.id,))
        rows = {(moment_text(_aware(at, "fire_at")), case.id, key) for at, key in self.alarms(case)}
        if rows:
            tx.many("INSERT INTO alarms (fire_at, case_id, key) VALUES (?, ?, ?)", sorted(rows))

    def _timer(self, case: Case) -> ClockRow | None:
        """The case's ``timer`` row: when it next changes by itself (``Engine.next_timer``).

        None for an ended case, one without a timer, or one whose next timer falls on
        days the calendar has no data for (it is listed once the calendar has them and
        the case is saved again).
        """
        if case.status in TERMINAL:
            return None
        try:
            timer = self._need_engine("saving a case").next_timer(case)
        except CalendarError:
            return None
        if timer is None:
            return None
        local = timer.at.astimezone(self.tz)
        due = (local - timedelta(microseconds=1)).date()  # the last day of the period
        return ClockRow("timer", timer.step or "", due.isoformat(), moment_text(timer.at))

    def _resend(self, tx: Tx, case: Case, expected: int) -> int:
        """After a lost compare-and-set: 0 if the store holds exactly this case, else
        the conflict."""
        row = tx.one("SELECT version, head FROM cases WHERE id = ?", (case.id,))
        version, head = row if row is not None else (0, "")
        if (version, head) == (case.version, case.head):
            return 0
        conflict = self._reused_id(tx, case, expected, caller_ids_only=True)
        if conflict is not None:
            raise conflict
        raise StaleCase(expected, version)

    def _reused_id(
        self, tx: Tx, case: Case, expected: int, *, caller_ids_only: bool
    ) -> EventConflict | None:
        """A new event whose id is stored with other content.

        The engine's own ids (``<case id>#<seq>``) name a position, so two writers of
        one version always make the same ones: for them a difference is a stale write,
        not a conflict.  Callers' ids never hold ``#``.
        """
        new = {e.id: e for e in case.events[expected:] if not caller_ids_only or "#" not in e.id}
        if not new:
            return None
        marks = ", ".join("?" * len(new))
        for eid, seq, digest in tx.all(
            f"SELECT id, seq, hash FROM events WHERE case_id = ? AND id IN ({marks})",
            (case.id, *new),
        ):
            if digest != new[eid].hash:
                return EventConflict(case.id, eid, seq)
        return None

    def _conflict(self, case: Case, expected: int) -> Exception:
        """What a unique constraint refused: an event id already used in the case."""
        with self._backend.transaction(write=False) as tx:
            conflict = self._reused_id(tx, case, expected, caller_ids_only=False)
        if conflict is not None:
            return conflict
        return CaseDataError(f"case {case.id}: two of its new events have the same id")

    # ----------------------------------------------------------------- reading

    def load(self, case_id: str) -> Case:
        """The case as saved, rebuilt from its events.

        The record is verified end to end (hash chain, sequence, the case row's head
        and version) and folded; the case row must agree with the fold.

        Raises:
            CaseNotFound: no case with that id.
            LogTampered: the stored record fails verification (a changed, removed,
                reordered or appended row), with the first bad event.
        """
        rows = self._backend.read(CASE_AND_EVENTS + " WHERE c.id = ? ORDER BY e.seq", (case_id,))
        if not rows:
            raise CaseNotFound(case_id)
        case = rebuild_joined(rows)
        if self.engine is not None and case.status not in TERMINAL:
            # the engine acts on the version the case runs on, old or current; one it
            # cannot hold is the engine's to report when it is asked to act
            with contextlib.suppress(CaseDataError, DefinitionError, StoreError):
                self._hold(self.engine, case.matter_id, case.matter_hash)
        return case

    def act(
        self,
        case_id: str,
        action: str,
        *,
        at: datetime,
        actor: str,
        expected_version: int | None = None,
        event_id: str | None = None,
        **details: Any,
    ) -> Case:
        """Load the case, do ``action`` with the store's engine, save it; the new case.

        When another writer saved the case first (since ``expected_version``, the
        version the actor saw, or since this call loaded it), the action is re-applied
        on the newer case if it is independent of what changed: the newer events only
        passed *other* steps (or recorded absences, or deemed co-reviews agreed) and
        decided nothing, and the action is a ``pass`` or ``record_absence``; it is then
        dated no earlier than the newer case's last event.  Two reviewers passing
        parallel steps at once both succeed (store/_commands.py).

        Raises:
            StaleCase: a real conflict: the newer events touched the action's step,
                decided the case or did something else; nothing was written.
            ActionNotAllowed, CaseDataError, …: the engine refused; nothing was written.
            CaseNotFound: no such case.
        """
        engine = self._need_engine("acting on a case")
        return act_merging(
            self._loader(case_id), self._saver, engine, action, at=at, actor=actor,
            expected_version=expected_version, event_id=event_id, details=details,
        )  # fmt: skip

    def migrate(
        self,
        case_id: str,
        to: str,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
    ) -> Case:
        """Move an open case to version ``to`` of its matter and save it: the engine's
        :meth:`~approval_rules.engine.Engine.migrate` (a ``migrate`` event), on the
        version stored (or the catalogue's).  List the open cases of an old version with
        ``open_cases(matter=m, matter_hash=h)`` and the versions with :meth:`versions`.

        Raises:
            CaseNotFound: no such case.
            CaseDataError: neither the engine nor the store holds version ``to``.
            ActionNotAllowed: the engine refused (see ``Engine.migrate``); nothing written.
        """
        engine = self._need_engine("migrating a case")

        def move(case: Case) -> Case:
            self._hold(engine, case.matter_id, to)
            return engine.migrate(case, to, at=at, actor=actor, reason=reason)

        return self._retry(case_id, move)

    def _retry(self, case_id: str, change: Callable[[Case], Case]) -> Case:
        """Load, change, save; again on the newer case while another writer came first."""
        return retrying(self._loader(case_id), self._saver, change)

    def _loader(self, case_id: str) -> Callable[[], Case]:
        return lambda: self.load(case_id)

    def _saver(self, case: Case, version: int) -> int:
        return self.save(case, expected_version=version)

    def open_cases(
        self,
        *,
        matter: str | None = None,
        department: str | None = None,
        status: str | None = None,
        matter_hash: str | None = None,
        limit: int | None = None,
    ) -> list[CaseSummary]:
        """Cases not ended yet (not closed, not accepted, withdrawn or terminated), by id.

        Args:
            matter: only this matter's.
            department: only those whose matter's lead department this is.
            status: only those in this (open) status.
            matter_hash: only those running on this version of their matter.
            limit: at most this many.
        """
        where = [f"status IN ({OPEN_MARKS})"]
        params: list[Any] = list(OPEN_STATUSES)
        if status is not None:
            if str(status) not in OPEN_STATUSES:
                raise ValueError(f"{status!r} is not an open status ({', '.join(OPEN_STATUSES)})")
            where, params = ["status = ?"], [str(status)]
        for column, value in (("matter_id", matter), ("department", department),
                              ("matter_hash", matter_hash)):  # fmt: skip
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = (
            "SELECT id, matter_id, matter_hash, department, status, version, last_at "
            f"FROM cases WHERE {' AND '.join(where)} ORDER BY id" + _limit(limit, params)
        )
        rows = self._backend.read(sql, params)
        return [
            CaseSummary(cid, matter_id, pin, department, state, version, datetime.fromisoformat(at))
            for cid, matter_id, pin, department, state, version, at in rows
        ]

    def checks_waiting(self) -> list[CaseSummary]:
        """Cases whose later check (告知承诺制, 事后核查) is not recorded yet, by id: the
        approved ones and those closed since (the check comes after the end).  Served
        from the inbox's index (the work ``record_check``)."""
        return [
            CaseSummary(cid, matter_id, pin, department, state, version, datetime.fromisoformat(at))
            for cid, matter_id, pin, department, state, version, at in self._backend.read(
                CHECKS_SQL, ["%record_check%"]
            )
        ]

    def due_before(self, moment: datetime, *, limit: int | None = None) -> list[DueClock]:
        """Open clocks whose period is over at ``moment``: due the day before or earlier.

        Served from an index on the moment each clock runs out (00:00 after its due
        day), earliest first: what a supervision sweep reads.
        """
        params: list[Any] = [moment_text(_aware(moment, "moment"))]
        rows = self._backend.read(DUE_SQL + _limit(limit, params), params)
        tz = self.tz
        return [
            DueClock(cid, matter_id, clock, step or None, date.fromisoformat(due),
                     datetime.fromisoformat(runs_out.replace("Z", "+00:00")).astimezone(tz))
            for cid, matter_id, clock, step, due, runs_out in rows
        ]  # fmt: skip

    def alarms_due(self, moment: datetime, *, limit: int | None = None) -> list[DueAlarm]:
        """The rows of the alarm index due by ``moment``, earliest first: the cases a
        supervision sweep must look at, and what for.

        Served from the index on ``fire_at``: the cost is the rows due, not the cases
        open.  The rows are those of the alarm function the cases were saved with
        (:class:`CaseStore`'s ``alarms``).
        """
        params: list[Any] = [moment_text(_aware(moment, "moment"))]
        rows = self._backend.read(ALARMS_SQL + _limit(limit, params), params)
        tz = self.tz
        return [
            DueAlarm(cid, datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(tz), key)
            for cid, at, key in rows
        ]

    def reindex_alarms(self, case: Case) -> bool:
        """Rewrite a stored case's rows of the alarm index with the store's alarm
        function, if the store holds the case at this version (else a later save did).

        For a case a sweep looked at without recording anything (rows written under
        other rules, or by a store without the alarm function), and after the rules
        changed.  Returns whether the rows were rewritten.

        Raises:
            StoreError: the store has no alarm function.
        """
        if self.alarms is None:
            raise StoreError("reindexing alarms needs the store's alarms: open_store(url, alarms=)")
        with self._backend.transaction(write=True) as tx:
            row = tx.one("SELECT version, head FROM cases WHERE id = ?", (case.id,))
            if row is None or (row[0], row[1]) != (case.version, case.head):
                return False
            self._alarm_rows(tx, case, fresh=False)
        return True

    def advance_due(self, at: datetime) -> list[str]:
        """Advance every case whose timer ran out by ``at`` and save it: deemed
        acceptance, deemed agreement, termination (``Engine.advance``); the ids of the
        cases this call changed, by timer (a case another sweep advanced first is not
        listed).

        Served from the due index (each saved case keeps a ``timer`` row: when it next
        changes by itself).  Idempotent and safe to run from a scheduler on several
        machines at once: each case is saved with the version it was loaded at, and a
        case another writer saved meanwhile is loaded and advanced again (up to five
        times; a later sweep takes what is left).  A case acted on after ``at`` is left
        alone (its clock events were recorded by that action), and so is a case whose
        clock event needs a year the engine's calendar has no data for
        (``CalendarNotPublished``): a sweep with a calendar that has it records it.

        Raises:
            NaiveDatetime: ``at`` is naive (a ``TypeError``).
            StoreError: the database failed.
        """
        engine = self._need_engine("advancing cases")
        params: list[Any] = [moment_text(_aware(at, "at"))]
        due = dict.fromkeys(case_id for _, case_id in self._backend.read(TIMERS_SQL, params))
        return [cid for cid in due if advance_one(self._loader(cid), self._saver, engine, at)]

    def inbox(self, person: str, *, at: datetime, limit: int | None = None) -> list[WorkItem]:
        """The open work ``person`` may do at ``at``, most urgent first.

        The person's own steps, and the steps of the people they back up (AB岗) who
        are absent on that day, in the store's absence calendar
        (:meth:`record_absence`) or in the case's record.  Most urgent first: the
        earlier of the item's due date and the case's promised due date, then by case.
        Served from an index of work items by person, kept with each saved case.
        """
        day = _aware(at, "at").astimezone(self.tz).date().isoformat()
        params: list[Any] = [person, day, day, day, day]
        rows = self._backend.read(INBOX_SQL + _limit(limit, params), params)
        items: dict[tuple[str, str], WorkItem] = {}
        for cid, matter_id, step, actions, due, case_due, principal in rows:
            # one item per step: in their own right first, else for the first absent one
            items.setdefault(
                (cid, step),
                WorkItem(cid, matter_id, step or None, tuple(actions.split(",")),
                         _date(due), _date(case_due), principal or None),
            )  # fmt: skip
        return list(items.values())

    # ----------------------------------------------------------------- absences

    def record_absence(
        self, person: str, start: date, end: date, *, reason: str | None = None, by: str
    ) -> PersonAbsence:
        """Put an absence in ``person``'s calendar: their AB岗 backup stands in.

        Who may record it is the engine's rule: the person, or a colleague of their
        department other than their own backup (nobody declares someone absent to act
        in their place).  The inbox reads the calendar for every case.

        Raises:
            ActionNotAllowed: ``unknown-person``, ``bad-period`` (end before start) or
                ``not-authorised``; nothing was recorded.
        """
        people = self._need_engine("recording an absence").catalogue.people
        first, last = _day(start, "start"), _day(end, "end")
        who = people.get(person)
        if who is None:
            raise ActionNotAllowed(
                "record_absence", f"{person!r} is not a person of the catalogue",
                code="unknown-person",
            )  # fmt: skip
        if last < first:
            raise ActionNotAllowed(
                "record_absence", f"the absence ends ({last}) before it starts ({first})",
                code="bad-period",
            )  # fmt: skip
        recorder = people.get(by)
        if by != person and (
            recorder is None or recorder.department != who.department or by == who.backup
        ):
            raise ActionNotAllowed(
                "record_absence", f"{by} may not record {person}'s absence (the person, or a "
                "colleague of their department other than their backup, may)",
                code="not-authorised",
            )  # fmt: skip
        absence = PersonAbsence(person, first, last, reason, by)
        with self._backend.transaction(write=True) as tx:
            insert_absence(tx, absence)
        return absence

    def absences(self, person: str) -> list[PersonAbsence]:
        """``person``'s absences in the store's calendar, earliest first."""
        rows = self._backend.read(
            "SELECT person, first_day, last_day, reason, recorded_by FROM absences "
            "WHERE person = ? ORDER BY first_day, id",
            (person,),
        )
        return [absence_from_row(row) for row in rows]

    # ----------------------------------------------------------------- the records

    def _cases(self, tx: Tx) -> Iterator[tuple[str, list[Any]]]:
        """Every case row with its event rows, by id (streamed)."""
        rows = tx.rows(CASE_AND_EVENTS + " ORDER BY c.id, e.seq")
        for case_id, group in itertools.groupby(rows, key=lambda row: row[0]):
            yield case_id, list(group)

    def check(self, *, keys: Keys | None = None, authorised: bool = False) -> CheckReport:
        """Verify every stored record: chain, sequence, head, rows, definitions.

        Returns every broken case with its first bad event (a case whose record is
        intact but whose pinned matter definition is missing or changed is reported
        with code ``definition``; events without a case row with ``orphan``).

        Args:
            keys: the people's public keys: every signature is verified too, and every
                event of a ``signed`` step must be signed (codes ``missing``,
                ``bad-signature``, ``no-key``; one line per event).
            authorised: replay every case through the store's engine, which re-checks
                that each event's actor was allowed to act then (code
                ``unauthorised``), on the version each case runs on (every stored
                version is handed to the engine first; one that does not compile
                leaves its cases to the other checks).
        """
        engine = self._need_engine("check who acted") if authorised else None
        broken: list[BrokenCase] = []
        count = 0
        with self._backend.transaction(write=False) as tx:
            texts: dict[str, str] = dict(tx.all("SELECT hash, definition FROM definitions"))
            definitions = {
                digest: hashlib.sha256(text.encode("utf-8")).hexdigest() == digest
                for digest, text in texts.items()
            }
            if engine is not None:  # it replays each case on the version it ran on
                for digest, text in texts.items():
                    with contextlib.suppress(ApprovalRulesError):
                        engine.add_version(MatterDefinition.from_json(text, expected_hash=digest))
            for case_id, rows in self._cases(tx):
                count += 1
                try:
                    case = rebuild_joined(rows)
                except LogTampered as err:
                    message = str(err).removeprefix(f"event {err.seq}: ")
                    broken.append(BrokenCase(case_id, err.seq, err.code, message))
                    continue
                broken += _trusted(case, engine, keys)
                if not definitions.get(case.matter_hash, False):
                    state = "changed" if case.matter_hash in definitions else "missing"
                    broken.append(BrokenCase(
                        case_id, 1, "definition",
                        f"the definition of matter {case.matter_id!r} version "
                        f"{case.matter_hash[:12]} it runs on is {state}",
                    ))  # fmt: skip
            for (case_id,) in tx.all(
                "SELECT DISTINCT case_id FROM events e WHERE NOT EXISTS "
                "(SELECT 1 FROM cases c WHERE c.id = e.case_id) ORDER BY case_id"
            ):
                broken.append(BrokenCase(case_id, 1, "orphan", "events without a case row"))
        return CheckReport(count, tuple(broken))

    def export(self, out: TextIO) -> int:
        """Write the whole store as JSON lines (docs/store.md); the number of cases.

        One consistent snapshot: definitions, the absence calendar, then each case
        with its events as stored.  :meth:`import_records` reads it into another store
        (of either kind); the export of that store is the same text.
        """
        count = 0
        with self._backend.transaction(write=False) as tx:
            out.write(store_header() + "\n")
            for digest, matter_id, text in tx.rows(
                "SELECT hash, matter_id, definition FROM definitions ORDER BY hash"
            ):
                out.write(definition_line(digest, matter_id, text) + "\n")
            for row in tx.rows(
                "SELECT person, first_day, last_day, reason, recorded_by FROM absences ORDER BY id"
            ):
                out.write(absence_line(absence_from_row(row)) + "\n")
            for _, rows in self._cases(tx):
                out.write(case_line(*split_joined(rows)) + "\n")
                count += 1
            for row in tx.rows(f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM outbox ORDER BY key"):
                out.write(outbox_line(row) + "\n")
        return count

    def import_records(self, lines: Iterable[str]) -> int:
        """Read :meth:`export` output into this store, all or nothing; the cases read.

        Every case is verified and folded as :meth:`load` does and saved as :meth:`save`
        does (so its indexes are built here); a case the store already holds
        identically is left as it is.

        Raises:
            StoreError: naming the line of the first problem; nothing was imported.
        """
        self._need_engine("importing cases")
        defined: set[str] = set()
        count = 0
        with self._backend.transaction(write=True) as tx:
            for item in read_lines(lines):
                try:
                    count += self._import_item(tx, item.kind, item.data, defined)
                except ApprovalRulesError as err:
                    raise StoreError(f"line {item.line}: {err}") from err
                except UniqueViolation:
                    raise StoreError(
                        f"line {item.line}: an event id is used twice in the case"
                    ) from None
            # fresh statistics, so that the planner reads the indexes as they now are
            for table in TABLES:
                tx.run(f"ANALYZE {table}")
        self._defined |= defined
        return count

    def _import_item(self, tx: Tx, kind: str, data: dict[str, Any], defined: set[str]) -> int:
        """Store one line of an export; 1 for a case, else 0."""
        if kind == "definition":
            digest, matter_id, text = definition_of(data)
            tx.run(
                "INSERT INTO definitions (hash, matter_id, definition) VALUES (?, ?, ?) "
                "ON CONFLICT (hash) DO NOTHING",
                (digest, matter_id, text),
            )
            defined.add(digest)
            return 0
        if kind == "absence":
            absence = absence_of(data)
            if absence.end < absence.start:
                raise CaseDataError(f"an absence of {absence.person} ends before it starts")
            if tx.one(
                "SELECT 1 FROM absences WHERE person = ? AND first_day = ? AND last_day = ? "
                "AND recorded_by = ? AND COALESCE(reason, '') = ?",
                (absence.person, absence.start.isoformat(), absence.end.isoformat(), absence.by,
                 absence.reason or ""),
            ) is None:  # fmt: skip
                insert_absence(tx, absence)
            return 0
        if kind == "outbox":
            tx.run(
                f"INSERT INTO outbox ({', '.join(OUTBOX_COLUMNS)}) VALUES "
                f"({', '.join('?' * len(OUTBOX_COLUMNS))}) ON CONFLICT (key) DO NOTHING",
                outbox_row_of(data),
            )
            return 0
        case = rebuild(*case_rows_of(data))
        staffing = self._staffing_for(case.matter_id, case.matter_hash, tx)
        written = self._define(tx, staffing)
        if written is not None:
            defined.add(written)
        self._write(tx, case, 0, new_event_rows(case, 0), staffing)
        return 1


def _trusted(case: Case, engine: Engine | None, keys: Keys | None) -> list[BrokenCase]:
    """What replay (who acted) and the signatures say is wrong with a verified case."""
    found: list[BrokenCase] = []
    if engine is not None:
        try:
            engine.replay(case.events, head=case.head)
        except LogTampered as err:
            message = str(err).removeprefix(f"event {err.seq}: ")
            found.append(BrokenCase(case.id, err.seq, err.code, message))
        except CaseError:
            pass  # another version of the matter: the engine cannot judge it
    if keys is not None:
        found += [BrokenCase(case.id, p.seq, p.code, p.message) for p in keys.problems(case.events)]
    return found


def _limit(limit: int | None, params: list[Any]) -> str:
    if limit is None:
        return ""
    if type(limit) is not int or limit < 0:
        raise ValueError(f"limit must be a non-negative int, not {limit!r}")
    params.append(limit)
    return " LIMIT ?"


def _date(text: str | None) -> date | None:
    return None if text is None or text == NO_DUE else date.fromisoformat(text)


def _read_definition(text: str, matter_hash: str) -> MatterDefinition:
    """A stored matter definition, checked against the hash that names it."""
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != matter_hash:
        raise StoreError(f"the stored definition {matter_hash[:12]} does not have that hash")
    try:
        return MatterDefinition.from_json(text, expected_hash=matter_hash)
    except CaseDataError as err:
        raise StoreError(
            f"the stored definition {matter_hash[:12]} does not read with this release of "
            f"approval_rules: {err}"
        ) from None
