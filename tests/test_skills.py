"""Skill gaps, coverage, subject-matter networks, who-to-ask and skill clusters.

The hand-built organisation ``org()`` is small enough to work out every answer on paper; the
expected values below are written from that reasoning, not from running the code.

People (team, role) and current levels (holder level 3):

    p1 A Analyst  SQL 4, Stats 1          p4 A Engineer Python 5, SQL 3
    p2 A Analyst  SQL 2 (self) + 4 (mgr)  p5 A Engineer Python 2
    p3 A Analyst  SQL 1, Stats 2          p8 B Engineer Python 3, SQL 1
    p6 B Analyst  SQL 0, Stats 3          p9 B Engineer Python 4, SQL 2, COBOL 4
    p7 B Analyst  (no ratings)            p10 B Engineer (no ratings)

Requirements: Analyst SQL 3, Stats 2; Engineer Python 4, SQL 2, Design 0.

Advice/collaboration network (direction ignored):
    p6-p7, p7-p2, p1-p2, p3-p1, p3-p2, p5-p4, p7-p4, p8-p10, p10-p5    (p9 isolated)
Advice ties (load): p3→p1, p3→p2, p5→p4, p7→p4. Topic tie: p6→p9 "cobol" (information).
"""

from __future__ import annotations

import math
from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lib.analysis import skills, smn
from lib.core.dataset import Dataset

W = "2026-Q2"


def rating(pid: str, skill: str, level: float, source: str = "self", wave: str = W) -> dict[str, object]:
    return {"person_id": pid, "skill": skill, "level": float(level), "source": source, "wave": wave}


def tie(s: str, t: str, relation: str, topic: str = "", wave: str = "") -> dict[str, object]:
    return {
        "source_id": s,
        "target_id": t,
        "relation": relation,
        "weight": 1.0,
        "learning_type": "",
        "mode": "",
        "topic": topic,
        "wave": wave,
    }


def people(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": [r[0] for r in rows],
            "name": [f"Name {r[0]}" for r in rows],
            "team": [r[1] for r in rows],
            "role": [r[2] for r in rows],
        }
    )


def org() -> Dataset:
    ppl = people(
        [
            ("p1", "A", "Analyst"),
            ("p2", "A", "Analyst"),
            ("p3", "A", "Analyst"),
            ("p4", "A", "Engineer"),
            ("p5", "A", "Engineer"),
            ("p6", "B", "Analyst"),
            ("p7", "B", "Analyst"),
            ("p8", "B", "Engineer"),
            ("p9", "B", "Engineer"),
            ("p10", "B", "Engineer"),
        ]
    )
    sk = pd.DataFrame(
        [
            rating("p1", "SQL", 4),
            rating("p1", "Stats", 1),
            rating("p2", "SQL", 2, "self"),
            rating("p2", "sql", 4, "manager"),
            rating("p3", "SQL", 1),
            rating("p3", "Stats", 2),
            rating("p6", "SQL", 0),
            rating("p6", "Stats", 3),
            rating("p4", "Python", 5),
            rating("p4", "SQL", 3),
            rating("p5", "Python", 2),
            rating("p8", "Python", 3),
            rating("p8", "SQL", 1),
            rating("p9", "Python", 4),
            rating("p9", "SQL", 2),
            rating("p9", "COBOL", 4),
            # an older wave that must not count in the latest one
            rating("p7", "SQL", 5, wave="2026-Q1"),
            rating("p10", "Python", 5, wave="2026-Q1"),
        ]
    )
    rs = pd.DataFrame(
        {
            "role": ["Analyst", "Analyst", "Engineer", "Engineer", "Engineer"],
            "skill": ["SQL", "Stats", "Python", "SQL", "Design"],
            "required_level": [3.0, 2.0, 4.0, 2.0, 0.0],
        }
    )
    ties = pd.DataFrame(
        [
            tie("p6", "p7", "collaboration"),
            tie("p7", "p2", "collaboration"),
            tie("p1", "p2", "collaboration"),
            tie("p3", "p1", "advice", wave=W),
            tie("p3", "p2", "advice"),
            tie("p5", "p4", "advice"),
            tie("p7", "p4", "advice"),
            tie("p8", "p10", "collaboration"),
            tie("p10", "p5", "collaboration"),
            tie("p6", "p9", "information", topic="cobol"),
            tie("p9", "p8", "advice", wave="2025-Q4"),  # an older ties wave: ignored (2026-Q2 exists)
            tie("p9", "p10", "energy"),  # not advice/collaboration: ignored for distance
        ]
    )
    return Dataset(people=ppl, ties=ties, skills=sk, role_skills=rs)


def empty() -> Dataset:
    return Dataset(
        people=pd.DataFrame(
            {"person_id": pd.Series(dtype=str), "team": pd.Series(dtype=str), "role": pd.Series(dtype=str)}
        )
    )


# --- levels and gaps ---------------------------------------------------------------------------


def test_current_levels_one_source_in_the_stated_order_latest_wave_and_undated() -> None:
    """Self and others' ratings are never averaged: manager, else peer, else self."""
    ds = Dataset(
        people=people([("a", "T", "R"), ("b", "T", "R")]),
        skills=pd.DataFrame(
            [
                rating("a", "SQL", 2, "self"),
                rating("a", "SQL", 4, "peer"),
                rating("a", "SQL", 5, "manager", wave=""),
                rating("a", "SQL", 0, "self", wave="2026-Q1"),
                rating("b", "SQL", 1, wave="2026-Q1"),
                rating("ghost", "SQL", 5),  # not in the people sheet
            ]
        ),
    )
    latest = skills.current_levels(ds).set_index("person_id")
    assert list(latest.index) == ["a"]
    # a has self 2, peer 4 and (undated) manager 5: the manager's rating, alone
    assert latest.at["a", "level"] == 5.0
    assert latest.at["a", "ratings"] == 1 and latest.at["a", "source"] == "manager"
    q1 = skills.current_levels(ds, "2026-Q1").set_index("person_id")
    assert q1.at["a", "level"] == 5.0  # self 0 in Q1 and the undated manager 5: the manager's
    assert q1.at["b", "level"] == 1.0 and q1.at["b", "source"] == "self"


def test_current_levels_peer_before_self_and_several_of_one_source_averaged() -> None:
    ds = Dataset(
        people=people([("a", "T", "R")]),
        skills=pd.DataFrame(
            [rating("a", "SQL", 5, "self"), rating("a", "SQL", 2, "peer"), rating("a", "SQL", 3, "peer")]
        ),
    )
    row = skills.current_levels(ds).iloc[0]
    assert row["level"] == pytest.approx(2.5) and row["ratings"] == 2 and row["source"] == "peer"


