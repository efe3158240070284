"""The house plan (issue 13): layers that import in one direction, no cycles, no borrowed privates.

``lib`` is six packages (see ARCHITECTURE.md and each package's docstring). These tests read every
module's imports with :mod:`ast`, including imports inside functions and under ``TYPE_CHECKING``
(an import hidden in a function is still a dependency), and hold:

* the direction: ``core`` ← ``intake`` / ``analysis`` ← ``store`` ← ``report`` ← ``app``;
* nothing in ``lib`` imports streamlit except ``lib.app``;
* no import cycle between modules;
* no module takes another module's ``_private`` names;
* code in the repository uses the modules' new names, not the flat layout's.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import lib

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib"

#: package → the packages it may import (itself included)
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "intake": {"core", "intake"},
    "analysis": {"core", "analysis"},
    "store": {"core", "intake", "analysis", "store"},
    "report": {"core", "analysis", "store", "report"},
    "app": {"core", "intake", "analysis", "store", "report", "app"},
    "": {"app"},  # lib/__init__.py and the lib/cli.py entry point
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def lib_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(LIB.rglob("*.py"))}


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else ""


def imports(path: Path) -> Iterator[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import statement in ``path``."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [a.name for a in node.names], node.lineno


def resolve(target: str, names: list[str], modules: dict[str, Path]) -> list[str]:
    """The lib modules an import statement depends on (``from lib.core import privacy`` → lib.core.privacy)."""
    out = []
    if target in modules and not target.endswith(tuple(f".{p}" for p in ALLOWED if p)) and target != "lib":
        out.append(target)
    for name in names:
        if f"{target}.{name}" in modules:
            out.append(f"{target}.{name}")
    if not out and target in modules:
        out.append(target)
    return out


def graph() -> dict[str, set[str]]:
    modules = lib_modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for target, names, _ in imports(path):
            if target == "lib" or target.startswith("lib."):
                edges[name].update(t for t in resolve(target, names, modules) if t != name)
    return edges


def test_the_six_packages_exist_and_say_what_they_may_import() -> None:
    for package in (p for p in ALLOWED if p):
        doc = ast.get_docstring(ast.parse((LIB / package / "__init__.py").read_text())) or ""
        assert "May import" in doc, package
    flat = [p.name for p in LIB.glob("*.py") if p.name not in {"__init__.py", "cli.py"}]
    assert flat == [], "every module lives in a package"


def test_layers_import_in_one_direction() -> None:
    wrong = []
    for module, targets in graph().items():
        mine = package_of(module)
        for target in targets:
            theirs = package_of(target)
            if theirs and theirs not in ALLOWED[mine]:
                wrong.append(f"{module} ({mine or 'lib'}) imports {target} ({theirs})")
    assert wrong == []


def test_only_the_app_layer_imports_streamlit() -> None:
    offenders = [
        name
        for name, path in lib_modules().items()
        if package_of(name) != "app" and any(t.split(".")[0] == "streamlit" for t, _, _ in imports(path))
    ]
    assert offenders == []


def test_no_import_cycles() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert cycles == []


def test_no_module_takes_another_modules_private_names() -> None:
    modules = lib_modules()
    borrowed = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lib"):
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if full in modules:
                        aliases[a.asname or a.name] = full
                    elif a.name.startswith("_") and not a.name.startswith("__") and node.module != name:
                        borrowed.append(f"{name} imports {node.module}.{a.name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                borrowed.append(f"{name} uses {aliases[node.value.id]}.{node.attr}")
    assert borrowed == []


FORMER = re.compile(r"\blib\.(" + "|".join(sorted(lib.FORMER_NAMES, key=len, reverse=True)) + r")\b")


@pytest.mark.parametrize("folder", ["lib", "app_pages", "tests", "benchmarks"])
def test_the_repository_uses_the_new_module_names(folder: str) -> None:
    stale = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if (path.name == "__init__.py" and path.parent == LIB) or path.name == "test_architecture.py":
            continue
        for target, names, line in imports(path):
            if FORMER.fullmatch(target) or (target == "lib" and set(names) & set(lib.FORMER_NAMES)):
                stale.append(f"{path.relative_to(ROOT)}:{line}: {target} {names}")
    assert stale == []


def test_scripts_using_the_flat_names_get_the_same_modules() -> None:
    from lib import loader, privacy  # the flat layout's names
    from lib.core import privacy as core_privacy
    from lib.intake import loader as intake_loader

    assert loader is intake_loader and privacy is core_privacy
    assert privacy.__name__ == "lib.core.privacy"


def test_a_split_module_under_its_flat_name_holds_the_public_names_of_its_parts() -> None:
    import importlib

    for short, parts in lib.FORMER_SPLITS.items():
        assert lib.FORMER_NAMES[short] == parts[0], short  # the main home is the one FORMER_NAMES names
        former = importlib.import_module(f"lib.{short}")
        for part in reversed(parts):  # the first part wins a name two parts define
            found = importlib.import_module(part)
            expected = {name: getattr(found, name) for name in found.__all__}
            for name, value in expected.items():
                owner = next(p for p in parts if name in importlib.import_module(p).__all__)
                if owner == part:
                    assert getattr(former, name) is value, f"lib.{short}.{name}"
