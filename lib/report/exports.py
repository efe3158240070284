"""Exports: the tables behind the pages as one Excel workbook, plus what the deck and the HTML report share.

Three files come out of one :class:`Report` (built once by :func:`build_report`):

* :func:`workbook_bytes` — an Excel workbook with every table behind the pages, a contents sheet,
  the definitions and the findings rules;
* :func:`lib.report.deck.deck_bytes` — a PowerPoint deck with native, editable charts;
* :func:`lib.report.html.html_bytes` — one self-contained HTML file that opens offline.

Privacy (issue 7, section 3) is applied here, once, before any file is written:

* **aggregate** view: no names or person ids anywhere. Person-level tables are left out entirely,
  columns that identify people (:data:`PERSON_COLUMNS`) are dropped from every other table, and any
  cell whose whole text equals a person id or name is replaced by ``(hidden)`` as a last guard.
  Every group statistic comes from the analysis modules with small groups suppressed (and
  complementary suppression where a total is shown, :func:`lib.core.privacy.suppress_small_groups`);
  only the shown rows are exported, and each table says what was hidden. An organisation smaller
  than the minimum group size exports no statistics at all.
* **named** view: everything, with names, or with stable pseudonyms
  (:func:`lib.core.privacy.person_labels`) when ``pseudonyms=True`` (then ids, names and manager ids are
  dropped too).

Spreadsheet safety (OWASP ASVS 1.2.10): every text cell is written as a string cell, never a
formula or a link, and text a spreadsheet would run (:func:`lib.core.sanitise.formula_like`: a
leading ``=``, ``+``, ``-``, ``@``, tab or CR) also carries Excel's hidden quote prefix, so it stays
text when edited and shows without an apostrophe; characters XML cannot hold are removed
(:func:`clean_text`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import re
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd

from lib.analysis import findings as rules
from lib.analysis import (
    flows,
    hierarchy,
    learning,
    netmap,
    network,
    overview,
    roles,
    shifts,
    skills,
    smn,
    trust,
    wirearchy,
)
from lib.analysis.roles import RoleThresholds
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.sanitise import XLSX_OPTIONS, clean_text, formula_like
from lib.core.schema import LEARNING_TYPES
from lib.report import charts, columns, definitions
from lib.report.charts import BUCKET_COLOURS
from lib.report.chartspec import MEASURED, PREVIOUS, REFERENCE
from lib.report.model import ExportOptions, ExportTable, Report, View

__all__ = [
    "HIDDEN",
    "PERSON_COLUMNS",
    "ExportKind",
    "ExportOptions",
    "ExportTable",
    "Report",
    "View",
    "build_report",
    "clean_text",
    "definitions_table",
    "export_filename",
    "export_tables",
    "format_value",
    "workbook_bytes",
]

ExportKind = Literal["pptx", "xlsx", "html"]

#: Columns that identify a person: never in an aggregate export.
PERSON_COLUMNS: frozenset[str] = frozenset(
    {"person_id", "name", "person", "manager_id", "source_id", "target_id", "ask_id", "ask", "cut_off"}
)
#: What replaces a cell that would show a person id or name in the aggregate view.
HIDDEN = "(hidden)"
TITLE = "How this organisation learns"
MIME: dict[str, str] = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}

# Characters Excel refuses in a sheet name.
_SHEET_INVALID = re.compile(r"[\[\]:*?/\\']")


# --- text ---------------------------------------------------------------------------------------


def format_value(value: object) -> str:
    """A cell as display text: ``–`` for missing, 3 significant digits, thousands separators, yes/no."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isnan(x):
            return "–"
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        if x.is_integer() and abs(x) < 1e15:
            return f"{int(x):,}"
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(clean_text(v) for v in value)
    return clean_text(value)


# --- definitions ----------------------------------------------------------------------------------


def definitions_table(thresholds: RoleThresholds | None = None) -> pd.DataFrame:
    """Every measure and rule the exports show, with its definition: the registry's rows
    (:func:`lib.report.definitions.rows`, columns :data:`lib.report.definitions.COLUMNS`).

    ``thresholds``: the role thresholds the report used (default: :class:`RoleThresholds` defaults, as
    :func:`lib.analysis.roles.assign_roles`), so the role texts state them.
    """
    return pd.DataFrame(definitions.rows(thresholds), columns=list(definitions.COLUMNS))


# --- the tables -----------------------------------------------------------------------------------


