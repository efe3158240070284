"""Stocks and flows: how much knowledge activity is conversation (flow) versus archive (stock).

Jarche: "stocks are what we know, flows are how we learn". Stocks are documents, wikis and
repositories; flows are the conversations that keep them alive. The framework's shift for
accidental and serendipitous learning is *from stocks to flow*.

Rules, stated once here:

* **Mode** of an interaction comes from its channel (:data:`lib.core.schema.CHANNEL_MODES`, applied
  by the loader into ``interactions.mode``); events on channels without a mode are
  *unclassified*: counted and reported, never in a share.
* **Knowledge activity** = events whose kind is in :data:`KIND_ROLES` as ``produce`` or
  ``converse`` (and unknown or blank kinds). ``view`` is *reading*, used only to find stock
  nobody reads: counting it would make every read of a wiki page look like knowledge work.
* **Flow share** = flow events / (stock + flow events). From the interactions log when it has
  classified activity (a wave label such as ``2026-Q1`` selects that period's events); otherwise
  from ties with a mode (Σ weight of flow ties / Σ weight of ties with a mode) in the tie wave
  (:func:`lib.core.waves.tie_wave`: ``None`` = latest; ties without a wave count in every wave).
* **Interaction ties**: replies, mentions and direct messages with a target
  (:data:`TIE_KINDS`) become directed ties author → addressee, weight = number of events;
  broadcasts (no target) and self-addressed events are not ties.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from lib.core import privacy, waves
from lib.core.dataset import Dataset, channel_mode
from lib.core.privacy import MIN_GROUP_SIZE, suppress_small_groups
from lib.core.textsets import is_in

__all__ = [
    "KIND_ROLES",
    "TIE_KINDS",
    "FlowShare",
    "analysis_json",
    "apply_channel_modes",
    "collaboration_hours_json",
    "conversation_hubs",
    "flow_share",
    "flow_share_by_group",
    "flow_trend",
    "interaction_ties",
    "neglected_stock",
    "stock_producers",
    "wave_period",
]

Role = Literal["produce", "converse", "read", "other"]

#: Interaction kind → its role in knowledge activity. Unknown and blank kinds are "other" (activity).
KIND_ROLES: dict[str, Role] = {
    "post": "produce",
    "edit": "produce",
    "comment": "converse",
    "reply": "converse",
    "mention": "converse",
    "message": "converse",
    "view": "read",
}
#: Kinds that make a directed tie from author to addressee (when the event has a target).
TIE_KINDS: tuple[str, ...] = ("reply", "mention", "message")
TIE_COLUMNS = ["source_id", "target_id", "relation", "weight", "learning_type", "mode", "topic", "wave"]

Source = Literal["auto", "interactions", "ties"]


def _events(ds: Dataset) -> pd.DataFrame:
    """Interactions with normalised text columns and a ``role`` column. Computed once per dataset
    object (``ds.memo``, while its interactions table and channel mapping stay the ones it was
    computed from): every Learning-page table reads it. Callers must not change it in place."""
    held = ds.memo.get("flows._events")
    if isinstance(held, tuple) and held[0] is ds.interactions and held[1] == ds.channel_modes:
        frame: pd.DataFrame = held[2]
        return frame
    frame = _read_events(ds)
    ds.memo["flows._events"] = (ds.interactions, dict(ds.channel_modes), frame)
    return frame


def _read_events(ds: Dataset) -> pd.DataFrame:
    it = ds.interactions
    if not len(it):
        return pd.DataFrame(
            columns=["timestamp", "source_id", "target_id", "channel", "kind", "topic", "mode", "role"]
        )
    kind = _text(it, "kind").str.lower()
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(it["timestamp"], errors="coerce").to_numpy(),
            "source_id": _text(it, "source_id").array,
            "target_id": _text(it, "target_id").array,
            "channel": _text(it, "channel").array,
            "kind": kind.array,
            "topic": _text(it, "topic").array,
            "mode": _event_mode(it, ds.channel_modes).array,
        }
    )
    frame["role"] = _event_role(frame["kind"])
    return frame


def _text(it: pd.DataFrame, col: str) -> pd.Series:
    """The log's column as trimmed text ("" for a blank), on a fresh 0..n−1 index; pyarrow-backed
    (no Python object per value)."""
    if col not in it:
        return pd.Series(np.full(len(it), "", dtype=object), dtype="str")
    return it[col].fillna("").astype(str).str.strip().reset_index(drop=True)


def _event_mode(it: pd.DataFrame, modes: Mapping[str, str]) -> pd.Series:
    """Each event's mode: the log's own, lower case, or, when it has none, its channel's (``modes``)."""
    mode = _text(it, "mode").str.lower()
    if "mode" not in it or (mode == "").all():
        mode = channel_mode(_text(it, "channel"), modes)
    return mode


