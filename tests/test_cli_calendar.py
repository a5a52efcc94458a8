"""The `deadline` and `calendar` commands."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from approval_rules._cli_calendar import register


def _group() -> click.Group:
    """The project's CLI when it has the commands, else a local group with them."""
    try:
        from approval_rules.cli import main
    except ImportError:  # pragma: no cover - while cli.py is being written
        main = None
    if isinstance(main, click.Group) and {"deadline", "calendar"} <= set(main.commands):
        return main

    @click.group()
    def local() -> None:
        """Test group."""

    register(local)
    return local


@pytest.fixture(scope="module")
def run() -> object:
    group = _group()
    runner = CliRunner()

    def invoke(*args: str) -> click.testing.Result:
        return runner.invoke(group, list(args), catch_exceptions=False)

    return invoke


def test_deadline_prints_the_iso_date(run) -> None:  # type: ignore[no-untyped-def]
    """`deadline START N` prints only the due date."""
    result = run("deadline", "2026-02-13", "20")
    assert result.exit_code == 0
    assert result.stdout == "2026-03-19\n"


def test_deadline_with_stop_and_extension(run) -> None:  # type: ignore[no-untyped-def]
    """Stops and the extension are applied (DOMAIN.md §2 examples)."""
    stop = run("deadline", "2025-03-03", "20", "--stop", "2025-03-10..2025-03-21")
    assert stop.stdout == "2025-04-15\n"
    extended = run("deadline", "2025-09-26", "20", "--extend", "10")
    assert extended.stdout == "2025-11-13\n"


def test_deadline_explain_names_each_day(run) -> None:  # type: ignore[no-untyped-def]
    """--explain lists counted and skipped days with reasons, then the due date."""
    result = run(
        "deadline", "2025-09-26", "5", "--stop", "2025-10-09..2025-10-09",
        "--stop-kind", "hearing", "--explain",
    )  # fmt: skip
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "2025-09-26 Fri  start day (not counted)"
    assert "2025-09-27 Sat  skipped: weekend" in lines
    assert "2025-09-28 Sun  day 1: make-up workday (国庆节)" in lines
    assert "2025-10-01 Wed  skipped: holiday 国庆节" in lines
    assert "2025-10-09 Thu  skipped: clock stop hearing" in lines
    assert lines[-1] == "due: 2025-10-11"  # Sat 10/11 is a make-up workday


def test_deadline_json(run) -> None:  # type: ignore[no-untyped-def]
    """--format json carries the due date, the calendar fingerprint and the days."""
    result = run("deadline", "2025-09-26", "20", "--format", "json", "--explain")
    data = json.loads(result.stdout)
    assert data["due"] == "2025-10-30"
    assert data["provisional"] is False
    assert data["fingerprint"].startswith("sha256:")
    assert data["days"][-1] == {
        "date": "2025-10-30",
        "counted": True,
        "number": 20,
        "reason": "workday",
        "name": None,
        "provisional": False,
    }


def test_deadline_beyond_the_data_exits_1(run) -> None:  # type: ignore[no-untyped-def]
    """A period reaching 2027 is refused with a message, no traceback; --provisional warns."""
    result = run("deadline", "2026-12-20", "20")
    assert result.exit_code == 1
    assert "no official working-day data for 2027" in result.stderr
    assert "Traceback" not in result.output
    provisional = run("deadline", "2026-12-20", "20", "--provisional")
    assert provisional.exit_code == 0
    assert provisional.stdout == "2027-01-18\n"  # 元旦 (Fri 2027-01-01) is off
    assert "provisional" in provisional.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("deadline", "2026-02-30", "20"),
        ("deadline", "2026-02-13", "-1"),
        ("deadline", "2026-02-13", "twenty"),
        ("deadline", "2026-02-13", "20", "--stop", "2025-03-10"),
        ("deadline", "2026-02-13", "20", "--stop", "2025-03-21..2025-03-10"),
        ("deadline", "2026-02-13", "20", "--calendar", "us"),
        ("deadline", "2026-02-13", "20", "--stop", "2026-03-01..2026-03-02",
         "--stop-kind", "a", "--stop-kind", "b", "--stop-kind", "c"),
        ("calendar", "twenty"),
    ],
)  # fmt: skip
def test_malformed_arguments_exit_2(run, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """Malformed arguments are usage errors (exit 2)."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_overlapping_stops_exit_1(run) -> None:  # type: ignore[no-untyped-def]
    """Overlapping stops are refused by the library, reported without a traceback."""
    result = run(
        "deadline", "2025-03-03", "20",
        "--stop", "2025-03-10..2025-03-21", "--stop", "2025-03-20..2025-03-25",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "overlaps" in result.stderr


def test_calendar_lists_days_off_and_makeup_days(run) -> None:  # type: ignore[no-untyped-def]
    """`calendar 2026` lists holidays and make-up workdays with names."""
    result = run("calendar", "2026")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("2026: 248 working days, 117 days off")
    assert "2026-02-15 Sun  holiday 春节" in out
    assert "2026-02-14 Sat  make-up workday (春节)" in out
    assert "2026-03-07" not in out  # an ordinary weekend is not listed


def test_calendar_with_overlay(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Overlays add regional days and closures to the listing (and JSON)."""
    overlay = tmp_path / "gx.yaml"
    overlay.write_text(
        "kind: calendar_overlay\nname: 广西壮族三月三\n"
        "days_off: [{date: 2026-04-20, name: 壮族三月三}]\n"
        "closures: [{date: 2026-09-15, name: 台风停止办公}]\n",
        encoding="utf-8",
    )
    result = run("calendar", "2026", "--overlay", str(overlay))
    assert "2026-04-20 Mon  day off 壮族三月三 [overlay 广西壮族三月三]" in result.stdout
    assert "2026-09-15 Tue  office closure 台风停止办公 [overlay 广西壮族三月三]" in result.stdout
    data = json.loads(run("calendar", "2026", "--overlay", str(overlay), "--format", "json").stdout)
    assert data["workdays"] == 246
    assert {"date": "2026-09-15", "is_workday": False, "kind": "closure",
            "name": "台风停止办公", "source": "广西壮族三月三",
            "provisional": False} in data["days_off"]  # fmt: skip
    deadline = run("deadline", "2026-04-17", "1", "--overlay", str(overlay))
    assert deadline.stdout == "2026-04-21\n"


def test_bad_overlay_reports_positions(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A malformed overlay prints file:line:col issues and exits 1."""
    overlay = tmp_path / "bad.yaml"
    overlay.write_text(
        "kind: calendar_overlay\nname: x\ndays_off:\n  - {date: 2026-02-30, name: x}\n",
        encoding="utf-8",
    )
    result = run("calendar", "2026", "--overlay", str(overlay))
    assert result.exit_code == 1
    assert f"{overlay}:4:12: error[overlay-bad-date]" in result.stderr
    missing = run("calendar", "2026", "--overlay", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2


def test_calendar_beyond_the_data(run) -> None:  # type: ignore[no-untyped-def]
    """An unknown year exits 1 unless --provisional, which says so."""
    assert run("calendar", "2027").exit_code == 1
    result = run("calendar", "2027", "--provisional")
    assert result.exit_code == 0
    assert "provisional" in result.stdout
    assert "248 working days" in result.stdout


def test_help_is_written_for_people(run) -> None:  # type: ignore[no-untyped-def]
    """Both commands have help with an example."""
    for command in ("deadline", "calendar"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout
