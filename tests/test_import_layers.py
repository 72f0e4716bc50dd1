"""The package's import layers, read from the source with `ast` (imports under
`if TYPE_CHECKING:` do not count): `config` never reaches into `catalog` (which imports
`config`), the HTTP transport sits below both, and the modules of these layers import no
cycle among themselves."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import voiceops

ROOT = Path(voiceops.__file__).parent


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in ROOT.rglob("*.py"):
        parts = ["voiceops", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(tree: ast.Module) -> Iterator[str]:
    """Modules named by the imports run on import (module level, not TYPE_CHECKING)."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                pending.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                pending.extend(handler.body)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _edges(module: str) -> set[str]:
    """The voiceops modules (and the packages on their way) that importing `module` runs.
    Its own parent packages are left out: they are always imported before it runs."""
    found: set[str] = set()
    for name in _imported(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        parts = name.split(".")
        for end in range(2, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in MODULES and not _under(module, prefix):
                found.add(prefix)
    return found


GRAPH = {module: _edges(module) for module in MODULES}


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for nxt in GRAPH[stack.pop()] - seen:
            seen.add(nxt)
            stack.append(nxt)
    return seen


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _under(m, "voiceops.config")))
def test_config_never_imports_the_catalog(module: str) -> None:
    assert not [m for m in _reachable(module) if _under(m, "voiceops.catalog")]


@pytest.mark.parametrize("module", sorted(
    m for m in MODULES if _under(m, "voiceops.providers.transport")))
def test_the_transport_imports_neither_catalog_nor_config(module: str) -> None:
    above = ("voiceops.catalog", "voiceops.config", "voiceops.runtime", "voiceops.server")
    assert not [m for m in _reachable(module) if any(_under(m, p) for p in above)]


@pytest.mark.parametrize("package", ["voiceops.config", "voiceops.catalog",
                                     "voiceops.providers"])
def test_no_module_of_the_layer_imports_itself_back(package: str) -> None:
    looped = [m for m in MODULES if _under(m, package) and m in _reachable(m)]
    assert looped == []


@pytest.mark.slow
def test_importing_config_loads_no_catalog_module() -> None:
    # What the ast reading says, checked once for real in a fresh interpreter.
    code = ("import sys, voiceops.config.schema, voiceops.config.secrets; "
            "print(sorted(m for m in sys.modules if m.startswith('voiceops.catalog')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
