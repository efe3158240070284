"""Exports: the deck, the workbook and the HTML report obey the privacy view and never carry a formula."""

from __future__ import annotations

import html
import io
import math
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu

from lib.analysis import learning, network
from lib.analysis.findings import RULES
from lib.app.cli import main as cli_main
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.core.sanitise import formula_like
from lib.intake.sample import generate, write_dataset
from lib.report import columns
from lib.report.deck import MIN_FONT_PT, deck_bytes, fits, line_count
from lib.report.exports import (
    HIDDEN,
    PERSON_COLUMNS,
    ExportOptions,
    Report,
    build_report,
    definitions_table,
    export_filename,
    export_tables,
    workbook_bytes,
)
from lib.report.html import html_bytes

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"
SAMPLE = ROOT / "sample_data" / "sample_org.xlsx"
EVIL = '=HYPERLINK("http://x","y")'
PERSON_LEVEL_TABLES = {"people", "key_people", "learning_hubs", "person_skill_gaps"}


# --- helpers --------------------------------------------------------------------------------------


def _zip_text(data: bytes) -> str:
    """Every XML part of an Office file, embedded workbooks included, as unescaped text."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            blob = z.read(name)
            if name.endswith((".xml", ".rels")):
                parts.append(html.unescape(blob.decode("utf-8")))
            elif name.endswith(".xlsx"):
                parts.append(_zip_text(blob))
    return "\n".join(parts)


def _file_text(kind: str, data: bytes) -> str:
    return html.unescape(data.decode("utf-8")) if kind == "html" else _zip_text(data)


def _person_hits(text: str, ds: Dataset) -> list[str]:
    """Person ids found as whole tokens, and full names found anywhere, in ``text``."""
    hits = []
    for pid in ds.people["person_id"].astype(str):
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(pid)}(?![A-Za-z0-9])", text):
            hits.append(pid)
    for name in ds.people["name"].dropna().astype(str):
        if name.strip() and name in text:
            hits.append(name)
    return hits


def _workbook_cells(data: bytes) -> list[openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def _embedded_workbooks(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [z.read(n) for n in z.namelist() if n.endswith(".xlsx")]


def make_ds(departments: dict[str, int], names: dict[int, str] | None = None) -> Dataset:
    """A small organisation: people numbered 1.. in departments, each asking the next one in the
    department and the first person of the next department for advice; learning hours for everyone."""
    rows, ids = [], []
    i = 0
    for dept, size in departments.items():
        for k in range(size):
            i += 1
            pid = f"E{i:03d}"
            ids.append((pid, dept, k))
            rows.append(
                {
                    "person_id": pid,
                    "name": (names or {}).get(i, f"Person Number{i}"),
                    "team": f"{dept} team",
                    "department": dept,
                    "role": "Analyst",
                    "level": 3,
                    "manager_id": "",
                    "location": "Lyon",
                    "tenure_years": 2.0,
                    "responded": True,
                }
            )
    people = pd.DataFrame(rows)
    people["level"] = people["level"].astype("Int64")
    firsts = {d: next(p for p, dd, _ in ids if dd == d) for d in departments}
    order = list(departments)
    ties = []
    for pid, dept, k in ids:
        members = [p for p, dd, _ in ids if dd == dept]
        if len(members) > 1:
            ties.append((pid, members[(k + 1) % len(members)]))
        other = order[(order.index(dept) + 1) % len(order)]
        if other != dept:
            ties.append((pid, firsts[other]))
    tie_frame = pd.DataFrame(
        [
            {
                "source_id": s,
                "target_id": t,
                "relation": "advice",
                "weight": 1.0,
                "learning_type": "",
                "mode": "",
                "topic": "",
                "wave": "",
            }
            for s, t in ties
        ]
    )
    hours = [
        {"person_id": pid, "wave": "", "learning_type": t, "hours": h}
        for pid, _, k in ids
        for t, h in zip(("IOL", "GDL", "PDL", "ASL", "FSL"), (2.0, 1.0, 3.0, 1.0, 1.0 + k % 2), strict=True)
    ]
    return Dataset(people=people, ties=tie_frame, learning=pd.DataFrame(hours), source="hand-built")


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Dataset:
    if SAMPLE.exists():
        from lib.intake.loader import load_path

        return load_path(SAMPLE)
    return generate(people=250, seed=7)


@pytest.fixture(scope="module")
def aggregate(sample: Dataset) -> Report:
    return build_report(sample, ExportOptions())


@pytest.fixture(scope="module")
def named(sample: Dataset) -> Report:
    return build_report(sample, ExportOptions(view="named"))


def _files(ds: Dataset, report: Report) -> dict[str, bytes]:
    o = report.options
    return {
        "pptx": deck_bytes(ds, o, report=report),
        "xlsx": workbook_bytes(ds, o, report=report),
        "html": html_bytes(ds, o, report=report),
    }


@pytest.fixture(scope="module")
def aggregate_files(sample: Dataset, aggregate: Report) -> dict[str, bytes]:
    return _files(sample, aggregate)


@pytest.fixture(scope="module")
def named_files(sample: Dataset, named: Report) -> dict[str, bytes]:
    return _files(sample, named)


@pytest.fixture(scope="module")
def evil() -> Dataset:
    """Names and a department that try formula injection, HTML injection and control characters."""
    names = {1: EVIL, 2: "<script>alert(1)</script>", 3: "@SUM(1+1)", 4: "-2+3", 5: "\tTabbed\x00Nul\x07Bell"}
    ds = make_ds({"=cmd|' /C calc'!A0": 6, "Sales": 6}, names)
    return ds


# --- options and small helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_group_size": 4}, "cannot be below 5"),
        ({"min_group_size": 5.5}, "whole number"),
        ({"view": "public"}, "aggregate"),
    ],
)
def test_options_reject_unsafe_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExportOptions(**kwargs)  # type: ignore[arg-type]


def test_options_accept_a_raised_minimum() -> None:
    assert ExportOptions(min_group_size=8.0).min_group_size == 8  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "view", "expected"),
    [
        ("pptx", "aggregate", "social-learning-aggregate-2026-03-31.pptx"),
        ("xlsx", "named", "social-learning-named-2026-03-31.xlsx"),
        ("html", "aggregate", "social-learning-aggregate-2026-03-31.html"),
    ],
)
def test_export_filename(kind: str, view: str, expected: str) -> None:
    import datetime as dt

    assert export_filename(kind, view, dt.date(2026, 3, 31)) == expected  # type: ignore[arg-type]


def test_export_filename_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="pptx, xlsx or html"):
        export_filename("pdf")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", 1),
        ("aaaa bbbb", 1),  # 9 characters on a 10-character line
        ("aaaa bbbb cccc", 2),
        ("a" * 25, 3),  # one long word breaks over ceil(25 / 10) lines
        ("a\nb", 2),
    ],
)
def test_line_count(text: str, lines: int) -> None:
    # 12 pt × 0.55 = 6.6 pt per character; 1 inch = 72 pt → 10 characters per line
    assert line_count(text, 12, 1.0) == lines


# --- definitions ----------------------------------------------------------------------------------


def test_definitions_cover_every_measure_and_rule() -> None:
    from lib.report import definitions

    defs = definitions_table()
    assert list(defs.columns) == ["area", "measure", "key", "unit", "variant", "source", "definition"]
    assert not defs.duplicated(["area", "measure"]).any() and not defs["key"].duplicated().any()
    assert (defs["definition"].str.len() > 10).all()
    for column in network.PERSON_COLUMNS:
        assert definitions.measure(column).key in set(defs["key"])
    for key in network.NetworkSummary.__dataclass_fields__:
        assert key == "relations" or key in set(defs["key"])
    for rule in RULES:
        assert f"rule.{rule.key}" in set(defs["key"])
    # reST markup from the docstrings is gone
    assert not defs["definition"].str.contains("``|:func:", regex=True).any()


# --- privacy ------------------------------------------------------------------------------------


def test_aggregate_tables_have_no_person_level_table_or_column(sample: Dataset) -> None:
    tables = export_tables(sample, ExportOptions())
    assert not PERSON_LEVEL_TABLES & set(tables)
    for name, frame in tables.items():
        assert not PERSON_COLUMNS & {str(c) for c in frame.columns}, name
        assert "title" in frame.attrs


def test_named_tables_include_people(named: Report) -> None:
    names = {t.name for t in named.tables}
    assert {"people", "key_people"} <= names
    assert "person" in named.table("people").columns


@pytest.mark.parametrize("kind", ["pptx", "xlsx", "html"])
def test_aggregate_files_name_nobody(
    sample: Dataset, aggregate_files: dict[str, bytes], named_files: dict[str, bytes], kind: str
) -> None:
    assert _person_hits(_file_text(kind, aggregate_files[kind]), sample) == []
    # the same search does find people in the named view (the check above can fail)
    assert len(_person_hits(_file_text(kind, named_files[kind]), sample)) >= 10


def test_pseudonyms_replace_names_and_ids(sample: Dataset) -> None:
    o = ExportOptions(view="named", pseudonyms=True)
    report = build_report(sample, o)
    text = _zip_text(workbook_bytes(sample, o, report=report))
    assert _person_hits(text, sample) == []
    labels = privacy.person_labels(sample, pseudonyms=True)
    assert sum(label in text for label in labels.values()) >= len(labels) * 0.9


def test_small_groups_are_hidden_with_their_complement() -> None:
    ds = make_ds({"A": 7, "B": 6, "C": 2})
    report = build_report(ds, ExportOptions())
    ei = report.table("ei_department")
    # C (2 people) is too small; B, the smallest shown group, would reveal C from the total
    assert list(ei["group"]) == ["A"]
    assert "can be worked out by subtracting" in next(
        t.note for t in report.tables if t.name == "ei_department"
    )
    mix = report.table("learning_department")
    assert list(mix["department"]) == ["A"]
    matrix = report.table("matrix_department")
    assert list(matrix.columns) == ["from department \\ to", "A"]


def test_raised_minimum_hides_more() -> None:
    ds = make_ds({"A": 7, "B": 6, "C": 2})
    report = build_report(ds, ExportOptions(min_group_size=8))
    assert len(report.table("ei_department")) == 0
    assert len(report.table("learning_department")) == 0
    assert "fewer than 8" in next(t.note for t in report.tables if t.name == "ei_department")


def test_an_organisation_under_the_minimum_exports_no_statistics() -> None:
    ds = make_ds({"A": 3})
    report = build_report(ds, ExportOptions())
    assert report.tables == []
    assert "fewer than the minimum group size" in report.notice
    files = _files(ds, report)
    for kind, data in files.items():
        assert _person_hits(_file_text(kind, data), ds) == [], kind
    assert "fewer than the minimum group size" in files["html"].decode("utf-8")


def test_last_guard_hides_a_cell_that_is_a_persons_name() -> None:
    # a department named exactly like a person would otherwise reach the aggregate tables
    ds = make_ds({"Person Number1": 6, "Sales": 6})
    tables = export_tables(ds, ExportOptions())
    text = " ".join(str(v) for frame in tables.values() for v in frame.to_numpy().ravel())
    assert "Person Number1" not in text
    assert HIDDEN in text


# --- formulas and escaping --------------------------------------------------------------------------


def _inert(cell: openpyxl.cell.cell.Cell) -> bool:
    """A string cell marked as text (Excel's hidden quote prefix): shown as typed, never run."""
    return cell.data_type == "s" and bool(cell.quotePrefix)


def test_named_workbook_stores_formula_like_names_as_text(evil: Dataset) -> None:
    o = ExportOptions(view="named")
    cells = _workbook_cells(workbook_bytes(evil, o))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    hyperlink = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hyperlink
    # as typed, without a visible apostrophe, and marked as text
    assert all(c.value == EVIL and _inert(c) for c in hyperlink)
    for text in ("@SUM(1+1)", "-2+3", "=cmd|' /C calc'!A0"):
        found = [c for c in cells if isinstance(c.value, str) and c.value.endswith(text)]
        assert found and all(c.value == text and _inert(c) for c in found), text
    # control characters are dropped; the tab-led name is marked as text too
    assert any(c.value == "\tTabbedNulBell" and _inert(c) for c in cells)
    # no cell anywhere starts with a formula character without the mark
    assert [c.coordinate for c in cells if formula_like(c.value) and not _inert(c)] == []
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)


