"""Privacy rules: small-group suppression, the minimum group size and stable pseudonyms.

Two views (issue 7). The *aggregate* view shows no names or person ids, hides person-level tables,
ego views and who-to-ask, and no combination of the group figures it shows, on any page, export,
breakdown or wave, describes fewer than ``min_group_size`` people (default
:data:`MIN_GROUP_SIZE`, configurable upward only): :func:`plan_release` explains the method. The
*named* view shows everything, optionally with stable pseudonyms instead of names (salted per
dataset, the same on every page and export), and applies the per-table rule only
(:func:`suppress_small_groups`).

Analysis modules build their group tables through the one check, e.g.::

    table = privacy.protect_groups(out, ds, by, family="learning", populations=who_answered,
                                   min_size=m, size_col="respondents", value_cols=TYPES, across=aggregate)

and pages show ``privacy.shown(table)`` with ``privacy.suppression_note(table, m)`` under it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core import waves
from lib.core.dataset import Dataset

__all__ = [
    "MIN_GROUP_SIZE",
    "NOT_GIVEN",
    "PSEUDONYM_PREFIX",
    "Release",
    "check_min_group_size",
    "dataset_salt",
    "group_labels",
    "guard_groups",
    "large_enough",
    "person_labels",
    "plan_release",
    "pseudonymise",
    "release_for",
    "reporting_attributes",
    "shown",
    "suppress_small_groups",
    "suppression_note",
    "withheld_waves",
    "withhold",
]

#: The smallest group any aggregate statistic may describe. Settings may raise it, never lower it.
MIN_GROUP_SIZE = 5
PSEUDONYM_PREFIX = "Person "
_PSEUDONYM_START_LENGTH = 4


def check_min_group_size(n: object) -> int:
    """``n`` as an int when it is a whole number of at least :data:`MIN_GROUP_SIZE`; else ValueError.

    The minimum group size can be raised (stricter) but never lowered below 5.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer, float, np.floating)):
        raise ValueError(f"The minimum group size must be a whole number, not {n!r}.")
    if isinstance(n, (float, np.floating)) and not float(n).is_integer():
        raise ValueError(f"The minimum group size must be a whole number, not {n!r}.")
    value = int(n)
    if value < MIN_GROUP_SIZE:
        raise ValueError(
            f"The minimum group size cannot be below {MIN_GROUP_SIZE} (got {value}): smaller groups "
            "would let readers recognise individuals."
        )
    return value


def large_enough(n: object, min_size: int) -> bool:
    """Whether a figure over ``n`` people may be shown at all: ``n`` ≥ ``min_size`` (missing = 0).
    The one small-group test; pages and modules call it instead of comparing sizes themselves."""
    value = pd.to_numeric(pd.Series([n]), errors="coerce").fillna(0).iloc[0]
    return bool(value >= check_min_group_size(min_size))


