"""Scenario files: the bundled ones pass, bad ones are reported, and ``run`` prints the case."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from approval_rules.cli import main
from approval_rules.engine import Engine, Status
from approval_rules.errors import DefinitionError
from approval_rules.loader import Catalogue, load_catalogue
from approval_rules.scenario import load_scenario, load_scenario_text, run_scenario
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "matters" / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "matters")


@pytest.fixture(scope="module")
def engine(catalogue: Catalogue) -> Engine:
    return Engine(catalogue, WorkCalendar.china())


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_passes(path: Path, engine: Engine) -> None:
    """Every bundled scenario's expectations hold."""
    result = run_scenario(load_scenario(path), engine)
    assert result.failures == []
    assert result.ok


def test_every_bundled_matter_has_a_scenario(catalogue: Catalogue) -> None:
    """Each matter of the catalogue is played by at least one scenario."""
    played = {load_scenario(p).matter for p in SCENARIOS}
    assert set(catalogue.matters) <= played


def test_hard_cases_are_covered() -> None:
    """The scenarios exercise every hard case of the lifecycle."""
    actions: set[str] = set()
    text = ""
    for path in SCENARIOS:
        scenario = load_scenario(path)
        actions |= {a.do for a in scenario.actions if a.do}
        text += path.read_text(encoding="utf-8")
    assert {
        "request_correction", "supplement", "send_back", "refuse", "extend",
        "start_clock_stop", "end_clock_stop", "record_absence", "record_payment",
        "issue_certificate", "deliver", "close", "withdraw",
    } <= actions  # fmt: skip
    for marker in ("deemed_acceptance: true", "status: deemed", "status: terminated",
                   "on_behalf_of", "green_channel: true"):  # fmt: skip
        assert marker in text


MINIMAL = """\
kind: scenario
name: 最小
matter: company_registration
submit:
  at: 2025-11-10 09:00
  by: zhang_san
  applicant: {has_corporate_shareholder: false}
  materials:
    application_form: paper
    articles_of_association: paper
    shareholder_identity: [id.jpg]
    address_documents: paper
actions:
  - {at: 2025-11-10 09:30, by: tian_tian, do: accept}
  - {at: 2025-11-10 10:00, by: fu_hong, do: pass}
"""


def test_a_refused_action_without_expect_fails_the_scenario_and_goes_on(engine: Engine) -> None:
    """Issue #14: a refusal the scenario did not expect (``expect: refused``) fails it, so a
    typo cannot pass as "ok"; it is listed with its reason and the scenario goes on."""
    result = run_scenario(load_scenario_text(MINIMAL, "s.yaml"), engine)
    assert not result.ok
    assert result.failures == [
        "s.yaml:15:5: pass by fu_hong was refused: fu_hong is not an authorised signer of "
        "step 'review_and_approve' (signers: hu_xiaoyan, luo_jie) [not-a-signer]"
    ]
    assert result.case is not None
    assert result.case.status is Status.IN_REVIEW
    assert [(r["action"], r["code"], r["expected"]) for r in result.refused] == [
        ("pass", "not-a-signer", False)
    ]
    assert result.summary["refused"][0]["reason"].startswith("fu_hong is not an authorised")


def test_failed_expectations_point_at_the_file(engine: Engine) -> None:
    """An action expected to succeed but refused, and a wrong final state, are failures."""
    text = MINIMAL.replace("do: pass}", "do: pass, expect: ok}") + "expect: {status: closed}\n"
    result = run_scenario(load_scenario_text(text, "s.yaml"), engine)
    assert not result.ok
    assert result.failures[0].startswith("s.yaml:15:5: pass by fu_hong was refused")
    assert result.failures[1] == "s.yaml:16:10: status: expected 'closed', found 'in_review'"


def test_expected_refusal_with_the_wrong_code_fails(engine: Engine) -> None:
    """``expect: refused`` with ``code`` checks the refusal's code."""
    text = MINIMAL.replace("do: pass}", "do: pass, expect: refused, code: step-not-open}")
    result = run_scenario(load_scenario_text(text, "s.yaml"), engine)
    assert len(result.failures) == 1
    assert "'not-a-signer', not 'step-not-open'" in result.failures[0]


def test_scenario_problems_are_positioned_and_collected() -> None:
    """Unknown keys and actions, missing keys and bad times come together, with positions."""
    bad = """\
kind: scenario
name: 坏
matter: company_registration
submitt: {}
actions:
  - {at: tomorrow, by: x, do: acept}
  - {at: 2025-11-10 10:00, by: x, do: pass, with: {stepp: a}}
  - {at: 2025-11-10 10:00}
"""
    with pytest.raises(DefinitionError) as err:
        load_scenario_text(bad, "bad.yaml")
    found = [(i.code, i.span.line if i.span else 0) for i in err.value.issues]
    assert ("unknown-key", 4) in found  # submitt
    assert ("missing-key", 1) in found  # submit
    assert ("bad-time", 6) in found
    assert ("unknown-action", 6) in found
    assert ("unknown-detail", 7) in found
    assert ("missing-key", 8) in found  # neither do nor check
    messages = " ".join(i.message + (i.hint or "") for i in err.value.issues)
    assert "did you mean 'accept'" in messages
    assert "did you mean 'submit'" in messages


