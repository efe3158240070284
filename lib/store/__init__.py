"""Storage: the workspaces database (SQLAlchemy models, engine, migrations), waves, settings,
the live pulse's answers and the workshop's sessions and agreed actions.

May import: ``lib.core``, ``lib.intake`` and ``lib.analysis``. Never ``lib.report`` or ``lib.app``.
"""
