"""Workshop mode in lib/report/workshop.py: what-if scenarios on hand-built organisations (values worked out
by hand in each test's comment), the presentation plan, agreed actions stored in a real SQLite
workspace database, and the "Agreed actions" slides of the exported deck."""

from __future__ import annotations

import io
import math
from datetime import UTC, date, datetime
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Emu, Inches

from lib.core.dataset import Dataset
from lib.intake.sample import generate
from lib.report import workshop as w
from lib.report.deck import FOOTER_TOP, deck_bytes
from lib.report.exports import ExportOptions, build_report
from lib.store import workspaces as ws

A = [f"a{i}" for i in range(1, 6)]
B = [f"b{i}" for i in range(1, 6)]


def _people(groups: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(p, f"Name {p}", g) for g, members in groups.items() for p in members]
    return pd.DataFrame(rows, columns=["person_id", "name", "department"])


def _ties(pairs: list[tuple[str, str]], wave: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": [s for s, _ in pairs],
            "target_id": [t for _, t in pairs],
            "relation": "advice",
            "weight": 1.0,
            "learning_type": "",
            "mode": "",
            "topic": "",
            "wave": wave,
        }
    )


def _complete(members: list[str]) -> list[tuple[str, str]]:
    return [(s, t) for s in members for t in members if s != t]


@pytest.fixture
def two_clusters() -> Dataset:
    """Two complete 5-person clusters (Alpha, Beta) joined only through x (in Alpha), both ways."""
    people = _people({"Alpha": [*A, "x"], "Beta": B})
    ties = _complete(A) + _complete(B) + [("x", "a1"), ("a1", "x"), ("x", "b1"), ("b1", "x")]
    ds = Dataset(people=people, ties=_ties(ties))
    ds.learning = pd.DataFrame(
        {"person_id": ["x", "a1"], "wave": "", "learning_type": ["IOL", "FSL"], "hours": [3.0, 2.0]}
    )
    ds.trust = pd.DataFrame({"person_id": ["x", "b2"], "wave": "", "item": "T1", "value": [4.0, 2.0]})
    ds.skills = pd.DataFrame(
        {"person_id": ["x", "b3"], "skill": "Coaching", "level": [3.0, 1.0], "source": "", "wave": ""}
    )
    ds.interactions = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07"]),
            "source_id": ["x", "a2", "b2"],
            "channel": "chat",
            "target_id": ["a1", "x", ""],
            "kind": "post",
            "topic": "",
            "mode": "flow",
        }
    )
    return ds


@pytest.fixture
def silos() -> Dataset:
    """Two complete 5-person groups with no tie between them: each group's E-I is −1."""
    return Dataset(people=_people({"Alpha": A, "Beta": B}), ties=_ties(_complete(A) + _complete(B)))


def _frames(ds: Dataset) -> dict[str, pd.DataFrame]:
    return {
        n: getattr(ds, n).copy(deep=True)
        for n in ("people", "ties", "learning", "trust", "skills", "interactions")
    }


# --- apply_scenario -----------------------------------------------------------------------------


def test_removing_the_bridge_person_splits_the_network(two_clusters: Dataset) -> None:
    result = w.what_if(two_clusters, w.Scenario(remove_people=("x",)), min_size=5)
    m = result.measures.set_index("measure")
    # before: 11 people, everyone reaches everyone (all ties mutual) → 110 / 110 ordered pairs;
    # after: two separate 5-cliques → 2·5·4 = 40 reachable of 10·9 = 90 ordered pairs
    assert m.at["Who can reach whom (connectedness)", "before_value"] == pytest.approx(1.0)
    assert m.at["Who can reach whom (connectedness)", "after_value"] == pytest.approx(40 / 90)
    assert m.at["Separate parts of the network (weak components)", "before_value"] == 1
    assert m.at["Separate parts of the network (weak components)", "after_value"] == 2
    assert m.at["People in the largest part", "before_value"] == 11
    assert m.at["People in the largest part", "after_value"] == 5
    assert m.at["Advice ties", "before_value"] == 44 and m.at["Advice ties", "after_value"] == 40
    assert m.at["People", "change"] == "-1"
    assert result.effect.removed == ("x",) and result.effect.ties_removed == 4


