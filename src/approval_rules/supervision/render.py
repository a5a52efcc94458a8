"""Alerts and indicators in words for supervisors (Chinese text) and as JSON data.

Names come from the catalogue (departments, matters, people, steps); codes (rule ids,
case ids, levels in JSON) stay English.  Nothing here reads the clock: the moment and
the period are the caller's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from ..loader import Catalogue
from .indicators import GroupReport, Rate
from .records import Alert
from .rules import Level, Notice, Supervision

__all__ = [
    "BASIS_NAMES",
    "GROUPING_NAMES",
    "NOTICE_NAMES",
    "Names",
    "ReportView",
    "alerts_json",
    "alerts_text",
    "report_json",
    "report_text",
]

NOTICE_NAMES: Final = {Notice.URGE: "催办", Notice.ORDER: "督办", Notice.RECOMMENDATION: "监察建议"}
BASIS_NAMES: Final = {
    "promised": "承诺时限",
    "statutory": "法定时限",
    "step_limit": "环节时限",
    "decision_before_record": "先批后录",
    "undecided_past_statutory": "只录不批",
    "fee_mismatch": "违规收费",
    "closed_without_certificate": "办结未发证",
    "unauthorised_actor": "越权办理",
    "commitment_check_overdue": "承诺核查逾期",
}
GROUPING_NAMES: Final = {
    "department": "部门",
    "matter": "事项",
    "person": "经办人",
    "month": "月份",
    "all": "全部",
}


class Names:
    """Display names of a catalogue's departments, matters, people and steps."""

    def __init__(self, catalogue: Catalogue, rules: Supervision) -> None:
        self.catalogue = catalogue
        self.rules = rules

    def level(self, level: Level) -> str:
        return self.rules.levels.of(level).name

    def department(self, key: str) -> str:
        found = self.catalogue.departments.get(key)
        return found.name if found is not None else key

    def matter(self, key: str) -> str:
        found = self.catalogue.matters.get(key)
        return found.name if found is not None else key

    def person(self, key: str) -> str:
        found = self.catalogue.people.get(key)
        return found.name if found is not None else key

    def step(self, matter: str, step: str | None) -> str:
        if step is None:
            return "办件"
        found = self.catalogue.matters.get(matter)
        named = next((s.name for s in found.steps if s.id == step), None) if found else None
        return named or step

    def step_key(self, key: str) -> str:
        """A step of the indicators (``matter.step``) as ``事项：环节``."""
        matter, _, step = key.partition(".")
        return f"{self.matter(matter)}：{self.step(matter, step)}"

    def group(self, by: str, key: str) -> str:
        """A group's name: a department's or matter's name, a person's, a month."""
        if by == "department":
            return self.department(key)
        if by == "matter":
            return self.matter(key)
        if by == "person":
            return self.person(key)
        if by == "all":
            return "全部"
        return key


def _remaining(alert: Alert) -> str:
    if alert.remaining is None:
        return ""
    if alert.remaining < 0:
        return f"已超期 {-alert.remaining} 个工作日"
    if alert.remaining == 0:
        return "今日到期"
    return f"剩余 {alert.remaining} 个工作日"


def alert_line(alert: Alert, names: Names) -> str:
    """One alert in one line of Chinese (codes in brackets)."""
    parts = [
        f"[{names.level(alert.level)}] {alert.case_id} {names.matter(alert.matter_id)}",
        names.step(alert.matter_id, alert.step),
        f"{alert.rule_name}（{alert.rule}）",
    ]
    if alert.due is not None:
        parts.append(f"到期 {alert.due.isoformat()}，{_remaining(alert)}")
    if alert.detail:
        parts.append(alert.detail)
    if alert.applicant_days:
        parts.append(f"申请人原因 {alert.applicant_days} 个工作日不计（视为按期）")
    if alert.provisional:
        parts.append("日期按暂定日历计算")
    who = "、".join(r.name for r in alert.recipients)
    parts.append(f"{NOTICE_NAMES[alert.notice]}（第 {alert.seq + 1} 次）→ {who}")
    return "  ".join(parts)


