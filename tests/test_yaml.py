"""The guarded YAML reader: plain data, 1-based positions, and one issue per problem."""

from __future__ import annotations

import time
from pathlib import Path as FsPath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approval_rules import _yaml
from approval_rules._yaml import Limits, YamlDocument, parse_yaml, read_yaml_file
from approval_rules.errors import Issue, Severity, SourceSpan

F = "m.yaml"


def parse_ok(text: str | bytes) -> YamlDocument:
    doc, issues = parse_yaml(text, F)
    assert issues == []
    assert doc is not None
    return doc


DEFAULT = Limits()


def only_issue(text: str | bytes, *, limits: Limits = DEFAULT) -> tuple[YamlDocument | None, Issue]:
    doc, issues = parse_yaml(text, F, limits=limits)
    assert len(issues) == 1, issues
    return doc, issues[0]


def where(issue: Issue) -> tuple[str, int, int]:
    assert issue.span is not None
    return issue.code, issue.span.line, issue.span.column


# --- scalar typing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("~", None),
        ("", None),
        ("0", 0),
        ("-0", 0),
        ("42", 42),
        ("+7", 7),
        ("-15", -15),
        ("0.5", 0.5),
        ("-.5", -0.5),
        ("1.", 1.0),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        # YAML 1.1 traps and other text that must stay text.
        ("no", "no"),
        ("NO", "NO"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("1:30", "1:30"),
        ("2024-01-05", "2024-01-05"),
        ("2024-02-30", "2024-02-30"),
        ("2024-01-05 10:00:00", "2024-01-05 10:00:00"),
        ("0012", "0012"),
        ("000131127004", "000131127004"),
        ("-012", "-012"),
        ("01.5", "01.5"),
        ("0x1F", "0x1F"),
        ("0o17", "0o17"),
        ("1_000", "1_000"),
        (".inf", ".inf"),
        ("-.inf", "-.inf"),
        (".nan", ".nan"),
        ("1e999", "1e999"),
        ("-.", "-."),
        (".", "."),
        ("+", "+"),
        ("1.2.3", "1.2.3"),
        ("3 working days", "3 working days"),
        ("公司设立登记注册", "公司设立登记注册"),
    ],
)
def test_plain_scalar_typing(plain: str, expected: Any) -> None:
    """Plain scalars follow the YAML 1.2 core schema; traps and leading-zero codes stay text."""
    value = parse_ok(f"v: {plain}\n").data["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_huge_integer_stays_text() -> None:
    """A digit string longer than Python converts stays text instead of raising."""
    digits = "9" * 5000
    assert parse_ok(f"v: {digits}\n").data == {"v": digits}


@pytest.mark.parametrize(
    "text",
    ["v: 'no'\n", 'v: "42"\n', "v: |\n  true\n", "v: >\n  12\n", "v: !!str 12\n"],
)
def test_quoted_block_and_str_tagged_scalars_are_text(text: str) -> None:
    """Quoted, block and !!str scalars are never typed."""
    value = parse_ok(text).data["v"]
    assert isinstance(value, str)
    assert value.strip() in {"no", "42", "true", "12"}


def test_keys_are_their_text() -> None:
    """Plain keys are taken as written: `no:` is "no", `1:` is "1", `~:` is "~"."""
    doc = parse_ok("no: a\n1: b\ntrue: c\n~: d\n2024-01-05: e\n'on': f\n")
    assert doc.data == {"no": "a", "1": "b", "true": "c", "~": "d", "2024-01-05": "e", "on": "f"}


def test_data_is_plain_and_ordered() -> None:
    """The result is plain dict/list data in file order, equal to what safe_load gives."""
    doc = parse_ok("b: [1, two, {c: 3.5}]\na:\n  - x: null\n  - false\n")
    assert doc.data == {"b": [1, "two", {"c": 3.5}], "a": [{"x": None}, False]}
    assert list(doc.data) == ["b", "a"]
    assert type(doc.data) is dict
    assert type(doc.data["b"]) is list


def test_same_data_as_safe_load_where_no_trap_applies() -> None:
    """Without 1.1 traps in the text, the data equals what yaml.safe_load gives."""
    import yaml

    for text in (NESTED, SAMPLE):
        assert parse_ok(text).data == yaml.safe_load(text)


# --- positions ---------------------------------------------------------------------

NESTED = """\
# a matter
matter:
  name: 公司设立
  codes: {catalog: "000131127004", handle_item: x}
steps:
  - id: accept
    signers: [窗口, 科长]
    note: |
      line one
      line two
  - id: decide
    limit:
      value: 3
"""


def test_value_and_key_positions_in_block_and_flow_style() -> None:
    """span() points at the value, key_span() at the key, both 1-based."""
    doc = parse_ok(NESTED)
    assert doc.span(()) == SourceSpan(F, 2, 1)
    assert doc.span(("matter",)) == SourceSpan(F, 3, 3)
    assert doc.key_span(("matter",)) == SourceSpan(F, 2, 1)
    assert doc.span(("matter", "name")) == SourceSpan(F, 3, 9)
    assert doc.key_span(("matter", "name")) == SourceSpan(F, 3, 3)
    assert doc.span(("matter", "codes")) == SourceSpan(F, 4, 10)
    assert doc.key_span(("matter", "codes", "catalog")) == SourceSpan(F, 4, 11)
    assert doc.span(("matter", "codes", "catalog")) == SourceSpan(F, 4, 20)
    assert doc.span(("matter", "codes", "handle_item")) == SourceSpan(F, 4, 49)
    assert doc.span(("steps",)) == SourceSpan(F, 6, 3)
    assert doc.span(("steps", 0)) == SourceSpan(F, 6, 5)
    assert doc.span(("steps", 0, "id")) == SourceSpan(F, 6, 9)
    assert doc.span(("steps", 0, "signers", 1)) == SourceSpan(F, 7, 19)
    assert doc.span(("steps", 0, "note")) == SourceSpan(F, 8, 11)
    assert doc.data["steps"][0]["note"] == "line one\nline two\n"
    assert doc.span(("steps", 1)) == SourceSpan(F, 11, 5)
    assert doc.span(("steps", 1, "limit", "value")) == SourceSpan(F, 13, 14)
    assert doc.key_span(("steps", 1, "limit", "value")) == SourceSpan(F, 13, 7)


def test_span_falls_back_to_the_nearest_ancestor() -> None:
    """An unknown path reports the closest ancestor that exists."""
    doc = parse_ok(NESTED)
    assert doc.span(("steps", 1, "limit", "unit")) == SourceSpan(F, 13, 7)
    assert doc.span(("steps", 7, "id")) == doc.span(("steps",))
    assert doc.span(("nothing", "here")) == doc.span(())
    # A sequence index has no key: key_span falls back to span.
    assert doc.key_span(("steps", 1)) == doc.span(("steps", 1))
    assert doc.key_span(("steps", 1, "limit", "unit")) == SourceSpan(F, 13, 7)


def test_end_span() -> None:
    """end_span() is the position just after the value."""
    doc = parse_ok("a: [1, 2]\nb: xyz\n")
    assert doc.end_span(("a",)) == SourceSpan(F, 1, 10)
    assert doc.end_span(("b",)) == SourceSpan(F, 2, 7)


def test_columns_count_characters_and_a_bom_is_invisible() -> None:
    """Columns count Unicode characters; a UTF-8 BOM neither fails nor shifts columns."""
    text = "名称: 公司设立\n审核: [受理, 决定]\n"
    for source in (text, text.encode(), b"\xef\xbb\xbf" + text.encode(), "\ufeff" + text):
        doc = parse_ok(source)
        assert doc.span(("名称",)) == SourceSpan(F, 1, 5)
        assert doc.span(("审核", 1)) == SourceSpan(F, 2, 10)


def test_crlf_line_breaks() -> None:
    """Windows line endings count as one line break."""
    doc = parse_ok("a: 1\r\nb:\r\n  c: 2\r\n")
    assert doc.data == {"a": 1, "b": {"c": 2}}
    assert doc.span(("b", "c")) == SourceSpan(F, 3, 6)


def test_document_built_by_hand_has_fallback_spans() -> None:
    """A YamlDocument made without positions answers line 1, column 1."""
    doc = YamlDocument({"a": 1}, "x.yaml")
    assert doc.span(("a",)) == SourceSpan("x.yaml", 1, 1)
    assert doc.key_span(("a",)) == SourceSpan("x.yaml", 1, 1)


# --- yaml-syntax -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a:\n\tb: 1\n", 2, 1, "tab character"),
        ("a: 1\n\tb: 2\n", 2, 1, "tab character"),
        ("name: 'x\nb: 2\n", 1, 7, "never closed"),
        ('a: 1\nname: "施工许可\n', 2, 7, "never closed"),
        ("a: b: c\n", 1, 5, "':'"),
        ("key:value\n  other: x\n", 2, 8, "':'"),
        ("a: 1\n b: 2\n", 2, 3, "':'"),
        ("a: 'it's'\n", 1, 8, "expected a key"),
        ("- a\nb: 1\n", 2, 1, "list item"),
        ("a: [1, 2\nb: 3\n", 2, 2, "'[' opened on line 1 is not closed"),
        ("a: {b: 1\n", 2, 1, "'{' opened on line 1 is not closed"),
        ("a: @x\n", 1, 4, "cannot start with '@'"),
        ('a: "\\q"\n', 1, 5, "escape"),
        ("a:\n  b: 1\n  c\n  d: 2\n", 3, 3, "needs a ':'"),
        ("a: - b\n", 1, 4, "list item ('- ') is not allowed"),
        ("%YAML 2.0\n---\na: 1\n", 1, 1, "unsupported %YAML version"),
        ("a: [1, 2", 1, 9, "'[' opened on line 1 is not closed"),
        ("people:\n  - id: x\n    roles: [", 3, 13, "'[' opened on line 3 is not closed"),
        ("a: {b: [1], c: {d: ", 1, 20, "'{' opened on line 1 is not closed"),
        ("a: [- 1]\n", 1, 5, "expected a value here"),
    ],
)
def test_yaml_syntax(text: str, line: int, column: int, words: str) -> None:
    """A malformed file gives one yaml-syntax issue, in plain words, at the right place."""
    doc, issue = only_issue(text)
    assert doc is None
    assert where(issue) == ("yaml-syntax", line, column)
    assert issue.message.startswith("the YAML is malformed here: ")
    assert words in issue.message
    assert issue.severity is Severity.ERROR


