"""lib.app.auth: password hashing, the sign-in configuration, OIDC role mapping, accounts and throttling,
and the role → page/action tables."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

from lib.app import auth

FAST = {"n": 2**14, "r": 8, "p": 1}  # the lowest cost verify_password accepts: quick tests
#: Quick hashes are refused unless the secrets lower the configured cost to theirs (default 2^17).
FAST_COST = {"passwords": {"scrypt_n": FAST["n"]}}
HASH_FAC = auth.hash_password("facilitate-2026", **FAST)
HASH_EXE = auth.hash_password("board-room-2026", **FAST)
ACCOUNTS = {
    "accounts": {
        "fac": {"password_hash": HASH_FAC, "roles": ["facilitator"]},
        "exe": {"password_hash": HASH_EXE, "roles": ["executive"]},
    },
    **FAST_COST,
}
OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "dashboard",
    "client_secret": "s",
    "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
}


# --- passwords -------------------------------------------------------------------------------


def test_hash_is_scrypt_of_the_password_with_its_own_salt() -> None:
    stored = auth.hash_password("correct horse", **FAST)
    prefix, n, r, p, salt, key = stored.split("$")
    assert (prefix, int(n), int(r), int(p)) == ("scrypt", 2**14, 8, 1)
    # recomputed independently with hashlib from the stored salt
    expected = hashlib.scrypt(b"correct horse", salt=base64.b64decode(salt), n=2**14, r=8, p=1, dklen=32)
    assert base64.b64decode(key) == expected
    assert len(base64.b64decode(salt)) == auth.SALT_BYTES


def test_default_parameters_are_the_stated_ones() -> None:
    stored = auth.hash_password("correct horse")
    assert stored.startswith("scrypt$131072$8$1$")
    assert auth.verify_password("correct horse", stored)


def test_same_password_twice_gives_different_hashes() -> None:
    a, b = auth.hash_password("same password", **FAST), auth.hash_password("same password", **FAST)
    assert a != b
    assert auth.verify_password("same password", a) and auth.verify_password("same password", b)


@pytest.mark.parametrize(
    ("password", "ok"),
    [("facilitate-2026", True), ("facilitate-2027", False), ("Facilitate-2026", False), ("", False)],
)
def test_verify_password(password: str, ok: bool) -> None:
    assert auth.verify_password(password, HASH_FAC) is ok


def _weak(n: int) -> str:
    salt = b"0123456789abcdef"
    key = hashlib.scrypt(b"facilitate-2026", salt=salt, n=n, r=8, p=1, dklen=32)
    return f"scrypt${n}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def _flip_last_key_char(stored: str) -> str:
    head, key = stored.rsplit("$", 1)
    raw = bytearray(base64.b64decode(key))
    raw[-1] ^= 1
    return f"{head}${base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "facilitate-2026",  # a plain-text "hash"
        "pbkdf2$1$2$3$4$5",
        "scrypt$16384$8$1$!!!$AAAA",
        "scrypt$16385$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$AAAA",  # N not a power of two
        _weak(2**10),  # too cheap to accept
        "scrypt$2097152$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$" + "A" * 44,  # too costly to compute
        _flip_last_key_char(HASH_FAC),
    ],
    ids=["blank", "plain", "other-scheme", "bad-base64", "n-not-power", "too-weak", "too-costly", "tampered"],
)
def test_bad_or_weak_hashes_never_match(stored: str) -> None:
    assert not auth.verify_password("facilitate-2026", stored)


def test_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = auth.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.verify_password("facilitate-2026", HASH_FAC)
    assert len(calls) == 1


@pytest.mark.parametrize("password", ["", "short", "7chars!"])
def test_short_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValueError, match="at least 8 characters"):
        auth.hash_password(password, **FAST)


# --- configuration ---------------------------------------------------------------------------


def test_nothing_configured() -> None:
    config = auth.load_config({})
    assert not config.configured
    assert auth.load_config({"some_other_secret": "x"}).configured is False


def test_accounts_and_roles_are_read() -> None:
    config = auth.load_config(ACCOUNTS)
    assert config.configured and config.oidc_providers == ()
    assert config.accounts["fac"].roles == {"facilitator"}
    assert config.accounts["exe"].roles == {"executive"}


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"accounts": {"a": {"password": "plain", "roles": ["facilitator"]}}}, "plain-text password"),
        ({"accounts": {"a": {"password_hash": "abc", "roles": ["facilitator"]}}}, "not a scrypt hash"),
        ({"accounts": {"a": {"password_hash": HASH_FAC, "roles": ["admin"]}}, **FAST_COST}, "unknown role"),
        ({"accounts": {"a": {"password_hash": HASH_FAC, "roles": []}}, **FAST_COST}, "roles must be a list"),
        ({"accounts": {"a": "x"}}, "must be a table"),
        ({"roles": {"admins": ["a@x.org"]}}, "unknown key"),
        ({"roles": {"facilitators": "a@x.org"}}, "must be a list"),
        ({"roles": {"default": "boss"}}, "default must be one of"),
        (
            {"auth": {"redirect_uri": "http://x/oauth2callback", "cookie_secret": "s"}},
            "names no identity provider",
        ),
        ({"auth": {**OIDC, "cookie_secret": ""}}, "lacks cookie_secret"),
    ],
)
def test_unusable_configuration_is_an_error(secrets: dict[str, Any], message: str) -> None:
    with pytest.raises(auth.AuthConfigError, match=message):
        auth.load_config(secrets)


# --- the configured cost: every account's hash has it, and an unknown name costs as much ----------


def _unchecked(n: int, r: int = 8, p: int = 1) -> str:
    """A well-formed hash of cost (n, r, p) that no password matches (its key is made up):
    load_config only reads the parameters, so costly ones need no scrypt run here (2^18 would take
    a second and 256 MiB)."""
    salt, key = base64.b64encode(b"0123456789abcdef").decode(), base64.b64encode(b"\xff" * 32).decode()
    return f"scrypt${n}${r}${p}${salt}${key}"


def _account(stored: str, **settings: Any) -> dict[str, Any]:
    return {"accounts": {"fran": {"password_hash": stored, "roles": ["facilitator"]}}, **settings}


def test_the_configured_cost_defaults_to_2_17_and_is_read_from_the_secrets() -> None:
    assert auth.SCRYPT_N == 2**17
    assert auth.load_config(_account(_unchecked(2**17))).scrypt_n == 2**17
    assert auth.load_config(ACCOUNTS).scrypt_n == 2**14  # lowered in the secrets, explicitly
    assert auth.load_config({}).scrypt_n == auth.AuthConfig().scrypt_n == 2**17


@pytest.mark.parametrize(
    ("stored", "settings", "message"),
    [
        (  # the leak of issue 12: N = 2^14 against the default 2^17
            _weak(2**14),
            {},
            r"^\[accounts\.fran\]: password_hash is cheaper \(N = 2\^14 = 16384, r = 8, p = 1\) than the "
            r"minimum, N = 2\^17 = 131072, r = 8, p = 1: .* tells a visitor it exists\. Make a new hash "
            r"with `python -m lib\.cli hash-password`\.$",
        ),
        (_unchecked(2**17, r=1), {}, r"cheaper \(N = 2\^17 = 131072, r = 1, p = 1\) than the minimum"),
        (
            _unchecked(2**16),
            {"passwords": {"scrypt_n": 2**18}},
            r"cheaper .* the minimum, N = 2\^18 = 262144.*`python -m lib\.cli hash-password --scrypt-n 262144`",
        ),
        (  # costlier answers slower than an unknown name: refused too, with the way out
            _unchecked(2**18),
            {},
            r"made with N = 2\^18 = 262144, r = 8, p = 1, not the configured N = 2\^17 = 131072.*"
            r"or set \[passwords\] scrypt_n = 262144",
        ),
        (HASH_FAC, {"passwords": {"scrypt_n": 2**15}}, r"cheaper \(N = 2\^14 = 16384.*--scrypt-n 32768`"),
    ],
    ids=["2^14-by-default", "r-1", "below-a-raised-cost", "above", "below-a-lowered-cost"],
)
def test_a_hash_not_of_the_configured_cost_is_refused_at_start_up(
    stored: str, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(auth.AuthConfigError, match=message):
        auth.load_config(_account(stored, **settings))


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"scrypt_n": 100000},
            r"scrypt_n must be a power of 2 from 2\^14 = 16384 to 2\^20 = 1048576, not 100000",
        ),
        ({"scrypt_n": 2**13}, "not 8192"),
        ({"scrypt_n": 2**21}, "not 2097152"),
        ({"scrypt_n": "131072"}, "not '131072'"),
        ({"scrypt_n": True}, "not True"),
        ({"min_n": 2**14}, r"unknown key\(s\) \['min_n'\]"),
        ("fast", r"\[passwords\] must be a table"),
    ],
)
def test_an_unusable_cost_setting_is_an_error(section: Any, message: str) -> None:
    with pytest.raises(auth.AuthConfigError, match=message):
        auth.load_config(_account(HASH_FAC, passwords=section))


class ScryptSpy:
    """Stands in for hashlib.scrypt: records the parameters of every call, returns 32 zero bytes."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, password: bytes, **kw: Any) -> bytes:
        self.calls.append(kw)
        return bytes(kw["dklen"])

    def costs(self) -> list[tuple[int, int, int]]:
        return [(c["n"], c["r"], c["p"]) for c in self.calls]


