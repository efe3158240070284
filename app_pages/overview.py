"""Overview: the landing page. Headline measures, plain-language findings, and what changed between waves."""

from collections.abc import Iterable

import streamlit as st

from lib.analysis.findings import Facts, rules_table
from lib.analysis.overview import FACT_SECTIONS, facts_section, headline_of, merge_facts, wave_and_previous
from lib.app import overview_view, tables, ui
from lib.core.memory import release_free_memory

ui.guard("overview")  # stops here for a role that may not open this page

ds = ui.dataset()
cfg = ui.settings()
top, pick = st.columns([4, 1], vertical_alignment="bottom")
top.title("🧭 How this organisation learns")
st.caption(
    "Work is done by teams and networks, and most workplace learning is informal. These numbers follow "
    "Harold Jarche's framework for social learning in the enterprise."
)
ui.require(len(ds.people) > 0, "No people loaded yet: upload a workbook on the Data page.")

waves = ds.waves
wave = pick.selectbox("Wave", waves, index=len(waves) - 1, key="overview-wave") if len(waves) > 1 else None
shown, previous = wave_and_previous(ds, wave)
# the sparklines: every wave up to the one shown, oldest first
spark_waves = waves[: waves.index(shown) + 1] if shown in waves else [shown]


def wave_facts(label: str, sections: Iterable[str] = FACT_SECTIONS) -> Facts:
    """The facts of one wave, every section (each cached once per session and dataset; the
    sample's once per server)."""
    return merge_facts([ui.compute(facts_section, name, label, cfg.min_group_size) for name in sections])


# Places first, filled as each section is ready: tiles and pictures, then findings, then the
# change since the previous wave, then the sparklines of older waves.
board = overview_view.Board.place()
order = list(overview_view.SECTION_ORDER)  # the number tiles' sections first
calls = [(facts_section, (name, shown, cfg.min_group_size)) for name in order]
earlier_calls = [(facts_section, (name, previous, cfg.min_group_size)) for name in order] if previous else []
spark_calls = [
    (facts_section, (name, label, cfg.min_group_size))
    for label in spark_waves[:-2]
    for name in overview_view.SPARK_SECTIONS
]
# A revisit, or the sample on any visit: every section is at hand, so each place is drawn once, in
# its final state, with no progress box (step by step, the sample's first screen sent the browser
# 276 messages, every tile and the findings several times; drawn once, 150).
settled = ui.ready(calls + earlier_calls + spark_calls)
parts: list[Facts] = []
with ui.progress("Computing the overview", shown=not settled) as step:
    tiles_done = overview_view.TILES_STAGE  # the tiles' sections come first (the skill gaps' too)
    # with the background thread, when it has started them; the tiles as one stage
    results = ui.compute_in_order(calls, stages=(tiles_done,))
    for name in order:
        step(FACT_SECTIONS[name])
        parts.append(next(results))
        if settled:
            continue
        head = headline_of(shown, merge_facts(parts))
        board.draw(head, set(order[: len(parts)]))
        if tiles_done <= len(parts) < len(order):  # the findings so far, saying what they wait for
            board.draw_findings(head, [FACT_SECTIONS[n] for n in order[len(parts) :]])
    now = merge_facts(parts)
    head = headline_of(shown, now)
    if not settled:
        board.draw_findings(head, [], ds)
        release_free_memory()  # between the phases: what the sections freed goes back to the system
        step("the department map")
        board.draw_map(ds, cfg, shown)
    history = {shown: overview_view.tile_values(shown, now)}
    if previous is not None:  # each tile's change since the wave before, the key people's last
        earlier: list[Facts] = []
        results = ui.compute_in_order(earlier_calls, stages=(tiles_done,))
        for name in order:
            step(f"{FACT_SECTIONS[name]} in {previous}, for the change")
            earlier.append(next(results))
        before = merge_facts(earlier)
        if not settled:
            release_free_memory()
        history[previous] = overview_view.tile_values(previous, before)
    # the tiles with each one's change since the wave before (the findings read this wave alone)
    final = head if previous is None else headline_of(shown, now, before)
    if settled and ui.first_look("overview"):  # a session's first look: the numbers, then the page
        board.draw_numbers(final)
        ui.come_back()
    if previous is not None:
        for label in reversed(spark_waves[:-2]):  # older waves: only what the sparklines read
            step(f"{label}, for the sparklines")
            history[label] = overview_view.tile_values(label, wave_facts(label, overview_view.SPARK_SECTIONS))
        board.draw(final, set(order), [history[w] for w in spark_waves if w in history], (previous, before))
    elif settled:
        board.draw(head, set(order))
    if settled:
        board.draw_findings(head, [], ds)
        board.draw_map(ds, cfg, shown)

overview_view.export_section(ds, cfg, wave)

with st.expander("How findings are made"):
    st.write("Each finding comes from one rule in a single table: the measure it reads and the thresholds.")
    tables.show(rules_table(), key="rules-table")

if len(waves) > 1:
    overview_view.wave_comparison(waves, cfg, wave_facts)
