"""The Skills page renders in both views, on the sample organisation and on a dataset without skills."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.dataset import Dataset
from lib.sample import PLANTED, generate

ROOT = Path(__file__).resolve().parent.parent
PAGE = "app_pages/skills.py"


def open_page(ds: Dataset | None, view: str = "named", pseudonyms: bool = False) -> AppTest:
    direct = not all(
        (ROOT / "app_pages" / f"{p}.py").exists()
        for p in ("overview", "network", "learning", "trust", "data")
    )
    at = AppTest.from_file(str(ROOT / (PAGE if direct else "app.py")), default_timeout=120)
    if ds is not None:
        at.session_state["dataset"] = ds
        at.session_state["dataset_key"] = "test"
    at.session_state["view"] = view
    at.session_state["pseudonyms"] = pseudonyms
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return generate(people=250, seed=7)


def test_named_view_shows_everything(sample: Dataset) -> None:
    at = open_page(sample)
    assert at.title[0].value.startswith("🧩 Skills")
    warning = " ".join(w.value for w in at.warning)
    for _, skill in PLANTED.sole_holders:  # the planted single points of knowledge are flagged
        assert skill in warning
    assert at.selectbox(key="skills_ask_person").value is not None
    assert len(at.dataframe) >= 6  # gaps, coverage, networks, who to ask, introductions, clusters


def test_person_heatmap_and_other_skill(sample: Dataset) -> None:
    at = open_page(sample)
    at.radio(key="skills_heat_by").set_value("person").run()
    assert not at.exception
    at.selectbox(key="skills_map_skill").set_value("Regulatory reporting").run()
    assert not at.exception
    at.slider(key="skills_holder_level").set_value(4.0).run()
    assert not at.exception


def test_aggregate_view_hides_people(sample: Dataset) -> None:
    at = open_page(sample, view="aggregate")
    assert "person" not in at.radio(key="skills_heat_by").options
    infos = " ".join(i.value for i in at.info)
    assert "named view" in infos
    names = set(sample.people["name"].astype(str))
    ids = set(sample.people["person_id"].astype(str))
    for frame in at.dataframe:
        cells = {str(v) for v in frame.value.to_numpy().ravel()}
        assert not cells & (names | ids)


def test_pseudonyms_replace_names(sample: Dataset) -> None:
    at = open_page(sample, pseudonyms=True)
    names = set(sample.people["name"].astype(str))
    for frame in at.dataframe:
        assert not {str(v) for v in frame.value.to_numpy().ravel()} & names


def test_bundled_sample_workbook() -> None:
    at = open_page(None)  # the app's own default: sample_data/sample_org.xlsx through the loader
    assert "Regulatory reporting" in " ".join(w.value for w in at.warning)


def test_no_skills_sheet_explains() -> None:
    ds = Dataset(people=pd.DataFrame({"person_id": ["a", "b"], "team": ["T", "T"]}))
    at = open_page(ds)
    assert any("no skills sheet" in i.value for i in at.info)