def test_aggregate_workbook_and_chart_data_guard_group_labels(evil: Dataset) -> None:
    o = ExportOptions()
    cells = _workbook_cells(workbook_bytes(evil, o))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert any(c.value == "=cmd|' /C calc'!A0" and _inert(c) for c in cells)
    assert [c.coordinate for c in cells if formula_like(c.value) and not _inert(c)] == []
    # the department label also lands in the deck's chart data (an embedded workbook)
    embedded = _embedded_workbooks(deck_bytes(evil, o))
    assert embedded
    chart_cells = [c for data in embedded for c in _workbook_cells(data)]
    assert [c.coordinate for c in chart_cells if c.data_type == "f"] == []
    assert any(c.value == "'=cmd|' /C calc'!A0" for c in chart_cells)


def test_html_escapes_user_text(evil: Dataset) -> None:
    page = html_bytes(evil, ExportOptions(view="named")).decode("utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert html.escape(EVIL, quote=True) in page
    assert EVIL not in page
    assert "\x00" not in page and "\x07" not in page


def test_deck_shows_names_as_plain_text(evil: Dataset) -> None:
    data = deck_bytes(evil, ExportOptions(view="named"))
    prs = Presentation(io.BytesIO(data))
    runs = [
        run
        for slide in prs.slides
        for shape in slide.shapes
        for frame in (
            [shape.text_frame]
            if shape.has_text_frame
            else [c.text_frame for r in shape.table.rows for c in r.cells]
            if shape.has_table
            else []
        )
        for para in frame.paragraphs
        for run in para.runs
    ]
    named = [r for r in runs if "HYPERLINK" in r.text]
    assert named, "the named deck lists people"
    assert all(r.text == EVIL and r.hyperlink.address is None for r in named)
    assert all(r.hyperlink.address is None for r in runs)


# --- the HTML report ------------------------------------------------------------------------------


def test_html_is_self_contained(aggregate_files: dict[str, bytes]) -> None:
    page = aggregate_files["html"].decode("utf-8")
    assert page.startswith("<!doctype html>")
    assert "Content-Security-Policy" in page
    lower = page.lower()
    for forbidden in ("<script", "<link", "<iframe", "url(", "@import"):
        assert forbidden not in lower, forbidden
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"https?://", page)


