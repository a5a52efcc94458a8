"""Every generated guide page, opened in headless Chromium as a person sees it, and printed.

Each page renders with no console error and no network request, is Chinese
(``lang="zh-CN"``), shows every declared material and the promised limit in its rendered
text, and prints to an A4 PDF whose pages rasterise (poppler's ``pdftoppm``) with ink on
them and whose Chinese text can be extracted (``pdftotext``, CJK fonts installed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, PageVisit, ink, pdf_pages, pdf_text, pdf_to_images

from approval_rules import load_catalogue
from approval_rules.model import Matter, TimeLimit
from approval_rules.publication import write_site

MATTERS = Path(__file__).resolve().parent.parent / "matters"
CATALOGUE = load_catalogue(MATTERS)
PAGES = ["index", *CATALOGUE.matters]

pytestmark = pytest.mark.requires("chromium", "graphviz", "cjk-fonts", "poppler")


def _promise(limit: TimeLimit) -> str:
    """How a promised limit reads on a page, written out here, apart from the library."""
    value = f"{limit.value:g}"
    words = {
        "working_days": f"{value}个工作日",
        "half_days": "半个工作日" if value == "1" else f"{value}个工作半日",
        "hours": f"{value}个工作小时",
        "calendar_days": f"{value}日（自然日）",
    }
    return words[limit.unit.value]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(CATALOGUE, out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as opened:
        yield opened


@pytest.fixture(scope="module")
def visits(site: Path, browser: Browser) -> dict[str, PageVisit]:
    return {page: browser.open(site / f"{page}.html") for page in PAGES}


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_chinese_without_errors_or_network(
    visits: dict[str, PageVisit], page: str
) -> None:
    """The page renders a heading and text, logs no error and loads nothing but itself."""
    seen = visits[page]
    assert seen.lang == "zh-CN"
    assert seen.headings
    assert seen.headings[0].startswith(
        "办事指南" if page == "index" else CATALOGUE.matters[page].name
    )
    assert len(seen.text) > 200
    assert seen.console_errors == []
    assert seen.network_requests == []
    assert seen.refused == []
    assert seen.requests == [seen.url]


@pytest.mark.parametrize("matter_id", sorted(CATALOGUE.matters))
def test_rendered_guide_shows_every_material_and_the_promise(
    visits: dict[str, PageVisit], matter_id: str
) -> None:
    """What the browser shows holds each declared material, the promise and the sections."""
    matter: Matter = CATALOGUE.matters[matter_id]
    seen = visits[matter_id]
    for material in matter.materials:
        assert material.name in seen.text, material.id
    assert f"承诺办结时限\t{_promise(matter.time_limits.promised)}" in seen.text
    assert seen.headings[1:] == [
        "一、基本信息",
        "二、设定依据",
        "三、申请条件",
        "四、申请材料",
        "五、办理流程",
        "六、办理时限",
        "七、收费",
        "八、办理地点与咨询投诉",
    ]
    for step in matter.steps:
        assert step.name in seen.text, step.id
    assert ("不收费" in seen.text) == (not matter.fees)


def test_index_links_every_guide(visits: dict[str, PageVisit]) -> None:
    """The index shows every matter under its lead department's heading."""
    seen = visits["index"]
    for matter in CATALOGUE.matters.values():
        assert matter.name in seen.text
        assert CATALOGUE.departments[matter.lead_department].name in seen.headings


@pytest.mark.parametrize("page", PAGES)
def test_page_prints_to_a_pdf_with_extractable_chinese(
    site: Path, browser: Browser, tmp_path: Path, page: str
) -> None:
    """Printing works: an A4 PDF whose pages carry ink and whose Chinese text extracts."""
    pdf = browser.print_pdf(site / f"{page}.html", tmp_path / f"{page}.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages = pdf_pages(pdf)
    images = pdf_to_images(pdf, tmp_path / "pages")
    assert len(images) == pages >= 1
    for image in images:
        assert ink(image) > 0.002, image.name
    text = pdf_text(pdf)
    compact = "".join(text.split())
    if page == "index":
        assert "办事指南" in compact
        for matter in CATALOGUE.matters.values():
            assert "".join(matter.name.split()) in compact
        return
    matter = CATALOGUE.matters[page]
    assert "".join(matter.name.split()) in compact
    assert "承诺办结时限" in compact
    for material in matter.materials:
        # A long name may wrap inside its table cell; its first words stay on one line.
        assert material.name[:8] in compact, material.id
    # The print stylesheet hides the navigation and spells out the online hall's address.
    assert "跳到正文" not in compact
    online = ["https://zwfw.hubei.gov.cn/", "https://zwfw.fujian.gov.cn/"]
    assert any(address in compact for address in online)


def test_harness_sees_network_requests_and_console_errors(browser: Browser, tmp_path: Path) -> None:
    """The checks above can fail: a page reaching out, or logging an error, is reported."""
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><body><h1>x</h1>'
        '<img src="http://example.invalid/logo.png" alt="">'
        "<script>console.error('broken')</script></body></html>",
        encoding="utf-8",
    )
    seen = browser.open(page)
    assert seen.network_requests == ["http://example.invalid/logo.png"]
    assert seen.refused == ["http://example.invalid/logo.png"]
    assert "broken" in seen.console_errors
    assert seen.lang == "en"
