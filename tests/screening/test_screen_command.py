"""``python manage.py screen`` (spec §7), run as a subprocess from the repository root.

No database is needed or touched: the command runs no system checks and no ORM.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Outside CI, a Python without the project's runtime packages (a bare engine venv)
# cannot load the settings; these tests then say so instead of failing. In CI they
# always run.
if not os.environ.get("CI") and importlib.util.find_spec("crispy_forms") is None:
    pytest.skip("the project's runtime packages are not installed in this Python", allow_module_level=True)

VALID = {"schema": "intake-facts/1", "assessment_date": "2026-11-20"}


def run(*args: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="clinic.settings")
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = "screen-command-test-key-" + "Qz8Lw3Nx5Rv7Tb2Hk9Jd4Mf6Pc1Gs0Yy"
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "manage.py", "screen", *args],
        cwd=REPO_ROOT,
        env=env,
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )


def run_json(value: Any) -> subprocess.CompletedProcess[bytes]:
    return run("-", stdin=json.dumps(value))


def assert_invalid(result: subprocess.CompletedProcess[bytes], line: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == b""
    assert result.stderr.decode().splitlines() == [line]


def test_all_golden_cases_through_the_command_in_one_call(golden_cases, tmp_path):
    path = tmp_path / "golden-facts.json"
    path.write_text(json.dumps([case["facts"] for case in golden_cases]), encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    results = json.loads(result.stdout)
    assert len(results) == len(golden_cases)
    for case, got in zip(golden_cases, results, strict=True):
        expect = case["expect"]
        assert got["overall"] == expect["overall"], case["name"]
        assert sorted(f"{f['rule']}:{f['level']}" for f in got["flags"]) == expect["flags"], case["name"]
        assert got["scores"] == expect["scores"], case["name"]


def test_one_document_on_standard_input_prints_one_result():
    result = run_json(VALID)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["schema"] == "screening-result/1"
    assert printed["overall"] == "SAFETY_REVIEW"


def test_an_empty_list_prints_an_empty_list():
    result = run("-", stdin="[]")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_bad_json_exits_2_with_one_line_and_nothing_on_stdout():
    result = run("-", stdin='{"schema": "intake-facts/1",')
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("invalid JSON")


@pytest.mark.parametrize(
    ("document", "line"),
    [
        ({"schema": "intake-facts/9", "assessment_date": "2026-11-20"},
         'schema: unknown schema "intake-facts/9"; expected "intake-facts/1"'),
        ({**VALID, "patient": {"weigth_kg": 70}}, "patient.weigth_kg: unknown key"),
        ({**VALID, "vitals": {"bp_systolic": "120"}}, "vitals.bp_systolic: must be an integer"),
        ({**VALID, "vitals": {"bp_systolic": 401}}, "vitals.bp_systolic: out of range: must be from 0 to 400"),
        ({**VALID, "instruments": {"phq9": [0] * 8}}, "instruments.phq9: must have 9 items, got 8"),
        ({**VALID, "patient": {"date_of_birth": "2027-01-01"}},
         "patient.date_of_birth: must not be after assessment_date (2026-11-20)"),
    ],
    ids=["unknown-schema", "unknown-key", "wrong-type", "out-of-range", "wrong-list-length", "date-after"],
)  # fmt: skip
def test_an_invalid_document_exits_2_naming_the_field(document, line):
    assert_invalid(run_json(document), line)


def test_one_invalid_document_in_a_list_fails_the_run_naming_its_index():
    documents = [VALID, VALID, VALID, {**VALID, "vitals": {"bp_systolic": 120.5}}]
    assert_invalid(run_json(documents), "[3].vitals.bp_systolic: must be an integer")


def test_duplicate_keys_and_nan_are_invalid():
    assert_invalid(run("-", stdin='{"schema": "intake-facts/1", "schema": "intake-facts/1"}'), "schema: duplicate key")
    assert_invalid(run("-", stdin='{"vitals": {"bp_systolic": NaN}}'), "invalid JSON: NaN is not allowed (RFC 8259)")


def test_a_file_that_cannot_be_read_exits_2(tmp_path):
    missing = tmp_path / "nope.json"
    assert_invalid(run(str(missing)), f"cannot read {missing}: No such file or directory")


def test_json_that_is_not_an_object_or_list_exits_2():
    assert_invalid(run("-", stdin="42"), "expected a facts document (JSON object) or a list of them")
