"""What a random network gives: the baselines findings are compared with.

A measured value only says something about an organisation when it differs from what chance
gives on a network of the same size and density. The null model here is the simplest one that
keeps what the survey fixed: the same people, the same number of names each person gave (so the
same density and the same out-degrees), and the same group sizes, with each name pointing at
someone else chosen uniformly at random (a directed Bernoulli / U|out-degree graph, Wasserman &
Faust 1994, ch. 13). Values are the expected value under that model and a 95% interval (2.5th
and 97.5th percentiles of :data:`SIMULATIONS` simulated networks, or the exact binomial interval
where one exists). Every draw uses :data:`SEED`, so results repeat exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from lib.core.stats import gini

__all__ = [
    "NETWORK_BASELINE_MEASURES",
    "SEED",
    "SIMULATIONS",
    "Concentration",
    "InternalShare",
    "concentration",
    "internal_share",
    "network_baseline",
    "random_in_degrees",
]

#: Simulated random networks per baseline (fewer on very large networks, at least 20).
SIMULATIONS = 200
#: Seed of every simulation.
SEED = 20_261_206
#: Bound on simulated tie draws per baseline (sims × ties), so 100k-person networks stay fast.
_MAX_DRAWS = 40_000_000


def _draw_type(n: int) -> type[np.signedinteger]:
    """The integer type of the random targets: int32 when it holds them. numpy draws a range below
    2³² from the same 32-bit stream for int32 and int64 (the same numbers, the same generator state
    after), and int32 is about three times faster to draw."""
    return np.int32 if n - 1 < 2**31 else np.int64


def _random_targets(sources: np.ndarray, n: int, sims: int, seed: int) -> Iterator[np.ndarray]:
    """The ties' targets in each random network of :func:`random_in_degrees` (``sources`` has ties)."""
    m = len(sources)
    rng = np.random.default_rng(seed)
    draw = _draw_type(n)
    for _ in range(max(20, min(sims, _MAX_DRAWS // max(m, 1)))):
        t = rng.integers(0, n - 1, size=m, dtype=draw)
        yield t + (t >= sources)  # skip the source itself: uniform over the other n − 1 people


def random_in_degrees(sources: np.ndarray, n: int, sims: int = SIMULATIONS, seed: int = SEED) -> np.ndarray:
    """In-degrees of ``sims`` random networks (rows) on ``n`` people: each tie keeps its source
    (``sources``: one vertex index per tie) and points at one of the other ``n − 1`` people at
    random. Repeated names of one pair are possible (rare at survey densities)."""
    if n < 2 or len(sources) == 0:
        return np.zeros((0, n))
    return np.array(
        [np.bincount(t, minlength=n) for t in _random_targets(sources, n, sims, seed)], dtype=float
    )


def _random_degree_counts(
    sources: np.ndarray, n: int, sims: int = SIMULATIONS, seed: int = SEED
) -> np.ndarray:
    """How many people have each in-degree in each random network of :func:`random_in_degrees`
    (the same draws): row i, column d = the people with in-degree d in network i. No rows when
    there is no network to draw."""
    if n < 2 or len(sources) == 0:
        return np.zeros((0, 1), dtype=np.int64)
    rows = [np.bincount(np.bincount(t, minlength=n)) for t in _random_targets(sources, n, sims, seed)]
    out = np.zeros((len(rows), max(len(r) for r in rows)), dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _top_ratio(d_in: np.ndarray) -> float:
    """The most-named person's in-degree over the median in-degree (a median of 0 counts as 1)."""
    return float(d_in.max() / max(float(np.median(d_in)), 1.0)) if d_in.size else math.nan


def _top_share(d_in: np.ndarray, share: float = 0.01) -> float:
    """Share of all names received by the most-named ``share`` of people (at least one person)."""
    total = float(d_in.sum())
    if total <= 0:
        return math.nan
    k = max(1, math.floor(share * d_in.size))
    return float(np.sort(d_in)[-k:].sum() / total)


def _random_summaries(
    counts: np.ndarray, n: int, share: float = 0.01
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_top_ratio`, :func:`_top_share` and :func:`lib.core.stats.gini` of each random
    network, from how many of its ``n`` people have each in-degree (``counts``, a row per network:
    :func:`_random_degree_counts`) rather than from its in-degrees sorted (a sort of n values per
    network: at 10,000 people and 200 networks 0.1–0.2 s). In sorted order, the c people with
    in-degree d hold the ranks a + 1 … a + c (a: the people below d), so the largest value, the
    median, the top k and Σ rank × value are sums over the few distinct in-degrees. In-degrees are
    whole numbers, so every sum is exact and the values are the ones the sorted rows give, bit for bit."""
    degree = np.arange(counts.shape[1])
    upto = np.cumsum(counts, axis=1)  # people with in-degree ≤ d
    total = counts @ degree
    top = counts.shape[1] - 1 - np.argmax(counts[:, ::-1] > 0, axis=1)
    # the sorted values at positions (n − 1) // 2 and n // 2 (the same one when n is odd), as np.median
    low = (upto <= (n - 1) // 2).sum(axis=1)
    high = (upto <= n // 2).sum(axis=1)
    median = (low.astype(float) + high) / 2
    k = max(1, math.floor(share * n))
    # of the people with in-degree d, how many are among the top k
    in_top = np.clip(k - (n - upto), 0, counts)
    below = upto - counts
    rank_sum = counts * (2 * below + counts + 1) // 2  # a + 1 + … + a + c
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = top / np.maximum(median, 1.0)
        shares = np.where(total > 0, (in_top @ degree) / total, math.nan)
        g = (2.0 * (rank_sum @ degree)) / (n * total) - (n + 1) / n
    ginis = np.where((total > 0) & (n >= 2), g, 0.0)
    return ratios, shares, ginis


@dataclass(frozen=True)
class Concentration:
    """How unevenly a relation's names fall on people, measured and under the random network.

    ``top_ratio``: the most-named person's in-degree ÷ the median in-degree (a median of 0 counts
    as 1); ``top_share``: share of all names that go to the top 1% of people (at least one);
    ``gini``: Gini of in-degree. ``*_random`` is the expected value on a random network with the
    same people, out-degrees and density, ``*_high`` its 97.5th percentile.
    """

    people: int
    ties: int
    top_in_degree: float
    median_in_degree: float
    top_ratio: float
    top_ratio_random: float
    top_ratio_high: float
    top_share: float
    top_share_random: float
    top_share_high: float
    gini: float
    gini_random: float
    gini_low: float
    gini_high: float

    @property
    def beyond_chance(self) -> bool:
        """True when the top person is asked more than 97.5% of random networks would give."""
        return bool(self.top_ratio > self.top_ratio_high and self.top_share > self.top_share_high)


def concentration(d_in: np.ndarray, sources: np.ndarray, sims: int = SIMULATIONS) -> Concentration:
    """:class:`Concentration` of the in-degrees ``d_in`` (one per person) of a network whose ties
    are sent by ``sources`` (one vertex index per tie). NaN fields without people or ties."""
    d_in = np.asarray(d_in, dtype=float)
    n, m = d_in.size, len(sources)
    counts = _random_degree_counts(np.asarray(sources, dtype=np.int64), n, sims)
    if not len(counts):
        nan = math.nan
        return Concentration(n, m, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan)
    ratios, shares, ginis = _random_summaries(counts, n)
    return Concentration(
        people=n,
        ties=m,
        top_in_degree=float(d_in.max()),
        median_in_degree=float(np.median(d_in)),
        top_ratio=_top_ratio(d_in),
        top_ratio_random=float(ratios.mean()),
        top_ratio_high=float(np.quantile(ratios, 0.975)),
        top_share=_top_share(d_in),
        top_share_random=float(shares.mean()),
        top_share_high=float(np.quantile(shares, 0.975)),
        gini=gini(d_in),
        gini_random=float(ginis.mean()),
        gini_low=float(np.quantile(ginis, 0.025)),
        gini_high=float(np.quantile(ginis, 0.975)),
    )


@dataclass(frozen=True)
class InternalShare:
    """The share of a group's names that stay in the group, measured and under the random network.

    Random network: each of the ``sent`` names points at one of the other ``people − 1`` people
    at random, so it stays in a group of ``size`` with probability p = (size − 1) / (people − 1)
    and the count inside is Binomial(sent, p); ``low``/``high`` is its 95% interval as shares.
    """

    sent: int
    inside: int
    share: float
    expected: float
    low: float
    high: float

    @property
    def beyond_chance(self) -> bool:
        """True when more of the group's names stay inside than 97.5% of random networks give."""
        return bool(self.sent > 0 and self.share > self.high)


def internal_share(inside: int, sent: int, size: int, people: int) -> InternalShare:
    """:class:`InternalShare` of a group of ``size`` among ``people`` that sent ``sent`` names,
    ``inside`` of them to its own members. NaN shares when the group sent nothing."""
    p = (size - 1) / (people - 1) if people > 1 else math.nan
    if sent <= 0 or math.isnan(p):
        return InternalShare(sent, inside, math.nan, p, math.nan, math.nan)
    from scipy import stats  # not at import: about 0.4 s (lib.core.stats)

    low, high = stats.binom.ppf([0.025, 0.975], sent, p)
    return InternalShare(sent, inside, inside / sent, p, float(low) / sent, float(high) / sent)


#: Whole-network measures compared with the random network on the Network page.
NETWORK_BASELINE_MEASURES: tuple[str, ...] = ("reciprocity_arc", "transitivity", "gini_in_degree")


def network_baseline(sources: np.ndarray, n: int, sims: int = 100) -> dict[str, tuple[float, float, float]]:
    """Expected value and 95% interval (2.5th, 97.5th percentiles) of arc reciprocity, transitivity
    (of the undirected graph) and the Gini of in-degree on random networks with the same people and
    the same number of names from each person (:func:`random_in_degrees`' model, repeated names of
    one pair dropped). Fewer simulations above 5,000 people (at least 20). Empty without ties."""
    import igraph as ig

    m = len(sources)
    if n < 3 or m == 0:
        return {}
    sims = 20 if n > 5_000 else sims
    rng = np.random.default_rng(SEED)
    values: dict[str, list[float]] = {k: [] for k in NETWORK_BASELINE_MEASURES}
    src = np.asarray(sources, dtype=np.int64)
    draw = _draw_type(n)
    for _ in range(sims):
        t = rng.integers(0, n - 1, size=m, dtype=draw)
        t = t + (t >= src)
        key = np.unique(src * n + t)
        s, tt = key // n, key % n
        g = ig.Graph(n=n, directed=True)
        g.add_edges(np.column_stack([s, tt]))  # the int array as it is, without a Python list
        mutual = g.dyad_census()[0]
        values["reciprocity_arc"].append(2 * mutual / g.ecount())
        values["transitivity"].append(g.as_undirected(mode="collapse").transitivity_undirected(mode="zero"))
        values["gini_in_degree"].append(gini(np.bincount(tt, minlength=n)))
    return {
        k: (float(np.mean(v)), float(np.quantile(v, 0.025)), float(np.quantile(v, 0.975)))
        for k, v in values.items()
    }
