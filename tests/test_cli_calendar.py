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
    assert "provisional calendar" in result.stderr
    assert "Traceback" not in result.output
    provisional = run("deadline", "2026-12-20", "20", "--provisional")
    assert provisional.exit_code == 0
    assert provisional.stdout == "2027-01-18\n"  # 元旦 (Fri 2027-01-01) is off
    assert "provisional" in provisional.stderr
    assert "cannot move it" in provisional.stderr


def test_deadline_provisional_gives_the_bounds(run) -> None:  # type: ignore[no-untyped-def]
    """Across 春节 2027 the notice may still move the date: stderr and JSON give the range."""
    assert run("deadline", "2026-12-04", "20", "--provisional").stdout == "2027-01-04\n"
    text = run("deadline", "2027-01-22", "20", "--provisional")
    assert text.stdout == "2027-02-25\n"
    assert "between 2027-02-17 (earliest" in text.stderr
    assert "and 2027-03-01 (latest" in text.stderr
    data = json.loads(
        run("deadline", "2027-01-22", "20", "--provisional", "--format", "json").stdout
    )
    assert (data["due"], data["earliest"], data["latest"], data["provisional"]) == (
        "2027-02-25", "2027-02-17", "2027-03-01", True
    )  # fmt: skip
    official = json.loads(run("deadline", "2026-02-13", "20", "--format", "json").stdout)
    assert official["due"] == official["earliest"] == official["latest"] == "2026-03-19"


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
            "name": "台风停止办公", "source": "广西壮族三月三", "provisional": False,
            "layer": None, "certain": True} in data["days_off"]  # fmt: skip
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
    """An unknown year exits 1 unless --provisional, which lists the law's days by rule."""
    refused = run("calendar", "2027")
    assert refused.exit_code == 1
    assert "no official working-day data for 2027" in refused.stderr
    result = run("calendar", "2027", "--provisional")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("2027: 248 working days")
    assert "provisional: no State Council notice for 2027 yet" in out
    for line in [
        "2027-01-01 Fri  元旦  statutory day (Art. 2)  [certain]",
        "2027-02-05 Fri  春节  statutory day (Art. 2)  [certain]",
        "2027-02-08 Mon  春节  statutory day (Art. 2)  [certain]",
        "2027-02-09 Tue  春节  补假 for a statutory day on a weekend (Art. 6)  [certain]",
        "2027-04-05 Mon  清明  statutory day (Art. 2)  [certain]",
        "2027-06-09 Wed  端午  statutory day (Art. 2)  [certain]",
        "2027-09-15 Wed  中秋  statutory day (Art. 2)  [certain]",
        "2027-10-01 Fri  国庆节  statutory day (Art. 2)  [certain]",
        "2027-02-11 Thu  春节  [projected]",
        "2027-10-07 Thu  国庆节  [projected]",
        "春节: 01-23, 01-24, 01-30, 01-31, 02-13, 02-14, 02-20, 02-21",
        "working days: 248 by the law; between 243 (latest bound) and 272 (earliest bound)",
    ]:
        assert line in out, line
    data = json.loads(run("calendar", "2027", "--provisional", "--format", "json").stdout)
    assert data["provisional"] is True
    layers = {d["date"]: (d["layer"], d["certain"]) for d in data["days_off"]}
    assert layers["2027-02-10"] == ("in_lieu", True)
    assert [d["date"] for d in data["projected"]] == [
        "2027-02-11", "2027-02-12", "2027-05-05", "2027-10-06", "2027-10-07"
    ]  # fmt: skip
    assert len(data["candidates"]) == 24
    assert (data["workdays_earliest"], data["workdays_latest"]) == (272, 243)


def test_calendar_provisional_with_a_notice_overlay(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An overlay transcribing the 2027 notice makes the listing official again."""
    notice = tmp_path / "2027.yaml"
    notice.write_text(
        "kind: calendar_overlay\nname: 2027 notice\nyears: [2027]\n"
        "days_off: [2027-01-01, 2027-02-05, 2027-02-06, 2027-02-07, 2027-02-08]\n",
        encoding="utf-8",
    )
    result = run("calendar", "2027", "--provisional", "--overlay", str(notice))
    assert result.exit_code == 0
    assert "provisional" not in result.stdout
    assert "2027-02-05 Fri  holiday 2027 notice [overlay 2027 notice]" in result.stdout
    # The transcription misses statutory days: a warning with its position, not a refusal.
    assert f"{notice}:3:9: warning[overlay-missing-statutory-day]" in result.stderr
    assert "2027-04-05 清明" in result.stderr


def test_help_is_written_for_people(run) -> None:  # type: ignore[no-untyped-def]
    """Both commands have help with an example."""
    for command in ("deadline", "calendar"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout
