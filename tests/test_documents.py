"""Official documents (文书) of the bundled scenarios: which ones, what they say, their dates.

The expected dates are the ones the scenario files themselves check (the engine's), or
read from the case's records; they are written out here in the applicant's way
(``2025年10月9日``) apart from the library, and every date on every page must be one
the case holds at some point of its log: no template computes a date.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from approval_rules import load_catalogue
from approval_rules.cli import main
from approval_rules.documents import (
    KINDS,
    Document,
    case_documents,
    render_documents,
    write_documents,
)
from approval_rules.engine import Case, Engine, apply_event
from approval_rules.publication import PublicationError
from approval_rules.scenario import load_scenario, run_scenario
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "matters" / "scenarios"
CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())


def _case(name: str) -> Case:
    case = run_scenario(load_scenario(SCENARIOS / f"{name}.yaml"), ENGINE).case
    assert case is not None
    return case


CASES = {path.stem: _case(path.stem) for path in sorted(SCENARIOS.glob("*.yaml"))}


def _documents(name: str) -> dict[str, tuple[Document, str]]:
    documents = case_documents(CASES[name], CATALOGUE)
    pages = render_documents(documents)
    return {d.kind: (d, pages[f"{d.name}.html"]) for d in documents}


def _text(page: str) -> str:
    """The page's words without tags and blanks (what a reader sees, roughly)."""
    return "".join(re.sub(r"<[^>]+>", "", page).split())


def _cn(day: str) -> str:
    y, m, d = (int(x) for x in day.split("-"))
    return f"{y}年{m}月{d}日"


EXPECTED_KINDS = {
    "company_registration_happy_path": ["acceptance_notice", "approval_decision"],
    "company_registration_refusal": ["acceptance_notice", "refusal_decision"],
    "construction_permit_correction_notice": ["correction_notice", "acceptance_notice"],
    "planning_permit_deemed_acceptance_extension": [
        "acceptance_notice",
        "extension_notice",
        "approval_decision",
    ],
    "planning_permit_hearing_clock_stop": [
        "acceptance_notice",
        "special_procedure_notice",
        "special_procedure_end_notice",
        "approval_decision",
    ],
    "temporary_road_occupation_gap_expires": ["acceptance_notice", "termination_notice"],
    "individual_business_registration_commitment_revoked": [
        "commitment_notice",
        "approval_decision",
        "revocation_decision",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_KINDS))
def test_each_legal_step_gives_its_document_in_order(name: str) -> None:
    documents = case_documents(CASES[name], CATALOGUE)
    assert [d.kind for d in documents] == EXPECTED_KINDS[name]
    assert [d.seq for d in documents] == sorted(d.seq for d in documents)
    for document in documents:
        assert document.title == KINDS[document.kind]
        assert document.number == f"{document.case_id}-{document.seq:02d}"
        event = CASES[name].events[document.seq - 1]
        assert document.issued == event.moment.date()


def test_correction_notice_lists_every_item_at_once() -> None:
    document, page = _documents("construction_permit_correction_notice")["correction_notice"]
    text = _text(page)
    assert "申请材料补正一次性告知书" in text
    notice = document.case.intake.notice
    assert notice is not None
    assert len(notice.items) == 7
    assert page.count("<li>") == 7
    matter = CATALOGUE.matters["construction_permit"]
    names = {m.id: m.name for m in matter.materials}
    for missing in ("drawing_review_certificate", "demolition_progress", "wage_deposit"):
        assert f"未提交《{names[missing]}》" in text
    assert "申请表未加盖建设单位公章" in text  # the officer's own item, verbatim
    assert "单个文件不超过90KB" in text  # the rule the too-large file broke
    assert "2025年9月29日" in text  # the day of the notice
    assert "不予受理" in text  # what happens otherwise
    assert "is missing" not in text  # the engine's English log messages stay out


def test_acceptance_notice_shows_the_engine_due_dates() -> None:
    _, page = _documents("construction_permit_correction_notice")["acceptance_notice"]
    text = _text(page)
    # the scenario file checks these: accepted the day the corrections arrived
    assert f"受理日期：{_cn('2025-10-09')}" in text
    assert _cn("2025-10-17") in text
    assert _cn("2025-10-15") in text


