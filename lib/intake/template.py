"""The survey kit: the ``Download template`` workbook, generated from :mod:`lib.core.schema`.

Sheets, in order: ``instructions``; one sheet per entry of :data:`lib.core.schema.SHEETS` with its
headers, two example rows (that load without errors) and Excel dropdowns for the enumerations;
``survey_questions``, the wording facilitators paste into their survey tool. Every sheet,
column, enumeration, learning type, trust item and Likert label comes from the schema; this
module only adds what the schema does not hold (question wording, example rows, layout).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from lib.core.sanitise import XLSX_OPTIONS, neutralise_formula
from lib.core.schema import (
    CHANNEL_MODES,
    LEARNING_TYPE_CODES,
    LEARNING_TYPES,
    LEARNING_WORDING,
    LIKERT_LABELS,
    SHEETS,
    STANDARD_RELATIONS,
    TRUST_ITEM_BANK,
    WIREARCHY_DIMENSIONS,
    WORK_KINDS,
    Column,
    Sheet,
)

__all__ = [
    "ASL_QUESTION",
    "EXAMPLE_ROWS",
    "LEARNING_HOURS_QUESTION",
    "LEARNING_LONG_COLUMNS",
    "NAME_CAP",
    "NAME_GENERATOR_QUESTIONS",
    "SKILL_LEVEL_ANCHORS",
    "SKILL_QUESTION",
    "SURVEY_TOOL_SETUP",
    "TIE_WEIGHT_QUESTION",
    "VALIDATION_ROWS",
    "WORK_KIND_WORDING",
    "WORK_QUESTION",
    "SurveyQuestion",
    "survey_questions",
    "template_bytes",
    "template_columns",
]

#: Data validation covers this many rows under the header.
VALIDATION_ROWS = 5000
#: The learning sheet's long-form columns: the template shows the wide form (one column per type).
LEARNING_LONG_COLUMNS: tuple[str, ...] = ("learning_type", "hours", "activity", "channel", "date")
INSTRUCTIONS = "instructions"
SURVEY = "survey_questions"
TOOLS_SHEET = "survey_tools"
NAME_LIST = "name_list"

#: Name-generator questions (one per standard relation): who the respondent names becomes target_id.
NAME_GENERATOR_QUESTIONS: dict[str, str] = {
    "advice": "Who do you go to for advice or help when you have a work-related problem?",
    "information": "Who do you get useful work information from (news, updates, where to find things)?",
    "collaboration": "Who have you worked closely with on shared work in the last three months?",
    "trust": "Who would you trust to discuss a sensitive work issue or a mistake you made?",
    "energy": "Who leaves you feeling energised and more motivated after you interact with them?",
}
#: The most colleagues a name-generator question takes; names beyond it are dropped with a note.
NAME_CAP = 10
NAME_GENERATOR_ANSWER = (
    f"Pick up to {NAME_CAP} colleagues from the list of names (optional for each question)."
)
TIE_WEIGHT_QUESTION = "For each person you named: how often? 1 = monthly or less, 2 = weekly, 3 = daily."
LEARNING_HOURS_QUESTION = (
    "In the last four weeks, about how many hours did you spend on this kind of learning?"
)
#: Accidental learning happens "without consciously realizing it" (Hart), so its hours cannot be
#: self-reported: the kit asks how often it happened, and from what. The learning sheet's ASL
#: column then holds occasions, which the mix counts as one hour each (said on the Learning page).
ASL_QUESTION = (
    "In the last four weeks, how many times did you learn something useful you were not looking for "
    "(from a chance conversation, a mistake, something you came across)? Think of the last one: where "
    "did it come from?"
)
#: Plain-word explanations of the Cynefin work kinds, for the work-complexity question.
WORK_QUESTION = (
    "Think about your work in the last month. Roughly what share of your time went to each kind of "
    "work? The four shares should add up to 100%."
)
WORK_KIND_WORDING: dict[str, str] = {
    "simple": "Simple: routine work with a known best way of doing it (follow the procedure).",
    "complicated": "Complicated: work that needs analysis or expertise, but has a right answer an expert can find.",
    "complex": "Complex: work where nobody knows the answer in advance; you try things and learn what works.",
    "chaotic": "Chaotic: urgent firefighting where you act first to stabilise things and understand later.",
}
#: Anchors of the 0–5 skill scale, for the self-assessment.
SKILL_LEVEL_ANCHORS: dict[int, str] = {
    0: "No knowledge",
    1: "Aware: I know what it is",
    2: "Beginner: I can do simple tasks with help",
    3: "Practitioner: I do it on my own",
    4: "Advanced: others come to me for help",
    5: "Expert: I shape how the organisation does it",
}
SKILL_QUESTION = "For each skill listed for your role, how would you rate your current level?"
TRUST_INTRO = "How much do you agree with each statement about where you work?"

#: Two example rows per sheet (grey, italic): they load without errors and show the formats.
EXAMPLE_ROWS: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "people": (
        {
            "person_id": "P001",
            "name": "Zoë Müller",
            "team": "Leadership team",
            "department": "Executive",
            "role": "Chief executive",
            "level": 1,
            "manager_id": "",
            "location": "London",
            "tenure_years": 6.5,
            "responded": "yes",
        },
        {
            "person_id": "P002",
            "name": "José Álvarez",
            "team": "Platform",
            "department": "Engineering",
            "role": "Software engineer",
            "level": 2,
            "manager_id": "P001",
            "location": "Lisbon",
            "tenure_years": 2,
            "responded": "yes",
        },
    ),
    "ties": (
        {
            "source_id": "P002",
            "target_id": "P001",
            "relation": "advice",
            "weight": 3,
            "learning_type": "IOL",
            "mode": "flow",
            "topic": "Cloud infrastructure",
            "wave": "2026-Q1",
        },
        {
            "source_id": "P001",
            "target_id": "P002",
            "relation": "collaboration",
            "weight": 1,
            "learning_type": "GDL",
            "mode": "flow",
            "topic": "",
            "wave": "2026-Q1",
        },
    ),
    "learning": (
        {
            "person_id": "P001",
            "IOL": 6,
            "GDL": 3,
            "PDL": 5,
            "ASL": 2,
            "FSL": 1,
            "wave": "2026-Q1",
            "wording": LEARNING_WORDING,
        },
        {
            "person_id": "P002",
            "IOL": 8,
            "GDL": 4,
            "PDL": 6,
            "ASL": 3,
            "FSL": 4,
            "wave": "2026-Q1",
            "wording": LEARNING_WORDING,
        },
    ),
    "interactions": (
        {
            "timestamp": datetime(2026, 1, 12, 9, 30),
            "source_id": "P002",
            "channel": "chat",
            "target_id": "P001",
            "kind": "post",
            "topic": "Release plan",
        },
        {
            "timestamp": datetime(2026, 1, 13, 14, 5),
            "source_id": "P001",
            "channel": "wiki",
            "target_id": "",
            "kind": "edit",
            "topic": "Onboarding checklist",
        },
    ),
    "trust": (
        {
            "person_id": "P001",
            "wave": "2026-Q1",
            **{
                i.item: v
                for i, v in zip(TRUST_ITEM_BANK, (4, 4, 2, 5, 4, 2, 3, 4, 3, 4, 4, 2, 3, 3, 3), strict=True)
            },
        },
        {
            "person_id": "P002",
            "wave": "2026-Q1",
            **{
                i.item: v
                for i, v in zip(TRUST_ITEM_BANK, (3, 4, 3, 4, 3, 3, 4, 4, 2, 4, 5, 2, 2, 3, 4), strict=True)
            },
        },
    ),
    "trust_items": (
        {
            "item": "ps1",
            "dimension": "trust",
            "reverse": "no",
            "wording": "I can raise a problem in my team without fear of blame.",
        },
        {
            "item": "ks4",
            "dimension": "knowledge_sharing",
            "reverse": "no",
            "wording": "I can find out what others in the organisation know when I need it.",
        },
    ),
    "work": (
        {
            "person_id": "P001",
            "simple": 0.05,
            "complicated": 0.25,
            "complex": 0.6,
            "chaotic": 0.1,
            "wave": "2026-Q1",
        },
        {
            "person_id": "P002",
            "simple": 0.2,
            "complicated": 0.45,
            "complex": 0.3,
            "chaotic": 0.05,
            "wave": "2026-Q1",
        },
    ),
    "skills": (
        {"person_id": "P002", "skill": "Python", "level": 3, "source": "self", "wave": "2026-Q1"},
        {
            "person_id": "P002",
            "skill": "Cloud infrastructure",
            "level": 2,
            "source": "manager",
            "wave": "2026-Q1",
        },
    ),
    "role_skills": (
        {"role": "Software engineer", "skill": "Python", "required_level": 3},
        {"role": "Software engineer", "skill": "Cloud infrastructure", "required_level": 3},
    ),
}


def template_columns(sheet: Sheet) -> list[str]:
    """The headers the template shows for ``sheet``: the schema's columns, learning in wide form,
    trust with one column per item of the built-in bank (after person_id and wave)."""
    if sheet.name == "trust":
        return [c.name for c in sheet.columns] + [i.item for i in TRUST_ITEM_BANK]
    if sheet.name == "learning":
        return [c.name for c in sheet.columns if c.name not in LEARNING_LONG_COLUMNS]
    return [c.name for c in sheet.columns]


# --- the survey questions -------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyQuestion:
    section: str
    code: str
    question: str
    answer: str
    goes_to: str  # sheet.column the answer fills


def _likert_answer() -> str:
    return "; ".join(f"{k} = {v}" for k, v in LIKERT_LABELS.items())


def survey_questions() -> list[SurveyQuestion]:
    """Every question of the survey kit, in the order a survey would ask them."""
    qs: list[SurveyQuestion] = [
        SurveyQuestion(
            "About you",
            "person_id",
            "Your employee id (or work e-mail), as on the roster.",
            "Text (or prefilled by the survey tool)",
            "every sheet: person_id",
        ),
    ]
    for relation in STANDARD_RELATIONS:
        qs.append(
            SurveyQuestion(
                "Your network",
                relation,
                NAME_GENERATOR_QUESTIONS[relation],
                NAME_GENERATOR_ANSWER,
                f"ties: source_id = you, target_id = each name, relation = {relation}",
            )
        )
    qs.append(
        SurveyQuestion("Your network", "weight", TIE_WEIGHT_QUESTION, "1, 2 or 3 per name", "ties.weight")
    )
    for code in LEARNING_TYPE_CODES:
        asl = code == "ASL"
        qs.append(
            SurveyQuestion(
                "How you learn",
                code,
                f"{LEARNING_TYPES[code]} {ASL_QUESTION if asl else LEARNING_HOURS_QUESTION}",
                "Times (a number, 0 or more; the mix counts each as one hour), and where the last one "
                "came from (free text, not loaded)"
                if asl
                else "Hours (a number, 0 or more)",
                f"learning.{code}",
            )
        )
    for item in TRUST_ITEM_BANK:
        dimension = WIREARCHY_DIMENSIONS[item.dimension].split(":")[0]
        note = " (reverse-coded: agreeing means less of it)" if item.reverse else ""
        qs.append(
            SurveyQuestion(
                f"Trust and wirearchy: {dimension}{note}",
                item.item,
                f"{TRUST_INTRO} {item.wording}",
                _likert_answer(),
                f"trust.{item.item}",
            )
        )
    for kind in WORK_KINDS:
        qs.append(
            SurveyQuestion(
                "Your work",
                kind,
                f"{WORK_QUESTION} {WORK_KIND_WORDING[kind]}",
                "Share (0–1) or percent",
                f"work.{kind}",
            )
        )
    anchors = "; ".join(f"{k} = {v}" for k, v in SKILL_LEVEL_ANCHORS.items())
    qs.append(
        SurveyQuestion(
            "Your skills", "level", SKILL_QUESTION, anchors, "skills: person_id, skill, level, source = self"
        )
    )
    return qs


#: How to set up each survey tool for the kit, and how to export its answers so that the Data page
#: (or ``python -m lib.cli survey``) reads them as they come: tool → (step, what to do).
SURVEY_TOOL_SETUP: dict[str, tuple[tuple[str, str], ...]] = {
    "Microsoft Forms": (
        (
            "Question types",
            "Name questions: Choice with 'Multiple answers' on; paste the name_list sheet's labels as the "
            "options (paste into the first option: Forms adds one option per line). Hours and shares: Text with "
            "the 'Number' restriction. Trust: Likert, the five labels as columns and the fifteen statements as "
            "rows. Skills: Likert with the skills as rows (0–5 or the level labels).",
        ),
        (
            "Who answered",
            "Settings → 'Only people in my organization can respond' with 'Record name': the export then has "
            "the Email and Name columns, matched to the roster's email and name.",
        ),
        ("Export", "Responses → 'Open in Excel': upload the .xlsx as it downloads."),
    ),
    "Google Forms": (
        (
            "Question types",
            "Name questions: Checkboxes; paste the name_list labels (one per line: Forms adds one option each). "
            "Trust: Multiple choice grid, the statements as rows and the five labels as columns. Hours and "
            "shares: Short answer with 'Number' validation. Skills: a grid with the skills as rows.",
        ),
        (
            "Who answered",
            "Settings → Responses → 'Collect email addresses' (Verified): the Email Address column is matched to "
            "the roster's email. Or ask the kit's employee-id question.",
        ),
        (
            "Export",
            "Responses → ⋮ → 'Download responses (.csv)', or the linked sheet's File → Download → CSV. A person "
            "who answers twice: the later answer counts.",
        ),
    ),
    "Qualtrics": (
        (
            "Question types",
            "Name questions: Multiple choice with 'Allow multiple answers'; paste the name_list labels with "
            "'Bulk add choices' and keep the recode values in list order. Set each question's export tag to the "
            "kit's code (advice, IOL, ks1…). Trust: Matrix table (Likert, single answer) with the statements. "
            "Hours and shares: Text entry with number validation. Skills: a matrix table.",
        ),
        (
            "Who answered",
            "Distribute to a contact list whose External Data Reference holds the employee id (the export's "
            "ExternalReference column); the recipient e-mail is the fallback.",
        ),
        (
            "Export",
            "Data & Analysis → Export & Import → Export data → CSV, with 'Use choice text' or 'Use numeric "
            "values'; keep the three header rows. Unfinished responses are kept for what was answered (a "
            "setting on the Data page).",
        ),
    ),
    "SurveyMonkey": (
        (
            "Question types",
            "Name questions: Checkboxes; paste the name_list labels with 'Add answers in bulk'. Trust: Matrix / "
            "Rating Scale with the five labels. Hours and shares: Single Textbox with numeric validation. Skills: "
            "a matrix with the skills as rows.",
        ),
        (
            "Who answered",
            "An email invitation collector (the Email Address column), or a web link carrying the employee id "
            "as a custom variable (the Custom Data 1 column).",
        ),
        (
            "Export",
            "Analyze results → Save as → Export file → All responses data, as XLS or CSV, expanded or condensed: "
            "upload it unchanged (both header rows).",
        ),
    ),
}


# --- validations ------------------------------------------------------------------------------


def _enum_values(column: Column) -> list[str]:
    if set(column.choices) == {c.lower() for c in LEARNING_TYPE_CODES}:
        return list(LEARNING_TYPE_CODES)
    return list(column.choices)


def _validation(sheet: Sheet, name: str) -> dict[str, Any] | None:
    """The Excel data validation for a template column, derived from its schema spec."""
    if sheet.name == "trust" and name not in {c.name for c in sheet.columns}:
        return {
            "validate": "list",
            "source": [str(k) for k in LIKERT_LABELS],
            "input_title": "Likert 1–5",
            "input_message": _likert_answer()[:255],
        }
    if sheet.name == "interactions" and name == "channel":
        return {
            "validate": "list",
            "source": sorted(CHANNEL_MODES),
            "error_type": "information",
            "input_title": "Channel",
            "input_message": "A known channel, or type your own.",
        }
    if sheet.name in {"skills", "role_skills"} and name in {"level", "required_level"}:
        return {
            "validate": "list",
            "source": [str(k) for k in SKILL_LEVEL_ANCHORS],
            "error_type": "warning",
            "input_title": "Level 0–5",
            "input_message": "; ".join(f"{k} = {v}" for k, v in SKILL_LEVEL_ANCHORS.items())[:255],
        }
    column = sheet.column(name)
    message = column.description[:255]
    if column.kind == "enum" and column.choices:
        return {
            "validate": "list",
            "source": _enum_values(column),
            "error_type": "information" if column.open_enum else "stop",
            "input_title": column.name[:32],
            "input_message": message or "Pick from the list.",
        }
    if column.kind == "bool":
        return {
            "validate": "list",
            "source": ["yes", "no"],
            "input_title": column.name[:32],
            "input_message": message or "yes or no",
        }
    if column.kind in {"integer", "number"} and column.minimum is not None:
        kind = "integer" if column.kind == "integer" else "decimal"
        if column.maximum is not None:
            rule: dict[str, Any] = {
                "criteria": "between",
                "minimum": column.minimum,
                "maximum": column.maximum,
            }
        elif column.exclusive_minimum:
            rule = {"criteria": ">", "value": column.minimum}
        else:
            rule = {"criteria": ">=", "value": column.minimum}
        return {
            "validate": kind,
            **rule,
            "input_title": column.name[:32],
            "input_message": message,
            "error_title": "Out of range",
            "error_message": message or "Out of range.",
        }
    return None


# --- the workbook ------------------------------------------------------------------------------


def _instructions(ws: Worksheet, fmt: dict[str, Any]) -> None:
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 3, 70)
    lines = [
        ("Social learning dashboard: data template", fmt["title"]),
        (
            "Fill in the sheets you have, save as .xlsx and upload it on the Data page. Only 'people' is required; "
            "every other sheet is optional and unlocks its part of the dashboard.",
            fmt["wrap"],
        ),
        (
            "Delete the two grey example rows on each sheet before you add your own data. Sheet and column "
            "names may be written in any case, with spaces or dashes; common alternatives are accepted "
            "(listed below). Dropdowns show the expected values; custom relations and channels are allowed.",
            fmt["wrap"],
        ),
        (
            "Ids must match across sheets: every person_id, source_id, target_id and manager_id is a person_id "
            "of the people sheet. Learning can also be given in long form (person_id, learning_type, hours).",
            fmt["wrap"],
        ),
        (
            "Privacy: groups smaller than the minimum group size (5 by default) are never shown in aggregate "
            "views. The survey_questions sheet holds the wording to paste into your survey tool, "
            "survey_tools how to set up Microsoft Forms, Google Forms, Qualtrics or SurveyMonkey, and "
            "name_list (when made from your roster) the names to paste as choices.",
            fmt["wrap"],
        ),
    ]
    ws.write_string(0, 0, lines[0][0], lines[0][1])
    for r, (text, f) in enumerate(lines[1:], start=1):
        ws.merge_range(r, 0, r, 3, text, f)
        ws.set_row(r, 45)
    row = len(lines) + 1
    for c, head in enumerate(
        ("Sheet", "Required", "What it holds", "Columns (* = required; other accepted names)")
    ):
        ws.write_string(row, c, head, fmt["header"])
    for sheet in SHEETS:
        row += 1
        shown = template_columns(sheet)
        cols = []
        for name in shown:
            spec = next((c for c in sheet.columns if c.name == name), None)
            star = "*" if spec is not None and spec.required else ""
            aka = f" (also: {', '.join(spec.aliases)})" if spec is not None and spec.aliases else ""
            cols.append(f"{name}{star}{aka}")
        aliases = f" Also accepted as a sheet name: {', '.join(sheet.aliases)}." if sheet.aliases else ""
        ws.write_string(row, 0, sheet.name, fmt["bold"])
        ws.write_string(row, 1, "yes" if sheet.required else "no", fmt["wrap"])
        ws.write_string(row, 2, sheet.description + aliases, fmt["wrap"])
        ws.write_string(row, 3, "; ".join(cols), fmt["wrap"])
    row += 2
    ws.write_string(row, 0, "Values", fmt["header"])
    ws.merge_range(row, 1, row, 3, "", fmt["header"])
    enumerations = [
        ("relation", ", ".join(STANDARD_RELATIONS) + ", or your own name"),
        ("learning_type", "; ".join(f"{k} = {v}" for k, v in LEARNING_TYPES.items())),
        ("trust items", _likert_answer()),
        ("wirearchy dimensions", "; ".join(WIREARCHY_DIMENSIONS.values())),
        ("work kinds", "; ".join(WORK_KIND_WORDING[k] for k in WORK_KINDS)),
        ("skill levels", "; ".join(f"{k} = {v}" for k, v in SKILL_LEVEL_ANCHORS.items())),
        ("channels", "; ".join(f"{k} ({v})" for k, v in CHANNEL_MODES.items())),
    ]
    for name, text in enumerations:
        row += 1
        ws.write_string(row, 0, name, fmt["bold"])
        ws.merge_range(row, 1, row, 3, text, fmt["wrap"])
        ws.set_row(row, 15 * (1 + len(text) // 120))


def _data_sheet(ws: Worksheet, sheet: Sheet, fmt: dict[str, Any]) -> None:
    columns = template_columns(sheet)
    specs = {c.name: c for c in sheet.columns}
    for j, name in enumerate(columns):
        spec = specs.get(name)
        ws.write_string(
            0, j, name, fmt["header_required"] if spec is not None and spec.required else fmt["header"]
        )
        note = (
            spec.description
            if spec is not None
            else next(
                (
                    f"{i.wording} ({i.dimension}{', reverse-coded' if i.reverse else ''})"
                    for i in TRUST_ITEM_BANK
                    if i.item == name
                ),
                "",
            )
        )
        if note:
            ws.write_comment(0, j, note, {"x_scale": 2})
        width = max(len(name) + 4, 12)
        if name in {"name", "topic", "wording", "team", "role", "department", "skill"}:
            width = 26
        if name == "timestamp":
            width = 18
        ws.set_column(j, j, width)
        rule = _validation(sheet, name)
        if rule is not None:
            ws.data_validation(1, j, VALIDATION_ROWS, j, rule)
    for r, example in enumerate(EXAMPLE_ROWS[sheet.name], start=1):
        for j, name in enumerate(columns):
            value = example.get(name, "")
            if isinstance(value, datetime):
                ws.write_datetime(r, j, value, fmt["example_date"])
            elif isinstance(value, bool) or not isinstance(value, int | float):
                if value != "":
                    ws.write_string(r, j, str(value), fmt["example"])
            else:
                ws.write_number(r, j, value, fmt["example"])
    ws.freeze_panes(1, 0)


def _survey_sheet(ws: Worksheet, fmt: dict[str, Any]) -> None:
    heads = ("Section", "Code", "Question", "Answer format", "Goes to (sheet: column)")
    widths = (28, 14, 90, 60, 48)
    for j, (head, width) in enumerate(zip(heads, widths, strict=True)):
        ws.write_string(0, j, head, fmt["header"])
        ws.set_column(j, j, width, fmt["wrap"])
    for r, q in enumerate(survey_questions(), start=1):
        for j, value in enumerate((q.section, q.code, q.question, q.answer, q.goes_to)):
            ws.write_string(r, j, value, fmt["wrap"])
    ws.freeze_panes(1, 0)


def _tools_sheet(ws: Worksheet, fmt: dict[str, Any]) -> None:
    for j, (head, width) in enumerate(zip(("Survey tool", "Step", "How"), (20, 16, 120), strict=True)):
        ws.write_string(0, j, head, fmt["header"])
        ws.set_column(j, j, width, fmt["wrap"])
    row = 0
    for tool, steps in SURVEY_TOOL_SETUP.items():
        for step, text in steps:
            row += 1
            for j, value in enumerate((tool, step, text)):
                ws.write_string(row, j, value, fmt["wrap"])
    ws.freeze_panes(1, 0)


def _name_list_sheet(ws: Worksheet, labels: Sequence[str], fmt: dict[str, Any]) -> None:
    """One label per line, to paste as a name question's choices (no ids, no e-mails)."""
    ws.write_string(0, 0, "label", fmt["header"])
    ws.set_column(0, 0, 40)
    for r, label in enumerate(labels, start=1):
        ws.write_string(r, 0, str(neutralise_formula(label)))
    ws.freeze_panes(1, 0)


