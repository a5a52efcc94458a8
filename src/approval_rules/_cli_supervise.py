"""``approval-rules supervise`` and ``approval-rules report``: alerts and indicators.

:func:`register` adds both commands to the ``approval-rules`` group (``cli.py``).  The
work is done by :mod:`approval_rules.supervision`; this module parses options, reads
the cases and prints.  Long runs show their progress on standard error when it is a
terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import TypeVar

import click

from ._cli_options import build_calendar, calendar_options
from .engine import Engine
from .errors import CaseDataError
from .loader import Catalogue, load_catalogue
from .store import open_store
from .supervision import RuleSet, Supervisor, load_supervision
from .supervision.html import alerts_html, report_html
from .supervision.publish import build_report
from .supervision.render import Names, alerts_json, alerts_text, report_json, report_text
from .supervision.ruleset import is_supervision_text
from .supervision.sources import case_files, read_cases
from .supervision.supervisor import SHANGHAI
from .supervision.sweep import alarm_rows, sweep

__all__ = ["register"]

T = TypeVar("T")

_SOURCE_HELP = "SOURCE is a folder of case files (Case.to_json(), *.json)."
_STORE_HELP = "SOURCE is a case store URL (sqlite:///cases.db, postgresql://…)."
_catalogue = click.option(
    "--catalogue",
    "catalogue_path",
    default="matters/",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The catalogue the cases run on.",
)
_rules = click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The supervision rules (kind: supervision); default: the one in the catalogue.",
)
_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="text (Chinese, for supervisors), json, or html (one self-contained page).",
)
_out = click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)


def _moment(text: str) -> datetime:
    """``2025-10-31`` (the end of that day) or ``2025-10-31T09:00`` (Beijing time unless an
    offset is given)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59), tzinfo=SHANGHAI)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date or a moment; write 2025-10-31 or 2025-10-31T09:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date; write 2025-10-31") from None


def _load(catalogue_path: Path, rules_path: Path | None) -> tuple[Catalogue, RuleSet]:
    catalogue = load_catalogue(catalogue_path)
    if rules_path is None:
        found = [f for f in catalogue.files if _is_supervision(Path(f))]
        if len(found) != 1:
            where = "none" if not found else ", ".join(found)
            raise click.UsageError(
                f"give the supervision rules with --rules (the catalogue holds {where})"
            )
        rules_path = Path(found[0])
    return catalogue, load_supervision(rules_path, catalogue=catalogue)


