"""The Overview's pictures (lib/report/charts.py, lib/app/overview_view.py): what each chart draws,
read back from its Vega-Lite specification, and the board above the fold on the sample, in the
named and the aggregate view."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import pytest
from altair.vegalite.v6.schema import core as vega_lite_schema

from lib.analysis import netmap
from lib.analysis.overview import headline
from lib.app import overview_view
from lib.intake.loader import load_path
from lib.report import charts
from tests.conftest import ROOT, open_page

SAMPLE = ROOT / "sample_data" / "sample_org.xlsx"


def layers(chart: Any) -> list[pd.DataFrame]:
    """Each layer's data as a table (the datasets the specification carries). ``chart``: an Altair
    chart, or the spec the page draws (:func:`lib.app.ui.chart_spec`, built without Altair's check),
    which is checked against the Vega-Lite schema here."""
    if isinstance(chart, dict):
        alt.utils.schemapi.validate_jsonschema(chart, vega_lite_schema.load_schema())
        spec = chart
    else:
        spec = chart.to_dict()
    # a layer without data of its own reads the chart's (Altair lifts data every layer shares)
    return [
        pd.DataFrame(spec["datasets"][layer.get("data", spec.get("data"))["name"]]) for layer in spec["layer"]
    ]


def test_the_mix_is_one_bar_against_both_references() -> None:
    chart = charts.mix_chart({"experience": 0.55, "others": 0.25, "formal": 0.2}, "W2")
    bars, _labels, rule = layers(chart)
    now = bars[bars["row"] == "Now (W2)"].set_index("bucket")
    reference = bars[bars["row"] == "70:20:10"].set_index("bucket")
    assert now["share"].tolist() == [0.55, 0.25, 0.2] and now["end"].iloc[-1] == pytest.approx(1)
    assert reference["share"].tolist() == [0.7, 0.2, 0.1]
    # the formal share starts where the informal share ends: the dashed 80% line reads against it
    assert now.at["Formal", "start"] == pytest.approx(0.8) and rule["x"].tolist() == [0.8]
    # every segment says its per cent (meaning not carried by colour alone)
    assert set(bars["text"]) >= {"55%", "25%", "20%", "70%", "10%"}


def test_no_mix_without_learning_data() -> None:
    assert charts.mix_chart({"experience": None, "others": None, "formal": None}, "W1") is None


def test_the_shifts_mark_the_previous_wave() -> None:
    names = {"ASL": "Stocks → flow", "IOL": "Experts → networks"}
    chart = charts.shifts_chart({"ASL": 70.0, "IOL": None}, {"ASL": 60.0, "IOL": 40.0}, names, "W2", "W1")
    _track, dots, text = layers(chart)
    assert sorted(zip(dots["shift"], dots["wave"], dots["score"], strict=True)) == [
        ("Experts → networks", "W1", 40.0),
        ("Stocks → flow", "W1", 60.0),
        ("Stocks → flow", "W2", 70.0),
    ]
    assert text["text"].tolist() == ["70"]  # only this wave's scores are written
    assert charts.shifts_chart({"ASL": None}, None, names, "W1", None) is None


def test_sparklines_need_two_waves_with_a_value() -> None:
    history = [{"people": 10.0, "key_people": None}, {"people": 12.0, "key_people": 3.0}]
    assert overview_view.sparkline(history, "people") == [10.0, 12.0]
    assert overview_view.sparkline(history, "key_people") is None


def test_the_thumbnail_draws_the_network_pages_group_map() -> None:
    ds = load_path(SAMPLE)
    m = netmap.group_map(ds, "department", relations=["advice"], min_group_size=5)
    png = charts.group_map_thumbnail(
        ds, "department", relations=("advice",), wave=None, min_group_size=5, complementary=True
    )
    assert png.startswith(b"\x89PNG") and len(m.nodes) >= 3


@pytest.mark.parametrize("view", ["named", "aggregate"])
def test_the_overview_shows_its_pictures_in_both_views(view: str) -> None:
    at = open_page("app_pages/overview.py", view=view)
    drawn = at.get("vega_lite_chart")
    assert all(e.proto.alt for e in drawn)  # each described for screen readers
    # a sparkline's description: "<tile> over the last <n> waves: v1 → v2 → …"
    sparks = {
        e.proto.alt.split(" over the last ")[0]: e.proto.alt.split(": ", 1)[1].split(" → ")
        for e in drawn
        if " over the last " in e.proto.alt
    }
    # the skill gaps, the learning mix, the five shifts, one evidence chart per finding, the sparklines
    findings = [m for m in at.markdown if "· 🔴 strong" in m.value or "· 🟠 moderate" in m.value]
    assert len(findings) >= 3 and len(drawn) == 3 + len(findings) + len(sparks)
    assert len(at.get("image")) == 1  # the department map
    waves = load_path(SAMPLE).waves
    assert set(sparks) == {m.label for m in at.metric} and len(sparks) == len(overview_view.SPARK_TILES)
    assert all(len(v) == len(waves) for v in sparks.values()), sparks
    assert sparks["People"] == ["250"] * len(waves)
    assert not any(m.proto.chart_data for m in at.metric)  # no st.metric sparkline (unlabelled SVG)


def test_a_silos_evidence_is_its_e_i_against_the_random_interval() -> None:
    ds = load_path(SAMPLE)
    head = headline(ds, ds.waves[0])
    silo = next(f for f in head.findings if f.rule == "silo")
    found = overview_view.evidence(silo, head, ds)
    assert found is not None
    band, bars, *_ = layers(found[0])
    own = bars[bars["own"]]
    assert own["label"].tolist() == [silo.group]
    assert own["value"].iloc[0] == pytest.approx(silo.evidence["ei_sent"])
    assert (bars["base"] == 0).all()  # E-I bars start at 0, not at −1
    # the random interval lies well above the silo's E-I: a random network asks outside
    assert band["low"].iloc[0] < band["high"].iloc[0] and own["value"].iloc[0] < band["low"].iloc[0]


def test_overloads_evidence_is_the_most_asked_against_chance_and_the_median() -> None:
    ds = load_path(SAMPLE)
    head = headline(ds)
    found = overview_view.evidence(next(f for f in head.findings if f.rule == "experts_overloaded"), head, ds)
    assert found is not None
    bars = layers(found[0])[0].set_index("label")["value"]
    org = head.facts.org
    assert bars["Most-asked person"] == org["advice_top_in_degree"]
    assert bars["Median person"] == org["advice_median_in_degree"]
    assert bars["Most-asked person"] > bars["Most-asked, random network"] > bars["Median person"]
