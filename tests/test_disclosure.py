"""A differencing attacker against the aggregate view (issue 12).

The attacker knows the org chart (every person's team, department, location, level, role) and
who answered each survey in each wave. It collects every group figure the aggregate view shows:
the exports (which the deck, the HTML report and ``lib.cli report`` are built from) for every
"group by" attribute and every wave, and the tables the pages compute. Each shown row is a set of
people (the group's contributors) whose values the figure sums up. Within one *family* of values
(one trust dimension, the learning mix, the collaboration log, a skill's gaps, the roster), any
sum or difference of shown figures is a linear combination of those sets. The attacker looks for
one that describes fewer than the minimum group size of people:

* the quick searches of the issue: a set minus a shown set inside it (team from department), a
  set minus the union of disjoint shown sets inside it (the department head), the same group in
  two waves (joiners and leavers);
* and the exact one: split the people into cells by membership of every shown set; a combination
  of shown figures describing fewer than k people exists only if the row space of the shown sets
  contains a non-zero vector supported on cells that together hold fewer than k people. It checks
  that space by linear algebra.

It runs on the sample organisation and on organisations built to be hard. To show that it is not
vacuous, it is also run against the per-table rule alone (what the aggregate view did before),
where it must find the department-head leak of the issue.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.analysis import flows, hierarchy, learning, netmap, network, skills, trust, wirearchy
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.core.schema import TRUST_ITEM_BANK
from lib.intake import loader
from lib.report import exports

K = 5
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "sample_org.xlsx"


@dataclass(frozen=True)
class Figure:
    """One shown group figure: the family of values it sums, its wave and whose values."""

    family: str
    wave: str
    members: frozenset[str]
    where: str


# --- what the attacker knows: the org chart and who contributed -------------------------------


def _label(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "(not given)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text if text and text.lower() not in {"nan", "<na>", "none"} else "(not given)"


class Chart:
    """The org chart and, per family and wave, whose values a figure is computed from."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.ids = [str(i) for i in ds.people["person_id"]]
        self.everyone = frozenset(self.ids)

    def group(self, attribute: str, label: object) -> frozenset[str]:
        values = self.ds.people[attribute].tolist()
        want = _label(label)
        return frozenset(p for p, v in zip(self.ids, values, strict=True) if _label(v) == want)

    def _rows(self, table: pd.DataFrame, wave: str) -> pd.DataFrame:
        if "wave" not in table or not wave:
            return table
        w = table["wave"].fillna("").astype(str).str.strip()
        return table[(w == wave) | (w == "")]

    def trust(self, dimension: str, wave: str) -> frozenset[str]:
        items = {i.item for i in TRUST_ITEM_BANK if i.dimension == dimension}
        rows = self._rows(self.ds.trust, wave)
        rows = rows[rows["item"].isin(items) & pd.to_numeric(rows["value"], errors="coerce").between(1, 5)]
        answered = rows.groupby("person_id")["item"].nunique()
        asked = rows["item"].nunique()
        return frozenset(str(p) for p, n in answered.items() if n >= min(2, asked)) & self.everyone

    def learning(self, wave: str) -> frozenset[str]:
        rows = self._rows(self.ds.learning, wave)
        hours = pd.to_numeric(rows["hours"], errors="coerce").fillna(0).groupby(rows["person_id"]).sum()
        return frozenset(str(p) for p, h in hours.items() if h > 0) & self.everyone

    def needers(self, skill: str) -> frozenset[str]:
        req = self.ds.role_skills
        roles = {str(r).strip().lower() for r in req.loc[req["skill"].astype(str) == skill, "role"]}
        return frozenset(
            p
            for p, r in zip(self.ids, self.ds.people["role"], strict=True)
            if str(r).strip().lower() in roles
        )


# --- what the aggregate view shows -------------------------------------------------------------


def _shown(frame: pd.DataFrame, size_col: str) -> pd.DataFrame:
    if "suppressed" in frame:
        frame = frame[~frame["suppressed"].astype(bool)]
    return frame[pd.to_numeric(frame[size_col], errors="coerce").notna()]


def _waves(ds: Dataset) -> list[str]:
    return ds.waves or [""]


def _group_tables(
    chart: Chart, attr: str, wave: str, tables: dict[str, pd.DataFrame], where: str
) -> list[Figure]:
    """Figures from the group tables of one report or page (keys as the exports name them)."""
    out: list[Figure] = []
    everyone = chart.everyone
    for name, frame in tables.items():
        if name == f"trust_{attr}":
            for row in _shown(frame, "respondents").itertuples(index=False):
                g = chart.group(attr, row.group)
                out.append(
                    Figure(f"trust:{row.dimension}", wave, g & chart.trust(row.dimension, wave), where + name)
                )
                out.append(Figure("roster", "", g, where + name))
        elif name == f"learning_{attr}":
            for row in _shown(frame, "respondents").itertuples(index=False):
                g = chart.group(attr, getattr(row, attr))
                out.append(Figure("learning", wave, g & chart.learning(wave), where + name))
                out.append(Figure("roster", "", g, where + name))
        elif name in (f"ei_{attr}", f"wirearchy_{attr}", "group_map"):
            size = "size" if name.startswith("ei") else "people"
            for row in _shown(frame, size).itertuples(index=False):
                g = chart.group(attr, row.group)
                out.append(Figure("roster", "", g, where + name))
                if name.startswith("wirearchy"):
                    for dim in {i.dimension for i in TRUST_ITEM_BANK}:
                        out.append(Figure(f"trust:{dim}", wave, g & chart.trust(dim, wave), where + name))
        elif name == f"flow_{attr}":
            actors = _actors(chart.ds)
            for row in _shown(frame, "actors").itertuples(index=False):
                out.append(
                    Figure("interactions", "", chart.group(attr, getattr(row, attr)) & actors, where + name)
                )
        elif name in ("advice_by_level", "advice_in_degree_by_level"):
            for row in _shown(frame, "people").itertuples(index=False):
                out.append(Figure("roster", "", chart.group("level", row.level), where + name))
        elif name.startswith("skill_gaps_"):
            by = name.removeprefix("skill_gaps_")
            for row in _shown(frame, "people").itertuples(index=False):
                members = chart.group(by, getattr(row, by)) & chart.needers(row.skill)
                out.append(Figure(f"skills:{row.skill}", "", members, where + name))
        elif name == "trust_dimensions":
            for row in _shown(frame, "respondents").itertuples(index=False):
                out.append(
                    Figure(f"trust:{row.dimension}", wave, chart.trust(row.dimension, wave), where + name)
                )
        elif name == "learning_mix":
            values = frame[frame["measure"] == "IOL"]["value"] if len(frame) else pd.Series(dtype=float)
            if len(values) and values.notna().all():
                out.append(Figure("learning", wave, chart.learning(wave), where + name))
        elif name == "skill_gaps":
            for row in _shown(frame, "people").itertuples(index=False):
                out.append(Figure(f"skills:{row.skill}", "", chart.needers(row.skill), where + name))
    out.append(Figure("roster", "", everyone, "the organisation"))
    return out


def _actors(ds: Dataset) -> frozenset[str]:
    it = ds.interactions
    if not len(it):
        return frozenset()
    roster = set(ds.people["person_id"].astype(str))
    act = it[it["mode"].isin(["stock", "flow"])]
    return frozenset(str(p) for p in act["source_id"] if str(p) in roster)


def report_figures(ds: Dataset, view: exports.View = "aggregate") -> list[Figure]:
    """Every group figure of the exports, for every attribute and every wave."""
    chart = Chart(ds)
    out: list[Figure] = []
    for attr in ds.attributes:
        for wave in _waves(ds):
            options = exports.ExportOptions(view=view, group_by=attr, wave=wave or None)
            out += _group_tables(
                chart, attr, wave, exports.export_tables(ds, options), f"export {attr}/{wave}: "
            )
    return out


