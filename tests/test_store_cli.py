"""``approval-rules store check|export|import`` on both backends."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from approval_rules.cli import main
from approval_rules.engine import Case, Engine
from approval_rules.loader import load_catalogue
from approval_rules.store import open_store
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
ENGINE = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}


def case(case_id: str) -> Case:
    """An accepted construction-permit case."""
    at = datetime(2025, 9, 26, 9, tzinfo=TZ)
    materials: dict[str, Any] = {m: both(JPG) for m in (
        "application_form", "land_approval", "contractor_selected", "drawing_review_certificate",
        "quality_safety_measures", "funding_commitment")}  # fmt: skip
    materials["construction_drawings"] = "paper"
    applicant = {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
                 "is_affordable_housing": False}  # fmt: skip
    new = ENGINE.submit("construction_permit", applicant, materials, at=at, actor="acme",
                        case_id=case_id)  # fmt: skip
    return ENGINE.act(new, "accept", at=at + timedelta(minutes=30), actor="wang_yueqin")


def _postgres(request: pytest.FixtureRequest) -> str:
    import psycopg

    server = request.getfixturevalue("postgres_server")
    schema = f"cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    return f"{server}?options=-csearch_path%3D{schema}"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.requires("postgresql"))]
)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store holding two cases, on each backend."""
    found = f"sqlite:///{tmp_path}/cases.db" if request.param == "sqlite" else _postgres(request)
    with open_store(found, engine=ENGINE) as store:
        store.save(case("c-1"), expected_version=0)
        store.save(case("c-2"), expected_version=0)
    return found


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_a_sound_store(url: str) -> None:
    """A store whose records all verify: exit 0 and a count."""
    result = run("store", "check", url)
    assert result.exit_code == 0, result.output
    assert result.output == "checked 2 case(s): 0 broken\n"


def test_check_lists_each_broken_case_with_its_first_bad_event(tmp_path: Path) -> None:
    """A row changed behind the store's back: named with its event; exit 1."""
    url = f"sqlite:///{tmp_path}/cases.db"
    with open_store(url, engine=ENGINE) as store:
        store.save(case("c-1"), expected_version=0)
        store.save(case("c-2"), expected_version=0)
    with sqlite3.connect(tmp_path / "cases.db") as conn:
        conn.execute("DROP TRIGGER events_append_only_update")
        conn.execute("UPDATE events SET body = replace(body, 'wang_yueqin', 'chen_qian') "
                     "WHERE case_id = 'c-2' AND seq = 2")  # fmt: skip
    result = run("store", "check", url)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "c-2: event 2: [hash] its content does not match its hash (changed)",
        "checked 2 case(s): 1 broken",
    ]


def test_export_then_import_into_another_store(url: str, tmp_path: Path) -> None:
    """export writes JSON lines; import reads them into a new SQLite store, the same text."""
    out = tmp_path / "cases.jsonl"
    exported = run("store", "export", url, "--output", str(out))
    assert exported.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 4  # header, one definition, two cases
    target = f"sqlite:///{tmp_path}/copy.db"
    imported = run("store", "import", target, str(out), "--catalogue", str(ROOT / "matters"))
    assert imported.exit_code == 0, imported.output
    assert imported.output.startswith("imported 2 case(s)")
    again = run("store", "export", target)
    assert again.exit_code == 0
    assert again.stdout == text


def test_import_of_a_bad_file_says_which_line(tmp_path: Path) -> None:
    """A broken export: exit 1, the line named, no traceback, nothing imported."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"format":"approval-rules/store@1","schema":1}\n{"case":"c-1"}\n')
    target = f"sqlite:///{tmp_path}/copy.db"
    result = CliRunner().invoke(main, ["store", "import", target, str(bad),
                                       "--catalogue", str(ROOT / "matters")])  # fmt: skip
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert "Traceback" not in result.output
    assert run("store", "check", target).output == "checked 0 case(s): 0 broken\n"


def test_a_bad_url_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    """An unknown scheme or a missing folder: a one-line error and exit 1."""
    for url in ("mysql://localhost/x", f"sqlite:///{tmp_path}/none/cases.db"):
        result = CliRunner().invoke(main, ["store", "check", url])
        assert result.exit_code == 1
        assert result.output.startswith("error: ")
        assert "Traceback" not in result.output
