"""Notifications (短信通知): rules declared in YAML, intents computed purely, an outbox, a gateway.

::

    from approval_rules.notify import load_notifications, notification_intents

    rules = load_notifications(Path("matters/notifications.yaml"), catalogue=catalogue)
    after = engine.act(before, ...)
    intents = notification_intents(rules, before, after, catalogue)   # nothing sent
    store.outbox.add(intents)                                         # kept once per key
    dispatch(store, FileGateway("sms.jsonl"), at=now)                 # sent, with retries

See docs/notifications.md.
"""

from __future__ import annotations

from .check import (
    NotificationRules,
    check_notification_files,
    load_notifications,
    parse_notifications,
)
from .gateway import DispatchReport, FileGateway, Gateway, GatewayError, dispatch
from .intents import Intent, notification_intents
from .rules import PLACEHOLDERS, Notifications

__all__ = [
    "PLACEHOLDERS",
    "DispatchReport",
    "FileGateway",
    "Gateway",
    "GatewayError",
    "Intent",
    "NotificationRules",
    "Notifications",
    "check_notification_files",
    "dispatch",
    "load_notifications",
    "notification_intents",
    "parse_notifications",
]
