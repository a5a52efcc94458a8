"""The guarded loader: folders and files in, a checked Catalogue or one DefinitionError out."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approval_rules import Catalogue, DefinitionError, load_catalogue
from approval_rules.errors import Issue, SourceSpan
from approval_rules.loader import load_catalogue_text

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "valid" / "minimal_matter"
PARALLEL = DATA / "valid" / "parallel_co_review_deem_agreed"


def _texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


def _write(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8", "surrogatepass"))
    return root


def _issues(path: Path | str, root: Path | None = None) -> tuple[Issue, ...]:
    with pytest.raises(DefinitionError) as info:
        load_catalogue(path, root=None if root is None else str(root))
    return info.value.issues


def _outcome(load: Callable[[], Catalogue]) -> Catalogue | tuple[Issue, ...]:
    """The catalogue, or the issues of the DefinitionError raised instead."""
    try:
        return load()
    except DefinitionError as err:
        return err.issues


def _assert_positioned(issues: tuple[Issue, ...], names: set[str]) -> None:
    assert issues
    for issue in issues:
        assert isinstance(issue, Issue)
        assert issue.span is not None, issue
        assert issue.span.file in names, issue
        assert issue.span.line >= 1, issue
        assert issue.span.column >= 1, issue
        assert issue.message, issue


# --- what load_catalogue reads -------------------------------------------------------------


def test_folder_loads_matters_departments_and_people() -> None:
    """A catalogue folder gives mappings from id to matter, department and person."""
    catalogue = load_catalogue(PARALLEL)
    assert isinstance(catalogue, Catalogue)
    assert list(catalogue.matters) == ["outdoor_advertising"]
    assert catalogue.matters["outdoor_advertising"].name == "户外广告设施设置许可"
    assert list(catalogue.departments) == ["zjj", "zrzyj", "scjgj"]
    assert catalogue.departments["zrzyj"].name == "当阳市自然资源和规划局"
    assert catalogue.people["li_ming"].backup == "zhao_li"
    assert set(catalogue.roles) == {"window_clerk", "office_head"}
    assert catalogue.issues == ()


def test_catalogue_mappings_are_read_only() -> None:
    """Nobody can slip an unchecked matter into a loaded catalogue."""
    catalogue = load_catalogue(MINIMAL)
    with pytest.raises(TypeError):
        catalogue.matters["other"] = catalogue.matters["demo_permit"]  # type: ignore[index]


def test_accepts_str_and_path() -> None:
    """The path may be given as text or as a Path."""
    assert load_catalogue(str(MINIMAL)).summary() == load_catalogue(MINIMAL).summary()


def test_single_definitions_file_loads() -> None:
    """A definitions file alone is a catalogue without matters."""
    catalogue = load_catalogue(MINIMAL / "defs.yaml")
    assert catalogue.matters == {}
    assert len(catalogue.people) == 4


def test_single_matter_file_is_checked_alone() -> None:
    """A matter file loaded on its own cannot see the definitions beside it."""
    issues = _issues(MINIMAL / "m.yaml", root=MINIMAL)
    assert {i.code for i in issues} == {"unknown-department", "unknown-person"}
    assert all(i.span is not None and i.span.file == "m.yaml" for i in issues)


def test_nested_folders_and_yml_suffix_are_read() -> None:
    """Files in sub-folders and files ending in .yml are part of the catalogue."""
    catalogue = load_catalogue(DATA / "valid" / "prerequisite_in_nested_folder")
    assert set(catalogue.matters) == {"demo_permit", "land_permit"}
    material = catalogue.matters["demo_permit"].materials[0]
    assert material.satisfied_by == "land_permit"


def test_scenario_and_calendar_files_are_skipped(tmp_path: Path) -> None:
    """Files of kind scenario or calendar_overlay neither add to nor break a catalogue."""
    _write(tmp_path, _texts(MINIMAL))
    _write(
        tmp_path,
        {
            "scenarios/s1.yaml": "kind: scenario\nwhatever: [1, 2]\nsteps: not checked here\n",
            "overlay.yaml": "kind: calendar_overlay\nunknown_key: true\n",
        },
    )
    catalogue = load_catalogue(tmp_path)
    assert list(catalogue.matters) == ["demo_permit"]
    assert catalogue.summary()["matters"] == 1


def test_other_files_in_the_folder_are_ignored(tmp_path: Path) -> None:
    """README files and editor backups beside the YAML files are not read."""
    _write(tmp_path, _texts(MINIMAL))
    _write(tmp_path, {"README.md": "# 说明\n", "m.yaml.bak": "kind: [broken\n"})
    assert list(load_catalogue(tmp_path).matters) == ["demo_permit"]


def test_missing_path_is_a_definition_error(tmp_path: Path) -> None:
    """A path that does not exist is reported, not raised as FileNotFoundError."""
    issues = _issues(tmp_path / "no_such_folder")
    assert [i.code for i in issues] == ["file-not-found"]
    assert "no_such_folder" in issues[0].message


def test_empty_folder_is_a_definition_error(tmp_path: Path) -> None:
    """A folder without any .yaml file is reported as an empty catalogue."""
    _write(tmp_path, {"notes.txt": "nothing here"})
    assert [i.code for i in _issues(tmp_path)] == ["empty-catalogue"]


def test_file_names_are_shown_relative_to_root(tmp_path: Path) -> None:
    """Issue positions name files relative to the given root folder."""
    _write(tmp_path, {"sub/m.yaml": "kind: matter\nid: x\n"})
    issues = _issues(tmp_path, root=tmp_path)
    assert {i.span.file for i in issues if i.span} == {"sub/m.yaml"}


def test_file_names_default_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a root, files below the working directory are named relative to it."""
    _write(tmp_path, {"cat/m.yaml": "kind: matter\nid: x\n"})
    monkeypatch.chdir(tmp_path)
    issues = _issues("cat")
    assert {i.span.file for i in issues if i.span} == {"cat/m.yaml"}


