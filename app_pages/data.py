"""Data: upload a workbook or CSVs, read the validation report, preview sheets, get the template;
keep uploads as waves of a workspace, open stored waves, and edit the workspace's settings."""

import hashlib
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lib.app import logs_ui, ui
from lib.core.errors import DataError, Finding
from lib.intake.loader import load_files
from lib.intake.template import template_bytes
from lib.store import workspaces as wsp

ui.guard("data")  # stops here for a role that may not open this page
st.title("📂 Data")
st.write(
    "Upload one Excel workbook (`.xlsx`), several CSV files (one per sheet: `people.csv`, `ties.csv`, …) "
    "or one `.zip` of them. Several workbooks uploaded together are read as one wave each. "
    "A file with errors never replaces the data already loaded."
)


@st.cache_resource
def _template() -> bytes:
    return template_bytes()


def report_table(findings: list[Finding]) -> pd.DataFrame:
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
    return pd.DataFrame(
        rows, columns=["severity", "file", "sheet", "row", "column", "value", "problem", "how to fix"]
    )


left, right = st.columns([3, 2])
with right:
    st.subheader("Template and survey kit")
    st.write(
        "A workbook with every sheet's columns, two example rows, dropdowns for the allowed values, "
        "and the survey questions to paste into your survey tool."
    )
    st.download_button(
        "⬇️ Download template",
        data=_template(),
        file_name="social-learning-template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download-template",
        on_click="ignore",
    )
    if not ui.is_sample() and st.button("Switch back to the sample organisation", key="use-sample"):
        ui.set_dataset(None)
        st.session_state.pop("last_report", None)
        st.rerun()

with left:
    uploads = (
        st.file_uploader(
            "Upload survey and collaboration data",
            type=["xlsx", "csv", "zip"],
            accept_multiple_files=True,
            key="upload",
        )
        if ui.can("upload")
        else None
    )
    if uploads:
        files = [(u.name, u.getvalue()) for u in uploads]
        digest = hashlib.sha256()
        for name, data in sorted(files):
            digest.update(name.encode())
            digest.update(hashlib.sha256(data).digest())
        key = digest.hexdigest()
        if st.session_state.get("last_upload_key") != key:
            st.session_state["last_upload_key"] = key
            with st.spinner("Checking the upload…"):
                try:
                    loaded = load_files(files)
                except DataError as err:
                    st.session_state["last_report"] = ("failed", ", ".join(n for n, _ in files), err.findings)
                else:
                    loaded.source = ", ".join(n for n, _ in files)
                    ui.set_dataset(loaded, key=key)
                    st.session_state["upload_files"] = (key, files)  # kept with the wave if saved
                    st.session_state["last_report"] = ("loaded", loaded.source, loaded.findings)
                    st.rerun()  # so the shared frame (sidebar) shows the new data at once

logs_ui.logs_section()

report = st.session_state.get("last_report")
if report:
    status, names, findings = report
    n_err = sum(f.severity == "error" for f in findings)
    if status == "failed":
        st.error(
            f"**{ui.md(names)}** was not loaded: {n_err} error(s) to fix (listed below, errors first). "
            "The data loaded before is still in use."
        )
    else:
        st.success(f"**{ui.md(names)}** loaded. {len(findings)} warning(s) or note(s) below.")
    if findings:
        table = report_table(findings)
        st.dataframe(table, hide_index=True, width="stretch", key="report-table")
        ui.download_table(table, "validation-report.csv", "Download the validation report", key="dl-report")

ds = ui.dataset()
st.subheader("Loaded now")
st.write(
    f"**{ui.md(ds.source or 'Upload')}** — waves: {ui.md(', '.join(ds.waves)) or 'one (no wave column)'}"
)
counts = pd.DataFrame({"sheet": list(ds.summary()), "rows": list(ds.summary().values())})
st.dataframe(counts, hide_index=True, key="counts-table")

if ui.settings().individuals_visible:
    st.subheader("Preview")
    names = [name for name, n in ds.summary().items() if n > 0]
    table_name = st.selectbox("Sheet", names, key="preview-sheet")
    if table_name:
        st.dataframe(getattr(ds, table_name).head(200), hide_index=True, width="stretch", key="preview-table")
else:
    st.info("Sheet previews show individual rows, so they are hidden in the aggregate view.")


# --- workspace: waves kept in the database, for later and for others ----------------------------
if not ui.can("upload"):
    st.stop()
