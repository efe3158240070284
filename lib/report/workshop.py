"""The slide plan: the one list of slides the PowerPoint deck and the Present page both draw.

:func:`slide_plan` turns a :class:`lib.report.exports.Report` (for the Present page and the
default deck the aggregate view: no names or ids, groups under the minimum size hidden) into one
:class:`SlideSpec` per screen: its title, its key sentence, its chart (a
:class:`lib.report.chartspec.ChartSpec`: the learning mix against both references, the five
shifts with the previous wave, the group map, each finding's evidence) and speaker notes read
from the definitions registry (:mod:`lib.report.definitions`). The deck (:mod:`lib.report.deck`)
draws the charts natively, the Present page (:mod:`lib.app.present_view`) with plotly, the HTML
report (:mod:`lib.report.html`) as PNGs: the same numbers in all three.

The what-if analysis is :mod:`lib.analysis.whatif`; sessions and agreed actions are
:mod:`lib.store.actions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from lib.analysis.learning import INFORMAL_REFERENCE, SEVENTY_TWENTY_TEN
from lib.core.sanitise import clean_text
from lib.report import definitions
from lib.report.charts import BUCKET_COLOURS
from lib.report.chartspec import MEASURED, PREVIOUS, REFERENCE, ChartSpec, Series
from lib.report.evidence import finding_chart
from lib.report.exports import TITLE

if TYPE_CHECKING:
    from lib.report.model import Report

__all__ = [
    "CHARTLESS",
    "FINDING_NOTE_KEYS",
    "NOTE_KEYS",
    "SlideKind",
    "SlideSpec",
    "learning_chart",
    "notes_for",
    "shifts_chart",
    "slide_plan",
    "tile_notes",
]


SlideKind = Literal[
    "title", "tiles", "finding", "map", "learning", "shifts", "trust", "skills", "actions", "notice"
]
#: Slides that carry no chart: the title, the headline tiles (a grid of numbers), the agreed actions
#: (a list the room wrote) and the notice that the view has nothing to show.
CHARTLESS: frozenset[str] = frozenset({"title", "tiles", "actions", "notice"})

#: The definitions each kind of slide's speaker notes give (registry keys, in order).
NOTE_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("privacy_release",),
    "learning": ("overall_mix", "informal_reference", "bucket.experience", "bucket.others", "bucket.formal"),
    "shifts": ("shift_asl", "shift_pdl", "shift_gdl", "shift_iol", "shift_fsl"),
    "map": ("group_matrix", "ei_index"),
    "trust": (
        "dimension_summary",
        "dimension.knowledge_sharing",
        "dimension.trust",
        "dimension.credibility",
        "dimension.results_focus",
        "dimension.two_way_flow",
    ),
    "skills": ("gap_table", "coverage"),
}


@dataclass(frozen=True)
class SlideSpec:
    """One slide: what it shows (``kind``), its title, its key sentence (``subtitle``), its chart
    (None only for :data:`CHARTLESS` kinds), a line of detail and the speaker notes."""

    kind: SlideKind
    title: str
    subtitle: str = ""
    index: int = 0  # which finding, for kind "finding"
    chart: ChartSpec | None = None
    detail: str = ""
    notes: str = ""


def _entry_name(key: str) -> str:
    return next(e.name for e in definitions.entries() if e.key == key)


def notes_for(keys: Sequence[str]) -> str:
    """Speaker notes: each registry entry's name and its definition in plain text, a paragraph each."""
    return "\n\n".join(f"{_entry_name(k)}: {_one_line(definitions.text(k))}" for k in keys)


def _one_line(text: str) -> str:
    return clean_text(" ".join(definitions.plain(text).split("\n")))


def tile_notes(report: Report) -> str:
    """The headline slide's speaker notes: each tile's definition from the registry
    (:func:`lib.report.definitions.tile_help`), one line per tile; empty without a headline."""
    if report.head is None:
        return ""
    return "\n".join(f"{t.label}: {_one_line(definitions.tile_help(t))}" for t in report.head.tiles)


#: Each finding rule → the registry entry of the measure its evidence comes from (its notes give
#: the rule's text, then that measure's definition).
FINDING_NOTE_KEYS: dict[str, str] = {
    "silo": "ei_index",
    "formal_heavy": "overall_mix",
    "group_formal_heavy": "group_mix",
    "experts_overloaded": "overload",
    "key_people": "key_person_impact",
    "low_reciprocity": "reciprocity_arc",
    "top_down": "advice_flow",
    "rank_over_knowledge": "seniority_advice_correlation",
    "weak_dimension": "dimension_summary",
    "stock_heavy": "flow_share",
    "single_holder_skills": "coverage",
    "low_response": "trust_response_rate",
}


