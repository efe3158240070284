"""Shared Streamlit widgets and session plumbing: the one module under lib/ that imports streamlit.

Pages call :func:`guard` first (stops the page for a role that may not open it), then
:func:`dataset` for the loaded data, :func:`compute` for cached analysis results, :func:`settings`
for the viewer's privacy settings and :func:`download_table` for downloads.

Who is signed in: :func:`user`. With nothing configured, the local user with every role; when
``.streamlit/secrets.toml`` configures sign-in (:mod:`lib.app.auth`), the OIDC user (``st.user``) or the
built-in account signed in on the sign-in page, else nobody (:data:`lib.app.auth.ANONYMOUS`).
Enforcement lives here, on the server: :func:`settings` always gives the aggregate view to a role
without ``named_view`` (whatever the session state says), :func:`download_table` offers nothing to
a role without ``export``, and :func:`person_labels` refuses names in the aggregate view.

Workspaces: :func:`workspace_engine` (one engine per database URL, process-wide: it holds no user
data), ``st.session_state["workspace"]`` = the name of this session's workspace, opened with
:func:`open_workspace` (its uploaded waves as one dataset, pulse waves kept apart, its settings applied).

Isolation: the loaded dataset and every cached result live in ``st.session_state``, so one
user's upload is never served to another session. Only the bundled sample organisation (public,
the same for everyone) is cached process-wide.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from lib.app import auth
from lib.core.dataset import Dataset
from lib.core.memory import release_free_memory
from lib.core.sanitise import markdown, safe_csv

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from lib.report.model import View
    from lib.store.workspaces import WorkspaceInfo, WorkspaceSettings

_LOG = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]  # the repository: lib/<package>/<module>.py
SAMPLE_PATH = ROOT / "sample_data" / "sample_org.xlsx"
SAMPLE_LABEL = "Sample organisation (generated, fictitious)"
MIN_GROUP_SIZE = 5
_RESULT_CACHE_ENTRIES = 64
#: The sample's shared results: more entries than a session's (every session's choices land here),
#: still bounded (what-if removals and thresholds are the user's choice).
_SAMPLE_RESULT_ENTRIES = 256

#: Work started ahead of the page that shows it (:func:`prefetch`): one thread per server process,
#: so background work takes at most one of the machine's cores whatever the number of sessions.
#: Off unless the server turns it on (:mod:`lib.app.serve` does; scripted AppTests do not).
BACKGROUND = {"enabled": False}
WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sld-background")


@dataclass(frozen=True)
class _Pending:
    """A result being computed in the background (:func:`prefetch`), kept where the result goes."""

    future: Future[Any]


T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    view: View
    min_group_size: int
    pseudonyms: bool

    @property
    def individuals_visible(self) -> bool:
        return self.view == "named"


_SAMPLE_LOCK = threading.Lock()
#: The bundled sample organisation and its results, once per server process (it is public and the
#: same for everyone, so its results may be shared between sessions; uploads never are).
_SAMPLE: dict[str, Any] = {}
_SAMPLE_RESULTS: dict[Any, Any] = {}
_SAMPLE_KEY_LOCKS: dict[Any, threading.Lock] = {}


def _sample_dataset() -> Dataset:
    from lib.analysis.flows import with_interaction_relation
    from lib.intake.sample_cache import load_cached

    with _SAMPLE_LOCK:
        if "dataset" not in _SAMPLE:  # read once per server; from a Parquet copy after the first time
            ds = with_interaction_relation(load_cached(SAMPLE_PATH))
            ds.source = SAMPLE_LABEL
            _SAMPLE["dataset"] = ds
        return _SAMPLE["dataset"]  # type: ignore[no-any-return]


def forget_sample() -> None:
    """Drop the sample organisation and its shared results (tests start each from a clean slate)."""
    with _SAMPLE_LOCK:
        _SAMPLE.clear()
        _SAMPLE_RESULTS.clear()
        _SAMPLE_KEY_LOCKS.clear()


def dataset() -> Dataset:
    """The dataset of this session: the last good upload, or the sample organisation."""
    ds = st.session_state.get("dataset")
    if ds is None:
        if "dataset" in _SAMPLE:
            ds = _SAMPLE["dataset"]
        else:
            with st.spinner("Loading the sample organisation…"):
                ds = _sample_dataset()
        st.session_state["dataset_key"] = "sample"
    return ds


def _sample_result(key: Any, make: Callable[[], T]) -> T:
    """``make()`` once per server process for the sample organisation (callers of the same key
    wait for the first one instead of computing it again)."""
    with _SAMPLE_LOCK:
        lock = _SAMPLE_KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _SAMPLE_RESULTS:
            value = make()
            with _SAMPLE_LOCK:
                while len(_SAMPLE_RESULTS) >= _SAMPLE_RESULT_ENTRIES:  # the oldest goes first
                    oldest = next(iter(_SAMPLE_RESULTS))
                    _SAMPLE_RESULTS.pop(oldest)
                    _SAMPLE_KEY_LOCKS.pop(oldest, None)
                _SAMPLE_RESULTS[key] = value
            return value
        return _SAMPLE_RESULTS[key]  # type: ignore[no-any-return]


def set_dataset(ds: Dataset | None, key: str = "sample") -> None:
    """Replace this session's dataset (None = back to the sample) and drop its cached results.

    The collaboration log's person-to-person events become one more relation, "interactions".
    """
    from lib.analysis.flows import with_interaction_relation

    for held in st.session_state.get("_results", {}).values():
        if isinstance(held, _Pending):
            held.future.cancel()  # queued work for the old data is dropped (running work finishes)
    st.session_state["dataset"] = None if ds is None else with_interaction_relation(ds)
    st.session_state["dataset_key"] = key
    st.session_state["_results"] = {}
    release_free_memory()  # what reading the upload (and the old data's results) freed


def is_sample() -> bool:
    return st.session_state.get("dataset") is None


def _result_key(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], dataset_key: object = None
) -> tuple[Any, ...]:
    """Where a result is cached: the function, the dataset (``dataset_key``, default this
    session's) and the arguments. :func:`compute`, :func:`prefetch` and :func:`warm_sample` all
    key through here, so what one stores the others find."""
    if any(isinstance(a, pd.DataFrame | pd.Series) for a in (*args, *kwargs.values())):
        # repr() of a table is truncated: two different tables could share a cache key.
        raise TypeError("ui.compute takes plain arguments; pass what the table is derived from")
    return (
        fn.__module__,
        fn.__qualname__,
        st.session_state.get("dataset_key") if dataset_key is None else dataset_key,
        repr(args),
        repr(sorted(kwargs.items())),
    )


def compute(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(dataset(), *args, **kwargs)``, cached in this session, keyed on the dataset's content
    (for the bundled sample: once per server process, shared by every session).

    A result :func:`prefetch` started is awaited when it is already being computed; one still
    waiting for the background thread is taken back and computed here, at once. Computing it
    here for more than half a second shows a spinner naming it, with the seconds it has taken
    (never a blank wait)."""
    return _compute(fn, args, kwargs, shown=True)


def _compute(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], shown: bool) -> T:
    """:func:`compute`; ``shown``: with its spinner (off where the page shows its own progress)."""
    ds = dataset()
    key = _result_key(fn, args, kwargs)

    def make() -> T:
        if not shown:
            return fn(ds, *args, **kwargs)
        with st.spinner(f"{_label(fn)}…", show_time=True):  # appears after half a second
            return fn(ds, *args, **kwargs)

    if st.session_state.get("dataset") is None:  # the sample: shared by every session
        return _sample_result(key, make)
    cache: dict[Any, Any] = st.session_state.setdefault("_results", {})
    held = cache.get(key)
    if isinstance(held, _Pending):
        cache[key] = _settle(held.future, make, _label(fn))
    elif key not in cache:
        if len(cache) >= _RESULT_CACHE_ENTRIES:
            cache.pop(next(iter(cache)))
        cache[key] = make()
    return cache[key]  # type: ignore[no-any-return]


