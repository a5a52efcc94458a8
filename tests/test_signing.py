"""Signed events (CA 认证): Ed25519 and SM2/SM3 signers, keys as data, the ``sign``
action, ``Case.verify(keys)`` and what a forger without keys cannot do."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from section_review import sections_reviewed

from approval_rules.audit import next_event
from approval_rules.engine import Case, Engine
from approval_rules.errors import ActionNotAllowed, CaseDataError, DefinitionError
from approval_rules.loader import Catalogue, load_catalogue_text
from approval_rules.model import Step
from approval_rules.signing import (
    Ed25519Signer,
    Keys,
    Signer,
    Sm2Signer,
    load_keys,
    load_keys_text,
    sign_details,
    signing_message,
    verify_signature,
)
from approval_rules.workdays import WorkCalendar


def both(*files: object) -> dict[str, object]:
    """A material handed in on paper and as these files (form: both: 纸质、电子各一份)."""
    return {"paper": True, "files": list(files)}


pytest.importorskip("cryptography")
pytest.importorskip("gmssl_pyx")

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
JPG = {"name": "p1.jpg", "size_kb": 80, "width": 1024, "height": 768}
APPLICANT = {"floor_area": 1200, "contract_price": 260, "needs_demolition": False,
             "is_affordable_housing": False}  # fmt: skip
MATERIALS: dict[str, Any] = {
    "application_form": both(JPG), "land_approval": both(JPG), "planning_permit_certificate": [JPG],
    "contractor_selected": both(JPG), "drawing_review_certificate": both(JPG),
    "quality_safety_measures": both(JPG), "funding_commitment": both(JPG),
    "construction_drawings": "paper",
}  # fmt: skip


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _catalogue(signed: bool) -> Catalogue:
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "matters").glob("*.yaml")}
    if signed:
        text = sources["construction_permit.yaml"]
        marker = "  - id: deputy_review\n    name: 分管领导审核\n"
        assert marker in text
        sources["construction_permit.yaml"] = text.replace(marker, marker + "    signed: true\n")
    return load_catalogue_text(sources)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(_catalogue(signed=True), WorkCalendar.china())


@pytest.fixture(scope="module", params=["ed25519", "sm2"])
def signer(request: pytest.FixtureRequest) -> Signer:
    return Ed25519Signer() if request.param == "ed25519" else Sm2Signer()


def at_deputy(engine: Engine) -> Case:
    case = engine.submit("construction_permit", APPLICANT, MATERIALS, at=t("2025-09-26 09:00"),
                         actor="acme")  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")
    return sections_reviewed(engine, case, t("2025-09-28 10:00"))


def test_signers_sign_and_verify_both_algorithms(signer: Signer) -> None:
    """A signature verifies with the signer's public key only, and only for its message."""
    signature = signer.sign(b"message")
    assert verify_signature(signer.algorithm, signer.public_key, b"message", signature)
    assert not verify_signature(signer.algorithm, signer.public_key, b"messagf", signature)
    other = type(signer)()
    assert not verify_signature(signer.algorithm, other.public_key, b"message", signature)
    assert not verify_signature(signer.algorithm, signer.public_key, b"message", b"\x00" * 8)


def test_a_signed_step_records_its_events_as_signed_and_waits_for_the_signature(
    engine: Engine, signer: Signer
) -> None:
    """Passing a step declared signed marks the event; its actor is offered `sign`."""
    case = at_deputy(engine)
    assert "signed" not in case.events[-1].details  # section_review is not signed
    case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    passed = case.events[-1]
    assert passed.details["signed"] is True
    offers = [
        a for a in engine.available_actions(case, t("2025-09-29 10:01")) if a.action == "sign"
    ]
    assert [(a.actors, a.choices) for a in offers] == [(("wang_wei",), (str(passed.seq),))]
    keys = Keys.of_signers({"wang_wei": signer})
    problems = case.verify(keys)
    assert [(p.seq, p.code) for p in problems] == [(passed.seq, "missing")]

    signed = engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="wang_wei",
                        **sign_details(passed, signer))  # fmt: skip
    assert signed.events[-1].action == "sign"
    assert signed.status is case.status
    assert signed.steps == case.steps
    assert signed.verify(keys) == []
    assert engine.replay(signed.events, head=signed.head) == signed
    assert Case.from_json(signed.to_json()) == signed


