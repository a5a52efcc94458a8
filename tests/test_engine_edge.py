"""The engine's edge (issue #14): hostile and careless input is refused where it enters.

Each test is named after a bullet of the issue.  A refused action or submission leaves
the case the caller holds as it was, and every case the engine returns can be written,
read back, verified and stored.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from section_review import sections_reviewed

from approval_rules.audit import verify
from approval_rules.engine import ACTIONS, Case, Engine, Status
from approval_rules.errors import ActionNotAllowed, ApprovalRulesError, CaseDataError
from approval_rules.loader import load_catalogue
from approval_rules.store import open_store
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
ENGINE = Engine(load_catalogue(ROOT / "matters"), WorkCalendar.china())

JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
APPLICANT = {
    "floor_area": 1200,
    "contract_price": 260,
    "needs_demolition": False,
    "is_affordable_housing": False,
}
MATERIALS: dict[str, Any] = {
    "application_form": both(JPG),
    "land_approval": both(JPG),
    "contractor_selected": both(JPG),
    "drawing_review_certificate": both(JPG),
    "quality_safety_measures": both(JPG),
    "funding_commitment": both(JPG),
    "construction_drawings": "paper",
}
#: The 当阳 construction permit's people this file acts with.
WINDOW, SECTION, LEAD, HEAD = "wang_yueqin", "fu_hong", "wang_wei", "shen_weidong"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def submit(actor: str = "acme", **changes: Any) -> Case:
    applicant = {**APPLICANT, **changes.pop("applicant", {})}
    materials = {**MATERIALS, **changes.pop("materials", {})}
    return ENGINE.submit(
        "construction_permit", applicant, materials, at=t("2025-09-26 09:00"), actor=actor,
        **changes,
    )  # fmt: skip


def accepted(case: Case | None = None, by: str = WINDOW) -> Case:
    case = case or submit()
    makeup = {"makeup_by": "2025-10-09"} if case.intake.gaps else {}
    return ENGINE.act(case, "accept", at=t("2025-09-26 09:30"), actor=by, **makeup)


def approved(case: Case | None = None, by: str = WINDOW) -> Case:
    case = accepted(case, by)
    case = sections_reviewed(ENGINE, case, t("2025-09-28 10:00"))
    case = ENGINE.act(case, "pass", at=t("2025-09-29 10:00"), actor=LEAD)
    return ENGINE.act(case, "pass", at=t("2025-09-29 15:00"), actor=HEAD)


def refused_unchanged(case: Case, action: str, code: str | None = None, **kw: Any) -> str:
    """Act, expect a refusal (``code``: ActionNotAllowed, else CaseDataError); the case
    the caller holds is the same, and still writes the same text.  The message.
    """
    before = case.to_json()
    error = ActionNotAllowed if code is not None else CaseDataError
    with pytest.raises(error) as info:
        ENGINE.act(case, action, **{"at": t("2025-09-30 10:00"), **kw})
    if code is not None:
        assert info.value.code == code, info.value
    assert case.to_json() == before
    return str(info.value)


def round_trips(case: Case) -> None:
    """The case writes, reads back equal, verifies and replays to itself."""
    again = Case.from_json(case.to_json())
    assert again == case
    verify(case.events, head=case.head)
    assert ENGINE.replay(case.events, head=case.head) == case


# --------------------------------------------------------------- 1. validate at the edge


def test_validate_at_the_edge_applicant_may_not_review_own_application() -> None:
    """A member of staff who applies may not accept, review, decide or settle the case."""
    own = submit(actor=WINDOW)  # the window's own officer applies
    refused_unchanged(own, "accept", "conflict-of-interest", actor=WINDOW)
    refused_unchanged(own, "request_correction", "conflict-of-interest", actor=WINDOW,
                      problems=["x"])  # fmt: skip
    assert accepted(own, "chen_qian").status is Status.IN_REVIEW  # a colleague may
    review = accepted(submit(actor=SECTION))
    refused_unchanged(review, "pass", "conflict-of-interest", actor=SECTION)
    refused_unchanged(review, "start_clock_stop", "conflict-of-interest", actor=SECTION,
                      kind="expert_review", notice="通知", needed_days=5)  # fmt: skip
    refused_unchanged(review, "record_absence", "conflict-of-interest", actor=SECTION,
                      person=LEAD)  # fmt: skip
    # another signer of the step reviews it
    passed = ENGINE.act(review, "pass", at=t("2025-09-30 10:00"), actor="ai_wei")
    assert passed.steps["section_review"].signatures[0].by == "ai_wei"
    # the applicant's own section: a colleague records their absence (回避), the backup signs
    passed = ENGINE.act(passed, "record_absence", at=t("2025-09-30 10:00"), actor="ai_wei",
                        person=SECTION, reason="回避")  # fmt: skip
    passed = ENGINE.act(passed, "pass", at=t("2025-09-30 10:00"), actor="huang_li")
    signature = passed.steps["section_review"].signatures[1]
    assert (signature.by, signature.on_behalf_of, signature.section) == (
        "huang_li", SECTION, "construction",
    )  # fmt: skip
    fee = approved(submit(actor=WINDOW), "chen_qian")
    refused_unchanged(fee, "record_payment", "conflict-of-interest", actor=WINDOW, amount="1")
    # nothing the applicant-officer may not do is offered to them
    offered = ENGINE.available_actions(review, t("2025-09-30 10:00"))
    assert all(SECTION not in a.actors or a.action in ("supplement", "withdraw") for a in offered)
    # what the applicant does as applicant still works
    assert ENGINE.act(review, "withdraw", at=t("2025-09-30 10:00"), actor=SECTION).status is (
        Status.WITHDRAWN
    )


def test_validate_at_the_edge_negative_area_is_refused() -> None:
    """A negative area would make a fee of −50,000.00: the field a fee counts from is ≥ 0."""
    with pytest.raises(CaseDataError, match=r"floor_area.*negative"):
        submit(applicant={"floor_area": -1000})
    assert approved(submit(applicant={"floor_area": 0})).settlement.fees == {
        "dy_infrastructure_fee": Decimal("0.00")
    }


@pytest.mark.parametrize("area", [1e308, 10**30, -1e300, 1e12 + 1])
def test_validate_at_the_edge_huge_numbers_are_bounded(area: float) -> None:
    """``floor_area=1e308`` used to crash the fee with ``decimal.InvalidOperation``."""
    with pytest.raises(CaseDataError, match="floor_area"):
        submit(applicant={"floor_area": area})


@pytest.mark.parametrize(
    "amount", [10**30, "1e30", Decimal("1e30"), "1e999999999", "-1e999999999", "sNaN", 1e300]
)
def test_validate_at_the_edge_huge_payments_are_bounded(amount: object) -> None:
    """A payment of 10**30 used to crash midway with ``decimal.InvalidOperation``."""
    refused_unchanged(approved(), "record_payment", actor=WINDOW, amount=amount)


def test_validate_at_the_edge_empty_file_list_is_not_a_delivered_material() -> None:
    for empty in ([], (), {"files": []}):
        case = submit(materials={"land_approval": empty})
        assert [(p.material, p.code) for p in case.intake.problems] == [
            ("land_approval", "missing")
        ]
        assert "land_approval" not in case.intake.materials
    gap = submit(materials={"funding_commitment": []})  # a tolerated material
    assert gap.intake.gaps == ("funding_commitment",)
    notice = ENGINE.act(gap, "request_correction", at=t("2025-09-26 10:00"), actor=WINDOW)
    refused_unchanged(notice, "supplement", "detail-required", actor="acme",
                      materials={"funding_commitment": []})  # fmt: skip


def test_validate_at_the_edge_lone_surrogate_is_refused_and_case_stays_saveable(
    tmp_path: Path,
) -> None:
    case = accepted()
    message = refused_unchanged(case, "pass", actor=SECTION, opinion="同意\ud800")
    assert "surrogate" in message
    refused_unchanged(case, "pass", actor=SECTION, opinion="同意\x00")
    with pytest.raises(CaseDataError, match="surrogate"):
        submit(
            applicant={"floor_area": 1},
            materials={"land_approval": both("\udcff.jpg")},
        )
    case = ENGINE.act(case, "pass", at=t("2025-09-30 10:00"), actor=SECTION, opinion="同意\n通过")
    with open_store(f"sqlite:///{tmp_path}/cases.db", engine=ENGINE) as store:
        store.save(case, expected_version=0)
        assert store.load(case.id) == case
    round_trips(case)


@pytest.mark.parametrize(
    ("action", "details"),
    [
        ("pass", {"opinion": "很" * 1_000_000}),
        ("pass", {"step": "s" * 1_000_000}),
        ("refuse", {"reasons": ["理由" * 500_000]}),
        ("deliver", {"signed_by": "张" * 201}),
        (
            "supplement",
            {"materials": {"funding_commitment": both("扫" * 1_000_000 + ".jpg")}},
        ),
        ("supplement", {"materials": {"funding_commitment": [[[[["deep"]]]]]}}),
    ],
)
def test_validate_at_the_edge_megabyte_texts_are_refused(
    action: str, details: dict[str, Any]
) -> None:
    """Ids, names and opinions have the loader's bounds (``model.MAX_ID`` …)."""
    case = accepted(submit(materials={"funding_commitment": None}))
    message = refused_unchanged(case, action, actor=SECTION, **details)
    assert len(message) < 400  # the message names the value, never echoes it whole


