"""告知承诺制: approval on the applicant's written commitment, decided on the spot, checked later.

The bundled 个体工商户设立登记 declares a commitment that replaces the premises document
(经营场所使用证明), checked within 3 months of the decision.  The language checks what
the block names; the engine accepts and approves on the spot, records the later check
and revokes on a false commitment; supervision watches the check's due date.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from supervision_cases import forged, refused_unchanged

from approval_rules.audit import Event, LogTampered, next_event
from approval_rules.compiler import check_catalogue
from approval_rules.engine import Case, CaseCommitment, Engine, Status
from approval_rules.errors import ActionNotAllowed, DefinitionError, Issue
from approval_rules.loader import Catalogue, load_catalogue
from approval_rules.render import to_text
from approval_rules.store import open_store
from approval_rules.supervision import Supervisor, alarm_rows, load_supervision, sweep
from approval_rules.supervision.facts import Outcome, case_facts
from approval_rules.supervision.rules import Level, Reporting
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
MATTERS = ROOT / "matters"
MATTER = "individual_business_registration"
APPLICANT = {"is_family_run": False, "is_agent": False}
#: Everything but the premises document, which the commitment replaces.
MATERIALS: dict[str, Any] = {"application_form": "paper", "operator_identity": ["id.jpg"]}
DECIDER, WINDOW = "hu_xiaoyan", "tian_tian"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(MATTERS)


@pytest.fixture(scope="module")
def engine(catalogue: Catalogue) -> Engine:
    return Engine(catalogue, WorkCalendar.china())


def submitted(engine: Engine, at: str = "2025-12-01 09:05", **more: Any) -> Case:
    materials = {**MATERIALS, **more.pop("materials", {})}
    return engine.submit(
        MATTER, APPLICANT, materials, at=t(at), actor="li_si", commitment=True, **more
    )


def approved(engine: Engine, at: str = "2025-12-01 09:20") -> Case:
    case = submitted(engine)
    return engine.act(case, "accept_on_commitment", at=t(at), actor=DECIDER, opinion="当场核准")


# --------------------------------------------------------------------------- language


def _variant(tmp_path: Path, matter: str, old: str, new: str) -> Path:
    """A copy of the bundled definitions and one matter, with ``old`` replaced by ``new``."""
    for path in MATTERS.glob("definitions*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    text = (MATTERS / f"{matter}.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (tmp_path / f"{matter}.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path


def _issues(folder: Path) -> list[Issue]:
    return check_catalogue(load_catalogue(folder))


def test_commitment_language_bundled_matter_is_clean(catalogue: Catalogue) -> None:
    """The bundled matter's commitment names a declared material and decides on the spot."""
    assert [i for i in check_catalogue(catalogue) if i.code.startswith("commitment")] == []
    commitment = catalogue.matters[MATTER].commitment
    assert commitment is not None
    assert commitment.replaces == ("premises_documents",)
    assert commitment.is_example("check_within")
    assert not commitment.is_example("replaces")


def test_commitment_language_unknown_material_is_positioned_with_the_closest(
    tmp_path: Path,
) -> None:
    """A replaced material that is not declared: an error at the id, the closest suggested."""
    folder = _variant(tmp_path, MATTER, "replaces: [premises_documents]",
                      "replaces: [premises_document]")  # fmt: skip
    [issue] = _issues(folder)
    assert issue.code == "commitment-unknown-material"
    assert issue.path == ("commitment", "replaces", 0)
    assert issue.span is not None
    assert issue.span.file.endswith(f"{MATTER}.yaml")
    assert issue.hint == "did you mean 'premises_documents'?"


def test_commitment_language_refuses_a_process_that_cannot_decide_on_the_spot(
    tmp_path: Path,
) -> None:
    """A deciding step that waits for a review cannot decide on the spot."""
    folder = _variant(
        tmp_path, MATTER,
        "    after: [accept]\n    send_back_to: [accept]\n    decides: true",
        "    after: [check]\n    send_back_to: [accept]\n    decides: true\n\n"
        "  - id: check\n    name: 审查\n    kind: review\n    signers: [hu_xiaoyan, luo_jie]\n"
        "    after: [accept]",
    )  # fmt: skip
    issues = [i for i in _issues(folder) if i.code.startswith("commitment")]
    assert [(i.code, i.path) for i in issues] == [("commitment-not-on-the-spot", ("commitment",))]
    assert "it waits for 'check', not for the acceptance step 'accept' alone" in issues[0].message
    assert issues[0].hint is not None
    assert "after: [accept]" in issues[0].hint


@pytest.mark.parametrize(
    ("period", "words"),
    [("{value: 13, unit: months}", "at most a year: 12 months, not 13 months"),
     # in the period's own unit: 400 months is not measured against 366 (days)
     ("{value: 400, unit: months}", "at most a year: 12 months, not 400 months"),
     ("{value: 300}", "at most a year: 250 working days, not 300 working days"),
     ("{value: 367, unit: calendar_days}", "366 calendar days, not 367 calendar days"),
     ("{value: 0}", "must be at least 1")],
)  # fmt: skip
def test_commitment_language_check_period_is_bounded(
    tmp_path: Path, period: str, words: str
) -> None:
    """The later check's period is at most a year, where it is written, reported in the
    unit the check uses."""
    folder = _variant(tmp_path, MATTER, "check_within: {value: 3, unit: months}",
                      f"check_within: {period}")  # fmt: skip
    with pytest.raises(DefinitionError) as err:
        load_catalogue(folder)
    [issue] = err.value.issues
    assert issue.span is not None
    assert words in issue.message


