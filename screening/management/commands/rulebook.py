"""``manage.py rulebook``: write the rule book ``docs/rules.md`` from the engine.

The rule book lists every rule with its level, routes, what it checks, each message variant
with a worked example (the engine's own output on a small example document) and its source:
the page a clinic's medical director reads and signs off. It is generated, never edited.

``--check`` writes nothing: it exits with status 1 and says so when the committed file
differs from what the engine gives now (CI runs it, so the rule book cannot drift).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from screening.engine.rulebook import render_markdown, rule_book

#: Exit status when ``--check`` finds the committed rule book out of date.
OUT_OF_DATE = 1


def default_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "rules.md"


class Command(BaseCommand):
    help = "Write docs/rules.md (the rule book) from the screening engine; --check only compares."
    requires_system_checks: list[str] = []  # no database, no system checks
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true", help="exit 1 if the file differs; write nothing")
        parser.add_argument("--output", type=Path, default=None, help="where to write (default docs/rules.md)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"] or default_path()
        text = render_markdown(rule_book())
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                self.stderr.write(f"{path} is out of date: run `python manage.py rulebook` and commit it.")
                raise SystemExit(OUT_OF_DATE)
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