@pytest.mark.parametrize("scrypt_n", [2**17, 2**14])
def test_an_unknown_account_runs_scrypt_at_the_configured_cost(
    monkeypatch: pytest.MonkeyPatch, scrypt_n: int
) -> None:
    config = auth.load_config(_account(_unchecked(scrypt_n), passwords={"scrypt_n": scrypt_n}))
    spy = ScryptSpy()
    monkeypatch.setattr(hashlib, "scrypt", spy)
    throttle = auth.LoginThrottle(clock=Clock())

    assert auth.account_user(config, "fran", "a wrong guess", throttle) is None  # known name
    assert auth.account_user(config, "nobody", "a wrong guess", throttle) is None  # unknown name
    assert auth.account_user(config, "anybody", "a wrong guess", throttle) is None
    # one scrypt run each, all three at the configured cost, as the known account's is
    assert spy.costs() == [(scrypt_n, 8, 1)] * 3
    assert [len(c["salt"]) for c in spy.calls] == [16] * 3
    # the dummy hash is made once and kept (no scrypt run to make it): the same salt both times
    assert spy.calls[1]["salt"] == spy.calls[2]["salt"] != spy.calls[0]["salt"]


def test_verify_password_with_a_cost_refuses_other_costs_at_that_cost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert auth.verify_password("facilitate-2026", HASH_FAC, n=2**14)
    spy = ScryptSpy()
    monkeypatch.setattr(hashlib, "scrypt", spy)
    assert not auth.verify_password("facilitate-2026", HASH_FAC, n=2**17)  # the right password, too cheap
    assert spy.costs() == [(2**17, 8, 1)]  # scrypt ran at the cost asked for, not the hash's 2^14


