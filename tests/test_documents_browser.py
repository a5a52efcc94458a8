"""Every official document of the bundled scenarios, opened in headless Chromium and printed.

Each page renders with no console error and no network request, is Chinese
(``lang="zh-CN"``), shows its title, the case and the day of its step; printed by the
library's own path (the system Chromium's ``--print-to-pdf``), its PDF has ink on every
page and its Chinese text extracts (``pdftotext``, CJK fonts installed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, PageVisit, ink, pdf_pages, pdf_text, pdf_to_images

from approval_rules import load_catalogue
from approval_rules.documents import Document, case_documents, print_pdf, write_documents
from approval_rules.engine import Engine
from approval_rules.scenario import load_scenario, run_scenario
from approval_rules.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "matters")
ENGINE = Engine(CATALOGUE, WorkCalendar.china())


def _documents() -> list[Document]:
    found: list[Document] = []
    for path in sorted((ROOT / "matters" / "scenarios").glob("*.yaml")):
        case = run_scenario(load_scenario(path), ENGINE).case
        assert case is not None
        found.extend(case_documents(case, CATALOGUE))
    return found


DOCUMENTS = {f"{d.case_id}/{d.name}": d for d in _documents()}
#: One document of each kind is printed (printing every one would take a minute).
PRINTED = sorted({d.kind: key for key, d in DOCUMENTS.items()}.values())

pytestmark = pytest.mark.requires("chromium", "cjk-fonts", "poppler")


def _cn(day: object) -> str:
    y, m, d = str(day).split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("documents")
    by_case: dict[str, list[Document]] = {}
    for document in DOCUMENTS.values():
        by_case.setdefault(document.case_id, []).append(document)
    for case_id, documents in by_case.items():
        write_documents(documents, out / case_id)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as opened:
        yield opened


@pytest.fixture(scope="module")
def visits(folder: Path, browser: Browser) -> dict[str, PageVisit]:
    return {key: browser.open(folder / f"{key}.html") for key in DOCUMENTS}


@pytest.mark.parametrize("key", sorted(DOCUMENTS))
def test_document_renders_in_chinese_without_errors_or_network(
    visits: dict[str, PageVisit], key: str
) -> None:
    document, seen = DOCUMENTS[key], visits[key]
    assert seen.lang == "zh-CN"
    assert seen.headings == [document.title]
    assert seen.console_errors == []
    assert seen.network_requests == []
    assert seen.refused == []
    assert seen.requests == [seen.url]
    assert document.number in seen.text
    assert _cn(document.issued) in seen.text
    assert CATALOGUE.matters[document.case.matter_id].name in seen.text


@pytest.mark.parametrize("key", PRINTED)
def test_document_prints_to_a_pdf_with_extractable_chinese(
    folder: Path, tmp_path: Path, key: str
) -> None:
    document = DOCUMENTS[key]
    pdf = print_pdf(folder / f"{key}.html", tmp_path / "document.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    images = pdf_to_images(pdf, tmp_path / "pages")
    assert len(images) == pdf_pages(pdf) >= 1
    for image in images:
        assert ink(image) > 0.002, image.name
    compact = "".join(pdf_text(pdf).split())
    assert document.title in compact
    assert document.number in compact
    assert _cn(document.issued) in compact
    assert "跳到正文" not in compact  # the print stylesheet hides the skip link


def test_run_prints_the_documents_of_a_scenario(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from approval_rules.cli import main

    scenario = ROOT / "matters" / "scenarios" / "company_registration_refusal.yaml"
    result = CliRunner().invoke(
        main,
        ["run", str(scenario), "--catalogue", str(ROOT / "matters"),
         "--documents", str(tmp_path), "--pdf"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pdfs = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert pdfs == ["02-acceptance_notice.pdf", "03-refusal_decision.pdf"]
    text = "".join(pdf_text(tmp_path / "03-refusal_decision.pdf").split())
    assert "不予行政许可决定书" in text
    assert "行政复议" in text
