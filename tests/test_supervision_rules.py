"""Supervision rules as data: the document, its checks with positions, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from approval_rules.errors import DefinitionError
from approval_rules.loader import Catalogue, load_catalogue
from approval_rules.supervision import load_supervision, parse_supervision
from approval_rules.supervision.rules import Level, Trigger
from approval_rules.supervision.ruleset import fire_offset

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "matters" / "supervision.yaml"

BASE = """\
kind: supervision
id: test
name: 测试规则
version: "1"
levels:
  prompt: {name: 提示, notify: [signer], notice: urge}
  yellow: {name: 黄牌, notify: [signer, department_head], notice: urge}
  red: {name: 红牌, notify: [supervision_office], notice: order}
offices:
  supervision_office: {id: office, name: 监察室}
rules:
  - {id: statutory_breach, name: 超过法定时限, scope: case, basis: statutory,
     when: {overdue_wd: 0}, level: red}
"""


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "matters")


def issues_of(text: str, catalogue: Catalogue | None = None) -> list[str]:
    _, issues = parse_supervision(text, file="s.yaml", catalogue=catalogue)
    return [str(i) for i in issues]


def test_the_default_rule_set_loads_clean_against_the_bundled_catalogue(
    catalogue: Catalogue,
) -> None:
    """The shipped default has no error and no warning on the bundled matters."""
    rules, issues = parse_supervision(DEFAULT, catalogue=catalogue)
    assert issues == []
    assert rules is not None
    ids = [r.id for r in rules.document.rules]
    assert ids == [
        "step_prompt", "step_overdue", "case_prompt", "case_yellow", "case_red",
        "statutory_breach",
    ]  # fmt: skip
    # the design default of supervision.md §2
    by_id = {r.id: r for r in rules.document.rules}
    assert by_id["case_prompt"].when.remaining_wd == 1
    assert (by_id["case_yellow"].when.used_percent, by_id["case_yellow"].when.remaining_wd) == (
        90,
        0,
    )
    assert by_id["case_red"].when.overdue_wd == 3
    assert by_id["statutory_breach"].level is Level.RED


def test_the_immediate_matter_has_no_step_rules(catalogue: Catalogue) -> None:
    """A per-matter override switches rules off for the matters it names only."""
    rules = load_supervision(DEFAULT, catalogue=catalogue)
    assert "step_prompt" in [r.id for r in rules.rules_for("construction_permit")]
    assert [r.id for r in rules.rules_for("individual_business_registration")] == [
        "case_prompt", "case_yellow", "case_red", "statutory_breach",
    ]  # fmt: skip


def test_a_minimal_document_loads() -> None:
    """Levels, offices and one statutory-breach rule are enough."""
    rules = load_supervision(BASE)
    assert rules.document.reporting.bad_review_wd == 15
    assert rules.fingerprint.startswith("sha256:")


def test_unknown_key_is_reported_with_position_and_suggestion() -> None:
    text = BASE.replace("  - {id: statutory_breach", "  - {idd: x, id: statutory_breach")
    found = issues_of(text)
    assert found == [
        "s.yaml:12:6: error[unknown-key]: rules[0]: unknown key 'idd'; did you mean 'id'?"
    ]


def test_a_step_rule_needs_the_step_basis() -> None:
    """scope and basis go together: a step is measured against its own limit."""
    text = BASE + (
        "  - {id: p, name: 提示, scope: step, basis: promised, when: {remaining_wd: 1},"
        " level: prompt}\n"
    )
    (found,) = issues_of(text)
    assert found.startswith("s.yaml:14:5: error[invalid-combination]: rules[1]: scope step goes")


def test_overdue_cannot_be_mixed_with_a_warning_before_the_due_date() -> None:
    text = BASE + (
        "  - {id: y, name: 黄牌, scope: case, basis: promised,"
        " when: {used_percent: 90, overdue_wd: 1}, level: yellow}\n"
    )
    (found,) = issues_of(text)
    assert "error[invalid-combination]: rules[1].when: overdue_wd cannot be combined" in found


def test_a_statutory_breach_is_always_red() -> None:
    text = BASE.replace(
        "when: {overdue_wd: 0}, level: red}", "when: {overdue_wd: 0}, level: yellow}"
    )
    found = issues_of(text)
    assert found == [
        "s.yaml:12:3: error[no-statutory-breach-rule]: no rule is red on a breach of the "
        "statutory limit (past the statutory limit and an approved extension); add: {id: "
        "statutory_breach, name: 超过法定时限, scope: case, basis: statutory, when: "
        "{overdue_wd: 0}, level: red}",
        "s.yaml:13:36: error[statutory-breach-not-red]: rule 'statutory_breach' watches a "
        "breach of the statutory limit, which is always red (got level yellow); write level: red",
    ]


def test_an_override_cannot_lower_the_statutory_breach(catalogue: Catalogue) -> None:
    text = BASE + (
        "overrides:\n  - matters: [construction_permit]\n"
        "    rules: [{id: statutory_breach, level: yellow}]\n"
    )
    found = issues_of(text, catalogue)
    assert any(
        f.startswith("s.yaml:16:43: error[statutory-breach-not-red]: the override makes rule")
        for f in found
    ), found


def test_overrides_name_known_matters_and_rules(catalogue: Catalogue) -> None:
    text = BASE + (
        "overrides:\n  - matters: [construction_permt]\n    disable: [statutory_brech]\n"
    )
    assert issues_of(text, catalogue) == [
        "s.yaml:15:15: error[unknown-matter]: matter 'construction_permt' is not in the "
        "catalogue; did you mean 'construction_permit' (declared in "
        "matters/construction_permit.yaml)?",
        "s.yaml:16:15: error[unknown-rule]: rule 'statutory_brech' is not declared in this "
        "document; did you mean 'statutory_breach'?",
    ]


def test_duplicate_rule_ids() -> None:
    text = BASE + (
        "anomalies:\n  - {id: statutory_breach, name: 先批后录, check: decision_before_record,"
        " level: red}\n"
    )
    (found,) = issues_of(text)
    assert found == (
        "s.yaml:15:10: error[duplicate-id]: rule id 'statutory_breach' is declared twice "
        "(first at s.yaml:12:10); give each rule its own id"
    )


def test_the_department_head_role_must_exist(catalogue: Catalogue) -> None:
    text = BASE.replace("offices:\n", "offices:\n  department_head_role: office_haed\n")
    assert issues_of(text, catalogue) == [
        "s.yaml:10:25: error[unknown-role]: role 'office_haed' is not declared in the "
        "catalogue; did you mean 'office_head' (declared under roles: in a file of kind "
        "definitions)?"
    ]


def test_a_prompt_longer_than_a_step_is_reported(catalogue: Catalogue) -> None:
    """'prompt at 5 working days remaining' on a shorter step fires at once: a warning."""
    text = BASE + (
        "  - {id: p, name: 提示, scope: step, basis: step_limit, when: {remaining_wd: 5},"
        " level: prompt}\n"
    )
    rules, issues = parse_supervision(text, file="s.yaml", catalogue=catalogue)
    assert rules is not None  # warnings only
    found = [str(i) for i in issues if "construction_permit" in i.message]
    # construction_permit's section_review has 1 working day, notify_and_fee 1
    assert found == [
        "s.yaml:14:76: warning[threshold-infeasible]: rule 'p' fires when 5 working day(s) "
        "or fewer remain, but step 'notify_and_fee' of matter 'construction_permit' is only 1 "
        "working day(s): it fires as soon as the period starts; use remaining_wd: 1 or less "
        "for this matter (overrides), or used_percent",
        "s.yaml:14:76: warning[threshold-infeasible]: rule 'p' fires when 5 working day(s) "
        "or fewer remain, but step 'section_review' of matter 'construction_permit' is only 1 "
        "working day(s): it fires as soon as the period starts; use remaining_wd: 1 or less "
        "for this matter (overrides), or used_percent",
    ]


def test_levels_out_of_order_are_reported(catalogue: Catalogue) -> None:
    """Yellow at 50 % used comes before a prompt at 1 working day remaining."""
    text = BASE + (
        "  - {id: p, name: 提示, scope: case, basis: promised, when: {remaining_wd: 1},"
        " level: prompt}\n"
        "  - {id: y, name: 黄牌, scope: case, basis: promised, when: {used_percent: 50},"
        " level: yellow}\n"
    )
    _, issues = parse_supervision(text, file="s.yaml", catalogue=catalogue)
    found = [str(i) for i in issues if "'planning_permit'" in i.message]
    assert found == [
        "s.yaml:15:59: warning[levels-out-of-order]: on the promised limit of matter "
        "'planning_permit', rule 'y' (yellow) fires before rule 'p' (prompt); make each level "
        "fire no earlier than the level below it"
    ]


def test_an_override_that_fixes_the_order_silences_it(catalogue: Catalogue) -> None:
    text = BASE + (
        "  - {id: p, name: 提示, scope: case, basis: promised, when: {remaining_wd: 1},"
        " level: prompt}\n"
        "  - {id: y, name: 黄牌, scope: case, basis: promised, when: {used_percent: 50},"
        " level: yellow}\n"
        "overrides:\n  - matters: [planning_permit]\n"
        "    rules: [{id: y, when: {remaining_wd: 0}}]\n"
    )
    _, issues = parse_supervision(text, file="s.yaml", catalogue=catalogue)
    assert not [i for i in issues if "'planning_permit'" in i.message]
    rules = load_supervision(text, catalogue=catalogue)
    (y,) = [r for r in rules.rules_for("planning_permit") if r.id == "y"]
    assert y.when.remaining_wd == 0
    assert y.when.used_percent is None


def test_load_raises_every_problem() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_supervision(BASE.replace("kind: supervision", "kind: supervison"))
    assert "error[bad-choice]" in str(caught.value)


@pytest.mark.parametrize(
    ("trigger", "limit", "offset"),
    [
        ({"remaining_wd": 1}, 20, -1),
        ({"used_percent": 90}, 20, -2),  # ⌈18⌉ used: 2 left
        ({"used_percent": 70}, 10, -3),  # exact arithmetic: 7 used, not ⌈7.000000000000001⌉
        ({"used_percent": 90, "remaining_wd": 0}, 5, 0),  # ⌈4.5⌉ = 5 used: the due day
        ({"remaining_wd": 5}, 3, -3),  # never before the start
        ({"overdue_wd": 3}, 20, 3.5),
    ],
)
def test_fire_offsets(trigger: dict[str, int], limit: int, offset: float) -> None:
    """Where each trigger fires relative to the due date, in working days."""
    assert fire_offset(Trigger.model_validate(trigger), limit) == offset


def test_check_reports_supervision_files(tmp_path: Path) -> None:
    """`approval-rules check` checks supervision documents next to the matters."""
    from click.testing import CliRunner

    from approval_rules.cli import main

    for file in (ROOT / "matters").glob("*.yaml"):
        if file.name != "supervision.yaml":
            (tmp_path / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    text = DEFAULT.read_text(encoding="utf-8").replace("level: red\n", "level: rd\n", 1)
    (tmp_path / "supervision.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "supervision.yaml:" in result.output
    assert "error[bad-choice]" in result.output
