"""Time feasibility (checks_time.py): every hint is the number that makes its check pass.

Issue #14: with joint review the co-review hint suggested 9.5 working days where 7 was
the real maximum.  The hints are now worked out from the same critical-path analysis
the checks use; the properties below apply each hint to the matter and check again.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approval_rules.checks_base import cover_limit, fit_limit
from approval_rules.compiler import check_matter
from approval_rules.errors import Issue
from approval_rules.loader import load_catalogue_text
from approval_rules.model import Matter, Unit
from approval_rules.testing import matter_catalogue, matters

_UNITS = {
    "working day": "working_days",
    "half day": "half_days",
    "hour": "hours",
    "calendar day": "calendar_days",
}
_AMOUNT = r"(?P<value>[0-9.]+) (?P<unit>working day|half day|hour|calendar day)s?"
GIVE = re.compile(rf"give '(?P<step>\w+)' at most {_AMOUNT}")
PROMISE = re.compile(rf"promise at least {_AMOUNT}")
REDUCE = re.compile(r"cut the promise by at most (?P<value>[0-9.]+)")

TIME_CODES = {
    "step-limit-exceeds-promised",
    "critical-path-exceeds-promised",
    "co-review-overruns-decision",
    "green-channel-infeasible",
}


def _issues(matter: Matter) -> list[Issue]:
    return [i for i in check_matter(matter, matter_catalogue(matter)) if i.code in TIME_CODES]


def _limit(value: str, unit: str) -> dict[str, Any]:
    number = float(value)
    return {"value": int(number) if number.is_integer() else number, "unit": _UNITS[unit]}


def _with(matter: Matter, change: Any) -> Matter:
    data = matter.model_dump(mode="json")
    change(data)
    return Matter.model_validate(data)


def _apply(matter: Matter, issue: Issue) -> tuple[Matter, tuple[str, Any]] | None:
    """The matter with the issue's hint applied, and the issue's (code, path) to look for."""
    hint = issue.hint or ""
    if issue.code in {"step-limit-exceeds-promised", "co-review-overruns-decision"}:
        found = GIVE.search(hint)
        if found is None:
            return None
        index = [s.id for s in matter.steps].index(found["step"])
        limit = _limit(found["value"], found["unit"])

        def give(data: dict[str, Any]) -> None:
            data["steps"][index]["time_limit"] = limit

        return _with(matter, give), (issue.code, found["step"])
    if issue.code == "critical-path-exceeds-promised":
        found = PROMISE.search(hint)
        if found is None:
            return None
        limit = _limit(found["value"], found["unit"])

        def promise(data: dict[str, Any]) -> None:
            data["time_limits"]["promised"] = limit

        return _with(matter, promise), (issue.code, None)
    found = REDUCE.search(hint)
    if found is None:
        return None

    def reduce(data: dict[str, Any]) -> None:
        data["time_limits"]["green_channel"]["reduction"] = float(found["value"])

    return _with(matter, reduce), (issue.code, None)


def _still_there(matter: Matter, code: str, step: str | None) -> list[Issue]:
    ids = [s.id for s in matter.steps]
    return [
        i
        for i in _issues(matter)
        if i.code == code and (step is None or ids[int(i.path[1])] == step)
    ]


@st.composite
def _crowded(draw: st.DrawFn) -> Matter:
    """A sound matter made a little too slow: a longer step, a shorter promise, a green channel.

    The promise stays near the critical path, so that most hints have a number that fits.
    """
    matter = draw(matters(max_steps=9))
    index = draw(st.integers(0, len(matter.steps) - 1), label="step")
    value = draw(st.sampled_from([0.5, 1, 2, 3, 5]), label="its new limit")
    promised = int(matter.time_limits.promised.value)
    promised = max(1, promised - draw(st.integers(0, 3), label="promise shortened by"))
    statutory = max(promised, int(matter.time_limits.statutory.value))
    green = draw(st.sampled_from([None, 0.1, 0.2, 0.3, 0.5]), label="green channel")

    def crowd(data: dict[str, Any]) -> None:
        data["steps"][index]["time_limit"] = {"value": value}
        data["time_limits"]["promised"] = {"value": promised}
        data["time_limits"]["statutory"] = {"value": statutory}
        if green is not None:
            data["time_limits"]["green_channel"] = {"reduction": green}

    return _with(matter, crowd)


@given(_crowded())
def test_feasibility_hint_applying_it_makes_the_issue_disappear(matter: Matter) -> None:
    """Give the step, promise or reduction the hint names: that issue is gone."""
    for issue in _issues(matter):
        applied = _apply(matter, issue)
        if applied is None:  # no number fits: the hint says why
            assert re.search(r"already take|leaves? no room", issue.hint or ""), issue
            continue
        fixed, (code, step) = applied
        assert _still_there(fixed, code, step) == [], (str(issue), fixed.time_limits)


@given(_crowded())
def test_feasibility_hints_name_numbers_the_language_accepts(matter: Matter) -> None:
    """Every limit a hint proposes is one a matter file may write (whole, or 0.5 days)."""
    for issue in _issues(matter):
        hint = issue.hint or ""
        for found in [*GIVE.finditer(hint), *PROMISE.finditer(hint)]:
            value = float(found["value"])
            assert value.is_integer() or (value == 0.5 and found["unit"] == "working day")


DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 泉州市住房和城乡建设局}
  - {id: rfb, name: 泉州市人民防空办公室}
roles:
  - {id: window, name: 窗口}
people:
  - {id: wang, name: 王月琴, department: zjj, roles: [window], backup: chen}
  - {id: chen, name: 陈倩, department: zjj, roles: [window], backup: wang}
  - {id: fu, name: 付红, department: zjj, backup: ai}
  - {id: ai, name: 艾伟, department: zjj, backup: fu}
  - {id: wu, name: 吴秀英, department: rfb, backup: guo}
  - {id: guo, name: 郭俊, department: rfb, backup: wu}
"""

