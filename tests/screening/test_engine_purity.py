"""The engine is pure Python: no Django, no clock, no database, no settings, no network."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "screening" / "engine"
MODULES = sorted(ENGINE.rglob("*.py"))

# Top-level modules the engine may not import: the web framework, the clock, the
# environment and the network.
FORBIDDEN_MODULES = {
    "django", "time", "os", "socket", "urllib", "http", "requests", "sqlite3", "random", "secrets",
    "zoneinfo", "subprocess", "threading", "asyncio",
}  # fmt: skip
# Calls that read the clock.
FORBIDDEN_ATTRIBUTES = {"now", "today", "utcnow", "time", "localtime", "getenv", "environ"}


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_engine_has_modules():
    assert len(MODULES) >= 5


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_no_engine_module_imports_django_or_the_clock(module):
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    assert not imported_modules(tree) & FORBIDDEN_MODULES
    dynamic = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in {"__import__", "importlib"}]
    assert not dynamic


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_no_engine_module_reads_the_clock_or_the_environment(module):
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not attributes & FORBIDDEN_ATTRIBUTES


def test_the_purity_check_catches_a_django_import():
    assert "django" in imported_modules(ast.parse("from django.conf import settings"))
    assert "django" in imported_modules(ast.parse("import django.db.models as m"))
