"""The outbox and the dispatcher, on SQLite and PostgreSQL, with the built-in file gateway.

Intents come from a bundled scenario played on a catalogue whose construction permit
asks for the applicant's mobile number.  Failures are real ones: the file gateway
writing into a folder that does not exist yet, then does.
"""

from __future__ import annotations

import io
import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from approval_rules import StoreError, load_catalogue, open_store
from approval_rules.catalogue import Catalogue
from approval_rules.cli import main
from approval_rules.engine import Case, Engine
from approval_rules.notify import (
    FileGateway,
    GatewayError,
    Intent,
    dispatch,
    load_notifications,
    notification_intents,
)
from approval_rules.scenario import load_scenario, run_scenario
from approval_rules.store import CaseStore, OutboxRow
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalogue, Engine, Case]:
    folder = tmp_path_factory.mktemp("catalogue") / "matters"
    shutil.copytree(ROOT / "matters", folder)
    matter = folder / "construction_permit.yaml"
    matter.write_text(
        matter.read_text(encoding="utf-8").replace(
            "applicant_fields:\n",
            "applicant_fields:\n  - {id: phone, name: 联系手机, type: text}\n",
            1,
        ),
        encoding="utf-8",
    )
    scenario = folder / "scenarios" / "construction_permit_correction_notice.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace(
            "  applicant:\n", "  applicant:\n    phone: '13800000000'\n", 1
        ),
        encoding="utf-8",
    )
    catalogue = load_catalogue(folder)
    engine = Engine(catalogue, WorkCalendar.china())
    case = run_scenario(load_scenario(scenario), engine).case
    assert case is not None
    return catalogue, engine, case


@pytest.fixture
def intents(played: tuple[Catalogue, Engine, Case]) -> tuple[Intent, ...]:
    catalogue, _, case = played
    rules = load_notifications(ROOT / "matters" / "notifications.yaml", catalogue=catalogue)
    found = notification_intents(rules, None, case, catalogue)
    assert len(found) > 2
    return found


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.requires("postgresql"))]
)
def store(
    request: pytest.FixtureRequest, tmp_path: Path, played: tuple[Catalogue, Engine, Case]
) -> Iterator[CaseStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/cases.db"
    else:
        import psycopg

        server = request.getfixturevalue("postgres_server")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        url = f"{server}?options=-csearch_path%3D{schema}"
    with open_store(url, engine=played[1]) as opened:
        yield opened


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_adding_the_same_intents_twice_keeps_one_of_each(
    store: CaseStore, intents: tuple[Intent, ...]
) -> None:
    assert store.outbox.add(intents) == len(intents)
    assert store.outbox.add(intents) == 0
    assert store.outbox.counts() == {"pending": len(intents), "sent": 0, "failed": 0}
    kept = store.outbox.messages()
    assert [m.key for m in kept] == sorted(i.key for i in intents)
    first = next(m for m in kept if m.key == intents[0].key)
    assert first.text == intents[0].text
    assert first.address == "13800000000"
    assert first.created == intents[0].at


def test_dispatch_sends_what_is_due_once(
    store: CaseStore, intents: tuple[Intent, ...], tmp_path: Path
) -> None:
    store.outbox.add(intents)
    sms = tmp_path / "sms.jsonl"
    # before the correction notice's moment nothing is due
    early = dispatch(store, FileGateway(sms), _at("2025-09-29T09:00"))
    assert early.sent == []
    assert not sms.exists()
    report = dispatch(store, FileGateway(sms), _at("2025-09-29T10:30"))
    assert report.sent == [f"{intents[0].case_id}:2:correction_requested:applicant"]
    everything = dispatch(store, FileGateway(sms), _at("2025-12-31T00:00"))
    assert len(report.sent) + len(everything.sent) == len(intents)
    written = _lines(sms)
    assert [w["key"] for w in written] == report.sent + everything.sent
    assert written[0]["to"] == "13800000000"
    assert "需补正7项" in written[0]["text"]
    assert store.outbox.counts() == {"pending": 0, "sent": len(intents), "failed": 0}
    sent = store.outbox.messages(state="sent")
    assert {m.reference for m in sent} == {f"sms.jsonl:{n}" for n in range(1, len(intents) + 1)}
    # a second run finds nothing to send
    assert dispatch(store, FileGateway(sms), _at("2025-12-31T00:00")).sent == []
    assert len(_lines(sms)) == len(intents)


def test_a_failing_gateway_is_retried_later_then_given_up(
    store: CaseStore, intents: tuple[Intent, ...], tmp_path: Path
) -> None:
    store.outbox.add(intents[:1])
    key = intents[0].key
    missing = tmp_path / "not-yet" / "sms.jsonl"
    at = _at("2025-09-29T10:30")
    report = dispatch(store, FileGateway(missing), at)
    assert report.retried == [key]
    (row,) = store.outbox.messages()
    assert row.state == "pending"
    assert row.attempts == 1
    assert row.next_at == at + timedelta(minutes=1)
    assert row.last_error is not None
    assert "cannot write" in row.last_error
    # not due again before the pause is over
    assert dispatch(store, FileGateway(missing), at + timedelta(seconds=30)).retried == []
    # the folder appears: the next attempt goes through
    missing.parent.mkdir()
    later = dispatch(store, FileGateway(missing), at + timedelta(minutes=1))
    assert later.sent == [key]
    (row,) = store.outbox.messages()
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, None)


