"""The store-backed sweep (issue #13): the alarm index, each new alert recorded once.

A planning permit accepted Fri 2025-09-26 (the same case as test_supervision_alarms):
site_survey is due Mon 9/29 and its prompt fires when 1 working day remains, on Sun
9/28 (a make-up working day before National Day); review is due Tue 9/30, prompt 9/29;
the case is promised by 10/14 (8 WD), prompt 10/13, yellow at the due date 10/14.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from supervision_cases import ROOT, SUPERVISION, planning, t, walk

from approval_rules.engine import Engine
from approval_rules.errors import StoreError
from approval_rules.loader import load_catalogue
from approval_rules.scenario import load_scenario
from approval_rules.store import CaseStore, open_store
from approval_rules.supervision import Supervisor, alarm_rows, load_supervision, sweep
from approval_rules.supervision.alarms import recorded_keys
from approval_rules.workdays import WorkCalendar

CATALOGUE = load_catalogue(ROOT / "matters")
CAL = WorkCalendar.china()
ENGINE = Engine(CATALOGUE, CAL)
WATCH = Supervisor(load_supervision(SUPERVISION, catalogue=CATALOGUE), CATALOGUE, CAL)
SITE = "GH-1|step_prompt|site_survey|2025-09-29|0"
SCENARIOS = [load_scenario(p) for p in sorted((ROOT / "matters" / "scenarios").glob("*.yaml"))]


@pytest.fixture(scope="module")
def postgres_admin(postgres_server: str) -> Iterator[Any]:
    import psycopg

    with psycopg.connect(postgres_server, autocommit=True) as conn:
        yield conn


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.requires("postgresql"))]
)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store's URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/cases.db"
    server = request.getfixturevalue("postgres_server")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    request.getfixturevalue("postgres_admin").execute(f"CREATE SCHEMA {schema}")
    return f"{server}?options=-csearch_path%3D{schema}"


@pytest.fixture
def store(url: str) -> Iterator[CaseStore]:
    with open_store(url, engine=ENGINE, alarms=alarm_rows(WATCH)) as opened:
        yield opened


def test_saving_a_case_writes_its_next_alarms(store: CaseStore) -> None:
    store.save(planning(ENGINE, "2025-09-26 10:00"), expected_version=0)
    assert store.alarms_due(t("2025-09-27 23:59")) == []  # nothing before Sun 9/28
    due = store.alarms_due(t("2025-09-29 00:00"))
    assert [(a.case_id, a.fire_at, a.key) for a in due] == [
        ("GH-1", t("2025-09-28 00:00"), SITE),
        ("GH-1", t("2025-09-29 00:00"), "GH-1|step_prompt|review|2025-09-30|0"),
    ]


def test_a_sweep_records_each_new_alert_once(store: CaseStore) -> None:
    store.save(planning(ENGINE, "2025-09-26 10:00"), expected_version=0)
    first = sweep(store, t("2025-09-28 09:00"), WATCH)
    assert [a.key for a in first.alerts] == [SITE]
    # the step has two signers: each is told (one intent each)
    assert [i.template for i in first.intents] == ["supervision/prompt/urge"] * 2
    assert {i.recipient.role.value for i in first.intents} == {"signer"}
    case = store.load("GH-1")
    assert recorded_keys(case) == {SITE}
    assert case.events[-1].action == "record_alert"
    assert case.events[-1].details["step"] == "site_survey"
    # the case's row moved on: its next alarm is 9/29's
    assert store.alarms_due(t("2025-09-28 23:59")) == []
    # a second sweep at the same moment reads no case and records nothing
    again = sweep(store, t("2025-09-28 09:00"), WATCH)
    assert (again.alerts, again.cases) == ((), 0)
    assert store.load("GH-1").version == case.version
    # the next day: the repeat of site_survey's prompt and review's first
    later = sweep(store, t("2025-09-29 09:00"), WATCH)
    assert [a.key for a in later.alerts] == [
        "GH-1|step_prompt|site_survey|2025-09-29|1",
        "GH-1|step_prompt|review|2025-09-30|0",
    ]


def test_a_sweep_records_what_the_evaluator_finds_new(store: CaseStore) -> None:
    """A sweep that ran late: at 10/14 it records exactly the evaluator's new alerts
    (the steps' red cards, the case's yellow; the prompts were superseded)."""
    store.save(planning(ENGINE, "2025-09-26 10:00"), expected_version=0)
    at = t("2025-10-14 09:00")
    swept = sweep(store, at, WATCH)
    assert [a.key for a in swept.alerts] == [a.key for a in WATCH.alerts(store.load("GH-1"), at)]
    assert {a.level.value for a in swept.alerts} == {"red", "yellow"}
    assert sweep(store, at, WATCH).alerts == ()


def test_a_sweep_reads_only_the_cases_that_are_due(store: CaseStore) -> None:
    """Five cases accepted 9/26, five on Thu 10/9 at 10:00 (their first prompt is on
    10/10): at 10/9 noon only the first five are read."""
    for n in range(10):
        at = "2025-09-26 10:00" if n < 5 else "2025-10-09 10:00"
        store.save(planning(ENGINE, at, case_id=f"GH-{n}"), expected_version=0)
    moment = t("2025-10-09 12:00")
    swept = sweep(store, moment, WATCH)
    assert swept.cases == 5
    assert {a.case_id for a in swept.alerts} == {f"GH-{n}" for n in range(5)}
    assert sweep(store, moment, WATCH).cases == 0
    assert {a.case_id for a in store.alarms_due(t("2025-10-10 00:00"))} == {
        f"GH-{n}" for n in range(5, 10)
    }


def test_without_the_alarm_function_a_store_keeps_no_alarms(url: str) -> None:
    """Saved by a store opened without ``alarms``: no row, until the case is reindexed."""
    case = planning(ENGINE, "2025-09-26 10:00")
    with open_store(url, engine=ENGINE) as plain:
        plain.save(case, expected_version=0)
        assert plain.alarms_due(t("2025-12-31 00:00")) == []
        with pytest.raises(StoreError, match="alarms"):
            plain.reindex_alarms(case)
    with open_store(url, engine=ENGINE, alarms=alarm_rows(WATCH)) as store:
        assert store.reindex_alarms(case)
        assert store.alarms_due(t("2025-09-28 23:59"))[0].key == SITE
        stale = planning(ENGINE, "2025-09-26 10:00", case_id="GH-2")
        assert not store.reindex_alarms(stale)  # not stored: nothing written


def test_a_sweep_needs_the_engine_and_the_alarms(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/c.db") as bare, pytest.raises(StoreError):
        sweep(bare, t("2025-10-14 09:00"), WATCH)
    with (
        open_store(f"sqlite:///{tmp_path}/c.db", engine=ENGINE) as plain,
        pytest.raises(StoreError, match="alarm_rows"),
    ):
        sweep(plain, t("2025-10-14 09:00"), WATCH)


class _Racing:
    """The store, with another writer saving the case right after the sweep loads it
    (once): a real second connection writing a real action."""

    def __init__(self, store: CaseStore, other: CaseStore) -> None:
        self.store, self.other, self.raced = store, other, False
        self.engine, self.alarms = store.engine, store.alarms

    def alarms_due(self, moment: Any, *, limit: int | None = None) -> Any:
        return self.store.alarms_due(moment, limit=limit)

    def load(self, case_id: str) -> Any:
        case = self.store.load(case_id)
        if not self.raced:
            self.raced = True
            new = ENGINE.act(case, "record_absence", at=case.last_at + timedelta(minutes=1),
                             actor="li_juan", person="li_juan", reason="出差")  # fmt: skip
            self.other.save(new, expected_version=case.version)
        return case

    def save(self, case: Any, *, expected_version: int) -> int:
        return self.store.save(case, expected_version=expected_version)

    def reindex_alarms(self, case: Any) -> bool:
        return self.store.reindex_alarms(case)


def test_a_sweep_loads_again_a_case_another_writer_saved(url: str) -> None:
    """The sweep's save meets the other writer's (StaleCase): it loads the case again
    and records the alert on top of the other writer's action; nothing is lost."""
    with (
        open_store(url, engine=ENGINE, alarms=alarm_rows(WATCH)) as store,
        open_store(url, engine=ENGINE, alarms=alarm_rows(WATCH)) as other,
    ):
        store.save(planning(ENGINE, "2025-09-26 10:00"), expected_version=0)
        swept = sweep(_Racing(store, other), t("2025-09-28 09:00"), WATCH)
        assert [a.key for a in swept.alerts] == [SITE]
        assert swept.skipped == ()
        actions = [e.action for e in store.load("GH-1").events]
        assert actions[-2:] == ["record_absence", "record_alert"]


