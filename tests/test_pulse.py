"""The live pulse (lib/pulse.py): sessions, answers replaced not doubled, the wave they build, closing.

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

from lib import pulse
from lib import workspaces as ws
from lib.auth import LOCAL_USER, User
from lib.dataset import Dataset
from lib.db import ensure_schema, write_transaction
from lib.db_models import PulseAnswer, Wave
from lib.db_models import PulseSession as SessionRow
from tests.test_workspaces import Backend, db  # noqa: F401  (the sqlite/postgresql fixture)

T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
CODES = ["AAAA-2222", "BBBB-3333", "CCCC-4444", "DDDD-5555", "EEEE-6666", "FFFF-7777"]
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


def stored_rows(engine: Engine, session: pulse.PulseSession) -> list[tuple[str, str, float]]:
    with engine.connect() as conn:
        wave_id = select(SessionRow.wave_id).where(SessionRow.token == session.token).scalar_subquery()
        rows = conn.execute(
            select(PulseAnswer.respondent, PulseAnswer.item, PulseAnswer.value)
            .where(PulseAnswer.wave_id == wave_id)
            .order_by(PulseAnswer.respondent, PulseAnswer.item)
        ).all()
    return [(r, i, float(v)) for r, i, v in rows]


# --- links, codes, QR ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://localhost:8501", "http://localhost:8501/?join=TOK"),
        ("https://dash.example.org/", "https://dash.example.org/?join=TOK"),
        ("  http://10.0.0.5:8501/app/ ", "http://10.0.0.5:8501/app/?join=TOK"),
    ],
)
def test_join_url(base: str, expected: str) -> None:
    assert pulse.join_url(base, "TOK") == expected


@pytest.mark.parametrize(
    "base", ["", "localhost:8501", "ftp://x", "javascript:alert(1)", "http://a b", "http://x?y=1"]
)
def test_join_url_refuses_what_is_not_an_http_address(base: str) -> None:
    with pytest.raises(pulse.PulseError, match="must start with http"):
        pulse.join_url(base, "TOK")


def test_public_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pulse.ENV_PUBLIC_URL, raising=False)
    assert pulse.public_url() == "http://localhost:8501"
    monkeypatch.setenv(pulse.ENV_PUBLIC_URL, " https://room.example ")
    assert pulse.public_url() == "https://room.example"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("K7F2-9QXA", "K7F2-9QXA"),
        ("k7f2 9qxa", "K7F2-9QXA"),
        (" k7f29qxa ", "K7F2-9QXA"),
        ("K7F2-9QX", None),  # too short
        ("K7F2-9QXA1", None),  # too long
        ("K0F2-9QXA", None),  # 0 is not in the alphabet (looks like O)
        ("K7F2-9QX!", None),
        ("", None),
    ],
)
def test_normalise_code(typed: str, expected: str | None) -> None:
    assert pulse.normalise_code(typed) == expected


def test_new_codes_are_valid_and_differ() -> None:
    codes = {pulse.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(pulse.normalise_code(c) == c for c in codes)


def test_respondent_key_depends_on_token_and_code_and_hides_the_code() -> None:
    key = pulse.respondent_key("tok", "AAAA-2222")
    assert len(key) == 64 and "AAAA" not in key
    assert key == pulse.respondent_key("tok", "AAAA-2222")
    assert key != pulse.respondent_key("tok2", "AAAA-2222")
    assert key != pulse.respondent_key("tok", "AAAA-2223")


def test_qr_png_is_a_png_of_the_expected_size() -> None:
    import segno

    link = "http://localhost:8501/?join=" + "x" * 32
    png = pulse.qr_png(link, scale=4)
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
    pulse.submit(engine, first.token, CODES[0], answer({}, ["a1"], (3, 3, 3)), now=T0)
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
    first = pulse.submit(
        engine, session.token, CODES[0], answer({"IOL": 4, "FSL": 2}, ["a1", "a2"], (4, 5, 3)), now=T0
    )
    assert first == pulse.SubmitResult(replaced=False, answers=1)
    # the same code typed differently is the same participant
    second = pulse.submit(
        engine,
        session.token,
        "aaaa 2222",
        answer({"PDL": 1.5}, ["a4"], (2, 2, 1)),
        now=T0 + timedelta(minutes=1),
    )
    assert second == pulse.SubmitResult(replaced=True, answers=1)
    key = pulse.respondent_key(session.token, CODES[0])
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
    wave = ws.load_wave(engine, "Acme", session.wave)
    assert wave.ties[["source_id", "target_id"]].values.tolist() == [[pulse.participant_id(key), "a4"]]
    assert wave.learning["hours"].sum() == 1.5


def test_the_wave_holds_every_answer_so_far(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    pulse.submit(
        engine, session.token, CODES[0], answer({"IOL": 4, "FSL": 2}, ["a1", "a2"], (4, 5, 3)), now=T0
    )
    pulse.submit(engine, session.token, CODES[1], answer({"IOL": 1, "GDL": 3}, ["a2"], (2, 3, 4)), now=T0)
    p0 = pulse.participant_id(pulse.respondent_key(session.token, CODES[0]))
    p1 = pulse.participant_id(pulse.respondent_key(session.token, CODES[1]))
    wave = ws.load_wave(engine, "Acme", session.wave)
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


def test_combining_the_workspace_keeps_the_advisers_attributes(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    pulse.submit(engine, session.token, CODES[0], answer({"IOL": 1}, ["a1", "a3"], (4, 4, 4)), now=T0)
    combined = ws.load_workspace(engine, "Acme").people.set_index("person_id")
    assert combined.loc["a1", "team"] == "Sales" and combined.loc["a3", "guild"] == "ux"
    assert len(combined) == 4 + 1  # the roster and one participant


def test_free_names_when_the_workspace_has_no_people(engine: Engine) -> None:
    ws.create_workspace(engine, "Fresh")
    session = pulse.open_session(engine, "Fresh", now=T0)
    assert session.roster == ()
    pulse.submit(
        engine,
        session.token,
        CODES[0],
        answer({}, ["Ann  Lee", " ann lee", "Raj", "", "  "], (3, 3, 3)),
        now=T0,
    )
    pulse.submit(engine, session.token, CODES[1], answer({}, ["ANN LEE"], (3, 3, 3)), now=T0)
    pulse.submit(engine, session.token, CODES[2], answer({}, ["Ann Lee"], (3, 3, 3)), now=T0)
    wave = ws.load_wave(engine, "Fresh", session.wave)
    ann, raj = pulse.free_name_id("Ann Lee"), pulse.free_name_id("Raj")
    assert ann == pulse.free_name_id("ann lee") != raj
    assert sorted(wave.ties["target_id"]) == sorted([ann, ann, ann, raj])
    named = wave.people.set_index("person_id")
    assert named.loc[ann, "name"] == "Ann Lee"  # typed so twice (once as the first of two), ANN LEE once
    assert pd.isna(named.loc[ann, "responded"])


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
    pulse.submit(engine, session.token, CODES[0], pulse.Response(**_good()), now=T0)
    before = stored_rows(engine, session)
    fields = {**_good(), **change}
    if message is None:
        pulse.submit(engine, session.token, CODES[1], pulse.Response(**fields), now=T0)
        assert len(stored_rows(engine, session)) == len(before) + 5 + 3 + 4
        return
    with pytest.raises(pulse.PulseError, match=message):
        pulse.submit(engine, session.token, CODES[1], pulse.Response(**fields), now=T0)
    assert stored_rows(engine, session) == before


def test_too_many_advisers_and_bad_codes_are_refused(engine: Engine) -> None:
    ws.create_workspace(engine, "Fresh")
    session = pulse.open_session(engine, "Fresh", now=T0)
    names = [f"Person {i}" for i in range(pulse.MAX_ADVISERS + 1)]
    with pytest.raises(pulse.PulseError, match="at most 10"):
        pulse.submit(engine, session.token, CODES[0], answer({}, names, (3, 3, 3)))
    with pytest.raises(pulse.PulseError, match="longer than 80"):
        pulse.submit(engine, session.token, CODES[0], answer({}, ["x" * 81], (3, 3, 3)))
    with pytest.raises(pulse.PulseError, match="control characters"):
        pulse.submit(engine, session.token, CODES[0], answer({}, ["Ann\x00"], (3, 3, 3)))
    with pytest.raises(pulse.PulseError, match="code is not valid"):
        pulse.submit(engine, session.token, "nope", answer({}, [], (3, 3, 3)))
    with pytest.raises(pulse.PulseError, match="link is not valid"):
        pulse.submit(engine, "no-such-token", CODES[0], answer({}, [], (3, 3, 3)))
    assert stored_rows(engine, session) == []


def test_the_database_refuses_a_doubled_answer_row(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    pulse.submit(engine, session.token, CODES[0], answer({}, [], (3, 3, 3)), now=T0)
    key = pulse.respondent_key(session.token, CODES[0])
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
    pulse.submit(engine, session.token, CODES[0], answer({"IOL": 2}, ["a1"], (4, 4, 4)), now=T0)
    before = ws.get_workspace(engine, "Acme").waves[-1]
    closed = pulse.close_session(engine, session.token, now=T0 + timedelta(minutes=20))
    assert not closed.is_open and closed.closed_at == T0 + timedelta(minutes=20)
    again = pulse.close_session(engine, session.token, now=T0 + timedelta(hours=5))
    assert again.closed_at == closed.closed_at  # idempotent: the first close stands
    for code in (CODES[0], CODES[1]):  # neither a replacement nor a new answer
        with pytest.raises(pulse.PulseError, match="closed"):
            pulse.submit(engine, session.token, code, answer({"IOL": 9}, [], (1, 1, 1)))
    after = ws.get_workspace(engine, "Acme").waves[-1]
    assert after.label == before.label and after.fingerprint == before.fingerprint
    assert len(stored_rows(engine, session)) == 5 + 3 + 1


def test_concurrent_submissions_lose_nothing_and_double_nothing(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    codes = [pulse.new_code() for _ in range(16)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(codes) + 4)

    def send(code: str, hours: float) -> None:
        try:
            start.wait()
            pulse.submit(engine, session.token, code, answer({"IOL": hours}, ["a1"], (3, 3, 3)))
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=send, args=(c, 1.0)) for c in codes]
    threads += [threading.Thread(target=send, args=(c, 7.0)) for c in codes[:4]]  # four resubmit at once
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = stored_rows(engine, session)
    assert len({r for r, _, _ in rows}) == 16
    assert len(rows) == 16 * (5 + 3 + 1)
    wave = ws.load_wave(engine, "Acme", session.wave)
    assert int(wave.people["person_id"].str.startswith("pulse-").sum()) == 16
    assert wave.learning["person_id"].nunique() == 16
    assert len(wave.ties) == 16 and len(wave.learning) == 16 * 5
    assert pulse.live_summary(engine, session.token, 5).answers == 16
    for code in codes[-3:]:  # three change their answer afterwards: replaced, still 16
        assert pulse.submit(engine, session.token, code, answer({"IOL": 9.0}, [], (3, 3, 3))).replaced
    iol = ws.load_wave(engine, "Acme", session.wave).learning.query("learning_type == 'IOL'")["hours"]
    assert len(iol) == 16 and (iol == 9.0).sum() == 3


def test_deleting_the_workspace_or_the_wave_removes_the_pulse(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    pulse.submit(engine, session.token, CODES[0], answer({}, [], (3, 3, 3)), now=T0)
    ws.delete_wave(engine, "Acme", session.wave)
    assert pulse.get_session(engine, session.token) is None
    other = pulse.open_session(engine, "Acme", now=T0)
    pulse.submit(engine, other.token, CODES[0], answer({}, [], (3, 3, 3)), now=T0)
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
    ds = pulse.build_dataset("w", answers, roster=(("a1", "Ann"), ("a2", "Bo")))
    s = pulse.summarise(ds, 5)
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

    fewer = pulse.summarise(pulse.build_dataset("w", [a for a in answers if not a[0].endswith("4")]), 5)
    assert fewer.answers == 4 and fewer.hidden and fewer.hours.empty and fewer.trust.empty


def test_summarise_of_nothing() -> None:
    s = pulse.summarise(pulse.build_dataset("w", []), 5)
    assert s.answers == 0 and s.hidden and s.advisers.empty and s.last_answer_at is None


def test_live_summary_counts_and_last_answer(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    assert pulse.live_summary(engine, session.token, 5).answers == 0
    for i, code in enumerate(CODES[:5]):
        pulse.submit(
            engine, session.token, code, answer({"IOL": i}, [], (3, 3, 3)), now=T0 + timedelta(minutes=i)
        )
    s = pulse.live_summary(engine, session.token, 5)
    assert s.answers == 5 and not s.hidden
    assert s.last_answer_at == T0 + timedelta(minutes=4)
    assert s.hours.set_index("learning_type").loc["IOL", "mean_hours"] == pytest.approx(
        (0 + 1 + 2 + 3 + 4) / 5
    )
    assert pulse.live_summary(engine, session.token, 6).hidden


# --- arriving by a join link --------------------------------------------------------------------


def test_a_join_link_makes_the_local_user_a_participant(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    state: dict[str, Any] = {}
    assert pulse.arrive({"join": session.token}, state, engine, LOCAL_USER) == session
    assert state == {"user": pulse.PARTICIPANT, pulse.STATE_TOKEN: session.token}
    assert pulse.PARTICIPANT.roles == frozenset({"participant"})


def test_a_signed_in_facilitator_keeps_their_roles(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    facilitator = User("fran", frozenset({"facilitator"}), source="account")
    executive = User("ed", frozenset({"executive"}), source="oidc")
    state: dict[str, Any] = {}
    pulse.arrive({"join": session.token}, state, engine, facilitator)
    assert "user" not in state and state[pulse.STATE_TOKEN] == session.token
    state = {}
    pulse.arrive({"join": session.token}, state, engine, executive)
    assert state["user"] == pulse.PARTICIPANT


def test_a_closed_session_still_admits_to_say_it_is_closed(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", now=T0)
    pulse.close_session(engine, session.token)
    state: dict[str, Any] = {}
    pulse.arrive({"join": session.token}, state, engine, LOCAL_USER)
    assert state["user"] == pulse.PARTICIPANT


def test_an_unknown_token_changes_nobody(engine: Engine) -> None:
    state: dict[str, Any] = {}
    assert pulse.arrive({"join": "forged"}, state, engine, LOCAL_USER) is None
    assert "user" not in state
    assert pulse.arrive({}, state, engine, LOCAL_USER) is None


def test_the_token_is_looked_up_once_per_browser_session() -> None:
    class NoEngine:
        def connect(self) -> None:
            raise AssertionError("the database was asked again")

    state: dict[str, Any] = {pulse.STATE_TOKEN: "tok", "user": pulse.PARTICIPANT}
    assert pulse.arrive({"join": "tok"}, state, NoEngine(), LOCAL_USER) is None  # type: ignore[arg-type]
    assert state["user"] == pulse.PARTICIPANT
