"""The definitions registry (issue 13): one text per measure, and everything that shows one reads it.

* every ``help=`` on a page or in ``lib/app`` that is a string written in place is control help
  from a short allow-list (a measure's help comes from :mod:`lib.report.definitions`);
* every key the pages look up exists, and every entry's function resolves and is callable;
* the exports' definitions sheet, the deck's appendix and notes and ``python -m lib.cli definitions``
  list exactly the registry's entries and texts;
* role texts follow the :class:`RoleThresholds` in use;
* arc reciprocity is computed once, and its texts name the variant.
"""

from __future__ import annotations

import ast
import importlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from lib.analysis import hierarchy, netmap, network, overview, roles, wirearchy
from lib.app import cli
from lib.core.dataset import Dataset
from lib.core.sanitise import clean_text
from lib.intake.loader import load_path
from lib.report import definitions
from lib.report.deck import deck_bytes, short_definition
from lib.report.exports import ExportOptions, build_report, definitions_table

ROOT = Path(__file__).resolve().parents[1]
KRACKHARDT = ROOT / "tests" / "data" / "krackhardt_hightech"

#: Help strings written in place that explain an input or a control, not a measure. A measure's
#: help must come from the registry; a new literal here needs a reason.
CONTROL_HELP: frozenset[str] = frozenset(
    {
        # app_pages/network.py: inputs
        "Several relations are combined: a pair tied in any of them counts as one tie.",
        "Ties without a wave count in every wave. 'All waves' merges every wave's ties into one network.",
        "How the group map, the group matrix and the E-I index group people.",
        'f"Above {netmap.PERSON_MAP_LIMIT:,} people the map opens on groups; drill into one group to see its people."',
        "A dot's area grows with this measure; the People tab defines each one.",
        "Removes each candidate in turn and measures what the others lose; about a minute at 20,000 people.",
        "Department by default; team and the other attributes when chosen.",
        "Working together goes both ways: a respondent's tie to someone who did not answer is "
        "copied back (symmetrisation), and the measures are then on everyone.",
        # app_pages/overview.py: a tile whose section is still computing
        "Being computed.",
        # app_pages/pulse.py, pulse_live.py: the form and the facilitator's controls
        'f"Up to {pulse.MAX_ADVISERS} names."',
        'f"This app\'s address as phones in the room reach it (set {pulse_link.ENV_PUBLIC_URL} to change the default)."',
        "Makes the pulse wave this session's data, for the Overview, Network, Learning and Trust pages.",
        # app_pages/skills.py, whatif.py: inputs; the what-if tile's help states its before value
        "A holder's current level is at least this (3 = can do the work unaided; 4 = can teach it).",
        "The groups you can remove or connect, and the groups the maps draw.",
        "Which people are paired: the same seed, the same pairs.",
        'f"{key}. Before: {before}"',
        # app_pages/data.py, lib/app/ui.py: settings and workspaces
        "Draws a new random salt when you save: every person gets a new pseudonym on every page and in "
        "every export from now on. Pseudonyms in earlier exports will no longer match.",
        "Aggregate hides every name, id and person-level table; named shows everything.",
        "Groups smaller than this are never shown in aggregate statistics. It can only be raised.",
        "Stable pseudonyms, salted per dataset: the same on every page and export.",
        "A workspace keeps one organisation's waves and settings. Opening it shows its uploaded waves "
        "together; pulse waves stay apart (Data page: open one alone).",
        # lib/app/survey_ui.py: the review's remembered choices
        "Forget these remembered choices, so their answers come back to the review.",
    }
)

#: argparse's option help describes command-line options, never a measure.
_ARGPARSE = {"add_argument", "add_parser"}


def _sources() -> list[Path]:
    return sorted([*(ROOT / "app_pages").glob("*.py"), *(ROOT / "lib" / "app").glob("*.py"), ROOT / "app.py"])


def _calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            yield node


