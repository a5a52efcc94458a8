"""``approval-rules guide``: the site, template overrides, and failures that write nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from approval_rules import load_catalogue
from approval_rules.cli import main
from approval_rules.publication import PublicationError, build_site, write_site

ROOT = Path(__file__).resolve().parent.parent
MATTERS = ROOT / "matters"
CATALOGUE = load_catalogue(MATTERS)
PAGES = ["index.html", *(f"{m}.html" for m in CATALOGUE.matters)]

pytestmark = pytest.mark.requires("graphviz")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(CATALOGUE, out)
    return out


def test_site_has_an_index_and_a_page_per_matter(site: Path) -> None:
    """index.html plus one page per matter, each linked from the index under its department."""
    assert sorted(p.name for p in site.iterdir()) == sorted(PAGES)
    index = (site / "index.html").read_text(encoding="utf-8")
    for matter in CATALOGUE.matters.values():
        assert f'href="{matter.id}.html"' in index
        department = CATALOGUE.departments[matter.lead_department].name
        assert index.index(department) < index.index(f'href="{matter.id}.html"')


@pytest.mark.parametrize("page", PAGES)
def test_pages_are_self_contained(site: Path, page: str) -> None:
    """No script, no stylesheet or image from elsewhere; inline CSS; Chinese; printable."""
    html = (site / page).read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert "<script" not in html
    assert not re.search(r"""<(link|img|iframe|object|embed)\b[^>]*(href|src)=["']https?:""", html)
    assert "@import" not in html
    assert "url(" not in html
    assert "@media print" in html
    # The only external addresses are links a person may follow (the online hall), besides
    # the SVG's namespace names, which are identifiers and never fetched.
    text = re.sub(r'xmlns(:\w+)?="[^"]*"', "", html)
    for address in re.findall(r"""https?://[^\s"'<>）]+""", text):
        assert f'href="{address}"' in html or f">{address}<" in html, address


@pytest.mark.parametrize("matter_id", sorted(CATALOGUE.matters))
def test_page_shows_the_flow_chart_drawn_by_graphviz(site: Path, matter_id: str) -> None:
    """The flow chart is an inline SVG with one box per step, labelled with its name."""
    html = (site / f"{matter_id}.html").read_text(encoding="utf-8")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    for step in CATALOGUE.matters[matter_id].steps:
        assert f"<title>{step.id}</title>" in svg
    assert "<?xml" not in html
    assert "<!DOCTYPE svg" not in html


def test_no_personal_name_is_published(site: Path) -> None:
    """Signers appear by post; no person's name is on any page."""
    names = {p.name for p in CATALOGUE.people.values()}
    for page in PAGES:
        html = (site / page).read_text(encoding="utf-8")
        assert not [n for n in names if n in html], page


def test_examples_are_stated_on_the_page(site: Path) -> None:
    """A page with example values says so at the top and badges each one."""
    html = (site / "construction_permit.html").read_text(encoding="utf-8")
    notice = html[html.index('<aside class="notice"') : html.index("</aside>")]
    assert "示例值，尚未核实" in notice
    assert "咨询电话" in notice
    assert html.count('class="example"') >= 10
    assert "0717-3236505" in html


def test_the_same_catalogue_gives_the_same_bytes(site: Path, tmp_path: Path) -> None:
    """Generation is deterministic: no clock, no random order."""
    write_site(CATALOGUE, tmp_path)
    for page in PAGES:
        assert (tmp_path / page).read_bytes() == (site / page).read_bytes(), page


def test_override_folder_replaces_a_template_by_name(tmp_path: Path) -> None:
    """A county's guide/fees.html replaces the bundled one; the others stay bundled."""
    folder = tmp_path / "county" / "guide"
    folder.mkdir(parents=True)
    (folder / "fees.html").write_text(
        '<section><h2 id="s-fees">七、收费标准（本县）</h2>'
        "{% for fee in guide.fees %}<p>{{ fee.name.text }}：{{ fee.standard.text }}</p>"
        "{% else %}<p>本事项免费办理。</p>{% endfor %}</section>\n",
        encoding="utf-8",
    )
    site = build_site(CATALOGUE, templates=tmp_path / "county")
    free = site.pages["company_registration.html"]
    assert "本事项免费办理。" in free
    assert "不收费。" not in free
    assert "七、收费标准（本县）" in free
    charged = site.pages["temporary_road_occupation.html"]
    assert "城市道路占用费：1.50元/平方米·日" in charged
    assert "三、申请条件" in charged  # a bundled section, untouched


def test_broken_override_is_reported_with_its_line_and_writes_nothing(tmp_path: Path) -> None:
    """A template error names the county's file and line; the output folder stays as it was."""
    county = tmp_path / "county"
    (county / "guide").mkdir(parents=True)
    (county / "guide" / "fees.html").write_text(
        "<h2>收费</h2>\n{% for fee in guide.fees %}\n{{ fee.nmae.text }}\n{% endfor %}\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old index", encoding="utf-8")
    with pytest.raises(PublicationError) as info:
        write_site(CATALOGUE, out, templates=county)
    assert f"{county / 'guide' / 'fees.html'}:3" in str(info.value)
    assert "nmae" in str(info.value)
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text(encoding="utf-8") == "old index"


def test_override_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    """A malformed tag is reported as file:line, not as a traceback."""
    (tmp_path / "index.html").write_text("<h1>目录</h1>\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(PublicationError, match=r"index\.html:2: template error"):
        build_site(CATALOGUE, templates=tmp_path)


def test_missing_graphviz_is_a_clear_error_that_writes_nothing(tmp_path: Path) -> None:
    """Without Graphviz the site is refused with an install hint, and nothing is written."""
    out = tmp_path / "site"
    with pytest.raises(PublicationError, match="apt-get install graphviz"):
        write_site(CATALOGUE, out, dot=str(tmp_path / "no-such-dot"))
    assert not out.exists()


def test_cli_writes_the_site(tmp_path: Path) -> None:
    """`approval-rules guide matters/ --out DIR` writes every page and lists them in Chinese."""
    result = CliRunner().invoke(main, ["guide", str(MATTERS), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == sorted(PAGES)
    assert "已生成7个事项的办事指南" in result.output
    assert "construction_permit.html  建筑工程施工许可证核发（含示例值：" in result.output


def test_cli_without_graphviz_exits_1_with_the_install_hint(tmp_path: Path) -> None:
    """Run as a user would, with no `dot` on PATH: exit 1, one message, no traceback."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "approval_rules", "guide", str(MATTERS), "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(bin_dir)},
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "Graphviz is not installed" in done.stderr
    assert "apt-get install graphviz" in done.stderr
    assert not out.exists()


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    """A missing --out or a template folder that does not exist is bad usage (exit 2)."""
    runner = CliRunner()
    assert runner.invoke(main, ["guide", str(MATTERS)]).exit_code == 2
    missing = tmp_path / "nowhere"
    result = runner.invoke(
        main, ["guide", str(MATTERS), "--out", str(tmp_path / "s"), "--templates", str(missing)]
    )
    assert result.exit_code == 2


def test_cli_bad_catalogue_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    """A catalogue with errors is reported like `check` does; no page is written."""
    broken = tmp_path / "matters"
    shutil.copytree(MATTERS, broken)
    path = broken / "planning_permit.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("case_type: promised", "case_type: promise"),
        encoding="utf-8",
    )
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["guide", str(broken), "--out", str(out)])
    assert result.exit_code == 1
    assert "error[bad-choice]" in result.output
    assert not out.exists()
