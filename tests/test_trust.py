"""Trust survey scales: Cronbach's alpha against hand-computed cases, reverse coding, missing
answers, favourable shares, response rate, waves, custom items and small-group suppression."""

from __future__ import annotations

import json
import math
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from lib.analysis import trust
from lib.core.dataset import Dataset, builtin_trust_items


def people(n: int, teams: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(1, n + 1)],
            "team": teams if teams is not None else ["T"] * n,
            "level": pd.array([3] * n, dtype="Int64"),
        }
    )


def answers(table: dict[str, dict[str, float | None]], wave: str = "2026-Q1") -> pd.DataFrame:
    """{person: {item: raw value}} → the long trust table (None = unanswered, row left out)."""
    rows = [
        {"person_id": p, "wave": wave, "item": item, "value": v}
        for p, items in table.items()
        for item, v in items.items()
        if v is not None
    ]
    return pd.DataFrame(rows, columns=["person_id", "wave", "item", "value"])


# --- Cronbach's alpha -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matrix", "expected"),
    [
        # item variances 10/3, 5/3, 5/3 (sum 20/3); totals 5, 8, 13, 14 have variance 18:
        # α = 3/2 · (1 − (20/3)/18) = 17/18
        ([[1, 2, 2], [2, 3, 3], [4, 4, 5], [5, 5, 4]], 17 / 18),
        # item variances 1 and 1; totals 2, 5, 5 have variance 3: α = 2 · (1 − 2/3) = 2/3
        ([[1, 1], [2, 3], [3, 2]], 2 / 3),
        # identical items: α = 2 · (1 − 2v/4v) = 1
        ([[1, 1], [3, 3], [5, 5]], 1.0),
        # item variances 1 and 4; totals 2, 5, 8 have variance 9: α = 2 · (1 − 5/9) = 8/9
        ([[1, 1], [2, 3], [3, 5]], 8 / 9),
    ],
)
def test_alpha_matches_the_textbook_formula_on_hand_computed_cases(
    matrix: list[list[int]], expected: float
) -> None:
    result = trust.cronbach_alpha(pd.DataFrame(matrix, dtype=float))
    assert result.alpha == pytest.approx(expected)
    assert result.respondents == len(matrix)
    assert result.items == len(matrix[0])


def test_alpha_agrees_with_the_mean_covariance_form_on_random_data() -> None:
    # α = k·c̄ / (v̄ + (k − 1)·c̄), c̄ the mean inter-item covariance, v̄ the mean item variance
    rng = np.random.default_rng(3)
    latent = rng.normal(size=40)
    data = np.clip(np.round(3 + latent[:, None] + rng.normal(scale=0.8, size=(40, 4))), 1, 5)
    cov = np.cov(data, rowvar=False, ddof=1)
    k = data.shape[1]
    v_bar = np.trace(cov) / k
    c_bar = (cov.sum() - np.trace(cov)) / (k * (k - 1))
    expected = k * c_bar / (v_bar + (k - 1) * c_bar)
    assert trust.cronbach_alpha(pd.DataFrame(data)).alpha == pytest.approx(expected)


def test_alpha_uses_complete_respondents_only_and_says_how_many() -> None:
    matrix = pd.DataFrame([[1, 2, 2], [2, 3, 3], [4, 4, 5], [5, 5, 4], [1, np.nan, 5]], dtype=float)
    result = trust.cronbach_alpha(matrix)
    assert result.alpha == pytest.approx(17 / 18)
    assert (result.respondents, result.excluded) == (4, 1)


@pytest.mark.parametrize(
    ("matrix", "reason"),
    [
        ([[1], [2], [3]], "two items"),
        ([[1, 2]], "two people"),
        ([[1, 2], [np.nan, 3], [4, np.nan]], "two people"),
        ([[1, 3], [2, 2], [3, 1]], "same total"),
        ([[3, 3], [3, 3]], "same total"),
    ],
)
def test_alpha_is_nan_with_a_reason_when_undefined(matrix: list[list[float]], reason: str) -> None:
    result = trust.cronbach_alpha(pd.DataFrame(matrix, dtype=float))
    assert math.isnan(result.alpha)
    assert reason in result.note
    assert not result.low


