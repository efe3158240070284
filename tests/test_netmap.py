"""lib.analysis.netmap: which people and ties a map draws, their colours and sizes, the group map, and the HTML.

Expected values are worked out by hand on small graphs, or compared with lib.analysis.network's own
group_matrix / ei_index and with a brute-force re-implementation.
"""

from __future__ import annotations

import itertools
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from lib.analysis import netmap, network, roles
from lib.core.dataset import Dataset
from lib.report import map_html

HOSTILE = "<img src=x onerror=alert(1)>"


def make_ds(people: dict[str, list[object]], ties: list[tuple[str, str, str, float, str]]) -> Dataset:
    frame = pd.DataFrame(ties, columns=["source_id", "target_id", "relation", "weight", "wave"])
    return Dataset(people=pd.DataFrame(people), ties=frame)


@pytest.fixture
def chain() -> Dataset:
    """a → b → c → d, a → c (information), e alone; b names a twice (weights add up)."""
    return make_ds(
        {
            "person_id": list("abcde"),
            "name": ["Ann", "Bob", "Cy", "Di", "Ed"],
            "team": ["x", "x", "y", "y", None],
        },
        [
            ("a", "b", "advice", 1.0, ""),
            ("b", "c", "advice", 2.0, "w1"),
            ("c", "d", "advice", 1.0, "w2"),
            ("a", "c", "information", 1.0, ""),
            ("b", "a", "advice", 1.0, ""),
            ("b", "a", "information", 2.5, ""),
            ("c", "c", "advice", 1.0, ""),  # self-tie: dropped
            ("a", "zz", "advice", 1.0, ""),  # unknown person: dropped
        ],
    )


# --- ties and people -------------------------------------------------------------------------


def _pairs(t: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(s, d): w for s, d, w in zip(t["source_id"], t["target_id"], t["weight"], strict=True)}


def test_tie_table_collapses_filters_and_drops(chain: Dataset) -> None:
    assert _pairs(netmap.tie_table(chain)) == {
        ("a", "b"): 1.0,
        ("b", "c"): 2.0,
        ("c", "d"): 1.0,
        ("a", "c"): 1.0,
        ("b", "a"): 3.5,
    }
    assert _pairs(netmap.tie_table(chain, ["information"])) == {("a", "c"): 1.0, ("b", "a"): 2.5}
    # a wave keeps its own rows and the blank-wave rows
    assert set(_pairs(netmap.tie_table(chain, ["advice"], "w1"))) == {("a", "b"), ("b", "c"), ("b", "a")}


def test_tie_table_empty() -> None:
    ds = Dataset(people=pd.DataFrame({"person_id": ["a"]}))
    t = netmap.tie_table(ds)
    assert list(t.columns) == ["source_id", "target_id", "weight"] and len(t) == 0


@pytest.mark.parametrize(
    ("person", "steps", "relations", "expected"),
    [
        ("a", 1, ["advice"], ["a", "b"]),
        ("a", 2, ["advice"], ["a", "b", "c"]),
        ("d", 1, ["advice"], ["c", "d"]),  # incoming ties count too
        ("d", 2, ["advice"], ["b", "c", "d"]),
        ("a", 1, None, ["a", "b", "c"]),
        ("e", 2, None, ["e"]),  # no ties: just the person
        ("nobody", 1, None, []),
    ],
)
def test_ego_people(
    chain: Dataset, person: str, steps: int, relations: list[str] | None, expected: list[str]
) -> None:
    assert netmap.ego_people(chain, person, steps, relations) == expected


def test_scope_people(chain: Dataset) -> None:
    assert netmap.scope_people(chain, netmap.Scope()) == list("abcde")
    assert netmap.scope_people(chain, netmap.Scope("team", "y")) == ["c", "d"]
    assert netmap.scope_people(chain, netmap.Scope("team", "(not given)")) == ["e"]
    assert netmap.scope_people(chain, netmap.Scope(person="b", steps=1), ["advice"]) == ["a", "b", "c"]


