"""The learning-type mix: Jane Hart's five types of workplace learning, per person and per group.

Rules, stated once here and read by every function below:

* **Shares**: a person's share of type *t* = hours(t) / Σ hours over the five types, in one wave.
  A person whose hours sum to zero is *reported* (``zero_total``) and never divided by: their
  shares are NaN and they are not a respondent of the mix.
* **Wave** (:mod:`lib.core.waves`): ``None`` or ``""`` means the latest wave label in the learning
  sheet; rows without a wave belong to every wave; without any wave labels every row counts (wave
  ``""``). Ties (learning through the network) use the tie wave, :func:`lib.core.waves.tie_wave`.
* **Group mix** = the mean of the members' shares (every respondent weighs the same, whatever
  their hours), with the spread between people (standard deviation and quartiles) per type.
  Groups below the minimum group size are suppressed with complementary suppression
  (:func:`lib.core.privacy.suppress_small_groups`, ``total=True`` because the overall mix is shown).
* **References** (:data:`REFERENCES`): 70:20:10 through the declarative mapping
  :data:`SEVENTY_TWENTY_TEN`, "about 80% informal" (everything but FSL), and the self-directed
  share IOL + GDL + PDL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE, suppress_small_groups
from lib.core.schema import LEARNING_TYPE_CODES, LEARNING_TYPES, LEARNING_WORDING_SINCE, LEARNING_WORDINGS
from lib.core.stats import (
    BOOTSTRAP_LARGE_ROWS,
    BOOTSTRAP_RESAMPLES,
    bootstrap_mean_intervals,
    bootstrap_mean_intervals_by_group,
    bootstrap_resamples,
    percentile_end_error,
)
from lib.core.textsets import positions

__all__ = [
    "INFORMAL_REFERENCE",
    "LEARNING_SUGGESTIONS",
    "NOT_GIVEN",
    "REFERENCES",
    "SELF_DIRECTED_TYPES",
    "SEVENTY_TWENTY_TEN",
    "Bucket",
    "MixSummary",
    "WaveWording",
    "analysis_json",
    "dataset_waves",
    "group_mix",
    "group_spread",
    "learning_hubs",
    "learning_waves",
    "mix_intervals",
    "network_learning_mix",
    "overall_mix",
    "person_mix",
    "rows_for_wave",
    "wave_wording",
    "wording_note",
]

TYPES: tuple[str, ...] = LEARNING_TYPE_CODES
NOT_GIVEN = "(not given)"


@dataclass(frozen=True)
class Bucket:
    """One term of the 70:20:10 reference and the learning types that make it up."""

    name: str
    reference: float
    types: tuple[str, ...]
    why: str


#: 70:20:10 (Lombardo & Eichinger, *The Career Architect*, 1996: 70% from challenging experience
#: on the job, 20% from other people, 10% from courses) in Hart's five types. The mapping is ours,
#: stated here once and shown on the page. Hart's types are defined by *who directs* the learning;
#: 70:20:10 by *where it comes from*, so the fit is approximate.
SEVENTY_TWENTY_TEN: tuple[Bucket, ...] = (
    Bucket(
        "experience",
        0.70,
        ("PDL", "ASL"),
        "Learning by doing and finding out for yourself: the chance discoveries, mistakes and "
        "problems of daily work (ASL) and the searching, reading and trying out you organise "
        "yourself to get the work done (PDL).",
    ),
    Bucket(
        "others",
        0.20,
        ("IOL", "GDL"),
        "Learning from and with other people: the organisation's internal updates and briefings (IOL) "
        "and teams, communities, peer groups and coaching pairs (GDL).",
    ),
    Bucket(
        "formal",
        0.10,
        ("FSL",),
        "Courses, programmes and e-learning the organisation designs (FSL).",
    ),
)

#: Jay Cross (*Informal Learning*, 2007) and Jarche: "about 80%" of workplace learning is informal.
INFORMAL_REFERENCE = 0.80
#: Jarche: self-directed learning (IOL, GDL, PDL) is the essence of social learning in the enterprise.
SELF_DIRECTED_TYPES: tuple[str, ...] = ("IOL", "GDL", "PDL")

#: The references shown side by side with the mix: name → (reference value or None, explanation).
#: They answer different questions, and neither is a measure of hours.
REFERENCES: dict[str, tuple[float | None, str]] = {
    "70:20:10": (
        None,
        "experience : others : formal, via the mapping table. 70:20:10 is a model of where key "
        "developmental lessons come from (Lombardo & Eichinger 1996, from successful managers' accounts), "
        "not of how time is spent: here it is set against hours, so read it as a direction, not a target",
    ),
    "informal_share": (
        INFORMAL_REFERENCE,
        "1 − FSL share of learning time; 'about 80% informal' (Cross 2007, Jarche) is an estimate of how "
        "much workplace learning happens outside formal training, the nearer reference for hours",
    ),
    "self_directed_share": (None, "IOL + GDL + PDL share; no reference value, higher is the aim"),
    "ASL": (
        None,
        "accidental learning happens without consciously realizing it, so the survey kit asks how often "
        f"it happened (since {LEARNING_WORDING_SINCE}); those occasions count as one hour each in the mix",
    ),
}

#: What the framework suggests doing about each type, for the page.
LEARNING_SUGGESTIONS: dict[str, str] = {
    "IOL": "Turn internal updates into conversations: briefings and intranet news that people can "
    "question and discuss in the open, with leaders answering. L&D connects people rather than "
    "producing content.",
    "GDL": "Support teams and communities of practice: time, space and facilitation for "
    "learning together; help groups share what they learn beyond themselves.",
    "PDL": "Help people manage their own learning (personal knowledge mastery: seek, sense, "
    "share) with curated sources and time to explore.",
    "ASL": "Create room for serendipity: open conversations, cross-team events, and a habit of "
    "noticing and sharing what was learned by chance.",
    "FSL": "Keep formal courses for what must be standardised or certified, and point them at "
    "the real skill gaps rather than a fixed curriculum.",
}


# --- waves -------------------------------------------------------------------------------


def learning_waves(ds: Dataset) -> list[str]:
    """Wave labels in the learning sheet, sorted (:func:`lib.core.waves.labels`)."""
    return list(_labels(ds))


def dataset_waves(ds: Dataset) -> list[str]:
    """The dataset's waves (:func:`lib.core.waves.dataset_waves`, as :attr:`Dataset.waves`)."""
    return waves.dataset_waves(ds)