def _event_role(kind: pd.Series) -> pd.Series:
    """Each event's role (:data:`KIND_ROLES`) from its lower-case kind, looked up once per distinct kind."""
    codes, kinds = pd.factorize(kind)
    roles = np.array([KIND_ROLES.get(str(k), "other") for k in kinds] + ["other"], dtype=object)
    return pd.Series(roles[codes], dtype="str")


@dataclass(frozen=True)
class _EventModes:
    """Per event of the log, what the flow share counts: when (NaT: unreadable), whether it is an
    act (not a view), and whether it is an act on a stock or on a flow channel."""

    timestamp: pd.Series
    acting: np.ndarray
    stock: np.ndarray
    flow: np.ndarray


def _event_modes(ds: Dataset) -> _EventModes:
    """:class:`_EventModes` of ``ds.interactions``, from :func:`_events` when a page has read it,
    else from the log's kind, mode, channel and timestamp columns alone (a few bytes per event,
    not :func:`_events`' normalised copy of every column). Kept in ``ds.memo`` like it."""
    held = ds.memo.get("flows._event_modes")
    if isinstance(held, tuple) and held[0] is ds.interactions and held[1] == ds.channel_modes:
        kept: _EventModes = held[2]
        return kept
    events = ds.memo.get("flows._events")
    if isinstance(events, tuple) and events[0] is ds.interactions and events[1] == ds.channel_modes:
        frame: pd.DataFrame = events[2]
        when, role, mode = frame["timestamp"], frame["role"], frame["mode"]
    elif len(ds.interactions):
        it = ds.interactions
        when = pd.Series(pd.to_datetime(it["timestamp"], errors="coerce").to_numpy())
        role, mode = _event_role(_text(it, "kind").str.lower()), _event_mode(it, ds.channel_modes)
    else:
        when, role, mode = (pd.Series(dtype="datetime64[ns]"), pd.Series(dtype="str"), pd.Series(dtype="str"))
    acting = (role != "read").to_numpy(dtype=bool)  # every event but views
    modes = _EventModes(
        timestamp=when,
        acting=acting,
        stock=acting & (mode == "stock").to_numpy(dtype=bool),
        flow=acting & (mode == "flow").to_numpy(dtype=bool),
    )
    ds.memo["flows._event_modes"] = (ds.interactions, dict(ds.channel_modes), modes)
    return modes


def _activity(ds: Dataset) -> pd.DataFrame:
    """:func:`_events` without reading (views). Callers must not change it in place."""
    ev = _events(ds)
    held = ds.memo.get("flows._activity")
    if isinstance(held, tuple) and held[0] is ev:
        frame: pd.DataFrame = held[1]
        return frame
    frame = ev[ev["role"] != "read"]
    ds.memo["flows._activity"] = (ev, frame)
    return frame


@dataclass(frozen=True)
class FlowShare:
    """flow / (stock + flow) knowledge activity, with its counts and where it came from.

    source is "interactions" (event counts), "channels" (the logs' per-channel summary, event
    counts), "ties" (Σ tie weights) or "" (no data: share NaN).
    """

    source: str
    stock: float
    flow: float
    unclassified: float
    share: float
    wave: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "stock": self.stock,
            "flow": self.flow,
            "unclassified": self.unclassified,
            "flow_share": None if np.isnan(self.share) else round(self.share, 4),
            "wave": self.wave,
        }


