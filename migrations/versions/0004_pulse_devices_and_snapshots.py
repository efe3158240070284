"""Live pulse: a key that signs each participant's device token, and the averages last shown.

``pulse_sessions.device_key`` signs the per-browser participant tokens (lib/store/pulse.py); sessions
opened before this revision get a fresh random key each. ``shown`` is the snapshot of averages the
live view shows and ``changed`` the respondents who answered since it; both start empty (NULL), so
an open pulse shows its next snapshot once enough people answer, and a closed one its final state.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pulse_sessions") as batch:
        batch.add_column(sa.Column("device_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("shown", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("changed", sa.JSON(), nullable=True))
    sessions = sa.table("pulse_sessions", sa.column("id", sa.Integer()), sa.column("device_key", sa.String()))
    bind = op.get_bind()
    for (session_id,) in bind.execute(sa.select(sessions.c.id)).all():  # a key of its own each
        bind.execute(
            sessions.update().where(sessions.c.id == session_id).values(device_key=secrets.token_hex(32))
        )
    with op.batch_alter_table("pulse_sessions") as batch:
        batch.alter_column("device_key", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("pulse_sessions") as batch:
        batch.drop_column("changed")
        batch.drop_column("shown")
        batch.drop_column("device_key")