# --------------------------------------------------------------------------- engine


def test_commitment_submit_does_not_require_the_replaced_material(engine: Engine) -> None:
    """On commitment the premises document is not missing; without it, it is."""
    case = submitted(engine)
    assert case.intake.problems == ()
    assert case.commitment == CaseCommitment(("premises_documents",))
    normal = engine.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor="li_si")
    assert [p.material for p in normal.intake.problems] == ["premises_documents"]
    assert normal.commitment is None
    assert "commitment" not in normal.events[0].details  # other cases record as before


def test_commitment_submit_refused_on_a_matter_without_one(engine: Engine) -> None:
    with pytest.raises(ActionNotAllowed) as err:
        engine.submit("company_registration", {}, {}, at=t("2025-12-01 09:05"), actor="a",
                      commitment=True)  # fmt: skip
    assert err.value.code == "no-commitment"


def test_commitment_accepted_and_approved_on_the_spot(engine: Engine) -> None:
    """One event accepts, passes the decision and sets the check's due date (3 months from
    Mon 2025-12-01 is Sun 2026-03-01: the next working day, Mon 03-02)."""
    case = approved(engine)
    assert case.status is Status.APPROVED
    assert case.version == 2
    assert case.accepted_on == date(2025, 12, 1)
    assert case.decision is not None
    assert (case.decision.step, case.decision.by) == (
        "approve",
        DECIDER,
    )
    assert case.steps["approve"].opinion == "当场核准"
    assert case.open_steps == ("make_licence",)
    assert case.commitment == CaseCommitment(("premises_documents",), date(2026, 3, 2))
    assert case.to_dict()["commitment"]["check_due"] == "2026-03-02"


def test_commitment_offered_only_to_the_deciding_step_signers(engine: Engine) -> None:
    """available_actions offers the on-the-spot decision to the deciding step's signers;
    each offered action then succeeds."""
    case = submitted(engine)
    at = t("2025-12-01 09:10")
    offered = {a.action: a.actors for a in engine.available_actions(case, at)}
    assert offered["accept_on_commitment"] == ("hu_xiaoyan", "luo_jie")
    for actor in offered["accept_on_commitment"]:
        assert (
            engine.act(case, "accept_on_commitment", at=at, actor=actor).status is Status.APPROVED
        )
    refused_unchanged(engine, case, "accept_on_commitment", "not-a-signer", at=at, actor=WINDOW)


def test_commitment_refusals_leave_the_case_unchanged(engine: Engine) -> None:
    at = t("2025-12-01 09:10")
    normal = engine.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor="li_si")
    refused_unchanged(engine, normal, "accept_on_commitment", "not-on-commitment", at=at,
                      actor=DECIDER)  # fmt: skip
    incomplete = engine.submit(
        MATTER, APPLICANT, {"application_form": "paper"}, at=t("2025-12-01 09:05"),
        actor="li_si", commitment=True,
    )  # fmt: skip
    refused_unchanged(engine, incomplete, "accept_on_commitment", "materials-incomplete", at=at,
                      actor=DECIDER)  # fmt: skip
    case = submitted(engine)
    refused_unchanged(engine, case, "record_check", "not-decided-on-commitment", at=at,
                      actor=DECIDER, finding="consistent")  # fmt: skip
    own = engine.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor=DECIDER,
                        commitment=True)  # fmt: skip
    refused_unchanged(engine, own, "accept_on_commitment", "conflict-of-interest", at=at,
                      actor=DECIDER)  # fmt: skip
    done = approved(engine)
    later = t("2026-01-20 10:00")
    refused_unchanged(engine, done, "record_check", "bad-finding", at=later, actor=DECIDER,
                      finding="maybe")  # fmt: skip
    refused_unchanged(engine, done, "record_check", "detail-required", at=later, actor=DECIDER,
                      finding="untrue")  # fmt: skip
    refused_unchanged(engine, done, "record_check", "not-a-signer", at=later, actor=WINDOW,
                      finding="consistent")  # fmt: skip
    refused_unchanged(engine, done, "accept_on_commitment", "wrong-status", at=later,
                      actor=DECIDER)  # fmt: skip


def _closed(engine: Engine) -> Case:
    case = approved(engine)
    case = engine.act(case, "issue_certificate", at=t("2025-12-01 09:40"), actor="deng_lin",
                      number="92420582MA4G000002")  # fmt: skip
    case = engine.act(case, "deliver", at=t("2025-12-01 09:45"), actor="deng_lin")
    return engine.act(case, "close", at=t("2025-12-01 09:50"), actor="deng_lin")


