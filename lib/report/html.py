"""The HTML report: one self-contained file that opens offline.

Inline CSS, charts as base64 PNG ``data:`` images, no script
at all, no external URL; a Content-Security-Policy meta tag forbids fetching anything anyway.
The charts are the slide plan's (:func:`lib.report.workshop.slide_plan`, the ones the deck and the
Present page draw), rendered by :func:`lib.report.chartspec.png`: the learning mix against both
references, the five shifts with the previous wave, the group map, each finding's evidence.
Every piece of text that could come from a user (names, groups, skills, file names, findings
that quote them) goes through :func:`lib.core.sanitise.escape`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

import numpy as np
import pandas as pd

from lib.core.dataset import Dataset
from lib.core.sanitise import escape
from lib.report import chartspec, columns, definitions, workshop
from lib.report.exports import (
    TITLE,
    ExportOptions,
    ExportTable,
    Report,
    build_report,
    clean_text,
    format_value,
)

__all__ = ["CSP", "html_bytes", "html_table", "html_text"]

#: Nothing may be fetched: images only from data: URLs, styles only inline, no scripts.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1f2d3d;background:#fff}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:2rem;margin:0 0 .3rem}
h2{font-size:1.4rem;margin:2rem 0 .6rem;border-bottom:2px solid #dce6f0;padding-bottom:.2rem}
.meta{color:#5b6b7b;margin:.2rem 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:12px}
.tile{background:#eef3f8;border-radius:8px;padding:12px}
.tile .label{color:#5b6b7b;font-weight:600;font-size:.9rem}
.tile .value{color:#0072b2;font-weight:700;font-size:1.4rem;margin:.2rem 0}
.tile .value.long{font-size:1rem}
.tile .change,.note,.help{color:#5b6b7b;font-size:.85rem}
.finding{border:1px solid #dce6f0;border-left:6px solid #e69f00;border-radius:6px;padding:10px 14px;margin:10px 0}
.finding.strong{border-left-color:#d55e00}
.finding p{margin:.3rem 0}
figure{margin:1rem 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#5b6b7b;font-size:.9rem}
details{margin:.6rem 0}
summary{cursor:pointer;font-weight:600}
.scroll{overflow-x:auto;max-height:32rem;overflow-y:auto}
table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}
th,td{border:1px solid #dce6f0;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#dce6f0;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.notice{background:#fff4e5;border:1px solid #e69f00;padding:10px;border-radius:6px}
@media print{details{display:block}.scroll{max-height:none;overflow:visible}}
"""


