"""The overview's headline, wave comparison and tie changes: hand-built cases and the sample's planted story."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.analysis.overview import compare_waves, facts, headline, position_changes, tie_changes, what_changed
from lib.core.dataset import Dataset
from lib.intake.loader import load_path

ROOT = Path(__file__).resolve().parent.parent


def _people(n: int, dept: str = "A") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n)],
            "name": [f"Person {i}" for i in range(n)],
            "team": ["t1"] * n,
            "department": [dept] * n,
        }
    )


def _ties(pairs: list[tuple[str, str]], wave: str = "", relation: str = "advice") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": [a for a, _ in pairs],
            "target_id": [b for _, b in pairs],
            "relation": relation,
            "weight": 1.0,
            "learning_type": "",
            "mode": "",
            "topic": "",
            "wave": wave,
        }
    )


def test_people_only_dataset_has_a_headline_without_invented_numbers() -> None:
    ds = Dataset(people=_people(6))
    head = headline(ds)
    assert head.tile("people").value == 6
    for key in ("informal_share", "wirearchy_index", "advice_reciprocity", "key_people", "silo_groups"):
        assert head.tile(key).value is None, key
        assert head.tile(key).text == "—"
    assert head.findings == []


def test_advice_reciprocity_tile_states_its_random_baseline() -> None:
    """Among the four respondents a → b, b → a, a → c, c → d, d → a, b → c (6 of 12 possible arcs):
    reciprocity 2/6, and a random network with 4 people and 6 arcs returns an arc with probability
    0.5; e never answered, so e's incoming tie stays out of both (a tie to e can never be returned)."""
    pairs = [("a", "b"), ("b", "a"), ("a", "c"), ("c", "d"), ("d", "a"), ("b", "c"), ("a", "e")]
    ds = Dataset(
        people=pd.DataFrame({"person_id": list("abcde"), "responded": [True] * 4 + [False]}),
        ties=pd.DataFrame(
            [(s, t, "advice", "", 1.0) for s, t in pairs],
            columns=["source_id", "target_id", "relation", "wave", "weight"],
        ),
    )
    head = headline(ds)
    tile = next(t for t in head.tiles if t.key == "advice_reciprocity")
    assert tile.value == pytest.approx(2 / 6)
    assert "gives about 50%" in tile.detail


def test_tie_changes_counts_gained_and_lost_per_relation() -> None:
    ties = pd.concat(
        [
            _ties([("p0", "p1"), ("p1", "p2"), ("p2", "p3")], wave="W1"),
            _ties([("p0", "p1"), ("p3", "p4")], wave="W2"),
            _ties([("p4", "p5")], wave=""),  # in every wave
        ]
    )
    ds = Dataset(people=_people(6), ties=ties)
    table = tie_changes(ds, "W1", "W2").set_index("relation")
    assert table.loc["advice"].to_dict() == {"ties_before": 4, "ties_after": 3, "gained": 1, "lost": 2}


def test_position_changes_ranks_by_absolute_change() -> None:
    ties = pd.concat(
        [
            _ties([("p1", "p0"), ("p2", "p0"), ("p3", "p0")], wave="W1"),
            _ties([("p1", "p4"), ("p2", "p4")], wave="W2"),
        ]
    )
    ds = Dataset(people=_people(6), ties=ties)
    moved = position_changes(ds, "W1", "W2", top=2)
    assert list(moved["person_id"]) == ["p0", "p4"]
    assert list(moved["change"]) == [-3, 2]


