"""How long a survey export takes to read, match and convert (lib.intake.survey), by size.

The sample organisation (lib.intake.sample) answers the kit's survey in a Google Forms export:
every person responds, names three advice contacts by their name-list label and one colleague by
a typed name (accents dropped), and answers the 15 trust items and the learning hours. Prints N,
the seconds to read the export (in process), to convert it (matching included) and to write the
workbook, and how many answers went to review. Run on an idle machine:

    .venv/bin/python benchmarks/bench_survey.py --sizes 500,2000,10000
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.core.schema import LEARNING_TYPE_CODES, LEARNING_TYPES, LIKERT_LABELS, TRUST_ITEM_BANK
from lib.intake.sample import generate
from lib.intake.survey.convert import convert, workbook_bytes
from lib.intake.survey.people import fold, name_list, roster_from_people
from lib.intake.survey.tools import read_export
from lib.intake.template import LEARNING_HOURS_QUESTION, NAME_GENERATOR_QUESTIONS, TRUST_INTRO


def export_csv(n: int, seed: int = 7) -> tuple[bytes, object]:
    people = generate(people=n, seed=seed).people
    roster = roster_from_people(people[["person_id", "name", "team"]])
    labels = list(name_list(roster)["label"])
    names = list(roster.people["name"])
    rng = np.random.default_rng(seed)
    header = ["Timestamp", "Your employee id (or work e-mail), as on the roster."]
    header += [NAME_GENERATOR_QUESTIONS["advice"], NAME_GENERATOR_QUESTIONS["collaboration"]]
    header += [f"{LEARNING_TYPES[c]} {LEARNING_HOURS_QUESTION}" for c in LEARNING_TYPE_CODES]
    header += [f"{TRUST_INTRO} [{i.wording}]" for i in TRUST_ITEM_BANK]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for i, pid in enumerate(roster.people["person_id"]):
        picks = rng.choice(n, 4, replace=False)
        advice = ", ".join(labels[k] for k in picks[:3])
        typed = fold(names[picks[3]])
        row = [f"2026/01/12 10:{i % 60:02d}:00", pid, advice, typed]
        row += [str(int(h)) for h in rng.integers(0, 10, len(LEARNING_TYPE_CODES))]
        row += [LIKERT_LABELS[int(v)] for v in rng.integers(1, 6, len(TRUST_ITEM_BANK))]
        writer.writerow(row)
    return out.getvalue().encode("utf-8"), roster


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="500,2000")
    args = parser.parse_args()
    print("people\tread_s\tconvert_s\twrite_s\tties\treview")
    for n in (int(s) for s in args.sizes.split(",")):
        data, roster = export_csv(n)
        t0 = time.perf_counter()
        export, _ = read_export("responses.csv", data, isolated=False)
        assert export is not None
        t1 = time.perf_counter()
        result = convert(export, roster)  # type: ignore[arg-type]
        t2 = time.perf_counter()
        workbook_bytes(result)
        t3 = time.perf_counter()
        print(
            f"{n}\t{t1 - t0:.2f}\t{t2 - t1:.2f}\t{t3 - t2:.2f}\t{len(result.tables['ties'])}\t{len(result.review)}"
        )


if __name__ == "__main__":
    main()
