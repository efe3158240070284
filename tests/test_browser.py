"""Real-browser tests: headless Chromium (Debian) through Playwright against a running server.

What only a browser shows: every page renders after clicking through the navigation, a deep link
works as the very first request to a fresh server, an upload loads (and a bad one leaves the old
data in place), and no request leaves the machine. A screenshot of every page is saved under
``test-output/screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PAGES, SHOTS, Server, external, new_page, settle

pytestmark = pytest.mark.browser


def test_every_page_renders_from_the_navigation(server: Server, browser: Any) -> None:
    requests: list[str] = []
    page = new_page(browser, requests)
    page.goto(server.url)
    settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (path, heading) in PAGES.items():
        page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
        page.wait_for_url(re.compile(rf"/{path}$|/$"))
        settle(page)
        page.get_by_role("heading", name=re.compile(heading)).first.wait_for()
        assert page.locator('[data-testid="stException"]').count() == 0, f"{label} shows an exception"
        page.screenshot(path=str(SHOTS / f"{path}.png"), full_page=True)
    assert external(requests) == [], "requests left the machine"
    page.context.close()


def test_deep_link_is_the_first_request_to_a_fresh_server(browser: Any) -> None:
    fresh = Server()
    try:
        requests: list[str] = []
        page = new_page(browser, requests)
        page.goto(f"{fresh.url}/network")
        settle(page)
        nav = page.get_by_test_id("stSidebarNav")
        # The navigation shows the titles from app.py, not raw file names (the pages/ trap).
        nav.get_by_text("Overview", exact=True).wait_for()
        for label in PAGES:
            assert nav.get_by_text(label, exact=True).count() == 1, f"nav lacks {label!r}"
        assert nav.get_by_text("network", exact=True).count() == 0
        page.get_by_role("heading", name=re.compile("Network")).first.wait_for()
        assert page.locator('[data-testid="stException"]').count() == 0
        assert external(requests) == []
        page.context.close()
    finally:
        fresh.stop()


def test_a_first_look_shows_the_numbers_then_the_whole_overview_by_itself(
    server: Server, browser: Any
) -> None:
    # A new session's first screen: the number tiles and a line saying the charts and findings follow
    # (what the first look holds exactly: tests/test_prefetch.py); then, with no click, the browser
    # comes back for the whole page (lib.app.ui.come_back): the tiles with their sparklines, the
    # pictures and the findings, the line gone.
    from lib.app.overview_view import FIRST_LOOK_NOTE

    page = new_page(browser, [])
    page.goto(server.url)
    main = page.get_by_test_id("stMain")
    main.get_by_text(FIRST_LOOK_NOTE).wait_for()
    page.get_by_role("heading", name="Findings").wait_for()
    settle(page)
    assert main.get_by_text(FIRST_LOOK_NOTE).count() == 0
    assert page.locator('[data-testid="stMetricValue"]').count() == 7
    assert (
        page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]').count() > 7
    )  # sparklines too
    assert page.locator('[data-testid="stException"]').count() == 0
    page.context.close()


def _upload(page: Any, path: Path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(path)
    )  # the workbook upload comes first; the survey-export and log uploaders follow
    settle(page)


def test_upload_loads_and_a_bad_upload_keeps_the_data(server: Server, browser: Any, tmp_path: Path) -> None:
    from lib.intake.sample import generate, write_dataset

    good = write_dataset(generate(people=60, seed=3), tmp_path / "small-org.xlsx")
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(good.read_bytes()[:2000])  # truncated workbook

    requests: list[str] = []
    page = new_page(browser, requests)
    page.goto(server.url)
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
    settle(page)
    _upload(page, good)
    page.get_by_text("small-org.xlsx loaded").wait_for()
    page.get_by_text("60 people").first.wait_for()  # sidebar caption

    # A broken file: an error naming it, and the 60-person dataset stays loaded.
    page.get_by_test_id("stFileChipDeleteBtn").first.click()
    settle(page)
    _upload(page, bad)
    page.get_by_text("broken.xlsx was not loaded").wait_for()
    assert page.get_by_text("60 people").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "data-bad-upload.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert external(requests) == []
    page.context.close()


def _open_with(
    browser: Any, server: Server, requests: list[str], path: Path, loaded: str, watch_load: bool = False
) -> Any:
    """A fresh page with the organisation at ``path`` uploaded on the Data page (``loaded``: the
    text that says it is in), long timeouts for company-scale work. ``watch_load``: also assert
    that the load's status box names a step while it runs and is gone once the data is in."""
    page = new_page(browser, requests)
    page.set_default_timeout(180_000)
    page.goto(server.url)
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
    settle(page)
    _upload(page, path)
    if watch_load:
        status = page.get_by_text(re.compile(r"Loading the upload: .+…"))
        status.first.wait_for(state="visible")  # seconds for a large organisation: never a blank wait
    page.get_by_text(loaded).first.wait_for()
    if watch_load:
        status.first.wait_for(state="hidden")
    return page


def test_a_20000_person_organisation_opens_on_the_group_map(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    """Company scale: the Network page opens on the aggregated map of groups and stays usable."""
    import time

    from lib.intake.sample import generate, write_dataset

    big = write_dataset(generate(people=20_000, seed=5, waves=1), tmp_path / "org20k.zip")
    requests: list[str] = []
    page = _open_with(browser, server, requests, big, "20,000 people")
    started = time.monotonic()
    page.get_by_test_id("stSidebarNav").get_by_text("Network", exact=True).click()
    settle(page)
    frame = page.frame_locator("iframe").first
    frame.locator("canvas").first.wait_for()
    seconds = time.monotonic() - started
    assert page.get_by_text("Groups").count() >= 1
    page.get_by_text("Density").first.wait_for()  # the organisation's measures, under the map
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    # The person map would be 20,000 dots; the page must have chosen the group map.
    html = page.locator("iframe").first.get_attribute("srcdoc") or ""
    assert html.count('"id"') < 2_000
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "network-20k.png"), full_page=True)
    print(f"20k organisation: Network page drawn {seconds:.1f} s after the click")
    assert external(requests) == []
    page.context.close()


def test_a_large_overview_says_what_it_is_computing(server: Server, browser: Any, tmp_path: Path) -> None:
    """While an uploaded 10,000-person organisation loads, a status box names the load's step;
    while its Overview computes (seconds, whether on
    the page or already on the background thread since the upload), a status box names the step,
    the tiles appear while it is still computing (what is ready is shown at once), and the box goes
    away. (Whether a "…" tile is still showing when the first arrives depends on how far the
    background thread got since the upload: not asserted.)"""
    from lib.intake.sample import generate, write_dataset

    # two waves: after the tiles the page computes the wave before and the comparison (seconds),
    # however far the background thread got since the upload
    org = write_dataset(generate(people=10_000, seed=11, waves=2), tmp_path / "org10k.zip")
    requests: list[str] = []
    page = _open_with(browser, server, requests, org, "10,000 people", watch_load=True)
    page.get_by_test_id("stSidebarNav").get_by_text("Overview", exact=True).click()
    status = page.get_by_text(re.compile(r"Computing the overview: .+…"))
    status.first.wait_for(state="visible")
    page.get_by_test_id("stMetricValue").get_by_text("10,000").wait_for()  # the first tile
    assert status.first.is_visible()  # shown while the rest is still being computed
    status.first.wait_for(state="hidden")  # gone when done
    settle(page)
    page.get_by_role("heading", name="Findings").wait_for()
    assert page.get_by_test_id("stMetricValue").get_by_text("…", exact=True).count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert external(requests) == []
    page.context.close()
