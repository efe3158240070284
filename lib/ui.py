"""Shared Streamlit widgets and session plumbing: the one module under lib/ that imports streamlit.

Pages call :func:`dataset` for the loaded data, :func:`compute` for cached analysis results,
:func:`settings` for the viewer's privacy settings and :func:`download_table` for downloads.

Isolation: the loaded dataset and every cached result live in ``st.session_state``, so one
user's upload is never served to another session. Only the bundled sample organisation (public,
the same for everyone) is cached process-wide.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from lib import auth
from lib.dataset import Dataset
from lib.sanitise import safe_csv

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PATH = ROOT / "sample_data" / "sample_org.xlsx"
SAMPLE_LABEL = "Sample organisation (generated, fictitious)"
MIN_GROUP_SIZE = 5
_RESULT_CACHE_ENTRIES = 64

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    view: str  # "named" or "aggregate"
    min_group_size: int
    pseudonyms: bool

    @property
    def individuals_visible(self) -> bool:
        return self.view == "named"


@st.cache_resource(show_spinner="Loading the sample organisation…")
def _sample_dataset() -> Dataset:
    from lib.loader import load_path

    ds = load_path(SAMPLE_PATH)
    ds.source = SAMPLE_LABEL
    return ds


def dataset() -> Dataset:
    """The dataset of this session: the last good upload, or the sample organisation."""
    ds = st.session_state.get("dataset")
    if ds is None:
        ds = _sample_dataset()
        st.session_state["dataset_key"] = "sample"
    return ds


def set_dataset(ds: Dataset | None, key: str = "sample") -> None:
    """Replace this session's dataset (None = back to the sample) and drop its cached results."""
    st.session_state["dataset"] = ds
    st.session_state["dataset_key"] = key
    st.session_state["_results"] = {}


def is_sample() -> bool:
    return st.session_state.get("dataset") is None


def compute(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(dataset(), *args, **kwargs)``, cached in this session, keyed on the dataset's content."""
    ds = dataset()
    key = (
        fn.__module__,
        fn.__qualname__,
        st.session_state.get("dataset_key"),
        repr(args),
        repr(sorted(kwargs.items())),
    )
    cache: dict[Any, Any] = st.session_state.setdefault("_results", {})
    if key not in cache:
        if len(cache) >= _RESULT_CACHE_ENTRIES:
            cache.pop(next(iter(cache)))
        cache[key] = fn(ds, *args, **kwargs)
    return cache[key]  # type: ignore[no-any-return]


def user() -> auth.User:
    """The signed-in user. Nothing configured: one local user with every role (the embedded default)."""
    return st.session_state.get("user", auth.LOCAL_USER)  # type: ignore[no-any-return]


def settings() -> Settings:
    return Settings(
        view=st.session_state.get("view", "named"),
        min_group_size=int(st.session_state.get("min_group_size", MIN_GROUP_SIZE)),
        pseudonyms=bool(st.session_state.get("pseudonyms", False)),
    )


def sidebar() -> None:
    """The shared frame: which data is loaded, and the viewer's privacy settings."""
    st.session_state.setdefault("view", "named")
    st.session_state.setdefault("min_group_size", MIN_GROUP_SIZE)
    st.session_state.setdefault("pseudonyms", False)
    with st.sidebar:
        ds = dataset()
        st.caption(f"Data: **{md(ds.source or 'upload')}** · {len(ds.people):,} people")
        st.radio(
            "Viewer",
            options=["named", "aggregate"],
            format_func=lambda v: {"named": "Named (facilitator)", "aggregate": "Aggregate (executive)"}[v],
            key="view",
            help="Aggregate hides every name, id and person-level table; named shows everything.",
        )
        st.number_input(
            "Minimum group size",
            min_value=MIN_GROUP_SIZE,
            max_value=100,
            step=1,
            key="min_group_size",
            help="Groups smaller than this are never shown in aggregate statistics. It can only be raised.",
        )
        st.checkbox(
            "Show pseudonyms instead of names",
            key="pseudonyms",
            help="Stable pseudonyms, salted per dataset: the same on every page and export.",
        )


def require(ok: bool, message: str) -> None:
    """Guard: show ``message`` and stop the page when the data it needs is missing."""
    if not ok:
        st.info(message)
        st.stop()


def definition(obj: Callable[..., Any] | type) -> str:
    """A metric's definition for help text: its docstring, the one place it is written."""
    return inspect.cleandoc(obj.__doc__ or "")


def download_table(
    df: pd.DataFrame, filename: str, label: str = "Download CSV", key: str | None = None
) -> None:
    """A CSV download with spreadsheet formulas neutralised."""
    st.download_button(
        label,
        data=safe_csv(df),
        file_name=filename,
        mime="text/csv",
        key=key or f"dl-{filename}",
        on_click="ignore",
    )


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def md(text: object) -> str:
    """Escape user text for st.markdown: no links, images, emphasis or HTML can be injected."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def person_labels() -> dict[str, str]:
    """person_id → what this viewer may see: the name, or a stable pseudonym (named view only)."""
    from lib.privacy import person_labels as labels

    return compute(labels, settings().pseudonyms)


def with_names(table: pd.DataFrame, id_col: str = "person_id") -> pd.DataFrame:
    """A person-level table with a ``person`` column (name or pseudonym) in front; ids dropped if pseudonymised."""
    labels = person_labels()
    out = table.copy()
    out.insert(0, "person", out[id_col].astype(str).map(labels).fillna(out[id_col].astype(str)))
    if settings().pseudonyms:
        out = out.drop(columns=[id_col])
    return out
