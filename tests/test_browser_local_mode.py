"""Local mode in a real browser: with nothing configured, every dashboard only on this computer.

The server is bound to every address (``0.0.0.0``), as in a workshop room, with no sign-in
configured (an empty secrets file) and a temporary database. Chromium, on this machine, opens it
twice: through the machine's network address, which the server sees as another computer (the peer
address is all it has), and through 127.0.0.1. The first gets the pulse page only, with the reason
and what the operator can do, and no names; the second gets the Overview. A second server started
with ``SLD_LOCAL_MODE=anywhere`` gives the Overview through the network address too. A join link
opened through the network address still gets the pulse form. Screenshots:
``test-output/screenshots/local-mode-*.png``.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from lib.app import auth
from tests.conftest import OUTPUT, Server, browser_unavailable

pytestmark = pytest.mark.browser

SHOTS = OUTPUT / "screenshots"
OVERVIEW = "How this organisation learns"


def lan_address() -> str | None:
    """A non-loopback IPv4 address of this machine, or None when it has none."""
    import psutil

    for addresses in psutil.net_if_addrs().values():
        for a in addresses:
            if a.family == socket.AF_INET and not a.address.startswith(("127.", "169.254.")):
                return str(a.address)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        found = str(s.getsockname()[0])
    return None if found.startswith("127.") else found


@pytest.fixture(scope="module")
def lan() -> str:
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no non-loopback network address to open the app through")
    return address


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'workspaces.db'}"


def _server(tmp_path_factory: pytest.TempPathFactory, database: str, mode: str) -> Server:
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text("# nothing configured\n")
    env = {"SLD_DATABASE_URL": database, auth.LOCAL_MODE_ENV: mode}
    return Server(env=env, secrets=secrets, address="0.0.0.0")


@pytest.fixture(scope="module")
def room_server(tmp_path_factory: pytest.TempPathFactory, database: str, lan: str) -> Iterator[Server]:
    reason = browser_unavailable()
    if reason:
        pytest.skip(reason)
    srv = _server(tmp_path_factory, database, "this-computer")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def sample_names() -> list[str]:
    from lib.app.ui import SAMPLE_PATH
    from lib.intake.loader import load_path

    names = load_path(SAMPLE_PATH).people["name"].dropna().astype(str)
    return [n for n in names if n.isascii() and " " in n]


def _settle(page: Any) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    page.wait_for_timeout(400)
    assert page.locator('[data-testid="stException"]').count() == 0


def _open(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    _settle(page)
    return page


def _nav_labels(page: Any) -> str:
    nav = page.locator('[data-testid="stSidebarNav"]')
    return nav.inner_text() if nav.count() else ""


def _everything_shown(page: Any) -> str:
    return page.inner_text("body") + "\n".join(f.content() for f in page.frames[1:])


def test_another_computer_gets_only_the_pulse_page(
    room_server: Server, browser: Any, lan: str, sample_names: list[str]
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(browser, f"http://{lan}:{room_server.port}/")
    page.get_by_role("heading", name=re.compile("Pulse")).first.wait_for()
    page.get_by_text("You opened this dashboard from another computer").wait_for()
    # the caption under it is its own element: under load it can arrive a moment after the info box
    page.get_by_text(re.compile("Configure sign-in")).wait_for()
    assert f"{auth.LOCAL_MODE_ENV}=anywhere" in page.inner_text("body")
    assert "Configure sign-in" in page.inner_text("body")
    assert "Overview" not in _nav_labels(page)
    assert page.get_by_role("heading", name=re.compile(OVERVIEW)).count() == 0
    assert [n for n in sample_names if n in _everything_shown(page)] == []
    page.screenshot(path=str(SHOTS / "local-mode-other-computer.png"), full_page=True)
    # a dashboard's URL is not routed for this browser either
    page.goto(f"http://{lan}:{room_server.port}/overview")
    _settle(page)
    page.get_by_role("heading", name=re.compile("Pulse")).first.wait_for()
    assert page.get_by_role("heading", name=re.compile(OVERVIEW)).count() == 0
    assert [n for n in sample_names if n in _everything_shown(page)] == []
    page.context.close()


def test_this_computer_gets_the_overview(room_server: Server, browser: Any) -> None:
    page = _open(browser, room_server.url)  # http://127.0.0.1:<port>
    page.get_by_role("heading", name=re.compile(OVERVIEW)).first.wait_for()
    assert "Overview" in _nav_labels(page) and "Data" in _nav_labels(page)
    page.screenshot(path=str(SHOTS / "local-mode-this-computer.png"))
    page.context.close()


def test_a_join_link_from_another_computer_opens_the_pulse_form(
    room_server: Server, browser: Any, lan: str, database: str
) -> None:
    from lib.app import pulse_link
    from lib.store import pulse
    from lib.store import workspaces as ws

    engine = ws.open_database(database)
    ws.create_workspace(engine, "Room")
    token = pulse.open_session(engine, "Room", title="From the room").token
    engine.dispose()
    page = _open(browser, f"http://{lan}:{room_server.port}/?{pulse_link.JOIN_PARAM}={token}")
    page.get_by_role("button", name="Send my answer").wait_for()
    assert page.get_by_text("You opened this dashboard from another computer").count() == 0
    assert "Overview" not in _nav_labels(page)
    page.context.close()


def test_local_mode_anywhere_gives_every_browser_the_overview(
    tmp_path_factory: pytest.TempPathFactory, database: str, lan: str, browser: Any
) -> None:
    srv = _server(tmp_path_factory, database, "anywhere")
    try:
        page = _open(browser, f"http://{lan}:{srv.port}/")
        page.get_by_role("heading", name=re.compile(OVERVIEW)).first.wait_for()
        assert "Overview" in _nav_labels(page)
        assert page.get_by_text("You opened this dashboard from another computer").count() == 0
        page.screenshot(path=str(SHOTS / "local-mode-anywhere.png"))
        page.context.close()
    finally:
        srv.stop()


def test_the_network_address_is_not_loopback(lan: str) -> None:
    # the premise of this file: the server sees this address as another computer's
    assert auth.local_user(lan) == auth.REMOTE_VISITOR
