"""The five shifts scorecard: one measure per shift in Jarche's framework, each 0–100 between poles.

Jarche pairs each of Hart's learning types with a shift the organisation makes:

=====  ==============================================  =====================================
type   from → to                                       measure (0 = "from" pole, 100 = "to")
=====  ==============================================  =====================================
ASL    stocks → flow                                   flow share of knowledge activity
PDL    clockwork & predictable → complexity & surprise PDL share where work is mostly complex
GDL    worker centric → team centric                   group learning and advice within teams
IOL    subject-matter experts → subject-matter networks 1 − Gini of advice in-degree vs random
FSL    curriculum → competency                         FSL hours follow skill gaps (Spearman)
=====  ==============================================  =====================================

A shift whose data are missing gets ``score=None``, says which inputs are missing and what to
collect instead. Statistics over people need at least the minimum group size of respondents.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from lib.analysis.baseline import concentration
from lib.analysis.flows import FlowShare, flow_share
from lib.analysis.learning import MixSummary, overall_mix, person_mix
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE
from lib.core.schema import ADVICE
from lib.core.stats import gini, spearman

__all__ = [
    "ADVICE_RELATION",
    "Shift",
    "analysis_json",
    "expertise_evenness_by_topic",
    "scorecard",
    "scorecard_table",
    "shift_asl",
    "shift_fsl",
    "shift_gdl",
    "shift_iol",
    "shift_pdl",
]

ADVICE_RELATION = ADVICE  # the one definition: lib.core.schema.ADVICE


@dataclass(frozen=True)
class Shift:
    """One of the five shifts: its poles, formula, score (0–100 or None) and what it rests on."""

    code: str
    name: str
    from_pole: str
    to_pole: str
    formula: str
    score: float | None
    inputs_used: tuple[str, ...]
    inputs_missing: tuple[str, ...]
    collect: str
    suggestion: str
    details: dict[str, float | None] = field(default_factory=dict)
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["score"] = None if self.score is None else round(self.score, 1)
        out["inputs_used"] = list(self.inputs_used)
        out["inputs_missing"] = list(self.inputs_missing)
        out["details"] = {k: None if v is None else round(v, 4) for k, v in self.details.items()}
        return out


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


# --- ASL: stocks → flow -----------------------------------------------------------------------


def shared_mix(ds: Dataset, wave: str | None, min_size: int = MIN_GROUP_SIZE) -> MixSummary:
    """:func:`lib.analysis.learning.overall_mix` of ``wave`` (resolved), once per dataset object
    (``ds.memo``): the Overview's learning tiles and GDL read the same mix, and its bootstrap interval
    is seconds at 10,000 people. The summary is frozen, so sharing it is safe."""
    w = waves.resolve(wave, ds.waves)
    return ds.remember(("shifts.shared_mix", w, min_size), lambda: overall_mix(ds, w, min_size))


def shared_flow_share(ds: Dataset, wave: str | None) -> FlowShare:
    """:func:`lib.analysis.flows.flow_share` of ``wave`` (resolved), once per dataset object
    (``ds.memo``): the Overview's flow tile and ASL read the same figure."""
    w = waves.resolve(wave, ds.waves)
    return ds.remember(("shifts.shared_flow_share", w), lambda: flow_share(ds, w))


