"""The WSGI entry point a production server (gunicorn) loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

LOAD = """
import gc, json, sys
import clinic.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "views_loaded": all(name in sys.modules for name in ("intake.views", "screening.views")),
    "callable": callable(clinic.wsgi.application),
}))
"""


def test_a_worker_loads_its_views_at_start_and_sets_them_aside_from_the_garbage_collector() -> None:
    # In a process of its own: freezing the test runner's objects would outlive this test.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings", "DJANGO_DEBUG": "true"}
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", LOAD], cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["callable"]
    # The URLs were imported before the freeze: the views a request needs are already loaded.
    assert loaded["views_loaded"]
    # Everything loaded at start is set aside (tens of thousands of objects; none without it).
    assert loaded["frozen"] > 10_000
