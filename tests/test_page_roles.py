"""Roles enforced on the server, page by page (AppTest).

- Each role's navigation registers exactly the pages lib.auth.PAGE_ACCESS allows it (so a URL to
  any other page is not routed), and every page it may open renders.
- Every page's first statement is ``ui.guard(<its key>)``, and run on its own for a role that may
  not open it, the page stops there: nothing of it renders.
- The executive sees no names anywhere, even with the view forced to "named" in the session.
- Sign-in: with accounts configured nobody is let in unsigned; a wrong password is refused; a
  broken configuration fails closed; OIDC users get the roles [roles] gives their address.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from lib import auth

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FAST = {"n": 2**14, "r": 8, "p": 1}
HASHES = {
    "fac": auth.hash_password("facilitate-2026", **FAST),
    "exe": auth.hash_password("board-room-2026", **FAST),
}
OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "dashboard",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
}
FACILITATOR = auth.User("Fran Facilitator", frozenset({"facilitator"}), "account")
EXECUTIVE = auth.User("Eli Executive", frozenset({"executive"}), "account")
PARTICIPANT = auth.User("participant", frozenset({"participant"}), "join-link")
USERS = {"facilitator": FACILITATOR, "executive": EXECUTIVE, "participant": PARTICIPANT}


def _page_keys() -> dict[str, str]:
    """page file → page key, from app.py's PAGES table."""
    tree = ast.parse(Path(APP).read_text())
    node = next(
        n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES"
    )
    table = ast.literal_eval(node.value)
    return {file: key for key, (file, _title, _icon) in table.items()}


PAGE_KEYS = _page_keys()
GUARDED = {file: key for file, key in PAGE_KEYS.items() if key != "signin"}


@pytest.fixture(autouse=True)
def _temp_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SLD_DATABASE_URL", f"sqlite:///{tmp_path / 'workspaces.db'}")
    yield


@pytest.fixture(scope="module")
def sample_names() -> list[str]:
    from lib.loader import load_path
    from lib.ui import SAMPLE_PATH

    names = load_path(SAMPLE_PATH).people["name"].dropna().astype(str)
    return [n for n in names if n.isascii() and " " in n]  # full names, searchable in any text


def _registered(at: AppTest) -> set[str]:
    return {Path(p["script_path"]).name for p in at._registered_pages.values() if "script_path" in p}


