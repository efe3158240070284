"""Each finding's sentence is true of the data: hand-built organisations whose right answer is worked
out on paper, and random networks on which no silo, overload or hierarchy finding may fire."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.analysis import baseline, network
from lib.analysis.overview import facts, headline
from lib.core.dataset import Dataset

NETWORK_RULES = {"silo", "experts_overloaded", "top_down", "rank_over_knowledge"}


def _ties(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": [a for a, _ in pairs],
            "target_id": [b for _, b in pairs],
            "relation": "advice",
            "weight": 1.0,
            "learning_type": "",
            "mode": "",
            "topic": "",
            "wave": "",
        }
    )


def _org(n: int, departments: int, seed: int) -> pd.DataFrame:
    """n people in equal departments; a manager tree: p0 (level 1) leads p1–p4 (level 2), who each
    lead a quarter of the rest (level 3 and 4 alternately)."""
    rng = np.random.default_rng(seed)
    ids = [f"p{i}" for i in range(n)]
    level = [1] + [2] * 4 + [3 + (i % 2) for i in range(n - 5)]
    manager = [""] + ["p0"] * 4 + [f"p{1 + (i % 4)}" for i in range(n - 5)]
    dept = rng.permutation([f"D{i % departments}" for i in range(n)])
    return pd.DataFrame(
        {
            "person_id": ids,
            "name": ids,
            "team": [f"T{i % 12}" for i in range(n)],
            "department": dept,
            "level": level,
            "manager_id": manager,
        }
    )


def _random_ties(n: int, per_person: float, seed: int) -> list[tuple[str, str]]:
    """Each person names Poisson(per_person) others chosen uniformly at random."""
    rng = np.random.default_rng(seed)
    pairs = set()
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for j in rng.choice(others, size=min(rng.poisson(per_person), n - 1), replace=False):
            pairs.add((f"p{i}", f"p{j}"))
    return sorted(pairs)


@pytest.mark.parametrize(("seed", "per_person"), [(1, 2.0), (2, 5.0), (3, 12.0), (4, 5.0), (5, 20.0)])
def test_no_network_finding_fires_on_a_random_network(seed: int, per_person: float) -> None:
    ds = Dataset(people=_org(120, 4, seed), ties=_ties(_random_ties(120, per_person, seed)))
    fired = {f.rule for f in headline(ds).findings}
    assert not fired & NETWORK_RULES, fired
    assert facts(ds).org["silo_groups"] == 0


def test_a_department_that_is_most_of_the_organisation_is_not_a_silo_by_chance() -> None:
    """Department A is 54 of 60 people: at random 53/59 ≈ 90% of A's names stay in A, so its
    E-I of ties sent is about −0.8 without any silo; the finding must not fire."""
    people = _org(60, 1, 0)
    people["department"] = ["A"] * 54 + ["B"] * 6
    ds = Dataset(people=people, ties=_ties(_random_ties(60, 6.0, 11)))
    dept = facts(ds).groups["department"].set_index("group")
    assert dept.loc["A", "ei_sent"] <= -0.6  # the threshold alone would call it a silo …
    assert dept.loc["A", "internal_share_random"] == pytest.approx(53 / 59)
    assert not dept.loc["A", "silo_beyond_chance"]  # … chance gives as much
    assert "silo" not in {f.rule for f in headline(ds).findings}


def test_a_group_asked_by_everyone_is_not_a_silo_but_one_that_asks_only_itself_is() -> None:
    """Five departments of 6. X's people ask only each other (a 6-cycle: 6 ties sent, all inside),
    and everyone in Y names x0: X receives 6 outside ties but sends none. What X *asks* is 100%
    inside (E-I of ties sent −1); mixing in what it receives would give I = 6, E = 6, E-I 0."""
    ids = [f"{d}{i}" for d in "xyzuv" for i in range(6)]
    people = pd.DataFrame({"person_id": ids, "name": ids, "department": [i[0].upper() for i in ids]})
    inside = [(f"x{i}", f"x{(i + 1) % 6}") for i in range(6)]
    asked = [(f"y{i}", "x0") for i in range(6)]
    spread = [(f"{d}{i}", f"{e}{i}") for d, e in zip("yzuv", "zuvy", strict=True) for i in range(6)]
    ds = Dataset(people=people, ties=_ties([*inside, *asked, *spread]))
    dept = facts(ds).groups["department"].set_index("group")
    assert dept.loc["X", "ei"] == pytest.approx(0.0)
    assert dept.loc["X", "ei_sent"] == pytest.approx(-1.0)
    assert dept.loc["X", "internal_share"] == pytest.approx(1.0)
    assert dept.loc["X", "internal_share_random"] == pytest.approx(5 / 29)
    statements = [f.statement for f in headline(ds).findings if f.rule == "silo"]
    assert statements == [
        "X asks inside X: 100% of the advice its people ask stays in the department (E-I of ties sent "
        "-1.00); a random network with the same department sizes and density would keep about 17% inside."
    ]


def test_one_expert_asked_by_everyone_is_overloaded() -> None:
    """40 people; everyone names their two neighbours on a ring (in-degree 2 each) and p0 as well:
    p0 is named by 39 (its 2 ring neighbours already count), the median is 2, ratio 19.5."""
    n = 40
    ring = [(f"p{i}", f"p{(i + d) % n}") for i in range(n) for d in (1, -1)]
    expert = [(f"p{i}", "p0") for i in range(2, n - 1)]
    ds = Dataset(people=_org(n, 2, 0), ties=_ties([*ring, *expert]))
    org = facts(ds).org
    assert org["advice_top_in_degree"] == 39
    assert org["advice_median_in_degree"] == 2
    assert org["advice_top_ratio"] == pytest.approx(19.5)
    assert org["overload_beyond_chance"] is True
    found = [f for f in headline(ds).findings if f.rule == "experts_overloaded"]
    assert len(found) == 1 and found[0].strength == "strong"
    assert "named by 39 colleagues, 19.5 times the median person (2)" in found[0].statement


def test_a_random_network_has_no_overload_beyond_chance() -> None:
    rng_ties = _random_ties(200, 5.0, 3)
    ds = Dataset(people=_org(200, 4, 3), ties=_ties(rng_ties))
    org = facts(ds).org
    assert org["advice_overload"] == pytest.approx(1.0, abs=0.5)
    assert org["overload_beyond_chance"] is False


def _levels_org() -> pd.DataFrame:
    """A boss b (level 1), four leads l0–l3 (level 2) reporting to b, and 20 staff s0–s19 (level 3),
    five reporting to each lead; departments by lead."""
    ids = ["b", *[f"l{i}" for i in range(4)], *[f"s{i}" for i in range(20)]]
    level = [1, 2, 2, 2, 2, *[3] * 20]
    manager = ["", "b", "b", "b", "b", *[f"l{i // 5}" for i in range(20)]]
    dept = ["D0", *[f"D{i}" for i in range(4)], *[f"D{i // 5}" for i in range(20)]]
    return pd.DataFrame(
        {"person_id": ids, "name": ids, "level": level, "manager_id": manager, "department": dept}
    )


def test_seniors_who_never_ask_juniors_means_advice_rarely_flows_up() -> None:
    """Every staff member asks the two leads outside their chain (40 ties up), leads ask the boss
    (4 up) and each other in a ring (4 across); nobody asks someone more junior: 0 of 48 ties go
    down, 44 up. Advice (the answer) flows from seniors to juniors, never up."""
    up = [(f"s{i}", f"l{(i // 5 + d) % 4}") for i in range(20) for d in (1, 2)]
    up += [(f"l{i}", "b") for i in range(4)]
    across = [(f"l{i}", f"l{(i + 1) % 4}") for i in range(4)]
    ds = Dataset(people=_levels_org(), ties=_ties([*up, *across]))
    org = facts(ds).org
    assert org["advice_down_share"] == 0.0
    assert org["advice_up_share"] == pytest.approx(44 / 48)
    found = [f for f in headline(ds).findings if f.rule == "top_down"]
    assert len(found) == 1
    assert found[0].statement.startswith("Advice rarely flows up the hierarchy: only 0% of advice requests")
    assert "92% are people asking someone more senior" in found[0].statement


def test_reports_asking_their_own_manager_is_not_rank_over_knowledge() -> None:
    """Each staff member asks their own lead, each lead asks the boss: on all ties seniority and
    advice in-degree correlate strongly, but every tie is up the reporting chain. Off the chain
    nobody is asked, so the finding must not fire. Adding staff asking the leads of *other* teams
    (off the chain) makes it true, and it fires."""
    own = [(f"s{i}", f"l{i // 5}") for i in range(20)] + [(f"l{i}", "b") for i in range(4)]
    ds = Dataset(people=_levels_org(), ties=_ties(own))
    org = facts(ds).org
    assert org["seniority_advice_correlation"] is None  # off the chain nobody is named: undefined
    assert "rank_over_knowledge" not in {f.rule for f in headline(ds).findings}

    other = [(f"s{i}", f"l{(i // 5 + d) % 4}") for i in range(20) for d in (1, 2, 3)]
    ds = Dataset(people=_levels_org(), ties=_ties([*own, *other]))
    org = facts(ds).org
    assert org["seniority_advice_correlation"] > 0.6
    assert org["seniority_advice_p"] < 0.05
    assert "rank_over_knowledge" in {f.rule for f in headline(ds).findings}


def test_internal_share_baseline_is_the_binomial_by_hand() -> None:
    """A group of 11 among 101 sends 20 names: p = 10/100, expected share 10%; the 97.5th
    percentile of Binomial(20, 0.1) is 5 (P(X ≤ 4) ≈ 0.957, P(X ≤ 5) ≈ 0.989)."""
    share = baseline.internal_share(inside=6, sent=20, size=11, people=101)
    assert share.expected == pytest.approx(0.1)
    assert share.high == pytest.approx(5 / 20)
    assert share.share == pytest.approx(0.3) and share.beyond_chance
    assert not baseline.internal_share(inside=5, sent=20, size=11, people=101).beyond_chance


def test_the_ei_index_is_not_offered_for_numeric_measurements() -> None:
    """Age with 30 different values would make 30 one-value 'groups' (E-I near +1 by construction):
    not offered; a numeric code with few values (level 1–4) is a category and stays."""
    people = _org(60, 3, 0)
    people["age"] = [20 + (i % 30) for i in range(60)]
    ds = Dataset(people=people, ties=_ties(_random_ties(60, 4.0, 1)))
    assert "age" in ds.attributes
    assert "age" not in network.ei_attributes(ds)
    assert {"department", "level"} <= set(network.ei_attributes(ds))
    result = network.ei_index(ds, "age")
    assert result.groups.empty and "only for categories" in result.note
    assert "age" not in network.analysis_json(ds)["relations"]["advice"]["ei_index"]
