"""Trust survey scales: the wirearchy dimensions as people report them.

Rules, stated once here and read by every function below:

* **Items** come from ``Dataset.trust_items``: the built-in bank (:data:`lib.core.schema.TRUST_ITEM_BANK`,
  five dimensions × three items, one reverse-coded each) plus any custom mapping. When an item is
  mapped twice, the last mapping wins (a workbook's own ``trust_items`` row overrides the bank).
  Answers to items that no mapping names are left out (and counted by :func:`unmapped_items`).
* **Reverse coding**: a reverse-coded item scores ``6 − x`` on the 1–5 scale, so 5 always means
  "more wirearchy". Answers outside 1–5 count as missing (the loader reports them).
* **Wave** (:mod:`lib.core.waves`): ``None`` or ``""`` means the latest wave of the trust sheet
  (labels sort in time order, e.g. ``2026-Q1`` < ``2026-Q2``); without any wave labels every
  answer is used. A wave label keeps that wave's answers plus answers with a blank wave, which
  belong to every wave.
* **Person score** for a dimension = the mean of the person's (reverse-coded) answers to that
  dimension's items asked in the wave, provided they answered at least
  ``min(min_items, items asked)`` of them (:data:`MIN_ITEMS_ANSWERED` = 2 by default); otherwise
  the score is missing. A dimension's mean is the mean of person scores.
* **Favourable** = an answer of 4 or 5 after reverse coding ("agree" with the wirearchy side).
* **Respondents** are people on the roster with at least one answer in the wave; answers from ids
  that are not on the roster are left out (the loader reports them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.schema import WIREARCHY_DIMENSIONS
from lib.core.stats import bootstrap_interval
from lib.core.textsets import is_in, positions, sorted_codes

__all__ = [
    "ALPHA_WARNING",
    "FAVOURABLE_MIN",
    "MIN_ITEMS_ANSWERED",
    "AlphaResult",
    "ResponseRate",
    "analysis_json",
    "cronbach_alpha",
    "dimension_label",
    "dimension_summary",
    "item_summary",
    "item_table",
    "person_scores",
    "resolve_wave",
    "response_rate",
    "scored_answers",
    "scores_by_group",
    "scores_by_wave",
    "shown_by_wave",
    "shown_items",
    "shown_summary",
    "survey_waves",
    "unmapped_items",
    "withheld_dimensions",
]

#: A person's dimension score needs at least this many answered items (capped at the items asked).
MIN_ITEMS_ANSWERED = 2
#: Below this Cronbach's alpha the items of a dimension do not hang together (Nunnally 1978).
ALPHA_WARNING = 0.7
#: Answers at or above this value (after reverse coding) count as favourable.
FAVOURABLE_MIN = 4.0

_T = TypeVar("_T")

ANSWER_COLUMNS = ["person_id", "wave", "item", "dimension", "reverse", "value", "score"]


# --- items and answers ----------------------------------------------------------------------


def item_table(ds: Dataset) -> pd.DataFrame:
    """The item → dimension mapping in force: item, dimension, reverse (bool), wording; last mapping wins."""
    items = ds.trust_items
    if len(items) == 0:
        return pd.DataFrame({"item": [], "dimension": [], "reverse": [], "wording": []}).astype(
            {"item": str, "dimension": str, "reverse": bool, "wording": str}
        )
    out = pd.DataFrame(
        {
            "item": items["item"].astype(str).str.strip(),
            "dimension": items["dimension"].astype(str).str.strip(),
            "reverse": items["reverse"].fillna(False).astype(bool) if "reverse" in items else False,
            "wording": items["wording"].fillna("").astype(str) if "wording" in items else "",
        }
    )
    out = out[(out["item"] != "") & (out["dimension"] != "")]
    return out.drop_duplicates("item", keep="last").reset_index(drop=True)


def dimension_label(dimension: str) -> str:
    """Plain name of a dimension: the built-in one's name ("Knowledge sharing"), else the key itself."""
    text = WIREARCHY_DIMENSIONS.get(dimension)
    if text:
        return text.split(":", 1)[0]
    return dimension.replace("_", " ").capitalize()


def _dimension_order(dimensions: Sequence[str]) -> list[str]:
    present = set(dimensions)
    return [d for d in WIREARCHY_DIMENSIONS if d in present] + sorted(present - set(WIREARCHY_DIMENSIONS))


def survey_waves(ds: Dataset) -> list[str]:
    """Wave labels of the trust sheet, sorted (:func:`lib.core.waves.labels`)."""
    return list(_labels(ds))


