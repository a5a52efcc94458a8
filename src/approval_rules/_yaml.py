"""Read YAML files written by policy staff into plain data with 1-based source positions.

This is the only module of the package that imports :mod:`yaml` (STYLE B6).  The text is
composed into PyYAML's node graph (with libyaml's ``CParser`` when it is available) and
the graph is walked once into plain ``dict``/``list``/``str``/``int``/``float``/``bool``/
``None`` data plus a position table keyed by path.  PyYAML's constructor is never called.

Decisions worth knowing:

* Typing follows the YAML 1.2 core schema and applies to *plain* (unquoted) scalars only:
  ``true``/``True``/``TRUE`` and the ``false`` forms are booleans; ``null``/``Null``/
  ``NULL``/``~`` and the empty value are ``None``; decimal integers are ``int`` and
  decimals with a point or an exponent are ``float``.  A number written with a leading
  zero (``000131127004``, ``0012``, ``01.5``) stays text, because such values are
  catalogue codes.  ``yes``/``no``/``on``/``off``, ``1:30``, dates (even ``2024-02-30``),
  ``0x1F``, ``.inf``/``.nan`` and numbers too large for a finite float stay text.
  Quoted and block (``|``, ``>``) scalars are always text.  Mapping keys are always the
  key's text (``no:`` is the key ``"no"``, ``1:`` is ``"1"``).
* Explicit tags: ``!!str`` (forces text), ``!!map`` on a mapping and ``!!seq`` on a list
  are accepted.  Every other tag (``!!int``, ``!!binary``, ``!!python/object``, ``!local``
  …) is refused with a ``yaml-tag`` issue and the value is read as if it had no tag.
* Anchors (``&name``) and aliases (``*name``) are refused with ``yaml-alias`` issues
  found by a flat event scan *before* the graph is composed (only text holding ``&``
  pays for that scan), so a "billion laughs" file costs one scan of its few hundred
  bytes.  At most 20 such issues are reported per file.  Merge keys (plain ``<<``)
  are refused with the same code.
* A duplicated key is reported at its second occurrence and the *first* value is kept.
* Only the first document of a stream is read; a further ``---`` document is a
  ``multiple-documents`` issue.  An empty or comments-only file is ``(None,
  [empty-document])``.
* Nesting is judged before PyYAML sees the text, so ``too-deep`` comes back at the same
  place whatever the PyYAML release: libyaml composes nested collections recursively
  in C (about 300 bytes of C stack per level: 20,000 levels crash the process on an
  8 MB stack), and the libyaml in PyYAML 6.0.4 refuses more than 1,000 levels with an
  error of its own.  Text that might nest more than 500 levels (judged by counting
  indicator characters) is read by :func:`._yaml_depth.first_too_deep`, a scan of the
  characters that follows the structure as libyaml does; shallower text cannot reach
  the limit of any PyYAML release, and the walk below finds the first collection that
  is too deep.
  Text that might nest more than 2,000 levels is also checked on a flat event scan
  before it is composed, so composing needs at most ~600 KB of stack; run the reader on
  threads with at least 1 MB of stack.  ``Limits.max_depth`` is capped at 500 (the walk
  recurses once per level).  Should a parser still refuse the nesting itself, that
  becomes ``too-deep`` too.
* Issues that leave no usable data (``yaml-syntax``, ``encoding``, ``file-too-large``,
  ``file-unreadable``, ``too-deep``, ``too-many-nodes``, ``yaml-alias`` for an anchor or
  alias, ``empty-document``) make the document ``None``.  ``duplicate-key``,
  ``non-string-key``, ``yaml-tag``, merge keys and ``multiple-documents`` are errors
  too, but the document is still returned so that later stages can report more.
* Columns count Unicode characters (a tab is one column); line breaks are ``\\n``,
  ``\\r\\n``, ``\\r``, U+0085, U+2028 and U+2029, as libyaml counts them.  A leading
  UTF-8 byte-order mark is dropped and does not count as a column.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import yaml
from yaml.composer import Composer
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner
from yaml.tokens import (
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
    Token,
)

from ._yaml_depth import first_too_deep
from .errors import Issue, Path, Severity, SourceSpan

__all__ = [
    "Limits",
    "YamlDocument",
    "declared_kind",
    "declares_kind",
    "files_of_kind",
    "parse_yaml",
    "read_yaml_file",
]


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile or broken file from exhausting time or memory."""

    max_bytes: int = 1_000_000
    max_depth: int = 50
    max_nodes: int = 200_000


