"""Who may see what: roles, the pages and actions each role may use, as data.

Enforcement happens on the server: ``app.py`` registers only the pages the signed-in user's roles
allow (a URL to any other page is not routed at all), every page calls ``ui.guard(<page>)``, and
downloads/exports check :func:`allowed`. With nothing configured the app runs for one local user
holding every role (the embedded default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["facilitator", "executive", "participant"]
ROLES: tuple[Role, ...] = ("facilitator", "executive", "participant")

Action = Literal[
    "upload",  # load data, manage workspaces and waves
    "named_view",  # see names, ids and person-level tables
    "settings",  # change workspace settings (minimum group size, retention, channel mapping)
    "export",  # download exports and tables (in the view the role is allowed)
    "run_workshop",  # presentation view, what-if, actions, open/close a pulse
    "answer_pulse",  # submit a pulse answer
]

#: page key (the url_path in app.py) → roles that may open it.
PAGE_ACCESS: dict[str, frozenset[Role]] = {
    "overview": frozenset({"facilitator", "executive"}),
    "network": frozenset({"facilitator", "executive"}),
    "learning": frozenset({"facilitator", "executive"}),
    "trust": frozenset({"facilitator", "executive"}),
    "skills": frozenset({"facilitator", "executive"}),
    "data": frozenset({"facilitator"}),
}

#: action → roles that may do it.
ACTION_ACCESS: dict[Action, frozenset[Role]] = {
    "upload": frozenset({"facilitator"}),
    "named_view": frozenset({"facilitator"}),
    "settings": frozenset({"facilitator"}),
    "export": frozenset({"facilitator", "executive"}),
    "run_workshop": frozenset({"facilitator"}),
    "answer_pulse": frozenset({"participant", "facilitator"}),
}


@dataclass(frozen=True)
class User:
    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    source: Literal["local", "oidc", "account", "join-link"] = "local"

    @property
    def is_local(self) -> bool:
        return self.source == "local"


LOCAL_USER = User(name="local user", roles=frozenset(ROLES), source="local")


def may_open(user: User, page: str) -> bool:
    return bool(PAGE_ACCESS.get(page, frozenset()) & user.roles)


def allowed(user: User, action: Action) -> bool:
    return bool(ACTION_ACCESS[action] & user.roles)


def pages_for(user: User) -> list[str]:
    """Page keys this user may open, in PAGE_ACCESS order."""
    return [page for page in PAGE_ACCESS if may_open(user, page)]