@pytest.mark.parametrize("bad", ["a" * 65, "x" * 1_000_000, "", "a b", "\u200b", 17])
def test_validate_at_the_edge_megabyte_ids_are_refused(bad: object) -> None:
    case = accepted()
    refused_unchanged(case, "pass", actor=bad)
    refused_unchanged(case, "pass", actor=SECTION, event_id=bad)
    with pytest.raises(CaseDataError, match="actor"):
        submit(actor=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "case_id", ["a\nb", "../../etc/passwd", "..", ".hidden", "a/b", "a\\b", "a#1", "a\tb", "x" * 65]
)
def test_validate_at_the_edge_case_id_with_newlines_or_dotdot_is_refused(case_id: str) -> None:
    with pytest.raises(CaseDataError, match="case_id"):
        submit(case_id=case_id)


def test_validate_at_the_edge_ordinary_ids_still_work() -> None:
    for case_id in ("DY-2025-0001", "当阳-建-0001", "c-6af512732f78", "A_1.2"):
        assert submit(case_id=case_id).id == case_id
    round_trips(approved(submit(actor="91420582MA4F0X1234")))


# the hostile inputs the property draws from: texts, numbers and shapes that broke the
# engine before #14, and ordinary ones so that some actions succeed
_TEXTS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["同意", "材料齐全", "\ud800", "a\x00b", "../../etc/passwd", "a\nb", " ", "#", "x" * 5000,
         "2025-09-30", "2025-13-01", "expert_review", "section_review", "dy_infrastructure_fee",
         SECTION, WINDOW, "acme", "p1.jpg", "paper"]
    ),
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
    st.decimals(allow_nan=True),
    _TEXTS,
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "size_kb", "width", "files", "funding_commitment", "x"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
_DETAIL_KEYS = sorted({key for keys in ACTIONS.values() for key in keys})
_ACTORS = st.sampled_from([WINDOW, SECTION, LEAD, HEAD, "huang_li", "acme", "nobody"]) | _TEXTS


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    received = submit(materials={"funding_commitment": None})
    paid = ENGINE.act(approved(), "record_payment", at=t("2025-09-29 16:00"), actor=WINDOW,
                      amount="60000")  # fmt: skip
    certified = ENGINE.act(paid, "issue_certificate", at=t("2025-09-29 17:00"),
                           actor=WINDOW, number="420582-0001")  # fmt: skip
    return [received, accepted(received), approved(), paid, certified]