def _literal_helps() -> Iterator[tuple[str, str]]:
    """(file:line, the help) for every ``help=`` given as a string or f-string literal."""
    for path in _sources():
        source = path.read_text()
        for call in _calls(path):
            if isinstance(call.func, ast.Attribute) and call.func.attr in _ARGPARSE:
                continue
            for kw in call.keywords:
                if kw.arg != "help":
                    continue
                where = f"{path.relative_to(ROOT)}:{kw.value.lineno}"
                if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    yield where, kw.value.value
                elif isinstance(kw.value, ast.JoinedStr):
                    yield where, ast.get_source_segment(source, kw.value) or ""


def test_every_literal_help_is_control_help() -> None:
    found = list(_literal_helps())
    assert found, "the scan found no help at all: the scan is broken"
    stray = [f"{where}: {text[:80]!r}" for where, text in found if text not in CONTROL_HELP]
    assert not stray, "a measure's help must come from lib.report.definitions:\n" + "\n".join(stray)


def test_the_allow_list_has_no_stale_entries() -> None:
    used = {text for _, text in _literal_helps()}
    assert used >= CONTROL_HELP, sorted(CONTROL_HELP - used)


def test_every_key_the_pages_look_up_exists() -> None:
    keys: list[tuple[str, str]] = []
    for path in _sources():
        for call in _calls(path):
            f = call.func
            if (
                isinstance(f, ast.Attribute)
                and f.attr == "text"
                and isinstance(f.value, ast.Name)
                and f.value.id == "definitions"
                and call.args
                and isinstance(call.args[0], ast.Constant)
            ):
                keys.append((f"{path.name}:{call.lineno}", str(call.args[0].value)))
    assert len(keys) >= 20
    for where, key in keys:
        assert definitions.text(key), where


def test_every_entry_resolves_to_a_callable_function() -> None:
    for m in definitions.MEASURES:
        module, _, name = definitions.function_path(m).partition(":")
        obj: object = importlib.import_module(module)
        for part in name.split("."):
            obj = getattr(obj, part)
        assert obj is m.fn and callable(obj), m.key
        assert m.name and m.area and m.unit and m.variant and m.source, m.key
        assert len(m.text()) > 20, m.key


def test_keys_and_columns_are_unique_and_every_person_column_is_defined() -> None:
    keys = [e.key for e in definitions.entries()]
    assert len(keys) == len(set(keys))
    for column in network.PERSON_COLUMNS:
        assert definitions.text(column)
    with pytest.raises(KeyError, match="no definition"):
        definitions.text("no_such_measure")


# --- one registry, every reader ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return load_path(ROOT / "sample_data" / "sample_org.xlsx")


def test_the_definitions_sheet_is_the_registry() -> None:
    sheet = definitions_table()
    assert sheet.to_dict("records") == definitions.rows()
    measures = sheet[sheet["key"].isin({m.key for m in definitions.MEASURES})]
    assert list(measures["key"]) == [m.key for m in definitions.MEASURES]
    assert list(measures["definition"]) == [definitions.plain(m.text()) for m in definitions.MEASURES]


def test_the_deck_lists_the_registry(sample: Dataset) -> None:
    report = build_report(sample, ExportOptions())
    prs = Presentation(io.BytesIO(deck_bytes(sample, report=report)))
    slides = list(prs.slides)

    def paragraphs(slide: object) -> list[str]:
        return [p.text for s in slide.shapes if s.has_text_frame for p in s.text_frame.paragraphs]  # type: ignore[attr-defined]

    appendix = [
        p
        for s in slides
        if any(t.startswith("Appendix: definitions") for t in paragraphs(s))
        for p in paragraphs(s)
    ]
    expected = [
        clean_text(f"{r['measure']}: {short_definition(r['definition'])}") for r in definitions.rows()
    ]
    assert [p for p in appendix if p in set(expected)] == expected
    headline = next(s for s in slides if "Headline measures" in paragraphs(s))
    notes = headline.notes_slide.notes_text_frame.text.split("\n")
    assert report.head is not None
    assert notes == [
        clean_text(f"{t.label}: {' '.join(definitions.plain(definitions.tile_help(t)).split(chr(10)))}")
        for t in report.head.tiles
    ]