st.divider()
st.subheader("Workspace")
st.write(
    "A workspace keeps one organisation's waves and settings in the database: open it later, or let an "
    "executive open it (always in the aggregate view). Opening a workspace shows all its uploaded waves "
    "together; pulse waves are kept apart and open on their own."
)
try:
    engine = ui.workspace_engine()
except (SQLAlchemyError, OSError) as err:
    st.error(f"The workspace database cannot be opened ({type(err).__name__}).")
    st.stop()


def _say(kind: str, text: str) -> None:
    st.session_state["ws_message"] = (kind, text)


def _run(action: Callable[..., object], *args: object) -> None:
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


def _save(name: str) -> None:
    label = st.session_state.get("ws-wave-label", "")
    key, files = st.session_state.get("upload_files", ("", []))
    kept = files if key == st.session_state.get("dataset_key") else []
    with st.spinner("Saving the wave…"):
        wsp.import_dataset(engine, name, ui.dataset(), label or None, files=kept)
    ui.open_workspace(name)
    _say("success", f"Saved as wave **{ui.md(label)}**; the workspace is open with all its uploaded waves.")


def _open_one() -> None:
    ui.open_wave(str(st.session_state.get("ws-open-wave", "")))  # the wave chosen when clicked


def _delete_wave(name: str) -> None:
    label = st.session_state.get("ws-delete-wave", "")
    wsp.delete_wave(engine, name, label)
    ui.open_workspace(name)
    _say("success", f"Wave **{ui.md(label)}** deleted with its tables and kept files.")


def _delete_workspace(name: str) -> None:
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


def _update_settings(name: str) -> None:
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


message = st.session_state.pop("ws_message", None)
if message:
    (st.success if message[0] == "success" else st.error)(message[1])

current = ui.workspace()
with st.form("ws-create", clear_on_submit=True, border=not current):
    st.text_input("New workspace (an organisation or engagement)", key="ws-new-name", max_chars=200)
    st.form_submit_button("Create and open", on_click=_run, args=(_create,))
if not current:
    st.info("No workspace is open: create one here, or choose one in the sidebar.")
    st.stop()

info = wsp.get_workspace(engine, current)
st.markdown(f"**Open: {ui.md(info.name)}** · {len(info.waves)} wave(s)")
if info.kept_apart:
    st.caption(
        f"{len(info.kept_apart)} pulse wave(s) kept apart: the workspace view combines the uploaded waves "
        "only, since pulse participants are anonymous duplicates of real people. Open a pulse with "
        "**Open this wave only**, or on the Live pulse page."
    )
if info.waves:
    st.dataframe(
        pd.DataFrame(
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
        ),
        hide_index=True,
        key="ws-waves",
    )

shown_key = str(st.session_state.get("dataset_key", ""))
if shown_key.startswith(("ws:", "wave:")):
    st.caption("The data shown now come from this workspace: upload a file to save it as a new wave.")
else:
    s1, s2 = st.columns([3, 1], vertical_alignment="bottom")
    s1.text_input(
        f"Save the loaded data ({ui.md(ds.source or 'upload')}) as a new wave, labelled",
        value=wsp.default_label(ds),
        key="ws-wave-label",
        max_chars=200,
    )
    s2.button("Save as wave", key="ws-save", type="primary", on_click=_run, args=(_save, current))

if info.waves:
    labels = [w.label for w in info.waves]
    o1, o2, o3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    o1.selectbox("Stored wave", labels, index=len(labels) - 1, key="ws-open-wave")
    o2.button("Open this wave only", key="ws-open-one", on_click=_run, args=(_open_one,))
    o3.button("Open all uploaded waves", key="ws-open-all", on_click=_run, args=(ui.open_workspace, current))

if ui.can("settings"):
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
        st.form_submit_button("Save settings", on_click=_run, args=(_update_settings, current))

with st.expander("Delete"):
    if info.waves:
        st.selectbox("Wave to delete", [w.label for w in info.waves], key="ws-delete-wave")
        sure = st.checkbox("Yes, delete this wave with its tables and kept files", key="ws-delete-wave-sure")
        st.button(
            "Delete wave",
            key="ws-delete-wave-go",
            disabled=not sure,
            on_click=_run,
            args=(_delete_wave, current),
        )
    typed = st.text_input(f"Type **{ui.md(current)}** to delete the whole workspace", key="ws-delete-name")
    st.button(
        "Delete workspace",
        key="ws-delete-go",
        disabled=typed.strip() != current,
        on_click=_run,
        args=(_delete_workspace, current),
    )
