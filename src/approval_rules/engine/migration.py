"""Moving an open case to another version of its matter, explicitly, with an event.

A case runs on the version it was opened on (:mod:`~approval_rules.versions`).  When a
new version should apply to cases already open (a corrected fee rate before the
decision, a reorganised department), a member of staff moves them with
:meth:`~.facade.Engine.migrate`: the ``migrate`` event records both versions
(``from``, ``to``) and who moved the case; everything recorded before stays as it
was (due dates, fees already assessed, signatures), the new version's rules apply
from that event on.

A case may move only where the new version can carry it: same matter, not ended,
every step the case has reached exists in the new version with the same kind, and
its results agree (every result issued is one of the new version's, a case whose
results were all issued finds none new to issue, and an approved case some result is
still left to issue, else it could never be certified); a case on the commitment
procedure (告知承诺制) moves only to a version that declares one.  The
person moving it must be staff of both versions and not the case's applicant.

A case not accepted yet (received, or awaiting its correction) is still at the window,
where the materials are judged: the ``migrate`` event records them judged again under
the new version (``problems``, ``gaps``, as a ``supplement`` does, the open items of a
correction notice kept) and, on commitment, what the new version's commitment replaces
(``commitment``).  A material the new version requires, or no longer lets the
commitment replace, is then missing on the case, and ``accept`` or
``accept_on_commitment`` is refused (``materials-incomplete``) until it is supplied.
An accepted case keeps what its acceptance judged (issue #14).
"""

from __future__ import annotations

from ..errors import ActionNotAllowed
from .case import Case
from .closing import outstanding_results
from .context import Ctx, Details, Handled, text_detail
from .intake import check_materials, outstanding_items
from .permissions import impartial
from .records import (
    APPROVED,
    BEFORE_ACCEPTANCE,
    CERTIFIED,
    CORRECTION_REQUESTED,
    DELIVERED,
    TERMINAL,
)

__all__ = ["migration"]


def migration(
    source: Ctx, target: Ctx, version: str, case: Case, actor: str, reason: object
) -> Handled:
    """The details of the ``migrate`` event moving ``case`` from ``source`` to ``target``
    (the plan of version ``version``).

    Raises:
        ActionNotAllowed: ``same-version``, ``other-matter``, ``case-ended``,
            ``step-not-in-version`` (a step the case reached is missing or of another
            kind in the target), ``result-not-in-version`` (a further result issued is
            not the target's, the target has one more for a certified case, or none
            left to issue for an approved one),
            ``commitment-not-in-version`` (the case is on the commitment procedure,
            告知承诺制, and the target declares none), ``not-authorised``,
            ``conflict-of-interest``.
    """
    old, new = source.plan, target.plan
    if new.matter.id != case.matter_id:
        raise ActionNotAllowed(
            "migrate",
            f"version {version[:12]} is of matter {new.matter.id!r}, not {case.matter_id!r}",
            code="other-matter",
        )
    if version == case.matter_hash:
        raise ActionNotAllowed(
            "migrate", f"the case runs on version {version[:12]} already", code="same-version"
        )
    if case.status in TERMINAL:
        raise ActionNotAllowed("migrate", f"the case is {case.status.value}", code="case-ended")
    if case.commitment is not None and new.matter.commitment is None:
        raise ActionNotAllowed(
            "migrate",
            "the applicant chose the commitment procedure (告知承诺制), which version "
            f"{version[:12]} does not declare: the case could not be decided or checked "
            "on it",
            code="commitment-not-in-version",
        )
    for sid in case.steps:
        rule = new.steps.get(sid)
        if rule is None or rule.kind is not old.steps[sid].kind:
            raise ActionNotAllowed(
                "migrate",
                f"step {sid!r}, which the case has reached, is "
                + ("not in" if rule is None else "of another kind in")
                + f" version {version[:12]}",
                code="step-not-in-version",
            )
    missing = [r for r in case.settlement.further_results if r not in new.results]
    left = [r.id for r in outstanding_results(target, case)]  # in the new version
    if case.status in (CERTIFIED, DELIVERED):  # every result issued: none may be added
        missing += left
    if missing:
        raise ActionNotAllowed(
            "migrate",
            f"the case's results and version {version[:12]}'s differ: "
            + ", ".join(missing),
            code="result-not-in-version",
        )  # fmt: skip
    if case.status is APPROVED and not left:  # some issued, and the rest not in `new`
        raise ActionNotAllowed(
            "migrate",
            f"every result of version {version[:12]} ({', '.join(new.results)}) is "
            "issued on the case already: nothing would be left to issue, and it would "
            "never be certified",
            code="result-not-in-version",
        )
    if actor not in old.staff or actor not in new.staff:
        raise ActionNotAllowed(
            "migrate",
            f"{actor} is not staff of both versions of matter {case.matter_id!r}",
            code="not-authorised",
        )
    impartial(case, actor, "migrate")
    details: Details = {"from": case.matter_hash, "to": version}
    reason = text_detail(reason, "reason", "migrate", required=False)
    if reason:
        details["reason"] = reason
    if case.status in BEFORE_ACCEPTANCE:
        details.update(_judged_again(target, case))
    return details, None


def _judged_again(target: Ctx, case: Case) -> Details:
    """The materials of a case not accepted yet, judged under the ``target`` version:
    its ``problems`` (with the correction notice's open items) and ``gaps``, and on
    commitment the materials the target's commitment replaces (``commitment``)."""
    plan, intake = target.plan, case.intake
    replaced: tuple[str, ...] = ()
    out: Details = {}
    if case.commitment is not None:
        declared = plan.matter.commitment
        assert declared is not None  # else commitment-not-in-version above
        replaced = declared.replaces
        out["commitment"] = list(replaced)
    files = {mid: [f.to_dict() for f in fs] for mid, fs in intake.materials.items()}
    problems, gaps = check_materials(plan, intake.applicant, files, replaced, intake.paper)
    if case.status is CORRECTION_REQUESTED:  # as a supplement does
        problems += outstanding_items(case)
    out["problems"] = [[p.material, p.code, p.message] for p in problems]
    out["gaps"] = gaps
    return out