def _thin_brute(ties: pd.DataFrame, k: int) -> set[tuple[str, str]]:
    keep = set()
    for col in ("source_id", "target_id"):
        for _, grp in ties.groupby(col, sort=False):
            # stable: equal weights keep table order
            order = sorted(range(len(grp)), key=lambda i: -grp["weight"].iloc[i])
            keep |= {(grp["source_id"].iloc[i], grp["target_id"].iloc[i]) for i in order[:k]}
    return keep


@pytest.mark.parametrize("k", [1, 2, 3])
def test_thin_ties_matches_brute_force(k: int) -> None:
    rng = np.random.default_rng(k)
    ids = [f"p{i}" for i in range(30)]
    pairs = [(s, t) for s, t in itertools.permutations(ids, 2) if rng.random() < 0.2]
    ties = pd.DataFrame(pairs, columns=["source_id", "target_id"])
    ties["weight"] = rng.integers(1, 5, size=len(ties)).astype(float)
    thinned = netmap.thin_ties(ties, k)
    assert set(zip(thinned["source_id"], thinned["target_id"], strict=True)) == _thin_brute(ties, k)
    assert len(thinned) < len(ties)
    # everyone with a tie keeps at least one
    before = set(ties["source_id"]) | set(ties["target_id"])
    assert set(thinned["source_id"]) | set(thinned["target_id"]) == before


def test_thin_ties_hand_case() -> None:
    # hub h names x (3), y (2), z (1); z names x (5). k=1: h→x (h's strongest out, also tied with
    # z→x for x's strongest in? no: z→x 5 is x's strongest in), h→y (y's only in), h→z (z's only in),
    # z→x (z's strongest out and x's strongest in).
    ties = pd.DataFrame(
        {"source_id": ["h", "h", "h", "z"], "target_id": ["x", "y", "z", "x"], "weight": [3.0, 2.0, 1.0, 5.0]}
    )
    kept = set(zip(*[netmap.thin_ties(ties, 1)[c] for c in ("source_id", "target_id")], strict=True))
    assert kept == {("h", "x"), ("h", "y"), ("h", "z"), ("z", "x")}
    ties.loc[4] = ["y", "z", 0.5]  # y's only out; z's weakest in → still kept (y's strongest out)
    assert ("y", "z") in set(
        zip(*[netmap.thin_ties(ties, 1)[c] for c in ("source_id", "target_id")], strict=True)
    )
    assert len(netmap.thin_ties(ties, 0)) == 0


# --- colour and size ----------------------------------------------------------------------------


def test_colour_categories_text_by_frequency_then_other() -> None:
    values = pd.Series(["b", "a", "a", "c", None, "b", "a"] + [f"t{i}" for i in range(12)], dtype=object)
    cats, legend = netmap.colour_categories(values)
    labels = [e.label for e in legend]
    # a (3), b (2), then nine of the 13 one-person categories alphabetically, then Other, then missing
    assert labels[:2] == ["a", "b"]
    assert labels[2:11] == sorted(["c"] + [f"t{i}" for i in range(12)])[:9]
    assert labels[11] == "Other (4 groups)" and labels[12] == netmap.MISSING_LABEL
    assert [e.count for e in legend][:2] == [3, 2]
    assert sum(e.count for e in legend) == len(values)
    assert len({e.colour for e in legend}) == len(legend)  # every entry distinguishable
    assert cats.iloc[4] == netmap.MISSING_LABEL and cats.iloc[0] == "b"


def test_colour_categories_small_numbers_in_numeric_order() -> None:
    cats, legend = netmap.colour_categories(pd.Series([3, 1, 10, 2, 2], dtype="Int64"))
    assert [e.label for e in legend] == ["1", "2", "3", "10"]
    assert list(cats) == ["3", "1", "10", "2", "2"]


def test_colour_categories_bins_measures() -> None:
    values = pd.Series(np.arange(100, dtype=float))
    cats, legend = netmap.colour_categories(values)
    assert len(legend) == netmap.NUMERIC_BINS
    assert [e.count for e in legend] == [20, 20, 20, 20, 20]
    assert cats.iloc[0] == legend[0].label and cats.iloc[99] == legend[-1].label


