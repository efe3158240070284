"""Entrypoint: page config, navigation and the shared frame. No analysis here.

Pages live in ``app_pages/`` (not ``pages/``): with ``st.navigation`` a folder named exactly
``pages/`` makes a freshly started server route a deep link through Streamlit's legacy
multipage mechanism, so the navigation breaks (see README, "Why app_pages/").

Only the pages the user's roles allow are registered (``lib.app.auth.PAGE_ACCESS``), so a URL to any
other page is never routed: access is enforced on the server, not by hiding links.
"""

import streamlit as st

from lib.app import auth, network_view, overview_view, pulse_link, ui

st.set_page_config(page_title="Social learning dashboard", page_icon="🌱", layout="wide")

#: page key (url path) → (file, title, icon). Access per role: lib.app.auth.PAGE_ACCESS.
PAGES = {
    "overview": ("app_pages/overview.py", "Overview", "🧭"),
    "network": ("app_pages/network.py", "Network", "🕸️"),
    "learning": ("app_pages/learning.py", "Learning", "📚"),
    "trust": ("app_pages/trust.py", "Trust & wirearchy", "🤝"),
    "skills": ("app_pages/skills.py", "Skills", "🧩"),
    "data": ("app_pages/data.py", "Data", "📂"),
    "present": ("app_pages/present.py", "Present", "🎬"),
    "whatif": ("app_pages/whatif.py", "What if", "🔀"),
    "actions": ("app_pages/actions.py", "Actions", "✅"),
    "pulse_live": ("app_pages/pulse_live.py", "Live pulse", "📶"),
    "pulse": ("app_pages/pulse.py", "Pulse", "📝"),
    "signin": ("app_pages/signin.py", "Sign in", "🔑"),
}

if pulse_link.JOIN_PARAM in st.query_params:  # a pulse join link: this session becomes a participant
    auth.arrive(st.query_params, st.session_state, ui.workspace_engine(), ui.user())
user = ui.user()
allowed = [key for key in auth.pages_for(user) if key in PAGES]
# The sign-in page: the only page for someone signed out (sign-in configured) or without a role;
# registered but hidden from the menu for everyone else (it shows who is signed in).
shown, hidden = (allowed, ["signin"]) if allowed else (["signin"], [])
page = st.navigation(
    [
        st.Page(
            PAGES[key][0],
            title=PAGES[key][1],
            icon=PAGES[key][2],
            url_path=key,
            default=(i == 0),
            visibility="hidden" if key in hidden else "visible",
        )
        for i, key in enumerate(shown + hidden)
    ]
)
ui.sidebar()
if "overview" in allowed:  # the landing page, computed in the background (ready when it is opened)
    overview_view.prefetch(ui.settings())
if "network" in allowed:  # then the Network page's default person map (its layout)
    network_view.prefetch(ui.dataset(), ui.settings())
page.run()
