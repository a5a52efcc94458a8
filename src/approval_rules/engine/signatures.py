"""The ``sign`` action: an actor's signature over an event they recorded (CA 认证).

A step declared ``signed: true`` records every action on it with ``"signed": true``:
the actions naming it (``pass``, ``send_back``, ``refuse``) and those acting on it
without naming it (:func:`acted_on`: ``accept`` on the acceptance step,
``accept_on_commitment`` on the acceptance and deciding steps, ``issue_certificate``
on its certify step, ``record_check`` on the deciding step …);
its actor then signs that event (:func:`~..signing.sign_details`) and the signature is
recorded as a ``sign`` event of its own, in the chain.  The engine checks who signs
what (their own event, once, one that asks for a signature); whether the signature
verifies is checked against the people's keys by :meth:`~.case.Case.verify` and
``approval-rules store check --keys``, or by the engine at once when it was given
keys (``Engine(..., keys=)``: ``bad-signature``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from ..errors import ActionNotAllowed, CaseDataError
from ..signing import ALGORITHMS, signing_message, verify_signature
from .case import Case
from .context import Authority, Command, Ctx, Details, Handled

__all__ = ["acted_on", "may_sign", "must_sign", "sign", "sign_offers", "signed_steps", "unsigned"]


def signed_steps(ctx: Ctx) -> frozenset[str]:
    """The steps of the matter whose actions must be signed."""
    return frozenset(step.id for step in ctx.plan.matter.steps if step.signed)


def acted_on(ctx: Ctx, action: str, auth: Authority) -> tuple[str, ...]:
    """The steps ``action`` acts on, as its check judged it (``auth``): the one rule
    :meth:`~.facade.Engine.act` marks events by and replay verifies them by.

    The step the check found (a step named, the acceptance step of the window's
    actions, the open certify, deliver, close or fee step of the actions after the
    decision); on commitment (告知承诺制) ``accept_on_commitment`` acts on the
    acceptance step and the deciding step, and ``record_check`` on the deciding step
    whose decision it keeps or revokes.
    """
    steps = () if auth.step is None else (auth.step,)
    if action == "accept_on_commitment":
        return (ctx.plan.start, *steps)
    if action == "record_check":
        decider = ctx.plan.matter.commitment_step
        return steps if decider is None else (decider.id,)
    return steps


def must_sign(ctx: Ctx, action: str, auth: Authority, signed: frozenset[str]) -> bool:
    """Whether the event of ``action`` asks for a signature: it acts on a step of
    ``signed`` (:func:`signed_steps`)."""
    return bool(signed) and any(sid in signed for sid in acted_on(ctx, action, auth))


def unsigned(case: Case, actor: str | None = None) -> list[int]:
    """The events (by ``seq``) that ask for a signature and have none yet (of ``actor``)."""
    events = case.events
    done = {e.details.get("seq") for e in events if e.action == "sign"}
    return [
        e.seq
        for e in events
        if e.details.get("signed") is True
        and e.seq not in done
        and (actor is None or e.actor == actor)
    ]


def may_sign(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """The actor of an event that asks for a signature and has none yet."""
    if not signed_steps(ctx) or not unsigned(case, actor):
        raise ActionNotAllowed(action, f"{actor} has no event to sign", code="nothing-to-sign")
    return Authority(None, actor)


def sign(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """The signature of event ``seq`` by its actor: ``algorithm`` and ``signature`` (hex)."""
    d: Any = cmd.details
    seq, algorithm, signature = d.get("seq"), d.get("algorithm"), d.get("signature")
    if type(seq) is not int or seq not in unsigned(case, cmd.actor):
        raise ActionNotAllowed(
            cmd.action,
            f"event {seq!r} is not an event of {cmd.actor} waiting for a signature",
            code="nothing-to-sign",
        )
    if algorithm not in ALGORITHMS:
        raise CaseDataError(f"sign: algorithm must be one of {', '.join(ALGORITHMS)}")
    if (
        not isinstance(signature, str)
        or not 0 < len(signature) <= 1024
        or len(signature) % 2
        or signature.strip("0123456789abcdef")
    ):
        raise CaseDataError("sign: signature must be lower-case hex, at most 512 bytes")
    if ctx.keys is not None:
        message = signing_message(case.events[seq - 1])
        raw = bytes.fromhex(signature)
        owned = [k for k in ctx.keys.get(cmd.actor, ()) if k.algorithm == algorithm]
        if not any(verify_signature(algorithm, k.raw, message, raw) for k in owned):
            raise ActionNotAllowed(
                cmd.action,
                f"the {algorithm} signature does not verify with {cmd.actor}'s keys",
                code="bad-signature",
            )
    details: Details = {"seq": seq, "algorithm": algorithm, "signature": signature}
    return details, None


def sign_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``sign`` is offered with the events waiting for a signature (their ``seq``)."""
    if not signed_steps(ctx):
        return ()
    waiting = unsigned(case)
    return ((None, tuple(map(str, waiting))),) if waiting else ()