def test_connectedness_agrees_with_networkx(two_clusters: Dataset) -> None:
    after = w.apply_scenario(
        two_clusters,
        w.Scenario(
            remove_people=("x",), bridges=(w.Bridge("department", "Alpha", "Beta", 1, "a_to_b", seed=3),)
        ),
    )
    g = nx.DiGraph()
    g.add_nodes_from(after.people["person_id"])
    g.add_edges_from(zip(after.ties["source_id"], after.ties["target_id"], strict=True))
    n = g.number_of_nodes()
    reach = sum(len(nx.descendants(g, v)) for v in g) / (n * (n - 1))
    got = w.what_if(
        two_clusters,
        w.Scenario(
            remove_people=("x",), bridges=(w.Bridge("department", "Alpha", "Beta", 1, "a_to_b", seed=3),)
        ),
    )
    row = got.measures.set_index("measure").loc["Who can reach whom (connectedness)"]
    # one arc Alpha → Beta: the 5 Alpha people now reach the 5 Beta people too → (40 + 25) / 90
    assert row["after_value"] == pytest.approx(reach) == pytest.approx(65 / 90)


def test_removal_drops_every_row_about_the_person(two_clusters: Dataset) -> None:
    after = w.apply_scenario(two_clusters, w.Scenario(remove_people=("x",)))
    assert "x" not in set(after.people["person_id"])
    assert "x" not in set(after.ties["source_id"]) | set(after.ties["target_id"])
    assert list(after.learning["person_id"]) == ["a1"]
    assert list(after.trust["person_id"]) == ["b2"]
    assert list(after.skills["person_id"]) == ["b3"]
    assert list(after.interactions["source_id"]) == [
        "b2"
    ]  # x's post and the reply to x are gone; the broadcast stays


def test_scenario_never_mutates_the_original(two_clusters: Dataset) -> None:
    before = _frames(two_clusters)
    source, findings, modes = (
        two_clusters.source,
        list(two_clusters.findings),
        dict(two_clusters.channel_modes),
    )
    scenario = w.Scenario(
        remove_people=("x",),
        remove_groups=(("department", "Beta"),),
        bridges=(w.Bridge("department", "Alpha", "Beta", 2),),
    )
    after = w.apply_scenario(two_clusters, scenario)
    w.what_if(two_clusters, scenario)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(two_clusters, name), frame)
    assert (two_clusters.source, two_clusters.findings, two_clusters.channel_modes) == (
        source,
        findings,
        modes,
    )
    after.channel_modes["chat"] = "stock"
    after.findings.append(object())  # type: ignore[arg-type]
    assert two_clusters.channel_modes == modes and two_clusters.findings == findings
    assert len(after.people) == 5  # only Alpha without x remains


def test_remove_a_group_including_blank_values() -> None:
    people = _people({"Alpha": A, "Beta": B})
    people.loc[people["person_id"].isin(["b1", "b2"]), "department"] = None
    ds = Dataset(people=people, ties=_ties(_complete(A)))
    after = w.apply_scenario(ds, w.Scenario(remove_groups=(("department", "(not given)"),)))
    assert set(after.people["person_id"]) == set(A) | {"b3", "b4", "b5"}
    unknown = w.apply_scenario(
        ds, w.Scenario(remove_people=("nobody",), remove_groups=(("department", "Gamma"),))
    )
    assert len(unknown.people) == 10


