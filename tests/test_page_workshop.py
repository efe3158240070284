"""Workshop pages through AppTest: the presentation (every slide, never a name, whatever the sidebar
says), the what-if page (aggregate view: whole groups only; named view: people) and the actions
page (create a workspace, add, tick done, delete: checked in the database itself)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from lib.app import auth
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.intake.sample import generate
from lib.report import workshop as w
from lib.report.deck import deck_bytes
from lib.report.exports import ExportOptions, build_report
from lib.store import actions
from lib.store import workspaces as ws
from tests.conftest import open_page

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
PAGES = ["app_pages/present.py", "app_pages/whatif.py", "app_pages/actions.py"]


@pytest.fixture(scope="module")
def org() -> Dataset:
    return generate(people=60, seed=5)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'workspaces.db'}"
    monkeypatch.setenv("SLD_DATABASE_URL", url)
    return url


def screen_text(at: AppTest) -> str:
    """Everything the page puts on screen as text: headings, HTML, markdown, maps and charts."""
    parts = [t.value for t in at.title] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(h.proto.body) for h in at.get("html")]
    parts += [str(f.proto.srcdoc) for f in at.get("iframe")]
    parts += [str(c.proto.spec) for c in at.get("plotly_chart")]
    return "\n".join(parts)


def names_on(text: str, ds: Dataset) -> list[str]:
    names = [str(n) for n in ds.people["name"] if isinstance(n, str) and len(n) > 3]
    ids = [str(p) for p in ds.people["person_id"]]
    return [x for x in names + ids if x in text]


# --- presentation -------------------------------------------------------------------------------


def test_presentation_walks_every_slide_and_never_shows_a_name(org: Dataset, db_url: str) -> None:
    at = open_page(PAGES[0], org, view="named", pseudonyms=False)  # the sidebar says named: ignored
    plan = w.slide_plan(build_report(org, ExportOptions(view="aggregate")))
    assert 'section[data-testid="stSidebar"]' in screen_text(at)  # the sidebar is hidden on this page
    seen = []
    for i, spec in enumerate(plan):
        seen.append(at.title[0].value)
        assert f"{i + 1} / {len(plan)}" in screen_text(at)
        assert names_on(screen_text(at), org) == [], spec
        assert at.button(key="present-back").disabled == (i == 0)
        if spec.kind == "map":
            assert len(at.get("iframe")) == 1 and "vis.Network" in screen_text(at)
        elif spec.kind not in w.CHARTLESS:  # every other slide draws its chart, with its numbers
            assert len(at.get("plotly_chart")) == 1, spec.title
            drawn = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
            assert spec.chart is not None and [d["name"] for d in drawn] == [
                s.name for s in spec.chart.series
            ]
        if spec.notes:  # the speaker notes: the registry's definitions
            assert at.expander[0].label.startswith("Speaker notes") and at.text[0].value == spec.notes
        if i < len(plan) - 1:
            at.button(key="present-next").click().run()
            assert not at.exception, [e.value for e in at.exception]
    assert seen == [s.title for s in plan]
    deck = Presentation(io.BytesIO(deck_bytes(org, ExportOptions(view="aggregate"))))
    deck_titles = [
        next(sh.text_frame.paragraphs[0].text for sh in s.shapes if sh.has_text_frame) for s in deck.slides
    ]
    assert deck_titles[: len(seen)] == seen  # the deck shows the same slides in the same order
    assert deck_titles[len(seen)].startswith("Appendix: definitions")
    assert at.button(key="present-next").disabled
    at.button(key="present-back").click().run()
    assert at.title[0].value == plan[-2].title


def test_presentation_shows_the_workspace_actions_escaped(org: Dataset, db_url: str) -> None:
    engine = ws.open_database(db_url)
    ws.create_workspace(engine, "Acme")
    actions.add_action(engine, "Acme", "<b>Buddy</b> system for new joiners", owner="People team")
    at = open_page(PAGES[0], org, workspace="Acme")
    n = len(w.slide_plan(build_report(org, ExportOptions()), has_actions=True))
    for _ in range(n - 1):
        at.button(key="present-next").click().run()
    assert at.title[0].value == "Agreed actions"
    text = screen_text(at)
    assert "&lt;b&gt;Buddy&lt;/b&gt; system for new joiners" in text and "<b>Buddy" not in text
    assert "People team" in text


# --- what if ------------------------------------------------------------------------------------


def test_whatif_aggregate_view_offers_whole_groups_of_the_minimum_size(org: Dataset, db_url: str) -> None:
    at = open_page(PAGES[1], org, view="aggregate")
    assert [m.label for m in at.multiselect] == ["Whole departments"]  # no people picker
    sizes = org.people["department"].value_counts()
    offered = {o.split(" (")[0] for o in at.multiselect(key="whatif-remove-groups").options}
    # only the groups the aggregate view shows elsewhere: Executive (1 person) is hidden, and so is
    # Sales, or Executive would be everyone minus Engineering minus Sales
    assert offered == set(privacy.roster_release(org, 5).allowed("department")) == {"Engineering"}
    assert all(sizes[g] >= 5 for g in offered)
    biggest = str(sizes.index[0])
    at.multiselect(key="whatif-remove-groups").select(biggest)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    people = next(m for m in at.metric if m.label == "People")
    assert people.value == f"{len(org.people) - sizes.iloc[0]:,}"
    assert len(at.get("iframe")) == 2  # before and after maps, side by side
    assert names_on(screen_text(at), org) == []
    table = at.dataframe[0].value
    assert table.set_index("measure").at["People", "change"] == f"-{sizes.iloc[0]}"


def test_whatif_named_view_removes_a_person_and_names_them(org: Dataset, db_url: str) -> None:
    at = open_page(PAGES[1], org, view="named")
    picker = at.multiselect(key="whatif-remove-people")
    person = picker.options[0]
    picker.select(person)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"{person} leaves" in m.value.replace("\\", "") for m in at.markdown)
    assert next(m for m in at.metric if m.label == "People").value == f"{len(org.people) - 1:,}"
    # the same scenario is not shown once the view switches to aggregate
    at.session_state["view"] = "aggregate"
    at.run()
    assert not at.get("iframe") and any("names people" in i.value for i in at.info)


def test_whatif_bridge_between_two_groups(db_url: str) -> None:
    org = generate(people=120, seed=5)  # five departments the aggregate view shows
    at = open_page(PAGES[1], org, view="aggregate")
    groups = [g for g in at.selectbox(key="whatif-a").options if g != "—"]  # options as shown
    at.selectbox(key="whatif-a").set_value(groups[0])
    at.selectbox(key="whatif-b").set_value(groups[1])
    at.number_input(key="whatif-pairs").set_value(4)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(
        f"4 new advice ties between {groups[0]} and {groups[1]}" in m.value.replace("\\", "")
        for m in at.markdown
    )
    at.selectbox(key="whatif-b").set_value(groups[0])
    at.button[0].click().run()
    assert any("two different groups" in e.value for e in at.error)


# --- actions ------------------------------------------------------------------------------------


def test_actions_create_workspace_add_tick_and_delete(org: Dataset, db_url: str) -> None:
    at = open_page(PAGES[2], org)
    assert any("none is open" in i.value for i in at.info)
    at.text_input(key="actions-new-ws").set_value("Acme workshop")
    next(b for b in at.button if b.label == "Create and open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["workspace"] == "Acme workshop"
    at.text_input(key="actions-title").set_value("Pair new joiners with a buddy")
    at.text_input(key="actions-owner").set_value("People team")
    at.text_area(key="actions-notes").set_value("Start with Sales")
    next(b for b in at.button if b.label == "Add action").click().run()
    assert not at.exception, [e.value for e in at.exception]

    stored = actions.list_actions(ws.open_database(db_url), "Acme workshop")  # a new engine: really saved
    assert [(a.title, a.owner, a.notes, a.status) for a in stored] == [
        ("Pair new joiners with a buddy", "People team", "Start with Sales", "open")
    ]
    assert len(ws.get_workspace(ws.open_database(db_url), "Acme workshop").waves) == 1  # the data on screen
    item = stored[0]
    at.checkbox(key=f"actions-done-{item.id}").check().run()
    assert actions.list_actions(ws.open_database(db_url), "Acme workshop")[0].status == "done"
    at.button(key=f"actions-delete-{item.id}").click().run()
    assert actions.list_actions(ws.open_database(db_url), "Acme workshop") == []
    assert not at.exception


@pytest.mark.parametrize("role", ["executive", "participant"])
@pytest.mark.parametrize("page", PAGES)
def test_workshop_pages_are_for_facilitators_only(role: str, page: str, db_url: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["user"] = auth.User(name=role, roles=frozenset({role}), source="account")  # type: ignore[arg-type]
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)


# --- in a browser: what only a browser shows ----------------------------------------------------


@pytest.mark.browser
def test_presentation_hides_the_sidebar_in_a_browser(server: Any, browser: Any) -> None:
    """The sidebar (names of workspaces, the view switch) is hidden by CSS only a browser applies."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(90_000)
    page.goto(server.url)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.wait_for()
    page.get_by_test_id("stSidebarNav").get_by_text("Present", exact=True).click()
    page.wait_for_url(re.compile(r"/present$"))
    page.get_by_role("button", name="Next ▶").wait_for()
    sidebar.wait_for(state="hidden")  # raises if the presentation leaves it on screen
    page.get_by_role("button", name="Next ▶").click()
    page.locator("h1").filter(has_text="Headline measures").wait_for()
    # the counter is drawn after the heading: wait for it (raises after the timeout if never shown)
    page.get_by_text(re.compile(r"^2 / \d+$")).wait_for(state="visible")
    page.get_by_text("Exit presentation").click()
    page.get_by_test_id("stSidebarNav").wait_for()
    sidebar.wait_for(state="visible")
    page.context.close()
