"""The Data page's survey-export section: upload a Microsoft Forms, Google Forms, Qualtrics or
SurveyMonkey export with a roster (or the people of the data loaded now), see the tool and the
questions recognised, edit the mapping, resolve the review, load the dataset and download its
workbook. The work is :mod:`lib.intake.survey`; this module only draws it.

Review choices and the mapping are kept in the session (``survey_resolutions``,
``survey_mapping``), so a new upload of the same export keeps them. With a workspace open (one
this user may open, and the ``upload`` action) both are also kept in the workspace
(:mod:`lib.store.survey_choices`): the next wave's export in that workspace starts from the
mapping of the last upload (marked "from your last upload", still editable), and an answer
resolved before (same respondent, question and text) is resolved again without asking. Without a
workspace they last for the session; the mapping can be downloaded as JSON for the next wave.
"""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lib.app import ui
from lib.core.errors import DataError, Finding
from lib.intake.loader import load_files
from lib.intake.survey.convert import (
    REMEMBERED,
    MemoryKey,
    Settings,
    SurveyResult,
    convert,
    review_frame,
    workbook_bytes,
)
from lib.intake.survey.people import Roster, name_list, read_roster, roster_from_people
from lib.intake.survey.questions import (
    KINDS,
    Meaning,
    mapping_from_json,
    mapping_from_table,
    mapping_json,
    mapping_table,
    meanings,
)
from lib.intake.survey.tools import Export, read_export
from lib.store import survey_choices
from lib.store.workspaces import WorkspaceError

__all__ = ["NONE_OF_THEM", "choice_label", "render"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The review choice that drops an answer (a name that is nobody on the roster).
NONE_OF_THEM = "none of them (drop this answer)"
CHOOSE = "— choose —"
#: The mapping table's note on a row whose meaning comes from the workspace's last upload.
FROM_LAST_UPLOAD = "from your last upload"
_LOG = logging.getLogger(__name__)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_export(name: str, data: bytes) -> tuple[Export | None, list[Finding]]:
    """The export, read once per content (the parse runs in a child process)."""
    key = _digest(data)
    kept = st.session_state.get("survey_export")
    if kept is None or kept[0] != key:
        kept = (key, *read_export(name, data))
        st.session_state["survey_export"] = kept
    return kept[1], kept[2]


def _roster(upload: object | None) -> tuple[Roster | None, str, list[Finding]]:
    """The uploaded roster, else the people of the data loaded now."""
    if upload is None:
        return roster_from_people(ui.dataset().people), "the people of the data loaded now", []
    data = upload.getvalue()  # type: ignore[attr-defined]
    key = _digest(data)
    kept = st.session_state.get("survey_roster")
    if kept is None or kept[0] != key:
        kept = (key, *read_roster(upload.name, data))  # type: ignore[attr-defined]
        st.session_state["survey_roster"] = kept
    return kept[1], f"the roster {ui.md(upload.name)}", kept[2]  # type: ignore[attr-defined]


def choice_label(person_id: str, label: str, score: float) -> str:
    """How a review candidate is offered: its name-list label, id and score."""
    return f"{label} [{person_id}] · {score:g}"


def _memory_workspace() -> str | None:
    """The workspace whose survey choices this session reads and keeps: the open workspace, when
    the user may upload and may (still) open it; None otherwise (choices last for the session)."""
    name = ui.workspace()
    if not name or not ui.can("upload"):
        return None
    try:
        return name if name in ui.workspace_names() else None
    except (SQLAlchemyError, WorkspaceError, OSError):
        return None


def _unavailable(err: Exception) -> None:
    _LOG.warning("survey choices unavailable: %s", type(err).__name__)
    st.warning(
        "The workspace's saved survey choices could not be read or saved; this upload goes on without them."
    )


def _resolve(key: tuple[int, str, str], memory: MemoryKey, options: dict[str, str], widget: str) -> None:
    """Remember a review choice (widget callback): in the session, and in the workspace for the
    next wave when one is open. The tie is added at the next run."""
    picked = st.session_state.get(widget)
    if picked not in options:
        return
    st.session_state.setdefault("survey_resolutions", {})[key] = options[picked]
    workspace = _memory_workspace()
    if workspace:
        try:
            survey_choices.save_resolution(ui.workspace_engine(), workspace, memory, options[picked])
        except (SQLAlchemyError, WorkspaceError) as err:
            _LOG.warning("review choice not kept: %s", type(err).__name__)


def _findings_table(findings: list[Finding]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "severity": f.severity,
                "row": "" if f.row is None else str(f.row),
                "column": f.column,
                "what": f.message,
            }
            for f in findings
        ],
        columns=["severity", "row", "column", "what"],
    )