def _share(stock: float, flow: float) -> float:
    return flow / (stock + flow) if stock + flow > 0 else float("nan")


def wave_period(label: str | None) -> pd.Period | None:
    """The time span a wave label names when pandas can read it ("2026-Q1", "2026-03", "2026"), else None."""
    if not label or not re.search(r"(19|20)\d\d", str(label)):
        return None  # pandas reads "t1" as 1 January of year 1
    try:
        return pd.Period(str(label).strip())
    except (ValueError, TypeError):
        return None


def _in_period(act: pd.DataFrame, period: pd.Period) -> pd.DataFrame:
    return act[_period_mask(act["timestamp"], period)]


def _period_mask(timestamps: pd.Series, period: pd.Period) -> np.ndarray:
    """Which of the events' ``timestamps`` fall in ``period`` (an unreadable one in none)."""
    return ((timestamps >= period.start_time) & (timestamps <= period.end_time)).to_numpy(dtype=bool)


def _from_channels(ds: Dataset, wave: str | None) -> FlowShare | None:
    """Flow share from the logs' per-channel summary (``channels.csv`` of an ingest zip): events
    on flow channels / events on stock or flow channels, in the period labelled ``wave`` when the
    summary has it, else over every period; None when it has no classified events."""
    ch = ds.channels
    if not len(ch):
        return None
    label = ""
    if wave is not None and (ch["period"].astype(str) == wave).any():
        ch, label = ch[ch["period"].astype(str) == wave], wave
    events = pd.to_numeric(ch["events"], errors="coerce").fillna(0.0)
    stock = float(events[ch["mode"] == "stock"].sum())
    flow = float(events[ch["mode"] == "flow"].sum())
    if stock + flow == 0:
        return None
    return FlowShare("channels", stock, flow, float(events.sum()) - stock - flow, _share(stock, flow), label)


def collaboration_hours_json(ds: Dataset, min_size: int = MIN_GROUP_SIZE) -> list[dict[str, object]]:
    """The ``collaboration_hours`` section of ``analyze``: per period of the logs' collaboration
    hours (``collaboration_hours.csv`` of an ingest zip), how many people, their total and mean
    hours; a period with fewer than ``min_size`` people comes out ``suppressed`` with null figures."""
    hours = ds.collaboration_hours
    out: list[dict[str, object]] = []
    if not len(hours):
        return out
    per_person = hours.groupby(["period", "person_id"])["hours"].sum().reset_index()
    for period, group in per_person.groupby("period", sort=True):
        shown = privacy.large_enough(len(group), min_size)
        out.append(
            {
                "period": str(period),
                "people": len(group) if shown else None,
                "suppressed": not shown,
                "hours": round(float(group["hours"].sum()), 2) if shown else None,
                "mean_hours": round(float(group["hours"].mean()), 2) if shown else None,
            }
        )
    return out


