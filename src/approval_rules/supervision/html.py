"""The supervision report as one self-contained HTML page, with charts drawn as inline SVG.

The page holds the indicator table, a bar chart of the rates per group, a histogram of
the working days used and the alert list.  It loads nothing: the style and the charts
are inline, there is no script and a Content-Security-Policy forbids any load, so it can
be mailed, archived or opened offline.  It is deterministic: the same data give the
same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape
from typing import Final

from .indicators import GroupReport
from .records import Alert
from .render import GROUPING_NAMES, NOTICE_NAMES, Names, ReportView
from .rules import Level

__all__ = ["alerts_html", "report_html"]

_CSS: Final = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:1100px;color:#222;line-height:1.5;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #b22;
padding-bottom:.2em;margin-top:1.6em}p.meta{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #bbb;
padding:.3em .45em;text-align:right;vertical-align:top}th{background:#f2f2f2}
td.t,th.t{text-align:left}tr.total td{font-weight:bold;background:#fafafa}
.lv-red{color:#fff;background:#c0392b}.lv-yellow{background:#f1c40f}
.lv-prompt{background:#d6eaf8}span.n{color:#666;font-size:.85em}
figure{margin:1em 0}figcaption{color:#555;font-size:.9em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}
tr{page-break-inside:avoid}figure{page-break-inside:avoid}}
"""
#: Each rate in the chart: key, label, colour.
_RATES: Final = (
    ("on_time", "按时办结率", "#27ae60"),
    ("early", "提前办结率", "#2e86c1"),
    ("extended", "延期办结率", "#e67e22"),
    ("overdue", "超期办结率", "#c0392b"),
)
_LEVEL_CLASS: Final = {Level.RED: "lv-red", Level.YELLOW: "lv-yellow", Level.PROMPT: "lv-prompt"}


def _page(title: str, meta: str, body: Sequence[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; img-src data:\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}</h1>",
            f'<p class="meta">{escape(meta)}</p>',
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


# --- the indicator table -------------------------------------------------------------------


def _row(label: str, g: GroupReport, names: Names, css: str = "") -> str:
    c, r = g.counts, g.rates

    def rate(key: str) -> str:
        rt = r[key]
        return f'{_pct(rt.value)}<br><span class="n">{rt.numerator}/{rt.denominator}</span>'

    avg = "—" if g.used_average is None else f"{g.used_average:.2f}"
    promised = "—" if g.promised_average is None else f"{g.promised_average:.2f}"
    cells = [
        f'<td class="t">{escape(label)}</td>',
        *(f"<td>{c[k]}</td>" for k in ("completed", "early", "on_time", "extended", "overdue")),
        f"<td>{c['open_overdue']}</td>",
        *(f"<td>{rate(k)}</td>" for k in ("on_time", "early", "extended", "overdue")),
        f"<td>{avg} / {promised}</td>",
        f"<td>{'—' if g.used_p90 is None else g.used_p90}</td>",
        f'<td class="t">{escape(names.step_key(g.bottleneck) if g.bottleneck else "—")}</td>',
        f"<td>{c['withdrawn'] + c['not_accepted'] + c['terminated']}</td>",
        f"<td>{rate('good')}</td>",
    ]
    return (
        f'<tr class="{css}">' + "".join(cells) + "</tr>"
        if css
        else "<tr>" + "".join(cells) + "</tr>"
    )


def _table(view: ReportView, names: Names) -> str:
    grouping = escape(GROUPING_NAMES.get(view.by, view.by))
    head = (
        f'<tr><th class="t">{grouping}</th><th>办结</th><th>提前</th><th>按时</th>'
        "<th>延期</th><th>超期</th><th>超期未办结</th><th>按时办结率</th><th>提前办结率</th>"
        "<th>延期办结率</th><th>超期办结率</th><th>平均用时 / 承诺（工作日）</th>"
        '<th>用时 90% 分位</th><th class="t">瓶颈环节</th><th>撤回、不予受理、终止</th>'
        "<th>好评率</th></tr>"
    )
    rows = [_row(f"{names.group(view.by, g.group)}（{g.group}）", g, names) for g in view.groups]
    if view.overall is not None and view.by != "all":
        rows.append(_row("合计", view.overall, names, "total"))
    return "<table>\n" + head + "\n" + "\n".join(rows) + "\n</table>"


# --- charts ------------------------------------------------------------------------------


def _rates_chart(view: ReportView, names: Names) -> str:
    """Horizontal bars: for each group, its four rates (0–100 %), labelled."""
    label_w, bar_w, bar_h, gap = 260, 560, 14, 14
    rows = len(view.groups)
    height = 40 + rows * (len(_RATES) * bar_h + gap)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 80}" '
        f'height="{height}" role="img" aria-label="各组办结率">',
        "<title>各组办结率</title>",
    ]
    for i, (_, label, colour) in enumerate(_RATES):
        x = label_w + i * 140
        out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="17" font-size="12">{label}</text>')
    y = 34
    for g in view.groups:
        name = escape(names.group(view.by, g.group))
        middle = y + len(_RATES) * bar_h / 2 + 4
        out.append(f'<text x="{label_w - 8}" y="{middle:.0f}" font-size="13" '
                   f'text-anchor="end">{name}</text>')  # fmt: skip
        for key, label, colour in _RATES:
            value = g.rates[key].value
            width = 0 if value is None else value * bar_w
            out.append(
                f'<rect x="{label_w}" y="{y}" width="{width:.1f}" height="{bar_h - 2}" '
                f'fill="{colour}"><title>{name} {label} {_pct(value)}</title></rect>'
            )
            out.append(f'<text x="{label_w + width + 4:.1f}" y="{y + bar_h - 4}" '
                       f'font-size="11">{_pct(value)}</text>')  # fmt: skip
            y += bar_h
        y += gap
    out.append(f'<line x1="{label_w}" y1="30" x2="{label_w}" y2="{height - 4}" stroke="#333"/>')
    out.append("</svg>")
    return "\n".join(out)


