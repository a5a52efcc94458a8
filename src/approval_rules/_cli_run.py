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
from ._cli_options import build_calendar, calendar_options, catalogue_option
from .engine import Engine
from .errors import ApprovalRulesError, DefinitionError, format_issue
from .loader import load_catalogue
from .scenario import ScenarioResult, load_scenario, run_scenario, scenario_files

__all__ = ["register"]


def _text_report(result: ScenarioResult) -> str:
    """A short account for a terminal: outcome, deadlines, open steps, refusals."""
    lines = [f"{result.scenario.file}: {result.scenario.name}"]
    case = result.summary.get("case")
    if case is not None:
        lines.append(f"  case {case['id']} ({case['matter']}): {case['status']}, "
                     f"{case['version']} events")  # fmt: skip
        due = {k: v for k, v in case["due"].items() if v}
        report = case.get("deadlines") or {}

        def flag(name: str) -> str:
            period = report.get(name)
            return " (provisional)" if isinstance(period, dict) and period["provisional"] else ""

        if due:
            lines.append("  due: " + ", ".join(f"{k} {v}{flag(k)}" for k, v in due.items()))
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
    @catalogue_option("Catalogue folder (or file) with the matters the scenarios use.")
    @calendar_options
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
        provisional: bool,
        fmt: str,
        documents_dir: Path | None,
        templates: Path | None,
        pdf: bool,
    ) -> None:
        """Play scripted cases and print the result: status, deadlines, events, refusals.

        A scenario names a matter, how the application is submitted, timed actions by
        named people and, optionally, what is expected (docs/scenarios.md).  A refused
        action is reported with its reason; it fails the scenario unless the scenario
        expected it (expect: refused).  A scenario that cannot be read or played (its
        problems all listed with positions, or a day the calendar does not know: see
        --provisional and --overlay) fails in its own result; the others still run.
        A folder plays every scenario in it (kind: scenario), sorted, sub-folders
        included, as check reads folders; a folder without one is a usage error.
        Exit 1 when a scenario fails.

        \b
        Examples:
          approval-rules run matters/scenarios/construction_permit_happy_path.yaml
          approval-rules run matters/scenarios/*.yaml --format text
          approval-rules run matters/scenarios/ --provisional --format text
          approval-rules run matters/scenarios/year_end/*.yaml --provisional
          approval-rules run SCENARIO.yaml --documents out/ --pdf
        """
        files = _files(scenarios)
        # Library errors (a bad scenario or catalogue) are reported by the command group.
        catalogue = load_catalogue(catalogue_dir)
        engine = Engine(catalogue, build_calendar(overlays, provisional))
        results = [_play(path, engine) for path in files]
        played = [r for r in results if isinstance(r, ScenarioResult)]
        several = len(files) > 1 or any(path.is_dir() for path in scenarios)
        write_results(
            played, catalogue, documents_dir, templates=templates, pdf=pdf, several=several
        )
        if fmt == "text":
            click.echo("\n\n".join(
                _text_report(r) if isinstance(r, ScenarioResult) else _error_report(r)
                for r in results
            ))  # fmt: skip
        else:
            data: Any = [r.summary if isinstance(r, ScenarioResult) else r for r in results]
            if not several:
                data = data[0]
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        failed = 0
        for result in results:
            failures = result.failures if isinstance(result, ScenarioResult) else result["failures"]
            file = result.scenario.file if isinstance(result, ScenarioResult) else result["file"]
            if not failures:
                continue
            failed += 1
            if fmt == "json":
                what = "expectation failed" if isinstance(result, ScenarioResult) else "not played"
                for failure in failures:
                    click.echo(f"{what}: {failure}", err=True)
            else:
                click.echo(f"{file}: {len(failures)} problem(s)", err=True)
        if failed:
            raise click.exceptions.Exit(1)


def _files(paths: tuple[Path, ...]) -> list[Path]:
    """The scenario files to play: each file as given, each folder's scenarios (sorted,
    sub-folders included, as ``check`` reads folders).

    Raises:
        click.UsageError: a folder without a scenario in it (exit 2).
    """
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = scenario_files(path)
        if not found:
            raise click.UsageError(
                f"{path} holds no scenario (no .yaml file with kind: scenario); "
                "name scenario files, or a folder of them"
            )
        files += found
    return files


def _play(path: Path, engine: Engine) -> ScenarioResult | dict[str, Any]:
    """One scenario's result; a scenario that cannot be read or played gives a record of
    its problems instead (the other scenarios still run)."""
    try:
        return run_scenario(load_scenario(path, engine=engine), engine)
    except DefinitionError as err:
        errors = [format_issue(issue) for issue in err.issues]
    except ApprovalRulesError as err:
        errors = [f"{path}: {err} [{getattr(err, 'code', type(err).__name__)}]"]
    return {"file": str(path), "ok": False, "failures": errors}


def _error_report(result: dict[str, Any]) -> str:
    lines = [f"{result['file']}: not played"]
    lines += [f"  ERROR {error}" for error in result["failures"]]
    return "\n".join(lines)
