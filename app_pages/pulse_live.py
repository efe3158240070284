"""Live pulse (facilitator): open a pulse, share its join link and QR code, watch answers arrive, close it."""

from datetime import UTC, datetime

import plotly.express as px
import streamlit as st

from lib.analysis import pulse_summary
from lib.app import pulse_link, ui
from lib.core import privacy
from lib.core.schema import WIREARCHY_DIMENSIONS
from lib.report import definitions
from lib.store import pulse
from lib.store.workspaces import WorkspaceError

ui.guard("pulse_live")  # stops here for a role that may not open this page
st.title("📶 Live pulse")
st.caption(
    "A two-minute survey the room answers on their phones: hours in each of the five learning types, "
    "who they go to for advice, and three trust statements. Answers land in a new wave of the "
    "workspace as they arrive; closing the pulse freezes that wave. Pulse waves are kept apart from "
    "the organisation's uploaded waves: the room's participants are anonymous duplicates of real people."
)
engine = ui.workspace_engine()
cfg = ui.settings()

names = ui.workspace_names()  # those this user may open ([workspace_access])
with st.expander("New workspace", expanded=not names):
    new_name = st.text_input("Name", key="pulse-new-workspace", placeholder="e.g. Acme workshop")
    if st.button("Create the workspace", key="pulse-create-workspace", disabled=not new_name.strip()):
        try:
            names = [*names, ui.create_workspace(new_name)]
            st.session_state["pulse-workspace"] = names[-1]
        except WorkspaceError as err:
            st.error(ui.md(err))
ui.require(bool(names), "Create a workspace first: the pulse answers are kept in it.")
if st.session_state.get("pulse-workspace") not in names:
    st.session_state["pulse-workspace"] = ui.workspace() if ui.workspace() in names else names[0]
workspace = st.selectbox("Workspace", names, key="pulse-workspace")
base = st.text_input(
    "Address participants open",
    value=pulse_link.public_url(),
    key="pulse-public-url",
    help=f"This app's address as phones in the room reach it (set {pulse_link.ENV_PUBLIC_URL} to change the default).",
)

any_open = any(s.is_open for s in pulse.list_sessions(engine, workspace))
with st.expander("Open a new pulse", expanded=not any_open), st.form("pulse-open"):
    title = st.text_input("Title (participants see it)", key="pulse-title")
    dims = st.multiselect(
        "Trust: one statement for each of three dimensions",
        list(WIREARCHY_DIMENSIONS),
        default=list(pulse.DEFAULT_TRUST_DIMENSIONS),
        max_selections=3,
        format_func=lambda d: WIREARCHY_DIMENSIONS[d].split(":")[0],
        key="pulse-dims",
    )
    if st.form_submit_button("Open a pulse session", type="primary"):
        try:
            opened = pulse.open_session(engine, workspace, title=title, trust_dimensions=dims)
        except WorkspaceError as err:  # PulseError included
            st.error(ui.md(err))
        else:
            st.session_state["pulse-session"] = opened.token
            st.rerun()  # the form folds away now that a pulse is open

sessions = {s.token: s for s in pulse.list_sessions(engine, workspace)}
ui.require(bool(sessions), "No pulse on this workspace yet: open one above.")
if st.session_state.get("pulse-session") not in sessions:
    st.session_state["pulse-session"] = next(iter(sessions))
token = st.selectbox(
    "Pulse",
    list(sessions),
    format_func=lambda t: (
        f"{sessions[t].wave} · {'open' if sessions[t].is_open else 'closed'}"
        + (f" · {sessions[t].title}" if sessions[t].title else "")
    ),
    key="pulse-session",
)
session = sessions[token]

if session.is_open:
    try:
        link = pulse_link.join_url(base, session.token)
    except pulse.PulseError as err:
        st.error(ui.md(err))
        st.stop()
    left, right = st.columns([2, 1])
    with left:
        st.markdown("**Join link** (or scan the code):")
        st.code(link, language=None)
        if st.button("Close the pulse and freeze the wave", key="pulse-close"):
            pulse.close_session(engine, session.token)
            st.rerun()
    right.image(pulse_link.qr_png(link), width=280, caption="Scan to join")
else:
    assert session.closed_at is not None
    st.info(f"Closed at {session.closed_at:%H:%M} UTC: wave **{ui.md(session.wave)}** is frozen.")


def _open_wave(name: str, label: str) -> None:
    ui.open_workspace(name)
    ui.open_wave(label)


