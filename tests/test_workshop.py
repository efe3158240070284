"""The workshop's presentation in lib/report/workshop.py (the slide plan) and the "Agreed actions"
slides of the exported deck."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Emu, Inches

from lib.core.dataset import Dataset
from lib.intake.sample import generate
from lib.report import workshop as w
from lib.report.deck import FOOTER_TOP, deck_bytes
from lib.report.exports import ExportOptions, build_report
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
