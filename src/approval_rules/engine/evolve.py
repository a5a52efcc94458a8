"""Evolving a case by one event: the one function that builds every case.

:func:`evolve` ``(case, event, patch)`` is the case after ``event``.  Everything it
changes is read from the event (its action, actor, time and details), except what the
:class:`Patch` carries: the moment as a ``datetime`` and the new step map.  The live
path (:meth:`~.facade.Engine.act`) hands over the step map its handler computed;
replay builds the same patch from the event's details with :func:`patch_of` (the
details record every step passed, opened, skipped or reset), so a stored log folds
into the same case without the matter or the calendar.  A test checks that the two
patches are equal for every event a Hypothesis state machine records.

This module imports only :mod:`.records`, :mod:`.case`, :mod:`..audit`,
:mod:`..errors` and :mod:`..timelimits` (``ClockStop``): no plan, no calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from ..audit import Event, EventLog, LogTampered, verify
from ..errors import CaseDataError
from ..timelimits import ClockStop, stop_union
from . import case as _case_module
from .case import CASE_FORMAT, Case
from .records import (
    APPROVED,
    CANCELLED,
    CERTIFIED,
    CLOSED,
    CORRECTION_REQUESTED,
    DEEMED,
    DELIVERED,
    EMPTY,
    IN_REVIEW,
    MAIN_RESULT,
    NO_SETTLEMENT,
    NOT_ACCEPTED,
    OPEN,
    PASSED,
    RECEIVED,
    REFUSED,
    REVOKED,
    SKIPPED,
    TERMINATED,
    WITHDRAWN,
    Absence,
    ActiveStop,
    CaseClock,
    CaseCommitment,
    Certificate,
    Cosignature,
    Decision,
    Ending,
    ExtensionGrant,
    FileInfo,
    Intake,
    Notice,
    Payment,
    StepState,
    StepStatus,
    optional_day,
    paper_after,
    problems_from,
    with_fields,
)

__all__ = [
    "ACCEPTING",
    "PASSING",
    "Patch",
    "apply_event",
    "cosigning_pending",
    "evolve",
    "fold",
    "opened_state",
    "passed_state",
    "patch_of",
    "signed_state",
    "step_map",
    "vetoed_steps",
]

_NEW: Final = tuple.__new__
_FIELD: Final = {name: i for i, name in enumerate(Case._fields)}
_VERSION, _EVENTS, _LAST_AT = _FIELD["version"], _FIELD["events"], _FIELD["last_at"]

#: Actions that pass the step their details name, and the status it gets.
PASSING: Final[Mapping[str, StepStatus]] = MappingProxyType(
    {
        "pass": PASSED,
        "deemed_agreement": DEEMED,
        "record_payment": PASSED,
        "waive_fee": PASSED,
        "issue_certificate": PASSED,
        "deliver": PASSED,
        "close": PASSED,
    }
)
#: The actions that accept a case.
ACCEPTING: Final = frozenset(
    {"accept", "deemed_acceptance", "corrected_acceptance", "accept_on_commitment"}
)
_SKIPPED: Final = StepState(SKIPPED)


class Patch(NamedTuple):
    """What the live path computed that :func:`evolve` would otherwise derive.

    Attributes:
        at: the event's moment as a ``datetime`` (in the engine's time zone live).
        steps: the new step map (``None``: the event leaves the steps to the fold).
    """

    at: datetime
    steps: dict[str, StepState] | None = None


# --------------------------------------------------------------------------- steps


def passed_state(
    old: StepState, status: StepStatus, actor: str, details: Mapping[str, Any]
) -> StepState:
    """The state of a step ``actor`` passed (or the system deemed agreed), per ``details``.

    On a step several people sign (``cosigned`` in ``details``), the last signature
    is added to the ones recorded; :func:`signed_state` records the others.
    """
    signatures = old.signatures
    if "cosigned" in details:
        signatures = (*signatures, _signature(actor, details))
    return _NEW(
        StepState,
        (
            status, old.opened, old.due, actor, details.get("for"), details.get("opinion"),
            details.get("agree", True), signatures,
        ),
    )  # fmt: skip


def _signature(actor: str, details: Mapping[str, Any]) -> Cosignature:
    return _NEW(
        Cosignature, (actor, details.get("for"), details.get("section"), details.get("opinion"))
    )


def cosigning_pending(details: Mapping[str, Any]) -> bool:
    """Does a ``pass`` with these details leave its step open for more signatures?

    ``cosigned`` is ``[signatures so far, signatures needed]`` on a step several
    people sign (:mod:`.cosigning`).
    """
    counts = details.get("cosigned")
    return counts is not None and counts[0] < counts[1]


def signed_state(old: StepState, actor: str, details: Mapping[str, Any]) -> StepState:
    """The state of an open step once ``actor`` signed it, with signatures still missing."""
    return old._replace(signatures=(*old.signatures, _signature(actor, details)))


def vetoed_steps(
    steps: dict[str, StepState], sid: str, actor: str, details: Mapping[str, Any]
) -> dict[str, StepState]:
    """The step map once co-department step ``sid`` vetoed (一票否决): it is passed with
    ``agreed`` false, every other open step is cancelled, nothing opens.
    """
    steps[sid] = passed_state(steps[sid], PASSED, actor, details)
    return {
        s: StepState(CANCELLED, st.opened, st.due) if st.status is OPEN else st
        for s, st in steps.items()
    }


def opened_state(stamp: str, due: date | None) -> StepState:
    """The state of a step opened at ``stamp`` with its own due date."""
    return _NEW(StepState, (OPEN, stamp, due, None, None, None, True, ()))


def skipped_state() -> StepState:
    """The state of a step whose condition is false for this applicant."""
    return _SKIPPED


def step_map(case: Case) -> dict[str, StepState]:
    """A new dict of the case's steps, to change and hand to :func:`evolve`.

    The engine keeps every step map as a MappingProxyType of a dict: ``copy()``
    copies that dict at C speed, where ``dict(proxy)`` reads it key by key.
    """
    steps = case.steps
    if type(steps) is MappingProxyType:
        try:
            copied = steps.copy()
        except AttributeError:  # a proxy of a mapping without copy()
            pass
        else:
            if type(copied) is dict:
                return copied
    return dict(steps)


def _steps_of(case: Case | None, event: Event) -> dict[str, StepState] | None:
    """The step map an event's details describe (replay), or ``None`` if unchanged.

    In this order, as the live path builds it: the step passed (``step`` of a passing
    action, ``passed`` of an acceptance), the steps to do again (``reopen``,
    ``reset``), then the steps opened (``open``) and skipped (``skip``).
    """
    d = event.details
    action = event.action
    steps = {} if case is None else step_map(case)
    status = PASSING.get(action)
    if status is not None:
        sid = d.get("step")
        if sid is None:
            return None  # a payment that left a fee outstanding
        if cosigning_pending(d):
            steps[sid] = signed_state(steps[sid], event.actor, d)
            return steps
        if d.get("veto"):
            return vetoed_steps(steps, sid, event.actor, d)
        steps[sid] = passed_state(steps[sid], status, event.actor, d)
    elif action in ACCEPTING:
        for sid in d["passed"]:
            steps[sid] = passed_state(steps[sid], PASSED, event.actor, d)
        if "decided" in d:  # on commitment: the deciding step opened and passed at once
            _open_and_skip(steps, event.at, d)
            decided = d["decided"]
            sid = decided["step"]
            steps[sid] = passed_state(steps[sid], PASSED, event.actor, decided)
            d = decided
    elif action == "send_back":
        gone = {*d["reopen"], *d["reset"]}
        steps = {sid: st for sid, st in steps.items() if sid not in gone}
    elif action != "submit":
        return None
    _open_and_skip(steps, event.at, d)
    return steps


def _open_and_skip(steps: dict[str, StepState], stamp: str, d: Mapping[str, Any]) -> None:
    for sid, due in d.get("open", ()):
        steps[sid] = opened_state(stamp, optional_day(due))
    for sid in d.get("skip", ()):
        steps[sid] = _SKIPPED


def patch_of(case: Case | None, event: Event) -> Patch:
    """The patch the live path handed to :func:`evolve` for ``event``, from its details."""
    return Patch(datetime.fromisoformat(event.at), _steps_of(case, event))


# --------------------------------------------------------------------------- fields
#
# ``_<action>(case, event, patch)`` returns the fields the event changes, by name.

_Changes = dict[str, Any]


def _files(raw: Mapping[str, Any]) -> dict[str, tuple[FileInfo, ...]]:
    """Material id → files, in id order (the order a replay reads them in)."""
    return {
        mid: tuple(
            _NEW(FileInfo, (
                f["name"], f["type"], f.get("size_kb"), f.get("width"), f.get("height"),
                f.get("pages"),
            ))
            for f in files
        )
        if files  # (paper only: no generator to run)
        else ()
        for mid, files in sorted(raw.items())
    }  # fmt: skip


def _first(event: Event, patch: Patch) -> Case:
    """The case a submission opens."""
    d = event.details
    if event.action != "submit" or event.seq != 1:
        raise CaseDataError(f"event 1 must be 'submit', not {event.action!r}")
    materials, problems, applicant = d["materials"], d["problems"], d["applicant"]
    intake = _NEW(
        Intake,
        (
            # mappings in key order, as a replay reads them from the canonical JSON (an
            # empty one is the shared empty proxy: nothing can change it)
            MappingProxyType(dict(sorted(applicant.items()))) if applicant else EMPTY,
            event.actor, patch.at, d["green_channel"],
            MappingProxyType(_files(materials)) if materials else EMPTY,
            problems_from(problems) if problems else (), tuple(d["gaps"]), None, None, None,
            tuple(d["paper"]) if "paper" in d else (),
        ),
    )  # fmt: skip
    statutory, promised = d["limits"]
    clock = _NEW(
        CaseClock,
        ((statutory[0], statutory[1]), (promised[0], promised[1]),
         date.fromisoformat(d["notice_due"]), None, None, None, (), None, None, ()),
    )  # fmt: skip
    steps = patch.steps if patch.steps is not None else {}
    return _NEW(Case, (
        d["case"], d["matter"], d["matter_hash"], RECEIVED, intake, None, False,
        MappingProxyType(steps), clock, None, NO_SETTLEMENT, (), None, event.seq,
        # a case opened in the case@3 form keeps the index of its caller-given ids
        EventLog.of((event,), indexed=d.get("format") == CASE_FORMAT), patch.at,
        _NEW(CaseCommitment, (tuple(d["commitment"]), None, None, None, None, None))
        if "commitment" in d else None,
    ))  # fmt: skip


def _request_correction(case: Case, e: Event, patch: Patch) -> _Changes:
    notice = Notice(patch.at.date(), e.actor, problems_from(e.details["items"]))
    return {
        "status": CORRECTION_REQUESTED,
        "intake": with_fields(case.intake, notice=notice),
    }


def _supplement(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    intake = case.intake
    materials = dict(sorted({**intake.materials, **_files(d["materials"])}.items()))
    corrected = d.get("corrected")
    changes: _Changes = {
        "intake": with_fields(
            intake,
            materials=MappingProxyType(materials),
            paper=paper_after(intake.paper, d["materials"], d.get("paper", ())),
            problems=problems_from(d["problems"]),
            gaps=tuple(d["gaps"]),
            corrected=patch.at.date() if corrected else intake.corrected,
        )
    }
    if corrected:
        changes["status"] = RECEIVED
    return changes


def _accept(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    statutory, promised = d["due"]
    intake = case.intake
    if "makeup_by" in d:
        intake = with_fields(intake, makeup_by=date.fromisoformat(d["makeup_by"]))
    clock = with_fields(
        case.clock,
        statutory_due=date.fromisoformat(statutory),
        promised_due=date.fromisoformat(promised),
    )
    changes = {
        "status": IN_REVIEW,
        "intake": intake,
        "accepted_on": date.fromisoformat(d["accepted_on"]),
        "deemed_acceptance": e.action == "deemed_acceptance",
        "clock": clock,
    }
    if "fees" in d:  # assessed at acceptance (fees_assessed: acceptance), paid after approval
        fees = {k: Decimal(v) for k, v in sorted(d["fees"].items())}
        changes["settlement"] = with_fields(NO_SETTLEMENT, fees=MappingProxyType(fees))
    return changes


def _accept_on_commitment(case: Case, e: Event, patch: Patch) -> _Changes:
    changes = _accept(case, e, patch)
    return {**changes, **_pass(with_fields(case, **changes), e, patch, e.details["decided"])}


def _on_commitment(case: Case, e: Event, what: str) -> CaseCommitment:
    """The case's commitment (告知承诺制), which ``what`` of event ``e`` needs: a forged
    log recording it on a case not on commitment does not fit."""
    commitment = case.commitment
    if commitment is None:
        raise CaseDataError(
            f"event {e.seq} ({e.action}) records {what}, but the case is not on the "
            "commitment procedure (告知承诺制)"
        )
    return commitment


def _record_check(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    commitment = _on_commitment(case, e, "a later check")
    if (
        commitment.check_due is None
        or case.decision is None
        or (case.decision.outcome != "approved")
    ):
        raise CaseDataError(
            f"event {e.seq} (record_check) records a later check of a case not approved "
            "on the commitment procedure (告知承诺制)"
        )
    day = patch.at.date()
    checked = with_fields(
        commitment, checked_on=day, checked_by=e.actor, finding=d["finding"],
        opinion=d.get("opinion"),
    )  # fmt: skip
    if d["finding"] != "untrue":
        return {"commitment": checked}
    # 撤销: the approval is revoked; the decision and the record stay
    ending = Ending(REVOKED, day, e.actor, d["opinion"])
    return {
        "status": REVOKED, "ending": ending, "steps": _cancel_open(case), "commitment": checked,
        **_stops_ended(case, e, day),
    }  # fmt: skip


def _stops_ended(case: Case, e: Event, day: date) -> _Changes:
    """The clock with the stops an ending event names (``stops_ended``) ended on ``day``
    (none named: the clock as it was)."""
    kinds = e.details.get("stops_ended")
    if not kinds:
        return {}
    clock = case.clock
    running = clock.running_stops
    if sorted(kinds) != sorted(s.kind for s in running):
        raise CaseDataError(
            f"event {e.seq} ({e.action}) ends the clock stops {kinds!r}, but "
            f"{[s.kind for s in running]!r} run"
        )
    ended = (ClockStop(s.kind, s.start, max(day, s.start), s.notice) for s in running)
    return {
        "clock": with_fields(
            clock, stops=stop_union((*clock.stops, *ended)), active_stop=None, parallel_stops=()
        )
    }


def _cancel_open(case: Case) -> Mapping[str, StepState]:
    return MappingProxyType(
        {
            sid: StepState(CANCELLED, st.opened, st.due) if st.status is OPEN else st
            for sid, st in case.steps.items()
        }
    )


_ENDINGS: Final = {
    "refuse_to_accept": NOT_ACCEPTED,
    "withdraw": WITHDRAWN,
    "terminate": TERMINATED,
}


def _ending(case: Case, e: Event, patch: Patch) -> _Changes:
    status = _ENDINGS[e.action]
    day = patch.at.date()
    ending = Ending(status, day, e.actor, e.details.get("reason") or "")
    return {
        "status": status, "ending": ending, "steps": _cancel_open(case),
        "settlement": NO_SETTLEMENT,  # fees assessed at acceptance are not charged
        **_stops_ended(case, e, day),
    }  # fmt: skip


def _pass(case: Case, e: Event, patch: Patch, details: Mapping[str, Any] | None = None) -> _Changes:
    d = e.details if details is None else details
    if d.get("veto"):  # a co-department's veto refuses the application
        reasons = (d["opinion"],)
        veto = Decision("refused", d["step"], e.actor, patch.at.date(), reasons)
        return {"status": REFUSED, "decision": veto, "settlement": NO_SETTLEMENT}
    decision = d.get("decision")
    if decision is None:  # the common case: only the steps changed
        return {}
    raw = decision["fees"]
    fees = MappingProxyType({k: Decimal(v) for k, v in sorted(raw.items())}) if raw else EMPTY
    changes: _Changes = {}
    if "check_due" in d:  # approved on commitment: the later check falls due
        commitment = _on_commitment(case, e, "the due date of a later check")
        check_due = date.fromisoformat(d["check_due"])
        changes["commitment"] = with_fields(commitment, check_due=check_due)
    return {
        **changes,
        "status": APPROVED,
        "clock": with_fields(
            case.clock, certificate_due=date.fromisoformat(decision["certificate_due"])
        ),
        "decision": Decision("approved", decision["step"], e.actor, patch.at.date(), ()),
        "settlement": with_fields(NO_SETTLEMENT, fees=fees),
    }


def _refuse(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    decision = Decision("refused", d["step"], e.actor, patch.at.date(), tuple(d["reasons"]))
    return {
        "status": REFUSED, "decision": decision, "steps": _cancel_open(case),
        "settlement": NO_SETTLEMENT,  # fees assessed at acceptance are not charged
    }  # fmt: skip


def _unchanged(case: Case, e: Event, patch: Patch) -> _Changes:
    return {}


def _start_stop(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    stop = ActiveStop(d["kind"], patch.at.date(), d["notice"], e.actor)
    clock = case.clock
    if clock.active_stop is None:
        return {"clock": with_fields(clock, active_stop=stop)}
    return {"clock": with_fields(clock, parallel_stops=(*clock.parallel_stops, stop))}


def _with_dues(clock: CaseClock, due: Mapping[str, Any], **more: Any) -> CaseClock:
    return with_fields(
        clock,
        statutory_due=optional_day(due.get("statutory")),
        promised_due=optional_day(due.get("promised")),
        certificate_due=optional_day(due.get("certificate")),
        **more,
    )


def _end_stop(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    running = case.clock.running_stops
    kind = d.get("kind")
    ending = next((s for s in running if kind is None or s.kind == kind), None)
    if ending is None:
        raise CaseDataError(f"event {e.seq}: no clock stop {kind or ''} is running")
    stop = ClockStop(ending.kind, ending.start, patch.at.date(), ending.notice)
    left = tuple(s for s in running if s is not ending)
    clock = _with_dues(
        case.clock, d["due"], stops=stop_union((*case.clock.stops, stop)),
        active_stop=left[0] if left else None, parallel_stops=left[1:],
    )  # fmt: skip
    return {"clock": clock, "steps": MappingProxyType(_redated_steps(case, e))}


def _redated_steps(case: Case, e: Event) -> dict[str, StepState]:
    """The case's steps with the due dates ``e`` records (``steps``: step id → day)."""
    steps = step_map(case)
    for sid, due in e.details["steps"].items():
        old = steps.get(sid)
        if old is None:
            raise CaseDataError(
                f"event {e.seq} ({e.action}) dates step {sid!r}, which the case has not reached"
            )
        steps[sid] = with_fields(old, due=optional_day(due))
    return steps


