"""Non-response: who answered, which measures use whose reports, and that no role, key person or
finding rests on a non-respondent's silence. Hand-built cases worked out on paper."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.analysis import hierarchy, network, response
from lib.analysis.overview import facts
from lib.core.dataset import Dataset


def _ties(pairs: list[tuple[str, str]], relation: str = "advice") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": [a for a, _ in pairs],
            "target_id": [b for _, b in pairs],
            "relation": relation,
            "weight": 1.0,
            "wave": "",
        }
    )


def _people(ids: list[str], responded: list[bool] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"person_id": ids, "name": ids, "team": "T", "department": "D"})
    if responded is not None:
        frame["responded"] = pd.array(responded, dtype="boolean")
    return frame


# a, b, c ask each other (all mutual); a also names n1, n2, n3, who did not answer
RING = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("a", "c"), ("c", "a")]
SILENT = [("a", "n1"), ("a", "n2"), ("a", "n3")]


def test_who_answered_from_the_column_or_the_stated_proxy() -> None:
    ids = ["a", "b", "c", "n1", "n2", "n3"]
    proxy = response.network_response(Dataset(people=_people(ids), ties=_ties(RING + SILENT)))
    assert proxy.respondents == {"a", "b", "c"} and proxy.rate == 0.5
    assert proxy.basis.startswith("proxy: people who named someone")
    assert "Only 50% of people answered" in proxy.warning and "below 70%" in proxy.warning
    # the column wins: n1 answered (and named nobody); c said no although c named people
    flags = [True, True, False, True, False, False]
    column = response.network_response(Dataset(people=_people(ids, flags), ties=_ties(RING + SILENT)))
    assert column.respondents == {"a", "b", "n1"} and column.basis == "the roster's responded column"
    # blank cells fall back to the proxy, and the basis says both
    mixed_flags = pd.array([True, None, None, None, None, False], dtype="boolean")
    people = _people(ids)
    people["responded"] = mixed_flags
    mixed = response.network_response(Dataset(people=people, ties=_ties(RING + SILENT)))
    assert mixed.respondents == {"a", "b", "c"} and "where it is blank" in mixed.basis
    full = response.network_response(Dataset(people=_people(["a", "b", "c"]), ties=_ties(RING)))
    assert full.rate == 1.0 and full.warning == ""


def test_pair_measures_among_respondents_in_degree_on_everyone() -> None:
    """All reports: 9 arcs, 6 of them returned → arc reciprocity 6/9; the three unreturned arcs
    go to people who were never asked. Among respondents: 6 arcs, all returned → 1. In-degree of
    n1 (named by a) stays 1 on all reports."""
    ids = ["a", "b", "c", "n1", "n2", "n3"]
    ds = Dataset(people=_people(ids), ties=_ties(RING + SILENT))
    assert network.network_measures(ds, ["advice"]).reciprocity_arc == pytest.approx(6 / 9)
    among = response.respondent_dataset(ds)
    assert list(among.people["person_id"]) == ["a", "b", "c"]
    summary = network.network_measures(among, ["advice"])
    assert summary.reciprocity_arc == 1.0 and summary.people == 3 and summary.ties == 6
    assert network.person_measures(ds, ["advice"]).loc["n1", "in_degree"] == 1


def test_a_key_person_is_not_key_for_naming_someone_who_did_not_answer() -> None:
    """Six respondents ask each other round a ring in both directions, and x asks and is asked by
    r0 and r3 (so nobody among them is a cut point); x is the
    only one to name y. If y did not answer, y's own ties are unknown: removing x 'cuts y off' only
    on paper, so x is not a key person. If y answered and named nobody, x really is y's only link."""
    ring = [f"r{i}" for i in range(6)]
    ties = [(ring[i], ring[(i + d) % 6]) for i in range(6) for d in (1, -1)]
    ties += [("x", "r0"), ("r0", "x"), ("x", "r3"), ("r3", "x"), ("x", "y")]
    ids = [*ring, "x", "y"]
    silent = Dataset(people=_people(ids, [True] * 7 + [False]), ties=_ties(ties))
    assert facts(silent).org["key_people"] == 0
    answered = Dataset(people=_people(ids, [True] * 8), ties=_ties(ties))
    assert facts(answered).org["key_people"] >= 1


