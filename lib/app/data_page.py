"""The Data page's building blocks, so the page reads top to bottom: the validation report as a
table, an upload's content key, and the workspace panel (its widgets and their callbacks).

The workspace panel keeps one organisation's waves and settings in the database
(:mod:`lib.store.workspaces`): create and open a workspace, save the loaded data as a wave, open
stored waves, edit the settings, delete. Every action runs as a widget callback (:func:`run`), so a
:class:`~lib.store.workspaces.WorkspaceError` becomes a message on the page (:func:`show_message`),
never a traceback. Widget keys start with ``ws-``; the tests find the widgets by them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from lib.app import ui
from lib.core.dataset import Dataset
from lib.core.errors import Finding
from lib.store import workspaces as wsp

__all__ = [
    "REPORT_COLUMNS",
    "create_form",
    "delete_panel",
    "open_row",
    "report_table",
    "run",
    "save_row",
    "settings_form",
    "show_message",
    "upload_key",
    "waves_table",
]

REPORT_COLUMNS = ["severity", "file", "sheet", "row", "column", "value", "problem", "how to fix"]


# --- upload and validation ----------------------------------------------------------------------


def report_table(findings: Sequence[Finding]) -> pd.DataFrame:
    """The validation report: one row per finding, with the row as Excel shows it and the fix."""
    rows = [
        {
            "severity": f.severity,
            "file": f.file,
            "sheet": f.sheet,
            "row": "" if f.row is None else str(f.row),
            "column": f.column,
            "value": f.value,
            "problem": f.message,
            "how to fix": f.hint,
        }
        for f in findings
    ]
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def upload_key(files: Sequence[tuple[str, bytes]]) -> str:
    """One key per set of uploaded files (names and contents, in any order): the same upload is read once."""
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


# --- the workspace panel: callbacks -------------------------------------------------------------


def _say(kind: str, text: str) -> None:
    st.session_state["ws_message"] = (kind, text)


def show_message() -> None:
    """The last workspace action's outcome (success or error), shown once."""
    message = st.session_state.pop("ws_message", None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])


def run(action: Callable[..., object], *args: object) -> None:
    """A workspace action as a widget callback: its WorkspaceError becomes a message on the page."""
    try:
        action(*args)
    except wsp.WorkspaceError as err:
        _say("error", ui.md(err))  # it may quote what was typed


def _create() -> None:
    name = ui.create_workspace(st.session_state.get("ws-new-name", ""))
    ui.open_workspace(name, load=False)  # the data loaded now stay, ready to save
    _say(
        "success",
        f"Workspace **{ui.md(name.strip())}** created and opened: save the loaded data as its first wave.",
    )


def _save(engine: Engine, name: str) -> None:
    label = st.session_state.get("ws-wave-label", "")
    key, files = st.session_state.get("upload_files", ("", []))
    kept = files if key == st.session_state.get("dataset_key") else []
    with st.spinner("Saving the wave…"):
        wsp.import_dataset(engine, name, ui.dataset(), label or None, files=kept)
    ui.open_workspace(name)
    _say("success", f"Saved as wave **{ui.md(label)}**; the workspace is open with all its uploaded waves.")


def _open_one() -> None:
    ui.open_wave(str(st.session_state.get("ws-open-wave", "")))  # the wave chosen when clicked


def _delete_wave(engine: Engine, name: str) -> None:
    label = st.session_state.get("ws-delete-wave", "")
    wsp.delete_wave(engine, name, label)
    ui.open_workspace(name)
    _say("success", f"Wave **{ui.md(label)}** deleted with its tables and kept files.")


def _delete_workspace(engine: Engine, name: str) -> None:
    gone = wsp.delete_workspace(engine, name)
    ui.open_workspace(None)
    _say("success", f"Workspace **{ui.md(gone.workspace)}** deleted: {gone.waves} wave(s) and all they held.")


def _edited_channels() -> pd.DataFrame:
    """The channel table as edited in the settings form: the table drawn, with the editor's changed
    cells, deleted rows and added rows applied in that order (as st.data_editor applies them)."""
    drawn = st.session_state.get("ws-channels-drawn")
    columns = list(wsp.CHANNEL_TABLE_COLUMNS)
    table = (drawn if drawn is not None else pd.DataFrame(columns=columns)).astype(object)
    table = table.reset_index(drop=True)
    edits = st.session_state.get("ws-set-channels") or {}
    for row, changes in (edits.get("edited_rows") or {}).items():
        for column, value in changes.items():
            if column in columns and 0 <= int(row) < len(table):
                table.loc[int(row), column] = value
    table = table.drop(index=[int(r) for r in edits.get("deleted_rows") or [] if 0 <= int(r) < len(table)])
    added = pd.DataFrame(list(edits.get("added_rows") or []), columns=columns)
    return pd.concat([table, added], ignore_index=True) if len(added) else table.reset_index(drop=True)


def _update_settings(engine: Engine, name: str) -> None:
    days = int(st.session_state["ws-set-days"]) if st.session_state.get("ws-set-expire") else None
    modes = wsp.channel_modes_from_table(_edited_channels())  # WorkspaceError: nothing is saved
    info = wsp.get_workspace(engine, name)
    fresh = bool(st.session_state.get("ws-set-new-salt"))
    new = wsp.update_settings(
        engine,
        name,
        replace(
            info.settings,
            min_group_size=int(st.session_state["ws-set-min"]),
            default_view=st.session_state["ws-set-view"],
            retention_days=days,
            channel_modes=modes,
            pseudonym_salt=wsp.new_pseudonym_salt() if fresh else info.settings.pseudonym_salt,
        ),
    ).settings
    st.session_state.pop("ws-set-channels", None)  # the edits are saved: draw the table afresh
    st.session_state["ws-set-new-salt"] = False
    ui.apply_workspace_settings(new, set_view=False)
    ui.refresh_workspace()  # a new salt or mapping reloads the data shown
    _say("success", "Settings saved." + (" New pseudonyms drawn." if fresh else ""))