def resolve_wave(ds: Dataset, wave: str | None) -> str | None:
    """The trust wave a ``wave`` argument stands for (:func:`lib.core.waves.resolve` over the trust
    sheet): ``None`` or ``""`` → the latest label; None when there are no labels."""
    return waves.resolve(wave, _labels(ds))


def _labels(ds: Dataset) -> list[str]:
    """:func:`lib.core.waves.labels` of the trust sheet, once per dataset (every public function
    resolves its wave: a hash of the whole wave column each time, 20 ms at 100,000 people)."""
    return _remember(ds, ("trust.labels",), lambda: waves.labels(ds.trust))


def scored_answers(ds: Dataset, wave: str | None = None) -> pd.DataFrame:
    """One row per answered, mapped item of roster people in the wave, with its reverse-coded score.

    Columns: person_id, wave, item, dimension, reverse, value (raw 1–5), score (``6 − value`` for a
    reverse-coded item, else ``value``). Repeated answers to the same item in the same wave are
    averaged. Blank answers and answers outside 1–5 are dropped (they are missing, not zero).
    """
    return _answers(ds, resolve_wave(ds, wave)).copy()


def _remember(ds: Dataset, key: tuple[object, ...], compute: Callable[[], _T]) -> _T:
    """``ds.remember`` for a result of the trust sheet, the item mapping and the roster: once per
    dataset object, ``key`` and those three tables (a table replaced on the object is another key;
    the stored tables keep their ids from being reused). Callers read it and never change it."""
    tables = (ds.trust, ds.trust_items, ds.people)
    full = (*key, *(id(t) for t in tables))
    return ds.remember(full, lambda: (tables, compute()))[1]


def _on_roster(ids: pd.Series, people: pd.DataFrame) -> np.ndarray:
    """``ids.isin(people's ids as text)`` as a bool array (:func:`lib.core.textsets.is_in`).
    A missing id matches a missing one."""
    return is_in(ids, people["person_id"].astype(str).unique())


def _answers(ds: Dataset, chosen: str | None) -> pd.DataFrame:
    """:func:`scored_answers` of the resolved wave ``chosen``, computed once per dataset (shared:
    never change it)."""
    return _remember(ds, ("trust.answers", chosen), lambda: _scored(ds, chosen))


def _scored(ds: Dataset, chosen: str | None) -> pd.DataFrame:
    trust = ds.trust
    if len(trust) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ANSWER_COLUMNS})
    # the wave's rows and the unlabelled ones (waves.select) with an answer in 1–5, found before any
    # text is cleaned: the same rows, without cleaning the other waves' text
    values = pd.to_numeric(trust["value"], errors="coerce").astype(float)
    keep = values.between(1, 5).to_numpy() & waves.selected(trust, chosen)
    person = trust["person_id"].astype(str)[keep]
    item = trust["item"].astype(str)[keep]
    found = _scored_by_codes(ds, chosen, person, item, values[keep].to_numpy())
    if found is not None:
        return found
    answers = pd.DataFrame({"person_id": person, "item": item.str.strip(), "value": values[keep]})
    if len(ds.people):
        answers = answers[_on_roster(answers["person_id"], ds.people)]
    # a blank-wave answer and a labelled one to the same item: averaged, as repeated answers are
    answers = _mean_per_item(answers.assign(wave=chosen or ""))
    answers = answers.merge(item_table(ds)[["item", "dimension", "reverse"]], on="item", how="inner")
    answers["score"] = np.where(answers["reverse"].astype(bool), 6.0 - answers["value"], answers["value"])
    return answers[ANSWER_COLUMNS].reset_index(drop=True)


