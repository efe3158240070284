"""The Overview's faster compute paths (issue 19) give what the slower ones gave.

* the trust section reads the dimension means without the bootstrap intervals and omega;
* :func:`lib.analysis.hierarchy.classify_ties` is computed once per dataset (each caller a copy);
* above :data:`~lib.analysis.hierarchy.PERMUTATION_SCIPY_LIMIT` people the seniority permutation
  test shuffles in O(n): the same test, so the same verdict and a p-value within Monte-Carlo error.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lib.analysis import hierarchy, overview, trust
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.intake.sample import generate


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return generate(people=400, seed=11)


def test_trust_means_without_intervals_are_the_same(ds: Dataset) -> None:
    for wave in ds.waves:
        full = trust.shown_summary(ds, wave, 5)
        quick = trust.shown_summary(ds, wave, 5, intervals=False)
        same = ["dimension", "label", "respondents", "mean", "sd", "favourable", "alpha", "suppressed"]
        pd.testing.assert_frame_equal(full[same], quick[same])
        assert full["mean_low"].notna().any() and quick[["mean_low", "alpha_low", "omega"]].isna().all().all()
        # the Overview's trust facts, against the weakest dimension read from the full summary
        shown = privacy.shown(full)
        weakest = shown.iloc[int(np.nanargmin(shown["mean"].astype(float)))]
        org = overview.facts_section(ds, "trust", wave, 5).org
        assert org["weakest_dimension"] == weakest["label"]
        assert org["weakest_dimension_mean"] == pytest.approx(float(weakest["mean"]), abs=0)


def test_classified_ties_are_computed_once_and_each_caller_gets_a_copy(ds: Dataset) -> None:
    first = hierarchy.classify_ties(ds, wave=ds.waves[-1])
    assert len(first) > 0
    first.loc[:, "level_direction"] = "tampered"
    again = hierarchy.classify_ties(ds, wave=ds.waves[-1])
    assert (again["level_direction"] != "tampered").all()
    fresh = hierarchy.classify_ties(generate(people=400, seed=11), wave=ds.waves[-1])  # new object, no memo
    pd.testing.assert_frame_equal(again, fresh)
    other = hierarchy.classify_ties(ds, wave=ds.waves[0])
    assert not other.equals(again)  # the key holds the wave


def _scipy_p(x: np.ndarray, y: np.ndarray) -> float:
    def rho(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        a = a - a.mean(axis=axis, keepdims=True)
        b = b - b.mean(axis=axis, keepdims=True)
        return np.asarray((a * b).sum(axis=axis) / np.sqrt((a * a).sum(axis=axis) * (b * b).sum(axis=axis)))

    res = stats.permutation_test(
        (x, y), rho, permutation_type="pairings", n_resamples=999, vectorized=True, random_state=1
    )
    return float(res.pvalue)


@pytest.mark.parametrize("strength", [0.0, 0.04, 0.3])
def test_the_large_permutation_test_agrees_with_scipys(strength: float) -> None:
    n = hierarchy.PERMUTATION_SCIPY_LIMIT + 500
    rng = np.random.default_rng(5)
    level = rng.integers(1, 8, n).astype(float)
    in_degree = np.maximum(0, np.round(rng.poisson(3, n) - strength * 10 * (level - 4)))
    degrees = pd.DataFrame({"in_degree": in_degree, "level": level})
    ours = hierarchy.seniority_correlation(degrees)
    x = stats.rankdata(in_degree)
    y = stats.rankdata(-level)
    theirs = _scipy_p(x, y)
    assert ours.rho == pytest.approx(stats.spearmanr(x, y).statistic)
    # two independent runs of the same 999-draw test: p differs by Monte-Carlo error only
    se = math.sqrt(max(theirs * (1 - theirs), 1 / 999) / 999)
    assert abs(ours.p_permutation - theirs) <= 2 * max(4 * se, 0.004)
    assert (ours.p_permutation < 0.05) == (theirs < 0.05) or abs(theirs - 0.05) < 0.03
    if strength >= 0.3:
        assert ours.p_permutation == theirs == 2 / 1000  # nothing in the null comes near


def test_the_large_permutation_test_is_the_documented_shuffle_of_seniority() -> None:
    """Above the limit each draw is a shuffle of seniority's ranks by
    ``default_rng(PERMUTATION_SEED).permuted``: the p-value is exactly the one those draws give
    (the function shuffles small codes of the ranks, which must draw the same permutations)."""
    n = hierarchy.PERMUTATION_SCIPY_LIMIT + 500
    rng = np.random.default_rng(11)
    level = rng.integers(1, 8, n).astype(float)
    in_degree = np.maximum(0, rng.poisson(3, n) - (rng.random(n) < 0.03 * (level - 1)))
    ours = hierarchy.seniority_correlation(pd.DataFrame({"in_degree": in_degree, "level": level}))
    x, y = stats.rankdata(in_degree), stats.rankdata(-level)

    def rho(b: np.ndarray) -> np.ndarray:
        a = x - x.mean()
        b = b - b.mean(axis=-1, keepdims=True)
        return np.asarray((a * b).sum(axis=-1) / np.sqrt((a * a).sum() * (b * b).sum(axis=-1)))

    shuffles = np.random.default_rng(hierarchy.PERMUTATION_SEED).permuted(
        np.broadcast_to(y, (999, n)), axis=1
    )
    null, observed = rho(shuffles), float(rho(y))
    gamma = abs(np.finfo(float).eps * 100 * observed)
    hits = min(int((null >= observed - gamma).sum()), int((null <= observed + gamma).sum()))
    assert 0.002 < ours.p_permutation == min(1.0, 2 * (hits + 1) / 1000)


def test_small_organisations_keep_scipys_permutation_test() -> None:
    rng = np.random.default_rng(3)
    n = 300
    level = rng.integers(1, 6, n).astype(float)
    in_degree = rng.poisson(3, n).astype(float)
    ours = hierarchy.seniority_correlation(pd.DataFrame({"in_degree": in_degree, "level": level}))
    x, y = stats.rankdata(in_degree), stats.rankdata(-level)

    def rho(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        a = a - a.mean(axis=axis, keepdims=True)
        b = b - b.mean(axis=axis, keepdims=True)
        return np.asarray((a * b).sum(axis=axis) / np.sqrt((a * a).sum(axis=axis) * (b * b).sum(axis=axis)))

    expected = stats.permutation_test(
        (x, y),
        rho,
        permutation_type="pairings",
        n_resamples=999,
        vectorized=True,
        random_state=hierarchy.PERMUTATION_SEED,
    ).pvalue
    assert ours.p_permutation == float(expected)


def test_the_learning_and_shifts_sections_compute_the_mix_once_and_give_the_same_facts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The learning tile's section reads the shares without their interval; the shifts section
    # computes the full mix (with its bootstrap) once, for the GDL shift and the tile's interval.
    from lib.analysis import flows, learning, shifts

    wave = generate(people=300, seed=4).waves[-1]
    # what the section read before: each function called on its own
    plain = generate(people=300, seed=4)
    mix = learning.overall_mix(plain, wave, 5)
    expected_flow = flows.flow_share(plain, wave).share
    expected_shifts = {s.code: s.score for s in shifts.scorecard(generate(people=300, seed=4), wave, 5)}

    calls: list[object] = []
    real = learning.overall_mix

    def counted(*args: object, **kwargs: object) -> learning.MixSummary:
        calls.append(args[1:])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shifts, "overall_mix", counted)
    fresh = generate(people=300, seed=4)
    org = overview.merge_facts(
        [overview.facts_section(fresh, name, wave, 5) for name in ("learning", "shifts")]
    ).org
    assert len(calls) == 1
    assert org["informal_share"] == mix.informal_share
    assert (org["informal_share_low"], org["informal_share_high"]) == mix.informal_share_ci
    assert org["flow_share"] == expected_flow
    assert {k[len("shift_") :]: v for k, v in org.items() if k.startswith("shift_")} == expected_shifts


def test_analyze_trust_json_is_the_same_without_the_intervals(ds: Dataset) -> None:
    summary = trust.dimension_summary(ds)  # with the intervals, as analyze computed it before
    assert summary["mean_low"].notna().any()
    got = trust.analysis_json(ds)["dimensions"]
    assert isinstance(got, dict) and set(got) == set(summary["dimension"])
    for row in summary.to_dict("records"):
        assert got[row["dimension"]] == {
            "mean": round(row["mean"], 6),  # as the JSON rounds them (trust._num)
            "alpha": round(row["alpha"], 6),
            "alpha_respondents": row["alpha_n"],
            "respondents": row["respondents"],
            "favourable": round(row["favourable"], 6),
        }


@pytest.mark.parametrize(
    ("module", "name", "column"),
    [("skills", "current_levels", "level"), ("learning", "person_mix", "total_hours")],
)
def test_per_wave_tables_are_computed_once_and_each_caller_gets_a_copy(
    ds: Dataset, module: str, name: str, column: str
) -> None:
    import importlib

    table = getattr(importlib.import_module(f"lib.analysis.{module}"), name)
    wave = ds.waves[-1]
    first = table(ds, wave)
    assert len(first) > 0
    first.loc[:, column] = -1.0
    again = table(ds, wave)
    assert (again[column] >= 0).all()
    pd.testing.assert_frame_equal(again, table(generate(people=400, seed=11), wave))
    assert not table(ds, ds.waves[0]).equals(again)  # the key holds the wave


def test_group_codes_are_remembered_per_attribute_and_order(ds: Dataset) -> None:
    from lib.analysis import network

    ids = ds.people["person_id"].astype(str).tolist()
    codes, labels = network.group_codes(ds, "department", ids)
    assert len(labels) > 1 and (codes >= 0).all()
    codes[:] = -7
    labels.append("tampered")
    again, again_labels = network.group_codes(ds, "department", ids)
    assert (again >= 0).all() and "tampered" not in again_labels
    fresh, fresh_labels = network.group_codes(generate(people=400, seed=11), "department", ids)
    np.testing.assert_array_equal(again, fresh)
    assert again_labels == fresh_labels
    backwards, _ = network.group_codes(ds, "department", ids[::-1])  # the key holds the order
    np.testing.assert_array_equal(backwards, again[::-1])
    _, level_labels = network.group_codes(ds, "level", ids)  # and the attribute
    assert level_labels != again_labels
    # people as the default order, and an unknown id coded −1
    np.testing.assert_array_equal(network.group_codes(ds, "department")[0], again)
    assert network.group_codes(ds, "department", ["nobody", ids[0]])[0].tolist() == [-1, again[0]]


def test_the_scorecard_is_computed_once_and_each_caller_gets_copies(ds: Dataset) -> None:
    from lib.analysis import shifts

    wave = ds.waves[-1]
    first = shifts.scorecard(ds, wave, 5)
    with_details = next(s for s in first if s.details)
    name = next(iter(with_details.details))
    with_details.details[name] = -123.0
    first.pop()
    again = shifts.scorecard(ds, wave, 5)
    assert len(again) == len(shifts.SHIFTS)
    assert next(s for s in again if s.code == with_details.code).details[name] != -123.0
    fresh = shifts.scorecard(generate(people=400, seed=11), wave, 5)  # new object, no memo
    assert [s.as_dict() for s in again] == [s.as_dict() for s in fresh]
    assert shifts.scorecard(ds, None, 5) == again  # None is the latest wave: the same entry
    assert [s.as_dict() for s in shifts.scorecard(ds, ds.waves[0], 5)] != [s.as_dict() for s in again]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spearman_per_draw_is_scipys_on_the_repeated_rows(seed: int) -> None:
    """The wirearchy interval's Spearman per draw, from the counts of each (x, y) value pair drawn
    (codes over every row; some rows weigh 0, as in a bootstrap draw), equals scipy on the rows
    repeated as often as they are drawn; a draw with one x value is undefined."""
    from lib.analysis.wirearchy import _spearman_draws

    rng = np.random.default_rng(seed)
    x = rng.integers(0, 12, 300).astype(float)
    y = -rng.integers(1, 6, 300).astype(float)
    w = rng.poisson(1.0, (20, 300))  # about a third weigh 0 in each draw
    w[-1] = np.where(x == x[0], w[-1], 0)  # the last draw: one x value only
    cx, cy = np.unique(x, return_inverse=True)[1], np.unique(y, return_inverse=True)[1]
    ky = int(cy.max()) + 1
    pairs, pair_of = np.unique(cx * ky + cy, return_inverse=True)
    joint = np.stack([np.bincount(pair_of, weights=row, minlength=len(pairs)) for row in w])
    rho, n = _spearman_draws(pairs // ky, pairs % ky, joint)
    for row, r, k in zip(w[:-1], rho[:-1], n[:-1], strict=True):
        expected = stats.spearmanr(np.repeat(x, row), np.repeat(y, row)).statistic
        assert r == pytest.approx(expected, abs=1e-12) and k == int(row.sum())
    assert math.isnan(rho[-1]) and n[-1] == int(w[-1].sum())


@pytest.mark.parametrize("seed", [3, 7])
def test_index_of_each_draw_is_the_component_rows_index(seed: int) -> None:
    """The bootstrap's vectorised index per draw equals, draw by draw, the index that
    _component_rows and _weighted give for that draw's inputs (the one place the component
    formulas are written out for the page), on ordinary draws and on a draw of one respondent."""
    from lib.analysis import wirearchy as wi
    from lib.analysis.hierarchy import Correlation

    ds = generate(people=300, seed=seed)
    context, people = wi._people_inputs(ds, wi.resolve_wave(ds, None))
    units = np.flatnonzero(people.unit)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(units), (40, len(units)))
    draws[0] = 0  # one respondent drawn every time (the others held fixed)
    keys = [c.key for c in wi.INDEX_COMPONENTS]
    weights = np.array([wi._weights(None)[k] for k in keys])
    d = wi._inputs_drawn(people, units, draws)
    got = wi._index_draws(d, context, people.hierarchy.value, weights)
    for j in range(len(draws)):
        survey = {
            dim: (float(d.survey_sum[j, i] / d.survey_n[j, i]), int(d.survey_n[j, i]))
            for i, dim in enumerate(wi.WIREARCHY_DIMENSIONS)
            if d.survey_n[j, i]
        }
        ties, up, down, cross, returned, known, bypass = (int(v) for v in d.sent[j])
        inputs = wi._Inputs(
            survey, ties, up, down, cross, returned, known, bypass, people.hierarchy,
            Correlation(float(d.rho[j]), 0, math.nan),
        )  # fmt: skip
        rows = {str(r["component"]): r["value"] for r in wi._component_rows(inputs, context)}
        expected = wi._weighted(np.array([rows[k] for k in keys], dtype=float), weights)[1]
        assert got[j] == pytest.approx(expected, abs=1e-9)
    assert len(set(got.tolist())) > 30  # the draws differ: the comparison is not of one value


def test_overall_mix_of_none_and_of_the_latest_label_is_one_computation() -> None:
    """``overall_mix(ds)`` (None: the learning sheet's latest wave) and ``overall_mix(ds, that
    label)`` give the same mix, so they share one memo entry (analyze's learning section and the
    GDL shift both read it); an earlier wave is another entry with another mix."""
    from lib.analysis import learning

    ds = generate(people=300, seed=5)
    latest = learning.learning_waves(ds)[-1]
    first = learning.overall_mix(ds)
    assert learning.overall_mix(ds, latest) is first
    assert learning.overall_mix(ds, f" {latest} ") is first  # the label as resolve() trims it
    fresh = learning.overall_mix(generate(people=300, seed=5), latest)  # new object: computed anew
    assert fresh.as_dict() == first.as_dict()
    earlier = learning.overall_mix(ds, learning.learning_waves(ds)[0])
    assert earlier is not first and earlier.wave != first.wave


def test_skill_levels_and_gaps_of_none_and_of_the_latest_label_are_one_computation() -> None:
    """current_levels and person_gaps resolve the wave (None: the latest skills wave) before
    keeping the result, so None and that label are one entry, equal to a fresh computation."""
    from lib.analysis import skills

    ds = generate(people=300, seed=5)
    latest = skills.resolve_wave(ds, None)
    assert latest is not None
    for fn, key in (
        (skills.current_levels, "skills.current_levels"),
        (skills.person_gaps, "skills.person_gaps"),
    ):
        first = fn(ds)
        assert fn(ds, latest).equals(first)
        assert [k for k in ds.memo if isinstance(k, tuple) and k[0] == key] == [(key, latest)]
        assert fn(generate(people=300, seed=5), latest).equals(first)


# --- classify_ties' chains by integer codes; trust scores against grouping the text (session 10) ---


def _plain_chain(ds: Dataset, ties: pd.DataFrame) -> list[str]:
    """Each tie's chain direction read from ancestor_pairs' text, the way it was computed before
    the ends were looked up as codes."""
    anc = hierarchy.ancestor_pairs(ds)
    pairs = set(zip(anc["person_id"], anc["ancestor_id"], strict=True))
    return [
        "up" if (s, t) in pairs else "down" if (t, s) in pairs else "off"
        for s, t in zip(ties["source_id"], ties["target_id"], strict=True)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chain_direction_and_returned_match_the_text_pairs(seed: int) -> None:
    ds = generate(people=300, seed=seed)
    rng = np.random.default_rng(seed)
    people = ds.people.copy()
    # bad data: a cycle, a manager off the roster, a person their own manager, a blank manager
    ids = people["person_id"].astype(str).tolist()
    managers = people["manager_id"].astype(object).to_numpy().copy()
    a, b, c, d, e = (int(i) for i in rng.choice(len(ids), 5, replace=False))
    managers[a], managers[b] = ids[b], ids[a]
    managers[c], managers[d], managers[e] = "NOBODY", ids[d], None
    people["manager_id"] = pd.array(managers, dtype="str")
    ds.people = people
    for wave in ds.waves:
        out = hierarchy.classify_ties(ds, wave=wave)
        assert out["chain_direction"].tolist() == _plain_chain(ds, out)
        pairs = set(zip(out["source_id"], out["target_id"], strict=True))
        returned = [(t, s) in pairs for s, t in zip(out["source_id"], out["target_id"], strict=True)]
        assert out["returned"].tolist() == returned
        assert out["chain_direction"].isin(["up", "down"]).any()


def test_person_scores_match_grouping_the_text(ds: Dataset) -> None:
    for wave in ds.waves:
        answers = trust.scored_answers(ds, wave)
        plain = answers.groupby(["person_id", "dimension"], as_index=False).agg(
            answered=("score", "size"), mean=("score", "mean")
        )
        ours = trust.person_scores(ds, wave)
        pd.testing.assert_series_equal(ours["person_id"], plain["person_id"], check_exact=True)
        pd.testing.assert_series_equal(ours["dimension"], plain["dimension"], check_exact=True)
        assert ours["answered"].tolist() == plain["answered"].tolist()
        scored = ours["score"].notna()
        assert scored.any()
        assert ours.loc[scored, "score"].tolist() == plain.loc[scored, "mean"].tolist()


# --- relation_ties and classify_ties from the tie ends' codes (session 13) ---


def _odd(ds: Dataset, seed: int) -> Dataset:
    """``ds`` with odd tie ends: spaces around ids, blanks, missing values, people off the roster,
    self-ties made by the spaces, and a pair repeated."""
    rng = np.random.default_rng(seed)
    ties = ds.ties.copy()
    src = ties["source_id"].astype(object).to_numpy().copy()
    tgt = ties["target_id"].astype(object).to_numpy().copy()
    rows = rng.choice(len(ties), 40, replace=False)
    for i, r in enumerate(rows):
        kind = i % 5
        if kind == 0:
            src[r] = f"  {src[r]} "
        elif kind == 1:
            tgt[r] = ""
        elif kind == 2:
            tgt[r] = None
        elif kind == 3:
            tgt[r] = "NOBODY"
        else:
            tgt[r] = f" {src[r]}"  # a self-tie once the spaces go
    ties["source_id"], ties["target_id"] = pd.array(src, dtype="str"), pd.array(tgt, dtype="str")
    odd = Dataset(**{f: getattr(ds, f) for f in ("people", "learning", "trust", "work", "skills")})
    odd.ties = pd.concat([ties, ties.iloc[:7]], ignore_index=True)
    return odd


@pytest.mark.parametrize("seed", [1, 2])
def test_relation_ties_from_codes_equal_the_text_comparison(seed: int) -> None:
    ds = _odd(generate(people=300, seed=seed), seed)
    assert hierarchy._plain_roster(ds)
    spaced = Dataset(people=ds.people.copy(), ties=ds.ties)
    spaced.people["person_id"] = pd.array([f" {p}" for p in ds.people["person_id"]], dtype="str")
    assert not hierarchy._plain_roster(spaced)  # such a roster is compared as text
    twice = Dataset(people=pd.concat([ds.people, ds.people.iloc[[4, 9]]], ignore_index=True), ties=ds.ties)
    for case in (ds, twice):
        for wave in [None, *case.waves]:
            for relation in [*case.relations, "ADVICE", "none"]:
                coded = hierarchy.relation_ties(case, relation, wave)
                text = hierarchy._relation_ties_text(case, relation, wave)
                pd.testing.assert_frame_equal(coded, text)
            assert hierarchy.relation_codes(case, "advice", wave) is not None
    # the ends written with spaces are found: the text path keeps them too
    assert len(hierarchy.relation_ties(ds, "advice")) > 0


def test_classify_ties_from_codes_equal_the_text_path() -> None:
    ds = _odd(generate(people=300, seed=4), 4)
    twice = Dataset(people=pd.concat([ds.people, ds.people.iloc[[2, 5]]], ignore_index=True), ties=ds.ties)
    for case in (ds, twice):
        for wave in case.waves:
            coded = hierarchy.classify_ties(case, wave=wave)
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(hierarchy, "relation_codes", lambda *a: None)  # the text path
                case.memo.clear()
                text = hierarchy.classify_ties(case, wave=wave)
                case.memo.clear()
            pd.testing.assert_frame_equal(coded, text)
            assert coded["chain_direction"].tolist() == _plain_chain(case, coded)


def test_cycles_in_the_reporting_lines_are_found() -> None:
    assert not hierarchy._has_cycle(np.array([-1, 0, 1, 1, 3]))
    assert not hierarchy._has_cycle(np.r_[np.arange(1, 5000), -1])  # one long chain
    assert hierarchy._has_cycle(np.array([1, 2, 0, -1]))
    assert hierarchy._has_cycle(np.array([-1, 2, 3, 1]))  # a cycle below a root-less part
    assert hierarchy._has_cycle(np.array([0]))
    assert not hierarchy._has_cycle(np.zeros(0, dtype=np.int64))


def test_wirearchy_inputs_from_codes_equal_the_text_path() -> None:
    # the index's inputs (groups of tie ends, respondents, in-degrees, each group's Krackhardt
    # hierarchy) read from the tie ends' codes, against the same read from their text
    from lib.analysis import wirearchy

    ds = _odd(generate(people=400, seed=6), 6)
    for wave in ds.waves:
        coded = (
            wirearchy.index_components(ds, wave),
            wirearchy.index_by_group(ds, "team", wave=wave),
            wirearchy.index_by_group(ds, "department", wave=wave),
        )
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(hierarchy, "relation_codes", lambda *a: None)
            ds.memo.clear()
            text = (
                wirearchy.index_components(ds, wave),
                wirearchy.index_by_group(ds, "team", wave=wave),
                wirearchy.index_by_group(ds, "department", wave=wave),
            )
            ds.memo.clear()
        for a, b in zip(coded, text, strict=True):
            pd.testing.assert_frame_equal(a, b)
        # some teams are shown with the component read from their own Krackhardt hierarchy
        assert coded[1]["advice_openness"].notna().any()


_ATTRIBUTE_CELLS = st.one_of(
    st.none(), st.sampled_from(["", " ", "nan", "None", "A", " A", "B ", "b", "10", "2"])
)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.one_of(st.none(), st.integers(-3, 40)), min_size=1, max_size=30),
    texts=st.lists(_ATTRIBUTE_CELLS, min_size=1, max_size=30),
    floats=st.lists(
        st.one_of(st.none(), st.sampled_from([0.5, 1.0, 2.0, 1e6, -0.0])), min_size=1, max_size=30
    ),
    shuffle=st.randoms(use_true_random=False),
)
def test_group_codes_from_distinct_values_equal_every_cells_text(
    cells: list[int | None], texts: list[str | None], floats: list[float | None], shuffle: random.Random
) -> None:
    # a typed attribute's groups are decided on its distinct values: the same codes and labels
    # as each cell's own text (the object-column path, _text_codes over every row)
    from lib.analysis import network

    n = max(len(cells), len(texts), len(floats))
    pad = lambda xs: (xs * n)[:n]  # noqa: E731
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n)],
            "level": pd.array(pad(cells), dtype="Int64"),
            "team": pd.array(pad(texts), dtype="str"),
            "tenure": pd.array([np.nan if v is None else v for v in pad(floats)], dtype="float64"),
        }
    )
    ds = Dataset(people=people)
    ids = people["person_id"].tolist()
    order = ids[:]
    shuffle.shuffle(order)
    for attribute in ["level", "team", "tenure"]:
        own, labels = network._text_codes(people[attribute].astype(object))
        for wanted in (ids, order, [*order[:3], "nobody"]):
            codes, got_labels = network.group_codes(ds, attribute, wanted)
            assert got_labels == labels
            expected = [own[ids.index(i)] if i in ids else -1 for i in wanted]
            assert codes.tolist() == expected


@settings(max_examples=40, deadline=None)
@given(
    arcs=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=60),
    groups=st.lists(st.integers(-1, 3), min_size=12, max_size=12),
)
def test_overall_ei_alone_equals_the_group_tables(arcs: list[tuple[int, int]], groups: list[int]) -> None:
    # the command line's E-I figure (no per-group table) is the full computation's overall value
    from lib.analysis import network

    ties = pd.DataFrame(
        {
            "source_id": [f"p{s}" for s, t in arcs if s != t],
            "target_id": [f"p{t}" for s, t in arcs if s != t],
            "relation": "advice",
        }
    )
    people = pd.DataFrame({"person_id": [f"p{i}" for i in range(12)]})
    graph = network.build_graph(Dataset(people=people, ties=ties))
    codes = np.array(groups, dtype=np.int64)
    full = network._ei_on(graph, codes, ["a", "b", "c", "d"], "x").overall
    alone = network._ei_overall(graph, codes)
    assert (math.isnan(full) and math.isnan(alone)) or full == alone


def test_attributes_and_relations_are_kept_while_their_table_is_the_same() -> None:
    ds = generate(people=60, seed=3)
    attributes, relations = ds.attributes, ds.relations
    assert "department" in attributes and "advice" in relations
    attributes.append("tampered")  # each caller its own list
    assert ds.attributes == attributes[:-1] and ds.relations == relations
    ds.people["guild"] = ["a", "b"] * 30  # a column added in place: another key
    assert ds.attributes == [*attributes[:-1], "guild"]
    ds.people = ds.people.drop(columns=["department"])  # a table replaced: computed again
    assert "department" not in ds.attributes
    ds.ties = ds.ties[ds.ties["relation"] != "advice"]
    assert "advice" not in ds.relations and ds.relations == [r for r in relations if r != "advice"]
