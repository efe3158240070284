"""The definitions registry: every measure the app shows, once, for the pages, the exports, the deck and the CLI.

A :class:`Measure` names one number: its ``key``, a human ``name``, the ``unit`` it comes in,
which ``variant`` of a measure with several meanings it is (reciprocity: arc, dyad or
Garlaschelli–Loffredo), its ``source`` and the function ``fn`` that computes it. Its text (the
formula in plain words and symbols) is either written here (``formula``, for numbers that share
one function, such as the whole-network summary's fields and the headline tiles) or is ``fn``'s
docstring, so a docstring that states a formula stays the one place it is written. Role texts
are built from the :class:`lib.analysis.roles.RoleThresholds` in use.

A :class:`Term` is a category or rule the measures use (learning types, 70:20:10 buckets, trust
dimensions, severity bands, verdicts, findings rules, the privacy rules): its text lives in the
table that is the rule (rules as data) and is read from there.

One lookup: :func:`text` (a key or a column name → its text), :func:`tile_help` for the headline
tiles, :func:`role_texts` for the roles, :func:`rows` for the definitions sheet, the deck's
appendix and ``python -m lib.cli definitions``.

**Why here, in** ``lib/report``: the registry names the function of every measure, and those live
in ``lib/analysis`` and, for the live pulse's counts, ``lib/store``; ``lib/report`` is the lowest
layer allowed to import both, and everything that shows a text (exports, deck, HTML report,
pages, CLI) sits at or above it. Analysis modules import nothing from here: a table they return
that used to carry a text (:func:`lib.analysis.netmap.summary_table`,
:func:`lib.analysis.netmap.role_counts`) takes the texts as an argument, and a headline tile
carries only its data-dependent ``detail``. So no analysis module can end up in an import cycle
with the registry, and ``tests/test_definitions.py`` checks every entry's function resolves.
The alternative, a ``lib/core`` module naming functions by dotted path, would have to copy the
docstrings' texts into itself (a core module cannot read an analysis docstring without importing
upwards), which is the second copy this module exists to remove.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lib.analysis import findings as rules
from lib.analysis import (
    flows,
    hierarchy,
    learning,
    network,
    overview,
    pulse_summary,
    roles,
    shifts,
    skills,
    smn,
    trust,
    wirearchy,
)
from lib.analysis.roles import RoleThresholds
from lib.core import privacy
from lib.core.schema import LEARNING_TYPES, WIREARCHY_DIMENSIONS
from lib.report import columns as table_columns

__all__ = [
    "COLUMNS",
    "MEASURES",
    "TILE_PREFIX",
    "Measure",
    "Term",
    "as_json",
    "entries",
    "function_path",
    "measure",
    "plain",
    "role_texts",
    "rows",
    "summary_texts",
    "terms",
    "text",
    "tile_help",
]

RoleText = Callable[[RoleThresholds], str]


def plain(doc: str) -> str:
    """A text as plain prose: reST roles and back-quotes removed, lines joined, one line per paragraph."""
    text = _markdown(doc)
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n".join(p for p in paragraphs if p)


def _markdown(doc: str) -> str:
    """A docstring as help text: indentation removed, ``:func:`a.b.c``` shown as ``c``."""
    text = inspect.cleandoc(doc or "")
    return re.sub(r":(?:func|data|class|mod|meth|attr):`~?(?:[\w.]+\.)?([\w]+)`", r"``\1``", text)


@dataclass(frozen=True)
class Measure:
    """One number the app shows, and where it comes from."""

    key: str
    name: str
    area: str
    unit: str
    variant: str
    source: str
    fn: Callable[..., Any] | type
    #: the definition; None: ``fn``'s docstring; a callable: built from the role thresholds in use
    formula: str | RoleText | None = None
    #: table columns this entry defines besides ``key`` (the five brokerage counts share one text)
    columns: tuple[str, ...] = ()

    def text(self, thresholds: RoleThresholds | None = None) -> str:
        """The definition as help text (Markdown)."""
        if self.formula is None:
            return _markdown(self.fn.__doc__ or "")
        if callable(self.formula):
            return self.formula(thresholds or RoleThresholds())
        return self.formula


@dataclass(frozen=True)
class Term:
    """A category or rule the measures use; its text comes from the table that holds the rule."""

    key: str
    name: str
    area: str
    text: str
    source: str = ""


# --- the texts written here ---------------------------------------------------------------------

#: The arc variant's one text (:func:`lib.analysis.network.arc_reciprocity`'s docstring), which
#: the headline tile and trust reciprocity apply to one network.
_ARC_RECIPROCITY = _markdown(network.arc_reciprocity.__doc__ or "")

_SUMMARY: dict[str, tuple[str, str, str, str, str]] = {
    # field: (name, unit, variant, source, formula)
    "people": ("People", "people", "roster, isolates included", "—", "People in scope: everyone on the roster, including people with no ties (n)."),
    "ties": ("Ties", "arcs", "distinct ordered pairs", "—", "Arcs: ordered pairs i → j with at least one tie of the chosen relations (m); parallel ties across relations count once."),
    "density": ("Density", "share 0–1", "directed", "Wasserman & Faust (1994)", "Density m / (n(n − 1)): share of all possible directed ties that exist (Wasserman & Faust 1994). 0 when fewer than 2 people."),
    "mutual": ("Mutual pairs", "pairs", "dyad census", "Holland & Leinhardt (1970)", "Dyad census, mutual pairs M: pairs tied in both directions (Holland & Leinhardt 1970)."),
    "asymmetric": ("Asymmetric pairs", "pairs", "dyad census", "Holland & Leinhardt (1970)", "Dyad census, asymmetric pairs A: pairs tied in one direction only."),
    "null": ("Null pairs", "pairs", "dyad census", "Holland & Leinhardt (1970)", "Dyad census, null pairs N = n(n − 1)/2 − M − A: pairs with no tie."),
    "reciprocity_arc": ("Arc reciprocity", "share 0–1", "arc (2M / m)", "igraph reciprocity(); networkx overall_reciprocity", ""),
    "reciprocity_dyad": ("Dyad reciprocity", "share 0–1", "dyad (M / (M + A))", "UCINET 'dyad reciprocity'", ""),
    "transitivity": ("Transitivity", "share 0–1", "global clustering, direction ignored", "Wasserman & Faust (1994)", "Transitivity, global clustering 3 × triangles / connected triples with direction ignored (igraph `transitivity_undirected`, networkx `transitivity` on the undirected graph; Wasserman & Faust 1994). NaN when nobody has two contacts."),
    "closure": ("Directed closure", "share 0–1", "directed 2-paths", "UCINET 'Transitivity'; Wasserman & Faust (1994) §6.3", "Directed closure: share of 2-paths i → j → k (i ≠ k) closed by a tie i → k (UCINET 'Transitivity', Wasserman & Faust 1994 §6.3). NaN when there are no 2-paths."),
    "centralization_in": ("In-degree centralisation", "0–1", "directed, as UCINET", "Freeman (1979)", "In-degree centralisation Σ_i (max d_in − d_in(i)) / (n − 1)²: 1 when one person is named by everyone else and nobody else is named (Freeman 1979, directed form as UCINET). NaN below 2 people."),
    "centralization_out": ("Out-degree centralisation", "0–1", "directed, as UCINET", "Freeman (1979)", "Out-degree centralisation Σ_i (max d_out − d_out(i)) / (n − 1)² (Freeman 1979, directed form as UCINET). NaN below 2 people."),
    "centralization_degree": ("Degree centralisation", "0–1", "symmetrised graph", "Freeman (1979)", "Freeman degree centralisation on the symmetrised graph (a tie in either direction), Σ_i (max d − d(i)) / ((n − 1)(n − 2)): 1 for a star (Freeman 1979). NaN below 3 people."),
    "components_strong": ("Strong components", "groups", "strong (directed)", "UCINET 'components'", "Strong components: groups in which everyone can reach everyone along the direction of the ties (UCINET's 'components'). People with no ties are one each."),
    "largest_strong": ("Largest strong component", "people", "strong (directed)", "—", "Size of the largest strong component."),
    "components_weak": ("Weak components", "groups", "weak (direction ignored)", "—", "Weak components: groups connected when direction is ignored."),
    "largest_weak": ("Largest weak component", "people", "weak (direction ignored)", "—", "Size of the largest weak component."),
    "connectedness": ("Connectedness", "share 0–1", "directed reachability", "Krackhardt (1994)", "Connectedness: share of ordered pairs (i, j), i ≠ j, where i can reach j along directed ties (Krackhardt 1994 uses the symmetric version). NaN below 2 people."),
    "average_distance": ("Average distance", "steps", "directed, reachable pairs only", "—", "Average distance: mean number of steps along directed ties over ordered pairs that can reach each other (unreachable pairs left out). Above 5,000 people estimated from 256 sampled source people. NaN when nobody reaches anybody."),
    "average_distance_estimated": ("Average distance estimated", "true/false", "—", "—", "True when the average distance was estimated from sampled sources."),
    "gini_in_degree": ("Gini of in-degree", "0–1", "in-degree, distinct people", "Dorfman (1979)", "Gini of in-degree: 0 when everyone is named equally often, towards 1 when a few people are named by everybody: how much the network leans on a few people (Dorfman 1979 formula)."),
    "modularity_teams": ("Modularity of the teams", "−0.5–1", "direction ignored, weights summed", "Newman & Girvan (2004)", "Modularity of the formal teams Q = (1/2m) Σ_ij (w_ij − k_i k_j / 2m) δ(team_i, team_j), direction ignored, weights summed (Newman & Girvan 2004). High (> 0.3): ties stay inside teams. People with a blank team are a group of their own each. NaN without ties or teams."),
    "modularity_communities": ("Modularity of the communities", "−0.5–1", "Leiden communities", "Newman & Girvan (2004); Traag et al. (2019)", "Modularity of the communities found by the Leiden algorithm (same formula and graph as the teams' modularity); the gap to the teams' value shows how far the informal structure differs from the formal one."),
    "communities": ("Communities", "groups", "Leiden", "Traag, Waltman & van Eck (2019)", "Number of communities found (people with no ties count one each)."),
    "isolates": ("Isolates", "people", "no tie in or out", "—", "People with no ties at all in the chosen relations."),
    "undirected_edges": ("Connected pairs", "pairs", "direction ignored", "—", "Connected pairs with direction ignored (edges of the symmetrised graph)."),
}  # fmt: skip


def _top(share: float) -> str:
    """Not "the top 10%": everyone tied at the cut-off passes, so more than that share can qualify;
    the reason beside each person and the role counts say how many did."""
    percentile = f"{round((1 - share) * 100):d}th percentile"
    return (
        f"at or above the {percentile} (ties at the cut-off all count, so the share can exceed {share:.0%})"
    )


def _peripheral(th: RoleThresholds) -> str:
    return "one tie" if th.peripheral_max_degree == 1 else f"{th.peripheral_max_degree} ties"


_ROLES: dict[str, tuple[str, RoleText]] = {
    "central_connector": (
        "Central connector",
        lambda th: (
            f"Central connector: named by many colleagues (in-degree in {_top(th.connector_top_share)}). "
            "Holds the network together; can become a bottleneck."
        ),
    ),
    "broker": (
        "Broker / boundary spanner",
        lambda th: (
            "Broker / boundary spanner: lies on many shortest paths (betweenness in "
            f"{_top(th.broker_top_share)}) or links people in different groups on the most open paths "
            f"({_top(th.broker_spanning_top_share)} of Gould-Fernandez liaison + representative + gatekeeper "
            f"brokerage, at least {th.broker_min_spanning}). Carries ideas between groups."
        ),
    ),
    "peripheral": (
        "Peripheral",
        lambda th: (
            f"Peripheral: {_peripheral(th)} in or out at most, among people who answered the survey. "
            "Possibly new, a specialist, or overlooked. Someone who did not answer is never peripheral: "
            "their own ties are unknown."
        ),
    ),
    "isolate": (
        "Isolate",
        lambda th: (
            "Isolate: answered the survey, yet no ties at all in the chosen relations (someone who did "
            "not answer is not an isolate)."
        ),
    ),
    "energiser": (
        "Energiser",
        lambda th: (
            f"Energiser: named as energising by many colleagues ({th.energy_relation} in-degree in "
            f"{_top(th.energiser_top_share)})."
        ),
    ),
    "overload": (
        "Overload risk",
        lambda th: (
            f"Overload risk: much sought for {' and '.join(th.demand_relations)} "
            f"({_top(th.overload_top_share)} in-degree of those relations combined) by people from at least "
            f"{th.overload_min_groups} groups."
        ),
    ),
}

_TILES: dict[str, tuple[str, str, Callable[..., Any], str, str]] = {
    # tile key: (name, unit, function, source, formula)
    "people": ("People", "people", overview.facts, "—", "People on the roster (the people sheet)."),
    "response_rate": (
        "Response rate",
        "share 0–1",
        trust.response_rate,
        "—",
        "Respondents (people with at least one survey answer in the wave, or marked responded) / people.",
    ),
    "informal_share": (
        "Informal learning",
        "share 0–1",
        learning.overall_mix,
        "Cross (2007); Jarche",
        "1 − FSL share of learning time (reference: about 80%), with its 95% bootstrap interval over "
        "respondents (1,999 resamples; 499 above 5,000 respondents, and a note then states the Monte Carlo "
        "error); experience : others : formal against the 70 : 20 : 10 reference (a model of where key "
        "lessons come from, not of hours).",
    ),
    "shifts": (
        "Five shifts",
        "score 0–100",
        shifts.scorecard,
        "Jarche, five shifts",
        "Each shift's position between its 'from' and 'to' pole (0–100); the tile's value is their mean. "
        "See the Learning page for each formula.",
    ),
    "wirearchy_index": (
        "Wirearchy index",
        "score 0–100",
        wirearchy.combine,
        "Husband; Jarche",
        "Weighted mean of survey dimensions and network indicators (0–100); see the Trust & wirearchy page.",
    ),
    "advice_reciprocity": (
        "Advice reciprocity",
        "share 0–1",
        network.arc_reciprocity,
        "igraph reciprocity(); networkx overall_reciprocity",
        "Of the advice network among the people who answered the survey (a tie to a non-respondent could "
        "never be returned). " + _ARC_RECIPROCITY,
    ),
    "silo_groups": (
        "Silo departments",
        "departments",
        network.ei_index,
        "Krackhardt & Stern (1988)",
        f"Departments shown in the aggregate view whose E-I index of the advice they ask (ties sent) is ≤ "
        f"{overview.SILO_EI} and more inward than a random network with the same department sizes and density "
        "gives (above its 97.5th percentile): most of what they ask stays inside.",
    ),
    "top_gaps": (
        "Biggest skill gaps",
        "skill levels",
        skills.top_gaps,
        "—",
        "The three skills with the largest total gap (Σ max(required − current, 0) over people).",
    ),
    "key_people": (
        "Key people",
        "people",
        roles.rank_key_people_among_respondents,
        "Borgatti (2006)",
        f"People whose departure alone would cut at least {overview.KEY_PERSON_REACH_LOSS:.0%} of who can "
        "reach whom in the advice network, or cut someone off from it, among the people who answered the "
        "survey (a non-respondent's own ties are unknown, so nobody is key for being the one who named them).",
    ),
}

TILE_PREFIX = "headline."


def _measures() -> tuple[Measure, ...]:
    out: list[Measure] = []

    def add(
        key: str,
        name: str,
        area: str,
        unit: str,
        variant: str,
        source: str,
        fn: Callable[..., Any] | type,
        formula: str | RoleText | None = None,
        columns: tuple[str, ...] = (),
    ) -> None:
        out.append(Measure(key, name, area, unit, variant, source, fn, formula, columns))

    for key, (name, unit, fn, source, formula) in _TILES.items():
        variant = "arc" if key == "advice_reciprocity" else "—"
        add(TILE_PREFIX + key, name, "Headline", unit, variant, source, fn, formula)

    # network: people (the docstrings are the definitions)
    people_area = "Network: people"
    for key, name, unit, variant, source, fn in (
        ("in_degree", "In-degree", "people", "distinct people, unweighted", "Freeman (1979)", network.in_degree),
        ("out_degree", "Out-degree", "people", "distinct people, unweighted", "Freeman (1979)", network.out_degree),
        ("in_strength", "In-strength", "Σ tie weights", "weights summed over relations", "Barrat et al. (2004)", network.in_strength),
        ("out_strength", "Out-strength", "Σ tie weights", "weights summed over relations", "Barrat et al. (2004)", network.out_strength),
        ("betweenness", "Betweenness", "share 0–1", "directed, unweighted, normalised", "Freeman (1977); Brandes (2001)", network.betweenness),
        ("harmonic_closeness", "Harmonic closeness", "0–1", "incoming paths, unweighted", "Marchiori & Latora (2000); Rochat (2009)", network.harmonic_closeness),
        ("pagerank", "PageRank", "share (sums to 1)", "directed, weighted, d = 0.85", "Brin & Page (1998)", network.pagerank),
        ("eigenvector", "Eigenvector centrality", "0–1 (top = 1)", "undirected, unweighted", "Bonacich (1972)", network.eigenvector),
        ("constraint", "Burt's constraint", "0–~1", "directed, weighted, both directions summed", "Burt (1992)", network.constraint),
        ("effective_size", "Effective size", "contacts", "undirected, unweighted", "Burt (1992); Borgatti (1997)", network.effective_size),
        ("coreness", "k-core", "k", "undirected, unweighted", "Seidman (1983); Batagelj & Zaversnik (2003)", network.coreness),
        ("community", "Community", "label", "Leiden, undirected, weighted", "Traag, Waltman & van Eck (2019)", network.community),
    ):  # fmt: skip
        add(key, name, people_area, unit, variant, source, fn)
    add(
        "brokerage",
        "Brokerage (coordinator, gatekeeper, representative, consultant, liaison, total)",
        people_area,
        "open 2-paths",
        "directed, unweighted, by group",
        "Gould & Fernandez (1989)",
        network.brokerage,
        columns=(*(f"brokerage_{r}" for r in network.BROKERAGE_ROLES), "brokerage_total"),
    )
    for key, (name, unit, variant, source, formula) in _SUMMARY.items():
        computed_by = {
            "reciprocity_arc": network.arc_reciprocity,
            "reciprocity_dyad": network.dyad_reciprocity,
        }
        field_fn = computed_by.get(key, network.network_measures)
        add(key, name, "Network: organisation", unit, variant, source, field_fn, formula or None)
    add("ei_index", "E-I index", "Network: groups", "−1 to +1", "directed arcs, not size-corrected", "Krackhardt & Stern (1988)", network.ei_index, columns=("ei",))  # fmt: skip
    add("group_matrix", "Group matrix", "Network: groups", "arcs", "directed", "—", network.group_matrix)
    for key, (name, build) in _ROLES.items():
        add(key, name, "Network: roles", "yes/no", "thresholds as set", "Cross & Parker (2004)", roles.assign_roles, build)  # fmt: skip
    add("key_person_impact", "Key-person impact", "Network: roles", "share 0–1", "reachable ordered pairs", "Borgatti (2006)", roles.KeyPersonImpact)  # fmt: skip

    area = "Learning mix"
    add("overall_mix", "Learning mix (organisation)", area, "share 0–1", "mean of people's shares", "Jarche; Cross (2007)", learning.overall_mix)  # fmt: skip
    add("learning_respondents", "Respondents (learning)", area, "people", "hours > 0 in the wave", "—", learning.overall_mix, "People with learning hours > 0 in this wave.")  # fmt: skip
    add(
        "self_directed_share",
        "Self-directed share (IOL + GDL + PDL)",
        area,
        "share 0–1",
        "mean of people's shares",
        "Jarche",
        learning.overall_mix,
        "Self-directed share = mix(IOL) + mix(GDL) + mix(PDL), the mean share of learning people direct "
        "themselves. Jarche: self-directed learning is the essence of social learning.",
    )
    add("group_mix", "Learning mix per group", area, "share 0–1", "mean of people's shares", "Jarche", learning.group_mix)  # fmt: skip
    add("group_spread", "Learning mix spread", area, "share 0–1", "quartiles, sd with n − 1", "—", learning.group_spread)  # fmt: skip
    add("network_learning_mix", "Learning through the network", area, "share 0–1", "tie weights", "Jarche", learning.network_learning_mix)  # fmt: skip
    add("learning_hubs", "Learning hubs", area, "people", "in-degree per learning type", "Freeman (1979)", learning.learning_hubs)  # fmt: skip

    area = "Stocks and flows"
    add("flow_share", "Flow share", area, "share 0–1", "events (log) or tie weights (mode)", "Jarche (2010)", flows.flow_share)  # fmt: skip
    add("flow_share_by_group", "Flow share per group", area, "share 0–1", "events per actor's group", "Jarche (2010)", flows.flow_share_by_group)  # fmt: skip
    add("flow_trend", "Flow share over time", area, "share 0–1", "per week or month", "Jarche (2010)", flows.flow_trend)  # fmt: skip
    add("neglected_stock", "Neglected stock", area, "topics", "reads and discussions by others", "Jarche (2010)", flows.neglected_stock)  # fmt: skip
    add("stock_producers", "Stock producers", area, "events", "posts, edits, comments", "Jarche (2010)", flows.stock_producers)  # fmt: skip
    add("conversation_hubs", "Conversation hubs", area, "people", "distinct partners", "Jarche (2010)", flows.conversation_hubs)  # fmt: skip

    for fn in shifts.SHIFTS:
        code = fn.__name__.removeprefix("shift_").upper()
        add(fn.__name__, f"Shift {code}", "Five shifts", "score 0–100", "see the formula", "Jarche, five shifts", fn)  # fmt: skip

    area = "Trust"
    add("trust_response_rate", "Response rate (survey)", area, "share 0–1", "respondents / roster", "—", trust.response_rate)  # fmt: skip
    add("dimension_summary", "Trust dimensions", area, "score 1–5", "reverse-coded items", "Husband; Jarche", trust.dimension_summary)  # fmt: skip
    add("item_summary", "Trust items", area, "score 1–5", "raw and reverse-coded", "—", trust.item_summary)  # fmt: skip
    add("scores_by_group", "Trust per group", area, "score 1–5", "reverse-coded, small groups suppressed", "—", trust.scores_by_group)  # fmt: skip
    add("cronbach_alpha", "Cronbach's alpha", area, "≤ 1", "sample variances (ddof 1)", "Cronbach (1951)", trust.cronbach_alpha)  # fmt: skip
    add("mcdonald_omega", "McDonald's omega", area, "≤ 1", "one-factor model", "McDonald (1999)", trust.mcdonald_omega)  # fmt: skip

    area = "Wirearchy"
    add("wirearchy_index", "Wirearchy index", area, "score 0–100", "weighted mean, missing parts renormalised", "Husband; Jarche", wirearchy.combine)  # fmt: skip
    add("advice_flow", "Advice up, across, down", area, "share 0–1", "by level and reporting chain", "—", hierarchy.advice_flow)  # fmt: skip
    add("flow_by_level", "Advice direction per level", area, "share 0–1", "ties sent per level", "—", hierarchy.flow_by_level)  # fmt: skip
    add("wirearchy_index_interval", "Wirearchy index: 95% interval", area, "score 0–100", "bootstrap over respondents, percentile (499 resamples above 5,000)", "Efron & Tibshirani (1993)", wirearchy.index_interval)  # fmt: skip
    add("index_by_group", "Wirearchy index per group", area, "score 0–100", "per group, small groups suppressed", "—", wirearchy.index_by_group)  # fmt: skip
    add(
        "cross_level_reciprocity",
        "Advice returned across levels",
        area,
        "share 0–1",
        "arc reciprocity of cross-level arcs, among respondents",
        "—",
        hierarchy.cross_level_reciprocity,
    )
    add(
        "trust_reciprocity",
        "Trust reciprocity",
        area,
        "share 0–1",
        "arc (2M / m), among respondents",
        "igraph reciprocity(); networkx overall_reciprocity",
        hierarchy.trust_reciprocity,
        "Of the trust network (ties with relation ``trust``) among the people who answered the network "
        "survey: a tie to a non-respondent can never be returned. " + _ARC_RECIPROCITY,
    )
    add("hierarchy_bypass", "Hierarchy bypass", area, "share 0–1", "outside chain and team", "—", hierarchy.hierarchy_bypass)  # fmt: skip
    add("krackhardt_hierarchy", "Krackhardt hierarchy", area, "0–1", "reachability pairs", "Krackhardt (1994)", hierarchy.krackhardt_hierarchy)  # fmt: skip
    add("advice_hierarchy", "Krackhardt hierarchy of advice", area, "0–1", "among respondents", "Krackhardt (1994)", hierarchy.advice_hierarchy)  # fmt: skip
    add("seniority_advice_correlation", "Knowledge vs formal authority", area, "ρ −1 to +1", "Spearman, average ranks", "Spearman (1904)", hierarchy.seniority_advice_correlation)  # fmt: skip
    add("hidden_leaders", "Hidden leaders", area, "people", "top in-degree, junior level", "—", hierarchy.hidden_leaders)  # fmt: skip

    area = "Skills"
    add("gap_table", "Skill gaps", area, "skill levels", "Σ max(required − current, 0)", "—", skills.gap_table)  # fmt: skip
    add("group_gap_cells", "Skill gaps per group", area, "skill levels", "small groups suppressed per skill", "—", skills.group_gap_cells)  # fmt: skip
    add("coverage", "Skill coverage (bus factor)", area, "people", "people at or above each level", "—", skills.coverage)  # fmt: skip
    add("coverage_change", "Coverage change", area, "people", "holders after − before", "—", skills.coverage_change)  # fmt: skip
    add("skill_clusters", "Skill-profile clusters", area, "clusters", "KMeans, k by silhouette", "Rousseeuw (1987)", skills.skill_clusters)  # fmt: skip
    add(
        "ari_vs_team",
        "Agreement with teams (ARI)",
        area,
        "−0.5–1",
        "adjusted Rand index",
        "Hubert & Arabie (1985)",
        skills.skill_clusters,
        "Adjusted Rand index between the skill-profile clusters and the formal teams (Hubert & Arabie "
        "1985): 1 = the clusters are the teams; about 0 = they cut across teams.",
    )
    add("subject_matter_networks", "Subject-matter networks", area, "people, shares", "holders' ties and seekers", "Jarche", smn.subject_matter_networks)  # fmt: skip
    add("who_to_ask", "Who to ask", area, "steps, people", "undirected advice + collaboration", "—", smn.who_to_ask)  # fmt: skip
    add("introductions", "Introductions list", area, "pairs", "greedy, load spread", "—", smn.introductions)  # fmt: skip

    area = "Live pulse"
    add("pulse_summary", "Pulse answers", area, "answers, hours, 1–5", "raw answers", "—", pulse_summary.summarise)  # fmt: skip
    add(
        "pulse_advice_ties",
        "Advice ties named (pulse)",
        area,
        "ties",
        "Σ mentions",
        "—",
        pulse_summary.summarise,
        "Advice ties named: how many times participants named someone they go to for advice, as of the "
        "last update of the averages, as everything below.",
    )
    return tuple(out)


#: Every measure, in the order of the definitions sheet.
MEASURES: tuple[Measure, ...] = _measures()
_BY_KEY: dict[str, Measure] = {m.key: m for m in MEASURES}
_BY_COLUMN: dict[str, Measure] = {c: m for m in MEASURES for c in m.columns}


def terms() -> tuple[Term, ...]:
    """The categories and rules the measures use, read from the tables that hold them."""
    out: list[Term] = [
        Term(
            "privacy_release",
            "What the aggregate view may show",
            "Privacy",
            plain(privacy.plan_release.__doc__ or ""),
        ),
        Term(
            "privacy_suppression",
            "Small-group suppression (named view)",
            "Privacy",
            plain(privacy.suppress_small_groups.__doc__ or ""),
        ),
        Term(
            "informal_reference",
            "Reference: informal",
            "Learning types",
            learning.REFERENCES["informal_share"][1] + ".",
            "Cross (2007); Jarche",
        ),
    ]
    out += [Term(f"learning_type.{c}", c, "Learning types", t) for c, t in LEARNING_TYPES.items()]
    out += [
        Term(
            f"bucket.{b.name}",
            b.name,
            "Learning: 70:20:10",
            f"Reference {b.reference:.0%}; learning types {' + '.join(b.types)}. {b.why}",
        )
        for b in learning.SEVENTY_TWENTY_TEN
    ]
    out += [Term(f"dimension.{d}", d, "Trust: dimensions", t) for d, t in WIREARCHY_DIMENSIONS.items()]
    out += [
        Term(f"component.{c.key}", c.label, "Wirearchy: components", f"{c.scoring}; {c.direction}.")
        for c in wirearchy.INDEX_COMPONENTS
    ]
    out += [
        Term(f"severity.{b.name}", b.name, "Skills: gap severity", b.meaning) for b in skills.SEVERITY_BANDS
    ]
    out += [
        Term(f"flag.{f.name}", f.name, "Skills: coverage flags", f.meaning) for f in skills.BUS_FACTOR_FLAGS
    ]
    out += [Term(f"verdict.{v}", v, "Skills: network verdicts", m) for v, m in smn.VERDICTS]
    out += [
        Term(
            f"rule.{r['rule']}",
            str(r["rule"]),
            "Findings rules",
            f"Applies to {r['applies to']}; fires when {r['fires when']}, strong when {r['strong when']}; "
            f"look deeper on the {r['page']} page.",
        )
        for r in rules.rules_table().to_dict("records")
    ]
    return tuple(out)


_TERMS: tuple[Term, ...] = terms()
_TERM_BY_KEY: dict[str, Term] = {t.key: t for t in _TERMS}


def entries() -> tuple[Measure | Term, ...]:
    """Every entry: the measures, then the terms."""
    return (*MEASURES, *_TERMS)


def measure(key: str) -> Measure:
    """The measure of ``key`` or of a table column it defines (``brokerage_liaison`` → brokerage)."""
    found = _BY_KEY.get(key) or _BY_COLUMN.get(key)
    if found is None:
        raise KeyError(f"no definition for {key!r}")
    return found


def text(key: str, thresholds: RoleThresholds | None = None) -> str:
    """The definition of a measure, a table column it defines, or a term, as help text (Markdown).

    ``thresholds``: the role thresholds in use (role texts state them); default thresholds when None.
    """
    if key in _TERM_BY_KEY:
        return _TERM_BY_KEY[key].text
    return measure(key).text(thresholds)


def column_help(name: str) -> str:
    """A table column's header help on the pages: the definition of the measure it shows where the
    registry defines one (``in_degree``, ``brokerage_liaison``), else the column's own help from
    :data:`lib.report.columns.COLUMNS` (``total_gap``: the levels missing, on whom, in which unit),
    else "" (a column neither knows: a group name as a pivot's column)."""
    try:
        return text(name)
    except KeyError:
        known = table_columns.COLUMNS.get(name)
        return known.help if known is not None else ""


def tile_help(tile: overview.Tile) -> str:
    """A headline tile's help: its definition, then what it shows now (``tile.detail``)."""
    base = text(TILE_PREFIX + tile.key)
    return f"{base} {tile.detail}" if tile.detail else base


def role_texts(thresholds: RoleThresholds | None = None) -> dict[str, str]:
    """Role → its definition, with ``thresholds`` in force (for :func:`lib.analysis.netmap.role_counts`)."""
    return {role: text(role, thresholds) for role in roles.ROLE_NAMES}


def summary_texts() -> dict[str, str]:
    """NetworkSummary field → its definition (for :func:`lib.analysis.netmap.summary_table`)."""
    return {key: plain(text(key)) for key in _SUMMARY}


#: The columns of :func:`rows`: the definitions sheet, the deck's appendix and the CLI.
COLUMNS: tuple[str, ...] = ("area", "measure", "key", "unit", "variant", "source", "definition")


def rows(thresholds: RoleThresholds | None = None) -> list[dict[str, str]]:
    """Every entry as a row of :data:`COLUMNS`, definitions as plain text (one line per paragraph)."""
    out = [
        {
            "area": m.area,
            "measure": m.name,
            "key": m.key,
            "unit": m.unit,
            "variant": m.variant,
            "source": m.source,
            "definition": plain(m.text(thresholds)),
        }
        for m in MEASURES
    ]
    out += [
        {
            "area": t.area,
            "measure": t.name,
            "key": t.key,
            "unit": "",
            "variant": "",
            "source": t.source,
            "definition": plain(t.text),
        }
        for t in _TERMS
    ]
    return out


def function_path(entry: Measure) -> str:
    """``module:qualname`` of the entry's function (for the CLI and the test that resolves it)."""
    return f"{entry.fn.__module__}:{entry.fn.__qualname__}"


def as_json(thresholds: RoleThresholds | None = None) -> list[dict[str, str]]:
    """:func:`rows` with each measure's function as ``module:name`` (terms have none)."""
    paths = {m.key: function_path(m) for m in MEASURES}
    return [{**r, "function": paths.get(r["key"], "")} for r in rows(thresholds)]


def _check_unique(keys: Iterable[str]) -> None:
    """Fail at import when two entries share a key (a lookup would silently take one)."""
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise ValueError(f"definition key {k!r} twice")
        seen.add(k)


_check_unique([e.key for e in entries()] + list(_BY_COLUMN))