def test_silo_department_is_counted_and_reported() -> None:
    people = pd.concat(
        [_people(6, "Sales"), _people(6, "Ops").assign(person_id=lambda d: "q" + d["person_id"])]
    )
    inside = [(f"p{i}", f"p{(i + 1) % 6}") for i in range(6)] + [
        (f"qp{i}", f"qp{(i + 1) % 6}") for i in range(6)
    ]
    ds = Dataset(people=people, ties=_ties([*inside, ("p0", "qp0")]))
    f = facts(ds)
    dept = f.groups["department"].set_index("group")
    # Sales: I = 6, E = 1 → E-I = −5/7; Ops: I = 6, E = 1 → −5/7 (ties sent and received)
    assert dept.loc["Sales", "ei"] == pytest.approx(-5 / 7)
    # what each asks (ties sent): Sales 6 of 7 inside, Ops 6 of 6
    assert dept.loc["Sales", "ei_sent"] == pytest.approx(-5 / 7)
    assert dept.loc["Sales", "internal_share"] == pytest.approx(6 / 7)
    assert dept.loc["Ops", "internal_share"] == pytest.approx(1.0)
    # at random a name stays inside with p = 5/11; Binomial(7, 5/11) reaches 6 of 7 in more than
    # 2.5% of networks (P(X ≥ 6) = 7·p⁶·(1−p) + p⁷ ≈ 0.038), Binomial(6, 5/11) reaches 6 of 6 in less
    # (p⁶ ≈ 0.0088): Ops is a silo beyond chance, Sales is not
    assert dept.loc["Sales", "internal_share_random"] == pytest.approx(5 / 11)
    assert not dept.loc["Sales", "silo_beyond_chance"]
    assert dept.loc["Ops", "silo_beyond_chance"]
    assert f.org["silo_groups"] == 1
    statements = [x.statement for x in headline(ds).findings]
    assert any(
        s.startswith("Ops asks inside Ops: 100% of the advice") and "about 45%" in s for s in statements
    )
    assert not any(s.startswith("Sales asks inside") for s in statements)


def test_groups_below_the_minimum_size_never_reach_the_findings() -> None:
    people = pd.concat(
        [_people(6, "Sales"), _people(4, "Tiny").assign(person_id=lambda d: "q" + d["person_id"])]
    )
    inside = [(f"qp{i}", f"qp{(i + 1) % 4}") for i in range(4)] + [("p0", "p1")]
    ds = Dataset(people=people, ties=_ties(inside))
    assert "Tiny" not in set(facts(ds).groups["department"]["group"])
    assert not any("Tiny" in x.statement for x in headline(ds).findings)


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return load_path(ROOT / "sample_data" / "sample_org.xlsx")


def test_sample_story_the_silo_opens_up_between_waves(sample: Dataset) -> None:
    first, second = sample.waves[0], sample.waves[-1]
    before = facts(sample, first).groups["department"].set_index("group")["ei_sent"]
    after = facts(sample, second).groups["department"].set_index("group")["ei_sent"]
    silo = before.idxmin()
    assert before[silo] <= -0.6  # a silo in the first wave …
    assert after[silo] > before[silo] + 0.2  # … that opened up in the second
    assert any(silo in line and "opened up" in line for line in what_changed(sample, first, second))


def test_compare_waves_lists_every_headline_measure(sample: Dataset) -> None:
    first, second = sample.waves[0], sample.waves[-1]
    table = compare_waves(sample, first, second)
    assert list(table["measure"]) == [t.label for t in headline(sample, second).tiles]
    assert set(table.columns) == {"measure", first, second, "change"}


def test_tie_wave_picks_a_labelled_wave_or_carries_the_last_one_forward() -> None:
    # the rule is lib.core.waves.tie_wave (tests/test_waves.py); Dataset.tie_wave delegates to it
    ties = pd.concat([_ties([("p0", "p1")], wave="W1"), _ties([("p1", "p2")], wave="")])
    ds = Dataset(people=_people(3), ties=ties)
    assert ds.tie_wave("W1") == "W1"
    assert ds.tie_wave("W2") == "W1"  # no tie carries W2: the ties' last wave before it (was None)
    assert ds.tie_wave(None) == ds.tie_wave("") == "W1"
    assert Dataset(people=_people(3)).tie_wave("W1") is None  # unlabelled ties: every tie