def test_person_gaps_by_hand() -> None:
    gaps = skills.person_gaps(org())
    assert list(gaps.columns) == [
        "person_id",
        "team",
        "role",
        "skill",
        "required_level",
        "level",
        "gap",
        "status",
    ]
    got = {(r.person_id, r.skill): (r.level, r.gap, r.status) for r in gaps.itertuples()}
    nan = float("nan")
    expected = {
        ("p1", "SQL"): (4, 0, "met"),
        ("p1", "Stats"): (1, 1, "gap"),
        ("p2", "SQL"): (4, 0, "met"),  # self 2, manager 4: the manager's rating (SOURCE_ORDER)
        ("p2", "Stats"): (nan, nan, "unknown"),
        ("p3", "SQL"): (1, 2, "gap"),
        ("p3", "Stats"): (2, 0, "met"),
        ("p6", "SQL"): (0, 3, "gap"),
        ("p6", "Stats"): (3, 0, "met"),
        ("p7", "SQL"): (nan, nan, "unknown"),
        ("p7", "Stats"): (nan, nan, "unknown"),
        ("p4", "Python"): (5, 0, "met"),
        ("p4", "SQL"): (3, 0, "met"),
        ("p4", "Design"): (nan, 0, "met"),
        ("p5", "Python"): (2, 2, "gap"),
        ("p5", "SQL"): (nan, nan, "unknown"),
        ("p8", "Python"): (3, 1, "gap"),
        ("p8", "SQL"): (1, 1, "gap"),
        ("p9", "Python"): (4, 0, "met"),
        ("p9", "SQL"): (2, 0, "met"),
        ("p10", "Python"): (nan, nan, "unknown"),
        ("p10", "SQL"): (nan, nan, "unknown"),
    }
    for pid in ("p5", "p8", "p9", "p10"):
        expected[(pid, "Design")] = (got[(pid, "Design")][0], 0, "met")
    assert set(got) == set(expected)
    for key, (level, gap, status) in expected.items():
        g_level, g_gap, g_status = got[key]
        assert g_status == status, key
        assert (math.isnan(g_gap) and math.isnan(gap)) or g_gap == gap, key
        assert (math.isnan(g_level) and math.isnan(level)) or g_level == level, key
    # people-sheet order is kept
    assert gaps["person_id"].drop_duplicates().tolist() == [
        "p1",
        "p2",
        "p3",
        "p4",
        "p5",
        "p6",
        "p7",
        "p8",
        "p9",
        "p10",
    ]


def test_person_gaps_unknown_is_not_zero_and_roles_match_loosely() -> None:
    ds = Dataset(
        people=people([("a", "T", " data  analyst"), ("b", "T", "Other"), ("c", "T", "")]),
        skills=pd.DataFrame([rating("b", "SQL", 0)]),
        role_skills=pd.DataFrame({"role": ["Data Analyst"], "skill": ["SQL"], "required_level": [3.0]}),
    )
    gaps = skills.person_gaps(ds)
    assert gaps["person_id"].tolist() == ["a"]
    assert gaps.loc[0, "status"] == "unknown" and math.isnan(gaps.loc[0, "gap"])
    assert skills.gap_table(ds).loc[0, "total_gap"] == 0 and skills.gap_table(ds).loc[0, "unknown"] == 1


@pytest.mark.parametrize(
    ("gap", "band"),
    [
        (0.0, "met"),
        (0.5, "minor"),
        (1.0, "minor"),
        (1.01, "moderate"),
        (2.0, "moderate"),
        (2.5, "severe"),
        (5.0, "severe"),
        (float("nan"), "unknown"),
    ],
)
def test_severity_bands(gap: float, band: str) -> None:
    assert skills.severity(gap) == band


def test_gap_table_by_skill_by_hand() -> None:
    table = skills.gap_table(org()).set_index("skill")
    sql = table.loc["SQL"]
    assert (sql["people"], sql["assessed"], sql["with_gap"], sql["unknown"]) == (10, 7, 3, 3)
    assert sql["total_gap"] == 6 and sql["mean_gap"] == pytest.approx(6 / 7)
    assert sql["share_affected"] == pytest.approx(3 / 10)
    assert (sql["minor"], sql["moderate"], sql["severe"]) == (1, 1, 1)
    py = table.loc["Python"]
    assert (py["people"], py["with_gap"], py["total_gap"]) == (5, 2, 3)
    assert py["mean_gap"] == pytest.approx(3 / 4)
    assert table.loc["Stats", "total_gap"] == 1
    assert table.index.tolist()[:3] == ["SQL", "Python", "Stats"]  # biggest total first


def test_gap_table_by_team_and_role() -> None:
    by_team = skills.gap_table(org(), by=("team", "skill")).set_index(["team", "skill"])
    # team A: SQL gaps p3 (2); team B: p6 (3) + p8 (1)
    assert by_team.loc[("A", "SQL"), "total_gap"] == 2
    assert by_team.loc[("B", "SQL"), "total_gap"] == 4
    assert by_team.loc[("B", "SQL"), "with_gap"] == 2
    by_role = skills.gap_table(org(), by=("role",)).set_index("role")
    assert by_role.loc["Analyst", "total_gap"] == 1 + 2 + 3  # p1 Stats, p3 SQL, p6 SQL
    assert by_role.loc["Engineer", "total_gap"] == 2 + 1 + 1  # p5 Python, p8 Python, p8 SQL
    with pytest.raises(ValueError, match="group gaps by"):
        skills.gap_table(org(), by=("location",))


def test_top_gaps_by_total_and_share() -> None:
    assert skills.top_gaps(org())["skill"].tolist() == ["SQL", "Python", "Stats"]
    # shares: Python 2/5, SQL 3/10, Stats 1/5
    assert skills.top_gaps(org(), rank_by="share")["skill"].tolist() == ["Python", "SQL", "Stats"]
    assert skills.top_gaps_json(org()) == [["SQL", 6.0], ["Python", 3.0], ["Stats", 1.0]]


# --- coverage ------------------------------------------------------------------------------


