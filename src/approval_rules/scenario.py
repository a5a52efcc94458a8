"""Scripted cases for policy staff: a YAML scenario in, the resulting case and checks out.

A scenario file (``kind: scenario``, format in ``docs/scenarios.md``) names a matter,
how the application is submitted, a list of timed actions by named people, and
optional expectations, after any action and at the end.  :func:`load_scenario` reads
it (every problem as a positioned :class:`~.errors.Issue`, raised together in one
:class:`~.errors.DefinitionError`); :func:`run_scenario` plays it on an
:class:`~.engine.Engine`: a refused action is reported with its reason and code, and
is not fatal unless the scenario expected it to succeed.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path as FsPath
from typing import Any

from ._wording import did_you_mean, where
from ._yaml import YamlDocument, declared_kind, parse_yaml, read_yaml_file
from .compiler import matter_plan
from .engine import ACTIONS, Case, Cosignature, Engine
from .errors import (
    ActionNotAllowed,
    CalendarError,
    CaseDataError,
    CaseError,
    DefinitionError,
    Issue,
    Path,
    SourceSpan,
)
from .loader import yaml_files

__all__ = [
    "Scenario",
    "ScenarioAction",
    "ScenarioResult",
    "case_summary",
    "check_scenario",
    "load_scenario",
    "load_scenario_text",
    "run_scenario",
    "scenario_files",
]

_TOP_KEYS = ("kind", "name", "description", "matter", "case_id", "submit", "actions",
             "expect", "as_of")  # fmt: skip
_SUBMIT_KEYS = ("at", "by", "applicant", "materials", "green_channel", "commitment")
_ACTION_KEYS = ("at", "by", "do", "with", "expect", "code", "check", "note")


@dataclass(frozen=True)
class ScenarioAction:
    """One timed item of a scenario: an action (``do``), or only a ``check``.

    Attributes:
        at: when, as written (read in the engine's time zone unless it has an offset).
        by: who acts.
        do: the action (``None``: only look at the case at ``at``).
        details: the action's details (``with:``).
        expect: ``"ok"``, ``"refused"`` or ``None`` (report either way).
        code: the refusal code expected with ``expect: refused``.
        check: expectations on the case after this item.
        path: where the item is in the file (``("actions", i)``).
    """

    at: str
    by: str | None
    do: str | None
    details: Mapping[str, Any]
    expect: str | None
    code: str | None
    check: Mapping[str, Any]
    path: Path


@dataclass(frozen=True)
class Scenario:
    """A scenario read from YAML (see :func:`load_scenario`)."""

    name: str
    matter: str
    submit_at: str
    submit_by: str
    applicant: Mapping[str, Any]
    materials: Mapping[str, Any]
    green_channel: bool
    actions: tuple[ScenarioAction, ...]
    expect: Mapping[str, Any]
    case_id: str | None = None
    as_of: str | None = None
    description: str | None = None
    commitment: bool = False  # the applicant chose 告知承诺制
    file: str = "<scenario>"
    document: YamlDocument | None = field(default=None, repr=False, compare=False)

    def span(self, path: Path) -> SourceSpan | None:
        """Where ``path`` is written in the scenario file, if it came from one."""
        return self.document.span(path) if self.document is not None else None


@dataclass
class ScenarioResult:
    """What playing a scenario gave.

    Attributes:
        scenario: the scenario.
        case: the final case (``None`` when the submission itself was refused).
        summary: the JSON data ``approval-rules run`` prints.
        refused: every refused action: ``at``, ``by``, ``action``, ``code``,
            ``reason``, ``expected``.
        failures: the expectations that did not hold, in plain words with positions.
    """

    scenario: Scenario
    case: Case | None
    summary: dict[str, Any]
    refused: list[dict[str, Any]]
    failures: list[str]

    @property
    def ok(self) -> bool:
        """Every expectation held."""
        return not self.failures


# --------------------------------------------------------------------------- loading


class _Reader:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.issues: list[Issue] = []

    def add(self, code: str, message: str, path: Path, *, hint: str | None = None) -> None:
        self.issues.append(Issue(code, message, span=self.doc.span(path), path=path, hint=hint))

    def keys(self, data: Mapping[str, Any], allowed: Sequence[str], path: Path) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1)
                self.issues.append(
                    Issue(
                        "unknown-key",
                        f"{_where(path)}: unknown key {key!r}",
                        span=self.doc.key_span((*path, key)),
                        path=(*path, key),
                        hint=f"did you mean {close[0]!r}?"
                        if close
                        else "allowed keys: " + ", ".join(allowed),
                    )
                )

    def text(self, data: Mapping[str, Any], key: str, path: Path, *, required: bool) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add("missing-key", f"{_where(path)}: the key {key!r} is missing", path)
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(
                "wrong-type",
                f"{_where((*path, key))} must be text, not {value!r}",
                (*path, key),
                hint="put it in quotes" if isinstance(value, int | float) else None,
            )
            return None
        return value

    def mapping(self, data: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(
                "wrong-type", f"{_where((*path, key))} must be a mapping of keys", (*path, key)
            )
            return {}
        return value

    def moment(self, value: str | None, path: Path) -> None:
        if value is not None and _parse_time(value, None) is None:
            self.add(
                "bad-time",
                f"{_where(path)}: {value!r} is not a date and time",
                path,
                hint="write e.g. 2025-09-26 09:30 (Beijing time) or 2025-09-26T09:30:00+08:00",
            )


def _where(path: Path) -> str:
    return where(path, whole="the scenario")


def _parse_time(text: object, tz: tzinfo | None) -> datetime | None:
    """``2025-09-26 09:30`` (in ``tz``) or ISO 8601 with an offset; None if unreadable."""
    if not isinstance(text, str) or len(text) < 16:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None and tz is not None:
        moment = moment.replace(tzinfo=tz)
    return moment


def load_scenario(
    path: str | os.PathLike[str], *, display: str | None = None, engine: Engine | None = None
) -> Scenario:
    """Read a scenario file.

    Args:
        path: the YAML file.
        display: the file name shown in issues (default: the path as given).
        engine: check the scenario against its catalogue too (:func:`check_scenario`),
            so that every problem comes in one round.

    Raises:
        DefinitionError: with every problem found, each with a position, in file order.
    """
    name = display if display is not None else os.fspath(path)
    doc, issues = read_yaml_file(path, name)
    return _build(doc, issues, name, engine)


def load_scenario_text(
    text: str, file: str = "<scenario>", *, engine: Engine | None = None
) -> Scenario:
    """Read a scenario from text (see :func:`load_scenario`).

    Raises:
        DefinitionError: with every problem found, each with a position.
    """
    doc, issues = parse_yaml(text, file)
    return _build(doc, issues, file, engine)


def scenario_files(folder: str | os.PathLike[str]) -> list[FsPath]:
    """The scenario files in ``folder`` and its sub-folders, sorted by path.

    Folders are read as ``approval-rules check`` reads them: every ``*.yaml``/``*.yml``
    file, sub-folders included.  A file that says it is something else (``kind:
    matter``, ``definitions``, ``calendar_overlay`` ...) is left out; a file that
    cannot be read, or names no kind, is kept, so that playing it reports its problems.
    Example: ``scenario_files("matters/scenarios")`` → the 15 scenarios there and
    ``year_end/planning_permit_across_new_year.yaml``, not ``year_end/notice_2027.yaml``.
    """
    found: list[FsPath] = []
    for path in yaml_files(FsPath(folder)):
        try:
            kind = declared_kind(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            kind = None  # played, so that playing it reports why it cannot be read
        if kind in (None, "scenario"):
            found.append(path)
    return found


def _build(
    doc: YamlDocument | None, issues: list[Issue], file: str, engine: Engine | None = None
) -> Scenario:
    if doc is None:
        raise DefinitionError(issues)
    if any(i.is_error for i in issues):
        raise DefinitionError(issues)
    r = _Reader(doc)
    data = doc.data
    if not isinstance(data, dict):
        r.add(
            "wrong-type", "a scenario file is a mapping of keys starting with 'kind: scenario'", ()
        )
        raise DefinitionError(r.issues)
    if data.get("kind") != "scenario":
        r.add(
            "bad-choice",
            f"kind must be 'scenario', not {data.get('kind')!r}",
            ("kind",),
            hint="start the file with 'kind: scenario'",
        )
    r.keys(data, _TOP_KEYS, ())
    name = r.text(data, "name", (), required=True) or ""
    matter = r.text(data, "matter", (), required=True) or ""
    case_id = r.text(data, "case_id", (), required=False)
    description = data.get("description") if isinstance(data.get("description"), str) else None
    as_of = r.text(data, "as_of", (), required=False)
    r.moment(as_of, ("as_of",))

    submit = r.mapping(data, "submit", ())
    if "submit" not in data:
        r.add("missing-key", "the key 'submit' is missing: how the application comes in", ())
    r.keys(submit, _SUBMIT_KEYS, ("submit",))
    submit_at = r.text(submit, "at", ("submit",), required="submit" in data) or ""
    r.moment(submit_at or None, ("submit", "at"))
    submit_by = r.text(submit, "by", ("submit",), required="submit" in data) or ""
    applicant = r.mapping(submit, "applicant", ("submit",))
    materials = r.mapping(submit, "materials", ("submit",))
    green = submit.get("green_channel", False)
    if not isinstance(green, bool):
        r.add(
            "wrong-type", "submit.green_channel must be true or false", ("submit", "green_channel")
        )
        green = False
    commitment = submit.get("commitment", False)
    if not isinstance(commitment, bool):
        r.add("wrong-type", "submit.commitment must be true or false", ("submit", "commitment"))
        commitment = False

    actions: list[ScenarioAction] = []
    raw_actions = data.get("actions", [])
    if not isinstance(raw_actions, list):
        r.add("wrong-type", "actions must be a list of timed actions", ("actions",))
        raw_actions = []
    for i, item in enumerate(raw_actions):
        path: Path = ("actions", i)
        if not isinstance(item, dict):
            r.add("wrong-type", f"{_where(path)} must be a mapping (at, by, do …)", path)
            continue
        r.keys(item, _ACTION_KEYS, path)
        at = r.text(item, "at", path, required=True) or ""
        r.moment(at or None, (*path, "at"))
        do = r.text(item, "do", path, required=False)
        if do is not None and do not in ACTIONS:
            close = difflib.get_close_matches(do, list(ACTIONS), n=1)
            r.add(
                "unknown-action",
                f"{_where((*path, 'do'))}: {do!r} is not an action",
                (*path, "do"),
                hint=f"did you mean {close[0]!r}?" if close else "actions: " + ", ".join(ACTIONS),
            )
        by = r.text(item, "by", path, required=do is not None)
        if do is None and "check" not in item:
            r.add("missing-key", f"{_where(path)}: give 'do' (an action) or 'check'", path)
        details = r.mapping(item, "with", path)
        if do is not None and do in ACTIONS:
            for key in details:
                if key not in ACTIONS[do]:
                    takes = ", ".join(ACTIONS[do]) or "no details"
                    r.issues.append(
                        Issue(
                            "unknown-detail",
                            f"{_where((*path, 'with'))}: {do} does not take {key!r} "
                            f"(it takes: {takes})",
                            span=doc.key_span((*path, "with", key)),
                            path=(*path, "with", key),
                        )
                    )
        expect = item.get("expect")
        if expect is not None and expect not in ("ok", "refused"):
            r.add(
                "bad-choice",
                f"{_where((*path, 'expect'))} must be 'ok' or 'refused', not {expect!r}",
                (*path, "expect"),
            )
            expect = None
        code = r.text(item, "code", path, required=False)
        if code is not None and expect != "refused":
            r.add("invalid-combination", f"{_where(path)}: 'code' goes with 'expect: refused'",
                  (*path, "code"))  # fmt: skip
        check = r.mapping(item, "check", path)
        actions.append(ScenarioAction(at, by, do, details, expect, code, check, path))
    expect_all = r.mapping(data, "expect", ())
    scenario = Scenario(
        name=name,
        matter=matter,
        submit_at=submit_at,
        submit_by=submit_by,
        applicant=applicant,
        materials=materials,
        green_channel=green,
        commitment=commitment,
        actions=tuple(actions),
        expect=expect_all,
        case_id=case_id,
        as_of=as_of,
        description=description,
        file=file,
        document=doc,
    )
    if engine is not None and matter:
        r.issues.extend(check_scenario(scenario, engine))
    if r.issues:
        raise DefinitionError(sorted(r.issues, key=_position))
    return scenario


def _position(issue: Issue) -> tuple[int, int]:
    span = issue.span
    return (span.line, span.column) if span is not None else (0, 0)


# --------------------------------------------------------------------------- checking

#: The details that name a person, a step, or hold a date (checked before playing).
_PERSON_DETAILS = ("person",)
_STEP_DETAILS = ("step", "to")
_DATE_DETAILS = ("makeup_by", "start", "end")


def check_scenario(scenario: Scenario, engine: Engine) -> list[Issue]:
    """Every problem that would stop a scenario part-way, found before playing it: an
    unknown person (``by``, ``person``) or step (``step``, ``to``), with the
    closest name as a hint, and a detail date that is not a date (``makeup_by:
    2025-13-01``), each at its position; first of all, an unknown matter.
    """
    matters = engine.catalogue.matters
    if scenario.matter not in matters:
        close = difflib.get_close_matches(scenario.matter, list(matters), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(matters)
        message = f"matter: the catalogue has no matter {scenario.matter!r}"
        path: Path = ("matter",)
        return [Issue("scenario-input", message, span=scenario.span(path), path=path, hint=hint)]
    plan = matter_plan(engine.catalogue, scenario.matter)
    steps = list(plan.steps)
    staff = sorted({scenario.submit_by, *plan.staff, *engine.catalogue.people})
    issues: list[Issue] = []

    def add(path: Path, message: str, hint: str | None) -> None:
        issues.append(Issue("scenario-input", message, span=scenario.span(path), path=path,
                            hint=hint))  # fmt: skip

    for item in scenario.actions:
        if item.by is not None and item.by not in staff:
            add((*item.path, "by"), f"{item.by!r} is neither a person of the catalogue "
                "nor the applicant", did_you_mean(item.by, staff))  # fmt: skip
        for key, value in item.details.items():
            where_ = (*item.path, "with", key)
            if key in _PERSON_DETAILS and isinstance(value, str) and value not in staff:
                add(where_, f"{key}: {value!r} is not a person of the catalogue",
                    did_you_mean(value, staff))  # fmt: skip
            elif key in _STEP_DETAILS and isinstance(value, str) and value not in steps:
                add(where_, f"{key}: matter {scenario.matter!r} has no step {value!r}",
                    did_you_mean(value, steps))  # fmt: skip
            elif key in _DATE_DETAILS and not isinstance(value, date):
                try:
                    date.fromisoformat(str(value))
                except ValueError:
                    add(where_, f"{key}: {value!r} is not a date", "write YYYY-MM-DD, e.g. "
                        "2025-10-09")  # fmt: skip
    return issues


# --------------------------------------------------------------------------- running


def run_scenario(scenario: Scenario, engine: Engine) -> ScenarioResult:
    """Play a scenario on an engine.

    Refused actions are recorded (reason and code) and the scenario goes on; an
    expectation that does not hold is a failure (see :attr:`ScenarioResult.ok`), and so
    is a refusal the scenario did not expect (``expect: refused``).  An action that
    needs a day the calendar does not know is a failure of this scenario, which stops
    there.

    Raises:
        DefinitionError: the scenario does not fit the catalogue: every problem
            :func:`check_scenario` finds (unknown matter, action, person or step, a bad
            date), or field, material or malformed details, with positions.
    """
    tz = engine.tz
    failures: list[str] = []
    refused: list[dict[str, Any]] = []

    def fail(path: Path, message: str, *, key: bool = False) -> None:
        doc = scenario.document
        span = None if doc is None else (doc.key_span(path) if key else doc.span(path))
        failures.append(f"{span}: {message}" if span else message)

    def problem(path: Path, err: Exception, code: str = "scenario-input") -> DefinitionError:
        return DefinitionError([Issue(code, str(err), span=scenario.span(path), path=path)])

    issues = check_scenario(scenario, engine)
    if issues:
        raise DefinitionError(issues)
    submitted = _parse_time(scenario.submit_at, tz)
    assert submitted is not None  # checked when loading
    case: Case | None = None
    stopped = False  # by a day the calendar does not know: what follows is no news
    try:
        case = engine.submit(
            scenario.matter,
            scenario.applicant,
            scenario.materials,
            at=submitted,
            actor=scenario.submit_by,
            case_id=scenario.case_id,
            green_channel=scenario.green_channel,
            commitment=scenario.commitment,
        )
    except ActionNotAllowed as err:
        refused.append(_refusal(scenario.submit_at, scenario.submit_by, "submit", err, False))
        fail(("submit",), f"the submission was refused: {err.reason}")
    except CalendarError as err:
        fail(("submit",), f"the submission needs {_calendar_failure(err)}")
        stopped = True
    except CaseDataError as err:
        raise problem(("submit",), err) from None
    moment = submitted
    if case is not None:
        for item in scenario.actions:
            when = _parse_time(item.at, tz)
            assert when is not None
            moment = max(moment, when)
            try:
                if item.do is None:
                    case = engine.advance(case, when)
                else:
                    assert item.by is not None
                    case = engine.act(case, item.do, at=when, actor=item.by, **item.details)
                    if item.expect == "refused":
                        fail(item.path, f"{item.do} by {item.by} was expected to be refused, "
                             "but it was done")  # fmt: skip
            except ActionNotAllowed as err:
                expected = item.expect == "refused"
                refused.append(_refusal(item.at, item.by, item.do or "check", err, expected))
                if not expected:  # expect: ok, or nothing said (a typo must not pass)
                    fail(item.path, f"{item.do} by {item.by} was refused: {err.reason} "
                         f"[{err.code}]")  # fmt: skip
                elif expected and item.code is not None and err.code != item.code:
                    fail(item.path, f"{item.do} by {item.by} was refused with code "
                         f"{err.code!r}, not {item.code!r}: {err.reason}")  # fmt: skip
            except CalendarError as err:  # this scenario cannot go on; the others can
                fail(item.path, f"{item.do or 'advance'} by {item.by} needs "
                     f"{_calendar_failure(err)}")  # fmt: skip
                stopped = True
                break
            except CaseDataError as err:
                raise problem(item.path, err) from None
            except CaseError as err:  # pragma: no cover - engine/matter mismatch
                raise problem(item.path, err, "scenario-case") from None
            if item.check:
                view = _view(engine, case, when, refused)
                for where, message in _compare(item.check, view):
                    fail((*item.path, "check", *where), message, key=True)
    final = moment
    if scenario.as_of is not None:
        as_of = _parse_time(scenario.as_of, tz)
        assert as_of is not None
        final = max(final, as_of)
        if case is not None:
            try:
                case = engine.advance(case, final)
            except CalendarError as err:
                fail(("as_of",), f"as_of needs {_calendar_failure(err)}")
    summary = _summary(scenario, engine, case, final, refused)
    if scenario.expect and not stopped:
        view = _view(engine, case, final, refused) if case is not None else {"refused": refused}
        for where, message in _compare(scenario.expect, view):
            fail(("expect", *where), message, key=True)
    summary["failures"] = failures
    summary["ok"] = not failures
    return ScenarioResult(scenario, case, summary, refused, failures)


def _calendar_failure(err: CalendarError) -> str:
    code = getattr(err, "code", "calendar")
    return f"a day the calendar does not know: {err} [{code}]"


def _refusal(
    at: str, by: str | None, action: str, err: ActionNotAllowed, expected: bool
) -> dict[str, Any]:
    return {
        "at": at,
        "by": by,
        "action": action,
        "code": err.code,
        "reason": err.reason,
        "expected": expected,
    }


def _signatures(signatures: Sequence[Cosignature]) -> dict[str, dict[str, str]]:
    """A cosigned step's signatures by section (or by the person signed for)."""
    return {
        sig.section or sig.on_behalf_of or sig.by: {
            k: v
            for k, v in (
                ("by", sig.by),
                ("on_behalf_of", sig.on_behalf_of),
                ("opinion", sig.opinion),
            )
            if v is not None
        }
        for sig in signatures
    }


def _commitment(case: Case) -> dict[str, Any]:
    """告知承诺制: what the commitment replaced, the later check's due date and finding."""
    c = case.commitment
    assert c is not None
    day = date.isoformat
    return {
        "replaced": list(c.replaced),
        "check_due": None if c.check_due is None else day(c.check_due),
        "checked_on": None if c.checked_on is None else day(c.checked_on),
        "checked_by": c.checked_by,
        "finding": c.finding,
        "opinion": c.opinion,
    }


def case_summary(engine: Engine, case: Case, at: datetime) -> dict[str, Any]:
    """A case as plain JSON data for people: state, deadlines on ``at``, events, who may act.

    Raises:
        TypeError: ``at`` is naive.
    """

    def iso(value: date | None) -> str | None:
        return value.isoformat() if value is not None else None

    clock = case.clock
    settlement = case.settlement
    states = {
        sid: {
            k: v
            for k, v in (
                ("status", st.status.value),
                ("opened", st.opened),
                ("due", iso(st.due)),
                ("by", st.by),
                ("on_behalf_of", st.on_behalf_of),
                ("opinion", st.opinion),
                ("agreed", None if st.agreed else False),
                ("signatures", _signatures(st.signatures) or None),
            )
            if v is not None
        }
        for sid, st in case.steps.items()
    }
    # every step of the matter, in process order; "pending" for those not reached yet
    steps = {
        sid: states.get(sid, {"status": "pending"}) for sid in engine.process(case.matter_id).order
    }
    data: dict[str, Any] = {
        "id": case.id,
        "matter": case.matter_id,
        "matter_hash": case.matter_hash,
        "status": case.status.value,
        "version": case.version,
        "received": case.intake.received.isoformat(),
        "accepted_on": iso(case.accepted_on),
        "deemed_acceptance": case.deemed_acceptance,
        "green_channel": case.intake.green_channel,
        "problems": [
            {"material": p.material, "code": p.code, "message": p.message}
            for p in case.intake.problems
        ],
        "gaps": list(case.intake.gaps),
        "notice": None
        if case.intake.notice is None
        else {
            "issued": iso(case.intake.notice.issued),
            "by": case.intake.notice.by,
            "items": [p.message for p in case.intake.notice.items],
        },
        "due": {
            "correction_notice": iso(clock.notice_due),
            "statutory": iso(clock.statutory_due),
            "promised": iso(clock.promised_due),
            "certificate": iso(clock.certificate_due),
            "makeup_by": iso(case.intake.makeup_by) if case.intake.gaps else None,
            # the later check of a commitment (告知承诺制), on such a case only
            **({} if case.commitment is None else {"check": iso(case.commitment.check_due)}),
        },
        **({} if case.commitment is None else {"commitment": _commitment(case)}),
        "open_steps": list(case.open_steps),
        "steps": steps,
        "decision": None
        if case.decision is None
        else {
            "outcome": case.decision.outcome,
            "step": case.decision.step,
            "by": case.decision.by,
            "on": iso(case.decision.on),
            "reasons": list(case.decision.reasons),
        },
        "stops": [
            {"kind": s.kind, "start": iso(s.start), "end": iso(s.end), "notice": s.notice}
            for s in clock.stops
        ]
        + (
            [
                {
                    "kind": clock.active_stop.kind,
                    "start": iso(clock.active_stop.start),
                    "end": None,
                    "notice": clock.active_stop.notice,
                }
            ]
            if clock.active_stop
            else []
        ),
        "extension": None
        if clock.extension is None
        else {
            "days": clock.extension.days,
            "by": clock.extension.by,
            "on": iso(clock.extension.on),
            "reason": clock.extension.reason,
        },
        "absences": [
            {"person": a.person, "start": iso(a.start), "end": iso(a.end), "by": a.by}
            for a in case.absences
        ],
        "fees": {
            "items": {k: str(v) for k, v in settlement.fees.items()},
            "waived": dict(settlement.waived),
            "total": str(settlement.assessed),
            "paid": str(settlement.paid),
            "outstanding": str(settlement.outstanding),
        },
        "certificate": None
        if settlement.certificate is None
        else {
            "number": settlement.certificate.number,
            "issued": iso(settlement.certificate.issued),
            "valid_until": iso(settlement.certificate.valid_until),
        },
        "further_results": {
            rid: {"number": c.number, "issued": iso(c.issued), "valid_until": iso(c.valid_until)}
            for rid, c in settlement.further_results.items()
        },
        "delivered": iso(settlement.delivered),
        "closed": iso(settlement.closed),
        "ending": None
        if case.ending is None
        else {
            "status": case.ending.status.value,
            "on": iso(case.ending.on),
            "by": case.ending.by,
            "reason": case.ending.reason,
        },
        "deadlines": engine.deadlines(case, at).to_dict(),
        "available_actions": [
            {"action": a.action, "step": a.step, "actors": list(a.actors)}
            for a in engine.available_actions(case, at)
            if a.action != "record_absence"
        ],
        "events": [
            {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "details": e.details}
            for e in case.events
        ],
        "head": case.head,
    }
    return data


def _summary(
    scenario: Scenario,
    engine: Engine,
    case: Case | None,
    at: datetime,
    refused: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "file": scenario.file,
        "as_of": at.isoformat(),
        "case": case_summary(engine, case, at) if case is not None else None,
        "refused": refused,
    }


def _view(
    engine: Engine, case: Case | None, at: datetime, refused: list[dict[str, Any]]
) -> dict[str, Any]:
    """What ``check`` and ``expect`` compare against: the case summary plus refusals."""
    view = case_summary(engine, case, at) if case is not None else {}
    view["refused"] = list(refused)
    return view


def _compare(
    expected: Mapping[str, Any], found: Mapping[str, Any], where: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], str]]:
    """Every way ``found`` does not match ``expected`` (a subset match): (key path, words)."""
    problems: list[tuple[tuple[str, ...], str]] = []
    for key, want in expected.items():
        path = (*where, key)
        name = ".".join(path)
        if key not in found:
            known = ", ".join(sorted(map(str, found))) or "nothing"
            problems.append((path, f"{name}: there is no such item (there is: {known})"))
            continue
        have = found[key]
        if isinstance(want, dict):
            if isinstance(have, dict):
                problems.extend(_compare(want, have, path))
            else:
                problems.append((path, f"{name}: expected {want!r}, found {_show(have)}"))
            continue
        if not _same(want, have):
            if isinstance(have, list) and isinstance(want, int) and not isinstance(want, bool):
                text = f"{name}: expected {want}, found {len(have)}"
            elif isinstance(have, dict | list):
                text = f"{name}: expected {_show(want)}, found {_brief(have)}"
            else:
                text = f"{name}: expected {_show(want)}, found {_show(have)}"
            problems.append((path, text))
    return problems


def _same(want: Any, have: Any) -> bool:
    if isinstance(have, dict) and not isinstance(want, dict):
        # shorthand: steps: {review: passed}, decision: approved, notice: 2
        for key in ("status", "outcome"):
            if key in have:
                return _same(want, have[key])
        if "items" in have and isinstance(want, int):
            return len(have["items"]) == want
        return False
    if isinstance(have, list):
        if isinstance(want, int) and not isinstance(want, bool):
            return len(have) == want  # a count: events: 9, refused: 2
        if isinstance(want, list):
            return sorted(map(_key, want)) == sorted(map(_key, have))
        return False
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have
    if isinstance(want, int | float) and isinstance(have, str):
        try:
            return Decimal(str(want)) == Decimal(have)
        except InvalidOperation:
            return False
    if isinstance(want, int | float) and isinstance(have, int | float):
        return bool(want == have)
    return bool(want == have)


def _key(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else value


def _brief(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("status", "outcome"):
            if key in value:
                return _show(value[key])
        return "{" + ", ".join(map(str, value)) + "}"
    return repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    return repr(value) if not isinstance(value, str) else f"'{value}'"