def page_figures(ds: Dataset, across: bool = True) -> list[Figure]:
    """Every group figure the pages compute in the aggregate view, for every choice and wave."""
    chart = Chart(ds)
    out: list[Figure] = []
    for wave in _waves(ds):
        w = wave or None
        tables: dict[str, pd.DataFrame] = {}
        for attr in ds.attributes:
            tables = {
                f"trust_{attr}": trust.scores_by_group(ds, attr, w, K, across=across),
                f"learning_{attr}": learning.group_mix(ds, attr, w, K, across),
                f"wirearchy_{attr}": wirearchy.index_by_group(ds, attr, wave=w, min_size=K, across=across),
                f"flow_{attr}": flows.flow_share_by_group(ds, attr, K, across),
                f"ei_{attr}": network.shown_ei_groups(
                    ds, network.ei_index(ds, attr, None, ds.tie_wave(wave)), K, across
                ),
            }
            group_map = netmap.group_map(
                ds, attr, wave=ds.tie_wave(wave), min_group_size=K, complementary=across
            )
            tables["group_map"] = pd.DataFrame(
                {"group": [n.label for n in group_map.nodes], "people": [1] * len(group_map.nodes)}
            )
            out += _group_tables(chart, attr, wave, tables, f"page {attr}/{wave}: ")
        level = {
            "advice_by_level": hierarchy.advice_by_level(ds, K, w, across),
            "advice_in_degree_by_level": hierarchy.flow_by_level(ds, K, w, across),
            "trust_dimensions": trust.shown_summary(ds, w, K, across),
            "learning_mix": _mix_table(learning.overall_mix(ds, w, K, across)),
        }
        if len(ds.skills):
            for by in ("team", "role"):
                if by in ds.people:
                    level[f"skill_gaps_{by}"] = skills.group_gap_cells(ds, w, by, K, across)
        out += _group_tables(chart, "level", wave, level, f"page {wave}: ")
    return out


def _mix_table(mix: learning.MixSummary) -> pd.DataFrame:
    return pd.DataFrame({"measure": ["IOL"], "value": [mix.shares["IOL"]]})


# --- the attacker -----------------------------------------------------------------------------


def quick_searches(figures: Iterable[Figure], k: int = K) -> list[str]:
    """The issue's searches: nested differences, a parent minus its shown children, two waves."""
    leaks: list[str] = []
    by_family: dict[str, list[Figure]] = {}
    for f in figures:
        if f.members:
            by_family.setdefault(f.family, []).append(f)
    for family, figs in by_family.items():
        unique = {f.members: f for f in figs}
        sets = list(unique)
        for a, b in itertools.permutations(sets, 2):
            if b < a and 0 < len(a - b) < k:
                leaks.append(
                    f"{family}: {unique[a].where} minus {unique[b].where} leaves {len(a - b)} people"
                )
        for a in sets:
            inside = [b for b in sets if b < a]
            covered: set[str] = set()
            for b in sorted(inside, key=len, reverse=True):
                if not covered & b:
                    covered |= b
            if covered and 0 < len(a - covered) < k:
                leaks.append(
                    f"{family}: {unique[a].where} minus the groups shown inside it leaves {len(a - covered)}"
                )
    return leaks


