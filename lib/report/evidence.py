"""Each finding's evidence as a chart: the numbers behind its sentence, next to what they are
compared with (a reference, a random network, the threshold that made the rule fire).

One small function per rule in :data:`EVIDENCE` (rules as data); a rule without one gets
:func:`threshold_chart` (the measured value against the rule's threshold and strong threshold).
Everything comes from an aggregate-ready :class:`lib.report.model.Report`: its tables are already
filtered for the view (groups under the minimum size hidden) and no chart names a person.
"""

from __future__ import annotations

from collections.abc import Callable

from lib.analysis import findings as rules
from lib.analysis.findings import as_number
from lib.analysis.learning import INFORMAL_REFERENCE, SEVENTY_TWENTY_TEN
from lib.report import columns
from lib.report.chartspec import MEASURED, PREVIOUS, REFERENCE, ChartSpec, Series, Unit
from lib.report.model import Report

__all__ = ["EVIDENCE", "finding_chart", "threshold_chart"]


def _unit_of(value: float | None, threshold: float) -> Unit:
    if abs(threshold) < 1 and (value is None or abs(value) <= 1):
        return "share" if threshold >= 0 else "correlation"
    return "count" if float(threshold).is_integer() else "ratio"


def threshold_chart(f: rules.Finding, report: Report) -> ChartSpec:
    """The rule's measured value against the threshold that makes it fire and the one that makes it strong."""
    rule = rules.RULES_BY_KEY[f.rule]
    value = as_number(f.evidence.get(rule.metric))
    unit = _unit_of(value, rule.threshold)
    name = columns.label(rule.metric)
    if unit == "share" and rule.metric == "seniority_advice_correlation":
        unit = "correlation"
    return ChartSpec(
        f"{name}: {f.group + ' ' if f.group else ''}measured against the finding's thresholds.",
        (name,),
        (
            Series(f.group or "Measured", (value,), MEASURED),
            Series(f"Finding when {rule.op} {rule.threshold:g}", (rule.threshold,), REFERENCE),
            Series(f"Strong when {rule.op} {rule.strong:g}", (rule.strong,), "#D55E00"),
        ),
        unit,
        (0.0, 1.0) if unit == "share" else (-1.0, 1.0) if unit == "correlation" else None,
        horizontal=True,
    )


def _silo(f: rules.Finding, report: Report) -> ChartSpec | None:
    by = report.group_by
    matrix = report.table(f"matrix_{by}")
    first = f"from {by} \\ to"
    if not len(matrix) or first not in matrix or f.group not in set(matrix[first]):
        return None
    row = matrix[matrix[first] == f.group].iloc[0]
    groups = [c for c in matrix.columns if c != first]
    inside, random = (
        as_number(f.evidence.get("internal_share")),
        as_number(f.evidence.get("internal_share_random")),
    )
    extra = (
        f" {inside:.0%} stay inside (a random network with the same sizes: {random:.0%})."
        if inside is not None and random is not None
        else ""
    )
    return ChartSpec(
        f"Advice ties {f.group} asks, by the {by} asked.{extra}",
        tuple(str(g) for g in groups),
        (Series(f"Ties from {f.group}", tuple(as_number(row[g]) for g in groups), MEASURED),),
        "count",
    )


def _formal_heavy(f: rules.Finding, report: Report) -> ChartSpec:
    informal, formal = as_number(f.evidence.get("informal_share")), as_number(f.evidence.get("fsl_share"))
    return ChartSpec(
        "Informal and formal shares of learning time against the ~80% informal reference.",
        ("Informal (IOL, GDL, PDL, ASL)", "Formal (FSL)"),
        (
            Series("This organisation", (informal, formal), MEASURED),
            Series("Reference: 80% informal", (INFORMAL_REFERENCE, 1 - INFORMAL_REFERENCE), REFERENCE),
        ),
        "share",
        (0.0, 1.0),
    )


def _group_formal_heavy(f: rules.Finding, report: Report) -> ChartSpec | None:
    by = report.group_by
    mix, overall = report.table(f"learning_{by}"), report.table("learning_mix")
    if not len(mix) or by not in mix or f.group not in set(mix[by]):
        return None
    row = mix[mix[by] == f.group].iloc[0]
    buckets = [b.name for b in SEVENTY_TWENTY_TEN]
    series = [Series(f.group, tuple(as_number(row[b]) for b in buckets), MEASURED)]
    org = dict(zip(overall["measure"], overall["value"], strict=True)) if len(overall) else {}
    if all(b in org for b in buckets):
        series.append(Series("Whole organisation", tuple(as_number(org[b]) for b in buckets), PREVIOUS))
    series.append(Series("Reference 70:20:10", tuple(b.reference for b in SEVENTY_TWENTY_TEN), REFERENCE))
    return ChartSpec(
        f"{f.group}'s learning time by experience, others and formal, against 70:20:10.",
        tuple(buckets),
        tuple(series),
        "share",
        (0.0, 1.0),
    )


def _experts_overloaded(f: rules.Finding, report: Report) -> ChartSpec:
    e = f.evidence
    return ChartSpec(
        "Share of advice requests received by the top 1% of people, against a random network.",
        ("Advice requests to the top 1%",),
        (
            Series("This network", (as_number(e.get("advice_top_share")),), MEASURED),
            Series(
                "Random network, same size and density",
                (as_number(e.get("advice_top_share_random")),),
                REFERENCE,
            ),
        ),
        "share",
    )


