"""The Overview page's lower sections: the exports to take away and the comparison of two waves.

Moved out of ``app_pages/overview.py`` so the page reads top to bottom (issue 13); the same widgets,
keys and texts.
"""

from collections.abc import Callable

import streamlit as st

from lib.analysis.findings import Facts
from lib.analysis.learning import wording_note
from lib.analysis.overview import (
    changes_between,
    compare_facts,
    network_change,
    network_change_lines,
    position_changes,
)
from lib.app import tables, ui
from lib.core.dataset import Dataset
from lib.report.deck import deck_bytes
from lib.report.exports import (
    MIME,
    ExportKind,
    ExportOptions,
    Report,
    build_report,
    export_filename,
    workbook_bytes,
)
from lib.report.html import html_bytes
from lib.store.actions import list_actions
from lib.store.pulse import room_pulse


def export_section(ds: Dataset, cfg: ui.Settings, wave: str | None) -> None:
    """The "Take it away" section: the deck, the workbook and the HTML report, each built on its first click,
    for a role that may export."""
    if not ui.can("export"):
        return
    st.subheader("Take it away")
    st.caption(
        f"Exports follow your viewer setting ({cfg.view}): the aggregate view holds no names or ids, and groups "
        f"under {cfg.min_group_size} people are hidden. Spreadsheet formulas in names are stored as text."
    )
    options = ExportOptions(
        view=cfg.view, min_group_size=cfg.min_group_size, pseudonyms=cfg.pseudonyms, wave=wave
    )
    # The workspace's agreed actions and its latest answered pulse go into the deck (workshop mode
    # saves them there).
    ws_name, engine = ui.workspace(), ui.workspace_engine()
    actions = list_actions(engine, ws_name) if ws_name else None
    _memo: dict[str, Report] = {}

    def _report() -> Report:
        # Built on the first click only (download data is generated lazily, on its own thread).
        if "r" not in _memo:
            _memo["r"] = build_report(ds, options)
        return _memo["r"]

    builders: dict[ExportKind, tuple[str, Callable[[], bytes]]] = {
        "pptx": (
            "PowerPoint deck",
            lambda: deck_bytes(
                ds,
                options,
                report=_report(),
                actions=actions,
                room=room_pulse(engine, ws_name, cfg.min_group_size) if ws_name else None,
            ),
        ),
        "xlsx": ("Excel workbook", lambda: workbook_bytes(ds, options, report=_report())),
        "html": ("HTML report", lambda: html_bytes(ds, options, report=_report())),
    }
    for col, (kind, (label, build)) in zip(st.columns(3), builders.items(), strict=True):
        col.download_button(
            f"⬇️ {label}",
            data=build,
            file_name=export_filename(kind, cfg.view),
            mime=MIME[kind],
            key=f"export-{kind}",
            on_click="ignore",
        )


def wave_comparison(waves: list[str], cfg: ui.Settings, wave_facts: Callable[[str], Facts]) -> None:
    """The "What changed between waves" section: the findings that appeared or went away, the facts side by
    side, ties gained and lost and (named view) who moved most."""
    st.subheader("What changed between waves")
    c1, c2 = st.columns(2)
    before = c1.selectbox("From wave", waves, index=len(waves) - 2, key="wave-before")
    after = c2.selectbox("To wave", waves, index=len(waves) - 1, key="wave-after")
    if before == after:
        st.info("Choose two different waves.")
    else:
        for line in changes_between(after, wave_facts(before), wave_facts(after)) or [
            "No finding appeared or went away."
        ]:
            st.markdown(f"- {ui.md(line)}")
        note = ui.compute(wording_note, before, after)
        if note:
            st.warning(note)
        net = ui.compute(network_change, before, after)
        for line in network_change_lines(net, before, after):
            st.markdown(f"- {ui.md(line)}")
        st.dataframe(
            compare_facts(before, wave_facts(before), after, wave_facts(after)),
            hide_index=True,
            key="wave-table",
        )
        st.write("Ties gained and lost")
        st.caption(
            "Among the people who named someone in both waves (a non-respondent's ties are unknown, not lost): each "
            "relation's graph correlation across the waves with its QAP p-value (people relabelled at random, up to 999 "
            "draws), and the paired test of the change in ties."
        )
        tables.show(net, key="network-change")
        if cfg.individuals_visible:
            st.write("People whose advice in-degree changed most")
            moved = ui.with_names(ui.compute(position_changes, before, after))
            st.dataframe(moved, hide_index=True, key="position-changes")
