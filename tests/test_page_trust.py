"""The Trust & wirearchy page: renders on the sample and on small hand-built data, shows the index
with its breakdown, reacts to the weight sliders, and hides person-level output from aggregate viewers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis import wirearchy
from lib.core.dataset import Dataset
from tests.conftest import open_page as shared_open_page

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "app_pages/trust.py"


def small_org() -> Dataset:
    """Ten people on two levels, advice mostly upward, a survey of three respondents per item."""
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(10)],
            "name": [f"Name {i}" for i in range(10)],
            "team": ["A"] * 5 + ["B"] * 5,
            "level": pd.array([1] * 5 + [2] * 5, dtype="Int64"),
            "manager_id": [""] + ["p0"] * 4 + ["p1"] * 5,
        }
    )
    advice = [(f"p{i}", f"p{i - 5}") for i in range(5, 10)] + [("p0", "p5"), ("p2", "p3"), ("p3", "p2")]
    advice += [(f"p{i}", "p9") for i in range(5, 9)]  # p9, a junior, is everyone's adviser: a hidden leader
    ties = pd.DataFrame(advice, columns=["source_id", "target_id"]).assign(
        relation="advice", weight=1.0, wave=""
    )
    rows = [
        {"person_id": f"p{i}", "wave": "", "item": item, "value": float(v)}
        for i, v in enumerate([4, 5, 4, 3, 5, 4, 2, 4, 5, 4])
        for item in ("tr1", "tr2", "ks1", "ks2")
    ]
    return Dataset(people=people, ties=ties, trust=pd.DataFrame(rows), source="hand-built")


def open_page(ds: Dataset | None = None, view: str = "named", pseudonyms: bool = False) -> AppTest:
    return shared_open_page(PAGE, ds, view=view, pseudonyms=pseudonyms)


def index_metric(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label.startswith("Wirearchy index"))


def test_index_and_breakdown_on_hand_built_data() -> None:
    ds = small_org()
    at = open_page(ds)
    expected = wirearchy.wirearchy_index(ds).value
    assert index_metric(at) == f"{expected:.0f}"
    breakdown = next(d.value for d in at.dataframe if len(d.value) == len(wirearchy.INDEX_COMPONENTS))
    assert list(breakdown["label"]) == [c.label for c in wirearchy.INDEX_COMPONENTS]
    assert any("Hidden leaders" in m.value for m in at.markdown)
    assert at.title[0].value.endswith("Trust & wirearchy")


def test_weight_sliders_change_the_index() -> None:
    ds = small_org()
    at = open_page(ds)
    keys = [c.key for c in wirearchy.INDEX_COMPONENTS]
    for key in keys:
        if key != "survey_trust":
            at.slider(key=f"weight-{key}").set_value(0.0)
    at.run()
    assert not at.exception
    only_trust = wirearchy.index_components(ds).set_index("component").loc["survey_trust", "value"]
    assert not math.isnan(only_trust)
    assert index_metric(at) == f"{only_trust:.0f}"


def test_hidden_leaders_named_and_pseudonymised() -> None:
    at = open_page(small_org())
    table = next(
        d.value
        for d in at.dataframe
        if "in_degree" in d.value.columns and "person" in d.value.columns and len(d.value) < 10
    )
    assert list(table["person"]) == ["Name 9"]
    at = open_page(small_org(), pseudonyms=True)
    for frame in at.dataframe:
        cells = frame.value.astype(str).to_numpy().ravel().tolist() + [str(c) for c in frame.value.columns]
        assert not any(str(c).startswith("Name ") for c in cells), "a real name reached a pseudonymised view"
        assert "name" not in frame.value.columns


def test_aggregate_view_hides_person_level_output() -> None:
    at = open_page(small_org(), view="aggregate")
    assert not any("Hidden leaders**" in m.value for m in at.markdown)
    assert any("only in the named view" in c.value for c in at.caption)
    assert "hl-top" not in [s.key for s in at.slider]


def test_missing_survey_and_levels_are_said_on_the_page() -> None:
    ds = small_org()
    ds = Dataset(people=ds.people.drop(columns=["level"]), ties=ds.ties, source="hand-built")
    at = open_page(ds)
    assert any("No trust survey" in i.value for i in at.info)
    assert any("could not be computed" in w.value for w in at.warning)


@pytest.mark.skipif(
    not (ROOT / "sample_data" / "sample_org.xlsx").exists(), reason="sample workbook not built"
)
@pytest.mark.parametrize("view", ["named", "aggregate"])
def test_page_renders_on_the_sample(view: str) -> None:
    at = open_page(view=view)
    assert index_metric(at) != "—"
    assert any(h.value == "What the network shows" for h in at.header)
    assert len(at.get("plotly_chart")) >= 3


@pytest.mark.browser
def test_page_in_a_real_browser_on_the_sample(server: Any, browser: Any) -> None:
    from tests.conftest import SHOTS, external, new_page, settle

    requests: list[str] = []
    page = new_page(browser, requests)
    page.goto(server.url)
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Trust & wirearchy", exact=True).click()
    settle(page)
    page.get_by_role("heading", name="The wirearchy index").wait_for()
    page.get_by_text("Hidden leaders").first.wait_for()
    page.locator('[data-testid="stPlotlyChart"]').nth(3).wait_for()  # charts mount after the text
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 4
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "trust-named.png"), full_page=True)

    page.get_by_text("Aggregate (executive)").click()
    settle(page)
    page.get_by_text("shown only in the named view").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SHOTS / "trust-aggregate.png"), full_page=True)
    assert external(requests) == [], "requests left the machine"
    page.context.close()


def test_the_index_shows_its_interval_and_its_krackhardt_on_respondents() -> None:
    """The interval under the index is :func:`wirearchy.index_interval`; the breakdown's
    Krackhardt value is the one the network section shows for respondents."""
    ds = small_org()
    at = open_page(ds)
    low, high = wirearchy.index_interval(ds)
    assert any(c.value.startswith(f"95% interval {low:.0f}–{high:.0f} (bootstrap") for c in at.caption)
    breakdown = next(d.value for d in at.dataframe if len(d.value) == len(wirearchy.INDEX_COMPONENTS))
    measured = breakdown.set_index("label").loc["Advice runs in loops, not one way", "raw_text"]
    shown = next(m.value for m in at.metric if m.label == "Krackhardt hierarchy (respondents)")
    assert measured == f"Krackhardt hierarchy {shown} among respondents"
