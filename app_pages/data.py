"""Data: upload a workbook or CSVs, read the validation report, preview sheets, get the template;
keep uploads as waves of a workspace, open stored waves, and edit the workspace's settings (the
workspace panel's widgets and callbacks are in lib/app/data_page.py)."""

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lib.app import data_page, logs_ui, survey_ui, ui
from lib.core.errors import DataError
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
        key = data_page.upload_key(files)
        if st.session_state.get("last_upload_key") != key:
            st.session_state["last_upload_key"] = key
            # a status box naming each step (about 20 s at 100,000 people: never a blank wait)
            with ui.progress("Loading the upload") as step:
                try:
                    loaded = load_files(files, step=step)
                except DataError as err:
                    st.session_state["last_report"] = ("failed", ", ".join(n for n, _ in files), err.findings)
                else:
                    loaded.source = ", ".join(n for n, _ in files)
                    step("getting the pages ready")
                    ui.set_dataset(loaded, key=key)
                    st.session_state["upload_files"] = (key, files)  # kept with the wave if saved
                    st.session_state["last_report"] = ("loaded", loaded.source, loaded.findings)
                    st.rerun()  # so the shared frame (sidebar) shows the new data at once

    survey_ui.render()  # a survey tool's export with a roster (lib/app/survey_ui.py)

logs_ui.logs_section()  # collaboration logs next to the roster (lib/app/logs_ui.py)

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
        table = data_page.report_table(findings)
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


data_page.show_message()
current = ui.workspace()
data_page.create_form(bordered=not current)
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
    st.dataframe(data_page.waves_table(info), hide_index=True, key="ws-waves")
data_page.save_row(engine, ds, current)
data_page.open_row(info, current)
if ui.can("settings"):
    data_page.settings_form(engine, info, ds, current)
data_page.delete_panel(engine, info, current)
