"""Accessibility: axe-core's WCAG 2 A and AA rules, run in headless Chromium on every page of the
sample organisation (and inside the network map's frame), find nothing.

axe-core is vendored (``tests/vendor/axe-core``, MPL-2.0) and injected from that file: nothing is
fetched at run time. A failure lists each violated rule with the elements it found, so the message
says what to fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PAGES, SHOTS, Server, external, new_page, settle

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: The rule sets axe tags as WCAG 2.0 / 2.1 / 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on ``page`` (every frame injected), WCAG 2 A and AA rules only, that
    two scans in a row agree on.

    A violation a reader meets stays put; Streamlit re-renders parts of a page for a moment after
    it settles (an expander's label was once seen empty in one scan of three), so a node flagged
    by one scan only is a passing state of the DOM, not a finding.
    """
    first = _scan(page)
    if not first:
        return []
    second = {(v["id"], n["target"]) for v in _scan(page) for n in v["nodes"]}
    kept = []
    for v in first:
        nodes = [n for n in v["nodes"] if (v["id"], n["target"]) in second]
        if nodes:
            kept.append({**v, "nodes": nodes})
    return kept


def _scan(page: Any) -> list[dict[str, Any]]:
    source = AXE.read_text(encoding="utf-8")
    for frame in page.frames:
        if not frame.evaluate("typeof axe !== 'undefined'"):
            frame.add_script_tag(content=source)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary, html: n.html.slice(0, 160)})),
            }));
        }""",
        WCAG_TAGS,
    )
    return list(result)


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations as lines a person can act on: rule, element, why."""
    lines = []
    for v in violations:
        for n in v["nodes"]:
            why = " ".join(str(n["summary"]).split())
            lines.append(f"{v['id']} ({v['impact']}): {n['target']} — {why} — {n['html']}")
    return "\n".join(lines)


@pytest.mark.parametrize("view", ["named", "aggregate"])
def test_every_page_passes_axe(server: Server, browser: Any, view: str) -> None:
    requests: list[str] = []
    page = new_page(browser, requests)
    page.goto(server.url)
    settle(page)
    if view == "aggregate":
        page.get_by_test_id("stSidebar").get_by_text("Aggregate (executive)").click()
        settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, str] = {}
    for label, (path, heading) in PAGES.items():
        page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
        page.wait_for_url(re.compile(rf"/{path}$|/$"))
        settle(page)
        page.get_by_role("heading", name=re.compile(heading)).first.wait_for()
        page.wait_for_timeout(1500)  # charts and the map's frame finish drawing
        violations = axe_violations(page)
        if violations:
            found[label] = describe(violations)
            page.screenshot(path=str(SHOTS / f"axe-{view}-{path}.png"), full_page=True)
    assert external(requests) == [], "requests left the machine"
    page.context.close()
    assert not found, "\n\n".join(f"{label}:\n{text}" for label, text in found.items())
