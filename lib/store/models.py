"""The workspace database schema, as SQLAlchemy 2 declarative models.

The migrations in ``migrations/versions/`` create exactly these tables (a test compares the
migrated database with this metadata). Every row hangs off a workspace with ``ON DELETE
CASCADE``, so deleting a workspace row removes its waves, their tables, the uploaded files,
cached results, workshop sessions, actions and pulse answers in the same transaction.

Tables
------
``workspaces``          one organisation or engagement, with its settings as columns
``waves``               one import (``kind="upload"``) or pulse (``kind="pulse"``) per row
``wave_tables``         each canonical :class:`~lib.core.dataset.Dataset` table of a wave, as Parquet
``upload_files``        the uploaded file(s) of a wave, kept only for the retention period
``cached_results``      computed results per workspace (or wave), removed with their data
``workshop_sessions``   facilitated sessions on a wave (filled by a later step)
``actions``             actions agreed in a workshop session (later step)
``pulse_answers``       short pulse-survey answers, per pseudonymous respondent (lib/store/pulse.py)
``pulse_sessions``      live pulses: join token, the pulse wave, open/closed (lib/store/pulse.py)
``survey_mappings``     the survey-export question mapping kept for the next wave (lib/store/survey_choices.py)
``survey_resolutions``  the survey review's choices kept for the next wave (lib/store/survey_choices.py)

Timestamps are stored as naive UTC (SQLite keeps no time zone); :mod:`lib.store.workspaces` converts
at the boundary.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Action",
    "Base",
    "CachedResult",
    "PulseAnswer",
    "PulseSession",
    "SurveyMapping",
    "SurveyResolution",
    "UploadFile",
    "Wave",
    "WaveTable",
    "WorkshopSession",
    "Workspace",
]

#: Constraint names fixed by convention, so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _workspace_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    default_view: Mapped[str] = mapped_column(String(20), default="aggregate")
    pseudonym_salt: Mapped[str] = mapped_column(String(64))
    channel_modes: Mapped[dict[str, str]] = mapped_column(JSON)
    #: Days an upload (its wave, tables and files) is kept; None = until deleted by hand.
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Wave(Base):
    __tablename__ = "waves"
    __table_args__ = (UniqueConstraint("workspace_id", "label", name="uq_waves_workspace_label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # "upload" or "pulse"
    source: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    channel_modes: Mapped[dict[str, str]] = mapped_column(JSON)


class WaveTable(Base):
    __tablename__ = "wave_tables"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(40))  # "parquet-zstd"
    row_count: Mapped[int] = mapped_column(BigInteger)
    #: [[column, pandas dtype], …] as imported, to restore dtypes Parquet cannot tell apart
    columns: Mapped[list[list[str]]] = mapped_column(JSON)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class UploadFile(Base):
    __tablename__ = "upload_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(DateTime)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CachedResult(Base):
    __tablename__ = "cached_results"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_cached_results_workspace_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    #: The wave the result was computed from; None when it spans the workspace's waves.
    wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("waves.id", ondelete="CASCADE"), index=True, nullable=True
    )
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class WorkshopSession(Base):
    __tablename__ = "workshop_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id", ondelete="SET NULL"), nullable=True)
    title: Mapped[str] = mapped_column(Text)
    held_at: Mapped[datetime] = mapped_column(DateTime)
    notes: Mapped[str] = mapped_column(Text, default="")


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_sessions.id", ondelete="SET NULL"), nullable=True
    )
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: The room's notes on the action (migration 0002).
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")


class PulseAnswer(Base):
    __tablename__ = "pulse_answers"
    #: One row per respondent and item: a second submission replaces, never doubles (migration 0003).
    __table_args__ = (
        UniqueConstraint("wave_id", "respondent", "item", name="uq_pulse_answers_wave_respondent_item"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[str] = mapped_column(String(64))  # a pseudonymous key, never a name
    item: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(DateTime)


class PulseSession(Base):
    """A live pulse (lib/store/pulse.py): answers land in its wave while ``closed_at`` is None."""

    __tablename__ = "pulse_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    #: The pulse wave the answers land in (kind "pulse"); deleting the wave deletes the session.
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), unique=True)
    #: The uploaded wave whose people are the roster (their attributes are copied for advisers).
    base_wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("waves.id", ondelete="SET NULL"), nullable=True
    )
    #: The join link's secret (secrets.token_urlsafe): grants answering this pulse, nothing else.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    #: [[person_id, name], …] participants pick advisers from; [] = free names.
    roster: Mapped[list[list[str]]] = mapped_column(JSON)
    #: Trust item ids asked, in order.
    trust_items: Mapped[list[str]] = mapped_column(JSON)
    #: Signs the participants' device tokens (hex of 32 random bytes; never leaves the server).
    device_key: Mapped[str] = mapped_column(String(64))
    #: The averages last shown, a snapshot (lib.store.pulse): None until the first one (migration 0004).
    shown: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: Respondents who answered or replaced an answer since that snapshot.
    changed: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class SurveyMapping(Base):
    """One column of a survey export mapped by a facilitator (migration 0005): reused for the next
    wave's export in the same workspace (lib/store/survey_choices.py)."""

    __tablename__ = "survey_mappings"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key_digest", name="uq_survey_mappings_workspace_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    #: SHA-256 of ``column_key``: a question's text can be too long to index on every backend.
    key_digest: Mapped[str] = mapped_column(String(64))
    #: The export column's key (its export tag, else the question text and statement).
    column_key: Mapped[str] = mapped_column(Text)
    #: The meaning as the mapping JSON writes it: {"kind": ..., "target": ..., ...}.
    meaning: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(DateTime)


class SurveyResolution(Base):
    """One review choice (migration 0005): the text a respondent gave for a question, and the
    person it names ("" = nobody on the roster). Reused when a later export holds the same answer."""

    __tablename__ = "survey_resolutions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "digest", name="uq_survey_resolutions_workspace_digest"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = _workspace_fk()
    #: SHA-256 of (respondent, column_key, answer): the unique key, whatever their lengths.
    digest: Mapped[str] = mapped_column(String(64))
    #: The respondent's person_id ("" when the choice is who the respondent is).
    respondent: Mapped[str] = mapped_column(String(200))
    column_key: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    person_id: Mapped[str] = mapped_column(String(200))
    chosen_at: Mapped[datetime] = mapped_column(DateTime)
