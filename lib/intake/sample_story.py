"""The sample organisation's story as data: departments, relations, skills, the planted people,
and the name lists people are drawn from.

Rules as data, read by the org builder (:mod:`lib.intake.sample_org`) and the table generators
(:mod:`lib.intake.sample`); ``sample_data/README.md`` tells the stories they plant. Changing a
value here changes the generated sample (and the bundled ``sample_data/sample_org.xlsx``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BROKER_PULL",
    "BROKER_SLOTS",
    "BROKER_SLOTS_FACTOR",
    "CEO_REQUIREMENTS",
    "CHANNEL_KINDS",
    "CHANNEL_PROBABILITIES",
    "CHURN",
    "COMMON_REQUIREMENTS",
    "DEPARTMENTS",
    "DOCUMENT_KINDS",
    "EVENTS_PER_PERSON",
    "EXECUTIVE",
    "EXECUTIVE_OFFICE",
    "EXECUTIVE_OFFICE_FROM",
    "EXECUTIVE_OFFICE_ROLES",
    "EXECUTIVE_OFFICE_SIZE",
    "FIRST_NAMES",
    "FSL_CHANGE",
    "GDL_SILO_CHANGE",
    "HEAD_REQUIREMENTS",
    "ISOLATED_TEAM_SIZE",
    "LAST_NAMES",
    "LEADERSHIP_TEAM",
    "LOCATIONS",
    "MANAGER_REQUIREMENTS",
    "PLANTED",
    "RARE_SKILLS",
    "RELATIONS",
    "RESPONSE_RATE",
    "SKILLS",
    "SKILL_GROWTH",
    "SKILL_GROWTH_DEFAULT",
    "TEAMS_PER_MANAGER",
    "TRUST_CHANGE",
    "TRUST_MEANS",
    "TRUST_SILO_EXTRA",
    "UNVIEWED_PAGE_SHARE",
    "Department",
    "Planted",
    "RelationSpec",
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
