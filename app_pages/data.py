"""Data: upload a workbook or CSVs, read the validation report, preview sheets, get the template."""

import hashlib

import pandas as pd
import streamlit as st

from lib import ui
from lib.errors import DataError, Finding
from lib.loader import load_files
from lib.template import template_bytes

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
    uploads = st.file_uploader(
        "Upload survey and collaboration data",
        type=["xlsx", "csv", "zip"],
        accept_multiple_files=True,
        key="upload",
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
                    st.session_state["last_report"] = ("loaded", loaded.source, loaded.findings)
                    st.rerun()  # so the shared frame (sidebar) shows the new data at once


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
st.write(f"**{ui.md(ds.source or 'Upload')}** — waves: {ui.md(', '.join(ds.waves)) or 'one (no wave column)'}")
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
