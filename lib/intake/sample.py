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
  included). The department's first :data:`~lib.intake.sample_story.TEAMS_PER_MANAGER` teams
  report to its head, later teams report to the leads of earlier teams (a heap layout), so big departments grow deeper
  hierarchies. Levels: lead = 3 + depth of the team; members one or two levels below their
  lead (two only while that stays within level 5). At 250 people that gives levels 1–5.
* Survey data (ties, learning, trust, work) come only from respondents (``responded`` ≈ 85%);
  non-respondents can still be *named* by others, and their skills are rated by their manager.
* Ties: each respondent has a fixed number of tie *slots* per relation; each slot draws a
  category (own team / own department / elsewhere) and a target with common random numbers, so
  most ties persist between waves while a changed probability moves exactly the affected slots.
  A share :data:`~lib.intake.sample_story.CHURN` of slots is redrawn each wave. Targets outside
  the team are drawn in proportion to an attractiveness weight (experts and brokers are sought more).

Rules (departments, relations, skills, planted people, names) are tables in
:mod:`lib.intake.sample_story`; the people and reporting lines are built by
:mod:`lib.intake.sample_org`; this module generates the tables and writes them.
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

from lib.core.dataset import TABLE_COLUMNS, Dataset, builtin_trust_items
from lib.core.schema import CHANNEL_MODES, LEARNING_TYPE_CODES, TRUST_ITEM_BANK, WORK_KINDS
from lib.intake import sample_story as story
from lib.intake.sample_org import Org, build_org, people_table

__all__ = [
    "EXCEL_MAX_ROWS",
    "generate",
    "wave_labels",
    "write_dataset",
]

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


