"""The ``run`` command of ``approval-rules``: play scenario files (wired in by ``cli.py``).

Exit codes: 0 every expectation held, 1 an expectation failed or the input has errors
(the message on stderr, never a traceback), 2 bad command-line usage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ._cli_documents import document_options, write_results
from .engine import Engine
from .loader import load_catalogue
from .scenario import ScenarioResult, load_scenario, run_scenario
from .workdays import WorkCalendar, load_overlay

__all__ = ["register"]


def _text_report(result: ScenarioResult) -> str:
    """A short account for a terminal: outcome, deadlines, open steps, refusals."""
    lines = [f"{result.scenario.file}: {result.scenario.name}"]
    case = result.summary.get("case")
    if case is not None:
        lines.append(f"  case {case['id']} ({case['matter']}): {case['status']}, "
                     f"{case['version']} events")  # fmt: skip
        due = {k: v for k, v in case["due"].items() if v}
        if due:
            lines.append("  due: " + ", ".join(f"{k} {v}" for k, v in due.items()))
        if case["open_steps"]:
            lines.append("  open steps: " + ", ".join(case["open_steps"]))
        for event in case["events"]:
            lines.append(f"    {event['seq']:>3} {event['at']} {event['actor']}: {event['action']}")
    for item in result.refused:
        mark = "refused as expected" if item["expected"] else "refused"
        lines.append(f"  {mark}: {item['action']} by {item['by']} at {item['at']}: "
                     f"{item['reason']} [{item['code']}]")  # fmt: skip
    for failure in result.failures:
        lines.append(f"  FAILED {failure}")
    lines.append("  ok" if result.ok else f"  {len(result.failures)} expectation(s) failed")
    return "\n".join(lines)


def register(group: click.Group) -> None:
    """Add the ``run`` command to ``group``."""

    @group.command("run")
    @click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option(
        "--catalogue",
        "catalogue_dir",
        type=click.Path(path_type=Path),
        default=Path("matters"),
        show_default=True,
        help="Catalogue folder (or file) with the matters the scenarios use.",
    )
    @click.option(
        "--overlay",
        "overlays",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Calendar overlay YAML (regional days off, closures); repeatable.",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "text"]),
        default="json",
        show_default=True,
        help="json: the resulting case(s); text: a short account per scenario.",
    )
    @document_options
    def run(
        scenarios: tuple[Path, ...],
        catalogue_dir: Path,
        overlays: tuple[Path, ...],
        fmt: str,
        documents_dir: Path | None,
        templates: Path | None,
        pdf: bool,
    ) -> None:
        """Play scripted cases and print the result: status, deadlines, events, refusals.

        A scenario names a matter, how the application is submitted, timed actions by
        named people and, optionally, what is expected (docs/scenarios.md).  A refused
        action is reported with its reason; it fails the run only when the scenario
        expected it to succeed.  Exit 1 when an expectation fails.

        \b
        Examples:
          approval-rules run matters/scenarios/construction_permit_happy_path.yaml
          approval-rules run matters/scenarios/*.yaml --format text
          approval-rules run SCENARIO.yaml --documents out/ --pdf
        """
        # Library errors (a bad scenario or catalogue) are reported by the command group.
        catalogue = load_catalogue(catalogue_dir)
        calendar = WorkCalendar.china()
        for path in overlays:
            calendar = calendar.with_overlay(load_overlay(path))
        engine = Engine(catalogue, calendar)
        results = [run_scenario(load_scenario(path), engine) for path in scenarios]
        write_results(results, catalogue, documents_dir, templates=templates, pdf=pdf)
        if fmt == "text":
            click.echo("\n\n".join(_text_report(r) for r in results))
        else:
            data: Any = [r.summary for r in results]
            if len(results) == 1:
                data = data[0]
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        failed = [r for r in results if not r.ok]
        for result in failed:
            if fmt == "json":
                for failure in result.failures:
                    click.echo(f"expectation failed: {failure}", err=True)
            else:
                click.echo(f"{result.scenario.file}: {len(result.failures)} expectation(s) "
                           "failed", err=True)  # fmt: skip
        if failed:
            raise click.exceptions.Exit(1)