def test_tab_message_and_hint() -> None:
    """The tab message says what to do."""
    _, issue = only_issue("a:\n\tb: 1\n")
    assert issue.message == (
        "the YAML is malformed here: found a tab character where indentation is expected"
    )
    assert issue.hint == "indent with spaces, not tabs"


def test_unrecognised_parser_problem_keeps_parser_text() -> None:
    """Rarer parser problems keep PyYAML's own words."""
    _, issue = only_issue("%YAML 1.1\n%YAML 1.1\n---\na: 1\n")
    assert where(issue) == ("yaml-syntax", 2, 1)
    assert "duplicate %YAML directive" in issue.message


# --- encoding ----------------------------------------------------------------------


def test_invalid_utf8() -> None:
    """Bytes that are not UTF-8 give an encoding issue at the first bad byte."""
    doc, issue = only_issue("a: 1\nb: 名".encode() + b"\xff\n")
    assert doc is None
    assert where(issue) == ("encoding", 2, 5)
    assert "0xFF" in issue.message


def test_invalid_utf8_after_bom_and_gbk_file() -> None:
    """A BOM does not shift the column; a GBK-encoded file is refused."""
    _, issue = only_issue(b"\xef\xbb\xbfa: \xe9\n")
    assert where(issue) == ("encoding", 1, 4)
    _, issue = only_issue("名称: 公司".encode("gbk"))
    assert where(issue) == ("encoding", 1, 1)