def _histogram(used: Counter[int], promised: float | None) -> str:
    """Vertical bars: how many concluded cases used each number of working days."""
    if not used:
        return "<p>本期没有办结的办件。</p>"
    top = max(max(used), int(promised or 0))
    tallest = max(used.values())
    left, bottom, plot_w, plot_h = 50, 40, 760, 220
    step = plot_w / (top + 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + plot_w + 20}" '
        f'height="{plot_h + bottom + 30}" role="img" aria-label="办理用时分布">',
        "<title>办理用时分布（工作日）</title>",
    ]
    base = plot_h + 20
    for days in range(top + 1):
        count = used.get(days, 0)
        h = count / tallest * plot_h
        x = left + days * step
        if count:
            out.append(
                f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{max(step - 2, 1):.1f}" '
                f'height="{h:.1f}" fill="#2e86c1"><title>{days} 个工作日：{count} 件</title></rect>'
            )
            out.append(f'<text x="{x + step / 2:.1f}" y="{base - h - 3:.1f}" font-size="11" '
                       f'text-anchor="middle">{count}</text>')  # fmt: skip
        if top <= 40 or days % 5 == 0:
            out.append(f'<text x="{x + step / 2:.1f}" y="{base + 14}" font-size="11" '
                       f'text-anchor="middle">{days}</text>')  # fmt: skip
    if promised:
        px = left + promised * step + step / 2
        out.append(f'<line x1="{px:.1f}" y1="12" x2="{px:.1f}" y2="{base}" stroke="#c0392b" '
                   'stroke-dasharray="5,4"/>')  # fmt: skip
        out.append(f'<text x="{px + 4:.1f}" y="22" font-size="12" fill="#c0392b">平均承诺 '
                   f"{promised:.1f}</text>")  # fmt: skip
    out.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#333"/>')
    out.append(f'<text x="{left + plot_w / 2:.0f}" y="{base + 32}" font-size="12" '
               'text-anchor="middle">用时（工作日）</text>')  # fmt: skip
    out.append("</svg>")
    return "\n".join(out)


# --- alerts ------------------------------------------------------------------------------


