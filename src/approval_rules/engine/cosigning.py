"""Steps several people sign: a quorum (``signers_needed``) or sections (``sections``).

A cosigned step stays open until enough different signers have signed it: on a
quorum, ``signers_needed`` of its signers (two inspectors, a panel's quorum); with
sections, each named reviewer their own section, and the step passes when every
section is signed.  Each signature is one ``pass`` event; the event's details say
``cosigned: [signatures so far, signatures needed]`` (and the ``section``), so that
replay rebuilds the step's signatures (:func:`~.evolve.signed_state`).

AB岗 backups stand in per person: while a signer is recorded absent, their backup
signs *for them* (their section, or their place in the quorum).  On a quorum nobody
signs twice, neither in their own name nor for someone else: a quorum of two is two
people.  Sections are each person's responsibility: a backup who signed their own
section signs the absent person's section too.
"""

from __future__ import annotations

from datetime import date

from ..errors import ActionNotAllowed
from ..plan import StepRule
from .case import Case
from .context import Details

__all__ = ["cosign", "may_cosign", "signed_by"]


def signed_by(case: Case, sid: str) -> frozenset[str]:
    """Everyone who signed step ``sid`` so far, and everyone signed for."""
    st = case.steps.get(sid)
    if st is None:
        return frozenset()
    people = {sig.by for sig in st.signatures}
    people.update(sig.on_behalf_of for sig in st.signatures if sig.on_behalf_of is not None)
    return frozenset(people)


def may_cosign(
    rule: StepRule, case: Case, sid: str, actor: str, principal: str, day: date, action: str
) -> str:
    """For whom ``actor`` signs the cosigned step ``sid``: ``principal``, or, on a step
    with sections, an absent person they back up once their own section is signed.

    Raises:
        ActionNotAllowed: ``already-signed`` when that person's signature is there
            (on a quorum, also when ``actor`` signed: a quorum of two is two people);
            ``no-section`` when the step has sections and the person signs none.
    """
    done = signed_by(case, sid)
    if rule.sections and principal == actor and actor in done:
        for other in rule.backups.get(actor, ()):
            if other in rule.sections and other not in done and _absent(case, other, day):
                principal = other  # AB岗: the backup signs the absent person's section
                break
    if principal in done or (not rule.sections and actor in done):
        who = actor if principal == actor else f"{actor} (for {principal})"
        raise ActionNotAllowed(
            action,
            f"{who} signed step {sid!r} already; it needs the signatures of "
            + _missing(rule, case, sid),
            code="already-signed",
        )
    if rule.sections and principal not in rule.sections:
        raise ActionNotAllowed(
            action,
            f"{principal} signs no section of step {sid!r} (sections: "
            + ", ".join(f"{sec} by {who}" for who, sec in rule.sections.items())
            + ")",
            code="no-section",
        )
    return principal


def _absent(case: Case, person: str, day: date) -> bool:
    return any(a.person == person and a.start <= day <= a.end for a in case.absences)


def cosign(rule: StepRule, case: Case, sid: str, principal: str, details: Details) -> bool:
    """Record a signature of step ``sid`` in ``details``; does it complete the step?"""
    st = case.steps[sid]
    needed = len(rule.sections) if rule.sections else rule.needed
    signed = len(st.signatures) + 1
    if rule.sections:
        details["section"] = rule.sections[principal]
    details["cosigned"] = [signed, needed]
    return signed >= needed


def _missing(rule: StepRule, case: Case, sid: str) -> str:
    st = case.steps.get(sid)
    if rule.sections:
        done = {sig.section for sig in st.signatures} if st is not None else set()
        return "the sections " + ", ".join(
            f"{sec} ({who})" for who, sec in rule.sections.items() if sec not in done
        )
    have = len(st.signatures) if st is not None else 0
    return f"{rule.needed - have} more of its signers"