def test_utf16_file() -> None:
    """A UTF-16 file is named as such."""
    _, issue = only_issue("a: 1\n".encode("utf-16"))
    assert where(issue) == ("encoding", 1, 1)
    assert "UTF-16" in issue.message


@pytest.mark.parametrize(
    ("text", "line", "column", "char"),
    [
        ("a: b\x00c\n", 1, 5, "U+0000"),
        ("a: 1\nk: 中文\x07\n", 2, 6, "U+0007"),
        ("# \x1b comment\n", 1, 3, "U+001B"),
        ("a: \ud800\n", 1, 4, "U+D800"),
    ],
)
def test_forbidden_characters(text: str, line: int, column: int, char: str) -> None:
    """Control characters and lone surrogates are encoding issues at their position."""
    doc, issue = only_issue(text)
    assert doc is None
    assert where(issue) == ("encoding", line, column)
    assert char in issue.message


# --- limits ------------------------------------------------------------------------


def test_file_too_large_as_text_and_bytes() -> None:
    """Over max_bytes is refused before parsing, with the size and the limit in the message."""
    text = "a: " + "x" * 1_000_000 + "\n"
    for source in (text, text.encode()):
        doc, issue = only_issue(source)
        assert doc is None
        assert where(issue) == ("file-too-large", 1, 1)
        assert "1000004 bytes" in issue.message
        assert "1000000 bytes" in issue.message
    # Multi-byte text is measured in UTF-8 bytes.
    _, issue = only_issue("名" * 12, limits=Limits(max_bytes=35))
    assert "36 bytes" in issue.message


