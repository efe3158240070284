"""Network: who goes to whom. The interactive map, the organisation's measures, people, groups, roles
and the key-person what-if. Names, the people table, ego maps and key people only in the named
view; groups under the minimum size never show. Heavy results are computed only when shown (each
section's widgets and tables are in lib/app/network_view.py)."""

import streamlit as st

from lib.analysis import netmap, network, response
from lib.app import network_view, ui
from lib.core import privacy, waves

ui.guard("network")  # stops here for a role that may not open this page
ds = ui.dataset()
s = ui.settings()
named = s.individuals_visible
all_relations, attrs = ds.relations, ds.attributes  # each scans a table: once
st.title("🕸️ Network")
st.write(
    "Most know-how travels through informal networks, not the org chart. The map shows who goes to whom; "
    "the tabs give the organisation's measures, each person's position, how groups connect (silos show "
    "as a negative E-I), network roles and what the network would lose if someone left."
)
ui.require(
    bool(all_relations),
    "The loaded data have no ties: add a ties sheet (source_id, target_id, relation) on the Data page.",
)

c1, c2, c3, c4 = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
relations = c1.multiselect(
    "Relations",
    all_relations,
    default=all_relations[:1],
    key="net_relations",
    help="Several relations are combined: a pair tied in any of them counts as one tie.",
)
ui.require(bool(relations), "Choose at least one relation.")
tie_waves = waves.labels(ds.ties)
wave_label = c2.selectbox(
    "Wave",
    [*tie_waves, "All waves"],
    index=max(len(tie_waves) - 1, 0),  # the latest wave, as on the Overview
    key="net_wave",
    disabled=not tie_waves,
    help="Ties without a wave count in every wave. 'All waves' merges every wave's ties into one network.",
)
group_attr = c3.selectbox(  # None when the people sheet has no attribute at all
    "Groups",
    attrs,
    index=attrs.index("department") if "department" in attrs else 0,
    key="net_group_attr",
    format_func=netmap.pretty,
    help="How the group map, the group matrix and the E-I index group people.",
)
with c4.popover("Role thresholds"):
    th = network_view.role_thresholds()
rel, wave = tuple(relations), (None if wave_label == "All waves" else wave_label)
answered = ui.compute(response.network_response, wave)
st.caption(answered.text())
if answered.warning:
    st.warning(answered.warning)
labels = ui.compute(privacy.person_labels, s.pseudonyms) if named else None
view = network_view.View(ds, attrs, s, rel, wave, group_attr, th, answered, labels)

# --- the map ---------------------------------------------------------------------------------------
network_view.network_map(view)

# --- beside the map (only the open tab runs) ------------------------------------------------------
tabs = st.tabs(["Organisation", "People", "Groups", "Roles", "Key people"], key="net_tab", on_change="rerun")
if tabs[0].open is not False:
    with tabs[0]:
        network_view.organisation_tab(view)
if tabs[1].open and not named:
    tabs[1].info("The people table is hidden in the aggregate view.")
elif tabs[1].open:
    with tabs[1]:
        network_view.people_tab(view)
if tabs[2].open and not group_attr:
    tabs[2].info("Add a team or department column to the people sheet to compare groups.")
elif tabs[2].open and network.numeric_attribute(ds, group_attr):
    tabs[2].info(ui.compute(network.ei_index, group_attr, rel, wave).note)
elif tabs[2].open:
    with tabs[2]:
        network_view.groups_tab(view, group_attr)
if tabs[3].open:
    with tabs[3]:
        network_view.roles_tab(view)
if tabs[4].open and labels is None:
    tabs[4].info("Key people are named only in the named view.")
elif tabs[4].open and labels is not None:
    with tabs[4]:
        network_view.key_people_tab(view, labels)