def test_low_alpha_carries_the_warning() -> None:
    result = trust.cronbach_alpha(pd.DataFrame([[1, 1], [2, 3], [3, 2]], dtype=float))
    assert result.low
    assert "do not hang together" in result.note


# --- reverse coding and person scores -------------------------------------------------------


def test_reverse_coded_item_scores_six_minus_the_answer() -> None:
    ds = Dataset(people=people(1), trust=answers({"p1": {"ks1": 4, "ks2": 5, "ks3": 2}}))
    scored = trust.scored_answers(ds).set_index("item")
    assert scored.loc["ks3", "value"] == 2
    assert scored.loc["ks3", "score"] == 4
    assert scored.loc["ks1", "score"] == 4
    score = trust.person_scores(ds).set_index("dimension").loc["knowledge_sharing", "score"]
    assert score == pytest.approx((4 + 5 + 4) / 3)


def test_alpha_is_computed_after_reverse_coding() -> None:
    # ks3 raw answers 4, 3, 1, 2 reverse to 2, 3, 5, 4: the 17/18 matrix above
    raw = {"ks1": [1, 2, 4, 5], "ks2": [2, 3, 4, 5], "ks3": [4, 3, 1, 2]}
    table = {f"p{i + 1}": {item: vals[i] for item, vals in raw.items()} for i in range(4)}
    ds = Dataset(people=people(4), trust=answers(table))
    row = trust.dimension_summary(ds).set_index("dimension").loc["knowledge_sharing"]
    assert row["alpha"] == pytest.approx(17 / 18)
    assert row["alpha_n"] == 4
    # without reverse coding the same answers would not hang together
    raw_alpha = trust.cronbach_alpha(pd.DataFrame(raw, dtype=float)).alpha
    assert raw_alpha < 0.7


@pytest.mark.parametrize(
    ("given", "min_items", "expected"),
    [
        ({"ks1": 4, "ks2": None, "ks3": None}, 2, math.nan),  # one of three answered: below the minimum
        ({"ks1": 4, "ks2": None, "ks3": None}, 1, 4.0),
        ({"ks1": 4, "ks2": 2, "ks3": None}, 2, 3.0),  # mean of the two answered
        ({"ks1": 4, "ks2": None, "ks3": 1}, 2, 4.5),  # 4 and 6 − 1
        ({"ks1": 4, "ks2": 2, "ks3": 1}, 3, (4 + 2 + 5) / 3),
    ],
)
def test_person_score_needs_the_minimum_of_answered_items(
    given: dict[str, float | None], min_items: int, expected: float
) -> None:
    # p2 answers every item so that all three items count as asked
    ds = Dataset(people=people(2), trust=answers({"p1": given, "p2": {"ks1": 3, "ks2": 3, "ks3": 3}}))
    scores = trust.person_scores(ds, min_items=min_items).set_index("person_id")
    assert scores.loc["p1", "items"] == 3
    if math.isnan(expected):
        assert math.isnan(scores.loc["p1", "score"])
    else:
        assert scores.loc["p1", "score"] == pytest.approx(expected)


def test_blank_and_out_of_range_answers_are_missing_not_zero() -> None:
    trust_rows = pd.DataFrame(
        {
            "person_id": ["p1", "p1", "p1", "p2", "p2", "p2"],
            "wave": [""] * 6,
            "item": ["tr1", "tr2", "tr3", "tr1", "tr2", "tr3"],
            "value": [5.0, np.nan, 7.0, 2.0, 4.0, 4.0],
        }
    )
    ds = Dataset(people=people(2), trust=trust_rows)
    scores = trust.person_scores(ds, min_items=1).set_index("person_id")
    assert scores.loc["p1", "answered"] == 1
    assert scores.loc["p1", "score"] == 5.0
    assert scores.loc["p2", "score"] == pytest.approx((2 + 4 + 2) / 3)


