"""Renderings (render.py) and the ``approval-rules graph`` command (_cli_graph.py).

Mermaid output is checked twice: always against a strict grammar of exactly the
subset we emit (below), and, when Node.js and the ``mermaid`` npm package are
available, with Mermaid's own parser.  To enable the official check::

    mkdir -p /tmp/mermaid_check && cd /tmp/mermaid_check && npm i mermaid jsdom

(or point ``APPROVAL_RULES_MERMAID_DIR`` at another folder holding those packages).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import click
import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given

from approval_rules import cli
from approval_rules._cli_graph import register
from approval_rules.compiler import compile_matter
from approval_rules.graph import Process
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text
from approval_rules.render import FORMATS, render, to_dot, to_json, to_mermaid, to_text
from approval_rules.testing import processes

ROOT = Path(__file__).resolve().parent.parent

DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 市住房和城乡建设局}
  - {id: xfj, name: '消防"支队" <b>#1</b> & `x`'}
roles:
  - {id: window, name: 窗口受理人员}
people:
  - {id: wang, name: 王月琴, department: zjj, roles: [window], backup: chen}
  - {id: chen, name: 陈倩, department: zjj, roles: [window]}
  - {id: fu, name: 付红, department: zjj, backup: ai}
  - {id: ai, name: 艾伟, department: zjj}
  - {id: shen, name: 沈卫东, department: zjj}
  - {id: li, name: '李"强" | a\\b', department: xfj}
"""

MATTER = """\
kind: matter
id: permit
name: 建筑工程施工许可
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: zjj
co_departments: [xfj]
legal_basis: [{law: 中华人民共和国建筑法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
steps:
  - {id: accept, name: 窗口受理, kind: accept, signer_roles: [window], time_limit: {value: 1}}
  - {id: review, name: 科室审查, kind: review, signers: [fu, ai], after: [accept],
     time_limit: {value: 2}}
  - {id: fire, name: '消防"协审" <script>#2 & `x`', kind: co_review, department: xfj,
     signers: [li], after: [accept], time_limit: {value: 5}}
  - {id: decide, name: 局长审批, kind: decide, decides: true, signers: [shen],
     after: [review, fire], send_back_to: [review], time_limit: {value: 1}}
  - {id: end, name: "办结\\n归档", kind: close, signer_roles: [window], after: [decide]}
result: {name: 建筑工程施工许可证}
"""


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue_text({"defs.yaml": DEFS, "permit.yaml": MATTER})


@pytest.fixture(scope="module")
def process(catalogue: Catalogue) -> Process:
    return compile_matter(catalogue.matters["permit"], catalogue)


def _bundled() -> list[Process]:
    folder = ROOT / "matters"
    if not any(folder.glob("*.yaml")):
        return []
    catalogue = load_catalogue(folder)
    return list(catalogue.compile().values())


# --- a strict grammar of the Mermaid subset we emit --------------------------------------

_ID = r"s_[a-z][a-z0-9_]*"
_LABEL = r'"(?:[^"<>&#`\n]|#(?:quot|lt|gt|amp|35|96);|<br/>)*"'
_SHAPE = rf"(?:\[{_LABEL}\]|\(\[{_LABEL}\]\)|\{{\{{{_LABEL}\}}\}})"
_STYLE = r"[a-z-]+:[#a-z0-9]+(?:,[a-z-]+:[#a-z0-9]+)*"
_LINES = {
    "comment": re.compile(r"    %% [^{}\n]*"),
    "node": re.compile(rf"    (?P<id>{_ID}){_SHAPE}"),
    "edge": re.compile(rf"    (?P<a>{_ID}) --> (?P<b>{_ID})"),
    "back": re.compile(rf"    (?P<a>{_ID}) -\.->\|[^|\"<>#\n]+\| (?P<b>{_ID})"),
    "separation": re.compile(rf"    (?P<a>{_ID}) -\.-\|[^|\"<>#\n]+\| (?P<b>{_ID})"),
    "classDef": re.compile(rf"    classDef (?P<name>[A-Za-z][A-Za-z0-9]*) {_STYLE}"),
    "class": re.compile(rf"    class (?P<ids>{_ID}(?:,{_ID})*) (?P<name>[A-Za-z][A-Za-z0-9]*)"),
    "linkStyle": re.compile(rf"    linkStyle (?P<links>\d+(?:,\d+)*) {_STYLE}"),
}