def _scored_by_codes(
    ds: Dataset, chosen: str | None, person: pd.Series, item: pd.Series, values: np.ndarray
) -> pd.DataFrame | None:
    """:func:`_scored`'s table from the wave's answers (``person`` and raw ``item`` text, ``values``
    in 1–5) in the usual survey: every roster person's answer to an item given once, no id or item
    missing. Then no answer is averaged, and the roster check, the item mapping and the repeat check
    are done on integer codes (each id's position on the roster, each distinct item's in the item
    table) instead of merging and grouping on text (0.4 s at 100,000 people before). The rows come
    in the same order, with the same values and dtypes. None (the caller groups and merges) for
    anything else: an empty roster, a missing id or item, a repeated answer, no answer left."""
    if not len(ds.people):
        return None  # without a roster every answer counts
    roster = ds.people["person_id"].astype(str)
    at = positions(person, roster)  # a text's first position on the roster; −1: not on it
    on = at >= 0
    raw, raw_texts = pd.factorize(item, use_na_sentinel=True)
    if (raw[on] < 0).any() or person[on].isna().any():
        return None  # a missing id or item on the roster: the grouping drops it
    stripped = raw_texts.str.strip()
    code, texts = pd.factorize(stripped)  # items equal once trimmed share a code
    code = np.append(code, -1)[raw]  # per answer (−1: a missing item, off the roster here)
    if _repeats(at[on] * max(len(texts), 1) + code[on]):
        return None  # an item answered twice (a blank-wave and a labelled answer, say): averaged
    items = item_table(ds)
    mapped = np.append(positions(texts, items["item"]), -1)[code]  # −1: no dimension
    rows = on & (mapped >= 0)
    if not rows.any():
        return None
    where = mapped[rows]
    reverse = items["reverse"].to_numpy(dtype=bool)[where]
    value = values[rows]
    if (stripped == raw_texts).all():
        item_text = item.array if rows.all() else item[rows].array  # already trimmed
    else:
        item_text = texts.array.take(code[rows])
    return pd.DataFrame(
        {
            "person_id": person.array if rows.all() else person[rows].array,
            "wave": chosen or "",
            "item": item_text,
            "dimension": items["dimension"].array.take(where),
            "reverse": reverse,
            "value": value,
            "score": np.where(reverse, 6.0 - value, value),
        }
    )


def _mean_per_item(answers: pd.DataFrame) -> pd.DataFrame:
    """Each person's mean answer per wave and item: ``answers`` (person_id, wave, item, value; one
    wave) grouped by person, wave and item in order of first appearance, rows with a missing key
    dropped, as ``groupby(..., as_index=False, sort=False).agg(value=("value", "mean"))`` gives it.

    When nobody answered an item twice and no key is missing (the usual survey), every group is one
    row and its mean that row's value: the rows are returned as they are, without grouping (a third
    of a second at 100,000 people).
    """
    keys = ["person_id", "wave", "item"]
    person = pd.factorize(answers["person_id"], use_na_sentinel=True)[0]
    item, items = pd.factorize(answers["item"], use_na_sentinel=True)
    wave_known = answers["wave"].notna().to_numpy()
    if len(answers) and (person >= 0).all() and (item >= 0).all() and wave_known.all():
        pair = person.astype(np.int64) * max(len(items), 1) + item
        if not _repeats(pair):
            return answers[[*keys, "value"]].reset_index(drop=True)
    return answers.groupby(keys, as_index=False, sort=False).agg(value=("value", "mean"))


def _repeats(codes: np.ndarray) -> bool:
    """Whether any of the non-negative integer ``codes`` occurs twice (a count per code when
    they are dense enough, else pandas' hash)."""
    if len(codes) and int(codes.max()) < 4 * len(codes) + 1024:
        return bool(np.bincount(codes).max() > 1)
    return bool(pd.Series(codes).duplicated().any())


def unmapped_items(ds: Dataset) -> list[str]:
    """Items answered in the trust sheet that no mapping assigns to a dimension (their answers are unused)."""
    if len(ds.trust) == 0:
        return []
    # distinct values first: iterating a quarter of a million Arrow strings one by one took 0.2-0.4 s
    asked = set(ds.trust["item"].astype(str).str.strip().unique())
    return sorted(asked - set(item_table(ds)["item"]))


