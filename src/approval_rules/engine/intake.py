"""Intake checks (收件): the applicant's fields, the materials and their electronic files.

What an applicant hands in is checked against the matter: unknown fields or
materials and values of the wrong kind are bad input (:class:`~..errors.CaseDataError`);
what is missing or breaks a material's electronic rules (file types, size, pixels,
pages) is a :class:`~.records.Problem` for the one-time correction notice; tolerated
materials (容缺) that are missing are gaps.  Numbers must be finite, and a fraction at
least 0.0001 in size, so that the record writes them exactly (:func:`record_number`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from .._wording import suggestion
from ..errors import CaseDataError
from ..filetypes import normalise_file_type
from ..model import ElectronicRules, FieldType, Material, MaterialForm, Necessity
from ..plan import MatterPlan
from .bounds import MAX_NUMBER, file_name, shown
from .case import Case
from .context import day_detail
from .evolve import ACCEPTING
from .records import Problem

__all__ = [
    "check_applicant",
    "check_files",
    "check_materials",
    "outstanding_items",
    "record_number",
]

#: The smallest size of a non-zero number the record holds (see :func:`record_number`).
SMALLEST: Final = 1e-4
#: The forms that need electronic files (``both``: beside the paper copy).
_NEEDS_FILES: Final = frozenset({MaterialForm.ELECTRONIC, MaterialForm.BOTH})
#: A page number: the last group of digits in a file's name (``申请表-2.jpg`` → 2).
_PAGE_NUMBER: Final = re.compile(r"([0-9]+)(?!.*[0-9])")


def record_number(value: object) -> bool:
    """A number the record writes exactly: an integer, or a finite float that is 0 or at
    least 0.0001 in size (:func:`~..audit.record_body` says why).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or (
        math.isfinite(value) and (value == 0 or abs(value) >= SMALLEST)
    )


def check_applicant(plan: MatterPlan, applicant: object) -> dict[str, Any]:
    """The applicant's fields as JSON data (dates as ISO text, ``None`` values left out).

    Raises:
        CaseDataError: not a mapping, an unknown field, or a value of the wrong kind.
    """
    if type(applicant) is not dict and not isinstance(applicant, Mapping):
        raise CaseDataError(f"applicant must be a mapping of fields, not {applicant!r}")
    out: dict[str, Any] = {}
    for key, value in applicant.items():
        spec = plan.fields.get(key) if isinstance(key, str) else None
        if spec is None:
            raise CaseDataError(
                f"matter {plan.matter.id!r} has no applicant field {key!r}"
                + suggestion(key, plan.fields)
            )
        if value is None:
            continue
        kind = spec.type
        if kind is FieldType.NUMBER:
            ok = record_number(value) and abs(value) <= MAX_NUMBER
        elif kind is FieldType.BOOLEAN:
            ok = isinstance(value, bool)
        elif kind is FieldType.CHOICE:
            ok = isinstance(value, str) and value in spec.choices
        elif kind is FieldType.TEXT:
            ok = isinstance(value, str)
        else:
            ok = isinstance(value, str | date) and not isinstance(value, datetime)
        if not ok:
            expected = {
                FieldType.NUMBER: "a number (0, or at least 0.0001 in size)"
                if isinstance(value, float) and math.isfinite(value) and abs(value) < 1
                else f"a number of at most {MAX_NUMBER} in size",
                FieldType.BOOLEAN: "true or false",
                FieldType.CHOICE: "one of " + ", ".join(spec.choices),
                FieldType.TEXT: "text",
                FieldType.DATE: "a date",
            }[kind]
            raise CaseDataError(f"applicant field {key!r} must be {expected}, not {shown(value)}")
        if kind is FieldType.DATE:
            value = day_detail(value, f"applicant field {key!r}", "submit").isoformat()
        out[key] = value
    return out


