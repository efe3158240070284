"""Learning-type mix: shares per person, group mixes with suppression, references, network mix."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from lib.analysis import learning
from lib.core.dataset import Dataset
from lib.core.schema import LEARNING_TYPE_CODES

TYPES = list(LEARNING_TYPE_CODES)


def long_rows(person: str, hours: dict[str, float], wave: str = "") -> list[dict[str, object]]:
    return [{"person_id": person, "wave": wave, "learning_type": t, "hours": h} for t, h in hours.items()]


def make(people: dict[str, str], rows: list[dict[str, object]], ties: pd.DataFrame | None = None) -> Dataset:
    """people: id → team; department is "D" for everyone."""
    frame = pd.DataFrame(
        {
            "person_id": list(people),
            "name": [f"N{p}" for p in people],
            "team": list(people.values()),
            "department": "D",
        }
    )
    learning_table = pd.DataFrame(rows, columns=["person_id", "wave", "learning_type", "hours"])
    if ties is None:
        return Dataset(people=frame, learning=learning_table)
    return Dataset(people=frame, learning=learning_table, ties=ties)


def test_person_shares_by_hand() -> None:
    ds = make({"a": "T"}, long_rows("a", {"IOL": 2, "GDL": 1, "PDL": 1, "ASL": 0, "FSL": 4}))
    row = learning.person_mix(ds).iloc[0]
    assert row["total_hours"] == 8
    assert [row[t] for t in TYPES] == pytest.approx([0.25, 0.125, 0.125, 0.0, 0.5])
    assert row["hours_FSL"] == 4
    assert not row["zero_total"]


def test_zero_rows_are_reported_not_divided() -> None:
    ds = make({"a": "T", "z": "T"}, long_rows("a", {"IOL": 1}) + long_rows("z", {"IOL": 0, "FSL": 0}))
    mix = learning.person_mix(ds).set_index("person_id")
    assert bool(mix.loc["z", "zero_total"]) and mix.loc["z", "total_hours"] == 0
    assert all(math.isnan(mix.loc["z", t]) for t in TYPES)
    assert mix.loc["a", "IOL"] == 1.0


def test_empty_learning_sheet() -> None:
    ds = make({"a": "T"}, [])
    assert learning.person_mix(ds).empty
    summary = learning.overall_mix(ds)
    assert summary.respondents == 0 and summary.suppressed
    assert math.isnan(summary.informal_share)
    table = learning.group_mix(ds, "team")
    assert table.empty and {"team", "respondents", "IOL", "suppressed"} <= set(table.columns)
    assert learning.group_spread(ds, "team").empty


def test_one_respondent_has_shares_but_no_aggregate() -> None:
    ds = make({"a": "T"}, long_rows("a", {"IOL": 3, "FSL": 1}))
    assert learning.person_mix(ds)["FSL"].iloc[0] == 0.25
    summary = learning.overall_mix(ds)
    assert summary.respondents == 1 and summary.suppressed
    assert all(math.isnan(v) for v in summary.shares.values())


def test_people_outside_roster_are_ignored() -> None:
    ds = make({"a": "T"}, long_rows("a", {"IOL": 1}) + long_rows("ghost", {"FSL": 5}))
    assert list(learning.person_mix(ds)["person_id"]) == ["a"]


def test_waves_latest_by_default_and_undated_rows_in_every_wave() -> None:
    rows = long_rows("a", {"IOL": 1}, "2026-Q1") + long_rows("a", {"FSL": 3}, "2026-Q2")
    rows += long_rows("a", {"PDL": 1}, "")
    ds = make({"a": "T"}, rows)
    latest = learning.person_mix(ds).iloc[0]
    assert latest["wave"] == "2026-Q2"
    assert (latest["FSL"], latest["PDL"], latest["IOL"]) == pytest.approx((0.75, 0.25, 0.0))
    first = learning.person_mix(ds, "2026-Q1").iloc[0]
    assert (first["IOL"], first["PDL"]) == pytest.approx((0.5, 0.5))
    assert learning.learning_waves(ds) == ["2026-Q1", "2026-Q2"]


def five_people_one_formal() -> Dataset:
    """Four people learn only IOL, one only FSL, plus one zero row: mean IOL 0.8, FSL 0.2."""
    people = {p: "T" for p in "abcdez"}
    rows = [r for p in "abcd" for r in long_rows(p, {"IOL": 10})]
    rows += long_rows("e", {"FSL": 10}) + long_rows("z", {"GDL": 0})
    return make(people, rows)


def test_overall_mix_and_references_by_hand() -> None:
    s = learning.overall_mix(five_people_one_formal())
    assert (s.respondents, s.zero_total, s.suppressed) == (5, 1, False)
    assert s.shares == pytest.approx({"IOL": 0.8, "GDL": 0, "PDL": 0, "ASL": 0, "FSL": 0.2})
    assert s.informal_share == pytest.approx(0.8)
    assert s.self_directed_share == pytest.approx(0.8)
    assert s.buckets == pytest.approx({"experience": 0.0, "others": 0.8, "formal": 0.2})


def test_mean_of_shares_not_pooled_hours() -> None:
    """A heavy learner does not dominate: a: 90 h IOL, b..e: 1 h FSL → mean IOL share 0.2."""
    rows = long_rows("a", {"IOL": 90}) + [r for p in "bcde" for r in long_rows(p, {"FSL": 1})]
    s = learning.overall_mix(make({p: "T" for p in "abcde"}, rows))
    assert s.shares["IOL"] == pytest.approx(0.2)


def test_seventy_twenty_ten_mapping_is_a_partition() -> None:
    mapped = [t for b in learning.SEVENTY_TWENTY_TEN for t in b.types]
    assert sorted(mapped) == sorted(TYPES)
    assert sum(b.reference for b in learning.SEVENTY_TWENTY_TEN) == pytest.approx(1.0)
    assert [b.name for b in learning.SEVENTY_TWENTY_TEN] == ["experience", "others", "formal"]


def grouped() -> Dataset:
    """Team A: 6 respondents, B: 4 (must be hidden), C: 5 (hidden too, complementary)."""
    people = {
        **{f"a{i}": "A" for i in range(6)},
        **{f"b{i}": "B" for i in range(4)},
        **{f"c{i}": "C" for i in range(5)},
    }
    rows: list[dict[str, object]] = []
    for i in range(6):  # A: IOL shares 0, .2, .4, .6, .8, 1 (rest FSL)
        rows += long_rows(f"a{i}", {"IOL": 2 * i, "FSL": 10 - 2 * i})
    for i in range(4):
        rows += long_rows(f"b{i}", {"GDL": 1})
    for i in range(5):
        rows += long_rows(f"c{i}", {"PDL": 1})
    return make(people, rows)


def test_group_mix_suppresses_group_of_four_and_its_complement() -> None:
    table = learning.group_mix(grouped(), "team").set_index("team")
    # a hidden row shows neither its value nor its size
    assert table.loc["A", "respondents"] == 6 and table.loc[["B", "C"], "respondents"].isna().all()
    assert table.loc["B", "suppressed"] and table.loc["B", "suppressed_reason"] == "small"
    assert table.loc["C", "suppressed"] and table.loc["C", "suppressed_reason"] == "complementary"
    assert not table.loc["A", "suppressed"]
    assert math.isnan(table.loc["B", "GDL"]) and math.isnan(table.loc["C", "PDL"])
    assert table.loc["A", "IOL"] == pytest.approx(0.5)
    assert table.loc["A", "FSL"] == pytest.approx(0.5)
    assert table.loc["A", "informal_share"] == pytest.approx(0.5)
    # self-directed share per person = IOL share: sd of 0, .2, ..., 1 with n − 1
    expected_sd = pd.Series([0, 0.2, 0.4, 0.6, 0.8, 1.0]).std(ddof=1)
    assert table.loc["A", "self_directed_sd"] == pytest.approx(expected_sd)


def test_group_mix_without_total_risk_at_higher_minimum() -> None:
    table = learning.group_mix(grouped(), "team", min_size=6).set_index("team")
    assert list(table["suppressed"]) == [False, True, True]


def test_group_spread_quartiles_by_hand() -> None:
    spread = learning.group_spread(grouped(), "team")
    assert set(spread["team"]) == {"A"}  # hidden groups have no spread rows
    iol = spread[spread["learning_type"] == "IOL"].iloc[0]
    assert iol["n"] == 6
    assert iol["median"] == pytest.approx(0.5)
    # linear quantile of 0, .2, .4, .6, .8, 1 at 25%: position 1.25 → 0.25
    assert iol["p25"] == pytest.approx(0.25) and iol["p75"] == pytest.approx(0.75)


def test_group_mix_by_wave() -> None:
    rows = [r for p in "abcde" for r in long_rows(p, {"FSL": 1}, "w1")]
    rows += [r for p in "abcde" for r in long_rows(p, {"IOL": 1}, "w2")]
    table = learning.group_mix(make({p: "T" for p in "abcde"}, rows), "wave").set_index("wave")
    assert table.loc["w1", "FSL"] == 1.0 and table.loc["w2", "IOL"] == 1.0


def test_missing_attribute_goes_to_not_given() -> None:
    ds = five_people_one_formal()
    ds.people.loc[ds.people["person_id"] == "a", "team"] = None
    table = learning.group_mix(ds, "team")
    assert learning.NOT_GIVEN in set(table["team"])


def typed_ties() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": ["a", "b", "c", "a", "b"],
            "target_id": ["e", "e", "e", "d", "d"],
            "relation": "advice",
            "weight": [1.0, 3.0, 1.0, 4.0, 1.0],
            "learning_type": ["IOL", "IOL", "IOL", "FSL", ""],
            "mode": "",
            "topic": "",
            "wave": "",
        }
    )


def test_network_learning_mix_by_hand() -> None:
    ds = make({p: "T" for p in "abcde"}, [], typed_ties())
    mix = learning.network_learning_mix(ds).set_index("learning_type")
    assert mix.loc["IOL", "weight"] == 5 and mix.loc["FSL", "weight"] == 4
    assert mix.loc["IOL", "share"] == pytest.approx(5 / 9)
    assert mix.loc["GDL", "ties"] == 0
    assert mix.loc["IOL", "people"] == 4


def test_learning_hubs() -> None:
    ds = make({p: "T" for p in "abcde"}, [], typed_ties())
    hubs = learning.learning_hubs(ds)
    iol = hubs[hubs["learning_type"] == "IOL"].iloc[0]
    assert (iol["person_id"], iol["in_degree"], iol["weighted_in_degree"]) == ("e", 3, 5.0)
    assert list(hubs["learning_type"]) == ["IOL", "FSL"]
    assert learning.learning_hubs(make({"a": "T"}, [])).empty


def test_analysis_json_is_json() -> None:
    out = learning.analysis_json(grouped())
    text = json.dumps(out, allow_nan=False)
    assert '"per_department"' in text
    assert out["respondents"] == 15
    dept = out["per_department"]
    assert isinstance(dept, list) and dept[0]["department"] == "D"
    assert out["informal_share"] == pytest.approx(1 - out["shares"]["FSL"], abs=1e-3)  # type: ignore[index]


def test_both_references_say_what_they_mean() -> None:
    """70:20:10 is about where key lessons come from, not hours; 80% informal is the nearer
    reference for hours; and how ASL occasions enter the mix is stated (issue 17)."""
    from lib.analysis import learning

    assert "not of how time is spent" in learning.REFERENCES["70:20:10"][1]
    assert learning.REFERENCES["informal_share"][0] == 0.8
    assert "one hour each" in learning.REFERENCES["ASL"][1]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["p1", "p2", "p3", "p 4", "p4 ", "x9", None]),
            st.sampled_from(["IOL", " gdl ", "FSL", "asl", "xyz", "", None]),
            st.one_of(st.none(), st.sampled_from([0.0, 0.1, 0.2, 0.7, 1.5, 3.0, 1e-9, 12.25])),
            st.sampled_from(["2026-Q1", "2026-Q2", "", None]),
        ),
        min_size=1,
        max_size=14,
    ),
    roster=st.permutations(["p1", "p2", "p3", "p 4", None, "p2"]),
)
def test_person_hours_are_the_pivot_table_of_the_known_types_in_roster_order(
    rows: list[tuple[str | None, str | None, float | None, str | None]], roster: list[str | None]
) -> None:
    """Each roster person's hours per type in the latest wave: what pandas' pivot table sums (to
    the last bit, repeated rows of one type included), one row per person with a counted row, in
    the order of the people sheet (an id listed twice at its last place). Ids are exact text
    ("p4 " is not "p 4"); a missing id is nobody, even when the roster has a missing id; ids off the
    roster, unknown types and missing hours are left out; a blank wave counts in every wave."""
    frame = pd.DataFrame(
        {
            "person_id": pd.Series([r[0] for r in rows], dtype="str"),
            "wave": pd.Series([r[3] for r in rows], dtype="str"),
            "learning_type": pd.Series([r[1] for r in rows], dtype="str"),
            "hours": pd.Series([r[2] for r in rows], dtype=float),
        }
    )
    ds = Dataset(people=pd.DataFrame({"person_id": pd.Series(roster, dtype="str")}), learning=frame)
    labels = sorted({r[3] for r in rows} - {None, ""})
    plain = pd.DataFrame(
        {
            "person_id": frame["person_id"].astype(str).to_numpy(),
            "wave": frame["wave"].fillna("").to_numpy(),
            "learning_type": frame["learning_type"].fillna("").astype(str).str.strip().str.upper().to_numpy(),
            "hours": frame["hours"].to_numpy(dtype=float),
        }
    )
    on_roster = plain["person_id"].isin([p for p in roster if p is not None])
    in_wave = plain["wave"].isin([labels[-1], ""]) if labels else True
    plain = plain[plain["learning_type"].isin(TYPES) & plain["hours"].notna() & on_roster & in_wave]
    want = plain.pivot_table(
        index="person_id", columns="learning_type", values="hours", aggfunc="sum", fill_value=0.0
    )
    want = want.reindex(columns=TYPES, fill_value=0.0).astype(float)
    last = {p: i for i, p in enumerate(roster) if p is not None}
    want = want.loc[sorted(want.index, key=last.__getitem__)]
    got = learning.person_mix(ds)
    assert got["person_id"].tolist() == want.index.tolist()
    assert got[[f"hours_{t}" for t in TYPES]].to_numpy().tolist() == want.to_numpy().tolist()
    assert (got["wave"] == (labels[-1] if labels else "")).all()
