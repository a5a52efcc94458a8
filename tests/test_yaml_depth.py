"""The depth scan: the nesting the YAML parser would find, read before the parser runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from approval_rules._yaml import Limits, parse_yaml
from approval_rules._yaml_depth import first_too_deep

ROOT = Path(__file__).resolve().parent.parent
#: The parser the reader composes with: libyaml's when PyYAML has it.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parser_starts(text: str) -> list[tuple[int, int, int]] | None:
    """(depth, line, column) of every collection the parser opens; None if it refuses."""
    depth = 0
    starts = []
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                starts.append((depth, event.start_mark.line, event.start_mark.column))
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent):
                depth = 0
    except yaml.YAMLError:
        return None
    return starts


def assert_same_as_the_parser(text: str) -> None:
    """For every limit, the scan names the collection the parser finds too deep, if any."""
    starts = parser_starts(text)
    assert starts is not None, "the example must be well-formed YAML"
    deepest = max((depth for depth, _, _ in starts), default=0)
    for limit in range(deepest + 1):
        expected = next(((line, col) for depth, line, col in starts if depth > limit), None)
        assert first_too_deep(text, limit) == expected, (limit, text)


CASES = {
    "block mapping": "a:\n  b:\n    c: 1\n  d: [x]\n",
    "sequence of mappings": "- a: 1\n  b:\n    - c\n- d: 2\n",
    "indentless sequence": "a:\n- b\n- c:\n  - d\n  e: 1\nf: 2\n",
    "compact nesting": "- - - x\n  - y\n- - z\n",
    "explicit keys": "? a\n: - b\n  - c\n? d\n: e: f\n",
    "flow in block": "a: {b: [c, d], e: {f: g}}\nh: [[1, 2], [3]]\n",
    "one-pair mappings in flow sequences": "[a: b, [c: d], ? e, {f: g}: h]\n",
    "adjacent values in flow": '["a":b, {c: d}]\n',
    "brackets in scalars": "a: x [y {z\nb: 'p [q' \ne: \"r {s\" \nf: t#[u]\n",
    "brackets in comments": "a: 1 # [[[\n# {{{ - - -\nb: [2, # ]]]\n  3]\n",
    "brackets in block scalars": "a: |\n  - - [[[\n  {{{: x\nb: >-\n  - y\n\n  - z\nc: 1\n",
    "block scalar with indentation indicator": "- |2\n    - a\n   b\n- c\n",
    "block scalar at a deeper key": "a:\n  b: |\n    - x\n  c: [y]\n",
    "multi-line plain scalars": "a: one\n  - two [x\n  three\nb:\n  - four\n    - five\n",
    "multi-line quoted scalars": 'a: \'one\n  - two [x\'\nb: "three\n  {y\\""\nc: [1]\n',
    "properties before collections": "a: &x\n  b: 1\nc: !!seq\n- d\ne: &y [1, &z [2]]\n",
    "properties alone as keys": "- !!str\n-\n  !!null : a\n  b: !!str\n- !!str : !!null\n",
    "properties on two lines": "key: &anchor\n !!map\n  a: b\n",
    "documents": "--- [a]\n--- \nb:\n  c: 1\n...\n--- |\n  - x\n",
    "windows line breaks": "a:\r\n  - b\r\n  - [c]\r\n",
    "tabs after keys": "a:\t[1,\t[2]]\nb:\t{c:\td}\n",
    "empty values": "a:\nb:\n  -\n  - c:\n",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_depth_scan_agrees_with_the_parser(text: str) -> None:
    """Block and flow collections, scalars that hold indicators, comments, properties."""
    assert_same_as_the_parser(text)


def _yaml_files() -> list[Path]:
    folders = (ROOT / "matters", ROOT / "tests" / "data")
    return sorted(p for folder in folders for p in folder.rglob("*.yaml"))


def test_depth_scan_agrees_with_the_parser_on_every_file_of_the_project() -> None:
    """Every well-formed YAML file the project ships or tests with."""
    checked = 0
    for path in _yaml_files():
        try:
            text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue  # the encoding test cases
        if parser_starts(text) is not None:
            assert_same_as_the_parser(text)
            checked += 1
    assert checked > 100


def test_a_collection_key_is_never_counted_deeper() -> None:
    """A key that is itself a collection (which the loader refuses anyway) is counted one
    level shallower, never deeper: a well-formed file within the limit passes."""
    text = "[a, [b]]: c\n"
    assert parser_starts(text) == [(1, 0, 0), (2, 0, 0), (3, 0, 4)]
    assert first_too_deep(text, 2) is None
    assert first_too_deep(text, 1) == (0, 4)


KEYS = st.text(st.sampled_from("ab :#-?[]{},'\"|>&*!\t\\é名"), min_size=1, max_size=6)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.text(st.sampled_from("ab :#-?[]{},'\"|>&*!\n\t\\é名 "), max_size=12),
)
DATA = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=25,
)


@given(
    data=DATA,
    flow=st.sampled_from([False, True, None]),
    indent=st.integers(2, 6),
    width=st.sampled_from([10, 80, 10_000]),
    style=st.sampled_from([None, "'", '"', "|"]),
    start=st.booleans(),
    canonical=st.booleans(),
)
def test_depth_scan_agrees_with_the_parser_on_generated_documents(
    data: Any,
    flow: bool | None,
    indent: int,
    width: int,
    style: str | None,
    start: bool,
    canonical: bool,
) -> None:
    """Nested data written by PyYAML's emitter in every style it has."""
    text = yaml.safe_dump(
        data,
        default_flow_style=flow,
        indent=indent,
        width=width,
        default_style=style,
        explicit_start=start,
        canonical=canonical,
        allow_unicode=True,
    )
    assert_same_as_the_parser(text)


@given(st.text(st.sampled_from("ab :#-?[]{},'\"|>&*!\n\t\r12"), max_size=60))
def test_depth_scan_never_refuses_what_the_parser_accepts_within_the_limit(text: str) -> None:
    """Any text: the scan ends and names a place in it; well-formed text is never counted
    deeper than the parser counts it."""
    starts = parser_starts(text)
    for limit in (0, 1, 2, 3):
        found = first_too_deep(text, limit)
        if found is not None:
            line, column = found
            assert line <= text.count("\n") + text.count("\r")
            assert column >= 0
        if starts is not None and all(depth <= limit for depth, _, _ in starts):
            assert found is None, text


def test_the_walk_and_the_scan_report_the_same_place() -> None:
    """A file the scan reads (it might nest past 500 levels) and the same file read by
    the walk over the composed document give the same too-deep position."""
    deep = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)) + "  " * 60 + "v: 1\n"
    padded = deep + "pad: [" + ", ".join(["[x]"] * 300) + "]\n"
    walked = parse_yaml(deep, "f.yaml")[1]
    scanned = parse_yaml(padded, "f.yaml")[1]
    assert [i.code for i in walked] == [i.code for i in scanned] == ["too-deep"]
    assert walked[0].span == scanned[0].span
    assert parse_yaml(deep, "f.yaml", limits=Limits(max_depth=61))[1] == []
