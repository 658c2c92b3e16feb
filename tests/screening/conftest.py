"""Shared fixtures of the screening-engine tests: golden cases and a document builder.

No database anywhere: the engine is pure.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from screening.engine import screen

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN_PATH = REPO_ROOT / "tests" / "data" / "golden.json"

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def load_golden() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(GOLDEN_PATH.read_text(encoding="utf-8"))
    return cases


def _steps(path: str) -> list[str | int]:
    """``"instruments.phq9[9]"`` -> ``["instruments", "phq9", 8]``: items numbered from 1."""
    return [key if key else int(number) - 1 for key, number in _STEP.findall(path)]


class Doc:
    """A facts document to change and screen: ``Doc(base).set("vitals.bp_systolic", 141)``."""

    def __init__(self, facts: dict[str, Any]) -> None:
        self.facts = copy.deepcopy(facts)

    def set(self, path: str, value: object) -> Doc:
        *parents, last = _steps(path)
        node: Any = self.facts
        for step in parents:
            if isinstance(step, str) and node.get(step) is None:
                node[step] = {}
            node = node[step]
        node[last] = value
        return self

    def update(self, changes: dict[str, object]) -> Doc:
        for path, value in changes.items():
            self.set(path, value)
        return self

    def drop(self, path: str) -> Doc:
        *parents, last = _steps(path)
        node: Any = self.facts
        for step in parents:
            node = node[step]
        del node[last]
        return self

    def result(self) -> dict[str, Any]:
        return screen(self.facts)

    def levels(self) -> dict[str, str]:
        """Rule id -> level of every flag."""
        return {flag["rule"]: flag["level"] for flag in self.result()["flags"]}

    def flag(self, rule: str) -> dict[str, Any]:
        found = [f for f in self.result()["flags"] if f["rule"] == rule]
        assert found, f"{rule} did not fire; flags: {self.levels()}"
        return found[0]

    def overall(self) -> str:
        return str(self.result()["overall"])

    def scores(self) -> dict[str, Any]:
        return dict(self.result()["scores"])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test asking for ``golden_case`` runs once per golden case, named after it."""
    if "golden_case" in metafunc.fixturenames:
        cases = load_golden()
        metafunc.parametrize("golden_case", cases, ids=[case["name"] for case in cases])


@pytest.fixture(scope="session")
def golden_path() -> Path:
    return GOLDEN_PATH


@pytest.fixture(scope="session")
def golden_cases() -> list[dict[str, Any]]:
    return load_golden()


@pytest.fixture(scope="session")
def base_facts(golden_cases: list[dict[str, Any]]) -> dict[str, Any]:
    """The golden base patient: nothing of concern (assessment date 2026-11-20)."""
    facts: dict[str, Any] = golden_cases[0]["facts"]
    return facts


@pytest.fixture
def doc(base_facts: dict[str, Any]) -> Doc:
    """A fresh copy of the base patient."""
    return Doc(base_facts)


@pytest.fixture
def empty_doc() -> Callable[[], Doc]:
    """A document with nothing but its schema and date."""
    return lambda: Doc({"schema": "intake-facts/1", "assessment_date": "2026-11-20"})
