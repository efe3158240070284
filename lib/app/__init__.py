"""The application layer: the Streamlit widgets shared by the pages (``ui``) and the Data page's
validation table and workspace panel (``data_page``), the only modules in ``lib`` that import
streamlit; sign-in and roles (``auth``), arriving at the live pulse by its join link
(``pulse_link``) and the command line (``cli``).

May import: anything in ``lib``. Nothing in ``lib`` imports it.
"""