def compute_in_order(
    calls: list[tuple[Callable[..., Any], tuple[Any, ...]]], stages: tuple[int, ...] = ()
) -> Iterator[Any]:
    """:func:`compute` of each call in turn, yielded as each is ready, for calls :func:`prefetch`
    may have started (the caller shows its own progress: no spinner per call). While a call is
    running on the background thread, the page computes a later call still queued there (taking
    it back), rather than waiting idle: two threads share the work (1.4× faster on the Overview's
    sections at 10,000 people; the interpreter lock is released in numpy and pyarrow).

    ``stages``: indexes where a stage of ``calls`` ends (the Overview's number tiles: the first
    six). The page takes back only calls of the stage it is in, so a stage's last result is never
    held up by a slower call of the next one."""
    for i, (fn, args) in enumerate(calls):
        end = min((s for s in stages if s > i), default=len(calls))
        while _state(fn, args) == "running":
            later = next((c for c in calls[i + 1 : end] if _state(*c) == "queued"), None)
            if later is None:
                break
            _compute(later[0], later[1], {}, shown=False)
        yield _compute(fn, args, {}, shown=False)


def ready(calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> bool:
    """Whether :func:`compute` of every call would answer at once: each result is held (this
    session's, or the sample's for every session), none still queued or running in the background.
    A page then draws each place once, in its final state, instead of step by step."""
    if st.session_state.get("dataset") is None:
        return all(_result_key(fn, args, {}) in _SAMPLE_RESULTS for fn, args in calls)
    cache = st.session_state.get("_results", {})
    keys = [_result_key(fn, args, {}) for fn, args in calls]
    return all(key in cache and not isinstance(cache[key], _Pending) for key in keys)


#: A session's first look at a page whose results are all at hand (:func:`first_look`) comes in two
#: steps: the numbers, then the whole page. Off unless the server turns it on after its warm-up
#: (:mod:`lib.app.serve`: the warm-up run draws the whole page; scripted AppTests draw it at once).
FIRST_LOOK = {"enabled": False}
#: How long the browser waits, once it has taken in the numbers, before it asks for the whole page
#: (:func:`come_back`). The numbers wait for their element's code and React shows content that was
#: waiting for code at most every 300 ms: when the rest of the page arrived first, it held the
#: numbers back until it was all drawn. Fresh server, sample, time to the first tile (measured, on
#: an idle machine): 0.05 s, 1.3-2.5 s; 0.5 s, 1.2-1.9 s but 1.9-2.5 s in three runs of six after a
#: full test run; 1.0 s, 1.04-1.74 s in nine runs, the findings at 2.2-2.5 s.
FIRST_LOOK_SECONDS = 1.0
_FIRST_LOOK_AGAIN = "_first_look_again"


def first_look(page: str) -> bool:
    """Whether this run is the session's first look at ``page`` (True once per session and page,
    when :data:`FIRST_LOOK` is on). The page then sends what answers at a glance, the numbers, and
    calls :func:`come_back` for the rest: the browser draws the numbers before the charts and
    tables, whose code and drawing took it over a second on this machine (benchmarks/README.md)."""
    if not FIRST_LOOK["enabled"]:
        return False
    key = f"_first_look_{page}"
    if st.session_state.get(key):
        return False
    st.session_state[key] = True
    return True


def come_back(seconds: float = FIRST_LOOK_SECONDS) -> NoReturn:
    """End this run; the browser asks for a full run of the page once it has drawn what was sent and
    ``seconds`` have passed. A fragment with a timer (``run_every``) is the browser's own clock: its
    first run is this one, its second (the timer's) reruns the whole app, whose first run clears
    the timer (the browser drops a page's timers on every full run)."""
    st.session_state[_FIRST_LOOK_AGAIN] = False

    @st.fragment(run_every=seconds)
    def again() -> None:
        if st.session_state.get(_FIRST_LOOK_AGAIN):
            st.rerun()
        st.session_state[_FIRST_LOOK_AGAIN] = True

    again()
    st.stop()


def _state(fn: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """Where ``compute(fn, *args)`` stands in this session: "running" or "queued" on the
    background thread, else "" (done, computed here, or never started)."""
    held = st.session_state.get("_results", {}).get(_result_key(fn, args, {}))
    if not isinstance(held, _Pending) or held.future.done():
        return ""
    return "running" if held.future.running() else "queued"


#: A wait on background work longer than this shows a status box (and lets the page be left).
_WAIT_SHOWN_AFTER = 1.0


def _settle(future: Future[T], make: Callable[[], T], label: str) -> T:
    """The background result: awaited when it is running, else (not started, or it failed)
    computed here, so a failure surfaces on the page as any other would.

    A wait of more than a second shows a status box naming ``label`` with the seconds waited,
    updated while it lasts: the user sees what the page is doing, and each update is a point where
    Streamlit can stop this run when the user moves to another page (a bare wait could not be
    interrupted)."""
    if future.cancel():
        return make()
    started = time.monotonic()
    slot: Any = None
    try:
        while True:
            try:
                return future.result(timeout=0.25)
            except FuturesTimeout:
                waited = time.monotonic() - started
                if waited < _WAIT_SHOWN_AFTER:
                    continue
                if slot is None:
                    slot = st.empty()
                    box = slot.status(f"{label}…", expanded=False)
                box.update(label=f"{label}… ({waited:.0f} s)")
            except Exception:  # the page computes it again and shows its own error
                _LOG.warning("a background computation failed; computing it on the page", exc_info=True)
                return make()
    finally:
        if slot is not None:
            slot.empty()


def _label(fn: Callable[..., Any]) -> str:
    """What a wait on ``fn`` is called on the page: its name in words ("network change")."""
    return "Computing " + fn.__name__.strip("_").replace("_", " ")


def prefetch(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Start ``fn(dataset(), *args, **kwargs)`` on the background thread, where :func:`compute`
    with the same arguments will find it: a page the user opens next shows it sooner.

    The same isolation as :func:`compute`: an upload's result is kept in this session only;
    the sample's in the process-wide sample cache. Nothing is started twice, nothing when
    :data:`BACKGROUND` is off, and what is still queued is dropped when the dataset changes."""
    if not BACKGROUND["enabled"]:
        return
    ds = dataset()
    key = _result_key(fn, args, kwargs)
    if st.session_state.get("dataset") is None:
        if key not in _SAMPLE_RESULTS:
            WORKER.submit(_sample_result, key, lambda: _released(fn, ds, *args, **kwargs))
        return
    cache: dict[Any, Any] = st.session_state.setdefault("_results", {})
    if key not in cache and len(cache) < _RESULT_CACHE_ENTRIES:
        cache[key] = _Pending(WORKER.submit(_released, fn, ds, *args, **kwargs))


def _released(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` on the background thread, then the memory it freed handed back to the
    system (:func:`lib.core.memory.release_free_memory`: the thread's own allocator caches)."""
    try:
        return fn(*args, **kwargs)
    finally:
        release_free_memory()


def warm_sample(plan: Callable[[Dataset], list[tuple[Callable[..., Any], tuple[Any, ...]]]]) -> None:
    """Compute ``fn(sample, *args)`` for each call ``plan(sample)`` lists into the process-wide
    sample cache, under the keys :func:`compute` uses for the sample (no session needed: the
    server runs this before anyone arrives)."""
    ds = _sample_dataset()
    for fn, args in plan(ds):
        key = _result_key(fn, args, {}, dataset_key="sample")
        _sample_result(key, lambda fn=fn, args=args: fn(ds, *args))  # type: ignore[misc]


@contextmanager
def progress(title: str, shown: bool = True) -> Iterator[Callable[[str], None]]:
    """A status box saying what is being computed, while it is: ``step(name)`` names the step
    now running; the box goes away when the block ends (work answered from the cache shows it
    only for an instant). ``shown``: False when everything is known to be at hand (:func:`ready`):
    no box, and ``step`` does nothing."""
    if not shown:
        yield lambda name: None
        return
    slot = st.empty()
    box = slot.status(f"{title}…", expanded=False)

    def step(name: str) -> None:
        box.update(label=f"{title}: {name}…")

    try:
        yield step
    finally:
        slot.empty()


# --- charts ------------------------------------------------------------------------------------

#: Chart specs kept per session (and the sample's per server process): a page of a dozen small
#: charts is redrawn on every rerun, and building them in Altair costs more than the analysis
#: they show once that is cached.
_CHART_ENTRIES = 128
_SAMPLE_CHARTS: OrderedDict[str, dict[str, Any] | None] = OrderedDict()
_CHART_LOCK = threading.Lock()


def chart_spec(build: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any] | None:
    """The Vega-Lite spec of the Altair chart ``build(*args, **kwargs)``, or None when it draws
    nothing, built once per session (the sample's once per server process) for the same
    arguments: the key is a digest of the arguments' pickled content, so a different table is a
    different chart. Built without Altair's schema check, which costs a third of each chart:
    ``tests/test_charts.py`` runs every chart builder with the check on."""
    digest = hashlib.sha256(
        pickle.dumps((build.__module__, build.__qualname__, args, sorted(kwargs.items())), protocol=5)
    ).hexdigest()
    store: OrderedDict[str, dict[str, Any] | None] = (
        _SAMPLE_CHARTS if is_sample() else st.session_state.setdefault("_charts", OrderedDict())
    )
    with _CHART_LOCK:
        if digest in store:
            store.move_to_end(digest)
            return store[digest]
    chart = build(*args, **kwargs)
    spec = None if chart is None else _vega_lite(chart)
    with _CHART_LOCK:
        store[digest] = spec
        while len(store) > _CHART_ENTRIES:
            store.popitem(last=False)
    return spec


def _vega_lite(chart: Any) -> dict[str, Any]:
    """``chart`` as a Vega-Lite spec, converted as ``st.altair_chart`` converts it: with Altair's
    "none" theme in place of its default (whose 300-pixel view sizes a page column does not want),
    the data inline. Altair's theme is process-wide, so this takes the lock Streamlit's own chart
    conversion holds around it (``st.line_chart`` and friends), and the two never interleave."""
    import altair as alt
    from streamlit.elements import vega_charts

    lock = getattr(vega_charts, "_altair_globals_lock", _CHART_LOCK)  # private in Streamlit: ours if gone
    with lock, alt.theme.enable("none") if alt.theme.active == "default" else contextlib.nullcontext():
        spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec


def vega_chart(spec: dict[str, Any], alt: str) -> None:
    """A spec from :func:`chart_spec` as wide as its column, described by ``alt`` for screen readers
    (a copy: Streamlit moves the spec's data out of it)."""
    st.vega_lite_chart(spec=copy.deepcopy(spec), width="stretch", alt=alt)


# --- who is signed in ------------------------------------------------------------------------


def _config_error(message: str) -> NoReturn:
    st.error(
        f"Sign-in is configured wrongly, so nobody can sign in: {md(message)} "
        "Fix `.streamlit/secrets.toml` (see `.streamlit/secrets.example.toml`) and restart the app."
    )
    st.stop()


def auth_config() -> auth.AuthConfig:
    """The sign-in configuration from the secrets. No secrets file: not configured (the local user).
    A file that cannot be read or used stops the app: it fails closed, never open."""
    try:
        data = st.secrets.to_dict()
    except StreamlitSecretNotFoundError as err:
        if getattr(err, "error_id", None) == "no-secrets-found":
            return auth.AuthConfig()
        _LOG.error("secrets cannot be read: %s", err.error_id if hasattr(err, "error_id") else "?")
        _config_error("the secrets file cannot be read (is it valid TOML?).")
    try:
        return auth.load_config(data)
    except auth.AuthConfigError as err:
        _config_error(str(err))


def user() -> auth.User:
    """The signed-in user: the one this session signed in (built-in account, join link), else the
    identity provider's (``st.user``), else nobody. Nothing configured: :func:`lib.app.auth.local_user`,
    the local user with every role for a browser on this computer, the participant role only for
    one elsewhere (unless ``SLD_LOCAL_MODE=anywhere``; a value it does not know stops the app)."""
    signed = st.session_state.get("user")
    if isinstance(signed, auth.User):
        return signed
    config = auth_config()
    if not config.configured:
        try:
            anywhere = auth.local_mode_anywhere(os.environ.get(auth.LOCAL_MODE_ENV))
        except auth.AuthConfigError as err:
            st.error(
                f"The app's local mode is set wrongly, so nobody can use it: {md(err)} Restart the app then."
            )
            st.stop()
        return auth.local_user(auth.client_address(st.context.ip_address), anywhere)
    if config.oidc_providers and st.user.get("is_logged_in") is True:
        return auth.oidc_user(config, st.user.to_dict())
    return auth.ANONYMOUS


def can(action: auth.Action) -> bool:
    """May the signed-in user do ``action`` (:data:`lib.app.auth.ACTION_ACCESS`)?"""
    return auth.allowed(user(), action)


def roles_text(u: auth.User) -> str:
    return ", ".join(r for r in auth.ROLES if r in u.roles) or "no role"


def sign_in(u: auth.User) -> None:
    """Start a fresh session for ``u``: nothing the previous user loaded or chose stays."""
    for key in list(st.session_state):
        del st.session_state[key]
    st.session_state["user"] = u


def sign_out() -> None:
    """Forget this session's user and everything it loaded; an OIDC user is logged out too."""
    u = user()
    for key in list(st.session_state):
        del st.session_state[key]
    if u.source == "oidc":
        st.logout()
    st.rerun()


def guard(page: str) -> auth.User:
    """First line of every page: stop with a plain message when the user's roles may not open ``page``.

    The navigation already registers only the pages a user may open; this is the second lock, for a
    page reached any other way (``st.switch_page``, a link in another page)."""
    u = user()
    if not auth.may_open(u, page):
        st.error(f"This page is not available to your role ({roles_text(u)}).")
        st.stop()
    return u


def settings() -> Settings:
    """The viewer's privacy settings, enforced: a role without ``named_view`` (an executive) always
    gets the aggregate view; the minimum group size never goes below the workspace's (or 5)."""
    ws = workspace_settings()
    floor = max(MIN_GROUP_SIZE, ws.min_group_size if ws else MIN_GROUP_SIZE)
    named_ok = can("named_view")
    view = str(st.session_state.get("view", ws.default_view if ws else "named")) if named_ok else "aggregate"
    try:
        size = int(st.session_state.get("min_group_size", floor))
    except (TypeError, ValueError):
        size = floor
    return Settings(
        view="named" if view == "named" else "aggregate",
        min_group_size=max(floor, size),
        pseudonyms=named_ok and bool(st.session_state.get("pseudonyms", False)),
    )


def sidebar() -> None:
    """The shared frame: who is signed in, the workspace, which data is loaded, the privacy settings."""
    u = user()
    if not u.roles:
        return  # the sign-in page: nothing to show yet
    ws = workspace_settings()
    floor = max(MIN_GROUP_SIZE, ws.min_group_size if ws else MIN_GROUP_SIZE)
    st.session_state.setdefault("view", ws.default_view if ws else "named")
    if int(st.session_state.get("min_group_size", 0) or 0) < floor:
        st.session_state["min_group_size"] = floor  # a workspace's minimum, never less
    st.session_state.setdefault("pseudonyms", False)
    with st.sidebar:
        if u.source == "join-link":
            st.caption("You joined a pulse through its link: this device sees the pulse page only.")
        elif u.source == "remote":
            st.caption("Opened from another computer: the pulse page only.")
        elif not u.is_local:
            st.caption(f"Signed in: **{md(u.name)}** ({roles_text(u)})")
            if st.button("Sign out", key="sign-out"):
                sign_out()
        if not can("open_workspace"):
            return  # a participant: the pulse page only
        _workspace_picker()
        ds = dataset()
        st.caption(f"Data: **{md(ds.source or 'upload')}** · {len(ds.people):,} people")
        if can("named_view"):
            st.radio(
                "Viewer",
                options=["named", "aggregate"],
                format_func=lambda v: {"named": "Named (facilitator)", "aggregate": "Aggregate (executive)"}[
                    v
                ],
                key="view",
                help="Aggregate hides every name, id and person-level table; named shows everything.",
            )
        else:
            st.caption(
                "**Aggregate view** (your role): no names, ids or person-level tables; "
                "groups under the minimum size are hidden."
            )
        st.number_input(
            "Minimum group size",
            min_value=floor,
            max_value=100,
            step=1,
            key="min_group_size",
            help="Groups smaller than this are never shown in aggregate statistics. It can only be raised.",
        )
        if can("named_view"):
            st.checkbox(
                "Show pseudonyms instead of names",
                key="pseudonyms",
                help="Stable pseudonyms, salted per dataset: the same on every page and export.",
            )


# --- workspaces ------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    from lib.store.workspaces import open_database

    return open_database(url)


def workspace_engine() -> Engine:
    """The workspaces database (``$SLD_DATABASE_URL`` or ``data/workspaces.db``), migrated."""
    from lib.store.db import database_url

    return _engine(database_url())


def workspace() -> str | None:
    """The name of this session's workspace, or None."""
    name = st.session_state.get("workspace")
    return str(name) if name else None


def workspace_names() -> list[str]:
    """The workspaces the signed-in user may open, sorted: every stored workspace filtered by
    :func:`lib.app.auth.may_open_workspace` (``[workspace_access]``); none for a role without
    ``open_workspace``. The lists of workspaces on pages come from here, and :func:`open_workspace`
    refuses any other name."""
    from lib.store.workspaces import workspace_names as stored_names

    u = user()
    if not auth.allowed(u, "open_workspace"):
        return []
    return auth.workspaces_for(auth_config(), u, stored_names(workspace_engine()))


def check_new_workspace(name: str) -> str:
    """``name`` cleaned, when the signed-in user may create a workspace of that name; WorkspaceError
    otherwise: a role without ``upload``, a name ``[workspace_access]`` assigns to others (creating it
    would hand them this user's data, or lock this user out), or a name already taken."""
    from lib.store.workspaces import WorkspaceError
    from lib.store.workspaces import workspace_names as stored_names

    clean = str(name).strip()
    if not can("upload"):
        raise WorkspaceError("Your role cannot create workspaces.")
    if not clean:
        raise WorkspaceError("Give the new workspace a name.")
    if not auth.may_open_workspace(auth_config(), user(), clean):
        raise WorkspaceError(
            f"The name {clean!r} is assigned to others in the sign-in settings ([workspace_access]): "
            "choose another name."
        )
    if clean in stored_names(workspace_engine()):
        raise WorkspaceError(f"A workspace named {clean!r} already exists: choose another name.")
    return clean


def create_workspace(name: str) -> str:
    """Create an empty workspace for the signed-in user (:func:`check_new_workspace`); its name."""
    from lib.store.workspaces import create_workspace as create

    return create(workspace_engine(), check_new_workspace(name)).name


def workspace_settings() -> WorkspaceSettings | None:
    """The settings of this session's workspace (as of when it was opened or last refreshed)."""
    return st.session_state.get("workspace_settings") if workspace() else None


def _workspace_key(info: WorkspaceInfo, wave: str | None = None) -> str:
    """The dataset key of the workspace view (``"ws:…"``) or, with ``wave``, of that one wave
    (``"wave:…"``): a hash of what the data shown depend on, so :func:`refresh_workspace` reloads
    when it changes. That is the waves combined (label and fingerprint; pulse waves kept apart are
    left out, so a pulse answer reloads no viewer's workspace view) or the one wave, and the
    settings that change the data: the pseudonym salt and the channel mapping."""
    waves = info.combined_waves if wave is None else tuple(w for w in info.waves if w.label == wave)
    h = hashlib.sha256(info.name.encode())
    for w in waves:
        h.update(f"\0{w.label}\0{w.fingerprint}".encode())
    h.update(f"\0salt\0{info.settings.pseudonym_salt}".encode())
    h.update(f"\0modes\0{sorted(info.settings.channel_modes.items())!r}".encode())
    return ("ws:" if wave is None else "wave:") + h.hexdigest()


def apply_workspace_settings(ws: WorkspaceSettings, set_view: bool = True) -> None:
    """Apply a workspace's settings to this session: its minimum group size (a viewer's higher
    one stays), and with ``set_view`` its default view (for roles that may see names). Call from
    a widget callback: it changes widget state.

    The settings that change the data (pseudonym salt, channel mapping) are applied by loading:
    :func:`lib.store.workspaces.load_workspace` and :func:`lib.store.workspaces.load_wave` build them into the
    dataset, and :func:`_workspace_key` covers them, so after a change :func:`refresh_workspace`
    reloads the data shown (this session's and every other session's with the workspace open)."""
    st.session_state["workspace_settings"] = ws
    st.session_state["min_group_size"] = max(
        MIN_GROUP_SIZE, ws.min_group_size, int(st.session_state.get("min_group_size", 0) or 0)
    )
    if set_view and can("named_view"):
        st.session_state["view"] = ws.default_view


def open_workspace(name: str | None, load: bool = True) -> None:
    """Make ``name`` this session's workspace: its uploaded waves as one dataset, pulse waves kept
    apart (:func:`lib.store.workspaces.load_workspace`; ``load=False``: keep the
    data loaded now, e.g. an upload to save into it), its settings applied (default view, minimum
    group size). None: no workspace (back to the sample if the workspace was shown).

    Changes widget state, so call it from a widget callback (``on_change``/``on_click``).
    WorkspaceError when the signed-in user may not open it (:func:`workspace_names`) or it does not
    exist: one message for both, so it does not tell whether a workspace exists."""
    if not name:
        st.session_state.pop("workspace", None)
        st.session_state.pop("workspace_settings", None)
        if str(st.session_state.get("dataset_key", "")).startswith("ws:"):
            set_dataset(None)
        return
    from lib.store.workspaces import WorkspaceError, get_workspace, load_workspace

    if name.strip() not in workspace_names():
        raise WorkspaceError(
            f"There is no workspace {name.strip()!r} that you may open. Choose one from the "
            "Workspace menu, or ask a facilitator for access to yours."
        )

    engine = workspace_engine()
    if load:  # a workspace of pulses only combines them: every answer so far (lib/store/pulse.py)
        from lib.store import pulse

        for session in pulse.list_sessions(engine, name.strip()):
            if session.is_open:
                pulse.refresh(engine, session.token)
    info = get_workspace(engine, name)
    if load:
        set_dataset(load_workspace(engine, info.name), key=_workspace_key(info))
    st.session_state["workspace"] = info.name
    apply_workspace_settings(info.settings)


def _show_wave(engine: Engine, info: WorkspaceInfo, label: str) -> None:
    """Load wave ``label`` of the workspace ``info`` alone as this session's dataset."""
    from lib.store.workspaces import load_wave

    ds = load_wave(engine, info.name, label)
    ds.source = f"workspace {info.name}, wave {label}"
    set_dataset(ds, key=_workspace_key(info, label))
    st.session_state["workspace_wave"] = label


def _close_workspace() -> None:
    """Forget this session's workspace (deleted, or no longer open to this user) and any of its data shown."""
    for key in ("workspace", "workspace_settings", "workspace_choice", "workspace_wave"):
        st.session_state.pop(key, None)
    if str(st.session_state.get("dataset_key", "")).startswith(("ws:", "wave:")):
        set_dataset(None)


def open_wave(label: str) -> None:
    """Load one stored wave of this session's workspace as the dataset, the workspace's settings
    applied: an upload wave alone, or a pulse wave (which the workspace view keeps apart). Call from
    a callback; WorkspaceError when the wave does not exist."""
    from lib.store.pulse import refresh_wave
    from lib.store.workspaces import get_workspace

    name = workspace()
    if not name:
        return
    engine = workspace_engine()
    refresh_wave(engine, name, label)  # an open pulse's wave: rebuilt from every answer so far
    info = get_workspace(engine, name)
    _show_wave(engine, info, label)
    apply_workspace_settings(info.settings)


def refresh_workspace() -> None:
    """Keep this session in step with its workspace: new or deleted upload waves reload the
    workspace view, a changed wave reloads that wave when it is shown alone (a pulse as answers
    arrive), changed settings apply (a new salt or channel mapping reloads the data), a deleted
    workspace closes. A new pulse wave only updates the workspace view's source (how many pulses
    are kept apart): the data are the same, so nothing is reloaded."""
    from lib.store.pulse import refresh_wave
    from lib.store.workspaces import WorkspaceError, get_workspace, load_workspace, workspace_source

    name = workspace()
    if not name:
        return
    engine = workspace_engine()
    try:
        info = get_workspace(engine, name)
    except WorkspaceError:
        _close_workspace()
        return
    st.session_state["workspace_settings"] = info.settings
    key = str(st.session_state.get("dataset_key", ""))
    if key.startswith("ws:") and key != _workspace_key(info):
        set_dataset(load_workspace(engine, info.name), key=_workspace_key(info))
    elif key.startswith("ws:") and st.session_state.get("dataset") is not None:
        st.session_state["dataset"].source = workspace_source(info)
    elif key.startswith("wave:"):
        label = str(st.session_state.get("workspace_wave", ""))
        # an open pulse shown alone follows its answers: submissions only append them, so its
        # tables are brought up to date here (nothing is rewritten when no answer came in)
        if refresh_wave(engine, info.name, label):
            info = get_workspace(engine, name)
        if any(w.label == label for w in info.waves) and key != _workspace_key(info, label):
            _show_wave(engine, info, label)


def _choose_workspace() -> None:
    from lib.store.workspaces import WorkspaceError

    try:
        open_workspace(st.session_state.get("workspace_choice") or None)
    except WorkspaceError as err:
        st.session_state["workspace_error"] = str(err)


def _workspace_picker() -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from lib.store.workspaces import WorkspaceError

    try:
        refresh_workspace()
        names = workspace_names()
    except (SQLAlchemyError, WorkspaceError, OSError) as err:
        _LOG.warning("workspaces unavailable: %s", type(err).__name__)
        st.caption("Workspaces are unavailable: the database cannot be opened.")
        return
    current = workspace()
    if current and current not in names:  # access withdrawn ([workspace_access]) since it was opened
        _close_workspace()
        current = None
    if not names and not current:
        return
    st.session_state["workspace_choice"] = current or ""
    st.selectbox(
        "Workspace",
        ["", *names],
        format_func=lambda n: n or "None (sample or upload)",
        key="workspace_choice",
        on_change=_choose_workspace,
        help="A workspace keeps one organisation's waves and settings. Opening it shows its uploaded waves "
        "together; pulse waves stay apart (Data page: open one alone).",
    )
    error = st.session_state.pop("workspace_error", None)
    if error:
        st.error(md(error))


def require(ok: bool, message: str) -> None:
    """Guard: show ``message`` and stop the page when the data it needs is missing."""
    if not ok:
        st.info(message)
        st.stop()


def download_table(
    df: pd.DataFrame, filename: str, label: str = "Download CSV", key: str | None = None
) -> None:
    """A CSV download with spreadsheet formulas neutralised; nothing for a role without ``export``."""
    if not can("export"):
        return
    st.download_button(
        label,
        data=safe_csv(df),
        file_name=filename,
        mime="text/csv",
        key=key or f"dl-{filename}",
        on_click="ignore",
    )


def md(text: object) -> str:
    """Escape user text for st.markdown (:func:`lib.core.sanitise.markdown`)."""
    return markdown(text)


def person_labels() -> dict[str, str]:
    """person_id → what this viewer may see: the name, or a stable pseudonym (named view only).

    PermissionError in the aggregate view: a page that asks for names there is a bug, not a leak."""
    from lib.core.privacy import person_labels as labels

    if not settings().individuals_visible:
        raise PermissionError("Names are not shown in the aggregate view.")
    return compute(labels, settings().pseudonyms)


def with_names(table: pd.DataFrame, id_col: str = "person_id") -> pd.DataFrame:
    """A person-level table with a ``person`` column (name or pseudonym) in front; ids dropped if pseudonymised."""
    labels = person_labels()
    out = table.copy()
    out.insert(0, "person", out[id_col].astype(str).map(labels).fillna(out[id_col].astype(str)))
    if settings().pseudonyms:
        out = out.drop(columns=[id_col])
    return out
