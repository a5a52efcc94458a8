"""The case store, on both backends: a SQLite file and a real PostgreSQL server.

Every test takes ``url``, a fresh empty store: a SQLite file in a temporary folder, or
a schema of its own in the session's throwaway PostgreSQL cluster (see conftest.py).
Tampering goes straight to the database (``Raw``), as someone with write access would.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from section_review import SECTION_REVIEWERS, sections_reviewed

from approval_rules.audit import LogTampered, verify
from approval_rules.engine import Case, Engine, Status
from approval_rules.errors import (
    ActionNotAllowed,
    CaseDataError,
    CaseNotFound,
    EventConflict,
    StaleCase,
    StoreError,
)
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.store import CaseStore, open_store
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
CP_APPLICANT = {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
                "is_affordable_housing": False}  # fmt: skip
CP_MATERIALS: dict[str, Any] = {
    "application_form": both(JPG), "land_approval": both(JPG), "contractor_selected": both(JPG),
    "drawing_review_certificate": both(JPG), "quality_safety_measures": both(JPG),
    "funding_commitment": both(JPG), "construction_drawings": "paper",
}  # fmt: skip


def t(text: str) -> datetime:
    """A Beijing-time moment, e.g. t("2025-09-26 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def permit(at: str = "2025-09-26 09:00", case_id: str | None = None) -> Case:
    """A construction-permit case with complete materials, just received."""
    return ENGINE.submit("construction_permit", CP_APPLICANT, CP_MATERIALS, at=t(at),
                         actor="acme", case_id=case_id)  # fmt: skip


def accepted(at: str = "2025-09-26 09:00", case_id: str | None = None) -> Case:
    case = permit(at, case_id)
    return ENGINE.act(case, "accept", at=t(at) + timedelta(minutes=30), actor="wang_yueqin")


# --------------------------------------------------------------------------- backends


@pytest.fixture
def store(url: str) -> Iterator[CaseStore]:
    with open_store(url, engine=ENGINE) as opened:
        yield opened


class Raw:
    """Straight to the database, around the store: what an intruder or a bug can do."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:"):
            self.conn: Any = sqlite3.connect(url[len("sqlite:///") :], isolation_level=None)
        else:
            import psycopg

            self.conn = psycopg.connect(url, autocommit=True)
        self.sqlite = url.startswith("sqlite:")

    def __call__(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.sqlite:
            cur = self.conn.execute(sql, params)
        else:  # psycopg leaves a statement without parameters alone
            cur = self.conn.execute(sql.replace("?", "%s"), params or None)
        try:
            return list(cur.fetchall())
        except Exception:  # a statement without rows
            return []

    def allow_tampering(self) -> None:
        """Drop the append-only triggers, as someone who can change the schema could."""
        if self.sqlite:
            for table in ("events", "absences"):
                for op in ("update", "delete"):
                    self(f"DROP TRIGGER {table}_append_only_{op}")
        else:
            for table in ("events", "absences"):
                self(f"DROP TRIGGER {table}_append_only ON {table}")

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def raw(url: str, store: CaseStore) -> Iterator[Raw]:
    opened = Raw(url)
    yield opened
    opened.close()


def _catalogue_files() -> dict[str, str]:
    """The bundled catalogue's files: name → YAML text."""
    return {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "matters").glob("*.yaml")}


def count(raw: Raw, table: str) -> int:
    return int(raw(f"SELECT COUNT(*) FROM {table}")[0][0])


# --------------------------------------------------------------------------- round trip