def test_coverage_by_hand() -> None:
    cov = skills.coverage(org()).set_index("skill")
    assert cov.loc[
        "SQL", ["rated", "at_least_1", "at_least_2", "at_least_3", "at_least_4", "at_least_5"]
    ].tolist() == [7, 6, 4, 3, 2, 0]  # p2's SQL is the manager's 4, not the mean with self
    assert cov.loc["SQL", "flag"] == "covered" and cov.loc["SQL", "required_by"] == 10
    assert cov.loc["Python", "holders"] == 3 and cov.loc["Python", "teachers"] == 2
    assert cov.loc["Stats", "holders"] == 1 and cov.loc["Stats", "flag"] == "single"
    assert cov.loc["COBOL", "flag"] == "single" and cov.loc["COBOL", "required_by"] == 0
    assert cov.loc["Design", "holders"] == 0 and cov.loc["Design", "flag"] == "nobody"
    assert cov.loc["Design", "required_by"] == 0  # required at level 0 only
    # raising the holder level to 4 leaves SQL with two holders (p1, and p2 by the manager's rating)
    assert skills.coverage(org(), holder_level=4).set_index("skill").loc["SQL", "flag"] == "thin"
    # and to 5 with none
    assert skills.coverage(org(), holder_level=5).set_index("skill").loc["SQL", "flag"] == "nobody"
    assert skills.coverage(org()).iloc[0]["skill"] == "Design"  # fewest holders first


def test_coverage_change_between_waves() -> None:
    ds = Dataset(
        people=people([("a", "T", "R"), ("b", "T", "R"), ("c", "T", "R")]),
        skills=pd.DataFrame(
            [
                rating("a", "SQL", 4, wave="W1"),
                rating("b", "SQL", 3, wave="W1"),
                rating("c", "Go", 1, wave="W1"),
                rating("a", "SQL", 4, wave="W2"),
                rating("b", "SQL", 2, wave="W2"),
                rating("c", "Go", 3, wave="W2"),
                rating("b", "Go", 4, wave="W2"),
            ]
        ),
    )
    ch = skills.coverage_change(ds).set_index("skill")
    assert ch.loc["SQL"].tolist() == [2, 1, -1, "thin", "single"]
    assert ch.loc["Go"].tolist() == [0, 2, 2, "nobody", "thin"]
    assert skills.coverage_change(org()).empty or set(skills.coverage_change(org()).columns) >= {"change"}


# --- subject-matter networks ----------------------------------------------------------------


def test_subject_matter_networks_by_hand() -> None:
    net = smn.subject_matter_networks(org()).set_index("skill")
    sql = net.loc["SQL"]  # holders p1, p2, p4: p1-p2 tied, p4 alone
    assert (sql["holders"], sql["holder_groups"], sql["isolated_holders"]) == (3, 2, 1)
    assert sql["connected_share"] == pytest.approx(2 / 3)
    assert sql["verdict"] == "partly connected"
    # seekers: p3 (to p1 and p2), p5 (to p4), p7 (to p4); p3 goes to two holders
    assert sql["advice_seekers"] == 3 and sql["seekers"] == 3
    assert sql["redundancy"] == pytest.approx(1 / 3)
    # gaps p3 (1 step from p1), p6 (2 steps: p6-p7-p2), p8 (3 steps: p8-p10-p5-p4)
    assert sql["people_with_gap"] == 3 and sql["reach_within_2"] == pytest.approx(2 / 3)
    py = net.loc["Python"]  # holders p4, p8, p9, no tie between them
    assert py["verdict"] == "isolated experts" and py["holder_groups"] == 3
    # gaps p5 (next to p4) and p8, a holder himself at level 3 of 4: the next holder is 3 steps away
    assert py["reach_within_2"] == pytest.approx(1 / 2)
    assert py["redundancy"] == 0
    assert net.loc["Stats", "reach_within_2"] == 0  # p1 is 3 steps from p6
    assert net.loc["Stats", "verdict"] == "single expert"
    cobol = net.loc["COBOL"]
    assert math.isnan(cobol["reach_within_2"]) and cobol["people_with_gap"] == 0
    assert (cobol["topic_ties"], cobol["topic_seekers"], cobol["seekers"], cobol["advice_seekers"]) == (
        1,
        1,
        1,
        0,
    )
    assert net.loc["Design", "verdict"] == "no holder" and math.isnan(net.loc["Design", "connected_share"])


def test_reach_agrees_with_networkx_on_random_graphs() -> None:
    rng = np.random.default_rng(3)
    for trial in range(5):
        n = 30
        ids = [f"q{i}" for i in range(n)]
        edges = [(a, b) for a, b in combinations(range(n), 2) if rng.random() < 0.07]
        levels = rng.integers(0, 6, size=n)
        ds = Dataset(
            people=people([(p, "T", "R") for p in ids]),
            ties=pd.DataFrame(
                [tie(ids[a], ids[b], "advice" if (a + b) % 2 else "collaboration") for a, b in edges]
            ),
            skills=pd.DataFrame([rating(ids[i], "X", float(levels[i])) for i in range(n)]),
            role_skills=pd.DataFrame({"role": ["R"], "skill": ["X"], "required_level": [4.0]}),
        )
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(edges)
        holder = {i for i in range(n) if levels[i] >= 3}
        gap = [i for i in range(n) if levels[i] < 4]
        near = [
            any(h != i for h in nx.single_source_shortest_path_length(g, i, cutoff=2) if h in holder)
            for i in gap
        ]
        got = smn.subject_matter_networks(ds).set_index("skill").loc["X"]
        assert got["reach_within_2"] == pytest.approx(sum(near) / len(gap)), trial
        sub = g.subgraph(holder)
        assert got["holder_groups"] == nx.number_connected_components(sub), trial


def test_skill_network_nodes_and_edges() -> None:
    sn = smn.skill_network(org(), "sql")
    kinds = dict(zip(sn.nodes["person_id"], sn.nodes["kind"], strict=True))
    assert kinds == {
        "p1": "holder",
        "p2": "holder",
        "p4": "holder",
        "p3": "seeker",
        "p5": "seeker",
        "p7": "seeker",
        "p6": "gap",
        "p8": "gap",
    }
    pairs = set(zip(sn.edges["source_id"], sn.edges["target_id"], strict=True))
    assert ("p3", "p1") in pairs and ("p6", "p7") in pairs
    assert ("p8", "p10") not in pairs  # p10 is not in this skill's network


# --- who to ask -----------------------------------------------------------------------------


def test_who_to_ask_orders_by_distance_then_load() -> None:
    table = smn.who_to_ask(org(), "p6", "SQL")
    # p2 and p4 are both 2 steps away at level 3; p2 has 1 advice seeker, p4 has 2; p1 is 3 steps away
    assert table["person_id"].tolist() == ["p2", "p4", "p1"]
    assert table["distance"].tolist() == [2, 2, 3]
    assert table["load"].tolist() == [1, 2, 1]
    assert table["rank"].tolist() == [1, 2, 3]


