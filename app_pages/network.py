"""Network: who goes to whom. The interactive map, the organisation's measures, people, groups, roles
and the key-person what-if. Names, the people table, ego maps and key people only in the named
view; groups under the minimum size never show. Heavy results are computed only when shown."""

import pandas as pd
import plotly.express as px
import streamlit as st

from lib.analysis import netmap, network, response, roles
from lib.app import tables, ui
from lib.core import privacy, waves
from lib.core.sanitise import escape
from lib.report import definitions, map_html

ui.guard("network")  # stops here for a role that may not open this page
ds = ui.dataset()
s = ui.settings()
named, n = s.individuals_visible, len(ds.people)
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
    th = roles.RoleThresholds(
        connector_top_share=st.slider(
            "Central connectors: top share by in-degree", 0.01, 0.5, 0.10, key="net_th_conn"
        ),
        broker_top_share=st.slider("Brokers: top share by betweenness", 0.01, 0.5, 0.10, key="net_th_broker"),
        peripheral_max_degree=st.number_input(
            "Peripheral: at most this many ties", 1, 10, 1, key="net_th_peri"
        ),
    )
rel, wave = tuple(relations), (None if wave_label == "All waves" else wave_label)
answered = ui.compute(response.network_response, wave)
st.caption(answered.text())
if answered.warning:
    st.warning(answered.warning)
labels = ui.compute(privacy.person_labels, s.pseudonyms) if named else None


