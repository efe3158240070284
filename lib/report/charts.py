"""The charts: static images (PNG) for the exports, and the Overview's pictures for the pages.

Images are drawn with matplotlib's object API (``Figure`` + the Agg canvas, never ``pyplot``), so
nothing global changes and no browser or download is needed (plotly's static images would need
Chrome). User text (group and skill names) is drawn as literal text: ``$`` is escaped so
matplotlib never reads it as mathtext, and characters XML cannot hold are removed.

The pages' pictures (the learning mix against both references, the five shifts, the biggest skill
gaps, each finding's evidence) are Vega-Lite specifications built with Altair: Streamlit draws them
with the Vega it bundles, so nothing is fetched; user text is data in them, never markup.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any, Literal

import altair as alt
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lib.analysis import netmap
from lib.analysis.learning import SEVENTY_TWENTY_TEN
from lib.core.dataset import Dataset
from lib.core.sanitise import chart_label

if TYPE_CHECKING:
    from lib.report.model import Report

__all__ = [
    "BUCKET_COLOURS",
    "all_images",
    "bar_chart",
    "evidence_chart",
    "gaps_chart",
    "group_map_png",
    "group_map_thumbnail",
    "group_people",
    "learning_mix_png",
    "map_png",
    "mix_chart",
    "mpl_text",
    "shifts_chart",
]

BUCKET_COLOURS: dict[str, str] = {"experience": "#0072B2", "others": "#E69F00", "formal": "#009E73"}
_DPI = 110
_LABEL_MAX = 38


def mpl_text(value: object, limit: int = _LABEL_MAX) -> str:
    """User text as a literal matplotlib label (:func:`lib.core.sanitise.chart_label`)."""
    return chart_label(value, limit)


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=_DPI, bbox_inches="tight", facecolor="white")
    return out.getvalue()


def group_map_png(
    ds: Dataset,
    attribute: str,
    relations: list[str] | None,
    wave: str | None,
    min_group_size: int,
) -> tuple[bytes, str]:
    """The group map of :func:`lib.analysis.netmap.group_map` as a PNG, and its caption.

    One dot per shown group (area ∝ people) on a circle, largest first at the top, clockwise; a
    line per pair of groups with ties, its width ∝ the ties between them (as on the app's map).
    Groups under the minimum size are not drawn (the caption says how many were hidden). No
    person appears: the map is safe for the aggregate view.
    """
    m = netmap.group_map(ds, attribute, relations=relations, wave=wave, min_group_size=min_group_size)
    png = map_png(m, group_people(ds, attribute))
    caption = (
        f"One dot per {attribute} (area ∝ people); line width ∝ ties between the two groups, both "
        "directions counted."
    )
    if m.notes:
        caption += " " + " ".join(m.notes)
    return png, caption


def group_people(ds: Dataset, attribute: str) -> pd.Series:
    """People per group of ``attribute``, keyed by the label the group map draws."""
    if attribute not in ds.people:
        return pd.Series(dtype=int)
    return netmap.category_text(ds.people[attribute]).value_counts()


def map_png(m: netmap.NetworkMap, people: pd.Series, thumbnail: bool = False) -> bytes:
    """A group map (:func:`lib.analysis.netmap.group_map`, already computed) drawn as
    :func:`group_map_png` describes. ``thumbnail``: small (the Overview's picture), each dot
    labelled with its group's name only, in type still readable at that size."""
    fig = Figure(figsize=(4.2, 3.3) if thumbnail else (10, 7))
    ax = fig.add_subplot()
    ax.set_axis_off()
    n = len(m.nodes)
    if n == 0:
        ax.text(0.5, 0.5, "No groups large enough to show.", ha="center", va="center", fontsize=16)
        return _png(fig)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    pos = {node.id: (math.cos(a), math.sin(a)) for node, a in zip(m.nodes, angles, strict=True)}
    for e in m.edges:
        (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
        width = (0.15 if thumbnail else 0.35) * e.width
        ax.plot([x0, x1], [y0, y1], color="#7F8C9A", alpha=0.45, linewidth=width, zorder=1)
    biggest = max(node.size for node in m.nodes) or 1.0
    for node, a in zip(m.nodes, angles, strict=True):
        x, y = pos[node.id]
        share = node.size / biggest
        dot = (500 if thumbnail else 1800) * share**2
        ax.scatter([x], [y], s=dot, color=node.colour, edgecolor="white", linewidth=1.5, zorder=2)
        count = int(people.get(node.label, 0))
        label = mpl_text(node.label, 16 if thumbnail else 26)
        if not thumbnail:
            label += f"\n{count:,} people"
        # labels sit outside the circle, clear of the dot, aligned away from the centre
        reach = 1.0 + 0.1 + 0.12 * share
        c, s_ = math.cos(a), math.sin(a)
        ha = "left" if c > 0.25 else "right" if c < -0.25 else "center"
        va = "bottom" if s_ > 0.25 else "top" if s_ < -0.25 else "center"
        ax.text(reach * c, reach * s_, label, ha=ha, va=va, fontsize=9 if thumbnail else 12, zorder=3)
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.45, 1.45)
    ax.set_aspect("equal")
    return _png(fig)


def group_map_thumbnail(
    ds: Dataset,
    attribute: str,
    *,
    relations: tuple[str, ...] | None,
    wave: str | None,
    min_group_size: int,
    complementary: bool,
) -> bytes:
    """The Overview's small picture of the group map the Network page draws
    (:func:`lib.analysis.netmap.group_map` with the same arguments; ``complementary`` in the
    aggregate view): groups under the minimum size are never drawn."""
    m = netmap.group_map(
        ds,
        attribute,
        relations=relations,
        wave=wave,
        min_group_size=min_group_size,
        complementary=complementary,
    )
    return map_png(m, group_people(ds, attribute), thumbnail=True)


def learning_mix_png(mix: pd.DataFrame, by: str, overall: dict[str, float] | None) -> bytes:
    """Stacked horizontal bars: experience / others / formal per group, the organisation and 70:20:10."""
    buckets = [b.name for b in SEVENTY_TWENTY_TEN]
    rows = [
        (mpl_text(g), [float(r[b]) for b in buckets])
        for g, (_, r) in zip(mix[by], mix.iterrows(), strict=True)
    ]
    if overall:
        rows.append(("Whole organisation", [overall[b] for b in buckets]))
    rows.append(("Reference 70:20:10", [b.reference for b in SEVENTY_TWENTY_TEN]))
    fig = Figure(figsize=(10, 0.45 * len(rows) + 1.6))
    ax = fig.add_subplot()
    left = np.zeros(len(rows))
    labels = [r[0] for r in rows]
    for k, bucket in enumerate(buckets):
        values = np.array([0.0 if math.isnan(r[1][k]) else r[1][k] for r in rows])
        ax.barh(labels, values, left=left, color=BUCKET_COLOURS[bucket], label=bucket)
        left += values
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.legend(ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False, fontsize=11)
    ax.set_title("Experience : others : formal, against 70:20:10", fontsize=13)
    ax.tick_params(labelsize=11)
    return _png(fig)


def bar_chart(
    labels: list[str],
    values: list[float],
    title: str,
    horizontal: bool = False,
    limits: tuple[float, float] | None = None,
    fmt: str = "{:.2f}",
) -> bytes:
    """One series of bars with value labels (missing values drawn as empty)."""
    clean = [0.0 if v is None or math.isnan(v) else float(v) for v in values]
    names = [mpl_text(x) for x in labels]
    fig = Figure(figsize=(10, max(3.5, 0.42 * len(labels) + 1.4)) if horizontal else (10, 4.6))
    ax = fig.add_subplot()
    if horizontal:
        bars = ax.barh(names, clean, color="#0072B2")
        ax.invert_yaxis()
    else:
        bars = ax.bar(names, clean, color="#0072B2")
        ax.tick_params(axis="x", labelrotation=15)
    if limits:
        (ax.set_xlim if horizontal else ax.set_ylim)(*limits)
    ax.bar_label(
        bars, labels=[fmt.format(v) if not math.isnan(v) else "–" for v in values], fontsize=11, padding=3
    )
    ax.set_title(title, fontsize=13)
    ax.tick_params(labelsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def all_images(ds: Dataset, report: Report) -> dict[str, bytes]:
    """Every chart the report draws, keyed network_map, learning_mix, shifts, trust, skill_gaps."""
    images: dict[str, bytes] = {}
    by = report.group_by
    m = report.options.min_group_size
    if len(ds.ties) and by:
        rel = ds.advice_relations()
        png, caption = group_map_png(ds, by, rel, ds.tie_wave(report.wave), m)
        images["network_map"] = png
        report.map_note = caption
    mix = report.table(f"learning_{by}")
    overall = report.table("learning_mix")
    org = None
    if len(overall) and "experience" in set(overall["measure"]):
        values = dict(zip(overall["measure"], overall["value"], strict=True))
        org = {b.name: float(values[b.name]) for b in SEVENTY_TWENTY_TEN}
    if len(mix) or org:
        images["learning_mix"] = learning_mix_png(mix if len(mix) else pd.DataFrame({by: []}), by, org)
    card = report.table("five_shifts")
    if len(card) and card["score"].notna().any():
        scored = card[card["score"].notna()]
        images["shifts"] = bar_chart(
            [f"{t}: {s}" for t, s in zip(scored["type"], scored["shift"], strict=True)],
            [float(x) for x in scored["score"]],
            "The five shifts (0 = old pole, 100 = networked pole)",
            horizontal=True,
            limits=(0, 100),
            fmt="{:.0f}",
        )
    dims = report.table("trust_dimensions")
    if len(dims):
        images["trust"] = bar_chart(
            list(dims["label"]),
            [float(x) for x in dims["mean"]],
            "Trust: mean score per wirearchy dimension (1–5)",
            limits=(1, 5),
        )
    gaps = report.table("skill_gaps").head(10)
    if len(gaps):
        images["skill_gaps"] = bar_chart(
            list(gaps["skill"]),
            [float(x) for x in gaps["total_gap"]],
            "Biggest skill gaps: levels missing across the organisation",
            horizontal=True,
            fmt="{:.0f}",
        )
    return images


# --- the pages' pictures (Vega-Lite, through Altair) -------------------------------------------------

#: The 70:20:10 buckets as a reader sees them on a chart.
BUCKET_LABELS: dict[str, str] = {"experience": "Experience", "others": "Others", "formal": "Formal"}
#: The "about 80% informal" reference (:mod:`lib.analysis.learning`: everything but FSL).
INFORMAL_REFERENCE = 0.8
_TEXT = "#31333F"  # Streamlit's text colour
_MUTED = "#5F6B7A"  # 4.5:1 on white


def _frame(chart: alt.LayerChart, row: int) -> alt.LayerChart:
    """``chart`` with ``row`` pixels per row of its discrete y axis (its width: the column's), without a
    frame around the plot."""
    framed: alt.LayerChart = chart.properties(height=alt.Step(row)).configure_view(stroke=None)
    return framed


def mix_chart(buckets: dict[str, float | None], wave: str) -> alt.LayerChart | None:
    """The learning mix (experience : others : formal, of learning time) as one stacked bar, with
    the 70:20:10 reference as a second bar and the "about 80% informal" reference as a dashed line
    across both (informal = experience + others, so the line meets the formal share's edge).
    Every segment carries its per cent, so no meaning rests on colour alone. None without a mix."""
    if any(buckets.get(b.name) is None for b in SEVENTY_TWENTY_TEN):
        return None
    own = f"Now ({wave})" if wave else "Now"
    rows = []
    for row, values in ((own, buckets), ("70:20:10", {b.name: b.reference for b in SEVENTY_TWENTY_TEN})):
        start = 0.0
        for b in SEVENTY_TWENTY_TEN:
            share = float(values[b.name] or 0.0)
            rows.append(
                {
                    "row": row,
                    "bucket": BUCKET_LABELS[b.name],
                    "share": share,
                    "start": start,
                    "end": start + share,
                    "mid": start + share / 2,
                    "text": f"{share:.0%}" if share >= 0.06 else "",
                    "ink": "white" if b.name == "experience" else "black",
                }
            )
            start += share
    data = pd.DataFrame(rows)
    colour = alt.Color(
        "bucket:N",
        scale=alt.Scale(
            domain=[BUCKET_LABELS[b.name] for b in SEVENTY_TWENTY_TEN],
            range=[BUCKET_COLOURS[b.name] for b in SEVENTY_TWENTY_TEN],
        ),
        legend=alt.Legend(title=None, orient="top", direction="horizontal", labelColor=_TEXT),
        sort=None,
    )
    y = alt.Y(
        "row:N",
        sort=[own, "70:20:10"],
        title=None,
        axis=alt.Axis(labelColor=_TEXT, ticks=False, domain=False),
    )
    base = alt.Chart(data)
    bars = base.mark_bar(height=26).encode(
        x=alt.X(
            "start:Q",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(
                values=[0, 0.5, INFORMAL_REFERENCE],
                # the dashed line's own label: the reference it draws
                labelExpr=f"datum.value == {INFORMAL_REFERENCE} ? '{INFORMAL_REFERENCE:.0%} informal' : format(datum.value, '.0%')",
                labelColor=_MUTED,
                labelFontWeight="bold",
            ),
            title=None,
        ),
        x2="end:Q",
        y=y,
        color=colour,
        tooltip=[
            alt.Tooltip("row:N", title="Bar"),
            alt.Tooltip("bucket:N", title="Learning"),
            alt.Tooltip("share:Q", title="Share", format=".0%"),
        ],
    )
    labels = base.mark_text(fontSize=12, fontWeight="bold").encode(
        x="mid:Q", y=y, text="text:N", color=alt.Color("ink:N", scale=None)
    )
    line = pd.DataFrame({"x": [INFORMAL_REFERENCE]})
    rule = alt.Chart(line).mark_rule(strokeDash=[5, 3], strokeWidth=2, color=_TEXT).encode(x="x:Q")
    return _frame(alt.LayerChart(layer=[bars, labels, rule]), 32)


def shifts_chart(
    now: dict[str, float | None],
    before: dict[str, float | None] | None,
    names: dict[str, str],
    wave: str,
    previous: str | None,
) -> alt.LayerChart | None:
    """The five shifts on their 0–100 scales (0 = the old pole, 100 = the networked one), one row
    each: a dot for ``wave`` with its score, a hollow diamond for the ``previous`` wave. None
    when no shift has a score."""
    rows = []
    for code, name in names.items():
        for label, scores, is_now in ((wave, now, True), (previous, before, False)):
            value = None if scores is None else scores.get(code)
            if label is None or value is None:
                continue
            rows.append(
                {
                    "shift": name,
                    "code": code,
                    "wave": str(label),
                    "score": float(value),
                    "now": is_now,
                    "text": f"{value:.0f}",
                }
            )
    if not any(r["now"] for r in rows):
        return None
    data = pd.DataFrame(rows)
    order = list(names.values())
    y = alt.Y(
        "shift:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelColor=_TEXT, ticks=False, domain=False, labelLimit=180),
    )
    track = (
        alt.Chart(pd.DataFrame({"shift": order, "lo": 0, "hi": 100}))
        .mark_rule(color="#E3E6EA", strokeWidth=6)
        .encode(
            x=alt.X(
                "lo:Q",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=[0, 50, 100], labelColor=_MUTED),
                title=None,
            ),
            x2="hi:Q",
            y=y,
        )
    )
    waves_shown = [w for w in (previous, wave) if w is not None]
    dots = (
        alt.Chart(data)
        .mark_point(size=110, opacity=1, strokeWidth=2)
        .encode(
            x="score:Q",
            y=y,
            shape=alt.Shape(
                "wave:N",
                scale=alt.Scale(domain=waves_shown, range=["diamond", "circle"][-len(waves_shown) :]),
                legend=alt.Legend(title=None, orient="top", direction="horizontal", labelColor=_TEXT),
            ),
            color=alt.Color(
                "wave:N",
                scale=alt.Scale(domain=waves_shown, range=["#8A94A3", "#0072B2"][-len(waves_shown) :]),
                legend=alt.Legend(title=None, orient="top", direction="horizontal", labelColor=_TEXT),
            ),
            fill=alt.condition("datum.now", alt.value("#0072B2"), alt.value("white")),
            tooltip=[
                alt.Tooltip("shift:N", title="Shift"),
                alt.Tooltip("wave:N", title="Wave"),
                alt.Tooltip("score:Q", title="Score (0–100)", format=".0f"),
            ],
        )
    )
    text = (
        alt.Chart(data[data["now"]])
        .mark_text(dy=-11, fontSize=11, fontWeight="bold", color=_TEXT)
        .encode(x="score:Q", y=y, text="text:N")
    )
    return _frame(alt.LayerChart(layer=[track, dots, text]), 24)


def sparkline_chart(values: list[float]) -> alt.Chart:
    """A headline tile's values over the waves, oldest first, as a small line with a point per wave
    and no axes: the trend at a glance (the numbers are in the tile; each point's tooltip has its
    value). Drawn by us rather than by ``st.metric(chart_data=...)``, whose hover layer leaves an
    unlabelled SVG group that screen readers (and axe's svg-img-alt rule) cannot describe."""
    data = pd.DataFrame({"wave": range(1, len(values) + 1), "value": [float(v) for v in values]})
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_line(color=_MUTED, strokeWidth=2, point=alt.OverlayMarkDef(color=_MUTED, size=30))
        .encode(
            x=alt.X("wave:O", axis=None),
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False, nice=False)),
            tooltip=[
                alt.Tooltip("wave:O", title="Wave"),
                alt.Tooltip("value:Q", title="Value", format=",.3~f"),
            ],
        )
        .properties(height=36)
        .configure_view(stroke=None)
    )
    return chart


