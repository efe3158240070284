"""A workspace's survey-export choices, kept for the next wave: the question mapping and the
review's resolutions (tables ``survey_mappings`` and ``survey_resolutions``, migration 0005).

A facilitator who maps a question the kit does not know, or says who "Ana Silva" meant, should
not have to do it again when the next wave's export arrives. Both are stored per workspace and
deleted with it (``ON DELETE CASCADE``):

- the mapping: export column key (its export tag, else its question text) → meaning, as the
  mapping JSON writes it (:func:`lib.intake.survey.questions.mapping_entries`);
- the resolutions: (respondent's person_id, column key, answer text) → the person chosen, ``""``
  for nobody (:attr:`lib.intake.survey.convert.ReviewRow.memory_key`). The row of the export is
  left out on purpose: it changes with every export, the respondent does not.

Every call names the workspace and touches only its rows; who may call is the app's concern (the
``upload`` action, and a workspace the user may open: :mod:`lib.app.survey_ui`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from sqlalchemy import Engine, delete, insert, select

from lib.intake.survey.convert import MemoryKey
from lib.intake.survey.questions import Meaning, mapping_entries, mapping_from_entries
from lib.store.db import db_time, write_transaction
from lib.store.models import SurveyMapping, SurveyResolution
from lib.store.workspaces import WorkspaceError, workspace_id

__all__ = [
    "forget_resolution",
    "save_mapping",
    "save_resolution",
    "saved_mapping",
    "saved_resolutions",
]

MAX_ID = 200  # the person_id and respondent columns' width


def _digest(*parts: str) -> str:
    """SHA-256 of the parts, each length-prefixed (so ("ab", "c") and ("a", "bc") differ)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        h.update(f"{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()


# --- the mapping -----------------------------------------------------------------------------------


def saved_mapping(engine: Engine, workspace: str) -> dict[str, Meaning]:
    """The mapping kept for ``workspace``: column key → meaning (empty when none was saved).
    An entry that is no longer a valid meaning (a kind or learning type renamed since) is left out."""
    with engine.connect() as conn:
        ws_id = workspace_id(conn, workspace)
        rows = conn.execute(
            select(SurveyMapping.column_key, SurveyMapping.meaning).where(SurveyMapping.workspace_id == ws_id)
        ).all()
    out: dict[str, Meaning] = {}
    for key, entry in rows:
        try:
            out.update(mapping_from_entries({key: entry}))
        except ValueError:
            continue
    return out


def save_mapping(
    engine: Engine, workspace: str, mapping: Mapping[str, Meaning], columns: Iterable[str] | None = None
) -> None:
    """Keep ``mapping`` for ``workspace``'s next wave, in one transaction.

    ``columns``: the keys of the export the mapping was made for. Their saved entries are replaced
    by ``mapping``'s (a key of ``columns`` missing from ``mapping`` is forgotten: the facilitator
    set it back to what the kit recognises); entries for other columns (a question asked in an
    earlier wave only) stay. ``None``: the keys of ``mapping``."""
    keys = set(mapping if columns is None else columns) | set(mapping)
    entries = mapping_entries(dict(mapping))
    now = db_time()
    with write_transaction(engine) as conn:
        ws_id = workspace_id(conn, workspace)
        digests = [_digest(k) for k in keys]
        if digests:
            conn.execute(
                delete(SurveyMapping).where(
                    SurveyMapping.workspace_id == ws_id, SurveyMapping.key_digest.in_(digests)
                )
            )
        if entries:
            conn.execute(
                insert(SurveyMapping),
                [
                    {
                        "workspace_id": ws_id,
                        "key_digest": _digest(key),
                        "column_key": key,
                        "meaning": entry,
                        "saved_at": now,
                    }
                    for key, entry in entries.items()
                ],
            )


# --- the review's resolutions ----------------------------------------------------------------------


def _clean_key(key: MemoryKey) -> MemoryKey:
    respondent, column, text = (str(part).strip() for part in key)
    if len(respondent) > MAX_ID:
        raise WorkspaceError(f"A respondent id is longer than {MAX_ID} characters.")
    if not column or not text:
        raise WorkspaceError("A review choice needs the question and the answer it resolves.")
    return (respondent, column, text)


def save_resolution(engine: Engine, workspace: str, key: MemoryKey, person_id: str) -> None:
    """Keep a review choice for ``workspace``: the answer ``key`` = (respondent's person_id,
    column key, text given) names ``person_id`` ("" = nobody on the roster: drop the answer).
    A second choice for the same answer replaces the first."""
    respondent, column, text = _clean_key(key)
    person = str(person_id).strip()
    if len(person) > MAX_ID:
        raise WorkspaceError(f"A person id is longer than {MAX_ID} characters.")
    digest = _digest(respondent, column, text)
    with write_transaction(engine) as conn:
        ws_id = workspace_id(conn, workspace)
        conn.execute(
            delete(SurveyResolution).where(
                SurveyResolution.workspace_id == ws_id, SurveyResolution.digest == digest
            )
        )
        conn.execute(
            insert(SurveyResolution).values(
                workspace_id=ws_id,
                digest=digest,
                respondent=respondent,
                column_key=column,
                answer=text,
                person_id=person,
                chosen_at=db_time(),
            )
        )


def forget_resolution(engine: Engine, workspace: str, key: MemoryKey) -> bool:
    """Forget a kept review choice; True when there was one."""
    respondent, column, text = _clean_key(key)
    with write_transaction(engine) as conn:
        ws_id = workspace_id(conn, workspace)
        gone = conn.execute(
            delete(SurveyResolution).where(
                SurveyResolution.workspace_id == ws_id,
                SurveyResolution.digest == _digest(respondent, column, text),
            )
        )
        return bool(gone.rowcount)


def saved_resolutions(engine: Engine, workspace: str) -> dict[MemoryKey, str]:
    """Every review choice kept for ``workspace``: (respondent, column key, text) → person_id."""
    with engine.connect() as conn:
        ws_id = workspace_id(conn, workspace)
        rows = conn.execute(
            select(
                SurveyResolution.respondent,
                SurveyResolution.column_key,
                SurveyResolution.answer,
                SurveyResolution.person_id,
            ).where(SurveyResolution.workspace_id == ws_id)
        ).all()
    return {(r, c, a): p for r, c, a, p in rows}
