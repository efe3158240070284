"""Checks across rows and sheets: unknown people (ids not on the roster), ids that differ only in
case, reporting cycles, and waves whose rosters share almost no ids (two id schemes)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.errors import Finding, Severity
from lib.intake.table import MAX_FINDINGS_PER_CHECK, Findings, Table, column_text, member


def unknown_people(
    frame: pd.DataFrame,
    column: str,
    ids: pd.Index | None,
    found: Findings,
    severity: Severity = "error",
) -> pd.Series:
    """Rows whose ``column`` names a person not in the people sheet (blank is not unknown)."""
    if ids is None or column not in frame:
        return pd.Series(False, index=frame.index)
    values = frame[column]
    unknown = values.ne("") & ~member(values, ids)
    if unknown.any():
        folded = dict(zip(ids.str.casefold(), ids, strict=True))
        vals = values.to_numpy()

        def message(i: int) -> str:
            other = folded.get(str(vals[i]).casefold())
            return "Unknown person: no one in the people sheet has this id" + (
                f" (the people sheet has '{other}', which differs only in upper and lower case)"
                if other is not None
                else ""
            )

        found.flag(
            severity,
            "Unknown person: no one in the people sheet has this id",
            frame,
            unknown,
            column,
            values,
            "Add the person to the people sheet, or correct the id (ids must match exactly; 007 and 7 differ, "
            "and so do A1 and a1).",
            message_for=message,
        )
    return unknown


def case_collisions(people: pd.DataFrame, found: Findings) -> None:
    """Roster ids that differ only in case ("A1" and "a1"): two people, as written, with a warning."""
    folded = people["person_id"].str.casefold()
    later = folded.duplicated(keep="first")
    if not later.any():
        return
    first = people.groupby(folded, sort=False)["person_id"].transform("first").to_numpy()
    first_row = people.groupby(folded, sort=False)["_row"].transform("first").to_numpy()
    found.flag(
        "warning",
        "person_id differs from another only in upper and lower case; read as two people",
        people,
        later,
        "person_id",
        people["person_id"],
        "If they are the same person, write the id the same way everywhere (and delete the second row).",
        message_for=lambda i: (
            f"person_id differs from '{first[i]}' (row {int(first_row[i])}) only in upper "
            "and lower case; read as two people"
        ),
    )


def reporting_cycles(people: pd.DataFrame, found: Findings) -> None:
    """Each cycle in manager_id (a → b → … → a) as one error, found as strong components."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = pd.Index(people["person_id"])
    manager = index.get_indexer(people["manager_id"])
    has = manager >= 0
    self_loop = has & (manager == np.arange(len(people)))
    if self_loop.any():
        found.flag(
            "error",
            "A person cannot be their own manager",
            people,
            self_loop,
            "manager_id",
            people["manager_id"],
            "Leave manager_id blank for the top of the organisation.",
        )
    src, dst = np.flatnonzero(has & ~self_loop), manager[has & ~self_loop]
    if len(src) == 0:
        return
    n = len(people)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    count, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    shown = 0
    for label in np.flatnonzero(sizes > 1):
        members = np.flatnonzero(labels == label)
        start = int(members[0])
        chain = [start]
        while (nxt := int(manager[chain[-1]])) != start and len(chain) <= len(members):
            chain.append(nxt)
        ids = [str(people["person_id"].iat[i]) for i in chain]
        shown_ids = " → ".join([*ids[:10], "…"] if len(ids) > 10 else [*ids, ids[0]])
        if shown < MAX_FINDINGS_PER_CHECK:
            t = found.tables[int(people["_t"].to_numpy()[start])]
            found.add(
                Finding(
                    "error",
                    f"Reporting cycle: {shown_ids}",
                    file=t.file,
                    sheet=t.sheet,
                    row=int(people["_row"].to_numpy()[start]),
                    column=t.header("manager_id"),
                    value=str(people["manager_id"].iat[start]),
                    hint="Someone in this chain must report outside it (or be the top, with a blank manager_id).",
                )
            )
        shown += 1
    if shown > MAX_FINDINGS_PER_CHECK:
        found.add(
            Finding(
                "error", f"… and {shown - MAX_FINDINGS_PER_CHECK:,} more reporting cycles", sheet="people"
            )
        )


#: Two waves' rosters sharing fewer ids than this share of the smaller one look like two id schemes.
_LEAST_SHARED = 0.2


def wave_id_overlap(ta: Table, fa: pd.DataFrame, tb: Table, fb: pd.DataFrame, found: Findings) -> None:
    """Warn when the people sheets of two waves share almost no ids (E001… in one, e-mail
    addresses in the other): merged, the roster would double and the response rate halve. The
    hint suggests the mapping: a column of one wave that holds the other's ids, or the people
    whose names match."""
    a, b = set(fa["person_id"]), set(fb["person_id"])
    smaller = min(len(a), len(b))
    shared = len(a & b)
    if ta.wave == tb.wave or smaller < 2 or shared >= _LEAST_SHARED * smaller:
        return
    hints = [*_id_columns(ta, b, tb), *_id_columns(tb, a, ta), *_name_matches(fa, fb)]
    found.add(
        Finding(
            "warning",
            f"The people of waves '{ta.wave}' and '{tb.wave}' share only {shared} of their ids "
            f"({len(a):,} and {len(b):,} people): if they are the same people under two id schemes, "
            "each is counted twice (the roster doubles, the response rate halves)",
            file=tb.file,
            sheet=tb.sheet,
            row=int(fb["_row"].to_numpy()[0]),
            column=tb.header("person_id"),
            value=str(fb["person_id"].iat[0]),
            hint=" ".join(hints)
            or "Use one id scheme in every wave (the same person_id for the same person).",
        )
    )


def _id_columns(t: Table, ids: set[str], other: Table) -> list[str]:
    """A column of ``t`` (other than its person_id) holding most of another wave's ``ids``."""
    out = []
    for pos, header in t.headers.items():
        if pos == t.mapping.get("person_id"):
            continue
        values = set(column_text(t.data[pos]))
        if ids and len(values & ids) >= 0.5 * len(ids):
            out.append(
                f"Column '{header}' of {t.file} holds the ids of wave '{other.wave}': use it as person_id "
                f"there (or add it to wave '{other.wave}' as the id column), so both waves use one scheme."
            )
    return out


def _name_matches(fa: pd.DataFrame, fb: pd.DataFrame) -> list[str]:
    """People of two waves with the same name (ignoring case) and different ids, as a mapping."""
    if "name" not in fa or "name" not in fb:
        return []
    left = fa.loc[fa["name"].ne(""), ["name", "person_id"]].assign(key=lambda f: f["name"].str.casefold())
    right = fb.loc[fb["name"].ne(""), ["name", "person_id"]].assign(key=lambda f: f["name"].str.casefold())
    pairs = left.merge(right, on="key", suffixes=("_a", "_b"))
    pairs = pairs.loc[pairs["person_id_a"].ne(pairs["person_id_b"])].drop_duplicates("key")
    if pairs.empty:
        return []
    shown = ", ".join(f"{r.person_id_a} → {r.person_id_b}" for r in pairs.head(3).itertuples())
    return [
        f"By name, {len(pairs):,} people match across the two waves ({shown}…): map one scheme onto the "
        "other (e.g. a lookup column), then load again."
    ]
