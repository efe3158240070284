"""The Present page's slides: each :class:`lib.report.workshop.SlideSpec` of the slide plan drawn
in large type, its chart as a plotly figure (the same :class:`lib.report.chartspec.ChartSpec` the
deck draws natively), the group map as the interactive map, and the speaker notes in an expander.

Always the aggregate view (the page builds the report that way): no names or ids, groups under the
minimum size hidden. Every piece of user text goes through :func:`lib.core.sanitise.escape`.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from lib.analysis import netmap
from lib.app import ui
from lib.core.sanitise import escape
from lib.report import map_html
from lib.report.chartspec import ChartSpec, value_text
from lib.report.model import Report
from lib.report.workshop import SlideSpec
from lib.store.actions import ActionItem

__all__ = ["STYLE", "figure", "show_slide"]

STYLE = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] {display: none !important;}
.block-container {padding-top: 1.2rem !important; max-width: 1500px;}
[data-testid="stHeading"] h1 {font-size: 3.1rem !important; line-height: 1.15; padding-bottom: 0.3rem;}
.sl-sub {font-size: 1.6rem; color: #4A5866; margin-bottom: 0.8rem;}
.sl-big {font-size: 2.2rem; font-weight: 600; line-height: 1.25; color: #1F2D3D; margin: 0.8rem 0;}
.sl-body {font-size: 1.6rem; line-height: 1.4; color: #1F2D3D;}
.sl-note {font-size: 1.2rem; color: #4A5866; margin-top: 0.6rem;}
.sl-tiles {display: grid; grid-template-columns: repeat(3, 1fr); gap: 1rem;}
.sl-tile {background: #EEF3F8; border-radius: 0.6rem; padding: 0.9rem 1.2rem;}
.sl-tile .k {font-size: 1.25rem; color: #4A5866; font-weight: 600;}
.sl-tile .v {font-size: 2.3rem; color: #005A8C; font-weight: 700; line-height: 1.2;}
.sl-tile .v.long {font-size: 1.45rem;}
.sl-action {font-size: 1.7rem; margin: 0.5rem 0; padding: 0.6rem 1rem; border-left: 0.4rem solid #0072B2; background: #F6F8FA;}
.stButton button p, [data-testid="stPageLink"] p {font-size: 1.25rem;}
.sl-action .meta {font-size: 1.2rem; color: #4A5866;}
</style>"""

_FONT = 20  # chart text, in px: readable from the back of a workshop room


def figure(spec: ChartSpec) -> go.Figure:
    """``spec`` as a plotly bar chart in large type (the deck draws the same spec natively)."""
    bars = []
    for s in spec.series:
        values = [None if v is None else v for v in s.values]
        labels = [escape(c) for c in spec.categories]
        x, y = (values, labels) if spec.horizontal else (labels, values)
        bars.append(
            go.Bar(
                name=escape(s.name),
                x=x,
                y=y,
                orientation="h" if spec.horizontal else "v",
                marker_color=s.colour,
                text=[value_text(v, spec.unit) if v is not None else "" for v in s.values],
                textposition="inside" if spec.stacked else "outside",
                insidetextanchor="middle",
                cliponaxis=False,  # a value label past the axis end stays visible
            )
        )
    fig = go.Figure(bars)
    value_axis: dict[str, object] = {"tickformat": spec.d3_format}
    if spec.scale:
        value_axis["range"] = list(spec.scale)
    category_axis: dict[str, object] = {"autorange": "reversed"} if spec.horizontal else {}
    fig.update_layout(
        barmode="stack" if spec.stacked else "group",
        xaxis=value_axis if spec.horizontal else category_axis,
        yaxis=category_axis if spec.horizontal else value_axis,
        showlegend=len(spec.series) > 1,
        legend={"orientation": "h", "y": -0.18, "font": {"size": _FONT}, "traceorder": "normal"},
        font={"size": _FONT},
        margin={"l": 10, "r": 50, "t": 10, "b": 10},
        uniformtext={"minsize": 14, "mode": "hide"},
    )
    fig.update_xaxes(tickfont={"size": _FONT - 2})
    fig.update_yaxes(tickfont={"size": _FONT})
    return fig