def test_a_saved_case_loads_back_equal_and_verified(store: CaseStore) -> None:
    """save then load gives the case exactly as saved, rebuilt from a verified record."""
    case = permit()
    assert store.save(case, expected_version=0) == 1
    case2 = ENGINE.act(case, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")
    case2 = ENGINE.act(case2, "pass", at=t("2025-09-28 10:00"), actor="fu_hong", opinion="同意")
    assert store.save(case2, expected_version=1) == 2
    loaded = store.load(case.id)
    assert loaded == case2
    assert loaded.to_json() == case2.to_json()
    verify(loaded.events, head=case2.head)
    assert ENGINE.replay(loaded.events, head=case2.head) == loaded


def test_acting_on_a_loaded_case_and_saving_again(store: CaseStore) -> None:
    """A writer loads, acts and saves with the version it loaded, many times over."""
    store.save(accepted(), expected_version=0)
    cid = accepted().id
    moves = [*((who, "2025-09-28 10:00") for who in SECTION_REVIEWERS),
             ("wang_wei", "2025-09-29 10:00"), ("shen_weidong", "2025-09-29 15:00")]  # fmt: skip
    for actor, at in moves:
        case = store.load(cid)
        store.save(ENGINE.act(case, "pass", at=t(at), actor=actor), expected_version=case.version)
    final = store.load(cid)
    assert final.status is Status.APPROVED
    assert final.version == 8


def test_a_missing_case_is_not_found(store: CaseStore) -> None:
    """Loading an id the store does not hold raises CaseNotFound (a LookupError)."""
    with pytest.raises(CaseNotFound) as info:
        store.load("c-nothing")
    assert isinstance(info.value, LookupError)


def test_a_case_read_from_json_is_saved_too(store: CaseStore) -> None:
    """A case the host kept as JSON (its events stored as text) saves like any other."""
    case = Case.from_json(accepted().to_json())
    assert store.save(case, expected_version=0) == 2
    assert store.load(case.id) == case


# --------------------------------------------------------------------------- writers


def test_a_stale_writer_gets_stalecase_and_writes_nothing(store: CaseStore, raw: Raw) -> None:
    """Two writers load version 2; the second to save is stale and nothing of it is stored."""
    store.save(accepted(), expected_version=0)
    cid = accepted().id
    first, second = store.load(cid), store.load(cid)
    a = ENGINE.act(first, "pass", at=t("2025-09-28 10:00"), actor="fu_hong")
    b = ENGINE.act(second, "send_back", at=t("2025-09-28 11:00"), actor="fu_hong",
                   to="accept", reason="材料不清")  # fmt: skip
    assert store.save(a, expected_version=2) == 1
    before = count(raw, "events"), count(raw, "work_items"), count(raw, "clocks")
    with pytest.raises(StaleCase) as info:
        store.save(b, expected_version=2)
    assert (info.value.expected, info.value.actual) == (2, 3)
    assert (count(raw, "events"), count(raw, "work_items"), count(raw, "clocks")) == before
    assert store.load(cid) == a


def test_a_new_case_id_taken_by_another_case_is_stale(store: CaseStore) -> None:
    """Saving a new case under an id another case already has: StaleCase, nothing written."""
    store.save(permit(case_id="c-same"), expected_version=0)
    other = permit(at="2025-09-29 09:00", case_id="c-same")
    with pytest.raises(StaleCase):
        store.save(other, expected_version=0)
    assert store.load("c-same").intake.received == t("2025-09-26 09:00")


def test_a_save_sent_again_is_idempotent(store: CaseStore, raw: Raw) -> None:
    """The same save twice (a retry after a lost reply) stores each event once."""
    case = accepted()
    assert store.save(case, expected_version=0) == 2
    assert store.save(case, expected_version=0) == 0
    nxt = ENGINE.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong", event_id="req-1")
    assert store.save(nxt, expected_version=2) == 1
    assert store.save(nxt, expected_version=2) == 0
    assert store.save(nxt, expected_version=3) == 0
    # the host retries the request on the case it reloads: the engine sees the id
    again = ENGINE.act(store.load(case.id), "pass", at=t("2025-09-28 10:05"),
                       actor="fu_hong", event_id="req-1")  # fmt: skip
    assert store.save(again, expected_version=3) == 0
    assert count(raw, "events") == 3


def test_a_reused_event_id_with_other_content_is_a_conflict(store: CaseStore, raw: Raw) -> None:
    """An event id sent again for something else is refused (EventConflict), not ignored."""
    case = accepted()
    store.save(case, expected_version=0)
    done = ENGINE.act(case, "pass", at=t("2025-09-28 10:00"), actor="fu_hong", event_id="req-7")
    store.save(done, expected_version=2)
    # the same request id from the old version, now a different action
    other = ENGINE.act(case, "send_back", at=t("2025-09-28 10:01"), actor="fu_hong",
                       to="accept", reason="重新受理", event_id="req-7")  # fmt: skip
    with pytest.raises(EventConflict) as info:
        store.save(other, expected_version=2)
    assert (info.value.event_id, info.value.seq) == ("req-7", 3)
    assert count(raw, "events") == 3
    assert store.load(case.id) == done


def test_expected_version_must_fit_the_case(store: CaseStore) -> None:
    """An expected_version beyond the case's own version is a programming error."""
    with pytest.raises(ValueError, match="expected_version"):
        store.save(permit(), expected_version=2)


def test_a_case_whose_new_events_were_changed_is_not_saved(store: CaseStore, raw: Raw) -> None:
    """A case whose new event does not follow from its record is refused before writing."""
    case = accepted()
    last = case.events[-1]
    forged = case._replace(events=(case.events[0], last._replace(actor="li_juan")))
    with pytest.raises(LogTampered) as info:
        store.save(forged, expected_version=0)
    assert info.value.seq == 2
    assert count(raw, "events") == 0


# --------------------------------------------------------------------------- concurrency

WORKER = """
import json, sys
from datetime import timedelta
from pathlib import Path
from approval_rules.engine import Engine
from approval_rules.errors import StaleCase
from approval_rules.loader import load_catalogue
from approval_rules.store import open_store
from approval_rules.workdays import WorkCalendar

url, worker, actions, cases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
engine = Engine(load_catalogue(Path("matters")), WorkCalendar.china())
store = open_store(url, engine=engine)
done, retries = dict.fromkeys(cases, 0), 0
print("ready", flush=True)
for n in range(actions):
    # the first action of every writer is on the same case, saved once all have loaded it
    cid = cases[0] if n == 0 else cases[(n * 7 + worker) % len(cases)]
    meet = n == 0 and worker >= 0
    while True:
        case = store.load(cid)
        new = engine.act(case, "record_absence", at=case.last_at + timedelta(minutes=1),
                         actor="wang_yueqin", person="wang_yueqin", reason=f"{worker}/{n}")
        if meet:
            print("loaded", flush=True)
            sys.stdin.readline()
            meet = False
        try:
            store.save(new, expected_version=case.version)
        except StaleCase:
            retries += 1
            continue
        done[cid] += 1
        break
    if worker < 0:
        print("saved", flush=True)
print(json.dumps({"done": done, "retries": retries}), flush=True)
"""


def _worker(url: str, worker: int, actions: int, cases: list[str]) -> subprocess.Popen[str]:
    """A writer process (worker -1 reports every save)."""
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, url, str(worker), str(actions), *cases],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "error"},
    )  # fmt: skip


