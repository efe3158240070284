"""What only a browser shows about the network map: hostile names stay text, nothing is fetched from
the internet, and the layout stops moving.

The map HTML from :func:`lib.report.map_html.render_html` is opened straight from a file in headless
Chromium (the ``browser`` fixture of conftest.py; skipped with a reason when /usr/bin/chromium is
missing, failing in CI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lib.analysis import netmap
from lib.core.dataset import Dataset
from lib.report import map_html

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
# "href" in a title makes pyvis's own generate_html() switch to an innerHTML popup
HOSTILE_HREF = '<a href="javascript:alert(2)"><img src=y onerror=alert(3)>x</a>'


def _dataset(n: int = 8) -> Dataset:
    ids = [f"p{i}" for i in range(n)]
    names = [HOSTILE, HOSTILE_HREF] + [f"Person {i}" for i in range(2, n)]
    people = pd.DataFrame(
        {"person_id": ids, "name": names, "team": [HOSTILE if i % 2 else "B" for i in range(n)]}
    )
    src = [ids[i] for i in range(n) for j in (1, 2)]
    dst = [ids[(i + j) % n] for i in range(n) for j in (1, 2)]
    ties = pd.DataFrame({"source_id": src, "target_id": dst, "relation": "advice", "weight": 1.0, "wave": ""})
    return Dataset(people=people, ties=ties)


def _open(browser: Any, html: str, tmp_path: Path) -> tuple[Any, list[str], list[str]]:
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function("() => typeof network !== 'undefined' && network !== null")
    return page, dialogs, requests


def _hover(page: Any, node_id: str) -> str:
    """Move the mouse onto a node and return the tooltip's visible text."""
    page.mouse.move(5, 5)
    page.wait_for_timeout(300)
    box = page.locator("#mynetwork").bounding_box()
    pos = page.evaluate(f"() => network.canvasToDOM(network.getPositions(['{node_id}'])['{node_id}'])")
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_function(
        "() => { const t = document.querySelector('.vis-tooltip');"
        " return t && t.style.visibility !== 'hidden' && t.innerText.length > 0; }"
    )
    return str(page.evaluate("() => document.querySelector('.vis-tooltip').innerText"))


def test_hostile_names_show_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    ds = _dataset()
    table = ds.people.set_index("person_id")
    labels = dict(zip(ds.people["person_id"], ds.people["name"], strict=True))
    m = netmap.person_map(ds, table, colour_by="team", labels=labels)
    page, dialogs, requests = _open(browser, map_html.render_html(m, height=600), tmp_path)
    page.wait_for_function("() => network.physics.options.enabled === false", timeout=30_000)

    assert page.evaluate("() => network.body.data.nodes.get('p0').label") == HOSTILE
    assert page.evaluate("() => network.body.data.nodes.get('p1').label") == HOSTILE_HREF
    assert _hover(page, "p0").splitlines()[0] == HOSTILE
    assert _hover(page, "p1").splitlines()[0] == HOSTILE_HREF
    # the legend (real HTML) shows the team name as text too
    assert HOSTILE in page.locator("#legend").inner_text()
    page.wait_for_timeout(500)
    assert page.evaluate("() => document.querySelectorAll('img, a').length") == 0
    assert dialogs == []
    assert [u for u in requests if not u.startswith("file:")] == []
    page.context.close()


def test_server_positioned_map_draws_without_physics(browser: Any, tmp_path: Path) -> None:
    ds = _dataset(40)
    table = ds.people.set_index("person_id")
    pos = netmap.layout_positions(ds)
    m = netmap.person_map(ds, table, colour_by="team", labels=None, positions=pos)
    assert not m.physics
    page, dialogs, requests = _open(browser, map_html.render_html(m), tmp_path)
    assert page.evaluate("() => network.physics.options.enabled") is False
    x0 = page.evaluate("() => network.getPositions(['p3'])['p3'].x")
    page.wait_for_timeout(500)
    assert page.evaluate("() => network.getPositions(['p3'])['p3'].x") == x0  # nothing moves
    assert x0 == pytest.approx(float(pos.at["p3", "x"]), abs=1.0)  # vis rounds to whole px
    assert dialogs == [] and [u for u in requests if not u.startswith("file:")] == []
    page.context.close()


def test_network_page_draws_the_sample_map(server: Any, browser: Any) -> None:
    """The real page on the bundled sample: the map draws inside the iframe, settles, shows a
    tooltip, and nothing is fetched from another host."""
    import re
    import time
    from urllib.parse import urlparse

    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(120_000)
    page.goto(server.url)
    page.wait_for_selector('[data-testid="stSidebarNav"]')
    page.wait_for_timeout(500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    start = time.monotonic()
    page.get_by_test_id("stSidebarNav").get_by_text("Network", exact=True).click()
    page.get_by_role("heading", name=re.compile("Network")).first.wait_for()
    page.wait_for_selector("iframe[srcdoc]")
    iframe_at = time.monotonic() - start
    frame = next(f for f in page.frames if f.url == "about:srcdoc" and f.locator("#mynetwork").count())
    frame.wait_for_function(
        "() => typeof network !== 'undefined' && network.physics.options.enabled === false"
    )
    elapsed = time.monotonic() - start
    assert frame.evaluate("() => network.body.data.nodes.length") > 0
    assert frame.locator("#legend").inner_text().startswith("Colour:")
    assert page.locator('[data-testid="stException"]').count() == 0
    external = [
        u
        for u in requests
        if (urlparse(u).hostname or "") not in {"127.0.0.1", "localhost", ""}
        and urlparse(u).scheme not in {"data", "blob", "about"}
    ]
    assert external == [] and dialogs == []
    print(
        f"network page on the sample: iframe after {iframe_at:.1f} s, map settled {elapsed:.1f} s after the click"
    )
    context.close()