def test_symmetrisation_completes_undirected_ties_of_non_respondents_and_says_how_many() -> None:
    ids = ["a", "b", "n"]
    ties = pd.concat(
        [_ties([("a", "n"), ("b", "n"), ("a", "b")], "collaboration"), _ties([("a", "n")], "advice")]
    )
    ds = Dataset(people=_people(ids, [True, True, False]), ties=ties)
    filled, added = response.symmetrised(ds)
    assert added == 2  # n → a and n → b, collaboration only: advice has a direction
    got = set(zip(filled.ties["source_id"], filled.ties["target_id"], filled.ties["relation"], strict=True))
    assert {("n", "a", "collaboration"), ("n", "b", "collaboration")} <= got
    assert ("n", "a", "advice") not in got
    assert response.symmetrised(filled)[1] == 0  # nothing left to add


def test_analyze_json_gives_response_population_and_respondent_measures() -> None:
    ids = ["a", "b", "c", "n1", "n2", "n3"]
    data = network.analysis_json(Dataset(people=_people(ids), ties=_ties(RING + SILENT)))
    advice = data["relations"]["advice"]
    assert advice["response_rate"] == 0.5
    assert advice["population"]["in_degree"] == "all" and advice["population"]["reciprocity"] == "respondents"
    among = advice["respondents"]
    assert set(among) == set(advice) - {"response_rate", "response_basis", "population", "respondents"}
    assert among["people"] == 3 and among["ties"] == 6 and among["reciprocity_arc"] == 1.0
    assert advice["reciprocity_arc"] == pytest.approx(6 / 9)


def test_the_network_page_states_response_population_and_warns_below_70_percent() -> None:
    from lib.intake.sample import generate
    from tests.conftest import open_page

    ds = generate(people=80, seed=3)
    ds.people["responded"] = pd.array([i % 2 == 0 for i in range(len(ds.people))], dtype="boolean")
    at = open_page("app_pages/network.py", ds)
    assert any(
        c.value.startswith("Response 50% (40 of 80; the roster's responded column)") for c in at.caption
    )
    assert any("Only 50% of people answered" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert "all reports" in table.columns and "on the 40 respondents" in table.columns
    assert "random network: expected [95% interval]" in table.columns
    at.multiselect(key="net_relations").set_value(["collaboration"]).run()
    at.toggle(key="net_symmetrise").set_value(True).run()
    assert not at.exception
    assert any("ties reconstructed by symmetrisation" in c.value for c in at.caption)
    assert "on everyone, ties reconstructed" in at.dataframe[0].value.columns


def test_krackhardt_hierarchy_is_not_made_by_non_response() -> None:
    """All reports: a, b, c reach each other (3 pairs, reachable both ways) and each reaches n1–n3
    (9 pairs, one way only: never returnable): hierarchy = 9 / (3 + 9) = 0.75. Among respondents:
    3 pairs, all both ways: 0.
    The reciprocity on the Overview is the respondents' too: 1.0 here, not 6/9."""

    ds = Dataset(people=_people(["a", "b", "c", "n1", "n2", "n3"]), ties=_ties(RING + SILENT))
    assert hierarchy.advice_hierarchy(ds).value == pytest.approx(0.75)
    assert hierarchy.advice_hierarchy(ds, respondents_only=True).value == 0.0
    assert facts(ds).org["advice_reciprocity"] == 1.0


# a, b, c answered (a, b in D; c in E); n1 (in E) did not. a ⇄ b, b ⇄ c, a → c, b → n1.
PEOPLE_D_E = {"a": "D", "b": "D", "c": "E", "n1": "E"}
FOUR = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("a", "c"), ("b", "n1")]


