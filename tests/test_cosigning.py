"""Several signers on one step (issue #14): a quorum, and sections each person signs.

The static checks (``checks_signing.py``) and what the engine does: a cosigned step
stays open until enough different people signed it; AB岗 backups stand in per person;
the signatures are kept in the case, written, read back and replayed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from approval_rules.audit import verify
from approval_rules.compiler import check_catalogue
from approval_rules.engine import Case, Engine, StepStatus
from approval_rules.errors import ActionNotAllowed, DefinitionError, Severity
from approval_rules.loader import Catalogue, load_catalogue_text
from approval_rules.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")

DEFS = """\
kind: definitions
departments:
  - {id: zjj, name: 当阳市住房和城乡建设局}
roles:
  - {id: inspector, name: 检查员}
people:
  - {id: wang, name: 王月琴, department: zjj, backup: chen}
  - {id: chen, name: 陈倩, department: zjj, backup: wang}
  - {id: fu, name: 付红, department: zjj, roles: [inspector], backup: ai}
  - {id: ai, name: 艾伟, department: zjj, roles: [inspector], backup: fu}
  - {id: yu, name: 余英, department: zjj, roles: [inspector], backup: zheng}
  - {id: zheng, name: 郑灿, department: zjj, backup: yu}
  - {id: shen, name: 沈卫东, department: zjj, backup: liu}
  - {id: liu, name: 刘建华, department: zjj, backup: shen}
"""

MATTER = """\
kind: matter
id: m
name: 建筑工程施工许可
catalogue_code: "001"
implementation_code: "001-1"
matter_type: administrative_license
lead_department: zjj
legal_basis: [{law: 中华人民共和国建筑法}]
case_type: promised
time_limits:
  statutory: {value: 20}
  promised: {value: 10}
steps:
  - {id: accept, name: 窗口受理, kind: accept, signers: [wang, chen]}
  - id: inspect
    name: 现场核查
    kind: site_survey
    signers: [fu, ai, yu]
    signers_needed: 2
    after: [accept]
  - id: sections
    name: 科室审核
    kind: review
    signers: [fu, ai]
    sections:
      - {id: construction, name: 施工, signer: fu}
      - {id: safety, name: 安全, signer: ai}
    after: [inspect]
    send_back_to: [inspect]
  - {id: decide, name: 局长审批, kind: decide, decides: true, signers: [shen],
     after: [sections], separate_from: [inspect]}
  - {id: certify, name: 制证, kind: certify, signers: [wang, chen], after: [decide]}
  - {id: deliver, name: 发证, kind: deliver, signers: [wang, chen], after: [certify]}
