"""Stocks and flows: flow share, per team and over time, producers, hubs, neglected stock, ties."""

from __future__ import annotations

import json
import math

import networkx as nx
import pandas as pd
import pytest

from lib.analysis import flows
from lib.core.dataset import Dataset


def people(teams: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"person_id": list(teams), "name": list(teams), "team": list(teams.values())})


def log(events: list[tuple[str, str, str, str, str, str]], with_mode: bool = True) -> pd.DataFrame:
    """(timestamp, source, channel, target, kind, topic); mode from the channel like the loader."""
    frame = pd.DataFrame(events, columns=["timestamp", "source_id", "channel", "target_id", "kind", "topic"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    modes = {"wiki": "stock", "document": "stock", "chat": "flow", "email": "flow", "meeting": "flow"}
    frame["mode"] = frame["channel"].map(modes).fillna("") if with_mode else ""
    return frame


EVENTS = [
    ("2026-01-05", "a", "chat", "b", "reply", "pricing"),
    ("2026-01-06", "a", "wiki", "", "edit", "Pricing "),
    ("2026-01-07", "c", "wiki", "", "view", "pricing"),
    ("2026-01-08", "b", "email", "a", "message", ""),
    ("2026-02-02", "c", "meeting", "", "post", "roadmap"),
    ("2026-02-03", "b", "fax", "a", "message", ""),
    ("2026-02-04", "b", "document", "", "post", "old manual"),
]


def base(with_mode: bool = True) -> Dataset:
    return Dataset(people=people({"a": "X", "b": "X", "c": "Y"}), interactions=log(EVENTS, with_mode))


@pytest.mark.parametrize("with_mode", [True, False])
def test_flow_share_by_hand(with_mode: bool) -> None:
    """Flow: reply, message, meeting post = 3; stock: wiki edit, document post = 2; view left out; fax unclassified."""
    fs = flows.flow_share(base(with_mode))
    assert (fs.source, fs.flow, fs.stock, fs.unclassified) == ("interactions", 3, 2, 1)
    assert fs.share == pytest.approx(3 / 5)


def test_flow_share_in_a_wave_period() -> None:
    ds = base()
    jan = flows.flow_share(ds, "2026-01")
    assert (jan.flow, jan.stock) == (2, 1)
    feb = flows.flow_share(ds, "2026-02")
    assert (feb.flow, feb.stock) == (1, 1)
    # the period's own unclassified events (the fax), views never: counted on masks of the whole log
    assert (jan.unclassified, feb.unclassified) == (0, 1)
    # a label that names no period uses the whole log
    assert flows.flow_share(ds, "baseline").share == pytest.approx(3 / 5)


def test_wave_period_labels() -> None:
    assert flows.wave_period("2026-Q1") == pd.Period("2026Q1", "Q-DEC")
    assert flows.wave_period("t1") is None
    assert flows.wave_period("") is None


def test_flow_share_from_ties_when_no_log() -> None:
    ties = pd.DataFrame(
        {
            "source_id": ["a", "b", "c", "a"],
            "target_id": ["b", "c", "a", "c"],
            "relation": "information",
            "weight": [3.0, 1.0, 2.0, 5.0],
            "learning_type": "",
            "mode": ["flow", "stock", "", "flow"],
            "topic": "",
            "wave": ["w1", "w1", "w1", "w2"],
        }
    )
    ds = Dataset(people=people({"a": "X", "b": "X", "c": "Y"}), ties=ties)
    w1 = flows.flow_share(ds, "w1")
    assert (w1.source, w1.flow, w1.stock, w1.unclassified) == ("ties", 3, 1, 2)
    assert w1.share == pytest.approx(0.75)
    assert flows.flow_share(ds).share == 1.0  # latest wave w2: one flow tie


def test_no_data() -> None:
    fs = flows.flow_share(Dataset(people=people({"a": "X"})))
    assert fs.source == "" and math.isnan(fs.share)
    empty = Dataset(people=people({"a": "X"}))
    assert flows.flow_share_by_group(empty).empty
    assert flows.flow_trend(empty).empty
    assert flows.stock_producers(empty).empty
    assert flows.conversation_hubs(empty).empty
    assert flows.neglected_stock(empty).empty
    assert list(flows.interaction_ties(empty).columns) == flows.TIE_COLUMNS


def team_log() -> Dataset:
    """Team A: 6 actors all on chat; team B: 4 actors on the wiki; team C: 5 actors, half and half."""
    teams = {
        **{f"a{i}": "A" for i in range(6)},
        **{f"b{i}": "B" for i in range(4)},
        **{f"c{i}": "C" for i in range(5)},
    }
    events = [("2026-01-05", f"a{i}", "chat", "", "post", "") for i in range(6)]
    events += [("2026-01-05", f"b{i}", "wiki", "", "edit", "") for i in range(4)]
    events += [("2026-02-05", f"c{i}", "chat" if i % 2 else "wiki", "", "post", "") for i in range(5)]
    events += [("2026-02-06", "c0", "chat", "", "post", "")]
    return Dataset(people=people(teams), interactions=log(events))


def test_flow_share_by_team_with_suppression() -> None:
    table = flows.flow_share_by_group(team_log(), "team").set_index("team")
    # a hidden row shows neither its value nor its size
    assert table.loc["A", "actors"] == 6 and table.loc[["B", "C"], "actors"].isna().all()
    assert table.loc["A", "flow_share"] == 1.0 and not table.loc["A", "suppressed"]
    assert table.loc["B", "suppressed_reason"] == "small" and table.loc[["B"], "flow_share"].isna().all()
    assert table.loc["C", "suppressed_reason"] == "complementary"


def test_flow_share_by_team_higher_threshold_no_suppression_at_minimum() -> None:
    ds = team_log()
    ds.people.loc[ds.people["team"] == "B", "team"] = "C"  # C now has 9 actors
    table = flows.flow_share_by_group(ds, "team").set_index("team")
    assert not table["suppressed"].any()
    # C: b0..b3 wiki (4 stock), c1, c3 chat + c0's chat (3 flow), c0, c2, c4 wiki (3 stock)
    assert table.loc["C", "flow_share"] == pytest.approx(3 / 10)


def test_flow_trend_monthly_and_weekly() -> None:
    trend = flows.flow_trend(team_log(), "M").set_index("period")
    assert list(trend.index) == ["2026-01", "2026-02"]
    assert trend.loc["2026-01", "flow_share"] == pytest.approx(6 / 10)
    assert trend.loc["2026-02", "flow_share"] == pytest.approx(3 / 6)
    weekly = flows.flow_trend(team_log(), "W")
    assert list(weekly["period"]) == ["2026-01-05", "2026-02-02"]  # Mondays


def test_flow_trend_small_period_suppressed() -> None:
    trend = flows.flow_trend(base(), "M", min_size=5)
    assert trend["suppressed"].all()  # three people in all: nothing may show


def test_stock_producers_and_conversation_hubs() -> None:
    producers = flows.stock_producers(base())
    assert list(producers["person_id"]) == ["a", "b"]
    assert producers.set_index("person_id").loc["a", "topics"] == 1
    hubs = flows.conversation_hubs(base()).set_index("person_id")
    assert hubs.loc["a", "partners"] == 1 and hubs.loc["b", "partners"] == 1
    assert hubs.loc["a", "sent"] == 1 and hubs.loc["a", "received"] == 1
    assert hubs.loc["c", "partners"] == 0 and hubs.loc["c", "sent"] == 1


def test_neglected_stock() -> None:
    table = flows.neglected_stock(base()).set_index("topic")
    assert set(table.index) == {"Pricing", "old manual"}  # "Pricing " and "pricing" are one topic
    pricing = table.loc["Pricing"]
    assert (pricing["reads"], pricing["discussions"], pricing["unread"]) == (1, 1, False)
    manual = table.loc["old manual"]
    assert bool(manual["unread"]) and bool(manual["undiscussed"])
    assert table.index[0] == "old manual"  # neglected first


def test_author_reading_own_page_is_not_a_read() -> None:
    ds = Dataset(
        people=people({"a": "X"}),
        interactions=log(
            [("2026-01-01", "a", "wiki", "", "edit", "p"), ("2026-01-02", "a", "wiki", "", "view", "p")]
        ),
    )
    assert bool(flows.neglected_stock(ds)["unread"].iloc[0])


def test_interaction_ties_against_networkx() -> None:
    events = [
        ("2026-01-01", "a", "chat", "b", "reply", ""),
        ("2026-01-02", "a", "chat", "b", "mention", ""),
        ("2026-01-03", "b", "email", "a", "message", ""),
        ("2026-01-04", "a", "chat", "", "post", ""),  # broadcast: no tie
        ("2026-01-05", "c", "wiki", "a", "view", ""),  # a view is not a tie
        ("2026-01-06", "c", "chat", "c", "reply", ""),  # self: no tie
        ("2026-01-07", "c", "chat", "zz", "reply", ""),  # not in roster
        ("2026-01-08", "c", "wiki", "a", "mention", ""),
    ]
    ds = Dataset(people=people({"a": "X", "b": "X", "c": "Y"}), interactions=log(events))
    ties = flows.interaction_ties(ds)
    assert list(ties.columns) == flows.TIE_COLUMNS
    assert set(ties["relation"]) == {"interactions"}
    graph = nx.MultiDiGraph()
    for _, s, _, t, k, _ in events:
        if k in flows.TIE_KINDS and t and s != t and t != "zz":
            graph.add_edge(s, t)
    expected = {(u, v): graph.number_of_edges(u, v) for u, v in set(graph.edges())}
    got = {(r.source_id, r.target_id): r.weight for r in ties.itertuples()}
    assert got == expected
    assert (
        dict(zip(zip(ties["source_id"], ties["target_id"], strict=True), ties["mode"], strict=True))[
            ("c", "a")
        ]
        == "stock"
    )


def test_analysis_json() -> None:
    out = flows.analysis_json(team_log())
    json.dumps(out, allow_nan=False)
    assert out["flow_share"] == pytest.approx(9 / 16, abs=1e-4)
    per_team = {row["team"]: row for row in out["per_team"]}  # type: ignore[attr-defined]
    assert per_team["B"]["suppressed"] and per_team["B"]["flow_share"] is None
    assert per_team["A"]["flow_share"] == 1.0


def test_analysis_json_per_wave_uses_the_wave_periods() -> None:
    ds = base()
    ds.ties = pd.DataFrame(
        {
            "source_id": ["a", "b"],
            "target_id": ["b", "a"],
            "relation": "advice",
            "weight": 1.0,
            "learning_type": "",
            "mode": "",
            "topic": "",
            "wave": ["2026-01", "2026-02"],
        }
    )
    out = flows.analysis_json(ds)
    per_wave = out["per_wave"]
    assert per_wave["2026-01"]["flow_share"] == pytest.approx(2 / 3, abs=1e-4)  # type: ignore[index]
    assert per_wave["2026-02"]["flow_share"] == 0.5  # type: ignore[index]


def test_interactions_become_a_relation_once() -> None:
    from lib.analysis.flows import with_interaction_relation

    people = pd.DataFrame({"person_id": ["a", "b", "c"]})
    log = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]),
            "source_id": ["a", "a", "b", "c"],
            "channel": ["chat", "chat", "email", "wiki"],
            "target_id": ["b", "b", "a", ""],
            "kind": ["reply", "mention", "message", "post"],
            "topic": ["", "", "", "x"],
            "mode": ["flow", "flow", "flow", "stock"],
        }
    )
    ds = Dataset(people=people, interactions=log)
    out = with_interaction_relation(ds)
    assert out.relations == ["interactions"]
    ties = out.ties.set_index(["source_id", "target_id"])["weight"].to_dict()
    assert ties == {("a", "b"): 2.0, ("b", "a"): 1.0}  # the broadcast post is no tie
    assert len(ds.ties) == 0  # the original is untouched
    assert with_interaction_relation(out) is out  # never added twice


