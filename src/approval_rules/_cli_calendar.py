"""The ``deadline`` and ``calendar`` commands of ``approval-rules`` (wired in by ``cli.py``).

Each command parses its options, calls :mod:`approval_rules.workdays` /
:mod:`approval_rules.timelimits` and prints.  Exit codes: 0 success, 1 the input has
errors (an :class:`~approval_rules.errors.ApprovalRulesError`, message on stderr),
2 bad command-line usage.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import click

from ._cli_options import build_calendar, calendar_options
from .timelimits import ClockStop, Due, due_bounds, explain_deadline
from .workdays import DayInfo, Layer, YearReport

__all__ = ["register"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date written YYYY-MM-DD (e.g. 2026-02-13)", param_hint=what
        ) from None


def _date_argument(ctx: click.Context, param: click.Parameter, value: str) -> date:
    return _parse_date(value, param.human_readable_name)


def _parse_stop(text: str, kind: str) -> ClockStop:
    first, sep, last = text.partition("..")
    if not sep:
        raise click.BadParameter(
            f"{text!r} must be FROM..TO, e.g. 2025-03-10..2025-03-21", param_hint="--stop"
        )
    start, end = _parse_date(first, "--stop"), _parse_date(last, "--stop")
    if end < start:
        raise click.BadParameter(f"{text!r} ends before it starts", param_hint="--stop")
    return ClockStop(kind=kind, start=start, end=end)


def _day(d: date) -> str:
    return f"{d.isoformat()} {_WEEKDAYS[d.weekday()]}"


def _info_json(info: DayInfo) -> dict[str, Any]:
    return {
        "date": info.date.isoformat(),
        "is_workday": info.is_workday,
        "kind": info.kind.value,
        "name": info.name,
        "source": info.source,
        "provisional": info.provisional,
        "layer": info.layer.value if info.layer else None,
        "certain": info.certain,
    }


_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)


class _Deadline(click.Command):
    """``deadline D -5``: a negative N is refused as such, not as an unknown option '-5'."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        valued = {o for p in self.params if isinstance(p, click.Option) and not p.is_flag
                  for o in p.opts}  # fmt: skip
        for before, arg in zip(["", *args], args, strict=False):
            if arg[:1] == "-" and arg[1:].isdigit() and before not in valued:
                raise click.BadParameter(
                    f"{arg} is negative; N counts working days from START, 0 or more",
                    ctx=ctx, param_hint="N",
                )  # fmt: skip
        return super().parse_args(ctx, args)


@click.command(cls=_Deadline)
@click.argument("start", metavar="START", callback=_date_argument)
@click.argument("working_days", metavar="N", type=click.IntRange(min=0))
@click.option(
    "--stop",
    "stops",
    multiple=True,
    metavar="FROM..TO",
    help="Clock stop (Art. 45: hearing, testing …), both days included; repeatable, in order.",
)
@click.option(
    "--stop-kind",
    "stop_kinds",
    multiple=True,
    metavar="KIND",
    help="Kind of each --stop (one for all, or one per stop). Default: special_procedure.",
)
@click.option(
    "--extend",
    "extension",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Working days added by the one extension (Art. 42: 10, joint handling 15).",
)
@click.option(
    "--calendar",
    "calendar_name",
    type=click.Choice(["cn"]),
    default="cn",
    show_default=True,
    help="Base calendar: cn = official national calendar.",
)
@calendar_options
@click.option("--explain", is_flag=True, help="List each day counted or skipped, with the reason.")
@_FORMAT_OPTION
def deadline(
    start: date,
    working_days: int,
    stops: tuple[str, ...],
    stop_kinds: tuple[str, ...],
    extension: int,
    calendar_name: str,
    overlays: tuple[Path, ...],
    provisional: bool,
    explain: bool,
    fmt: str,
) -> None:
    """Print the last day of a period of N working days from START (start day not counted).

    \b
    Examples:
      approval-rules deadline 2026-02-13 20            # -> 2026-03-19
      approval-rules deadline 2025-03-03 20 --stop 2025-03-10..2025-03-21 --stop-kind hearing
      approval-rules deadline 2025-09-26 20 --extend 10 --explain
      approval-rules deadline 2026-12-04 20 --provisional   # -> 2027-01-04 (元旦 off)

    With --provisional, a period reaching a year without a State Council notice
    follows the holiday law and is flagged: stderr (JSON: earliest, latest) gives
    the earliest and latest dates the notice could still produce.
    """
    if not stop_kinds:
        kinds = ["special_procedure"] * len(stops)
    elif len(stop_kinds) == 1:
        kinds = list(stop_kinds) * len(stops)
    elif len(stop_kinds) == len(stops):
        kinds = list(stop_kinds)
    else:
        raise click.UsageError(
            f"give one --stop-kind for all stops or one per --stop "
            f"({len(stop_kinds)} kinds for {len(stops)} stops)"
        )
    clock_stops = [_parse_stop(text, kind) for text, kind in zip(stops, kinds, strict=True)]
    calendar = build_calendar(overlays, provisional)
    bounded = due_bounds(calendar, start, working_days, stops=clock_stops, extension=extension)
    due, flagged = bounded.best, bounded.provisional
    if fmt == "json":
        result: dict[str, Any] = {
            "start": start.isoformat(),
            "working_days": working_days,
            "extension": extension,
            "stops": [
                {"kind": s.kind, "start": s.start.isoformat(), "end": s.end.isoformat()}
                for s in clock_stops
            ],
            **bounded.to_dict(),
            "calendar": calendar.name,
            "fingerprint": calendar.fingerprint,
        }
        if explain:
            days = explain_deadline(
                calendar, start, working_days, stops=clock_stops, extension=extension
            )
            result["days"] = [
                {
                    "date": d.date.isoformat(),
                    "counted": d.counted,
                    "number": d.number,
                    "reason": d.reason,
                    "name": d.name,
                    "provisional": d.provisional,
                }
                for d in days
            ]
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if explain:
        days = explain_deadline(
            calendar, start, working_days, stops=clock_stops, extension=extension
        )
        for item in days:
            click.echo(f"{_day(item.date)}  {item.text}")
        click.echo(f"due: {due.isoformat()}")
    else:
        click.echo(due.isoformat())
    if flagged:
        click.echo(_provisional_warning(bounded), err=True)


