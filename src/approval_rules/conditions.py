"""Conditions: a small expression language over declared applicant fields.

Policy staff write conditions as text in ``when:`` keys::

    when: applicant_kind == "company"
    when: floor_area > 300 and not is_key_project
    when: region in ["420582", "420583"] or (investment >= 3000000 and floor_area > 300)

Grammar (no Python is ever evaluated)::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | atom
    atom       := "(" expr ")" | comparison | FIELD          (a bare boolean field)
    comparison := FIELD OP literal | FIELD ["not"] "in" "[" literal ("," literal)* "]"
    OP         := "==" | "!=" | "<" | "<=" | ">" | ">="
    literal    := NUMBER | "text" | 'text' | true | false

Every name must be a field the matter declares in ``applicant_fields``; the types of
both sides must agree (numbers with numbers, text with text, choices with one of the
declared choices).  :func:`parse_condition` checks the syntax; :func:`check_condition`
checks names and types; :meth:`Condition.evaluate` evaluates against applicant data.
A condition over a field the applicant did not fill in is false (documented in
``docs/matter-format.md``).

A condition is at most :data:`MAX_CONDITION_LENGTH` characters long and nests brackets
and ``not`` at most :data:`MAX_CONDITION_DEPTH` levels deep; longer or deeper text is a
:class:`ConditionSyntaxError`, so no condition can exhaust the parser's stack.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "MAX_CONDITION_DEPTH",
    "MAX_CONDITION_LENGTH",
    "And",
    "Comparison",
    "Condition",
    "ConditionSyntaxError",
    "FieldTest",
    "Membership",
    "Not",
    "Or",
    "check_condition",
    "parse_condition",
]

Literal_ = bool | int | float | str

#: Longest condition text, in characters (a real one is under 100).
MAX_CONDITION_LENGTH = 500
#: Deepest nesting of brackets and ``not`` (a real condition uses two or three levels).
MAX_CONDITION_DEPTH = 20
FieldKind = Literal["text", "number", "boolean", "choice", "date"]


class ConditionSyntaxError(ValueError):
    """A condition's text cannot be parsed; ``offset`` is the 0-based character offset."""

    def __init__(self, message: str, offset: int) -> None:
        self.message = message
        self.offset = offset
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Comparison:
    field: str
    op: str
    value: Literal_
    offset: int

    def evaluate(self, data: Mapping[str, Any]) -> bool:
        if self.field not in data or data[self.field] is None:
            return False
        left = data[self.field]
        right = self.value
        if isinstance(left, bool) != isinstance(right, bool):
            return False
        try:
            if self.op == "==":
                return bool(left == right)
            if self.op == "!=":
                return bool(left != right)
            if self.op == "<":
                return bool(left < right)
            if self.op == "<=":
                return bool(left <= right)
            if self.op == ">":
                return bool(left > right)
            return bool(left >= right)
        except TypeError:
            return False

    def fields(self) -> Iterator[tuple[str, int]]:
        yield self.field, self.offset


@dataclass(frozen=True, slots=True)
class Membership:
    field: str
    values: tuple[Literal_, ...]
    negated: bool
    offset: int

    def evaluate(self, data: Mapping[str, Any]) -> bool:
        if self.field not in data or data[self.field] is None:
            return False
        found = data[self.field] in self.values
        return not found if self.negated else found

    def fields(self) -> Iterator[tuple[str, int]]:
        yield self.field, self.offset


@dataclass(frozen=True, slots=True)
class FieldTest:
    """A bare boolean field: true when the applicant's value is ``true``."""

    field: str
    offset: int

    def evaluate(self, data: Mapping[str, Any]) -> bool:
        return data.get(self.field) is True

    def fields(self) -> Iterator[tuple[str, int]]:
        yield self.field, self.offset


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition

    def evaluate(self, data: Mapping[str, Any]) -> bool:
        return not self.operand.evaluate(data)

    def fields(self) -> Iterator[tuple[str, int]]:
        yield from self.operand.fields()


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Condition, ...]

    def evaluate(self, data: Mapping[str, Any]) -> bool:
        return all(o.evaluate(data) for o in self.operands)

    def fields(self) -> Iterator[tuple[str, int]]:
        for o in self.operands:
            yield from o.fields()


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Condition, ...]

    def evaluate(self, data: Mapping[str, Any]) -> bool:
        return any(o.evaluate(data) for o in self.operands)

    def fields(self) -> Iterator[tuple[str, int]]:
        for o in self.operands:
            yield from o.fields()


Condition = Comparison | Membership | FieldTest | Not | And | Or

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>"[^"]*"|'[^']*'|“[^”]*”)
  | (?P<op>==|!=|<=|>=|<|>|=)
  | (?P<punct>[()\[\],])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)

