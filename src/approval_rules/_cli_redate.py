"""``approval-rules store redate``: re-date a store's open cases (and the later check of
a closed case decided on commitment) when the official calendar data for a year arrive
(issue #10); added to the ``store`` group by ``cli.py``.

Exit codes: 0 success, 1 bad input or a store that cannot be used (the message on
stderr, never a traceback), 2 bad command-line usage.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from ._cli_options import build_calendar, calendar_options, catalogue_option
from .engine import Engine
from .loader import load_catalogue
from .store import open_store

__all__ = ["register"]


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date and time (e.g. 2027-01-05T09:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return moment


def register(group: click.Group) -> None:
    """Add ``redate`` to ``group``'s ``store`` command group."""
    store = group.commands["store"]
    assert isinstance(store, click.Group)

    @store.command("redate")
    @click.argument("url")
    @click.option("--at", "at", required=True, help="When (ISO; Asia/Shanghai if no zone).")
    @calendar_options
    @catalogue_option("Catalogue the cases run on.")
    def redate(
        url: str, at: str, overlays: tuple[Path, ...], provisional: bool, catalogue_dir: Path
    ) -> None:
        """Compute every open case's due dates again on the calendar chosen here (and
        the later check's of a closed case decided on commitment, 告知承诺制) (the
        official data for a year arrived: --overlay with the State Council's notice, or
        a newer calendar package), record a ``redate`` event where a date moved or
        stopped being provisional, and print the summary as JSON.  Running it again
        changes nothing.

        \b
        Example:
          approval-rules store redate sqlite:///cases.db --at 2026-12-20T09:00 \\
              --provisional --overlay notice_2027.yaml
        """
        moment = _moment(at)
        calendar = build_calendar(overlays, provisional)
        engine = Engine(load_catalogue(catalogue_dir), calendar)
        with open_store(url, engine=engine) as opened:
            # open cases, and ended ones whose later check (告知承诺制) still waits
            ids = {s.id for s in opened.open_cases()} | {s.id for s in opened.checks_waiting()}
            cases = [opened.load(cid) for cid in sorted(ids)]
            result = engine.redate_all(cases, calendar, at=moment)
            for before, after in zip(cases, result.cases, strict=True):
                if after is not before:
                    opened.save(after, expected_version=before.version)
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