def _extend(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    grant = ExtensionGrant(d["days"], e.actor, patch.at.date(), d["reason"])
    return {"clock": _with_dues(case.clock, d["due"], extension=grant)}


def _redate(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    clock = _with_dues(case.clock, d["due"], notice_due=date.fromisoformat(d["notice_due"]))
    steps = _redated_steps(case, e)
    changes: _Changes = {"clock": clock, "steps": MappingProxyType(steps)}
    if "check" in d["due"]:  # the later check of a commitment (告知承诺制)
        commitment = _on_commitment(case, e, "the due date of a later check")
        if commitment.check_due is None:
            raise CaseDataError(
                f"event {e.seq} (redate) moves the due date of a later check that is not due"
            )
        check_due = date.fromisoformat(d["due"]["check"])
        changes["commitment"] = with_fields(commitment, check_due=check_due)
    return changes


def _absence(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    absence = Absence(
        d["person"], date.fromisoformat(d["start"]), date.fromisoformat(d["end"]), e.actor,
        d.get("reason"),
    )  # fmt: skip
    return {"absences": (*case.absences, absence)}


def _payment(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    payment = Payment(Decimal(d["amount"]), patch.at.date(), e.actor, d.get("receipt"))
    settlement = case.settlement
    return {"settlement": with_fields(settlement, payments=(*settlement.payments, payment))}


def _waiver(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    waived = MappingProxyType({**case.settlement.waived, d["item"]: d["reason"]})
    return {"settlement": with_fields(case.settlement, waived=waived)}


def _certificate(case: Case, e: Event, patch: Patch) -> _Changes:
    d = e.details
    cert = Certificate(d["number"], patch.at.date(), optional_day(d["valid_until"]))
    settlement = case.settlement
    result = d.get("result", MAIN_RESULT)  # several results: each event names its own
    if result == MAIN_RESULT:
        settlement = with_fields(settlement, certificate=cert)
    else:
        issued = MappingProxyType({**settlement.further_results, result: cert})
        settlement = with_fields(settlement, further_results=issued)
    # certified (deliverable) once no result is outstanding
    return {"status": case.status if d.get("outstanding") else CERTIFIED, "settlement": settlement}


def _deliver(case: Case, e: Event, patch: Patch) -> _Changes:
    settlement = with_fields(
        case.settlement, delivered=patch.at.date(), signed_by=e.details.get("signed_by")
    )
    status = DELIVERED if case.status is CERTIFIED else case.status
    return {"status": status, "settlement": settlement}


def _close(case: Case, e: Event, patch: Patch) -> _Changes:
    return {
        "status": CLOSED,
        "settlement": with_fields(case.settlement, closed=patch.at.date()),
    }


def _migrate(case: Case, e: Event, patch: Patch) -> _Changes:
    if e.details["from"] != case.matter_hash:
        raise ValueError(f"the case runs on {case.matter_hash[:12]}, not {e.details['from']!r}")
    d = e.details
    changes: _Changes = {"matter_hash": d["to"]}
    if "problems" in d:  # not accepted yet: the materials judged again (engine/migration.py)
        changes["intake"] = with_fields(
            case.intake, problems=problems_from(d["problems"]), gaps=tuple(d["gaps"])
        )
    if "commitment" in d:  # what the new version's commitment replaces
        commitment = _on_commitment(case, e, "the materials a commitment replaces")
        replaced = d["commitment"]
        if type(replaced) is not list or not all(type(m) is str for m in replaced):
            raise TypeError("the materials a commitment replaces are a list of ids")
        changes["commitment"] = with_fields(commitment, replaced=tuple(replaced))
    return changes


_CHANGES: Final[dict[str, Callable[[Case, Event, Patch], _Changes]]] = {
    "request_correction": _request_correction,
    "supplement": _supplement,
    "accept": _accept,
    "deemed_acceptance": _accept,
    "corrected_acceptance": _accept,
    "refuse_to_accept": _ending,
    "withdraw": _ending,
    "terminate": _ending,
    "pass": _pass,
    "deemed_agreement": _pass,
    "refuse": _refuse,
    "send_back": _unchanged,
    "start_clock_stop": _start_stop,
    "end_clock_stop": _end_stop,
    "extend": _extend,
    "record_applicant_delay": _unchanged,
    "redate": _redate,
    "record_absence": _absence,
    "record_payment": _payment,
    "waive_fee": _waiver,
    "issue_certificate": _certificate,
    "deliver": _deliver,
    "close": _close,
    "migrate": _migrate,
    "sign": _unchanged,
    # records that change no field of the case (read from the log: supervision)
    "record_alert": _unchanged,
    "record_rating": _unchanged,
    "follow_up_rating": _unchanged,
    "accept_on_commitment": _accept_on_commitment,
    "record_check": _record_check,
}

#: Every action a case's record may hold: what :func:`evolve` folds.
RECORDED_ACTIONS: Final = frozenset({"submit", *_CHANGES})


# --------------------------------------------------------------------------- the fold


def evolve(case: Case | None, event: Event, patch: Patch) -> Case:
    """The case after ``event`` (``case`` is ``None`` before the first event).

    The fields the event changes, the patch's step map, then the new version, log and
    time.  Replay passes :func:`patch_of` ``(case, event)``; the live path the patch its
    handler computed, which is equal.

    Raises:
        CaseDataError: an unknown action.
        KeyError, TypeError, ValueError …: details that do not fit (see
            :func:`apply_event`, which reports them as :class:`~..errors.CaseDataError`).
    """
    if case is None:
        return _first(event, patch)
    change = _CHANGES.get(event.action)
    if change is None:
        raise CaseDataError(f"event {event.seq}: unknown action {event.action!r}")
    values = list(case)
    for name, value in change(case, event, patch).items():
        values[_FIELD[name]] = value
    if patch.steps is not None:
        values[_FIELD["steps"]] = MappingProxyType(patch.steps)
    values[_VERSION] = event.seq
    values[_EVENTS] = case.events.append(event)
    values[_LAST_AT] = patch.at
    return _NEW(Case, values)


def apply_event(case: Case | None, event: Event) -> Case:
    """One step of the fold: the case after ``event`` (``None`` before the first).

    Raises:
        CaseDataError: the event does not fit the case (unknown action, missing or
            malformed details).
    """
    try:
        return evolve(case, event, patch_of(case, event))
    except CaseDataError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidOperation) as err:
        raise CaseDataError(
            f"event {event.seq} ({event.action}) does not fit the case: {err!r}"
        ) from None


def fold(events: Iterable[Event]) -> Case:
    """The case a log describes: :func:`apply_event` over every event.

    Raises:
        CaseDataError: the log is empty or an event does not fit.
    """
    case: Case | None = None
    for event in events:
        case = apply_event(case, event)
    if case is None:
        raise CaseDataError("an empty event log describes no case")
    return case


def prove(case: Case) -> None:
    """Check that ``case`` is what its events prove: chain, head, and the fold.

    The snapshot a serialised case carries (its state and its index of caller-given
    ids) is trusted only when it equals the fold of its verified events.

    Raises:
        LogTampered: the chain is broken (the codes of :func:`~..audit.verify`), or the
            snapshot differs from the fold (``code`` ``state``, naming the first field
            that differs).
    """
    events = case.events
    verify(events, head=case.head)
    try:
        folded = fold(events)
    except CaseDataError as err:
        raise LogTampered(case.version, "malformed", str(err)) from None
    for name in Case._fields:
        if name != "events" and getattr(folded, name) != getattr(case, name):
            raise LogTampered(
                case.version,
                "state",
                f"the stored state's {name!r} is not what the events prove; "
                "the snapshot was edited (or written by another program)",
            )
    if folded.events.caller_ids() != events.caller_ids():
        raise LogTampered(
            case.version,
            "state",
            "the stored index of caller-given event ids is not what the events prove",
        )


_case_module._PROOF.append(prove)
