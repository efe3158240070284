"""Participants answering the pulse in real browser sessions (async Playwright, one Chromium, one
browser context per participant), for tests/test_browser_workshop.py and benchmarks/bench_pulse.py.

Each participant opens the join link in its own context (its own Streamlit session and cookie jar),
fills the form as a person would (typing hours, picking an adviser, clicking the trust answers) and
presses "Send my answer"; the submit latency is from that click to the confirmation on screen. The
participant's device token is read from the cookie the page stored in its context.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lib.app.pulse_link import DEVICE_COOKIE_PREFIX
from lib.core.schema import LEARNING_TYPES
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, OUTPUT

SHOTS = OUTPUT / "screenshots"
#: Participants opening the link and filling the form at the same time.
ARRIVING = 8


@dataclass
class Participant:
    """What one participant answers: ``hours`` by learning type, an adviser's name, trust 1–5."""

    hours: dict[str, float]
    adviser: str | None = None
    trust: int = 4
    device: str = ""  # the device token the page stored in the context's cookie, after a submission
    screenshot: str = ""  # a path: the page is saved there after each submission
    latencies: list[float] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # error messages the page showed, then resent
    windows: list[tuple[float, float]] = field(default_factory=list)  # (pressed send, confirmed)
    page: Any = None


async def _settle(page: Any) -> None:
    await page.wait_for_selector('[data-testid="stApp"]')
    await page.wait_for_timeout(300)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )


async def open_form(context: Any, link: str) -> Any:
    page = await context.new_page()
    page.set_default_timeout(120_000)
    await page.goto(link, wait_until="domcontentloaded")
    await page.get_by_role("button", name="Send my answer").wait_for()
    await _settle(page)
    return page


async def _fill(page: Any, who: Participant, again: bool = False) -> None:
    """Fill the form like a person: each typed number, the chosen adviser and each clicked answer
    must show on screen before going on (on a busy machine the page lags behind the clicks).

    ``again``: after a refusal, do what the refusal says: pick another answer to each trust
    statement first, then the intended one (clicking an answer already shown changes nothing)."""
    from playwright.async_api import expect

    for code, hours in who.hours.items():
        box = page.get_by_label(LEARNING_TYPES[code].split(":")[0], exact=True)
        await box.fill(str(hours))
        await box.press("Tab")  # Streamlit takes a number input's value when it loses focus
        await expect(box).to_have_value(f"{float(hours):.2f}")
    picker = page.locator('[data-testid="stMultiSelect"]').first
    if who.adviser and not await picker.get_by_text(who.adviser, exact=True).count():
        await picker.locator("input").click()
        await picker.locator("input").fill(who.adviser)
        await page.get_by_role("option", name=who.adviser, exact=True).first.click()
        await page.keyboard.press("Escape")
        await expect(picker.get_by_text(who.adviser, exact=True)).to_be_visible()
    radios = page.locator('[data-testid="stRadio"]')
    for i in range(await radios.count()):
        if again:
            other = 1 if who.trust != 1 else 2
            detour = radios.nth(i).locator("label").filter(has_text=re.compile(rf"^{other} · "))
            await detour.click()
            await expect(detour.locator("input")).to_be_checked()
        choice = radios.nth(i).locator("label").filter(has_text=re.compile(rf"^{who.trust} · "))
        await choice.click()
        await expect(choice.locator("input")).to_be_checked()


async def fill_and_send(
    page: Any, who: Participant, together: asyncio.Barrier | None = None, filled: bool = False
) -> float:
    """Fill the form with ``who``'s answer, send it, wait for the confirmation; the latency in seconds.

    ``together``: wait there once the form is filled, so every participant presses send at once;
    ``filled``: the form is filled already.
    When the page refuses the answer (it shows an error), the participant does what a person would:
    reads it, fills the form again and resends, up to three times; each refusal is kept in
    ``who.refusals`` with a screenshot beside the output, so a benchmark can report it."""
    want = "earlier answer was replaced" if who.device else "your answer is in"
    attempts = 3
    for attempt in range(1, attempts + 1):
        if attempt > 1 or not filled:
            await _fill(page, who, again=attempt > 1)
        if together is not None and attempt == 1:
            await together.wait()
        start = time.perf_counter()
        await page.get_by_role("button", name="Send my answer").click()
        await page.wait_for_function(
            """(want) => [...document.querySelectorAll('[data-testid="stAlertContentSuccess"]')]
                    .some((e) => e.innerText.includes(want))
                || document.querySelector('[data-testid="stAlertContentError"]')""",
            arg=want,
        )
        end = time.perf_counter()
        errors = page.locator('[data-testid="stAlertContentError"]')
        if not await errors.count():
            break
        message = await errors.first.inner_text()
        who.refusals.append(message)
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"pulse-refused-{id(who)}-{attempt}.png"), full_page=True)
        if attempt == attempts:
            raise AssertionError(f"the pulse refused an answer {attempts} times: {message}")
    tokens = [c["value"] for c in await page.context.cookies() if c["name"].startswith(DEVICE_COOKIE_PREFIX)]
    assert len(tokens) == 1, tokens  # one pulse, one cookie
    who.device = tokens[0]
    if who.screenshot:
        await page.screenshot(path=who.screenshot, full_page=True)
    who.latencies.append(end - start)
    who.windows.append((start, end))
    return end - start


