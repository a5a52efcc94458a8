"""``run`` across the year boundary and the scenario pre-check (issues #10 and #14).

The Done-when scenario of #10 (``matters/scenarios/year_end/``): a 20-WD planning permit
received 2026-12-04 runs to a decision in January 2027 on the provisional calendar,
every 2027 date flagged; re-dated with the (made-up) notice, the flags are gone and the
record shows the change.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from approval_rules.cli import main
from approval_rules.engine import Engine
from approval_rules.errors import DefinitionError
from approval_rules.loader import load_catalogue
from approval_rules.scenario import load_scenario, load_scenario_text, run_scenario
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
YEAR_END = ROOT / "matters" / "scenarios" / "year_end"
ACROSS = YEAR_END / "planning_permit_across_new_year.yaml"
NOTICE = YEAR_END / "notice_2027.yaml"
HAPPY = ROOT / "matters" / "scenarios" / "company_registration_happy_path.yaml"
CATALOGUE = load_catalogue(ROOT / "matters")
TZ = ZoneInfo("Asia/Shanghai")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["run", *args, "--catalogue", str(ROOT / "matters")])
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- Done when


def test_done_when_the_year_end_case_runs_into_2027_and_is_redated() -> None:
    provisional = Engine(CATALOGUE, WorkCalendar.china(provisional=True))
    result = run_scenario(load_scenario(ACROSS), provisional)
    assert result.ok, result.failures
    case = result.case
    assert case is not None
    assert case.decision is not None
    assert case.decision.on == date(2027, 1, 4)
    # every event that records a 2027 date says so
    flags = [(e.action, e.details.get("provisional", False)) for e in case.events]
    assert flags == [("submit", False), ("accept", True), ("pass", False), ("pass", True)]
    at = datetime(2027, 1, 5, 9, tzinfo=TZ)
    report = provisional.deadlines(case, at)
    assert report.statutory is not None
    assert report.certificate is not None
    assert (report.statutory.due, report.statutory.provisional) == (date(2027, 1, 4), True)
    assert report.certificate.provisional
    # the notice arrives
    notice = WorkCalendar.china(provisional=True, overlays=[NOTICE])
    redated = provisional.redate(case, notice, at=at)
    event = redated.events[-1]
    assert event.action == "redate"
    assert event.details["calendar"] == notice.fingerprint
    assert "provisional" not in event.details
    official = Engine(CATALOGUE, notice).deadlines(redated, at)
    for period in (official.statutory, official.certificate):
        assert period is not None
        assert not period.provisional
        assert period.bounds is None
    assert redated.clock.certificate_due == notice.add_workdays(date(2027, 1, 4), 10)


def test_run_provisional_plays_the_year_end_scenario() -> None:
    code, out, _ = run(str(ACROSS), "--provisional")
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True
    assert data["case"]["deadlines"]["statutory"]["provisional"] is True
    code, out, _ = run(str(ACROSS), "--provisional", "--format", "text")
    assert "statutory 2027-01-04 (provisional)" in out
    assert "correction_notice 2026-12-11," in out  # ended in 2026: not flagged


def test_run_a_strict_calendar_failure_stays_in_its_own_result() -> None:
    """Issue #10: one 2027 scenario in a run of several used to empty stdout for all."""
    code, out, err = run(str(ACROSS), str(HAPPY))
    assert code == 1
    first, second = json.loads(out)
    assert second["ok"] is True
    assert first["ok"] is False
    (failure,) = first["failures"]  # the root cause only, not its follow-ons
    assert failure.startswith(f"{ACROSS}:23:5: accept by he_jing needs a day the calendar")
    assert "[calendar-not-published]" in failure
    assert "expectation failed" in err
    code, out, _ = run(str(ACROSS), str(HAPPY), "--format", "text")
    assert code == 1
    assert "公司设立登记" in out


