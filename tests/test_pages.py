"""Invariants and one AppTest smoke test per page: every page is registered, renders on the sample
organisation without an exception, and shows its title."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"


def registered_pages() -> list[str]:
    """Page files named in app.py's PAGES table (key → (file, title, icon))."""
    tree = ast.parse(APP.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and target.id == "PAGES":
                table = ast.literal_eval(node.value)  # type: ignore[arg-type]
                return [file for file, _title, _icon in table.values()]
    raise AssertionError("app.py has no PAGES table")


def test_every_registered_page_has_an_access_rule() -> None:
    from lib.app.auth import PAGE_ACCESS

    tree = ast.parse(APP.read_text())
    keys = next(
        ast.literal_eval(n.value).keys()  # type: ignore[arg-type]
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES"
    )
    assert set(keys) == set(PAGE_ACCESS)


def test_every_page_file_is_registered_and_exists() -> None:
    files = sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))
    assert sorted(registered_pages()) == files


def test_no_pages_folder_named_pages() -> None:
    # With st.navigation a folder named exactly pages/ breaks deep links on a fresh server.
    assert not (ROOT / "pages").exists()


def test_tracebacks_never_reach_the_browser() -> None:
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r'showErrorDetails\s*=\s*"none"', config)


@pytest.mark.parametrize("page", registered_pages())
def test_page_renders_on_the_sample(page: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title"


@pytest.mark.parametrize("page", registered_pages())
def test_page_renders_in_the_aggregate_view(page: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["view"] = "aggregate"
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
