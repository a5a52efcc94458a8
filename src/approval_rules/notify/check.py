"""Loading and checking notifications documents, with every problem's position.

:func:`load_notifications` reads a ``kind: notifications`` file through the project's
guarded YAML reader, validates it against :class:`~.rules.Notifications` and checks:

* templates: every ``{placeholder}`` is one the library fills (``unknown-placeholder``,
  with the closest name), braces are balanced (``bad-template``); ``max_lengths`` names
  placeholders only (``unknown-placeholder``);
* length: the longest message a template can give, each placeholder at its maximum
  length, fits one 70-character SMS segment, or the split is reported (``sms-split``,
  a warning naming the number of segments: 67 characters each once split);
* events: ``on`` names events the engine records (``unknown-event``); rule ids once
  (``duplicate-id``);
* with a catalogue: ``matters`` exist (``unknown-matter``); ``department_head_role``
  exists (``unknown-role``) and is given when a rule texts the department head
  (``department-head-role-required``).
"""

from __future__ import annotations

import math
import os
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from .._wording import did_you_mean
from .._yaml import YamlDocument, declares_kind, files_of_kind, parse_yaml, read_yaml_file
from ..catalogue import Catalogue, matter_hint, role_hint
from ..engine.evolve import RECORDED_ACTIONS
from ..errors import DefinitionError, Issue, Path, Severity
from ..validation import validate_document
from .rules import DEFAULT_MAX_LENGTHS, PLACEHOLDERS, Notifications, Recipient

__all__ = [
    "ONE_SEGMENT",
    "SEGMENT",
    "NotificationRules",
    "check_notification_files",
    "is_notifications_text",
    "load_notifications",
    "longest_message",
    "parse_notifications",
    "segments",
]

#: Characters of a single SMS in UCS-2 (any Chinese text).
ONE_SEGMENT: Final = 70
#: Characters per segment of a message split into several (the rest carries the join).
SEGMENT: Final = 67

_FORMATTER = string.Formatter()


@dataclass(frozen=True, eq=False)
class NotificationRules:
    """A checked notifications document.

    Attributes:
        document: the validated document.
        issues: the warnings found while checking it (``sms-split`` …).
        max_lengths: every placeholder's longest text, the document's over the defaults.
    """

    document: Notifications
    issues: tuple[Issue, ...] = ()

    @property
    def max_lengths(self) -> Mapping[str, int]:
        return {**DEFAULT_MAX_LENGTHS, **self.document.max_lengths}


def segments(length: int) -> int:
    """SMS segments a Chinese message of ``length`` characters takes."""
    return 1 if length <= ONE_SEGMENT else math.ceil(length / SEGMENT)


def _fields(template: str) -> list[str]:
    """The placeholder names of a template (ValueError: unbalanced braces)."""
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name is not None]


def longest_message(template: str, max_lengths: Mapping[str, int]) -> int:
    """Characters of the longest message ``template`` gives, each placeholder at its maximum."""
    total = 0
    for literal, name, _, _ in _FORMATTER.parse(template):
        total += len(literal)
        if name is not None:
            total += max_lengths.get(name, 0)
    return total