# --- summaries ------------------------------------------------------------------------------


def test_dimension_summary_means_favourable_and_items_by_hand() -> None:
    table = {
        "p1": {"tr1": 5, "tr2": 4, "tr3": 1},  # scores 5, 4, 5 → 14/3, all favourable
        "p2": {"tr1": 2, "tr2": 3, "tr3": 4},  # scores 2, 3, 2 → 7/3, none favourable
        "p3": {"tr1": 4, "tr2": None, "tr3": 3},  # scores 4, 3 → 3.5; one favourable
    }
    ds = Dataset(people=people(3), trust=answers(table))
    row = trust.dimension_summary(ds).set_index("dimension").loc["trust"]
    assert row["respondents"] == 3
    assert row["mean"] == pytest.approx((14 / 3 + 7 / 3 + 3.5) / 3)
    assert row["favourable"] == pytest.approx(4 / 8)
    assert row["alpha_n"] == 2  # p3 skipped an item: left out of alpha (listwise)
    assert row["label"] == "Trust"
    items = trust.item_summary(ds).set_index("item")
    assert items.loc["tr3", "raw_mean"] == pytest.approx((1 + 4 + 3) / 3)
    assert items.loc["tr3", "mean"] == pytest.approx((5 + 2 + 3) / 3)
    assert items.loc["tr1", "favourable"] == pytest.approx(2 / 3)
    assert items.loc["tr2", "answers"] == 2


def test_response_rate_counts_roster_people_with_an_answer() -> None:
    table = {"p1": {"tr1": 4}, "p2": {"ks1": 2}, "ghost": {"tr1": 5}}
    ds = Dataset(people=people(8), trust=answers(table))
    rate = trust.response_rate(ds)
    assert (rate.respondents, rate.people) == (2, 8)
    assert rate.rate == pytest.approx(0.25)


def test_latest_wave_is_the_default_and_waves_can_be_chosen() -> None:
    first = answers({"p1": {"tr1": 1, "tr2": 1}, "p2": {"tr1": 1, "tr2": 1}}, wave="2026-Q1")
    second = answers({"p1": {"tr1": 5, "tr2": 5}}, wave="2026-Q2")
    ds = Dataset(people=people(2), trust=pd.concat([first, second], ignore_index=True))
    assert trust.survey_waves(ds) == ["2026-Q1", "2026-Q2"]
    assert trust.dimension_summary(ds).set_index("dimension").loc["trust", "mean"] == 5.0
    assert trust.dimension_summary(ds, "2026-Q1").set_index("dimension").loc["trust", "mean"] == 1.0
    assert trust.response_rate(ds).respondents == 1
    by_wave = trust.scores_by_wave(ds).set_index("wave")
    assert list(by_wave["mean"]) == [1.0, 5.0]


def test_custom_items_and_the_last_mapping_wins() -> None:
    custom = pd.DataFrame(
        {
            "item": ["q_new", "tr1"],
            "dimension": ["trust", "trust"],
            "reverse": [True, True],
            "wording": ["", ""],
        }
    )
    items = pd.concat([builtin_trust_items(), custom], ignore_index=True)
    ds = Dataset(
        people=people(1),
        trust=answers({"p1": {"tr1": 2, "q_new": 1, "odd": 3}}),
        trust_items=items,
    )
    scored = trust.scored_answers(ds).set_index("item")
    assert scored.loc["tr1", "score"] == 4  # now reverse-coded: 6 − 2
    assert scored.loc["q_new", "score"] == 5
    assert trust.unmapped_items(ds) == ["odd"]
    assert "odd" not in scored.index


