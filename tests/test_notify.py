"""Notification rules: the bundled document, the static checks with positions, the intents.

The intents are computed for a bundled scenario played on a copy of the catalogue whose
construction permit declares the applicant's mobile number (``phone``), as a county
would declare it; the bundled matters do not ask for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from approval_rules import load_catalogue
from approval_rules.catalogue import Catalogue
from approval_rules.engine import Case, Engine
from approval_rules.errors import CaseDataError, DefinitionError
from approval_rules.notify import (
    load_notifications,
    notification_intents,
    parse_notifications,
)
from approval_rules.notify.check import longest_message, segments
from approval_rules.scenario import load_scenario, run_scenario
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
BUNDLED = ROOT / "matters" / "notifications.yaml"

HEAD = "kind: notifications\nid: t\nname: 测试\n"


def _issues(text: str, catalogue: Catalogue | None = CATALOGUE) -> list[str]:
    return [str(i) for i in parse_notifications(text, file="n.yaml", catalogue=catalogue)[1]]


def test_the_bundled_rules_are_clean_and_fit_one_sms() -> None:
    rules = load_notifications(BUNDLED, catalogue=CATALOGUE)
    assert rules.issues == ()
    for rule in rules.document.rules:
        assert longest_message(rule.template, rules.max_lengths) <= 70, rule.id


def test_segments_of_a_chinese_message() -> None:
    assert [segments(n) for n in (1, 70, 71, 134, 135)] == [1, 1, 2, 2, 3]


def test_a_long_template_is_reported_as_split_with_its_position() -> None:
    text = HEAD + (
        "rules:\n"
        "  - id: long\n"
        "    on: [accept]\n"
        "    to: [applicant]\n"
        '    template: "【{department}】您申请的{matter}已于{accepted_on}受理，'
        '承诺{promised_due}前办结，法定{statutory_due}前作出决定。办件号{case_id}"\n'
    )
    issues = _issues(text)
    assert len(issues) == 1
    assert issues[0].startswith("n.yaml:8:15: warning[sms-split]: rules[0].template:")
    assert "sent as 2 segments" in issues[0]
    # lowering the placeholders' maximum lengths is the way out the hint names
    shorter = text.replace("rules:", "max_lengths: {matter: 8, case_id: 19, department: 4}\nrules:")
    assert "sms-split" in "".join(_issues(shorter))
    assert parse_notifications(text, catalogue=CATALOGUE)[0] is not None  # a warning only


def test_an_unknown_placeholder_is_an_error_with_a_hint() -> None:
    text = HEAD + (
        "rules:\n  - {id: a, on: [accept], to: [applicant], template: '您的{matter_name}已受理'}\n"
    )
    issues = _issues(text)
    assert issues == [
        "n.yaml:5:54: error[unknown-placeholder]: rules[0].template: there is no "
        "placeholder {matter_name}; did you mean 'matter'?"
    ]
    with pytest.raises(DefinitionError):
        load_notifications(text, catalogue=CATALOGUE)


def test_unbalanced_braces_unknown_events_and_max_lengths() -> None:
    text = HEAD + (
        "max_lengths: {mater: 10}\n"
        "rules:\n"
        "  - {id: a, on: [acept], to: [applicant], template: '您的{matter已受理'}\n"
    )
    codes = sorted(i.split("[")[1].split("]")[0] for i in _issues(text))
    assert codes == ["bad-template", "unknown-event", "unknown-placeholder"]


def test_checks_against_the_catalogue() -> None:
    text = HEAD + (
        "department_head_role: office_hed\n"
        "rules:\n"
        "  - {id: a, on: [extend], to: [department_head], matters: [construction_permt],\n"
        "     template: '{case_id}已延期'}\n"
        "  - {id: a, on: [extend], to: [signer], template: '{case_id}已延期'}\n"
    )
    issues = _issues(text)
    assert any("error[unknown-role]" in i and "office_head" in i for i in issues)
    assert any("error[unknown-matter]" in i and "construction_permit" in i for i in issues)
    assert any("error[duplicate-id]" in i for i in issues)
    no_role = HEAD + "rules:\n  - {id: a, on: [extend], to: [department_head], template: x}\n"
    assert any("department-head-role-required" in i for i in _issues(no_role))


def test_approval_rules_check_reads_notification_files(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from approval_rules.cli import main

    shutil.copytree(ROOT / "matters", tmp_path / "matters")
    (tmp_path / "matters" / "notifications.yaml").write_text(
        HEAD + "rules:\n  - {id: a, on: [accept], to: [applicant], template: '{nope}'}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path / "matters")])
    assert result.exit_code == 1
    assert "error[unknown-placeholder]" in result.stdout


# --------------------------------------------------------------------------- intents


@pytest.fixture(scope="module")
def with_phone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalogue, Case]:
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
    case = run_scenario(load_scenario(scenario), Engine(catalogue, WorkCalendar.china())).case
    assert case is not None
    return catalogue, case


def test_intents_follow_the_rules_for_each_event(with_phone: tuple[Catalogue, Case]) -> None:
    catalogue, case = with_phone
    rules = load_notifications(BUNDLED, catalogue=catalogue)
    intents = notification_intents(rules, None, case, catalogue)
    to_applicant = [i for i in intents if i.role == "applicant"]
    assert [(i.seq, i.rule) for i in to_applicant] == [(2, "correction_requested"), (5, "accepted")]
    assert {i.address for i in to_applicant} == {"13800000000"}
    assert "需补正7项" in to_applicant[0].text
    # the promised due date the scenario checks, written out
    assert "承诺2025年10月15日前办结" in to_applicant[1].text
    staff = [i for i in intents if i.rule == "new_work"]
    assert staff
    assert {i.role for i in staff} == {"signer", "backup"}
    assert all("科室审核" in i.text for i in staff)
    for intent in intents:
        assert intent.key == f"{case.id}:{intent.seq}:{intent.rule}:{intent.recipient}"
        assert intent.segments == 1
        assert len(intent.text) <= 70
    assert len({i.key for i in intents}) == len(intents)


def test_intents_are_pure_and_cover_only_the_new_events(with_phone: tuple[Catalogue, Case]) -> None:
    catalogue, case = with_phone
    rules = load_notifications(BUNDLED, catalogue=catalogue)
    whole = notification_intents(rules, None, case, catalogue)
    assert notification_intents(rules, None, case, catalogue) == whole
    engine = Engine(catalogue, WorkCalendar.china())
    before = engine.replay(case.events[:4])
    later = notification_intents(rules, before, case, catalogue)
    assert later == tuple(i for i in whole if i.seq > 4)
    assert notification_intents(rules, case, case, catalogue) == ()


def test_the_applicant_without_a_phone_is_not_texted() -> None:
    rules = load_notifications(BUNDLED, catalogue=CATALOGUE)
    scenario = ROOT / "matters" / "scenarios" / "construction_permit_correction_notice.yaml"
    case = run_scenario(load_scenario(scenario), Engine(CATALOGUE, WorkCalendar.china())).case
    assert case is not None
    intents = notification_intents(rules, None, case, CATALOGUE)
    assert intents
    assert all(i.role != "applicant" for i in intents)


def test_a_long_value_is_cut_to_its_declared_length(with_phone: tuple[Catalogue, Case]) -> None:
    catalogue, case = with_phone
    text = HEAD + (
        "max_lengths: {matter: 5}\n"
        "rules:\n  - {id: a, on: [accept], to: [applicant], template: '{matter}已受理'}\n"
    )
    rules = load_notifications(text, catalogue=catalogue)
    (intent,) = notification_intents(rules, None, case, catalogue)
    assert intent.text == "建筑工程…已受理"


def test_intents_of_any_prefix_are_the_rest_of_the_whole(
    with_phone: tuple[Catalogue, Case],
) -> None:
    """Acting in steps or at once gives the same messages: for every bundled case and
    every point of its log, the intents after it are those of the whole log after it."""
    catalogue, phoned = with_phone
    engine = Engine(catalogue, WorkCalendar.china())
    rules = load_notifications(BUNDLED, catalogue=catalogue)
    cases = [phoned]
    for path in sorted((ROOT / "matters" / "scenarios").glob("*.yaml")):
        case = run_scenario(load_scenario(path), engine).case
        assert case is not None
        cases.append(case)
    total = 0
    for case in cases:
        whole = notification_intents(rules, None, case, catalogue)
        total += len(whole)
        assert len({i.key for i in whole}) == len(whole)
        for k in range(1, case.version + 1):
            before = engine.replay(case.events[:k])
            assert notification_intents(rules, before, case, catalogue) == tuple(
                i for i in whole if i.seq > k
            ), (case.id, k)
    assert total > 100


def test_after_must_continue_before(with_phone: tuple[Catalogue, Case]) -> None:
    catalogue, case = with_phone
    rules = load_notifications(BUNDLED, catalogue=catalogue)
    scenario = ROOT / "matters" / "scenarios" / "construction_permit_happy_path.yaml"
    other = run_scenario(load_scenario(scenario), Engine(catalogue, WorkCalendar.china())).case
    assert other is not None
    with pytest.raises(CaseDataError, match="does not continue"):
        notification_intents(rules, other, case, catalogue)
    earlier = Engine(catalogue, WorkCalendar.china()).replay(case.events[:3])
    with pytest.raises(CaseDataError, match="does not continue"):
        notification_intents(rules, case, earlier, catalogue)


# --------------------------------------------------------------------------- 告知承诺制


@pytest.fixture(scope="module")
def on_commitment(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalogue, Case]:
    """The bundled revoked-commitment scenario, with the applicant's mobile declared."""
    folder = tmp_path_factory.mktemp("commitment") / "matters"
    shutil.copytree(ROOT / "matters", folder)
    matter = folder / "individual_business_registration.yaml"
    matter.write_text(
        matter.read_text(encoding="utf-8").replace(
            "applicant_fields:\n",
            "applicant_fields:\n  - {id: phone, name: 联系手机, type: text}\n",
            1,
        ),
        encoding="utf-8",
    )
    scenario = folder / "scenarios" / "individual_business_registration_commitment_revoked.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace(
            "  applicant: {", "  applicant: {phone: '13900000000', ", 1
        ),
        encoding="utf-8",
    )
    catalogue = load_catalogue(folder)
    case = run_scenario(load_scenario(scenario), Engine(catalogue, WorkCalendar.china())).case
    assert case is not None
    assert case.status.value == "revoked"
    return catalogue, case


