"""The HTML supervision report as a supervisor sees it, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import Browser, pdf_text
from click.testing import CliRunner
from supervision_cases import ROOT, construction, planning

from approval_rules.cli import main
from approval_rules.engine import Engine
from approval_rules.loader import load_catalogue
from approval_rules.workdays import WorkCalendar


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    engine = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())
    reviewed = {"section_review": "2025-09-26 10:00", "deputy_review": "2025-09-28 10:00",
                "head_approval": "2025-09-29 10:00", "pay": "2025-09-29 11:00"}  # fmt: skip
    folder = tmp_path_factory.mktemp("cases")
    made = [
        construction(engine, {**reviewed, "certificate": "2025-09-30 10:00",
                              "deliver": "2025-09-30 11:00", "close": "2025-09-30 12:00"}, "SG-1"),
        construction(engine, {**reviewed, "certificate": "2025-10-14 10:00",
                              "deliver": "2025-10-14 11:00", "close": "2025-10-14 12:00"}, "SG-2"),
        planning(engine, "2025-09-26 10:00", "GH-1"),
    ]  # fmt: skip
    for case in made:
        (folder / f"{case.id}.json").write_text(case.to_json(), encoding="utf-8")
    out = folder / "report.html"
    result = CliRunner().invoke(
        main,
        ["report", str(folder), "--from", "2025-09-01", "--to", "2025-10-31",
         "--catalogue", str(ROOT / "matters"), "--format", "html", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.requires("chromium")
def test_the_report_renders_offline(page: Path) -> None:
    """Chinese page, no request leaves the machine, no console error; the table, both
    charts and the alert list are there in the rendered text."""
    with Browser() as browser:
        seen = browser.open(page)
    assert seen.lang == "zh-CN"
    assert seen.network_requests == []
    assert seen.console_errors == []
    assert seen.headings == [
        "政务服务绩效与电子监察报告 2025-09-01 至 2025-10-31",
        "一、绩效指标",
        "二、各组办结率",
        "三、办理用时分布",
        "四、在期预警与异常",
    ]
    text = seen.text
    assert "当阳市住房和城乡建设局（dy_zjj）" in text
    assert "50.0%" in text  # dy_zjj's on-time rate, 1 of 2
    assert "超过承诺时限" in text  # GH-1's red card in the alert list


@pytest.mark.requires("chromium")
def test_the_charts_are_drawn(page: Path, tmp_path: Path) -> None:
    """The bars have the widths of the rates: 1 of 2 on time is half the full bar."""
    with Browser() as browser:
        widths = browser.evaluate(
            page,
            "() => Array.from(document.querySelectorAll('figure svg')[0]"
            ".querySelectorAll('rect[width]')).map(r => [r.getAttribute('fill'),"
            " r.getBBox().width])",
        )
        bars = browser.evaluate(
            page,
            "() => document.querySelectorAll('figure svg')[1].querySelectorAll('rect').length",
        )
    # on time (green): dy_zjj 1 of 2 → half of the 560-pixel bar; dy_zrzy concluded
    # nothing (its rate is —, an empty bar); the legend's squares are 12 pixels wide
    green = [w for fill, w in widths if fill == "#27ae60" and w != 12]
    assert green == [280.0, 0.0]
    assert bars == 2  # two values of E: 3 (SG-1) and 8 (SG-2)


@pytest.mark.requires("chromium", "poppler", "cjk-fonts")
def test_the_report_prints(page: Path, tmp_path: Path) -> None:
    """Printed to A4, the Chinese text is in the PDF."""
    with Browser() as browser:
        pdf = browser.print_pdf(page, tmp_path / "report.pdf")
    text = pdf_text(pdf)
    assert "绩效指标" in text
    assert "按时办结率" in text