def _finding_notes(rule: str) -> str:
    measure = FINDING_NOTE_KEYS.get(rule)
    return notes_for([f"rule.{rule}", *([measure] if measure else [])])


def _values(report: Report) -> dict[str, float]:
    overall = report.table("learning_mix")
    if not len(overall):
        return {}
    return {str(k): float(v) for k, v in zip(overall["measure"], overall["value"], strict=True)}


def learning_chart(report: Report) -> ChartSpec | None:
    """Experience / others / formal per group and for the whole organisation, against both
    references: 70:20:10 and "80% informal" (informal not split, so drawn as one grey segment)."""
    by, mix, values = report.group_by, report.table(f"learning_{report.group_by}"), _values(report)
    if not len(mix) and "experience" not in values:
        return None
    buckets = [b.name for b in SEVENTY_TWENTY_TEN]
    cats = [str(g) for g in mix[by]] if len(mix) else []
    rows: list[list[float | None]] = (
        [[float(r[b]) for b in buckets] for _, r in mix.iterrows()] if len(mix) else []
    )
    if "experience" in values:
        cats.append("Whole organisation")
        rows.append([values[b] for b in buckets])
    cats += ["Reference 70:20:10", "Reference 80% informal"]
    rows += [[b.reference for b in SEVENTY_TWENTY_TEN], [None, None, 1 - INFORMAL_REFERENCE]]
    informal = [None] * (len(cats) - 1) + [INFORMAL_REFERENCE]
    series = [Series(b, tuple(r[k] for r in rows), BUCKET_COLOURS[b]) for k, b in enumerate(buckets[:2])]
    series.append(Series("informal (reference, not split)", tuple(informal), REFERENCE))
    series.append(Series(buckets[2], tuple(r[2] for r in rows), BUCKET_COLOURS[buckets[2]]))
    return ChartSpec(
        f"Share of learning time from experience, others and formal learning, per {by}, against "
        "70:20:10 and 80% informal.",
        tuple(cats),
        tuple(series),
        "share",
        (0.0, 1.0),
        stacked=True,
    )


def _learning_sentence(report: Report) -> str:
    v = _values(report)
    if "informal_share" not in v:
        return "Mean of each person's shares of learning time, against 70 : 20 : 10 and ~80% informal."
    mix = " : ".join(f"{v[b.name]:.0%}".rstrip("%") for b in SEVENTY_TWENTY_TEN)
    return (
        f"Informal learning is {v['informal_share']:.0%} of learning time (reference ~80%); "
        f"experience : others : formal = {mix} against 70 : 20 : 10."
    )


def shifts_chart(report: Report) -> ChartSpec | None:
    """The five shifts on their 0–100 scales; the previous wave as a second series when there is one."""
    card = report.table("five_shifts")
    if not len(card) or not card["score"].notna().any():
        return None
    codes = [str(c) for c in card["type"]]
    series = [
        Series(
            f"Wave {report.wave}" if report.wave else "Score",
            tuple(None if v != v else float(v) for v in card["score"]),
            MEASURED,
        )
    ]
    if report.previous_shifts:
        series.append(
            Series(
                f"Wave {report.previous_wave}",
                tuple(report.previous_shifts.get(c) for c in codes),
                PREVIOUS,
            )
        )
    return ChartSpec(
        "The five shifts, 0 = the old pole, 100 = the networked pole"
        + (f"; the previous wave ({report.previous_wave}) beside." if report.previous_shifts else "."),
        tuple(f"{t}: {s}" for t, s in zip(card["type"], card["shift"], strict=True)),
        tuple(series),
        "score",
        (0.0, 100.0),
    )


def _shifts_sentence(report: Report) -> str:
    card = report.table("five_shifts")
    scored = card[card["score"].notna()].sort_values("score", kind="stable")
    best, worst = scored.iloc[-1], scored.iloc[0]
    text = f"Furthest along: {best['shift']} ({best['score']:.0f}); least: {worst['shift']} ({worst['score']:.0f})."
    if report.previous_shifts:
        moves = [
            (float(s) - report.previous_shifts[str(c)], str(n))
            for c, n, s in zip(scored["type"], scored["shift"], scored["score"], strict=True)
            if str(c) in report.previous_shifts
        ]
        if moves:
            delta, name = max(moves, key=lambda m: abs(m[0]))
            text += f" Biggest move since {report.previous_wave}: {name} ({delta:+.0f})."
    return text