def _four() -> Dataset:
    people = _people(list(PEOPLE_D_E), [True, True, True, False])
    people["department"] = list(PEOPLE_D_E.values())
    return Dataset(people=people, ties=_ties(FOUR))


def test_out_tie_measures_of_a_non_respondent_are_unknown_not_zero() -> None:
    """n1 named nobody because n1 was never asked: out-degree, out-strength, betweenness,
    constraint, effective size and brokerage are unknown (NaN), not 0; in-degree (b names n1) is
    1 for everyone to see. Brokerage is among respondents: the only open 2-path through b is
    c → b → a (c does not name a; c in E, b and a in D: gatekeeper). On every report b would also
    broker a → b → n1 (representative) and c → b → n1 (consultant), paths to someone who was not
    asked."""
    pm = network.person_measures(_four(), ["advice"])
    assert pm.attrs["not_measured"] == 1
    for col in network.RESPONDENT_COLUMNS:
        assert pd.isna(pm.loc["n1", col]), col
        assert pm.loc[["a", "b", "c"], col].notna().all(), col
    assert pm.loc["n1", "in_degree"] == 1 and pm.loc["n1", "pagerank"] > 0
    assert pm.loc["b", "out_degree"] == 3  # a respondent's tie to a non-respondent is a real tie
    assert pm.loc["b", "brokerage_gatekeeper"] == 1 and pm.loc["b", "brokerage_total"] == 1
    assert pm.loc["b", "brokerage_representative"] == 0 and pm.loc["b", "brokerage_consultant"] == 0
    note = network.not_measured_note(pm)
    assert "the 1 person who did not answer" in note and response.NOT_MEASURED in note
    census = network.person_measures(Dataset(people=_people(list(PEOPLE_D_E), [True] * 4), ties=_ties(FOUR)))
    assert census.loc["n1", "out_degree"] == 0 and network.not_measured_note(census) == ""


def test_analyze_people_leave_a_non_respondents_out_ties_blank() -> None:
    records = {r["person_id"]: r for r in network.analysis_json(_four())["people"]}
    assert records["n1"]["out_degree"] is None and records["n1"]["advice.constraint"] is None
    assert records["n1"]["brokerage_total"] is None and records["n1"]["in_degree"] == 1
    assert records["b"]["out_degree"] == 3


def test_a_non_respondent_is_no_broker_and_people_tables_say_why_blank() -> None:
    from lib.analysis import roles
    from lib.report import definitions

    ds = _four()
    table = roles.assign_roles(ds, network.person_measures(ds, ["advice"]), group_attr="department")
    assert not table.set_index("person_id").loc["n1", "broker"]
    for key in ("out_degree", "betweenness", "constraint", "effective_size", "brokerage"):
        assert "Population: respondents" in definitions.text(key), key
    assert "valid for everyone" in definitions.text("in_degree")


def test_key_people_are_ranked_among_respondents_and_say_so() -> None:
    """The ring case above: among respondents x's departure loses nothing (the ring holds), so x is
    no key person; on every report x 'cuts off' y, who was never asked."""
    from lib.analysis import roles

    ring = [f"r{i}" for i in range(6)]
    ties = [(ring[i], ring[(i + d) % 6]) for i in range(6) for d in (1, -1)]
    ties += [("x", "r0"), ("r0", "x"), ("x", "r3"), ("r3", "x"), ("x", "y")]
    ds = Dataset(people=_people([*ring, "x", "y"], [True] * 7 + [False]), ties=_ties(ties))
    every = roles.rank_key_people(ds, ["advice"]).set_index("person_id")
    assert every.loc["x", "cut_off"] == 1 and every.loc["x", "reach_lost"] > 0
    among = roles.rank_key_people_among_respondents(ds, ["advice"])
    assert "y" not in set(among["person_id"])
    assert (among["reach_lost"] == 0).all() and (among["cut_off"] == 0).all()
    assert "among the 7 of 8 people who answered" in among.attrs["population"]