async def _answer(
    browser: Any, link: str, who: Participant, together: asyncio.Barrier, arriving: asyncio.Semaphore
) -> None:
    async with arriving:  # people arrive and fill in a few at a time; they press send together
        context = await browser.new_context(viewport={"width": 420, "height": 1800})  # a phone screen
        who.page = await open_form(context, link)
        await _fill(who.page, who)
    await fill_and_send(who.page, who, together, filled=True)


def _percentiles(latencies: list[float], prefix: str) -> dict[str, float]:
    ordered = sorted(latencies)
    if not ordered:
        return {}
    return {
        f"{prefix}p50_s": statistics.median(ordered),
        f"{prefix}p95_s": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        f"{prefix}max_s": ordered[-1],
    }


def _round(people: list[Participant], prefix: str) -> dict[str, float]:
    """Wall seconds from the first press of send to the last confirmation, and latency percentiles."""
    windows = [who.windows[-1] for who in people]
    wall = max(e for _, e in windows) - min(s for s, _ in windows)
    return {f"{prefix}wall_s": wall, **_percentiles([who.latencies[-1] for who in people], prefix)}


async def run_participants(
    link: str,
    people: list[Participant],
    resubmit: dict[int, dict[str, float]] | None = None,
    between: Callable[[], None] | None = None,
    reopen: bool = False,
) -> dict[str, float]:
    """Every participant opens the link and fills the form (:data:`ARRIVING` at a time: fifty pages
    loading at once in one browser on two cores time out); once all are filled, all press send at
    once. Then ``between()`` runs, and the participants in ``resubmit`` (index → new hours) change
    their hours on the same page and send again, at once; with ``reopen``, they first open the join
    link again in the same browser context (a reload: the device token must come back from the
    cookie, or the page counts a new participant). Returns, per round (``round1_…``,
    ``round2_…``), the wall seconds from the first press to the last confirmation and latency
    percentiles."""
    from playwright.async_api import async_playwright

    figures: dict[str, float] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            together, arriving = asyncio.Barrier(len(people)), asyncio.Semaphore(ARRIVING)
            await asyncio.gather(*(_answer(browser, link, who, together, arriving) for who in people))
            figures.update(_round(people, "round1_"))
            if between is not None:
                between()
            if resubmit:
                again = [people[i] for i in resubmit]
                for i, hours in resubmit.items():
                    people[i].hours = hours
                if reopen:
                    for who in again:
                        await who.page.goto(link, wait_until="domcontentloaded")
                        await who.page.get_by_role("button", name="Send my answer").wait_for()
                        await _settle(who.page)
                together = asyncio.Barrier(len(again))
                await asyncio.gather(*(fill_and_send(who.page, who, together) for who in again))
                figures.update(_round(again, "round2_"))
        finally:
            await browser.close()
    return figures


@dataclass(frozen=True)
class Stored:
    """What the database holds after the participants sent their answers."""

    participants: int  # who sent an answer
    stored: int  # distinct respondents with rows
    lost: int  # participants without rows
    unknown: int  # respondents no participant accounts for
    duplicates: int  # (respondent, item) pairs stored more than once
    wrong_values: int  # participants whose stored hours differ from their last answer
    wave_participants: int  # participants in the pulse wave's tables
    commit_span_s: float  # from the first stored answer to the last (the server's side of a round)


def verify(
    engine: Any, token: str, people: list[Participant], span_of: list[Participant] | None = None
) -> Stored:
    """Compare the database with what each participant last sent (hours by type, one adviser).
    ``commit_span_s`` covers the answers of ``span_of`` (default: everyone)."""
    from collections import Counter

    from sqlalchemy import select

    from lib.analysis import pulse_summary
    from lib.store import pulse
    from lib.store.models import PulseAnswer
    from lib.store.models import PulseSession as SessionRow
    from lib.store.workspaces import load_wave

    session = pulse.get_session(engine, token)
    assert session is not None
    with engine.connect() as conn:
        wave_id = conn.execute(select(SessionRow.wave_id).where(SessionRow.token == token)).scalar_one()
        rows = conn.execute(
            select(
                PulseAnswer.respondent, PulseAnswer.item, PulseAnswer.value, PulseAnswer.answered_at
            ).where(PulseAnswer.wave_id == wave_id)
        ).all()
    timed = {pulse.respondent_of(session, who.device) for who in (span_of or people) if who.device}
    moments = sorted({row.answered_at for row in rows if row.respondent in timed})
    pairs = Counter((r, i) for r, i, _, _ in rows)
    values = {(r, i): float(v) for r, i, v, _ in rows}
    expected = {pulse.respondent_of(session, who.device): who for who in people if who.device}
    assert None not in expected, "a participant's cookie holds a token this pulse did not sign"
    stored = {r for r, _, _, _ in rows}
    wrong = 0
    for key, who in expected.items():
        for code, hours in who.hours.items():
            if values.get((key, f"{pulse_summary.HOURS_PREFIX}{code}")) != float(hours):
                wrong += 1
                break
    pulse.refresh_wave(engine, session.workspace, session.wave)  # as opening it on the other pages does
    wave = load_wave(engine, session.workspace, session.wave)
    return Stored(
        participants=len(people),
        stored=len(stored),
        lost=len(set(expected) - stored) + sum(1 for who in people if not who.device),
        unknown=len(stored - set(expected)),
        duplicates=sum(n - 1 for n in pairs.values() if n > 1),
        wrong_values=wrong,
        wave_participants=int(wave.learning["person_id"].nunique()),
        commit_span_s=(moments[-1] - moments[0]).total_seconds() if moments else 0.0,
    )
