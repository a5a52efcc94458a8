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
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path as FsPath
from typing import Any, Final

import pydantic
from pydantic import BaseModel

from ._wording import did_you_mean, limit_text
from ._yaml import YamlDocument, parse_yaml, read_yaml_file
from .catalogue import Catalogue
from .conditions import (
    MAX_CONDITION_LENGTH,
    ConditionSyntaxError,
    check_condition,
    parse_condition,
)
from .errors import DefinitionError, Issue, Path, Severity, SourceSpan
from .model import (
    FILE_TYPE_PATTERN,
    MAX_ID,
    MAX_NAME,
    MAX_TEXT,
    PHONE_PATTERN,
    SESSION_PATTERN,
    URL_PATTERN,
    VISIBLE_PATTERN,
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

__all__ = ["Catalogue", "load_catalogue", "load_catalogue_text", "validate_document"]

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


def _yaml_files(folder: FsPath) -> Iterator[FsPath]:
    for p in folder.rglob("*"):
        if _is_yaml(p) and p.is_file():
            yield p


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
            files = sorted(_yaml_files(base))
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
            f"not {_describe(data)}",
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


# --- pydantic errors → issues ----------------------------------------------------------

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "decimal_type": "a number",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "dict_type": "a mapping of keys",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the file"


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[Path, tuple[int | str, ...]]:
    """Split a pydantic ``loc`` into the part that exists in the data and the rest."""
    path: list[str | int] = []
    node = data
    rest = list(loc)
    while rest:
        part = rest[0]
        in_mapping = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            node = node[part]
        else:
            break
        path.append(part)
        rest.pop(0)
    return tuple(path), tuple(rest)


def _unwrap(annotation: Any) -> Any:
    """The model class inside ``X | None``, ``tuple[X, ...]``, ``Annotated[X, ...]``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        elif origin in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def _model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    model: Any = root
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _unwrap(info.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def validate_document(
    model: type[BaseModel], doc: YamlDocument
) -> tuple[BaseModel | None, list[Issue]]:
    """Validate a parsed file against a model; the model (``None`` on errors) and the
    issues, each with its position and a hint, worded as for matters.

    For the other kinds of file that are checked like matters (``kind: supervision``).
    """
    issues: list[Issue] = []
    return _validate(model, doc, _Collector(issues)), issues


def _validate(model: type[BaseModel], doc: YamlDocument, out: _Collector) -> BaseModel | None:
    try:
        return model.model_validate(doc.data)
    except pydantic.ValidationError as err:
        reported: set[Path] = set()
        for error in err.errors(include_url=False):
            issue = _issue_from_pydantic(model, doc, error)
            key = (*issue.path, issue.code)
            if key in reported:
                continue  # one issue per place: a union reports each branch's failure
            reported.add(key)
            out.issues.append(issue)
        return None


def _issue_from_pydantic(model: type[BaseModel], doc: YamlDocument, error: Any) -> Issue:
    loc = tuple(error["loc"])
    path, rest = _data_path(doc.data, loc)
    etype: str = error["type"]
    value = error.get("input")
    where = _dotted(path)
    if etype == "missing":
        name = rest[0] if rest else (path[-1] if path else "?")
        return Issue(
            "missing-key",
            f"{where}: the key {name!r} is missing",
            span=doc.span(path),
            path=(*path, name),
            hint=_missing_hint(model, path, str(name)),
        )
    if etype == "extra_forbidden":
        owner = _model_at(model, path[:-1])
        known = sorted(owner.model_fields) if owner else []
        hint = did_you_mean(path[-1], known)
        if hint is None and known:
            hint = "allowed keys: " + ", ".join(known)
        return Issue(
            "unknown-key",
            f"{_dotted(path[:-1])}: unknown key {path[-1]!r}",
            span=doc.key_span(path),
            path=path,
            hint=hint,
        )
    span = doc.span(path)
    if etype in _TYPE_WORDS:
        expected = _TYPE_WORDS[etype]
        hint = None
        if etype == "string_type" and isinstance(value, int | float):
            hint = "put it in quotes to keep it as text"
        elif etype == "bool_type" and isinstance(value, str):
            hint = "write true or false"
        elif etype == "tuple_type" and path[-1:] == ("example",):
            hint = "write true (every value in the block) or a list of keys, e.g. [address]"
        return Issue(
            "wrong-type",
            f"{where} must be {expected}, not {_describe(value)}",
            span=span,
            path=path,
            hint=hint,
        )
    if etype == "enum" or etype == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        choices = [c for c in choices if c]
        return Issue(
            "bad-choice",
            f"{where}: {value!r} is not one of: {', '.join(choices)}",
            span=span,
            path=path,
            hint=did_you_mean(value, choices),
        )
    if etype == "decimal_max_places":
        return Issue(
            "schema",
            f"{where}: {value} has more than 2 decimal places; amounts are in yuan, to the "
            "fen at most, e.g. 10.01",
            span=span,
            path=path,
        )
    found = _shape_issue(model, error, path, span)
    if found is not None:
        return found
    if etype == "value_error":
        message = error["msg"].removeprefix("Value error, ")
        return Issue("invalid-combination", f"{where}: {message}", span=span, path=path)
    return Issue("schema", f"{where}: {error['msg']}", span=span, path=path)


_RANGE_WORDS: Final = {
    "greater_than": "must be more than",
    "greater_than_equal": "must be at least",
    "less_than": "must be less than",
    "less_than_equal": "must be at most",
}

_TOO_LONG_HINTS: Final = {
    MAX_ID: "use a shorter id",
    MAX_CONDITION_LENGTH: "split the condition, or declare a boolean applicant field for it",
    MAX_NAME: "shorten it; a longer explanation belongs in a note",
    MAX_TEXT: "shorten it; cite a law by its article rather than in full",
}


def _plain(number: object) -> str:
    """A number as staff write it: ``1000000000``, not ``1e9``, ``1,000`` or ``Decimal(…)``."""
    if isinstance(number, str):  # pydantic gives a Decimal bound as its repr
        return number.removeprefix("Decimal('").removesuffix("')")
    if isinstance(number, bool) or not isinstance(number, int | float | Decimal):
        return repr(number)
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e18:
        return str(int(number))
    return str(number)


def _shape_issue(model: type[BaseModel], error: Any, path: Path, span: SourceSpan) -> Issue | None:
    """Issues for a text's pattern or length, a list's length and a number's range."""
    etype: str = error["type"]
    value = error.get("input")
    where = _dotted(path)
    pattern = error.get("ctx", {}).get("pattern")
    if etype == "string_pattern_mismatch" and pattern == VISIBLE_PATTERN:
        return Issue(
            "empty-value",
            f"{where} has no visible character (only spaces or invisible characters such "
            "as zero-width spaces)",
            span=span,
            path=path,
            hint="write the name in visible characters",
        )
    if etype == "string_pattern_mismatch":
        return _pattern_issue(pattern, value, where, span, path)
    if etype in {"too_short", "string_too_short"}:
        return Issue(
            "empty-value",
            f"{where} must not be empty",
            span=span,
            path=path,
        )
    if etype in {"string_too_long", "too_long"}:
        ctx = error.get("ctx", {})
        limit = ctx.get("max_length")
        if etype == "too_long":
            size, what = ctx.get("actual_length"), "items"
            hint = "split the matter, or remove repeated entries"
        else:
            size, what = len(value), "characters"
            hint = _TOO_LONG_HINTS.get(limit, "shorten it")
        return Issue(
            "too-long",
            f"{where} has {size} {what}, more than the {limit} allowed",
            span=span,
            path=path,
            hint=hint,
        )
    if etype in _RANGE_WORDS:
        ctx = error.get("ctx", {})
        bound = next((ctx[k] for k in ("gt", "ge", "lt", "le") if k in ctx), "?")
        name = path[-1] if path else None
        return Issue(
            "out-of-range",
            f"{where}: {_plain(value)} {_RANGE_WORDS[etype]} {_plain(bound)}",
            span=span,
            path=path,
            hint=_missing_hint(model, path[:-1], name) if isinstance(name, str) else None,
        )
    return None


def _pattern_issue(
    pattern: str | None, value: Any, where: str, span: SourceSpan, path: Path
) -> Issue:
    """The issue for a text that does not match its field's pattern."""
    if pattern == FILE_TYPE_PATTERN:
        return Issue(
            "schema",
            f"{where}: {value!r} is not a file extension; write it in lower case without "
            "the dot, e.g. 'jpg'",
            span=span,
            path=path,
        )
    if pattern in _FORMATS:
        what, example = _FORMATS[pattern]
        return Issue(
            "bad-format",
            f"{where}: {value!r} is not {what}",
            span=span,
            path=path,
            hint=f"write it like {example}",
        )
    return Issue(
        "bad-id",
        f"{where}: {value!r} is not a valid id",
        span=span,
        path=path,
        hint="use lower-case letters, digits and _, starting with a letter, "
        "e.g. " + _suggest_id(str(value)),
    )


#: Text formats of the service information: pattern → (what it is, an example to copy).
_FORMATS = {
    PHONE_PATTERN: ("a phone number", "'0717-3236505' or '12345' (digits and hyphens, quoted)"),
    URL_PATTERN: ("a web address", "https://zwfw.example.gov.cn/item/123"),
    SESSION_PATTERN: ("an office session", "'09:00-12:00' (24-hour clock, quoted)"),
}


def _missing_hint(model: type[BaseModel], path: Path, name: str) -> str | None:
    owner = _model_at(model, path)
    if owner is None or name not in owner.model_fields:
        return None
    description = owner.model_fields[name].description
    return f"{name}: {description}" if description else None


def _suggest_id(value: str) -> str:
    cleaned = "".join(c if c.isascii() and c.isalnum() else "_" for c in value.lower())
    cleaned = "_".join(p for p in cleaned.split("_") if p)
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "step_" + cleaned if cleaned else "my_id"
    return repr(cleaned)


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
            f"{_dotted(path)}: {what} {value!r} is not declared",
            doc.span(path),
            path,
            hint=self._declare_hint(doc, value, known, what),
        )

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
                    f"{_dotted((*base, 'backup'))}: {person.name} ({person.id}) is listed as "
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
            f"{_dotted(path)}: {person.name} ({person.id}) works in {person.department!r}, "
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
                        f"{_dotted((*base, 'satisfied_by'))}: matter "
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
                        f"{_dotted((*base, 'item'))}: fee item {fee.item!r} is charged per "
                        f"{name!r}, which this matter does not declare in applicant_fields",
                        doc.span((*base, "item")),
                        (*base, "item"),
                        hint=f"declare an applicant field {name!r} of type number",
                    )
                elif kind[0] != "number":
                    self.out.add(
                        "condition-type",
                        f"{_dotted((*base, 'item'))}: fee item {fee.item!r} multiplies "
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
                f"{_dotted(path)}: matter {matter.id!r} cannot be its own prerequisite",
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
                        f"{_dotted(path)}: {limit.unit.value} is only for immediate matters "
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
                        f"{_dotted((*base, 'signer_roles', j))}: nobody in department "
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
                            f"{_dotted((*base, key, j))}: step {step.id!r} refers to itself",
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
                f"{_dotted(path)}: {err.message} (at character {err.offset + 1} of {text!r})",
                _shift(doc, path, err.offset, text),
                path,
                hint='write e.g. floor_area > 300 and applicant_kind == "company"',
            )
            return
        for problem in check_condition(condition, fields):
            self.out.add(
                problem.code,
                f"{_dotted(path)}: {problem.message}",
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