def test_bridging_two_silos_raises_both_groups_e_i(silos: Dataset) -> None:
    scenario = w.Scenario(bridges=(w.Bridge("department", "Alpha", "Beta", ties=3, direction="both"),))
    result = w.what_if(silos, scenario, min_size=5)
    g = result.groups.set_index("group")
    # I = 20 arcs inside each group; 3 pairs both ways add E = 6 to each: (6 − 20) / 26
    assert g.loc[["Alpha", "Beta"], "ei_before"].tolist() == [-1.0, -1.0]
    assert g.loc["Alpha", "ei_after"] == pytest.approx(-14 / 26)
    assert g.loc["Beta", "ei_after"] == pytest.approx(-14 / 26)
    assert (g["ei_change"] > 0).all()
    m = result.measures.set_index("measure")
    assert m.at["E-I index between departments", "after_value"] == pytest.approx((6 - 40) / 46)
    assert result.effect.pairs_added == (3,) and result.effect.arcs_added == 6


@pytest.mark.parametrize(
    ("direction", "arcs", "ei_alpha"),
    [
        ("a_to_b", {("a", "b")}, (3 - 20) / 23),
        ("b_to_a", {("b", "a")}, (3 - 20) / 23),
        ("both", {("a", "b"), ("b", "a")}, (6 - 20) / 26),
    ],
)
def test_bridge_direction(
    silos: Dataset, direction: w.Direction, arcs: set[tuple[str, str]], ei_alpha: float
) -> None:
    after = w.apply_scenario(
        silos, w.Scenario(bridges=(w.Bridge("department", "Alpha", "Beta", 3, direction),))
    )
    new = after.ties.iloc[len(silos.ties) :]
    assert {(s[0], t[0]) for s, t in zip(new["source_id"], new["target_id"], strict=True)} == arcs
    assert (new["relation"] == "advice").all() and (new["weight"] == 1.0).all()
    result = w.what_if(silos, w.Scenario(bridges=(w.Bridge("department", "Alpha", "Beta", 3, direction),)))
    assert result.groups.set_index("group").at["Alpha", "ei_after"] == pytest.approx(ei_alpha)


def test_bridges_are_seeded_and_skip_existing_ties(silos: Dataset) -> None:
    bridge = w.Bridge("department", "Alpha", "Beta", 4, "a_to_b", seed=11)
    first = w.apply_scenario(silos, w.Scenario(bridges=(bridge,))).ties
    again = w.apply_scenario(silos, w.Scenario(bridges=(bridge,))).ties
    pd.testing.assert_frame_equal(first, again)
    new = first.iloc[len(silos.ties) :]
    assert len(set(zip(new["source_id"], new["target_id"], strict=True))) == 4  # four different pairs
    # every Alpha → Beta arc but one exists already: only one pair is left to add
    existing = [(a, b) for a in A for b in B if (a, b) != ("a5", "b5")]
    full = Dataset(people=silos.people, ties=_ties(_complete(A) + _complete(B) + existing))
    effect = w.scenario_effect(full, w.Scenario(bridges=(bridge,)))
    assert effect.pairs_added == (1,) and effect.arcs_added == 1
    assert effect.notes and "Only 1 new pairs" in effect.notes[0]
    added = w.apply_scenario(full, w.Scenario(bridges=(bridge,))).ties.iloc[-1]
    assert (added["source_id"], added["target_id"]) == ("a5", "b5")


def test_new_ties_belong_to_the_latest_wave() -> None:
    people = _people({"Alpha": A, "Beta": B})
    ties = pd.concat([_ties(_complete(A), "2026-Q1"), _ties(_complete(B), "2026-Q3")], ignore_index=True)
    ds = Dataset(people=people, ties=ties)
    after = w.apply_scenario(ds, w.Scenario(bridges=(w.Bridge("department", "Alpha", "Beta", 2, "a_to_b"),)))
    assert set(after.ties["wave"].iloc[len(ties) :]) == {"2026-Q3"}
    chosen = w.apply_scenario(
        ds, w.Scenario(bridges=(w.Bridge("department", "Alpha", "Beta", 2, "a_to_b"),), wave="2026-Q1")
    )
    assert set(chosen.ties["wave"].iloc[len(ties) :]) == {"2026-Q1"}


