"""``approval-rules graph``: draw or list a matter's compiled process.

:func:`register` adds the command to the ``approval-rules`` group (``cli.py``).
The drawing itself is done by :mod:`.render`; this module only parses options.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from ._cli_options import catalogue_option
from .compiler import compile_matter
from .loader import Catalogue, load_catalogue
from .render import FORMATS, render

__all__ = ["register"]


def _unknown_matter(matter_id: str, catalogue: Catalogue, where: Path) -> click.ClickException:
    """An exit-1 message for a matter id the catalogue does not have, with a suggestion."""
    by_name = [m.id for m in catalogue.matters.values() if m.name == matter_id]
    close = by_name or difflib.get_close_matches(matter_id, list(catalogue.matters), n=3)
    message = f"no matter {matter_id!r} in the catalogue at {where}"
    if close:
        message += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    elif catalogue.matters:
        message += "; its matters are: " + ", ".join(sorted(catalogue.matters))
    return click.ClickException(message)


@click.command("graph")
@click.argument("matter_id")
@catalogue_option("Catalogue folder (or file) the matter is in.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="text: a listing for the terminal; mermaid or dot: a drawing; "
    "json: the stable export (docs/graph-json.md).",
)
def graph_command(matter_id: str, catalogue_dir: Path, fmt: str) -> None:
    """Show a matter's process: steps, signers, limits, critical path.

    \b
    Examples:
      approval-rules graph construction_permit
      approval-rules graph construction_permit --format mermaid > permit.mmd
      approval-rules graph construction_permit --format dot | dot -Tsvg > permit.svg
    """
    catalogue = load_catalogue(catalogue_dir)
    matter = catalogue.matters.get(matter_id)
    if matter is None:
        raise _unknown_matter(matter_id, catalogue, catalogue_dir)
    click.echo(render(compile_matter(matter, catalogue), fmt), nl=False)


def register(group: click.Group) -> None:
    """Add the ``graph`` command to ``group``."""
    group.add_command(graph_command)
