"""The `when:` condition language: parsing, checking, evaluating; never eval."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approval_rules.conditions import (
    MAX_CONDITION_DEPTH,
    MAX_CONDITION_LENGTH,
    ConditionSyntaxError,
    check_condition,
    parse_condition,
)

FIELDS = {
    "floor_area": ("number", ()),
    "applicant_kind": ("choice", ("company", "person")),
    "is_key_project": ("boolean", ()),
    "region": ("text", ()),
}


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("floor_area > 300", {"floor_area": 301}, True),
        ("floor_area > 300", {"floor_area": 300}, False),
        ("floor_area >= 300", {"floor_area": 300}, True),
        ("floor_area <= 300.5", {"floor_area": 300.5}, True),
        ('applicant_kind == "company"', {"applicant_kind": "company"}, True),
        ("applicant_kind != 'company'", {"applicant_kind": "person"}, True),
        ("is_key_project", {"is_key_project": True}, True),
        ("not is_key_project", {"is_key_project": True}, False),
        ('region in ["420582", "420583"]', {"region": "420583"}, True),
        ('region not in ["420582"]', {"region": "420583"}, True),
        (
            'floor_area > 300 and (applicant_kind == "company" or is_key_project)',
            {"floor_area": 500, "applicant_kind": "person", "is_key_project": True},
            True,
        ),
        ("floor_area > 300 or is_key_project and floor_area < 0", {"floor_area": 400}, True),
    ],
)
def test_evaluate(text: str, data: dict[str, object], expected: bool) -> None:
    """Conditions evaluate with the usual precedence: not, then and, then or."""
    assert parse_condition(text).evaluate(data) is expected


def test_missing_field_is_false() -> None:
    """A condition on a field the applicant did not fill in is false, also when negated inside."""
    assert parse_condition("floor_area > 300").evaluate({}) is False
    assert parse_condition("region in ['x']").evaluate({"region": None}) is False
    assert parse_condition("not floor_area > 300").evaluate({}) is True


def test_booleans_are_not_numbers() -> None:
    """true is not 1: a boolean never equals a number."""
    assert parse_condition("floor_area == 1").evaluate({"floor_area": True}) is False


@pytest.mark.parametrize(
    ("text", "offset", "words"),
    [
        ("", 0, "empty"),
        ("floor_area = 3", 11, "use '=='"),
        ("floor_area >", 12, "end of the condition"),
        ("floor_area > company", 13, "put text in quotes"),
        ("(floor_area > 3", 15, "expected ')'"),
        ("floor_area > 3 floor_area", 15, "join conditions"),
        ("a $ b", 2, "unexpected character"),
    ],
)
def test_syntax_errors_have_offsets(text: str, offset: int, words: str) -> None:
    """Syntax errors say what is wrong and where in the text."""
    with pytest.raises(ConditionSyntaxError) as info:
        parse_condition(text)
    assert info.value.offset == offset
    assert words in info.value.message


def test_python_is_never_evaluated() -> None:
    """Text that would be Python is just a syntax error, not executed."""
    with pytest.raises(ConditionSyntaxError):
        parse_condition("__import__('os').system('true')")


def test_check_unknown_field_suggests() -> None:
    """Unknown names are reported with a close match."""
    problems = check_condition(parse_condition("flor_area > 3"), FIELDS)
    assert [p.code for p in problems] == ["unknown-field"]
    assert problems[0].hint == "did you mean 'floor_area'?"


@pytest.mark.parametrize(
    "text",
    [
        'floor_area > "big"',
        "applicant_kind == 'firm'",
        "region",
        "is_key_project == 1",
        "region > 'a'",
    ],
)
def test_check_types(text: str) -> None:
    """Each side of a comparison must fit the declared field type."""
    problems = check_condition(parse_condition(text), FIELDS)
    assert problems
    assert {p.code for p in problems} == {"condition-type"}


@given(st.text(max_size=40))
def test_parser_never_crashes(text: str) -> None:
    """Any text either parses or raises ConditionSyntaxError, nothing else."""
    offset = 0
    try:
        parse_condition(text)
    except ConditionSyntaxError as err:
        offset = err.offset
    assert 0 <= offset <= len(text)


# --- hostile input: bounded depth and length (#14) ----------------------------------------


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("(" * 250 + "is_key_project" + ")" * 250, MAX_CONDITION_LENGTH),
        ("(" * 25 + "is_key_project" + ")" * 25, MAX_CONDITION_DEPTH),
        ("not " * 1000 + "is_key_project", MAX_CONDITION_LENGTH),
        ("not " * 21 + "is_key_project", 4 * MAX_CONDITION_DEPTH),
        ("is_key_project or " * 30 + "is_key_project", MAX_CONDITION_LENGTH),
    ],
    ids=["250 brackets", "25 brackets", "1000 nots", "21 nots", "too long"],
)
def test_hostile_condition_is_a_syntax_error_not_a_recursion_error(text: str, offset: int) -> None:
    """Deep nesting and long text give a ConditionSyntaxError with an offset, no crash."""
    with pytest.raises(ConditionSyntaxError) as info:
        parse_condition(text)
    assert info.value.offset == offset
    assert "nested" in info.value.message or "characters long" in info.value.message


def test_conditions_up_to_the_bounds_still_parse() -> None:
    """Twenty levels of nesting and 500 characters are allowed, and evaluate."""
    deep = "(" * 11 + "not " * 9 + "is_key_project" + ")" * 11  # 20 levels, odd nots
    assert parse_condition(deep).evaluate({"is_key_project": False}) is True
    long = ("is_key_project or " * 30)[: MAX_CONDITION_LENGTH - len("is_key_project")]
    long = long[: long.rfind(" or ") + 4] + "is_key_project"
    assert len(long) <= MAX_CONDITION_LENGTH
    assert parse_condition(long).evaluate({"is_key_project": True}) is True
