"""The guide's flow chart: the compiled process drawn by Graphviz as inline SVG.

:func:`flowchart_dot` writes a top-to-bottom Graphviz graph of the compiled
:class:`~approval_rules.graph.Process` (its steps in the engine's order, the
``after:`` edges, send-back edges dashed), labelled in Chinese with each step's limit
and its signers' posts from the :class:`~.guide.Guide`.  :func:`render_svg` runs
Graphviz's ``dot`` program (installed from the distribution's packages) and returns
the SVG element ready to be inlined in a page.

When ``dot`` is not installed, :class:`PublicationError` says how to install it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from ..model import StepKind
from .errors import PublicationError

if TYPE_CHECKING:
    from ..graph import Process
    from .guide import Guide, GuideStep, Value

__all__ = ["GRAPHVIZ_HINT", "flowchart_dot", "render_svg"]

#: How to install Graphviz, for the message when ``dot`` is missing.
GRAPHVIZ_HINT: Final = (
    "install Graphviz from your distribution's packages, e.g. `apt-get install graphviz` "
    "(Debian, Ubuntu), `dnf install graphviz` (Fedora) or `brew install graphviz` "
    "(macOS), then run the command again"
)

_FONT: Final = "Noto Sans CJK SC"
_CO_REVIEW_FILL: Final = "#eef5ff"
_WRAP: Final = 16  # characters per line of a step name: boxes stay narrow on A4
_TIMEOUT_S: Final = 60


def _quote(text: str) -> str:
    """A double-quoted DOT string; line breaks become centred ``\\n`` breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "\\n".join(escaped.splitlines() or [""]) + '"'


def _wrap(text: str, width: int = _WRAP) -> list[str]:
    """Lines of about equal length, none longer than ``width`` characters."""
    text = " ".join(text.split())
    count = max(1, -(-len(text) // width))
    size = -(-len(text) // count)
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _marked(value: Value) -> str:
    """A value in the chart; an example is starred (the caption explains the star)."""
    return value.text + ("*" if value.example else "")


def _label(step: GuideStep) -> str:
    lines = [
        f"{step.number}. {line}" if i == 0 else line for i, line in enumerate(_wrap(step.name))
    ]
    facts = [_marked(step.limit) if step.limit is not None else "不单独计时"]
    if step.when is not None:
        facts.append("视情形办理")
    lines.append("（" + "，".join(facts) + "）")
    posts = [_marked(p) for p in step.posts]
    for i in range(0, len(posts), 2):
        lines.append("、".join(posts[i : i + 2]))
    return "\n".join(lines)


def flowchart_dot(process: Process, guide: Guide) -> str:
    """A Graphviz ``digraph`` of the process, labelled for applicants (posts, not names)."""
    steps = {s.id: s for s in guide.steps}
    # A last step that closes the case is the end itself; after any other (送达) the
    # case is closed (办结).
    open_ends = [e for e in process.ends if process.step(e).kind is not StepKind.CLOSE]
    # "_apply" and "_done" cannot clash with a step: step ids start with a letter.
    lines = [
        f"digraph {_quote(process.matter.id)} {{",
        f'    graph [rankdir=TB, nodesep=0.3, ranksep=0.35, fontname="{_FONT}"];',
        f'    node [shape=box, style=rounded, fontname="{_FONT}", fontsize=11, '
        'margin="0.15,0.06"];',
        f'    edge [fontname="{_FONT}", fontsize=10, arrowsize=0.7];',
        '    "_apply" [label="申请人提交申请", shape=oval];',
        f'    "_apply" -> {_quote(process.start)};',
    ]
    if open_ends:
        lines.append('    "_done" [label="办结", shape=oval];')
    for sid in process.order:
        step = steps[sid]
        attrs = [f"label={_quote(_label(step))}"]
        styles = ["rounded"]
        if step.decides:
            styles.append("bold")
        if step.when is not None:
            styles.append("dashed")
        if process.step(sid).kind is StepKind.CO_REVIEW:
            styles.append("filled")
            attrs.append(f'fillcolor="{_CO_REVIEW_FILL}"')
        attrs.append(f'style="{",".join(styles)}"')
        lines.append(f"    {_quote(sid)} [{', '.join(attrs)}];")
    for sid in process.order:
        for nxt in process.successors(sid):
            lines.append(f"    {_quote(sid)} -> {_quote(nxt)};")
        for target in process.send_back_targets(sid):
            lines.append(
                f"    {_quote(sid)} -> {_quote(target)} "
                '[style=dashed, label="退回", constraint=false];'
            )
    lines.extend(f'    {_quote(end)} -> "_done";' for end in open_ends)
    lines.append("}")
    return "\n".join(lines) + "\n"


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def render_svg(dot_sources: Sequence[str], *, dot: str | None = None) -> list[str]:
    """Draw each DOT source as an ``<svg>`` element to inline in an HTML page.

    One Graphviz run draws them all (it reads the graphs one after the other), so a
    catalogue costs one process start.  The XML prologue, DOCTYPE and comments are
    removed; the ``<svg>`` gets ``role="img"``.

    Args:
        dot_sources: Graphviz graphs, e.g. from :func:`flowchart_dot`.
        dot: the ``dot`` program to run; found on ``PATH`` when not given.

    Raises:
        PublicationError: Graphviz is not installed, or failed on a graph.
    """
    if not dot_sources:
        return []
    program = dot or shutil.which("dot")
    if program is None:
        raise PublicationError("Graphviz is not installed (no `dot` program); " + GRAPHVIZ_HINT)
    try:
        done = subprocess.run(
            [program, "-Tsvg"],
            input="".join(dot_sources).encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError as err:
        raise PublicationError(f"Graphviz cannot be run ({err}); " + GRAPHVIZ_HINT) from err
    except subprocess.TimeoutExpired as err:
        raise PublicationError(f"Graphviz took longer than {_TIMEOUT_S} s") from err
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise PublicationError(f"Graphviz failed to draw the flow charts: {detail}")
    drawings = _split(done.stdout.decode("utf-8"))
    if len(drawings) != len(dot_sources):
        raise PublicationError(
            f"Graphviz drew {len(drawings)} flow charts for {len(dot_sources)} graphs"
        )
    return drawings


def _split(output: str) -> list[str]:
    """The ``<svg>…</svg>`` elements of Graphviz's output, cleaned for inlining."""
    out = []
    for chunk in output.split("</svg>")[:-1]:
        svg = _COMMENT.sub("", _PROLOGUE.sub("", chunk, count=1)).strip() + "</svg>"
        out.append(svg.replace("<svg ", '<svg role="img" ', 1))
    return out
