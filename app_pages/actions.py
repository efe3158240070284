"""Agreed actions: what the room decides to do, with an owner (a role or team), a due date and notes,
saved in the workspace (so it is there next time, on any machine) and shown in the exported deck."""

from datetime import date

import streamlit as st

from lib.app import ui
from lib.report.deck import deck_bytes
from lib.report.exports import MIME, ExportOptions, build_report, export_filename
from lib.store import actions
from lib.store.pulse import room_pulse
from lib.store.workspaces import WorkspaceError, import_dataset

ui.guard("actions")
cfg = ui.settings()
st.title("✅ Agreed actions")
st.write(
    "Capture what the room agrees to do next. Actions are saved in the workspace, so they are still there "
    'at the next session, and they appear on the "Agreed actions" slides of the workshop deck.'
)
engine = ui.workspace_engine()
name = ui.workspace() or ""  # "": none is open, and the guard below stops the page


def _open(choice: str) -> None:
    try:
        ui.open_workspace(st.session_state.get(choice) or None)
    except WorkspaceError as err:
        st.session_state["actions-error"] = str(err)


def _create() -> None:
    new = str(st.session_state.get("actions-new-ws", "")).strip()
    try:
        new = ui.check_new_workspace(new)  # refuses a taken name, or one assigned to others
        ds = ui.dataset()
        # The data on screen become its first wave, named after their latest wave when they have waves.
        import_dataset(engine, new, ds, label=ds.waves[-1] if ds.waves else None)
        ui.open_workspace(new)
    except WorkspaceError as err:
        st.session_state["actions-error"] = str(err)


if error := st.session_state.pop("actions-error", None):
    st.error(ui.md(error))
if not name:
    st.info("Actions are kept in a workspace, and none is open. Choose one, or create one for this workshop.")
    c1, c2 = st.columns(2)
    names = ui.workspace_names()  # those this user may open ([workspace_access])
    if names:
        c1.selectbox(
            "Open a workspace", ["", *names], key="actions-ws", on_change=_open, args=("actions-ws",)
        )
    with c2.form("actions-create"):
        st.text_input("New workspace", key="actions-new-ws", placeholder="e.g. Acme leadership workshop")
        st.caption(
            f"The data on screen ({ui.md(ui.dataset().source or 'upload')}) are saved as its first wave."
        )
        st.form_submit_button("Create and open", on_click=_create)
    st.stop()


def _new_session() -> None:
    try:
        made = actions.create_session(engine, name, st.session_state.get("actions-session-title", ""))
        st.session_state["actions-session"] = made.id
    except WorkspaceError as err:
        st.session_state["actions-error"] = str(err)


def _status(action_id: int) -> None:
    done = bool(st.session_state.get(f"actions-done-{action_id}"))
    actions.update_action(engine, name, action_id, status="done" if done else "open")


def _delete(action_id: int) -> None:
    actions.delete_action(engine, name, action_id)


sessions = {s.id: s for s in actions.list_sessions(engine, name)}
st.caption(f"Workspace: **{ui.md(name)}**")
s1, s2 = st.columns([3, 1], vertical_alignment="bottom")
session_id = s1.selectbox(
    "Workshop session",
    [None, *sessions],
    format_func=lambda k: (
        "All actions in this workspace"
        if k is None
        else f"{sessions[k].title} ({sessions[k].held_at:%Y-%m-%d})"
    ),
    key="actions-session",
)
with s2.popover("New session", width="stretch"):
    st.text_input("Title", value=f"Workshop {date.today():%Y-%m-%d}", key="actions-session-title")
    st.button("Start session", on_click=_new_session, key="actions-session-start")
if session_id is not None:
    notes = st.text_area(
        "The room's notes for this session", sessions[session_id].notes, key=f"actions-notes-{session_id}"
    )
    if st.button("Save notes", key="actions-save-notes"):
        actions.update_session_notes(engine, name, session_id, notes)
        st.toast("Notes saved.")

with st.form("actions-add", clear_on_submit=True):
    title = st.text_input("Action", placeholder="What will be done?", key="actions-title")
    f1, f2 = st.columns(2)
    owner = f1.text_input("Owner (a role or team)", key="actions-owner")
    due = f2.date_input("Due", value=None, key="actions-due")
    extra = st.text_area("Notes", key="actions-notes", height=80)
    if st.form_submit_button("Add action", type="primary"):
        try:
            actions.add_action(engine, name, title, owner, due, extra, session_id)
            st.toast("Action saved.")
        except WorkspaceError as err:
            st.error(ui.md(err))

items = actions.list_actions(engine, name, session_id=session_id)
st.subheader(f"{len(items)} agreed action{'s' if len(items) != 1 else ''}")
for a in items:
    with st.container(border=True):
        c1, c2, c3 = st.columns([8, 1, 1], vertical_alignment="center")
        meta = " · ".join(x for x in (a.owner, f"due {a.due_on:%Y-%m-%d}" if a.due_on else "") if x)
        c1.markdown(f"**{ui.md(a.title)}**" + (f"  \n{ui.md(meta)}" if meta else ""))
        if a.notes:
            c1.caption(ui.md(a.notes))
        c2.checkbox(
            "Done", value=a.status == "done", key=f"actions-done-{a.id}", on_change=_status, args=(a.id,)
        )
        c3.button("Delete", key=f"actions-delete-{a.id}", on_click=_delete, args=(a.id,))

if items:
    ui.download_table(
        actions.actions_table(items), "agreed_actions.csv", "Download the actions (CSV)", key="actions-csv"
    )
if ui.can("export"):
    options = ExportOptions(view=cfg.view, min_group_size=cfg.min_group_size, pseudonyms=cfg.pseudonyms)
    ds = ui.dataset()
    st.download_button(
        f"⬇️ Workshop deck with the agreed actions and the room's pulse ({cfg.view} view)",
        data=lambda: deck_bytes(
            ds,
            options,
            report=build_report(ds, options),
            actions=items,
            room=room_pulse(engine, name, cfg.min_group_size),
        ),
        file_name=export_filename("pptx", cfg.view),
        mime=MIME["pptx"],
        key="actions-deck",
        on_click="ignore",
    )