def test_a_custom_dimension_is_summarised_after_the_built_in_ones() -> None:
    custom = pd.DataFrame(
        {
            "item": ["c1", "c2"],
            "dimension": ["openness", "openness"],
            "reverse": [False, False],
            "wording": ["", ""],
        }
    )
    ds = Dataset(
        people=people(2),
        trust=answers({"p1": {"c1": 4, "c2": 4, "tr1": 3}, "p2": {"c1": 2, "c2": 3, "tr1": 3}}),
        trust_items=pd.concat([builtin_trust_items(), custom], ignore_index=True),
    )
    summary = trust.dimension_summary(ds)
    assert list(summary["dimension"]) == ["trust", "openness"]
    assert summary.set_index("dimension").loc["openness", "mean"] == pytest.approx(3.25)


# --- groups and privacy ---------------------------------------------------------------------


def test_group_means_shown_only_for_groups_of_the_minimum_size() -> None:
    teams = ["A"] * 5 + ["B"] * 6 + ["C"] * 2
    table = {}
    for i, team in enumerate(teams, start=1):
        v = {"A": 4, "B": 2, "C": 5}[team]
        table[f"p{i}"] = {"tr1": v, "tr2": v}
    ds = Dataset(people=people(13, teams), trust=answers(table))
    out = trust.scores_by_group(ds, "team", min_size=5)
    out = out[out["dimension"] == "trust"].set_index("group")
    assert out.loc["C", "suppressed_reason"] == "small"
    assert math.isnan(out.loc["C", "mean"])
    # with C hidden alone, the smallest shown group is hidden too, or C = total − A − B
    assert out.loc["A", "suppressed_reason"] == "complementary"
    assert not out.loc["B", "suppressed"]
    assert out.loc["B", "mean"] == 2.0
    assert out.loc["B", "respondents"] == 6


def test_group_table_without_suppression_by_hand() -> None:
    teams = ["A"] * 5 + ["B"] * 5
    table = {f"p{i}": {"ks1": 1 + (i % 5), "ks2": 3} for i in range(1, 11)}
    ds = Dataset(people=people(10, teams), trust=answers(table))
    out = trust.scores_by_group(ds, "team", min_size=5)
    ks = out[out["dimension"] == "knowledge_sharing"].set_index("group")
    assert not ks["suppressed"].any()
    # A: p1..p5 → ks1 = 2, 3, 4, 5, 1; with ks2 = 3 person means 2.5, 3, 3.5, 4, 2
    assert ks.loc["A", "mean"] == pytest.approx(3.0)
    assert ks.loc["A", "favourable"] == pytest.approx(2 / 10)
    with pytest.raises(ValueError, match="cannot be below"):
        trust.scores_by_group(ds, "team", min_size=3)


# --- edge cases and the command line --------------------------------------------------------


def test_no_trust_sheet_gives_empty_tables_not_errors() -> None:
    ds = Dataset(people=people(3))
    assert len(trust.dimension_summary(ds)) == 0
    assert len(trust.item_summary(ds)) == 0
    assert trust.response_rate(ds).respondents == 0
    assert len(trust.scores_by_group(ds, "team")) == 0
    result = trust.analysis_json(ds)
    assert result["response_rate"] == 0.0
    assert result["dimensions"] == {}
    json.dumps(result, allow_nan=False)


def test_analysis_json_has_mean_alpha_and_respondents_per_dimension() -> None:
    raw = {"ks1": [1, 2, 4, 5], "ks2": [2, 3, 4, 5], "ks3": [4, 3, 1, 2]}
    table = {f"p{i + 1}": {item: vals[i] for item, vals in raw.items()} for i in range(4)}
    ds = Dataset(people=people(5), trust=answers(table))
    result = trust.analysis_json(ds)
    json.dumps(result, allow_nan=False)
    ks = result["dimensions"]["knowledge_sharing"]  # type: ignore[index]
    assert ks["alpha"] == pytest.approx(17 / 18, abs=1e-6)
    assert ks["respondents"] == 4
    assert ks["mean"] == pytest.approx((5 / 3 + 8 / 3 + 13 / 3 + 14 / 3) / 4, abs=1e-6)
    assert result["response_rate"] == pytest.approx(0.8)