def rows_for_wave(table: pd.DataFrame, wave: str | None) -> tuple[pd.DataFrame, str]:
    """The rows of one wave and the wave label used: :func:`lib.core.waves.rows`.

    ``None`` or ``""`` = the latest label in this table; rows without a wave belong to every wave;
    a table without wave labels is returned whole with label ``""``.
    """
    return waves.rows(table, wave)


@dataclass(frozen=True)
class WaveWording:
    """Which wording of the kit's learning questions a wave used, and how we know.

    wording: a key of :data:`lib.core.schema.LEARNING_WORDINGS` ("hart", "earlier"), "mixed" (rows
    of the wave say both) or "unknown"; source: "data" (the learning sheet's ``wording`` column),
    "date rule" (no wording given: the wave label read as a date against
    :data:`lib.core.schema.LEARNING_WORDING_SINCE`) or "" when neither tells.
    """

    wave: str
    wording: str
    source: str

    @property
    def text(self) -> str:
        """The wording in words, with how it is known."""
        what = LEARNING_WORDINGS.get(self.wording, f"{self.wording} wording")
        how = {
            "data": "as the learning sheet says",
            "date rule": "read from the wave's date, no wording given",
        }
        return f"{what} ({how[self.source]})" if self.source in how else what


def wave_wording(ds: Dataset, wave: str | None = None) -> WaveWording:
    """The wording of the learning questions in ``wave`` (None: the latest).

    From the data when the wave's learning rows carry a ``wording`` (one value → it; two → "mixed");
    otherwise the stated date rule: a wave label that reads as a period (``2026-03-31``,
    ``2026-03``, ``2026-Q1``, ``2026``) ending before :data:`LEARNING_WORDING_SINCE` used the earlier
    wording, one starting on or after it Hart's; any other label: "unknown".
    """
    rows, label = rows_for_wave(ds.learning, wave)
    given = (
        sorted(set(rows["wording"].fillna("").astype(str).str.strip().str.lower()) - {""})
        if "wording" in rows
        else []
    )
    if len(given) == 1:
        return WaveWording(label, given[0], "data")
    if given:
        return WaveWording(label, "mixed", "data")
    period = _period(label)
    if period is None:
        return WaveWording(label, "unknown", "")
    since = pd.Timestamp(LEARNING_WORDING_SINCE)
    if period.end_time < since:
        return WaveWording(label, "earlier", "date rule")
    if period.start_time >= since:
        return WaveWording(label, "hart", "date rule")
    return WaveWording(label, "unknown", "")


def _period(label: str) -> pd.Period | None:
    """A wave label read as a day, month, quarter or year; None when it is none of them."""
    text = label.strip().upper().replace(" ", "")
    for freq, pattern in (
        ("D", r"\d{4}-\d{2}-\d{2}"),
        ("M", r"\d{4}-\d{2}"),
        ("Q", r"\d{4}-?Q[1-4]"),
        ("Y", r"\d{4}"),
    ):
        if re.fullmatch(pattern, text):
            try:
                return pd.Period(text.replace("-Q", "Q"), freq=freq)
            except ValueError:
                return None
    return None