@settings(max_examples=8, deadline=None)
@given(st.data())
def test_a_sweep_records_exactly_what_the_evaluator_finds_new(data: st.DataObject) -> None:
    """Cases of the bundled scenarios walked through offered actions, saved; swept at
    increasing moments: after each sweep every alert the evaluator finds in force on a
    stored case is recorded on it, and a second sweep at the same moment reads no case.
    (This property found that a sweep must record the clock events due first: recording
    an alert on a case whose deemed acceptance fell due brought new alerts in force.)"""
    folder = tempfile.mkdtemp(prefix="sweep-prop-")
    try:
        with open_store(f"sqlite:///{folder}/c.db", engine=ENGINE,
                        alarms=alarm_rows(WATCH)) as store:  # fmt: skip
            ids = []
            for _ in range(data.draw(st.integers(1, 3), label="cases")):
                scenario = SCENARIOS[data.draw(st.integers(0, len(SCENARIOS) - 1))]
                case = walk(ENGINE, scenario, lambda k: data.draw(st.integers(0, k - 1)),
                            data.draw(st.integers(0, 8)))  # fmt: skip
                if case.id in ids:
                    continue  # the same submission drawn twice
                store.save(case, expected_version=0)
                ids.append(case.id)
            at = max(store.load(cid).last_at for cid in ids)
            for _ in range(data.draw(st.integers(1, 4), label="sweeps")):
                at += timedelta(days=data.draw(st.integers(0, 12)),
                                hours=data.draw(st.integers(0, 23)))  # fmt: skip
                swept = sweep(store, at, WATCH)
                assert swept.skipped == ()
                # nothing in force is left unrecorded, on any stored case
                for cid in ids:
                    case = store.load(cid)
                    held = recorded_keys(case)
                    assert {a.key for a in WATCH.alerts(case, at)} <= held, cid
                    assert {a.key for a in swept.alerts if a.case_id == cid} <= held
                # and a second sweep at the same moment reads and records nothing
                again = sweep(store, at, WATCH)
                assert (again.alerts, again.cases) == ((), 0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
