"""``approval-rules guide``: publish a catalogue's service guides (办事指南) as a static site.

:func:`register` adds the command to the ``approval-rules`` group (``cli.py``).  The
pages are made by :mod:`approval_rules.publication`; this module only parses options
and reports.  A missing Graphviz or a broken template is a
:class:`~approval_rules.publication.PublicationError`: one message, exit 1, nothing
written.
"""

from __future__ import annotations

from pathlib import Path

import click

from .loader import load_catalogue

__all__ = ["register"]


@click.command("guide")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site into (created when missing; other files are kept).",
)
@click.option(
    "--templates",
    "templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of templates that replace the bundled ones of the same name "
    "(docs/publication.md).",
)
def guide_command(path: Path, out_dir: Path, templates: Path | None) -> None:
    """Write the service guide of every matter, and an index by department, as HTML.

    The flow charts are drawn with Graphviz (the `dot` program), which must be
    installed.

    \b
    Example:
      approval-rules guide matters/ --out site/
    """
    from .publication import write_site  # Jinja2 is loaded only by this command

    site = write_site(load_catalogue(path), out_dir, templates=templates)
    click.echo(f"已生成{len(site.guides)}个事项的办事指南，写入 {out_dir}（目录 index.html）：")
    for guide in site.guides:
        line = f"  {guide.id}.html  {guide.name.text}"
        if guide.examples:
            line += f"（含示例值：{'、'.join(guide.examples)}）"
        click.echo(line)


def register(group: click.Group) -> None:
    """Add the ``guide`` command to ``group``."""
    group.add_command(guide_command)
