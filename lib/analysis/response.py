"""Who answered the network survey, and which measures may use whose reports.

A non-respondent's outgoing ties are *unknown*, not absent: someone who did not answer the
name-generator questions named nobody because they were not asked. So (Borgatti, Carley &
Krackhardt 2006, robustness of centrality under missing data; Stork & Richards 1992):

* **In-degree measures** (who is sought out: in-degree, the most-asked person, overload) use every
  report, and stay valid for everyone, respondents or not: being named does not need an answer.
* **Out-tie and pair measures** (out-degree, reciprocity, transitivity, Krackhardt hierarchy,
  brokerage, constraint, E-I of what a group asks, reach and key-person loss) are computed
  among respondents: on the network induced by respondents, where every tie's sender was asked.
* **Roles** never rest on silence: a non-respondent is not "peripheral" or an "isolate" for having
  named nobody, and a key person is not key because they alone named someone who did not answer.
* **Undirected relations** (collaboration) can be reconstructed: a non-respondent's ties as the
  respondents reported them (symmetrisation, :func:`symmetrised`), stated wherever it is used.

Who responded: the roster's ``responded`` column where it is filled in; otherwise (a blank cell,
or no such column) the stated proxy "named someone in any relation in this wave".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import pandas as pd

from lib.core import waves
from lib.core.dataset import Dataset
from lib.core.textsets import is_in, positions

__all__ = [
    "NOT_MEASURED",
    "POPULATIONS",
    "RESPONSE_WARNING",
    "UNDIRECTED_RELATIONS",
    "Response",
    "forget_for_tables",
    "network_response",
    "remember_for_tables",
    "respondent_dataset",
    "symmetrised",
    "tie_positions",
]

_T = TypeVar("_T")

#: Below this response rate every network view warns that its measures may mislead.
RESPONSE_WARNING = 0.70
#: What a table says of a non-respondent's out-tie measure (left blank: unknown, not zero).
NOT_MEASURED = "not measured: did not answer"
#: Relations whose ties have no direction (working together), which symmetrisation may complete.
UNDIRECTED_RELATIONS: tuple[str, ...] = ("collaboration",)
#: Which people each group of network measures is computed on.
POPULATIONS: dict[str, str] = {
    "in_degree": "all",
    "overload": "all",
    "out_degree": "respondents",
    "out_strength": "respondents",
    "betweenness": "respondents",
    "effective_size": "respondents",
    "reciprocity": "respondents",
    "transitivity": "respondents",
    "hierarchy": "respondents",
    "brokerage": "respondents",
    "constraint": "respondents",
    "ei_sent": "respondents",
    "key_people": "respondents",
    "roles": "respondents",
}

_BASIS_COLUMN = "the roster's responded column"
_BASIS_PROXY = "proxy: people who named someone in any relation (no responded column)"
_BASIS_MIXED = "the roster's responded column; where it is blank, whether the person named someone"


@dataclass(frozen=True)
class Response:
    """Who answered the network survey in one wave, and how that was decided."""

    respondents: frozenset[str]
    people: int
    basis: str

    @property
    def count(self) -> int:
        return len(self.respondents)

    @property
    def rate(self) -> float:
        return self.count / self.people if self.people else math.nan

    @property
    def warning(self) -> str:
        """A sentence when the rate is below :data:`RESPONSE_WARNING`, else ""."""
        if not self.people or self.rate >= RESPONSE_WARNING:
            return ""
        return (
            f"Only {self.rate:.0%} of people answered the network survey ({self.count} of {self.people}), "
            f"below {RESPONSE_WARNING:.0%}: measures on respondents describe part of the organisation, and "
            "centrality can rank people differently than a full census would (Borgatti, Carley & Krackhardt 2006)."
        )

    def text(self) -> str:
        """One line for every network view: the rate, the basis and which measures use whom."""
        if not self.people:
            return ""
        return (
            f"Response {self.rate:.0%} ({self.count} of {self.people}; {self.basis}). Who is sought out "
            "(in-degree) uses everyone's reports, for all people; measures built on ties people sent or "
            "on pairs (out-degree, betweenness, reciprocity, transitivity, hierarchy, brokerage, constraint, "
            "E-I of what a group asks, key people) are on the respondents."
        )


def remember_for_tables(ds: Dataset, key: Hashable, compute: Callable[[], _T]) -> _T:
    """``ds.remember`` for a result of ``ds.people`` and ``ds.ties``: kept once per dataset object,
    ``key`` and those two tables (a table replaced on the object is another key; the stored tables
    keep their ids from being reused). Every caller gets the same object back: read it, never change it."""
    people, ties = ds.people, ds.ties
    full = (key, id(people), id(ties))
    return ds.remember(full, lambda: (people, ties, compute()))[2]


def forget_for_tables(ds: Dataset, key: Hashable) -> None:
    """Drop what :func:`remember_for_tables` kept for ``key`` (nothing when there is none): for a
    caller that goes through many results once and would otherwise hold them all at once."""
    ds.memo.pop((key, id(ds.people), id(ds.ties)), None)


def tie_ends(ds: Dataset) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(the roster's distinct ids as text, in order; each tie row's source and its target as a
    position in them, −1 off the roster, int32): what every network function reads the ties
    through, found once per dataset object (:func:`remember_for_tables`). Read it, never change it."""
    return remember_for_tables(ds, "response.tie_ends", lambda: _tie_ends(ds))


