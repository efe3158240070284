"""The Learning page renders the mix, stocks and flows and the five shifts, and respects privacy."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis import learning, shifts
from lib.core.dataset import Dataset
from lib.intake.sample import generate
from tests.conftest import open_page as shared_open_page

ROOT = Path(__file__).resolve().parent.parent
PAGE = "app_pages/learning.py"
ENTRY = "app.py"


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return generate()


def open_page(ds: Dataset | None = None, **state: object) -> AppTest:
    return shared_open_page(PAGE, ds, **state)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [h.value for h in at.subheader]
    return "\n".join(str(p) for p in parts)


def plotly_count(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def test_named_view_on_the_sample(sample: Dataset) -> None:
    at = open_page(sample)
    assert at.title[0].value.startswith("📚")
    assert [t.label for t in at.tabs] == ["Learning mix", "Stocks & flows", "The five shifts"]
    labels = [m.label for m in at.metric]
    assert "Informal share" in labels and any(label.startswith("Flow share") for label in labels)
    # two mix bars + network mix + trend + per-group flow + five gauges
    assert plotly_count(at) >= 10
    assert "Who produces stock" in texts(at)
    assert "Stock nobody reads" in texts(at)
    names = set(sample.people["name"].astype(str))
    shown = set().union(*(set(f.value.astype(str).to_numpy().ravel()) for f in at.dataframe))
    assert shown & names  # the named view shows who the hubs are


def test_pseudonyms_replace_names(sample: Dataset) -> None:
    at = open_page(sample, pseudonyms=True)
    names = set(sample.people["name"].astype(str))
    shown = set().union(*(set(f.value.astype(str).to_numpy().ravel()) for f in at.dataframe))
    assert not shown & names
    assert any(v.startswith("Person ") for v in shown)


def test_aggregate_view_hides_people(sample: Dataset) -> None:
    at = open_page(sample, view="aggregate")
    body = texts(at)
    assert "Who produces stock" not in body and "Who carries flow" not in body
    names = set(sample.people["name"].astype(str))
    for frame in at.dataframe:
        values = set(frame.value.astype(str).to_numpy().ravel())
        assert not values & names


def _gauges(at: AppTest) -> list[tuple[float, bool]]:
    """(value, has a delta) of each scorecard gauge on the page, in the page's order."""
    out = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec).get("data", []):
            if trace.get("type") == "indicator":
                out.append((float(trace["value"]), "delta" in str(trace.get("mode", ""))))
    return out


def test_wave_choice_and_grouping(sample: Dataset) -> None:
    first, last = sample.waves[0], sample.waves[-1]
    first_card = [s.score for s in shifts.scorecard(sample, first) if s.score is not None]
    last_card = [s.score for s in shifts.scorecard(sample, last) if s.score is not None]
    assert first_card != last_card  # otherwise this test could not tell the waves apart
    at = open_page(sample)
    assert [value for value, _ in _gauges(at)] == pytest.approx(last_card)  # the latest wave by default
    at.selectbox(key="learning-wave").set_value(first).run()
    assert not at.exception
    at.selectbox(key="learning-by").set_value("team").run()
    assert not at.exception
    # the chosen wave reaches the numbers: the mix tiles and the scorecard are the first wave's, and
    # the first wave has no earlier one, so no tile or gauge shows a change
    mix = learning.overall_mix(sample, first)
    tiles = {m.label: m for m in at.metric}
    assert tiles["Respondents"].value == str(mix.respondents)
    assert tiles["Informal share"].value == f"{100 * mix.informal_share:.0f}%"
    assert not tiles["Informal share"].delta
    gauges = _gauges(at)
    assert [value for value, _ in gauges] == pytest.approx(first_card)
    assert not any(has_delta for _, has_delta in gauges)
    assert at.selectbox(key="learning-by").value == "team"


def test_small_groups_are_suppressed_on_the_page() -> None:
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(10)],
            "name": [f"Name{i}" for i in range(10)],
            "team": ["A"] * 6 + ["B"] * 4,
        }
    )
    rows = [{"person_id": f"p{i}", "wave": "", "learning_type": "IOL", "hours": 1.0} for i in range(10)]
    ds = Dataset(people=people, learning=pd.DataFrame(rows))
    at = open_page(ds)
    at.selectbox(key="learning-by").set_value("team").run()
    assert not at.exception
    assert "1 group hidden (fewer than 5 people)" in texts(at)


def test_missing_data_says_what_to_collect() -> None:
    at = open_page(Dataset(people=pd.DataFrame({"person_id": ["a", "b"], "name": ["A", "B"]})))
    assert any("needs a learning sheet" in i.value for i in at.info)


def test_the_page_states_the_error_of_fewer_resamples_for_a_large_organisation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Above BOOTSTRAP_LARGE_ROWS respondents the intervals come from 499 resamples (100,000 people):
    # the page says so, with the Monte Carlo error. The threshold is lowered to this small organisation.
    from lib.core import stats

    monkeypatch.setattr(stats, "BOOTSTRAP_LARGE_ROWS", 100)
    monkeypatch.setattr(learning, "BOOTSTRAP_LARGE_ROWS", 100)
    at = shared_open_page("app_pages/learning.py", generate(people=300, seed=4))
    notes = [c.value for c in at.caption if "bootstrap resamples" in c.value]
    assert len(notes) == 1 and notes[0].startswith(
        "Intervals from 499 bootstrap resamples (over 100 respondents)"
    )
    assert "Monte Carlo error" in notes[0]
