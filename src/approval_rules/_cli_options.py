"""Command-line options shared by every ``approval-rules`` command that chooses a calendar.

One place for ``--overlay`` and ``--provisional`` (and the calendar they build), so that
``deadline``, ``calendar``, ``run`` and later commands spell and mean them alike::

    @click.command()
    @calendar_options
    def command(overlays: tuple[Path, ...], provisional: bool) -> None:
        calendar = build_calendar(overlays, provisional)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import DefinitionError, format_issue
from .workdays import WorkCalendar, parse_overlay

__all__ = ["PROVISIONAL_HELP", "build_calendar", "calendar_options", "catalogue_option"]

F = TypeVar("F", bound=Callable[..., Any])

PROVISIONAL_HELP = (
    "For years without a State Council notice, count the holiday law's days off "
    "(statutory days and 补假) instead of refusing; results are marked provisional, "
    "with the earliest and latest dates the notice could give."
)

_overlay = click.option(
    "--overlay",
    "overlays",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Calendar overlay YAML (regional days off, closures, a new year's notice); repeatable.",
)
_provisional = click.option("--provisional", is_flag=True, help=PROVISIONAL_HELP)


def catalogue_option(help_text: str) -> Callable[[F], F]:
    """``--catalogue DIR`` (default ``matters``); the command receives ``catalogue_dir``."""
    return click.option(
        "--catalogue",
        "catalogue_dir",
        type=click.Path(path_type=Path),
        default=Path("matters"),
        show_default=True,
        help=help_text,
    )


def calendar_options(command: F) -> F:
    """Add ``--overlay`` (repeatable) and ``--provisional``; the command receives
    ``overlays`` and ``provisional``."""
    return _overlay(_provisional(command))


def build_calendar(overlays: Sequence[Path], provisional: bool) -> WorkCalendar:
    """The national calendar (strict, or provisional) with the overlays applied in order.

    An overlay's warnings are printed on stderr; its errors raise
    :class:`~approval_rules.errors.DefinitionError` (the command group prints them).
    """
    calendar = WorkCalendar.china(provisional=provisional)
    for path in overlays:
        overlay, issues = parse_overlay(path)
        if overlay is None:
            raise DefinitionError(issues)
        for issue in issues:
            click.echo(format_issue(issue), err=True)
        calendar = calendar.with_overlay(overlay)
    return calendar