def _provisional_warning(bounded: Due) -> str:
    span = (
        f"the notice cannot move it (earliest = latest = {bounded.best.isoformat()})"
        if bounded.exact
        else f"the notice may still move it between {bounded.earliest.isoformat()} (earliest: "
        f"the office plans against it) and {bounded.latest.isoformat()} (latest: an "
        "applicant's window ends there)"
    )
    return (
        "warning: provisional: the period reaches a year without a State Council notice; "
        f"it counts the holiday law's days off (statutory days and 补假); {span}"
    )


@click.command(name="calendar")
@click.argument("year", type=click.IntRange(min=1, max=9999))
@calendar_options
@_FORMAT_OPTION
def calendar_command(year: int, overlays: tuple[Path, ...], provisional: bool, fmt: str) -> None:
    """List YEAR's days off (holidays, overlay days, closures) and make-up workdays.

    With --provisional, a year without a State Council notice is listed from the
    holiday law: each day with the rule it comes from (statutory day, 补假, probable
    extra day off) and whether it is certain.

    \b
    Examples:
      approval-rules calendar 2026
      approval-rules calendar 2027 --provisional
    """
    calendar = build_calendar(overlays, provisional)
    report = calendar.year_report(year)
    bounds = (calendar.earliest.year_report(year), calendar.latest.year_report(year))
    if fmt == "json":
        data = {
            "year": year,
            "workdays": report.workdays,
            "non_working_days": report.non_working_days,
            "provisional": report.provisional,
            "calendar": calendar.name,
            "fingerprint": report.fingerprint,
            "days_off": [_info_json(i) for i in report.days_off],
            "makeup_workdays": [_info_json(i) for i in report.makeup_workdays],
            "projected": [_info_json(i) for i in report.projected],
            "candidates": [_info_json(i) for i in report.candidates],
            "workdays_earliest": bounds[0].workdays,
            "workdays_latest": bounds[1].workdays,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{year}: {report.workdays} working days, {report.non_working_days} days off "
        f"(calendar {calendar.name}, {report.fingerprint})"
    )
    if report.provisional:
        _echo_provisional(report, bounds[0].workdays, bounds[1].workdays)
        return
    _echo_days("days off (besides ordinary weekends):", report.days_off)
    _echo_days("make-up workdays:", report.makeup_workdays)


_RULES = {
    Layer.STATUTORY: "statutory day (Art. 2)",
    Layer.IN_LIEU: "补假 for a statutory day on a weekend (Art. 6)",
}


def _echo_days(title: str, days: Iterable[DayInfo]) -> None:
    click.echo(title)
    listed = False
    for info in days:
        listed = True
        click.echo(f"  {_day(info.date)}  {info.reason}")
    if not listed:
        click.echo("  none")


def _echo_provisional(report: YearReport, earliest: int, latest: int) -> None:
    """A provisional year, layer by layer: what is certain, what is probable, what is open."""
    click.echo(
        f"provisional: no State Council notice for {report.year} yet; the days below follow "
        "the holiday law (全国年节及纪念日放假办法, 2025 revision)"
    )
    click.echo("days off (besides ordinary weekends):")
    for info in report.days_off:
        rule = _RULES.get(info.layer) if info.layer else None
        what = f"{info.name}  {rule}" if rule else info.reason
        click.echo(f"  {_day(info.date)}  {what}  [{'certain' if info.certain else 'overlay'}]")
    if not report.days_off:
        click.echo("  none")
    click.echo(
        "probably off as well (the State Council's swap principles; not certain, counted "
        "off only in the latest bound):"
    )
    for info in report.projected:
        click.echo(f"  {_day(info.date)}  {info.name}  [projected]")
    if not report.projected:
        click.echo("  none")
    if report.makeup_workdays:
        _echo_days("make-up workdays (from overlays):", report.makeup_workdays)
    click.echo(
        f"make-up workdays of the notice: unknown until it appears ({len(report.projected)} "
        "expected, one per probable day off); candidates, counted worked only in the "
        "earliest bound:"
    )
    by_block: dict[str, list[str]] = {}
    for info in report.candidates:
        by_block.setdefault(info.name or "", []).append(info.date.strftime("%m-%d"))
    for name, days in by_block.items():
        click.echo(f"  {name}: {', '.join(days)}")
    if not by_block:
        click.echo("  none")
    click.echo(
        f"working days: {report.workdays} by the law; between {latest} (latest bound) and "
        f"{earliest} (earliest bound) depending on the notice"
    )


def register(group: click.Group) -> None:
    """Add the ``deadline`` and ``calendar`` commands to ``group``."""
    group.add_command(deadline)
    group.add_command(calendar_command)