def html_table(frame: pd.DataFrame, limit: int | None = None) -> str:
    """``frame`` as an HTML table, every header and cell escaped; numbers right-aligned.

    Headers are the columns' human labels and numbers keep their kind's precision
    (:mod:`lib.report.columns`: shares as whole per cent, means to one decimal)."""
    labelled = list(columns.labelled(frame).values())
    head = "".join(f"<th>{escape(clean_text(label))}</th>" for label, _ in labelled)
    body = []
    rows = frame if limit is None else frame.head(limit)
    for row in rows.itertuples(index=False, name=None):
        cells = []
        for (_, kind), v in zip(labelled, row, strict=True):
            numeric = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
                v, (bool, np.bool_)
            )
            cls = ' class="num"' if numeric else ""
            text = columns.number_text(float(v), kind) if numeric else format_value(v)
            cells.append(f"<td{cls}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _img(png: bytes | None, alt: str, caption: str = "") -> str:
    if not png:
        return ""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">{cap}</figure>'


def _tiles(report: Report) -> str:
    if report.head is None:
        return ""
    out = []
    for t in report.head.tiles:
        change = (
            f'<div class="change">{escape(t.change_text)} since the previous wave</div>'
            if t.change_text
            else ""
        )
        out.append(
            f'<div class="tile" title="{escape(definitions.plain(definitions.tile_help(t)))}"><div class="label">{escape(t.label)}</div>'
            f'<div class="value{" long" if len(t.text) > 14 else ""}">{escape(t.text)}</div>{change}</div>'
        )
    return '<h2 id="headline">Headline measures</h2><div class="tiles">' + "".join(out) + "</div>"


def _findings(report: Report, charts: dict[int, chartspec.ChartSpec]) -> str:
    if report.head is None:
        return ""
    if not report.head.findings:
        return '<h2 id="findings">Findings</h2><p>No rule fired on this wave: nothing stands out against the framework\'s thresholds.</p>'
    cards = []
    for i, f in enumerate(report.head.findings):
        spec = charts.get(i)
        figure = _img(chartspec.png(spec, report.images), spec.alt, spec.alt) if spec else ""
        evidence = "; ".join(f"{k} = {format_value(v)}" for k, v in f.evidence.items())
        cards.append(
            f'<div class="finding {escape(f.strength)}"><p><strong>{escape(f.statement)}</strong> '
            f"({escape(f.strength)})</p><p><em>What the framework suggests:</em> {escape(f.suggestion)}</p>"
            f'<p class="help">Evidence: {escape(evidence)} · look deeper on the {escape(f.page)} page</p>{figure}</div>'
        )
    return '<h2 id="findings">Findings</h2>' + "".join(cards)


def _tables(tables: Iterable[ExportTable], page: str) -> str:
    out = []
    for t in tables:
        if t.page != page:
            continue
        note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
        empty = "<p>No rows.</p>" if not len(t.frame) else html_table(t.frame)
        out.append(f"<details><summary>{escape(t.title)}</summary>{note}{empty}</details>")
    return "".join(out)


def _section(
    report: Report, page: str, heading: str, anchor: str, charts: list[chartspec.ChartSpec | None]
) -> str:
    figures = "".join(_img(chartspec.png(c, report.images), c.alt, c.alt) for c in charts if c is not None)
    tables = _tables(report.tables, page)
    if not figures and not tables:
        return ""
    return f'<h2 id="{anchor}">{escape(heading)}</h2>{figures}{tables}'


def html_text(report: Report) -> str:
    """The report as one HTML document (a string)."""
    o = report.options
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(TITLE)}: {escape(report.source)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{escape(TITLE)}</h1>",
        f'<p class="meta">Data: {escape(report.source)} · wave {escape(report.wave or "all data")} · '
        f"{escape(format_value(report.people))} people · generated {escape(report.generated)}</p>",
        f'<p class="meta">{escape(report.view_text)} Minimum group size {o.min_group_size}.</p>',
    ]
    if report.notice:
        parts.append(f'<p class="notice">{escape(report.notice)}</p>')
    plan = workshop.slide_plan(report)
    chart = {s.kind: s.chart for s in plan if s.kind != "finding"}
    evidence = {s.index: s.chart for s in plan if s.kind == "finding" and s.chart is not None}
    parts.append(_tiles(report))
    parts.append(_findings(report, evidence))
    parts.append(_section(report, "Network", "Network", "network", [chart.get("map")]))
    parts.append(
        _section(report, "Learning", "Learning", "learning", [chart.get("learning"), chart.get("shifts")])
    )
    parts.append(_section(report, "Trust & wirearchy", "Trust & wirearchy", "trust", [chart.get("trust")]))
    parts.append(_section(report, "Skills", "Skills", "skills", [chart.get("skills")]))
    parts.append('<h2 id="definitions">Definitions</h2>')
    parts.append(
        "<details><summary>Every measure's formula, source and variant</summary>"
        + html_table(report.definitions)
        + "</details>"
    )
    parts.append("</main></body></html>")
    return "\n".join(p for p in parts if p)


def html_bytes(ds: Dataset, options: ExportOptions | None = None, report: Report | None = None) -> bytes:
    """The self-contained HTML report for ``options`` (default: aggregate view), UTF-8 bytes."""
    rep = report or build_report(ds, options)
    return html_text(rep).encode("utf-8")
