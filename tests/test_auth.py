"""lib.auth: password hashing, the sign-in configuration, OIDC role mapping, accounts and throttling,
and the role → page/action tables."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

from lib import auth

FAST = {"n": 2**14, "r": 8, "p": 1}  # the lowest cost verify_password accepts: quick tests
HASH_FAC = auth.hash_password("facilitate-2026", **FAST)
HASH_EXE = auth.hash_password("board-room-2026", **FAST)
ACCOUNTS = {
    "accounts": {
        "fac": {"password_hash": HASH_FAC, "roles": ["facilitator"]},
        "exe": {"password_hash": HASH_EXE, "roles": ["executive"]},
    }
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
        ({"accounts": {"a": {"password_hash": HASH_FAC, "roles": ["admin"]}}}, "unknown role"),
        ({"accounts": {"a": {"password_hash": HASH_FAC, "roles": []}}}, "roles must be a list"),
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


def test_throttle_refuses_a_name_after_too_many_failures() -> None:
    config = auth.load_config(ACCOUNTS)
    throttle = auth.LoginThrottle(max_failures=3, window=60)
    for _ in range(3):
        assert auth.account_user(config, "exe", "wrong password", throttle) is None
    assert throttle.wait_seconds("exe") > 0
    assert auth.account_user(config, "exe", "board-room-2026", throttle) is None  # even the right one
    assert auth.account_user(config, "fac", "facilitate-2026", throttle) is not None  # other names unaffected


def test_throttle_window_and_reset() -> None:
    throttle = auth.LoginThrottle(max_failures=2, window=100)
    throttle.failed("a", now=0)
    assert throttle.wait_seconds("a", now=1) == 0
    throttle.failed("a", now=10)
    assert throttle.wait_seconds("a", now=50) == pytest.approx(50)  # the first failure ages out at 100
    assert throttle.wait_seconds("a", now=101) == 0
    throttle.failed("b", now=0)
    throttle.succeeded("b")
    throttle.failed("b", now=1)
    assert throttle.wait_seconds("b", now=2) == 0


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


# --- the example secrets file and the command line -------------------------------------------


def test_the_example_secrets_fail_closed_until_real_hashes_are_filled_in() -> None:
    import tomllib
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.example.toml").read_text()
    with pytest.raises(auth.AuthConfigError, match="not a scrypt hash"):
        auth.load_config(tomllib.loads(text))
    filled = text.replace('"scrypt$131072$8$1$REPLACE-ME$REPLACE-ME"', f'"{HASH_FAC}"')
    setting = re.compile(r"^# (\[\w+\]$|[a-z_]+ = )")  # the commented-out [auth] and [roles]
    uncommented = "\n".join(line[2:] if setting.match(line) else line for line in filled.splitlines())
    config = auth.load_config(tomllib.loads(uncommented))
    assert config.oidc_providers == ("",)
    assert {a.name: a.roles for a in config.accounts.values()} == {
        "facilitator": {"facilitator"},
        "board": {"executive"},
    }
    assert auth.oidc_user(config, {"email": "x@board.example.org"}).roles == {"executive"}


def test_cli_hash_password_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from lib.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a workshop password\n"))
    assert main(["hash-password"]) == 0
    stored = capsys.readouterr().out.strip()
    assert stored.startswith("scrypt$131072$8$1$")
    assert auth.verify_password("a workshop password", stored)
    assert not auth.verify_password("a workshop password\n", stored)

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["hash-password"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err
