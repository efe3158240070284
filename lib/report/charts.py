"""Static chart images (PNG) for the exports: the group network map and the report's charts.

Drawn with matplotlib's object API (``Figure`` + the Agg canvas, never ``pyplot``), so nothing
global changes and no browser or download is needed (plotly's static images would need Chrome).
User text (group and skill names) is drawn as literal text: ``$`` is escaped so matplotlib never
reads it as mathtext, and characters XML cannot hold are removed.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

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

__all__ = ["BUCKET_COLOURS", "all_images", "bar_chart", "group_map_png", "learning_mix_png", "mpl_text"]

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
    people = (
        netmap.category_text(ds.people[attribute]).value_counts() if attribute in ds.people else pd.Series()
    )
    fig = Figure(figsize=(10, 7))
    ax = fig.add_subplot()
    ax.set_axis_off()
    n = len(m.nodes)
    if n == 0:
        ax.text(0.5, 0.5, "No groups large enough to show.", ha="center", va="center", fontsize=16)
        return _png(fig), " ".join(m.notes)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    pos = {node.id: (math.cos(a), math.sin(a)) for node, a in zip(m.nodes, angles, strict=True)}
    for e in m.edges:
        (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
        ax.plot([x0, x1], [y0, y1], color="#7F8C9A", alpha=0.45, linewidth=0.35 * e.width, zorder=1)
    biggest = max(node.size for node in m.nodes) or 1.0
    for node, a in zip(m.nodes, angles, strict=True):
        x, y = pos[node.id]
        share = node.size / biggest
        ax.scatter([x], [y], s=1800 * share**2, color=node.colour, edgecolor="white", linewidth=1.5, zorder=2)
        count = int(people.get(node.label, 0))
        label = f"{mpl_text(node.label, 26)}\n{count:,} people"
        # labels sit outside the circle, clear of the dot, aligned away from the centre
        reach = 1.0 + 0.1 + 0.12 * share
        c, s_ = math.cos(a), math.sin(a)
        ha = "left" if c > 0.25 else "right" if c < -0.25 else "center"
        va = "bottom" if s_ > 0.25 else "top" if s_ < -0.25 else "center"
        ax.text(reach * c, reach * s_, label, ha=ha, va=va, fontsize=12, zorder=3)
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.45, 1.45)
    ax.set_aspect("equal")
    caption = (
        f"One dot per {attribute} (area ∝ people); line width ∝ ties between the two groups, both "
        "directions counted."
    )
    if m.notes:
        caption += " " + " ".join(m.notes)
    return _png(fig), caption


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