def _shares(alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One Dirichlet draw per row of ``alpha`` (vectorised through gamma variates)."""
    g = rng.gamma(np.maximum(alpha, 1e-3))
    total = g.sum(axis=1, keepdims=True)
    return np.asarray(g / np.where(total > 0, total, 1.0))


# --- skills ------------------------------------------------------------------------------------


def _skill_levels(org: Org, waves: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Current levels (people × skills, NaN = not rated) per wave."""
    skills = list(story.SKILLS)
    col = {s: k for k, s in enumerate(skills)}
    required = np.full((len(org.role_names), len(skills)), np.nan)
    for r, role in enumerate(org.role_names):
        for s, v in org.role_requirements[role].items():
            required[r, col[s]] = v
    req = required[org.role]
    bias = np.array(list(story.SKILLS.values()))
    ability = rng.normal(0.0, 0.6, (org.n, 1))
    level = np.round(req + ability + bias + rng.normal(0.0, 0.6, req.shape))
    # everyone also rates two skills outside their role, low
    rare = [col[s] for s in story.RARE_SKILLS]
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

    growth = np.array([story.SKILL_GROWTH.get(s, story.SKILL_GROWTH_DEFAULT) for s in skills])
    growth[rare] = 0.0
    out = [level]
    for _ in range(1, waves):
        step = (rng.random(level.shape) < growth) & ~np.isnan(level)
        level = np.clip(level + step, 0, 5)
        out.append(level)
    return out


def _skills_tables(
    org: Org, levels: list[np.ndarray], labels: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    skills = np.array(list(story.SKILLS), dtype=object)
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
    org: Org,
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
        default_total = sum(r.out_ties for r in story.RELATIONS) * story.RESPONSE_RATE
        scale = ties_per_person / default_total

    is_head = (org.team == 0) & (org.level == 2)
    is_broker = np.zeros(n, dtype=bool)
    is_broker[org.brokers] = True
    expert = np.zeros(n, dtype=bool)
    expert[list(org.experts)] = True
    base_weight = rng.lognormal(0.0, 0.5, n)
    base_weight[org.isolated] = 0.0  # nobody outside the isolated team names its members
    base_weight[expert] = 1.2  # experts' pull comes from RelationSpec.expert_pull, not from luck

    skills = np.array(list(story.SKILLS), dtype=object)
    frames: list[pd.DataFrame] = []
    for spec in story.RELATIONS:
        mean = spec.out_ties * scale
        k = rng.poisson(mean, respondents.size)
        if spec.name == "advice":
            k = np.clip(k, max(1, round(mean * 0.5)), max(2, round(mean * 1.8)))
        brokers = is_broker[respondents]
        k[brokers] = np.maximum(
            np.round(k[brokers] * story.BROKER_SLOTS_FACTOR), round(mean * story.BROKER_SLOTS_FACTOR)
        )
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
                redraw = rng.random(slots) < story.CHURN
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
            p_team[is_broker], p_dept[is_broker] = story.BROKER_SLOTS
            p_team[0], p_dept[0] = 0.6, 0.0  # the CEO's department is the CEO alone
            p_team[org.isolated], p_dept[org.isolated] = 1.0, 0.0
            kp = org.key_person
            if kp >= 0:
                p_team[kp], p_dept[kp] = 0.35, 0.55

            attract = base_weight * incoming[org.dept]
            attract = np.where(expert, attract * spec.expert_pull, attract)
            attract = np.where(is_broker, attract * story.BROKER_PULL, attract)
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


def _department_factors(org: Org, t: float) -> tuple[np.ndarray, np.ndarray]:
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
    org: Org,
    spec: story.RelationSpec,
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


def _learning_table(org: Org, waves: int, labels: list[str], rng: np.random.Generator) -> pd.DataFrame:
    people = np.flatnonzero(org.responded)
    mixes = np.array([d.learning_mix for d in org.departments] + [(0.15, 0.20, 0.35, 0.25, 0.05)])
    base = mixes[org.dept[people]]
    person_tilt = rng.lognormal(0.0, 0.25, base.shape)
    total = rng.lognormal(np.log(18.0), 0.45, people.size)
    silo = _dept_mask(org, story.PLANTED.silo_department)[people]
    frames = []
    for w, label in enumerate(labels):
        t = _progress(w, waves)
        mix = base * person_tilt
        mix[:, 4] *= _lerp(1.0, story.FSL_CHANGE, t)
        mix[silo, 1] *= _lerp(1.0, story.GDL_SILO_CHANGE, t)
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


def _trust_table(org: Org, waves: int, labels: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Likert answers from a latent factor per person and dimension plus item noise.

    θ = dimension mean + department effect + general factor + dimension factor + wave noise;
    an answer is round(θ + noise) clipped to 1–5, mirrored (6 − x) for reverse-coded items.
    """
    people = np.flatnonzero(org.responded)
    dims = list(story.TRUST_MEANS)
    n_p, n_d = people.size, len(dims)
    mean = np.array([story.TRUST_MEANS[d] for d in dims])
    dept_effect = rng.normal(0.0, 0.2, (len(org.dept_names), n_d))
    silo = _dept_mask(org, story.PLANTED.silo_department)
    ks = dims.index("knowledge_sharing")
    if story.PLANTED.silo_department in org.dept_names:
        dept_effect[org.dept_names.index(story.PLANTED.silo_department), ks] -= 0.4
    general = rng.normal(0.0, 0.45, (n_p, 1))
    specific = rng.normal(0.0, 0.55, (n_p, n_d))
    item_dim = np.array([dims.index(i.dimension) for i in TRUST_ITEM_BANK])
    reverse = np.array([i.reverse for i in TRUST_ITEM_BANK])
    codes = np.array([i.item for i in TRUST_ITEM_BANK], dtype=object)
    frames = []
    for w, label in enumerate(labels):
        t = _progress(w, waves)
        change = np.array([story.TRUST_CHANGE.get(d, 0.0) for d in dims]) * t
        theta = mean + change + dept_effect[org.dept[people]] + general + specific
        theta[:, ks] += story.TRUST_SILO_EXTRA * t * silo[people]
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


def _work_table(org: Org, waves: int, labels: list[str], rng: np.random.Generator) -> pd.DataFrame:
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


def _dept_mask(org: Org, name: str) -> np.ndarray:
    if name not in org.dept_names:
        return np.zeros(org.n, dtype=bool)
    return np.asarray(org.dept == org.dept_names.index(name))


# --- the interactions log ----------------------------------------------------------------------


def _interactions_table(
    org: Org, waves: int, rng: np.random.Generator, events_per_person: float = story.EVENTS_PER_PERSON
) -> pd.DataFrame:
    channels = list(story.CHANNEL_PROBABILITIES)
    skills = list(story.SKILLS)
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
        p = np.array([_lerp(a, b, t) for a, b in story.CHANNEL_PROBABILITIES.values()])
        ch = rng.choice(len(channels), count, p=p / p.sum())
        repo = channels.index("repository")
        ch = np.where((ch == repo) & ~engineering[src], channels.index("document"), ch)
        kind = np.empty(count, dtype=object)
        to_person = np.zeros(count, dtype=bool)
        topic = np.empty(count, dtype=object)
        for i, name in enumerate(channels):
            here = np.flatnonzero(ch == i)
            options = story.CHANNEL_KINDS[name]
            probs = np.array([o[1] for o in options])
            pick = rng.choice(len(options), here.size, p=probs / probs.sum())
            kind[here] = np.array([o[0] for o in options], dtype=object)[pick]
            to_person[here] = np.array([o[2] for o in options])[pick]
            if name in pages:
                titles = pages[name]
                viewed = (
                    max(1, int(len(titles) * (1 - story.UNVIEWED_PAGE_SHARE)))
                    if name == "wiki"
                    else len(titles)
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
    skills = list(story.SKILLS)
    base = [f"{s} {kind}" for kind in story.DOCUMENT_KINDS for s in skills]
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
    non-respondents; default ≈ 15 from :data:`~lib.intake.sample_story.RELATIONS`); benchmarks ask for ~20. Wave labels come
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
    org = build_org(int(people), rng)
    levels = _skill_levels(org, waves, rng)
    tops = [
        np.where(np.isnan(lv).all(axis=1), -1, np.nan_to_num(lv, nan=-1.0).argmax(axis=1)) for lv in levels
    ]
    skills, role_skills = _skills_tables(org, levels, labels)
    ds = Dataset(
        people=people_table(org),
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
