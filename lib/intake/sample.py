"""The sample organisation: a seeded, fictitious company with planted stories to find.

:func:`generate` builds a canonical :class:`~lib.core.dataset.Dataset` (deterministic for a seed, numpy
``Generator``), :func:`write_dataset` writes it in the contract format the loader reads. The default
(``people=250, seed=7``) is the bundled ``sample_data/sample_org.xlsx``; ``sample_data/README.md``
documents what is planted, so analyses can be tested on it. Everything is vectorised, so the same
generator makes 100,000-person organisations for benchmarks.

Structure
---------
* A CEO (level 1, department ``Executive``) leads the ``Leadership team``: the CEO plus one head
  per department (level 2). From 100 people the CEO also has an ``Executive office`` (a chief of
  staff and four analysts), so no department is a group of one. Each department's people are split into teams of 5–12 (lead
  included). The department's first :data:`TEAMS_PER_MANAGER` teams report to its head, later
  teams report to the leads of earlier teams (a heap layout), so big departments grow deeper
  hierarchies. Levels: lead = 3 + depth of the team; members one or two levels below their
  lead (two only while that stays within level 5). At 250 people that gives levels 1–5.
* Survey data (ties, learning, trust, work) come only from respondents (``responded`` ≈ 85%);
  non-respondents can still be *named* by others, and their skills are rated by their manager.
* Ties: each respondent has a fixed number of tie *slots* per relation; each slot draws a
  category (own team / own department / elsewhere) and a target with common random numbers, so
  most ties persist between waves while a changed probability moves exactly the affected slots.
  A share :data:`CHURN` of slots is redrawn each wave. Targets outside the team are drawn in
  proportion to an attractiveness weight (experts and brokers are sought more).

Rules (departments, relations, skills, planted people) are tables at the top of this module.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.dataset import PEOPLE_COLUMNS, TABLE_COLUMNS, Dataset, builtin_trust_items
from lib.core.schema import CHANNEL_MODES, LEARNING_TYPE_CODES, TRUST_ITEM_BANK, WORK_KINDS

__all__ = [
    "CHANNEL_PROBABILITIES",
    "CHURN",
    "DEPARTMENTS",
    "EXCEL_MAX_ROWS",
    "PLANTED",
    "RELATIONS",
    "SKILLS",
    "TEAMS_PER_MANAGER",
    "Department",
    "Planted",
    "RelationSpec",
    "generate",
    "wave_labels",
    "write_dataset",
]

# --- rules as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    name: str
    weight: float  # share of the organisation
    teams: tuple[str, ...]  # team names, used in order (then numbered)
    member_role: str
    senior_role: str
    skills: dict[str, int]  # skill → required level for the member role (senior: +1)
    # IOL, GDL, PDL, ASL, FSL in wave 1: near 70:20:10 read as (PDL+ASL):(IOL+GDL):FSL, as lib.analysis.learning does
    learning_mix: tuple[float, float, float, float, float]
    work_mix: tuple[float, float, float, float]  # simple, complicated, complex, chaotic
    location: str
    outside_factor: float = 1.0  # ×P(tie leaves the department) in wave 1 (silo < 1)
    outside_factor_last: float | None = None  # …in the last wave (None: unchanged)
    incoming_factor: float = 1.0  # ×attractiveness to outsiders in wave 1
    incoming_factor_last: float | None = None


#: Departments in the order they are created (small organisations keep the first ones).
#: Finance is the planted silo that opens up; Operations a milder silo that stays.
DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Engineering",
        0.24,
        (
            "Platform",
            "Payments",
            "Mobile",
            "Web",
            "Data",
            "Infrastructure",
            "Quality",
            "Security",
            "Integrations",
            "Developer Experience",
        ),
        "Software engineer",
        "Senior software engineer",
        {"Python": 3, "Cloud infrastructure": 3, "Software testing": 3},
        (0.15, 0.10, 0.42, 0.24, 0.09),
        (0.15, 0.40, 0.38, 0.07),
        "Lisbon",
    ),
    Department(
        "Sales",
        0.16,
        ("Enterprise Sales", "Mid-Market", "Partnerships", "Inside Sales", "Renewals", "Sales Operations"),
        "Account executive",
        "Senior account executive",
        {"Negotiation": 3, "Account planning": 3, "Customer empathy": 3},
        (0.14, 0.10, 0.26, 0.24, 0.26),
        (0.25, 0.35, 0.32, 0.08),
        "London",
    ),
    Department(
        "Finance",
        0.08,
        ("Accounting", "FP&A", "Payroll", "Tax", "Procurement Finance", "Audit"),
        "Finance analyst",
        "Senior finance analyst",
        {"Financial modelling": 3, "Regulatory reporting": 2},
        (0.12, 0.08, 0.30, 0.26, 0.24),
        (0.45, 0.40, 0.12, 0.03),
        "London",
        outside_factor=0.08,
        outside_factor_last=1.3,
        incoming_factor=0.15,
        incoming_factor_last=1.0,
    ),
    Department(
        "Operations",
        0.16,
        ("Logistics", "Fulfilment", "Planning", "Facilities", "Quality Assurance", "Vendor Management"),
        "Operations specialist",
        "Senior operations specialist",
        {"Process improvement": 3, "Supply chain planning": 3},
        (0.20, 0.14, 0.22, 0.30, 0.14),
        (0.40, 0.38, 0.15, 0.07),
        "Kraków",
        outside_factor=0.55,
        incoming_factor=0.6,
    ),
    Department(
        "Customer Support",
        0.12,
        ("Support Tier 1", "Support Tier 2", "Onboarding", "Customer Success", "Knowledge Base"),
        "Support specialist",
        "Senior support specialist",
        {"Troubleshooting": 3, "Customer empathy": 3},
        (0.18, 0.16, 0.24, 0.30, 0.12),
        (0.42, 0.33, 0.15, 0.10),
        "Lyon",
    ),
    Department(
        "Marketing",
        0.09,
        ("Brand", "Content", "Growth", "Events", "Product Marketing"),
        "Marketing specialist",
        "Senior marketing specialist",
        {"Content writing": 3, "Digital analytics": 3, "Customer empathy": 2},
        (0.14, 0.12, 0.36, 0.28, 0.10),
        (0.20, 0.38, 0.35, 0.07),
        "Berlin",
    ),
    Department(
        "Product",
        0.08,
        ("Product Management", "Design", "User Research", "Analytics"),
        "Product manager",
        "Senior product manager",
        {"Product discovery": 3, "UX research": 2, "Customer empathy": 3},
        (0.16, 0.14, 0.38, 0.25, 0.07),
        (0.10, 0.35, 0.48, 0.07),
        "Berlin",
    ),
    Department(
        "People",
        0.07,
        ("Recruiting", "People Partners", "Learning & Development", "Total Rewards"),
        "People partner",
        "Senior people partner",
        {"Employment law": 3, "Facilitation": 3},
        (0.15, 0.15, 0.30, 0.25, 0.15),
        (0.30, 0.40, 0.25, 0.05),
        "London",
    ),
)
EXECUTIVE = "Executive"
LEADERSHIP_TEAM = "Leadership team"
EXECUTIVE_OFFICE = "Executive office"
EXECUTIVE_OFFICE_SIZE = 5  # with the CEO: six people in the Executive department
EXECUTIVE_OFFICE_FROM = 100  # organisations this big have one
EXECUTIVE_OFFICE_ROLES: dict[str, dict[str, int]] = {  # lead first
    "Chief of staff": {"Communication": 4, "Project management": 4, "Data literacy": 3, "Facilitation": 3},
    "Strategy analyst": {"Communication": 3, "Data literacy": 3, "Project management": 3},
}
LOCATIONS: tuple[str, ...] = ("London", "Lyon", "Berlin", "Lisbon", "Kraków", "Remote")

#: The skill catalogue: name → organisation-wide bias of current levels against requirements (< 0: a gap).
SKILLS: dict[str, float] = {
    "Communication": 0.1,
    "Data literacy": -1.1,
    "Coaching": -0.7,
    "Project management": -0.3,
    "Customer empathy": 0.2,
    "Python": -0.2,
    "Cloud infrastructure": -1.0,
    "Software testing": -0.4,
    "Legacy billing (COBOL)": 0.0,
    "Negotiation": -0.2,
    "Account planning": -0.5,
    "Financial modelling": -0.3,
    "Regulatory reporting": 0.0,
    "Process improvement": -0.6,
    "Supply chain planning": -0.2,
    "Troubleshooting": 0.0,
    "Content writing": 0.0,
    "Digital analytics": -0.8,
    "Product discovery": -0.4,
    "UX research": -0.6,
    "Employment law": -0.1,
    "Facilitation": -0.3,
}
#: Skills nobody picks up by chance: their holders are planted (single points of knowledge).
RARE_SKILLS: tuple[str, ...] = ("Regulatory reporting", "Legacy billing (COBOL)")
#: Chance per wave that a person's level in a skill rises by one (the rest: :data:`SKILL_GROWTH_DEFAULT`).
SKILL_GROWTH: dict[str, float] = {"Data literacy": 0.35}
SKILL_GROWTH_DEFAULT = 0.06
COMMON_REQUIREMENTS: dict[str, int] = {"Communication": 3, "Data literacy": 2}
MANAGER_REQUIREMENTS: dict[str, int] = {
    "Communication": 4,
    "Coaching": 3,
    "Project management": 3,
    "Data literacy": 3,
}
HEAD_REQUIREMENTS: dict[str, int] = {
    "Communication": 4,
    "Coaching": 4,
    "Project management": 3,
    "Data literacy": 3,
}
CEO_REQUIREMENTS: dict[str, int] = {
    "Communication": 5,
    "Coaching": 4,
    "Data literacy": 3,
    "Customer empathy": 3,
}


@dataclass(frozen=True)
class RelationSpec:
    name: str
    out_ties: float  # mean out-ties per respondent (default sample)
    p_team: float  # a slot names someone in the same team
    p_department: float  # …in the same department, any team
    weight_max: int  # tie weight (frequency) drawn from 1..weight_max
    expert_pull: float  # attractiveness multiplier of planted experts for this relation
    reciprocate: float = 0.0  # chance the named person (if a respondent) names back


RELATIONS: tuple[RelationSpec, ...] = (
    RelationSpec("advice", 6.5, 0.55, 0.20, 3, 30.0),
    RelationSpec("information", 3.0, 0.40, 0.25, 3, 6.0),
    RelationSpec("collaboration", 3.5, 0.70, 0.20, 1, 2.0, reciprocate=0.5),
    RelationSpec("trust", 2.0, 0.65, 0.25, 1, 1.0),
    RelationSpec("energy", 2.0, 0.55, 0.25, 1, 1.5),
)

RESPONSE_RATE = 0.85
CHURN = 0.2  # share of tie slots redrawn each wave
TEAMS_PER_MANAGER = 4  # the heap layout's branching factor
BROKER_SLOTS = (0.15, 0.10)  # brokers' p_team, p_department: three quarters of their ties leave
BROKER_PULL = 4.0
ISOLATED_TEAM_SIZE = 5  # the key person and four people who only know each other
BROKER_SLOTS_FACTOR = 1.8  # brokers name more people
EVENTS_PER_PERSON = 8  # interaction events per person per wave (a quarter of working days)

#: Interaction channels per wave (first, last; interpolated between): the flow share rises.
CHANNEL_PROBABILITIES: dict[str, tuple[float, float]] = {
    "wiki": (0.20, 0.13),
    "document": (0.17, 0.12),
    "repository": (0.10, 0.08),
    "chat": (0.24, 0.32),
    "meeting": (0.12, 0.14),
    "email": (0.12, 0.11),
    "microblog": (0.05, 0.10),
}
#: Kinds per channel, and whether the kind names a person (target_id) or is a broadcast.
CHANNEL_KINDS: dict[str, tuple[tuple[str, float, bool], ...]] = {
    "wiki": (("post", 0.12, False), ("edit", 0.28, False), ("view", 0.60, False)),
    "document": (
        ("post", 0.12, False),
        ("edit", 0.30, False),
        ("view", 0.48, False),
        ("mention", 0.10, True),
    ),
    "repository": (("post", 0.25, False), ("edit", 0.45, False), ("view", 0.30, False)),
    "chat": (("post", 0.45, True), ("reply", 0.40, True), ("mention", 0.15, True)),
    "meeting": (("post", 1.0, True),),
    "email": (("post", 0.60, True), ("reply", 0.40, True)),
    "microblog": (("post", 0.50, False), ("reply", 0.35, True), ("mention", 0.15, True)),
}
DOCUMENT_KINDS: tuple[str, ...] = (
    "how-to",
    "FAQ",
    "onboarding guide",
    "checklist",
    "decision log",
    "playbook",
)
UNVIEWED_PAGE_SHARE = 0.3  # the last 30% of wiki pages are never viewed

#: Trust: organisation mean per dimension (1–5 scale, wirearchy side), and the improvement by the
#: last wave. Knowledge sharing improves after the cross-team programme (more so in the silo).
TRUST_MEANS: dict[str, float] = {
    "knowledge_sharing": 3.2,
    "trust": 3.6,
    "credibility": 3.3,
    "results_focus": 3.4,
    "two_way_flow": 2.8,
}
TRUST_CHANGE: dict[str, float] = {"knowledge_sharing": 0.45}
TRUST_SILO_EXTRA = 0.35  # extra knowledge-sharing change in the silo department
FSL_CHANGE = 0.65  # FSL weight multiplier by the last wave
GDL_SILO_CHANGE = 1.6  # the silo's GDL weight multiplier by the last wave (communities of practice)


@dataclass(frozen=True)
class Planted:
    """Who carries each planted story (names are the same for every seed and size)."""

    silo_department: str = "Finance"
    mild_silo_department: str = "Operations"
    experts: tuple[tuple[str, str, str], ...] = (  # name, department, skill they are sought for
        ("Zoë Müller", "Engineering", "Cloud infrastructure"),
        ("Rahul Iyer", "Operations", "Supply chain planning"),
        ("Ingrid Solberg", "Customer Support", "Troubleshooting"),
    )
    brokers: tuple[tuple[str, str], ...] = (  # name, department
        ("José Álvarez", "Product"),
        ("Amara Okafor", "Marketing"),
        ("Chen Wei", "People"),
        ("Léa Dubois", "Customer Support"),
    )
    key_person: str = "Kwame Mensah"  # lead of the isolated team; its only link to everyone else
    isolated_team: str = "Treasury"  # the last Finance team
    sole_holders: tuple[tuple[str, str], ...] = (  # name, the skill only they hold (level ≥ 3)
        ("Kwame Mensah", "Regulatory reporting"),
        ("Agnieszka Kowalczyk", "Legacy billing (COBOL)"),
    )
    sole_holder_departments: tuple[str, ...] = ("Finance", "Engineering")


PLANTED = Planted()

FIRST_NAMES: tuple[str, ...] = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Lucas",
    "Mia",
    "Mateo",
    "Sofia",
    "Leo",
    "Amelia",
    "Hugo",
    "Isla",
    "Arthur",
    "Chloé",
    "Louis",
    "Freya",
    "Elias",
    "Maja",
    "Jonas",
    "Aisha",
    "Omar",
    "Priya",
    "Arjun",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Fatima",
    "Tomás",
    "Inês",
    "Björn",
    "Astrid",
    "Siobhán",
    "Seán",
    "Renée",
    "André",
    "Małgorzata",
    "Piotr",
    "Zeynep",
    "Emre",
    "Nia",
    "Kofi",
    "Grace",
    "Samuel",
    "Elena",
    "Marco",
    "Giulia",
    "Daniel",
    "Hannah",
    "Felix",
    "Clara",
    "Ravi",
    "Anne-Marie",
    "Jean-Luc",
    "Noor",
    "Yusuf",
    "Lina",
    "Oscar",
    "Ingrid",
    "Dmitri",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Martin",
    "Bernard",
    "Dubois",
    "Moreau",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "García",
    "Fernández",
    "López",
    "Martínez",
    "Silva",
    "Santos",
    "Costa",
    "Rossi",
    "Russo",
    "Ferrari",
    "Nowak",
    "Wójcik",
    "Kowalski",
    "Jensen",
    "Nielsen",
    "Hansen",
    "Johansson",
    "Lindqvist",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Patel",
    "Shah",
    "Khan",
    "Singh",
    "Nguyen",
    "Tanaka",
    "Sato",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Okoye",
    "Mensah",
    "Adeyemi",
    "Haddad",
    "Yılmaz",
    "Demir",
    "Novák",
    "Horváth",
    "Ivanova",
    "Petrov",
    "Brennan",
    "van der Berg",
    "De Vries",
    "Janssen",
    "Łukasiewicz",
    "Østergaard",
)

EXCEL_MAX_ROWS = 1_048_576  # including the header row
FIXED_CREATED = datetime(2026, 1, 1)


# --- small vectorised helpers ----------------------------------------------------------------


@dataclass(frozen=True)
class _Blocks:
    """People ordered so that each group is a contiguous block (for vectorised sampling)."""

    group: np.ndarray  # group index per person
    order: np.ndarray  # person indices, sorted by group
    rank: np.ndarray  # position of each person in ``order``
    start: np.ndarray  # first position of each group
    size: np.ndarray  # people per group

    @classmethod
    def of(cls, group: np.ndarray, n_groups: int) -> _Blocks:
        order = np.argsort(group, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        size = np.bincount(group, minlength=n_groups)
        start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
        return cls(group, order, rank, start, size)

    def uniform_peer(self, src: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Someone else in the source's group, uniformly (``-1`` if alone)."""
        g = self.group[src]
        size = self.size[g]
        pos = self.start[g] + np.floor(u * np.maximum(size - 1, 0)).astype(np.int64)
        pos = np.where(pos >= self.rank[src], pos + 1, pos)
        out = self.order[np.minimum(pos, self.order.size - 1)]
        return np.where(size > 1, out, -1)

    def cumulative(self, weight: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(weight[self.order])])

    def weighted_inside(self, src: np.ndarray, u: np.ndarray, cw: np.ndarray) -> np.ndarray:
        """Someone in the source's group, in proportion to weight (may be the source itself)."""
        return self.weighted_in_group(self.group[src], u, cw)

    def weighted_in_group(self, g: np.ndarray, u: np.ndarray, cw: np.ndarray) -> np.ndarray:
        """Someone in group ``g``, in proportion to weight (``-1`` if the group weighs nothing)."""
        a = self.start[g]
        b = a + self.size[g]
        lo, hi = cw[a], cw[b]
        pos = np.searchsorted(cw, lo + u * (hi - lo), side="right") - 1
        pos = np.clip(pos, a, np.maximum(b - 1, a))
        return np.where(hi > lo, self.order[np.minimum(pos, self.order.size - 1)], -1)

    def weighted_outside(self, src: np.ndarray, u: np.ndarray, cw: np.ndarray) -> np.ndarray:
        """Someone outside the source's group, in proportion to weight."""
        g = self.group[src]
        a = self.start[g]
        b = a + self.size[g]
        inside = cw[b] - cw[a]
        avail = cw[-1] - inside
        r = u * avail
        r = np.where(r >= cw[a], r + inside, r)
        pos = np.clip(np.searchsorted(cw, r, side="right") - 1, 0, self.order.size - 1)
        return np.where(avail > 0, self.order[pos], -1)