def wording_note(ds: Dataset, before: str | None, after: str | None) -> str:
    """The sentence a comparison of two waves' learning mixes must carry when their questions'
    wordings differ (or one is not known); "" when both used the same wording."""
    if not before or not after:
        return ""
    a, b = wave_wording(ds, before), wave_wording(ds, after)
    if a.wording == b.wording and a.wording not in ("mixed", "unknown"):
        return ""
    verb = (
        "may compare"
        if "unknown" in (a.wording, b.wording) or "mixed" in (a.wording, b.wording)
        else "compares"
    )
    return (
        f"The learning questions' wording differs between the waves: {a.wave or 'all rows'} used {a.text}; "
        f"{b.wave or 'all rows'} used {b.text}. A change in the IOL, GDL or ASL share {verb} different questions."
    )


# --- people ------------------------------------------------------------------------------


def person_mix(ds: Dataset, wave: str | None = None) -> pd.DataFrame:
    """Each person's hours and shares of IOL, GDL, PDL, ASL and FSL in one wave.

    share(t) = hours(t) / Σ_types hours (Hart's five types; hours as reported in the learning
    sheet). A person whose hours sum to zero has ``zero_total=True`` and NaN shares: reported,
    not divided by. Only people in the people sheet with at least one learning row appear.

    Columns: person_id, wave, total_hours, hours_IOL … hours_FSL, IOL … FSL (shares),
    zero_total, in the order of the people sheet. Computed once per dataset object and wave
    (``ds.memo``: the Learning page and the Overview read it several times); each caller gets its
    own copy.
    """
    return ds.remember(("learning.person_mix", wave), lambda: _person_mix(ds, wave)).copy()