def exact_search(figures: Iterable[Figure], k: int = K) -> list[str]:
    """Whether any combination of shown figures describes fewer than ``k`` people (linear algebra)."""
    leaks: list[str] = []
    by_family: dict[str, set[frozenset[str]]] = {}
    for f in figures:
        if f.members:
            by_family.setdefault(f.family, set()).add(f.members)
    for family, sets in by_family.items():
        shown = sorted(sets, key=lambda s: sorted(s))
        people = sorted(set().union(*shown))
        signature: dict[str, tuple[bool, ...]] = {p: tuple(p in s for s in shown) for p in people}
        cells: dict[tuple[bool, ...], list[str]] = {}
        for p, sig in signature.items():
            cells.setdefault(sig, []).append(p)
        keys = list(cells)
        matrix = np.array([[1.0 if key[i] else 0.0 for key in keys] for i in range(len(shown))])
        small = [j for j, key in enumerate(keys) if len(cells[key]) < k]
        if not small:
            continue
        # dim(row space ∩ span of the small cells) = rank(R) + |small| − rank([R; E_small])
        unit = np.zeros((len(small), len(keys)))
        for r, j in enumerate(small):
            unit[r, j] = 1.0
        rank = np.linalg.matrix_rank(matrix)
        joint = np.linalg.matrix_rank(np.vstack([matrix, unit]))
        if rank + len(small) - joint > 0:
            sizes = sorted(len(cells[keys[j]]) for j in small)
            leaks.append(f"{family}: a combination of shown figures isolates cells of {sizes} people")
    return leaks


# --- organisations built to be hard ------------------------------------------------------------

ITEMS = [i.item for i in TRUST_ITEM_BANK]
TYPES = ["IOL", "GDL", "PDL", "ASL", "FSL"]


def build(
    members: list[tuple[str, str, str, int]],
    waves: dict[str, set[str]] | None = None,
    seed: int = 3,
) -> Dataset:
    """People (department, team, location, level); each person answers trust and learning in the
    waves they are in (all waves by default), with advice ties to two colleagues."""
    rng = np.random.default_rng(seed)
    ids = [f"e{i:03d}" for i in range(len(members))]
    people = pd.DataFrame(
        {
            "person_id": ids,
            "department": [m[0] for m in members],
            "team": [m[1] for m in members],
            "location": [m[2] for m in members],
            "level": pd.array([m[3] for m in members], dtype="Int64"),
        }
    )
    waves = waves or {"2026-Q1": set(ids), "2026-Q3": set(ids)}
    trust_rows, learning_rows, ties = [], [], []
    for wave, present in waves.items():
        for p in ids:
            if p not in present:
                continue
            base = rng.integers(1, 6)
            trust_rows += [{"person_id": p, "wave": wave, "item": it, "value": float(base)} for it in ITEMS]
            learning_rows += [
                {"person_id": p, "wave": wave, "learning_type": t, "hours": float(rng.integers(1, 10))}
                for t in TYPES
            ]
            for q in rng.choice([x for x in ids if x != p], size=2, replace=False):
                ties.append(
                    {
                        "source_id": p,
                        "target_id": str(q),
                        "relation": "advice",
                        "weight": 1.0,
                        "learning_type": "",
                        "mode": "",
                        "topic": "",
                        "wave": wave,
                    }
                )
    return Dataset(
        people=people,
        trust=pd.DataFrame(trust_rows),
        learning=pd.DataFrame(learning_rows),
        ties=pd.DataFrame(ties),
    )


def _people(
    department: str, team: str, n: int, locations: tuple[str, ...] = ("Lyon",), level: int = 3
) -> list:
    return [(department, team, locations[i % len(locations)], level) for i in range(n)]


def teams_of_7_and_4() -> Dataset:
    return build(_people("Ops", "North", 7) + _people("Ops", "South", 4) + _people("Sales", "East", 9))


def three_person_department() -> Dataset:
    return build(_people("Legal", "Legal", 3) + _people("Ops", "North", 8) + _people("Sales", "East", 9))


def department_head() -> Dataset:
    head = [("Ops", "", "Lyon", 1)]
    return build(head + _people("Ops", "North", 6) + _people("Ops", "South", 7) + _people("Sales", "East", 9))