def test_only_the_actor_signs_their_own_waiting_event_once(engine: Engine) -> None:
    """Somebody else, an event not waiting, or a second signature: refused."""
    me = Ed25519Signer()
    case = engine.act(at_deputy(engine), "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    passed = case.events[-1]
    with pytest.raises(ActionNotAllowed) as caught:
        engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="shen_weidong",
                   **sign_details(passed, me))  # fmt: skip
    assert caught.value.code == "nothing-to-sign"
    with pytest.raises(ActionNotAllowed):
        engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="wang_wei",
                   **{**sign_details(passed, me), "seq": passed.seq - 1})  # fmt: skip
    with pytest.raises(CaseDataError):
        engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="wang_wei",
                   **{**sign_details(passed, me), "signature": "not hex"})  # fmt: skip
    once = engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="wang_wei",
                      **sign_details(passed, me))  # fmt: skip
    with pytest.raises(ActionNotAllowed):
        engine.act(once, "sign", at=t("2025-09-29 10:02"), actor="wang_wei",
                   **sign_details(passed, me))  # fmt: skip


def test_a_wrong_key_or_a_forged_event_fails_verification(engine: Engine, signer: Signer) -> None:
    """A signature by another key, or over an event changed afterwards, is reported."""
    case = engine.act(at_deputy(engine), "pass", at=t("2025-09-29 10:00"), actor="wang_wei",
                      opinion="同意")  # fmt: skip
    passed = case.events[-1]
    signed = engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="wang_wei",
                        **sign_details(passed, signer))  # fmt: skip
    stranger = Keys.of_signers({"wang_wei": type(signer)()})
    assert [(p.seq, p.code) for p in signed.verify(stranger)] == [
        (passed.seq, "bad-signature"), (passed.seq, "missing")
    ]  # fmt: skip
    assert [p.code for p in signed.verify(Keys([]))] == ["missing", "no-key"]
    # someone who can write the record changes the opinion and recomputes the chain
    events = list(signed.events)
    forged = events[: passed.seq - 1]
    for event in events[passed.seq - 1 :]:
        details = dict(event.details)
        if event.seq == passed.seq:
            details["opinion"] = "不同意"
        forged.append(next_event(forged, id=event.id, at=event.at, actor=event.actor,
                                 action=event.action, details=details))  # fmt: skip
    rebuilt = engine.replay(forged)  # the chain and the actors are fine ...
    keys = Keys.of_signers({"wang_wei": signer})
    assert "bad-signature" in [p.code for p in rebuilt.verify(keys)]  # ... the signature is not


