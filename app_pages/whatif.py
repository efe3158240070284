"""What if: remove people or whole groups, or add ties between two groups, and see the headline
measures and the group map before and after, side by side. People are named only in the named view;
the aggregate view removes and connects whole groups of at least the minimum size."""

import streamlit as st

from lib.analysis import netmap, whatif
from lib.app import tables, ui
from lib.core import privacy
from lib.report import definitions, map_html

ui.guard("whatif")
ds = ui.dataset()
cfg = ui.settings()
named = cfg.individuals_visible
st.title("🔀 What if…")
st.write(
    "Try a change before making it: someone leaves, a team moves out, or two groups start asking each other "
    "for advice. The organisation's measures and the map between groups are recomputed on a copy of the data; "
    "nothing is saved."
)
ui.require(len(ds.people) > 0, "No people loaded yet: upload a workbook on the Data page.")
ui.require(len(ds.ties) > 0, "The loaded data have no ties: add a ties sheet on the Data page.")
attrs = ds.attributes
ui.require(bool(attrs), "Add a team or department column to the people sheet to compare groups.")

attr = st.selectbox(
    "Groups by",
    attrs,
    index=attrs.index("department") if "department" in attrs else 0,
    format_func=netmap.pretty,
    key="whatif-attr",
    help="The groups you can remove or connect, and the groups the maps draw.",
)
sizes = whatif.group_values(ds, attr).value_counts()
# The aggregate view offers only the groups it shows anywhere else (lib.core.privacy decides which).
shown_groups = None if named else ui.compute(privacy.roster_release, cfg.min_group_size).allowed(attr)
groups = sorted(str(g) for g in sizes.index if shown_groups is None or str(g) in shown_groups)
labels = ui.person_labels() if named else {}

with st.form("whatif-form"):
    st.markdown("**Who leaves**")
    c1, c2 = st.columns(2)
    leave_groups = c1.multiselect(
        f"Whole {netmap.pretty(attr).lower()}s",
        groups,
        format_func=lambda g: f"{g} ({sizes.get(g, 0)} {'person' if sizes.get(g, 0) == 1 else 'people'})",
        key="whatif-remove-groups",
    )
    leave_people = (
        c2.multiselect("People", list(labels), format_func=labels.__getitem__, key="whatif-remove-people")
        if named
        else []
    )
    if not named:
        c2.caption(
            "Aggregate view: only whole groups can be removed; switch to the named view to remove people."
        )
    st.markdown("**New advice ties between two groups**")
    b1, b2, b3, b4, b5 = st.columns([2, 2, 1, 1, 2])
    group_a = b1.selectbox("Group A", ["", *groups], format_func=lambda g: g or "—", key="whatif-a")
    group_b = b2.selectbox("Group B", ["", *groups], format_func=lambda g: g or "—", key="whatif-b")
    pairs = b3.number_input("Pairs", 1, whatif.MAX_BRIDGE_TIES, 5, key="whatif-pairs")
    seed = b4.number_input(
        "Seed",
        0,
        10_000,
        0,
        key="whatif-seed",
        help="Which people are paired: the same seed, the same pairs.",
    )
    direction = b5.radio(
        "Direction", list(whatif.DIRECTIONS), format_func=whatif.DIRECTIONS.__getitem__, key="whatif-dir"
    )
    if st.form_submit_button("Show before and after", type="primary"):
        bridges = (
            (whatif.Bridge(attr, group_a, group_b, int(pairs), direction, seed=int(seed)),)
            if group_a and group_b
            else ()
        )
        st.session_state["whatif-scenario"] = whatif.Scenario(
            remove_people=tuple(leave_people),
            remove_groups=tuple((attr, g) for g in leave_groups),
            bridges=bridges,
        )

# an empty Scenario until the button is pressed
scenario: whatif.Scenario = st.session_state.get("whatif-scenario") or whatif.Scenario()
ui.require(
    not scenario.is_empty,
    "Choose who leaves or which groups to connect, then press the button.",
)
ui.require(
    named or whatif.aggregate_safe(ds, scenario, cfg.min_group_size),
    "This scenario names people or a group under the minimum size: in the aggregate view, choose whole "
    "groups again and press the button.",
)
try:
    result = ui.compute(whatif.what_if, scenario, None, cfg.min_group_size, attr, not named)
except whatif.ScenarioError as err:
    st.error(ui.md(err))
    st.stop()

for line in whatif.describe(scenario, result.effect, labels if named else None):
    st.markdown(f"- {ui.md(line)}")
for note in result.notes[len(result.effect.notes) :]:
    st.warning(ui.md(note))

rows = result.measures.set_index("measure")
# measure row → short label for the tiles (the table below has every measure in full)
tiles = {
    "People": "People",
    "Who can reach whom (connectedness)": "Who can reach whom",
    "Separate parts of the network (weak components)": "Separate parts",
    f"E-I index between {netmap.pretty(attr).lower()}s": "E-I between groups",
    "Key people": "Key people",
}
for col, (key, label) in zip(st.columns(len(tiles)), tiles.items(), strict=True):
    if key in rows.index:
        # the measures table holds the text it shows ("48%", "0.31", "+3"), as do the tiles
        before, after, change = (str(rows.at[key, column]) for column in ("before", "after", "change"))
        col.metric(
            label,
            after,
            delta=change if change[:1] in "+-" and change else None,
            delta_color="off",
            help=f"{key}. Before: {before}",
        )

left, right = st.columns(2)
for col, title, m in ((left, "Before", result.map_before), (right, "After", result.map_after)):
    with col:
        st.subheader(title)
        st.iframe(map_html.render_html(m, height=460), height=470, alt=f"Group map {title.lower()}")
        st.caption(netmap.map_summary(m))

st.subheader("Every measure, before and after")
tables.show(result.measures[["measure", "before", "after", "change"]], key="whatif-measures")
st.subheader(f"Each {netmap.pretty(attr).lower()}: E-I index before and after")
st.caption(
    definitions.text("ei_index").split("\n")[0]
    + " Groups under the minimum size on either side are left out."
)
tables.show(result.groups, key="whatif-groups")
