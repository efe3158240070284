"""Time to first content of each page in a real browser, for uploaded organisations (prints figures;
not a test).

    .venv/bin/python benchmarks/bench_pages.py                         # 1,000, 10,000 and 100,000 people
    .venv/bin/python benchmarks/bench_pages.py --sizes 1000,10000 --fresh

A real ``streamlit run app.py`` (``tests.conftest.Server``) and headless Chromium (Playwright). For
each size, an organisation from ``lib.intake.sample.generate(people=N, seed=7)`` (two waves) is
written as a zip of CSVs and uploaded on the Data page; then each page is opened from the
navigation and timed from the click to

* ``first``: its first content (a tile, a table, a chart or a map frame) after its title, both
  fresh elements of this run (not the stale ones of the page before, ``data-stale``);
* ``done``: the script run finished (the app root's ``data-test-script-state`` no longer "running").

For the Overview, ``first`` is the first tile and ``tiles`` the moment every tile has its value
(none still showing "…"). Before each upload, the same server's Overview of the bundled sample is
timed the same way: the reference the issue's "within 2× the sample's time" compares with. ``--fresh``: also a freshly started server's first tile on the bundled
sample (the newcomer's first screen). Peak memory is the server process's high-water mark (VmHWM),
printed after the upload and after each page (so the Overview's is the peak up to its end).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import Server, new_page, settle  # noqa: E402

# nav label → a heading the page shows (its title)
PAGES = {
    "Overview": "How this organisation learns",
    "Network": "Network",
    "Learning": "How people learn",
    "Trust & wirearchy": "Trust",
    "Skills": "Skills",
    "Data": "Data",
}
FRESH = '[data-testid="stMain"] [data-testid="stElementContainer"]:not([data-stale="true"])'
CONTENT = (
    ", ".join(
        f"{FRESH} [data-testid={kind!r}]".replace("'", '"')
        for kind in ("stMetric", "stDataFrame", "stPlotlyChart", "stIFrame", "stTable")
    )
    + f", {FRESH} iframe"
)


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wait_running_done(page: Any) -> None:
    # the app root's script state (Streamlit's running indicator is not drawn with the minimal
    # toolbar, so waiting for it to go returned at once and "done" read as the first content)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState !== 'running'",
        timeout=1_800_000,
    )


def _time_page(page: Any, label: str, wait_done: bool = True) -> dict[str, float]:
    started = time.monotonic()
    page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
    # the new page's title (not a stale element of the page before), then its first content
    page.locator(FRESH).get_by_role("heading", name=re.compile(PAGES[label])).first.wait_for(
        timeout=1_800_000
    )
    page.locator(CONTENT).first.wait_for(state="visible", timeout=1_800_000)
    first = time.monotonic() - started
    out = {"first": first}
    if label == "Overview":
        # the seven number tiles (the skill-gaps tile is a chart, not a number)
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= 7 && "
            "![...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(e => e.innerText.trim() === '…')",
            timeout=1_800_000,
        )
        out["tiles"] = time.monotonic() - started
    if wait_done:
        _wait_running_done(page)
        out["done"] = time.monotonic() - started
    return out


def _fresh_sample(browser: Any) -> None:
    begun = time.monotonic()
    server = Server()
    print(f"fresh server: answering {time.monotonic() - begun:.1f} s after its start", flush=True)
    try:
        page = new_page(browser, [])
        started = time.monotonic()
        page.goto(server.url)
        page.locator(f'{FRESH} [data-testid="stMetric"]').first.wait_for(timeout=300_000)
        first = time.monotonic() - started
        # a first look sends the numbers, then the browser asks for the whole page (lib.app.ui.first_look)
        page.locator(FRESH).get_by_role("heading", name="Findings").wait_for(timeout=300_000)
        print(
            f"fresh server, sample: first tile {first:.2f} s, findings {time.monotonic() - started:.2f} s",
            flush=True,
        )
        page.context.close()
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--fresh", action="store_true", help="also time a fresh server's first tile on the sample"
    )
    parser.add_argument("--pages", default=",".join(PAGES), help="the pages to open, in this order")
    parser.add_argument(
        "--first-only",
        action="store_true",
        help="open the next page at each page's first content, without waiting for its run to end",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from lib.intake.sample import generate, write_dataset
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        if args.fresh:
            _fresh_sample(browser)
        for n in (int(s) for s in args.sizes.split(",") if s):
            path = write_dataset(generate(people=n, seed=7), Path(tmp) / f"org{n}.zip")
            server = Server()  # one server per size: its memory high-water mark is this size's
            try:
                page = new_page(browser, [])
                page.set_default_timeout(1_800_000)
                page.goto(server.url)
                settle(page)
                # the reference: the sample's Overview in the same server, warm (its results are
                # computed once per server), opened from another page as the uploads' are
                page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
                settle(page)
                ref = _time_page(page, "Overview", wait_done=True)
                print(
                    f"{n:>7,} people  sample's Overview (reference) first {ref['first']:6.1f} s"
                    f"  all tiles {ref['tiles']:6.2f} s",
                    flush=True,
                )
                page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
                settle(page)
                started = time.monotonic()
                page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
                    str(path)
                )  # the workbook upload comes first; the survey-export and log uploaders follow
                page.get_by_text(re.compile(rf"{n:,} people")).first.wait_for(timeout=1_800_000)
                print(
                    f"{n:>7,} people  upload → loaded            {time.monotonic() - started:7.1f} s"
                    f"  server peak so far {_peak_mb(server.proc.pid):,.0f} MB",
                    flush=True,
                )
                for label in args.pages.split(","):
                    t = _time_page(page, label, wait_done=not args.first_only)
                    extra = (
                        f"  all tiles {t['tiles']:6.2f} s ({t['tiles'] / ref['tiles']:.2f}× the sample's)"
                        if "tiles" in t
                        else ""
                    )
                    print(
                        f"{n:>7,} people  {label:<18} first {t['first']:6.1f} s{extra}"
                        + (f"  done {t['done']:6.1f} s" if "done" in t else "")
                        + f"  server peak so far {_peak_mb(server.proc.pid):,.0f} MB",
                        flush=True,
                    )
                print(f"{n:>7,} people  server peak memory {_peak_mb(server.proc.pid):,.0f} MB", flush=True)
                page.context.close()
            finally:
                server.stop()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
