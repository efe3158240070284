"""lib.analysis.network: igraph fast path against networkx, hand-drawn cases and edge cases."""

from __future__ import annotations

import itertools
import math
import random

import igraph
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lib.analysis import network as nw
from lib.core.dataset import Dataset


def make_ds(
    people: list[str] | dict[str, str],
    ties: list[tuple[str, str]] | list[tuple[str, str, str, float]],
    attribute: str = "department",
) -> Dataset:
    """People (ids, or id → group) and ties (source, target[, relation, weight])."""
    ids = list(people)
    # a census: everyone answered, so people who name nobody are measured (non-response: test_response.py)
    frame = pd.DataFrame({"person_id": ids, "responded": True})
    if isinstance(people, dict):
        frame[attribute] = [people[i] for i in ids]
        if attribute != "team":
            frame["team"] = frame[attribute]
    rows = [(t[0], t[1], "advice", 1.0) if len(t) == 2 else t for t in ties]
    tie_frame = pd.DataFrame(rows, columns=["source_id", "target_id", "relation", "weight"])
    tie_frame["wave"] = ""
    return Dataset(people=frame, ties=tie_frame)


def random_ds(n: int, p: float, seed: int, weighted: bool = False) -> tuple[Dataset, nx.DiGraph]:
    rng = random.Random(seed)
    g = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    ids = [f"p{i}" for i in range(n)]
    ties = []
    for a, b in g.edges():
        w = float(rng.randint(1, 4)) if weighted else 1.0
        ties.append((ids[a], ids[b], "advice", w))
        g.edges[a, b]["weight"] = w
    g = nx.relabel_nodes(g, dict(enumerate(ids)))
    groups = {i: "abc"[k % 3] for k, i in enumerate(ids)}
    return make_ds(groups, ties), g


GRAPHS = [(12, 0.25, 1, False), (20, 0.15, 2, True), (30, 0.08, 3, True), (25, 0.05, 4, False)]


@pytest.fixture(params=GRAPHS, ids=[f"n{g[0]}-p{g[1]}-w{g[3]}" for g in GRAPHS])
def random_case(request: pytest.FixtureRequest) -> tuple[Dataset, nx.DiGraph, pd.DataFrame]:
    ds, g = random_ds(*request.param)
    return ds, g, nw.person_measures(ds)


# --- networkx as the independent implementation ------------------------------------------------


