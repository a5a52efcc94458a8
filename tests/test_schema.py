"""The published JSON Schemas: fresh, valid, and in agreement with the model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from approval_rules._yaml import YamlDocument, read_yaml_file
from approval_rules.errors import DefinitionError, Issue
from approval_rules.loader import load_catalogue
from approval_rules.model import Matter, Money
from approval_rules.model_money import MONEY_TEXT_PATTERN
from approval_rules.schema import _draft07, all_schema_names, lint, schema_text

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
MATTERS = ROOT / "matters"
DATA = Path(__file__).parent / "data"

#: kind → published schema file, for every kind a schema is published for.
KIND_SCHEMAS = {
    "matter": "matter.schema.json",
    "definitions": "catalogue.schema.json",
    "scenario": "scenario.schema.json",
    "calendar_overlay": "calendar_overlay.schema.json",
    "supervision": "supervision.schema.json",
    "notifications": "notifications.schema.json",
    "keys": "keys.schema.json",
}
MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\s*")

#: Loader codes that come from checking one file against the model's shape; the
#: published schema must reject those files too.
SHAPE_CODES = {
    "unknown-key",
    "wrong-type",
    "missing-key",
    "bad-choice",
    "bad-id",
    "bad-format",
    "empty-value",
    "out-of-range",
}


def _read(path: Path, display: str) -> YamlDocument:
    doc, issues = read_yaml_file(path, display)
    assert doc is not None, issues
    return doc


def _kind(doc: YamlDocument) -> str | None:
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    return kind if isinstance(kind, str) else None


def _published_kinds() -> dict[str, str]:
    names = set(all_schema_names())
    return {kind: name for kind, name in KIND_SCHEMAS.items() if name in names}


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml"))


def _valid_files() -> list[Path]:
    return [p for case in sorted((DATA / "valid").iterdir()) for p in _yaml_files(case)]


def _invalid_cases() -> list[Path]:
    folder = DATA / "invalid"
    return sorted([p for p in folder.iterdir() if p.is_dir()] + list(folder.glob("*.yaml")))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- the checked-in schemas -----------------------------------------------------------------


@pytest.mark.parametrize("name", all_schema_names())
def test_checked_in_schema_is_fresh(name: str) -> None:
    """schemas/<name> is exactly what the model generates today."""
    path = SCHEMAS / name
    stale = "run `approval-rules schema --write schemas` and commit the result"
    assert path.exists(), f"schemas/{name} is missing; {stale}"
    assert path.read_text(encoding="utf-8") == schema_text(name), (
        f"schemas/{name} is stale; {stale}"
    )


def test_no_schema_file_is_left_over() -> None:
    """Every file in schemas/ is one the package still publishes."""
    published = set(all_schema_names())
    assert {p.name for p in SCHEMAS.glob("*.json")} <= published


@pytest.mark.parametrize("name", all_schema_names())
def test_schema_is_a_valid_json_schema(name: str) -> None:
    """Each published schema passes its own metaschema, so editors can use it."""
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


# --- bundled and valid files validate -------------------------------------------------------


BUNDLED = _yaml_files(MATTERS)
#: Bundled files of a kind a schema is published for; scenario and calendar-overlay
#: files join in once their schemas are published.
WITH_SCHEMA = [p for p in BUNDLED if _kind(_read(p, _rel(p))) in _published_kinds()]


def test_there_are_bundled_matters() -> None:
    """The real catalogue is there to be checked."""
    kinds = [_kind(_read(p, _rel(p))) for p in WITH_SCHEMA]
    assert kinds.count("matter") >= 6
    assert "definitions" in kinds


def test_bundled_files_without_a_schema_are_scenarios_or_overlays() -> None:
    """Every bundled file has a published schema unless it is a scenario or an overlay."""
    others = {_rel(p): _kind(_read(p, _rel(p))) for p in BUNDLED if p not in WITH_SCHEMA}
    assert set(others.values()) <= {"scenario", "calendar_overlay"}, others


@pytest.mark.parametrize("path", WITH_SCHEMA, ids=lambda p: p.name)
def test_bundled_file_validates_against_its_schema(path: Path) -> None:
    """Every bundled YAML file passes the published schema, checked with jsonschema."""
    doc = _read(path, _rel(path))
    assert [str(i) for i in lint(doc, _published_kinds())] == []


@pytest.mark.parametrize("path", WITH_SCHEMA, ids=lambda p: p.name)
def test_bundled_file_names_its_schema_on_the_first_line(path: Path) -> None:
    """The first line tells VS Code which existing schema gives completion and hover help."""
    kind = _kind(_read(path, _rel(path)))
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.fullmatch(first)
    assert match, f"{path.name}: first line is {first!r}, not '# yaml-language-server: $schema=…'"
    target = (path.parent / match.group(1)).resolve()
    assert target.is_file(), f"{path.name}: {match.group(1)} does not exist"
    assert target.parent == SCHEMAS.resolve()
    assert target.name == _published_kinds()[kind], f"{path.name} is a {kind} file"


@pytest.mark.parametrize("path", _valid_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_case_validates_against_its_schema(path: Path) -> None:
    """Every file of every valid test catalogue also passes the published schema."""
    doc = _read(path, path.name)
    assert [str(i) for i in lint(doc, _published_kinds())] == []


# --- the schema and the model agree ---------------------------------------------------------


def _shape_issues(case: Path) -> dict[str, list[Issue]]:
    """The loader's single-file shape issues of an invalid case, by file."""
    root = case if case.is_dir() else case.parent
    try:
        load_catalogue(case, root=str(root))
    except DefinitionError as err:
        issues = err.issues
    else:  # pragma: no cover - every invalid case raises
        raise AssertionError(f"{case.name} loads without errors")
    found: dict[str, list[Issue]] = {}
    for issue in issues:
        if issue.code in SHAPE_CODES and issue.span is not None and issue.path != ("kind",):
            found.setdefault(issue.span.file, []).append(issue)
    return found