def mermaid_problems(text: str) -> list[str]:
    """What is wrong with ``text`` under our strict grammar (empty when it is valid)."""
    if not text.endswith("\n"):
        return ["the text does not end with a newline"]
    lines = text[:-1].split("\n")
    if lines[0] != "flowchart LR":
        return [f"line 1 is {lines[0]!r}, not 'flowchart LR'"]
    problems: list[str] = []
    nodes: set[str] = set()
    classes: set[str] = set()
    links = 0
    for number, line in enumerate(lines[1:], start=2):
        kinds = [(k, m) for k, p in _LINES.items() if (m := p.fullmatch(line))]
        if len(kinds) != 1:
            problems.append(f"line {number} matches no rule: {line!r}")
            continue
        kind, m = kinds[0]
        if kind == "node":
            if m["id"] in nodes:
                problems.append(f"line {number}: node {m['id']} declared twice")
            nodes.add(m["id"])
        elif kind in ("edge", "back", "separation"):
            links += 1
            for end in (m["a"], m["b"]):
                if end not in nodes:
                    problems.append(f"line {number}: edge to undeclared node {end}")
        elif kind == "classDef":
            classes.add(m["name"])
        elif kind == "class":
            if m["name"] not in classes:
                problems.append(f"line {number}: class {m['name']} has no classDef")
            problems += [
                f"line {number}: class on undeclared node {n}"
                for n in m["ids"].split(",")
                if n not in nodes
            ]
        elif kind == "linkStyle":
            problems += [
                f"line {number}: linkStyle {i} but only {links} links"
                for i in map(int, m["links"].split(","))
                if i >= links
            ]
    return problems


def test_the_strict_grammar_rejects_what_mermaid_rejects() -> None:
    """The validator is strict: raw quotes, unknown lines and dangling references fail."""
    good = 'flowchart LR\n    s_a["x"]\n    s_b(["y"])\n    s_a --> s_b\n'
    assert mermaid_problems(good) == []
    assert mermaid_problems(good.replace('"x"', '"x"y"'))
    assert mermaid_problems(good.replace("s_a --> s_b", "s_a --> s_c"))
    assert mermaid_problems(good + "    linkStyle 1 stroke:#c0392b\n")
    assert mermaid_problems(good + "    end\n")
    assert mermaid_problems(good.replace('"x"', '"<b>x</b>"'))


def test_mermaid_passes_the_strict_grammar(process: Process) -> None:
    """The sample (with quotes, <, #, &, ` and a step called 'end') is valid Mermaid."""
    text = to_mermaid(process)
    assert mermaid_problems(text) == []
    assert "消防#quot;协审#quot; #lt;script#gt;#35;2 #amp; #96;x#96;" in text
    assert "s_end([" in text  # the step id 'end' is prefixed, never Mermaid's keyword


def test_mermaid_shows_signers_limits_send_back_and_critical_path(process: Process) -> None:
    """Signers and limits in labels; send-back dashed; the critical path highlighted."""
    text = to_mermaid(process)
    assert 's_review["科室审查<br/>review · 2 working days<br/>付红, 艾伟"]' in text
    assert "    s_decide -.->|退回| s_review\n" in text
    assert "    s_decide{{" in text
    assert "    class s_accept,s_fire,s_decide,s_end critical\n" in text
    edges = [line for line in text.splitlines() if " --> " in line or " -.-> " in line]
    styled = re.search(r"linkStyle ([\d,]+) ", text)
    assert styled is not None
    highlighted = {edges[int(i)].strip() for i in styled.group(1).split(",")}
    assert highlighted == {"s_accept --> s_fire", "s_fire --> s_decide", "s_decide --> s_end"}


@given(processes(max_steps=10))
def test_mermaid_of_random_processes_passes_the_strict_grammar(process: Process) -> None:
    """Any sound process renders to Mermaid our grammar accepts."""
    assert mermaid_problems(to_mermaid(process)) == []


def test_mermaid_of_bundled_matters_passes_the_strict_grammar() -> None:
    """Every bundled matter renders to valid Mermaid."""
    for process in _bundled():
        assert mermaid_problems(to_mermaid(process)) == [], process.matter.id


_PARSE_SCRIPT = """
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
const fs = await import('node:fs');
const out = [];
for (const text of JSON.parse(fs.readFileSync(0, 'utf8'))) {
  try { await mermaid.parse(text); out.push(null); }
  catch (e) { out.push(String(e.message || e)); }
}
console.log(JSON.stringify(out));
"""


