"""Analysis: network measures and roles, learning mixes, stocks and flows, the five shifts, trust
and wirearchy, skills and subject-matter networks, the network map's data, the overview and its
findings, and what-if scenarios. Tables in, tables out; no storage, no rendering.

May import: ``lib.core`` and other ``lib.analysis`` modules. Never ``lib.intake``, ``lib.store``,
``lib.report`` or ``lib.app``.
"""
