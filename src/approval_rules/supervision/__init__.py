"""Electronic supervision (电子监察): alert rules as data, evaluated over cases.

* :func:`load_supervision` reads a ``kind: supervision`` document (rules as data);
* :func:`supervise` (or a :class:`Supervisor`) gives the alerts in force at a moment:
  pure, deterministic, no I/O;
* :func:`sweep` records each new alert once on the cases of a store, reading only the
  cases whose alarms are due (the store keeps them with :func:`alarm_rows`);
* :mod:`.indicators` computes the performance indicators as mergeable aggregates.

See docs/supervision.md.
"""

from __future__ import annotations

from .records import Alert, Intent, Recipient
from .rules import Level, Supervision
from .ruleset import RuleSet, load_supervision, parse_supervision
from .supervisor import Supervisor, supervise
from .sweep import Swept, alarm_rows, sweep

__all__ = [
    "Alert",
    "Intent",
    "Level",
    "Recipient",
    "RuleSet",
    "Supervision",
    "Supervisor",
    "Swept",
    "alarm_rows",
    "load_supervision",
    "parse_supervision",
    "supervise",
    "sweep",
]