def test_html_shows_every_table_and_finding(aggregate: Report, aggregate_files: dict[str, bytes]) -> None:
    page = html.unescape(aggregate_files["html"].decode("utf-8"))
    for t in aggregate.tables:
        if t.page != "Overview":
            assert t.title in page, t.title
    assert aggregate.head is not None
    for f in aggregate.head.findings:
        assert f.statement in page


# --- the workbook ---------------------------------------------------------------------------------


def test_workbook_has_every_table_with_its_values(
    aggregate: Report, aggregate_files: dict[str, bytes]
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(aggregate_files["xlsx"]))
    assert wb.sheetnames == ["contents", "charts", *[t.name for t in aggregate.tables], "definitions"]
    for t in aggregate.tables:
        ws = wb[t.name]
        labels = [c.value for c in ws[1]][: len(t.frame.columns)]
        assert labels == [columns.label(c) for c in t.frame.columns], t.name
        assert not [x for x in labels if columns.SNAKE_CASE.match(str(x))], t.name
        assert ws.max_row == len(t.frame) + 1, t.name
    # numbers stay numbers: the learning mix shares read back as the same floats
    ws = wb["learning_mix"]
    values = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    table = aggregate.table("learning_mix").set_index("measure")["value"]
    for key, value in table.items():
        if not math.isnan(value):
            assert values[key] == pytest.approx(value)


