"""The application layer: the Streamlit widgets shared by the pages (``ui``, the only module in
``lib`` that imports streamlit), sign-in and roles (``auth``), arriving at the live pulse by its
join link (``pulse_link``) and the command line (``cli``).

May import: anything in ``lib``. Nothing in ``lib`` imports it.
"""