def _stored_mapping(workspace: str | None, keys: set[str]) -> dict[str, Meaning]:
    """The workspace's kept mapping for the columns of this export (empty without a workspace)."""
    if not workspace:
        return {}
    try:
        stored = survey_choices.saved_mapping(ui.workspace_engine(), workspace)
    except (SQLAlchemyError, WorkspaceError) as err:
        _unavailable(err)
        return {}
    return {k: m for k, m in stored.items() if k in keys}


def _keep_mapping(
    workspace: str | None, mapping: dict[str, Meaning], stored: dict[str, Meaning], keys: set[str]
) -> None:
    """Keep the mapping of this export's columns in the workspace when it changed."""
    if not workspace or {k: m for k, m in mapping.items() if k in keys} == stored:
        return
    try:
        survey_choices.save_mapping(ui.workspace_engine(), workspace, mapping, columns=keys)
    except (SQLAlchemyError, WorkspaceError) as err:
        _unavailable(err)


def _mapping(export: Export, version: str, workspace: str | None) -> dict[str, Meaning]:
    """The facilitator's mapping: the workspace's from the last upload, an uploaded JSON file, then
    the edits in the mapping table (the latest wins); kept in the workspace when it changes."""
    keys = {c.key for c in export.columns}
    stored = _stored_mapping(workspace, keys)
    saved: dict[str, Meaning] = {**stored, **st.session_state.get("survey_mapping", {})}
    upload = st.file_uploader(
        "Mapping from an earlier wave (JSON, optional)", type=["json"], key="survey-map-file"
    )
    if upload is not None:
        try:
            saved = {**saved, **mapping_from_json(upload.getvalue().decode("utf-8", "replace"))}
        except ValueError as err:
            st.error(f"The mapping file was not used: {ui.md(err)}")
    chosen = meanings(export.columns, saved)
    recognised = {c.key: m for c in export.columns for m in [meanings([c])[c.index]]}
    st.markdown("**Questions** — change a row's meaning for a question the kit does not know.")
    if stored:
        st.caption(
            f"{len(stored)} question(s) mapped as in your last upload to workspace {ui.md(workspace)} "
            f"(marked “{FROM_LAST_UPLOAD}”); change them here if this wave differs."
        )
    table = mapping_table(export.columns, chosen)
    table["from"] = [
        FROM_LAST_UPLOAD if stored.get(k) == saved.get(k) and k in stored else "" for k in table["column"]
    ]
    edited = st.data_editor(
        table,
        key=f"survey-mapping-{version}",  # a new export gets a fresh table
        hide_index=True,
        disabled=["column", "question", "from"],
        column_order=["meaning", "target", "dimension", "reverse", "from", "question", "column"],
        column_config={
            "question": st.column_config.TextColumn("question", width="large"),
            "column": st.column_config.TextColumn("column (key in the mapping)", width="small"),
            "meaning": st.column_config.SelectboxColumn("meaning", options=list(KINDS), required=True),
            "reverse": st.column_config.CheckboxColumn("reverse"),
        },
    )
    try:
        mapping = mapping_from_table(edited, recognised)
    except ValueError as err:
        st.error(f"The mapping table has a problem, so the last good mapping is used: {ui.md(err)}")
        return saved
    st.session_state["survey_mapping"] = mapping
    _keep_mapping(workspace, mapping, stored, keys)
    return mapping


def _remembered(workspace: str | None) -> dict[MemoryKey, str]:
    """The review choices kept in the workspace for earlier uploads (empty without a workspace)."""
    if not workspace:
        return {}
    try:
        return survey_choices.saved_resolutions(ui.workspace_engine(), workspace)
    except (SQLAlchemyError, WorkspaceError) as err:
        _unavailable(err)
        return {}


def _ask_again(keys: tuple[MemoryKey, ...]) -> None:
    """Forget the workspace's remembered choices ``keys`` (button callback): asked again at the next run."""
    workspace = _memory_workspace()
    if not workspace:
        return
    try:
        for key in keys:
            survey_choices.forget_resolution(ui.workspace_engine(), workspace, key)
    except (SQLAlchemyError, WorkspaceError) as err:
        _LOG.warning("remembered choices not forgotten: %s", type(err).__name__)
    # this session's own choices for the same question and text go too (asked again, never guessed)
    asked = {(column, text) for _respondent, column, text in keys}
    session = st.session_state.get("survey_resolutions", {})
    for key in [k for k in session if (k[1], k[2]) in asked]:
        session.pop(key, None)