JOINT_REVIEW = """\
kind: matter
id: joint
name: 施工许可阶段并联审批
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: zjj
co_departments: [rfb]
legal_basis: [{law: 中华人民共和国行政许可法, article: 第四十二条第二款}]
case_type: promised
time_limits:
  joint_handling: true
  statutory: {value: 45}
  promised: {value: 10}
steps:
  - {id: accept, name: 一窗受理, kind: accept, signer_roles: [window], time_limit: {value: 0.5}}
  - {id: civil_defense, name: 人防办协审, kind: co_review, department: rfb, signers: [wu, guo],
     after: [accept], time_limit: {value: 9}}
  - {id: summary, name: 汇总审查, kind: review, signers: [fu, ai], after: [civil_defense],
     time_limit: {value: 2.5, unit: calendar_days}}
  - {id: decide, name: 决定, kind: decide, decides: true, signers: [fu, ai], after: [summary]}
  - {id: certify, name: 制证, kind: certify, signer_roles: [window], after: [decide]}
  - {id: deliver, name: 送达, kind: deliver, signer_roles: [window], after: [certify]}
result: {name: 施工许可证}
"""


def test_feasibility_hint_with_joint_review_is_the_real_maximum() -> None:
    """The co-review may take 10 − 0.5 − 2.5 = 7 days, not 9.5 (#14's example)."""
    text = JOINT_REVIEW.replace("{value: 2.5, unit: calendar_days}", "{value: 2.5}")
    with pytest.raises(Exception, match="not a whole number"):
        load_catalogue_text({"d.yaml": DEFS, "m.yaml": text})
    text = JOINT_REVIEW.replace("{value: 2.5, unit: calendar_days}", "{value: 5, unit: half_days}")
    catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": text})
    issues = check_matter(catalogue.matters["joint"], catalogue)
    overrun = [i for i in issues if i.code == "co-review-overruns-decision"]
    assert [i.hint for i in overrun] == [
        "give 'civil_defense' at most 7 working days, so that every chain through it fits"
    ]
    fixed = text.replace("after: [accept], time_limit: {value: 9}", "after: [accept], "
                         "time_limit: {value: 7}")  # fmt: skip
    catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": fixed})
    assert check_matter(catalogue.matters["joint"], catalogue) == []


def test_green_channel_infeasible_is_refused_like_the_promise() -> None:
    """A green channel whose halved promise the steps cannot keep is an error."""
    text = JOINT_REVIEW.replace(
        "  promised: {value: 10}\n", "  promised: {value: 10}\n  green_channel: {reduction: 0.5}\n"
    ).replace("time_limit: {value: 2.5, unit: calendar_days}", "time_limit: {value: 1}")
    text = text.replace("after: [accept], time_limit: {value: 9}", "after: [accept], "
                        "time_limit: {value: 5}")  # fmt: skip
    catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": text})
    issues = check_matter(catalogue.matters["joint"], catalogue)
    assert [(i.code, i.path) for i in issues] == [
        ("green-channel-infeasible", ("time_limits", "green_channel", "reduction"))
    ]
    assert "promises 5 working days" in issues[0].message
    assert "add up to 6.5 working days" in issues[0].message
    assert issues[0].hint is not None
    assert issues[0].hint.startswith("cut the promise by at most 0.3 (a green promise of 7 ")


def test_green_channel_that_shortens_nothing_is_a_warning() -> None:
    """A one-day promise halved and rounded down is still one day: the channel does nothing."""
    text = JOINT_REVIEW.replace(
        "  promised: {value: 10}\n", "  promised: {value: 1}\n  green_channel: {reduction: 0.5}\n"
    ).replace("time_limit: {value: 2.5, unit: calendar_days}", "time_limit: {value: 0.5}")
    text = text.replace("after: [accept], time_limit: {value: 9}", "after: [accept]")
    catalogue = load_catalogue_text({"d.yaml": DEFS, "m.yaml": text})
    issues = check_matter(catalogue.matters["joint"], catalogue)
    assert [(i.code, i.severity.value) for i in issues] == [("green-channel-no-effect", "warning")]
    assert "1 working day cut by 0.5 and rounded down is still 1" in issues[0].message


@pytest.mark.parametrize(
    ("days", "unit", "longest", "shortest"),
    [
        (7.5, "working_days", "7 working days", (8.0, "8 working days")),
        (0.75, "working_days", "0.5 working days", (1.0, "1 working day")),
        (0.4, "working_days", None, (0.5, "0.5 working days")),
        (0.75, "hours", "6 hours", (0.75, "6 hours")),
        (0.75, "half_days", "1 half day", (1.0, "2 half days")),
        (3.0, "calendar_days", "3 calendar days", (3.0, "3 calendar days")),
    ],
)
def test_feasibility_hint_limits_are_ones_a_matter_may_write(
    days: float, unit: str, longest: str | None, shortest: tuple[float, str]
) -> None:
    """The longest limit within, and the shortest covering, a number of working days."""
    assert fit_limit(days, Unit(unit)) == longest
    assert cover_limit(days, Unit(unit)) == shortest
