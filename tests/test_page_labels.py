"""Column labels on the pages: no code name (``total_gap``) reaches a table a person reads, and
shares, means and indices keep one precision (lib/report/columns.py, lib/app/tables.py).

Every table of the Overview, Network, Learning, Trust & wirearchy, Skills and Data pages and of the
What-if workshop page (with a scenario applied) is opened through AppTest on the sample, in the
named and the aggregate view, with each tab and section shown; the label a reader sees is the
column's ``st.column_config`` label, or its name when it has none. (Present and Actions show no
table; Live pulse shows its tables only while a pulse runs, labelled in place.)
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pandas as pd
import pytest

from lib.analysis.whatif import Scenario
from lib.app import tables
from lib.core.dataset import Dataset
from lib.intake.loader import load_path
from lib.report import columns
from tests.conftest import ROOT, open_page

SAMPLE = ROOT / "sample_data" / "sample_org.xlsx"
# (page, session state that opens one tab or section)
VIEWS: list[tuple[str, dict[str, object]]] = [
    ("app_pages/overview.py", {}),  # the sample has two waves: the wave comparison's tables show
    *[
        ("app_pages/network.py", {"net_tab": t})
        for t in ("Organisation", "People", "Groups", "Roles", "Key people")
    ],
    ("app_pages/learning.py", {}),
    ("app_pages/trust.py", {}),
    *[
        ("app_pages/skills.py", {"skills_section": s})
        for s in ("Gaps", "Coverage", "Subject-matter networks", "Who to ask", "Skill profiles")
    ],
    ("app_pages/data.py", {}),
    # a whole department leaves (Engineering: shown in the aggregate view too), so the tables show
    ("app_pages/whatif.py", {"whatif-scenario": Scenario(remove_groups=(("department", "Engineering"),))}),
]


def shown_labels(element: Any) -> list[str]:
    """The header labels a reader sees on one st.dataframe element (hidden columns left out)."""
    out = []
    for name in element.value.columns:
        conf = config_of(element, str(name))
        if not conf.get("hidden"):
            out.append(str(conf.get("label") or name))
    return out


def is_sheet_preview(frame: pd.DataFrame) -> bool:
    """The Data page's preview of a loaded sheet shows the sheet as it was read, under the data
    contract's own column names (those the template asks for): not a table of results."""
    ds = sample()
    sheets = ("people", "ties", "learning", "interactions", "trust", "work", "skills", "role_skills")
    return any(list(frame.columns) == list(getattr(ds, s).columns) for s in sheets)


@functools.cache
def sample() -> Dataset:
    return load_path(SAMPLE)


def config_of(element: Any, name: str) -> dict[str, Any]:
    config = json.loads(element.proto.columns or "{}")
    return dict(config.get(f"col:{name}") or config.get(name) or {})


@pytest.mark.parametrize("view", ["named", "aggregate"])
@pytest.mark.parametrize(("page", "state"), VIEWS)
def test_no_code_name_reaches_a_page_table(page: str, state: dict[str, object], view: str) -> None:
    at = open_page(page, view=view, **state)
    if page.endswith("overview.py"):  # the rules, the two waves, ties gained and lost (+ who moved: named)
        assert len(at.dataframe) == (4 if view == "named" else 3)
    if page.endswith("whatif.py"):  # every measure, and each group, before and after
        assert len(at.dataframe) == 2
    found = []
    for element in at.dataframe:
        if page.endswith("data.py") and is_sheet_preview(element.value):
            continue
        found += [label for label in shown_labels(element) if columns.SNAKE_CASE.match(label)]
    assert found == [], f"{page} {state} ({view}) shows code names: {found}"


