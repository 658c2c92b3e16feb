"""The app's own settings with one extra URL: the bare baseline of ``make bench``.

The step POST is measured against a bare Django view that inserts one row, served by the same
gunicorn settings, middleware and database (benchmarks/bench.py)."""

from clinic.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bare_urls"