def test_colour_categories_empty() -> None:
    cats, legend = netmap.colour_categories(pd.Series([], dtype=object))
    assert cats.empty and legend == []


def _people(**columns: list[object]) -> Dataset:
    n = len(next(iter(columns.values())))
    return Dataset(people=pd.DataFrame({"person_id": [f"P{i}" for i in range(n)], **columns}))


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        # department wins whenever it is there, even with 30 teams before it
        (
            {"team": [f"T{i % 30}" for i in range(60)], "department": [f"D{i % 4}" for i in range(60)]},
            "department",
        ),
        ({"department": ["A", "B"] * 30, "location": [f"L{i % 5}" for i in range(60)]}, "department"),
        # no department: the first attribute with 3 to 12 groups (team has 30, role 2, location 5)
        (
            {
                "team": [f"T{i % 30}" for i in range(60)],
                "role": ["a", "b"] * 30,
                "location": [f"L{i % 5}" for i in range(60)],
            },
            "location",
        ),
        ({"team": [f"T{i % 12}" for i in range(60)], "location": ["x", "y", "z"] * 20}, "team"),
        ({"team": [f"T{i % 13}" for i in range(60)], "location": ["x", "y", "z"] * 20}, "location"),
        # blanks are no group: three values of which one is blank make two groups
        ({"level": [1, 2, None] * 20, "location": ["x", "y", "z"] * 20}, "location"),
        # nothing fits: the first attribute
        ({"team": [f"T{i % 30}" for i in range(60)], "role": ["a", "b"] * 30}, "team"),
    ],
)
def test_default_colour_attribute(columns: dict[str, list[object]], expected: str) -> None:
    assert netmap.default_colour_attribute(_people(**columns)) == expected


def test_default_colour_attribute_without_attributes() -> None:
    assert netmap.default_colour_attribute(Dataset(people=pd.DataFrame({"person_id": ["a", "b"]}))) == ""


def test_node_sizes_area_proportional() -> None:
    idx = pd.Index(["a", "b", "c", "d"])
    sizes = netmap.node_sizes(pd.Series({"a": 0.0, "b": 1.0, "c": 4.0, "d": np.nan}), idx, 0.0, 10.0)
    # sqrt(1/4) = 0.5; missing → middle
    assert list(sizes) == pytest.approx([0.0, 5.0, 10.0, 5.0])
    assert list(netmap.node_sizes(None, idx, 2.0, 4.0)) == [3.0] * 4
    assert list(netmap.node_sizes(pd.Series(7.0, index=idx), idx, 2.0, 4.0)) == [3.0] * 4


# --- the person map ------------------------------------------------------------------------------


def test_person_map_nodes_edges_and_tooltips(chain: Dataset) -> None:
    table = chain.people.set_index("person_id")
    table["betweenness"] = [0.0, 0.5, 0.25, 0.0, 0.0]
    labels = dict(zip(chain.people["person_id"], chain.people["name"], strict=True))
    m = netmap.person_map(
        chain, table, colour_by="team", size_by="betweenness", labels=labels, relations=["advice"]
    )
    assert [n.label for n in m.nodes] == ["Ann", "Bob", "Cy", "Di", "Ed"]
    assert [n.id for n in m.nodes] == ["p0", "p1", "p2", "p3", "p4"]  # opaque, never the person id
    assert {(e.source, e.target) for e in m.edges} == {("p0", "p1"), ("p1", "p2"), ("p2", "p3"), ("p1", "p0")}
    assert m.nodes[1].title == "Bob\nTeam: x\nBetweenness: 0.5"
    assert m.nodes[1].size == pytest.approx(netmap.NODE_SIZE[1])
    assert m.nodes[0].size == pytest.approx(netmap.NODE_SIZE[0])
    assert m.nodes[0].colour == m.nodes[1].colour != m.nodes[2].colour
    assert m.nodes[4].category == netmap.MISSING_LABEL
    assert m.physics  # no positions given: vis-network lays it out
    # heaviest tie widest: b→c (2.0) vs a→b (1.0)
    width = {(e.source, e.target): e.width for e in m.edges}
    assert width[("p1", "p2")] > width[("p0", "p1")]