def test_commitment_check_consistent_keeps_the_approval(engine: Engine) -> None:
    """A consistent finding after closing: the case stays closed, the check is recorded once."""
    case = _closed(engine)
    assert case.status is Status.CLOSED
    at = t("2026-01-20 10:00")
    offered = {a.action: a for a in engine.available_actions(case, at)}
    assert offered["record_check"].choices == ("consistent", "untrue")
    checked = engine.act(case, "record_check", at=at, actor="luo_jie", finding="consistent")
    assert checked.status is Status.CLOSED
    assert checked.commitment == CaseCommitment(
        ("premises_documents",), date(2026, 3, 2), date(2026, 1, 20), "luo_jie", "consistent"
    )
    assert "record_check" not in {a.action for a in engine.available_actions(checked, at)}
    refused_unchanged(engine, checked, "record_check", "already-checked", at=at, actor=DECIDER,
                      finding="untrue", opinion="x")  # fmt: skip


def test_commitment_check_untrue_revokes_and_keeps_the_record(engine: Engine) -> None:
    """A false commitment revokes the approval (撤销): terminal, decision and record kept."""
    case = engine.act(approved(engine), "record_check", at=t("2026-01-20 10:00"),
                      actor=DECIDER, finding="untrue", opinion="经营场所承诺不实")  # fmt: skip
    assert case.status is Status.REVOKED
    assert case.is_terminal
    assert case.decision is not None
    assert case.decision.outcome == "approved"
    assert case.ending is not None
    assert (case.ending.status, case.ending.on, case.ending.by, case.ending.reason) == (
        Status.REVOKED, date(2026, 1, 20), DECIDER, "经营场所承诺不实",
    )  # fmt: skip
    assert case.steps["make_licence"].status.value == "cancelled"
    assert case.open_steps == ()
    assert [e.action for e in case.events] == ["submit", "accept_on_commitment", "record_check"]
    with pytest.raises(ActionNotAllowed) as err:
        engine.act(case, "issue_certificate", at=t("2026-01-21 10:00"), actor="deng_lin",
                   number="X1")  # fmt: skip
    assert err.value.code == "case-ended"


def test_commitment_replay_and_json_round_trip(engine: Engine) -> None:
    """Replay equals the live case; the serial form reads back proved, and only a case on
    commitment carries the extra state item."""
    for case in (submitted(engine), approved(engine), _closed(engine)):
        assert engine.replay(case.events) == case
        assert Case.from_json(case.to_json()) == case
        assert Case.from_json(case.to_json(), trusted=True) == case
    revoked = engine.act(approved(engine), "record_check", at=t("2026-01-20 10:00"),
                         actor=DECIDER, finding="untrue", opinion="不实")  # fmt: skip
    assert engine.replay(revoked.events) == revoked
    assert Case.from_json(revoked.to_json()) == revoked
    normal = engine.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor="x")
    assert len(json.loads(normal.to_json())["state"]) == 11  # case@3, as before
    state = json.loads(approved(engine).to_json())["state"]
    assert state[11] == [["premises_documents"], "2026-03-02", None, None, None, None]


def test_commitment_check_due_in_deadlines(engine: Engine) -> None:
    """deadlines() shows the check: running, overdue after its due date, ended when done."""
    case = approved(engine)
    running = engine.deadlines(case, t("2026-01-05 09:00")).check
    assert running is not None
    assert running.due == date(2026, 3, 2)
    assert not running.overdue
    assert running.ended is None
    late = engine.deadlines(case, t("2026-03-03 09:00")).check
    assert late is not None
    assert late.overdue
    checked = engine.act(case, "record_check", at=t("2026-01-20 10:00"), actor=DECIDER,
                         finding="consistent")  # fmt: skip
    done = engine.deadlines(checked, t("2026-03-03 09:00")).check
    assert done is not None
    assert done.ended == date(2026, 1, 20)
    assert not done.overdue
    assert (
        engine.deadlines(checked, t("2026-03-03 09:00")).to_dict()["check"]["due"] == "2026-03-02"
    )
    normal = engine.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor="x")
    assert engine.deadlines(normal, t("2025-12-01 10:00")).check is None


def test_commitment_check_due_is_provisional_in_a_year_without_data(catalogue: Catalogue) -> None:
    """A check due in 2027 on the provisional calendar is flagged like every other date."""
    engine = Engine(catalogue, WorkCalendar.china(provisional=True))
    case = submitted(engine, at="2026-12-01 09:05")
    case = engine.act(case, "accept_on_commitment", at=t("2026-12-01 09:20"), actor=DECIDER)
    assert case.events[-1].details.get("provisional") is True
    assert case.commitment is not None
    assert case.commitment.check_due is not None
    assert case.commitment.check_due.year == 2027


# --------------------------------------------------------------------------- supervision