def _column(ws: Any, label: str) -> list[openpyxl.cell.cell.Cell]:
    """The data cells under the header ``label`` (row 1)."""
    j = [c.value for c in ws[1]].index(label)
    return [row[j] for row in ws.iter_rows(min_row=2)]


def test_workbook_numbers_are_numbers_with_formats(
    aggregate: Report, aggregate_files: dict[str, bytes]
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(aggregate_files["xlsx"]))
    gaps = wb["skill_gaps"]
    shares = _column(gaps, "Share affected")
    assert shares and all(c.data_type == "n" and c.number_format == "0%" for c in shares)
    assert all(0 <= c.value <= 1 for c in shares if c.value is not None)
    assert all(c.number_format == "#,##0" for c in _column(gaps, "Levels missing"))
    assert all(c.number_format == "0.0" for c in _column(gaps, "Mean gap (levels)"))
    # the headline: values and changes are numbers, each in its own unit
    head = wb["headline"]
    rows = {r[0].value: r for r in head.iter_rows(min_row=2)}
    assert aggregate.head is not None
    tiles = {t.label: t for t in aggregate.head.tiles}
    rate = rows["Response rate"]
    assert rate[1].data_type == "n" and rate[1].value == pytest.approx(tiles["Response rate"].value)
    assert rate[1].number_format == "0%"
    changed = [r for r in rows.values() if r[2].value is not None]
    assert changed, "the sample has two waves: the headline shows changes"
    for r in changed:
        assert r[2].data_type == "n" and r[2].number_format.startswith("+"), r[0].value
    informal = tiles["Informal learning"]
    assert informal.change is not None
    assert rows["Informal learning"][2].value == pytest.approx(informal.change * 100)  # points
    # no number hides in a text cell ("88%", "+4 pts", "0.91") outside the page-text column
    number_text = re.compile(r"^[+\-−]?\d[\d,]*(\.\d+)?\s*(%|pts)?$")
    for ws in wb.worksheets:
        if ws.title in {"contents", "charts", "definitions"}:
            continue
        keep = {j for j, c in enumerate(ws[1]) if c.value == "As shown on the page"}
        for row in ws.iter_rows(min_row=2):
            for j, c in enumerate(row):
                if j not in keep and c.data_type == "s":
                    assert not number_text.match(str(c.value).strip()), (ws.title, c.coordinate, c.value)
    # dates are dates
    generated = next(r[1] for r in wb["contents"].iter_rows() if r[0].value == "Generated")
    assert generated.is_date and generated.number_format == "yyyy-mm-dd"
    periods = _column(wb["flow_trend"], "Period")
    assert periods and all(c.is_date and c.number_format == "yyyy-mm" for c in periods)
    first = aggregate.table("flow_trend")["period"].iloc[0]
    assert periods[0].value.strftime("%Y-%m") == first


