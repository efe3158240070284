"""Arriving at the live pulse: the join link, its QR code, and each browser's device token in a cookie.

A pulse session (:mod:`lib.store.pulse`) is joined by ``<public url>/?join=<token>``
(:func:`join_url`); :func:`qr_png` draws it as a QR code, offline (segno, pure Python).

Why the app's root and not ``/pulse``: a participant's navigation holds the pulse page alone, so it
is the default page, and Streamlit serves the default page at the root only; ``/pulse?join=…`` then
opens with a "Page not found" dialog over the form (seen in Chromium, Streamlit 1.67). The root
works for everyone: :func:`lib.app.auth.arrive` turns the session into a participant before the navigation is
built, and the pulse page also reads ``?join=`` when a facilitator opens ``/pulse?join=…``.

Where the browser keeps it: a cookie, ``sld_pulse_<16 hex of the join token's SHA-256>``
(:func:`device_cookie`; ``Path=/``, ``SameSite=Lax``, 30 days, ``Secure`` over https), one per pulse,
so answers to two pulses are not linked. Streamlit gives a page the cookies its browser sent when
the page connected (``st.context.cookies``), so a reload, a second tab, or the QR code scanned
again reads the token before the form is drawn, with no round trip and no request leaving the
room. Streamlit has no call to set a cookie: the page writes it with three lines of JavaScript
(:func:`cookie_script`, through ``st.html(..., unsafe_allow_javascript=True)``, same origin, no
fetch) the first time it issues a token. Not chosen: ``localStorage`` reaches the server only
through a component that reports it after the first draw, so the first run would not know who is
answering, and clearing site data removes both alike; a query parameter written into the address
survives a reload but not the QR code scanned again or the link reopened from a chat, and it
travels with the address when someone shares it.

:func:`device_for` decides, once per browser session: the token this session already holds, else
the cookie's when its signature checks, else a fresh one. A cookie whose signature does not check
(made up, edited, or from another pulse's key) is *replaced* by a fresh token and the page says so;
:func:`lib.store.pulse.submit` *refuses* a token whose signature does not check (PulseError, nothing stored). So a
forged token never counts as a participant, and an edited cookie is no better than a deleted one.

The token itself, its signature and what the database keeps (:func:`lib.store.pulse.issue_device`,
:func:`lib.store.pulse.respondent_of`) are the pulse's storage; this module keeps them in the browser.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from lib.store.pulse import PulseError, PulseSession, issue_device, respondent_of

__all__ = [
    "DEFAULT_PUBLIC_URL",
    "DEVICE_COOKIE_MAX_AGE",
    "DEVICE_COOKIE_PREFIX",
    "ENV_PUBLIC_URL",
    "JOIN_PARAM",
    "STATE_DEVICE",
    "STATE_TOKEN",
    "BrowserState",
    "Device",
    "cookie_script",
    "device_cookie",
    "device_for",
    "join_url",
    "public_url",
    "qr_png",
]

ENV_PUBLIC_URL = "SLD_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501"
JOIN_PARAM = "join"
#: session_state key holding the join token of this browser session.
STATE_TOKEN = "pulse_token"
#: session_state key (``<this>:<session id>``) holding this browser session's :class:`Device`.
STATE_DEVICE = "pulse_device"
DEVICE_COOKIE_PREFIX = "sld_pulse_"
#: 30 days: longer than any workshop; a browser may keep a cookie set by script for less.
DEVICE_COOKIE_MAX_AGE = 30 * 24 * 3600


class BrowserState(Protocol):
    """What :func:`device_for` and :func:`lib.app.auth.arrive` read and write in one browser
    session's state: ``st.session_state`` in the app, a dict in tests. Only these two methods, as
    ``st.session_state`` is a ``MutableMapping[str | int, Any]``, not a ``MutableMapping[str, Any]``."""

    def get(self, key: str, /) -> Any: ...

    def __setitem__(self, key: str, value: Any, /) -> None: ...


@dataclass(frozen=True)
class Device:
    """This browser's identity for one pulse (:func:`device_for`; the module docstring says why)."""

    token: str  # "<id>.<signature>", what the cookie holds and :func:`lib.store.pulse.submit` takes
    cookie: str  # the cookie's name (:func:`device_cookie`)
    stored: bool = False  # the browser sent this token in its cookie: nothing to write
    replaced: bool = False  # the browser's cookie held a token this pulse did not sign


def public_url() -> str:
    """The address participants reach the app at: ``$SLD_PUBLIC_URL``, else http://localhost:8501."""
    return os.environ.get(ENV_PUBLIC_URL, "").strip() or DEFAULT_PUBLIC_URL


def join_url(base: str, token: str) -> str:
    """``<base>/?join=<token>`` (the app's root: see the module docstring); PulseError when ``base`` is
    not an http(s) address."""
    base = base.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base):
        raise PulseError(f"The app's address must start with http:// or https://, not {base!r}.")
    return f"{base}/?{JOIN_PARAM}={token}"


def qr_png(text: str, scale: int = 8) -> bytes:
    """A QR code of ``text`` as PNG bytes, drawn offline (segno, error correction M)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def device_cookie(session: PulseSession) -> str:
    """The cookie that keeps a browser's device token for ``session``: one name per pulse, which
    does not give the join token away."""
    return DEVICE_COOKIE_PREFIX + hashlib.sha256(session.token.encode()).hexdigest()[:16]


def device_for(session: PulseSession, cookies: Mapping[str, str], state: BrowserState) -> Device:
    """This browser session's identity for ``session``, decided once and kept in ``state``.

    The token ``state`` already holds; else the browser's cookie (``cookies``, as the browser sent
    them) when this pulse signed it (``stored``); else a fresh token, ``replaced`` when the cookie
    held one this pulse did not sign. The page writes a token that is not ``stored`` into the
    cookie (:func:`cookie_script`).
    """
    key = f"{STATE_DEVICE}:{session.id}"
    held = state.get(key)
    if isinstance(held, Device) and respondent_of(session, held.token) is not None:
        return held
    name = device_cookie(session)
    sent = cookies.get(name)
    if sent and respondent_of(session, sent) is not None:
        device = Device(token=sent, cookie=name, stored=True)
    else:
        device = Device(token=issue_device(session), cookie=name, replaced=bool(sent))
    state[key] = device
    return device


def cookie_script(device: Device, max_age: int = DEVICE_COOKIE_MAX_AGE) -> str:
    """The ``<script>`` that stores ``device`` in its cookie (same origin; ``Secure`` over https)."""
    for text in (device.cookie, device.token):
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", text):  # cookie-safe, and safe inside <script>
            raise PulseError("Not a device token.")
    cookie = json.dumps(f"{device.cookie}={device.token}; Path=/; Max-Age={int(max_age)}; SameSite=Lax")
    return (
        f"<script>document.cookie = {cookie} + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
