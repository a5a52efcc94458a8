"""Files → guarded YAML → pydantic models → cross-checked :class:`Catalogue`.

:func:`load_catalogue` reads a folder (recursively, ``*.yaml``/``*.yml``) or a single
file, collects *every* problem, and raises one :class:`~.errors.DefinitionError`
whose ``issues`` carry ``file:line:column`` positions.  Files with ``kind: scenario``,
``kind: calendar_overlay``, ``kind: supervision`` or ``kind: notifications`` are not
part of a catalogue and are skipped.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import os
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel

from ._wording import did_you_mean, limit_text
from ._yaml import YamlDocument, parse_yaml, read_yaml_file
from .catalogue import Catalogue
from .conditions import (
    ConditionSyntaxError,
    check_condition,
    parse_condition,
)
from .errors import DefinitionError, Issue, Path, Severity, SourceSpan
from .model import (
    CaseType,
    Definitions,
    Department,
    FeeItem,
    FieldType,
    Matter,
    Person,
    Role,
    TimeLimit,
    Unit,
)
from .validation import describe, dotted, validate_document

__all__ = [
    "Catalogue",
    "load_catalogue",
    "load_catalogue_text",
    "validate_document",
    "yaml_files",
]

SKIPPED_KINDS = frozenset({"scenario", "calendar_overlay", "supervision", "notifications", "keys"})
KIND_MODELS: dict[str, type[BaseModel]] = {"matter": Matter, "definitions": Definitions}


# --- entry points -------------------------------------------------------------------------


def load_catalogue(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    root: str | None = None,
    partial: bool = False,
) -> Catalogue:
    """Load a catalogue folder (recursively), a single YAML file, or several of them.

    Several paths make one catalogue; a file reached twice (``check DIR DIR``, or a
    folder and a file inside it) is read once.  File names ending in ``.yaml`` or
    ``.yml`` are read whatever their case (``X.YAML`` too).

    Args:
        path: a folder of ``*.yaml`` files, or one file, or a list of such paths.
        root: folder that file names in issues are shown relative to (default: the
            current directory when the path is below it, else the path as given).
        partial: do not raise for problems in the files; return what loaded cleanly
            (matters with errors left out) with every issue, errors included, in
            ``Catalogue.issues``.  ``approval-rules check`` uses this so that one bad
            file does not hide the problems of the others.

    Raises:
        DefinitionError: with every problem found, each with a ``file:line:column``
            (with ``partial=True`` only when no path gave a catalogue file to read).
    """
    paths = [path] if isinstance(path, str | os.PathLike) else list(path)
    issues: list[Issue] = []
    files = _catalogue_files(paths, root, issues)
    if not files:
        raise DefinitionError(issues)
    docs: list[YamlDocument] = []
    with _gc_paused():
        for file, name in files:
            doc, found = read_yaml_file(file, name)
            issues.extend(found)
            if doc is not None:
                docs.append(doc)
        if not issues and not any(_kind_name(doc) not in SKIPPED_KINDS for doc in docs):
            raise DefinitionError([_nothing_to_check(paths, len(docs))])
        return _build(docs, issues, partial=partial)


def load_catalogue_text(sources: Mapping[str, str], *, partial: bool = False) -> Catalogue:
    """Load a catalogue from in-memory texts, ``{display name: YAML text}``."""
    docs: list[YamlDocument] = []
    issues: list[Issue] = []
    with _gc_paused():
        for name, text in sources.items():
            doc, found = parse_yaml(text, name)
            issues.extend(found)
            if doc is not None:
                docs.append(doc)
        return _build(docs, issues, partial=partial)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a catalogue is read.

    A load allocates hundreds of thousands of long-lived objects that hold no cycles; each
    automatic collection during the load walked all of them again, which made loading
    500 matters about 3-5x slower.  Reference counting still frees garbage at once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_yaml(path: FsPath) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def yaml_files(folder: FsPath) -> list[FsPath]:
    """Every ``.yaml``/``.yml`` file in ``folder`` and its sub-folders, sorted: the files
    a folder holds wherever one is read (a catalogue, a folder of scenarios)."""
    return sorted(p for p in folder.rglob("*") if _is_yaml(p) and p.is_file())


def _catalogue_files(
    paths: Sequence[str | os.PathLike[str]], root: str | None, issues: list[Issue]
) -> list[tuple[FsPath, str]]:
    """(file, display name) of every catalogue file under ``paths``, each file once.

    A path that cannot be read as a catalogue adds an issue to ``issues``.
    """
    found: dict[FsPath, tuple[FsPath, str]] = {}
    for path in paths:
        base = FsPath(path)
        shown = os.fspath(path)
        if not base.exists():
            issues.append(Issue("file-not-found", f"{shown}: no such file or folder"))
            continue
        if base.is_dir():
            files = yaml_files(base)
            if not files:
                issues.append(Issue("empty-catalogue", f"{shown}: the folder has no .yaml files"))
        elif _is_yaml(base):
            files = [base]
        else:
            issues.append(
                Issue(
                    "not-a-catalogue-file",
                    f"{shown}: not a catalogue file; catalogue files are YAML files whose "
                    "names end in .yaml or .yml",
                    hint="give the folder of the catalogue, e.g. matters/",
                )
            )
            continue
        for file, name in zip(files, _display_names(base, files, root), strict=True):
            found.setdefault(file.resolve(), (file, name))
    return list(found.values())


def _kind_name(doc: YamlDocument) -> str | None:
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    return kind if isinstance(kind, str) else None


def _nothing_to_check(paths: Sequence[str | os.PathLike[str]], read: int) -> Issue:
    where = ", ".join(os.fspath(p) for p in paths)
    return Issue(
        "empty-catalogue",
        f"{where}: nothing was checked: the {read} file(s) read hold no matter and no "
        f"definitions, only files for other commands ({', '.join(sorted(SKIPPED_KINDS))})",
        hint="give the folder that holds the kind: matter and kind: definitions files",
    )


def _display_names(path: FsPath, files: Sequence[FsPath], root: str | None) -> list[str]:
    """Names shown in issues: relative to ``root`` (or the current directory) when below it.

    The catalogue path and the root are resolved once, not once per file.
    """
    top = (FsPath(root) if root is not None else FsPath.cwd()).resolve()
    where = path.resolve()
    names = []
    for file in files:
        real = where / file.relative_to(path) if file != path else where
        try:
            names.append(real.relative_to(top).as_posix())
        except ValueError:
            names.append(file.as_posix())
    return names


# --- building the catalogue ------------------------------------------------------------


class _Collector:
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues

    def add(
        self,
        code: str,
        message: str,
        span: SourceSpan | None,
        path: Path = (),
        *,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.issues.append(Issue(code, message, severity, span, path, hint))


def _build(docs: Sequence[YamlDocument], issues: list[Issue], *, partial: bool) -> Catalogue:
    out = _Collector(issues)
    matters: list[tuple[Matter, YamlDocument]] = []
    definitions: list[tuple[Definitions, YamlDocument]] = []
    # Ids declared in files that failed validation: references to them are not reported
    # again (one typo in a definitions file must not turn into 45 "not declared" errors).
    tolerated: set[str] = set()
    for doc in docs:
        kind = _kind_of(doc, out)
        if kind is None or kind in SKIPPED_KINDS:
            continue
        model = _validate(KIND_MODELS[kind], doc, out)
        if isinstance(model, Matter):
            matters.append((model, doc))
        elif isinstance(model, Definitions):
            definitions.append((model, doc))
        else:
            tolerated.update(_raw_ids(doc.data))

    departments = _unique(
        (
            (d, doc, ("departments", i))
            for m, doc in definitions
            for i, d in enumerate(m.departments)
        ),
        "department",
        out,
    )
    roles = _unique(
        ((r, doc, ("roles", i)) for m, doc in definitions for i, r in enumerate(m.roles)),
        "role",
        out,
    )
    people = _unique(
        ((p, doc, ("people", i)) for m, doc in definitions for i, p in enumerate(m.people)),
        "person",
        out,
    )
    fee_items = _unique(
        ((f, doc, ("fee_items", i)) for m, doc in definitions for i, f in enumerate(m.fee_items)),
        "fee item",
        out,
    )
    matter_map = _unique(((m, doc, ()) for m, doc in matters), "matter", out)
    documents = {m.id: doc for m, doc in matters if matter_map.get(m.id) is m}

    declared_in = _declared_in(definitions, matters)
    refs = _Refs(departments, roles, people, fee_items, matter_map, out, tolerated, declared_in)
    for model, doc in definitions:
        refs.check_people(model, doc)
    for matter in matter_map.values():
        refs.check_matter(matter, documents[matter.id])

    if any(i.is_error for i in issues):
        if not partial:
            raise DefinitionError(issues)
        # Keep only matters whose own file is clean and whose references all resolved.
        failed_files = {i.span.file for i in issues if i.is_error and i.span is not None}
        for matter_id in list(matter_map):
            doc = documents[matter_id]
            if doc.file in failed_files or matter_id in refs.unsound:
                del matter_map[matter_id]
                del documents[matter_id]
    return Catalogue(
        departments=types.MappingProxyType(departments),
        roles=types.MappingProxyType(roles),
        people=types.MappingProxyType(people),
        fee_items=types.MappingProxyType(fee_items),
        matters=types.MappingProxyType(matter_map),
        issues=tuple(sorted(issues, key=Issue.sort_key)),
        files=tuple(doc.file for doc in docs),
        _documents=documents,
    )


def _declared_in(
    definitions: Sequence[tuple[Definitions, YamlDocument]],
    matters: Sequence[tuple[Matter, YamlDocument]],
) -> dict[str, dict[str, str]]:
    """What → id → the file that declares it (the first file, for a duplicate)."""
    files: dict[str, dict[str, str]] = {
        "department": {},
        "role": {},
        "person": {},
        "fee item": {},
        "matter": {},
    }
    for model, doc in definitions:
        for what, items in (
            ("department", model.departments),
            ("role", model.roles),
            ("person", model.people),
            ("fee item", model.fee_items),
        ):
            for item in items:
                files[what].setdefault(item.id, doc.file)
    for matter, doc in matters:
        files["matter"].setdefault(matter.id, doc.file)
    return files


def _raw_ids(data: Any) -> Iterator[str]:
    """Ids written in a file that did not validate, as far as they can be read."""
    if not isinstance(data, dict):
        return
    if isinstance(data.get("id"), str):
        yield data["id"]
    for section in ("departments", "roles", "people", "fee_items"):
        items = data.get(section)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                yield item["id"]


def _kind_of(doc: YamlDocument, out: _Collector) -> str | None:
    data = doc.data
    if not isinstance(data, dict):
        out.add(
            "wrong-type",
            f"a catalogue file must be a mapping of keys, starting with 'kind:', "
            f"not {describe(data)}",
            doc.span(()),
        )
        return None
    kind = data.get("kind")
    known = sorted([*KIND_MODELS, *SKIPPED_KINDS])
    if kind is None:
        out.add(
            "missing-key",
            "the file does not say what it holds: the key 'kind' is missing",
            doc.span(()),
            hint="add 'kind: matter' or 'kind: definitions' as the first key",
        )
        return None
    if not isinstance(kind, str) or kind not in known:
        out.add(
            "bad-choice",
            f"kind {kind!r} is not one of: {', '.join(known)}",
            doc.span(("kind",)),
            ("kind",),
            hint=did_you_mean(kind, known),
        )
        return None
    return kind


def _unique(
    items: Iterable[tuple[Any, YamlDocument, Path]], what: str, out: _Collector
) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    where: dict[str, SourceSpan] = {}
    for obj, doc, path in items:
        span = doc.span((*path, "id"))
        if obj.id in seen:
            out.add(
                "duplicate-id",
                f"{what} id {obj.id!r} is declared twice (first at {where[obj.id]})",
                span,
                (*path, "id"),
                hint="give each one its own id",
            )
            continue
        seen[obj.id] = obj
        where[obj.id] = span
    return seen


def _validate(model: type[BaseModel], doc: YamlDocument, out: _Collector) -> BaseModel | None:
    value, found = validate_document(model, doc)
    out.issues.extend(found)
    return value


# --- cross-references ------------------------------------------------------------------


def _hours(limit: TimeLimit) -> float | None:
    """A limit in office hours (8 a working day, 4 a half day), for comparisons."""
    value, unit = limit.hours_or_days
    if unit is Unit.WORKING_DAYS:
        return value * 8.0
    if unit is Unit.HALF_DAYS:
        return value * 4.0
    if unit is Unit.HOURS:
        return float(value)
    return None


class _Refs:
    def __init__(
        self,
        departments: Mapping[str, Department],
        roles: Mapping[str, Role],
        people: Mapping[str, Person],
        fee_items: Mapping[str, FeeItem],
        matters: Mapping[str, Matter],
        out: _Collector,
        tolerated: set[str],
        files: Mapping[str, Mapping[str, str]],
    ) -> None:
        self.departments = departments
        self.roles = roles
        self.people = people
        self.fee_items = fee_items
        self.matters = matters
        self.out = out
        self.tolerated = tolerated
        self.unsound: set[str] = set()  # matters that refer to something that failed
        # what ("person", "department" …) -> id -> file that declares it, for hints
        self.files = files
        # (department, role) -> how many people there hold the role; built once, not per step.
        self.role_holders: dict[tuple[str, str], int] = {}
        for person in people.values():
            for role in person.roles:
                key = (person.department, role)
                self.role_holders[key] = self.role_holders.get(key, 0) + 1
        self.current: str | None = None

    def ref(
        self,
        doc: YamlDocument,
        path: Path,
        value: str,
        known: Mapping[str, Any] | Sequence[str],
        what: str,
        code: str,
    ) -> None:
        if value in known:
            return
        if value in self.tolerated:
            if self.current is not None:
                self.unsound.add(self.current)
            return
        self.out.add(
            code,
            f"{dotted(path)}: {what} {value!r} is not declared",
            doc.span(path),
            path,
            hint=self._declare_hint(doc, value, known, what),
        )

    @staticmethod
    def _field_hint(doc: YamlDocument, name: str, fields: Iterable[str]) -> str:
        """Where a fee item's field would be declared, and the closest field declared."""
        names = list(fields)
        place = f"under applicant_fields: in {doc.file}"
        close = difflib.get_close_matches(name, names, n=1)
        if close:
            return f"did you mean {close[0]!r} (declared {place})?"
        nearest = difflib.get_close_matches(name, names, n=1, cutoff=0.0)
        found = f"; the closest declared field is {nearest[0]!r}" if nearest else ""
        return f"declare an applicant field {name!r} of type number {place}{found}"

    def _declare_hint(self, doc: YamlDocument, value: str, known: Iterable[str], what: str) -> str:
        """The closest declared name, and the file where ``value`` would be declared."""
        names = list(known)
        close = difflib.get_close_matches(value, names, n=1)
        nearest = close or difflib.get_close_matches(value, names, n=1, cutoff=0.0)
        declared = self.files.get(what, {})
        if what == "step":
            place = f"under steps: in {doc.file}"
        elif nearest and nearest[0] in declared:
            place = f"in {declared[nearest[0]]}"
        elif declared:
            place = f"in {next(iter(declared.values()))}"
        else:
            place = "in a file of kind definitions"
        if close:
            return f"did you mean {close[0]!r} (declared {place})?"
        if what == "matter":
            place = "in a file of its own (kind: matter)"
        found = f"; the closest declared {what} is {nearest[0]!r}" if nearest else ""
        return f"declare {what} {value!r} {place}{found}"

    def check_people(self, defs: Definitions, doc: YamlDocument) -> None:
        self.current = None
        for i, person in enumerate(defs.people):
            base: Path = ("people", i)
            self.ref(
                doc,
                (*base, "department"),
                person.department,
                self.departments,
                "department",
                "unknown-department",
            )
            for j, role in enumerate(person.roles):
                self.ref(doc, (*base, "roles", j), role, self.roles, "role", "unknown-role")
            for j, dep in enumerate(person.acts_for):
                self.ref(
                    doc, (*base, "acts_for", j), dep, self.departments, "department",
                    "unknown-department",
                )  # fmt: skip
            if person.backup is None:
                continue
            if person.backup == person.id:
                self.out.add(
                    "self-backup",
                    f"{dotted((*base, 'backup'))}: {person.name} ({person.id}) is listed as "
                    "their own backup",
                    doc.span((*base, "backup")),
                    (*base, "backup"),
                    hint="name a colleague who acts while this person is absent (AB岗)",
                )
            else:
                self.ref(
                    doc, (*base, "backup"), person.backup, self.people, "person", "unknown-person"
                )
                self._backup_department(person, doc, (*base, "backup"))

    def _backup_department(self, person: Person, doc: YamlDocument, path: Path) -> None:
        """AB岗 stays inside a department, unless the backup may act for it (acts_for)."""
        backup = self.people.get(person.backup or "")
        if (
            backup is None
            or backup.department == person.department
            or person.department in backup.acts_for
            or not {person.department, backup.department} <= self.departments.keys()
        ):
            return  # an undeclared department is reported as such
        self.out.add(
            "backup-other-department",
            f"{dotted(path)}: {person.name} ({person.id}) works in {person.department!r}, "
            f"but their AB岗 backup {backup.name} ({backup.id}) works in "
            f"{backup.department!r}, so could not sign for them",
            doc.span(path),
            path,
            hint=f"name a colleague in {person.department!r} as backup, or give "
            f"{backup.id!r} acts_for: [{person.department}] if they are authorised to act "
            "for that department",
        )

    def check_matter(self, matter: Matter, doc: YamlDocument) -> None:
        self.current = matter.id
        dep = self.departments
        self.ref(
            doc,
            ("lead_department",),
            matter.lead_department,
            dep,
            "department",
            "unknown-department",
        )
        for i, d in enumerate(matter.co_departments):
            self.ref(doc, ("co_departments", i), d, dep, "department", "unknown-department")
        for i, pre in enumerate(matter.prerequisites):
            self._matter_ref(matter, doc, ("prerequisites", i), pre)
        if matter.service is not None and matter.service.hall is not None:
            hall = matter.service.hall
            self.ref(doc, ("service", "hall"), hall, dep, "department", "unknown-department")
        self._check_limits(matter, doc)
        fields = self._check_fields(matter, doc)
        step_ids = self._check_steps(matter, doc, fields)
        del step_ids
        material_ids: dict[str, int] = {}
        for i, material in enumerate(matter.materials):
            base: Path = ("materials", i)
            if material.id in material_ids:
                self.out.add(
                    "duplicate-id",
                    f"material id {material.id!r} is used twice in matter {matter.id!r}",
                    doc.span((*base, "id")),
                    (*base, "id"),
                )
            material_ids.setdefault(material.id, i)
            if material.satisfied_by is not None:
                self._matter_ref(matter, doc, (*base, "satisfied_by"), material.satisfied_by)
                if material.satisfied_by not in matter.prerequisites:
                    self.out.add(
                        "prerequisite-not-declared",
                        f"{dotted((*base, 'satisfied_by'))}: matter "
                        f"{material.satisfied_by!r} is not listed in this matter's "
                        "prerequisites",
                        doc.span((*base, "satisfied_by")),
                        (*base, "satisfied_by"),
                        hint=f"add {material.satisfied_by!r} to prerequisites",
                    )
            self._condition(doc, (*base, "when"), material.when, fields)
        for i, fee in enumerate(matter.fees):
            base = ("fees", i)
            self.ref(doc, (*base, "item"), fee.item, self.fee_items, "fee item", "unknown-fee-item")
            item = self.fee_items.get(fee.item)
            for name in item.fields if item is not None else ():
                kind = fields.get(name)
                if kind is None:
                    self.out.add(
                        "unknown-field",
                        f"{dotted((*base, 'item'))}: fee item {fee.item!r} is charged per "
                        f"{name!r}, which this matter does not declare in applicant_fields",
                        doc.span((*base, "item")),
                        (*base, "item"),
                        hint=self._field_hint(doc, name, fields),
                    )
                elif kind[0] != "number":
                    self.out.add(
                        "condition-type",
                        f"{dotted((*base, 'item'))}: fee item {fee.item!r} multiplies "
                        f"{name!r}, which is {kind[0]}, not a number",
                        doc.span((*base, "item")),
                        (*base, "item"),
                    )
            self._condition(doc, (*base, "when"), fee.when, fields)
        green = matter.time_limits.green_channel
        if green is not None:
            self._condition(doc, ("time_limits", "green_channel", "when"), green.when, fields)

    def _matter_ref(self, matter: Matter, doc: YamlDocument, path: Path, target: str) -> None:
        if target == matter.id:
            self.out.add(
                "self-prerequisite",
                f"{dotted(path)}: matter {matter.id!r} cannot be its own prerequisite",
                doc.span(path),
                path,
            )
            return
        others = [m for m in self.matters if m != matter.id]
        self.ref(doc, path, target, others, "matter", "unknown-matter")

    def _check_limits(self, matter: Matter, doc: YamlDocument) -> None:
        limits = matter.time_limits
        if matter.case_type is CaseType.PROMISED:
            for which in ("statutory", "promised"):
                limit: TimeLimit = getattr(limits, which)
                if limit.unit in (Unit.HALF_DAYS, Unit.HOURS):
                    path: Path = ("time_limits", which, "unit")
                    self.out.add(
                        "invalid-combination",
                        f"{dotted(path)}: {limit.unit.value} is only for immediate matters "
                        "(case_type: immediate)",
                        doc.span(path),
                        path,
                        hint="use working_days, or make the matter case_type: immediate",
                    )
        statutory, promised = _hours(limits.statutory), _hours(limits.promised)
        same_unit = limits.statutory.unit == limits.promised.unit
        too_long = (
            limits.promised.value > limits.statutory.value
            if same_unit
            else (statutory is not None and promised is not None and promised > statutory)
        )
        if too_long:
            self.out.add(
                "promised-exceeds-statutory",
                f"time_limits.promised: the promised limit ({_limit_text(limits.promised)}) "
                f"is longer than the statutory limit ({_limit_text(limits.statutory)})",
                doc.span(("time_limits", "promised", "value")),
                ("time_limits", "promised", "value"),
                hint="the promised limit (承诺时限) may never exceed the statutory one",
            )
        if limits.extension is not None:
            self.ref(
                doc,
                ("time_limits", "extension", "approved_by"),
                limits.extension.approved_by,
                self.roles,
                "role",
                "unknown-role",
            )
            if matter.case_type is CaseType.IMMEDIATE:
                self.out.add(
                    "extension-on-immediate",
                    "time_limits.extension: an immediate matter (即办件) is decided on the "
                    "spot and cannot be extended",
                    doc.span(("time_limits", "extension")),
                    ("time_limits", "extension"),
                    hint="remove the extension, or make the matter case_type: promised",
                )

    def _check_fields(
        self, matter: Matter, doc: YamlDocument
    ) -> dict[str, tuple[str, tuple[str, ...]]]:
        fields: dict[str, tuple[str, tuple[str, ...]]] = {}
        for i, f in enumerate(matter.applicant_fields):
            if f.id in fields:
                self.out.add(
                    "duplicate-id",
                    f"applicant field {f.id!r} is declared twice",
                    doc.span(("applicant_fields", i, "id")),
                    ("applicant_fields", i, "id"),
                )
            fields[f.id] = (f.type.value, f.choices if f.type is FieldType.CHOICE else ())
        return fields

    def _check_steps(
        self,
        matter: Matter,
        doc: YamlDocument,
        fields: Mapping[str, tuple[str, tuple[str, ...]]],
    ) -> set[str]:
        step_ids: dict[str, int] = {}
        for i, step in enumerate(matter.steps):
            if step.id in step_ids:
                self.out.add(
                    "duplicate-id",
                    f"step id {step.id!r} is used twice in matter {matter.id!r} "
                    f"(steps[{step_ids[step.id]}] and steps[{i}])",
                    doc.span(("steps", i, "id")),
                    ("steps", i, "id"),
                )
            step_ids.setdefault(step.id, i)
        for i, step in enumerate(matter.steps):
            base: Path = ("steps", i)
            if step.department is not None:
                self.ref(
                    doc,
                    (*base, "department"),
                    step.department,
                    self.departments,
                    "department",
                    "unknown-department",
                )
            for j, person in enumerate(step.signers):
                self.ref(
                    doc, (*base, "signers", j), person, self.people, "person", "unknown-person"
                )
            department = step.department or matter.lead_department
            for j, role in enumerate(step.signer_roles):
                self.ref(doc, (*base, "signer_roles", j), role, self.roles, "role", "unknown-role")
                holders = self.role_holders.get((department, role), 0)
                if role in self.roles and department in self.departments and not holders:
                    self.out.add(
                        "role-without-holder",
                        f"{dotted((*base, 'signer_roles', j))}: nobody in department "
                        f"{department!r} holds role {role!r}, so the role adds no signer "
                        f"to step {step.id!r}",
                        doc.span((*base, "signer_roles", j)),
                        (*base, "signer_roles", j),
                        hint=f"give role {role!r} to someone in {department!r}, or name "
                        "the signers",
                    )
            for key in ("after", "send_back_to", "separate_from"):
                for j, target in enumerate(getattr(step, key)):
                    if target == step.id:
                        self.out.add(
                            "self-reference",
                            f"{dotted((*base, key, j))}: step {step.id!r} refers to itself",
                            doc.span((*base, key, j)),
                            (*base, key, j),
                        )
                    else:
                        self.ref(doc, (*base, key, j), target, step_ids, "step", "unknown-step")
            self._condition(doc, (*base, "when"), step.when, fields)
        return set(step_ids)

    def _condition(
        self,
        doc: YamlDocument,
        path: Path,
        text: str | None,
        fields: Mapping[str, tuple[str, tuple[str, ...]]],
    ) -> None:
        if text is None:
            return
        try:
            condition = parse_condition(text)
        except ConditionSyntaxError as err:
            self.out.add(
                "invalid-condition",
                f"{dotted(path)}: {err.message} (at character {err.offset + 1} of {text!r})",
                _shift(doc, path, err.offset, text),
                path,
                hint='write e.g. floor_area > 300 and applicant_kind == "company"',
            )
            return
        for problem in check_condition(condition, fields):
            self.out.add(
                problem.code,
                f"{dotted(path)}: {problem.message}",
                _shift(doc, path, problem.offset, text),
                path,
                hint=problem.hint,
            )


def _shift(doc: YamlDocument, path: Path, offset: int, text: str) -> SourceSpan:
    """Point at character ``offset`` of a condition's text, where that can be known.

    A plain or simply quoted one-line value is mapped exactly (the quote is one column);
    a block scalar or a value with escapes falls back to where the value starts.
    """
    span, end = doc.span(path), doc.end_span(path)
    if "\n" in text or end.line != span.line:
        return span
    width = end.column - span.column
    if width == len(text) + 2:
        return SourceSpan(span.file, span.line, span.column + 1 + offset)
    if width == len(text):
        return SourceSpan(span.file, span.line, span.column + offset)
    return span


def _limit_text(limit: TimeLimit) -> str:
    return limit_text(limit.value, limit.unit.value)