def test_apply_channel_modes_replaces_the_mapping() -> None:
    ds = base()
    ds.interactions["channel"] = ["Chat", "wiki ", "WIKI", "email", "meeting", "fax", "document"]
    mapped = flows.apply_channel_modes(ds, {"chat": "stock", "Wiki": "flow", "fax": "flow"})
    assert mapped.channel_modes == {"chat": "stock", "Wiki": "flow", "fax": "flow"}
    # case and surrounding spaces ignored; channels the mapping lacks (email, meeting, document): ""
    assert mapped.interactions["mode"].tolist() == ["stock", "flow", "flow", "", "", "flow", ""]
    untouched = ["flow", "stock", "stock", "flow", "flow", "", "stock"]
    assert ds.interactions["mode"].tolist() == untouched
    assert mapped.people is ds.people and mapped.ties is ds.ties
    # flow share by hand: stock = the chat reply; flow = the wiki edit and the fax message (the view is
    # reading); the email message, meeting post and document post are unclassified
    fs = flows.flow_share(mapped)
    assert (fs.stock, fs.flow, fs.unclassified) == (1, 2, 3)
    assert fs.share == pytest.approx(2 / 3)


def test_apply_channel_modes_to_an_empty_log() -> None:
    ds = Dataset(people=people({"a": "X"}))
    mapped = flows.apply_channel_modes(ds, {"chat": "flow"})
    assert mapped.interactions.empty and "mode" in mapped.interactions
    assert mapped.channel_modes == {"chat": "flow"}