def test_commitment_supervision_alerts_an_overdue_check(
    catalogue: Catalogue, engine: Engine
) -> None:
    """commitment_check_overdue fires the day after the due date, until the check is made."""
    watch = Supervisor(load_supervision(MATTERS / "supervision.yaml", catalogue=catalogue),
                       catalogue, WorkCalendar.china())  # fmt: skip
    case = _closed(engine)

    def overdue(c: Case, at: str) -> list[Any]:
        return [a for a in watch.alerts(c, t(at)) if a.rule == "commitment_check_overdue"]

    assert overdue(case, "2026-03-02 18:00") == []
    [alert] = overdue(case, "2026-03-03 09:00")
    assert (alert.level, alert.fired_on) == (Level.YELLOW, date(2026, 3, 3))
    assert alert.detail == "告知承诺事后核查期限 2026-03-02 已过，尚未记录核查结果"
    checked = engine.act(case, "record_check", at=t("2026-03-04 09:00"), actor=DECIDER,
                         finding="consistent")  # fmt: skip
    assert overdue(checked, "2026-03-05 09:00") == []
    assert [a.rule for a in watch.alerts(checked, t("2026-03-05 09:00"))] == []


def test_commitment_indicators_never_count_the_spot_decision_early(
    tmp_path: Path,
) -> None:
    """On a matter promising 5 working days, a case closed the same day is early; the same
    case approved on commitment is on the day (and a revoked one stays concluded)."""
    folder = _variant(
        tmp_path, MATTER,
        "  promised:\n    value: 1\n    unit: half_days",
        "  promised:\n    value: 2\n    unit: working_days",
    )  # fmt: skip
    text = (folder / f"{MATTER}.yaml").read_text(encoding="utf-8")
    (folder / f"{MATTER}.yaml").write_text(
        text.replace("case_type: immediate", "case_type: promised"), encoding="utf-8"
    )
    catalogue = load_catalogue(folder)
    engine = Engine(catalogue, WorkCalendar.china())
    process = engine.process(MATTER)

    def facts(case: Case) -> Any:
        return case_facts(case, process=process, calendar=WorkCalendar.china(),
                          reporting=Reporting(), tz=TZ)  # fmt: skip

    normal = engine.submit(MATTER, APPLICANT, {**MATERIALS, "premises_documents": "paper"},
                           at=t("2025-12-01 09:05"), actor="li_si")  # fmt: skip
    for action, actor, more in (
        ("accept", WINDOW, {}), ("pass", DECIDER, {"step": "approve"}),
        ("issue_certificate", "deng_lin", {"number": "N1"}), ("deliver", "deng_lin", {}),
        ("close", "deng_lin", {}),
    ):  # fmt: skip
        normal = engine.act(normal, action, at=t("2025-12-01 10:00"), actor=actor, **more)
    assert facts(normal).outcome is Outcome.EARLY
    spot = _closed(engine)
    assert (facts(spot).state, facts(spot).outcome) == ("concluded", Outcome.ON_DAY)
    # each step's time is counted: the deciding step passed on the spot, the rest after it
    assert [(s.step, s.days) for s in facts(spot).steps] == [
        ("accept", 0), ("approve", 0), ("make_licence", 0), ("issue_licence", 0),
    ]  # fmt: skip
    revoked = engine.act(spot, "record_check", at=t("2026-01-20 10:00"), actor=DECIDER,
                         finding="untrue", opinion="不实")  # fmt: skip
    assert (facts(revoked).state, facts(revoked).ended_on) == ("concluded", date(2025, 12, 1))


def test_commitment_check_due_is_redated_when_the_notice_arrives(catalogue: Catalogue) -> None:
    """A provisional check date is computed again on the official calendar, also on a case
    that closed, until the check is recorded; a second re-dating changes nothing."""
    provisional = WorkCalendar.china(provisional=True)
    engine = Engine(catalogue, provisional)
    case = submitted(engine, at="2026-12-01 09:05")
    case = engine.act(case, "accept_on_commitment", at=t("2026-12-01 09:20"), actor=DECIDER)
    for action, more in (("issue_certificate", {"number": "N1"}), ("deliver", {}), ("close", {})):
        case = engine.act(case, action, at=t("2026-12-01 10:00"), actor="deng_lin", **more)
    assert case.status is Status.CLOSED
    notice = WorkCalendar.china(
        provisional=True, overlays=[MATTERS / "scenarios" / "year_end" / "notice_2027.yaml"]
    )
    redated = engine.redate(case, notice, at=t("2027-01-05 09:00"))
    assert redated.events[-1].action == "redate"
    assert redated.status is Status.CLOSED
    assert redated.commitment is not None
    assert redated.commitment.check_due is not None
    assert redated.events[-1].details["due"]["check"] == redated.commitment.check_due.isoformat()
    assert not redated.events[-1].details.get("provisional")
    assert engine.redate(redated, notice, at=t("2027-01-06 09:00")) is redated
    assert Engine(catalogue, notice).replay(redated.events) == redated
    checked = engine.act(redated, "record_check", at=t("2027-01-20 10:00"), actor=DECIDER,
                         finding="consistent")  # fmt: skip
    assert engine.redate(checked, notice, at=t("2027-01-21 09:00")) is checked


