"""The Skills page renders every section in both views, on the sample organisation and on a
dataset without skills; the aggregate and pseudonym views show no names or ids."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.core.dataset import Dataset
from lib.intake.sample import generate
from lib.intake.sample_story import PLANTED
from tests.conftest import open_page as shared_open_page

ROOT = Path(__file__).resolve().parent.parent
PAGE = "app_pages/skills.py"
SECTIONS = ["Gaps", "Coverage", "Subject-matter networks", "Who to ask", "Skill profiles"]


def open_page(ds: Dataset | None = None, view: str = "named", pseudonyms: bool = False) -> AppTest:
    return shared_open_page(PAGE, ds, view=view, pseudonyms=pseudonyms)


def show(at: AppTest, section: str) -> AppTest:
    at.button_group(key="skills_section").set_value(section).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cells(at: AppTest) -> set[str]:
    return {str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()}


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return generate(people=250, seed=7)


def test_named_view_every_section(sample: Dataset) -> None:
    at = open_page(sample)
    assert at.title[0].value.startswith("🧩 Skills")
    assert "Data literacy" in cells(at)  # the biggest planted gap is in the gaps table
    show(at, "Coverage")
    warning = " ".join(w.value for w in at.warning)
    for _, skill in PLANTED.sole_holders:  # the planted single points of knowledge are flagged
        assert skill in warning
    show(at, "Subject-matter networks")
    assert at.selectbox(key="skills_map_skill").value is not None
    show(at, "Who to ask")
    assert at.selectbox(key="skills_ask_person").value is not None
    assert len(at.dataframe) == 2  # who to ask, introductions
    assert cells(at) & set(sample.people["name"].astype(str))  # the named view does name people
    show(at, "Skill profiles")
    # the sample's profiles have no clear structure (best silhouette ≈ 0.15 < 0.25): said, not drawn
    assert any("no clear structure" in i.value for i in at.info)
    assert any("had no rating" in c.value for c in at.caption)


def test_widgets_rerun_cleanly(sample: Dataset) -> None:
    at = open_page(sample)
    at.radio(key="skills_heat_by").set_value("person").run()
    assert not at.exception
    at.radio(key="skills_rank").set_value("share").run()
    show(at, "Subject-matter networks")
    at.selectbox(key="skills_map_skill").set_value("Regulatory reporting").run()
    assert not at.exception
    at.slider(key="skills_holder_level").set_value(4.0).run()
    assert not at.exception
    show(at, "Who to ask")
    at.number_input(key="skills_cap").set_value(1).run()
    assert not at.exception


def test_aggregate_view_hides_people(sample: Dataset) -> None:
    at = open_page(sample, view="aggregate")
    assert "person" not in at.radio(key="skills_heat_by").options
    names = set(sample.people["name"].astype(str))
    ids = set(sample.people["person_id"].astype(str))
    for section in SECTIONS:
        show(at, section)
        assert not cells(at) & (names | ids), section
    show(at, "Who to ask")
    assert "named view" in " ".join(i.value for i in at.info)
    show(at, "Subject-matter networks")
    assert "named view" in " ".join(i.value for i in at.info)


def test_pseudonyms_replace_names(sample: Dataset) -> None:
    at = open_page(sample, pseudonyms=True)
    names = set(sample.people["name"].astype(str))
    for section in SECTIONS:
        show(at, section)
        assert not cells(at) & names, section
    show(at, "Who to ask")
    assert any(v.startswith("Person ") for v in cells(at))


def test_bundled_sample_workbook() -> None:
    at = open_page(None)  # the app's own default: sample_data/sample_org.xlsx through the loader
    show(at, "Coverage")
    assert "Regulatory reporting" in " ".join(w.value for w in at.warning)


def test_no_skills_sheet_explains() -> None:
    ds = Dataset(people=pd.DataFrame({"person_id": ["a", "b"], "team": ["T", "T"]}))
    at = open_page(ds)
    assert any("no skills sheet" in i.value for i in at.info)
