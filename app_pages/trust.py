import streamlit as st

st.title("🤝 Trust & wirearchy")
st.info("This page is being built.")