def test_read_file_too_large_is_refused_before_reading(
    tmp_path: FsPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    """read_yaml_file checks the size with stat and never opens a file over the cap."""
    big = tmp_path / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(1_000_001)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(_yaml, "open", refuse, raising=False)
    doc, issues = read_yaml_file(big, "big.yaml")
    assert doc is None
    assert [where(i) for i in issues] == [("file-too-large", 1, 1)]
    assert "1000001 bytes" in issues[0].message
    assert issues[0].span is not None
    assert issues[0].span.file == "big.yaml"


def test_read_file(tmp_path: FsPath) -> None:
    """read_yaml_file reads bytes (BOM allowed) and names the file as displayed."""
    path = tmp_path / "ok.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\nlist: [1]\n")
    doc, issues = read_yaml_file(path, "matters/ok.yaml")
    assert issues == []
    assert doc is not None
    assert doc.data == {"name": "x", "list": [1]}
    assert doc.span(("list", 0)) == SourceSpan("matters/ok.yaml", 2, 8)
    doc, _ = read_yaml_file(str(path))
    assert doc is not None
    assert doc.file == str(path)


def test_unreadable_file(tmp_path: FsPath) -> None:
    """A missing file or a folder gives file-unreadable, never an exception."""
    for path in (tmp_path / "missing.yaml", tmp_path):
        doc, issues = read_yaml_file(path, "x.yaml")
        assert doc is None
        assert [where(i) for i in issues] == [("file-unreadable", 1, 1)]
        assert issues[0].message.startswith("the file cannot be read: ")


