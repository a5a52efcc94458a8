"""The alert-engine port on durable-rules (optional extra ``durable``).

``pip install 'approval_rules[durable]'`` (durable-rules 2.0.28 builds a C extension
from its source; it runs on Python 3.11 and 3.12, not 3.13).  Nothing else in the
library imports durable-rules, and this module imports it only when an engine is made.

How it is used, after docs/dependencies.md (measured in the project's research, §1):

* one private ``durable.engine.Host`` per engine, with a ruleset of its own name, built
  from the rule set as data (never ``durable.lang``, which is process-global);
* the Host's background threads are never started (its ``_run`` does nothing), so no
  action runs on another thread and nothing runs on a timer;
* every measure is **asserted as a fact, then retracted** (``assert_fact`` /
  ``retract_fact``), so every rule that holds fires (``post`` consumes an event at the
  first rule and loses alerts);
* calls are serialised with a lock; a ruleset is compiled once per engine and never
  reloaded (durable-rules does not free them).

A rule in force for only some matters (overrides) is one durable rule per variant, with
a condition on the fact's matter.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Sequence
from typing import Any, Final

from ..errors import ApprovalRulesError
from .port import Measure
from .rules import TimeRule, Trigger
from .ruleset import RuleSet

__all__ = ["DurableAlertEngine", "durable_ruleset"]

_NAMES: Final = itertools.count(1)
_INSTALL: Final = (
    "the durable-rules engine is not installed: pip install 'approval_rules[durable]' "
    "(Python 3.11 or 3.12, with a C compiler)"
)


def _trigger(trigger: Trigger) -> dict[str, Any]:
    if trigger.overdue_wd is not None:
        return {"$gte": {"overdue": trigger.overdue_wd}}
    keys: list[dict[str, Any]] = []
    if trigger.remaining_wd is not None:
        keys.append({"$lte": {"remaining": trigger.remaining_wd}})
    if trigger.used_percent is not None:
        keys.append({"$gte": {"used_percent": trigger.used_percent}})
    return keys[0] if len(keys) == 1 else {"$or": keys}


def durable_ruleset(rules: RuleSet, matters: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The durable-rules definition of the time rules in force for ``matters``: rule
    name → ``{"all": [{"m": condition}], "run": rule id}``."""
    variants: dict[tuple[str, str], tuple[TimeRule, list[str]]] = {}
    every = sorted(set(matters))
    for matter in every:
        for rule in rules.rules_for(matter):
            key = (rule.id, rule.model_dump_json())
            variants.setdefault(key, (rule, []))[1].append(matter)
    out: dict[str, dict[str, Any]] = {}
    for n, (rule, where) in enumerate(variants.values()):
        condition: list[dict[str, Any]] = [{"basis": rule.basis.value}, _trigger(rule.when)]
        if where != every:
            alone = [{"matter": m} for m in where]
            condition.append(alone[0] if len(alone) == 1 else {"$or": alone})
        out[f"r{n}_{rule.id}"] = {"all": [{"m": {"$and": condition}}], "run": rule.id}
    return out


class DurableAlertEngine:
    """Which time rules hold, answered by durable-rules (see the module's docstring).

    Args:
        rules: the rule set.
        matters: every matter whose cases will be measured (the catalogue's).

    Raises:
        ImportError: durable-rules is not installed (the message says how).
    """

    def __init__(self, rules: RuleSet, matters: Iterable[str]) -> None:
        try:
            from durable import engine as durable_engine
        except ImportError as err:
            raise ImportError(_INSTALL) from err
        self._not_handled: type[BaseException] = durable_engine.MessageNotHandledException
        self._found: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._name = f"supervision_{next(_NAMES)}"
        found = self._found

        class _Host(durable_engine.Host):  # type: ignore[misc]
            def _run(self) -> None:
                """No dispatch threads: actions run in the caller's thread, in order."""

            def get_action(self, action_name: str) -> Any:
                def fire(c: Any) -> None:
                    found.add((action_name, int(c.m["key"])))

                return fire

        self._host = _Host()
        try:
            self._host.register_rulesets({self._name: durable_ruleset(rules, matters)})
        except Exception as err:  # durable-rules raises plain Exceptions
            raise ApprovalRulesError(f"durable-rules refused the rule set: {err}") from None

    def reached(self, measures: Sequence[Measure]) -> set[tuple[str, int]]:
        with self._lock:
            self._found.clear()
            for m in measures:
                fact = {"sid": "0", "id": next(self._ids), **m.to_fact()}
                try:
                    self._host.assert_fact(self._name, fact)
                except self._not_handled:
                    continue  # no rule holds on it: durable-rules kept nothing
                except Exception as err:
                    raise ApprovalRulesError(f"durable-rules failed: {err}") from None
                self._host.retract_fact(self._name, fact)
            return set(self._found)

    def close(self) -> None:
        """Stop answering; the engine's state stays until the process ends.

        Every fact is retracted after it is evaluated, so the state holds nothing.
        durable-rules' own ``delete_state`` is not called: in 2.0.28 its C extension
        crashes the process now and then (a segmentation fault, seen about once in six
        runs of the parity test), which no caller can catch.
        """
        with self._lock:
            self._found.clear()
