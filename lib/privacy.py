"""Privacy rules: small-group suppression, the minimum group size and stable pseudonyms.

Two views (issue 7). The *aggregate* view shows no names or person ids, hides person-level tables,
ego views and who-to-ask, and every group statistic needs at least ``min_group_size`` people
(default :data:`MIN_GROUP_SIZE`, configurable upward only), including what could be derived by
subtracting the shown groups from a total. The *named* view shows everything, optionally with
stable pseudonyms instead of names (salted per dataset, the same on every page and export).

Pages use it like this::

    table = privacy.suppress_small_groups(mix, "respondents", s.min_group_size, value_cols=TYPES, total=True)
    st.dataframe(privacy.shown(table))
    st.caption(privacy.suppression_note(table, s.min_group_size))
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from lib.dataset import Dataset

__all__ = [
    "MIN_GROUP_SIZE",
    "PSEUDONYM_PREFIX",
    "check_min_group_size",
    "dataset_salt",
    "person_labels",
    "pseudonymise",
    "shown",
    "suppress_small_groups",
    "suppression_note",
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


def suppression_note(table: pd.DataFrame, min_size: int) -> str:
    """Plain sentence about what :func:`suppress_small_groups` hid ("" when nothing was hidden)."""
    if "suppressed" not in table.columns:
        return ""
    reasons = table.get("suppressed_reason", pd.Series("small", index=table.index))
    n_small = int((table["suppressed"].astype(bool) & (reasons == "small")).sum())
    n_comp = int((table["suppressed"].astype(bool) & (reasons == "complementary")).sum())
    parts = []
    if n_small:
        parts.append(f"{n_small} group{'s' if n_small != 1 else ''} hidden (fewer than {min_size} people)")
    if n_comp:
        parts.append(
            f"{n_comp} more hidden so that the hidden group{'s' if n_small != 1 else ''} cannot be "
            "worked out from the total"
        )
    return "; ".join(parts) + ("." if parts else "")


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

    A workspace's datasets (:func:`lib.workspaces.load_workspace`, :func:`lib.workspaces.load_wave`)
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
