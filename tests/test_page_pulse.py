"""The pulse pages in AppTest: a participant arriving by the join link, answering, replacing the
answer (from the same browser, its cookie), a closed pulse; the facilitator's live page opening and
closing a pulse, its averages moving in batches; who may open which.

AppTest cannot send cookies (``st.context.cookies`` comes from a real browser's connection), so
:func:`browser_cookies` stands in for the browser's cookie jar; the cookie's real round trip
through Chromium is in tests/test_browser_workshop.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.runtime.context import ContextProxy, StreamlitCookies
from streamlit.testing.v1 import AppTest

from lib.app import auth, pulse_link
from lib.app.auth import User
from lib.store import pulse
from lib.store import workspaces as ws
from tests.test_pulse import roster_dataset

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'workspaces.db'}"
    monkeypatch.setenv("SLD_DATABASE_URL", url)
    monkeypatch.setenv(pulse_link.ENV_PUBLIC_URL, "http://room.test:8501")
    engine = ws.open_database(url)
    ws.import_dataset(engine, "Acme", roster_dataset(), "2026-Q1")
    yield engine
    engine.dispose()


@pytest.fixture
def browser_cookies(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The cookies the next page loads send, as a browser would (fill it between loads)."""
    jar: dict[str, str] = {}
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda _self: StreamlitCookies(dict(jar))))
    return jar


def device_of(at: AppTest, session: pulse.PulseSession) -> pulse_link.Device:
    device = at.session_state[f"{pulse_link.STATE_DEVICE}:{session.id}"]
    assert isinstance(device, pulse_link.Device)
    return device


def cookie_scripts(at: AppTest) -> list[str]:
    """What the page asked the browser to store: the bodies of its st.html scripts."""
    return [e.proto.body for e in at.get("html") if "document.cookie" in e.proto.body]


def submit_as(engine: Engine, token: str, device_id: str, response: pulse.Response) -> pulse.SubmitResult:
    session = pulse.get_session(engine, token)
    assert session is not None
    return pulse.submit(engine, token, pulse.issue_device(session, device_id), response)