result: {name: 施工许可证}
"""


def _load(matter: str = MATTER) -> Catalogue:
    return load_catalogue_text({"d.yaml": DEFS, "m.yaml": matter})


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _codes(matter: str) -> list[tuple[str, tuple[str | int, ...]]]:
    return [
        (i.code, i.path) for i in check_catalogue(_load(matter)) if i.severity is Severity.ERROR
    ]


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


ENGINE = Engine(_load(), WorkCalendar.china())


def _accepted() -> Case:
    case = ENGINE.submit("m", {}, {}, at=t("2025-11-03 09:00"), actor="acme")
    return ENGINE.act(case, "accept", at=t("2025-11-03 09:30"), actor="wang")


def _pass(case: Case, actor: str, step: str, when: str = "2025-11-04 10:00", **kw: Any) -> Case:
    return ENGINE.act(case, "pass", at=t(when), actor=actor, step=step, **kw)


def _same_everywhere(case: Case) -> None:
    """Written and read back, and replayed from its events, the case is the same."""
    assert Case.from_json(case.to_json()) == case
    verify(case.events, head=case.head)
    assert ENGINE.replay(case.events, head=case.head) == case


# --- static checks ------------------------------------------------------------------------


def test_several_signers_the_sample_is_clean() -> None:
    assert _codes(MATTER) == []


def test_several_signers_quorum_above_the_signers_is_refused() -> None:
    matter = _edit(MATTER, "signers_needed: 2", "signers_needed: 4")
    assert _codes(matter) == [("quorum-unreachable", ("steps", 1, "signers_needed"))]
    issue = next(i for i in check_catalogue(_load(matter)) if i.code == "quorum-unreachable")
    assert "signers_needed: 3" in (issue.hint or "")
    assert issue.span is not None
    assert issue.span.line > 0


def test_several_signers_quorum_counts_role_holders() -> None:
    """Three inspectors hold the role: a quorum of three by role is reachable."""
    matter = _edit(MATTER, "signers: [fu, ai, yu]\n    signers_needed: 2",
                   "signer_roles: [inspector]\n    signers_needed: 3")  # fmt: skip
    assert _codes(matter) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("signer: ai}", "signer: yu}", [
            ("section-signer-not-a-signer", ("steps", 2, "sections", 1, "signer")),
            ("signer-without-section", ("steps", 2, "signers", 1)),
        ]),
        ("signer: ai}", "signer: fu}", [
            ("section-signer-twice", ("steps", 2, "sections", 1, "signer")),
            ("signer-without-section", ("steps", 2, "signers", 1)),
        ]),
        ("{id: safety,", "{id: construction,", [
            ("duplicate-section", ("steps", 2, "sections", 1, "id")),
        ]),
        ("signers: [fu, ai]\n", "signers: [fu, ai]\n    signer_roles: [inspector]\n", [
            ("sections-with-roles", ("steps", 2, "signer_roles")),
        ]),
    ],
)  # fmt: skip
def test_several_signers_sections_nobody_could_sign_are_refused(
    old: str, new: str, expected: list[tuple[str, tuple[str | int, ...]]]
) -> None:
    assert sorted(_codes(_edit(MATTER, old, new))) == sorted(expected)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("kind: site_survey", "kind: certify", "completed by one action"),
        ("    signers: [fu, ai]\n", "    signers: [fu, ai]\n    signers_needed: 2\n",
         "remove 'signers_needed'"),
    ],
)  # fmt: skip
def test_several_signers_only_on_steps_signed_by_pass(old: str, new: str, words: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        _load(_edit(MATTER, old, new))
    assert words in str(caught.value)


# --- the engine ---------------------------------------------------------------------------


def test_several_signers_quorum_two_inspectors() -> None:
    """One inspector's signature leaves the step open; the second passes it."""
    case = _pass(_accepted(), "fu", "inspect", opinion="现场与图纸一致")
    st = case.steps["inspect"]
    assert st.status is StepStatus.OPEN
    assert [(s.by, s.opinion) for s in st.signatures] == [("fu", "现场与图纸一致")]
    assert "sections" not in case.steps
    offered = {
        (a.action, a.step): a.actors for a in ENGINE.available_actions(case, t("2025-11-04 11:00"))
    }
    assert offered["pass", "inspect"] == ("ai", "yu")
    with pytest.raises(ActionNotAllowed) as caught:
        _pass(case, "fu", "inspect")
    assert caught.value.code == "already-signed"
    assert "1 more of its signers" in str(caught.value)
    case = _pass(case, "yu", "inspect", when="2025-11-04 15:00")
    st = case.steps["inspect"]
    assert st.status is StepStatus.PASSED
    assert [s.by for s in st.signatures] == ["fu", "yu"]
    assert case.steps["sections"].status is StepStatus.OPEN
    _same_everywhere(case)


def test_several_signers_backup_stands_in_per_person() -> None:
    """zheng signs for the absent yu; a quorum still needs another person."""
    case = _accepted()
    case = ENGINE.act(case, "record_absence", at=t("2025-11-04 08:00"), actor="yu",
                      person="yu", start="2025-11-04", end="2025-11-05")  # fmt: skip
    case = _pass(case, "zheng", "inspect")
    sig = case.steps["inspect"].signatures[0]
    assert (sig.by, sig.on_behalf_of) == ("zheng", "yu")
    with pytest.raises(ActionNotAllowed) as caught:
        _pass(case, "zheng", "inspect")
    assert caught.value.code == "already-signed"
    case = _pass(case, "ai", "inspect")
    assert case.steps["inspect"].status is StepStatus.PASSED
    _same_everywhere(case)


