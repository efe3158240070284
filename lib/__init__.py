"""Analysis and I/O for the social-learning dashboard. Nothing here imports streamlit except ``lib.ui``."""
