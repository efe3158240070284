"""The shared core: the dataset and its schema, findings and errors, waves (which rows a wave
stands for), privacy (what may be shown), small statistics, text escaping, and work forked to a
second core by the command line (``forked``).

May import: nothing from ``lib`` outside ``lib.core`` (and no streamlit). Every other package
imports it.
"""