def test_the_last_attempt_marks_the_message_failed(
    store: CaseStore, intents: tuple[Intent, ...], tmp_path: Path
) -> None:
    store.outbox.add(intents[:1])
    gateway = FileGateway(tmp_path / "nowhere" / "sms.jsonl")
    at = _at("2025-09-29T10:30")
    outcomes = []
    for _ in range(3):
        report = dispatch(store, gateway, at, max_attempts=3)
        outcomes.append((len(report.retried), len(report.failed)))
        at += timedelta(hours=3)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    (row,) = store.outbox.messages()
    assert (row.state, row.attempts) == ("failed", 3)
    assert dispatch(store, gateway, at, max_attempts=3).failed == []


class _Refusing:
    """A gateway that refuses every number for good (as a carrier refuses a bad one)."""

    def send(self, message: OutboxRow) -> str:
        raise GatewayError(f"{message.address}: not a mobile number", permanent=True)


def test_a_permanent_refusal_is_not_retried(store: CaseStore, intents: tuple[Intent, ...]) -> None:
    store.outbox.add(intents[:1])
    report = dispatch(store, _Refusing(), _at("2025-09-29T10:30"))
    assert report.failed == [intents[0].key]
    (row,) = store.outbox.messages()
    assert row.attempts == 1
    assert row.state == "failed"


def test_a_claimed_message_is_not_sent_by_a_second_dispatcher(
    store: CaseStore, intents: tuple[Intent, ...], tmp_path: Path
) -> None:
    store.outbox.add(intents[:1])
    at = _at("2025-09-29T10:30")
    (row,) = store.outbox.due(at)
    assert store.outbox.claim(row, until=at + timedelta(minutes=5))
    assert not store.outbox.claim(row, until=at + timedelta(minutes=5))
    # while the first holds it, another run sees nothing due
    assert dispatch(store, FileGateway(tmp_path / "sms.jsonl"), at).sent == []


def test_the_file_gateway_drops_a_repeat(intents: tuple[Intent, ...], tmp_path: Path) -> None:
    gateway = FileGateway(tmp_path / "sms.jsonl")
    row = OutboxRow(
        intents[0].key, "c", 1, "r", "applicant", "applicant", "n", "138", "t",
        _at("2025-01-01T00:00"), "pending", 0, _at("2025-01-01T00:00"), None, None, None,
    )  # fmt: skip
    assert gateway.send(row) == "sms.jsonl:1"
    assert gateway.send(row) == "sms.jsonl:1"
    assert len(_lines(tmp_path / "sms.jsonl")) == 1


def test_dispatch_needs_an_aware_moment(store: CaseStore, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="timezone-aware"):
        dispatch(store, FileGateway(tmp_path / "x"), datetime(2025, 1, 1))


def test_the_outbox_travels_with_an_export(
    store: CaseStore,
    intents: tuple[Intent, ...],
    played: tuple[Catalogue, Engine, Case],
    tmp_path: Path,
) -> None:
    _, engine, case = played
    store.save(case, expected_version=0)
    store.outbox.add(intents)
    dispatch(store, FileGateway(tmp_path / "sms.jsonl"), _at("2025-09-29T10:30"))
    first = io.StringIO()
    store.export(first)
    lines = first.getvalue().splitlines()
    assert sum(1 for line in lines if line.startswith('{"outbox":')) == len(intents)
    with open_store(f"sqlite:///{tmp_path}/copy.db", engine=engine) as copy:
        assert copy.import_records(lines) == 1
        assert copy.outbox.messages() == store.outbox.messages()
        again = io.StringIO()
        copy.export(again)
        assert again.getvalue() == first.getvalue()
        assert copy.import_records(lines) == 1  # a second import keeps one of each
        assert copy.outbox.counts() == store.outbox.counts()


def test_a_malformed_outbox_line_is_refused_with_its_line(
    played: tuple[Catalogue, Engine, Case], tmp_path: Path
) -> None:
    header = '{"format":"approval-rules/store@1","schema":2}'
    bad = '{"outbox":{"key":"k","state":"lost"}}'
    with open_store(f"sqlite:///{tmp_path}/x.db", engine=played[1]) as opened:
        with pytest.raises(StoreError, match="line 2: a message"):
            opened.import_records([header, bad])
        assert opened.outbox.counts() == {"pending": 0, "sent": 0, "failed": 0}


def test_store_dispatch_command(
    intents: tuple[Intent, ...], played: tuple[Catalogue, Engine, Case], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/cases.db"
    with open_store(url, engine=played[1]) as opened:
        opened.outbox.add(intents)
    sms = tmp_path / "sms.jsonl"
    result = CliRunner().invoke(
        main, ["store", "dispatch", url, "--file", str(sms), "--at", "2025-09-29T10:30"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent 1, to retry 0, failed 0;")
    assert len(_lines(sms)) == 1
    nowhere = tmp_path / "no" / "sms.jsonl"
    args = ["store", "dispatch", url, "--file", str(nowhere), "--max-attempts", "1"]
    failed = CliRunner().invoke(main, [*args, "--at", "2025-12-31T00:00"])
    assert failed.exit_code == 1
    assert f"failed for good: {intents[1].key}" in failed.stderr
    bad = CliRunner().invoke(main, [*args, "--at", "tomorrow"])
    assert bad.exit_code == 2