def test_workbook_tables_filters_frozen_headers_and_widths(
    aggregate: Report, aggregate_files: dict[str, bytes]
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(aggregate_files["xlsx"]))
    names: set[str] = set()
    for t in aggregate.tables:
        ws = wb[t.name]
        assert len(ws.tables) == 1, t.name
        table = next(iter(ws.tables.values()))
        names.add(table.name)
        last = openpyxl.utils.get_column_letter(len(t.frame.columns))
        assert table.ref == f"A1:{last}{max(len(t.frame), 1) + 1}", t.name
        assert table.autoFilter is not None and table.tableStyleInfo.showRowStripes
        assert ws.freeze_panes == "A2", t.name
        widths = {
            j: d.width for d in ws.column_dimensions.values() for j in range(d.min or 0, (d.max or 0) + 1)
        }
        for j, label in enumerate((c.value for c in ws[1]), start=1):
            if label is None:
                continue
            width = widths.get(j, 0)
            assert min(len(str(label)), 60) <= width <= 62, (t.name, label, width)
    assert len(names) == len(aggregate.tables)


def test_workbook_charts_sheet_has_native_charts(
    aggregate: Report, aggregate_files: dict[str, bytes]
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(aggregate_files["xlsx"]))
    charts = wb["charts"]._charts
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in (p.r or [])) for c in charts]
    assert titles == [
        "Learning mix against 70:20:10",
        f"Learning mix per {aggregate.group_by}",
        "The five shifts (0 = old pole, 100 = networked)",
    ]
    # every series reads cells of this workbook's own tables
    for chart in charts:
        for series in chart.series:
            ref = series.val.numRef.f
            sheet = ref.split("!")[0].strip("'")
            assert sheet in wb.sheetnames, ref
    # the first chart: the three 70:20:10 buckets, this organisation against the reference
    ws = wb["learning_mix"]
    buckets = [b.name for b in learning.SEVENTY_TWENTY_TEN]
    cats = [c[0].value for c in ws[charts[0].series[0].cat.strRef.f.split("!")[1].replace("$", "")]]
    assert cats == buckets
    table = aggregate.table("learning_mix").set_index("measure")
    for series, column in zip(charts[0].series, ["value", "reference"], strict=True):
        got = [c[0].value for c in ws[series.val.numRef.f.split("!")[1].replace("$", "")]]
        assert got == pytest.approx([table.loc[b, column] for b in buckets])


def test_headline_change_and_page_text_read_as_two_columns(aggregate_files: dict[str, bytes]) -> None:
    """The right-aligned change ("+4 pts") must not run into the page's text ("90%") beside it: the
    change is centred in its column and the page's text starts one indent in."""
    ws = openpyxl.load_workbook(io.BytesIO(aggregate_files["xlsx"]))["headline"]
    header = [c.value for c in ws[1]]
    change, shown = header.index("Change since previous wave"), header.index("As shown on the page")
    assert shown == change + 1
    changes = [r[change] for r in ws.iter_rows(min_row=2) if r[change].value is not None]
    assert changes, "the sample has two waves"
    for c in changes:
        assert c.data_type == "n" and c.number_format.startswith("+"), c.coordinate
        assert c.alignment.horizontal == "center", c.coordinate
    for row in ws.iter_rows(min_row=2):
        c = row[shown]
        assert c.data_type == "s" and c.alignment.horizontal == "left" and c.alignment.indent == 1, (
            c.coordinate
        )
    assert ws[1][change].alignment.horizontal == "center"


