"""Joint handling (统一/联合/集中办理): what 行政许可法 Art. 26 and Art. 42 ¶2 allow.

    依照本法第二十六条的规定，行政许可采取统一办理或者联合办理、集中办理的，办理的时间
    不得超过四十五日；四十五日内不能办结的，经本级人民政府负责人批准，可以延长十五日，
    并应当将延长期限的理由告知申请人。 (Art. 42 ¶2)

The proviso "法律、法规另有规定的，依照其规定" ends Art. 42 ¶1 and does not reach ¶2,
so for a matter with ``joint_handling: true``:

* ``joint-handling-over-45`` (error): a statutory limit above 45 working days; the law
  says 不得超过 with no exception.
* ``joint-extension-too-long`` (error): an extension of more than 15 working days.
* ``joint-extension-shorter`` (warning): an extension of fewer than 15 working days;
  allowed (the office may promise less), but usually Art. 42 ¶1's 10 copied by mistake.
* ``joint-extension-approver`` (error): the extension is approved by a role held in the
  matter's own departments (an office head, Art. 42 ¶1) or by nobody; ¶2 asks for the
  head of the same-level people's government (本级人民政府负责人).
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Final

from .checks_base import EPSILON, Codes, Finding, MatterView, days
from .errors import Severity
from .graph import limit_in_working_days

__all__ = ["CODES", "JOINT_EXTENSION", "JOINT_LIMIT", "check"]

#: Art. 42 ¶2: the whole joint handling in working days, and its one extension.
JOINT_LIMIT: Final = 45
JOINT_EXTENSION: Final = 15

_E, _W = Severity.ERROR, Severity.WARNING

CODES: Final[Codes] = types.MappingProxyType(
    {
        "joint-handling-over-45": (_E, "a joint-handling limit above Art. 42 ¶2's 45 days"),
        "joint-extension-too-long": (_E, "a joint-handling extension above 15 days"),
        "joint-extension-shorter": (_W, "a joint-handling extension below 15 days"),
        "joint-extension-approver": (_E, "a joint-handling extension not approved by the "
                                         "government head"),
    }
)  # fmt: skip


def check(view: MatterView) -> Iterator[Finding]:
    """The limits and the extension of a joint-handling matter against Art. 42 ¶2."""
    limits = view.matter.time_limits
    if not limits.joint_handling:
        return
    statutory = limit_in_working_days(limits.statutory)
    if statutory > JOINT_LIMIT + EPSILON:
        yield Finding(
            "joint-handling-over-45",
            f"the statutory limit of {days(statutory)} is longer than the {JOINT_LIMIT} working "
            "days joint handling may take (行政许可法 Art. 42 ¶2: 不得超过四十五日, with no "
            "exception for other laws)",
            ("time_limits", "statutory", "value"),
            hint=f"write at most {JOINT_LIMIT}; a longer handling needs the one extension of "
            f"{JOINT_EXTENSION}, or joint_handling: false if the matter is not jointly handled",
        )
    extension = limits.extension
    if extension is None:
        return
    where = ("time_limits", "extension", "value")
    if extension.value > JOINT_EXTENSION:
        yield Finding(
            "joint-extension-too-long",
            f"the extension of {days(extension.value)} is longer than the {JOINT_EXTENSION} "
            "working days Art. 42 ¶2 allows for joint handling (可以延长十五日)",
            where,
            hint=f"write value: {JOINT_EXTENSION}",
        )
    elif extension.value < JOINT_EXTENSION:
        yield Finding(
            "joint-extension-shorter",
            f"the extension of {days(extension.value)} is shorter than the {JOINT_EXTENSION} "
            "working days Art. 42 ¶2 allows for joint handling (10 is Art. 42 ¶1's, for "
            "one office alone)",
            where,
            hint=f"write value: {JOINT_EXTENSION}, unless the office promises a shorter "
            "extension on purpose (then say so in a comment)",
        )
    yield from _approver(view, extension.approved_by)


def _approver(view: MatterView, role: str) -> Iterator[Finding]:
    matter = view.matter
    own = {matter.lead_department, *matter.co_departments}
    holders = view.catalogue.holders(role)
    inside = [p for p in holders if p.department in own]
    if holders and not inside:
        return
    if inside:
        why = (
            f"role {role!r} is held in the matter's own departments "
            f"({', '.join(f'{p.name} ({p.id}) in {p.department}' for p in inside[:3])}), "
            "so an office head would approve it"
        )
    else:
        why = f"nobody in the catalogue holds role {role!r}, so nobody could approve it"
    yield Finding(
        "joint-extension-approver",
        f"the joint-handling extension must be approved by the head of the same-level "
        f"people's government (本级人民政府负责人, Art. 42 ¶2), but {why}",
        ("time_limits", "extension", "approved_by"),
        hint="name the role of the government's heads (e.g. government_head) and give it "
        "to them in a department of the people's government",
    )