# --- the workspace panel: widgets ---------------------------------------------------------------


def create_form(bordered: bool) -> None:
    """The form that creates a workspace and opens it."""
    with st.form("ws-create", clear_on_submit=True, border=bordered):
        st.text_input("New workspace (an organisation or engagement)", key="ws-new-name", max_chars=200)
        st.form_submit_button("Create and open", on_click=run, args=(_create,))


def waves_table(info: wsp.WorkspaceInfo) -> pd.DataFrame:
    """The workspace's waves: label, kind, source, when imported, people, ties and the space they take."""
    return pd.DataFrame(
        [
            {
                "wave": w.label,
                "kind": w.kind,
                "source": w.source,
                "imported (UTC)": f"{w.imported_at:%Y-%m-%d %H:%M}",
                "people": w.rows.get("people", 0),
                "ties": w.rows.get("ties", 0),
                "stored MB": round((w.stored_bytes + w.upload_bytes) / 1e6, 2),
            }
            for w in info.waves
        ]
    )


def save_row(engine: Engine, ds: Dataset, current: str) -> None:
    """Save the loaded data as a new wave of ``current`` (or say the data shown already come from it)."""
    shown_key = str(st.session_state.get("dataset_key", ""))
    if shown_key.startswith(("ws:", "wave:")):
        st.caption("The data shown now come from this workspace: upload a file to save it as a new wave.")
        return
    s1, s2 = st.columns([3, 1], vertical_alignment="bottom")
    s1.text_input(
        f"Save the loaded data ({ui.md(ds.source or 'upload')}) as a new wave, labelled",
        value=wsp.default_label(ds),
        key="ws-wave-label",
        max_chars=200,
    )
    s2.button("Save as wave", key="ws-save", type="primary", on_click=run, args=(_save, engine, current))


def open_row(info: wsp.WorkspaceInfo, current: str) -> None:
    """Open one stored wave, or all the uploaded waves together."""
    if not info.waves:
        return
    labels = [w.label for w in info.waves]
    o1, o2, o3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    o1.selectbox("Stored wave", labels, index=len(labels) - 1, key="ws-open-wave")
    o2.button("Open this wave only", key="ws-open-one", on_click=run, args=(_open_one,))
    o3.button("Open all uploaded waves", key="ws-open-all", on_click=run, args=(ui.open_workspace, current))


def settings_form(engine: Engine, info: wsp.WorkspaceInfo, ds: Dataset, current: str) -> None:
    """The workspace's settings: minimum group size, default view, retention, channel mapping, pseudonyms."""
    with st.expander("Workspace settings"), st.form("ws-settings"):
        st.number_input(
            "Minimum group size (at least 5): smaller groups are never shown in aggregates",
            min_value=5,
            max_value=100,
            value=info.settings.min_group_size,
            key="ws-set-min",
        )
        st.radio(
            "Default view when the workspace is opened (executives always see the aggregate view)",
            list(wsp.VIEWS),
            index=list(wsp.VIEWS).index(info.settings.default_view),
            key="ws-set-view",
            horizontal=True,
        )
        days = info.settings.retention_days
        st.checkbox("Delete uploads after a number of days", value=days is not None, key="ws-set-expire")
        st.number_input("Days to keep uploads", min_value=0, value=days or 365, key="ws-set-days")
        drawn = wsp.channel_mapping_table(info.settings.channel_modes, ds.interactions)
        st.session_state["ws-channels-drawn"] = drawn  # what the editor's edits apply to
        st.markdown(
            "**Channels: stock or flow.** Stock = archived knowledge (wiki, documents), flow = "
            "conversation (chat, meetings). Channels are matched ignoring case; add a row for a new one."
        )
        st.data_editor(
            drawn,
            key="ws-set-channels",
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "channel": st.column_config.TextColumn("channel", max_chars=200),
                "stock/flow": st.column_config.SelectboxColumn(
                    "stock/flow", options=["stock", "flow", wsp.NOT_MAPPED]
                ),
            },
        )
        unmapped = int((drawn["stock/flow"] == wsp.NOT_MAPPED).sum())
        if unmapped:
            st.caption(
                f"{unmapped} channel(s) in the loaded data are not mapped: their events are counted as "
                "unclassified and left out of the flow share."
            )
        st.checkbox(
            "New pseudonyms",
            key="ws-set-new-salt",
            help="Draws a new random salt when you save: every person gets a new pseudonym on every page "
            "and in every export from now on. Pseudonyms in earlier exports will no longer match.",
        )
        st.form_submit_button("Save settings", on_click=run, args=(_update_settings, engine, current))


def delete_panel(engine: Engine, info: wsp.WorkspaceInfo, current: str) -> None:
    """Delete one wave, or (after typing its name) the whole workspace ``current``."""
    with st.expander("Delete"):
        if info.waves:
            st.selectbox("Wave to delete", [w.label for w in info.waves], key="ws-delete-wave")
            sure = st.checkbox(
                "Yes, delete this wave with its tables and kept files", key="ws-delete-wave-sure"
            )
            st.button(
                "Delete wave",
                key="ws-delete-wave-go",
                disabled=not sure,
                on_click=run,
                args=(_delete_wave, engine, current),
            )
        typed = st.text_input(
            f"Type **{ui.md(current)}** to delete the whole workspace", key="ws-delete-name"
        )
        st.button(
            "Delete workspace",
            key="ws-delete-go",
            disabled=typed.strip() != current,
            on_click=run,
            args=(_delete_workspace, engine, current),
        )
