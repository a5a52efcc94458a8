"""Drawings and listings of a compiled process: Mermaid, Graphviz DOT, JSON and text.

* **mermaid**: a ``flowchart LR``; steps show their name, kind, limit and signers;
  deciding steps are hexagons, the first and last steps rounded; send-back edges
  are dashed (``-.->``); the critical path is drawn thick and red.  Everything that
  changes a case's route is drawn too: a step that runs only under a condition
  (``when:``) says so and has a dashed border, a co-review deemed agreed when it
  times out says 逾期视为同意, one whose disagreement refuses says 一票否决, and
  separation of duties (``separate_from``) is a dotted line without arrow labelled
  不得同一人.  Who must sign is written on the step (须2人签署 for a quorum,
  分部分签署：… for sections), and so is its limit in a green-channel case (绿色通道 …)
  when the green channel shortens the steps; the green promise is a comment at the
  top.  Paste it into any Mermaid renderer
  (GitHub and GitLab render ```` ```mermaid ```` blocks, https://mermaid.live draws
  it in the browser).
* **dot**: the same drawing for Graphviz (``dot -Tsvg``); the green promise is in the
  title.
* **json**: the stable export documented in ``docs/graph-json.md``, with the green
  channel's shortened limits.
* **text**: what a policy officer reads in a terminal: the steps in order, who signs
  each (with their AB岗 backups, a quorum or sections), the limits (``(example)``
  where the matter marks one as an example), veto and green channel, the critical
  path and the slack.

Chinese names are kept as they are (UTF-8, never ``\\u`` escapes) and quoted safely.
This module has no command-line code; :mod:`._cli_graph` calls it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Final

from ._wording import days, limit_text
from .graph import Process, limit_in_working_days
from .model import OnDisagree, OnTimeout, Step, StepKind, TimeLimit, Unit
from .timelimits import green_channel_days, green_step_limit

__all__ = ["FORMATS", "render", "to_dot", "to_json", "to_mermaid", "to_text"]

#: Colour of the critical path in Mermaid and DOT drawings.
CRITICAL_COLOUR: Final = "#c0392b"
_MAX_NAMES: Final = 4


def _limit_text(limit: TimeLimit) -> str:
    """A limit in the unit it was written in: ``7 working days``, ``2 hours``."""
    return limit_text(limit.value, limit.unit.value)


def _limit(process: Process, step_id: str) -> str:
    limit = process.step(step_id).time_limit
    return _limit_text(limit) if limit is not None else "no limit"


def _limit_marked(process: Process, step_id: str) -> str:
    """The step's limit, marked ``(example)`` where the matter marks it as an example."""
    limit = process.step(step_id).time_limit
    if limit is None:
        return "no limit"
    return _limit_text(limit) + (" (example)" if limit.is_example("value") else "")


def _matter_limit(limit: TimeLimit) -> str:
    """A matter limit, with its working-day value when written in another unit."""
    text = _limit_text(limit)
    if limit.unit is Unit.WORKING_DAYS:
        return text
    return f"{text} (= {days(limit_in_working_days(limit))})"


def _signer_names(process: Process, step_id: str) -> str:
    names = [process.people[p].name if p in process.people else p for p in process.signers(step_id)]
    if len(names) > _MAX_NAMES:
        return ", ".join(names[:_MAX_NAMES]) + f" +{len(names) - _MAX_NAMES}"
    return ", ".join(names)


#: What is written on a step that changes the route: its condition, its timeout.
CONDITION_WORDS: Final = "仅当"
DEEMED_WORDS: Final = "逾期视为同意"
#: The label of a separation-of-duties line between two steps.
SEPARATION_WORDS: Final = "不得同一人"
#: What is written on a co-review whose disagreement refuses the application.
VETO_WORDS: Final = "一票否决"
#: What is written before a step's limit in a green-channel case.
GREEN_WORDS: Final = "绿色通道"