def test_dropping_the_signed_mark_is_caught_on_replay(engine: Engine) -> None:
    """A forger who removes "signed" from an event of a signed step fails replay."""
    case = engine.act(at_deputy(engine), "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    events = list(case.events)
    last = events[-1]
    details = {k: v for k, v in last.details.items() if k != "signed"}
    forged = [*events[:-1], next_event(events[:-1], id=last.id, at=last.at, actor=last.actor,
                                       action=last.action, details=details)]  # fmt: skip
    from approval_rules.audit import LogTampered

    with pytest.raises(LogTampered) as caught:
        engine.replay(forged)
    assert caught.value.code == "unauthorised"


def test_signed_false_leaves_the_matter_hash_as_it_was() -> None:
    """Adding the field moved no hash: `signed: false` is left out of the matter's JSON."""
    plain = _catalogue(signed=False).matters["construction_permit"]
    assert "signed" not in plain.model_dump_json()
    step = plain.steps[0]
    assert Step.model_validate({**step.model_dump(), "signed": False}) == step
    marked = _catalogue(signed=True).matters["construction_permit"]
    assert '"signed":true' in marked.model_dump_json()


def test_keys_are_read_from_a_keys_file(tmp_path: Path, signer: Signer) -> None:
    """A `kind: keys` file lists people's public keys; mistakes have positions."""
    path = tmp_path / "keys.yaml"
    path.write_text(
        "kind: keys\nkeys:\n"
        f"  - person: wang_wei\n    algorithm: {signer.algorithm}\n"
        f"    public_key: {signer.public_key.hex()}\n    note: CA 证书序列号 0001\n",
        encoding="utf-8",
    )
    keys = load_keys(path)
    assert [k.raw for k in keys["wang_wei"]] == [signer.public_key]
    with pytest.raises(DefinitionError) as caught:
        load_keys_text("kind: keys\nkeys:\n  - person: wang_wei\n    algorithm: rsa\n"
                       f"    public_key: {signer.public_key.hex()}\n", "k.yaml")  # fmt: skip
    assert str(caught.value).startswith("k.yaml:4:")


def test_the_signed_message_is_the_events_canonical_form(engine: Engine) -> None:
    """The message covers the hash before and the canonical body, nothing else."""
    case = at_deputy(engine)
    event = case.events[-1]
    message = signing_message(event)
    assert event.prev_hash.encode() in message
    assert event.canonical_body().encode() in message
    assert signing_message(case.events[-2]) != message


def test_a_catalogue_folder_skips_keys_files() -> None:
    """A keys file may sit beside the matters: the catalogue loader skips it."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "matters").glob("*.yaml")}
    sources["keys.yaml"] = "kind: keys\nkeys: []\n"
    assert "construction_permit" in load_catalogue_text(sources).matters


def test_signing_leaves_timing_to_the_caller(engine: Engine) -> None:
    """Signing later is allowed; signing before the event's time is not (time goes back)."""
    case = engine.act(at_deputy(engine), "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    me = Ed25519Signer()
    with pytest.raises(ActionNotAllowed):
        engine.act(case, "sign", at=t("2025-09-29 10:00") - timedelta(minutes=1),
                   actor="wang_wei", **sign_details(case.events[-1], me))  # fmt: skip


def test_store_check_reports_missing_and_failing_signatures(tmp_path: Path) -> None:
    """`store check --keys F --catalogue DIR`: every signature verified, who acted re-checked."""
    from click.testing import CliRunner

    from approval_rules.cli import main
    from approval_rules.loader import load_catalogue
    from approval_rules.store import open_store

    folder = tmp_path / "matters"
    folder.mkdir()
    for path in (ROOT / "matters").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        marker = "  - id: deputy_review\n    name: 分管领导审核\n"
        (folder / path.name).write_text(text.replace(marker, marker + "    signed: true\n"),
                                        encoding="utf-8")  # fmt: skip
    engine = Engine(load_catalogue(folder), WorkCalendar.china())
    me = Sm2Signer()
    keys_file = tmp_path / "keys.yaml"
    keys_file.write_text("kind: keys\nkeys:\n  - person: wang_wei\n    algorithm: sm2\n"
                         f"    public_key: {me.public_key.hex()}\n", encoding="utf-8")  # fmt: skip
    url = f"sqlite:///{tmp_path}/cases.db"
    with open_store(url, engine=engine) as store:
        for case_id, sign_it in (("c-signed", True), ("c-unsigned", False)):
            at = t("2025-09-26 09:00")
            case = engine.submit("construction_permit", APPLICANT, MATERIALS, at=at,
                                 actor="acme", case_id=case_id)  # fmt: skip
            case = engine.act(case, "accept", at=t("2025-09-26 09:30"), actor="wang_yueqin")
            case = sections_reviewed(engine, case, t("2025-09-28 10:00"))
            case = engine.act(case, "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
            if sign_it:
                case = engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="wang_wei",
                                  **sign_details(case.events[-1], me))  # fmt: skip
            store.save(case, expected_version=0)

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["store", "check", url, *args], catch_exceptions=False)

    assert run().exit_code == 0
    authorised = run("--catalogue", str(folder))
    assert authorised.exit_code == 0, authorised.output
    signed = run("--keys", str(keys_file), "--catalogue", str(folder))
    assert signed.exit_code == 1
    assert signed.output.splitlines() == [
        "c-unsigned: event 7: [missing] pass by wang_wei must be signed and is not",
        "checked 2 case(s): 1 broken",
    ]
    other = tmp_path / "other.yaml"
    other.write_text(keys_file.read_text(encoding="utf-8").replace(
        me.public_key.hex(), Sm2Signer().public_key.hex()), encoding="utf-8")  # fmt: skip
    assert "c-signed: event 7: [bad-signature]" in run("--keys", str(other)).output


def test_the_published_keys_schema_agrees_with_the_model(signer: Signer) -> None:
    """schemas/keys.schema.json accepts a good keys file and refuses what the model refuses."""
    from approval_rules._yaml import parse_yaml
    from approval_rules.schema import lint

    key = signer.public_key.hex()
    good = ("kind: keys\nkeys:\n  - person: wang_wei\n"
            f"    algorithm: {signer.algorithm}\n    public_key: {key}\n")  # fmt: skip
    doc, issues = parse_yaml(good, "keys.yaml")
    assert doc is not None
    assert issues == []
    assert lint(doc) == []
    for bad in (good.replace(signer.algorithm, "rsa"), good.replace("person", "who"),
                good.replace(signer.public_key.hex(), "abc")):  # fmt: skip
        doc, _ = parse_yaml(bad, "keys.yaml")
        assert doc is not None
        assert lint(doc) != []
        with pytest.raises(DefinitionError):
            load_keys_text(bad)


def test_an_engine_with_keys_refuses_a_bad_signature_at_once(signer: Signer) -> None:
    """Given the people's keys, the engine verifies a signature before recording it."""
    keys = Keys.of_signers({"wang_wei": signer})
    engine = Engine(_catalogue(signed=True), WorkCalendar.china(), keys=keys)
    case = engine.act(at_deputy(engine), "pass", at=t("2025-09-29 10:00"), actor="wang_wei")
    passed = case.events[-1]
    with pytest.raises(ActionNotAllowed) as caught:
        engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="wang_wei",
                   **sign_details(passed, type(signer)()))  # fmt: skip
    assert caught.value.code == "bad-signature"
    signed = engine.act(case, "sign", at=t("2025-09-29 10:01"), actor="wang_wei",
                        **sign_details(passed, signer))  # fmt: skip
    assert signed.verify(keys) == []


