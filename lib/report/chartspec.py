"""A chart as data: what the slide plan's charts show, drawn by each output in its own way.

A :class:`ChartSpec` holds categories, series of values, the unit and the scale, and nothing about
drawing. The deck draws it as a native PowerPoint chart (:mod:`lib.report.deck`), the Present page
as a plotly figure (:mod:`lib.app.present_view`) and the HTML report as a PNG (:func:`png`, with
matplotlib's object API, offline). One spec, three renderers: the same numbers everywhere.

Colours are Okabe–Ito (distinguishable with the common colour-vision deficiencies); a reference
or threshold series is grey and a previous wave light blue, so no meaning rests on hue alone
(each series is named in the legend).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lib.core.sanitise import chart_label

__all__ = [
    "FORMATS",
    "MEASURED",
    "PREVIOUS",
    "REFERENCE",
    "ChartSpec",
    "Series",
    "Unit",
    "png",
    "value_text",
]

Unit = Literal["share", "count", "score", "mean", "correlation", "ratio"]

#: unit → (Excel/PowerPoint number format, Python format, d3 format for plotly)
FORMATS: dict[str, tuple[str, str, str]] = {
    "share": ("0%", "{:.0%}", ".0%"),
    "count": ("0", "{:.0f}", ".0f"),
    "score": ("0", "{:.0f}", ".0f"),
    "mean": ("0.0", "{:.1f}", ".1f"),
    "correlation": ("+0.00;-0.00;0.00", "{:+.2f}", "+.2f"),
    "ratio": ("0.0", "{:.1f}", ".1f"),
}

MEASURED = "#0072B2"  # blue: this organisation, this wave
PREVIOUS = "#56B4E9"  # sky blue: the previous wave
REFERENCE = "#8C8C8C"  # grey: a reference or a finding's threshold


@dataclass(frozen=True)
class Series:
    """One named series: a value per category (None = no value), drawn in ``colour``."""

    name: str
    values: tuple[float | None, ...]
    colour: str = MEASURED


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart (or the group map, ``image="network_map"``) as data.

    ``alt``: one sentence saying what the chart shows (alt text, and the slide's caption).
    ``stacked``: the series add up along each bar (the learning mix); otherwise side by side.
    ``horizontal``: bars run left to right, first category at the top.
    """

    alt: str
    categories: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    unit: Unit = "share"
    scale: tuple[float, float] | None = None
    stacked: bool = False
    horizontal: bool = True
    image: str = ""  # a key of Report.images: the chart is that picture

    @property
    def number_format(self) -> str:
        return FORMATS[self.unit][0]

    @property
    def d3_format(self) -> str:
        return FORMATS[self.unit][2]

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to draw (no picture, and no value in any series)."""
        return not self.image and not any(v is not None for s in self.series for v in s.values)


def value_text(value: float | None, unit: Unit) -> str:
    """A value as the chart labels it ("–" for none)."""
    if value is None or math.isnan(value):
        return "–"
    return FORMATS[unit][1].format(value)


_DPI = 110


def png(spec: ChartSpec, images: dict[str, bytes] | None = None) -> bytes:
    """The chart as a PNG (for the HTML report). A picture chart returns its image from ``images``."""
    if spec.image:
        return (images or {}).get(spec.image, b"")
    n = len(spec.categories)
    fig = Figure(figsize=(10, max(3.2, 0.5 * n * (1 if spec.stacked else max(1, len(spec.series))) + 1.6)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names = [chart_label(c, 40) for c in spec.categories]
    pos = np.arange(n)
    left = np.zeros(n)
    width = 0.8 if spec.stacked else 0.8 / max(1, len(spec.series))
    for k, s in enumerate(spec.series):
        values = np.array([0.0 if v is None or math.isnan(v) else v for v in s.values])
        offset = pos if spec.stacked else pos - 0.4 + width * (k + 0.5)
        label = chart_label(s.name, 40)
        if spec.horizontal:
            bars = ax.barh(
                offset, values, height=width, left=left if spec.stacked else None, color=s.colour, label=label
            )
        else:
            bars = ax.bar(
                offset,
                values,
                width=width,
                bottom=left if spec.stacked else None,
                color=s.colour,
                label=label,
            )
        texts = (
            [value_text(v, spec.unit) if v else "" for v in s.values]
            if spec.stacked
            else [value_text(v, spec.unit) for v in s.values]
        )
        ax.bar_label(
            bars,
            labels=texts,
            label_type="center" if spec.stacked else "edge",
            fontsize=11,
            padding=0 if spec.stacked else 3,
        )
        if spec.stacked:
            left += values
    if spec.horizontal:
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
        if spec.scale:
            ax.set_xlim(*spec.scale)
    else:
        ax.set_xticks(pos, names, rotation=15)
        if spec.scale:
            ax.set_ylim(*spec.scale)
    fmt = FORMATS[spec.unit][1]
    (ax.xaxis if spec.horizontal else ax.yaxis).set_major_formatter(lambda v, _pos: fmt.format(v))
    if len(spec.series) > 1:
        ax.legend(
            ncol=min(4, len(spec.series)),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.1),
            frameon=False,
            fontsize=11,
        )
    ax.tick_params(labelsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=_DPI, bbox_inches="tight", facecolor="white")
    return out.getvalue()