def _height(spec: ChartSpec) -> int:
    rows = len(spec.categories) * (1 if spec.stacked else max(1, len(spec.series)))
    return int(min(600, max(400, 60 * rows + 140))) if spec.horizontal else 520


def _chart(spec: ChartSpec, report: Report, group_map: netmap.NetworkMap | None) -> None:
    if spec.image == "network_map":
        if group_map is not None:
            st.iframe(map_html.render_html(group_map, height=540), height=550, alt=spec.alt)
        return
    fig = figure(spec)
    fig.update_layout(height=_height(spec))
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
    st.html(f'<div class="sl-note">{escape(spec.alt)}</div>')


def _map(report: Report, min_group_size: int) -> netmap.NetworkMap:
    ds = ui.dataset()
    advice = ds.advice_relations()
    return ui.compute(
        netmap.group_map,
        report.group_by,
        relations=None if advice is None else tuple(advice),
        wave=ds.tie_wave(report.wave),
        min_group_size=min_group_size,
        complementary=True,
    )


def show_slide(spec: SlideSpec, report: Report, actions: Sequence[ActionItem]) -> None:
    """Draw one slide of the plan: title, key sentence, chart (or tiles, actions), speaker notes."""
    head = report.head
    m = report.options.min_group_size
    st.title(spec.title, anchor=False)
    if spec.kind == "finding" and head is not None:
        f = head.findings[spec.index]
        st.html(
            f'<div class="sl-sub">{escape(f.strength.capitalize())} · more on the {escape(f.page)} page</div>'
        )
        text, chart = st.columns([2, 3], gap="large")
        with text:
            st.html(
                f'<div class="sl-big">{escape(spec.subtitle)}</div>'
                f'<div class="sl-body"><b>What the framework suggests:</b> {escape(spec.detail)}</div>'
            )
        with chart:
            if spec.chart is not None:
                _chart(spec.chart, report, None)
    elif spec.kind == "notice":
        st.html(f'<div class="sl-body">{escape(spec.subtitle)}</div>')
    else:
        if spec.subtitle:
            st.html(f'<div class="sl-sub">{escape(spec.subtitle)}</div>')
        if spec.kind == "title":
            facts = (
                f"{report.people:,} people · aggregate view: no names; groups under {m} people are hidden."
            )
            st.html(f'<div class="sl-body">{escape(facts)}</div>')
        elif spec.kind == "tiles" and head is not None:
            tiles = "".join(
                f'<div class="sl-tile"><div class="k">{escape(t.label)}</div>'
                f'<div class="v{" long" if len(t.text) > 14 else ""}">{escape(t.text)}</div></div>'
                for t in head.tiles
            )
            st.html(f'<div class="sl-tiles">{tiles}</div>')
        elif spec.kind == "actions":
            _actions(actions)
        elif spec.chart is not None:
            _chart(spec.chart, report, _map(report, m) if spec.chart.image else None)
    if spec.notes:
        with st.expander("Speaker notes: the definitions"):
            st.text(spec.notes)


def _actions(actions: Sequence[ActionItem]) -> None:
    items = "".join(
        f'<div class="sl-action">{"✅ " if a.status == "done" else ""}{escape(a.title)}'
        f'<div class="meta">{escape(" · ".join(x for x in (a.owner, a.due_on.isoformat() if a.due_on else "") if x))}</div></div>'
        for a in actions[:8]
    )
    more = (
        f'<div class="sl-note">… and {len(actions) - 8} more (see the Actions page)</div>'
        if len(actions) > 8
        else ""
    )
    st.html(items + more)