def test_byte_order_mark_and_crlf_are_accepted(tmp_path: Path) -> None:
    """A file saved by Windows Notepad (BOM, CRLF) loads, and columns are not shifted."""
    text = _texts(MINIMAL)["m.yaml"].replace("after: [accept]", "after: [acept]")
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    _write(tmp_path, {"defs.yaml": _texts(MINIMAL)["defs.yaml"], "m.yaml": data})
    (issue,) = _issues(tmp_path, root=tmp_path)
    line = text.splitlines().index("    after: [acept]") + 1
    assert issue.code == "unknown-step"
    assert issue.span == SourceSpan("m.yaml", line, 13)


def test_utf16_file_is_reported_as_encoding(tmp_path: Path) -> None:
    """A file saved as UTF-16 is told apart from other encoding problems."""
    _write(tmp_path, {"m.yaml": "kind: matter\n".encode("utf-16")})
    (issue,) = _issues(tmp_path, root=tmp_path)
    assert issue.code == "encoding"
    assert "UTF-16" in issue.message


def test_file_over_one_megabyte_is_refused(tmp_path: Path) -> None:
    """A file over 1 MB is refused before it is parsed."""
    big = "kind: matter\nnote: |\n" + ("  一行说明文字。\n" * 60_000)
    assert len(big.encode("utf-8")) > 1_000_000
    _write(tmp_path, {"big.yaml": big})
    (issue,) = _issues(tmp_path, root=tmp_path)
    assert issue.code == "file-too-large"
    assert issue.span == SourceSpan("big.yaml", 1, 1)


def test_text_over_one_megabyte_is_refused() -> None:
    """In-memory text over 1 MB is refused like a file."""
    with pytest.raises(DefinitionError) as info:
        load_catalogue_text({"big.yaml": "kind: matter\nnote: " + "x" * 1_000_001 + "\n"})
    assert [i.code for i in info.value.issues] == ["file-too-large"]


