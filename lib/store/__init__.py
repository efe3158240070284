"""Storage: the workspaces database (SQLAlchemy models, engine, migrations), waves, settings and
the live pulse's answers.

May import: ``lib.core``, ``lib.intake`` and ``lib.analysis``. Never ``lib.report`` or ``lib.app``.
"""