def check_files(
    plan: MatterPlan, materials: object, action: str
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Material id → its files as JSON data (``[]``: on paper only; ``None`` left out),
    and the ids of the materials handed in on paper *beside* their files (sorted).

    A material is ``"paper"`` or ``True`` (a paper copy), a list of files, ``{files: [...]}``,
    or ``{paper: true, files: [...]}`` (a paper copy and files, as ``form: both`` asks).

    Raises:
        CaseDataError: not a mapping, an unknown material, or a malformed file entry.
    """
    if type(materials) is not dict and not isinstance(materials, Mapping):
        raise CaseDataError(f"{action}: materials must be a mapping, not {materials!r}")
    out: dict[str, list[dict[str, Any]]] = {}
    paper: list[str] = []
    for mid, value in materials.items():
        if not isinstance(mid, str) or mid not in plan.materials:
            raise CaseDataError(
                f"{action}: matter {plan.matter.id!r} has no material {mid!r}"
                + suggestion(mid, plan.materials)
            )
        with_paper = False
        if type(value) is not list and isinstance(value, Mapping):
            with_paper, value = _combined(mid, value, action)
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple) and not value:
            if with_paper:
                out[mid] = []  # {paper: true, files: []}: the paper copy alone
            continue  # an empty list of files delivers nothing
        if value is True or value == "paper":
            out[mid] = []
            continue
        if not isinstance(value, list | tuple):
            raise CaseDataError(
                f"{action}: material {mid!r} must be 'paper', true, a list of files, "
                "or {paper: true, files: [...]}"
            )
        out[mid] = [_file(mid, f, action, plan.materials[mid].electronic) for f in value]
        if with_paper:
            paper.append(mid)
    return out, sorted(paper)


def _combined(mid: str, value: Mapping[Any, Any], action: str) -> tuple[bool, object]:
    """``{files: [...]}`` or ``{paper: true, files: [...]}``: whether a paper copy comes
    with the files, and the files (``True`` for ``{paper: true}`` alone)."""
    extra = [str(k) for k in value if k not in ("paper", "files")]
    if extra or not value:
        raise CaseDataError(
            f"{action}: material {mid!r}: use {{files: [...]}} or {{paper: true, files: [...]}}"
            + (f" (unknown key(s) {', '.join(extra)})" if extra else "")
        )
    with_paper = value.get("paper", False)
    if not isinstance(with_paper, bool):
        raise CaseDataError(f"{action}: material {mid!r}: paper must be true or false")
    if "files" not in value:
        return with_paper, with_paper  # {paper: true}: a paper copy; {paper: false}: nothing
    files = value["files"]
    if not isinstance(files, list | tuple):
        raise CaseDataError(f"{action}: material {mid!r}: files must be a list of files")
    return with_paper, files


def check_materials(
    plan: MatterPlan,
    fields: Mapping[str, Any],
    files: Mapping[str, list[dict[str, Any]]],
    replaced: Collection[str] = (),
    paper: Collection[str] = (),
) -> tuple[list[Problem], list[str]]:
    """Every problem of the materials, and the tolerated materials missing; the materials
    an applicant's commitment ``replaced`` (告知承诺制) are not required.

    ``paper`` names the materials whose files came with a paper copy (an empty list of
    files is a paper copy alone): a ``form: both`` material needs the two
    (``no-paper-copy``, ``no-electronic-copy``).
    """
    problems: list[Problem] = []
    gaps: list[str] = []
    for m in plan.matter.materials:
        if m.satisfied_by is not None:
            continue  # fetched from the shared result store, never asked for again
        if m.id in replaced and m.id not in files:
            continue
        cond = plan.material_when[m.id]
        given = files.get(m.id)
        if given is None:
            if m.necessity is Necessity.OPTIONAL or (
                cond is not None and not cond.evaluate(fields)
            ):
                continue
            if m.necessity is Necessity.TOLERATED:
                gaps.append(m.id)
            else:
                problems.append(Problem(m.id, "missing", f"{m.name} ({m.id}) is missing"))
            continue
        if m.form is MaterialForm.BOTH and given and m.id not in paper:
            problems.append(
                Problem(m.id, "no-paper-copy", f"{m.name} ({m.id}) needs its paper copy too")
            )
        if given or m.form in _NEEDS_FILES:  # else _file_problems finds nothing
            problems.extend(_file_problems(m, given))
    return problems, gaps


def outstanding_items(case: Case) -> list[Problem]:
    """The items an officer added to the correction notice (申请表未加盖单位公章 …)
    that the window has neither confirmed corrected nor waived yet.

    Materials and files are checked again at every supplement; these items are not
    material rules, so the window resolves them (``supplement`` with ``resolved`` or
    ``waived``).  Reads the record from the notice up to the acceptance only.
    """
    notice = case.intake.notice
    if notice is None:
        return []
    items = [p for p in notice.items if p.material is None]
    for event in case.events:
        if not items or event.action in ACCEPTING:
            break
        if event.action == "supplement":
            done = {*event.details.get("resolved", ()), *event.details.get("waived", ())}
            items = [p for p in items if p.message not in done]
    return items


def _file(
    mid: str, raw: object, action: str, rules: ElectronicRules | None = None
) -> dict[str, Any]:
    """A file's metadata checked and normalised to JSON data.

    The metadata the material's ``rules`` judge must be given: a size for ``max_size_kb``,
    the width and height for ``min_pixels`` or ``max_pixels``.  A file without it would
    pass a rule nobody could check (issue #14), so it is bad input, not a pass.
    """
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, Mapping):
        raise CaseDataError(f"{action}: a file of {mid!r} must be a name or a mapping")
    allowed = ("name", "type", "size_kb", "width", "height", "pages")
    extra = [str(k) for k in raw if k not in allowed]
    if extra:
        raise CaseDataError(
            f"{action}: a file of {mid!r} has unknown key(s) {', '.join(extra)} "
            f"(allowed: {', '.join(allowed)})"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CaseDataError(f"{action}: every file of {mid!r} needs a name")
    file_name(name, f"{action}: a file of {mid!r}")
    kind = raw.get("type")
    if kind is None:
        kind = name.rsplit(".", 1)[-1] if "." in name else ""
    if not isinstance(kind, str):
        raise CaseDataError(f"{action}: file {name!r}: type must be text")
    out: dict[str, Any] = {"name": name, "type": normalise_file_type(kind)}
    for key in ("size_kb", "width", "height", "pages"):
        value = raw.get(key)
        if value is None:
            continue
        if key == "size_kb":
            ok = record_number(value) and value >= 0
        else:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        if not ok:
            raise CaseDataError(
                f"{action}: file {name!r}: {key} must be a positive number"
                + (" (at least 0.0001)" if key == "size_kb" and value else "")
            )
        out[key] = value
    if ("width" in out) != ("height" in out):
        raise CaseDataError(
            f"{action}: file {name!r}: give both its width and its height in pixels, or neither"
        )
    if rules is not None:
        _required_metadata(mid, out, rules, action)
    return out


def _required_metadata(
    mid: str, file: Mapping[str, Any], rules: ElectronicRules, action: str
) -> None:
    """Refuse a file that lacks what ``rules`` check: its size, its pixels, or its
    pages (``max_pages``: without them a file would count as one page).

    A file of a type the rules do not allow is not measured: its type is the problem
    the correction notice names (``wrong-file-type``).
    """
    if rules.file_types and file["type"] not in rules.file_types:
        return
    needed: list[str] = []
    if rules.max_size_kb is not None and "size_kb" not in file:
        needed.append(f"size_kb (the matter allows at most {rules.max_size_kb} KB)")
    if (rules.min_pixels is not None or rules.max_pixels is not None) and "width" not in file:
        needed.append("width and height (the matter sets pixel limits)")
    if rules.max_pages is not None and "pages" not in file:
        needed.append(
            f"pages (count the pages of the file: the matter allows at most {rules.max_pages} "
            "pages for the material)"
        )
    if needed:
        raise CaseDataError(
            f"{action}: file {file['name']!r} of {mid!r} needs its "
            + " and its ".join(needed)
            + ": measure the file and give them, as the matter's electronic rules judge them"
        )


def _file_problems(m: Material, files: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """What breaks the matter's electronic rules for one supplied material."""
    problems: list[Problem] = []
    if m.form in _NEEDS_FILES and not files:
        problems.append(
            Problem(
                m.id, "no-electronic-copy", f"{m.name} ({m.id}) must be supplied electronically"
            )
        )
    for f in files:
        if f.get("size_kb") == 0:
            problems.append(Problem(m.id, "empty-file", f"{m.name}: {f['name']} is empty (0 KB)"))
    rules = m.electronic
    if rules is None or not files:
        return problems
    for f in files:
        problems.extend(_rule_problems(m, rules, f))
    pages = sum(f.get("pages") or 1 for f in files)
    if rules.max_pages is not None and pages > rules.max_pages:
        problems.append(Problem(
            m.id, "too-many-pages", f"{m.name}: {pages} pages; at most {rules.max_pages}"
        ))  # fmt: skip
    if rules.page_order and len(files) > 1:
        problems.extend(_page_order(m, files))
    return problems


def _rule_problems(m: Material, rules: ElectronicRules, f: Mapping[str, Any]) -> list[Problem]:
    """What breaks the electronic rules in one file: its type, size and pixels."""
    problems: list[Problem] = []
    name = f["name"]
    if rules.file_types and f["type"] not in rules.file_types:
        problems.append(Problem(
            m.id, "wrong-file-type",
            f"{m.name}: {name} is {f['type'] or 'of unknown type'}; allowed: "
            + ", ".join(rules.file_types),
        ))  # fmt: skip
    size = f.get("size_kb")
    if rules.max_size_kb is not None and size is not None and size > rules.max_size_kb:
        problems.append(Problem(
            m.id, "file-too-large",
            f"{m.name}: {name} is {size} KB; at most {rules.max_size_kb} KB",
        ))  # fmt: skip
    width, height = f.get("width"), f.get("height")
    if width is None or height is None:  # both or neither (_file); neither: not measured
        return problems
    # Pixel limits apply whatever the orientation (a portrait A4 scan is fine).
    long_side, short_side = max(width, height), min(width, height)
    low, high = rules.min_pixels, rules.max_pixels
    if low is not None and (
        long_side < max(low.width, low.height) or short_side < min(low.width, low.height)
    ):
        problems.append(Problem(
            m.id, "too-few-pixels",
            f"{m.name}: {name} is {width}×{height} pixels; at least {low.width}×{low.height}",
        ))  # fmt: skip
    if high is not None and (
        long_side > max(high.width, high.height) or short_side > min(high.width, high.height)
    ):
        problems.append(Problem(
            m.id, "too-many-pixels",
            f"{m.name}: {name} is {width}×{height} pixels; at most {high.width}×{high.height}",
        ))  # fmt: skip
    return problems


def _page_order(m: Material, files: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """``page_order``: one file per page, numbered 1, 2, 3 … by the last digits of its name."""
    numbers: list[int] = []
    for f in files:
        found = _PAGE_NUMBER.search(f["name"])
        if found is None:
            return [Problem(
                m.id, "page-order",
                f"{m.name}: {f['name']} has no page number; name the pages in the paper "
                "order (…-1, …-2, …) or hand in one multi-page file",
            )]  # fmt: skip
        numbers.append(int(found.group(1)))
    if sorted(numbers) != list(range(1, len(files) + 1)):
        given = ", ".join(str(n) for n in numbers)
        return [Problem(
            m.id, "page-order",
            f"{m.name}: the pages are numbered {given}; they must run 1 to {len(files)} "
            "without a gap or a repeat",
        )]  # fmt: skip
    return []