_CODE_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def test_findings_sheet_evidence_is_in_words(aggregate: Report, aggregate_files: dict[str, bytes]) -> None:
    """Each finding's evidence as labelled facts in their precision, no code names (the raw
    names stay in the CSV/JSON)."""
    ws = openpyxl.load_workbook(io.BytesIO(aggregate_files["xlsx"]))["findings"]
    header = [c.value for c in ws[1]]
    cells = [r[header.index("Evidence")] for r in ws.iter_rows(min_row=2)]
    assert aggregate.head is not None and aggregate.head.findings
    assert len(cells) == len(aggregate.head.findings)
    for cell, finding in zip(cells, aggregate.head.findings, strict=True):
        text = str(cell.value)
        assert not _CODE_NAME.search(text), text
        assert "True" not in text and "False" not in text, text
        lines = text.split("\n")
        assert [line.rsplit(": ", 1)[0] for line in lines] == [columns.label(k) for k in finding.evidence]
        for line, (key, value) in zip(lines, finding.evidence.items(), strict=True):
            kind = columns.kind_of(key)
            if isinstance(value, float) and kind == "share":
                assert line.endswith(f"{value:.0%}"), line
        assert cell.alignment.wrap_text, cell.coordinate
    overload = next((f for f in aggregate.head.findings if f.rule == "experts_overloaded"), None)
    if overload is not None:
        assert (
            f"Colleagues naming the most-asked person: {overload.evidence['advice_top_in_degree']:.0f}"
            in cells[aggregate.head.findings.index(overload)].value.split("\n")
        )


def _fill(series: Any) -> str:
    return str(series.graphicalProperties.solidFill.srgbClr).upper()


def test_workbook_charts_use_the_shared_palette_and_mark_the_previous_wave(
    aggregate: Report, aggregate_files: dict[str, bytes]
) -> None:
    from lib.report.charts import BUCKET_COLOURS
    from lib.report.chartspec import MEASURED, PREVIOUS, REFERENCE

    wb = openpyxl.load_workbook(io.BytesIO(aggregate_files["xlsx"]))
    mix, per_group, card = wb["charts"]._charts
    assert [_fill(s) for s in mix.series] == [MEASURED[1:], REFERENCE[1:]]
    # per group: each bucket in the colour the deck, Present and the pages give it
    buckets = [b.name for b in learning.SEVENTY_TWENTY_TEN]
    assert [_fill(s) for s in per_group.series] == [BUCKET_COLOURS[b][1:].upper() for b in buckets]
    # the shifts: this wave, then the previous wave read from the scorecard's own column
    assert aggregate.previous_wave and aggregate.previous_shifts
    assert [_fill(s) for s in card.series] == [MEASURED[1:], PREVIOUS[1:]]
    names = [s.tx.v for s in card.series]
    assert names == [f"Wave {aggregate.wave}", f"Wave {aggregate.previous_wave}"]
    ws = wb["five_shifts"]
    ref = card.series[1].val.numRef.f
    assert ref.split("!")[0].strip("'") == "five_shifts"
    cells = [c[0] for c in ws[ref.split("!")[1].replace("$", "")]]
    header = [c.value for c in ws[1]]
    assert header[cells[0].column - 1] == "Score, previous wave"
    types = [r[header.index("Type")].value for r in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == pytest.approx([aggregate.previous_shifts[t] for t in types])


def test_one_wave_workbook_draws_the_shifts_alone() -> None:
    ds = generate(people=40, seed=3, waves=1)
    report = build_report(ds, ExportOptions())
    assert not report.previous_shifts
    assert "score_previous" not in report.table("five_shifts")
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(ds, report=report)))
    card = wb["charts"]._charts[-1]
    assert len(card.series) == 1


# --- the deck -------------------------------------------------------------------------------------


def _charts(prs: Presentation) -> list[object]:
    return [shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart]


def test_deck_structure(sample: Dataset, aggregate: Report, aggregate_files: dict[str, bytes]) -> None:
    prs = Presentation(io.BytesIO(aggregate_files["pptx"]))
    titles = [
        next(
            (s.text_frame.paragraphs[0].text for s in slide.shapes if s.has_text_frame and s.text_frame.text),
            "",
        )
        for slide in prs.slides
    ]
    assert aggregate.head is not None
    n = len(aggregate.head.findings)
    assert [t for t in titles if t.startswith("Finding ")] == [f"Finding {i} of {n}" for i in range(1, n + 1)]
    assert "Headline measures" in titles
    assert any(t.startswith("Appendix: definitions (1 of ") for t in titles)
    kinds = {c.chart_type for c in _charts(prs)}
    assert {XL_CHART_TYPE.BAR_STACKED, XL_CHART_TYPE.COLUMN_CLUSTERED, XL_CHART_TYPE.BAR_CLUSTERED} <= kinds
    assert any(shape.shape_type == 13 for slide in prs.slides for shape in slide.shapes)  # the map picture
    # every definition reaches the appendix
    text = "\n".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    for measure in aggregate.definitions["measure"]:
        assert f"{measure}:" in text, measure


