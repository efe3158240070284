"""SurveyMonkey's "All responses data" export as real exports lay it out, checked against public
sources (issue 15):

- the nine leading columns ``Respondent ID, Collector ID, Start Date, End Date, IP Address,
  Email Address, First Name, Last Name, Custom Data 1`` with a *blank* second header row under
  them; then each question's text in the first row over its first column only (blank over the rest),
  and in the second row ``Response`` (one answer), ``Open-Ended Response`` (text), or the option,
  statement or sub-field per column (bdoremus/gvca_survey_analytics ``02_data_ingest.py``, which
  checks columns 0–3 and 9+ of a real export; a real header pair quoted in a public DC-election
  endorsement app's SurveyMonkey parser, with a ``Contact information`` block whose second row reads
  ``Name, Email, …``);
- a checkbox column holds its option's text when chosen, ``Open-Ended Response`` and "please specify"
  columns are free text, and question text may carry the survey's HTML formatting
  (wmurphyrd/monkeywrangler ``R/loadSurveyMonkeyXLS.R``: ``idcols = 1:9``, ``removeHTML``).
"""

from __future__ import annotations

from lib.intake.survey.convert import convert
from lib.intake.survey.people import roster_from_people
from lib.intake.survey.tools import read_export
from lib.intake.template import LEARNING_HOURS_QUESTION, NAME_GENERATOR_QUESTIONS
from tests import survey_fixtures as F

ROSTER = roster_from_people(F.roster_frame())
META = F.MONKEY_META
ADVICE = NAME_GENERATOR_QUESTIONS["advice"]
OPTIONS = ["P02", "P03", "P08"]  # name-list labels offered as checkboxes


def _real_layout(html: bool = False) -> list[list[object]]:
    """A real export's header pair and three responses, with our kit's advice question."""
    advice = f"<strong>{ADVICE}</strong>" if html else ADVICE
    top: list[object] = [*META, "Contact information", "", "Which office are you in?", ""]
    second: list[object] = [""] * len(META) + ["Name", "Email", "Response", "Other (please specify)"]
    top += [advice, "", "", "", f"{F.learning_question('IOL')}"]
    second += [F.LABEL[p] for p in OPTIONS] + ["Other (please specify)", "Open-Ended Response"]
    rows: list[list[object]] = [top, second]
    answers = [  # (respondent, contact e-mail, office, other office, advice names, other name, hours)
        ("P01", "siobhan@home.example", "Dublin", "", ["P08"], "", "3"),
        ("P04", "", "Other", "Cork <b>annex</b>", ["P02", "P08"], "", "4.5"),
        ("P05", "", "Berlin", "", [], "my old boss", "2 hours"),
    ]
    for n, (pid, mail, office, other, names, other_name, hours) in enumerate(answers, start=1):
        first, _, last = F.FULL_NAME[pid].partition(" ")
        row: list[object] = [
            114_000_000_00 + n,
            402_000_000,
            "12/01/2026 09:00:00 AM",
            f"12/01/2026 09:{10 + n}:00 AM",
            f"198.51.100.{n}",
            F.EMAIL[pid],
            first,
            last,
            "",
            F.FULL_NAME[pid],
            mail,
            office,
            other,
        ]
        row += [F.LABEL[p] if p in names else "" for p in OPTIONS] + [other_name, hours]
        rows.append(row)
    return rows


def test_real_layout_is_read_with_its_meta_columns_and_free_text_dropped() -> None:
    export, findings = read_export("monkey.csv", F.csv_bytes(_real_layout()), isolated=False)
    assert export is not None, [f.line() for f in findings]
    assert (export.tool, export.variant) == ("SurveyMonkey", "expanded")
    assert list(export.respondent["response_id"]) == ["11400000001", "11400000002", "11400000003"]
    assert list(export.respondent["email"]) == [F.EMAIL[p] for p in ("P01", "P04", "P05")]
    assert list(export.respondent["name"]) == [F.FULL_NAME[p] for p in ("P01", "P04", "P05")]
    headers = [c.header for c in export.columns]
    assert headers[:3] == [
        "Contact information [Name]",
        "Contact information [Email]",
        "Which office are you in?",
    ]
    assert [c.item for c in export.columns if c.question == ADVICE] == [F.LABEL[p] for p in OPTIONS]
    assert all(c.option for c in export.columns if c.question == ADVICE)
    assert not any("Other" in c.item for c in export.columns)  # the "please specify" columns
    assert export.dropped["free-text ('Other') answers"] == 2
    assert export.dropped["IP addresses"] == 1


def test_real_layout_converts_ties_and_hours_and_keeps_contact_details_out() -> None:
    export, _ = read_export("monkey.csv", F.csv_bytes(_real_layout()), isolated=False)
    assert export is not None
    result = convert(export, ROSTER)
    ties = {(t.source_id, t.target_id, t.relation) for t in result.tables["ties"].itertuples()}
    assert ties == {("P01", "P08", "advice"), ("P04", "P02", "advice"), ("P04", "P08", "advice")}
    assert result.review == []  # "my old boss" was free text, never a name to match
    hours = dict(zip(result.tables["learning"]["person_id"], result.tables["learning"]["IOL"], strict=True))
    assert hours == {"P01": 3.0, "P04": 4.5, "P05": 2.0}
    text = " ".join(str(v) for frame in result.tables.values() for v in frame.to_numpy().ravel())
    for secret in ("siobhan@home.example", "Cork", "198.51.100", "my old boss", "Dublin"):
        assert secret not in text


def test_html_formatting_in_question_text_is_removed() -> None:
    export, _ = read_export("monkey.csv", F.csv_bytes(_real_layout(html=True)), isolated=False)
    assert export is not None
    assert {c.question for c in export.columns if c.option} == {ADVICE}
    ties = {(t.source_id, t.target_id) for t in convert(export, ROSTER).tables["ties"].itertuples()}
    assert ties == {("P01", "P08"), ("P04", "P02"), ("P04", "P08")}


def test_condensed_names_joined_in_one_response_column() -> None:
    """Condensed: one column per question under ``Response``; the chosen labels in one cell."""
    rows = [
        [*META, ADVICE, LEARNING_HOURS_QUESTION],
        [""] * len(META) + ["Response", "Open-Ended Response"],
        [1, 2, "", "", "", F.EMAIL["P04"], "", "", "", f"{F.LABEL['P02']}, {F.LABEL['P08']}", ""],
    ]
    export, _ = read_export("monkey.csv", F.csv_bytes(rows), isolated=False)
    assert export is not None and export.variant == "condensed"
    ties = {(t.source_id, t.target_id) for t in convert(export, ROSTER).tables["ties"].itertuples()}
    assert ties == {("P04", "P02"), ("P04", "P08")}