def _route_notes(step: Step) -> list[str]:
    """The lines a drawing adds to a step whose route can change: condition, timeout,
    veto."""
    notes = []
    if step.when is not None:
        notes.append(f"{CONDITION_WORDS} {step.when}")
    if step.on_timeout is OnTimeout.DEEM_AGREED:
        notes.append(DEEMED_WORDS)
    if step.on_disagree is OnDisagree.VETO:
        notes.append(VETO_WORDS)
    return notes


def _green_limit(process: Process, step: Step) -> str | None:
    """The step's limit in a green-channel case, where the green channel shortens the
    steps' limits too (``green_channel.steps``); the engine's rule
    (:func:`~.timelimits.green_step_limit`)."""
    green = process.matter.time_limits.green_channel
    limit = step.time_limit
    if green is None or not green.steps or limit is None:
        return None
    value, unit = limit.hours_or_days
    if unit not in (Unit.WORKING_DAYS, Unit.HALF_DAYS):
        return None
    short, short_unit = green_step_limit(value, unit.value, green.reduction)
    return limit_text(short, short_unit)


def _step_notes(process: Process, step: Step) -> list[str]:
    """The lines a drawing adds below a step's signers: its route notes, a quorum or its
    sections (who must sign), and its limit in a green-channel case."""
    notes = _route_notes(step)
    if step.signers_needed > 1:
        notes.append(f"须{step.signers_needed}人签署")
    if step.sections:
        notes.append("分部分签署：" + "、".join(_line(s.name) for s in step.sections))
    green = _green_limit(process, step)
    if green is not None:
        notes.append(f"{GREEN_WORDS} {green}")
    return notes


def _green_promise(process: Process) -> str | None:
    """The green channel's promised limit, in words for a drawing's title, or ``None``."""
    limits = process.matter.time_limits
    green = limits.green_channel
    if green is None:
        return None
    value, unit = limits.promised.hours_or_days
    when = f" when {green.when}" if green.when else ""
    if unit is not Unit.WORKING_DAYS:
        return f"green channel{when}: promised limit not shortened"
    shortened = days(green_channel_days(value, green.reduction))
    steps = ", step limits too" if green.steps else ""
    return f"green channel{when}: promised {shortened} ({green.reduction:g} cut{steps})"


def _separations(process: Process) -> list[tuple[str, str]]:
    """(step, the earlier step it must be signed apart from), in process order."""
    return [(sid, other) for sid in process.order for other in process.step(sid).separate_from]


def _critical_edges(process: Process) -> set[tuple[str, str]]:
    path = process.critical_path
    return set(itertools.pairwise(path))


# --- Mermaid ----------------------------------------------------------------------------