def _text(at: AppTest) -> str:
    """Everything the run sent to the browser, as text: every element's message, table cells, iframes."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(parts)


def _app(user: auth.User | None = None, **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    if user is not None:
        at.session_state["user"] = user
    for key, value in state.items():
        at.session_state[key] = value
    return at


# --- navigation and guards -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["facilitator", "executive", "participant"])
def test_navigation_registers_exactly_the_pages_a_role_may_open(role: str) -> None:
    at = _app(USERS[role]).run()
    assert not at.exception, [e.value for e in at.exception]
    expected = {Path(f).name for f, key in PAGE_KEYS.items() if auth.may_open(USERS[role], key)}
    assert _registered(at) - {"signin.py"} == expected
    for file, key in PAGE_KEYS.items():
        if key != "signin" and not auth.may_open(USERS[role], key):
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(file)


@pytest.mark.parametrize("file", sorted(GUARDED))
def test_every_page_starts_with_its_guard(file: str) -> None:
    tree = ast.parse((ROOT / file).read_text())
    body = [
        n
        for n in tree.body
        if not isinstance(n, ast.Import | ast.ImportFrom)
        and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
    ]
    first = ast.unparse(body[0])
    assert first == f"ui.guard({GUARDED[file]!r})", f"{file} starts with {first!r}"


DENIED = [
    (role, file)
    for role, user in USERS.items()
    for file, key in sorted(GUARDED.items())
    if not auth.may_open(user, key)
]


@pytest.mark.parametrize(("role", "file"), DENIED)
def test_a_page_run_directly_stops_at_the_guard(role: str, file: str) -> None:
    at = AppTest.from_file(str(ROOT / file), default_timeout=60)
    at.session_state["user"] = USERS[role]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [f"This page is not available to your role ({role})."]
    assert not at.title and not at.dataframe and not at.button and not at.get("download_button")


@pytest.mark.parametrize("role", ["facilitator", "executive"])
def test_every_page_a_role_may_open_renders(role: str) -> None:
    user = USERS[role]
    at = _app(user).run()
    failures = []
    for file, key in PAGE_KEYS.items():
        if key == "signin" or not auth.may_open(user, key):
            continue
        at.switch_page(file).run()
        if at.exception or not at.title:
            failures.append((file, [e.value for e in at.exception]))
    assert failures == []


def test_participant_lands_on_the_pulse_page_only() -> None:
    at = _app(PARTICIPANT).run()
    assert not at.exception
    titles = " ".join(t.value for t in at.title)
    for heading in ("How this organisation learns", "Network", "Data"):
        assert heading not in titles
    assert len(at.sidebar.selectbox) == 0 and len(at.sidebar.radio) == 0  # no workspace, no view switch


# --- the executive's aggregate view ----------------------------------------------------------


def test_the_named_view_shows_names_to_a_facilitator(sample_names: list[str]) -> None:
    # the control for the next test: the same text collection does find names when they are shown
    at = _app(FACILITATOR, view="named").run()
    at.switch_page("app_pages/network.py").run()
    text = _text(at)
    assert sum(name in text for name in sample_names) > 20


@pytest.mark.parametrize("file", ["app_pages/network.py", "app_pages/overview.py", "app_pages/trust.py"])
def test_executive_never_sees_names_even_when_the_session_asks_for_them(
    file: str, sample_names: list[str]
) -> None:
    at = _app(EXECUTIVE, view="named", pseudonyms=False).run()
    at.switch_page(file).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title
    text = _text(at)
    assert [n for n in sample_names if n in text] == []
    assert len(at.sidebar.radio) == 0 and len(at.sidebar.checkbox) == 0  # no view switch, no pseudonyms
    assert any("Aggregate view" in c.value for c in at.sidebar.caption)


def test_executive_network_page_is_the_group_map() -> None:
    at = _app(EXECUTIVE, view="named").run()
    at.switch_page("app_pages/network.py").run()
    assert any("Aggregate view: the map shows groups only" in c.value for c in at.caption)
    assert [r.options for r in at.radio if r.label == "Map of"] == [["Groups"]]


def _script_downloads() -> None:
    import pandas as pd

    from lib import ui

    ui.download_table(pd.DataFrame({"a": [1]}), "x.csv")


@pytest.mark.parametrize(("role", "buttons"), [("executive", 1), ("facilitator", 1), ("participant", 0)])
def test_downloads_need_the_export_role(role: str, buttons: int) -> None:
    at = AppTest.from_function(_script_downloads)
    at.session_state["user"] = USERS[role]
    at.run()
    assert len(at.get("download_button")) == buttons


def _script_names() -> None:
    import streamlit as st

    from lib import ui

    try:
        ui.person_labels()
    except PermissionError as err:
        st.write(f"refused: {err}")
    else:
        st.write("names given")


@pytest.mark.parametrize(
    ("role", "view", "answer"),
    [
        ("executive", "named", "refused"),
        ("facilitator", "named", "names given"),
        ("facilitator", "aggregate", "refused"),
    ],
)
def test_names_are_refused_in_the_aggregate_view(role: str, view: str, answer: str) -> None:
    at = AppTest.from_function(_script_names, default_timeout=60)
    at.session_state["user"] = USERS[role]
    at.session_state["view"] = view
    at.run()
    assert at.markdown[0].value.startswith(answer)


# --- sign-in ---------------------------------------------------------------------------------


def _accounts(name: str, role: str, key: str) -> dict[str, object]:
    return {"accounts": {name: {"password_hash": HASHES[key], "roles": [role]}}}


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin-name").input(name)
    at.text_input(key="signin-password").input(password)
    return next(b for b in at.button if b.label == "Sign in").click().run()


def test_signed_out_sees_only_the_sign_in_page() -> None:
    at = _app()
    at.secrets = _accounts("exe-a", "executive", "exe")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["🔑 Sign in"]
    assert _registered(at) == {"signin.py"}
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/overview.py")
    assert len(at.sidebar.caption) == 0  # no data, no workspace, nothing


def test_wrong_password_is_refused_and_the_right_one_signs_in() -> None:
    at = _app()
    at.secrets = _accounts("exe-b", "executive", "exe")
    at.run()
    _sign_in(at, "exe-b", "facilitate-2026")
    assert [e.value for e in at.error] == ["Wrong account name or password."]
    assert "user" not in at.session_state
    _sign_in(at, "exe-b", "board-room-2026")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["user"] == auth.User("exe-b", frozenset({"executive"}), "account")
    assert "overview.py" in _registered(at) and "data.py" not in _registered(at)
    assert any("Signed in: **exe\\-b** (executive)" in c.value for c in at.sidebar.caption)
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert "user" not in at.session_state
    assert _registered(at) == {"signin.py"}


def test_a_broken_configuration_lets_nobody_in() -> None:
    at = _app()
    at.secrets = {"accounts": {"fac": {"password": "plain-text", "roles": ["facilitator"]}}}
    at.run()
    assert not at.exception
    assert any("configured wrongly" in e.value and "plain\\-text password" in e.value for e in at.error)
    assert not at.title  # no page ran


@pytest.mark.parametrize(
    ("user_info", "pages", "shown"),
    [
        ({"is_logged_in": True, "email": "ceo@example.org", "name": "C E O"}, {"overview.py"}, "executive"),
        (
            {"is_logged_in": True, "email": "lead@example.org", "name": "Lead"},
            {"overview.py", "data.py"},
            "facilitator",
        ),
        ({"is_logged_in": True, "email": "stranger@other.org", "name": "Stranger"}, set(), "has no role"),
        ({"is_logged_in": False}, set(), "Sign in with your organisation"),
    ],
)
def test_oidc_users_get_the_roles_of_their_address(
    user_info: dict[str, object], pages: set[str], shown: str
) -> None:
    at = _app()
    at.secrets = {
        "auth": OIDC,
        "roles": {"executives": ["ceo@example.org"], "facilitators": ["lead@example.org"]},
    }
    at.user = user_info
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert pages <= _registered(at)
    if not pages:
        assert _registered(at) == {"signin.py"}
    if "data.py" not in pages:
        assert "data.py" not in _registered(at)
    assert shown in _text(at)