def test_overview_page_computes_each_waves_facts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiles, change against the wave before, what changed and the comparison table all read the
    # same facts: the page computes each section once per wave (it used to take six computations).
    import functools

    from streamlit.testing.v1 import AppTest

    from lib.analysis import overview

    calls: list[tuple[str, str | None]] = []
    real = overview.facts_section

    @functools.wraps(real)
    def counting(ds: Dataset, section: str, wave: str | None = None, min_size: int = 5) -> object:
        calls.append((section, wave))
        return real(ds, section, wave, min_size)

    monkeypatch.setattr(overview, "facts_section", counting)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    waves = sorted({w for _, w in calls})
    assert len(waves) == 2, calls  # the sample's two waves: the latest and the one before
    assert sorted(calls) == sorted(set(calls)), f"a section computed more than once for a wave: {calls}"
    assert {s for s, _ in calls} == set(overview.FACT_SECTIONS)  # every section, for both waves
    assert len(calls) == 2 * len(overview.FACT_SECTIONS)
    assert any(t.value == "What changed between waves" for t in at.subheader)


def test_every_tile_help_comes_from_the_one_definition(sample: Dataset) -> None:
    """The Overview's tiles and the exports' definitions sheet say the same thing (issue 13)."""
    from lib.report import definitions
    from lib.report.exports import definitions_table

    head = headline(sample)
    keys = {definitions.TILE_PREFIX + t.key for t in head.tiles}
    tile_entries = {m.key for m in definitions.MEASURES if m.area == "Headline"}
    assert keys == tile_entries
    for tile in head.tiles:
        assert definitions.tile_help(tile).startswith(definitions.text(definitions.TILE_PREFIX + tile.key))
    assert "Now: " in definitions.tile_help(head.tile("informal_share"))  # the tile's data, after the text
    sheet = definitions_table()
    rows = sheet[sheet["area"] == "Headline"].set_index("key")["definition"]
    assert set(rows.index) == tile_entries
    assert all(rows[k] == definitions.plain(definitions.text(k)) for k in tile_entries)


def test_the_samples_overview_is_computed_once_per_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bundled sample is public: a second session (a second AppTest, same process) reads the
    # first one's results instead of computing them again; an upload would not (session-scoped).
    from streamlit.testing.v1 import AppTest

    from lib.analysis import overview

    calls: list[str] = []
    real = overview.facts_section

    def counting(ds: Dataset, section: str, wave: str | None = None, min_size: int = 5) -> object:
        calls.append(section)
        return real(ds, section, wave, min_size)

    monkeypatch.setattr(overview, "facts_section", counting)
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    first = AppTest.from_file(app, default_timeout=180).run()
    after_first = len(calls)
    second = AppTest.from_file(app, default_timeout=180).run()
    assert not first.exception and not second.exception
    assert after_first == 2 * len(overview.FACT_SECTIONS)  # both waves, each section once
    assert len(calls) == after_first  # the second session computed nothing
    assert [m.value for m in second.metric] == [m.value for m in first.metric]


def test_a_rerun_of_the_overview_does_not_test_the_changes_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # The wave comparison's paired permutation tests take seconds at 10,000 people: they were run on
    # every rerun of the page (any click), now once per session, dataset, waves and group size.
    from streamlit.testing.v1 import AppTest

    from lib.analysis import overview
    from lib.intake.sample import generate

    tests: list[int] = []
    real = overview.paired_change

    def counting(before: pd.Series, after: pd.Series, resamples: int = 9999) -> tuple[float, float, int]:
        tests.append(len(before))
        return real(before, after, resamples)

    monkeypatch.setattr(overview, "paired_change", counting)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=180)
    at.session_state["dataset"] = generate(people=150, seed=21)
    at.session_state["dataset_key"] = "rerun-test"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    first = len(tests)
    assert first > 0  # the comparison ran its tests
    at.run()
    assert not at.exception and len(tests) == first
    assert any(t.value == "What changed between waves" for t in at.subheader)


def test_the_number_tiles_sections_are_computed_first() -> None:
    # The page (and the background thread ahead of it) computes every section, those that the
    # number tiles read before the others, so the tiles are complete as early as the work allows.
    from lib.analysis.overview import FACT_SECTIONS, TILE_SECTIONS
    from lib.app.overview_view import SECTION_ORDER

    assert sorted(SECTION_ORDER) == sorted(FACT_SECTIONS)
    pictures = {"top_gaps", "shifts"}  # drawn as charts, not numbers
    numbers = {TILE_SECTIONS[k] for k in TILE_SECTIONS if k not in pictures}
    first = SECTION_ORDER[: len(numbers)]
    assert set(first) == numbers and first[-1] == "key_people"