def test_mermaid_passes_the_official_parser(process: Process) -> None:
    """Mermaid's own parser accepts the sample and every bundled matter (when installed)."""
    folder = Path(os.environ.get("APPROVAL_RULES_MERMAID_DIR", "/tmp/mermaid_check"))
    node = shutil.which("node")
    if node is None or not (folder / "node_modules" / "mermaid").is_dir():
        pytest.skip("Node.js with the mermaid npm package is not installed")
    if not (folder / "node_modules" / "jsdom").is_dir():
        pytest.skip("the jsdom npm package is not installed next to mermaid")
    routed_catalogue = load_catalogue_text({"defs.yaml": DEFS, "permit.yaml": ROUTED})
    routed = compile_matter(routed_catalogue.matters["permit"], routed_catalogue)
    texts = [to_mermaid(process), to_mermaid(routed)] + [to_mermaid(p) for p in _bundled()]
    bad = texts[0].replace("#quot;协审#quot;", '"协审"')
    result = subprocess.run(
        [node, "--input-type=module", "-e", _PARSE_SCRIPT],
        input=json.dumps([*texts, bad]),
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
        check=True,
    )
    errors = json.loads(result.stdout)
    assert errors[:-1] == [None] * len(texts)
    assert errors[-1] is not None  # and it does reject a raw quote in a label


# --- DOT ---------------------------------------------------------------------------------

_DOT_STRING = r'"(?:[^"\\\n]|\\.)*"'
_DOT_VALUE = rf"(?:{_DOT_STRING}|[A-Za-z0-9_.]+)"
_DOT_ATTRS = rf"\[[a-z]+={_DOT_VALUE}(?:, [a-z]+={_DOT_VALUE})*\]"
_DOT_LINES = [
    re.compile(rf"digraph {_DOT_STRING} \{{"),
    re.compile(rf"    (?:graph|node|edge) {_DOT_ATTRS};"),
    re.compile(rf"    {_DOT_STRING} {_DOT_ATTRS};"),
    re.compile(rf"    {_DOT_STRING} -> {_DOT_STRING}(?: {_DOT_ATTRS})?;"),
    re.compile(r"\}"),
]


def test_dot_is_well_formed_and_keeps_chinese(process: Process) -> None:
    """Every DOT line is a statement of our subset; quotes and backslashes are escaped."""
    text = to_dot(process)
    for line in text.splitlines():
        assert any(p.fullmatch(line) for p in _DOT_LINES), line
    assert '消防\\"协审\\" <script>#2 & `x`' in text
    assert '李\\"强\\" | a\\\\b' in text
    assert '"decide" -> "review" [style=dashed, label="退回", constraint=false];' in text
    assert '"fire" -> "decide" [color="#c0392b", penwidth=2];' in text


@pytest.mark.requires("graphviz")
def test_dot_is_accepted_by_graphviz(process: Process) -> None:
    """Graphviz renders the DOT text."""
    dot = shutil.which("dot")
    assert dot is not None
    result = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(process), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- JSON --------------------------------------------------------------------------------


def test_json_is_the_documented_export(process: Process) -> None:
    """Format version 1: node-link graph plus timing, UTF-8 text without \\u escapes."""
    text = to_json(process)
    assert "\\u" not in text
    assert "建筑工程施工许可" in text
    data = json.loads(text)
    assert data["format_version"] == 1
    assert data["content_hash"] == process.content_hash
    assert data["start"] == "accept"
    assert data["ends"] == ["end"]
    graph = nx.node_link_graph(data["graph"], edges="edges")
    assert set(graph.edges) == set(process.graph.edges)
    assert graph.nodes["review"]["signers"] == ["fu", "ai"]
    assert graph.nodes["fire"]["limit"] == 5.0
    assert data["send_back"] == [{"source": "decide", "target": "review"}]
    assert data["splits"] == {"accept": ["review", "fire"]}
    assert data["joins"] == {"accept": "decide"}
    timing = data["timing"]
    assert timing["critical_path"] == list(process.critical_path)
    assert timing["critical_length"] == process.critical_length == 7.0
    assert timing["slack"]["review"] == 3.0
    assert (timing["promised"], timing["statutory"]) == (10.0, 20.0)
    assert data["people"]["wang"] == {"name": "王月琴", "department": "zjj", "backup": "chen"}


def test_json_format_is_documented(process: Process) -> None:
    """docs/graph-json.md describes every key of the export."""
    doc = (ROOT / "docs" / "graph-json.md").read_text(encoding="utf-8")
    data = process.to_json_data()
    keys = set(data) | set(data["timing"]) | set(data["matter"])
    keys |= {k for node in data["graph"]["nodes"] for k in node}
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert missing == []


# --- text --------------------------------------------------------------------------------