#: Details each action succeeds with (choices come from ``available_actions``).
_GOOD: dict[str, dict[str, Any]] = {
    "request_correction": {"problems": ["申请表未加盖单位公章"]},
    "accept": {"makeup_by": "2025-10-09"},
    "refuse_to_accept": {"reason": "不属于本机关职权范围"},
    "supplement": {"materials": {"funding_commitment": both(JPG)}},
    "pass": {"opinion": "同意"},
    "send_back": {"reason": "请补充说明"},
    "refuse": {"reasons": ["不符合法定条件"]},
    "start_clock_stop": {"notice": "专家评审通知", "needed_days": 5},
    "end_clock_stop": {"notice": "评审结束"},
    "extend": {"reason": "情况复杂"},
    "record_payment": {"amount": "100.50", "receipt": "票据 1"},
    "waive_fee": {"reason": "减免"},
    "issue_certificate": {"number": "420582-0001"},
    "deliver": {"signed_by": "张三"},
    "close": {},
    "withdraw": {"reason": "不再需要"},
    "record_absence": {"reason": "出差"},
    "record_applicant_delay": {"reason": "申请人逾期答复补充说明"},
}
#: The detail that takes the offer's choice.
_CHOICE = {"send_back": "to", "start_clock_stop": "kind", "waive_fee": "item",
           "record_absence": "person", "record_applicant_delay": "kind",
           "issue_certificate": "result"}  # fmt: skip


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(which=st.integers(0, 4), data=st.data())
def test_validate_at_the_edge_hostile_details_property(
    cases: list[Case], which: int, data: st.DataObject
) -> None:
    """For any hostile detail, ``act`` returns a case that round-trips and verifies, or
    raises a library error and the case the caller holds is unchanged.

    The action and actor are mostly ones ``available_actions`` offers, with details it
    succeeds with, some of them replaced by hostile values; sometimes anything at all.
    """
    case = cases[which]
    at = t("2025-09-30 10:00")
    offers = ENGINE.available_actions(case, at)
    if data.draw(st.integers(0, 3), label="offered"):  # mostly an offered action
        offer = data.draw(st.sampled_from(offers), label="offer")
        action, actor = offer.action, data.draw(st.sampled_from(offer.actors), label="actor")
        details = dict(_GOOD[action])
        if offer.step is not None and "step" in ACTIONS[action]:
            details["step"] = offer.step
        if offer.choices:
            details[_CHOICE[action]] = data.draw(st.sampled_from(offer.choices))
    else:
        action = data.draw(st.sampled_from(sorted(ACTIONS)), label="action")
        actor, details = data.draw(_ACTORS, label="actor"), {}
    if ACTIONS[action] and data.draw(st.booleans(), label="spoil"):
        hostile = st.dictionaries(st.sampled_from(ACTIONS[action]), _VALUES, max_size=2)
        details.update(data.draw(hostile, label="hostile"))
    before = case.to_json()
    try:
        after = ENGINE.act(case, action, at=at, actor=actor, **details)
    except ApprovalRulesError as err:
        event(type(err).__name__)
        assert case.to_json() == before
        return
    event(f"done: {action}")
    round_trips(after)
    assert case.to_json() == before


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    applicant=st.dictionaries(st.sampled_from(sorted(APPLICANT)), _VALUES, max_size=4),
    materials=st.dictionaries(st.sampled_from(sorted(MATERIALS)), _VALUES, max_size=3),
    actor=_ACTORS,
)
def test_validate_at_the_edge_hostile_submissions_property(
    applicant: dict[str, Any], materials: dict[str, Any], actor: Any
) -> None:
    """A hostile submission opens a case that round-trips and verifies, or is refused
    with a library error.
    """
    try:
        case = ENGINE.submit(
            "construction_permit", {**APPLICANT, **applicant}, {**MATERIALS, **materials},
            at=t("2025-09-26 09:00"), actor=actor,
        )  # fmt: skip
    except ApprovalRulesError:
        return
    round_trips(case)


