"""The language's service information and example markers (issue 15)."""

from __future__ import annotations

import typing
from pathlib import Path

import pydantic
import pytest

from approval_rules import model
from approval_rules.errors import DefinitionError
from approval_rules.loader import load_catalogue, load_catalogue_text
from approval_rules.model import Department, FeeItem, Matter, OpeningHours, Person, Service

MATTERS = Path(__file__).resolve().parent.parent / "matters"

#: Every block that takes ``example:``.
MARKED = [
    model.Department,
    model.Person,
    model.FeeItem,
    model.TimeLimit,
    model.ResultSpec,
    model.Matter,
    model.Service,
]


def _example_keys(cls: type[pydantic.BaseModel]) -> set[str]:
    """The keys an ``example:`` list of this block may name, read from its annotation."""
    annotation = cls.model_fields["example"].annotation
    found: set[str] = set()

    def walk(node: object) -> None:
        if typing.get_origin(node) is typing.Literal:
            found.update(typing.get_args(node))
        for arg in typing.get_args(node):
            walk(arg)

    walk(annotation)
    return found


@pytest.mark.parametrize("cls", MARKED, ids=lambda c: c.__name__)
def test_example_keys_are_the_blocks_own_keys(cls: type[pydantic.BaseModel]) -> None:
    """An example list can name only keys the block has (so a renamed key cannot be missed)."""
    keys = _example_keys(cls)
    assert keys
    assert keys <= set(cls.model_fields) - {"example", "id", "kind"}


def test_example_true_marks_every_value_and_a_list_only_its_keys() -> None:
    """`example: true` marks the whole block; a list marks only the keys it names."""
    whole = Department(id="d", name="甲", address="××路", example=True)
    some = Department(id="d", name="甲", address="××路", example=["address"])
    none = Department(id="d", name="甲", address="××路")
    assert whole.is_example("name")
    assert whole.is_example("address")
    assert some.is_example("address")
    assert not some.is_example("name")
    assert not none.is_example("address")
    assert not none.is_example("name")


def test_example_marker_refuses_keys_the_block_does_not_have() -> None:
    """A misspelt key in an example list is a validation error, not a silent no-op."""
    with pytest.raises(pydantic.ValidationError):
        Person(id="p", name="王", department="d", example=["titel"])
    with pytest.raises(pydantic.ValidationError):
        FeeItem(id="f", name="费", amount=1, legal_basis={"law": "法"}, example=["price"])


def test_office_hours_must_run_in_order() -> None:
    """A morning session after the afternoon one is refused."""
    OpeningHours(morning="08:30-12:00", afternoon="14:30-17:30")
    with pytest.raises(pydantic.ValidationError, match="in order"):
        OpeningHours(morning="14:30-17:30", afternoon="08:30-12:00")


@pytest.mark.parametrize("number", ["12345", "0717-3236505", "+86-595-12345", "400-800-1234"])
def test_phone_numbers_as_dialled_are_accepted(number: str) -> None:
    """Digits grouped by hyphens, with an optional + country code, are phone numbers."""
    assert Service(consultation_phone=number).consultation_phone == number


@pytest.mark.parametrize("number", ["0717 3236505", "12345转2", "电话", "12", "0717--3236505"])
def test_text_that_is_no_phone_number_is_refused(number: str) -> None:
    """Spaces, words and extensions in words are not published as a phone number."""
    with pytest.raises(pydantic.ValidationError):
        Service(consultation_phone=number)


def test_bundled_catalogue_marks_invented_service_values_as_examples() -> None:
    """Invented addresses and unverified web addresses and phones carry example markers."""
    catalogue = load_catalogue(MATTERS)
    for department in catalogue.departments.values():
        if department.address is not None:
            assert department.is_example("address"), department.id
        if department.website is not None:
            assert department.is_example("website"), department.id
        for key in ("consultation_phone", "complaint_phone"):
            number = getattr(department, key)
            # 12345 is the national government-service hotline; any other number in
            # the bundled catalogue is unverified.
            if number is not None and number != "12345":
                assert department.is_example(key), (department.id, key)
    for matter in catalogue.matters.values():
        assert matter.service is not None, matter.id
        assert matter.application_conditions, matter.id


def test_a_matter_without_service_information_still_loads() -> None:
    """Service information is optional: old catalogues keep loading unchanged."""
    data = {
        "kind": "matter",
        "id": "m",
        "name": "事项",
        "catalogue_code": "1",
        "implementation_code": "1",
        "matter_type": "administrative_license",
        "lead_department": "d",
        "legal_basis": [{"law": "法"}],
        "case_type": "promised",
        "time_limits": {"statutory": {"value": 7}, "promised": {"value": 5}},
        "steps": [{"id": "a", "name": "受理", "kind": "accept", "signers": ["p"]}],
        "result": {"name": "证"},
    }
    matter = Matter.model_validate(data)
    assert matter.service is None
    assert matter.application_conditions == ()
    assert not matter.is_example("catalogue_code")


def test_unknown_service_hall_is_reported_with_a_suggestion() -> None:
    """`service.hall` must name a declared department; the closest one is suggested."""
    defs = (
        "kind: definitions\n"
        "departments:\n  - {id: zwfw, name: 政务服务中心}\n  - {id: zjj, name: 住建局}\n"
        "people:\n  - {id: p, name: 王, department: zjj, backup: q}\n"
        "  - {id: q, name: 李, department: zjj, backup: p}\n"
    )
    matter = (
        "kind: matter\nid: m\nname: 事项\ncatalogue_code: '1'\nimplementation_code: '1'\n"
        "matter_type: administrative_license\nlead_department: zjj\n"
        "legal_basis: [{law: 法}]\ncase_type: promised\n"
        "time_limits: {statutory: {value: 7}, promised: {value: 5}}\n"
        "steps:\n  - {id: a, name: 受理, kind: accept, signers: [p], decides: true}\n"
        "result: {name: 证}\nservice: {hall: zwfu}\n"
    )
    with pytest.raises(DefinitionError) as info:
        load_catalogue_text({"defs.yaml": defs, "m.yaml": matter})
    (issue,) = info.value.issues
    assert issue.code == "unknown-department"
    assert issue.path == ("service", "hall")
    assert issue.hint == "did you mean 'zwfw' (declared in defs.yaml)?"
    assert issue.span is not None
    assert (issue.span.line, issue.span.column) == (14, 17)