def test_answers_without_a_wave_belong_to_every_wave() -> None:
    labelled = answers({"p1": {"tr1": 5, "tr2": 5}}, wave="2026-Q2")
    blank = answers({"p2": {"tr1": 1, "tr2": 1}}, wave="")
    ds = Dataset(people=people(2), trust=pd.concat([labelled, blank], ignore_index=True))
    assert trust.survey_waves(ds) == ["2026-Q2"]
    summary = trust.dimension_summary(ds).set_index("dimension")
    assert summary.loc["trust", "respondents"] == 2
    assert summary.loc["trust", "mean"] == 3.0
    # "" means no wave chosen, as None: the latest wave (lib.core.waves); it used to select only
    # the blank-wave answers (p2 alone)
    assert trust.resolve_wave(ds, "") == "2026-Q2"
    pd.testing.assert_frame_equal(trust.dimension_summary(ds, ""), trust.dimension_summary(ds))
    unlabelled = Dataset(people=people(2), trust=blank)
    assert trust.resolve_wave(unlabelled, None) is None
    assert trust.response_rate(unlabelled).respondents == 1


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["p1", "p2", "p3", None]),
            st.sampled_from(["q1", "q2", None]),
            st.integers(1, 5),
        ),
        max_size=12,
    ),
    wave=st.sampled_from(["", "2026-Q1", None]),
)
def test_mean_per_item_is_the_plain_grouped_mean(
    rows: list[tuple[str | None, str | None, int]], wave: str | None
) -> None:
    """With or without repeated answers and missing keys, the shortcut gives what pandas' grouped
    mean gives: the same rows, order, values and column types."""
    frame = pd.DataFrame(
        {
            "person_id": pd.Series([r[0] for r in rows], dtype="str"),
            "item": pd.Series([r[1] for r in rows], dtype="str"),
            "value": pd.Series([float(r[2]) for r in rows], dtype=float),
        }
    ).assign(wave=wave)
    plain = frame.groupby(["person_id", "wave", "item"], as_index=False, sort=False).agg(
        value=("value", "mean")
    )
    pd.testing.assert_frame_equal(trust._mean_per_item(frame), plain)


def _grouped(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """scored_answers by the general path alone: grouped per person and item, merged on item text."""
    with mock.patch.object(trust, "_scored_by_codes", return_value=None):
        return trust._scored(ds, trust.resolve_wave(ds, wave))


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["p1", "p2", "p 3", "p3 ", "x9", None]),
            st.sampled_from(["ks1", " ks2", "ks2", "rc1 ", "zz", None]),
            st.sampled_from([1.0, 2.0, 4.0, 5.0, 2.5, 0.0, 7.0, None]),
            st.sampled_from(["2026-Q1", "2026-Q2", "", None]),
        ),
        max_size=14,
    ),
    roster=st.lists(st.sampled_from(["p1", "p2", "p 3", "p3", None]), max_size=5),
)
def test_scored_answers_by_codes_are_the_grouped_and_merged_answers(
    rows: list[tuple[str | None, str | None, float | None, str | None]], roster: list[str | None]
) -> None:
    """Whatever the answers (ids and items with spaces, missing, off the roster or unmapped,
    repeated answers, blank waves, values out of range) and roster (empty, with a missing id or an
    id listed twice), the scored answers of every wave are what grouping per person and item and
    merging the item mapping on text give: the same rows, order, values and column types."""
    ds = Dataset(
        people=pd.DataFrame({"person_id": pd.Series(roster, dtype="str")}),
        trust=pd.DataFrame(
            {
                "person_id": pd.Series([r[0] for r in rows], dtype="str"),
                "wave": pd.Series([r[3] for r in rows], dtype="str"),
                "item": pd.Series([r[1] for r in rows], dtype="str"),
                "value": pd.Series([r[2] for r in rows], dtype=float),
            }
        ),
    )
    for wave in [None, *trust.survey_waves(ds)]:
        pd.testing.assert_frame_equal(trust.scored_answers(ds, wave), _grouped(ds, wave))


