"""Real browser (issue 15): a Google Forms export and a roster uploaded through the Data page's
survey section load, and the Overview opens on the survey's dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import survey_fixtures as F
from tests.conftest import SHOTS, Server, external, new_page, settle

pytestmark = pytest.mark.browser


def test_google_forms_export_and_roster_reach_the_overview(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    export, roster = tmp_path / "responses.csv", tmp_path / "roster.csv"
    export.write_bytes(F.google_forms())
    roster.write_bytes(F.roster_csv())
    requests: list[str] = []
    page = new_page(browser, requests)
    page.goto(server.url)
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
    settle(page)
    page.get_by_text("Survey tool export", exact=False).first.click()  # open the expander
    settle(page)
    inputs = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    inputs.nth(1).set_input_files(str(export))
    settle(page)
    inputs.nth(2).set_input_files(str(roster))
    settle(page)
    page.get_by_text("Recognised: Google Forms").wait_for()
    page.get_by_text("Every answer is matched").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "survey-data.png"), full_page=True)
    page.get_by_role("button", name=f"Load ({len(F.expected_ties())} ties)").click()
    settle(page)
    page.get_by_text("responses.csv (Google Forms) loaded").wait_for()
    page.get_by_text("8 people").first.wait_for()  # the sidebar caption: the roster's people
    page.get_by_test_id("stSidebarNav").get_by_text("Overview", exact=True).click()
    settle(page)
    page.get_by_role("heading", name="How this organisation learns").first.wait_for()
    page.get_by_role("heading", name="Findings").first.wait_for()  # the measures were computed
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SHOTS / "survey-overview.png"), full_page=True)
    assert external(requests) == []
    page.context.close()