def suppress_small_groups(
    table: pd.DataFrame,
    size_col: str,
    min_size: int,
    value_cols: Sequence[str] | None = None,
    total: bool = False,
) -> pd.DataFrame:
    """Blank the statistics of groups too small to show, and of any group that would give them away.

    Returns a **new frame with every row kept** and a boolean ``suppressed`` column added (and a
    text ``suppressed_reason``: ``"small"``, ``"complementary"`` or ``""``). On suppressed rows the
    ``value_cols`` are set to missing (NaN/NA); the group label and ``size_col`` stay, so a page can
    say which groups are hidden and why. Use :func:`shown` for the displayable rows and
    :func:`suppression_note` for the sentence "N groups hidden (fewer than K people)".

    Rules, in order:

    1. *Primary suppression*: a group whose size (``size_col``; missing counts as 0) is below
       ``min_size`` is suppressed.
    2. *Complementary (secondary) suppression*, only when ``total=True``, i.e. when the reader
       also sees the total over these groups (an "All" row, the overall figure on the same page,
       or an organisation-wide number elsewhere). Then the suppressed groups together could be
       recovered as *total minus the shown groups*. So, while any group is suppressed and either
       exactly one group is suppressed or the suppressed groups together hold fewer than
       ``min_size`` people, the smallest shown group (ties: first in table order) is suppressed
       as well. This is the classic rule "never leave a single suppressed cell in a row with a
       published total" (Willenborg & de Waal, *Elements of Statistical Disclosure Control*,
       2001, ch. 4), strengthened so that what subtraction reveals is itself a group of at
       least ``min_size`` people.

    ``value_cols=None`` means every numeric column except ``size_col``: keep a numeric group label
    (``level``, a wave number) in the index, or pass ``value_cols`` explicitly. Whether the total
    itself may be shown is the caller's check (``total size >= min_size``).

    Parameters are not modified. ``min_size`` is checked with :func:`check_min_group_size`.
    """
    min_size = check_min_group_size(min_size)
    if size_col not in table.columns:
        raise KeyError(f"size column {size_col!r} not in table (columns: {list(table.columns)})")
    out = table.copy()
    if value_cols is None:
        value_cols = [
            c
            for c in out.columns
            if c != size_col
            and pd.api.types.is_numeric_dtype(out[c])
            and not pd.api.types.is_bool_dtype(out[c])
        ]
    missing = [c for c in value_cols if c not in out.columns]
    if missing:
        raise KeyError(f"value columns not in table: {missing}")

    sizes = pd.to_numeric(out[size_col], errors="coerce").fillna(0).to_numpy(dtype=float)
    small = sizes < min_size
    reason = np.where(small, "small", "").astype(object)
    suppressed = small.copy()
    if total and suppressed.any():
        # positions of shown groups, smallest first (stable: ties keep table order)
        order = [int(i) for i in np.argsort(sizes, kind="stable") if not suppressed[i]]
        while order and (suppressed.sum() == 1 or sizes[suppressed].sum() < min_size):
            nxt = order.pop(0)
            suppressed[nxt] = True
            reason[nxt] = "complementary"

    for col in value_cols:
        if suppressed.any():
            series = out[col]
            if pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
                extension = isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
                series = series.astype("Float64") if extension else series.astype(float)
            out[col] = series.mask(pd.Series(suppressed, index=out.index))
    out["suppressed"] = suppressed
    out["suppressed_reason"] = pd.Series(reason, index=out.index, dtype=str)
    return out


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a :func:`suppress_small_groups` result that may be displayed, without its flags."""
    if "suppressed" not in table.columns:
        return table.copy()
    keep = table.loc[~table["suppressed"].astype(bool)]
    return keep.drop(columns=[c for c in ("suppressed", "suppressed_reason") if c in keep.columns])


def suppression_note(table: pd.DataFrame, min_size: int, group_col: str | None = None) -> str:
    """Plain sentence about what was hidden ("" when nothing was), counting rows, or distinct
    ``group_col`` labels for a long table (a group's row per dimension counts once)."""
    if "suppressed" not in table.columns:
        return ""
    reasons = table.get("suppressed_reason", pd.Series("small", index=table.index))
    hidden = table["suppressed"].astype(bool)

    def count(reason: str) -> int:
        rows = table[hidden & (reasons == reason)]
        return int(rows[group_col].nunique()) if group_col and group_col in rows else len(rows)

    n_small, n_comp, n_wave = count("small"), count("complementary"), count("wave")
    parts = []
    if n_small:
        parts.append(f"{n_small} group{'s' if n_small != 1 else ''} hidden (fewer than {min_size} people)")
    if n_comp:
        parts.append(
            f"{n_comp} {'more ' if n_small else ''}hidden so that no group under {min_size} people can be "
            "worked out by subtracting what is shown here, in other breakdowns or in other waves"
        )
    if n_wave:
        parts.append(
            f"{n_wave} withheld because this wave's respondents differ from another wave's by fewer than "
            f"{min_size} people, so comparing the two waves would give those people away"
        )
    return "; ".join(parts) + ("." if parts else "")


# --- what the aggregate view may show, across every table, breakdown and wave ---------------
#
# The method (statistical disclosure control): every figure the aggregate view shows about a
# group is a symmetric function (a count, sum, mean, share, spread …) of the values of the
# group's contributing people. Take every group the aggregate view could ever show for one kind
# of figure (a *family*: the trust scores of one dimension, the learning mix, …), over every
# breakdown attribute and every wave, together with the organisation-wide totals, and split the
# people into *cells*: two people share a cell when they belong to exactly the same shown sets.
# Any sum, difference or other linear combination of shown figures is then a combination of
# cell totals, and nothing shown tells two people of one cell apart. So when every non-empty cell
# holds at least ``min_size`` people, no combination of shown figures describes fewer than
# ``min_size`` people: not by subtracting teams from their department, not by crossing a location
# with the teams, not by comparing a group across two waves (the people who joined or left form
# a cell of their own). This is hierarchical complementary suppression done exactly, by keeping
# the cells (the "atoms" of Willenborg & de Waal's linked-table suppression) instead of
# reasoning about one table at a time.
#
# :func:`plan_release` decides, once per dataset, family and minimum size, which groups may be
# shown: the wave totals first, then the breakdowns in one fixed reporting order (department,
# team, then the other attributes: :func:`reporting_attributes`), each breakdown's groups
# largest first; a group is kept only when adding it leaves every cell at ``min_size`` or more,
# both among the people who contribute (the family's respondents, per wave) and on the roster
# (so that even a respondent count cannot single anyone out). A group that fails is hidden
# whatever the viewer looks at next: the decision does not depend on the order pages are opened.


#: The group label of a person with no value for the attribute, on every page and export.
NOT_GIVEN = "(not given)"

#: Breakdowns checked first: the organisation's reporting hierarchy, coarse to fine.
_HIERARCHY = ("department", "team")


def reporting_attributes(ds: Dataset) -> list[str]:
    """The breakdowns the aggregate view can offer, in the order :func:`plan_release` checks
    them: department, team, then the other people attributes (role, level, location, custom)."""
    attrs = list(ds.attributes)
    return [a for a in _HIERARCHY if a in attrs] + [a for a in attrs if a not in _HIERARCHY]


def _label(value: object) -> str:
    """A cell as a group label: the same text rule as a wave label (:func:`lib.core.waves.label`:
    trimmed, whole numbers without ``.0``), blanks as :data:`NOT_GIVEN`."""
    return waves.label(value) or NOT_GIVEN


def group_labels(people: pd.DataFrame, attribute: str) -> pd.Series:
    """Each person's group label for ``attribute``, as every page and export shows it: the value
    as text (whole numbers without ``.0``), blanks as :data:`NOT_GIVEN`. Indexed like ``people``."""
    if attribute not in people.columns:
        raise KeyError(f"no people attribute {attribute!r} (have: {list(people.columns)})")
    codes, uniques = pd.factorize(people[attribute], use_na_sentinel=True)
    labels = np.array([_label(v) for v in uniques] + [NOT_GIVEN], dtype=object)  # code -1 (missing) → last
    return pd.Series(labels[codes], index=people.index, dtype=object)


class _Cells:
    """People split into cells by membership of the sets accepted so far (see the method above).

    A set is counted over the cells its members are in, never over every cell (with tens of
    thousands of groups, a roster of 100,000 people, a count over every cell per group made the
    plan quadratic), and in Python: most sets are a team of a few people, for which numpy's
    per-call cost is most of the work."""

    def __init__(self, n: int, universe: np.ndarray, min_size: int) -> None:
        self.atom = np.full(n, -1, dtype=np.int64)
        self.atom[universe] = 0
        self.sizes = [int(universe.sum())]  # people per cell
        self.k = min_size

    def _counts(self, members: np.ndarray) -> Counter[int] | None:
        """Members per cell touched; None when a member is outside the universe."""
        atoms = self.atom[members]
        if len(atoms) and int(atoms.min()) < 0:
            return None
        return Counter(atoms.tolist())

    def fits(self, members: np.ndarray) -> bool:
        """Whether accepting the set ``members`` (positions) leaves every cell empty or ≥ k."""
        return self.fitting(members) is not None

    def fitting(self, members: np.ndarray) -> Counter[int] | None:
        """The set's members per cell when accepting it leaves every cell empty or ≥ k (:meth:`fits`),
        else None: :meth:`add` takes them, so a set accepted is counted once."""
        counts = self._counts(members)
        if counts is None:  # a member outside the universe: never accept
            return None
        for cell, inside in counts.items():
            outside = self.sizes[cell] - inside
            if inside < self.k or 0 < outside < self.k:
                return None
        return counts

    def add(self, members: np.ndarray, counts: Counter[int] | None = None) -> None:
        """Accept the set ``members``: ``counts``, when given, are its members per cell as the cells
        are now (:meth:`fitting`, with no set added since)."""
        counts = self._counts(members) if counts is None else counts
        if not counts:
            return
        # each cell the set cuts in two gets a new cell for its members, numbered in cell order
        new_ids: dict[int, int] = {}
        for cell in sorted(counts):
            if self.sizes[cell] > counts[cell]:
                new_ids[cell] = len(self.sizes)
                self.sizes[cell] -= counts[cell]
                self.sizes.append(counts[cell])
        if len(counts) == 1 and new_ids:  # the set inside one cell (most teams): all move together
            self.atom[members] = next(iter(new_ids.values()))
        elif new_ids:
            moved = np.array([new_ids.get(a, -1) for a in self.atom[members].tolist()], dtype=np.int64)
            self.atom[members[moved >= 0]] = moved[moved >= 0]


@dataclass(frozen=True)
class Release:
    """Which groups the aggregate view may show for one family of figures (:func:`plan_release`).

    ``groups[(attribute, wave)]`` holds the labels (:func:`group_labels`) that may be shown;
    ``withheld`` the waves whose organisation-wide figure for this family may not be shown (their
    contributors differ from another wave's by fewer than ``min_size`` people), so none of their
    groups is shown either.
    """

    min_size: int
    waves: tuple[str, ...]
    groups: Mapping[tuple[str, str], frozenset[str]]
    withheld: frozenset[str] = frozenset()

    def allowed(self, attribute: str, wave: str | None = "") -> frozenset[str]:
        """The labels of ``attribute`` that may be shown in ``wave`` (any wave, for a family
        without waves, such as the roster)."""
        key = "" if self.waves == ("",) else (wave or "")
        return self.groups.get((attribute, key), frozenset())

    def total_shown(self, wave: str | None = "") -> bool:
        return (wave or "") not in self.withheld


def plan_release(
    people: pd.DataFrame,
    attributes: Sequence[str],
    populations: Mapping[str, Iterable[str]],
    min_size: int,
) -> Release:
    """Decide which groups of each of ``attributes`` may be shown, in each wave (see the method).

    ``populations`` maps each wave label ("" when the family has no waves) to the person ids whose
    values the family's figures are computed from (the respondents), oldest wave first. Ids not on
    the roster are ignored. ``attributes`` are checked in the order given (use
    :func:`reporting_attributes`). The result does not depend on which table asks.
    """
    k = check_min_group_size(min_size)
    n, waves, member, cells, withheld = _plan_waves(people, populations, k)
    roster = _Cells(n, np.ones(n, dtype=bool), k)
    groups: dict[tuple[str, str], frozenset[str]] = {}
    for attribute in attributes:
        if attribute not in people.columns:
            continue
        labels = group_labels(people, attribute).to_numpy()
        codes, uniques = pd.factorize(labels)
        counts = np.bincount(codes, minlength=len(uniques)) if n else np.zeros(0, dtype=np.int64)
        # a group of fewer than k people never fits a cell of at least k: not tried (most groups of
        # an attribute with a value per few people, such as the manager)
        order = sorted(np.flatnonzero(counts >= k).tolist(), key=lambda g: (-counts[g], str(uniques[g])))
        by_code = np.argsort(codes, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)])
        kept: dict[str, set[str]] = {w: set() for w in waves}
        for g in order:
            on_roster = by_code[starts[g] : starts[g + 1]]
            roster_counts = roster.fitting(on_roster)
            roster_added = False
            for w in waves:
                if w in withheld or roster_counts is None:
                    continue
                members = on_roster[member[w][on_roster]]
                per_cell = cells.fitting(members) if len(members) else None
                if per_cell is None:
                    continue
                cells.add(members, per_cell)
                if not roster_added:  # the same set again changes no cell: added once
                    roster.add(on_roster, roster_counts)
                    roster_added = True
                kept[w].add(str(uniques[g]))
        for w in waves:
            groups[(attribute, w)] = frozenset(kept[w])
    return Release(k, waves, groups, frozenset(withheld))


