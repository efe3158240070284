"""Shared fixtures and helpers: isolated Streamlit caches, a running server + headless Chromium for
browser tests (``new_page``, ``settle``, ``external``, ``SHOTS``), and ``open_page`` for AppTest page tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from streamlit.testing.v1 import AppTest

from lib.core.dataset import Dataset

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> Iterator[None]:
    """Streamlit caches are process-global, even in tests: start every test from a clean slate."""
    yield
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()
    if "lib.app.ui" in sys.modules:
        sys.modules["lib.app.ui"].forget_sample()


def _free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


class Server:
    """A real ``streamlit run app.py`` on a free port (started as ``./dev.sh app`` starts it, through
    :mod:`lib.app.serve`), bound to loopback unless told otherwise.

    ``env``: extra environment variables (e.g. ``SLD_DATABASE_URL`` for a temporary database);
    ``secrets``: a secrets.toml to use instead of ``.streamlit/secrets.toml`` (sign-in tests);
    ``address``: the address to bind (``"0.0.0.0"``: every interface, reachable from the network as
    in a workshop room). ``url`` is always the loopback one.
    """

    def __init__(
        self, env: dict[str, str] | None = None, secrets: Path | None = None, address: str = "127.0.0.1"
    ) -> None:
        self.port = _free_port(address)
        self.url = f"http://127.0.0.1:{self.port}"
        log = OUTPUT / f"server-{self.port}.log"
        OUTPUT.mkdir(exist_ok=True)
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lib.app.serve",  # what ./dev.sh app runs: preloads, then `streamlit run app.py`
                "--server.port",
                str(self.port),
                "--server.address",
                address,
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                *(["--secrets.files", str(secrets)] if secrets else []),
            ],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start; see {log}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def browser_unavailable() -> str | None:
    """Why browser tests cannot run here, or None. In CI a missing browser is a failure, not a skip."""
    if CHROMIUM.exists() and shutil.which("chromium"):
        return None
    reason = (
        "Debian chromium is not installed (/usr/bin/chromium); ./dev.sh test installs it when run as root"
    )
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    return reason


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    reason = browser_unavailable()
    if reason:
        pytest.skip(reason)
    srv = Server()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = browser_unavailable()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# --- shared by the browser tests ------------------------------------------------------------------

SHOTS = OUTPUT / "screenshots"

# nav label → (url path, a heading the page shows); the pages the browser and accessibility tests open
PAGES = {
    "Overview": ("overview", "How this organisation learns"),
    "Network": ("network", "Network"),
    "Learning": ("learning", "Learning"),
    "Trust & wirearchy": ("trust", "Trust"),
    "Skills": ("skills", "Skills"),
    "Data": ("data", "Data"),
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


def new_page(browser: Any, requests: list[str]) -> Any:
    """A fresh browser context and page that records every request it makes into ``requests``."""
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.set_default_timeout(60_000)
    return page


def settle(page: Any) -> None:
    """Wait until Streamlit has finished running the script (the status widget disappears)."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_selector('[data-testid="stSidebarNav"]')
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    # a session's first look at the Overview sends the numbers, then the page (lib.app.ui.first_look)
    from lib.app.overview_view import FIRST_LOOK_NOTE

    page.wait_for_function(
        f"() => !document.querySelector('[data-testid=\"stMain\"]')?.innerText.includes({FIRST_LOOK_NOTE!r})"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=120_000,
    )
    page.wait_for_timeout(300)


def external(requests: list[str]) -> list[str]:
    """The requested URLs that would leave this machine (anything but loopback, data: and blob:)."""
    out = []
    for url in requests:
        parsed = urlparse(url)
        if parsed.scheme in {"data", "blob", "about", "chrome-extension"}:
            continue
        if (parsed.hostname or "") not in LOCAL_HOSTS:
            out.append(url)
    return out


# --- shared by the page tests (AppTest) -----------------------------------------------------------


def open_page(page: str, ds: Dataset | None = None, **state: Any) -> AppTest:
    """The app with ``ds`` loaded and ``state`` seeded in the session, switched to ``page``
    (a file path such as ``app_pages/trust.py``); fails on any exception the page raised."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if ds is not None:
        at.session_state["dataset"] = ds
        at.session_state["dataset_key"] = f"test-{id(ds)}"
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
