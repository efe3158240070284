"""Real browsers, real sign-in: one workspace, a facilitator and an executive in two browser contexts.

A dedicated server runs with a temporary secrets file (two built-in accounts) and a temporary SQLite
database. The facilitator signs in, uploads a workbook, creates a workspace and saves the upload as
its first wave, and sees names on the Network page. The executive then signs in from another
context, opens the same workspace, and sees the same page without a single name and without the
view switch. A page's URL opened without signing in gets the sign-in page; a participant (join
link) asking for a page's URL gets the pulse page. Screenshots: ``test-output/screenshots/roles-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lib.app import auth
from tests.conftest import OUTPUT, Server, browser_unavailable

pytestmark = pytest.mark.browser

SHOTS = OUTPUT / "screenshots"
FAST = {"n": 2**14, "r": 8, "p": 1}
PASSWORDS = {"fran": "facilitate-2026", "eli": "board-room-2026"}
SECRETS = """
[passwords]
scrypt_n = 16384  # the quick hashes below (FAST): the default cost is 2^17

[accounts.fran]
password_hash = "{fran}"
roles = ["facilitator"]

[accounts.eli]
password_hash = "{eli}"
roles = ["executive"]
"""


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    from lib.intake.sample import generate, write_dataset

    ds = generate(people=40, seed=11)
    path = write_dataset(ds, tmp_path_factory.mktemp("org") / "acme-2026.xlsx")
    return path, [str(n) for n in ds.people["name"] if " " in str(n)]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'workspaces.db'}"


@pytest.fixture(scope="module")
def roles_server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[Server]:
    reason = browser_unavailable()
    if reason:
        pytest.skip(reason)
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(SECRETS.format(**{n: auth.hash_password(p, **FAST) for n, p in PASSWORDS.items()}))
    srv = Server(env={"SLD_DATABASE_URL": database}, secrets=secrets)
    yield srv
    srv.stop()


def _settle(page: Any) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    page.wait_for_timeout(400)


def _new_page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def _sign_in(page: Any, url: str, name: str) -> None:
    page.goto(url)
    _settle(page)
    page.get_by_role("heading", name=re.compile("Sign in")).first.wait_for()
    page.get_by_label("Account").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("stSidebarNav").wait_for()
    _settle(page)


def _nav(page: Any, label: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
    _settle(page)


def _choose(page: Any, select_label: str, option: str) -> None:
    """Pick ``option`` in a selectbox. Under load the page may rerun while the list is open: a click
    then lands on a closed list, or the option is redrawn (detached) under the pointer. So each step
    has a short timeout and the whole pick is tried up to four times; a box already showing
    ``option`` is left as it is (the first choice of a selectbox is selected on its own)."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=select_label).first
    choice = page.get_by_role("option", name=option, exact=True)
    for attempt in range(4):
        _settle(page)
        if _shown(box) == option:
            return
        try:
            box.click(timeout=20_000)
            choice.click(timeout=20_000)
            _settle(page)
        except Exception:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            continue
        if _shown(box) == option:
            return
    raise AssertionError(f"{select_label!r} shows {_shown(box)!r}, not {option!r}, after four tries")


def _shown(box: Any) -> str:
    """What a selectbox shows as chosen: the value of its combobox input."""
    return str(box.get_by_role("combobox").first.input_value()).strip()


def _save_as_workspace(page: Any, path: Path, workspace: str) -> None:
    """On the Data page: upload ``path``, create ``workspace`` and save the upload as its first wave."""
    _nav(page, "Data")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(path)
    )  # the workbook upload comes first; the survey-export and log uploaders follow
    _settle(page)
    page.get_by_text(f"{path.name} loaded").first.wait_for()
    page.get_by_label("New workspace (an organisation or engagement)").fill(workspace)
    page.get_by_role("button", name="Create and open").click()
    _settle(page)
    page.get_by_role("button", name="Save as wave").click()
    _settle(page)
    page.get_by_text("Saved as wave").first.wait_for()


def _everything_shown(page: Any) -> str:
    """The page's text and every frame's HTML (the network map is an iframe)."""
    return page.inner_text("body") + "\n".join(f.content() for f in page.frames[1:])


