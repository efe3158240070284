"""Overview: the landing page. Headline measures, plain-language findings, and what changed between waves."""

import streamlit as st

from lib.analysis.findings import Facts, rules_table
from lib.analysis.overview import (
    FACT_SECTIONS,
    TILE_SECTIONS,
    Headline,
    facts_section,
    headline_of,
    merge_facts,
    wave_and_previous,
)
from lib.app import overview_view, ui
from lib.report import columns, definitions

ui.guard("overview")  # stops here for a role that may not open this page
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
shown, previous = wave_and_previous(ds, wave)

SHIFT_LABELS = {
    "ASL": "Stocks → flow",
    "PDL": "Clockwork → complexity",
    "GDL": "Worker → team centric",
    "IOL": "Experts → networks",
    "FSL": "Curriculum → competency",
}
TILE_ROWS = (
    ("people", "response_rate", "informal_share", "wirearchy_index", "advice_reciprocity"),
    ("silo_groups", "key_people", "top_gaps"),
)


def wave_facts(label: str) -> Facts:
    """The facts of one wave, every section (each cached once per session and dataset; the
    sample's once per server)."""
    return merge_facts([ui.compute(facts_section, name, label, cfg.min_group_size) for name in FACT_SECTIONS])


# Placeholders first, filled as each section is ready: tiles, then findings, then the comparison.
slots = {}
for keys in TILE_ROWS:
    for col, key in zip(st.columns(5), keys, strict=False):
        slots[key] = col.empty()
shift_title = st.empty()
shift_slot = st.empty()
findings_slot = st.empty()


def draw_tiles(head: Headline, done: set[str]) -> None:
    """Every tile whose section is computed; the others say they are on their way."""
    for key, slot in slots.items():
        tile = head.tile(key)
        if TILE_SECTIONS[key] not in done:
            slot.metric(tile.label, "…", help="Being computed.")
        elif key == "top_gaps":
            with slot.container():
                st.markdown("**Biggest skill gaps**", help=definitions.tile_help(tile))
                top_gaps = head.facts.org.get("top_gaps") or []
                assert isinstance(top_gaps, list)  # (skill, total gap) pairs: lib.analysis.overview.facts
                for skill, total in top_gaps:
                    st.markdown(f"- {ui.md(skill)} ({total:.0f} levels short)")
        else:
            slot.metric(
                tile.label,
                tile.text,
                delta=tile.change_text or None,
                help=definitions.tile_help(tile),
                delta_color="off",
            )
    if "learning" in done:
        shift_title.markdown(
            "**The five shifts** (0 = the 'from' pole, 100 = the 'to' pole)",
            help=definitions.tile_help(head.tile("shifts")),
        )
        with shift_slot.container():
            for col, (code, label) in zip(st.columns(5), SHIFT_LABELS.items(), strict=True):
                score = head.facts.org.get(f"shift_{code}")
                col.metric(f"{code}: {label}", "—" if score is None else f"{score:.0f}")


def draw_findings(head: Headline, pending: list[str]) -> None:
    with findings_slot.container():
        st.subheader("Findings")
        if pending:
            st.caption(f"Still being computed: {', '.join(pending)}; findings that read them follow.")
        elif not head.findings:
            st.write("No rule fired on this wave: nothing stands out against the framework's thresholds.")
        for finding in head.findings:
            with st.container(border=True):
                badge = "🔴 strong" if finding.strength == "strong" else "🟠 moderate"
                st.markdown(f"**{ui.md(finding.statement)}** · {badge}")
                st.markdown(f"*What the framework suggests:* {ui.md(finding.suggestion)}")
                evidence = (
                    ", ".join(  # human labels (lib.report.columns), plain text: readable, and contrast passes
                        f"{ui.md(columns.label(k))} = {v:.3g}"
                        if isinstance(v, float)
                        else f"{ui.md(columns.label(k))} = {ui.md(v)}"
                        for k, v in finding.evidence.items()
                    )
                )
                st.caption(f"Evidence: {evidence}")
                st.page_link(PAGE_FILES[finding.page], label=f"Look deeper: {finding.page}", icon="➡️")


parts: list[Facts] = []
order = list(FACT_SECTIONS)  # the key-person what-if (the slowest) last
with ui.progress("Computing the overview") as step:
    for name in order:
        step(FACT_SECTIONS[name])
        parts.append(ui.compute(facts_section, name, shown, cfg.min_group_size))
        head = headline_of(shown, merge_facts(parts))
        draw_tiles(head, set(order[: len(parts)]))
        if len(parts) == len(order) - 1:  # findings need every section; show them without the last
            draw_findings(head, [FACT_SECTIONS[order[-1]]])
    draw_findings(head, [])
    if previous is not None:  # each tile's change since the wave before, the key people's last
        earlier: list[Facts] = []
        for name in order:
            step(f"{FACT_SECTIONS[name]} in {previous}, for the change")
            earlier.append(ui.compute(facts_section, name, previous, cfg.min_group_size))
            if len(earlier) >= len(order) - 1:
                draw_tiles(headline_of(shown, merge_facts(parts), merge_facts(earlier)), set(order))

overview_view.export_section(ds, cfg, wave)

with st.expander("How findings are made"):
    st.write("Each finding comes from one rule in a single table: the measure it reads and the thresholds.")
    st.dataframe(rules_table(), hide_index=True, key="rules-table")

if len(waves) > 1:
    overview_view.wave_comparison(waves, cfg, wave_facts)
