"""The Overview page's sections: the board above the fold (headline tiles with their sparklines,
the learning mix, the five shifts and the department map as pictures), the findings, the exports
to take away and the comparison of two waves.

Kept out of ``app_pages/overview.py`` so the page reads top to bottom: it computes the fact
sections one by one and hands each result to :class:`Board`, which fills the places it laid out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from lib.analysis import baseline, netmap, skills
from lib.analysis.findings import RULES_BY_KEY, Facts, Finding
from lib.analysis.learning import wording_note
from lib.analysis.overview import (
    TILE_SECTIONS,
    Headline,
    compare_facts,
    facts_section,
    headline_of,
    network_change,
    network_change_lines,
    position_changes,
    wave_and_previous,
    what_changed,
)
from lib.app import tables, ui
from lib.core.dataset import Dataset
from lib.report import charts, columns, definitions
from lib.report.deck import deck_bytes
from lib.report.exports import (
    MIME,
    ExportKind,
    ExportOptions,
    Report,
    build_report,
    export_filename,
    workbook_bytes,
)
from lib.report.html import html_bytes
from lib.store.actions import list_actions
from lib.store.pulse import room_pulse

#: The order the page computes the sections in (and the background thread ahead of it): first those
#: of the seven number tiles, so the tiles are complete as early as the work allows, the key-person
#: what-if (the slowest at scale) last among them; then the pictures beside them (the skill gaps, the
#: five shifts); then what the findings alone read.
SECTION_ORDER: tuple[str, ...] = (
    "roster",
    "network",
    "groups",
    "wirearchy",
    "learning",
    "key_people",
    "skills",
    "shifts",
    "hierarchy",
    "departments",
    "trust",
)


def section_calls(ds: Dataset, min_size: int) -> list[tuple[Callable[..., Any], tuple[Any, ...]]]:
    """What the Overview computes first, in its order, as ``ui.compute`` calls (function, arguments):
    every section of the wave shown by default, then of the wave before it (the tiles' change)."""
    shown, previous = wave_and_previous(ds, None)
    return [
        (facts_section, (name, label, min_size))
        for label in (shown, previous)
        if label is not None
        for name in SECTION_ORDER
    ]


def ahead_calls(
    ds: Dataset, min_size: int, individuals_visible: bool
) -> list[tuple[Callable[..., Any], tuple[Any, ...]]]:
    """What the Overview computes for ``ds`` at its defaults, slowest last: the sections of the two
    latest waves (:func:`section_calls`), then the wave comparison's tests (seconds at 10,000
    people) and, where people may be named, who moved."""
    calls = section_calls(ds, min_size)
    waves = ds.waves
    if len(waves) > 1:
        calls += [
            (what_changed, (waves[-2], waves[-1], min_size)),
            (network_change, (waves[-2], waves[-1])),
        ]
        if individuals_visible:
            calls.append((position_changes, (waves[-2], waves[-1])))
    return calls


def prefetch(cfg: ui.Settings) -> None:
    """Start what the Overview computes (:func:`ahead_calls`) in the background for this session's
    dataset (:func:`ui.prefetch`): after an upload, the Overview is being computed while the Data
    page shows the load report, and a user who opens it finds the tiles ready or nearly so."""
    for fn, args in ahead_calls(ui.dataset(), cfg.min_group_size, cfg.individuals_visible):
        ui.prefetch(fn, *args)


def export_section(ds: Dataset, cfg: ui.Settings, wave: str | None) -> None:
    """The "Take it away" section: the deck, the workbook and the HTML report, each built on its first click,
    for a role that may export."""
    if not ui.can("export"):
        return
    st.subheader("Take it away")
    st.caption(
        f"Exports follow your viewer setting ({cfg.view}): the aggregate view holds no names or ids, and groups "
        f"under {cfg.min_group_size} people are hidden. Spreadsheet formulas in names are stored as text."
    )
    options = ExportOptions(
        view=cfg.view, min_group_size=cfg.min_group_size, pseudonyms=cfg.pseudonyms, wave=wave
    )
    # The workspace's agreed actions and its latest answered pulse go into the deck (workshop mode
    # saves them there).
    ws_name, engine = ui.workspace(), ui.workspace_engine()
    actions = list_actions(engine, ws_name) if ws_name else None
    _memo: dict[str, Report] = {}

    def _report() -> Report:
        # Built on the first click only (download data is generated lazily, on its own thread).
        if "r" not in _memo:
            _memo["r"] = build_report(ds, options)
        return _memo["r"]

    builders: dict[ExportKind, tuple[str, Callable[[], bytes]]] = {
        "pptx": (
            "PowerPoint deck",
            lambda: deck_bytes(
                ds,
                options,
                report=_report(),
                actions=actions,
                room=room_pulse(engine, ws_name, cfg.min_group_size) if ws_name else None,
            ),
        ),
        "xlsx": ("Excel workbook", lambda: workbook_bytes(ds, options, report=_report())),
        "html": ("HTML report", lambda: html_bytes(ds, options, report=_report())),
    }
    for col, (kind, (label, build)) in zip(st.columns(3), builders.items(), strict=True):
        col.download_button(
            f"⬇️ {label}",
            data=build,
            file_name=export_filename(kind, cfg.view),
            mime=MIME[kind],
            key=f"export-{kind}",
            on_click="ignore",
        )


def wave_comparison(waves: list[str], cfg: ui.Settings, wave_facts: Callable[[str], Facts]) -> None:
    """The "What changed between waves" section: the findings that appeared or went away, the facts side by
    side, ties gained and lost and (named view) who moved most."""
    st.subheader("What changed between waves")
    c1, c2 = st.columns(2)
    before = c1.selectbox("From wave", waves, index=len(waves) - 2, key="wave-before")
    after = c2.selectbox("To wave", waves, index=len(waves) - 1, key="wave-after")
    if before == after:
        st.info("Choose two different waves.")
    else:
        for line in ui.compute(what_changed, before, after, cfg.min_group_size) or [
            "No finding appeared or went away."
        ]:
            st.markdown(f"- {ui.md(line)}")
        note = ui.compute(wording_note, before, after)
        if note:
            st.warning(note)
        net = ui.compute(network_change, before, after)
        for line in network_change_lines(net, before, after):
            st.markdown(f"- {ui.md(line)}")
        tables.show(compare_facts(before, wave_facts(before), after, wave_facts(after)), key="wave-table")
        st.write("Ties gained and lost")
        st.caption(
            "Among the people who named someone in both waves (a non-respondent's ties are unknown, not lost): each "
            "relation's graph correlation across the waves with its QAP p-value (people relabelled at random, up to 999 "
            "draws), and the paired test of the change in ties."
        )
        tables.show(net, key="network-change")
        if cfg.individuals_visible:
            st.write("People whose advice in-degree changed most")
            moved = ui.with_names(ui.compute(position_changes, before, after))
            tables.show(moved, key="position-changes")


# --- the board above the fold -------------------------------------------------------------------

#: The headline tiles, two rows of four: the state of the organisation, then where it is at risk.
TILE_ROWS: tuple[tuple[str, ...], ...] = (
    ("people", "response_rate", "informal_share", "wirearchy_index"),
    ("advice_reciprocity", "silo_groups", "key_people", "top_gaps"),
)
#: How many sections of :data:`SECTION_ORDER` the board's tiles read (the seven numbers and the
#: skill gaps chart): the page's first stage, computed before anything else is drawn.
TILES_STAGE: int = 1 + max(SECTION_ORDER.index(TILE_SECTIONS[key]) for row in TILE_ROWS for key in row)
#: Tiles with a sparkline over the waves (the skill gaps tile is a bar chart of its own).
SPARK_TILES: tuple[str, ...] = tuple(k for row in TILE_ROWS for k in row if k != "top_gaps")
#: The fact sections the sparklines read (:data:`lib.analysis.overview.TILE_SECTIONS`).
SPARK_SECTIONS: tuple[str, ...] = ("roster", "network", "groups", "wirearchy", "learning", "key_people")
SHIFT_NAMES: dict[str, str] = {
    "ASL": "Stocks → flow",
    "PDL": "Clockwork → complexity",
    "GDL": "Worker → team centric",
    "IOL": "Experts → networks",
    "FSL": "Curriculum → competency",
}
PAGE_FILES = {
    "Network": "app_pages/network.py",
    "Learning": "app_pages/learning.py",
    "Trust & wirearchy": "app_pages/trust.py",
    "Skills": "app_pages/skills.py",
    "Data": "app_pages/data.py",
}


#: What a session's first look says while the charts and findings follow (:meth:`Board.draw_numbers`).
FIRST_LOOK_NOTE = "Drawing the charts and the findings…"


def tile_values(wave: str, facts: Facts) -> dict[str, float | None]:
    """Each headline tile's number in one wave (what its sparkline plots)."""
    return {t.key: t.value for t in headline_of(wave, facts).tiles}


def sparkline(history: list[dict[str, float | None]], key: str) -> list[float] | None:
    """A tile's values over the waves, oldest first; None unless at least two waves have one."""
    values = [float(v) for h in history if (v := h.get(key)) is not None]
    return values if len(values) >= 2 else None


@dataclass
class Board:
    """The places above the fold, laid out before anything is computed and filled as each fact
    section arrives: a tile says "…" until its section is done."""

    tiles: dict[str, Any]
    mix: Any
    shifts: Any
    map: Any
    findings: Any
    #: what each place shows now: a tile or chart is drawn again only when it would change (the
    #: browser is sent nothing twice, and a chart replaced while Vega is still laying it out can
    #: keep a squashed height)
    drawn: dict[str, object] = field(default_factory=dict)

    @classmethod
    def place(cls) -> Board:
        tiles: dict[str, Any] = {}
        for keys in TILE_ROWS:
            for col, key in zip(st.columns(len(keys)), keys, strict=True):
                tiles[key] = col.empty()
        mix, shifts, group_map = st.columns([5, 5, 4])
        return cls(tiles, mix.empty(), shifts.empty(), group_map.empty(), st.empty())

    def draw(
        self,
        head: Headline,
        done: set[str],
        history: list[dict[str, float | None]] | None = None,
        before: tuple[str, Facts] | None = None,
    ) -> None:
        """Every tile and picture whose section is computed. ``history``: each wave's tile values up to
        the one shown (the sparklines); ``before``: the previous wave and its facts (the shifts'
        previous marks)."""
        for key, slot in self.tiles.items():
            tile = head.tile(key)
            if TILE_SECTIONS[key] not in done:
                if self.drawn.get(key) != "…":
                    slot.metric(tile.label, "…", help="Being computed.")
                    self.drawn[key] = "…"
            elif key == "top_gaps":
                if self.drawn.get(key) != head.wave:
                    self._gaps(slot, head)
                    self.drawn[key] = head.wave
            else:
                line = sparkline(history or [], key)
                state = (tile.text, tile.change_text, definitions.tile_help(tile), line)
                if self.drawn.get(key) == state:  # unchanged: not sent to the browser again
                    continue
                self.drawn[key] = state
                with slot.container():
                    st.metric(
                        tile.label,
                        tile.text,
                        delta=tile.change_text or None,
                        help=state[2],
                        delta_color="off",
                    )
                    if line is not None:
                        shown = " → ".join(f"{v:,.3g}" for v in line)
                        _chart(
                            ui.chart_spec(charts.sparkline_chart, line),
                            alt=f"{tile.label} over the last {len(line)} waves: {shown}",
                        )
        if "learning" in done and self.drawn.get("learning") != head.wave:
            self._mix(head)
            self.drawn["learning"] = head.wave
        marks = (head.wave, before[0] if before else None)
        if "shifts" in done and self.drawn.get("shifts") != marks:
            self._shifts(head, before)
            self.drawn["shifts"] = marks

    def draw_numbers(self, head: Headline) -> None:
        """The number tiles alone, final (value, change and definition; no sparkline, no chart), and a
        line where the findings go saying what follows: a session's first look
        (:func:`lib.app.ui.first_look`), the whole board coming a moment later."""
        for key, slot in self.tiles.items():
            if key == "top_gaps":
                continue
            tile = head.tile(key)
            slot.metric(
                tile.label,
                tile.text,
                delta=tile.change_text or None,
                help=definitions.tile_help(tile),
                delta_color="off",
            )
        self.findings.caption(FIRST_LOOK_NOTE)

    @staticmethod
    def _gaps(slot: Any, head: Headline) -> None:
        tile = head.tile("top_gaps")
        top_gaps = head.facts.org.get("top_gaps") or []
        assert isinstance(top_gaps, list)  # (skill, total gap) pairs: lib.analysis.overview.facts
        chart = ui.chart_spec(charts.gaps_chart, top_gaps)
        with slot.container():
            st.markdown("Biggest skill gaps", help=definitions.tile_help(tile))
            if chart is None:
                st.markdown("—")
            else:
                _chart(chart, alt="Levels missing per skill: " + tile.text)

    def _mix(self, head: Headline) -> None:
        org = head.facts.org
        buckets = {k: _number(org.get(f"bucket_{k}")) for k in charts.BUCKET_LABELS}
        mix = ui.chart_spec(charts.mix_chart, buckets, head.wave)
        with self.mix.container():
            st.markdown(
                "**How people learn**, against the references",
                help=definitions.tile_help(head.tile("informal_share")),
            )
            if mix is None:
                st.caption("No learning data in this wave.")
            else:
                text = " : ".join(f"{(buckets[k] or 0) * 100:.0f}" for k in charts.BUCKET_LABELS)
                _chart(mix, alt=f"Experience : others : formal = {text}")

    def _shifts(self, head: Headline, before: tuple[str, Facts] | None) -> None:
        org = head.facts.org
        now = {code: _number(org.get(f"shift_{code}")) for code in SHIFT_NAMES}
        then = {code: _number(before[1].org.get(f"shift_{code}")) for code in SHIFT_NAMES} if before else None
        shifts = ui.chart_spec(
            charts.shifts_chart, now, then, SHIFT_NAMES, head.wave, before[0] if before else None
        )
        with self.shifts.container():
            st.markdown(
                "**The five shifts**, 0 (old) to 100 (networked)",
                help=definitions.tile_help(head.tile("shifts")),
            )
            if shifts is None:
                st.caption("No shift could be scored on this wave's data.")
            else:
                _chart(shifts, alt="The five shifts: " + head.tile("shifts").text)

    def draw_map(self, ds: Dataset, cfg: ui.Settings, wave: str) -> None:
        """The department map (the group map the Network page draws) as a small picture, linked to the page."""
        attribute = netmap.default_colour_attribute(ds)
        with self.map.container():
            st.markdown(f"**Who asks whom**, by {netmap.pretty(attribute).lower() or 'group'}")
            if not (len(ds.ties) and attribute):
                st.caption("No ties or no grouping column: no map to draw.")
                return
            rel = ds.advice_relations()
            png = ui.compute(
                charts.group_map_thumbnail,
                attribute,
                relations=None if rel is None else tuple(rel),
                wave=ds.tie_wave(wave),
                min_group_size=cfg.min_group_size,
                complementary=not cfg.individuals_visible,
            )
            st.image(
                png,
                width="stretch",
                alt=f"Map of advice between {attribute} groups: one dot per group, lines for the ties between them.",
            )
            st.page_link(PAGE_FILES["Network"], label="Open the map", icon="➡️")

    def draw_findings(self, head: Headline, pending: list[str], ds: Dataset | None = None) -> None:
        """The findings, strongest first, each with its evidence as a small chart, what the framework
        suggests and a link to its page. ``ds``: the data (the skills' coverage); None while the
        findings wait for the last section (no charts yet)."""
        with self.findings.container():
            st.subheader("Findings")
            if pending:
                st.caption(f"Still being computed: {', '.join(pending)}; findings that read them follow.")
            elif not head.findings:
                st.write("No rule fired on this wave: nothing stands out against the framework's thresholds.")
            for finding in head.findings:
                with st.container(border=True):
                    badge = "🔴 strong" if finding.strength == "strong" else "🟠 moderate"
                    text, chart = st.columns([3, 2])
                    text.markdown(f"**{ui.md(finding.statement)}** · {badge}")
                    text.markdown(f"*What the framework suggests:* {ui.md(finding.suggestion)}")
                    text.page_link(PAGE_FILES[finding.page], label=f"Look deeper: {finding.page}", icon="➡️")
                    picture = evidence(finding, head, ds) if ds is not None else None
                    if picture is not None:
                        with chart:
                            _chart(picture[0], alt=picture[1])
                            st.caption(picture[1])


#: Each rule's measure on a chart: its scale and its d3 number format (for the rules without a chart
#: of their own in :func:`evidence`).
_SCALES: dict[str, tuple[tuple[float, float], str]] = {
    "informal_share": ((0, 1), ".0%"),
    "fsl_share": ((0, 1), ".0%"),
    "advice_reciprocity": ((0, 1), ".0%"),
    "advice_down_share": ((0, 1), ".0%"),
    "seniority_advice_correlation": ((-1, 1), "+.2f"),
    "weakest_dimension_mean": ((1, 5), ".1f"),
    "flow_share": ((0, 1), ".0%"),
    "response_rate": ((0, 1), ".0%"),
}


def evidence(finding: Finding, head: Headline, ds: Dataset) -> tuple[Any, str] | None:
    """A finding's evidence chart and the sentence that describes it, or None when it has none."""
    org = head.facts.org
    rule = RULES_BY_KEY[finding.rule]
    if finding.rule == "silo":
        return _silo(finding, head, len(ds.people))
    if finding.rule == "experts_overloaded":
        top, median = _number(org.get("advice_top_in_degree")), _number(org.get("advice_median_in_degree"))
        ratio = _number(org.get("advice_top_ratio_random"))
        if top is None or median is None or ratio is None:
            return None
        rows = [("Most-asked person", top, True), ("Most-asked, random network", ratio * median, False)]
        rows.append(("Median person", median, False))
        chart = ui.chart_spec(charts.evidence_chart, rows, (0, top * 1.2), ",.0f")
        return (
            chart,
            f"Colleagues naming each for advice: {top:.0f}, against {ratio * median:.0f} by chance and {median:g} for the median person.",
        )
    if finding.rule == "key_people":
        before, after = _number(org.get("advice_reach")), org.get("advice_reach_without_key") or []
        assert isinstance(after, list)
        if before is None or not after:
            return None
        rows = [("Now", before, False)] + [
            (f"Without key person {i}", float(a), True) for i, a in enumerate(after, 1)
        ]
        low = max(0.0, math.floor(min(float(a) for a in after) * 10 - 1) / 10)
        chart = ui.chart_spec(charts.evidence_chart, rows, (low, 1), ".1%")
        return (
            chart,
            f"Share of pairs who can reach each other for advice, now and without each key person (axis from {low:.0%}).",
        )
    if finding.rule == "single_holder_skills":
        cov = ui.compute(skills.coverage, head.wave or None)
        thin = (
            cov[cov["flag"].isin(["nobody", "single"]) & (cov["required_by"] > 0)].head(4)
            if len(cov)
            else cov
        )
        if not len(thin):
            return None
        rows = []
        for skill, holders, needed in zip(thin["skill"], thin["holders"], thin["required_by"], strict=True):
            rows += [
                (f"{skill}: hold it", float(holders), True),
                (f"{skill}: roles need it", float(needed), False),
            ]
        chart = ui.chart_spec(
            charts.evidence_chart, rows, (0, max(float(thin["required_by"].max()), 1.0) * 1.2), ",.0f"
        )
        return chart, "People who hold each thin skill, against the people whose role needs it."
    scale = _SCALES.get(rule.metric)
    value = _number(finding.evidence.get(rule.metric))
    if scale is None or value is None:
        return None
    (lo, hi), fmt = scale
    lines = [
        (rule.threshold, f"fires {rule.op} {rule.threshold:g}"),
        (rule.strong, f"strong {rule.op} {rule.strong:g}"),
    ]
    label = columns.label(rule.metric)
    chart = ui.chart_spec(charts.evidence_chart, [(label, value, True)], (lo, hi), fmt, lines)
    return (
        chart,
        f"{label}; the dashed lines are where the rule fires ({rule.threshold:g}) and turns strong ({rule.strong:g}).",
    )


def _silo(finding: Finding, head: Headline, people: int) -> tuple[Any, str] | None:
    """The silo's E-I against the interval a random network of the same department sizes gives,
    among the other shown departments (groups under the minimum size never reach the facts)."""
    table = head.facts.groups.get("department")
    if table is None or not len(table):
        return None
    row = table[table["group"].astype(str) == finding.group]
    if not len(row):
        return None
    r = row.iloc[0]
    chance = baseline.internal_share(
        int(r["internal"]), int(r["internal"] + r["sent_external"]), int(r["size"]), people
    )
    band = (1 - 2 * chance.high, 1 - 2 * chance.low, "E-I in 95% of random networks")
    ranked = table.sort_values("ei_sent")
    rows = [
        (str(g), float(v), str(g) == finding.group)
        for g, v in zip(ranked["group"], ranked["ei_sent"], strict=True)
    ]
    rule = RULES_BY_KEY["silo"]
    chart = ui.chart_spec(
        charts.evidence_chart,
        rows[:8],
        (-1, 1),
        "+.2f",
        [(rule.threshold, f"silo at {rule.threshold:+.1f}")],
        band,
        origin=0,
    )
    return chart, (
        f"E-I of the advice each department asks (−1 = all inside). Shaded: {finding.group}'s range in 95% of "
        f"random networks; dashed: the silo line ({rule.threshold:+.1f})."
    )


def _chart(spec: dict[str, Any] | None, alt: str) -> None:
    """A chart of :mod:`lib.report.charts` (its spec, :func:`lib.app.ui.chart_spec`) as wide as its
    column, described by ``alt``."""
    if spec is not None:
        ui.vega_chart(spec, alt)


def _number(x: object) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) and x == x else None
