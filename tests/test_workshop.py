"""The workshop's presentation in lib/report/workshop.py (the slide plan) and the "Agreed actions"
slides of the exported deck."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu, Inches

from lib.analysis import findings as rules
from lib.analysis import overview, shifts
from lib.core.dataset import Dataset
from lib.intake.sample import generate
from lib.report import chartspec, definitions, evidence
from lib.report import workshop as w
from lib.report.deck import FOOTER_TOP, deck_bytes
from lib.report.exports import ExportOptions, build_report
from lib.report.html import html_bytes
from lib.report.model import ExportTable, Report
from lib.store.actions import ActionItem


def _people(groups: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(p, f"Name {p}", g) for g, members in groups.items() for p in members]
    return pd.DataFrame(rows, columns=["person_id", "name", "department"])


# --- presentation -------------------------------------------------------------------------------


def test_slide_plan_for_an_organisation() -> None:
    ds = generate(people=60, seed=5)
    report = build_report(ds, ExportOptions(view="aggregate"))
    assert report.head is not None
    plan = w.slide_plan(report, has_actions=True)
    kinds = [s.kind for s in plan]
    assert kinds[:2] == ["title", "tiles"]
    assert kinds.count("finding") == len(report.head.findings)
    assert {"map", "learning", "trust", "skills"} <= set(kinds) and kinds[-1] == "actions"
    assert "actions" not in [s.kind for s in w.slide_plan(report)]


@pytest.fixture(scope="module")
def two_waves() -> tuple[Dataset, Report]:
    ds = generate(people=80, seed=3)  # the sample has two waves
    return ds, build_report(ds, ExportOptions(view="aggregate"))


def test_every_slide_of_the_plan_has_a_chart(two_waves: tuple[Dataset, Report]) -> None:
    _ds, report = two_waves
    plan = w.slide_plan(report, has_actions=True)
    assert report.head is not None and report.head.findings
    for spec in plan:
        if spec.kind in w.CHARTLESS:
            assert spec.chart is None, spec.title
            continue
        assert spec.chart is not None and not spec.chart.is_empty, spec.title
        for series in spec.chart.series:
            assert len(series.values) == len(spec.chart.categories), (spec.title, series.name)
    kinds = [s.kind for s in plan]
    assert {"learning", "shifts", "map", "trust", "skills"} <= set(kinds)
    assert kinds.count("finding") == len(report.head.findings)
    assert [s.kind for s in plan if s.kind not in w.CHARTLESS][:3] == ["learning", "shifts", "map"]


def test_the_mix_is_drawn_against_both_references(two_waves: tuple[Dataset, Report]) -> None:
    _ds, report = two_waves
    mix = w.learning_chart(report)
    assert mix is not None and mix.stacked
    cats = list(mix.categories)
    assert cats[-3:] == ["Whole organisation", "Reference 70:20:10", "Reference 80% informal"]
    bars = {s.name: s.values for s in mix.series}
    assert [bars[b][-2] for b in ("experience", "others", "formal")] == [0.7, 0.2, 0.1]
    assert bars["informal (reference, not split)"][-1] == pytest.approx(0.8)
    assert bars["formal"][-1] == pytest.approx(0.2)
    overall = report.table("learning_mix")
    values = dict(zip(overall["measure"], overall["value"], strict=True))
    for bucket in ("experience", "others", "formal"):  # each bar adds up to the whole
        assert bars[bucket][-3] == pytest.approx(values[bucket])


def test_the_shifts_mark_the_previous_wave(two_waves: tuple[Dataset, Report]) -> None:
    ds, report = two_waves
    current, previous = overview.wave_and_previous(ds)
    assert previous is not None and report.previous_wave == previous
    card = w.shifts_chart(report)
    assert card is not None and card.scale == (0.0, 100.0)
    now, before = card.series
    assert now.name == f"Wave {current}" and before.name == f"Wave {previous}"
    then = {s.code: s.score for s in shifts.scorecard(ds, previous)}
    codes = [c.split(":")[0] for c in card.categories]
    assert list(before.values) == pytest.approx([then[c] for c in codes])
    only = generate(people=40, seed=3, waves=1)
    single = w.shifts_chart(build_report(only, ExportOptions()))
    assert single is not None and len(single.series) == 1  # one wave: nothing to mark


def _first_sentence(key: str) -> str:
    return " ".join(definitions.plain(definitions.text(key)).split())[:60]


def test_speaker_notes_give_the_registry_definitions(two_waves: tuple[Dataset, Report]) -> None:
    _ds, report = two_waves
    plan = w.slide_plan(report)
    for spec in plan:
        for key in w.NOTE_KEYS.get(spec.kind, ()):
            assert _first_sentence(key) in " ".join(spec.notes.split()), (spec.kind, key)
        if spec.kind == "finding":
            assert report.head is not None
            rule = report.head.findings[spec.index].rule
            assert _first_sentence(f"rule.{rule}") in " ".join(spec.notes.split())
            assert _first_sentence(w.FINDING_NOTE_KEYS[rule]) in " ".join(spec.notes.split())
    tiles = next(s for s in plan if s.kind == "tiles")
    assert tiles.notes == w.tile_notes(report) and tiles.notes.count("\n") == len(report.head.tiles) - 1  # type: ignore[union-attr]


def test_the_deck_draws_the_plan(two_waves: tuple[Dataset, Report]) -> None:
    ds, report = two_waves
    prs = Presentation(io.BytesIO(deck_bytes(ds, report=report)))
    plan = w.slide_plan(report)
    slides = list(prs.slides)[: len(plan)]
    titles = [next(sh.text_frame.paragraphs[0].text for sh in s.shapes if sh.has_text_frame) for s in slides]
    assert titles == [p.title for p in plan]
    assert list(prs.slides)[len(plan)].shapes[0].text_frame.text.startswith("Appendix: definitions")
    for spec, slide in zip(plan, slides, strict=True):
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        assert " ".join(notes.split()) == " ".join(spec.notes.split()), spec.title
        drawn = [sh for sh in slide.shapes if sh.has_chart or sh.shape_type == 13]  # chart or picture
        assert len(drawn) == (0 if spec.kind in w.CHARTLESS else 1), spec.title
        if spec.chart is not None and not spec.chart.image:
            chart = drawn[0].chart
            names = [s.name for s in chart.plots[0].series]
            cats = list(chart.plots[0].categories)
            if chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED:
                # plotted bottom-up on a normal axis: stored in reverse, read top-down in plan order
                assert not chart.category_axis.reverse_order, spec.title
                names, cats = names[::-1], cats[::-1]
            assert names == [s.name for s in spec.chart.series], spec.title
            assert cats == list(spec.chart.categories), spec.title


def test_side_by_side_bars_and_legend_read_in_the_plans_order(two_waves: tuple[Dataset, Report]) -> None:
    """The shifts slide: this wave's bar above the previous wave's in every cluster and first in the
    legend, the first shift at the top. Horizontal bars are plotted bottom-up (first category and
    first series nearest the origin), and LibreOffice lists a bar chart's legend bottom-up too, so
    the chart must hold the series and categories in reverse on a normal (not reversed) axis."""
    ds, report = two_waves
    card = w.shifts_chart(report)
    assert card is not None and len(card.series) == 2
    prs = Presentation(io.BytesIO(deck_bytes(ds, report=report)))
    slide = next(
        s
        for s in prs.slides
        if any(sh.has_text_frame and sh.text_frame.paragraphs[0].text == "The five shifts" for sh in s.shapes)
    )
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert not chart.category_axis.reverse_order
    series = list(chart.plots[0].series)
    # bottom-up plot order: the last series and the last category are drawn at the top
    top_down = [s.name for s in reversed(series)]
    assert top_down == [f"Wave {report.wave}", f"Wave {report.previous_wave}"]
    assert list(reversed(list(chart.plots[0].categories))) == list(card.categories)
    assert top_down[0] == card.series[0].name  # the legend's first entry is this wave
    # colours follow their series: this wave blue, the previous wave sky blue
    fills = {s.name: str(s.format.fill.fore_color.rgb) for s in series}
    assert fills == {
        f"Wave {report.wave}": chartspec.MEASURED.lstrip("#").upper(),
        f"Wave {report.previous_wave}": chartspec.PREVIOUS.lstrip("#").upper(),
    }
    # the values travel with their categories
    first = dict(zip(chart.plots[0].categories, series[-1].values, strict=True))
    assert first[card.categories[0]] == pytest.approx(card.series[0].values[0])


def test_the_html_report_shows_the_plan_charts_offline(two_waves: tuple[Dataset, Report]) -> None:
    ds, report = two_waves
    page = html_bytes(ds, report=report).decode("utf-8")
    charts = [s.chart for s in w.slide_plan(report) if s.chart is not None]
    assert page.count('src="data:image/png;base64,') == len(charts)
    for c in charts:
        assert f'alt="{c.alt}"'.replace("'", "&#x27;") in page or c.alt[:30] in page
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, re.IGNORECASE)  # no external URL


def test_the_plan_names_nobody(two_waves: tuple[Dataset, Report]) -> None:
    ds, report = two_waves
    names = {str(n) for n in ds.people["name"] if isinstance(n, str)} | {
        str(p) for p in ds.people["person_id"]
    }
    for spec in w.slide_plan(report):
        words = [spec.title, spec.subtitle, spec.detail]
        if spec.chart:
            words += [spec.chart.alt, *spec.chart.categories, *(s.name for s in spec.chart.series)]
        text = "\n".join(words)
        assert [n for n in names if re.search(rf"\b{re.escape(n)}\b", text)] == [], spec.title


# --- each finding's evidence, on hand-built reports ---------------------------------------------


def _report(*tables: ExportTable, org: dict[str, object] | None = None) -> Report:
    head = overview.Headline("W1", [], rules.Facts(org=org or {}))
    return Report(
        ExportOptions(),
        "x",
        "W1",
        50,
        "2026-12-06",
        list(tables),
        pd.DataFrame(),
        head,
        group_by="department",
    )


def _finding(rule: str, group: str = "", **ev: object) -> rules.Finding:
    return rules.Finding(rule, "a sentence", ev, "strong", "Network", "do this", group)


def test_a_silo_shows_its_row_of_the_group_matrix() -> None:
    matrix = pd.DataFrame({"from department \\ to": ["Sales", "Ops"], "Sales": [40, 3], "Ops": [2, 30]})
    report = _report(ExportTable("matrix_department", "m", matrix))
    spec = evidence.finding_chart(
        _finding("silo", "Sales", ei_sent=-0.9, internal_share=0.95, internal_share_random=0.4), report
    )
    assert spec.categories == ("Sales", "Ops") and spec.series[0].values == (40.0, 2.0)
    assert "95% stay inside" in spec.alt and "40%" in spec.alt


def test_a_key_person_shows_reach_before_and_after() -> None:
    report = _report(org={"key_person_reach_lost": 0.25})
    spec = evidence.finding_chart(_finding("key_people", key_people=2, key_person_threshold=0.01), report)
    assert spec.series[0].values == (1.0, 0.75) and spec.unit == "share"


def test_a_finding_without_its_table_falls_back_to_its_thresholds() -> None:
    spec = evidence.finding_chart(_finding("silo", "Sales", ei_sent=-0.85), _report())
    rule = rules.RULES_BY_KEY["silo"]
    assert [s.values for s in spec.series] == [(-0.85,), (rule.threshold,), (rule.strong,)]
    assert spec.unit == "correlation" and not spec.is_empty


def test_every_rule_has_an_evidence_chart_and_notes() -> None:
    assert set(evidence.EVIDENCE) | {"rank_over_knowledge"} == set(rules.RULES_BY_KEY)
    assert set(w.FINDING_NOTE_KEYS) == set(rules.RULES_BY_KEY)
    assert set(w.FINDING_NOTE_KEYS.values()) <= {e.key for e in definitions.entries()}


def test_chart_png_draws_every_spec() -> None:
    spec = chartspec.ChartSpec("a", ("x", "y"), (chartspec.Series("s", (0.2, None)),), "share", (0, 1))
    assert chartspec.png(spec).startswith(b"\x89PNG")
    assert chartspec.png(chartspec.ChartSpec("m", image="network_map"), {"network_map": b"png"}) == b"png"


def test_slide_plan_for_an_organisation_under_the_minimum() -> None:
    report = build_report(Dataset(people=_people({"Alpha": ["a1", "a2"]})), ExportOptions(view="aggregate"))
    assert [s.kind for s in w.slide_plan(report, has_actions=True)] == ["title", "notice"]


# --- the deck -----------------------------------------------------------------------------------


def _slide_texts(data: bytes) -> list[str]:
    prs = Presentation(io.BytesIO(data))
    out = []
    for slide in prs.slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
        out.append("\n".join(parts))
    return out


@pytest.fixture(scope="module")
def small_org() -> tuple[Dataset, object]:
    ds = generate(people=40, seed=2)
    return ds, build_report(ds, ExportOptions())


def _item(i: int, title: str, notes: str = "", status: str = "open") -> ActionItem:
    return ActionItem(
        i, title, "People team", date(2026, 12, 1), status, notes, datetime(2026, 11, 28, tzinfo=UTC)
    )


def test_deck_shows_the_agreed_actions(small_org: tuple[Dataset, object]) -> None:
    ds, report = small_org
    plain = _slide_texts(deck_bytes(ds, report=report))  # type: ignore[arg-type]
    items = [
        _item(1, "Pair new joiners with a buddy", "Start with Sales"),
        _item(2, '=HYPERLINK("x")', status="done"),
    ]
    texts = _slide_texts(deck_bytes(ds, report=report, actions=items))  # type: ignore[arg-type]
    assert len(texts) == len(plain) + 1
    slide = next(t for t in texts if t.startswith("Agreed actions"))
    assert "Pair new joiners with a buddy" in slide and "Start with Sales" in slide and "2026-12-01" in slide
    assert '=HYPERLINK("x")' in slide  # plain text in a table cell, not a formula
    assert "2 actions agreed in the workshop, 1 done." in slide
    assert not any(t.startswith("Agreed actions") for t in plain)


def test_many_actions_run_over_several_slides_and_stay_on_them(small_org: tuple[Dataset, object]) -> None:
    ds, report = small_org
    items = [
        _item(i, f"Action number {i} " + "with a long explanation " * (i % 7), "note " * (i % 11))
        for i in range(40)
    ]
    prs = Presentation(io.BytesIO(deck_bytes(ds, report=report, actions=items)))  # type: ignore[arg-type]
    pages = [
        s
        for s in prs.slides
        if any(sh.has_text_frame and sh.text_frame.text.startswith("Agreed actions") for sh in s.shapes)
    ]
    assert len(pages) > 1
    shown = []
    for slide in pages:
        table = next(sh for sh in slide.shapes if sh.has_table)
        assert table.top + sum(r.height for r in table.table.rows) <= Emu(Inches(FOOTER_TOP))
        shown += [row.cells[0].text for row in list(table.table.rows)[1:]]
    assert shown == [a.title.strip() for a in items]