def test_degrees_and_strengths(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    _, g, pm = random_case
    for v in g:
        assert pm.loc[v, "in_degree"] == g.in_degree(v)
        assert pm.loc[v, "out_degree"] == g.out_degree(v)
        assert pm.loc[v, "in_strength"] == pytest.approx(g.in_degree(v, weight="weight"))
        assert pm.loc[v, "out_strength"] == pytest.approx(g.out_degree(v, weight="weight"))


def test_betweenness(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    _, g, pm = random_case
    expected = nx.betweenness_centrality(g, normalized=True)
    assert pm["betweenness"].to_dict() == pytest.approx(expected, abs=1e-9)
    assert pm.attrs["betweenness_estimated"] is False


def test_pagerank(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    _, g, pm = random_case
    expected = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-12, max_iter=1000)
    assert pm["pagerank"].to_dict() == pytest.approx(expected, abs=1e-6)
    assert pm["pagerank"].sum() == pytest.approx(1.0)


def test_harmonic_closeness(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    _, g, pm = random_case
    n = g.number_of_nodes()
    expected = {v: h / (n - 1) for v, h in nx.harmonic_centrality(g).items()}
    assert pm["harmonic_closeness"].to_dict() == pytest.approx(expected, abs=1e-9)


def test_constraint(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    _, g, pm = random_case
    expected = nx.constraint(g, weight="weight")
    for v, value in expected.items():
        if math.isnan(value):
            assert math.isnan(pm.loc[v, "constraint"])
        else:
            assert pm.loc[v, "constraint"] == pytest.approx(value, abs=1e-9)


def test_effective_size_and_coreness(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    _, g, pm = random_case
    u = nx.Graph(g.to_undirected())
    es = nx.effective_size(u)
    core = nx.core_number(u)
    for v in g:
        expected = 0.0 if math.isnan(es[v]) else es[v]
        assert pm.loc[v, "effective_size"] == pytest.approx(expected, abs=1e-9)
        assert pm.loc[v, "coreness"] == core[v]


def test_eigenvector_on_connected_graph() -> None:
    g = nx.karate_club_graph()
    ids = [str(v) for v in g]
    ds = make_ds(ids, [(str(a), str(b)) for a, b in g.edges()])
    pm = nw.person_measures(ds)
    expected = nx.eigenvector_centrality_numpy(g)
    top = max(expected.values())
    for v in g:
        assert pm.loc[str(v), "eigenvector"] == pytest.approx(expected[v] / top, abs=1e-6)


def test_communities_are_a_good_partition(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    ds, g, pm = random_case
    u = nx.Graph()
    u.add_nodes_from(g)
    for a, b, w in g.edges(data="weight"):
        prev = u.edges[a, b]["weight"] if u.has_edge(a, b) else 0.0
        u.add_edge(a, b, weight=prev + w)
    parts = [set(idx) for _, idx in pm.groupby("community").groups.items()]
    q = nx.community.modularity(u, parts, weight="weight")
    assert pm.attrs["modularity_communities"] == pytest.approx(q, abs=1e-9)
    assert nw.network_measures(ds).modularity_communities == pytest.approx(q, abs=1e-9)
    # label 0 is the largest community; the labels repeat exactly
    sizes = pm["community"].value_counts()
    assert sizes.index[0] == 0 or sizes.iloc[0] == sizes.loc[0]
    assert (nw.person_measures(ds)["community"] == pm["community"]).all()


def test_whole_network_against_networkx(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    ds, g, _ = random_case
    s = nw.network_measures(ds)
    n, m = g.number_of_nodes(), g.number_of_edges()
    assert s.people == n and s.ties == m
    assert s.density == pytest.approx(nx.density(g))
    assert s.reciprocity_arc == pytest.approx(nx.overall_reciprocity(g))
    assert s.transitivity == pytest.approx(nx.transitivity(nx.Graph(g.to_undirected())))
    assert s.components_strong == nx.number_strongly_connected_components(g)
    assert s.components_weak == nx.number_weakly_connected_components(g)
    reach = sum(len(nx.descendants(g, v)) for v in g)
    assert s.connectedness == pytest.approx(reach / (n * (n - 1)))
    # directed closure by brute force over every 2-path
    paths = closed = 0
    for a, b in g.edges():
        for c in g.successors(b):
            if c != a:
                paths += 1
                closed += g.has_edge(a, c)
    assert s.closure == pytest.approx(closed / paths)


def naive_brokerage(g: nx.DiGraph, group: dict[str, str]) -> dict[str, dict[str, int]]:
    """Gould & Fernandez by enumerating every triple (the textbook definition, slowly)."""
    out = {v: dict.fromkeys(nw.BROKERAGE_ROLES, 0) for v in g}
    for b in g:
        for a, c in itertools.product(g.predecessors(b), g.successors(b)):
            if a == c or g.has_edge(a, c):
                continue
            ga, gb, gc = group[a], group[b], group[c]
            if ga == gb == gc:
                role = "coordinator"
            elif ga != gb and gc == gb:
                role = "gatekeeper"
            elif ga == gb and gc != gb:
                role = "representative"
            elif ga == gc:
                role = "consultant"
            else:
                role = "liaison"
            out[b][role] += 1
    return out


def test_brokerage_against_naive_enumeration(random_case: tuple[Dataset, nx.DiGraph, pd.DataFrame]) -> None:
    ds, g, pm = random_case
    group = dict(zip(ds.people["person_id"], ds.people["department"], strict=True))
    expected = naive_brokerage(g, group)
    for v in g:
        for role in nw.BROKERAGE_ROLES:
            assert pm.loc[v, f"brokerage_{role}"] == expected[v][role], (v, role)


# --- hand-drawn cases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ({"a": "X", "b": "X", "c": "X"}, "coordinator"),
        ({"a": "Y", "b": "X", "c": "X"}, "gatekeeper"),
        ({"a": "X", "b": "X", "c": "Y"}, "representative"),
        ({"a": "Y", "b": "X", "c": "Y"}, "consultant"),
        ({"a": "Y", "b": "X", "c": "Z"}, "liaison"),
    ],
)
def test_one_brokerage_path(groups: dict[str, str], role: str) -> None:
    pm = nw.person_measures(make_ds(groups, [("a", "b"), ("b", "c")]))
    for r in nw.BROKERAGE_ROLES:
        assert pm.loc["b", f"brokerage_{r}"] == (1 if r == role else 0)
    assert pm.loc["b", "brokerage_total"] == 1
    assert pm.loc["a", "brokerage_total"] == 0


def test_closed_and_returning_paths_are_not_brokerage() -> None:
    # a→b→c closed by a→c; b→a→b returns to its start
    pm = nw.person_measures(
        make_ds({"a": "X", "b": "Y", "c": "Z"}, [("a", "b"), ("b", "c"), ("a", "c"), ("b", "a")])
    )
    # open paths: b→a→c? a→c exists but b→c also exists: closed. c has no out-ties.
    assert pm["brokerage_total"].sum() == 0


def test_blank_group_paths_are_not_classified() -> None:
    pm = nw.person_measures(make_ds({"a": "X", "b": "", "c": "Y"}, [("a", "b"), ("b", "c")]))
    assert pm.loc["b", "brokerage_total"] == 1
    assert sum(pm.loc["b", f"brokerage_{r}"] for r in nw.BROKERAGE_ROLES) == 0


def test_ei_index_by_hand() -> None:
    # X = {a, b}, Y = {c}: a→b internal; a→c, c→b external; d has a blank group
    ds = make_ds({"a": "X", "b": "X", "c": "Y", "d": ""}, [("a", "b"), ("a", "c"), ("c", "b"), ("d", "a")])
    ei = nw.ei_index(ds, "department")
    groups = ei.groups.set_index("group")
    assert groups.loc["X", ["size", "internal", "external"]].tolist() == [2, 1, 2]
    assert groups.loc["X", "ei"] == pytest.approx((2 - 1) / 3)
    assert groups.loc["Y", "ei"] == pytest.approx(1.0)  # one-person group: I = 0
    assert ei.overall == pytest.approx((2 - 1) / 3)
    assert (ei.excluded_people, ei.excluded_ties) == (1, 1)


def test_ei_group_without_ties_is_nan_with_reason() -> None:
    ds = make_ds({"a": "X", "b": "X", "c": "Y"}, [("a", "b")])
    groups = nw.ei_index(ds, "department").groups.set_index("group")
    assert math.isnan(groups.loc["Y", "ei"])
    assert "no ties" in groups.loc["Y", "reason"]
    assert groups.loc["X", "ei"] == -1.0


def test_group_matrix_by_hand() -> None:
    ds = make_ds({"a": "X", "b": "X", "c": "Y"}, [("a", "b"), ("a", "c"), ("c", "b"), ("c", "a")])
    mat = nw.group_matrix(ds, "department")
    assert (
        mat.loc["X", "X"] == 1
        and mat.loc["X", "Y"] == 1
        and mat.loc["Y", "X"] == 2
        and mat.loc["Y", "Y"] == 0
    )
    assert mat.to_numpy().sum() == 4


def test_star_centralization_is_one() -> None:
    ids = [str(i) for i in range(6)]
    s = nw.network_measures(make_ds(ids, [(i, "0") for i in ids[1:]]))
    assert s.centralization_in == pytest.approx(5 * 5 / 25)
    assert s.centralization_out == pytest.approx(1 / 25)  # only the centre names nobody: Σ(1 − d_out) = 1
    assert s.centralization_degree == pytest.approx(1.0)
    assert s.gini_in_degree == pytest.approx(5 / 6)  # one of six holds every tie: (n − 1)/n


def test_parallel_ties_collapse_and_weights_add() -> None:
    ds = make_ds(
        ["a", "b"], [("a", "b", "advice", 2.0), ("a", "b", "information", 3.0), ("a", "a", "advice", 1.0)]
    )
    graph = nw.build_graph(ds)
    assert graph.m == 1 and graph.g.es["weight"] == [5.0]
    assert nw.build_graph(ds, ["information"]).g.es["weight"] == [3.0]


def test_wave_selection_keeps_blank_waves() -> None:
    ds = make_ds(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")])
    ds.ties["wave"] = ["2026-Q1", "2026-Q2", ""]
    assert nw.build_graph(ds, wave="2026-Q1").g.get_edgelist() == [(0, 1), (2, 0)]
    assert nw.build_graph(ds).m == 3


def test_unknown_people_in_ties_are_dropped() -> None:
    ds = make_ds(["a", "b"], [("a", "b"), ("a", "ghost")])
    assert nw.build_graph(ds).m == 1


# --- edge cases ---------------------------------------------------------------------------------


def test_isolates_and_disconnected_graph() -> None:
    ds = make_ds({"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Z"}, [("a", "b"), ("b", "a"), ("c", "d")])
    pm = nw.person_measures(ds)
    assert pm.loc[
        "e", ["in_degree", "out_degree", "betweenness", "harmonic_closeness", "coreness"]
    ].tolist() == [0, 0, 0, 0, 0]
    assert math.isnan(pm.loc["e", "constraint"]) and pm.loc["e", "effective_size"] == 0
    assert pm["community"].nunique() == 3
    s = nw.network_measures(ds)
    assert (s.components_weak, s.largest_weak, s.isolates) == (3, 2, 1)
    assert s.connectedness == pytest.approx(3 / 20)
    assert s.average_distance == pytest.approx(1.0)


@pytest.mark.parametrize("people", [[], ["solo"], ["a", "b"]])
def test_no_ties_gives_defined_results(people: list[str]) -> None:
    ds = make_ds(people, [])
    pm = nw.person_measures(ds)
    assert len(pm) == len(people)
    assert (pm["in_degree"] == 0).all() and (pm["betweenness"] == 0).all()
    s = nw.network_measures(ds)
    assert s.ties == 0 and s.density == 0.0
    assert math.isnan(s.reciprocity_arc) and math.isnan(s.closure)
    assert s.isolates == len(people)
    ei = nw.ei_index(ds, "department")
    assert math.isnan(ei.overall)
    assert nw.group_matrix(ds, "department").shape == (0, 0)


def test_missing_attribute_is_not_an_error() -> None:
    ds = make_ds(["a", "b", "c"], [("a", "b"), ("b", "c")])
    pm = nw.person_measures(ds, group_attr="nonexistent")
    assert pm.loc["b", "brokerage_total"] == 1 and pm.loc["b", "brokerage_liaison"] == 0
    assert math.isnan(nw.network_measures(ds, team_attr=None).modularity_teams)
    assert nw.ei_index(ds, "nonexistent").groups.empty


def test_sampled_betweenness_is_flagged_and_close() -> None:
    ds, _g = random_ds(60, 0.08, 9)
    exact = nw.person_measures(ds)["betweenness"]
    est = nw.person_measures(ds, betweenness_samples=40)
    assert est.attrs["betweenness_estimated"] is True
    # an unbiased estimate: the total is close, the ranking broadly kept
    assert est["betweenness"].sum() == pytest.approx(exact.sum(), rel=0.25)
    assert np.corrcoef(est["betweenness"], exact)[0, 1] > 0.8


def test_sampled_harmonic_closeness_is_close() -> None:
    ds, _g = random_ds(80, 0.06, 11)
    graph = nw.build_graph(ds)
    exact = nw.harmonic_closeness(graph)
    est = nw.harmonic_closeness(graph, samples=79)  # every other person but one: nearly exact
    assert np.abs(est - exact).max() < 0.05
    est40 = nw.harmonic_closeness(graph, samples=40)
    assert est40.mean() == pytest.approx(exact.mean(), rel=0.15)
    assert np.corrcoef(est40, exact)[0, 1] > 0.8


def test_every_column_has_a_definition() -> None:
    from lib.report import definitions

    pm = nw.person_measures(make_ds(["a", "b"], [("a", "b")]))
    assert list(pm.columns) == list(nw.PERSON_COLUMNS)
    for col in pm.columns:
        text = definitions.text(col)
        assert "Source" in text and "Variant" in text, col
    fields = set(nw.NetworkSummary.__dataclass_fields__) - {"relations"}
    assert fields == set(definitions.summary_texts())
    assert all(definitions.summary_texts().values())


def test_analysis_json_is_strict_json() -> None:
    import json

    ds = make_ds({"a": "X", "b": "Y", "c": "Y"}, [("a", "b")])
    out = nw.analysis_json(ds)
    text = json.dumps({**out, "people": list(out["people"])}, allow_nan=False)
    data = json.loads(text)
    assert data["relations"]["advice"]["reciprocity_dyad"] == 0.0
    assert data["relations"]["all"]["ei_index"]["department"] == 1.0
    assert data["people"][2]["constraint"] is None  # c has no ties: NaN → null


@pytest.mark.parametrize("people", [40, 400])
def test_reciprocity_and_gini_are_the_summarys_values(people: int) -> None:
    from lib.intake.sample import generate

    ds = generate(people=people, seed=people)
    for relations in (["advice"], None):
        for wave in (None, ds.waves[0]):
            summary = nw.network_measures(ds, relations, ds.tie_wave(wave))
            reciprocity, gini = nw.reciprocity_and_gini(ds, relations, ds.tie_wave(wave))
            assert reciprocity == pytest.approx(summary.reciprocity_arc) and 0 < reciprocity < 1
            assert gini == pytest.approx(summary.gini_in_degree) and 0 < gini < 1


# --- sampled betweenness and its error ----------------------------------------------------------


@pytest.mark.parametrize(("seed", "n", "p"), [(5, 600, 0.01), (6, 800, 0.005), (7, 400, 0.02)])
@pytest.mark.parametrize("samples", [128, 256])
def test_sampled_betweenness_states_an_error_that_covers_the_true_deviation(
    seed: int, n: int, p: float, samples: int
) -> None:
    """Exact betweenness is cheap here, so the estimate's deviation is known: for the ten highest,
    the stated 95% range (± t(7) standard errors from 8 batches) holds the exact value for at
    least 9 of 10, and their largest relative deviation stays within the stated largest
    relative error × t."""
    ds, _ = random_ds(n, p, seed)
    graph = nw.build_graph(ds)
    exact = nw.betweenness_estimate(graph)
    assert not exact.estimated and (exact.se == 0).all() and exact.note() == ""
    est = nw.betweenness_estimate(graph, samples)
    assert est.estimated and est.samples == samples and est.batches == nw.BETWEENNESS_BATCHES
    top = np.argsort(-est.values, kind="stable")[:10]
    deviation = np.abs(est.values[top] - exact.values[top])
    assert (deviation <= est.multiplier * est.se[top]).sum() >= 9
    assert (deviation / est.values[top]).max() <= est.multiplier * est.top_relative_se()[1]
    assert np.allclose(est.values, nw.betweenness(graph, samples)[0])  # the same estimate as before


def test_the_error_is_in_person_measures_and_analyze_json() -> None:
    ds, _ = random_ds(400, 0.02, 7)
    pm = nw.person_measures(ds, betweenness_samples=128)
    median, largest = pm.attrs["betweenness_top_relative_se"]
    assert 0 < median <= largest
    assert f"typically {median:.0%} of the value (at most {largest:.0%})" in pm.attrs["betweenness_note"]
    advice = nw.analysis_json(ds)["relations"]["advice"]
    assert advice["betweenness_top10_relative_se"] == [0.0, 0.0]  # 400 people: exact


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_distance_sums_are_igraphs_distances(seed: int) -> None:
    """The sampled average distance's sums (all sources at once, one bit each) equal igraph's
    hop distances from each source: the sum and the number of reachable others, on a sparse
    random network with unreachable people and more than 64 sources (two words of bits)."""
    import igraph as ig

    rng = np.random.default_rng(seed)
    n, m = 300, 420
    edges = {(int(a), int(b)) for a, b in rng.integers(0, n, (m, 2)) if a != b}
    g = ig.Graph(n=n, edges=sorted(edges), directed=True)
    graph = nw.Graph(g=g, ids=[f"p{i}" for i in range(n)], relations=("advice",))
    sources = np.sort(rng.choice(n, size=100, replace=False))
    d = np.asarray(g.distances(source=sources.tolist(), mode="out"), dtype=float)
    ok = np.isfinite(d) & (d > 0)
    assert nw._distance_sums(graph, sources) == (int(d[ok].sum()), int(ok.sum()))
    assert 0 < ok.sum() < len(sources) * (n - 1)  # some pairs unreachable


@pytest.mark.parametrize("relations", [None, ("advice",), ("advice", "trust")])
def test_in_degrees_alone_are_the_person_measures_column(relations: tuple[str, ...] | None) -> None:
    # position_changes reads only in-degrees: computed alone, they are person_measures' column,
    # person for person, in each tie wave (non-respondents included: being named needs no answer)
    from lib.intake.sample import generate

    ds = generate(people=150, seed=4)
    for wave in ds.waves:
        full = nw.person_measures(ds, relations, ds.tie_wave(wave), group_attr=None)["in_degree"]
        alone = nw.in_degrees(ds, relations, ds.tie_wave(wave))
        pd.testing.assert_series_equal(alone, full)
        assert alone.max() > 0


def test_edge_pairs_give_the_same_graph_as_pairs_and_as_an_array(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below ``PAIRS_UP_TO`` arcs igraph gets pairs of Python ints, above it the two-column array:
    the same arcs in the same order either way."""
    rng = np.random.default_rng(5)
    s, t = rng.integers(0, 50, 300), rng.integers(0, 50, 300)
    as_pairs = igraph.Graph(n=50, edges=nw.edge_pairs(s, t), directed=True).get_edgelist()
    monkeypatch.setattr(nw, "PAIRS_UP_TO", 10)
    assert isinstance(nw.edge_pairs(s, t), np.ndarray)
    as_array = igraph.Graph(n=50, edges=nw.edge_pairs(s, t), directed=True).get_edgelist()
    assert as_pairs == as_array == list(zip(s.tolist(), t.tolist(), strict=True))
