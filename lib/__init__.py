"""Analysis and I/O for the social-learning dashboard, in layers (see ARCHITECTURE.md):

``lib.core`` (dataset, schema, errors, privacy, text) ← ``lib.intake`` (reading files) and
``lib.analysis`` (the measures) ← ``lib.store`` (workspaces, pulse) ← ``lib.report`` (exports,
deck) ← ``lib.app`` (Streamlit widgets, sign-in, the command line). Each package's docstring says
what it may import; ``tests/test_architecture.py`` holds the direction. Nothing here imports
streamlit except ``lib.app`` (``ui``, ``data_page``). ``python -m lib.cli`` is the command line
(``lib/cli.py``).

Scripts written against the earlier flat layout (``from lib import loader``) still work: the old
module names resolve to the modules' new homes (:data:`FORMER_NAMES`); a flat module since split
in several (:data:`FORMER_SPLITS`) resolves to a module holding the public names of all its parts.
Code in this repository uses the new names; the architecture test refuses the old ones.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

#: The flat layout's module names and where each module lives now.
FORMER_NAMES: dict[str, str] = {
    "dataset": "lib.core.dataset",
    "schema": "lib.core.schema",
    "errors": "lib.core.errors",
    "privacy": "lib.core.privacy",
    "stats": "lib.core.stats",
    "sanitise": "lib.core.sanitise",
    "loader": "lib.intake.loader",
    "parsing": "lib.intake.parsing",
    "template": "lib.intake.template",
    "sample": "lib.intake.sample",
    "network": "lib.analysis.network",
    "roles": "lib.analysis.roles",
    "learning": "lib.analysis.learning",
    "flows": "lib.analysis.flows",
    "shifts": "lib.analysis.shifts",
    "trust": "lib.analysis.trust",
    "wirearchy": "lib.analysis.wirearchy",
    "skills": "lib.analysis.skills",
    "smn": "lib.analysis.smn",
    "overview": "lib.analysis.overview",
    "findings": "lib.analysis.findings",
    "netmap": "lib.analysis.netmap",
    "db": "lib.store.db",
    "db_models": "lib.store.models",
    "workspaces": "lib.store.workspaces",
    "pulse": "lib.store.pulse",
    "exports": "lib.report.exports",
    "deck": "lib.report.deck",
    "report_html": "lib.report.html",
    "report_charts": "lib.report.charts",
    "workshop": "lib.report.workshop",
    "ui": "lib.app.ui",
    "auth": "lib.app.auth",
}

#: Flat modules since split in several: their main home (in :data:`FORMER_NAMES`) and the others.
FORMER_SPLITS: dict[str, tuple[str, ...]] = {
    "workshop": ("lib.report.workshop", "lib.analysis.whatif", "lib.store.actions"),
    "pulse": ("lib.store.pulse", "lib.analysis.pulse_summary", "lib.app.pulse_link"),
    "wirearchy": ("lib.analysis.wirearchy", "lib.analysis.hierarchy"),
    "sample": ("lib.intake.sample", "lib.intake.sample_story", "lib.intake.sample_org"),
}


def _gathered(name: str, parts: tuple[str, ...]) -> ModuleType:
    """A module holding the public names of ``parts`` (the first part wins a name twice defined)."""
    module = ModuleType(name, f"The flat layout's {name}, now split into {', '.join(parts)}.")
    for part in parts:
        found = importlib.import_module(part)
        public = getattr(found, "__all__", [n for n in vars(found) if not n.startswith("_")])
        for attr in public:
            module.__dict__.setdefault(attr, getattr(found, attr))
    return module


class _FormerNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``lib.<former name>`` to the module at its new home (the same module object)."""

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.startswith("lib.") and fullname[4:] in FORMER_NAMES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        short = spec.name[4:]
        if short in FORMER_SPLITS:
            return _gathered(spec.name, FORMER_SPLITS[short])
        return importlib.import_module(FORMER_NAMES[short])

    def exec_module(self, module: ModuleType) -> None:
        return None


if not any(isinstance(f, _FormerNames) for f in sys.meta_path):
    sys.meta_path.append(_FormerNames())