@pytest.mark.parametrize(("workers", "actions", "cases"), [(4, 200, 20)])
def test_no_update_is_lost_between_processes(
    url: str, store: CaseStore, workers: int, actions: int, cases: int
) -> None:
    """4 processes × 200 actions on the same 20 cases, retrying when stale: every
    successful action is stored exactly once and every record verifies."""
    ids = [f"c-race-{n:02d}" for n in range(cases)]
    for cid in ids:
        store.save(accepted(case_id=cid), expected_version=0)
    procs = [_worker(url, w, actions, ids) for w in range(workers)]
    for proc in procs:  # every writer holds the same version of the first case ...
        assert proc.stdout is not None
        while (line := proc.stdout.readline()) and line.strip() != "loaded":
            pass
        assert line, "a writer ended before loading its first case"
    for proc in procs:  # ... then all save it: all but one must be refused as stale
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        results.append(json.loads(out.splitlines()[-1]))
    done = {cid: sum(r["done"][cid] for r in results) for cid in ids}
    assert sum(done.values()) == workers * actions
    assert sum(r["retries"] for r in results) >= workers - 1  # the writers did collide
    for cid in ids:
        case = store.load(cid)
        assert case.version == 2 + done[cid]
        assert len(case.absences) == done[cid]
    assert store.check().ok


