"""The published JSON Schemas, generated from the pydantic models, and a jsonschema lint.

The schemas are draft-07 because the YAML language server behind VS Code's YAML
extension supports draft-07 and older; ``const`` is written as a one-value ``enum``
so that editors offer it as a completion.  This is the only module that imports
:mod:`jsonschema`.

The published text must not change with a pydantic release in the supported range, so
what pydantic writes differently from one release to the next is brought to one form
here: a ``$ref`` with sibling keywords is wrapped in ``allOf`` (draft-07 ignores the
siblings of a ``$ref``), a bound such as ``minimum: 0.0`` is written as the integer it
equals, and the keys of every schema object are sorted (the fields of ``properties``
keep the model's order).  Types whose generated schema itself drifts (money) carry
their own schema in the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import jsonschema
from pydantic import BaseModel

from ._yaml import YamlDocument
from .errors import Issue
from .model import Definitions, Matter
from .signing import KeysFile
from .supervision.rules import Supervision

__all__ = ["SCHEMAS", "lint", "schema_for", "schema_text"]

_DRAFT = "http://json-schema.org/draft-07/schema#"
_BASE_URL = "https://approval-rules.invalid/schemas/"

#: File name → (model, title) for every published schema.
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "matter.schema.json": (Matter, "approval_rules matter (kind: matter)"),
    "catalogue.schema.json": (
        Definitions,
        "approval_rules shared definitions (kind: definitions)",
    ),
    "supervision.schema.json": (
        Supervision,
        "approval_rules supervision rules (kind: supervision)",
    ),
    "keys.schema.json": (KeysFile, "approval_rules people's public keys (kind: keys)"),
}

_EXTRA: dict[str, Callable[[], dict[str, Any]]] = {}


def register_schema(name: str, factory: Callable[[], dict[str, Any]]) -> None:
    """Publish another schema (scenarios, calendar overlays) built outside the model."""
    _EXTRA[name] = factory


#: Keywords whose value maps names to schemas (kept in the model's field order).
_SCHEMA_MAPS = frozenset({"$defs", "definitions", "properties", "patternProperties"})
#: Keywords whose value is a schema, or a list of schemas.
_SUBSCHEMAS = frozenset(
    {"additionalProperties", "items", "additionalItems", "contains", "propertyNames", "not"}
    | {"if", "then", "else", "allOf", "anyOf", "oneOf", "prefixItems"}
)
#: Numeric bounds, which pydantic writes as ``0`` or ``0.0`` depending on the release.
_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})


def _draft07(schema: Any) -> Any:
    """pydantic's JSON Schema in draft-07 terms, in one form whatever the pydantic release."""
    if isinstance(schema, list):
        return [_draft07(each) for each in schema]
    if not isinstance(schema, dict):
        return schema  # true / false
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_MAPS:
            name = "definitions" if key == "$defs" else key
            out[name] = {each: _draft07(sub) for each, sub in value.items()}
        elif key in _SUBSCHEMAS:
            out[key] = _draft07(value)
        elif key == "$ref":
            out[key] = value.replace("#/$defs/", "#/definitions/")
        elif key == "const":
            out["enum"] = [value]
        elif key in _BOUNDS and isinstance(value, float) and value.is_integer():
            out[key] = int(value)
        elif key != "discriminator":
            out[key] = value  # a plain value: type, title, required, default, enum …
    if "$ref" in out and len(out) > 1:
        out["allOf"] = [{"$ref": out.pop("$ref")}]
    return {key: out[key] for key in sorted(out)}


def schema_for(name: str) -> dict[str, Any]:
    """The schema published as ``schemas/<name>``."""
    if name in _EXTRA:
        return _EXTRA[name]()
    model, title = SCHEMAS[name]
    raw = model.model_json_schema(mode="validation")
    schema: dict[str, Any] = {"$schema": _DRAFT, "$id": _BASE_URL + name}
    schema.update(_draft07(raw))
    schema["title"] = title
    return schema


def schema_text(name: str) -> str:
    """The exact text written to ``schemas/<name>`` (stable key order, trailing newline)."""
    return json.dumps(schema_for(name), ensure_ascii=False, indent=2) + "\n"


def all_schema_names() -> list[str]:
    return sorted([*SCHEMAS, *_EXTRA])


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = schema_for(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


_KIND_SCHEMA = {
    "matter": "matter.schema.json",
    "definitions": "catalogue.schema.json",
    "supervision": "supervision.schema.json",
    "keys": "keys.schema.json",
}


def lint(doc: YamlDocument, kinds: Mapping[str, str] = _KIND_SCHEMA) -> list[Issue]:
    """Validate a parsed file against its published schema with :mod:`jsonschema`.

    The loader does not need this (pydantic checks the same rules, faster); it is the
    independent check that the published schema agrees with the model, used by the
    tests and by ``approval-rules check --schema``.
    """
    data = doc.data
    kind = data.get("kind") if isinstance(data, dict) else None
    name = kinds.get(kind) if isinstance(kind, str) else None
    if name is None:
        return []
    issues = []
    for error in sorted(_validator(name).iter_errors(data), key=lambda e: list(e.path)):
        path = tuple(error.absolute_path)
        span = doc.span(path)
        instance, subschema = error.instance, error.schema
        if error.validator == "additionalProperties" and isinstance(subschema, dict):
            allowed = subschema.get("properties", {})
            extra = [k for k in instance if k not in allowed] if isinstance(instance, dict) else []
            if extra:
                path = (*path, extra[0])
                span = doc.key_span(path)
        issues.append(Issue("schema", error.message, span=span, path=path))
    return issues