# --------------------------------------------------------------- 3. correction items

STAMP = "申请表未加盖单位公章"


def noticed() -> Case:
    """A notice listing a wrong file and an item the officer added."""
    case = submit(materials={"application_form": both({**JPG, "size_kb": 800})})
    return ENGINE.act(case, "request_correction", at=t("2025-09-26 11:00"), actor=WINDOW,
                      problems=[STAMP])  # fmt: skip


def test_correction_items_supplying_only_the_other_material_is_not_corrected() -> None:
    """The bug of #14: the officer's item never blocked."""
    case = ENGINE.act(noticed(), "supplement", at=t("2025-09-29 09:00"), actor="acme",
                      materials={"application_form": both(JPG)})  # fmt: skip
    assert case.status is Status.CORRECTION_REQUESTED
    assert case.intake.corrected is None
    assert [(p.material, p.code, p.message) for p in case.intake.problems] == [
        (None, "officer", STAMP)
    ]
    refused_unchanged(case, "accept", "wrong-status", actor=WINDOW)
    # the applicant cannot declare the officer's item done
    refused_unchanged(case, "supplement", "not-authorised", actor="acme", resolved=[STAMP])


def test_correction_items_resolved_by_the_window_make_the_case_corrected() -> None:
    case = ENGINE.act(noticed(), "supplement", at=t("2025-09-29 09:00"), actor="acme",
                      materials={"application_form": both(JPG)})  # fmt: skip
    refused_unchanged(case, "supplement", "not-a-notice-item", actor=WINDOW,
                      resolved=["申请表未加盖单位公"])  # fmt: skip
    done = ENGINE.act(case, "supplement", at=t("2025-09-30 09:00"), actor=WINDOW,
                      resolved=[STAMP])  # fmt: skip
    assert done.status is Status.RECEIVED
    assert done.intake.corrected == t("2025-09-30 09:00").date()
    assert done.events[-1].details["resolved"] == [STAMP]
    assert done.events[-1].actor == WINDOW  # who confirmed it
    accepted_case = ENGINE.act(done, "accept", at=t("2025-09-30 10:00"), actor="chen_qian")
    assert accepted_case.accepted_on == t("2025-09-30 09:00").date()  # the corrections' day
    round_trips(accepted_case)