def _items_asked(answers: pd.DataFrame) -> dict[str, list[str]]:
    """dimension → items that at least one person answered in these answers (dimensions in the
    order they first appear). The distinct (dimension, item) pairs from integer codes: no text
    column of pairs de-duplicated (0.15 s at 100,000 people)."""
    dims, dim_texts = pd.factorize(answers["dimension"], use_na_sentinel=False)
    items, item_texts = pd.factorize(answers["item"], use_na_sentinel=False)
    width = max(len(item_texts), 1)
    pairs = np.flatnonzero(
        np.bincount(dims.astype(np.int64) * width + items, minlength=len(dim_texts) * width)
    )
    dim_names = [str(d) for d in dim_texts.to_numpy(dtype=object)]
    item_names = [str(i) for i in item_texts.to_numpy(dtype=object)]
    found: dict[str, set[str]] = {name: set() for name in dim_names}
    for pair in pairs.tolist():
        found[dim_names[pair // width]].add(item_names[pair % width])
    return {dim: sorted(items) for dim, items in found.items()}


# --- scores ---------------------------------------------------------------------------------


def person_scores(ds: Dataset, wave: str | None = None, min_items: int = MIN_ITEMS_ANSWERED) -> pd.DataFrame:
    """Each respondent's score per dimension: the mean of their reverse-coded answers.

    Score = mean of the person's answers (after reverse coding: 6 − x) to the dimension's items,
    when they answered at least ``min(min_items, k)`` of the ``k`` items asked in the wave; else
    missing (NaN). Columns: person_id, dimension, items (k), answered, score. A person person-level
    table: show it only to viewers who may see individuals.
    """
    return _scores(ds, resolve_wave(ds, wave), min_items).copy()


def _scores(ds: Dataset, chosen: str | None, min_items: int) -> pd.DataFrame:
    """:func:`person_scores` of the resolved wave ``chosen``, computed once per dataset (shared:
    never change it)."""
    return _remember(ds, ("trust.scores", chosen, min_items), lambda: _person_scores(ds, chosen, min_items))


def _person_scores(ds: Dataset, chosen: str | None, min_items: int) -> pd.DataFrame:
    answers = _answers(ds, chosen)
    columns = ["person_id", "dimension", "items", "answered", "score"]
    if len(answers) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    asked = {d: len(items) for d, items in _items_asked(answers).items()}
    grouped, dimensions = _per_person_and_dimension(answers)
    if dimensions is None:
        grouped["items"] = grouped["dimension"].map(asked).astype(int)
    else:  # each dimension's count looked up once, not once per person (0.2 s at 100,000 people)
        grouped["items"] = np.array([asked[str(d)] for d in dimensions.to_numpy(dtype=object)], dtype=int)[
            grouped.pop("_dimension").to_numpy()
        ]
    needed = np.minimum(grouped["items"].to_numpy(), max(int(min_items), 1))
    grouped["score"] = grouped["mean"].where(grouped["answered"].to_numpy() >= needed)
    return grouped[columns].reset_index(drop=True)


def _per_person_and_dimension(answers: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index | None]:
    """person_id, dimension, answered (answers) and mean (score): ``answers.groupby(["person_id",
    "dimension"], as_index=False).agg(answered=("score", "size"), mean=("score", "mean"))``, grouped
    by one integer key numbered in the texts' sorted order (:func:`lib.core.textsets.sorted_codes`):
    the same groups in the same order, each mean added up in the same row order, without pandas
    factorizing and sorting two text keys (a third of a second at 100,000 people). With the sorted
    dimensions and a column ``_dimension`` of each row's position among them; with a missing key,
    the grouping on text (which drops it) and None."""
    person, people = sorted_codes(answers["person_id"])
    dimension, dimensions = sorted_codes(answers["dimension"])
    if (person < 0).any() or (dimension < 0).any():
        grouped = answers.groupby(["person_id", "dimension"], as_index=False)
        return grouped.agg(answered=("score", "size"), mean=("score", "mean")), None
    key = person * len(dimensions) + dimension
    score = pd.Series(answers["score"].to_numpy(dtype=float)).groupby(key, sort=True)
    answered, mean = score.size(), score.mean()
    at = answered.index.to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "person_id": people.array.take(at // len(dimensions)),
            "dimension": dimensions.array.take(at % len(dimensions)),
            "answered": answered.to_numpy(),
            "mean": mean.to_numpy(),
            "_dimension": at % len(dimensions),
        }
    ), dimensions


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with the number of respondents it rests on, and why it is missing if it is."""

    alpha: float  # NaN when undefined
    items: int  # k
    respondents: int  # n: complete respondents used (listwise)
    excluded: int  # respondents with at least one item missing, left out
    note: str = ""  # reason for NaN, or the low-alpha warning

    @property
    def low(self) -> bool:
        return not math.isnan(self.alpha) and self.alpha < ALPHA_WARNING


def cronbach_alpha(scores: pd.DataFrame) -> AlphaResult:
    """Cronbach's alpha of a respondents × items table of (reverse-coded) scores.

    α = k / (k − 1) · (1 − Σ_i s²_i / s²_T), with k items, s²_i the sample variance (ddof = 1) of
    item i and s²_T the sample variance of the respondents' total score (Cronbach 1951,
    "Coefficient alpha and the internal structure of tests", *Psychometrika* 16:297–334).
    Variant: listwise deletion, i.e. only respondents who answered every item are used; the
    result says how many were used and how many were left out. Undefined (NaN, with the reason)
    for fewer than two items, fewer than two complete respondents, or zero total variance. A
    value below 0.7 (:data:`ALPHA_WARNING`) means the items do not hang together well enough to be
    averaged into one score. Alpha is not a test that the items measure one thing: a high alpha can
    come from several correlated factors (see :func:`mcdonald_omega`, shown beside it).
    """
    k = int(scores.shape[1])
    complete = scores.dropna(how="any")
    n = len(complete)
    excluded = len(scores) - n
    if k < 2:
        return AlphaResult(math.nan, k, n, excluded, "needs at least two items")
    if n < 2:
        return AlphaResult(math.nan, k, n, excluded, "needs at least two people who answered every item")
    values = complete.to_numpy(dtype=float)
    item_var = values.var(axis=0, ddof=1).sum()
    total_var = values.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return AlphaResult(math.nan, k, n, excluded, "everyone gave the same total score")
    alpha = float(k / (k - 1) * (1.0 - item_var / total_var))
    note = (
        f"below {ALPHA_WARNING}: the items of this dimension do not hang together well enough to average"
        if alpha < ALPHA_WARNING
        else ""
    )
    return AlphaResult(alpha, k, n, excluded, note)


def _wide(answers: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Respondents × the dimension's items, sorted both ways. Scored answers hold one row per
    person and item (repeats are averaged there, never blank), so a plain pivot: what
    ``pivot_table(aggfunc="mean")`` gave, without its group-by."""
    sub = answers[answers["dimension"] == dimension]
    return sub.pivot(index="person_id", columns="item", values="score")


