"""Tables on the pages with human column labels and one precision per kind of number.

:func:`show` is ``st.dataframe`` with a ``column_config`` built from :mod:`lib.report.columns`:
``total_gap`` reads "Levels missing", shares show as whole per cent, means with one decimal,
indices as whole numbers. The frame a page passes in keeps its raw names (its CSV download keeps
them too, for analysts); only what the reader sees is relabelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from lib.report import columns, definitions
from lib.report.columns import Kind

__all__ = ["PAGE_FORMATS", "column_config", "display_frame", "show"]

#: How each kind of number is printed on a page (sprintf-js, as st.column_config reads it). Shares
#: are multiplied by 100 first (:func:`display_frame`): Streamlit's own "percent" shows 2 decimals.
PAGE_FORMATS: dict[Kind, str] = {
    "share": "%.0f%%",
    "mean": "%.1f",
    "index": "%.0f",
    "count": "%.0f",
    "coefficient": "%.2f",
    "measure": "%.3g",
    "change": "%+.1f",
}


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as the page shows it: share columns in per cent (0.88 → 88), nothing else changed."""
    out = frame.copy()
    for j, (_name, (_label, kind)) in enumerate(columns.labelled(frame).items()):
        if kind == "share":
            out.isetitem(j, (pd.to_numeric(out.iloc[:, j], errors="coerce") * 100).to_numpy())
    return out


def column_config(frame: pd.DataFrame, help_texts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """st.column_config for every column of ``frame``: its human label, its kind's format, its help
    (``help_texts`` first, else the definitions registry's text for the column, else none)."""
    config: dict[str, Any] = {}
    helps = help_texts or {}
    for name, (text, kind) in columns.labelled(frame).items():
        hint = helps.get(name) or definitions.column_help(name) or None
        if kind in ("text", "date"):
            config[name] = st.column_config.Column(text, help=hint)
        else:
            config[name] = st.column_config.NumberColumn(text, help=hint, format=PAGE_FORMATS[kind])
    return config


def show(
    frame: pd.DataFrame,
    *,
    key: str | None = None,
    help_texts: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    width: Any = "stretch",
    height: Any = "auto",
) -> None:
    """``st.dataframe`` of ``frame`` without its index, every column labelled and formatted.

    ``help_texts``: column name → the tooltip on its header. ``overrides``: column name → a
    ``st.column_config`` column used instead of the generated one (a progress bar, say)."""
    config = column_config(frame, help_texts)
    config.update(overrides or {})
    st.dataframe(
        display_frame(frame), hide_index=True, key=key, column_config=config, width=width, height=height
    )
