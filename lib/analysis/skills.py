"""Skill gaps and coverage: "from curricula to competencies" in Jarche's five shifts.

Rules, stated once here and read by every function below:

* **Several ratings** for the same person, skill and wave (self, peer, manager, or no source) are
  combined as the **mean of the available ratings** (:data:`RATING_RULE`). Undated ratings (wave
  ``""``) belong to every wave and are averaged with that wave's ratings.
* **Wave** (:mod:`lib.core.waves`): ``None`` or ``""`` means the latest wave found in the skills
  sheet (labels sort in time order, e.g. ``2026-Q1`` < ``2026-Q2``); without any wave labels every
  rating is used.
* **Gap** = max(required level − current level, 0), the requirement coming from ``role_skills``
  for the person's role. A requirement without a rating is *unknown* (gap NaN), never zero. A
  requirement of level 0 is met by definition, rating or not.
* **Holder**: a person whose current level is ≥ :data:`DEFAULT_HOLDER_LEVEL` (3, "can do the work
  unaided"); :data:`TEACH_LEVEL` (4) is "can teach it". Pages let the viewer change the level.
* Skill and role names match case-insensitively, ignoring repeated spaces; the spelling shown is
  the one in ``role_skills`` when the skill is required there, else the first one in ``skills``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE
from lib.core.textsets import is_in, positions, sorted_codes

__all__ = [
    "BUS_FACTOR_FLAGS",
    "DEFAULT_HOLDER_LEVEL",
    "RATING_RULE",
    "SEVERITY_BANDS",
    "TEACH_LEVEL",
    "SeverityBand",
    "SkillClusters",
    "column_text",
    "coverage",
    "coverage_change",
    "current_levels",
    "gap_table",
    "group_gap_cells",
    "holders",
    "json_number",
    "name_key",
    "name_keys",
    "person_gaps",
    "resolve_wave",
    "severity",
    "skill_clusters",
    "skill_waves",
    "top_gaps",
    "top_gaps_json",
]

DEFAULT_HOLDER_LEVEL = 3.0
TEACH_LEVEL = 4.0
#: Which rating counts when a person has several for one skill: the first source present in this order.
SOURCE_ORDER: tuple[str, ...] = ("manager", "peer", "self", "")
RATING_RULE = (
    "one source per person, skill and wave, never averaged across sources: the manager's rating when "
    "there is one, else a peer's, else the person's own (self), else an unlabelled one; several "
    "ratings from that one source are averaged"
)

GAP_COLUMNS = ["person_id", "team", "role", "skill", "required_level", "level", "gap", "status"]


@dataclass(frozen=True)
class SeverityBand:
    name: str
    low: float  # gap > low (exclusive), except the first band which is gap == 0
    high: float  # gap <= high
    meaning: str


#: Gap severity on the 0–5 scale: one level short is minor, two is moderate, three or more severe.
SEVERITY_BANDS: tuple[SeverityBand, ...] = (
    SeverityBand("met", -np.inf, 0.0, "at or above the required level"),
    SeverityBand("minor", 0.0, 1.0, "up to one level short"),
    SeverityBand("moderate", 1.0, 2.0, "more than one and up to two levels short"),
    SeverityBand("severe", 2.0, np.inf, "more than two levels short"),
)


def severity(gap: float) -> str:
    """The severity band of one gap (see :data:`SEVERITY_BANDS`); ``"unknown"`` for NaN."""
    if gap is None or pd.isna(gap):
        return "unknown"
    for band in SEVERITY_BANDS:
        if band.low < gap <= band.high:
            return band.name
    return SEVERITY_BANDS[-1].name


def severities(gaps: pd.Series) -> pd.Series:
    """:func:`severity` of every gap, by array comparisons (a band per row in one pass per band)."""
    values = pd.to_numeric(gaps, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    names = np.array([band.name for band in SEVERITY_BANDS] + ["unknown"], dtype=object)
    return pd.Series(names[_band_codes(values)], index=gaps.index, dtype=object)


def _band_codes(values: np.ndarray) -> np.ndarray:
    """Each gap's band as its position in :data:`SEVERITY_BANDS`, −1 for NaN ("unknown")."""
    out = np.full(len(values), len(SEVERITY_BANDS) - 1)  # what no band holds (−inf): the last
    placed = np.zeros(len(values), dtype=bool)
    for i, band in enumerate(SEVERITY_BANDS):
        inside = ~placed & (band.low < values) & (values <= band.high)
        out[inside] = i
        placed |= inside
    out[np.isnan(values)] = -1
    return out


def name_key(text: object) -> str:
    """Matching key for skill and role names: case-insensitive, whitespace collapsed."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return " ".join(str(text).split()).casefold()


def name_keys(values: pd.Series) -> pd.Series:
    """:func:`name_key` of every value, computed once per distinct value (tables repeat names a lot).

    The values are numbered by ``pd.factorize`` and each row takes its number's key (a take, where
    ``Series.map`` of a lookup asked pyarrow one value at a time: a second over the skills
    sheet's 1.2 million ratings at 100,000 people); missing values go through ``map`` of the whole
    column's lookup as before (which missing value matches which is pandas' rule, kept)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    keys = np.array([name_key(v) for v in distinct] + [""], dtype=object)
    out = keys[codes]  # code −1 (missing) takes the last, "", replaced below
    missing = codes < 0
    if missing.any():
        out[missing] = _missing_keys(values, missing)
    return pd.Series(out, index=values.index, dtype=object).astype(str)


def _missing_keys(values: pd.Series, missing: np.ndarray) -> np.ndarray:
    """The keys of the missing ``values`` (rows ``missing``) as the plain ``map`` of the whole
    column's lookup gives them (which missing value matches which lookup entry is pandas' rule)."""
    lookup = {v: name_key(v) for v in pd.unique(values)}
    return np.asarray(values[missing].map(lookup).fillna("").to_numpy(dtype=object), dtype=object)


