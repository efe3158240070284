"""The workshop's presentation: which screens the Present page shows, in order.

:func:`slide_plan` turns an aggregate-view :class:`lib.report.exports.Report` (no names or ids, groups
under the minimum size hidden, as in the exported deck) into one screen per finding or chart.
The what-if analysis is :mod:`lib.analysis.whatif`; sessions and agreed actions are
:mod:`lib.store.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from lib.report.exports import Report

__all__ = ["SlideKind", "SlideSpec", "slide_plan"]


SlideKind = Literal["title", "tiles", "finding", "map", "learning", "trust", "skills", "actions", "notice"]


@dataclass(frozen=True)
class SlideSpec:
    """One screen of the presentation: what it shows (``kind``) and its headline text."""

    kind: SlideKind
    title: str
    subtitle: str = ""
    index: int = 0  # which finding, for kind "finding"


def slide_plan(report: Report, has_actions: bool = False) -> list[SlideSpec]:
    """The presentation's screens for an aggregate-view report, in order; slides without data are left out.

    Title; headline measures; one screen per finding; the group network map; the learning mix;
    the trust dimensions; the biggest skill gaps; the agreed actions (when ``has_actions``).
    """
    wave = report.wave or "all data"
    plan = [SlideSpec("title", "How this organisation learns", f"{report.source} · wave {wave}")]
    if report.notice:
        return [*plan, SlideSpec("notice", "Nothing to show in this view", report.notice)]
    head = report.head
    if head is not None:
        plan.append(SlideSpec("tiles", "Headline measures", f"Wave {head.wave or 'all data'}"))
        total = len(head.findings)
        for i, f in enumerate(head.findings):
            plan.append(SlideSpec("finding", f"Finding {i + 1} of {total}", f.statement, i))
    if report.map_note:
        plan.append(
            SlideSpec("map", "Who goes to whom for advice", f"The network between {report.group_by} groups")
        )
    if len(report.table(f"learning_{report.group_by}")) or len(report.table("learning_mix")):
        plan.append(
            SlideSpec(
                "learning",
                "How people learn: experience, others, formal",
                "Share of learning time; reference 70 : 20 : 10",
            )
        )
    if len(report.table("trust_dimensions")):
        plan.append(SlideSpec("trust", "Trust and wirearchy", "Mean score per dimension, 1–5"))
    if len(report.table("skill_gaps")):
        plan.append(SlideSpec("skills", "Biggest skill gaps", "Levels missing across the organisation"))
    if has_actions:
        plan.append(SlideSpec("actions", "Agreed actions", "What the room decided to do next"))
    return plan