def _is_supervision(path: Path) -> bool:
    try:
        return is_supervision_text(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False


def _progress(items: Iterable[T], total: int, what: str) -> Iterator[T]:
    """Count items on standard error while they are read, when it is a terminal."""
    stream = sys.stderr
    if not stream.isatty() or total < 1000:
        yield from items
        return
    n = 0
    for n, item in enumerate(items, 1):
        if n % 1000 == 0:
            stream.write(f"\r{what} {n:,}/{total:,}")
            stream.flush()
        yield item
    stream.write(f"\r{what} {n:,}/{total:,}\n")


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


def _cases(source: str) -> tuple[list[Path], int]:
    if "://" in source:
        raise CaseDataError(
            f"{source}: reading cases from a store URL needs the case store; give a folder "
            "of case files"
        )
    files = case_files(Path(source))
    return files, len(files)


@click.command("supervise")
@click.argument("source")
@click.option("--at", "at_text", required=True, help="The moment: 2025-10-31 (its end) or "
              "2025-10-31T09:00 (Beijing time).")  # fmt: skip
@click.option(
    "--record",
    is_flag=True,
    help="SOURCE is a case store: record each new alert on its case (once), reading only "
    "the cases whose alarms are due, and print what was recorded.",
)
@click.option(
    "--intents",
    "intents_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --record: write the notifications to send (one JSON object a line: case_id, "
    "alert, recipient, template) to this file, for the outbox.",
)
@_catalogue
@_rules
@_format
@_out
@calendar_options
def supervise_command(
    source: str,
    at_text: str,
    record: bool,
    intents_path: Path | None,
    catalogue_path: Path,
    rules_path: Path | None,
    fmt: str,
    output: Path | None,
    overlays: tuple[Path, ...],
    provisional: bool,
) -> None:
    """The alerts in force at a moment: warnings, red cards and anomalies.

    SOURCE is a folder of case files (Case.to_json(), *.json) or a case store URL
    (sqlite:///cases.db, postgresql://…).  With --record (a store only), the sweep:
    each alert new at the moment is recorded on its case as a record_alert event, and
    only those are printed; a second sweep at the same moment records nothing.

    \b
    Example:
      approval-rules supervise cases/ --at 2025-10-31T09:00 --format html -o alerts.html
      approval-rules supervise sqlite:///cases.db --at 2025-10-31T09:00 --record
    """
    at = _moment(at_text)
    if intents_path is not None and not record:
        raise click.UsageError("--intents goes with --record (the notifications of a sweep)")
    catalogue, rules = _load(catalogue_path, rules_path)
    calendar = build_calendar(overlays, provisional)
    watch = Supervisor(rules, catalogue, calendar)
    if "://" in source:
        with open_store(source, engine=Engine(catalogue, calendar),
                        alarms=alarm_rows(watch)) as store:  # fmt: skip
            if record:
                swept = sweep(store, at, watch)
                alerts = list(swept.alerts)
                click.echo(
                    f"已巡检 {swept.cases} 件办件，记录新预警 {len(alerts)} 条，"
                    f"待发通知 {len(swept.intents)} 条",
                    err=True,
                )
                for case_id, why in swept.skipped:
                    click.echo(f"未记录 {case_id}：{why}", err=True)
                if intents_path is not None:
                    intents_path.write_text(
                        "".join(
                            json.dumps(i.to_dict(), ensure_ascii=False) + "\n"
                            for i in swept.intents
                        ),
                        encoding="utf-8",
                    )
            else:
                summaries = store.open_cases()
                cases = (store.load(s.id) for s in summaries)
                alerts = watch.supervise(_progress(cases, len(summaries), "已检查办件"), at)
    elif record:
        raise click.UsageError("--record records alerts in a case store: give a store URL")
    else:
        files, total = _cases(source)
        alerts = watch.supervise(_progress(read_cases(files), total, "已检查办件"), at)
    names = Names(catalogue, rules.document)
    if fmt == "json":
        text = alerts_json(alerts, at, rules.document)
    elif fmt == "html":
        text = alerts_html(alerts, at.strftime("%Y-%m-%d %H:%M"), names)
    else:
        text = alerts_text(alerts, at, names)
    _emit(text, output)


@click.command("report")
@click.argument("source")
@click.option(
    "--from", "start_text", required=True, help="First day of the period, e.g. 2025-10-01."
)
@click.option("--to", "end_text", required=True, help="Last day of the period, e.g. 2025-10-31.")
@click.option(
    "--by",
    type=click.Choice(["department", "matter", "person", "month", "all"]),
    default="department",
    show_default=True,
    help="How cases are grouped.",
)
@_catalogue
@_rules
@_format
@_out
@calendar_options
def report_command(
    source: str,
    start_text: str,
    end_text: str,
    by: str,
    catalogue_path: Path,
    rules_path: Path | None,
    fmt: str,
    output: Path | None,
    overlays: tuple[Path, ...],
    provisional: bool,
) -> None:
    """Performance indicators over a period, with the alerts in force at its end.

    SOURCE is a folder of case files (Case.to_json(), *.json).  Counts and rates of
    cases concluded in the period (提前, 按时, 延期, 超期), open and overdue cases at its
    end, working days used, the bottleneck step and the applicants' ratings.

    \b
    Example:
      approval-rules report cases/ --from 2025-10-01 --to 2025-10-31 --by department
    """
    start, end = _day(start_text), _day(end_text)
    if end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}")
    catalogue, rules = _load(catalogue_path, rules_path)
    watch = Supervisor(rules, catalogue, build_calendar(overlays, provisional))
    files, total = _cases(source)
    view = build_report(
        _progress(read_cases(files), total, "已统计办件"),
        supervisor=watch, start=start, end=end, by=by,
    )  # fmt: skip
    names = Names(catalogue, rules.document)
    if fmt == "json":
        text = report_json(view, rules.document)
    elif fmt == "html":
        text = report_html(view, names)
    else:
        text = report_text(view, names)
    _emit(text, output)


def register(group: click.Group) -> None:
    """Add the ``supervise`` and ``report`` commands to ``group``."""
    group.add_command(supervise_command)
    group.add_command(report_command)
