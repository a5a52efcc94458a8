"""Loading and checking supervision documents; the rules in force for each matter.

:func:`load_supervision` reads a ``kind: supervision`` file through the project's guarded
YAML reader, validates it against :class:`~.rules.Supervision` and, given a catalogue,
checks what one file cannot know alone, collecting every problem as an
:class:`~approval_rules.errors.Issue` with ``file:line:column`` and a hint:

* ids: rules and anomaly rules each once (``duplicate-id``); overrides name matters of
  the catalogue (``unknown-matter``) and rules of the document (``unknown-rule``); the
  department head's role exists (``unknown-role``);
* the law: a statutory breach (past the statutory limit and an approved extension) is
  always red (``statutory-breach-not-red``), and some rule watches it
  (``no-statutory-breach-rule``);
* every matter's limits, with its overrides applied: a threshold that fires as soon as
  the period starts (``threshold-infeasible``, e.g. "prompt at 5 working days remaining"
  on a 3-working-day step) and levels that would fire out of order on one period
  (``levels-out-of-order``, e.g. yellow before the prompt).  Both are warnings.  A
  period of 0 working days (a step due the day it opens) is not reported: a threshold
  before its due date fires that day, which is what it means.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .._yaml import YamlDocument, declares_kind, files_of_kind, parse_yaml, read_yaml_file
from ..catalogue import matter_hint, role_hint
from ..errors import DefinitionError, Issue, Path, Severity, SourceSpan
from ..loader import Catalogue
from ..model import Matter, TimeLimit, Unit
from ..validation import validate_document
from .rules import (
    LEVEL_RANK,
    AnomalyRule,
    Basis,
    Level,
    Scope,
    Supervision,
    TimeRule,
    Trigger,
)

__all__ = [
    "RuleSet",
    "check_supervision_files",
    "fire_offset",
    "is_supervision_text",
    "load_supervision",
    "parse_supervision",
    "ruleset_from",
]


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A checked supervision document and the rules in force for each matter.

    Attributes:
        document: the validated document.
        issues: the warnings found while checking it.
        fingerprint: ``sha256:`` + 16 hex digits of the document's content; an alert
            index built for one rule set is rebuilt when it changes.
    """

    document: Supervision
    issues: tuple[Issue, ...] = ()
    _doc: YamlDocument | None = field(default=None, repr=False)
    _cache: dict[str, tuple[TimeRule, ...]] = field(default_factory=dict, repr=False)

    @property
    def fingerprint(self) -> str:
        text = self.document.model_dump_json()
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    @property
    def file(self) -> str | None:
        """The file the document was read from, if any."""
        return None if self._doc is None else self._doc.file

    def locate(self, path: Path) -> SourceSpan | None:
        """Where ``path`` was written, when the document came from a file."""
        return None if self._doc is None else self._doc.span(path)

    def rules_for(self, matter_id: str) -> tuple[TimeRule, ...]:
        """The time rules in force for a matter: the document's, with the overrides that
        name the matter applied in order (a later override wins)."""
        found = self._cache.get(matter_id)
        if found is None:
            found = self._cache[matter_id] = tuple(
                rule for rule, _ in _effective(self.document, matter_id)
            )
        return found

    def anomalies_for(self, matter_id: str) -> tuple[AnomalyRule, ...]:
        """The anomaly rules in force for a matter (overrides may disable them)."""
        off = {
            rid
            for override in self.document.overrides
            if matter_id in override.matters
            for rid in override.disable
        }
        return tuple(rule for rule in self.document.anomalies if rule.id not in off)


# --- reading --------------------------------------------------------------------------


