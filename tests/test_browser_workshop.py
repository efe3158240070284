"""A workshop end to end in a real browser, and the live pulse under a small load.

Against a real ``streamlit run app.py`` on a temporary SQLite database (its own server: the
database is chosen when the server starts). Participants answer in their own browser contexts,
each its own Streamlit session (tests/pulse_driver.py, async Playwright in a worker thread, beside
the sync ``browser`` fixture). Screenshots go to ``test-output/screenshots/e2e-*.png``.

The full load test (fifty participants at once) is ``benchmarks/bench_pulse.py``; here five.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from lib.app import pulse_link
from lib.intake.sample import generate
from lib.store import pulse
from lib.store import workspaces as ws
from tests.conftest import OUTPUT, Server, browser_unavailable
from tests.pulse_driver import Participant, run_participants, verify

pytestmark = pytest.mark.browser

SHOTS = OUTPUT / "screenshots"
WORKSPACE = "Acme workshop"
ACTION = "Pair each new starter with an advice buddy outside their department"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Engine]]:
    reason = browser_unavailable()
    if reason:
        pytest.skip(reason)
    url = f"sqlite:///{tmp_path_factory.mktemp('workshop') / 'workspaces.db'}"
    engine = ws.open_database(url)
    ws.import_dataset(engine, WORKSPACE, generate(people=120, seed=5), "2026-Q1")  # five departments
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SLD_DATABASE_URL", url)  # the server process inherits it
        mp.setenv(pulse_link.ENV_PUBLIC_URL, "http://pulse.invalid")  # replaced on the page, below
        server = Server()
    yield server, engine
    server.stop()
    engine.dispose()


def participants_answer(link: str, people: list[Participant], **kw: Any) -> dict[str, float]:
    """The async participants in a thread of their own, so they never meet the sync API's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run_participants(link, people, **kw)).result()


def _settle(page: Any) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    page.wait_for_timeout(300)
    assert page.locator('[data-testid="stException"]').count() == 0


def _nav(page: Any, label: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
    _settle(page)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"e2e-{name}.png"), full_page=True)


