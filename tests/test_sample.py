"""The sample organisation generator: structure, determinism, the planted stories, writing, loading.

The stories are measured here with plain pandas / networkx (not with the analysis modules), so a
broken analysis cannot hide a broken sample and vice versa. Thresholds hold for every seed
tried; the default sample (250 people, seed 7) is what ``sample_data/sample_org.xlsx`` holds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import networkx as nx
import numpy as np
import openpyxl
import pandas as pd
import pytest

from lib.app.cli import main as cli_main
from lib.core.dataset import TABLE_COLUMNS, Dataset
from lib.core.errors import DataError
from lib.core.schema import (
    CHANNEL_MODES,
    INTERACTION_KINDS,
    LEARNING_TYPE_CODES,
    STANDARD_RELATIONS,
    WORK_KINDS,
)
from lib.intake import loader, sample
from lib.intake.sample import generate, wave_labels, write_dataset
from lib.intake.sample_story import PLANTED

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (7, 1, 2, 3)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return generate()


@pytest.fixture(scope="module", params=SEEDS)
def seeded(request: pytest.FixtureRequest) -> Dataset:
    return generate(seed=request.param)


def person(ds: Dataset, name: str) -> str:
    ids = ds.people.loc[ds.people["name"] == name, "person_id"]
    assert len(ids) == 1, f"{name!r} should be exactly one person"
    return str(ids.iloc[0])


def dept_of(ds: Dataset) -> pd.Series:
    return ds.people.set_index("person_id")["department"]


def advice(ds: Dataset, wave: str) -> pd.DataFrame:
    t = ds.ties
    return t[(t["relation"] == "advice") & (t["wave"] == wave)]


# --- determinism and arguments -------------------------------------------------------------


def test_same_seed_same_tables() -> None:
    a, b = generate(120, seed=3), generate(120, seed=3)
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_different_seed_differs() -> None:
    a, b = generate(120, seed=3), generate(120, seed=4)
    assert not a.people["name"].equals(b.people["name"])
    assert len(a.ties) != len(b.ties) or not a.ties["target_id"].equals(b.ties["target_id"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"people": 9}, "at least 10"),
        ({"waves": 0}, "waves"),
        ({"ties_per_person": 0}, "positive"),
    ],
)
def test_bad_arguments(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        generate(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("waves", "labels"),
    [(1, ["2026-Q1"]), (2, ["2026-Q1", "2026-Q3"]), (3, ["2026-Q1", "2026-Q3", "2027-Q1"])],
)
def test_wave_labels(waves: int, labels: list[str]) -> None:
    assert wave_labels(waves) == labels
    assert generate(60, waves=waves).waves == labels


# --- structure -------------------------------------------------------------------------------


def test_tables_have_the_canonical_columns_and_dtypes(ds: Dataset) -> None:
    for name, cols in TABLE_COLUMNS.items():
        assert list(getattr(ds, name).columns) == cols, name
    assert pd.api.types.is_string_dtype(ds.people["person_id"])
    assert str(ds.people["level"].dtype) == "Int64"
    assert str(ds.people["responded"].dtype) == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(ds.interactions["timestamp"])
    assert ds.people["person_id"].is_unique


def test_about_250_people_in_teams_of_5_to_12(ds: Dataset) -> None:
    assert len(ds.people) == 250
    sizes = ds.people["team"].value_counts()
    assert sizes.between(5, 12).all(), sizes[~sizes.between(5, 12)]
    assert ds.people["department"].nunique() >= 8


def test_every_team_has_one_manager_the_others_report_to(ds: Dataset) -> None:
    p = ds.people
    for team, members in p.groupby("team"):
        ids = set(members["person_id"])
        inside = members[members["manager_id"].isin(ids)]
        leads = set(inside["manager_id"])
        assert len(leads) == 1, team
        assert len(inside) == len(members) - 1, team  # everyone but the lead reports inside


def test_levels_1_to_5_and_a_manager_tree(ds: Dataset) -> None:
    p = ds.people.set_index("person_id")
    assert set(p["level"]) == {1, 2, 3, 4, 5}
    roots = p.index[p["manager_id"] == ""]
    assert list(p.loc[roots, "level"]) == [1]
    assert set(p["manager_id"]) - {""} <= set(p.index)
    managed = p[p["manager_id"] != ""]
    assert (managed["level"].to_numpy() > p.loc[managed["manager_id"], "level"].to_numpy()).all()
    tree = nx.DiGraph(list(zip(managed["manager_id"], managed.index, strict=True)))
    assert nx.is_arborescence(tree)


def test_survey_sheets_only_from_respondents(ds: Dataset) -> None:
    p = ds.people
    rate = p["responded"].mean()
    assert 0.78 <= rate <= 0.95
    non = set(p.loc[~p["responded"].astype(bool), "person_id"])
    assert non
    for table, col in (
        (ds.learning, "person_id"),
        (ds.trust, "person_id"),
        (ds.work, "person_id"),
        (ds.ties, "source_id"),
    ):
        assert not set(table[col]) & non
    assert set(ds.ties["target_id"]) & non  # non-respondents can still be named


def test_both_waves_in_every_survey_table(ds: Dataset) -> None:
    assert ds.waves == ["2026-Q1", "2026-Q3"]
    for name in ("ties", "learning", "trust", "work", "skills"):
        assert set(getattr(ds, name)["wave"]) == {"2026-Q1", "2026-Q3"}, name


def test_ties(ds: Dataset) -> None:
    t = ds.ties
    assert ds.relations == list(STANDARD_RELATIONS)
    assert (t["source_id"] != t["target_id"]).all()
    assert not t.duplicated(["source_id", "target_id", "relation", "wave"]).any()
    assert (t["weight"] > 0).all()
    assert set(t["learning_type"]) <= {"", *LEARNING_TYPE_CODES}
    per_respondent = advice(ds, "2026-Q1").groupby("source_id").size().mean()
    assert 5 <= per_respondent <= 8
    for relation in STANDARD_RELATIONS[1:]:
        assert (t["relation"] == relation).sum() < (t["relation"] == "advice").sum()


def test_learning_long_form(ds: Dataset) -> None:
    lr = ds.learning
    assert set(lr["learning_type"]) == set(LEARNING_TYPE_CODES)
    assert (lr["hours"] >= 0).all()
    assert lr.groupby(["person_id", "wave"]).size().eq(5).all()


def test_trust_answers_are_likert(ds: Dataset) -> None:
    v = ds.trust["value"]
    assert v.between(1, 5).all() and (v == v.round()).all()
    assert set(ds.trust["item"]) == set(ds.trust_items["item"])


def test_work_shares_sum_to_one(ds: Dataset) -> None:
    total = ds.work[list(WORK_KINDS)].sum(axis=1)
    assert np.allclose(total, 1.0, atol=1e-9)
    assert (ds.work[list(WORK_KINDS)] >= 0).all().all()


def test_skills_and_requirements(ds: Dataset) -> None:
    s, rs = ds.skills, ds.role_skills
    assert 15 <= s["skill"].nunique() <= 25
    assert s["level"].between(0, 5).all()
    assert set(s["source"]) == {"self", "manager"}
    assert set(ds.people["role"]) <= set(rs["role"])
    assert rs["required_level"].between(0, 5).all()


def test_interactions_log(ds: Dataset) -> None:
    i = ds.interactions
    assert 2_000 <= len(i) <= 10_000
    assert {"wiki", "document", "repository"} | {"chat", "meeting", "email", "microblog"} == set(i["channel"])
    assert (i["mode"] == i["channel"].map(CHANNEL_MODES)).all()
    assert set(i["kind"]) == {"post", "reply", "mention", "edit", "view"} and set(i["kind"]) <= set(
        INTERACTION_KINDS
    )
    broadcast = i["target_id"] == ""
    assert broadcast.any() and (~broadcast).any()
    assert (i.loc[i["kind"] == "view", "target_id"] == "").all()
    assert set(i.loc[~broadcast, "target_id"]) <= set(ds.people["person_id"])
    span = i["timestamp"].max() - i["timestamp"].min()
    assert pd.Timedelta(days=150) < span < pd.Timedelta(days=275)
    assert (i["timestamp"].dt.day_of_week < 5).all()


def test_names_are_plausible_text(ds: Dataset) -> None:
    names = ds.people["name"]
    assert names.is_unique
    assert not names.str.contains(r"[<>]").any()
    assert names.map(lambda n: not n.isascii()).sum() >= 10
    assert "Zoë Müller" in set(names)


# --- the planted stories ---------------------------------------------------------------------


def inside_share(ds: Dataset, department: str, wave: str) -> float:
    """Share of the department's advice out-ties that stay inside it."""
    a = advice(ds, wave)
    d = dept_of(ds)
    own = a[a["source_id"].map(d) == department]
    return float((own["target_id"].map(d) == department).mean())


