"""The sample organisation's people: departments, teams, reporting lines, levels, roles and the
planted people (:mod:`lib.intake.sample_story`), built vectorised from a seeded generator.

:func:`build_org` makes the :class:`Org` every table generator of :mod:`lib.intake.sample` reads;
:func:`people_table` is its ``people`` sheet. The structure is described in
:mod:`lib.intake.sample`'s docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.dataset import PEOPLE_COLUMNS
from lib.intake import sample_story as story

__all__ = ["Org", "build_org", "people_table"]


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


# --- the organisation ------------------------------------------------------------------------


@dataclass
class Org:
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
    departments: list[story.Department]
    dept_names: list[str]
    team_names: list[str]
    role_names: list[str]
    role_requirements: dict[str, dict[str, int]]
    experts: dict[int, str]  # person → skill
    brokers: list[int]
    key_person: int
    isolated: np.ndarray  # bool: members of the isolated team other than its lead
    sole_holders: dict[int, str]


def _department_sizes(n_rest: int, departments: Sequence[story.Department]) -> list[int]:
    w = np.array([d.weight for d in departments])
    raw = n_rest * w / w.sum()
    sizes = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - sizes))[: n_rest - int(sizes.sum())]:
        sizes[i] += 1
    return [int(s) for s in sizes]


def build_org(n: int, rng: np.random.Generator) -> Org:
    n_depts = int(min(len(story.DEPARTMENTS), max(1, (n - 1) // 25)))
    departments = list(story.DEPARTMENTS[:n_depts])
    dept_names = [d.name for d in departments] + [story.EXECUTIVE]
    exec_idx = n_depts

    dept = np.empty(n, dtype=np.int64)
    team = np.empty(n, dtype=np.int64)
    level = np.empty(n, dtype=np.int64)
    manager = np.full(n, -1, dtype=np.int64)
    role = np.empty(n, dtype=np.int64)
    is_lead = np.zeros(n, dtype=bool)
    team_names: list[str] = [story.LEADERSHIP_TEAM]
    team_location: list[str] = ["London"]
    role_names: list[str] = ["Chief executive"]
    role_requirements: dict[str, dict[str, int]] = {"Chief executive": dict(story.CEO_REQUIREMENTS)}
    used_team_names: set[str] = {story.LEADERSHIP_TEAM}

    # CEO, then each department head (members of the leadership team)
    dept[0], team[0], level[0], role[0] = exec_idx, 0, 1, 0
    heads: list[int] = []
    for d, spec in enumerate(departments):
        p = 1 + d
        heads.append(p)
        role_name = f"Head of {spec.name}"
        role_names.append(role_name)
        role_requirements[role_name] = {**story.HEAD_REQUIREMENTS, **{s: 2 for s in spec.skills}}
        dept[p], team[p], level[p], manager[p], role[p] = d, 0, 2, 0, len(role_names) - 1

    p = 1 + n_depts
    if n >= story.EXECUTIVE_OFFICE_FROM:
        # the CEO's own office, big enough that the Executive department is never a group of one
        role_names += list(story.EXECUTIVE_OFFICE_ROLES)
        for name, req in story.EXECUTIVE_OFFICE_ROLES.items():
            role_requirements[name] = dict(req)
        office = np.arange(p, p + story.EXECUTIVE_OFFICE_SIZE)
        team_names.append(story.EXECUTIVE_OFFICE)
        team_location.append("London")
        dept[office], team[office] = exec_idx, len(team_names) - 1
        level[p], manager[p], role[p], is_lead[p] = 2, 0, len(role_names) - 2, True
        level[office[1:]], manager[office[1:]], role[office[1:]] = 3, p, len(role_names) - 1
        p += story.EXECUTIVE_OFFICE_SIZE
    isolated_team = -1
    key_person = -1
    for d, (spec, m) in enumerate(zip(departments, _department_sizes(n - p, departments), strict=True)):
        manager_role = f"{spec.name} manager"
        role_names += [manager_role, spec.member_role, spec.senior_role]
        r_manager, r_member, r_senior = len(role_names) - 3, len(role_names) - 2, len(role_names) - 1
        role_requirements[manager_role] = {
            **story.MANAGER_REQUIREMENTS,
            **{s: max(2, v - 1) for s, v in spec.skills.items()},
        }
        role_requirements[spec.member_role] = {**story.COMMON_REQUIREMENTS, **spec.skills}
        role_requirements[spec.senior_role] = {
            **story.COMMON_REQUIREMENTS,
            "Data literacy": 3,
            **{s: min(5, v + 1) for s, v in spec.skills.items()},
        }
        if spec.name == story.PLANTED.silo_department and m >= 2 * story.ISOLATED_TEAM_SIZE:
            sizes = [*_partition(m - story.ISOLATED_TEAM_SIZE, rng), story.ISOLATED_TEAM_SIZE]  # last: a leaf
        else:
            sizes = _partition(m, rng)
        leads: list[int] = []
        for j, size in enumerate(sizes):
            base = spec.teams[j % len(spec.teams)]
            name = base if j < len(spec.teams) else f"{base} {j // len(spec.teams) + 1}"
            if spec.name == story.PLANTED.silo_department and j == len(sizes) - 1 and len(sizes) > 1:
                name = (
                    story.PLANTED.isolated_team
                    if j < len(spec.teams)
                    else f"{story.PLANTED.isolated_team} {j + 1}"
                )
            while name in used_team_names:
                name += "′"
            used_team_names.add(name)
            t = len(team_names)
            team_names.append(name)
            team_location.append(
                spec.location if rng.random() < 0.65 else str(rng.choice(story.LOCATIONS[:-1]))
            )
            depth = 0
            boss = heads[d]
            if j >= story.TEAMS_PER_MANAGER:
                parent = j // story.TEAMS_PER_MANAGER - 1
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
            if name.startswith(story.PLANTED.isolated_team) and isolated_team < 0:
                isolated_team, key_person = t, p
            p += size
    assert p == n

    names = _names(n, rng)
    tenure = np.round(rng.gamma(2.0, 2.0 + 1.2 * (6 - np.minimum(level, 6)), n) + 0.2, 1)
    location = np.array(team_location, dtype=object)[team]
    location = np.where(rng.random(n) < 0.08, "Remote", location)
    responded = rng.random(n) < story.RESPONSE_RATE

    org = Org(
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
    reserved = {name for name, *_ in story.PLANTED.experts} | {name for name, _ in story.PLANTED.brokers}
    reserved |= {story.PLANTED.key_person} | {name for name, _ in story.PLANTED.sole_holders}
    combos = len(story.FIRST_NAMES) * len(story.LAST_NAMES)
    if n <= combos // 2:  # unique names while that is plausible
        picks = rng.choice(combos, size=n + len(reserved), replace=False)
    else:
        picks = rng.integers(0, combos, size=n + len(reserved))
    first = np.array(story.FIRST_NAMES, dtype=object)[picks // len(story.LAST_NAMES)]
    last = np.array(story.LAST_NAMES, dtype=object)[picks % len(story.LAST_NAMES)]
    full = first + " " + last
    keep = ~np.isin(full, list(reserved))
    return np.asarray(full[keep][:n])


def _plant_people(org: Org, rng: np.random.Generator) -> None:
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
    for name, dept_name, skill in story.PLANTED.experts:
        i = pick(dept_name, taken)
        if i >= 0:
            taken.add(i)
            org.names[i] = name
            org.experts[i] = skill
    for name, dept_name in story.PLANTED.brokers:
        i = pick(dept_name, taken)
        if i >= 0:
            taken.add(i)
            org.names[i] = name
            org.brokers.append(i)
    if org.key_person >= 0:
        org.names[org.key_person] = story.PLANTED.key_person
        org.isolated = (org.team == org.team[org.key_person]) & (np.arange(org.n) != org.key_person)
        taken.add(org.key_person)
    for (name, skill), dept_name in zip(
        story.PLANTED.sole_holders, story.PLANTED.sole_holder_departments, strict=True
    ):
        if name == story.PLANTED.key_person:
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


def people_table(org: Org) -> pd.DataFrame:
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
