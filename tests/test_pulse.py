"""The live pulse (lib/store/pulse.py): sessions, answers replaced not doubled, the wave they build, closing.

Database tests run on SQLite and PostgreSQL (the ``db`` fixture of tests/test_workspaces.py).
Expected tables are written out by hand from small answers.
"""

from __future__ import annotations

import math
import struct
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from lib.analysis import pulse_summary
from lib.app import auth, pulse_link
from lib.app.auth import LOCAL_USER, User
from lib.core.dataset import Dataset
from lib.core.schema import TRUST_ITEM_BANK
from lib.store import pulse
from lib.store import workspaces as ws
from lib.store.db import ensure_schema, write_transaction
from lib.store.models import PulseAnswer, Wave
from lib.store.models import PulseSession as SessionRow
from tests.test_workspaces import Backend, db  # noqa: F401  (the sqlite/postgresql fixture)

T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
DEVICES = ["phone-a", "phone-b", "phone-c", "phone-d", "phone-e", "phone-f"]  # device ids (signed by send)
ITEMS = ("ks1", "tr1", "tw1")  # the first positively worded item of the default dimensions


def roster_dataset() -> Dataset:
    people = pd.DataFrame(
        {
            "person_id": pd.Series(["a1", "a2", "a3", "a4"], dtype="str"),
            "name": pd.Series(["Ann Lee", "Bo Chen", "", "Dee Roy"], dtype="str"),
            "team": pd.Series(["Sales", "Ops", "Ops", "Sales"], dtype="str"),
            "department": pd.Series(["Commercial", "Delivery", "Delivery", "Commercial"], dtype="str"),
            "role": pd.Series(["Rep", "Lead", "Analyst", "Rep"], dtype="str"),
            "level": pd.array([3, 2, 3, 3], dtype="Int64"),
            "manager_id": pd.Series(["a2", "", "a2", "a2"], dtype="str"),
            "location": pd.Series(["Leeds", "York", "York", "Leeds"], dtype="str"),
            "tenure_years": pd.Series([1.5, 7.0, 2.0, 3.0], dtype="float64"),
            "responded": pd.array([True, True, False, True], dtype="boolean"),
            "guild": pd.Series(["data", "", "ux", "data"], dtype="str"),  # a custom attribute
        }
    )
    return Dataset(people=people, source="roster.xlsx")


@pytest.fixture
def engine(db: Backend) -> Engine:  # noqa: F811
    ensure_schema(db.engine)
    ws.import_dataset(db.engine, "Acme", roster_dataset(), "2026-Q1", now=T0 - timedelta(days=30))
    return db.engine


def answer(hours: dict[str, float], advisers: list[str], trust: tuple[int, int, int]) -> pulse.Response:
    return pulse.Response(hours=hours, advisers=advisers, trust=dict(zip(ITEMS, trust, strict=True)))


def send(
    engine: Engine,
    session: pulse.PulseSession,
    device_id: str,
    response: pulse.Response,
    now: datetime | None = None,
) -> pulse.SubmitResult:
    """The browser whose device id is ``device_id`` sends ``response`` (its token signed as the page's is)."""
    return pulse.submit(engine, session.token, pulse.issue_device(session, device_id), response, now=now)


def stored_rows(engine: Engine, session: pulse.PulseSession) -> list[tuple[str, str, float]]:
    with engine.connect() as conn:
        wave_id = select(SessionRow.wave_id).where(SessionRow.token == session.token).scalar_subquery()
        rows = conn.execute(
            select(PulseAnswer.respondent, PulseAnswer.item, PulseAnswer.value)
            .where(PulseAnswer.wave_id == wave_id)
            .order_by(PulseAnswer.respondent, PulseAnswer.item)
        ).all()
    return [(r, i, float(v)) for r, i, v in rows]


def pulse_wave(engine: Engine, workspace: str, session: pulse.PulseSession) -> Dataset:
    """The pulse wave as the other pages open it: rebuilt from every answer so far first."""
    pulse.refresh_wave(engine, workspace, session.wave)
    return ws.load_wave(engine, workspace, session.wave)


# --- links, keys, QR ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://localhost:8501", "http://localhost:8501/?join=TOK"),
        ("https://dash.example.org/", "https://dash.example.org/?join=TOK"),
        ("  http://10.0.0.5:8501/app/ ", "http://10.0.0.5:8501/app/?join=TOK"),
    ],
)
def test_join_url(base: str, expected: str) -> None:
    assert pulse_link.join_url(base, "TOK") == expected


@pytest.mark.parametrize(
    "base", ["", "localhost:8501", "ftp://x", "javascript:alert(1)", "http://a b", "http://x?y=1"]
)
def test_join_url_refuses_what_is_not_an_http_address(base: str) -> None:
    with pytest.raises(pulse.PulseError, match="must start with http"):
        pulse_link.join_url(base, "TOK")


def test_public_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pulse_link.ENV_PUBLIC_URL, raising=False)
    assert pulse_link.public_url() == "http://localhost:8501"
    monkeypatch.setenv(pulse_link.ENV_PUBLIC_URL, " https://room.example ")
    assert pulse_link.public_url() == "https://room.example"


def test_respondent_key_depends_on_token_and_device_and_hides_the_device() -> None:
    key = pulse.respondent_key("tok", "phone-a")
    assert len(key) == 64 and "phone" not in key
    assert key == pulse.respondent_key("tok", "phone-a")
    assert key != pulse.respondent_key("tok2", "phone-a")
    assert key != pulse.respondent_key("tok", "phone-b")


def test_qr_png_is_a_png_of_the_expected_size() -> None:
    import segno

    link = "http://localhost:8501/?join=" + "x" * 32
    png = pulse_link.qr_png(link, scale=4)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    version = segno.make(link, error="m", micro=False).version
    modules = 17 + 4 * int(version)  # ISO/IEC 18004: a version-v symbol is 17 + 4v modules wide
    assert width == height == (modules + 2 * 2) * 4  # border of 2 modules each side


@pytest.mark.parametrize(
    ("dims", "items"),
    [
        (("knowledge_sharing", "trust", "two_way_flow"), ("ks1", "tr1", "tw1")),
        (("results_focus", "credibility", "trust"), ("rf1", "cr1", "tr1")),
    ],
)
def test_trust_items_for(dims: tuple[str, ...], items: tuple[str, ...]) -> None:
    assert pulse.trust_items_for(dims) == items


@pytest.mark.parametrize(
    ("dims", "message"),
    [
        (("trust", "trust", "credibility"), "3 different"),
        (("trust", "credibility"), "3 different"),
        (("trust", "credibility", "honesty"), "Unknown trust dimensions"),
    ],
)
def test_trust_items_for_refuses(dims: tuple[str, ...], message: str) -> None:
    with pytest.raises(pulse.PulseError, match=message):
        pulse.trust_items_for(dims)


# --- one answer per browser: device tokens ------------------------------------------------------


