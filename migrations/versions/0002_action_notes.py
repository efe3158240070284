"""Agreed actions get a notes column (workshop mode: the room's notes on each action).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # server_default so existing rows (and SQLite's ADD COLUMN ... NOT NULL) get "".
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("notes")