def test_a_bridge_needs_two_different_groups(silos: Dataset) -> None:
    with pytest.raises(w.WorkshopError, match="two different groups"):
        w.apply_scenario(silos, w.Scenario(bridges=(w.Bridge("department", "Alpha", "Alpha", 2),)))


def test_edge_cases_give_defined_results() -> None:
    empty = Dataset(people=pd.DataFrame({"person_id": pd.Series(dtype=str), "name": pd.Series(dtype=str)}))
    assert len(w.apply_scenario(empty, w.Scenario(remove_people=("p1",))).people) == 0
    result = w.what_if(empty, w.Scenario())
    assert result.map_before.nodes == [] and result.groups.empty
    people_only = Dataset(people=_people({"Alpha": A}))
    bridged = w.what_if(people_only, w.Scenario(bridges=(w.Bridge("department", "Alpha", "Beta", 3),)))
    assert bridged.effect.pairs_added == (0,)
    lone = w.what_if(
        Dataset(people=_people({"Alpha": A}), ties=_ties(_complete(A))),
        w.Scenario(remove_groups=(("department", "Alpha"),)),
    )
    assert any("Fewer than 5 people remain" in n for n in lone.notes)
    m = lone.measures.set_index("measure")
    assert math.isnan(m.at["Who can reach whom (connectedness)", "after_value"])


def test_small_groups_are_left_out_of_the_comparison_and_the_map(silos: Dataset) -> None:
    people = _people({"Alpha": A, "Beta": B, "Tiny": ["t1", "t2"]})
    ds = Dataset(people=people, ties=_ties(_complete(A) + _complete(B) + [("t1", "a1")]))
    result = w.what_if(ds, w.Scenario(remove_people=("a5",)), min_size=5)
    # Tiny is hidden, so one of Alpha and Beta (5 each) is hidden too, or Tiny = all − Alpha − Beta:
    # the aggregate view keeps Alpha (first by name), which drops to 4 people after: hidden as well
    assert set(result.groups["group"]) == set()
    named = w.what_if(ds, w.Scenario(remove_people=("a5",)), min_size=5, complementary=False)
    assert set(named.groups["group"]) == {"Beta"}
    labels = {n.label for n in result.map_after.nodes}
    assert "Tiny" not in labels and "Alpha" not in labels


def test_describe_names_people_only_when_given_labels(two_clusters: Dataset) -> None:
    scenario = w.Scenario(remove_people=("x",), bridges=(w.Bridge("department", "Alpha", "Beta", 2),))
    effect = w.scenario_effect(two_clusters, scenario)
    named = " ".join(w.describe(scenario, effect, {"x": "Name x"}))
    anonymous = " ".join(w.describe(scenario, effect))
    assert "Name x leaves" in named and "Name x" not in anonymous and "1 person leaves" in anonymous
    assert "2 new advice ties between Alpha and Beta" in anonymous


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


# --- sessions and actions in the workspace database ---------------------------------------------


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = ws.open_database(url)
    ws.create_workspace(engine, "Acme")
    ws.create_workspace(engine, "Other")
    engine.dispose()
    return url


def test_actions_persist_across_engines(db_url: str) -> None:
    engine = ws.open_database(db_url)
    session = w.create_session(engine, "Acme", "Kick-off workshop", notes="Room of 30")
    first = w.add_action(
        engine,
        "Acme",
        "Pair new joiners with a buddy",
        owner="People team",
        due_on=date(2026, 12, 15),
        notes="Start with Sales",
        session_id=session.id,
        now=datetime(2026, 11, 28, 10, tzinfo=UTC),
    )
    second = w.add_action(
        engine, "Acme", "Open a cross-team help channel", now=datetime(2026, 11, 28, 11, tzinfo=UTC)
    )
    w.add_action(engine, "Other", "Not Acme's")
    engine.dispose()

    again = ws.open_database(db_url)
    got = w.list_actions(again, "Acme")
    assert got == [first, second]
    assert (got[0].title, got[0].owner, got[0].due_on, got[0].notes, got[0].status, got[0].session_id) == (
        "Pair new joiners with a buddy",
        "People team",
        date(2026, 12, 15),
        "Start with Sales",
        "open",
        session.id,
    )
    assert got[1].due_on is None and got[1].session_id is None
    assert [s.title for s in w.list_sessions(again, "Acme")] == ["Kick-off workshop"]
    assert w.list_sessions(again, "Acme")[0].notes == "Room of 30"
    assert w.list_actions(again, "Acme", session_id=session.id) == [first]


