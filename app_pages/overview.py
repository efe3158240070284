"""Overview: the landing page. Headline measures, plain-language findings, and what changed between waves."""

import streamlit as st

from lib import ui
from lib.findings import rules_table
from lib.overview import compare_waves, headline, position_changes, tie_changes, what_changed

PAGE_FILES = {
    "Network": "app_pages/network.py",
    "Learning": "app_pages/learning.py",
    "Trust & wirearchy": "app_pages/trust.py",
    "Skills": "app_pages/skills.py",
    "Data": "app_pages/data.py",
}

ds = ui.dataset()
cfg = ui.settings()
st.title("🧭 How this organisation learns")
st.caption(
    "Work is done by teams and networks, and most workplace learning is informal. These numbers follow "
    "Harold Jarche's framework for social learning in the enterprise."
)
ui.require(len(ds.people) > 0, "No people loaded yet: upload a workbook on the Data page.")

waves = ds.waves
wave = st.selectbox("Wave", waves, index=len(waves) - 1, key="overview-wave") if len(waves) > 1 else None
head = ui.compute(headline, wave, cfg.min_group_size)

for row in (head.tiles[:5], head.tiles[5:]):
    cols = st.columns(len(row))
    for col, tile in zip(cols, row, strict=True):
        col.metric(tile.label, tile.text, delta=tile.change_text or None, help=tile.help, delta_color="off")

st.subheader("Findings")
if not head.findings:
    st.write("No rule fired on this wave: nothing stands out against the framework's thresholds.")
for i, finding in enumerate(head.findings):
    with st.container(border=True):
        badge = "🔴 strong" if finding.strength == "strong" else "🟠 moderate"
        st.markdown(f"**{ui.md(finding.statement)}** · {badge}")
        st.markdown(f"*What the framework suggests:* {ui.md(finding.suggestion)}")
        evidence = ", ".join(f"`{k}` = {v:.3g}" if isinstance(v, float) else f"`{k}` = {v}" for k, v in finding.evidence.items())
        st.caption(f"Evidence: {ui.md(evidence)}")
        st.page_link(PAGE_FILES[finding.page], label=f"Look deeper: {finding.page}", icon="➡️")

with st.expander("How findings are made"):
    st.write("Each finding comes from one rule in a single table: the measure it reads and the thresholds.")
    st.dataframe(rules_table(), hide_index=True, key="rules-table")

if len(waves) > 1:
    st.subheader("What changed between waves")
    c1, c2 = st.columns(2)
    before = c1.selectbox("From wave", waves, index=len(waves) - 2, key="wave-before")
    after = c2.selectbox("To wave", waves, index=len(waves) - 1, key="wave-after")
    if before == after:
        st.info("Choose two different waves.")
    else:
        for line in ui.compute(what_changed, before, after, cfg.min_group_size) or ["No finding appeared or went away."]:
            st.markdown(f"- {ui.md(line)}")
        st.dataframe(ui.compute(compare_waves, before, after, cfg.min_group_size), hide_index=True, key="wave-table")
        st.write("Ties gained and lost")
        st.dataframe(ui.compute(tie_changes, before, after), hide_index=True, key="tie-changes")
        if cfg.individuals_visible:
            st.write("People whose advice in-degree changed most")
            moved = ui.with_names(ui.compute(position_changes, before, after))
            st.dataframe(moved, hide_index=True, key="position-changes")
