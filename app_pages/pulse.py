"""Pulse (participants): the short survey a join link opens, answered on a phone during a workshop."""

import streamlit as st

from lib.app import pulse_link, ui
from lib.app.auth import LOCAL_MODE_ENV
from lib.core.schema import LEARNING_TYPES, LIKERT_LABELS, TRUST_ITEM_BANK
from lib.store import pulse

ui.guard("pulse")  # stops here for a role that may not open this page
st.title("📝 Pulse")

token = st.session_state.get(pulse_link.STATE_TOKEN) or st.query_params.get(pulse_link.JOIN_PARAM)
if not token and ui.user().source == "remote":  # nothing configured, a browser on another computer
    st.info(
        "You opened this dashboard from another computer. Sign-in is not configured, so the "
        "dashboards, which show people's names, open only on the computer running the app. From "
        "here you can answer a pulse: open the join link or QR code the facilitator shares."
    )
    st.caption(
        "Running this app? Configure sign-in (README, 'Sign-in and roles') so colleagues can sign "
        "in from their own computers, or, on a trusted network or in a container, start it with "
        f"`{LOCAL_MODE_ENV}=anywhere` so every browser gets every dashboard."
    )
    st.stop()
if not token:
    st.info(
        "This page is for workshop participants: it opens from the join link or QR code the "
        "facilitator shares. Facilitators open a pulse on the **Live pulse** page."
    )
    st.stop()
session = pulse.get_session(ui.workspace_engine(), token)
if session is None:
    st.error("This pulse link is not valid. Ask the facilitator for the current link or QR code.")
    st.stop()
if not session.is_open:
    st.info("This pulse is closed: answers are no longer accepted. Thank you for taking part!")
    st.stop()

if session.title:
    st.subheader(ui.md(session.title))
st.caption(
    "Three short questions, about two minutes. Your answer is anonymous: it is stored under a random "
    "identity this browser keeps, never your name, and the room only ever sees totals and averages, "
    "updated a few answers at a time."
)
# one answer per browser: a signed token in a cookie (lib/store/pulse.py, "One answer per browser")
device = pulse_link.device_for(session, st.context.cookies, st.session_state)
if device.replaced:
    st.warning(
        "This browser held a pulse identity this pulse did not issue, so it was replaced with a new "
        "one: an answer sent before under the old one stays as it was."
    )

names = dict(session.roster)
repeated = {n for n in names.values() if list(names.values()).count(n) > 1} if names else set()
wording = {i.item: i.wording for i in TRUST_ITEM_BANK}

# Not an st.form: each answer goes to the server as it is given. With st.form, fifty phones at once
# sometimes sent the trust answers without values though the page showed them chosen (see
# benchmarks/README.md, "Known issue"); sent as given, the server holds every answer by the time
# "Send my answer" is pressed.
with st.container(border=True):
    st.markdown("**1. Last month, about how many hours did you spend learning in each of these ways?**")
    hours = {
        code_: st.number_input(
            text.split(":")[0],
            value=0.0,  # no bounds in the browser: an out-of-range number typed there is silently
            step=0.5,  # not sent (seen in Chromium); the server's check says what is wrong instead
            key=f"pulse-hours-{code_}",
            help=text,
        )
        for code_, text in LEARNING_TYPES.items()
    }
    st.markdown("**2. Who do you go to for advice at work?**")
    if session.roster:
        advisers = st.multiselect(
            "People you go to for advice",
            options=list(names),
            format_func=lambda p: f"{names[p]} ({p})" if names[p] in repeated else names[p],
            max_selections=pulse.MAX_ADVISERS,
            placeholder="Type a name",
            key="pulse-advisers",
        )
    else:
        typed = st.text_area(
            "Their names, one per line", key="pulse-advisers-free", help=f"Up to {pulse.MAX_ADVISERS} names."
        )
        advisers = [line for line in typed.splitlines() if line.strip()]
    st.markdown("**3. How much do you agree?**")
    trust = {
        item: st.radio(
            wording.get(item, item),
            options=list(LIKERT_LABELS),
            format_func=lambda v: f"{v} · {LIKERT_LABELS[v]}",
            index=None,
            horizontal=True,
            key=f"pulse-trust-{item}",
        )
        for item in session.trust_items
    }
    sent = st.button("Send my answer", type="primary", key="pulse-send")

if sent:
    # a statement left unanswered is left out: submit names it in its message
    answered = {item: value for item, value in trust.items() if value is not None}
    answer = pulse.Response(hours=hours, advisers=advisers, trust=answered)
    try:
        result = pulse.submit(ui.workspace_engine(), token, device.token, answer)
    except pulse.PulseError as err:
        st.error(ui.md(err))
    else:
        done = "Your earlier answer was replaced" if result.replaced else "Thank you: your answer is in"
        st.success(f"{done}. You can change it and send again until the facilitator closes the pulse.")
st.caption(
    "This browser remembers your answer's identity for this pulse (a cookie), so sending again from "
    "it, even after reopening the link, replaces your answer. Another browser or device counts as "
    "another participant."
)
if not device.stored:  # write the cookie; st.context.cookies only reads what the browser sent
    st.html(pulse_link.cookie_script(device), unsafe_allow_javascript=True)