def test_the_cli_prints_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["definitions", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == definitions.as_json()
    assert [r["key"] for r in printed] == [e.key for e in definitions.entries()]
    assert cli.main(["definitions"]) == 0
    text = capsys.readouterr().out
    for r in definitions.rows():
        assert f"{r['key']} · {r['measure']} ({r['area']})" in text
        assert r["definition"].split("\n")[0] in text


# --- role texts follow the thresholds --------------------------------------------------------------


def test_role_texts_follow_the_thresholds_in_force(sample: Dataset) -> None:
    default = definitions.role_texts()
    assert "at or above the 90th percentile" in default["central_connector"]
    assert "at least 3 groups" in default["overload"]
    th = roles.RoleThresholds(connector_top_share=0.20, overload_min_groups=4, peripheral_max_degree=2)
    changed = definitions.role_texts(th)
    assert "at or above the 80th percentile" in changed["central_connector"]
    assert "90th percentile" not in changed["central_connector"]
    assert "at least 4 groups" in changed["overload"] and "2 ties" in changed["peripheral"]
    sheet = definitions_table(th).set_index("key")["definition"]
    assert "80th percentile" in sheet["central_connector"]
    # the page's and the exports' role table: texts of the thresholds the table was built with
    measures = network.person_measures(sample)
    table = roles.assign_roles(sample, measures, th)
    counts = netmap.role_counts(table, definitions.role_texts(table.attrs.get("thresholds"))).set_index(
        "role"
    )
    assert "80th percentile" in counts.at["Central connector", "meaning"]


# --- reciprocity: one computation, texts that name the variant --------------------------------------


def _krackhardt(relation_as: dict[str, str]) -> Dataset:
    ties = pd.read_csv(KRACKHARDT / "ties.csv", dtype=str)
    ties = ties[ties["relation"].isin(relation_as)]
    people = sorted(set(ties["source"]) | set(ties["target"]))
    frame = pd.DataFrame(
        {
            "source_id": ties["source"],
            "target_id": ties["target"],
            "relation": ties["relation"].map(relation_as),
            "wave": "",
            "weight": 1.0,
        }
    )
    return Dataset(people=pd.DataFrame({"person_id": people}), ties=frame)


def test_one_reciprocity_computation_on_a_published_network() -> None:
    ds = _krackhardt({"advice": "advice", "friendship": "trust"})
    summary = network.network_measures(ds, ["advice"])
    direct = network.arc_reciprocity(network.build_graph(ds, ["advice"]))
    assert summary.reciprocity_arc == direct == pytest.approx(0.47368421, abs=1e-7)  # Krackhardt (1987)
    assert overview.facts(ds).org["advice_reciprocity"] == direct  # the headline tile
    trust_summary = network.network_measures(ds, ["trust"])
    assert (
        hierarchy.trust_reciprocity(ds)
        == trust_summary.reciprocity_arc
        == pytest.approx(0.45098039, abs=1e-7)
    )
    assert not hasattr(wirearchy, "arc_reciprocity") and not hasattr(
        hierarchy, "arc_reciprocity"
    )  # the second computation is gone


def test_reciprocity_texts_name_their_variant() -> None:
    arc = definitions.text("reciprocity_arc")
    assert "2M / m" in arc and "*arc*" in arc and "Garlaschelli" in arc
    assert "M / (M + A)" in definitions.text("reciprocity_dyad") and "*dyad*" in definitions.text(
        "reciprocity_dyad"
    )
    for key in ("headline.advice_reciprocity", "trust_reciprocity"):
        assert arc in definitions.text(key), key  # the one arc text, applied to one network
        assert definitions.measure(key).variant.startswith("arc")
    assert definitions.measure("reciprocity_dyad").variant.startswith("dyad")