_KEYWORDS = {"and", "or", "not", "in", "true", "false"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    offset: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConditionSyntaxError(f"unexpected character {text[pos]!r}", pos)
        kind = m.lastgroup or ""
        if kind != "ws":
            value = m.group()
            if kind == "op" and value == "=":
                raise ConditionSyntaxError("use '==' to compare, not '='", pos)
            if kind == "name" and value in _KEYWORDS:
                kind = value
            tokens.append(_Token(kind, value, pos))
        pos = m.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_CONDITION_LENGTH:
            raise ConditionSyntaxError(
                f"the condition is {len(text)} characters long, more than "
                f"{MAX_CONDITION_LENGTH}; split it, or declare a boolean applicant field",
                MAX_CONDITION_LENGTH,
            )
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    def _deeper(self, tok: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_CONDITION_DEPTH:
            raise ConditionSyntaxError(
                f"brackets and 'not' are nested more than {MAX_CONDITION_DEPTH} levels "
                "deep; write the condition flatter",
                tok.offset,
            )

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def take(self, kind: str) -> _Token:
        tok = self.tok
        if tok.kind != kind and tok.text != kind:
            found = "the end of the condition" if tok.kind == "end" else repr(tok.text)
            raise ConditionSyntaxError(f"expected {kind!r}, found {found}", tok.offset)
        self.i += 1
        return tok

    def parse(self) -> Condition:
        if self.tok.kind == "end":
            raise ConditionSyntaxError("the condition is empty", 0)
        expr = self.or_expr()
        if self.tok.kind != "end":
            raise ConditionSyntaxError(
                f"unexpected {self.tok.text!r}; join conditions with 'and' or 'or'",
                self.tok.offset,
            )
        return expr

    def or_expr(self) -> Condition:
        parts = [self.and_expr()]
        while self.tok.kind == "or":
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Condition:
        parts = [self.not_expr()]
        while self.tok.kind == "and":
            self.i += 1
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_expr(self) -> Condition:
        tok = self.tok
        if tok.kind == "not":
            self._deeper(tok)
            self.i += 1
            inner = Not(self.not_expr())
            self.depth -= 1
            return inner
        return self.atom()

    def atom(self) -> Condition:
        tok = self.tok
        if tok.text == "(":
            self._deeper(tok)
            self.i += 1
            inner = self.or_expr()
            self.take(")")
            self.depth -= 1
            return inner
        if tok.kind != "name":
            found = "the end of the condition" if tok.kind == "end" else repr(tok.text)
            raise ConditionSyntaxError(f"expected a field name, found {found}", tok.offset)
        self.i += 1
        nxt = self.tok
        if nxt.kind == "op":
            self.i += 1
            return Comparison(tok.text, nxt.text, self.literal(), tok.offset)
        if nxt.kind == "in" or (nxt.kind == "not" and self.tokens[self.i + 1].kind == "in"):
            negated = nxt.kind == "not"
            self.i += 2 if negated else 1
            self.take("[")
            values = [self.literal()]
            while self.tok.text == ",":
                self.i += 1
                values.append(self.literal())
            self.take("]")
            return Membership(tok.text, tuple(values), negated, tok.offset)
        return FieldTest(tok.text, tok.offset)

    def literal(self) -> Literal_:
        tok = self.tok
        self.i += 1
        if tok.kind == "number":
            return float(tok.text) if "." in tok.text else int(tok.text)
        if tok.kind == "string":
            return tok.text[1:-1]
        if tok.kind == "true":
            return True
        if tok.kind == "false":
            return False
        found = "the end of the condition" if tok.kind == "end" else repr(tok.text)
        hint = " (put text in quotes)" if tok.kind == "name" else ""
        raise ConditionSyntaxError(
            f"expected a number, quoted text, true or false, found {found}{hint}", tok.offset
        )


def parse_condition(text: str) -> Condition:
    """Parse a condition's text; raises :class:`ConditionSyntaxError` with an offset."""
    return _Parser(text).parse()


@dataclass(frozen=True, slots=True)
class ConditionProblem:
    """A name or type problem in a parsed condition; ``offset`` is into the text."""

    code: str
    message: str
    offset: int
    hint: str | None = None


def _literal_fits(kind: str, value: Literal_, choices: tuple[str, ...]) -> bool:
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "choice":
        return isinstance(value, str) and value in choices
    return isinstance(value, str)


def check_condition(
    condition: Condition, fields: Mapping[str, tuple[str, tuple[str, ...]]]
) -> list[ConditionProblem]:
    """Check names and types; ``fields`` maps field id to ``(kind, choices)``."""
    problems: list[ConditionProblem] = []

    def visit(node: Condition) -> None:
        if isinstance(node, Not):
            visit(node.operand)
            return
        if isinstance(node, And | Or):
            for o in node.operands:
                visit(o)
            return
        if node.field not in fields:
            close = difflib.get_close_matches(node.field, list(fields), n=1)
            known = ", ".join(sorted(fields)) or "none are declared"
            problems.append(
                ConditionProblem(
                    "unknown-field",
                    f"the condition uses field {node.field!r}, which the matter does not "
                    f"declare in applicant_fields (declared: {known})",
                    node.offset,
                    f"did you mean {close[0]!r}?" if close else None,
                )
            )
            return
        kind, choices = fields[node.field]
        if isinstance(node, FieldTest):
            if kind != "boolean":
                problems.append(
                    ConditionProblem(
                        "condition-type",
                        f"field {node.field!r} is {kind}, not true/false; compare it, "
                        f"e.g. {node.field} == ...",
                        node.offset,
                    )
                )
            return
        values = node.values if isinstance(node, Membership) else (node.value,)
        for value in values:
            if not _literal_fits(kind, value, choices):
                expected = {
                    "number": "a number",
                    "boolean": "true or false",
                    "choice": "one of " + ", ".join(repr(c) for c in choices),
                }.get(kind, "quoted text")
                problems.append(
                    ConditionProblem(
                        "condition-type",
                        f"field {node.field!r} is {kind}, so it must be compared with "
                        f"{expected}, not {value!r}",
                        node.offset,
                    )
                )
        if (
            isinstance(node, Comparison)
            and node.op in {"<", "<=", ">", ">="}
            and kind not in {"number", "date"}
        ):
            problems.append(
                ConditionProblem(
                    "condition-type",
                    f"'{node.op}' needs a number field, but {node.field!r} is {kind}",
                    node.offset,
                )
            )

    visit(condition)
    return problems
