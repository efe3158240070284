"""The pages' charts are built once per session and data (lib.app.ui.chart_spec): a rerun (any
click) redraws the kept specification instead of building a dozen Altair charts again; another
session builds its own; different data is a different chart."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib.intake.sample import generate
from lib.report import charts
from tests.conftest import open_page


def test_a_rerun_redraws_the_overviews_charts_without_building_them(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[Any, ...]] = []
    real = charts.evidence_chart

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "evidence_chart", counting)
    ds = generate(people=300, seed=5)  # an upload: its charts are kept in its session only
    at = open_page("app_pages/overview.py", ds)
    first = len(built)
    drawn = len(at.get("vega_lite_chart"))
    assert first >= 1 and drawn > first  # findings' evidence, and the tiles' and learning charts
    at.run()
    assert not at.exception
    assert len(built) == first  # nothing built again
    assert len(at.get("vega_lite_chart")) == drawn  # and every chart still drawn
    other = open_page("app_pages/overview.py", ds)  # another session, the same data
    assert len(built) == 2 * first  # builds its own: nothing crosses sessions
    assert len(other.get("vega_lite_chart")) == drawn


def _script() -> None:
    import streamlit as st

    from lib.app import ui
    from lib.report import charts

    first = ui.chart_spec(charts.mix_chart, {"experience": 0.5, "others": 0.3, "formal": 0.2}, "W1")
    other = ui.chart_spec(charts.mix_chart, {"experience": 0.6, "others": 0.2, "formal": 0.2}, "W1")
    again = ui.chart_spec(charts.mix_chart, {"experience": 0.5, "others": 0.3, "formal": 0.2}, "W1")
    nothing = ui.chart_spec(charts.mix_chart, {"experience": None, "others": None, "formal": None}, "W1")
    st.session_state["specs"] = (first, other, again, nothing)


def test_the_same_data_gives_the_kept_spec_and_other_data_its_own() -> None:
    at = AppTest.from_function(_script).run()
    assert not at.exception
    first, other, again, nothing = at.session_state["specs"]
    assert again is first  # kept, not rebuilt
    assert other != first
    layer = first["layer"][0]
    rows = first["datasets"][layer.get("data", first.get("data"))["name"]]
    shares = sorted(r["share"] for r in rows if str(r["row"]).startswith("Now"))
    assert shares == [0.2, 0.3, 0.5]  # the data drawn is the data given
    assert nothing is None  # a chart that draws nothing stays nothing