def test_too_many_values_are_refused() -> None:
    """A small file with a huge flat list is refused instead of exhausting memory."""
    text = "kind: matter\nnote: [" + "0," * 250_000 + "0]\n"
    with pytest.raises(DefinitionError) as info:
        load_catalogue_text({"many.yaml": text})
    assert [i.code for i in info.value.issues] == ["too-many-nodes"]


def test_deep_nesting_is_refused_without_crashing() -> None:
    """Ten thousand nested lists are reported, not a crash of the interpreter."""
    text = "kind: matter\nnote: " + "[" * 10_000 + "]" * 10_000 + "\n"
    with pytest.raises(DefinitionError) as info:
        load_catalogue_text({"deep.yaml": text})
    assert [i.code for i in info.value.issues] == ["too-deep"]


def test_alias_bomb_is_refused_quickly() -> None:
    """A "billion laughs" file is refused on its aliases, never expanded."""
    lines = ["kind: matter", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 8) + "]")
    with pytest.raises(DefinitionError) as info:
        load_catalogue_text({"bomb.yaml": "\n".join(lines) + "\n"})
    assert {i.code for i in info.value.issues} == {"yaml-alias"}


# --- the Catalogue API ---------------------------------------------------------------------


def test_holders_lists_people_with_a_role_in_declaration_order() -> None:
    """holders() gives everyone holding a role, in the order they were declared."""
    catalogue = load_catalogue(MINIMAL)
    assert [p.id for p in catalogue.holders("window_clerk")] == ["wang_yueqin", "chen_qian"]
    assert catalogue.holders("no_such_role") == ()


def test_signers_of_lists_named_signers_then_role_holders() -> None:
    """signers_of() merges named signers and role holders without repeating anyone."""
    text = _texts(MINIMAL)["m.yaml"].replace(
        "signers: [shen_weidong]", "signers: [wang_wei]\n    signer_roles: [office_head]"
    )
    catalogue = load_catalogue_text({"defs.yaml": _texts(MINIMAL)["defs.yaml"], "m.yaml": text})
    signers = catalogue.signers_of("demo_permit", "decide")
    assert [p.id for p in signers] == ["wang_wei", "shen_weidong"]
    assert [p.id for p in catalogue.signers_of("demo_permit", "accept")] == [
        "wang_yueqin",
        "chen_qian",
    ]


def test_signers_of_unknown_step_raises_key_error() -> None:
    """Asking for a step the matter does not have is a KeyError, as for a matter."""
    catalogue = load_catalogue(MINIMAL)
    with pytest.raises(KeyError):
        catalogue.signers_of("no_such_matter", "accept")
    with pytest.raises(KeyError):
        catalogue.signers_of("demo_permit", "no_such_step")


def test_summary_counts_what_was_read() -> None:
    """summary() counts departments, people, matters, steps and materials."""
    catalogue = load_catalogue(DATA / "valid" / "tolerated_material")
    assert catalogue.summary() == {
        "departments": 1,
        "people": 4,
        "matters": 1,
        "steps": 2,
        "materials": 3,
    }


