"""The one registry of actions: for each, the details it takes, its check and its handler.

Adding an action is one entry here plus its check and handler (in the module of its
subject).  :meth:`~.facade.Engine.act` runs the entry's check, then its handler;
:meth:`~.facade.Engine.available_actions` tries the same check on everyone the case
involves, for each offer the entry makes, so it never lists an action that ``act``
would then refuse.  The order here is the order in which actions are offered.

The clock events the law causes (deemed acceptance, deemed agreement, termination)
are recorded by the system, never requested: :data:`CLOCK_EVENTS` has their handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from . import (
    clock_actions,
    closing,
    commitment,
    delays,
    fees,
    permissions,
    ratings,
    review,
    signatures,
    window,
)
from .case import Case
from .clocks import Timer
from .context import ActionSpec, Ctx, Handled, offered_once

__all__ = ["ACTIONS", "CLOCK_EVENTS", "REGISTRY", "UNDATED"]


def _window_offer(ctx: Ctx, case: Case) -> tuple[tuple[str, tuple[str, ...]]]:
    return ((ctx.plan.start, ()),)


_SPECS: Final = (
    ActionSpec("request_correction", ("problems",), window.may_accept,
               window.request_correction, _window_offer),
    ActionSpec("accept", ("makeup_by",), window.may_accept, window.accept, _window_offer),
    ActionSpec("refuse_to_accept", ("reason",), window.may_accept, window.refuse_to_accept,
               _window_offer),
    ActionSpec("supplement", ("materials", "resolved", "waived", "reason"),
               window.may_supplement, window.supplement, offered_once),
    ActionSpec("pass", ("step", "opinion", "agree"), review.may_pass, review.pass_step,
               review.step_offers, per_step=True),
    ActionSpec("send_back", ("step", "to", "reason"), review.may_send_back,
               review.send_back_step, review.send_back_offers, per_step=True),
    ActionSpec("refuse", ("step", "reasons"), review.may_refuse, review.refuse,
               review.step_offers, per_step=True),
    ActionSpec("start_clock_stop", ("kind", "notice", "needed_days"), clock_actions.may_stop_clock,
               clock_actions.start_clock_stop, clock_actions.stop_offers),
    ActionSpec("end_clock_stop", ("notice", "kind"), clock_actions.may_stop_clock,
               clock_actions.end_clock_stop, clock_actions.end_stop_offers),
    ActionSpec("record_applicant_delay", ("kind", "start", "end", "reason"),
               delays.may_record_delay, delays.record_applicant_delay, delays.delay_offers),
    ActionSpec("extend", ("reason",), clock_actions.may_extend, clock_actions.extend,
               offered_once),
    ActionSpec("record_payment", ("amount", "receipt"), fees.may_settle_fees,
               fees.record_payment, offered_once),
    ActionSpec("waive_fee", ("item", "reason"), fees.may_settle_fees, fees.waive_fee,
               fees.fee_offers),
    ActionSpec("issue_certificate", ("number", "result"), closing.may_issue_certificate,
               closing.issue_certificate, closing.result_offers, aim=closing.result_step),
    ActionSpec("deliver", ("signed_by",), closing.may_deliver, closing.deliver, offered_once),
    ActionSpec("close", (), closing.may_close, closing.close, offered_once),
    ActionSpec("withdraw", ("reason",), window.may_withdraw, window.withdraw, offered_once),
    ActionSpec("record_absence", ("person", "start", "end", "reason"),
               permissions.may_record_absence, permissions.record_absence,
               permissions.absence_offers),
    ActionSpec("sign", ("seq", "algorithm", "signature"), signatures.may_sign,
               signatures.sign, signatures.sign_offers),
    ActionSpec("record_rating", ("level", "named", "comment"), ratings.may_rate,
               ratings.record_rating, offered_once, after_end=True),
    ActionSpec("follow_up_rating", ("note", "rectified"), ratings.may_follow_up,
               ratings.follow_up_rating, offered_once, after_end=True),
    ActionSpec("accept_on_commitment", ("opinion",), commitment.may_accept_on_commitment,
               commitment.accept_on_commitment, commitment.spot_offers),
    ActionSpec("record_check", ("finding", "opinion"), commitment.may_record_check,
               commitment.record_check, commitment.check_offers, after_end=True),
)  # fmt: skip

#: Every action :meth:`~.facade.Engine.act` knows, by name, in the order offered.
REGISTRY: Final[Mapping[str, ActionSpec]] = MappingProxyType({s.name: s for s in _SPECS})

#: Every action :meth:`~.facade.Engine.act` knows, with the details it takes (docs/engine.md).
ACTIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {s.name: s.details for s in _SPECS}
)

#: The clock events the system records (:meth:`~.clocks.Clocks.next_timer`).
CLOCK_EVENTS: Final[Mapping[str, Callable[[Ctx, Case, Timer], Handled]]] = MappingProxyType(
    {
        "deemed_acceptance": window.deemed_acceptance,
        "corrected_acceptance": window.corrected_acceptance,
        "deemed_agreement": review.deem,
        "terminate": window.terminate,
    }
)

#: The actions that never need a new date: they work in any year, even while a clock
#: event that needs a year the calendar does not know waits to be recorded (issue #10).
UNDATED: Final[frozenset[str]] = frozenset(
    {"withdraw", "record_absence", "sign", "record_rating", "follow_up_rating", "record_check"}
)