def test_deck_learning_chart_matches_the_learning_module(
    sample: Dataset, aggregate: Report, aggregate_files: dict[str, bytes]
) -> None:
    prs = Presentation(io.BytesIO(aggregate_files["pptx"]))
    chart = next(c for c in _charts(prs) if c.chart_type == XL_CHART_TYPE.BAR_STACKED)
    cats = list(chart.plots[0].categories)
    assert cats[-3:] == ["Whole organisation", "Reference 70:20:10", "Reference 80% informal"]
    mix = learning.overall_mix(sample, aggregate.wave or None, 5)
    reference = {"experience": 0.7, "others": 0.2, "formal": 0.1}
    series = {s.name: s.values for s in chart.plots[0].series}
    assert list(series) == ["experience", "others", "informal (reference, not split)", "formal"]
    for name, share in reference.items():
        assert series[name][-3] == pytest.approx(mix.buckets[name])
        assert series[name][-2] == pytest.approx(share)
    # the "80% informal" reference: informal not split into experience and others, formal the rest
    assert series["informal (reference, not split)"][-1] == pytest.approx(0.8)
    assert series["formal"][-1] == pytest.approx(0.2)
    assert series["experience"][-1] is None and series["informal (reference, not split)"][-2] is None
    shown = privacy.shown(learning.group_mix(sample, "department", aggregate.wave or None, 5))
    assert cats[:-3] == list(shown["department"])


def test_deck_text_is_readable_and_on_the_slide(
    aggregate_files: dict[str, bytes], named_files: dict[str, bytes]
) -> None:
    for data in (aggregate_files["pptx"], named_files["pptx"]):
        prs = Presentation(io.BytesIO(data))
        width, height = prs.slide_width, prs.slide_height
        for number, slide in enumerate(prs.slides, start=1):
            for shape in slide.shapes:
                assert shape.left >= 0 and shape.top >= 0, number
                assert shape.left + shape.width <= width and shape.top + shape.height <= height, number
                if not shape.has_text_frame or not shape.text_frame.text:
                    continue
                sizes = [r.font.size.pt for p in shape.text_frame.paragraphs for r in p.runs if r.font.size]
                assert sizes and min(sizes) >= MIN_FONT_PT, number
                from lib.report.deck import Para

                paras = [
                    Para(
                        "".join(r.text for r in p.runs),
                        int(max((r.font.size.pt for r in p.runs if r.font.size), default=18)),
                        space_after=int(p.space_after.pt) if p.space_after else 0,
                    )
                    for p in shape.text_frame.paragraphs
                ]
                assert fits(paras, Emu(shape.width).inches, Emu(shape.height).inches), (
                    number,
                    shape.text_frame.text[:60],
                )


@pytest.mark.parametrize("view", ["aggregate", "named"])
def test_a_dataset_with_people_only_still_exports(view: str) -> None:
    ds = make_ds({"A": 6})
    ds = Dataset(people=ds.people, source="people only")
    o = ExportOptions(view=view)  # type: ignore[arg-type]
    report = build_report(ds, o)
    files = _files(ds, report)
    assert Presentation(io.BytesIO(files["pptx"])).slides
    assert openpyxl.load_workbook(io.BytesIO(files["xlsx"])).sheetnames[0] == "contents"
    assert b"people only" in files["html"]


def _libreoffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found and os.environ.get("CI"):
        pytest.fail("LibreOffice must be installed in CI (./dev.sh test installs libreoffice-impress)")
    return found