def test_person_map_without_labels_hides_names(chain: Dataset) -> None:
    table = chain.people.set_index("person_id")
    m = netmap.person_map(chain, table, colour_by="team", labels=None)
    text = json.dumps([[n.id, n.label, n.title] for n in m.nodes])
    for secret in ["Ann", "Bob", '"a"', '"b"']:
        assert secret not in text
    assert all(n.label == "" for n in m.nodes)


def test_person_map_ego_and_positions(chain: Dataset) -> None:
    table = chain.people.set_index("person_id")
    scope = netmap.Scope(person="d", steps=1)
    pos = netmap.layout_positions(chain, ["advice"], None, scope)
    assert list(pos.index) == ["c", "d"]
    m = netmap.person_map(
        chain,
        table,
        colour_by="team",
        labels={"c": "Cy", "d": "Di"},
        relations=["advice"],
        scope=scope,
        positions=pos,
    )
    assert [n.label for n in m.nodes] == ["Cy", "Di"]
    assert "(centre of this ego network)" in m.nodes[1].title
    assert not m.physics
    assert (m.nodes[0].x, m.nodes[0].y) == pytest.approx((pos.at["c", "x"], pos.at["c", "y"]))


def test_person_map_thins_above_the_edge_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [str(i) for i in range(12)]
    ties = [(s, t, "advice", 1.0, "") for s, t in itertools.permutations(ids, 2)]  # 132 arcs
    ds = make_ds({"person_id": ids}, ties)
    monkeypatch.setattr(netmap, "EDGE_LIMIT", 100)
    m = netmap.person_map(ds, ds.people.set_index("person_id"), colour_by="x", labels=None)
    assert len(m.edges) < 132 and any("strongest ties" in n for n in m.notes)
    monkeypatch.setattr(netmap, "EDGE_LIMIT", 1000)
    assert (
        len(netmap.person_map(ds, ds.people.set_index("person_id"), colour_by="x", labels=None).edges) == 132
    )


def test_layout_positions_repeat_and_edge_cases(chain: Dataset) -> None:
    a = netmap.layout_positions(chain)
    b = netmap.layout_positions(chain)
    pd.testing.assert_frame_equal(a, b)
    assert np.isfinite(a.to_numpy()).all() and list(a.index) == list("abcde")
    one = netmap.layout_positions(chain, scope=netmap.Scope(person="e"))
    assert one.loc["e"].tolist() == [0.0, 0.0]
    assert netmap.layout_positions(chain, scope=netmap.Scope(person="nobody")).empty


# --- the group map ---------------------------------------------------------------------------


@pytest.fixture
def groups() -> Dataset:
    """A: 6 people, B: 5, C: 2, D: 3 (C and D under the minimum of 5, together 5)."""
    team = ["A"] * 6 + ["B"] * 5 + ["C"] * 2 + ["D"] * 3
    ids = [f"{t}{i}" for t in "ABCD" for i in range(team.count(t))]
    ties = [
        ("A0", "A1", "advice", 1.0, ""),
        ("A1", "A2", "advice", 1.0, ""),
        ("A2", "A0", "advice", 1.0, ""),
        ("A0", "B0", "advice", 1.0, ""),
        ("A0", "B0", "information", 1.0, ""),  # same arc, other relation: counted once
        ("A3", "B1", "advice", 1.0, ""),
        ("B2", "A4", "advice", 1.0, ""),
        ("C0", "A5", "advice", 1.0, ""),
        ("C1", "D0", "advice", 1.0, ""),
    ]
    return make_ds({"person_id": ids, "team": team}, ties)


