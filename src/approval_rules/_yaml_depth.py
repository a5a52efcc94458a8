"""How deep YAML text nests, read from its characters before a YAML parser sees it.

PyYAML cannot be trusted to report deep nesting in our words: libyaml's recursive
composer overflows the C stack somewhere past 20,000 levels, and PyYAML 6.0.4's
libyaml refuses more than 1,000 levels with a scanner error of its own.  So
:func:`first_too_deep` follows the structure of the text the way libyaml's scanner
does (its indentation stack, flow brackets, the one-pair mappings inside ``[...]``,
quoted and block scalars, multi-line plain scalars, comments, properties) and says
where the first collection deeper than the limit starts.

On well-formed YAML it gives the collection and the position the composed document
would give, with one exception: inside a key that is itself a collection (``[a]: b``,
which the loader refuses anyway) it counts one level fewer.  It never counts more
than the parser, so a well-formed file within the limit is never refused; on
malformed text it may count differently, which never matters, because such text is
refused anyway.  It reads the text in one pass and recurses nowhere.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["first_too_deep"]

_BREAKS: Final = re.compile("\r\n|[\r\x85\u2028\u2029]")
_SPACES: Final = re.compile(" *")
_BLANKS: Final = re.compile("[ \t]*")
_TO_EOL: Final = re.compile("[^\n]*")
# Between flow tokens: blanks, line breaks and comments.
_FLOW_GAP: Final = re.compile(r"(?:[ \t\n]+|#[^\n]*)*")
_SINGLE_QUOTED: Final = re.compile(r"'(?:[^']|'')*'")
_DOUBLE_QUOTED: Final = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# After '&' or '*': an anchor's name (libyaml allows no other characters).  After '!':
# a tag, verbatim (!<...>) or up to a blank (in flow context, a flow indicator).
_NAME: Final = re.compile(r"[0-9A-Za-z_-]*")
_BLOCK_TAG: Final = re.compile(r"<[^>\n]*>|[^ \t\n]*")
_FLOW_TAG: Final = re.compile(r"<[^>\n]*>|[^ \t\n,\[\]{}]*")
# Where a plain scalar ends, searched from its second character.  Block context: before
# ': ' (a key), ' #' (a comment) or the line break.  Flow context: also before a flow
# indicator, and line breaks do not end it.
_BLOCK_PLAIN_END: Final = re.compile(r":(?=[ \t\n]|\Z)|[ \t]#|\n")
_FLOW_PLAIN_END: Final = re.compile(r"[,\[\]{}]|:(?=[ \t\n,\[\]{}]|\Z)|[ \t\n]#")
_BLOCK_SCALAR_HEADER: Final = re.compile(r"[|>](?:([1-9])[+-]?|[+-]([1-9])?)?")

# Kinds of block collection on the indentation stack.
_MAP: Final = 0
_SEQ: Final = 1
#: A sequence written at its key's own indentation (``key:\n- a``).
_INDENTLESS: Final = 2


def _skip(pattern: re.Pattern[str], text: str, index: int) -> int:
    """Where *pattern*, which matches the empty string too, stops matching from *index*."""
    match = pattern.match(text, index)
    return match.end() if match else index


class _FlowLevel:
    """An open flow collection."""

    __slots__ = ("entry", "pair", "sequence")

    def __init__(self, sequence: bool) -> None:
        self.sequence = sequence
        #: A one-pair mapping is open in the current entry of this sequence.
        self.pair = False
        #: Where the current entry starts (its first property or token).
        self.entry: int | None = None


class _TooDeep(Exception):
    """Ends the scan at the first collection past the limit."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def first_too_deep(text: str, max_depth: int) -> tuple[int, int] | None:
    """The 0-based line and column where the first collection deeper than *max_depth*
    starts, or ``None`` when *text* nests no deeper than that.

    A document's top collection is at depth 1.  Lines are counted as libyaml counts
    them (``\\r\\n``, ``\\r``, U+0085, U+2028 and U+2029 break lines too).
    """
    if _BREAKS.search(text):
        text = _BREAKS.sub("\n", text)
    try:
        _Scanner(text, max_depth).run()
    except _TooDeep as found:
        line = text.count("\n", 0, found.index)
        return line, found.index - (text.rfind("\n", 0, found.index) + 1)
    return None