def _closed_provisional(engine: Engine) -> Case:
    """Decided on commitment on 2026-12-01 (check due in 2027: provisional) and closed."""
    case = submitted(engine, at="2026-12-01 09:05")
    case = engine.act(case, "accept_on_commitment", at=t("2026-12-01 09:20"), actor=DECIDER)
    for action, more in (("issue_certificate", {"number": "N1"}), ("deliver", {}), ("close", {})):
        case = engine.act(case, action, at=t("2026-12-01 10:00"), actor="deng_lin", **more)
    assert case.status is Status.CLOSED
    return case


def test_store_lists_the_checks_waiting_also_on_closed_cases(
    catalogue: Catalogue, url: str
) -> None:
    """``checks_waiting`` names every case whose later check is not recorded, closed ones
    included (``open_cases`` does not list them); a recorded check leaves the list."""
    engine = Engine(catalogue, WorkCalendar.china())
    with open_store(url, engine=engine) as store:
        closed = _closed(engine)
        store.save(closed, expected_version=0)
        waiting = engine.act(
            submitted(engine, case_id="DY-GT-WAITING"),
            "accept_on_commitment",
            at=t("2025-12-01 09:20"),
            actor=DECIDER,
        )  # approved, not closed
        paper = {**MATERIALS, "premises_documents": "paper"}
        normal = engine.submit(MATTER, APPLICANT, paper, at=t("2025-12-01 09:05"),
                               actor="li_si", case_id="DY-GT-NORMAL")  # fmt: skip
        for case in (waiting, normal):
            store.save(case, expected_version=0)
        assert [s.id for s in store.open_cases()] == sorted([waiting.id, normal.id])
        assert [(s.id, s.status) for s in store.checks_waiting()] == sorted(
            [(closed.id, "closed"), (waiting.id, "approved")]
        )
        checked = engine.act(closed, "record_check", at=t("2026-01-20 10:00"), actor=DECIDER,
                             finding="consistent")  # fmt: skip
        store.save(checked, expected_version=closed.version)
        assert [s.id for s in store.checks_waiting()] == [waiting.id]


