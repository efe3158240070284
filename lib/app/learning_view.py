"""The Learning page's building blocks, so the page reads top to bottom: the learning mix (headline
metrics, the groups' mix against 70:20:10, the types' reference, learning through the network),
stocks and flows, and the five shifts scorecard. Every function draws into the current Streamlit
container; the page opens the tabs."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from lib.analysis import flows, learning, shifts
from lib.app import tables, ui
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.core.sanitise import escape
from lib.core.schema import LEARNING_TYPES
from lib.report import definitions

__all__ = [
    "flows_section",
    "group_mix",
    "mix_summary",
    "network_mix",
    "pct",
    "shifts_section",
    "types_reference",
]

TYPES = list(LEARNING_TYPES)


def pct(x: float | None) -> str:
    """A share as a whole percentage; "–" when there is none."""
    return "–" if x is None or pd.isna(x) else f"{100 * x:.0f}%"


def mix_summary(s: ui.Settings, wave: str | None, before: str | None) -> learning.MixSummary:
    """The organisation's learning mix as metrics (with the change since ``before``), or why it is withheld."""
    summary = ui.compute(learning.overall_mix, wave, s.min_group_size, not s.individuals_visible)
    if summary.suppressed and not privacy.large_enough(summary.respondents, s.min_group_size):
        st.info(f"Learning mix: {summary.respondents} respondents with hours, fewer than {s.min_group_size}.")
    elif summary.suppressed:
        st.info(
            f"Learning mix withheld in the aggregate view: this wave's respondents differ from another wave's by "
            f"fewer than {s.min_group_size} people, so comparing the two mixes would give those people away."
        )
    else:
        prev = (
            ui.compute(learning.overall_mix, before, s.min_group_size, not s.individuals_visible)
            if before
            else None
        )
        cols = st.columns(4)
        cols[0].metric("Respondents", summary.respondents, help=definitions.text("learning_respondents"))
        cols[1].metric(
            "Informal share",
            pct(summary.informal_share),
            help=definitions.text("overall_mix"),
            delta=None
            if prev is None or prev.suppressed
            else f"{100 * (summary.informal_share - prev.informal_share):+.0f} pts",
        )
        cols[2].metric(
            "Reference: informal",
            pct(learning.INFORMAL_REFERENCE),
            help=definitions.text("informal_reference"),
        )
        cols[3].metric(
            "Self-directed (IOL+GDL+PDL)",
            pct(summary.self_directed_share),
            help=definitions.text("self_directed_share"),
        )
        if summary.zero_total:
            st.caption(f"{summary.zero_total} people reported zero hours: counted, not divided by.")
        lo, hi = summary.informal_share_ci
        if not pd.isna(lo):
            st.caption(
                f"Informal share {pct(summary.informal_share)}, 95% bootstrap interval {pct(lo)}–{pct(hi)}."
            )
        if summary.shares_ci:
            st.caption(
                "Each type's share, 95% bootstrap interval over respondents: "
                + "; ".join(
                    f"{t} {pct(summary.shares[t])} ({pct(lo)}–{pct(hi)})"
                    for t, (lo, hi) in summary.shares_ci.items()
                )
                + "."
            )
        if summary.interval_note:  # fewer resamples for a large organisation, with their error
            st.caption(summary.interval_note)
        note = ui.compute(learning.wording_note, before, wave) if prev is not None else ""
        if note:
            st.warning(note)
        st.caption(f"Learning questions in this wave: {ui.compute(learning.wave_wording, wave).text}.")
    return summary