def shift_asl(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> Shift:
    """ASL — from stocks to flow: score = 100 × flow / (stock + flow) knowledge activity.

    Flow share from :func:`lib.analysis.flows.flow_share` (interactions log, or ties with a mode).
    Jarche: accidental and serendipitous learning happens in flows (conversations), not stocks
    (archives); an organisation moving to flow has more of its knowledge work in conversation.
    """
    fs = shared_flow_share(ds, wave)
    ok = fs.source != "" and not math.isnan(fs.share)
    return Shift(
        code="ASL",
        name="Stocks → flow",
        from_pole="Stocks: knowledge kept in documents and archives",
        to_pole="Flow: knowledge moving in conversations",
        formula="100 × flow events ÷ (stock + flow events)",
        score=100.0 * fs.share if ok else None,
        inputs_used=(
            f"{fs.source} ({'events' if fs.source in ('interactions', 'channels') else 'tie weights'})",
        )
        if ok
        else (),
        inputs_missing=() if ok else ("interactions log with channels, or ties with a mode",),
        collect="An export of collaboration events (chat, meetings, wiki and document edits) with "
        "timestamp, person and channel; or a 'mode' (stock/flow) on survey ties.",
        suggestion="Balance stocks with flows: narrate work in open channels, link documents to the "
        "conversations about them, and make space for chance encounters.",
        details={"stock": fs.stock, "flow": fs.flow, "flow_share": _num(fs.share)} if ok else {},
    )


# --- PDL: clockwork → complexity ----------------------------------------------------------------


#: A person's work is "mostly complex" when the complex domain is at least this share of it.
MOSTLY_COMPLEX = 0.5


def _work_shares(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """Each person's share of simple, complicated, complex and chaotic work (people whose four
    values sum to zero are left out), index person_id."""
    rows, _ = waves.rows(ds.work, wave)
    kinds = ["simple", "complicated", "complex", "chaotic"]
    if not len(rows):
        return pd.DataFrame(columns=kinds, dtype=float)
    values = rows[kinds].apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    per_person = pd.DataFrame(values, columns=kinds).groupby(rows["person_id"].astype(str).to_numpy()).sum()
    total = per_person.sum(axis=1)
    return per_person[total > 0].div(total[total > 0], axis=0)


def shift_pdl(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> Shift:
    """PDL — from clockwork & predictable to complexity & surprise: does learning become personal-
    directed where work is complex? score = 100 × mean PDL share among people whose work is mostly
    complex.

    Mostly complex: the complex domain (Cynefin, Snowden & Boone 2007) is at least
    :data:`MOSTLY_COMPLEX` of the person's simple + complicated + complex + chaotic work. Chaotic
    work is crisis, not progress, and does not count. PDL share = the person's PDL hours ÷ all their
    learning hours (:func:`lib.analysis.learning.person_mix`). The score measures the learning, not
    the work: how complex the work is (mean complex share) is shown alongside, with the PDL share of
    everyone else for comparison. Needs ≥ min group size people with mostly complex work and
    learning hours.
    """
    w = waves.resolve(wave, ds.waves)
    shares = _work_shares(ds, w)
    mix = person_mix(ds, w)
    mix = mix[~mix["zero_total"]].set_index("person_id") if len(mix) else mix
    complex_people = shares.index[shares["complex"] >= MOSTLY_COMPLEX] if len(shares) else pd.Index([])
    with_learning = complex_people.intersection(mix.index) if len(mix) else pd.Index([])
    others = mix.index.difference(complex_people) if len(mix) else pd.Index([])
    n = len(with_learning)
    ok = privacy.large_enough(n, min_size)
    details: dict[str, float | None] = {"people_mostly_complex": float(n)}
    if len(shares):
        details["complex_share"] = float(shares["complex"].mean())
        details["chaotic_share"] = float(shares["chaotic"].mean())
    pdl = float(mix.loc[with_learning, "PDL"].mean()) if ok else math.nan
    if ok:
        details["pdl_share_mostly_complex"] = pdl
        if privacy.large_enough(len(others), min_size):
            details["pdl_share_others"] = float(mix.loc[others, "PDL"].mean())
    if len(shares) == 0:
        missing: tuple[str, ...] = ("work sheet (simple/complicated/complex/chaotic per person)",)
    elif not len(mix):
        missing = ("learning sheet (hours by learning type)",)
    else:
        missing = (
            ()
            if ok
            else (
                f"at least {min_size} people whose work is mostly complex and who reported learning hours "
                f"(have {n})",
            )
        )
    return Shift(
        code="PDL",
        name="Clockwork → complexity",
        from_pole="Clockwork & predictable: learning is prescribed",
        to_pole="Complexity & surprise: people direct their own learning",
        formula=f"100 × mean PDL share of learning time among people whose work is ≥ {MOSTLY_COMPLEX:.0%} complex",
        score=100.0 * pdl if ok else None,
        inputs_used=("work sheet", "learning sheet") if ok else (),
        inputs_missing=missing,
        collect="A short work survey: what share of your work is simple, complicated, complex or "
        "chaotic (Cynefin), per person; and learning hours by type.",
        suggestion="The more complex the work, the more people must direct their own learning: "
        "support personal knowledge mastery (seek, sense, share) rather than more courses.",
        details=details,
    )


# --- GDL: worker centric → team centric ---------------------------------------------------------


def _advice_ties(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """The advice ties of the tie wave of ``wave`` (no self-ties): source_id, target_id, weight,
    topic. Once per dataset object and tie wave (``ds.memo``, while its ties table stays the one it
    was computed from): GDL, IOL and its topics read them. Callers must not change it in place."""
    tw = waves.tie_wave(ds, wave)
    held = ds.memo.get(("shifts._advice_ties", tw))
    if isinstance(held, tuple) and held[0] is ds.ties:
        frame: pd.DataFrame = held[1]
        return frame
    frame = _read_advice_ties(ds, tw)
    ds.memo[("shifts._advice_ties", tw)] = (ds.ties, frame)
    return frame


def _read_advice_ties(ds: Dataset, tie_wave: str | None) -> pd.DataFrame:
    ties = waves.select(ds.ties, tie_wave)
    if not len(ties):
        return pd.DataFrame(columns=["source_id", "target_id", "weight", "topic"])
    rel = ties["relation"].fillna("").astype(str).str.strip().str.lower()
    ties = ties[rel == ADVICE_RELATION]
    frame = pd.DataFrame(
        {  # the text columns stay pyarrow-backed: no Python object per value
            "source_id": ties["source_id"].astype(str).array,
            "target_id": ties["target_id"].astype(str).array,
            "weight": pd.to_numeric(ties["weight"], errors="coerce").fillna(1.0).to_numpy(dtype=float),
            "topic": ties["topic"].fillna("").astype(str).str.strip().array if "topic" in ties else "",
        }
    )
    return frame[frame["source_id"] != frame["target_id"]]


def _within_team_share(ds: Dataset, wave: str | None) -> tuple[float, int]:
    ties = _advice_ties(ds, wave)
    if not len(ties) or "team" not in ds.people:
        return float("nan"), 0
    team = ds.people.set_index(ds.people["person_id"].astype(str))["team"].fillna("").astype(str)
    s = ties["source_id"].map(team).fillna("")
    t = ties["target_id"].map(team).fillna("")
    known = (s != "") & (t != "")
    if not known.any():
        return float("nan"), 0
    w = ties["weight"][known]
    return float(w[(s == t)[known]].sum() / w.sum()), int(known.sum())


def shift_gdl(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> Shift:
    """GDL — from worker centric to team centric: score = 100 × mean of the available parts.

    Parts: (a) group share of directed learning = GDL ÷ (GDL + PDL), from the organisation's
    mean shares (learning with a group versus alone); (b) within-team advice = Σ weight of advice
    ties whose two people share a team ÷ Σ weight of advice ties between people with a team.
    Jarche: work is moving from individual jobs to teams and networks, so learning should too.
    """
    w = waves.resolve(wave, ds.waves)
    mix = shared_mix(ds, w, min_size)
    parts: dict[str, float | None] = {}
    used: list[str] = []
    if not mix.suppressed and mix.respondents and mix.shares["GDL"] + mix.shares["PDL"] > 0:
        parts["group_share_of_directed"] = mix.shares["GDL"] / (mix.shares["GDL"] + mix.shares["PDL"])
        parts["gdl_share"] = mix.shares["GDL"]
        used.append("learning sheet")
    within, n_ties = _within_team_share(ds, w)
    if n_ties:
        parts["within_team_advice"] = within
        used.append("advice ties with teams")
    components = [v for k, v in parts.items() if k in ("group_share_of_directed", "within_team_advice")]
    score = 100.0 * float(np.mean([c for c in components if c is not None])) if components else None
    missing = []
    if "group_share_of_directed" not in parts:
        missing.append(f"learning hours by type (≥ {min_size} respondents)")
    if "within_team_advice" not in parts:
        missing.append("advice ties and people's teams")
    return Shift(
        code="GDL",
        name="Worker centric → team centric",
        from_pole="Worker centric: people learn and solve problems alone",
        to_pole="Team centric: learning and advice happen in working teams",
        formula="100 × mean of [GDL ÷ (GDL + PDL)] and [advice within teams ÷ all advice]",
        score=score,
        inputs_used=tuple(used),
        inputs_missing=tuple(missing) if score is None else (),
        collect="Learning hours by type per person, and an advice question ('who do you go to "
        "for advice?') with people's teams.",
        suggestion="Give teams time and tools to learn together (after-action reviews, communities "
        "of practice) and connect teams so their learning travels.",
        details=parts,
        note=""
        if score is None or len(components) == 2
        else "Based on one of the two parts only: " + "; ".join(missing) + " missing.",
    )


# --- IOL: experts → networks ------------------------------------------------------------------


def expertise_evenness_by_topic(ds: Dataset, wave: str | None = None) -> pd.DataFrame:
    """Per topic of advice ties: 1 − Gini of advice in-degree among the people in that topic's ties.

    in-degree = distinct people who name the person for advice on the topic. People = anyone at
    either end of the topic's advice ties (so the topic's seekers count with in-degree 0).
    Columns: topic, ties, people, evenness (0–1). Topics with fewer than two people are left out.
    """
    ties = _advice_ties(ds, waves.resolve(wave, ds.waves))
    ties = ties[ties["topic"] != ""] if len(ties) else ties
    rows = []
    if len(ties):
        # integer codes: topic, person (either end); a person's in-degree in a topic = the distinct
        # (topic, target, source) triples with that (topic, target)
        topic, topics = pd.factorize(ties["topic"], sort=True)
        person, ids = pd.factorize(
            np.concatenate([ties["source_id"].to_numpy(), ties["target_id"].to_numpy()])
        )
        p = np.int64(max(len(ids), 1))
        topic = topic.astype(np.int64)
        src, tgt = person[: len(ties)].astype(np.int64), person[len(ties) :].astype(np.int64)
        present = np.unique(np.concatenate([topic * p + src, topic * p + tgt])) // p
        people = np.bincount(present, minlength=len(topics))
        named, indeg = np.unique(np.unique((topic * p + tgt) * p + src) // p, return_counts=True)
        bounds = np.searchsorted(named // p, np.arange(len(topics) + 1))
        sizes = np.bincount(topic, minlength=len(topics))
        for i, name in enumerate(topics):
            if people[i] < 2:
                continue
            named_here = indeg[bounds[i] : bounds[i + 1]].astype(float)
            everyone = np.concatenate([np.zeros(people[i] - len(named_here)), named_here])
            rows.append(
                {
                    "topic": name,
                    "ties": int(sizes[i]),
                    "people": int(people[i]),
                    "evenness": 1.0 - gini(everyone),
                }
            )
    return pd.DataFrame(rows, columns=["topic", "ties", "people", "evenness"])


def shift_iol(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> Shift:
    """IOL — from subject-matter experts to subject-matter networks: score = 100 × (1 − G) ÷ (1 − G₀).

    G = Gini of advice in-degree (distinct people naming each person for advice,
    :func:`lib.core.stats.gini`) over everyone in the people sheet, people never named counting 0.
    G₀ = the expected Gini on a random network with the same people, the same number of names from
    each person and so the same density (:func:`lib.analysis.baseline.concentration`). 1 − G alone
    rises with how many names people give (random networks score about 61 at a mean in-degree of 2
    and 87 at 20), so it is divided by what chance gives: 100 = advice spread as evenly as at random
    (a network; capped at 100), lower = more of it on a few experts. Per topic when ties carry topics
    (:func:`expertise_evenness_by_topic`; mean in details, not normalised).
    """
    w = waves.resolve(wave, ds.waves)
    ties = _advice_ties(ds, w).drop_duplicates(["source_id", "target_id"])
    people = ds.people["person_id"].astype(str) if "person_id" in ds.people else pd.Series(dtype=str)
    ok = len(ties) > 0 and len(people) >= 2
    score = None
    details: dict[str, float | None] = {}
    if ok:
        index = pd.Index(people.drop_duplicates())
        ties = ties[index.get_indexer(pd.Index(ties["target_id"])) >= 0]
        src = index.get_indexer(pd.Index(ties["source_id"]))
        indeg = ties.groupby("target_id")["source_id"].nunique().reindex(index).fillna(0)
        chance = concentration(indeg.to_numpy(dtype=float), src[src >= 0])
        g = chance.gini
        score = min(100.0, 100.0 * (1.0 - g) / (1.0 - chance.gini_random)) if chance.gini_random < 1 else None
        details = {
            "gini": g,
            "gini_random": chance.gini_random,
            "unnormalised": 100.0 * (1.0 - g),
            "people": float(len(index)),
            "advice_ties": float(len(ties)),
        }
        topics = expertise_evenness_by_topic(ds, w)
        if len(topics):
            details["topic_evenness_mean"] = float(topics["evenness"].mean())
            details["topics"] = float(len(topics))
    return Shift(
        code="IOL",
        name="Experts → networks",
        from_pole="Subject-matter experts: a few people everyone asks",
        to_pole="Subject-matter networks: expertise sought across many people",
        formula="100 × (1 − Gini of advice in-degree) ÷ (1 − Gini a random network of the same density gives)",
        score=score,
        inputs_used=("advice ties",) if ok else (),
        inputs_missing=() if ok else ("advice ties (relation 'advice')",),
        collect="An advice question: 'Who do you go to for advice about your work?' (and the topic, "
        "to see expertise per subject).",
        suggestion="Turn experts into hubs of networks: pair them with learners, open their "
        "answers to everyone, and make other holders of the knowledge visible.",
        details=details,
    )


# --- FSL: curriculum → competency -------------------------------------------------------------


def _person_gap(ds: Dataset, wave: str | None) -> pd.Series:
    """Mean known skill gap per person (lib.analysis.skills.person_gaps; NaN gaps are unknown, left out)."""
    from lib.analysis.skills import person_gaps

    gaps = person_gaps(ds, waves.table_wave(ds.skills, wave))
    gaps = gaps[gaps["gap"].notna()]
    if not len(gaps):
        return pd.Series(dtype=float)
    return gaps.groupby(gaps["person_id"].astype(str))["gap"].mean()


def shift_fsl(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> Shift:
    """FSL — from curriculum to competency: score = 50 × (ρ + 1), ρ = Spearman(FSL hours, skill gap).

    Per person: FSL hours in the wave (:func:`lib.analysis.learning.person_mix`) and the mean of their
    known skill gaps (gap = max(required − current, 0), :func:`lib.analysis.skills.person_gaps`), over
    people with both (including zero FSL hours). ρ = +1 (score 100): formal learning goes
    exactly where the gaps are (competency); 0 (score 50): unrelated; −1 (score 0): it goes to
    those who need it least (a curriculum for all). Needs ≥ min group size people and some
    variation in both; Spearman rank correlation via ``scipy.stats.spearmanr``.
    """
    w = waves.resolve(wave, ds.waves)
    people = person_mix(ds, w)
    gap = _person_gap(ds, w)
    fsl = people.set_index("person_id")["hours_FSL"] if len(people) else pd.Series(dtype=float)
    both = pd.DataFrame({"fsl": fsl, "gap": gap}).dropna()
    n = len(both)
    missing: list[str] = []
    if not len(people):
        missing.append("learning hours by type (FSL)")
    if not len(gap):
        missing.append("skills (current levels) and role_skills (required levels)")
    note = ""
    score = None
    rho = float("nan")
    if not missing and not privacy.large_enough(n, min_size):
        missing.append(f"at least {min_size} people with both FSL hours and skill gaps (have {n})")
    if not missing:
        if both["fsl"].nunique() < 2 or both["gap"].nunique() < 2:
            note = "No variation in FSL hours or in skill gaps: a correlation is not defined."
        else:
            rho = spearman(both["fsl"], both["gap"])[0]
            score = 50.0 * (rho + 1.0)
    return Shift(
        code="FSL",
        name="Curriculum → competency",
        from_pole="Curriculum: the same courses for everyone",
        to_pole="Competency: formal learning where the skill gaps are",
        formula="50 × (Spearman ρ between each person's FSL hours and mean skill gap + 1)",
        score=score,
        inputs_used=("learning sheet (FSL hours)", "skills", "role_skills") if not missing else (),
        inputs_missing=tuple(missing),
        collect="Current skill levels per person (self, peer or manager ratings) and required "
        "levels per role, alongside learning hours by type.",
        suggestion="Aim formal learning at demonstrated skill gaps and let people and teams pull it "
        "when needed, instead of pushing a fixed catalogue.",
        details={"rho": _num(rho), "people": float(n)},
        note=note,
    )


SHIFTS: tuple[Callable[[Dataset, str | None, int], Shift], ...] = (
    shift_asl,
    shift_pdl,
    shift_gdl,
    shift_iol,
    shift_fsl,
)


def scorecard(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> list[Shift]:
    """The five shifts in the framework's order (ASL, PDL, GDL, IOL, FSL) for one wave (None = latest).

    Computed once per dataset object, wave and minimum group size (``ds.memo``: the Overview, the
    Learning page's scorecard and its download all read it); each caller gets its own copies.
    """
    resolved = waves.resolve(wave, ds.waves)
    key = ("shifts.scorecard", resolved, min_size)
    cached = ds.remember(key, lambda: tuple(fn(ds, resolved, min_size) for fn in SHIFTS))
    return [replace(s, details=dict(s.details)) for s in cached]


def scorecard_table(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """The scorecard as a table for downloads: one row per shift with its formula and inputs."""
    rows = [
        {
            "type": s.code,
            "shift": s.name,
            "from": s.from_pole,
            "to": s.to_pole,
            "score": s.score,
            "formula": s.formula,
            "inputs_used": "; ".join(s.inputs_used),
            "inputs_missing": "; ".join(s.inputs_missing),
            "what_to_collect": s.collect if s.score is None else "",
            "note": s.note,
        }
        for s in scorecard(ds, wave, min_size)
    ]
    return pd.DataFrame(rows)


def analysis_json(ds: Dataset) -> dict[str, object]:
    """The ``shifts`` section of ``python -m lib.cli analyze``: per shift its score (0–100 or null)."""
    wave = waves.resolve(None, ds.waves)
    return {
        "wave": wave or "",
        "shifts": {s.code: s.as_dict() for s in scorecard(ds, wave)},
    }