def _alert_table(alerts: Sequence[Alert], names: Names) -> str:
    if not alerts:
        return "<p>没有在期预警。</p>"
    head = (
        "<tr><th>级别</th><th class='t'>办件</th><th class='t'>事项</th><th class='t'>环节</th>"
        "<th class='t'>规则</th><th>到期日</th><th>剩余工作日</th><th class='t'>通知</th>"
        "<th>发出日</th><th class='t'>通知对象</th><th class='t'>说明</th></tr>"
    )
    rows = []
    for a in alerts:
        remaining = "" if a.remaining is None else str(a.remaining)
        note = a.detail
        if a.applicant_days:
            note += f"申请人原因 {a.applicant_days} 个工作日不计（视为按期）"
        if a.provisional:
            note += "（暂定日历）"
        rows.append(
            "<tr>"
            f'<td class="{_LEVEL_CLASS[a.level]}">{escape(names.level(a.level))}</td>'
            f'<td class="t">{escape(a.case_id)}</td>'
            f'<td class="t">{escape(names.matter(a.matter_id))}</td>'
            f'<td class="t">{escape(names.step(a.matter_id, a.step))}</td>'
            f'<td class="t">{escape(a.rule_name)}<br><span class="n">{escape(a.rule)}</span></td>'
            f"<td>{a.due.isoformat() if a.due else ''}</td><td>{remaining}</td>"
            f'<td class="t">{NOTICE_NAMES[a.notice]}（第 {a.seq + 1} 次）</td>'
            f"<td>{a.fired_on.isoformat()}</td>"
            f'<td class="t">{escape("、".join(r.name for r in a.recipients))}</td>'
            f'<td class="t">{escape(note)}</td>'
            "</tr>"
        )
    return "<table>\n" + head + "\n" + "\n".join(rows) + "\n</table>"


def alerts_html(alerts: Sequence[Alert], view_at: str, names: Names) -> str:
    """A page with the alert list only (``approval-rules supervise --format html``)."""
    title = f"电子监察预警 {view_at}"
    meta = f"{names.rules.name}（{names.rules.id} {names.rules.version}）；共 {len(alerts)} 条"
    return _page(title, meta, ["<h2>在期预警与异常</h2>", _alert_table(alerts, names)])


def report_html(view: ReportView, names: Names) -> str:
    """The whole report: indicators, charts, alerts."""
    title = f"政务服务绩效与电子监察报告 {view.start.isoformat()} 至 {view.end.isoformat()}"
    overall = view.overall
    used = Counter(overall.histogram) if overall is not None else Counter[int]()
    promised = overall.promised_average if overall is not None else None
    meta = (
        f"{names.rules.name}（{names.rules.id} {names.rules.version}）；按"
        f"{GROUPING_NAMES.get(view.by, view.by)}统计；预警截至 {view.at.strftime('%Y-%m-%d %H:%M')}"
    )
    k = names.rules.reporting.early_margin_wd
    body = [
        "<h2>一、绩效指标</h2>",
        _table(view, names),
        "<p class='meta'>办结：准予许可的办件以办结日、不予许可的以决定日计入本期。提前：用时不超过"
        f"承诺时限减 {k} 个工作日；按时：提前与按期"
        + ("及延期" if names.rules.reporting.extension_counts_as_on_time else "")
        + "之和；延期：在批准的延期内办结；超期：超过适用的期限。申请人原因（待缴费、容缺补正）"
        "的时间不计入用时。撤回、不予受理、终止的办件单列，不计入分母。</p>",
        "<h2>二、各组办结率</h2>",
        f"<figure>{_rates_chart(view, names)}<figcaption>按时、提前、延期、超期办结率"
        "（分母为本期办结数）</figcaption></figure>",
        "<h2>三、办理用时分布</h2>",
        f"<figure>{_histogram(used, promised)}<figcaption>本期办结办件的用时（工作日，"
        "不含中止计算和申请人原因的时间）</figcaption></figure>",
        "<h2>四、在期预警与异常</h2>",
        _alert_table(view.alerts, names),
    ]
    return _page(title, meta, body)