def _plan_waves(
    people: pd.DataFrame, populations: Mapping[str, Iterable[str]], k: int
) -> tuple[int, tuple[str, ...], dict[str, np.ndarray], _Cells, set[str]]:
    """The first step of :func:`plan_release`: each wave's total, oldest first, is withheld when it
    has fewer than ``k`` contributors or would split a cell of the waves accepted before it below
    ``k``. Returns the roster size, the waves, each wave's contributors (a mask over the roster),
    the cells after the accepted totals and the withheld waves."""
    ids = people["person_id"].astype(str).to_numpy() if "person_id" in people else np.array([], dtype=str)
    n = len(ids)
    position = pd.Index(ids)
    waves = tuple(populations)
    member = {}
    for w in waves:
        pos = position.get_indexer(pd.Index([str(i) for i in populations[w]]).unique())
        mask = np.zeros(n, dtype=bool)
        mask[pos[pos >= 0]] = True
        member[w] = mask
    universe = np.zeros(n, dtype=bool)
    for mask in member.values():
        universe |= mask
    cells = _Cells(n, universe, k)
    withheld: set[str] = set()
    for w in waves:
        total = np.nonzero(member[w])[0]
        counts = cells.fitting(total) if len(total) >= k else None
        if counts is None:
            withheld.add(w)
        else:
            cells.add(total, counts)
    return n, waves, member, cells, withheld


