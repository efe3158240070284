"""Sheet rules: each sheet's table assembled from its mapped tables (people with custom attributes
and waves merged, ties summed, learning wide or long, trust items, …), in the canonical columns of
:data:`lib.core.dataset.TABLE_COLUMNS`, with the ``_t`` and ``_row`` meta columns findings need."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from lib.core.dataset import (
    PEOPLE_COLUMNS,
    TABLE_COLUMNS,
    builtin_trust_items,
    channel_mode,
    empty_table,
)
from lib.core.errors import Finding
from lib.core.schema import (
    LEARNING_TYPE_CODES,
    SHEETS_BY_NAME,
    WORK_KINDS,
    Column,
    normalise_name,
)
from lib.intake.cells import LARGEST_NUMBER, NUMBER, parse_numbers
from lib.intake.convert import convert_numbers, error_cells, fill, required_blank, standard
from lib.intake.crosscheck import case_collisions, reporting_cycles, unknown_people, wave_id_overlap
from lib.intake.parsing import (
    ERROR_CODES,
    column_letters,
)
from lib.intake.table import Findings, Table, column_text, member


def people_table(tables: list[Table], found: Findings) -> pd.DataFrame:
    """The roster: one row per person (duplicates an error; several waves' rosters merged, the latest non-blank value of each column), custom attributes, manager checks."""
    spec = SHEETS_BY_NAME["people"]
    frames = []
    for t in tables:
        f = standard(t, found, [c.name for c in spec.columns])
        f = _attributes(t, f, found)
        blank = f["person_id"].eq("")
        f = f.loc[~blank]
        first_row = f.groupby("person_id", sort=False)["_row"].transform("first")
        dup = f["person_id"].duplicated(keep="first")
        if dup.any():
            found.flag(
                "error",
                "Duplicate person_id",
                f,
                dup,
                "person_id",
                f["person_id"],
                "Each person appears once; delete or correct the repeated row.",
                message_for=_already_used(first_row.to_numpy()),
            )
            f = f.loc[~dup]
        frames.append(f)
    for i in range(1, len(frames)):
        wave_id_overlap(tables[i - 1], frames[i - 1], tables[i], frames[i], found)
    people = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    if len(frames) > 1:
        people = _merge_waves(people)
    for name, default, dtype in (
        ("name", "", "str"),
        ("team", "", "str"),
        ("department", "", "str"),
        ("role", "", "str"),
        ("level", pd.NA, "Int64"),
        ("manager_id", "", "str"),
        ("location", "", "str"),
        ("tenure_years", np.nan, "float64"),
        ("responded", pd.NA, "boolean"),
    ):
        fill(people, name, default, dtype)
    case_collisions(people, found)
    unknown_people(people, "manager_id", pd.Index(people["person_id"]), found)
    reporting_cycles(people, found)
    extras = [c for c in people.columns if c not in PEOPLE_COLUMNS and not c.startswith("_")]
    return people[["_t", "_row", *PEOPLE_COLUMNS, *extras]]


def _already_used(first_rows: np.ndarray) -> Callable[[int], str]:
    return lambda i: f"Duplicate person_id: already used in row {int(first_rows[i])}"


def _merge_waves(people: pd.DataFrame) -> pd.DataFrame:
    """One row per person across wave workbooks: the latest non-blank value of each column."""
    text_cols = [c for c in people.columns if pd.api.types.is_string_dtype(people[c]) and c != "person_id"]
    work = people.copy()
    for c in text_cols:
        work[c] = work[c].where(work[c].ne(""), None)
    merged = work.groupby("person_id", sort=False, as_index=False).last()
    first = work.groupby("person_id", sort=False)[["_t", "_row"]].first().reset_index()
    merged = merged.drop(columns=["_t", "_row"]).merge(first, on="person_id", how="left")
    for c in text_cols:
        merged[c] = merged[c].fillna("").astype("str")
    return merged


def _attributes(t: Table, frame: pd.DataFrame, found: Findings) -> pd.DataFrame:
    """Extra people columns become custom attributes: numbers when every value is one, else text."""
    for pos in t.extras:
        name = t.headers[pos]
        if name in frame.columns:
            name = f"{name} ({column_letters(pos + 1)})"
        t.mapping.setdefault(name, pos)
        text = column_text(t.data[pos])
        err = error_cells(t, frame, name, text, found)
        text = text.where(~err, "")
        filled = text.ne("")
        parsed, codes, _notes = parse_numbers(t.data[pos].where(~err.to_numpy(), None))
        huge = pd.Series(codes == NUMBER, index=text.index) & ~(parsed.abs() <= LARGEST_NUMBER)
        if huge.any():
            found.flag(
                "error",
                f"Infinite or too large number in {name}",
                frame,
                huge,
                name,
                text,
                f"Type a finite number (at most {LARGEST_NUMBER:,.0f}) or leave the cell blank.",
            )
        numbers = parsed.where(~huge)
        numeric = (
            filled.any()
            and bool((codes[filled.to_numpy()] == NUMBER).all())
            and bool(numbers[filled].notna().all())
            and not text[filled].str.match(r"^0\d").any()
        )
        if numeric and bool((numbers[filled] == numbers[filled].round()).all()):
            frame[name] = numbers.round().astype("Int64").array
        elif numeric:
            frame[name] = numbers.astype("float64").array
        else:
            frame[name] = text.array
    return frame


def ties_table(tables: list[Table], ids: pd.Index | None, found: Findings) -> pd.DataFrame:
    """Ties between people on the roster: blanks and self-ties dropped, duplicates summed into the first row."""
    spec = SHEETS_BY_NAME["ties"]
    frames = [standard(t, found, [c.name for c in spec.columns]) for t in tables]
    ties = pd.concat(frames, ignore_index=True)
    fill(ties, "weight", 1.0, "float64")
    ties["weight"] = ties["weight"].fillna(1.0)
    for name in ("learning_type", "mode", "topic"):
        fill(ties, name, "", "str")
    blank = ties["source_id"].eq("") | ties["target_id"].eq("")
    unknown_people(ties, "source_id", ids, found)
    unknown_people(ties, "target_id", ids, found)
    self_tie = ~blank & ties["source_id"].eq(ties["target_id"])
    if self_tie.any():
        found.flag(
            "warning",
            "Self-tie ignored (a person naming themselves)",
            ties,
            self_tie,
            "target_id",
            ties["target_id"],
            "Delete the row; a tie links two different people.",
        )
    if (blank | self_tie).any():
        ties = ties.loc[~blank & ~self_tie]
    key = ["source_id", "target_id", "relation"]
    key += [c for c in ("learning_type", "mode", "topic", "wave") if ties[c].ne("").any()]
    # One factorisation serves both the duplicate test and the weight sums.
    codes = ties.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    later = pd.Series(codes, index=ties.index).duplicated()
    if later.any():
        found.flag(
            "warning",
            "Duplicate tie: its weight is added to the first row with the same people and relation",
            ties,
            later,
            "source_id",
            ties["source_id"],
            "Check whether the tie was entered twice; delete it if so.",
        )
        sums = np.bincount(codes, weights=ties["weight"].to_numpy(dtype=float))
        ties = ties.assign(weight=sums[codes]).loc[~later]
    return ties[["_t", "_row", *TABLE_COLUMNS["ties"]]].reset_index(drop=True)


def learning_table(tables: list[Table], ids: pd.Index | None, found: Findings) -> pd.DataFrame:
    """Learning hours in long form (person, learning type, hours), from the wide or the long sheet."""
    frames = []
    optional = ["activity", "channel", "date", "wording"]
    for t in tables:
        wide = [code for code in LEARNING_TYPE_CODES if t.has(code)]
        long = t.has("learning_type") and t.has("hours")
        if not wide and not long:
            found.add(
                Finding(
                    "error",
                    "The learning sheet needs the columns IOL, GDL, PDL, ASL, FSL (one per type) or learning_type and hours",
                    file=t.file,
                    sheet=t.sheet,
                    hint="Use the template's learning sheet.",
                )
            )
            continue
        if wide:
            kept = ["person_id", "wave", *(["wording"] if t.has("wording") else [])]
            base = standard(t, found, [*kept, *wide])
            long_frame = base.melt(
                id_vars=["_t", "_row", *kept],
                value_vars=wide,
                var_name="learning_type",
                value_name="hours",
            )
            long_frame = long_frame.loc[long_frame["hours"].notna()]
            for name in optional:
                fill(
                    long_frame,
                    name,
                    "" if name != "date" else pd.NaT,
                    "str" if name != "date" else "datetime64[ns]",
                )
            order = long_frame["learning_type"].map({c: i for i, c in enumerate(LEARNING_TYPE_CODES)})
            frames.append(
                long_frame.assign(_order=order).sort_values(["_row", "_order"]).drop(columns="_order")
            )
        else:
            f = standard(
                t, found, ["person_id", "wave", "learning_type", "hours", *[o for o in optional if t.has(o)]]
            )
            required_blank(t, f, "learning_type", f["learning_type"].eq(""), found)
            f = f.loc[f["hours"].notna() & f["learning_type"].isin(LEARNING_TYPE_CODES)]
            frames.append(f)
    if not frames:
        return empty_table("learning")
    learning = pd.concat(frames, ignore_index=True)
    unknown_people(learning.drop_duplicates(["_t", "_row"]), "person_id", ids, found)
    learning["learning_type"] = learning["learning_type"].astype("str")
    present = [o for o in optional if o in learning and _has_values(learning[o])]
    return learning[["_t", "_row", *TABLE_COLUMNS["learning"], *present]].reset_index(drop=True)


def _has_values(s: pd.Series) -> bool:
    return bool(s.notna().any()) and not (pd.api.types.is_string_dtype(s) and not s.ne("").any())


def interactions_table(
    tables: list[Table], ids: pd.Index | None, found: Findings, modes: dict[str, str]
) -> pd.DataFrame:
    """Logged events; events naming people outside the roster are left out with a warning."""
    spec = SHEETS_BY_NAME["interactions"]
    frames = [standard(t, found, [c.name for c in spec.columns]) for t in tables]
    events = pd.concat(frames, ignore_index=True)
    for name in ("target_id", "kind", "topic"):
        fill(events, name, "", "str")
    # A log often names people outside the roster (guests, bots): leave those events out, with a warning.
    outside = pd.Series(False, index=events.index)
    if ids is not None:
        for column in ("source_id", "target_id"):
            unknown = events[column].ne("") & ~member(events[column], ids)
            if unknown.any():
                examples = ", ".join(map(str, pd.unique(events.loc[unknown, column])[:5]))
                i = int(np.flatnonzero(unknown.to_numpy())[0])
                t = found.tables[int(events["_t"].to_numpy()[i])]
                found.add(
                    Finding(
                        "warning",
                        f"{int(unknown.sum()):,} events name people who are not in the people sheet ({examples}…); "
                        "they are left out",
                        file=t.file,
                        sheet=t.sheet,
                        row=int(events["_row"].to_numpy()[i]),
                        column=t.header(column),
                        value=str(events[column].iat[i]),
                        hint="Add them to the people sheet if they belong in the analysis.",
                    )
                )
                outside |= unknown
    events = events.loc[~outside & events["source_id"].ne("")]
    channel = events["channel"].str.lower()
    events["mode"] = channel_mode(events["channel"], modes)
    unknown_channels = sorted(set(channel[events["mode"].eq("") & channel.ne("")]))
    if unknown_channels:
        shown = ", ".join(unknown_channels[:20]) + (" …" if len(unknown_channels) > 20 else "")
        found.add(
            Finding(
                "note",
                f"Channels not classed as stock or flow: {shown}",
                file=tables[0].file,
                sheet=tables[0].sheet,
                column=tables[0].header("channel"),
                hint=f"Known channels: {', '.join(sorted(modes))}.",
            )
        )
    return events[["_t", "_row", *TABLE_COLUMNS["interactions"]]].reset_index(drop=True)


def trust_items_table(tables: list[Table], found: Findings) -> pd.DataFrame:
    """The built-in trust item bank, with a trust_items sheet's items added or overriding."""
    bank = builtin_trust_items()
    if not tables:
        return bank
    spec = SHEETS_BY_NAME["trust_items"]
    frames = [standard(t, found, [c.name for c in spec.columns]) for t in tables]
    custom = pd.concat(frames, ignore_index=True)
    fill(custom, "reverse", False, "boolean")
    fill(custom, "wording", "", "str")
    custom["reverse"] = custom["reverse"].fillna(False).astype(bool)
    custom = custom.loc[custom["item"].ne("")].drop_duplicates("item", keep="last")
    overridden = bank["item"].map(normalise_name).isin(custom["item"].map(normalise_name))
    merged = pd.concat([bank.loc[~overridden], custom[TABLE_COLUMNS["trust_items"]]], ignore_index=True)
    merged["reverse"] = merged["reverse"].astype(bool)
    return merged


def trust_table(
    tables: list[Table], ids: pd.Index | None, items: pd.DataFrame, found: Findings
) -> pd.DataFrame:
    """Trust answers in long form (person, item, value 1–5), one column per item in the sheet."""
    known = {normalise_name(i): str(i) for i in items["item"]}
    frames = []
    likert = Column("value", "number", minimum=1, maximum=5)
    for t in tables:
        base = standard(t, found, ["person_id", "wave"])
        item_cols: list[str] = []
        for pos in t.extras:
            header = t.headers[pos]
            text = column_text(t.data[pos])
            filled = text.ne("") & ~text.isin(ERROR_CODES)
            if filled.any() and pd.to_numeric(text[filled], errors="coerce").isna().all():
                found.add(
                    Finding(
                        "note",
                        f"Column '{header}' holds no numbers, so it is not read as a trust item",
                        file=t.file,
                        sheet=t.sheet,
                        column=header,
                    )
                )
                continue
            item = known.get(normalise_name(header), header)
            if normalise_name(header) not in known:
                found.add(
                    Finding(
                        "warning",
                        f"Trust item '{header}' is not in the built-in bank or a trust_items sheet; it counts under no dimension",
                        file=t.file,
                        sheet=t.sheet,
                        column=header,
                        hint="Add it to a trust_items sheet with its wirearchy dimension, or rename it to a bank item (ks1, tr1, …).",
                    )
                )
            t.mapping[item] = pos
            t.headers[pos] = header
            values = convert_numbers(
                t, base, Column(item, "number", minimum=likert.minimum, maximum=likert.maximum), found
            )
            base[item] = values.array
            item_cols.append(item)
        if not item_cols:
            found.add(
                Finding(
                    "error",
                    "The trust sheet has no item columns (answers 1–5)",
                    file=t.file,
                    sheet=t.sheet,
                    hint="Add one column per item, e.g. ks1, tr1 (see the template).",
                )
            )
            continue
        long = base.melt(
            id_vars=["_t", "_row", "person_id", "wave"],
            value_vars=item_cols,
            var_name="item",
            value_name="value",
        )
        frames.append(long.loc[long["value"].notna()].sort_values(["_row"], kind="stable"))
    if not frames:
        return empty_table("trust")
    trust = pd.concat(frames, ignore_index=True)
    unknown_people(trust.drop_duplicates(["_t", "_row"]), "person_id", ids, found)
    trust["item"] = trust["item"].astype("str")
    return trust[["_t", "_row", *TABLE_COLUMNS["trust"]]]


def work_table(tables: list[Table], ids: pd.Index | None, found: Findings) -> pd.DataFrame:
    """Shares of simple, complicated, complex and chaotic work per person."""
    frames = []
    for t in tables:
        if not any(t.has(k) for k in WORK_KINDS):
            found.add(
                Finding(
                    "error",
                    "The work sheet needs at least one of the columns simple, complicated, complex, chaotic",
                    file=t.file,
                    sheet=t.sheet,
                    hint="Use the template's work sheet.",
                )
            )
            continue
        frames.append(standard(t, found, ["person_id", "wave", *WORK_KINDS]))
    if not frames:
        return empty_table("work")
    work = pd.concat(frames, ignore_index=True)
    for k in WORK_KINDS:
        fill(work, k, np.nan, "float64")
    unknown_people(work, "person_id", ids, found)
    return work[["_t", "_row", *TABLE_COLUMNS["work"]]]


def skills_table(tables: list[Table], ids: pd.Index | None, found: Findings) -> pd.DataFrame:
    """Skill levels per person (self, peer or manager rated)."""
    spec = SHEETS_BY_NAME["skills"]
    skills = pd.concat(
        [standard(t, found, [c.name for c in spec.columns]) for t in tables], ignore_index=True
    )
    fill(skills, "source", "", "str")
    unknown_people(skills, "person_id", ids, found)
    return skills[["_t", "_row", *TABLE_COLUMNS["skills"]]]


def role_skills_table(tables: list[Table], found: Findings) -> pd.DataFrame:
    """Required skill levels per role."""
    spec = SHEETS_BY_NAME["role_skills"]
    frame = pd.concat([standard(t, found, [c.name for c in spec.columns]) for t in tables], ignore_index=True)
    return frame[["_t", "_row", *TABLE_COLUMNS["role_skills"]]]