def test_text_lists_steps_signers_backups_limits_and_slack(process: Process) -> None:
    """What a policy officer reads: steps in order, who signs, backups, limits, slack."""
    text = to_text(process)
    lines = text.splitlines()
    assert lines[0] == "建筑工程施工许可 (permit)"
    assert "  critical path: accept -> fire -> decide -> end" in lines
    assert "  = 7 working days, 3 working days to spare" in lines
    numbered = [line for line in lines if re.match(r"\d\. ", line)]
    assert [line.split(" (")[1].split(")")[0] for line in numbered] == [
        "accept", "review", "fire", "decide", "end",
    ]  # fmt: skip
    assert "2. 科室审查 (review): review, 2 working days, starts after 1 working day at the " \
        "soonest, slack 3 working days" in lines  # fmt: skip
    assert "   signers: 付红 (backup 艾伟); 艾伟 (no backup)" in lines
    assert "   may send back to: review" in lines
    assert "   after: review, fire (joins the branches opened at accept)" in lines
    assert "  accept opens review, fire; they meet at decide" in lines


def test_render_dispatches_and_refuses_unknown_formats(process: Process) -> None:
    """render() knows the four formats and names them when given another."""
    assert set(FORMATS) == {"mermaid", "dot", "json", "text"}
    assert render(process, "text") == to_text(process)
    with pytest.raises(ValueError, match="mermaid, dot, json, text"):
        render(process, "svg")


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "defs.yaml").write_text(DEFS, encoding="utf-8")
    (tmp_path / "permit.yaml").write_text(MATTER, encoding="utf-8")
    return tmp_path


