"""Roles enforced on the server, page by page (AppTest).

- Each role's navigation registers exactly the pages lib.app.auth.PAGE_ACCESS allows it (so a URL to
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

from lib.app import auth

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FAST = {"n": 2**14, "r": 8, "p": 1}
#: Quick hashes need the configured cost lowered to theirs, in the secrets (the default is 2^17).
FAST_COST = {"passwords": {"scrypt_n": FAST["n"]}}
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
    from lib.app.ui import SAMPLE_PATH
    from lib.intake.loader import load_path

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

    from lib.app import ui

    ui.download_table(pd.DataFrame({"a": [1]}), "x.csv")


@pytest.mark.parametrize(("role", "buttons"), [("executive", 1), ("facilitator", 1), ("participant", 0)])
def test_downloads_need_the_export_role(role: str, buttons: int) -> None:
    at = AppTest.from_function(_script_downloads)
    at.session_state["user"] = USERS[role]
    at.run()
    assert len(at.get("download_button")) == buttons


def _script_names() -> None:
    import streamlit as st

    from lib.app import ui

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
    return {"accounts": {name: {"password_hash": HASHES[key], "roles": [role]}}, **FAST_COST}


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


# --- local mode: another computer ------------------------------------------------------------


def test_a_browser_on_another_computer_gets_only_the_pulse_page_and_the_reason(
    sample_names: list[str],
) -> None:
    # AppTest has no client address (the local user), so the visitor local_user() gives a remote
    # address is seeded as this session's user; which address gives which user: tests/test_auth.py.
    at = _app(auth.REMOTE_VISITOR).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _registered(at) == {"pulse.py", "signin.py"}
    assert [t.value for t in at.title] == ["📝 Pulse"]
    assert "from another computer" in at.info[0].value and "join link" in at.info[0].value
    assert any("`SLD_LOCAL_MODE=anywhere`" in c.value and "Configure sign-in" in c.value for c in at.caption)
    for file in ("app_pages/overview.py", "app_pages/data.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(file)
    text = _text(at)
    assert [n for n in sample_names if n in text] == []
    assert len(at.sidebar.selectbox) == 0  # no workspace menu


def test_an_unknown_local_mode_stops_the_app_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.LOCAL_MODE_ENV, "yes")
    at = _app().run()
    assert not at.exception
    assert not at.title  # no page ran
    assert any("SLD\\_LOCAL\\_MODE='yes' is not a local mode" in e.value for e in at.error)


@pytest.mark.parametrize("mode", ["", "this-computer", "anywhere"])
def test_this_computer_is_the_local_user_whatever_the_mode(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(auth.LOCAL_MODE_ENV, mode)
    at = _app().run()  # no client address: this computer
    assert not at.exception, [e.value for e in at.exception]
    assert {"overview.py", "data.py", "pulse_live.py"} <= _registered(at)


# --- per-workspace access --------------------------------------------------------------------

EXE_W = auth.User("exe-w", frozenset({"executive"}), "account")
FAC_W = auth.User("fac-w", frozenset({"facilitator"}), "account")
#: A for the executive, B for the facilitator, C unlisted (facilitators only).
WS_ACCESS = {"A": ["exe-w"], "B": ["fac-w"]}


def _access_secrets(table: dict[str, list[str]] | None = WS_ACCESS) -> dict[str, object]:
    accounts = {
        "exe-w": {"password_hash": HASHES["exe"], "roles": ["executive"]},
        "fac-w": {"password_hash": HASHES["fac"], "roles": ["facilitator"]},
    }
    return {"accounts": accounts, **FAST_COST, **({"workspace_access": table} if table is not None else {})}


@pytest.fixture
def three_workspaces() -> None:
    import os

    from lib.store import workspaces as ws

    engine = ws.open_database(os.environ["SLD_DATABASE_URL"])
    for name in ("A", "B", "C"):
        ws.create_workspace(engine, name)
    engine.dispose()


def _picker(at: AppTest) -> list[str]:
    return list(at.sidebar.selectbox(key="workspace_choice").options)


NONE = "None (sample or upload)"


@pytest.mark.usefixtures("three_workspaces")
@pytest.mark.parametrize(
    ("user", "table", "shown"),
    [
        (EXE_W, WS_ACCESS, [NONE, "A"]),
        (FAC_W, WS_ACCESS, [NONE, "B", "C"]),  # B is theirs, C is unassigned
        (EXE_W, None, [NONE, "A", "B", "C"]),  # no table: one organisation, every workspace
    ],
    ids=["executive", "facilitator", "no-table"],
)
def test_the_workspace_menu_lists_only_what_the_user_may_open(
    user: auth.User, table: dict[str, list[str]] | None, shown: list[str]
) -> None:
    at = _app(user)
    at.secrets = _access_secrets(table)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _picker(at) == shown


def _script_open() -> None:
    import streamlit as st

    from lib.app import ui
    from lib.store.workspaces import WorkspaceError

    try:
        ui.open_workspace(st.session_state["try"])
    except WorkspaceError as err:
        st.write(f"refused: {err}")
    else:
        st.write(f"opened: {ui.workspace()}")


REFUSED = "refused: There is no workspace '{}' that you may open. Choose one from the Workspace menu"


@pytest.mark.usefixtures("three_workspaces")
@pytest.mark.parametrize(
    ("user", "name", "opened"),
    [
        (EXE_W, "A", True),
        (EXE_W, "B", False),  # someone else's
        (EXE_W, "C", False),  # unassigned: facilitators only
        (EXE_W, "Nope", False),  # does not exist: the same words as B and C
        (FAC_W, "B", True),
        (FAC_W, " C ", True),
        (FAC_W, "A", False),  # listed for the executive only: not even a facilitator
    ],
)
def test_opening_a_workspace_is_checked_on_the_server(user: auth.User, name: str, opened: bool) -> None:
    at = AppTest.from_function(_script_open, default_timeout=60)
    at.secrets = _access_secrets()
    at.session_state["user"] = user
    at.session_state["try"] = name
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = at.markdown[0].value
    if opened:
        assert said == f"opened: {name.strip()}"
    else:
        assert said.startswith(REFUSED.format(name)), said
        assert "Workspaces:" not in said  # no list of the others


@pytest.mark.usefixtures("three_workspaces")
def test_a_workspace_whose_access_was_withdrawn_closes() -> None:
    at = _app(EXE_W, workspace="B")  # opened before [workspace_access] gave B to someone else
    at.secrets = _access_secrets()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "workspace" not in at.session_state
    assert at.sidebar.selectbox(key="workspace_choice").value == ""


@pytest.mark.usefixtures("three_workspaces")
def test_the_actions_page_lists_only_the_facilitators_workspaces() -> None:
    at = _app(FAC_W)
    at.secrets = _access_secrets()
    at.run()
    at.switch_page("app_pages/actions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.selectbox(key="actions-ws").options) == ["", "B", "C"]


def _script_create() -> None:
    import streamlit as st

    from lib.app import ui
    from lib.store.workspaces import WorkspaceError

    try:
        made = ui.create_workspace(st.session_state["try"])
    except WorkspaceError as err:
        st.write(f"refused: {err}")
    else:
        st.write(f"created: {made}")


@pytest.mark.usefixtures("three_workspaces")
@pytest.mark.parametrize(
    ("user", "name", "said"),
    [
        (FAC_W, "D", "created: D"),  # unlisted: the facilitator may open it, so may create it
        (FAC_W, "A", "refused: The name 'A' is assigned to others"),  # listed for the executive only
        (FAC_W, "C", "refused: A workspace named 'C' already exists"),
        (EXE_W, "E", "refused: Your role cannot create workspaces."),
    ],
)
def test_creating_a_workspace_is_checked_on_the_server(user: auth.User, name: str, said: str) -> None:
    import os

    from lib.store import workspaces as ws

    at = AppTest.from_function(_script_create, default_timeout=60)
    at.secrets = _access_secrets()
    at.session_state["user"] = user
    at.session_state["try"] = name
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[0].value.startswith(said), at.markdown[0].value
    engine = ws.open_database(os.environ["SLD_DATABASE_URL"])
    try:
        assert (name in ws.workspace_names(engine)) == (said.startswith("created") or name in "ABC")
    finally:
        engine.dispose()
