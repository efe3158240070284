"""The Trust page's building blocks, so the page reads top to bottom: the wirearchy index (weights,
breakdown, suggestions), what people say (the trust survey), the groups compared, and what the
advice network shows. Every function draws into the current Streamlit container."""

from __future__ import annotations

import math

import plotly.express as px
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lib.analysis import hierarchy, response, trust, wirearchy
from lib.app import tables, ui
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.core.sanitise import escape
from lib.report import definitions

__all__ = ["group_section", "index_interval", "index_section", "network_section", "pct", "survey_section"]


def pct(x: float) -> str:
    """A share as a whole percentage; "—" when it is not a number."""
    return "—" if math.isnan(x) else f"{x:.0%}"


def index_section(wave: str | None) -> tuple[tuple[tuple[str, float], ...], DeltaGenerator]:
    """The wirearchy index with its weights' sliders, breakdown and suggestions; returns the weights
    and the place under the index where :func:`index_interval` writes its interval."""
    st.header("The wirearchy index")
    with st.expander("Adjust the weights (default: survey and network count half each)"):
        cols = st.columns(2)
        for comp in wirearchy.INDEX_COMPONENTS:
            cols[0 if comp.source == "survey" else 1].slider(
                comp.label, 0.0, 30.0, comp.weight, 1.0, key=f"weight-{comp.key}", help=comp.scoring
            )
    weights = tuple((c.key, float(st.session_state[f"weight-{c.key}"])) for c in wirearchy.INDEX_COMPONENTS)
    index = wirearchy.combine(ui.compute(wirearchy.index_components, wave), weights)
    st.metric(
        "Wirearchy index (0–100)",
        "—" if math.isnan(index.value) else f"{index.value:.0f}",
        help=definitions.text("wirearchy_index") + "\n\n" + definitions.text("wirearchy_index_interval"),
    )
    slot = st.empty()  # the interval: filled last (index_interval), so the page shows first
    if index.note:
        st.warning(index.note)
    breakdown = index.table[
        ["label", "source", "raw_text", "value", "weight", "contribution", "direction", "status"]
    ]
    tables.show(
        breakdown,
        key="index-breakdown",
        overrides={
            "label": st.column_config.Column("Component"),
            "raw_text": st.column_config.Column("Measured"),
            "value": st.column_config.ProgressColumn(
                "Value (0–100)", min_value=0, max_value=100, format="%.0f"
            ),
            "status": st.column_config.Column("Missing because"),
        },
    )
    with st.expander("How each component is scored"):
        tables.show(
            index.table[["label", "scoring"]],
            key="index-scoring",
            overrides={"label": st.column_config.Column("Component")},
        )
    ui.download_table(index.table, "wirearchy_index.csv", "Download the index breakdown")

    weak = wirearchy.suggestions(index)
    if len(weak):
        st.subheader("What the framework suggests")
        for row in weak.itertuples(index=False):
            st.markdown(f"**{ui.md(row.label)}** ({row.value:.0f}/100): {ui.md(row.suggestion)}")
    return weights, slot


def index_interval(slot: DeltaGenerator, weights: tuple[tuple[str, float], ...], wave: str | None) -> None:
    """The index's 95% bootstrap interval, written into ``slot`` under the index (called after the
    rest of the page has been drawn, as it takes a few seconds)."""
    low, high = ui.compute(wirearchy.index_interval, weights, wave)
    if not math.isnan(low):
        slot.caption(
            f"95% interval {low:.0f}–{high:.0f} (bootstrap over the people who answered; Krackhardt's "
            "hierarchy held at its value)."
        )


