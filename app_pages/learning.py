"""Learning: Hart's five learning types, stocks and flows, and Jarche's five shifts scorecard (each
section's charts and tables are in lib/app/learning_view.py)."""

import streamlit as st

from lib.app import learning_view, ui
from lib.core import waves

ui.guard("learning")  # stops here for a role that may not open this page
ds = ui.dataset()
s = ui.settings()
st.title("📚 How people learn")
st.write(
    "Jane Hart's five types of workplace learning show *how* people learn; Harold Jarche's five shifts "
    "show where the organisation stands between the old way of working and the networked one. "
    "Groups smaller than the minimum group size are never shown."
)
ui.require(
    bool(len(ds.learning) or len(ds.interactions) or len(ds.ties)),
    "This page needs a learning sheet (hours per learning type), an interactions log or ties. "
    "Download the template on the Data page.",
)
labels = ds.waves
wave = (
    st.selectbox("Survey wave", labels, index=len(labels) - 1, key="learning-wave")
    if len(labels) > 1
    else None
)
wave = waves.resolve(wave, labels)
before = labels[labels.index(wave) - 1] if wave in labels and labels.index(wave) > 0 else None

mix_tab, flow_tab, shift_tab = st.tabs(["Learning mix", "Stocks & flows", "The five shifts"])

with mix_tab:
    summary = learning_view.mix_summary(s, wave, before)
    learning_view.group_mix(ds, s, wave, summary)
    learning_view.types_reference()
    learning_view.network_mix(s, wave)

with flow_tab:
    learning_view.flows_section(ds, s, wave, before)

with shift_tab:
    learning_view.shifts_section(s, wave, before)
