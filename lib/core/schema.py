"""The data contract: every sheet, column, alias and enumeration, as data.

The loader, the template, the validation messages and the README all read these tables; there is
no second copy. Names match case-insensitively, ignoring spaces, dashes and underscores
(``Person ID`` = ``person-id`` = ``PERSON_ID``), see :func:`normalise_name`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["id", "text", "number", "integer", "bool", "date", "enum"]


def normalise_name(name: object) -> str:
    """Canonical form of a sheet or column name: lower case, no spaces, dashes or underscores."""
    return re.sub(r"[\s\-_]+", "", str(name)).lower()


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    required: bool = False
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()  # for kind="enum": canonical lower-case values
    open_enum: bool = False  # other values allowed (e.g. custom relations)
    description: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = False
    aliases: tuple[str, ...] = ()
    # What to do with columns not listed: "attribute" (people: custom attributes),
    # "item" (trust: Likert items), "learning_type" (learning, wide form), "ignore" (with a note)
    extra_columns: Literal["attribute", "item", "ignore"] = "ignore"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


# --- enumerations -------------------------------------------------------------------------

#: Words that stand for "no value" in an id column, compared case-insensitively after trimming:
#: what databases, pandas, R and spreadsheets write for a missing value. An id cell holding one
#: is read as blank, with a finding (an error where the id is required, else a warning): no
#: one is called NULL, and a manager_id of N/A means "no manager", not a person named N/A.
MISSING_VALUE_WORDS: tuple[str, ...] = ("none", "null", "nil", "nan", "na", "n/a", "<na>")

STANDARD_RELATIONS: tuple[str, ...] = ("advice", "information", "collaboration", "trust", "energy")

#: Jane Hart's five types of workplace learning, in the framework's order, in the framework's words
#: (Hart, "The 5 types of workplace learning", Centre for Learning & Performance Technologies).
LEARNING_TYPES: dict[str, str] = {
    "IOL": "Intra-organisational learning: keeping the organization up to date and up to speed on "
    "strategic and other internal initiatives and activities: internal communication, briefings, "
    "town halls, intranet news.",
    "GDL": "Group-directed learning: learning with others in a team or group: project teams, "
    "communities of practice and peer groups, even two people working together in a coaching and "
    "mentoring capacity.",
    "PDL": "Personal-directed learning: learning you organise yourself: searching the web, "
    "reading, following experts, podcasts and courses you chose.",
    "ASL": "Accidental and serendipitous learning: learning that happens without consciously "
    "realizing it, from chance conversations, mistakes, news and what you stumble upon.",
    "FSL": "Formal structured learning: courses, programmes and e-learning organised by the "
    "organisation (the classic training catalogue).",
}
#: When the survey kit's learning questions took the framework's wording (IOL as internal updates and
#: briefings, GDL including coaching pairs, ASL asked as occasions). Waves collected before used the
#: kit's earlier wording (IOL as "learning from colleagues … asking, sharing, working out loud",
#: ASL as hours), so comparisons across that date compare different questions.
LEARNING_WORDING_SINCE = "2026-12-06"
#: The wordings of the kit's learning questions, as the learning sheet's ``wording`` column names
#: them (written by the template and the survey converter): code → what the questions asked.
LEARNING_WORDINGS: dict[str, str] = {
    "hart": "Jane Hart's wording (the kit since "
    + LEARNING_WORDING_SINCE
    + "): IOL as internal updates and briefings, GDL including coaching pairs, ASL asked as occasions",
    "earlier": "the kit's earlier wording: IOL as learning from colleagues (asking, sharing, working out loud), "
    "ASL as hours",
}
#: The wording the kit asks today: what the template and the survey converter write.
LEARNING_WORDING = "hart"
LEARNING_TYPE_CODES: tuple[str, ...] = tuple(LEARNING_TYPES)

MODES: tuple[str, ...] = ("stock", "flow")
WORK_KINDS: tuple[str, ...] = ("simple", "complicated", "complex", "chaotic")
SKILL_SOURCES: tuple[str, ...] = ("self", "peer", "manager")

#: Channel → stock (archived knowledge) or flow (conversation). Overridable per dataset/workspace.
CHANNEL_MODES: dict[str, str] = {
    "wiki": "stock",
    "document": "stock",
    "documents": "stock",
    "docs": "stock",
    "repository": "stock",
    "repo": "stock",
    "intranet": "stock",
    "sharepoint": "stock",
    "knowledge base": "stock",
    "lms": "stock",
    "blog": "stock",
    "chat": "flow",
    "slack": "flow",
    "teams": "flow",
    "meeting": "flow",
    "call": "flow",
    "email": "flow",
    "microblog": "flow",
    "yammer": "flow",
    "forum": "flow",
    "video call": "flow",
}

INTERACTION_KINDS: tuple[str, ...] = ("post", "reply", "mention", "edit", "view", "message", "comment")

# --- the trust item bank --------------------------------------------------------------------

WIREARCHY_DIMENSIONS: dict[str, str] = {
    "knowledge_sharing": "Knowledge sharing: people share what they know openly and early.",
    "trust": "Trust: people rely on each other's good intent and competence.",
    "credibility": "Credibility: authority comes from demonstrated knowledge and results.",
    "results_focus": "Focus on results: work is organised around outcomes, not procedures.",
    "two_way_flow": "Two-way flow of authority: influence and decisions move up and across, not only down.",
}


@dataclass(frozen=True)
class TrustItem:
    item: str
    dimension: str
    wording: str
    reverse: bool = False


#: Three items per wirearchy dimension, one reverse-coded each (1 = strongly disagree … 5 = strongly agree).
TRUST_ITEM_BANK: tuple[TrustItem, ...] = (
    TrustItem("ks1", "knowledge_sharing", "People in my team share what they know without being asked."),
    TrustItem(
        "ks2", "knowledge_sharing", "When I learn something useful at work, I have an easy way to pass it on."
    ),
    TrustItem("ks3", "knowledge_sharing", "People here keep useful knowledge to themselves.", reverse=True),
    TrustItem("tr1", "trust", "I can rely on my colleagues to do what they say they will do."),
    TrustItem("tr2", "trust", "I feel safe admitting a mistake to my colleagues."),
    TrustItem("tr3", "trust", "I need to check my colleagues' work before I can rely on it.", reverse=True),
    TrustItem(
        "cr1", "credibility", "People listen to whoever knows most about a problem, whatever their title."
    ),
    TrustItem("cr2", "credibility", "The people I go to for advice have earned it through their work."),
    TrustItem(
        "cr3",
        "credibility",
        "Job titles matter more than expertise when decisions are made here.",
        reverse=True,
    ),
    TrustItem("rf1", "results_focus", "We judge our work by its results for the people it serves."),
    TrustItem("rf2", "results_focus", "I can change how I work when it gets a better result."),
    TrustItem(
        "rf3", "results_focus", "Following the procedure matters more here than the outcome.", reverse=True
    ),
    TrustItem("tw1", "two_way_flow", "My manager changes course when the team shows a better way."),
    TrustItem("tw2", "two_way_flow", "Ideas from any level can reach the people who decide."),
    TrustItem(
        "tw3",
        "two_way_flow",
        "Decisions are handed down without asking the people who do the work.",
        reverse=True,
    ),
)

LIKERT_LABELS: dict[int, str] = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}

# --- the sheets ---------------------------------------------------------------------------

_WAVE = Column("wave", "text", aliases=("round", "period"), description="Survey wave, e.g. 2026-Q1.")
_PERSON = Column(
    "person_id",
    "id",
    required=True,
    aliases=("employee_id", "employee", "id", "email", "person", "respondent", "respondent_id", "staff_id"),
    description="The person's id; must match an id in the people sheet.",
)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "people",
        "One row per person in scope (the roster).",
        (
            _PERSON,
            Column(
                "name",
                "text",
                aliases=("full_name", "display_name"),
                description="Display name (shown only in the named view).",
            ),
            Column("team", "text", aliases=("team_name", "unit"), description="Working team."),
            Column("department", "text", aliases=("dept", "division", "function"), description="Department."),
            Column(
                "role",
                "text",
                aliases=("job", "job_title", "title", "position"),
                description="Role; links to role_skills.",
            ),
            Column(
                "level",
                "integer",
                minimum=1,
                maximum=20,
                aliases=("grade", "seniority", "hierarchy_level"),
                description="Hierarchy level, 1 = most senior.",
            ),
            Column(
                "manager_id",
                "id",
                aliases=("manager", "reports_to", "supervisor_id", "line_manager"),
                description="person_id of the line manager; blank for the top.",
            ),
            Column("location", "text", aliases=("site", "office", "city"), description="Location."),
            Column(
                "tenure_years",
                "number",
                minimum=0,
                maximum=80,
                aliases=("tenure",),
                description="Years in the organisation.",
            ),
            Column(
                "responded",
                "bool",
                aliases=("respondent_flag", "took_survey"),
                description="Took the survey (yes/no).",
            ),
        ),
        required=True,
        aliases=("employees", "roster", "staff", "persons", "nodes"),
        extra_columns="attribute",
    ),
    Sheet(
        "ties",
        "One row per directed tie: source goes to target for <relation>.",
        (
            Column(
                "source_id",
                "id",
                required=True,
                aliases=("source", "from", "from_id", "ego", "sender"),
                description="Who seeks/names.",
            ),
            Column(
                "target_id",
                "id",
                required=True,
                aliases=("target", "to", "to_id", "alter", "receiver"),
                description="Who is sought/named.",
            ),
            Column(
                "relation",
                "enum",
                required=True,
                choices=STANDARD_RELATIONS,
                open_enum=True,
                aliases=("type", "tie_type", "network"),
                description="advice, information, collaboration, trust, energy, or a custom name.",
            ),
            Column(
                "weight",
                "number",
                minimum=0,
                exclusive_minimum=True,
                aliases=("strength", "frequency"),
                description="Tie strength > 0 (default 1).",
            ),
            Column(
                "learning_type",
                "enum",
                choices=tuple(c.lower() for c in LEARNING_TYPE_CODES),
                description="IOL/GDL/PDL/ASL/FSL.",
            ),
            Column("mode", "enum", choices=MODES, description="stock or flow."),
            Column(
                "topic", "text", aliases=("skill", "subject"), description="Topic or skill the tie is about."
            ),
            _WAVE,
        ),
        aliases=("edges", "network", "links", "relations"),
    ),
    Sheet(
        "learning",
        "Learning hours (or shares) per person, wide (one column per type) or long (learning_type, hours).",
        (
            _PERSON,
            *(
                Column(code, "number", minimum=0, description=LEARNING_TYPES[code])
                for code in LEARNING_TYPE_CODES
            ),
            Column(
                "learning_type",
                "enum",
                choices=tuple(c.lower() for c in LEARNING_TYPE_CODES),
                aliases=("type",),
                description="Long form: the learning type.",
            ),
            Column(
                "hours", "number", minimum=0, aliases=("time", "duration"), description="Long form: hours."
            ),
            Column("activity", "text", description="Long form: what the activity was."),
            Column("channel", "text", description="Long form: where it happened."),
            Column("date", "date", description="Long form: when."),
            _WAVE,
            Column(
                "wording",
                "enum",
                choices=tuple(LEARNING_WORDINGS),
                aliases=("kit_version", "question_wording"),
                description="Which wording of the learning questions the wave used: "
                + "; ".join(f"{k} = {v}" for k, v in LEARNING_WORDINGS.items())
                + f". Blank: read from the wave label (a date before {LEARNING_WORDING_SINCE} = earlier).",
            ),
        ),
        aliases=("learning_mix", "learning_hours"),
    ),
    Sheet(
        "interactions",
        "A passive collaboration log: one row per event (chat, email, meeting, wiki, document).",
        (
            Column(
                "timestamp",
                "date",
                required=True,
                aliases=("time", "date", "datetime", "when"),
                description="When the event happened.",
            ),
            Column(
                "source_id",
                "id",
                required=True,
                aliases=("source", "from", "author", "sender", "person_id"),
                description="Who acted.",
            ),
            Column(
                "channel",
                "text",
                required=True,
                aliases=("tool", "medium", "platform"),
                description="wiki, document, chat, meeting, email, …",
            ),
            Column(
                "target_id",
                "id",
                aliases=("target", "to", "recipient"),
                description="Who it was addressed to; blank = broadcast.",
            ),
            Column(
                "kind",
                "enum",
                choices=INTERACTION_KINDS,
                open_enum=True,
                aliases=("action", "event", "event_type"),
                description="post, reply, mention, edit, view, …",
            ),
            Column(
                "topic",
                "text",
                aliases=("subject", "document", "page", "thread"),
                description="Topic, page or thread.",
            ),
        ),
        aliases=("events", "collaboration", "activity_log", "log"),
    ),
    Sheet(
        "trust",
        "Likert answers (1–5) per person; item columns from the built-in bank or mapped in trust_items.",
        (_PERSON, _WAVE),
        aliases=("trust_survey", "wirearchy", "survey"),
        extra_columns="item",
    ),
    Sheet(
        "trust_items",
        "Maps custom trust items to a wirearchy dimension.",
        (
            Column("item", "text", required=True, aliases=("question", "column")),
            Column("dimension", "enum", required=True, choices=tuple(WIREARCHY_DIMENSIONS), open_enum=True),
            Column("reverse", "bool", aliases=("reversed", "reverse_coded")),
            Column("wording", "text", aliases=("text", "question_text")),
        ),
        aliases=("items", "trust_item_bank"),
    ),
    Sheet(
        "work",
        "Share of each person's work that is simple, complicated, complex or chaotic (Cynefin).",
        (
            _PERSON,
            *(Column(k, "number", minimum=0) for k in WORK_KINDS),
            _WAVE,
        ),
        aliases=("work_complexity", "complexity"),
    ),
    Sheet(
        "skills",
        "Current skill levels (0–5) per person and skill.",
        (
            _PERSON,
            Column("skill", "text", required=True, aliases=("competency", "competence")),
            Column(
                "level",
                "number",
                required=True,
                minimum=0,
                maximum=5,
                aliases=("current_level", "rating", "score"),
            ),
            Column("source", "enum", choices=SKILL_SOURCES, aliases=("rater",)),
            _WAVE,
        ),
        aliases=("skill_levels", "competencies"),
    ),
    Sheet(
        "role_skills",
        "Required skill levels (0–5) per role.",
        (
            Column("role", "text", required=True, aliases=("job", "job_title", "position")),
            Column("skill", "text", required=True, aliases=("competency",)),
            Column(
                "required_level",
                "number",
                required=True,
                minimum=0,
                maximum=5,
                aliases=("required", "target_level", "level"),
            ),
        ),
        aliases=("requirements", "role_requirements"),
    ),
)

SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}


def sheet_for(name: str) -> Sheet | None:
    """The sheet spec a (user-written) sheet or file name stands for, or None."""
    key = normalise_name(name)
    for sheet in SHEETS:
        if key == normalise_name(sheet.name) or key in {normalise_name(a) for a in sheet.aliases}:
            return sheet
    return None


def column_for(sheet: Sheet, header: str) -> Column | None:
    """The column spec a (user-written) header stands for, or None."""
    return _columns_by_key(sheet).get(normalise_name(header))


#: :func:`_columns_by_key`'s tables, by the sheet spec's ``id`` (with the spec, which keeps the id
#: from being reused): hashing a frozen spec would hash every column on every call.
_COLUMN_KEYS: dict[int, tuple[Sheet, dict[str, Column]]] = {}


def _columns_by_key(sheet: Sheet) -> dict[str, Column]:
    """``sheet``'s columns by the normalised form of their names and aliases (the first column
    listed wins a name two share), built once per sheet spec: the loader asks for every cell of a
    sheet's first rows while it looks for the header."""
    known = _COLUMN_KEYS.get(id(sheet))
    if known is not None and known[0] is sheet:
        return known[1]
    keys: dict[str, Column] = {}
    for col in sheet.columns:
        for name in (col.name, *col.aliases):
            keys.setdefault(normalise_name(name), col)
    _COLUMN_KEYS[id(sheet)] = (sheet, keys)
    return keys


@dataclass(frozen=True)
class Limits:
    """Checked before a file is parsed, so a pathological upload fails alone."""

    max_upload_bytes: int = 200 * 1024 * 1024
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_rows: int = 10_000_000
    max_columns: int = 500
    parse_memory_bytes: int = 4 * 1024 * 1024 * 1024
    parse_seconds: int = 600
    extra: dict[str, int] = field(default_factory=dict)


DEFAULT_LIMITS = Limits()

#: The advice relation: "who do you go to for advice" (the relation most measures default to).
ADVICE = "advice"


#: Summaries ``python -m lib.cli ingest`` writes next to the contract tables (a file of each name
#: in a zip or folder): the per-channel volume of the logs (stocks and flows) and collaboration
#: hours per person and period. Not survey sheets: not in the template, not stored in workspaces.
LOG_SUMMARY_COLUMNS: dict[str, list[str]] = {
    "channels": ["channel", "mode", "period", "events", "interactions", "broadcasts", "people"],
    "collaboration_hours": ["person_id", "period", "hours"],
}
