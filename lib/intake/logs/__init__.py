"""Collaboration logs at company scale: exports people can obtain (Slack, Viva Insights, Zoom and
Teams attendance, .mbox headers, xAPI and LMS learning records, our own interactions table) read
as one normalised event stream and aggregated into ties by DuckDB (default) or Spark.

Modules: ``events`` (the event stream, its staging on disk and the read/skip report), ``shapes``
(which source a file is, by its shape), one reader per family (``slack``, ``mail``, ``meetings``,
``learning``, ``tables``), ``aggregate`` (the aggregation, written once in SQL) and ``ingest``
(sources → a zip of contract CSVs).

May import: ``lib.core`` and ``lib.intake`` (layer rule in :mod:`lib.intake`).
"""