def _release_key(
    ds: Dataset, family: str, populations: Mapping[str, Iterable[str]], min_size: int
) -> tuple[tuple[str, int, int, int], dict[str, tuple[str, ...]]]:
    pops = {str(w): tuple(sorted({str(i) for i in ids})) for w, ids in populations.items()}
    return (family, check_min_group_size(min_size), hash(tuple(pops.items())), id(ds.people)), pops


def withheld_waves(
    ds: Dataset, family: str, populations: Mapping[str, Iterable[str]], min_size: int
) -> frozenset[str]:
    """:attr:`Release.withheld` of :func:`release_for` without planning the groups (the same first
    step, which does not depend on them): what the organisation-wide figures need."""
    key, pops = _release_key(ds, family, populations, min_size)
    known = ds.memo.get(key)
    if isinstance(known, Release):
        return known.withheld
    return ds.remember(
        ("privacy.withheld_waves", *key),
        lambda: frozenset(_plan_waves(ds.people, pops, check_min_group_size(min_size))[4]),
    )


def release_for(ds: Dataset, family: str, populations: Mapping[str, Iterable[str]], min_size: int) -> Release:
    """:func:`plan_release` for ``ds`` over :func:`reporting_attributes`, computed once per dataset,
    family, population and minimum size (kept on the dataset object)."""
    key, pops = _release_key(ds, family, populations, min_size)
    result = ds.memo.get(key)  # one look: the memo's budget may drop an entry between two
    if result is None:
        result = ds.memo[key] = plan_release(ds.people, reporting_attributes(ds), pops, min_size)
    assert isinstance(result, Release)
    return result


