"""Sign in: a built-in account (offline workshops) or the organisation's identity provider (OIDC).

The only page registered for someone not signed in when sign-in is configured (app.py); it has no
``ui.guard`` because it is the page the guard sends nobody to. Configuration: README, "Sign-in and roles".
"""

import math

import streamlit as st

from lib.app import auth, ui

config = ui.auth_config()
user = ui.user()
st.title("🔑 Sign in")

if not config.configured:
    st.info(
        "Sign-in is not configured: a browser on the computer running the app is the local user with "
        "every role; a browser elsewhere may only answer a pulse through its join link. "
        "To require sign-in, add accounts or an identity provider to `.streamlit/secrets.toml` "
        "(README, 'Sign-in and roles')."
    )
    st.stop()
if user.roles:
    st.success(f"Signed in as **{ui.md(user.name)}** ({ui.roles_text(user)}).")
    st.stop()
if user.source == "oidc":  # the identity provider let them in, but [roles] gives them no role
    st.warning(
        f"**{ui.md(user.name)}** is signed in but has no role in this dashboard. "
        "Ask the facilitator to add your e-mail address."
    )
    if st.button("Sign out", key="signin-sign-out"):
        ui.sign_out()
    st.stop()

st.write("This dashboard shows an organisation's survey and network data. Sign in to see it.")
for provider in config.oidc_providers:
    label = "Sign in with your organisation's account" if not provider else f"Sign in with {provider}"
    if st.button(label, key=f"login-{provider or 'default'}", type="primary"):
        st.login(provider or None)

if config.accounts:
    if config.oidc_providers:
        st.caption("Or, in an offline workshop, with an account the facilitator gave you:")
    with st.form("account-sign-in", clear_on_submit=True):  # the password never stays in the session
        name = st.text_input("Account", key="signin-name", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="signin-password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        client = auth.client_address(st.context.ip_address)  # wrong passwords count per name and address
        with st.spinner("Checking…"):
            signed = auth.account_user(config, name, password, address=client)
        if signed is None:
            wait = auth.THROTTLE.wait_seconds(name.strip(), client)
            st.error(
                "Wrong account name or password."
                + (f" Too many attempts: try again in {math.ceil(wait / 60)} minute(s)." if wait else "")
            )
        else:
            ui.sign_in(signed)
            st.rerun()
