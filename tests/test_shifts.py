"""The five shifts scorecard: each formula on hand-built cases, missing data, JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lib.analysis import shifts
from lib.core.dataset import Dataset

IDS = ["p0", "p1", "p2", "p3", "p4"]


def roster(teams: list[str] | None = None, role: str = "analyst") -> pd.DataFrame:
    return pd.DataFrame(
        {"person_id": IDS, "name": IDS, "team": teams or ["A", "A", "A", "B", "B"], "role": role}
    )


def ties(
    pairs: list[tuple[str, str]], relation: str = "advice", topics: list[str] | None = None
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": [s for s, _ in pairs],
            "target_id": [t for _, t in pairs],
            "relation": relation,
            "weight": 1.0,
            "learning_type": "",
            "mode": "",
            "topic": topics or [""] * len(pairs),
            "wave": "",
        }
    )


def learning_rows(hours: dict[str, dict[str, float]]) -> pd.DataFrame:
    rows = [
        {"person_id": p, "wave": "", "learning_type": t, "hours": h}
        for p, by_type in hours.items()
        for t, h in by_type.items()
    ]
    return pd.DataFrame(rows, columns=["person_id", "wave", "learning_type", "hours"])


def test_empty_dataset_gives_no_scores_and_says_what_to_collect() -> None:
    card = shifts.scorecard(Dataset(people=roster()))
    assert [s.code for s in card] == ["ASL", "PDL", "GDL", "IOL", "FSL"]
    for s in card:
        assert s.score is None
        assert s.inputs_missing and s.collect and s.formula and s.suggestion
        assert s.from_pole and s.to_pole


def test_asl_is_flow_share() -> None:
    log = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2026-01-01"] * 4),
            "source_id": ["p0", "p1", "p2", "p3"],
            "channel": ["chat", "chat", "chat", "wiki"],
            "target_id": "",
            "kind": "post",
            "topic": "",
            "mode": ["flow", "flow", "flow", "stock"],
        }
    )
    s = shifts.shift_asl(Dataset(people=roster(), interactions=log))
    assert s.score == pytest.approx(75.0)
    assert s.inputs_missing == ()


def work(rows: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"person_id": IDS[i], "wave": "", "simple": a, "complicated": b, "complex": c, "chaotic": d}
            for i, (a, b, c, d) in enumerate(rows)
        ]
    )


def test_pdl_scores_personal_directed_learning_where_work_is_complex() -> None:
    # complex shares 0.5, 0.75, 0.5, 1.0, 0.5: everyone's work is mostly complex
    w = work([(1, 0, 1, 0), (0, 1, 3, 0), (1, 1, 2, 0), (0, 0, 4, 0), (0, 1, 2, 1)])
    # PDL shares 1/4, 1/2, 0, 1/4, 0 → mean 0.2 → score 20
    pdl = [1.0, 2.0, 0.0, 1.0, 0.0]
    hours = {p: {"PDL": pdl[i], "FSL": 4.0 - pdl[i]} for i, p in enumerate(IDS)}
    s = shifts.shift_pdl(Dataset(people=roster(), work=w, learning=learning_rows(hours)))
    assert s.score == pytest.approx(20.0)
    assert s.details["complex_share"] == pytest.approx((0.5 + 0.75 + 0.5 + 1.0 + 0.5) / 5)


def test_pdl_does_not_count_chaotic_or_complex_work_as_progress() -> None:
    # all-chaotic work with all-PDL learning: nobody's work is mostly complex, so no score at all
    w = work([(0, 0, 0, 1)] * 5)
    hours = {p: {"PDL": 4.0} for p in IDS}
    s = shifts.shift_pdl(Dataset(people=roster(), work=w, learning=learning_rows(hours)))
    assert s.score is None and "have 0" in s.inputs_missing[0]
    # complex work with formal-only learning scores 0: the work is complex, the learning is not
    w = work([(0, 0, 1, 0)] * 5)
    s = shifts.shift_pdl(
        Dataset(people=roster(), work=w, learning=learning_rows({p: {"FSL": 4.0} for p in IDS}))
    )
    assert s.score == 0.0


def test_pdl_needs_minimum_group_and_ignores_zero_rows() -> None:
    w = work([(1, 1, 1, 1), (0, 0, 2, 0), (0, 0, 3, 0), (0, 0, 4, 0), (0, 0, 0, 0)])
    s = shifts.shift_pdl(
        Dataset(people=roster(), work=w, learning=learning_rows({p: {"PDL": 1.0} for p in IDS}))
    )
    assert s.score is None
    assert "at least 5" in s.inputs_missing[0] and "have 3" in s.inputs_missing[0]


def test_gdl_both_parts_by_hand() -> None:
    # learning: each person GDL 1, PDL 3 → GDL ÷ (GDL + PDL) = 0.25
    hours = {p: {"GDL": 1.0, "PDL": 3.0} for p in IDS}
    # advice: p0→p1 (A-A), p1→p2 (A-A), p3→p4 (B-B), p0→p3 (A-B): within share 3/4
    advice = ties([("p0", "p1"), ("p1", "p2"), ("p3", "p4"), ("p0", "p3")])
    s = shifts.shift_gdl(Dataset(people=roster(), learning=learning_rows(hours), ties=advice))
    assert s.details["group_share_of_directed"] == pytest.approx(0.25)
    assert s.details["within_team_advice"] == pytest.approx(0.75)
    assert s.score == pytest.approx(50.0)
    assert s.note == ""


def test_gdl_one_part_only_says_so() -> None:
    advice = ties([("p0", "p1"), ("p0", "p3")])
    s = shifts.shift_gdl(Dataset(people=roster(), ties=advice))
    assert s.score == pytest.approx(50.0)
    assert "one of the two parts" in s.note


@pytest.mark.parametrize(
    ("pairs", "gini"),
    [
        # everyone asks p0: in-degrees (4, 0, 0, 0, 0): Σ|xi − xj| = 32, 2·n²·mean = 40 → G = 0.8
        ([("p1", "p0"), ("p2", "p0"), ("p3", "p0"), ("p4", "p0")], 0.8),
        # a cycle: everyone named once → G = 0
        ([("p0", "p1"), ("p1", "p2"), ("p2", "p3"), ("p3", "p4"), ("p4", "p0")], 0.0),
        # (2, 1, 0, 0, 0) plus a self-tie that must not count:
        # unordered |xi − xj|: 1 + 3·2 + 3·1 = 10, ordered 20; 2·25·0.6 = 30 → G = 2/3
        ([("p1", "p0"), ("p2", "p0"), ("p0", "p1"), ("p3", "p3")], 20 / 30),
    ],
)
def test_iol_one_minus_gini_against_the_random_network(pairs: list[tuple[str, str]], gini: float) -> None:
    s = shifts.shift_iol(Dataset(people=roster(), ties=ties(pairs)))
    assert s.details["gini"] == pytest.approx(gini)
    assert s.details["unnormalised"] == pytest.approx(100 * (1 - gini))
    assert 0 < s.details["gini_random"] < 1
    assert s.score == pytest.approx(min(100.0, 100 * (1 - gini) / (1 - s.details["gini_random"])))


@pytest.mark.parametrize("per_person", [2, 20])
def test_iol_of_a_random_network_is_about_100_whatever_the_density(per_person: int) -> None:
    """Unnormalised, 1 − Gini of a random network is about 61 at 2 names each and 87 at 20; divided
    by the random baseline at the same density both read as even as chance (about 100)."""
    n = 300
    rng = np.random.default_rng(per_person)
    ids = [f"q{i}" for i in range(n)]
    pairs = {(ids[i], ids[j]) for i in range(n) for j in rng.choice(n, per_person, replace=False) if i != j}
    ds = Dataset(people=pd.DataFrame({"person_id": ids, "name": ids}), ties=ties(sorted(pairs)))
    s = shifts.shift_iol(ds)
    assert s.score is not None and s.score > 93
    assert s.details["unnormalised"] == pytest.approx({2: 61, 20: 87}[per_person], abs=5)


def test_iol_ignores_other_relations_and_reports_topics() -> None:
    t = pd.concat(
        [
            ties([("p1", "p0"), ("p2", "p0"), ("p3", "p4"), ("p4", "p3")], topics=["x", "x", "y", "y"]),
            ties([("p1", "p2")], relation="trust"),
        ]
    )
    ds = Dataset(people=roster(), ties=t)
    topics = shifts.expertise_evenness_by_topic(ds).set_index("topic")
    # topic x: people p0, p1, p2 with in-degrees (2, 0, 0): G = 8 / (2·9·(2/3)) = 2/3
    assert topics.loc["x", "evenness"] == pytest.approx(1 - 2 / 3)
    assert topics.loc["y", "evenness"] == pytest.approx(1.0)
    s = shifts.shift_iol(ds)
    assert s.details["topics"] == 2
    assert s.details["advice_ties"] == 4


def skills_dataset(fsl_hours: list[float], levels: list[float]) -> Dataset:
    hours = {p: {"FSL": fsl_hours[i], "IOL": 1.0} for i, p in enumerate(IDS)}
    skills = pd.DataFrame(
        {"person_id": IDS, "skill": "modelling", "level": levels, "source": "self", "wave": ""}
    )
    role_skills = pd.DataFrame({"role": ["analyst"], "skill": ["modelling"], "required_level": [5.0]})
    return Dataset(people=roster(), learning=learning_rows(hours), skills=skills, role_skills=role_skills)


def _spearman_by_hand(x: list[float], y: list[float]) -> float:
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    return float(np.corrcoef(rx, ry)[0, 1])


@pytest.mark.parametrize(
    ("fsl", "levels"),
    [
        ([0, 1, 2, 3, 4], [5, 4, 3, 2, 1]),  # more hours where gaps are bigger: ρ = 1 → 100
        ([4, 3, 2, 1, 0], [5, 4, 3, 2, 1]),  # hours to those who need them least: ρ = −1 → 0
        ([2, 0, 5, 1, 1], [4, 1, 3, 5, 2]),  # mixed, with a tie in hours
    ],
)
def test_fsl_spearman_mapped_to_0_100(fsl: list[float], levels: list[float]) -> None:
    s = shifts.shift_fsl(skills_dataset(fsl, levels))
    gaps = [5 - lv for lv in levels]
    rho = _spearman_by_hand(fsl, gaps)
    assert s.details["rho"] == pytest.approx(rho)
    assert s.score == pytest.approx(50 * (rho + 1))


def test_fsl_without_variation_has_no_score() -> None:
    s = shifts.shift_fsl(skills_dataset([1, 1, 1, 1, 1], [5, 4, 3, 2, 1]))
    assert s.score is None and "variation" in s.note


def test_fsl_without_skills_says_what_to_collect() -> None:
    hours = {p: {"FSL": 1.0} for p in IDS}
    s = shifts.shift_fsl(Dataset(people=roster(), learning=learning_rows(hours)))
    assert s.score is None
    assert any("skills" in m for m in s.inputs_missing)


def test_scorecard_table_and_json() -> None:
    ds = skills_dataset([0, 1, 2, 3, 4], [5, 4, 3, 2, 1])
    table = shifts.scorecard_table(ds)
    assert list(table["type"]) == ["ASL", "PDL", "GDL", "IOL", "FSL"]
    assert table.set_index("type").loc["FSL", "score"] == pytest.approx(100.0)
    out = shifts.analysis_json(ds)
    json.dumps(out, allow_nan=False)
    fsl = out["shifts"]["FSL"]  # type: ignore[index]
    assert fsl["score"] == 100.0 and fsl["inputs_missing"] == []
    assert out["shifts"]["ASL"]["score"] is None  # type: ignore[index]


def test_the_scorecard_on_the_sample_tells_the_planted_story() -> None:
    """sample_data/README: the flow share rises between the waves and formal learning falls."""
    from lib.analysis.learning import overall_mix
    from lib.intake.sample import generate

    ds = generate()
    first, last = ds.waves[0], ds.waves[-1]
    asl = {w: shifts.shift_asl(ds, w).score for w in (first, last)}
    assert asl[first] is not None and asl[last] is not None
    assert asl[last] > asl[first] + 5  # stocks → flow: a clear move towards flow
    fsl = {w: overall_mix(ds, w).shares["FSL"] for w in (first, last)}
    assert fsl[last] < fsl[first]
    card = shifts.scorecard(ds, last)
    assert all(s.score is not None for s in card), [(s.code, s.inputs_missing) for s in card]