def _review(result: SurveyResult) -> None:
    resolutions = st.session_state.setdefault("survey_resolutions", {})
    reused = result.counts.get(REMEMBERED, 0)
    if reused:
        c1, c2 = st.columns([3, 1])
        c1.caption(f"{reused} answer(s) resolved as you chose for an earlier upload to this workspace.")
        c2.button(
            "Ask me again",
            key="survey-ask-again",
            on_click=_ask_again,
            args=(tuple(result.remembered),),
            help="Forget these remembered choices, so their answers come back to the review.",
        )
    if not result.review:
        st.success(f"Every answer is matched ({len(resolutions)} chosen in review).")
        return
    st.markdown(f"**Review: {len(result.review)} answer(s)** — never guessed; choose who was meant.")
    st.dataframe(
        review_frame(result).drop(columns=["column", "respondent", "chosen_person_id"]),
        hide_index=True,
        key="survey-review-table",
    )
    for row in result.review[:50]:
        options = {choice_label(c.person_id, c.label, c.score): c.person_id for c in row.candidates}
        options[NONE_OF_THEM] = ""
        widget = f"survey-review-{_digest(repr(row.key).encode())[:16]}"
        st.selectbox(
            f"Row {row.row} · {ui.md(row.question[:80])} · “{ui.md(row.text[:80])}”",  # export text: escaped
            [CHOOSE, *options],
            key=widget,
            on_change=_resolve,
            args=(row.key, row.memory_key, options, widget),
        )
    if len(result.review) > 50:
        st.caption(f"The first 50 are shown; {len(result.review) - 50} more after these are resolved.")


def _load(result: SurveyResult, data: bytes, name: str) -> None:
    """Load the converted workbook as this session's dataset (button callback)."""
    try:
        ds = load_files([(name, data)])
    except DataError as err:
        st.session_state["last_report"] = ("failed", name, err.findings)
        return
    ds.source = f"{result.export.file} ({result.export.tool})"
    key = f"survey:{_digest(data)}"
    ui.set_dataset(ds, key=key)
    st.session_state["upload_files"] = (key, [(name, data)])  # kept with the wave if saved
    st.session_state["last_report"] = ("loaded", ds.source, ds.findings)


def render() -> None:
    """The survey-export section of the Data page (nothing for a role that may not upload)."""
    if not ui.can("upload"):
        return
    with st.expander(
        "📋 Survey tool export: Microsoft Forms, Google Forms, Qualtrics or SurveyMonkey", expanded=False
    ):
        st.write(
            "Upload the export exactly as the survey tool gave it, with the roster (our people sheet: "
            "person_id, name, team, email). E-mails, IP addresses, locations and free-text comments are "
            "used for matching or dropped; they never reach the dataset."
        )
        c1, c2 = st.columns(2)
        export_file = c1.file_uploader(
            "Survey export (.csv or .xlsx)", type=["csv", "xlsx"], key="survey-export"
        )
        roster_file = c2.file_uploader(
            "Roster (.xlsx or .csv; optional)", type=["csv", "xlsx"], key="survey-roster"
        )
        roster, roster_source, roster_findings = _roster(roster_file)
        if roster is not None:
            listing = name_list(roster)[["label"]]
            ui.download_table(
                listing, "name-list.csv", "⬇️ Name list to paste as choices", key="survey-dl-names"
            )
        if export_file is None:
            return
        export, findings = _read_export(export_file.name, export_file.getvalue())
        if export is None or roster is None:
            problem = next((f for f in findings + roster_findings if f.severity == "error"), None)
            st.error(f"Not read: {ui.md(problem.message if problem else 'unknown problem')}")
            return
        st.info(
            f"Recognised: **{export.tool}** ({export.variant}), {len(export.answers)} response(s), matched to {roster_source}."
        )
        s1, s2 = st.columns(2)
        keep = s1.checkbox(
            "Keep partial responses for what was answered", value=True, key="survey-keep-partial"
        )
        wave = s2.text_input("Wave label (optional)", key="survey-wave", max_chars=200)
        workspace = _memory_workspace()
        mapping = _mapping(export, _digest(export_file.getvalue())[:12], workspace)
        settings = Settings(keep_partial=keep, wave=wave.strip())
        resolutions = st.session_state.get("survey_resolutions", {})
        result = convert(export, roster, mapping, resolutions, settings, remembered=_remembered(workspace))
        st.session_state["survey_result"] = result
        _review(result)
        st.markdown("**Report** — what was read, dropped and counted.")
        st.dataframe(
            _findings_table(result.notes),
            hide_index=True,
            key="survey-notes",
            column_config={"what": st.column_config.TextColumn("what", width="large")},
        )
        data = workbook_bytes(result)
        name = f"{export_file.name.rsplit('.', 1)[0]}-dataset.xlsx"
        b1, b2, b3 = st.columns(3)
        b1.button(
            f"Load ({len(result.tables['ties'])} ties)",
            key="survey-load",
            type="primary",
            on_click=_load,
            args=(result, data, name),
        )
        if ui.can("export"):
            b2.download_button(
                "⬇️ Workbook (data contract)", data, name, XLSX, key="survey-dl-workbook", on_click="ignore"
            )
            b3.download_button(
                "⬇️ Mapping for the next wave",
                mapping_json(mapping),
                "survey-mapping.json",
                "application/json",
                key="survey-dl-mapping",
                on_click="ignore",
            )