def guard_groups(
    table: pd.DataFrame,
    release: Release,
    attribute: str,
    wave: str | None = "",
    group_col: str | None = None,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Hide the rows of a group table that ``release`` does not allow (aggregate view).

    ``table`` has one row per group of ``attribute`` (labels in ``group_col``, default the column
    named like the attribute, else ``group``) in ``wave``. Returns a new frame with every row kept,
    and ``suppressed`` / ``suppressed_reason`` columns as :func:`suppress_small_groups` adds them
    (reason ``"small"`` for groups that fail on their own, ``"complementary"`` for groups hidden so
    that others cannot be worked out). On a hidden row every numeric column but ``keep`` is
    blanked, sizes included: a hidden row shows neither its value nor its size. Use :func:`shown`
    for the rows to display and :func:`suppression_note` for the sentence.
    """
    col = group_col or (attribute if attribute in table.columns else "group")
    out = table.copy()
    labels = out[col].map(_label) if col in out.columns else pd.Series(dtype=object)
    allowed = release.allowed(attribute, wave)
    hidden = ~labels.isin(allowed).to_numpy(dtype=bool) if len(out) else np.zeros(0, dtype=bool)
    size_cols = [c for c in ("people", "respondents", "actors", "size", "n") if c in out.columns]
    reason = np.where(hidden, "complementary", "").astype(object)
    if size_cols and len(out):
        sizes = pd.to_numeric(out[size_cols[0]], errors="coerce").fillna(0).to_numpy()
        reason[hidden & (sizes < release.min_size)] = "small"
    for c in out.columns:
        if c in (col, *keep, "suppressed", "suppressed_reason") or not hidden.any():
            continue
        series = out[c]
        if not pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            continue  # descriptors (a dimension's name, a skill) stay; every figure goes
        if pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
            extension = isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
            series = series.astype("Float64") if extension else series.astype(float)
        out[c] = series.mask(pd.Series(hidden, index=out.index))
    if "suppressed" in out.columns:  # already checked (the named view's rule, or another release)
        prior = out["suppressed"].fillna(True).astype(bool).to_numpy()
        if "suppressed_reason" in out.columns:
            earlier = out["suppressed_reason"].fillna("small").astype(str).to_numpy()
            reason = np.where(prior & (earlier != ""), earlier, reason).astype(object)
        hidden = hidden | prior
    out["suppressed"] = hidden
    out["suppressed_reason"] = pd.Series(reason, index=out.index, dtype=str)
    return out


def _code(salt: bytes, person_id: str, length: int) -> str:
    digest = hmac.new(salt, person_id.encode("utf-8"), hashlib.sha256).hexdigest().upper()
    return digest[:length]


def pseudonymise(ids: Iterable[str], salt: str) -> dict[str, str]:
    """Stable pseudonyms such as ``"Person 4F2A"`` for each distinct id.

    Code = the first 4 hex digits (upper case) of HMAC-SHA256(key = ``salt``, message = id).
    The salt is per dataset (:func:`dataset_salt`), so pseudonyms cannot be matched across
    datasets or reversed by hashing a list of e-mail addresses without the salt. Ids whose codes
    collide get one more hex digit, repeatedly, until every pseudonym in this set is unique; the
    others keep 4 digits. The same ids and salt always give the same pseudonyms.
    """
    if not salt:
        raise ValueError("pseudonymise needs a non-empty salt (use dataset_salt(ds)).")
    key = salt.encode("utf-8")
    distinct = list(dict.fromkeys(str(i) for i in ids))
    length = dict.fromkeys(distinct, _PSEUDONYM_START_LENGTH)
    codes = {i: _code(key, i, _PSEUDONYM_START_LENGTH) for i in distinct}
    while True:
        by_code: dict[str, list[str]] = {}
        for i, c in codes.items():
            by_code.setdefault(c, []).append(i)
        clashes = [group for group in by_code.values() if len(group) > 1]
        if not clashes:
            break
        for group in clashes:
            for i in group:
                length[i] += 1
                if length[i] > 64:  # identical HMACs: impossible for distinct ids
                    raise RuntimeError("pseudonym collision could not be resolved")
                codes[i] = _code(key, i, length[i])
    return {i: PSEUDONYM_PREFIX + codes[i] for i in distinct}


def dataset_salt(ds: Dataset) -> str:
    """The dataset's pseudonym salt: its workspace's salt when it has one, else 16 hex digits of a
    hash of the people sheet.

    A workspace's datasets (:func:`lib.store.workspaces.load_workspace`, :func:`lib.store.workspaces.load_wave`)
    carry the workspace's random salt (``Dataset.pseudonym_salt``), so every wave and the combined
    view give a person the same pseudonym until the facilitator draws a new salt. Otherwise only the
    roster counts, so the app (which adds the "interactions" relation to the ties), the exports and
    the command line give every person the same pseudonym for the same upload.
    """
    if ds.pseudonym_salt:
        return ds.pseudonym_salt
    people = ds.people.astype(str)
    digest = hashlib.sha256(pd.util.hash_pandas_object(people, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def person_labels(ds: Dataset, pseudonyms: bool = False) -> dict[str, str]:
    """person_id → what the named view shows: the name (the id when the name is blank) or a pseudonym.

    Only for the named view; the aggregate view shows no person labels at all. Designed for
    ``ui.compute(privacy.person_labels, settings.pseudonyms)`` so every page and export agree.
    """
    people = ds.people
    ids = [str(i) for i in people["person_id"]] if "person_id" in people else []
    if pseudonyms:
        return pseudonymise(ids, dataset_salt(ds))
    names = people["name"] if "name" in people else pd.Series([""] * len(ids))
    labels: dict[str, str] = {}
    for pid, name in zip(ids, names, strict=False):
        text = "" if name is None or (isinstance(name, float) and np.isnan(name)) else str(name).strip()
        labels[pid] = text if text and text.lower() not in {"nan", "<na>"} else pid
    return labels


def _everyone(ds: Dataset) -> dict[str, list[str]]:
    return {"": ds.people["person_id"].astype(str).tolist() if "person_id" in ds.people else []}


def roster_release(ds: Dataset, min_size: int) -> Release:
    """The release of family "roster": figures about everyone on the roster, in every wave."""
    return release_for(ds, "roster", _everyone(ds), min_size)


def withhold(table: pd.DataFrame, rows: pd.Series, columns: Sequence[str]) -> pd.DataFrame:
    """Mark ``rows`` of an already checked table (``suppressed`` flags) as withheld for a wave
    (:attr:`Release.withheld`): ``columns`` blanked, reason ``"wave"``. Returns a new frame."""
    out = table.copy()
    out.loc[rows, list(columns)] = np.nan
    out.loc[rows, "suppressed"] = True
    out.loc[rows, "suppressed_reason"] = "wave"
    return out


def guard_all(
    table: pd.DataFrame,
    releases: Sequence[Release],
    attribute: str,
    wave: str | None = "",
    group_col: str | None = None,
) -> pd.DataFrame:
    """:func:`guard_groups` for a figure built from several families (the wirearchy index per group
    mixes network and survey figures): a group is shown only where every release allows it."""
    out = table
    for release in releases:
        out = guard_groups(out, release, attribute, wave, group_col=group_col)
    if not releases:
        out = guard_groups(out, Release(MIN_GROUP_SIZE, (), {}), attribute, wave, group_col=group_col)
    return out


def protect_groups(
    table: pd.DataFrame,
    ds: Dataset,
    attribute: str,
    *,
    family: str,
    populations: Mapping[str, Iterable[str]],
    min_size: int,
    wave: str | None = "",
    size_col: str,
    value_cols: Sequence[str],
    across: bool = True,
    group_col: str | None = None,
    total: bool = True,
) -> pd.DataFrame:
    """The one check every group table goes through.

    ``across=True`` (the aggregate view, exports, the deck, the CLI's aggregate report): the groups
    :func:`release_for` allows for ``family`` (whose contributors per wave are ``populations``),
    so nothing can be worked out across tables, breakdowns and waves (:func:`guard_groups`).
    ``across=False`` (the named view, where individuals are visible anyway): groups under
    ``min_size`` in this table, plus complementary suppression against the total when ``total``
    (:func:`suppress_small_groups`).
    """
    if not across:
        return suppress_small_groups(table, size_col, min_size, value_cols=list(value_cols), total=total)
    release = release_for(ds, family, populations, min_size)
    return guard_groups(table, release, attribute, wave, group_col=group_col)


def protect_roster_groups(
    table: pd.DataFrame,
    ds: Dataset,
    attribute: str,
    *,
    min_size: int,
    size_col: str,
    value_cols: Sequence[str],
    across: bool = True,
    group_col: str | None = None,
    total: bool = True,
) -> pd.DataFrame:
    """:func:`protect_groups` for figures about everyone on the roster (network measures, counts
    of people): the family "roster", whose contributors are all people, in every wave."""
    return protect_groups(
        table,
        ds,
        attribute,
        family="roster",
        populations=_everyone(ds),
        min_size=min_size,
        size_col=size_col,
        value_cols=value_cols,
        across=across,
        group_col=group_col,
        total=total,
    )