class _Builder:
    """Collects tables for one report, applying the view's rules to each as it is added."""

    def __init__(self, ds: Dataset, options: ExportOptions) -> None:
        self.ds = ds
        self.options = options
        self.m = options.min_group_size
        self.named = options.individuals_visible
        self.tables: list[ExportTable] = []
        self._names: set[str] = set()
        ids = (
            ds.people["person_id"].astype(str).str.strip()
            if "person_id" in ds.people
            else pd.Series(dtype=str)
        )
        names = ds.people["name"] if "name" in ds.people else pd.Series(dtype=object)
        self.private = {s for s in ids if s} | {
            str(n).strip() for n in names if isinstance(n, str) and str(n).strip()
        }
        self.labels: dict[str, str] = privacy.person_labels(ds, options.pseudonyms) if self.named else {}

    def add(
        self,
        name: str,
        title: str,
        frame: pd.DataFrame,
        note: str = "",
        page: str = "",
        person_level: bool = False,
    ) -> None:
        if person_level and not self.named:
            return
        out = frame.reset_index(drop=True).copy()
        out = out.drop(columns=[c for c in ("suppressed", "suppressed_reason") if c in out.columns])
        if not self.named:
            out = self._anonymise(out)
        elif self.options.pseudonyms:
            out = out.drop(columns=[c for c in ("person_id", "name", "manager_id") if c in out.columns])
        sheet = _sheet_name(name, self._names)
        self._names.add(sheet)
        self.tables.append(ExportTable(sheet, title, out, note, page))

    def _anonymise(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.drop(columns=[c for c in frame.columns if str(c) in PERSON_COLUMNS])
        out.columns = [HIDDEN if str(c).strip() in self.private else c for c in out.columns]
        for col in out.columns:
            series = out[col]
            if series.dtype == object or pd.api.types.is_string_dtype(series):
                hit = series.map(lambda v: isinstance(v, str) and v.strip() in self.private)
                if bool(hit.any()):
                    out[col] = series.astype(object).mask(hit, HIDDEN)
        return out

    def person(self, ids: Iterable[object]) -> list[str]:
        return [self.labels.get(str(p), str(p)) for p in ids]


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_INVALID.sub("_", clean_text(name)).strip() or "table"
    base = base[:31]
    candidate, i = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f"_{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    return candidate


def _checked(table: pd.DataFrame, m: int) -> tuple[pd.DataFrame, str]:
    """The displayable rows of a suppressed table and the sentence saying what was hidden."""
    return privacy.shown(table), privacy.suppression_note(table, m)


def _group_attribute(ds: Dataset, wanted: str) -> str:
    attrs = ds.attributes
    if wanted in attrs:
        return wanted
    return attrs[0] if attrs else ""


#: Headline tiles whose value is a share (0–1): their change is in percentage points.
_SHARE_TILES = frozenset({"response_rate", "informal_share", "advice_reciprocity"})
_POINTS = '+0" pts";-0" pts";0" pts"'


def _headline_table(head: overview.Headline) -> pd.DataFrame:
    """The headline tiles as numbers: ``value`` (a share as 0–1), ``change since previous wave``
    (percentage points for shares), and the tile's text as the page shows it."""
    rows = []
    for t in head.tiles:
        change = t.change
        if change is not None and t.key in _SHARE_TILES:
            change = change * 100
        rows.append(
            {
                "measure": t.label,
                "value": math.nan if t.value is None else float(t.value),
                "change since previous wave": math.nan if change is None else float(change),
                "as shown on the page": t.text,
                "what it means": definitions.plain(definitions.tile_help(t)),
                "page": t.page,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "measure",
            "value",
            "change since previous wave",
            "as shown on the page",
            "what it means",
            "page",
        ],
    )


def evidence_text(evidence: dict[str, object]) -> str:
    """A finding's evidence as a reader sees it: one line per fact, its human label
    (:func:`lib.report.columns.label`) and its value in its kind's precision (``Share asked inside:
    81%``), yes/no for a test against chance. The raw names and values stay in the CSV/JSON."""
    lines = []
    for key, value in evidence.items():
        if isinstance(value, (bool, np.bool_)):
            shown = "yes" if value else "no"
        elif isinstance(value, (int, float, np.integer, np.floating)):
            shown = columns.number_text(float(value), columns.kind_of(key))
        else:
            shown = format_value(value)
        lines.append(f"{columns.label(key)}: {shown}")
    return "\n".join(lines)


def _findings_table(found: list[rules.Finding]) -> pd.DataFrame:
    """The findings as the exports show them: :func:`lib.analysis.findings.findings_table` with
    the evidence in words (:func:`evidence_text`)."""
    table = rules.findings_table(found)
    table["evidence"] = [evidence_text(f.evidence) for f in found]
    return table


def _network_tables(b: _Builder, wave: str, by: str) -> str:
    ds = b.ds
    rel = ds.advice_relations()
    rel_text = "advice" if rel else "all relations combined"
    tw = ds.tie_wave(wave)
    summary = network.network_measures(ds, rel, tw)
    b.add(
        "network",
        f"Network measures ({rel_text})",
        netmap.summary_table(summary, definitions.summary_texts(), numbers=True),
        page="Network",
    )
    measures = network.person_measures(ds, rel, tw)
    role_table = roles.assign_roles(ds, measures, wave=tw)
    counts = netmap.role_counts(role_table, definitions.role_texts(role_table.attrs.get("thresholds")))
    if b.named:
        b.add("roles", "Network roles: people per role", counts, page="Network")
    else:
        checked = privacy.suppress_small_groups(counts, "people", b.m, value_cols=[])
        rows, note = _checked(checked, b.m)
        b.add("roles", "Network roles: people per role", rows, note, page="Network")
    map_note = ""
    if by:
        ei = network.ei_index(ds, by, rel, tw)
        checked = network.shown_ei_groups(ds, ei, b.m, across=not b.named)
        visible, note = _checked(checked, b.m)
        overall = f"Whole organisation: E-I {format_value(ei.overall)}."
        b.add(f"ei_{by}", f"E-I index per {by} ({rel_text})", visible, f"{overall} {note}".strip(), "Network")
        keep = list(visible["group"])
        matrix = network.group_matrix(ds, by, rel, tw).loc[keep, keep]
        matrix = matrix.reset_index().rename(columns={by: f"from {by} \\ to"})
        b.add(f"matrix_{by}", f"Ties from group to group ({rel_text})", matrix, note, "Network")
        map_note = note
    if b.named:
        table = netmap.people_table(ds, measures, role_table, b.labels, pseudonyms=b.options.pseudonyms)
        table = table.reset_index(drop=b.options.pseudonyms)
        b.add(
            "people",
            f"Every person's network measures ({rel_text})",
            table,
            network.not_measured_note(measures),
            page="Network",
            person_level=True,
        )
        ranked = roles.rank_key_people_among_respondents(ds, rel, tw, 10)
        if len(ranked):
            ranked = ranked.copy()
            ranked.insert(1, "person", b.person(ranked["person_id"]))
            b.add(
                "key_people",
                "Key people: what the network loses if each one leaves",
                ranked,
                ranked.attrs.get("population", ""),
                page="Network",
                person_level=True,
            )
    return map_note


def _learning_tables(b: _Builder, wave: str, by: str, before: tuple[str, dict[str, float]]) -> None:
    """The Learning page's tables; ``before``: the previous wave and its five-shift scores (a column
    of the scorecard, so the workbook's shifts chart can draw it from the table)."""
    ds = b.ds
    mix = learning.overall_mix(ds, wave or None, b.m, not b.named)
    if mix.respondents or mix.zero_total:
        rows = [{"measure": "respondents", "value": float(mix.respondents), "reference": math.nan}]
        if not mix.suppressed:
            rows += [{"measure": t, "value": mix.shares[t], "reference": math.nan} for t in LEARNING_TYPES]
            rows += [
                {"measure": bk.name, "value": mix.buckets[bk.name], "reference": bk.reference}
                for bk in learning.SEVENTY_TWENTY_TEN
            ]
            rows += [
                {
                    "measure": "informal_share",
                    "value": mix.informal_share,
                    "reference": learning.INFORMAL_REFERENCE,
                },
                {"measure": "self_directed_share", "value": mix.self_directed_share, "reference": math.nan},
            ]
        note = (
            f"Fewer than {b.m} respondents with learning hours: the mix is hidden." if mix.suppressed else ""
        )
        previous = overview.wave_and_previous(ds, mix.wave or None)[1]
        wording = learning.wave_wording(ds, mix.wave or None).text
        changed = learning.wording_note(ds, previous, mix.wave)
        note = " ".join(x for x in (note, f"Learning questions: {wording}.", changed) if x)
        b.add(
            "learning_mix",
            f"Learning mix, whole organisation ({mix.wave or 'all rows'})",
            pd.DataFrame(rows),
            note,
            "Learning",
        )
        ci = learning.mix_intervals(ds, None, wave or None, b.m, not b.named)
        ci = ci.rename(columns={"organisation": "group"}).assign(breakdown="whole organisation")
        if by:
            per_group = learning.mix_intervals(ds, by, wave or None, b.m, not b.named)
            ci = pd.concat([ci, per_group.rename(columns={by: "group"}).assign(breakdown=by)])
        if len(ci):
            b.add(
                "learning_intervals",
                "Learning-type shares with 95% bootstrap intervals over respondents",
                ci[
                    ["breakdown", "group", "learning_type", "respondents", "share", "share_low", "share_high"]
                ],
                page="Learning",
            )
        if by:
            rows_g, note_g = _checked(learning.group_mix(ds, by, wave or None, b.m, not b.named), b.m)
            b.add(f"learning_{by}", f"Learning mix per {by}", rows_g, note_g, "Learning")
            spread = learning.group_spread(ds, by, wave or None, b.m, not b.named)
            b.add(
                f"learning_spread_{by}",
                f"Spread between people per {by} (quartiles)",
                spread,
                page="Learning",
            )
    net = learning.network_learning_mix(ds, wave or None)
    if len(net) and privacy.large_enough(net["people"].sum(), b.m):
        b.add("network_learning", "Learning that flows through the network", net, page="Learning")
        if b.named:
            hubs = learning.learning_hubs(ds, wave or None)
            hubs.insert(2, "person", b.person(hubs["person_id"]))
            b.add(
                "learning_hubs", "Who people learn from, per type", hubs, page="Learning", person_level=True
            )
    fs = flows.flow_share(ds, wave or None)
    if fs.source:
        b.add("flow_share", "Flow share of knowledge activity", pd.DataFrame([fs.as_dict()]), page="Learning")
        trend, note_t = _checked(flows.flow_trend(ds, "M", b.m), b.m)
        b.add("flow_trend", "Flow share per month", trend, note_t, "Learning")
        if by:
            grp, note_f = _checked(flows.flow_share_by_group(ds, by, b.m, not b.named), b.m)
            b.add(f"flow_{by}", f"Flow share per {by}", grp, note_f, "Learning")
        neglected = flows.neglected_stock(ds)
        if len(neglected):
            b.add("neglected_stock", "Stock nobody reads or discusses", neglected, page="Learning")
    card = shifts.scorecard_table(ds, wave or None, b.m)
    previous, scores = before
    if scores and {"type", "score"} <= set(card.columns):
        card.insert(
            list(card.columns).index("score") + 1,
            "score_previous",
            [scores.get(str(c), math.nan) for c in card["type"]],
        )
    b.add(
        "five_shifts",
        "The five shifts scorecard (0–100)" + (f"; previous wave {previous}" if scores else ""),
        card,
        page="Learning",
    )


def _trust_tables(b: _Builder, wave: str, by: str) -> None:
    ds = b.ds
    if len(ds.trust):
        dims = trust.shown_summary(ds, wave or None, b.m, across=not b.named)
        rows, note = _checked(dims, b.m)
        b.add(
            "trust_dimensions", "Trust: the five wirearchy dimensions (1–5)", rows, note, "Trust & wirearchy"
        )
        rows_i, note_i = _checked(trust.shown_items(ds, wave or None, b.m, across=not b.named), b.m)
        b.add("trust_items", "Trust: each survey item", rows_i, note_i, "Trust & wirearchy")
        if by:
            scores = trust.scores_by_group(ds, by, wave or None, b.m, across=not b.named)
            grp, note_g = privacy.shown(scores), privacy.suppression_note(scores, b.m, group_col="group")
            b.add(f"trust_{by}", f"Trust dimensions per {by}", grp, note_g, "Trust & wirearchy")
    index = wirearchy.wirearchy_index(ds, wave=wave or None)
    b.add(
        "wirearchy_index",
        f"Wirearchy index: {format_value(index.value)} / 100",
        index.table,
        index.note,
        "Trust & wirearchy",
    )
    if by:
        grp, note_w = _checked(
            wirearchy.index_by_group(ds, by, wave=wave or None, min_size=b.m, across=not b.named), b.m
        )
        b.add(f"wirearchy_{by}", f"Wirearchy index per {by}", grp, note_w, "Trust & wirearchy")
    if len(ds.ties):
        b.add(
            "advice_direction",
            "Which way advice flows",
            hierarchy.advice_flow(ds).table(),
            page="Trust & wirearchy",
        )
        lv, note_l = _checked(hierarchy.flow_by_level(ds, b.m, across=not b.named), b.m)
        b.add("advice_by_level", "Which way advice flows, per level", lv, note_l, "Trust & wirearchy")


def _skills_tables(b: _Builder, wave: str) -> None:
    ds = b.ds
    if not len(ds.skills):
        return
    w = waves.table_wave(ds.skills, wave)
    top = privacy.suppress_small_groups(
        skills.top_gaps(ds, w), "people", b.m, value_cols=skills.GAP_VALUE_COLUMNS
    )
    rows, note = _checked(top, b.m)
    b.add("skill_gaps", "Skill gaps, biggest first", rows, note, "Skills")
    if "team" in ds.people and ds.people["team"].notna().any():
        cells, note_c = _checked(skills.group_gap_cells(ds, w, "team", b.m, not b.named), b.m)
        b.add("skill_gaps_team", "Skill gaps per team and skill", cells, note_c, "Skills")
    b.add(
        "skill_coverage", "Coverage: how many people hold each skill", skills.coverage(ds, w), page="Skills"
    )
    net = smn.subject_matter_networks(ds, w)
    net = privacy.suppress_small_groups(net, "people_with_gap", b.m, value_cols=["reach_within_2"])
    net = privacy.suppress_small_groups(
        net.drop(columns=["suppressed", "suppressed_reason"]), "seekers", b.m, value_cols=["redundancy"]
    )
    b.add(
        "subject_matter_networks",
        "Subject-matter networks: are the holders a network?",
        net,
        f"Shares over fewer than {b.m} people are left blank.",
        "Skills",
    )
    if b.named:
        gaps = skills.person_gaps(ds, w)
        gaps.insert(0, "person", b.person(gaps["person_id"]))
        b.add("person_skill_gaps", "Each person's skill gaps", gaps, page="Skills", person_level=True)


def _previous_shifts(ds: Dataset, wave: str, m: int) -> tuple[str, dict[str, float]]:
    """The wave before ``wave`` and its five-shift scores (code → score; shifts without one left out)."""
    _w, previous = overview.wave_and_previous(ds, wave or None)
    if previous is None:
        return "", {}
    scores = {s.code: s.score for s in shifts.scorecard(ds, previous, m)}
    return previous, {code: float(v) for code, v in scores.items() if v is not None and not math.isnan(v)}


def build_report(ds: Dataset, options: ExportOptions | None = None) -> Report:
    """Compute everything the exports show, once, for ``options`` (default: aggregate view)."""

    opts = options or ExportOptions()
    wave = waves.resolve(opts.wave, ds.waves) or ""
    b = _Builder(ds, opts)
    report = Report(
        options=opts,
        source=clean_text(ds.source or "uploaded data"),
        wave=wave,
        people=len(ds.people),
        generated=dt.date.today().isoformat(),
        tables=b.tables,
        definitions=definitions_table(),
    )
    if not opts.individuals_visible and not privacy.large_enough(len(ds.people), opts.min_group_size):
        report.notice = (
            f"This organisation has {len(ds.people)} people, fewer than the minimum group size of "
            f"{opts.min_group_size}: the aggregate view shows no statistics. Use the named view, "
            "or load a larger organisation."
        )
        return report
    if not len(ds.people):
        report.notice = "No people loaded: there is nothing to report."
        return report
    head = overview.headline(ds, wave or None, opts.min_group_size)
    report.head = head
    b.add(
        "headline", f"Headline measures ({head.wave or 'all data'})", _headline_table(head), page="Overview"
    )
    b.add("findings", "Findings", _findings_table(head.findings), page="Overview")
    by = _group_attribute(ds, opts.group_by)
    report.group_by = by
    if len(ds.ties):
        report.map_note = _network_tables(b, wave, by)
    report.previous_wave, report.previous_shifts = _previous_shifts(ds, wave, opts.min_group_size)
    _learning_tables(b, wave, by, (report.previous_wave, report.previous_shifts))
    _trust_tables(b, wave, by)
    _skills_tables(b, wave)
    report.images = charts.all_images(ds, report)
    return report


def export_tables(ds: Dataset, options: ExportOptions | None = None) -> dict[str, pd.DataFrame]:
    """Every table behind the pages, filtered for the view, keyed by sheet name.

    Each frame's ``attrs`` hold its ``title`` and ``note`` (what was hidden, and why).
    In the aggregate view person-level tables are absent and no column names or holds people.
    """
    out: dict[str, pd.DataFrame] = {}
    for t in build_report(ds, options).tables:
        frame = t.frame.copy()
        frame.attrs = {"title": t.title, "note": t.note, "page": t.page}
        out[t.name] = frame
    return out


def export_filename(kind: ExportKind, view: View = "aggregate", today: dt.date | None = None) -> str:
    """The file name a download offers, e.g. ``social-learning-aggregate-2026-03-31.pptx``."""
    if kind not in MIME:
        raise ValueError(f"unknown export kind {kind!r}: use pptx, xlsx or html")
    day = (today or dt.date.today()).isoformat()
    return f"social-learning-{view}-{day}.{kind}"


# --- the workbook ---------------------------------------------------------------------------------

#: Headline tile → Excel number format of its value and of its change since the previous wave.
_TILE_FORMATS: dict[str, tuple[str, str]] = {
    "people": ("#,##0", "+#,##0;-#,##0;0"),
    "response_rate": ("0%", _POINTS),
    "informal_share": ("0%", _POINTS),
    "advice_reciprocity": ("0%", _POINTS),
    "shifts": ("0", "+0.0;-0.0;0"),
    "wirearchy_index": ("0", "+0.0;-0.0;0"),
    "silo_groups": ("#,##0", "+0;-0;0"),
    "top_gaps": ("#,##0", "+0;-0;0"),
    "key_people": ("#,##0", "+0;-0;0"),
}
_DATE_FORMAT = "yyyy-mm-dd"
_WIDTH = (8, 60)  # narrowest and widest column, in characters
_TABLE_STYLE = "Table Style Medium 2"  # banded rows


class _Formats:
    """The workbook's cell formats, each made once (XlsxWriter wants one object per distinct format)."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self._made: dict[tuple[tuple[str, object], ...], Any] = {}

    def get(self, **props: object) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._made:
            self._made[key] = self.wb.add_format(dict(props))
        return self._made[key]


def _cell_text(value: object) -> str:
    """Text for a string cell: characters XML cannot hold removed, cut at Excel's 32,767."""
    return clean_text(value)[:32767]


def _text_format(text: str, fmts: _Formats, **props: object) -> Any:
    """The format of a text cell: formula-like text is marked as text (Excel's hidden quote prefix),
    so it shows without an apostrophe and stays text even when someone edits the cell."""
    if formula_like(text):
        props["quote_prefix"] = True
    if len(text) > _WIDTH[1] or "\n" in text:
        props["text_wrap"] = True
    return fmts.get(valign="top", **props)


def _write_cell(
    ws: Any, row: int, col: int, value: object, num_format: str, fmts: _Formats, **props: object
) -> int:
    """Write one value as what it is (number, yes/no, date or inert text); its display width.
    ``props``: more format properties (alignment, indent) for the cell."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None)
        return 0
    if isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value), fmts.get(valign="top", **props) if props else None)
        return 5
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
        if math.isnan(x):
            ws.write_blank(row, col, None)
            return 0
        if math.isinf(x):
            ws.write_string(row, col, "∞" if x > 0 else "−∞")
            return 2
        ws.write_number(row, col, x, fmts.get(num_format=num_format or "General", valign="top", **props))
        return len(f"{x:,.0f}") + 3
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        day = stamp.normalize() == stamp
        shown = num_format or (_DATE_FORMAT if day else f"{_DATE_FORMAT} hh:mm")
        ws.write_datetime(row, col, stamp.to_pydatetime(), fmts.get(num_format=shown, valign="top", **props))
        return 10 if day else 16
    text = _cell_text(format_value(value) if isinstance(value, (list, tuple, set)) else value)
    ws.write_string(row, col, text, _text_format(text, fmts, **props))
    return max((len(line) for line in text.split("\n")), default=0)


def _number_format(kind: columns.Kind, value: object) -> str:
    """The Excel format of a number in a column of ``kind``; a whole number among measures
    (people and ties in the network summary) without decimals."""
    if (
        kind == "measure"
        and isinstance(value, (int, float, np.integer, np.floating))
        and float(value).is_integer()
    ):
        return "#,##0"
    return columns.EXCEL_FORMATS[kind] if kind != "text" else ""


_TEXT = columns.Column("")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _as_date(text: str) -> tuple[object, str]:
    """A period written as text (``2026-03`` or ``2026-03-02``) as a date and its Excel format;
    any other text unchanged."""
    try:
        if _MONTH.match(text):
            return dt.date.fromisoformat(f"{text}-01"), "yyyy-mm"
        return dt.date.fromisoformat(text), "yyyy-mm-dd"
    except ValueError:
        return text, ""


def _headers(frame: pd.DataFrame) -> list[tuple[str, columns.Kind]]:
    """Each column's human label (unique ignoring case, as Excel tables need) and its kind."""
    out: list[tuple[str, columns.Kind]] = []
    seen: set[str] = set()
    for j, name in enumerate(frame.columns):
        text = " ".join(_cell_text(columns.label(name)).split())[:250] or f"Column {j + 1}"
        candidate, i = text, 2
        while candidate.lower() in seen:
            candidate, i = f"{text} ({i})", i + 1
        seen.add(candidate.lower())
        out.append((candidate, columns.kind_of(name, frame.iloc[:, j])))
    return out


def _write_table(
    ws: Any,
    frame: pd.DataFrame,
    fmts: _Formats,
    name: str,
    start_row: int = 0,
    row_formats: dict[int, list[str]] | None = None,
    column_props: dict[int, dict[str, object]] | None = None,
) -> None:
    """``frame`` as an Excel table at ``start_row``: human headers with filter buttons, banded rows,
    the header row frozen, widths to fit; numbers as numbers in their kind's format
    (:data:`lib.report.columns.EXCEL_FORMATS`) unless ``row_formats`` (column → a format per row)
    says otherwise; text as text, never a formula. ``column_props``: column → more format
    properties for its header and cells (alignment, indent)."""
    props = column_props or {}
    headers = _headers(frame)
    if not headers:
        ws.write_string(start_row, 0, "(no columns)")
        return
    widths = [len(h) + 3 for h, _ in headers]  # room for the filter button
    dates = {j for j, c in enumerate(frame.columns) if columns.COLUMNS.get(str(c), _TEXT).kind == "date"}
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        lines = 1
        for j, value in enumerate(row):
            fmt = (row_formats or {}).get(j, [])
            if j in dates and isinstance(value, str):
                value, num_format = _as_date(value)
            else:
                num_format = fmt[i] if i < len(fmt) else _number_format(headers[j][1], value)
            width = _write_cell(ws, start_row + 1 + i, j, value, num_format, fmts, **props.get(j, {}))
            widths[j] = max(widths[j], width)
            lines = max(lines, _lines(value))
        if lines > 1:  # Excel and LibreOffice keep rows one line high unless told
            ws.set_row(start_row + 1 + i, 15 * min(lines, 20))
    last_row = start_row + max(len(frame), 1)
    ws.add_table(
        start_row,
        0,
        last_row,
        len(headers) - 1,
        {
            "name": name,
            "style": _TABLE_STYLE,
            "columns": [
                {
                    "header": h,
                    "header_format": _text_format(h, fmts, bold=True, text_wrap=True, **props.get(j, {})),
                }
                for j, (h, _) in enumerate(headers)
            ],
        },
    )
    for j, width in enumerate(widths):
        ws.set_column(j, j, min(max(width, _WIDTH[0]), _WIDTH[1]) + 1)
    ws.freeze_panes(start_row + 1, 0)
    # printed or saved as PDF: landscape, one page wide, the header on every page
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(start_row)


def _lines(value: object) -> int:
    """How many lines a text cell takes: its own lines, each wrapped at the widest column."""
    if not isinstance(value, str):
        return 1
    return sum(max(1, math.ceil(len(line) / _WIDTH[1])) for line in value.split("\n"))


def _headline_props(table: ExportTable) -> dict[int, dict[str, object]]:
    """The headline sheet's change column centred and the page's text indented after it, so a
    change (``+4 pts``) and the tile's text (``90%``) never read as one cell."""
    if table.name != "headline":
        return {}
    cols = list(table.frame.columns)
    return {
        cols.index("change since previous wave"): {"align": "center"},
        cols.index("as shown on the page"): {"align": "left", "indent": 1},
    }


def _table_name(i: int, sheet: str) -> str:
    """A workbook-unique Excel table name (letters, digits and underscores; never a cell address)."""
    return f"tbl{i:02d}_" + re.sub(r"[^A-Za-z0-9_]", "_", sheet)


def _headline_formats(rep: Report, table: ExportTable) -> dict[int, list[str]]:
    """The headline sheet's per-row formats: each tile's value and change in its own unit."""
    if rep.head is None or table.name != "headline":
        return {}
    pairs = [_TILE_FORMATS.get(t.key, ("0.0", "+0.0;-0.0;0")) for t in rep.head.tiles]
    cols = list(table.frame.columns)
    return {
        cols.index("value"): [v for v, _ in pairs],
        cols.index("change since previous wave"): [c for _, c in pairs],
    }


def _learning_mix_formats(table: ExportTable) -> dict[int, list[str]]:
    """The learning-mix sheet's value column: respondents as a count, every other row a share."""
    if table.name != "learning_mix":
        return {}
    return {1: ["#,##0" if m == "respondents" else "0%" for m in table.frame["measure"]]}


def _rows_where(frame: pd.DataFrame, column: str, wanted: Iterable[str]) -> list[int]:
    keys = list(wanted)
    hits = [i for i, v in enumerate(frame[column]) if v in keys] if column in frame else []
    return hits if len(hits) == len(keys) and hits == list(range(hits[0], hits[0] + len(hits))) else []


#: Data labels that stay readable on each learning-mix colour (white on blue, black on the lighter two).
_LABEL_INK: dict[str, str] = {"experience": "#FFFFFF", "others": "#000000", "formal": "#000000"}


def _add_charts(wb: Any, rep: Report) -> None:
    """A "charts" sheet of native Excel charts drawn from the tables' own cells: the learning mix
    against 70:20:10, the mix per group, and the five shifts (with the previous wave when there is
    one). Colours are the ones the deck, the Present view and the pages use: Okabe-Ito per learning
    bucket (:data:`lib.report.charts.BUCKET_COLOURS`), blue for this wave, sky blue for the previous
    one and grey for a reference (:mod:`lib.report.chartspec`); every bar carries its value and
    every series is named in the legend, so no meaning rests on colour."""
    ws = wb.add_worksheet("charts")
    ws.write_string(0, 0, "Charts drawn from the tables in this workbook (edit a table and they follow).")
    anchor = 2
    for draw in (_mix_chart, _group_mix_chart, _shifts_chart):
        height = draw(wb, ws, rep, anchor)
        anchor += height


def _mix_chart(wb: Any, ws: Any, rep: Report, anchor: int) -> int:
    """The learning mix against 70:20:10 at row ``anchor``; the rows it takes (0: none drawn)."""
    mix = next((t for t in rep.tables if t.name == "learning_mix"), None)
    buckets = [b.name for b in learning.SEVENTY_TWENTY_TEN]
    rows = _rows_where(mix.frame, "measure", buckets) if mix is not None else []
    if mix is None or not rows:
        return 0
    first, last = rows[0] + 1, rows[-1] + 1
    chart = wb.add_chart({"type": "column"})
    for col, title, colour in ((1, "This organisation", MEASURED), (2, "70:20:10 reference", REFERENCE)):
        chart.add_series(
            {
                "name": title,
                "categories": [mix.name, first, 0, last, 0],
                "values": [mix.name, first, col, last, col],
                "fill": {"color": colour},
                "border": {"color": "#000000"},
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
    chart.set_title({"name": "Learning mix against 70:20:10"})
    chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": False}})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(anchor, 0, chart, {"x_scale": 1.3, "y_scale": 1.2})
    return 20


def _group_mix_chart(wb: Any, ws: Any, rep: Report, anchor: int) -> int:
    """The learning mix per group, each bucket in its colour, at row ``anchor``; the rows it takes."""
    per_group = next((t for t in rep.tables if t.name == f"learning_{rep.group_by}"), None)
    buckets = [b.name for b in learning.SEVENTY_TWENTY_TEN]
    if per_group is None or not len(per_group.frame) or not all(b in per_group.frame for b in buckets):
        return 0
    cols = list(per_group.frame.columns)
    n = len(per_group.frame)
    chart = wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
    for bucket in buckets:
        j = cols.index(bucket)
        chart.add_series(
            {
                "name": [per_group.name, 0, j],
                "categories": [per_group.name, 1, 0, n, 0],
                "values": [per_group.name, 1, j, n, j],
                "fill": {"color": BUCKET_COLOURS[bucket]},
                "border": {"color": "#FFFFFF"},
                "data_labels": {"value": True, "num_format": "0%", "font": {"color": _LABEL_INK[bucket]}},
            }
        )
    chart.set_title({"name": f"Learning mix per {rep.group_by}"})
    chart.set_x_axis({"num_format": "0%", "major_gridlines": {"visible": False}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(anchor, 0, chart, {"x_scale": 1.3, "y_scale": 1.0 + 0.05 * n})
    return 18 + n


def _shifts_chart(wb: Any, ws: Any, rep: Report, anchor: int) -> int:
    """The five shifts on 0–100 at row ``anchor``, this wave beside the previous one when the
    scorecard carries it; the rows it takes.

    Columns, not horizontal bars: a clustered bar chart's legend reads bottom-up in LibreOffice
    even with the categories reversed to read top-down (Excel follows the bars), so two waves as
    bars would be listed backwards there; columns read left to right, legend and bars alike."""
    card = next((t for t in rep.tables if t.name == "five_shifts"), None)
    if card is None or not len(card.frame) or not {"shift", "score"} <= set(card.frame.columns):
        return 0
    cols = list(card.frame.columns)
    n = len(card.frame)
    shift = cols.index("shift")
    series = [("score", f"Wave {rep.wave}" if rep.wave else "Score (0–100)", MEASURED)]
    if "score_previous" in cols:
        series.append(("score_previous", f"Wave {rep.previous_wave}", PREVIOUS))
    chart = wb.add_chart({"type": "column"})
    for column, title, colour in series:
        j = cols.index(column)
        chart.add_series(
            {
                "name": title,
                "categories": [card.name, 1, shift, n, shift],
                "values": [card.name, 1, j, n, j],
                "fill": {"color": colour},
                "border": {"color": "#000000"},
                "data_labels": {"value": True, "num_format": "0"},
            }
        )
    chart.set_title({"name": "The five shifts (0 = old pole, 100 = networked)"})
    chart.set_y_axis({"min": 0, "max": 100, "major_unit": 25})
    if len(series) > 1:
        chart.set_legend({"position": "bottom"})
    else:
        chart.set_legend({"none": True})
    ws.insert_chart(anchor, 0, chart, {"x_scale": 1.3, "y_scale": 1.2})
    return 20


def workbook_bytes(ds: Dataset, options: ExportOptions | None = None, report: Report | None = None) -> bytes:
    """The Excel workbook: a contents sheet, a sheet of charts, one table per sheet, the definitions.

    Written with XlsxWriter, cell by cell, so a consultant can sum and chart it as it is: numbers
    are numbers in their kind's format (a share 0.88 shows as 88 %, a change as +4), dates are
    dates, each table is an Excel table (filter buttons, banded rows, frozen header) with human
    column labels (:mod:`lib.report.columns`). Text is written as string cells, never a formula or a
    link; text a spreadsheet would run (a leading ``=``, ``+``, ``-``, ``@``, tab or CR:
    :func:`lib.core.sanitise.formula_like`) is also marked as text with Excel's hidden quote prefix,
    so it shows as typed, without an apostrophe, and stays text when edited.
    """
    import xlsxwriter

    rep = report or build_report(ds, options)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        dict(XLSX_OPTIONS),
    )
    fmts = _Formats(wb)
    contents = wb.add_worksheet("contents")
    contents.write_string(0, 0, TITLE, fmts.get(bold=True, font_size=14))
    generated: object = rep.generated
    with contextlib.suppress(ValueError):  # a date when it is one (it always is, from build_report)
        generated = dt.date.fromisoformat(rep.generated)
    meta: list[tuple[str, object, str]] = [
        ("Data", rep.source, ""),
        ("Wave", rep.wave or "all data", ""),
        ("People", rep.people, "#,##0"),
        ("View", rep.view_text, ""),
        ("Minimum group size", rep.options.min_group_size, "0"),
        ("Generated", generated, ""),
    ]
    if rep.notice:
        meta.append(("Notice", rep.notice, ""))
    for i, (k, v, num_format) in enumerate(meta, start=2):
        contents.write_string(i, 0, k, fmts.get(bold=True))
        _write_cell(contents, i, 1, v, num_format, fmts)
    index = pd.DataFrame(
        [{"sheet": t.name, "table": t.title, "rows": len(t.frame), "note": t.note} for t in rep.tables]
        + [{"sheet": "definitions", "table": "Definitions of every measure", "rows": len(rep.definitions)}],
        columns=["sheet", "table", "rows", "note"],
    )
    _write_table(contents, index, fmts, "tbl00_contents", start_row=len(meta) + 3)
    contents.set_column(1, 1, 60)
    if rep.tables:
        _add_charts(wb, rep)
    for i, t in enumerate(rep.tables, start=1):
        ws = wb.add_worksheet(t.name)
        formats = _headline_formats(rep, t) or _learning_mix_formats(t)
        _write_table(
            ws, t.frame, fmts, _table_name(i, t.name), row_formats=formats, column_props=_headline_props(t)
        )
    ws = wb.add_worksheet("definitions")
    _write_table(ws, rep.definitions, fmts, "tbl99_definitions")
    wb.close()
    return buffer.getvalue()