def test_store_redate_re_dates_the_check_of_a_closed_case_on_commitment(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """``store redate`` also loads a closed case whose later check waits: its provisional
    check date is computed again on the official calendar, once."""
    from click.testing import CliRunner

    from approval_rules.cli import main

    provisional = Engine(catalogue, WorkCalendar.china(provisional=True))
    case = _closed_provisional(provisional)
    url = f"sqlite:///{tmp_path}/cases.db"
    with open_store(url, engine=provisional) as store:
        store.save(case, expected_version=0)
        assert store.open_cases() == []
    notice = MATTERS / "scenarios" / "year_end" / "notice_2027.yaml"
    args = ["store", "redate", url, "--at", "2027-01-05T09:00", "--provisional",
            "--overlay", str(notice), "--catalogue", str(MATTERS)]  # fmt: skip
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["changed"] == 1
    with open_store(url, engine=provisional) as store:
        stored = store.load(case.id)
    assert stored.status is Status.CLOSED
    assert stored.events[-1].action == "redate"
    assert stored.commitment is not None
    assert stored.events[-1].details["due"]["check"] == str(stored.commitment.check_due)
    again = CliRunner().invoke(main, args)
    assert json.loads(again.stdout)["changed"] == 0


def test_commitment_sweep_records_the_overdue_check_of_a_closed_case(
    catalogue: Catalogue, engine: Engine, tmp_path: Path
) -> None:
    """The store-backed sweep reads a closed case on commitment when its check falls
    overdue, records the alert once, and reads it no more."""
    watch = Supervisor(load_supervision(MATTERS / "supervision.yaml", catalogue=catalogue),
                       catalogue, WorkCalendar.china())  # fmt: skip
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    with open_store(url, engine=engine, alarms=alarm_rows(watch)) as store:
        case = _closed(engine)
        store.save(case, expected_version=0)
        assert store.alarms_due(t("2026-03-02 23:59")) == []
        [due] = store.alarms_due(t("2026-03-03 00:00"))
        assert due.key == f"{case.id}|commitment_check_overdue|||0"
        swept = sweep(store, t("2026-03-03 09:00"), watch)
        assert [a.rule for a in swept.alerts] == ["commitment_check_overdue"]
        assert store.load(case.id).events[-1].action == "record_alert"
        assert sweep(store, t("2026-03-04 09:00"), watch).alerts == ()


def test_commitment_graph_text_lists_the_route(engine: Engine) -> None:
    """`graph --format text` says the matter may be decided on commitment, and how."""
    text = to_text(engine.process(MATTER))
    assert (
        "  on commitment (告知承诺制): premises_documents replaced, decided on the spot at "
        "approve, checked within 3 months (example)\n" in text
    )
    assert "告知承诺制" not in to_text(engine.process("company_registration"))


def test_commitment_graph_json_exports_the_route(engine: Engine) -> None:
    """The JSON export carries the commitment (keys only added in format version 1)."""
    data = engine.process(MATTER).to_json_data()
    assert data["format_version"] == 1
    assert data["commitment"] == {
        "replaces": ["premises_documents"], "check_within": {"value": 3, "unit": "months"},
    }  # fmt: skip
    assert engine.process("company_registration").to_json_data()["commitment"] is None


def test_commitment_supplement_does_not_ask_for_the_replaced_material(engine: Engine) -> None:
    """After a correction notice, supplying what was missing completes a case on
    commitment: the replaced material is still not required."""
    case = engine.submit(MATTER, APPLICANT, {"application_form": "paper"},
                         at=t("2025-12-01 09:05"), actor="li_si", commitment=True)  # fmt: skip
    assert [p.material for p in case.intake.problems] == ["operator_identity"]
    case = engine.act(case, "request_correction", at=t("2025-12-01 09:10"), actor=WINDOW)
    case = engine.act(case, "supplement", at=t("2025-12-01 09:30"), actor="li_si",
                      materials={"operator_identity": ["id.jpg"]})  # fmt: skip
    assert (case.status, case.intake.problems) == (Status.RECEIVED, ())
    case = engine.act(case, "accept_on_commitment", at=t("2025-12-01 09:40"), actor="luo_jie")
    assert case.status is Status.APPROVED


def test_commitment_overdue_check_on_a_provisional_date_is_flagged(catalogue: Catalogue) -> None:
    """A check due in a year without official data is overdue after its latest possible
    date only, and the alert says it is provisional."""
    provisional = WorkCalendar.china(provisional=True)
    engine = Engine(catalogue, provisional)
    watch = Supervisor(load_supervision(MATTERS / "supervision.yaml", catalogue=catalogue),
                       catalogue, provisional)  # fmt: skip
    case = submitted(engine, at="2026-12-01 09:05")
    case = engine.act(case, "accept_on_commitment", at=t("2026-12-01 09:20"), actor=DECIDER)
    assert case.commitment is not None
    assert case.commitment.check_due == date(2027, 3, 1)  # Mon: a working day on every estimate
    [alert] = [a for a in watch.alerts(case, t("2027-03-02 09:00"))
               if a.rule == "commitment_check_overdue"]  # fmt: skip
    assert (alert.fired_on, alert.provisional) == (date(2027, 3, 2), True)


def test_commitment_replay_refuses_a_forged_decision_and_supervision_flags_it(
    catalogue: Catalogue, engine: Engine
) -> None:
    """An on-the-spot decision recorded by window staff (not a signer of the deciding
    step) is refused by replay (unauthorised) and found by supervision (越权办理)."""
    case = approved(engine)

    def by_window(event: Event) -> Event:
        return event._replace(actor=WINDOW) if event.action == "accept_on_commitment" else event

    forged_case = forged(case, by_window)
    with pytest.raises(LogTampered) as err:
        engine.replay(forged_case.events)
    assert err.value.code == "unauthorised"
    watch = Supervisor(load_supervision(MATTERS / "supervision.yaml", catalogue=catalogue),
                       catalogue, WorkCalendar.china())  # fmt: skip
    rules = {a.rule: a for a in watch.alerts(forged_case, t("2025-12-02 09:00"))}
    assert rules["unauthorised_actor"].step == "approve"


# --------------------------------------------------------------------------- review fixes


def _with_forged(
    case: Case, action: str, details: dict[str, Any], actor: str = "system"
) -> tuple[str, list[Event]]:
    """``case`` with one more event hashed into the chain (a forger with no keys can do
    that): the serialised case (head and version following the event) and its log."""
    events = list(case.events)
    at = (datetime.fromisoformat(events[-1].at) + timedelta(days=1)).isoformat()
    event = next_event(events, id=f"{case.id}#{len(events) + 1}", at=at, actor=actor,
                       action=action, details=details)  # fmt: skip
    data = json.loads(case.to_json())
    data["events"].append(event.to_dict(with_prev=False))
    data["head"], data["version"] = event.hash, event.seq
    return json.dumps(data, ensure_ascii=False), [*events, event]


def _refused_as_tampered(engine: Engine, forged: tuple[str, list[Event]]) -> None:
    """Loading and replaying the forged log both say it was tampered with; nothing else
    (an AssertionError, a KeyError) escapes."""
    text, events = forged
    with pytest.raises(LogTampered) as loaded:
        Case.from_json(text)
    assert loaded.value.code == "malformed"
    with pytest.raises(LogTampered) as replayed:
        engine.replay(events)
    assert replayed.value.code == "malformed"


def test_forged_redate_of_a_check_on_a_case_not_on_commitment_is_log_tampered(
    engine: Engine,
) -> None:
    """A redate that moves a later check's due date on a case the applicant did not take
    on commitment is refused on load and on replay as LogTampered."""
    normal = engine.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor="x")
    due = {"statutory": None, "promised": None, "certificate": None, "check": "2026-03-02"}
    forged = _with_forged(normal, "redate", {"due": due, "notice_due": "2025-12-08",
                                             "steps": {}})  # fmt: skip
    _refused_as_tampered(engine, forged)