def group_mix(ds: Dataset, s: ui.Settings, wave: str | None, summary: learning.MixSummary) -> None:
    """The groups' learning mix and 70:20:10 split as bars (small groups hidden), with downloads and spread."""
    by = st.selectbox("Compare groups by", [*ds.attributes, "wave"], key="learning-by")
    table = ui.compute(learning.group_mix, by, wave, s.min_group_size, not s.individuals_visible)
    shown = privacy.shown(table)
    st.caption(privacy.suppression_note(table, s.min_group_size))
    if len(shown):
        org = {by: "Whole organisation", **summary.shares} if not summary.suppressed else None
        bars = pd.concat([shown[[by, *TYPES]], pd.DataFrame([org] if org else [])], ignore_index=True)
        bars[by] = bars[by].map(escape)
        long = bars.melt(id_vars=by, value_vars=TYPES, var_name="type", value_name="share")
        st.plotly_chart(
            px.bar(
                long,
                y=by,
                x="share",
                color="type",
                pattern_shape="type",  # readable in greyscale and for colour-blind readers too
                orientation="h",
                title="Learning mix per group (mean of each person's shares)",
            ),
            key="mix-bar",
        )
        buckets = [b.name for b in learning.SEVENTY_TWENTY_TEN]
        ref = pd.DataFrame(
            [{by: "Reference 70:20:10", **{b.name: b.reference for b in learning.SEVENTY_TWENTY_TEN}}]
        )
        b70 = pd.concat([shown[[by, *buckets]].assign(**{by: shown[by].map(escape)}), ref], ignore_index=True)
        st.plotly_chart(
            px.bar(
                b70.melt(id_vars=by, value_vars=buckets, var_name="source", value_name="share"),
                y=by,
                x="share",
                color="source",
                pattern_shape="source",
                orientation="h",
                title="Experience : others : formal against 70:20:10",
            ),
            key="mix-702010",
        )
        st.caption(
            f"70:20:10: {learning.REFERENCES['70:20:10'][1]}. About 80% informal: "
            f"{learning.REFERENCES['informal_share'][1]}. {learning.REFERENCES['ASL'][1][0].upper()}"
            f"{learning.REFERENCES['ASL'][1][1:]}."
        )
        ui.download_table(
            table.drop(columns=["suppressed_reason"]), f"learning-mix-by-{by}.csv", key="dl-mix"
        )
        ci = ui.compute(learning.mix_intervals, by, wave, s.min_group_size, not s.individuals_visible)
        with st.expander("Each type's share with its 95% interval (bootstrap over respondents)"):
            tables.show(ci, key="learning-intervals")
            ui.download_table(ci, f"learning-intervals-by-{by}.csv", key="dl-intervals")
        spread = ui.compute(learning.group_spread, by, wave, s.min_group_size, not s.individuals_visible)
        with st.expander("Spread between people (quartiles, not just the mean)"):
            tables.show(spread, key="learning-spread")
            ui.download_table(spread, f"learning-spread-by-{by}.csv", key="dl-spread")


def types_reference() -> None:
    """The five types, the 70:20:10 mapping and what the framework suggests, in an expander."""
    with st.expander("The five types, the 70:20:10 mapping, and what to do"):
        tables.show(
            pd.DataFrame(
                {
                    "type": TYPES,
                    "what it is": [LEARNING_TYPES[t] for t in TYPES],
                    "what the framework suggests": [learning.LEARNING_SUGGESTIONS[t] for t in TYPES],
                }
            ),
            key="learning-types",
        )
        tables.show(
            pd.DataFrame(
                [
                    {
                        "70:20:10 term": b.name,
                        "reference": pct(b.reference),
                        "types": " + ".join(b.types),
                        "why": b.why,
                    }
                    for b in learning.SEVENTY_TWENTY_TEN
                ]
            ),
            key="learning-702010",
        )


def network_mix(s: ui.Settings, wave: str | None) -> None:
    """Learning that flows through the network, and (named view) who people learn from per type."""
    net = ui.compute(learning.network_learning_mix, wave)
    if len(net) and privacy.large_enough(net["people"].sum(), s.min_group_size):
        st.subheader("Learning that flows through the network")
        st.plotly_chart(
            px.bar(net, x="learning_type", y="share", title="Share of tie weight per learning type"),
            key="net-mix",
        )
        ui.download_table(net, "network-learning-mix.csv", key="dl-net")
        if s.individuals_visible:
            st.subheader("Who people learn from, per type", help=definitions.text("learning_hubs"))
            hubs = ui.with_names(ui.compute(learning.learning_hubs, wave))
            tables.show(hubs.drop(columns=["person_id"], errors="ignore"), key="learning-hubs")