def test_who_to_ask_unreachable_last_and_never_self() -> None:
    table = smn.who_to_ask(org(), "p8", "Python")
    assert table["person_id"].tolist() == ["p4", "p9"]
    assert table.loc[0, "distance"] == 3 and math.isnan(table.loc[1, "distance"])
    assert smn.who_to_ask(org(), "nobody", "Python").empty
    assert smn.who_to_ask(org(), "p1", "Design").empty


def star(loads: dict[str, int], levels: dict[str, float]) -> Dataset:
    """Novices n1..n3 (gaps 3, 2, 1 in X) all one step from every holder; loads via advice ties from others."""
    holders = list(levels)
    extra = [f"x{i}" for i in range(sum(loads.values()))]
    ppl = people(
        [
            *((n, "N", "Novice") for n in ("n1", "n2", "n3")),
            *((h, "H", "Expert") for h in holders),
            *((x, "X", "Other") for x in extra),
        ]
    )
    ties = [tie(n, h, "collaboration") for n in ("n1", "n2", "n3") for h in holders]
    it = iter(extra)
    for h, k in loads.items():
        ties += [tie(next(it), h, "advice") for _ in range(k)]
    sk = [rating("n1", "X", 1), rating("n2", "X", 2), rating("n3", "X", 3)]
    sk += [rating(h, "X", lv) for h, lv in levels.items()]
    rs = pd.DataFrame({"role": ["Novice"], "skill": ["X"], "required_level": [4.0]})
    return Dataset(people=ppl, ties=pd.DataFrame(ties), skills=pd.DataFrame(sk), role_skills=rs)


def test_who_to_ask_prefers_teachers_then_less_loaded() -> None:
    ds = star({"h1": 3, "h2": 1, "h3": 0}, {"h1": 5.0, "h2": 4.0, "h3": 3.0})
    # h1-h3 one step away; h1 and h2 can teach (≥ 4), h2 less loaded; h3 cannot teach;
    # n3 (level 3, a holder short of the required 4) is two steps away, through any expert
    table = smn.who_to_ask(ds, "n1", "X")
    assert table["person_id"].tolist() == ["h2", "h1", "h3", "n3"]
    assert table["distance"].tolist() == [1, 1, 1, 2]


@pytest.mark.parametrize(
    ("cap", "expected"),
    [
        (3, ["h1", "h1", "h2"]),  # h1 starts less loaded (0 vs 1); ties at load 1 go to the lower id
        (1, ["h1", "h2", ""]),  # nobody left for n3
    ],
)
def test_introductions_spread_the_load_with_a_cap(cap: int, expected: list[str]) -> None:
    ds = star({"h1": 0, "h2": 1}, {"h1": 4.0, "h2": 4.0})
    intro = smn.introductions(ds, team="N", cap=cap)
    assert intro["person_id"].tolist() == ["n1", "n2", "n3"]  # biggest gap first
    assert intro["ask_id"].tolist() == expected
    if cap == 1:
        assert "already has 1" in intro.loc[2, "note"]
    else:
        assert intro["ask_load"].tolist() == [0, 1, 1]


def test_introductions_no_holder_note_and_team_filter() -> None:
    intro = smn.introductions(org(), team="B")
    assert set(intro["team"]) == {"B"}
    assert set(zip(intro["person_id"], intro["skill"], strict=True)) == {
        ("p6", "SQL"),
        ("p8", "Python"),
        ("p8", "SQL"),
    }
    with pytest.raises(ValueError, match="cap"):
        smn.introductions(org(), cap=0)
    lone = Dataset(
        people=people([("a", "T", "R")]),
        skills=pd.DataFrame([rating("a", "X", 1)]),
        role_skills=pd.DataFrame({"role": ["R"], "skill": ["X"], "required_level": [3.0]}),
    )
    out = smn.introductions(lone)
    assert out.loc[0, "ask_id"] == "" and "nobody else holds" in out.loc[0, "note"]


# --- clusters -------------------------------------------------------------------------------


def profiles_ds(teams: list[str]) -> Dataset:
    ids = [f"c{i:02d}" for i in range(12)]
    sk = []
    for i, pid in enumerate(ids):
        a = i < 6
        jitter = (i * 7 % 5) / 10  # 0 … 0.4: every profile distinct, the two groups stay far apart
        sk += [
            rating(pid, "Python", 5 - jitter if a else jitter),
            rating(pid, "SQL", 4 if a else 1),
            rating(pid, "Design", jitter if a else 5 - jitter),
            rating(pid, "Writing", 1 if a else 4),
        ]
    return Dataset(
        people=people([(p, t, "R") for p, t in zip(ids, teams, strict=True)]), skills=pd.DataFrame(sk)
    )


def test_clusters_find_two_profiles_matching_teams() -> None:
    result = skills.skill_clusters(profiles_ds(["A"] * 6 + ["B"] * 6), seed=1)
    assert result.k == 2
    assert result.ari_vs_team == pytest.approx(1.0)
    assert result.profiles["people"].tolist() == [6, 6]
    assert set(result.silhouette) == set(range(2, 9))
    assert result.silhouette[2] == max(result.silhouette.values())
    again = skills.skill_clusters(profiles_ds(["A"] * 6 + ["B"] * 6), seed=1)
    assert again.assignments.equals(result.assignments)


def test_clusters_across_teams_give_negative_ari() -> None:
    teams = ["A", "A", "A", "B", "B", "B", "A", "A", "A", "B", "B", "B"]
    result = skills.skill_clusters(profiles_ds(teams), seed=0)
    # contingency 3/3/3/3: index Σ C(n_ij,2) = 12, row and column sums 2·C(6,2) = 30, C(12,2) = 66
    expected_index = 30 * 30 / 66
    assert result.ari_vs_team == pytest.approx((12 - expected_index) / (30 - expected_index))


def test_clusters_edge_cases() -> None:
    one = Dataset(people=people([("a", "T", "R")]), skills=pd.DataFrame([rating("a", "X", 3)]))
    assert skills.skill_clusters(one).k == 0
    same = Dataset(
        people=people([(p, "T", "R") for p in "abcd"]),
        skills=pd.DataFrame([rating(p, "X", 3) for p in "abcd"]),
    )
    result = skills.skill_clusters(same)
    assert result.k == 0 and result.reason


# --- edge cases and the command line ---------------------------------------------------------


def test_empty_dataset_gives_empty_tables() -> None:
    ds = empty()
    assert skills.person_gaps(ds).empty and skills.gap_table(ds).empty and skills.top_gaps(ds).empty
    assert skills.coverage(ds).empty and skills.coverage_change(ds).empty
    assert smn.subject_matter_networks(ds).empty
    assert smn.introductions(ds).empty and smn.who_to_ask(ds, "a", "X").empty
    assert skills.skill_clusters(ds).k == 0
    assert smn.analysis_json(ds) == {} and skills.top_gaps_json(ds) == []