def test_the_tiles_sections_give_the_numbers_and_the_later_sections_their_detail(sample: Dataset) -> None:
    # The number tiles' sections compute what the tiles show; the informal share's bootstrap
    # interval (its detail) comes with the shifts section, the departments' learning shares with the
    # departments section: the merged facts are those of every section.
    from lib.analysis.overview import FACT_SECTIONS, TILE_SECTIONS, facts_section, headline_of, merge_facts

    wave = sample.waves[-1]
    pictures = {"top_gaps", "shifts"}  # drawn as charts, from sections of their own
    numbers = [
        s for s in FACT_SECTIONS if s in {TILE_SECTIONS[k] for k in TILE_SECTIONS if k not in pictures}
    ]
    early = headline_of(wave, merge_facts([facts_section(sample, s, wave) for s in numbers]))
    full = headline_of(wave, facts(sample, wave))
    for key in (
        "people",
        "response_rate",
        "informal_share",
        "wirearchy_index",
        "advice_reciprocity",
        "key_people",
    ):
        assert early.tile(key).value == full.tile(key).value
    assert "95% interval" not in early.tile("informal_share").detail
    assert "95% interval" in full.tile("informal_share").detail
    assert "fsl_share" not in facts_section(sample, "groups", wave).groups["department"]
    assert "fsl_share" in facts(sample, wave).groups["department"]


def test_the_board_sends_a_tile_again_only_when_it_changes(
    sample: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page draws the board after each section; a tile already showing its value is not sent to
    # the browser again until what it shows changes (its value, change or sparkline).
    from unittest.mock import MagicMock

    import streamlit as st

    from lib.analysis.overview import FACT_SECTIONS, TILE_SECTIONS, facts_section, headline_of, merge_facts
    from lib.app import overview_view

    metrics: list[tuple[str, str]] = []
    monkeypatch.setattr(st, "metric", lambda label, value, **kw: metrics.append((label, value)))
    monkeypatch.setattr(overview_view, "_chart", lambda spec, alt: None)
    monkeypatch.setattr(overview_view.Board, "_mix", lambda self, head: None)
    monkeypatch.setattr(overview_view.Board, "_shifts", lambda self, head, before: None)
    monkeypatch.setattr(overview_view.Board, "_gaps", staticmethod(lambda slot, head: None))
    tiles = {key: MagicMock() for row in overview_view.TILE_ROWS for key in row}
    board = overview_view.Board(tiles, None, None, None, None)
    wave = sample.waves[-1]
    parts = [facts_section(sample, name, wave) for name in FACT_SECTIONS]
    head = headline_of(wave, merge_facts(parts))

    board.draw(head, {"roster"})
    first = len(metrics)
    placeholders = sum(slot.metric.call_count for slot in tiles.values())
    roster = [key for key in tiles if TILE_SECTIONS[key] == "roster"]
    assert first == len(roster) > 0 and placeholders == len(tiles) - len(roster)  # the rest "…"
    board.draw(head, {"roster"})
    assert len(metrics) == first and sum(s.metric.call_count for s in tiles.values()) == placeholders
    board.draw(head, set(FACT_SECTIONS))
    assert len(metrics) == len(overview_view.SPARK_TILES)  # every number once, none twice
    history = [overview_view.tile_values(w, head.facts) for w in ("a", "b")]
    board.draw(head, set(FACT_SECTIONS), history)  # the sparklines arrive: each tile is drawn again
    assert len(metrics) == 2 * len(overview_view.SPARK_TILES)


def test_the_pages_first_stage_is_every_section_a_board_tile_reads() -> None:
    # The board's eight tiles (seven numbers and the skill gaps chart, whose place shows "…" until
    # its section is done) are complete at the end of the page's first stage, and not before.
    from lib.analysis.overview import TILE_SECTIONS
    from lib.app.overview_view import SECTION_ORDER, TILE_ROWS, TILES_STAGE

    read = {TILE_SECTIONS[key] for row in TILE_ROWS for key in row}
    assert set(SECTION_ORDER[:TILES_STAGE]) == read
    assert "skills" in read and "shifts" not in read