def test_the_network_page_blanks_non_respondents_and_ranks_key_people_among_respondents() -> None:
    from lib.intake.sample import generate
    from tests.conftest import open_page

    ds = generate(people=80, seed=3)
    ds.people["responded"] = pd.array([i % 4 != 0 for i in range(len(ds.people))], dtype="boolean")
    silent = set(ds.people.loc[~ds.people["responded"].astype(bool), "person_id"].astype(str))
    at = open_page("app_pages/network.py", ds, view="named", net_tab="People")
    tab = next(t for t in at.tabs if t.label == "People")
    people = tab.dataframe[0].value.set_index("person_id")
    assert people.loc[sorted(silent), "out_degree"].isna().all()
    assert people.loc[sorted(silent), "in_degree"].notna().all()
    assert any("blank for the 20 people who did not answer" in c.value for c in tab.caption)
    at = open_page("app_pages/network.py", ds, view="named", net_tab="Key people")
    tab = next(t for t in at.tabs if t.label == "Key people")
    assert any("among the 60 of 80 people who answered" in c.value for c in tab.caption)
    assert not set(tab.dataframe[0].value["person"]) & {str(p) for p in silent}


def test_shared_results_follow_the_tables_they_were_made_from() -> None:
    ds = Dataset(people=_people(["a", "b", "c", "n1", "n2", "n3"]), ties=_ties(RING + SILENT))
    first = network.build_graph(ds, ["advice"])
    assert network.build_graph(ds, ["advice"]) is first  # one graph per dataset, relations, wave
    assert response.respondent_dataset(ds) is response.respondent_dataset(ds)
    assert response.network_response(ds).count == 3
    ds.ties = _ties(RING)  # a replaced table is another dataset: nothing stale is reused
    assert network.build_graph(ds, ["advice"]) is not first
    assert network.build_graph(ds, ["advice"]).m == 6
    assert first.m == 9
    ds.people = _people(["a", "b", "c"])
    assert response.network_response(ds).people == 3


def test_respondent_copy_of_a_wave_keeps_that_wave_and_the_unlabelled_ties() -> None:
    """Two waves: w1 a, b, c all mutual; w2 only a ↔ b, plus an unlabelled b → c. The copy for w2
    holds w2's respondents' w2 and unlabelled ties only, and its graph for w2 (or any label: the
    copy has one tie wave) is the one the every-wave copy gives for w2."""
    ties = pd.concat([_ties(RING).assign(wave="w1"), _ties([("a", "b"), ("b", "a")]).assign(wave="w2")])
    ties = pd.concat([ties, _ties([("b", "c")])], ignore_index=True)  # wave "": in every wave
    ties["mode"] = "flow"  # a learning/flow column: not in the respondent copy
    ds = Dataset(people=_people(["a", "b", "c"], [True, True, True]), ties=ties)
    one = response.respondent_dataset(ds, "w2")
    assert sorted(one.ties["wave"]) == ["", "w2", "w2"]
    assert list(one.ties.columns) == ["source_id", "target_id", "relation", "weight", "wave"]
    whole = response.respondent_dataset(ds, "w2", every_wave=True)
    assert len(whole.ties) == 9 and whole is not one
    for label in ("w2", "w1"):  # the one-wave copy has only w2's rows, whatever label it is read with
        arcs = network.build_graph(one, ["advice"], label).edges()
        assert [list(a) for a in arcs] == [
            list(a) for a in network.build_graph(whole, ["advice"], "w2").edges()
        ]
    assert network.build_graph(whole, ["advice"], None).m == 6  # every wave: the ring
    # a reader of every wave (wave=None) gets every wave's ties among the respondents: the ring
    assert hierarchy.advice_hierarchy(ds, None, respondents_only=True) == hierarchy.advice_hierarchy(ds, None)
    assert hierarchy.advice_hierarchy(ds, "w2", respondents_only=True) != hierarchy.advice_hierarchy(ds, None)


