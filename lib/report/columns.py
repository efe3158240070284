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
values (:func:`kind_of`), so no code name reaches a reader even for a column added later. Each
column's header help is asked of the definitions registry (:func:`lib.report.definitions.column_help`):
its measure's definition where it defines one, else the column's own ``help`` here.
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
    """A column as a reader sees it: its label, the kind that fixes its precision, and its help (one
    or two plain sentences for its header's tooltip: what it counts, on whom, in which unit)."""

    label: str
    kind: Kind = "text"
    help: str = ""


def _c(label: str, kind: Kind = "text", help: str = "") -> Column:
    return Column(label, kind, help)


#: column name → label, kind and help (a column the definitions registry defines, ``in_degree``,
#: takes its help from there: :func:`lib.report.definitions.column_help`). Group and wave names that become columns (a pivot) are data, not
#: code names, and are not listed.
COLUMNS: dict[str, Column] = {
    # people and groups
    "person_id": _c("Person id", help="The person's id, from the people sheet."),
    "person": _c("Person", help="The person this row is about, by their id or name from the people sheet."),
    "name": _c("Name", help="The person's name, from the people sheet."),
    "team": _c("Team", help="The person's team, from the people sheet."),
    "department": _c("Department", help="The person's department, from the people sheet."),
    "role": _c("Role", help="The person's role, from the people sheet."),
    "level": _c(
        "Level", help="The person's level in the hierarchy (1 = most senior), from the people sheet."
    ),
    "location": _c("Location", help="The person's location, from the people sheet."),
    "manager_id": _c("Manager id", help="The id of the person's manager, from the people sheet."),
    "tenure_years": _c(
        "Years in the organisation",
        "mean",
        help="Years since the person joined the organisation, from the people sheet.",
    ),
    "responded": _c("Responded", help="Whether the person answered the survey in this wave."),
    "group": _c(
        "Group",
        help="The group this row describes (a team, department or other attribute from the people sheet).",
    ),
    "people": _c("People", "count"),
    "respondents": _c("Respondents", "count", help="People who answered the survey (number of people)."),
    "members": _c("Members", "count", help="People in the group (number of people)."),
    "n": _c("People", "count", help="People counted in this row (number of people)."),
    "rows": _c("Rows", "count", help="Rows read from the sheet."),
    "sheet": _c("Sheet", help="The sheet of the workbook this row is about."),
    "wave": _c("Wave", help="The survey wave (data collection round) the figures come from."),
    "measure": _c("Measure", help="What is measured in this row."),
    "value": _c("Value", "measure", help="The measure's value, in the measure's own unit."),
    "definition": _c("Definition", help="What the measure means and how it is calculated."),
    "label": _c("Name", help="The name shown for this item."),
    "source": _c("Source", help="Where the figure comes from (which sheet or survey)."),
    "note": _c("Note", help="A remark on this row."),
    "reason": _c("Reason", help="Why this row is shown, left out or flagged."),
    "status": _c("Status", help="The row's state, in words."),
    "rank": _c("Rank", "count", help="Position in the order of this table (1 = first)."),
    "change": _c(
        "Change",
        "change",
        help="The difference from the previous wave, in the measure's own unit (+ means it rose).",
    ),
    "page": _c("Page", help="The page of the app where this is shown."),
    "change since previous wave": _c(
        "Change since previous wave",
        "change",
        help="The difference from the previous wave, in the measure's own unit (+ means it rose).",
    ),
    "as shown on the page": _c("As shown on the page", help="The value as the page shows it, with its unit."),
    "what it means": _c("What it means", help="What the figure means, in plain words."),
    "what the framework suggests": _c(
        "What the framework suggests", help="What the framework suggests doing about it."
    ),
    "what it is": _c("What it is", help="What the item is, in plain words."),
    "applies to": _c("Applies to", help="Whether the rule looks at the whole organisation or at each group."),
    "fires when": _c("Fires when", help="The condition that makes the rule report a finding."),
    "strong when": _c("Strong when", help="The level at which the finding counts as strong."),
    "and beyond chance": _c(
        "And beyond chance",
        help="The extra test against a random network that the finding must also pass, if any.",
    ),
    "before": _c("Before", help="The value before the change (the scenario or the earlier wave)."),
    "after": _c("After", help="The value after the change (the scenario or the later wave)."),
    "table": _c("Table", help="The table this row belongs to."),
    "finding": _c("Finding", help="What the analysis found, in one sentence."),
    "strength": _c(
        "Strength", help="How strong the finding is: how far its measure lies beyond the rule's threshold."
    ),
    "evidence": _c("Evidence", help="The figures the finding rests on."),
    "suggestion": _c("Suggestion", help="What the framework suggests doing about the finding."),
    "types": _c("Types", help="The kinds of item this covers."),
    "why": _c("Why", help="Why this is shown."),
    "area": _c("Area", help="The part of the analysis this belongs to."),
    "rule": _c("Rule", help="The rule that produced the finding."),
    # network
    "relation": _c(
        "Relation", help="The kind of tie asked about in the network survey (advice, collaboration, ...)."
    ),
    "ties": _c("Ties", "count"),
    "ties_before": _c(
        "Ties before", "count", help="Ties of this relation in the earlier wave (number of ties)."
    ),
    "ties_after": _c("Ties after", "count", help="Ties of this relation in the later wave (number of ties)."),
    "gained": _c(
        "Ties gained",
        "count",
        help="Ties in the later wave that were not in the earlier one, among people who answered both (number of ties).",
    ),
    "lost": _c(
        "Ties lost",
        "count",
        help="Ties in the earlier wave that are gone in the later one, among people who answered both (number of ties).",
    ),
    "graph_correlation": _c(
        "Graph correlation across waves",
        "coefficient",
        help="How alike the two waves' networks are, from −1 to 1 (1 = the same ties in both).",
    ),
    "qap_p": _c(
        "QAP p-value",
        "coefficient",
        help="QAP permutation p-value: how likely so much overlap between the waves would be by chance (small = not chance).",
    ),
    "change_p": _c(
        "Change in ties, Holm p",
        "coefficient",
        help="Paired permutation test of the change in ties, Holm-adjusted across relations (below 0.05 = a real change).",
    ),
    "stated": _c(
        "Stated as a change",
        help="Whether the change in ties is strong enough to be stated as a change (adjusted p below 0.05).",
    ),
    "in_degree": _c("Ties in", "count"),
    "out_degree": _c("Ties out", "count"),
    "in_degree_before": _c(
        "Ties in before",
        "count",
        help="Colleagues who named the person in the earlier wave (number of people).",
    ),
    "in_degree_after": _c(
        "Ties in after", "count", help="Colleagues who named the person in the later wave (number of people)."
    ),
    "weighted_in_degree": _c(
        "Weighted ties in",
        "measure",
        help="Sum of the weights of the ties naming the person for this learning type.",
    ),
    "betweenness": _c("Betweenness", "measure"),
    "closeness": _c(
        "Closeness",
        "measure",
        help="How few steps the person is from everyone else they can reach (0–1, higher = closer).",
    ),
    "harmonic_closeness": _c("Harmonic closeness", "measure"),
    "pagerank": _c("PageRank", "measure"),
    "eigenvector": _c("Eigenvector centrality", "measure"),
    "constraint": _c("Constraint (Burt)", "measure"),
    "effective_size": _c("Effective size (Burt)", "measure"),
    "community": _c("Community"),
    "network_role": _c(
        "Network role",
        help="The person's role in the network (central connector, broker, peripheral, isolate...), from their measures.",
    ),
    "internal": _c("Ties inside", "count", help="Ties between members of the same group (number of ties)."),
    "external": _c(
        "Ties outside",
        "count",
        help="Ties between the group's members and people outside it (number of ties).",
    ),
    "ei": _c("E-I index", "coefficient"),
    "ei_sent": _c(
        "E-I of what the group asks",
        "coefficient",
        help="E-I index of the ties the group's members send, from −1 (all inside the group) to +1 (all outside); counts respondents' answers only.",
    ),
    "ei_before": _c(
        "E-I index before",
        "coefficient",
        help="E-I index before the change, from −1 (all ties inside the group) to +1 (all outside).",
    ),
    "ei_after": _c(
        "E-I index after",
        "coefficient",
        help="E-I index after the change, from −1 (all ties inside the group) to +1 (all outside).",
    ),
    "ei_change": _c(
        "Change in E-I index",
        "coefficient",
        help="E-I index after minus before (+ means more ties outside the group).",
    ),
    "people_before": _c(
        "People before", "count", help="People in the group before the change (number of people)."
    ),
    "people_after": _c(
        "People after", "count", help="People in the group after the change (number of people)."
    ),
    "sent_external": _c(
        "Ties sent outside",
        "count",
        help="Ties the group's members send to people outside the group (number of ties).",
    ),
    "internal_share": _c(
        "Share asked inside",
        "share",
        help="Share of the ties the group's members send that stay inside the group.",
    ),
    "internal_share_random": _c(
        "Share inside in a random network",
        "share",
        help="Share of ties that would stay inside the group in a random network with the same group sizes and density.",
    ),
    "silo_beyond_chance": _c(
        "More inward than chance",
        help="Whether the group keeps more of its ties inside than a random network would.",
    ),
    "advice_overload": _c(
        "Most-asked person's load",
        "mean",
        help="How much more the most-asked person is asked than in a random network (their ratio to the median, over the random ratio).",
    ),
    "advice_top_in_degree": _c(
        "Colleagues naming the most-asked person",
        "count",
        help="Colleagues who name the most-asked person for advice (number of people).",
    ),
    "advice_median_in_degree": _c(
        "Colleagues naming the median person",
        "count",
        help="Colleagues who name the median person for advice (number of people).",
    ),
    "advice_top_ratio": _c(
        "Most-asked over median",
        "mean",
        help="How many times more colleagues name the most-asked person for advice than the median person.",
    ),
    "advice_top_ratio_random": _c(
        "Most-asked over median, random network",
        "mean",
        help="The same ratio (most-asked over median) in a random network of the same size and density.",
    ),
    "advice_top_share": _c(
        "Share of requests to the top 1%",
        "share",
        help="Share of all advice requests that go to the most-asked 1% of people.",
    ),
    "advice_top_share_random": _c(
        "Share to the top 1%, random network",
        "share",
        help="Share of advice requests that would go to the top 1% in a random network of the same size and density.",
    ),
    "overload_beyond_chance": _c(
        "More concentrated than chance",
        help="Whether advice is more concentrated on a few people than in a random network.",
    ),
    "key_person_threshold": _c(
        "Reach lost that makes a person key",
        "share",
        help="A person counts as key when their leaving would remove at least this share of who can reach whom for advice.",
    ),
    # the other findings rules' evidence (lib.analysis.findings.RULES: metric, requires, beyond)
    "fsl_share": _c(
        "Formal (FSL) share",
        "share",
        help="Share of reported learning hours spent in formal structured learning (courses, programmes, e-learning).",
    ),
    "key_people": _c(
        "Key people",
        "count",
        help="People whose leaving would cut the advice network most (number of people).",
    ),
    "advice_reciprocity": _c(
        "Advice reciprocity",
        "share",
        help="Share of advice ties that are returned (the person asked also asks back).",
    ),
    "advice_down_share": _c(
        "Share of advice asked down the hierarchy",
        "share",
        help="Share of advice requests that go down the hierarchy, to someone more junior.",
    ),
    "advice_up_share": _c(
        "Share of advice asked up the hierarchy",
        "share",
        help="Share of advice requests that go up the hierarchy, to someone more senior.",
    ),
    "advice_down_beyond_chance": _c(
        "Less advice down than chance",
        help="Whether less advice goes down the hierarchy than in a random network.",
    ),
    "seniority_advice_correlation": _c("Seniority vs being asked (rank correlation)", "coefficient"),
    "seniority_advice_p": _c(
        "Permutation p-value",
        "measure",
        help="Permutation p-value of the seniority vs being-asked correlation (small = not chance).",
    ),
    "seniority_advice_beyond_chance": _c(
        "Rank matters beyond chance",
        help="Whether seniority goes with being asked for advice more than chance would give.",
    ),
    "weakest_dimension": _c(
        "Weakest wirearchy dimension", help="The wirearchy survey dimension with the lowest mean score."
    ),
    "weakest_dimension_mean": _c(
        "Weakest dimension's mean (1–5)",
        "mean",
        help="Mean score of the weakest wirearchy dimension, on the survey's 1–5 scale.",
    ),
    "single_holder_skills": _c(
        "Skills held by one person or nobody",
        "count",
        help="Skills that one person or nobody holds at the holder level (number of skills).",
    ),
    "thin_skills": _c("Thin skills", help="Up to five of the skills held by one person or nobody."),
    "response_rate": _c(
        "Response rate", "share", help="Share of people on the people sheet who answered the survey."
    ),
    "score_previous": _c("Score, previous wave", "index", help="The score in the previous wave (0–100)."),
    "ei_index": _c("E-I index", "coefficient"),
    "partners": _c(
        "Partners",
        "count",
        help="Distinct people the person exchanged chat, meeting or other flow events with, from the logs (number of people).",
    ),
    "sent": _c(
        "Sent",
        "count",
        help="Flow events (chat, meetings ...) the person sent, from the logs (number of events).",
    ),
    "received": _c(
        "Received",
        "count",
        help="Flow events (chat, meetings ...) addressed to the person, from the logs (number of events).",
    ),
    "size": _c("People", "count", help="People in the group (number of people)."),
    "meaning": _c("Meaning", help="What the item means, in plain words."),
    "role_reason": _c("Why this role", help="Which of the person's measures gave them this network role."),
    "reach_lost": _c(
        "Reachable pairs lost",
        "count",
        help="Pairs of people who could reach each other for advice and no longer can if this person leaves (number of pairs).",
    ),
    "reach_lost_share": _c(
        "Share of reachable pairs lost",
        "share",
        help="Share of the pairs who can reach each other for advice that are lost if this person leaves.",
    ),
    "connectedness_after": _c(
        "Connectedness after",
        "share",
        help="Share of pairs of the remaining people who can still reach each other after the person leaves.",
    ),
    "connectedness_before": _c(
        "Connectedness before",
        "share",
        help="Share of pairs of people who can reach each other for advice today.",
    ),
    "components_added": _c(
        "Extra fragments",
        "count",
        help="Extra separate fragments the network falls into if the person leaves (number of fragments).",
    ),
    "groups_split": _c(
        "Groups split apart",
        help="Groups whose remaining members fall apart into separate fragments if the person leaves.",
    ),
    "groups": _c("Groups", help="The groups this row covers."),
    "cut_off": _c(
        "People cut off", help="People left with no path to the rest of the network if the person leaves."
    ),
    "in_strength": _c("Weight of ties in", "measure"),
    "out_strength": _c("Weight of ties out", "measure"),
    "coreness": _c("Coreness", "count"),
    "brokerage_coordinator": _c("Brokerage: coordinator", "count"),
    "brokerage_gatekeeper": _c("Brokerage: gatekeeper", "count"),
    "brokerage_representative": _c("Brokerage: representative", "count"),
    "brokerage_consultant": _c("Brokerage: consultant", "count"),
    "brokerage_liaison": _c("Brokerage: liaison", "count"),
    "brokerage_total": _c("Brokerage: total", "count"),
    "mean_in_degree": _c(
        "Mean ties in",
        "mean",
        help="Average number of colleagues naming a person at this level (people per person).",
    ),
    # learning
    "learning_type": _c("Learning type", help="The kind of learning (IOL, GDL, PDL, ASL or FSL)."),
    "type": _c("Type", help="The kind of item this row is about."),
    "mean": _c(
        "Mean", "mean", help="The average over the people or answers in this row, in the measure's unit."
    ),
    "sd": _c(
        "Spread (SD)",
        "mean",
        help="Standard deviation: how much the values spread around the mean, in the measure's unit.",
    ),
    "p25": _c(
        "Lower quartile",
        "mean",
        help="A quarter of the values are below this (lower quartile), in the measure's unit.",
    ),
    "median": _c("Median", "mean", help="Half of the values are below this, in the measure's unit."),
    "p75": _c(
        "Upper quartile",
        "mean",
        help="Three quarters of the values are below this (upper quartile), in the measure's unit.",
    ),
    "hours": _c("Hours", "mean", help="Reported learning hours."),
    "informal_share": _c(
        "Informal share",
        "share",
        help="Share of reported learning hours spent learning informally (every type except formal courses).",
    ),
    "self_directed_share": _c("Self-directed share", "share"),
    "self_directed_sd": _c(
        "Self-directed spread (SD)",
        "share",
        help="Spread (standard deviation) of the self-directed share between people.",
    ),
    "flow_share": _c("Flow share", "share"),
    "stock_share": _c(
        "Stock share",
        "share",
        help="Share of the logged knowledge activity that is stock (posts, pages, documents kept for later) rather than flow.",
    ),
    "reference": _c(
        "Reference", "share", help="The share the reference model expects (70:20:10 or about 80% informal)."
    ),
    "topic": _c("Topic", help="The topic, as named in the logs or the survey."),
    "topics": _c("Topics", "count", help="Distinct topics (number of topics)."),
    "channel": _c("Channel", help="The channel the activity happened in, from the logs."),
    "authors": _c(
        "Authors", "count", help="Distinct people who wrote or edited on the topic (number of people)."
    ),
    "edits": _c("Edits", "count", help="Posts and edits on the topic (number of events)."),
    "reads": _c("Reads", "count", help="Views of the topic (number of events)."),
    "discussions": _c("Discussions", "count", help="Comments and replies on the topic (number of events)."),
    "unread": _c("Unread", help="Whether nobody viewed the topic."),
    "undiscussed": _c("Undiscussed", help="Whether nobody commented on or replied to the topic."),
    "stock_events": _c(
        "Stock events",
        "count",
        help="Posts, edits, comments and other non-view events on stock channels (number of events).",
    ),
    "flow_events": _c(
        "Flow events", "count", help="Events on flow channels such as chat and meetings (number of events)."
    ),
    "edits_and_posts": _c(
        "Edits and posts", "count", help="Posts and edits the person made (number of events)."
    ),
    "evenness": _c(
        "Evenness",
        "share",
        help="How evenly the people asked about the topic are named for advice, 0–1 (1 = all equally, 0 = one person named by all).",
    ),
    "zero_total": _c(
        "No hours given",
        "count",
        help="People whose learning hours add up to zero (number of people; they are left out of the shares).",
    ),
    "experience": _c(
        "Experience", "share", help="Share of learning hours from experience on the job (the 70 of 70:20:10)."
    ),
    "others": _c("Others", "share", help="Share of learning hours from other people (the 20 of 70:20:10)."),
    "formal": _c("Formal", "share", help="Share of learning hours from formal courses (the 10 of 70:20:10)."),
    "IOL": _c(
        "IOL",
        "share",
        help="Share of learning hours in intra-organisational learning (updates and briefings inside the organisation).",
    ),
    "GDL": _c(
        "GDL",
        "share",
        help="Share of learning hours in group-directed learning (with a team, project group or coach).",
    ),
    "PDL": _c(
        "PDL",
        "share",
        help="Share of learning hours in personal-directed learning (learning the person organises themselves).",
    ),
    "ASL": _c(
        "ASL",
        "share",
        help="Share of learning in accidental and serendipitous learning (learning without planning to).",
    ),
    "FSL": _c(
        "FSL",
        "share",
        help="Share of learning hours in formal structured learning (courses, programmes, e-learning).",
    ),
    "stock": _c(
        "Stock events",
        "count",
        help="Posts, edits and other non-view events on stock channels (number of events).",
    ),
    "flow": _c(
        "Flow events", "count", help="Events on flow channels such as chat and meetings (number of events)."
    ),
    "unclassified": _c(
        "Unclassified", "count", help="Events on channels that are neither stock nor flow (number of events)."
    ),
    "actors": _c(
        "People active",
        "count",
        help="Distinct people with stock or flow activity in the logs (number of people).",
    ),
    "period": _c("Period", "date", help="The day or month the figures cover."),
    "shift": _c("Shift", help="One of the five shifts the organisation is measured on."),
    "from": _c("From", help="Where the shift starts from."),
    "to": _c("To", help="Where the shift leads to."),
    "score": _c("Score (0–100)", "index", help="The score on a 0–100 scale (higher = further along)."),
    "formula": _c("Formula", help="How the score is calculated from its inputs."),
    "inputs_used": _c("Inputs used", help="The data the score could use."),
    "inputs_missing": _c("Inputs missing", help="The data the score needs but did not get."),
    "what_to_collect": _c("What to collect", help="What to collect to compute the missing part."),
    # trust and wirearchy
    "dimension": _c("Dimension", help="The wirearchy survey dimension."),
    "item": _c("Item", help="The survey statement's id."),
    "items": _c("Items", "count", help="Survey statements in the dimension (number of items)."),
    "wording": _c("Statement", help="The statement as put to respondents."),
    "reverse": _c(
        "Reverse-scored",
        help="Whether the statement is reverse-scored (agreeing means less wirearchy; its score is flipped 1↔5).",
    ),
    "answers": _c("Answers", "count", help="Answers given (number of answers)."),
    "raw_mean": _c(
        "Mean as answered", "mean", help="Mean answer as given, before reverse-scoring, on the 1–5 scale."
    ),
    "favourable": _c(
        "Favourable",
        "share",
        help="Share of answers that are 4 or 5 on the 1–5 scale, after reverse-scoring.",
    ),
    "alpha": _c(
        "Cronbach's alpha",
        "coefficient",
        help="Cronbach's alpha: how consistently the dimension's statements are answered, up to 1 (0.7 or more is usually acceptable).",
    ),
    "alpha_n": _c(
        "Complete answers (alpha)",
        "count",
        help="Respondents who answered every statement of the dimension, used for alpha (number of people).",
    ),
    "alpha_note": _c("About alpha", help="Why alpha could not be computed or needs care."),
    "up": _c("Up", "share", help="Share of advice requests that go to someone more senior."),
    "across": _c("Across", "share", help="Share of advice requests that go to someone at the same level."),
    "down": _c("Down", "share", help="Share of advice requests that go to someone more junior."),
    "share": _c("Share", "share", help="The share this row stands for, of the total it belongs to."),
    "share_low": _c("95% interval from", "share", help="Lower end of the 95% interval of the share."),
    "share_high": _c("95% interval to", "share", help="Upper end of the 95% interval of the share."),
    "breakdown": _c(
        "Breakdown", help="The attribute the figures are broken down by (team, department, ...)."
    ),
    "organisation": _c("Organisation", help="The figure for the whole organisation."),
    "basis": _c("Basis", help="How direction is judged: by level, or by the reporting chain."),
    "direction": _c("Direction", help="Which way the advice goes: up, across or down the hierarchy."),
    "index": _c(
        "Index (0–100)",
        "index",
        help="The wirearchy index on a 0–100 scale (higher = authority follows knowledge more than title).",
    ),
    "components": _c(
        "Components", "count", help="Components that went into the index (number of components)."
    ),
    "component": _c("Component", help="One part of the wirearchy index."),
    "scoring": _c("Scoring", help="How the component's raw value becomes a 0–100 score."),
    "weight": _c("Weight", "mean", help="The component's weight in the index."),
    "contribution": _c(
        "Points in the index",
        "mean",
        help="Points this component adds to the 0–100 index (its score times its share of the weights).",
    ),
    "measured": _c("Measured", help="The component's raw value as measured."),
    "raw_text": _c("Measured", help="The component's raw value as measured."),
    "missing": _c("Missing because", help="Why the component could not be measured."),
    # skills
    "skill": _c("Skill", help="The skill, as named on the skills sheet."),
    "assessed": _c(
        "Assessed",
        "count",
        help="People whose role needs the skill and who have a rating for it (number of people).",
    ),
    "with_gap": _c(
        "People with a gap",
        "count",
        help="People whose rating is below the level their role needs (number of people).",
    ),
    "unknown": _c(
        "Not assessed",
        "count",
        help="People whose role needs the skill but who have no rating (number of people; not counted as a gap).",
    ),
    "total_gap": _c(
        "Levels missing",
        "count",
        help="Levels short of what the role needs, added up over the rated people whose role needs the skill (levels on the 0–5 skill scale).",
    ),
    "mean_gap": _c(
        "Mean gap (levels)",
        "mean",
        help="Levels missing per assessed person (levels on the 0–5 scale, 0 = everyone meets the requirement).",
    ),
    "share_affected": _c(
        "Share affected",
        "share",
        help="Share of the people whose role needs the skill who fall short (unrated people count as not short, so this is a floor).",
    ),
    "minor": _c("Minor gaps", "count", help="People up to one level short (number of people)."),
    "moderate": _c(
        "Moderate gaps", "count", help="People more than one and up to two levels short (number of people)."
    ),
    "severe": _c("Severe gaps", "count", help="People more than two levels short (number of people)."),
    "gap": _c("Gap (levels)", "mean", help="Levels the person is below what their role needs (0–5 scale)."),
    "required_level": _c("Required level", "mean", help="The level the role needs, on the 0–5 scale."),
    "holders": _c(
        "Holders", "count", help="People rated at the holder level or above, 3 by default (number of people)."
    ),
    "flag": _c(
        "Coverage",
        help="How thinly the skill is held: nobody, one holder, two (thin) or three or more (covered).",
    ),
    "at_least_1": _c(
        "At level 1 or above", "count", help="People rated at level 1 or above (number of people)."
    ),
    "at_least_2": _c(
        "At level 2 or above", "count", help="People rated at level 2 or above (number of people)."
    ),
    "at_least_3": _c(
        "At level 3 or above", "count", help="People rated at level 3 or above (number of people)."
    ),
    "at_least_4": _c(
        "At level 4 or above", "count", help="People rated at level 4 or above (number of people)."
    ),
    "at_least_5": _c("At level 5", "count", help="People rated at level 5 (number of people)."),
    "connected_share": _c(
        "Holders connected", "share", help="Share of the skill's holders tied to at least one other holder."
    ),
    "redundancy": _c(
        "Seekers with two holders",
        "share",
        help="Share of the people who seek out holders who go to two or more different holders.",
    ),
    "reach_within_2": _c(
        "Seekers reached in two steps",
        "share",
        help="Share of the people with a gap in the skill who are within two steps of a holder in the advice and collaboration network.",
    ),
    "people_with_gap": _c(
        "People with a gap",
        "count",
        help="People whose rating is below the level their role needs (number of people).",
    ),
    "seekers": _c(
        "Seekers",
        "count",
        help="Distinct people who ask a holder for advice or on the skill's topic (number of people).",
    ),
    "verdict": _c("Verdict", help="Whether the skill's holders form a network, in words."),
    "cluster": _c("Cluster", help="The skill-profile cluster: people with similar skill ratings."),
    "rated": _c("People rated", "count", help="People with a rating for the skill (number of people)."),
    "teachers": _c(
        "Could teach it",
        "count",
        help="People rated at level 4 or above, who could teach the skill (number of people).",
    ),
    "required_by": _c(
        "People whose role needs it",
        "count",
        help="People whose role needs the skill above level 0 (number of people).",
    ),
    "holders_before": _c(
        "Holders before",
        "count",
        help="People at the holder level or above before the change (number of people).",
    ),
    "holders_after": _c(
        "Holders after",
        "count",
        help="People at the holder level or above after the change (number of people).",
    ),
    "flag_before": _c("Coverage before", help="How thinly the skill was held before the change."),
    "flag_after": _c("Coverage after", help="How thinly the skill is held after the change."),
    "holder_groups": _c(
        "Groups of holders",
        "count",
        help="Separate groups the holders form among themselves, an isolated holder counting as one (number of groups).",
    ),
    "isolated_holders": _c(
        "Isolated holders", "count", help="Holders tied to no other holder (number of people)."
    ),
    "advice_seekers": _c(
        "Seekers by advice", "count", help="Distinct people who ask a holder for advice (number of people)."
    ),
    "topic_ties": _c(
        "Ties on the topic", "count", help="Ties of any relation whose topic is this skill (number of ties)."
    ),
    "topic_seekers": _c(
        "Seekers by topic",
        "count",
        help="Distinct people with a tie to a holder on this skill's topic (number of people).",
    ),
    "can_teach": _c("Can teach", help="Whether the colleague is rated at level 4 or above."),
    "distance": _c(
        "Steps away",
        "count",
        help="Steps between the person and the colleague in the advice and collaboration network (blank = not connected).",
    ),
    "load": _c(
        "Sought for advice by",
        "count",
        help="Colleagues who already ask this person for advice (number of people).",
    ),
    "ask": _c("Ask", help="The colleague to ask."),
    "ask_team": _c("Their team", help="The colleague's team."),
    "ask_level": _c("Their level", help="The colleague's level."),
    "ask_load": _c(
        "Sought for advice by",
        "count",
        help="Colleagues who already ask this colleague for advice (number of people).",
    ),
}

# The wirearchy index's components as columns (the index per group): their own labels, 0–100.
COLUMNS.update(
    {c.key: Column(c.label, "index", f"0–100, {c.direction}.") for c in wirearchy.INDEX_COMPONENTS}
)

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