def _tie_ends(ds: Dataset) -> tuple[list[str], np.ndarray, np.ndarray]:
    ids = list(dict.fromkeys(ds.people["person_id"].astype(str).tolist())) if len(ds.people) else []
    ties = ds.ties
    if not len(ties):
        return ids, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    # int32 codes (a roster of fewer than 2**31 people): half the memory of every tie row's codes
    src = positions(ties["source_id"].astype(str), ids).astype(np.int32)
    tgt = positions(ties["target_id"].astype(str), ids).astype(np.int32)
    return ids, src, tgt


def _on_roster_mask(ids: list[str], members: pd.Series) -> np.ndarray | None:
    """A bool per roster position and one more (False, for position −1) saying who is among
    ``members``; None when a member is not on the roster (then the text itself must be compared)."""
    at = positions(members, ids) if len(members) else np.zeros(0, dtype=np.int64)
    if len(at) and int(at.min()) < 0:
        return None
    mask = np.zeros(len(ids) + 1, dtype=bool)
    mask[at] = True
    return mask


def tie_positions(ds: Dataset, wave: str | None = None) -> np.ndarray:
    """Positions in ``ds.ties`` of the rows of the tie wave ``wave`` (:func:`lib.core.waves.tie_rows`,
    the one rule, applied to the wave column alone), in table order. Found once per dataset object
    and wave (:func:`remember_for_tables`): read it, never change it."""
    return remember_for_tables(ds, ("response.tie_positions", wave), lambda: _tie_positions(ds, wave))


def _tie_positions(ds: Dataset, wave: str | None) -> np.ndarray:
    ties = ds.ties
    if not waves.label(wave):  # waves.tie_rows: every row
        return np.arange(len(ties), dtype=np.int64)
    return np.flatnonzero(waves.selected(ties, waves.table_wave(ties, wave))).astype(np.int64)


def network_response(ds: Dataset, wave: str | None = None) -> Response:
    """:class:`Response` for the tie wave ``wave`` (:func:`lib.core.waves.tie_rows`).

    Computed once per dataset object and wave (:func:`remember_for_tables`: the Overview, the
    key-person ranking and the network measures all ask)."""
    return remember_for_tables(ds, ("response.network_response", wave), lambda: _network_response(ds, wave))


def _network_response(ds: Dataset, wave: str | None) -> Response:
    ids = ds.people["person_id"].astype(str).drop_duplicates() if len(ds.people) else pd.Series(dtype=str)
    rows = tie_positions(ds, wave)
    # who named someone: the roster positions of the wave's tie sources (ids holds the same texts
    # in the same order as tie_ends' list)
    proxy = np.zeros(len(ids), bool)
    if len(rows):
        sources = tie_ends(ds)[1][rows]
        proxy[sources[sources >= 0]] = True
    if "responded" in ds.people and ds.people["responded"].notna().any():
        flag = ds.people.drop_duplicates("person_id")["responded"].astype("boolean")
        known = flag.notna().to_numpy()
        answered = flag.fillna(False).to_numpy(dtype=bool)
        chosen = np.where(known, answered, proxy)
        basis = _BASIS_COLUMN if known.all() else _BASIS_MIXED
    else:
        chosen = proxy
        basis = _BASIS_PROXY
    respondents = frozenset(ids.to_numpy(dtype=object)[np.asarray(chosen, dtype=bool)].tolist())
    return Response(respondents, len(ids), basis)


#: Tie columns the respondent copy leaves out: what the learning and flow analyses read (on the
#: whole dataset), never a network measure (half the copy's memory at 100,000 people).
_NOT_NETWORK_COLUMNS: tuple[str, ...] = ("learning_type", "mode", "topic")