def test_deck_opens_in_libreoffice(aggregate_files: dict[str, bytes], tmp_path: Path) -> None:
    soffice = _libreoffice()
    if soffice is None:
        pytest.skip(
            "LibreOffice is not installed (apt-get install libreoffice-impress; ./dev.sh test does it)"
        )
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(aggregate_files["pptx"])
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(deck),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = (tmp_path / "deck.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == len(Presentation(io.BytesIO(aggregate_files["pptx"])).slides)


def test_workbook_opens_in_libreoffice_with_its_formats_and_charts(
    aggregate: Report, aggregate_files: dict[str, bytes], tmp_path: Path
) -> None:
    soffice = _libreoffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc; ./dev.sh test does it)")
    book = tmp_path / "workbook.xlsx"
    book.write_bytes(aggregate_files["xlsx"])
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "workbook.pdf"
    assert pdf.exists(), "LibreOffice Calc could not open the workbook"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = text.stdout.split("\f")
    # the number formats render: the response rate as a whole per cent, its change in points
    assert aggregate.head is not None
    rate = aggregate.head.tile("response_rate")
    assert rate.value is not None
    headline = next(p for p in pages if "Response rate" in p and "Change since previous wave" in p)
    assert f"{rate.value:.0%}" in headline
    assert re.search(r"[+-]\d+ pts", headline)
    # the charts sheet renders its native charts (Okabe-Ito blue bars on the page)
    chart_page = next(i for i, p in enumerate(pages, start=1) if "Learning mix against 70:20:10" in p)
    SHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SHOTS / "workbook"
    for old in SHOTS.glob("workbook-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", str(chart_page + 2), str(pdf), str(prefix)],
        check=True,
        timeout=120,
    )
    from PIL import Image

    shot = sorted(SHOTS.glob("workbook-*.png"))[chart_page - 1]
    pixels = Image.open(shot).convert("RGB").getdata()
    blue = sum(
        1 for px in pixels if abs(px[0] - 0x00) < 30 and abs(px[1] - 0x72) < 30 and abs(px[2] - 0xB2) < 30
    )
    assert blue > 1000, f"no chart drawn on {shot.name}"


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "org.xlsx"
    write_dataset(generate(people=60, seed=3), path)
    return path


def test_cli_report_html_equals_the_builder(workbook_file: Path, tmp_path: Path) -> None:
    from lib.intake.loader import load_path

    out = tmp_path / "r.html"
    assert cli_main(["report", str(workbook_file), "--format", "html", "--out", str(out)]) == 0
    expected = html_bytes(load_path(workbook_file), ExportOptions())
    assert out.read_bytes() == expected


def _cell_values(data: bytes) -> list[tuple[str, str, object]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_cli_report_deck_matches_the_builder(workbook_file: Path, tmp_path: Path) -> None:
    from lib.intake.loader import load_path

    out = tmp_path / "r.pptx"
    assert (
        cli_main(["report", str(workbook_file), "--format", "pptx", "--out", str(out), "--view", "named"])
        == 0
    )
    ds = load_path(workbook_file)
    expected = deck_bytes(ds, ExportOptions(view="named"))
    strip = re.compile(r"<dcterms:(created|modified)[^<]*</dcterms:\w+>")
    assert strip.sub("", _zip_text(out.read_bytes())) == strip.sub("", _zip_text(expected))
    assert len(_person_hits(_zip_text(out.read_bytes()), ds)) > 0  # named view: people are there


def test_cli_report_workbook_matches_the_builder(workbook_file: Path, tmp_path: Path) -> None:
    from lib.intake.loader import load_path

    out = tmp_path / "r.xlsx"
    assert (
        cli_main(["report", str(workbook_file), "--format", "xlsx", "--out", str(out), "--view", "named"])
        == 0
    )
    got = _cell_values(out.read_bytes())
    expected = _cell_values(workbook_bytes(load_path(workbook_file), ExportOptions(view="named")))
    assert [(s, c) for s, c, _ in got] == [(s, c) for s, c, _ in expected]
    for (sheet, cell, a), (_, _, b) in zip(got, expected, strict=True):
        if sheet == "contents" and cell == "B8":  # the generation date
            continue
        # eigenvector centrality (ARPACK) can differ in the last digits between runs
        numbers = isinstance(a, (int, float)) and isinstance(b, (int, float))
        assert a == (pytest.approx(b, rel=1e-9, abs=1e-12) if numbers else b), (sheet, cell)


def test_cli_report_refuses_a_lower_minimum(
    workbook_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.xlsx"
    code = cli_main(
        ["report", str(workbook_file), "--format", "xlsx", "--out", str(out), "--min-group-size", "3"]
    )
    assert code == 2
    assert "cannot be below 5" in capsys.readouterr().err
    assert not out.exists()


def test_cli_report_reports_a_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    out = tmp_path / "r.html"
    assert cli_main(["report", str(bad), "--format", "html", "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip()
    assert not out.exists()