def person_data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Measures, roles and the people table: only the person map and the person tabs need them."""
    measures = ui.compute(network.person_measures, rel, wave)
    role_table = ui.compute(netmap.network_roles, netmap.Measured(rel, wave, measures), th)
    return (
        measures,
        role_table,
        netmap.people_table(ds, measures, role_table, labels, pseudonyms=s.pseudonyms),
    )


# --- the map ---------------------------------------------------------------------------------------
modes = [v for v in ("People", "Groups") if (v == "People" and named) or (v == "Groups" and group_attr)]
ui.require(bool(modes), "Add a team or department column to the people sheet to see the group map.")
mode = st.radio(
    "Map of",
    modes,
    key="net_view",
    horizontal=True,
    index=modes.index("Groups") if "Groups" in modes and n > netmap.PERSON_MAP_LIMIT else 0,
    help=f"Above {netmap.PERSON_MAP_LIMIT:,} people the map opens on groups; drill into one group to see its people.",
)
m = None
if mode == "Groups":
    if not named:
        st.caption("Aggregate view: the map shows groups only; names and person-level maps are hidden.")
    m = ui.compute(
        netmap.group_map,
        group_attr,
        relations=rel,
        wave=wave,
        min_group_size=s.min_group_size,
        complementary=not named,
    )
else:
    k1, k2, k3, k4 = st.columns(4)
    colour_options = [*attrs, "community", "network_role"]
    colour_by = k1.selectbox(
        "Colour by",
        colour_options,
        index=colour_options.index(netmap.default_colour_attribute(ds) or "community"),
        key="net_colour",
        format_func=netmap.pretty,
        help="Department by default; team and the other attributes when chosen.",
    )
    measures, role_table, table = person_data()
    numeric = [c for c in measures.columns if c != "community"]
    size_by = k2.selectbox(
        "Size by",
        numeric,
        index=numeric.index("in_degree"),
        key="net_size",
        format_func=netmap.pretty,
        help="A dot's area grows with this measure; the People tab defines each one.",
    )
    show = k3.radio(
        "Show",
        [
            o
            for o in ("Everyone", "One group", "One person")
            if o != "Everyone" or n <= netmap.DRILL_DOWN_LIMIT
        ]
        if group_attr
        else ["Everyone", "One person"],
        key="net_scope",
    )
    scope = netmap.Scope()
    if show == "One group" and group_attr:
        options = sorted(netmap.category_text(ds.people[group_attr]).unique())
        scope = netmap.Scope(
            group_attr, k4.selectbox(f"Which {netmap.pretty(group_attr)}", options, key="net_group")
        )
    elif show == "One person" and labels is not None:
        person = k4.selectbox("Person", list(labels), format_func=labels.__getitem__, key="net_person")
        scope = netmap.Scope(person=person, steps=k4.radio("Steps", [1, 2], horizontal=True, key="net_steps"))
    members = len(ui.compute(netmap.scope_people, scope, rel, wave))
    if members > netmap.DRILL_DOWN_LIMIT:
        st.info(
            f"{members:,} people are too many to draw one by one: choose a smaller group (e.g. by team), one person, or the group map."
        )
    else:
        positions = (
            ui.compute(netmap.layout_positions, rel, wave, scope) if members > netmap.PHYSICS_LIMIT else None
        )
        m = netmap.person_map(
            ds,
            table,
            colour_by=colour_by,
            size_by=size_by,
            labels=labels,
            relations=rel,
            wave=wave,
            scope=scope,
            positions=positions,
        )
if m is not None and not m.nodes:
    st.info("Nothing to draw: " + netmap.map_summary(m))
elif m is not None:
    st.iframe(map_html.render_html(m, height=620), height=630, alt="Network map")
    st.caption(netmap.map_summary(m) + " Hover a dot for details; drag to move, scroll to zoom.")

# --- beside the map (only the open tab runs) ------------------------------------------------------
tabs = st.tabs(["Organisation", "People", "Groups", "Roles", "Key people"], key="net_tab", on_change="rerun")
if tabs[0].open is not False:
    with tabs[0]:
        summary = ui.compute(network.network_measures, rel, wave)
        undirected = [r for r in rel if r in response.UNDIRECTED_RELATIONS]
        rebuild = bool(undirected and answered.rate < 1) and st.toggle(
            f"Reconstruct non-respondents' {', '.join(undirected)} ties from what others reported",
            key="net_symmetrise",
            help="Working together goes both ways: a respondent's tie to someone who did not answer is "
            "copied back (symmetrisation), and the measures are then on everyone.",
        )
        among, added = ui.compute(network.respondent_measures, rel, wave, rebuild)
        basis = "everyone, ties reconstructed" if rebuild else f"the {answered.count} respondents"
        on = {
            "density": summary,
            "reciprocity_arc": among,
            "transitivity": among,
            "modularity_teams": summary,
        }
        for col, (fld, source) in zip(st.columns(4), on.items(), strict=True):
            col.metric(
                netmap.pretty(fld),
                netmap.fmt(getattr(source, fld)),
                help=definitions.text(fld)
                + (f" On {basis}." if source is among else " On every report, all people."),
            )
        table = netmap.summary_table(summary, definitions.summary_texts()).rename(
            columns={"value": "all reports"}
        )
        table.insert(2, f"on {basis}", netmap.summary_table(among, definitions.summary_texts())["value"])
        chance = ui.compute(network.random_baseline, rel, wave)
        table.insert(
            3,
            "random network: expected [95% interval]",
            [
                f"{netmap.fmt(chance[k][0])} [{netmap.fmt(chance[k][1])}–{netmap.fmt(chance[k][2])}]"
                if k in chance
                else ""
                for k in summary.as_dict()
                if k != "relations"
            ],
        )
        st.dataframe(table, hide_index=True, width="stretch")
        if rebuild:
            st.caption(f"{added} ties reconstructed by symmetrisation (a respondent's tie copied back).")
if tabs[1].open and not named:
    tabs[1].info("The people table is hidden in the aggregate view.")
elif tabs[1].open:
    with tabs[1]:
        measures, _, table = person_data()
        people = table.reset_index(drop=s.pseudonyms)
        tables.show(people, key="net-people", help_texts={c: definitions.text(c) for c in measures.columns})
        ui.download_table(people, "network_people.csv")
        if measures.attrs.get("betweenness_estimated"):
            st.caption(
                f"Betweenness is estimated from {measures.attrs['betweenness_samples']} sampled people (large network)."
            )
if tabs[2].open and not group_attr:
    tabs[2].info("Add a team or department column to the people sheet to compare groups.")
elif tabs[2].open and network.numeric_attribute(ds, group_attr):
    tabs[2].info(ui.compute(network.ei_index, group_attr, rel, wave).note)
elif tabs[2].open:
    with tabs[2]:
        ei = ui.compute(network.ei_index, group_attr, rel, wave)
        checked = network.shown_ei_groups(ds, ei, s.min_group_size, across=not named)
        visible = privacy.shown(checked)
        keep = list(visible["group"])
        matrix = ui.compute(network.group_matrix, group_attr, rel, wave).loc[keep, keep]
        matrix.index = matrix.columns = [escape(g) for g in keep]  # plotly reads tags in labels
        st.metric("E-I index, whole organisation", netmap.fmt(ei.overall), help=definitions.text("ei_index"))
        st.plotly_chart(
            px.imshow(
                matrix,
                text_auto=True,
                color_continuous_scale="Blues",
                labels={"x": "to", "y": "from", "color": "ties"},
            ),
            width="stretch",
        )
        tables.show(
            visible.drop(columns=["reason"]),
            key="net-ei",
            help_texts={"ei": definitions.text("ei_index"), "ei_sent": definitions.text("ei_index")},
        )
        st.caption(privacy.suppression_note(checked, s.min_group_size) or "Every group is shown.")
if tabs[3].open:
    with tabs[3]:
        _, role_table, table = person_data()
        counts = netmap.role_counts(role_table, definitions.role_texts(role_table.attrs.get("thresholds")))
        if not named:
            counts = privacy.shown(
                privacy.suppress_small_groups(counts, "people", s.min_group_size, value_cols=[])
            )
        tables.show(counts, key="net-role-counts")
        for note in role_table.attrs.get("notes", []):
            st.caption(f"Not assessed: {note}.")
        if named:
            has_role = table["network_role"] != netmap.NO_ROLE
            tables.show(table.loc[has_role, ["person", "network_role", "role_reason"]], key="net-roles")
if tabs[4].open and labels is None:
    tabs[4].info("Key people are named only in the named view.")
elif tabs[4].open and labels is not None:
    with tabs[4]:
        if st.toggle(
            "Rank the people the network depends on most",
            value=n <= netmap.PERSON_MAP_LIMIT,
            key="net_rank",
            help="Removes each candidate in turn and measures what the others lose; about a minute at 20,000 people.",
        ):
            ranked = ui.compute(roles.rank_key_people, rel, wave, 10).copy()
            ranked.insert(1, "person", [labels.get(p, p) for p in ranked["person_id"]])
            tables.show(ranked.drop(columns=["person_id"]), key="net-key-people")
        remove = st.multiselect(
            "What if these people left?", list(labels), format_func=labels.__getitem__, key="net_remove"
        )
        if remove:
            imp = ui.compute(roles.key_person_impact, tuple(remove), rel, wave)
            i1, i2, i3 = st.columns(3)
            i1.metric(
                "Reachable pairs lost",
                netmap.fmt(imp.reach_lost_share * 100) + " %",
                help=definitions.text("key_person_impact"),
            )
            i2.metric(
                "Connectedness after",
                netmap.fmt(imp.connectedness_after),
                delta=netmap.fmt(imp.connectedness_after - imp.connectedness_before),
            )
            i3.metric("Extra fragments", imp.components_added)
            cut = ", ".join(labels.get(p, p) for p in imp.cut_off[:20]) + (
                " …" if len(imp.cut_off) > 20 else ""
            )
            st.text(
                f"Groups split apart: {', '.join(imp.groups_split) or 'none'}. People cut off: {len(imp.cut_off)} {cut}"
            )