def join(token: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[pulse_link.JOIN_PARAM] = token
    return at.run()


def fill(at: AppTest, hours: dict[str, float], advisers: list[str], trust: int | None = 4) -> AppTest:
    for code, value in hours.items():
        at.number_input(key=f"pulse-hours-{code}").set_value(value)
    at.multiselect(key="pulse-advisers").set_value(advisers)
    if trust is not None:
        for radio in at.radio:
            radio.set_value(trust)
    return next(b for b in at.button if b.label == "Send my answer").click().run()


def test_a_participant_answers_and_then_replaces_the_answer(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme", title="Kick-off")
    at = join(session.token)
    assert not at.exception
    assert at.session_state["user"] == auth.PARTICIPANT
    assert [t.value for t in at.title] == ["📝 Pulse"]
    assert at.subheader[0].value == "Kick\\-off"  # the facilitator's title, escaped
    assert at.multiselect(key="pulse-advisers").options == ["Ann Lee", "Bo Chen", "a3", "Dee Roy"]

    at = fill(at, {"IOL": 3.0, "FSL": 1.5}, ["a1", "a2"])
    assert not at.exception and not at.error
    assert "your answer is in" in at.success[0].value
    first = pulse.live_summary(engine, session.token, 5)
    assert first.answers == 1 and first.advisers.empty  # counted; who they named waits for a batch
    pulse.refresh_wave(engine, "Acme", session.wave)  # as opening the wave on the other pages does
    assert len(ws.load_wave(engine, "Acme", session.wave).ties) == 2

    at = fill(at, {"IOL": 0.0, "FSL": 0.0}, ["a4"], trust=2)
    assert "earlier answer was replaced" in at.success[0].value
    pulse.refresh_wave(engine, "Acme", session.wave)
    wave = ws.load_wave(engine, "Acme", session.wave)
    assert pulse.live_summary(engine, session.token, 5).answers == 1
    assert wave.ties["target_id"].tolist() == ["a4"]
    assert set(wave.trust["value"]) == {2.0}


def test_an_unanswered_trust_statement_is_asked_for_and_nothing_stored(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme")
    at = fill(join(session.token), {"IOL": 1.0}, [], trust=None)
    assert not at.exception and not at.success
    assert "answer all three statements" in at.error[0].value
    assert pulse.live_summary(engine, session.token, 5).answers == 0


def test_reopening_the_link_in_the_same_browser_replaces_the_answer(
    engine: Engine, browser_cookies: dict[str, str]
) -> None:
    session = pulse.open_session(engine, "Acme")
    phone = fill(join(session.token), {"IOL": 1.0}, ["a1"])
    assert "your answer is in" in phone.success[0].value
    device = device_of(phone, session)
    assert not device.stored
    (script,) = cookie_scripts(phone)  # the page stores its token in the browser
    assert f"{device.cookie}={device.token};" in script
    assert device.token not in str([c.value for c in phone.caption])  # never shown on screen

    browser_cookies[device.cookie] = device.token  # the browser kept it; the link is opened again
    reloaded = join(session.token)
    assert device_of(reloaded, session) == pulse_link.Device(device.token, device.cookie, stored=True)
    assert cookie_scripts(reloaded) == []  # nothing to write
    reloaded = fill(reloaded, {"IOL": 2.0}, ["a2"])
    assert "earlier answer was replaced" in reloaded.success[0].value
    assert pulse.live_summary(engine, session.token, 5).answers == 1

    browser_cookies.clear()  # a private window: no cookie, another participant
    private = fill(join(session.token), {"IOL": 3.0}, ["a3"])
    assert "your answer is in" in private.success[0].value
    assert pulse.live_summary(engine, session.token, 5).answers == 2


def test_a_forged_cookie_is_replaced_and_the_page_says_so(
    engine: Engine, browser_cookies: dict[str, str]
) -> None:
    session = pulse.open_session(engine, "Acme")
    real = pulse.issue_device(session, "phone-a")
    submit_as(
        engine,
        session.token,
        "phone-a",
        pulse.Response(hours={"IOL": 1}, trust=dict.fromkeys(session.trust_items, 3)),
    )
    signature = real.partition(".")[2]
    browser_cookies[pulse_link.device_cookie(session)] = (
        f"phone-b.{signature}"  # another id, the same signature
    )
    at = join(session.token)
    assert not at.exception
    assert "did not issue" in at.warning[0].value
    device = device_of(at, session)
    assert device.replaced and device.token not in (real, f"phone-b.{signature}")
    assert len(cookie_scripts(at)) == 1  # the fresh token is stored over the forged one
    at = fill(at, {"IOL": 2.0}, ["a2"])
    assert "your answer is in" in at.success[0].value  # a new participant, as a new browser would be
    assert pulse.live_summary(engine, session.token, 5).answers == 2


def test_a_closed_pulse_and_a_forged_link(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme")
    pulse.close_session(engine, session.token)
    at = join(session.token)
    assert not at.exception and "closed" in at.info[0].value
    assert not [b for b in at.button if b.label == "Send my answer"]  # no form
    forged = join("not-a-real-token")
    assert not forged.exception
    assert "user" not in forged.session_state  # an unknown token grants nothing


def test_a_participant_cannot_open_another_page(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme")
    at = join(session.token)
    for page in ("overview", "data", "pulse_live"):  # not registered for a participant: never routed
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{page}.py")
    assert not at.dataframe and not at.metric and not at.sidebar.selectbox


def test_the_live_page_opens_shows_and_closes_a_pulse(engine: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/pulse_live.py").run()
    assert not at.exception
    assert "No pulse on this workspace yet" in at.info[0].value
    next(b for b in at.button if b.label == "Open a pulse session").click().run()
    assert not at.exception
    token = at.session_state["pulse-session"]
    assert at.code[0].value == f"http://room.test:8501/?join={token}"
    assert any(m.label == "Answers so far" and m.value == "0" for m in at.metric)

    for device in ("phone-a", "phone-b"):
        trust = dict.fromkeys(pulse.get_session(engine, token).trust_items, 4)  # type: ignore[union-attr]
        submit_as(engine, token, device, pulse.Response(hours={"IOL": 1}, advisers=["a1"], trust=trust))
    at.run()
    assert any(m.label == "Answers so far" and m.value == "2" for m in at.metric)
    assert "Averages appear once 5 people" in at.info[0].value  # two answers: no averages

    next(b for b in at.button if b.label == "Close the pulse and freeze the wave").click().run()
    assert not at.exception
    assert "is frozen" in at.info[0].value
    assert not at.code  # the join link is gone
    assert not pulse.get_session(engine, token).is_open  # type: ignore[union-attr]


def test_an_executive_cannot_run_a_pulse(engine: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = User("ed", frozenset({"executive"}), source="account")
    at.run()
    for page in ("pulse_live", "pulse"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{page}.py")


def _five_answers(engine: Engine, token: str) -> None:
    session = pulse.get_session(engine, token)
    assert session is not None
    for i in range(5):
        trust = dict.fromkeys(session.trust_items, 1 + i)
        advisers = ["a1"] if i < 3 else ["a2"]
        submit_as(
            engine,
            token,
            f"phone-{i}",
            pulse.Response(hours={"IOL": 2.0 * i}, advisers=advisers, trust=trust),
        )


@pytest.mark.parametrize(("view", "advisers_shown"), [("named", True), ("aggregate", False)])
def test_five_answers_show_averages_and_names_only_in_the_named_view(
    engine: Engine, view: str, advisers_shown: bool
) -> None:
    session = pulse.open_session(engine, "Acme")
    _five_answers(engine, session.token)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["view"] = view
    at.run()
    at.switch_page("app_pages/pulse_live.py").run()
    assert not at.exception
    assert any(m.label == "Answers so far" and m.value == "5" for m in at.metric)
    assert not [i for i in at.info if "Averages appear" in i.value]
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    trust = at.dataframe[0].value
    assert trust["mean"].tolist() == pytest.approx([3.0, 3.0, 3.0])  # (1 + 2 + 3 + 4 + 5) / 5
    tables = [d.value for d in at.dataframe if "mentions" in d.value.columns]
    if advisers_shown:
        assert tables[0].values.tolist() == [["Ann Lee", 3], ["Bo Chen", 2]]
    else:
        assert tables == []
        assert "Ann Lee" not in str([d.value.to_dict() for d in at.dataframe])


def test_the_room_against_the_organisation(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme")
    _five_answers(engine, session.token)  # the room: IOL hours only
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/pulse_live.py").run()
    assert not at.exception
    assert any(s.value == "The room against the organisation" for s in at.subheader)
    assert any("fewer than 5 people" in c.value for c in at.caption)  # the roster has no learning hours
    assert not [d for d in at.dataframe if "organisation" in d.value.columns]

    org = roster_dataset()  # five people with learning hours: IOL 8, GDL 2, PDL 4, ASL 2, FSL 4 of 20
    org.people = pd.concat([org.people, org.people.iloc[[0]].assign(person_id="a5")], ignore_index=True)
    org.learning = pd.DataFrame(
        [
            ("a1", "", "IOL", 2.0),
            ("a1", "", "GDL", 2.0),
            ("a2", "", "IOL", 4.0),
            ("a3", "", "PDL", 4.0),
            ("a4", "", "FSL", 4.0),
            ("a5", "", "IOL", 2.0),
            ("a5", "", "ASL", 2.0),
        ],
        columns=["person_id", "wave", "learning_type", "hours"],
    )
    ws.import_dataset(engine, "Acme", org, "2026-Q2")
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "organisation" in d.value.columns)
    assert list(table.columns) == ["type", "room", "organisation", "difference"]  # no names, no ids
    # shown in per cent, the difference in percentage points
    assert table["room"].tolist() == pytest.approx([100.0, 0, 0, 0, 0])
    assert table["organisation"].tolist() == pytest.approx([40.0, 10.0, 20.0, 10.0, 20.0])
    assert table["difference"].tolist() == pytest.approx([60.0, -10.0, -20.0, -10.0, -20.0])
    assert any("wave 2026\\-Q2" in c.value for c in at.caption)


def _trust_means(at: AppTest) -> list[float]:
    return [float(v) for v in next(d.value for d in at.dataframe if "mean" in d.value.columns)["mean"]]


def test_the_live_page_shows_averages_in_batches_and_all_on_close(engine: Engine) -> None:
    session = pulse.open_session(engine, "Acme")
    _five_answers(engine, session.token)  # trust 1…5: means 3.0
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/pulse_live.py").run()
    assert not at.exception
    assert _trust_means(at) == pytest.approx([3.0, 3.0, 3.0])
    trust: dict[str, Any] = dict.fromkeys(session.trust_items, 5)
    for i in range(5, 9):  # four more answer 5: counted live, the averages wait for the fifth
        submit_as(engine, session.token, f"phone-{i}", pulse.Response(hours={"IOL": 1}, trust=trust))
        at.run()
        assert any(m.label == "Answers so far" and m.value == str(i + 1) for m in at.metric)
        assert _trust_means(at) == pytest.approx([3.0, 3.0, 3.0])
        assert any("as of 5 answers" in c.value and f"({i - 4} so far)" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Close the pulse and freeze the wave").click().run()
    assert not at.exception
    assert _trust_means(at) == pytest.approx([(15 + 4 * 5) / 9] * 3)  # closing shows every answer
    assert not [c for c in at.caption if "as of 5 answers" in c.value]
