"""Overview: the landing page. What the loaded data cover, and where to look."""

import streamlit as st

from lib import ui

ds = ui.dataset()
st.title("🧭 How this organisation learns")
st.write(
    "Work is done by teams and networks, and most workplace learning is informal. This dashboard puts "
    "Harold Jarche's framework for social learning in the enterprise into numbers: who goes to whom, how "
    "people learn, how far authority flows two ways, and where competence is thin."
)
cols = st.columns(4)
cols[0].metric("People", f"{len(ds.people):,}")
cols[1].metric("Ties", f"{len(ds.ties):,}")
cols[2].metric("Relations", len(ds.relations))
cols[3].metric("Waves", len(ds.waves) or 1)

st.subheader("Look deeper")
st.page_link("app_pages/network.py", label="Network: connectors, brokers, silos, key-person risk", icon="🕸️")
st.page_link("app_pages/learning.py", label="Learning: the five learning types, stocks and flows, the five shifts", icon="📚")
st.page_link("app_pages/trust.py", label="Trust & wirearchy: survey scales and how authority really flows", icon="🤝")
st.page_link("app_pages/skills.py", label="Skills: gaps, coverage and who can teach whom", icon="🧩")
st.page_link("app_pages/data.py", label="Data: upload your own survey, download the template", icon="📂")
