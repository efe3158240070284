"""Survey exports: the question mapping and the review's choices, kept per workspace for the next wave.

``survey_mappings``: one row per export column a facilitator mapped (its key, the meaning as JSON).
``survey_resolutions``: one row per review choice (respondent, column, answer text → person_id,
"" for nobody). Both hang off the workspace (``ON DELETE CASCADE``) and start empty.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "survey_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("column_key", sa.Text(), nullable=False),
        sa.Column("meaning", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        _workspace_fk("survey_mappings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_mappings")),
        sa.UniqueConstraint("workspace_id", "key_digest", name="uq_survey_mappings_workspace_key"),
    )
    op.create_index(op.f("ix_survey_mappings_workspace_id"), "survey_mappings", ["workspace_id"])
    op.create_table(
        "survey_resolutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("respondent", sa.String(length=200), nullable=False),
        sa.Column("column_key", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("person_id", sa.String(length=200), nullable=False),
        sa.Column("chosen_at", sa.DateTime(), nullable=False),
        _workspace_fk("survey_resolutions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_resolutions")),
        sa.UniqueConstraint("workspace_id", "digest", name="uq_survey_resolutions_workspace_digest"),
    )
    op.create_index(op.f("ix_survey_resolutions_workspace_id"), "survey_resolutions", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("survey_resolutions")  # its indexes go with it
    op.drop_table("survey_mappings")
