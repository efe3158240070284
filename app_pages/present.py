"""Presentation: one finding or chart per screen, in large type, for a workshop room.

Always the aggregate view, whatever the sidebar says: no names or ids, groups under the minimum size
hidden (the same filtered report the exported deck is built from). The sidebar is hidden on this page.
"""

import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lib.analysis import netmap
from lib.analysis.learning import SEVENTY_TWENTY_TEN
from lib.app import ui
from lib.core.sanitise import escape
from lib.report import map_html, workshop
from lib.report.charts import BUCKET_COLOURS
from lib.report.exports import ExportOptions, build_report
from lib.store import actions as actions_store
from lib.store.workspaces import WorkspaceError

ui.guard("present")
ds = ui.dataset()
cfg = ui.settings()
STYLE = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] {display: none !important;}
.block-container {padding-top: 1.2rem !important; max-width: 1500px;}
[data-testid="stHeading"] h1 {font-size: 3.1rem !important; line-height: 1.15; padding-bottom: 0.3rem;}
.sl-sub {font-size: 1.6rem; color: #5B6B7B; margin-bottom: 1.2rem;}
.sl-big {font-size: 2.6rem; font-weight: 600; line-height: 1.25; color: #1F2D3D; margin: 1.5rem 0;}
.sl-body {font-size: 1.8rem; line-height: 1.4; color: #1F2D3D;}
.sl-note {font-size: 1.2rem; color: #5B6B7B; margin-top: 1rem;}
.sl-tiles {display: grid; grid-template-columns: repeat(3, 1fr); gap: 1rem;}
.sl-tile {background: #EEF3F8; border-radius: 0.6rem; padding: 0.9rem 1.2rem;}
.sl-tile .k {font-size: 1.25rem; color: #5B6B7B; font-weight: 600;}
.sl-tile .v {font-size: 2.3rem; color: #0072B2; font-weight: 700; line-height: 1.2;}
.sl-tile .v.long {font-size: 1.45rem;}
.sl-action {font-size: 1.7rem; margin: 0.5rem 0; padding: 0.6rem 1rem; border-left: 0.4rem solid #0072B2; background: #F6F8FA;}
.stButton button p, [data-testid="stPageLink"] p {font-size: 1.25rem;}
.sl-action .meta {font-size: 1.2rem; color: #5B6B7B;}
</style>"""
st.html(STYLE)

options = ExportOptions(view="aggregate", min_group_size=cfg.min_group_size)
report = ui.compute(build_report, options)
actions: list[actions_store.ActionItem] = []
if name := ui.workspace():
    try:
        actions = actions_store.list_actions(ui.workspace_engine(), name)
    except (WorkspaceError, SQLAlchemyError):
        st.caption("The workspace's agreed actions cannot be read just now.")
plan = workshop.slide_plan(report, has_actions=bool(actions))
i = min(int(st.session_state.get("present_slide", 0)), len(plan) - 1)
slide = plan[i]


def _go(target: int) -> None:
    st.session_state["present_slide"] = target


def _chart(fig: go.Figure, height: int = 520) -> None:
    # Streamlit's chart theme sets small tick and legend fonts: size them for the back of the room.
    fig.update_layout(
        font={"size": 20},
        legend={"font": {"size": 20}},
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    fig.update_xaxes(tickfont={"size": 18}, title_font={"size": 18})
    fig.update_yaxes(tickfont={"size": 20}, title_font={"size": 18})
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})


head = report.head
subtitle = {"notice": "", "finding": ""}.get(slide.kind, slide.subtitle)
if slide.kind == "finding" and head is not None:
    f = head.findings[slide.index]
    subtitle = f"{f.strength.capitalize()} · more on the {f.page} page"
st.title(slide.title, anchor=False)
if subtitle:
    st.html(f'<div class="sl-sub">{escape(subtitle)}</div>')
if slide.kind == "title":
    facts = f"{report.people:,} people · aggregate view: no names; groups under {options.min_group_size} people are hidden."
    st.html(f'<div class="sl-body">{escape(facts)}</div>')
elif slide.kind == "notice":
    st.html(f'<div class="sl-body">{escape(slide.subtitle)}</div>')
elif slide.kind == "tiles" and head is not None:
    tiles = "".join(
        f'<div class="sl-tile"><div class="k">{escape(t.label)}</div>'
        f'<div class="v{" long" if len(t.text) > 14 else ""}">{escape(t.text)}</div></div>'
        for t in head.tiles
    )
    st.html(f'<div class="sl-tiles">{tiles}</div>')
elif slide.kind == "finding" and head is not None:
    st.html(
        f'<div class="sl-big">{escape(f.statement)}</div>'
        + f'<div class="sl-body"><b>What the framework suggests:</b> {escape(f.suggestion)}</div>'
    )
elif slide.kind == "map":
    advice = ds.advice_relations()
    rel = None if advice is None else tuple(advice)
    m = ui.compute(
        netmap.group_map,
        report.group_by,
        relations=rel,
        wave=ds.tie_wave(report.wave),
        min_group_size=options.min_group_size,
        complementary=True,
    )
    st.iframe(
        map_html.render_html(m, height=540), height=550, alt="Map of the groups and the ties between them"
    )
elif slide.kind == "learning":
    by, mix, overall = (
        report.group_by,
        report.table(f"learning_{report.group_by}"),
        report.table("learning_mix"),
    )
    values = dict(zip(overall["measure"], overall["value"], strict=True)) if len(overall) else {}
    cats = [escape(g) for g in mix[by]] if len(mix) else []
    rows = [[float(r[b.name]) for b in SEVENTY_TWENTY_TEN] for _, r in mix.iterrows()] if len(mix) else []
    if "experience" in values:
        cats, rows = (
            [*cats, "Whole organisation"],
            [*rows, [float(values[b.name]) for b in SEVENTY_TWENTY_TEN]],
        )
    cats, rows = [*cats, "Reference 70:20:10"], [*rows, [b.reference for b in SEVENTY_TWENTY_TEN]]
    fig = go.Figure(
        [
            go.Bar(
                name=b.name,
                y=cats,
                x=[r[k] for r in rows],
                orientation="h",
                marker_color=BUCKET_COLOURS[b.name],
                text=[f"{r[k]:.0%}" for r in rows],
                textposition="inside",
            )
            for k, b in enumerate(SEVENTY_TWENTY_TEN)
        ]
    )
    fig.update_layout(
        barmode="stack",
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": -0.08},
    )
    _chart(fig, height=560)
elif slide.kind == "trust":
    dims = report.table("trust_dimensions")
    fig = go.Figure(
        go.Bar(
            x=[escape(x) for x in dims["label"]],
            y=dims["mean"],
            marker_color="#0072B2",
            text=[f"{v:.2f}" for v in dims["mean"]],
            textposition="outside",
        )
    )
    fig.update_layout(yaxis={"range": [1, 5], "title": "Mean (1–5)"})
    _chart(fig)
elif slide.kind == "skills":
    gaps = report.table("skill_gaps").head(8)
    fig = go.Figure(
        go.Bar(
            y=[escape(s) for s in gaps["skill"]],
            x=gaps["total_gap"],
            orientation="h",
            marker_color="#D55E00",
            text=[f"{v:.0f}" for v in gaps["total_gap"]],
            textposition="outside",
        )
    )
    fig.update_layout(yaxis={"autorange": "reversed"}, xaxis={"title": "Levels missing (Σ over people)"})
    _chart(fig)
elif slide.kind == "actions":
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

st.divider()
back, counter, forward, leave = st.columns([1, 1, 1, 2], vertical_alignment="center")
back.button("◀ Back", on_click=_go, args=(i - 1,), disabled=i == 0, width="stretch", key="present-back")
counter.markdown(
    f"<div style='text-align:center;font-size:1.4rem'>{i + 1} / {len(plan)}</div>", unsafe_allow_html=True
)
forward.button(
    "Next ▶", on_click=_go, args=(i + 1,), disabled=i == len(plan) - 1, width="stretch", key="present-next"
)
leave.page_link("app_pages/overview.py", label="Exit presentation", icon="⏹️")