_DEFAULT_LIMITS: Final = Limits()
#: ``Limits.max_depth`` above this is treated as this (the walk recurses once per level).
#: Text that might nest deeper than this has its depth read before any parser sees it.
_MAX_DEPTH: Final = 500
#: Text that might nest deeper than this is depth-checked on events before composing.
_SAFE_COMPOSE_DEPTH: Final = 2_000
#: At most this many alias issues are reported for one file.
_MAX_ALIAS_ISSUES: Final = 20

# Tags handed out by ``_NoResolve.resolve``; an untagged plain scalar gets the private
# ``_PLAIN`` tag so that it can be told apart from an explicit ``!!str``.
_PLAIN: Final = "?plain"
_STR: Final = "tag:yaml.org,2002:str"
_SEQ: Final = "tag:yaml.org,2002:seq"
_MAP: Final = "tag:yaml.org,2002:map"

_MISSING: Final[Any] = object()
_SPECIAL_PLAIN: Final[dict[str, Any]] = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "null": None,
    "Null": None,
    "NULL": None,
    "~": None,
    "": None,
}
_NUMBER_START: Final = frozenset("0123456789+-.")
_INT: Final = re.compile(r"[-+]?(?:0|[1-9][0-9]*)").fullmatch
_FLOAT: Final = re.compile(
    r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
).fullmatch
# Python refuses to convert longer digit strings (int_max_str_digits); keep them as text.
_MAX_INT_DIGITS: Final = 4000

_LINE_BREAK: Final = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# Two-character sequences that can open a level of block nesting (see _may_nest_deeper).
_NESTING_PAIRS: Final = tuple(
    indicator + after for indicator in ":-" for after in " \t\n\r\x85\u2028\u2029"
)


class _Mark(Protocol):
    line: int
    column: int


class _ComposerLike(Protocol):
    def __init__(self, stream: str) -> None: ...
    def check_node(self) -> bool: ...
    def get_node(self) -> Node | None: ...
    def check_event(self) -> bool: ...
    def get_event(self) -> Event | None: ...
    def peek_event(self) -> Event | None: ...
    def get_token(self) -> Token | None: ...
    def dispose(self) -> None: ...


class _NoResolve:
    """Replaces PyYAML's YAML 1.1 resolver: tags are settled later, by ``_Walker``."""

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[Node], value: object, implicit: Any) -> str:
        if kind is ScalarNode:
            # ``implicit`` is (plain_implicit, quoted_implicit) for scalars.
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


class _PyComposer(Reader, Scanner, Parser, Composer, _NoResolve):
    """Pure-Python composer, used only when PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)


def _composer_class() -> type[_ComposerLike]:
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML without libyaml
        return _PyComposer

    class _CComposer(CParser, _NoResolve):
        """libyaml's composer with the resolver replaced."""

    return _CComposer


_Composer: type[_ComposerLike] = _composer_class()


