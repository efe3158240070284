"""What a table column is called where a person reads it, and how precisely its numbers are shown.

One table (:data:`COLUMNS`): the column's name in the analysis tables (``total_gap``) → its human
label ("Levels missing") and its :data:`Kind`, which fixes the precision everywhere a person reads
it — the pages (:func:`lib.app.ui.table`) and the Excel workbook (:data:`EXCEL_FORMATS`):

============ ===================================== =========== ===============
kind         what it is                            page        Excel
============ ===================================== =========== ===============
share        a share of 0–1                        ``88%``     ``0%``
mean         a mean or a spread, one decimal       ``3.4``     ``0.0``
index        a 0–100 index or score, whole         ``63``      ``0``
count        people, ties, rows: whole numbers     ``1,204``   ``#,##0``
coefficient  E-I index, Cronbach's alpha: 2 dp     ``-0.41``   ``0.00``
measure      a network measure: 3 significant      ``0.0123``  ``0.000``
change       a signed difference, one decimal      ``+1.5``    ``+0.0;-0.0;0``
date         a day or a month (``2026-03``)        as is       a date cell
text         words                                 as is       text
============ ===================================== =========== ===============

Raw names stay in the CSV and JSON downloads for analysts. A column missing from the table gets
a label made from its name (``people_with_gap`` → "People with gap") and a kind guessed from its
values (:func:`kind_of`), so no code name reaches a reader even for a column added later. The
definitions registry can absorb this table: it is data, keyed by the same names.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from lib.analysis import wirearchy

__all__ = [
    "COLUMNS",
    "EXCEL_FORMATS",
    "SNAKE_CASE",
    "Column",
    "Kind",
    "kind_of",
    "label",
    "labelled",
    "number_text",
]

Kind = Literal["share", "mean", "index", "count", "coefficient", "measure", "change", "date", "text"]


@dataclass(frozen=True)
class Column:
    """A column as a reader sees it: its label and the kind that fixes its precision."""

    label: str
    kind: Kind = "text"


def _c(label: str, kind: Kind = "text") -> Column:
    return Column(label, kind)


#: column name → label and kind. Group and wave names that become columns (a pivot) are data, not
#: code names, and are not listed.
COLUMNS: dict[str, Column] = {
    # people and groups
    "person_id": _c("Person id"),
    "person": _c("Person"),
    "name": _c("Name"),
    "team": _c("Team"),
    "department": _c("Department"),
    "role": _c("Role"),
    "level": _c("Level"),
    "location": _c("Location"),
    "manager_id": _c("Manager id"),
    "tenure_years": _c("Years in the organisation", "mean"),
    "responded": _c("Responded"),
    "group": _c("Group"),
    "people": _c("People", "count"),
    "respondents": _c("Respondents", "count"),
    "members": _c("Members", "count"),
    "n": _c("People", "count"),
    "rows": _c("Rows", "count"),
    "sheet": _c("Sheet"),
    "wave": _c("Wave"),
    "measure": _c("Measure"),
    "value": _c("Value", "measure"),
    "definition": _c("Definition"),
    "label": _c("Name"),
    "source": _c("Source"),
    "note": _c("Note"),
    "reason": _c("Reason"),
    "status": _c("Status"),
    "rank": _c("Rank", "count"),
    "change": _c("Change", "change"),
    "page": _c("Page"),
    "change since previous wave": _c("Change since previous wave", "change"),
    "as shown on the page": _c("As shown on the page"),
    "what it means": _c("What it means"),
    "what the framework suggests": _c("What the framework suggests"),
    "what it is": _c("What it is"),
    "applies to": _c("Applies to"),
    "fires when": _c("Fires when"),
    "strong when": _c("Strong when"),
    "and beyond chance": _c("And beyond chance"),
    "before": _c("Before"),
    "after": _c("After"),
    "table": _c("Table"),
    "finding": _c("Finding"),
    "strength": _c("Strength"),
    "evidence": _c("Evidence"),
    "suggestion": _c("Suggestion"),
    "types": _c("Types"),
    "why": _c("Why"),
    "area": _c("Area"),
    "rule": _c("Rule"),
    # network
    "relation": _c("Relation"),
    "ties": _c("Ties", "count"),
    "ties_before": _c("Ties before", "count"),
    "ties_after": _c("Ties after", "count"),
    "gained": _c("Ties gained", "count"),
    "lost": _c("Ties lost", "count"),
    "graph_correlation": _c("Graph correlation across waves", "coefficient"),
    "qap_p": _c("QAP p-value", "coefficient"),
    "change_p": _c("Change in ties, Holm p", "coefficient"),
    "stated": _c("Stated as a change"),
    "in_degree": _c("Ties in", "count"),
    "out_degree": _c("Ties out", "count"),
    "in_degree_before": _c("Ties in before", "count"),
    "in_degree_after": _c("Ties in after", "count"),
    "weighted_in_degree": _c("Weighted ties in", "measure"),
    "betweenness": _c("Betweenness", "measure"),
    "closeness": _c("Closeness", "measure"),
    "harmonic_closeness": _c("Harmonic closeness", "measure"),
    "pagerank": _c("PageRank", "measure"),
    "eigenvector": _c("Eigenvector centrality", "measure"),
    "constraint": _c("Constraint (Burt)", "measure"),
    "effective_size": _c("Effective size (Burt)", "measure"),
    "community": _c("Community"),
    "network_role": _c("Network role"),
    "internal": _c("Ties inside", "count"),
    "external": _c("Ties outside", "count"),
    "ei": _c("E-I index", "coefficient"),
    "ei_sent": _c("E-I of what the group asks", "coefficient"),
    "ei_before": _c("E-I index before", "coefficient"),
    "ei_after": _c("E-I index after", "coefficient"),
    "ei_change": _c("Change in E-I index", "coefficient"),
    "people_before": _c("People before", "count"),
    "people_after": _c("People after", "count"),
    "sent_external": _c("Ties sent outside", "count"),
    "internal_share": _c("Share asked inside", "share"),
    "internal_share_random": _c("Share inside in a random network", "share"),
    "silo_beyond_chance": _c("More inward than chance"),
    "advice_overload": _c("Most-asked person's load", "mean"),
    "advice_top_in_degree": _c("Colleagues naming the most-asked person", "count"),
    "advice_median_in_degree": _c("Colleagues naming the median person", "count"),
    "advice_top_ratio": _c("Most-asked over median", "mean"),
    "advice_top_ratio_random": _c("Most-asked over median, random network", "mean"),
    "advice_top_share": _c("Share of requests to the top 1%", "share"),
    "advice_top_share_random": _c("Share to the top 1%, random network", "share"),
    "overload_beyond_chance": _c("More concentrated than chance"),
    "key_person_threshold": _c("Reach lost that makes a person key", "share"),
    # the other findings rules' evidence (lib.analysis.findings.RULES: metric, requires, beyond)
    "fsl_share": _c("Formal (FSL) share", "share"),
    "key_people": _c("Key people", "count"),
    "advice_reciprocity": _c("Advice reciprocity", "share"),
    "advice_down_share": _c("Share of advice asked down the hierarchy", "share"),
    "advice_up_share": _c("Share of advice asked up the hierarchy", "share"),
    "advice_down_beyond_chance": _c("Less advice down than chance"),
    "seniority_advice_correlation": _c("Seniority vs being asked (rank correlation)", "coefficient"),
    "seniority_advice_p": _c("Permutation p-value", "measure"),
    "seniority_advice_beyond_chance": _c("Rank matters beyond chance"),
    "weakest_dimension": _c("Weakest wirearchy dimension"),
    "weakest_dimension_mean": _c("Weakest dimension's mean (1–5)", "mean"),
    "single_holder_skills": _c("Skills held by one person or nobody", "count"),
    "thin_skills": _c("Thin skills"),
    "response_rate": _c("Response rate", "share"),
    "score_previous": _c("Score, previous wave", "index"),
    "ei_index": _c("E-I index", "coefficient"),
    "partners": _c("Partners", "count"),
    "sent": _c("Sent", "count"),
    "received": _c("Received", "count"),
    "size": _c("People", "count"),
    "meaning": _c("Meaning"),
    "role_reason": _c("Why this role"),
    "reach_lost": _c("Reachable pairs lost", "count"),
    "reach_lost_share": _c("Share of reachable pairs lost", "share"),
    "connectedness_after": _c("Connectedness after", "share"),
    "connectedness_before": _c("Connectedness before", "share"),
    "components_added": _c("Extra fragments", "count"),
    "groups_split": _c("Groups split apart"),
    "groups": _c("Groups"),
    "cut_off": _c("People cut off"),
    "in_strength": _c("Weight of ties in", "measure"),
    "out_strength": _c("Weight of ties out", "measure"),
    "coreness": _c("Coreness", "count"),
    "brokerage_coordinator": _c("Brokerage: coordinator", "count"),
    "brokerage_gatekeeper": _c("Brokerage: gatekeeper", "count"),
    "brokerage_representative": _c("Brokerage: representative", "count"),
    "brokerage_consultant": _c("Brokerage: consultant", "count"),
    "brokerage_liaison": _c("Brokerage: liaison", "count"),
    "brokerage_total": _c("Brokerage: total", "count"),
    "mean_in_degree": _c("Mean ties in", "mean"),
    # learning
    "learning_type": _c("Learning type"),
    "type": _c("Type"),
    "mean": _c("Mean", "mean"),
    "sd": _c("Spread (SD)", "mean"),
    "p25": _c("Lower quartile", "mean"),
    "median": _c("Median", "mean"),
    "p75": _c("Upper quartile", "mean"),
    "hours": _c("Hours", "mean"),
    "informal_share": _c("Informal share", "share"),
    "self_directed_share": _c("Self-directed share", "share"),
    "self_directed_sd": _c("Self-directed spread (SD)", "share"),
    "flow_share": _c("Flow share", "share"),
    "stock_share": _c("Stock share", "share"),
    "reference": _c("Reference", "share"),
    "topic": _c("Topic"),
    "topics": _c("Topics", "count"),
    "channel": _c("Channel"),
    "authors": _c("Authors", "count"),
    "edits": _c("Edits", "count"),
    "reads": _c("Reads", "count"),
    "discussions": _c("Discussions", "count"),
    "unread": _c("Unread"),
    "undiscussed": _c("Undiscussed"),
    "stock_events": _c("Stock events", "count"),
    "flow_events": _c("Flow events", "count"),
    "edits_and_posts": _c("Edits and posts", "count"),
    "evenness": _c("Evenness", "share"),
    "zero_total": _c("No hours given", "count"),
    "experience": _c("Experience", "share"),
    "others": _c("Others", "share"),
    "formal": _c("Formal", "share"),
    "IOL": _c("IOL", "share"),
    "GDL": _c("GDL", "share"),
    "PDL": _c("PDL", "share"),
    "ASL": _c("ASL", "share"),
    "FSL": _c("FSL", "share"),
    "stock": _c("Stock events", "count"),
    "flow": _c("Flow events", "count"),
    "unclassified": _c("Unclassified", "count"),
    "actors": _c("People active", "count"),
    "period": _c("Period", "date"),
    "shift": _c("Shift"),
    "from": _c("From"),
    "to": _c("To"),
    "score": _c("Score (0–100)", "index"),
    "formula": _c("Formula"),
    "inputs_used": _c("Inputs used"),
    "inputs_missing": _c("Inputs missing"),
    "what_to_collect": _c("What to collect"),
    # trust and wirearchy
    "dimension": _c("Dimension"),
    "item": _c("Item"),
    "items": _c("Items", "count"),
    "wording": _c("Statement"),
    "reverse": _c("Reverse-scored"),
    "answers": _c("Answers", "count"),
    "raw_mean": _c("Mean as answered", "mean"),
    "favourable": _c("Favourable", "share"),
    "alpha": _c("Cronbach's alpha", "coefficient"),
    "alpha_n": _c("Complete answers (alpha)", "count"),
    "alpha_note": _c("About alpha"),
    "up": _c("Up", "share"),
    "across": _c("Across", "share"),
    "down": _c("Down", "share"),
    "share": _c("Share", "share"),
    "share_low": _c("95% interval from", "share"),
    "share_high": _c("95% interval to", "share"),
    "breakdown": _c("Breakdown"),
    "organisation": _c("Organisation"),
    "basis": _c("Basis"),
    "direction": _c("Direction"),
    "index": _c("Index (0–100)", "index"),
    "components": _c("Components", "count"),
    "component": _c("Component"),
    "scoring": _c("Scoring"),
    "weight": _c("Weight", "mean"),
    "contribution": _c("Points in the index", "mean"),
    "measured": _c("Measured"),
    "raw_text": _c("Measured"),
    "missing": _c("Missing because"),
    # skills
    "skill": _c("Skill"),
    "assessed": _c("Assessed", "count"),
    "with_gap": _c("People with a gap", "count"),
    "unknown": _c("Not assessed", "count"),
    "total_gap": _c("Levels missing", "count"),
    "mean_gap": _c("Mean gap (levels)", "mean"),
    "share_affected": _c("Share affected", "share"),
    "minor": _c("Minor gaps", "count"),
    "moderate": _c("Moderate gaps", "count"),
    "severe": _c("Severe gaps", "count"),
    "gap": _c("Gap (levels)", "mean"),
    "required_level": _c("Required level", "mean"),
    "holders": _c("Holders", "count"),
    "flag": _c("Coverage"),
    "at_least_1": _c("At level 1 or above", "count"),
    "at_least_2": _c("At level 2 or above", "count"),
    "at_least_3": _c("At level 3 or above", "count"),
    "at_least_4": _c("At level 4 or above", "count"),
    "at_least_5": _c("At level 5", "count"),
    "connected_share": _c("Holders connected", "share"),
    "redundancy": _c("Seekers with two holders", "share"),
    "reach_within_2": _c("Seekers reached in two steps", "share"),
    "people_with_gap": _c("People with a gap", "count"),
    "seekers": _c("Seekers", "count"),
    "verdict": _c("Verdict"),
    "cluster": _c("Cluster"),
    "rated": _c("People rated", "count"),
    "teachers": _c("Could teach it", "count"),
    "required_by": _c("People whose role needs it", "count"),
    "holders_before": _c("Holders before", "count"),
    "holders_after": _c("Holders after", "count"),
    "flag_before": _c("Coverage before"),
    "flag_after": _c("Coverage after"),
    "holder_groups": _c("Groups of holders", "count"),
    "isolated_holders": _c("Isolated holders", "count"),
    "advice_seekers": _c("Seekers by advice", "count"),
    "topic_ties": _c("Ties on the topic", "count"),
    "topic_seekers": _c("Seekers by topic", "count"),
    "can_teach": _c("Can teach"),
    "distance": _c("Steps away", "count"),
    "load": _c("Sought for advice by", "count"),
    "ask": _c("Ask"),
    "ask_team": _c("Their team"),
    "ask_level": _c("Their level"),
    "ask_load": _c("Sought for advice by", "count"),
}

# The wirearchy index's components as columns (the index per group): their own labels, 0–100.
COLUMNS.update({c.key: Column(c.label, "index") for c in wirearchy.INDEX_COMPONENTS})

#: The number format Excel shows for each kind (the cell keeps the full value).
EXCEL_FORMATS: dict[Kind, str] = {
    "share": "0%",
    "mean": "0.0",
    "index": "0",
    "count": "#,##0",
    "coefficient": "0.00",
    "measure": "0.000",
    "change": "+0.0;-0.0;0",
    "date": "yyyy-mm-dd",
    "text": "@",
}

#: A name written as code: lower-case words joined by underscores (``total_gap``, ``p_25``).
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_SHARE_WORDS = re.compile(r"(?:^|_)(share|rate|favourable)(?:$|_)")


def label(name: object) -> str:
    """The human label of column ``name``: from :data:`COLUMNS`, else made from a snake_case name
    (``people_with_gap`` → "People with gap"); any other name (a team, a wave) stays as it is."""
    text = str(name)
    known = COLUMNS.get(text)
    if known is not None:
        return known.label
    if SNAKE_CASE.match(text):
        words = text.replace("_", " ")
        return words[:1].upper() + words[1:]
    return text


def kind_of(name: object, values: pd.Series | None = None) -> Kind:
    """The kind of column ``name``: from :data:`COLUMNS`, else guessed from its name and values
    (``…_share``/``…rate`` → share, whole numbers → count, other numbers → measure, else text)."""
    numeric = values is not None and pd.api.types.is_numeric_dtype(values)
    if values is not None and (not numeric or pd.api.types.is_bool_dtype(values)):
        return "text"  # a number column that holds words here (a share already written "70%")
    known = COLUMNS.get(str(name))
    if known is not None or values is None:
        return known.kind if known is not None else "text"
    if _SHARE_WORDS.search(str(name).lower()):
        return "share"
    finite = pd.to_numeric(values, errors="coerce").dropna()
    if pd.api.types.is_integer_dtype(values) or (len(finite) and bool((finite % 1 == 0).all())):
        return "count"
    return "measure"


def labelled(frame: pd.DataFrame) -> dict[str, tuple[str, Kind]]:
    """Each column of ``frame`` → its label and kind (labels made unique with a numbered suffix)."""
    out: dict[str, tuple[str, Kind]] = {}
    seen: set[str] = set()
    for j, col in enumerate(frame.columns):
        text = label(col)
        candidate, i = text, 2
        while candidate in seen:
            candidate, i = f"{text} ({i})", i + 1
        seen.add(candidate)
        out[str(col)] = (candidate, kind_of(col, frame.iloc[:, j]))
    return out


def number_text(value: float, kind: Kind) -> str:
    """A number as a reader sees it in a column of ``kind`` (the HTML report's tables): 0.58 →
    "58%" for a share, 3.44 → "3.4" for a mean, 1204 → "1,204" for a count, 0.0123 → "0.0123"."""
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    texts: dict[Kind, str] = {
        "share": f"{value:.0%}",
        "mean": f"{value:,.1f}",
        "index": f"{value:,.0f}",
        "count": f"{value:,.0f}",
        "coefficient": f"{value:.2f}",
        "change": f"{value:+,.1f}",
    }
    if kind in texts:
        return texts[kind]
    return f"{value:,.0f}" if value.is_integer() or abs(value) >= 1000 else f"{value:.3g}"
