"""Presentation: the slide plan (:func:`lib.report.workshop.slide_plan`, the one the exported deck
draws), one slide per screen with its chart, in large type, for a workshop room.

Always the aggregate view, whatever the sidebar says: no names or ids, groups under the minimum size
hidden (the same filtered report the exported deck is built from). The sidebar is hidden on this page.
"""

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lib.app import present_view, ui
from lib.report import workshop
from lib.report.exports import ExportOptions, build_report
from lib.store import actions as actions_store
from lib.store.workspaces import WorkspaceError

ui.guard("present")
cfg = ui.settings()
st.html(present_view.STYLE)

options = ExportOptions(view="aggregate", min_group_size=cfg.min_group_size)
report = ui.compute(build_report, options)
actions: list[actions_store.ActionItem] = []
if name := ui.workspace():
    try:
        actions = actions_store.list_actions(ui.workspace_engine(), name)
    except (WorkspaceError, SQLAlchemyError):
        st.caption("The workspace's agreed actions cannot be read just now.")
plan = workshop.slide_plan(report, has_actions=bool(actions))
i = min(int(st.session_state.get("present_slide", 0)), len(plan) - 1)


def _go(target: int) -> None:
    st.session_state["present_slide"] = target


present_view.show_slide(plan[i], report, actions)

st.divider()
back, counter, forward, leave = st.columns([1, 1, 1, 2], vertical_alignment="center")
back.button("◀ Back", on_click=_go, args=(i - 1,), disabled=i == 0, width="stretch", key="present-back")
counter.markdown(
    f"<div style='text-align:center;font-size:1.4rem'>{i + 1} / {len(plan)}</div>", unsafe_allow_html=True
)
forward.button(
    "Next ▶", on_click=_go, args=(i + 1,), disabled=i == len(plan) - 1, width="stretch", key="present-next"
)
leave.page_link("app_pages/overview.py", label="Exit presentation", icon="⏹️")