def _trust_chart(report: Report) -> ChartSpec | None:
    dims = report.table("trust_dimensions")
    if not len(dims):
        return None
    return ChartSpec(
        "Mean score per wirearchy dimension, 1–5, after reverse coding.",
        tuple(str(x) for x in dims["label"]),
        (Series("Mean (1–5)", tuple(float(x) for x in dims["mean"]), MEASURED),),
        "mean",
        (1.0, 5.0),
        horizontal=False,
    )


def _skills_chart(report: Report) -> ChartSpec | None:
    gaps = report.table("skill_gaps").head(8)
    if not len(gaps):
        return None
    return ChartSpec(
        "Levels missing across the organisation per skill: Σ max(required − current, 0) over people.",
        tuple(str(s) for s in gaps["skill"]),
        (Series("Levels missing", tuple(float(x) for x in gaps["total_gap"]), "#D55E00"),),
        "count",
    )


def _wirearchy_title(report: Report) -> str:
    return next((t.title for t in report.tables if t.name == "wirearchy_index"), "")


def slide_plan(report: Report, has_actions: bool = False) -> list[SlideSpec]:
    """The slides for ``report``, in order; slides without data are left out.

    Title; headline measures; the learning mix; the five shifts; the group map; one slide per
    finding with its evidence chart; trust; the biggest skill gaps; the agreed actions (when
    ``has_actions``). Every slide but the :data:`CHARTLESS` ones has a chart.
    """
    wave = report.wave or "all data"
    plan = [
        SlideSpec(
            "title",
            TITLE,
            f"{report.source} · wave {wave}",
            notes=notes_for(NOTE_KEYS["title"]),
        )
    ]
    if report.notice:
        return [*plan, SlideSpec("notice", "Nothing to show in this view", report.notice)]
    head = report.head
    if head is not None:
        plan.append(
            SlideSpec(
                "tiles", "Headline measures", f"Wave {head.wave or 'all data'}", notes=tile_notes(report)
            )
        )
    by = report.group_by
    if (mix := learning_chart(report)) is not None:
        plan.append(
            SlideSpec(
                "learning",
                f"How people learn, per {by}: experience, others, formal" if by else "How people learn",
                _learning_sentence(report),
                chart=mix,
                notes=notes_for(NOTE_KEYS["learning"]),
            )
        )
    if (card := shifts_chart(report)) is not None:
        plan.append(
            SlideSpec(
                "shifts",
                "The five shifts",
                _shifts_sentence(report),
                chart=card,
                notes=notes_for(NOTE_KEYS["shifts"]),
            )
        )
    if "network_map" in report.images:
        plan.append(
            SlideSpec(
                "map",
                "Who goes to whom for advice",
                f"The network between {by} groups",
                chart=ChartSpec(report.map_note or f"The network between {by} groups.", image="network_map"),
                detail=report.map_note,
                notes=notes_for(NOTE_KEYS["map"]),
            )
        )
    if head is not None:
        total = len(head.findings)
        for i, f in enumerate(head.findings):
            plan.append(
                SlideSpec(
                    "finding",
                    f"Finding {i + 1} of {total}",
                    f.statement,
                    i,
                    chart=finding_chart(f, report),
                    detail=f.suggestion,
                    notes=_finding_notes(f.rule),
                )
            )
    if (trust := _trust_chart(report)) is not None:
        plan.append(
            SlideSpec(
                "trust",
                "Trust and wirearchy",
                f"Mean score per dimension, 1–5. {_wirearchy_title(report)}.",
                chart=trust,
                notes=notes_for(NOTE_KEYS["trust"]),
            )
        )
    if (gaps := _skills_chart(report)) is not None:
        plan.append(
            SlideSpec(
                "skills",
                "Biggest skill gaps",
                "Levels missing across the organisation",
                chart=gaps,
                notes=notes_for(NOTE_KEYS["skills"]),
            )
        )
    if has_actions:
        plan.append(SlideSpec("actions", "Agreed actions", "What the room decided to do next"))
    return plan