def parse_notifications(
    source: str | bytes | os.PathLike[str],
    *,
    file: str | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[NotificationRules | None, list[Issue]]:
    """Read a notifications document (YAML text, or a file given as a path-like object).

    Returns the rules (``None`` when they have errors) and every issue, warnings
    included.  With a catalogue, matters and roles are checked against it.
    """
    if isinstance(source, os.PathLike):
        doc, issues = read_yaml_file(source, file)
    else:
        doc, issues = parse_yaml(source, file or "<notifications>")
    if doc is None or any(i.is_error for i in issues):
        return None, issues
    model, found = validate_document(Notifications, doc)
    issues += found
    if not isinstance(model, Notifications):
        return None, issues
    issues += _check_document(model, doc)
    if catalogue is not None:
        issues += _check_against(model, doc, catalogue)
    issues.sort(key=Issue.sort_key)
    if any(i.is_error for i in issues):
        return None, issues
    return NotificationRules(model, tuple(issues)), issues


def load_notifications(
    source: str | bytes | os.PathLike[str],
    *,
    file: str | None = None,
    catalogue: Catalogue | None = None,
) -> NotificationRules:
    """Load a notifications document; see :func:`parse_notifications`.

    Raises:
        DefinitionError: every problem found, each with ``file:line:column``.
    """
    rules, issues = parse_notifications(source, file=file, catalogue=catalogue)
    if rules is None:
        raise DefinitionError(issues)
    return rules


def is_notifications_text(text: str) -> bool:
    """Does a YAML text say ``kind: notifications`` at its top level?"""
    return declares_kind(text, "notifications")


def check_notification_files(files: Iterable[str], catalogue: Catalogue) -> list[Issue]:
    """Every issue of the notifications documents among ``files`` (``approval-rules check``)."""
    issues: list[Issue] = []
    for name, text in files_of_kind(files, "notifications"):
        issues += parse_notifications(text, file=name, catalogue=catalogue)[1]
    return issues


def _check_document(model: Notifications, doc: YamlDocument) -> list[Issue]:
    issues: list[Issue] = []
    known = sorted(PLACEHOLDERS)
    lengths = {**DEFAULT_MAX_LENGTHS, **model.max_lengths}
    for name in model.max_lengths:
        if name not in PLACEHOLDERS:
            issues.append(doc.issue(
                "unknown-placeholder", f"max_lengths: there is no placeholder {name!r}",
                ("max_lengths", name), did_you_mean(name, known),
            ))  # fmt: skip
    seen: set[str] = set()
    events = sorted(RECORDED_ACTIONS)
    for index, rule in enumerate(model.rules):
        where: Path = ("rules", index)
        if rule.id in seen:
            issues.append(doc.issue(
                "duplicate-id", f"rules[{index}]: the rule id {rule.id!r} is used twice",
                (*where, "id"), "give each rule an id of its own",
            ))  # fmt: skip
        seen.add(rule.id)
        for k, event in enumerate(rule.on):
            if event not in RECORDED_ACTIONS:
                issues.append(doc.issue(
                    "unknown-event", f"rules[{index}].on: the engine records no event {event!r}",
                    (*where, "on", k), did_you_mean(event, events),
                ))  # fmt: skip
        issues += _check_template(rule.template, lengths, doc, (*where, "template"), known)
    return issues


def _check_template(
    template: str, lengths: Mapping[str, int], doc: YamlDocument, where: Path, known: list[str]
) -> list[Issue]:
    try:
        names = _fields(template)
    except ValueError as err:
        return [doc.issue(
            "bad-template", f"{where[0]}[{where[1]}].template: {err}", where,
            "write placeholders as {name}; a literal brace as {{ or }}",
        )]  # fmt: skip
    issues = [
        doc.issue(
            "unknown-placeholder",
            f"{where[0]}[{where[1]}].template: there is no placeholder {{{name}}}",
            where,
            did_you_mean(name, known) or "placeholders: " + ", ".join(known),
        )
        for name in dict.fromkeys(names)
        if name not in PLACEHOLDERS
    ]
    if issues:
        return issues
    longest = longest_message(template, lengths)
    parts = segments(longest)
    if parts > 1:
        issues.append(doc.issue(
            "sms-split",
            f"{where[0]}[{where[1]}].template: the longest message is {longest} characters, "
            f"more than one SMS ({ONE_SEGMENT}); it is sent as {parts} segments",
            where,
            "shorten the wording, or lower max_lengths of the placeholders it uses",
            Severity.WARNING,
        ))  # fmt: skip
    return issues


def _check_against(model: Notifications, doc: YamlDocument, catalogue: Catalogue) -> list[Issue]:
    issues: list[Issue] = []
    for index, rule in enumerate(model.rules):
        for k, matter in enumerate(rule.matters):
            if matter not in catalogue.matters:
                issues.append(doc.issue(
                    "unknown-matter", f"rules[{index}].matters: no matter {matter!r}",
                    ("rules", index, "matters", k), matter_hint(matter, catalogue),
                ))  # fmt: skip
        if Recipient.DEPARTMENT_HEAD in rule.to and model.department_head_role is None:
            issues.append(doc.issue(
                "department-head-role-required",
                f"rules[{index}] texts the department head, but the document does not say "
                "which role that is",
                ("rules", index, "to"), "add department_head_role: <role id>",
            ))  # fmt: skip
    role = model.department_head_role
    if role is not None and role not in catalogue.roles:
        issues.append(doc.issue(
            "unknown-role", f"department_head_role: no role {role!r}",
            ("department_head_role",), role_hint(role, catalogue),
        ))  # fmt: skip
    return issues