def test_too_deep_flow_and_block() -> None:
    """Nesting beyond max_depth is refused at the first collection that is too deep."""
    doc, issue = only_issue("[" * 51 + "]" * 51)
    assert doc is None
    assert where(issue) == ("too-deep", 1, 51)
    assert "50 levels" in issue.message
    assert parse_ok("[" * 50 + "]" * 50).data is not None

    block = "a:\n  b:\n    c:\n      d: 1\n"
    _, issue = only_issue(block, limits=Limits(max_depth=3))
    assert where(issue) == ("too-deep", 4, 7)
    assert parse_yaml(block, F, limits=Limits(max_depth=4))[1] == []


def test_pathological_nesting_does_not_crash() -> None:
    """100,000 levels (which would overflow libyaml's recursive composer) are refused quickly."""
    for text in ("[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x\n", "{a: " * 50_000):
        started = time.perf_counter()
        doc, issues = parse_yaml(text, F)
        assert time.perf_counter() - started < 5
        assert doc is None
        assert [i.code for i in issues] == ["too-deep"]


def test_max_depth_is_capped_by_the_composer_limit() -> None:
    """A max_depth beyond 500 is treated as 500."""
    _, issue = only_issue("[" * 600 + "]" * 600, limits=Limits(max_depth=10_000))
    assert where(issue) == ("too-deep", 1, 501)


def test_too_many_nodes() -> None:
    """More values than max_nodes are refused at the first one over the cap."""
    doc, issue = only_issue("a: [1, 2, 3]\nb: [4, 5, 6, 7]\n", limits=Limits(max_nodes=8))
    assert doc is None
    # Counted: the root, keys a and b, their lists, 1 2 3, then 4 is the ninth.
    assert where(issue) == ("too-many-nodes", 2, 5)
    assert "8 keys and values" in issue.message
    assert parse_yaml("a: [1, 2, 3]\nb: [4, 5, 6, 7]\n", F, limits=Limits(max_nodes=12))[1] == []


def test_too_many_nodes_default_limit() -> None:
    """The default cap is 200,000 values."""
    _, issue = only_issue("[" + "1," * 200_000 + "]")
    assert where(issue) == ("too-many-nodes", 1, 400_000)
    assert "more than 200000 keys" in issue.message  # no thousands separator to copy


# --- duplicate keys, aliases, tags, keys -------------------------------------------


def test_duplicate_key() -> None:
    """The second occurrence is reported with the line of the first; the first value is kept."""
    doc, issue = only_issue(
        "name: 施工许可\nsteps:\n  - id: a\n    kind: b\nname: 施工许可证核发\n"
    )
    assert doc is not None
    assert doc.data["name"] == "施工许可"
    assert where(issue) == ("duplicate-key", 5, 1)
    assert "'name'" in issue.message
    assert "line 1" in issue.message
    doc, issues = parse_yaml("steps:\n  - id: a\n    id: b\n", F)
    assert doc is not None
    assert doc.data == {"steps": [{"id": "a"}]}
    assert [where(i) for i in issues] == [("duplicate-key", 3, 5)]
    assert issues[0].path == ("steps", 0, "id")
    assert "line 2" in issues[0].message


def test_duplicate_key_in_flow_mapping_and_quoted() -> None:
    """Quoted and plain spellings of the same key are the same key."""
    _, issue = only_issue("m: {a: 1, 'a': 2}\n")
    assert where(issue) == ("duplicate-key", 1, 11)


def test_alias_is_refused_at_its_position() -> None:
    """Anchors and aliases are refused where they are written, and the data is withheld."""
    doc, issues = parse_yaml("base: &b [x]\nsigners: *b\n", F)
    assert doc is None
    assert [where(i) for i in issues] == [("yaml-alias", 1, 7), ("yaml-alias", 2, 10)]
    assert "'&b'" in issues[0].message
    assert "'*b'" in issues[1].message


def test_undefined_alias() -> None:
    """An alias to nothing is a yaml-alias issue too."""
    doc, issue = only_issue("a: 1\nsigners: *window_staff\n")
    assert doc is None
    assert where(issue) == ("yaml-alias", 2, 10)
    assert "*window_staff" in issue.message