def respondent_dataset(
    ds: Dataset, wave: str | None = None, response: Response | None = None, *, every_wave: bool = False
) -> Dataset:
    """``ds`` with the roster and the ties restricted to respondents (the respondent-induced
    network): every tie left was sent by someone who was asked, and points at someone who was.
    The ties keep the columns network measures read (not a tie's learning type, mode or topic).

    With a wave label, only the ties of that tie wave are kept (:func:`tie_positions`: its rows and
    the unlabelled ones), which every network function given the same ``wave`` (or any label: the
    copy has one tie wave) reads; ``every_wave`` keeps the ties of every wave, for a caller that
    reads the copy with ``wave=None``. Without a label: every tie.

    Made once per dataset object, set of respondents and tie wave (:func:`remember_for_tables`), so
    what is computed on it (its graphs, in its own ``memo``) is shared by every caller: read it,
    never change it."""
    r = response or network_response(ds, wave)
    tw = waves.table_wave(ds.ties, wave) if waves.label(wave) and not every_wave and len(ds.ties) else None
    return remember_for_tables(
        ds, ("response.respondent_dataset", r.respondents, tw), lambda: _respondent_dataset(ds, r, tw)
    )


def _respondent_dataset(ds: Dataset, r: Response, tie_wave: str | None) -> Dataset:
    members = pd.Series(list(r.respondents), dtype=object)
    people = ds.people[is_in(ds.people["person_id"].astype(str), members)] if len(ds.people) else ds.people
    ties = ds.ties
    if len(ties):
        # the tie wave's rows first (one of several waves), then those between respondents: one copy
        rows = tie_positions(ds, tie_wave) if tie_wave is not None else np.arange(len(ties))
        ids, src, tgt = tie_ends(ds)
        member = _on_roster_mask(ids, members)
        if member is not None:  # each end's roster position, looked up in who answered
            keep = member[src[rows]] & member[tgt[rows]]
        else:
            ends = ties[["source_id", "target_id"]].iloc[rows]
            keep = is_in(ends["source_id"].astype(str), members) & is_in(
                ends["target_id"].astype(str), members
            )
        ties = ties.drop(columns=[c for c in _NOT_NETWORK_COLUMNS if c in ties]).iloc[rows[keep]]
        copy = replace(ds, people=people.reset_index(drop=True), ties=ties.reset_index(drop=True))
        if member is not None:
            # the copy's roster is the respondents in roster order, so its tie ends' positions are
            # the ones found here renumbered among the respondents (what _tie_ends would find)
            renumber = (np.cumsum(member[:-1]) - 1).astype(np.int32)
            renumbered = (
                [i for i, on in zip(ids, member[:-1].tolist(), strict=True) if on],
                renumber[src[rows[keep]]],
                renumber[tgt[rows[keep]]],
            )
            remember_for_tables(copy, "response.tie_ends", lambda: renumbered)
        return copy
    return replace(ds, people=people.reset_index(drop=True), ties=ties.reset_index(drop=True))


def symmetrised(
    ds: Dataset, relations: Sequence[str] = UNDIRECTED_RELATIONS, wave: str | None = None
) -> tuple[Dataset, int]:
    """``ds`` with each non-respondent's ties in the undirected ``relations`` reconstructed from what
    respondents reported: for a respondent's tie i → j to a non-respondent j, the tie j → i is added
    (j would have named i: working together goes both ways). Returns the dataset and the number of
    ties added, which the page states whenever the reconstruction is used."""
    r = network_response(ds, wave)
    ties = ds.ties
    if not len(ties):
        return ds, 0
    rel = ties["relation"].astype(str).isin(list(relations)).to_numpy()
    members = pd.Series(list(r.respondents), dtype=object)
    source, target = ties["source_id"].astype(str), ties["target_id"].astype(str)
    to_silent = ~is_in(target, members) & is_in(source, members)
    rows = ties[rel & to_silent]
    reverse = rows.rename(columns={"source_id": "target_id", "target_id": "source_id"})[ties.columns]
    wanted = [
        (str(s), str(t), str(x))
        for s, t, x in zip(
            reverse["source_id"].to_numpy(dtype=object),
            reverse["target_id"].to_numpy(dtype=object),
            reverse["relation"].to_numpy(dtype=object),
            strict=True,
        )
    ]
    # only ties sent by the people a reversed tie starts from can already be there
    near = ties[is_in(source, pd.Series([w[0] for w in wanted], dtype=object))] if wanted else ties.iloc[:0]
    existing = set(
        zip(
            near["source_id"].astype(str).to_numpy(dtype=object),
            near["target_id"].astype(str).to_numpy(dtype=object),
            near["relation"].astype(str).to_numpy(dtype=object),
            strict=True,
        )
    )
    new = reverse[[w not in existing for w in wanted]].drop_duplicates(
        ["source_id", "target_id", "relation", *(["wave"] if "wave" in reverse else [])]
    )
    return replace(ds, ties=pd.concat([ties, new], ignore_index=True)), len(new)