def test_yaml_errors_and_wrong_kind_are_definition_errors() -> None:
    """Broken YAML and files of another kind are refused with positions."""
    with pytest.raises(DefinitionError) as err:
        load_scenario_text("kind: [\n", "x.yaml")
    assert err.value.issues[0].code == "yaml-syntax"
    with pytest.raises(DefinitionError) as err:
        load_scenario_text(MINIMAL.replace("kind: scenario", "kind: matter"), "x.yaml")
    assert err.value.issues[0].code == "bad-choice"


def test_input_the_catalogue_does_not_know_is_positioned(engine: Engine) -> None:
    """An unknown material is reported at the submission, not as a traceback."""
    text = MINIMAL.replace("address_documents: paper", "adress_documents: paper")
    with pytest.raises(DefinitionError) as err:
        run_scenario(load_scenario_text(text, "s.yaml"), engine)
    issue = err.value.issues[0]
    assert issue.span is not None
    assert issue.span.line == 5
    assert "adress_documents" in issue.message
    assert "did you mean" in issue.message


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def cli() -> click.Group:
    """The real command group: it is what turns library errors into exit 1."""
    assert "run" in main.commands
    return main


def test_run_prints_the_case_as_json(cli: click.Group) -> None:
    """``run`` prints status, deadlines, open steps, events and refusals; exit 0."""
    path = ROOT / "matters" / "scenarios" / "construction_permit_happy_path.yaml"
    result = CliRunner().invoke(cli, ["run", str(path), "--catalogue", str(ROOT / "matters")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    case = data["case"]
    assert case["status"] == "closed"
    assert case["due"]["statutory"] == "2025-10-13"
    assert case["deadlines"]["promised"]["overdue"] is False
    assert [e["action"] for e in case["events"]][:2] == ["submit", "accept"]
    assert data["refused"] == []
    assert data["ok"] is True


def test_run_exits_1_when_an_expectation_fails(cli: click.Group, tmp_path: Path) -> None:
    """A failed expectation is reported on stderr and the exit code is 1."""
    path = tmp_path / "s.yaml"
    path.write_text(MINIMAL + "expect: {status: closed}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "--catalogue", str(ROOT / "matters")])
    assert result.exit_code == 1
    assert "expectation failed" in result.stderr
    assert json.loads(result.stdout)["ok"] is False


def test_run_reports_bad_input_without_a_traceback(cli: click.Group, tmp_path: Path) -> None:
    """A broken scenario, a missing catalogue: a message and exit 1, no traceback."""
    path = tmp_path / "s.yaml"
    path.write_text("kind: scenario\nname: x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "--catalogue", str(ROOT / "matters")])
    assert result.exit_code == 1
    assert "s.yaml:1:1: error[missing-key]" in result.stderr
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["run", str(path), "--catalogue", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "file-not-found" in result.stderr


def test_run_points_at_an_unknown_matter(cli: click.Group, tmp_path: Path) -> None:
    """A misspelt matter is reported at the matter key, with the closest id."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "kind: scenario\nname: x\nmatter: construction_permitt\n"
        "submit: {at: 2025-09-26 09:00, by: acme, applicant: {}, materials: {}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["run", str(path), "--catalogue", str(ROOT / "matters")])
    assert result.exit_code == 1
    assert "s.yaml:3:9: error[scenario-input]: matter: the catalogue has no matter" in (
        result.stderr
    )
    assert "did you mean 'construction_permit'?" in result.stderr


def test_run_text_format_and_several_files(cli: click.Group) -> None:
    """--format text gives a short account per scenario."""
    paths = [str(p) for p in SCENARIOS[:2]]
    result = CliRunner().invoke(
        cli, ["run", *paths, "--catalogue", str(ROOT / "matters"), "--format", "text"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("\n  ok") == 2


def test_run_takes_calendar_overlays(cli: click.Group, tmp_path: Path) -> None:
    """An office closure moves the deadlines computed in the scenario."""
    overlay = tmp_path / "typhoon.yaml"
    overlay.write_text(
        "kind: calendar_overlay\nname: 台风停工\nclosures:\n"
        "  - {date: 2025-11-11, name: 台风停工}\n",
        encoding="utf-8",
    )
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        MINIMAL.split("actions:")[0]
        + "actions:\n  - {at: 2025-11-10 09:30, by: tian_tian, do: accept,"
        " check: {due: {promised: 2025-11-12}}}\n",
        encoding="utf-8",
    )
    args = ["run", str(scenario), "--catalogue", str(ROOT / "matters")]
    assert CliRunner().invoke(cli, args).exit_code == 1  # without the closure: 11-11
    result = CliRunner().invoke(cli, [*args, "--overlay", str(overlay)])
    assert result.exit_code == 0, result.output