def test_forged_redate_of_a_step_the_case_lacks_is_log_tampered(engine: Engine) -> None:
    """A redate naming a step the case has not reached is refused as LogTampered."""
    case = submitted(engine)
    due = {"statutory": None, "promised": None, "certificate": None}
    forged = _with_forged(case, "redate", {"due": due, "notice_due": "2025-12-08",
                                           "steps": {"make_licence": "2025-12-09"}})  # fmt: skip
    _refused_as_tampered(engine, forged)


def test_forged_check_on_a_case_not_on_commitment_is_log_tampered(engine: Engine) -> None:
    """A record_check (or an approval carrying a check date) on a case not on commitment
    is refused as LogTampered, not an AssertionError."""
    normal = engine.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor="x")
    text, events = _with_forged(normal, "record_check", {"finding": "untrue",
                                "opinion": "不实"}, actor=DECIDER)  # fmt: skip
    with pytest.raises(LogTampered) as loaded:
        Case.from_json(text)
    assert loaded.value.code == "malformed"
    with pytest.raises(LogTampered):  # replay: refused as not allowed, before the fold
        engine.replay(events)


def test_record_check_needs_an_approval_a_refused_case_on_commitment_has_no_check(
    catalogue: Catalogue, engine: Engine, tmp_path: Path
) -> None:
    """A case on commitment reviewed the normal way and refused has no later check:
    record_check is refused (``not-approved``), not offered, not in the inbox, never
    overdue for supervision, and a refusal cannot be "revoked"."""
    case = engine.act(submitted(engine), "accept", at=t("2025-12-01 09:10"), actor=WINDOW)
    refused = engine.act(case, "refuse", at=t("2025-12-01 09:20"), actor=DECIDER,
                         step="approve", reasons=["经营范围不符合规定"])  # fmt: skip
    assert refused.status is Status.REFUSED
    assert refused.commitment is not None
    assert refused.commitment.check_due is None
    later = t("2026-03-05 10:00")
    for finding, more in (("untrue", {"opinion": "不实"}), ("consistent", {})):
        refused_unchanged(engine, refused, "record_check", "not-approved", at=later,
                          actor=DECIDER, finding=finding, **more)  # fmt: skip
    assert "record_check" not in {a.action for a in engine.available_actions(refused, later)}
    watch = Supervisor(load_supervision(MATTERS / "supervision.yaml", catalogue=catalogue),
                       catalogue, WorkCalendar.china())  # fmt: skip
    assert [a for a in watch.alerts(refused, later) if a.rule == "commitment_check_overdue"] == []
    with open_store(f"sqlite:///{tmp_path / 'cases.db'}", engine=engine) as store:
        store.save(refused, expected_version=0)
        assert store.checks_waiting() == []
        assert [w for w in store.inbox(DECIDER, at=later) if w.case_id == refused.id] == []


def test_finding_value_is_untrue_not_false(engine: Engine) -> None:
    """The finding that revokes is the word ``untrue``: ``false`` (which reads like a JSON
    boolean) is refused as an unknown finding, and the refusal lists the two words."""
    done = approved(engine)
    later = t("2026-01-20 10:00")
    with pytest.raises(ActionNotAllowed) as err:
        engine.act(done, "record_check", at=later, actor=DECIDER, finding="false", opinion="不实")
    assert err.value.code == "bad-finding"
    assert "consistent, untrue" in err.value.reason
    revoked = engine.act(done, "record_check", at=later, actor=DECIDER, finding="untrue",
                         opinion="不实")  # fmt: skip
    assert revoked.status is Status.REVOKED
    assert revoked.commitment is not None
    assert revoked.commitment.finding == "untrue"


def test_migrate_refuses_commitment_not_in_version(catalogue: Catalogue) -> None:
    """A case on commitment cannot move to a version of its matter without a commitment
    block (``commitment-not-in-version``), and is unchanged; a normal case moves."""
    from approval_rules.loader import load_catalogue_text

    files = {p.name: p.read_text(encoding="utf-8") for p in MATTERS.glob("*.yaml")}
    text = files[f"{MATTER}.yaml"]
    start = text.index("\ncommitment:\n")
    end = text.index("\n\n", start + 1)
    files[f"{MATTER}.yaml"] = text[:start] + text[end:]
    engine = Engine(load_catalogue_text(files), WorkCalendar.china())
    engine.add_version(Engine(catalogue, WorkCalendar.china()).current(MATTER))
    old = Engine(catalogue, WorkCalendar.china())
    to = engine.current(MATTER).hash
    case = submitted(old)
    assert case.matter_hash != to
    before = case.to_json()
    with pytest.raises(ActionNotAllowed) as err:
        engine.migrate(case, to, at=t("2025-12-01 09:10"), actor=DECIDER)
    assert err.value.code == "commitment-not-in-version"
    assert "告知承诺制" in err.value.reason
    assert case.to_json() == before
    normal = old.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor="li_si")
    moved = engine.migrate(normal, to, at=t("2025-12-01 09:10"), actor=DECIDER)
    assert moved.matter_hash == to