def test_several_signers_backup_signs_the_absent_persons_section() -> None:
    """ai signs their own section, then, fu being away, fu's section for fu."""
    case = _pass(_pass(_accepted(), "fu", "inspect"), "ai", "inspect")
    case = ENGINE.act(case, "record_absence", at=t("2025-11-04 12:00"), actor="fu",
                      person="fu", start="2025-11-04", end="2025-11-05")  # fmt: skip
    case = _pass(case, "ai", "sections", "2025-11-04 13:00")
    offered = {(a.action, a.step): a.actors
               for a in ENGINE.available_actions(case, t("2025-11-04 13:00"))}  # fmt: skip
    assert "ai" in offered["pass", "sections"]  # for fu, now
    case = _pass(case, "ai", "sections", "2025-11-04 14:00")
    sigs = [(s.by, s.on_behalf_of, s.section) for s in case.steps["sections"].signatures]
    assert sigs == [("ai", None, "safety"), ("ai", "fu", "construction")]
    assert case.steps["sections"].status is StepStatus.PASSED
    _same_everywhere(case)


def test_several_signers_sections_each_reviewer_signs_their_own() -> None:
    case = _pass(_pass(_accepted(), "fu", "inspect"), "ai", "inspect")
    case = _pass(case, "ai", "sections", opinion="安全措施可行")
    st = case.steps["sections"]
    assert st.status is StepStatus.OPEN
    assert [(s.by, s.section) for s in st.signatures] == [("ai", "safety")]
    with pytest.raises(ActionNotAllowed) as caught:
        _pass(case, "ai", "sections")
    assert caught.value.code == "already-signed"
    assert "construction (fu)" in str(caught.value)
    case = _pass(case, "fu", "sections", when="2025-11-05 09:00")
    st = case.steps["sections"]
    assert st.status is StepStatus.PASSED
    assert [(s.by, s.section) for s in st.signatures] == [("ai", "safety"), ("fu", "construction")]
    assert case.steps["decide"].status is StepStatus.OPEN
    _same_everywhere(case)


def test_several_signers_send_back_clears_the_signatures() -> None:
    """Sent back, the step is signed afresh by everyone."""
    case = _pass(_pass(_accepted(), "fu", "inspect"), "ai", "inspect")
    case = _pass(case, "fu", "sections")
    case = ENGINE.act(case, "send_back", at=t("2025-11-04 16:00"), actor="ai",
                      step="sections", to="inspect", reason="核查记录缺页")  # fmt: skip
    assert case.steps["inspect"].signatures == ()
    assert "sections" not in case.steps
    case = _pass(
        _pass(case, "fu", "inspect", "2025-11-05 09:00"), "ai", "inspect", "2025-11-05 10:00"
    )
    assert case.steps["sections"].signatures == ()
    _same_everywhere(case)


def test_several_signers_separation_counts_every_cosigner() -> None:
    """The decision is separate from the inspection: nobody who cosigned it decides."""
    matter = _edit(MATTER, "signers: [shen]", "signers: [shen, yu]")
    engine = Engine(_load(matter), WorkCalendar.china())
    case = engine.submit("m", {}, {}, at=t("2025-11-03 09:00"), actor="acme")
    case = engine.act(case, "accept", at=t("2025-11-03 09:30"), actor="wang")
    for actor, step in [
        ("fu", "inspect"),
        ("yu", "inspect"),
        ("fu", "sections"),
        ("ai", "sections"),
    ]:
        case = engine.act(case, "pass", at=t("2025-11-04 10:00"), actor=actor, step=step)
    with pytest.raises(ActionNotAllowed) as caught:
        engine.act(case, "pass", at=t("2025-11-04 11:00"), actor="yu", step="decide")
    assert caught.value.code == "separation-of-duties"
    case = engine.act(case, "pass", at=t("2025-11-04 11:00"), actor="shen", step="decide")
    assert case.decision is not None


def test_several_signers_steps_without_signatures_are_written_as_before() -> None:
    """A step nobody cosigned is written with seven items, as before cosigning, so
    stored snapshots read back byte-identically; an explicit empty list reads too.
    """
    case = _accepted()
    text = case.to_json()
    assert '"wang",null,null,true]' in text
    eight = text.replace('"wang",null,null,true]', '"wang",null,null,true,[]]')
    assert Case.from_json(eight) == case


def test_several_signers_show_in_the_json_export() -> None:
    """graph --format json carries signers_needed and sections, as the route depends on them."""
    import json

    from approval_rules.compiler import compile_catalogue
    from approval_rules.render import to_json

    nodes = {
        n["id"]: n for n in json.loads(to_json(compile_catalogue(_load())["m"]))["graph"]["nodes"]
    }
    assert nodes["inspect"]["signers_needed"] == 2
    assert nodes["sections"]["sections"] == {"construction": "fu", "safety": "ai"}
    assert nodes["decide"]["on_disagree"] == "opinion"