class _Scanner:
    """One pass over the text, keeping libyaml's indentation stack and flow depth."""

    __slots__ = ("block", "depth", "end", "max_depth", "pending", "text")

    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.end = len(text)
        self.max_depth = max_depth
        # Open block collections, outermost first: (column, kind).
        self.block: list[tuple[int, int]] = []
        # Open collections of every kind.
        self.depth = 0
        # Where the properties (&anchor, !tag) of a node that starts on a later line are.
        self.pending: int | None = None

    # --- counting ----------------------------------------------------------------------

    def _open(self, index: int) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _TooDeep(index)

    def _push(self, column: int, kind: int, index: int) -> None:
        self._open(index)
        self.block.append((column, kind))

    def _start(self, index: int) -> int:
        """Where a collection starting at *index* starts: at the properties written at the
        end of the line before, if any (they belong to the first token of this line)."""
        pending, self.pending = self.pending, None
        return index if pending is None else pending

    def _indent(self) -> int:
        """libyaml's current indentation: the column of the innermost block collection."""
        return self.block[-1][0] if self.block else -1

    def _unroll(self, column: int, entry: bool) -> None:
        """Close the block collections a line starting at *column* ends."""
        block = self.block
        while block:
            top_column, kind = block[-1]
            if top_column < column or (top_column == column and (kind != _INDENTLESS or entry)):
                return
            block.pop()
            self.depth -= 1

    # --- lines -------------------------------------------------------------------------

    def run(self) -> None:
        text, end = self.text, self.end
        pos = 0
        while pos < end:
            start = _skip(_SPACES, text, pos)
            if start == end:
                return
            char = text[start]
            if char == "\n":
                pos = start + 1
            elif char == "\t" or char == "#" or (start == pos and char == "%"):
                # A tab cannot indent (libyaml refuses the line), so it opens nothing.
                pos = self._eol(start) + 1
            elif (
                start == pos and text.startswith(("---", "..."), start) and self._blankz(start + 3)
            ):
                self.block.clear()
                self.depth = 0
                self.pending = None
                pos = self._eol(start) + 1 if char == "." else self._value(start + 3, pos)
            else:
                self._unroll(start - pos, char == "-" and self._blankz(start + 1))
                pos = self._line(start, pos)

    def _line(self, index: int, line: int) -> int:
        """Read the tokens of one line from *index*; the index of the next line to read.

        Block indicators (``-``, ``?``, ``:``) may come one after another; then comes at
        most one node, which may be a key.
        """
        text = self.text
        while True:
            if index >= self.end:
                return self.end
            char = text[index]
            if char == "\n":
                return index + 1
            if char == "#" or char == "\t":  # libyaml allows no tab after an indicator
                return self._eol(index) + 1
            if not (char in "-?:" and self._blankz(index + 1)):
                return self._node(index, line, key=True)
            column = index - line
            where = self._start(index)
            if char == "-":
                self._entry(column, where)
            elif column > self._indent():
                self._push(column, _MAP, where)
            index = _skip(_SPACES, text, index + 1)

    def _entry(self, column: int, index: int) -> None:
        """A block sequence entry ``-`` at *column*."""
        if column > self._indent():
            self._push(column, _SEQ, index)
        elif self.block and self.block[-1] == (column, _MAP):
            self._push(column, _INDENTLESS, index)

    def _node(self, index: int, line: int, *, key: bool) -> int:
        """A node, which may be a *key* followed by its value; the index of the next line."""
        text = self.text
        start = index
        index = self._block_properties(index)
        if index >= self.end or text[index] in "\n#":
            # The node starts on a later line: a collection there starts at the first
            # of these properties (several lines of them belong to the same node).
            if self.pending is None:
                self.pending = start
            return self._eol(index) + 1 if index < self.end else self.end
        opener = self._start(start)
        char = text[index]
        if key and char == ":" and self._blankz(index + 1):  # properties alone, as a key
            self._key(start - line, opener)
            return self._value(index + 1, line)
        if char == "|" or char == ">":
            return self._block_scalar(index)
        single_line = True
        if char == "[" or char == "{":
            first = line
            index, line = self._flow(index, line, opener)
            single_line = line == first
        elif char == "'" or char == '"':
            first = line
            index, line = self._quoted(index, line)
            single_line = line == first
        elif char == "*":
            index = _skip(_NAME, text, index + 1)
        else:
            stop = _BLOCK_PLAIN_END.search(text, index + 1)
            if stop is None:
                return self.end
            if stop.group() == ":" and key:
                self._key(start - line, opener)
                return self._value(stop.end(), line)
            if stop.group() == "\n":
                return self._plain_lines(stop.end())
            return self._eol(stop.start()) + 1  # a comment, or a second key (malformed)
        # After a collection, a quoted scalar or an alias on one line, ':' makes it a key.
        after = _skip(_BLANKS, text, index)
        if key and single_line and text.startswith(":", after) and self._blankz(after + 1):
            self._key(start - line, opener)
            return self._value(after + 1, line)
        return self._eol(index) + 1 if index < self.end else self.end

    def _key(self, column: int, index: int) -> None:
        """A simple key at *column*: it starts a block mapping unless it is in one."""
        if column > self._indent():
            self._push(column, _MAP, index)

    def _value(self, index: int, line: int) -> int:
        """The value after a key's ':' on the same line: one node, never a key."""
        text = self.text
        index = _skip(_BLANKS, text, index)
        if index >= self.end:
            return self.end
        if text[index] in "\n#":
            return self._eol(index) + 1
        return self._node(index, line, key=False)

    def _block_properties(self, index: int) -> int:
        """Skip anchors and tags before a node in block context."""
        text = self.text
        while index < self.end and text[index] in "&!":
            index = _skip(_NAME if text[index] == "&" else _BLOCK_TAG, text, index + 1)
            index = _skip(_BLANKS, text, index)
        return index

    # --- scalars -------------------------------------------------------------------------

    def _plain_lines(self, index: int) -> int:
        """Lines that continue a plain scalar in block context; the first line after it.

        A line continues the scalar when it is indented more than the innermost block
        collection and is no comment, whatever it holds (``- x`` included).
        """
        text, end = self.text, self.end
        indent = self._indent()
        while index < end:
            start = _skip(_BLANKS, text, index)
            if start == end:
                return end
            char = text[start]
            if char == "\n":
                index = start + 1
                continue
            if start - index <= indent or char == "#":
                return index
            if start == index and text.startswith(("---", "..."), start):
                return index
            stop = _BLOCK_PLAIN_END.search(text, start)
            if stop is None:
                return end
            if stop.group() != "\n":
                return self._eol(stop.start()) + 1
            index = stop.end()
        return end

    def _block_scalar(self, index: int) -> int:
        """A literal or folded block scalar: skip its lines; the first line after it."""
        text, end = self.text, self.end
        header = _BLOCK_SCALAR_HEADER.match(text, index)
        digit = header.group(1) or header.group(2) if header else None
        indent = self._indent()
        content = 0
        if digit:
            content = indent + int(digit) if indent >= 0 else int(digit)
        index = self._eol(index) + 1
        # Leading empty lines, then the first line with text, fix the indentation.
        deepest = 0
        while index < end:
            spaces = _skip(_SPACES, text, index) - index
            if content:
                spaces = min(spaces, content)
            deepest = max(deepest, spaces)
            if index + spaces < end and text[index + spaces] == "\n":
                index += spaces + 1
                continue
            break
        if not content:
            content = max(deepest, indent + 1, 1)
        while index < end:
            stop = _skip(_SPACES, text, index)
            if stop == end:
                return end
            if text[stop] != "\n" and stop - index < content:
                return index
            index = self._eol(stop) + 1
        return end

    def _quoted(self, index: int, line: int) -> tuple[int, int]:
        """A quoted scalar: (the index after it, the start of the line it ends on)."""
        pattern = _SINGLE_QUOTED if self.text[index] == "'" else _DOUBLE_QUOTED
        match = pattern.match(self.text, index)
        stop = match.end() if match else self.end
        return stop, self._line_of(index, stop, line)

    def _line_of(self, start: int, stop: int, line: int) -> int:
        """The start of the line holding *stop*, given that *start* is on *line*."""
        last_break = self.text.rfind("\n", start, stop)
        return line if last_break < 0 else last_break + 1

    # --- flow collections ------------------------------------------------------------------

    def _flow(self, index: int, line: int, opener: int) -> tuple[int, int]:
        """A flow collection from its bracket at *index*, starting at *opener*.

        Returns the index after its closing bracket and the start of that line.
        """
        text, end = self.text, self.end
        stack: list[_FlowLevel] = []
        properties = opener if opener != index else None
        while index < end:
            gap = _skip(_FLOW_GAP, text, index)
            if gap > index:
                line = self._line_of(index, gap, line)
                index = gap
                if index >= end:
                    break
            char = text[index]
            if stack and stack[-1].entry is None and char not in ",]}:":
                stack[-1].entry = index if properties is None else properties
            if char in "[{]},?:":
                self._flow_indicator(char, index, stack, properties)
                index += 1
                if not stack:
                    return index, line
            elif char == "&" or char == "!":
                if properties is None:
                    properties = index
                index = _skip(_NAME if char == "&" else _FLOW_TAG, text, index + 1)
                continue
            elif char == "'" or char == '"':
                index, line = self._quoted(index, line)
            elif char == "*":
                index = _skip(_NAME, text, index + 1)
            else:
                stop = _FLOW_PLAIN_END.search(text, index + 1)
                stop_at = stop.start() if stop else end
                line = self._line_of(index, stop_at, line)
                index = stop_at
            properties = None
        return end, line

    def _flow_indicator(
        self, char: str, index: int, stack: list[_FlowLevel], properties: int | None
    ) -> None:
        """A bracket, ',' or one of '?' and ':' (which in flow context always indicate)."""
        if char == "[" or char == "{":
            self._open(index if properties is None else properties)
            stack.append(_FlowLevel(char == "["))
            return
        if not stack:
            return
        top = stack[-1]
        if char == "]" or char == "}":
            stack.pop()
            self.depth -= 2 if top.pair else 1
        elif char == ",":
            if top.pair:
                self.depth -= 1
            top.pair = False
            top.entry = None
        elif top.sequence and not top.pair:
            # ``[a: b]`` and ``[? a]``: the entry is a mapping of one pair, one level
            # deeper, starting where the entry starts.
            self._open(index if top.entry is None else top.entry)
            top.pair = True

    # --- characters ----------------------------------------------------------------------

    def _blankz(self, index: int) -> bool:
        """Whether *index* is a blank, a line break or the end of the text."""
        return index >= self.end or self.text[index] in " \t\n"

    def _eol(self, index: int) -> int:
        """The index of the line break ending the line that holds *index* (or the end)."""
        return _skip(_TO_EOL, self.text, index)