def _key_people(f: rules.Finding, report: Report) -> ChartSpec | None:
    head = report.head
    lost = None if head is None else as_number(head.facts.org.get("key_person_reach_lost"))
    if lost is None:
        return None
    return ChartSpec(
        "Who can reach whom for advice, today and after the most critical person leaves (nobody named).",
        ("Today", "After the most critical person leaves"),
        (Series("Reachable advice pairs (today = 100%)", (1.0, max(0.0, 1.0 - lost)), MEASURED),),
        "share",
        (0.0, 1.0),
    )


def _top_down(f: rules.Finding, report: Report) -> ChartSpec | None:
    flow = report.table("advice_direction")
    if not len(flow) or "basis" not in flow:
        return None
    level = flow[flow["basis"] == "level"]
    names = {
        "up": "Up: asking someone more senior",
        "across": "Across: same level",
        "down": "Down: asking someone more junior",
    }
    rows = [
        (names.get(str(d), str(d)), as_number(s))
        for d, s in zip(level["direction"], level["share"], strict=True)
    ]
    return ChartSpec(
        "Advice requests by the asker's level against the person asked.",
        tuple(r[0] for r in rows),
        (Series("Share of advice requests", tuple(r[1] for r in rows), MEASURED),),
        "share",
        (0.0, 1.0),
    )


def _weak_dimension(f: rules.Finding, report: Report) -> ChartSpec | None:
    dims = report.table("trust_dimensions")
    if not len(dims):
        return None
    weakest = str(f.evidence.get("weakest_dimension", ""))
    values = [as_number(v) for v in dims["mean"]]
    labels = [str(x) for x in dims["label"]]
    return ChartSpec(
        f"Mean score per wirearchy dimension (1–5); {weakest} is the weakest.",
        tuple(labels),
        (
            Series(
                "Mean (1–5)",
                tuple(v if lab != weakest else None for v, lab in zip(values, labels, strict=True)),
                MEASURED,
            ),
            Series(
                "The weakest dimension",
                tuple(v if lab == weakest else None for v, lab in zip(values, labels, strict=True)),
                "#D55E00",
            ),
        ),
        "mean",
        (1.0, 5.0),
        stacked=True,
    )


def _stock_heavy(f: rules.Finding, report: Report) -> ChartSpec | None:
    table = report.table("flow_share")
    if not len(table):
        return None
    row = table.iloc[0]
    stock, flow = as_number(row.get("stock")) or 0.0, as_number(row.get("flow")) or 0.0
    if stock + flow <= 0:
        return None
    return ChartSpec(
        "Knowledge activity: conversation (flow) against archiving (stock).",
        ("Flow: conversations", "Stock: documents and archives"),
        (Series("Share of recorded activity", (flow / (stock + flow), stock / (stock + flow)), MEASURED),),
        "share",
        (0.0, 1.0),
    )


def _single_holder_skills(f: rules.Finding, report: Report) -> ChartSpec | None:
    cover = report.table("skill_coverage")
    if not len(cover) or "holders" not in cover:
        return None
    thin = cover.sort_values(["holders", "skill"], kind="stable").head(8)
    return ChartSpec(
        "People who hold each of the thinnest-covered skills (at the holder level).",
        tuple(str(s) for s in thin["skill"]),
        (
            Series("Holders", tuple(as_number(v) for v in thin["holders"]), MEASURED),
            Series("Rated at level 1 or more", tuple(as_number(v) for v in thin["at_least_1"]), PREVIOUS),
        ),
        "count",
    )


def _share_split(title: str, yes: str, no: str) -> Callable[[rules.Finding, Report], ChartSpec | None]:
    def build(f: rules.Finding, report: Report) -> ChartSpec | None:
        rule = rules.RULES_BY_KEY[f.rule]
        value = as_number(f.evidence.get(rule.metric))
        if value is None:
            return None
        return ChartSpec(
            title,
            (yes, no),
            (
                Series("Measured", (value, 1 - value), MEASURED),
                Series(
                    f"Finding below {rule.threshold:.0%}", (rule.threshold, 1 - rule.threshold), REFERENCE
                ),
            ),
            "share",
            (0.0, 1.0),
        )

    return build


#: rule key → the chart of its evidence (None when the report lacks the table: then the threshold chart)
EVIDENCE: dict[str, Callable[[rules.Finding, Report], ChartSpec | None]] = {
    "silo": _silo,
    "formal_heavy": _formal_heavy,
    "group_formal_heavy": _group_formal_heavy,
    "experts_overloaded": _experts_overloaded,
    "key_people": _key_people,
    "low_reciprocity": _share_split("Advice ties that are returned, and one-way.", "Returned", "One-way"),
    "top_down": _top_down,
    "weak_dimension": _weak_dimension,
    "stock_heavy": _stock_heavy,
    "single_holder_skills": _single_holder_skills,
    "low_response": _share_split("People who answered the survey.", "Answered", "Did not answer"),
}


def finding_chart(f: rules.Finding, report: Report) -> ChartSpec:
    """The evidence chart of finding ``f``: its rule's chart, or the threshold chart."""
    build = EVIDENCE.get(f.rule)
    spec = build(f, report) if build else None
    if spec is None or spec.is_empty:
        return threshold_chart(f, report)
    return spec