def flow_share(ds: Dataset, wave: str | None = None, source: Source = "auto") -> FlowShare:
    """Flow share of knowledge activity = flow / (stock + flow).

    From the interactions log: events (not views) on flow channels / events on stock or flow
    channels. The log has timestamps, not waves: a wave label pandas reads as a period
    ("2026-Q1", "2026-03") selects the events in that period; ``wave=None`` or any other label
    uses the whole log. Then, with ``"auto"``, from the logs' per-channel summary when the data
    have one (:func:`_from_channels`). From ties with a mode (``source="ties"``, or ``"auto"`` when the log has
    no classified activity in the wave's period): Σ weight of mode=flow ties / Σ weight of ties
    with a mode, in the tie wave of ``wave`` (None = latest). With ``"auto"``, when neither has data for the
    wave the whole log is used. NaN with source "" when there is no data at all.
    Source: Jarche, "stocks and flows" (2010).
    """
    # counted on masks of the events (no copy of a log of millions of events)
    events = _event_modes(ds)
    acting, stock_rows, flow_rows = events.acting, events.stock, events.flow
    classified = stock_rows | flow_rows

    def from_log(within: np.ndarray, label: str) -> FlowShare:
        stock = float((stock_rows & within).sum())
        flow = float((flow_rows & within).sum())
        other = float((acting & within).sum()) - stock - flow
        return FlowShare(
            "interactions" if stock + flow else "", stock, flow, other, _share(stock, flow), label
        )

    everything = np.ones(len(acting), dtype=bool)
    period = wave_period(wave)
    if source in ("auto", "interactions") and classified.any():
        if period is None:
            return from_log(everything, "")
        in_wave = _period_mask(events.timestamp, period)
        if (classified & in_wave).any() or source == "interactions":
            return from_log(in_wave, str(wave))
    if source == "interactions":
        return from_log(everything, "")
    if source == "auto" and (summary := _from_channels(ds, wave)) is not None:
        return summary
    tie_wave = waves.tie_wave(ds, wave)
    ties, label = waves.select(ds.ties, tie_wave), tie_wave or ""
    if len(ties) and "mode" in ties:
        mode = ties["mode"].fillna("").astype(str).str.strip().str.lower()
        weight = pd.to_numeric(ties["weight"], errors="coerce").fillna(1.0)
        stock = float(weight[mode == "stock"].sum())
        flow = float(weight[mode == "flow"].sum())
        other = float(weight[~mode.isin(["stock", "flow"])].sum())
        if stock + flow > 0:
            return FlowShare("ties", stock, flow, other, _share(stock, flow), label)
    if source == "auto" and classified.any():
        return from_log(everything, "")
    return FlowShare("", 0.0, 0.0, 0.0, float("nan"), label)


def flow_share_by_group(
    ds: Dataset, by: str = "team", min_size: int = MIN_GROUP_SIZE, across: bool = True
) -> pd.DataFrame:
    """Flow share of knowledge activity per group of the person who acted (interactions log).

    Per group: actors (distinct people with stock or flow activity), stock, flow, flow_share =
    flow / (stock + flow). What may be shown is decided by :func:`lib.core.privacy.protect_groups`
    (family "interactions": the actors on the roster): with ``across`` (the aggregate view) over
    every breakdown together, else per table (fewer than ``min_size`` actors, with complementary
    suppression because the overall share is shown). Events by people not in the people sheet go
    to "(not in roster)", which the aggregate view never shows.
    """
    cols = [by, "actors", "stock", "flow", "flow_share"]
    act = _activity(ds)
    act = act[act["mode"].isin(["stock", "flow"])]
    if not len(act) or by not in ds.people:
        out = pd.DataFrame({c: pd.Series(dtype=float if c != by else str) for c in cols})
        return suppress_small_groups(out, "actors", min_size, ["stock", "flow", "flow_share"], total=True)
    labels = privacy.group_labels(ds.people, by).set_axis(ds.people["person_id"].astype(str))
    in_roster = pd.Series(is_in(act["source_id"], labels.index), index=act.index)
    group = act["source_id"].map(labels).where(in_roster, "(not in roster)")
    act = act.assign(
        group=group.to_numpy(),
        _stock=(act["mode"] == "stock").to_numpy(dtype=np.int64),
        _flow=(act["mode"] == "flow").to_numpy(dtype=np.int64),
    )
    agg = act.groupby("group").agg(
        actors=("source_id", "nunique"), stock=("_stock", "sum"), flow=("_flow", "sum")
    )
    agg["flow_share"] = agg["flow"] / (agg["stock"] + agg["flow"])
    agg.index.name = by
    out = agg.reset_index()[cols]
    out["stock"] = out["stock"].astype(float)
    out["flow"] = out["flow"].astype(float)
    actors = {"": sorted(act.loc[in_roster.to_numpy(), "source_id"].astype(str).unique().tolist())}
    return privacy.protect_groups(
        out,
        ds,
        by,
        family="interactions",
        populations=actors,
        min_size=min_size,
        size_col="actors",
        value_cols=["stock", "flow", "flow_share"],
        across=across,
        group_col=by,
    )


