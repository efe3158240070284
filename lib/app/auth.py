"""Who may see what: roles, the pages and actions each role may use, as data.

Enforcement happens on the server: ``app.py`` registers only the pages the signed-in user's roles
allow (a URL to any other page is not routed at all), every page calls ``ui.guard(<page>)``, and
downloads/exports check :func:`allowed`.

Local mode (nothing configured): :func:`local_user`. A browser on this computer (a loopback
connection) is the local user holding every role, as on a laptop. A browser on another computer
(the app listening on a workshop room's network for the pulse) is :data:`REMOTE_VISITOR`, with the
participant role only: it can answer a pulse through its join link and see nothing else. Setting
``SLD_LOCAL_MODE=anywhere`` (:data:`LOCAL_MODE_ENV`; a trusted network, or a container whose
published port makes every browser look remote) gives every browser the local user again.

Sign-in (configured in ``.streamlit/secrets.toml``, never in the repository; see
``.streamlit/secrets.example.toml`` and the README):

- OIDC through Streamlit's own ``[auth]`` section (``st.login()``); the ``[roles]`` table maps
  e-mail addresses (or ``@domain`` patterns) to roles, with an optional ``default`` role for
  everyone else the identity provider lets in. An address the provider marks unverified gets no role.
- Built-in accounts for offline workshops: ``[accounts.<name>]`` with ``password_hash`` (scrypt, made
  by ``python -m lib.cli hash-password``) and ``roles``; wrong passwords are throttled per account
  name and client address (:class:`LoginThrottle`). Every hash must have the configured cost
  (``[passwords] scrypt_n``, default :data:`SCRYPT_N`), and an unknown name is checked against a
  dummy hash of that cost, so no answer comes sooner or later for an account that exists.
- Optional per-workspace access, ``[workspace_access]``: workspace name → who may open it
  (:func:`may_open_workspace`). Without the table every user with a role may open every workspace.
  Names are normalised as :mod:`lib.store.workspaces` stores them, and two names that look alike
  (:func:`lib.store.workspaces.name_skeleton`) are a configuration error.

A configuration that cannot be read fails closed (:class:`AuthConfigError`): nobody is signed in,
rather than everyone being the local user.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import ipaddress
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Engine

from lib.app import pulse_link
from lib.store import pulse

Role = Literal["facilitator", "executive", "participant"]
ROLES: tuple[Role, ...] = ("facilitator", "executive", "participant")

Action = Literal[
    "upload",  # load data, manage workspaces and waves
    "named_view",  # see names, ids and person-level tables
    "settings",  # change workspace settings (minimum group size, retention, channel mapping)
    "export",  # download exports and tables (in the view the role is allowed)
    "run_workshop",  # presentation view, what-if, actions, open/close a pulse
    "answer_pulse",  # submit a pulse answer
    "open_workspace",  # choose a stored workspace to look at (in the view the role is allowed)
]

#: page key (the url_path in app.py) → roles that may open it.
PAGE_ACCESS: dict[str, frozenset[Role]] = {
    "overview": frozenset({"facilitator", "executive"}),
    "network": frozenset({"facilitator", "executive"}),
    "learning": frozenset({"facilitator", "executive"}),
    "trust": frozenset({"facilitator", "executive"}),
    "skills": frozenset({"facilitator", "executive"}),
    "data": frozenset({"facilitator"}),
    "present": frozenset({"facilitator"}),  # workshop mode (run_workshop)
    "whatif": frozenset({"facilitator"}),
    "actions": frozenset({"facilitator"}),
    "pulse_live": frozenset({"facilitator"}),
    "pulse": frozenset({"participant", "facilitator"}),
    "signin": frozenset(),  # no role: app.py registers it only for someone not signed in
}

#: action → roles that may do it.
ACTION_ACCESS: dict[Action, frozenset[Role]] = {
    "upload": frozenset({"facilitator"}),
    "named_view": frozenset({"facilitator"}),
    "settings": frozenset({"facilitator"}),
    "export": frozenset({"facilitator", "executive"}),
    "run_workshop": frozenset({"facilitator"}),
    "answer_pulse": frozenset({"participant", "facilitator"}),
    "open_workspace": frozenset({"facilitator", "executive"}),
}


@dataclass(frozen=True)
class User:
    """Who is using the app, and how they got in (``source``):

    ``local`` (nothing configured, this computer), ``remote`` (nothing configured, another
    computer), ``oidc`` (the identity provider; ``email`` is its verified address, lower case),
    ``account`` (a built-in account; ``name`` is the account name), ``join-link`` (a pulse
    participant), ``none`` (nobody signed in).
    """

    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    source: Literal["local", "remote", "oidc", "account", "join-link", "none"] = "local"
    email: str = ""

    @property
    def is_local(self) -> bool:
        return self.source == "local"


LOCAL_USER = User(name="local user", roles=frozenset(ROLES), source="local")
#: Nothing configured, a browser on another computer: the pulse page only (through a join link).
REMOTE_VISITOR = User(name="visitor from another computer", roles=frozenset({"participant"}), source="remote")

#: The environment variable that chooses who the local user is when nothing is configured.
LOCAL_MODE_ENV = "SLD_LOCAL_MODE"
#: Its values: ``this-computer`` (the default, also when unset or blank) or ``anywhere``.
LOCAL_MODES = ("this-computer", "anywhere")


def local_mode_anywhere(value: str | None) -> bool:
    """True when ``$SLD_LOCAL_MODE`` (``value``) is ``anywhere``; False when it is unset, blank or
    ``this-computer``. AuthConfigError for anything else: a typo must not open the dashboards."""
    mode = (value or "").strip().lower() or LOCAL_MODES[0]
    if mode not in LOCAL_MODES:
        raise AuthConfigError(
            f"{LOCAL_MODE_ENV}={value!r} is not a local mode: use {LOCAL_MODE_ENV}=anywhere "
            "(every browser is the local user: a trusted network or a container only), or unset it "
            "(only a browser on this computer is)."
        )
    return mode == "anywhere"


def client_address(value: object) -> str | None:
    """``st.context.ip_address`` as this module uses it: the peer's address, or None for this
    computer (loopback) and for no client at all. Anything but a string is no client: AppTest's
    mocked runtime answers with a mock object."""
    return value if isinstance(value, str) else None


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def local_user(remote_ip: str | None, anywhere: bool = False) -> User:
    """The user of a browser when nothing is configured (local mode).

    ``remote_ip`` is the client's address as ``st.context.ip_address`` gives it: None for a
    loopback connection (and when there is no client, e.g. in AppTest), else the TCP peer's address.
    None or a loopback address (127.0.0.0/8, ::1, ::ffff:127.x) → :data:`LOCAL_USER`, every role;
    any other address → :data:`REMOTE_VISITOR`, the participant role only, unless ``anywhere``
    (``SLD_LOCAL_MODE=anywhere``). A browser on this computer that uses its network address (not
    localhost) counts as another computer: the peer address is all the server can go by.
    """
    if anywhere or remote_ip is None or _is_loopback(remote_ip):
        return LOCAL_USER
    return REMOTE_VISITOR


def may_open(user: User, page: str) -> bool:
    return bool(PAGE_ACCESS.get(page, frozenset()) & user.roles)


def allowed(user: User, action: Action) -> bool:
    return bool(ACTION_ACCESS[action] & user.roles)


def pages_for(user: User) -> list[str]:
    """Page keys this user may open, in PAGE_ACCESS order."""
    return [page for page in PAGE_ACCESS if may_open(user, page)]


#: Nobody signed in (sign-in configured): no role, so no page but the sign-in page.
ANONYMOUS = User(name="", roles=frozenset(), source="none")


# --- passwords (built-in accounts) -----------------------------------------------------------

#: scrypt cost for new hashes: N = 2**17, r = 8, p = 1 (OWASP Password Storage Cheat Sheet's
#: minimum for scrypt): 128 MiB and about 0.6 s per hash on this project's 2-core machines, which
#: is also the floor on the time one password guess costs. 16-byte random salt, 32-byte key.
#: Also the default of ``[passwords] scrypt_n``, the cost every account's hash must have.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 8
#: Stored hashes are verified with the parameters they carry, within these bounds: weaker hashes
#: are refused, and a hash cannot make the server spend more than about 1 GiB on one check.
#: ``[passwords] scrypt_n`` is chosen within the same bounds.
_MIN_N, _MAX_N, _MAX_R, _MAX_P = 2**14, 2**20, 16, 4
_PREFIX = "scrypt"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=KEY_BYTES,
        maxmem=2 * 128 * n * r * p + 2**20,
    )


def hash_password(
    password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P, salt: bytes | None = None
) -> str:
    """``scrypt$N$r$p$<salt, base64>$<key, base64>`` for ``password`` (ValueError when too short).

    scrypt (RFC 7914) with a fresh random 16-byte salt; the parameters travel with the hash so
    they can be raised later without invalidating existing accounts.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if not (_MIN_N <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        raise ValueError(f"scrypt parameters out of range: N={n} (a power of 2, 2^14–2^20), r={r}, p={p}.")
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    return "$".join([_PREFIX, str(n), str(r), str(p), _b64(salt), _b64(_scrypt(password, salt, n, r, p))])


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.strip().split("$")
    if len(parts) != 6 or parts[0] != _PREFIX:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if not (_MIN_N <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        return None
    if len(salt) < 8 or len(key) != KEY_BYTES:
        return None
    return n, r, p, salt, key


def is_password_hash(stored: str) -> bool:
    """True when ``stored`` is a hash :func:`verify_password` accepts (not a plain-text password)."""
    return _parse_hash(stored) is not None


def verify_password(password: str, stored: str, *, n: int | None = None) -> bool:
    """True when ``password`` matches ``stored`` (a :func:`hash_password` string).

    Constant-time comparison (``hmac.compare_digest``); a malformed or too-weak hash never matches,
    nor, with ``n``, a hash whose cost is not ``N = n``, r = 8, p = 1: scrypt then runs at that
    cost against a dummy hash, so the answer comes no sooner (:func:`load_config` refuses such
    accounts at start-up; this covers a configuration built by hand).
    """
    parsed = _parse_hash(stored)
    if parsed is None:
        return False
    hash_n, r, p, salt, key = parsed
    if n is not None and (hash_n, r, p) != (n, SCRYPT_R, SCRYPT_P):
        verify_password(password, _dummy_hash(n))
        return False
    return hmac.compare_digest(_scrypt(password, salt, hash_n, r, p), key)


def _power(n: int) -> str:
    """``131072`` → ``2^17 = 131072`` (for messages about scrypt's N)."""
    return f"2^{n.bit_length() - 1} = {n}" if n > 0 and n & (n - 1) == 0 else str(n)


def hash_command(n: int = SCRYPT_N) -> str:
    """The command that makes a hash of cost ``N = n`` for ``[accounts.<name>] password_hash``."""
    return "python -m lib.cli hash-password" + ("" if n == SCRYPT_N else f" --scrypt-n {n}")


@functools.cache
def _dummy_hash(n: int) -> str:
    """A hash of cost ``N = n`` (r = 8, p = 1) that no password matches: a random salt and a random
    key, made once per ``n``. Checking a password against it runs the same scrypt as checking one
    against an account's hash of that cost, so an unknown account name answers no sooner."""
    return "$".join(
        [
            _PREFIX,
            str(n),
            str(SCRYPT_R),
            str(SCRYPT_P),
            _b64(secrets.token_bytes(SALT_BYTES)),
            _b64(secrets.token_bytes(KEY_BYTES)),
        ]
    )


# --- configuration ---------------------------------------------------------------------------


class AuthConfigError(ValueError):
    """The sign-in configuration cannot be used; the message says what to fix in secrets.toml."""


@dataclass(frozen=True)
class Account:
    name: str
    password_hash: str
    roles: frozenset[Role]


#: The keys of ``[auth]`` that configure Streamlit's cookie, not a provider.
_SHARED_AUTH_KEYS = {"redirect_uri", "cookie_secret", "expose_tokens"}
#: ``[roles]`` list name → role.
ROLE_LISTS: dict[str, Role] = {
    "facilitators": "facilitator",
    "executives": "executive",
    "participants": "participant",
}


@dataclass(frozen=True)
class AuthConfig:
    """Who can sign in, and how. Empty (the default) = not configured: the local user."""

    #: OIDC providers for ``st.login``: ``""`` = the one provider written directly in ``[auth]``.
    oidc_providers: tuple[str, ...] = ()
    #: role → e-mail addresses (lower case) or ``@domain`` patterns.
    members: Mapping[Role, tuple[str, ...]] = field(default_factory=dict)
    #: The role of a signed-in OIDC user on no list; None = no access.
    default_role: Role | None = None
    accounts: Mapping[str, Account] = field(default_factory=dict)
    #: ``[workspace_access]``: workspace name (normalised, :func:`lib.store.workspaces.workspace_name`) →
    #: who may open it; None = no table (see :func:`may_open_workspace`).
    workspace_access: Mapping[str, tuple[str, ...]] | None = None
    #: ``[passwords] scrypt_n``: the scrypt N of every account's hash (r = 8, p = 1), and of the
    #: dummy hash an unknown account name is checked against.
    scrypt_n: int = SCRYPT_N

    @property
    def configured(self) -> bool:
        return bool(self.oidc_providers or self.accounts)


def _roles_of(value: Any, where: str) -> frozenset[Role]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise AuthConfigError(f'{where}: roles must be a list such as ["facilitator"].')
    bad = [r for r in items if r not in ROLES]
    if bad:
        raise AuthConfigError(f"{where}: unknown role(s) {bad}; roles are {', '.join(ROLES)}.")
    return frozenset(items)


def _oidc_providers(section: Mapping[str, Any]) -> tuple[str, ...]:
    if not section:
        return ()
    named = tuple(k for k, v in section.items() if isinstance(v, Mapping) and "client_id" in v)
    direct = ("",) if "client_id" in section else ()
    providers = direct + named
    if not providers:
        raise AuthConfigError(
            "[auth] names no identity provider: add client_id, client_secret and server_metadata_url."
        )
    for key in ("redirect_uri", "cookie_secret"):
        if not section.get(key):
            raise AuthConfigError(f"[auth] lacks {key} (Streamlit needs it for st.login).")
    return providers


def load_config(secrets_: Mapping[str, Any]) -> AuthConfig:
    """The sign-in configuration from the secrets (``st.secrets.to_dict()``): ``[auth]``, ``[roles]``,
    ``[accounts]``, ``[workspace_access]``. AuthConfigError for anything that cannot be used as written."""
    auth_section = secrets_.get("auth") or {}
    if not isinstance(auth_section, Mapping):
        raise AuthConfigError("[auth] must be a table.")
    providers = _oidc_providers(auth_section)
    roles_section = secrets_.get("roles") or {}
    if not isinstance(roles_section, Mapping):
        raise AuthConfigError("[roles] must be a table.")
    unknown = set(roles_section) - set(ROLE_LISTS) - {"default"}
    if unknown:
        raise AuthConfigError(
            f"[roles] has unknown key(s) {sorted(unknown)}; use {', '.join(ROLE_LISTS)} and default."
        )
    members: dict[Role, tuple[str, ...]] = {}
    for key, role in ROLE_LISTS.items():
        listed = roles_section.get(key, [])
        if isinstance(listed, str) or not all(isinstance(x, str) for x in listed):
            raise AuthConfigError(f"[roles] {key} must be a list of e-mail addresses or @domain patterns.")
        members[role] = tuple(x.strip().lower() for x in listed if x.strip())
    default = roles_section.get("default")
    if default is not None and default not in ROLES:
        raise AuthConfigError(f"[roles] default must be one of {', '.join(ROLES)}, not {default!r}.")
    accounts_section = secrets_.get("accounts") or {}
    if not isinstance(accounts_section, Mapping):
        raise AuthConfigError("[accounts] must hold one table per account: [accounts.<name>].")
    scrypt_n = _scrypt_n(secrets_.get("passwords"))
    accounts: dict[str, Account] = {}
    for name, entry in accounts_section.items():
        where = f"[accounts.{name}]"
        if not isinstance(entry, Mapping):
            raise AuthConfigError(f"{where} must be a table with password_hash and roles.")
        if "password" in entry:
            raise AuthConfigError(f"{where} holds a plain-text password: store password_hash instead.")
        stored = str(entry.get("password_hash", ""))
        if not is_password_hash(stored):
            raise AuthConfigError(
                f"{where}: password_hash is missing or not a scrypt hash; make one with "
                f"`{hash_command(scrypt_n)}`."
            )
        _check_cost(stored, scrypt_n, where)
        accounts[str(name)] = Account(str(name), stored, _roles_of(entry.get("roles"), where))
    return AuthConfig(
        oidc_providers=providers,
        members=members,
        default_role=default,
        accounts=accounts,
        workspace_access=_workspace_access(secrets_.get("workspace_access"), accounts),
        scrypt_n=scrypt_n,
    )


def _scrypt_n(section: Any) -> int:
    """``[passwords] scrypt_n`` checked: a power of 2 from 2^14 to 2^20; :data:`SCRYPT_N` without it.
    A lower value is for tests that need quick hashes, and must be written out like any other."""
    if section is None:
        return SCRYPT_N
    if not isinstance(section, Mapping):
        raise AuthConfigError("[passwords] must be a table, e.g. scrypt_n = 131072.")
    unknown = sorted(set(section) - {"scrypt_n"})
    if unknown:
        raise AuthConfigError(f"[passwords] has unknown key(s) {unknown}; the one key is scrypt_n.")
    n = section.get("scrypt_n", SCRYPT_N)
    if isinstance(n, bool) or not isinstance(n, int) or not (_MIN_N <= n <= _MAX_N and n & (n - 1) == 0):
        raise AuthConfigError(
            f"[passwords] scrypt_n must be a power of 2 from {_power(_MIN_N)} to {_power(_MAX_N)}, not {n!r} "
            f"(the default is {_power(SCRYPT_N)})."
        )
    return n


def _check_cost(stored: str, scrypt_n: int, where: str) -> None:
    """AuthConfigError when the hash ``stored`` (one :func:`is_password_hash` accepts) is not of cost
    N = ``scrypt_n``, r = 8, p = 1. A cheaper hash answers sooner than the other accounts and than an
    unknown name (checked against a dummy hash of the configured cost), a costlier one later; either
    tells a visitor that the account exists."""
    parsed = _parse_hash(stored)
    assert parsed is not None
    n, r, p = parsed[:3]
    if (n, r, p) == (scrypt_n, SCRYPT_R, SCRYPT_P):
        return
    has = f"N = {_power(n)}, r = {r}, p = {p}"
    wanted = f"N = {_power(scrypt_n)}, r = {SCRYPT_R}, p = {SCRYPT_P}"
    if n * r * p < scrypt_n * SCRYPT_R * SCRYPT_P:
        raise AuthConfigError(
            f"{where}: password_hash is cheaper ({has}) than the minimum, {wanted}: a sign-in for this "
            "account would answer faster than for others, which tells a visitor it exists. Make a new "
            f"hash with `{hash_command(scrypt_n)}`."
        )
    raise AuthConfigError(
        f"{where}: password_hash is made with {has}, not the configured {wanted} ([passwords] scrypt_n): "
        "a sign-in for this account would not take as long as one for an unknown name, which tells a "
        f"visitor it exists. Make a new hash with `{hash_command(scrypt_n)}`, or set [passwords] "
        f"scrypt_n = {n} and make every account's hash with N = {n}, r = {SCRYPT_R}, p = {SCRYPT_P}."
    )


_ADDRESS = re.compile(r"^[^@\s]*@[^@\s]+$")  # an e-mail address, or an @domain pattern


def _workspace_access(section: Any, accounts: Mapping[str, Account]) -> dict[str, tuple[str, ...]] | None:
    """``[workspace_access]`` read and checked: every value a list of account names, e-mail
    addresses, ``@domain`` patterns or ``"*"``; an entry without ``@`` must name an account, so a
    typo is an error rather than a workspace nobody can open.

    Workspace names are normalised as :mod:`lib.store.workspaces` stores them (:func:`workspace_name`:
    NFKC, invisible characters removed, spaces collapsed), so a name pasted with a zero-width space
    or in full-width letters matches the workspace. Two names that look alike
    (:func:`lib.store.workspaces.name_skeleton`: "Acme" and "Аcme" with a Cyrillic А, or "ACME") are an
    error: a reader of the file could not tell which list belongs to which workspace.
    """
    from lib.store.workspaces import WorkspaceError, name_skeleton, workspace_name

    if section is None:
        return None
    if not isinstance(section, Mapping):
        raise AuthConfigError('[workspace_access] must be a table: "<workspace name>" = ["who", ...].')
    access: dict[str, tuple[str, ...]] = {}
    skeletons: dict[str, str] = {}  # skeleton → the name configured first
    for workspace, listed in section.items():
        if not str(workspace).strip():
            raise AuthConfigError("[workspace_access] has a blank workspace name.")
        try:
            name = workspace_name(workspace)
        except WorkspaceError as err:
            raise AuthConfigError(f"[workspace_access] {str(workspace)!r}: {err}") from err
        where = f"[workspace_access] {name!r}"
        twin = skeletons.setdefault(name_skeleton(name), str(workspace))
        if twin != str(workspace):
            raise AuthConfigError(
                f"[workspace_access] {str(workspace)!r} and {twin!r} name workspaces that look alike "
                "(they differ only in case, look-alike letters, width or invisible characters): "
                "keep one entry."
            )
        if isinstance(listed, str) or not isinstance(listed, list | tuple):
            raise AuthConfigError(
                f'{where} must be a list such as ["fran", "ceo@example.org", "@example.org"], not {listed!r}.'
            )
        entries: list[str] = []
        for item in listed:
            if not isinstance(item, str) or not item.strip():
                raise AuthConfigError(f"{where}: every entry must be a non-blank string, not {item!r}.")
            entry = item.strip()
            if "@" in entry:
                if not _ADDRESS.match(entry):
                    raise AuthConfigError(f"{where}: {entry!r} is neither an e-mail address nor an @domain.")
                entry = entry.lower()
            elif entry != "*" and entry not in accounts:
                raise AuthConfigError(
                    f"{where}: {entry!r} is not an account name (no [accounts.{entry}]), an e-mail "
                    'address, an @domain or "*".'
                )
            entries.append(entry)
        access[name] = tuple(entries)
    return access


def _listed(email: str, entries: tuple[str, ...]) -> bool:
    domain = "@" + email.rpartition("@")[2]
    return email in entries or domain in entries


def oidc_user(config: AuthConfig, claims: Mapping[str, Any]) -> User:
    """The user an identity provider signed in (``st.user``), with the roles ``[roles]`` gives.

    The e-mail address decides (case-insensitive); ``@domain`` entries match a whole domain. An
    address the provider reports as unverified (``email_verified = false``) matches nothing and
    does not get the default role either.
    """
    email = str(claims.get("email") or "").strip().lower()
    name = str(claims.get("name") or email or "signed-in user")
    if not email or claims.get("email_verified") is False:
        return User(name=name, roles=frozenset(), source="oidc")
    roles = frozenset(role for role, entries in config.members.items() if _listed(email, entries))
    if not roles and config.default_role is not None:
        roles = frozenset({config.default_role})
    return User(name=name, roles=roles, source="oidc", email=email)


# --- workspaces ------------------------------------------------------------------------------


def _matches(user: User, entries: tuple[str, ...]) -> bool:
    if "*" in entries:
        return True
    if user.source == "account":
        return user.name in entries
    if user.source == "oidc" and user.email:
        return _listed(user.email, entries)
    return False


def may_open_workspace(config: AuthConfig, user: User, name: str) -> bool:
    """May ``user`` open the workspace ``name``? Only a role with ``open_workspace`` may open any
    (facilitator, executive); then:

    - no ``[workspace_access]`` table: every workspace (one organisation's dashboard);
    - the local user: every workspace (the table is for signed-in users);
    - a workspace listed in the table: only for the users its list matches: a built-in account by
      its name, an OIDC user by verified e-mail address or ``@domain``, everyone (with such a role)
      by ``"*"``; a facilitator not on the list may not open it either;
    - a workspace not listed: facilitators only (they created it and have not assigned it yet),
      never executives;
    - a workspace not listed whose name looks like a listed one's (:func:`lib.store.workspaces.name_skeleton`;
      "Аcme" with a Cyrillic А next to a listed "Acme"): only facilitators on that list, so a
      look-alike name neither opens to more people than the name it copies, nor lets a facilitator
      not on that list create a workspace that would pass for it.

    ``name`` is compared normalised (:func:`lib.store.workspaces.workspace_name`), as the table's names are.
    """
    from lib.store.workspaces import WorkspaceError, name_skeleton, workspace_name

    if not allowed(user, "open_workspace"):
        return False
    if config.workspace_access is None or user.is_local:
        return True
    try:
        key = workspace_name(name)
    except WorkspaceError:  # no usable name: no listed workspace has it
        key = str(name).strip()
    entries = config.workspace_access.get(key)
    if entries is not None:
        return _matches(user, entries)
    skeleton = name_skeleton(key)
    lookalikes = [e for listed, e in config.workspace_access.items() if name_skeleton(listed) == skeleton]
    return "facilitator" in user.roles and all(_matches(user, e) for e in lookalikes)


def workspaces_for(config: AuthConfig, user: User, names: list[str]) -> list[str]:
    """The names among ``names`` that ``user`` may open (:func:`may_open_workspace`), sorted."""
    return sorted(n for n in names if may_open_workspace(config, user, n))


# --- built-in accounts -----------------------------------------------------------------------

#: Wrong passwords for one account name from one client address before that pair is refused.
MAX_FAILURES = 5
#: Wrong passwords for one account name from all addresses together before the name is refused.
MAX_FAILURES_PER_NAME = 50
FAILURE_WINDOW_SECONDS = 300.0
#: Above this many tracked keys, expired ones are swept (memory stays bounded under a flood).
_SWEEP_ABOVE = 10_000


class LoginThrottle:
    """Wrong-password counts in a sliding window, shared by every session of this server process.

    Two limits, both over the last ``window`` seconds (300 s):

    - ``max_failures`` (5) per account name *and* client address (``None`` = this computer). A
      participant's phone guessing "facilitator" five times locks out that phone, not the real
      facilitator at the front of the room, who signs in from another address.
    - ``max_failures_per_name`` (50) per account name across all addresses, against guessing from
      many addresses at once. Ten times the per-address limit, so a room of people mistyping does
      not reach it; at most 14,400 guesses a day for one name, hopeless against a generated
      password of 8 or more characters (not against a dictionary word: generate them). A success
      does not clear this count.

    The address is the TCP peer Streamlit reports (``st.context.ip_address``). Behind a reverse
    proxy that does not forward the client's address, every browser shares the proxy's address,
    so the per-address limit applies to all of them together: forward the address (uvicorn trusts
    ``X-Forwarded-For`` from 127.0.0.1).
    ``clock``: seconds, monotonic (injectable for tests).
    """

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = FAILURE_WINDOW_SECONDS,
        max_failures_per_name: int = MAX_FAILURES_PER_NAME,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures, self.window = max_failures, window
        self.max_failures_per_name = max_failures_per_name
        self._clock = clock
        self._by_client: dict[tuple[str, str | None], list[float]] = {}
        self._by_name: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, table: dict[Any, list[float]], key: Any, now: float) -> list[float]:
        recent = [t for t in table.get(key, ()) if now - t < self.window]
        if recent:
            table[key] = recent
        else:
            table.pop(key, None)
        return recent

    def _wait(self, recent: list[float], limit: int, now: float) -> float:
        if len(recent) < limit:
            return 0.0
        # the count drops under the limit when its (len - limit + 1)-th oldest failure ages out
        return self.window - (now - recent[len(recent) - limit])

    def wait_seconds(self, name: str, address: str | None = None) -> float:
        """Seconds until ``name`` may be tried again from ``address`` (0 = now): the longer of the
        per-address and the per-name wait."""
        now = self._clock()
        with self._lock:
            pair = self._recent(self._by_client, (name, address), now)
            every = self._recent(self._by_name, name, now)
            return max(
                self._wait(pair, self.max_failures, now),
                self._wait(every, self.max_failures_per_name, now),
            )

    def failed(self, name: str, address: str | None = None) -> None:
        now = self._clock()
        with self._lock:
            self._by_client.setdefault((name, address), []).append(now)
            self._by_name.setdefault(name, []).append(now)
            if len(self._by_client) + len(self._by_name) > _SWEEP_ABOVE:
                for table in (self._by_client, self._by_name):
                    for key in list(table):
                        self._recent(table, key, now)

    def succeeded(self, name: str, address: str | None = None) -> None:
        """The right password: forget this address's failures for ``name`` (not the per-name count)."""
        with self._lock:
            self._by_client.pop((name, address), None)


THROTTLE = LoginThrottle()


def account_user(
    config: AuthConfig,
    name: str,
    password: str,
    throttle: LoginThrottle = THROTTLE,
    *,
    address: str | None = None,
) -> User | None:
    """The account's user when ``password`` is right; None otherwise (and while ``name`` is
    throttled for ``address``, the client's address: ``st.context.ip_address``, None = this computer).

    An unknown name is checked against a dummy hash of the configured cost (``config.scrypt_n``,
    the cost :func:`load_config` requires of every account's hash), so it runs the same scrypt as a
    known name and the answer takes as long either way: it does not reveal which account names
    exist. Its failures are counted like any other name's.
    """
    name = name.strip()
    if throttle.wait_seconds(name, address) > 0:
        return None
    account = config.accounts.get(name)
    if account is None:
        verify_password(password, _dummy_hash(config.scrypt_n))
        throttle.failed(name, address)
        return None
    if not verify_password(password, account.password_hash, n=config.scrypt_n):
        throttle.failed(name, address)
        return None
    throttle.succeeded(name, address)
    return User(name=account.name, roles=account.roles, source="account")


# --- the live pulse's join link ----------------------------------------------------------------

#: Who arrives through a pulse's join link: the pulse page only.
PARTICIPANT = User(name="participant", roles=frozenset({"participant"}), source="join-link")


def arrive(
    params: Mapping[str, str], state: pulse_link.BrowserState, engine: Engine, current: User
) -> pulse.PulseSession | None:
    """A join link (``?join=<token>``) makes this browser session a pulse participant.

    Called by ``app.py`` before the navigation is built, with the ``current`` user. When the token
    names a session (open or closed), the token is kept in ``state[STATE_TOKEN]`` and
    ``state["user"]`` becomes :data:`PARTICIPANT`, who may open the pulse page only, so a phone in
    the room never sees the dashboards, even when nothing is configured (the local user). A
    signed-in facilitator (OIDC or an account) keeps their own roles. An unknown token changes
    nobody's roles. Looked up once per browser session and token.
    """
    token = params.get(pulse_link.JOIN_PARAM)
    if not token or state.get(pulse_link.STATE_TOKEN) == token:
        return None
    session = pulse.get_session(engine, token)
    state[pulse_link.STATE_TOKEN] = token
    if session is None:
        return None
    if current.is_local or current.source == "none" or "facilitator" not in current.roles:
        state["user"] = PARTICIPANT
    return session