def alerts_text(alerts: Sequence[Alert], at: datetime, names: Names) -> str:
    """The alerts as supervisors read them: a headline, then one line each."""
    counts = {lv: sum(1 for a in alerts if a.level is lv) for lv in Level}
    head = (
        f"电子监察 {at.strftime('%Y-%m-%d %H:%M')}（{names.rules.name} {names.rules.version}）："
        + "，".join(f"{names.level(lv)} {counts[lv]} 条" for lv in reversed(Level))
    )
    return "\n".join([head, *(alert_line(a, names) for a in alerts)]) + "\n"


def alerts_json(alerts: Sequence[Alert], at: datetime, rules: Supervision) -> str:
    """The alerts as JSON: ``{"at", "rules", "alerts": [...]}``."""
    return _dump(
        {
            "at": at.isoformat(),
            "rules": {"id": rules.id, "version": rules.version},
            "alerts": [a.to_dict() for a in alerts],
        }
    )


@dataclass(frozen=True)
class ReportView:
    """What a published report holds: the period, the groups, the alerts at its end."""

    start: date
    end: date
    by: str
    groups: Sequence[GroupReport]
    overall: GroupReport | None
    alerts: Sequence[Alert]
    at: datetime


def _rate(rate: Rate) -> str:
    value = rate.value
    shown = "—" if value is None else f"{value:.1%}"
    return f"{shown}（{rate.numerator}/{rate.denominator}）"


def _group_lines(g: GroupReport, title: str, names: Names) -> list[str]:
    c, r = g.counts, g.rates
    lines = [
        title,
        f"  办结 {c['completed']} 件：提前 {c['early']} {_rate(r['early'])}；按时 "
        f"{c['on_time']} {_rate(r['on_time'])}；延期 {c['extended']} {_rate(r['extended'])}；"
        f"超期 {c['overdue']} {_rate(r['overdue'])}",
        f"  期末在办 {c['open']} 件，其中超期未办结 {c['open_overdue']} 件；撤回 "
        f"{c['withdrawn']}、不予受理 {c['not_accepted']}、终止 {c['terminated']} 件（不计入分母）",
    ]
    if g.used_average is not None:
        used = (
            f"  平均用时 {g.used_average:.2f} 个工作日（平均承诺 {g.promised_average or 0:.2f}），"
            f"90% 分位 {g.used_p90} 个工作日；法定超期 {c['statutory_breach']} 件；"
            f"申请人原因延误视为按期 {c['applicant_time']} 件"
        )
        lines.append(used)
    if g.bottleneck is not None:
        lines.append(
            f"  瓶颈环节 {names.step_key(g.bottleneck)}（{g.bottleneck}，占用时 "
            f"{g.bottleneck_share or 0:.1%}）"
        )
    if c["rated"]:
        lines.append(
            f"  评价 {c['rated']} 件 {_rate(r['evaluated'])}：好评 {_rate(r['good'])}，差评 "
            f"{_rate(r['bad'])}；实名差评回访 {_rate(r['followed_up'])}，"
            f"整改 {_rate(r['rectified'])}"
        )
    return lines


def report_text(view: ReportView, names: Names) -> str:
    """The indicators of every group and the overall, then the alerts at the period's end."""
    lines = [
        f"绩效统计 {view.start.isoformat()} 至 {view.end.isoformat()}，按"
        f"{GROUPING_NAMES.get(view.by, view.by)}（{view.by}）；{names.rules.name} "
        f"{names.rules.version}",
    ]
    for g in view.groups:
        lines += _group_lines(g, f"{names.group(view.by, g.group)}（{g.group}）", names)
    if view.overall is not None and view.by != "all":
        lines += _group_lines(view.overall, "合计", names)
    lines.append("")
    lines.append(alerts_text(view.alerts, view.at, names).rstrip("\n"))
    return "\n".join(lines) + "\n"


def report_json(view: ReportView, rules: Supervision) -> str:
    """The report as JSON: every group carries its counts under ``completed``, ``early``,
    ``on_time``, ``extended``, ``overdue`` and ``open_overdue``, with the rates."""
    return _dump(
        {
            "from": view.start.isoformat(),
            "to": view.end.isoformat(),
            "by": view.by,
            "rules": {"id": rules.id, "version": rules.version},
            "conventions": rules.reporting.model_dump(mode="json"),
            "groups": [g.to_dict() for g in view.groups],
            "overall": None if view.overall is None else view.overall.to_dict(),
            "alerts_at": view.at.isoformat(),
            "alerts": [a.to_dict() for a in view.alerts],
        }
    )


def _dump(data: Mapping[str, Any] | Iterable[Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
