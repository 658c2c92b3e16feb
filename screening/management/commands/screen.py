"""``manage.py screen FILE``: screen facts documents from the command line (spec §7).

Reads one facts document, or a JSON list of them, from FILE (``-`` for standard
input) and prints the result document, or a list of results in the same order, as
JSON on standard output. It needs no database and runs no system checks.

Invalid input (bad JSON, unknown schema, unknown keys, wrong types, values out of
range, wrong list lengths, ...) exits with status 2 and one line on standard error
naming the field, ``[3].vitals.bp_systolic: must be an integer``; nothing is printed
on standard output then. An empty list prints ``[]``.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any, NoReturn

from django.core.management.base import BaseCommand

from screening.engine import FactsError, parse_json, screen, screen_many

#: Exit status for invalid input (spec §7).
INVALID_INPUT = 2


class Command(BaseCommand):
    help = "Screen an intake facts document (or a JSON list of them) and print the result as JSON."
    requires_system_checks: list[str] = []  # no system checks: no database needed
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="facts document or list of documents (JSON); '-' reads standard input")
        parser.add_argument("--indent", type=int, default=2, help="JSON indentation (0: one line); default 2")

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        try:
            text = sys.stdin.buffer.read() if path == "-" else _read(path)
            value = parse_json(text)
            if isinstance(value, list):
                result: object = screen_many(value)
            elif isinstance(value, dict):
                result = screen(value)
            else:
                raise FactsError("", "expected a facts document (JSON object) or a list of them")
        except FactsError as error:
            self._fail(str(error))
        indent = options["indent"] or None
        self.stdout.write(json.dumps(result, indent=indent, ensure_ascii=False))

    def _fail(self, line: str) -> NoReturn:
        self.stderr.write(line, style_func=lambda text: text)
        raise SystemExit(INVALID_INPUT)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise FactsError("", f"cannot read {path}: {error.strerror}") from None