def test_merge_key() -> None:
    """A plain `<<` key is refused; a quoted "<<" is an ordinary key."""
    doc, issue = only_issue("a: 1\nb:\n  <<: {c: 1}\n  d: 2\n")
    assert doc is not None
    assert doc.data == {"a": 1, "b": {"d": 2}}
    assert where(issue) == ("yaml-alias", 3, 3)
    assert "merge" in issue.message
    assert parse_ok("'<<': 1\n").data == {"<<": 1}


def test_billion_laughs_is_rejected_fast() -> None:
    """A 'billion laughs' file is refused in well under a second without expanding it."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    doc, issues = parse_yaml(text, F)
    assert time.perf_counter() - started < 1
    assert doc is None
    assert issues
    assert {i.code for i in issues} == {"yaml-alias"}
    assert len(issues) == 20
    assert where(issues[0]) == ("yaml-alias", 1, 5)
    assert where(issues[2]) == ("yaml-alias", 2, 10)


@pytest.mark.parametrize(
    ("text", "line", "column", "shown"),
    [
        ("a: !!python/object:os.system x\n", 1, 4, "!!python/object:os.system"),
        ("a: 1\nb: !!int 12\n", 2, 4, "!!int"),
        ("a: !!binary aGVsbG8=\n", 1, 4, "!!binary"),
        ("a: !local {b: 1}\n", 1, 4, "!local"),
        ("a: !!map [1]\n", 1, 4, "!!map"),
        ("!!python/name:os.system k: 1\n", 1, 1, "!!python/name:os.system"),
    ],
)
def test_yaml_tag_refused(text: str, line: int, column: int, shown: str) -> None:
    """Explicit tags other than !!str/!!map/!!seq are refused; the value is read untagged."""
    doc, issue = only_issue(text)
    assert doc is not None
    assert where(issue) == ("yaml-tag", line, column)
    assert f"'{shown}'" in issue.message


def test_refused_tag_value_is_read_as_if_untagged() -> None:
    """The data of a refused tag is what the text would mean without it."""
    doc, _ = parse_yaml("a: !!int 12\nb: !!int '12'\nc: !foo {x: 1}\n", F)
    assert doc is not None
    assert doc.data == {"a": 12, "b": "12", "c": {"x": 1}}


def test_standard_structure_tags_allowed() -> None:
    """!!str, !!map and !!seq are accepted."""
    doc = parse_ok("a: !!str 0012\nb: !!map {c: 1}\nd: !!seq [1]\n!!str 5: x\n")
    assert doc.data == {"a": "0012", "b": {"c": 1}, "d": [1], "5": "x"}


def test_undefined_tag_handle_is_a_tag_issue() -> None:
    """A tag with an undeclared handle is refused as a tag."""
    doc, issue = only_issue("a: !x!y 1\n")
    assert doc is None
    assert where(issue) == ("yaml-tag", 1, 4)


def test_non_string_keys() -> None:
    """A list or mapping used as a key is refused at the key and left out of the data."""
    doc, issues = parse_yaml("ok: 1\n[a, b]: 2\n? {c: 1}\n: 3\n", F)
    assert doc is not None
    assert doc.data == {"ok": 1}
    assert [where(i) for i in issues] == [("non-string-key", 2, 1), ("non-string-key", 3, 3)]


# --- documents ---------------------------------------------------------------------


def test_multiple_documents() -> None:
    """A second document is reported at its '---'; the first is still read."""
    doc, issue = only_issue("a: 1\n---\nb: 2\n")
    assert doc is not None
    assert doc.data == {"a": 1}
    assert where(issue) == ("multiple-documents", 2, 1)
    _, issue = only_issue("---\na: 1\n...\n# gap\n--- \nb: 2\n")
    assert where(issue) == ("multiple-documents", 5, 1)


def test_explicit_single_document_is_fine() -> None:
    """One document with explicit '---' and '...' markers is one document."""
    assert parse_ok("---\na: 1\n...\n# trailing comment\n").data == {"a": 1}


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "--- # c\n...\n", b""])
def test_empty_document(text: str | bytes) -> None:
    """An empty or comments-only file gives (None, [empty-document])."""
    doc, issue = only_issue(text)
    assert doc is None
    assert where(issue) == ("empty-document", 1, 1)


def test_scalar_document_is_returned() -> None:
    """A document that is a single value is returned as that value (the schema judges it)."""
    assert parse_ok("just text\n").data == "just text"
    assert parse_ok("~\n").data is None


# --- pure-Python fallback ----------------------------------------------------------


def test_pure_python_composer_gives_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml the same data, positions and issue codes come out."""
    expected = parse_ok(NESTED)
    cases = [
        "a:\n\tb: 1\n",
        "a: 1\na: 2\n",
        "a: *x\n",
        "a: &x 1\n",
        "a: \x07\n",
        "[" * 60 + "]" * 60,
        "a: 1\n---\nb: 2\n",
        "# nothing\n",
        "a: !!int 1\n",
    ]
    with_c = [[where(i) for i in parse_yaml(text, F)[1]] for text in cases]
    monkeypatch.setattr(_yaml, "_Composer", _yaml._PyComposer)
    doc = parse_ok(NESTED)
    assert doc.data == expected.data
    for path in (("steps", 0, "signers", 1), ("matter", "codes", "catalog"), ("steps", 1)):
        assert doc.span(path) == expected.span(path)
        assert doc.key_span(path) == expected.key_span(path)
    assert [[where(i) for i in parse_yaml(text, F)[1]] for text in cases] == with_c


