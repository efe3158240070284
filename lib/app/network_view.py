"""The Network page's building blocks, so the page reads top to bottom: the role thresholds, the
map (people or groups) and the body of each tab beside it. Every function draws into the current
Streamlit container; the page decides which tab runs. Widget keys start with ``net_``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.express as px
import streamlit as st

from lib.analysis import netmap, network, response, roles
from lib.app import tables, ui
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.sanitise import escape
from lib.report import definitions, map_html

__all__ = [
    "View",
    "groups_tab",
    "key_people_tab",
    "network_map",
    "organisation_tab",
    "people_tab",
    "role_thresholds",
    "roles_tab",
]


@dataclass(frozen=True)
class View:
    """What every section of the Network page shares: the data, the viewer's settings and the
    chosen relations, wave, grouping and role thresholds. ``labels`` is None in the aggregate view."""

    ds: Dataset
    attrs: list[str]
    settings: ui.Settings
    rel: tuple[str, ...]
    wave: str | None
    group_attr: str | None
    th: roles.RoleThresholds
    answered: response.Response
    labels: dict[str, str] | None

    @property
    def named(self) -> bool:
        """True in the named view (names, the people table, ego maps and key people show)."""
        return self.settings.individuals_visible

    @property
    def n(self) -> int:
        """How many people the data hold."""
        return len(self.ds.people)

    def person_data(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Measures, roles and the people table: only the person map and the person tabs need them."""
        measures = ui.compute(network.person_measures, self.rel, self.wave)
        role_table = ui.compute(netmap.network_roles, netmap.Measured(self.rel, self.wave, measures), self.th)
        return (
            measures,
            role_table,
            netmap.people_table(
                self.ds, measures, role_table, self.labels, pseudonyms=self.settings.pseudonyms
            ),
        )


def role_thresholds() -> roles.RoleThresholds:
    """The role thresholds' widgets (drawn in the current container, e.g. a popover)."""
    return roles.RoleThresholds(
        connector_top_share=st.slider(
            "Central connectors: top share by in-degree", 0.01, 0.5, 0.10, key="net_th_conn"
        ),
        broker_top_share=st.slider("Brokers: top share by betweenness", 0.01, 0.5, 0.10, key="net_th_broker"),
        peripheral_max_degree=st.number_input(
            "Peripheral: at most this many ties", 1, 10, 1, key="net_th_peri"
        ),
    )


def prefetch(ds: Dataset, cfg: ui.Settings) -> None:
    """Start the default person map's layout in the background (:func:`ui.prefetch`), as the page
    would ask for it: the first relation, the latest tie wave, everyone. Only where the page opens
    on that map (a named view of at most :data:`netmap.PERSON_MAP_LIMIT` people) and lays it out on
    the server (above :data:`netmap.PHYSICS_LIMIT`): igraph's layout takes 1-2 s at 1,000 people."""
    if not cfg.individuals_visible or not netmap.PHYSICS_LIMIT < len(ds.people) <= netmap.PERSON_MAP_LIMIT:
        return
    default = ds.remember("network_view.default_map", lambda: _default_map(ds))  # app.py asks every run
    if default is not None:
        ui.prefetch(netmap.layout_positions, *default, netmap.Scope())


def _default_map(ds: Dataset) -> tuple[tuple[str, ...], str | None] | None:
    """The relations and tie wave the page opens on (the first relation, the latest tie wave), or
    None without ties."""
    relations = ds.relations
    if not relations:
        return None
    tie_waves = waves.labels(ds.ties)
    return tuple(relations[:1]), (tie_waves[-1] if tie_waves else None)


def network_map(v: View) -> None:
    """The map: a choice of people or groups, the person map's colour, size and scope, then the map."""
    n, named, group_attr = v.n, v.named, v.group_attr
    modes = [m for m in ("People", "Groups") if (m == "People" and named) or (m == "Groups" and group_attr)]
    ui.require(bool(modes), "Add a team or department column to the people sheet to see the group map.")
    mode = st.radio(
        "Map of",
        modes,
        key="net_view",
        horizontal=True,
        index=modes.index("Groups") if "Groups" in modes and n > netmap.PERSON_MAP_LIMIT else 0,
        help=f"Above {netmap.PERSON_MAP_LIMIT:,} people the map opens on groups; drill into one group to see its people.",
    )
    m: netmap.NetworkMap | None
    if mode == "Groups":
        if not named:
            st.caption("Aggregate view: the map shows groups only; names and person-level maps are hidden.")
        m = ui.compute(
            netmap.group_map,
            group_attr,
            relations=v.rel,
            wave=v.wave,
            min_group_size=v.settings.min_group_size,
            complementary=not named,
        )
    else:
        m = _person_map(v)
    if m is not None and not m.nodes:
        st.info("Nothing to draw: " + netmap.map_summary(m))
    elif m is not None:
        st.iframe(map_html.render_html(m, height=620), height=630, alt="Network map")
        st.caption(netmap.map_summary(m) + " Hover a dot for details; drag to move, scroll to zoom.")