def _person_mix(ds: Dataset, wave: str | None) -> pd.DataFrame:
    table = ds.learning
    chosen = waves.resolve(wave, _labels(ds))
    label = chosen or ""  # as rows_for_wave gives it
    people_ids = ds.people["person_id"].astype(str) if "person_id" in ds.people else pd.Series(dtype=str)
    if not len(table):
        return _person_table(np.zeros(0, dtype=np.int64), np.zeros((0, len(TYPES))), people_ids, label)
    # the wave's rows (waves.select) of a known type (trimmed, any case) with hours, each person as
    # their position on the roster (−1 off it): summed per person and type by pandas' grouped sum
    # over one integer key, the rows added in their order as pivot_table(aggfunc="sum") adds them,
    # and the people in roster order at once (no text factorized, matched or sorted per person:
    # half a second at 100,000 people before)
    kind = _type_codes(table["learning_type"])
    hours = pd.to_numeric(table["hours"], errors="coerce").to_numpy(dtype=float)
    sel = waves.selected(table, chosen) & (kind >= 0) & ~np.isnan(hours)
    at = _roster_positions(table["person_id"].astype(str)[sel], people_ids)
    on = at >= 0
    key = at[on] * len(TYPES) + kind[sel][on]
    sums = pd.Series(hours[sel][on]).groupby(key, sort=True).sum()
    summed = sums.index.to_numpy(dtype=np.int64)
    present = np.unique(at[on])  # sorted: the people in roster order
    # people × types, column-major as a frame's to_numpy gives it (the row sums add up in that order)
    wide = np.zeros((len(TYPES), len(present))).T
    wide[np.searchsorted(present, summed // len(TYPES)), summed % len(TYPES)] = sums.to_numpy(dtype=float)
    return _person_table(present, wide, people_ids, label)


def _person_table(present: np.ndarray, hours: np.ndarray, people_ids: pd.Series, label: str) -> pd.DataFrame:
    """:func:`person_mix`'s table of the people at roster positions ``present`` with ``hours``
    (people × types)."""
    total = hours.sum(axis=1) if len(present) else np.zeros(0)
    # as the ids came from text once (an empty column stays object)
    ids = people_ids.iloc[present].array if len(present) else np.zeros(0, dtype=object)
    out = pd.DataFrame({"person_id": ids, "wave": label})
    out["total_hours"] = total
    for i, t in enumerate(TYPES):
        out[f"hours_{t}"] = hours[:, i] if len(present) else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total[:, None] > 0, hours / np.where(total > 0, total, 1.0)[:, None], np.nan)
    for i, t in enumerate(TYPES):
        out[t] = shares[:, i] if len(present) else np.zeros(0)
    out["zero_total"] = total <= 0
    return out


def _type_codes(kinds: pd.Series) -> np.ndarray:
    """Each learning type's position in :data:`TYPES` (trimmed, any case), −1 when it is none of
    them: decided once per distinct text."""
    codes, distinct = pd.factorize(kinds, use_na_sentinel=True)
    known = pd.Index(TYPES).get_indexer(distinct.astype(str).str.strip().str.upper())
    return np.asarray(np.append(known, -1)[codes], dtype=np.int64)  # code −1 (missing): not a type


def _roster_positions(ids: pd.Series, roster: pd.Series) -> np.ndarray:
    """Each of the text ``ids``' position in the people sheet ``roster`` (the last one for an id
    listed twice), −1 when it is not there or missing (a missing id is no person, even when the
    roster has one)."""
    if not len(roster):
        return np.full(len(ids), -1, dtype=np.int64)
    first = positions(ids, roster.iloc[::-1])  # the first from the end: the last one
    at = np.where(first >= 0, len(roster) - 1 - first, -1)
    at[ids.isna().to_numpy()] = -1  # a missing id is no person
    return np.asarray(at, dtype=np.int64)


def _labels(ds: Dataset) -> list[str]:
    """:func:`learning_waves`, once per dataset and learning sheet (a hash of the wave column; the
    stored sheet keeps its id from being reused). Callers never change it."""
    table = ds.learning
    return ds.remember(("learning.labels", id(table)), lambda: (table, waves.labels(table)))[1]


def _add_references(frame: pd.DataFrame) -> pd.DataFrame:
    """Add experience/others/formal, informal_share and self_directed_share from type shares."""
    for bucket in SEVENTY_TWENTY_TEN:
        frame[bucket.name] = frame[list(bucket.types)].sum(axis=1, min_count=len(bucket.types))
    frame["informal_share"] = 1.0 - frame["FSL"]
    frame["self_directed_share"] = frame[list(SELF_DIRECTED_TYPES)].sum(axis=1, min_count=3)
    return frame


# --- the overall mix ---------------------------------------------------------------------


@dataclass(frozen=True)
class MixSummary:
    """The organisation's mix in one wave (means of person shares; NaN when suppressed or empty).

    respondents = people with hours > 0; zero_total = people whose hours sum to zero (reported,
    not divided by); suppressed = fewer respondents than the minimum group size.
    """

    wave: str
    respondents: int
    zero_total: int
    suppressed: bool
    shares: dict[str, float]
    buckets: dict[str, float] = field(default_factory=dict)
    informal_share: float = float("nan")
    self_directed_share: float = float("nan")
    #: 95% bootstrap interval of the informal share over respondents (lib.core.stats.bootstrap_interval)
    informal_share_ci: tuple[float, float] = (float("nan"), float("nan"))
    #: type → 95% bootstrap interval of its share, from the same resamples (:func:`_share_intervals`)
    shares_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: the intervals' bootstrap resamples: 1,999, fewer above 5,000 respondents
    #: (:func:`lib.core.stats.bootstrap_resamples`; :attr:`interval_note` states the error)
    resamples: int = BOOTSTRAP_RESAMPLES

    @property
    def interval_note(self) -> str:
        """One sentence when the intervals come from fewer resamples than usual (a large
        organisation), with their Monte Carlo error; "" otherwise."""
        if self.resamples >= BOOTSTRAP_RESAMPLES:
            return ""
        return (
            f"Intervals from {self.resamples:,} bootstrap resamples (over {BOOTSTRAP_LARGE_ROWS:,} respondents): "
            f"each end is within about ±{percentile_end_error(self.resamples):.2f} standard errors of the mean of "
            "where more resamples would put it (Monte Carlo error)."
        )

    def as_dict(self) -> dict[str, object]:
        def clean(x: float) -> float | None:
            return None if x is None or np.isnan(x) else round(float(x), 4)

        return {
            "wave": self.wave,
            "respondents": self.respondents,
            "zero_total": self.zero_total,
            "suppressed": self.suppressed,
            "shares": {k: clean(v) for k, v in self.shares.items()},
            "seventy_twenty_ten": {k: clean(v) for k, v in self.buckets.items()},
            "informal_share": clean(self.informal_share),
            "self_directed_share": clean(self.self_directed_share),
            "informal_share_ci": [clean(x) for x in self.informal_share_ci],
            "shares_ci": {t: [clean(x) for x in ends] for t, ends in self.shares_ci.items()},
            # only when fewer than the usual resamples were drawn (a large organisation)
            **({"interval_resamples": self.resamples} if self.interval_note else {}),
        }


def overall_mix(
    ds: Dataset,
    wave: str | None = None,
    min_size: int = MIN_GROUP_SIZE,
    across: bool = True,
    intervals: bool = True,
) -> MixSummary:
    """The whole organisation's learning mix: the mean of respondents' shares per type.

    mix(t) = (1/n) Σ_p share_p(t) over the n respondents (hours > 0); informal share =
    1 − mix(FSL) (reference: about 80%, Cross 2007); self-directed share = mix(IOL) + mix(GDL) +
    mix(PDL) (Jarche); shares_ci: each type's 95% bootstrap interval over respondents (one set of
    resamples, :func:`lib.core.stats.bootstrap_mean_intervals`), informal_share_ci: 1 − FSL's;
    experience / others / formal = sums over :data:`SEVENTY_TWENTY_TEN`
    (reference 70:20:10). All NaN when n < ``min_size`` (suppressed) or n = 0, and, with
    ``across`` (the aggregate view), when the wave's respondents differ from another wave's by
    fewer than ``min_size`` people (:attr:`lib.core.privacy.Release.withheld`: comparing the two
    waves' mixes would give those people away).

    ``intervals=False``: the shares without their intervals (``shares_ci`` empty,
    ``informal_share_ci`` NaN), for a number shown before its interval is ready (the Overview's tile).

    Computed once per dataset object and arguments (``ds.memo``: the Learning page, its intervals,
    the GDL shift and the Overview's tiles read it; its bootstrap is half a second at 10,000
    people). The summary is frozen: callers must not change its dictionaries.
    """
    # keyed by the label ``wave`` stands for (None: the latest), so ``None`` and that label, which
    # give the same mix, share one computation (analyze's learning section and the GDL shift)
    chosen = waves.resolve(wave, learning_waves(ds))
    key = ("learning.overall_mix", chosen, min_size, across) + (() if intervals else ("no intervals",))
    return ds.remember(key, lambda: _overall_mix(ds, chosen, min_size, across, intervals))


def _overall_mix(ds: Dataset, wave: str | None, min_size: int, across: bool, intervals: bool) -> MixSummary:
    people = person_mix(ds, wave)
    label = people["wave"].iloc[0] if len(people) else rows_for_wave(ds.learning, wave)[1]
    resp = people[~people["zero_total"]]
    n = len(resp)
    suppressed = not privacy.large_enough(n, min_size) or (
        across
        and n > 0
        # the first step of the release plan only (the groups' plan is the group mixes' to pay)
        and (label or "") in privacy.withheld_waves(ds, "learning", respondent_populations(ds), min_size)
    )
    nan = float("nan")
    if n == 0 or suppressed:
        return MixSummary(
            wave=label,
            respondents=n,
            zero_total=int(people["zero_total"].sum()),
            suppressed=suppressed,
            shares=dict.fromkeys(TYPES, nan),
            buckets={b.name: nan for b in SEVENTY_TWENTY_TEN},
        )
    mean = resp[list(TYPES)].mean()
    shares = {t: float(mean[t]) for t in TYPES}
    shares_ci: dict[str, tuple[float, float]] = {}
    if intervals:
        ends = bootstrap_mean_intervals(resp[list(TYPES)].to_numpy(dtype=float))
        shares_ci = {t: (float(ends[0, i]), float(ends[1, i])) for i, t in enumerate(TYPES)}
    fsl_low, fsl_high = shares_ci.get("FSL", (nan, nan))
    return MixSummary(
        wave=label,
        respondents=n,
        zero_total=int(people["zero_total"].sum()),
        suppressed=False,
        shares=shares,
        buckets={b.name: sum(shares[t] for t in b.types) for b in SEVENTY_TWENTY_TEN},
        informal_share=1.0 - shares["FSL"],
        self_directed_share=sum(shares[t] for t in SELF_DIRECTED_TYPES),
        informal_share_ci=(1.0 - fsl_high, 1.0 - fsl_low),  # 1 − FSL: same resamples, ends swapped
        shares_ci=shares_ci,
        resamples=bootstrap_resamples(n),
    )


# --- groups ------------------------------------------------------------------------------


def _members(ds: Dataset, by: str, wave: str | None) -> pd.DataFrame:
    """Person shares with a ``group`` column; ``by="wave"`` stacks every wave."""
    if by == "wave":
        labels = learning_waves(ds) or [""]
        frames = [person_mix(ds, w) for w in labels]
        people = pd.concat(frames, ignore_index=True) if frames else person_mix(ds, wave)
        people["group"] = people["wave"].replace("", NOT_GIVEN)
        return people
    people = person_mix(ds, wave)
    if by not in ds.people:
        raise KeyError(f"no people attribute {by!r} (have: {list(ds.people.columns)})")
    group_of = dict(
        zip(
            ds.people["person_id"].astype(str).to_numpy(dtype=object).tolist(),
            privacy.group_labels(ds.people, by).to_numpy(dtype=object).tolist(),
            strict=True,
        )
    )
    people["group"] = [group_of.get(str(p), NOT_GIVEN) for p in people["person_id"].to_numpy(dtype=object)]
    return people


def respondent_populations(ds: Dataset) -> dict[str, list[str]]:
    """wave → the people with learning hours (> 0) in it: who every mix is computed from.
    Computed once per dataset object (kept in ``ds.memo``)."""
    key = ("learning.respondent_populations", id(ds.learning), id(ds.people))
    held = ds.memo.get(key)  # one look: the memo's budget may drop an entry between two
    if held is not None:
        return held  # type: ignore[return-value]
    out: dict[str, list[str]] = {}
    labels: list[str | None] = [*learning_waves(ds)] or [None]
    for w in labels:
        people = person_mix(ds, w)
        resp = people[~people["zero_total"]]
        out[str(resp["wave"].iloc[0]) if len(resp) else (w or "")] = [
            str(p) for p in resp["person_id"].tolist()
        ]
    ds.memo[key] = out
    return out


def group_mix(
    ds: Dataset, by: str, wave: str | None = None, min_size: int = MIN_GROUP_SIZE, across: bool = True
) -> pd.DataFrame:
    """The learning mix per group (team, department, level, location, custom attribute or wave).

    For each group: respondents n (hours > 0), zero_total (people whose hours sum to zero),
    the mean share per type (1/n) Σ_p share_p(t), experience/others/formal (the 70:20:10 mapping),
    informal_share = 1 − FSL, self_directed_share = IOL + GDL + PDL, and the spread of each
    person's self-directed share (sd). What may be shown is decided by
    :func:`lib.core.privacy.protect_groups`: with ``across`` (the aggregate view) over every breakdown
    and wave of the learning respondents together, else per table (n < ``min_size``, plus the
    complementary group(s) that would reveal them from the overall mix). Rows stay, flagged
    ``suppressed``, values NaN. ``by="wave"`` compares waves (then ``wave`` is ignored).
    Sorted by group label.
    """
    people = _members(ds, by, wave)
    resp = people[~people["zero_total"]]
    zero = people.groupby("group")["zero_total"].sum()
    value_cols = [*TYPES, "experience", "others", "formal", "informal_share", "self_directed_share"]
    if len(resp):
        resp = _add_references(resp.copy())
        agg = resp.groupby("group")[value_cols].mean()
        agg["self_directed_sd"] = resp.groupby("group")["self_directed_share"].std(ddof=1)
        agg["respondents"] = resp.groupby("group").size()
    else:
        agg = pd.DataFrame(columns=[*value_cols, "self_directed_sd", "respondents"], dtype=float)
    groups = sorted(set(people["group"].tolist()))
    out = agg.reindex(groups)
    out["respondents"] = out["respondents"].fillna(0).astype(int)
    out["zero_total"] = zero.reindex(groups).fillna(0).astype(int)
    out.index.name = by
    out = out.reset_index()
    out = out[[by, "respondents", "zero_total", *value_cols, "self_directed_sd"]]
    values = [*value_cols, "self_directed_sd"]
    if by == "wave":
        checked = suppress_small_groups(out, "respondents", min_size, value_cols=values)
        if across:
            release = privacy.release_for(ds, "learning", respondent_populations(ds), min_size)
            withheld = ~out["wave"].map(lambda w: release.total_shown("" if w == NOT_GIVEN else str(w)))
            checked.loc[withheld, values] = np.nan
            checked.loc[withheld, "suppressed"] = True
        return checked
    label = rows_for_wave(ds.learning, wave)[1]
    return privacy.protect_groups(
        out,
        ds,
        by,
        family="learning",
        populations=respondent_populations(ds) if across else {},
        min_size=min_size,
        wave=label,
        size_col="respondents",
        value_cols=values,
        across=across,
        group_col=by,
    )


def group_spread(
    ds: Dataset, by: str, wave: str | None = None, min_size: int = MIN_GROUP_SIZE, across: bool = True
) -> pd.DataFrame:
    """The spread between people of each type's share, per shown group (long form).

    Per group and type: n, mean, sd (n − 1 denominator; NaN for n = 1), p25, median, p75 of the
    respondents' shares (pandas' linear quantiles). Quartiles, not minimum and maximum, so no
    single person's value is shown. Only groups :func:`group_mix` shows are listed.
    """
    shown_groups = group_mix(ds, by, wave, min_size, across)
    keep = set(shown_groups.loc[~shown_groups["suppressed"], by])
    people = _members(ds, by, wave)
    resp = people[~people["zero_total"] & people["group"].isin(keep)]
    cols = [by, "learning_type", "n", "mean", "sd", "p25", "median", "p75"]
    if not len(resp):
        return pd.DataFrame(columns=cols)
    long = resp.melt(id_vars="group", value_vars=list(TYPES), var_name="learning_type", value_name="share")
    grouped = long.groupby(["group", "learning_type"], sort=False)["share"]
    stats = pd.DataFrame(grouped.agg(n="size", mean="mean", sd="std"))  # ddof = 1; NaN for n = 1
    for name, q in (("p25", 0.25), ("median", 0.5), ("p75", 0.75)):
        stats[name] = grouped.quantile(q)
    out = stats.reset_index().rename(columns={"group": by})
    out["_t"] = out["learning_type"].map({t: i for i, t in enumerate(TYPES)})
    out = out.sort_values([by, "_t"], kind="stable").drop(columns="_t").reset_index(drop=True)
    out["n"] = out["n"].astype(int)
    return out[cols]


def mix_intervals(
    ds: Dataset,
    by: str | None = None,
    wave: str | None = None,
    min_size: int = MIN_GROUP_SIZE,
    across: bool = True,
) -> pd.DataFrame:
    """Each learning-type share with its 95% interval, for the organisation (``by=None``) or per group.

    share = the mix (mean of the respondents' shares, as :func:`overall_mix` / :func:`group_mix`);
    share_low, share_high = its 95% bootstrap interval over respondents, resampled within the group
    (:func:`lib.core.stats.bootstrap_mean_intervals`: percentile method, 1,999 resamples, 499 above
    5,000 rows, fixed seed). Only what those functions show is listed: nothing when the organisation's mix is
    withheld, and only the groups :func:`group_mix` shows (privacy rules there). Long form:
    group (``by`` or "organisation"), learning_type, respondents, share, share_low, share_high.
    """
    col = by or "organisation"
    cols = [col, "learning_type", "respondents", "share", "share_low", "share_high"]
    if by is None:
        summary = overall_mix(ds, wave, min_size, across)
        if summary.suppressed:
            return pd.DataFrame(columns=cols)
        return pd.DataFrame(
            [[col, t, summary.respondents, summary.shares[t], *summary.shares_ci[t]] for t in TYPES],
            columns=cols,
        ).assign(**{col: "organisation"})
    shown = group_mix(ds, by, wave, min_size, across)
    keep = set(shown.loc[~shown["suppressed"], by])
    people = _members(ds, by, wave)
    resp = people[~people["zero_total"] & people["group"].isin(keep)]
    # each group's rows in their order (as groupby gives them), in the groups' sorted order
    codes, labels = pd.factorize(resp["group"], sort=True)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=len(labels))
    members = np.split(order, np.cumsum(sizes)[:-1]) if len(labels) else []
    shares = resp[list(TYPES)].to_numpy(dtype=float)
    ends = bootstrap_mean_intervals_by_group(shares, members)
    rows: list[dict[str, object]] = []
    for group, at, lo_hi in zip(labels, members, ends, strict=True):
        # column-major like a group's own frame, so the means add up in the same order
        mean = np.asfortranarray(shares[at]).mean(axis=0)
        for i, t in enumerate(TYPES):
            rows.append(
                {
                    col: group,
                    "learning_type": t,
                    "respondents": len(at),
                    "share": float(mean[i]),
                    "share_low": float(lo_hi[0, i]),
                    "share_high": float(lo_hi[1, i]),
                }
            )
    return pd.DataFrame(rows, columns=cols)