def test_a_device_token_is_an_id_and_its_signature(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    token = pulse.issue_device(session)
    ident, dot, signature = token.partition(".")
    assert dot and len(ident) == 22 and len(signature) == 43  # 128 random bits; HMAC-SHA256, base64url
    assert pulse.respondent_of(session, token) == pulse.respondent_key(session.token, ident)
    assert pulse.issue_device(session) != token  # fresh ids each time
    assert pulse.issue_device(session, ident) == token  # the same id signs the same
    other = pulse.open_session(engine, "Acme", now=T0)
    assert pulse.issue_device(other, ident) != token  # another pulse, another key
    assert session.device_key not in repr(session)  # kept out of logs and error messages
    with pytest.raises(pulse.PulseError, match="1 to 64 letters"):
        pulse.issue_device(session, "no spaces")


def _tampered(token: str, other_pulse: str) -> dict[str, object]:
    ident, _, signature = token.partition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {
        "signature changed": f"{ident}.{flipped}",
        "id changed": f"{'x' if ident[0] != 'x' else 'y'}{ident[1:]}.{signature}",
        "no signature": ident,
        "empty signature": f"{ident}.",
        "made up": "phone-a.c2lnbmF0dXJl",
        "another pulse's token": other_pulse,
        "not ascii": f"{ident}.{signature[:-1]}é",
        "too long": f"{ident}.{signature}" + "A" * 200,
        "empty": "",
        "not text": None,
    }


def test_a_token_this_pulse_did_not_sign_is_nobody(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    other = pulse.open_session(engine, "Acme", now=T0)
    for what, bad in _tampered(pulse.issue_device(session), pulse.issue_device(other)).items():
        assert pulse.respondent_of(session, bad) is None, what  # type: ignore[arg-type]


def test_a_forged_device_token_is_refused_and_counts_nobody(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    send(engine, session, DEVICES[0], answer({"IOL": 1}, [], (3, 3, 3)), now=T0)
    before = stored_rows(engine, session)
    other = pulse.open_session(engine, "Acme", now=T0)
    for what, bad in _tampered(pulse.issue_device(session, DEVICES[1]), pulse.issue_device(other)).items():
        with pytest.raises(pulse.PulseError, match="identity is not one this pulse issued"):
            pulse.submit(engine, session.token, bad, answer({"IOL": 9}, [], (1, 1, 1)))  # type: ignore[arg-type]
        assert stored_rows(engine, session) == before, what
    assert pulse.live_summary(engine, session.token, 5).answers == 1


def test_the_browser_keeps_its_identity_across_reloads(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    state: dict[str, Any] = {}
    first = pulse_link.device_for(session, {}, state)  # a phone opens the link: no cookie yet
    assert not first.stored and not first.replaced and first.cookie == pulse_link.device_cookie(session)
    assert pulse.respondent_of(session, first.token) is not None
    assert pulse_link.device_for(session, {}, state) is first  # reruns of that page: the same
    assert send_with(engine, session, first.token, 2.0) == pulse.SubmitResult(replaced=False, answers=1)

    # the page wrote the cookie; the phone reloads the link (a new browser session): the same participant
    reloaded = pulse_link.device_for(session, {first.cookie: first.token, "other": "x"}, {})
    assert reloaded == pulse_link.Device(first.token, first.cookie, stored=True)
    assert send_with(engine, session, reloaded.token, 5.0) == pulse.SubmitResult(replaced=True, answers=1)
    iol = pulse_wave(engine, "Acme", session).learning.query("learning_type == 'IOL'")["hours"]
    assert iol.tolist() == [5.0]

    # a private window or another browser has no cookie: another participant (what remains possible)
    private = pulse_link.device_for(session, {}, {})
    assert private.token != first.token
    assert send_with(engine, session, private.token, 1.0) == pulse.SubmitResult(replaced=False, answers=2)


def send_with(engine: Engine, session: pulse.PulseSession, device: str, iol: float) -> pulse.SubmitResult:
    return pulse.submit(engine, session.token, device, answer({"IOL": iol}, [], (3, 3, 3)), now=T0)


def test_a_forged_cookie_is_replaced_by_a_fresh_token_and_says_so(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    other = pulse.open_session(engine, "Acme", now=T0)
    name = pulse_link.device_cookie(session)
    for what, bad in _tampered(pulse.issue_device(session), pulse.issue_device(other)).items():
        if not isinstance(bad, str) or not bad:
            continue  # a browser sends no cookie rather than an empty one
        state: dict[str, Any] = {}
        got = pulse_link.device_for(session, {name: bad}, state)
        assert got.replaced and not got.stored and got.token != bad, what
        assert pulse.respondent_of(session, got.token) is not None, what
        assert state[f"{pulse_link.STATE_DEVICE}:{session.id}"] == got


def test_each_pulse_has_its_own_cookie(engine: Engine) -> None:
    first = pulse.open_session(engine, "Acme", now=T0)
    second = pulse.open_session(engine, "Acme", now=T0)
    names = {pulse_link.device_cookie(first), pulse_link.device_cookie(second)}
    assert len(names) == 2 and all(n.startswith(pulse_link.DEVICE_COOKIE_PREFIX) for n in names)
    assert all(first.token not in n and second.token[:16] not in n for n in names)
    state: dict[str, Any] = {}
    one, two = pulse_link.device_for(first, {}, state), pulse_link.device_for(second, {}, state)
    assert one.token != two.token and pulse.respondent_of(second, one.token) is None


def test_cookie_script_sets_the_token_for_the_whole_app() -> None:
    device = pulse_link.Device("abc_DEF-1.sig-_9", "sld_pulse_0123456789abcdef")
    script = pulse_link.cookie_script(device, max_age=60)
    assert script.startswith("<script>") and script.endswith("</script>")
    assert '"sld_pulse_0123456789abcdef=abc_DEF-1.sig-_9; Path=/; Max-Age=60; SameSite=Lax"' in script
    assert "'; Secure'" in script and "fetch" not in script
    for bad in ('x";alert(1)//', "a b", "a</script>", ""):
        with pytest.raises(pulse.PulseError, match="Not a device token"):
            pulse_link.cookie_script(pulse_link.Device(bad, "sld_pulse_0123456789abcdef"))


# --- sessions -----------------------------------------------------------------------------------


def test_open_session_makes_an_empty_pulse_wave_with_the_latest_roster(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", title="  Kick-off \n workshop ", now=T0)
    assert session.is_open and session.workspace == "Acme"
    assert session.wave == "pulse-2026-03-04-1"
    assert session.title == "Kick-off workshop"
    assert session.trust_items == ITEMS
    # blank names fall back to the id
    assert session.roster == (("a1", "Ann Lee"), ("a2", "Bo Chen"), ("a3", "a3"), ("a4", "Dee Roy"))
    assert len(session.token) >= 32
    waves = {w.label: w for w in ws.get_workspace(engine, "Acme").waves}
    assert waves["pulse-2026-03-04-1"].kind == "pulse"
    empty = ws.load_wave(engine, "Acme", "pulse-2026-03-04-1")
    assert len(empty.people) == len(empty.ties) == len(empty.learning) == len(empty.trust) == 0
    assert pulse.get_session(engine, session.token) == session


def test_second_pulse_on_the_same_day_gets_the_next_label(engine: Engine) -> None:
    first = pulse.open_session(engine, "Acme", now=T0)
    second = pulse.open_session(engine, "Acme", now=T0 + timedelta(hours=3))
    third = pulse.open_session(engine, "Acme", now=T0 + timedelta(days=1))
    assert (first.wave, second.wave, third.wave) == (
        "pulse-2026-03-04-1",
        "pulse-2026-03-04-2",
        "pulse-2026-03-05-1",
    )
    assert len({first.token, second.token, third.token}) == 3
    assert [s.wave for s in pulse.list_sessions(engine, "Acme")] == [third.wave, second.wave, first.wave]


def test_the_roster_is_the_latest_upload_not_a_pulse(engine: Engine) -> None:
    newer = roster_dataset()
    newer.people = newer.people[newer.people["person_id"] != "a4"].reset_index(drop=True)
    ws.import_dataset(engine, "Acme", newer, "2026-Q2", now=T0 - timedelta(days=1))
    first = pulse.open_session(engine, "Acme", now=T0)
    send(engine, first, DEVICES[0], answer({}, ["a1"], (3, 3, 3)), now=T0)
    second = pulse.open_session(engine, "Acme", now=T0 + timedelta(hours=1))
    assert [p for p, _ in second.roster] == ["a1", "a2", "a3"]


def test_open_session_on_an_unknown_workspace(engine: Engine) -> None:
    with pytest.raises(ws.WorkspaceError, match="No workspace named 'Nope'"):
        pulse.open_session(engine, "Nope")


@pytest.mark.parametrize("token", [None, "", "no-such-token", "x" * 5000])
def test_unknown_tokens_find_no_session(engine: Engine, token: str | None) -> None:
    pulse.open_session(engine, "Acme", now=T0)
    assert pulse.get_session(engine, token) is None


# --- answers ------------------------------------------------------------------------------------


def test_submitting_twice_replaces_the_answer(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    first = send(engine, session, DEVICES[0], answer({"IOL": 4, "FSL": 2}, ["a1", "a2"], (4, 5, 3)), now=T0)
    assert first == pulse.SubmitResult(replaced=False, answers=1)
    # the same device token again (the cookie the browser kept) is the same participant
    again = pulse.issue_device(session, DEVICES[0])
    second = pulse.submit(
        engine, session.token, again, answer({"PDL": 1.5}, ["a4"], (2, 2, 1)), now=T0 + timedelta(minutes=1)
    )
    assert second == pulse.SubmitResult(replaced=True, answers=1)
    key = pulse.respondent_key(session.token, DEVICES[0])
    assert stored_rows(engine, session) == sorted(
        [
            (key, "advice:a4", 1.0),
            (key, "hours:ASL", 0.0),
            (key, "hours:FSL", 0.0),
            (key, "hours:GDL", 0.0),
            (key, "hours:IOL", 0.0),
            (key, "hours:PDL", 1.5),
            (key, "trust:ks1", 2.0),
            (key, "trust:tr1", 2.0),
            (key, "trust:tw1", 1.0),
        ]
    )
    wave = pulse_wave(engine, "Acme", session)
    assert wave.ties[["source_id", "target_id"]].values.tolist() == [
        [pulse_summary.participant_id(key), "a4"]
    ]
    assert wave.learning["hours"].sum() == 1.5


def test_the_wave_holds_every_answer_so_far(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    send(engine, session, DEVICES[0], answer({"IOL": 4, "FSL": 2}, ["a1", "a2"], (4, 5, 3)), now=T0)
    send(engine, session, DEVICES[1], answer({"IOL": 1, "GDL": 3}, ["a2"], (2, 3, 4)), now=T0)
    p0 = pulse_summary.participant_id(pulse.respondent_key(session.token, DEVICES[0]))
    p1 = pulse_summary.participant_id(pulse.respondent_key(session.token, DEVICES[1]))
    wave = pulse_wave(engine, "Acme", session)
    label = session.wave

    ties = wave.ties[["source_id", "target_id", "relation", "weight", "wave"]]
    expected_ties = sorted([(p0, "a1"), (p0, "a2"), (p1, "a2")])
    assert ties.values.tolist() == [[s, t, "advice", 1.0, label] for s, t in expected_ties]

    hours = {(r.person_id, r.learning_type): r.hours for r in wave.learning.itertuples()}
    assert len(hours) == 10  # five types each, zeros included
    assert hours[(p0, "IOL")] == 4 and hours[(p0, "FSL")] == 2 and hours[(p0, "GDL")] == 0
    assert hours[(p1, "GDL")] == 3 and hours[(p1, "ASL")] == 0
    assert set(wave.learning["wave"]) == {label}

    trust = {(r.person_id, r.item): r.value for r in wave.trust.itertuples()}
    assert trust == {
        (p0, "ks1"): 4,
        (p0, "tr1"): 5,
        (p0, "tw1"): 3,
        (p1, "ks1"): 2,
        (p1, "tr1"): 3,
        (p1, "tw1"): 4,
    }

    people = wave.people.set_index("person_id")
    participants = sorted([p0, p1])
    assert list(people.index) == [*participants, "a1", "a2"]
    assert people.loc[p0, "name"].startswith("Participant ")
    assert bool(people.loc[p0, "responded"]) and bool(people.loc[p1, "responded"])
    assert people.loc[p0, "team"] == "" and pd.isna(people.loc[p0, "level"])
    # advisers keep their roster row, custom attribute included
    assert people.loc["a1", ["name", "team", "guild"]].tolist() == ["Ann Lee", "Sales", "data"]
    assert people.loc["a2", "level"] == 2 and people.loc["a2", "tenure_years"] == 7.0
    assert list(wave.people.columns) == list(roster_dataset().people.columns)
    assert wave.people["level"].dtype == "Int64" and wave.people["responded"].dtype == "boolean"


def test_the_pulse_wave_keeps_the_advisers_attributes(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    send(engine, session, DEVICES[0], answer({"IOL": 1}, ["a1", "a3"], (4, 4, 4)), now=T0)
    wave = pulse_wave(engine, "Acme", session).people.set_index("person_id")
    assert wave.loc["a1", "team"] == "Sales" and wave.loc["a3", "guild"] == "ux"
    assert len(wave) == 2 + 1  # the two advisers and one participant
    combined = ws.load_workspace(engine, "Acme").people  # the pulse is kept apart
    assert combined["person_id"].tolist() == ["a1", "a2", "a3", "a4"]


# --- pulse waves kept apart from the workspace view ---------------------------------------------


def upload(label: str, pairs: list[tuple[str, str]]) -> Dataset:
    ds = roster_dataset()
    m = len(pairs)
    ds.ties = pd.DataFrame(
        {
            "source_id": pd.Series([s for s, _ in pairs], dtype="str"),
            "target_id": pd.Series([t for _, t in pairs], dtype="str"),
            "relation": pd.Series(["advice"] * m, dtype="str"),
            "weight": pd.Series([1.0] * m, dtype="float64"),
            "learning_type": pd.Series([""] * m, dtype="str"),
            "mode": pd.Series([""] * m, dtype="str"),
            "topic": pd.Series([""] * m, dtype="str"),
            "wave": pd.Series([label] * m, dtype="str"),
        }
    )
    ds.source = f"{label}.xlsx"
    return ds


def ties_of(ds: Dataset) -> list[tuple[str, str, str]]:
    return sorted(ds.ties[["source_id", "target_id", "wave"]].astype(str).itertuples(index=False, name=None))


def test_pulse_waves_are_kept_apart_from_the_workspace_view(db: Backend) -> None:  # noqa: F811
    ensure_schema(db.engine)
    engine = db.engine
    ws.import_dataset(
        engine, "Two", upload("2026-Q1", [("a1", "a2")]), "2026-Q1", now=T0 - timedelta(days=60)
    )
    ws.import_dataset(
        engine, "Two", upload("2026-Q2", [("a2", "a3"), ("a3", "a1")]), "2026-Q2", now=T0 - timedelta(days=1)
    )
    uploads = ws.load_workspace(engine, "Two")
    assert uploads.source == "workspace Two (2 waves)"
    session = pulse.open_session(engine, "Two", now=T0)
    for i, code in enumerate(DEVICES[:3]):
        send(engine, session, code, answer({"IOL": 2 + i}, ["a1", "a4"], (4, 4, 4)), now=T0)

    info = ws.get_workspace(engine, "Two")
    assert [w.label for w in info.combined_waves] == ["2026-Q1", "2026-Q2"]
    assert [w.label for w in info.kept_apart] == [session.wave]
    combined = ws.load_workspace(engine, "Two")
    assert combined.source == "workspace Two (2 waves; 1 pulse kept apart)"
    assert combined.waves == ["2026-Q1", "2026-Q2"]
    assert combined.people["person_id"].tolist() == ["a1", "a2", "a3", "a4"]
    assert not combined.people["person_id"].str.startswith("pulse-").any()
    assert (
        ties_of(combined)
        == ties_of(uploads)
        == [
            ("a1", "a2", "2026-Q1"),
            ("a2", "a3", "2026-Q2"),
            ("a3", "a1", "2026-Q2"),
        ]
    )
    assert combined.learning.empty  # the pulse's hours are not the organisation's

    alone = pulse_wave(engine, "Two", session)  # the pulse still opens on its own
    participants = alone.people[alone.people["person_id"].str.startswith("pulse-")]
    assert len(participants) == 3 and len(alone.ties) == 6
    assert sorted(alone.learning.query("learning_type == 'IOL'")["hours"]) == [2.0, 3.0, 4.0]

    pulse.open_session(engine, "Two", now=T0 + timedelta(hours=1))
    assert ws.load_workspace(engine, "Two").source == "workspace Two (2 waves; 2 pulses kept apart)"


def test_a_workspace_of_pulses_only_combines_them(engine: Engine) -> None:
    ws.create_workspace(engine, "Fresh")
    session = pulse.open_session(engine, "Fresh", now=T0)
    send(engine, session, DEVICES[0], answer({"IOL": 1}, ["Ann Lee"], (3, 3, 3)), now=T0)
    pulse.refresh_wave(engine, "Fresh", session.wave)  # as opening the workspace does (lib.app.ui)
    info = ws.get_workspace(engine, "Fresh")
    assert info.combined_waves == info.waves and info.kept_apart == ()
    combined = ws.load_workspace(engine, "Fresh")
    assert combined.source == "workspace Fresh (1 wave)"
    assert len(combined.people) == 2 and combined.waves == [session.wave]  # the participant and Ann Lee


# --- the room against the organisation ----------------------------------------------------------

ROOM_HOURS = [(2, 0, 1), (4, 2, 0), (0, 0, 3), (6, 2, 2), (3, 1, 4)]  # IOL, GDL, FSL per participant


def room(n: int) -> pulse_summary.PulseSummary:
    answers = []
    for i, hours in enumerate(ROOM_HOURS[:n]):
        r = str(i) * 64
        answers += [
            (r, f"hours:{code}", float(h)) for code, h in zip(("IOL", "GDL", "FSL"), hours, strict=True)
        ]
    return pulse_summary.summarise(pulse_summary.build_dataset("w", answers), 5)


def organisation(rows: list[tuple[str, str, str, float]]) -> Dataset:
    people = sorted({p for p, *_ in rows})
    return Dataset(
        people=pd.DataFrame({"person_id": people, "name": people}),
        learning=pd.DataFrame(rows, columns=["person_id", "wave", "learning_type", "hours"]),
    )


ORGANISATION = [  # totals in 2026: IOL 7, GDL 4, PDL 4, ASL 2, FSL 3 of 20 hours
    ("p1", "2026", "IOL", 4.0),
    ("p2", "2026", "IOL", 2.0),
    ("p2", "2026", "asl", 2.0),  # types match ignoring case
    ("p3", "2026", "PDL", 4.0),
    ("p4", "2026", "IOL", 1.0),
    ("p4", "2026", "FSL", 3.0),
    ("p5", "2026", "GDL", 4.0),
    ("p1", "2025", "FSL", 100.0),  # an earlier wave: not compared
]


def test_compare_with_base_by_hand() -> None:
    c = pulse_summary.compare_with_base(room(5), organisation(ORGANISATION), 5)
    assert not c.hidden and c.note == "" and (c.room, c.organisation, c.wave) == (5, 5, "2026")
    assert list(c.table.columns) == ["learning_type", "type", "room", "organisation", "difference"]
    t = c.table.set_index("learning_type")
    # room: IOL 15, GDL 5, FSL 10 of 30 hours
    assert t["room"].to_dict() == pytest.approx(
        {"IOL": 0.5, "GDL": 5 / 30, "PDL": 0, "ASL": 0, "FSL": 10 / 30}
    )
    assert t["organisation"].to_dict() == pytest.approx(
        {"IOL": 0.35, "GDL": 0.2, "PDL": 0.2, "ASL": 0.1, "FSL": 0.15}
    )
    assert t.loc["IOL", "difference"] == pytest.approx(0.15)
    assert t.loc["PDL", "difference"] == pytest.approx(-0.2)
    assert t.loc["GDL", "type"] == "Group-directed learning"


@pytest.mark.parametrize(
    ("participants", "rows", "note"),
    [
        (4, ORGANISATION, "Shown once 5 people have answered"),
        (5, [r for r in ORGANISATION if r[0] != "p5"], "fewer than 5 people"),  # four in 2026
        (5, None, "no uploaded wave"),
    ],
)
def test_the_comparison_is_withheld_below_the_minimum(
    participants: int, rows: list[tuple[str, str, str, float]] | None, note: str
) -> None:
    c = pulse_summary.compare_with_base(room(participants), None if rows is None else organisation(rows), 5)
    assert c.hidden and note in c.note and c.table.empty


def test_the_organisation_is_the_latest_upload_wave(engine: Engine) -> None:
    assert pulse.organisation_base(engine, "Acme") is not None
    newer = organisation(ORGANISATION)
    newer.people = roster_dataset().people
    ws.import_dataset(engine, "Acme", newer, "2026-Q2", now=T0 - timedelta(days=1))
    pulse.open_session(engine, "Acme", now=T0)  # a newer pulse wave is not the organisation
    base = pulse.organisation_base(engine, "Acme")
    assert base is not None and base.source == "wave 2026-Q2"
    pd.testing.assert_frame_equal(
        base.learning, ws.load_wave(engine, "Acme", "2026-Q2", as_stored=True).learning
    )
    ws.create_workspace(engine, "Empty")
    assert pulse.organisation_base(engine, "Empty") is None


def test_free_names_when_the_workspace_has_no_people(engine: Engine) -> None:
    ws.create_workspace(engine, "Fresh")
    session = pulse.open_session(engine, "Fresh", now=T0)
    assert session.roster == ()
    send(
        engine,
        session,
        DEVICES[0],
        answer({}, ["Ann  Lee", " ann lee", "Raj", "", "  "], (3, 3, 3)),
        now=T0,
    )
    send(engine, session, DEVICES[1], answer({}, ["ANN LEE"], (3, 3, 3)), now=T0)
    send(engine, session, DEVICES[2], answer({}, ["Ann Lee"], (3, 3, 3)), now=T0)
    wave = pulse_wave(engine, "Fresh", session)
    ann, raj = pulse_summary.free_name_id("Ann Lee"), pulse_summary.free_name_id("Raj")
    assert ann == pulse_summary.free_name_id("ann lee") != raj
    assert sorted(wave.ties["target_id"]) == sorted([ann, ann, ann, raj])
    named = wave.people.set_index("person_id")
    assert named.loc[ann, "name"] == "Ann Lee"  # typed so twice (once as the first of two), ANN LEE once
    assert pd.isna(named.loc[ann, "responded"])


_WORDING = {i.item: i.wording for i in TRUST_ITEM_BANK}


def _good() -> dict[str, Any]:
    return {"hours": {"IOL": 1.0}, "advisers": ["a1"], "trust": dict(zip(ITEMS, (3, 3, 3), strict=True))}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hours": {"IOL": -1}}, "between 0 and 300"),
        ({"hours": {"IOL": 301}}, "between 0 and 300"),
        ({"hours": {"IOL": math.nan}}, "between 0 and 300"),
        ({"hours": {"IOL": "lots"}}, "must be a number"),
        ({"hours": {"XYZ": 1}}, "Unknown learning types"),
        ({"trust": {"ks1": 3, "tr1": 3}}, "answer all three"),
        ({"trust": {"ks1": 3, "tr1": 3, "tw1": None}}, "answer all three"),
        # the statement left unanswered is named, so a person knows which one to click again
        ({"trust": {"ks1": 3, "tr1": 3, "tw1": None}}, f"Not answered: “{_WORDING['tw1']}”"),
        ({"trust": {"ks1": 3, "tr1": 3, "tw1": 6}}, "1 to 5"),
        ({"trust": {"ks1": 3, "tr1": 3, "tw1": 2.5}}, "1 to 5"),
        ({"trust": {"ks1": 3, "tr1": 3, "tw1": True}}, "1 to 5"),
        ({"trust": {"ks1": 3, "tr1": 3, "tw1": 3, "cr1": 3}}, "not part of this pulse"),
        ({"advisers": ["zz"]}, "not one of this workspace's people"),
        ({"advisers": ["a1", "a2", "a3", "a4"] * 3}, None),  # duplicates collapse to four: fine
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_written(
    engine: Engine, change: dict[str, Any], message: str | None
) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    send(engine, session, DEVICES[0], pulse.Response(**_good()), now=T0)
    before = stored_rows(engine, session)
    fields = {**_good(), **change}
    if message is None:
        send(engine, session, DEVICES[1], pulse.Response(**fields), now=T0)
        assert len(stored_rows(engine, session)) == len(before) + 5 + 3 + 4
        return
    with pytest.raises(pulse.PulseError, match=message):
        send(engine, session, DEVICES[1], pulse.Response(**fields), now=T0)
    assert stored_rows(engine, session) == before


def test_too_many_advisers_and_bad_devices_are_refused(engine: Engine) -> None:
    ws.create_workspace(engine, "Fresh")
    session = pulse.open_session(engine, "Fresh", now=T0)
    names = [f"Person {i}" for i in range(pulse.MAX_ADVISERS + 1)]
    with pytest.raises(pulse.PulseError, match="at most 10"):
        send(engine, session, DEVICES[0], answer({}, names, (3, 3, 3)))
    with pytest.raises(pulse.PulseError, match="longer than 80"):
        send(engine, session, DEVICES[0], answer({}, ["x" * 81], (3, 3, 3)))
    with pytest.raises(pulse.PulseError, match="control characters"):
        send(engine, session, DEVICES[0], answer({}, ["Ann\x00"], (3, 3, 3)))
    with pytest.raises(pulse.PulseError, match="identity is not one this pulse issued"):
        pulse.submit(engine, session.token, "nope", answer({}, [], (3, 3, 3)))
    with pytest.raises(pulse.PulseError, match="link is not valid"):
        pulse.submit(engine, "no-such-token", pulse.issue_device(session), answer({}, [], (3, 3, 3)))
    assert stored_rows(engine, session) == []


def test_the_database_refuses_a_doubled_answer_row(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    send(engine, session, DEVICES[0], answer({}, [], (3, 3, 3)), now=T0)
    key = pulse.respondent_key(session.token, DEVICES[0])
    with pytest.raises(IntegrityError), write_transaction(engine) as conn:
        row = conn.execute(select(SessionRow.workspace_id, SessionRow.wave_id)).one()
        conn.execute(
            insert(PulseAnswer).values(
                workspace_id=row.workspace_id,
                wave_id=row.wave_id,
                respondent=key,
                item="hours:IOL",
                value=9.0,
                answered_at=T0.replace(tzinfo=None),
            )
        )


def test_closing_freezes_the_wave(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    send(engine, session, DEVICES[0], answer({"IOL": 2}, ["a1"], (4, 4, 4)), now=T0)
    assert pulse.refresh_wave(engine, "Acme", session.wave)  # the tables now hold that answer
    assert not pulse.refresh_wave(engine, "Acme", session.wave)  # nothing new: not rewritten
    before = ws.get_workspace(engine, "Acme").waves[-1]
    closed = pulse.close_session(engine, session.token, now=T0 + timedelta(minutes=20))
    assert not closed.is_open and closed.closed_at == T0 + timedelta(minutes=20)
    again = pulse.close_session(engine, session.token, now=T0 + timedelta(hours=5))
    assert again.closed_at == closed.closed_at  # idempotent: the first close stands
    for code in (DEVICES[0], DEVICES[1]):  # neither a replacement nor a new answer
        with pytest.raises(pulse.PulseError, match="closed"):
            send(engine, session, code, answer({"IOL": 9}, [], (1, 1, 1)))
    after = ws.get_workspace(engine, "Acme").waves[-1]
    assert after.label == before.label and after.fingerprint == before.fingerprint
    assert not pulse.refresh_wave(engine, "Acme", session.wave)  # closed: frozen
    assert len(stored_rows(engine, session)) == 5 + 3 + 1


def test_concurrent_submissions_lose_nothing_and_double_nothing(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    devices = [pulse.issue_device(session) for _ in range(16)]  # as sixteen browsers get them
    errors: list[BaseException] = []
    start = threading.Barrier(len(devices) + 4)

    def one(device: str, hours: float) -> None:
        try:
            start.wait()
            pulse.submit(engine, session.token, device, answer({"IOL": hours}, ["a1"], (3, 3, 3)))
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=one, args=(d, 1.0)) for d in devices]
    threads += [threading.Thread(target=one, args=(d, 7.0)) for d in devices[:4]]  # four resubmit at once
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = stored_rows(engine, session)
    assert len({r for r, _, _ in rows}) == 16
    assert len(rows) == 16 * (5 + 3 + 1)
    wave = pulse_wave(engine, "Acme", session)
    assert int(wave.people["person_id"].str.startswith("pulse-").sum()) == 16
    assert wave.learning["person_id"].nunique() == 16
    assert len(wave.ties) == 16 and len(wave.learning) == 16 * 5
    assert pulse.live_summary(engine, session.token, 5).answers == 16
    for device in devices[-3:]:  # three change their answer afterwards: replaced, still 16
        assert pulse.submit(engine, session.token, device, answer({"IOL": 9.0}, [], (3, 3, 3))).replaced
    iol = pulse_wave(engine, "Acme", session).learning.query("learning_type == 'IOL'")["hours"]
    assert len(iol) == 16 and (iol == 9.0).sum() == 3


def test_a_submission_appends_and_the_wave_is_rebuilt_on_refresh(engine: Engine) -> None:
    """A submission stores the answer only: the wave's tables, their fingerprint and the results
    cached from them stay until a refresh (opening the wave, the live view's snapshot, closing)."""
    session = pulse.open_session(engine, "Acme", now=T0)
    send(engine, session, DEVICES[0], answer({"IOL": 2}, ["a1"], (4, 4, 4)), now=T0)
    assert pulse_wave(engine, "Acme", session).learning["person_id"].nunique() == 1
    opened = ws.get_workspace(engine, "Acme").waves[-1]
    ws.store_result(engine, "Acme", "figures", b"computed", wave=session.wave)
    send(engine, session, DEVICES[1], answer({"IOL": 3}, ["a2"], (2, 2, 2)), now=T0)
    assert ws.get_workspace(engine, "Acme").waves[-1].fingerprint == opened.fingerprint
    assert ws.load_wave(engine, "Acme", session.wave).learning["person_id"].nunique() == 1
    assert ws.cached_result(engine, "Acme", "figures") == b"computed"
    assert len({r for r, _, _ in stored_rows(engine, session)}) == 2  # but the answer is stored
    assert pulse_wave(engine, "Acme", session).learning["person_id"].nunique() == 2
    assert ws.get_workspace(engine, "Acme").waves[-1].fingerprint != opened.fingerprint
    assert ws.cached_result(engine, "Acme", "figures") is None  # computed from the old tables


def test_many_phones_at_once_with_double_clicks_and_a_watching_facilitator(engine: Engine) -> None:
    """Forty browsers press send at once, each twice (a double click, or a retry after a slow
    answer), while the live view refreshes: every answer is stored exactly once, with its values."""
    session = pulse.open_session(engine, "Acme", now=T0)
    devices = [pulse.issue_device(session) for _ in range(40)]
    errors: list[BaseException] = []
    start = threading.Barrier(2 * len(devices) + 1)
    done = threading.Event()

    def press(i: int) -> None:
        try:
            start.wait()
            hours = {"IOL": float(i), "FSL": 0.5 * (i % 3)}
            pulse.submit(
                engine, session.token, devices[i], answer(hours, [f"a{1 + i % 4}"], (1 + i % 5,) * 3)
            )
        except BaseException as err:  # reported below
            errors.append(err)

    def watch() -> None:
        try:
            start.wait()
            while not done.is_set():
                pulse.live_summary(engine, session.token, 5)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(devices)) for _ in range(2)]
    viewer = threading.Thread(target=watch)
    for t in [*threads, viewer]:
        t.start()
    for t in threads:
        t.join()
    done.set()
    viewer.join()
    assert errors == []
    rows = stored_rows(engine, session)
    pairs = [(r, i) for r, i, _ in rows]
    assert len(pairs) == len(set(pairs)) == 40 * (5 + 3 + 1)  # nothing doubled, nothing lost
    for i, device in enumerate(devices):
        key = pulse.respondent_of(session, device)
        mine = {item: value for r, item, value in rows if r == key}
        assert mine["hours:IOL"] == float(i) and mine["hours:FSL"] == 0.5 * (i % 3)
        assert mine[f"advice:a{1 + i % 4}"] == 1.0 and mine["trust:ks1"] == float(1 + i % 5)
    wave = pulse_wave(engine, "Acme", session)
    assert wave.learning["person_id"].nunique() == 40 and len(wave.ties) == 40
    view = pulse.live_summary(engine, session.token, 5)
    assert view.answers == 40 and view.shown_answers + view.waiting >= 40 and view.waiting < 5


def test_deleting_the_workspace_or_the_wave_removes_the_pulse(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    send(engine, session, DEVICES[0], answer({}, [], (3, 3, 3)), now=T0)
    ws.delete_wave(engine, "Acme", session.wave)
    assert pulse.get_session(engine, session.token) is None
    other = pulse.open_session(engine, "Acme", now=T0)
    send(engine, other, DEVICES[0], answer({}, [], (3, 3, 3)), now=T0)
    gone = ws.delete_workspace(engine, "Acme")
    assert gone.pulse_answers == 8
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SessionRow)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(Wave)).scalar() == 0


# --- the live view ------------------------------------------------------------------------------


def test_summarise_by_hand() -> None:
    answers = []
    hours = [(2, 0, 1), (4, 2, 0), (0, 0, 3), (6, 2, 2), (3, 1, 4)]  # IOL, GDL, FSL per respondent
    trust = [(4, 5, 3), (2, 3, 3), (5, 5, 4), (3, 4, 2), (1, 3, 3)]
    advisers = [["a1"], ["a1", "a2"], [], ["a2"], ["a1"]]
    for i in range(5):
        r = str(i) * 64  # participant ids come from the first 12 characters
        for code, h in zip(("IOL", "GDL", "FSL"), hours[i], strict=True):
            answers.append((r, f"hours:{code}", float(h)))
        for item, v in zip(ITEMS, trust[i], strict=True):
            answers.append((r, f"trust:{item}", float(v)))
        answers += [(r, f"advice:{a}", 1.0) for a in advisers[i]]
    ds = pulse_summary.build_dataset("w", answers, roster=(("a1", "Ann"), ("a2", "Bo")))
    s = pulse_summary.summarise(ds, 5)
    assert s.answers == 5 and not s.hidden
    means = dict(zip(s.hours["learning_type"], s.hours["mean_hours"], strict=True))
    assert means == pytest.approx({"IOL": 15 / 5, "GDL": 5 / 5, "PDL": 0.0, "ASL": 0.0, "FSL": 10 / 5})
    shares = dict(zip(s.hours["learning_type"], s.hours["share"], strict=True))
    assert shares["IOL"] == pytest.approx(15 / 30) and shares["FSL"] == pytest.approx(10 / 30)
    got = {r.item: (r.mean, r.answers) for r in s.trust.itertuples()}
    assert got == {"ks1": (15 / 5, 5), "tr1": (20 / 5, 5), "tw1": (15 / 5, 5)}
    assert s.trust.set_index("item").loc["tr1", "dimension"] == "trust"
    assert s.advisers[["person_id", "name", "mentions"]].values.tolist() == [
        ["a1", "Ann", 3],
        ["a2", "Bo", 2],
    ]

    fewer = pulse_summary.summarise(
        pulse_summary.build_dataset("w", [a for a in answers if not a[0].endswith("4")]), 5
    )
    assert fewer.answers == 4 and fewer.hidden and fewer.hours.empty and fewer.trust.empty


def test_summarise_of_nothing() -> None:
    s = pulse_summary.summarise(pulse_summary.build_dataset("w", []), 5)
    assert s.answers == 0 and s.hidden and s.advisers.empty and s.last_answer_at is None


def test_live_summary_counts_and_last_answer(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    assert pulse.live_summary(engine, session.token, 5).answers == 0
    for i, code in enumerate(DEVICES[:5]):
        send(engine, session, code, answer({"IOL": i}, [], (3, 3, 3)), now=T0 + timedelta(minutes=i))
    s = pulse.live_summary(engine, session.token, 5)
    assert s.answers == 5 and not s.hidden
    assert s.last_answer_at == T0 + timedelta(minutes=4)
    assert s.hours.set_index("learning_type").loc["IOL", "mean_hours"] == pytest.approx(
        (0 + 1 + 2 + 3 + 4) / 5
    )
    assert pulse.live_summary(engine, session.token, 6).hidden


# --- the live view's snapshots: averages move in batches -------------------------------------

SNAP_HOURS = [4.0, 6.0, 8.0, 2.0, 10.0, 1.0, 3.0, 5.0, 7.0, 9.0, 11.0]  # IOL hours, one per browser
SNAP_TRUST = [5, 4, 3, 2, 1, 5, 5, 5, 5, 5, 5]  # the answer to every statement


def _browser(i: int) -> str:
    return f"browser-{i}"


def _send(engine: Engine, session: pulse.PulseSession, i: int, iol: float, trust: int, minute: int) -> None:
    moment = T0 + timedelta(minutes=minute)
    send(engine, session, _browser(i), answer({"IOL": iol}, ["a1"] * (i % 2), (trust,) * 3), now=moment)


def _means(s: pulse_summary.PulseSummary) -> tuple[float, float, int]:
    """(mean IOL hours, mean of the first statement, advice ties): what the facilitator sees."""
    iol = float(s.hours.set_index("learning_type").loc["IOL", "mean_hours"])
    return iol, float(s.trust["mean"].iloc[0]), int(s.advisers["mentions"].sum())


def test_the_averages_stay_until_five_more_people_answer(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(5):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
    first = pulse.live_summary(engine, session.token, 5)
    assert (first.answers, first.shown_answers, first.waiting, first.batch) == (5, 5, 0, 5)
    assert first.shown_at == T0 + timedelta(minutes=4)  # the fifth answer completed the batch
    assert _means(first) == pytest.approx((30 / 5, 15 / 5, 2))
    for j in range(1, 5):  # one to four new answers: counted live, averages unchanged
        _send(engine, session, 4 + j, SNAP_HOURS[4 + j], SNAP_TRUST[4 + j], 4 + j)
        now = pulse.live_summary(engine, session.token, 5)
        assert (now.answers, now.shown_answers, now.waiting) == (5 + j, 5, j)
        assert now.last_answer_at == T0 + timedelta(minutes=4 + j)
        assert _means(now) == _means(first)
        pd.testing.assert_frame_equal(now.hours, first.hours)
        pd.testing.assert_frame_equal(now.trust, first.trust)
    _send(engine, session, 9, SNAP_HOURS[9], SNAP_TRUST[9], 9)  # the fifth new answer: a new snapshot
    second = pulse.live_summary(engine, session.token, 5)
    assert (second.answers, second.shown_answers, second.waiting) == (10, 10, 0)
    assert second.shown_at == T0 + timedelta(minutes=9)
    assert _means(second) == pytest.approx((55 / 10, 40 / 10, 5))


def test_no_averages_before_the_first_batch(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(4):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
        s = pulse.live_summary(engine, session.token, 5)
        assert (s.answers, s.shown_answers, s.waiting, s.shown_at) == (i + 1, 0, i + 1, None)
        assert s.hidden and s.hours.empty and s.trust.empty and s.advisers.empty  # ties wait too


def test_a_changed_answer_waits_for_the_batch_and_one_browser_counts_once(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(5):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
    first = pulse.live_summary(engine, session.token, 5)
    for minute in range(10, 16):  # one browser resubmits six times: still one participant who changed
        _send(engine, session, 0, 100.0 + minute, 1, minute)
        now = pulse.live_summary(engine, session.token, 5)
        assert (now.answers, now.waiting) == (5, 1) and _means(now) == _means(first)
    for i in range(1, 4):  # three more change theirs: four changed, still the old averages
        _send(engine, session, i, 0.0, 1, 20 + i)
    assert _means(pulse.live_summary(engine, session.token, 5)) == _means(first)
    _send(engine, session, 4, 0.0, 1, 30)  # the fifth to change: a new snapshot, nobody new
    moved = pulse.live_summary(engine, session.token, 5)
    assert (moved.answers, moved.shown_answers, moved.waiting) == (5, 5, 0)
    assert _means(moved) == pytest.approx((115 / 5, 1.0, 2))


def test_closing_shows_every_answer_whatever_the_batch(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(7):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
        if i == 4:  # the facilitator's screen refreshes once the first batch is in
            pulse.live_summary(engine, session.token, 5)
    open_ = pulse.live_summary(engine, session.token, 5)
    assert (open_.shown_answers, open_.waiting) == (5, 2) and _means(open_) == pytest.approx((6.0, 3.0, 2))
    pulse.close_session(engine, session.token, now=T0 + timedelta(hours=1))
    closed = pulse.live_summary(engine, session.token, 5)
    assert (closed.answers, closed.shown_answers, closed.waiting, closed.batch) == (7, 7, 0, 0)
    assert closed.shown_at == T0 + timedelta(hours=1)
    assert _means(closed) == pytest.approx((34 / 7, 25 / 7, 3))
    pulse.close_session(engine, session.token, now=T0 + timedelta(hours=2))  # a second close moves nothing
    assert pulse.live_summary(engine, session.token, 5).shown_at == T0 + timedelta(hours=1)


def test_closing_a_small_pulse_still_withholds_its_averages(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(3):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
    pulse.close_session(engine, session.token, now=T0 + timedelta(hours=1))
    s = pulse.live_summary(engine, session.token, 5)
    assert (s.answers, s.shown_answers) == (3, 3) and s.hidden and s.hours.empty and s.trust.empty


def test_the_batch_is_the_workspaces_minimum_group_size(engine: Engine) -> None:
    ws.update_settings(engine, "Acme", ws.WorkspaceSettings(min_group_size=7))
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(6):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
    six = pulse.live_summary(engine, session.token, 5)  # a viewer's 5 does not make the batch smaller
    assert (six.shown_answers, six.waiting, six.batch) == (0, 6, 7) and six.hidden
    _send(engine, session, 6, SNAP_HOURS[6], SNAP_TRUST[6], 6)
    seven = pulse.live_summary(engine, session.token, 7)
    assert seven.shown_answers == 7 and not seven.hidden
    assert pulse.live_summary(engine, session.token, 8).hidden  # a viewer who raised it waits longer


def test_every_viewer_sees_the_same_snapshot(db: Backend, engine: Engine) -> None:  # noqa: F811
    from lib.store.db import make_engine

    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(7):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
        if i == 4:  # the facilitator's screen refreshes once the first batch is in
            pulse.live_summary(engine, session.token, 5)
    elsewhere = make_engine(db.url)  # another process's connection pool, as another server would have
    try:
        views = [pulse.live_summary(e, session.token, 5) for e in (engine, elsewhere, engine)]
    finally:
        elsewhere.dispose()
    for view in views[1:]:
        assert (view.answers, view.shown_answers, view.shown_at) == (7, 5, T0 + timedelta(minutes=4))
        pd.testing.assert_frame_equal(view.hours, views[0].hours)
        pd.testing.assert_frame_equal(view.trust, views[0].trust)
        pd.testing.assert_frame_equal(view.advisers, views[0].advisers)


def test_the_comparison_and_the_deck_use_the_snapshot(engine: Engine) -> None:
    org = roster_dataset()
    org.learning = pd.DataFrame(
        [(p, "", "IOL", 1.0) for p in ("a1", "a2", "a3")] + [(p, "", "FSL", 1.0) for p in ("a3", "a4", "a5")],
        columns=["person_id", "wave", "learning_type", "hours"],
    )
    org.people = pd.concat([org.people, org.people.iloc[[0]].assign(person_id="a5")], ignore_index=True)
    ws.import_dataset(engine, "Acme", org, "2026-Q2", now=T0 - timedelta(days=1))
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(5):  # IOL only
        send(engine, session, _browser(i), answer({"IOL": 2.0}, [], (3, 3, 3)), now=T0)
    pulse.live_summary(engine, session.token, 5)  # the facilitator's screen: the first snapshot
    for i in range(5, 8):  # three more, FSL only: not shown yet
        send(engine, session, _browser(i), answer({"FSL": 50.0}, [], (3, 3, 3)), now=T0)
    summary = pulse.live_summary(engine, session.token, 5)
    c = pulse_summary.compare_with_base(summary, pulse.organisation_base(engine, "Acme"), 5)
    assert c.room == 5 and c.table.set_index("learning_type")["room"].to_dict() == pytest.approx(
        {"IOL": 1.0, "GDL": 0.0, "PDL": 0.0, "ASL": 0.0, "FSL": 0.0}
    )
    room = pulse.room_pulse(engine, "Acme", 5)
    assert room is not None and room.summary.answers == 8 and room.summary.shown_answers == 5
    assert room.comparison.room == 5 and room.comparison.table.equals(c.table)

    from lib.report.deck import deck_bytes

    text = "\n".join(
        sh.text_frame.text for sh in _room_slide(deck_bytes(org, room=room)).shapes if sh.has_text_frame
    )
    assert "5 participants answered" in text and "8 have answered so far" in text
    chart = next(sh.chart for sh in _room_slide(deck_bytes(org, room=room)).shapes if sh.has_chart)
    assert list(chart.plots[0].series[0].values) == pytest.approx([1.0, 0, 0, 0, 0])


def test_a_pulse_from_before_snapshots_shows_its_next_one(engine: Engine) -> None:
    """Sessions migrated from 0003 have no snapshot: the first view with a batch waiting takes one;
    a closed one shows every answer."""
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(6):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
    with write_transaction(engine) as conn:  # as the migration leaves it
        conn.execute(SessionRow.__table__.update().values(shown=None, changed=None))
    s = pulse.live_summary(engine, session.token, 5)  # six waiting: the first view takes a snapshot
    assert not s.hidden and (s.shown_answers, s.waiting) == (6, 0)
    _send(engine, session, 6, SNAP_HOURS[6], SNAP_TRUST[6], 6)
    assert (lambda v: (v.shown_answers, v.waiting))(pulse.live_summary(engine, session.token, 5)) == (6, 1)
    with write_transaction(engine) as conn:
        conn.execute(
            SessionRow.__table__.update().values(shown=None, changed=None, closed_at=T0.replace(tzinfo=None))
        )
    closed = pulse.live_summary(engine, session.token, 5)
    assert closed.shown_answers == 7 and not closed.hidden and closed.batch == 0


def test_a_snapshot_kept_before_through_counts_its_changed_list(engine: Engine) -> None:
    """Snapshots taken before ``through`` was kept: who changed is their ``changed`` list and whoever
    answered after the snapshot's time."""
    session = pulse.open_session(engine, "Acme", now=T0)
    for i in range(5):
        _send(engine, session, i, SNAP_HOURS[i], SNAP_TRUST[i], i)
    assert pulse.live_summary(engine, session.token, 5).shown_answers == 5
    with write_transaction(engine) as conn:  # as the earlier version left it: one change listed
        shown = conn.execute(select(SessionRow.shown)).scalar_one()
        del shown["through"]
        listed = [pulse.respondent_key(session.token, _browser(0))]
        conn.execute(SessionRow.__table__.update().values(shown=shown, changed=listed))
    _send(engine, session, 5, SNAP_HOURS[5], SNAP_TRUST[5], 10)  # after the snapshot's time
    _send(engine, session, 0, SNAP_HOURS[0], SNAP_TRUST[0], 11)  # listed already: counts once
    assert pulse.live_summary(engine, session.token, 5).waiting == 2


def test_the_migration_gives_each_earlier_pulse_its_own_key(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    from lib.store.db import MIGRATIONS_DIR

    first = pulse.open_session(engine, "Acme", now=T0)
    second = pulse.open_session(engine, "Acme", now=T0)
    send(engine, first, DEVICES[0], answer({"IOL": 1}, [], (3, 3, 3)), now=T0)

    def migrate(step: Any, revision: str) -> None:
        with write_transaction(engine) as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
            cfg.attributes["connection"] = conn
            step(cfg, revision)

    migrate(command.downgrade, "0003")  # as a database of the previous version holds them
    migrate(command.upgrade, "head")
    keys = {s.token: s.device_key for s in pulse.list_sessions(engine, "Acme")}
    assert len(keys) == 2 and len(set(keys.values())) == 2
    assert all(len(k) == 64 and int(k, 16) >= 0 for k in keys.values())
    assert keys[first.token] != first.device_key  # a new key: tokens issued before no longer count
    again = pulse.get_session(engine, first.token)
    assert again is not None and pulse.respondent_of(again, pulse.issue_device(again)) is not None
    s = pulse.live_summary(engine, second.token, 5)
    assert s.answers == 0 and s.shown_answers == 0


# --- arriving by a join link --------------------------------------------------------------------


def test_a_join_link_makes_the_local_user_a_participant(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    state: dict[str, Any] = {}
    assert auth.arrive({"join": session.token}, state, engine, LOCAL_USER) == session
    assert state == {"user": auth.PARTICIPANT, pulse_link.STATE_TOKEN: session.token}
    assert auth.PARTICIPANT.roles == frozenset({"participant"})


def test_a_signed_in_facilitator_keeps_their_roles(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    facilitator = User("fran", frozenset({"facilitator"}), source="account")
    executive = User("ed", frozenset({"executive"}), source="oidc")
    state: dict[str, Any] = {}
    auth.arrive({"join": session.token}, state, engine, facilitator)
    assert "user" not in state and state[pulse_link.STATE_TOKEN] == session.token
    state = {}
    auth.arrive({"join": session.token}, state, engine, executive)
    assert state["user"] == auth.PARTICIPANT


def test_a_closed_session_still_admits_to_say_it_is_closed(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    pulse.close_session(engine, session.token)
    state: dict[str, Any] = {}
    auth.arrive({"join": session.token}, state, engine, LOCAL_USER)
    assert state["user"] == auth.PARTICIPANT


def test_an_unknown_token_changes_nobody(engine: Engine) -> None:
    state: dict[str, Any] = {}
    assert auth.arrive({"join": "forged"}, state, engine, LOCAL_USER) is None
    assert "user" not in state
    assert auth.arrive({}, state, engine, LOCAL_USER) is None


def test_the_token_is_looked_up_once_per_browser_session() -> None:
    class NoEngine:
        def connect(self) -> None:
            raise AssertionError("the database was asked again")

    state: dict[str, Any] = {pulse_link.STATE_TOKEN: "tok", "user": auth.PARTICIPANT}
    assert auth.arrive({"join": "tok"}, state, NoEngine(), LOCAL_USER) is None  # type: ignore[arg-type]
    assert state["user"] == auth.PARTICIPANT


# --- the room's pulse in the workshop deck ------------------------------------------------------


def test_room_pulse_is_the_latest_answered_pulse(engine: Engine) -> None:
    assert pulse.room_pulse(engine, "Acme", 5) is None  # no pulse yet
    first = pulse.open_session(engine, "Acme", title="Kick-off", now=T0)
    assert pulse.room_pulse(engine, "Acme", 5) is None  # opened, nobody answered
    for i, code in enumerate(DEVICES):
        send(engine, first, code, answer({"IOL": i, "FSL": 1}, ["a1"], (4, 5, 3)), now=T0)
    pulse.open_session(engine, "Acme", title="Later, unanswered", now=T0 + timedelta(hours=2))
    got = pulse.room_pulse(engine, "Acme", 5)
    assert got is not None and (got.title, got.wave, got.summary.answers) == ("Kick-off", first.wave, 6)
    assert not got.summary.hidden
    # the roster wave has no learning sheet: nothing to compare the room with
    assert got.comparison.hidden and "fewer than 5" in got.comparison.note
    assert pulse.room_pulse(engine, "Acme", 7).summary.hidden  # type: ignore[union-attr]


def _slide_texts(deck: bytes) -> list[str]:
    import io

    from pptx import Presentation

    return [
        "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        for slide in Presentation(io.BytesIO(deck)).slides
    ]


def _room_slide(deck: bytes) -> Any:
    import io

    from pptx import Presentation

    slides = [
        s
        for s in Presentation(io.BytesIO(deck)).slides
        if any(sh.has_text_frame and sh.text_frame.text.startswith("The room's pulse") for sh in s.shapes)
    ]
    assert len(slides) == 1
    return slides[0]


def test_the_deck_shows_the_rooms_pulse_against_the_organisation() -> None:
    from dataclasses import replace

    from lib.core.schema import LEARNING_TYPE_CODES
    from lib.report.deck import deck_bytes

    summary = room(5)
    # who named whom is person-level: it must never reach the deck
    summary = replace(
        summary, advisers=pd.DataFrame({"person_id": ["x9"], "name": ["Zed Quist"], "mentions": [5]})
    )
    comparison = pulse_summary.compare_with_base(summary, organisation(ORGANISATION), 5)
    r = pulse.RoomPulse("Kick-off", "w", T0, None, 5, summary, comparison)
    org = organisation(ORGANISATION)
    deck = deck_bytes(org, room=r)
    slide = _room_slide(deck)
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
    assert list(chart.plots[0].categories) == list(LEARNING_TYPE_CODES)
    series = {s.name: list(s.values) for s in chart.plots[0].series}
    assert list(series) == ["The room", "The organisation (2026)"]
    assert series["The room"] == pytest.approx([0.5, 5 / 30, 0, 0, 10 / 30])
    assert series["The organisation (2026)"] == pytest.approx([0.35, 0.2, 0.2, 0.1, 0.15])
    text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "5 participants answered the pulse “Kick-off” on 2026-03-04" in text
    assert not any("Zed Quist" in t or "x9" in t for t in _slide_texts(deck))
    assert not any("The room's pulse" in t for t in _slide_texts(deck_bytes(org)))  # no pulse, no slide


def test_the_deck_withholds_a_small_rooms_averages() -> None:
    from lib.report.deck import deck_bytes

    summary = pulse_summary.summarise(
        pulse_summary.build_dataset(
            "w",
            [(str(i) * 64, "hours:IOL", 3.0) for i in range(3)] + [("0" * 64, "trust:ks1", 5.0)],
        ),
        5,
    )
    r = pulse.RoomPulse("", "w", T0, T0, 5, summary, pulse_summary.compare_with_base(summary, None, 5))
    slide = _room_slide(deck_bytes(organisation(ORGANISATION), room=r))
    assert not any(sh.has_chart for sh in slide.shapes)
    text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "3 participants answered" in text and "withheld: fewer than 5 people answered" in text
    assert "5.0" not in text


def test_the_deck_rounds_trust_means_half_up_as_the_page_does() -> None:
    from lib.report.deck import deck_bytes

    values = [5, 5, 4, 4, 4, 4, 4, 4]  # mean 34 / 8 = 4.25: the page shows 4.3 (4.2 rounding half to even)
    answers = [(str(i) * 64, "hours:IOL", 1.0) for i in range(8)]
    answers += [(str(i) * 64, "trust:ks1", float(v)) for i, v in enumerate(values)]
    summary = pulse_summary.summarise(pulse_summary.build_dataset("w", answers), 5)
    assert summary.trust["mean"].tolist() == [4.25]
    r = pulse.RoomPulse("", "w", T0, None, 5, summary, pulse_summary.compare_with_base(summary, None, 5))
    slide = _room_slide(deck_bytes(organisation(ORGANISATION), room=r))
    text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "4.3  " in text and "4.2  " not in text