def skill_waves(ds: Dataset) -> list[str]:
    """Wave labels present in the skills sheet, sorted (:func:`lib.core.waves.labels`). Kept in
    ``ds.memo`` while the skills table is the same object (every analysis resolves its wave)."""
    held = ds.memo.get("skills.waves")
    if isinstance(held, tuple) and held[0] is ds.skills:
        return list(held[1])
    found = waves.labels(ds.skills)
    ds.memo["skills.waves"] = (ds.skills, tuple(found))
    return found


def resolve_wave(ds: Dataset, wave: str | None) -> str | None:
    """The skills wave an analysis uses (:func:`lib.core.waves.resolve` over the skills sheet):
    ``wave`` itself, or the latest skills wave when ``None`` or ``""``.

    Returns ``None`` only when the skills sheet has no wave labels (then every rating counts).
    """
    return waves.resolve(wave, skill_waves(ds))


def _skill_names(ds: Dataset) -> dict[str, str]:
    """Matching key → display name: role_skills spelling first, then the skills sheet's. Kept in
    ``ds.memo`` while the two tables are the same objects (a pass over every rating to make)."""
    held = ds.memo.get("skills.names")
    if isinstance(held, tuple) and held[0] is ds.role_skills and held[1] is ds.skills:
        return dict(held[2])
    names = _find_skill_names(ds)
    ds.memo["skills.names"] = (ds.role_skills, ds.skills, names)
    return dict(names)


def _find_skill_names(ds: Dataset) -> dict[str, str]:
    names: dict[str, str] = {}
    for table in (ds.role_skills, ds.skills):
        if len(table) and "skill" in table:
            for s in pd.unique(table["skill"].dropna()):
                k = name_key(s)
                if k and k not in names:
                    names[k] = " ".join(str(s).split())
    return names


def current_levels(ds: Dataset, wave: str | None = None) -> pd.DataFrame:
    """Each person's current level per skill in a wave: the one place ratings are combined.

    Rule (:data:`RATING_RULE`): self ratings and others' ratings are not comparable (self ratings
    run higher, and in survey data they come from respondents while managers rate the others), so
    sources are never averaged together. Among the rows of ``wave`` plus the undated rows (wave
    ``""``) the first source present in :data:`SOURCE_ORDER` (manager, peer, self, unlabelled) is
    used, its ratings averaged; ``wave=None`` means the latest skills wave. Ratings of people not in
    the people sheet and blank levels are ignored.

    Returns columns person_id, skill (display spelling), level (float 0–5), ratings (how many
    rows were averaged), source (the one used), sorted by person_id then skill. Computed once per
    dataset object and wave (``ds.memo``: coverage, gaps and the skills network all read it); each
    caller gets its own copy.
    """
    return _held_levels(ds, resolve_wave(ds, wave)).copy()  # the key: None and the latest label are one


def _held_levels(ds: Dataset, chosen: str | None) -> pd.DataFrame:
    """current_levels of the resolved wave ``chosen`` as kept in ``ds.memo``: read it, never change it."""
    return ds.remember(("skills.current_levels", chosen), lambda: _current_levels(ds, chosen))