# --- learning through the network -------------------------------------------------------


def _typed_ties(ds: Dataset, wave: str | None) -> pd.DataFrame:
    ties = waves.select(ds.ties, waves.tie_wave(ds, wave))
    if not len(ties) or "learning_type" not in ties:
        return pd.DataFrame(columns=["source_id", "target_id", "learning_type", "weight"])
    lt = ties["learning_type"].fillna("").astype(str).str.strip().str.upper()
    frame = pd.DataFrame(
        {  # the text columns stay pyarrow-backed: no Python object per value
            "source_id": ties["source_id"].astype(str).array,
            "target_id": ties["target_id"].astype(str).array,
            "learning_type": lt.array,
            "weight": pd.to_numeric(ties["weight"], errors="coerce").fillna(1.0).to_numpy(dtype=float),
        }
    )
    return frame[frame["learning_type"].isin(TYPES)]


def network_learning_mix(ds: Dataset, wave: str | None = None) -> pd.DataFrame:
    """The mix of learning that flows through the network: ties that carry a learning_type.

    Per type: ties (count), weight (Σ tie weights, missing weight = 1), share = weight(t) /
    Σ weight over typed ties, people = distinct people on either end. Empty when no tie carries
    a learning type. Counts ties, not people, so it is not a group statistic to suppress; the
    page shows it only when the typed ties involve at least the minimum group size of people.
    """
    ties = _typed_ties(ds, wave)
    cols = ["learning_type", "ties", "weight", "share", "people"]
    if not len(ties):
        return pd.DataFrame(columns=cols)
    total = ties["weight"].sum()
    rows = []
    for t in TYPES:
        sub = ties[ties["learning_type"] == t]
        people = len(pd.unique(pd.concat([sub["source_id"], sub["target_id"]], ignore_index=True)))
        w = float(sub["weight"].sum())
        rows.append(
            {
                "learning_type": t,
                "ties": len(sub),
                "weight": w,
                "share": w / total if total > 0 else float("nan"),
                "people": people,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def learning_hubs(ds: Dataset, wave: str | None = None, top: int = 5) -> pd.DataFrame:
    """Who people learn from, per learning type: the top in-degree people among typed ties.

    A tie source → target means the source learns from (seeks, names) the target, so a hub is a
    person with many incoming ties of that type: in_degree = distinct people naming them,
    weighted_in_degree = Σ weights of those ties. Top ``top`` per type by weighted in-degree
    (ties broken by in-degree, then person_id). Person-level: named view only.
    """
    ties = _typed_ties(ds, wave)
    cols = ["learning_type", "rank", "person_id", "in_degree", "weighted_in_degree"]
    ties = ties[ties["source_id"] != ties["target_id"]]
    if not len(ties):
        return pd.DataFrame(columns=cols)
    agg = (
        ties.groupby(["learning_type", "target_id"])
        .agg(in_degree=("source_id", "nunique"), weighted_in_degree=("weight", "sum"))
        .reset_index()
        .rename(columns={"target_id": "person_id"})
    )
    agg = agg.sort_values(
        ["learning_type", "weighted_in_degree", "in_degree", "person_id"],
        ascending=[True, False, False, True],
    )
    agg["rank"] = agg.groupby("learning_type").cumcount() + 1
    agg = agg[agg["rank"] <= top]
    agg["_t"] = agg["learning_type"].map({t: i for i, t in enumerate(TYPES)})
    return agg.sort_values(["_t", "rank"])[cols].reset_index(drop=True)


# --- command line ------------------------------------------------------------------------


def analysis_json(ds: Dataset) -> dict[str, object]:
    """The ``learning_mix`` section of ``python -m lib.cli analyze``: latest wave, default privacy.

    overall shares per type with their 95% bootstrap intervals (``shares_ci``: type → [low, high],
    :func:`mix_intervals`), respondents, informal_share, self_directed_share, 70:20:10 buckets,
    and the same per department (groups below the minimum size come out as ``suppressed``); the
    wave's learning-question ``wording`` (:func:`wave_wording`) and, when it differs from the previous
    wave's, ``wording_note`` (:func:`wording_note`; else null).
    """
    summary = overall_mix(ds)
    out = summary.as_dict()
    out["types"] = {t: LEARNING_TYPES[t] for t in TYPES}
    out["mapping_70_20_10"] = {
        b.name: {"reference": b.reference, "types": list(b.types)} for b in SEVENTY_TWENTY_TEN
    }
    per_department: list[dict[str, object]] = []
    if "department" in ds.people and len(ds.learning):
        table = group_mix(ds, "department")
        ci = _intervals_json(mix_intervals(ds, "department"), "department")
        for row in table.to_dict("records"):

            def clean(x: object) -> object:
                if isinstance(x, float):
                    return None if np.isnan(x) else round(x, 4)
                return x

            per_department.append(
                {
                    "department": row["department"],
                    # a group below the minimum size has its count withheld (NaN): null in JSON
                    "respondents": None if pd.isna(row["respondents"]) else int(row["respondents"]),
                    "suppressed": bool(row["suppressed"]),
                    "shares": {t: clean(row[t]) for t in TYPES},
                    "shares_ci": ci.get(str(row["department"]), {}),
                    "informal_share": clean(row["informal_share"]),
                    "self_directed_share": clean(row["self_directed_share"]),
                }
            )
    out["per_department"] = per_department
    found = learning_waves(ds)
    wording = wave_wording(ds, summary.wave or None)
    out["wording"] = {"wording": wording.wording, "source": wording.source, "text": wording.text}
    before = (
        found[found.index(summary.wave) - 1]
        if summary.wave in found and found.index(summary.wave) > 0
        else None
    )
    # a change from the previous wave compares different questions when the wordings differ
    out["wording_note"] = wording_note(ds, before, summary.wave) or None
    return out


def _intervals_json(table: pd.DataFrame, col: str) -> dict[str, dict[str, list[float | None]]]:
    """group → type → [low, high] (rounded; None where undefined) from :func:`mix_intervals`."""
    out: dict[str, dict[str, list[float | None]]] = {}
    for row in table.to_dict("records"):
        ends = [None if pd.isna(row[e]) else round(float(row[e]), 4) for e in ("share_low", "share_high")]
        out.setdefault(str(row[col]), {})[str(row["learning_type"])] = ends
    return out