def _person_map(v: View) -> netmap.NetworkMap | None:
    """The person map's widgets and the map; None (with a note) when the scope has too many people."""
    ds, n, group_attr, labels = v.ds, v.n, v.group_attr, v.labels
    k1, k2, k3, k4 = st.columns(4)
    colour_options = [*v.attrs, "community", "network_role"]
    colour_by = k1.selectbox(
        "Colour by",
        colour_options,
        index=colour_options.index(netmap.default_colour_attribute(ds) or "community"),
        key="net_colour",
        format_func=netmap.pretty,
        help="Department by default; team and the other attributes when chosen.",
    )
    measures, _, table = v.person_data()
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
    members = len(ui.compute(netmap.scope_people, scope, v.rel, v.wave))
    if members > netmap.DRILL_DOWN_LIMIT:
        st.info(
            f"{members:,} people are too many to draw one by one: choose a smaller group (e.g. by team), one person, or the group map."
        )
        return None
    positions = (
        ui.compute(netmap.layout_positions, v.rel, v.wave, scope) if members > netmap.PHYSICS_LIMIT else None
    )
    return netmap.person_map(
        ds,
        table,
        colour_by=colour_by,
        size_by=size_by,
        labels=labels,
        relations=v.rel,
        wave=v.wave,
        scope=scope,
        positions=positions,
    )


def organisation_tab(v: View) -> None:
    """The organisation's measures: four metrics and the table against a random network."""
    rel, wave, answered = v.rel, v.wave, v.answered
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


def people_tab(v: View) -> None:
    """Each person's measures (named view only), with a download."""
    measures, _, table = v.person_data()
    people = table.reset_index(drop=v.settings.pseudonyms)
    tables.show(people, key="net-people", help_texts={c: definitions.text(c) for c in measures.columns})
    if note := network.not_measured_note(measures):
        st.caption(note)
    ui.download_table(people, "network_people.csv")
    if measures.attrs.get("betweenness_note"):
        st.caption(measures.attrs["betweenness_note"])


def groups_tab(v: View, group_attr: str) -> None:
    """How groups connect: the E-I index, the group matrix and the groups' table (small groups hidden)."""
    ds, rel, wave, s = v.ds, v.rel, v.wave, v.settings
    ei = ui.compute(network.ei_index, group_attr, rel, wave)
    checked = network.shown_ei_groups(ds, ei, s.min_group_size, across=not v.named)
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


def roles_tab(v: View) -> None:
    """Network roles: how many people hold each (small counts hidden in the aggregate view) and who."""
    measures, role_table, table = v.person_data()
    if measures.attrs.get("betweenness_note"):
        st.caption(measures.attrs["betweenness_note"] + " Brokers are chosen on these estimates.")
    counts = netmap.role_counts(role_table, definitions.role_texts(role_table.attrs.get("thresholds")))
    if not v.named:
        counts = privacy.shown(
            privacy.suppress_small_groups(counts, "people", v.settings.min_group_size, value_cols=[])
        )
    tables.show(counts, key="net-role-counts")
    for note in role_table.attrs.get("notes", []):
        st.caption(f"Not assessed: {note}.")
    if v.named:
        has_role = table["network_role"] != netmap.NO_ROLE
        tables.show(table.loc[has_role, ["person", "network_role", "role_reason"]], key="net-roles")


def key_people_tab(v: View, labels: dict[str, str]) -> None:
    """The people the network depends on most, and what the network loses if chosen people left."""
    rel, wave = v.rel, v.wave
    if st.toggle(
        "Rank the people the network depends on most",
        value=v.n <= netmap.PERSON_MAP_LIMIT,
        key="net_rank",
        help="Removes each candidate in turn and measures what the others lose; about a minute at 20,000 people.",
    ):
        ranked = ui.compute(roles.rank_key_people_among_respondents, rel, wave, 10)
        st.caption(ranked.attrs.get("population", ""))
        ranked = ranked.copy()
        ranked.insert(1, "person", [labels.get(p, p) for p in ranked["person_id"]])
        tables.show(ranked.drop(columns=["person_id"]), key="net-key-people")
    remove = st.multiselect(
        "What if these people left?", list(labels), format_func=labels.__getitem__, key="net_remove"
    )
    if not remove:
        return
    imp = ui.compute(roles.key_person_impact, tuple(remove), rel, wave)
    if v.answered.rate < 1:
        st.caption(
            "The what-if uses every report, so anyone can be chosen; someone who did not answer may have ties "
            "nobody reported, so 'cut off' can overstate what they lose."
        )
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
    cut = ", ".join(labels.get(p, p) for p in imp.cut_off[:20]) + (" …" if len(imp.cut_off) > 20 else "")
    st.text(
        f"Groups split apart: {', '.join(imp.groups_split) or 'none'}. People cut off: {len(imp.cut_off)} {cut}"
    )
