"""Clinical knowledge is written once, in the engine (screening/engine/), and imported: no
blood-pressure, weight or height range and no instrument item list is written again in the
apps. Migrations are history and keep the values they were written with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The ranges of SCREENING_SPEC §3 and §5.3 and the forms' typo guards, as (low, high) pairs or
# as a constraint's bound; and the C-SSRS item list written out.
FORBIDDEN = {
    "a range of the engine": re.compile(
        r"\(\s*(0|20|30|40|50|70|120)\s*,\s*(160|200|230|260|300|400)\s*\)|__lte=400\b|__gte=(40|50|70)\b"
    ),
    "the C-SSRS item list": re.compile(r"""["'](cssrs_)?q1["']\s*,\s*["'](cssrs_)?q2["']"""),
    "the C-SSRS follow-up list": re.compile(
        r"""["'](cssrs_)?q3["']\s*,\s*["'](cssrs_)?q4["']\s*,\s*["'](cssrs_)?q5["']"""
    ),
    "the routes list": re.compile(r"""["']esketamine["']\s*,\s*["']ketamine["']\s*[\])]"""),
}


def _app_sources() -> list[Path]:
    files = []
    for app in ("intake", "screening", "clinic"):
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative.parts[:2] == ("screening", "engine") or "migrations" in relative.parts:
                continue
            files.append(path)
    return files


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_app_writes_the_engines_knowledge_again(what):
    pattern = FORBIDDEN[what]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _app_sources()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not found, f"{what} written outside screening/engine/:\n" + "\n".join(found)


def test_the_check_sees_a_range_written_out():
    assert FORBIDDEN["a range of the engine"].search("SYSTOLIC_RANGE = (50, 300)")
    assert FORBIDDEN["the C-SSRS item list"].search('columns = ("cssrs_q1", "cssrs_q2")')
