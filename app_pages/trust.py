"""Trust & wirearchy: what people say (the survey) and what the network shows, and the index that combines them
(each section's charts and tables are in lib/app/trust_view.py)."""

import streamlit as st

from lib.analysis import wirearchy
from lib.app import trust_view, ui

ui.guard("trust")  # stops here for a role that may not open this page
ds = ui.dataset()
cfg = ui.settings()
st.title("🤝 Trust & wirearchy")
st.caption(
    "Wirearchy: “a dynamic two-way flow of power and authority, based on knowledge, trust, credibility and a "
    "focus on results, enabled by interconnected people and technology” (Jon Husband, in Harold Jarche's "
    "framework). Measured here two ways: what people say in the survey and what the advice network shows."
)
ui.require(len(ds.people) > 0, "No people loaded yet: upload a workbook on the Data page.")

waves = ds.waves
wave = st.selectbox("Wave", waves, index=len(waves) - 1, key="trust-wave") if len(waves) > 1 else None
wave = wirearchy.resolve_wave(ds, wave)

# --- the index ---------------------------------------------------------------------------
weights, interval_slot = trust_view.index_section(wave)

# --- what people say ---------------------------------------------------------------------
trust_view.survey_section(ds, cfg, wave)
trust_view.group_section(ds, cfg, wave, weights)

# --- what the network shows --------------------------------------------------------------
trust_view.network_section(cfg, wave)
trust_view.index_interval(interval_slot, weights, wave)  # under the index; last, as it takes a few seconds