def test_no_ties_means_nobody_within_reach() -> None:
    ds = org()
    ds.ties = ds.ties.iloc[0:0]
    net = smn.subject_matter_networks(ds).set_index("skill")
    assert net.loc["SQL", "reach_within_2"] == 0 and net.loc["SQL", "verdict"] == "isolated experts"
    assert smn.who_to_ask(ds, "p6", "SQL")["distance"].isna().all()


def test_analysis_json_section() -> None:
    out = smn.analysis_json(org())
    assert out["SQL"] == {
        "holders": 3,
        "mean_gap": round(6 / 7, 4),
        "people_with_gap": 3,
        "reach_within_2": round(2 / 3, 4),
    }
    assert out["COBOL"] == {"holders": 1, "mean_gap": None, "people_with_gap": 0, "reach_within_2": None}
    assert list(out) == ["COBOL", "Design", "Python", "SQL", "Stats"]


def test_skill_map_draws_the_skill_network_without_leaking_ids() -> None:
    from lib.report.map_html import render_html

    ds = org()
    ds.people["name"] = [f"<b>Name {i}</b>" for i in range(1, 11)]
    m = smn.skill_map(ds, "SQL", labels="names")
    assert {n.label for n in m.nodes} == {f"<b>Name {i}</b>" for i in (1, 2, 3, 4, 5, 6, 7, 8)}
    assert len(m.nodes) == 8 and {n.category for n in m.nodes} == {"holder", "seeker", "gap"}
    assert sum(e.count for e in m.legend) == 8
    html = render_html(m)
    assert "<b>Name" not in html  # labels travel as JSON-escaped data, never as markup
    assert all(n.label.startswith("Person ") for n in smn.skill_map(ds, "SQL", labels="pseudonyms").nodes)
    anonymous = smn.skill_map(ds, "SQL")
    assert all(n.label == "" and "Name" not in n.title for n in anonymous.nodes)


def test_group_gap_cells_suppress_small_teams_per_skill() -> None:
    # 6 people in team Big, 2 in team Small, 5 in team Mid, all needing X
    rows = [(f"b{i}", "Big", "R") for i in range(6)] + [("s0", "Small", "R"), ("s1", "Small", "R")]
    rows += [(f"m{i}", "Mid", "R") for i in range(5)]
    ds = Dataset(
        people=people(rows),
        skills=pd.DataFrame([rating(p, "X", 1) for p, _, _ in rows]),
        role_skills=pd.DataFrame({"role": ["R"], "skill": ["X"], "required_level": [3.0]}),
    )
    cells = skills.group_gap_cells(ds, by="team", min_size=5).set_index("team")
    assert cells.loc["Small", "suppressed_reason"] == "small"
    # one small cell alone could be recovered from the organisation-wide total: Mid (5) goes too
    assert cells.loc["Mid", "suppressed_reason"] == "complementary"
    assert not cells.loc["Big", "suppressed"] and cells.loc["Big", "mean_gap"] == 2
    assert cells.loc[["Small", "Mid"], "mean_gap"].isna().all()
    # a hidden cell shows neither its value nor its size (the page says how many are hidden)
    assert cells.loc[["Small", "Mid"], "people"].isna().all() and cells.loc["Big", "people"] == 6


def test_cli_sections_are_registered_and_json_ready() -> None:
    import json

    from lib.app import cli

    ds = org()
    for section in ("skills", "top_gaps"):
        out = cli._resolve(cli.ANALYSIS_SECTIONS[section])(ds)
        json.dumps(out, allow_nan=False)  # NaN would be invalid JSON
    assert cli._resolve(cli.ANALYSIS_SECTIONS["top_gaps"])(ds)[0] == ["SQL", 6.0]


# --- the sample organisation's planted skills stories (lib/intake/sample.py, sample_data/README.md) ------


@pytest.fixture(scope="module")
def sample() -> Dataset:
    from lib.intake.sample import generate

    return generate(people=250, seed=7)


def test_sample_sole_holders_are_flagged(sample: Dataset) -> None:
    from lib.intake.sample_story import PLANTED

    cov = skills.coverage(sample).set_index("skill")
    id_of = dict(zip(sample.people["name"], sample.people["person_id"], strict=True))
    for name, skill in PLANTED.sole_holders:
        assert cov.loc[skill, "flag"] == "single", skill
        assert skills.holders(sample, skill)["person_id"].tolist() == [id_of[name]]
        assert smn.subject_matter_networks(sample).set_index("skill").loc[skill, "verdict"] == "single expert"


def test_sample_data_literacy_gap_is_biggest_and_closing(sample: Dataset) -> None:
    # Data literacy is required of everyone with the most negative level bias, and grows fastest
    first, last = skills.skill_waves(sample)[0], skills.skill_waves(sample)[-1]
    assert skills.top_gaps(sample, first)["skill"].iloc[0] == "Data literacy"
    before = skills.gap_table(sample, first).set_index("skill").loc["Data literacy", "total_gap"]
    after = skills.gap_table(sample, last).set_index("skill").loc["Data literacy", "total_gap"]
    assert after < before
    change = skills.coverage_change(sample, first, last).set_index("skill")
    assert change.loc["Data literacy", "change"] > 0


def test_sample_introductions_respect_the_cap(sample: Dataset) -> None:
    intro = smn.introductions(sample, cap=2)
    counts = intro.loc[intro["ask_id"] != "", "ask_id"].value_counts()
    assert counts.max() <= 2
    assert not (intro["ask_id"] == intro["person_id"]).any()


def test_shareable_networks_blank_shares_over_small_groups() -> None:
    net = smn.shareable_networks(org(), min_size=5).set_index("skill")
    # SQL: 3 people with a gap and 3 seekers, both under 5: both shares blank, counts kept
    assert math.isnan(net.loc["SQL", "reach_within_2"]) and math.isnan(net.loc["SQL", "redundancy"])
    assert net.loc["SQL", "people_with_gap"] == 3 and net.loc["SQL", "holders"] == 3
    assert "suppressed" not in net.columns


def test_duplicate_requirements_count_once_at_the_highest_level() -> None:
    ds = Dataset(
        people=people([("a", "T", "PM")]),
        skills=pd.DataFrame([rating("a", "X", 2)]),
        role_skills=pd.DataFrame(
            {"role": ["PM", "PM", "pm"], "skill": ["X", "X", "x"], "required_level": [2.0, 2.0, 3.0]}
        ),
    )
    gaps = skills.person_gaps(ds)
    assert len(gaps) == 1 and gaps.loc[0, "required_level"] == 3 and gaps.loc[0, "gap"] == 1