_MERMAID_ENTITIES: Final = (
    ("#", "#35;"),  # first: the entities below start with '#'
    ('"', "#quot;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("&", "#amp;"),
    ("`", "#96;"),
)


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entities for characters Mermaid reads."""
    text = " ".join(text.split())
    for char, entity in _MERMAID_ENTITIES:
        text = text.replace(char, entity)
    return text


def _mermaid_id(step_id: str) -> str:
    # A prefix keeps ids such as 'end', 'class' or 'o…'/'x…' from being read as syntax.
    return f"s_{step_id}"


def to_mermaid(process: Process) -> str:
    """A Mermaid ``flowchart LR`` of the process (see the module docstring)."""
    lines = ["flowchart LR", f"    %% {process.matter.id} sha256:{process.content_hash[:16]}"]
    green = _green_promise(process)
    if green is not None:
        lines.append(f"    %% {green}")
    ends = set(process.ends)
    for sid in process.order:
        step = process.step(sid)
        parts = [step.name, f"{step.kind.value} · {_limit(process, sid)}"]
        signers = _signer_names(process, sid)
        if signers:
            parts.append(signers)
        parts += _step_notes(process, step)
        label = "<br/>".join(_mermaid_text(p) for p in parts)
        if step.decides:
            shape = f'{{{{"{label}"}}}}'
        elif sid == process.start or sid in ends:
            shape = f'(["{label}"])'
        else:
            shape = f'["{label}"]'
        lines.append(f"    {_mermaid_id(sid)}{shape}")
    critical = _critical_edges(process)
    highlighted: list[int] = []
    count = 0
    for sid in process.order:
        for nxt in process.successors(sid):
            if (sid, nxt) in critical:
                highlighted.append(count)
            lines.append(f"    {_mermaid_id(sid)} --> {_mermaid_id(nxt)}")
            count += 1
    for sid in process.order:
        for target in process.send_back_targets(sid):
            lines.append(f"    {_mermaid_id(sid)} -.->|退回| {_mermaid_id(target)}")
            count += 1
    for sid, other in _separations(process):
        lines.append(f"    {_mermaid_id(sid)} -.-|{SEPARATION_WORDS}| {_mermaid_id(other)}")
        count += 1
    style = f"stroke:{CRITICAL_COLOUR},stroke-width:3px"
    lines.append(f"    classDef critical {style}")
    lines.append("    classDef coReview fill:#eef5ff")
    lines.append("    classDef conditional stroke-dasharray:5")
    co_reviews = [s for s in process.order if process.step(s).kind is StepKind.CO_REVIEW]
    if co_reviews:
        lines.append(f"    class {','.join(_mermaid_id(s) for s in co_reviews)} coReview")
    conditional = [s for s in process.order if process.step(s).when is not None]
    if conditional:
        lines.append(f"    class {','.join(_mermaid_id(s) for s in conditional)} conditional")
    lines.append(f"    class {','.join(_mermaid_id(s) for s in process.critical_path)} critical")
    if highlighted:
        lines.append(f"    linkStyle {','.join(map(str, highlighted))} {style}")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT -----------------------------------------------------------------------


def _dot_string(text: str) -> str:
    """A double-quoted DOT string; line breaks in ``text`` become ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "\\n".join(escaped.splitlines() or [""]) + '"'


def to_dot(process: Process) -> str:
    """A Graphviz ``digraph`` of the process (render with ``dot -Tsvg``)."""
    font = "Noto Sans CJK SC"
    matter = process.matter
    title = f"{matter.name} ({matter.id})\npromised {_matter_limit(matter.time_limits.promised)}"
    green = _green_promise(process)
    if green is not None:
        title += f"\n{green}"
    lines = [
        f"digraph {_dot_string(matter.id)} {{",
        f"    graph [rankdir=LR, labelloc=t, fontname={_dot_string(font)}, "
        f"label={_dot_string(title)}];",
        f"    node [shape=box, style=rounded, fontname={_dot_string(font)}];",
        f"    edge [fontname={_dot_string(font)}];",
    ]
    on_path = set(process.critical_path)
    ends = set(process.ends)
    for sid in process.order:
        step = process.step(sid)
        text = f"{step.name}\n{step.kind.value} · {_limit(process, sid)}"
        signers = _signer_names(process, sid)
        if signers:
            text += f"\n{signers}"
        for note in _step_notes(process, step):
            text += f"\n{note}"
        attrs = [f"label={_dot_string(text)}"]
        styles = ["rounded"]
        if step.when is not None:
            styles.append("dashed")
        if step.decides:
            attrs.append("shape=hexagon")
        elif sid == process.start or sid in ends:
            styles.append("bold")
        if step.kind is StepKind.CO_REVIEW:
            styles.append("filled")
            attrs.append('fillcolor="#eef5ff"')
        attrs.append(f'style="{",".join(styles)}"')
        if sid in on_path:
            attrs.append(f'color="{CRITICAL_COLOUR}", penwidth=2')
        lines.append(f"    {_dot_string(sid)} [{', '.join(attrs)}];")
    critical = _critical_edges(process)
    for sid in process.order:
        for nxt in process.successors(sid):
            extra = f' [color="{CRITICAL_COLOUR}", penwidth=2]' if (sid, nxt) in critical else ""
            lines.append(f"    {_dot_string(sid)} -> {_dot_string(nxt)}{extra};")
    for sid in process.order:
        for target in process.send_back_targets(sid):
            lines.append(
                f"    {_dot_string(sid)} -> {_dot_string(target)} "
                f'[style=dashed, label="退回", constraint=false];'
            )
    for sid, other in _separations(process):
        lines.append(
            f"    {_dot_string(sid)} -> {_dot_string(other)} "
            f'[style=dotted, dir=none, label="{SEPARATION_WORDS}", constraint=false];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- JSON -------------------------------------------------------------------------------


def to_json(process: Process) -> str:
    """The stable JSON export (format version 1, ``docs/graph-json.md``), UTF-8 text.

    It is :meth:`~.graph.Process.to_json_data` with the green channel's shortened limits
    added (``green_channel.promised`` and ``green_channel.step_limits``, working days), by
    the engine's rules (:func:`~.timelimits.green_channel_days`,
    :func:`~.timelimits.green_step_limit`).
    """
    data = process.to_json_data()
    if data["green_channel"] is not None:
        data["green_channel"].update(_green_json(process))
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _green_json(process: Process) -> dict[str, object]:
    limits = process.matter.time_limits
    green = limits.green_channel
    assert green is not None  # only called for a matter with a green channel
    value, unit = limits.promised.hours_or_days
    promised = green_channel_days(value, green.reduction) if unit is Unit.WORKING_DAYS else None
    step_limits: dict[str, float] = {}
    for step in process.matter.steps if green.steps else ():
        if step.time_limit is None:
            continue
        v, u = step.time_limit.hours_or_days
        if u in (Unit.WORKING_DAYS, Unit.HALF_DAYS):
            short, short_unit = green_step_limit(v, u.value, green.reduction)
            step_limits[step.id] = short / 2 if short_unit == "half_days" else float(short)
    return {"promised": promised, "step_limits": step_limits}


# --- text -------------------------------------------------------------------------------


def _line(text: str) -> str:
    """Text on one line: a name written over several YAML lines must not break a listing."""
    return " ".join(text.split())


def _person(process: Process, pid: str) -> str:
    person = process.people.get(pid)
    return _line(person.name) if person is not None else pid


def _cosigning_lines(process: Process, step: Step, pad: str) -> list[str]:
    """A quorum, or each section and who signs it (``example`` where not verified)."""
    if step.signers_needed > 1:
        possible = len(process.signers(step.id))
        return [f"{pad}signed by {step.signers_needed} of its {possible} signers"]
    if not step.sections:
        return []
    lines = [f"{pad}sections (each signed by its own signer; the step passes when all are):"]
    for section in step.sections:
        mark = " (example)" if section.is_example("signer") else ""
        who = _person(process, section.signer)
        lines.append(f"{pad}  {_line(section.name)} ({section.id}): {who}{mark}")
    return lines


def _step_lines(
    process: Process, step: Step, pad: str, joined_at: dict[str | None, str]
) -> list[str]:
    """The lines under a step of the text listing: department, order, route, signers."""
    out: list[str] = []
    sid = step.id
    matter = process.matter
    department = process.department(sid)
    if department != matter.lead_department:
        out.append(f"{pad}department: {_line(process.department_name(department))}")
    if step.after:
        note = f" (joins the branches opened at {joined_at[sid]})" if sid in joined_at else ""
        out.append(f"{pad}after: {', '.join(step.after)}{note}")
    if step.when:
        out.append(f"{pad}only when: {_line(step.when)}")
    if step.on_timeout is OnTimeout.DEEM_AGREED:
        out.append(f"{pad}on timeout: deemed agreed ({DEEMED_WORDS})")
    if step.on_disagree is OnDisagree.VETO:
        out.append(f"{pad}on disagreement: veto, the application is refused ({VETO_WORDS})")
    green = _green_limit(process, step)
    if green is not None:
        out.append(f"{pad}green channel ({GREEN_WORDS}): {green}")
    signers = []
    for pid, backup in process.backups(sid).items():
        cover = f"backup {_person(process, backup)}" if backup else "no backup"
        signers.append(f"{_person(process, pid)} ({cover})")
    out.append(f"{pad}signers: {'; '.join(signers) or 'nobody'}")
    out += _cosigning_lines(process, step, pad)
    if step.send_back_to:
        out.append(f"{pad}may send back to: {', '.join(step.send_back_to)}")
    if step.separate_from:
        out.append(f"{pad}signed by someone else than: {', '.join(step.separate_from)}")
    if step.can_refuse:
        out.append(f"{pad}may refuse the application")
    return out


def to_text(process: Process) -> str:
    """A plain-text listing for a terminal: steps in order, signers, limits, slack."""
    matter = process.matter
    spare = process.promised_days - process.critical_length
    lead = _line(process.department_name(matter.lead_department))
    out = [
        f"{_line(matter.name)} ({matter.id})",
        f"  {matter.case_type.value} matter, lead department {lead}",
        f"  promised limit {_matter_limit(matter.time_limits.promised)} "
        f"(statutory {_matter_limit(matter.time_limits.statutory)})",
        f"  critical path: {' -> '.join(process.critical_path)}",
        f"  = {days(process.critical_length)}, "
        + (f"{days(spare)} to spare" if spare >= 0 else f"{days(-spare)} OVER the promise"),
        f"  content hash sha256:{process.content_hash}",
    ]
    green = _green_promise(process)
    if green is not None:
        out.append(f"  {green} ({GREEN_WORDS})")
    commitment = matter.commitment
    if commitment is not None:  # 告知承诺制: another route to the decision
        within = commitment.check_within
        example = " (example)" if commitment.is_example("check_within") else ""
        out.append(
            f"  on commitment (告知承诺制): {', '.join(commitment.replaces)} replaced, decided "
            f"on the spot at {', '.join(process.deciding_steps)}, checked within "
            f"{within.value} {within.unit.replace('_', ' ')}{example}"
        )
    out += ["", "Steps, in order:"]
    on_path = set(process.critical_path)
    splits = process.splits()
    joined_at = {process.join_of(s): s for s in splits}
    width = len(str(len(process.order)))
    for n, sid in enumerate(process.order, start=1):
        step = process.step(sid)
        facts = [step.kind.value]
        if step.decides:
            facts.append("decides")
        facts.append(_limit_marked(process, sid))
        soonest = process.earliest_start[sid]
        facts.append(
            f"starts after {days(soonest)} at the soonest" if soonest else "starts at once"
        )
        if sid in on_path:
            facts.append("critical")
        else:
            slack = process.slack[sid]
            facts.append(f"slack {days(slack)}" if slack else "no slack")
        out.append(f"{n:>{width}}. {_line(step.name)} ({sid}): {', '.join(facts)}")
        out += _step_lines(process, step, " " * (width + 2), joined_at)
    if splits:
        out += ["", "Parallel branches:"]
        for split, branches in splits.items():
            join = process.join_of(split)
            meet = f"; they meet at {join}" if join else ""
            out.append(f"  {split} opens {', '.join(branches)}{meet}")
    return "\n".join(out) + "\n"


#: Output formats of :func:`render` (and ``approval-rules graph --format``).
FORMATS: Final[dict[str, Callable[[Process], str]]] = {
    "mermaid": to_mermaid,
    "dot": to_dot,
    "json": to_json,
    "text": to_text,
}


def render(process: Process, fmt: str) -> str:
    """Render ``process`` in one of :data:`FORMATS` (``mermaid``, ``dot``, ``json``, ``text``).

    Raises:
        ValueError: ``fmt`` is not a known format.
    """
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(process)