def test_correction_items_waived_need_a_reason_and_say_who() -> None:
    case = noticed()
    refused_unchanged(case, "supplement", "detail-required", actor=WINDOW, waived=[STAMP],
                      materials={"application_form": both(JPG)})  # fmt: skip
    # materials and the waiver together, by the window: corrected at once
    done = ENGINE.act(case, "supplement", at=t("2025-09-29 09:00"), actor="chen_qian",
                      materials={"application_form": both(JPG)}, waived=[STAMP],
                      reason="公章在电子证照库中核验")  # fmt: skip
    assert done.status is Status.RECEIVED
    last = done.events[-1]
    assert (last.actor, last.details["waived"], last.details["reason"]) == (
        "chen_qian",
        [STAMP],
        "公章在电子证照库中核验",
    )
    round_trips(done)


def test_correction_items_resolving_first_still_needs_the_materials() -> None:
    case = ENGINE.act(noticed(), "supplement", at=t("2025-09-29 09:00"), actor=WINDOW,
                      resolved=[STAMP])  # fmt: skip
    assert case.status is Status.CORRECTION_REQUESTED
    assert [p.code for p in case.intake.problems] == ["file-too-large"]
    refused_unchanged(case, "supplement", "not-a-notice-item", actor=WINDOW, resolved=[STAMP])
    case = ENGINE.act(case, "supplement", at=t("2025-09-29 10:00"), actor="acme",
                      materials={"application_form": both(JPG)})  # fmt: skip
    assert case.status is Status.RECEIVED


# --------------------------------------------------------------- 4. notice too late


def test_request_correction_after_deemed_acceptance_says_the_window_closed() -> None:
    case = submit(materials={"land_approval": None})  # a problem, but no notice in time
    message = refused_unchanged(
        case, "request_correction", "notice-too-late", actor=WINDOW,
        at=t("2025-10-11 09:00"), problems=[STAMP],
    )  # fmt: skip
    assert "2025-10-10" in message
    assert "Art. 32" in message
    later = ENGINE.advance(case, t("2025-10-11 09:00"))
    assert later.deemed_acceptance
    refused_unchanged(later, "request_correction", "notice-too-late", actor=WINDOW,
                      at=t("2025-10-13 09:00"))  # fmt: skip
    # a window acceptance is not deemed: a notice then is simply out of place
    refused_unchanged(accepted(), "request_correction", "wrong-status", actor=WINDOW)


# --------------------------------------------------------------- 5. messages


@pytest.mark.parametrize("version", ["3", 3.0, True, -1, b"3"])
def test_messages_expected_version_is_type_checked(version: object) -> None:
    """``expected_version="3"`` used to answer "at version 3, not 3"."""
    case = accepted()
    with pytest.raises(TypeError, match="whole number") as info:
        ENGINE.act(case, "withdraw", at=t("2025-09-30 10:00"), actor="acme",
                   expected_version=version)  # fmt: skip
    assert type(version).__name__ in str(info.value)
    assert "not 3" not in str(info.value).replace(repr(version), "")


