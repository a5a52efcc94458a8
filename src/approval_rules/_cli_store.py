"""The ``store`` commands of ``approval-rules``: check, export and import a case store.

Exit codes: 0 success, 1 a broken record or bad input (the message on stderr, never a
traceback), 2 bad command-line usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import click

from .engine import Engine
from .loader import load_catalogue
from .signing import load_keys
from .store import open_store
from .workdays import WorkCalendar

__all__ = ["register"]


def register(group: click.Group) -> None:
    """Add the ``store`` command group to ``group``."""

    @group.group("store")
    def store() -> None:
        """Check, export and import a case store (SQLite or PostgreSQL).

        \b
        Examples:
          approval-rules store check sqlite:///cases.db
          approval-rules store export sqlite:///cases.db > cases.jsonl
          approval-rules store import postgresql://app@db/cases cases.jsonl
        """

    @store.command("check")
    @click.argument("url")
    @click.option(
        "--keys",
        "keys_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="People's public keys (kind: keys): verify every signature, and that every "
        "event of a signed step is signed.",
    )
    @click.option(
        "--catalogue",
        type=click.Path(exists=True, path_type=Path),
        help="The matters' folder: replay every case and check that each actor was "
        "allowed to act then.",
    )
    def check(url: str, keys_file: Path | None, catalogue: Path | None) -> None:
        """Verify every stored record: hash chain, sequence, head, definitions.

        Lists each broken case with its first bad event; exit 1 if any. With --keys,
        also every signature; with --catalogue, also who acted.

        URL: sqlite:///path/cases.db or postgresql://user@host/dbname
        """
        keys = load_keys(keys_file) if keys_file is not None else None
        engine = None
        if catalogue is not None:
            engine = Engine(load_catalogue(catalogue), WorkCalendar.china())
        with open_store(url, engine=engine) as opened:
            report = opened.check(keys=keys, authorised=engine is not None)
        for broken in report.broken:
            click.echo(f"{broken.case_id}: event {broken.seq}: [{broken.code}] {broken.message}")
        click.echo(f"checked {report.cases} case(s): {len(report.broken)} broken")
        if report.broken:
            raise click.exceptions.Exit(1)

    @store.command("export")
    @click.argument("url")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["jsonl"]),
        default="jsonl",
        show_default=True,
        help="JSON lines: definitions, absences, then one line per case with its events.",
    )
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file instead of standard output.",
    )
    def export(url: str, fmt: str, output: Path | None) -> None:
        """Write a whole store as JSON lines, to import into another store.

        URL: sqlite:///path/cases.db or postgresql://user@host/dbname
        """
        with open_store(url) as opened:
            if output is None:
                count = opened.export(sys.stdout)
            else:
                with output.open("w", encoding="utf-8", newline="\n") as out:
                    count = opened.export(out)
        click.echo(f"exported {count} case(s)", err=True)

    @store.command("import")
    @click.argument("url")
    @click.argument("file", type=click.File("r", encoding="utf-8"))
    @click.option(
        "--catalogue",
        "catalogue_dir",
        type=click.Path(path_type=Path),
        default=Path("matters"),
        show_default=True,
        help="Catalogue the cases run on (who signs each step, for the inbox).",
    )
    def import_(url: str, file: TextIO, catalogue_dir: Path) -> None:
        """Read an export (FILE, or - for standard input) into a store, all or nothing.

        Every case is verified and folded as it is read; a case the store already holds
        identically is left as it is.

        URL: sqlite:///path/cases.db or postgresql://user@host/dbname
        """
        engine = Engine(load_catalogue(catalogue_dir), WorkCalendar.china())
        with open_store(url, engine=engine) as opened:
            count = opened.import_records(file)
        click.echo(f"imported {count} case(s) into {opened.url}")