def test_a_writer_killed_mid_stream_leaves_no_torn_case(url: str, store: CaseStore) -> None:
    """SIGKILL a writer in the middle of its saves: every case is whole (check is clean)."""
    ids = [f"c-crash-{n}" for n in range(3)]
    for cid in ids:
        store.save(accepted(case_id=cid), expected_version=0)
    for delay in (0.05, 0.2, 0.35):
        proc = _worker(url, -1, 100_000, ids)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        for _ in range(3):
            assert proc.stdout.readline().strip() == "saved"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        report = store.check()
        assert report.ok, report.broken
        assert report.cases == 3
        for cid in ids:
            case = store.load(cid)
            assert len(case.absences) == case.version - 2


# --------------------------------------------------------------------------- tampering


@pytest.fixture
def stored(store: CaseStore) -> Case:
    """An approved case in the store (8 events: the decision is the 8th)."""
    case = sections_reviewed(ENGINE, accepted(case_id="c-stored"), t("2025-09-28 10:00"))
    for actor, at in (("wang_wei", "2025-09-29 10:00"), ("shen_weidong", "2025-09-29 15:00")):
        case = ENGINE.act(case, "pass", at=t(at), actor=actor)
    store.save(case, expected_version=0)
    return case


def test_the_database_refuses_to_change_the_record(stored: Case, raw: Raw) -> None:
    """Events are append-only in the database itself: an UPDATE or DELETE is refused."""
    for sql in ("UPDATE events SET actor = 'x' WHERE seq = 2", "DELETE FROM events WHERE seq = 8"):
        with pytest.raises(Exception, match="append-only"):
            raw(sql)


def _broken(store: CaseStore) -> tuple[str, int, str]:
    report = store.check()
    assert report.cases == 1
    assert len(report.broken) == 1, report
    found = report.broken[0]
    with pytest.raises(LogTampered) as info:
        store.load(found.case_id)
    assert (info.value.seq, info.value.code) == (found.seq, found.code)
    return found.case_id, found.seq, found.code


def test_an_edited_event_is_reported(store: CaseStore, stored: Case, raw: Raw) -> None:
    """A body edited in place (the deciding signer changed) is caught at that event."""
    raw.allow_tampering()
    body = raw("SELECT body FROM events WHERE case_id = ? AND seq = 8", stored.id)[0][0]
    raw("UPDATE events SET body = ? WHERE case_id = ? AND seq = 8",
        body.replace('"shen_weidong"', '"wang_wei"'), stored.id)  # fmt: skip
    assert _broken(store) == (stored.id, 8, "hash")


def test_an_edited_column_is_reported(store: CaseStore, stored: Case, raw: Raw) -> None:
    """A column that disagrees with the hashed body is caught too."""
    raw.allow_tampering()
    raw("UPDATE events SET actor = 'wang_wei' WHERE case_id = ? AND seq = 8", stored.id)
    assert _broken(store) == (stored.id, 8, "row")


def test_a_deleted_event_is_reported(store: CaseStore, stored: Case, raw: Raw) -> None:
    """An event deleted from the middle breaks the sequence there."""
    raw.allow_tampering()
    raw("DELETE FROM events WHERE case_id = ? AND seq = 3", stored.id)
    assert _broken(store) == (stored.id, 3, "sequence")


def test_reordered_events_are_reported(store: CaseStore, stored: Case, raw: Raw) -> None:
    """Two events swapped (their sequence numbers exchanged) are caught."""
    raw.allow_tampering()
    raw("UPDATE events SET seq = 99 WHERE case_id = ? AND seq = 3", stored.id)
    raw("UPDATE events SET seq = 3 WHERE case_id = ? AND seq = 4", stored.id)
    raw("UPDATE events SET seq = 4 WHERE case_id = ? AND seq = 99", stored.id)
    assert _broken(store) == (stored.id, 3, "sequence")