st.button(
    "Show this pulse on the other pages",
    key="pulse-open-wave",
    on_click=_open_wave,
    args=(session.workspace, session.wave),
    help="Makes the pulse wave this session's data, for the Overview, Network, Learning and Trust pages.",
)


org_base = pulse.organisation_base(engine, session.workspace)  # read once per page run, not every 2 s


@st.fragment(run_every="2s" if session.is_open else None)
def live() -> None:
    summary = pulse.live_summary(engine, token, cfg.min_group_size)
    ago = (
        f"{(datetime.now(UTC) - summary.last_answer_at).total_seconds():.0f} s ago"
        if summary.last_answer_at
        else "—"
    )
    cols = st.columns(3)
    cols[0].metric("Answers so far", summary.answers, help=definitions.text("pulse_summary"))
    cols[1].metric("Last answer", ago)
    cols[2].metric(
        "Advice ties named",
        int(summary.advisers["mentions"].sum()),
        help=definitions.text("pulse_advice_ties"),
    )
    # counts are live; what people answered moves in batches (lib/store/pulse.py, "What the live view shows")
    if summary.shown_answers == 0:
        st.info(
            f"Averages appear once {max(summary.batch, cfg.min_group_size)} people have answered (the "
            "minimum group size), so nobody's answer can be read off the screen."
        )
    elif summary.hidden:
        st.info(
            f"Averages are withheld: the last update covers {summary.shown_answers} people, fewer than "
            f"the minimum group size ({cfg.min_group_size})."
        )
    else:
        _averages(summary)
    if summary.shown_at is not None and summary.batch:
        st.caption(
            f"Averages, advice ties and the comparison below are as of {summary.shown_answers} answers "
            f"({summary.shown_at:%H:%M:%S} UTC). They update once {summary.batch} people have answered "
            f"or changed their answer since ({summary.waiting} so far), or when the pulse closes, so no "
            "single answer can be read off the screen."
        )
    st.subheader("The room against the organisation")
    comparison = pulse_summary.compare_with_base(summary, org_base, cfg.min_group_size)
    if comparison.hidden:
        st.caption(comparison.note)
        return
    shown = comparison.table[["type", "room", "organisation", "difference"]].assign(
        room=lambda t: t["room"] * 100,
        organisation=lambda t: t["organisation"] * 100,
        difference=lambda t: t["difference"] * 100,
    )
    st.dataframe(
        shown,
        hide_index=True,
        key="pulse-comparison-table",
        column_config={
            "type": "learning type",
            "room": st.column_config.NumberColumn(f"the room ({comparison.room})", format="%.0f%%"),
            "organisation": st.column_config.NumberColumn(
                f"the organisation ({comparison.organisation})", format="%.0f%%"
            ),
            # a difference of two shares is in percentage points, not per cent
            "difference": st.column_config.NumberColumn("room − organisation", format="%+.0f pts"),
        },
    )
    source = org_base.source if org_base is not None else ""
    inner = f" (learning wave {comparison.wave})" if comparison.wave and comparison.wave not in source else ""
    st.caption(
        "Each learning type's share of the hours reported, in this pulse and in the workspace's latest "
        f"uploaded {ui.md(source + inner)}; the same definition on both sides (number of people in brackets)."
    )


def _averages(summary: pulse_summary.PulseSummary) -> None:
    left, right = st.columns(2)
    fig = px.bar(summary.hours, x="learning_type", y="mean_hours", labels={"mean_hours": "hours a month"})
    left.plotly_chart(fig, key="pulse-hours-chart")
    right.dataframe(
        summary.trust[["wording", "mean", "answers"]],
        hide_index=True,
        column_config={
            "wording": st.column_config.TextColumn("statement", width="large"),
            "mean": st.column_config.NumberColumn("mean (1–5)", format="%.1f", width="small"),
            "answers": st.column_config.NumberColumn("answers", width="small"),
        },
    )
    if cfg.individuals_visible and len(summary.advisers):
        labels = ui.person_labels()
        table = summary.advisers.copy()
        unknown = [p for p in table["person_id"] if p not in labels]
        fallback = privacy.pseudonymise(unknown, session.token) if cfg.pseudonyms else {}
        table["person"] = [
            labels.get(p) or fallback.get(p) or n
            for p, n in zip(table["person_id"], table["name"], strict=True)
        ]
        right.dataframe(table[["person", "mentions"]].head(15), hide_index=True, key="pulse-advisers-table")


live()