# --- never raises ------------------------------------------------------------------

SAMPLE = """\
matter:
  name: "公司设立登记注册"
  codes: {catalog: '000131127004'}
steps:
  - id: accept
    signers: [窗口, 科长]
    note: |
      text
  - {id: decide, limit: 3}
"""

JUNK = st.sampled_from(
    ["\t", ":", ": ", "'", '"', "-", "- ", "[", "]", "{", "}", "&a ", "*a", "!!", "#", "\n", "?"]
)


@st.composite
def mutated_sample(draw: st.DrawFn) -> str | bytes:
    """The sample with a character deleted, a line doubled, or junk inserted."""
    text = SAMPLE
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "bytes"]))
        where_ = draw(st.integers(0, max(len(text) - 1, 0)))
        if kind == "delete":
            text = text[:where_] + text[where_ + 1 :]
        elif kind == "duplicate":
            lines = text.splitlines(keepends=True)
            index = where_ % len(lines)
            lines.insert(index, lines[index])
            text = "".join(lines)
        elif kind == "insert":
            text = text[:where_] + draw(JUNK) + text[where_:]
    if draw(st.booleans()):
        raw = text.encode()
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=3)) + raw[at:]
    return text


def check_result(doc: YamlDocument | None, issues: list[Issue]) -> None:
    assert doc is not None or issues
    for issue in issues:
        assert issue.span is not None
        assert issue.span.file == F
        assert issue.span.line >= 1
        assert issue.span.column >= 1
    if doc is not None:
        span = doc.span(())
        assert span.line >= 1
        assert span.column >= 1


@given(st.one_of(st.text(), st.binary(), mutated_sample()))
def test_parse_never_raises(source: str | bytes) -> None:
    """Any text or bytes give a document or at least one positioned issue, never an exception."""
    doc, issues = parse_yaml(source, F)
    check_result(doc, issues)


@given(mutated_sample())
def test_positions_exist_for_every_path(source: str | bytes) -> None:
    """Every value of a returned document has a position inside the text."""
    doc, issues = parse_yaml(source, F)
    check_result(doc, issues)
    if doc is None:
        return
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        span = doc.span(path)
        assert span.line >= 1
        assert span.column >= 1
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