def test_group_map_by_hand(groups: Dataset) -> None:
    m = netmap.group_map(groups, "team", min_group_size=5)
    assert [n.label for n in m.nodes] == ["A", "B"]  # C and D hidden
    assert m.notes == ["2 groups hidden (fewer than 5 people)."]
    a, b = m.nodes
    assert a.title == "Team: A\nPeople: 6\nTies inside the group: 3\nTies with other groups: 4"
    assert b.title == "Team: B\nPeople: 5\nTies inside the group: 0\nTies with other groups: 3"
    assert a.size > b.size
    assert [(e.source, e.target, e.title) for e in m.edges] == [("g0", "g1", "A – B: 3 ties")]
    assert [(e.label, e.count) for e in m.legend] == [("A", 6), ("B", 5)]  # people, not groups
    assert not m.directed


def test_group_map_agrees_with_group_matrix_and_ei(groups: Dataset) -> None:
    m = netmap.group_map(groups, "team", min_group_size=5)
    matrix = network.group_matrix(groups, "team")
    ei = network.ei_index(groups, "team").groups.set_index("group")
    for node in m.nodes:
        g = node.label
        lines = dict(line.split(": ") for line in node.title.splitlines())
        assert int(lines["People"]) == ei.at[g, "size"]
        assert int(lines["Ties inside the group"]) == ei.at[g, "internal"] == matrix.at[g, g]
        assert int(lines["Ties with other groups"]) == ei.at[g, "external"]
    assert m.edges[0].title.endswith(f"{matrix.at['A', 'B'] + matrix.at['B', 'A']} ties")


def test_group_map_complementary_suppression() -> None:
    # one small group alone could be worked out from the total: the smallest shown one goes too
    ds = make_ds({"person_id": [str(i) for i in range(17)], "team": ["A"] * 9 + ["B"] * 6 + ["C"] * 2}, [])
    m = netmap.group_map(ds, "team", min_group_size=5)
    assert [n.label for n in m.nodes] == ["A"]
    assert "can be worked out by subtracting" in m.notes[0]


def test_group_map_missing_attribute_and_blank_values(groups: Dataset) -> None:
    assert netmap.group_map(groups, "nope").nodes == []
    ds = make_ds({"person_id": [str(i) for i in range(10)], "dept": [None] * 5 + ["X"] * 5}, [])
    assert sorted(n.label for n in netmap.group_map(ds, "dept").nodes) == [netmap.MISSING_LABEL, "X"]


def test_group_map_positions_from_the_server_above_the_physics_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    ds = make_ds(
        {"person_id": [str(i) for i in range(30)], "team": [f"t{i // 5}" for i in range(30)]},
        [("0", "5", "advice", 1.0, "")],
    )
    monkeypatch.setattr(netmap, "PHYSICS_LIMIT", 3)
    m = netmap.group_map(ds, "team")
    assert not m.physics and all(n.x is not None and math.isfinite(n.x) for n in m.nodes)


# --- the HTML ---------------------------------------------------------------------------------


def test_external_urls_finds_fetches() -> None:
    html = '<script src="https://cdn.example/x.js"></script><link href=//cdn.example/y.css><a href="#top">'
    assert map_html.external_urls(html) == ["https://cdn.example/x.js", "//cdn.example/y.css"]


@pytest.fixture
def hostile() -> Dataset:
    ids = ["a", "b", "c"]
    return make_ds(
        {
            "person_id": ids,
            "name": [HOSTILE, 'x href="javascript:alert(1)"', "</script><script>alert(2)</script>"],
            "team": [HOSTILE, "t", "t"],
        },
        [("a", "b", "advice", 1.0, ""), ("b", "c", "advice", 1.0, "")],
    )


def test_render_html_is_offline_and_escapes_user_text(hostile: Dataset) -> None:
    table = hostile.people.set_index("person_id")
    labels = dict(zip(hostile.people["person_id"], hostile.people["name"], strict=True))
    html = map_html.render_html(netmap.person_map(hostile, table, colour_by="team", labels=labels))
    assert map_html.external_urls(html) == []
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html
    assert "vis.Network" in html  # vis-network in-lined
    # raw user text never reaches the HTML: JSON data are \u003c-escaped, the legend &lt;-escaped
    assert "<img src=x" not in html and "alert(2)</script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html.split('id="legend"')[1]
    # a title containing "href" must not switch pyvis to its innerHTML popup
    assert "popup.innerHTML" not in html
    assert re.search(r"<h1>", html) is None
    data = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", html, re.S).group(1))  # type: ignore[union-attr]
    assert data[0]["label"] == HOSTILE  # shown as that text (canvas label / innerText tooltip)


