"""Live pulse: a pulse_sessions table, and one pulse answer per (wave, respondent, item).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pulse_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("base_wave_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("roster", sa.JSON(), nullable=False),
        sa.Column("trust_items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_pulse_sessions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name=op.f("fk_pulse_sessions_wave_id_waves"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["base_wave_id"],
            ["waves.id"],
            name=op.f("fk_pulse_sessions_base_wave_id_waves"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_sessions")),
        sa.UniqueConstraint("wave_id", name=op.f("uq_pulse_sessions_wave_id")),
        sa.UniqueConstraint("token", name=op.f("uq_pulse_sessions_token")),
    )
    op.create_index(op.f("ix_pulse_sessions_workspace_id"), "pulse_sessions", ["workspace_id"])
    # Answers stored before this revision had no pulse session and no constraint: keep the newest
    # row of any duplicate (wave, respondent, item) so the constraint can be created.
    op.execute(
        "DELETE FROM pulse_answers WHERE id NOT IN ("
        " SELECT max(id) FROM pulse_answers GROUP BY wave_id, respondent, item)"
    )
    with op.batch_alter_table("pulse_answers") as batch:
        batch.create_unique_constraint(
            "uq_pulse_answers_wave_respondent_item", ["wave_id", "respondent", "item"]
        )


def downgrade() -> None:
    with op.batch_alter_table("pulse_answers") as batch:
        batch.drop_constraint("uq_pulse_answers_wave_respondent_item", type_="unique")
    op.drop_table("pulse_sessions")