def test_a_hand_built_configuration_with_a_cheap_hash_does_not_sign_in() -> None:
    account = auth.Account("fac", HASH_FAC, frozenset({"facilitator"}))
    config = auth.AuthConfig(accounts={"fac": account})  # not through load_config: cost 2^17
    assert auth.account_user(config, "fac", "facilitate-2026", auth.LoginThrottle()) is None


def test_oidc_providers() -> None:
    assert auth.load_config({"auth": OIDC}).oidc_providers == ("",)
    named = {k: v for k, v in OIDC.items() if k in ("redirect_uri", "cookie_secret")}
    named["microsoft"] = {k: v for k, v in OIDC.items() if k not in named}
    assert auth.load_config({"auth": named}).oidc_providers == ("microsoft",)


ROLES_SECTION = {
    "auth": OIDC,
    "roles": {
        "facilitators": ["Lead@Example.org", "coach@example.org"],
        "executives": ["@board.example.org", "coach@example.org"],
    },
}


@pytest.mark.parametrize(
    ("claims", "default", "roles"),
    [
        ({"email": "lead@example.org"}, None, {"facilitator"}),
        ({"email": "LEAD@example.ORG", "email_verified": True}, None, {"facilitator"}),
        ({"email": "ceo@board.example.org"}, None, {"executive"}),
        ({"email": "coach@example.org"}, None, {"facilitator", "executive"}),
        ({"email": "someone@example.org"}, None, set()),
        ({"email": "someone@example.org"}, "participant", {"participant"}),
        ({"email": "lead@example.org", "email_verified": False}, "executive", set()),  # unverified: nothing
        ({"name": "No Mail"}, "executive", set()),
        ({"email": "ceo@notboard.example.org"}, None, set()),  # a domain entry matches whole domains only
    ],
)
def test_oidc_roles(claims: dict[str, Any], default: str | None, roles: set[str]) -> None:
    section = {
        **ROLES_SECTION,
        "roles": {**ROLES_SECTION["roles"], **({"default": default} if default else {})},
    }
    user = auth.oidc_user(auth.load_config(section), claims)
    assert user.roles == roles
    assert user.source == "oidc"