def test_clusters_on_noise_say_there_is_no_clear_structure() -> None:
    """40 people with independent uniform random levels on 6 skills: no k reaches a mean silhouette
    of 0.25, so no clusters are shown and the reason says why."""
    rng = np.random.default_rng(5)
    ids = [f"r{i:02d}" for i in range(40)]
    sk = [rating(p, s, float(rng.integers(0, 6))) for p in ids for s in ("A", "B", "C", "D", "E", "F")]
    ds = Dataset(people=people([(p, "T", "R") for p in ids]), skills=pd.DataFrame(sk))
    result = skills.skill_clusters(ds, seed=0)
    assert max(result.silhouette.values()) < skills.CLEAR_STRUCTURE
    assert result.k == 0 and result.reason.startswith("no clear structure")


def test_clusters_fill_unrated_cells_with_the_skill_mean_not_zero() -> None:
    """Two clear profiles, but half the people were never asked about Writing. With 0 for "not
    rated" they would split by who was asked; filled with Writing's mean they split by profile."""
    ds = profiles_ds(["A"] * 6 + ["B"] * 6)
    asked = ds.skills[
        ~(
            (ds.skills["skill"] == "Writing")
            & ds.skills["person_id"].isin(["c00", "c02", "c04", "c07", "c09", "c11"])
        )
    ]
    result = skills.skill_clusters(Dataset(people=ds.people, skills=asked.reset_index(drop=True)), seed=1)
    assert result.k >= 2
    assert (result.assignments.groupby("cluster")["team"].nunique() == 1).all()
    assert result.unrated_share == pytest.approx(6 / 48)
    assert "12% of person × skill cells had no rating" in result.note  # 12.5%, rounded half to even


# --- the integer-coded current levels against the plain version ------------------------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lib.core import waves  # noqa: E402
from lib.core.textsets import is_in  # noqa: E402


def _plain_name_keys(values: pd.Series) -> pd.Series:
    """name_keys as it was: a lookup per distinct value, mapped."""
    lookup = {v: skills.name_key(v) for v in pd.unique(values)}
    return values.map(lookup).fillna("").astype(str)


def _plain_current_levels(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """current_levels as it was before its rows were grouped by integer codes: grouped by the
    person and skill-key texts, then sorted by the text columns."""
    rows = waves.select(ds.skills, skills.resolve_wave(ds, wave))
    frame = pd.DataFrame(
        {
            "person_id": rows["person_id"].astype(str).to_numpy(),
            "key": rows["skill"].pipe(_plain_name_keys).to_numpy(),
            "level": pd.to_numeric(rows["level"], errors="coerce").to_numpy(dtype=float),
            "source": rows["source"].fillna("").astype(str).str.strip().str.lower().to_numpy(),
        }
    )
    known = ds.people["person_id"].astype(str)
    frame = frame[is_in(frame["person_id"], known) & (frame["key"] != "") & frame["level"].notna()]
    rank = {src: i for i, src in enumerate(skills.SOURCE_ORDER)}
    frame = frame.assign(rank=frame["source"].map(rank).fillna(len(skills.SOURCE_ORDER)))
    frame = frame[frame["rank"] == frame.groupby(["person_id", "key"])["rank"].transform("min")]
    out = frame.groupby(["person_id", "key"], as_index=False).agg(
        level=("level", "mean"), ratings=("level", "size"), source=("source", "first")
    )
    out["skill"] = out["key"].map(skills._skill_names(ds))
    out = out.sort_values(["person_id", "skill"], kind="stable").reset_index(drop=True)
    return out[["person_id", "skill", "level", "ratings", "source"]]


_names = st.sampled_from(
    ["SQL", "sql", " SQL ", "Data  literacy", "data literacy", "Python", "Ärger", "", None]
)
_rating = st.tuples(
    st.sampled_from(["p1", "p2", "p10", "P2", "stranger"]),
    _names,
    st.one_of(st.none(), st.sampled_from([0.0, 1.0, 2.5, 3.0, 5.0])),
    st.sampled_from(["self", "Manager ", "peer", "", "HR", "360", None]),
    st.sampled_from(["2026-Q1", "2026-Q2", ""]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_rating, max_size=40), st.sampled_from([None, "2026-Q1", "2026-Q2"]))
def test_current_levels_match_the_plain_version(rows: list[tuple[object, ...]], wave: str | None) -> None:
    sk = pd.DataFrame(rows, columns=["person_id", "skill", "level", "source", "wave"])
    sk = sk.astype({"person_id": "str", "skill": "str", "source": "str", "wave": "str", "level": float})
    rs = pd.DataFrame({"role": ["Analyst"], "skill": ["sql"], "required_level": [3.0]})
    ds = Dataset(people=people([("p1", "A", "Analyst"), ("p2", "A", "Analyst"), ("p10", "B", "X")]))
    ds.skills, ds.role_skills = sk, rs
    if not len(sk):
        return
    pd.testing.assert_frame_equal(
        skills.current_levels(ds, wave), _plain_current_levels(ds, wave), check_exact=True
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(_names, st.sampled_from([1, 1.0, float("nan")])), max_size=30),
    st.sampled_from([object, "str", "string"]),
)
@example(["SQL", None, 1, float("nan")], object)  # None and NaN: which matches which is pandas' rule
@example([None, float("nan")], object)
def test_name_keys_match_the_plain_version(values: list[object], dtype: object) -> None:
    if dtype is not object and any(not (v is None or isinstance(v, str)) for v in values):
        values = [v if v is None or isinstance(v, str) else None for v in values]
    series = pd.Series(values, dtype=dtype, index=np.arange(len(values)) * 2)
    try:
        plain = _plain_name_keys(series)
    except pd.errors.InvalidIndexError:  # None and NaN both: map's lookup has a repeated key
        with pytest.raises(pd.errors.InvalidIndexError):
            skills.name_keys(series)
        return
    pd.testing.assert_series_equal(skills.name_keys(series), plain, check_exact=True)


# --- person_gaps, coverage and gap tables by codes against the text versions (session 13) ------