def test_render_html_stops_physics_after_stabilising(chain: Dataset) -> None:
    table = chain.people.set_index("person_id")
    html = map_html.render_html(netmap.person_map(chain, table, colour_by="team", labels=None))
    assert 'network.once("stabilizationIterationsDone"' in html
    options = json.loads(re.search(r"var options = (\{.*?\});\n", html, re.S).group(1))  # type: ignore[union-attr]
    assert options["physics"]["solver"] == "forceAtlas2Based"
    assert options["physics"]["stabilization"]["iterations"] == 200
    assert options["layout"]["improvedLayout"] is False and options["edges"]["smooth"] is False


def test_render_html_empty_map() -> None:
    m = netmap.NetworkMap("people", [], [], [])
    html = map_html.render_html(m)
    assert "new vis.DataSet([])" in html and map_html.external_urls(html) == []


def test_map_summary(groups: Dataset) -> None:
    assert netmap.map_summary(netmap.group_map(groups, "team")) == (
        "2 groups, 1 links between groups. 2 groups hidden (fewer than 5 people)."
    )


def test_thin_ties_undirected_counts_both_ends() -> None:
    # links between groups: A–B 5, A–C 4, A–D 3, C–D 1. k=1: A keeps A–B, B keeps A–B,
    # C keeps A–C (its strongest), D keeps A–D: C–D goes.
    links = pd.DataFrame(
        {"source_id": ["A", "A", "A", "C"], "target_id": ["B", "C", "D", "D"], "weight": [5.0, 4, 3, 1]}
    )
    kept = netmap.thin_ties(links, 1, directed=False)
    assert set(zip(kept["source_id"], kept["target_id"], strict=True)) == {("A", "B"), ("A", "C"), ("A", "D")}


def test_group_map_thins_links_above_the_edge_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 8 groups of 5, every group tied to every other: 28 links
    ids = [str(i) for i in range(40)]
    ties = [(str(a * 5), str(b * 5), "advice", 1.0, "") for a in range(8) for b in range(8) if a != b]
    ds = make_ds({"person_id": ids, "team": [f"t{i // 5}" for i in range(40)]}, ties)
    assert len(netmap.group_map(ds, "team").edges) == 28
    monkeypatch.setattr(netmap, "EDGE_LIMIT", 10)
    m = netmap.group_map(ds, "team")
    assert len(m.edges) < 28 and any("strongest links" in n for n in m.notes)


def test_group_map_named_view_skips_complementary_suppression() -> None:
    ds = make_ds({"person_id": [str(i) for i in range(17)], "team": ["A"] * 9 + ["B"] * 6 + ["C"] * 2}, [])
    assert [n.label for n in netmap.group_map(ds, "team", complementary=False).nodes] == ["A", "B"]