def test_run_a_scenario_that_cannot_be_read_stays_in_its_own_result(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: scenario\nname: x\n", encoding="utf-8")
    code, out, err = run(str(broken), str(HAPPY))
    assert code == 1
    first, second = json.loads(out)
    assert (first["ok"], second["ok"]) == (False, True)
    assert "broken.yaml:1:1: error[missing-key]" in err


def test_run_has_the_calendar_options_of_every_command() -> None:
    result = CliRunner().invoke(main, ["run", "--help"])
    assert "--provisional" in result.stdout
    assert "--overlay" in result.stdout


# --------------------------------------------------------------------------- the pre-check

CARELESS = """\
kind: scenario
name: 粗心
matter: planning_permit
submit:
  at: 2025-03-03 09:00
  by: dangyang_wenlv
  applicant: {project_kind: 改建}
  materials: {application_form: paper, land_use_documents: paper,
              project_approval: [{name: a.pdf}], design_scheme: paper}
actions:
  - {at: 2025-03-03 09:30, by: he_jing, do: accept, with: {makeup_by: 2025-13-01}}
  - {at: 2025-03-04 09:30, by: zhao_gnag, do: pass, with: {step: reviw}}
"""


def test_scenario_precheck_reports_every_problem_at_once_with_positions() -> None:
    """Issue #14: a misspelt person or step and a bad date come together, each at its
    position with the closest name (an unknown action is refused when the file is read,
    with the other problems of its shape)."""
    engine = Engine(CATALOGUE, WorkCalendar.china())
    with pytest.raises(DefinitionError) as info:
        run_scenario(load_scenario_text(CARELESS, "s.yaml"), engine)
    found = [(str(i.span).split(":", 1)[1], i.message, i.hint) for i in info.value.issues]
    assert found == [
        ("11:71", "makeup_by: '2025-13-01' is not a date", "write YYYY-MM-DD, e.g. 2025-10-09"),
        ("12:32", "'zhao_gnag' is neither a person of the catalogue nor the applicant",
         "did you mean 'zhao_gang'?"),
        ("12:66", "step: matter 'planning_permit' has no step 'reviw'", "did you mean 'review'?"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- store redate


def test_store_redate_re_dates_the_open_cases_once(tmp_path: Path) -> None:
    """``store redate URL --at … --provisional --overlay notice``: the year-end case's
    flags go, the summary is printed, and a second run changes nothing."""
    from approval_rules.store import open_store

    provisional = Engine(CATALOGUE, WorkCalendar.china(provisional=True))
    case = run_scenario(load_scenario(ACROSS), provisional).case
    assert case is not None
    url = f"sqlite:///{tmp_path}/cases.db"
    with open_store(url, engine=provisional) as store:
        store.save(case, expected_version=0)
    args = ["store", "redate", url, "--at", "2027-01-05T09:00", "--provisional",
            "--overlay", str(NOTICE), "--catalogue", str(ROOT / "matters")]  # fmt: skip
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["changed"] == 1
    again = CliRunner().invoke(main, args)
    assert json.loads(again.stdout)["changed"] == 0
    with open_store(url, engine=provisional) as store:
        stored = store.load(case.id)
    assert stored.events[-1].action == "redate"
    assert stored.version == case.version + 1


def test_reading_with_an_engine_reports_shape_and_names_in_one_round() -> None:
    """A misspelt action (the file's shape) and a misspelt person and step (the
    catalogue's names) come together, in file order, when the scenario is read for an
    engine (as ``run`` does)."""
    engine = Engine(CATALOGUE, WorkCalendar.china())
    text = CARELESS + "  - {at: 2025-03-05 09:30, by: wu_bin, do: pas}\n"
    with pytest.raises(DefinitionError) as info:
        load_scenario_text(text, "s.yaml", engine=engine)
    found = [(i.code, str(i.span).split(":", 1)[1]) for i in info.value.issues]
    assert found == [
        ("scenario-input", "11:71"), ("scenario-input", "12:32"), ("scenario-input", "12:66"),
        ("unknown-action", "13:44"),
    ]  # fmt: skip