def _metric(page: Any, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return str(box.get_by_test_id("stMetricValue").inner_text()).strip()


def test_five_participants_at_once_lose_nothing_and_double_nothing(
    site: tuple[Server, Engine],
) -> None:
    server, engine = site
    session = pulse.open_session(engine, WORKSPACE, title="Load check")
    names = [n for _, n in session.roster]
    people = [
        Participant(hours={"IOL": float(i + 1), "FSL": 2.0}, adviser=names[i], trust=1 + i) for i in range(5)
    ]
    checks = []
    participants_answer(
        pulse_link.join_url(server.url, session.token),
        people,
        resubmit={0: {"IOL": 50.0, "FSL": 0.0}, 3: {"IOL": 60.0, "FSL": 1.5}},
        between=lambda: checks.append(verify(engine, session.token, people)),
        reopen=True,  # the two reopen the join link first: their cookie keeps them the same participant
    )
    checks.append(verify(engine, session.token, people))
    for stored in checks:  # after the first round, and after two changed their answers
        assert (stored.stored, stored.lost, stored.unknown, stored.duplicates) == (5, 0, 0, 0)
        assert stored.wrong_values == 0 and stored.wave_participants == 5
    wave = ws.load_wave(engine, WORKSPACE, session.wave)
    iol = sorted(wave.learning.query("learning_type == 'IOL'")["hours"])
    assert iol == [2.0, 3.0, 5.0, 50.0, 60.0]
    assert sorted(wave.trust.groupby("person_id")["value"].first()) == [1.0, 2.0, 3.0, 4.0, 5.0]
    pulse.close_session(engine, session.token)


def test_a_workshop_end_to_end(site: tuple[Server, Engine], browser: Any, tmp_path: Path) -> None:
    server, engine = site
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    # The facilitator opens the workspace and a pulse, with the address the room can reach.
    page.goto(server.url)
    _settle(page)
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name=WORKSPACE).click()
    _settle(page)
    _nav(page, "Live pulse")
    address = page.get_by_role("textbox", name="Address participants open")
    address.fill(server.url)
    address.press("Enter")
    _settle(page)
    page.get_by_role("textbox", name="Title (participants see it)").fill("Leadership offsite")
    page.get_by_role("button", name="Open a pulse session").click()
    _settle(page)
    link = page.get_by_test_id("stCode").first.inner_text().strip()
    assert re.fullmatch(re.escape(server.url) + r"/\?join=[\w-]{32,}", link), link
    page.wait_for_function(  # the QR code, drawn on the server, has loaded
        """() => { const img = document.querySelector('[data-testid="stImage"] img');
            return img && img.complete && img.naturalWidth > 200; }"""
    )
    assert _metric(page, "Answers so far") == "0"
    _shot(page, "1-pulse-open")

    # Three participants answer from their own browser contexts (phones).
    session = pulse.get_session(engine, link.split("join=")[1])
    assert session is not None and session.title == "Leadership offsite"
    names = [n for _, n in session.roster]
    people = [
        Participant(
            hours={"IOL": 6.0 + i, "PDL": 3.0, "FSL": 1.0},
            adviser=names[i * 3],
            trust=3 + i,
            screenshot=str(SHOTS / f"e2e-2-participant-{i + 1}.png"),
        )
        for i in range(3)
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    participants_answer(link, people)

    # The live view counts them without a reload (its fragment re-reads every two seconds).
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some((m) =>
            m.innerText.includes('Answers so far') && m.querySelector('[data-testid="stMetricValue"]')
                .innerText.trim() === '3')""",
        timeout=60_000,
    )
    assert _metric(page, "Advice ties named") == "0"  # who named whom waits for a batch, as averages do
    page.get_by_text("Averages appear once 5 people have answered").wait_for()  # three: no averages
    _shot(page, "3-live-three-answers")
    stored = verify(engine, session.token, people)
    assert (stored.stored, stored.lost, stored.duplicates) == (3, 0, 0)

    # Close the pulse: the wave is frozen, a late answer is refused.
    page.get_by_role("button", name="Close the pulse and freeze the wave").click()
    _settle(page)
    page.get_by_text("is frozen").wait_for()
    with pytest.raises(pulse.PulseError, match="closed"):
        pulse.submit(engine, session.token, people[0].device, pulse.Response(hours={"IOL": 99.0}))

    # What if Finance left, and Sales and Operations started asking each other for advice?
    _nav(page, "What if")
    page.get_by_test_id("stMultiSelect").first.click()
    page.get_by_role("option", name=re.compile(r"^Finance \(")).click()
    page.keyboard.press("Escape")
    for label, group in (("Group A", "Sales"), ("Group B", "Operations")):
        page.get_by_test_id("stSelectbox").filter(has_text=label).click()
        page.get_by_role("option", name=group, exact=True).click()
    page.get_by_role("button", name="Show before and after").click()
    _settle(page)
    page.get_by_text("Everyone in department Finance leaves").wait_for()
    page.get_by_role("heading", name="After", exact=True).wait_for()
    page.get_by_role("heading", name="Before", exact=True).wait_for()
    page.wait_for_timeout(3000)  # let the two maps draw for the screenshot
    _shot(page, "4-what-if")

    # The room agrees an action; it lands in the workspace and in the deck.
    _nav(page, "Actions")
    page.get_by_role("textbox", name="Action", exact=True).fill(ACTION)
    page.get_by_role("textbox", name="Owner (a role or team)").fill("L&D team")
    page.get_by_role("button", name="Add action").click()
    _settle(page)
    page.get_by_text(ACTION).first.wait_for()
    _shot(page, "5-actions")
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name=re.compile("Workshop deck with the agreed actions")).click()
    deck = tmp_path / "deck.pptx"
    download.value.save_as(deck)

    from pptx import Presentation

    texts = []
    for slide in Presentation(io.BytesIO(deck.read_bytes())).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    text = "\n".join(texts)
    assert ACTION in text
    # the room's pulse: three answers, under the minimum group size, so its averages are withheld
    assert "The room's pulse" in text and "3 participants answered the pulse" in text
    assert "Averages are withheld: fewer than 5 people answered" in text
    local = {"127.0.0.1", "localhost"}
    assert [
        u for u in requests if u.startswith("http") and re.sub(r"^https?://([^/:]+).*", r"\1", u) not in local
    ] == []
    context.close()