def parse_supervision(
    source: str | bytes | os.PathLike[str],
    *,
    file: str | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[RuleSet | None, list[Issue]]:
    """Read a supervision document (YAML text, or a file given as a path-like object).

    Returns the rule set (``None`` when it has errors) and every issue, warnings
    included.  With a catalogue, the document is also checked against its matters,
    roles and limits (see the module's docstring).
    """
    if isinstance(source, os.PathLike):
        doc, issues = read_yaml_file(source, file)
    else:
        doc, issues = parse_yaml(source, file or "<supervision>")
    if doc is None or any(i.is_error for i in issues):
        return None, issues
    model, found = validate_document(Supervision, doc)
    # a rule that fails validation makes pydantic call its list too short as well
    issues += [i for i in found if not (i.code == "empty-value" and _listed(doc, i.path))]
    if not isinstance(model, Supervision):
        return None, issues
    issues += _check_document(model, doc)
    if catalogue is not None:
        issues += _check_against(model, doc, catalogue)
    issues.sort(key=Issue.sort_key)
    if any(i.is_error for i in issues):
        return None, issues
    return RuleSet(model, tuple(issues), doc), issues


def _listed(doc: YamlDocument, path: Path) -> bool:
    """Is there a non-empty list at ``path``?"""
    node = doc.data
    for part in path:
        inside = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not inside:
            return False
        node = node[part]
    return isinstance(node, list) and bool(node)


def load_supervision(
    source: str | bytes | os.PathLike[str],
    *,
    file: str | None = None,
    catalogue: Catalogue | None = None,
) -> RuleSet:
    """Load a supervision document; see :func:`parse_supervision`.

    Example::

        rules = load_supervision(Path("matters/supervision.yaml"), catalogue=catalogue)

    Raises:
        DefinitionError: every problem found, each with ``file:line:column``.
    """
    rules, issues = parse_supervision(source, file=file, catalogue=catalogue)
    if rules is None:
        raise DefinitionError(issues)
    return rules


def check_supervision_files(files: Iterable[str], catalogue: Catalogue) -> list[Issue]:
    """Every issue of the supervision documents among ``files`` (``approval-rules check``).

    Files are the catalogue's (:attr:`Catalogue.files`, which the loader read and
    skipped when they hold ``kind: supervision``).
    """
    issues: list[Issue] = []
    for name, text in files_of_kind(files, "supervision"):
        issues += parse_supervision(text, file=name, catalogue=catalogue)[1]
    return issues


def is_supervision_text(text: str) -> bool:
    """Does a YAML text say ``kind: supervision`` at its top level?"""
    return declares_kind(text, "supervision")


# --- checks ---------------------------------------------------------------------------


def _check_document(model: Supervision, doc: YamlDocument) -> list[Issue]:
    """What the document alone can tell: ids and the statutory breach."""
    issues: list[Issue] = []
    seen: dict[str, Path] = {}
    entries: list[tuple[str, Path]] = [
        (r.id, ("rules", i, "id")) for i, r in enumerate(model.rules)
    ]
    entries += [(a.id, ("anomalies", i, "id")) for i, a in enumerate(model.anomalies)]
    for rid, path in entries:
        if rid in seen:
            first = doc.span(seen[rid])
            issues.append(
                doc.issue("duplicate-id", f"rule id {rid!r} is declared twice (first at {first})",
                       path, "give each rule its own id")
            )  # fmt: skip
        else:
            seen[rid] = path
    known = sorted(seen)
    for i, override in enumerate(model.overrides):
        refs: list[tuple[str, Path]] = [
            (c.id, ("overrides", i, "rules", j, "id")) for j, c in enumerate(override.rules)
        ]
        refs += [(rid, ("overrides", i, "disable", j)) for j, rid in enumerate(override.disable)]
        for rid, path in refs:
            if rid not in seen:
                close = difflib.get_close_matches(rid, known, n=1)
                issues.append(
                    doc.issue("unknown-rule", f"rule {rid!r} is not declared in this document",
                           path, f"did you mean {close[0]!r}?" if close else
                           "name a rule of 'rules' or 'anomalies'")
                )  # fmt: skip
    issues += _statutory_issues(model, doc)
    return issues


def _is_statutory_breach(rule: TimeRule) -> bool:
    return rule.basis is Basis.STATUTORY and rule.when.overdue


def _statutory_issues(model: Supervision, doc: YamlDocument) -> list[Issue]:
    """A statutory breach is always red, and some rule must watch it."""
    issues = []
    for i, rule in enumerate(model.rules):
        if _is_statutory_breach(rule) and rule.level is not Level.RED:
            issues.append(
                doc.issue("statutory-breach-not-red",
                       f"rule {rule.id!r} watches a breach of the statutory limit, which is "
                       f"always red (got level {rule.level.value})", ("rules", i, "level"),
                       "write level: red")
            )  # fmt: skip
    by_id = {r.id: r for r in model.rules}
    for i, override in enumerate(model.overrides):
        for j, change in enumerate(override.rules):
            original = by_id.get(change.id)
            if original is None:
                continue
            changed = _changed(original, change.when, change.level)
            if _is_statutory_breach(changed) and changed.level is not Level.RED:
                where = "level" if change.level is not None else "id"
                issues.append(
                    doc.issue("statutory-breach-not-red",
                           f"the override makes rule {original.id!r} a {changed.level.value} "
                           "alert on a breach of the statutory limit, which is always red",
                           ("overrides", i, "rules", j, where), "write level: red")
                )  # fmt: skip
    watched = any(_is_statutory_breach(r) and r.level is Level.RED for r in model.rules)
    if not watched:
        issues.append(
            doc.issue("no-statutory-breach-rule",
                   "no rule is red on a breach of the statutory limit (past the statutory "
                   "limit and an approved extension)", ("rules",),
                   "add: {id: statutory_breach, name: 超过法定时限, scope: case, basis: "
                   "statutory, when: {overdue_wd: 0}, level: red}")
        )  # fmt: skip
    return issues


def _changed(rule: TimeRule, when: Trigger | None, level: Level | None) -> TimeRule:
    # model_validate, not model_copy(update=...): the changed rule is validated again
    data = rule.model_dump()
    if when is not None:
        data["when"] = when.model_dump()
    if level is not None:
        data["level"] = level
    return TimeRule.model_validate(data)


def _effective(model: Supervision, matter_id: str) -> list[tuple[TimeRule, Path]]:
    """The rules in force for a matter, each with where its trigger was written."""
    rules: dict[str, tuple[TimeRule, Path]] = {
        r.id: (r, ("rules", i, "when")) for i, r in enumerate(model.rules)
    }
    for i, override in enumerate(model.overrides):
        if matter_id not in override.matters:
            continue
        for j, change in enumerate(override.rules):
            if change.id in rules:
                where: Path = ("overrides", i, "rules", j, "when" if change.when else "level")
                rules[change.id] = (_changed(rules[change.id][0], change.when, change.level), where)
        for rid in override.disable:
            rules.pop(rid, None)
    return list(rules.values())


def _check_against(model: Supervision, doc: YamlDocument, catalogue: Catalogue) -> list[Issue]:
    issues: list[Issue] = []
    role = model.offices.department_head_role
    if role not in catalogue.roles:
        issues.append(
            doc.issue("unknown-role", f"role {role!r} is not declared in the catalogue",
                   ("offices", "department_head_role"), role_hint(role, catalogue))
        )  # fmt: skip
    matters = sorted(catalogue.matters)
    for i, override in enumerate(model.overrides):
        for j, matter_id in enumerate(override.matters):
            if matter_id not in catalogue.matters:
                issues.append(
                    doc.issue("unknown-matter", f"matter {matter_id!r} is not in the catalogue",
                           ("overrides", i, "matters", j), matter_hint(matter_id, catalogue))
                )  # fmt: skip
    for matter_id in matters:
        issues += _fit(catalogue.matters[matter_id], _effective(model, matter_id), doc)
    return issues


# --- thresholds against a matter's limits -----------------------------------------------


def fire_offset(trigger: Trigger, limit: int) -> float:
    """Working days from a period's due date to the day a trigger fires (negative: before).

    ``remaining_wd: N`` fires N working days before the due date (at the start of the
    period when N ≥ the limit); ``used_percent: X`` when ⌈X·limit/100⌉ working days are
    used, that is limit − ⌈X·limit/100⌉ before the due date; ``overdue_wd: N`` after
    the N-th working day past it (N + ½, so that it sorts after a threshold on that day).
    With several keys, the earliest.

    Example: a 20-working-day limit, ``used_percent: 90`` → −2; ``remaining_wd: 1`` → −1.
    """
    if trigger.overdue_wd is not None:
        return trigger.overdue_wd + 0.5
    offsets = []
    if trigger.remaining_wd is not None:
        offsets.append(-min(trigger.remaining_wd, limit))
    if trigger.used_percent is not None:
        offsets.append(-(limit - math.ceil(trigger.used_percent * limit / 100)))
    return min(offsets)


def _limit_days(limit: TimeLimit | None) -> int | None:
    """A limit in whole working days; ``None`` when it has none or another unit."""
    if limit is None or limit.unit is not Unit.WORKING_DAYS:
        return None
    return int(limit.value)


def _periods(matter: Matter, rule: TimeRule) -> list[tuple[str, int]]:
    """(what the period is called, its limit in working days) for each period of the
    matter a rule watches."""
    limits = matter.time_limits
    if rule.basis is Basis.PROMISED:
        days = _limit_days(limits.promised)
        return [] if days is None else [("the promised limit", days)]
    if rule.basis is Basis.STATUTORY:
        days = _limit_days(limits.statutory)
        return [] if days is None else [("the statutory limit", days)]
    out = []
    for step in matter.steps:
        days = _limit_days(step.time_limit)
        if days is not None:
            out.append((f"step {step.id!r}", days))
    return out


def _fit(matter: Matter, rules: Sequence[tuple[TimeRule, Path]], doc: YamlDocument) -> list[Issue]:
    issues: list[Issue] = []
    watched: dict[tuple[Scope, Basis, str], list[tuple[TimeRule, Path, float]]] = {}
    for rule, where in rules:
        for period, days in _periods(matter, rule):
            remaining = rule.when.remaining_wd
            # a period of 0 working days is due the day it starts: a threshold before the
            # due date then fires that day, which is what it means
            if remaining is not None and remaining > days >= 1:
                issues.append(
                    doc.issue("threshold-infeasible",
                           f"rule {rule.id!r} fires when {remaining} working day(s) or fewer "
                           f"remain, but {period} of matter {matter.id!r} is only {days} working "
                           "day(s): it fires as soon as the period starts",
                           (*where, "remaining_wd") if where[-1] == "when" else where,
                           f"use remaining_wd: {days} or less for this matter (overrides), or "
                           "used_percent", Severity.WARNING)
                )  # fmt: skip
            offset = fire_offset(rule.when, days)
            watched.setdefault((rule.scope, rule.basis, period), []).append((rule, where, offset))
    for (_, _, period), fired in watched.items():
        issues += _order_issues(matter, period, fired, doc)
    return issues


def _order_issues(
    matter: Matter, period: str, fired: list[tuple[TimeRule, Path, float]], doc: YamlDocument
) -> list[Issue]:
    """A higher level that fires before a lower one on the same period."""
    issues = []
    for rule, where, offset in fired:
        for other, _, other_offset in fired:
            if LEVEL_RANK[rule.level] > LEVEL_RANK[other.level] and offset < other_offset:
                issues.append(
                    doc.issue("levels-out-of-order",
                           f"on {period} of matter {matter.id!r}, rule {rule.id!r} "
                           f"({rule.level.value}) fires before rule {other.id!r} "
                           f"({other.level.value})", where,
                           "make each level fire no earlier than the level below it",
                           Severity.WARNING)
                )  # fmt: skip
                break
    return issues


def ruleset_from(model: Supervision) -> RuleSet:
    """A rule set from a document built in code (no positions, no catalogue checks
    beyond the document's own)."""
    doc = YamlDocument(model.model_dump(mode="json"), "<supervision>")
    issues = _check_document(model, doc)
    if any(i.is_error for i in issues):
        raise DefinitionError(issues)
    return RuleSet(model, tuple(issues))
