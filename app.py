"""Entrypoint: page config, navigation and the shared frame. No analysis here.

Pages live in ``app_pages/`` (not ``pages/``): with ``st.navigation`` a folder named exactly
``pages/`` makes a freshly started server route a deep link through Streamlit's legacy
multipage mechanism, so the navigation breaks (see README, "Why app_pages/").
"""

import streamlit as st

from lib import ui

st.set_page_config(page_title="Social learning dashboard", page_icon="🌱", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon="🧭", url_path="overview", default=True),
    st.Page("app_pages/network.py", title="Network", icon="🕸️", url_path="network"),
    st.Page("app_pages/learning.py", title="Learning", icon="📚", url_path="learning"),
    st.Page("app_pages/trust.py", title="Trust & wirearchy", icon="🤝", url_path="trust"),
    st.Page("app_pages/skills.py", title="Skills", icon="🧩", url_path="skills"),
    st.Page("app_pages/data.py", title="Data", icon="📂", url_path="data"),
]

page = st.navigation(PAGES)
ui.sidebar()
page.run()