@dataclass(frozen=True, slots=True, eq=False)
class YamlDocument:
    """Plain data read from one YAML document, with the source position of every value.

    Attributes:
        data: nested ``dict`` (string keys, file order) / ``list`` / ``str`` / ``int`` /
            ``float`` / ``bool`` / ``None``.
        file: the display name used in every :class:`SourceSpan`.

    The position tables hold each value's 0-based ``(line, column, end line, end column)``
    (each key's ``(line, column)``) and turn them into :class:`SourceSpan` only when asked.
    They keep no composed nodes: a catalogue held in memory would otherwise keep about
    eight GC-tracked objects per value alive, and every full collection would walk them.
    """

    data: Any
    file: str
    _values: dict[Path, tuple[int, int, int, int]] = field(default_factory=dict, repr=False)
    _keys: dict[Path, tuple[int, int]] = field(default_factory=dict, repr=False)

    def _node(self, path: Path) -> tuple[int, int, int, int] | None:
        table = self._values
        path = tuple(path)
        while path and path not in table:
            path = path[:-1]
        return table.get(path)

    def span(self, path: Path) -> SourceSpan:
        """Where the value at *path* starts, else where its nearest known ancestor starts.

        ``span(())`` is where the document's content starts.
        """
        node = self._node(path)
        if node is None:
            return SourceSpan(self.file, 1, 1)
        return SourceSpan(self.file, node[0] + 1, node[1] + 1)

    def issue(
        self,
        code: str,
        message: str,
        path: Path,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Issue:
        """An :class:`Issue` positioned at the value at *path* (as :meth:`span`)."""
        return Issue(code, message, severity, self.span(path), path, hint)

    def key_span(self, path: Path) -> SourceSpan:
        """Where the mapping key ``path[-1]`` is written; :meth:`span` when it is not a key."""
        key = self._keys.get(tuple(path))
        if key is None:
            return self.span(path)
        return SourceSpan(self.file, key[0] + 1, key[1] + 1)

    def end_span(self, path: Path) -> SourceSpan:
        """The position just after the value at *path* (nearest known ancestor as for span)."""
        node = self._node(path)
        if node is None:
            return SourceSpan(self.file, 1, 1)
        return SourceSpan(self.file, node[2] + 1, node[3] + 1)


def read_yaml_file(
    path: os.PathLike[str] | str,
    display: str | None = None,
    *,
    limits: Limits = _DEFAULT_LIMITS,
) -> tuple[YamlDocument | None, list[Issue]]:
    """Read and parse a YAML file; see :func:`parse_yaml`.

    The size is checked with ``stat`` before anything is read, and at most
    ``limits.max_bytes + 1`` bytes are ever read.  A missing or unreadable file gives
    ``(None, [file-unreadable])``; nothing is raised.

    Args:
        path: the file to read.
        display: the name used in positions; defaults to *path* as given.
    """
    name = os.fspath(path) if display is None else display
    try:
        size = os.stat(path).st_size
        if size > limits.max_bytes:
            return None, [_too_large(name, size, limits)]
        with open(path, "rb") as stream:
            data = stream.read(limits.max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return None, [
            Issue(
                "file-unreadable",
                f"the file cannot be read: {reason}",
                span=SourceSpan(name, 1, 1),
            )
        ]
    return parse_yaml(data, name, limits=limits)


def parse_yaml(
    source: str | bytes,
    file: str,
    *,
    limits: Limits = _DEFAULT_LIMITS,
) -> tuple[YamlDocument | None, list[Issue]]:
    """Parse YAML text into a :class:`YamlDocument` and a list of issues; never raises.

    Returns ``(None, issues)`` when the text cannot be used at all and ``(document,
    issues)`` otherwise; *issues* may then still hold errors such as ``duplicate-key``.
    Every issue has a 1-based span in *file*.

    Args:
        source: the text, or its bytes (UTF-8, optionally with a byte-order mark).
        file: the display name used in positions.
    """
    text = _text(source, file, limits)
    if isinstance(text, Issue):
        return None, [text]
    max_depth = min(limits.max_depth, _MAX_DEPTH)
    issues = _guard(text, file, max_depth)
    if issues:
        return None, issues
    root, issues = _compose(text, file, max_depth)
    if root is None:
        return None, issues
    walker = _Walker(file, max_depth, limits.max_nodes, issues)
    try:
        data = walker.walk(root, (), 1)
    except _Stop as stop:
        return None, [*issues, stop.issue]
    except RecursionError:
        return None, [*issues, _too_deep(SourceSpan(file, 1, 1), max_depth)]
    return YamlDocument(data, file, walker.values, walker.keys), issues


def _text(source: str | bytes, file: str, limits: Limits) -> str | Issue:
    """The text to parse (without a byte-order mark), or why there is none."""
    if isinstance(source, bytes | bytearray):
        if len(source) > limits.max_bytes:
            return _too_large(file, len(source), limits)
        text = _decode(bytes(source), file)
        if isinstance(text, Issue):
            return text
    else:
        text = source
        # Cheap bound first: a character takes at most four bytes in UTF-8.
        if len(text) * 4 > limits.max_bytes:
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > limits.max_bytes:
                return _too_large(file, size, limits)
    return text.removeprefix("\ufeff")


def _guard(text: str, file: str, max_depth: int) -> list[Issue]:
    """Refusals made before the text is composed: nesting, anchors and aliases."""
    if _may_nest_deeper(text, _MAX_DEPTH):
        where = first_too_deep(text, max_depth)
        if where is not None:
            return [_too_deep(SourceSpan(file, where[0] + 1, where[1] + 1), max_depth)]
    if "&" in text or _may_nest_deeper(text, _SAFE_COMPOSE_DEPTH):
        return _scan_events(text, file, max_depth)
    return []


def _compose(text: str, file: str, max_depth: int) -> tuple[Node | None, list[Issue]]:
    """The first document's node graph and the issues found, or ``(None, issues)``."""
    issues = []
    loader: _ComposerLike | None = None
    try:
        loader = _Composer(text)
        if not loader.check_node():
            return None, [Issue("empty-document", _EMPTY, span=SourceSpan(file, 1, 1))]
        root = loader.get_node()
        after = loader.peek_event()
        if isinstance(after, DocumentStartEvent):
            issues.append(
                Issue(
                    "multiple-documents",
                    "the file holds more than one YAML document; a second one starts here",
                    span=_event_span(after, file),
                    hint="keep one document per file and remove this '---' line",
                )
            )
    except (yaml.YAMLError, UnicodeEncodeError) as exc:
        return None, [_parser_issue(exc, text, file)]
    except RecursionError:  # pragma: no cover - pure-Python composer only
        return None, [_too_deep(SourceSpan(file, 1, 1), max_depth)]
    finally:
        if loader is not None:
            loader.dispose()
    if root is None or (root.__class__ is ScalarNode and root.tag is _PLAIN and root.value == ""):
        return None, [Issue("empty-document", _EMPTY, span=SourceSpan(file, 1, 1)), *issues]
    return root, issues


_EMPTY: Final = "the file holds no YAML content (it is empty or only has comments)"


class _Stop(Exception):
    """Abandons the walk; carries the issue that made the data unusable."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


class _Walker:
    """Turns a composed node graph into plain data and a position table, in one pass.

    Recursion is bounded by ``max_depth`` (at most ``_MAX_DEPTH``).  Scalars, most
    of the nodes, are handled inline in the loops rather than by a call per node.
    """

    __slots__ = ("count", "file", "issues", "keys", "max_depth", "max_nodes", "values")

    def __init__(self, file: str, max_depth: int, max_nodes: int, issues: list[Issue]) -> None:
        self.file = file
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.issues = issues
        self.values: dict[Path, tuple[int, int, int, int]] = {}
        self.keys: dict[Path, tuple[int, int]] = {}
        # Nodes announced so far: every child of every collection entered, keys included.
        self.count = 1

    def _span(self, node: Node) -> SourceSpan:
        mark: _Mark = node.start_mark
        return SourceSpan(self.file, mark.line + 1, mark.column + 1)

    def walk(self, root: Node, path: Path, depth: int) -> Any:
        s, e = root.start_mark, root.end_mark
        self.values[path] = (s.line, s.column, e.line, e.column)
        if root.__class__ is ScalarNode:
            return self._scalar(root, path)
        return self._collection(root, path, depth)

    def _scalar(self, node: Any, path: Path) -> Any:
        """A scalar that is not an untagged plain one (those are typed inline)."""
        tag = node.tag
        if tag is _PLAIN:
            return _plain(node.value)
        if tag != _STR:
            self._refuse_tag(node, path)
            if not node.style:  # plain: None from PyYAML's composer, "" from libyaml's
                return _plain(node.value)
        return node.value

    def _collection(self, node: Any, path: Path, depth: int) -> Any:
        if depth > self.max_depth:
            raise _Stop(_too_deep(self._span(node), self.max_depth, path))
        children = node.value
        is_sequence = node.__class__ is SequenceNode
        before = self.count
        self.count = before + (len(children) if is_sequence else 2 * len(children))
        if self.count > self.max_nodes:
            self._too_many(children, before, is_sequence, path)
        if is_sequence:
            if node.tag != _SEQ:
                self._refuse_tag(node, path)
            return self._sequence(children, path, depth)
        if node.tag != _MAP:
            self._refuse_tag(node, path)
        return self._mapping(children, path, depth)

    def _sequence(self, children: list[Node], path: Path, depth: int) -> list[Any]:
        values = self.values
        special = _SPECIAL_PLAIN.get
        missing = _MISSING
        number_start = _NUMBER_START
        items: list[Any] = []
        append = items.append
        for index, child in enumerate(children):
            child_path = (*path, index)
            s, e = child.start_mark, child.end_mark
            values[child_path] = (s.line, s.column, e.line, e.column)
            if child.__class__ is ScalarNode:
                if child.tag is _PLAIN:
                    text = child.value
                    value = special(text, missing)
                    if value is missing:
                        value = _plain(text) if text[0] in number_start else text
                    append(value)
                else:
                    append(self._scalar(child, child_path))
            else:
                append(self._collection(child, child_path, depth + 1))
        return items

    def _mapping(self, children: list[tuple[Node, Node]], path: Path, depth: int) -> Any:
        values = self.values
        keys = self.keys
        special = _SPECIAL_PLAIN.get
        missing = _MISSING
        number_start = _NUMBER_START
        mapping: dict[str, Any] = {}
        for key_node, value_node in children:
            if key_node.__class__ is not ScalarNode:
                self._non_string_key(key_node, path)
                continue
            key = key_node.value
            if key_node.tag is not _PLAIN:
                if key_node.tag != _STR:
                    self._refuse_tag(key_node, (*path, key))
            elif key == "<<":
                self._merge_key(key_node, path)
                continue
            child_path = (*path, key)
            if key in mapping:
                self._duplicate(key_node, child_path)
                continue
            s = key_node.start_mark
            keys[child_path] = (s.line, s.column)
            s, e = value_node.start_mark, value_node.end_mark
            values[child_path] = (s.line, s.column, e.line, e.column)
            if value_node.__class__ is ScalarNode:
                if value_node.tag is _PLAIN:
                    text = value_node.value
                    value = special(text, missing)
                    if value is missing:
                        value = _plain(text) if text[0] in number_start else text
                    mapping[key] = value
                else:
                    mapping[key] = self._scalar(value_node, child_path)
            else:
                mapping[key] = self._collection(value_node, child_path, depth + 1)
        return mapping

    def _too_many(self, children: list[Any], before: int, is_sequence: bool, path: Path) -> None:
        # The first child that goes over the cap is where the issue points.
        over = max(self.max_nodes - before, 0)
        index = over if is_sequence else over // 2
        child = children[index] if is_sequence else children[index][over % 2]
        raise _Stop(
            Issue(
                "too-many-nodes",
                f"the document has more than {self.max_nodes} keys and values",
                span=self._span(child),
                path=path,
                hint="split it into several files",
            )
        )

    def _refuse_tag(self, node: Node, path: Path) -> None:
        tag = node.tag
        shown = "!!" + tag[18:] if tag.startswith("tag:yaml.org,2002:") else tag
        self.issues.append(
            Issue(
                "yaml-tag",
                f"the YAML tag '{shown}' is not allowed here",
                span=self._span(node),
                path=path,
                hint="remove the tag, and put the value in quotes if it must stay text",
            )
        )

    def _non_string_key(self, node: Node, path: Path) -> None:
        kind = "list" if node.__class__ is SequenceNode else "mapping"
        self.issues.append(
            Issue(
                "non-string-key",
                f"a {kind} cannot be used as a key; keys must be plain text",
                span=self._span(node),
                path=path,
            )
        )

    def _merge_key(self, node: Node, path: Path) -> None:
        self.issues.append(
            Issue(
                "yaml-alias",
                "merge keys ('<<') are not allowed",
                span=self._span(node),
                path=path,
                hint="write the keys out in full",
            )
        )

    def _duplicate(self, node: Node, path: Path) -> None:
        first_line = self.keys[path][0]
        self.issues.append(
            Issue(
                "duplicate-key",
                f"the key '{path[-1]}' appears twice in the same mapping; "
                f"it was first given on line {first_line + 1}",
                span=self._span(node),
                path=path,
                hint="remove or rename one of them (the first value is kept)",
            )
        )


def _plain(text: str) -> Any:
    """Type a plain scalar by the YAML 1.2 core schema, with the exceptions documented above."""
    value = _SPECIAL_PLAIN.get(text, _MISSING)
    if value is not _MISSING:
        return value
    if text[0] in _NUMBER_START:
        if _INT(text):
            if len(text) <= _MAX_INT_DIGITS:
                return int(text)
        elif _FLOAT(text):
            number = float(text)
            if number - number == 0.0:  # finite: "1e999" stays text rather than inf
                return number
    return text


def _may_nest_deeper(text: str, depth: int) -> bool:
    """Whether *text* might nest collections more than *depth* levels deep.

    Every nested collection needs an indicator of its own: ``[`` (which may also hold a
    one-pair mapping), ``{``, ``?``, or ``:``/``-`` followed by a blank or line break.
    Quoted text and comments only make the count larger, so the answer is never a wrong
    "no".  Single characters are counted first because that is several times faster.
    """
    if len(text) <= depth:
        return False
    brackets = 1 + 2 * text.count("[") + text.count("{") + text.count("?")
    if brackets + text.count(":") + text.count("-") <= depth:
        return False
    bound = brackets + text.endswith((":", "-"))
    for pair in _NESTING_PAIRS:
        bound += text.count(pair)
    return bound > depth


def _scan_events(text: str, file: str, max_depth: int) -> list[Issue]:
    """Check nesting depth and aliases on the flat event stream, before composing."""
    issues: list[Issue] = []
    depth = 0
    loader: _ComposerLike | None = None
    try:
        loader = _Composer(text)
        while loader.check_event():
            event = loader.get_event()
            cls = event.__class__
            if cls is MappingStartEvent or cls is SequenceStartEvent:
                depth += 1
                if depth > max_depth:
                    issues.append(_too_deep(_event_span(event, file), max_depth))
                    break
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                depth -= 1
            anchor = getattr(event, "anchor", None)
            if anchor is not None and len(issues) < _MAX_ALIAS_ISSUES:
                if cls is AliasEvent:
                    message = f"YAML aliases ('*{anchor}') are not allowed"
                    hint = "write the value out in full instead of referring to an anchor"
                else:
                    message = f"YAML anchors ('&{anchor}') are not allowed"
                    hint = f"remove '&{anchor}' and write the values out where they are needed"
                issues.append(
                    Issue("yaml-alias", message, span=_event_span(event, file), hint=hint)
                )
    except (yaml.YAMLError, UnicodeEncodeError) as exc:
        issues.append(_parser_issue(exc, text, file))
    finally:
        if loader is not None:
            loader.dispose()
    return issues


def _event_span(event: Event | None, file: str) -> SourceSpan:
    mark = event.start_mark if event is not None else None
    if mark is None:
        return SourceSpan(file, 1, 1)
    return SourceSpan(file, mark.line + 1, mark.column + 1)


def _too_large(file: str, size: int, limits: Limits) -> Issue:
    return Issue(
        "file-too-large",
        f"the file is {size} bytes, over the limit of {limits.max_bytes} bytes",
        span=SourceSpan(file, 1, 1),
        hint="split it into several files",
    )


def _too_deep(span: SourceSpan, max_depth: int, path: Path = ()) -> Issue:
    return Issue(
        "too-deep",
        f"the document nests more than {max_depth} levels deep here",
        span=span,
        path=path,
        hint="flatten the structure",
    )


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``, counting line breaks as libyaml does."""
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line += 1
        start = match.end()
    return line, index - start + 1


def _char_at(text: str, mark: _Mark | None) -> str:
    if mark is None:
        return ""
    lines = _LINE_BREAK.split(text)
    if mark.line >= len(lines):
        return ""
    return lines[mark.line][mark.column : mark.column + 1]


def _decode(data: bytes, file: str) -> str | Issue:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return Issue(
                "encoding",
                "the file is encoded as UTF-16, not UTF-8",
                span=SourceSpan(file, 1, 1),
                hint="save the file as UTF-8",
            )
        prefix = data[: exc.start].decode("utf-8")
        offset = 1 if prefix.startswith("\ufeff") else 0
        line, column = _line_col(prefix[offset:], len(prefix) - offset)
        return Issue(
            "encoding",
            f"the file is not valid UTF-8: byte 0x{data[exc.start]:02X} cannot appear here",
            span=SourceSpan(file, line, column),
            hint="save the file as UTF-8",
        )


def _forbidden_char(text: str, index: int, file: str, char: int) -> Issue:
    line, column = _line_col(text, index)
    if 0xD800 <= char <= 0xDFFF:
        message = f"the text holds U+{char:04X}, half a surrogate pair, not valid Unicode"
    else:
        message = f"the file holds the control character U+{char:04X}, which YAML does not allow"
    return Issue(
        "encoding",
        message,
        span=SourceSpan(file, line, column),
        hint="remove it (a file full of such characters may be UTF-16: save it as UTF-8)",
    )


_MALFORMED: Final = "the YAML is malformed here: "
_ALIAS_NAME: Final = re.compile(r"[*&]([^\s,\[\]{}]*)")


#: Parser problems worded the same every time: (words in the problem, message, hint).
_FIXED_PROBLEMS: Final = (
    (
        "unknown escape",
        "a '\\' in double-quoted text starts an unknown escape sequence",
        "use single quotes, or write a backslash as '\\\\' inside double quotes",
    ),
    (
        "mapping values are not allowed",
        "a ':' followed by a space is not allowed here",
        "likely a missing space after ':' on a key above, a missing quote around a "
        "value that contains ': ', or wrong indentation",
    ),
    (
        "did not find expected key",
        "expected a key at this position",
        "check the indentation of this line and look for text after a closing quote "
        "(inside '...' write a single quote as '')",
    ),
    (
        "expected '-' indicator",
        "expected a list item ('- ') at this indentation",
        "check the indentation of this line",
    ),
    (
        "block sequence entries are not allowed",
        "a list item ('- ') is not allowed here",
        "check the indentation, or put a value that starts with '-' in quotes",
    ),
    ("incompatible YAML document", "unsupported %YAML version", "remove the %YAML line"),
)


def _syntax_issue(exc: yaml.MarkedYAMLError, text: str, file: str) -> Issue:
    """Translate a scanner, parser or composer error into one plainly worded issue."""
    problem = exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    if "undefined alias" in problem or "duplicate anchor" in problem:
        name = _name_at(text, mark)
        message = (
            f"YAML aliases ('*{name}') are not allowed"
            if "alias" in problem
            else f"the anchor '&{name}' is defined twice; anchors and aliases are not allowed"
        )
        hint = "write the value out in full instead of referring to an anchor"
        return Issue("yaml-alias", message, span=_mark_span(text, mark, file), hint=hint)
    if "tag handle" in problem:
        return Issue(
            "yaml-tag",
            f"YAML tags are not allowed ({problem})",
            span=_mark_span(text, mark, file),
            hint="remove the tag",
        )
    if "maximum nesting" in problem.lower():
        # A parser that limits nesting itself (libyaml in PyYAML 6.0.4 stops at 1,000
        # levels) and got there before our own count.
        return Issue(
            "too-deep",
            "the document nests too deep here for the YAML reader",
            span=_mark_span(text, mark, file),
            hint="flatten the structure",
        )
    where, message, advice = _malformed(exc, text, mark)
    return Issue(
        "yaml-syntax", _MALFORMED + message, span=_mark_span(text, where, file), hint=advice
    )


def _malformed(
    exc: yaml.MarkedYAMLError, text: str, mark: _Mark | None
) -> tuple[_Mark | None, str, str | None]:
    """Where a malformed text goes wrong, what is wrong in plain words, and a hint."""
    problem = exc.problem or ""
    context = exc.context or ""
    context_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
    char = _char_at(text, mark)
    if "tab" in problem or char == "\t":
        return (
            mark,
            "found a tab character where indentation is expected",
            "indent with spaces, not tabs",
        )
    if "quoted scalar" in context and "end of stream" in problem:
        mark = exc.context_mark or mark
        quote = _char_at(text, mark) or "quote"
        return (
            mark,
            f"this quoted text is never closed (the closing {quote} is missing)",
            "close the quote (inside '...' write a single quote as '')",
        )
    for words, message, hint in _FIXED_PROBLEMS:
        if words in problem:
            return mark, message, hint
    if "cannot start any token" in problem:
        return mark, f"a value cannot start with {char!r}", "put the value in quotes"
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        opener = "[" if "]" in problem else "{"
        where = f" on line {context_line}" if context_line else ""
        return mark, f"the '{opener}' opened{where} is not closed", _close_hint(opener)
    if "expected node content" in problem and "flow node" in context:
        unclosed = _unclosed_flow(text, mark)
        if unclosed is None:
            return (
                mark,
                "expected a value here",
                "put the value in quotes if it starts with a special character",
            )
        bracket, line = unclosed
        return mark, f"the '{bracket}' opened on line {line} is not closed", _close_hint(bracket)
    if "could not find expected ':'" in problem:
        # libyaml notices on the next line; the key without ':' is the context mark.
        return (
            exc.context_mark or mark,
            "this line needs a ':' after its key",
            "write 'key: value', or indent the line if it continues the value above",
        )
    message = problem or context or "the parser stopped"
    if context and problem:
        where = f" that starts on line {context_line}" if context_line else ""
        message += f" ({context}{where})"
    return mark, message, None


def _close_hint(opener: str) -> str:
    closer = "]" if opener == "[" else "}"
    return f"add the missing '{closer}', or a ',' between items"


def _mark_span(text: str, mark: _Mark | None, file: str) -> SourceSpan:
    """The span of an error mark, kept inside the text.

    At the end of a text without a final line break libyaml reports the start of a line
    that does not exist; that becomes the end of the last line.
    """
    if mark is None:
        return SourceSpan(file, 1, 1)
    lines = _LINE_BREAK.split(text)
    if mark.line >= len(lines):
        return SourceSpan(file, len(lines), len(lines[-1]) + 1)
    return SourceSpan(file, mark.line + 1, mark.column + 1)


def _unclosed_flow(text: str, mark: _Mark | None) -> tuple[str, int] | None:
    """The innermost ``[`` or ``{`` open at *mark* that is never closed, with its line.

    Only used on the error path: the scanner runs on until the end or its own error.
    """
    if mark is None:
        return None
    where = (mark.line, mark.column)
    open_at_mark: list[tuple[str, int, int]] = []
    stack: list[tuple[str, int, int]] = []
    loader: _ComposerLike | None = None
    try:
        loader = _Composer(text)
        while True:
            token = loader.get_token()
            if token is None:
                break
            start = token.start_mark
            if not open_at_mark and (start.line, start.column) >= where:
                open_at_mark = list(stack)
            cls = token.__class__
            if cls is FlowSequenceStartToken or cls is FlowMappingStartToken:
                stack.append(
                    ("[" if cls is FlowSequenceStartToken else "{", start.line, start.column)
                )
            elif (cls is FlowSequenceEndToken or cls is FlowMappingEndToken) and stack:
                stack.pop()
    except (yaml.YAMLError, UnicodeEncodeError):
        pass
    finally:
        if loader is not None:
            loader.dispose()
    if not open_at_mark:
        open_at_mark = list(stack)
    for opener in reversed(open_at_mark):
        if opener in stack:
            return opener[0], opener[1] + 1
    return None


def _name_at(text: str, mark: _Mark | None) -> str:
    if mark is None:
        return ""
    lines = _LINE_BREAK.split(text)
    line = lines[mark.line] if mark.line < len(lines) else ""
    match = _ALIAS_NAME.search(line, mark.column)
    return match.group(1) if match else ""


def _parser_issue(exc: yaml.YAMLError | UnicodeEncodeError, text: str, file: str) -> Issue:
    """One issue for anything the reader, scanner, parser or composer refused."""
    if isinstance(exc, yaml.MarkedYAMLError):
        return _syntax_issue(exc, text, file)
    if isinstance(exc, UnicodeEncodeError):
        # libyaml is handed UTF-8, and a lone surrogate cannot be encoded.
        return _forbidden_char(text, exc.start, file, ord(text[exc.start]))
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.position, int):
        # libyaml reports the offset in UTF-8 bytes, the Python reader in characters.
        index = exc.position
        if _Composer is not _PyComposer:
            index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        index = min(index, len(text))
        char = exc.character if isinstance(exc.character, int) else 0
        return _forbidden_char(text, index, file, char)
    return Issue("yaml-syntax", _MALFORMED + str(exc), span=SourceSpan(file, 1, 1))


#: A top-level ``kind:`` line: its value, quoted or not, a comment after it allowed.
_KIND_LINE: Final = re.compile(r"^kind:\s*['\"]?([^'\"\s#]*)['\"]?\s*(?:#.*)?$", re.MULTILINE)


def declared_kind(text: str) -> str | None:
    """The ``kind`` a YAML text says at its top level (``None``: it says none), read from
    the text alone, so a folder's files are sorted by kind without parsing them."""
    found = _KIND_LINE.search(text)
    return found.group(1) if found else None


def declares_kind(text: str, kind: str) -> bool:
    """Does a YAML text say ``kind: <kind>`` at its top level (:func:`declared_kind`)?"""
    return declared_kind(text) == kind


def files_of_kind(files: Iterable[str], kind: str) -> Iterator[tuple[str, str]]:
    """``(name, text)`` of each of ``files`` that declares ``kind``; a file that cannot be
    read as UTF-8 text is left out (the catalogue loader has reported it)."""
    for name in files:
        try:
            with open(name, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        if declares_kind(text, kind):
            yield name, text