def test_community_colours_are_categories_not_bins() -> None:
    big = make_ds({"person_id": [str(i) for i in range(30)]}, [])
    big_table = big.people.set_index("person_id")
    big_table["community"] = list(range(30))  # 30 communities: categories + Other, never "0–6" bins
    m = netmap.person_map(big, big_table, colour_by="community", labels=None)
    assert {e.label for e in m.legend} >= {"0", "1", "Other (19 groups)"}
    assert not any("–" in e.label for e in m.legend)
    # group names that look like numbers are groups too
    levels = make_ds(
        {"person_id": [str(i) for i in range(100)], "level": [str(i // 5) for i in range(100)]}, []
    )
    legend = netmap.group_map(levels, "level").legend
    assert [e.label for e in legend][:3] == ["0", "1", "2"] and legend[-1].label == "Other (9 groups)"


def test_people_table_joins_and_pseudonymises(chain: Dataset) -> None:
    people = chain.people.assign(manager_id=["", "a", "a", "b", "b"])
    ds = Dataset(people=people, ties=chain.ties)
    measures = network.person_measures(ds)
    roles_df = pd.DataFrame(
        {
            "person_id": list("abcde"),
            "roles": ["broker", "", "", "", "isolate"],
            "reason": ["r1", "", "", "", "no ties"],
        }
    )
    t = netmap.people_table(ds, measures, roles_df, labels={"a": "Ann"})
    assert list(t.index) == list("abcde") and t.at["a", "person"] == "Ann" and t.at["b", "person"] == "b"
    assert t.at["a", "in_degree"] == measures.at["a", "in_degree"]
    assert list(t["network_role"]) == ["broker", netmap.NO_ROLE, netmap.NO_ROLE, netmap.NO_ROLE, "isolate"]
    p = netmap.people_table(ds, measures, roles_df, labels={"a": "Person 1A2B"}, pseudonyms=True)
    assert "name" not in p.columns and "manager_id" not in p.columns and p.at["a", "person"] == "Person 1A2B"


def test_role_counts_and_summary_table(chain: Dataset) -> None:
    roles_df = pd.DataFrame(
        {
            "person_id": list("ab"),
            "broker": [True, True],
            "isolate": [False, True],
            "central_connector": [False, False],
        }
    )
    meaning = {r: f"meaning of {r}" for r in roles.ROLE_NAMES}
    counts = netmap.role_counts(roles_df, meaning).set_index("role")
    assert counts.at["Broker", "people"] == 2 and counts.at["Isolate", "people"] == 1
    assert counts.at["Energiser", "people"] == 0
    assert counts.at["Broker", "meaning"] == "meaning of broker"
    summary = netmap.summary_table(
        network.network_measures(chain, ["advice"]), {"density": "Density m / (n(n − 1))"}
    )
    rows = summary.set_index("measure")
    # a → b, b → a, b → c, c → d: 4 arcs among 5 people → density 4 / 20
    assert rows.at["Ties", "value"] == "4" and rows.at["Density", "value"] == "0.2"
    assert rows.at["Density", "definition"].startswith("Density")


def test_measured_repr_is_a_small_cache_key(chain: Dataset) -> None:
    measured = netmap.Measured(("advice",), None, network.person_measures(chain, ["advice"]))
    assert repr(measured) == "Measured(relations=('advice',), wave=None)"
    roles_df = netmap.network_roles(chain, measured)
    assert list(roles_df["person_id"]) == list("abcde")


def test_map_groups_differ_by_shape_as_well_as_colour() -> None:
    # each of the first six palette colours has a shape of its own; colour and shape never repeat together
    assert len({map_html.shape_of(c) for c in netmap.PALETTE[:6]}) == 6
    assert len({(c, map_html.shape_of(c)) for c in netmap.PALETTE}) == len(netmap.PALETTE)
    assert map_html.shape_of(netmap.OTHER_COLOUR) == "dot"
    colours = netmap.PALETTE[:3]
    m = netmap.NetworkMap(
        "groups",
        [netmap.MapNode(f"g{i}", f"G{i}", f"G{i}", f"G{i}", c, 10.0) for i, c in enumerate(colours)],
        [],
        [netmap.LegendEntry(f"G{i}", c, 5) for i, c in enumerate(colours)],
        colour_by="department",
    )
    html = map_html.render_html(m)
    for c in colours:
        shape = map_html.shape_of(c)
        assert re.search(rf'"color": "{c}"[^}}]*"shape": "{shape}"', html), shape
        assert f'color:{c};text-shadow:0 0 1px #333">{map_html.SHAPES[shape]}</span>' in html


@pytest.mark.parametrize(
    "value",
    ["Finance", "  Finance ", "", "nan", "None", None, pd.NA, True, pd.Timestamp("2026-03-01"), 3, 2.0, 0.25],
)
def test_a_tooltip_value_reads_as_its_legend_text(value: object) -> None:
    # A tooltip line formats one value; a category is written as the legend writes the column.
    text = netmap._fmt_value(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        assert text == netmap.fmt(value)
    else:
        assert text == netmap.category_text(pd.Series([value], dtype=object)).iloc[0]
        assert text == netmap.category_text(pd.Series([value])).iloc[0]