def _plain_coverage(ds: Dataset, wave: str | None, holder_level: float = 3.0) -> pd.DataFrame:
    """coverage as it was: the levels and the requirements grouped by the skill's key text."""
    levels = _plain_current_levels(ds, wave)
    gaps = _plain_person_gaps(ds, wave)
    by_skill = {
        k: g["level"].to_numpy(dtype=float) for k, g in levels.groupby(_plain_name_keys(levels["skill"]))
    }
    required = gaps[gaps["required_level"] > 0].groupby(_plain_name_keys(gaps["skill"])).size()
    rows = []
    for skill in skills.all_skills(ds):
        lv = by_skill.get(skills.name_key(skill), np.array([], dtype=float))
        row: dict[str, object] = {"skill": skill, "rated": int(lv.size)}
        for level in range(1, 6):
            row[f"at_least_{level}"] = int((lv >= level).sum())
        row["holders"] = int((lv >= holder_level).sum())
        row["teachers"] = int((lv >= skills.TEACH_LEVEL).sum())
        row["required_by"] = int(required.get(skills.name_key(skill), 0))
        row["flag"] = skills.bus_factor_flag(row["holders"])  # type: ignore[arg-type]
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.sort_values(["holders", "skill"], kind="stable").reset_index(drop=True)


def _plain_person_gaps(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """person_gaps as it was: the requirements merged on the role's key text, the levels (the plain
    version) merged on the person id and the skill's key text, then sorted."""
    rs = ds.role_skills
    req = pd.DataFrame(
        {
            "role_key": _plain_name_keys(rs["role"]).to_numpy(),
            "key": _plain_name_keys(rs["skill"]).to_numpy(),
            "required_level": pd.to_numeric(rs["required_level"], errors="coerce").to_numpy(dtype=float),
        }
    )
    req = req[(req["role_key"] != "") & (req["key"] != "") & req["required_level"].notna()]
    req = req.groupby(["role_key", "key"], as_index=False).agg(required_level=("required_level", "max"))
    ppl = ds.people
    persons = pd.DataFrame(
        {
            "person_id": ppl["person_id"].astype(str).to_numpy(),
            "team": skills.column_text(ppl, "team"),
            "role": skills.column_text(ppl, "role"),
            "order": np.arange(len(ppl)),
        }
    )
    persons["role_key"] = _plain_name_keys(persons["role"])
    merged = persons.merge(req, on="role_key", how="inner")
    levels = _plain_current_levels(ds, wave)
    levels["key"] = _plain_name_keys(levels["skill"])
    merged = merged.merge(levels[["person_id", "key", "level"]], on=["person_id", "key"], how="left")
    merged["level"] = merged["level"].astype(float)
    diff = (merged["required_level"] - merged["level"]).clip(lower=0.0)
    merged["gap"] = diff.where(merged["required_level"] > 0, 0.0)
    merged["status"] = np.where(merged["gap"].isna(), "unknown", np.where(merged["gap"] > 0, "gap", "met"))
    merged["skill"] = merged["key"].map(skills._skill_names(ds))
    merged = merged.sort_values(["order", "skill"], kind="stable").reset_index(drop=True)
    out = merged[skills.GAP_COLUMNS].copy()
    out["status"] = out["status"].astype(str)
    return out


def _plain_gap_table(ds: Dataset, wave: str | None, by: tuple[str, ...]) -> pd.DataFrame:
    """gap_table as it was: statuses and severity names compared as text, grouped by the text."""
    gaps = _plain_person_gaps(ds, wave)
    bands = pd.Series([skills.severity(g) for g in gaps["gap"]], index=gaps.index, dtype=object)
    work = pd.DataFrame(
        {
            **{b: gaps[b] for b in by},
            "people": 1,
            "assessed": gaps["status"].ne("unknown").astype(int),
            "with_gap": gaps["status"].eq("gap").astype(int),
            "unknown": gaps["status"].eq("unknown").astype(int),
            "total_gap": gaps["gap"].fillna(0.0),
            **{name: bands.eq(name).astype(int) for name in ("minor", "moderate", "severe")},
        }
    )
    out = work.groupby(list(by), as_index=False, sort=True).sum()
    assessed = out["assessed"].astype(float)
    out["mean_gap"] = (out["total_gap"] / assessed).where(assessed > 0)
    out["share_affected"] = out["with_gap"] / out["people"].astype(float)
    out = out.sort_values("total_gap", ascending=False, kind="stable").reset_index(drop=True)
    counts = ["people", "assessed", "with_gap", "unknown", "minor", "moderate", "severe"]
    return out[[*by, *counts[:4], "total_gap", "mean_gap", "share_affected", *counts[4:]]]


_ROSTER = [
    ("p1", "A", "Analyst"),
    ("p2", "A", " analyst "),
    ("p10", "B", "Engineer"),
    ("p 3", "B", "ENGINEER"),  # an id with a space
    ("p4", "", ""),  # no role
    ("p2", "C", "Engineer"),  # a repeated id (the loader refuses these; hand-built data may not)
    ("p5", "C", "Nobody's role"),
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["p1", "p2", "p10", "p 3", "p3", "p4", "p5", "stranger", None]),
            _names,
            st.one_of(st.none(), st.sampled_from([0.0, 1.0, 2.5, 3.0, 4.0, 5.0, 0.1, 0.2, 0.3, 2.7])),
            st.sampled_from(["self", "Manager ", "peer", "", "HR", None]),
            st.sampled_from(["2026-Q1", "2026-Q2", ""]),
        ),
        max_size=40,
    ),
    st.lists(
        st.tuples(
            st.sampled_from(["Analyst", "analyst", "Engineer", "Designer", "", None]),
            _names,
            st.one_of(st.none(), st.sampled_from([0.0, 2.0, 3.0, 4.5])),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([None, "2026-Q1", "2026-Q2"]),
)
@example(  # levels that sum inexactly, rows of two people interleaved: pandas averages p1's three
    # with Kahan's compensation (1.7666666666666666); numpy's add.reduceat gives 1.7666666666666668
    [
        ("p1", "SQL", 2.5, "self", "2026-Q2"),
        ("p2", "SQL", 1.0, "self", "2026-Q2"),
        ("p1", "SQL", 2.7, "self", ""),
        ("p1", "sql", 0.1, "self", "2026-Q2"),
    ],
    [("Analyst", "SQL", 3.0)],
    None,
)
def test_gaps_coverage_and_gap_tables_match_the_text_versions(
    ratings: list[tuple[object, ...]], required: list[tuple[object, ...]], wave: str | None
) -> None:
    sk = pd.DataFrame(ratings, columns=["person_id", "skill", "level", "source", "wave"])
    sk = sk.astype({"person_id": "str", "skill": "str", "source": "str", "wave": "str", "level": float})
    rs = pd.DataFrame(required, columns=["role", "skill", "required_level"])
    rs = rs.astype({"role": "str", "skill": "str", "required_level": float})
    ds = Dataset(people=people(_ROSTER))
    ds.skills, ds.role_skills = sk, rs
    if not len(sk):
        return
    plain_levels = _plain_current_levels(ds, wave)
    if len(plain_levels):  # (an empty one's column types differ from the plain version's, as before)
        pd.testing.assert_frame_equal(skills.current_levels(ds, wave), plain_levels, check_exact=True)
    else:
        assert skills.current_levels(ds, wave).empty
    plain_gaps = _plain_person_gaps(ds, wave)
    if not len(plain_gaps):  # the empty table's column types are the text version's, unchanged
        assert skills.person_gaps(ds, wave).empty
        return
    pd.testing.assert_frame_equal(skills.person_gaps(ds, wave), plain_gaps, check_exact=True)
    pd.testing.assert_frame_equal(skills.coverage(ds, wave), _plain_coverage(ds, wave), check_exact=True)
    for by in (("skill",), ("team", "skill"), ("person_id",), ("role",)):
        pd.testing.assert_frame_equal(
            skills.gap_table(ds, wave, by), _plain_gap_table(ds, wave, by), check_exact=True
        )


def test_levels_summed_by_position_only_when_every_sum_is_exact() -> None:
    """Whole and half levels are averaged by position (any order gives the same sums); levels
    such as 0.1 are not (None: pandas averages them, in the order grouping the rows used)."""
    firsts, counts = np.array([0, 1, 4]), np.array([1, 3, 2])
    got = skills._means(np.array([3.0, 1.0, 2.5, 4.0, 0.5, 5.0]), firsts, counts)
    assert got is not None and got.tolist() == [3.0, 2.5, 2.75]
    assert skills._means(np.array([3.0, 0.1, 0.2, 0.7, 0.5, 5.0]), firsts, counts) is None


def test_a_roster_with_a_missing_id_goes_the_text_way() -> None:
    """A missing person_id on the roster (the loader drops such rows; a hand-built table may hold
    one) leaves levels and gaps to the text versions, whose rule for it is kept."""
    ppl = people([("a", "T", "Analyst"), ("b", "T", "Analyst")])
    ppl["person_id"] = pd.array(["a", None], dtype="str")
    sk = pd.DataFrame([rating("a", "SQL", 4), rating("b", "SQL", 1)]).astype({"person_id": "str"})
    rs = pd.DataFrame({"role": ["Analyst"], "skill": ["SQL"], "required_level": [3.0]})
    ds = Dataset(people=ppl, skills=sk, role_skills=rs)
    pd.testing.assert_frame_equal(skills.current_levels(ds), skills._current_levels_by_text(ds, W))
    pd.testing.assert_frame_equal(skills.person_gaps(ds), skills._person_gaps_by_text(ds, W))
    assert skills.person_gaps(ds)["level"].iloc[0] == 4.0


def test_skills_graph_adjacency_is_the_simple_graphs_edges_both_ways() -> None:
    """The adjacency (from the arcs as numbers) is the simplified graph's edges, both ways, once:
    the same sparse matrix, entry for entry, as one read from igraph's edge list."""
    import scipy.sparse as sp

    from lib.intake.sample import generate

    g = smn.skills_graph(generate(people=300, seed=5))
    n = len(g.ids)
    pairs = np.asarray(g.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    upper = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    expected = (upper + upper.T).tocsr()
    assert len(pairs) > 0 and g.adjacency.nnz == 2 * len(pairs)
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(g.adjacency, part), getattr(expected, part))


def test_holder_marks_skip_people_off_the_roster_and_refuse_an_unknown_skill() -> None:
    col = {"python": 0, "sql": 1}
    rows = np.array([0, 2, -1, 1, -1])
    # a skill outside the columns on a row off the roster is skipped with its row
    skill = pd.Series(["Python", "SQL ", "Cobol", "python", None], dtype="str")
    marks = smn._marks((3, 2), col, rows, skill, every_person=False)
    assert marks.tolist() == [[True, False], [True, False], [False, True]]
    with pytest.raises(KeyError):  # on the roster, it is an error (every skill has a column)
        smn._marks(
            (3, 2), col, np.array([0, 1]), pd.Series(["sql", "Cobol"], dtype="str"), every_person=False
        )
    with pytest.raises(KeyError):  # everyone must be on the roster when every person counts
        smn._marks((3, 2), col, rows, skill, every_person=True)


def test_subject_matter_network_seekers_against_sets_on_random_organisations() -> None:
    """The seeker columns counted as plain sets of (seeker, holder) pairs, on random organisations
    with repeated ties, self-ties (never a seeker, nor a topic tie), advice ties that carry a topic,
    and topics no skill has."""
    rng = np.random.default_rng(11)
    skill_names = ["SQL", "Python", "Design"]
    for _ in range(8):
        ids = [f"p{i}" for i in range(int(rng.integers(3, 25)))]
        sk = [rating(p, s, float(rng.integers(0, 6))) for p in ids for s in skill_names if rng.random() < 0.6]
        ts = []
        for _ in range(int(rng.integers(0, 60))):
            s, t = rng.choice(ids, 2)  # may be the same person
            relation = str(rng.choice(["advice", "collaboration", "information"]))
            topic = str(rng.choice(["", "", "sql", "python", "cobol"]))
            ts.append(tie(str(s), str(t), relation, topic=topic))
        ds = Dataset(people=people([(p, "T", "R") for p in ids]), skills=pd.DataFrame(sk))
        if ts:
            ds.ties = pd.DataFrame(ts)
        net = smn.subject_matter_networks(ds).set_index("skill")
        for skill in net.index:
            holders = {
                r["person_id"] for r in sk if r["skill"] == skill and r["level"] >= smn.DEFAULT_HOLDER_LEVEL
            }
            advice = {(t["source_id"], t["target_id"]) for t in ts if t["relation"] == "advice"}
            advice = {(s, t) for s, t in advice if t in holders and s != t}
            topical = [t for t in ts if t["topic"] == skill.lower() and t["source_id"] != t["target_id"]]
            topic_pairs = {(t["source_id"], t["target_id"]) for t in topical if t["target_id"] in holders}
            pairs = advice | topic_pairs
            seekers = {s for s, _ in pairs}
            row = net.loc[skill]
            assert row["advice_seekers"] == len({s for s, _ in advice}), skill
            topic_seekers = {s for s, _ in topic_pairs}
            assert row["topic_ties"] == len(topical) and row["topic_seekers"] == len(topic_seekers)
            assert row["seekers"] == len(seekers)
            two_or_more = sum(len({h for s2, h in pairs if s2 == s}) >= 2 for s in seekers)
            if seekers:
                assert row["redundancy"] == two_or_more / len(seekers)
            else:
                assert math.isnan(row["redundancy"])