def test_a_truncated_record_is_reported(store: CaseStore, stored: Case, raw: Raw) -> None:
    """The last events cut off: the chain is still valid, the stored head is not."""
    raw.allow_tampering()
    raw("DELETE FROM events WHERE case_id = ? AND seq >= 4", stored.id)
    assert _broken(store)[2] == "head"


def test_an_edited_case_row_is_reported(store: CaseStore, stored: Case, raw: Raw) -> None:
    """The case row's status is derived: a row that says otherwise than the events is caught."""
    raw("UPDATE cases SET status = 'refused' WHERE id = ?", stored.id)
    assert _broken(store) == (stored.id, 8, "head")


def test_a_changed_definition_is_reported(store: CaseStore, stored: Case, raw: Raw) -> None:
    """The pinned matter definition edited in the database: the case is reported."""
    raw("UPDATE definitions SET definition = REPLACE(definition, '建筑', '建設')")
    report = store.check()
    assert [(b.case_id, b.code) for b in report.broken] == [(stored.id, "definition")]
    assert store.load(stored.id) == stored  # the record itself is intact


# --------------------------------------------------------------------------- bad input


def test_an_unknown_scheme_is_refused() -> None:
    """A URL of another kind: a StoreError saying which URLs work."""
    with pytest.raises(StoreError, match="sqlite:///"):
        open_store("mysql://localhost/cases")


def test_a_missing_folder_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    """sqlite:/// into a folder that does not exist: a clear error, no file, no folder."""
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path}/missing/cases.db")
    assert list(tmp_path.iterdir()) == []


def test_a_file_of_another_program_is_refused(tmp_path: Path) -> None:
    """A SQLite file that is not a case store is left alone."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an approval_rules case store"):
        open_store(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_another_schema_version_is_refused_and_nothing_is_written(url: str) -> None:
    """A store written by another release of the schema: refused, nothing written."""
    with open_store(url, engine=ENGINE) as store:
        store.save(accepted(), expected_version=0)
    raw = Raw(url)
    raw("UPDATE store_schema SET version = 99")
    before = raw("SELECT COUNT(*) FROM events"), raw("SELECT * FROM store_schema")
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(url, engine=ENGINE)
    assert (raw("SELECT COUNT(*) FROM events"), raw("SELECT * FROM store_schema")) == before
    raw.close()


def test_a_case_of_an_unknown_matter_is_refused(url: str) -> None:
    """A store whose engine does not know the case's matter refuses it; nothing written."""
    files = _catalogue_files()
    del files["construction_permit.yaml"]
    engine = Engine(load_catalogue_text(files), WorkCalendar.china())
    with open_store(url, engine=engine) as store:
        with pytest.raises(CaseDataError, match="construction_permit"):
            store.save(permit(), expected_version=0)
        assert store.open_cases() == []
    raw = Raw(url)
    assert count(raw, "events") == count(raw, "definitions") == 0
    raw.close()


def test_saving_needs_the_engine(url: str) -> None:
    """A store opened without an engine reads, but cannot index a new case."""
    with open_store(url) as store, pytest.raises(StoreError, match="engine"):
        store.save(permit(), expected_version=0)


def test_an_unreachable_server_is_a_store_error() -> None:
    """A PostgreSQL URL nobody answers: StoreError, not a driver exception."""
    pytest.importorskip("psycopg")
    port = 1  # nothing listens there
    with pytest.raises(StoreError):
        open_store(f"postgresql://nobody@127.0.0.1:{port}/none", timeout=2)


# --------------------------------------------------------------------------- indexes