# --- every action on a signed step is marked, also when it does not name the step (#14)

BUSINESS = "individual_business_registration"
BUSINESS_APPLICANT = {"is_family_run": False, "is_agent": False}
BUSINESS_MATERIALS: dict[str, Any] = {"application_form": "paper", "operator_identity": ["id.jpg"]}


def _business_engine(*signed: str) -> Engine:
    """The bundled catalogue with the business registration's ``signed`` steps marked."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "matters").glob("*.yaml")}
    text = sources[f"{BUSINESS}.yaml"]
    for sid in signed:
        marker = f"  - id: {sid}\n"
        assert text.count(marker) == 1, sid
        end = text.index("\n", text.index("    name:", text.index(marker))) + 1
        text = text[:end] + "    signed: true\n" + text[end:]
    sources[f"{BUSINESS}.yaml"] = text
    return Engine(load_catalogue_text(sources), WorkCalendar.china())


def _marks(case: Case) -> list[tuple[str, bool]]:
    return [(e.action, e.details.get("signed") is True) for e in case.events]


def test_signed_steps_every_action_on_them_is_flagged_without_naming_the_step() -> None:
    """accept on a signed acceptance step and issue_certificate on a signed certify step
    name no step, yet their events ask for a signature; replay agrees, and a forger who
    drops the mark from the accept is caught."""
    engine = _business_engine("accept", "make_licence")
    case = engine.submit(BUSINESS, BUSINESS_APPLICANT,
                         {**BUSINESS_MATERIALS, "premises_documents": "paper"},
                         at=t("2025-12-01 09:05"), actor="li_si")  # fmt: skip
    case = engine.act(case, "accept", at=t("2025-12-01 09:10"), actor="tian_tian")
    case = engine.act(case, "pass", at=t("2025-12-01 09:20"), actor="hu_xiaoyan", step="approve")
    case = engine.act(case, "issue_certificate", at=t("2025-12-01 09:30"), actor="deng_lin",
                      number="92420582MA4G000009")  # fmt: skip
    assert _marks(case)[1:] == [("accept", True), ("pass", False), ("issue_certificate", True)]
    assert "sign" in {a.action for a in engine.available_actions(case, t("2025-12-01 09:40"))}
    assert engine.replay(case.events) == case
    events = list(case.events)
    accept = events[1]
    details = {k: v for k, v in accept.details.items() if k != "signed"}
    forged = [events[0], next_event(events[:1], id=accept.id, at=accept.at, actor=accept.actor,
                                    action=accept.action, details=details)]  # fmt: skip
    from approval_rules.audit import LogTampered

    with pytest.raises(LogTampered) as caught:
        engine.replay(forged)
    assert caught.value.code == "unauthorised"


def test_signed_steps_the_decision_on_commitment_and_its_check_are_flagged() -> None:
    """On commitment (告知承诺制) the on-the-spot decision acts on the acceptance and the
    deciding step, and the later check on the deciding step: a signed deciding step
    marks both; a signed acceptance step marks the decision on the spot too."""
    for signed in ("approve", "accept"):
        engine = _business_engine(signed)
        case = engine.submit(BUSINESS, BUSINESS_APPLICANT, BUSINESS_MATERIALS,
                             at=t("2025-12-01 09:05"), actor="li_si", commitment=True)  # fmt: skip
        case = engine.act(case, "accept_on_commitment", at=t("2025-12-01 09:20"),
                          actor="hu_xiaoyan")  # fmt: skip
        case = engine.act(case, "record_check", at=t("2026-01-20 10:00"), actor="hu_xiaoyan",
                          finding="consistent")  # fmt: skip
        assert _marks(case)[1:] == [
            ("accept_on_commitment", True), ("record_check", signed == "approve"),
        ]  # fmt: skip
        assert engine.replay(case.events) == case
