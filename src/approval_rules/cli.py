"""The ``approval-rules`` command: parse options → public API → print → exit code.

Exit codes: 0 success (warnings allowed unless ``--strict``), 1 the input has errors
(any :class:`~.errors.ApprovalRulesError`), 2 bad command-line usage.  A user's
mistake never shows a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from .errors import ApprovalRulesError, DefinitionError, Issue, format_issue
from .loader import load_catalogue
from .schema import all_schema_names, schema_text

__all__ = ["main"]


class _Group(click.Group):
    """Turns library errors into a message and exit 1, in one place."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DefinitionError as err:
            for issue in err.issues:
                click.echo(format_issue(issue), err=True)
            errors = sum(1 for i in err.issues if i.is_error)
            click.echo(f"{errors} error(s), {len(err.issues) - errors} warning(s)", err=True)
            ctx.exit(1)
        except ApprovalRulesError as err:
            click.echo(f"error: {err}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="approval_rules", prog_name="approval-rules")
def main() -> None:
    """Check approval matters written in YAML, compute deadlines, run cases.

    \b
    Examples:
      approval-rules check matters/
      approval-rules deadline 2026-02-13 20 --explain
      approval-rules graph construction_permit --catalogue matters/ --format text
      approval-rules guide matters/ --out site/
      approval-rules store check sqlite:///cases.db
      approval-rules supervise cases/ --at 2025-10-31T09:00
      approval-rules report cases/ --from 2025-10-01 --to 2025-10-31 --by department
    """


def _print_issues(issues: Sequence[Issue], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([i.to_dict() for i in issues], ensure_ascii=False, indent=2))
    else:
        for issue in issues:
            click.echo(format_issue(issue))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: file:line:col lines; json: an array of issue objects.",
)
def check(paths: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Check a catalogue: folders and files, read together; print every problem found.

    Supervision rules (kind: supervision) among the files are checked against the
    catalogue too.

    Several paths make one catalogue (a file given twice is read once).  Problems are
    the result of this command: they go to standard output, the ones to fix first
    first (docs/cli.md).

    \b
    Example:
      approval-rules check matters/
    """
    from .compiler import check_catalogue, root_causes_first
    from .supervision.ruleset import check_supervision_files

    summary: dict[str, int] = {}
    try:
        catalogue = load_catalogue(paths, partial=True)
    except DefinitionError as err:  # nothing under the paths could be read as a catalogue
        issues = list(err.issues)
    else:
        issues = [*catalogue.issues, *check_catalogue(catalogue)]
        issues += check_supervision_files(catalogue.files, catalogue)
        summary = catalogue.summary()
    issues = root_causes_first(issues)
    _print_issues(issues, fmt)
    errors = sum(1 for i in issues if i.is_error)
    warnings = len(issues) - errors
    if fmt == "text":
        read = ", ".join(f"{n} {k}" for k, n in summary.items()) or "nothing usable"
        click.echo(f"read {read}; {errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        sys.exit(1)


@main.command()
@click.option(
    "--write",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every schema into this folder instead of printing one.",
)
@click.argument("name", required=False, type=click.Choice(all_schema_names()))
def schema(out_dir: Path | None, name: str | None) -> None:
    """Print a published JSON Schema, or write them all with --write schemas/."""
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for each in all_schema_names():
            (out_dir / each).write_text(schema_text(each), encoding="utf-8")
            click.echo(f"wrote {out_dir / each}")
        return
    if name is None:
        raise click.UsageError("name a schema, or use --write DIR")
    click.echo(schema_text(name), nl=False)


def _register_commands() -> None:
    # Commands that live in their own modules, each adding itself to the group.
    from . import _cli_calendar, _cli_graph, _cli_guide, _cli_run, _cli_store, _cli_supervise

    for module in (_cli_calendar, _cli_graph, _cli_guide, _cli_run, _cli_store, _cli_supervise):
        module.register(main)
    from . import _cli_redate  # adds to the store group

    _cli_redate.register(main)


_register_commands()

if __name__ == "__main__":
    main()