def test_silo_closed_in_wave_1_opens_in_wave_2(seeded: Dataset) -> None:
    first, last = seeded.waves
    silo = PLANTED.silo_department
    assert inside_share(seeded, silo, first) > 0.85
    assert inside_share(seeded, silo, last) < inside_share(seeded, silo, first) - 0.1
    others = [d for d in seeded.people["department"].unique() if d != silo]
    assert all(inside_share(seeded, d, first) < inside_share(seeded, silo, first) for d in others)


def test_experts_are_overloaded_and_sought_from_many_teams(seeded: Dataset) -> None:
    team = seeded.people.set_index("person_id")["team"]
    for wave in seeded.waves:
        a = advice(seeded, wave)
        indegree = a.groupby("target_id").size().sort_values(ascending=False)
        experts = {person(seeded, name) for name, _, _ in PLANTED.experts}
        assert set(indegree.index[:3]) == experts
        for e in experts:
            assert indegree[e] >= 4 * indegree.median()
            assert a.loc[a["target_id"] == e, "source_id"].map(team).nunique() >= 8


def test_brokers_link_departments(seeded: Dataset) -> None:
    d = dept_of(seeded)
    a = advice(seeded, seeded.waves[0])
    for name, department in PLANTED.brokers:
        b = person(seeded, name)
        assert d[b] == department
        out = a[a["source_id"] == b]
        assert (out["target_id"].map(d) != department).mean() >= 0.4
        touching = pd.concat([out["target_id"], a.loc[a["target_id"] == b, "source_id"]])
        assert touching.map(d).nunique() >= 5