def flow_trend(ds: Dataset, freq: Literal["W", "M"] = "M", min_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Flow share of knowledge activity per week (``"W"``, weeks starting Monday) or month.

    Per period: actors, stock, flow, flow_share = flow / (stock + flow). Periods with fewer than
    ``min_size`` actors are suppressed (with complementary suppression, as the periods add up to
    the overall figure). Events without a valid timestamp are left out. Sorted by period.
    """
    cols = ["period", "actors", "stock", "flow", "flow_share"]
    act = _activity(ds)
    act = act[act["mode"].isin(["stock", "flow"]) & act["timestamp"].notna()]
    if not len(act):
        out = pd.DataFrame({c: pd.Series(dtype=float if c != "period" else str) for c in cols})
        return suppress_small_groups(out, "actors", min_size, ["stock", "flow", "flow_share"], total=True)
    ts = pd.DatetimeIndex(act["timestamp"])
    if freq == "W":
        start = (ts - pd.to_timedelta(ts.day_of_week, unit="D")).normalize()
        period = start.strftime("%Y-%m-%d")
    else:
        period = ts.strftime("%Y-%m")
    act = act.assign(period=np.asarray(period))
    agg = act.groupby("period").agg(
        actors=("source_id", "nunique"),
        stock=("mode", lambda m: float((m == "stock").sum())),
        flow=("mode", lambda m: float((m == "flow").sum())),
    )
    agg["flow_share"] = agg["flow"] / (agg["stock"] + agg["flow"])
    out = agg.reset_index()[cols].sort_values("period").reset_index(drop=True)
    return suppress_small_groups(out, "actors", min_size, ["stock", "flow", "flow_share"], total=True)


def stock_producers(ds: Dataset, top: int | None = None) -> pd.DataFrame:
    """Who produces stock: people who post, edit or comment on stock channels (wiki, documents …).

    Per person: stock_events (posts, edits, comments and other non-view events on stock
    channels), edits_and_posts, topics (distinct topics). Sorted by stock_events, descending.
    Person-level: named view only.
    """
    cols = ["person_id", "stock_events", "edits_and_posts", "topics"]
    act = _activity(ds)
    act = act[(act["mode"] == "stock") & (act["source_id"] != "")]
    if not len(act):
        return pd.DataFrame(columns=cols)
    # column-wise (no Python call per person): produce counts, and distinct non-blank topics
    # compared case-insensitively
    act = act.assign(
        _produce=(act["role"] == "produce").to_numpy(dtype=np.int64),
        _topic=act["topic"].astype(object).where(act["topic"] != "").str.casefold(),
    )
    grouped = act.groupby("source_id")
    out = pd.DataFrame(
        {
            "stock_events": grouped.size(),
            "edits_and_posts": grouped["_produce"].sum(),
            "topics": grouped["_topic"].nunique(),
        }
    )
    out.index.name = "person_id"
    out = out.reset_index().sort_values(["stock_events", "person_id"], ascending=[False, True])
    out = out.reset_index(drop=True)[cols]
    return out.head(top) if top else out


def conversation_hubs(ds: Dataset, top: int | None = None) -> pd.DataFrame:
    """Who carries flow: people at the centre of conversation on flow channels (chat, meetings …).

    Per person: partners = distinct other people they exchanged flow events with (either
    direction, addressed events only), sent = their flow events (including broadcasts),
    received = flow events addressed to them. Sorted by partners, then sent + received.
    Person-level: named view only.
    """
    cols = ["person_id", "partners", "sent", "received"]
    act = _activity(ds)
    act = act[act["mode"] == "flow"]
    if not len(act):
        return pd.DataFrame(columns=cols)
    sent = act[act["source_id"] != ""].groupby("source_id").size()
    addressed = act[(act["target_id"] != "") & (act["source_id"] != act["target_id"])]
    received = addressed.groupby("target_id").size()
    pairs = pd.concat(
        [
            addressed[["source_id", "target_id"]].set_axis(["a", "b"], axis=1),
            addressed[["target_id", "source_id"]].set_axis(["a", "b"], axis=1),
        ]
    )
    partners = pairs.groupby("a")["b"].nunique()
    ids = sorted(set(sent.index.tolist()) | set(received.index.tolist()))
    out = pd.DataFrame(
        {
            "person_id": ids,
            "partners": partners.reindex(ids).fillna(0).astype(int).to_numpy(),
            "sent": sent.reindex(ids).fillna(0).astype(int).to_numpy(),
            "received": received.reindex(ids).fillna(0).astype(int).to_numpy(),
        }
    )
    out["_volume"] = out["sent"] + out["received"]
    out = out.sort_values(["partners", "_volume", "person_id"], ascending=[False, False, True])
    out = out.drop(columns="_volume").reset_index(drop=True)
    return out.head(top) if top else out


def _topic_key(text: pd.Series) -> pd.Series:
    """Each topic without repeated spaces, case folded (computed once per distinct topic)."""
    codes, topics = pd.factorize(text, use_na_sentinel=False)
    keys = np.array([" ".join(str(t).split()).casefold() for t in topics], dtype=object)
    return pd.Series(keys[codes], index=text.index).astype(str)


def neglected_stock(ds: Dataset) -> pd.DataFrame:
    """Stock nobody reads or that is never discussed, per topic (page, document) on stock channels.

    A stock topic is a topic with a post or edit on a stock channel. reads = view events on that
    topic by people other than its authors (any channel); discussions = non-view events on a
    flow channel about the same topic (topics match ignoring case and repeated spaces).
    unread = reads == 0; undiscussed = discussions == 0. Columns: topic, channel (of its first
    post), authors, edits (posts + edits), reads, discussions, unread, undiscussed; unread and
    undiscussed first. Empty when the log has no topics. Needs views in the log to judge reading.
    """
    cols = ["topic", "channel", "authors", "edits", "reads", "discussions", "unread", "undiscussed"]
    ev = _events(ds)
    ev = ev[ev["topic"] != ""]
    if not len(ev):
        return pd.DataFrame(columns=cols)
    ev = ev.assign(key=_topic_key(ev["topic"]).to_numpy())
    made = ev[(ev["mode"] == "stock") & (ev["role"] == "produce")]
    if not len(made):
        return pd.DataFrame(columns=cols)
    views = ev[ev["role"] == "read"]
    authors = made[["key", "source_id"]].drop_duplicates()
    # reads by non-authors: an anti-join of (topic, reader) against (topic, author)
    joined = views.merge(authors.assign(_author=True), on=["key", "source_id"], how="left")
    reads = joined[joined["_author"].isna()].groupby("key").size()
    talk = ev[(ev["mode"] == "flow") & (ev["role"] != "read")].groupby("key").size()
    first = made.groupby("key", sort=True).agg(
        topic=("topic", "first"),
        channel=("channel", "first"),
        authors=("source_id", "nunique"),
        edits=("key", "size"),
    )
    out = first.reset_index()
    out["reads"] = out["key"].map(reads).fillna(0).astype(int)
    out["discussions"] = out["key"].map(talk).fillna(0).astype(int)
    out["unread"] = out["reads"] == 0
    out["undiscussed"] = out["discussions"] == 0
    out = out.sort_values(["unread", "undiscussed", "topic"], ascending=[False, False, True])
    return out.reset_index(drop=True)[cols]


def interaction_ties(ds: Dataset) -> pd.DataFrame:
    """A network from the interactions log, in canonical ties columns with relation "interactions".

    source_id = author, target_id = addressee, for events of kind reply, mention or message
    (:data:`TIE_KINDS`) that have a target; weight = how many such events the pair has (so the
    tie is weighted by frequency). Broadcasts (blank target), self-addressed events and ids not
    in the people sheet are left out. mode = "flow" when every event of the pair was on a flow
    channel, "stock" when every one was on a stock channel, else "". Sorted by source, target.
    """
    ev = _events(ds)
    known = ds.people["person_id"].astype(str) if "person_id" in ds.people else pd.Series(dtype=str)
    ev = ev[
        ev["kind"].isin(TIE_KINDS)
        & (ev["target_id"] != "")
        & (ev["source_id"] != ev["target_id"])
        & is_in(ev["source_id"], known)
        & is_in(ev["target_id"], known)
    ]
    if not len(ev):
        return pd.DataFrame({c: pd.Series(dtype=float if c == "weight" else str) for c in TIE_COLUMNS})
    agg = (
        ev.groupby(["source_id", "target_id"])
        .agg(weight=("kind", "size"), modes=("mode", lambda m: "|".join(sorted(set(m)))))
        .reset_index()
    )
    out = pd.DataFrame(
        {
            "source_id": agg["source_id"].astype(str),
            "target_id": agg["target_id"].astype(str),
            "relation": "interactions",
            "weight": agg["weight"].astype(float),
            "learning_type": "",
            "mode": agg["modes"].map(lambda m: m if m in ("stock", "flow") else "").astype(str),
            "topic": "",
            "wave": "",
        }
    )
    return out.sort_values(["source_id", "target_id"]).reset_index(drop=True)[TIE_COLUMNS]


def analysis_json(ds: Dataset) -> dict[str, object]:
    """The ``stocks_flows`` section of ``python -m lib.cli analyze``: flow share overall, per team and per wave.

    Teams below the minimum group size (in actors) come out with ``suppressed: true`` and null values.
    """
    overall = flow_share(ds)
    per_team: list[dict[str, object]] = []
    if "team" in ds.people:
        for row in flow_share_by_group(ds, "team").to_dict("records"):
            share = row["flow_share"]
            per_team.append(
                {
                    "team": row["team"],
                    "actors": None if pd.isna(row["actors"]) else int(row["actors"]),
                    "suppressed": bool(row["suppressed"]),
                    "flow_share": None if pd.isna(share) else round(float(share), 4),
                }
            )
    per_wave = {w: flow_share(ds, w).as_dict() for w in ds.waves}
    return {**overall.as_dict(), "per_team": per_team, "per_wave": per_wave}


def with_interaction_relation(ds: Dataset) -> Dataset:
    """The dataset with :func:`interaction_ties` added to ``ties`` as the relation "interactions".

    So every page can use the collaboration log as one more relation. Nothing is added when the
    log has no person-to-person events, or when the ties already hold a relation of that name.
    """
    if not len(ds.interactions) or (len(ds.ties) and (ds.ties["relation"] == "interactions").any()):
        return ds
    extra = interaction_ties(ds)
    if not len(extra):
        return ds
    ties = pd.concat([ds.ties, extra], ignore_index=True) if len(ds.ties) else extra
    return replace(ds, ties=ties)


def apply_channel_modes(ds: Dataset, modes: Mapping[str, str]) -> Dataset:
    """A copy of ``ds`` classified by the channel mapping ``modes`` (channel → "stock"/"flow").

    The copy's ``channel_modes`` is ``modes`` and its ``interactions.mode`` is recomputed from
    ``channel``: a workspace's mapping (its settings) *replaces* the one the file was read with
    (the loader's :data:`lib.core.schema.CHANNEL_MODES`), so every page, export and the deck classify a
    channel the workspace's way. Channels match case-insensitively, ignoring surrounding spaces;
    a channel the mapping lacks gets mode "" (unclassified: counted, never in a share). Every
    other table, and ``ds`` itself, are left as they are.
    """
    it = ds.interactions
    if "channel" in it:
        mode = channel_mode(it["channel"], modes)
    else:
        mode = pd.Series([""] * len(it), index=it.index, dtype="str")
    return replace(ds, interactions=it.assign(mode=mode), channel_modes=dict(modes))