def test_inbox_lists_a_persons_open_steps_most_urgent_first(store: CaseStore) -> None:
    """Each reviewer sees the steps they may act on now, earliest due first; nothing else."""
    late = accepted(at="2025-09-26 09:00", case_id="c-late")
    early = accepted(at="2025-09-19 09:00", case_id="c-early")
    received = permit(at="2025-09-30 09:00", case_id="c-new")
    for case in (late, early, received):
        store.save(case, expected_version=0)
    fu = store.inbox("fu_hong", at=t("2025-09-30 10:00"))
    assert [(i.case_id, i.step) for i in fu] == [("c-early", "section_review"),
                                                 ("c-late", "section_review")]  # fmt: skip
    assert fu[0].actions == ("pass", "send_back")
    assert fu[0].due == early.steps["section_review"].due
    assert fu[0].case_due == early.clock.promised_due
    assert fu[0].on_behalf_of is None
    window = store.inbox("wang_yueqin", at=t("2025-09-30 10:00"))
    assert [(i.case_id, i.step, i.actions) for i in window] == [
        ("c-new", "accept", ("request_correction", "accept", "refuse_to_accept"))
    ]
    # the office head extends and records absences, but no step waits for him
    assert store.inbox("shen_weidong", at=t("2025-09-30 10:00")) == []
    assert store.inbox("fu_hong", at=t("2025-09-30 10:00"), limit=1) == fu[:1]


def _closed_on_commitment() -> Case:
    """The bundled 告知承诺制 scenario up to its close: the later check still waits."""
    from approval_rules.scenario import load_scenario, run_scenario

    path = (
        ROOT / "matters" / "scenarios" / "individual_business_registration_commitment_revoked.yaml"
    )
    played = run_scenario(load_scenario(path), ENGINE).case
    assert played is not None
    closed = ENGINE.replay(played.events[:5])
    assert closed.status is Status.CLOSED
    return closed


def test_inbox_offers_the_later_check_of_a_closed_case_on_commitment(store: CaseStore) -> None:
    """A case decided on commitment and closed stays in the deciders' inbox for its check
    (事后核查), ranked by the check's due date, until the check is recorded."""
    case = _closed_on_commitment()
    assert case.commitment is not None
    check_due = case.commitment.check_due
    assert check_due == date(2026, 3, 2)
    store.save(case, expected_version=0)
    for person in ("hu_xiaoyan", "luo_jie"):  # the deciding step's signers
        items = store.inbox(person, at=t("2026-01-20 09:00"))
        assert [(i.case_id, i.step, i.actions) for i in items] == [
            (case.id, None, ("record_check",))
        ]
        assert items[0].due == check_due
    assert store.inbox("deng_lin", at=t("2026-01-20 09:00")) == []  # issued, not a decider
    offered = ENGINE.available_actions(case, t("2026-01-20 09:00"))
    assert {a.action for a in offered if "hu_xiaoyan" in a.actors} >= {"record_check"}
    checked = ENGINE.act(case, "record_check", at=t("2026-01-20 10:00"), actor="hu_xiaoyan",
                         finding="consistent")  # fmt: skip
    store.save(checked, expected_version=case.version)
    assert store.inbox("hu_xiaoyan", at=t("2026-01-20 11:00")) == []
    assert store.inbox("luo_jie", at=t("2026-01-20 11:00")) == []


def test_a_backup_sees_the_work_of_an_absent_colleague(store: CaseStore) -> None:
    """AB岗: the backup sees a principal's step only on the days the principal is away."""
    case = accepted()
    case = sections_reviewed(ENGINE, case, t("2025-09-28 10:00"))
    store.save(case, expected_version=0)  # deputy_review is wang_wei's
    backup = CATALOGUE.people["wang_wei"].backup
    assert backup is not None
    assert store.inbox(backup, at=t("2025-09-30 10:00")) == []
    away = store.record_absence("wang_wei", date(2025, 9, 30), date(2025, 10, 8),
                                reason="年休假", by="wang_wei")  # fmt: skip
    assert store.absences("wang_wei") == [away]
    items = store.inbox(backup, at=t("2025-09-30 10:00"))
    assert [(i.step, i.on_behalf_of) for i in items] == [("deputy_review", "wang_wei")]
    assert store.inbox(backup, at=t("2025-10-09 10:00")) == []
    assert store.inbox(backup, at=t("2025-09-29 23:59")) == []