def test_key_person_is_the_only_link_to_the_isolated_team(seeded: Dataset) -> None:
    key = person(seeded, PLANTED.key_person)
    p = seeded.people.set_index("person_id")
    isolated = set(p.index[p["team"] == PLANTED.isolated_team]) - {key}
    assert p.loc[key, "team"] == PLANTED.isolated_team and len(isolated) == 4
    for wave in seeded.waves:
        t = seeded.ties[seeded.ties["wave"] == wave]
        graph = nx.Graph(list(zip(t["source_id"], t["target_id"], strict=True)))
        assert nx.is_connected(graph)
        graph.remove_node(key)
        components = sorted(nx.connected_components(graph), key=len)
        assert len(components) == 2
        assert components[0] == isolated


def test_single_points_of_knowledge(seeded: Dataset) -> None:
    for wave in seeded.waves:
        s = seeded.skills[seeded.skills["wave"] == wave]
        for name, skill in PLANTED.sole_holders:
            holders = set(s.loc[(s["skill"] == skill) & (s["level"] >= 3), "person_id"])
            assert holders == {person(seeded, name)}, skill


def test_real_skill_gaps_and_growth(ds: Dataset) -> None:
    s = ds.skills.merge(ds.people[["person_id", "role"]], on="person_id")
    rated = s.merge(ds.role_skills, on=["role", "skill"])
    first, last = ds.waves
    gap = (rated["required_level"] - rated["level"])[rated["wave"] == first]
    assert gap.mean() > 0.2  # on average below what roles require
    assert (gap < 0).any()  # and some people above it
    by_skill = (rated["required_level"] - rated["level"]).groupby([rated["wave"], rated["skill"]]).mean()
    assert by_skill[(first, "Data literacy")] > 0.8
    assert by_skill[(last, "Data literacy")] < by_skill[(first, "Data literacy")] - 0.15


def learning_shares(ds: Dataset, wave: str) -> pd.DataFrame:
    lr = ds.learning[ds.learning["wave"] == wave]
    wide = lr.pivot_table(index="person_id", columns="learning_type", values="hours", aggfunc="sum")
    shares = wide.div(wide.sum(axis=1), axis=0)
    return shares.assign(department=shares.index.map(dept_of(ds)))


def test_learning_near_but_not_on_70_20_10(seeded: Dataset) -> None:
    first, last = seeded.waves
    mix = learning_shares(seeded, first)[list(LEARNING_TYPE_CODES)].mean()
    # 70:20:10 read as experience (PDL + ASL) : others (IOL + GDL) : formal (FSL)
    read = np.array([mix["PDL"] + mix["ASL"], mix["IOL"] + mix["GDL"], mix["FSL"]])
    distance = np.abs(read - np.array([0.7, 0.2, 0.1]))
    assert distance.max() < 0.2 and distance.max() > 0.03
    later = learning_shares(seeded, last)[list(LEARNING_TYPE_CODES)].mean()
    assert later["FSL"] < mix["FSL"] - 0.02


