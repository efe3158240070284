"""Small-group suppression (primary and complementary), the minimum group size, pseudonyms."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from lib.core import privacy
from lib.core.dataset import Dataset


def groups(sizes: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "team": list(sizes),
            "n": list(sizes.values()),
            "mean": [float(10 * (i + 1)) for i in range(len(sizes))],
        }
    )


def hidden(table: pd.DataFrame) -> set[str]:
    return set(table.loc[table["suppressed"], "team"])


@pytest.mark.parametrize(
    ("sizes", "total", "expected_hidden"),
    [
        # nothing small: nothing hidden, with or without a total
        ({"A": 5, "B": 9}, True, set()),
        ({"A": 5, "B": 9}, False, set()),
        # a group of four is hidden; without a total nothing else
        ({"A": 4, "B": 9, "C": 7}, False, {"A"}),
        # with a total, the one hidden group would be total − B − C: hide the smallest shown (C)
        ({"A": 4, "B": 9, "C": 7}, True, {"A", "C"}),
        # two small groups of 1 and 2: 3 people are still recoverable from the total → hide C (6)
        ({"A": 1, "B": 2, "C": 6, "D": 8}, True, {"A", "B", "C"}),
        # two small groups totalling 7 ≥ 5: nothing more needed
        ({"A": 3, "B": 4, "C": 6, "D": 8}, True, {"A", "B"}),
        # every group small: all hidden, nothing left to add
        ({"A": 1, "B": 2}, True, {"A", "B"}),
        # ties in size: the first in table order goes
        ({"A": 2, "B": 6, "C": 6}, True, {"A", "B"}),
        # exactly at the minimum is shown
        ({"A": 5}, True, set()),
        # one group of four alone
        ({"A": 4}, True, {"A"}),
    ],
)
def test_suppression_rules(sizes: dict[str, int], total: bool, expected_hidden: set[str]) -> None:
    out = privacy.suppress_small_groups(groups(sizes), "n", 5, value_cols=["mean"], total=total)
    assert hidden(out) == expected_hidden
    assert out["mean"][out["suppressed"]].isna().all()
    assert out["mean"][~out["suppressed"]].notna().all()
    assert len(out) == len(sizes)  # every row kept, flagged


def test_reason_and_note() -> None:
    out = privacy.suppress_small_groups(groups({"A": 4, "B": 9, "C": 7}), "n", 5, ["mean"], total=True)
    assert dict(zip(out["team"], out["suppressed_reason"], strict=True)) == {
        "A": "small",
        "B": "",
        "C": "complementary",
    }
    note = privacy.suppression_note(out, 5)
    assert note.startswith("1 group hidden (fewer than 5 people)")
    assert "1 more hidden" in note
    assert privacy.suppression_note(privacy.suppress_small_groups(groups({"A": 6}), "n", 5), 5) == ""


def test_total_minus_shown_reveals_nothing_small() -> None:
    """The invariant behind complementary suppression: what subtraction yields is ≥ min_size people."""
    sizes = {"A": 4, "B": 9, "C": 7, "D": 12}
    out = privacy.suppress_small_groups(groups(sizes), "n", 5, ["mean"], total=True)
    shown_people = out.loc[~out["suppressed"], "n"].sum()
    assert sum(sizes.values()) - shown_people >= 5
    assert out["suppressed"].sum() != 1


def test_higher_minimum_and_input_untouched() -> None:
    table = groups({"A": 6, "B": 9, "C": 12})
    before = table.copy()
    out = privacy.suppress_small_groups(table, "n", 10, ["mean"])
    assert hidden(out) == {"A", "B"}
    pd.testing.assert_frame_equal(table, before)


def test_default_value_cols_are_numeric_and_missing_sizes_count_as_zero() -> None:
    table = pd.DataFrame({"team": ["A", "B"], "n": [None, 8], "share": [0.5, 0.2], "label": ["x", "y"]})
    out = privacy.suppress_small_groups(table, "n", 5)
    assert list(out["suppressed"]) == [True, False]
    assert math.isnan(out["share"][0]) and out["share"][1] == 0.2
    assert out["label"][0] == "x"  # text is not a statistic


def test_integer_columns_become_missing_not_zero() -> None:
    table = pd.DataFrame({"team": ["A", "B"], "n": [2, 8], "count_yes": [1, 5]})
    out = privacy.suppress_small_groups(table, "n", 5, ["count_yes"])
    assert pd.isna(out["count_yes"][0]) and out["count_yes"][1] == 5


def test_empty_table() -> None:
    out = privacy.suppress_small_groups(pd.DataFrame({"team": [], "n": []}), "n", 5)
    assert out.empty and "suppressed" in out
    assert privacy.shown(out).empty


def test_shown_drops_flags() -> None:
    out = privacy.suppress_small_groups(groups({"A": 4, "B": 9}), "n", 5)
    assert list(privacy.shown(out)["team"]) == ["B"]
    assert "suppressed" not in privacy.shown(out)


@pytest.mark.parametrize("bad", [4, 0, -1, 4.0, 5.5, "5", True, None])
def test_check_min_group_size_refuses(bad: object) -> None:
    with pytest.raises(ValueError, match="minimum group size"):
        privacy.check_min_group_size(bad)


@pytest.mark.parametrize("good", [5, 6, 50, 7.0])
def test_check_min_group_size_accepts(good: object) -> None:
    assert privacy.check_min_group_size(good) == int(good)  # type: ignore[call-overload]


def test_suppress_refuses_low_minimum() -> None:
    with pytest.raises(ValueError, match="cannot be below 5"):
        privacy.suppress_small_groups(groups({"A": 3}), "n", 3)


def test_pseudonyms_stable_salted_and_formatted() -> None:
    ids = ["p1", "p2", "p3", "p2"]
    a = privacy.pseudonymise(ids, "salt-one")
    assert set(a) == {"p1", "p2", "p3"}
    assert a == privacy.pseudonymise(["p3", "p1", "p2"], "salt-one")
    assert all(re.fullmatch(r"Person [0-9A-F]{4,}", v) for v in a.values())
    assert a != privacy.pseudonymise(ids, "salt-two")
    # independent check of the construction: HMAC-SHA256(salt, id), first four hex digits
    import hashlib
    import hmac

    expected = hmac.new(b"salt-one", b"p1", hashlib.sha256).hexdigest()[:4].upper()
    assert a["p1"] == f"Person {expected}"


def test_pseudonyms_collision_free_for_many_ids() -> None:
    ids = [f"e{i}" for i in range(3000)]  # 3000 ids in 65,536 codes: collisions are certain
    names = privacy.pseudonymise(ids, "s")
    assert len(set(names.values())) == len(ids)
    assert any(len(v) > len("Person ABCD") for v in names.values())
    assert sum(len(v) == len("Person ABCD") for v in names.values()) > 2500


def test_pseudonymise_needs_salt() -> None:
    with pytest.raises(ValueError, match="salt"):
        privacy.pseudonymise(["a"], "")


def test_person_labels() -> None:
    ds = Dataset(people=pd.DataFrame({"person_id": ["1", "2"], "name": ["Ann", ""]}))
    assert privacy.person_labels(ds) == {"1": "Ann", "2": "2"}
    pseud = privacy.person_labels(ds, pseudonyms=True)
    assert pseud == privacy.pseudonymise(["1", "2"], privacy.dataset_salt(ds))
    assert "Ann" not in pseud.values()


def test_salt_depends_on_the_roster_only() -> None:
    from lib.analysis.flows import with_interaction_relation
    from lib.core.privacy import dataset_salt
    from lib.intake.sample import generate

    ds = generate(people=30, seed=2)
    assert dataset_salt(with_interaction_relation(ds)) == dataset_salt(ds)
    other = generate(people=30, seed=3)
    assert dataset_salt(other) != dataset_salt(ds)


def test_a_workspace_salt_replaces_the_roster_salt() -> None:
    from dataclasses import replace

    from lib.analysis.flows import with_interaction_relation
    from lib.intake.sample import generate

    ds = generate(people=30, seed=2)
    salted = replace(ds, pseudonym_salt="workspace-salt")
    assert privacy.dataset_salt(salted) == "workspace-salt" != privacy.dataset_salt(ds)
    assert privacy.dataset_salt(with_interaction_relation(salted)) == "workspace-salt"  # the app's copy
    ids = ds.people["person_id"].astype(str).tolist()
    labels = privacy.person_labels(salted, pseudonyms=True)
    assert labels == privacy.pseudonymise(ids, "workspace-salt")
    assert labels != privacy.person_labels(ds, pseudonyms=True)
    assert privacy.person_labels(replace(ds, pseudonym_salt="another"), pseudonyms=True) != labels


# --- the release plan: every cell of shown groups holds at least k people ------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _cells(sets: list[frozenset[str]]) -> list[int]:
    """Sizes of the cells: people grouped by which of ``sets`` they belong to."""
    people = set().union(*sets) if sets else set()
    sig: dict[tuple[bool, ...], int] = {}
    for p in people:
        key = tuple(p in s for s in sets)
        sig[key] = sig.get(key, 0) + 1
    return list(sig.values())


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6), st.integers(0, 2)), min_size=1, max_size=60),
    st.lists(st.booleans(), min_size=60, max_size=60),
    st.lists(st.booleans(), min_size=60, max_size=60),
    st.sampled_from([5, 6, 8]),
)
def test_release_keeps_every_cell_at_the_minimum_size(
    rows: list[tuple[int, int, int]], first: list[bool], second: list[bool], k: int
) -> None:
    """Random organisations (department, team, location) and random respondents in two waves:
    the shown groups of every wave, with the wave totals, split the contributors into cells of
    at least k people, and the shown groups alone split the roster the same way."""
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(len(rows))],
            "department": [f"D{d}" for d, _, _ in rows],
            "team": [f"D{d}-T{t}" for d, t, _ in rows],
            "location": [["Lyon", "Porto", ""][loc] for _, _, loc in rows],
        }
    )
    ids = list(people["person_id"])
    waves = {
        "w1": [p for p, a in zip(ids, first, strict=False) if a],
        "w2": [p for p, a in zip(ids, second, strict=False) if a],
    }
    release = privacy.plan_release(people, ["department", "team", "location"], waves, k)
    labels = {a: privacy.group_labels(people, a) for a in ("department", "team", "location")}
    contributor_sets: list[frozenset[str]] = []
    roster_sets: list[frozenset[str]] = [frozenset(ids)]
    for w, members in waves.items():
        if release.total_shown(w):
            contributor_sets.append(frozenset(members))
        for attribute, lab in labels.items():
            for g in release.allowed(attribute, w):
                group = frozenset(p for p, x in zip(ids, lab, strict=True) if x == g)
                contributor_sets.append(group & set(members))
                roster_sets.append(group)
    assert all(size >= k for size in _cells(contributor_sets))
    if len(roster_sets) > 1:  # the organisation's size is public; with no group shown nothing is split
        assert all(size >= k for size in _cells(roster_sets))
    for w, members in waves.items():  # a wave with fewer than k contributors shows nothing
        if len(members) < k:
            assert not release.total_shown(w)
            assert all(not release.allowed(a, w) for a in labels)


def test_release_prefers_the_hierarchy_and_hides_a_crossing_attribute() -> None:
    # two departments of 10, two teams of 5 in each; a location that puts 2 of each team elsewhere
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(20)],
            "department": ["A"] * 10 + ["B"] * 10,
            "team": ["A1"] * 5 + ["A2"] * 5 + ["B1"] * 5 + ["B2"] * 5,
            "location": (["Lyon"] * 3 + ["Porto"] * 2) * 4,
        }
    )
    everyone = {"": list(people["person_id"])}
    release = privacy.plan_release(people, ["department", "team", "location"], everyone, 5)
    assert release.allowed("department") == {"A", "B"}
    assert release.allowed("team") == {"A1", "A2", "B1", "B2"}
    assert release.allowed("location") == frozenset()  # Lyon would split each team 3 + 2
    # the same organisation asked location-first keeps location and gives up the teams
    other = privacy.plan_release(people, ["location", "team"], everyone, 5)
    assert other.allowed("location") == {"Lyon", "Porto"}
    assert other.allowed("team") == frozenset()


def test_guard_groups_blanks_values_and_sizes_of_hidden_rows() -> None:
    people = pd.DataFrame({"person_id": [f"p{i}" for i in range(13)], "team": ["A"] * 7 + ["B"] * 6})
    release = privacy.plan_release(people, ["team"], {"": list(people["person_id"])}, 5)
    table = pd.DataFrame(
        {"team": ["A", "B", "C"], "people": [7, 6, 0], "mean": [3.0, 4.0, 5.0], "what": ["x"] * 3}
    )
    out = privacy.guard_groups(table, release, "team").set_index("team")
    assert not out.loc["A", "suppressed"] and out.loc["A", "mean"] == 3.0
    assert out.loc["C", "suppressed"] and pd.isna(out.loc["C", "people"]) and pd.isna(out.loc["C", "mean"])
    assert out.loc["C", "what"] == "x"  # descriptors stay
    assert out.loc["C", "suppressed_reason"] == "small"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 39), min_size=0, max_size=25, unique=True), min_size=1, max_size=12),
    st.sampled_from([1, 2, 5]),
)
def test_cells_count_an_accepted_set_once_and_a_repeated_set_changes_nothing(
    sets: list[list[int]], k: int
) -> None:
    """The release plan counts a set's members per cell once (:meth:`_Cells.fitting`) and hands
    them to :meth:`_Cells.add`, and adds a group's roster set once, not once per wave: the same
    cells as counting again and adding it again."""
    n = 40
    counted, again = (
        privacy._Cells(n, np.ones(n, dtype=bool), k),
        privacy._Cells(n, np.ones(n, dtype=bool), k),
    )
    for members in (np.array(s, dtype=np.int64) for s in sets):
        per_cell = counted.fitting(members)
        assert (per_cell is not None) == again.fits(members)
        if per_cell is None:
            continue
        counted.add(members, per_cell)
        again.add(members)
        before = (again.atom.copy(), list(again.sizes))
        again.add(members)  # the same set a second time
        assert np.array_equal(again.atom, before[0]) and again.sizes == before[1]
        assert np.array_equal(counted.atom, again.atom) and counted.sizes == again.sizes
    # every cell holds at least k people or none (the rule the sets were accepted by)
    assert all(size == 0 or size >= k for size in np.bincount(counted.atom, minlength=len(counted.sizes)))