def test_the_skills_gap_table_reads_in_words_and_whole_per_cent() -> None:
    at = open_page("app_pages/skills.py", view="named", skills_section="Gaps")
    table = at.dataframe[0]
    labels = shown_labels(table)
    assert {"Levels missing", "People with a gap", "Mean gap (levels)", "Share affected"} <= set(labels)
    assert config_of(table, "share_affected")["type_config"]["format"] == "%.0f%%"
    assert config_of(table, "mean_gap")["type_config"]["format"] == "%.1f"
    # the share is shown in per cent (0.58 → 58), the frame the page computed is untouched
    shares = table.value["share_affected"].dropna()
    assert len(shares) and shares.max() > 1 and shares.between(0, 100).all()


@pytest.mark.parametrize(
    ("name", "values", "label", "kind"),
    [
        ("total_gap", [3, 4], "Levels missing", "count"),
        ("share_affected", [0.5, 0.25], "Share affected", "share"),
        ("mean_gap", [1.25, 2.0], "Mean gap (levels)", "mean"),
        ("index", [63.2, 40.0], "Index (0–100)", "index"),
        # not in the table: a label from the name, a kind from the values
        ("people_on_leave", [1, 2], "People on leave", "count"),
        ("response_rate", [0.5, 0.7], "Response rate", "share"),
        ("odd_measure", [0.5, 0.7], "Odd measure", "measure"),
        # a group name as a column (a pivot) stays as written
        ("Customer Support", [1, 2], "Customer Support", "count"),
        # a known number column that holds words here is text
        ("reference", ["70%", "20%"], "Reference", "text"),
    ],
)
def test_label_and_kind(name: str, values: list[object], label: str, kind: str) -> None:
    assert columns.label(name) == label
    assert columns.kind_of(name, pd.Series(values)) == kind


def test_display_frame_shows_shares_in_per_cent_only() -> None:
    frame = pd.DataFrame({"skill": ["a", "b"], "share_affected": [0.5, None], "total_gap": [3, 4]})
    shown = tables.display_frame(frame)
    assert shown["share_affected"].tolist()[0] == 50.0 and pd.isna(shown["share_affected"].tolist()[1])
    assert shown["total_gap"].tolist() == [3, 4] and frame["share_affected"].tolist()[0] == 0.5


def test_labels_are_unique_even_when_names_collide() -> None:
    frame = pd.DataFrame([[1, 2, 3]], columns=["n", "people", "size"])  # all three read "People"
    assert [label for label, _ in columns.labelled(frame).values()] == ["People", "People (2)", "People (3)"]


def test_a_measure_column_carries_its_registry_definition_as_help() -> None:
    from lib.report import definitions

    frame = pd.DataFrame({"name": ["Ana"], "in_degree": [3], "brokerage_liaison": [1]})
    config = tables.column_config(frame, {"name": "Who it is"})
    assert config["in_degree"]["help"] == definitions.text("in_degree")
    assert config["brokerage_liaison"]["help"] == definitions.text("brokerage")  # one text for the five
    assert config["name"]["help"] == "Who it is"  # what the page says wins


def test_every_listed_column_has_a_help_the_registry_gives() -> None:
    from lib.report import definitions

    without = [name for name in columns.COLUMNS if not definitions.column_help(name).strip()]
    assert without == [], f"columns with no header help: {without}"
    # the registry's own definition wins over the table's help where it defines the measure
    assert definitions.column_help("in_degree") == definitions.text("in_degree")
    assert definitions.column_help("total_gap") == columns.COLUMNS["total_gap"].help
    assert definitions.column_help("Customer Support") == ""  # a group name as a pivot's column


def test_a_gap_column_carries_its_help_and_a_page_help_still_wins() -> None:
    frame = pd.DataFrame({"skill": ["a"], "total_gap": [3], "share_affected": [0.5]})
    config = tables.column_config(frame, {"share_affected": "The page's own words"})
    help_text = config["total_gap"]["help"]
    assert help_text == columns.COLUMNS["total_gap"].help and "level" in help_text.lower()
    assert config["skill"]["help"] == columns.COLUMNS["skill"].help
    assert config["share_affected"]["help"] == "The page's own words"
