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
    """Page files named in app.py's st.Page(...) calls."""
    tree = ast.parse(APP.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            first = node.args[0]
            assert isinstance(first, ast.Constant)
            out.append(str(first.value))
    return out


def test_every_page_file_is_registered_and_exists() -> None:
    files = sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))
    assert sorted(registered_pages()) == files


def test_no_pages_folder_named_pages() -> None:
    # With st.navigation a folder named exactly pages/ breaks deep links on a fresh server.
    assert not (ROOT / "pages").exists()


def test_lib_never_imports_streamlit_except_ui() -> None:
    offenders = []
    for path in (ROOT / "lib").glob("*.py"):
        if path.name == "ui.py":
            continue
        if re.search(r"^\s*(import streamlit|from streamlit)", path.read_text(), re.M):
            offenders.append(path.name)
    assert offenders == []


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