# --- accounts and throttling -----------------------------------------------------------------


def test_account_sign_in() -> None:
    config = auth.load_config(ACCOUNTS)
    throttle = auth.LoginThrottle()
    user = auth.account_user(config, " fac ", "facilitate-2026", throttle)
    assert user == auth.User(name="fac", roles=frozenset({"facilitator"}), source="account")
    assert auth.account_user(config, "fac", "board-room-2026", throttle) is None  # another account's password
    assert auth.account_user(config, "nobody", "facilitate-2026", throttle) is None


class Clock:
    """An injected monotonic clock: seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_refuses_a_name_after_too_many_failures() -> None:
    config = auth.load_config(ACCOUNTS)
    throttle = auth.LoginThrottle(max_failures=3, window=60)
    for _ in range(3):
        assert auth.account_user(config, "exe", "wrong password", throttle) is None
    assert throttle.wait_seconds("exe") > 0
    assert auth.account_user(config, "exe", "board-room-2026", throttle) is None  # even the right one
    assert auth.account_user(config, "fac", "facilitate-2026", throttle) is not None  # other names unaffected


def test_a_guessing_phone_does_not_lock_out_the_facilitator_elsewhere() -> None:
    config = auth.load_config(ACCOUNTS)
    clock = Clock()
    throttle = auth.LoginThrottle(clock=clock)  # the defaults: 5 per address, 50 per name, 300 s
    phone, laptop = "192.168.1.41", "192.168.1.20"
    for _ in range(auth.MAX_FAILURES):
        assert auth.account_user(config, "fac", "a guess", throttle, address=phone) is None
    assert throttle.wait_seconds("fac", phone) == pytest.approx(auth.FAILURE_WINDOW_SECONDS)
    # the phone is refused even with the right password ...
    assert auth.account_user(config, "fac", "facilitate-2026", throttle, address=phone) is None
    # ... while the facilitator's own laptop, and this computer (None), are not held back
    assert throttle.wait_seconds("fac", laptop) == 0 and throttle.wait_seconds("fac", None) == 0
    signed = auth.account_user(config, "fac", "facilitate-2026", throttle, address=laptop)
    assert signed is not None and signed.name == "fac"
    clock.now = auth.FAILURE_WINDOW_SECONDS + 1  # the window passes: the phone may try again
    assert throttle.wait_seconds("fac", phone) == 0
    assert auth.account_user(config, "fac", "facilitate-2026", throttle, address=phone) is not None


def test_the_per_name_ceiling_counts_every_address() -> None:
    config = auth.load_config(ACCOUNTS)
    clock = Clock()
    throttle = auth.LoginThrottle(clock=clock)
    for i in range(auth.MAX_FAILURES_PER_NAME - 1):  # 49 addresses, one wrong guess each
        clock.now = i
        throttle.failed("fac", f"10.0.{i // 250}.{i % 250}")
    assert throttle.wait_seconds("fac", "10.9.9.9") == 0  # one under the ceiling: still open
    clock.now = 100
    throttle.failed("fac", "10.9.9.9")  # the 50th
    # the name is now refused from an address that never failed, right password or not
    assert throttle.wait_seconds("fac", "192.168.1.20") == pytest.approx(auth.FAILURE_WINDOW_SECONDS - 100)
    assert auth.account_user(config, "fac", "facilitate-2026", throttle, address="192.168.1.20") is None
    assert throttle.wait_seconds("exe", "192.168.1.20") == 0  # other names unaffected
    clock.now = auth.FAILURE_WINDOW_SECONDS + 0.5  # the oldest failure (at 0) ages out: 49 left
    assert throttle.wait_seconds("fac", "192.168.1.20") == 0
    assert auth.account_user(config, "fac", "facilitate-2026", throttle, address="192.168.1.20") is not None


def test_unknown_names_are_counted_and_cost_a_password_check(monkeypatch: pytest.MonkeyPatch) -> None:
    config = auth.load_config(ACCOUNTS)
    throttle = auth.LoginThrottle(clock=Clock())
    checked: list[str] = []
    real = auth.verify_password
    monkeypatch.setattr(
        auth, "verify_password", lambda pw, stored, **kw: checked.append(stored) or real(pw, stored, **kw)
    )
    for _ in range(auth.MAX_FAILURES):
        assert auth.account_user(config, "nobody", "a guess", throttle, address="10.0.0.7") is None
    assert len(checked) == auth.MAX_FAILURES  # every try ran scrypt, as a known name's would
    assert all(auth.is_password_hash(h) and h not in (HASH_FAC, HASH_EXE) for h in checked)
    assert throttle.wait_seconds("nobody", "10.0.0.7") > 0


def test_throttle_window_and_reset() -> None:
    clock = Clock()
    throttle = auth.LoginThrottle(max_failures=2, window=100, clock=clock)
    throttle.failed("a")
    clock.now = 1
    assert throttle.wait_seconds("a") == 0
    clock.now = 10
    throttle.failed("a")
    clock.now = 50
    assert throttle.wait_seconds("a") == pytest.approx(50)  # the first failure ages out at 100
    clock.now = 101
    assert throttle.wait_seconds("a") == 0
    throttle.failed("b", "10.0.0.1")
    throttle.succeeded("b", "10.0.0.1")
    throttle.failed("b", "10.0.0.1")
    assert throttle.wait_seconds("b", "10.0.0.1") == 0  # a success clears that address's count


def test_a_success_does_not_clear_the_per_name_ceiling() -> None:
    clock = Clock()
    throttle = auth.LoginThrottle(max_failures=5, max_failures_per_name=3, window=100, clock=clock)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        throttle.failed("fac", address)
    throttle.succeeded("fac", "10.0.0.1")
    assert throttle.wait_seconds("fac", "10.0.0.1") == pytest.approx(100)


def test_expired_failures_are_swept_when_many_names_are_tracked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_SWEEP_ABOVE", 10)
    clock = Clock()
    throttle = auth.LoginThrottle(window=100, clock=clock)
    for i in range(8):  # 8 names from 8 addresses: 16 keys
        throttle.failed(f"guess-{i}", f"10.0.0.{i}")
    clock.now = 150  # all of them expired
    throttle.failed("fac", "10.0.0.99")
    assert len(throttle._by_client) == 1 and len(throttle._by_name) == 1  # only the fresh failure


# --- local mode: who the browser is when nothing is configured -------------------------------


@pytest.mark.parametrize(
    ("remote_ip", "anywhere", "expected"),
    [
        (None, False, auth.LOCAL_USER),  # st.context.ip_address: loopback, or no client (AppTest)
        ("127.0.0.1", False, auth.LOCAL_USER),
        ("127.0.1.1", False, auth.LOCAL_USER),  # all of 127.0.0.0/8 is loopback
        ("::1", False, auth.LOCAL_USER),
        ("::ffff:127.0.0.1", False, auth.LOCAL_USER),  # IPv4 loopback on a dual-stack socket
        ("192.168.1.41", False, auth.REMOTE_VISITOR),
        ("10.20.30.40", False, auth.REMOTE_VISITOR),
        ("172.17.0.1", False, auth.REMOTE_VISITOR),  # a container's gateway: every browser looks remote
        ("fe80::1%eth0", False, auth.REMOTE_VISITOR),
        ("2001:db8::7", False, auth.REMOTE_VISITOR),
        ("::ffff:192.168.1.41", False, auth.REMOTE_VISITOR),
        ("not an address", False, auth.REMOTE_VISITOR),  # unparseable: not this computer
        ("192.168.1.41", True, auth.LOCAL_USER),  # SLD_LOCAL_MODE=anywhere
        ("2001:db8::7", True, auth.LOCAL_USER),
    ],
)
def test_local_user_only_on_this_computer(remote_ip: str | None, anywhere: bool, expected: auth.User) -> None:
    assert auth.local_user(remote_ip, anywhere) == expected


def test_client_address_is_a_string_or_none() -> None:
    from unittest.mock import MagicMock

    assert auth.client_address("192.168.1.41") == "192.168.1.41"
    assert auth.client_address(None) is None
    assert auth.client_address(MagicMock()) is None  # AppTest's mocked runtime: no client
    assert auth.local_user(auth.client_address("")) == auth.REMOTE_VISITOR  # odd, so not this computer


def test_a_remote_visitor_may_answer_a_pulse_and_nothing_else() -> None:
    visitor = auth.REMOTE_VISITOR
    assert auth.pages_for(visitor) == ["pulse"]
    assert {a for a in auth.ACTION_ACCESS if auth.allowed(visitor, a)} == {"answer_pulse"}
    assert not visitor.is_local


@pytest.mark.parametrize(
    ("value", "anywhere"),
    [
        (None, False),
        ("", False),
        ("  ", False),
        ("this-computer", False),
        ("anywhere", True),
        (" Anywhere ", True),
    ],
)
def test_local_mode_values(value: str | None, anywhere: bool) -> None:
    assert auth.local_mode_anywhere(value) is anywhere


@pytest.mark.parametrize("value", ["yes", "1", "everywhere", "true"])
def test_an_unknown_local_mode_is_an_error_not_a_guess(value: str) -> None:
    with pytest.raises(
        auth.AuthConfigError,
        match=f"SLD_LOCAL_MODE='{value}' is not a local mode: use SLD_LOCAL_MODE=anywhere",
    ):
        auth.local_mode_anywhere(value)


def test_a_join_link_still_makes_a_remote_visitor_a_participant(tmp_path: Any) -> None:
    from lib.app import pulse_link
    from lib.store import pulse
    from lib.store import workspaces as ws

    engine = ws.open_database(f"sqlite:///{tmp_path / 'workspaces.db'}")
    try:
        ws.create_workspace(engine, "Room")
        session = pulse.open_session(engine, "Room", title="Remote")
        state: dict[str, Any] = {}
        assert (
            auth.arrive({pulse_link.JOIN_PARAM: session.token}, state, engine, auth.REMOTE_VISITOR) == session
        )
        assert state["user"] == auth.PARTICIPANT and state[pulse_link.STATE_TOKEN] == session.token
        other: dict[str, Any] = {}
        assert auth.arrive({pulse_link.JOIN_PARAM: "forged"}, other, engine, auth.REMOTE_VISITOR) is None
        assert "user" not in other  # a bad token gives nobody a new role
    finally:
        engine.dispose()


# --- roles as data ---------------------------------------------------------------------------


def _user(*roles: auth.Role) -> auth.User:
    return auth.User(name="x", roles=frozenset(roles), source="account")


def test_local_user_holds_every_role_and_every_page_but_sign_in() -> None:
    assert auth.LOCAL_USER.roles == set(auth.ROLES)
    assert set(auth.pages_for(auth.LOCAL_USER)) == {p for p, r in auth.PAGE_ACCESS.items() if r}
    assert "signin" not in auth.pages_for(auth.LOCAL_USER)


@pytest.mark.parametrize(
    ("role", "may", "may_not"),
    [
        ("facilitator", ["overview", "network", "data"], ["signin"]),
        ("executive", ["overview", "network", "learning", "trust", "skills"], ["data", "signin"]),
        ("participant", [], ["overview", "network", "learning", "trust", "skills", "data", "signin"]),
    ],
)
def test_pages_per_role(role: auth.Role, may: list[str], may_not: list[str]) -> None:
    user = _user(role)
    assert all(auth.may_open(user, p) for p in may)
    assert not any(auth.may_open(user, p) for p in may_not)


@pytest.mark.parametrize(
    ("role", "actions"),
    [
        (
            "facilitator",
            {"upload", "named_view", "settings", "export", "run_workshop", "answer_pulse", "open_workspace"},
        ),
        ("executive", {"export", "open_workspace"}),
        ("participant", {"answer_pulse"}),
    ],
)
def test_actions_per_role(role: auth.Role, actions: set[str]) -> None:
    assert {a for a in auth.ACTION_ACCESS if auth.allowed(_user(role), a)} == actions


def test_nobody_signed_in_may_do_nothing() -> None:
    assert auth.pages_for(auth.ANONYMOUS) == []
    assert not any(auth.allowed(auth.ANONYMOUS, a) for a in auth.ACTION_ACCESS)


# --- per-workspace access --------------------------------------------------------------------

ACCESS = {
    **ACCOUNTS,
    "auth": OIDC,
    "roles": {"facilitators": ["lead@example.org"], "executives": ["@board.example.org", "cfo@example.org"]},
    "workspace_access": {
        "Acme": ["exe", "CFO@Example.org"],
        " Globex ": ["@board.example.org", "fac"],
        "Open house": ["*"],
        "Locked": [],
    },
}
FAC = auth.User("fac", frozenset({"facilitator"}), "account")
EXE = auth.User("exe", frozenset({"executive"}), "account")


def _oidc(email: str, verified: bool = True) -> auth.User:
    return auth.oidc_user(auth.load_config(ACCESS), {"email": email, "email_verified": verified})


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("exe", {"Acme", "Open house"}),  # listed by account name; unlisted Initech is not for executives
        ("fac", {"Globex", "Open house", "Initech"}),  # not on Acme's list: not even a facilitator
        ("cfo@example.org", {"Acme", "Open house"}),  # an address matches whatever its case
        ("ceo@board.example.org", {"Globex", "Open house"}),  # a whole @domain
        ("lead@example.org", {"Open house", "Initech"}),  # an OIDC facilitator: unlisted ones too
        ("local", {"Acme", "Globex", "Open house", "Locked", "Initech"}),  # the local user: all
        ("participant", set()),  # no open_workspace role: none, not even "*"
    ],
)
def test_who_may_open_which_workspace(who: str, may: set[str]) -> None:
    config = auth.load_config(ACCESS)
    user = {
        "exe": EXE,
        "fac": FAC,
        "local": auth.LOCAL_USER,
        "participant": auth.User("p", frozenset({"participant"}), "join-link"),
    }.get(who) or _oidc(who)
    names = ["Acme", "Globex", "Open house", "Locked", "Initech"]
    assert {n for n in names if auth.may_open_workspace(config, user, n)} == may
    assert auth.workspaces_for(config, user, names[::-1]) == sorted(may)


def test_without_the_table_every_role_that_opens_workspaces_opens_all() -> None:
    config = auth.load_config(ACCOUNTS)
    assert config.workspace_access is None
    assert auth.may_open_workspace(config, EXE, "Anything")
    assert auth.may_open_workspace(config, FAC, "Anything")
    assert not auth.may_open_workspace(config, auth.REMOTE_VISITOR, "Anything")


def test_an_unverified_address_matches_no_workspace() -> None:
    config = auth.load_config({**ACCESS, "roles": {**ACCESS["roles"], "default": "executive"}})
    user = auth.oidc_user(config, {"email": "cfo@example.org", "email_verified": False})
    assert user.email == "" and not auth.may_open_workspace(config, user, "Acme")
    assert auth.oidc_user(config, {"email": " CFO@example.org "}).email == "cfo@example.org"


def test_workspace_access_is_read_and_normalised() -> None:
    assert auth.load_config(ACCESS).workspace_access == {
        "Acme": ("exe", "cfo@example.org"),
        "Globex": ("@board.example.org", "fac"),
        "Open house": ("*",),
        "Locked": (),
    }


@pytest.mark.parametrize(
    "configured",
    [
        "Acme\u200b",  # zero-width space
        "\u202eAcme",  # right-to-left override
        "A\u2066cme\u2069",  # a bidi isolate
        "Ac\u00adme",  # soft hyphen
        "\uff21\uff43\uff4d\uff45",  # full-width Ａｃｍｅ
        "  Acme  ",
    ],
)
def test_a_configured_name_matches_the_workspace_it_normalises_to(configured: str) -> None:
    config = auth.load_config({**ACCOUNTS, "workspace_access": {configured: ["exe"]}})
    assert config.workspace_access == {"Acme": ("exe",)}
    assert auth.may_open_workspace(config, EXE, "Acme")
    assert not auth.may_open_workspace(config, FAC, "Acme")  # listed, and fac is not on the list


@pytest.mark.parametrize("asked", ["Acme", "Acme\u200b", "\uff21\uff43\uff4d\uff45", "Acme\u202e", " Acme "])
def test_a_workspace_name_is_compared_normalised(asked: str) -> None:
    config = auth.load_config({**ACCOUNTS, "workspace_access": {"Acme": ["exe"]}})
    assert auth.may_open_workspace(config, EXE, asked)
    assert not auth.may_open_workspace(config, FAC, asked)


@pytest.mark.parametrize(
    ("second", "shown"),
    [
        ("\u0410cme", "'Аcme'"),  # CYRILLIC CAPITAL LETTER A
        ("\u0391cme", "'Αcme'"),  # GREEK CAPITAL LETTER ALPHA
        ("Acm\u0435", "'Acmе'"),  # CYRILLIC SMALL LETTER IE
        ("ACME", "'ACME'"),
        ("Acme\u200b", "'Acme\\u200b'"),
        (" Acme", "' Acme'"),
    ],
)
def test_two_configured_names_that_look_alike_are_an_error(second: str, shown: str) -> None:
    with pytest.raises(
        auth.AuthConfigError, match=re.escape(f"[workspace_access] {shown} and 'Acme'") + ".*look alike"
    ):
        auth.load_config({**ACCOUNTS, "workspace_access": {"Acme": ["exe"], second: ["fac"]}})


def test_a_look_alike_of_a_listed_name_opens_only_for_facilitators_on_that_list() -> None:
    config = auth.load_config(
        {
            **ACCOUNTS,
            "accounts": {
                **ACCOUNTS["accounts"],
                "fac2": {"password_hash": HASH_FAC, "roles": ["facilitator"]},
            },
            "workspace_access": {"Acme": ["exe", "fac2"], "Open": ["*"]},
        }
    )
    fac2 = auth.User("fac2", frozenset({"facilitator"}), "account")
    spoof = "\u0410cme"  # "Аcme": not listed itself, but looks like the listed Acme
    assert not auth.may_open_workspace(config, FAC, spoof)  # a facilitator not on Acme's list
    assert not auth.may_open_workspace(config, EXE, spoof)  # on the list, but not a facilitator
    assert auth.may_open_workspace(config, fac2, spoof)
    assert not auth.may_open_workspace(config, EXE, "0pen")  # "0" is not mapped: an unlisted name
    assert auth.may_open_workspace(config, FAC, "Initech")  # an unrelated unlisted name: facilitators


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("everyone", r"\[workspace_access\] must be a table"),
        ({"Acme": "exe"}, r"\[workspace_access\] 'Acme' must be a list"),
        ({"Acme": {"who": "exe"}}, "must be a list"),
        ({"Acme": ["exe", 3]}, "every entry must be a non-blank string, not 3"),
        ({"Acme": ["  "]}, "every entry must be a non-blank string"),
        ({"Acme": ["exe", "eli"]}, r"'eli' is not an account name \(no \[accounts.eli\]\)"),
        ({"Acme": ["a@b@c.org"]}, "'a@b@c.org' is neither an e-mail address nor an @domain"),
        ({"Acme": ["board@"]}, "neither an e-mail address nor an @domain"),
        ({" ": ["exe"]}, "blank workspace name"),
        ({"\u200b\u202e": ["exe"]}, r"'\\u200b\\u202e': The workspace name cannot be blank"),
        ({"Ac\nme": ["exe"]}, "contains control characters"),
    ],
)
def test_unusable_workspace_access_is_an_error(table: Any, message: str) -> None:
    with pytest.raises(auth.AuthConfigError, match=message):
        auth.load_config({**ACCOUNTS, "workspace_access": table})


# --- the example secrets file and the command line -------------------------------------------


def test_the_example_secrets_fail_closed_until_real_hashes_are_filled_in() -> None:
    import tomllib
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.example.toml").read_text()
    with pytest.raises(auth.AuthConfigError, match="not a scrypt hash"):
        auth.load_config(tomllib.loads(text))
    filled = text.replace('"scrypt$131072$8$1$REPLACE-ME$REPLACE-ME"', f'"{HASH_FAC}"')
    setting = re.compile(r'^# (\[\w+\]$|[a-z_]+ = |"[\w ]+" = )')  # the commented-out tables
    uncommented = "\n".join(line[2:] if setting.match(line) else line for line in filled.splitlines())
    example = tomllib.loads(uncommented)
    assert example["passwords"] == {"scrypt_n": auth.SCRYPT_N}  # documented at the default ...
    with pytest.raises(auth.AuthConfigError, match=r"\[accounts.facilitator\]: password_hash is cheaper"):
        auth.load_config(example)  # ... which refuses the quick test hash
    config = auth.load_config({**example, **FAST_COST})
    assert config.scrypt_n == FAST["n"]
    assert config.oidc_providers == ("",)
    assert {a.name: a.roles for a in config.accounts.values()} == {
        "facilitator": {"facilitator"},
        "board": {"executive"},
    }
    assert auth.oidc_user(config, {"email": "x@board.example.org"}).roles == {"executive"}
    assert config.workspace_access == {
        "acme": ("facilitator", "board", "ceo@example.org"),
        "Globex leadership": ("facilitator", "@board.example.org"),
    }


def test_cli_hash_password_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from lib.app.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a workshop password\n"))
    assert main(["hash-password"]) == 0
    stored = capsys.readouterr().out.strip()
    assert stored.startswith("scrypt$131072$8$1$")
    assert auth.verify_password("a workshop password", stored)
    assert not auth.verify_password("a workshop password\n", stored)

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["hash-password"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err


def test_cli_hash_password_at_another_cost(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from lib.app.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a workshop password\n"))
    assert main(["hash-password", "--scrypt-n", "16384"]) == 0
    stored = capsys.readouterr().out.strip()
    assert stored.startswith("scrypt$16384$8$1$")
    assert auth.load_config(_account(stored, passwords={"scrypt_n": 16384})).accounts["fran"]
