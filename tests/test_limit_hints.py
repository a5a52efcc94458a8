"""A time limit with a fraction (#14 review, defect 4): the hint is the YAML that passes.

``time_limit: {value: 4.5}`` used to get the hint "write 0.5 working days", which does
not fix anything.  The hint is now the mapping to paste over the limit (``{value: 9,
unit: half_days}``), exact when it can be, and rounded down, said so, when it cannot.
Like tests/test_checks_time.py, the tests paste each hint into the file and check again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approval_rules.compiler import check_catalogue
from approval_rules.errors import DefinitionError, Issue
from approval_rules.loader import load_catalogue_text
from approval_rules.model_choices import Unit
from approval_rules.model_limits import rewrite_limit

DEFS = (
    Path(__file__).parent / "data" / "invalid" / "time_limit_not_whole" / "defs.yaml"
).read_text(encoding="utf-8")

MATTER = """\
kind: matter
id: demo_permit
name: 示例许可
catalogue_code: "000131127004"
implementation_code: "11420582MB1234567X4000131127004"
matter_type: administrative_license
lead_department: zjj
legal_basis:
  - law: 中华人民共和国建筑法
    article: 第八条
case_type: {case_type}
time_limits:
  statutory: {statutory}
  promised: {promised}
steps:
  - id: accept
    name: 受理
    kind: accept
    signers: [wang_yueqin, chen_qian]
    time_limit: {step}
  - id: decide
    name: 决定
    kind: decide
    signers: [shen_weidong]
    after: [accept]
    decides: true
result:
  name: 示例许可证
"""

HINT = re.compile(r"^write (?P<mapping>\{value: [0-9.]+(?:, unit: \w+)?\})")
_HOURS = {"working_days": 8, "half_days": 4, "hours": 1}


def _text(
    step: str = "{value: 1}",
    promised: str = "{value: 10}",
    statutory: str = "{value: 20}",
    case_type: str = "promised",
) -> str:
    return MATTER.format(case_type=case_type, statutory=statutory, promised=promised, step=step)


def _check(text: str) -> list[Issue]:
    try:
        catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": text})
    except DefinitionError as err:
        return list(err.issues)
    return [*catalogue.issues, *check_catalogue(catalogue)]


def _errors(text: str) -> list[Issue]:
    return [i for i in _check(text) if i.severity == "error"]


def _paste_hint(text: str, written: str) -> tuple[str, Issue]:
    """The file with the fraction's hint pasted over ``written``, and the issue."""
    (issue,) = _errors(text)
    assert issue.code == "invalid-combination"
    assert "is not a whole number" in issue.message
    found = HINT.match(issue.hint or "")
    assert found, issue.hint
    assert text.count(written) == 1
    return text.replace(written, found["mapping"]), issue


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("{value: 4.5}", "write {value: 9, unit: half_days} (4.5 working days are 9 half days)"),
        ("{value: 4.25}", "write {value: 34, unit: hours} (4.25 working days are 34 hours)"),
        ("{value: 2.5, unit: half_days}", "write {value: 10, unit: hours}"),
    ],
)
def test_step_limit_hint_is_the_exact_limit_to_write(written: str, hint: str) -> None:
    """4.5 working days on a step: the hint is 9 half days, and pasted it passes."""
    text = _text(step=written)
    fixed, issue = _paste_hint(text, written)
    assert issue.path == ("steps", 0, "time_limit")
    assert issue.hint is not None
    assert issue.hint.startswith(hint)
    assert "0.5 working days" not in issue.hint
    assert _errors(fixed) == []


@pytest.mark.parametrize(
    ("written", "rounded"),
    [
        ("{value: 4.3}", "rounded down to 4 working days"),
        ("{value: 4.7}", "rounded down to 9 half days"),
        ("{value: 2.3, unit: half_days}", "rounded down to 2 half days"),
        ("{value: 2.5, unit: hours}", "rounded down to 2 hours"),
        ("{value: 0.1}", "rounded up to 1 hour, the shortest limit there is"),
    ],
)
def test_step_limit_not_whole_half_days_is_rounded_and_says_so(written: str, rounded: str) -> None:
    """4.3 working days is no whole number of half days: rounded down, and the hint says so."""
    fixed, issue = _paste_hint(_text(step=written), written)
    assert issue.hint is not None
    assert rounded in issue.hint
    assert _errors(fixed) == []


def test_promised_matter_limit_hint_is_whole_working_days() -> None:
    """A promised matter's own limit in 4.5 working days: half days would be refused there,
    so the hint rounds down to whole working days and names the immediate-matter way."""
    written = "{value: 4.5}"
    fixed, issue = _paste_hint(_text(promised=written), written)
    assert issue.path == ("time_limits", "promised")
    assert issue.hint is not None
    assert issue.hint.startswith("write {value: 4} (a promised matter's own limits")
    assert "rounded down to 4 working days" in issue.hint
    assert "case_type: immediate and write {value: 9, unit: half_days}" in issue.hint
    assert _errors(fixed) == []


def test_immediate_matter_limit_hint_uses_half_days() -> None:
    """On an immediate matter the same 1.5 working days become 3 half days, exactly."""
    written = "{value: 1.5}"
    text = _text(case_type="immediate", statutory="{value: 2}", promised=written, step="{value: 1}")
    fixed, issue = _paste_hint(text, written)
    assert issue.hint is not None
    assert issue.hint.startswith("write {value: 3, unit: half_days}")
    assert _errors(fixed) == []


def test_hint_names_the_other_keys_to_keep() -> None:
    """A limit with an explanation: the hint says to keep it beside the new value."""
    written = "{value: 4.5, explanation: 四个半工作日}"
    (issue,) = _errors(_text(step=written))
    assert issue.hint is not None
    assert issue.hint.startswith("write {value: 9, unit: half_days}, keeping explanation")


_STEP_VALUES = st.integers(min_value=1, max_value=159).map(lambda n: n / 20)
_STEP_UNITS = st.sampled_from(["working_days", "half_days", "hours"])


@given(value=_STEP_VALUES, unit=_STEP_UNITS)
def test_any_fractional_step_limit_hint_passes_and_never_lengthens(value: float, unit: str) -> None:
    """Any fraction on a step: the pasted hint passes, is exact or rounded down (never
    longer than written unless nothing shorter exists), and the hint says which."""
    if value.is_integer():
        return
    written = f"{{value: {value:g}, unit: {unit}}}"
    fixed, issue = _paste_hint(_text(step=written, promised="{value: 20}"), written)
    assert _errors(fixed) == []
    new = rewrite_limit(value, Unit(unit), sub_day_units=True)
    assert new is not None
    before, after = value * _HOURS[unit], new.value * _HOURS[new.unit.value]
    assert issue.hint is not None
    if new.exact:
        assert after == pytest.approx(before)
        assert " are " in issue.hint
    elif after > before:
        assert "rounded up" in issue.hint
        assert "shortest limit" in issue.hint
        assert after == 1  # one hour
    else:
        assert "rounded down" in issue.hint