def test_revocation_ends_a_running_clock_stop(engine: Engine) -> None:
    """An untrue finding revokes the case and, in the same event, ends the clock stop
    (Art. 45) still running: the revoked case holds no running stop, its days are kept,
    and replay and the serial form agree."""
    case = engine.act(approved(engine), "start_clock_stop", at=t("2025-12-02 09:00"),
                      actor="deng_lin", kind="inspection", notice="现场核查通知",
                      needed_days=5)  # fmt: skip
    assert [s.kind for s in case.clock.running_stops] == ["inspection"]
    revoked = engine.act(case, "record_check", at=t("2025-12-05 10:00"), actor=DECIDER,
                         finding="untrue", opinion="经营场所承诺不实")  # fmt: skip
    assert revoked.status is Status.REVOKED
    assert revoked.clock.running_stops == ()
    assert [(s.kind, s.start, s.end) for s in revoked.clock.stops] == [
        ("inspection", date(2025, 12, 2), date(2025, 12, 5))
    ]
    assert revoked.events[-1].details["stops_ended"] == ["inspection"]
    assert not engine.deadlines(revoked, t("2025-12-08 09:00")).stopped
    assert engine.replay(revoked.events) == revoked
    assert Case.from_json(revoked.to_json()) == revoked
    kept = engine.act(case, "record_check", at=t("2025-12-05 10:00"), actor=DECIDER,
                      finding="consistent")  # fmt: skip
    assert [s.kind for s in kept.clock.running_stops] == ["inspection"]  # nothing ends


def test_withdrawal_ends_a_running_clock_stop(engine: Engine) -> None:
    """Withdrawing during a clock stop ends the stop with the case, as a revocation does."""
    case = engine.act(submitted(engine), "accept", at=t("2025-12-01 09:10"), actor=WINDOW)
    case = engine.act(case, "start_clock_stop", at=t("2025-12-02 09:00"), actor=DECIDER,
                      kind="inspection", notice="现场核查通知", needed_days=5)  # fmt: skip
    withdrawn = engine.act(case, "withdraw", at=t("2025-12-03 09:00"), actor="li_si")
    assert withdrawn.status is Status.WITHDRAWN
    assert withdrawn.clock.running_stops == ()
    assert engine.replay(withdrawn.events) == withdrawn


def test_one_owner_commitment_step_is_the_step_that_decides_on_the_spot(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """Matter.commitment_step names the step the engine decides on the spot (and whose
    people check later); the check refuses a commitment whose decision waits for a
    second deciding step, which no decision on the spot could pass."""
    step = catalogue.matters[MATTER].commitment_step
    assert step is not None
    assert step.id == "approve"
    assert catalogue.matters["company_registration"].commitment_step is None
    folder = _variant(
        tmp_path, MATTER,
        "    after: [accept]\n    send_back_to: [accept]\n    decides: true",
        "    after: [accept]\n    send_back_to: [accept]\n    decides: true\n\n"
        "  - id: confirm\n    name: 复核\n    kind: decide\n    signers: [luo_jie]\n"
        "    after: [accept]\n    decides: true",
    )  # fmt: skip
    issues = [i for i in _issues(folder) if i.code == "commitment-not-on-the-spot"]
    assert len(issues) == 1
    assert "'approve' cannot decide on the spot: the decision also waits for 'confirm'" in (
        issues[0].message
    )


def test_one_owner_intake_missing_lists_problems_and_tolerated_gaps(engine: Engine) -> None:
    """Intake.missing is the text of what is missing; the on-the-spot decision refuses
    with exactly that list."""
    case = engine.submit(MATTER, APPLICANT, {"application_form": "paper"},
                         at=t("2025-12-01 09:05"), actor="li_si", commitment=True)  # fmt: skip
    assert case.intake.missing == tuple(p.message for p in case.intake.problems)
    assert len(case.intake.missing) == 1
    assert "operator_identity" in case.intake.missing[0]
    with pytest.raises(ActionNotAllowed) as err:
        engine.act(case, "accept_on_commitment", at=t("2025-12-01 09:10"), actor=DECIDER)
    assert err.value.reason.endswith("the materials are not complete: " + case.intake.missing[0])
    assert submitted(engine).intake.missing == ()


def test_commitment_refusals_name_the_commitment_procedure_alike(engine: Engine) -> None:
    """Every refusal about the procedure itself says "the commitment procedure
    (告知承诺制)" in the same words."""
    at = t("2025-12-01 09:10")
    normal = engine.submit(MATTER, APPLICANT, MATERIALS, at=t("2025-12-01 09:05"), actor="li_si")
    reasons = []
    for case, action, more in (
        (normal, "accept_on_commitment", {}),
        (submitted(engine), "record_check", {"finding": "consistent"}),
    ):
        with pytest.raises(ActionNotAllowed) as err:
            engine.act(case, action, at=at, actor=DECIDER, **more)
        reasons.append(err.value.reason)
    with pytest.raises(ActionNotAllowed) as err:
        engine.submit("company_registration", {}, {}, at=at, actor="a", commitment=True)
    reasons.append(err.value.reason)
    assert all("the commitment procedure (告知承诺制)" in r for r in reasons), reasons