def test_messages_a_path_is_a_bad_file_name_not_a_file_type() -> None:
    for path in ("../../etc/passwd", "C:\\scans\\a.jpg", "/tmp/a.jpg", ".."):
        with pytest.raises(CaseDataError, match="not a file name") as info:
            submit(materials={"land_approval": both(path)})
        assert "type" not in str(info.value)


@pytest.mark.parametrize("matter", ["m" * 1_000_000, ["construction_permit"], 7])
def test_validate_at_the_edge_matter_ids_are_named_not_echoed(matter: Any) -> None:
    with pytest.raises(CaseDataError, match="no matter") as info:
        ENGINE.submit(matter, {}, {}, at=t("2025-09-26 09:00"), actor="acme")
    assert len(str(info.value)) < 300


# --------------------------------------------------------------- 2. intake enforcement


def codes(case: Case) -> list[tuple[str | None, str]]:
    return [(p.material, p.code) for p in case.intake.problems]


@pytest.mark.parametrize("name", ["扫描件.JPEG", "a.jpeg", "a.Jpe", "a.jfif", "a.JPG"])
def test_intake_enforcement_file_type_aliases(name: str) -> None:
    """``jpeg`` is ``jpg`` (filetypes.py), for the name's extension and a given type."""
    case = submit(materials={"land_approval": both({**JPG, "name": name})})
    assert case.intake.problems == ()
    assert case.intake.materials["land_approval"][0].type == "jpg"
    typed = submit(materials={"land_approval": both({**JPG, "name": "scan", "type": ".JPEG"})})
    assert typed.intake.problems == ()
    wrong = submit(materials={"land_approval": both({**JPG, "name": "a.png"})})
    assert codes(wrong) == [("land_approval", "wrong-file-type")]


def test_intake_enforcement_zero_kb_files_are_refused() -> None:
    case = submit(materials={"land_approval": both({**JPG, "size_kb": 0})})
    assert codes(case) == [("land_approval", "empty-file")]
    assert "0 KB" in case.intake.problems[0].message
    with pytest.raises(CaseDataError, match="size_kb"):
        submit(materials={"land_approval": both({**JPG, "size_kb": -1})})


def test_intake_enforcement_a_width_without_height_does_not_skip_the_pixel_check() -> None:
    for partial in ({"width": 10}, {"height": 10}):
        file = {"name": "a.jpg", "size_kb": 80, **partial}
        with pytest.raises(CaseDataError, match="width and its height"):
            submit(materials={"land_approval": both(file)})
    small = submit(materials={"land_approval": both({**JPG, "width": 10, "height": 10})})
    assert codes(small) == [("land_approval", "too-few-pixels")]


def test_intake_enforcement_page_order_where_declared() -> None:
    """``page_order: true``: several files run 1, 2, 3 … by the last digits of the name."""
    ordered = [{**JPG, "name": f"用地批准-{n}.jpg"} for n in (2, 1, 3)]
    given = {"land_approval": {"paper": True, "files": ordered}}
    assert submit(materials=given).intake.problems == ()
    one_pdf_like = [{**JPG, "name": "用地批准.jpg", "pages": 3}]  # one file: its own order
    given = {"land_approval": {"paper": True, "files": one_pdf_like}}
    assert submit(materials=given).intake.problems == ()
    for names in (["a-1.jpg", "a-3.jpg"], ["a-1.jpg", "a-1.jpg"], ["a-1.jpg", "b.jpg"]):
        case = submit(materials={"land_approval": both(*({**JPG, "name": n} for n in names))})
        assert codes(case) == [("land_approval", "page-order")], names
    # a matter that does not declare it takes any names (the planning permit's files)
    planning = ENGINE.submit(
        "planning_permit", {"project_kind": "新建"},
        {"application_form": "paper", "land_use_documents": "paper",
         "project_approval": ["b.pdf", "a.pdf"], "design_scheme": "paper"},
        at=t("2025-09-26 09:00"), actor="acme",
    )  # fmt: skip
    assert planning.intake.problems == ()