def survey_section(ds: Dataset, cfg: ui.Settings, wave: str | None) -> None:
    """What people say: response rate, the dimensions' scores (small groups hidden), items, waves."""
    st.header("What people say")
    if len(ds.trust) == 0:
        st.info("No trust survey in this data: the survey components are missing from the index.")
    else:
        rate = ui.compute(trust.response_rate, wave)
        checked = ui.compute(trust.shown_summary, wave, cfg.min_group_size, not cfg.individuals_visible)
        summary = privacy.shown(checked)
        c1, c2 = st.columns(2)
        c1.metric("Response rate", pct(rate.rate), help=definitions.text("trust_response_rate"))
        c2.metric("Respondents", f"{rate.respondents} of {rate.people}")
        for row in summary[summary["alpha"] < trust.ALPHA_WARNING].itertuples(index=False):
            st.warning(
                f"{ui.md(row.label)}: Cronbach's alpha {row.alpha:.2f} is below {trust.ALPHA_WARNING}; the items do not hang together well enough to average."
            )
        tables.show(
            summary.drop(columns=["dimension"]),
            key="dimension-summary",
            help_texts={
                "alpha": definitions.text("cronbach_alpha"),
                "omega": definitions.text("mcdonald_omega"),
            },
            overrides={"label": st.column_config.Column("Dimension")},
        )
        with st.expander("Items"):
            items = privacy.shown(
                ui.compute(trust.shown_items, wave, cfg.min_group_size, not cfg.individuals_visible)
            )
            tables.show(items, key="item-summary")
            ui.download_table(items, "trust_items.csv", "Download item statistics")
        ui.download_table(summary, "trust_dimensions.csv", "Download dimension scores")
        if len(trust.survey_waves(ds)) > 1:
            by_wave = ui.compute(trust.shown_by_wave, cfg.min_group_size, not cfg.individuals_visible)
            fig = px.line(
                by_wave,
                x="wave",
                y="mean",
                color="label",
                markers=True,
                range_y=[1, 5],
                title="Dimension means by wave",
            )
            st.plotly_chart(fig, key="trust-by-wave")


def group_section(
    ds: Dataset, cfg: ui.Settings, wave: str | None, weights: tuple[tuple[str, float], ...]
) -> None:
    """The groups compared: survey dimensions by group and the wirearchy index by group (small groups hidden)."""
    options = ds.attributes
    default = options.index("department") if "department" in options else 0
    attribute = (
        st.selectbox("Compare groups by", options, index=default, key="trust-group") if options else None
    )
    if attribute and len(ds.trust):
        groups = ui.compute(
            trust.scores_by_group, attribute, wave, cfg.min_group_size, across=not cfg.individuals_visible
        )
        shown = privacy.shown(groups)
        if len(shown):
            grid = shown.pivot(index="group", columns="label", values="mean")
            grid.index = [escape(g) for g in grid.index]
            fig = px.imshow(
                grid,
                zmin=1,
                zmax=5,
                color_continuous_scale="RdYlGn",
                text_auto=".2f",
                aspect="auto",
                labels={"color": "mean (1–5)"},
                title="Dimension means by group",
                height=max(350, 28 * len(grid) + 150),
            )
            st.plotly_chart(fig, key="trust-heatmap")
            ui.download_table(shown, f"trust_by_{attribute}.csv", "Download group scores")
        st.caption(
            privacy.suppression_note(groups, cfg.min_group_size, group_col="group")
            or "Every group is large enough to show."
        )
    if attribute:
        index_groups = ui.compute(
            wirearchy.index_by_group,
            attribute,
            weights,
            wave,
            cfg.min_group_size,
            not cfg.individuals_visible,
        )
        by_group = privacy.shown(index_groups).sort_values("index")
        if len(by_group):
            fig = px.bar(
                by_group.assign(group=by_group["group"].map(escape)),
                x="index",
                y="group",
                orientation="h",
                range_x=[0, 100],
                title="Wirearchy index by group",
                hover_data=["components", "people"],
            )
            st.plotly_chart(fig, key="index-by-group")
        st.caption(privacy.suppression_note(index_groups, cfg.min_group_size))