def team_lost_two() -> Dataset:
    members = _people("Ops", "North", 8) + _people("Ops", "South", 8) + _people("Sales", "East", 9)
    ids = [f"e{i:03d}" for i in range(len(members))]
    leavers = {"e000", "e001"}  # two of North do not take part in the second wave
    return build(members, {"2026-Q1": set(ids), "2026-Q3": set(ids) - leavers})


def location_crossing() -> Dataset:
    mixed = ("Lyon", "Lyon", "Lyon", "Porto")
    return build(
        _people("Ops", "North", 8, mixed)
        + _people("Sales", "East", 9, mixed)
        + _people("Tech", "Core", 10, ("Porto",), level=2)
    )


HARD: dict[str, Callable[[], Dataset]] = {
    "teams of 7 and 4": teams_of_7_and_4,
    "a 3-person department": three_person_department,
    "a department head in no team": department_head,
    "a team that lost 2 people between waves": team_lost_two,
    "a location that crosses departments": location_crossing,
}


@pytest.fixture(autouse=True)
def _no_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's pictures are drawn from its tables and the group map, which the attacker reads
    directly; drawing them would only make this file slow."""
    from lib.report import charts as report_charts

    monkeypatch.setattr(report_charts, "all_images", lambda ds, report: {})


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return flows.with_interaction_relation(loader.load_path(SAMPLE))


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(HARD))
def test_attacker_finds_nothing_on_the_hard_organisations(name: str) -> None:
    ds = HARD[name]()
    figures = report_figures(ds) + page_figures(ds)
    assert len({f.members for f in figures if f.family != "roster"}) >= 1  # something is shown at all
    assert quick_searches(figures) == []
    assert exact_search(figures) == []


def test_attacker_finds_nothing_on_the_sample(sample: Dataset) -> None:
    figures = report_figures(sample) + page_figures(sample)
    trust_groups = {
        f.members for f in figures if f.family.startswith("trust:") and f.where.startswith("export team")
    }
    assert len(trust_groups) >= 10  # teams are still compared: the rule hides what it must, not everything
    assert quick_searches(figures) == []
    assert exact_search(figures) == []


def test_the_per_table_rule_alone_leaks_and_the_attacker_sees_it(sample: Dataset) -> None:
    """The attacker is not vacuous: the old rule (each table on its own) gives people away."""
    leaks = quick_searches(page_figures(sample, across=False))
    assert any("minus the groups shown inside it" in leak for leak in leaks)
    assert exact_search(page_figures(department_head(), across=False))


@pytest.mark.parametrize(
    "make, expect",
    [
        (teams_of_7_and_4, {"department": {"Ops", "Sales"}, "team": {"East"}}),
        (three_person_department, {"department": {"Sales"}, "team": {"East"}}),
        (department_head, {"department": {"Ops", "Sales"}, "team": {"East", "South"}}),
    ],
)
def test_which_groups_the_release_keeps(make: Callable[[], Dataset], expect: dict[str, set[str]]) -> None:
    """Worked out on paper: departments first, then teams, each largest first, every cell ≥ 5."""
    ds = make()
    release = privacy.roster_release(ds, K)
    for attribute, groups in expect.items():
        assert set(release.allowed(attribute)) == groups


def test_a_team_that_lost_two_people_is_hidden_in_one_wave_and_its_wave_totals_say_why() -> None:
    ds = team_lost_two()
    mix = learning.group_mix(ds, "team", "2026-Q3", K).set_index("team")
    first = learning.group_mix(ds, "team", "2026-Q1", K).set_index("team")
    # the organisation lost the same two people, so the second wave's totals are withheld too
    assert learning.overall_mix(ds, "2026-Q3", K).suppressed
    assert not learning.overall_mix(ds, "2026-Q1", K).suppressed
    assert mix["suppressed"].all()
    assert not first.loc["East", "suppressed"]
    summary = trust.shown_summary(ds, "2026-Q3", K)
    assert set(summary["suppressed_reason"]) == {"wave"}
    assert "withheld because this wave's respondents differ" in privacy.suppression_note(summary, K)