def test_learning_differs_by_department(ds: Dataset) -> None:
    by_dept = learning_shares(ds, ds.waves[0]).groupby("department").mean()
    assert by_dept.loc["Sales", "FSL"] > by_dept.loc["Engineering", "FSL"] + 0.08
    assert by_dept.loc["Engineering", "PDL"] > by_dept.loc["Sales", "PDL"] + 0.08


def cronbach_alpha(items: pd.DataFrame) -> float:
    """α = k/(k−1) · (1 − Σ item variances / variance of the sum) (Cronbach 1951)."""
    k = items.shape[1]
    return float(k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1)))


def test_trust_items_hang_together_and_one_dimension_improves(seeded: Dataset) -> None:
    t = seeded.trust.merge(seeded.trust_items, on="item")
    t["scored"] = np.where(t["reverse"], 6 - t["value"], t["value"])
    first, last = seeded.waves
    means = {}
    for (wave, dimension), g in t.groupby(["wave", "dimension"]):
        alpha = cronbach_alpha(g.pivot(index="person_id", columns="item", values="scored"))
        assert 0.65 <= alpha <= 0.9, (wave, dimension, alpha)
        means[wave, dimension] = g.groupby("person_id")["scored"].mean().mean()
    assert means[last, "knowledge_sharing"] > means[first, "knowledge_sharing"] + 0.2
    for dimension in ("trust", "credibility", "results_focus", "two_way_flow"):
        assert abs(means[last, dimension] - means[first, dimension]) < 0.15


def test_reverse_items_correlate_negatively_before_scoring(ds: Dataset) -> None:
    wide = ds.trust[ds.trust["wave"] == ds.waves[0]].pivot(index="person_id", columns="item", values="value")
    assert wide["ks1"].corr(wide["ks3"]) < -0.2
    assert wide["ks1"].corr(wide["ks2"]) > 0.2


def test_flow_share_rises_and_some_wiki_pages_are_never_viewed(seeded: Dataset) -> None:
    i = seeded.interactions
    quarter = i["timestamp"].dt.year.astype(str) + "-Q" + i["timestamp"].dt.quarter.astype(str)
    assert set(quarter) == set(seeded.waves)
    flow = (i["mode"] == "flow").groupby(quarter).mean()
    assert flow[seeded.waves[1]] > flow[seeded.waves[0]] + 0.05
    wiki = i[i["channel"] == "wiki"]
    assert len(set(wiki["topic"]) - set(wiki.loc[wiki["kind"] == "view", "topic"])) >= 3


def test_work_complexity_varies_by_department(ds: Dataset) -> None:
    by_dept = (
        ds.work.assign(department=ds.work["person_id"].map(dept_of(ds)))
        .groupby("department")[list(WORK_KINDS)]
        .mean()
    )
    assert by_dept.loc["Finance", "simple"] > by_dept.loc["Product", "simple"] + 0.15
    assert by_dept.loc["Product", "complex"] > by_dept.loc["Finance", "complex"] + 0.15


def test_every_department_reaches_the_minimum_group_size(ds: Dataset) -> None:
    respondents = ds.people[ds.people["responded"].astype(bool)]
    assert respondents["department"].value_counts().min() >= 5


# --- scale -----------------------------------------------------------------------------------


@pytest.mark.parametrize("people", [10, 30, 60, 1_000])
def test_other_sizes_work(people: int) -> None:
    small = generate(people)
    assert len(small.people) == people
    assert small.people["person_id"].is_unique
    assert len(small.ties) > 0 and len(small.interactions) > 0
    assert set(small.people["manager_id"]) - {""} <= set(small.people["person_id"])


def test_ties_per_person_for_benchmarks() -> None:
    big = generate(2_000, ties_per_person=20)
    per_wave = len(big.ties) / 2 / 2_000
    assert 17 <= per_wave <= 21
    assert big.people["team"].value_counts().between(5, 12).all()


# --- writing -------------------------------------------------------------------------------