def flows_section(ds: Dataset, s: ui.Settings, wave: str | None, before: str | None) -> None:
    """Stocks and flows: the flow share and its trend, per group, neglected stock and (named view) who."""
    st.write(
        "Stocks are what we know (documents, wikis); flows are how we learn (conversations). "
        "Jarche: balance them, and let flows keep stocks alive."
    )
    fs = ui.compute(flows.flow_share, wave)
    if fs.source == "":
        st.info("No interactions log and no ties with a mode (stock/flow): collect a collaboration log.")
    else:
        prev_fs = ui.compute(flows.flow_share, before) if before else None
        delta = (
            None
            if prev_fs is None or pd.isna(prev_fs.share)
            else f"{100 * (fs.share - prev_fs.share):+.0f} pts"
        )
        st.metric(
            f"Flow share of knowledge activity ({fs.source})",
            pct(fs.share),
            delta=delta,
            help=definitions.text("flow_share"),
        )
        freq = st.radio(
            "Trend by",
            ["M", "W"],
            format_func={"M": "month", "W": "week"}.get,
            horizontal=True,
            key="flow-freq",
        )
        trend = privacy.shown(ui.compute(flows.flow_trend, freq, s.min_group_size))
        if len(trend):
            st.plotly_chart(
                px.line(
                    trend,
                    x="period",
                    y="flow_share",
                    markers=True,
                    range_y=[0, 1],
                    title="Flow share over time",
                ),
                key="flow-trend",
            )
            ui.download_table(trend, "flow-trend.csv", key="dl-trend")
        group = st.selectbox("Flow share per", ds.attributes or ["team"], key="flow-by")
        by_group = ui.compute(flows.flow_share_by_group, group, s.min_group_size, not s.individuals_visible)
        st.caption(privacy.suppression_note(by_group, s.min_group_size))
        if len(privacy.shown(by_group)):
            shown_g = privacy.shown(by_group).assign(**{group: lambda d: d[group].map(escape)})
            st.plotly_chart(px.bar(shown_g, x=group, y="flow_share", range_y=[0, 1]), key="flow-group")
            ui.download_table(privacy.shown(by_group), f"flow-share-by-{group}.csv", key="dl-flow-group")
        neglected = ui.compute(flows.neglected_stock)
        if len(neglected):
            st.subheader("Stock nobody reads or discusses", help=definitions.text("neglected_stock"))
            st.write(
                f"{int(neglected['unread'].sum())} of {len(neglected)} documents are never read by anyone but "
                f"their authors; {int(neglected['undiscussed'].sum())} are never talked about in a flow channel."
            )
            tables.show(neglected, key="neglected-stock")
            ui.download_table(neglected, "neglected-stock.csv", key="dl-neglected")
        if s.individuals_visible:
            left, right = st.columns(2)
            for col, fn, title, key in (
                (left, flows.stock_producers, "Who produces stock", "stock-producers"),
                (right, flows.conversation_hubs, "Who carries flow", "conversation-hubs"),
            ):
                people = ui.compute(fn, 15)
                col.subheader(title, help=definitions.text(fn.__name__))
                with col:
                    tables.show(ui.with_names(people).drop(columns=["person_id"], errors="ignore"), key=key)


def shifts_section(s: ui.Settings, wave: str | None, before: str | None) -> None:
    """Jarche's five shifts: one gauge per shift (with the change since ``before``) and what each uses."""
    st.write(
        "Each shift runs from an old pole (0) to a networked pole (100). A shift without data says what "
        "to collect instead of showing a number."
    )
    card = ui.compute(shifts.scorecard, wave, s.min_group_size)
    prev_card = (
        {x.code: x.score for x in ui.compute(shifts.scorecard, before, s.min_group_size)} if before else {}
    )
    for col, shift in zip(st.columns(5), card, strict=True):
        col.markdown(f"**{shift.code}** · {shift.name}", help=definitions.text(f"shift_{shift.code.lower()}"))
        if shift.score is None:
            col.info("No score. Collect: " + shift.collect)
            continue
        previous = prev_card.get(shift.code)
        fig = go.Figure(
            go.Indicator(
                mode="gauge+number" + ("+delta" if previous is not None else ""),
                value=shift.score,
                delta={"reference": previous} if previous is not None else None,
                gauge={"axis": {"range": [0, 100]}},
                number={"valueformat": ".0f"},
            )
        )
        fig.update_layout(height=190, margin={"l": 25, "r": 25, "t": 20, "b": 10})
        col.plotly_chart(fig, key=f"gauge-{shift.code}")
    for shift in card:
        with st.expander(f"{shift.code} — {shift.from_pole} (0) → {shift.to_pole} (100)"):
            st.markdown(definitions.text(f"shift_{shift.code.lower()}"))  # the formula, once
            st.markdown(
                f"**Uses:** {', '.join(shift.inputs_used) or '–'}  \n"
                f"**Missing:** {', '.join(shift.inputs_missing) or 'nothing'}"
            )
            st.markdown(f"**What the framework suggests:** {shift.suggestion}")
            if shift.note:
                st.caption(shift.note)
    ui.download_table(
        ui.compute(shifts.scorecard_table, wave, s.min_group_size), "five-shifts.csv", key="dl-shifts"
    )