def test_locate_points_into_the_matter_file() -> None:
    """locate() gives the file position of a value or key inside a matter."""
    catalogue = load_catalogue(MINIMAL, root=str(MINIMAL))
    lines = (MINIMAL / "m.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("    after: [accept]") + 1
    assert catalogue.locate("demo_permit", ("steps", 1, "after", 0)) == SourceSpan(
        "m.yaml", line, 13
    )
    assert catalogue.locate("demo_permit", ("steps", 1, "after"), key=True) == SourceSpan(
        "m.yaml", line, 5
    )
    assert catalogue.locate("demo_permit") == SourceSpan("m.yaml", 1, 1)
    assert catalogue.locate("no_such_matter", ("steps",)) is None


def test_locate_falls_back_to_the_nearest_written_ancestor() -> None:
    """A path to a default value points at the mapping that would hold it."""
    catalogue = load_catalogue(MINIMAL, root=str(MINIMAL))
    step = catalogue.locate("demo_permit", ("steps", 0))
    assert catalogue.locate("demo_permit", ("steps", 0, "on_timeout")) == step


# --- every problem, in one error ------------------------------------------------------------


def test_errors_in_several_files_are_all_reported_sorted(tmp_path: Path) -> None:
    """One DefinitionError lists the problems of every file, sorted by file, line, column."""
    texts = _texts(MINIMAL)
    _write(
        tmp_path,
        {
            "z.yaml": texts["m.yaml"].replace("after: [accept]", "after: [acept]"),
            "y.yaml": texts["m.yaml"].replace("case_type: promised", "case_type: promise"),
            "b/defs.yaml": texts["defs.yaml"].replace("backup: wang_wei", "backup: shen_weidong"),
            "a.yaml": "kind: matter\nname: '未闭合\n",
            "c.yaml": "kind: definitions\ndepartments: []\ndepartments: []\n",
        },
    )
    issues = _issues(tmp_path, root=tmp_path)
    found = [(i.span.file, i.code) for i in issues if i.span]
    assert found == [
        ("a.yaml", "yaml-syntax"),
        ("b/defs.yaml", "self-backup"),
        ("c.yaml", "duplicate-key"),
        ("y.yaml", "bad-choice"),
        ("z.yaml", "unknown-step"),
    ]
    spans = [i.span for i in issues if i.span]
    assert spans == sorted(spans, key=lambda s: (s.file, s.line, s.column))


def test_str_shows_the_first_issue_and_how_many_more(tmp_path: Path) -> None:
    """str(DefinitionError) is the first issue's line plus "(and N more)"."""
    _write(tmp_path, {"a.yaml": "kind: mater\n", "b.yaml": "", "c.yaml": "- 1\n"})
    with pytest.raises(DefinitionError) as info:
        load_catalogue(tmp_path, root=str(tmp_path))
    err = info.value
    assert len(err.issues) == 3
    assert str(err) == f"{err.issues[0]} (and 2 more)"
    assert str(err).startswith("a.yaml:1:7: error[bad-choice]: kind 'mater' is not one of")


def test_str_of_a_single_issue_has_no_count(tmp_path: Path) -> None:
    """With one issue, str(DefinitionError) is just that issue's line."""
    _write(tmp_path, {"a.yaml": "kind: mater\n"})
    with pytest.raises(DefinitionError) as info:
        load_catalogue(tmp_path, root=str(tmp_path))
    assert "more)" not in str(info.value)
    assert str(info.value) == str(info.value.issues[0])


def test_definition_error_is_a_value_error() -> None:
    """Callers that catch ValueError also catch a broken catalogue."""
    with pytest.raises(ValueError, match="kind"):
        load_catalogue_text({"a.yaml": "kind: mater\n"})


# --- nothing else ever escapes --------------------------------------------------------------

GARBAGE: list[str | bytes] = [
    "",
    "\n\n\n",
    "---\n...\n",
    "{",
    "[[[",
    "]",
    "- - - -",
    "kind",
    "kind:",
    "kind: matter",
    "kind: matter\nsteps: [{}]\n",
    "kind: matter\nsteps: [{id: 1, after: {a: b}}]\n",
    "kind: definitions\npeople: [{id: x, backup: x, department: [1]}]\n",
    "kind: definitions\ndepartments: {zjj: 1}\n",
    "kind: matter\ntime_limits: {statutory: {value: .inf}, promised: {value: -0.0}}\n",
    "kind: matter\ntime_limits: {statutory: {value: 1e999}, promised: {value: nan}}\n",
    "kind: matter\nvisits: " + "9" * 5000 + "\n",
    "kind: matter\nid: !!binary aGVsbG8=\n",
    "kind: !!python/name:os.system matter\n",
    "!!python/object/apply:os.system [echo hi]\n",
    "%YAML 2.0\n---\nkind: matter\n",
    "%TAG !x! tag:example.com,2000:\n---\nkind: !x!matter m\n",
    "kind: matter\n? [a, b]\n: c\n",
    "kind: matter\n? {a: b}\n: c\n",
    "kind: matter\n&a x: *a\n",
    "kind: matter\nname: *undefined\n",
    "kind: matter\n<<: *base\n",
    "kind: matter\n<<: [{a: 1}]\n",
    "kind: matter\nsteps:\n  - when: '((((((((((((((((((((('\n",
    "kind: matter\nsteps:\n  - {id: a, when: 'x in []'}\n",
    "kind: matter\n\tname: x\n",
    "kind: matter\nname: \x00\n",
    "kind: matter\nname: \ud800\n",
    "kind: matter\nname: '\U0010ffff'\n",
    "\ufeff\ufeffkind: matter\n",
    "kind: matter\r\x85\u2028\u2029name: x\n",
    b"\xff\xfek\x00i\x00n\x00d\x00",
    b"\xfe\xff\x00k\x00i",
    b"kind: matter\nname: \xe6\x96\n",
    b"\x00\x01\x02\x03",
    b"\xef\xbb\xbf",
    "kind: scenario\n" + "[" * 600,
    "kind: calendar_overlay\n" + "- " * 600 + "x\n",
    "kind: matter\nnote: " + "[" * 49 + "]" * 49 + "\n",
    "kind: matter\n" + "".join(f"{' ' * i}k{i}:\n" for i in range(120)),
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gives_definition_error_or_catalogue(garbage: str | bytes, tmp_path: Path) -> None:
    """Garbage in a file gives positioned issues: no YAML, pydantic or other exception."""
    _write(tmp_path, {"g.yaml": garbage})
    outcomes = [_outcome(lambda: load_catalogue(tmp_path, root=str(tmp_path)))]
    if isinstance(garbage, str):
        outcomes.append(_outcome(lambda: load_catalogue_text({"g.yaml": garbage})))
    for outcome in outcomes:
        if not isinstance(outcome, Catalogue):
            _assert_positioned(outcome, {"g.yaml"})


# --- Hypothesis: mutated catalogues ---------------------------------------------------------

SOURCES = _texts(PARALLEL)

JUNK_VALUES = [
    "",
    "[]",
    "{}",
    "0",
    "-1",
    "1.5",
    "1e999",
    "000123",
    "0x1F",
    ".inf",
    "no",
    "on",
    "1:30",
    "2024-02-30",
    "~",
    "true",
    "'x'",
    '"',
    "'",
    "[a, b",
    "{a: 1",
    "*x",
    "&x y",
    "!!int 5",
    "!!binary aGk=",
    "|",
    ">-",
    "- a",
    "? a",
    "@x",
    "a: b: c",
    "matter",
    "definitions",
    "scenario",
    "floor_area > 300",
    "[accept, accept]",
    "[zjj, zjj]",
    "wang_wei",
    "{value: 30, unit: hours}",
    "{value: 0.5}",
]
JUNK_PIECES = (
    st.sampled_from(
        [
            "\x00",
            "\x07",
            "\t",
            "\r",
            "\r\n",
            "\x85",
            "\u2028",
            "\ufeff",
            "\ud800",
            ":",
            ": ",
            "- ",
            "#",
            "&",
            "*",
            "!",
            "|",
            ">",
            "'",
            '"',
            "[",
            "{",
            "]",
            "}",
            ",",
            "%",
            "@",
            "`",
            " ",
            "\n",
            "---\n",
            "<<: ",
        ]
    )
    | st.characters()
)
JUNK = st.lists(JUNK_PIECES, min_size=1, max_size=6).map("".join)
KEY_NAMES = st.sampled_from(
    ["id", "name", "kind", "steps", "after", "signers", "value", "unit", "<<", "? x", "名称"]
) | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8)

INDEX = st.integers(min_value=0, max_value=10_000)
MUTATIONS = st.one_of(
    st.tuples(st.just("delete"), INDEX),
    st.tuples(st.just("duplicate"), INDEX),
    st.tuples(st.just("retype"), INDEX, st.sampled_from(JUNK_VALUES)),
    st.tuples(st.just("rename"), INDEX, KEY_NAMES),
    st.tuples(st.just("truncate"), INDEX),
    st.tuples(st.just("inject"), INDEX, JUNK),
    st.tuples(st.just("swap"), INDEX, INDEX),
    st.tuples(st.just("indent"), INDEX, st.sampled_from(["", " ", "  ", "    ", "\t", "   -"])),
)


def _mutate(text: str, mutation: tuple[Any, ...]) -> str:
    """Apply one mutation to YAML text (line-based, indices taken modulo the length)."""
    op = mutation[0]
    lines = text.split("\n")
    i = int(mutation[1]) % max(len(lines), 1)
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "retype":
        key, sep, _ = lines[i].partition(": ")
        lines[i] = f"{key}{sep or ': '}{mutation[2]}"
    elif op == "rename":
        indent = len(lines[i]) - len(lines[i].lstrip(" -"))
        _, sep, value = lines[i].partition(":")
        lines[i] = f"{lines[i][:indent]}{mutation[2]}{sep}{value}"
    elif op == "truncate":
        return text[: int(mutation[1]) % (len(text) + 1)]
    elif op == "inject":
        at = int(mutation[1]) % (len(text) + 1)
        return text[:at] + str(mutation[2]) + text[at:]
    elif op == "swap":
        j = int(mutation[2]) % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent":
        lines[i] = str(mutation[2]) + lines[i].lstrip(" ")
    return "\n".join(lines)


@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(SOURCES)), MUTATIONS),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_catalogue_loads_or_reports_positioned_issues(
    mutations: list[tuple[str, tuple[Any, ...]]],
) -> None:
    """Whatever is done to a valid catalogue's YAML, loading it loads or explains where."""
    sources = dict(SOURCES)
    for name, mutation in mutations:
        sources[name] = _mutate(sources[name], mutation)
    outcome = _outcome(lambda: load_catalogue_text(sources))
    if isinstance(outcome, Catalogue):
        assert all(not i.is_error for i in outcome.issues)
    else:
        assert any(i.span and i.span.line >= 1 and i.span.column >= 1 for i in outcome), outcome
        _assert_positioned(outcome, set(sources))


