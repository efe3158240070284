"""Survey-tool exports built by code for the survey tests: one organisation's answers (``TRUTH``)
written as each tool and variant writes them, and the hand-made workbook the same answers give.

The roster holds the hard names: accents (Siobhán Ní Bhriain, Zoë Müller, José Álvarez), an
apostrophe (Seán O'Brien), two people called Ana Silva (in Sales and in Platform), and a name
that is written differently in the export (Dmitriy / Dmitri Ivanov).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

import pandas as pd
import xlsxwriter

from lib.core.schema import LEARNING_TYPE_CODES, LEARNING_TYPES, LIKERT_LABELS, TRUST_ITEM_BANK, WORK_KINDS
from lib.intake.template import (
    LEARNING_HOURS_QUESTION,
    NAME_GENERATOR_QUESTIONS,
    SKILL_QUESTION,
    TRUST_INTRO,
    WORK_KIND_WORDING,
    WORK_QUESTION,
)

ROSTER_ROWS: list[dict[str, str]] = [
    {
        "person_id": "P01",
        "name": "Siobhán Ní Bhriain",
        "team": "Sales",
        "email": "siobhan.nibhriain@example.org",
    },
    {"person_id": "P02", "name": "Ana Silva", "team": "Sales", "email": "ana.silva@example.org"},
    {"person_id": "P03", "name": "Ana Silva", "team": "Platform", "email": "ana.silva2@example.org"},
    {"person_id": "P04", "name": "Seán O'Brien", "team": "Platform", "email": "sean.obrien@example.org"},
    {"person_id": "P05", "name": "Zoë Müller", "team": "Leadership", "email": "Zoe.Mueller@Example.org"},
    {"person_id": "P06", "name": "José Álvarez", "team": "Platform", "email": "jose.alvarez@example.org"},
    {"person_id": "P07", "name": "Dmitriy Ivanov", "team": "Sales", "email": "dmitriy.ivanov@example.org"},
    {"person_id": "P08", "name": "Li Wei", "team": "Platform", "email": "li.wei@example.org"},
]
#: The name list the kit generates for this roster (the two Ana Silvas get their team).
LABEL = {
    "P01": "Siobhán Ní Bhriain",
    "P02": "Ana Silva (Sales)",
    "P03": "Ana Silva (Platform)",
    "P04": "Seán O'Brien",
    "P05": "Zoë Müller",
    "P06": "José Álvarez",
    "P07": "Dmitriy Ivanov",
    "P08": "Li Wei",
}
NAME_ORDER = [r["person_id"] for r in ROSTER_ROWS]
EMAIL = {r["person_id"]: r["email"] for r in ROSTER_ROWS}
FULL_NAME = {r["person_id"]: r["name"] for r in ROSTER_ROWS}
SKILLS = ("Python", "Facilitation")


@dataclass
class Answers:
    """One respondent's answers to the kit's questions."""

    names: dict[str, list[str]]  # relation → person ids named
    learning: dict[str, float]
    trust: list[int]  # 15 values in TRUST_ITEM_BANK order
    work: dict[str, float]  # shares 0–1
    skills: dict[str, int]
    finished: bool = True
    extra: dict[str, str] = field(default_factory=dict)


TRUTH: dict[str, Answers] = {
    "P01": Answers(
        {"advice": ["P05", "P06"], "collaboration": ["P02", "P04"]},
        {"IOL": 6, "GDL": 3, "PDL": 5, "ASL": 2, "FSL": 1},
        [4, 4, 2, 5, 4, 2, 3, 4, 3, 4, 4, 2, 3, 3, 3],
        {"simple": 0.1, "complicated": 0.3, "complex": 0.5, "chaotic": 0.1},
        {"Python": 3, "Facilitation": 2},
    ),
    "P04": Answers(
        {"advice": ["P01"], "energy": ["P03", "P05"]},
        {"IOL": 8, "GDL": 4, "PDL": 6, "ASL": 3, "FSL": 4},
        [3, 4, 3, 4, 3, 3, 4, 4, 2, 4, 5, 2, 2, 3, 4],
        {"simple": 0.2, "complicated": 0.45, "complex": 0.3, "chaotic": 0.05},
        {"Python": 4, "Facilitation": 1},
    ),
    "P05": Answers(
        {"advice": ["P04", "P06", "P03"], "information": ["P01", "P07"], "trust": ["P08"]},
        {"IOL": 2, "GDL": 2, "PDL": 1, "ASL": 1, "FSL": 0},
        [5, 5, 1, 5, 5, 1, 5, 5, 1, 5, 5, 1, 5, 5, 1],
        {"simple": 0.0, "complicated": 0.25, "complex": 0.6, "chaotic": 0.15},
        {"Python": 1, "Facilitation": 5},
    ),
    "P06": Answers(
        {"advice": ["P05"], "collaboration": ["P03", "P08"]},
        {"IOL": 5, "GDL": 1, "PDL": 3, "ASL": 4, "FSL": 2},
        [2, 3, 4, 3, 2, 4, 3, 3, 3, 4, 4, 3, 2, 2, 4],
        {"simple": 0.4, "complicated": 0.4, "complex": 0.2, "chaotic": 0.0},
        {"Python": 2, "Facilitation": 3},
    ),
}
RESPONDENTS = list(TRUTH)
RELATIONS = list(NAME_GENERATOR_QUESTIONS)


def roster_frame() -> pd.DataFrame:
    return pd.DataFrame(ROSTER_ROWS)


def roster_csv() -> bytes:
    return roster_frame().to_csv(index=False).encode("utf-8")


def roster_xlsx() -> bytes:
    return xlsx_bytes([list(ROSTER_ROWS[0])] + [list(r.values()) for r in ROSTER_ROWS], "people")


def expected_ties(truth: dict[str, Answers] = TRUTH) -> set[tuple[str, str, str]]:
    return {(src, tgt, rel) for src, a in truth.items() for rel, names in a.names.items() for tgt in names}


def learning_question(code: str) -> str:
    return f"{LEARNING_TYPES[code]} {LEARNING_HOURS_QUESTION}"


def work_question(kind: str) -> str:
    return f"{WORK_QUESTION} {WORK_KIND_WORDING[kind]}"


def likert_label(value: int) -> str:
    return LIKERT_LABELS[value]


# --- writing files ------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    wb.close()
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(
        ["" if v is None else v for v in r] for r in rows
    )
    text = out.getvalue()
    if encoding == "utf-16":
        return text.encode("utf-16")  # with a BOM, as Excel's "Unicode Text" writes it
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    return text.encode(encoding)


# --- Microsoft Forms (.xlsx) ---------------------------------------------------------------------


def ms_forms(truth: dict[str, Answers] = TRUTH, names: dict[str, str] = LABEL) -> bytes:
    """ID, Start time, Completion time, Email, Name; choices joined by ``;`` with a trailing ``;``;
    trust as one column per statement (the statement alone); skills as ``Question?.Statement``."""
    header: list[object] = ["ID", "Start time", "Completion time", "Email", "Name"]
    header += [NAME_GENERATOR_QUESTIONS[r] for r in RELATIONS]
    header += [learning_question(c) for c in LEARNING_TYPE_CODES]
    header += [i.wording for i in TRUST_ITEM_BANK]
    header += [work_question(k) for k in WORK_KINDS]
    header += [f"{SKILL_QUESTION}.{s}" for s in SKILLS]
    rows: list[list[object]] = [header]
    for n, (pid, a) in enumerate(truth.items(), start=1):
        row: list[object] = [n, "1/12/26 9:00:00", f"1/12/26 9:{10 + n}:00", EMAIL[pid], FULL_NAME[pid]]
        row += ["".join(f"{names[t]};" for t in a.names.get(r, [])) for r in RELATIONS]
        row += [a.learning[c] for c in LEARNING_TYPE_CODES]
        row += [likert_label(v) for v in a.trust]
        row += [f"{round(a.work[k] * 100)}%" for k in WORK_KINDS]
        row += [a.skills[s] for s in SKILLS]
        rows.append(row)
    return xlsx_bytes(rows)


# --- Google Forms (.csv) ------------------------------------------------------------------------


def google_forms(
    truth: dict[str, Answers] = TRUTH,
    names: dict[str, str] = LABEL,
    duplicates: dict[str, Answers] | None = None,
    encoding: str = "utf-8",
    extra: tuple[str, ...] = (),
) -> bytes:
    """Timestamp, Email Address; checkboxes joined by ``, ``; grids as ``Question [Row]``;
    ``duplicates``: earlier answers by the same people (written first, with an earlier time)."""
    header: list[object] = ["Timestamp", "Email Address"]
    header += [NAME_GENERATOR_QUESTIONS[r] for r in RELATIONS]
    header += [learning_question(c) for c in LEARNING_TYPE_CODES]
    header += [f"{TRUST_INTRO} [{i.wording}]" for i in TRUST_ITEM_BANK]
    header += [f"{WORK_QUESTION} [{WORK_KIND_WORDING[k]}]" for k in WORK_KINDS]
    header += [f"{SKILL_QUESTION} [{s}]" for s in SKILLS]
    header += list(extra)
    rows: list[list[object]] = [header]
    entries = [
        (f"2026/01/10 0{n}:00:00", pid, a) for n, (pid, a) in enumerate((duplicates or {}).items(), start=1)
    ]
    entries += [(f"2026/01/12 1{n}:00:00", pid, a) for n, (pid, a) in enumerate(truth.items())]
    for when, pid, a in entries:
        row: list[object] = [when, EMAIL[pid]]
        row += [", ".join(names[t] for t in a.names.get(r, [])) for r in RELATIONS]
        row += [f"{a.learning[c]:g}" for c in LEARNING_TYPE_CODES]
        row += [likert_label(v) for v in a.trust]
        row += [f"{a.work[k] * 100:g}" for k in WORK_KINDS]
        row += [str(a.skills[s]) for s in SKILLS]
        row += [a.extra.get(e, "") for e in extra]
        rows.append(row)
    return csv_bytes(rows, encoding)


# --- Qualtrics (.csv) ---------------------------------------------------------------------------

QUALTRICS_META = [
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
]


def qualtrics(
    truth: dict[str, Answers] = TRUTH,
    names: dict[str, str] = LABEL,
    numeric: bool = False,
    encoding: str = "utf-8",
    delimiter: str = ",",
    external: bool = True,
) -> bytes:
    """Three header rows; relations tagged with the kit's codes (``advice``) and comma-joined;
    learning tagged ``IOL``…; trust and skills as matrices ``Q5_1``… with ``stem - statement``;
    work as ``Q6_1``…. ``numeric``: Likert 1–5 and names as positions in the name list."""
    tags = [m[0] for m in QUALTRICS_META]
    texts = [m[1] for m in QUALTRICS_META]
    imports = [json.dumps({"ImportId": m[2]}) for m in QUALTRICS_META]
    questions: list[tuple[str, str, str]] = [
        (r, NAME_GENERATOR_QUESTIONS[r], f"QID{n}") for n, r in enumerate(RELATIONS, 1)
    ]
    questions += [(c, learning_question(c), f"QID1{n}") for n, c in enumerate(LEARNING_TYPE_CODES, 1)]
    questions += [
        (f"Q5_{n}", f"{TRUST_INTRO} - {i.wording}", f"QID20_{n}") for n, i in enumerate(TRUST_ITEM_BANK, 1)
    ]
    questions += [
        (f"Q6_{n}", f"{WORK_QUESTION} - {WORK_KIND_WORDING[k]}", f"QID21_{n}")
        for n, k in enumerate(WORK_KINDS, 1)
    ]
    questions += [(f"Q7_{n}", f"{SKILL_QUESTION} - {s}", f"QID22_{n}") for n, s in enumerate(SKILLS, 1)]
    questions += [("Q8", "Any comments?", "QID23_TEXT")]
    rows: list[list[object]] = [
        tags + [q[0] for q in questions],
        texts + [q[1] for q in questions],
        imports + [json.dumps({"ImportId": q[2]}) for q in questions],
    ]
    for n, (pid, a) in enumerate(truth.items(), start=1):
        first, _, last = FULL_NAME[pid].partition(" ")
        finished = "1" if numeric else "True"
        unfinished = "0" if numeric else "False"
        meta = [
            "2026-01-12 09:00:00",
            f"2026-01-12 09:{10 + n}:00",
            "IP Address",
            f"203.0.113.{n}",
            "100" if a.finished else "40",
            "300",
            finished if a.finished else unfinished,
            f"2026-01-12 09:{10 + n}:00",
            f"R_{n:03d}",
            last,
            first,
            EMAIL[pid],
            pid if external else "",
            "51.5",
            "-0.12",
            "email",
            "EN",
        ]
        cells: list[object] = []
        for r in RELATIONS:
            chosen = a.names.get(r, [])
            cells.append(",".join(str(NAME_ORDER.index(t) + 1) if numeric else names[t] for t in chosen))
        cells += [f"{a.learning[c]:g}" for c in LEARNING_TYPE_CODES]
        if a.finished:
            cells += [str(v) if numeric else likert_label(v) for v in a.trust]
            cells += [f"{a.work[k] * 100:g}" for k in WORK_KINDS]
            cells += [str(a.skills[s]) for s in SKILLS]
        else:  # stopped after the learning page
            cells += [""] * (len(TRUST_ITEM_BANK) + len(WORK_KINDS) + len(SKILLS))
        cells.append("Great survey, call me on 555-0101")
        rows.append(meta + cells)
    return csv_bytes(rows, encoding, delimiter)


# --- SurveyMonkey (.xlsx / .csv) ------------------------------------------------------------------

MONKEY_META = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
]


def surveymonkey(
    truth: dict[str, Answers] = TRUTH,
    names: dict[str, str] = LABEL,
    expanded: bool = True,
    as_csv: bool = False,
) -> bytes:
    """Two header rows. Expanded: each name an option column holding the label when chosen;
    condensed: one column per name question, labels joined by ``, ``. Trust and skills as
    matrices (the chosen label per statement); hours and shares as one-column questions."""
    top: list[object] = list(MONKEY_META)
    second: list[object] = [""] * len(MONKEY_META)
    plan: list[tuple[str, str, object]] = []  # (kind, key, sub)
    for r in RELATIONS:
        if expanded:
            for k, pid in enumerate(NAME_ORDER):
                top.append(NAME_GENERATOR_QUESTIONS[r] if k == 0 else "")
                second.append(names[pid])
                plan.append(("option", r, pid))
        else:
            top.append(NAME_GENERATOR_QUESTIONS[r])
            second.append("Response")
            plan.append(("names", r, ""))
    for c in LEARNING_TYPE_CODES:
        top.append(learning_question(c))
        second.append("Response")
        plan.append(("learning", c, ""))
    for k, item in enumerate(TRUST_ITEM_BANK):
        top.append(TRUST_INTRO if k == 0 else "")
        second.append(item.wording)
        plan.append(("trust", str(k), ""))
    for w in WORK_KINDS:
        top.append(work_question(w))
        second.append("Open-Ended Response")
        plan.append(("work", w, ""))
    for k, s in enumerate(SKILLS):
        top.append(SKILL_QUESTION if k == 0 else "")
        second.append(s)
        plan.append(("skill", s, ""))
    rows: list[list[object]] = [top, second]
    for n, (pid, a) in enumerate(truth.items(), start=1):
        first, _, last = FULL_NAME[pid].partition(" ")
        row: list[object] = [
            11_000 + n,
            4242,
            "01/12/2026 09:00:00 AM",
            f"01/12/2026 09:{10 + n}:00 AM",
            f"198.51.100.{n}",
            EMAIL[pid],
            first,
            last,
            pid,
        ]
        for kind, key, sub in plan:
            if kind == "option":
                row.append(names[str(sub)] if sub in a.names.get(key, []) else "")
            elif kind == "names":
                row.append(", ".join(names[t] for t in a.names.get(key, [])))
            elif kind == "learning":
                row.append(a.learning[key])
            elif kind == "trust":
                row.append(likert_label(a.trust[int(key)]))
            elif kind == "work":
                row.append(f"{a.work[key] * 100:g}%")
            else:
                row.append(a.skills[key])
        rows.append(row)
    return csv_bytes(rows) if as_csv else xlsx_bytes(rows, "Sheet")


# --- the hand-made workbook ---------------------------------------------------------------------------


def hand_made(truth: dict[str, Answers] = TRUTH) -> bytes:
    """The workbook a facilitator would have typed from the same answers."""
    people = [["person_id", "name", "team", "responded"]] + [
        [r["person_id"], r["name"], r["team"], "yes" if r["person_id"] in truth else "no"]
        for r in ROSTER_ROWS
    ]
    ties = [["source_id", "target_id", "relation"], *sorted([list(t) for t in expected_ties(truth)])]
    learning = [["person_id", *LEARNING_TYPE_CODES]] + [
        [p, *(a.learning[c] for c in LEARNING_TYPE_CODES)] for p, a in truth.items()
    ]
    trust = [["person_id", *(i.item for i in TRUST_ITEM_BANK)]] + [[p, *a.trust] for p, a in truth.items()]
    work = [["person_id", *WORK_KINDS]] + [[p, *(a.work[k] for k in WORK_KINDS)] for p, a in truth.items()]
    skills = [["person_id", "skill", "level", "source"]] + [
        [p, s, a.skills[s], "self"] for p, a in truth.items() for s in SKILLS
    ]
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    for name, rows in (
        ("people", people),
        ("ties", ties),
        ("learning", learning),
        ("trust", trust),
        ("work", work),
        ("skills", skills),
    ):
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
    wb.close()
    return buffer.getvalue()