def wave_labels(waves: int) -> list[str]:
    """``2026-Q1``, ``2026-Q3``, ``2027-Q1``, …: one survey every two quarters."""
    return [f"{2026 + w // 2}-Q{1 if w % 2 == 0 else 3}" for w in range(waves)]


def _wave_start(w: int) -> np.datetime64:
    return np.datetime64(f"{2026 + w // 2}-{'01' if w % 2 == 0 else '07'}-01")


def _progress(w: int, waves: int) -> float:
    return 0.0 if waves <= 1 else w / (waves - 1)


def _lerp(first: float, last: float, t: float) -> float:
    return first + (last - first) * t


def _partition(m: int, rng: np.random.Generator, lo: int = 5, hi: int = 12, mean: float = 8.5) -> list[int]:
    """Split ``m`` people into team sizes within [lo, hi] (one smaller team if ``m < lo``)."""
    if m <= 0:
        return []
    if m < lo:
        return [m]
    k = int(np.clip(round(m / mean), -(-m // hi), m // lo))
    sizes = lo + rng.multinomial(m - lo * k, np.full(k, 1.0 / k))
    while (over := sizes > hi).any():
        excess = int((sizes[over] - hi).sum())
        sizes[over] = hi
        room = np.flatnonzero(sizes < hi)
        sizes += np.bincount(rng.choice(room, excess), minlength=k)
    return [int(s) for s in sizes]


def _shares(alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One Dirichlet draw per row of ``alpha`` (vectorised through gamma variates)."""
    g = rng.gamma(np.maximum(alpha, 1e-3))
    total = g.sum(axis=1, keepdims=True)
    return np.asarray(g / np.where(total > 0, total, 1.0))


# --- the organisation ------------------------------------------------------------------------


@dataclass
class _Org:
    n: int
    ids: np.ndarray  # object array of str
    names: np.ndarray
    dept: np.ndarray  # index into dept_names (the CEO: Executive, last)
    team: np.ndarray  # index into team_names
    level: np.ndarray
    manager: np.ndarray  # person index or -1
    role: np.ndarray  # index into role_names
    location: np.ndarray
    tenure: np.ndarray
    responded: np.ndarray
    is_lead: np.ndarray
    departments: list[Department]
    dept_names: list[str]
    team_names: list[str]
    role_names: list[str]
    role_requirements: dict[str, dict[str, int]]
    experts: dict[int, str]  # person → skill
    brokers: list[int]
    key_person: int
    isolated: np.ndarray  # bool: members of the isolated team other than its lead
    sole_holders: dict[int, str]


def _department_sizes(n_rest: int, departments: Sequence[Department]) -> list[int]:
    w = np.array([d.weight for d in departments])
    raw = n_rest * w / w.sum()
    sizes = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - sizes))[: n_rest - int(sizes.sum())]:
        sizes[i] += 1
    return [int(s) for s in sizes]


def _build_org(n: int, rng: np.random.Generator) -> _Org:
    n_depts = int(min(len(DEPARTMENTS), max(1, (n - 1) // 25)))
    departments = list(DEPARTMENTS[:n_depts])
    dept_names = [d.name for d in departments] + [EXECUTIVE]
    exec_idx = n_depts

    dept = np.empty(n, dtype=np.int64)
    team = np.empty(n, dtype=np.int64)
    level = np.empty(n, dtype=np.int64)
    manager = np.full(n, -1, dtype=np.int64)
    role = np.empty(n, dtype=np.int64)
    is_lead = np.zeros(n, dtype=bool)
    team_names: list[str] = [LEADERSHIP_TEAM]
    team_location: list[str] = ["London"]
    role_names: list[str] = ["Chief executive"]
    role_requirements: dict[str, dict[str, int]] = {"Chief executive": dict(CEO_REQUIREMENTS)}
    used_team_names: set[str] = {LEADERSHIP_TEAM}

    # CEO, then each department head (members of the leadership team)
    dept[0], team[0], level[0], role[0] = exec_idx, 0, 1, 0
    heads: list[int] = []
    for d, spec in enumerate(departments):
        p = 1 + d
        heads.append(p)
        role_name = f"Head of {spec.name}"
        role_names.append(role_name)
        role_requirements[role_name] = {**HEAD_REQUIREMENTS, **{s: 2 for s in spec.skills}}
        dept[p], team[p], level[p], manager[p], role[p] = d, 0, 2, 0, len(role_names) - 1

    p = 1 + n_depts
    if n >= EXECUTIVE_OFFICE_FROM:
        # the CEO's own office, big enough that the Executive department is never a group of one
        role_names += list(EXECUTIVE_OFFICE_ROLES)
        for name, req in EXECUTIVE_OFFICE_ROLES.items():
            role_requirements[name] = dict(req)
        office = np.arange(p, p + EXECUTIVE_OFFICE_SIZE)
        team_names.append(EXECUTIVE_OFFICE)
        team_location.append("London")
        dept[office], team[office] = exec_idx, len(team_names) - 1
        level[p], manager[p], role[p], is_lead[p] = 2, 0, len(role_names) - 2, True
        level[office[1:]], manager[office[1:]], role[office[1:]] = 3, p, len(role_names) - 1
        p += EXECUTIVE_OFFICE_SIZE
    isolated_team = -1
    key_person = -1
    for d, (spec, m) in enumerate(zip(departments, _department_sizes(n - p, departments), strict=True)):
        manager_role = f"{spec.name} manager"
        role_names += [manager_role, spec.member_role, spec.senior_role]
        r_manager, r_member, r_senior = len(role_names) - 3, len(role_names) - 2, len(role_names) - 1
        role_requirements[manager_role] = {
            **MANAGER_REQUIREMENTS,
            **{s: max(2, v - 1) for s, v in spec.skills.items()},
        }
        role_requirements[spec.member_role] = {**COMMON_REQUIREMENTS, **spec.skills}
        role_requirements[spec.senior_role] = {
            **COMMON_REQUIREMENTS,
            "Data literacy": 3,
            **{s: min(5, v + 1) for s, v in spec.skills.items()},
        }
        if spec.name == PLANTED.silo_department and m >= 2 * ISOLATED_TEAM_SIZE:
            sizes = [*_partition(m - ISOLATED_TEAM_SIZE, rng), ISOLATED_TEAM_SIZE]  # last: a leaf
        else:
            sizes = _partition(m, rng)
        leads: list[int] = []
        for j, size in enumerate(sizes):
            base = spec.teams[j % len(spec.teams)]
            name = base if j < len(spec.teams) else f"{base} {j // len(spec.teams) + 1}"
            if spec.name == PLANTED.silo_department and j == len(sizes) - 1 and len(sizes) > 1:
                name = PLANTED.isolated_team if j < len(spec.teams) else f"{PLANTED.isolated_team} {j + 1}"
            while name in used_team_names:
                name += "′"
            used_team_names.add(name)
            t = len(team_names)
            team_names.append(name)
            team_location.append(spec.location if rng.random() < 0.65 else str(rng.choice(LOCATIONS[:-1])))
            depth = 0
            boss = heads[d]
            if j >= TEAMS_PER_MANAGER:
                parent = j // TEAMS_PER_MANAGER - 1
                boss = leads[parent]
                depth = int(level[boss]) - 3 + 1
            lead_level = 3 + depth
            members = np.arange(p, p + size)
            leads.append(p)
            dept[members], team[members] = d, t
            level[p], manager[p], role[p], is_lead[p] = lead_level, boss, r_manager, True
            rest = members[1:]
            junior = (rng.random(rest.size) < 0.6) & (lead_level + 2 <= 5)
            level[rest] = lead_level + 1 + junior
            manager[rest] = p
            role[rest] = np.where(junior, r_member, r_senior)
            if name.startswith(PLANTED.isolated_team) and isolated_team < 0:
                isolated_team, key_person = t, p
            p += size
    assert p == n

    names = _names(n, rng)
    tenure = np.round(rng.gamma(2.0, 2.0 + 1.2 * (6 - np.minimum(level, 6)), n) + 0.2, 1)
    location = np.array(team_location, dtype=object)[team]
    location = np.where(rng.random(n) < 0.08, "Remote", location)
    responded = rng.random(n) < RESPONSE_RATE

    org = _Org(
        n=n,
        ids=_ids(n, rng),
        names=names,
        dept=dept,
        team=team,
        level=level,
        manager=manager,
        role=role,
        location=location,
        tenure=tenure,
        responded=responded,
        is_lead=is_lead,
        departments=departments,
        dept_names=dept_names,
        team_names=team_names,
        role_names=role_names,
        role_requirements=role_requirements,
        experts={},
        brokers=[],
        key_person=key_person,
        isolated=np.zeros(n, dtype=bool),
        sole_holders={},
    )
    _plant_people(org, rng)
    return org


def _ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """Shuffled ids ``P1001`` … (wider for big organisations); the CEO gets the first one."""
    width = len(str(1000 + n))
    numbers = 1001 + rng.permutation(n)
    ceo = int(np.flatnonzero(numbers == 1001)[0])
    numbers[[0, ceo]] = numbers[[ceo, 0]]
    return np.array([f"P{x:0{width}d}" for x in numbers], dtype=object)


def _names(n: int, rng: np.random.Generator) -> np.ndarray:
    reserved = {name for name, *_ in PLANTED.experts} | {name for name, _ in PLANTED.brokers}
    reserved |= {PLANTED.key_person} | {name for name, _ in PLANTED.sole_holders}
    combos = len(FIRST_NAMES) * len(LAST_NAMES)
    if n <= combos // 2:  # unique names while that is plausible
        picks = rng.choice(combos, size=n + len(reserved), replace=False)
    else:
        picks = rng.integers(0, combos, size=n + len(reserved))
    first = np.array(FIRST_NAMES, dtype=object)[picks // len(LAST_NAMES)]
    last = np.array(LAST_NAMES, dtype=object)[picks % len(LAST_NAMES)]
    full = first + " " + last
    keep = ~np.isin(full, list(reserved))
    return np.asarray(full[keep][:n])


def _plant_people(org: _Org, rng: np.random.Generator) -> None:
    """Put the planted people in place: names, roles and the isolated team."""
    by_name = {name: i for i, name in enumerate(org.dept_names)}

    def pick(dept_name: str, taken: set[int]) -> int:
        """A non-lead member of the department (deterministic for the seed), or -1."""
        d = by_name.get(dept_name)
        if d is None:
            return -1
        pool = np.flatnonzero((org.dept == d) & ~org.is_lead & (org.team != 0))
        pool = pool[~np.isin(pool, list(taken))]
        if org.key_person >= 0:
            pool = pool[org.team[pool] != org.team[org.key_person]]
        return int(rng.choice(pool)) if pool.size else -1

    taken: set[int] = set()
    for name, dept_name, skill in PLANTED.experts:
        i = pick(dept_name, taken)
        if i >= 0:
            taken.add(i)
            org.names[i] = name
            org.experts[i] = skill
    for name, dept_name in PLANTED.brokers:
        i = pick(dept_name, taken)
        if i >= 0:
            taken.add(i)
            org.names[i] = name
            org.brokers.append(i)
    if org.key_person >= 0:
        org.names[org.key_person] = PLANTED.key_person
        org.isolated = (org.team == org.team[org.key_person]) & (np.arange(org.n) != org.key_person)
        taken.add(org.key_person)
    for (name, skill), dept_name in zip(PLANTED.sole_holders, PLANTED.sole_holder_departments, strict=True):
        if name == PLANTED.key_person:
            if org.key_person >= 0:
                org.sole_holders[org.key_person] = skill
            continue
        i = pick(dept_name, taken)
        if i >= 0:
            taken.add(i)
            org.names[i] = name
            org.sole_holders[i] = skill
    # planted people (and the isolated team) answer the survey, so their stories are measurable
    org.responded[list(taken)] = True
    org.responded[org.isolated] = True
    org.responded[org.dept == len(org.dept_names) - 1] = True  # the CEO and the executive office


def _people_table(org: _Org) -> pd.DataFrame:
    manager_id = np.where(org.manager >= 0, org.ids[np.maximum(org.manager, 0)], "")
    return pd.DataFrame(
        {
            "person_id": pd.array(org.ids, dtype="str"),
            "name": pd.array(org.names, dtype="str"),
            "team": pd.array(np.array(org.team_names, dtype=object)[org.team], dtype="str"),
            "department": pd.array(np.array(org.dept_names, dtype=object)[org.dept], dtype="str"),
            "role": pd.array(np.array(org.role_names, dtype=object)[org.role], dtype="str"),
            "level": pd.array(org.level, dtype="Int64"),
            "manager_id": pd.array(manager_id, dtype="str"),
            "location": pd.array(org.location, dtype="str"),
            "tenure_years": org.tenure.astype(float),
            "responded": pd.array(org.responded, dtype="boolean"),
        },
        columns=PEOPLE_COLUMNS,
    )


# --- skills ------------------------------------------------------------------------------------


def _skill_levels(org: _Org, waves: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Current levels (people × skills, NaN = not rated) per wave."""
    skills = list(SKILLS)
    col = {s: k for k, s in enumerate(skills)}
    required = np.full((len(org.role_names), len(skills)), np.nan)
    for r, role in enumerate(org.role_names):
        for s, v in org.role_requirements[role].items():
            required[r, col[s]] = v
    req = required[org.role]
    bias = np.array(list(SKILLS.values()))
    ability = rng.normal(0.0, 0.6, (org.n, 1))
    level = np.round(req + ability + bias + rng.normal(0.0, 0.6, req.shape))
    # everyone also rates two skills outside their role, low
    rare = [col[s] for s in RARE_SKILLS]
    extra = rng.integers(0, len(skills), (org.n, 2))
    extra_level = rng.integers(0, 3, (org.n, 2)).astype(float)
    for k in range(2):
        ok = np.isnan(level[np.arange(org.n), extra[:, k]]) & ~np.isin(extra[:, k], rare)
        level[np.flatnonzero(ok), extra[ok, k]] = extra_level[ok, k]
    # rare skills: nobody but the planted holder reaches level 3
    level[:, rare] = np.minimum(level[:, rare], 1)
    for person, skill in org.experts.items():
        level[person, col[skill]] = 5
    for person, skill in org.sole_holders.items():
        level[person, col[skill]] = 4 if skill == "Regulatory reporting" else 5
    level = np.clip(level, 0, 5)

    growth = np.array([SKILL_GROWTH.get(s, SKILL_GROWTH_DEFAULT) for s in skills])
    growth[rare] = 0.0
    out = [level]
    for _ in range(1, waves):
        step = (rng.random(level.shape) < growth) & ~np.isnan(level)
        level = np.clip(level + step, 0, 5)
        out.append(level)
    return out


def _skills_tables(
    org: _Org, levels: list[np.ndarray], labels: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    skills = np.array(list(SKILLS), dtype=object)
    source = np.where(org.responded, "self", "manager")
    frames = []
    for lv, label in zip(levels, labels, strict=True):
        person, k = np.nonzero(~np.isnan(lv))
        frames.append(
            pd.DataFrame(
                {
                    "person_id": org.ids[person],
                    "skill": skills[k],
                    "level": lv[person, k].astype(float),
                    "source": source[person],
                    "wave": label,
                }
            )
        )
    table = _texts(pd.concat(frames, ignore_index=True), ["person_id", "skill", "source", "wave"])
    present = {org.role_names[r] for r in np.unique(org.role)}
    rows = [
        {"role": role, "skill": skill, "required_level": float(v)}
        for role in org.role_names
        if role in present
        for skill, v in org.role_requirements[role].items()
    ]
    return table, _texts(pd.DataFrame(rows, columns=TABLE_COLUMNS["role_skills"]), ["role", "skill"])


# --- ties --------------------------------------------------------------------------------------


def _tie_tables(
    org: _Org,
    waves: int,
    labels: list[str],
    ties_per_person: float | None,
    tops: list[np.ndarray],
    rng: np.random.Generator,
) -> pd.DataFrame:
    n = org.n
    team_blocks = _Blocks.of(org.team, len(org.team_names))
    dept_blocks = _Blocks.of(org.dept, len(org.dept_names))
    respondents = np.flatnonzero(org.responded)
    scale = 1.0
    if ties_per_person is not None:
        default_total = sum(r.out_ties for r in RELATIONS) * RESPONSE_RATE
        scale = ties_per_person / default_total

    is_head = (org.team == 0) & (org.level == 2)
    is_broker = np.zeros(n, dtype=bool)
    is_broker[org.brokers] = True
    expert = np.zeros(n, dtype=bool)
    expert[list(org.experts)] = True
    base_weight = rng.lognormal(0.0, 0.5, n)
    base_weight[org.isolated] = 0.0  # nobody outside the isolated team names its members
    base_weight[expert] = 1.2  # experts' pull comes from RelationSpec.expert_pull, not from luck

    skills = np.array(list(SKILLS), dtype=object)
    frames: list[pd.DataFrame] = []
    for spec in RELATIONS:
        mean = spec.out_ties * scale
        k = rng.poisson(mean, respondents.size)
        if spec.name == "advice":
            k = np.clip(k, max(1, round(mean * 0.5)), max(2, round(mean * 1.8)))
        brokers = is_broker[respondents]
        k[brokers] = np.maximum(np.round(k[brokers] * BROKER_SLOTS_FACTOR), round(mean * BROKER_SLOTS_FACTOR))
        src = np.repeat(respondents, k)
        slots = src.size
        c = rng.random(slots)
        u = rng.random(slots)
        weight = rng.integers(1, spec.weight_max + 1, slots).astype(float)
        # the isolated team's members each name their lead first for advice
        first_slot = np.concatenate([[True], src[1:] != src[:-1]]) if slots else np.zeros(0, dtype=bool)
        to_lead = first_slot & org.isolated[src] & (spec.name == "advice")

        for w, label in enumerate(labels):
            t = _progress(w, waves)
            if w > 0:
                redraw = rng.random(slots) < CHURN
                c = np.where(redraw, rng.random(slots), c)
                u = np.where(redraw, rng.random(slots), u)
            outside, incoming = _department_factors(org, t)
            p_team = np.full(n, spec.p_team)
            p_dept = np.full(n, spec.p_department)
            p_out = 1.0 - p_team - p_dept
            p_out_new = np.minimum(p_out * outside[org.dept], 0.9)
            # a silo's lost outside share goes back to team and department in proportion
            keep = np.where(p_team + p_dept > 0, (1.0 - p_out_new) / (p_team + p_dept), 0.0)
            p_team, p_dept, p_out = p_team * keep, p_dept * keep, p_out_new
            # a head's own team is the leadership team, so those ties leave the department too
            leave = np.minimum(
                (spec.p_team + (1.0 - spec.p_team - spec.p_department)) * outside[org.dept], 0.9
            )
            share = spec.p_team / (1.0 - spec.p_department)
            p_team = np.where(is_head, leave * share, p_team)
            p_dept = np.where(is_head, 1.0 - leave, p_dept)
            p_team[is_broker], p_dept[is_broker] = BROKER_SLOTS
            p_team[0], p_dept[0] = 0.6, 0.0  # the CEO's department is the CEO alone
            p_team[org.isolated], p_dept[org.isolated] = 1.0, 0.0
            kp = org.key_person
            if kp >= 0:
                p_team[kp], p_dept[kp] = 0.35, 0.55

            attract = base_weight * incoming[org.dept]
            attract = np.where(expert, attract * spec.expert_pull, attract)
            attract = np.where(is_broker, attract * BROKER_PULL, attract)
            category = np.where(c < p_team[src], 0, np.where(c < p_team[src] + p_dept[src], 1, 2))
            target = np.full(slots, -1, dtype=np.int64)
            m0, m1, m2 = category == 0, category == 1, category == 2
            target[m0] = team_blocks.uniform_peer(src[m0], u[m0])
            target[m1] = dept_blocks.weighted_inside(src[m1], u[m1], dept_blocks.cumulative(attract))
            target[m2] = dept_blocks.weighted_outside(src[m2], u[m2], dept_blocks.cumulative(attract))
            # brokers' outside ties go round the other departments in turn (not towards the experts)
            mb = np.flatnonzero(m2 & is_broker[src])
            if mb.size:
                turn = np.arange(mb.size) - np.searchsorted(src[mb], src[mb])  # 0, 1, … per broker
                others = len(org.dept_names) - 1
                group = (org.dept[src[mb]] + 1 + (turn + src[mb]) % max(others, 1)) % len(org.dept_names)
                target[mb] = dept_blocks.weighted_in_group(group, u[mb], dept_blocks.cumulative(base_weight))
            if kp >= 0:
                target[to_lead] = kp
            frames.append(
                _tie_frame(org, spec, src, target, weight, label, tops[min(w, len(tops) - 1)], skills, rng)
            )
    ties = pd.concat(frames, ignore_index=True)
    return _texts(ties, ["source_id", "target_id", "relation", "learning_type", "mode", "topic", "wave"])


def _department_factors(org: _Org, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Per department: ×P(tie leaves it) and ×attractiveness to outsiders, at progress ``t``."""
    outside = np.ones(len(org.dept_names))
    incoming = np.ones(len(org.dept_names))
    for d, spec in enumerate(org.departments):
        last_out = spec.outside_factor if spec.outside_factor_last is None else spec.outside_factor_last
        last_in = spec.incoming_factor if spec.incoming_factor_last is None else spec.incoming_factor_last
        outside[d] = _lerp(spec.outside_factor, last_out, t)
        incoming[d] = _lerp(spec.incoming_factor, last_in, t)
    return outside, incoming


def _tie_frame(
    org: _Org,
    spec: RelationSpec,
    src: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    label: str,
    top_skill: np.ndarray,
    skills: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    ok = (target >= 0) & (target != src)
    src, target, weight = src[ok], target[ok], weight[ok]
    if spec.reciprocate > 0:
        back = (rng.random(src.size) < spec.reciprocate) & org.responded[target]
        src, target = np.concatenate([src, target[back]]), np.concatenate([target, src[back]])
        weight = np.concatenate([weight, weight[back]])
    key = src.astype(np.int64) * org.n + target
    _, first = np.unique(key, return_index=True)
    first.sort()
    src, target, weight = src[first], target[first], weight[first]
    same_team = org.team[src] == org.team[target]
    if spec.name == "advice":
        learning_type = np.where(same_team, "GDL", "IOL")
        topic = np.where(top_skill[target] >= 0, skills[np.maximum(top_skill[target], 0)], "")
    elif spec.name == "information":
        learning_type = np.where(org.dept[src] == org.dept[target], "IOL", "ASL")
        topic = np.full(src.size, "", dtype=object)
    elif spec.name == "collaboration":
        learning_type = np.where(same_team, "GDL", "IOL")
        topic = np.full(src.size, "", dtype=object)
    else:
        learning_type = np.full(src.size, "", dtype=object)
        topic = np.full(src.size, "", dtype=object)
    return pd.DataFrame(
        {
            "source_id": org.ids[src],
            "target_id": org.ids[target],
            "relation": spec.name,
            "weight": weight,
            "learning_type": learning_type.astype(object),
            "mode": "",
            "topic": topic.astype(object),
            "wave": label,
        }
    )


# --- survey answers ----------------------------------------------------------------------------


def _learning_table(org: _Org, waves: int, labels: list[str], rng: np.random.Generator) -> pd.DataFrame:
    people = np.flatnonzero(org.responded)
    mixes = np.array([d.learning_mix for d in org.departments] + [(0.15, 0.20, 0.35, 0.25, 0.05)])
    base = mixes[org.dept[people]]
    person_tilt = rng.lognormal(0.0, 0.25, base.shape)
    total = rng.lognormal(np.log(18.0), 0.45, people.size)
    silo = _dept_mask(org, PLANTED.silo_department)[people]
    frames = []
    for w, label in enumerate(labels):
        t = _progress(w, waves)
        mix = base * person_tilt
        mix[:, 4] *= _lerp(1.0, FSL_CHANGE, t)
        mix[silo, 1] *= _lerp(1.0, GDL_SILO_CHANGE, t)
        share = _shares(mix / mix.sum(axis=1, keepdims=True) * 25.0, rng)
        hours = np.round(share * (total * rng.lognormal(0.0, 0.15, people.size))[:, None] * 2) / 2
        frames.append(
            pd.DataFrame(
                {
                    "person_id": np.repeat(org.ids[people], len(LEARNING_TYPE_CODES)),
                    "wave": label,
                    "learning_type": np.tile(np.array(LEARNING_TYPE_CODES, dtype=object), people.size),
                    "hours": hours.ravel(),
                }
            )
        )
    return _texts(pd.concat(frames, ignore_index=True), ["person_id", "wave", "learning_type"])


def _trust_table(org: _Org, waves: int, labels: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Likert answers from a latent factor per person and dimension plus item noise.

    θ = dimension mean + department effect + general factor + dimension factor + wave noise;
    an answer is round(θ + noise) clipped to 1–5, mirrored (6 − x) for reverse-coded items.
    """
    people = np.flatnonzero(org.responded)
    dims = list(TRUST_MEANS)
    n_p, n_d = people.size, len(dims)
    mean = np.array([TRUST_MEANS[d] for d in dims])
    dept_effect = rng.normal(0.0, 0.2, (len(org.dept_names), n_d))
    silo = _dept_mask(org, PLANTED.silo_department)
    ks = dims.index("knowledge_sharing")
    if PLANTED.silo_department in org.dept_names:
        dept_effect[org.dept_names.index(PLANTED.silo_department), ks] -= 0.4
    general = rng.normal(0.0, 0.45, (n_p, 1))
    specific = rng.normal(0.0, 0.55, (n_p, n_d))
    item_dim = np.array([dims.index(i.dimension) for i in TRUST_ITEM_BANK])
    reverse = np.array([i.reverse for i in TRUST_ITEM_BANK])
    codes = np.array([i.item for i in TRUST_ITEM_BANK], dtype=object)
    frames = []
    for w, label in enumerate(labels):
        t = _progress(w, waves)
        change = np.array([TRUST_CHANGE.get(d, 0.0) for d in dims]) * t
        theta = mean + change + dept_effect[org.dept[people]] + general + specific
        theta[:, ks] += TRUST_SILO_EXTRA * t * silo[people]
        theta += rng.normal(0.0, 0.2, theta.shape)
        latent = theta[:, item_dim]
        raw = latent + rng.normal(0.0, 0.6, latent.shape)
        raw = np.where(reverse, 6.0 - raw, raw)
        value = np.clip(np.round(raw), 1, 5)
        frames.append(
            pd.DataFrame(
                {
                    "person_id": np.repeat(org.ids[people], codes.size),
                    "wave": label,
                    "item": np.tile(codes, n_p),
                    "value": value.ravel().astype(float),
                }
            )
        )
    return _texts(pd.concat(frames, ignore_index=True), ["person_id", "wave", "item"])


def _work_table(org: _Org, waves: int, labels: list[str], rng: np.random.Generator) -> pd.DataFrame:
    people = np.flatnonzero(org.responded)
    mixes = np.array([d.work_mix for d in org.departments] + [(0.05, 0.25, 0.55, 0.15)])
    base = mixes[org.dept[people]].copy()
    senior = np.clip((5 - org.level[people]) / 4.0, 0, 1)[:, None]
    base = base * (1 + senior * np.array([-0.6, -0.1, 0.7, 0.5]))  # seniors: more complex work
    frames = []
    for w, label in enumerate(labels):
        t = _progress(w, waves)
        mix = base * np.array([1.0 - 0.1 * t, 1.0, 1.0 + 0.1 * t, 1.0])
        share = _shares(mix / mix.sum(axis=1, keepdims=True) * 20.0, rng)
        share = np.round(share, 2)
        biggest = share.argmax(axis=1)
        share[np.arange(share.shape[0]), biggest] += 1.0 - share.sum(axis=1)
        share = np.round(share, 2)
        frame = pd.DataFrame(share, columns=list(WORK_KINDS))
        frame.insert(0, "wave", label)
        frame.insert(0, "person_id", org.ids[people])
        frames.append(frame)
    return _texts(pd.concat(frames, ignore_index=True), ["person_id", "wave"])


def _dept_mask(org: _Org, name: str) -> np.ndarray:
    if name not in org.dept_names:
        return np.zeros(org.n, dtype=bool)
    return np.asarray(org.dept == org.dept_names.index(name))


# --- the interactions log ----------------------------------------------------------------------


def _interactions_table(
    org: _Org, waves: int, rng: np.random.Generator, events_per_person: float = EVENTS_PER_PERSON
) -> pd.DataFrame:
    channels = list(CHANNEL_PROBABILITIES)
    skills = list(SKILLS)
    team_blocks = _Blocks.of(org.team, len(org.team_names))
    dept_blocks = _Blocks.of(org.dept, len(org.dept_names))
    activity = rng.lognormal(0.0, 0.8, org.n)
    activity[list(org.experts)] *= 3.0
    activity /= activity.sum()
    pages = {ch: _page_titles(ch, max(12, org.n // 5), rng) for ch in ("wiki", "document", "repository")}
    engineering = _dept_mask(org, "Engineering")
    frames = []
    for w in range(waves):
        t = _progress(w, waves)
        count = max(1, round(events_per_person * org.n))
        src = rng.choice(org.n, count, p=activity)
        p = np.array([_lerp(a, b, t) for a, b in CHANNEL_PROBABILITIES.values()])
        ch = rng.choice(len(channels), count, p=p / p.sum())
        repo = channels.index("repository")
        ch = np.where((ch == repo) & ~engineering[src], channels.index("document"), ch)
        kind = np.empty(count, dtype=object)
        to_person = np.zeros(count, dtype=bool)
        topic = np.empty(count, dtype=object)
        for i, name in enumerate(channels):
            here = np.flatnonzero(ch == i)
            options = CHANNEL_KINDS[name]
            probs = np.array([o[1] for o in options])
            pick = rng.choice(len(options), here.size, p=probs / probs.sum())
            kind[here] = np.array([o[0] for o in options], dtype=object)[pick]
            to_person[here] = np.array([o[2] for o in options])[pick]
            if name in pages:
                titles = pages[name]
                viewed = (
                    max(1, int(len(titles) * (1 - UNVIEWED_PAGE_SHARE))) if name == "wiki" else len(titles)
                )
                limit = np.where(kind[here] == "view", viewed, len(titles))
                topic[here] = titles[np.floor(rng.random(here.size) * limit).astype(np.int64)]
            else:
                topic[here] = np.array(skills, dtype=object)[rng.integers(0, len(skills), here.size)]
        # targets for person-to-person events: mostly the team, then the department
        c, u = rng.random(count), rng.random(count)
        target = np.full(count, -1, dtype=np.int64)
        uniform = np.ones(org.n)
        outside, _ = _department_factors(org, t)
        p_out = np.minimum(0.15 * outside[org.dept[src]], 0.9)
        m0 = to_person & (c < (1 - p_out) * 0.7)
        m2 = to_person & (c >= 1 - p_out)
        m1 = to_person & ~m0 & ~m2
        target[m0] = team_blocks.uniform_peer(src[m0], u[m0])
        target[m1] = dept_blocks.uniform_peer(src[m1], u[m1])
        target[m2] = dept_blocks.weighted_outside(src[m2], u[m2], dept_blocks.cumulative(uniform))
        target = np.where(target == src, -1, target)
        start = _wave_start(w)
        end = (start.astype("datetime64[M]") + 3).astype("datetime64[D]")
        days = int(np.busday_count(start, end))
        day = np.busday_offset(start, rng.integers(0, days, count), roll="forward")
        minutes = rng.integers(8 * 60, 18 * 60, count).astype("timedelta64[m]")
        stamp = day.astype("datetime64[m]") + minutes
        channel_names = np.array(channels, dtype=object)[ch]
        frames.append(
            pd.DataFrame(
                {
                    "timestamp": stamp.astype("datetime64[ns]"),
                    "source_id": org.ids[src],
                    "channel": channel_names,
                    "target_id": np.where(target >= 0, org.ids[np.maximum(target, 0)], ""),
                    "kind": kind,
                    "topic": topic,
                    "mode": pd.Series(channel_names).map(CHANNEL_MODES).to_numpy(),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True).sort_values("timestamp", kind="stable", ignore_index=True)
    return _texts(table, ["source_id", "channel", "target_id", "kind", "topic", "mode"])


def _page_titles(channel: str, count: int, rng: np.random.Generator) -> np.ndarray:
    skills = list(SKILLS)
    base = [f"{s} {kind}" for kind in DOCUMENT_KINDS for s in skills]
    order = rng.permutation(len(base))
    titles = [base[i] for i in order]
    prefix = {"wiki": "Wiki: ", "document": "Doc: ", "repository": "Repo: "}[channel]
    out = [
        prefix + titles[i % len(titles)] + (f" ({i // len(titles) + 1})" if i >= len(titles) else "")
        for i in range(count)
    ]
    return np.array(out, dtype=object)


def _texts(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Text columns as pandas' ``str`` dtype (the loader's dtype)."""
    for col in columns:
        frame[col] = frame[col].astype("str")
    return frame


# --- public API --------------------------------------------------------------------------------


def generate(
    people: int = 250, seed: int = 7, waves: int = 2, ties_per_person: float | None = None
) -> Dataset:
    """A fictitious organisation of ``people`` people with planted stories (see sample_data/README.md).

    Deterministic for ``(people, seed, waves, ties_per_person)``. ``ties_per_person`` sets the mean
    number of ties per person (out-ties, all relations, per wave, counted over everybody including
    non-respondents; default ≈ 15 from :data:`RELATIONS`); benchmarks ask for ~20. Wave labels come
    from :func:`wave_labels`. Works from 10 to 100,000+ people (vectorised; 100k in well under a
    minute).
    """
    if people < 10:
        raise ValueError("the sample organisation needs at least 10 people")
    if waves < 1:
        raise ValueError("waves must be at least 1")
    if ties_per_person is not None and ties_per_person <= 0:
        raise ValueError("ties_per_person must be positive")
    rng = np.random.default_rng(seed)
    labels = wave_labels(waves)
    org = _build_org(int(people), rng)
    levels = _skill_levels(org, waves, rng)
    tops = [
        np.where(np.isnan(lv).all(axis=1), -1, np.nan_to_num(lv, nan=-1.0).argmax(axis=1)) for lv in levels
    ]
    skills, role_skills = _skills_tables(org, levels, labels)
    ds = Dataset(
        people=_people_table(org),
        ties=_tie_tables(org, waves, labels, ties_per_person, tops, rng),
        learning=_learning_table(org, waves, labels, rng),
        interactions=_interactions_table(org, waves, rng),
        trust=_trust_table(org, waves, labels, rng),
        trust_items=builtin_trust_items(),
        work=_work_table(org, waves, labels, rng),
        skills=skills,
        role_skills=role_skills,
        source="sample organisation",
    )
    return ds


# --- writing the contract format ---------------------------------------------------------------


def _contract_tables(ds: Dataset) -> dict[str, pd.DataFrame]:
    """The sheets as the template shows them: learning and trust wide, empty tables left out."""
    tables: dict[str, pd.DataFrame] = {"people": ds.people}
    ties = ds.ties
    for col in ("learning_type", "mode", "topic"):
        if col in ties and not (ties[col].fillna("").astype(str) != "").any():
            ties = ties.drop(columns=col)
    tables["ties"] = ties
    if len(ds.learning):
        wide = ds.learning.pivot_table(
            index=["person_id", "wave"], columns="learning_type", values="hours", aggfunc="sum", sort=False
        )
        wide = wide.reindex(columns=[c for c in LEARNING_TYPE_CODES if c in wide.columns])
        tables["learning"] = wide.reset_index().rename_axis(columns=None)
    tables["interactions"] = ds.interactions.drop(columns=["mode"], errors="ignore")
    if len(ds.trust):
        wide = ds.trust.pivot_table(index=["person_id", "wave"], columns="item", values="value", sort=False)
        order = [i.item for i in TRUST_ITEM_BANK if i.item in wide.columns]
        wide = wide.reindex(columns=order + sorted(set(wide.columns) - set(order)))
        tables["trust"] = wide.reset_index().rename_axis(columns=None)
    builtin = builtin_trust_items()
    custom = ds.trust_items[~ds.trust_items["item"].astype(str).isin(builtin["item"])]
    if len(custom):
        tables["trust_items"] = custom
    for name in ("work", "skills", "role_skills"):
        tables[name] = getattr(ds, name)
    return {name: t for name, t in tables.items() if len(t)}


def write_dataset(ds: Dataset, path: Path) -> Path:
    """Write ``ds`` in the contract format the loader reads; return the path written.

    ``.xlsx``: one sheet per non-empty table (learning and trust wide, as in the template;
    ``trust_items`` only when there are custom items). When a table exceeds Excel's
    1,048,576 rows, or the path ends in ``.zip``, a zip of ``<sheet>.csv`` files (UTF-8) is
    written instead, at the same path with the suffix ``.zip``. Text is written as text: a
    value such as ``=1+1`` stays a string, never a formula.
    """
    path = Path(path)
    tables = _contract_tables(ds)
    too_big = any(len(t) + 1 > EXCEL_MAX_ROWS for t in tables.values())
    if path.suffix.lower() == ".zip" or too_big:
        path = path.with_suffix(".zip")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, table in tables.items():
                buffer = io.StringIO()
                table.to_csv(buffer, index=False, date_format="%Y-%m-%d %H:%M:%S")
                zf.writestr(f"{name}.csv", buffer.getvalue().encode("utf-8"))
        return path
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(
        path, engine="xlsxwriter", datetime_format="yyyy-mm-dd hh:mm", engine_kwargs={"options": options}
    ) as writer:
        writer.book.set_properties({"created": FIXED_CREATED})  # same data, same bytes
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes(1, 0)
            for j, col in enumerate(table.columns):
                sheet.set_column(j, j, min(40, max(10, len(str(col)) + 2)))
    return path
