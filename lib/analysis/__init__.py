"""Analysis: network measures and roles, learning mixes, stocks and flows, the five shifts, trust,
the hierarchy in the advice network and the wirearchy index, skills and subject-matter networks,
the network map's data, the overview and its findings, what-if scenarios, and the live pulse's
tables and summaries. Tables in, tables out; no storage, no rendering.

May import: ``lib.core`` and other ``lib.analysis`` modules. Never ``lib.intake``, ``lib.store``,
``lib.report`` or ``lib.app``.
"""