def test_respondent_copy_by_roster_positions_is_the_copy_by_text() -> None:
    """The respondent copy reads each tie end's roster position (response.tie_ends); a Response
    naming someone off the roster goes the text way. Both keep the ties the text comparison keeps."""
    people = _people(["a", "b", "c", "d", "a"])  # a repeated id: its first row is its position
    ties = _ties([("a", "b"), ("b", "c"), ("c", "x"), ("x", "a"), ("d", "a"), ("b", "a"), ("c", "d")])
    ds = Dataset(people=people, ties=ties)
    for members in ({"a", "b", "c"}, {"a", "x", "c"}, set(), {"a", "b", "c", "d"}):
        r = response.Response(frozenset(members), 4, "stated")
        copy = response.respondent_dataset(ds, None, r)
        expected = ties[ties["source_id"].isin(members) & ties["target_id"].isin(members)]
        assert list(zip(copy.ties["source_id"], copy.ties["target_id"], strict=True)) == list(
            zip(expected["source_id"], expected["target_id"], strict=True)
        )
        assert copy.people["person_id"].tolist() == [p for p in people["person_id"] if p in members]
    # who named someone: the sources on the roster, in roster order
    assert response.network_response(ds).respondents == frozenset({"a", "b", "c", "d"})


def test_respondent_copy_tie_ends_are_what_the_copy_would_find() -> None:
    """The respondent copy's tie ends are passed on renumbered (response.tie_ends); found afresh
    on the copy's own tables they are the same."""
    people = _people(["a", "b", "c", "d", "a", "e"])
    ties = _ties([("a", "b"), ("b", "c"), ("c", "x"), ("e", "a"), ("d", "a"), ("b", "a"), ("c", "e")])
    ds = Dataset(people=people, ties=ties)
    for members in ({"a", "b", "c"}, {"a", "c", "e"}, set(), {"b", "d", "e"}):
        copy = response.respondent_dataset(ds, None, response.Response(frozenset(members), 5, "stated"))
        passed = response.tie_ends(copy)
        fresh = response._tie_ends(copy)
        assert passed[0] == fresh[0]
        assert passed[1].dtype == fresh[1].dtype and passed[1].tolist() == fresh[1].tolist()
        assert passed[2].tolist() == fresh[2].tolist()


@pytest.mark.parametrize("relations", [None, ["advice"], ["trust"]])
def test_respondent_graph_from_the_full_graph_is_the_one_built_from_the_copy(
    relations: list[str] | None,
) -> None:
    """``analyze`` takes each respondent graph from the full graph's arcs among respondents: the
    same vertices, arcs (in order), weights and relations as building it from the respondent copy's
    ties (a generated organisation with non-respondents, parallel ties and weights)."""
    from lib.intake.sample import generate

    ds = generate(people=300, seed=4)
    answered = response.network_response(ds)
    assert 0 < len(answered.respondents) < len(ds.people)
    among = response.respondent_dataset(ds, response=answered)
    graph = network.build_graph(ds, relations)
    answering = pd.Index(graph.ids).isin(list(answered.respondents))
    ours = network._respondent_graph(graph, among, answering, relations)
    fresh = response.respondent_dataset(generate(people=300, seed=4))  # its own memo: built from ties
    built = network.build_graph(fresh, relations)
    assert ours.ids == built.ids and ours.relations == built.relations
    assert ours.g.get_edgelist() == built.g.get_edgelist() and ours.g.es["weight"] == built.g.es["weight"]
    assert [e.tolist() for e in ours.edges()] == [
        list(x) for x in zip(*built.g.get_edgelist(), strict=True)
    ] or (ours.m == 0)
    assert network.build_graph(among, relations) is ours  # kept where build_graph looks
