"""The published JSON Schemas, generated from the pydantic models, and a jsonschema lint.

The schemas are draft-07 because the YAML language server behind VS Code's YAML
extension supports draft-07 and older; ``const`` is written as a one-value ``enum``
so that editors offer it as a completion.  This is the only module that imports
:mod:`jsonschema`.
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
}

_EXTRA: dict[str, Callable[[], dict[str, Any]]] = {}


def register_schema(name: str, factory: Callable[[], dict[str, Any]]) -> None:
    """Publish another schema (scenarios, calendar overlays) built outside the model."""
    _EXTRA[name] = factory


def _draft07(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$defs":
                out["definitions"] = _draft07(value)
            elif key == "$ref" and isinstance(value, str):
                out["$ref"] = value.replace("#/$defs/", "#/definitions/")
            elif key == "const":
                out["enum"] = [value]
            elif key == "discriminator":
                continue
            else:
                out[key] = _draft07(value)
        return out
    if isinstance(node, list):
        return [_draft07(v) for v in node]
    return node


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
