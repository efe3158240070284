"""Published values for Krackhardt's high-tech managers (tests/data/krackhardt_hightech/REFERENCE.md).

Every number below is copied from REFERENCE.md (UCINET / igraph printouts), not from our code.
UCINET prints single precision, so the tolerance is 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from lib.analysis import network as nw
from lib.core.dataset import Dataset
from lib.intake import loader

DATA = Path(__file__).resolve().parent / "data" / "krackhardt_hightech"
TOL = 1e-6

# measure → (advice, friendship, reports_to), from REFERENCE.md
REFERENCE: dict[str, tuple[float, float, float]] = {
    "ties": (190, 102, 20),
    "density": (0.45238095, 0.24285714, 0.04761905),
    "mutual": (45, 23, 0),
    "asymmetric": (100, 56, 20),
    "null": (65, 131, 190),
    "reciprocity_arc": (0.47368421, 0.45098039, 0),
    "reciprocity_dyad": (0.31034483, 0.29113924, 0),
    "transitivity": (0.73450882, 0.47149461, 0),
    "closure": (0.66397849, 0.46105263, 0),
    "centralization_out": (0.575, 0.69, 0.0025),
    "centralization_in": (0.47, 0.27, 0.3175),
    "centralization_degree": (0.34210526, 0.57894737, 0.33684211),
    "components_strong": (1, 3, 21),
    "largest_strong": (21, 19, 1),
    "connectedness": (1, 0.9047619, 0.0857143),
}
RELATIONS = ("advice", "friendship", "reports_to")
CASES = [
    (rel, measure, values[i]) for measure, values in REFERENCE.items() for i, rel in enumerate(RELATIONS)
]

# REFERENCE.md "highest in-degree": relation → {person: in-degree}
TOP_IN_DEGREE = {
    "advice": {"2": 18, "18": 15, "21": 15},
    "friendship": {"2": 10, "1": 8, "12": 8},
    "reports_to": {"14": 7, "7": 4, "21": 4},
}


def _from_csv() -> Dataset:
    """The dataset built with plain pandas (independent of the loader)."""
    people = pd.read_csv(DATA / "people.csv", dtype=str).rename(columns={"id": "person_id"})
    ties = pd.read_csv(DATA / "ties.csv", dtype=str).rename(
        columns={"source": "source_id", "target": "target_id"}
    )
    ties["weight"] = 1.0
    ties["wave"] = ""
    return Dataset(people=people, ties=ties)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return _from_csv()


@pytest.fixture(scope="module")
def summaries(ds: Dataset) -> dict[str, nw.NetworkSummary]:
    out = {rel: nw.network_measures(ds, [rel], team_attr="department") for rel in RELATIONS}
    out["all"] = nw.network_measures(ds, None, team_attr="department")
    return out


def test_loader_reads_the_folder_like_the_fixture() -> None:
    """The normal loader gives the same network."""
    loaded = loader.load_path(DATA)
    assert len(loaded.people) == 21
    assert set(loaded.relations) == set(RELATIONS)
    for rel in RELATIONS:
        s = nw.network_measures(loaded, [rel])
        i = RELATIONS.index(rel)
        assert s.ties == REFERENCE["ties"][i]
        assert s.density == pytest.approx(REFERENCE["density"][i], abs=TOL)
        assert s.closure == pytest.approx(REFERENCE["closure"][i], abs=TOL)
        assert s.connectedness == pytest.approx(REFERENCE["connectedness"][i], abs=TOL)


@pytest.mark.parametrize(("relation", "measure", "expected"), CASES, ids=[f"{r}-{m}" for r, m, _ in CASES])
def test_published_whole_network_values(
    summaries: dict[str, nw.NetworkSummary], relation: str, measure: str, expected: float
) -> None:
    assert getattr(summaries[relation], measure) == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("ties", 232),
        ("density", 0.55238095),
        ("reciprocity_arc", 0.62931034),
        ("transitivity", 0.78635779),
        ("undirected_edges", 159),
    ],
)
def test_published_union_values(
    summaries: dict[str, nw.NetworkSummary], measure: str, expected: float
) -> None:
    assert getattr(summaries["all"], measure) == pytest.approx(expected, abs=TOL)


def test_friendship_has_one_weak_component(summaries: dict[str, nw.NetworkSummary]) -> None:
    assert summaries["friendship"].components_weak == 1
    assert summaries["friendship"].components_strong == 3


@pytest.mark.parametrize("relation", RELATIONS)
def test_highest_in_degree(ds: Dataset, relation: str) -> None:
    pm = nw.person_measures(ds, [relation])
    for person, value in TOP_IN_DEGREE[relation].items():
        assert pm.loc[person, "in_degree"] == value
    assert pm["in_degree"].max() == max(TOP_IN_DEGREE[relation].values())


@pytest.mark.parametrize("relation", [*RELATIONS, None])
def test_extra_measures_match_networkx(ds: Dataset, relation: str | None) -> None:
    """Measures REFERENCE.md does not print, checked against networkx on the same data."""
    ties = ds.ties if relation is None else ds.ties[ds.ties["relation"] == relation]
    g = nx.DiGraph()
    g.add_nodes_from(ds.people["person_id"])
    g.add_edges_from(zip(ties["source_id"], ties["target_id"], strict=True))
    s = nw.network_measures(ds, None if relation is None else [relation])
    assert s.ties == g.number_of_edges()
    assert s.reciprocity_arc == pytest.approx(nx.overall_reciprocity(g), abs=TOL)
    assert s.transitivity == pytest.approx(nx.transitivity(g.to_undirected()), abs=TOL)
    reach = sum(len(nx.descendants(g, v)) for v in g)
    assert s.connectedness == pytest.approx(reach / (21 * 20), abs=TOL)
    lengths = [d for v in g for u, d in nx.single_source_shortest_path_length(g, v).items() if u != v]
    assert s.average_distance == pytest.approx(sum(lengths) / len(lengths), abs=TOL)


def test_analysis_json_carries_the_published_values(ds: Dataset) -> None:
    out = nw.analysis_json(ds)
    advice = out["relations"]["advice"]
    assert advice["dyad_census"] == {"mutual": 45, "asymmetric": 100, "null": 65}
    assert advice["centralization"]["out"] == pytest.approx(0.575, abs=TOL)
    assert advice["top_in_degree"][0] == ["2", 18.0]
    assert out["relations"]["all"]["ties"] == 232
    people = list(out["people"])
    assert len(people) == 21
    assert {"person_id", "pagerank", "advice.in_degree", "brokerage_liaison"} <= set(people[0])
    assert "people" not in nw.analysis_json(ds, people=False)