def test_deemed_acceptance_and_extension_keep_the_dates_of_their_day() -> None:
    found = _documents("planning_permit_deemed_acceptance_extension")
    _, accepted = found["acceptance_notice"]
    assert "即为受理" in _text(accepted)
    assert f"受理日期：{_cn('2025-09-26')}" in _text(accepted)
    extension, page = found["extension_notice"]
    text = _text(page)
    grant = extension.case.clock.extension
    assert grant is not None
    assert f"延长{grant.days}个工作日" in text
    assert grant.reason in text
    assert "谭志强" in text  # who approved it
    assert _cn("2025-11-13") in text  # the new statutory due date the scenario checks


def test_special_procedure_notices_name_the_procedure_and_the_period() -> None:
    found = _documents("planning_permit_hearing_clock_stop")
    _, start = found["special_procedure_notice"]
    assert "听证" in _text(start)
    assert _cn("2025-03-10") in _text(start)
    ended, end = found["special_procedure_end_notice"]
    stop = ended.case.clock.stops[-1]
    text = _text(end)
    assert f"{_cn(stop.start.isoformat())}至{_cn(stop.end.isoformat())}" in text
    assert _cn("2025-04-15") in text  # the statutory due date after the stop


def test_refusal_states_reasons_and_remedies() -> None:
    document, page = _documents("company_registration_refusal")["refusal_decision"]
    text = _text(page)
    decision = document.case.decision
    assert decision is not None
    assert decision.reasons
    for reason in decision.reasons:
        assert "".join(reason.split()) in text
    assert "60日内" in text
    assert "行政复议" in text
    assert "6个月内" in text
    assert "行政诉讼" in text


def test_commitment_notice_tells_conditions_replaced_materials_check_and_consequence() -> None:
    document, page = _documents("individual_business_registration_commitment_revoked")[
        "commitment_notice"
    ]
    text = _text(page)
    matter = CATALOGUE.matters["individual_business_registration"]
    assert matter.commitment is not None
    assert matter.commitment.text is not None
    assert document.seq == 1  # signed with the application
    for condition in matter.application_conditions:
        assert "".join(condition.split()) in text
    assert "《经营场所使用相关文件或经营场所申报承诺书》" in text  # the replaced material
    assert "作出准予许可决定之日起3个月内" in text  # check_within: 3 months
    assert "撤销准予许可决定" in text  # the consequence of a false commitment
    assert "信用记录" in text
    assert "".join(matter.commitment.text.split()) in text  # the matter's own wording
    assert "国办发〔2020〕42号" in text
    assert "按一般程序" in text  # the applicant may choose the normal procedure


def test_a_normal_application_has_no_commitment_notice() -> None:
    for name in ("individual_business_registration_same_day", "company_registration_happy_path"):
        kinds = [d.kind for d in case_documents(CASES[name], CATALOGUE)]
        assert "commitment_notice" not in kinds
        assert "revocation_decision" not in kinds


def test_revocation_decision_states_who_when_why_basis_and_remedies() -> None:
    document, page = _documents("individual_business_registration_commitment_revoked")[
        "revocation_decision"
    ]
    text = _text(page)
    ending = document.case.ending
    assert ending is not None
    assert "".join(ending.reason.split()) in text  # the check's opinion: the reasons
    assert f"撤销决定日期{_cn('2026-01-20')}" in text
    assert f"准予许可决定日期{_cn('2025-12-01')}" in text
    assert "胡晓燕" in text  # who revoked it
    assert "92420582MA4G000002" in text  # the licence revoked, by its number
    assert "行政许可法》第六十九条第二款" in text
    assert "60日内" in text
    assert "行政复议" in text
    assert "6个月内" in text
    assert "行政诉讼" in text


def test_a_consistent_check_gives_no_revocation_decision() -> None:
    scenario = load_scenario(SCENARIOS / "individual_business_registration_commitment_revoked.yaml")
    engine = Engine(CATALOGUE, WorkCalendar.china())
    case = run_scenario(scenario, engine).case
    assert case is not None
    # replay the same case up to the close, then record a consistent finding
    closed = case.events[:5]
    state = None
    for event in closed:
        state = apply_event(state, event)
    assert state is not None
    at = datetime(2026, 1, 20, 10, tzinfo=timezone(timedelta(hours=8)))
    checked = engine.act(state, "record_check", at=at, actor="hu_xiaoyan", finding="consistent")
    kinds = [d.kind for d in case_documents(checked, CATALOGUE)]
    assert kinds == ["commitment_notice", "approval_decision"]