def template_bytes(name_list: Sequence[str] | None = None) -> bytes:
    """The template workbook (.xlsx bytes): instructions, one sheet per schema sheet,
    survey_questions, survey_tools (how to set up each survey tool) and, given the roster's name
    list (:func:`lib.intake.survey.people.name_list`), the name_list sheet."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        dict(XLSX_OPTIONS),
    )
    wb.set_properties({"created": datetime(2026, 1, 1), "title": "Social learning dashboard: data template"})
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 16, "font_color": "#1f6f78"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "bold": wb.add_format({"bold": True, "valign": "top"}),
        "header": wb.add_format({"bold": True, "bg_color": "#d9ecee", "bottom": 1, "valign": "top"}),
        "header_required": wb.add_format({"bold": True, "bg_color": "#9fd0d5", "bottom": 1, "valign": "top"}),
        "example": wb.add_format({"italic": True, "font_color": "#808080"}),
        "example_date": wb.add_format(
            {"italic": True, "font_color": "#808080", "num_format": "yyyy-mm-dd hh:mm"}
        ),
    }
    _instructions(wb.add_worksheet(INSTRUCTIONS), fmt)
    for sheet in SHEETS:
        _data_sheet(wb.add_worksheet(sheet.name), sheet, fmt)
    _survey_sheet(wb.add_worksheet(SURVEY), fmt)
    _tools_sheet(wb.add_worksheet(TOOLS_SHEET), fmt)
    if name_list is not None:
        _name_list_sheet(wb.add_worksheet(NAME_LIST), name_list, fmt)
    wb.close()
    return buffer.getvalue()