def test_recording_an_absence_follows_the_engines_rule(store: CaseStore) -> None:
    """The person, or a colleague other than their own backup, records it; else refused."""
    backup = CATALOGUE.people["wang_wei"].backup
    assert backup is not None
    for person, by, code in (("nobody", "wang_wei", "unknown-person"),
                             ("wang_wei", backup, "not-authorised"),
                             ("wang_wei", "acme", "not-authorised")):  # fmt: skip
        with pytest.raises(ActionNotAllowed) as info:
            store.record_absence(person, date(2025, 10, 1), date(2025, 10, 2), by=by)
        assert info.value.code == code
    with pytest.raises(ActionNotAllowed) as info:
        store.record_absence("wang_wei", date(2025, 10, 2), date(2025, 10, 1), by="wang_wei")
    assert info.value.code == "bad-period"
    with pytest.raises(TypeError):
        store.record_absence("wang_wei", t("2025-10-01 00:00"), date(2025, 10, 2), by="wang_wei")  # type: ignore[arg-type]
    assert store.absences("wang_wei") == []


def test_due_before_lists_open_clocks_from_the_index(store: CaseStore) -> None:
    """Clocks run out at 00:00 after their due day; ended cases leave the index."""
    case = accepted()
    store.save(case, expected_version=0)
    step_due = case.steps["section_review"].due
    assert step_due is not None
    at_due = datetime.combine(step_due + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
    assert store.due_before(at_due - timedelta(seconds=1)) == []
    found = store.due_before(at_due)
    assert [(c.case_id, c.clock, c.step, c.due) for c in found] == [
        (case.id, "step", "section_review", step_due)
    ]
    assert found[0].runs_out == at_due
    later = store.due_before(t("2026-01-01 00:00"))
    assert [c.clock for c in later] == ["step", "promised", "statutory"]
    withdrawn = ENGINE.act(case, "withdraw", at=t("2025-09-27 09:00"), actor="acme")
    store.save(withdrawn, expected_version=2)
    assert store.due_before(t("2026-01-01 00:00")) == []
    assert store.inbox("fu_hong", at=t("2025-09-27 10:00")) == []


def test_open_cases_filters(store: CaseStore) -> None:
    """open_cases lists the cases not ended, by matter, lead department and status."""
    store.save(accepted(case_id="c-a"), expected_version=0)
    store.save(permit(case_id="c-b"), expected_version=0)
    ended = ENGINE.act(permit(case_id="c-c"), "withdraw", at=t("2025-09-26 10:00"), actor="acme")
    store.save(ended, expected_version=0)
    assert [c.id for c in store.open_cases()] == ["c-a", "c-b"]
    assert [c.id for c in store.open_cases(status="received")] == ["c-b"]
    assert [c.id for c in store.open_cases(matter="planning_permit")] == []
    assert [c.id for c in store.open_cases(department="dy_zjj")] == ["c-a", "c-b"]
    summary = store.open_cases(limit=1)[0]
    assert (summary.id, summary.status, summary.version) == ("c-a", "in_review", 2)
    with pytest.raises(ValueError, match="not an open status"):
        store.open_cases(status="withdrawn")


# --------------------------------------------------------------------------- versions


def _edited_catalogue() -> Catalogue:
    """The bundled catalogue with the construction permit's name edited (a new version)."""
    files = _catalogue_files()
    files["construction_permit.yaml"] = files["construction_permit.yaml"].replace(
        "name: 建筑工程施工许可证核发", "name: 建筑工程施工许可证核发（新版）", 1
    )
    return load_catalogue_text(files)


def test_an_old_case_still_loads_after_the_matter_changed(url: str) -> None:
    """The YAML changed: old cases load, their version is listed as not current, and the
    definition they were opened on is still there."""
    old = accepted(case_id="c-old")
    with open_store(url, engine=ENGINE) as store:
        store.save(old, expected_version=0)
    engine = Engine(_edited_catalogue(), WorkCalendar.china())
    with open_store(url, engine=engine) as store:
        assert store.load("c-old") == old
        new = engine.submit("construction_permit", CP_APPLICANT, CP_MATERIALS,
                            at=t("2025-10-08 09:00"), actor="acme", case_id="c-new")  # fmt: skip
        store.save(new, expected_version=0)
        versions = {(v.matter_hash, v.open_cases, v.current) for v in store.versions()}
        assert versions == {(old.matter_hash, 1, False), (new.matter_hash, 1, True)}
        on_old = store.open_cases(matter="construction_permit", matter_hash=old.matter_hash)
        assert [c.id for c in on_old] == ["c-old"]
        assert store.definition(old.matter_hash).matter.name == "建筑工程施工许可证核发"
        # an old case saved again (e.g. imported) is indexed from its stored definition
        assert [i.case_id for i in store.inbox("fu_hong", at=t("2025-09-27 09:00"))] == ["c-old"]


# --------------------------------------------------------------------------- export


def _fill(store: CaseStore) -> None:
    store.save(accepted(case_id="c-1"), expected_version=0)
    store.save(permit(case_id="c-2"), expected_version=0)
    store.record_absence("wang_wei", date(2025, 10, 1), date(2025, 10, 3), reason="培训",
                         by="wang_wei")  # fmt: skip


def _export(store: CaseStore) -> str:
    out = io.StringIO()
    store.export(out)
    return out.getvalue()


@pytest.mark.requires("postgresql")
def test_export_import_round_trips_between_backends(
    fresh_postgres: Callable[[], str], tmp_path: Path
) -> None:
    """SQLite → PostgreSQL → SQLite: the same records, the same export text."""
    first = f"sqlite:///{tmp_path}/first.db"
    with open_store(first, engine=ENGINE) as store:
        _fill(store)
        text = _export(store)
    middle = fresh_postgres()
    with open_store(middle, engine=ENGINE) as store:
        assert store.import_records(text.splitlines()) == 2
        assert _export(store) == text
    last = f"sqlite:///{tmp_path}/last.db"
    with open_store(last, engine=ENGINE) as store:
        with open_store(middle) as reader:
            assert store.import_records(io.StringIO(_export(reader))) == 2
        assert _export(store) == text
        assert store.load("c-1") == accepted(case_id="c-1")
        assert [i.case_id for i in store.inbox("fu_hong", at=t("2025-09-27 09:00"))] == ["c-1"]
        assert store.absences("wang_wei")[0].reason == "培训"
        assert store.import_records(text.splitlines()) == 2  # again: nothing changes
        assert _export(store) == text


def test_a_broken_import_imports_nothing(store: CaseStore, raw: Raw) -> None:
    """An export with a changed event is refused, naming its line; nothing is imported."""
    with open_store("sqlite:///:memory:", engine=ENGINE) as source:
        _fill(source)
        lines = _export(source).splitlines()
    assert lines[-1].startswith('{"case":"c-2"')
    lines[-1] = lines[-1].replace('"acme"', '"evil"', 1)
    with pytest.raises(StoreError, match=f"line {len(lines)}"):
        store.import_records(lines)
    assert count(raw, "events") == count(raw, "absences") == count(raw, "definitions") == 0
    with pytest.raises(StoreError, match="line 1"):
        store.import_records(["{}"])


def test_the_documented_schema_is_the_one_created() -> None:
    """docs/store.md shows every statement SQLite runs to create a store, as it runs it."""
    from approval_rules.store._schema import statements
    from approval_rules.store.sqlite import SqliteBackend

    doc = (ROOT / "docs" / "store.md").read_text(encoding="utf-8")
    for statement in (*statements(SqliteBackend.words), *SqliteBackend.triggers):
        assert statement + ";" in doc, statement.splitlines()[0]