def network_section(cfg: ui.Settings, wave: str | None) -> None:
    """What the advice network shows: its direction, reciprocity, hierarchy, seniority and hidden leaders."""
    st.header("What the network shows")
    flow = ui.compute(hierarchy.advice_flow, wave)
    if flow.ties == 0:
        st.info(
            "No advice ties in this data (relation “advice”): the network components are missing from the index."
        )
    else:
        fig = px.bar(
            flow.table(),
            x="share",
            y="basis",
            color="direction",
            orientation="h",
            text_auto=".0%",
            title="Which way advice goes (asker → adviser)",
        )
        st.plotly_chart(fig, key="advice-flow")
        st.caption(definitions.text("advice_flow").split("\n\n")[0])
        rec = ui.compute(hierarchy.cross_level_reciprocity, wave)
        hier = ui.compute(hierarchy.advice_hierarchy, wave, True)
        answered = ui.compute(response.network_response, wave)
        st.caption(answered.text())
        if answered.warning:
            st.warning(answered.warning)
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(
            "Advice returned across levels",
            pct(rec.cross_level),
            help=definitions.text("cross_level_reciprocity"),
        )
        c2.metric(
            "Hierarchy bypass",
            pct(ui.compute(hierarchy.hierarchy_bypass, wave)),
            help=definitions.text("hierarchy_bypass"),
        )
        c3.metric(
            "Krackhardt hierarchy (respondents)",
            "—" if math.isnan(hier.value) else f"{hier.value:.2f}",
            help=definitions.text("advice_hierarchy") + "\n\n" + definitions.text("krackhardt_hierarchy"),
        )
        c4.metric(
            "Trust ties returned",
            pct(ui.compute(hierarchy.trust_reciprocity, wave)),
            help=definitions.text("trust_reciprocity"),
        )
        levels = ui.compute(hierarchy.flow_by_level, cfg.min_group_size, wave, not cfg.individuals_visible)
        tables.show(privacy.shown(levels), key="flow-by-level")
        st.caption(privacy.suppression_note(levels, cfg.min_group_size))

        st.subheader("Seniority versus advice")
        corr = ui.compute(hierarchy.seniority_advice_correlation, wave, True)
        st.metric(
            "Rank correlation of seniority and being sought for advice, off the reporting chain",
            "—" if math.isnan(corr.rho) else f"{corr.rho:+.2f}",
            help=definitions.text("seniority_advice_correlation"),
        )
        if not math.isnan(corr.p_permutation):
            st.caption(
                f"Node-label permutation test (seniority shuffled over people, 999 draws): p = {corr.p_permutation:.3f}"
                f"{'' if corr.p_permutation < 0.05 else ', within what chance gives'}. Names from a person's own "
                "reports and managers are left out, so reporting lines do not count as knowledge authority."
            )
        if cfg.individuals_visible:
            degrees = ui.with_names(ui.compute(hierarchy.advice_in_degree, wave)).dropna(subset=["level"])
            fig = px.strip(
                degrees.assign(person=degrees["person"].map(escape)),
                x="level",
                y="in_degree",
                hover_name="person",
                title="Each person: level (1 = most senior) and advice in-degree",
            )
            st.plotly_chart(fig, key="seniority-scatter")
            top = st.slider(
                "Hidden leaders: top share by advice in-degree",
                0.05,
                0.5,
                hierarchy.HIDDEN_LEADER_TOP_SHARE,
                0.05,
                key="hl-top",
            )
            junior = st.slider(
                "…and most junior share by level",
                0.1,
                0.8,
                hierarchy.HIDDEN_LEADER_JUNIOR_SHARE,
                0.05,
                key="hl-junior",
            )
            leaders = ui.compute(hierarchy.hidden_leaders, top, junior, wave)
            st.markdown(
                f"**Hidden leaders**: named for advice by at least {leaders.in_degree_threshold:.0f} people, at level {leaders.level_threshold:.0f} or more junior (level 1 = most senior).",
                help=definitions.text("hidden_leaders"),
            )
            hidden = ui.with_names(
                leaders.people.drop(columns=["name"])
            )  # with_names shows name or pseudonym
            tables.show(hidden, key="hidden-leaders")
            ui.download_table(hidden, "hidden_leaders.csv", "Download hidden leaders")
        else:
            by_level = privacy.shown(
                ui.compute(hierarchy.advice_by_level, cfg.min_group_size, wave, not cfg.individuals_visible)
            )
            if len(by_level):
                st.plotly_chart(
                    px.bar(by_level, x="level", y="mean_in_degree", title="Mean advice in-degree by level"),
                    key="advice-by-level",
                )
            st.caption("Hidden leaders and person-level charts are shown only in the named view.")
