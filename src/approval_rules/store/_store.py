"""The case store: cases kept as hash-chained events, read back only as the events prove.

:class:`CaseStore` holds every SQL statement of the store; the adapters
(``sqlite.py``, ``postgresql.py``) only run them.  See docs/store.md for the tables,
the guarantees and how concurrent writers are kept apart.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from types import TracebackType
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from ..audit import LogTampered
from ..compiler import compile_matter
from ..engine import Case, Engine, Status
from ..errors import (
    ActionNotAllowed,
    ApprovalRulesError,
    CaseDataError,
    CaseError,
    CaseNotFound,
    DefinitionError,
    EventConflict,
    NaiveDatetime,
    StaleCase,
    StoreError,
)
from ..graph import Process
from ..model import Matter
from ..signing import Keys
from ._backend import Backend, Tx, UniqueViolation
from ._derive import (
    NO_DUE,
    TERMINAL,
    Staffing,
    clock_rows,
    head_row,
    moment_text,
    work_rows,
)
from ._records import (
    BrokenCase,
    CaseSummary,
    CheckReport,
    DueClock,
    MatterVersion,
    PersonAbsence,
    WorkItem,
)
from ._rows import EVENT_COLUMNS, HEAD_COLUMNS, new_event_rows, rebuild
from ._schema import SCHEMA_VERSION, TABLES, statements
from ._transfer import (
    absence_line,
    absence_of,
    case_line,
    case_rows_of,
    definition_line,
    definition_of,
    read_lines,
    store_header,
)

__all__ = ["DUE_SQL", "INBOX_SQL", "CaseStore"]

_OPEN = tuple(sorted(s.value for s in Status if s not in TERMINAL))
_OPEN_MARKS = ", ".join("?" * len(_OPEN))
# a case row and its events, in seq order (one statement: one consistent snapshot)
_CASE_AND_EVENTS = (
    "SELECT c.id, "
    + ", ".join(f"c.{name}" for name in HEAD_COLUMNS)
    + ", "
    + ", ".join(f"e.{name}" for name in EVENT_COLUMNS)
    + " FROM cases c LEFT JOIN events e ON e.case_id = c.id"
)
#: :meth:`CaseStore.due_before`: a range of the index on ``runs_out`` (parameter: the moment).
DUE_SQL = (
    "SELECT case_id, matter_id, clock, step, due, runs_out FROM clocks "
    "WHERE runs_out <= ? ORDER BY runs_out, case_id, clock, step"
)
#: :meth:`CaseStore.inbox`: the person's rows of the index on (person, urgency), each
#: backup row kept while its principal is absent (parameters: person, then the day 4×).
INBOX_SQL = (
    "SELECT w.case_id, w.matter_id, w.step, w.actions, w.due, w.case_due, w.principal "
    "FROM work_items w WHERE w.person = ? AND (w.principal = '' "
    "OR EXISTS (SELECT 1 FROM absences a WHERE a.person = w.principal "
    "AND a.first_day <= ? AND a.last_day >= ?) "
    "OR EXISTS (SELECT 1 FROM case_absences x WHERE x.case_id = w.case_id "
    "AND x.person = w.principal AND x.first_day <= ? AND x.last_day >= ?)) "
    "ORDER BY w.urgency, w.case_id, w.step, w.principal"
)
_INSERT_EVENT = (
    f"INSERT INTO events (case_id, {', '.join(EVENT_COLUMNS)}) "
    f"VALUES (?, {', '.join('?' * len(EVENT_COLUMNS))})"
)


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
    """

    def __init__(self, backend: Backend, *, engine: Engine | None = None) -> None:
        if engine is not None and not isinstance(engine, Engine):
            raise TypeError(f"engine must be an Engine (got {type(engine).__name__})")
        self._backend = backend
        self.engine = engine
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
        """Who works on which step of the matter version a case runs on.

        The engine's catalogue is asked first; a version it no longer has is read from
        the definitions stored with earlier cases and compiled against the catalogue's
        people.
        """
        found = self._staffing.get(matter_hash)
        if found is not None:
            return found
        engine = self._need_engine("saving a case")
        try:
            current: Process | None = engine.process(matter_id)
        except CaseDataError:
            current = None  # the catalogue has no such matter (any more)
        if current is not None and current.content_hash == matter_hash:
            process = current
        else:
            text = self._definition_text(matter_hash, tx)
            if text is None:
                now = f" (it has version {current.content_hash[:12]})" if current else ""
                raise CaseDataError(
                    f"the case runs on matter {matter_id!r} version {matter_hash[:12]}, which "
                    f"neither the engine's catalogue{now} nor the store holds; open the store "
                    "with an engine whose catalogue defines it"
                )
            process = compile_matter(_read_matter(text, matter_hash), engine.catalogue)
        staffing = Staffing(process, engine.catalogue.fee_items, matter_hash=matter_hash)
        self._staffing[matter_hash] = staffing
        return staffing

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
        text = staffing.matter.model_dump_json()
        # an old version compiled from its stored row may dump differently: that row is
        # there already
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == staffing.matter_hash:
            tx.run(
                "INSERT INTO definitions (hash, matter_id, definition) VALUES (?, ?, ?) "
                "ON CONFLICT (hash) DO NOTHING",
                (staffing.matter_hash, staffing.matter_id, text),
            )
        return staffing.matter_hash

    def definition(self, matter_hash: str) -> Matter:
        """The matter definition a version hash names, as stored with its first case.

        An old case's matter stays readable after the catalogue's YAML changed.

        Raises:
            CaseDataError: the store holds no definition with that hash.
            StoreError: the stored text is not the definition its hash names.
        """
        text = self._definition_text(matter_hash, None)
        if text is None:
            raise CaseDataError(f"the store holds no matter definition {matter_hash!r}")
        return _read_matter(text, matter_hash)

    def versions(self) -> list[MatterVersion]:
        """Each matter version stored cases run on, with counts, and whether it is the
        engine's catalogue's current version: cases on any other version are listed by
        ``open_cases(matter=..., matter_hash=...)``."""
        rows = self._backend.read(
            "SELECT matter_id, matter_hash, COUNT(*), "
            f"SUM(CASE WHEN status IN ({_OPEN_MARKS}) THEN 1 ELSE 0 END) "
            "FROM cases GROUP BY matter_id, matter_hash ORDER BY matter_id, matter_hash",
            _OPEN,
        )
        current: dict[str, str | None] = {}
        for matter_id, *_ in rows:
            if self.engine is not None and matter_id not in current:
                try:
                    current[matter_id] = self.engine.process(matter_id).content_hash
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
                "UPDATE cases SET status = ?, version = ?, head = ?, last_at = ? "
                "WHERE id = ? AND version = ? AND head = ?",
                (head.status, head.version, head.head, head.last_at,
                 case.id, expected, case.events[expected - 1].hash),
            )  # fmt: skip
        if not won:
            return self._resend(tx, case, expected)
        tx.many(_INSERT_EVENT, rows)
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
        rows = self._backend.read(_CASE_AND_EVENTS + " WHERE c.id = ? ORDER BY e.seq", (case_id,))
        if not rows:
            raise CaseNotFound(case_id)
        return _rebuilt(rows)

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
        where = [f"status IN ({_OPEN_MARKS})"]
        params: list[Any] = list(_OPEN)
        if status is not None:
            if str(status) not in _OPEN:
                raise ValueError(f"{status!r} is not an open status ({', '.join(_OPEN)})")
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
            _insert_absence(tx, absence)
        return absence

    def absences(self, person: str) -> list[PersonAbsence]:
        """``person``'s absences in the store's calendar, earliest first."""
        rows = self._backend.read(
            "SELECT person, first_day, last_day, reason, recorded_by FROM absences "
            "WHERE person = ? ORDER BY first_day, id",
            (person,),
        )
        return [_absence(row) for row in rows]

    # ----------------------------------------------------------------- the records

    def _cases(self, tx: Tx) -> Iterator[tuple[str, list[Any]]]:
        """Every case row with its event rows, by id (streamed)."""
        rows = tx.rows(_CASE_AND_EVENTS + " ORDER BY c.id, e.seq")
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
                ``unauthorised``).  Cases of a matter version other than the engine's
                are checked without it.
        """
        engine = self._need_engine("check who acted") if authorised else None
        broken: list[BrokenCase] = []
        count = 0
        with self._backend.transaction(write=False) as tx:
            definitions = {
                digest: hashlib.sha256(text.encode("utf-8")).hexdigest() == digest
                for digest, text in tx.rows("SELECT hash, definition FROM definitions")
            }
            for case_id, rows in self._cases(tx):
                count += 1
                try:
                    case = _rebuilt(rows)
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
                out.write(absence_line(_absence(row)) + "\n")
            for _, rows in self._cases(tx):
                out.write(case_line(*_split(rows)) + "\n")
                count += 1
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
                _insert_absence(tx, absence)
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


def _split(
    rows: Sequence[Sequence[Any]],
) -> tuple[str, Sequence[Any], list[Sequence[Any]]]:
    """A case row joined with its event rows (``_CASE_AND_EVENTS``) as the case id, its
    :data:`HEAD_COLUMNS` and its :data:`EVENT_COLUMNS` rows (none for a case without)."""
    first, width = rows[0], 1 + len(HEAD_COLUMNS)
    events = [row[width:] for row in rows if row[width] is not None]
    return first[0], first[1:width], events


def _rebuilt(rows: Sequence[Sequence[Any]]) -> Case:
    """The case of a case row joined with its event rows (``_CASE_AND_EVENTS``)."""
    return rebuild(*_split(rows))


def _limit(limit: int | None, params: list[Any]) -> str:
    if limit is None:
        return ""
    if type(limit) is not int or limit < 0:
        raise ValueError(f"limit must be a non-negative int, not {limit!r}")
    params.append(limit)
    return " LIMIT ?"


def _date(text: str | None) -> date | None:
    return None if text is None or text == NO_DUE else date.fromisoformat(text)


def _absence(row: Sequence[Any]) -> PersonAbsence:
    person, first, last, reason, by = row
    return PersonAbsence(person, date.fromisoformat(first), date.fromisoformat(last), reason, by)


def _insert_absence(tx: Tx, absence: PersonAbsence) -> None:
    tx.run(
        "INSERT INTO absences (person, first_day, last_day, reason, recorded_by) "
        "VALUES (?, ?, ?, ?, ?)",
        (absence.person, absence.start.isoformat(), absence.end.isoformat(), absence.reason,
         absence.by),
    )  # fmt: skip


def _read_matter(text: str, matter_hash: str) -> Matter:
    """A stored matter definition, checked against the hash that names it."""
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != matter_hash:
        raise StoreError(f"the stored definition {matter_hash[:12]} does not have that hash")
    try:
        return Matter.model_validate_json(text)
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        first = str(err).splitlines()[0]
        raise StoreError(
            f"the stored definition {matter_hash[:12]} does not read with this release of "
            f"approval_rules: {first}"
        ) from None