def test_usual_answers_with_odd_ids_and_items_are_scored_by_codes() -> None:
    """Ids with spaces, ids off the roster or missing, items with spaces or unmapped, a roster
    listing an id twice: no answer repeats, so the codes give the table, equal to the grouped one."""
    ds = Dataset(
        people=pd.DataFrame({"person_id": ["p 1", "p2", "p3", "p2"]}),
        trust=pd.DataFrame(
            {
                "person_id": ["p 1", "p 1", "p2", "p1", None, "p3 ", "p3", "p2", "p3"],
                "wave": [
                    "2026-Q1",
                    "2026-Q1",
                    "",
                    "2026-Q1",
                    "2026-Q1",
                    "2026-Q1",
                    "2026-Q1",
                    "2026-Q2",
                    None,
                ],
                "item": ["ks1", " ks3 ", "ks1", "ks1", "ks1", "ks1", "ks1", "ks2", "unmapped"],
                "value": [4.0, 2.0, 5.0, 3.0, 3.0, 1.0, 2.0, 4.0, 5.0],
            }
        ),
    )
    chosen = trust.resolve_wave(ds, "2026-Q1")
    got = trust._scored_by_codes(
        ds, chosen, *(ds.trust[c].iloc[[0, 1, 2, 3, 4, 5, 6, 8]] for c in ("person_id", "item")), np.ones(8)
    )
    assert got is not None  # the codes path, not the grouping
    answers = trust.scored_answers(ds, "2026-Q1")
    pd.testing.assert_frame_equal(answers, _grouped(ds, "2026-Q1"))
    assert answers["person_id"].tolist() == ["p 1", "p 1", "p2", "p3"]
    assert answers["item"].tolist() == ["ks1", "ks3", "ks1", "ks1"]
    assert answers["score"].tolist() == [4.0, 4.0, 5.0, 2.0]  # ks3 is reverse-coded: 6 − 2


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["p1", "p10", "p2", "P2", "p 2", "é", "", "Z"]),
            st.sampled_from(["knowledge_sharing", "autonomy", "B", "a", "é", None]),
            st.sampled_from(["ks1", "ks2", "x", "X", None]),
            st.sampled_from([1.0, 2.0, 5.0, 0.1, 1 / 3, 1e-12]),
        ),
        min_size=1,
        max_size=16,
    )
)
def test_scores_per_person_and_dimension_are_the_grouped_ones(
    rows: list[tuple[str, str | None, str | None, float]],
) -> None:
    """Grouping on integer codes in the texts' sorted order gives what grouping on the two text
    columns gives (groups sorted as text, missing dimensions dropped, each mean to the last bit);
    the items asked per dimension are the distinct pairs, in order of first appearance."""
    answers = pd.DataFrame(
        {
            "person_id": pd.Series([r[0] for r in rows], dtype="str"),
            "dimension": pd.Series([r[1] for r in rows], dtype="str"),
            "item": pd.Series([r[2] for r in rows], dtype="str"),
            "score": [r[3] for r in rows],
        }
    )
    plain = answers.groupby(["person_id", "dimension"], as_index=False).agg(
        answered=("score", "size"), mean=("score", "mean")
    )
    grouped, dimensions = trust._per_person_and_dimension(answers)
    if dimensions is not None:  # the integer-key path: each row's dimension by position
        assert dimensions[grouped.pop("_dimension")].tolist() == grouped["dimension"].tolist()
    pd.testing.assert_frame_equal(grouped, plain)
    asked: dict[str, set[str]] = {}
    for dim, item in answers[["dimension", "item"]].drop_duplicates().itertuples(index=False):
        asked.setdefault(str(dim), set()).add(str(item))
    assert trust._items_asked(answers) == {d: sorted(i) for d, i in asked.items()}
    assert list(trust._items_asked(answers)) == list(asked)