def test_edit_status_and_delete(db_url: str) -> None:
    engine = ws.open_database(db_url)
    item = w.add_action(engine, "Acme", "Share the map with the leadership team")
    done = w.update_action(engine, "Acme", item.id, status="done", notes="Shared on 1 Dec")
    assert (done.status, done.notes, done.title) == ("done", "Shared on 1 Dec", item.title)
    assert [a.id for a in w.list_actions(engine, "Acme", status="done")] == [item.id]
    assert w.list_actions(engine, "Acme", status="open") == []
    cleared = w.update_action(engine, "Acme", item.id, due_on=date(2027, 1, 1))
    assert cleared.due_on == date(2027, 1, 1)
    assert w.update_action(engine, "Acme", item.id, due_on=None).due_on is None
    # another workspace cannot see, change or delete it
    with pytest.raises(w.WorkshopError, match="No action"):
        w.update_action(engine, "Other", item.id, status="open")
    assert w.delete_action(engine, "Other", item.id) is False
    assert w.delete_action(engine, "Acme", item.id) is True
    assert w.list_actions(engine, "Acme") == []
    assert w.delete_action(engine, "Acme", item.id) is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "  "}, "cannot be blank"),
        ({"title": "x" * 501}, "longer than 500"),
        ({"title": "ok", "status": "maybe"}, "open, done"),
        ({"title": "ok", "owner": "a\x00b"}, "control characters"),
        ({"title": "ok", "due_on": "tomorrow"}, "must be a date"),
        ({"title": "ok", "session_id": 999}, "No workshop session"),
    ],
)
def test_bad_actions_are_refused(db_url: str, kwargs: dict[str, object], message: str) -> None:
    engine = ws.open_database(db_url)
    with pytest.raises(w.WorkshopError, match=message):
        w.add_action(engine, "Acme", **kwargs)  # type: ignore[arg-type]
    assert w.list_actions(engine, "Acme") == []


def test_unknown_workspace_and_foreign_session(db_url: str) -> None:
    engine = ws.open_database(db_url)
    with pytest.raises(w.WorkshopError, match="No workspace named 'Nope'"):
        w.list_actions(engine, "Nope")
    theirs = w.create_session(engine, "Other", "Their session")
    with pytest.raises(w.WorkshopError, match="No workshop session"):
        w.add_action(engine, "Acme", "Sneaky", session_id=theirs.id)


def test_deleting_the_workspace_deletes_its_sessions_and_actions(db_url: str) -> None:
    engine = ws.open_database(db_url)
    session = w.create_session(engine, "Acme", "Workshop")
    w.add_action(engine, "Acme", "One", session_id=session.id)
    w.add_action(engine, "Acme", "Two")
    w.add_action(engine, "Other", "Stays")
    deleted = ws.delete_workspace(engine, "Acme")
    assert (deleted.actions, deleted.workshop_sessions) == (2, 1)
    assert [a.title for a in w.list_actions(engine, "Other")] == ["Stays"]


def test_session_notes_update(db_url: str) -> None:
    engine = ws.open_database(db_url)
    session = w.create_session(engine, "Acme", "Workshop")
    w.update_session_notes(engine, "Acme", session.id, "Energy was high.\nNext: pulse in March.")
    assert w.list_sessions(engine, "Acme")[0].notes == "Energy was high.\nNext: pulse in March."
    with pytest.raises(w.WorkshopError):
        w.update_session_notes(engine, "Other", session.id, "hijack")


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


def _item(i: int, title: str, notes: str = "", status: str = "open") -> w.ActionItem:
    return w.ActionItem(
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
