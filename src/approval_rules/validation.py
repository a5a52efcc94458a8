r"""How a file that does not fit its model reads to a policy officer: pydantic's
validation errors turned into positioned :class:`~approval_rules.errors.Issue`\ s with
plain words and a hint (the loader's, and every other kind checked like matters:
supervision rules, notification rules, keys)."""

from __future__ import annotations

import types
import typing
from decimal import Decimal
from typing import Any, Final

import pydantic
from pydantic import BaseModel

from ._wording import did_you_mean
from ._yaml import YamlDocument
from .conditions import MAX_CONDITION_LENGTH
from .errors import Issue, Path, SourceSpan
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
    Unit,
)
from .model_limits import fractional_limit_hint

__all__ = ["describe", "dotted", "validate_document"]

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


def describe(value: Any) -> str:
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


def dotted(path: Path) -> str:
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
    try:
        return model.model_validate(doc.data), issues
    except pydantic.ValidationError as err:
        reported: set[Path] = set()
        for error in err.errors(include_url=False):
            issue = _issue_from_pydantic(model, doc, error)
            key = (*issue.path, issue.code)
            if key in reported:
                continue  # one issue per place: a union reports each branch's failure
            reported.add(key)
            issues.append(issue)
        return None, issues


def _issue_from_pydantic(model: type[BaseModel], doc: YamlDocument, error: Any) -> Issue:
    loc = tuple(error["loc"])
    path, rest = _data_path(doc.data, loc)
    etype: str = error["type"]
    value = error.get("input")
    where = dotted(path)
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
            f"{dotted(path[:-1])}: unknown key {path[-1]!r}",
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
            f"{where} must be {expected}, not {describe(value)}",
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
    if etype == "fractional_limit":
        return _fractional_limit_issue(doc, error, path, span)
    if etype == "value_error":
        message = error["msg"].removeprefix("Value error, ")
        return Issue("invalid-combination", f"{where}: {message}", span=span, path=path)
    return Issue("schema", f"{where}: {error['msg']}", span=span, path=path)


def _fractional_limit_issue(doc: YamlDocument, error: Any, path: Path, span: SourceSpan) -> Issue:
    """``4.5`` working days: the limit to write instead, for where the limit stands.

    Half days and hours are for step limits and an immediate matter's limits; a
    promised matter's own limits (``time_limits``) are whole working days.
    """
    ctx = error.get("ctx", {})
    raw = error.get("input")
    sub_day_units = True
    if path[:1] == ("time_limits",) and isinstance(doc.data, dict):
        sub_day_units = doc.data.get("case_type") == CaseType.IMMEDIATE.value
    other = (
        tuple(str(k) for k in raw if k not in ("value", "unit")) if isinstance(raw, dict) else ()
    )
    return Issue(
        "invalid-combination",
        f"{dotted(path)}: {error['msg']}",
        span=span,
        path=path,
        hint=fractional_limit_hint(
            float(ctx["value"]), Unit(ctx["unit"]), sub_day_units=sub_day_units, other_keys=other
        ),
    )


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
    where = dotted(path)
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
