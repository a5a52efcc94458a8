"""The ``store`` commands of ``approval-rules``: check, export, import, advance a store
and dispatch its outbox.

Exit codes: 0 success, 1 a broken record or bad input (the message on stderr, never a
traceback), 2 bad command-line usage.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import click

from ._cli_options import build_calendar, calendar_options, catalogue_option
from .engine import Engine
from .loader import load_catalogue
from .signing import load_keys
from .store import open_store
from .workdays import WorkCalendar

__all__ = ["register"]

_SHANGHAI = ZoneInfo("Asia/Shanghai")


def register(group: click.Group) -> None:
    """Add the ``store`` command group to ``group``."""

    @group.group("store")
    def store() -> None:
        """Check, export, import and advance a case store (SQLite or PostgreSQL).

        \b
        Examples:
          approval-rules store check sqlite:///cases.db
          approval-rules store export sqlite:///cases.db > cases.jsonl
          approval-rules store import postgresql://app@db/cases cases.jsonl
          approval-rules store dispatch sqlite:///cases.db --file sms.jsonl --at 2025-10-09T15:00
          approval-rules store advance sqlite:///cases.db --at 2025-10-31T00:00
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
    @catalogue_option("Catalogue the cases run on (who signs each step, for the inbox).")
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

    _register_timed(store)


def _register_timed(store: click.Group) -> None:
    """The commands that act on a store at a moment: dispatch the outbox, advance timers."""

    @store.command("dispatch")
    @click.argument("url")
    @click.option(
        "--file",
        "sms_file",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The file gateway's JSON-lines file (one line per message sent).",
    )
    @click.option(
        "--at",
        "at_text",
        required=True,
        help="The moment, ISO 8601 (local time Asia/Shanghai unless an offset is given).",
    )
    @click.option(
        "--max-attempts", default=5, show_default=True, type=click.IntRange(min=1),
        help="Attempts before a message is marked failed.",
    )  # fmt: skip
    def dispatch_(url: str, sms_file: Path, at_text: str, max_attempts: int) -> None:
        """Send the outbox's messages due at a moment through the file gateway.

        Each message is sent once (claimed, sent, recorded); a failure is retried at a
        later run, after a growing pause, until --max-attempts.  Exit 1 if one failed
        for good in this run.

        URL: sqlite:///path/cases.db or postgresql://user@host/dbname
        """
        from .notify import FileGateway, dispatch

        at = _moment(at_text)
        with open_store(url) as opened:
            report = dispatch(opened, FileGateway(sms_file), at, max_attempts=max_attempts)
            counts = opened.outbox.counts()
        for key in report.failed:
            click.echo(f"failed for good: {key}", err=True)
        click.echo(
            f"sent {len(report.sent)}, to retry {len(report.retried)}, failed "
            f"{len(report.failed)}; outbox: {counts['pending']} pending, {counts['sent']} "
            f"sent, {counts['failed']} failed"
        )
        if report.failed:
            raise click.exceptions.Exit(1)

    @store.command("advance")
    @click.argument("url")
    @click.option(
        "--at",
        "at_text",
        required=True,
        help="The moment: 2025-10-31T00:00 (Beijing time unless an offset is given), or "
        "2025-10-31 (the end of that day).",
    )
    @catalogue_option("Catalogue the cases run on.")
    @calendar_options
    def advance(
        url: str, at_text: str, catalogue_dir: Path, overlays: tuple[Path, ...], provisional: bool
    ) -> None:
        """Record what fell due by a moment in every case (deemed acceptance, deemed
        agreement, termination) and save them; lists the cases that changed.

        Idempotent: run it from a scheduler, on several machines if you like.

        URL: sqlite:///path/cases.db or postgresql://user@host/dbname
        """
        at = _moment(at_text)
        engine = Engine(load_catalogue(catalogue_dir), build_calendar(overlays, provisional))
        with open_store(url, engine=engine) as opened:
            changed = opened.advance_due(at)
        for case_id in changed:
            click.echo(case_id)
        click.echo(f"advanced {len(changed)} case(s) to {at.isoformat()}", err=True)


def _moment(text: str) -> datetime:
    """``2025-10-31`` (the end of that day) or ``2025-10-31T09:00`` (Beijing time unless an
    offset is given)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59), tzinfo=_SHANGHAI)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date or a moment; write 2025-10-31 or 2025-10-31T09:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_SHANGHAI)