def gaps_chart(gaps: list[tuple[str, float]]) -> alt.LayerChart | None:
    """The biggest skill gaps as bars: levels missing across the organisation, per skill."""
    if not gaps:
        return None
    data = pd.DataFrame([{"skill": s, "gap": float(g), "text": f"{g:,.0f}"} for s, g in gaps])
    y = alt.Y(
        "skill:N",
        sort=None,
        title=None,
        axis=alt.Axis(labelColor=_TEXT, ticks=False, domain=False, labelLimit=120),
    )
    x = alt.X("gap:Q", axis=None, scale=alt.Scale(domain=[0, float(data["gap"].max()) * 1.3]))
    bars = (
        alt.Chart(data)
        .mark_bar(color="#0072B2", height=14)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("skill:N", title="Skill"),
                alt.Tooltip("gap:Q", title="Levels missing", format=",.0f"),
            ],
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=3, color=_TEXT, fontSize=11)
        .encode(x=x, y=y, text="text:N")
    )
    return _frame(alt.LayerChart(layer=[bars, text]), 22)


def evidence_chart(
    rows: list[tuple[str, float, bool]],
    domain: tuple[float, float],
    fmt: str,
    rules: list[tuple[float, str]] | None = None,
    band: tuple[float, float, str] | None = None,
    origin: float | None = None,
) -> alt.LayerChart | None:
    """A finding's small evidence chart: one bar per ``(label, value, is_the_finding)`` row, drawn
    from the low end of ``domain`` with its value written (d3 format ``fmt``); the finding's own
    bar in colour, context in grey. ``rules``: dashed reference lines ``(value, label)`` (the rule's
    thresholds); ``band``: a shaded ``(low, high, label)`` range (what a random network gives);
    ``origin``: where the bars start, when not at the low end (0 for an index running −1 to +1)."""
    clean = [(label, value, own) for label, value, own in rows if value == value]
    if not clean:
        return None
    lo, hi = domain
    data = pd.DataFrame(
        [
            {"label": label, "value": value, "base": lo if origin is None else origin, "own": own}
            for label, value, own in clean
        ]
    )
    y = alt.Y(
        "label:N",
        sort=None,
        title=None,
        axis=alt.Axis(labelColor=_TEXT, ticks=False, domain=False, labelLimit=220),
    )
    x = alt.X(
        "base:Q",
        scale=alt.Scale(domain=[lo, hi], clamp=True),
        stack=None,
        title=None,
        axis=alt.Axis(format=fmt, labelColor=_MUTED, tickCount=4),
    )
    layer: list[Any] = []
    if band is not None:
        shade = pd.DataFrame([{"low": band[0], "high": band[1], "text": band[2]}])
        layer.append(
            alt.Chart(shade)
            .mark_rect(color="#D5DAE1", opacity=0.8)
            .encode(
                x=alt.X("low:Q", scale=alt.Scale(domain=[lo, hi], clamp=True)),
                x2="high:Q",
                tooltip=[alt.Tooltip("text:N", title="Shaded")],
            )
        )
    layer.append(
        alt.Chart(data)
        .mark_bar(height=14)
        .encode(
            x=x,
            x2="value:Q",
            y=y,
            color=alt.condition("datum.own", alt.value("#0072B2"), alt.value("#8A94A3")),
            tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value:Q", title="Value", format=fmt)],
        )
    )
    sides: tuple[tuple[Literal["left", "right"], int, str], ...] = (
        ("left", 4, "datum.value >= datum.base"),
        ("right", -4, "datum.value < datum.base"),
    )
    for side, dx, test in sides:
        layer.append(  # the value written past the bar's end, whichever way it points
            alt.Chart(data)
            .transform_filter(test)
            .mark_text(align=side, dx=dx, color=_TEXT, fontSize=11)
            .encode(x="value:Q", y=y, text=alt.Text("value:Q", format=fmt))
        )
    if rules:
        lines = pd.DataFrame([{"x": value, "text": text} for value, text in rules])
        layer.append(
            alt.Chart(lines)
            .mark_rule(strokeDash=[4, 3], color=_TEXT)
            .encode(
                x="x:Q",
                tooltip=[alt.Tooltip("text:N", title="Line"), alt.Tooltip("x:Q", title="At", format=fmt)],
            )
        )
    return _frame(alt.LayerChart(layer=layer), 22)