def test_stock_producers_count_roles_and_topics_case_insensitively() -> None:
    """a: wiki edit "Pricing", document comment "PRICING", wiki post without topic, a view (left
    out) → 3 stock events, 2 edits/posts, 1 topic; b: a document post "Roadmap" → 1, 1, 1."""
    events = [
        ("2026-01-05", "a", "wiki", "", "edit", "Pricing"),
        ("2026-01-06", "a", "document", "", "comment", "PRICING"),
        ("2026-01-07", "a", "wiki", "", "post", ""),
        ("2026-01-08", "a", "wiki", "", "view", "Other"),
        ("2026-01-09", "b", "document", "", "post", "Roadmap"),
        ("2026-01-10", "b", "chat", "a", "message", "Chat topic"),
    ]
    ds = Dataset(people=people({"a": "X", "b": "X"}), interactions=log(events))
    table = flows.stock_producers(ds)
    assert list(table["person_id"]) == ["a", "b"]
    a, b = table.set_index("person_id").loc["a"], table.set_index("person_id").loc["b"]
    assert (a["stock_events"], a["edits_and_posts"], a["topics"]) == (3, 2, 1)
    assert (b["stock_events"], b["edits_and_posts"], b["topics"]) == (1, 1, 1)
    assert list(flows.stock_producers(ds, top=1)["person_id"]) == ["a"]


@pytest.mark.parametrize("with_mode", [True, False])
def test_flow_share_is_the_same_before_and_after_a_page_reads_the_whole_log(with_mode: bool) -> None:
    """The Overview's flow share reads the log's kind, mode, channel and timestamp alone; after a
    Learning table has read the whole normalised log it counts from that, with the same result."""
    fresh = base(with_mode)
    read = base(with_mode)
    flows.flow_share_by_group(read)  # reads the normalised log first
    for wave in (None, "2026-01", "2026-02", "baseline"):
        a, b = flows.flow_share(fresh, wave), flows.flow_share(read, wave)
        assert (a.source, a.stock, a.flow, a.unclassified, a.wave) == (
            b.source,
            b.stock,
            b.flow,
            b.unclassified,
            b.wave,
        )
    assert (flows.flow_share(fresh, "2026-02").flow, flows.flow_share(fresh, "2026-02").unclassified) == (
        1,
        1,
    )