def test_mutations_do_change_the_text() -> None:
    """The mutation helper really breaks things (guards the property test above)."""
    text = SOURCES["m.yaml"]
    assert _mutate(text, ("delete", 0)) != text
    assert _mutate(text, ("retype", 0, "definitions")).startswith("kind: definitions")
    assert _mutate(text, ("rename", 1, "ident")).split("\n")[1] == "ident: outdoor_advertising"
    assert _mutate(text, ("truncate", 10)) == text[:10]
    assert _mutate(text, ("indent", 0, "\t")) == "\t" + text


# --- issue #14: bounds, blank names, materials, departments, messages ----------------------


def _minimal_with(replace: str, by: str) -> dict[str, str]:
    texts = _texts(MINIMAL)
    assert replace in texts["m.yaml"]
    texts["m.yaml"] = texts["m.yaml"].replace(replace, by)
    return texts


@pytest.mark.parametrize(
    ("replace", "by", "path", "words"),
    [
        ("statutory: {value: 7}", "statutory: {value: 999999}", "time_limits.statutory.value",
         "999999 must be at most 2000"),
        ("statutory: {value: 7}", "statutory: {value: 1e9}", "time_limits.statutory.value",
         "1000000000 must be at most 2000"),
        ("statutory: {value: 7}", "statutory: {value: 251}", "time_limits.statutory",
         "at most 250 working days"),
        ("promised: {value: 5}", "promised: {value: 5}\n  extension: {value: 100000000, "
         "approved_by: office_head}", "time_limits.extension.value", "must be at most 60"),
        ("name: 示例许可证", "name: 示例许可证\n  validity: {value: 10000000000, unit: days}",
         "result.validity.value", "must be at most 36600"),
        ("name: 示例许可证", "name: 示例许可证\n  validity: {value: 1201, unit: months}",
         "result.validity", "at most 1200 months"),
    ],
    ids=["limit 999999", "limit 1e9", "limit 251", "extension 1e8", "validity 1e10",
         "validity 1201 months"],
)  # fmt: skip
def test_hostile_input_numbers_are_bounded(replace: str, by: str, path: str, words: str) -> None:
    """Limits, extensions and validities no calendar can count are refused where written."""
    issues = _outcome(lambda: load_catalogue_text(_minimal_with(replace, by)))
    assert isinstance(issues, tuple)
    [issue] = issues
    assert issue.code in {"out-of-range", "invalid-combination"}
    assert issue.message.startswith(f"{path}: ")
    assert words in issue.message
    assert not re.search(r"\d,\d", issue.message)  # no thousands separators to copy
    assert issue.span is not None