def _differential_cases() -> list[tuple[Path, str]]:
    cases = []
    for case in _invalid_cases():
        for file in sorted(_shape_issues(case)):
            root = case if case.is_dir() else case.parent
            doc, _ = read_yaml_file(root / file, file)
            if doc is not None and _kind(doc) in _published_kinds():
                cases.append((case, file))
    return cases


DIFFERENTIAL = _differential_cases()


def test_differential_corpus_is_large_enough() -> None:
    """Enough invalid cases exercise the schema/model agreement to mean something."""
    assert len(DIFFERENTIAL) >= 25


@pytest.mark.parametrize(
    ("case", "file"), DIFFERENTIAL, ids=[f"{c.stem}/{f}" for c, f in DIFFERENTIAL]
)
def test_schema_rejects_what_the_model_rejects(case: Path, file: str) -> None:
    """A file the model rejects for its shape, the published schema rejects at the same place."""
    root = case if case.is_dir() else case.parent
    doc = _read(root / file, file)
    linted = lint(doc, _published_kinds())
    assert linted, f"the schema accepts {case.name}/{file}, which the loader rejects"
    for issue in _shape_issues(case)[file]:
        assert any(issue.path[: len(found.path)] == found.path for found in linted), (
            f"{issue} has no schema problem at or above {issue.path}: {[str(i) for i in linted]}"
        )


# --- the same text whatever the pydantic release ----------------------------------------


def _walk(node: object) -> list[dict[str, object]]:
    found = []
    stack = [node]
    while stack:
        each = stack.pop()
        if isinstance(each, dict):
            found.append(each)
            stack.extend(each.values())
        elif isinstance(each, list):
            stack.extend(each)
    return found


@pytest.mark.parametrize("name", all_schema_names())
def test_published_schema_has_one_form(name: str) -> None:
    """The forms pydantic releases disagree on are written one way: a `$ref` stands alone
    (draft-07 ignores its siblings) and a numeric bound is an integer where it is whole."""
    for node in _walk(json.loads(schema_text(name))):
        if "$ref" in node:
            assert set(node) == {"$ref"}, node
        for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            value = node.get(bound)
            assert not (isinstance(value, float) and value.is_integer()), node


def test_draft07_brings_release_forms_together() -> None:
    """What pydantic 2.7 and 2.14 write differently comes out the same."""
    old = {"allOf": [{"$ref": "#/$defs/Unit"}], "default": "working_days", "minimum": 0.0}
    new = {"$ref": "#/$defs/Unit", "default": "working_days", "minimum": 0}
    assert _draft07(old) == _draft07(new)
    assert json.dumps(_draft07(old)) == json.dumps(_draft07(new))
    assert _draft07(new) == {
        "allOf": [{"$ref": "#/definitions/Unit"}],
        "default": "working_days",
        "minimum": 0,
    }


def test_fields_keep_the_model_order() -> None:
    """Sorting keys leaves a mapping's fields in the order the model declares them."""
    schema = json.loads(schema_text("matter.schema.json"))
    assert list(schema["properties"]) == list(Matter.model_fields)


# --- money ---------------------------------------------------------------------------


def _fee_file(amount: object) -> dict[str, object]:
    path = MATTERS / "definitions_dangyang.yaml"
    doc = _read(path, _rel(path))
    data = json.loads(json.dumps(doc.data))  # a deep copy
    fee = data["fee_items"][0]
    fee.pop("rate", None)
    fee.pop("per_field", None)
    fee["amount"] = amount
    return data


def _schema_accepts(data: dict[str, object]) -> bool:
    schema = json.loads((SCHEMAS / "catalogue.schema.json").read_text(encoding="utf-8"))
    return not list(jsonschema.Draft7Validator(schema).iter_errors(data))


def _model_accepts(amount: object) -> bool:
    try:
        TypeAdapter(Money).validate_python(amount)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    "amount",
    [0, 10, 10.5, 200.00, 100_000_000, "200.00", "12.5", "+3", ".5", "0", "0099.9", "100000000.00"],
)
def test_money_the_model_accepts_the_schema_accepts(amount: object) -> None:
    """Amounts written as numbers or plain decimal text pass the editor's schema and the model."""
    assert _model_accepts(amount)
    assert _schema_accepts(_fee_file(amount))


@pytest.mark.parametrize(
    "amount", [-1, -0.01, 100_000_001, "-5", "ten", "12,5", "", True, "1.234", "100000000.01"]
)
def test_money_the_model_refuses_the_schema_refuses(amount: object) -> None:
    """Below 0, above 1亿, text that is no number or too many decimal places: both refuse."""
    assert not _model_accepts(amount)
    assert not _schema_accepts(_fee_file(amount))


@given(st.from_regex(MONEY_TEXT_PATTERN, fullmatch=True))
def test_every_money_text_the_schema_allows_is_accepted(text: str) -> None:
    """The schema's pattern never lets through text that the loader would refuse."""
    assert _model_accepts(text)