def _alpha_for(answers: pd.DataFrame, dimension: str) -> AlphaResult:
    return cronbach_alpha(_wide(answers, dimension))


def mcdonald_omega(scores: pd.DataFrame) -> float:
    """McDonald's omega (total) of a respondents × items table: ω = (Σλ)² / ((Σλ)² + Σψ), from a
    one-factor model fitted by maximum likelihood (:class:`sklearn.decomposition.FactorAnalysis`;
    λ the loadings, ψ the unique variances), on respondents who answered every item (McDonald
    1999, *Test Theory*). Unlike alpha it does not assume every item loads equally. Neither is a test
    that the items measure one thing: a high value can come from several correlated factors. NaN
    for fewer than two items or three complete respondents."""
    from sklearn.decomposition import FactorAnalysis

    complete = scores.dropna(how="any").to_numpy(dtype=float)
    if complete.shape[1] < 2 or complete.shape[0] < 3 or np.all(complete.var(axis=0) == 0):
        return math.nan
    fa = FactorAnalysis(n_components=1, random_state=0).fit(complete)
    loadings = np.abs(fa.components_[0])  # a one-factor solution's sign is arbitrary
    common = float(loadings.sum() ** 2)
    total = common + float(fa.noise_variance_.sum())
    return common / total if total > 0 else math.nan