def test_hostile_input_bounds_up_to_the_limit_are_accepted() -> None:
    """250 working days, a 60-day extension and a hundred years are still allowed."""
    texts = _minimal_with(
        "statutory: {value: 7}\n  promised: {value: 5}",
        "statutory: {value: 250}\n  promised: {value: 5}\n"
        "  extension: {value: 60, approved_by: office_head}",
    )
    texts["m.yaml"] = texts["m.yaml"].replace(
        "name: 示例许可证", "name: 示例许可证\n  validity: {value: 100, unit: years}"
    )
    matter = load_catalogue_text(texts).matters["demo_permit"]
    assert matter.time_limits.statutory.value == 250
    assert matter.result.validity is not None


@pytest.mark.parametrize(
    "name",
    ['"   "', '"\\u200b\\u200b"', '"\\u3000"', '"\\ufeff\\u2060 "', '"\\u00ad"'],
    ids=["spaces", "zero-width spaces", "ideographic space", "bom and word joiner", "soft hyphen"],
)
def test_hostile_input_names_of_only_spaces_or_zero_width_characters(name: str) -> None:
    """A name with no visible character is an empty-value issue at the name."""
    issues = _outcome(lambda: load_catalogue_text(_minimal_with("name: 受理", f"name: {name}")))
    assert isinstance(issues, tuple)
    assert [(i.code, i.path) for i in issues] == [("empty-value", ("steps", 0, "name"))]
    assert "no visible character" in issues[0].message