def test_facilitator_then_executive_open_the_same_workspace(
    roles_server: Server, browser: Any, org: tuple[Path, list[str]]
) -> None:
    path, names = org
    SHOTS.mkdir(parents=True, exist_ok=True)

    # --- the facilitator: upload, keep it in a workspace, see names ---
    fac = _new_page(browser)
    _sign_in(fac, roles_server.url, "fran")
    assert "Signed in: fran (facilitator)" in fac.inner_text('[data-testid="stSidebar"]')
    _save_as_workspace(fac, path, "Acme")
    fac.screenshot(path=str(SHOTS / "roles-facilitator-data.png"), full_page=True)
    assert "workspace Acme (1 wave)" in fac.inner_text('[data-testid="stSidebar"]')
    # a new workspace opens in the aggregate view (its default setting); the facilitator may switch
    fac.get_by_test_id("stSidebar").get_by_text("Named (facilitator)").click()
    _settle(fac)
    _nav(fac, "Network")
    fac.get_by_role("heading", name=re.compile("Network")).first.wait_for()
    fac.wait_for_timeout(1500)  # the map's iframe
    assert sum(n in _everything_shown(fac) for n in names) >= 10, "the named view shows names"
    fac.get_by_role("tab", name="People", exact=True).click()
    _settle(fac)
    fac.screenshot(path=str(SHOTS / "roles-facilitator-network.png"), full_page=True)
    fac.context.close()

    # --- the executive, another browser context: the same workspace, no names ---
    exe = _new_page(browser)
    _sign_in(exe, roles_server.url, "eli")
    sidebar = exe.inner_text('[data-testid="stSidebar"]')
    assert "Signed in: eli (executive)" in sidebar and "Data" not in sidebar.split("\n")[:8]
    _choose(exe, "Workspace", "Acme")
    assert "workspace Acme (1 wave)" in exe.inner_text('[data-testid="stSidebar"]')
    _nav(exe, "Network")
    exe.get_by_role("heading", name=re.compile("Network")).first.wait_for()
    exe.wait_for_timeout(1500)
    exe.get_by_text("Aggregate view: the map shows groups only").first.wait_for()
    shown = _everything_shown(exe)
    assert [n for n in names if n in shown] == []
    assert exe.get_by_text("Named (facilitator)").count() == 0  # no view switch
    exe.get_by_role("tab", name="People", exact=True).click()
    _settle(exe)
    exe.get_by_text("The people table is hidden in the aggregate view.").wait_for()
    assert [n for n in names if n in _everything_shown(exe)] == []
    exe.screenshot(path=str(SHOTS / "roles-executive-network.png"), full_page=True)
    # The Data page is not routed for an executive: its URL falls back to the default page.
    exe.goto(f"{roles_server.url}/data")
    _settle(exe)
    assert exe.get_by_role("heading", name=re.compile("^📂 Data")).count() == 0
    assert exe.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    exe.context.close()


def test_a_page_url_without_signing_in_shows_only_the_sign_in_page(
    roles_server: Server, browser: Any
) -> None:
    page = _new_page(browser)
    page.goto(f"{roles_server.url}/network")
    _settle(page)
    page.get_by_role("heading", name=re.compile("Sign in")).first.wait_for()
    page.get_by_text("Page not found").wait_for()  # Streamlit's own notice: /network is not routed
    page.screenshot(path=str(SHOTS / "roles-signed-out-deep-link.png"))
    assert page.get_by_role("heading", name=re.compile("Network")).count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    page.keyboard.press("Escape")
    page.get_by_text("Page not found").wait_for(state="hidden")
    page.get_by_label("Account").fill("eli")
    page.get_by_label("Password", exact=True).fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    _settle(page)
    page.get_by_text("Wrong account name or password.").wait_for()
    page.screenshot(path=str(SHOTS / "roles-signin.png"), full_page=True)
    page.context.close()


def test_a_participant_typing_a_page_url_gets_the_pulse_page(
    roles_server: Server, browser: Any, database: str, org: tuple[Path, list[str]]
) -> None:
    from lib.app import pulse_link
    from lib.intake.loader import load_path
    from lib.store import pulse
    from lib.store import workspaces as ws

    engine = ws.open_database(database)
    ws.import_dataset(engine, "Pulse org", load_path(org[0]), "2026")
    token = pulse.open_session(engine, "Pulse org", title="Roles test").token
    engine.dispose()
    page = _new_page(browser)
    page.goto(f"{roles_server.url}/network?{pulse_link.JOIN_PARAM}={token}")
    _settle(page)
    page.get_by_role("heading", name=re.compile("Pulse")).first.wait_for()
    assert page.get_by_role("heading", name=re.compile("Network")).count() == 0
    assert page.get_by_text("Most know-how travels through informal networks").count() == 0
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.count() == 0 or nav.get_by_text("Network", exact=True).count() == 0
    page.screenshot(path=str(SHOTS / "roles-participant.png"), full_page=True)
    page.context.close()


def test_an_executive_subtracting_two_downloads_isolates_no_one(
    roles_server: Server, browser: Any, tmp_path: Path
) -> None:
    """Issue 12's attack, as an executive would make it: on Trust & wirearchy, download the group
    scores by department, then by team, and subtract the teams shown inside each department from
    it. What is left must be nobody or at least the minimum group size (5) of respondents."""
    import pandas as pd

    from lib.intake import loader

    sample = Path(__file__).resolve().parents[1] / "sample_data" / "sample_org.xlsx"
    fac = _new_page(browser)
    _sign_in(fac, roles_server.url, "fran")
    _save_as_workspace(fac, sample, "Northwind")
    fac.context.close()

    exe = _new_page(browser)
    _sign_in(exe, roles_server.url, "eli")
    _choose(exe, "Workspace", "Northwind")
    _nav(exe, "Trust & wirearchy")
    tables: dict[str, pd.DataFrame] = {}
    for attribute in ("department", "team"):
        _choose(exe, "Compare groups by", attribute)
        with exe.expect_download() as download:
            exe.get_by_role("button", name="Download group scores").click()
        saved = tmp_path / f"{attribute}.csv"
        download.value.save_as(saved)
        tables[attribute] = pd.read_csv(saved)
    exe.screenshot(path=str(SHOTS / "roles-executive-trust-groups.png"), full_page=True)
    exe.context.close()

    people = loader.load_path(sample).people
    department_of = dict(zip(people["team"].astype(str), people["department"].astype(str), strict=False))
    teams = tables["team"].assign(department=tables["team"]["group"].astype(str).map(department_of))
    checked = 0
    for row in tables["department"].itertuples(index=False):
        inside = teams[(teams["department"] == row.group) & (teams["dimension"] == row.dimension)]
        residual = int(row.respondents) - int(inside["respondents"].sum())
        assert residual == 0 or residual >= 5, (row.group, row.dimension, residual)
        checked += len(inside) > 0
    assert checked >= 10, "departments and the teams inside them are both shown, so the check bites"