def test_the_applicant_is_texted_on_approval_on_commitment_and_on_revocation(
    on_commitment: tuple[Catalogue, Case],
) -> None:
    catalogue, case = on_commitment
    rules = load_notifications(BUNDLED, catalogue=catalogue)
    to_applicant = [
        i for i in notification_intents(rules, None, case, catalogue) if i.role == "applicant"
    ]
    assert [(i.seq, i.rule) for i in to_applicant] == [
        (2, "approved_on_commitment"),
        (6, "revoked"),
    ]
    assert {i.address for i in to_applicant} == {"13900000000"}
    assert "个体工商户设立登记已按告知承诺当场准予" in to_applicant[0].text
    assert "承诺不实" in to_applicant[1].text
    assert "已撤销" in to_applicant[1].text
    assert all(i.segments == 1 for i in to_applicant)


def test_a_consistent_check_sends_no_revocation_text(
    on_commitment: tuple[Catalogue, Case],
) -> None:
    from datetime import datetime, timedelta, timezone

    catalogue, case = on_commitment
    engine = Engine(catalogue, WorkCalendar.china())
    closed = engine.replay(case.events[:5])
    at = datetime(2026, 1, 20, 10, tzinfo=timezone(timedelta(hours=8)))
    checked = engine.act(closed, "record_check", at=at, actor="hu_xiaoyan", finding="consistent")
    rules = load_notifications(BUNDLED, catalogue=catalogue)
    assert notification_intents(rules, closed, checked, catalogue) == ()


def test_a_rule_status_outside_the_engine_statuses_is_refused() -> None:
    text = HEAD + (
        "rules:\n  - {id: a, on: [record_check], status: [cancelled], to: [applicant],"
        " template: '{matter}'}\n"
    )
    bad = [i for i in _issues(text) if "error[bad-choice]" in i]
    assert len(bad) == 1
    assert bad[0].startswith("n.yaml:5:42:")
    assert "status" in bad[0]
    assert "revoked" in bad[0]