def test_hostile_input_ids_names_and_lists_have_lengths() -> None:
    """Over-long ids, names and lists are too-long issues naming the bound."""
    long_id = "a" * 65
    texts = _minimal_with("id: decide", f"id: {long_id}")
    texts["m.yaml"] = texts["m.yaml"].replace("name: 示例许可\n", "name: " + "许" * 201 + "\n")
    texts["m.yaml"] = texts["m.yaml"].replace(
        "signers: [shen_weidong]", "signers: [" + ", ".join(["shen_weidong"] * 101) + "]"
    )
    issues = _outcome(lambda: load_catalogue_text(texts))
    assert isinstance(issues, tuple)
    assert sorted((i.code, i.path, i.message) for i in issues) == [
        ("too-long", ("name",), "name has 201 characters, more than the 200 allowed"),
        ("too-long", ("steps", 1, "id"), "steps[1].id has 65 characters, more than the 64 allowed"),
        ("too-long", ("steps", 1, "signers"),
         "steps[1].signers has 101 items, more than the 100 allowed"),
    ]  # fmt: skip


def test_materials_jpeg_and_jpg_are_one_file_type() -> None:
    """Declared file types are written in one spelling: jpeg is jpg, tif is tiff."""
    texts = _minimal_with(
        "result:",
        "materials:\n  - id: scan\n    name: 扫描件\n"
        "    electronic: {file_types: [jpeg, jpg, tif, pdf, jfif]}\nresult:",
    )
    material = load_catalogue_text(texts).matters["demo_permit"].materials[0]
    assert material.electronic is not None
    assert material.electronic.file_types == ("jpg", "tiff", "pdf")


