"""``approval-rules run`` on a folder (#14 review, defect 5).

``run matters/scenarios/`` used to fail with ``file-unreadable: Is a directory``.  A
folder now plays every scenario in it, sorted, sub-folders included (``check`` reads
folders the same way); files of another kind are left out; a folder without a
scenario is a usage error (exit 2).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from approval_rules.cli import main
from approval_rules.scenario import scenario_files

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "matters" / "scenarios"
CATALOGUE = ["--catalogue", str(ROOT / "matters")]
HAPPY = BUNDLED / "construction_permit_happy_path.yaml"
YEAR_END = BUNDLED / "year_end" / "planning_permit_across_new_year.yaml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["run", *args, *CATALOGUE])
    return result.exit_code, result.stdout, result.stderr


def test_run_on_the_scenarios_folder_plays_every_scenario() -> None:
    """The bundled folder: all 16 scenarios (year_end/ included) pass; exit 0."""
    code, out, err = _run(str(BUNDLED), "--provisional")
    assert code == 0, err
    results = json.loads(out)
    expected = sorted([*BUNDLED.glob("*.yaml"), YEAR_END])
    assert [r["file"] for r in results] == [str(p) for p in expected]
    assert all(r["ok"] for r in results)
    assert "Is a directory" not in out + err


def test_run_on_a_folder_reports_the_failing_scenario_and_exits_1() -> None:
    """Without --provisional the 2027 case fails in its own result; the rest still pass."""
    code, out, err = _run(str(BUNDLED), "--format", "text")
    assert code == 1
    assert out.count("\n  ok") == 15
    assert "calendar-not-published" in out
    assert err.strip() == f"{YEAR_END}: 1 problem(s)"


def test_run_on_a_folder_leaves_out_other_kinds_and_reads_sub_folders(tmp_path: Path) -> None:
    """A matter, an overlay beside the scenarios are not played; a sub-folder's are."""
    shutil.copy(HAPPY, tmp_path / "b.yaml")
    (tmp_path / "sub").mkdir()
    shutil.copy(HAPPY, tmp_path / "sub" / "a.yml")
    shutil.copy(ROOT / "matters" / "construction_permit.yaml", tmp_path / "matter.yaml")
    shutil.copy(BUNDLED / "year_end" / "notice_2027.yaml", tmp_path / "overlay.yaml")
    (tmp_path / "notes.txt").write_text("kind: scenario\n", encoding="utf-8")
    assert scenario_files(tmp_path) == [tmp_path / "b.yaml", tmp_path / "sub" / "a.yml"]
    code, out, _ = _run(str(tmp_path), "--format", "text")
    assert code == 0, out
    assert out.count("\n  ok") == 2


def test_run_on_a_folder_plays_a_broken_file_and_shows_its_mistake(tmp_path: Path) -> None:
    """A file that names no kind is played, not skipped: its mistake shows, exit 1."""
    shutil.copy(HAPPY, tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("name: 没写 kind\n", encoding="utf-8")
    code, out, err = _run(str(tmp_path))
    assert code == 1
    first, second = json.loads(out)
    assert (first["ok"], second["ok"]) == (True, False)
    assert "b.yaml:1:1: error[" in err


def test_run_on_a_folder_with_one_scenario_prints_an_array(tmp_path: Path) -> None:
    """A folder's output is one result per scenario, an array even for one."""
    shutil.copy(HAPPY, tmp_path / "only.yaml")
    code, out, _ = _run(str(tmp_path))
    assert code == 0
    (result,) = json.loads(out)
    assert result["case"]["status"] == "closed"
    code, out, _ = _run(str(HAPPY))
    assert code == 0
    assert json.loads(out)["case"]["status"] == "closed"  # one file: the object itself


def test_run_on_an_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    """An empty folder, or one with no scenario: exit 2 and a plain message, no case run."""
    code, out, err = _run(str(tmp_path))
    assert code == 2
    assert f"{tmp_path} holds no scenario (no .yaml file with kind: scenario)" in err
    assert out == ""
    shutil.copy(ROOT / "matters" / "construction_permit.yaml", tmp_path / "matter.yaml")
    code, _, err = _run(str(tmp_path))
    assert code == 2
    assert "holds no scenario" in err
    assert "Traceback" not in err


def test_run_help_says_a_folder_plays_its_scenarios() -> None:
    """``run --help`` tells a folder's rule and shows it among the examples."""
    result = CliRunner().invoke(main, ["run", "--help"])
    assert "A folder plays every scenario in it" in " ".join(result.stdout.split())
    assert "approval-rules run matters/scenarios/ --provisional" in result.stdout
