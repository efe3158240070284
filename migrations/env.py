"""Alembic environment: migrations run on the connection lib.store.db.ensure_schema hands over.

Run from the Alembic command line (``alembic -c migrations/alembic.ini …``) it opens its own
connection to :func:`lib.store.db.database_url`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from lib.store.models import Base


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER TABLE via table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    from lib.store.db import make_engine

    with make_engine().connect() as conn:
        run(conn)
        conn.commit()
