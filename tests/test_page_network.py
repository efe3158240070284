"""The Network page through AppTest: it renders on the sample, its widgets switch the map, each tab
shows its result, and the privacy settings hold in the map's actual HTML (the iframe's srcdoc).

Most cases inject an organisation made by the sample generator (``lib.intake.sample.generate``, the same
one that writes the bundled workbook) through session state, so they do not depend on the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis import netmap
from lib.core.dataset import Dataset
from lib.intake.sample import generate
from lib.report import map_html as map_page
from tests.conftest import open_page as shared_open_page

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
PAGE = "app_pages/network.py"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def org() -> Dataset:
    return generate(people=150, seed=3)


def open_page(ds: Dataset | None = None, **state: object) -> AppTest:
    return shared_open_page(PAGE, ds, **state)


def map_html(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return str(frames[0].proto.srcdoc)


def map_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "Hover a dot" in c.value)


def test_renders_on_the_bundled_sample() -> None:
    at = open_page()
    assert at.title[0].value.endswith("Network")
    assert "vis.Network" in map_html(at)
    assert {m.label for m in at.metric} >= {"Density", "Reciprocity arc", "Transitivity"}
    summary = at.dataframe[0].value
    assert "Density" in set(summary["measure"]) and summary["definition"].str.len().gt(0).all()


def test_the_person_map_colours_by_department_unless_team_is_chosen() -> None:
    at = open_page()
    assert at.selectbox(key="net_colour").value == "department"
    html = map_html(at)
    assert "Colour: Department" in html
    assert "Other (" not in html  # nine departments: each has a colour of its own
    at.selectbox(key="net_colour").set_value("team").run()
    assert not at.exception
    html = map_html(at)
    assert "Colour: Team" in html and "Other (" in html  # 29 teams: the palette's 12 run out


def test_widgets_switch_the_map(org: Dataset) -> None:
    at = open_page(org)
    first = map_caption(at)
    assert re.match(r"150 people, [\d,]+ ties\.", first)
    at.multiselect(key="net_relations").set_value(["advice", "information"]).run()
    assert not at.exception and map_caption(at) != first  # more ties combined
    before = map_html(at)
    at.selectbox(key="net_colour").set_value("community").run()
    assert not at.exception and "Colour: Community" in map_html(at) and map_html(at) != before
    at.selectbox(key="net_size").set_value("betweenness").run()
    assert not at.exception and "Size: Betweenness" in map_html(at)
    at.radio(key="net_scope").set_value("One group").run()
    group = at.selectbox(key="net_group").value
    size = int((netmap.category_text(org.people["department"]) == group).sum())
    assert map_caption(at).startswith(f"{size} people")
    at.radio(key="net_scope").set_value("One person").run()
    at.radio(key="net_steps").set_value(2).run()
    assert not at.exception and "(centre of this ego network)" in map_html(at)
    at.radio(key="net_view").set_value("Groups").run()
    assert not at.exception and " groups, " in map_caption(at)


@pytest.mark.parametrize(
    ("tab", "view", "expected"),
    [
        ("People", "named", "dataframe"),
        ("People", "aggregate", "info"),
        ("Groups", "named", "plotly_chart"),
        ("Groups", "aggregate", "plotly_chart"),
        ("Roles", "named", "dataframe"),
        ("Key people", "named", "multiselect"),
        ("Key people", "aggregate", "info"),
    ],
)
def test_each_tab(org: Dataset, tab: str, view: str, expected: str) -> None:
    at = open_page(org, view=view, net_tab=tab)
    tab_el = next(t for t in at.tabs if t.label == tab)
    assert len(tab_el.get(expected)) >= 1


def test_groups_tab_hides_small_groups(org: Dataset) -> None:
    people = org.people.copy()
    people.loc[people.index[:2], "department"] = "Tiny"  # a two-person department
    ds = Dataset(people=people, ties=org.ties)
    at = open_page(ds, net_tab="Groups")
    ei_table = next(t for t in at.tabs if t.label == "Groups").dataframe[0].value
    assert "Tiny" not in set(ei_table["group"]) and len(ei_table) >= 2
    assert any("hidden (fewer than 5 people)" in c.value for c in at.caption)


def test_big_organisations_open_on_the_group_map(org: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netmap, "PERSON_MAP_LIMIT", 100)
    at = open_page(org)
    assert at.radio(key="net_view").value == "Groups"
    assert " groups, " in map_caption(at)


def hostile_org(org: Dataset) -> Dataset:
    people = org.people.copy()
    people.loc[people.index[0], "name"] = HOSTILE
    people.loc[people.index[1], "name"] = 'Robert "href" </script><script>alert(2)</script>'
    people.loc[people.index[:6], "department"] = HOSTILE
    return Dataset(people=people, ties=org.ties)


def test_hostile_names_are_escaped_in_the_map(org: Dataset) -> None:
    ds = hostile_org(org)
    for view in ("People", "Groups"):
        at = open_page(ds, net_view=view, net_colour="department")
        html = map_html(at)
        assert "<img src=x" not in html and "alert(2)</script>" not in html
        assert "popup.innerHTML" not in html
        assert map_page.external_urls(html) == []
    # the same from lib.analysis.netmap directly: data JSON-escaped, legend HTML-escaped
    m = netmap.group_map(ds, "department")
    html = map_page.render_html(m)
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def leaked(ds: Dataset, html: str) -> list[str]:
    """Names and person ids that appear as the start of a JSON string in the map's data."""
    found = []
    for text in pd.concat([ds.people["name"], ds.people["person_id"]]).astype(str):
        encoded = json.dumps(text)[:-1]  # Jinja's tojson also escapes < > & '
        for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
            encoded = encoded.replace(ch, esc)
        if encoded in html:
            found.append(text)
    return found


def test_aggregate_view_shows_no_person(org: Dataset) -> None:
    named = open_page(org, view="named")
    assert len(leaked(org, map_html(named))) >= len(org.people)  # the check sees names when shown
    at = open_page(org, view="aggregate")
    assert at.radio(key="net_view").options == ["Groups"]
    assert leaked(org, map_html(at)) == []


def test_pseudonyms_replace_names_and_ids(org: Dataset) -> None:
    at = open_page(org, pseudonyms=True, net_tab="People")
    html = map_html(at)
    assert "Person " in html
    assert leaked(org, html) == []
    table = next(t for t in at.tabs if t.label == "People").dataframe[0].value
    assert "name" not in table.columns and "person_id" not in table.columns
    assert table["person"].str.startswith("Person ").all()


def test_people_without_any_attribute(org: Dataset) -> None:
    ds = Dataset(people=org.people[["person_id", "name"]].copy(), ties=org.ties)
    at = open_page(ds)
    assert at.radio(key="net_view").options == ["People"]
    assert map_caption(at).startswith("150 people")
    at = open_page(ds, view="aggregate")
    assert any("team or department" in i.value for i in at.info)
