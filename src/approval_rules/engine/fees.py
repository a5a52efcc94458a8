"""Fees (收费): assessment at the decision, payments, waivers, and the fee step.

Fees are assessed at the positive decision from the matter's fee items and the
applicant's fields, exact to the cent (``Decimal``, half up, clamped to the item's
minimum and maximum); the fields a fee needs are required at submission.  After the
decision the open fee step's signers (the window if the matter has none) record
payments and waive waivable fees; the fee step passes once nothing is outstanding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Final, cast

from ..errors import ActionNotAllowed, CaseDataError
from ..model import MAX_MONEY, StepKind
from ..plan import MatterPlan
from .case import Case
from .context import Authority, Command, Ctx, Details, Handled, text_detail
from .permissions import kind_actor
from .records import APPROVED, Payment, Settlement, with_fields
from .steps import specific_done

__all__ = [
    "assess",
    "fee_offers",
    "may_settle_fees",
    "record_payment",
    "require_fee_fields",
    "waivable",
    "waive_fee",
]

_CENT: Final = Decimal("0.01")


def require_fee_fields(plan: MatterPlan, fields: Mapping[str, Any]) -> None:
    """Refuse a submission that lacks a field a fee that applies is counted from, or
    gives it a negative value (a negative area would make a negative fee).

    Raises:
        CaseDataError: the field is missing or negative.
    """
    for item, cond in plan.fees:
        applies = cond is None or cond.evaluate(fields)
        if not applies:
            continue
        for name in item.fields:
            if name not in fields:
                raise CaseDataError(
                    f"applicant field {name!r} is needed to assess the fee {item.name} ({item.id})"
                )
            if fields[name] < 0:
                raise CaseDataError(
                    f"applicant field {name!r} may not be negative: the fee "
                    f"{item.name} ({item.id}) is counted from it"
                )


def assess(plan: MatterPlan, fields: Mapping[str, Any]) -> dict[str, Decimal]:
    """Fee item → amount, for the fees whose condition holds for the applicant.

    The one assessment: the deciding step records it (``pass``), supervision checks a
    record against it (违规收费, :func:`~.facade.Engine.assess_fees`).
    """
    fees: dict[str, Decimal] = {}
    for item, cond in plan.fees:
        if cond is not None and not cond.evaluate(fields):
            continue
        if item.amount is not None:
            amount = item.amount
        else:
            assert item.rate is not None
            amount = item.rate
            for name in item.fields:  # rate × per_field × each of times
                amount *= Decimal(str(fields.get(name, 0)))
            if item.minimum is not None:
                amount = max(amount, item.minimum)
            if item.maximum is not None:
                amount = min(amount, item.maximum)
        fees[item.id] = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    return fees


def waivable(plan: MatterPlan, settlement: Settlement) -> list[str]:
    """The outstanding fees that may be waived (nothing paid is ever waived back)."""
    items = plan.fee_items
    paid = settlement.paid
    assessed = settlement.assessed
    return [
        k for k, v in settlement.fees.items()
        if k not in settlement.waived and items[k].waivable and paid <= assessed - v
    ]  # fmt: skip


def _money(value: object, action: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise CaseDataError(f"{action}: amount must be a number, not {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise CaseDataError(f"{action}: amount {value!r} is not a number") from None
    if not amount.is_finite() or amount.copy_abs() > MAX_MONEY:
        raise CaseDataError(
            f"{action}: amount {str(value)[:40]!r} must be a number of yuan up to {MAX_MONEY}"
        )
    if amount.quantize(_CENT) != amount:
        raise CaseDataError(f"{action}: amount {value!r} must be yuan with at most 2 decimals")
    return amount.quantize(_CENT)


def may_settle_fees(
    ctx: Ctx, case: Case, action: str, step: str | None, actor: str, day: date
) -> Authority:
    """``record_payment`` and ``waive_fee``: an approved case with fees outstanding."""
    if case.status is not APPROVED:
        raise ActionNotAllowed(
            action, "fees are settled after approval and before the certificate (the case "
            f"is {case.status.value})", code="wrong-status",
        )  # fmt: skip
    if case.settlement.outstanding <= 0:
        raise ActionNotAllowed(action, "no fee is outstanding", code="nothing-to-pay")
    if action == "waive_fee" and not waivable(ctx.plan, case.settlement):
        raise ActionNotAllowed(action, "no outstanding fee may be waived", code="not-waivable")
    return kind_actor(ctx.plan, case, StepKind.FEE, actor, day, action)


def record_payment(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """A payment of ``amount`` (at most what is outstanding), with its ``receipt``."""
    d = cmd.details
    if d.get("amount") is None:
        raise ActionNotAllowed(cmd.action, "the amount is required", code="detail-required")
    amount = _money(d["amount"], cmd.action)
    outstanding = case.settlement.outstanding
    if amount <= 0 or amount > outstanding:
        raise ActionNotAllowed(
            cmd.action,
            f"the amount must be between 0.01 and the {outstanding} yuan outstanding",
            code="bad-amount",
        )
    details: Details = {"amount": str(amount)}
    receipt = text_detail(d.get("receipt"), "receipt", cmd.action, required=False)
    if receipt:
        details["receipt"] = receipt
    # the fold records the payment; here it only decides whether the fee step passes
    payment = Payment(amount, cmd.at.date(), cmd.actor)
    settled = with_fields(case.settlement, payments=(*case.settlement.payments, payment))
    return specific_done(ctx, case, cmd, auth, details, passes=settled.outstanding <= 0)


def waive_fee(ctx: Ctx, case: Case, cmd: Command, auth: Authority) -> Handled:
    """Waive fee ``item`` (a waivable one still outstanding) for a ``reason``."""
    d = cmd.details
    item = d.get("item")
    allowed = waivable(ctx.plan, case.settlement)
    if not isinstance(item, str) or item not in allowed:
        raise ActionNotAllowed(
            cmd.action,
            f"fee {item!r} is not an outstanding fee that may be waived ({', '.join(allowed)})",
            code="not-waivable",
        )
    reason = text_detail(d.get("reason"), "a reason", cmd.action)
    details: Details = {"item": item, "reason": reason}
    waived = MappingProxyType({**case.settlement.waived, item: cast(str, reason)})
    settled = with_fields(case.settlement, waived=waived)
    return specific_done(ctx, case, cmd, auth, details, passes=settled.outstanding <= 0)


def fee_offers(ctx: Ctx, case: Case) -> Iterable[tuple[str | None, Sequence[str]]]:
    """``waive_fee`` is offered with the fees that may be waived."""
    fees = case.settlement.fees
    return ((None, waivable(ctx.plan, case.settlement) if fees else ()),)