def _alpha_interval(scores: pd.DataFrame) -> tuple[float, float]:
    """95% bootstrap interval of alpha, resampling the complete respondents."""
    values = scores.dropna(how="any").to_numpy(dtype=float)
    if len(values) < 3:
        return math.nan, math.nan

    n, k = values.shape
    centred = values - values.mean(axis=0)  # (variances do not move; sums of squares stay small)
    totals = centred.sum(axis=1)
    moments = np.column_stack([centred, centred**2, totals, totals**2])  # people × (2k + 2)

    def alpha_of(rows: np.ndarray, axis: int = -1) -> np.ndarray:
        # a block of resamples at once: how often each person is drawn in each resample (counts),
        # times their values and squares, gives every resample's sums; alpha from those variances
        drawn = np.moveaxis(rows, axis, -1).astype(np.intp)
        block = drawn.shape[0]
        counts = np.bincount((drawn + n * np.arange(block)[:, None]).ravel(), minlength=block * n)
        sums = counts.reshape(block, n).astype(float) @ moments
        items = ((sums[:, k : 2 * k] - sums[:, :k] ** 2 / n) / (n - 1)).sum(axis=1)
        total = (sums[:, 2 * k + 1] - sums[:, 2 * k] ** 2 / n) / (n - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total > 1e-12, k / (k - 1) * (1 - items / total), np.nan)

    # blocks of about 2 million draws (the same draws and interval whatever the block)
    return bootstrap_interval(np.arange(n), alpha_of, vectorized=True, batch=max(1, 2_000_000 // n))


def dimension_summary(
    ds: Dataset, wave: str | None = None, min_items: int = MIN_ITEMS_ANSWERED, intervals: bool = True
) -> pd.DataFrame:
    """Per wirearchy dimension: mean score, spread, favourable share and Cronbach's alpha.

    Columns: dimension, label, items (asked), respondents (people with a score), mean and sd of
    person scores (1–5, after reverse coding), favourable (share of all answers that are 4 or 5
    after reverse coding), alpha, alpha_n (complete respondents used), alpha_note (why alpha is
    missing, or the warning when alpha < 0.7), mean_low/mean_high and alpha_low/alpha_high (95%
    bootstrap intervals over respondents, :func:`lib.core.stats.bootstrap_interval`), omega
    (:func:`mcdonald_omega`). See :func:`person_scores` and :func:`cronbach_alpha` for the formulas.
    Alpha and omega say how consistently the items move together, not that they measure one thing.
    ``intervals=False``: the bootstrap intervals and omega are left NaN (the costly part at 10,000
    people; the Overview reads only the means).
    """
    answers = _answers(ds, resolve_wave(ds, wave))
    columns = [
        "dimension",
        "label",
        "items",
        "respondents",
        "mean",
        "sd",
        "favourable",
        "alpha",
        "alpha_n",
        "alpha_note",
        "mean_low",
        "mean_high",
        "alpha_low",
        "alpha_high",
        "omega",
    ]
    if len(answers) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    scores = _scores(ds, resolve_wave(ds, wave), min_items)
    asked = _items_asked(answers)
    rows = []
    for dim in _dimension_order(list(asked)):
        s = scores.loc[scores["dimension"] == dim, "score"].dropna().astype(float)
        a = answers.loc[answers["dimension"] == dim, "score"].astype(float)
        wide = _wide(answers, dim)
        alpha = cronbach_alpha(wide)
        mean_ci = bootstrap_interval(s.to_numpy()) if intervals else (math.nan, math.nan)
        alpha_ci = (
            _alpha_interval(wide) if intervals and not math.isnan(alpha.alpha) else (math.nan, math.nan)
        )
        rows.append(
            {
                "dimension": dim,
                "label": dimension_label(dim),
                "items": len(asked[dim]),
                "respondents": len(s),
                "mean": float(s.mean()) if len(s) else math.nan,
                "sd": float(s.std(ddof=1)) if len(s) > 1 else math.nan,
                "favourable": float((a >= FAVOURABLE_MIN).mean()) if len(a) else math.nan,
                "alpha": alpha.alpha,
                "alpha_n": alpha.respondents,
                "alpha_note": alpha.note,
                "mean_low": mean_ci[0],
                "mean_high": mean_ci[1],
                "alpha_low": alpha_ci[0],
                "alpha_high": alpha_ci[1],
                "omega": mcdonald_omega(wide) if intervals else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def item_summary(ds: Dataset, wave: str | None = None) -> pd.DataFrame:
    """Per item: answers, mean raw answer, mean score after reverse coding, favourable share.

    Columns: item, dimension, reverse, wording, answers, raw_mean (as answered), mean (after
    reverse coding, 6 − x for reverse items), favourable (share of answers scoring 4 or 5 after
    reverse coding).
    """
    answers = _answers(ds, resolve_wave(ds, wave))
    items = item_table(ds)
    columns = ["item", "dimension", "reverse", "wording", "answers", "raw_mean", "mean", "favourable"]
    if len(answers) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    answers = answers.assign(fav=(answers["score"] >= FAVOURABLE_MIN).astype(float))
    stats = answers.groupby("item", as_index=False).agg(
        answers=("score", "size"),
        raw_mean=("value", "mean"),
        mean=("score", "mean"),
        favourable=("fav", "mean"),
    )
    out = items.merge(stats, on="item", how="inner")
    order = {d: i for i, d in enumerate(_dimension_order(list(out["dimension"])))}
    out = out.assign(_o=out["dimension"].map(order)).sort_values(["_o", "item"], kind="stable")
    return out[columns].reset_index(drop=True)


@dataclass(frozen=True)
class ResponseRate:
    """Respondents (roster people with at least one answer in the wave) over people on the roster."""

    wave: str | None
    respondents: int
    people: int

    @property
    def rate(self) -> float:
        return self.respondents / self.people if self.people else math.nan


def response_rate(ds: Dataset, wave: str | None = None) -> ResponseRate:
    """Response rate = respondents / people on the roster (NaN with an empty roster)."""
    answers = _answers(ds, resolve_wave(ds, wave))
    return ResponseRate(resolve_wave(ds, wave), int(answers["person_id"].nunique()), len(ds.people))


def _score_populations(ds: Dataset, min_items: int) -> dict[str, dict[str, list[str]]]:
    """dimension → wave → the people with a score on it: who a group mean is computed from.
    Computed once per dataset object and ``min_items`` (kept in ``ds.memo``)."""
    key = ("trust.score_populations", min_items, id(ds.trust), id(ds.trust_items), id(ds.people))
    held = ds.memo.get(key)  # one look: the memo's budget may drop an entry between two
    if held is not None:
        return held  # type: ignore[return-value]
    out: dict[str, dict[str, list[str]]] = {}
    labels: list[str | None] = [*survey_waves(ds)] or [None]
    for w in labels:
        scores = _scores(ds, resolve_wave(ds, w), min_items)
        scored = scores[scores["score"].notna()]
        for dim, ids in scored.groupby("dimension")["person_id"]:
            out.setdefault(str(dim), {})[w or ""] = [str(i) for i in ids.to_numpy(dtype=object)]
    ds.memo[key] = out
    return out


def releases(
    ds: Dataset, min_size: int = privacy.MIN_GROUP_SIZE, min_items: int = MIN_ITEMS_ANSWERED
) -> list[privacy.Release]:
    """What the aggregate view may show of each dimension's group scores (:func:`lib.core.privacy.release_for`),
    for figures that combine several dimensions (the wirearchy index per group)."""
    return [
        privacy.release_for(ds, f"trust:{dim}:{min_items}", pops, min_size)
        for dim, pops in _score_populations(ds, min_items).items()
    ]


def scores_by_group(
    ds: Dataset,
    attribute: str,
    wave: str | None = None,
    min_size: int = privacy.MIN_GROUP_SIZE,
    min_items: int = MIN_ITEMS_ANSWERED,
    across: bool = True,
) -> pd.DataFrame:
    """Dimension means per group of ``attribute`` (team, level, …), small groups suppressed.

    Long form: group, dimension, label, people (on the roster), respondents (people in the group
    with a score on this dimension), mean, favourable (share of those respondents' answers that
    are 4 or 5 after reverse coding), suppressed, suppressed_reason. What may be shown is decided
    by :func:`lib.core.privacy.protect_groups`: with ``across`` (the aggregate view) over every
    breakdown and wave of the dimension's scores together, else per table (groups under
    ``min_size`` respondents, plus complementary suppression against the organisation's mean).
    """
    columns = ["group", "dimension", "label", "people", "respondents", "mean", "favourable"]
    if attribute not in ds.people.columns:
        raise KeyError(f"no attribute {attribute!r} in the people sheet")
    answers = _answers(ds, resolve_wave(ds, wave))
    if len(answers) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return empty.assign(suppressed=pd.Series(dtype=bool), suppressed_reason=pd.Series(dtype=str))
    groups = pd.DataFrame(
        {"person_id": ds.people["person_id"].astype(str), "group": privacy.group_labels(ds.people, attribute)}
    )
    sizes = groups.groupby("group").size()
    scores = _scores(ds, resolve_wave(ds, wave), min_items).merge(groups, on="person_id", how="inner")
    scored = scores[scores["score"].notna()][["person_id", "dimension"]]
    answers = answers.merge(groups, on="person_id", how="inner").merge(scored, on=["person_id", "dimension"])
    answers = answers.assign(fav=(answers["score"] >= FAVOURABLE_MIN).astype(float))
    fav = answers.groupby(["group", "dimension"])["fav"].mean()
    populations = _score_populations(ds, min_items) if across else {}
    chosen = resolve_wave(ds, wave) or ""
    parts = []
    for dim in _dimension_order(list(answers["dimension"].unique())):
        s = scores[(scores["dimension"] == dim) & scores["score"].notna()]
        stats = s.groupby("group")["score"].agg(["size", "mean"])
        table = pd.DataFrame({"group": sorted(sizes.index)})
        table["dimension"] = dim
        table["label"] = dimension_label(dim)
        table["people"] = table["group"].map(sizes).astype(int)
        table["respondents"] = table["group"].map(stats["size"]).fillna(0).astype(int)
        table["mean"] = table["group"].map(stats["mean"]).astype(float)
        table["favourable"] = [float(fav.get((g, dim), math.nan)) for g in table["group"]]
        table = table[table["respondents"] > 0]
        parts.append(
            privacy.protect_groups(
                table,
                ds,
                attribute,
                family=f"trust:{dim}:{min_items}",
                populations=populations.get(str(dim), {}),
                min_size=min_size,
                wave=chosen,
                size_col="respondents",
                value_cols=["mean", "favourable"],
                across=across,
                group_col="group",
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def withheld_dimensions(
    ds: Dataset,
    wave: str | None = None,
    min_size: int = privacy.MIN_GROUP_SIZE,
    min_items: int = MIN_ITEMS_ANSWERED,
) -> set[str]:
    """Dimensions whose organisation-wide figures the aggregate view withholds in ``wave``: their
    respondents differ from another wave's by fewer than ``min_size`` people, so comparing the two
    waves would give those people's scores away (:attr:`lib.core.privacy.Release.withheld`)."""
    label = resolve_wave(ds, wave) or ""
    return {
        dim
        for dim, pops in _score_populations(ds, min_items).items()
        if label in privacy.withheld_waves(ds, f"trust:{dim}:{min_items}", pops, min_size)
    }


def shown_summary(
    ds: Dataset,
    wave: str | None = None,
    min_size: int = privacy.MIN_GROUP_SIZE,
    across: bool = True,
    min_items: int = MIN_ITEMS_ANSWERED,
    intervals: bool = True,
) -> pd.DataFrame:
    """:func:`dimension_summary` as a viewer may see it, with ``suppressed``/``suppressed_reason``:
    a dimension with fewer than ``min_size`` respondents is hidden, and with ``across`` (the
    aggregate view) so is one :func:`withheld_dimensions` names (reason ``"wave"``).
    ``intervals``: as :func:`dimension_summary`'s (what is hidden does not depend on it)."""
    dims = dimension_summary(ds, wave, min_items, intervals)
    values = [
        "mean",
        "sd",
        "favourable",
        "alpha",
        "alpha_n",
        "mean_low",
        "mean_high",
        "alpha_low",
        "alpha_high",
        "omega",
    ]
    checked = privacy.suppress_small_groups(dims, "respondents", min_size, value_cols=values)
    if across and len(checked):
        withheld = checked["dimension"].isin(withheld_dimensions(ds, wave, min_size, min_items))
        checked = privacy.withhold(checked, withheld, [*values, "respondents"])
    return checked


def shown_items(
    ds: Dataset, wave: str | None = None, min_size: int = privacy.MIN_GROUP_SIZE, across: bool = True
) -> pd.DataFrame:
    """:func:`item_summary` as a viewer may see it: items with fewer than ``min_size`` answers, and
    (``across``) the items of :func:`withheld_dimensions`, hidden (``suppressed`` flags)."""
    items = item_summary(ds, wave)
    checked = privacy.suppress_small_groups(
        items, "answers", min_size, value_cols=["raw_mean", "mean", "favourable"]
    )
    if across and len(checked):
        withheld = checked["dimension"].isin(withheld_dimensions(ds, wave, min_size))
        checked = privacy.withhold(checked, withheld, ["answers", "raw_mean", "mean", "favourable"])
    return checked


def shown_by_wave(ds: Dataset, min_size: int = privacy.MIN_GROUP_SIZE, across: bool = True) -> pd.DataFrame:
    """:func:`shown_summary` for every wave of the trust sheet, stacked with a ``wave`` column first;
    only the rows a viewer may see."""
    parts = []
    labels: list[str | None] = [*survey_waves(ds)] or [None]
    for w in labels:
        table = privacy.shown(shown_summary(ds, w, min_size, across))
        if len(table):
            parts.append(table.assign(wave=w or ""))
    if not parts:
        return pd.DataFrame(columns=["wave", "dimension", "label", "respondents", "mean", "alpha"])
    out = pd.concat(parts, ignore_index=True)
    return out[["wave", *[c for c in out.columns if c != "wave"]]]


def scores_by_wave(ds: Dataset, min_items: int = MIN_ITEMS_ANSWERED) -> pd.DataFrame:
    """:func:`dimension_summary` for every wave of the trust sheet, stacked, with a ``wave`` column first."""
    parts = []
    labels: list[str | None] = list(survey_waves(ds)) or [None]
    for w in labels:
        table = dimension_summary(ds, w, min_items)
        if len(table):
            parts.append(table.assign(wave=w or ""))
    if not parts:
        return pd.DataFrame(columns=["wave", "dimension", "label", "respondents", "mean", "alpha"])
    out = pd.concat(parts, ignore_index=True)
    return out[["wave", *[c for c in out.columns if c != "wave"]]]


# --- command line ---------------------------------------------------------------------------


def _num(x: object) -> float | None:
    """A JSON-safe float: NaN and None become None."""
    if x is None:
        return None
    value = float(x)  # type: ignore[arg-type]
    return None if math.isnan(value) else round(value, 6)


def analysis_json(ds: Dataset) -> dict[str, object]:
    """The ``trust`` section of ``python -m lib.cli analyze``: latest wave, per dimension and response rate."""
    rate = response_rate(ds)
    summary = dimension_summary(ds, intervals=False)  # the JSON has no intervals nor omega: not computed
    dims: dict[str, object] = {}
    for row in summary.to_dict("records"):
        dims[str(row["dimension"])] = {
            "mean": _num(row["mean"]),
            "alpha": _num(row["alpha"]),
            "alpha_respondents": int(row["alpha_n"]),
            "respondents": int(row["respondents"]),
            "favourable": _num(row["favourable"]),
        }
    return {
        "wave": rate.wave,
        "waves": survey_waves(ds),
        "respondents": rate.respondents,
        "people": rate.people,
        "response_rate": _num(rate.rate),
        "min_items_answered": MIN_ITEMS_ANSWERED,
        "dimensions": dims,
        "unmapped_items": unmapped_items(ds),
    }