def test_materials_form_both_means_paper_and_electronic_and_either_is_the_default() -> None:
    """both requires both forms; either is the default; paper cannot carry file rules."""
    from approval_rules.model import MaterialForm

    texts = _minimal_with(
        "result:",
        "materials:\n  - {id: a, name: 申请表}\n  - {id: b, name: 图纸, form: both}\n"
        "  - {id: c, name: 原件, form: paper, electronic: {file_types: [jpg]}}\nresult:",
    )
    issues = _outcome(lambda: load_catalogue_text(texts))
    assert isinstance(issues, tuple)
    assert [(i.code, i.path) for i in issues] == [("invalid-combination", ("materials", 2))]
    assert "form: paper" in issues[0].message
    del texts["m.yaml"]
    texts["m.yaml"] = _minimal_with(
        "result:",
        "materials:\n  - {id: a, name: 申请表}\n  - {id: b, name: 图纸, form: both}\nresult:",
    )["m.yaml"]
    forms = [m.form for m in load_catalogue_text(texts).matters["demo_permit"].materials]
    assert forms == [MaterialForm.EITHER, MaterialForm.BOTH]


DEFS_TWO_DEPARTMENTS = """\
kind: definitions
departments:
  - {id: zjj, name: 当阳市住房和城乡建设局}
  - {id: zwfw, name: 当阳市政务服务中心}
people:
  - {id: wang, name: 王月琴, department: zjj, backup: tian}
  - {id: tian, name: 田甜, department: zwfw, backup: deng}
  - {id: deng, name: 邓琳, department: zwfw, backup: tian}
"""


def test_departments_backup_in_another_department_is_refused() -> None:
    """An AB岗 backup from another department is an error at the backup entry."""
    issues = _outcome(lambda: load_catalogue_text({"d.yaml": DEFS_TWO_DEPARTMENTS}))
    assert isinstance(issues, tuple)
    assert [(i.code, i.path) for i in issues] == [
        ("backup-other-department", ("people", 0, "backup"))
    ]
    assert "acts_for: [zjj]" in (issues[0].hint or "")


def test_departments_backup_with_acts_for_is_allowed() -> None:
    """A backup who may act for the department (acts_for) is a legitimate AB岗."""
    text = DEFS_TWO_DEPARTMENTS.replace(
        "department: zwfw, backup: deng}", "department: zwfw, backup: deng, acts_for: [zjj]}"
    )
    catalogue = load_catalogue_text({"d.yaml": text})
    assert catalogue.people["tian"].acts_for == ("zjj",)
    typo = text.replace("acts_for: [zjj]", "acts_for: [zjjj]")
    issues = _outcome(lambda: load_catalogue_text({"d.yaml": typo}))
    assert isinstance(issues, tuple)
    assert {i.code for i in issues} == {"unknown-department", "backup-other-department"}


def test_messages_not_declared_names_the_file_and_the_closest_name(tmp_path: Path) -> None:
    """Every unknown reference names where it would be declared and the closest id."""
    _write(tmp_path, _texts(MINIMAL))
    text = (tmp_path / "m.yaml").read_text(encoding="utf-8")
    text = text.replace("signers: [shen_weidong]", "signers: [shen_weidon, zhang_san]")
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    issues = _issues(tmp_path, root=tmp_path)
    hints = {i.message.split(": ", 1)[0]: i.hint for i in issues}
    assert hints == {
        "steps[1].signers[0]": "did you mean 'shen_weidong' (declared in defs.yaml)?",
        "steps[1].signers[1]": "declare person 'zhang_san' in defs.yaml; the closest "
        "declared person is 'wang_yueqin'",
    }