def _days_of(case: Case) -> set[date]:
    """Every day the case holds at some point of its log."""
    days: set[date] = set()
    state: Case | None = None
    for event in case.events:
        state = apply_event(state, event)
        days.add(event.moment.date())
        days.add(state.intake.received.date())
        clock = state.clock
        for day in (
            clock.notice_due,
            clock.statutory_due,
            clock.promised_due,
            clock.certificate_due,
            state.accepted_on,
            state.intake.makeup_by,
            state.intake.corrected,
        ):
            if day is not None:
                days.add(day)
        for stop in clock.stops:
            days.update((stop.start, stop.end))
        if state.decision is not None:
            days.add(state.decision.on)
    return days


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_date_on_a_page_is_one_the_engine_recorded(name: str) -> None:
    days = _days_of(CASES[name])
    documents = case_documents(CASES[name], CATALOGUE)
    assert documents
    for page in render_documents(documents).values():
        shown = re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日", page)
        assert shown
        for y, m, d in shown:
            assert date(int(y), int(m), int(d)) in days, (name, y, m, d)


def test_a_county_replaces_a_template_without_code(tmp_path: Path) -> None:
    folder = tmp_path / "county" / "documents"
    folder.mkdir(parents=True)
    (folder / "acceptance_notice.html").write_text(
        '{% extends "documents/base.html" %}{% block body %}'
        "<p>本县受理：{{ facts.accepted_on }}，请于{{ facts.promised_due }}前领取。</p>"
        "{% endblock %}",
        encoding="utf-8",
    )
    documents = case_documents(CASES["construction_permit_happy_path"], CATALOGUE)
    pages = render_documents(documents, templates=tmp_path / "county")
    accepted = next(p for n, p in pages.items() if n.endswith("acceptance_notice.html"))
    assert "本县受理：2025年9月26日" in accepted
    decided = next(p for n, p in pages.items() if n.endswith("approval_decision.html"))
    assert "准予行政许可" in decided  # the bundled template where the county has none


def test_a_broken_county_template_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "acceptance_notice.html").write_text(
        '{% extends "documents/base.html" %}\n{% block body %}\n{{ facts.no_such }}\n'
        "{% endblock %}",
        encoding="utf-8",
    )
    documents = case_documents(CASES["construction_permit_happy_path"], CATALOGUE)
    with pytest.raises(PublicationError, match=r"acceptance_notice\.html:3"):
        render_documents(documents, templates=tmp_path)


def test_run_writes_the_documents_and_keeps_its_json(tmp_path: Path) -> None:
    scenario = SCENARIOS / "construction_permit_correction_notice.yaml"
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["run", str(scenario), "--catalogue", str(ROOT / "matters"), "--documents", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["case"]["id"] == "DY-ZJ-2025-0926-002"
    assert sorted(p.name for p in out.iterdir()) == [
        "02-correction_notice.html",
        "05-acceptance_notice.html",
    ]
    assert "已生成2份文书" in result.stderr


def test_run_writes_one_folder_per_case_for_several_scenarios(tmp_path: Path) -> None:
    scenarios = [
        str(SCENARIOS / "company_registration_refusal.yaml"),
        str(SCENARIOS / "company_registration_happy_path.yaml"),
    ]
    result = CliRunner().invoke(
        main,
        ["run", *scenarios, "--catalogue", str(ROOT / "matters"), "--documents", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "DY-SC-2025-1110-001",
        "DY-SC-2025-1110-002",
    ]


def test_pdf_without_documents_is_a_usage_error() -> None:
    scenario = SCENARIOS / "construction_permit_happy_path.yaml"
    result = CliRunner().invoke(
        main, ["run", str(scenario), "--catalogue", str(ROOT / "matters"), "--pdf"]
    )
    assert result.exit_code == 2
    assert "--documents" in result.output


def test_pdf_without_chromium_writes_nothing(tmp_path: Path) -> None:
    documents = case_documents(CASES["construction_permit_happy_path"], CATALOGUE)
    out = tmp_path / "out"
    with pytest.raises(PublicationError, match="needs Chromium"):
        write_documents(documents, out, pdf=True, chromium="no-such-chromium")
    assert not out.exists()