def test_write_xlsx_sheets_wide_learning_and_trust(tmp_path: Path) -> None:
    small = generate(60)
    written = write_dataset(small, tmp_path / "org.xlsx")
    assert written == tmp_path / "org.xlsx"
    wb = openpyxl.load_workbook(written, read_only=True)
    assert wb.sheetnames == [
        "people",
        "ties",
        "learning",
        "interactions",
        "trust",
        "work",
        "skills",
        "role_skills",
    ]
    header = {name: [c.value for c in next(wb[name].iter_rows(max_row=1))] for name in wb.sheetnames}
    assert header["learning"] == ["person_id", "wave", *LEARNING_TYPE_CODES]
    assert header["trust"][:2] == ["person_id", "wave"] and "ks1" in header["trust"]
    assert "mode" not in header["interactions"]
    assert wb["learning"].max_row == len(small.learning) // 5 + 1


def test_write_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    small = generate(30)
    people = small.people.copy()
    people.loc[1, "name"] = '=HYPERLINK("http://x")'
    small.people = people
    written = write_dataset(small, tmp_path / "org.xlsx")
    cell = openpyxl.load_workbook(written)["people"]["B3"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_write_custom_trust_items_sheet(tmp_path: Path) -> None:
    small = generate(30)
    small.trust_items = pd.concat(
        [
            small.trust_items,
            pd.DataFrame([{"item": "ps1", "dimension": "trust", "reverse": False, "wording": "x"}]),
        ],
        ignore_index=True,
    )
    wb = openpyxl.load_workbook(write_dataset(small, tmp_path / "org.xlsx"), read_only=True)
    rows = list(wb["trust_items"].iter_rows(values_only=True))
    assert rows[0] == ("item", "dimension", "reverse", "wording") and [r[0] for r in rows[1:]] == ["ps1"]


def test_write_zip_of_csv(tmp_path: Path) -> None:
    small = generate(30)
    written = write_dataset(small, tmp_path / "org.zip")
    with zipfile.ZipFile(written) as zf:
        assert "people.csv" in zf.namelist() and "ties.csv" in zf.namelist()
        people = pd.read_csv(zf.open("people.csv"), dtype=str)
    assert len(people) == 30


def test_too_many_rows_for_excel_becomes_a_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = generate(30)
    monkeypatch.setattr(sample, "EXCEL_MAX_ROWS", len(small.ties))  # ties no longer fit with the header
    written = write_dataset(small, tmp_path / "org.xlsx")
    assert written == tmp_path / "org.zip" and zipfile.is_zipfile(written)


def test_cli_writes_the_default_sample(tmp_path: Path) -> None:
    out = tmp_path / "sample.xlsx"
    assert cli_main(["sample", str(out), "--people", "40", "--seed", "2"]) == 0
    assert out.exists()


def test_committed_sample_is_current_and_small(tmp_path: Path) -> None:
    committed = ROOT / "sample_data" / "sample_org.xlsx"
    assert committed.stat().st_size < 2 * 1024 * 1024
    fresh = write_dataset(generate(), tmp_path / "sample_org.xlsx")
    assert fresh.read_bytes() == committed.read_bytes(), (
        "regenerate: python -m lib.cli sample sample_data/sample_org.xlsx"
    )


# --- loading back (lib.intake.loader) ---------------------------------------------------------------

ROUND_TRIP_KEYS: dict[str, list[str]] = {
    "people": ["person_id"],
    "ties": ["source_id", "target_id", "relation", "wave"],
    "learning": ["person_id", "wave", "learning_type"],
    "trust": ["person_id", "wave", "item"],
    "work": ["person_id", "wave"],
    "skills": ["person_id", "skill", "wave"],
    "role_skills": ["role", "skill"],
    "interactions": [],
    "trust_items": ["item"],
}


@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
def test_round_trip_through_the_loader(tmp_path: Path, suffix: str) -> None:
    original = generate(120, seed=3)
    try:
        loaded = loader.load_path(write_dataset(original, tmp_path / f"org{suffix}"))
    except DataError as err:  # pragma: no cover - shows the findings when it fails
        pytest.fail("\n".join(f.line() for f in err.findings))
    assert [f for f in loaded.findings if f.severity != "note"] == []
    for name, keys in ROUND_TRIP_KEYS.items():
        a, b = getattr(original, name), getattr(loaded, name)
        if keys:
            a, b = a.sort_values(keys, ignore_index=True), b.sort_values(keys, ignore_index=True)
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False, obj=name
        )


def test_committed_sample_loads_without_findings() -> None:
    loaded = loader.load_path(ROOT / "sample_data" / "sample_org.xlsx")
    assert loaded.findings == []
    assert loaded.summary() == generate().summary()
