"""Every status of a case and of its steps, and every transition between them.

One table each: :data:`CASE_TRANSITIONS` (which recorded action moves a case from one
status to another) and :data:`STEP_TRANSITIONS` (how a step's status changes, and by
what).  The fold (:mod:`.evolve`) makes these moves; the Hypothesis state machine and
the stored cases check that every move it makes is in the tables, and
``docs/engine.md`` draws them with :func:`case_diagram` and :func:`step_diagram` (a
test checks the page's drawings equal what these functions write).

This module imports only :mod:`.records`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

from .records import Status, StepStatus

__all__ = [
    "CASE_STATUSES",
    "CASE_TRANSITIONS",
    "KEEPING",
    "KEEP_STATUS",
    "PENDING",
    "STEP_STATUSES",
    "STEP_TRANSITIONS",
    "Transition",
    "case_diagram",
    "case_moves",
    "keeping_table",
    "status_table",
    "step_diagram",
    "step_moves",
]

#: A step the case has not reached yet (or that waits again after a send-back): it is
#: absent from :attr:`~.case.Case.steps`.
PENDING: Final = "pending"


class Transition(NamedTuple):
    """A move from ``source`` to ``target`` (``None``: the case does not exist yet),
    by the recorded actions ``by``.
    """

    source: str | None
    target: str
    by: tuple[str, ...]


def _t(source: str | None, target: str, *by: str) -> Transition:
    return Transition(source, target, by)


_R, _C, _I = Status.RECEIVED.value, Status.CORRECTION_REQUESTED.value, Status.IN_REVIEW.value
_A, _F, _CE = Status.APPROVED.value, Status.REFUSED.value, Status.CERTIFIED.value
_D, _CL = Status.DELIVERED.value, Status.CLOSED.value
_NA, _W, _T = Status.NOT_ACCEPTED.value, Status.WITHDRAWN.value, Status.TERMINATED.value
_RV = Status.REVOKED.value

#: Every move of a case's status, and the recorded actions that make it.  An action
#: not listed for a status leaves the status as it is (a pass of a middle step, a
#: payment, a clock stop …).
CASE_TRANSITIONS: Final[tuple[Transition, ...]] = (
    _t(None, _R, "submit"),
    _t(_R, _C, "request_correction"),
    _t(_C, _R, "supplement"),
    _t(_R, _I, "accept", "deemed_acceptance", "corrected_acceptance"),
    _t(_R, _NA, "refuse_to_accept"),
    _t(_C, _NA, "refuse_to_accept"),
    _t(_I, _A, "pass", "deemed_agreement"),
    _t(_I, _F, "refuse", "pass"),
    _t(_I, _T, "terminate"),
    _t(_R, _W, "withdraw"),
    _t(_C, _W, "withdraw"),
    _t(_I, _W, "withdraw"),
    _t(_A, _CE, "issue_certificate"),
    _t(_A, _CL, "close"),
    _t(_CE, _D, "deliver"),
    _t(_CE, _CL, "close"),
    _t(_D, _CL, "close"),
    _t(_F, _CL, "close"),
    _t(_R, _A, "accept_on_commitment"),
    _t(_A, _RV, "record_check"),
    _t(_CE, _RV, "record_check"),
    _t(_D, _RV, "record_check"),
    _t(_CL, _RV, "record_check"),
)

#: Recorded actions that move no status of the case or its steps, and when they are
#: recorded (docs/engine.md).
KEEPING: Final[Mapping[str, str]] = MappingProxyType(
    {
        "record_alert": "in any status, after the end too, by the system: a supervision "
        "alert (电子监察), once per alert",
        "record_rating": "after the end, by the applicant, once: 好差评 on five levels",
        "follow_up_rating": "after a named bad review, by a person of the matter: the "
        "follow-up (回访, 整改)",
    }
)
#: The recorded actions that never change the case's status: a send-back, a clock stop
#: and its end, the extension, an absence, an applicant's delay, a payment or waiver, a
#: re-dating, a signature added to an event, a migration to another version of the
#: matter (``migrate``, engine/migration.py), and the records of :data:`KEEPING`.
KEEP_STATUS: Final = frozenset(
    {
        "send_back", "start_clock_stop", "end_clock_stop", "extend", "record_absence",
        "record_payment", "waive_fee", "redate", "sign", "migrate", "record_applicant_delay",
    }
) | frozenset(KEEPING)  # fmt: skip

_O, _P, _DE = StepStatus.OPEN.value, StepStatus.PASSED.value, StepStatus.DEEMED.value
_S, _X = StepStatus.SKIPPED.value, StepStatus.CANCELLED.value

#: Every move of a step's status.  ``by`` names what makes it: an action, or
#: ``successor`` (any action that completes the steps before it opens it, or skips it
#: when its ``when`` is false for the applicant).
STEP_TRANSITIONS: Final[tuple[Transition, ...]] = (
    _t(PENDING, _O, "submit", "successor", "send_back"),
    _t(PENDING, _S, "successor"),
    _t(_O, _P, "pass", "accept", "record_payment", "waive_fee", "issue_certificate",
       "deliver", "close", "accept_on_commitment"),
    _t(PENDING, _P, "accept_on_commitment"),
    _t(_O, _DE, "deemed_agreement"),
    _t(_O, _X, "refuse", "refuse_to_accept", "withdraw", "terminate", "pass", "record_check"),
    _t(_O, PENDING, "send_back"),
    _t(_P, _O, "send_back"),
    _t(_P, PENDING, "send_back"),
    _t(_DE, _O, "send_back"),
    _t(_DE, PENDING, "send_back"),
    _t(_S, PENDING, "send_back"),
)  # fmt: skip

#: What each case status means (docs/engine.md).
CASE_STATUSES: Final[Mapping[str, str]] = MappingProxyType(
    {
        _R: "收件: materials in, acceptance not decided yet",
        _C: "一次性告知 issued, waiting for the corrections (补正)",
        _I: "受理: accepted (by the window or by law), steps running",
        _A: "准予许可: the deciding step approved",
        _F: "不予许可: refused, with reasons",
        _CE: "制证: the certificate is issued (every result, when there are several)",
        _D: "送达: the certificate is delivered (签收)",
        _CL: "办结: closed (terminal)",
        _NA: "不予受理: not accepted, with a reason (terminal)",
        _W: "撤回: withdrawn by the applicant before the decision (terminal)",
        _T: "终止: a tolerated material's make-up date passed (terminal)",
        _RV: "撤销: approved on a commitment (告知承诺制) the later check found untrue "
        "(terminal; the decision and the record stay)",
    }
)

#: What each step status means (docs/engine.md).
STEP_STATUSES: Final[Mapping[str, str]] = MappingProxyType(
    {
        PENDING: "not reached yet, or waiting again after a send-back (absent from `steps`)",
        _O: "open: its signers (or their backups) act; its own limit runs",
        _P: "passed: done by a signer (`by`, `on_behalf_of`, `opinion`)",
        _DE: "deemed: 视为同意, a co-department let its limit pass (`on_timeout: deem_agreed`)",
        _S: "skipped: its `when:` is false for this applicant; counts as done",
        _X: "cancelled: open when the case was refused, not accepted, withdrawn, terminated "
        "or revoked",
    }
)


def case_moves() -> frozenset[tuple[str | None, str, str]]:
    """Every ``(source, action, target)`` of :data:`CASE_TRANSITIONS`."""
    return frozenset((t.source, a, t.target) for t in CASE_TRANSITIONS for a in t.by)


def step_moves() -> frozenset[tuple[str, str]]:
    """Every ``(source, target)`` of :data:`STEP_TRANSITIONS`."""
    return frozenset((t.source or PENDING, t.target) for t in STEP_TRANSITIONS)


def _diagram(transitions: Iterable[Transition], ends: Iterable[str]) -> str:
    lines = ["```mermaid", "stateDiagram-v2"]
    for t in transitions:
        source = "[*]" if t.source is None else t.source
        lines.append(f"    {source} --> {t.target}: {' / '.join(t.by)}")
    lines.extend(f"    {end} --> [*]" for end in ends)
    lines.append("```")
    return "\n".join(lines)


def case_diagram() -> str:
    """The Mermaid drawing of :data:`CASE_TRANSITIONS` (terminal statuses end)."""
    ends = (_CL, _NA, _W, _T, _RV)
    return _diagram(CASE_TRANSITIONS, ends)


def step_diagram() -> str:
    """The Mermaid drawing of :data:`STEP_TRANSITIONS`."""
    return _diagram(STEP_TRANSITIONS, ())


def status_table(statuses: Mapping[str, str]) -> str:
    """A Markdown table of statuses and what they mean."""
    rows = ["| status | meaning |", "|---|---|"]
    rows.extend(f"| `{name}` | {meaning} |" for name, meaning in statuses.items())
    return "\n".join(rows)


def keeping_table() -> str:
    """A Markdown table of :data:`KEEPING`: the records that move no status."""
    rows = ["| action | recorded |", "|---|---|"]
    rows.extend(f"| `{name}` | {when} |" for name, when in KEEPING.items())
    return "\n".join(rows)