def _current_levels(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """current_levels by integer codes: each kept row's person as its rank among the roster's ids
    (:func:`_roster`) and its skill as its display spelling's rank (:func:`_display_codes`), so one
    stable sort puts the rows in the output order, grouped; the text columns are made by taking
    from the few distinct texts. A roster with a missing id goes the text way
    (:func:`_current_levels_by_text`: how a missing id pairs up is that code's rule)."""
    sk = ds.skills
    if not len(sk) or ds.people["person_id"].isna().any():
        return _current_levels_by_text(ds, wave)
    selected = waves.selected(sk, wave)
    every = bool(selected.all())

    def column(name: str) -> pd.Series:
        return sk[name] if every else sk[name][selected]

    _, ids = _roster(ds)
    person = positions(column("person_id").astype(str), ids)  # −1: not on the roster (or missing)
    key_code, key_texts = _key_codes(column("skill"))
    displays, code_of_key = _display_codes(ds)
    skill = np.array([code_of_key.get(k, -1) for k in key_texts], dtype=np.int64)[key_code]
    level = pd.to_numeric(column("level"), errors="coerce").to_numpy(dtype=float)
    if "source" in sk:
        source_code, source_texts = pd.factorize(column("source"), use_na_sentinel=True)
        sources = pd.Series(source_texts).fillna("").astype(str).str.strip().str.lower()
        source_text = np.append(sources.to_numpy(dtype=object), "")  # code −1 (missing) → ""
        source_code = np.where(source_code < 0, len(source_texts), source_code)
    else:
        source_code, source_text = np.zeros(len(level), dtype=np.intp), np.array([""], dtype=object)
    keep = (person >= 0) & (skill >= 0) & ~np.isnan(level)
    if not keep.any():
        return _current_levels_by_text(ds, wave)  # the empty table's column types, as that code gives them
    rank = {src: i for i, src in enumerate(SOURCE_ORDER)}
    source_rank = np.array([rank.get(str(s), len(SOURCE_ORDER)) for s in source_text], dtype=np.int64)
    width, ranks = max(len(displays), 1), len(SOURCE_ORDER) + 1
    pair = person[keep] * width + skill[keep]
    source_code = source_code[keep]
    # by pair (person, then skill as shown), then source rank, rows in sheet order within each
    order = np.argsort(pair * ranks + source_rank[source_code], kind="stable")
    pair, source_code = pair[order], source_code[order]
    best = source_rank[source_code]
    new_pair = np.r_[True, pair[1:] != pair[:-1]]
    group = np.cumsum(new_pair) - 1  # each row's pair's rank among the pairs
    used = best == best[new_pair][group]  # the rows of each pair's first source present
    pair, source_code, group_used = pair[used], source_code[used], group[used]
    firsts = np.flatnonzero(np.r_[True, group_used[1:] != group_used[:-1]])
    counts = np.diff(np.r_[firsts, len(group_used)]).astype(np.int64)
    # the mean of the used rows: summed by position when every sum is exact (levels in steps
    # of 1/1024, the usual whole levels and halves); else grouped in sheet order by that rank, as
    # grouping the frame by pair did, so pandas sums them in the same way (it adds sorted rows
    # without compensation, unsorted ones with Kahan's: last-bit differences between the two)
    in_sheet = np.zeros(len(order), dtype=bool)
    in_sheet[order[used]] = True
    rank_in_sheet = np.empty(len(order), dtype=np.int64)
    rank_in_sheet[order] = group
    used_level = level[keep][order][used]  # by pair, each pair's rows in sheet order
    means = _means(used_level, firsts, counts)
    if means is None:
        means = pd.Series(level[keep][in_sheet]).groupby(rank_in_sheet[in_sheet]).mean().to_numpy()
    pair = pair[firsts]
    return pd.DataFrame(
        {
            "person_id": ids.array.take(pair // width),
            "skill": pd.array(np.asarray(displays, dtype=object), dtype="str").take(pair % width),
            "level": means,
            "ratings": counts,
            "source": pd.array(source_text, dtype="str").take(source_code[firsts]),
        }
    )


#: Levels are summed by position when each is a multiple of 1 / EXACT_STEP and all of them sum
#: below 2 ** 43 in size: every partial sum is then exact in a float (53 bits), whatever the order.
EXACT_STEP = 1024.0


def _means(values: np.ndarray, firsts: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    """The mean of each run of ``values`` starting at ``firsts`` (``counts`` long), or None when
    a sum might round (see :data:`EXACT_STEP`): then the order of the additions matters."""
    scaled = values * EXACT_STEP
    if not (np.all(scaled == np.round(scaled)) and float(np.abs(values).sum()) < 2.0**43):
        return None
    return np.asarray(np.add.reduceat(values, firsts) / counts, dtype=float)


def _roster(ds: Dataset) -> tuple[np.ndarray, pd.Index]:
    """Each people-sheet row's rank among the roster's distinct ids (as text) and those ids sorted
    (:func:`lib.core.textsets.sorted_codes`): the order current_levels sorts people in. Kept in
    ``ds.memo`` while the people table is the same object (levels and gaps both read it); callers
    must not change the arrays in place."""
    held = ds.memo.get("skills.roster")
    if isinstance(held, tuple) and held[0] is ds.people:
        return held[1], held[2]
    rank, ids = sorted_codes(ds.people["person_id"].astype(str))
    ds.memo["skills.roster"] = (ds.people, rank, ids)
    return rank, ids


def _display_codes(ds: Dataset) -> tuple[list[str], dict[str, int]]:
    """The display spellings of :func:`_skill_names` sorted, and each matching key's rank in them."""
    names = _skill_names(ds)
    displays = sorted(set(names.values()))
    at = {d: i for i, d in enumerate(displays)}
    return displays, {k: at[d] for k, d in names.items()}


def _current_levels_by_text(ds: Dataset, wave: str | None) -> pd.DataFrame:
    cols = ["person_id", "skill", "level", "ratings", "source"]
    sk = ds.skills
    if not len(sk):
        return pd.DataFrame(
            {
                "person_id": pd.Series(dtype=str),
                "skill": pd.Series(dtype=str),
                "level": pd.Series(dtype=float),
                "ratings": pd.Series(dtype=int),
                "source": pd.Series(dtype=str),
            }
        )
    rows = waves.select(sk, resolve_wave(ds, wave))
    person = rows["person_id"].astype(str)
    key_code, key_texts = _key_codes(rows["skill"])
    level = pd.to_numeric(rows["level"], errors="coerce").to_numpy(dtype=float)
    if "source" in rows:
        source_code, source_texts = pd.factorize(rows["source"], use_na_sentinel=True)
        sources = pd.Series(source_texts).fillna("").astype(str).str.strip().str.lower()
        source_text = np.append(sources.to_numpy(dtype=object), "")  # code −1 (missing) → ""
    else:
        source_code, source_text = np.zeros(len(rows), dtype=np.intp), np.array([""], dtype=object)
    keep = is_in(person, ds.people["person_id"].astype(str)) & (key_texts[key_code] != "") & ~np.isnan(level)
    if not keep.any():  # the columns' types as grouping the text gave them (no rows: untyped ids)
        text = "str" if len(rows) else object
        types = {"person_id": text, "skill": "str", "level": float, "ratings": np.int64, "source": text}
        return pd.DataFrame({c: pd.Series(dtype=types[c]) for c in cols})
    # each (person, skill key) as one integer in the order of the two texts: the rows grouped by
    # integers instead of two text columns, in the same order
    person_code, person_ids = sorted_codes(person[keep])
    key_code = key_code[keep]
    width = max(len(key_texts), 1)
    rank = {src: i for i, src in enumerate(SOURCE_ORDER)}
    source_rank = np.array([rank.get(str(t), len(SOURCE_ORDER)) for t in source_text], dtype=float)
    frame = pd.DataFrame(
        {
            "pair": person_code * width + key_code,
            "level": level[keep],
            "source": source_code[keep],
            "rank": source_rank[source_code[keep]],
        }
    )
    first = frame.groupby("pair")["rank"].transform("min")
    frame = frame[frame["rank"] == first]
    out = frame.groupby("pair").agg(
        level=("level", "mean"), ratings=("level", "size"), source=("source", "first")
    )
    pair = out.index.to_numpy()
    names = _skill_names(ds)
    display = np.array([names.get(k) for k in key_texts], dtype=object)
    # by person, then the skill's spelling shown (its rank among the sorted spellings)
    display_rank = pd.factorize(display, sort=True)[0]
    order = np.lexsort((display_rank[pair % width], pair // width))
    pair = pair[order]
    return pd.DataFrame(
        {
            "person_id": person_ids.take(pair // width).array,
            "skill": pd.array(display[pair % width], dtype="str"),
            "level": out["level"].to_numpy()[order],
            "ratings": out["ratings"].to_numpy()[order],
            "source": pd.array(source_text[out["source"].to_numpy()[order]], dtype="str"),
        }
    )[cols]


def _key_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`name_keys` of ``values`` as (each row's code, the distinct keys sorted): the key of
    each distinct value, without a text per row."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([name_key(v) for v in distinct] + [""], dtype=object)
    at = np.where(codes < 0, len(distinct), codes)
    missing = codes < 0
    if missing.any():  # missing values' keys as name_keys gives them, one entry per row
        texts = np.concatenate([texts, _missing_keys(values, missing)])
        at[missing] = len(distinct) + 1 + np.arange(int(missing.sum()))
    code_of_text, keys = pd.factorize(texts, sort=True)
    return code_of_text[at].astype(np.int64), np.asarray(keys, dtype=object)


def _requirements(ds: Dataset) -> pd.DataFrame:
    """role key, skill key, required_level (the highest when a role lists a skill twice)."""
    rs = ds.role_skills
    if not len(rs):
        return pd.DataFrame(
            {
                "role_key": pd.Series(dtype=str),
                "key": pd.Series(dtype=str),
                "required_level": pd.Series(dtype=float),
            }
        )
    frame = pd.DataFrame(
        {
            "role_key": rs["role"].pipe(name_keys).to_numpy(),
            "key": rs["skill"].pipe(name_keys).to_numpy(),
            "required_level": pd.to_numeric(rs["required_level"], errors="coerce").to_numpy(dtype=float),
        }
    )
    frame = frame[(frame["role_key"] != "") & (frame["key"] != "") & frame["required_level"].notna()]
    out: pd.DataFrame = frame.groupby(["role_key", "key"], as_index=False).agg(
        required_level=("required_level", "max")
    )
    return out


def person_gaps(ds: Dataset, wave: str | None = None) -> pd.DataFrame:
    """One row per person and skill their role requires: required level, current level and gap.

    gap = max(required_level − level, 0) (Jarche: "from curricula to competencies"; the required
    levels come from the ``role_skills`` sheet, the current ones from :func:`current_levels`).
    A requirement with no rating has level NaN, gap NaN and status ``"unknown"`` (an unknown is
    not a zero gap); a required level of 0 is always ``"met"``. status is ``"met"`` (gap 0),
    ``"gap"`` (gap > 0) or ``"unknown"``. People whose role has no requirements have no rows.

    Columns: person_id, team, role, skill, required_level, level, gap, status; people in the order
    of the people sheet, skills alphabetically. Computed once per dataset object and wave
    (``ds.memo``: coverage and the gap tables read it); each caller gets its own copy.
    """
    return _held_gaps(ds, resolve_wave(ds, wave)).copy()  # the key: None and the latest label are one


def _held_gaps(ds: Dataset, chosen: str | None) -> pd.DataFrame:
    """person_gaps of the resolved wave ``chosen`` as kept in ``ds.memo``: read it, never change it."""
    return ds.remember(("skills.person_gaps", chosen), lambda: _person_gaps(ds, chosen))


def _person_gaps(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """person_gaps by integer codes: each person's requirements laid out by position (people in
    sheet order, each role's skills in display order: the output order, no sort), and the levels
    found by searching current_levels' (person rank, skill rank) pairs, which it keeps sorted. A
    roster with a missing id goes the text way (:func:`_person_gaps_by_text`)."""
    people = ds.people
    req = _requirements(ds)
    if not len(people) or not len(req) or people["person_id"].isna().any():
        return _person_gaps_by_text(ds, wave)
    displays, code_of_key = _display_codes(ds)
    width = max(len(displays), 1)
    req = req.assign(code=req["key"].map(code_of_key).astype(np.int64))
    req = req.sort_values(["role_key", "code"], kind="stable").reset_index(drop=True)
    role_text = _text_column(people, "role")
    role_code, role_values = role_text.factorize()
    role_keys = np.array([name_key(v) for v in role_values] + [""], dtype=object)
    firsts = req.groupby("role_key", sort=False).size()
    stop = np.cumsum(firsts.to_numpy())
    span = {k: (int(b - n), int(n)) for k, b, n in zip(firsts.index, stop, firsts.to_numpy(), strict=True)}
    first_of_role = np.array([span.get(k, (0, 0))[0] for k in role_keys], dtype=np.int64)[role_code]
    count_of_role = np.array([span.get(k, (0, 0))[1] for k in role_keys], dtype=np.int64)[role_code]
    if not count_of_role.any():
        return _person_gaps_by_text(ds, wave)  # no one's role has requirements: the empty table
    row = np.repeat(np.arange(len(people)), count_of_role)  # each output row's person (sheet row)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(count_of_role) - count_of_role, count_of_role)
    need = np.repeat(first_of_role, count_of_role) + offset  # each output row's requirement
    skill = req["code"].to_numpy()[need]
    required = req["required_level"].to_numpy(dtype=float)[need]
    rank, ids = _roster(ds)
    level = _level_lookup(ds, wave, rank[row] * width + skill, ids, width, displays)
    diff = required - level
    diff = np.where(diff < 0, 0.0, diff)  # clip at 0, NaN (no rating) kept
    gap = np.where(required <= 0, 0.0, diff)
    status = np.where(np.isnan(gap), 0, np.where(gap > 0, 1, 2))
    return pd.DataFrame(
        {
            "person_id": people["person_id"].astype(str).array.take(row),
            "team": _text_column(people, "team").take(row),
            "role": role_text.take(row),
            "skill": _text(displays).take(skill),
            "required_level": required,
            "level": level,
            "gap": gap,
            "status": _text(["unknown", "gap", "met"]).take(status),
        }
    )[GAP_COLUMNS]


def _text(values: object) -> pd.api.extensions.ExtensionArray:
    """``values`` as a text (``str``) array, as a table column of them is typed."""
    return pd.array(np.asarray(values, dtype=object), dtype="str")


def _text_column(people: pd.DataFrame, col: str) -> pd.api.extensions.ExtensionArray:
    """:func:`column_text` as a text (``str``) array, the type a table column of it takes."""
    if col not in people:
        return _text(column_text(people, col))
    return people[col].fillna("").astype(str).array


def _level_lookup(
    ds: Dataset, wave: str | None, pairs: np.ndarray, ids: pd.Index, width: int, displays: list[str]
) -> np.ndarray:
    """The current level of each (person rank × ``width`` + skill rank) in ``pairs``, NaN where
    there is none: a search in current_levels' pairs, sorted as it is (by person id, then skill)."""
    levels = _held_levels(ds, wave)
    if not len(levels):
        return np.full(len(pairs), np.nan)
    person = positions(levels["person_id"], ids)
    skill_code, skill_values = pd.factorize(levels["skill"])
    at = {d: i for i, d in enumerate(displays)}
    skill = np.array([at[str(s)] for s in skill_values], dtype=np.int64)[skill_code]
    held = person * width + skill
    found = np.minimum(np.searchsorted(held, pairs), len(held) - 1)
    return np.where(held[found] == pairs, levels["level"].to_numpy(dtype=float)[found], np.nan)


def _person_gaps_by_text(ds: Dataset, wave: str | None) -> pd.DataFrame:
    people = ds.people
    empty = pd.DataFrame(
        {
            "person_id": pd.Series(dtype=str),
            "team": pd.Series(dtype=str),
            "role": pd.Series(dtype=str),
            "skill": pd.Series(dtype=str),
            "required_level": pd.Series(dtype=float),
            "level": pd.Series(dtype=float),
            "gap": pd.Series(dtype=float),
            "status": pd.Series(dtype=str),
        }
    )
    req = _requirements(ds)
    if not len(people) or not len(req):
        return empty
    persons = pd.DataFrame(
        {
            "person_id": people["person_id"].astype(str).to_numpy(),
            "team": column_text(people, "team"),
            "role": column_text(people, "role"),
            "order": np.arange(len(people)),
        }
    )
    persons["role_key"] = persons["role"].pipe(name_keys)
    merged = persons.merge(req, on="role_key", how="inner")
    if not len(merged):
        return empty
    levels = current_levels(ds, wave)
    levels["key"] = levels["skill"].pipe(name_keys)
    merged = merged.merge(levels[["person_id", "key", "level"]], on=["person_id", "key"], how="left")
    merged["level"] = merged["level"].astype(float)
    diff = (merged["required_level"] - merged["level"]).clip(lower=0.0)
    zero_req = merged["required_level"] <= 0
    merged["gap"] = diff.where(~zero_req, 0.0)
    merged["status"] = np.where(merged["gap"].isna(), "unknown", np.where(merged["gap"] > 0, "gap", "met"))
    merged["skill"] = merged["key"].map(_skill_names(ds))
    merged = merged.sort_values(["order", "skill"], kind="stable").reset_index(drop=True)
    out = merged[GAP_COLUMNS].copy()
    out["status"] = out["status"].astype(str)
    return out


def column_text(people: pd.DataFrame, col: str) -> np.ndarray:
    if col not in people:
        return np.full(len(people), "", dtype=object)
    return people[col].fillna("").astype(str).to_numpy(dtype=object)


# --- gap tables ------------------------------------------------------------------------------

GAP_GROUPINGS = ("person_id", "team", "role", "skill")


def gap_table(ds: Dataset, wave: str | None = None, by: tuple[str, ...] = ("skill",)) -> pd.DataFrame:
    """Gaps summed over groups (any of person_id, team, role, skill), from :func:`person_gaps`.

    Per group: ``people`` (person-skill requirements in the group, i.e. people when grouping by
    skill), ``assessed`` (with a rating), ``with_gap`` (gap > 0), ``unknown`` (no rating),
    ``total_gap`` = Σ gap over the assessed, ``mean_gap`` = total_gap / assessed (NaN when nobody
    is assessed), ``share_affected`` = with_gap / people (unknowns count in the denominator, so
    the share is a floor), and the count in each severity band (``minor``, ``moderate``,
    ``severe``, see :data:`SEVERITY_BANDS`). Sorted by total_gap, biggest first.
    """
    bad = [b for b in by if b not in GAP_GROUPINGS]
    if bad or not by:
        raise ValueError(f"group gaps by any of {GAP_GROUPINGS}, not {list(by)}")
    gaps = _held_gaps(ds, resolve_wave(ds, wave))  # read, not changed
    counts = ["people", "assessed", "with_gap", "unknown", "minor", "moderate", "severe"]
    cols = [*by, *counts[:4], "total_gap", "mean_gap", "share_affected", *counts[4:]]
    if not len(gaps):
        return pd.DataFrame({c: pd.Series(dtype=str if c in by else float) for c in cols})
    gap = gaps["gap"].to_numpy(dtype=float)
    band = _band_codes(gap)
    status_code, statuses = pd.factorize(gaps["status"])  # a few distinct; code −1: missing

    def status_is(text: str, missing: bool = False) -> np.ndarray:
        return np.array([s == text for s in statuses] + [missing], dtype=int)[status_code]

    band_of = {b.name: i for i, b in enumerate(SEVERITY_BANDS)}
    work = pd.DataFrame(
        {
            **{b: gaps[b] for b in by},
            "people": 1,
            "assessed": 1 - status_is("unknown"),  # as ne("unknown"): missing counts
            "with_gap": status_is("gap"),
            "unknown": status_is("unknown"),
            "total_gap": np.where(np.isnan(gap), 0.0, gap),
            **{name: (band == band_of[name]).astype(int) for name in ("minor", "moderate", "severe")},
        }
    )
    out = work.groupby(list(by), as_index=False, sort=True).sum()
    assessed = out["assessed"].astype(float)
    out["mean_gap"] = (out["total_gap"] / assessed).where(assessed > 0)
    out["share_affected"] = out["with_gap"] / out["people"].astype(float)
    out = out.sort_values("total_gap", ascending=False, kind="stable").reset_index(drop=True)
    return out[cols]


GAP_VALUE_COLUMNS = [
    "assessed",
    "with_gap",
    "unknown",
    "total_gap",
    "mean_gap",
    "share_affected",
    "minor",
    "moderate",
    "severe",
]


def group_gap_cells(
    ds: Dataset,
    wave: str | None = None,
    by: str = "team",
    min_size: int = MIN_GROUP_SIZE,
    across: bool = True,
) -> pd.DataFrame:
    """:func:`gap_table` by (``by``, skill), safe to show: small groups suppressed per skill.

    For each skill, what may be shown is decided by :func:`lib.core.privacy.protect_groups` over the
    people whose role needs the skill (family ``skills:<skill>``): with ``across`` (the aggregate
    view) so that no cell can be worked out from the other breakdowns or the organisation-wide
    figure; else a cell with fewer than ``min_size`` people is blanked, with complementary
    suppression against the organisation-wide figure per skill. Keeps every row, with
    ``suppressed`` and ``suppressed_reason`` columns.
    """
    if by not in ("team", "role"):
        raise ValueError('group gaps by "team" or "role"')
    table = gap_table(ds, wave, (by, "skill"))
    if not len(table):
        return table.assign(suppressed=pd.Series(dtype=bool), suppressed_reason=pd.Series(dtype=str))
    needers: dict[str, list[str]] = (
        {str(k): [str(p) for p in v] for k, v in person_gaps(ds, wave).groupby("skill")["person_id"]}
        if across
        else {}
    )
    parts = [
        privacy.protect_groups(
            part,
            ds,
            by,
            family=f"skills:{skill}",
            populations={"": needers.get(str(skill), [])} if across else {},
            min_size=min_size,
            size_col="people",
            value_cols=GAP_VALUE_COLUMNS,
            across=across,
            group_col=by,
        )
        for skill, part in table.groupby("skill", sort=False)
    ]
    return pd.concat(parts, ignore_index=True)


def top_gaps(
    ds: Dataset, wave: str | None = None, rank_by: str = "total", n: int | None = None
) -> pd.DataFrame:
    """The skills with the biggest gaps: :func:`gap_table` by skill, only skills with a gap.

    ``rank_by="total"`` orders by total_gap (levels missing across the organisation), ``"share"``
    by share_affected (share of the people needing the skill who fall short); ties by total.
    """
    if rank_by not in ("total", "share"):
        raise ValueError('rank_by must be "total" or "share"')
    table = gap_table(ds, wave, ("skill",))
    table = table[table["total_gap"] > 0]
    keys = ["total_gap", "share_affected"] if rank_by == "total" else ["share_affected", "total_gap"]
    table = table.sort_values([*keys, "skill"], ascending=[False, False, True], kind="stable")
    table = table.reset_index(drop=True)
    return table if n is None else table.head(n)


# --- coverage ("bus factor") -----------------------------------------------------------------


@dataclass(frozen=True)
class BusFactorFlag:
    name: str
    max_holders: float  # the flag applies up to this many holders
    meaning: str


#: How many holders a skill has, in words: nobody and one holder are the flags the page raises.
BUS_FACTOR_FLAGS: tuple[BusFactorFlag, ...] = (
    BusFactorFlag("nobody", 0, "nobody holds the skill at the holder level"),
    BusFactorFlag("single", 1, "one person holds it: the organisation loses it if they leave"),
    BusFactorFlag("thin", 2, "two holders: one absence away from a single point of failure"),
    BusFactorFlag("covered", np.inf, "three or more holders"),
)


def bus_factor_flag(holder_count: float) -> str:
    """The :data:`BUS_FACTOR_FLAGS` name for a number of holders."""
    for flag in BUS_FACTOR_FLAGS:
        if holder_count <= flag.max_holders:
            return flag.name
    return BUS_FACTOR_FLAGS[-1].name


def all_skills(ds: Dataset) -> list[str]:
    """Every skill named in role_skills or skills (display spelling), alphabetically."""
    return sorted(set(_skill_names(ds).values()), key=str.casefold)


def holders(
    ds: Dataset, skill: str, wave: str | None = None, holder_level: float = DEFAULT_HOLDER_LEVEL
) -> pd.DataFrame:
    """The people whose current level in ``skill`` is ≥ ``holder_level``: person_id, level.

    Highest level first, then person_id.
    """
    levels = current_levels(ds, wave)
    key = name_key(skill)
    rows = levels[(levels["skill"].pipe(name_keys) == key) & (levels["level"] >= holder_level)]
    rows = rows.sort_values(["level", "person_id"], ascending=[False, True], kind="stable")
    return rows[["person_id", "level"]].reset_index(drop=True)


def coverage(
    ds: Dataset, wave: str | None = None, holder_level: float = DEFAULT_HOLDER_LEVEL
) -> pd.DataFrame:
    """Coverage ("bus factor") per skill: how many people meet or exceed each level.

    Columns: skill, ``rated`` (people with a rating), ``at_least_1`` … ``at_least_5`` (people at
    or above that level), ``holders`` (level ≥ ``holder_level``), ``teachers`` (level ≥
    :data:`TEACH_LEVEL`), ``required_by`` (people whose role requires it above 0) and ``flag``
    (:data:`BUS_FACTOR_FLAGS`: nobody, single, thin, covered). Every skill named in role_skills or
    skills appears, a skill nobody rated with zeros. Sorted by holders, fewest first.
    """
    skills = all_skills(ds)
    rows = []
    # per skill as shown (one spelling per matching key, the one all_skills lists), by codes
    chosen = resolve_wave(ds, wave)
    levels = _held_levels(ds, chosen)
    rated_code, rated_names = pd.factorize(levels["skill"])
    rated_at = {str(s): i for i, s in enumerate(rated_names)}
    lv = levels["level"].to_numpy(dtype=float)

    def per_skill(selected: np.ndarray) -> np.ndarray:  # a missing skill (code −1) is no group
        return np.bincount(rated_code[selected & (rated_code >= 0)], minlength=len(rated_names))

    rated = per_skill(np.ones(len(lv), dtype=bool))
    at_least = {level: per_skill(lv >= level) for level in range(1, 6)}
    holding, teaching = per_skill(lv >= holder_level), per_skill(lv >= TEACH_LEVEL)
    gaps = _held_gaps(ds, chosen)
    needed = gaps["skill"][gaps["required_level"].to_numpy() > 0]
    needed_code, needed_names = pd.factorize(needed)
    needed_at = {str(s): i for i, s in enumerate(needed_names)}
    required = np.bincount(needed_code[needed_code >= 0], minlength=len(needed_names))
    for skill in skills:
        i, j = rated_at.get(skill), needed_at.get(skill)
        row: dict[str, object] = {"skill": skill, "rated": 0 if i is None else int(rated[i])}
        for level in range(1, 6):
            row[f"at_least_{level}"] = 0 if i is None else int(at_least[level][i])
        n_holders = 0 if i is None else int(holding[i])
        row["holders"] = n_holders
        row["teachers"] = 0 if i is None else int(teaching[i])
        row["required_by"] = 0 if j is None else int(required[j])
        row["flag"] = bus_factor_flag(n_holders)
        rows.append(row)
    cols = [
        "skill",
        "rated",
        *(f"at_least_{i}" for i in range(1, 6)),
        "holders",
        "teachers",
        "required_by",
        "flag",
    ]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=str if c in ("skill", "flag") else int) for c in cols})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["holders", "skill"], kind="stable").reset_index(drop=True)


def coverage_change(
    ds: Dataset,
    before: str | None = None,
    after: str | None = None,
    holder_level: float = DEFAULT_HOLDER_LEVEL,
) -> pd.DataFrame:
    """How each skill's holder count changed between two waves (default: the last two skills waves).

    Columns: skill, holders_before, holders_after, change (after − before), flag_before,
    flag_after. Empty when the skills sheet has fewer than two waves and none are given.
    """
    cols = ["skill", "holders_before", "holders_after", "change", "flag_before", "flag_after"]
    labels = skill_waves(ds)
    if before is None or after is None:
        if len(labels) < 2:
            return pd.DataFrame(
                {
                    c: pd.Series(dtype=str if c in ("skill", "flag_before", "flag_after") else int)
                    for c in cols
                }
            )
        before = before if before is not None else labels[-2]
        after = after if after is not None else labels[-1]
    a = coverage(ds, before, holder_level).set_index("skill")["holders"]
    b = coverage(ds, after, holder_level).set_index("skill")["holders"]
    out = pd.DataFrame(
        {"skill": a.index, "holders_before": a.to_numpy(), "holders_after": b.reindex(a.index).to_numpy()}
    )
    out["change"] = out["holders_after"] - out["holders_before"]
    out["flag_before"] = out["holders_before"].map(bus_factor_flag)
    out["flag_after"] = out["holders_after"].map(bus_factor_flag)
    return out.sort_values(["change", "skill"], kind="stable").reset_index(drop=True)[cols]


# --- skill-profile clusters (informal communities of practice) -------------------------------

CLUSTER_K_RANGE = range(2, 9)
CLUSTER_N_INIT = 10
SILHOUETTE_SAMPLE = 3000
#: Below this best mean silhouette there is no clear cluster structure (Kaufman & Rousseeuw 1990:
#: under 0.25 "no substantial structure has been found"), and no clusters are shown.
CLEAR_STRUCTURE = 0.25
#: Above this many people k is chosen on a seeded sample of this size, then fitted on everyone.
CLUSTER_SAMPLE = 4000


@dataclass(frozen=True)
class SkillClusters:
    """Groups of people with similar skill profiles, compared with the formal teams."""

    k: int  # chosen number of clusters; 0 when clustering was not possible
    seed: int
    silhouette: dict[int, float]  # mean silhouette per candidate k
    ari_vs_team: float  # adjusted Rand index, clusters vs teams (NaN when not computable)
    assignments: pd.DataFrame  # person_id, team, cluster (person-level: named view only)
    profiles: pd.DataFrame  # cluster, label, people, mean level per skill
    reason: str = ""  # why there are no clusters
    unrated_share: float = float("nan")  # share of person × skill cells with no rating (imputed)
    note: str = ""  # how unrated cells were treated


def skill_matrix(ds: Dataset, wave: str | None = None, impute: bool = False) -> pd.DataFrame:
    """person × skill current levels (index person_id, people-sheet order); no rating = 0.

    Only people with at least one rating. A missing rating counts as 0 ("no evidence of the
    skill"); with ``impute`` it is the skill's mean among the people rated on it instead (and NaN
    where nobody was), so a profile is driven by what was rated, not by what was left unasked.
    """
    wide = _rated(ds, wave)
    if not len(wide):
        return wide
    wide = wide.fillna(wide.mean()) if impute else wide.fillna(0.0)
    return wide.astype(float)


def _rated(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """person × skill levels as rated, NaN where a person has no rating (people-sheet order)."""
    levels = current_levels(ds, wave)
    if not len(levels):
        return pd.DataFrame(dtype=float)
    wide = levels.pivot_table(index="person_id", columns="skill", values="level", aggfunc="mean")
    order = [p for p in ds.people["person_id"].astype(str) if p in wide.index]
    wide = wide.loc[order, sorted(wide.columns, key=str.casefold)]
    wide.columns.name = None
    return wide.astype(float)


def _fit_clusters(x: np.ndarray, k_max: int, seed: int) -> tuple[dict[int, float], np.ndarray]:
    """Silhouette per k and the labels of the best k (see :func:`skill_clusters`)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(x)
    rng = np.random.default_rng(seed)
    fit_x = x[np.sort(rng.choice(n, CLUSTER_SAMPLE, replace=False))] if n > CLUSTER_SAMPLE else x
    sample = SILHOUETTE_SAMPLE if len(fit_x) > SILHOUETTE_SAMPLE else None
    scores: dict[int, float] = {}
    labels_by_k: dict[int, np.ndarray] = {}
    for k in range(min(CLUSTER_K_RANGE), k_max + 1):
        labels = KMeans(n_clusters=k, n_init=CLUSTER_N_INIT, random_state=seed).fit_predict(fit_x)
        if len(set(labels)) < 2:
            continue
        scores[k] = float(silhouette_score(fit_x, labels, sample_size=sample, random_state=seed))
        labels_by_k[k] = labels
    if not scores:
        return scores, np.zeros(n, dtype=int)
    best = max(scores, key=lambda k: (scores[k], -k))
    if fit_x is x:
        return scores, labels_by_k[best]
    return scores, KMeans(n_clusters=best, n_init=CLUSTER_N_INIT, random_state=seed).fit_predict(x)


def skill_clusters(ds: Dataset, wave: str | None = None, seed: int = 0) -> SkillClusters:
    """Skill-profile clusters: KMeans on the person × skill level matrix, k by silhouette.

    Matrix: :func:`skill_matrix` with ``impute=True`` (a missing rating is the skill's mean among
    the people rated on it, stated in ``note`` with ``unrated_share``; levels unscaled: every skill
    is on the same 0–5 scale). When the best mean silhouette is below :data:`CLEAR_STRUCTURE`
    (0.25) there is no clear structure: ``k`` = 0 and ``reason`` says so, instead of k clusters. KMeans (Lloyd, ``n_init=10``, ``random_state=seed``) for each k in 2..8 (capped at
    the number of distinct profiles and at people − 1); the chosen k has the highest mean
    silhouette (Rousseeuw 1987; on a seeded sample of 3,000 people when there are more), the
    smallest k on ties. Above 4,000 people, k is chosen on a seeded sample of 4,000 and the
    chosen k is then fitted on everyone (same settings), so big organisations stay fast. Clusters
    are numbered by size, largest = 1, and labelled by their two highest-mean skills. ``ari_vs_team`` is the adjusted Rand index (Hubert & Arabie 1985)
    between clusters and formal teams over people with a team: 1 = the clusters are the teams,
    about 0 = no more alike than chance: communities of practice that cut across teams.
    """
    from sklearn.metrics import adjusted_rand_score
    from threadpoolctl import threadpool_limits

    rated = _rated(ds, wave)
    matrix = skill_matrix(ds, wave, impute=True)
    unrated = float(rated.isna().to_numpy().mean()) if rated.size else 0.0
    note = (
        f"{unrated:.0%} of person × skill cells had no rating; each was filled with the skill's mean among the "
        "people rated on it (not with 0), so clusters follow what was rated."
        if unrated > 0
        else ""
    )
    empty_assign = pd.DataFrame(
        {"person_id": pd.Series(dtype=str), "team": pd.Series(dtype=str), "cluster": pd.Series(dtype=int)}
    )
    n = len(matrix)
    distinct = len(matrix.drop_duplicates()) if n else 0
    k_max = min(max(CLUSTER_K_RANGE), distinct, n - 1)
    if k_max < min(CLUSTER_K_RANGE):
        reason = "too few people with skill ratings, or all profiles identical, to form two clusters"
        return SkillClusters(0, seed, {}, float("nan"), empty_assign, pd.DataFrame(), reason)
    # One thread: on a shared 2-core machine OpenMP inside BLAS-backed KMeans oversubscribed the
    # cores: a 4,000-person fit took 23 s instead of 0.45 s with one thread (measured here).
    with threadpool_limits(1):
        scores, raw = _fit_clusters(matrix.to_numpy(), k_max, seed)
    if not scores:
        return SkillClusters(
            0, seed, {}, float("nan"), empty_assign, pd.DataFrame(), "no k gave two clusters"
        )
    best = max(scores, key=lambda k: (scores[k], -k))
    if scores[best] < CLEAR_STRUCTURE:
        reason = (
            f"no clear structure: the best mean silhouette is {scores[best]:.2f} (k = {best}), below "
            f"{CLEAR_STRUCTURE} (Kaufman & Rousseeuw: no substantial structure)"
        )
        return SkillClusters(
            0, seed, scores, float("nan"), empty_assign, pd.DataFrame(), reason, unrated, note
        )
    sizes = pd.Series(raw).value_counts()
    first_seen = {lab: i for i, lab in reversed(list(enumerate(raw)))}
    order = sorted(sizes.index, key=lambda lab: (-sizes[lab], first_seen[lab]))
    renumber = {lab: i + 1 for i, lab in enumerate(order)}
    cluster = np.array([renumber[lab] for lab in raw], dtype=int)
    team_of = dict(zip(ds.people["person_id"].astype(str), column_text(ds.people, "team"), strict=False))
    assignments = pd.DataFrame({"person_id": matrix.index.astype(str), "cluster": cluster})
    assignments.insert(1, "team", assignments["person_id"].map(team_of).fillna(""))
    with_team = assignments[assignments["team"] != ""]
    ari = (
        float(adjusted_rand_score(with_team["team"], with_team["cluster"]))
        if len(with_team) >= 2
        else float("nan")
    )
    means = matrix.groupby(cluster).mean()
    profiles = means.copy()
    profiles.insert(0, "people", pd.Series(cluster).value_counts().reindex(means.index).to_numpy())
    profiles.insert(
        0,
        "label",
        [", ".join(means.loc[c].sort_values(ascending=False, kind="stable").index[:2]) for c in means.index],
    )
    profiles.insert(0, "cluster", means.index.to_numpy())
    return SkillClusters(
        best, seed, scores, ari, assignments, profiles.reset_index(drop=True), "", unrated, note
    )


# --- command line ----------------------------------------------------------------------------


def json_number(value: float | None) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), 4)


def top_gaps_json(ds: Dataset) -> list[list[object]]:
    """``top_gaps`` section of ``lib.cli analyze``: [skill, total_gap] pairs, biggest first (latest wave)."""
    table = top_gaps(ds)
    totals = table["total_gap"].astype(float).tolist()
    return [[str(k), round(t, 4)] for k, t in zip(table["skill"], totals, strict=True)]