@pytest.fixture
def group() -> click.Group:
    """A group like ``approval-rules`` (same error handling) with the graph command."""
    made = type(cli.main)(name="approval-rules")
    register(made)
    return made


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_graph_command_prints_each_format(group: click.Group, folder: Path, fmt: str) -> None:
    """`graph MATTER --catalogue DIR --format F` prints the rendering and exits 0."""
    result = CliRunner().invoke(
        group, ["graph", "permit", "--catalogue", str(folder), "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    catalogue = load_catalogue(folder)
    assert result.output == render(compile_matter(catalogue.matters["permit"], catalogue), fmt)


def test_graph_command_defaults_to_text(group: click.Group, folder: Path) -> None:
    """Without --format the officer's text listing is printed."""
    result = CliRunner().invoke(group, ["graph", "permit", "--catalogue", str(folder)])
    assert result.exit_code == 0
    assert result.output.startswith("建筑工程施工许可 (permit)\n")


def test_unknown_matter_suggests_the_closest_id(group: click.Group, folder: Path) -> None:
    """A misspelt id exits 1 with a did-you-mean, never a traceback."""
    result = CliRunner().invoke(group, ["graph", "permt", "--catalogue", str(folder)])
    assert result.exit_code == 1
    assert (
        f"no matter 'permt' in the catalogue at {folder}; did you mean 'permit'?" in result.output
    )
    by_name = CliRunner().invoke(group, ["graph", "建筑工程施工许可", "--catalogue", str(folder)])
    assert by_name.exit_code == 1
    assert "did you mean 'permit'?" in by_name.output


def test_unknown_format_is_a_usage_error(group: click.Group, folder: Path) -> None:
    """An unknown --format is bad usage (exit 2) listing the choices."""
    result = CliRunner().invoke(
        group, ["graph", "permit", "--catalogue", str(folder), "--format", "svg"]
    )
    assert result.exit_code == 2
    assert "mermaid" in result.output


def test_broken_matter_prints_issues_and_exits_1(group: click.Group, folder: Path) -> None:
    """A matter the compiler refuses is reported with positions, exit 1, no traceback."""
    text = MATTER.replace(
        "after: [review, fire], send_back_to", "after: [review, fire, end], send_back_to"
    )
    (folder / "permit.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(group, ["graph", "permit", "--catalogue", str(folder)])
    assert result.exit_code == 1
    assert "error[dependency-cycle]" in result.output
    assert isinstance(result.exception, SystemExit)


def test_graph_is_wired_into_approval_rules() -> None:
    """The real `approval-rules` group has the graph command (once cli.py registers it)."""
    if "graph" not in cli.main.commands:
        pytest.skip("cli.py does not register _cli_graph yet")
    result = CliRunner().invoke(cli.main, ["graph", "--help"])
    assert result.exit_code == 0
    assert "--format" in result.output


IMMEDIATE = """\
kind: matter
id: certificate
name: 户籍证明
catalogue_code: "002"
implementation_code: "002-1"
matter_type: administrative_confirmation
lead_department: zjj
legal_basis: [{law: 户口登记条例}]
case_type: immediate
time_limits:
  statutory: {value: 1}
  promised: {value: 2, unit: hours}
steps:
  - {id: accept, name: 窗口受理并当场出具, kind: accept, decides: true, signer_roles: [window],
     time_limit: {value: 1, unit: hours}}
result: {name: 证明}
"""


def test_limits_are_shown_in_the_unit_they_were_written_in() -> None:
    """Hours stay hours in the listing; the matter limit also shows its working days."""
    catalogue = load_catalogue_text({"defs.yaml": DEFS, "certificate.yaml": IMMEDIATE})
    process = compile_matter(catalogue.matters["certificate"], catalogue)
    text = to_text(process)
    assert "  promised limit 2 hours (= 0.25 working days) (statutory 1 working day)" in text
    assert "accept, decides, 1 hour, starts at once, critical" in text
    assert "1 hour<br/>" in to_mermaid(process)
    assert mermaid_problems(to_mermaid(process)) == []


# --- issue #14: the drawings show everything that changes the route ---------------------------

ROUTED = (
    MATTER.replace(
        "signers: [fu, ai], after: [accept],",
        'signers: [fu, ai], after: [accept], when: "floor_area > 300",',
    )
    .replace("time_limit: {value: 5}}", "time_limit: {value: 5}, on_timeout: deem_agreed}")
    .replace(
        "send_back_to: [review], time_limit",
        "send_back_to: [review], separate_from: [review], time_limit",
    )
    .replace(
        "case_type: promised\n",
        "case_type: promised\napplicant_fields: [{id: floor_area, name: 建筑面积, type: number}]\n",
    )
)


@pytest.fixture(scope="module")
def routed() -> Process:
    catalogue = load_catalogue_text({"defs.yaml": DEFS, "permit.yaml": ROUTED})
    return compile_matter(catalogue.matters["permit"], catalogue)


def test_exports_mermaid_shows_conditions_deemed_agreement_and_separation(routed: Process) -> None:
    """A conditional step says 仅当 and is dashed; a co-review 逾期视为同意; 不得同一人 links."""
    text = to_mermaid(routed)
    assert mermaid_problems(text) == []
    assert (
        's_review["科室审查<br/>review · 2 working days<br/>付红, 艾伟<br/>'
        '仅当 floor_area #gt; 300"]' in text
    )
    assert "<br/>逾期视为同意" in text.split("    s_fire[", 1)[1].split("\n", 1)[0]
    assert "    s_decide -.-|不得同一人| s_review\n" in text
    assert "    class s_review conditional\n" in text


def test_exports_dot_shows_conditions_deemed_agreement_and_separation(routed: Process) -> None:
    """The same three in DOT: a dashed node, the timeout line, a dotted undirected edge."""
    text = to_dot(routed)
    for line in text.splitlines():
        assert any(p.fullmatch(line) for p in _DOT_LINES), line
    review = next(line for line in text.splitlines() if line.startswith('    "review" ['))
    assert "仅当 floor_area > 300" in review
    assert 'style="rounded,dashed"' in review
    assert "逾期视为同意" in next(
        line for line in text.splitlines() if line.startswith('    "fire" [')
    )
    assert (
        '    "decide" -> "review" [style=dotted, dir=none, label="不得同一人", constraint=false];'
        in text
    )


def test_exports_json_carries_when_on_timeout_and_separate_from(routed: Process) -> None:
    """Every node has when, on_timeout and separate_from (format version 1, keys added)."""
    data = json.loads(to_json(routed))
    assert data["format_version"] == 1
    nodes = {node["id"]: node for node in data["graph"]["nodes"]}
    assert nodes["review"]["when"] == "floor_area > 300"
    assert nodes["accept"]["when"] is None
    assert nodes["fire"]["on_timeout"] == "deem_agreed"
    assert nodes["review"]["on_timeout"] == "nothing"
    assert nodes["decide"]["separate_from"] == ["review"]
    assert nodes["end"]["separate_from"] == []


def test_exports_text_lists_timeouts_and_separation(routed: Process) -> None:
    """The terminal listing says when a step runs, what a timeout does, who may not sign."""
    text = to_text(routed)
    assert "   only when: floor_area > 300" in text
    assert "   on timeout: deemed agreed (逾期视为同意)" in text
    assert "   signed by someone else than: review" in text


@pytest.mark.requires("graphviz")
def test_exports_dot_with_route_notes_is_accepted_by_graphviz(routed: Process) -> None:
    """Graphviz renders the drawing with conditions, timeouts and separation lines."""
    dot = shutil.which("dot")
    assert dot is not None
    result = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(routed), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "不得同一人" in result.stdout
